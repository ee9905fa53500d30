/* test_dimona_index.c - reading records again by where they lie
 * (records/reader.h: contract_reader_where, _twin, _read_at) and the Dimona
 * export's index built on it (service/dimona_index.h): the same record
 * comes back from its offset whatever the buffer, BOM, CRLF or format; the
 * revision rule, the Horeca run merge and the rules' verdicts are decided on
 * the index; a file changed under the export is an error naming the record. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "records/reader.h"
#include "service/dimona_index.h"

#define HDR "contract_id,revision,status,employer_noss,employer_kbo,worker_inss," \
	"worker_type,joint_committee,worker_code,start_date,start_time,end_date,end_time," \
	"planned_hours,days_worked,hours_worked,gross_wage_cents"

/* A temporary file holding text; its name in path (PATH_MAX-free: /tmp). */
static void
write_tmp(char path[64], const char *text, size_t len)
{
	snprintf(path, 64, "/tmp/gw-test-index-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

/* Read path through; read every good record again from where it lay, with a
 * twin reader, and check it is the same record (its canonical JSON). */
static size_t
reread_all(const char *path, size_t *bad)
{
	char err[256], *j1, *j2;
	size_t l1, l2, n = 0;
	struct contract_reader *r, *t;
	struct record_rejection rej;
	struct contract *c = malloc(sizeof *c), *c2 = malloc(sizeof *c2);
	gw_rc rc;
	FILE *fp = fopen(path, "rb");
	int fd = fileno(fp);

	assert_non_null(c);
	assert_non_null(c2);
	*bad = 0;
	assert_int_equal(contract_reader_open_stream(&r, fp, path, CONTRACT_FMT_AUTO, err, sizeof err), GW_OK);
	assert_int_equal(contract_reader_twin(r, &t), GW_OK);
	while ((rc = contract_reader_next(r, c, &rej)) != GW_ENOTFOUND) {
		if (rc == GW_EINPUT) {
			(*bad)++;
			continue;
		}
		assert_int_equal(rc, GW_OK);
		off_t off;
		size_t len;
		contract_reader_where(r, &off, &len);
		assert_int_equal(contract_reader_read_at(t, fd, off, len, c2, &rej), GW_OK);
		assert_int_equal(contract_to_json(c, &j1, &l1), GW_OK);
		assert_int_equal(contract_to_json(c2, &j2, &l2), GW_OK);
		assert_string_equal(j1, j2);
		free(j1);
		free(j2);
		n++;
	}
	contract_reader_close(t);
	contract_reader_close(r);
	fclose(fp);
	free(c);
	free(c2);
	return n;
}

/* CSV with a BOM, CRLF lines, blank lines and bad records, longer than the
 * reader's buffer (so that its offsets must follow the refills). */
static void
test_reread_csv(void **state)
{
	(void)state;
	size_t cap = 1 << 20, len = 0, bad;
	char *text = malloc(cap), path[64];
	assert_non_null(text);
	len += (size_t)snprintf(text + len, cap - len, "\xEF\xBB\xBF" HDR "\r\n");
	for (int i = 0; i < 5000; i++) {
		if (i % 97 == 0)
			len += (size_t)snprintf(text + len, cap - len, "\r\n   \n");
		if (i % 101 == 0)
			len += (size_t)snprintf(text + len, cap - len, "X-%d,1,active,bad\n", i);
		len += (size_t)snprintf(text + len, cap - len,
		    "C-%d,%d,active,051234526,0456789034,85073003328,OTH,304,046,2026-12-05,,"
		    "2026-12-05,,,1,7.5,%d%s", i, 1 + i % 3, 10000 + i, i % 2 ? "\r\n" : "\n");
	}
	assert_true(len > 300000);
	write_tmp(path, text, len);
	assert_int_equal(reread_all(path, &bad), 5000);
	assert_int_equal(bad, 50);
	unlink(path);
	free(text);
}

/* JSON Lines, the first record after a BOM. */
static void
test_reread_jsonl(void **state)
{
	(void)state;
	const char *text = "\xEF\xBB\xBF{\"contract_id\":\"J-1\",\"revision\":\"1\",\"status\":\"active\","
	    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\",\"worker_inss\":\"85073003328\","
	    "\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"worker_code\":\"046\","
	    "\"start_date\":\"2026-12-05\",\"end_date\":\"2026-12-05\",\"days_worked\":\"1\","
	    "\"hours_worked\":\"7.5\",\"gross_wage_cents\":\"25000\"}\r\n"
	    "\n"
	    "{\"contract_id\":\"J-2\",\"revision\":\"2\",\"status\":\"cancelled\","
	    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\",\"worker_inss\":\"85073003328\","
	    "\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"worker_code\":\"046\","
	    "\"start_date\":\"2026-12-06\",\"end_date\":\"2026-12-06\",\"days_worked\":\"1\","
	    "\"hours_worked\":\"7.5\",\"gross_wage_cents\":\"25000\"}";
	char path[64];
	size_t bad;
	write_tmp(path, text, strlen(text));
	assert_int_equal(reread_all(path, &bad), 2);
	assert_int_equal(bad, 0);
	unlink(path);
}

/* Bytes that are no longer there are a read error, not a rejection. */
static void
test_read_at_past_the_end(void **state)
{
	(void)state;
	const char *text = HDR "\nC-1,1,active,051234526,0456789034,85073003328,OTH,304,046,"
	    "2026-12-05,,2026-12-05,,,1,7.5,25000\n";
	char path[64], err[256];
	struct contract_reader *r, *t;
	struct record_rejection rej;
	struct contract *c = malloc(sizeof *c);
	write_tmp(path, text, strlen(text));
	FILE *fp = fopen(path, "rb");
	assert_int_equal(contract_reader_open_stream(&r, fp, path, CONTRACT_FMT_CSV, err, sizeof err), GW_OK);
	assert_int_equal(contract_reader_twin(r, &t), GW_OK);
	assert_int_equal(contract_reader_read_at(t, fileno(fp), (off_t)strlen(text) - 10, 40, c, &rej),
	    GW_EIO);
	assert_non_null(strstr(rej.reason, "shorter"));
	contract_reader_close(t);
	contract_reader_close(r);
	fclose(fp);
	unlink(path);
	free(c);
}

#define EXT(id, day) id ",1,active,123456749,0477472701,80040573349,EXT,302,015,2026-04-" day \
	",10:00,2026-04-" day ",16:00,,1,7.6,8000\n"

/* Revisions, a cancellation, a Horeca run of three days, a blocked FLX and
 * a late (warned) record: what the index keeps, in contract-id order. */
static const char *mixed =
	HDR "\n"
	"B-1,2,active,051234526,0456789034,85073003328,OTH,304,046,2026-04-10,,2026-04-10,,,1,7.5,25000\n"
	EXT("E-2", "25")
	"A-1,1,cancelled,051234526,0456789034,85073003328,OTH,304,046,2026-04-12,,2026-04-12,,,1,7.5,25000\n"
	"B-1,1,active,051234526,0456789034,85073003328,OTH,304,046,2026-04-11,,2026-04-11,,,1,7.5,25000\n"
	EXT("E-1", "24")
	EXT("E-3", "26")
	"F-1,1,active,123456749,0477472701,72080960316,FLX,302,050,2026-12-09,17:30,2026-12-09,23:45,,1,6.25,9000\n"
	"L-1,1,active,051234526,0456789034,85073003328,OTH,304,046,2026-03-20,,2026-03-20,,,1,7.5,25000\n";

static void
test_index_select(void **state)
{
	(void)state;
	char path[64], err[256];
	struct dimona_index x;
	struct dimona_index_reader *rd;
	struct dimona_decl *d = malloc(sizeof *d);
	size_t nrej = 0, merged = 0;

	write_tmp(path, mixed, strlen(mixed));
	assert_int_equal(dimona_index_read(&x, path, "test", 20260401, 600, &nrej), 0);
	assert_int_equal(nrej, 0);
	assert_int_equal(x.n, 8);
	assert_int_equal(dimona_index_select(&x, &merged, &nrej, err, sizeof err), GW_OK);
	assert_int_equal(merged, 1);
	assert_int_equal(nrej, 1);                 /* F-1: a flexi too early */
	/* A-1 cancelled, B-1 rev 2 only, E-2 and E-3 folded into E-1. */
	assert_int_equal(x.n, 3);
	assert_string_equal(x.v[0].id, "B-1");
	assert_int_equal(x.v[0].revision, 2);
	assert_string_equal(x.v[1].id, "E-1");
	assert_int_equal(x.v[1].run_end, 20260426);
	assert_string_equal(x.v[2].id, "L-1");
	assert_true(x.v[2].findings);              /* late: a warning, kept */

	assert_int_equal(dimona_index_reader_open(&x, &rd), GW_OK);
	assert_int_equal(dimona_index_decl(rd, &x.v[1], d, err, sizeof err), GW_OK);
	assert_string_equal(d->c.contract_id, "E-1");
	assert_string_equal(d->c.worker_type, "OTH");
	assert_int_equal(d->c.start_date, 20260424);
	assert_int_equal(d->c.end_date, 20260426);
	assert_int_equal(d->c.start_time, -1);
	assert_int_equal(dimona_index_decl(rd, &x.v[0], d, err, sizeof err), GW_OK);
	assert_int_equal(d->c.start_date, 20260410);

	/* The file changed under the export: the record it finds is not the
	 * one it indexed, and it says which. */
	char *changed = strdup(mixed);
	char *b1 = strstr(changed, "B-1,2");
	b1[4] = '3';
	FILE *fp = fopen(path, "wb");
	fputs(changed, fp);
	fclose(fp);
	assert_int_equal(dimona_index_decl(rd, &x.v[0], d, err, sizeof err), GW_EIO);
	assert_non_null(strstr(err, "record B-1: changed"));
	free(changed);

	dimona_index_reader_close(rd);
	dimona_index_free(&x);
	unlink(path);
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reread_csv),
		cmocka_unit_test(test_reread_jsonl),
		cmocka_unit_test(test_read_at_past_the_end),
		cmocka_unit_test(test_index_select),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
