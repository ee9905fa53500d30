/*
 * report.h - the OpenPeppol monthly reports of an access point: the
 * Transaction Statistics Report (TSR 1.0) and the End User Statistics
 * Report (EUSR 1.1), built from a list of the month's exchanges, and
 * checked against the rules of their schematrons (TSR 1.0.5, EUSR 1.1.5)
 * natively.
 *
 * A pure builder: the caller (service/peppol_report.c) gathers what was
 * sent and received; nothing here reads a queue, a store, a file or the
 * clock. A month without traffic still gets both reports (zero totals).
 */
#ifndef GW_PEPPOL_REPORT_H
#define GW_PEPPOL_REPORT_H

#include <stddef.h>
#include "core/err.h"

#define REPORT_TP_AS4 "peppol-transport-as4-v2_0"

/* One exchange of the month, seen from this access point. */
struct report_tx {
	int incoming;                   /* 1: received (we are C3); 0: sent (we are C2) */
	char sp[64];                    /* the other access point's certificate CN (seat id) */
	char doctype[512];              /* busdox-docid-qns document type id */
	char process[256];              /* cenbii-procid-ubl process id */
	char end_user[128];             /* our end user: C1 when sent, C4 when received */
	char end_user_country[8];       /* its country */
	char sender_country[8];         /* C1's country */
	char receiver_country[8];       /* C4's country */
};

/* The TSR / EUSR of month ("YYYY-MM") for reporter (our AP certificate's
 * CN), as malloc'd XML. GW_EINPUT naming the field when month or reporter
 * is malformed, or a transaction lacks what its subtotals need. */
gw_rc report_tsr_build(const char *month, const char *reporter, const struct report_tx *tx,
                       size_t n, char **out, size_t *len, char *why, size_t whycap);
gw_rc report_eusr_build(const char *month, const char *reporter, const struct report_tx *tx,
                        size_t n, char **out, size_t *len, char *why, size_t whycap);

/* The schematron rules on a TSR / EUSR document: the number of rules that
 * failed (0: passes), each reported to finding() when not NULL; -1 when
 * xml is not well-formed. */
int report_tsr_check(const char *xml, size_t len,
                     void (*finding)(void *arg, const char *rule, const char *text), void *arg);
int report_eusr_check(const char *xml, size_t len,
                      void (*finding)(void *arg, const char *rule, const char *text), void *arg);

/* Whether s is a Peppol seat id (^P[A-Z]{2}[0-9]{6}$), as reports need. */
int report_seat_id_valid(const char *s);

/* First and last day ("YYYY-MM-DD") of month "YYYY-MM"; 0 when malformed. */
int report_month_bounds(const char *month, char first[11], char last[11]);

#endif
