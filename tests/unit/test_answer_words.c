/*
 * test_answer_words.c - anomaly codes found in free text and given in
 * words from the official glossary and annex 30 (service/answer_words.c,
 * onss/glossary.c), in each of the operator's languages.
 *
 * The expected words are read off the reference files by hand:
 * FB_Dimona_20232_NL.xml has 90373-334 "Overlappende Dimonaperiode",
 * severity B, in block 90373 "Dimona IN aangifte"; ErrorCodes2022-1_30.xml
 * labels code 334 "Overlappend" / "En chevauchement".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/config.h"
#include "onss/codelist.h"
#include "onss/glossary.h"
#include "service/answer_words.h"

static int
setup(void **state)
{
	(void)state;
	const char *ref = getenv("REF");
	setenv("GW_REFERENCE_DIR", ref ? ref : "../shared/reference", 1);
	gw_cfg = config_new();
	return gw_cfg == NULL;
}

static int
teardown(void **state)
{
	(void)state;
	onss_glossary_free();
	onss_codelist_free();
	config_free(gw_cfg);
	gw_cfg = NULL;
	return 0;
}

/* Every code of a text, in order, as one comma-separated string. */
static void
codes_of(const char *text, char *out, size_t cap)
{
	char code[16];
	size_t pos = 0, off = 0;
	out[0] = '\0';
	while (answer_next_code(text, &pos, code, sizeof code) && off < cap)
		off += (size_t)snprintf(out + off, cap - off, "%s%s", off ? "," : "", code);
}

static void
test_codes_are_found_by_shape(void **state)
{
	(void)state;
	char got[256];
	codes_of("answer refused; 90373-334 (DimonaIn), 00024-008", got, sizeof got);
	assert_string_equal(got, "90373-334,00024-008");
	codes_of("ACRF-088 and ACRF-172", got, sizeof got);
	assert_string_equal(got, "ACRF-088,ACRF-172");
	/* Inside longer tokens, too short or too long: not codes. */
	codes_of("x90373-334 90373-3345 9037-334 190373-334 sha256:12345-678a", got, sizeof got);
	assert_string_equal(got, "");
	codes_of("", got, sizeof got);
	assert_string_equal(got, "");
}

static void
test_dutch_is_the_glossary_title(void **state)
{
	(void)state;
	char w[512];
	config_set(gw_cfg, "operator.language", "nl");
	assert_int_equal(answer_words("90373-334", w, sizeof w), 1);
	assert_string_equal(w, "Overlappende Dimonaperiode (blokkerend; Dimona IN aangifte)");
	/* A zone anomaly: the zone's title. */
	struct glossary_anomaly a;
	assert_int_equal(glossary_anomaly_find("00958-001", &a), GW_OK);
	assert_string_equal(a.title_nl, "Niet aanwezig");
	assert_string_equal(a.severity, "B");
	assert_string_equal(a.zone_nl, "AANTAL DAGEN - ONVOLLEDIGE MAAND");
}

static void
test_french_is_annex_30_then_the_dutch_title(void **state)
{
	(void)state;
	char w[512];
	config_set(gw_cfg, "operator.language", "fr");
	assert_int_equal(answer_words("90373-334", w, sizeof w), 1);
	assert_string_equal(w, "En chevauchement - Overlappende Dimonaperiode (nl)"
	    " (bloquant; Dimona IN aangifte)");
	/* Where the Dutch title says no more than annex 30, it is not repeated. */
	assert_int_equal(answer_words("00958-001", w, sizeof w), 1);
	assert_string_equal(w, "Non présent (bloquant; AANTAL DAGEN - ONVOLLEDIGE MAAND)");
}

static void
test_english_is_marked_dutch(void **state)
{
	(void)state;
	char w[512];
	config_set(gw_cfg, "operator.language", "en");
	assert_int_equal(answer_words("90373-334", w, sizeof w), 1);
	assert_string_equal(w, "Overlappende Dimonaperiode (nl) (blocking; Dimona IN aangifte)");
}

static void
test_unknown_codes_have_no_words(void **state)
{
	(void)state;
	char w[64] = "x";
	config_set(gw_cfg, "operator.language", "nl");
	/* 99999-999: no glossary row and no annex-30 code 999. */
	assert_int_equal(answer_words("99999-999", w, sizeof w), 0);
	assert_string_equal(w, "");
	/* ACRF codes are in annex 30 only: its label (code 088), no severity. */
	char w2[128];
	assert_int_equal(answer_words("ACRF-088", w2, sizeof w2), 1);
	assert_string_equal(w2, "Schema niet gekend");
}

/* The Dimona channel writes an answer's informations after its anomalies
 * ("...; information CODE, CODE"): they are told apart, and printed so. */
static void
test_informations_are_apart_from_anomalies(void **state)
{
	(void)state;
	const char *t = "refused: 90373-334 (DimonaIn), 00024-008; information 90373-334, 00913-045";
	char code[16], an[128] = "", info[128] = "";
	size_t pos = 0;
	while (answer_next_code(t, &pos, code, sizeof code)) {
		char *dst = answer_code_is_information(t, pos) ? info : an;
		size_t len = strlen(dst);
		snprintf(dst + len, 128 - len, "%s%s", len ? "," : "", code);
	}
	assert_string_equal(an, "90373-334,00024-008");
	assert_string_equal(info, "90373-334,00913-045");
	/* Only informations, as an accepted answer may carry. */
	pos = 0;
	const char *only = "information 00913-045";
	assert_true(answer_next_code(only, &pos, code, sizeof code));
	assert_true(answer_code_is_information(only, pos));

	config_set(gw_cfg, "operator.language", "nl");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	answer_words_print(f, "  ", "90373-334 (x); information 00913-045");
	fclose(f);
	assert_non_null(strstr(buf, "  90373-334: Overlappende Dimonaperiode"));
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	answer_words_print(f, "  ", "information 90373-334");
	fclose(f);
	assert_non_null(strstr(buf, "  information 90373-334: Overlappende Dimonaperiode"));
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_are_found_by_shape),
		cmocka_unit_test(test_informations_are_apart_from_anomalies),
		cmocka_unit_test(test_dutch_is_the_glossary_title),
		cmocka_unit_test(test_french_is_annex_30_then_the_dutch_title),
		cmocka_unit_test(test_english_is_marked_dutch),
		cmocka_unit_test(test_unknown_codes_have_no_words),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
