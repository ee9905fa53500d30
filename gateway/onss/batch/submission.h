/*
 * submission.h - one ONSS batch submission: FI (the XML), FS (detached CMS
 * signature of FI), GO (empty trigger), written atomically into a folder.
 *
 * Names: FI.<purpose>.<sender>.<YYYYMMDD>.<seq>.<env>.1.1, FS. likewise,
 * GO.<purpose>.<sender>.<YYYYMMDD>.<seq>.<env>.1. Purposes DIMN, DMFA, DMWA;
 * environments R (production), T (circuit test), S (simulation: no FS).
 *
 * The FI content is streamed by the caller into batch_writer_file(), so a
 * DmfA of a million contracts never sits in memory. Commit fsyncs FI,
 * renames it into place, signs it by streaming the file, writes FS the same
 * way, then GO last; abort removes every temporary file.
 */
#ifndef GW_ONSS_BATCH_SUBMISSION_H
#define GW_ONSS_BATCH_SUBMISSION_H

#include <stdio.h>
#include "core/err.h"
#include "crypto/signer.h"
#include "records/contract.h"

struct batch_name {
	char purpose[5];      /* DIMN, DMFA, DMWA */
	char sender[16];      /* sender number (digits) */
	gw_ymd date;          /* YYYYMMDD */
	unsigned seq;         /* sequence number, never reused */
	char env;             /* 'R', 'T' or 'S' */
};

/* Format the name of one file of the submission: kind is 'I' (FI), 'S' (FS)
 * or 'G' (GO). */
gw_rc batch_name_format(const struct batch_name *n, char kind, char *out, size_t cap);
/* Parse any FI/FS/GO/FO name; *kind gets 'I' (FI), 'S' (FS), 'G' (GO),
 * 'O' (FO, an answer: purpose holds its type, ACRF/NOTI/DMPI/IDFL) or 'T'
 * (TD, a cancel trigger). Trailing version parts (".1.1", ".1", an answer's
 * counter) are accepted and ignored. */
gw_rc batch_name_parse(const char *name, struct batch_name *n, char *kind);
/* The name of the answer of type `type` (ACRF, NOTI, DMPI, IDFL) for the
 * submission n, the n-th of its type (0 = first, written without counter). */
gw_rc batch_name_format_answer(const struct batch_name *n, const char *type, unsigned nth,
                               char *out, size_t cap);

struct batch_writer;

gw_rc batch_writer_open(struct batch_writer **w, const char *dir, const struct batch_name *n);
/* Where the FI content goes; owned by the writer. */
FILE *batch_writer_file(struct batch_writer *w);
/* Make the FI durable in its temporary file and sign it (the FS content),
 * placing nothing yet: several writers may be sealed at once, in threads,
 * before any is committed. Optional: commit seals a writer that is not. */
gw_rc batch_writer_seal(struct batch_writer *w, const struct gw_signer *signer);
/* The sequence number the files will be named with, when it is drawn only
 * once the content is written, checked and sealed (a failed build spends
 * none); before batch_writer_commit(). */
void batch_writer_set_seq(struct batch_writer *w, unsigned seq);
/* Finish: seal (unless done), then place FI (link, folder fsync), FS
 * (unless env 'S' or signer NULL), then GO. fi_name receives the FI file
 * name (not the path). */
gw_rc batch_writer_commit(struct batch_writer *w, const struct gw_signer *signer,
                          char *fi_name, size_t cap);
void batch_writer_abort(struct batch_writer *w);

/* Detached CMS signature of a file as base64 (SHA-256, RSA, signedData v1,
 * content type data, no CRLs, no unsigned attributes). *b64 is malloc'd. */
gw_rc batch_sign_file(const struct gw_signer *signer, const char *path, char **b64, size_t *len);

/* Write one small file atomically: temp file (O_EXCL) in dir, write, fsync,
 * close, link to its name (GW_EDUP when the name exists: names are never
 * reused), unlink the temp, fsync dir. */
gw_rc batch_write_atomic(const char *dir, const char *name, const void *data, size_t len);

/* Next sequence number for an offline export into dir, one counter for
 * every purpose (kept in dir/.gateway-seq, updated atomically); the queue
 * uses its own counter. */
gw_rc batch_seq_next_offline(const char *dir, unsigned *seq);

#endif
