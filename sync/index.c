/*
 * Keeping git's index in step with a commit of a few files, at a cost that
 * does not grow with the number of tasks more than copying bytes does.
 *
 * libgit2 reads the whole index into objects (a hash table and one
 * allocation per entry) and writes it back: about 200 ms at 100,000 tasks
 * here. A delegit commit changes a handful of entries, so this file edits
 * the index as bytes instead: the entries before and after a changed path
 * are copied as they are, the changed ones written from the file's stat
 * data and blob id, the cache-tree extension invalidated along the changed
 * paths exactly as git's own cache_tree_invalidate_path does, and the
 * optional caches that hold positions or directory states (untracked
 * cache, fsmonitor, offset tables, resolve-undo) dropped; git rebuilds them
 * when it needs them. The index format is git's
 * Documentation/gitformat-index.txt (versions 2 and 3). Anything unusual
 * (version 4, a split or sparse index, a path in conflict, a missing
 * index) returns 1 and the caller lets libgit2 do it. See docs/design.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sync_internal.h"

#define ENTRY_MIN 62 /* the fixed part of an entry */

typedef struct {
	const char *path;
	unsigned char entry[ENTRY_MIN + 4096 + 8]; /* the new entry */
	size_t len;				     /* 0: remove the path */
	size_t at;				     /* where it goes */
	int replaces;				     /* an entry is there */
} change;

static uint32_t be32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void put32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

/* The entry at p: its length, its path and its flags; 0 if damaged. */
static size_t entry_at(const unsigned char *p, const unsigned char *end,
		       unsigned version, const char **path, unsigned *flags)
{
	size_t fixed = ENTRY_MIN, namelen;
	const unsigned char *nul;

	if ((size_t)(end - p) < ENTRY_MIN + 1)
		return 0;
	*flags = (unsigned)p[60] << 8 | p[61];
	if (*flags & 0x4000) { /* extended flags (version 3) */
		if (version < 3)
			return 0;
		fixed += 2;
	}
	*path = (const char *)p + fixed;
	namelen = *flags & 0xfff;
	if (namelen == 0xfff) { /* longer: find its end */
		if (!(nul = memchr(p + fixed, '\0', (size_t)(end - p) - fixed)))
			return 0;
		namelen = (size_t)(nul - (p + fixed));
	} else if ((size_t)(end - p) <= fixed + namelen ||
		   p[fixed + namelen] != '\0' ||
		   memchr(p + fixed, '\0', namelen)) {
		return 0;
	}
	/* NUL-padded to a multiple of 8, at least one NUL. */
	return (fixed + namelen + 8) & ~(size_t)7;
}

static int new_entry(change *c, const char *workdir, const git_oid *id,
		     size_t len)
{
	unsigned char *e = c->entry;
	size_t namelen = strlen(c->path);
	char *full;
	struct stat st;
	int fresh;

	if (namelen >= 4096)
		return 1;
	if (!(full = malloc(strlen(workdir) + namelen + 1)))
		abort();
	strcpy(full, workdir);
	strcat(full, c->path);
	fresh = lstat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		(size_t)st.st_size == len;
	/* The work tree should hold the bytes committed; if its file is not
	 * that size, give it no stat data, so that git compares the bytes. */
	if (fresh) {
		git_oid on_disk;

		fresh = git_odb_hashfile(&on_disk, full, GIT_OBJECT_BLOB) == 0 &&
			git_oid_equal(&on_disk, id);
	}
	free(full);
	memset(e, 0, sizeof(c->entry));
	if (fresh) {
		put32(e + 0, (uint32_t)st.st_ctim.tv_sec);
		put32(e + 4, (uint32_t)st.st_ctim.tv_nsec);
		put32(e + 8, (uint32_t)st.st_mtim.tv_sec);
		put32(e + 12, (uint32_t)st.st_mtim.tv_nsec);
		put32(e + 16, (uint32_t)st.st_dev);
		put32(e + 20, (uint32_t)st.st_ino);
		put32(e + 24, st.st_mode & 0111 ? 0100755 : 0100644);
		put32(e + 28, (uint32_t)st.st_uid);
		put32(e + 32, (uint32_t)st.st_gid);
		put32(e + 36, (uint32_t)st.st_size);
	} else {
		put32(e + 24, 0100644);
	}
	memcpy(e + 40, id->id, 20);
	e[60] = (unsigned char)((namelen < 0xfff ? namelen : 0xfff) >> 8);
	e[61] = (unsigned char)(namelen < 0xfff ? namelen : 0xfff);
	memcpy(e + ENTRY_MIN, c->path, namelen);
	c->len = (ENTRY_MIN + namelen + 8) & ~(size_t)7;
	return 0;
}

/* ---------------------------------------------------------------------
 * The cache-tree extension ("TREE"): a node per directory, in pre-order:
 * its path component, NUL, entry count (-1: invalid), space, number of
 * subtrees, newline, then the tree id if valid. Nodes on a changed path
 * become invalid, as git's cache_tree_invalidate_path makes them.
 */
typedef struct {
	const unsigned char *p, *end;
	dlg_buf *out;
	const change *changes;
	size_t nchanges;
	int ok;
} tree_walk;

static int on_changed_path(const tree_walk *w, const char *dir, size_t len)
{
	size_t i;

	for (i = 0; i < w->nchanges; i++)
		if (!strncmp(w->changes[i].path, dir, len) &&
		    (len == 0 || w->changes[i].path[len] == '/'))
			return 1;
	return 0;
}

static void tree_node(tree_walk *w, dlg_buf *dir)
{
	const unsigned char *nul, *nl;
	long count, subtrees, i;
	size_t dirlen = dir->size, namelen;
	char *endp;

	if (!w->ok || !(nul = memchr(w->p, '\0', (size_t)(w->end - w->p))) ||
	    !(nl = memchr(nul, '\n', (size_t)(w->end - nul)))) {
		w->ok = 0;
		return;
	}
	namelen = (size_t)(nul - w->p);
	count = strtol((const char *)nul + 1, &endp, 10);
	if (*endp != ' ' || (subtrees = strtol(endp + 1, &endp, 10)) < 0 ||
	    endp != (const char *)nl || subtrees > 100000) {
		w->ok = 0;
		return;
	}
	if (dirlen)
		dlg_buf_puts(dir, "/");
	dlg_buf_put(dir, (const char *)w->p, namelen);
	dlg_buf_put(w->out, (const char *)w->p, namelen + 1);
	w->p = nl + 1;
	if (count >= 0) {
		if ((size_t)(w->end - w->p) < 20) {
			w->ok = 0;
			return;
		}
		if (on_changed_path(w, dir->ptr, dir->size)) {
			dlg_buf_printf(w->out, "-1 %ld\n", subtrees);
		} else {
			dlg_buf_printf(w->out, "%ld %ld\n", count, subtrees);
			dlg_buf_put(w->out, (const char *)w->p, 20);
		}
		w->p += 20;
	} else {
		dlg_buf_printf(w->out, "-1 %ld\n", subtrees);
	}
	for (i = 0; i < subtrees && w->ok; i++)
		tree_node(w, dir);
	dir->size = dirlen;
	dir->ptr[dirlen] = '\0';
}

static int rewrite_tree(dlg_buf *out, const unsigned char *data, size_t len,
			const change *changes, size_t n)
{
	dlg_buf dir = DLG_BUF_INIT;
	tree_walk w = { data, data + len, out, changes, n, 1 };

	tree_node(&w, &dir);
	dlg_buf_dispose(&dir);
	return w.ok && w.p == w.end ? 0 : -1;
}

/* ---------------------------------------------------------------------
 * Writing: the new index is a list of pieces (most of them the old
 * index's bytes); one thread hashes them while the other writes them.
 */
typedef struct {
	struct iovec *v;
	size_t n, alloc;
	unsigned char digest[20];
	int ok;
} pieces;

static void piece(pieces *p, const void *data, size_t len)
{
	if (!len)
		return;
	if (p->n == p->alloc) {
		p->alloc = p->alloc ? p->alloc * 2 : 16;
		p->v = realloc(p->v, p->alloc * sizeof(*p->v));
		if (!p->v)
			abort();
	}
	p->v[p->n].iov_base = (void *)data;
	p->v[p->n++].iov_len = len;
}

static void *hash_pieces(void *arg)
{
	pieces *p = arg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t i;

	p->ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL);
	for (i = 0; p->ok && i < p->n; i++)
		p->ok = EVP_DigestUpdate(ctx, p->v[i].iov_base, p->v[i].iov_len);
	p->ok = p->ok && EVP_DigestFinal_ex(ctx, p->digest, NULL);
	EVP_MD_CTX_free(ctx);
	return NULL;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The pieces, then their SHA-1 (git's trailing checksum), to fd. */
static int write_pieces(int fd, pieces *p)
{
	pthread_t hasher;
	int threaded = !pthread_create(&hasher, NULL, hash_pieces, p);
	int ok = 1;
	size_t i;

	for (i = 0; ok && i < p->n; i++)
		ok = !write_all(fd, p->v[i].iov_base, p->v[i].iov_len);
	if (threaded)
		pthread_join(hasher, NULL);
	else
		hash_pieces(p);
	return ok && p->ok && !write_all(fd, (const char *)p->digest, 20)
		       ? 0 : -1;
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const change *)a)->path, ((const change *)b)->path);
}

int dlg_sync__index_update(dlg_repo *r, int lockfd,
			   const dlg_commit_file *files, const git_oid *ids,
			   size_t nfiles)
{
	const char *gitdir = git_repository_path(r->git);
	dlg_buf path = DLG_BUF_INIT, lock = DLG_BUF_INIT, tree = DLG_BUF_INIT;
	const unsigned char *map = NULL, *p, *end;
	unsigned char header[12];
	change *changes = NULL;
	size_t size = 0, i, k, nentries, count;
	unsigned version;
	pieces out = { NULL, 0, 0, { 0 }, 0 };
	int result = 1;

	dlg_buf_printf(&path, "%sindex", gitdir);
	dlg_buf_printf(&lock, "%sindex.lock", gitdir);
	/* git's own lock: while we hold it, no git process writes the index.
	 * (The commit takes it before it moves the branch.) */
	if (lockfd < 0)
		lockfd = open(lock.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0666);
	if (lockfd < 0) {
		dlg_error_set("cannot lock '%s': %s (is another git process "
			      "running?)", lock.ptr, strerror(errno));
		lockfd = -2; /* someone else's lock: leave it */
		result = -1;
		goto done;
	}
	if (!(map = (const unsigned char *)dlg_path_map(path.ptr, &size)) ||
	    size < 32)
		goto done;
	version = be32(map + 4);
	nentries = be32(map + 8);
	if (memcmp(map, "DIRC", 4) || (version != 2 && version != 3))
		goto done;
	changes = calloc(nfiles, sizeof(*changes));
	if (!changes)
		abort();
	for (i = 0; i < nfiles; i++) {
		changes[i].path = files[i].path;
		if (files[i].data &&
		    new_entry(&changes[i], dlg_repo_workdir(r), &ids[i],
			      files[i].len))
			goto done;
	}
	qsort(changes, nfiles, sizeof(*changes), cmp_change);
	for (i = 1; i < nfiles; i++)
		if (!strcmp(changes[i - 1].path, changes[i].path))
			goto done;
	/* Find where each changed path is or goes: entries are sorted by
	 * path (then stage), so one walk finds them all. */
	p = map + 12;
	end = map + size - 20;
	for (k = 0, i = 0; k < nentries; k++) {
		const char *name;
		unsigned flags;
		size_t len = entry_at(p, end, version, &name, &flags);

		if (!len)
			goto done;
		while (i < nfiles && strcmp(changes[i].path, name) < 0)
			changes[i++].at = (size_t)(p - map);
		if (i < nfiles && !strcmp(changes[i].path, name)) {
			/* In conflict, or flagged (skip-worktree,
			 * intent-to-add): leave it to libgit2. */
			if ((flags & 0x3000) || (flags & 0x4000))
				goto done;
			changes[i].at = (size_t)(p - map);
			changes[i].replaces = 1;
			i++;
		}
		p += len;
	}
	while (i < nfiles)
		changes[i++].at = (size_t)(p - map);
	/* The extensions: keep what stays true, rewrite TREE. */
	{
		const unsigned char *x = p;

		while ((size_t)(end - x) >= 8) {
			uint32_t xlen = be32(x + 4);

			if (xlen > (size_t)(end - x) - 8)
				goto done;
			if (!(x[0] >= 'A' && x[0] <= 'Z'))
				goto done; /* required: link, sdir, ... */
			if (!memcmp(x, "TREE", 4)) {
				dlg_buf_put(&tree, "TREE\0\0\0\0", 8);
				if (rewrite_tree(&tree, x + 8, xlen, changes,
						 nfiles) < 0)
					goto done;
				put32((unsigned char *)tree.ptr + 4,
				      (uint32_t)(tree.size - 8));
			}
			x += 8 + xlen;
		}
		if (x != end)
			goto done;
	}
	count = nentries;
	for (i = 0; i < nfiles; i++)
		count += (changes[i].len ? 1 : 0) - (changes[i].replaces ? 1 : 0);
	memcpy(header, map, 8);
	put32(header + 8, (uint32_t)count);
	piece(&out, header, 12);
	{
		size_t from = 12;

		for (i = 0; i < nfiles; i++) {
			const change *c = &changes[i];

			piece(&out, map + from, c->at - from);
			piece(&out, c->entry, c->len);
			from = c->at;
			if (c->replaces) {
				const char *name;
				unsigned flags;

				from += entry_at(map + c->at, end, version,
						 &name, &flags);
			}
		}
		piece(&out, map + from, (size_t)(p - map) - from);
	}
	piece(&out, tree.ptr, tree.size);
	result = write_pieces(lockfd, &out);
	if (close(lockfd) < 0)
		result = -1;
	lockfd = -1;
	if (result < 0 || rename(lock.ptr, path.ptr) < 0) {
		dlg_error_set("cannot write '%s': %s", path.ptr,
			      strerror(errno));
		result = -1;
		goto done;
	}
	result = 0;
done:
	if (lockfd >= 0)
		close(lockfd);
	/* Not written (or given up on): let go of git's lock, if ours. */
	if (result != 0 && lockfd != -2)
		unlink(lock.ptr);
	free(out.v);
	if (map)
		munmap((void *)map, size);
	free(changes);
	dlg_buf_dispose(&tree);
	dlg_buf_dispose(&lock);
	dlg_buf_dispose(&path);
	return result;
}
