/* Shared inside sync/ only. */
#ifndef DLG_SYNC_INTERNAL_H
#define DLG_SYNC_INTERNAL_H

#include <git2.h>

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
