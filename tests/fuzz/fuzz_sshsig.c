/* libFuzzer: OpenSSH signatures and public keys (sync/sshsig.c). The first
 * byte chooses what the rest is:
 *   0  an armored signature over "delegit fuzz\n" in namespace "git"
 *   1  a signature blob, armored here (the fuzzer then works on the
 *      structure, not on base64)
 *   2  a public key line
 *   3  a key blob, written here as a line of the type it names
 * What verifies must name a key that parses to the same blob; what parses
 * must parse again from its own line, and have a fingerprint. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sync/sshsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char message[] = "delegit fuzz\n";

static void base64(dlg_buf *out, const void *p, size_t len)
{
	dlg_buf_reserve(out, 4 * (len / 3 + 1));
	out->size += (size_t)EVP_EncodeBlock(
		(unsigned char *)out->ptr + out->size, p, (int)len);
	out->ptr[out->size] = '\0';
}

/* "TYPE BASE64" for a blob: TYPE its own first string, if it has one. */
static void key_line(dlg_buf *out, const uint8_t *blob, size_t len)
{
	uint32_t n = len >= 4 ? (uint32_t)blob[0] << 24 |
				(uint32_t)blob[1] << 16 |
				(uint32_t)blob[2] << 8 | blob[3] : 0;
	size_t i;

	dlg_buf_clear(out);
	if (len >= 4 && n > 0 && n <= 64 && n <= len - 4) {
		for (i = 0; i < n; i++)
			if (blob[4 + i] <= ' ' || blob[4 + i] >= 0x7f)
				break;
		if (i == n)
			dlg_buf_put(out, (const char *)blob + 4, n);
	}
	if (!out->size)
		dlg_buf_puts(out, "ssh-ed25519");
	dlg_buf_puts(out, " ");
	base64(out, blob, len);
}

/* A key blob that parsed: it must parse again from its own line. */
static void check_key(const dlg_buf *blob)
{
	dlg_buf line = DLG_BUF_INIT, again = DLG_BUF_INIT, fp = DLG_BUF_INIT;

	key_line(&line, (const uint8_t *)blob->ptr, blob->size);
	if (dlg_sshkey_parse(&again, line.ptr) < 0 ||
	    again.size != blob->size ||
	    memcmp(again.ptr, blob->ptr, blob->size))
		abort();
	if (dlg_sshkey_fingerprint(&fp, blob->ptr, blob->size) < 0 ||
	    fp.size != 50 || strncmp(fp.ptr, "SHA256:", 7))
		abort();
	dlg_buf_dispose(&line);
	dlg_buf_dispose(&again);
	dlg_buf_dispose(&fp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dlg_buf in = DLG_BUF_INIT, b64 = DLG_BUF_INIT, out = DLG_BUF_INIT;
	size_t i, n;
	int error;

	if (!size)
		return 0;
	switch (data[0] % 4) {
	case 0:
		dlg_buf_put(&in, (const char *)data + 1, size - 1);
		break;
	case 1:
		base64(&b64, data + 1, size - 1);
		dlg_buf_puts(&in, "-----BEGIN SSH SIGNATURE-----\n");
		for (i = 0; i < b64.size; i += n) {
			n = b64.size - i < 70 ? b64.size - i : 70;
			dlg_buf_put(&in, b64.ptr + i, n);
			dlg_buf_puts(&in, "\n");
		}
		dlg_buf_puts(&in, "-----END SSH SIGNATURE-----\n");
		break;
	case 2:
		if (memchr(data + 1, '\0', size - 1))
			goto done;
		dlg_buf_put(&in, (const char *)data + 1, size - 1);
		break;
	case 3:
		key_line(&in, data + 1, size - 1);
		break;
	}
	if (data[0] % 4 < 2) {
		error = dlg_sshsig_verify(&out, in.ptr, in.size, "git", message,
					  sizeof(message) - 1);
		if (error < 0 && out.size)
			abort();
	} else {
		error = dlg_sshkey_parse(&out, in.ptr);
	}
	if (!error)
		check_key(&out);
done:
	dlg_buf_dispose(&in);
	dlg_buf_dispose(&b64);
	dlg_buf_dispose(&out);
	return 0;
}
