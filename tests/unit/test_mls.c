/* test_mls.c - Message Level Status: every official example passes the
 * native MLS rules and parses to its code; one mutant per rule makes
 * exactly the rules it breaks fire; what mls_build writes passes the rules
 * and reads back the same; what would break a rule is refused, named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peppol/mls/mls.h"

static char mdir[512];

/* A reference example, NUL-terminated (malloc'd). */
static char *
slurp(const char *name, size_t *len)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", mdir, name);
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot read %s", path);
	char *buf = malloc(1 << 16);
	assert_non_null(buf);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* The rules that fired, in order, each followed by a space. */
static void
collect(void *arg, const char *rule, const char *text)
{
	char *acc = arg;
	(void)text;
	size_t n = strlen(acc);
	snprintf(acc + n, 512 - n, "%s ", rule);
}

static int
setup(void **state)
{
	(void)state;
	const char *ref = getenv("REF");
	snprintf(mdir, sizeof mdir, "%s/peppol/mls", ref ? ref : "../shared/reference");
	return 0;
}

static void
test_examples_pass(void **state)
{
	(void)state;
	static const struct { const char *file, *code; int issues; } ex[] = {
		{ "MessageLevelStatus_Example_AP.xml", "AP", 0 },
		{ "MessageLevelStatus_Example_AB.xml", "AB", -1 },
		{ "MessageLevelStatus_Example_AB2.xml", "AB", -1 },
		{ "MessageLevelStatus_Example_AB3.xml", "AB", -1 },
		{ "MessageLevelStatus_Example_RE.xml", "RE", 1 },
		{ "MessageLevelStatus_Example_RE2.xml", "RE", -1 },
		{ "MessageLevelStatus_Example_RE3.xml", "RE", -1 },
		{ "MessageLevelStatus_Example_RE4.xml", "RE", -1 },
	};
	for (size_t i = 0; i < sizeof ex / sizeof *ex; i++) {
		size_t len;
		char *x = slurp(ex[i].file, &len), fired[512] = "", why[256];
		struct mls m;
		int n = mls_check(x, len, collect, fired);
		if (n != 0)
			fail_msg("%s: %d rules fired: %s", ex[i].file, n, fired);
		assert_int_equal(mls_parse(x, len, &m, why, sizeof why), GW_OK);
		assert_string_equal(m.code, ex[i].code);
		assert_memory_equal(m.sender, "123456", 6);
		assert_true(m.ref_id[0] != '\0');
		if (ex[i].issues >= 0)
			assert_int_equal(m.nissues, ex[i].issues);
		if (strcmp(m.code, "RE") == 0)
			assert_true(m.nissues > 0 && m.description[0] != '\0');
		free(x);
	}
}

/* base with the first occurrence of from replaced by to. */
static char *
mutate(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	if (at == NULL)
		fail_msg("mutant: \"%s\" is not in the example", from);
	size_t n = strlen(base) - strlen(from) + strlen(to);
	char *out = malloc(n + 1);
	assert_non_null(out);
	size_t head = (size_t)(at - base);
	memcpy(out, base, head);
	memcpy(out + head, to, strlen(to));
	memcpy(out + head + strlen(to), at + strlen(from), strlen(at + strlen(from)) + 1);
	return out;
}

static void
test_mutants_fail(void **state)
{
	(void)state;
	static const struct { const char *from, *to, *fired; } mu[] = {
		{ "mls:1.0</cbc:CustomizationID>", "mls:1.1</cbc:CustomizationID>", "SCH-MLS-01 " },
		{ "edec:mls</cbc:ProfileID>", "edec:mlsx</cbc:ProfileID>", "SCH-MLS-02 " },
		{ "<cbc:ID>MLS-ID123</cbc:ID>", "<cbc:ID>  </cbc:ID>", "SCH-MLS-03 " },
		{ "2025-03-11</cbc:IssueDate>", "2025-03-11Z</cbc:IssueDate>", "SCH-MLS-04 " },
		{ "<cbc:IssueTime>12:00:00Z</cbc:IssueTime>", "", "SCH-MLS-05 SCH-MLS-06 " },
		{ "12:00:00Z", "12:00:00", "SCH-MLS-06 " },
		{ "12:00:00Z", "12:00:00+0100", "SCH-MLS-06 " },
		{ "<cac:SenderParty>\n    <cbc:EndpointID schemeID=\"0242\">123456</cbc:EndpointID>",
		  "<cac:SenderParty>", "SCH-MLS-07 SCH-MLS-08 SCH-MLS-09 SCH-MLS-10 SCH-MLS-11 " },
		{ "\"0242\">123456<", "\"0242\"> <", "SCH-MLS-08 SCH-MLS-09 " },
		{ "\"0242\">123456<", "\"0242\">12345<", "SCH-MLS-09 " },
		{ "\"0242\">123456<", "\"0242\">123456-ab<", "SCH-MLS-09 " },
		{ "schemeID=\"0242\">123456<", ">123456<", "SCH-MLS-10 SCH-MLS-11 " },
		{ "\"0242\">123456<", "\"0088\">123456<", "SCH-MLS-11 " },
		{ "<cac:ReceiverParty>\n    <cbc:EndpointID schemeID=\"0242\">234567</cbc:EndpointID>",
		  "<cac:ReceiverParty>", "SCH-MLS-12 SCH-MLS-13 SCH-MLS-14 SCH-MLS-15 SCH-MLS-16 " },
		{ "\"0242\">234567<", "\"0242\"> <", "SCH-MLS-13 SCH-MLS-14 " },
		{ "\"0242\">234567<", "\"0242\">234567.x<", "SCH-MLS-14 " },
		{ "schemeID=\"0242\">234567<", ">234567<", "SCH-MLS-15 SCH-MLS-16 " },
		{ "\"0242\">234567<", "\"9925\">234567<", "SCH-MLS-16 " },
		{ "<cac:DocumentResponse>", "<cac:DocumentResponse/><cac:DocumentResponse>", "SCH-MLS-17 "
		  "SCH-MLS-18 SCH-MLS-19 SCH-MLS-22 " },
		{ "<cbc:ResponseCode>RE</cbc:ResponseCode>", "", "SCH-MLS-18 SCH-MLS-19 SCH-MLS-25 " },
		{ ">RE</cbc:ResponseCode>", ">RJ</cbc:ResponseCode>", "SCH-MLS-19 SCH-MLS-25 " },
		{ "<cbc:Description>Rejected due to validation errors</cbc:Description>", "",
		  "SCH-MLS-20 SCH-MLS-21 " },
		{ ">Rejected due to validation errors<", "> <", "SCH-MLS-21 " },
		{ "</cac:DocumentReference>", "</cac:DocumentReference><cac:DocumentReference><cbc:ID>x"
		  "</cbc:ID></cac:DocumentReference>", "SCH-MLS-22 " },
		{ "<cac:LineResponse>", "<cac:LineResponseX>", "SCH-MLS-23 SCH-MLS-24 " },
		{ ">BV<", ">BW<", "SCH-MLS-24 " },
		{ ">RE</cbc:ResponseCode>", ">AP</cbc:ResponseCode>", "SCH-MLS-25 " },
		{ ">RE</cbc:ResponseCode>", ">AB</cbc:ResponseCode>", "SCH-MLS-25 " },
		{ ">90f14eff-3705-4869-ad3c-caae270a234e<", "><", "SCH-MLS-26 " },
		{ "<cbc:LineID>/Catalogue/cac:CatalogueLine[3]/cac:Item[1]/cac:ClassifiedTaxCategory[1]/"
		  "cbc:ID[1]</cbc:LineID>", "<cbc:LineID>  </cbc:LineID>", "SCH-MLS-27 " },
		{ "<cbc:Description>Validation gives", "<cbc:Note>Validation gives", "SCH-MLS-28 SCH-MLS-29 " },
		{ "<cac:Status>", "<cac:StatusX>", "SCH-MLS-24 SCH-MLS-30 " },
		{ ">BV<", ">XX<", "SCH-MLS-24 SCH-MLS-31 " },
		{ ">BV<", ">BV BW<", "SCH-MLS-24 SCH-MLS-31 " },
		{ "ApplicationResponse-2\"", "ApplicationResponse-3\"", "MLS " },
	};
	size_t len;
	char *base = slurp("MessageLevelStatus_Example_RE.xml", &len);
	for (size_t i = 0; i < sizeof mu / sizeof *mu; i++) {
		char *x = mutate(base, mu[i].from, mu[i].to), fired[512] = "";
		/* Some mutants close what they opened ("LineResponseX"): keep them well-formed. */
		char *y = x;
		if (strstr(mu[i].to, "LineResponseX") != NULL)
			y = mutate(x, "</cac:LineResponse>", "</cac:LineResponseX>");
		else if (strstr(mu[i].to, "StatusX") != NULL)
			y = mutate(x, "</cac:Status>", "</cac:StatusX>");
		else if (strstr(mu[i].to, "<cbc:Note>") != NULL)
			y = mutate(x, "5305 code list</cbc:Description>", "5305 code list</cbc:Note>");
		int n = mls_check(y, strlen(y), collect, fired);
		if (strcmp(fired, mu[i].fired) != 0)
			fail_msg("mutant %zu (%s -> %s): fired \"%s\", expected \"%s\"", i, mu[i].from,
			         mu[i].to, fired, mu[i].fired);
		assert_true(n > 0);
		if (y != x)
			free(y);
		free(x);
	}
	free(base);
	assert_int_equal(mls_check("<a", 2, NULL, NULL), -1);
}

static void
test_build_roundtrip(void **state)
{
	(void)state;
	struct mls m, r;
	char *x, why[256];
	size_t len;
	memset(&m, 0, sizeof m);
	snprintf(m.id, sizeof m.id, "mls-1");
	snprintf(m.issue_date, sizeof m.issue_date, "2026-12-06");
	snprintf(m.issue_time, sizeof m.issue_time, "08:00:00Z");
	snprintf(m.sender, sizeof m.sender, "000102");
	snprintf(m.receiver, sizeof m.receiver, "000101");
	snprintf(m.code, sizeof m.code, "RE");
	snprintf(m.description, sizeof m.description, "Rejected: <BR-CO-15> & more");
	snprintf(m.ref_id, sizeof m.ref_id, "7c0a3c4e-0000-4000-8000-000000000001");
	m.nissues = 2;
	snprintf(m.issue[0].line_id, sizeof m.issue[0].line_id, "NA");
	snprintf(m.issue[0].description, sizeof m.issue[0].description, "[BR-CO-15] total <> sum");
	snprintf(m.issue[0].reason, sizeof m.issue[0].reason, "BV");
	snprintf(m.issue[1].line_id, sizeof m.issue[1].line_id, "/Invoice/cbc:Note[1]");
	snprintf(m.issue[1].description, sizeof m.issue[1].description, "a warning");
	snprintf(m.issue[1].reason, sizeof m.issue[1].reason, "BW");
	assert_int_equal(mls_build(&m, &x, &len, why, sizeof why), GW_OK);
	char fired[512] = "";
	if (mls_check(x, len, collect, fired) != 0)
		fail_msg("built MLS breaks %s\n%s", fired, x);
	assert_int_equal(mls_parse(x, len, &r, why, sizeof why), GW_OK);
	assert_string_equal(r.code, "RE");
	assert_string_equal(r.description, m.description);
	assert_string_equal(r.ref_id, m.ref_id);
	assert_string_equal(r.sender, "000102");
	assert_string_equal(r.receiver, "000101");
	assert_string_equal(r.issue_time, "08:00:00Z");
	assert_int_equal(r.nissues, 2);
	assert_string_equal(r.issue[0].description, m.issue[0].description);
	assert_string_equal(r.issue[1].line_id, m.issue[1].line_id);
	assert_string_equal(r.issue[1].reason, "BW");
	free(x);

	/* An AP with only a warning is an AP. */
	snprintf(m.code, sizeof m.code, "AP");
	m.issue[0] = m.issue[1];
	m.nissues = 1;
	assert_int_equal(mls_build(&m, &x, &len, why, sizeof why), GW_OK);
	assert_int_equal(mls_check(x, len, NULL, NULL), 0);
	free(x);
}

static void
test_build_refuses(void **state)
{
	(void)state;
	struct mls m;
	char *x = NULL, why[256];
	size_t len;
	memset(&m, 0, sizeof m);
	snprintf(m.id, sizeof m.id, "mls-2");
	snprintf(m.issue_date, sizeof m.issue_date, "2026-12-06");
	snprintf(m.issue_time, sizeof m.issue_time, "08:00:00Z");
	snprintf(m.sender, sizeof m.sender, "000102");
	snprintf(m.receiver, sizeof m.receiver, "PBE000101");
	snprintf(m.code, sizeof m.code, "RE");
	snprintf(m.description, sizeof m.description, "no");
	snprintf(m.ref_id, sizeof m.ref_id, "x");
	assert_int_equal(mls_build(&m, &x, &len, why, sizeof why), GW_EINPUT);
	assert_non_null(strstr(why, "receiver \"PBE000101\""));
	assert_null(x);
	snprintf(m.receiver, sizeof m.receiver, "000101");
	assert_int_equal(mls_build(&m, &x, &len, why, sizeof why), GW_EINPUT);   /* RE, no issue */
	assert_non_null(strstr(why, "RE needs"));
	snprintf(m.code, sizeof m.code, "AP");
	m.nissues = 1;
	snprintf(m.issue[0].line_id, sizeof m.issue[0].line_id, "NA");
	snprintf(m.issue[0].description, sizeof m.issue[0].description, "bad");
	snprintf(m.issue[0].reason, sizeof m.issue[0].reason, "FD");
	assert_int_equal(mls_build(&m, &x, &len, why, sizeof why), GW_EINPUT);   /* AP with a failure */
	assert_non_null(strstr(why, "AP cannot"));
	snprintf(m.code, sizeof m.code, "OK");
	assert_int_equal(mls_build(&m, &x, &len, why, sizeof why), GW_EINPUT);
	assert_non_null(strstr(why, "code \"OK\""));
}

/* What a sender cannot match or record is refused by the reader, named. */
static void
test_parse_refuses(void **state)
{
	(void)state;
	static const struct { const char *from, *to, *why; } bad[] = {
		{ "ApplicationResponse-2\"", "ApplicationResponse-3\"", "not a UBL ApplicationResponse" },
		{ "mls:1.0</cbc:CustomizationID>", "mls:2.0</cbc:CustomizationID>", "CustomizationID is" },
		{ "<cac:DocumentResponse>", "<cac:DocumentResponse></cac:DocumentResponse><cac:DocumentResponse>",
		  "exactly one DocumentResponse" },
		{ ">RE</cbc:ResponseCode>", ">OK</cbc:ResponseCode>", "ResponseCode is not" },
		{ ">90f14eff-3705-4869-ad3c-caae270a234e<", "> <", "DocumentReference/ID" },
		{ "<?xml", "<!DOCTYPE x [<!ENTITY e \"x\">]><?xml", "MLS:" },
	};
	size_t len;
	char *base = slurp("MessageLevelStatus_Example_RE.xml", &len), why[256];
	struct mls m;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char *x = mutate(base, bad[i].from, bad[i].to);
		assert_int_equal(mls_parse(x, strlen(x), &m, why, sizeof why), GW_EINPUT);
		if (strstr(why, bad[i].why) == NULL)
			fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, bad[i].why);
		free(x);
	}
	free(base);
}

static void
test_spid(void **state)
{
	(void)state;
	char s[16];
	assert_true(mls_spid_of_cn("PBE000101", s, sizeof s));
	assert_string_equal(s, "000101");
	assert_false(mls_spid_of_cn("PBE00010", s, sizeof s));
	assert_false(mls_spid_of_cn("PBE00010X", s, sizeof s));
	assert_true(mls_spid_valid("000101"));
	assert_true(mls_spid_valid("123456-abc"));
	assert_true(mls_spid_valid("123456-ABC_1.x~-"));
	assert_false(mls_spid_valid("123456-ab"));
	assert_false(mls_spid_valid("123456-abc.xy"));
	assert_false(mls_spid_valid("1234567"));
	assert_false(mls_spid_valid(""));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_pass),
		cmocka_unit_test(test_mutants_fail),
		cmocka_unit_test(test_build_roundtrip),
		cmocka_unit_test(test_build_refuses),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_spid),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
