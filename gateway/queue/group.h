/*
 * group.h - group commit: many callers, one durable transaction.
 *
 * Intake that acknowledges each record on its own (an HTTP request, a
 * producer thread) would pay one fsync per record. A dedicated writer
 * thread collects whatever requests arrived while the previous commit was
 * on disk, writes them in one transaction through the queue interface
 * (enqueue_each), and releases every caller after that commit returned.
 * No caller is ever told "done" before its rows are durable.
 */
#ifndef GW_QUEUE_GROUP_H
#define GW_QUEUE_GROUP_H

#include "queue/queue.h"

struct queue_group;

/* Start the writer on q (which the writer alone uses from then on).
 * max_rows bounds one transaction. */
gw_rc queue_group_start(struct queue_group **g, struct queue *q, size_t max_rows);
/* Enqueue msgs durably; blocks until committed. dup[i] (may be NULL) as in
 * enqueue_each. Thread-safe. */
gw_rc queue_group_submit(struct queue_group *g, struct queue_msg *msgs, size_t n,
                         unsigned char *dup);
/* Commits counted so far (for benchmarks: rows per commit). */
unsigned long queue_group_commits(struct queue_group *g);
/* Finish pending requests, stop the writer; q stays open. */
void queue_group_stop(struct queue_group *g);

#endif
