/* test_backoff.c - capped exponential back-off with jitter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "queue/queue.h"

static void
test_grows_then_caps(void **state)
{
	(void)state;
	uint64_t rng = 42;
	/* Every delay lies in [d/2, d] with d = min(cap, base * 2^(n-1)). */
	for (uint32_t n = 1; n <= 40; n++) {
		int64_t d = 1000;
		for (uint32_t i = 1; i < n && d < 60000; i++)
			d *= 2;
		if (d > 60000)
			d = 60000;
		for (int k = 0; k < 50; k++) {
			int64_t v = queue_backoff_ms(n, 1000, 60000, &rng);
			assert_true(v >= d / 2);
			assert_true(v <= d);
		}
	}
	/* Huge attempt counts neither overflow nor pass the cap. */
	int64_t v = queue_backoff_ms(UINT32_MAX, 1000, 3600000, &rng);
	assert_true(v >= 1800000 && v <= 3600000);
}

static void
test_jitter_spreads(void **state)
{
	(void)state;
	uint64_t rng = 7;
	int64_t lo = INT64_MAX, hi = 0;
	for (int k = 0; k < 1000; k++) {
		int64_t v = queue_backoff_ms(5, 1000, 600000, &rng);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	/* d = 16000: the spread must cover most of [8000, 16000]. */
	assert_true(lo < 9000);
	assert_true(hi > 15000);
}

static void
test_degenerate_inputs(void **state)
{
	(void)state;
	uint64_t rng = 0;
	assert_true(queue_backoff_ms(0, 0, 0, &rng) >= 1);
	assert_true(queue_backoff_ms(3, 500, 100, &rng) <= 500);   /* cap below base: base wins */
	assert_true(queue_backoff_ms(1, 1000, 60000, NULL) == 500);  /* no rng: lower bound */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_then_caps),
		cmocka_unit_test(test_jitter_spreads),
		cmocka_unit_test(test_degenerate_inputs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
