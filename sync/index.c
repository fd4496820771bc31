/*
 * Keeping git's index in step with a commit of a few files, at a cost that
 * does not grow with the number of tasks more than copying bytes does.
 *
 * libgit2 reads the whole index into objects (a hash table and one
 * allocation per entry) and writes it back: about 200 ms at 100,000 tasks
 * here. A delegit commit changes a handful of entries, so this file edits
 * the index as bytes instead, in three steps. Parse: the header and the
 * extensions, refusing what it does not write (version 4, a hash other
 * than SHA-1, a required extension: split or sparse index). Plan: the
 * changed entries made from the file's stat data and blob id, where each
 * goes (one walk over the sorted entries), and the cache-tree extension
 * invalidated along the changed paths exactly as git's own
 * cache_tree_invalidate_path does; the optional caches that hold positions
 * or directory states (untracked cache, fsmonitor, offset tables,
 * resolve-undo) are dropped, git rebuilds them when it needs them. Write:
 * the old bytes between the changes, the new entries and the new TREE,
 * hashed in a second thread. The format is git's
 * Documentation/gitformat-index.txt. Anything unusual (also a path in
 * conflict or flagged, a missing index) returns DLG_SYNC_FALLBACK and the
 * caller lets libgit2 do it. See docs/design.md.
 */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "gitindex.h"

typedef struct {
	const char *path;
	unsigned char entry[ENTRY_MIN + ENTRY_PATH_MAX + 8]; /* the new entry */
	size_t len;				     /* 0: remove the path */
	size_t at;				     /* where it goes */
	int replaces;				     /* an entry is there */
} change;


size_t dlg_sync__index_entry_at(const unsigned char *p,
				const unsigned char *end, unsigned version,
				const char **path, unsigned *flags)
{
	size_t fixed = ENTRY_MIN, namelen;
	const unsigned char *nul;

	if (p > end || (size_t)(end - p) < ENTRY_MIN + 1)
		return 0;
	*flags = (unsigned)p[ENTRY_FLAGS] << 8 | p[ENTRY_FLAGS + 1];
	if (*flags & FLAG_EXTENDED) {
		if (version < 3)
			return 0;
		fixed += ENTRY_EXTENDED_FLAGS;
		if ((size_t)(end - p) < fixed + 1)
			return 0;
	}
	*path = (const char *)p + fixed;
	namelen = *flags & FLAG_NAME_MASK;
	if (namelen == FLAG_NAME_MASK) { /* longer: find its end */
		if (!(nul = memchr(p + fixed, '\0', (size_t)(end - p) - fixed)))
			return 0;
		namelen = (size_t)(nul - (p + fixed));
	} else if ((size_t)(end - p) <= fixed + namelen ||
		   p[fixed + namelen] != '\0' ||
		   memchr(p + fixed, '\0', namelen)) {
		return 0;
	}
	/* its NULs too before the end */
	return padded(fixed + namelen) <= (size_t)(end - p)
		       ? padded(fixed + namelen)
		       : 0;
}

/* ---------------------------------------------------------------------
 * Parsing: the header, then (after the entries) the extensions. Anything
 * this file does not write correctly is DLG_SYNC_FALLBACK.
 */
int dlg_sync__index_parse_header(index_file *ix, const unsigned char *map,
				 size_t size)
{
	memset(ix, 0, sizeof(*ix));
	ix->map = map;
	ix->size = size;
	if (size < HEADER_SIZE + CHECKSUM_SIZE ||
	    memcmp(map, HEADER_SIGNATURE, 4))
		return DLG_SYNC_FALLBACK;
	ix->version = be32(map + HEADER_VERSION);
	ix->nentries = be32(map + HEADER_COUNT);
	ix->end = map + size - CHECKSUM_SIZE;
	/* an entry takes 64 bytes at least */
	if (ix->nentries > (size - HEADER_SIZE - CHECKSUM_SIZE) / 64)
		return DLG_SYNC_FALLBACK;
	/* Version 4 compresses paths against the entry before: not handled. */
	return ix->version == 2 || ix->version == 3 ? 0 : DLG_SYNC_FALLBACK;
}

int dlg_sync__index_open(index_file *ix, struct stat *st, const char *path)
{
	void *map;
	int fd = open(path, O_RDONLY | O_CLOEXEC), error;

	memset(ix, 0, sizeof(*ix));
	if (fd < 0)
		return DLG_SYNC_FALLBACK;
	if (fstat(fd, st) < 0 || st->st_size <= 0 ||
	    (map = mmap(NULL, (size_t)st->st_size, PROT_READ, MAP_PRIVATE, fd,
			0)) == MAP_FAILED) {
		close(fd);
		return DLG_SYNC_FALLBACK;
	}
	close(fd);
	if ((error = dlg_sync__index_parse_header(ix, map,
						  (size_t)st->st_size))) {
		munmap(map, (size_t)st->st_size);
		memset(ix, 0, sizeof(*ix));
	}
	return error;
}

void dlg_sync__index_close(index_file *ix)
{
	if (ix->map)
		munmap((void *)ix->map, ix->size);
	memset(ix, 0, sizeof(*ix));
}

/* The index last found whole in this process, by its stat data: a sync
 * reads it up to four times (the hand-edit check, the merge's attributes,
 * the checkout's attributes and its edit), and hashing 12 MB at 100,000
 * tasks took 9 ms each time. git, libgit2 and delegit write an index
 * beside it and rename it over, so a new index is a new file: the check
 * is for damage, which changes no stat data only where a disk fails under
 * a running sync. */
static struct {
	int set;
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim, ctim;
} whole;

int dlg_sync__index_checksum_ok(const index_file *ix, const struct stat *st)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	if (whole.set && whole.dev == st->st_dev && whole.ino == st->st_ino &&
	    whole.size == st->st_size &&
	    whole.mtim.tv_sec == st->st_mtim.tv_sec &&
	    whole.mtim.tv_nsec == st->st_mtim.tv_nsec &&
	    whole.ctim.tv_sec == st->st_ctim.tv_sec &&
	    whole.ctim.tv_nsec == st->st_ctim.tv_nsec)
		return 1;
	if (!EVP_Digest(ix->map, (size_t)(ix->end - ix->map), md, &len,
			EVP_sha1(), NULL) ||
	    len != CHECKSUM_SIZE || memcmp(md, ix->end, CHECKSUM_SIZE))
		return 0;
	whole.set = 1;
	whole.dev = st->st_dev;
	whole.ino = st->st_ino;
	whole.size = st->st_size;
	whole.mtim = st->st_mtim;
	whole.ctim = st->st_ctim;
	return 1;
}

/* The optional extensions other than TREE are dropped when written. */
int dlg_sync__index_parse_extensions(index_file *ix)
{
	const unsigned char *x = ix->entries_end;

	while ((size_t)(ix->end - x) >= EXTENSION_HEADER) {
		uint32_t len = be32(x + 4);

		if (len > (size_t)(ix->end - x) - EXTENSION_HEADER ||
		    !(x[0] >= 'A' && x[0] <= 'Z'))
			return DLG_SYNC_FALLBACK;
		if (!memcmp(x, EXTENSION_TREE, 4)) {
			ix->tree = x + EXTENSION_HEADER;
			ix->tree_len = len;
		}
		x += EXTENSION_HEADER + len;
	}
	return x == ix->end ? 0 : DLG_SYNC_FALLBACK;
}

/* ---------------------------------------------------------------------
 * Planning: the new entries, where each goes, and the new TREE.
 */
static int new_entry(change *c, const char *workdir, const git_oid *id,
		     size_t len)
{
	unsigned char *e = c->entry;
	size_t namelen = strlen(c->path);
	char *full;
	struct stat st;
	int fresh;

	if (namelen >= ENTRY_PATH_MAX)
		return DLG_SYNC_FALLBACK;
	/* (the work tree is named without a trailing slash) */
	if (!(full = malloc(strlen(workdir) + 1 + namelen + 1)))
		abort();
	strcpy(full, workdir);
	strcat(full, "/");
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
		put32(e + ENTRY_CTIME, (uint32_t)st.st_ctim.tv_sec);
		put32(e + ENTRY_CTIME_NSEC, (uint32_t)st.st_ctim.tv_nsec);
		put32(e + ENTRY_MTIME, (uint32_t)st.st_mtim.tv_sec);
		put32(e + ENTRY_MTIME_NSEC, (uint32_t)st.st_mtim.tv_nsec);
		put32(e + ENTRY_DEV, (uint32_t)st.st_dev);
		put32(e + ENTRY_INO, (uint32_t)st.st_ino);
		put32(e + ENTRY_MODE,
		      /* git's rule: the owner's bit */
		      st.st_mode & S_IXUSR ? MODE_EXECUTABLE : MODE_FILE);
		put32(e + ENTRY_UID, (uint32_t)st.st_uid);
		put32(e + ENTRY_GID, (uint32_t)st.st_gid);
		put32(e + ENTRY_SIZE, (uint32_t)st.st_size);
	} else {
		put32(e + ENTRY_MODE, MODE_FILE);
	}
	memcpy(e + ENTRY_OID, id->id, OID_SIZE);
	if (namelen > FLAG_NAME_MASK)
		namelen = FLAG_NAME_MASK;
	e[ENTRY_FLAGS] = (unsigned char)(namelen >> 8);
	e[ENTRY_FLAGS + 1] = (unsigned char)namelen;
	namelen = strlen(c->path);
	memcpy(e + ENTRY_MIN, c->path, namelen);
	c->len = padded(ENTRY_MIN + namelen);
	return 0;
}

static int cmp_change(const void *a, const void *b)
{
	return strcmp(((const change *)a)->path, ((const change *)b)->path);
}

/* The changes sorted by path: DLG_SYNC_FALLBACK if one is there twice. */
static int sort_changes(change *changes, size_t n)
{
	size_t i;

	qsort(changes, n, sizeof(*changes), cmp_change);
	for (i = 1; i < n; i++)
		if (!strcmp(changes[i - 1].path, changes[i].path))
			return DLG_SYNC_FALLBACK;
	return 0;
}

/* The changes, their entries made, sorted by path; each path once. */
static int plan_changes(change **out, dlg_repo *r,
			const dlg_commit_file *files, const git_oid *ids,
			size_t nfiles)
{
	change *changes = calloc(nfiles + 1, sizeof(*changes));
	size_t i;
	int error = 0;

	if (!changes)
		abort();
	*out = changes;
	for (i = 0; i < nfiles && !error; i++) {
		changes[i].path = files[i].path;
		if (files[i].data)
			error = new_entry(&changes[i], dlg_repo_workdir(r),
					  &ids[i], files[i].len);
	}
	return error ? error : sort_changes(changes, nfiles);
}

/* Where each changed path is or goes: entries are sorted by path (then
 * stage), so one walk over them finds them all and where they end. */
static int plan_places(index_file *ix, change *changes, size_t nfiles)
{
	const unsigned char *p = ix->map + HEADER_SIZE;
	size_t i = 0, k;

	for (k = 0; k < ix->nentries; k++) {
		const char *name;
		unsigned flags;
		size_t len = dlg_sync__index_entry_at(p, ix->end, ix->version,
						      &name, &flags);

		if (!len)
			return DLG_SYNC_FALLBACK;
		while (i < nfiles && strcmp(changes[i].path, name) < 0)
			changes[i++].at = (size_t)(p - ix->map);
		if (i < nfiles && !strcmp(changes[i].path, name)) {
			/* In conflict, or flagged (skip-worktree,
			 * intent-to-add): leave it to libgit2. */
			if (flags & (FLAG_STAGE | FLAG_EXTENDED))
				return DLG_SYNC_FALLBACK;
			changes[i].at = (size_t)(p - ix->map);
			changes[i].replaces = 1;
			i++;
		}
		p += len;
	}
	while (i < nfiles)
		changes[i++].at = (size_t)(p - ix->map);
	ix->entries_end = p;
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

/* A decimal number of digits only, at most max: past it, or NULL. */
static const unsigned char *decimal(const unsigned char *p,
				    const unsigned char *end, long max,
				    long *out)
{
	const unsigned char *start = p;
	long v = 0;

	for (; p < end && *p >= '0' && *p <= '9'; p++)
		if ((v = v * 10 + (*p - '0')) > max)
			return NULL;
	*out = v;
	return p > start ? p : NULL;
}

size_t dlg_sync__tree_node_head(const unsigned char *p,
				const unsigned char *end, size_t *namelen,
				long *count, long *subtrees)
{
	const unsigned char *nul = memchr(p, '\0', (size_t)(end - p)), *q;

	if (!nul)
		return 0;
	*namelen = (size_t)(nul - p);
	q = nul + 1;
	if (end - q >= 2 && q[0] == '-' && q[1] == '1') {
		*count = -1;
		q += 2;
	} else if (!(q = decimal(q, end, INT32_MAX, count))) {
		return 0;
	}
	if (q >= end || *q++ != ' ' ||
	    !(q = decimal(q, end, TREE_MAX_SUBTREES, subtrees)) || q >= end ||
	    *q++ != '\n' ||
	    (*count >= 0 && (size_t)(end - q) < OID_SIZE))
		return 0;
	return (size_t)(q - p);
}

static void tree_node(tree_walk *w, dlg_buf *dir, int depth)
{
	long count, subtrees, i;
	size_t dirlen = dir->size, namelen, head;

	if (!w->ok || depth > TREE_MAX_DEPTH ||
	    !(head = dlg_sync__tree_node_head(w->p, w->end, &namelen, &count,
					      &subtrees))) {
		w->ok = 0;
		return;
	}
	if (dirlen)
		dlg_buf_puts(dir, "/");
	dlg_buf_put(dir, (const char *)w->p, namelen);
	dlg_buf_put(w->out, (const char *)w->p, namelen + 1);
	w->p += head;
	if (count >= 0) {
		if (on_changed_path(w, dir->ptr, dir->size)) {
			dlg_buf_printf(w->out, "-1 %ld\n", subtrees);
		} else {
			dlg_buf_printf(w->out, "%ld %ld\n", count, subtrees);
			dlg_buf_put(w->out, (const char *)w->p, OID_SIZE);
		}
		w->p += OID_SIZE;
	} else {
		dlg_buf_printf(w->out, "-1 %ld\n", subtrees);
	}
	for (i = 0; i < subtrees && w->ok; i++)
		tree_node(w, dir, depth + 1);
	dir->size = dirlen;
	dir->ptr[dirlen] = '\0';
}

/* The TREE extension, header included, with the changed paths' nodes
 * invalid; nothing if the index has none. */
static int plan_tree(dlg_buf *out, const index_file *ix,
		     const change *changes, size_t n)
{
	dlg_buf dir = DLG_BUF_INIT;
	tree_walk w = { ix->tree, ix->tree + ix->tree_len, out, changes, n, 1 };

	if (!ix->tree)
		return 0;
	dlg_buf_put(out, EXTENSION_TREE "\0\0\0\0", EXTENSION_HEADER);
	tree_node(&w, &dir, 0);
	dlg_buf_dispose(&dir);
	if (!w.ok || w.p != w.end)
		return DLG_SYNC_FALLBACK;
	put32((unsigned char *)out->ptr + 4,
	      (uint32_t)(out->size - EXTENSION_HEADER));
	return 0;
}

/* ---------------------------------------------------------------------
 * Writing: the new index is a list of pieces (most of them the old
 * index's bytes); one thread hashes them while the other writes them.
 */
typedef struct {
	struct iovec *v;
	size_t n, alloc;
	unsigned char digest[CHECKSUM_SIZE];
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
	if (!ok || !p->ok)
		return -1;
	return write_all(fd, (const char *)p->digest, CHECKSUM_SIZE);
}

/* The new index in pieces: the header with its new count, the old bytes
 * between the changes, the new entries, and the new TREE. */
static void plan_pieces(pieces *out, unsigned char *header,
			const index_file *ix, const change *changes,
			size_t nfiles, const dlg_buf *tree)
{
	size_t count = ix->nentries, from = HEADER_SIZE, i;

	for (i = 0; i < nfiles; i++)
		count += (changes[i].len ? 1 : 0) - (changes[i].replaces ? 1 : 0);
	memcpy(header, ix->map, HEADER_COUNT);
	put32(header + HEADER_COUNT, (uint32_t)count);
	piece(out, header, HEADER_SIZE);
	for (i = 0; i < nfiles; i++) {
		const change *c = &changes[i];

		piece(out, ix->map + from, c->at - from);
		piece(out, c->entry, c->len);
		from = c->at;
		if (c->replaces) {
			const char *name;
			unsigned flags;

			from += dlg_sync__index_entry_at(ix->map + c->at,
							 ix->end, ix->version,
							 &name, &flags);
		}
	}
	piece(out, ix->map + from, (size_t)(ix->entries_end - ix->map) - from);
	piece(out, tree->ptr, tree->size);
}

/* The object format: ids here are SHA-1's 20 bytes, and git says another
 * in extensions.objectFormat. */
int dlg_sync__index_hash_handled(dlg_repo *r)
{
	char *format = NULL;
	int handled;

	handled = dlg_repo_config_get(&format, r, "extensions.objectformat") ==
			  DLG_ENOTFOUND ||
		  (format && !strcasecmp(format, "sha1"));
	free(format);
	dlg_error_clear();
	return handled;
}

/*
 * What libgit2's checkout settles and an edit here would not: a path in
 * conflict anywhere (a merge of git's under way: libgit2 refuses to check
 * out), or a file of the index where a changed path needs a folder
 * (libgit2 drops the file; git's index never holds a path as both). One
 * walk over the entries beside the changes' folders, sorted.
 */
static int settled_by_libgit2(const index_file *ix, const change *changes,
			      size_t n)
{
	const unsigned char *p = ix->map + HEADER_SIZE;
	char **folders;
	size_t nf = 0, i, k, fi = 0;
	int clash = 0;

	for (i = 0; i < n; i++)
		for (k = 0; changes[i].path[k]; k++)
			nf += changes[i].path[k] == '/';
	if (!(folders = calloc(nf + 1, sizeof(*folders))))
		abort();
	for (i = 0, nf = 0; i < n; i++)
		for (k = 0; changes[i].path[k]; k++)
			if (changes[i].path[k] == '/')
				folders[nf++] = dlg_strndup(changes[i].path, k);
	qsort(folders, nf, sizeof(*folders), dlg_strp_cmp);
	for (k = 0; k < ix->nentries && !clash; k++) {
		const char *name;
		unsigned flags;
		size_t len = dlg_sync__index_entry_at(p, ix->end, ix->version,
						      &name, &flags);

		if (!len || (flags & FLAG_STAGE))
			clash = 1;
		else {
			while (fi < nf && strcmp(folders[fi], name) < 0)
				fi++;
			clash = fi < nf && !strcmp(folders[fi], name);
		}
		p += len;
	}
	dlg_strv_free(folders, nf);
	return clash ? DLG_SYNC_FALLBACK : 0;
}

int dlg_sync__index_editable(dlg_repo *r, const char *const *paths, size_t n)
{
	dlg_buf path = DLG_BUF_INIT, tree = DLG_BUF_INIT;
	change *changes = calloc(n + 1, sizeof(*changes));
	index_file ix = { 0 };
	struct stat st;
	size_t i;
	int result = DLG_SYNC_FALLBACK;

	if (!changes)
		abort();
	for (i = 0; i < n; i++)
		changes[i].path = paths[i];
	if (sort_changes(changes, n))
		goto done;
	dlg_buf_printf(&path, "%sindex", git_repository_path(r->git));
	if (dlg_sync__index_hash_handled(r) &&
	    dlg_sync__index_open(&ix, &st, path.ptr) == 0 &&
	    dlg_sync__index_checksum_ok(&ix, &st) &&
	    plan_places(&ix, changes, n) == 0 &&
	    settled_by_libgit2(&ix, changes, n) == 0 &&
	    dlg_sync__index_parse_extensions(&ix) == 0 &&
	    plan_tree(&tree, &ix, changes, n) == 0)
		result = 0;
done:
	dlg_sync__index_close(&ix);
	free(changes);
	dlg_buf_dispose(&tree);
	dlg_buf_dispose(&path);
	return result;
}

int dlg_sync__index_update(dlg_repo *r, int lockfd,
			   const dlg_commit_file *files, const git_oid *ids,
			   size_t nfiles)
{
	const char *gitdir = git_repository_path(r->git);
	dlg_buf path = DLG_BUF_INIT, lock = DLG_BUF_INIT, tree = DLG_BUF_INIT;
	unsigned char header[HEADER_SIZE];
	change *changes = NULL;
	index_file ix = { 0 };
	pieces out = { NULL, 0, 0, { 0 }, 0 };
	struct stat st;
	int result = DLG_SYNC_FALLBACK;

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
	if (!dlg_sync__index_hash_handled(r))
		goto done;
	if ((result = dlg_sync__index_open(&ix, &st, path.ptr)) != 0 ||
	    (result = plan_changes(&changes, r, files, ids, nfiles)) != 0 ||
	    (result = plan_places(&ix, changes, nfiles)) != 0 ||
	    (result = dlg_sync__index_parse_extensions(&ix)) != 0 ||
	    (result = plan_tree(&tree, &ix, changes, nfiles)) != 0)
		goto done;
	plan_pieces(&out, header, &ix, changes, nfiles, &tree);
	result = write_pieces(lockfd, &out);
	if (close(lockfd) < 0)
		result = -1;
	lockfd = -1;
	if (result < 0 || rename(lock.ptr, path.ptr) < 0) {
		dlg_error_set("cannot write '%s': %s", path.ptr,
			      strerror(errno));
		result = -1;
	}
done:
	if (lockfd >= 0)
		close(lockfd);
	/* Not written (or given up on): let go of git's lock, if ours. */
	if (result != 0 && lockfd != -2)
		unlink(lock.ptr);
	free(out.v);
	dlg_sync__index_close(&ix);
	free(changes);
	dlg_buf_dispose(&tree);
	dlg_buf_dispose(&lock);
	dlg_buf_dispose(&path);
	return result;
}
