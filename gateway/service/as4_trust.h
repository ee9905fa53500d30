/*
 * as4_trust.h - the AS4 receiver's trust store (root, AP CA, the AP CA's
 * CRL), kept current: the CRL file is re-read when it changes, and when
 * the nextUpdate of the CRL in use has passed (a CA publishes a new one by
 * then; a stale one makes every check fail).
 */
#ifndef GW_SERVICE_AS4_TRUST_H
#define GW_SERVICE_AS4_TRUST_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>
#include "core/err.h"

struct as4_trust_keeper;

/* Load ca_file and crl_file (NULL or "": no revocation check). GW_ECONFIG
 * with err naming the file. */
gw_rc as4_trust_keeper_open(struct as4_trust_keeper **out, const char *ca_file,
                            const char *crl_file, char *err, size_t errcap);
void as4_trust_keeper_close(struct as4_trust_keeper *k);

/* The store to check a certificate with at now_s, re-read first when the
 * CRL changed or went stale; the caller X509_STORE_free()s it. A CRL that
 * does not load (half written) keeps the previous store, and is tried
 * again. Safe from several threads. */
X509_STORE *as4_trust_keeper_get(struct as4_trust_keeper *k, int64_t now_s);

/* How often the CRL was re-read (for the tests and the log). */
unsigned long as4_trust_keeper_reloads(const struct as4_trust_keeper *k);

#endif
