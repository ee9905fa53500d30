/*
 * keyfile.c - private key file permissions (crypto/keyfile.h).
 *
 * Owns nothing; never opens the file (its reader does), so the check is a
 * stat(2): a key whose mode is loosened between the check and the read is
 * a local administrator's act, not an input this code can refuse.
 */
#include "crypto/keyfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

gw_rc
keyfile_check(const char *path, const char *what, char *errbuf, size_t errcap)
{
	struct stat st;

	if (path == NULL || path[0] == '\0') {
		snprintf(errbuf, errcap, "no %s file configured", what);
		return GW_ECONFIG;
	}
	if (stat(path, &st) != 0) {
		snprintf(errbuf, errcap, "%s: %s: %s", path, what, strerror(errno));
		return GW_ECONFIG;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(errbuf, errcap, "%s: %s is not a regular file", path, what);
		return GW_ECONFIG;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(errbuf, errcap, "%s: %s readable by group or others (mode %03o); "
		    "refusing it (chmod 600)", path, what, (unsigned)(st.st_mode & 0777));
		return GW_ECONFIG;
	}
	return GW_OK;
}
