/*
 * service/followup.c - the follow-up decision of followup.h.
 *
 * Pure: compares two validated contracts, touches no queue. Must never
 * answer FU_IN for a contract whose period stands (that is a duplicate
 * declaration at the ONSS).
 */
#include "service/followup.h"

#include <string.h>

/* Same worker and employer: the period can be changed in place. */
static int
same_parties(const struct contract *a, const struct contract *b)
{
	if (strcmp(a->employer_noss, b->employer_noss) != 0)
		return 0;
	if (strcmp(a->worker_inss, b->worker_inss) != 0)
		return 0;
	if (a->worker_inss[0] == '\0')       /* identified by name and birth date */
		return strcmp(a->worker_last_name, b->worker_last_name) == 0 &&
		       strcmp(a->worker_first_name, b->worker_first_name) == 0 &&
		       a->worker_birth_date == b->worker_birth_date;
	return 1;
}

/* Does anything Dimona carries differ? */
static int
dimona_fields_differ(const struct contract *a, const struct contract *b)
{
	return a->start_date != b->start_date || a->start_time != b->start_time ||
	       a->end_date != b->end_date || a->end_time != b->end_time ||
	       a->planned_hours != b->planned_hours ||
	       strcmp(a->worker_type, b->worker_type) != 0 ||
	       strcmp(a->joint_committee, b->joint_committee) != 0;
}

/* The follow-up for next, given the previous revision. */
enum followup
followup_decide(const struct contract *prev, const struct contract *next)
{
	if (prev == NULL)
		return next->status == CONTRACT_CANCELLED ? FU_NONE : FU_IN;
	if (prev->status == CONTRACT_CANCELLED)
		/* The period was cancelled (or never declared): a new one. */
		return next->status == CONTRACT_CANCELLED ? FU_NONE : FU_IN;
	if (next->status == CONTRACT_CANCELLED)
		return FU_CANCEL;
	if (!same_parties(prev, next))
		return FU_CANCEL_AND_IN;
	if (!dimona_fields_differ(prev, next))
		return FU_NONE;
	/* An open-ended period that now ends, nothing else changed: OUT. */
	if (prev->end_date == 0 && next->end_date != 0 &&
	    prev->start_date == next->start_date && prev->start_time == next->start_time &&
	    prev->planned_hours == next->planned_hours &&
	    strcmp(prev->worker_type, next->worker_type) == 0 &&
	    strcmp(prev->joint_committee, next->joint_committee) == 0)
		return FU_OUT;
	return FU_UPDATE;
}

const char *
followup_name(enum followup f)
{
	switch (f) {
	case FU_NONE: return "none";
	case FU_IN: return "dimona-in";
	case FU_UPDATE: return "dimona-update";
	case FU_OUT: return "dimona-out";
	case FU_CANCEL: return "dimona-cancel";
	case FU_CANCEL_AND_IN: return "dimona-cancel+in";
	}
	return "none";
}
