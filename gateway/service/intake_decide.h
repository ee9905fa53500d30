/*
 * intake_decide.h - the intake decision as a pure function: what a
 * contract revision calls for, from what the store and the outbox already
 * know of its record. No queue, no store, no clock: intake.c gathers the
 * facts (struct intake_known), this decides, intake.c commits.
 *
 * A revision at or below the highest one taken in is a replay (lower),
 * unchanged (same content) or a conflict (same revision, other content).
 * A higher one gets the follow-up followup_decide() gives against the
 * newest revision stored; when no period stands (its IN was refused,
 * failed or cancelled) a change is a fresh IN and a cancellation has
 * nothing to cancel. FU_NONE is "nothing to declare": the revision is
 * still kept (in the store) for the DmfA. The Horeca EXT run rules
 * (intake_series.h) come between the two steps, as they need the store.
 */
#ifndef GW_SERVICE_INTAKE_DECIDE_H
#define GW_SERVICE_INTAKE_DECIDE_H

#include <stdint.h>
#include "records/contract.h"
#include "service/followup.h"

/* What is known of a record before its new revision is decided. */
struct intake_known {
	int taken;                      /* some revision was taken in before */
	uint32_t revision;              /* the highest one */
	char hash[65];                  /* and the hex SHA-256 of its canonical JSON */
	const struct contract *prev;    /* the newest revision stored, NULL when none */
	int standing;                   /* a period stands: an IN not refused, failed or cancelled */
};

enum intake_step {
	IS_REPLAY,                      /* an older revision: changes nothing */
	IS_UNCHANGED,                   /* the same revision, same content */
	IS_CONFLICT,                    /* the same revision, other content: rejected */
	IS_NEW                          /* a higher (or first) revision: decide its follow-up */
};

/* Step one: is c (canonical JSON hashed to hash) new at all? why gets the
 * reason of a conflict. */
enum intake_step intake_decide_revision(const struct intake_known *k, const struct contract *c,
                                        const char hash[65], char *why, size_t whycap);
/* Step two, for a new revision: the message it calls for (FU_NONE: none). */
enum followup intake_decide_followup(const struct intake_known *k, const struct contract *c);

#endif
