/*
 * queue/sqlite_db.h - what the SQLite outbox shares with the SQLite record
 * store (store/sqlite.c), and with nothing else: the one connection, the
 * write transaction and the insert of a message inside it. The store's
 * unit of work commits its rows and the messages they cause in ONE
 * transaction of this connection.
 */
#ifndef GW_QUEUE_SQLITE_DB_H
#define GW_QUEUE_SQLITE_DB_H

#include <sqlite3.h>
#include "queue/queue.h"

/* The connection of a SQLite queue; NULL when q is another backend. */
sqlite3 *queue_sqlite_db(struct queue *q);
/* BEGIN IMMEDIATE after the free-space check (GW_ETEMP when nearly full). */
gw_rc queue_sqlite_begin_adding(struct queue *q);
/* COMMIT, checked; rolled back on failure. */
gw_rc queue_sqlite_commit(struct queue *q);
void queue_sqlite_rollback(struct queue *q);
/* Insert one message inside the open transaction (as enqueue_each does);
 * *dup when its (record_id, revision, kind) was already there. */
gw_rc queue_sqlite_insert(struct queue *q, struct queue_msg *m, int64_t now_ms, int *dup);
/* Map an SQLite result code to the gateway's (full, busy: GW_ETEMP). */
gw_rc queue_sqlite_rc(int rc);

#endif
