/*
 * The events cache (.git/delegit-events): for a commit and a task file it
 * changed, the field changes history reports (core's dlg_events_of_versions
 * of the two versions, or of a merge's own part: history.c). A commit
 * never changes, and neither do its parents nor their merge base, so an
 * entry, keyed by the commit's id and the path, never goes stale after
 * plain git: a reset, a pull or a rewritten history only makes other
 * commits, with other ids. What an entry does not hold is who made the
 * change (read from the commit, the signature judged each time against
 * the team HEAD trusts): that depends on more than the commit.
 *
 * What the events say depends on the program too (how a value is
 * rendered, which fields the schema knows): the file's first line names
 * the format and delegit's version, and a file another version wrote is
 * set aside and written anew.
 *
 * It also keeps, for the walk, the bytes of each plain commit it met (the
 * commit object, as git hashes it: history.c reads the author and time
 * from them, without libgit2 reading and inflating the commit), under the
 * commit's id and the empty path, which no file has. They are handed out
 * only when they hash to that id, so that bytes changed in the file cannot
 * change who made a change, only cost the time of reading the commit.
 *
 * Format: the first line, then blocks: "evb\n", u32 record count, u64
 * byte length of the records, the records, the block's index, "end\n". A
 * record: the commit id (20 bytes), the path and a NUL, u32 event count,
 * and each event: the task id, the title, the field, from and to; a field
 * that may be absent (title, from, to) is a byte 0, or a byte 1 then the
 * text and a NUL. A commit's record: the id, a NUL (the empty path), u32
 * byte count, the commit object. The index: for each record, in order,
 * the hash of its key (u64, key_hash) and its offset among the records
 * (u64). Opening the file reads the blocks' indexes only, never the
 * records (at 100,000 tasks the records are 400 MB, the indexes 10 MB);
 * a record is checked when it is first read (its shape must fill it, up
 * to the next record's offset), and one that does not check is read as
 * missing, computed again and put in a new block. Of two records with
 * the same key the later stands. A block is appended with one write()
 * after checking that the file is as long as when it was read; a damaged
 * or cut block (its frame, or an index out of order) ends the file as far
 * as readers go, and the next write writes it anew, as the history
 * index's blocks do (hindex.c).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <unistd.h>
#include <openssl/evp.h>

#include "sync_internal.h"

#define MAGIC "delegit events 3 " DELEGIT_VERSION "\n"

typedef struct {
	uint64_t hash; /* of the record's key */
	size_t off;    /* of the record, in the mapped file or in fresh, + 1;
			* 0: an empty slot */
	uint32_t len;  /* its length: up to the next record, or its block's
			* end */
	uint16_t fresh;
	uint16_t checked; /* its shape checked once, and found right */
} entry;

struct dlg_evcache {
	char *map;
	size_t mapsize, good_size;
	dlg_buf fresh;	  /* records added since the file was read */
	dlg_buf findex;	  /* and their index */
	size_t nfresh;
	entry *slot;	  /* open addressing */
	size_t nslots, count;
	dlg_buf path;
	EVP_MD_CTX *sha1; /* checks the commits' bytes (NULL: none asked yet) */
	EVP_MD *sha1_md;  /* fetched once: an implicit fetch per commit was
			   * a third of the checking */
	int no_digest;	  /* it cannot be set up: no commit's bytes are
			   * handed out, nor kept (they could not be
			   * checked, and would be added on every walk) */
};

typedef struct {
	const char *p, *end;
} cur;

/* FNV-1a of the id's first 8 bytes and the path. */
static uint64_t key_hash(const unsigned char *id, const char *path)
{
	uint64_t h = 14695981039346656037ULL;
	int i;

	for (i = 0; i < 8; i++)
		h = (h ^ id[i]) * 1099511628211ULL;
	for (; *path; path++)
		h = (h ^ (unsigned char)*path) * 1099511628211ULL;
	return h;
}

static const char *record_at(const dlg_evcache *c, const entry *e)
{
	return e->fresh ? c->fresh.ptr + e->off - 1 : c->map + e->off - 1;
}

/* Where e's record ends: no reading past it. */
static const char *record_end(const dlg_evcache *c, const entry *e)
{
	return record_at(c, e) + e->len;
}

/* Whether e's record has this key, read within the record. */
static int has_key(const dlg_evcache *c, const entry *e,
		   const unsigned char *id, const char *path)
{
	const char *rec = record_at(c, e);
	size_t len = strlen(path) + 1;

	return (size_t)(record_end(c, e) - rec) >= 20 + len &&
	       !memcmp(rec, id, 20) && !memcmp(rec + 20, path, len);
}

static entry *lookup(dlg_evcache *c, uint64_t hash, const unsigned char *id,
		     const char *path)
{
	size_t h;

	if (!c->nslots)
		return NULL;
	for (h = (size_t)(hash % c->nslots); c->slot[h].off;
	     h = (h + 1) % c->nslots)
		if (c->slot[h].hash == hash &&
		    has_key(c, &c->slot[h], id, path))
			return &c->slot[h];
	return &c->slot[h];
}

static void grow(dlg_evcache *c, size_t want)
{
	entry *old = c->slot;
	size_t n = c->nslots, i, h;

	if (2 * want < c->nslots)
		return;
	/* twice as many as wanted, and at least twice as many as before:
	 * growing by a little would rehash every entry each few records */
	c->nslots = 2 * (want > n ? want : n) + 1021;
	c->slot = calloc(c->nslots, sizeof(*c->slot));
	if (!c->slot)
		abort();
	for (i = 0; i < n; i++) {
		if (!old[i].off)
			continue;
		for (h = (size_t)(old[i].hash % c->nslots); c->slot[h].off;
		     h = (h + 1) % c->nslots)
			;
		c->slot[h] = old[i];
	}
	free(old);
}

/* Whether two entries' records have the same key, each read within
 * itself. */
static int same_key(const dlg_evcache *c, const entry *a, const entry *b)
{
	const char *rec = record_at(c, b), *end = record_end(c, b);

	return end - rec > 20 &&
	       memchr(rec + 20, '\0', (size_t)(end - rec - 20)) &&
	       has_key(c, a, (const unsigned char *)rec, rec + 20);
}

/* A record, by its hash, offset and length, its bytes read only when an
 * entry has the same hash (opening the file touches none of them). The
 * same key twice: the later stands (a commit's bytes that did not check,
 * read again and put, replace those). */
static void insert(dlg_evcache *c, const entry *e)
{
	size_t h;

	grow(c, c->count + 1);
	for (h = (size_t)(e->hash % c->nslots); c->slot[h].off;
	     h = (h + 1) % c->nslots)
		if (c->slot[h].hash == e->hash && same_key(c, &c->slot[h], e))
			break;
	if (!c->slot[h].off)
		c->count++;
	c->slot[h] = *e;
}

/* Step over a NUL-terminated text; -1 past the end. */
static int skip_text(cur *k)
{
	const char *nul = memchr(k->p, '\0', (size_t)(k->end - k->p));

	if (!nul)
		return -1;
	k->p = nul + 1;
	return 0;
}

static int skip_opt(cur *k)
{
	if (k->p >= k->end || (unsigned char)*k->p > 1)
		return -1;
	return *k->p++ ? skip_text(k) : 0;
}

/* Check one record's shape and step over it. */
static int skip_record(cur *k)
{
	uint32_t n, i;
	const char *path;

	if ((size_t)(k->end - k->p) < 20)
		return -1;
	k->p += 20;
	path = k->p;
	if (skip_text(k) < 0 || (size_t)(k->end - k->p) < 4)
		return -1;
	memcpy(&n, k->p, 4);
	k->p += 4;
	if (!*path) { /* the empty path: a commit's bytes */
		if ((size_t)(k->end - k->p) < n)
			return -1;
		k->p += n;
		return 0;
	}
	for (i = 0; i < n; i++)
		if (skip_text(k) < 0 || skip_opt(k) < 0 || skip_text(k) < 0 ||
		    skip_opt(k) < 0 || skip_opt(k) < 0)
			return -1;
	return 0;
}

static uint64_t get64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* One block's frame at k: its record count and length, the records'
 * start; 0 when it is not a whole block. */
static int frame(cur *k, uint32_t *n, uint64_t *len, const char **start)
{
	size_t left = (size_t)(k->end - k->p);

	if (left < 16 + 4 || memcmp(k->p, "evb\n", 4))
		return 0;
	memcpy(n, k->p + 4, 4);
	*len = get64(k->p + 8);
	*start = k->p + 16;
	left -= 16 + 4;
	if (*len > left || (uint64_t)*n * 16 > left - *len ||
	    memcmp(*start + *len + (size_t)*n * 16, "end\n", 4))
		return 0;
	k->p = *start + *len + (size_t)*n * 16 + 4;
	return 1;
}

/* The blocks' indexes into the table, the records unread; the file is
 * good up to the first block whose frame or index is not. */
static void parse(dlg_evcache *c)
{
	cur k = { c->map + strlen(MAGIC), c->map + c->mapsize };
	size_t total = 0;
	uint32_t n, i;
	uint64_t len;
	const char *start;

	c->good_size = strlen(MAGIC);
	while (frame(&k, &n, &len, &start))
		total += n; /* the table's size, once */
	grow(c, total);
	k.p = c->map + strlen(MAGIC);
	while (frame(&k, &n, &len, &start)) {
		const char *ix = start + len;

		/* the records in order from the block's start, each ending
		 * where the next begins, none longer than a record can be */
		for (i = 0; i < n; i++) {
			uint64_t off = get64(ix + (size_t)i * 16 + 8);
			uint64_t end = i + 1 < n
					       ? get64(ix + (size_t)(i + 1) * 16 + 8)
					       : len;

			if ((!i && off) || end <= off || end > len ||
			    end - off > UINT32_MAX)
				break;
		}
		if (i < n)
			break; /* an index out of order: damaged */
		for (i = 0; i < n; i++) {
			uint64_t off = get64(ix + (size_t)i * 16 + 8);
			uint64_t end = i + 1 < n
					       ? get64(ix + (size_t)(i + 1) * 16 + 8)
					       : len;
			entry e = { get64(ix + (size_t)i * 16),
				    (size_t)(start - c->map) + (size_t)off + 1,
				    (uint32_t)(end - off), 0, 0 };

			insert(c, &e);
		}
		c->good_size = (size_t)(k.p - c->map);
	}
}

void dlg_sync__evcache_open(dlg_evcache **out, dlg_repo *r)
{
	dlg_buf path = DLG_BUF_INIT;

	dlg_buf_printf(&path, "%sdelegit-events", git_repository_path(r->git));
	dlg_sync__evcache_open_path(out, path.ptr);
	dlg_buf_dispose(&path);
}

void dlg_sync__evcache_open_path(dlg_evcache **out, const char *path)
{
	dlg_evcache *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	dlg_buf_puts(&c->path, path);
	c->map = dlg_path_map_sparse(c->path.ptr, &c->mapsize);
	if (c->map && (c->mapsize < strlen(MAGIC) ||
		       memcmp(c->map, MAGIC, strlen(MAGIC)))) {
		munmap(c->map, c->mapsize);
		c->map = NULL; /* another version's, or not ours: anew */
	}
	if (c->map)
		parse(c);
	*out = c;
}

static void put_opt(dlg_buf *b, const char *s)
{
	dlg_buf_put(b, s ? "\1" : "\0", 1);
	if (s)
		dlg_buf_put(b, s, strlen(s) + 1);
}

static const char *get_opt(cur *k)
{
	const char *s = NULL;

	if (*k->p++) {
		s = k->p;
		k->p += strlen(s) + 1;
	}
	return s;
}

/* The record of this key, checked (once): its shape fills it exactly;
 * NULL when there is none or it does not check. */
static const char *find(dlg_evcache *c, const git_oid *commit,
			const char *path)
{
	entry *e = lookup(c, key_hash(commit->id, path), commit->id, path);
	cur k;

	if (!e || !e->off)
		return NULL;
	if (!e->checked) {
		k.p = record_at(c, e);
		k.end = record_end(c, e);
		if (skip_record(&k) < 0 || k.p != k.end)
			return NULL;
		e->checked = 1;
	}
	return record_at(c, e);
}

int dlg_sync__evcache_get(dlg_evcache *c, const git_oid *commit,
			  const char *path, dlg_event_views *out)
{
	const char *rec = find(c, commit, path);
	cur k;
	uint32_t n, i;

	if (!rec)
		return 0;
	if (!out)
		return 1;
	k.p = rec + 20;
	k.p += strlen(k.p) + 1;
	memcpy(&n, k.p, 4);
	k.p += 4;
	if (n > out->alloc) {
		out->alloc = n;
		out->items = realloc(out->items, n * sizeof(*out->items));
		if (!out->items)
			abort();
	}
	out->count = n;
	for (i = 0; i < n; i++) {
		dlg_event *ev = &out->items[i];
		const char *task = k.p;

		memset(ev, 0, sizeof(*ev));
		k.p += strlen(k.p) + 1;
		snprintf(ev->task, sizeof(ev->task), "%s", task);
		ev->title = (char *)get_opt(&k);
		ev->field = (char *)k.p;
		k.p += strlen(k.p) + 1;
		ev->from = (char *)get_opt(&k);
		ev->to = (char *)get_opt(&k);
	}
	return 1;
}

/* Start a record in the fresh block, and its entry in the block's index;
 * the record is put after. */
static void record_start(dlg_evcache *c, entry *e, const git_oid *commit,
			 const char *path)
{
	uint64_t off;

	if (!c->nfresh)
		dlg_buf_put(&c->fresh, "evb\n\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	e->hash = key_hash(commit->id, path);
	e->off = c->fresh.size + 1;
	e->len = 0; /* (record_done) */
	e->fresh = 1;
	e->checked = 0;
	off = c->fresh.size - 16;
	dlg_buf_put(&c->findex, (const char *)&e->hash, 8);
	dlg_buf_put(&c->findex, (const char *)&off, 8);
	dlg_buf_put(&c->fresh, (const char *)commit->id, 20);
	dlg_buf_put(&c->fresh, path, strlen(path) + 1);
}

/* The record started by record_start written: its entry into the table. */
static void record_done(dlg_evcache *c, entry *e)
{
	e->len = (uint32_t)(c->fresh.size - (e->off - 1));
	c->nfresh++;
	insert(c, e);
}

void dlg_sync__evcache_put(dlg_evcache *c, const git_oid *commit,
			   const char *path, const dlg_events *ev)
{
	uint32_t n = (uint32_t)ev->count;
	entry e;
	size_t i;

	record_start(c, &e, commit, path);
	dlg_buf_put(&c->fresh, (const char *)&n, 4);
	for (i = 0; i < ev->count; i++) {
		const dlg_event *x = &ev->items[i];

		dlg_buf_put(&c->fresh, x->task, strlen(x->task) + 1);
		put_opt(&c->fresh, x->title);
		dlg_buf_put(&c->fresh, x->field, strlen(x->field) + 1);
		put_opt(&c->fresh, x->from);
		put_opt(&c->fresh, x->to);
	}
	record_done(c, &e);
}

int dlg_sync__evcache_commit(dlg_evcache *c, const git_oid *commit,
			     const char **data, size_t *len)
{
	const char *rec = find(c, commit, "");
	unsigned char md[EVP_MAX_MD_SIZE];
	char head[32];
	size_t head_len;
	uint32_t n;

	if (!rec)
		return 0;
	rec += 21;
	memcpy(&n, rec, 4);
	if (c->no_digest)
		return 0;
	if ((!c->sha1_md &&
	     !(c->sha1_md = EVP_MD_fetch(NULL, "SHA1", NULL))) ||
	    (!c->sha1 && !(c->sha1 = EVP_MD_CTX_new()))) {
		c->no_digest = 1; /* bytes not checked are not handed out */
		return 0;
	}
	/* the id git gives these bytes as a commit: the SHA-1 of
	 * "commit <size>", a NUL and them */
	head_len = (size_t)snprintf(head, sizeof(head), "commit %lu",
				    (unsigned long)n) + 1;
	if (!EVP_DigestInit_ex(c->sha1, c->sha1_md, NULL) ||
	    !EVP_DigestUpdate(c->sha1, head, head_len) ||
	    !EVP_DigestUpdate(c->sha1, rec + 4, n) ||
	    !EVP_DigestFinal_ex(c->sha1, md, NULL) ||
	    memcmp(md, commit->id, 20))
		return 0;
	*data = rec + 4;
	*len = n;
	return 1;
}

void dlg_sync__evcache_put_commit(dlg_evcache *c, const git_oid *commit,
				  const char *data, size_t len)
{
	uint32_t n = (uint32_t)len;
	entry e;

	/* a record's length is a u32; bytes that cannot be checked are
	 * not kept */
	if (len > UINT32_MAX - 64 || c->no_digest)
		return;
	record_start(c, &e, commit, "");
	dlg_buf_put(&c->fresh, (const char *)&n, 4);
	dlg_buf_put(&c->fresh, data, len);
	record_done(c, &e);
}

/* Append the fresh block, or write the file anew when it is damaged, of
 * another version, or changed since it was read. A cache that cannot be
 * written is no error: the next query computes the same events again. */
void dlg_sync__evcache_save(dlg_evcache *c)
{
	dlg_buf all = DLG_BUF_INIT, tmp = DLG_BUF_INIT;
	uint32_t n = (uint32_t)c->nfresh;
	uint64_t len;
	struct stat st;
	int fd;

	if (!c->nfresh)
		return;
	len = c->fresh.size - 16;
	memcpy(c->fresh.ptr + 4, &n, 4);
	memcpy(c->fresh.ptr + 8, &len, 8);
	dlg_buf_put(&c->fresh, c->findex.ptr, c->findex.size);
	dlg_buf_puts(&c->fresh, "end\n");
	if (c->map && c->good_size == c->mapsize &&
	    (fd = open(c->path.ptr, O_WRONLY | O_APPEND | O_CLOEXEC)) >= 0) {
		int done = fstat(fd, &st) == 0 &&
			   (size_t)st.st_size == c->mapsize &&
			   write(fd, c->fresh.ptr, c->fresh.size) ==
				   (ssize_t)c->fresh.size;

		close(fd);
		if (done)
			return;
	}
	dlg_buf_puts(&all, MAGIC);
	if (c->map)
		dlg_buf_put(&all, c->map + strlen(MAGIC),
			    c->good_size - strlen(MAGIC));
	dlg_buf_put(&all, c->fresh.ptr, c->fresh.size);
	dlg_buf_printf(&tmp, "%s.%ld.tmp", c->path.ptr, (long)getpid());
	if (dlg_path_write(tmp.ptr, all.ptr, all.size) < 0 ||
	    rename(tmp.ptr, c->path.ptr) < 0)
		unlink(tmp.ptr);
	dlg_buf_dispose(&tmp);
	dlg_buf_dispose(&all);
}

void dlg_sync__evcache_free(dlg_evcache *c)
{
	if (!c)
		return;
	if (c->map)
		munmap(c->map, c->mapsize);
	dlg_buf_dispose(&c->fresh);
	dlg_buf_dispose(&c->findex);
	dlg_buf_dispose(&c->path);
	EVP_MD_CTX_free(c->sha1);
	EVP_MD_free(c->sha1_md);
	free(c->slot);
	free(c);
}
