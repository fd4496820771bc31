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
 * dlg_program_identity, and the key libgit2's and OpenSSL's versions). A
 * walk in which a signature could not be judged is not kept (history.c),
 * nor one of a shallow repository: fetching more of its history changes
 * the walk, not HEAD. Who an email is (the team in the work tree) is not
 * kept: the callback attributes on every replay, as on a walk.
 *
 * One file per query (field and paths, in its name's digest), replaced
 * whole (a temporary file renamed) when HEAD moved; at most a few exist
 * (the reports' one query). When HEAD has moved, history.c extends the
 * kept walk by the commits HEAD gained, when the walk's list of commits
 * ends with the kept one's (its length and digest are kept) and the rules
 * that judge signatures are the same at both HEADs.
 *
 * Format: MAGIC, the program's identity (3 × i64), the key (the first 20
 * bytes of an HMAC-SHA256 by the clone's secret of HEAD's id, the field,
 * the paths and the libraries' versions, each with a NUL: secret() says
 * why), the body's length (u64), its MAC (HMAC-SHA256 by the secret of
 * the key and the body), the body: a record 'H' (the HEAD it was kept at,
 * 20 bytes, the number of commits its walk went through, u64, and the
 * digest of their ids in order, 20 bytes: dlg_sync__walk_digest), then
 * records, each a byte 'C' (a commit:
 * its id in hex, NUL, its time (i64), author name and email, each with a
 * NUL, then a byte 0, or 1, the signer's handle and a NUL and the key as
 * a field that may be absent, below) or 'F' (a file the commit before
 * changed: its path and a NUL, u32 event count, and each event: the task
 * id, the title, the field, from and to, NUL-terminated; a field that may
 * be absent (title, from, to) is a byte 0, or a byte 1 and the text).
 * The MAC and then the whole body are checked before the first call: a
 * file that does not check is not replayed, and the walk writes it anew.
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
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "sync_internal.h"

#define MAGIC "delegit walk 4 " DELEGIT_VERSION "\n"
#define MAC_SIZE 32
#define HEAD_SIZE (sizeof(MAGIC) - 1 + 3 * 8 + GIT_OID_RAWSZ + 8 + MAC_SIZE)
/* the body's first record: 'H', HEAD's id, the commit count, the digest */
#define HEAD_RECORD (1 + GIT_OID_RAWSZ + 8 + GIT_OID_RAWSZ)

/* HMAC-SHA256 by secret of a and b, one after the other; 0, or -1. */
static int mac2(unsigned char out[MAC_SIZE], const unsigned char secret[32],
		const void *a, size_t alen, const void *b, size_t blen)
{
	EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *c = m ? EVP_MAC_CTX_new(m) : NULL;
	OSSL_PARAM params[2];
	size_t len = 0;
	int ok;

	params[0] = OSSL_PARAM_construct_utf8_string("digest", (char *)"SHA256",
						     0);
	params[1] = OSSL_PARAM_construct_end();
	ok = c && EVP_MAC_init(c, secret, 32, params) &&
	     EVP_MAC_update(c, a, alen) && EVP_MAC_update(c, b, blen) &&
	     EVP_MAC_final(c, out, &len, MAC_SIZE) && len == MAC_SIZE;
	EVP_MAC_CTX_free(c);
	EVP_MAC_free(m);
	return ok ? 0 : -1;
}

/* Make the secret anew at path (a file that was not one: missing, cut
 * short by a crash between its creation and its write). */
static int make_secret(unsigned char out[32], const char *path)
{
	int fd, ok;

	unlink(path);
	if (RAND_bytes(out, 32) != 1 ||
	    (fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
				     O_CLOEXEC, 0600)) < 0)
		return -1;
	ok = write(fd, out, 32) == 32;
	ok = close(fd) == 0 && ok;
	if (!ok)
		unlink(path);
	return ok ? 0 : -1;
}

/*
 * The clone's own secret (.git/delegit-secret: 32 random bytes, made when
 * a walk is first kept, the owner's alone). A file's key and its body are
 * MACs by it, so that a walk file made in another clone — handed over as a
 * cache that saves the first report's wait, and saying who signed what —
 * is never read here, nor one whose body someone rewrote without the
 * secret. A secret that is not a regular file of 32 bytes (cut short) is
 * made anew when a walk is kept; one that is not the user's is not used.
 * 0, or -1: nothing kept or read.
 */
static int secret(unsigned char out[32], dlg_repo *r, int make)
{
	dlg_buf path = DLG_BUF_INIT;
	struct stat st;
	int fd, ok = 0, mine = 0;

	dlg_buf_printf(&path, "%sdelegit-secret", git_repository_path(r->git));
	fd = open(path.ptr, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		mine = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		       st.st_uid == geteuid();
		ok = mine && st.st_size == 32 && read(fd, out, 32) == 32;
		close(fd);
	}
	if (!ok && make && (fd < 0 ? errno == ENOENT : mine))
		ok = make_secret(out, path.ptr) == 0;
	dlg_buf_dispose(&path);
	return ok ? 0 : -1;
}

/* The file of a query. */
static void walk_path(dlg_buf *path, dlg_repo *r, const dlg_buf *query)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid q;

	git_odb_hash(&q, query->ptr, query->size, GIT_OBJECT_BLOB);
	git_oid_tostr(hex, 17, &q);
	dlg_buf_printf(path, "%sdelegit-walk-%s", git_repository_path(r->git),
		       hex);
}

/* The key of a walk of query at head: the secret's MAC of head, the query
 * and the versions of the libraries that read the history and check
 * signatures. 0, or -1. */
static int walk_key(git_oid *key, const unsigned char k[32],
		    const git_oid *head, const dlg_buf *query)
{
	dlg_buf all = DLG_BUF_INIT;
	unsigned char mac[MAC_SIZE];
	char hex[GIT_OID_HEXSZ + 1];
	int major = 0, minor = 0, rev = 0, error;

	git_oid_tostr(hex, sizeof(hex), head);
	dlg_buf_put(&all, hex, GIT_OID_HEXSZ + 1);
	dlg_buf_put(&all, query->ptr, query->size);
	git_libgit2_version(&major, &minor, &rev);
	dlg_buf_printf(&all, "libgit2 %d.%d.%d, %s", major, minor, rev,
		       OpenSSL_version(OPENSSL_VERSION));
	error = mac2(mac, k, all.ptr, all.size, "", 0);
	git_oid_fromraw(key, mac);
	dlg_buf_dispose(&all);
	return error;
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
			put_maybe(&rec->body, ci->key);
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

int dlg_sync__walkcache_frame(dlg_buf *out, const int64_t program[3],
			      const git_oid *key, const unsigned char secret[32],
			      const char *body, size_t len)
{
	unsigned char mac[MAC_SIZE];
	uint64_t n = len;

	if (mac2(mac, secret, key->id, GIT_OID_RAWSZ, body, len) < 0)
		return -1;
	dlg_buf_puts(out, MAGIC);
	dlg_buf_put(out, (const char *)program, 3 * sizeof(int64_t));
	dlg_buf_put(out, (const char *)key->id, GIT_OID_RAWSZ);
	dlg_buf_put(out, (const char *)&n, 8);
	dlg_buf_put(out, (const char *)mac, MAC_SIZE);
	dlg_buf_put(out, body, len);
	return 0;
}

/* Write data to path, the owner's alone, through no link; 0, or -1. */
static int write_new(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW |
				    O_CLOEXEC, 0600);
	size_t done = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (done < len &&
	       ((n = write(fd, data + done, len - done)) > 0 ||
		(n < 0 && errno == EINTR)))
		done += n > 0 ? (size_t)n : 0;
	return close(fd) == 0 && done == len ? 0 : -1;
}

void dlg_sync__walk_digest(git_oid *out, const git_oid *ids, size_t n)
{
	dlg_buf all = DLG_BUF_INIT;
	size_t i;

	dlg_buf_reserve(&all, n * GIT_OID_RAWSZ);
	for (i = 0; i < n; i++)
		dlg_buf_put(&all, (const char *)ids[i].id, GIT_OID_RAWSZ);
	git_odb_hash(out, all.ptr ? all.ptr : "", all.size, GIT_OBJECT_BLOB);
	dlg_buf_dispose(&all);
}

void dlg_sync__walkcache_save(dlg_repo *r, const git_oid *head,
			      const dlg_buf *query, const dlg_walkrec *rec,
			      size_t count, const git_oid *digest)
{
	dlg_buf path = DLG_BUF_INIT, tmp = DLG_BUF_INIT, all = DLG_BUF_INIT,
		body = DLG_BUF_INIT;
	uint64_t n = count;
	unsigned char k[32];
	int64_t id[3];
	git_oid key;

	if (!cacheable(r) || dlg_program_identity(id) < 0 ||
	    secret(k, r, 1) < 0 || walk_key(&key, k, head, query) < 0)
		goto done;
	dlg_buf_reserve(&body, HEAD_RECORD + rec->body.size);
	dlg_buf_put(&body, "H", 1);
	dlg_buf_put(&body, (const char *)head->id, GIT_OID_RAWSZ);
	dlg_buf_put(&body, (const char *)&n, 8);
	dlg_buf_put(&body, (const char *)digest->id, GIT_OID_RAWSZ);
	dlg_buf_put(&body, rec->body.ptr, rec->body.size);
	if (dlg_sync__walkcache_frame(&all, id, &key, k, body.ptr,
				      body.size) < 0)
		goto done;
	walk_path(&path, r, query);
	/* one temporary name a query: a process killed before the rename
	 * leaves one, which the next save replaces (two at once: the loser's
	 * file fails its MAC, and the walk walks) */
	dlg_buf_printf(&tmp, "%s.tmp", path.ptr);
	if (write_new(tmp.ptr, all.ptr, all.size) < 0 ||
	    rename(tmp.ptr, path.ptr) < 0)
		unlink(tmp.ptr); /* a cache: the next walk walks */
done:
	OPENSSL_cleanse(k, sizeof(k));
	dlg_buf_dispose(&body);
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
	    (signed_ && (!(signer = text(r)) || maybe(r, &key) < 0)))
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

int dlg_sync__walkcache_check(dlg_walkkept *out, const char *data,
			      size_t size, const int64_t program[3],
			      const unsigned char secret[32])
{
	const char *p = data + strlen(MAGIC), *body = data + HEAD_SIZE;
	unsigned char mac[MAC_SIZE];
	replay rp;
	uint64_t len;
	int stopped = 0, error;

	memset(out, 0, sizeof(*out));
	if (size < HEAD_SIZE || memcmp(data, MAGIC, strlen(MAGIC)) ||
	    memcmp(p, program, 3 * sizeof(int64_t)))
		return -1;
	memcpy(out->key.id, p + 3 * sizeof(int64_t), GIT_OID_RAWSZ);
	memcpy(&len, p + 3 * sizeof(int64_t) + GIT_OID_RAWSZ, 8);
	if (len != size - HEAD_SIZE || len < HEAD_RECORD || *body != 'H' ||
	    mac2(mac, secret, out->key.id, GIT_OID_RAWSZ, body, (size_t)len) <
		    0 ||
	    CRYPTO_memcmp(mac, body - MAC_SIZE, MAC_SIZE))
		return -1;
	memcpy(out->head.id, body + 1, GIT_OID_RAWSZ);
	memcpy(&out->count, body + 1 + GIT_OID_RAWSZ, 8);
	memcpy(out->digest.id, body + 1 + GIT_OID_RAWSZ + 8, GIT_OID_RAWSZ);
	out->calls = body + HEAD_RECORD;
	out->len = (size_t)len - HEAD_RECORD;
	memset(&rp, 0, sizeof(rp));
	error = each_record(out->calls, out->len, &rp, NULL, NULL, &stopped);
	free(rp.ev);
	return error;
}

int dlg_sync__walkcache_calls(const dlg_walkkept *k, dlg_history_cb cb,
			      void *payload)
{
	replay rp;
	int stopped = 0;

	memset(&rp, 0, sizeof(rp));
	each_record(k->calls, k->len, &rp, cb, payload, &stopped); /* checked */
	free(rp.ev);
	return stopped;
}

int dlg_sync__walkcache_kept(dlg_walkkept *out, dlg_repo *r,
			     const dlg_buf *query)
{
	dlg_buf path = DLG_BUF_INIT;
	unsigned char k[32];
	int64_t id[3];
	git_oid key;
	size_t size = 0;
	char *map = NULL;
	int found = 0;

	memset(out, 0, sizeof(*out));
	if (cacheable(r) && dlg_program_identity(id) == 0 &&
	    secret(k, r, 0) == 0) {
		walk_path(&path, r, query);
		map = dlg_path_map(path.ptr, &size);
	}
	/* for this program, whole, by this clone's secret, and for this
	 * query at the HEAD it names */
	if (map && dlg_sync__walkcache_check(out, map, size, id, k) == 0 &&
	    walk_key(&key, k, &out->head, query) == 0 &&
	    git_oid_equal(&key, &out->key)) {
		out->map = map;
		out->size = size;
		found = 1;
	} else if (map) {
		munmap(map, size);
		memset(out, 0, sizeof(*out));
	}
	OPENSSL_cleanse(k, sizeof(k));
	dlg_buf_dispose(&path);
	return found;
}

void dlg_sync__walkkept_dispose(dlg_walkkept *k)
{
	if (k->map)
		munmap(k->map, k->size);
	memset(k, 0, sizeof(*k));
}
