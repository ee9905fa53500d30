/* test_atomicfile.c - core/atomicfile: a whole-file write is wholly there
 * or not there, never leaves a temporary behind, names the failing step;
 * a NO_REPLACE name is never replaced; a move into a subfolder fsyncs both
 * folders. The failures come from this binary's own openat, write, fsync,
 * close, linkat and renameat (the library is linked in statically, so the
 * helper calls these), which fail the N-th call for every N in turn, as
 * curl's torture tests fail the N-th allocation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/atomicfile.h"

/* 0: every call works; n: the n-th wrapped call from arming fails (EIO). */
static int fail_at, calls;
/* The folders fsynced while armed (by their /proc/self/fd path). */
static char synced[8][PATH_MAX];
static int nsynced;

static int
injected(void)
{
	if (fail_at == 0)
		return 0;
	if (++calls == fail_at) {
		errno = EIO;
		return 1;
	}
	return 0;
}

int
openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	if (flags & O_CREAT) {
		va_list ap;
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (injected())
		return -1;
	return (int)syscall(SYS_openat, dirfd, path, flags, mode);
}

ssize_t
write(int fd, const void *p, size_t n)
{
	return injected() ? -1 : (ssize_t)syscall(SYS_write, fd, p, n);
}

int
fsync(int fd)
{
	if (injected())
		return -1;
	struct stat st;
	if (fail_at != 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && nsynced < 8) {
		char link[64];
		snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
		ssize_t k = readlink(link, synced[nsynced], PATH_MAX - 1);
		synced[nsynced++][k > 0 ? k : 0] = '\0';
	}
	return (int)syscall(SYS_fsync, fd);
}

int
close(int fd)
{
	/* The descriptor is released even when close reports an error, as
	 * Linux does: a failed close must not leak. */
	int r = (int)syscall(SYS_close, fd);
	return injected() ? -1 : r;
}

int
linkat(int a, const char *from, int b, const char *to, int flags)
{
	return injected() ? -1 : (int)syscall(SYS_linkat, a, from, b, to, flags);
}

int
renameat(int a, const char *from, int b, const char *to)
{
	return injected() ? -1 : (int)syscall(SYS_renameat, a, from, b, to);
}

static void
arm(int n)
{
	fail_at = n;
	calls = 0;
	nsynced = 0;
}

static char dir[64];
static int dfd = -1;

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/gwatomXXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	return dfd >= 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	char cmd[128];
	arm(0);
	close(dfd);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Entries of d other than . and .., temporaries included. */
static int
entries(const char *d)
{
	DIR *h = opendir(d);
	struct dirent *e;
	int n = 0;
	assert_non_null(h);
	while ((e = readdir(h)) != NULL)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(h);
	return n;
}

/* Content of dir/name into buf (NUL-terminated); -1 when absent. */
static long
content(const char *d, const char *name, char *buf, size_t cap)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", d, name);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (long)n;
}

/* Replace: the new bytes in place, mode as asked, no temporary left. */
static void
test_write_and_replace(void **state)
{
	(void)state;
	char buf[64], err[256], path[PATH_MAX];
	struct stat st;
	assert_int_equal(atomic_write_at(dfd, "a.xml", "first", 5, 0644, 0, err, sizeof err), GW_OK);
	assert_int_equal(atomic_write_at(dfd, "a.xml", "second", 6, 0600, ATOMIC_EXACT_MODE,
	                                 err, sizeof err), GW_OK);
	assert_int_equal(content(dir, "a.xml", buf, sizeof buf), 6);
	assert_string_equal(buf, "second");
	assert_int_equal(entries(dir), 1);
	snprintf(path, sizeof path, "%s/a.xml", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* Whole paths too; an empty file is a file. */
	snprintf(path, sizeof path, "%s/b", dir);
	assert_int_equal(atomic_write_file(path, "", 0, 0644, 0, err, sizeof err), GW_OK);
	assert_int_equal(content(dir, "b", buf, sizeof buf), 0);
	/* A name with a folder in it, or none, is refused before anything is made. */
	assert_int_equal(atomic_write_at(dfd, "no/such.xml", "x", 1, 0644, 0, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "no/such.xml"));
	assert_int_equal(atomic_write_at(dfd, "", "x", 1, 0644, 0, err, sizeof err), GW_EINPUT);
	assert_int_equal(entries(dir), 2);
	snprintf(path, sizeof path, "%s/missing/c", dir);
	assert_int_equal(atomic_write_file(path, "x", 1, 0644, 0, err, sizeof err), GW_EIO);
	assert_non_null(strstr(err, "missing"));
}

/* NO_REPLACE: a taken name is GW_EDUP and keeps its bytes. */
static void
test_no_replace(void **state)
{
	(void)state;
	char buf[64], err[256];
	assert_int_equal(atomic_write_at(dfd, "GO.A", "one", 3, 0640,
	                                 ATOMIC_NO_REPLACE | ATOMIC_EXACT_MODE, err, sizeof err), GW_OK);
	assert_int_equal(atomic_write_at(dfd, "GO.A", "two", 3, 0640,
	                                 ATOMIC_NO_REPLACE | ATOMIC_EXACT_MODE, err, sizeof err), GW_EDUP);
	assert_non_null(strstr(err, "GO.A"));
	assert_int_equal(content(dir, "GO.A", buf, sizeof buf), 3);
	assert_string_equal(buf, "one");
	assert_int_equal(entries(dir), 1);
}

/* Fail each step in turn (for every N until a call goes through): every
 * failure is reported with the file and the step, leaves no temporary,
 * and the name holds the old bytes or the whole new ones, never part. */
static void
torture(unsigned flags, const char *const *steps, size_t nsteps)
{
	static char data[100000];
	char buf[sizeof data + 1], err[256];
	int seen[8] = { 0 };
	memset(data, 'n', sizeof data);
	if (!(flags & ATOMIC_NO_REPLACE))
		assert_int_equal(atomic_write_at(dfd, "doc", "old", 3, 0644, 0, err, sizeof err), GW_OK);
	int n;
	for (n = 1; n < 100; n++) {
		arm(n);
		err[0] = '\0';
		gw_rc rc = atomic_write_at(dfd, "doc", data, sizeof data, 0644, flags, err, sizeof err);
		int fired = calls >= n;
		arm(0);
		if (!fired) {
			assert_int_equal(rc, GW_OK);
			break;
		}
		assert_int_equal(rc, GW_EIO);
		assert_non_null(strstr(err, "doc: "));
		for (size_t k = 0; k < nsteps; k++)
			if (strstr(err, steps[k]) != NULL)
				seen[k] = 1;
		long got = content(dir, "doc", buf, sizeof buf);
		assert_true(entries(dir) <= 1);              /* no temporary left */
		if (flags & ATOMIC_NO_REPLACE)
			assert_int_equal(got, -1);               /* absent: the caller was told it failed */
		else
			assert_true((got == 3 && strcmp(buf, "old") == 0) ||
			            (got == (long)sizeof data && memcmp(buf, data, sizeof data) == 0));
	}
	assert_true(n > (int)nsteps);                      /* every step was reached and failed */
	for (size_t k = 0; k < nsteps; k++) {
		if (!seen[k])
			fail_msg("the step \"%s\" was never reported", steps[k]);
	}
	assert_int_equal(content(dir, "doc", buf, sizeof buf), (long)sizeof data);
}

static void
test_replace_fails_at_every_step(void **state)
{
	(void)state;
	static const char *const steps[] = { "create", "write", "fsync", "close", "rename",
	                                     "fsync the folder" };
	torture(0, steps, sizeof steps / sizeof steps[0]);
}

static void
test_no_replace_fails_at_every_step(void **state)
{
	(void)state;
	static const char *const steps[] = { "create", "write", "fsync", "close", "link",
	                                     "fsync the folder" };
	torture(ATOMIC_NO_REPLACE, steps, sizeof steps / sizeof steps[0]);
}

/* ATOMIC_NO_DIR_SYNC leaves the folder fsync to the caller (two names,
 * one fsync): the file is fsynced and in place, the folder is not synced;
 * without the flag it is. */
static void
test_no_dir_sync(void **state)
{
	(void)state;
	char buf[64], err[256];
	arm(1000);                                   /* armed, but nothing fails: records the fsyncs */
	assert_int_equal(atomic_write_at(dfd, "DOC.xml", "doc", 3, 0644,
	    ATOMIC_NO_REPLACE | ATOMIC_NO_DIR_SYNC, err, sizeof err), GW_OK);
	int folder_synced = nsynced;
	assert_int_equal(atomic_write_at(dfd, "DOC.json", "side", 4, 0644, ATOMIC_NO_REPLACE, err,
	    sizeof err), GW_OK);
	int then_synced = nsynced;
	arm(0);
	assert_int_equal(folder_synced, 0);
	assert_int_equal(then_synced, 1);
	assert_string_equal(synced[0], dir);
	assert_int_equal(content(dir, "DOC.xml", buf, sizeof buf), 3);
	assert_int_equal(content(dir, "DOC.json", buf, sizeof buf), 4);
}

/* The move files the answer in sub/ under a free name, and fsyncs sub/
 * (where the new name is) as well as the folder it left. */
static void
test_move_into(void **state)
{
	(void)state;
	char buf[64], err[256], sub[PATH_MAX];
	snprintf(sub, sizeof sub, "%s/applied", dir);
	assert_int_equal(atomic_write_at(dfd, "FO.1", "first", 5, 0644, 0, err, sizeof err), GW_OK);
	arm(1000);                                   /* armed, but nothing fails: records the fsyncs */
	assert_int_equal(atomic_move_into(dir, "FO.1", "applied", err, sizeof err), GW_OK);
	int synced_sub = 0, synced_dir = 0;
	for (int i = 0; i < nsynced; i++) {
		synced_sub |= strcmp(synced[i], sub) == 0;
		synced_dir |= strcmp(synced[i], dir) == 0;
	}
	arm(0);
	assert_true(synced_sub);
	assert_true(synced_dir);
	assert_int_equal(content(dir, "FO.1", buf, sizeof buf), -1);
	assert_int_equal(content(sub, "FO.1", buf, sizeof buf), 5);
	/* The same name again keeps the first and files the second as .2. */
	assert_int_equal(atomic_write_at(dfd, "FO.1", "again", 5, 0644, 0, err, sizeof err), GW_OK);
	assert_int_equal(atomic_move_into(dir, "FO.1", "applied", err, sizeof err), GW_OK);
	assert_int_equal(content(sub, "FO.1", buf, sizeof buf), 5);
	assert_string_equal(buf, "first");
	assert_int_equal(content(sub, "FO.1.2", buf, sizeof buf), 5);
	assert_string_equal(buf, "again");
	/* A failed fsync of sub/ is an error, and the answer is still in the
	 * folder (never lost: filed twice at worst). */
	assert_int_equal(atomic_write_at(dfd, "FO.3", "third", 5, 0644, 0, err, sizeof err), GW_OK);
	arm(1);                                      /* the first fsync: sub/'s */
	assert_int_equal(atomic_move_into(dir, "FO.3", "applied", err, sizeof err), GW_EIO);
	arm(0);
	assert_non_null(strstr(err, "applied: fsync the folder"));
	assert_int_equal(content(dir, "FO.3", buf, sizeof buf), 5);
	/* A missing source is an error naming it. */
	assert_int_equal(atomic_move_into(dir, "FO.none", "applied", err, sizeof err), GW_EIO);
	assert_non_null(strstr(err, "FO.none"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_and_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_fails_at_every_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_replace_fails_at_every_step, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_into, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_dir_sync, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
