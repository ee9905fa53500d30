/*
 * lookup.c - whether the ONSS already has a batch submission (lookup.h):
 * the runner's lookup before any re-send of the onss-batch channel.
 *
 * Reads folder listings only (the server's IN and OUT over SFTP, the local
 * answers folder); changes nothing anywhere.
 */
#include "onss/batch/lookup.h"
#include "onss/batch/submission.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Whether a folder listing holds a receipt (FO.ACRF) of submission n. */
static int
has_receipt(char **names, size_t n, const struct batch_name *bn)
{
	char acrf[128];
	batch_name_format_answer(bn, "ACRF", 0, acrf, sizeof acrf);
	size_t l = strlen(acrf);
	for (size_t i = 0; i < n; i++)
		if (strncmp(names[i], acrf, l) == 0 && (names[i][l] == '\0' || names[i][l] == '.'))
			return 1;
	return 0;
}

/* The same over a local folder. */
static int
local_receipt(const char *dir, const struct batch_name *bn)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char acrf[128];
	int found = 0;
	if (d == NULL)
		return 0;
	batch_name_format_answer(bn, "ACRF", 0, acrf, sizeof acrf);
	size_t l = strlen(acrf);
	while (!found && (e = readdir(d)) != NULL)
		found = strncmp(e->d_name, acrf, l) == 0 && (e->d_name[l] == '\0' || e->d_name[l] == '.');
	closedir(d);
	return found;
}

gw_rc
batch_already_there(const struct batch_sftp *sftp, const char *answers, const char *fi)
{
	struct batch_name bn;
	char kind, go[128], err[256], sub[PATH_MAX];
	char **names = NULL;
	size_t n = 0;
	gw_rc rc;

	if (batch_name_parse(fi, &bn, &kind) != GW_OK)
		return GW_ETEMP;
	batch_name_format(&bn, 'G', go, sizeof go);
	if (answers != NULL) {
		const char *subs[] = { "", "/applied", "/unmatched" };
		for (int i = 0; i < 3; i++) {
			snprintf(sub, sizeof sub, "%s%s", answers, subs[i]);
			if (local_receipt(sub, &bn))
				return GW_OK;
		}
	}
	if (sftp == NULL)
		return GW_ENOTFOUND;
	if ((rc = batch_sftp_list(sftp, batch_sftp_in_dir(bn.env), &names, &n, err, sizeof err)) != GW_OK)
		return GW_ETEMP;
	int there = 0;
	for (size_t i = 0; i < n; i++)
		there |= strcmp(names[i], go) == 0;
	batch_sftp_names_free(names, n);
	if (there)
		return GW_OK;
	if ((rc = batch_sftp_list(sftp, batch_sftp_out_dir(bn.env), &names, &n, err, sizeof err)) != GW_OK)
		return GW_ETEMP;
	there = has_receipt(names, n, &bn);
	batch_sftp_names_free(names, n);
	return there ? GW_OK : GW_ENOTFOUND;
}
