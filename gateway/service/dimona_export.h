/*
 * dimona_export.h - the offline Dimona export: contract records to one
 * signed Dimona batch submission (FI/FS/GO) for the ONSS batch channel.
 *
 * The pipeline behind `gateway dimona export`; the command parses its
 * options, loads the signer and calls dimona_export() once.
 */
#ifndef GW_SERVICE_DIMONA_EXPORT_H
#define GW_SERVICE_DIMONA_EXPORT_H

#include <stddef.h>
#include "core/err.h"
#include "crypto/signer.h"

struct dimona_export_opts {
	const char *contracts;            /* the record file (CSV or JSON Lines) */
	const char *out;                  /* the folder of the submission, created when missing */
	const char *sender;               /* the sender number of the file names */
	char env;                         /* R, T or S */
	const struct gw_signer *signer;   /* signs the FS; NULL: no FS */
	const char *schema;               /* the FI is checked against it; NULL: not checked */
	const char *prog;                 /* names the command in the reader's messages */
};

struct dimona_export_result {
	size_t written;                   /* declarations in the FI */
	size_t rejected;                  /* records refused (listed on stderr) */
	char fi[256];                     /* the FI name, on GW_OK */
};

/* Read the records (the highest revision per contract wins; a cancelled
 * one is not declared), merge Horeca occasional runs of more than two days
 * into one OTH period, run the named Dimona checks (a blocking one rejects
 * the record on stderr, a warning is printed), write the forms, check the
 * FI against the schema and commit FI, FS, GO. GW_OK: written (rejections
 * counted); GW_ENOTFOUND: nothing declarable, nothing written; any other
 * code: nothing written, err says why (empty when the reader already
 * reported it). An offline export has no period ids: INs only. */
gw_rc dimona_export(const struct dimona_export_opts *o, struct dimona_export_result *res,
                    char *err, size_t errcap);

#endif
