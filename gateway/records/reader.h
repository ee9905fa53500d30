/*
 * reader.h - reading contract record files (CSV or JSON Lines) one record
 * at a time, with a precise rejection for every bad one.
 *
 * A rejected record never stops the file: the caller reports it and asks
 * for the next. Memory stays bounded whatever the file size.
 *
 * What the reader accepts, beyond shared/spec/records.md:
 *  - One record is one physical line (LF or CRLF), in both formats; a CSV
 *    quoted field must close on its line, so after broken quoting the next
 *    line is read as the next record. Lines above 64 KiB are refused whole.
 *    Blank lines are skipped; a UTF-8 BOM at the start is dropped.
 *  - An empty CSV cell and an empty JSON string both mean "absent".
 *  - A CSV column that is unknown, or named twice in the header, refuses
 *    every record that puts a value in it (naming the column); records that
 *    leave it empty lose nothing and pass.
 *  - One rejection per record: the first problem in the spec's field order,
 *    then the rules between fields. The record id is named whenever the
 *    contract_id could be read.
 *  - The CSV path allocates nothing per record; JSON Lines go through
 *    jansson.
 */
#ifndef GW_RECORDS_READER_H
#define GW_RECORDS_READER_H

#include <stdio.h>
#include <sys/types.h>
#include "core/err.h"
#include "records/contract.h"

struct record_rejection {
	char file[256];
	unsigned long line;           /* 1-based physical line where the record starts */
	char record_id[CONTRACT_ID_MAX + 1];   /* "" when the id itself is missing or bad */
	char field[48];               /* the field at fault, "" for the whole record */
	char reason[256];
};

/* "FILE:LINE: record ID: field FIELD: REASON" on one line; "record ID: "
 * is left out when the id is unknown, "field FIELD: " when the whole
 * record is at fault. Bytes that are not printable UTF-8 become '?'. */
void record_rejection_print(const struct record_rejection *rej, FILE *out);

struct contract_reader;

/* Open a contract file ("-" is standard input); GW_EIO when it cannot be opened or read,
 * GW_EINPUT when its CSV header is unusable (errbuf says why, in the
 * rejection format). The format is taken from the extension (.csv,
 * .jsonl/.ndjson) or, failing that, from the first byte. */
gw_rc contract_reader_open(struct contract_reader **r, const char *path,
                           char *errbuf, size_t errcap);
enum contract_format { CONTRACT_FMT_AUTO, CONTRACT_FMT_CSV, CONTRACT_FMT_JSONL };

/* Read from an open stream (an HTTP body through fmemopen, a pipe, a
 * fuzzer's bytes); name is used in rejections. The stream stays the
 * caller's: contract_reader_close does not close it. AUTO looks at the
 * first byte ('{' means JSON Lines). */
gw_rc contract_reader_open_stream(struct contract_reader **r, FILE *fp, const char *name,
                                  enum contract_format fmt, char *errbuf, size_t errcap);
/* The format in use (CSV or JSONL once opened). */
enum contract_format contract_reader_format(const struct contract_reader *r);

/* GW_OK: *c holds the next valid record. GW_EINPUT: that record was
 * rejected (*rej says why); call again for the next. GW_ENOTFOUND: end of
 * file. GW_EIO: the file could not be read further. GW_ENOMEM: out of
 * memory, which says nothing of the record (never a rejection). */
gw_rc contract_reader_next(struct contract_reader *r, struct contract *c,
                           struct record_rejection *rej);
void contract_reader_close(struct contract_reader *r);

/* Reading a record again, for a caller that keeps where records lie
 * rather than the records themselves (the Dimona batch export): */
/* Where the record contract_reader_next returned last lies in the file:
 * the byte offset and length of its line (no terminator, CR or BOM). */
void contract_reader_where(const struct contract_reader *r, off_t *off, size_t *len);
/* A reader without a file that parses lines as r does (same format and
 * CSV columns), with its own buffers: one per thread. */
gw_rc contract_reader_twin(const struct contract_reader *r, struct contract_reader **out);
/* Read len bytes at off from fd (pread: threads may share fd) and parse
 * them as one record, with the results of contract_reader_next; GW_EIO
 * when they cannot all be read. */
gw_rc contract_reader_read_at(struct contract_reader *r, int fd, off_t off, size_t len,
                              struct contract *c, struct record_rejection *rej);

/* Read a whole contract file for a command: each rejection is printed to
 * stderr and counted in *nrejected, each valid contract goes to fn (which
 * may change it). An open or read error is printed as "PROG: ..." and
 * stops the file. 0 at end of file; -1 on open/read error, out of memory,
 * or when fn returned non-zero (fn says why itself). */
int contract_file_foreach(const char *path, const char *prog,
                          int (*fn)(void *ctx, struct contract *c), void *ctx,
                          size_t *nrejected);

/* Canonical JSON of a validated contract (the queue stores it as a
 * message payload) and back. contract_from_json re-validates: GW_EINPUT
 * when the text is no valid record, GW_ENOMEM when memory ran out. */
gw_rc contract_to_json(const struct contract *c, char **out, size_t *len);
gw_rc contract_from_json(const char *json, size_t len, struct contract *c,
                         struct record_rejection *rej);

#endif
