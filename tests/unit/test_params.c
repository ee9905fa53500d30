/* test_params.c - core/params: the table is whole (one entry per id, in
 * order, every default valid for its own type and range); params_check
 * refuses an unknown key, a non-integer, a value out of range and a word
 * not among the choices, naming the key; the typed readers follow gw_cfg
 * as it changes and fall back to the table's default. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/params.h"
#include "peppol/rules/validate.h"

static void
test_table_whole(void **state)
{
	(void)state;
	size_t n;
	char err[256];
	const struct param_def *t = params_table(&n);
	struct gw_config *c = config_new();
	assert_int_equal(n, P__COUNT);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(t[i].id, i);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(t[i].key, t[j].key);
		if (t[i].type == PARAM_INT)
			assert_non_null(t[i].dflt);
		if (t[i].dflt != NULL)
			assert_int_equal(config_set(c, t[i].key, t[i].dflt), GW_OK);
	}
	/* Every default passes the check it sets for others. */
	assert_int_equal(params_check(c, err, sizeof err), GW_OK);
	config_free(c);
}

/* The bad key or value is named, with what it takes. */
static void
test_check_names_the_bad_key(void **state)
{
	(void)state;
	static const struct {
		const char *key, *value, *want;
	} bad[] = {
		{ "queue.dns", "x", "queue.dns: unknown configuration key" },
		{ "queue.expiry_s", "3d", "queue.expiry_s: '3d' is not an integer" },
		{ "queue.expiry_s", "", "queue.expiry_s: '' is not an integer" },
		{ "run.batch", "0", "run.batch: 0 is outside 1..100000" },
		{ "dimona.validate", "2", "dimona.validate: 2 is outside 0..1" },
		{ "queue.expiry_s", "99999999999999999999", "is not an integer" },
		{ "log.format", "xml", "log.format: 'xml' is not one of text|json" },
		{ "onss_batch.env", "TT", "onss_batch.env: 'TT' is not one of R|T|S" },
	};
	char err[256];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct gw_config *c = config_new();
		assert_int_equal(config_set(c, "queue.dsn", "ok.db"), GW_OK);
		assert_int_equal(config_set(c, bad[i].key, bad[i].value), GW_OK);
		err[0] = '\0';
		assert_int_equal(params_check(c, err, sizeof err), GW_ECONFIG);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("%s=%s: got \"%s\", want \"%s\"", bad[i].key, bad[i].value, err, bad[i].want);
		config_free(c);
	}
	/* The edges of a range are inside it; a word among the choices passes. */
	struct gw_config *c = config_new();
	assert_int_equal(config_set(c, "run.batch", "1"), GW_OK);
	assert_int_equal(config_set(c, "run.send_batch", "100000"), GW_OK);
	assert_int_equal(config_set(c, "onss_batch.env", "S"), GW_OK);
	assert_int_equal(params_check(c, err, sizeof err), GW_OK);
	config_free(c);
}

/* The readers: the default when unset, the value once set, a change seen
 * at once (the cache follows config_generation), and a value the check
 * would refuse read as the default. */
static void
test_readers_follow_the_config(void **state)
{
	(void)state;
	struct gw_config *saved = gw_cfg;
	gw_cfg = config_new();
	assert_string_equal(param_str(P_QUEUE_DSN), "var/queue.db");
	assert_int_equal(param_int(P_QUEUE_EXPIRY_S), 259200);
	assert_null(param_str(P_BATCH_OUTBOX));
	assert_int_equal(param_int(P_PEPPOL_MAX_INVOICE_BYTES), INVOICE_MAX_BYTES_DEFAULT);
	assert_int_equal(config_set(gw_cfg, "queue.dsn", "/srv/q.db"), GW_OK);
	assert_int_equal(config_set(gw_cfg, "queue.expiry_s", "60"), GW_OK);
	assert_string_equal(param_str(P_QUEUE_DSN), "/srv/q.db");
	assert_int_equal(param_int(P_QUEUE_EXPIRY_S), 60);
	assert_int_equal(config_set(gw_cfg, "queue.expiry_s", "soon"), GW_OK);
	assert_int_equal(param_int(P_QUEUE_EXPIRY_S), 259200);
	/* A new table, even at the same address, is read afresh. */
	config_free(gw_cfg);
	gw_cfg = config_new();
	assert_string_equal(param_str(P_QUEUE_DSN), "var/queue.db");
	config_free(gw_cfg);
	gw_cfg = saved;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_whole),
		cmocka_unit_test(test_check_names_the_bad_key),
		cmocka_unit_test(test_readers_follow_the_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
