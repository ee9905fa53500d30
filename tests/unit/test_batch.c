/* test_batch.c - batch file names, the atomic writer and offline sequences. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/signer.h"
#include "onss/batch/cms.h"
#include "onss/batch/submission.h"

static void
test_name_format(void **state)
{
	(void)state;
	struct batch_name n = { "DIMN", "012996", 20260301, 7, 'R' };
	char buf[64];
	assert_int_equal(batch_name_format(&n, 'I', buf, sizeof buf), GW_OK);
	assert_string_equal(buf, "FI.DIMN.012996.20260301.00007.R.1.1");
	assert_int_equal(batch_name_format(&n, 'S', buf, sizeof buf), GW_OK);
	assert_string_equal(buf, "FS.DIMN.012996.20260301.00007.R.1.1");
	assert_int_equal(batch_name_format(&n, 'G', buf, sizeof buf), GW_OK);
	assert_string_equal(buf, "GO.DIMN.012996.20260301.00007.R.1");
	assert_int_equal(batch_name_format_answer(&n, "ACRF", 0, buf, sizeof buf), GW_OK);
	assert_string_equal(buf, "FO.ACRF.012996.20260301.00007.R");
	assert_int_equal(batch_name_format_answer(&n, "IDFL", 3, buf, sizeof buf), GW_OK);
	assert_string_equal(buf, "FO.IDFL.012996.20260301.00007.R.3");
	/* Refusals: unknown purpose, bad env, bad date, seq too wide, tiny buffer. */
	struct batch_name bad = n;
	memcpy(bad.purpose, "XXXX", 5);
	assert_int_equal(batch_name_format(&bad, 'I', buf, sizeof buf), GW_EINPUT);
	bad = n; bad.env = 'Q';
	assert_int_equal(batch_name_format(&bad, 'I', buf, sizeof buf), GW_EINPUT);
	bad = n; bad.date = 20261301;
	assert_int_equal(batch_name_format(&bad, 'I', buf, sizeof buf), GW_EINPUT);
	bad = n; bad.seq = 100000;
	assert_int_equal(batch_name_format(&bad, 'I', buf, sizeof buf), GW_EINPUT);
	assert_int_equal(batch_name_format(&n, 'I', buf, 10), GW_EINPUT);
}

static void
test_name_parse(void **state)
{
	(void)state;
	struct batch_name n;
	char k;
	assert_int_equal(batch_name_parse("GO.DMPI.012996.20090718.50002.R.1", &n, &k), GW_OK);
	assert_int_equal(k, 'G');
	assert_string_equal(n.purpose, "DMPI");
	assert_string_equal(n.sender, "012996");
	assert_int_equal(n.date, 20090718);
	assert_int_equal(n.seq, 50002);
	assert_int_equal(n.env, 'R');
	assert_int_equal(batch_name_parse("FO.ACRF.999999.20140628.00001.R", &n, &k), GW_OK);
	assert_int_equal(k, 'O');
	assert_string_equal(n.purpose, "ACRF");
	assert_int_equal(batch_name_parse("FI.DMFA.006400.20140628.00001.T.1.1", &n, &k), GW_OK);
	assert_int_equal(k, 'I');
	assert_int_equal(n.env, 'T');
	/* Round trip. */
	char buf[64];
	assert_int_equal(batch_name_format(&n, 'S', buf, sizeof buf), GW_OK);
	assert_string_equal(buf, "FS.DMFA.006400.20140628.00001.T.1.1");
	const char *bad[] = { "", "FI", "XX.DIMN.1.20260101.1.R", "FI.dimn.1.20260101.00001.R.1.1",
		"FI.DIMN.12a.20260101.00001.R.1.1", "FI.DIMN.1.2026010.00001.R.1.1",
		"FI.DIMN.1.20260101.00001.X.1.1", "FI.DIMN.1.20260101.00001.R.1.1.",
		"FI.DIMN.1.20260101.00001.R.1.1.1.1", "FI.DIMN.1.20260101..R", "FI..1.20260101.1.R" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		assert_int_equal(batch_name_parse(bad[i], &n, &k), GW_EINPUT);
}

static char dir[64];

static int
count_files(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void
test_writer(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/gwbatchXXXXXX");
	assert_non_null(mkdtemp(dir));
	const char *top = getenv("TOP");
	char cert[512], key[512], ca[512], err[256];
	snprintf(cert, sizeof cert, "%s/certs/out/onss/org.crt.pem", top ? top : ".");
	snprintf(key, sizeof key, "%s/certs/out/onss/org.key.pem", top ? top : ".");
	snprintf(ca, sizeof ca, "%s/certs/out/onss/ca.crt.pem", top ? top : ".");
	struct gw_signer *s;
	assert_int_equal(signer_load(&s, cert, key, err, sizeof err), GW_OK);

	struct batch_name n = { "DIMN", "012996", 20260301, 0, 'T' };
	assert_int_equal(batch_seq_next_offline(dir, &n.seq), GW_OK);
	assert_int_equal(n.seq, 1);
	mode_t old_umask = umask(022);      /* the common default: files 0644 unless set */
	struct batch_writer *w;
	assert_int_equal(batch_writer_open(&w, dir, &n), GW_OK);
	fputs("<DIMONA/>\n", batch_writer_file(w));
	/* Before commit, nothing with a final name exists. */
	assert_int_equal(count_files("FI."), 0);
	assert_int_equal(count_files("GO."), 0);
	char fi[64];
	assert_int_equal(batch_writer_commit(w, s, fi, sizeof fi), GW_OK);
	assert_string_equal(fi, "FI.DIMN.012996.20260301.00001.T.1.1");
	assert_int_equal(count_files("FI."), 1);
	assert_int_equal(count_files("FS."), 1);
	assert_int_equal(count_files("GO."), 1);
	assert_int_equal(count_files(".FI"), 0);
	char path[128], fs[8192];
	snprintf(path, sizeof path, "%s/GO.DIMN.012996.20260301.00001.T.1", dir);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	snprintf(path, sizeof path, "%s/FS.DIMN.012996.20260301.00001.T.1.1", dir);
	FILE *f = fopen(path, "r");
	size_t fslen = fread(fs, 1, sizeof fs, f);
	fclose(f);
	snprintf(path, sizeof path, "%s/%s", dir, fi);
	struct batch_cms_check chk;
	assert_int_equal(batch_cms_verify(path, fs, fslen, ca, &chk), GW_OK);
	/* INSS numbers inside: owner and group only, whatever the umask. */
	static const char *const made[] = { "FI.DIMN.012996.20260301.00001.T.1.1",
	    "FS.DIMN.012996.20260301.00001.T.1.1", "GO.DIMN.012996.20260301.00001.T.1" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, made[i]);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0640);
	}
	snprintf(path, sizeof path, "%s/%s", dir, fi);

	/* The same name again is refused, and the first FI is untouched. */
	assert_int_equal(batch_writer_open(&w, dir, &n), GW_OK);
	fputs("<OTHER/>\n", batch_writer_file(w));
	assert_int_equal(batch_writer_commit(w, s, NULL, 0), GW_EDUP);
	assert_int_equal(batch_cms_verify(path, fs, fslen, ca, &chk), GW_OK);
	assert_int_equal(count_files(".FI"), 0);

	/* Abort leaves nothing behind. */
	assert_int_equal(batch_seq_next_offline(dir, &n.seq), GW_OK);
	assert_int_equal(n.seq, 2);
	assert_int_equal(batch_writer_open(&w, dir, &n), GW_OK);
	fputs("<DIMONA/>", batch_writer_file(w));
	batch_writer_abort(w);
	assert_int_equal(count_files(".FI"), 0);
	assert_int_equal(count_files("FI."), 1);

	/* Simulation: no FS. One sequence for every purpose (the answers'
	 * names carry none): the DMFA after DIMN 1 and 2 is 3. */
	struct batch_name sim = { "DMFA", "012996", 20260301, 0, 'S' };
	assert_int_equal(batch_seq_next_offline(dir, &sim.seq), GW_OK);
	assert_int_equal(sim.seq, 3);
	assert_int_equal(batch_writer_open(&w, dir, &sim), GW_OK);
	fputs("<DmfAOriginal/>", batch_writer_file(w));
	assert_int_equal(batch_writer_commit(w, s, NULL, 0), GW_OK);
	assert_int_equal(count_files("FI."), 2);
	assert_int_equal(count_files("FS."), 1);
	assert_int_equal(count_files("GO."), 2);
	assert_int_equal(batch_seq_next_offline(dir, &n.seq), GW_OK);
	assert_int_equal(n.seq, 4);
	umask(old_umask);
	signer_free(s);
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void
test_write_atomic(void **state)
{
	(void)state;
	char d[] = "/tmp/gwatomXXXXXX";
	assert_non_null(mkdtemp(d));
	assert_int_equal(batch_write_atomic(d, "a", "hello", 5), GW_OK);
	assert_int_equal(batch_write_atomic(d, "a", "other", 5), GW_EDUP);
	char p[64], buf[16] = {0};
	snprintf(p, sizeof p, "%s/a", d);
	FILE *f = fopen(p, "r");
	assert_int_equal(fread(buf, 1, sizeof buf - 1, f), 5);
	fclose(f);
	assert_string_equal(buf, "hello");
	assert_int_equal(batch_write_atomic("/nonexistent-dir-gw", "a", "x", 1), GW_EIO);
	unlink(p);
	rmdir(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_format),
		cmocka_unit_test(test_name_parse),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_write_atomic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
