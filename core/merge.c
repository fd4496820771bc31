/*
 * Three-way merge of documents, field by field (SPEC 6).
 *
 * Every rule here is symmetric: merging (base, a, b) and (base, b, a) gives
 * the same document, byte for byte once written. That is what makes
 * replicas converge whatever the order of their syncs.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

typedef struct {
	const char *at, *by; /* the side's `updated` and `updated_by` */
} side;

typedef struct {
	side sa, sb;
	dlg_node *records; /* new conflict records */
	const dlg_merge_options *opts;
} mctx;

static int is_absent(const dlg_node *n)
{
	return !n;
}

static int is_null(const dlg_node *n)
{
	return n && n->kind == DLG_NODE_SCALAR && n->type == DLG_SCALAR_NULL;
}

static int same(const dlg_node *a, const dlg_node *b)
{
	return dlg_node_equal(a, b);
}

static char *summary(const dlg_node *n)
{
	dlg_buf b = DLG_BUF_INIT;

	if (n)
		dlg_json_write(&b, n);
	return dlg_buf_detach(&b);
}

static int cmp_opt(const char *a, const char *b)
{
	if (!a || !b)
		return !!a - !!b;
	return strcmp(a, b);
}

/* > 0 when a's value should win over b's; never 0 for different values. */
static int a_wins(const mctx *c, const dlg_node *a, const dlg_node *b)
{
	char *sa, *sb;
	int r = cmp_opt(c->sa.at, c->sb.at);

	if (r)
		return r;
	sa = summary(a);
	sb = summary(b);
	r = strcmp(sa, sb);
	free(sa);
	free(sb);
	if (!r && a && b)
		r = (int)a->kind * 16 + (int)a->type -
		    ((int)b->kind * 16 + (int)b->type);
	if (!r)
		r = !!a - !!b;
	return r;
}

static uint32_t fnv(uint32_t h, const char *s)
{
	for (; s && *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	h ^= 0xff; /* field separator */
	h *= 16777619u;
	return h;
}

static dlg_node *dup_or_null(const dlg_node *n)
{
	return n ? dlg_node_dup(n) : dlg_node_new_null();
}

static void set_opt(dlg_node *map, const char *key, const char *v,
		    dlg_scalar_type type)
{
	dlg_map_set(map, key, v ? dlg_node_new_scalar(type, v)
			       : dlg_node_new_null());
}

dlg_node *dlg_conflict_new(const char *path, const char *reason,
			   const dlg_node *kept, const char *kept_by,
			   const char *kept_at, const dlg_node *lost,
			   const char *lost_by, const char *lost_at)
{
	dlg_node *r = dlg_node_new_map();
	char *sk = summary(kept), *sl = summary(lost);
	char id[9];
	uint32_t h = 2166136261u;

	/* The id is a hash of the content: the same conflict found on two
	 * replicas is one record. */
	h = fnv(h, path);
	h = fnv(h, reason);
	h = fnv(h, sk);
	h = fnv(h, sl);
	h = fnv(h, kept_at);
	h = fnv(h, lost_at);
	snprintf(id, sizeof(id), "%08x", h);
	free(sk);
	free(sl);
	dlg_map_set_str(r, "id", id);
	dlg_map_set_str(r, "field", path);
	dlg_map_set_str(r, "reason", reason);
	dlg_map_set(r, "value", dup_or_null(kept));
	set_opt(r, "value_by", kept_by, DLG_SCALAR_STR);
	set_opt(r, "value_at", kept_at, DLG_SCALAR_TIMESTAMP);
	dlg_map_set(r, "other", dup_or_null(lost));
	set_opt(r, "other_by", lost_by, DLG_SCALAR_STR);
	set_opt(r, "other_at", lost_at, DLG_SCALAR_TIMESTAMP);
	return r;
}

int dlg_conflict_reject(dlg_node *doc, const char *field,
			const dlg_node *before, const dlg_node *after,
			const char *author, const char *commit)
{
	const dlg_node *oldv = dlg_doc_get_path(before, field);
	const dlg_node *newv = dlg_doc_get_path(after, field);
	dlg_node *list, *rec;

	if (!dlg_node_equal(dlg_doc_get_path(doc, field), newv))
		return 0;
	dlg_doc_set_path(doc, field, oldv ? dlg_node_dup(oldv) : NULL);
	rec = dlg_conflict_new(field, "rejected", oldv,
			       dlg_map_get_str(before, "updated_by"),
			       dlg_map_get_str(before, "updated"), newv, author,
			       dlg_map_get_str(after, "updated"));
	dlg_map_set_str(rec, "commit", commit);
	if (!(list = dlg_map_get(doc, "conflicts"))) {
		list = dlg_node_new_seq();
		dlg_map_set(doc, "conflicts", list);
	}
	if (!dlg_seq_find_id(list, dlg_map_get_str(rec, "id")))
		dlg_seq_push(list, rec);
	else
		dlg_node_free(rec);
	return 1;
}

/* Record that `kept` stays in the file and `lost` does not. */
static void record(mctx *c, const char *path, const char *reason,
		   const dlg_node *kept, const side *ks, const dlg_node *lost,
		   const side *ls)
{
	dlg_seq_push(c->records, dlg_conflict_new(path, reason, kept, ks->by,
						  ks->at, lost, ls->by,
						  ls->at));
}

/* A scalar conflict: the winner's value, the loser's recorded. */
static dlg_node *conflict(mctx *c, const char *path, const dlg_node *a,
			  const dlg_node *b)
{
	if (a_wins(c, a, b) > 0) {
		record(c, path, "conflict", a, &c->sa, b, &c->sb);
		return dup_or_null(a);
	}
	record(c, path, "conflict", b, &c->sb, a, &c->sa);
	return dup_or_null(b);
}

static dlg_node *merge_node(mctx *c, const char *path, const dlg_node *base,
			    const dlg_node *a, const dlg_node *b,
			    const dlg_field *f);

static int is_scalar_list(const dlg_node *n)
{
	size_t i;

	if (!n || n->kind != DLG_NODE_SEQ)
		return 0;
	for (i = 0; i < n->count; i++)
		if (n->items[i]->kind != DLG_NODE_SCALAR)
			return 0;
	return 1;
}

static int has_value(const dlg_node *list, const char *v)
{
	size_t i;

	for (i = 0; list && list->kind == DLG_NODE_SEQ && i < list->count; i++)
		if (!strcmp(list->items[i]->value, v))
			return 1;
	return 0;
}

static int cmp_value(const void *x, const void *y)
{
	return strcmp((*(dlg_node *const *)x)->value,
		      (*(dlg_node *const *)y)->value);
}

/* Sets: what both kept, and what either added. */
static dlg_node *merge_set(const dlg_node *base, const dlg_node *a,
			   const dlg_node *b)
{
	dlg_node *out = dlg_node_new_seq();
	const dlg_node *sides[2] = { a, b };
	size_t i, k;

	for (i = 0; base && base->kind == DLG_NODE_SEQ && i < base->count; i++)
		if (has_value(a, base->items[i]->value) &&
		    has_value(b, base->items[i]->value) &&
		    !has_value(out, base->items[i]->value))
			dlg_seq_push(out, dlg_node_dup(base->items[i]));
	for (k = 0; k < 2; k++)
		for (i = 0; i < sides[k]->count; i++) {
			const char *v = sides[k]->items[i]->value;

			if (!has_value(base, v) && !has_value(out, v))
				dlg_seq_push(out, dlg_node_dup(sides[k]->items[i]));
		}
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(*out->items), cmp_value);
	return out;
}

static const char *text_of(const dlg_node *n)
{
	if (!n || is_null(n))
		return "";
	return n->kind == DLG_NODE_SCALAR && n->type == DLG_SCALAR_STR
		       ? n->value : NULL;
}

/* Multi-line text: by lines when the sides touched different lines. */
static dlg_node *merge_text(mctx *c, const dlg_node *base, const dlg_node *a,
			    const dlg_node *b)
{
	const char *tb = text_of(base), *ta = text_of(a), *tt = text_of(b);
	char *out = NULL;
	dlg_node *n;

	if (!c->opts || !c->opts->text_merge || !tb || !ta || !tt ||
	    !*ta || !*tt)
		return NULL;
	if (c->opts->text_merge(&out, tb, ta, tt, c->opts->payload) < 0)
		return NULL;
	n = dlg_node_new_str(out);
	free(out);
	return n;
}

/* Ordered lists of strings merge as lines of text. */
static dlg_node *merge_lines(mctx *c, const dlg_node *base, const dlg_node *a,
			     const dlg_node *b)
{
	dlg_buf t[3] = { DLG_BUF_INIT, DLG_BUF_INIT, DLG_BUF_INIT };
	const dlg_node *in[3] = { base, a, b };
	dlg_node *merged = NULL, *out = NULL;
	size_t i, k;

	for (k = 0; k < 3; k++) {
		if (in[k] && !is_scalar_list(in[k]))
			goto done;
		for (i = 0; in[k] && i < in[k]->count; i++) {
			if (strchr(in[k]->items[i]->value, '\n'))
				goto done;
			dlg_buf_printf(&t[k], "%s\n", in[k]->items[i]->value);
		}
	}
	{
		dlg_node nb = { DLG_NODE_SCALAR, DLG_SCALAR_STR, t[0].ptr };
		dlg_node na = { DLG_NODE_SCALAR, DLG_SCALAR_STR, t[1].ptr };
		dlg_node nt = { DLG_NODE_SCALAR, DLG_SCALAR_STR, t[2].ptr };

		merged = merge_text(c, &nb, &na, &nt);
	}
	if (!merged)
		goto done;
	out = dlg_node_new_seq();
	{
		const char *p = merged->value;

		while (*p) {
			size_t n = strcspn(p, "\n");
			char *line = dlg_strndup(p, n);

			dlg_seq_push(out, dlg_node_new_str(line));
			free(line);
			p += n;
			if (*p)
				p++;
		}
	}
done:
	dlg_node_free(merged);
	for (k = 0; k < 3; k++)
		dlg_buf_dispose(&t[k]);
	return out;
}

static const char *item_id(const dlg_node *n)
{
	return n && n->kind == DLG_NODE_MAP ? dlg_map_get_str(n, "id") : NULL;
}

static int keyed(const dlg_node *n)
{
	size_t i;

	if (!n || is_null(n))
		return 1;
	if (n->kind != DLG_NODE_SEQ)
		return 0;
	for (i = 0; i < n->count; i++)
		if (!item_id(n->items[i]))
			return 0;
	return 1;
}

/* The order of items added on both sides: by time or date, then id. */
static int cmp_item(const dlg_node *x, const dlg_node *y)
{
	int r = cmp_opt(dlg_map_get_str(x, "at"), dlg_map_get_str(y, "at"));

	if (!r)
		r = cmp_opt(dlg_map_get_str(x, "due"), dlg_map_get_str(y, "due"));
	if (!r)
		r = strcmp(item_id(x), item_id(y));
	return r;
}

/* The name of a list item in conflict records: path[id], whole however
 * long the key or id a file holds (resolve finds the record by it). */
static void item_name(dlg_buf *out, const char *path, const char *id)
{
	dlg_buf_clear(out);
	dlg_buf_printf(out, "%s[%s]", path, id);
}

static dlg_node *merge_keyed(mctx *c, const char *path, const dlg_node *base,
			     const dlg_node *a, const dlg_node *b,
			     const dlg_field *f)
{
	dlg_node *out = dlg_node_new_seq();
	dlg_field item = { 0 };
	dlg_buf name = DLG_BUF_INIT;
	size_t i, j;

	item.type = DLG_T_MAP;
	item.sub = f ? f->sub : NULL;
	/* Items the ancestor had, in its order. */
	for (i = 0; base && base->kind == DLG_NODE_SEQ && i < base->count; i++) {
		const dlg_node *bi = base->items[i];
		const char *id = item_id(bi);
		const dlg_node *ia = dlg_seq_find_id(a, id);
		const dlg_node *ib = dlg_seq_find_id(b, id);

		item_name(&name, path, id);
		if (ia && ib) {
			dlg_seq_push(out, merge_node(c, name.ptr, bi, ia, ib,
						     &item));
		} else if (ia && !same(ia, bi)) {
			/* Changed here, deleted there: keep it, say so. */
			record(c, name.ptr, "deleted", ia, &c->sa, NULL, &c->sb);
			dlg_seq_push(out, dlg_node_dup(ia));
		} else if (ib && !same(ib, bi)) {
			record(c, name.ptr, "deleted", ib, &c->sb, NULL, &c->sa);
			dlg_seq_push(out, dlg_node_dup(ib));
		}
	}
	/* Items added on either side: each side's own order, interleaved by
	 * a rule that does not depend on which side is which. */
	i = j = 0;
	for (;;) {
		const dlg_node *x = NULL, *y = NULL;

		while (a && i < a->count &&
		       (dlg_seq_find_id(base, item_id(a->items[i])) ||
			dlg_seq_find_id(out, item_id(a->items[i]))))
			i++;
		while (b && j < b->count &&
		       (dlg_seq_find_id(base, item_id(b->items[j])) ||
			dlg_seq_find_id(out, item_id(b->items[j]))))
			j++;
		if (a && i < a->count)
			x = a->items[i];
		if (b && j < b->count)
			y = b->items[j];
		if (!x && !y)
			break;
		if (x && (!y || cmp_item(x, y) <= 0)) {
			const dlg_node *other = dlg_seq_find_id(b, item_id(x));

			item_name(&name, path, item_id(x));
			dlg_seq_push(out, other ? merge_node(c, name.ptr, NULL, x,
							     other, &item)
						: dlg_node_dup(x));
		} else {
			const dlg_node *other = dlg_seq_find_id(a, item_id(y));

			item_name(&name, path, item_id(y));
			dlg_seq_push(out, other ? merge_node(c, name.ptr, NULL,
							     other,
							     y, &item)
						: dlg_node_dup(y));
		}
	}
	dlg_buf_dispose(&name);
	return out;
}

static int later_time(const char *x, const char *y)
{
	return cmp_opt(x, y) > 0;
}

static dlg_node *merge_map(mctx *c, const char *path, const dlg_node *base,
			   const dlg_node *a, const dlg_node *b,
			   const dlg_schema *s, int top)
{
	dlg_node *out = dlg_node_new_map();
	const dlg_node *maps[3] = { a, b, base };
	dlg_buf name = DLG_BUF_INIT;
	size_t i, k;

	for (k = 0; k < 3; k++) {
		const dlg_node *m = maps[k];

		for (i = 0; m && m->kind == DLG_NODE_MAP && i < m->count; i++) {
			const char *key = m->keys[i];
			const dlg_node *va = dlg_map_get(a, key);
			const dlg_node *vb = dlg_map_get(b, key);
			dlg_node *v;

			if (dlg_map_get(out, key))
				continue;
			if (top && !strcmp(key, "conflicts"))
				continue; /* merged last, with the new records */
			if (top && (!strcmp(key, "updated") ||
				    !strcmp(key, "updated_by"))) {
				/* The later change, and its author, win. */
				int use_a = later_time(c->sa.at, c->sb.at) ||
					    (!cmp_opt(c->sa.at, c->sb.at) &&
					     cmp_opt(c->sa.by, c->sb.by) >= 0);
				const dlg_node *src = use_a ? va : vb;
				const char *at = use_a ? c->sa.at : c->sb.at;

				if (src && !strcmp(key, "updated") && at &&
				    cmp_opt(at, src->value))
					/* limited, above */
					dlg_map_set(out, key, dlg_node_new_scalar(
						DLG_SCALAR_TIMESTAMP, at));
				else if (src)
					dlg_map_set(out, key, dlg_node_dup(src));
				continue;
			}
			if (top && !base && !strcmp(key, "created") && va &&
			    vb && va->kind == DLG_NODE_SCALAR &&
			    vb->kind == DLG_NODE_SCALAR) {
				/* Both sides created the same file: an
				 * occurrence of a series, whose id both
				 * derived (core/routine.c). It was created
				 * when the first of them created it. */
				dlg_map_set(out, key, dlg_node_dup(
					strcmp(va->value, vb->value) <= 0 ? va
									  : vb));
				continue;
			}
			dlg_buf_clear(&name);
			dlg_buf_printf(&name, "%s%s%s", path, *path ? "." : "",
				       key);
			v = merge_node(c, name.ptr, dlg_map_get(base, key), va, vb,
				       dlg_schema_field(s, key));
			if (v)
				dlg_map_set(out, key, v);
		}
	}
	dlg_buf_dispose(&name);
	return out;
}

/* Returns NULL for "absent". */
static dlg_node *merge_node(mctx *c, const char *path, const dlg_node *base,
			    const dlg_node *a, const dlg_node *b,
			    const dlg_field *f)
{
	dlg_type t = f ? f->type : DLG_T_ANY;
	dlg_node *n;

	if (same(a, b))
		return a ? dlg_node_dup(a) : NULL;
	if (same(base, a))
		return b ? dlg_node_dup(b) : NULL;
	if (same(base, b))
		return a ? dlg_node_dup(a) : NULL;
	/* Changed on both sides, differently. */
	if (is_absent(a) || is_absent(b)) {
		const dlg_node *kept = a ? a : b;

		record(c, path, "deleted", kept, a ? &c->sa : &c->sb, NULL,
		       a ? &c->sb : &c->sa);
		return dlg_node_dup(kept);
	}
	if (a->kind == DLG_NODE_MAP && b->kind == DLG_NODE_MAP &&
	    (!base || base->kind == DLG_NODE_MAP || is_null(base)))
		return merge_map(c, path, base, a, b,
				 t == DLG_T_MAP ? f->sub : NULL, 0);
	if (t == DLG_T_SET && is_scalar_list(a) &&
	    is_scalar_list(b) && (!base || is_scalar_list(base) || is_null(base)))
		return merge_set(base, a, b);
	if ((t == DLG_T_KEYED || (t == DLG_T_ANY && a->kind == DLG_NODE_SEQ &&
				  b->kind == DLG_NODE_SEQ)) &&
	    keyed(a) && keyed(b) && keyed(base) &&
	    (a->count || b->count))
		return merge_keyed(c, path, base, a, b, f);
	if (t == DLG_T_LIST && (n = merge_lines(c, base, a, b)))
		return n;
	if ((t == DLG_T_TEXT || t == DLG_T_ANY) && (n = merge_text(c, base, a, b)))
		return n;
	return conflict(c, path, a, b);
}

static int cmp_record(const void *x, const void *y)
{
	return strcmp(item_id(*(dlg_node *const *)x),
		      item_id(*(dlg_node *const *)y));
}

int dlg_merge_doc(dlg_node **out, size_t *nconflicts, const dlg_node *base,
		  const dlg_node *a, const dlg_node *b, const dlg_schema *schema,
		  const dlg_merge_options *opts)
{
	mctx c;
	dlg_node *doc, *conflicts;
	const dlg_field *cf = dlg_schema_field(schema, "conflicts");
	dlg_diags diags = DLG_DIAGS_INIT;
	size_t i;
	int error;

	memset(&c, 0, sizeof(c));
	c.sa.at = dlg_map_get_str(a, "updated");
	c.sa.by = dlg_map_get_str(a, "updated_by");
	c.sb.at = dlg_map_get_str(b, "updated");
	c.sb.by = dlg_map_get_str(b, "updated_by");
	/* A stamp from the future wins nothing (SPEC 7). */
	if (opts && opts->latest_a && c.sa.at && later_time(c.sa.at,
							    opts->latest_a))
		c.sa.at = opts->latest_a;
	if (opts && opts->latest_b && c.sb.at && later_time(c.sb.at,
							    opts->latest_b))
		c.sb.at = opts->latest_b;
	c.opts = opts;
	c.records = dlg_node_new_seq();
	doc = merge_map(&c, "", base, a, b, schema, 1);
	/* Conflicts already recorded merge like any keyed list; the new ones
	 * follow, ordered by their ids, once each. */
	conflicts = merge_keyed(&c, "conflicts", dlg_map_get(base, "conflicts"),
				dlg_map_get(a, "conflicts"),
				dlg_map_get(b, "conflicts"), cf);
	if (nconflicts)
		*nconflicts = 0;
	if (c.records->count > 1)
		qsort(c.records->items, c.records->count,
		      sizeof(*c.records->items), cmp_record);
	for (i = 0; i < c.records->count; i++) {
		if (dlg_seq_find_id(conflicts, item_id(c.records->items[i])))
			continue;
		dlg_seq_push(conflicts, c.records->items[i]);
		c.records->items[i] = NULL;
		if (nconflicts)
			(*nconflicts)++;
	}
	for (i = 0; i < c.records->count; i++)
		dlg_node_free(c.records->items[i]);
	c.records->count = 0;
	dlg_node_free(c.records);
	if (conflicts->count && cf)
		dlg_map_set(doc, "conflicts", conflicts);
	else
		dlg_node_free(conflicts);
	/* The stamps follow the status that won: a task back in work is not
	 * closed, whichever side had closed it. */
	if (schema == &dlg_schema_task && dlg_map_get_str(doc, "status") &&
	    dlg_task_is_open(doc) && dlg_map_get_str(doc, "closed"))
		dlg_map_set_null(doc, "closed");
	if ((error = dlg_schema_validate(doc, schema, "merge", &diags)) < 0) {
		dlg_buf msg = DLG_BUF_INIT;

		dlg_diags_format(&msg, &diags);
		dlg_error_set("the merged %s does not validate: %s",
			      schema->name, msg.ptr);
		dlg_buf_dispose(&msg);
		dlg_node_free(doc);
		doc = NULL;
	}
	dlg_diags_dispose(&diags);
	*out = doc;
	return error;
}

/* Walk "a.b[id].c": the parent container and last key of a path. */
static int path_parent(dlg_node **parent, char **last, int *is_item,
		       dlg_node *doc, const char *path)
{
	char *p = dlg_strdup(path), *seg = p, *next;
	dlg_node *cur = doc;

	*parent = NULL;
	*last = NULL;
	for (;;) {
		char *br = NULL;
		size_t n = strcspn(seg, ".[");

		next = seg + n;
		if (*next == '[') {
			br = strchr(next, ']');
			if (!br)
				break;
		}
		if (!*next || (*next == '[' && !br[1])) {
			/* the last segment */
			if (*next == '[') {
				*next = '\0';
				cur = dlg_map_get(cur, seg);
				*br = '\0';
				*parent = cur;
				*last = dlg_strdup(next + 1);
				*is_item = 1;
			} else {
				*parent = cur;
				*last = dlg_strdup(seg);
				*is_item = 0;
			}
			break;
		}
		if (*next == '[') {
			*next = '\0';
			*br = '\0';
			cur = dlg_seq_find_id(dlg_map_get(cur, seg), next + 1);
			seg = br + 1;
			if (*seg == '.')
				seg++;
		} else {
			*next = '\0';
			cur = dlg_map_get(cur, seg);
			seg = next + 1;
		}
		if (!cur)
			break;
	}
	free(p);
	return *parent ? 0 : DLG_ENOTFOUND;
}

const dlg_node *dlg_doc_get_path(const dlg_node *doc, const char *path)
{
	dlg_node *parent;
	char *last;
	int item;
	const dlg_node *n = NULL;

	if (path_parent(&parent, &last, &item, (dlg_node *)doc, path) < 0)
		return NULL;
	n = item ? dlg_seq_find_id(parent, last) : dlg_map_get(parent, last);
	free(last);
	return n;
}

int dlg_doc_set_path(dlg_node *doc, const char *path, dlg_node *value)
{
	dlg_node *parent;
	char *last;
	int item;
	size_t i;

	if (path_parent(&parent, &last, &item, doc, path) < 0) {
		dlg_error_set("no field '%s' in this document", path);
		dlg_node_free(value);
		return DLG_ENOTFOUND;
	}
	if (!item) {
		if (value)
			dlg_map_set(parent, last, value);
		else
			dlg_map_remove(parent, last);
	} else if (parent && parent->kind == DLG_NODE_SEQ) {
		for (i = 0; i < parent->count; i++)
			if (!strcmp(item_id(parent->items[i]) ?
				    item_id(parent->items[i]) : "", last))
				break;
		if (i < parent->count && value) {
			/* in place: the item keeps its position */
			dlg_node_free(parent->items[i]);
			parent->items[i] = value;
		} else if (i < parent->count) {
			dlg_seq_remove(parent, i);
		} else if (value) {
			dlg_seq_push(parent, value);
		}
	} else {
		dlg_node_free(value);
		free(last);
		dlg_error_set("no list for '%s' in this document", path);
		return DLG_ENOTFOUND;
	}
	free(last);
	return 0;
}
