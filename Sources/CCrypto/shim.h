#ifndef NOTIFIER_CCRYPTO_SHIM_H
#define NOTIFIER_CCRYPTO_SHIM_H
/* OpenSSL's libcrypto, only for what needs a keyed hash: HMAC-SHA-256 of one-time passwords, and the
   constant-time comparison of two digests. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif
