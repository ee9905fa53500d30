/*
 * queue_watch.h - says why the queue refuses writes during a run.
 *
 * The queue's backends answer a locked database and a full disk alike with
 * GW_ETEMP (retry later): right for the runner, which keeps each message
 * waiting and tries again, but silent for the operator. The watch wraps
 * the write operations of an open queue (claim, move_many, next_seq,
 * recover, enqueue_each) and logs the first temporary failure of an
 * episode as a warning naming its cause, found from outside the backend:
 * the queue's file system has (almost) no free space -> "disk full";
 * otherwise -> "database is locked" (another process held the write lock
 * longer than [queue] busy_timeout_ms). While it lasts, one more line a
 * minute; the first write that passes again says it is over.
 *
 * A send whose outcome the queue refused to store (sending -> sent, ready
 * or failed) would stay "sending" until the next start-up recovery, its
 * answer never polled: the watch notes such messages (this process's own)
 * and, at the first write that passes again, moves them back to ready,
 * where the runner looks each up before any re-send.
 */
#ifndef GW_SERVICE_QUEUE_WATCH_H
#define GW_SERVICE_QUEUE_WATCH_H

#include "core/err.h"
#include "queue/queue.h"

/* Watch q (opened on path, the [queue] dsn) until it is closed; its
 * record store is attached first. One backend per process: GW_ESTATE when
 * a queue of another backend is already watched (q is then left as it
 * is); the store's failure to attach (GW_ETEMP ...) likewise. */
gw_rc queue_watch(struct queue *q, const char *path);

/* The cause of a temporary failure of the queue at path, in words:
 * "disk full: 0 kB free in /srv/q" or "database is locked: ...". */
void queue_watch_cause(const char *path, char *out, size_t cap);

#endif
