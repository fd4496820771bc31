/* Shared inside sync/ only. */
#ifndef DLG_SYNC_INTERNAL_H
#define DLG_SYNC_INTERNAL_H

#include <git2.h>
#include <stdint.h>

#include "sshsig.h"
#include "sync.h"

struct dlg_repo {
	git_repository *git;
	char *workdir;
	int lock_fd;
	void (*progress)(dlg_progress_stage stage, size_t done, size_t total,
			 void *payload);
	void *progress_payload;
};

/* libgit2's cache of the objects read (on by default), off for a walk
 * over the whole history: it would keep each commit read (120 of the
 * first history query's 190 MB at 10,000 tasks), and the walks keep
 * what they read again themselves (dlg_trees). Process-wide, as
 * libgit2's setting is; turned back on after the walk. */
void dlg_sync__cache_objects(int on);

/* Tell r's progress callback, if any. */
void dlg_sync__progress(dlg_repo *r, dlg_progress_stage stage, size_t done,
			size_t total);

/* Test-only fault switch: DELEGIT_FAULT=<step> kills the process there,
 * as a crash or kill -9 would. */
void dlg_sync__fault(const char *step);

/* libgit2 set up once; a dlg_repo around a git_repository (takes it). */
void dlg_sync__init(void);
int dlg_sync__wrap(dlg_repo **out, git_repository *g);

/* Wrap the last libgit2 error as delegit's error; returns -1. */
int dlg_sync__error(const char *what);

/* Create a commit as git_commit_create does (update_ref may be NULL), signed
 * when git is configured to sign (commit.gpgsign, gpg.format=ssh,
 * user.signingkey, gpg.ssh.program): through ssh-keygen, as git signs. */
int dlg_sync__commit_create(git_oid *out, git_repository *g,
			    const char *update_ref, const git_signature *author,
			    const git_signature *committer, const char *message,
			    const git_tree *tree, size_t nparents,
			    const git_commit **parents);

/* The merge driver: registered once; reports into the given report
 * during a merge of ours and theirs (NULL: nowhere), each side's stamps
 * limited to its commit's time (SPEC 7). */
int dlg_sync__register_driver(void);
void dlg_sync__merge_report(dlg_merge_report *r, const git_commit *ours,
			    const git_commit *theirs);
/* The latest `updated` a commit's side of a merge may say: its time and
 * the clocks' allowance (5 minutes). */
void dlg_sync__stamp_limit(char out[DLG_TIME_SIZE], const git_commit *c);

/* A three-way merge of ours and theirs that reads only what both changed
 * (merge.c): 0 and the merged tree, with the conflict lines added to rep
 * as the merge driver would add them; DLG_SYNC_FALLBACK (nothing added)
 * for what only git_merge_commits does; < 0 an error. */
#define DLG_SYNC_FALLBACK 1
int dlg_sync__merge_trees_fast(git_oid *out, git_repository *g,
			       git_commit *ours, git_commit *theirs,
			       dlg_merge_report *rep);

/* 1 when nothing under the n prefixes (top folders: "tasks/") differs
 * from HEAD, in the index or the work tree, proven from the index's
 * bytes, the stat data and HEAD's trees as git proves it; 0 when
 * something may differ, or the state is one not judged here: then
 * libgit2's status must answer (status.c). */
int dlg_sync__worktree_unchanged(dlg_repo *r, const char *const *prefixes,
				 size_t n);

/* Bring git's index in step with a commit of these files (ids: the blobs
 * committed; removed files have no data) by editing its bytes, through
 * lockfd (.git/index.lock, made by the caller; -1: take it here), which is
 * closed and let go of in every case. Returns 0, DLG_SYNC_FALLBACK when
 * the index is not one this can edit (version 4, not SHA-1, split or
 * sparse, the path in conflict or flagged: use libgit2 then), or -1. */
int dlg_sync__index_update(dlg_repo *r, int lockfd,
			   const dlg_commit_file *files, const git_oid *ids,
			   size_t nfiles);

/* Whether dlg_sync__index_update could edit the index for these paths
 * now (0), or not (DLG_SYNC_FALLBACK): the same checks, nothing written or
 * locked (the update checks again). */
int dlg_sync__index_editable(dlg_repo *r, const char *const *paths, size_t n);

/* libgit2's index for the attributes only (checkout.c): an index in
 * memory holding the index's .gitattributes entries, which are all that
 * libgit2 reads of it for a path's attributes, set as the repository's,
 * so that asking for attributes does not load 100,000 entries. 1: set,
 * and dlg_sync__attrs_done(g, 1) must follow before anything else asks
 * for the index; 0: not set (the index is not one read here). */
int dlg_sync__attrs_light(git_repository *g);
void dlg_sync__attrs_done(git_repository *g, int set);

/* Move the work tree and the index from one commit to another by writing
 * the files that differ and editing the index's bytes (checkout.c): 0;
 * DLG_SYNC_FALLBACK when the move is not one made here (*written 0:
 * nothing touched, libgit2's checkout must make it; 1: the files are
 * written, libgit2 must write the index, forced); -1: failed, the files
 * perhaps half written (*written 1). */
int dlg_sync__checkout_fast(dlg_repo *r, git_commit *from, git_commit *to,
			    int *written, git_checkout_progress_cb cb,
			    void *payload);

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

/* Whether every tree the walk from a to b reads on b's side (those that
 * differ from a's) is one git's fsck passes for a checkout: 0;
 * DLG_SYNC_MALFORMED and the folder's path in where ("/": the root) when
 * one is not (a name empty, with '/', ".", ".." or ".git", or twice); -1
 * when a tree cannot be read. */
#define DLG_SYNC_MALFORMED 2
int dlg_sync__trees_well_formed(dlg_trees *m, const git_oid *a,
				const git_oid *b, dlg_buf *where);

/* The same, as paths appended to out, each ending in NUL; count: how
 * many. */
int dlg_sync__changed_paths(dlg_buf *out, size_t *count, dlg_trees *m,
			    const git_oid *a, const git_oid *b);

/* The same for n pairs (a[i] zero: the empty tree), read a folder at a
 * time across the pairs (libgit2's cache of delta bases is kept warm):
 * pair i's paths at out->ptr + start[i], count[i] of them; start holds
 * n + 1. progress, if not NULL, is told how many pairs are done. -1 (a
 * tree that cannot be read): out, start and count hold nothing to use. */
int dlg_sync__changed_paths_many(dlg_buf *out, size_t *start,
				 uint32_t *count, dlg_trees *m,
				 const git_oid *a, const git_oid *b, size_t n,
				 void (*progress)(size_t done, size_t total,
						  void *payload),
				 void *progress_payload);
/* What the last call did: folders compared from their bytes, by libgit2's
 * reading, pairs compared alone, trees read whole to know them (the tests
 * check the ways taken). */
struct dlg_sync_many_stats {
	size_t raw, libgit2, alone, whole;
};
extern struct dlg_sync_many_stats dlg_sync__many_stats;

/* The paths a history query asks for (history.c): files, and folders
 * ending in '/' ("" for all). */
typedef struct {
	const char **files; /* sorted */
	size_t nfiles;
	const char **folders;
	size_t *folder_len;
	size_t nfolders;
} dlg_sync_paths;
void dlg_sync__paths_make(dlg_sync_paths *w, const char *const *paths,
			  size_t n);
/* Whether file is one of them, or in one of the folders. */
int dlg_sync__paths_has(const dlg_sync_paths *w, const char *file);
void dlg_sync__paths_dispose(dlg_sync_paths *w);

/* The history index (hindex.c): brought up to HEAD when opened. */
typedef struct dlg_hindex dlg_hindex;
int dlg_sync__hindex_open(dlg_hindex **out, dlg_repo *r, const git_oid *head);
/* The commits reachable from head that changed one of the paths,
 * children before parents. */
int dlg_sync__hindex_commits(git_oid **out, size_t *count, dlg_hindex *x,
			     const git_oid *head, const dlg_sync_paths *paths);
void dlg_sync__hindex_free(dlg_hindex *x);
/* The paths a commit changed against its first parent, NUL-separated,
 * as the index has them; NULL when it does not have the commit. */
const char *dlg_sync__hindex_paths(dlg_hindex *x, const git_oid *id,
				   uint32_t *count);

/* The events cache (evcache.c): the field changes of a commit to a task
 * file, keyed by both, so never stale. Opening never fails (a missing or
 * damaged file is an empty cache); _get returns 1 and the events (out
 * may be NULL: whether it has them), or 0 when it does not have them; _save writes what _put added,
 * quietly leaving the file alone when it cannot. */
typedef struct dlg_evcache dlg_evcache;
/* Events that point into the cache, owning nothing (count 0 when the
 * change changed no field); valid until the cache is freed or _put. */
typedef struct {
	dlg_event *items;
	size_t count, alloc;
} dlg_event_views;
void dlg_sync__evcache_open(dlg_evcache **out, dlg_repo *r);
/* The same, of the file at path (the fuzzer's way in). */
void dlg_sync__evcache_open_path(dlg_evcache **out, const char *path);
int dlg_sync__evcache_get(dlg_evcache *c, const git_oid *commit,
			  const char *path, dlg_event_views *out);
void dlg_sync__evcache_put(dlg_evcache *c, const git_oid *commit,
			   const char *path, const dlg_events *ev);
/* A commit's own bytes (the object git hashes; valid as the events),
 * kept by _put_commit: 1 when the cache has bytes that hash to the id,
 * else 0 (none, or changed since). */
int dlg_sync__evcache_commit(dlg_evcache *c, const git_oid *commit,
			     const char **data, size_t *len);
void dlg_sync__evcache_put_commit(dlg_evcache *c, const git_oid *commit,
				  const char *data, size_t len);
void dlg_sync__evcache_save(dlg_evcache *c);
void dlg_sync__evcache_free(dlg_evcache *c);

/* The walk cache (walkcache.c): a history walk's calls to its callback,
 * for one query (query: the field, then each path, each with a NUL), kept
 * for one HEAD. _add records a call (the events as the callback got them);
 * _save writes them as the walk at head, whose list of commits had count
 * ids of that digest (dlg_sync__walk_digest), quietly leaving the file
 * alone when it cannot. _kept reads the query's kept walk, whatever HEAD
 * it was kept at, when it is whole and undamaged (1; else 0), and _calls
 * makes its calls again (1 when the callback stopped them). */
typedef struct {
	dlg_buf body;
	char last[DLG_HEX_ID_SIZE]; /* the commit recorded last */
} dlg_walkrec;
typedef struct {
	char *map; /* the file, mapped (NULL: not kept) */
	size_t size;
	git_oid key;	/* as the file says */
	git_oid head;	/* the HEAD it was kept at */
	uint64_t count; /* its walk's commits */
	git_oid digest; /* of their ids, in order */
	const char *calls;
	size_t len;
} dlg_walkkept;
void dlg_sync__walkrec_add(dlg_walkrec *rec, const dlg_commit_info *ci,
			   const char *path, const dlg_event *ev, size_t n);
void dlg_sync__walkrec_dispose(dlg_walkrec *rec);
void dlg_sync__walk_digest(git_oid *out, const git_oid *ids, size_t n);
void dlg_sync__walkcache_save(dlg_repo *r, const git_oid *head,
			      const dlg_buf *query, const dlg_walkrec *rec,
			      size_t count, const git_oid *digest);
int dlg_sync__walkcache_kept(dlg_walkkept *out, dlg_repo *r,
			     const dlg_buf *query);
int dlg_sync__walkcache_calls(const dlg_walkkept *k, dlg_history_cb cb,
			      void *payload);
void dlg_sync__walkkept_dispose(dlg_walkkept *k);
/* The file's parts (the fuzzer's way in): its frame around a body, by
 * the program's identity, the key and the secret (0, or -1 when the MAC
 * cannot be made); and a whole file checked: for that program, its MAC by
 * the secret right, its body an 'H' record and records whose shape
 * checks: 0 and *out (its key as the file says it, which the caller
 * judges; out->map NULL), or -1. */
int dlg_sync__walkcache_frame(dlg_buf *out, const int64_t program[3],
			      const git_oid *key, const unsigned char secret[32],
			      const char *body, size_t len);
int dlg_sync__walkcache_check(dlg_walkkept *out, const char *data,
			      size_t size, const int64_t program[3],
			      const unsigned char secret[32]);

/* The blob of path in tree; zero when absent or not a regular file. -1
 * when the tree cannot be read (out zero). */
int dlg_sync__tree_oid(git_oid *out, git_tree *tree, const char *path);

/* The version of one path that delegit's merge of ours and theirs (from
 * base, their merge base's tree; NULL: none) gives, as merging the two
 * commits would: one side's change, a delete-versus-modify kept, a
 * delegit file changed on both sides merged field by field (the result
 * written as a blob; stamps limited by latest_*, which may be NULL: see
 * dlg_merge_texts_limited). Zero id: absent. DLG_ECONFLICT: a file of others
 * changed on both sides (git's to merge); DLG_EINVALID: a version does not
 * validate or cannot be merged; -1: a version cannot be read, or the merge
 * written. */
int dlg_sync__merge_path(git_oid *out, git_repository *g, git_tree *base,
			 git_tree *ours, git_tree *theirs,
			 const char *latest_ours, const char *latest_theirs,
			 const char *path);
/* The tree of two commits' merge base; NULL (and 0) when they have none;
 * -1 when it cannot be found or read. */
int dlg_sync__merge_base_tree(git_tree **out, git_repository *g,
			      git_commit *a, git_commit *b);

/* A lock file of git's that delegit is about to take or holds (fd: a
 * file of ours, recorded by its inode, which is or becomes the lock; -1:
 * one a libgit2 call will take, recorded by the time), so that the next
 * command may remove it if this one is killed; released: all of them let
 * go of. Only under delegit's own lock. */
void dlg_sync__held(dlg_repo *r, const char *lock_file, int fd);
void dlg_sync__released(dlg_repo *r);
/* The same for the lock file of a ref (HEAD: the branch it names) that a
 * libgit2 call is about to take. */
void dlg_sync__hold_ref(dlg_repo *r, const char *name);

/* Finish a sync that a killed process left half done (see remote.c). */
int dlg_sync__recover(dlg_repo *r);

/* The team and policy as this replica trusts them at some point of the
 * commits judged (policy.c); shared, freed by the last holder. */
typedef struct dlg_rules dlg_rules;
void dlg_sync__rules_free(dlg_rules *r);
/* The rules of a trusted commit's tree (NULL: an empty repository, where
 * the first commits bootstrap the team). */
int dlg_sync__trusted_rules(dlg_rules **out, dlg_repo *r, const git_oid *tip);
/* Whether the rules' policy says mode: enforce. */
int dlg_sync__rules_enforced(const dlg_rules *r);

/* A commit's signature, checked against the team of some rules. */
typedef struct {
	const dlg_node *signer; /* verified: the person who signed */
	const dlg_node *holder; /* whose key signed it, verified or not */
	int active;       /* the holder's key is one they use now */
	int bad;          /* a signature that does not check, or unreadable */
	dlg_buf key;      /* the key's SHA256 fingerprint, if it checks */
	dlg_buf blob;     /* the key itself, if it checks */
	dlg_buf why;      /* not verified: why ("unsigned", ...) */
	int error;        /* <0: the team's files at the parent could not be
			   * read (dlg_error says why): no verdict */
} dlg_sync_signature;

/* Check c's signature against r's keys (parent: c's first parent, for a
 * retired key; may be NULL). The people are borrowed from r. Dispose out
 * with dlg_sync__signature_dispose. */
void dlg_sync__check_signature(dlg_sync_signature *out, dlg_rules *r,
			       git_repository *g, git_commit *c,
			       git_commit *parent);
void dlg_sync__signature_dispose(dlg_sync_signature *s);

typedef struct {
	dlg_violations violations;
	int enforce;      /* the trusted policy says mode: enforce */
	dlg_rules *rules; /* trusted after the commits judged */
} dlg_judgement;

/*
 * Judge the commits reachable from tip and not from trusted, parents
 * first, each by the rules trusted at its first parent: those of
 * `trusted`'s tree for parents not judged here, changed only by what each
 * judged commit was allowed to change in team/ and the policy. With no
 * trusted commit, all history from the repository's first commit (whose
 * first commits bootstrap the team; any other root has no rights). A
 * merge commit is judged for what its tree holds beyond the field merge
 * of its parents. Violations of commits before `since` (0: none) are not
 * reported. Dispose out with dlg_judgement_dispose.
 */
int dlg_sync__judge(dlg_judgement *out, dlg_repo *r, const git_oid *tip,
		    const git_oid *trusted, time_t since);
void dlg_judgement_dispose(dlg_judgement *j);

/* Enforce mode: take back the changes of j's violations that still stand
 * (fields recorded as rejected conflicts; team/ and the policy back to
 * what j trusts; tasks added without leave removed), and commit that. */
int dlg_sync__reject(dlg_repo *r, const dlg_judgement *j,
		     const dlg_signature *who, size_t *rejected);

#endif
