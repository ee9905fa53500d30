/* test_config.c - configuration file parsing and overrides. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

static char *
write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/gwcfgXXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void
test_sections_and_comments(void **state)
{
	(void)state;
	struct gw_config *c = config_new();
	char err[256];
	char *p = write_tmp("# top\nlog.level = debug\n[queue]\n dsn = var/q.db # comment\n"
	    "[dimona]\nbase_url=https://localhost:8443\n");
	assert_int_equal(config_load(c, p, err, sizeof err), GW_OK);
	assert_string_equal(config_get(c, "queue.dsn", NULL), "var/q.db");
	assert_string_equal(config_get(c, "dimona.base_url", NULL), "https://localhost:8443");
	assert_string_equal(config_get(c, "log.level", NULL), "debug");
	assert_string_equal(config_get(c, "missing", "dflt"), "dflt");
	config_set(c, "queue.dsn", "other.db");
	assert_string_equal(config_get(c, "queue.dsn", NULL), "other.db");
	unlink(p);
	config_free(c);
}

static void
test_errors_name_line(void **state)
{
	(void)state;
	struct gw_config *c = config_new();
	char err[256];
	char *p = write_tmp("a = 1\nthis line has no equals\n");
	assert_int_equal(config_load(c, p, err, sizeof err), GW_ECONFIG);
	assert_non_null(strstr(err, ":2:"));
	unlink(p);
	p = write_tmp("[broken\n");
	assert_int_equal(config_load(c, p, err, sizeof err), GW_ECONFIG);
	assert_non_null(strstr(err, ":1: bad section"));
	unlink(p);
	assert_int_equal(config_load(c, "/nonexistent/x.conf", err, sizeof err), GW_ECONFIG);
	config_free(c);
}

static void
test_int_values(void **state)
{
	(void)state;
	struct gw_config *c = config_new();
	config_set(c, "n", "42");
	config_set(c, "bad", "4x2");
	assert_int_equal(config_get_int(c, "n", 7), 42);
	assert_int_equal(config_get_int(c, "bad", 7), 7);
	assert_int_equal(config_get_int(c, "absent", 7), 7);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sections_and_comments),
		cmocka_unit_test(test_errors_name_line),
		cmocka_unit_test(test_int_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
