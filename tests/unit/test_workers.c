/* test_workers.c - core/workers.h: threads started, woken by the stop and
 * joined by workers_close, whatever they were waiting on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/workers.h"

struct shared {
	struct workers pool;
	int started, returned;
};

/* Waits for work that never comes until the stop, as a channel's sender. */
static void *
idle(void *arg)
{
	struct shared *s = arg;
	pthread_mutex_lock(&s->pool.mu);
	s->started++;
	pthread_cond_broadcast(&s->pool.done);
	while (!s->pool.stopping)
		pthread_cond_wait(&s->pool.work, &s->pool.mu);
	s->returned++;
	pthread_mutex_unlock(&s->pool.mu);
	return NULL;
}

static void
test_close_wakes_and_joins(void **state)
{
	(void)state;
	struct shared s = { .started = 0 };
	workers_init(&s.pool);
	for (int i = 0; i < 3; i++)
		assert_int_equal(workers_add(&s.pool, idle, &s), 0);
	assert_int_equal(s.pool.n, 3);
	pthread_mutex_lock(&s.pool.mu);
	while (s.started < 3)
		pthread_cond_wait(&s.pool.done, &s.pool.mu);
	pthread_mutex_unlock(&s.pool.mu);
	workers_close(&s.pool);
	/* Joined: every thread has returned before workers_close did. */
	assert_int_equal(s.returned, 3);
	assert_int_equal(s.pool.n, 0);
}

/* No thread at all: closing is still clean (a channel that failed to open). */
static void
test_close_without_threads(void **state)
{
	(void)state;
	struct workers w;
	workers_init(&w);
	workers_close(&w);
	assert_int_equal(w.stopping, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_close_wakes_and_joins),
		cmocka_unit_test(test_close_without_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
