/*
 * followup.h - what a new revision of a record has to produce.
 *
 * A first revision of a contract is a Dimona IN. A higher revision of a
 * contract that was already taken in is compared with the previous one and
 * becomes the follow-up the Dimona rules call for: CANCEL (cancelled),
 * OUT (an open-ended period gets its end), UPDATE (dates, hours, joint
 * committee, worker type changed), CANCEL then a new IN (another worker or
 * employer: a period cannot be moved), or nothing (a change Dimona does not
 * carry, e.g. the wage: that is the DmfA's business). Never a second IN for
 * a period that stands.
 */
#ifndef GW_SERVICE_FOLLOWUP_H
#define GW_SERVICE_FOLLOWUP_H

#include "records/contract.h"

enum followup {
	FU_NONE,          /* nothing to declare */
	FU_IN,
	FU_UPDATE,
	FU_OUT,
	FU_CANCEL,
	FU_CANCEL_AND_IN  /* cancel the old period, declare the new one */
};

/* prev: the highest revision taken in before (NULL: none). */
enum followup followup_decide(const struct contract *prev, const struct contract *next);
const char *followup_name(enum followup f);

#endif
