/*
 * invoice_export.h - the offline invoice export: invoice records in, one
 * Peppol BIS Billing 3.0 document per record out, written atomically.
 *
 * The pipeline behind `gateway invoice export`; the command parses its
 * options and calls invoice_export() once.
 */
#ifndef GW_SERVICE_INVOICE_EXPORT_H
#define GW_SERVICE_INVOICE_EXPORT_H

#include <stddef.h>
#include "core/err.h"
#include "peppol/ubl/builder.h"

struct invoice_export_counts {
	unsigned long written;        /* documents written */
	unsigned long undeliverable;  /* of those, buyers without a Peppol id */
	unsigned long rejected;       /* records refused (listed on stderr) */
};

/* Export every record of the JSON Lines file in to outdir/<invoice_id>.xml
 * (created when missing). Rejections and undeliverable buyers go to
 * stderr, one line each, and the rest of the file is still processed.
 * GW_OK when the whole file was read (counts filled; rejections are not an
 * error); otherwise a GW_* code and err naming the file, record or step. */
gw_rc invoice_export(const char *in, const char *outdir, const struct ubl_build_opts *opts,
                     struct invoice_export_counts *counts, char *err, size_t errcap);

#endif
