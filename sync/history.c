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
	int error; /* report's, in a folder's walk */
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

static int entry_id(git_oid *out, git_tree *t, const char *path)
{
	git_tree_entry *e = NULL;

	memset(out, 0, sizeof(*out));
	if (!t || git_tree_entry_bypath(&e, t, path) < 0)
		return 0;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB)
		git_oid_cpy(out, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return 0;
}

/* A file of a folder's walk; stops it on an error or when told to. */
static int report_change(const char *path, const git_tree_entry *a,
			 const git_tree_entry *b, void *payload)
{
	walk *w = payload;
	git_oid zero;

	memset(&zero, 0, sizeof(zero));
	w->error = report(w, path, a ? git_tree_entry_id(a) : &zero,
			  b ? git_tree_entry_id(b) : &zero);
	return w->error < 0 || w->stop;
}

static int one_commit(walk *w, const char *path)
{
	git_commit *parent = NULL;
	git_tree *old_tree = NULL, *new_tree = NULL;
	int error = 0;
	size_t plen = strlen(path);

	if (git_commit_parentcount(w->commit) > 0 &&
	    git_commit_parent(&parent, w->commit, 0) < 0)
		return dlg_sync__error("cannot read a parent commit");
	if (!plen || path[plen - 1] == '/') {
		/* A folder: the files that changed under it. */
		w->error = 0;
		if (dlg_sync__tree_changes(&w->trees,
					   parent ? git_commit_tree_id(parent)
						  : NULL,
					   git_commit_tree_id(w->commit), path,
					   report_change, w) < 0)
			error = dlg_sync__error("cannot compare commits");
		else
			error = w->error;
	} else if ((parent && git_commit_tree(&old_tree, parent) < 0) ||
		   git_commit_tree(&new_tree, w->commit) < 0) {
		error = dlg_sync__error("cannot read a commit's tree");
	} else {
		/* One file: compare its entry. */
		git_oid a, b;

		entry_id(&a, old_tree, path);
		entry_id(&b, new_tree, path);
		if (!git_oid_equal(&a, &b))
			error = report(w, path, &a, &b);
	}
	git_tree_free(old_tree);
	git_tree_free(new_tree);
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
	size_t n = 0, i, k;
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
		for (k = 0; k < npaths && !error && !w.stop; k++)
			if (!since || w.info.when >= since)
				error = one_commit(&w, paths[k]);
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
