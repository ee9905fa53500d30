/*
 * channel.h - what the runner needs from a sending channel.
 *
 * The runner (service/runner.c) owns states, retries, expiry and recovery;
 * a channel only knows how to build bytes, send them, ask whether the
 * other side already has them, and read the answer. Channels: dimona-rest
 * (service/dimona_channel.c); tests plug in fakes.
 *
 * A channel that carries many messages in one submission (the ONSS batch:
 * one FI/FS/GO for many Dimona forms, one ACRF/NOTI for many answers) sets
 * group_max and the group hooks. The runner still owns every state move:
 * it builds each message with build(), names the submission from a queue
 * counter, records that name on every member in m->remote_ref2 in one
 * transaction before group_write() puts the submission anywhere, counts
 * the attempt (claim into sending) before group_submit(), and asks
 * lookup() (with any member: the name is what counts) before a submission
 * whose earlier attempt may have landed goes out again. A message built
 * with remote_ref2 already set is a submission of its own, made when it
 * was queued (a DmfA). The answers of a group channel come back as files
 * that name their submission, not per message: poll_many() fetches and
 * applies them (service code, through the queue's move_many).
 */
#ifndef GW_SERVICE_CHANNEL_H
#define GW_SERVICE_CHANNEL_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "queue/queue.h"

struct channel_answer {
	enum queue_state outcome;          /* accepted, accepted-with-warnings, refused, failed */
	char ref2[QUEUE_REF_MAX + 1];      /* e.g. the Dimona period id; "" when none */
	char detail[512];                  /* anomalies: "CODE (field), ..." */
};

/* What one request of a submit_each()/poll_each() call came to: what
 * submit() or poll() would have returned, with its out-parameters. */
struct channel_result {
	gw_rc rc;
	long retry_after_ms;               /* submit: as submit()'s */
	struct channel_answer a;           /* poll: the answer when rc is GW_OK */
	char err[512];
};

/* submit()'s *retry_after_ms when no answer came (see submit). */
#define CHANNEL_MAYBE_LANDED (-2L)

struct channel_ops {
	const char *name;                  /* the queue channel it serves: "dimona-rest" */
	/* Build m's exact bytes into m->body (malloc'd) and m->content_hash.
	 * dep is the accepted message m depends on (NULL when none).
	 * GW_EINPUT / GW_EPERM: permanent (the message fails). */
	gw_rc (*build)(void *ctx, struct queue_msg *m, const struct queue_msg *dep,
	               char *err, size_t errcap);
	/* Does the other side already have m? GW_OK: yes, m->remote_ref set.
	 * GW_ENOTFOUND: no, safe to send. GW_ETEMP: cannot tell now.
	 * GW_EPERM: m can never be delivered (a final answer met on the way,
	 * e.g. a receiver not on Peppol): the runner fails it with err (one
	 * message at a time; a group's lookup does not answer it). */
	gw_rc (*lookup)(void *ctx, struct queue_msg *m, char *err, size_t errcap);
	/* Send m->body. GW_OK: m->remote_ref set. GW_ETEMP: later
	 * (*retry_after_ms when the other side said; CHANNEL_MAYBE_LANDED
	 * when no answer came, so the request may still be processed: the
	 * runner then gives it [queue] settle_ms before trusting a lookup
	 * that finds nothing). GW_EPERM: never. */
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

	/* --- Optional: several requests in flight at once (NULL: none) ---
	 * submit() (poll()) for each of v[0..n) at the same time, res[i] the
	 * outcome of v[i] (m->remote_ref set as submit() sets it). The runner
	 * has counted every attempt durably before, and records every outcome
	 * after, the call; it never hands over two messages of one record at
	 * once (a follow-up is built only once the message it depends on is
	 * answered), so per-record order is the dependency's. */
	void (*submit_each)(void *ctx, struct queue_msg *const *v, size_t n,
	                    struct channel_result *res);
	void (*poll_each)(void *ctx, struct queue_msg *const *v, size_t n,
	                  struct channel_result *res);

	/* --- Optional: one submission for many messages (0 / NULL: none) --- */
	size_t group_max;                  /* most messages per submission */
	/* The name of submission number seq, drawn from the queue counter
	 * *counter (set by the hook, e.g. "onss-batch-DIMN-T"): call with
	 * seq 0 to learn the counter, then with the number. */
	gw_rc (*group_name)(void *ctx, uint64_t seq, const char **counter, char *name,
	                    size_t cap);
	/* Put the submission name, carrying v[0..n) (their bodies, in order),
	 * where group_submit() finds it (files written atomically). Called
	 * after the name is durable on every member; also to check that a
	 * submission made at queue time is still there (rewritten when not).
	 * Any error: the members fail, to be queued again under a new name. */
	gw_rc (*group_write)(void *ctx, const char *name, struct queue_msg *const *v, size_t n,
	                     char *err, size_t errcap);
	/* Optional: whether the submission name may have reached the other
	 * side outside this runner (written by another process, uploaded by
	 * hand): then lookup() is asked before its first send too. */
	int (*group_foreign)(void *ctx, const char *name);
	/* Send the submission name. GW_OK: the other side has it (err may
	 * then say how, for the history).
	 * GW_ETEMP: later (*retry_after_ms when told). GW_EPERM: never. */
	gw_rc (*group_submit)(void *ctx, const char *name, long *retry_after_ms, char *err,
	                      size_t errcap);
	/* Fetch the answers waiting for any message of the channel and apply
	 * them to q (moves with their reasons, one transaction per answer);
	 * *moved counts the messages that moved. GW_ETEMP: cannot reach the
	 * other side now. */
	gw_rc (*poll_many)(void *ctx, struct queue *q, size_t *moved, char *err, size_t errcap);
};

#endif
