/* test_records.c - the contract reader used directly: field values in the
 * struct, resynchronisation after bad records, CSV and JSON Lines details,
 * canonical JSON both ways. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "records/reader.h"

#define HDR "contract_id,revision,status,employer_noss,employer_kbo,worker_inss," \
	"worker_type,joint_committee,worker_code,start_date,start_time,end_date,end_time," \
	"planned_hours,days_worked,hours_worked,gross_wage_cents"
#define OKROW "C-1,1,active,051234526,0456789034,85073003328,OTH,304,046,2026-12-05,," \
	"2026-12-05,,,1,7.5,25000"

/* A reader over text in memory (fmemopen), with the stream kept for close. */
struct mem {
	FILE *fp;
	struct contract_reader *r;
};

static gw_rc
mem_open(struct mem *m, const char *text, size_t len, enum contract_format fmt)
{
	char err[256];
	m->fp = fmemopen((void *)text, len, "r");
	assert_non_null(m->fp);
	gw_rc rc = contract_reader_open_stream(&m->r, m->fp, "mem", fmt, err, sizeof err);
	if (rc != GW_OK)
		fclose(m->fp);
	return rc;
}

static void
mem_close(struct mem *m)
{
	contract_reader_close(m->r);
	fclose(m->fp);
}

static void
test_csv_values(void **state)
{
	(void)state;
	static const char text[] = HDR "\n"
	    "STU-1,3,cancelled,051234526,0456789034,05030726271,STU,200,840,2026-12-21,,"
	    "2026-12-24,,24,3,24.25,33600\n";
	struct mem m;
	struct contract c;
	struct record_rejection rej;
	assert_int_equal(mem_open(&m, text, sizeof text - 1, CONTRACT_FMT_AUTO), GW_OK);
	assert_int_equal(contract_reader_format(m.r), CONTRACT_FMT_CSV);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_OK);
	assert_string_equal(c.contract_id, "STU-1");
	assert_int_equal(c.revision, 3);
	assert_int_equal(c.status, CONTRACT_CANCELLED);
	assert_string_equal(c.employer_noss, "051234526");
	assert_string_equal(c.employer_kbo, "0456789034");
	assert_string_equal(c.worker_inss, "05030726271");
	assert_string_equal(c.worker_type, "STU");
	assert_string_equal(c.joint_committee, "200");
	assert_string_equal(c.worker_code, "840");
	assert_int_equal(c.start_date, 20261221);
	assert_int_equal(c.end_date, 20261224);
	assert_int_equal(c.start_time, -1);
	assert_int_equal(c.end_time, -1);
	assert_int_equal(c.planned_hours, 24);
	assert_int_equal(c.days_worked, 300);
	assert_int_equal(c.hours_worked, 2425);
	assert_int_equal(c.reference_weekly_hours, 3800);
	assert_int_equal(c.weekly_hours, 3800);
	assert_int_equal(c.gross_wage_cents, 33600);
	assert_false(c.has_place_of_work);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_ENOTFOUND);
	mem_close(&m);
}

static void
test_resync_after_bad_records(void **state)
{
	(void)state;
	/* Broken quoting, a missing field, then a good one; CRLF throughout. */
	static const char text[] = "\xEF\xBB\xBF" HDR "\r\n"
	    "C-2,1,\"active,051234526,0456789034,85073003328,OTH,304,046,2026-12-05,,"
	    "2026-12-05,,,1,7.5,25000\r\n"
	    "C-3,1,active\r\n"
	    "\r\n"
	    OKROW "\r\n";
	struct mem m;
	struct contract c;
	struct record_rejection rej;
	char out[512];
	assert_int_equal(mem_open(&m, text, sizeof text - 1, CONTRACT_FMT_CSV), GW_OK);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_EINPUT);
	assert_int_equal(rej.line, 2);
	assert_string_equal(rej.record_id, "C-2");
	assert_string_equal(rej.field, "status");
	assert_string_equal(rej.reason, "broken quoting: quoted field not closed on its line");
	FILE *f = fmemopen(out, sizeof out, "w");
	record_rejection_print(&rej, f);
	fclose(f);
	assert_string_equal(out, "mem:2: record C-2: field status: broken quoting: "
	    "quoted field not closed on its line\n");
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_EINPUT);
	assert_int_equal(rej.line, 3);
	assert_string_equal(rej.reason, "3 fields, the header has 17");
	/* The blank line 4 is skipped; line 5 is read in full. */
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_OK);
	assert_string_equal(c.contract_id, "C-1");
	assert_int_equal(c.hours_worked, 750);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_ENOTFOUND);
	mem_close(&m);
}

/* The security review's values: hours_worked that overflowed the fixed-point
 * parse into -1.00 and 7.60 and were queued. Refused, naming the field. */
static void
test_hours_overflow_refused(void **state)
{
	(void)state;
	static const char text[] = HDR "\n"
	    "C-7,1,active,051234526,0456789034,85073003328,OTH,304,046,2026-12-05,,"
	    "2026-12-05,,,1,184467440737095515.16,25000\n"
	    "C-8,1,active,051234526,0456789034,85073003328,OTH,304,046,2026-12-05,,"
	    "2026-12-05,,,1,184467440737095523.76,25000\n";
	struct mem m;
	struct contract c;
	struct record_rejection rej;
	assert_int_equal(mem_open(&m, text, sizeof text - 1, CONTRACT_FMT_CSV), GW_OK);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_EINPUT);
		assert_string_equal(rej.record_id, i == 0 ? "C-7" : "C-8");
		assert_string_equal(rej.field, "hours_worked");
		assert_string_equal(rej.reason, "too large (at most 999999.99)");
	}
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_ENOTFOUND);
	mem_close(&m);
}

static void
test_csv_quoting(void **state)
{
	(void)state;
	static const char text[] = HDR ",worker_last_name\n"
	    "\"C-4\",\"1\",active,051234526,0456789034,85073003328,OTH,304,046,2026-12-05,,"
	    "2026-12-05,,,1,7.5,25000,\"O\"\"Neil, Jr.\"\n";
	struct mem m;
	struct contract c;
	struct record_rejection rej;
	assert_int_equal(mem_open(&m, text, sizeof text - 1, CONTRACT_FMT_AUTO), GW_OK);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_OK);
	assert_string_equal(c.contract_id, "C-4");
	assert_string_equal(c.worker_last_name, "O\"Neil, Jr.");
	mem_close(&m);
}

static void
test_header_problems(void **state)
{
	(void)state;
	struct mem m;
	static const char noname[] = "contract_id,,revision\nC-1,,1\n";
	static const char quote[] = "contract_id,\"revision\n";
	char err[256];
	assert_int_equal(mem_open(&m, noname, sizeof noname - 1, CONTRACT_FMT_CSV), GW_EINPUT);
	assert_int_equal(mem_open(&m, quote, sizeof quote - 1, CONTRACT_FMT_CSV), GW_EINPUT);
	/* An empty file has no records; a missing one is an I/O error. */
	struct contract c;
	struct record_rejection rej;
	assert_int_equal(mem_open(&m, "", 0, CONTRACT_FMT_AUTO), GW_OK);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_ENOTFOUND);
	mem_close(&m);
	struct contract_reader *r;
	assert_int_equal(contract_reader_open(&r, "/nonexistent/x.csv", err, sizeof err), GW_EIO);
	assert_null(r);
}

static void
test_jsonl(void **state)
{
	(void)state;
	static const char text[] =
	    "{\"contract_id\":\"E-1\",\"revision\":\"1\",\"status\":\"active\","
	    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\","
	    "\"worker_inss\":\"87031721160\",\"worker_type\":\"EXT\",\"joint_committee\":\"302\","
	    "\"worker_code\":\"015\",\"start_date\":\"2026-12-31\",\"start_time\":\"20:00\","
	    "\"end_date\":\"2027-01-01\",\"end_time\":\"04:00\",\"days_worked\":\"1\","
	    "\"hours_worked\":\"8\",\"gross_wage_cents\":\"14800\",\"worker_last_name\":\"\"}\n"
	    "{\"contract_id\":\"E-2\",\"gross_wage_cents\":14800}\n"
	    "   \n"
	    "{\"contract_id\":\"E-3\",\"revision\":\"1\",\"revision\":\"2\"}\n"
	    "{\"contract_id\":\"E-4\",\"worker_type\":\"O\xC3\x28H\"}\n";
	struct mem m;
	struct contract c;
	struct record_rejection rej;
	assert_int_equal(mem_open(&m, text, sizeof text - 1, CONTRACT_FMT_AUTO), GW_OK);
	assert_int_equal(contract_reader_format(m.r), CONTRACT_FMT_JSONL);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_OK);
	assert_string_equal(c.contract_id, "E-1");
	assert_int_equal(c.start_time, 20 * 60);
	assert_int_equal(c.end_time, 4 * 60);
	assert_int_equal(c.end_date, 20270101);
	assert_string_equal(c.worker_last_name, "");     /* "" is absent */
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_EINPUT);
	assert_int_equal(rej.line, 2);
	assert_string_equal(rej.record_id, "E-2");
	assert_string_equal(rej.field, "gross_wage_cents");
	assert_string_equal(rej.reason, "must be a JSON string, not a number");
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_EINPUT);
	assert_int_equal(rej.line, 4);
	assert_string_equal(rej.field, "revision");
	assert_string_equal(rej.reason, "given twice");
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_EINPUT);
	assert_int_equal(rej.line, 5);
	assert_string_equal(rej.record_id, "E-4");
	assert_string_equal(rej.field, "worker_type");
	assert_string_equal(rej.reason, "invalid UTF-8");
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_ENOTFOUND);
	mem_close(&m);
}

static void
test_long_line(void **state)
{
	(void)state;
	size_t big = 200000;
	size_t cap = big + 1024;
	char *text = malloc(cap);
	assert_non_null(text);
	int n = snprintf(text, cap, "%s\n", HDR);
	memset(text + n, 'x', big);
	size_t len = (size_t)n + big;
	len += (size_t)snprintf(text + len, cap - len, "\n%s\n", OKROW);
	struct mem m;
	struct contract c;
	struct record_rejection rej;
	assert_int_equal(mem_open(&m, text, len, CONTRACT_FMT_CSV), GW_OK);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_EINPUT);
	assert_int_equal(rej.line, 2);
	assert_string_equal(rej.reason, "record longer than 65536 bytes");
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_OK);
	assert_string_equal(c.contract_id, "C-1");
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_ENOTFOUND);
	mem_close(&m);
	free(text);
}

static void
test_canonical_json(void **state)
{
	(void)state;
	static const char text[] = HDR ",weekly_hours,place_of_work_name,place_of_work_street,"
	    "place_of_work_house_number,place_of_work_postcode,place_of_work_municipality\n"
	    "S-1,2,active,051234526,0456789034,05030726271,STU,200,840,2026-12-21,,2026-12-24,,"
	    "24,3,24,33600,19.5,Delhaize Flagey,Place Eug\xC3\xA8ne Flagey,18,1050,Ixelles\n";
	struct mem m;
	struct contract c, back;
	struct record_rejection rej;
	char *json, *json2;
	size_t len, len2;
	assert_int_equal(mem_open(&m, text, sizeof text - 1, CONTRACT_FMT_CSV), GW_OK);
	assert_int_equal(contract_reader_next(m.r, &c, &rej), GW_OK);
	mem_close(&m);
	assert_true(c.has_place_of_work);
	assert_int_equal(contract_to_json(&c, &json, &len), GW_OK);
	assert_string_equal(json,
	    "{\"contract_id\":\"S-1\",\"revision\":\"2\",\"status\":\"active\","
	    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\","
	    "\"worker_inss\":\"05030726271\",\"worker_type\":\"STU\",\"joint_committee\":\"200\","
	    "\"worker_code\":\"840\",\"start_date\":\"2026-12-21\",\"end_date\":\"2026-12-24\","
	    "\"planned_hours\":\"24\",\"days_worked\":\"3.00\",\"hours_worked\":\"24.00\","
	    "\"weekly_hours\":\"19.50\",\"reference_weekly_hours\":\"38.00\","
	    "\"gross_wage_cents\":\"33600\",\"place_of_work_name\":\"Delhaize Flagey\","
	    "\"place_of_work_street\":\"Place Eug\xC3\xA8ne Flagey\","
	    "\"place_of_work_house_number\":\"18\",\"place_of_work_postcode\":\"1050\","
	    "\"place_of_work_municipality\":\"Ixelles\"}");
	assert_int_equal(contract_from_json(json, len, &back, &rej), GW_OK);
	assert_memory_equal(&c, &back, sizeof c);
	assert_int_equal(contract_to_json(&back, &json2, &len2), GW_OK);
	assert_int_equal(len, len2);
	assert_string_equal(json, json2);
	free(json);
	free(json2);
	/* from_json re-validates: a stored payload cannot smuggle a bad value. */
	static const char tampered[] = "{\"contract_id\":\"S-1\",\"revision\":\"0\"}";
	assert_int_equal(contract_from_json(tampered, sizeof tampered - 1, &back, &rej), GW_EINPUT);
	assert_string_equal(rej.field, "revision");
	assert_string_equal(rej.record_id, "S-1");
}

static void
test_rejection_print_sanitises(void **state)
{
	(void)state;
	struct record_rejection rej;
	char out[512];
	memset(&rej, 0, sizeof rej);
	snprintf(rej.file, sizeof rej.file, "a\nb.csv");
	rej.line = 7;
	snprintf(rej.field, sizeof rej.field, "bon\xFFus");
	snprintf(rej.reason, sizeof rej.reason, "unknown column");
	FILE *f = fmemopen(out, sizeof out, "w");
	record_rejection_print(&rej, f);
	fclose(f);
	assert_string_equal(out, "a?b.csv:7: field bon?us: unknown column\n");
}

/* Every bad fixture through the reader itself: the printed rejections
 * equal the .expected file and the file's valid record still comes out.
 * Run from the top of the tree (as tests/run-all.sh does), or TOP=. */
static void
test_bad_fixtures(void **state)
{
	(void)state;
	char cwd[4096], dir[4200];
	const char *top = getenv("TOP");
	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(dir, sizeof dir, "%s/fixtures/contracts/bad", top ? top : ".");
	if (chdir(dir) != 0)
		skip();
	DIR *d = opendir(".");
	assert_non_null(d);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		if (n < 5 || (strcmp(e->d_name + n - 4, ".csv") != 0 &&
		    (n < 7 || strcmp(e->d_name + n - 6, ".jsonl") != 0)))
			continue;
		char exp_name[512], expected[4096], got[4096], err[256];
		size_t stem = strrchr(e->d_name, '.') - e->d_name;
		snprintf(exp_name, sizeof exp_name, "%.*s.expected", (int)stem, e->d_name);
		FILE *f = fopen(exp_name, "r");
		assert_non_null(f);
		size_t el = fread(expected, 1, sizeof expected - 1, f);
		expected[el] = '\0';
		fclose(f);

		struct contract_reader *r;
		struct contract c;
		struct record_rejection rej;
		FILE *out = fmemopen(got, sizeof got, "w");
		int valid = 0;
		gw_rc rc;
		assert_int_equal(contract_reader_open(&r, e->d_name, err, sizeof err), GW_OK);
		while ((rc = contract_reader_next(r, &c, &rej)) != GW_ENOTFOUND) {
			assert_int_not_equal(rc, GW_EIO);
			if (rc == GW_OK)
				valid++;
			else
				record_rejection_print(&rej, out);
		}
		contract_reader_close(r);
		fclose(out);
		if (strcmp(got, expected) != 0)
			fail_msg("%s: got \"%s\", expected \"%s\"", e->d_name, got, expected);
		assert_int_equal(valid, 1);
		files++;
	}
	closedir(d);
	assert_int_equal(chdir(cwd), 0);
	assert_true(files >= 45);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_values),
		cmocka_unit_test(test_resync_after_bad_records),
		cmocka_unit_test(test_hours_overflow_refused),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_header_problems),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_canonical_json),
		cmocka_unit_test(test_rejection_print_sanitises),
		cmocka_unit_test(test_bad_fixtures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
