/*
 * refdir.c - the newest official file of a kind in a reference folder
 * (refdir.h).
 *
 * One copy of the directory scan that the answer schemas (batch/answer.c)
 * and the error-code annex (codelist.c) both need, so both pick the newest
 * version by the same rule. Never reads the files themselves.
 */
#include "onss/refdir.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

int
onss_refdir_newest(const char *dir, const char *prefix, const char *suffix, char *path,
                   size_t cap)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char best[NAME_MAX + 1] = "";
	size_t plen = strlen(prefix), slen = strlen(suffix);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (strncmp(e->d_name, prefix, plen) == 0 && len > slen &&
		    strcmp(e->d_name + len - slen, suffix) == 0 && strcmp(e->d_name, best) > 0)
			snprintf(best, sizeof best, "%s", e->d_name);
	}
	closedir(d);
	return best[0] != '\0' && snprintf(path, cap, "%s/%s", dir, best) < (int)cap;
}
