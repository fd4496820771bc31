/*
 * The working tree of a delegit repository: safe reads, canonical atomic
 * writes, task ids by prefix, the team, and `check`.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ctype.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_internal.h"

/* The task ids of one shard folder, listed once: `agenda` or a report
 * prints a short id per line, and each needs the ids of its shard. */
typedef struct {
	char **ids;
	size_t count;
	int listed;
	int complete; /* every name of the folder (but dot files) a task's */
} shard_ids;

struct dlg_store {
	char *root;
	char *cache;
	dlg_hash_fn hash;
	shard_ids shards[256]; /* by the two hex digits; dropped on writes */
	int keep_listings;     /* a rows scan's listings kept */
};

int dlg_store_open(dlg_store **out, const char *root)
{
	dlg_store *s = calloc(1, sizeof(*s));

	if (!s || !(s->root = strdup(root)))
		abort();
	/* Keep the root without a trailing slash, so paths join cleanly. */
	while (strlen(s->root) > 1 && s->root[strlen(s->root) - 1] == '/')
		s->root[strlen(s->root) - 1] = '\0';
	*out = s;
	return 0;
}

/* This process changed the files: list the shards again when asked. */
static void forget_shards(dlg_store *s)
{
	size_t i;

	for (i = 0; i < 256; i++) {
		dlg_strv_free(s->shards[i].ids, s->shards[i].count);
		memset(&s->shards[i], 0, sizeof(s->shards[i]));
	}
}

void dlg_store_free(dlg_store *s)
{
	if (!s)
		return;
	forget_shards(s);
	free(s->root);
	free(s->cache);
	free(s);
}

const char *dlg_store_root(const dlg_store *s)
{
	return s->root;
}

void dlg_store_set_cache(dlg_store *s, const char *path)
{
	free(s->cache);
	s->cache = path ? strdup(path) : NULL;
	if (path && !s->cache)
		abort();
}

const char *dlg_store_cache(const dlg_store *s)
{
	return s->cache;
}

void dlg_store_set_hash(dlg_store *s, dlg_hash_fn hash)
{
	s->hash = hash;
}

dlg_hash_fn dlg_store__hash(const dlg_store *s)
{
	return s->hash;
}

/* A relative path that stays inside the repository. */
static int path_safe(const char *rel)
{
	const char *p = rel;

	if (!*rel || rel[0] == '/')
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if ((n == 2 && !strncmp(p, "..", 2)) ||
		    (n == 1 && p[0] == '.') || n == 0)
			return 0;
		p += n;
		if (*p == '/')
			p++;
	}
	return 1;
}

static void full_path(dlg_buf *out, dlg_store *s, const char *rel)
{
	dlg_buf_clear(out);
	dlg_buf_printf(out, "%s/%s", s->root, rel);
}

/* Refuse links anywhere below the root: they could lead outside it. */
static int check_entry(dlg_store *s, const char *rel, struct stat *st)
{
	dlg_buf p = DLG_BUF_INIT;
	const char *slash = rel;
	int error = 0;

	if (!path_safe(rel)) {
		dlg_error_set("%s: path leaves the repository (expected a "
			      "path inside it)", rel);
		return DLG_EINVALID;
	}
	for (;;) {
		slash = strchr(slash, '/');
		dlg_buf_clear(&p);
		dlg_buf_printf(&p, "%s/%.*s", s->root,
			       slash ? (int)(slash - rel) : (int)strlen(rel),
			       rel);
		if (lstat(p.ptr, st) < 0) {
			error = errno == ENOENT ? DLG_ENOTFOUND : -1;
			dlg_error_set("%s: %s", rel, strerror(errno));
			break;
		}
		if (S_ISLNK(st->st_mode)) {
			dlg_error_set("%s: is a symbolic link (expected a "
				      "plain file inside the repository)",
				      rel);
			error = DLG_EINVALID;
			break;
		}
		if (!slash)
			break;
		slash++;
	}
	dlg_buf_dispose(&p);
	return error;
}

int dlg_store_exists(dlg_store *s, const char *rel)
{
	struct stat st;

	return check_entry(s, rel, &st) == 0;
}

int dlg_store_remove_file(dlg_store *s, const char *rel)
{
	dlg_buf p = DLG_BUF_INIT;
	int error = 0;

	if (!path_safe(rel)) {
		dlg_error_set("%s: path leaves the repository", rel);
		return DLG_EINVALID;
	}
	forget_shards(s);
	full_path(&p, s, rel);
	if (unlink(p.ptr) < 0 && errno != ENOENT) {
		dlg_error_set("cannot remove '%s': %s", rel, strerror(errno));
		error = -1;
	}
	dlg_buf_dispose(&p);
	return error;
}

int dlg_store_read_file(dlg_buf *out, dlg_store *s, const char *rel)
{
	dlg_buf p = DLG_BUF_INIT;
	struct stat st;
	int fd = -1, error;
	ssize_t n;

	if ((error = check_entry(s, rel, &st)) < 0)
		return error;
	if (!S_ISREG(st.st_mode)) {
		dlg_error_set("%s: is not a regular file (expected a YAML "
			      "file)", rel);
		return DLG_EINVALID;
	}
	if (st.st_size > DLG_MAX_FILE) {
		dlg_error_set("%s: file is %lld bytes (expected at most %d)",
			      rel, (long long)st.st_size, DLG_MAX_FILE);
		return DLG_EINVALID;
	}
	full_path(&p, s, rel);
	fd = open(p.ptr, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	dlg_buf_dispose(&p);
	if (fd < 0) {
		dlg_error_set("%s: %s", rel, strerror(errno));
		return -1;
	}
	dlg_buf_clear(out);
	for (;;) {
		char chunk[65536];

		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		dlg_buf_put(out, chunk, (size_t)n);
		if (out->size > DLG_MAX_FILE)
			break;
	}
	close(fd);
	if (n < 0) {
		dlg_error_set("%s: %s", rel, strerror(errno));
		return -1;
	}
	return 0;
}

static int mkdirs(const char *full, size_t upto)
{
	char *p = dlg_strndup(full, upto);
	char *q;

	for (q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = '\0';
		if (mkdir(p, 0777) < 0 && errno != EEXIST) {
			dlg_error_set("cannot create '%s': %s", p,
				      strerror(errno));
			free(p);
			return -1;
		}
		*q = '/';
	}
	if (mkdir(p, 0777) < 0 && errno != EEXIST) {
		dlg_error_set("cannot create '%s': %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

int dlg_store_write_file(dlg_store *s, const char *rel, const char *data,
			 size_t len)
{
	dlg_buf p = DLG_BUF_INIT, tmp = DLG_BUF_INIT;
	const char *slash;
	int fd = -1, error = -1;
	size_t off = 0;

	if (!path_safe(rel)) {
		dlg_error_set("%s: path leaves the repository", rel);
		return DLG_EINVALID;
	}
	forget_shards(s);
	full_path(&p, s, rel);
	slash = strrchr(p.ptr, '/');
	if (mkdirs(p.ptr, (size_t)(slash - p.ptr)) < 0)
		goto done;
	/* Write beside it and rename, so a killed process leaves either the
	 * old file or the new one, never half of one. */
	dlg_buf_printf(&tmp, "%.*s/.delegit-tmp-%ld", (int)(slash - p.ptr),
		       p.ptr, (long)getpid());
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		dlg_error_set("cannot write '%s': %s", rel, strerror(errno));
		goto done;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			dlg_error_set("cannot write '%s': %s", rel,
				      strerror(errno));
			goto done;
		}
		off += (size_t)n;
	}
	/* No fsync, as git writes the work tree: the rename already keeps a
	 * killed process from leaving half a file, and a synced file would
	 * not outlive a power cut its commit (libgit2 syncs no object)
	 * does not. See docs/design.md. */
	if (close(fd) < 0) {
		fd = -1;
		dlg_error_set("cannot write '%s': %s", rel, strerror(errno));
		goto done;
	}
	fd = -1;
	if (rename(tmp.ptr, p.ptr) < 0) {
		dlg_error_set("cannot write '%s': %s", rel, strerror(errno));
		goto done;
	}
	error = 0;
done:
	if (fd >= 0)
		close(fd);
	if (error < 0 && tmp.size)
		unlink(tmp.ptr);
	dlg_buf_dispose(&tmp);
	dlg_buf_dispose(&p);
	return error;
}

int dlg_store_parse(dlg_node **out, const char *text, size_t len,
		    const char *rel, const dlg_schema *schema,
		    dlg_diags *diags)
{
	dlg_node *doc = NULL;
	int error;

	*out = NULL;
	if ((error = dlg_yaml_parse(&doc, text, len, rel, diags)) < 0)
		return error;
	if ((error = dlg_schema_validate(doc, schema, rel, diags)) < 0) {
		dlg_node_free(doc);
		return error;
	}
	*out = doc;
	return 0;
}

int dlg_store_load_text(dlg_node **out, dlg_buf *text, dlg_store *s,
			const char *rel, const dlg_schema *schema,
			dlg_diags *diags)
{
	int error;

	*out = NULL;
	if ((error = dlg_store_read_file(text, s, rel)) < 0) {
		if (error != DLG_ENOTFOUND)
			dlg_diags_add(diags, NULL, 0, 0, "%s",
				      dlg_error_last());
		return error;
	}
	error = dlg_store_parse(out, text->ptr, text->size, rel, schema, diags);
	if (error == DLG_EINVALID)
		dlg_error_set("%s: invalid %s file", rel, schema->name);
	return error;
}

int dlg_store_load(dlg_node **out, dlg_store *s, const char *rel,
		   const dlg_schema *schema, dlg_diags *diags)
{
	dlg_buf text = DLG_BUF_INIT;
	int error = dlg_store_load_text(out, &text, s, rel, schema, diags);

	dlg_buf_dispose(&text);
	return error;
}

int dlg_store_save(dlg_buf *text, dlg_store *s, const char *rel,
		   const dlg_node *doc, const dlg_schema *schema)
{
	int error;

	dlg_buf_clear(text);
	if ((error = dlg_yaml_write(text, doc, schema)) < 0)
		return error;
	return dlg_store_write_file(s, rel, text->ptr, text->size);
}

int dlg_path_read(dlg_buf *out, const char *path)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		int err = errno; /* before dlg_error_set can change it */

		dlg_error_set("cannot read '%s': %s", path, strerror(err));
		return err == ENOENT ? DLG_ENOTFOUND : -1;
	}
	dlg_buf_clear(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	       out->size <= DLG_MAX_FILE)
		dlg_buf_put(out, chunk, n);
	fclose(f);
	return 0;
}

static char *path_map(const char *path, size_t *size, int flags)
{
	struct stat st;
	char *map = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*size = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		map = mmap(NULL, (size_t)st.st_size, PROT_READ,
			   MAP_PRIVATE | flags, fd, 0);
		if (map == MAP_FAILED)
			map = NULL;
		else
			*size = (size_t)st.st_size;
	}
	close(fd);
	return map;
}

char *dlg_path_map(const char *path, size_t *size)
{
	return path_map(path, size, MAP_POPULATE);
}

char *dlg_path_map_sparse(const char *path, size_t *size)
{
	return path_map(path, size, 0);
}

int dlg_program_identity(int64_t id[3])
{
	struct stat st;

	if (stat("/proc/self/exe", &st) < 0)
		return -1;
	id[0] = (int64_t)st.st_size;
	id[1] = (int64_t)st.st_mtim.tv_sec;
	id[2] = (int64_t)st.st_mtim.tv_nsec;
	return 0;
}

int dlg_path_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	int short_write, failed, err;

	if (!f) {
		err = errno;
		dlg_error_set("cannot write '%s': %s", path, strerror(err));
		return -1;
	}
	/* fclose whatever happened: a short write does not leak the FILE */
	short_write = fwrite(data, 1, len, f) != len;
	err = errno;
	failed = fclose(f) != 0;
	if (short_write || failed) {
		if (!short_write)
			err = errno;
		dlg_error_set("cannot write '%s': %s", path,
			      strerror(err ? err : EIO));
		return -1;
	}
	return 0;
}

int dlg_task_check_file_id(dlg_diags *diags, const char *relpath,
			   const dlg_node *task)
{
	const dlg_node *id = dlg_map_get(task, "id");
	const char *base = strrchr(relpath, '/'), *value;
	size_t len;

	base = base ? base + 1 : relpath;
	value = id && id->kind == DLG_NODE_SCALAR ? id->value : "";
	len = strlen(value);
	if (len && !strncmp(base, value, len) && !strcmp(base + len, ".yaml")) {
		if (strncmp(relpath, "tasks/", 6) ||
		    (base == relpath + 9 && !strncmp(relpath + 6, value, 2)))
			return 0;
		/* tasks/<first two of the id>/: where the scan looks */
		dlg_diags_add(diags, relpath, id ? id->line : 0,
			      id ? id->column : 0, "id '%s' is not in its shard "
			      "folder (expected tasks/%.2s/)", value, value);
		return DLG_EINVALID;
	}
	/* the name without .yaml, or whole when it has another ending */
	len = strlen(base);
	if (len > 5 && !strcmp(base + len - 5, ".yaml"))
		len -= 5;
	dlg_diags_add(diags, relpath, id ? id->line : 0, id ? id->column : 0,
		      "id '%s' does not match the file name (expected %.*s)",
		      value, (int)len, base);
	return DLG_EINVALID;
}

int dlg_task_path(dlg_buf *out, const char *uuid)
{
	if (!dlg_uuid_valid(uuid)) {
		dlg_error_set("bad task id '%s' (expected a UUID)", uuid);
		return DLG_EINVALID;
	}
	dlg_buf_clear(out);
	return dlg_buf_printf(out, "tasks/%.2s/%s.yaml", uuid, uuid);
}

int dlg_team_path(dlg_buf *out, const char *handle)
{
	if (!dlg_handle_valid(handle)) {
		dlg_error_set("bad handle '%s' (expected lowercase letters, "
			      "digits, '.', '_' or '-')", handle);
		return DLG_EINVALID;
	}
	dlg_buf_clear(out);
	return dlg_buf_printf(out, "team/%s.yaml", handle);
}

/* Names in a folder of the repository, sorted; a missing folder is empty. */
static int list_dir(char ***out, size_t *count, dlg_store *s, const char *rel)
{
	dlg_buf p = DLG_BUF_INIT;
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, alloc = 0;

	*out = NULL;
	*count = 0;
	full_path(&p, s, rel);
	d = opendir(p.ptr);
	dlg_buf_dispose(&p);
	if (!d)
		return errno == ENOENT || errno == ENOTDIR ? 0 : -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			v = realloc(v, alloc * sizeof(*v));
			if (!v)
				abort();
		}
		v[n++] = dlg_strdup(e->d_name);
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), dlg_strp_cmp);
	*out = v;
	*count = n;
	return 0;
}

int dlg_store__task_file_name(const char *name, const char *shard)
{
	char id[DLG_TASK_ID_SIZE];

	if (strlen(name) != 41 || strcmp(name + 36, ".yaml") ||
	    (shard && strncmp(name, shard, 2)))
		return 0;
	memcpy(id, name, 36);
	id[36] = '\0';
	return dlg_uuid_valid(id);
}

int dlg_store__shard_name(const char *name)
{
	return strlen(name) == 2 && strspn(name, "0123456789abcdef") == 2;
}

/* A growing list of paths. */
typedef struct {
	char **v;
	size_t n, alloc;
} path_list;

/* The task files of the shard folders under base ("tasks",
 * "archive/2026"), appended as "base/xx/<uuid>.yaml"; < 0 if base cannot
 * be read (errno says why). */
static int list_shards(path_list *out, dlg_store *s, const char *base)
{
	char **shards = NULL, **files = NULL;
	size_t nshards = 0, nfiles = 0, i, j;
	dlg_buf rel = DLG_BUF_INIT;

	if (list_dir(&shards, &nshards, s, base) < 0)
		return -1;
	for (i = 0; i < nshards; i++) {
		if (!dlg_store__shard_name(shards[i]))
			continue;
		dlg_buf_clear(&rel);
		dlg_buf_printf(&rel, "%s/%s", base, shards[i]);
		list_dir(&files, &nfiles, s, rel.ptr);
		for (j = 0; j < nfiles; j++) {
			if (!dlg_store__task_file_name(files[j], shards[i]))
				continue;
			if (out->n == out->alloc) {
				out->alloc = out->alloc ? out->alloc * 2 : 64;
				out->v = realloc(out->v,
						 out->alloc * sizeof(*out->v));
				if (!out->v)
					abort();
			}
			dlg_buf_clear(&rel);
			dlg_buf_printf(&rel, "%s/%s/%s", base, shards[i],
				       files[j]);
			out->v[out->n++] = dlg_buf_detach(&rel);
		}
		dlg_strv_free(files, nfiles);
	}
	dlg_strv_free(shards, nshards);
	dlg_buf_dispose(&rel);
	return 0;
}

int dlg_store_list_tasks(char ***out, size_t *count, dlg_store *s)
{
	path_list l = { NULL, 0, 0 };

	if (list_shards(&l, s, "tasks") < 0) {
		dlg_error_set("cannot read tasks/: %s", strerror(errno));
		return -1;
	}
	*out = l.v;
	*count = l.n;
	return 0;
}

int dlg_store_list_dir(char ***out, size_t *count, dlg_store *s,
		       const char *rel)
{
	if (list_dir(out, count, s, rel) < 0) {
		dlg_error_set("cannot read %s/: %s", rel, strerror(errno));
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ archive */

int dlg_archive_path(dlg_buf *out, const char *uuid, const char *closed)
{
	if (!dlg_uuid_valid(uuid) || !closed || strlen(closed) < 4 ||
	    !isdigit((unsigned char)closed[0]) ||
	    !isdigit((unsigned char)closed[3])) {
		dlg_error_set("cannot archive task '%s': it is not closed",
			      uuid);
		return DLG_EINVALID;
	}
	dlg_buf_clear(out);
	return dlg_buf_printf(out, "archive/%.4s/%.2s/%s.yaml", closed, uuid,
			      uuid);
}

static int year_name(const char *s)
{
	return strlen(s) == 4 && isdigit((unsigned char)s[0]) &&
	       isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) &&
	       isdigit((unsigned char)s[3]);
}

int dlg_store_list_archived(char ***out, size_t *count, dlg_store *s)
{
	char **years = NULL;
	size_t ny = 0, y;
	path_list l = { NULL, 0, 0 };
	dlg_buf rel = DLG_BUF_INIT;

	if (list_dir(&years, &ny, s, "archive") < 0) {
		dlg_error_set("cannot read archive/: %s", strerror(errno));
		return -1;
	}
	for (y = 0; y < ny; y++) {
		if (!year_name(years[y]))
			continue;
		dlg_buf_clear(&rel);
		dlg_buf_printf(&rel, "archive/%s", years[y]);
		list_shards(&l, s, rel.ptr);
	}
	dlg_strv_free(years, ny);
	dlg_buf_dispose(&rel);
	*out = l.v;
	*count = l.n;
	return 0;
}

int dlg_store_find_archived(dlg_buf *out, dlg_store *s, const char *prefix)
{
	char **files = NULL;
	size_t n = 0, i, found = 0, len = strlen(prefix);
	int error;

	if (len < 4 || len > 36 || !dlg_hex_prefix_valid(prefix)) {
		dlg_error_set("bad task id '%s' (expected at least 4 hex "
			      "digits of a task id)", prefix);
		return DLG_EINVALID;
	}
	if ((error = dlg_store_list_archived(&files, &n, s)) < 0)
		return error;
	for (i = 0; i < n; i++) {
		const char *name = strrchr(files[i], '/') + 1;

		if (strncasecmp(name, prefix, len))
			continue;
		if (!found++) {
			dlg_buf_clear(out);
			dlg_buf_puts(out, files[i]);
		}
	}
	dlg_strv_free(files, n);
	if (!found) {
		dlg_error_set("no task matches '%s'", prefix);
		return DLG_ENOTFOUND;
	}
	if (found > 1) {
		dlg_error_set("task id '%s' is ambiguous: %zu archived tasks "
			      "match (give more digits)", prefix, found);
		return DLG_EAMBIGUOUS;
	}
	return 0;
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
									 : -1;
}

/* The listing of the shard named by name's first two hex digits
 * (lowercase); NULL if they are not. */
static shard_ids *shard_of(dlg_store *s, const char *name)
{
	int hi = hex_digit(name[0]), lo = hi < 0 ? -1 : hex_digit(name[1]);

	return lo < 0 ? NULL : &s->shards[hi * 16 + lo];
}

/* The ids of the task files in the shard of id (lowercase hex first). */
static int shard_list(const shard_ids **out, dlg_store *s, const char *id)
{
	shard_ids *sh = shard_of(s, id);
	char **files = NULL;
	size_t nfiles = 0, i;
	char rel[16];

	if (!sh) {
		dlg_error_set("bad task id '%s'", id);
		return DLG_EINVALID;
	}
	*out = sh;
	if (sh->listed)
		return 0;
	snprintf(rel, sizeof(rel), "tasks/%.2s", id);
	if (list_dir(&files, &nfiles, s, rel) < 0) {
		dlg_error_set("cannot read %s: %s", rel, strerror(errno));
		return -1;
	}
	if (!(sh->ids = calloc(nfiles + 1, sizeof(*sh->ids))))
		abort();
	for (i = 0; i < nfiles; i++)
		if (dlg_store__task_file_name(files[i], NULL) &&
		    !(sh->ids[sh->count++] = strndup(files[i], 36)))
			abort();
	dlg_strv_free(files, nfiles);
	sh->listed = 1;
	return 0;
}

int dlg_store_resolve_task(char out[DLG_TASK_ID_SIZE], dlg_store *s, const char *prefix)
{
	const shard_ids *sh;
	char lower[DLG_TASK_ID_SIZE];
	size_t n = 0, i, len = strlen(prefix);
	int error;

	if (len < 4 || len > 36 || !dlg_hex_prefix_valid(prefix)) {
		dlg_error_set("bad task id '%s' (expected at least 4 hex "
			      "digits of a task id)", prefix);
		return DLG_EINVALID;
	}
	for (i = 0; i <= len; i++)
		lower[i] = (char)(prefix[i] >= 'A' && prefix[i] <= 'F'
					  ? prefix[i] + 32 : prefix[i]);
	if ((error = shard_list(&sh, s, lower)) < 0)
		return error;
	for (i = 0; i < sh->count; i++)
		if (!strncmp(sh->ids[i], lower, len) && n++ == 0)
			memcpy(out, sh->ids[i], DLG_TASK_ID_SIZE);
	if (n == 0) {
		dlg_error_set("no task matches '%s'", prefix);
		return DLG_ENOTFOUND;
	}
	if (n > 1) {
		dlg_error_set("task id '%s' is ambiguous: %zu tasks match "
			      "(give more digits)", prefix, n);
		return DLG_EAMBIGUOUS;
	}
	return 0;
}

void dlg_store_keep_listings(dlg_store *s)
{
	s->keep_listings = 1;
}

int dlg_store__keeps_listings(const dlg_store *s)
{
	return s->keep_listings;
}

/* (The scan keeps only the names that begin with their shard's digits,
 * shard_list any: a name that does not is never a prefix's match, nor
 * closer than 6 digits to an id of the shard.) */
void dlg_store__shard_found(dlg_store *s, const char *shard, char **ids,
			    size_t n, int complete)
{
	shard_ids *sh = shard_of(s, shard);

	if (!sh) {
		dlg_strv_free(ids, n);
		return;
	}
	/* the newer listing stands */
	dlg_strv_free(sh->ids, sh->count);
	sh->ids = ids;
	sh->count = n;
	sh->listed = 1;
	sh->complete = complete;
}

int dlg_store_short_id(char out[DLG_TASK_ID_SIZE], dlg_store *s, const char *uuid)
{
	/* a shard that cannot be listed: the shortest id (not a compound
	 * literal, whose life would end with the if) */
	static const shard_ids none = { NULL, 0, 0, 0 };
	const shard_ids *sh;
	size_t i, len = 6, k;

	if (shard_list(&sh, s, uuid) < 0) {
		dlg_error_clear();
		sh = &none;
	}
	for (i = 0; i < sh->count; i++) {
		const char *id = sh->ids[i];

		if (!strcmp(id, uuid))
			continue;
		for (k = 0; k < 36 && id[k] == uuid[k]; k++)
			;
		if (k + 1 > len)
			len = k + 1;
	}
	if (len > 36)
		len = 36;
	memcpy(out, uuid, len);
	out[len] = '\0';
	return 0;
}

static int cmp_person(const void *a, const void *b)
{
	const dlg_node *x = *(dlg_node *const *)a, *y = *(dlg_node *const *)b;

	return strcmp(dlg_map_get_str(x, "handle"),
		      dlg_map_get_str(y, "handle"));
}

int dlg_team_load(dlg_team *out, dlg_store *s, dlg_diags *diags)
{
	char **files = NULL;
	size_t n = 0, i;
	dlg_buf rel = DLG_BUF_INIT;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (list_dir(&files, &n, s, "team") < 0) {
		dlg_error_set("cannot read team/: %s", strerror(errno));
		return -1;
	}
	out->people = calloc(n + 1, sizeof(*out->people));
	if (!out->people)
		abort();
	for (i = 0; i < n; i++) {
		dlg_node *p;
		size_t len = strlen(files[i]);
		const char *handle;

		if (len < 6 || strcmp(files[i] + len - 5, ".yaml"))
			continue;
		dlg_buf_clear(&rel);
		dlg_buf_printf(&rel, "team/%s", files[i]);
		if (dlg_store_load(&p, s, rel.ptr, &dlg_schema_person,
				   diags) < 0) {
			error = DLG_EINVALID;
			continue;
		}
		handle = dlg_map_get_str(p, "handle");
		if (strncmp(files[i], handle, len - 5) ||
		    strlen(handle) != len - 5) {
			dlg_node *h = dlg_map_get(p, "handle");

			dlg_diags_add(diags, rel.ptr, h->line, h->column,
				      "handle '%s' does not match the file "
				      "name (expected team/%s.yaml)", handle,
				      handle);
			dlg_node_free(p);
			error = DLG_EINVALID;
			continue;
		}
		out->people[out->count++] = p;
	}
	/* (each handle once: it names its file) */
	qsort(out->people, out->count, sizeof(*out->people), cmp_person);
	out->by_handle = 1;
	dlg_strv_free(files, n);
	dlg_buf_dispose(&rel);
	if (error)
		dlg_error_set("the team has invalid files");
	return error;
}

void dlg_team_dispose(dlg_team *t)
{
	dlg_nodes_free(t->people, t->count);
	t->people = NULL;
	t->count = 0;
	t->by_handle = 0;
}

const dlg_node *dlg_team_find(const dlg_team *t, const char *handle)
{
	size_t i, lo = 0, hi = t->count;
	int c;

	if (!handle)
		return NULL;
	/* check looks up two people a task, 100,000 tasks: by halves */
	while (t->by_handle && lo < hi) {
		i = lo + (hi - lo) / 2;
		c = strcmp(handle, dlg_map_get_str(t->people[i], "handle"));
		if (!c)
			return t->people[i];
		if (c < 0)
			hi = i;
		else
			lo = i + 1;
	}
	for (i = 0; !t->by_handle && i < t->count; i++)
		if (!strcmp(dlg_map_get_str(t->people[i], "handle"), handle))
			return t->people[i];
	return NULL;
}

const dlg_node *dlg_team_find_email(const dlg_team *t, const char *email)
{
	size_t i, j;

	for (i = 0; email && i < t->count; i++) {
		const dlg_node *emails = dlg_map_get(t->people[i], "emails");

		for (j = 0; emails && j < emails->count; j++)
			if (!strcasecmp(emails->items[j]->value, email))
				return t->people[i];
	}
	return NULL;
}

const dlg_node *dlg_team_email_clash(const dlg_team *t, size_t upto,
				     const dlg_node *person, const char *except,
				     const char **email)
{
	const dlg_node *emails = dlg_map_get(person, "emails");
	size_t i, j, k;

	for (i = 0; i < upto && i < t->count; i++) {
		const dlg_node *other = t->people[i];
		const dlg_node *theirs = dlg_map_get(other, "emails");

		if (except && !strcmp(dlg_map_get_str(other, "handle"), except))
			continue;
		for (j = 0; emails && j < emails->count; j++)
			for (k = 0; theirs && k < theirs->count; k++)
				if (!strcasecmp(emails->items[j]->value,
						theirs->items[k]->value)) {
					*email = emails->items[j]->value;
					return other;
				}
	}
	return NULL;
}

static void check_person_ref(dlg_diags *d, const dlg_team *team,
			     const char *rel, const dlg_node *task,
			     const char *field)
{
	const dlg_node *v = dlg_map_get(task, field);

	if (v && v->type != DLG_SCALAR_NULL && !dlg_team_find(team, v->value))
		dlg_diags_add(d, rel, v->line, v->column,
			      "'%s': unknown person '%s' (expected a handle "
			      "from team/)", field, v->value);
}

static void check_task(dlg_store *s, const dlg_team *team, const char *rel,
		       dlg_diags *diags)
{
	dlg_node *t;
	const dlg_node *fb;
	size_t i;

	if (dlg_store_load(&t, s, rel, &dlg_schema_task, diags) < 0)
		return;
	dlg_task_check_file_id(diags, rel, t);
	check_person_ref(diags, team, rel, t, "delegator");
	check_person_ref(diags, team, rel, t, "assignee");
	check_person_ref(diags, team, rel, t, "updated_by");
	fb = dlg_map_get(t, "feedback");
	for (i = 0; fb && i < fb->count; i++)
		check_person_ref(diags, team, rel, fb->items[i], "author");
	dlg_node_free(t);
}

/* Whether a task file's row shows it passes check_task: valid (it has a
 * row), named after its id, and every person it names in the team. Only
 * a shortcut: a file it does not vouch for is checked in full, which
 * names the problem with its line and column. */
static int row_passes(const dlg_row *row, const dlg_team *team,
		      const char *expect_id)
{
	const char *p, *nl;
	char handle[256];

	if (!row || strcmp(row->id, expect_id) ||
	    (row->delegator && !dlg_team_find(team, row->delegator)) ||
	    (row->assignee && !dlg_team_find(team, row->assignee)))
		return 0;
	for (p = row->refs; (nl = strchr(p, '\n')); p = nl + 1) {
		if ((size_t)(nl - p) >= sizeof(handle))
			return 0;
		memcpy(handle, p, (size_t)(nl - p));
		handle[nl - p] = '\0';
		if (!dlg_team_find(team, handle))
			return 0;
	}
	return 1;
}

/* Each email belongs to one person of the team. */
static void check_team_emails(const dlg_team *team, dlg_diags *diags)
{
	size_t i;

	for (i = 0; i < team->count; i++) {
		const char *email;
		const dlg_node *other = dlg_team_email_clash(
			team, i, team->people[i], NULL, &email);

		if (other)
			dlg_diags_add(diags, NULL, 0, 0, "team/%s.yaml: email '%s' "
				      "also belongs to '%s' (expected each email "
				      "once)", dlg_map_get_str(team->people[i],
							       "handle"),
				      email, dlg_map_get_str(other, "handle"));
	}
}

/* The repository's config and policy files are there and valid. */
static void check_repository_files(dlg_store *s, dlg_diags *diags)
{
	dlg_node *doc = NULL;

	if (dlg_store_load(&doc, s, ".delegit/config.yaml", &dlg_schema_config,
			   diags) == DLG_ENOTFOUND)
		dlg_diags_add(diags, ".delegit/config.yaml", 0, 0,
			      "missing (expected a delegit repository: run "
			      "'delegit init')");
	dlg_node_free(doc);
	doc = NULL;
	if (dlg_store_load(&doc, s, ".delegit/policy.yaml", &dlg_schema_policy,
			   diags) == DLG_ENOTFOUND)
		dlg_diags_add(diags, ".delegit/policy.yaml", 0, 0,
			      "missing (expected the policy file)");
	dlg_node_free(doc);
}

/* The names in a shard folder as the rows' scan found them (a task's
 * name each), when it kept them and they are all the folder holds; else
 * 0. */
static int shard_complete(char ***out, size_t *n, dlg_store *s,
			  const char *shard)
{
	const shard_ids *sh = shard_of(s, shard);
	size_t i;

	if (!sh || !sh->listed || !sh->complete)
		return 0;
	if (!(*out = calloc(sh->count + 1, sizeof(**out))))
		abort();
	for (i = 0; i < sh->count; i++) {
		dlg_buf name = DLG_BUF_INIT;

		dlg_buf_printf(&name, "%s.yaml", sh->ids[i]);
		(*out)[i] = dlg_buf_detach(&name);
	}
	*n = sh->count;
	return 1;
}

/* One entry of tasks/: a shard folder whose files are named by the task
 * ids it holds, each task valid (those the rows cache passes unparsed). */
static void check_shard(dlg_store *s, const dlg_rows *rows,
			const dlg_team *team, const char *shard,
			dlg_diags *diags)
{
	dlg_buf rel = DLG_BUF_INIT;
	char **files = NULL;
	size_t nfiles = 0, j;
	struct stat st;

	dlg_buf_printf(&rel, "tasks/%s", shard);
	if (check_entry(s, rel.ptr, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    !dlg_store__shard_name(shard)) {
		dlg_diags_add(diags, rel.ptr, 0, 0,
			      "unexpected entry (expected folders "
			      "named by two hex digits)");
		goto done;
	}
	/* the names the rows' scan kept, when they are all the folder's */
	if (!shard_complete(&files, &nfiles, s, shard))
		list_dir(&files, &nfiles, s, rel.ptr);
	for (j = 0; j < nfiles; j++) {
		char id[DLG_TASK_ID_SIZE];

		dlg_buf_clear(&rel);
		dlg_buf_printf(&rel, "tasks/%s/%s", shard, files[j]);
		if (!dlg_store__task_file_name(files[j], shard)) {
			dlg_diags_add(diags, rel.ptr, 0, 0,
				      "unexpected file name (expected "
				      "tasks/%s/<uuid>.yaml with the "
				      "uuid starting %s)", shard, shard);
			continue;
		}
		memcpy(id, files[j], 36);
		id[36] = '\0';
		if (!rows || !row_passes(dlg_rows_find(rows, id), team, id))
			check_task(s, team, rel.ptr, diags);
	}
	dlg_strv_free(files, nfiles);
done:
	dlg_buf_dispose(&rel);
}

/* The archive: valid tasks too, each in one place only. */
static void check_archive(dlg_store *s, const dlg_team *team,
			  dlg_diags *diags)
{
	dlg_buf rel = DLG_BUF_INIT;
	char **files = NULL;
	size_t nfiles = 0, j;

	if (dlg_store_list_archived(&files, &nfiles, s) != 0)
		return;
	for (j = 0; j < nfiles; j++) {
		char id[DLG_TASK_ID_SIZE];

		memcpy(id, strrchr(files[j], '/') + 1, 36);
		id[36] = '\0';
		check_task(s, team, files[j], diags);
		dlg_buf_clear(&rel);
		dlg_task_path(&rel, id);
		if (dlg_store_exists(s, rel.ptr))
			dlg_diags_add(diags, files[j], 0, 0,
				      "archived, and active in %s too "
				      "(expected one of them: archive "
				      "it again once it is closed, or "
				      "remove the archived copy)",
				      rel.ptr);
	}
	dlg_strv_free(files, nfiles);
	dlg_buf_dispose(&rel);
}

int dlg_store_check(dlg_store *s, const dlg_rows *rows, dlg_diags *diags)
{
	dlg_team team;
	char **shards = NULL;
	size_t nshards = 0, i;
	size_t before = diags->count;

	dlg_team_load(&team, s, diags);
	check_team_emails(&team, diags);
	check_repository_files(s, diags);
	list_dir(&shards, &nshards, s, "tasks");
	for (i = 0; i < nshards; i++)
		check_shard(s, rows, &team, shards[i], diags);
	dlg_strv_free(shards, nshards);
	check_archive(s, &team, diags);
	dlg_team_dispose(&team);
	return diags->count > before ? DLG_EINVALID : 0;
}
