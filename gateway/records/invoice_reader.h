/*
 * invoice_reader.h - reading invoice record files (JSON Lines) one record
 * at a time, with a precise rejection for every bad one.
 *
 * A rejected record never stops the file: the caller reports it and asks
 * for the next. Memory stays bounded whatever the file size (one line at a
 * time, INVOICE_LINE_MAX bytes at most).
 */
#ifndef GW_RECORDS_INVOICE_READER_H
#define GW_RECORDS_INVOICE_READER_H

#include <stddef.h>
#include "core/err.h"
#include "records/invoice.h"
#include "records/reader.h"

#define INVOICE_LINE_MAX (4u << 20)   /* one JSON object; longer is a rejection */

struct invoice_reader;

/* Open a JSON Lines invoice file ("-" is stdin). */
gw_rc invoice_reader_open(struct invoice_reader **r, const char *path,
                          char *errbuf, size_t errcap);
/* GW_OK: *inv holds the next valid record (the caller clears it).
 * GW_EINPUT: that record was rejected (*rej says why); call again.
 * GW_ENOTFOUND: end of file. GW_EIO: the file could not be read further. */
gw_rc invoice_reader_next(struct invoice_reader *r, struct invoice *inv,
                          struct record_rejection *rej);
void invoice_reader_close(struct invoice_reader *r);

/* Parse and fully validate one JSON object (one line, without its newline).
 * On GW_EINPUT, rej names the invoice id (when readable), the field and
 * the reason; rej->file and rej->line are left to the caller. *inv is
 * cleared on failure. */
gw_rc invoice_parse_json(const char *buf, size_t len, struct invoice *inv,
                         struct record_rejection *rej);

/* Cross-field rules (records.md and the EN 16931 / Peppol rules a record
 * can break): called by invoice_parse_json, exposed for tests. */
gw_rc invoice_validate(const struct invoice *inv, struct record_rejection *rej);

#endif
