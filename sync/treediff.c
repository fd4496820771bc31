/*
 * What changed between two trees, going down only into subtrees whose ids
 * differ. libgit2's git_diff_tree_to_tree reads every subtree of both
 * sides, even identical ones: in a repository of 100,000 tasks in 256
 * shards that is some 100 ms for a commit that changed one file. Here such
 * a commit reads three small trees a side.
 */
#define _GNU_SOURCE /* qsort_r: the found paths' names go to the comparison */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sync_internal.h"

git_tree *dlg_sync__tree_get(dlg_trees *m, const git_oid *id)
{
	git_tree *t = NULL;
	unsigned i;

	for (i = 0; i < DLG_TREES_MEMO; i++)
		if (m->tree[i] && git_oid_equal(git_tree_id(m->tree[i]), id))
			return m->tree[i];
	if (git_tree_lookup(&t, m->git, id) < 0)
		return NULL;
	git_tree_free(m->tree[m->next]);
	m->tree[m->next] = t;
	m->next = (m->next + 1) % DLG_TREES_MEMO;
	return t;
}

void dlg_sync__trees_dispose(dlg_trees *m)
{
	unsigned i;

	for (i = 0; i < DLG_TREES_MEMO; i++)
		git_tree_free(m->tree[i]);
	memset(m->tree, 0, sizeof(m->tree));
}

typedef struct walk walk;
struct walk {
	dlg_trees *trees;
	dlg_buf prefix; /* the folder being compared, ending in '/' or "" */
	dlg_tree_change_cb cb;
	void *payload;
	dlg_buf *strict; /* each tree read on b's side checked (well_formed),
			  * the folder of the first that fails put here */
	/* Set: one folder at a time (changed_paths_many): a subfolder that
	 * differs is handed to defer (prefix: its path and '/'; eb NULL:
	 * only a has it), not compared; a tree out of git's order, or a file
	 * and a folder of one name, stop the comparison with IRREGULAR. */
	int (*defer)(walk *w, const git_oid *a, const git_oid *b,
		     int only_a);
	int (*in_order)(walk *w, const git_tree *t); /* with defer */
};

#define IRREGULAR 3

static int changes(walk *w, const git_oid *a, const git_oid *b);

/* An entry (either side NULL) at prefix + its name: a file is reported,
 * a folder compared entry by entry. */
static int entry(walk *w, const git_tree_entry *ea, const git_tree_entry *eb)
{
	const git_tree_entry *any = eb ? eb : ea;
	size_t keep = w->prefix.size;
	int tree_a = ea && git_tree_entry_type(ea) == GIT_OBJECT_TREE;
	int tree_b = eb && git_tree_entry_type(eb) == GIT_OBJECT_TREE;
	int error = 0;

	dlg_buf_puts(&w->prefix, git_tree_entry_name(any));
	if (w->defer && (tree_a || tree_b)) {
		dlg_buf_puts(&w->prefix, "/");
		error = (ea && !tree_a) || (eb && !tree_b)
				? IRREGULAR
				: w->defer(w, tree_a ? git_tree_entry_id(ea)
						     : NULL,
					   tree_b ? git_tree_entry_id(eb)
						  : NULL,
					   !eb);
	} else if (tree_a || tree_b) {
		dlg_buf_puts(&w->prefix, "/");
		error = changes(w, tree_a ? git_tree_entry_id(ea) : NULL,
				tree_b ? git_tree_entry_id(eb) : NULL);
		w->prefix.size--;
		w->prefix.ptr[w->prefix.size] = '\0';
		/* A file that became a folder or back changed too. */
		if (!error && ea && !tree_a)
			error = w->cb(w->prefix.ptr, ea, NULL, w->payload);
		if (!error && eb && !tree_b)
			error = w->cb(w->prefix.ptr, NULL, eb, w->payload);
	} else {
		error = w->cb(w->prefix.ptr, ea, eb, w->payload);
	}
	w->prefix.size = keep;
	w->prefix.ptr[keep] = '\0';
	return error;
}

/* Entries in git's order for a tree's entries: by name, a folder's name
 * taken as if it ended in '/' (git's base_name_compare). */
static int git_order(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
	int c = memcmp(na, nb, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = la > n ? (unsigned char)na[n]
		    : git_tree_entry_type(a) == GIT_OBJECT_TREE ? '/' : '\0';
	cb = lb > n ? (unsigned char)nb[n]
		    : git_tree_entry_type(b) == GIT_OBJECT_TREE ? '/' : '\0';
	return ca - cb;
}

/*
 * The entry of t named as e, for each e of a tree in turn. Both trees are
 * in git's order, so one walk through t (at *j) finds most; an entry of
 * the same name but the other type (a file that became a folder, which
 * sorts elsewhere) is looked up by name (libgit2 searches by halves), and
 * in a tree out of that order (a hand-made object: git fsck's
 * treeNotSorted), where a search by halves misses, by reading them all
 * (*sorted: -1 until known), so that a change is never taken for a file
 * removed and another added, nor a file kept for one removed.
 */
static int in_order(const git_tree *t)
{
	size_t i, n = git_tree_entrycount(t);

	for (i = 1; i < n; i++)
		if (git_order(git_tree_entry_byindex(t, i - 1),
			      git_tree_entry_byindex(t, i)) >= 0)
			return 0;
	return 1;
}

static const git_tree_entry *same_name(const git_tree *t, size_t *j,
				       const git_tree_entry *e, int *sorted)
{
	size_t n = git_tree_entrycount(t), i;
	const git_tree_entry *found;
	const char *name = git_tree_entry_name(e);
	int c = 1;

	while (*j < n &&
	       (c = git_order(git_tree_entry_byindex(t, *j), e)) < 0)
		(*j)++;
	if (*j < n && c == 0)
		return git_tree_entry_byindex(t, (*j)++);
	if ((found = git_tree_entry_byname(t, name)))
		return found;
	if (*sorted < 0)
		*sorted = in_order(t);
	for (i = 0; !*sorted && i < n; i++)
		if (!strcmp(git_tree_entry_name(git_tree_entry_byindex(t, i)),
			    name))
			return git_tree_entry_byindex(t, i);
	return NULL;
}

/*
 * A tree a checkout can take: each name not empty, without '/', not "."
 * or "..", not ".git" in any case, and no name twice, whatever the
 * entries' types (a link and a folder of one name sort apart: "evil",
 * "evil-1", "evil/"), as git's fsck asks. libgit2 reads any tree; its
 * checkout of one naming a folder twice, or through a '/', wrote through
 * a link a member had pushed before, out of the work tree. Entries out of
 * git's order (treeNotSorted) are read as they are (same_name).
 */
static int well_formed(const git_tree *t)
{
	size_t i, n = git_tree_entrycount(t);
	const char **names = calloc(n + 1, sizeof(*names));
	int ok = 1;

	if (!names)
		abort();
	for (i = 0; i < n && ok; i++) {
		const char *name = git_tree_entry_name(
			git_tree_entry_byindex(t, i));

		names[i] = name;
		ok = *name && !strchr(name, '/') && strcmp(name, ".") &&
		     strcmp(name, "..") && strcasecmp(name, ".git");
	}
	if (ok) {
		qsort(names, n, sizeof(*names), dlg_strp_cmp);
		for (i = 1; i < n && ok; i++)
			ok = strcmp(names[i - 1], names[i]) != 0;
	}
	free(names);
	return ok;
}

/* Most entries of two versions of a tree are the same, at the same
 * place: where the other tree's entry at j is the same name, type and id,
 * same_name would find it there. */
static int same_entry(const git_tree_entry *at_j, const git_tree_entry *e)
{
	return at_j && git_oid_equal(git_tree_entry_id(at_j),
				     git_tree_entry_id(e)) &&
	       git_tree_entry_filemode(at_j) == git_tree_entry_filemode(e) &&
	       !strcmp(git_tree_entry_name(at_j), git_tree_entry_name(e));
}

/* Trees a and b (either may be absent) at w->prefix: b's entries in
 * order (changed or added), then those only a has (removed). */
static int changes(walk *w, const git_oid *a, const git_oid *b)
{
	git_tree *ta = NULL, *tb = NULL;
	size_t i, j = 0, matched = 0;
	int error = 0, sorted_a = -1, sorted_b = -1, ta_done = 0;

	if (a && b && git_oid_equal(a, b))
		return 0;
	/* (dup: the memo may let go of a tree while we are below it) */
	if ((a && (!(ta = dlg_sync__tree_get(w->trees, a)) ||
		   git_tree_dup(&ta, ta) < 0)) ||
	    (b && (!(tb = dlg_sync__tree_get(w->trees, b)) ||
		   git_tree_dup(&tb, tb) < 0))) {
		git_tree_free(ta);
		return -1;
	}
	if (w->defer && ((ta && !w->in_order(w, ta)) ||
			 (tb && !w->in_order(w, tb))))
		error = IRREGULAR;
	else if (w->strict && tb && !well_formed(tb)) {
		dlg_buf_puts(w->strict, w->prefix.size ? w->prefix.ptr : "/");
		error = DLG_SYNC_MALFORMED;
	}
	for (i = 0; !error && tb && i < git_tree_entrycount(tb); i++) {
		const git_tree_entry *eb = git_tree_entry_byindex(tb, i);
		const git_tree_entry *ea = ta ? git_tree_entry_byindex(ta, j)
					      : NULL;

		if (same_entry(ea, eb)) {
			j++;
			matched++;
			continue;
		}
		ea = ta ? same_name(ta, &j, eb, &sorted_a) : NULL;
		matched += ea != NULL;

		if (ea && git_oid_equal(git_tree_entry_id(ea),
					git_tree_entry_id(eb)) &&
		    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
			continue;
		error = entry(w, ea, eb);
	}
	/* Trees in git's order (defer) name an entry once: when each of a's
	 * was found, none is only a's. */
	if (w->defer && ta && matched == git_tree_entrycount(ta))
		ta_done = 1;
	for (i = 0, j = 0; !error && ta && !ta_done &&
			   i < git_tree_entrycount(ta); i++) {
		const git_tree_entry *ea = git_tree_entry_byindex(ta, i);

		if (tb && same_entry(git_tree_entry_byindex(tb, j), ea)) {
			j++;
			continue;
		}
		if (!tb || !same_name(tb, &j, ea, &sorted_b))
			error = entry(w, ea, NULL);
	}
	git_tree_free(ta);
	git_tree_free(tb);
	return error;
}

int dlg_sync__tree_changes(dlg_trees *m, const git_oid *a, const git_oid *b,
			   dlg_tree_change_cb cb, void *payload)
{
	walk w = { m, DLG_BUF_INIT, cb, payload, NULL, NULL, NULL };
	int error = changes(&w, a, b);

	dlg_buf_dispose(&w.prefix);
	return error;
}

static int no_change(const char *path, const git_tree_entry *a,
		     const git_tree_entry *b, void *payload)
{
	(void)path;
	(void)a;
	(void)b;
	(void)payload;
	return 0;
}

int dlg_sync__trees_well_formed(dlg_trees *m, const git_oid *a,
				const git_oid *b, dlg_buf *where)
{
	walk w = { m, DLG_BUF_INIT, no_change, NULL, where, NULL, NULL };
	int error = changes(&w, a, b);

	dlg_buf_dispose(&w.prefix);
	return error;
}

typedef struct {
	dlg_buf *out;
	size_t count;
} path_list;

static int add_path(const char *path, const git_tree_entry *a,
		    const git_tree_entry *b, void *payload)
{
	path_list *l = payload;

	(void)a;
	(void)b;
	dlg_buf_put(l->out, path, strlen(path) + 1);
	l->count++;
	return 0;
}

int dlg_sync__changed_paths(dlg_buf *out, size_t *count, dlg_trees *m,
			    const git_oid *a, const git_oid *b)
{
	path_list l = { out, 0 };
	int error = dlg_sync__tree_changes(m, a, b, add_path, &l);

	*count = l.count;
	return error;
}

/*
 * Many pairs at once: the history index's build, every commit against its
 * first parent. Compared commit by commit, each commit reads its own
 * version of a shard between those of 255 other shards; libgit2 keeps the
 * bases of delta chains in a cache of 16 MiB that it empties whole when
 * full, so most reads went down a chain of deltas again from its start: at
 * 100,000 tasks, 8.7 million inflations for 900,000 trees. Here the
 * comparison goes one depth of folders at a time, and at each depth one
 * folder at a time, its pairs in the order given: a shard's versions are
 * read one after the other, each the base or the delta of the next.
 *
 * What a pair's comparison finds is what dlg_sync__changed_paths finds, in
 * its order: at each depth, b's entries in git's order, then those only a
 * has (the mask's bit for that depth). A pair whose trees it could not
 * compare so (a tree out of git's order, a file and a folder of one name,
 * folders deeper than the mask) is compared alone by
 * dlg_sync__changed_paths.
 */
typedef struct {
	uint32_t pair, folder, mask; /* mask: bit d, only a has depth d */
	unsigned char has;	     /* 1: a, 2: b */
	git_oid a, b;
} pending;

typedef struct {
	uint32_t pair, mask;
	size_t at; /* in the names */
} found;

typedef struct {
	walk w;
	pending *now, *next; /* this depth's folders, the next depth's */
	size_t nnow, nnext, cap_next;
	found *found;
	size_t nfound, cap_found;
	dlg_buf names;	   /* the paths found, and the folders' paths */
	size_t *folder_at; /* each folder's path in names */
	size_t nfolders;
	uint32_t *slot;	   /* folders by path: id + 1; 0 empty */
	size_t nslots;	   /* a power of two, at least twice nfolders */
	uint32_t depth;
	const pending *item; /* being compared */
	unsigned char *irregular;
	uint32_t *open; /* each pair's folders not compared yet */
	git_oid sorted[4]; /* trees found in git's order lately */
	unsigned nsorted;
	size_t done, total;
	void (*progress)(size_t done, size_t total, void *payload);
	void *progress_payload;
} many;

static size_t folder_slot(const many *m, const char *path)
{
	uint32_t h = 2166136261u;
	const char *p;
	size_t i;

	for (p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = h & (m->nslots - 1);
	     m->slot[i] &&
	     strcmp(m->names.ptr + m->folder_at[m->slot[i] - 1], path);
	     i = (i + 1) & (m->nslots - 1))
		;
	return i;
}

static uint32_t folder_id(many *m, const char *path)
{
	size_t i;

	if (2 * (m->nfolders + 1) > m->nslots) {
		uint32_t *old = m->slot;
		size_t nold = m->nslots;

		m->nslots = nold ? 2 * nold : 64;
		m->slot = calloc(m->nslots, sizeof(*m->slot));
		if (!m->slot)
			abort();
		for (i = 0; i < nold; i++)
			if (old[i])
				m->slot[folder_slot(m, m->names.ptr +
						     m->folder_at[old[i] - 1])] =
					old[i];
		free(old);
	}
	i = folder_slot(m, path);
	if (m->slot[i])
		return m->slot[i] - 1;
	m->folder_at = realloc(m->folder_at,
			       (m->nfolders + 1) * sizeof(*m->folder_at));
	if (!m->folder_at)
		abort();
	m->folder_at[m->nfolders] = m->names.size;
	dlg_buf_put(&m->names, path, strlen(path) + 1);
	m->slot[i] = (uint32_t)++m->nfolders;
	return (uint32_t)(m->nfolders - 1);
}

/* Room in array v (cap elements of size) for one more after n. */
static void *room(void *v, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap ? 2 * *cap : 1024;
	if (!(v = realloc(v, *cap * size)))
		abort();
	return v;
}

static void push(many *m, uint32_t pair, uint32_t folder, uint32_t mask,
		 const git_oid *a, const git_oid *b)
{
	pending *p;

	m->next = room(m->next, &m->cap_next, m->nnext, sizeof(*m->next));
	p = &m->next[m->nnext++];
	memset(p, 0, sizeof(*p));
	p->pair = pair;
	p->folder = folder;
	p->mask = mask;
	p->has = (unsigned char)((a ? 1 : 0) | (b ? 2 : 0));
	if (a)
		git_oid_cpy(&p->a, a);
	if (b)
		git_oid_cpy(&p->b, b);
	m->open[pair]++;
}

static int defer_folder(walk *w, const git_oid *a, const git_oid *b,
			int only_a)
{
	many *m = (many *)w;
	uint32_t mask = m->item->mask;

	if (m->depth + 1 >= 32)
		return IRREGULAR;
	if (only_a)
		mask |= 1u << m->depth;
	push(m, m->item->pair, folder_id(m, w->prefix.ptr), mask, a, b);
	return 0;
}

/* Whether t is in git's order and each name a name git writes (not
 * empty, no '/': a path's depth is its count of '/'), for trees read
 * twice in a row (a pair's first tree is the next pair's second) checked
 * once. */
static int many_in_order(walk *w, const git_tree *t)
{
	many *m = (many *)w;
	size_t k;
	unsigned i;

	for (i = 0; i < 4; i++)
		if (git_oid_equal(&m->sorted[i], git_tree_id(t)))
			return 1;
	for (k = 0; k < git_tree_entrycount(t); k++) {
		const char *name =
			git_tree_entry_name(git_tree_entry_byindex(t, k));

		if (!*name || strchr(name, '/'))
			return 0;
	}
	if (!in_order(t))
		return 0;
	git_oid_cpy(&m->sorted[m->nsorted++ % 4], git_tree_id(t));
	return 1;
}

static void found_add(many *m, const char *path, int only_a)
{
	found *f;

	m->found = room(m->found, &m->cap_found, m->nfound, sizeof(*m->found));
	f = &m->found[m->nfound++];
	f->pair = m->item->pair;
	f->mask = m->item->mask | (only_a ? 1u << m->depth : 0);
	f->at = m->names.size;
	dlg_buf_put(&m->names, path, strlen(path) + 1);
}

static int found_path(const char *path, const git_tree_entry *a,
		      const git_tree_entry *b, void *payload)
{
	(void)a;
	found_add(payload, path, !b);
	return 0;
}

/*
 * Two versions of a folder differ in a few entries: compared as git wrote
 * them, the bytes they share at the start and at the end are skipped, and
 * only the entries between are read. A tree is read so once it is known
 * to be one git writes (tree_known: each entry's mode one of git's five,
 * its name neither empty nor holding '/', the entries in git's order, so
 * no name twice but as a file and a folder), where each entry starts kept: the second tree of a pair is
 * known from the pair before it (the same folder's next version), the
 * first learnt from the second and the entries between. Anything else,
 * or a name that one side has as a file and the other as a folder, goes
 * to changes(), libgit2's reading.
 */
typedef struct {
	const unsigned char *name, *id;
	size_t namelen, end;
	unsigned mode; /* 0100644, 0100755, 0120000, 0160000, 040000 */
} raw_entry;

static int raw_parse(const unsigned char *p, size_t len, size_t at,
		     raw_entry *e)
{
	static const struct {
		const char *text;
		unsigned mode;
	} modes[] = { { "100644 ", 0100644 }, { "100755 ", 0100755 },
		      { "40000 ", 040000 },   { "120000 ", 0120000 },
		      { "160000 ", 0160000 } };
	const unsigned char *nul;
	size_t i, k;

	for (i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		k = strlen(modes[i].text);
		if (len - at >= k && !memcmp(p + at, modes[i].text, k))
			break;
	}
	if (i == sizeof(modes) / sizeof(*modes))
		return -1;
	e->mode = modes[i].mode;
	e->name = p + at + k;
	nul = memchr(e->name, '\0', len - at - k);
	/* (libgit2 reads no name over 65,535 bytes: such a tree is left to
	 * it, to be refused as it refuses it) */
	if (!nul || nul == e->name || nul - e->name > 0xFFFF ||
	    memchr(e->name, '/', nul - e->name) ||
	    (size_t)(p + len - (nul + 1)) < GIT_OID_RAWSZ)
		return -1;
	e->namelen = (size_t)(nul - e->name);
	e->id = nul + 1;
	e->end = (size_t)(e->id + GIT_OID_RAWSZ - p);
	return 0;
}

/* git's order of two entries (a folder's name read with its '/'). */
static int raw_order(const raw_entry *a, const raw_entry *b)
{
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c = memcmp(a->name, b->name, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = a->namelen > n ? a->name[n] : a->mode == 040000 ? '/' : '\0';
	cb = b->namelen > n ? b->name[n] : b->mode == 040000 ? '/' : '\0';
	return ca - cb;
}

#define RAW_MEMO 4
typedef struct {
	git_odb_object *obj; /* NULL: an empty slot */
	const unsigned char *p;
	size_t len;
	uint32_t *at; /* n + 1 entry starts (len last); NULL: not known */
	size_t n;
	int bad;      /* not one git writes */
} raw_tree;

typedef struct {
	git_odb *odb;
	raw_tree slot[RAW_MEMO];
	unsigned next;
} raw_memo;

static void raw_drop(raw_tree *t)
{
	git_odb_object_free(t->obj);
	free(t->at);
	memset(t, 0, sizeof(*t));
}

/* The tree of this id, read or remembered; the slot keep is not reused. */
static raw_tree *raw_get(raw_memo *rm, const git_oid *id,
			 const raw_tree *keep)
{
	raw_tree *t;
	unsigned i;

	for (i = 0; i < RAW_MEMO; i++)
		if (rm->slot[i].obj &&
		    git_oid_equal(git_odb_object_id(rm->slot[i].obj), id))
			return &rm->slot[i];
	if (&rm->slot[rm->next] == keep)
		rm->next = (rm->next + 1) % RAW_MEMO;
	t = &rm->slot[rm->next];
	rm->next = (rm->next + 1) % RAW_MEMO;
	raw_drop(t);
	if (git_odb_read(&t->obj, rm->odb, id) < 0) {
		git_error_clear(); /* changes() reads it and says why */
		t->obj = NULL;
		return NULL;
	}
	t->p = git_odb_object_data(t->obj);
	t->len = git_odb_object_size(t->obj);
	t->bad = git_odb_object_type(t->obj) != GIT_OBJECT_TREE;
	return t;
}

/* Read t whole: known (each entry's start kept), or bad. */
static int tree_known(raw_tree *t)
{
	raw_entry e, prev;
	size_t at = 0, cap = 64;

	if (t->at || t->bad)
		return !t->bad;
	dlg_sync__many_stats.whole++;
	t->at = malloc(cap * sizeof(*t->at));
	if (!t->at)
		abort();
	t->n = 0;
	while (at < t->len) {
		if (raw_parse(t->p, t->len, at, &e) < 0 ||
		    (t->n && raw_order(&prev, &e) >= 0) || t->len > UINT32_MAX) {
			free(t->at);
			t->at = NULL;
			t->bad = 1;
			return 0;
		}
		if (t->n + 2 > cap) {
			cap *= 2;
			t->at = realloc(t->at, cap * sizeof(*t->at));
			if (!t->at)
				abort();
		}
		t->at[t->n++] = (uint32_t)at;
		prev = e;
		at = e.end;
	}
	t->at[t->n] = (uint32_t)t->len;
	return 1;
}

/* The entry of known tree t at index i. */
static void raw_entry_at(const raw_tree *t, size_t i, raw_entry *e)
{
	raw_parse(t->p, t->len, t->at[i], e);
}

/* x's name as the other type: a folder's as a file's, a file's as a
 * folder's (in a tree in git's order, the only other entry of that name,
 * searched by halves). */
static raw_entry other_type(const raw_entry *x)
{
	raw_entry o = *x;

	o.mode = x->mode == 040000 ? 0100644 : 040000;
	return o;
}

/* Whether entries lo..hi (in git's order) hold key: known tree t's, or
 * (t NULL) v's. */
static int raw_find(const raw_tree *t, const raw_entry *v, size_t lo,
		    size_t hi, const raw_entry *key)
{
	raw_entry e;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c;

		if (t)
			raw_entry_at(t, mid, &e);
		else
			e = v[mid];
		if (!(c = raw_order(&e, key)))
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* One entry that differs: a file found, a folder deferred. */
static int raw_change(many *m, const raw_entry *ea, const raw_entry *eb)
{
	const raw_entry *any = eb ? eb : ea;
	size_t keep = m->w.prefix.size;
	int error = 0;
	git_oid a, b;

	dlg_buf_put(&m->w.prefix, (const char *)any->name, any->namelen);
	if (any->mode == 040000) {
		if (ea)
			git_oid_fromraw(&a, ea->id);
		if (eb)
			git_oid_fromraw(&b, eb->id);
		dlg_buf_puts(&m->w.prefix, "/");
		error = defer_folder(&m->w, ea ? &a : NULL, eb ? &b : NULL,
				     !eb);
	} else {
		found_add(m, m->w.prefix.ptr, !eb);
	}
	m->w.prefix.size = keep;
	m->w.prefix.ptr[keep] = '\0';
	return error;
}

/* How many of the first (dir 1) or last (dir -1, x and y their ends) of
 * max bytes x and y share: in blocks, then byte by byte. */
static size_t shared(const unsigned char *x, const unsigned char *y,
		     size_t max, int dir)
{
	static const size_t steps[] = { 1024, 64, 8, 1 };
	size_t n = 0, i, step;

	for (i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		step = steps[i];
		while (n + step <= max &&
		       !memcmp(dir > 0 ? x + n : x - n - step,
			       dir > 0 ? y + n : y - n - step, step))
			n += step;
	}
	return n;
}

/* Trees a and b, both present, at the prefix: 0, IRREGULAR, or 1 when
 * they are not both trees git writes (then nothing is found or deferred:
 * changes() compares them). */
static int raw_changes(many *m, raw_memo *rm, const git_oid *ida,
		       const git_oid *idb)
{
	raw_tree *tb = raw_get(rm, idb, NULL), *ta;
	raw_entry *mid = NULL, e, eb, last;
	size_t pre, suf, ib, jb, na = 0, cap = 0, i, j, at, max;
	uint32_t *at_a;
	ptrdiff_t d;
	int error = 0;

	if (!tb || !tree_known(tb))
		return 1;
	if (!(ta = raw_get(rm, ida, tb)) || ta->bad || ta == tb)
		return 1;
	max = ta->len < tb->len ? ta->len : tb->len;
	pre = shared(ta->p, tb->p, max, 1);
	/* b's entries before ib lie wholly in the bytes both share */
	for (ib = 0, j = tb->n; ib < j;) {
		i = ib + (j - ib) / 2;
		if (tb->at[i + 1] <= pre)
			ib = i + 1;
		else
			j = i;
	}
	max -= tb->at[ib];
	suf = shared(ta->p + ta->len, tb->p + tb->len, max, -1);
	d = (ptrdiff_t)ta->len - (ptrdiff_t)tb->len;
	/* a's entries from there, until one ends where one of b's starts
	 * whose bytes to the end a has too */
	at = tb->at[ib];
	jb = ib;
	for (;;) {
		while (jb < tb->n && (tb->at[jb] < tb->len - suf ||
				      (ptrdiff_t)tb->at[jb] + d < (ptrdiff_t)at))
			jb++;
		if ((ptrdiff_t)tb->at[jb] + d == (ptrdiff_t)at)
			break;
		if (at >= ta->len || raw_parse(ta->p, ta->len, at, &e) < 0 ||
		    (na && raw_order(&mid[na - 1], &e) >= 0)) {
			free(mid);
			return 1;
		}
		mid = room(mid, &cap, na, sizeof(*mid));
		mid[na++] = e;
		at = e.end;
	}
	/* a is in git's order where it meets what it shares with b */
	if (na && ib > 0) {
		raw_entry_at(tb, ib - 1, &last);
		if (raw_order(&last, &mid[0]) >= 0)
			error = 1;
	}
	if (!error && na && jb < tb->n) {
		raw_entry_at(tb, jb, &last);
		if (raw_order(&mid[na - 1], &last) >= 0)
			error = 1;
	}
	/* the entries between, merged */
	for (i = 0, j = ib; !error && (i < na || j < jb);) {
		int c;

		if (j < jb)
			raw_entry_at(tb, j, &eb);
		c = i == na ? 1 : j == jb ? -1 : raw_order(&mid[i], &eb);
		if (c == 0) {
			if (mid[i].mode != eb.mode ||
			    memcmp(mid[i].id, eb.id, GIT_OID_RAWSZ))
				error = raw_change(m, &mid[i], &eb);
			i++;
			j++;
		} else if (c < 0) { /* only a: b names it as the other type? */
			raw_entry o = other_type(&mid[i]);

			error = raw_find(tb, NULL, 0, tb->n, &o)
					? IRREGULAR
					: raw_change(m, &mid[i], NULL);
			i++;
		} else { /* only b: a's entries are b's before ib, the
			  * middle's, b's from jb */
			raw_entry o = other_type(&eb);

			error = raw_find(tb, NULL, 0, ib, &o) ||
						raw_find(NULL, mid, 0, na, &o) ||
						raw_find(tb, NULL, jb, tb->n, &o)
					? IRREGULAR
					: raw_change(m, NULL, &eb);
			j++;
		}
	}
	/* a known: the next pair's second tree */
	if (!error && !ta->at && ta->len <= UINT32_MAX) {
		at_a = malloc((ib + na + (tb->n - jb) + 1) * sizeof(*at_a));
		if (!at_a)
			abort();
		memcpy(at_a, tb->at, ib * sizeof(*at_a));
		for (i = 0; i < na; i++)
			at_a[ib + i] = (uint32_t)(i ? mid[i - 1].end : tb->at[ib]);
		for (j = jb; j <= tb->n; j++)
			at_a[ib + na + (j - jb)] = (uint32_t)((ptrdiff_t)tb->at[j] + d);
		ta->at = at_a;
		ta->n = ib + na + (tb->n - jb);
	}
	free(mid);
	return error;
}

static int by_folder_then_pair(const void *x, const void *y)
{
	const pending *a = x, *b = y;

	if (a->folder != b->folder)
		return a->folder < b->folder ? -1 : 1;
	return a->pair < b->pair ? -1 : a->pair > b->pair;
}

/* The order of dlg_sync__changed_paths: where two paths part, the one
 * b has first, then git's order (a folder's name read with its '/'). */
static int by_pair_then_walk(const void *x, const void *y, void *arg)
{
	const found *a = x, *b = y;
	const char *names = arg, *pa, *pb;
	uint32_t depth = 0, bit;

	if (a->pair != b->pair)
		return a->pair < b->pair ? -1 : 1;
	pa = names + a->at;
	pb = names + b->at;
	for (; *pa && *pa == *pb; pa++, pb++)
		depth += *pa == '/';
	bit = depth < 32 ? 1u << depth : 0;
	if ((a->mask & bit) != (b->mask & bit))
		return (a->mask & bit) ? 1 : -1;
	return (unsigned char)*pa - (unsigned char)*pb;
}

static void pair_done(many *m, uint32_t pair)
{
	if (--m->open[pair] || m->irregular[pair])
		return;
	m->done++;
	if (m->progress && !(m->done % 1024))
		m->progress(m->done, m->total, m->progress_payload);
}

struct dlg_sync_many_stats dlg_sync__many_stats;

int dlg_sync__changed_paths_many(dlg_buf *out, size_t *start,
				 uint32_t *count, dlg_trees *trees,
				 const git_oid *a, const git_oid *b, size_t n,
				 void (*progress)(size_t done, size_t total,
						  void *payload),
				 void *progress_payload)
{
	many m;
	raw_memo rm;
	size_t i, f, keep_found, keep_next;
	int error = 0;

	memset(&m, 0, sizeof(m));
	memset(&rm, 0, sizeof(rm));
	memset(&dlg_sync__many_stats, 0, sizeof(dlg_sync__many_stats));
	if (n > UINT32_MAX - 1)
		return dlg_sync__error("too many commits to compare at once");
	if (git_repository_odb(&rm.odb, trees->git) < 0)
		return dlg_sync__error("cannot read the object database");
	m.w.trees = trees;
	m.w.prefix = (dlg_buf)DLG_BUF_INIT;
	m.w.cb = found_path;
	m.w.payload = &m;
	m.w.defer = defer_folder;
	m.w.in_order = many_in_order;
	m.names = (dlg_buf)DLG_BUF_INIT;
	m.irregular = calloc(n + 1, 1);
	m.open = calloc(n + 1, sizeof(*m.open));
	m.total = n;
	m.progress = progress;
	m.progress_payload = progress_payload;
	if (!m.irregular || !m.open)
		abort();
	folder_id(&m, "");
	for (i = 0; i < n; i++)
		push(&m, (uint32_t)i, 0, 0, git_oid_is_zero(&a[i]) ? NULL : &a[i],
		     &b[i]);
	while (!error && m.nnext) {
		free(m.now);
		m.now = m.next;
		m.nnow = m.nnext;
		m.next = NULL;
		m.nnext = m.cap_next = 0;
		qsort(m.now, m.nnow, sizeof(*m.now), by_folder_then_pair);
		for (i = 0; !error && i < m.nnow; i++) {
			m.item = &m.now[i];
			if (m.irregular[m.item->pair]) {
				m.open[m.item->pair]--;
				continue;
			}
			dlg_buf_clear(&m.w.prefix);
			dlg_buf_puts(&m.w.prefix,
				     m.names.ptr + m.folder_at[m.item->folder]);
			keep_found = m.nfound;
			keep_next = m.nnext;
			error = m.item->has == 3 ? raw_changes(&m, &rm, &m.item->a,
							       &m.item->b)
						 : 1;
			if (!error)
				dlg_sync__many_stats.raw++;
			else if (error == 1)
				dlg_sync__many_stats.libgit2++;
			if (error == 1) { /* libgit2 reads it */
				m.nfound = keep_found;
				while (m.nnext > keep_next)
					m.open[m.next[--m.nnext].pair]--;
				error = changes(&m.w,
						m.item->has & 1 ? &m.item->a
								: NULL,
						m.item->has & 2 ? &m.item->b
								: NULL);
			}
			if (error == IRREGULAR) {
				m.irregular[m.item->pair] = 1;
				error = 0;
			}
			pair_done(&m, m.item->pair);
		}
		m.depth++;
	}
	/* Each pair's paths in the order of a comparison of the pair alone
	 * (an irregular pair's found so far left out: they may not sort). */
	for (i = 0, f = 0; i < m.nfound; i++)
		if (!m.irregular[m.found[i].pair])
			m.found[f++] = m.found[i];
	m.nfound = f;
	if (!error && m.nfound)
		qsort_r(m.found, m.nfound, sizeof(*m.found), by_pair_then_walk,
			m.names.ptr);
	for (i = 0, f = 0; !error && i < n; i++) {
		start[i] = out->size;
		count[i] = 0;
		for (; f < m.nfound && m.found[f].pair == i; f++) {
			const char *p = m.names.ptr + m.found[f].at;

			dlg_buf_put(out, p, strlen(p) + 1);
			count[i]++;
		}
		if (m.irregular[i]) {
			size_t c = 0;

			dlg_sync__many_stats.alone++;
			error = dlg_sync__changed_paths(
				out, &c, trees,
				git_oid_is_zero(&a[i]) ? NULL : &a[i], &b[i]);
			count[i] = (uint32_t)c;
		}
	}
	start[n] = out->size;
	for (i = 0; i < RAW_MEMO; i++)
		raw_drop(&rm.slot[i]);
	git_odb_free(rm.odb);
	free(m.now);
	free(m.next);
	free(m.found);
	free(m.folder_at);
	free(m.slot);
	free(m.irregular);
	free(m.open);
	dlg_buf_dispose(&m.names);
	dlg_buf_dispose(&m.w.prefix);
	return error < 0 ? -1 : error;
}
