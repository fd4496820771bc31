/* The YAML tree: nodes, YAML 1.1 scalar resolution, and the reader. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core_internal.h"

#define MAX_DEPTH 64

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

static dlg_node *node_new(dlg_node_kind kind)
{
	dlg_node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->type = DLG_SCALAR_STR;
	return n;
}

dlg_node *dlg_node_new_map(void)
{
	return node_new(DLG_NODE_MAP);
}

dlg_node *dlg_node_new_seq(void)
{
	return node_new(DLG_NODE_SEQ);
}

dlg_node *dlg_node_new_scalar(dlg_scalar_type type, const char *value)
{
	dlg_node *n = node_new(DLG_NODE_SCALAR);

	n->type = type;
	n->value = dlg_strdup(value ? value : "");
	return n;
}

dlg_node *dlg__node_scalar_take(dlg_scalar_type type, char *value)
{
	dlg_node *n = node_new(DLG_NODE_SCALAR);

	n->type = type;
	n->value = value;
	return n;
}

dlg_node *dlg_node_new_str(const char *value)
{
	return dlg_node_new_scalar(DLG_SCALAR_STR, value);
}

dlg_node *dlg_node_new_null(void)
{
	return dlg_node_new_scalar(DLG_SCALAR_NULL, "null");
}

/* A frozen tree's nodes are read-only (core_internal.h). */
static void thawed(const dlg_node *n)
{
	if (n->alloc >= DLG__FROZEN)
		abort();
}

void dlg_node_free(dlg_node *n)
{
	size_t i;

	if (!n)
		return;
	if (n->alloc >= DLG__FROZEN) {
		if (n->alloc == DLG__FROZEN_ROOT)
			free(n); /* the whole tree's allocation */
		return;
	}
	for (i = 0; i < n->count; i++) {
		if (n->keys)
			free(n->keys[i]);
		dlg_node_free(n->items[i]);
	}
	free(n->keys);
	free(n->items);
	free(n->value);
	free(n);
}

static void node_reserve(dlg_node *n)
{
	thawed(n);
	if (n->count < n->alloc)
		return;
	n->alloc = n->alloc ? n->alloc * 2 : 4;
	n->items = realloc(n->items, n->alloc * sizeof(*n->items));
	if (n->kind == DLG_NODE_MAP)
		n->keys = realloc(n->keys, n->alloc * sizeof(*n->keys));
	if (!n->items || (n->kind == DLG_NODE_MAP && !n->keys))
		abort();
}

dlg_node *dlg_node_dup(const dlg_node *n)
{
	dlg_node *c;
	size_t i;

	if (!n)
		return NULL;
	c = node_new(n->kind);
	c->type = n->type;
	c->value = n->value ? dlg_strdup(n->value) : NULL;
	c->line = n->line;
	c->column = n->column;
	for (i = 0; i < n->count; i++) {
		node_reserve(c);
		if (n->kind == DLG_NODE_MAP)
			c->keys[i] = dlg_strdup(n->keys[i]);
		c->items[i] = dlg_node_dup(n->items[i]);
		c->count++;
	}
	return c;
}

int dlg_node_equal(const dlg_node *a, const dlg_node *b)
{
	size_t i;

	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->count != b->count)
		return 0;
	if (a->kind == DLG_NODE_SCALAR)
		return a->type == b->type && !strcmp(a->value, b->value);
	for (i = 0; i < a->count; i++) {
		if (a->kind == DLG_NODE_MAP) {
			if (!dlg_node_equal(a->items[i],
					    dlg_map_get(b, a->keys[i])))
				return 0;
		} else if (!dlg_node_equal(a->items[i], b->items[i])) {
			return 0;
		}
	}
	return 1;
}

int dlg__node_same(const dlg_node *a, const dlg_node *b)
{
	size_t i;

	if (a->kind != b->kind || a->type != b->type || a->count != b->count ||
	    a->line != b->line || a->column != b->column)
		return 0;
	if (a->kind == DLG_NODE_SCALAR)
		return !strcmp(a->value, b->value);
	for (i = 0; i < a->count; i++)
		if ((a->kind == DLG_NODE_MAP && strcmp(a->keys[i], b->keys[i])) ||
		    !dlg__node_same(a->items[i], b->items[i]))
			return 0;
	return 1;
}

static long map_index(const dlg_node *map, const char *key)
{
	size_t i;

	if (!map || map->kind != DLG_NODE_MAP)
		return -1;
	/* the first byte before the call: a task's map has some 30 keys,
	 * and the reports look several up in each of 100,000 tasks */
	for (i = 0; i < map->count; i++)
		if (map->keys[i][0] == key[0] && !strcmp(map->keys[i], key))
			return (long)i;
	return -1;
}

dlg_node *dlg_map_get(const dlg_node *map, const char *key)
{
	long i = map_index(map, key);

	return i < 0 ? NULL : map->items[i];
}

const char *dlg_map_get_str(const dlg_node *map, const char *key)
{
	dlg_node *n = dlg_map_get(map, key);

	if (!n || n->kind != DLG_NODE_SCALAR || n->type == DLG_SCALAR_NULL)
		return NULL;
	return n->value;
}

void dlg_map_set(dlg_node *map, const char *key, dlg_node *value)
{
	long i = map_index(map, key);

	thawed(map);
	if (i >= 0) {
		dlg_node_free(map->items[i]);
		map->items[i] = value;
		return;
	}
	node_reserve(map);
	map->keys[map->count] = dlg_strdup(key);
	map->items[map->count++] = value;
}

void dlg_map_set_str(dlg_node *map, const char *key, const char *value)
{
	dlg_map_set(map, key, value ? dlg_node_new_str(value)
				    : dlg_node_new_null());
}

void dlg_map_set_null(dlg_node *map, const char *key)
{
	dlg_map_set(map, key, dlg_node_new_null());
}

void dlg_map_remove(dlg_node *map, const char *key)
{
	long i = map_index(map, key);

	thawed(map);
	if (i < 0)
		return;
	free(map->keys[i]);
	dlg_node_free(map->items[i]);
	memmove(&map->keys[i], &map->keys[i + 1],
		(map->count - (size_t)i - 1) * sizeof(*map->keys));
	memmove(&map->items[i], &map->items[i + 1],
		(map->count - (size_t)i - 1) * sizeof(*map->items));
	map->count--;
}

void dlg_seq_push(dlg_node *seq, dlg_node *item)
{
	node_reserve(seq);
	seq->items[seq->count++] = item;
}

void dlg_seq_remove(dlg_node *seq, size_t index)
{
	thawed(seq);
	if (index >= seq->count)
		return;
	dlg_node_free(seq->items[index]);
	memmove(&seq->items[index], &seq->items[index + 1],
		(seq->count - index - 1) * sizeof(*seq->items));
	seq->count--;
}

dlg_node *dlg_seq_find_id(const dlg_node *seq, const char *id)
{
	size_t i;

	if (!seq || seq->kind != DLG_NODE_SEQ)
		return NULL;
	for (i = 0; i < seq->count; i++) {
		const char *v = dlg_map_get_str(seq->items[i], "id");

		if (v && !strcmp(v, id))
			return seq->items[i];
	}
	return NULL;
}

/*
 * The implicit resolvers of YAML 1.1, as PyYAML has them, so that what we
 * write as a string is read as a string by every other YAML reader.
 */
static const struct {
	dlg_scalar_type type;
	const char *re;
} resolvers[] = {
	{ DLG_SCALAR_BOOL, "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|"
			   "FALSE|on|On|ON|off|Off|OFF)$" },
	{ DLG_SCALAR_INT, "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)"
			  "|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$" },
	{ DLG_SCALAR_FLOAT, "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?"
			    "|\\.[0-9_]+([eE][-+][0-9]+)?"
			    "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*"
			    "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$" },
	{ DLG_SCALAR_NULL, "^(~|null|Null|NULL|)$" },
	{ DLG_SCALAR_TIMESTAMP,
	  "^([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}"
	  "([Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(\\.[0-9]*)?"
	  "([ \t]*(Z|[-+][0-9]{1,2}(:[0-9]{2})?))?)$" },
	/* not resolved by PyYAML, but by other YAML 1.1 readers: quote them */
	{ DLG_SCALAR_STR, "^(<<|=|y|Y|n|N)$" },
};

#define NRESOLVERS (sizeof(resolvers) / sizeof(resolvers[0]))
static regex_t compiled[NRESOLVERS];
static int compiled_ok;

static void resolvers_compile(void)
{
	size_t i;

	if (compiled_ok)
		return;
	for (i = 0; i < NRESOLVERS; i++)
		if (regcomp(&compiled[i], resolvers[i].re,
			    REG_EXTENDED | REG_NOSUB))
			abort();
	compiled_ok = 1;
}

dlg_scalar_type dlg_yaml_resolve(const char *value)
{
	size_t i;

	resolvers_compile();
	for (i = 0; i + 1 < NRESOLVERS; i++)
		if (!regexec(&compiled[i], value, 0, NULL, 0))
			return resolvers[i].type;
	return DLG_SCALAR_STR;
}

/* Whether a string, written plain, would read back as something else. */
int dlg_yaml__needs_quotes(const char *value)
{
	resolvers_compile();
	return dlg_yaml_resolve(value) != DLG_SCALAR_STR ||
	       !regexec(&compiled[NRESOLVERS - 1], value, 0, NULL, 0);
}

int dlg_yaml__bool_true(const char *v)
{
	return strchr("yYtT", v[0]) ||
	       ((v[0] == 'o' || v[0] == 'O') && (v[1] == 'n' || v[1] == 'N'));
}

static int tag_type(dlg_scalar_type *out, const char *tag)
{
	static const struct {
		const char *tag;
		dlg_scalar_type type;
	} tags[] = {
		{ YAML_STR_TAG, DLG_SCALAR_STR },
		{ YAML_INT_TAG, DLG_SCALAR_INT },
		{ YAML_FLOAT_TAG, DLG_SCALAR_FLOAT },
		{ YAML_BOOL_TAG, DLG_SCALAR_BOOL },
		{ YAML_NULL_TAG, DLG_SCALAR_NULL },
		{ YAML_TIMESTAMP_TAG, DLG_SCALAR_TIMESTAMP },
	};
	size_t i;

	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!strcmp(tag, tags[i].tag)) {
			*out = tags[i].type;
			return 0;
		}
	return -1;
}

/* Check UTF-8 and NUL bytes ourselves, to name the line and column. */
static int check_text(const char *data, size_t len, const char *path,
		      dlg_diags *diags)
{
	size_t i = 0;
	int line = 1, col = 1;

	while (i < len) {
		unsigned char c = (unsigned char)data[i];
		size_t n = 0, k;

		if (c == 0) {
			dlg_diags_add(diags, path, line, col,
				      "NUL byte in file (expected YAML text)");
			return -1;
		}
		if (c < 0x80)
			n = 1;
		else if ((c & 0xe0) == 0xc0 && c >= 0xc2)
			n = 2;
		else if ((c & 0xf0) == 0xe0)
			n = 3;
		else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
			n = 4;
		if (!n || i + n > len)
			goto bad;
		for (k = 1; k < n; k++)
			if (((unsigned char)data[i + k] & 0xc0) != 0x80)
				goto bad;
		if (n == 3) {
			unsigned c1 = (unsigned char)data[i + 1];

			if ((c == 0xe0 && c1 < 0xa0) ||
			    (c == 0xed && c1 >= 0xa0))
				goto bad;
		} else if (n == 4) {
			unsigned c1 = (unsigned char)data[i + 1];

			if ((c == 0xf0 && c1 < 0x90) ||
			    (c == 0xf4 && c1 >= 0x90))
				goto bad;
		}
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += n;
	}
	return 0;
bad:
	dlg_diags_add(diags, path, line, col,
		      "invalid UTF-8 byte 0x%02x (expected UTF-8 text)",
		      (unsigned char)data[i]);
	return -1;
}

typedef struct {
	yaml_parser_t parser;
	const char *path;
	dlg_diags *diags;
} reader;

static void parser_error(reader *r)
{
	yaml_parser_t *p = &r->parser;
	const yaml_mark_t *m = &p->problem_mark;

	if (p->context)
		dlg_diags_add(r->diags, r->path, (int)m->line + 1,
			      (int)m->column + 1,
			      "malformed YAML: %s (%s that starts at %d:%d)",
			      p->problem ? p->problem : "error", p->context,
			      (int)p->context_mark.line + 1,
			      (int)p->context_mark.column + 1);
	else
		dlg_diags_add(r->diags, r->path, (int)m->line + 1,
			      (int)m->column + 1, "malformed YAML: %s",
			      p->problem ? p->problem : "error");
}

static int next_event(reader *r, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&r->parser, ev)) {
		parser_error(r);
		return -1;
	}
	return 0;
}

static int read_node(dlg_node **out, reader *r, yaml_event_t *ev, int depth);

static int read_children(dlg_node *n, reader *r, int depth)
{
	yaml_event_t ev;
	yaml_event_type_t end = n->kind == DLG_NODE_MAP ? YAML_MAPPING_END_EVENT
							: YAML_SEQUENCE_END_EVENT;

	for (;;) {
		dlg_node *key = NULL, *value = NULL;

		if (next_event(r, &ev) < 0)
			return -1;
		if (ev.type == end) {
			yaml_event_delete(&ev);
			return 0;
		}
		if (read_node(n->kind == DLG_NODE_MAP ? &key : &value, r, &ev,
			      depth + 1) < 0)
			return -1;
		if (n->kind == DLG_NODE_SEQ) {
			dlg_seq_push(n, value);
			continue;
		}
		if (key->kind != DLG_NODE_SCALAR) {
			dlg_diags_add(r->diags, r->path, key->line, key->column,
				      "a key must be a plain value (expected "
				      "a name)");
			dlg_node_free(key);
			return -1;
		}
		if (dlg_map_get(n, key->value)) {
			dlg_diags_add(r->diags, r->path, key->line, key->column,
				      "duplicate key '%s' (expected each key "
				      "once)", key->value);
			dlg_node_free(key);
			return -1;
		}
		if (next_event(r, &ev) < 0 ||
		    read_node(&value, r, &ev, depth + 1) < 0) {
			dlg_node_free(key);
			return -1;
		}
		dlg_map_set(n, key->value, value);
		dlg_node_free(key);
	}
}

/* A scalar's node, typed by its tag or, plain, by its value; -1 (with a
 * diagnostic) when it holds a NUL or its tag is not a standard one it
 * satisfies. */
static int read_scalar(dlg_node **out, reader *r, const yaml_event_t *ev,
		       int line, int col)
{
	const char *tag = (const char *)ev->data.scalar.tag;
	const char *v = (const char *)ev->data.scalar.value;
	dlg_scalar_type type;

	if (strlen(v) != ev->data.scalar.length) {
		dlg_diags_add(r->diags, r->path, line, col,
			      "NUL character in value (expected text)");
		return -1;
	}
	if (tag && strcmp(tag, "!")) {
		dlg_scalar_type plain = dlg_yaml_resolve(v);

		if (tag_type(&type, tag) < 0) {
			dlg_diags_add(r->diags, r->path, line, col,
				      "unsupported tag '%s' (expected "
				      "a standard tag like !!str)",
				      tag);
			return -1;
		}
		/* A tag names the type of what is there; it does not
		 * make an empty value a number (which would not read
		 * back the same once written). */
		if (type != DLG_SCALAR_STR && type != plain &&
		    !(type == DLG_SCALAR_FLOAT &&
		      plain == DLG_SCALAR_INT)) {
			dlg_diags_add(r->diags, r->path, line, col,
				      "'%s' is not what its tag '!!%s' "
				      "says (expected a value of that "
				      "type)", v,
				      tag + strlen("tag:yaml.org,2002:"));
			return -1;
		}
	} else if (ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		   !tag) {
		type = dlg_yaml_resolve(v);
	} else {
		type = DLG_SCALAR_STR;
	}
	*out = dlg_node_new_scalar(type, v);
	return 0;
}

/* Builds a node from an event it owns (and deletes). */
static int read_node(dlg_node **out, reader *r, yaml_event_t *ev, int depth)
{
	dlg_node *n = NULL;
	int line = (int)ev->start_mark.line + 1;
	int col = (int)ev->start_mark.column + 1;
	int error = 0;

	*out = NULL;
	if (depth > MAX_DEPTH) {
		dlg_diags_add(r->diags, r->path, line, col,
			      "nesting deeper than %d levels (expected a "
			      "delegit file)", MAX_DEPTH);
		yaml_event_delete(ev);
		return -1;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		dlg_diags_add(r->diags, r->path, line, col,
			      "alias '*%s' is not supported (expected the "
			      "value written out)",
			      (const char *)ev->data.alias.anchor);
		error = -1;
		break;
	case YAML_SCALAR_EVENT:
		error = read_scalar(&n, r, ev, line, col);
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		const char *tag = ev->type == YAML_SEQUENCE_START_EVENT
			? (const char *)ev->data.sequence_start.tag
			: (const char *)ev->data.mapping_start.tag;
		const char *want = ev->type == YAML_SEQUENCE_START_EVENT
			? YAML_SEQ_TAG : YAML_MAP_TAG;

		if (tag && strcmp(tag, want) && strcmp(tag, "!")) {
			dlg_diags_add(r->diags, r->path, line, col,
				      "unsupported tag '%s' (expected a "
				      "standard tag)", tag);
			error = -1;
			break;
		}
		n = ev->type == YAML_SEQUENCE_START_EVENT ? dlg_node_new_seq()
							  : dlg_node_new_map();
		break;
	}
	default:
		dlg_diags_add(r->diags, r->path, line, col,
			      "unexpected YAML event (expected a value)");
		error = -1;
	}
	yaml_event_delete(ev);
	if (error < 0)
		return error;
	n->line = line;
	n->column = col;
	if (n->kind != DLG_NODE_SCALAR && read_children(n, r, depth) < 0) {
		dlg_node_free(n);
		return -1;
	}
	*out = n;
	return 0;
}

int dlg_yaml_parse(dlg_node **out, const char *data, size_t len,
		   const char *path, dlg_diags *diags)
{
	reader r;
	yaml_event_t ev;
	dlg_node *root = NULL;
	int error = DLG_EINVALID;

	*out = NULL;
	if (len > DLG_MAX_FILE) {
		dlg_diags_add(diags, path, 0, 0,
			      "file is %zu bytes (expected at most %d)", len,
			      DLG_MAX_FILE);
		return DLG_EINVALID;
	}
	if (check_text(data, len, path, diags) < 0)
		return DLG_EINVALID;

	memset(&r, 0, sizeof(r));
	r.path = path;
	r.diags = diags;
	if (!yaml_parser_initialize(&r.parser))
		abort();
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)data,
				     len);
	yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);

	if (next_event(&r, &ev) < 0)
		goto done;
	yaml_event_delete(&ev); /* stream start */
	if (next_event(&r, &ev) < 0)
		goto done;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		dlg_diags_add(diags, path, 1, 1,
			      "empty file (expected a YAML map)");
		goto done;
	}
	yaml_event_delete(&ev); /* document start */
	if (next_event(&r, &ev) < 0 || read_node(&root, &r, &ev, 0) < 0)
		goto done;
	if (next_event(&r, &ev) < 0)
		goto done;
	yaml_event_delete(&ev); /* document end */
	if (next_event(&r, &ev) < 0)
		goto done;
	if (ev.type != YAML_STREAM_END_EVENT) {
		dlg_diags_add(diags, path, (int)ev.start_mark.line + 1,
			      (int)ev.start_mark.column + 1,
			      "a second YAML document (expected one)");
		yaml_event_delete(&ev);
		goto done;
	}
	yaml_event_delete(&ev);
	if (root->kind != DLG_NODE_MAP) {
		dlg_diags_add(diags, path, root->line, root->column,
			      "the file holds a %s (expected a map of "
			      "fields)",
			      root->kind == DLG_NODE_SEQ ? "list" : "value");
		goto done;
	}
	*out = root;
	root = NULL;
	error = 0;
done:
	dlg_node_free(root);
	yaml_parser_delete(&r.parser);
	return error;
}
