/*
 * queue.h - the durable queue: one row per outgoing message (and per answer
 * received), each with its state and an append-only history.
 *
 * One interface, several backends (queue/sqlite.c now, queue/postgres.c
 * later): a backend is a table of functions, and nothing here names SQLite.
 * The state machine lives in queue/state.c and is enforced for every
 * backend: queue_transition() refuses a move the table does not allow.
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
};

struct queue_event {
	int64_t at_ms;
	char actor[32];                           /* "intake", "runner", "operator:alice", "onss" */
	enum queue_state from, to;
	char what[48];                            /* "transition", "attempt", "answer", "note" */
	char why[512];
};

struct queue_stats {
	uint64_t count[QS__COUNT];
	int64_t oldest_pending_ms;                /* 0 when none */
	int64_t next_attempt_ms;                  /* 0 when none */
};

struct queue;

struct queue_ops {
	const char *name;                         /* "sqlite", "postgres" */
	gw_rc (*open)(struct queue **q, const char *dsn, char *errbuf, size_t errcap);
	void  (*close)(struct queue *q);
	/* Insert messages in one durable transaction; ids are assigned when
	 * empty. A message whose (record_id, revision, kind) exists is skipped
	 * and reported through *dups. */
	gw_rc (*enqueue)(struct queue *q, struct queue_msg *msgs, size_t n, size_t *dups);
	gw_rc (*get)(struct queue *q, const char *id, struct queue_msg *out);
	/* Claim up to max messages of channel in state `from` whose next attempt
	 * is due, moving each to `to` (with an event) atomically. */
	gw_rc (*claim)(struct queue *q, const char *channel, enum queue_state from,
	               enum queue_state to, int64_t now_ms, size_t max,
	               struct queue_msg *out, size_t *n);
	/* Move one message; refused (GW_ESTATE) unless the table allows it and
	 * the message is still in `from`. */
	gw_rc (*transition)(struct queue *q, const char *id, enum queue_state from,
	                    enum queue_state to, const char *actor, const char *why);
	/* Persist mutable fields of m (attempts, next attempt, body, refs, error). */
	gw_rc (*update)(struct queue *q, const struct queue_msg *m);
	gw_rc (*add_event)(struct queue *q, const char *id, const struct queue_event *ev);
	/* Events of one message, oldest first; *evs malloc'd. */
	gw_rc (*history)(struct queue *q, const char *id, struct queue_event **evs, size_t *n);
	gw_rc (*stats)(struct queue *q, const char *channel, struct queue_stats *st);
	/* Messages for a record, newest revision first; *out malloc'd. */
	gw_rc (*by_record)(struct queue *q, const char *record_id, struct queue_msg **out, size_t *n);
	/* Next value of a named counter (batch sequence numbers), durable. */
	gw_rc (*next_seq)(struct queue *q, const char *name, uint64_t *out);
};

/* A queue handle begins with its ops table, whatever the backend. */
struct queue {
	const struct queue_ops *ops;
};

extern const struct queue_ops queue_sqlite_ops;

/* Open the queue named by the configuration ([queue] backend, dsn). */
gw_rc queue_open_configured(struct queue **q, char *errbuf, size_t errcap);
void queue_msg_free(struct queue_msg *m);      /* frees body and payload only */

#endif
