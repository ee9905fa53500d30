/*
 * dmfa_export.h - the offline DmfA pipelines behind `gateway dmfa export`
 * (the quarter's original, DMFA) and `gateway dmfa update` (a correction,
 * DMWA): contract records in, one signed FI/FS/GO submission out.
 *
 * Reads the contracts (IDFLUX INSS changes applied), prepares the rows,
 * then onss/dmfa/submit.h streams the XML into the submission, checks it
 * against the official XSD and signs it. An original is never written
 * twice from one folder: the folder's filing record (service/dmfa_filing.h)
 * refuses employers already filed there and points to `dmfa update`. No
 * queue (spec/cli.md, offline builders).
 */
#ifndef GW_SERVICE_DMFA_EXPORT_H
#define GW_SERVICE_DMFA_EXPORT_H

#include <stddef.h>
#include "core/err.h"
#include "onss/dmfa/rows.h"

#define DMFA_EXPORT_MAX_LIST 16        /* --idflux and --dmpi files */

struct dmfa_export_opts {
	int update;                        /* 0: original (export), 1: correction (update) */
	int quarter;                       /* YYYYQ */
	char env;                          /* R, T or S */
	const char *contracts, *filed, *out, *sender, *cert, *key, *params, *justification;
	const char *idflux[DMFA_EXPORT_MAX_LIST], *dmpi[DMFA_EXPORT_MAX_LIST];
	size_t nidflux, ndmpi;
	dmfa_reject_fn reject;             /* a row of --contracts the DmfA cannot carry */
	void *reject_arg;
};

struct dmfa_export_result {
	char fi[160];                      /* the submission written */
	size_t rejected;                   /* records of --contracts refused by the reader */
	char left_out[160];                /* contracts of a worker type without DmfA:
	                                      "3 contracts (DWD 2, STG 1)", or "" */
	/* On failure: what went wrong (may be "" when the reader said it),
	 * and whether it is the writer's (then prefixed by the subcommand). */
	char err[1024];
	int err_writer;
};

/* Write the submission. GW_OK: r->fi written. GW_ENOTFOUND: a correction
 * with nothing to say (nothing written). GW_EINPUT: the writer refused
 * the declaration (see the rejections). Anything else: usage, input file
 * or I/O error, in r->err. */
gw_rc dmfa_export_run(const struct dmfa_export_opts *o, struct dmfa_export_result *r);

#endif
