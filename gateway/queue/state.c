/*
 * queue/state.c - the message state machine, shared by every backend.
 *
 * Owns the one table of allowed moves. Backends call
 * queue_transition_allowed() before any state change and refuse the rest
 * (GW_ESTATE); nothing else may decide which moves are legal.
 * Must never touch storage.
 */
#include "queue/queue.h"

#include <string.h>

static const char *const state_names[QS__COUNT] = {
	[QS_PENDING] = "pending",
	[QS_BUILDING] = "building",
	[QS_READY] = "ready",
	[QS_SENDING] = "sending",
	[QS_SENT] = "sent",
	[QS_ACCEPTED] = "accepted",
	[QS_ACCEPTED_WARNINGS] = "accepted-with-warnings",
	[QS_REFUSED] = "refused",
	[QS_FAILED] = "failed",
	[QS_HELD] = "held",
	[QS_CANCELLED] = "cancelled",
};

#define B(s) (1u << (s))

/*
 * allowed[from] = set of states reachable in one move. Why each exists:
 *  pending  -> building (runner), held/cancelled (operator), failed (expiry,
 *              dependency ended badly)
 *  building -> ready (built), pending (waiting on a dependency; recovery
 *              discards half-built work), failed (permanent build error)
 *  ready    -> sending, held/cancelled (operator), failed (expiry)
 *  sending  -> sent (the other side has it: after a send, or after a
 *              lookup found it), ready (temporary error, or recovery of an
 *              unknown outcome), failed (permanent refusal or expiry)
 *  sent     -> the answers; ready when the other side says it never got
 *              it; failed when the answer is a permanent error
 *  failed   -> pending (operator requeue/retry), cancelled (operator gives up)
 *  held     -> pending (release), cancelled
 * accepted, accepted-with-warnings, refused and cancelled are final: a
 * correction is a new record revision, never a resend of the same bytes.
 */
static const unsigned allowed[QS__COUNT] = {
	[QS_PENDING] = B(QS_BUILDING) | B(QS_HELD) | B(QS_CANCELLED) | B(QS_FAILED),
	[QS_BUILDING] = B(QS_READY) | B(QS_PENDING) | B(QS_FAILED),
	[QS_READY] = B(QS_SENDING) | B(QS_HELD) | B(QS_CANCELLED) | B(QS_FAILED),
	[QS_SENDING] = B(QS_SENT) | B(QS_READY) | B(QS_FAILED),
	[QS_SENT] = B(QS_ACCEPTED) | B(QS_ACCEPTED_WARNINGS) | B(QS_REFUSED) |
	            B(QS_READY) | B(QS_FAILED),
	[QS_ACCEPTED] = 0,
	[QS_ACCEPTED_WARNINGS] = 0,
	[QS_REFUSED] = 0,
	[QS_FAILED] = B(QS_PENDING) | B(QS_CANCELLED),
	[QS_HELD] = B(QS_PENDING) | B(QS_CANCELLED),
	[QS_CANCELLED] = 0,
};

/* Stable text name of a state (stored in the queue, printed to operators). */
const char *
queue_state_name(enum queue_state s)
{
	if ((int)s < 0 || s >= QS__COUNT)
		return "invalid";
	return state_names[s];
}

/* Parse a state name; -1 when unknown. */
int
queue_state_parse(const char *name)
{
	if (name == NULL)
		return -1;
	for (int i = 0; i < QS__COUNT; i++)
		if (strcmp(state_names[i], name) == 0)
			return i;
	return -1;
}

/* Whether the table allows from -> to (a move to the same state is not a move). */
int
queue_transition_allowed(enum queue_state from, enum queue_state to)
{
	if ((int)from < 0 || from >= QS__COUNT || (int)to < 0 || to >= QS__COUNT)
		return 0;
	return (allowed[from] & B(to)) != 0;
}

/* Final for the runner: nothing more happens without an operator or a new revision. */
int
queue_state_is_final(enum queue_state s)
{
	return s == QS_ACCEPTED || s == QS_ACCEPTED_WARNINGS || s == QS_REFUSED ||
	       s == QS_FAILED || s == QS_CANCELLED;
}
