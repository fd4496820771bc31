/*
 * A sync's move of the work tree from one commit to the next without
 * libgit2's index.
 *
 * libgit2 reads the whole index into objects (one per entry: 100,000 at
 * 100,000 tasks) for two things a small sync asks: the attributes of a
 * path (the merge driver's, the filters'), and a checkout, which then
 * writes the whole index back. Both were a third of a sync of ten changes
 * a side. Here:
 *
 * - Attributes: libgit2 reads a path's attributes from the work tree's
 *   .gitattributes files and from the index's entries of that name, and
 *   from nothing else of the index. dlg_sync__attrs_light hands it an
 *   index in memory that holds those entries only (their stage 0, as
 *   libgit2 reads them), read from the index's bytes, so its answers are
 *   the same.
 * - The checkout: the files that differ between the two commits' trees
 *   are written, then git's index edited as sync/index.c edits it for a
 *   commit. Only a move proven to be one libgit2 would make the same way
 *   is made here; any other is left to libgit2 (DLG_SYNC_FALLBACK) before
 *   anything is written: see dlg_sync__checkout_fast.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/repository.h>

#include "gitindex.h"

/* ---------------------------------------------------------------------
 * Attributes.
 */
static int is_attributes(const char *path)
{
	const char *slash = strrchr(path, '/');

	return !strcmp(slash ? slash + 1 : path, ".gitattributes");
}

int dlg_sync__ignores_case(git_repository *g)
{
	git_config *cfg = NULL;
	int yes = 0, error;

	if (git_repository_config_snapshot(&cfg, g) < 0)
		return 1; /* not read: unsure */
	error = git_config_get_bool(&yes, cfg, "core.ignorecase");
	git_config_free(cfg);
	return error == GIT_ENOTFOUND ? 0 : error < 0 || yes;
}

/* The index's .gitattributes entries into idx; 0, or DLG_SYNC_FALLBACK
 * when the index is not one read here (libgit2 then reads its own: a
 * damaged one it refuses, as it always did). */
static int attribute_entries(git_index *idx, const index_file *ix)
{
	const unsigned char *p = ix->map + HEADER_SIZE;
	size_t k;

	for (k = 0; k < ix->nentries; k++) {
		const char *name;
		unsigned flags;
		size_t len = dlg_sync__index_entry_at(p, ix->end, ix->version,
						      &name, &flags);
		git_index_entry e;

		if (!len)
			return DLG_SYNC_FALLBACK;
		if (!(flags & FLAG_STAGE) && is_attributes(name)) {
			memset(&e, 0, sizeof(e));
			e.mode = be32(p + ENTRY_MODE);
			memcpy(e.id.id, p + ENTRY_OID, OID_SIZE);
			e.path = name;
			if (git_index_add(idx, &e) < 0)
				return DLG_SYNC_FALLBACK;
		}
		p += len;
	}
	return 0;
}

int dlg_sync__attrs_light(git_repository *g)
{
	dlg_buf path = DLG_BUF_INIT;
	git_index *idx = NULL;
	index_file ix = { 0 };
	struct stat st;
	int set;

	if (git_repository_is_bare(g) || dlg_sync__ignores_case(g))
		return 0;
	dlg_buf_printf(&path, "%sindex", git_repository_path(g));
	/* the repository holds the index in memory once set; the real one
	 * is read again when asked for, after dlg_sync__attrs_done */
	set = dlg_sync__index_open(&ix, &st, path.ptr) == 0 &&
	      dlg_sync__index_checksum_ok(&ix, &st) && git_index_new(&idx) == 0 &&
	      attribute_entries(idx, &ix) == 0 &&
	      git_repository_set_index(g, idx) == 0;
	git_index_free(idx);
	dlg_sync__index_close(&ix);
	dlg_buf_dispose(&path);
	git_error_clear();
	return set;
}

void dlg_sync__attrs_done(git_repository *g, int set)
{
	if (set)
		git_repository_set_index(g, NULL);
}

/* ---------------------------------------------------------------------
 * The checkout.
 */
typedef struct {
	size_t at;	/* the path's offset in names */
	git_oid was, is; /* what from and to hold */
	int had, has;
} move;

typedef struct {
	move *v;
	size_t n, cap;
	dlg_buf names;
} moves;

/*
 * A path delegit could have written: names of [A-Za-z0-9._-], none "."
 * or "..", none starting with ".git" in any case (.git itself, and the
 * files that change how git reads the tree). A tree another member
 * pushed can name anything; libgit2's checkout refuses ".git", ".." and
 * their look-alikes, and is what judges every other name.
 */
static int plain_path(const char *path)
{
	const char *p = path;

	for (;;) {
		const char *name = p;
		size_t n;

		while (*p && *p != '/') {
			char c = *p++;

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			      c == '-'))
				return 0;
		}
		n = (size_t)(p - name);
		if (!n || (n == 1 && name[0] == '.') ||
		    (n == 2 && !memcmp(name, "..", 2)) ||
		    (n >= 4 && !strncasecmp(name, ".git", 4)))
			return 0;
		if (!*p)
			return 1;
		p++;
	}
}

static int add_move(const char *path, const git_tree_entry *a,
		    const git_tree_entry *b, void *payload)
{
	moves *m = payload;
	move *v;

	if ((a && git_tree_entry_filemode(a) != GIT_FILEMODE_BLOB) ||
	    (b && git_tree_entry_filemode(b) != GIT_FILEMODE_BLOB) ||
	    !plain_path(path))
		return DLG_SYNC_FALLBACK;
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		if (!(m->v = realloc(m->v, m->cap * sizeof(*m->v))))
			abort();
	}
	v = &m->v[m->n++];
	memset(v, 0, sizeof(*v));
	v->at = m->names.size;
	dlg_buf_put(&m->names, path, strlen(path) + 1);
	if ((v->had = a != NULL))
		git_oid_cpy(&v->was, git_tree_entry_id(a));
	if ((v->has = b != NULL))
		git_oid_cpy(&v->is, git_tree_entry_id(b));
	return 0;
}

/* The work tree's name of a path, in full (the work tree is named without
 * its trailing slash). */
static void full_path(dlg_buf *out, dlg_repo *r, const char *path)
{
	dlg_buf_clear(out);
	dlg_buf_printf(out, "%s/%s", dlg_repo_workdir(r), path);
}

/* Each folder on the way to full's last name (below the work tree, root
 * bytes long) a folder, not a link, or not there (and then none below it
 * either: a file to add; for any other, the file's own lstat fails). */
static int folders_plain(dlg_buf *full, size_t root)
{
	char *s = full->ptr + root;

	while ((s = strchr(s + 1, '/'))) {
		struct stat st;
		int there;

		*s = '\0';
		there = lstat(full->ptr, &st) == 0;
		*s = '/';
		if (!there)
			return errno == ENOENT;
		if (!S_ISDIR(st.st_mode))
			return 0;
	}
	return 1;
}

/* The work tree holds what from does at each path, no filter applies to
 * any, and the index is one index.c edits: else DLG_SYNC_FALLBACK. */
static int movable(dlg_repo *r, const moves *m, const char **paths)
{
	size_t root = strlen(dlg_repo_workdir(r)), i;
	dlg_buf full = DLG_BUF_INIT;
	int error = 0;

	for (i = 0; i < m->n && !error; i++) {
		const move *v = &m->v[i];
		git_filter_list *fl = NULL;
		struct stat st;
		git_oid there;

		full_path(&full, r, paths[i]);
		if (!folders_plain(&full, root))
			error = DLG_SYNC_FALLBACK;
		else if (v->had) /* (executable here, as git and libgit2
				  * read the bit: libgit2's) */
			error = lstat(full.ptr, &st) == 0 &&
						S_ISREG(st.st_mode) &&
						!(st.st_mode & S_IXUSR) &&
						git_odb_hashfile(&there, full.ptr,
								 GIT_OBJECT_BLOB) == 0 &&
						git_oid_equal(&there, &v->was)
					? 0
					: DLG_SYNC_FALLBACK;
		else
			error = lstat(full.ptr, &st) < 0 && errno == ENOENT
					? 0
					: DLG_SYNC_FALLBACK;
		if (!error &&
		    (git_filter_list_load(&fl, r->git, NULL, paths[i],
					  GIT_FILTER_TO_WORKTREE,
					  GIT_FILTER_DEFAULT) < 0 ||
		     fl))
			error = DLG_SYNC_FALLBACK;
		git_filter_list_free(fl);
	}
	dlg_buf_dispose(&full);
	git_error_clear();
	return error ? error : dlg_sync__index_editable(r, paths, m->n);
}

/* The folders above full's last name that are now empty, removed (as
 * libgit2's checkout removes them), the work tree's own kept. */
static void remove_empty_folders(dlg_buf *full, size_t root)
{
	char *s;

	while ((s = strrchr(full->ptr, '/')) && (size_t)(s - full->ptr) > root) {
		*s = '\0';
		if (rmdir(full->ptr) < 0)
			break;
	}
}

/* The folders above full's last name made where they are not there. */
static int make_folders(dlg_buf *full, size_t root)
{
	char *s = full->ptr + root;

	while ((s = strchr(s + 1, '/'))) {
		int made;

		*s = '\0';
		made = mkdir(full->ptr, 0755) == 0 || errno == EEXIST;
		*s = '/';
		if (!made)
			return -1;
	}
	return 0;
}

static int write_blob(const char *full, const git_blob *blob)
{
	const char *data = git_blob_rawcontent(blob);
	size_t left = (size_t)git_blob_rawsize(blob);
	int fd = open(full, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
		      0644);

	if (fd < 0)
		return -1;
	while (left) {
		ssize_t n = write(fd, data, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			close(fd);
			return -1;
		}
		data += n;
		left -= (size_t)n;
	}
	return close(fd);
}

/* Removals first (a folder whose files go may be where a file comes),
 * then the files to write; the index last. */
static int write_moves(dlg_repo *r, const moves *m, const char **paths,
		       int lockfd, const char *lock, git_checkout_progress_cb cb,
		       void *payload)
{
	size_t root = strlen(dlg_repo_workdir(r)), i, done = 0;
	dlg_commit_file *files = calloc(m->n + 1, sizeof(*files));
	git_oid *ids = calloc(m->n + 1, sizeof(*ids));
	dlg_buf full = DLG_BUF_INIT;
	int error = 0, pass;

	if (!files || !ids)
		abort();
	if (cb) /* as libgit2 starts, before the first file */
		cb(NULL, 0, m->n, payload);
	for (pass = 0; pass < 2 && !error; pass++) {
		for (i = 0; i < m->n && !error; i++) {
			const move *v = &m->v[i];
			git_blob *blob = NULL;

			if (v->has != pass)
				continue;
			full_path(&full, r, paths[i]);
			files[i].path = paths[i];
			if (!v->has) {
				if (unlink(full.ptr) < 0 && errno != ENOENT) {
					dlg_error_set("cannot remove '%s': %s",
						      full.ptr, strerror(errno));
					error = -1;
				} else {
					remove_empty_folders(&full, root);
				}
			} else if (git_blob_lookup(&blob, r->git, &v->is) < 0) {
				error = dlg_sync__error("cannot read a file to "
							"write");
			} else if (make_folders(&full, root) ||
				   write_blob(full.ptr, blob) < 0) {
				dlg_error_set("cannot write '%s': %s", full.ptr,
					      strerror(errno));
				error = -1;
			} else {
				/* the bytes are not read again: only there */
				files[i].data = "";
				files[i].len = (size_t)git_blob_rawsize(blob);
				git_oid_cpy(&ids[i], &v->is);
			}
			git_blob_free(blob);
			if (!error && cb)
				cb(paths[i], ++done, m->n, payload);
		}
	}
	if (error) {
		close(lockfd);
		unlink(lock);
	} else {
		/* (which closes and lets go of the lock) */
		error = dlg_sync__index_update(r, lockfd, files, ids, m->n);
	}
	free(files);
	free(ids);
	dlg_buf_dispose(&full);
	return error;
}

int dlg_sync__checkout_fast(dlg_repo *r, git_commit *from, git_commit *to,
			    int *written, git_checkout_progress_cb cb,
			    void *payload)
{
	dlg_trees trees = { r->git, { NULL }, 0 };
	moves m = { NULL, 0, 0, DLG_BUF_INIT };
	dlg_buf lock = DLG_BUF_INIT;
	const char **paths = NULL;
	int light = 0, lockfd = -1, error;
	size_t i;

	*written = 0;
	if (!dlg_repo_workdir(r) || !dlg_sync__index_hash_handled(r) ||
	    dlg_sync__ignores_case(r->git))
		return DLG_SYNC_FALLBACK;
	error = dlg_sync__tree_changes(&trees, git_commit_tree_id(from),
				       git_commit_tree_id(to), add_move, &m);
	dlg_sync__trees_dispose(&trees);
	if (error < 0)
		error = dlg_sync__error("cannot compare commits");
	if (error || !m.n)
		goto done;
	if (!(paths = calloc(m.n, sizeof(*paths))))
		abort();
	for (i = 0; i < m.n; i++)
		paths[i] = m.names.ptr + m.v[i].at;
	light = dlg_sync__attrs_light(r->git);
	error = movable(r, &m, paths);
	dlg_sync__attrs_done(r->git, light);
	if (error)
		goto done;
	/* git's lock first: no git process writes the index meanwhile */
	dlg_buf_printf(&lock, "%sindex.lock", git_repository_path(r->git));
	if ((lockfd = open(lock.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			   0666)) < 0) {
		error = DLG_SYNC_FALLBACK; /* libgit2 says what holds it */
		goto done;
	}
	*written = 1;
	error = write_moves(r, &m, paths, lockfd, lock.ptr, cb, payload);
done:
	free(paths);
	free(m.v);
	dlg_buf_dispose(&m.names);
	dlg_buf_dispose(&lock);
	return error;
}
