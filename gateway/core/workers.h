/*
 * workers.h - threads that live as long as their owner (a channel's
 * senders): one lock, a condition the threads wait on for work, one their
 * owner waits on for results, and a stop flag. What the threads take and
 * hand back is the owner's; this owns only their life, so that each owner
 * does not start, wake and join its threads its own way.
 */
#ifndef GW_CORE_WORKERS_H
#define GW_CORE_WORKERS_H

#include <pthread.h>
#include <stddef.h>

#define WORKERS_MAX 64

struct workers {
	pthread_mutex_t mu;
	pthread_cond_t work;     /* broadcast when there is work, or a stop */
	pthread_cond_t done;     /* broadcast when a piece of work has ended */
	int stopping;            /* set under mu by workers_close */
	pthread_t tid[WORKERS_MAX];
	size_t n;                /* threads running */
};

/* The lock and conditions; no thread yet. */
void workers_init(struct workers *w);
/* One more thread running fn(arg): 0, or -1 when it cannot start (or
 * WORKERS_MAX run already). */
int workers_add(struct workers *w, void *(*fn)(void *), void *arg);
/* Set stopping, wake every thread, wait for each to return, then free the
 * lock and conditions. A thread returns once it sees stopping. */
void workers_close(struct workers *w);

#endif
