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
 * byte length of the records, the records, "end\n". A record: the commit
 * id (20 bytes), the path and a NUL, u32 event count, and each event: the
 * task id, the title, the field, from and to; a field that may be absent
 * (title, from, to) is a byte 0, or a byte 1 then the text and a NUL. A
 * commit's record: the id, a NUL (the empty path), u32 byte count, the
 * commit object. Of two records with the same key the later stands. A
 * block is appended with one write() after checking that the file is as
 * long as when it was read; a damaged or cut block ends the file as far
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

#define MAGIC "delegit events 2 " DELEGIT_VERSION "\n"

typedef struct {
	size_t off;  /* of the record, in the mapped file or in fresh */
	int fresh;
} entry;

struct dlg_evcache {
	char *map;
	size_t mapsize, good_size;
	dlg_buf fresh;	  /* records added since the file was read */
	size_t nfresh;
	entry *slot;	  /* open addressing; off + 1, 0 empty */
	size_t nslots, count;
	dlg_buf path;
	EVP_MD_CTX *sha1; /* checks the commits' bytes (NULL: none asked yet) */
};

typedef struct {
	const char *p, *end;
} cur;

static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static size_t hash_key(const unsigned char *id, const char *path, size_t n)
{
	uint64_t h;

	memcpy(&h, id, sizeof(h));
	return (size_t)(fnv(h, path) % n);
}

static const char *record_at(const dlg_evcache *c, const entry *e)
{
	return e->fresh ? c->fresh.ptr + e->off : c->map + e->off;
}

static entry *lookup(dlg_evcache *c, const unsigned char *id,
		     const char *path)
{
	size_t h;

	if (!c->nslots)
		return NULL;
	for (h = hash_key(id, path, c->nslots); c->slot[h].off;
	     h = (h + 1) % c->nslots) {
		entry e = { c->slot[h].off - 1, c->slot[h].fresh };
		const char *rec = record_at(c, &e);

		if (!memcmp(rec, id, 20) && !strcmp(rec + 20, path))
			return &c->slot[h];
	}
	return &c->slot[h];
}

static void insert(dlg_evcache *c, const char *rec, size_t off, int fresh)
{
	entry *e;

	if (2 * (c->count + 1) > c->nslots) {
		entry *old = c->slot;
		size_t n = c->nslots, i;

		c->nslots = n ? 2 * n + 1 : 1021;
		c->slot = calloc(c->nslots, sizeof(*c->slot));
		if (!c->slot)
			abort();
		c->count = 0;
		for (i = 0; i < n; i++)
			if (old[i].off) {
				entry o = { old[i].off - 1, old[i].fresh };

				insert(c, record_at(c, &o), o.off, o.fresh);
			}
		free(old);
	}
	e = lookup(c, (const unsigned char *)rec, rec + 20);
	if (!e->off)
		c->count++;
	/* the same key twice: the later stands (a commit's bytes that did
	 * not check, read again and put, replace those) */
	e->off = off + 1;
	e->fresh = fresh;
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

static void parse(dlg_evcache *c)
{
	cur k = { c->map + strlen(MAGIC), c->map + c->mapsize };

	c->good_size = strlen(MAGIC);
	while ((size_t)(k.end - k.p) >= 4 + 4 + 8 + 4 &&
	       !memcmp(k.p, "evb\n", 4)) {
		uint32_t n, i;
		uint64_t len;
		const char *start;
		cur b;

		memcpy(&n, k.p + 4, 4);
		memcpy(&len, k.p + 8, 8);
		start = k.p + 16;
		if (len > (uint64_t)(k.end - start) - 4 ||
		    memcmp(start + len, "end\n", 4))
			break;
		b.p = start;
		b.end = start + len;
		for (i = 0; i < n; i++) {
			const char *rec = b.p;

			if (skip_record(&b) < 0)
				break;
			insert(c, rec, (size_t)(rec - c->map), 0);
		}
		if (i < n || b.p != b.end)
			break; /* records before it were shaped right: kept */
		k.p = start + len + 4;
		c->good_size = (size_t)(k.p - c->map);
	}
}

void dlg_sync__evcache_open(dlg_evcache **out, dlg_repo *r)
{
	dlg_evcache *c = calloc(1, sizeof(*c));

	if (!c)
		abort();
	dlg_buf_printf(&c->path, "%sdelegit-events",
		       git_repository_path(r->git));
	c->map = dlg_path_map(c->path.ptr, &c->mapsize);
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

int dlg_sync__evcache_get(dlg_evcache *c, const git_oid *commit,
			  const char *path, dlg_event_views *out)
{
	entry *e = lookup(c, commit->id, path);
	entry at;
	cur k;
	uint32_t n, i;

	if (!e || !e->off)
		return 0;
	if (!out)
		return 1;
	at.off = e->off - 1;
	at.fresh = e->fresh;
	k.p = record_at(c, &at) + 20;
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

/* Start a record in the fresh block: its offset there. */
static size_t record_start(dlg_evcache *c, const git_oid *commit,
			   const char *path)
{
	size_t off;

	if (!c->nfresh)
		dlg_buf_put(&c->fresh, "evb\n\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	off = c->fresh.size;
	dlg_buf_put(&c->fresh, (const char *)commit->id, 20);
	dlg_buf_put(&c->fresh, path, strlen(path) + 1);
	return off;
}

void dlg_sync__evcache_put(dlg_evcache *c, const git_oid *commit,
			   const char *path, const dlg_events *ev)
{
	size_t off = record_start(c, commit, path), i;
	uint32_t n = (uint32_t)ev->count;

	dlg_buf_put(&c->fresh, (const char *)&n, 4);
	for (i = 0; i < ev->count; i++) {
		const dlg_event *e = &ev->items[i];

		dlg_buf_put(&c->fresh, e->task, strlen(e->task) + 1);
		put_opt(&c->fresh, e->title);
		dlg_buf_put(&c->fresh, e->field, strlen(e->field) + 1);
		put_opt(&c->fresh, e->from);
		put_opt(&c->fresh, e->to);
	}
	c->nfresh++;
	insert(c, c->fresh.ptr + off, off, 1);
}

int dlg_sync__evcache_commit(dlg_evcache *c, const git_oid *commit,
			     const char **data, size_t *len)
{
	entry *e = lookup(c, commit->id, "");
	unsigned char md[EVP_MAX_MD_SIZE];
	char head[32];
	size_t head_len;
	const char *rec;
	uint32_t n;

	if (!e || !e->off)
		return 0;
	rec = record_at(c, &(entry){ e->off - 1, e->fresh }) + 21;
	memcpy(&n, rec, 4);
	if (!c->sha1 && !(c->sha1 = EVP_MD_CTX_new()))
		abort();
	/* the id git gives these bytes as a commit: the SHA-1 of
	 * "commit <size>", a NUL and them */
	head_len = (size_t)snprintf(head, sizeof(head), "commit %lu",
				    (unsigned long)n) + 1;
	if (!EVP_DigestInit_ex(c->sha1, EVP_sha1(), NULL) ||
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
	size_t off;
	uint32_t n = (uint32_t)len;

	if (len > UINT32_MAX)
		return;
	off = record_start(c, commit, "");
	dlg_buf_put(&c->fresh, (const char *)&n, 4);
	dlg_buf_put(&c->fresh, data, len);
	c->nfresh++;
	insert(c, c->fresh.ptr + off, off, 1);
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
	dlg_buf_dispose(&c->path);
	EVP_MD_CTX_free(c->sha1);
	free(c->slot);
	free(c);
}
