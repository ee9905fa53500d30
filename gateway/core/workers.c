/*
 * workers.c - the life of an owner's threads (core/workers.h).
 */
#include "core/workers.h"

void
workers_init(struct workers *w)
{
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->work, NULL);
	pthread_cond_init(&w->done, NULL);
	w->stopping = 0;
	w->n = 0;
}

int
workers_add(struct workers *w, void *(*fn)(void *), void *arg)
{
	if (w->n == WORKERS_MAX || pthread_create(&w->tid[w->n], NULL, fn, arg) != 0)
		return -1;
	w->n++;
	return 0;
}

void
workers_close(struct workers *w)
{
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->mu);
	for (size_t i = 0; i < w->n; i++)
		pthread_join(w->tid[i], NULL);
	w->n = 0;
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
}
