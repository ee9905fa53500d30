/*
 * peppol_report.h - the monthly OpenPeppol reports (TSR and EUSR) of this
 * access point, gathered from the outbox (what was sent) and the record
 * store (what was received), written as files, and due between the 1st and
 * the 15th for the previous month.
 */
#ifndef GW_SERVICE_PEPPOL_REPORT_H
#define GW_SERVICE_PEPPOL_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "queue/queue.h"

/* What one month counted. */
struct peppol_report_counts {
	size_t sent, received;
};

/* TSR-<month>.xml and EUSR-<month>.xml in dir (created when missing), for
 * month "YYYY-MM" (UTC calendar month): sent = AS4 messages whose receipt
 * was verified in the month (queue, channel peppol-as4, accepted); received
 * = AS4 messages stored in the month (record store). Both are checked
 * against the schematron rules before they are written. err names the
 * message or field at fault. */
gw_rc peppol_report_write(struct queue *q, const char *month, const char *dir,
                          struct peppol_report_counts *counts, char *err, size_t cap);

/* Between the 1st and the 15th, and when [peppol_report] receiver is set:
 * the previous month's TSR and EUSR queued (once each: their record ids
 * are report:tsr-YYYY-MM and report:eusr-YYYY-MM) as ready peppol-as4
 * messages to that receiver; month says which. GW_ENOTFOUND when nothing
 * is due or no receiver is configured. */
gw_rc peppol_report_queue(struct queue *q, int64_t now_ms, char month[8], char *err, size_t cap);

/* The report month due at now_ms: "YYYY-MM" of the previous month when
 * now (UTC) is between the 1st and the 15th, else "" (returns 0). */
int peppol_report_due(int64_t now_ms, char month[8]);

#endif
