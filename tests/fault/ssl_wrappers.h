/* The OpenSSL functions sync/sshsig.c calls that can fail (for want of
 * memory, inside OpenSSL), with their prototypes from OpenSSL 3's headers
 * (a wrong one does not compile) and the value each returns on failure.
 * Not EVP_PKEY_public_check, EVP_PKEY_fromdata nor EVP_DigestVerify: how
 * they fail is also how OpenSSL refuses a bad key or signature, which
 * the signer controls, so their failure is a verdict, whatever caused it
 * (docs/testing.md). */
WRAP_SSL(BIGNUM *, BN_bin2bn, (const unsigned char *s, int len, BIGNUM *ret), (s, len, ret), NULL)
WRAP_SSL(ECDSA_SIG *, ECDSA_SIG_new, (void), (), NULL)
WRAP_SSL(int, ECDSA_SIG_set0, (ECDSA_SIG *sig, BIGNUM *r, BIGNUM *s), (sig, r, s), 0)
WRAP_SSL(int, EVP_Digest, (const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type, ENGINE *impl), (data, count, md, size, type, impl), 0)
WRAP_SSL(int, EVP_DigestVerifyInit, (EVP_MD_CTX *ctx, EVP_PKEY_CTX **pctx, const EVP_MD *type, ENGINE *e, EVP_PKEY *pkey), (ctx, pctx, type, e, pkey), 0)
WRAP_SSL(EVP_MD_CTX *, EVP_MD_CTX_new, (void), (), NULL)
WRAP_SSL(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_name, (OSSL_LIB_CTX *libctx, const char *name, const char *propquery), (libctx, name, propquery), NULL)
WRAP_SSL(EVP_PKEY_CTX *, EVP_PKEY_CTX_new_from_pkey, (OSSL_LIB_CTX *libctx, EVP_PKEY *pkey, const char *propquery), (libctx, pkey, propquery), NULL)
WRAP_SSL(int, EVP_PKEY_fromdata_init, (EVP_PKEY_CTX *ctx), (ctx), 0)
WRAP_SSL(EVP_PKEY *, EVP_PKEY_new_raw_public_key, (int type, ENGINE *e, const unsigned char *key, size_t keylen), (type, e, key, keylen), NULL)
WRAP_SSL(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_new, (void), (), NULL)
WRAP_SSL(int, OSSL_PARAM_BLD_push_BN, (OSSL_PARAM_BLD *bld, const char *key, const BIGNUM *bn), (bld, key, bn), 0)
WRAP_SSL(OSSL_PARAM *, OSSL_PARAM_BLD_to_param, (OSSL_PARAM_BLD *bld), (bld), NULL)
WRAP_SSL(int, i2d_ECDSA_SIG, (const ECDSA_SIG *sig, unsigned char **pp), (sig, pp), -1)

