/*
 * dimona_index.h - what the Dimona batch export keeps of each record: where
 * it lies in the file and what the export decided about it, not the record.
 *
 * The export reads the file once into this index (contract id, revision,
 * the line's offset and length, a Horeca EXT day's run key and dates, and
 * whether the rules had anything to say), applies the highest-revision
 * rule, the Horeca run merge and the rules' verdicts on the index alone,
 * then builds each declaration again from its line when its submission is
 * written. Memory follows the number of records (about 50 bytes each plus
 * the ids), never their size. Owns the index, its strings and the file
 * descriptor records are read again from (stdin is first copied to an
 * unnamed temporary file, which can be read again).
 */
#ifndef GW_SERVICE_DIMONA_INDEX_H
#define GW_SERVICE_DIMONA_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "core/date.h"
#include "core/err.h"
#include "onss/dimona/decl.h"
#include "records/reader.h"

struct dimona_index_entry {
	const char *id;                   /* the contract id */
	const char *run_key;              /* a Horeca EXT day's run key; NULL otherwise */
	off_t off;                        /* the record's line in the file */
	uint32_t len;
	uint32_t revision;
	gw_ymd start, end;                /* a Horeca EXT day's first and last day */
	gw_ymd run_end;                   /* last day of the Horeca run it heads; 0: none */
	unsigned char cancelled;
	unsigned char findings;           /* the rules found something when it was read */
};

struct dimona_index {
	struct dimona_index_entry *v;     /* in file order, then what dimona_index_select keeps */
	size_t n, cap;
	char **blk;                       /* the strings, in blocks that never move */
	size_t nblk, blkcap, used;
	const char *file;                 /* the name messages give the file */
	struct contract_reader *r;        /* the reader of the first pass: its columns */
	int fd;                           /* records are read again from here */
	FILE *spool;                      /* stdin's copy, when the file is "-" */
	gw_ymd today;                     /* the moment the rules judge from */
	int minutes;
};

/* Read every record of path into x (rejections printed to stderr and
 * counted in *nrej, as contract_file_foreach does; prog names the command
 * in an open or read error). 0 on success, -1 when the file cannot be
 * read (said on stderr) or memory ran out. */
int dimona_index_read(struct dimona_index *x, const char *path, const char *prog,
                      gw_ymd today, int minutes, size_t *nrej);

/* Keep, in contract-id order, what is to be declared: the highest revision
 * of each contract, unless cancelled (logged); a Horeca run merged into its
 * first day (*merged runs); no record the rules block. Every finding is
 * printed to stderr as it was when the export held every declaration; each
 * blocked record counts in *nrej. GW_ENOMEM or GW_EIO (err says why). */
gw_rc dimona_index_select(struct dimona_index *x, size_t *merged, size_t *nrej,
                          char *err, size_t errcap);

/* One thread's means of reading records again. */
struct dimona_index_reader;
gw_rc dimona_index_reader_open(const struct dimona_index *x, struct dimona_index_reader **out);
void dimona_index_reader_close(struct dimona_index_reader *rd);
/* The declaration of entry e, read again and built as the index decided
 * (the run it heads applied). GW_EIO when its line is no longer the record
 * it was (the file changed during the export): err names it. */
gw_rc dimona_index_decl(struct dimona_index_reader *rd, const struct dimona_index_entry *e,
                        struct dimona_decl *d, char *err, size_t errcap);

void dimona_index_free(struct dimona_index *x);

#endif
