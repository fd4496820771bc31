/*
 * What changed between two trees, going down only into subtrees whose ids
 * differ. libgit2's git_diff_tree_to_tree reads every subtree of both
 * sides, even identical ones: in a repository of 100,000 tasks in 256
 * shards that is some 100 ms for a commit that changed one file. Here such
 * a commit reads three small trees a side.
 */
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

typedef struct {
	dlg_trees *trees;
	dlg_buf prefix; /* the folder being compared, ending in '/' or "" */
	dlg_tree_change_cb cb;
	void *payload;
	dlg_buf *strict; /* each tree read on b's side checked (well_formed),
			  * the folder of the first that fails put here */
} walk;

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
	if (tree_a || tree_b) {
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

/* Trees a and b (either may be absent) at w->prefix: b's entries in
 * order (changed or added), then those only a has (removed). */
static int changes(walk *w, const git_oid *a, const git_oid *b)
{
	git_tree *ta = NULL, *tb = NULL;
	size_t i, j = 0;
	int error = 0, sorted_a = -1, sorted_b = -1;

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
	if (w->strict && tb && !well_formed(tb)) {
		dlg_buf_puts(w->strict, w->prefix.size ? w->prefix.ptr : "/");
		error = DLG_SYNC_MALFORMED;
	}
	for (i = 0; !error && tb && i < git_tree_entrycount(tb); i++) {
		const git_tree_entry *eb = git_tree_entry_byindex(tb, i);
		const git_tree_entry *ea = ta ? same_name(ta, &j, eb, &sorted_a)
					      : NULL;

		if (ea && git_oid_equal(git_tree_entry_id(ea),
					git_tree_entry_id(eb)) &&
		    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb))
			continue;
		error = entry(w, ea, eb);
	}
	for (i = 0, j = 0; !error && ta && i < git_tree_entrycount(ta); i++) {
		const git_tree_entry *ea = git_tree_entry_byindex(ta, i);

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
	walk w = { m, DLG_BUF_INIT, cb, payload, NULL };
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
	walk w = { m, DLG_BUF_INIT, no_change, NULL, where };
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
