/*
 * sync: every libgit2 call of delegit. Repositories, the lock, commits,
 * history (and, later, merge, fetch and push).
 */
#ifndef DLG_SYNC_H
#define DLG_SYNC_H

#include <stddef.h>
#include <time.h>

#include "../core/core.h"

/* A repository with a work tree, opened; opaque. */
typedef struct dlg_repo dlg_repo;

/* Find the repository that holds path (like git does) and open it: *out
 * is the caller's (dlg_repo_free). DLG_ENOTFOUND when there is none,
 * DLG_EINVALID for a bare one. */
int dlg_repo_open(dlg_repo **out, const char *path);
/* Create a new repository at path, branch main (or open the one there):
 * *out the caller's; 0, DLG_EINVALID (bare) or -1. */
int dlg_repo_init(dlg_repo **out, const char *path);
/* Let the lock go (if held) and free the repository; NULL is fine. */
void dlg_repo_free(dlg_repo *r);
/* The work tree, without a trailing slash. Borrowed. */
const char *dlg_repo_workdir(const dlg_repo *r);
/* The .git folder, with a trailing slash. Borrowed. */
const char *dlg_repo_gitdir(const dlg_repo *r);
/* Whether HEAD points to a commit yet: 1 or 0. */
int dlg_repo_has_commits(dlg_repo *r);

/* git's blob id of some bytes, as `git hash-object` gives it (a
 * dlg_hash_fn: the rows cache's, dlg_store_set_hash). */
void dlg_blob_id(unsigned char out[20], const char *data, size_t len);

/* A configuration value (repository, then global): *out is the caller's
 * to free(), NULL on failure; DLG_ENOTFOUND if unset, -1 when the
 * configuration cannot be read. */
int dlg_repo_config_get(char **out, dlg_repo *r, const char *key);
/* Set a value in the repository's own configuration (.git/config): 0 or
 * -1. */
int dlg_repo_config_set(dlg_repo *r, const char *key, const char *value);

/*
 * Take the repository's delegit lock (flock on .git/delegit.lock, let go
 * of by the kernel when its holder dies), waiting for another holder up
 * to delegit.lockTimeout seconds (10); DLG_ELOCKED, naming the holder's
 * pid, when it waited in vain. Holding it, the git lock files a killed
 * delegit left are removed and an interrupted sync is finished. 0 (also
 * when already held); -1 when the lock file cannot be opened or the
 * recovery fails (the lock then let go).
 */
int dlg_repo_lock(dlg_repo *r);
/* Let the lock go (nothing when not held); dlg_repo_free does it too. */
void dlg_repo_unlock(dlg_repo *r);
/*
 * Finish what a killed sync left half done (files of the work tree half
 * written), under the lock, if it left anything: for commands that read
 * without taking the lock. One stat when there is nothing to do. 0, or
 * dlg_repo_lock's error.
 */
int dlg_repo_settle(dlg_repo *r);

/* A file for a commit: data NULL removes the path. */
typedef struct {
	const char *path;
	const char *data;
	size_t len;
} dlg_commit_file;

/* Who made a commit, and when; the strings are borrowed. */
typedef struct {
	const char *name;
	const char *email;
	time_t when;
} dlg_signature;

/*
 * Commit the given files on top of HEAD, touching only their trees, and
 * bring the index entries of those paths up to date. The work tree must
 * already hold the same bytes. out (41 bytes, may be NULL) gets the new
 * commit id. 0, or -1 with nothing committed (git's index.lock or the
 * branch held by a git process: "git is busy").
 */
int dlg_repo_commit(char *out, dlg_repo *r, const dlg_commit_file *files,
		    size_t nfiles, const char *message,
		    const dlg_signature *author);

/* The bytes of path at HEAD, in out (replacing what it held);
 * DLG_ENOTFOUND if it (or any commit) is not there, or is a folder; -1
 * when it cannot be read. */
int dlg_repo_head_file(dlg_buf *out, dlg_repo *r, const char *path);

/* Paths under the n prefixes (folders, "tasks/") whose work tree state
 * differs from HEAD (hand edits, new files, deletions, staged changes):
 * those of the first prefix, sorted, then the second's, and so on. *out
 * (NULL-terminated) and its strings are the caller's (dlg_strv_free). 0,
 * or -1 when the status cannot be read. */
int dlg_repo_changed_paths(char ***out, size_t *count, dlg_repo *r,
			   const char *const *prefixes, size_t n);

/* One commit of history, as the history walk reports it. */
typedef struct {
	char id[DLG_HEX_ID_SIZE];
	const char *author_name;
	const char *author_email;
	time_t when;
	/* A signature that verifies against a key HEAD's team holds for the
	 * author: the signer's handle and the key's SHA256 fingerprint;
	 * NULL both when the commit is not verified. */
	const char *signer;
	const char *key;
} dlg_commit_info;

/*
 * Called for each task file changed by a commit, with the field changes
 * it made (core's dlg_events_of_versions: unattributed, n may be 0); the
 * events are the walk's, valid during the call. Return non-zero to stop
 * the walk.
 */
typedef int (*dlg_history_cb)(const dlg_commit_info *c, const char *path,
			      const dlg_event *ev, size_t n, void *payload);

/*
 * Walk the history of HEAD, newest first, reporting the changes to path
 * (a file, or a folder ending in '/') made by each commit since `since`
 * (0: all). A merge reports only versions that none of its parents held.
 * 0 (also without commits, or when the callback stopped the walk), or -1
 * when history cannot be read.
 */
int dlg_repo_history(dlg_repo *r, const char *path, time_t since,
		     dlg_history_cb cb, void *payload);
/* The same for several paths at once (each commit reports each path). */
int dlg_repo_history_paths(dlg_repo *r, const char *const *paths,
			   size_t npaths, time_t since, dlg_history_cb cb,
			   void *payload);
/* The same, only field's changes (NULL: every field's) and each file's
 * coming and going (its "id"); a file changed in neither way is not
 * reported. The whole history (since 0) of whole folders is kept at each
 * HEAD (walkcache.c): the same question asked again at the same HEAD is
 * answered from it, and at a HEAD that gained commits, by walking those
 * and replaying the rest (history.c, new_commits). */
int dlg_repo_history_field(dlg_repo *r, const char *const *paths,
			   size_t npaths, time_t since, const char *field,
			   dlg_history_cb cb, void *payload);

/* ---------------------------------------------------------------------
 * Merge.
 */

/*
 * Merge three versions of a delegit file (base may be NULL: added on both
 * sides) field by field, multi-line text by lines (git_merge_file). out
 * gets the canonical result; *nconflicts the conflict records it added.
 * The result replaces what out held. DLG_EINVALID, with problems in diags,
 * when a version does not validate; otherwise 0 (conflicts are records,
 * not errors).
 */
int dlg_merge_texts(dlg_buf *out, size_t *nconflicts, const char *base,
		    size_t base_len, const char *ours, size_t ours_len,
		    const char *theirs, size_t theirs_len, const char *path,
		    dlg_diags *diags);

/*
 * The same, each side's `updated` limited to latest_ours / latest_theirs
 * (its commit's time and the clocks' allowance; NULL: no limit): a stamp
 * set later than its commit wins no conflict (SPEC 7). Returns as
 * dlg_merge_texts.
 */
int dlg_merge_texts_limited(dlg_buf *out, size_t *nconflicts,
			    const char *base, size_t base_len,
			    const char *ours, size_t ours_len,
			    const char *theirs, size_t theirs_len,
			    const char *latest_ours, const char *latest_theirs,
			    const char *path, dlg_diags *diags);
/* Those limits for the merge git is making in the repository of the
 * current folder (HEAD, and the commit the environment's GITHEAD_<id>
 * names), for git's merge driver; 0, or DLG_ENOTFOUND when git is not
 * merging two commits. */
int dlg_merge_stamp_limits(char ours[DLG_TIME_SIZE], char theirs[DLG_TIME_SIZE]);

/*
 * Make sure the repository's configuration has the delegit merge driver
 * (merge.delegit.driver = "PROGRAM merge-file %O %A %B %P"), so that plain
 * `git merge` and `git pull` merge field by field too. program is a
 * command word for sh: "delegit" (found on PATH) or a quoted path. Writes
 * only when it is missing, names a program that is gone, or names a path
 * while program is a name (the installed delegit is named, so that moving
 * or reinstalling it does not break git pull). 0, or -1 when the
 * configuration cannot be read or written.
 */
int dlg_repo_ensure_merge_driver(dlg_repo *r, const char *program);

/* ---------------------------------------------------------------------
 * Sync.
 */
/* What a progress callback is told about. */
typedef enum {
	DLG_PROGRESS_FETCH,
	DLG_PROGRESS_PUSH,
	DLG_PROGRESS_CHECKOUT,
	DLG_PROGRESS_INDEX,   /* commits indexed; total 0 until the end */
	DLG_PROGRESS_HISTORY, /* commits read for field changes */
} dlg_progress_stage;

/* Progress of the work a query may do first on a large history (the
 * history index, the events cache): called often; cb NULL for none. */
void dlg_repo_set_progress(dlg_repo *r,
			   void (*cb)(dlg_progress_stage stage, size_t done,
				      size_t total, void *payload),
			   void *payload);

/* How dlg_sync_run and dlg_repo_clone work; DLG_SYNC_OPTIONS_INIT. */
typedef struct {
	const char *remote; /* NULL: "origin" */
	int max_tries;      /* fetch-merge-push rounds when a push is refused */
	const dlg_signature *committer; /* for merge commits */
	/* Progress, for a terminal: called often; may be NULL. */
	void (*progress)(dlg_progress_stage stage, size_t done, size_t total,
			 void *payload);
	void *payload;
	/* Merge a remote history that does not share this repository's
	 * first commit (refused otherwise: DLG_EINVALID). */
	int allow_unrelated;
	/* Seconds a remote may stay silent before the operation gives up
	 * (DLG_EOFFLINE); 0: no limit. */
	unsigned timeout;
} dlg_sync_options;

#define DLG_SYNC_OPTIONS_INIT { NULL, 5, NULL, NULL, NULL, 0, 60 }

/* What a sync's merges made; part of dlg_sync_result. */
typedef struct {
	size_t conflicts; /* new conflict records */
	dlg_buf lines;    /* "Conflict: path (n fields)" lines */
	dlg_diags problems; /* files that could not be merged */
} dlg_merge_report;

/* Who made commits that came in, and how many. */
typedef struct {
	char *name;
	char *email;
	size_t commits;
} dlg_sync_author;

/* What a sync did (dlg_sync_result_dispose frees what it holds). */
typedef struct {
	int fetched;      /* the remote had commits we did not */
	int fast_forward; /* we moved to the remote's commit */
	int merged;       /* we made a merge commit */
	int pushed;       /* the remote got our commits */
	int tries;
	char head[DLG_HEX_ID_SIZE];    /* HEAD afterwards */
	dlg_merge_report report;
	dlg_violations violations; /* incoming changes the policy forbids */
	int enforced;     /* they were rejected (mode: enforce) */
	int taken_back;   /* their rejection failed: the remote's commits
			   * were taken back out, for the next sync */
	/* What came in: the remote's commits that HEAD did not hold before
	 * the sync, merge commits left out, and their authors in the order
	 * of their first commit (oldest first). */
	size_t incoming;
	dlg_sync_author *authors;
	size_t nauthors;
	/* What went out: the commits the remote got (merges too). */
	size_t outgoing;
} dlg_sync_result;

/* Free the authors, violations and report a sync filled in. */
void dlg_sync_result_dispose(dlg_sync_result *r);

/*
 * Fetch, fast-forward or merge into a merge commit, push; when the push is
 * refused because the remote moved, again (up to max_tries). A push the
 * remote refuses while it has not moved (a server's hook) is -1, at once,
 * the remote's words in the message. Files git
 * cannot merge stop the sync before anything changes (DLG_ECONFLICT, the
 * files in out->report.problems). An unreachable remote is DLG_EOFFLINE;
 * local commits are kept. No such remote: DLG_EUSAGE. Policy violations
 * are in out->violations, not an error. out is filled in whatever it
 * returns: dlg_sync_result_dispose it.
 */
int dlg_sync_run(dlg_sync_result *out, dlg_repo *r, const dlg_sync_options *o);

/*
 * Every violation in HEAD's history (`delegit audit`): each commit judged
 * from the repository's first commit on, by the team and policy trusted
 * at its parent (a forbidden change to them never takes effect), merge
 * commits for what they hold beyond the field merge of their parents.
 * Violations of commits made before `since` (0: none) are left out; each
 * carries its commit. DLG_INVALID_FILE is the field of a file that does
 * not validate. Appends to out (dlg_violations_dispose); 0 (also with
 * violations) or -1 when history cannot be read.
 */
#define DLG_INVALID_FILE "(invalid file)"
int dlg_repo_audit(dlg_violations *out, dlg_repo *r, time_t since);

/* ---------------------------------------------------------------------
 * The server's hook.
 */

/* Open the repository git's environment names (a hook's GIT_DIR, with the
 * pushed objects in quarantine); it may be bare. *out the caller's
 * (dlg_repo_free); 0 or -1. */
int dlg_repo_open_env(dlg_repo **out);

/*
 * Judge one ref update of a push (OLD NEW REF, as git gives pre-receive)
 * by the team and policy of the ref before the push (a new ref: of HEAD's
 * branch; an empty repository: the first commits bootstrap the team).
 * Besides the commits' violations: a push that rewrites the ref's
 * history, brings an unrelated history, or deletes the main branch.
 * *enforce: the policy before the push is in enforce mode. Appends to
 * out (dlg_violations_dispose); 0 (also with violations), DLG_EUSAGE when
 * the arguments are no ref update, -1 when the commits cannot be read.
 */
int dlg_repo_judge_update(dlg_violations *out, int *enforce, dlg_repo *r,
			  const char *ref, const char *old_hex,
			  const char *new_hex);

/* Install the pre-receive hook that runs `PROGRAM hook pre-receive` in the
 * bare repository dir; an existing hook that is not delegit's is kept
 * (DLG_EINVALID) unless force. *out_path: the hook's path (caller frees).
 * -1 when dir is no bare repository or the hook cannot be written. */
int dlg_repo_install_hook(char **out_path, const char *dir,
			  const char *program, int force);

/* Clone URL into path, with the same credentials and progress as sync
 * (o may be NULL): *out the caller's (dlg_repo_free). DLG_EOFFLINE when
 * the remote cannot be reached, else -1; a failed clone leaves no
 * half-made repository (a folder that was there empty stays). */
int dlg_repo_clone(dlg_repo **out, const char *url, const char *path,
		   const dlg_sync_options *o);

/* The URL of a remote, for messages: a string the caller frees; NULL if
 * there is no such remote (no message set). */
char *dlg_repo_remote_url(dlg_repo *r, const char *remote);

#endif
