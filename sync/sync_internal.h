/* Shared inside sync/ only. */
#ifndef DLG_SYNC_INTERNAL_H
#define DLG_SYNC_INTERNAL_H

#include <git2.h>

#include "sshsig.h"
#include "sync.h"

struct dlg_repo {
	git_repository *git;
	char *workdir;
	int lock_fd;
};

/* libgit2 set up once; a dlg_repo around a git_repository (takes it). */
void dlg_sync__init(void);
int dlg_sync__wrap(dlg_repo **out, git_repository *g);

/* Wrap the last libgit2 error as delegit's error; returns -1. */
int dlg_sync__error(const char *what);

/* The merge driver: registered once; reports into the given report
 * during a merge (NULL: nowhere). */
int dlg_sync__register_driver(void);
void dlg_sync__merge_report(dlg_merge_report *r);

/* Bring git's index in step with a commit of these files (ids: the blobs
 * committed; removed files have no data) by editing its bytes. Returns 1
 * when the index is not one this can edit: use libgit2 then. */
int dlg_sync__index_update(dlg_repo *r, const dlg_commit_file *files,
			   const git_oid *ids, size_t nfiles);

/* Trees read lately (treediff.c): walking commits from child to parent,
 * a commit's trees are read again as its parent's at the next commit.
 * libgit2 keeps only small trees in its cache, and a shard of a large
 * repository is not small. Zero-initialise; git set. */
#define DLG_TREES_MEMO 8
typedef struct {
	git_repository *git;
	git_tree *tree[DLG_TREES_MEMO];
	unsigned next;
} dlg_trees;
git_tree *dlg_sync__tree_get(dlg_trees *m, const git_oid *id);
void dlg_sync__trees_dispose(dlg_trees *m);

/* Each file (not folder) entry that differs between trees a and b (either
 * may be NULL: empty), with its path and its entry on each side (NULL
 * where absent). Only subtrees whose ids differ are read. A non-zero
 * return from cb stops the walk and is returned; -1: a tree could not be
 * read. */
typedef int (*dlg_tree_change_cb)(const char *path, const git_tree_entry *a,
				  const git_tree_entry *b, void *payload);
int dlg_sync__tree_changes(dlg_trees *m, const git_oid *a, const git_oid *b,
			   dlg_tree_change_cb cb, void *payload);

/* The same, as paths appended to out, each ending in NUL; count: how
 * many. */
int dlg_sync__changed_paths(dlg_buf *out, size_t *count, dlg_trees *m,
			    const git_oid *a, const git_oid *b);

/* The history index (hindex.c): brought up to HEAD when opened. */
typedef struct dlg_hindex dlg_hindex;
int dlg_sync__hindex_open(dlg_hindex **out, dlg_repo *r, const git_oid *head);
/* The commits reachable from head that changed one of the paths (a file,
 * or a folder ending in '/', or "" for all), children before parents. */
int dlg_sync__hindex_commits(git_oid **out, size_t *count, dlg_hindex *x,
			     const git_oid *head, const char *const *paths,
			     size_t npaths);
void dlg_sync__hindex_free(dlg_hindex *x);

/* Finish a sync that a killed process left half done (see remote.c). */
int dlg_sync__recover(dlg_repo *r);

/* Enforce mode: take back the changes in v that still stand, record them
 * as rejected conflicts, and commit that. */
int dlg_sync__reject(dlg_repo *r, const dlg_violations *v,
		     const dlg_signature *who, size_t *rejected);

#endif
