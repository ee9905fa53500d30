/*
 * dmfa_check.h - the quarter's reconciliation before its DmfA is filed
 * (`gateway dmfa check`, and `gateway dmfa queue` before it queues).
 *
 * The ONSS cross-checks every DmfA occupation with the Dimona periods of
 * the same employer and worker after the quarter, and sends anomalies; the
 * gateway makes the same cross-check first, from what it holds:
 *   - a DmfA occupation (a prepared row: its part of the quarter) that no
 *     accepted Dimona period of the same employer and INSS covers, day for
 *     day (blocking);
 *   - an accepted Dimona period touching the quarter, of a worker type that
 *     has a DmfA, that no occupation of the same employer and INSS overlaps
 *     (blocking);
 *   - a "3in1" contract (one naming its invoice_id, shared/spec records.md)
 *     whose invoice was never taken in (reported, not blocking: the ONSS
 *     never sees invoices).
 * A blocking mismatch of a worker the operator accepted (by INSS, for this
 * run only) is reported as accepted and does not block.
 *
 * Pure: reads rows, queue messages and stored contract revisions given to
 * it; never opens the queue, never writes. A Dimona period is the payload
 * of the newest accepted Dimona message of its record (IN, UPDATE, OUT; an
 * accepted CANCEL ends it).
 */
#ifndef GW_SERVICE_DMFA_CHECK_H
#define GW_SERVICE_DMFA_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "onss/dmfa/rows.h"
#include "queue/queue.h"

enum dmfa_mismatch_kind {
	DMFA_MM_NO_DIMONA,        /* occupation without an accepted Dimona period */
	DMFA_MM_NO_DMFA,          /* accepted Dimona period without its occupation */
	DMFA_MM_NO_INVOICE        /* 3in1 contract whose invoice is not taken in */
};

struct dmfa_mismatch {
	enum dmfa_mismatch_kind kind;
	uint32_t noss;
	uint64_t inss;
	char contract_id[CONTRACT_ID_MAX + 1];   /* the occupation's, or the Dimona's record */
	char ref[QUEUE_ID_MAX + 1];              /* the invoice id, or the Dimona message id */
	gw_ymd start, end;                       /* the part in the quarter */
	int blocking;                            /* the ONSS would send an anomaly */
	int accepted;                            /* blocking, but the operator accepted the worker */
};

typedef void (*dmfa_check_fn)(void *arg, const struct dmfa_mismatch *m);

struct dmfa_check_opts {
	int quarter;
	uint32_t noss;                           /* 0: every employer */
	const uint64_t *accept;                  /* INSS the operator accepts a mismatch for */
	size_t naccept;
	dmfa_check_fn found;                     /* each mismatch, employer and INSS order */
	void *found_arg;
};

struct dmfa_check_result {
	size_t occupations, periods, contracts_3in1;   /* what was compared */
	size_t no_dimona, no_dmfa, no_invoice;         /* what did not match */
	size_t accepted;                               /* blocking ones the operator accepted */
	size_t blocking;                               /* blocking ones left: nothing may be filed */
};

/* Reconcile the quarter: rows as dmfa_rows_prepare left them, every queue
 * message (payloads loaded), and the payloads of every stored contract
 * revision (for their invoice_id). */
gw_rc dmfa_check_rows(const struct dmfa_rows *rows, const struct queue_msg *msgs, size_t nmsgs,
                      const char *const *revisions, size_t nrev, const struct dmfa_check_opts *o,
                      struct dmfa_check_result *r);

/* One line for m: "051234526 85010112345 C-1: occupation 2026-03-02..2026-03-02
 * has no accepted Dimona period (blocking)". */
void dmfa_check_line(const struct dmfa_mismatch *m, char *buf, size_t cap);

/* Parse an INSS given to --accept-mismatch (11 digits, check digits). */
gw_rc dmfa_check_parse_inss(const char *s, uint64_t *out);

#endif
