/* test_dsn_shown.c - queue_dsn_shown: the queue's dsn as status, the
 * dashboard, config and the run log show it, never with its password. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "queue/queue.h"

/* The shown form of dsn. */
static const char *
shown(const char *dsn)
{
	static char buf[512];
	return queue_dsn_shown(dsn, buf, sizeof buf);
}

static void
test_uri_password_masked(void **state)
{
	(void)state;
	assert_string_equal(shown("postgresql://user:secret@host/db"), "postgresql://user:***@host/db");
	assert_string_equal(shown("postgres://gw:p%40ss@10.0.0.5:5433/gateway?sslmode=require"),
	    "postgres://gw:***@10.0.0.5:5433/gateway?sslmode=require");
	/* A careless '@' or '/' in the password is masked with it. */
	assert_string_equal(shown("postgresql://u:a@b/c@db.example:5432/gw"),
	    "postgresql://u:***@db.example:5432/gw");
	/* An empty password is still not shown as such. */
	assert_string_equal(shown("postgresql://u:@h/db"), "postgresql://u:***@h/db");
}

static void
test_password_parameter_masked(void **state)
{
	(void)state;
	assert_string_equal(shown("postgresql://u@h/db?sslmode=require&password=secret&x=1"),
	    "postgresql://u@h/db?sslmode=require&password=***&x=1");
	assert_string_equal(shown("postgresql://u@h/db?password=secret"),
	    "postgresql://u@h/db?password=***");
	assert_string_equal(shown("postgresql://u:one@h/db?password=two"),
	    "postgresql://u:***@h/db?password=***");
	/* The key=value form, a quoted value with a blank and an escaped quote. */
	assert_string_equal(shown("host=h password='s e\\'c' dbname=gw"),
	    "host=h password=*** dbname=gw");
	assert_string_equal(shown("password=secret host=h"), "password=*** host=h");
	/* Only a parameter named password: not one that merely ends so. */
	assert_string_equal(shown("postgresql://u@h/db?oldpassword=x"),
	    "postgresql://u@h/db?oldpassword=x");
}

static void
test_without_password_unchanged(void **state)
{
	(void)state;
	const char *same[] = { "var/queue.db", "sqlite:/srv/gw/q.db", "/tmp/a:b@c/q.db",
	    "postgresql://gateway@127.0.0.1:5432/gateway", "postgresql:///gw?host=/run/pg",
	    "postgresql://h/db?user=u%40x", "" };
	for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
		assert_string_equal(shown(same[i]), same[i]);
	char buf[8];
	assert_string_equal(queue_dsn_shown(NULL, buf, sizeof buf), "");
}

static void
test_truncated_never_leaks(void **state)
{
	(void)state;
	/* A buffer too small cuts the text; it never reaches into the secret. */
	for (size_t cap = 1; cap < 40; cap++) {
		char buf[40];
		memset(buf, 'Z', sizeof buf);
		const char *s = queue_dsn_shown("postgresql://user:topsecret@host/db", buf, cap);
		assert_true(strlen(s) < cap);
		assert_null(strstr(s, "top"));
		assert_memory_equal(s, "postgresql://user:***@host/db", strlen(s));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_password_masked),
		cmocka_unit_test(test_password_parameter_masked),
		cmocka_unit_test(test_without_password_unchanged),
		cmocka_unit_test(test_truncated_never_leaks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
