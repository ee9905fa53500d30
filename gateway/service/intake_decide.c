/*
 * service/intake_decide.c - the intake decision, pure (intake_decide.h).
 * Owns no state and reads nothing but its arguments.
 */
#include "service/intake_decide.h"

#include <stdio.h>
#include <string.h>

enum intake_step
intake_decide_revision(const struct intake_known *k, const struct contract *c,
                       const char hash[65], char *why, size_t whycap)
{
	if (whycap > 0)
		why[0] = '\0';
	if (!k->taken || k->revision < c->revision)
		return IS_NEW;
	if (k->revision > c->revision)
		return IS_REPLAY;
	if (strcmp(k->hash, hash) == 0)
		return IS_UNCHANGED;
	snprintf(why, whycap, "revision %u was already taken in with other content; send a higher"
	    " revision", c->revision);
	return IS_CONFLICT;
}

enum followup
intake_decide_followup(const struct intake_known *k, const struct contract *c)
{
	enum followup f = followup_decide(k->prev, c);
	/* No period stands (its IN was refused, failed or cancelled): a change
	 * is a fresh IN, a cancellation has nothing to cancel. */
	if (!k->standing && f != FU_NONE && f != FU_IN)
		f = f == FU_CANCEL ? FU_NONE : FU_IN;
	return f;
}
