/*
 * invoice_intake.h - invoice records into the durable queue (docs/invoices.md).
 *
 * For each valid invoice record the UBL document is built by the Peppol
 * builder, checked by the native validator (UBL 2.1 schema, EN 16931 and
 * Peppol BIS rules) and stored as the body of a message on the peppol-as4
 * channel, left `ready` for the AS4 transport (a later issue), or `failed`
 * at once when the buyer has no Peppol id. The records table (key
 * "inv:<invoice_id>") decides new / replay / conflict / new revision; a new
 * revision produces a document cancelling the previous one in full plus a
 * new document, never a second document with the same id. A document with
 * a validation error is refused at intake and nothing of its record is
 * queued. Nothing is reported as taken in before its commit returned.
 */
#ifndef GW_SERVICE_INVOICE_INTAKE_H
#define GW_SERVICE_INVOICE_INTAKE_H

#include <stdio.h>
#include "peppol/ubl/builder.h"
#include "queue/queue.h"
#include "records/invoice.h"

#define INVOICE_REASON_NO_PEPPOL "buyer has no Peppol id: deliver by other means"

struct invoice_intake_opts {
	const char *channel;            /* [peppol] channel, "peppol-as4" */
	struct ubl_build_opts build;    /* as `gateway invoice export` ([peppol_ubl] payment_id) */
};

struct invoice_intake_stats {
	unsigned long read, rejected, taken, revised, messages, ready, failed, replayed, unchanged;
	unsigned long no_change;        /* a higher revision identical but for its number */
};

/* Defaults from the configuration; GW_ECONFIG (errbuf says why) when a key is bad. */
gw_rc invoice_intake_opts_default(struct invoice_intake_opts *o, char *errbuf, size_t errcap);

/* Records-table key of an invoice id: "inv:<id>" (contract ids cannot hold
 * ':', so the two kinds never collide); an id longer than 36 characters
 * becomes "inv:<first 23>~<12 hex of its SHA-256>" to fit QUEUE_ID_MAX. */
void invoice_record_key(char out[QUEUE_ID_MAX + 1], const char *invoice_id);

/* Document id derived from a record id: "<id>-<tag><revision>" ("-R2" new
 * invoice of revision 2, "-CN2" credit note cancelling the previous one);
 * when that exceeds INVOICE_ID_MAX the id is cut and 8 hex of its SHA-256
 * keep it unique: "<cut id>.<hex8>-<tag><revision>". */
void invoice_derived_id(char out[INVOICE_ID_MAX + 1], const char *invoice_id, const char *tag,
                        uint32_t revision);

/* Take a whole invoice file (JSON Lines, "-" = stdin) in, one durable
 * transaction per record; rejections printed to rej, one line each.
 * GW_ETEMP: the queue refused (disk nearly full, busy); GW_ECONFIG: the
 * validator's schemas cannot be loaded; GW_EIO: the file cannot be read. */
gw_rc invoice_intake_file(struct queue *q, const char *path, const struct invoice_intake_opts *o,
                          struct invoice_intake_stats *st, FILE *rej, char *errbuf, size_t errcap);

#endif
