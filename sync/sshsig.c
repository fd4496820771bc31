/*
 * OpenSSH keys and signatures (PROTOCOL.sshsig), written from the format's
 * description with OpenSSL's EVP interface.
 *
 * A sync may judge thousands of commits, so signatures are verified here,
 * not by a process per commit; signing goes through ssh-keygen as git's
 * does, so that one configuration (key files, ssh-agent) serves both.
 *
 * Parsing is strict: every length is checked against what is left, every
 * structure must end where its enclosing string does, integers must be in
 * their one minimal encoding (RFC 4251's mpint) and points uncompressed.
 * One key therefore has one blob, and comparing blobs compares keys.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "sshsig.h"

extern char **environ;

#define MAGIC "SSHSIG"
#define MAGIC_LEN 6
#define BEGIN_ARMOR "-----BEGIN SSH SIGNATURE-----"
#define END_ARMOR "-----END SSH SIGNATURE-----"
#define SUPPORTED_TYPES                                                  \
	"ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, "        \
	"ecdsa-sha2-nistp521 or ssh-rsa"
#define RSA_MIN_BITS 2048
#define RSA_MAX_BITS 16384 /* OpenSSH's and OpenSSL's limit */
#define STDERR_MAX 65536

typedef enum { KIND_ED25519, KIND_ECDSA, KIND_RSA } key_kind;

typedef struct {
	const char *name;
	key_kind kind;
	const char *curve; /* ecdsa: the curve's name in the blob */
	const char *group; /* ecdsa: OpenSSL's name for it */
	size_t field;      /* ecdsa: bytes of a coordinate */
	const EVP_MD *(*md)(void); /* ecdsa: the hash the curve signs with */
} key_type;

static const key_type key_types[] = {
	{ "ssh-ed25519", KIND_ED25519, NULL, NULL, 0, NULL },
	{ "ecdsa-sha2-nistp256", KIND_ECDSA, "nistp256", "P-256", 32,
	  EVP_sha256 },
	{ "ecdsa-sha2-nistp384", KIND_ECDSA, "nistp384", "P-384", 48,
	  EVP_sha384 },
	{ "ecdsa-sha2-nistp521", KIND_ECDSA, "nistp521", "P-521", 66,
	  EVP_sha512 },
	{ "ssh-rsa", KIND_RSA, NULL, NULL, 0, NULL },
};

/* Wire-format input: what is left of it, and what it is, for messages. */
typedef struct {
	const unsigned char *p;
	size_t left;
	const char *what;
} reader;

static int str_is(const unsigned char *p, size_t len, const char *s)
{
	return len == strlen(s) && !memcmp(p, s, len);
}

/*
 * Names read from untrusted input, made fit for a message: printable
 * ASCII, at most 64 bytes shown.
 */
typedef struct {
	char s[72];
} shown;

static const char *show(shown *out, const unsigned char *p, size_t len)
{
	size_t i, n = len > 64 ? 64 : len;

	for (i = 0; i < n; i++)
		out->s[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	strcpy(out->s + n, len > n ? "..." : "");
	return out->s;
}

static int truncated(const reader *r, const char *field)
{
	dlg_error_set("malformed %s: truncated %s", r->what, field);
	return DLG_EINVALID;
}

static int rd_u32(uint32_t *out, reader *r, const char *field)
{
	if (r->left < 4)
		return truncated(r, field);
	*out = (uint32_t)r->p[0] << 24 | (uint32_t)r->p[1] << 16 |
	       (uint32_t)r->p[2] << 8 | (uint32_t)r->p[3];
	r->p += 4;
	r->left -= 4;
	return 0;
}

static int rd_string(const unsigned char **out, size_t *len, reader *r,
		     const char *field)
{
	uint32_t n;
	int error;

	if ((error = rd_u32(&n, r, field)) < 0)
		return error;
	if (n > r->left)
		return truncated(r, field);
	*out = r->p;
	*len = n;
	r->p += n;
	r->left -= n;
	return 0;
}

/* A positive mpint in its minimal encoding; out, len: its magnitude. */
static int rd_mpint(const unsigned char **out, size_t *len, reader *r,
		    const char *field)
{
	const unsigned char *p;
	size_t n;
	int error;

	if ((error = rd_string(&p, &n, r, field)) < 0)
		return error;
	if (n == 0 || (p[0] & 0x80)) {
		dlg_error_set("malformed %s: %s is %s", r->what, field,
			      n ? "negative" : "zero");
		return DLG_EINVALID;
	}
	if (p[0] == 0 && (n == 1 || !(p[1] & 0x80))) {
		dlg_error_set("malformed %s: %s has a needless leading zero",
			      r->what, field);
		return DLG_EINVALID;
	}
	if (p[0] == 0) {
		p++;
		n--;
	}
	*out = p;
	*len = n;
	return 0;
}

static int rd_end(const reader *r, const char *after)
{
	if (r->left == 0)
		return 0;
	dlg_error_set("malformed %s: %zu bytes of trailing data after its %s",
		      r->what, r->left, after);
	return DLG_EINVALID;
}

static void put_u32(dlg_buf *b, uint32_t v)
{
	char c[4] = { (char)(v >> 24), (char)(v >> 16), (char)(v >> 8),
		      (char)v };

	dlg_buf_put(b, c, 4);
}

static void put_string(dlg_buf *b, const void *p, size_t len)
{
	put_u32(b, (uint32_t)len);
	dlg_buf_put(b, p, len);
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict base64 (RFC 4648): padded to whole quads, '=' only at the end,
 * unused bits zero, no other characters. Appends to out; -1 if invalid.
 */
static int b64_decode(dlg_buf *out, const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len % 4)
		return -1;
	for (i = 0; i < len; i += 4) {
		int v[4], k, pad = 0;
		char bytes[3];
		uint32_t q;

		for (k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)s[i + k];

			if (c == '=' && i + 4 == len && k >= 2 &&
			    (k == 3 || s[i + 3] == '=')) {
				v[k] = 0;
				pad++;
			} else if ((v[k] = b64_value(c)) < 0) {
				return -1;
			}
		}
		q = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		if ((pad == 1 && (q & 0xff)) || (pad == 2 && (q & 0xffff)))
			return -1;
		bytes[0] = (char)(q >> 16);
		bytes[1] = (char)(q >> 8);
		bytes[2] = (char)q;
		dlg_buf_put(out, bytes, 3 - (size_t)pad);
	}
	return 0;
}

static const key_type *key_type_find(const unsigned char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(key_types) / sizeof(key_types[0]); i++)
		if (str_is(name, len, key_types[i].name))
			return &key_types[i];
	return NULL;
}

static int key_type_unsupported(const unsigned char *name, size_t len)
{
	static const char cert[] = "-cert-v01@openssh.com";
	size_t clen = sizeof(cert) - 1;
	shown s;

	/* NEEDSWORK: security keys sign over more than the data (flags
	 * and a counter) and their keys carry an application string. */
	if (len >= 3 && !memcmp(name, "sk-", 3))
		dlg_error_set("ssh key type '%s' is not supported yet "
			      "(security keys; expected " SUPPORTED_TYPES ")",
			      show(&s, name, len));
	else if (len > clen && !memcmp(name + len - clen, cert, clen))
		dlg_error_set("ssh certificates are not supported ('%s'; "
			      "expected " SUPPORTED_TYPES ")",
			      show(&s, name, len));
	else
		dlg_error_set("unsupported ssh key type '%s' (expected "
			      SUPPORTED_TYPES ")", show(&s, name, len));
	return DLG_EINVALID;
}

/* A public key from params: 0, DLG_EINVALID when OpenSSL refuses them
 * (as it refuses a point off its curve), or -1 when it cannot start. */
static int pkey_fromdata(EVP_PKEY **out, const char *alg, OSSL_PARAM *params)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	int error = 0;

	if (!ctx || EVP_PKEY_fromdata_init(ctx) != 1)
		error = -1;
	else if (EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
		error = DLG_EINVALID;
	EVP_PKEY_CTX_free(ctx);
	return error;
}

static int ecdsa_load(EVP_PKEY **out, const key_type *t, reader *r)
{
	const unsigned char *curve, *q;
	size_t curve_len, q_len;
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *check = NULL;
	shown s;
	int error;

	if ((error = rd_string(&curve, &curve_len, r, "curve name")) < 0 ||
	    (error = rd_string(&q, &q_len, r, "public point")) < 0)
		return error;
	if (!str_is(curve, curve_len, t->curve)) {
		dlg_error_set("malformed %s: curve '%s' in a key of type '%s' "
			      "(expected '%s')", r->what,
			      show(&s, curve, curve_len), t->name, t->curve);
		return DLG_EINVALID;
	}
	/* Uncompressed only, as OpenSSH writes and reads points. */
	if (q_len != 1 + 2 * t->field || q[0] != 0x04) {
		dlg_error_set("malformed %s: its point is not an uncompressed "
			      "%s point (%zu bytes)", r->what, t->curve,
			      1 + 2 * t->field);
		return DLG_EINVALID;
	}
	params[0] = OSSL_PARAM_construct_utf8_string(
		OSSL_PKEY_PARAM_GROUP_NAME, (char *)t->group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
						      (void *)q, q_len);
	params[2] = OSSL_PARAM_construct_end();
	if ((error = pkey_fromdata(out, "EC", params)) == -1 ||
	    (!error && !(check = EVP_PKEY_CTX_new_from_pkey(NULL, *out,
							   NULL)))) {
		/* OpenSSL could not start (out of memory): no verdict */
		dlg_error_set("%s: openssl cannot check this ecdsa key",
			      r->what);
		error = -1;
	} else if (error || EVP_PKEY_public_check(check) != 1) {
		dlg_error_set("malformed %s: its point is not on curve %s",
			      r->what, t->curve);
		error = DLG_EINVALID;
	}
	EVP_PKEY_CTX_free(check);
	return error;
}

static int rsa_load(EVP_PKEY **out, reader *r)
{
	const unsigned char *e, *n;
	size_t e_len, n_len, bits;
	unsigned char top;
	BIGNUM *bn_e = NULL, *bn_n = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	int error;

	if ((error = rd_mpint(&e, &e_len, r, "rsa exponent")) < 0 ||
	    (error = rd_mpint(&n, &n_len, r, "rsa modulus")) < 0)
		return error;
	bits = n_len * 8;
	for (top = n[0]; !(top & 0x80); top = (unsigned char)(top << 1))
		bits--;
	if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
		dlg_error_set("%s: rsa key of %zu bits (expected %d to %d "
			      "bits)", r->what, bits, RSA_MIN_BITS,
			      RSA_MAX_BITS);
		return DLG_EINVALID;
	}
	if (!(n[n_len - 1] & 1) || !(e[e_len - 1] & 1) ||
	    (e_len == 1 && e[0] < 3) || e_len > n_len ||
	    (e_len == n_len && memcmp(e, n, n_len) >= 0)) {
		dlg_error_set("malformed %s: not an rsa key (modulus and "
			      "exponent must be odd, 3 <= exponent < modulus)",
			      r->what);
		return DLG_EINVALID;
	}
	error = -1;
	if (!(bn_e = BN_bin2bn(e, (int)e_len, NULL)) ||
	    !(bn_n = BN_bin2bn(n, (int)n_len, NULL)) ||
	    !(bld = OSSL_PARAM_BLD_new()) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) ||
	    pkey_fromdata(out, "RSA", params) < 0)
		dlg_error_set("%s: openssl does not take this rsa key",
			      r->what);
	else
		error = 0;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_e);
	BN_free(bn_n);
	return error;
}

/*
 * Parse a key blob, all of it, into a key OpenSSL verifies with; type:
 * which of key_types it is. what names the blob in messages.
 */
static int key_load(EVP_PKEY **out, const key_type **type,
		    const unsigned char *blob, size_t len, const char *what)
{
	reader r = { blob, len, what };
	const unsigned char *name, *pk;
	size_t name_len, pk_len;
	const key_type *t;
	int error;

	*out = NULL;
	if ((error = rd_string(&name, &name_len, &r, "key type")) < 0)
		goto done;
	if (!(t = key_type_find(name, name_len))) {
		error = key_type_unsupported(name, name_len);
		goto done;
	}
	switch (t->kind) {
	case KIND_ED25519:
		if ((error = rd_string(&pk, &pk_len, &r, "ed25519 key")) < 0)
			goto done;
		if (pk_len != 32) {
			dlg_error_set("malformed %s: ed25519 key of %zu bytes "
				      "(expected 32)", what, pk_len);
			error = DLG_EINVALID;
			goto done;
		}
		if (!(*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519,
							 NULL, pk, pk_len))) {
			dlg_error_set("%s: openssl does not take this ed25519 "
				      "key", what);
			error = -1;
			goto done;
		}
		break;
	case KIND_ECDSA:
		error = ecdsa_load(out, t, &r);
		break;
	case KIND_RSA:
		error = rsa_load(out, &r);
		break;
	}
	if (error < 0 || (error = rd_end(&r, "key")) < 0)
		goto done;
	*type = t;
done:
	if (error < 0) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	return error;
}

int dlg_sshkey_parse(dlg_buf *out, const char *line)
{
	const char *type, *b64, *end;
	size_t type_len, b64_len;
	const key_type *t, *got;
	dlg_buf blob = DLG_BUF_INIT;
	EVP_PKEY *pkey = NULL;
	shown s;
	int error = DLG_EINVALID;

	dlg_buf_clear(out);
	type = line + strspn(line, " \t");
	type_len = strcspn(type, " \t\r\n");
	b64 = type + type_len + strspn(type + type_len, " \t");
	b64_len = strcspn(b64, " \t\r\n");
	end = b64 + b64_len;
	end += strcspn(end, "\r\n");
	end += !strcmp(end, "\r\n") ? 2 : !strcmp(end, "\n") ? 1 : 0;
	if (!type_len || !b64_len || b64 == type + type_len || *end) {
		dlg_error_set("malformed ssh public key: expected one line "
			      "'TYPE BASE64 [COMMENT]', as in a .pub file");
		goto done;
	}
	if (!(t = key_type_find((const unsigned char *)type, type_len))) {
		error = key_type_unsupported((const unsigned char *)type,
					     type_len);
		goto done;
	}
	if (b64_decode(&blob, b64, b64_len) < 0) {
		dlg_error_set("malformed ssh public key: invalid base64 after "
			      "'%s'", t->name);
		goto done;
	}
	if ((error = key_load(&pkey, &got, (const unsigned char *)blob.ptr,
			      blob.size, "ssh public key")) < 0)
		goto done;
	if (got != t) {
		dlg_error_set("ssh public key line says '%s' but holds a key "
			      "of type '%s'",
			      show(&s, (const unsigned char *)type, type_len),
			      got->name);
		error = DLG_EINVALID;
		goto done;
	}
	dlg_buf_put(out, blob.ptr, blob.size);
done:
	/* What OpenSSL refused stays on its per-thread queue otherwise,
	 * for the next TLS call (libgit2's) to take as its own error. */
	ERR_clear_error();
	EVP_PKEY_free(pkey);
	dlg_buf_dispose(&blob);
	return error;
}

int dlg_sshkey_fingerprint(dlg_buf *out, const void *blob, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int md_len;
	int n;

	dlg_buf_clear(out);
	if (EVP_Digest(len ? blob : "", len, md, &md_len, EVP_sha256(),
		       NULL) != 1) {
		dlg_error_set("cannot compute a sha-256 digest");
		return -1;
	}
	n = EVP_EncodeBlock(b64, md, (int)md_len);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	dlg_buf_puts(out, "SHA256:");
	return dlg_buf_put(out, (const char *)b64, (size_t)n);
}

/*
 * The armor: the BEGIN line, lines of base64, the END line, then nothing
 * but the END line's line break. Lines end in LF or CRLF. Blob: appended.
 */
static int dearmor(dlg_buf *blob, const char *a, size_t len)
{
	static const char begin[] = BEGIN_ARMOR, end[] = END_ARMOR;
	const char *p = a, *stop = a + len;
	dlg_buf b64 = DLG_BUF_INIT;
	int error = DLG_EINVALID, found = 0;

	if (len < sizeof(begin) - 1 || memcmp(a, begin, sizeof(begin) - 1)) {
		dlg_error_set("malformed ssh signature: it does not start "
			      "with '" BEGIN_ARMOR "'");
		goto done;
	}
	p += sizeof(begin) - 1;
	if (p < stop && *p == '\r')
		p++;
	if (p == stop || *p != '\n') {
		dlg_error_set("malformed ssh signature: '" BEGIN_ARMOR "' is "
			      "not alone on its line");
		goto done;
	}
	p++;
	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *line = p, *eol = nl ? nl : stop;

		p = nl ? nl + 1 : stop;
		if (nl && eol > line && eol[-1] == '\r')
			eol--;
		if ((size_t)(eol - line) == sizeof(end) - 1 &&
		    !memcmp(line, end, sizeof(end) - 1)) {
			found = 1;
			break;
		}
		if (eol == line) {
			dlg_error_set("malformed ssh signature: empty line "
				      "inside the armor");
			goto done;
		}
		dlg_buf_put(&b64, line, (size_t)(eol - line));
	}
	if (!found) {
		dlg_error_set("malformed ssh signature: no '" END_ARMOR
			      "' line after '" BEGIN_ARMOR "'");
		goto done;
	}
	if (p != stop) {
		dlg_error_set("malformed ssh signature: data after '" END_ARMOR
			      "'");
		goto done;
	}
	if (b64_decode(blob, b64.ptr, b64.size) < 0) {
		dlg_error_set("malformed ssh signature: invalid base64 inside "
			      "the armor");
		goto done;
	}
	error = 0;
done:
	dlg_buf_dispose(&b64);
	return error;
}

/* An ECDSA signature's (r, s) as the DER OpenSSL verifies. */
static int ecdsa_der(dlg_buf *out, const key_type *t, const unsigned char *p,
		     size_t len)
{
	reader r = { p, len, "ecdsa signature" };
	const unsigned char *rv, *sv;
	size_t r_len, s_len;
	BIGNUM *bn_r = NULL, *bn_s = NULL;
	ECDSA_SIG *sig = NULL;
	unsigned char *der = NULL;
	int error, der_len;

	if ((error = rd_mpint(&rv, &r_len, &r, "r")) < 0 ||
	    (error = rd_mpint(&sv, &s_len, &r, "s")) < 0 ||
	    (error = rd_end(&r, "s")) < 0)
		return error;
	if (r_len > t->field || s_len > t->field) {
		dlg_error_set("malformed ecdsa signature: r or s longer than "
			      "the %s curve's order", t->curve);
		return DLG_EINVALID;
	}
	error = -1;
	if (!(bn_r = BN_bin2bn(rv, (int)r_len, NULL)) ||
	    !(bn_s = BN_bin2bn(sv, (int)s_len, NULL)) ||
	    !(sig = ECDSA_SIG_new()) || !ECDSA_SIG_set0(sig, bn_r, bn_s)) {
		dlg_error_set("cannot build an ecdsa signature");
		goto done;
	}
	bn_r = bn_s = NULL; /* the signature's now */
	if ((der_len = i2d_ECDSA_SIG(sig, &der)) <= 0) {
		dlg_error_set("cannot encode an ecdsa signature");
		goto done;
	}
	dlg_buf_put(out, (const char *)der, (size_t)der_len);
	error = 0;
done:
	OPENSSL_free(der);
	ECDSA_SIG_free(sig);
	BN_free(bn_r);
	BN_free(bn_s);
	return error;
}

/*
 * The digest a signature of type sigtype needs from a key of type t (NULL
 * for ed25519, which hashes itself), or DLG_EINVALID: the signature type
 * must be the key's own (for RSA: SHA-2, never "ssh-rsa"'s SHA-1, as
 * OpenSSH requires for these).
 */
static int signature_md(const EVP_MD **out, const key_type *t,
			const unsigned char *sigtype, size_t sigtype_len)
{
	shown s;
	int mismatch = 0;

	*out = NULL;
	if (t->kind == KIND_RSA) {
		if (str_is(sigtype, sigtype_len, "rsa-sha2-256")) {
			*out = EVP_sha256();
		} else if (str_is(sigtype, sigtype_len, "rsa-sha2-512")) {
			*out = EVP_sha512();
		} else if (str_is(sigtype, sigtype_len, "ssh-rsa")) {
			dlg_error_set("ssh signature made with sha-1 "
				      "('ssh-rsa'; expected rsa-sha2-256 or "
				      "rsa-sha2-512)");
			return DLG_EINVALID;
		} else {
			mismatch = 1;
		}
	} else if (str_is(sigtype, sigtype_len, t->name)) {
		*out = t->md ? t->md() : NULL;
	} else {
		mismatch = 1;
	}
	if (mismatch) {
		dlg_error_set("ssh signature of type '%s' made with a key of "
			      "type '%s'", show(&s, sigtype, sigtype_len),
			      t->name);
		return DLG_EINVALID;
	}
	return 0;
}

/*
 * Check the signature field (string sigtype, string sigbytes) of a key of
 * type t over tbs (its type: see signature_md).
 */
static int check_signature(EVP_PKEY *pkey, const key_type *t,
			   const unsigned char *field, size_t field_len,
			   const dlg_buf *tbs)
{
	reader r = { field, field_len, "ssh signature's signature field" };
	const unsigned char *sigtype, *sig;
	size_t sigtype_len, sig_len;
	const EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	dlg_buf buf = DLG_BUF_INIT; /* the signature as OpenSSL takes it */
	int error;

	if ((error = rd_string(&sigtype, &sigtype_len, &r, "type")) < 0 ||
	    (error = rd_string(&sig, &sig_len, &r, "signature")) < 0 ||
	    (error = rd_end(&r, "signature")) < 0 ||
	    (error = signature_md(&md, t, sigtype, sigtype_len)) < 0)
		goto done;
	error = DLG_EINVALID;
	switch (t->kind) {
	case KIND_ED25519:
		if (sig_len != 64) {
			dlg_error_set("malformed ssh signature: ed25519 "
				      "signature of %zu bytes (expected 64)",
				      sig_len);
			goto done;
		}
		break;
	case KIND_ECDSA:
		if ((error = ecdsa_der(&buf, t, sig, sig_len)) < 0)
			goto done;
		sig = (const unsigned char *)buf.ptr;
		sig_len = buf.size;
		break;
	case KIND_RSA: {
		/* RFC 4253 writes s without padding, OpenSSH pads it to
		 * the modulus' size, which is what OpenSSL wants. */
		size_t mod_len = (size_t)EVP_PKEY_get_size(pkey);

		if (sig_len == 0 || sig_len > mod_len) {
			dlg_error_set("malformed ssh signature: rsa signature "
				      "of %zu bytes from a key of %zu",
				      sig_len, mod_len);
			goto done;
		}
		while (buf.size < mod_len - sig_len)
			dlg_buf_put(&buf, "", 1); /* a zero byte */
		dlg_buf_put(&buf, (const char *)sig, sig_len);
		sig = (const unsigned char *)buf.ptr;
		sig_len = buf.size;
		break;
	}
	}
	if (!(ctx = EVP_MD_CTX_new()) ||
	    EVP_DigestVerifyInit(ctx, NULL, md, NULL, pkey) != 1) {
		dlg_error_set("cannot set up a %s verification", t->name);
		error = -1;
		goto done;
	}
	if (EVP_DigestVerify(ctx, sig, sig_len,
			     (const unsigned char *)tbs->ptr, tbs->size) != 1) {
		dlg_error_set("bad ssh signature: it does not verify with "
			      "the %s key it names", t->name);
		error = DLG_EINVALID;
		goto done;
	}
	error = 0;
done:
	EVP_MD_CTX_free(ctx);
	dlg_buf_dispose(&buf);
	return error;
}

/* Long: the SSHSIG blob read field by field in the format's order, each
 * check next to the field it is about (PROTOCOL.sshsig). */
int dlg_sshsig_verify(dlg_buf *out, const char *armored, size_t armored_len,
		      const char *ns, const void *data, size_t data_len)
{
	dlg_buf blob = DLG_BUF_INIT, tbs = DLG_BUF_INIT;
	const unsigned char *key, *got_ns, *reserved, *hash, *sig;
	size_t key_len, ns_len, reserved_len, hash_len, sig_len;
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned int h_len;
	const EVP_MD *md;
	const key_type *type;
	EVP_PKEY *pkey = NULL;
	uint32_t version;
	reader r;
	shown s1, s2;
	int error;

	dlg_buf_clear(out);
	if (!ns || !*ns) {
		dlg_error_set("an ssh signature's namespace cannot be empty");
		return DLG_EINVALID;
	}
	if ((error = dearmor(&blob, armored, armored_len)) < 0)
		goto done;
	r.p = (const unsigned char *)blob.ptr;
	r.left = blob.size;
	r.what = "ssh signature";
	error = DLG_EINVALID;
	if (r.left < MAGIC_LEN || memcmp(r.p, MAGIC, MAGIC_LEN)) {
		dlg_error_set("malformed ssh signature: it does not start "
			      "with '" MAGIC "'");
		goto done;
	}
	r.p += MAGIC_LEN;
	r.left -= MAGIC_LEN;
	if ((error = rd_u32(&version, &r, "version")) < 0)
		goto done;
	if (version != 1) {
		dlg_error_set("unsupported ssh signature version %u "
			      "(expected 1)", (unsigned)version);
		error = DLG_EINVALID;
		goto done;
	}
	/* The reserved field is ignored, as the format says and OpenSSH
	 * does; what is signed holds it empty. */
	if ((error = rd_string(&key, &key_len, &r, "public key")) < 0 ||
	    (error = rd_string(&got_ns, &ns_len, &r, "namespace")) < 0 ||
	    (error = rd_string(&reserved, &reserved_len, &r, "reserved")) < 0 ||
	    (error = rd_string(&hash, &hash_len, &r, "hash algorithm")) < 0 ||
	    (error = rd_string(&sig, &sig_len, &r, "signature")) < 0 ||
	    (error = rd_end(&r, "signature")) < 0)
		goto done;
	error = DLG_EINVALID;
	if (!str_is(got_ns, ns_len, ns)) {
		dlg_error_set("ssh signature made for namespace '%s', not '%s'",
			      show(&s1, got_ns, ns_len),
			      show(&s2, (const unsigned char *)ns, strlen(ns)));
		goto done;
	}
	if (str_is(hash, hash_len, "sha256")) {
		md = EVP_sha256();
	} else if (str_is(hash, hash_len, "sha512")) {
		md = EVP_sha512();
	} else {
		dlg_error_set("unsupported ssh signature hash algorithm '%s' "
			      "(expected sha256 or sha512)",
			      show(&s1, hash, hash_len));
		goto done;
	}
	if ((error = key_load(&pkey, &type, key, key_len,
			      "ssh signature's public key")) < 0)
		goto done;
	if (EVP_Digest(data_len ? data : "", data_len, h, &h_len, md, NULL) !=
	    1) {
		dlg_error_set("cannot compute the data's digest");
		error = -1;
		goto done;
	}
	dlg_buf_put(&tbs, MAGIC, MAGIC_LEN);
	put_string(&tbs, ns, strlen(ns));
	put_string(&tbs, "", 0);
	put_string(&tbs, hash, hash_len);
	put_string(&tbs, h, h_len);
	if ((error = check_signature(pkey, type, sig, sig_len, &tbs)) < 0)
		goto done;
	dlg_buf_put(out, (const char *)key, key_len);
done:
	ERR_clear_error(); /* as in dlg_sshkey_parse */
	EVP_PKEY_free(pkey);
	dlg_buf_dispose(&tbs);
	dlg_buf_dispose(&blob);
	return error;
}

/* Create path (mode 0600, not there before) holding data. */
static int write_new_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	const char *p = data;
	int saved;

	if (fd < 0)
		goto fail;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	saved = errno;
	if (fd >= 0)
		close(fd);
	dlg_error_set("cannot write '%s': %s", path, strerror(saved));
	return -1;
}

/* Append a file's bytes to out; -1 with errno set if it cannot be read. */
static int read_file(dlg_buf *out, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;
	char chunk[4096];
	ssize_t n;

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		dlg_buf_put(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

/* Remove a folder of files (ours: it holds no folders). */
static void remove_dir(const char *dir)
{
	dlg_buf path = DLG_BUF_INIT;
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		dlg_buf_clear(&path);
		dlg_buf_printf(&path, "%s/%s", dir, e->d_name);
		unlink(path.ptr);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	dlg_buf_dispose(&path);
}

/*
 * Run argv (found on PATH) with our stdin, stdout on /dev/null (it is the
 * command's output, not ssh-keygen's) and stderr collected in err, and
 * wait for it; status as waitpid gives it.
 */
static int run_program(int *status, dlg_buf *err, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	int fds[2] = { -1, -1 }, fa_ready = 0, rc, error = -1;
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	if (pipe(fds) < 0) {
		dlg_error_set("cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	if ((rc = posix_spawn_file_actions_init(&fa)) == 0) {
		fa_ready = 1;
		if (!(rc = posix_spawn_file_actions_addopen(&fa, 1, "/dev/null",
							    O_WRONLY, 0)) &&
		    !(rc = posix_spawn_file_actions_adddup2(&fa, fds[1], 2)))
			rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv,
					  environ);
	}
	if (rc) {
		dlg_error_set("cannot run '%s': %s", argv[0], strerror(rc));
		goto done;
	}
	close(fds[1]);
	fds[1] = -1;
	while ((n = read(fds[0], chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (err->size < STDERR_MAX)
			dlg_buf_put(err, chunk, (size_t)n);
	}
	while (waitpid(pid, status, 0) < 0) {
		if (errno != EINTR) {
			dlg_error_set("cannot wait for '%s': %s", argv[0],
				      strerror(errno));
			goto done;
		}
	}
	error = 0;
done:
	if (fa_ready)
		posix_spawn_file_actions_destroy(&fa);
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return error;
}

/*
 * What ssh-keygen said on stderr, as one line for a message: its lines
 * joined with "; ", without the "Signing file" line that names our
 * temporary file.
 */
static void stderr_line(dlg_buf *out, const dlg_buf *err)
{
	const char *p = err->ptr, *stop = err->ptr + err->size;

	while (p < stop) {
		const char *nl = memchr(p, '\n', (size_t)(stop - p));
		const char *eol = nl ? nl : stop;
		size_t len;

		while (eol > p && (eol[-1] == '\r' || eol[-1] == ' '))
			eol--;
		len = (size_t)(eol - p);
		if (len && strncmp(p, "Signing file ", 13)) {
			if (out->size)
				dlg_buf_puts(out, "; ");
			dlg_buf_put(out, p, len);
		}
		p = nl ? nl + 1 : stop;
	}
}

/* The key file to hand ssh-keygen: a literal key written to key.pub in
 * dir, a path under ~/ resolved, any other path as it is. */
static int sign_key_file(dlg_buf *keyfile, const char *dir,
			 const char *signingkey, const char *literal)
{
	dlg_buf line = DLG_BUF_INIT;
	int error = 0;

	if (literal) {
		dlg_buf_printf(keyfile, "%s/key.pub", dir);
		dlg_buf_printf(&line, "%s\n", literal);
		error = write_new_file(keyfile->ptr, line.ptr, line.size);
	} else if (!strncmp(signingkey, "~/", 2)) {
		dlg_buf_printf(keyfile, "%s%s", getenv("HOME"),
			       signingkey + 1);
	} else {
		dlg_buf_puts(keyfile, signingkey);
	}
	dlg_buf_dispose(&line);
	return error;
}

/* Runs `program -Y sign -n ns -f keyfile [-U] datafile`: its exit
 * status in *status, what it said on stderr in *err. */
static int run_keygen_sign(int *status, dlg_buf *err, const char *program,
			   const char *ns, const char *keyfile, int literal,
			   const char *datafile)
{
	char *argv[10];
	int argc = 0;

	argv[argc++] = (char *)program;
	argv[argc++] = "-Y";
	argv[argc++] = "sign";
	argv[argc++] = "-n";
	argv[argc++] = (char *)ns;
	argv[argc++] = "-f";
	argv[argc++] = (char *)keyfile;
	if (literal)
		argv[argc++] = "-U"; /* the private half: in ssh-agent only */
	argv[argc++] = (char *)datafile;
	argv[argc] = NULL;
	return run_program(status, err, argv);
}

/* Why ssh-keygen failed (its exit status), from what it said. */
static void keygen_failed(const char *program, int status, const dlg_buf *err)
{
	dlg_buf said = DLG_BUF_INIT;

	stderr_line(&said, err);
	if (strstr(err->ptr, "usage:"))
		dlg_error_set("'%s -Y sign' is needed for ssh signing "
			      "(OpenSSH 8.2p1 or later): %s", program,
			      said.ptr);
	else if (WIFSIGNALED(status))
		dlg_error_set("'%s -Y sign' was killed by signal "
			      "%d%s%s", program, WTERMSIG(status),
			      said.size ? ": " : "", said.ptr);
	else
		dlg_error_set("'%s -Y sign' failed: %s", program,
			      said.size ? said.ptr : "no message");
	dlg_buf_dispose(&said);
}

int dlg_sshsig_sign(dlg_buf *out, const char *program, const char *signingkey,
		    const char *ns, const void *data, size_t data_len)
{
	dlg_buf dir = DLG_BUF_INIT, keyfile = DLG_BUF_INIT;
	dlg_buf datafile = DLG_BUF_INIT, sigfile = DLG_BUF_INIT;
	dlg_buf err = DLG_BUF_INIT;
	const char *literal = NULL, *tmp = getenv("TMPDIR"), *home;
	int status = 0, have_dir = 0, error = DLG_EINVALID;

	dlg_buf_clear(out);
	if (!signingkey || !*signingkey) {
		dlg_error_set("user.signingkey needs to be set for ssh "
			      "signing");
		goto done;
	}
	if (!ns || !*ns) {
		dlg_error_set("an ssh signature's namespace cannot be empty");
		goto done;
	}
	if (!program || !*program)
		program = "ssh-keygen";
	/* git's rule for a literal key (gpg-interface.c) */
	if (!strncmp(signingkey, "key::", 5))
		literal = signingkey + 5;
	else if (!strncmp(signingkey, "ssh-", 4))
		literal = signingkey;
	if (!literal && !strncmp(signingkey, "~/", 2) &&
	    (!(home = getenv("HOME")) || !*home)) {
		dlg_error_set("cannot find '%s': HOME is not set", signingkey);
		goto done;
	}

	/*
	 * A folder only we can enter: ssh-keygen writes FILE.sig next to
	 * FILE, and in a shared /tmp a name guessed ahead could be a link.
	 */
	error = -1;
	dlg_buf_printf(&dir, "%s/delegit-sshsig-XXXXXX",
		       tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir.ptr)) {
		dlg_error_set("cannot create a temporary folder '%s': %s",
			      dir.ptr, strerror(errno));
		goto done;
	}
	have_dir = 1;
	dlg_buf_printf(&datafile, "%s/data", dir.ptr);
	dlg_buf_printf(&sigfile, "%s/data.sig", dir.ptr);
	if ((error = sign_key_file(&keyfile, dir.ptr, signingkey,
				   literal)) < 0 ||
	    (error = write_new_file(datafile.ptr, data_len ? data : "",
				    data_len)) < 0 ||
	    (error = run_keygen_sign(&status, &err, program, ns, keyfile.ptr,
				     literal != NULL, datafile.ptr)) < 0)
		goto done;
	error = -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		keygen_failed(program, status, &err);
		goto done;
	}
	if (read_file(out, sigfile.ptr) < 0) {
		dlg_error_set("'%s -Y sign' wrote no signature: %s", program,
			      strerror(errno));
		goto done;
	}
	if (strncmp(out->ptr, BEGIN_ARMOR, sizeof(BEGIN_ARMOR) - 1)) {
		dlg_error_set("'%s -Y sign' wrote no ssh signature", program);
		goto done;
	}
	error = 0;
done:
	if (error < 0)
		dlg_buf_clear(out);
	if (have_dir)
		remove_dir(dir.ptr);
	dlg_buf_dispose(&err);
	dlg_buf_dispose(&sigfile);
	dlg_buf_dispose(&datafile);
	dlg_buf_dispose(&keyfile);
	dlg_buf_dispose(&dir);
	return error;
}
