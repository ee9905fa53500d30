/*
 * match.c - what an ONSS batch answer means, as protocol (match.h): the
 * outcome an ACRF or NOTIFICATION form gives, the submission a GO or FO
 * name refers to, whether a form's reference names a record.
 *
 * Pure: touches no queue and no file; service/batch_apply.c finds the
 * messages an answer concerns and moves them.
 */
#include "onss/batch/match.h"
#include "onss/batch/submission.h"
#include "onss/codelist.h"

#include <stdio.h>
#include <string.h>

/* Append text to a bounded detail string. */
static void
detail_add(char *d, size_t cap, const char *text)
{
	size_t used = strlen(d);
	if (used + 3 >= cap)
		return;
	snprintf(d + used, cap - used, "%s%s", used ? "; " : "", text);
}

void
batch_outcome_from_acrf(const struct onss_answer_form *f, struct batch_outcome *o)
{
	memset(o, 0, sizeof *o);
	snprintf(o->ticket, sizeof o->ticket, "%s", f->ticket);
	if (f->result_code == 1) {
		o->final = 0;
		o->result = BATCH_RECEIVED;
		snprintf(o->detail, sizeof o->detail, "received, ticket %s", f->ticket[0] ? f->ticket : "(none)");
		return;
	}
	o->final = 1;
	o->result = BATCH_REFUSED;
	for (size_t i = 0; i < f->n_errors; i++) {
		char one[300];
		const char *nl = NULL, *fr = NULL;
		onss_error_label(f->errors[i], &nl, &fr);
		snprintf(one, sizeof one, "%s%s%.200s", f->errors[i], fr ? " " : "", fr ? fr : "");
		detail_add(o->detail, sizeof o->detail, one);
	}
	if (o->detail[0] == '\0')
		snprintf(o->detail, sizeof o->detail, "file refused (no error id)");
}

void
batch_outcome_from_noti(const struct onss_answer_form *f, struct batch_outcome *o)
{
	memset(o, 0, sizeof *o);
	o->final = 1;
	snprintf(o->ticket, sizeof o->ticket, "%s", f->ticket);
	if (f->impact.present)
		snprintf(o->period_id, sizeof o->period_id, "%s", f->impact.period_id);
	if (f->result_code == 0)
		o->result = BATCH_REFUSED;
	else
		o->result = f->n_anomalies ? BATCH_ACCEPTED_WARNINGS : BATCH_ACCEPTED;
	for (size_t i = 0; i < f->n_anomalies; i++) {
		const struct onss_anomaly *a = &f->anomalies[i];
		char one[300];
		snprintf(one, sizeof one, "%s %s%s%s%s%.160s", a->id, a->cls[0] ? a->cls : "?",
		    a->tag[0] ? " " : "", a->tag, a->label_fr ? " " : "", a->label_fr ? a->label_fr : "");
		detail_add(o->detail, sizeof o->detail, one);
	}
	if (o->detail[0] == '\0')
		snprintf(o->detail, sizeof o->detail, "%s", o->result == BATCH_REFUSED ? "refused without anomaly" : "no anomaly");
}

gw_rc
batch_fi_of(const char *go_or_fo, const char *purpose, char *fi, size_t cap)
{
	struct batch_name n;
	char kind;
	if (batch_name_parse(go_or_fo, &n, &kind) != GW_OK)
		return GW_EINPUT;
	if (kind == 'O') {
		if (purpose == NULL)
			return GW_EINPUT;
		snprintf(n.purpose, sizeof n.purpose, "%s", purpose);
	}
	return batch_name_format(&n, 'I', fi, cap);
}

int
batch_ref_matches(const char *ref, const char *record_id)
{
	size_t n = strlen(record_id);
	if (n <= 20)
		return strcmp(ref, record_id) == 0;
	/* dimona/xml.c: head of 11 characters, '~', 8 hex digits of a hash. */
	return strlen(ref) == 20 && ref[11] == '~' && strncmp(ref, record_id, 11) == 0;
}
