/*
 * channel.h - what the runner needs from a sending channel.
 *
 * The runner (service/runner.c) owns states, retries, expiry and recovery;
 * a channel only knows how to build bytes, send them, ask whether the
 * other side already has them, and read the answer. Channels: dimona-rest
 * (service/dimona_channel.c); tests plug in fakes.
 */
#ifndef GW_SERVICE_CHANNEL_H
#define GW_SERVICE_CHANNEL_H

#include <stddef.h>
#include "core/err.h"
#include "queue/queue.h"

struct channel_answer {
	enum queue_state outcome;          /* accepted, accepted-with-warnings, refused, failed */
	char ref2[QUEUE_REF_MAX + 1];      /* e.g. the Dimona period id; "" when none */
	char detail[512];                  /* anomalies: "CODE (field), ..." */
};

struct channel_ops {
	const char *name;                  /* the queue channel it serves: "dimona-rest" */
	/* Build m's exact bytes into m->body (malloc'd) and m->content_hash.
	 * dep is the accepted message m depends on (NULL when none).
	 * GW_EINPUT / GW_EPERM: permanent (the message fails). */
	gw_rc (*build)(void *ctx, struct queue_msg *m, const struct queue_msg *dep,
	               char *err, size_t errcap);
	/* Does the other side already have m? GW_OK: yes, m->remote_ref set.
	 * GW_ENOTFOUND: no, safe to send. GW_ETEMP: cannot tell now. */
	gw_rc (*lookup)(void *ctx, struct queue_msg *m, char *err, size_t errcap);
	/* Send m->body. GW_OK: m->remote_ref set. GW_ETEMP: later
	 * (*retry_after_ms when the other side said). GW_EPERM: never. */
	gw_rc (*submit)(void *ctx, struct queue_msg *m, long *retry_after_ms,
	                char *err, size_t errcap);
	/* The answer to a sent message. GW_OK: *a filled. GW_ENOTFOUND: not
	 * processed yet. GW_ETEMP / GW_EPERM as above. */
	gw_rc (*poll)(void *ctx, struct queue_msg *m, struct channel_answer *a,
	              char *err, size_t errcap);
	/* ms to wait before the next poll, given ms since the send. */
	long (*poll_delay)(void *ctx, long elapsed_ms);
	/* Optional: where m ends when the message it depends on ended without
	 * effect (refused, failed, cancelled): QS_CANCELLED when m has nothing
	 * left to do (a CANCEL of a declaration that never took effect),
	 * QS_FAILED when it cannot be done. NULL: QS_FAILED. The runner knows
	 * no kind; this is the channel's (and its protocol's) knowledge. */
	enum queue_state (*dep_void)(void *ctx, const struct queue_msg *m);
};

#endif
