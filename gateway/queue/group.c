/*
 * queue/group.c - the group-commit writer thread (see group.h).
 *
 * Owns the request list and the writer thread. Must never answer a caller
 * before the commit that holds its rows returned, and never let one bad
 * request fail the others of its group.
 */
#include "queue/group.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct gc_req {
	struct queue_msg *msgs;
	size_t n;
	unsigned char *dup;
	gw_rc rc;
	int done;
	struct gc_req *next;
};

struct queue_group {
	struct queue *q;
	size_t max_rows;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
	struct gc_req *head, *tail;
	int stop;
	unsigned long commits;
	pthread_t thr;
	struct queue_msg *buf;        /* the writer's concatenation buffer */
	unsigned char *dupbuf;
	size_t bufcap;
};

/* Write one group: all requests in one transaction; on an input error, one by one. */
static void
gc_write(struct queue_group *g, struct gc_req *list)
{
	size_t total = 0, k = 0;
	for (struct gc_req *r = list; r != NULL; r = r->next)
		total += r->n;
	if (total > g->bufcap) {
		struct queue_msg *nb = realloc(g->buf, total * sizeof *nb);
		unsigned char *nd = realloc(g->dupbuf, total);
		if (nb != NULL)
			g->buf = nb;
		if (nd != NULL)
			g->dupbuf = nd;
		if (nb == NULL || nd == NULL) {
			for (struct gc_req *r = list; r != NULL; r = r->next)
				r->rc = GW_ENOMEM;
			return;
		}
		g->bufcap = total;
	}
	/* Shallow copies: body and payload stay the callers', who wait. */
	for (struct gc_req *r = list; r != NULL; r = r->next)
		for (size_t i = 0; i < r->n; i++)
			g->buf[k++] = r->msgs[i];
	gw_rc rc = g->q->ops->enqueue_each(g->q, g->buf, total, g->dupbuf);
	g->commits++;
	if (rc == GW_EINPUT || rc == GW_EDUP) {
		/* One request is bad: retry each alone so the others still pass. */
		for (struct gc_req *r = list; r != NULL; r = r->next) {
			r->rc = g->q->ops->enqueue_each(g->q, r->msgs, r->n, r->dup);
			g->commits++;
		}
		return;
	}
	k = 0;
	for (struct gc_req *r = list; r != NULL; r = r->next) {
		r->rc = rc;
		for (size_t i = 0; i < r->n; i++, k++) {
			if (rc != GW_OK)
				continue;
			memcpy(r->msgs[i].id, g->buf[k].id, sizeof r->msgs[i].id);
			r->msgs[i].created_ms = g->buf[k].created_ms;
			r->msgs[i].updated_ms = g->buf[k].updated_ms;
			if (r->dup != NULL)
				r->dup[i] = g->dupbuf[k];
		}
	}
}

/* The writer: take everything queued (up to max_rows), commit, release. */
static void *
gc_main(void *arg)
{
	struct queue_group *g = arg;
	pthread_mutex_lock(&g->mu);
	for (;;) {
		while (g->head == NULL && !g->stop)
			pthread_cond_wait(&g->work, &g->mu);
		if (g->head == NULL && g->stop)
			break;
		struct gc_req *list = g->head, *last = list;
		size_t rows = list->n;
		while (last->next != NULL && rows + last->next->n <= g->max_rows) {
			last = last->next;
			rows += last->n;
		}
		g->head = last->next;
		if (g->head == NULL)
			g->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&g->mu);
		gc_write(g, list);
		pthread_mutex_lock(&g->mu);
		for (struct gc_req *r = list; r != NULL; r = r->next)
			r->done = 1;
		pthread_cond_broadcast(&g->done);
	}
	pthread_mutex_unlock(&g->mu);
	return NULL;
}

/* Start the writer thread. */
gw_rc
queue_group_start(struct queue_group **gp, struct queue *q, size_t max_rows)
{
	struct queue_group *g = calloc(1, sizeof *g);
	*gp = NULL;
	if (g == NULL)
		return GW_ENOMEM;
	g->q = q;
	g->max_rows = max_rows ? max_rows : 1000;
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->work, NULL);
	pthread_cond_init(&g->done, NULL);
	if (pthread_create(&g->thr, NULL, gc_main, g) != 0) {
		free(g);
		return GW_EINTERNAL;
	}
	*gp = g;
	return GW_OK;
}

/* Queue a request and wait for its commit. */
gw_rc
queue_group_submit(struct queue_group *g, struct queue_msg *msgs, size_t n, unsigned char *dup)
{
	struct gc_req r = { .msgs = msgs, .n = n, .dup = dup, .rc = GW_OK };
	if (n == 0)
		return GW_OK;
	pthread_mutex_lock(&g->mu);
	if (g->stop) {
		pthread_mutex_unlock(&g->mu);
		return GW_ESTATE;
	}
	if (g->tail != NULL)
		g->tail->next = &r;
	else
		g->head = &r;
	g->tail = &r;
	pthread_cond_signal(&g->work);
	while (!r.done)
		pthread_cond_wait(&g->done, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return r.rc;
}

/* Number of transactions written. */
unsigned long
queue_group_commits(struct queue_group *g)
{
	pthread_mutex_lock(&g->mu);
	unsigned long c = g->commits;
	pthread_mutex_unlock(&g->mu);
	return c;
}

/* Drain and stop. */
void
queue_group_stop(struct queue_group *g)
{
	if (g == NULL)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_signal(&g->work);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thr, NULL);
	pthread_mutex_destroy(&g->mu);
	pthread_cond_destroy(&g->work);
	pthread_cond_destroy(&g->done);
	free(g->buf);
	free(g->dupbuf);
	free(g);
}
