/*
 * Task trees: each valid task file's parsed and validated tree, kept in a
 * cache file (.git/delegit-trees) so that a command reading every task (a
 * report, the page, an export, a search) does not parse them all again.
 *
 * Entries are keyed by the file's blob id, which the rows cache vouches
 * for (core/rows.c): the tree stored under an id is what those bytes
 * parse to, so an entry is never stale; a file that changes gets another
 * id. Only a tree read from bytes hashed to its id here is stored, and
 * only when parsing them reported nothing. The file is tied to the
 * program that wrote it (its size and time): another build, whose parser
 * or schema may differ, starts a new one.
 *
 * New entries are appended in one write; the file is written anew (a new
 * file renamed over) when it holds more than twice as many entries as
 * there are tasks, or is damaged. An entry is checked (bounds, a checksum)
 * when it is read; a damaged one is read as missing. See docs/design.md,
 * "The task cache".
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core_internal.h"
#include "idtable.h"

/* Bump the number when the encoding changes. */
#define MAGIC "delegit task trees 2\n"
#define MAX_DEPTH 64

/* An entry: the blob id, the payload's length and checksum (both 32-bit,
 * little-endian), then the payload: the tree, encoded by put_node. */
#define ENTRY_HEAD (20 + 4 + 4)

struct dlg_trees {
	char *path;
	char *map;
	size_t mapsize;
	size_t start;	   /* of the first entry in map; 0: no usable file */
	dlg_idtable byid;  /* entry offsets in map by blob id */
	size_t *bad;	   /* offsets of entries found damaged */
	size_t nbad;
	size_t entries;	   /* in map, up to the first damaged one */
	int damaged;	   /* an entry is damaged: write the file anew */
	dlg_buf added;	   /* entries to write */
	size_t nadded;
	int off;	   /* no cache at all: nothing read or written */
};

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put32(dlg_buf *b, uint32_t v)
{
	unsigned char p[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16),
			       (unsigned char)(v >> 24) };

	dlg_buf_put(b, (const char *)p, 4);
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/*
 * An entry's check: enough to tell a torn, zero-filled or flipped write
 * from an entry. Eight bytes a step (FNV-1a, a byte a step, was a tenth
 * of a warm report at 100,000 tasks). Each step is a bijection of the
 * state for a given word, so inputs that first differ in one word differ
 * from there on; the length starts the state, so the tail's zero padding
 * is not taken for bytes.
 */
static uint32_t checksum(const unsigned char *p, size_t n)
{
	const uint64_t mul = 0x9e3779b97f4a7c15ULL; /* odd: a bijection */
	uint64_t h = n, w;
	size_t i, k;

	for (i = 0; i + 8 <= n; i += 8) {
		h = (h ^ get64(p + i)) * mul;
		h ^= h >> 29;
	}
	for (w = 0, k = 0; i < n; i++, k += 8)
		w |= (uint64_t)p[i] << k;
	h = (h ^ w) * mul;
	h ^= h >> 29;
	return (uint32_t)(h ^ h >> 32);
}

/* The header: MAGIC, the version and a NUL, then the program's identity
 * (dlg_program_identity). */
static int header(dlg_buf *b)
{
	int64_t id[3];

	/* not knowing which program this is, no cache: another build's
	 * trees could be taken for this one's */
	if (dlg_program_identity(id) < 0)
		return -1;
	dlg_buf_puts(b, MAGIC);
	dlg_buf_put(b, DELEGIT_VERSION, strlen(DELEGIT_VERSION) + 1);
	dlg_buf_put(b, (const char *)id, sizeof(id));
	return 0;
}

/* The blob id of the entry at an offset of the map (dlg_idtable_key). */
static const unsigned char *entry_id(const void *ctx, size_t at)
{
	return (const unsigned char *)((const dlg_trees *)ctx)->map + at;
}

/* The entry after the one at `at`, or 0 past the last whole one. */
static size_t next_at(const dlg_trees *t, size_t at)
{
	size_t len;

	if (t->mapsize - at < ENTRY_HEAD)
		return 0;
	len = get32((const unsigned char *)t->map + at + 20);
	return len > t->mapsize - at - ENTRY_HEAD ? 0 : at + ENTRY_HEAD + len;
}

/* Index the entries of the mapped file (their heads only); the first of
 * an id is the one found. */
static void table_build(dlg_trees *t)
{
	size_t at, next, n = 0;

	for (at = t->start; (next = next_at(t, at)); at = next)
		n++;
	t->damaged = at != t->mapsize;
	t->entries = n;
	if (!n)
		return;
	dlg_idtable_init(&t->byid, n);
	for (at = t->start; (next = next_at(t, at)); at = next)
		dlg_idtable_add(&t->byid, at, entry_id, t);
}

static int is_bad(const dlg_trees *t, size_t at)
{
	size_t i;

	for (i = 0; i < t->nbad; i++)
		if (t->bad[i] == at)
			return 1;
	return 0;
}

dlg_trees *dlg__trees_open(const char *path)
{
	dlg_trees *t = calloc(1, sizeof(*t));
	dlg_buf want = DLG_BUF_INIT;

	if (!t || !(t->path = strdup(path)))
		abort();
	if (header(&want) < 0) {
		t->off = 1;
		dlg_buf_dispose(&want);
		return t;
	}
	t->map = dlg_path_map(path, &t->mapsize);
	if (t->map && t->mapsize >= want.size &&
	    !memcmp(t->map, want.ptr, want.size)) {
		t->start = want.size;
		table_build(t);
	}
	dlg_buf_dispose(&want);
	return t;
}

/* ---------------------------------------------------------------------
 * The encoding of a tree: a byte of kind and scalar type, the line and
 * column, then a scalar's text, or a count and each item (a map's with
 * its key before it). Numbers are LEB128; texts have their length first.
 */
static void put_num(dlg_buf *b, size_t v)
{
	unsigned char p[10];
	size_t n = 0;

	do {
		p[n++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	dlg_buf_put(b, (const char *)p, n);
}

static void put_text(dlg_buf *b, const char *s)
{
	size_t n = strlen(s);

	put_num(b, n);
	dlg_buf_put(b, s, n);
}

static void put_node(dlg_buf *b, const dlg_node *n)
{
	char kind = (char)(n->kind | n->type << 2);
	size_t i;

	dlg_buf_put(b, &kind, 1);
	put_num(b, n->line > 0 ? (size_t)n->line : 0);
	put_num(b, n->column > 0 ? (size_t)n->column : 0);
	if (n->kind == DLG_NODE_SCALAR) {
		put_text(b, n->value);
		return;
	}
	put_num(b, n->count);
	for (i = 0; i < n->count; i++) {
		if (n->kind == DLG_NODE_MAP)
			put_text(b, n->keys[i]);
		put_node(b, n->items[i]);
	}
}

typedef struct {
	const unsigned char *p, *end;
} reader;

static int get_num(reader *r, size_t *out)
{
	size_t v = 0;
	unsigned shift = 0;

	while (r->p < r->end && shift < 35) {
		unsigned char c = *r->p++;

		v |= (size_t)(c & 0x7f) << shift;
		if (!(c & 0x80)) {
			*out = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/* A text's length, checked (it fits, and holds no NUL); the reader at its
 * bytes. 0, or -1 if damaged. */
static int text_len(reader *r, size_t *n)
{
	return get_num(r, n) < 0 || *n > (size_t)(r->end - r->p) ||
			       memchr(r->p, '\0', *n)
		       ? -1
		       : 0;
}

/* A text of the entry, NUL-terminated in a new string; NULL if damaged. */
static char *get_text(reader *r)
{
	size_t n;
	char *s;

	if (text_len(r, &n) < 0)
		return NULL;
	if (!(s = malloc(n + 1)))
		abort();
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	return s;
}

/* A node's first bytes: its kind and scalar type, line and column; then,
 * for a map or a sequence, its item count (every item takes three bytes
 * at least). 0, or -1 if damaged or nested past MAX_DEPTH. */
static int node_head(reader *r, int depth, int *kind, int *type, int *line,
		     int *column, size_t *count)
{
	size_t l, c;

	if (depth > MAX_DEPTH || r->p >= r->end)
		return -1;
	*kind = *r->p & 3;
	*type = *r->p++ >> 2;
	if (*kind > DLG_NODE_MAP || *type > DLG_SCALAR_TIMESTAMP ||
	    get_num(r, &l) < 0 || get_num(r, &c) < 0 || l > INT32_MAX ||
	    c > INT32_MAX)
		return -1;
	*line = (int)l;
	*column = (int)c;
	*count = 0;
	return *kind == DLG_NODE_SCALAR ||
			       (get_num(r, count) == 0 &&
				*count <= (size_t)(r->end - r->p) / 3)
		       ? 0
		       : -1;
}

/*
 * Whether a map's key i is one before it: the reader refuses those, so no
 * tree it made has one. seen: a bit per hash of each key before, so that
 * only a key whose bit is set is compared with them (a task's map has
 * some 30 keys: 30 comparisons in all, not 435).
 */
static int key_repeated(const dlg_node *n, size_t i, uint64_t seen[4])
{
	uint32_t h = checksum((const unsigned char *)n->keys[i],
			      strlen(n->keys[i])) & 255;
	size_t k;

	if (seen[h >> 6] & (1ULL << (h & 63))) {
		for (k = 0; k < i; k++)
			if (!strcmp(n->keys[k], n->keys[i]))
				return 1;
	}
	seen[h >> 6] |= 1ULL << (h & 63);
	return 0;
}

static dlg_node *get_node(reader *r, int depth)
{
	dlg_node *n;
	size_t count, i;
	uint64_t seen[4] = { 0, 0, 0, 0 };
	int kind, type, line, column;
	char *value;

	if (node_head(r, depth, &kind, &type, &line, &column, &count) < 0)
		return NULL;
	if (kind == DLG_NODE_SCALAR) {
		if (!(value = get_text(r)))
			return NULL;
		n = dlg__node_scalar_take(type, value);
		n->line = line;
		n->column = column;
		return n;
	}
	n = kind == DLG_NODE_MAP ? dlg_node_new_map() : dlg_node_new_seq();
	n->line = line;
	n->column = column;
	n->alloc = count ? count : 1;
	if (!(n->items = calloc(n->alloc, sizeof(*n->items))) ||
	    (kind == DLG_NODE_MAP &&
	     !(n->keys = calloc(n->alloc, sizeof(*n->keys)))))
		abort();
	for (i = 0; i < count; i++) {
		if (kind == DLG_NODE_MAP &&
		    (!(n->keys[i] = get_text(r)) ||
		     key_repeated(n, i, seen))) {
			free(n->keys[i]);
			goto bad;
		}
		if (!(n->items[i] = get_node(r, depth + 1))) {
			free(kind == DLG_NODE_MAP ? n->keys[i] : NULL);
			goto bad;
		}
		n->count++;
	}
	return n;
bad:
	dlg_node_free(n);
	return NULL;
}

/* ---------------------------------------------------------------------
 * Frozen trees (core_internal.h): a first pass checks the encoding as
 * get_node does and counts what the tree needs, a second builds it in one
 * allocation (nodes, then the maps' and sequences' arrays, then texts).
 */
typedef struct {
	size_t nodes, slots, text;
} needs;

/* One node's encoding, checked as get_node checks it, and what it needs
 * added to m; the reader past it. 0, or -1 if damaged (a repeated key is
 * found when building). */
static int measure(reader *r, int depth, needs *m)
{
	size_t count, i, n;
	int kind, type, line, column;

	if (node_head(r, depth, &kind, &type, &line, &column, &count) < 0)
		return -1;
	m->nodes++;
	m->slots += kind == DLG_NODE_MAP ? 2 * count : count;
	/* a scalar's text, or each item with a map's key before it */
	for (i = 0; i < (kind == DLG_NODE_SCALAR ? 1 : count); i++) {
		if (kind != DLG_NODE_SEQ) {
			if (text_len(r, &n) < 0)
				return -1;
			r->p += n;
			m->text += n + 1;
		}
		if (kind != DLG_NODE_SCALAR && measure(r, depth + 1, m) < 0)
			return -1;
	}
	return 0;
}

typedef struct {
	dlg_node *node; /* the next free one */
	void **slot;
	char *text;
} arena;

static char *build_text(reader *r, arena *a)
{
	size_t n = 0;
	char *s = a->text;

	get_num(r, &n); /* measured */
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	a->text += n + 1;
	return s;
}

/* The node measure checked, built; NULL for a map with a repeated key. */
static dlg_node *build(reader *r, arena *a)
{
	dlg_node *n = a->node++;
	size_t count = 0, i;
	uint64_t seen[4] = { 0, 0, 0, 0 };
	int kind = 0, type = 0;

	node_head(r, 0, &kind, &type, &n->line, &n->column, &count);
	n->kind = (dlg_node_kind)kind;
	n->alloc = DLG__FROZEN;
	if (kind == DLG_NODE_SCALAR) {
		n->type = (dlg_scalar_type)type;
		n->value = build_text(r, a);
		return n;
	}
	n->type = DLG_SCALAR_STR; /* as dlg_node_new_map makes them */
	if (count) {
		n->items = (dlg_node **)a->slot;
		a->slot += count;
		if (kind == DLG_NODE_MAP) {
			n->keys = (char **)a->slot;
			a->slot += count;
		}
	}
	for (i = 0; i < count; i++) {
		if (kind == DLG_NODE_MAP) {
			n->keys[i] = build_text(r, a);
			if (key_repeated(n, i, seen))
				return NULL;
		}
		if (!(n->items[i] = build(r, a)))
			return NULL;
		n->count++;
	}
	return n;
}

dlg_node *dlg__trees_decode_frozen(const unsigned char *p, size_t len)
{
	reader r = { p, p + len };
	needs m = { 0, 0, 0 };
	arena a;
	dlg_node *doc;
	char *block;

	if (measure(&r, 0, &m) < 0 || r.p != r.end ||
	    (*p & 3) != DLG_NODE_MAP)
		return NULL;
	/* (the counts are bounded by len: nothing here overflows) */
	if (!(block = calloc(1, m.nodes * sizeof(dlg_node) +
				       m.slots * sizeof(void *) + m.text)))
		abort();
	a.node = (dlg_node *)block;
	a.slot = (void **)(block + m.nodes * sizeof(dlg_node));
	a.text = block + m.nodes * sizeof(dlg_node) + m.slots * sizeof(void *);
	r.p = p;
	if (!(doc = build(&r, &a))) {
		free(block);
		return NULL;
	}
	doc->alloc = DLG__FROZEN_ROOT;
	return doc;
}

void dlg__trees_encode(dlg_buf *out, const dlg_node *doc)
{
	put_node(out, doc);
}

dlg_node *dlg__trees_decode(const unsigned char *p, size_t len)
{
	reader r = { p, p + len };
	dlg_node *doc = get_node(&r, 0);

	if (doc && (r.p != r.end || doc->kind != DLG_NODE_MAP)) {
		dlg_node_free(doc);
		doc = NULL;
	}
	return doc;
}

static dlg_node *get(dlg_trees *t, const unsigned char oid[20], int frozen)
{
	size_t at = dlg_idtable_find(&t->byid, oid, entry_id, t), len;
	const unsigned char *e;
	dlg_node *doc = NULL;

	if (at == DLG_IDTABLE_NONE || is_bad(t, at))
		return NULL;
	e = (const unsigned char *)t->map + at;
	len = get32(e + 20);
	if (checksum(e + ENTRY_HEAD, len) == get32(e + 24))
		doc = frozen ? dlg__trees_decode_frozen(e + ENTRY_HEAD, len)
			     : dlg__trees_decode(e + ENTRY_HEAD, len);
	if (!doc) {
		/* read as missing, and left out when the file is written */
		if (!(t->bad = realloc(t->bad, (t->nbad + 1) * sizeof(*t->bad))))
			abort();
		t->bad[t->nbad++] = at;
		t->damaged = 1;
	}
	return doc;
}

dlg_node *dlg__trees_get(dlg_trees *t, const unsigned char oid[20])
{
	return get(t, oid, 0);
}

dlg_node *dlg__trees_get_frozen(dlg_trees *t, const unsigned char oid[20])
{
	return get(t, oid, 1);
}

void dlg__trees_put(dlg_trees *t, const unsigned char oid[20],
		    const dlg_node *doc)
{
	dlg_buf payload = DLG_BUF_INIT;

	if (t->off)
		return;
	dlg__trees_encode(&payload, doc);
	if (payload.size <= UINT32_MAX) {
		dlg_buf_put(&t->added, (const char *)oid, 20);
		put32(&t->added, (uint32_t)payload.size);
		put32(&t->added, checksum((const unsigned char *)payload.ptr,
					  payload.size));
		dlg_buf_put(&t->added, payload.ptr, payload.size);
		t->nadded++;
	}
	dlg_buf_dispose(&payload);
}

/* Whether an entry's blob is one of the rows'. */
static int live(const unsigned char *oid, const unsigned char **ids,
		size_t n)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = memcmp(ids[mid], oid, 20);

		if (!c)
			return 1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static int cmp_oidp(const void *a, const void *b)
{
	return memcmp(*(const unsigned char *const *)a,
		      *(const unsigned char *const *)b, 20);
}

/* The file anew: the entries of tasks that are still there, then the new
 * ones; a new file renamed over the old. */
static int rewrite(dlg_trees *t, dlg_rows *rows)
{
	size_t n = dlg_rows_count(rows), i, at, next;
	const unsigned char **ids = calloc(n + 1, sizeof(*ids));
	dlg_buf out = DLG_BUF_INIT, tmp = DLG_BUF_INIT;
	int error = 0;

	if (!ids)
		abort();
	for (i = 0; i < n; i++)
		ids[i] = dlg__row_oid(dlg_rows_at(rows, i));
	qsort(ids, n, sizeof(*ids), cmp_oidp);
	if (header(&out) < 0) {
		free(ids);
		dlg_buf_dispose(&out);
		return -1;
	}
	/* each id's entry once (the one the table finds), if still a task's
	 * and not found damaged */
	for (at = t->start; t->start && (next = next_at(t, at)); at = next) {
		const unsigned char *e = (const unsigned char *)t->map + at;

		if (dlg_idtable_find(&t->byid, e, entry_id, t) == at &&
		    !is_bad(t, at) && live(e, ids, n))
			dlg_buf_put(&out, (const char *)e, next - at);
	}
	dlg_buf_put(&out, t->added.ptr, t->added.size);
	dlg_buf_printf(&tmp, "%s.%ld.tmp", t->path, (long)getpid());
	if (dlg_path_write(tmp.ptr, out.ptr, out.size) < 0 ||
	    rename(tmp.ptr, t->path) < 0) {
		dlg_error_clear();
		unlink(tmp.ptr);
		error = -1;
	}
	free(ids);
	dlg_buf_dispose(&tmp);
	dlg_buf_dispose(&out);
	return error;
}

/* Append the new entries in one write: processes appending at once do not
 * interleave, and a torn write reads as a damaged last entry. */
static int append(dlg_trees *t)
{
	int fd = open(t->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, t->added.ptr, t->added.size);
	close(fd);
	return n == (ssize_t)t->added.size ? 0 : -1;
}

void dlg__trees_close(dlg_trees *t, dlg_rows *rows)
{
	size_t tasks;

	if (!t)
		return;
	tasks = rows ? dlg_rows_count(rows) : 0;
	/* A cache that cannot be written only costs time. */
	if (rows && (t->nadded || t->damaged)) {
		if (!t->start || t->damaged ||
		    t->entries + t->nadded > 2 * tasks + 64)
			rewrite(t, rows);
		else
			append(t);
	}
	dlg_idtable_dispose(&t->byid);
	free(t->bad);
	if (t->map)
		munmap(t->map, t->mapsize);
	dlg_buf_dispose(&t->added);
	free(t->path);
	free(t);
}
