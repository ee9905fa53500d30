/*
 * queue.h - the durable queue: one row per outgoing message (and per answer
 * received), each with its state and an append-only history.
 *
 * One interface, several backends (queue/sqlite.c now, queue/postgres.c
 * later): a backend is a table of fifteen functions (struct queue_ops), and
 * nothing here names SQLite; the operations most callers use (enqueue,
 * transition, update, add_event, by_record) are helpers over those
 * (queue/helpers.c), so a new backend writes only the core.
 * The state machine lives in queue/state.c and is enforced for every
 * backend: queue_transition() refuses a move the table does not allow.
 *
 * The queue is the outbox: it holds messages only, and knows nothing of
 * what they declare. Record revisions, the worker-day index, Horeca EXT
 * runs, filed DmfA sets and DMPI ids live in the record store beside it
 * (store/store.h), written in the same transaction as the messages they
 * come with.
 *
 * Leases: several workers (processes, machines) share one queue. Every
 * message in building or sending carries a lease (owner, expiry) written by
 * the claim or move that put it there, in the same commit; a live worker
 * renews its leases (renew), and recover() takes over only what no live
 * worker holds: an expired lease, no owner, or an owner known dead. A
 * named lease (lease_named) lets one worker at a time run one submission.
 *
 * Intake returns only after the commit is durable.
 */
#ifndef GW_QUEUE_QUEUE_H
#define GW_QUEUE_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"

enum queue_state {
	QS_PENDING,            /* accepted, waiting to be built (may wait on a dependency) */
	QS_BUILDING,           /* being built; discarded back to pending on recovery */
	QS_READY,              /* bytes built and stored, waiting for a send slot */
	QS_SENDING,            /* a send is in flight; outcome unknown after a crash */
	QS_SENT,               /* the other side has it; awaiting its answer */
	QS_ACCEPTED,
	QS_ACCEPTED_WARNINGS,
	QS_REFUSED,
	QS_FAILED,             /* expired or permanent error */
	QS_HELD,               /* an operator stopped it */
	QS_CANCELLED,
	QS__COUNT
};

const char *queue_state_name(enum queue_state s);     /* "pending", "accepted-with-warnings" ... */
int queue_state_parse(const char *name);               /* -1 when unknown */
/* Whether the state machine allows from -> to. */
int queue_transition_allowed(enum queue_state from, enum queue_state to);
int queue_state_is_final(enum queue_state s);

#define QUEUE_ID_MAX     40
#define QUEUE_REF_MAX    64
#define QUEUE_KIND_MAX   24
#define QUEUE_CHANNEL_MAX 24
#define QUEUE_OWNER_MAX  63                /* a worker's name: [queue] worker, host:pid */

struct queue_msg {
	char     id[QUEUE_ID_MAX + 1];            /* stable message id */
	char     record_id[QUEUE_ID_MAX + 1];     /* contract_id / invoice_id / file name */
	uint32_t revision;                        /* record revision it comes from */
	char     kind[QUEUE_KIND_MAX + 1];        /* dimona-in, dimona-out, dimona-update,
	                                             dimona-cancel, dmfa, dmfa-update,
	                                             invoice, credit-note, answer */
	char     channel[QUEUE_CHANNEL_MAX + 1];  /* dimona-rest, onss-batch, peppol-as4 */
	enum queue_state state;
	uint32_t attempts;
	int64_t  next_attempt_ms;                 /* unix ms; 0 = now */
	int64_t  expires_ms;                      /* unix ms; 0 = never */
	int64_t  created_ms, updated_ms;
	char     content_hash[65];                /* hex SHA-256 of the bytes sent */
	char    *body;                            /* the exact bytes sent (malloc'd), or NULL */
	size_t   body_len;
	char     body_file[256];                  /* or the file they live in */
	char     remote_ref[QUEUE_REF_MAX + 1];   /* declaration id, batch ticket, AS4 message id */
	char     remote_ref2[QUEUE_REF_MAX + 1];  /* Dimona period id, batch file name */
	char    *payload;                         /* the normalised record it is built from (JSON), malloc'd */
	char     depends_on[QUEUE_ID_MAX + 1];    /* message whose answer this one needs, or "" */
	char     last_error[512];
	int64_t  sent_ms;                         /* unix ms of the last send (poll back-off), 0 = never */
	/* Read only (get, list, claim): the worker holding it in building or
	 * sending, and until when; "" and 0 in every other state. */
	char     lease_owner[QUEUE_OWNER_MAX + 1];
	int64_t  lease_until_ms;
};

struct queue_event {
	int64_t at_ms;
	char actor[32];                           /* "intake", "runner", "operator:alice", "onss" */
	enum queue_state from, to;
	char what[48];                            /* "transition", "attempt", "answer", "note" */
	char why[512];
};

/* A move_many() step with from == to == QUEUE_ANY_STATE writes fields
 * and/or an event whatever the message's state. */
#define QUEUE_ANY_STATE QS__COUNT

/* One step of move_many(): move a message and/or write its fields. */
struct queue_move {
	const char *id;                           /* the message */
	const struct queue_msg *fields;           /* NULL, or its mutable fields to write (as update()) */
	enum queue_state from, to;                /* from == to: no transition, the message must still
	                                             be in from (fields and/or note only) */
	const char *what;                         /* from == to only: the event to add ("answer",
	                                             "note"), NULL = none; a transition always adds
	                                             its "transition" event */
	const char *why;                          /* the event's reason */
	gw_rc rc;                                 /* out: GW_OK, or GW_ESTATE (not in from, or the
	                                             table refuses from -> to), GW_ENOTFOUND */
};

struct queue_stats {
	uint64_t count[QS__COUNT];
	int64_t oldest_pending_ms;                /* oldest not yet final, held aside; 0 = none */
	int64_t next_attempt_ms;                  /* 0 when none */
};

struct queue;

/* Selection for list(); unset fields match everything. */
struct queue_filter {
	int state;                                /* enum queue_state, -1 = any */
	const char *channel;                      /* NULL = any */
	const char *record_id;                    /* NULL = any */
	const char *depends_on;                   /* NULL = any */
	int64_t updated_since_ms;                 /* 0 = any */
	size_t limit;                             /* 0 = no limit */
	int with_bodies;                          /* load body and payload too */
	int newest_first;                         /* order by revision, newest first, the
	                                             last written first among equals */
};

/* The backend: the fifteen operations a storage engine implements (SQLite
 * now, PostgreSQL later), none of them about a channel or a record kind.
 * Everything else callers use is a helper over these (queue/helpers.c). */
struct queue_ops {
	const char *name;                         /* "sqlite", "postgres" */
	gw_rc (*open)(struct queue **q, const char *dsn, char *errbuf, size_t errcap);
	void  (*close)(struct queue *q);
	/* Insert messages in one durable transaction; ids are assigned when
	 * empty. A message whose (record_id, revision, kind) exists is
	 * skipped and reported (dup[i] = 1; dup may be NULL). GW_ETEMP: disk
	 * nearly full or busy; nothing was written. Messages that come with
	 * record-store rows go through the store's unit of work instead
	 * (store/store.h), which commits both at once. */
	gw_rc (*enqueue_each)(struct queue *q, struct queue_msg *msgs, size_t n,
	                      unsigned char *dup);
	/* One message by id, with body and payload. */
	gw_rc (*get)(struct queue *q, const char *id, struct queue_msg *out);
	/* Messages matching f, at most f->limit (0 = all), ordered by next
	 * attempt (or newest first, f->newest_first); *out malloc'd (free each
	 * with queue_msg_free, then free). */
	gw_rc (*list)(struct queue *q, const struct queue_filter *f,
	              struct queue_msg **out, size_t *n);
	/* Claim up to max messages of channel in state `from` whose next attempt
	 * is due, moving each to `to` (with an event) atomically; two claimers
	 * never get the same message. A claim into building or sending writes
	 * the lease in the same commit: owner (NULL = queue_worker_name()) until
	 * now_ms + lease_ms (<= 0 = [queue] lease_ms). A claim into sending also
	 * counts the attempt in the same commit. from == to only reads (no
	 * event, no lease). */
	gw_rc (*claim)(struct queue *q, const char *channel, enum queue_state from,
	               enum queue_state to, const char *owner, int64_t lease_ms, int64_t now_ms,
	               size_t max, struct queue_msg *out, size_t *n);
	/* Many moves in ONE durable transaction, in array order, all by
	 * actor: each a checked transition (from != to) with or without new
	 * fields (as the message's mutable fields: attempts, next attempt,
	 * body, refs, error), or fields and/or an event only (from == to: the
	 * message must still be in from, or from == QUEUE_ANY_STATE: whatever
	 * its state). A transition into building or sending leases the message
	 * to actor for [queue] lease_ms; one out of them clears its lease.
	 * Each step is checked against the state machine and the
	 * message's current state; a refused step is reported in mv[i].rc
	 * (GW_ESTATE, GW_ENOTFOUND), changes nothing of that message, and the
	 * others proceed: the call still returns GW_OK. Any other failure
	 * (I/O, full disk, busy: GW_EIO, GW_ETEMP ...) rolls back the whole
	 * call: nothing of it is durable, and mv[].rc is meaningless. Steps
	 * may name the same message twice; each sees the state the previous
	 * one left. *n_done (may be NULL) counts the steps applied. */
	gw_rc (*move_many)(struct queue *q, struct queue_move *mv, size_t n, const char *actor,
	                   size_t *n_done);
	/* Takeover, one transaction, at start and periodically: every message
	 * in building or sending whose lease has expired (lease_until_ms <=
	 * now_ms), that has no owner, or whose owner is dead_owner (non-NULL: a
	 * worker known dead, e.g. this worker's previous life) moves as after a
	 * crash: building -> pending (built bytes discarded), sending -> ready
	 * (outcome unknown: the attempt the claim counted makes the channel ask
	 * the other side before re-sending); the lease is cleared and the event
	 * names the previous owner. dead_owner's named leases are dropped.
	 * A live lease is never taken. Counts what moved. */
	gw_rc (*recover)(struct queue *q, const char *actor, const char *dead_owner, int64_t now_ms,
	                 size_t *n_building, size_t *n_sending);
	/* Heartbeat, one transaction: every lease owner holds (its messages in
	 * building or sending, its named leases) now lasts until until_ms; *n
	 * (may be NULL) counts the messages. A lease already taken over is not
	 * given back. */
	gw_rc (*renew)(struct queue *q, const char *owner, int64_t until_ms, size_t *n);
	/* Named exclusive lease ("submission:DIMN00042"): *got = 1 when owner
	 * now holds name until until_ms (it was free, expired, or already
	 * owner's), 0 when another owner's live lease holds it. until_ms == 0
	 * releases owner's lease (*got = 1 when it held it). */
	gw_rc (*lease_named)(struct queue *q, const char *name, const char *owner, int64_t until_ms,
	                     int64_t now_ms, int *got);
	/* Events of one message, oldest first; *evs malloc'd. */
	gw_rc (*history)(struct queue *q, const char *id, struct queue_event **evs, size_t *n);
	gw_rc (*stats)(struct queue *q, const char *channel, struct queue_stats *st);
	/* Next value of a named counter (batch sequence numbers), durable. */
	gw_rc (*next_seq)(struct queue *q, const char *name, uint64_t *out);
	/* Storage self-check (PRAGMA integrity_check for SQLite); errbuf
	 * says what is wrong. */
	gw_rc (*check)(struct queue *q, char *errbuf, size_t errcap);
	/* Retention: drop what a final message carries of personal data, its
	 * body, its body file's name and its payload, in one transaction with
	 * a "retention" event by actor saying why; the audit trail (id, record
	 * id, revision, kind, state, refs, content hash, times, last error,
	 * history) stays. updated_ms is not touched. GW_ESTATE when the
	 * message is not final (it may still be built or sent), GW_ENOTFOUND;
	 * *had (may be NULL) says whether there was anything left to drop (no
	 * event is added when there was not). */
	gw_rc (*forget_content)(struct queue *q, const char *id, const char *actor, const char *why,
	                        int *had);
};

struct store;

/* A queue handle begins with its ops table, whatever the backend. */
struct queue {
	const struct queue_ops *ops;
	/* The record store attached to this queue (store/store.h): same
	 * database, same transactions. NULL until attached; close() detaches
	 * it (store_detach) before the connection goes. The queue never looks
	 * inside it. */
	struct store *store;
	void (*store_detach)(struct store *st);
};

extern const struct queue_ops queue_sqlite_ops;
extern const struct queue_ops queue_postgres_ops;   /* queue/postgres.c */

/* Open the queue named by the configuration ([queue] dsn: sqlite:PATH or
 * postgresql://...; the older [queue] backend key still works). */
gw_rc queue_open_configured(struct queue **q, char *errbuf, size_t errcap);
void queue_msg_free(struct queue_msg *m);      /* frees body and payload only */

/* Helpers over the backend's operations (queue/helpers.c): what most
 * callers use, written once for every backend. */
/* enqueue_each, counting the duplicates (*dups may be NULL). */
gw_rc queue_enqueue(struct queue *q, struct queue_msg *msgs, size_t n, size_t *dups);
/* Move one message; GW_ESTATE unless the table allows it and the message
 * is still in `from`. */
gw_rc queue_transition(struct queue *q, const char *id, enum queue_state from,
                       enum queue_state to, const char *actor, const char *why);
/* Persist the mutable fields of m (attempts, next attempt, body, refs,
 * error), whatever its state. */
gw_rc queue_update(struct queue *q, const struct queue_msg *m);
/* update and transition in one transaction: the new fields are never
 * durable without the state that goes with them. Same refusals as
 * queue_transition. */
gw_rc queue_update_transition(struct queue *q, const struct queue_msg *m, enum queue_state from,
                              enum queue_state to, const char *actor, const char *why);
/* Append an event (answers, notes) to a message, whatever its state. */
gw_rc queue_add_event(struct queue *q, const char *id, const struct queue_event *ev);
/* Messages for a record, newest revision first, with payloads; *out
 * malloc'd. */
gw_rc queue_by_record(struct queue *q, const char *record_id, struct queue_msg **out,
                      size_t *n);
/* What one worker holds: its messages in building and sending, and the
 * earliest expiry among them (owner "" = no owner, taken over next). */
struct queue_lease_sum {
	char owner[QUEUE_OWNER_MAX + 1];
	size_t building, sending;
	int64_t earliest_until_ms;
};
/* The leases per worker, ordered by owner; *out malloc'd (free it). */
gw_rc queue_lease_sums(struct queue *q, struct queue_lease_sum **out, size_t *n);
/* ops->move_many (kept as the name callers know). */
gw_rc queue_move_many(struct queue *q, struct queue_move *mv, size_t n, const char *actor,
                      size_t *n_done);

/* Helpers shared by the backends and the runner (queue/queue.c). */
int64_t queue_now_ms(void);
/* dsn as it may be shown (status, the dashboard, config, the run log):
 * its password, "postgresql://user:SECRET@host/db" or a password=
 * parameter, written "***"; into buf (cap > 0, truncated), returned. */
const char *queue_dsn_shown(const char *dsn, char *buf, size_t cap);
/* This worker's name: [queue] worker, or <host>:<pid>. */
const char *queue_worker_name(void);
/* Whether a lease owner named <this host>:<pid> is a process that no longer
 * exists (its leases can be taken over at once); 0 for any other name. */
int queue_owner_is_dead_local(const char *owner);
/* Stable message id from (record id, revision, kind): a replay gets the same id. */
void queue_make_id(char out[QUEUE_ID_MAX + 1], const char *record_id, uint32_t revision,
                   const char *kind);
/* Hex SHA-256 of len bytes. */
void queue_sha256_hex(const void *data, size_t len, char out[65]);
/* GW_ETEMP when the file system holding path has less than the configured
 * free space ([queue] min_free_mb): intake is refused, sending goes on. */
gw_rc queue_space_check(const char *path, char *errbuf, size_t errcap);
/* Capped exponential back-off with jitter (queue/backoff.c): the delay
 * before attempt number `attempts` + 1, in ms, in [d/2, d] where
 * d = min(cap, base * 2^(attempts-1)). *rng is a caller-owned seed. */
int64_t queue_backoff_ms(uint32_t attempts, int64_t base_ms, int64_t cap_ms, uint64_t *rng);

#endif
