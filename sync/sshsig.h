/*
 * OpenSSH keys and signatures: the format git writes for gpg.format=ssh
 * (OpenSSH's PROTOCOL.sshsig), verified in this process and made through
 * ssh-keygen, as git makes them.
 *
 * Key types: ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa of
 * 2048 bits or more (signatures rsa-sha2-256 or rsa-sha2-512, never SHA-1).
 * NEEDSWORK: security keys (sk-ssh-ed25519@openssh.com,
 * sk-ecdsa-sha2-nistp256@openssh.com) and certificates are refused as not
 * supported.
 *
 * A key is kept as its blob: the key in SSH's wire encoding, the bytes
 * base64 encodes in a .pub line. Keys are compared by comparing blobs;
 * a blob these functions return is one they parsed strictly, so one key
 * has one blob.
 */
#ifndef DLG_SSHSIG_H
#define DLG_SSHSIG_H

#include <stddef.h>

#include "../core/core.h"

/*
 * Parse an OpenSSH public key line, "TYPE BASE64 [COMMENT]" (a .pub file's
 * line, or an authorized_keys line without options), into out (replaced):
 * the key's blob. The type the line names must be the blob's own, and the
 * blob must be a valid key of that type with nothing after it. Returns 0,
 * or DLG_EINVALID saying what was wrong and what was expected.
 */
int dlg_sshkey_parse(dlg_buf *out, const char *line);

/*
 * The fingerprint of a key blob as `ssh-keygen -l` prints it,
 * "SHA256:" and the unpadded base64 of the blob's SHA-256, into out
 * (replaced). Returns 0, or -1 if the digest fails.
 */
int dlg_sshkey_fingerprint(dlg_buf *out, const void *blob, size_t len);

/*
 * Verify an armored SSH signature ("-----BEGIN SSH SIGNATURE-----", as
 * `ssh-keygen -Y sign` writes it) over data, made in namespace ns (git's
 * is "git"). Hashes sha256 and sha512 are accepted.
 *
 * On success returns 0 and out (replaced) holds the blob of the key the
 * signature names and checks against: the caller decides whether that key
 * is trusted, by comparing blobs. On failure out is empty and the return
 * is DLG_EINVALID, the message saying which check failed: malformed armor
 * or structure, version, namespace, hash, key type, signature type, or a
 * signature that does not verify.
 */
int dlg_sshsig_verify(dlg_buf *out, const char *armored, size_t armored_len,
		      const char *ns, const void *data, size_t data_len);

/*
 * Sign data as git does for gpg.format=ssh: run
 * `PROGRAM -Y sign -n NS -f KEYFILE [-U] FILE` and read the armored
 * signature it writes into out (replaced).
 *
 * program is gpg.ssh.program (NULL: "ssh-keygen"). signingkey is
 * user.signingkey: the path of a private key, or of a public key whose
 * private half ssh-agent holds ("~/" is $HOME); or a literal public key,
 * "key::TYPE BASE64" or "ssh-... BASE64", written to a temporary file and
 * signed with -U (ssh-agent only). The data and key files live in a
 * private temporary folder that is removed on every path.
 *
 * Returns 0, DLG_EINVALID for an empty signing key or namespace, or -1
 * when the program cannot run or fails; the message then holds what it
 * printed on stderr.
 */
int dlg_sshsig_sign(dlg_buf *out, const char *program, const char *signingkey,
		    const char *ns, const void *data, size_t data_len);

#endif
