/*
 * keyfile.h - the permission check every private key file passes.
 *
 * The organisation's signing key (crypto/signer) and the SFTP client key
 * of the ONSS batch channel (read by libssh2 itself) are refused alike
 * when group or others have any access to the file: a key another local
 * user can read is no longer the organisation's alone.
 */
#ifndef GW_CRYPTO_KEYFILE_H
#define GW_CRYPTO_KEYFILE_H

#include <stddef.h>
#include "core/err.h"

/* GW_OK when path is a regular file with no group or other permission
 * bits; GW_ECONFIG otherwise, errbuf naming the file, what is wrong and
 * the fix ("chmod 600"). what names the key's use ("SFTP private key"). */
gw_rc keyfile_check(const char *path, const char *what, char *errbuf, size_t errcap);

#endif
