/*
 * Task rows: the few fields `list` needs of every task, kept in a cache
 * file so that a query does not parse every task file.
 *
 * The cache is derived purely from content. Each entry maps a task file's
 * blob id (git's SHA-1 of "blob <size>\0" and the bytes, computed by the
 * store's hasher, which sync/ gives: dlg_store_set_hash) to the row parsed
 * from those bytes; a file's stat data (inode, size, mtime, ctime, as git's
 * own index keeps them) is only a shortcut to learn that the bytes are the
 * ones hashed before. Any write to a file changes its ctime, so `git pull`,
 * `git checkout` or a hand edit makes the shortcut miss and the bytes are
 * read and hashed again; an entry whose times are too close to the last scan
 * (a write in the same clock tick) is never trusted by its stat alone. See
 * docs/design.md, "The task cache".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core_internal.h"
#include "idtable.h"

/* Bump the number when the fields or their meaning change. */
#define MAGIC "delegit task rows 5\n"

enum { F_ID, F_TITLE, F_STATUS, F_PRIORITY, F_DUE, F_ASSIGNEE, F_DELEGATOR,
       F_CREATED, F_UPDATED, F_CORE, F_TAGS, F_ESTIMATE, F_SPENT, F_REFS,
       F_EVERY, F_SERIES, F_AFTER, NFIELDS };
static const char *const field_names[NFIELDS] = {
	"id", "title", "status", "priority", "due", "assignee", "delegator",
	"created", "updated", "core", "tags", "estimate_hours", "spent", NULL,
	"recur.every", "recur.series", "after"
};

/* What a file looked like when its bytes were hashed. */
typedef struct {
	uint64_t dev, ino, size;
	int64_t mtime_s, mtime_ns, ctime_s, ctime_ns;
} file_sig;

typedef struct {
	char name[DLG_TASK_ID_SIZE]; /* the task id the file is named after */
	unsigned char usable; /* a plain file seen by the scan: sig is real */
	file_sig sig;
} scanned;

/*
 * One entry of the cache file, as stored: the name (36 characters and a
 * NUL), the stat data, the blob id, then each field as a byte (0: null,
 * 1: a string follows, with its NUL).
 */
#define ENTRY_FIXED (DLG_TASK_ID_SIZE + sizeof(file_sig) + 20)

typedef struct {
	dlg_row row;	 /* pointing into raw */
	const char *raw; /* the stored entry: in the old cache or owned */
	size_t rawlen;
	int owned;
} entry;

struct dlg_rows {
	entry *entries;
	size_t count;
	const char **names; /* every task file's id, valid or not, sorted */
	size_t nnames;
	char *map; /* the cache file read */
	size_t mapsize;
	const char *entries_start; /* in map; NULL if it has none to give */
	char **owned; /* names of invalid files */
	size_t nowned;
	unsigned char *short_len; /* each row's short id, made when asked */
};

/* ---------------------------------------------------------------------
 * The cache file: MAGIC, the program version and a NUL, the time the scan
 * that wrote it began, then the entries, sorted by name.
 */
typedef struct {
	const char *p, *end;
	struct timespec scan;
} cursor;

/* The entry at c->p into e (row and raw); 0 at the end or on damage (the
 * rest of the file is then ignored: it only costs time). */
static int next_entry(cursor *c, entry *e)
{
	const char *p = c->p, *f[NFIELDS];
	int k;

	if ((size_t)(c->end - p) < ENTRY_FIXED || p[36] != '\0' ||
	    strlen(p) != 36)
		return 0;
	p += ENTRY_FIXED;
	for (k = 0; k < NFIELDS; k++) {
		const char *nul;

		if (p >= c->end || (*p != 0 && *p != 1))
			return 0;
		if (*p++ == 0) {
			f[k] = NULL;
			continue;
		}
		if (!(nul = memchr(p, '\0', (size_t)(c->end - p))))
			return 0;
		f[k] = p;
		p = nul + 1;
	}
	memset(e, 0, sizeof(*e));
	e->raw = c->p;
	e->rawlen = (size_t)(p - c->p);
	e->row.file = c->p;
	e->row.id = f[F_ID];
	e->row.title = f[F_TITLE];
	e->row.status = f[F_STATUS];
	e->row.priority = f[F_PRIORITY];
	e->row.due = f[F_DUE];
	e->row.assignee = f[F_ASSIGNEE];
	e->row.delegator = f[F_DELEGATOR];
	e->row.created = f[F_CREATED];
	e->row.updated = f[F_UPDATED];
	e->row.core = f[F_CORE] && !strcmp(f[F_CORE], "true");
	e->row.tags = f[F_TAGS] ? f[F_TAGS] : "";
	e->row.estimate_hours = f[F_ESTIMATE];
	e->row.spent_hours = f[F_SPENT];
	e->row.refs = f[F_REFS] ? f[F_REFS] : "";
	e->row.every = f[F_EVERY];
	e->row.series = f[F_SERIES];
	e->row.after = f[F_AFTER];
	c->p = p;
	return 1;
}

static void entry_sig(file_sig *sig, const entry *e)
{
	memcpy(sig, e->raw + DLG_TASK_ID_SIZE, sizeof(*sig));
}

static const unsigned char *entry_oid(const entry *e)
{
	return (const unsigned char *)e->raw + DLG_TASK_ID_SIZE +
	       sizeof(file_sig);
}

const unsigned char *dlg__row_oid(const dlg_row *row)
{
	/* a row is its entry's first member */
	return entry_oid((const entry *)(const void *)row);
}

int dlg__blob_is(const dlg_store *s, const unsigned char oid[20],
		 const char *data, size_t len)
{
	dlg_hash_fn hash = dlg_store__hash(s);
	unsigned char now[20];

	if (!hash)
		return 0;
	hash(now, data, len);
	return !memcmp(now, oid, 20);
}

/* Map the cache file; a missing, foreign or older one is empty. */
static void cache_open(cursor *c, dlg_rows *r, const char *path)
{
	size_t hdr = strlen(MAGIC) + strlen(DELEGIT_VERSION) + 1;

	memset(c, 0, sizeof(*c));
	if (!path || !(r->map = dlg_path_map(path, &r->mapsize)))
		return;
	if (r->mapsize < hdr + 16 || memcmp(r->map, MAGIC, strlen(MAGIC)) ||
	    strcmp(r->map + strlen(MAGIC), DELEGIT_VERSION))
		return;
	memcpy(&c->scan.tv_sec, r->map + hdr, 8);
	memcpy(&c->scan.tv_nsec, r->map + hdr + 8, 8);
	c->p = r->entries_start = r->map + hdr + 16;
	c->end = r->map + r->mapsize;
}

static void put_field(dlg_buf *b, const char *s)
{
	dlg_buf_put(b, s ? "\1" : "\0", 1);
	if (s)
		dlg_buf_put(b, s, strlen(s) + 1);
}

static int cache_write(const char *path, const entry *v, size_t n,
		       const struct timespec *scan)
{
	dlg_buf tmp = DLG_BUF_INIT;
	int64_t t[2] = { scan->tv_sec, scan->tv_nsec };
	size_t i;
	FILE *f;
	int error = 0;

	/* A new file renamed over the old: readers see one or the other. */
	dlg_buf_printf(&tmp, "%s.%ld.tmp", path, (long)getpid());
	if (!(f = fopen(tmp.ptr, "wb"))) {
		dlg_buf_dispose(&tmp);
		return -1;
	}
	fwrite(MAGIC, 1, strlen(MAGIC), f);
	fwrite(DELEGIT_VERSION, 1, strlen(DELEGIT_VERSION) + 1, f);
	fwrite(t, sizeof(t[0]), 2, f);
	for (i = 0; i < n; i++)
		fwrite(v[i].raw, 1, v[i].rawlen, f);
	if (ferror(f) | fclose(f) || rename(tmp.ptr, path) < 0) {
		unlink(tmp.ptr);
		error = -1;
	}
	dlg_buf_dispose(&tmp);
	return error;
}

/* ---------------------------------------------------------------------
 * The scan: every task file's stat data. A stat is a system call each; on
 * a small VM they dominate, so two threads take shards in turn, and the
 * first also walks the shards already scanned along the old cache.
 */
typedef struct {
	char name[3];
	scanned *files;
	size_t count;
	int unusual; /* not a plain folder: leave it to the careful reader */
	int failed; /* a plain folder that could not be listed: its errno */
	int others; /* it holds names (not starting with a dot) of no task */
	atomic_int ready;
} shard;

typedef struct {
	int root;
	shard *shards;
	size_t count;
	atomic_size_t next; /* the next shard nobody has taken */
	pthread_t helper;
	int threaded;
} scan_job;

static int cmp_scanned(const void *a, const void *b)
{
	return strcmp(((const scanned *)a)->name, ((const scanned *)b)->name);
}

static void sig_of(file_sig *g, const struct stat *st)
{
	g->dev = (uint64_t)st->st_dev;
	g->ino = (uint64_t)st->st_ino;
	g->size = (uint64_t)st->st_size;
	g->mtime_s = st->st_mtim.tv_sec;
	g->mtime_ns = st->st_mtim.tv_nsec;
	g->ctime_s = st->st_ctim.tv_sec;
	g->ctime_ns = st->st_ctim.tv_nsec;
}

static void scan_shard(int root, shard *sh)
{
	int fd = openat(root, sh->name,
			O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	size_t alloc = 0;
	struct dirent *e;
	DIR *d;

	sh->unusual = fd < 0;
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0) {
			/* never taken for an empty folder: said */
			sh->failed = errno ? errno : EIO;
			close(fd);
		}
		return;
	}
	while ((e = readdir(d))) {
		struct stat st;
		scanned *x;

		if (!dlg_store__task_file_name(e->d_name, sh->name)) {
			sh->others |= e->d_name[0] != '.';
			continue;
		}
		if (sh->count == alloc) {
			alloc = alloc ? alloc * 2 : 512;
			sh->files = realloc(sh->files, alloc * sizeof(*sh->files));
			if (!sh->files)
				abort();
		}
		x = &sh->files[sh->count++];
		memcpy(x->name, e->d_name, 36);
		x->name[36] = '\0';
		x->usable = fstatat(fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISREG(st.st_mode);
		if (x->usable)
			sig_of(&x->sig, &st);
	}
	closedir(d);
	if (sh->count)
		qsort(sh->files, sh->count, sizeof(*sh->files), cmp_scanned);
}

/* Scan the next shard nobody has taken; 0 when none is left. */
static int scan_next(scan_job *j)
{
	size_t i = atomic_fetch_add(&j->next, 1);

	if (i >= j->count)
		return 0;
	scan_shard(j->root, &j->shards[i]);
	atomic_store_explicit(&j->shards[i].ready, 1, memory_order_release);
	return 1;
}

static void *scan_worker(void *arg)
{
	while (scan_next(arg))
		;
	return NULL;
}

/* Shard i, once scanned: scan others while waiting for it. */
static shard *scan_get(scan_job *j, size_t i)
{
	while (!atomic_load_explicit(&j->shards[i].ready,
				     memory_order_acquire))
		if (!scan_next(j))
			sched_yield(); /* the helper has it: a few ms */
	return &j->shards[i];
}

static int cmp_shard(const void *a, const void *b)
{
	return strcmp(((const shard *)a)->name, ((const shard *)b)->name);
}

/* List the shards of tasks/, sorted, and start scanning them. Returns 1
 * if tasks/ is not a plain folder, -errno if it cannot be listed. */
static int scan_start(scan_job *j, dlg_store *s)
{
	dlg_buf p = DLG_BUF_INIT;
	size_t alloc = 0;
	struct dirent *e;
	DIR *d;

	memset(j, 0, sizeof(*j));
	dlg_buf_printf(&p, "%s/tasks", dlg_store_root(s));
	j->root = open(p.ptr, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	dlg_buf_dispose(&p);
	if (j->root < 0)
		/* Missing: no tasks. A link or a file: the careful reader
		 * reports it. */
		return errno == ENOENT ? 0 : 1;
	if (!(d = fdopendir(dup(j->root)))) {
		/* a folder that cannot be listed: never taken for an empty
		 * one (the caller says so) */
		int saved = errno ? errno : EIO;

		close(j->root);
		j->root = -1;
		return -saved;
	}
	while ((e = readdir(d))) {
		if (!dlg_store__shard_name(e->d_name))
			continue;
		if (j->count == alloc) {
			alloc = alloc ? alloc * 2 : 256;
			j->shards = realloc(j->shards, alloc * sizeof(*j->shards));
			if (!j->shards)
				abort();
		}
		memset(&j->shards[j->count], 0, sizeof(j->shards[0]));
		memcpy(j->shards[j->count++].name, e->d_name, 3);
	}
	closedir(d);
	if (j->count)
		qsort(j->shards, j->count, sizeof(*j->shards), cmp_shard);
	atomic_init(&j->next, 0);
	j->threaded = j->count > 1 &&
		      !pthread_create(&j->helper, NULL, scan_worker, j);
	return 0;
}

static void scan_finish(scan_job *j)
{
	size_t i;

	if (j->threaded)
		pthread_join(j->helper, NULL);
	if (j->root >= 0)
		close(j->root);
	for (i = 0; i < j->count; i++)
		free(j->shards[i].files);
	free(j->shards);
}

/* ---------------------------------------------------------------------
 * Building the rows.
 */
/* A field's value in the row; computed ones (tags, the hours spent) are
 * made in own[k]. */
static const char *field_value(dlg_buf *own, const dlg_node *doc, int k)
{
	const dlg_node *seq;
	size_t i;

	if (k == F_SPENT) {
		if (!dlg_map_get(doc, "spent"))
			return NULL;
		dlg_buf_clear(&own[k]);
		dlg_buf_printf(&own[k], "%g", dlg_task_spent(doc, NULL, 0, 0));
		return own[k].ptr;
	}
	if (k == F_REFS) {
		/* the other people it names, for `check`: one a line */
		dlg_buf_clear(&own[k]);
		if (dlg_map_get_str(doc, "updated_by"))
			dlg_buf_printf(&own[k], "%s\n",
				       dlg_map_get_str(doc, "updated_by"));
		seq = dlg_map_get(doc, "feedback");
		for (i = 0; seq && seq->kind == DLG_NODE_SEQ && i < seq->count;
		     i++)
			if (dlg_map_get_str(seq->items[i], "author"))
				dlg_buf_printf(&own[k], "%s\n",
					       dlg_map_get_str(seq->items[i],
							       "author"));
		return own[k].ptr;
	}
	if (k == F_EVERY || k == F_SERIES)
		return dlg_map_get_str(dlg_map_get(doc, "recur"),
				       field_names[k] + 6);
	if (k != F_TAGS && k != F_AFTER)
		return dlg_map_get_str(doc, field_names[k]);
	/* Tags (ids), one a line (a tag is one line of text). */
	dlg_buf_clear(&own[k]);
	seq = dlg_map_get(doc, field_names[k]);
	if (k == F_AFTER && !seq)
		return NULL;
	for (i = 0; seq && seq->kind == DLG_NODE_SEQ && i < seq->count; i++)
		if (seq->items[i]->kind == DLG_NODE_SCALAR &&
		    !strchr(seq->items[i]->value, '\n'))
			dlg_buf_printf(&own[k], "%s\n", seq->items[i]->value);
	return own[k].ptr;
}

/* e becomes an entry of its own with these contents. */
static void make_entry(entry *e, const char *name, const file_sig *sig,
		       const unsigned char oid[20], const char *const *f)
{
	dlg_buf b = DLG_BUF_INIT;
	cursor c;
	int k;

	dlg_buf_put(&b, name, DLG_TASK_ID_SIZE);
	dlg_buf_put(&b, (const char *)sig, sizeof(*sig));
	dlg_buf_put(&b, (const char *)oid, 20);
	for (k = 0; k < NFIELDS; k++)
		put_field(&b, f[k]);
	c.p = b.ptr;
	c.end = b.ptr + b.size;
	dlg_buf_detach(&b);
	if (!next_entry(&c, e))
		abort();
	e->owned = 1;
}

static void entry_fields(const char **f, const entry *e)
{
	f[F_ID] = e->row.id;
	f[F_TITLE] = e->row.title;
	f[F_STATUS] = e->row.status;
	f[F_PRIORITY] = e->row.priority;
	f[F_DUE] = e->row.due;
	f[F_ASSIGNEE] = e->row.assignee;
	f[F_DELEGATOR] = e->row.delegator;
	f[F_CREATED] = e->row.created;
	f[F_UPDATED] = e->row.updated;
	f[F_CORE] = e->row.core ? "true" : "false";
	f[F_TAGS] = e->row.tags;
	f[F_ESTIMATE] = e->row.estimate_hours;
	f[F_SPENT] = e->row.spent_hours;
	f[F_REFS] = e->row.refs;
	f[F_EVERY] = e->row.every;
	f[F_SERIES] = e->row.series;
	f[F_AFTER] = e->row.after;
}

/* Whether stat data proves a file is as it was when it was hashed. */
static int sig_trusted(const file_sig *now, const file_sig *then,
		       const struct timespec *scan)
{
	/* A write in the same clock tick as the scan that hashed the bytes
	 * could leave the times as they were: trust only older times. File
	 * times come from a coarse clock, hence a whole second's margin. */
	int64_t edge = (int64_t)scan->tv_sec - 1;

	return !memcmp(now, then, sizeof(*now)) && now->mtime_s < edge &&
	       now->ctime_s < edge;
}

/* Old entries by blob id: for files whose stat changed but bytes did not
 * (a checkout, a touch). Built once many files missed. */
typedef struct {
	dlg_idtable ids; /* positions: entries' offsets in the map */
	int built;
} oid_table;

static const unsigned char *oid_at(const void *map, size_t pos)
{
	entry e;

	e.raw = (const char *)map + pos;
	return entry_oid(&e);
}

static const char *find_oid(oid_table *t, const dlg_rows *r,
			    const unsigned char oid[20])
{
	cursor c;
	entry e;
	size_t n = 0, pos;

	if (!t->built && r->entries_start) {
		t->built = 1;
		c.p = r->entries_start;
		c.end = r->map + r->mapsize;
		while (next_entry(&c, &e))
			n++;
		if (!n)
			return NULL;
		dlg_idtable_init(&t->ids, n);
		c.p = r->entries_start;
		while (next_entry(&c, &e))
			dlg_idtable_add(&t->ids, (size_t)(e.raw - r->map), oid_at,
					r->map);
	}
	pos = dlg_idtable_find(&t->ids, oid, oid_at, r->map);
	return pos == DLG_IDTABLE_NONE ? NULL : r->map + pos;
}

/* Read, hash and (if the bytes are new) parse one file into e. Returns 1
 * when e holds a row, 0 when the file is not a valid task (diags say why). */
static int load_one(entry *e, dlg_rows *r, dlg_store *s, const scanned *f,
		    oid_table *byoid, int use_table, dlg_diags *diags)
{
	dlg_buf rel = DLG_BUF_INIT, full = DLG_BUF_INIT, text = DLG_BUF_INIT,
		own[NFIELDS];
	const char *fields[NFIELDS], *same;
	unsigned char oid[20];
	file_sig sig, after;
	dlg_node *doc = NULL;
	struct stat st;
	dlg_hash_fn hash = dlg_store__hash(s);
	int k, ok = 0;

	for (k = 0; k < NFIELDS; k++)
		own[k] = (dlg_buf)DLG_BUF_INIT;
	dlg_buf_printf(&rel, "tasks/%.2s/%s.yaml", f->name, f->name);
	if (dlg_store_read_file(&text, s, rel.ptr) < 0) {
		dlg_diags_add(diags, NULL, 0, 0, "%s", dlg_error_last());
		goto done;
	}
	/* Without a hasher, no id: the file is not looked up by one. */
	memset(oid, 0, sizeof(oid));
	if (hash)
		hash(oid, text.ptr, text.size);
	/* The stat data counts only if the file did not change while read;
	 * zeroes never match, so the file is read again next time. */
	memset(&sig, 0, sizeof(sig));
	dlg_buf_printf(&full, "%s/%s", dlg_store_root(s), rel.ptr);
	if (f->usable && lstat(full.ptr, &st) == 0) {
		sig_of(&after, &st);
		if (!memcmp(&after, &f->sig, sizeof(after)))
			sig = f->sig;
	}
	if (use_table && hash && (same = find_oid(byoid, r, oid))) {
		cursor c = { same, r->map + r->mapsize, { 0, 0 } };
		entry old;

		if (next_entry(&c, &old)) {
			entry_fields(fields, &old);
			make_entry(e, f->name, &sig, oid, fields);
			ok = 1;
			goto done;
		}
	}
	if (dlg_store_parse(&doc, text.ptr, text.size, rel.ptr,
			    &dlg_schema_task, diags) < 0)
		goto done;
	for (k = 0; k < NFIELDS; k++)
		fields[k] = field_value(own, doc, k);
	make_entry(e, f->name, &sig, oid, fields);
	ok = 1;
done:
	dlg_node_free(doc);
	for (k = 0; k < NFIELDS; k++)
		dlg_buf_dispose(&own[k]);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&full);
	dlg_buf_dispose(&rel);
	return ok;
}

/* tasks/ or a shard that is not a plain folder (a link, a file): no
 * cache; the careful reader reports the problem for each file there. */
static void load_careful(dlg_store *s, const char *shard_name,
			 dlg_diags *diags)
{
	char **files = NULL;
	size_t nfiles = 0, k;

	dlg_store_list_tasks(&files, &nfiles, s);
	for (k = 0; k < nfiles; k++) {
		dlg_node *doc = NULL;

		if (!shard_name || !strncmp(files[k] + 6, shard_name, 2))
			dlg_store_load(&doc, s, files[k], &dlg_schema_task,
				       diags);
		dlg_node_free(doc);
	}
	dlg_strv_free(files, nfiles);
}

/* Room for `more` names and rows (of `alloc`), the new rows' pages
 * touched ahead. */
static void rows_reserve(dlg_rows *r, size_t *alloc, size_t more)
{
	if (r->nnames + more <= *alloc)
		return;
	*alloc = (r->nnames + more) * 5 / 4 + 512;
	r->entries = realloc(r->entries, *alloc * sizeof(*r->entries));
	r->names = realloc(r->names, *alloc * sizeof(*r->names));
	if (!r->entries || !r->names)
		abort();
	dlg_prefault(r->entries + r->count,
		     (*alloc - r->count) * sizeof(*r->entries));
}

/* A file that is not a valid task: no row, but its id is taken. */
static void rows_add_invalid(dlg_rows *r, const char *name)
{
	r->owned = realloc(r->owned, (r->nowned + 1) * sizeof(*r->owned));
	if (!r->owned || !(r->owned[r->nowned] = strdup(name)))
		abort();
	r->names[r->nnames++] = r->owned[r->nowned++];
}

/* The ids the scan found in sh, as the store's listing of the shard. */
static void keep_listing(dlg_store *s, const shard *sh)
{
	char **ids = calloc(sh->count + 1, sizeof(*ids));
	size_t j;

	if (!ids)
		abort();
	for (j = 0; j < sh->count; j++)
		if (!(ids[j] = strndup(sh->files[j].name, 36)))
			abort();
	dlg_store__shard_found(s, sh->name, ids, sh->count, !sh->others);
}

/* Past this many files read, look the others up by blob id first. */
#define MISSES_BEFORE_TABLE 32

int dlg_rows_load(dlg_rows **out, dlg_store *s, const char *cache_path,
		  dlg_diags *diags)
{
	dlg_rows *r = calloc(1, sizeof(*r));
	size_t misses = 0, alloc = 0, i, j;
	struct timespec this_scan;
	oid_table byoid = { { NULL, 0 }, 0 };
	scan_job job;
	cursor old;
	entry cur;
	int have_cur, changed = 0, started;

	if (!r)
		abort();
	*out = r;
	clock_gettime(CLOCK_REALTIME, &this_scan);
	cache_open(&old, r, cache_path);
	if ((started = scan_start(&job, s)) == 1) {
		load_careful(s, NULL, diags);
		return 0;
	}
	if (started < 0) {
		dlg_diags_add(diags, "tasks", 0, 0,
			      "cannot list this folder: %s", strerror(-started));
		return 0;
	}
	have_cur = old.p && next_entry(&old, &cur);
	for (i = 0; i < job.count; i++) {
		shard *sh = scan_get(&job, i);

		if (sh->unusual) {
			load_careful(s, sh->name, diags);
			continue;
		}
		if (sh->failed) {
			dlg_buf where = DLG_BUF_INIT;

			dlg_buf_printf(&where, "tasks/%s", sh->name);
			dlg_diags_add(diags, where.ptr, 0, 0,
				      "cannot list this folder: %s",
				      strerror(sh->failed));
			dlg_buf_dispose(&where);
			changed = 1;
			continue;
		}
		rows_reserve(r, &alloc, sh->count);
		for (j = 0; j < sh->count; j++) {
			const scanned *f = &sh->files[j];
			entry *e = &r->entries[r->count];
			file_sig then;

			/* The old entries are sorted too: walk them along. */
			while (have_cur && strcmp(cur.row.file, f->name) < 0) {
				changed = 1; /* a file gone */
				have_cur = next_entry(&old, &cur);
			}
			if (have_cur && !strcmp(cur.row.file, f->name)) {
				entry_sig(&then, &cur);
				if (f->usable &&
				    sig_trusted(&f->sig, &then, &old.scan)) {
					*e = cur;
					r->names[r->nnames++] = e->row.file;
					r->count++;
					have_cur = next_entry(&old, &cur);
					continue;
				}
				have_cur = next_entry(&old, &cur);
			}
			changed = 1;
			misses++;
			if (load_one(e, r, s, f, &byoid,
				     misses > MISSES_BEFORE_TABLE, diags)) {
				r->names[r->nnames++] = e->row.file;
				r->count++;
				continue;
			}
			rows_add_invalid(r, f->name);
		}
		if (dlg_store__keeps_listings(s))
			keep_listing(s, sh);
		/* Done with it: the next shards reuse the memory. Fresh pages
		 * cost ~15 us each on this VM (docs/benchmarks.md). */
		free(sh->files);
		sh->files = NULL;
	}
	scan_finish(&job);
	if (have_cur)
		changed = 1;
	if (changed && cache_path)
		/* A cache that cannot be written only costs time. */
		cache_write(cache_path, r->entries, r->count, &this_scan);
	dlg_idtable_dispose(&byoid.ids);
	return 0;
}

size_t dlg_rows_count(const dlg_rows *r)
{
	return r ? r->count : 0;
}

const dlg_row *dlg_rows_at(const dlg_rows *r, size_t i)
{
	return &r->entries[i].row;
}

static size_t common(const char *a, const char *b)
{
	size_t k = 0;

	while (k < 36 && a[k] == b[k])
		k++;
	return k;
}

/* The shortest prefix (6 digits at least) no other task file shares,
 * for every row: only the neighbours in sorted order can share more. One
 * pass in order, not a search per row: each step of a search would follow
 * a pointer into the cache file to a line the processor has not cached. */
static void short_lens(dlg_rows *r)
{
	size_t k, j = 0, len;

	if (!(r->short_len = calloc(r->count + 1, 1)))
		abort();
	for (k = 0; k < r->nnames && j < r->count; k++) {
		if (r->names[k] != r->entries[j].row.file)
			continue; /* an invalid file: no row */
		len = 6;
		if (k > 0 && common(r->names[k - 1], r->names[k]) + 1 > len)
			len = common(r->names[k - 1], r->names[k]) + 1;
		if (k + 1 < r->nnames &&
		    common(r->names[k], r->names[k + 1]) + 1 > len)
			len = common(r->names[k], r->names[k + 1]) + 1;
		r->short_len[j++] = (unsigned char)(len > 36 ? 36 : len);
	}
}

void dlg_rows_short_id(char out[DLG_TASK_ID_SIZE], dlg_rows *r, const dlg_row *row)
{
	/* A row is the first member of its entry. */
	size_t i = (size_t)((const entry *)(const void *)row - r->entries);

	if (!r->short_len)
		short_lens(r);
	memcpy(out, row->file, r->short_len[i]);
	out[r->short_len[i]] = '\0';
}

static int cmp_doc_id(const void *a, const void *b)
{
	return strcmp(dlg_map_get_str(*(dlg_node *const *)a, "id"),
		      dlg_map_get_str(*(dlg_node *const *)b, "id"));
}

int dlg_rows_from_tasks(dlg_rows **out, dlg_node **docs, size_t n)
{
	dlg_rows *r = calloc(1, sizeof(*r));
	dlg_buf own[NFIELDS];
	const char *fields[NFIELDS];
	unsigned char oid[20];
	file_sig sig;
	char name[DLG_TASK_ID_SIZE];
	size_t i;
	int k;

	if (!r || !(r->entries = calloc(n + 1, sizeof(*r->entries))) ||
	    !(r->names = calloc(n + 1, sizeof(*r->names))))
		abort();
	memset(&sig, 0, sizeof(sig));
	memset(oid, 0, sizeof(oid));
	for (k = 0; k < NFIELDS; k++)
		own[k] = (dlg_buf)DLG_BUF_INIT;
	if (n > 1)
		qsort(docs, n, sizeof(*docs), cmp_doc_id);
	for (i = 0; i < n; i++) {
		memset(name, 0, sizeof(name));
		snprintf(name, sizeof(name), "%s",
			 dlg_map_get_str(docs[i], "id"));
		for (k = 0; k < NFIELDS; k++)
			fields[k] = field_value(own, docs[i], k);
		make_entry(&r->entries[i], name, &sig, oid, fields);
		r->names[i] = r->entries[i].row.file;
	}
	r->count = r->nnames = n;
	for (k = 0; k < NFIELDS; k++)
		dlg_buf_dispose(&own[k]);
	*out = r;
	return 0;
}

const dlg_row *dlg_rows_find(const dlg_rows *r, const char *file)
{
	size_t lo = 0, hi = r->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->entries[mid].row.file, file);

		if (!c)
			return &r->entries[mid].row;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void dlg_rows_free(dlg_rows *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->count; i++)
		if (r->entries[i].owned)
			free((char *)r->entries[i].raw);
	for (i = 0; i < r->nowned; i++)
		free(r->owned[i]);
	free(r->owned);
	free(r->entries);
	free(r->names);
	free(r->short_len);
	if (r->map)
		munmap(r->map, r->mapsize);
	free(r);
}
