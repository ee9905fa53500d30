/*
 * smp_lookup.h - discovery of a receiving access point: the U-NAPTR
 * record of the participant in the SML zone (c-ares, [smp] resolver),
 * then its SMP's signed answer for the document type over HTTPS, verified
 * and its AS4 endpoint chosen (peppol/smp). Answers are cached for their
 * DNS TTL. Every look-up is bounded ([smp] dns_timeout_ms and
 * http_timeout_ms): a slow SMP costs one message one timeout, then that
 * message is retried later and the runner goes on with the next one.
 * Safe to call from several threads at once (the AS4 sender threads):
 * only the cache is shared, and no lock is held over a look-up.
 */
#ifndef GW_SERVICE_SMP_LOOKUP_H
#define GW_SERVICE_SMP_LOOKUP_H

#include <stddef.h>
#include <openssl/x509.h>
#include "core/err.h"

/* What a caller reads as the final reason (docs and tests match it). */
#define SMP_NOT_DELIVERABLE "not deliverable over Peppol"

struct smp_lookup;

struct smp_lookup_counts {
	unsigned long dns, http, cache_hits, not_found, temporary;
};

/* From the configuration ([smp]); GW_ECONFIG with err naming the key. */
gw_rc smp_lookup_open(struct smp_lookup **out, char *err, size_t errcap);
void smp_lookup_close(struct smp_lookup *l);
const struct smp_lookup_counts *smp_lookup_counts(const struct smp_lookup *l);

/* The AS4 endpoint of participant ("0208:0123456789") for doctype and
 * process (SBDH forms): GW_OK with url and *cert (a reference the caller
 * frees); GW_ENOTFOUND when the participant is not on Peppol for it (no
 * NAPTR record, SMP 404, no active AS4 endpoint: final, why starts with
 * SMP_NOT_DELIVERABLE); GW_ETEMP when it cannot tell now (DNS server
 * unreachable or timing out, SMP 5xx or unreachable, an answer that does
 * not verify). */
gw_rc smp_lookup_endpoint(struct smp_lookup *l, const char *participant, const char *doctype,
                          const char *process, char *url, size_t urlcap, X509 **cert,
                          char *why, size_t whycap);

#endif
