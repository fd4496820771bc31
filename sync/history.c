/* History: which commits changed which delegit files, with both versions. */
#include <stdlib.h>
#include <string.h>

#include "sync_internal.h"

typedef struct {
	git_repository *git;
	dlg_trees trees;
	dlg_commit_info info;
	git_commit *commit;
	dlg_history_cb cb;
	void *payload;
	int stop;
	int error; /* report's, inside the tree walk */
} walk;

static int blob_data(git_blob **out, git_repository *g, const git_oid *id)
{
	if (git_oid_is_zero(id)) {
		*out = NULL;
		return 0;
	}
	return git_blob_lookup(out, g, id);
}

/* Whether another parent of a merge already held this version. */
static int held_by_other_parent(git_commit *c, const char *path,
				const git_oid *id)
{
	unsigned i, n = git_commit_parentcount(c);

	for (i = 1; i < n; i++) {
		git_commit *p = NULL;
		git_tree *t = NULL;
		git_tree_entry *e = NULL;
		int same = 0;

		if (!git_commit_parent(&p, c, i) && !git_commit_tree(&t, p) &&
		    !git_tree_entry_bypath(&e, t, path))
			same = git_oid_equal(git_tree_entry_id(e), id);
		else if (git_oid_is_zero(id))
			same = 1;
		git_tree_entry_free(e);
		git_tree_free(t);
		git_commit_free(p);
		if (same)
			return 1;
	}
	return 0;
}

static int report(walk *w, const char *path, const git_oid *old_id,
		  const git_oid *new_id)
{
	git_blob *a = NULL, *b = NULL;
	int error = 0;

	if (git_commit_parentcount(w->commit) > 1 &&
	    held_by_other_parent(w->commit, path, new_id))
		return 0;
	if (blob_data(&a, w->git, old_id) < 0 ||
	    blob_data(&b, w->git, new_id) < 0) {
		error = dlg_sync__error("cannot read file from history");
		goto done;
	}
	if (w->cb(&w->info, path, a ? git_blob_rawcontent(a) : NULL,
		  a ? (size_t)git_blob_rawsize(a) : 0,
		  b ? git_blob_rawcontent(b) : NULL,
		  b ? (size_t)git_blob_rawsize(b) : 0, w->payload))
		w->stop = 1;
done:
	git_blob_free(a);
	git_blob_free(b);
	return error;
}

/* Whether a changed file is one of the paths asked for (a file, a folder
 * ending in '/', or "" for all). */
static int wanted(const char *file, const char *const *paths, size_t npaths)
{
	size_t k;

	for (k = 0; k < npaths; k++) {
		size_t len = strlen(paths[k]);

		if (!len || (paths[k][len - 1] == '/'
				     ? !strncmp(file, paths[k], len)
				     : !strcmp(file, paths[k])))
			return 1;
	}
	return 0;
}

typedef struct {
	walk *w;
	const char *const *paths;
	size_t npaths;
} wanted_walk;

/* A file the commit changed; stops the walk on an error or when told to.
 * A change of mode alone is no change of the task. */
static int report_change(const char *path, const git_tree_entry *a,
			 const git_tree_entry *b, void *payload)
{
	wanted_walk *ww = payload;
	walk *w = ww->w;
	git_oid zero;

	if ((a && b && git_oid_equal(git_tree_entry_id(a),
				     git_tree_entry_id(b))) ||
	    !wanted(path, ww->paths, ww->npaths))
		return 0;
	memset(&zero, 0, sizeof(zero));
	w->error = report(w, path, a ? git_tree_entry_id(a) : &zero,
			  b ? git_tree_entry_id(b) : &zero);
	return w->error < 0 || w->stop;
}

/* The changes of w->commit to the paths asked for: one comparison with
 * its first parent, going down only where the trees differ. */
static int one_commit(walk *w, const char *const *paths, size_t npaths)
{
	git_commit *parent = NULL;
	wanted_walk ww = { w, paths, npaths };
	int error;

	if (git_commit_parentcount(w->commit) > 0 &&
	    git_commit_parent(&parent, w->commit, 0) < 0)
		return dlg_sync__error("cannot read a parent commit");
	w->error = 0;
	if (dlg_sync__tree_changes(&w->trees,
				   parent ? git_commit_tree_id(parent) : NULL,
				   git_commit_tree_id(w->commit),
				   report_change, &ww) < 0)
		error = dlg_sync__error("cannot compare commits");
	else
		error = w->error;
	git_commit_free(parent);
	return error;
}

int dlg_repo_history(dlg_repo *r, const char *path, time_t since,
		     dlg_history_cb cb, void *payload)
{
	const char *one = path ? path : "";

	return dlg_repo_history_paths(r, &one, 1, since, cb, payload);
}

int dlg_repo_history_paths(dlg_repo *r, const char *const *paths,
			   size_t npaths, time_t since, dlg_history_cb cb,
			   void *payload)
{
	dlg_hindex *x = NULL;
	git_oid head, *ids = NULL;
	size_t n = 0, i;
	walk w;
	int error = 0;

	memset(&w, 0, sizeof(w));
	w.git = r->git;
	w.trees.git = r->git;
	w.cb = cb;
	w.payload = payload;
	if (!dlg_repo_has_commits(r))
		return 0;
	if (git_reference_name_to_id(&head, r->git, "HEAD") < 0)
		return dlg_sync__error("cannot read HEAD");
	/* Only the commits that changed path: the index knows which. */
	if ((error = dlg_sync__hindex_open(&x, r, &head)) < 0 ||
	    (error = dlg_sync__hindex_commits(&ids, &n, x, &head, paths,
					      npaths)) < 0)
		goto done;
	for (i = 0; i < n && !w.stop; i++) {
		const git_signature *a;

		if (git_commit_lookup(&w.commit, r->git, &ids[i]) < 0) {
			error = dlg_sync__error("cannot read a commit");
			break;
		}
		a = git_commit_author(w.commit);
		git_oid_tostr(w.info.id, sizeof(w.info.id), &ids[i]);
		w.info.author_name = a->name;
		w.info.author_email = a->email;
		w.info.when = (time_t)a->when.time;
		w.info.summary = git_commit_summary(w.commit);
		if (!since || w.info.when >= since)
			error = one_commit(&w, paths, npaths);
		git_commit_free(w.commit);
		w.commit = NULL;
		if (error < 0)
			break;
	}
done:
	free(ids);
	dlg_sync__trees_dispose(&w.trees);
	dlg_sync__hindex_free(x);
	return error;
}
