/* sync/sshsig.c: OpenSSH keys and signatures, against the real ssh-keygen
 * and ssh-agent, and against signatures built here with OpenSSL where
 * ssh-keygen would not make them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "sync/sshsig.h"
#include "helpers.h"

/* Keys made once for the whole file, each with a signature of data. */
static const struct {
	const char *name, *keygen;
} keys[] = {
	{ "ed25519", "-t ed25519" },
	{ "p256", "-t ecdsa -b 256" },
	{ "p384", "-t ecdsa -b 384" },
	{ "p521", "-t ecdsa -b 521" },
	{ "rsa", "-t rsa -b 3072" },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const char data[] =
	"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n"
	"author Kim Lee <kim@msp.example> 1700000000 +0000\n"
	"committer Kim Lee <kim@msp.example> 1700000000 +0000\n\n"
	"add 0b9c5e5e: back up the file server\n";

static char *dir;

/* Run a shell command in dir; its exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	char cmd[8192];
	int n, status;
	va_list ap;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	status = system(cmd);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* A command's output, trimmed. */
static char *output(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *output(const char *fmt, ...)
{
	char cmd[8192];
	va_list ap;
	size_t n;

	n = (size_t)snprintf(cmd, sizeof(cmd), "cd '%s' && ", dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	return command_output(cmd);
}

static char *file(const char *name)
{
	char path[4200];
	char *text;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = slurp(path, NULL);
	assert_non_null(text);
	return text;
}

static void pub_blob(dlg_buf *out, const char *name)
{
	char pub[256];
	char *line;

	snprintf(pub, sizeof(pub), "%s.pub", name);
	line = file(pub);
	assert_int_equal(dlg_sshkey_parse(out, line), 0);
	free(line);
}

static char *sig_of(const char *name)
{
	char sig[256];

	snprintf(sig, sizeof(sig), "data-%s.sig", name);
	return file(sig);
}

static int verify(dlg_buf *out, const char *armored, const char *ns,
		  const void *d, size_t len)
{
	return dlg_sshsig_verify(out, armored, strlen(armored), ns, d, len);
}

static void assert_error_has(const char *what)
{
	if (!strstr(dlg_error_last(), what))
		fail_msg("error '%s' does not say '%s'", dlg_error_last(),
			 what);
}

static void assert_blob_equal(const dlg_buf *a, const dlg_buf *b)
{
	assert_int_equal(a->size, b->size);
	assert_memory_equal(a->ptr, b->ptr, a->size);
}

static int group_setup(void **state)
{
	size_t i;

	(void)state;
	/* Only the agent test's agent, never the caller's. */
	unsetenv("SSH_AUTH_SOCK");
	if (!(dir = tmpdir_new()))
		return -1;
	spit(dir, "data", data);
	for (i = 0; i < NKEYS; i++)
		if (run("ssh-keygen -q %s -N '' -C %s@test -f %s",
			keys[i].keygen, keys[i].name, keys[i].name) ||
		    run("cp data data-%s && ssh-keygen -q -Y sign -n git "
			"-f %s data-%s", keys[i].name, keys[i].name,
			keys[i].name))
			return -1;
	if (run("ssh-keygen -q -t ed25519 -N '' -C other@test -f other") ||
	    run("cp data data-other && ssh-keygen -q -Y sign -n git -f other "
		"data-other") ||
	    run("cp data data-file && ssh-keygen -q -Y sign -n file "
		"-f ed25519 data-file") ||
	    run("ssh-keygen -q -t rsa -b 1024 -N '' -f rsa1024") ||
	    run("cp data data-rsa1024 && ssh-keygen -q -Y sign -n git "
		"-f rsa1024 data-rsa1024"))
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rm_rf(dir);
	free(dir);
	return 0;
}

/* ------------------------------------------------------------------
 * Base64 and armor, to take signatures apart and build them again.
 */
static void b64_decode(dlg_buf *out, const char *s, size_t len)
{
	int n;

	dlg_buf_clear(out);
	dlg_buf_reserve(out, len);
	n = EVP_DecodeBlock((unsigned char *)out->ptr,
			    (const unsigned char *)s, (int)len);
	assert_true(n >= 0);
	while (len && s[len - 1] == '=') {
		len--;
		n--;
	}
	out->size = (size_t)n;
}

static void b64_encode(dlg_buf *out, const void *p, size_t len)
{
	dlg_buf_reserve(out, 4 * (len / 3 + 1));
	out->size += (size_t)EVP_EncodeBlock(
		(unsigned char *)out->ptr + out->size, p, (int)len);
	out->ptr[out->size] = '\0';
}

static void dearmor(dlg_buf *out, const char *armored)
{
	dlg_buf b64 = DLG_BUF_INIT;
	const char *p = strchr(armored, '\n') + 1;
	const char *end = strstr(armored, "-----END");

	for (; p < end; p++)
		if (*p != '\n')
			dlg_buf_put(&b64, p, 1);
	b64_decode(out, b64.ptr, b64.size);
	dlg_buf_dispose(&b64);
}

static void armor(dlg_buf *out, const void *blob, size_t len)
{
	dlg_buf b64 = DLG_BUF_INIT;
	size_t i, n;

	dlg_buf_clear(out);
	b64_encode(&b64, blob, len);
	dlg_buf_puts(out, "-----BEGIN SSH SIGNATURE-----\n");
	for (i = 0; i < b64.size; i += n) {
		n = b64.size - i < 70 ? b64.size - i : 70;
		dlg_buf_put(out, b64.ptr + i, n);
		dlg_buf_puts(out, "\n");
	}
	dlg_buf_puts(out, "-----END SSH SIGNATURE-----\n");
	dlg_buf_dispose(&b64);
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

static void put_cstring(dlg_buf *b, const char *s)
{
	put_string(b, s, strlen(s));
}

/* An mpint: minimal, or with a needless leading zero (extra). */
static void put_mpint(dlg_buf *b, const BIGNUM *bn, int extra)
{
	unsigned char bytes[2100];
	int n = BN_bn2bin(bn, bytes + 2);
	int lead = (n > 0 && (bytes[2] & 0x80)) + !!extra;

	bytes[0] = bytes[1] = 0;
	put_string(b, bytes + 2 - lead, (size_t)(n + lead));
}

static uint32_t get_u32(const char *p)
{
	const unsigned char *u = (const unsigned char *)p;

	return (uint32_t)u[0] << 24 | (uint32_t)u[1] << 16 |
	       (uint32_t)u[2] << 8 | u[3];
}

/* A signature blob's fields, as offsets into it (the six after the
 * magic: version, key, namespace, reserved, hash, signature). */
typedef struct {
	const char *p[6];
	size_t len[6];
} fields;

static void split(fields *f, const dlg_buf *blob)
{
	const char *p = blob->ptr + 6;
	int i;

	f->p[0] = p;
	f->len[0] = 4;
	p += 4;
	for (i = 1; i < 6; i++) {
		f->len[i] = get_u32(p);
		f->p[i] = p + 4;
		p += 4 + f->len[i];
	}
	assert_ptr_equal(p, blob->ptr + blob->size);
}

/* The blob again, field i replaced by (p, len) when p is not NULL. */
static void rebuild(dlg_buf *out, const fields *f, int i, const void *p,
		    size_t len)
{
	int k;

	dlg_buf_clear(out);
	dlg_buf_put(out, "SSHSIG", 6);
	dlg_buf_put(out, i == 0 && p ? p : f->p[0], 4);
	for (k = 1; k < 6; k++)
		if (k == i && p)
			put_string(out, p, len);
		else
			put_string(out, f->p[k], f->len[k]);
}

/* ------------------------------------------------------------------
 * Signatures made here: OpenSSL keys, any field as the test wants.
 */
typedef struct {
	EVP_PKEY *pkey;
	dlg_buf blob; /* the public key's */
	const char *type;
} test_key;

static void test_key_new(test_key *k, const char *type)
{
	memset(k, 0, sizeof(*k));
	k->type = type;
	if (!strcmp(type, "ssh-ed25519")) {
		unsigned char pk[32];
		size_t len = sizeof(pk);

		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		assert_non_null(k->pkey);
		assert_int_equal(EVP_PKEY_get_raw_public_key(k->pkey, pk,
							     &len), 1);
		put_cstring(&k->blob, type);
		put_string(&k->blob, pk, len);
	} else if (!strcmp(type, "ecdsa-sha2-nistp256")) {
		unsigned char q[65];
		size_t len;

		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		assert_non_null(k->pkey);
		assert_int_equal(EVP_PKEY_get_octet_string_param(
					 k->pkey,
					 OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, q,
					 sizeof(q), &len), 1);
		assert_int_equal(len, 65);
		put_cstring(&k->blob, type);
		put_cstring(&k->blob, "nistp256");
		put_string(&k->blob, q, len);
	} else {
		BIGNUM *n = NULL, *e = NULL;

		k->pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		assert_non_null(k->pkey);
		assert_int_equal(EVP_PKEY_get_bn_param(k->pkey,
						       OSSL_PKEY_PARAM_RSA_N,
						       &n), 1);
		assert_int_equal(EVP_PKEY_get_bn_param(k->pkey,
						       OSSL_PKEY_PARAM_RSA_E,
						       &e), 1);
		put_cstring(&k->blob, "ssh-rsa");
		put_mpint(&k->blob, e, 0);
		put_mpint(&k->blob, n, 0);
		BN_free(n);
		BN_free(e);
	}
}

static void test_key_dispose(test_key *k)
{
	EVP_PKEY_free(k->pkey);
	dlg_buf_dispose(&k->blob);
}

typedef struct {
	uint32_t version;
	const char *ns, *reserved, *hash; /* hash: "sha256", "sha1"... */
	const char *sigtype;              /* NULL: the key's own */
	const EVP_MD *sig_md;             /* rsa, ecdsa: what signs */
	int ecdsa_extra_zero;             /* a needless zero before r */
	int ecdsa_long_r;                 /* r made longer than the order */
	int rsa_strip_zeros;              /* s without its leading zeros */
	const char *ecdsa_rs;             /* ecdsa: (r, s) replaced whole */
	size_t ecdsa_rs_len;
	size_t sig_cut;                   /* ed25519, rsa: bytes cut off */
} sig_params;

#define SIG_PARAMS_INIT { 1, "git", "", "sha512", NULL, NULL, 0, 0, 0, NULL, 0 }

/* The armored signature of (d, len) by k, made as params say. */
static void test_sign(dlg_buf *out, test_key *k, const sig_params *sp,
		      const void *d, size_t len)
{
	dlg_buf tbs = DLG_BUF_INIT, sigf = DLG_BUF_INIT, blob = DLG_BUF_INIT;
	unsigned char h[EVP_MAX_MD_SIZE], sig[1024], *p = sig;
	unsigned int h_len;
	size_t sig_len = sizeof(sig);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	const EVP_MD *md = !strcmp(k->type, "ssh-ed25519") ? NULL :
			   sp->sig_md ? sp->sig_md : EVP_sha256();

	assert_int_equal(EVP_Digest(d, len, h, &h_len,
				    EVP_get_digestbyname(sp->hash), NULL), 1);
	dlg_buf_put(&tbs, "SSHSIG", 6);
	put_cstring(&tbs, sp->ns);
	put_cstring(&tbs, "");
	put_cstring(&tbs, sp->hash);
	put_string(&tbs, h, h_len);
	assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, k->pkey), 1);
	assert_int_equal(EVP_DigestSign(ctx, sig, &sig_len,
					(unsigned char *)tbs.ptr, tbs.size), 1);
	put_cstring(&sigf, sp->sigtype ? sp->sigtype :
			   !strcmp(k->type, "ssh-rsa") ? "rsa-sha2-256" :
							 k->type);
	if (!strncmp(k->type, "ecdsa", 5)) {
		const unsigned char *der = sig;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &der, (long)sig_len);
		dlg_buf rs = DLG_BUF_INIT;

		assert_non_null(es);
		if (sp->ecdsa_rs) {
			dlg_buf_put(&rs, sp->ecdsa_rs, sp->ecdsa_rs_len);
			ECDSA_SIG_free(es);
			es = NULL;
		} else if (sp->ecdsa_long_r) {
			BIGNUM *r = BN_dup(ECDSA_SIG_get0_r(es));

			assert_int_equal(BN_set_bit(r, 300), 1);
			put_mpint(&rs, r, 0);
			BN_free(r);
		} else {
			put_mpint(&rs, ECDSA_SIG_get0_r(es),
				  sp->ecdsa_extra_zero);
		}
		if (es)
			put_mpint(&rs, ECDSA_SIG_get0_s(es), 0);
		put_string(&sigf, rs.ptr, rs.size);
		dlg_buf_dispose(&rs);
		ECDSA_SIG_free(es);
	} else {
		while (sp->rsa_strip_zeros && sig_len && !*p) {
			p++;
			sig_len--;
		}
		sig_len -= sp->sig_cut < sig_len ? sp->sig_cut : sig_len;
		put_string(&sigf, p, sig_len);
	}
	dlg_buf_put(&blob, "SSHSIG", 6);
	put_u32(&blob, sp->version);
	put_string(&blob, k->blob.ptr, k->blob.size);
	put_cstring(&blob, sp->ns);
	put_cstring(&blob, sp->reserved);
	put_cstring(&blob, sp->hash);
	put_string(&blob, sigf.ptr, sigf.size);
	armor(out, blob.ptr, blob.size);
	EVP_MD_CTX_free(ctx);
	dlg_buf_dispose(&blob);
	dlg_buf_dispose(&sigf);
	dlg_buf_dispose(&tbs);
}

/* ------------------------------------------------------------------
 * Verification of ssh-keygen's signatures.
 */
static void test_sshsig__each_key_type_verifies_and_names_its_key(void **state)
{
	dlg_buf key = DLG_BUF_INIT, pub = DLG_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < NKEYS; i++) {
		char *sig = sig_of(keys[i].name);

		pub_blob(&pub, keys[i].name);
		if (verify(&key, sig, "git", data, strlen(data)))
			fail_msg("%s: %s", keys[i].name, dlg_error_last());
		assert_blob_equal(&key, &pub);
		free(sig);
	}
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&pub);
}

static void test_sshkey__fingerprint_is_ssh_keygen_s(void **state)
{
	dlg_buf pub = DLG_BUF_INIT, fp = DLG_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < NKEYS; i++) {
		char *want = output("ssh-keygen -lf %s.pub | cut -d' ' -f2",
				    keys[i].name);

		pub_blob(&pub, keys[i].name);
		assert_int_equal(dlg_sshkey_fingerprint(&fp, pub.ptr,
							pub.size), 0);
		assert_string_equal(fp.ptr, want);
		free(want);
	}
	dlg_buf_dispose(&pub);
	dlg_buf_dispose(&fp);
}

static void test_sshsig__changed_data_fails(void **state)
{
	dlg_buf key = DLG_BUF_INIT;
	size_t len = strlen(data), at[] = { 0, len / 2, len - 1 }, i, k;
	char *copy = strdup(data);

	(void)state;
	for (i = 0; i < NKEYS; i++) {
		char *sig = sig_of(keys[i].name);

		for (k = 0; k < 3; k++) {
			copy[at[k]] ^= 1;
			assert_int_equal(verify(&key, sig, "git", copy, len),
					 DLG_EINVALID);
			assert_error_has("does not verify");
			assert_int_equal(key.size, 0);
			/* nothing left for libgit2's TLS to trip on */
			assert_int_equal(ERR_peek_error(), 0);
			copy[at[k]] ^= 1;
		}
		assert_int_equal(verify(&key, sig, "git", data, len - 1),
				 DLG_EINVALID);
		assert_int_equal(verify(&key, sig, "git", copy, len), 0);
		free(sig);
	}
	free(copy);
	dlg_buf_dispose(&key);
}

static void test_sshsig__other_namespace_fails(void **state)
{
	dlg_buf key = DLG_BUF_INIT;
	const char *other[] = { "file", "gi", "gitx", "Git" };
	char *sig = sig_of("ed25519"), *file_sig = sig_of("file");
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(verify(&key, sig, other[i], data,
					strlen(data)), DLG_EINVALID);
		assert_error_has("namespace");
	}
	assert_int_equal(verify(&key, file_sig, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("made for namespace 'file', not 'git'");
	assert_int_equal(verify(&key, file_sig, "file", data, strlen(data)), 0);
	assert_int_equal(verify(&key, sig, "", data, strlen(data)),
			 DLG_EINVALID);
	free(sig);
	free(file_sig);
	dlg_buf_dispose(&key);
}

static void test_sshsig__other_key_s_signature_names_that_key(void **state)
{
	dlg_buf key = DLG_BUF_INIT, mine = DLG_BUF_INIT, other = DLG_BUF_INIT;
	char *sig = sig_of("other");

	(void)state;
	pub_blob(&mine, "ed25519");
	pub_blob(&other, "other");
	assert_int_equal(verify(&key, sig, "git", data, strlen(data)), 0);
	assert_blob_equal(&key, &other);
	assert_false(key.size == mine.size &&
		     !memcmp(key.ptr, mine.ptr, key.size));
	free(sig);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&mine);
	dlg_buf_dispose(&other);
}

static void test_sshsig__malformed_armor_fails(void **state)
{
	static const struct {
		const char *from, *to, *says;
	} edits[] = {
		{ "-----BEGIN", "----BEGIN", "does not start with" },
		{ "-----BEGIN", " -----BEGIN", "does not start with" },
		{ "-----END SSH SIGNATURE-----", "-----END SSH SIGNATURE----",
		  "no '-----END" },
		{ "-----END SSH SIGNATURE-----\n", "", "no '-----END" },
		{ "-----END SSH SIGNATURE-----\n",
		  "-----END SSH SIGNATURE-----\nx", "data after" },
		{ "-----END SSH SIGNATURE-----\n",
		  "-----END SSH SIGNATURE-----\n\n", "data after" },
		{ "SIGNATURE-----\nU1NI", "SIGNATURE----- \nU1NI",
		  "not alone" },
		{ "SIGNATURE-----\nU1NI", "SIGNATURE-----\n\nU1NI",
		  "empty line" },
		{ "SIGNATURE-----\nU1NI", "SIGNATURE-----\nU1N*", "base64" },
		{ "SIGNATURE-----\nU1NI", "SIGNATURE-----\n U1NI", "base64" },
		{ "SIGNATURE-----\nU1NI", "SIGNATURE-----\nU1NIU", "base64" },
		{ "SIGNATURE-----\nU1NI", "SIGNATURE-----\nU1\rNI", "base64" },
		{ "=\n-----END", "\n-----END", "base64" },
		{ "=\n-----END", "==\n-----END", "base64" },
		{ "SIGNATURE-----\nU1NI", "SIGNATURE-----\nU1NJ", "'SSHSIG'" },
	};
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789+/";
	dlg_buf key = DLG_BUF_INIT, edited = DLG_BUF_INIT;
	char *sig = sig_of("ed25519");
	const char *at;
	size_t i, n;

	(void)state;
	/* the signature above ends in one '=' (kept so by the data) */
	assert_non_null(strstr(sig, "=\n-----END"));
	assert_null(strstr(sig, "==\n-----END"));
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		at = strstr(sig, edits[i].from);
		assert_non_null(at);
		dlg_buf_clear(&edited);
		dlg_buf_put(&edited, sig, (size_t)(at - sig));
		dlg_buf_puts(&edited, edits[i].to);
		dlg_buf_puts(&edited, at + strlen(edits[i].from));
		if (verify(&key, edited.ptr, "git", data, strlen(data)) !=
		    DLG_EINVALID)
			fail_msg("edit %zu passed:\n%s", i, edited.ptr);
		assert_error_has(edits[i].says);
	}
	/* Base64's unused bits set: the same bytes, another text. */
	dlg_buf_clear(&edited);
	dlg_buf_puts(&edited, sig);
	at = strstr(edited.ptr, "=\n-----END") - 1;
	edited.ptr[at - edited.ptr] =
		alphabet[(strchr(alphabet, *at) - alphabet) ^ 1];
	assert_int_equal(verify(&key, edited.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("base64");
	/* Cut anywhere: refused. */
	for (n = 0; n < strlen(sig) - 1; n++)
		assert_int_equal(dlg_sshsig_verify(&key, sig, n, "git", data,
						   strlen(data)),
				 DLG_EINVALID);
	/* CRLF line ends and no final line break are fine. */
	dlg_buf_clear(&edited);
	for (at = sig; *at; at++)
		dlg_buf_puts(&edited,
			     *at == '\n' ? "\r\n" : (char[]){ *at, 0 });
	assert_int_equal(verify(&key, edited.ptr, "git", data, strlen(data)),
			 0);
	assert_int_equal(dlg_sshsig_verify(&key, sig, strlen(sig) - 1, "git",
					   data, strlen(data)), 0);
	free(sig);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&edited);
}

/* Any byte of the blob changed, or the blob cut short: refused. */
static void test_sshsig__every_cut_and_flipped_bit_fails(void **state)
{
	dlg_buf key = DLG_BUF_INIT, blob = DLG_BUF_INIT, sig = DLG_BUF_INIT;
	const unsigned char masks[] = { 0x01, 0x80 };
	size_t i, n, m;

	(void)state;
	for (i = 0; i < NKEYS; i++) {
		char *text = sig_of(keys[i].name);

		dearmor(&blob, text);
		armor(&sig, blob.ptr, blob.size);
		assert_int_equal(verify(&key, sig.ptr, "git", data,
					strlen(data)), 0);
		for (n = 0; n < blob.size; n++) {
			armor(&sig, blob.ptr, n);
			if (verify(&key, sig.ptr, "git", data, strlen(data)) !=
			    DLG_EINVALID)
				fail_msg("%s cut at %zu passed", keys[i].name,
					 n);
		}
		for (n = 0; n < blob.size; n++)
			for (m = 0; m < 2; m++) {
				blob.ptr[n] ^= (char)masks[m];
				armor(&sig, blob.ptr, blob.size);
				if (verify(&key, sig.ptr, "git", data,
					   strlen(data)) != DLG_EINVALID)
					fail_msg("%s: byte %zu ^ %#x passed",
						 keys[i].name, n, masks[m]);
				blob.ptr[n] ^= (char)masks[m];
			}
		free(text);
	}
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&blob);
	dlg_buf_dispose(&sig);
}

/* Fields whose signature still checks, made wrong: refused for what
 * they are. */
static void test_sshsig__structure_is_checked_to_the_byte(void **state)
{
	dlg_buf key = DLG_BUF_INIT, blob = DLG_BUF_INIT, edited = DLG_BUF_INIT;
	dlg_buf sig = DLG_BUF_INIT, field = DLG_BUF_INIT;
	char *text = sig_of("ed25519");
	fields f;

	(void)state;
	dearmor(&blob, text);
	split(&f, &blob);

	/* A byte after the whole: trailing data. */
	dlg_buf_put(&edited, blob.ptr, blob.size);
	dlg_buf_put(&edited, "", 1);
	armor(&sig, edited.ptr, edited.size);
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("trailing data");

	/* A byte after the key inside its string. */
	dlg_buf_put(&field, f.p[1], f.len[1]);
	dlg_buf_put(&field, "", 1);
	rebuild(&edited, &f, 1, field.ptr, field.size);
	armor(&sig, edited.ptr, edited.size);
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("trailing data after its key");

	/* A byte after the signature bytes inside the signature field. */
	dlg_buf_clear(&field);
	dlg_buf_put(&field, f.p[5], f.len[5]);
	dlg_buf_put(&field, "", 1);
	rebuild(&edited, &f, 5, field.ptr, field.size);
	armor(&sig, edited.ptr, edited.size);
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("trailing data");

	/* Versions other than 1. */
	rebuild(&edited, &f, 0, "\0\0\0\2", 4);
	armor(&sig, edited.ptr, edited.size);
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("version 2");
	rebuild(&edited, &f, 0, "\0\0\0\0", 4);
	armor(&sig, edited.ptr, edited.size);
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);

	/* A namespace with a NUL after "git" is not "git". */
	rebuild(&edited, &f, 2, "git\0", 4);
	armor(&sig, edited.ptr, edited.size);
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("namespace");

	/* The reserved field is ignored, as PROTOCOL.sshsig says. */
	rebuild(&edited, &f, 3, "tag", 3);
	armor(&sig, edited.ptr, edited.size);
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)), 0);

	free(text);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&blob);
	dlg_buf_dispose(&edited);
	dlg_buf_dispose(&sig);
	dlg_buf_dispose(&field);
}

static void test_sshsig__only_sha256_and_sha512(void **state)
{
	dlg_buf key = DLG_BUF_INIT, sig = DLG_BUF_INIT;
	sig_params sp = SIG_PARAMS_INIT;
	const char *refused[] = { "sha1", "sha384", "SHA512", "sha512 " };
	test_key k;
	size_t i;

	(void)state;
	test_key_new(&k, "ssh-ed25519");
	sp.hash = "sha256";
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)), 0);
	assert_blob_equal(&key, &k.blob);
	sp.hash = "sha512";
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)), 0);
	for (i = 0; i < 4; i++) {
		sp.hash = refused[i];
		if (EVP_get_digestbyname(refused[i])) {
			test_sign(&sig, &k, &sp, data, strlen(data));
			assert_int_equal(verify(&key, sig.ptr, "git", data,
						strlen(data)), DLG_EINVALID);
			assert_error_has("hash algorithm");
		}
	}
	test_key_dispose(&k);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&sig);
}

static void test_sshsig__rsa_needs_sha2_signature_type(void **state)
{
	dlg_buf key = DLG_BUF_INIT, sig = DLG_BUF_INIT;
	sig_params sp = SIG_PARAMS_INIT;
	test_key k;
	int tries;

	(void)state;
	test_key_new(&k, "ssh-rsa");
	sp.sigtype = "rsa-sha2-256";
	sp.sig_md = EVP_sha256();
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)), 0);
	assert_blob_equal(&key, &k.blob);
	sp.sigtype = "rsa-sha2-512";
	sp.sig_md = EVP_sha512();
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)), 0);

	/* Named one hash, made with another. */
	sp.sigtype = "rsa-sha2-256";
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("does not verify");

	/* SHA-1: a good signature, refused. */
	sp.sigtype = "ssh-rsa";
	sp.sig_md = EVP_sha1();
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("sha-1");

	sp.sigtype = "ssh-ed25519";
	sp.sig_md = EVP_sha256();
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("signature of type 'ssh-ed25519' made with a key of "
			 "type 'ssh-rsa'");

	/* s written without its leading zeros (RFC 4253) is s: sign until
	 * s has one. */
	sp.sigtype = "rsa-sha2-256";
	sp.rsa_strip_zeros = 1;
	for (tries = 0; tries < 5000; tries++) {
		dlg_buf blob = DLG_BUF_INIT;
		char d[64];
		fields f;
		size_t s_len;

		snprintf(d, sizeof(d), "data %d", tries);
		test_sign(&sig, &k, &sp, d, strlen(d));
		dearmor(&blob, sig.ptr);
		split(&f, &blob);
		s_len = get_u32(f.p[5] + 4 + 12);
		dlg_buf_dispose(&blob);
		if (s_len < 256) {
			assert_int_equal(verify(&key, sig.ptr, "git", d,
						strlen(d)), 0);
			break;
		}
	}
	assert_true(tries < 5000);
	test_key_dispose(&k);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&sig);
}

static void test_sshsig__ecdsa_integers_are_minimal(void **state)
{
	dlg_buf key = DLG_BUF_INIT, sig = DLG_BUF_INIT;
	sig_params sp = SIG_PARAMS_INIT;
	test_key k;

	(void)state;
	test_key_new(&k, "ecdsa-sha2-nistp256");
	test_sign(&sig, &k, &sp, data, strlen(data));
	if (verify(&key, sig.ptr, "git", data, strlen(data)))
		fail_msg("%s", dlg_error_last());
	assert_blob_equal(&key, &k.blob);
	sp.ecdsa_extra_zero = 1;
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("leading zero");
	sp.ecdsa_extra_zero = 0;
	sp.ecdsa_long_r = 1;
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("r or s longer than the nistp256 curve's order");
	sp.ecdsa_long_r = 0;
	sp.sigtype = "ecdsa-sha2-nistp384";
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("made with a key of type");
	test_key_dispose(&k);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&sig);
}

static void test_sshsig__small_rsa_and_security_keys_refused(void **state)
{
	dlg_buf key = DLG_BUF_INIT, blob = DLG_BUF_INIT, edited = DLG_BUF_INIT;
	dlg_buf sig = DLG_BUF_INIT, sk = DLG_BUF_INIT;
	char *text = sig_of("rsa1024");
	fields f;

	(void)state;
	assert_int_equal(verify(&key, text, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("1024 bits");
	free(text);

	text = sig_of("ed25519");
	dearmor(&blob, text);
	split(&f, &blob);
	put_cstring(&sk, "sk-ssh-ed25519@openssh.com");
	dlg_buf_put(&sk, f.p[1] + 15, f.len[1] - 15); /* the key bytes */
	put_cstring(&sk, "ssh:");
	rebuild(&edited, &f, 1, sk.ptr, sk.size);
	armor(&sig, edited.ptr, edited.size);
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("'sk-ssh-ed25519@openssh.com' is not supported");
	free(text);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&blob);
	dlg_buf_dispose(&edited);
	dlg_buf_dispose(&sig);
	dlg_buf_dispose(&sk);
}

/* ------------------------------------------------------------------
 * Public key lines.
 */
static void test_sshkey__parse_takes_pub_lines(void **state)
{
	dlg_buf blob = DLG_BUF_INIT, want = DLG_BUF_INIT, line = DLG_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < NKEYS; i++) {
		char pub[64], *text, *b64, *end;

		snprintf(pub, sizeof(pub), "%s.pub", keys[i].name);
		text = file(pub);
		b64 = strchr(text, ' ') + 1;
		end = strchr(b64, ' ');
		b64_decode(&want, b64, (size_t)(end - b64));
		if (dlg_sshkey_parse(&blob, text))
			fail_msg("%s: %s", keys[i].name, dlg_error_last());
		assert_blob_equal(&blob, &want);

		/* no comment, a comment of words, tabs, CRLF */
		dlg_buf_clear(&line);
		dlg_buf_put(&line, text, (size_t)(end - text));
		assert_int_equal(dlg_sshkey_parse(&blob, line.ptr), 0);
		dlg_buf_puts(&line, "\tKim Lee's laptop \r\n");
		assert_int_equal(dlg_sshkey_parse(&blob, line.ptr), 0);
		assert_blob_equal(&blob, &want);
		free(text);
	}
	dlg_buf_dispose(&blob);
	dlg_buf_dispose(&want);
	dlg_buf_dispose(&line);
}

static void parse_fails(const char *line, const char *says)
{
	dlg_buf blob = DLG_BUF_INIT;

	if (dlg_sshkey_parse(&blob, line) != DLG_EINVALID)
		fail_msg("'%s' was taken", line);
	assert_int_equal(blob.size, 0);
	assert_int_equal(ERR_peek_error(), 0);
	assert_error_has(says);
	dlg_buf_dispose(&blob);
}

/* "TYPE base64(blob)" */
static void key_line(dlg_buf *out, const char *type, const dlg_buf *blob)
{
	dlg_buf_clear(out);
	dlg_buf_printf(out, "%s ", type);
	b64_encode(out, blob->ptr, blob->size);
}

static void test_sshkey__parse_refuses_what_is_not_a_key(void **state)
{
	dlg_buf blob = DLG_BUF_INIT, line = DLG_BUF_INIT, bad = DLG_BUF_INIT;
	char *ed = file("ed25519.pub"), *p256 = file("p256.pub");
	char *small = file("rsa1024.pub");
	const char *b64 = strchr(ed, ' ') + 1;

	(void)state;
	parse_fails("", "expected one line 'TYPE BASE64 [COMMENT]'");
	parse_fails("ssh-ed25519", "expected one line");
	parse_fails("ssh-ed25519 ", "expected one line");
	dlg_buf_printf(&line, "ssh-ed25519 %.*s\nssh-ed25519 %s",
		       (int)strcspn(b64, " "), b64, b64);
	parse_fails(line.ptr, "expected one line");
	dlg_buf_clear(&line);
	dlg_buf_printf(&line, "ssh-rsa %s", b64);
	parse_fails(line.ptr, "line says 'ssh-rsa' but holds a key of type "
			      "'ssh-ed25519'");
	dlg_buf_clear(&line);
	dlg_buf_printf(&line, "ssh-dss %s", b64);
	parse_fails(line.ptr, "unsupported ssh key type 'ssh-dss' (expected "
			      "ssh-ed25519, ecdsa-sha2-nistp256");
	dlg_buf_clear(&line);
	dlg_buf_printf(&line, "sk-ssh-ed25519@openssh.com %s", b64);
	parse_fails(line.ptr, "not supported yet (security keys");
	dlg_buf_clear(&line);
	dlg_buf_printf(&line, "ssh-ed25519-cert-v01@openssh.com %s", b64);
	parse_fails(line.ptr, "certificates are not supported");
	parse_fails("ssh-ed25519 AAAA*AAA", "invalid base64");
	parse_fails("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5A", "invalid base64");
	parse_fails("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5",
		    "truncated ed25519 key");
	parse_fails(small, "rsa key of 1024 bits (expected 2048");

	/* Blobs made wrong. */
	assert_int_equal(dlg_sshkey_parse(&blob, ed), 0);
	dlg_buf_put(&bad, blob.ptr, blob.size);
	dlg_buf_put(&bad, "", 1);
	key_line(&line, "ssh-ed25519", &bad);
	parse_fails(line.ptr, "trailing data after its key");
	bad.size = blob.size - 1;
	bad.ptr[15 + 3] = 31; /* the key's length: 31 */
	key_line(&line, "ssh-ed25519", &bad);
	parse_fails(line.ptr, "ed25519 key of 31 bytes (expected 32)");

	assert_int_equal(dlg_sshkey_parse(&blob, p256), 0);
	dlg_buf_clear(&bad);
	dlg_buf_put(&bad, blob.ptr, blob.size);
	memcpy(bad.ptr + 4 + 19 + 4, "nistp384", 8);
	key_line(&line, "ecdsa-sha2-nistp256", &bad);
	parse_fails(line.ptr, "curve 'nistp384' in a key of type "
			      "'ecdsa-sha2-nistp256'");
	dlg_buf_clear(&bad);
	dlg_buf_put(&bad, blob.ptr, blob.size);
	bad.ptr[bad.size - 1] ^= 1;
	key_line(&line, "ecdsa-sha2-nistp256", &bad);
	parse_fails(line.ptr, "not on curve nistp256");
	bad.ptr[bad.size - 1] ^= 1;
	bad.ptr[bad.size - 65] = 0x02;
	key_line(&line, "ecdsa-sha2-nistp256", &bad);
	parse_fails(line.ptr, "not an uncompressed nistp256 point");

	free(ed);
	free(p256);
	free(small);
	dlg_buf_dispose(&blob);
	dlg_buf_dispose(&line);
	dlg_buf_dispose(&bad);
}

static void test_sshkey__rsa_integers_are_minimal(void **state)
{
	dlg_buf blob = DLG_BUF_INIT, line = DLG_BUF_INIT, bad = DLG_BUF_INIT;
	char *rsa = file("rsa.pub");
	uint32_t e_len;

	(void)state;
	assert_int_equal(dlg_sshkey_parse(&blob, rsa), 0);
	/* "ssh-rsa", then e: 00 00 00 03 01 00 01 */
	e_len = get_u32(blob.ptr + 11);
	assert_int_equal(e_len, 3);
	put_cstring(&bad, "ssh-rsa");
	put_string(&bad, "\0\1\0\1", 4);
	dlg_buf_put(&bad, blob.ptr + 11 + 4 + 3, blob.size - 11 - 4 - 3);
	key_line(&line, "ssh-rsa", &bad);
	parse_fails(line.ptr, "rsa exponent has a needless leading zero");
	dlg_buf_clear(&bad);
	put_cstring(&bad, "ssh-rsa");
	put_string(&bad, "\x81\0\1", 3);
	dlg_buf_put(&bad, blob.ptr + 11 + 4 + 3, blob.size - 11 - 4 - 3);
	key_line(&line, "ssh-rsa", &bad);
	parse_fails(line.ptr, "rsa exponent is negative");
	free(rsa);
	dlg_buf_dispose(&blob);
	dlg_buf_dispose(&line);
	dlg_buf_dispose(&bad);
}

/* An ssh-rsa key line of exponent e and modulus n (raw mpint bodies),
 * with extra bytes after them. */
static void rsa_line(dlg_buf *line, const void *e, size_t e_len,
		     const void *n, size_t n_len, const char *extra)
{
	dlg_buf blob = DLG_BUF_INIT;

	put_cstring(&blob, "ssh-rsa");
	put_string(&blob, e, e_len);
	put_string(&blob, n, n_len);
	dlg_buf_puts(&blob, extra);
	key_line(line, "ssh-rsa", &blob);
	dlg_buf_dispose(&blob);
}

/* Each field of an rsa key malformed in each way a key a member pastes
 * into team/ could be: refused, with the reason, and nothing left in
 * OpenSSL's error queue. */
/* Add d (-2 or 2) to a big-endian number whose first byte is 0 (an RSA
 * modulus as SSH writes it), carrying or borrowing through its bytes: a
 * modulus whose last byte is 0x01 or 0xff (one key in 128, each made
 * anew by ssh-keygen) made the old one-byte sum wrap. */
static void add_to_last_bytes(dlg_buf *b, int d)
{
	size_t i = b->size;
	int carry = d;

	while (carry && i-- > 1) {
		int v = (unsigned char)b->ptr[i] + carry;

		b->ptr[i] = (char)(v & 0xff);
		carry = v < 0 ? -1 : v > 0xff ? 1 : 0;
	}
}

static void test_sshkey__rsa_fields_malformed_each_way(void **state)
{
	dlg_buf blob = DLG_BUF_INIT, line = DLG_BUF_INIT, n = DLG_BUF_INIT;
	dlg_buf big = DLG_BUF_INIT;
	char *rsa = file("rsa.pub");
	const char *p;
	uint32_t e_len, n_len;

	(void)state;
	assert_int_equal(dlg_sshkey_parse(&blob, rsa), 0);
	p = blob.ptr + 11;
	e_len = get_u32(p);
	p += 4 + e_len;
	n_len = get_u32(p);
	dlg_buf_put(&n, p + 4, n_len); /* 00, then the modulus */
	assert_true((unsigned char)n.ptr[0] == 0 &&
		    ((unsigned char)n.ptr[1] & 0x80));
	/* the key as it is, rebuilt, is taken */
	rsa_line(&line, "\1\0\1", 3, n.ptr, n.size, "");
	assert_int_equal(dlg_sshkey_parse(&blob, line.ptr), 0);
	rsa_line(&line, "", 0, n.ptr, n.size, "");
	parse_fails(line.ptr, "rsa exponent is zero");
	rsa_line(&line, "\1\0\1", 3, "", 0, "");
	parse_fails(line.ptr, "rsa modulus is zero");
	rsa_line(&line, "\1\0\1", 3, n.ptr + 1, n.size - 1, "");
	parse_fails(line.ptr, "rsa modulus is negative");
	dlg_buf_put(&big, "\0", 1);
	dlg_buf_put(&big, n.ptr, n.size);
	rsa_line(&line, "\1\0\1", 3, big.ptr, big.size, "");
	parse_fails(line.ptr, "rsa modulus has a needless leading zero");
	rsa_line(&line, "\1\0\1", 3, n.ptr, n.size, "x");
	parse_fails(line.ptr, "trailing data");
	/* an exponent that is even, under 3, as long as the modulus and
	 * not smaller, or longer; a modulus that is even */
	rsa_line(&line, "\1\0\2", 3, n.ptr, n.size, "");
	parse_fails(line.ptr, "modulus and exponent must be odd");
	rsa_line(&line, "\1", 1, n.ptr, n.size, "");
	parse_fails(line.ptr, "3 <= exponent < modulus");
	rsa_line(&line, "\3", 1, n.ptr, n.size, "");
	assert_int_equal(dlg_sshkey_parse(&blob, line.ptr), 0);
	rsa_line(&line, n.ptr, n.size, n.ptr, n.size, "");
	parse_fails(line.ptr, "3 <= exponent < modulus");
	dlg_buf_clear(&big);
	dlg_buf_put(&big, n.ptr, n.size);
	add_to_last_bytes(&big, 2); /* the modulus + 2 */
	rsa_line(&line, big.ptr, big.size, n.ptr, n.size, "");
	parse_fails(line.ptr, "3 <= exponent < modulus");
	dlg_buf_clear(&big);
	dlg_buf_put(&big, n.ptr, n.size);
	add_to_last_bytes(&big, -2); /* the modulus - 2 */
	rsa_line(&line, big.ptr, big.size, n.ptr, n.size, "");
	assert_int_equal(dlg_sshkey_parse(&blob, line.ptr), 0);
	dlg_buf_clear(&big);
	dlg_buf_put(&big, "\1", 1);
	dlg_buf_put(&big, n.ptr + 1, n.size - 1);
	rsa_line(&line, big.ptr, big.size, n.ptr, n.size, "");
	parse_fails(line.ptr, "3 <= exponent < modulus");
	dlg_buf_clear(&big);
	dlg_buf_put(&big, n.ptr, n.size);
	big.ptr[big.size - 1] &= (char)0xfe;
	rsa_line(&line, "\1\0\1", 3, big.ptr, big.size, "");
	parse_fails(line.ptr, "modulus and exponent must be odd");
	/* 2047 bits: one too few (the top bit cleared, the next set) */
	dlg_buf_clear(&big);
	dlg_buf_put(&big, "\0", 1);
	dlg_buf_put(&big, n.ptr + 1, 256);
	big.ptr[1] = (char)0x80;
	big.ptr[256] |= 1;
	rsa_line(&line, "\1\0\1", 3, big.ptr, big.size, "");
	assert_int_equal(dlg_sshkey_parse(&blob, line.ptr), 0);
	big.ptr[1] = 0x40;
	rsa_line(&line, "\1\0\1", 3, big.ptr + 1, big.size - 1, "");
	parse_fails(line.ptr, "rsa key of 2047 bits");
	free(rsa);
	dlg_buf_dispose(&blob);
	dlg_buf_dispose(&line);
	dlg_buf_dispose(&n);
	dlg_buf_dispose(&big);
}

/* An ecdsa signature's (r, s) malformed each way (PROTOCOL.sshsig: the
 * signature is string(mpint r, mpint s)): refused with the reason. */
static void test_sshkey__base64_is_strict(void **state)
{
	static const char *const bad[] = {
		"ssh-ed25519 AAA{", "ssh-ed25519 AA~A", "ssh-ed25519 AA:A",
		"ssh-ed25519 A=AA", "ssh-ed25519 AA=A", "ssh-ed25519 =AAA",
		"ssh-ed25519 AAAA====", "ssh-ed25519 AAB=", "ssh-ed25519 AB==",
		"ssh-ed25519 AAA",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_fails(bad[i], "invalid base64");
	/* a type too short to be a security key's is just unknown */
	parse_fails("ab AAAA", "unsupported ssh key type 'ab'");
}

/* A signature k makes as sp says, of data: refused, saying says. */
static void signed_refused(test_key *k, const sig_params *sp,
			   const char *says)
{
	dlg_buf key = DLG_BUF_INIT, sig = DLG_BUF_INIT;

	test_sign(&sig, k, sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has(says);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&sig);
}

static void test_sshsig__signature_lengths_and_namespace(void **state)
{
	dlg_buf key = DLG_BUF_INIT, sig = DLG_BUF_INIT;
	sig_params sp = SIG_PARAMS_INIT;
	test_key k;

	(void)state;
	test_key_new(&k, "ssh-ed25519");
	sp.sig_cut = 1;
	signed_refused(&k, &sp, "ed25519 signature of 63 bytes (expected 64)");
	sp.sig_cut = 0;
	test_sign(&sig, &k, &sp, data, strlen(data));
	assert_int_equal(verify(&key, sig.ptr, "git", data, strlen(data)), 0);
	assert_int_equal(verify(&key, sig.ptr, "", data, strlen(data)),
			 DLG_EINVALID);
	assert_error_has("namespace cannot be empty");
	dlg_error_clear();
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, "~/ed25519", "", data,
					 strlen(data)), DLG_EINVALID);
	assert_error_has("namespace cannot be empty");
	test_key_dispose(&k);

	test_key_new(&k, "ssh-rsa");
	sp.sig_cut = 4096;
	signed_refused(&k, &sp, "rsa signature of 0 bytes from a key of 256");
	/* two bytes short: padded with two zeros, as OpenSSH's s without
	 * its leading zeros would be (here the wrong ones: it does not
	 * verify) */
	sp.sig_cut = 2;
	signed_refused(&k, &sp, "does not verify");
	test_key_dispose(&k);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&sig);
}

static void test_sshsig__ecdsa_signature_malformed_each_way(void **state)
{
	static const struct {
		const char *rs;
		size_t len;
		const char *says;
	} bad[] = {
		{ "", 0, "truncated r" },
		{ "\0\0\0\0", 4, "r is zero" },
		{ "\0\0\0\1\x80", 5, "r is negative" },
		{ "\0\0\0\1\1", 5, "truncated s" },
		{ "\0\0\0\1\1\0\0\0\0", 9, "s is zero" },
		{ "\0\0\0\1\1\0\0\0\2\0\1", 11,
		  "s has a needless leading zero" },
		{ "\0\0\0\1\1\0\0\0\1\1x", 11,
		  "trailing data after its s" },
		{ "\0\0\0\1\1\0\0\0\1\1", 10, "does not verify" },
	};
	dlg_buf key = DLG_BUF_INIT, sig = DLG_BUF_INIT;
	sig_params sp = SIG_PARAMS_INIT;
	test_key k;
	size_t i;

	(void)state;
	test_key_new(&k, "ecdsa-sha2-nistp256");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sp.ecdsa_rs = bad[i].rs;
		sp.ecdsa_rs_len = bad[i].len;
		test_sign(&sig, &k, &sp, data, strlen(data));
		if (verify(&key, sig.ptr, "git", data, strlen(data)) >= 0)
			fail_msg("case %zu verified", i);
		assert_error_has(bad[i].says);
		assert_int_equal(ERR_peek_error(), 0);
	}
	test_key_dispose(&k);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&sig);
}

/* ------------------------------------------------------------------
 * Signing through ssh-keygen.
 */

/* TMPDIR for the signing: a folder that must be empty afterwards. */
static void sign_tmp_begin(void)
{
	char tmp[4200];

	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	assert_true(mkdir(tmp, 0700) == 0 || errno == EEXIST);
	setenv("TMPDIR", tmp, 1);
}

static void assert_sign_tmp_empty(void)
{
	char *left = output("ls -A tmp");

	if (*left)
		fail_msg("temporary files left: %s", left);
	free(left);
}

/* The signature verifies here and with ssh-keygen, by key name. */
static void assert_signed_by(const dlg_buf *sig, const char *name)
{
	dlg_buf key = DLG_BUF_INIT, pub = DLG_BUF_INIT;

	assert_int_equal(verify(&key, sig->ptr, "git", data, strlen(data)), 0);
	pub_blob(&pub, name);
	assert_blob_equal(&key, &pub);
	assert_int_equal(run("printf 'kim@test %%s\\n' \"$(cat %s.pub)\" > "
			     "allowed", name), 0);
	spit(dir, "signed.sig", sig->ptr);
	assert_int_equal(run("ssh-keygen -q -Y verify -f allowed -I kim@test "
			     "-n git -s signed.sig < data >/dev/null"), 0);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&pub);
}

static void test_sshsig__sign_with_key_files(void **state)
{
	dlg_buf sig = DLG_BUF_INIT;
	char path[4200];
	char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;
	const char *names[] = { "ed25519", "p256", "rsa" };
	size_t i;

	(void)state;
	sign_tmp_begin();
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (dlg_sshsig_sign(&sig, NULL, path, "git", data,
				    strlen(data)))
			fail_msg("%s: %s", names[i], dlg_error_last());
		assert_signed_by(&sig, names[i]);
		assert_sign_tmp_empty();
	}
	/* "~/" is $HOME, and the program can be named. */
	setenv("HOME", dir, 1);
	assert_int_equal(dlg_sshsig_sign(&sig, "ssh-keygen", "~/ed25519", "git",
					 data, strlen(data)), 0);
	assert_signed_by(&sig, "ed25519");
	unsetenv("HOME");
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, "~/ed25519", "git", data,
					 strlen(data)), DLG_EINVALID);
	assert_error_has("HOME is not set");
	if (home)
		setenv("HOME", home, 1);
	free(home);
	assert_sign_tmp_empty();
	unsetenv("TMPDIR");
	dlg_buf_dispose(&sig);
}

static void test_sshsig__sign_failure_says_what_ssh_keygen_said(void **state)
{
	dlg_buf sig = DLG_BUF_INIT;
	char path[4200];

	(void)state;
	sign_tmp_begin();
	snprintf(path, sizeof(path), "%s/no-such-key", dir);
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, path, "git", data,
					 strlen(data)), -1);
	assert_error_has("'ssh-keygen -Y sign' failed: ");
	assert_error_has("no-such-key: No such file or directory");
	assert_null(strstr(dlg_error_last(), "Signing file"));
	assert_int_equal(sig.size, 0);
	assert_sign_tmp_empty();

	assert_int_equal(dlg_sshsig_sign(&sig, "/nonexistent/ssh-keygen", path,
					 "git", data, strlen(data)), -1);
	assert_error_has("cannot run '/nonexistent/ssh-keygen'");
	assert_sign_tmp_empty();

	assert_int_equal(dlg_sshsig_sign(&sig, "true", path, "git", data,
					 strlen(data)), -1);
	assert_error_has("wrote no signature");
	assert_sign_tmp_empty();

	assert_int_equal(dlg_sshsig_sign(&sig, NULL, "", "git", data,
					 strlen(data)), DLG_EINVALID);
	assert_error_has("user.signingkey");
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, path, "", data,
					 strlen(data)), DLG_EINVALID);
	unsetenv("TMPDIR");
	dlg_buf_dispose(&sig);
}

/* A program in ssh-keygen's place (gpg.ssh.program) failing each way:
 * each told as what it is, nothing signed, no temporary file left. */
static void test_sshsig__sign_program_failing_each_way(void **state)
{
	static const struct {
		const char *script, *says;
	} bad[] = {
		{ "echo 'usage: ssh-keygen [-q]' >&2; exit 1",
		  "is needed for ssh signing (OpenSSH 8.2p1 or later): usage:" },
		{ "echo 'about to die' >&2; kill -9 $$",
		  "was killed by signal 9: about to die" },
		{ "exit 2", "failed: no message" },
		{ "for a; do last=$a; done; printf 'junk\\n' > \"$last.sig\"",
		  "wrote no ssh signature" },
	};
	dlg_buf sig = DLG_BUF_INIT;
	char path[4200], prog[4200];
	size_t i;

	(void)state;
	sign_tmp_begin();
	snprintf(path, sizeof(path), "%s/ed25519", dir);
	snprintf(prog, sizeof(prog), "%s/stand-in", dir);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text), "#!/bin/sh\n%s\n", bad[i].script);
		spit(dir, "stand-in", text);
		assert_int_equal(run("chmod +x stand-in"), 0);
		assert_int_equal(dlg_sshsig_sign(&sig, prog, path, "git", data,
						 strlen(data)), -1);
		assert_error_has(bad[i].says);
		assert_int_equal(sig.size, 0);
		assert_sign_tmp_empty();
	}
	/* an empty program is ssh-keygen, as git takes it */
	assert_int_equal(dlg_sshsig_sign(&sig, "", path, "git", data,
					 strlen(data)), 0);
	assert_signed_by(&sig, "ed25519");
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, NULL, "git", data,
					 strlen(data)), DLG_EINVALID);
	assert_error_has("user.signingkey");
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, path, NULL, data,
					 strlen(data)), DLG_EINVALID);
	assert_sign_tmp_empty();
	unsetenv("TMPDIR");
	dlg_buf_dispose(&sig);
}

/* A program in ssh-keygen's place that writes down how it was run. */
static void test_sshsig__sign_runs_the_program_as_git_does(void **state)
{
	dlg_buf sig = DLG_BUF_INIT, literal = DLG_BUF_INIT;
	char prog[4200];
	char *pub = file("ed25519.pub"), *want = sig_of("ed25519"), *got;

	(void)state;
	sign_tmp_begin();
	snprintf(prog, sizeof(prog), "%s/fake-keygen", dir);
	assert_int_equal(run("cat > fake-keygen <<'EOF'\n"
			     "#!/bin/sh\n"
			     "cd \"$(dirname \"$0\")\"\n"
			     "printf '%%s\\n' \"$@\" > args\n"
			     "while [ $# -gt 1 ]; do\n"
			     "	[ \"$1\" = -f ] &&\n"
			     "		cat \"$2\" > keyfile 2>/dev/null\n"
			     "	shift\n"
			     "done\n"
			     "cat \"$1\" > datafile\n"
			     "if [ -n \"$FAKE_FAIL\" ]; then\n"
			     "	echo \"Signing file $1\" >&2\n"
			     "	m=\"Couldn't sign: agent refused\"\n"
			     "	echo \"$m operation\" >&2\n"
			     "	exit 255\n"
			     "fi\n"
			     "cp data-ed25519.sig \"$1.sig\"\n"
			     "EOF\n"
			     "chmod +x fake-keygen"), 0);

	pub[strcspn(pub, "\n")] = '\0';
	dlg_buf_printf(&literal, "key::%s", pub);
	assert_int_equal(dlg_sshsig_sign(&sig, prog, literal.ptr, "git", data,
					 strlen(data)), 0);
	assert_string_equal(sig.ptr, want);
	got = output("sed -e 's|/tmp/delegit-test-[^/]*/tmp/delegit-sshsig-"
		     "[^/]*/|TMP/|' args | tr '\\n' ' '");
	assert_string_equal(got, "-Y sign -n git -f TMP/key.pub -U TMP/data ");
	free(got);
	got = file("keyfile");
	assert_int_equal(strlen(got), strlen(pub) + 1);
	assert_memory_equal(got, pub, strlen(pub));
	free(got);
	got = file("datafile");
	assert_string_equal(got, data);
	free(got);
	assert_sign_tmp_empty();

	/* A path: as it is, after "~/"; no -U; the namespace asked. */
	setenv("HOME", "/home/kim", 1);
	assert_int_equal(dlg_sshsig_sign(&sig, prog, "~/.ssh/id_ed25519.pub",
					 "file", data, strlen(data)), 0);
	got = output("sed -e 's|/tmp/delegit-test-[^/]*/tmp/delegit-sshsig-"
		     "[^/]*/|TMP/|' args | tr '\\n' ' '");
	assert_string_equal(got, "-Y sign -n file -f "
				 "/home/kim/.ssh/id_ed25519.pub TMP/data ");
	free(got);

	/* What it says on failure, without the "Signing file" line. */
	setenv("FAKE_FAIL", "1", 1);
	assert_int_equal(dlg_sshsig_sign(&sig, prog, "/x/key", "git", data,
					 strlen(data)), -1);
	unsetenv("FAKE_FAIL");
	assert_error_has(" -Y sign' failed: Couldn't sign: agent refused "
			 "operation");
	assert_null(strstr(dlg_error_last(), "Signing file"));
	assert_int_equal(sig.size, 0);
	assert_sign_tmp_empty();

	unsetenv("TMPDIR");
	free(pub);
	free(want);
	dlg_buf_dispose(&sig);
	dlg_buf_dispose(&literal);
}

/* An ssh-agent of our own, holding the ed25519 key. */
static pid_t agent_pid;

static int agent_setup(void **state)
{
	char sock[4200];
	int i, devnull;

	(void)state;
	snprintf(sock, sizeof(sock), "%s/agent.sock", dir);
	unlink(sock);
	if ((agent_pid = fork()) < 0)
		return -1;
	if (agent_pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		dup2(devnull, 1);
		execlp("ssh-agent", "ssh-agent", "-D", "-a", sock,
		       (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && access(sock, F_OK); i++)
		usleep(10000);
	setenv("SSH_AUTH_SOCK", sock, 1);
	if (access(sock, F_OK) || run("ssh-add -q ed25519 2>/dev/null"))
		return -1;
	/* Only the agent holds the private half from here on. */
	return run("mv ed25519 ed25519.away");
}

static int agent_teardown(void **state)
{
	(void)state;
	run("mv ed25519.away ed25519");
	unsetenv("SSH_AUTH_SOCK");
	unsetenv("TMPDIR");
	if (agent_pid > 0) {
		kill(agent_pid, SIGTERM);
		waitpid(agent_pid, NULL, 0);
		agent_pid = 0;
	}
	return 0;
}

static void test_sshsig__sign_through_ssh_agent(void **state)
{
	dlg_buf sig = DLG_BUF_INIT, literal = DLG_BUF_INIT;
	char *pub = file("ed25519.pub");
	char path[4200];

	(void)state;
	sign_tmp_begin();
	pub[strcspn(pub, "\n")] = '\0';
	dlg_buf_printf(&literal, "key::%s", pub);
	if (dlg_sshsig_sign(&sig, NULL, literal.ptr, "git", data,
			    strlen(data)))
		fail_msg("%s", dlg_error_last());
	assert_signed_by(&sig, "ed25519");
	assert_sign_tmp_empty();

	/* "ssh-..." is a literal key too, as in git. */
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, pub, "git", data,
					 strlen(data)), 0);
	assert_signed_by(&sig, "ed25519");
	assert_sign_tmp_empty();

	/* A .pub file whose private half is in the agent. */
	snprintf(path, sizeof(path), "%s/ed25519.pub", dir);
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, path, "git", data,
					 strlen(data)), 0);
	assert_signed_by(&sig, "ed25519");

	/* A key the agent does not hold: -U makes ssh-keygen refuse. */
	free(pub);
	pub = file("other.pub");
	pub[strcspn(pub, "\n")] = '\0';
	dlg_buf_clear(&literal);
	dlg_buf_printf(&literal, "key::%s", pub);
	assert_int_equal(dlg_sshsig_sign(&sig, NULL, literal.ptr, "git", data,
					 strlen(data)), -1);
	assert_error_has("'ssh-keygen -Y sign' failed: ");
	assert_sign_tmp_empty();
	free(pub);
	dlg_buf_dispose(&sig);
	dlg_buf_dispose(&literal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sshsig__each_key_type_verifies_and_names_its_key),
		cmocka_unit_test(test_sshkey__fingerprint_is_ssh_keygen_s),
		cmocka_unit_test(test_sshsig__changed_data_fails),
		cmocka_unit_test(test_sshsig__other_namespace_fails),
		cmocka_unit_test(test_sshsig__other_key_s_signature_names_that_key),
		cmocka_unit_test(test_sshsig__malformed_armor_fails),
		cmocka_unit_test(test_sshsig__every_cut_and_flipped_bit_fails),
		cmocka_unit_test(test_sshsig__structure_is_checked_to_the_byte),
		cmocka_unit_test(test_sshsig__only_sha256_and_sha512),
		cmocka_unit_test(test_sshsig__rsa_needs_sha2_signature_type),
		cmocka_unit_test(test_sshsig__ecdsa_integers_are_minimal),
		cmocka_unit_test(test_sshsig__small_rsa_and_security_keys_refused),
		cmocka_unit_test(test_sshkey__parse_takes_pub_lines),
		cmocka_unit_test(test_sshkey__parse_refuses_what_is_not_a_key),
		cmocka_unit_test(test_sshkey__rsa_integers_are_minimal),
		cmocka_unit_test(test_sshkey__rsa_fields_malformed_each_way),
		cmocka_unit_test(test_sshkey__base64_is_strict),
		cmocka_unit_test(test_sshsig__signature_lengths_and_namespace),
		cmocka_unit_test(test_sshsig__ecdsa_signature_malformed_each_way),
		cmocka_unit_test(test_sshsig__sign_with_key_files),
		cmocka_unit_test(test_sshsig__sign_failure_says_what_ssh_keygen_said),
		cmocka_unit_test(test_sshsig__sign_program_failing_each_way),
		cmocka_unit_test(test_sshsig__sign_runs_the_program_as_git_does),
		cmocka_unit_test_setup_teardown(test_sshsig__sign_through_ssh_agent,
						agent_setup, agent_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
