/* test_array.c - core/array: the array grows by doubling from its first
 * size, keeps its elements, does nothing while there is room, and refuses
 * (GW_ENOMEM, array untouched) a capacity whose size in bytes would
 * overflow size_t. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/array.h"

struct pair {
	long a, b;
};

static void
test_grows_and_keeps(void **state)
{
	(void)state;
	struct pair *v = NULL;
	size_t n = 0, cap = 0;
	size_t caps[5] = { 0 };
	int ncaps = 0;
	for (long i = 0; i < 100; i++) {
		size_t before = cap;
		assert_int_equal(ARRAY_RESERVE(v, n, cap, 8), GW_OK);
		if (cap != before)
			caps[ncaps++] = cap;
		assert_true(n < cap);
		v[n].a = i;
		v[n].b = -i;
		n++;
	}
	/* 8, 16, 32, 64, 128: doubling from the first size. */
	assert_int_equal(ncaps, 5);
	assert_int_equal(caps[0], 8);
	assert_int_equal(caps[4], 128);
	for (long i = 0; i < 100; i++) {
		assert_int_equal(v[i].a, i);
		assert_int_equal(v[i].b, -i);
	}
	/* With room left, nothing moves. */
	struct pair *same = v;
	assert_int_equal(ARRAY_RESERVE(v, 100, cap, 8), GW_OK);
	assert_ptr_equal(v, same);
	assert_int_equal(cap, 128);
	free(v);

	/* No first size: one element. */
	char *c = NULL;
	cap = 0;
	assert_int_equal(ARRAY_RESERVE(c, 0, cap, 0), GW_OK);
	assert_int_equal(cap, 1);
	free(c);
}

/* The byte count is checked before realloc: a doubled capacity or its
 * size in bytes past SIZE_MAX is GW_ENOMEM, and the array is unchanged. */
static void
test_overflow_refused(void **state)
{
	(void)state;
	char marker[4] = "abc";
	char *v = marker;            /* never reallocated: each call must refuse first */
	size_t cap = SIZE_MAX / 2 + 1;
	assert_int_equal(ARRAY_RESERVE(v, cap, cap, 8), GW_ENOMEM);
	assert_ptr_equal(v, marker);
	assert_int_equal(cap, SIZE_MAX / 2 + 1);

	/* Doubling fits in size_t, the byte count does not: 2^61 * 2 elements of 16. */
	struct pair *p = (struct pair *)marker;
	cap = (size_t)1 << 61;
	assert_int_equal(ARRAY_RESERVE(p, cap, cap, 8), GW_ENOMEM);
	assert_ptr_equal(p, (struct pair *)marker);
	assert_int_equal(cap, (size_t)1 << 61);

	/* An index at SIZE_MAX has no next capacity. */
	cap = 0;
	v = marker;
	assert_int_equal(array_reserve(&v, SIZE_MAX, &cap, 1, 8), GW_ENOMEM);
	assert_ptr_equal(v, marker);
	assert_int_equal(cap, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grows_and_keeps),
		cmocka_unit_test(test_overflow_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
