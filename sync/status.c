/*
 * Whether anything under delegit's folders differs from HEAD, proven
 * without libgit2's status when nothing does.
 *
 * Every sync asks first for the hand edits: the paths under tasks/,
 * team/, .delegit/ and archive/ that differ from HEAD, in the index or in
 * the work tree. libgit2's status answers by comparing HEAD's trees with
 * the index entry by entry (it does not read the index's cache-tree, as
 * git does) and each entry with the file's stat data, building a diff of
 * allocated objects on the way: two thirds of a small sync at 100,000
 * tasks. Nearly always the answer is "nothing", and this file proves that
 * answer the way git's own status does, reading the index as bytes:
 *
 *  - HEAD against the index: a folder whose cache-tree node is valid,
 *    counts the entries under it and names HEAD's tree is the same;
 *    another is compared with HEAD's tree entry by entry, going down.
 *  - The index against the work tree: every file found under the folders
 *    must be in the index (or ignored, as libgit2 would leave it out),
 *    every entry found on disk, and each with the stat data the index
 *    keeps (mode, size, times, inode, owner). A file whose times alone
 *    differ, or that changed in the second the index was written (git's
 *    "racy" entries), is hashed as libgit2 would hash it. Two threads
 *    stat the files; libgit2 is asked from the calling thread only.
 *
 * Anything else — a difference, or a state this file does not judge (a
 * path in conflict or flagged, a link, a submodule, an index of another
 * version, case-insensitive names) — answers "not proven", and the
 * caller asks libgit2, whose answer stands. So this file can make a sync
 * slower, never wrong. See docs/design.md.
 */
#define _GNU_SOURCE /* memmem */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "gitindex.h"

#define MAX_DEPTH 32 /* delegit's folders are two deep */
#define ROOT 0		      /* the cache-tree's first node */
#define NO_NODE SIZE_MAX      /* a folder the cache-tree has no node for */
#define MAX_HASHED (64u << 20) /* a file hashed here; a larger: libgit2's */

/* A node of the cache-tree (the TREE extension): its path component, the
 * entries under it (-1: not valid), its tree id when valid, and its
 * children as a list. */
typedef struct {
	const char *name;
	size_t namelen;
	long count;
	const unsigned char *id;
	size_t first_child, next_sibling; /* ROOT (never a child): none */
} tree_node;

/* An index entry under one of the folders. */
typedef struct {
	const char *path;
	const unsigned char *entry;
	int seen; /* found in the work tree */
} tracked;

typedef struct {
	dlg_repo *r;
	index_file ix;
	struct stat index_st;
	tree_node *nodes;
	size_t nnodes, nalloc;
	tracked *t;
	size_t nt;
	dlg_buf path;
} status;

/* ---------------------------------------------------------------------
 * The index: mapped, its checksum checked, the entries under the folders
 * listed (each a plain file, in no conflict and not flagged).
 */
/* 1: path is under one of the folders ("tasks/"); -1: it names one (a
 * file where the folder is, which libgit2's pathspec "tasks/" matches);
 * 0: neither. */
static int under(const char *path, const char *const *prefixes, size_t n)
{
	size_t k, len;

	for (k = 0; k < n; k++) {
		len = strlen(prefixes[k]);
		if (!strncmp(path, prefixes[k], len))
			return 1;
		if (!strncmp(path, prefixes[k], len - 1) && !path[len - 1])
			return -1;
	}
	return 0;
}

/* Each prefix a folder at the top, "tasks/", and named once (a folder
 * walked twice would be two walkers' at once): what is judged here. */
static int top_folders(const char *const *prefixes, size_t n)
{
	size_t k, j, len;

	for (k = 0; k < n; k++) {
		len = strlen(prefixes[k]);
		if (len < 2 || prefixes[k][len - 1] != '/' ||
		    memchr(prefixes[k], '/', len - 1))
			return 0;
		for (j = 0; j < k; j++)
			if (!strcmp(prefixes[j], prefixes[k]))
				return 0;
	}
	return 1;
}

static int list_entries(status *s, const char *const *prefixes, size_t n)
{
	const unsigned char *p = s->ix.map + HEADER_SIZE;
	const char *before = NULL;
	size_t k;
	int in;

	if (!(s->t = calloc(s->ix.nentries + 1, sizeof(*s->t))))
		abort();
	for (k = 0; k < s->ix.nentries; k++) {
		const char *name;
		unsigned flags;
		size_t len = dlg_sync__index_entry_at(p, s->ix.end,
						      s->ix.version, &name,
						      &flags);
		uint32_t mode;

		if (!len)
			return 0;
		/* sorted, each path once: what the searches below rely on */
		if (before && strcmp(before, name) >= 0)
			return 0;
		before = name;
		if ((in = under(name, prefixes, n)) < 0)
			return 0;
		if (in) {
			mode = be32(p + ENTRY_MODE);
			if ((flags & (FLAG_STAGE | FLAG_EXTENDED)) ||
			    (mode != MODE_FILE && mode != MODE_EXECUTABLE))
				return 0;
			s->t[s->nt].path = name;
			s->t[s->nt++].entry = p;
		}
		p += len;
	}
	s->ix.entries_end = p;
	return 1;
}

/* The cache-tree, each node once in pre-order: "name\0count subtrees\n"
 * then the id if count is not -1. 0 when damaged; else 1, and the node's
 * index in *self. */
static int read_node(status *s, size_t *self, const unsigned char **p,
		     const unsigned char *end, int depth)
{
	long subtrees, i, count;
	size_t at, last = ROOT, child, namelen, head;
	tree_node *node;

	if (depth > TREE_MAX_DEPTH ||
	    !(head = dlg_sync__tree_node_head(*p, end, &namelen, &count,
					      &subtrees)))
		return 0;
	if (s->nnodes == s->nalloc) {
		s->nalloc = s->nalloc ? 2 * s->nalloc : 64;
		if (!(s->nodes = realloc(s->nodes,
					 s->nalloc * sizeof(*s->nodes))))
			abort();
	}
	*self = at = s->nnodes++;
	node = &s->nodes[at];
	memset(node, 0, sizeof(*node));
	node->name = (const char *)*p;
	node->namelen = namelen;
	node->count = count;
	*p += head;
	if (count >= 0) {
		node->id = *p;
		*p += OID_SIZE;
	}
	for (i = 0; i < subtrees; i++) {
		if (!read_node(s, &child, p, end, depth + 1))
			return 0;
		/* (s->nodes may have moved) */
		if (last != ROOT)
			s->nodes[last].next_sibling = child;
		else
			s->nodes[at].first_child = child;
		last = child;
	}
	return 1;
}

/* The child of node named name (len bytes); NO_NODE if none. */
static size_t child_node(const status *s, size_t node, const char *name,
			 size_t len)
{
	size_t c;

	if (node == NO_NODE || !s->nodes)
		return NO_NODE;
	for (c = s->nodes[node].first_child; c != ROOT;
	     c = s->nodes[c].next_sibling)
		if (s->nodes[c].namelen == len &&
		    !memcmp(s->nodes[c].name, name, len))
			return c;
	return NO_NODE;
}

/* ---------------------------------------------------------------------
 * HEAD against the index.
 */

/* The entries from lo whose paths start with dir (with its slash). */
static size_t range_end(const status *s, size_t lo, const char *dir,
			size_t len)
{
	while (lo < s->nt && !strncmp(s->t[lo].path, dir, len))
		lo++;
	return lo;
}

/* Whether the entries lo..hi are HEAD's tree id at s->path (a folder;
 * node: its cache-tree node, or NO_NODE). */
static int same_tree(status *s, const git_oid *id, size_t node, size_t lo,
		     size_t hi, int depth)
{
	git_tree *tree = NULL;
	size_t i, k = lo, dirlen = s->path.size, n;
	int same = 1;

	if (node != NO_NODE && s->nodes[node].id &&
	    s->nodes[node].count >= 0 &&
	    (size_t)s->nodes[node].count == hi - lo &&
	    !memcmp(s->nodes[node].id, id->id, OID_SIZE))
		return 1;
	if (depth > MAX_DEPTH || git_tree_lookup(&tree, s->r->git, id) < 0)
		return 0;
	n = git_tree_entrycount(tree);
	for (i = 0; i < n && same; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);
		/* raw: libgit2's status compares the mode as written, which
		 * git_tree_entry_filemode normalizes (100664 → 100644) */
		git_filemode_t mode = git_tree_entry_filemode_raw(e);
		size_t end;

		s->path.size = dirlen;
		dlg_buf_puts(&s->path, name);
		if (mode == GIT_FILEMODE_BLOB ||
		    mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
			same = k < hi && !strcmp(s->t[k].path, s->path.ptr) &&
			       be32(s->t[k].entry + ENTRY_MODE) == mode &&
			       !memcmp(s->t[k].entry + ENTRY_OID,
				       git_tree_entry_id(e)->id, OID_SIZE);
			k++;
		} else if (mode == GIT_FILEMODE_TREE) {
			dlg_buf_puts(&s->path, "/");
			end = range_end(s, k, s->path.ptr, s->path.size);
			same = end > k &&
			       same_tree(s, git_tree_entry_id(e),
					 child_node(s, node, name,
						    strlen(name)),
					 k, end, depth + 1);
			k = end;
		} else {
			same = 0; /* a link or a submodule: libgit2 judges */
		}
	}
	s->path.size = dirlen;
	s->path.ptr[dirlen] = '\0';
	git_tree_free(tree);
	return same && k == hi;
}

/* Each folder of HEAD's root tree against its entries. */
static int head_same(status *s, const char *const *prefixes, size_t n)
{
	git_reference *ref = NULL;
	git_commit *head = NULL;
	git_tree *root = NULL;
	size_t k, lo, hi, len;
	int same = 1;

	if (git_repository_head(&ref, s->r->git) < 0 ||
	    git_commit_lookup(&head, s->r->git,
			      git_reference_target(ref)) < 0 ||
	    git_commit_tree(&root, head) < 0)
		same = 0;
	for (k = 0; k < n && same; k++) {
		const git_tree_entry *e;

		len = strlen(prefixes[k]);
		for (lo = 0; lo < s->nt &&
			     strncmp(s->t[lo].path, prefixes[k], len) < 0;
		     lo++)
			;
		hi = range_end(s, lo, prefixes[k], len);
		dlg_buf_clear(&s->path);
		dlg_buf_put(&s->path, prefixes[k], len - 1);
		e = git_tree_entry_byname(root, s->path.ptr);
		dlg_buf_puts(&s->path, "/");
		if (!e)
			same = lo == hi;
		else
			same = git_tree_entry_filemode_raw(e) ==
				       GIT_FILEMODE_TREE &&
			       same_tree(s, git_tree_entry_id(e),
					 child_node(s, ROOT, prefixes[k],
						    len - 1),
					 lo, hi, 1);
	}
	git_tree_free(root);
	git_commit_free(head);
	git_reference_free(ref);
	return same;
}

/* ---------------------------------------------------------------------
 * The index against the work tree.
 */
static int tracked_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const tracked *)elem)->path);
}

/* git's "racy" entry: the file's time is not before the index's, so it
 * may have changed after the index took its stat data, in the same tick.
 * Whole seconds, as git (built without USE_NSEC) compares them. */
static int racy(const status *s, const unsigned char *e)
{
	return be32(e + ENTRY_MTIME) >= (uint32_t)s->index_st.st_mtim.tv_sec;
}

/* The empty blob's id: an entry of size 0 whose id is another is git's
 * "racily smudged" entry, its stat data never to be trusted. */
static const unsigned char empty_blob[OID_SIZE] = {
	0xe6, 0x9d, 0xe2, 0x9b, 0xb2, 0xd1, 0xd6, 0x43, 0x4b, 0x8b,
	0x29, 0xae, 0x77, 0x5a, 0xd8, 0xc2, 0xe4, 0x8c, 0x53, 0x91,
};

/* The same file, unchanged: what the walk's stat saw (st) and what the
 * open descriptor's says (now). */
static int same_file(const struct stat *st, const struct stat *now)
{
	return now->st_dev == st->st_dev && now->st_ino == st->st_ino &&
	       now->st_mode == st->st_mode && now->st_size == st->st_size &&
	       now->st_mtim.tv_sec == st->st_mtim.tv_sec &&
	       now->st_mtim.tv_nsec == st->st_mtim.tv_nsec &&
	       now->st_ctim.tv_sec == st->st_ctim.tv_sec &&
	       now->st_ctim.tv_nsec == st->st_ctim.tv_nsec;
}

/* The bytes of the file the walk stat'ed as st at s->path: all of them,
 * read through a descriptor that is that file once read (not a link, nor
 * one put in its place, unchanged). 0, or -1 (libgit2 judges). */
static int read_same(dlg_buf *out, status *s, const struct stat *st)
{
	dlg_buf full = DLG_BUF_INIT;
	struct stat now;
	size_t got = 0;
	ssize_t n;
	char extra;
	int fd, ok = 0;

	dlg_buf_printf(&full, "%s/%s", dlg_repo_workdir(s->r), s->path.ptr);
	/* (a fifo put in its place must not hold the sync: O_NONBLOCK) */
	fd = open(full.ptr, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	dlg_buf_dispose(&full);
	if (fd < 0)
		return -1;
	if ((uint64_t)st->st_size <= MAX_HASHED) {
		dlg_buf_reserve(out, (size_t)st->st_size);
		while (got < (size_t)st->st_size &&
		       (n = read(fd, out->ptr + got,
				 (size_t)st->st_size - got)) > 0)
			got += (size_t)n;
		out->size = got;
		out->ptr[got] = '\0';
		ok = got == (size_t)st->st_size && read(fd, &extra, 1) == 0 &&
		     fstat(fd, &now) == 0 && same_file(st, &now);
	}
	close(fd);
	return ok ? 0 : -1;
}

/*
 * Whether the file the walk stat'ed as st, at s->path, hashes to id as
 * libgit2's status hashes it: through the filters git's attributes name
 * (crlf and ident, libgit2's only ones; an unknown driver is skipped, as
 * its status skips it). They change only bytes that hold a CR or "$Id",
 * so other bytes are hashed as they are: loading the filters looks the
 * attributes up, which loads libgit2's whole index.
 */
static int bytes_are(status *s, const struct stat *st,
		     const unsigned char *id)
{
	dlg_buf bytes = DLG_BUF_INIT;
	git_filter_list *filters = NULL;
	git_buf filtered = { NULL, 0, 0 };
	git_oid on_disk;
	int same = 0;

	if (read_same(&bytes, s, st) < 0)
		goto done;
	if ((memchr(bytes.ptr, '\r', bytes.size) ||
	     memmem(bytes.ptr, bytes.size, "$Id", 3)) &&
	    (git_filter_list_load(&filters, s->r->git, NULL, s->path.ptr,
				  GIT_FILTER_TO_ODB,
				  GIT_FILTER_ALLOW_UNSAFE) < 0 ||
	     (filters &&
	      git_filter_list_apply_to_buffer(&filtered, filters, bytes.ptr,
					      bytes.size) < 0)))
		goto done;
	same = (filters ? git_odb_hash(&on_disk, filtered.ptr, filtered.size,
				       GIT_OBJECT_BLOB)
			: git_odb_hash(&on_disk, bytes.ptr, bytes.size,
				       GIT_OBJECT_BLOB)) == 0 &&
	       !memcmp(on_disk.id, id, OID_SIZE);
done:
	git_buf_dispose(&filtered);
	git_filter_list_free(filters);
	dlg_buf_dispose(&bytes);
	return same;
}

/* Whether a file with st is its index entry's by the stat data: SAME, or
 * DIFFERS (its mode or size), or ASK_BYTES (its times, inode or owner
 * differ, or it is racy: bytes_are tells). */
enum { DIFFERS, SAME, ASK_BYTES };

static int stat_same(const status *s, const tracked *t, const struct stat *st)
{
	const unsigned char *e = t->entry;
	uint32_t mode = be32(e + ENTRY_MODE), size = be32(e + ENTRY_SIZE);

	/* libgit2 takes the owner's x bit, delegit's index any x bit */
	if (!(st->st_mode & 0111) != !(st->st_mode & 0100) ||
	    mode != (st->st_mode & 0100 ? MODE_EXECUTABLE : MODE_FILE))
		return DIFFERS;
	/* a size that differs is a change (libgit2 hashes only an entry
	 * that kept no size) */
	if (size != (uint32_t)st->st_size && size != 0)
		return DIFFERS;
	if (size == (uint32_t)st->st_size &&
	    (size || !memcmp(e + ENTRY_OID, empty_blob, OID_SIZE)) &&
	    be32(e + ENTRY_MTIME) == (uint32_t)st->st_mtim.tv_sec &&
	    be32(e + ENTRY_MTIME_NSEC) == (uint32_t)st->st_mtim.tv_nsec &&
	    be32(e + ENTRY_CTIME) == (uint32_t)st->st_ctim.tv_sec &&
	    be32(e + ENTRY_CTIME_NSEC) == (uint32_t)st->st_ctim.tv_nsec &&
	    be32(e + ENTRY_INO) == (uint32_t)st->st_ino &&
	    be32(e + ENTRY_UID) == (uint32_t)st->st_uid &&
	    be32(e + ENTRY_GID) == (uint32_t)st->st_gid && !racy(s, e))
		return SAME;
	return ASK_BYTES;
}

/* Left out of libgit2's status unless tracked: an ignored path. */
static int ignored(status *s)
{
	int ig = 0;

	return git_ignore_path_is_ignored(&ig, s->r->git, s->path.ptr) == 0 &&
	       ig;
}

/*
 * The walk of the work tree, in two threads (the stat of every file is
 * most of the proof's time, as it is of git's status, which also stats in
 * threads). The folders at the top (tasks/, ...) are read first, and
 * their subfolders shared out. A thread only stats and compares; what
 * needs libgit2 (a file's bytes, the ignore rules) it leaves to the
 * calling thread, which alone asks libgit2, after the walk.
 */
typedef struct {
	int dirfd;  /* the top folder's */
	char *name; /* the subfolder's, in it */
	char *path; /* from the work tree, with its slash */
} folder;

typedef struct {
	char *path;	   /* from the work tree */
	const tracked *t;  /* its entry; NULL: untracked, ask the ignore rules */
	struct stat st;	   /* as the walk saw it */
} later;

typedef struct walk_job walk_job;

typedef struct {
	walk_job *job;
	dlg_buf path;
	size_t seen; /* entries found */
	later *later;
	size_t nlater, alater;
	int same;
} walker;

struct walk_job {
	status *s;
	folder *folders;
	size_t nfolders, afolders;
	atomic_size_t next;
	atomic_int stop; /* a walker found a difference */
};

static void leave_later(walker *w, const tracked *t, const struct stat *st)
{
	if (w->nlater == w->alater) {
		w->alater = w->alater ? 2 * w->alater : 16;
		if (!(w->later = realloc(w->later,
					 w->alater * sizeof(*w->later))))
			abort();
	}
	if (!(w->later[w->nlater].path = strdup(w->path.ptr)))
		abort();
	w->later[w->nlater].st = *st;
	w->later[w->nlater++].t = t;
}

static void add_folder(walk_job *j, int dirfd, const char *name,
		       const char *path)
{
	if (j->nfolders == j->afolders) {
		j->afolders = j->afolders ? 2 * j->afolders : 64;
		if (!(j->folders = realloc(j->folders,
					   j->afolders * sizeof(*j->folders))))
			abort();
	}
	j->folders[j->nfolders].dirfd = dirfd;
	if (!(j->folders[j->nfolders].name = strdup(name)) ||
	    !(j->folders[j->nfolders].path = strdup(path)))
		abort();
	j->nfolders++;
}

/* The folder at w->path (open as fd, which is closed): every file in it
 * tracked and the same by its stat data (or left for later), or left for
 * the ignore rules. At the top (top: the top folder's fd, kept open), its
 * subfolders are added to the job instead of walked. */
static int folder_same(walker *w, int fd, int depth, int top)
{
	const status *s = w->job->s;
	size_t dirlen = w->path.size;
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int same = 1;

	if (depth > MAX_DEPTH || !(dir = fdopendir(fd))) {
		close(fd);
		return 0;
	}
	while (same && !atomic_load(&w->job->stop) &&
	       (errno = 0, d = readdir(dir))) {
		tracked *t;

		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		w->path.size = dirlen;
		dlg_buf_puts(&w->path, d->d_name);
		/* a repository inside (.git a folder, a file or a link):
		 * libgit2 judges */
		if (!strcmp(d->d_name, ".git") ||
		    fstatat(dirfd(dir), d->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) < 0) {
			same = 0;
		} else if (S_ISDIR(st.st_mode)) {
			int sub;

			dlg_buf_puts(&w->path, "/");
			if (top >= 0) {
				add_folder(w->job, top, d->d_name, w->path.ptr);
				continue;
			}
			same = (sub = openat(dirfd(dir), d->d_name,
					     O_RDONLY | O_DIRECTORY |
						     O_NOFOLLOW |
						     O_CLOEXEC)) >= 0 &&
			       folder_same(w, sub, depth + 1, -1);
		} else if (S_ISREG(st.st_mode) &&
			   (t = bsearch(w->path.ptr, s->t, s->nt, sizeof(*s->t),
					tracked_cmp))) {
			/* (each path is one thread's: no two write one t) */
			int by_stat = t->seen ? DIFFERS : stat_same(s, t, &st);

			t->seen = 1;
			w->seen++;
			if (by_stat == ASK_BYTES)
				leave_later(w, t, &st);
			same = by_stat != DIFFERS;
		} else if (S_ISREG(st.st_mode)) {
			leave_later(w, NULL, &st);
		} else {
			/* an untracked link or fifo: left to libgit2
			 * (git_ignore_path_is_ignored follows a link to a
			 * folder into a "name/" rule, which neither status
			 * does) */
			same = 0;
		}
	}
	if (same && errno)
		same = 0; /* readdir failed */
	closedir(dir);
	w->path.size = dirlen;
	w->path.ptr[dirlen] = '\0';
	/* a walk another walker stopped is not a whole one */
	return same && !atomic_load(&w->job->stop);
}

/* Subfolders from the job, until none is left or a difference is found. */
static void *walk_folders(void *arg)
{
	walker *w = arg;
	walk_job *j = w->job;
	size_t i;
	int fd;

	while (w->same && !atomic_load(&j->stop) &&
	       (i = atomic_fetch_add(&j->next, 1)) < j->nfolders) {
		fd = openat(j->folders[i].dirfd, j->folders[i].name,
			    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dlg_buf_clear(&w->path);
		dlg_buf_puts(&w->path, j->folders[i].path);
		w->same = fd >= 0 && folder_same(w, fd, 1, -1);
	}
	if (!w->same)
		atomic_store(&j->stop, 1);
	return NULL;
}

/* What the walkers left: each file's bytes, each untracked file's ignore
 * rules (libgit2, from this thread only). */
static int later_same(status *s, const walker *w)
{
	size_t i;
	int same = 1;

	for (i = 0; i < w->nlater && same; i++) {
		dlg_buf_clear(&s->path);
		dlg_buf_puts(&s->path, w->later[i].path);
		same = w->later[i].t
			       ? bytes_are(s, &w->later[i].st,
					   w->later[i].t->entry + ENTRY_OID)
			       : ignored(s);
	}
	return same;
}

static void walker_dispose(walker *w)
{
	size_t i;

	for (i = 0; i < w->nlater; i++)
		free(w->later[i].path);
	free(w->later);
	dlg_buf_dispose(&w->path);
}

static int worktree_same(status *s, const char *const *prefixes, size_t n)
{
	const char *workdir = dlg_repo_workdir(s->r);
	walk_job j;
	walker w[2];
	int tops[8], ntops = 0, fd, same = 1, helper = 0;
	pthread_t thread;
	struct stat st;
	size_t k;

	if (n > sizeof(tops) / sizeof(tops[0]))
		return 0;
	memset(&j, 0, sizeof(j));
	j.s = s;
	atomic_init(&j.next, 0);
	atomic_init(&j.stop, 0);
	for (k = 0; k < 2; k++)
		w[k] = (walker){ &j, DLG_BUF_INIT, 0, NULL, 0, 0, 1 };
	for (k = 0; k < n && same; k++) {
		dlg_buf_clear(&w[0].path);
		/* without the slash, or a link there would be followed; a
		 * dangling link is not "no folder" */
		dlg_buf_printf(&w[0].path, "%s/%.*s", workdir,
			       (int)strlen(prefixes[k]) - 1, prefixes[k]);
		if (lstat(w[0].path.ptr, &st) < 0 && errno == ENOENT)
			continue; /* no such folder: nothing in it is new */
		fd = open(w[0].path.ptr,
			  O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		dlg_buf_clear(&w[0].path);
		dlg_buf_puts(&w[0].path, prefixes[k]);
		/* kept open for its subfolders */
		if (fd < 0 || (tops[ntops] = dup(fd)) < 0) {
			if (fd >= 0)
				close(fd);
			same = 0;
			break;
		}
		ntops++;
		same = folder_same(&w[0], fd, 0, tops[ntops - 1]);
	}
	if (same) {
		helper = j.nfolders > 1 &&
			 !pthread_create(&thread, NULL, walk_folders, &w[1]);
		walk_folders(&w[0]);
		if (helper)
			pthread_join(thread, NULL);
		/* and no entry without its file */
		same = w[0].same && w[1].same &&
		       w[0].seen + w[1].seen == s->nt;
		for (k = 0; k < 2 && same; k++)
			same = later_same(s, &w[k]);
	}
	for (k = 0; k < j.nfolders; k++) {
		free(j.folders[k].name);
		free(j.folders[k].path);
	}
	free(j.folders);
	while (ntops > 0)
		close(tops[--ntops]);
	walker_dispose(&w[0]);
	walker_dispose(&w[1]);
	return same;
}

/* ---------------------------------------------------------------------
 * The question.
 */
int dlg_sync__worktree_unchanged(dlg_repo *r, const char *const *prefixes,
				 size_t n)
{
	status s = { r, { 0 }, { 0 }, NULL, 0, 0, NULL, 0, DLG_BUF_INIT };
	int same = 0;

	if (!top_folders(prefixes, n) || !dlg_repo_workdir(r) ||
	    !dlg_sync__index_hash_handled(r) ||
	    dlg_sync__ignores_case(r->git))
		return 0;
	dlg_buf_printf(&s.path, "%sindex", git_repository_path(r->git));
	same = dlg_sync__index_open(&s.ix, &s.index_st, s.path.ptr) == 0 &&
	       dlg_sync__index_checksum_ok(&s.ix, &s.index_st) &&
	       list_entries(&s, prefixes, n) &&
	       dlg_sync__index_parse_extensions(&s.ix) == 0;
	if (same && s.ix.tree) {
		const unsigned char *p = s.ix.tree;
		size_t root;

		same = read_node(&s, &root, &p, s.ix.tree + s.ix.tree_len, 0) &&
		       p == s.ix.tree + s.ix.tree_len;
	}
	same = same && head_same(&s, prefixes, n) &&
	       worktree_same(&s, prefixes, n);
	dlg_sync__index_close(&s.ix);
	free(s.nodes);
	free(s.t);
	dlg_buf_dispose(&s.path);
	dlg_error_clear();
	return same;
}
