/*
 * match.h - what an ONSS batch answer means (protocol only: no queue; the
 * service applies it, service/batch_apply.h).
 *
 * Conventions of the onss-batch channel (every writer of batch messages
 * keeps them): remote_ref2 holds the FI name of the submission that carries
 * the message, recorded durably before anything is uploaded; remote_ref
 * gets the ticket from the ACRF; the Dimona Form's own Reference
 * (ReferenceOrigin 1) is the message's record id (dimona/xml.c shortens ids
 * over 20 characters to their head, "~" and a hash). After the NOTI,
 * remote_ref2 holds the Dimona period id the follow-ups need (the file name
 * stays in the history).
 *
 * An answer is matched by file name first (FileName of ACRF/NOTI, or the FO
 * name, which repeats the submission's sender, date, sequence and
 * environment), then by ticket (DmfAPID's type-3 reference). An answer that
 * matches nothing, or a NOTIFICATION with a form that names no queued
 * message, is kept (moved to unmatched/) and reported, never dropped.
 */
#ifndef GW_ONSS_BATCH_MATCH_H
#define GW_ONSS_BATCH_MATCH_H

#include <stddef.h>
#include "core/err.h"
#include "onss/batch/answer.h"

/* What a form says of the declarations it answers. */
enum batch_result {
	BATCH_RECEIVED,                   /* ACRF result 1: a receipt, not an outcome */
	BATCH_ACCEPTED,
	BATCH_ACCEPTED_WARNINGS,          /* accepted, with anomalies */
	BATCH_REFUSED
};

/* What an answer form means for a message. */
struct batch_outcome {
	int final;                        /* 1: result below is where the message ends */
	enum batch_result result;
	char ticket[65];                  /* from the ACRF (or the NOTI) */
	char period_id[24];               /* Dimona period id, when the NOTI has one */
	char detail[480];                 /* "ACRF-125 Signature invalide" / anomalies */
};

/* ACRF form: result 0 is final (refused, with the error ids and labels);
 * result 1 only gives the ticket. */
void batch_outcome_from_acrf(const struct onss_answer_form *f, struct batch_outcome *o);
/* NOTIFICATION form: result 0 refused; otherwise accepted, or accepted with
 * warnings when it carries anomalies. */
void batch_outcome_from_noti(const struct onss_answer_form *f, struct batch_outcome *o);

/* The FI name a GO or FO name refers to (purpose given for FO names, whose
 * second part is the answer type). */
gw_rc batch_fi_of(const char *go_or_fo, const char *purpose, char *fi, size_t cap);

/* Whether a Dimona Form reference stands for this record id. */
int batch_ref_matches(const char *ref, const char *record_id);

#endif
