/*
 * store.h - the record store: what the gateway keeps that is not a
 * message, beside the outbox (queue/queue.h) in the same database.
 *
 * It holds each record's revisions taken in (with the SHA-256 of the
 * normalised record and, when kept, the record itself), intake's
 * worker-day index, the records of Horeca EXT runs, the filed DmfA sets
 * and the DMPI permanent ids. Rows are written through a unit of work
 * (struct store_unit) that carries them together with the messages they
 * cause: one durable transaction for both, so a crash leaves all or
 * nothing and no settle pass is ever needed.
 *
 * One interface, several backends like the queue's (store/sqlite.c,
 * store/postgres.c), each sharing its queue's connection and transactions.
 * Nothing here names Horeca, Dimona or the DmfA beyond opaque keys: a
 * backend stores rows, the service decides what they mean.
 */
#ifndef GW_STORE_STORE_H
#define GW_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "queue/queue.h"

#define STORE_ID_MAX     QUEUE_ID_MAX
#define STORE_WORKER_MAX 224
#define STORE_KEY_MAX    64

/* One revision of a record taken in. */
struct store_revision {
	char     record_id[STORE_ID_MAX + 1];
	uint32_t revision;
	char     hash[65];                      /* hex SHA-256 of the normalised record */
	char    *payload;                       /* the normalised record, or NULL (not kept);
	                                           malloc'd when read */
};

/* One row of the worker-day index (a worker's days at an employer). */
struct store_day {
	char     employer[16];
	char     worker[STORE_WORKER_MAX];
	int32_t  day;                           /* YYYYMMDD */
	char     record_id[STORE_ID_MAX + 1];
};

/* A record revision that belongs to a run of records declared by one
 * message (a Horeca EXT run): which message carries it, and its place. */
struct store_run_member {
	char     record_id[STORE_ID_MAX + 1];
	uint32_t revision;
	char     msg_id[QUEUE_ID_MAX + 1];      /* the message declaring the run */
	int      head;                          /* 1: the run's first record */
	char     why[256];                      /* "merged into ..." */
};

/* A filed set: what one filing message declared (opaque JSON to the store). */
struct store_filed {
	char     key[STORE_KEY_MAX + 1];        /* the filing's record id */
	char     msg_id[QUEUE_ID_MAX + 1];
	char    *json;                          /* malloc'd when read */
};

/* Permanent ids the other side gave a filing (an answer file kept as is). */
struct store_perm_ids {
	char     msg_id[QUEUE_ID_MAX + 1];      /* the filing message */
	char     name[QUEUE_REF_MAX + 1];       /* the answer file's name */
	char     hash[65];
	char    *body;                          /* malloc'd when read */
	size_t   body_len;
};

/* An AS4 message received and stored (service/as4_receive.c): its
 * MessageId, its business document's identity (sender + SBDH instance
 * id), the document and the exact receipt answered, so that a re-delivery
 * gets the same receipt again. */
struct store_inbound {
	char     message_id[256];
	char     sender[128];                   /* SBDH sender participant id */
	char     instance_id[128];              /* SBDH InstanceIdentifier */
	char     file[128];                     /* name in the inbox folder, without extension */
	char     hash[65];                      /* hex SHA-256 of the document */
	char    *document;                      /* malloc'd when read */
	size_t   document_len;
	char    *receipt;                       /* malloc'd when read */
	size_t   receipt_len;
	int64_t  received_ms;
	char    *meta;                          /* the envelope as JSON (the inbox sidecar:
	                                           sending AP, receiver, document type,
	                                           process, C1 country), for the monthly
	                                           reports; NULL in rows stored before it;
	                                           malloc'd when read */
};

/* A record refused at intake (the reader's or intake's rules), kept so
 * that the operator and the member tool can be given it back (`gateway
 * show`, `gateway list --state rejected`, GET /api/v1/refusals). A
 * rejection is history: a later revision taken in does not remove it. */
struct store_rejection {
	char     record_id[STORE_ID_MAX + 1];   /* "" when the line had no usable id */
	char     file[256];                     /* the file (or "api") it came in */
	uint32_t line;                          /* 1-based; 0 when not from a file */
	char     field[48];                     /* the field at fault, "" for the whole record */
	char     reason[256];
	int64_t  at_ms;                         /* when intake refused it */
};

/* One unit of work: messages and the store rows they come with, committed
 * once. Store rows are idempotent (a replayed unit changes nothing) and a
 * revision never lowers a record's highest one. A message with a payload
 * whose record already has a higher revision is stale: skipped and
 * reported as a duplicate. Arrays may be empty. */
struct store_unit {
	struct queue_msg *msgs;
	size_t nmsgs;
	unsigned char *dup;                     /* out, nmsgs entries (or NULL) */
	const struct store_revision *revs;
	size_t nrevs;
	const struct store_day *days;
	size_t ndays;
	const struct store_run_member *runs;
	size_t nruns;
	const struct store_filed *filed;
	size_t nfiled;
	const struct store_perm_ids *perm;
	size_t nperm;
	const struct store_inbound *inbound;    /* a message already stored is a duplicate: dup_inbound */
	size_t ninbound;
	int dup_inbound;                        /* out: 1 when an inbound row was already there */
};

struct store;

struct store_ops {
	const char *name;                       /* "sqlite", "postgres" */
	void  (*detach)(struct store *st);
	/* The unit in ONE durable transaction of the queue's database:
	 * GW_ETEMP (disk nearly full, busy) and every failure leave nothing. */
	gw_rc (*commit)(struct store *st, struct store_unit *u);
	/* A record's highest revision; payload loaded when with_payload (and
	 * kept). GW_ENOTFOUND when the record was never taken in. */
	gw_rc (*revision_get)(struct store *st, const char *record_id, int with_payload,
	                      struct store_revision *out);
	/* Every record's highest kept revision whose id starts with prefix,
	 * by id; *out malloc'd (free with store_revisions_free). */
	gw_rc (*revisions_list)(struct store *st, const char *prefix, struct store_revision **out,
	                        size_t *n);
	/* Rows of worker at employer with day in [from, to], by day. */
	gw_rc (*days_get)(struct store *st, const char *employer, const char *worker,
	                  int32_t from, int32_t to, struct store_day **out, size_t *n);
	/* The run membership of a record's newest revision in a run;
	 * GW_ENOTFOUND when none. */
	gw_rc (*run_get)(struct store *st, const char *record_id, struct store_run_member *out);
	/* Members of the run declared by msg_id, by record id; *out malloc'd. */
	gw_rc (*run_members)(struct store *st, const char *msg_id, struct store_run_member **out,
	                     size_t *n);
	/* The newest filed set under key; GW_ENOTFOUND when none. */
	gw_rc (*filed_get)(struct store *st, const char *key, struct store_filed *out);
	/* The permanent ids kept for a filing message; GW_ENOTFOUND when none. */
	gw_rc (*perm_get)(struct store *st, const char *msg_id, struct store_perm_ids *out);
	/* The received AS4 message with message_id, or else the one of sender
	 * with instance_id; GW_ENOTFOUND when neither was stored. */
	gw_rc (*inbound_get)(struct store *st, const char *message_id, const char *sender,
	                     const char *instance_id, struct store_inbound *out);
	/* Each received AS4 message with from_ms <= received_ms < to_ms, by
	 * reception, to fn (the row is the caller's only during the call;
	 * receipt not loaded). A non-OK from fn stops and is returned. NULL in
	 * a backend that cannot list them (the reports then refuse to run). */
	gw_rc (*inbound_list)(struct store *st, int64_t from_ms, int64_t to_ms,
	                      gw_rc (*fn)(void *arg, const struct store_inbound *row), void *arg);
	/* Keep n intake rejections, in ONE transaction of their own (they
	 * come with no message); a row equal in every column to one kept is
	 * not kept twice. GW_ETEMP as commit. */
	gw_rc (*rejections_put)(struct store *st, const struct store_rejection *r, size_t n);
	/* The rejections of record_id (NULL: every record) kept at or after
	 * since_ms, newest first, at most limit (0: all); *out malloc'd
	 * (free()), *n may be 0. */
	gw_rc (*rejections_list)(struct store *st, const char *record_id, int64_t since_ms,
	                         size_t limit, struct store_rejection **out, size_t *n);
};

/* A store handle begins with its ops table, whatever the backend. */
struct store {
	const struct store_ops *ops;
	struct queue *q;                        /* the outbox it shares a database with */
};

/* The store beside q, attached on first use (and detached by q's close):
 * the backend follows q's. GW_ECONFIG when q's backend has no store. */
gw_rc store_of(struct queue *q, struct store **out);

/* Shorthands over store_of() for the common calls. */
gw_rc store_commit(struct queue *q, struct store_unit *u);
/* A record's highest revision and hash (hash may be NULL). */
gw_rc store_record_get(struct queue *q, const char *record_id, uint32_t *revision,
                       char hash[65]);
/* Messages and the revisions their payloads carry (store_unit_revisions),
 * in one unit: what intake commits for records whose revision is all in
 * their messages. */
gw_rc store_enqueue(struct queue *q, struct queue_msg *msgs, size_t n, unsigned char *dup);

/* The revisions msgs carry: for each record, the highest revision among
 * its messages with a payload, hashed from the last such payload (array
 * order); payloads not kept. *revs malloc'd (NULL when none). */
gw_rc store_unit_revisions(const struct queue_msg *msgs, size_t n, struct store_revision **revs,
                           size_t *nrevs);

void store_revision_free(struct store_revision *r);        /* payload only */
void store_inbound_free(struct store_inbound *r);          /* document and receipt only */
void store_revisions_free(struct store_revision *v, size_t n);

extern const struct store_ops store_sqlite_ops;
/* Attach the SQLite store to a SQLite queue (creating or migrating its tables). */
gw_rc store_sqlite_attach(struct queue *q, struct store **out);
extern const struct store_ops store_postgres_ops;
/* Attach the PostgreSQL store to a PostgreSQL queue (migrating its tables). */
gw_rc store_postgres_attach(struct queue *q, struct store **out);

#endif
