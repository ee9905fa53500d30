/* test_batch_writer_faults.c - the batch writer when the disk fails it: a
 * write cut short (the file-size limit, as a full disk would), an fsync that
 * fails (this binary's own fsync(), which stands in for libc's and fails on
 * the call asked for), a link that fails (likewise), an exhausted offline
 * sequence. Every case must give an
 * error and leave the folder with whole submissions only: no GO without its
 * FI and FS, no temporary file, the sequence counter unchanged. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "crypto/signer.h"
#include "onss/batch/submission.h"

/* 0: every fsync works; n: the n-th fsync from now fails with EIO. */
static int fsync_fail_at, fsync_calls;

/* Replaces libc's fsync for this test binary (the library is linked in
 * statically, so the writer calls this one). */
int
fsync(int fd)
{
	fsync_calls++;
	if (fsync_fail_at != 0 && fsync_calls == fsync_fail_at) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

/* 0: every link works; n: the n-th link from now fails with EIO (a
 * failure other than "the name exists", which has its own answer). */
static int link_fail_at, link_calls;

int
link(const char *from, const char *to)
{
	link_calls++;
	if (link_fail_at != 0 && link_calls == link_fail_at) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_link, from, to);
}

static void
fail_fsync(int n)
{
	fsync_calls = 0;
	fsync_fail_at = n;
}

static char dir[64];
static struct gw_signer *signer;

static int
setup(void **state)
{
	(void)state;
	char cert[512], key[512], err[256];
	const char *top = getenv("TOP");
	snprintf(dir, sizeof dir, "/tmp/gwwfXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cert, sizeof cert, "%s/certs/out/onss/org.crt.pem", top ? top : ".");
	snprintf(key, sizeof key, "%s/certs/out/onss/org.key.pem", top ? top : ".");
	fail_fsync(0);
	return signer_load(&signer, cert, key, err, sizeof err) == GW_OK ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	fail_fsync(0);
	signer_free(signer);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Files in dir whose name starts with prefix (hidden temporaries included). */
static int
count_files(const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

/* Only whole submissions: no final name and no temporary left. */
static void
assert_folder_empty(void)
{
	assert_int_equal(count_files("FI."), 0);
	assert_int_equal(count_files("FS."), 0);
	assert_int_equal(count_files("GO."), 0);
	assert_int_equal(count_files(".F"), 0);
	assert_int_equal(count_files(".G"), 0);
}

/* Lower the soft file-size limit (the hard one stays, so it can be raised
 * back); a write past it fails with EFBIG instead of killing the process. */
static void
limit_file_size(rlim_t bytes, struct rlimit *saved)
{
	struct rlimit rl;
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, saved), 0);
	rl = *saved;
	rl.rlim_cur = bytes;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

static struct batch_writer *
writer_with(const char *text, unsigned seq)
{
	struct batch_name n = { "DIMN", "012996", 20260301, seq, 'T' };
	struct batch_writer *w;
	assert_int_equal(batch_writer_open(&w, dir, &n), GW_OK);
	fputs(text, batch_writer_file(w));
	return w;
}

/* batch_write_atomic: a short write and a failed fsync leave no file. */
static void
test_write_atomic_failures(void **state)
{
	(void)state;
	static char big[65536];
	struct rlimit saved;
	memset(big, 'x', sizeof big);
	limit_file_size(4096, &saved);
	gw_rc rc = batch_write_atomic(dir, "FS.A", big, sizeof big);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	assert_int_equal(rc, GW_EIO);
	assert_folder_empty();

	fail_fsync(1);
	assert_int_equal(batch_write_atomic(dir, "FS.A", "data", 4), GW_EIO);
	assert_folder_empty();
	fail_fsync(0);
	assert_int_equal(batch_write_atomic(dir, "FS.A", "data", 4), GW_OK);
	assert_int_equal(count_files("FS.A"), 1);
	/* A name too long for a path is refused before anything is created. */
	static char longname[5000];
	memset(longname, 'n', sizeof longname - 1);
	assert_int_equal(batch_write_atomic(dir, longname, "x", 1), GW_EINPUT);
}

/* batch_writer_commit: whichever step fails (the FI's write or fsync, the
 * folder's fsync, the FS, the GO), the call fails and nothing of the
 * submission stays; the same name then goes through whole. */
static void
test_commit_failures_leave_nothing(void **state)
{
	(void)state;
	static char big[65536];
	struct rlimit saved;
	memset(big, 'x', sizeof big - 1);
	limit_file_size(4096, &saved);
	struct batch_writer *w = writer_with(big, 1);
	gw_rc rc = batch_writer_commit(w, signer, NULL, 0);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
	assert_int_equal(rc, GW_EIO);
	assert_folder_empty();

	/* fsync order of a signed commit: FI, folder, FS, folder, GO, folder.
	 * A folder sync that fails comes after the file got its name: that
	 * file must go too, the GO first (a GO must never announce a missing
	 * FI or FS). */
	for (int k = 1; k <= 6; k++) {
		fail_fsync(k);
		w = writer_with("<DIMONA/>\n", 1);
		assert_int_equal(batch_writer_commit(w, signer, NULL, 0), GW_EIO);
		fail_fsync(0);
		assert_folder_empty();
	}
	/* The FI cannot be given its name for another reason than an
	 * existing one (EIO): an I/O error, not a duplicate, and nothing left.
	 * (The FS and the GO are named by core/atomicfile with linkat, whose
	 * failures test_atomicfile covers.) */
	link_calls = 0;
	link_fail_at = 1;
	w = writer_with("<DIMONA/>\n", 1);
	assert_int_equal(batch_writer_commit(w, signer, NULL, 0), GW_EIO);
	assert_int_equal(link_calls, 1);
	link_fail_at = 0;
	assert_folder_empty();
	w = writer_with("<DIMONA/>\n", 1);
	assert_int_equal(batch_writer_commit(w, signer, NULL, 0), GW_OK);
	assert_int_equal(count_files("FI."), 1);
	assert_int_equal(count_files("FS."), 1);
	assert_int_equal(count_files("GO."), 1);
}

/* The offline sequence: a failed fsync keeps the old counter; past 99999 a
 * name would repeat, so it stops. */
static void
test_offline_sequence_failures(void **state)
{
	(void)state;
	unsigned seq = 0;
	assert_int_equal(batch_seq_next_offline(dir, &seq), GW_OK);
	assert_int_equal(seq, 1);
	fail_fsync(1);
	seq = 0;
	assert_int_equal(batch_seq_next_offline(dir, &seq), GW_EIO);
	assert_int_equal(seq, 0);
	fail_fsync(0);
	assert_int_equal(count_files(".gateway-seq.tmp"), 0);
	assert_int_equal(batch_seq_next_offline(dir, &seq), GW_OK);
	assert_int_equal(seq, 2);                       /* 2, not 3: the failed one never counted */

	char path[128];
	snprintf(path, sizeof path, "%s/.gateway-seq", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	/* A folder numbered per purpose by an older version goes on from its
	 * highest counter, so that no number is handed out twice. */
	fputs("DIMN 41\nDMFA 7\n", f);
	fclose(f);
	assert_int_equal(batch_seq_next_offline(dir, &seq), GW_OK);
	assert_int_equal(seq, 42);
	assert_int_equal(batch_seq_next_offline(dir, &seq), GW_OK);
	assert_int_equal(seq, 43);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("DIMN 7\nDMFA 99999\n", f);
	fclose(f);
	assert_int_equal(batch_seq_next_offline(dir, &seq), GW_ESTATE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_atomic_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_failures_leave_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_offline_sequence_failures, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
