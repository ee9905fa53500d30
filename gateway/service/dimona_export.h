/*
 * dimona_export.h - the offline Dimona export: contract records to signed
 * Dimona batch submissions (FI/FS/GO) for the ONSS batch channel: one, or
 * several of at most max_forms forms each, built in parallel.
 *
 * The pipeline behind `gateway dimona export`; the command parses its
 * options, loads the signer and calls dimona_export() once.
 */
#ifndef GW_SERVICE_DIMONA_EXPORT_H
#define GW_SERVICE_DIMONA_EXPORT_H

#include <stddef.h>
#include "core/err.h"
#include "core/progress.h"
#include "crypto/signer.h"

struct dimona_export_opts {
	const char *contracts;            /* the record file (CSV or JSON Lines) */
	const char *out;                  /* the folder of the submission, created when missing */
	const char *sender;               /* the sender number of the file names */
	char env;                         /* R, T or S */
	const struct gw_signer *signer;   /* signs the FS; NULL: no FS */
	const char *schema;               /* the FI is checked against it; NULL: not checked */
	const char *prog;                 /* names the command in the reader's messages */
	size_t max_forms;                 /* most forms per submission; 0 = no limit */
	unsigned threads;                 /* 0 = one per CPU, at most 4 */
	struct progress *progress;        /* forms written so far (of all); NULL: none */
};

struct dimona_export_result {
	size_t written;                   /* declarations in the FIs */
	size_t rejected;                  /* records refused (listed on stderr) */
	char (*fis)[256];                 /* the FI names placed, in order (malloc'd) */
	size_t nfiles;
};

/* Read the records (the highest revision per contract wins; a cancelled
 * one is not declared), merge Horeca occasional runs of more than two days
 * into one OTH period, run the named Dimona checks (a blocking one rejects
 * the record on stderr, a warning is printed), write the forms, check the
 * FIs against the schema and commit FI, FS, GO of each, in sequence order,
 * only when every submission was written, checked and signed. GW_OK:
 * written (rejections counted); GW_ENOTFOUND: nothing declarable, nothing
 * written; any other code: err says why (empty when the reader already
 * reported it), and nothing was written unless placing a later submission
 * failed (err then says how many were placed: res->fis names them). An
 * offline export has no period ids: INs only. Free res with
 * dimona_export_result_free, whatever the outcome. */
gw_rc dimona_export(const struct dimona_export_opts *o, struct dimona_export_result *res,
                    char *err, size_t errcap);
void dimona_export_result_free(struct dimona_export_result *res);

#endif
