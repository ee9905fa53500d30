/* test_keyfile.c - one permission check for every private key file: the
 * signing key and the SFTP client key are refused alike when group or
 * others can read them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "crypto/keyfile.h"
#include "onss/batch/sftp.h"

static char key[] = "/tmp/gwkeyfileXXXXXX";
static char err[1024];

static int
setup(void **state)
{
	(void)state;
	int fd = mkstemp(key);
	if (fd < 0)
		return -1;
	/* The content does not matter: libssh2 and OpenSSL read it later. */
	if (write(fd, "key\n", 4) != 4)
		return -1;
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	unlink(key);
	return 0;
}

static void
test_modes(void **state)
{
	(void)state;
	chmod(key, 0600);
	assert_int_equal(keyfile_check(key, "private key", err, sizeof err), GW_OK);
	chmod(key, 0400);
	assert_int_equal(keyfile_check(key, "private key", err, sizeof err), GW_OK);
	static const mode_t loose[] = { 0644, 0640, 0604, 0610, 0601, 0660 };
	for (size_t i = 0; i < sizeof loose / sizeof *loose; i++) {
		chmod(key, loose[i]);
		char want[256];
		snprintf(want, sizeof want, "%s: private key readable by group or others (mode %03o); "
		    "refusing it (chmod 600)", key, (unsigned)loose[i]);
		assert_int_equal(keyfile_check(key, "private key", err, sizeof err), GW_ECONFIG);
		assert_string_equal(err, want);
	}
	chmod(key, 0600);
	assert_int_equal(keyfile_check("/tmp", "private key", err, sizeof err), GW_ECONFIG);
	assert_string_equal(err, "/tmp: private key is not a regular file");
	assert_int_equal(keyfile_check("/nonexistent/k", "SFTP private key", err, sizeof err), GW_ECONFIG);
	assert_string_equal(err, "/nonexistent/k: SFTP private key: No such file or directory");
}

/* The SFTP client key goes through the same check when the channel is
 * configured: a 0644 key is refused before any connection, naming it. */
static void
test_sftp_key_checked(void **state)
{
	(void)state;
	assert_non_null(gw_cfg = config_new());
	config_set(gw_cfg, "onss_batch.sftp_url", "sftp://127.0.0.1:1/base/");
	config_set(gw_cfg, "onss_batch.sftp_host_sha256", "AAAA");
	config_set(gw_cfg, "onss_batch.sftp_key", key);
	struct batch_sftp s;
	chmod(key, 0644);
	assert_int_equal(batch_sftp_from_config(&s, err, sizeof err), GW_ECONFIG);
	char want[256];
	snprintf(want, sizeof want, "%s: SFTP private key readable by group or others (mode 644); "
	    "refusing it (chmod 600)", key);
	assert_string_equal(err, want);
	chmod(key, 0600);
	assert_int_equal(batch_sftp_from_config(&s, err, sizeof err), GW_OK);
	assert_string_equal(s.key, key);
	config_free(gw_cfg);
	gw_cfg = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_sftp_key_checked),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
