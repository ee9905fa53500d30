/*
 * test_progress.c - the progress line: silent off a terminal, a bar with
 * the percentage and the counts on one, redrawn in place, erased at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include "core/progress.h"

static void
test_silent_without_a_stream(void **state)
{
	(void)state;
	struct progress p;
	progress_start_on(&p, NULL, "intake", 10);
	progress_set(&p, 5);
	progress_end(&p);
	assert_int_equal(p.done, 5);
	assert_int_equal(p.drawn, 0);
}

static void
test_bar_counts_and_erase(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct progress p;
	progress_start_on(&p, f, "DmfA", 200);
	progress_set(&p, 50);           /* first call always draws */
	fflush(f);
	/* 50/200: a quarter of 24 cells is 6, 25%. */
	assert_non_null(strstr(buf, "\rDmfA [######                  ]  25% 50/200 "));
	size_t before = len;
	progress_set(&p, 60);           /* within 100 ms: not redrawn */
	fflush(f);
	assert_int_equal(len, before);
	progress_end(&p);
	fclose(f);
	assert_string_equal(buf + before, "\r\033[K");
	free(buf);
}

static void
test_unknown_total_is_a_count(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct progress p;
	progress_start_on(&p, f, "intake", 0);
	progress_set(&p, 1234);
	fclose(f);
	assert_non_null(strstr(buf, "\rintake 1234 "));
	assert_null(strchr(buf, '#'));
	assert_null(strchr(buf, '%'));
	free(buf);
}

/* The hook's decision: a line on a terminal (a pseudo-terminal here, as
 * `script` or an ssh session gives), never on a pipe or a file, nor on a
 * terminal that says it is dumb. */
static void
test_wanted_only_on_a_terminal(void **state)
{
	(void)state;
	int pfd[2];
	assert_int_equal(pipe(pfd), 0);
	assert_false(progress_wanted(pfd[1], "xterm"));
	close(pfd[0]);
	close(pfd[1]);
	FILE *f = tmpfile();
	assert_non_null(f);
	assert_false(progress_wanted(fileno(f), "xterm"));
	fclose(f);
	int m = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	int t = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(t >= 0);
	assert_true(progress_wanted(t, "xterm"));
	assert_true(progress_wanted(t, NULL));
	assert_false(progress_wanted(t, "dumb"));
	close(t);
	close(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_silent_without_a_stream),
		cmocka_unit_test(test_wanted_only_on_a_terminal),
		cmocka_unit_test(test_bar_counts_and_erase),
		cmocka_unit_test(test_unknown_total_is_a_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
