/*
 * worker_regime.h - whether a Dimona worker type and a DmfA worker code
 * agree, and which worker types have no DmfA at all.
 *
 * The ONSS cross-checks the two after the quarter: a student code without a
 * STU Dimona, flexi pay without a FLX Dimona, and so on, come back as
 * anomalies on the DmfA. Checking the pair when the record comes in (intake)
 * and again when the quarter is built names the record before anything is
 * declared. A pure function of two fields; knows no rates.
 */
#ifndef GW_RECORDS_WORKER_REGIME_H
#define GW_RECORDS_WORKER_REGIME_H

#include <stddef.h>

/* 0 for a worker type the DmfA does not declare: DWD (Dimona without DmfA),
 * STG (trainee, accidents-at-work scheme only), IVT, TRI and the article 17
 * types O17, S17, T17 (not subject to social security contributions). */
int worker_type_has_dmfa(const char *worker_type);

/* 0 when worker_type and the 3-digit worker_code agree; otherwise -1 with
 * the reason, naming the anomaly the ONSS would give, in buf. */
int worker_regime_check(const char *worker_type, int worker_code, char *buf, size_t cap);

#endif
