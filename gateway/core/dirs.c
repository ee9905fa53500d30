/*
 * dirs.c - making the folders a command writes into (core/dirs.h).
 */
#include "core/dirs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* One level; an existing folder (not a file) is success. */
static int
mkdir_one(const char *p, mode_t mode)
{
	struct stat st;
	if (mkdir(p, mode) == 0)
		return 0;
	if (errno == EEXIST && stat(p, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
	}
	return -1;
}

gw_rc
dir_ensure(const char *path, mode_t mode, char *err, size_t errcap)
{
	char p[PATH_MAX];
	size_t n = strlen(path);
	if (n == 0 || n >= sizeof p) {
		snprintf(err, errcap, "%.80s: not a usable folder name", path);
		return GW_EIO;
	}
	memcpy(p, path, n + 1);
	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
	for (size_t i = 1; i < n; i++) {
		if (p[i] != '/')
			continue;
		p[i] = '\0';
		int rc = mkdir_one(p, mode);
		p[i] = '/';
		if (rc != 0) {
			snprintf(err, errcap, "%.*s: %s", (int)i, p, strerror(errno));
			return GW_EIO;
		}
	}
	if (mkdir_one(p, mode) != 0) {
		snprintf(err, errcap, "%s: %s", p, strerror(errno));
		return GW_EIO;
	}
	return GW_OK;
}
