/* test_log.c - log lines name the message and record, in text and JSON. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"

/* Run fn with stderr captured into buf. */
static void
capture(void (*fn)(void), char *buf, size_t cap)
{
	char path[] = "/tmp/gwlogXXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	fn();
	dup2(saved, STDERR_FILENO);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	ssize_t n = read(fd, buf, cap - 1);
	buf[n < 0 ? 0 : n] = '\0';
	close(fd);
	unlink(path);
}

static void emit_text(void) { log_init("t", LOG_LVL_INFO, LOG_FMT_TEXT); log_info("M1", "C-001", "sent %d", 3); log_debug(NULL, NULL, "hidden"); }
static void emit_json(void) { log_init("t", LOG_LVL_DEBUG, LOG_FMT_JSON); log_warn("M\"2", NULL, "quote \" and\nnewline"); }
static void emit_errno(void) { log_init("t", LOG_LVL_INFO, LOG_FMT_TEXT); errno = ENOENT; log_error_errno(NULL, "R9", "open x"); }

static void
test_text_line(void **state)
{
	(void)state;
	char buf[1024];
	capture(emit_text, buf, sizeof buf);
	assert_non_null(strstr(buf, " info t["));
	assert_non_null(strstr(buf, " msg=M1 record=C-001 sent 3\n"));
	assert_null(strstr(buf, "hidden"));
	assert_int_equal(strchr(buf, '\n') - buf + 1, (long)strlen(buf));  /* exactly one line */
}

static void
test_json_line_escapes(void **state)
{
	(void)state;
	char buf[1024];
	capture(emit_json, buf, sizeof buf);
	assert_non_null(strstr(buf, "\"level\":\"warn\""));
	assert_non_null(strstr(buf, "\"msg\":\"M\\\"2\""));
	assert_null(strstr(buf, "\"record\""));
	assert_non_null(strstr(buf, "\"text\":\"quote \\\" and\\u000anewline\"}\n"));
}

static void
test_errno_variant(void **state)
{
	(void)state;
	char buf[1024];
	capture(emit_errno, buf, sizeof buf);
	assert_non_null(strstr(buf, "record=R9 open x: No such file or directory\n"));
}

static void
test_parse_names(void **state)
{
	(void)state;
	assert_int_equal(log_parse_format("json"), LOG_FMT_JSON);
	assert_int_equal(log_parse_format("xml"), -1);
	assert_int_equal(log_parse_level("warn"), LOG_LVL_WARN);
	assert_int_equal(log_parse_level("loud"), -1);
}

/* INSS numbers, names and birth dates are masked unless shown on purpose. */
static void
test_personal_data_masked(void **state)
{
	(void)state;
	char a[64];
	assert_int_equal(log_personal_shown(), 0);      /* the default */
	assert_string_equal(log_inss("85073003328", a, sizeof a), "**.**.**-***.28");
	assert_string_equal(log_inss("", a, sizeof a), "");
	assert_string_equal(log_name("Dupont", a, sizeof a), "D.");
	assert_string_equal(log_name("\xc3\x89lise", a, sizeof a), "\xc3\x89.");   /* Elise with an acute E */
	assert_string_equal(log_name("", a, sizeof a), "");
	assert_string_equal(log_birth(19850730, a, sizeof a), "****-**-**");
	assert_string_equal(log_birth(0, a, sizeof a), "-");
	log_set_personal_shown(1);
	assert_string_equal(log_inss("85073003328", a, sizeof a), "85073003328");
	assert_string_equal(log_name("Dupont", a, sizeof a), "Dupont");
	assert_string_equal(log_birth(19850730, a, sizeof a), "1985-07-30");
	log_set_personal_shown(0);
	/* A short buffer truncates, never overflows. */
	char small[6];
	assert_string_equal(log_inss("85073003328", small, sizeof small), "**.**");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_personal_data_masked),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_json_line_escapes),
		cmocka_unit_test(test_errno_variant),
		cmocka_unit_test(test_parse_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
