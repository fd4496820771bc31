/*
 * The walk cache (.git/delegit-walk-<query>): what a history walk of whole
 * folders, for one field's changes, handed its callback at one HEAD — each
 * commit's author, time and verified signer, and each file's events — so
 * that the next walk at the same HEAD replays it instead of walking
 * 300,000 commits. The reports ask the same question (every change of
 * status under tasks/ and archive/) on every run.
 *
 * Never stale: an entry is read only for the HEAD it was written at, and a
 * commit id names its whole history. What else the walk depends on comes
 * from HEAD too (the team and keys that judge signatures, read from HEAD's
 * tree) or from the program (how events are rendered, how signatures are
 * checked: the file names delegit's version and the executable's identity,
 * dlg_program_identity). A shallow repository is not cached: fetching more
 * of its history changes the walk, not HEAD. Who an email is (the team in
 * the work tree) is not kept: the callback attributes on every replay, as
 * on a walk.
 *
 * One file per query (field and paths, in its name's digest), replaced
 * whole (a temporary file renamed) when HEAD moved; at most a few exist
 * (the reports' one query).
 *
 * Format: MAGIC, the program's identity (3 × i64), the key (the first 20
 * bytes of an HMAC-SHA256 by the clone's secret of HEAD's id, the field
 * and the paths, each with a NUL: secret() says why), the body's length
 * (u64) and checksum (u64, sum64), the body: records, each a byte 'C' (a
 * commit: its id in hex, NUL, its time (i64), author name and email, each
 * with a NUL, then a byte 0, or 1 and the signer's handle and key, each
 * with a NUL) or 'F' (a file the commit before changed: its path and a
 * NUL, u32 event count, and each event: the task id, the title, the field,
 * from and to, NUL-terminated; a field that may be absent (title, from,
 * to) is a byte 0, or a byte 1 and the text). The whole body is checked
 * before the first call: a file that does not check is not replayed, and
 * the walk writes it anew.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sync_internal.h"

#define MAGIC "delegit walk 1 " DELEGIT_VERSION "\n"
#define HEAD_SIZE (sizeof(MAGIC) - 1 + 3 * 8 + GIT_OID_RAWSZ + 16)

/* A checksum of the body, a word at a time: it tells damage (a cut, a
 * flipped byte) from what was written; the body's shape is checked too. */
static uint64_t sum64(const unsigned char *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; n; p++, n--)
		h = (h ^ *p) * 0x100000001b3ULL;
	return h ^ (h >> 32);
}

/*
 * The clone's own secret (.git/delegit-secret: 32 random bytes, made when
 * a walk is first kept, readable by its owner only). A file's key is a MAC
 * by it, so that a walk file made in another clone — handed over as a
 * cache that saves the first report's wait, and saying who signed what —
 * is never read here. 0, or -1: nothing kept or read.
 */
static int secret(unsigned char out[32], dlg_repo *r, int make)
{
	dlg_buf path = DLG_BUF_INIT;
	struct stat st;
	int fd, ok = 0;

	dlg_buf_printf(&path, "%sdelegit-secret", git_repository_path(r->git));
	fd = open(path.ptr, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && make &&
	    RAND_bytes(out, 32) == 1 &&
	    (fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				     O_CLOEXEC, 0600)) >= 0) {
		ok = write(fd, out, 32) == 32;
		close(fd);
		if (!ok)
			unlink(path.ptr);
		fd = -1;
	} else if (fd >= 0) {
		ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		     st.st_size == 32 && read(fd, out, 32) == 32;
		close(fd);
	}
	dlg_buf_dispose(&path);
	return ok ? 0 : -1;
}

/* The file of a query, and its key at head (the secret's MAC of head and
 * the query); 0, or -1 when there is no secret (make: make it). */
static int names(dlg_buf *path, git_oid *key, dlg_repo *r,
		 const git_oid *head, const dlg_buf *query, int make)
{
	dlg_buf all = DLG_BUF_INIT;
	unsigned char mac[EVP_MAX_MD_SIZE], k[32];
	char hex[GIT_OID_HEXSZ + 1];
	size_t len = 0;
	git_oid q;

	if (secret(k, r, make) < 0)
		return -1;
	git_odb_hash(&q, query->ptr, query->size, GIT_OBJECT_BLOB);
	git_oid_tostr(hex, 17, &q);
	dlg_buf_printf(path, "%sdelegit-walk-%s", git_repository_path(r->git),
		       hex);
	git_oid_tostr(hex, sizeof(hex), head);
	dlg_buf_put(&all, hex, GIT_OID_HEXSZ + 1);
	dlg_buf_put(&all, query->ptr, query->size);
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k, sizeof(k),
		       (const unsigned char *)all.ptr, all.size, mac,
		       sizeof(mac), &len) ||
	    len < GIT_OID_RAWSZ) {
		dlg_buf_dispose(&all);
		return -1;
	}
	git_oid_fromraw(key, mac);
	dlg_buf_dispose(&all);
	return 0;
}

static void put_text(dlg_buf *b, const char *s)
{
	dlg_buf_put(b, s ? s : "", strlen(s ? s : "") + 1);
}

static void put_maybe(dlg_buf *b, const char *s)
{
	dlg_buf_put(b, s ? "\1" : "\0", 1);
	if (s)
		put_text(b, s);
}

void dlg_sync__walkrec_add(dlg_walkrec *rec, const dlg_commit_info *ci,
			   const char *path, const dlg_event *ev, size_t n)
{
	uint32_t count = (uint32_t)n;
	int64_t when = (int64_t)ci->when;
	size_t i;

	if (strcmp(rec->last, ci->id)) {
		memcpy(rec->last, ci->id, sizeof(rec->last));
		dlg_buf_put(&rec->body, "C", 1);
		put_text(&rec->body, ci->id);
		dlg_buf_put(&rec->body, (const char *)&when, 8);
		put_text(&rec->body, ci->author_name);
		put_text(&rec->body, ci->author_email);
		dlg_buf_put(&rec->body, ci->signer ? "\1" : "\0", 1);
		if (ci->signer) {
			put_text(&rec->body, ci->signer);
			put_text(&rec->body, ci->key);
		}
	}
	dlg_buf_put(&rec->body, "F", 1);
	put_text(&rec->body, path);
	dlg_buf_put(&rec->body, (const char *)&count, 4);
	for (i = 0; i < n; i++) {
		put_text(&rec->body, ev[i].task);
		put_maybe(&rec->body, ev[i].title);
		put_text(&rec->body, ev[i].field);
		put_maybe(&rec->body, ev[i].from);
		put_maybe(&rec->body, ev[i].to);
	}
}

void dlg_sync__walkrec_dispose(dlg_walkrec *rec)
{
	dlg_buf_dispose(&rec->body);
	memset(rec->last, 0, sizeof(rec->last));
}

/* Whether the repository's history may be cached (not shallow). */
static int cacheable(dlg_repo *r)
{
	int shallow = git_repository_is_shallow(r->git);

	git_error_clear();
	return shallow == 0;
}

void dlg_sync__walkcache_frame(dlg_buf *out, const int64_t program[3],
			       const git_oid *key, const char *body,
			       size_t len)
{
	uint64_t n = len, sum = sum64((const unsigned char *)body, len);

	dlg_buf_puts(out, MAGIC);
	dlg_buf_put(out, (const char *)program, 3 * sizeof(int64_t));
	dlg_buf_put(out, (const char *)key->id, GIT_OID_RAWSZ);
	dlg_buf_put(out, (const char *)&n, 8);
	dlg_buf_put(out, (const char *)&sum, 8);
	dlg_buf_put(out, body, len);
}

void dlg_sync__walkcache_save(dlg_repo *r, const git_oid *head,
			      const dlg_buf *query, const dlg_walkrec *rec)
{
	dlg_buf path = DLG_BUF_INIT, tmp = DLG_BUF_INIT, all = DLG_BUF_INIT;
	int64_t id[3];
	git_oid key;

	if (!cacheable(r) || dlg_program_identity(id) < 0 ||
	    names(&path, &key, r, head, query, 1) < 0) {
		dlg_buf_dispose(&path);
		return;
	}
	dlg_sync__walkcache_frame(&all, id, &key, rec->body.ptr,
				  rec->body.size);
	dlg_buf_printf(&tmp, "%s.%ld.tmp", path.ptr, (long)getpid());
	/* a cache: when it cannot be written, the next walk walks */
	if (dlg_path_write(tmp.ptr, all.ptr, all.size) < 0 ||
	    rename(tmp.ptr, path.ptr) < 0) {
		unlink(tmp.ptr);
		dlg_error_clear();
	}
	dlg_buf_dispose(&all);
	dlg_buf_dispose(&tmp);
	dlg_buf_dispose(&path);
}

typedef struct {
	const char *p, *end;
} reader;

/* A NUL-terminated text at the reader (NULL: none fits). */
static const char *text(reader *r)
{
	const char *s = r->p, *nul;

	if (s >= r->end || !(nul = memchr(s, '\0', (size_t)(r->end - s))))
		return NULL;
	r->p = nul + 1;
	return s;
}

/* A text that may be absent: *out NULL for absent; 0, or -1 if damaged. */
static int maybe(reader *r, const char **out)
{
	if (r->p >= r->end || (unsigned char)*r->p > 1)
		return -1;
	*out = NULL;
	if (!*r->p++)
		return 0;
	return (*out = text(r)) ? 0 : -1;
}

static int fixed(reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n)
		return -1;
	memcpy(out, r->p, n);
	r->p += n;
	return 0;
}

typedef struct {
	dlg_commit_info ci;
	dlg_event *ev;
	size_t alloc;
} replay;

/* A 'C' record into ci; 0, or -1 if damaged. */
static int commit_record(reader *r, dlg_commit_info *ci)
{
	const char *id = text(r), *signer = NULL, *key = NULL;
	int64_t when;
	unsigned char signed_;

	if (!id || strlen(id) != GIT_OID_HEXSZ || fixed(r, &when, 8) < 0 ||
	    !(ci->author_name = text(r)) || !(ci->author_email = text(r)) ||
	    fixed(r, &signed_, 1) < 0 || signed_ > 1 ||
	    (signed_ && (!(signer = text(r)) || !(key = text(r)))))
		return -1;
	memcpy(ci->id, id, GIT_OID_HEXSZ + 1);
	ci->when = (time_t)when;
	ci->signer = signer;
	ci->key = key;
	return 0;
}

/* An 'F' record's path and events into rp->ev; 0, or -1 if damaged. */
static int file_record(reader *r, replay *rp, const char **path,
		       size_t *count)
{
	uint32_t n, i;

	if (!(*path = text(r)) || fixed(r, &n, 4) < 0 ||
	    n > (size_t)(r->end - r->p) / 5) /* an event is 5 bytes at least */
		return -1;
	if (n > rp->alloc) {
		rp->alloc = n;
		if (!(rp->ev = realloc(rp->ev, n * sizeof(*rp->ev))))
			abort();
	}
	for (i = 0; i < n; i++) {
		dlg_event *e = &rp->ev[i];
		const char *task = text(r);

		memset(e, 0, sizeof(*e));
		if (!task || strlen(task) >= sizeof(e->task) ||
		    maybe(r, (const char **)&e->title) < 0 ||
		    !(e->field = (char *)text(r)) ||
		    maybe(r, (const char **)&e->from) < 0 ||
		    maybe(r, (const char **)&e->to) < 0)
			return -1;
		memcpy(e->task, task, strlen(task) + 1);
	}
	*count = n;
	return 0;
}

/* Go through the body: checking only (cb NULL), or calling cb for each
 * file. 0 (*stopped when cb said stop), or -1 if damaged. */
static int each_record(const char *body, size_t len, replay *rp,
		       dlg_history_cb cb, void *payload, int *stopped)
{
	reader r = { body, body + len };
	int have_commit = 0;

	while (r.p < r.end) {
		char tag = *r.p++;
		const char *path;
		size_t n;

		if (tag == 'C') {
			if (commit_record(&r, &rp->ci) < 0)
				return -1;
			have_commit = 1;
		} else if (tag != 'F' || !have_commit ||
			   file_record(&r, rp, &path, &n) < 0) {
			return -1;
		} else if (cb && cb(&rp->ci, path, rp->ev, n, payload)) {
			*stopped = 1;
			return 0;
		}
	}
	return 0;
}

int dlg_sync__walkcache_parse(const char *data, size_t size,
			      const int64_t program[3], const git_oid *key,
			      dlg_history_cb cb, void *payload)
{
	const char *p = data + strlen(MAGIC);
	replay rp;
	uint64_t len, sum;
	int stopped = 0;

	if (size < HEAD_SIZE || memcmp(data, MAGIC, strlen(MAGIC)) ||
	    memcmp(p, program, 3 * sizeof(int64_t)) ||
	    memcmp(p + 3 * sizeof(int64_t), key->id, GIT_OID_RAWSZ))
		return 0;
	memcpy(&len, p + 3 * sizeof(int64_t) + GIT_OID_RAWSZ, 8);
	memcpy(&sum, p + 3 * sizeof(int64_t) + GIT_OID_RAWSZ + 8, 8);
	p = data + HEAD_SIZE;
	memset(&rp, 0, sizeof(rp));
	if (len != size - HEAD_SIZE ||
	    sum != sum64((const unsigned char *)p, (size_t)len) ||
	    each_record(p, (size_t)len, &rp, NULL, NULL, &stopped) < 0) {
		free(rp.ev);
		return 0;
	}
	each_record(p, (size_t)len, &rp, cb, payload, &stopped);
	free(rp.ev);
	return 1;
}

int dlg_sync__walkcache_replay(dlg_repo *r, const git_oid *head,
			       const dlg_buf *query, dlg_history_cb cb,
			       void *payload)
{
	dlg_buf path = DLG_BUF_INIT;
	int64_t id[3];
	git_oid key;
	size_t size = 0;
	char *map;
	int done;

	if (!cacheable(r) || dlg_program_identity(id) < 0 ||
	    names(&path, &key, r, head, query, 0) < 0) {
		dlg_buf_dispose(&path);
		return 0;
	}
	map = dlg_path_map(path.ptr, &size);
	dlg_buf_dispose(&path);
	if (!map)
		return 0;
	done = dlg_sync__walkcache_parse(map, size, id, &key, cb, payload);
	munmap(map, size);
	return done;
}
