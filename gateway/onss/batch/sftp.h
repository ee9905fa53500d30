/*
 * sftp.h - the ONSS batch transport: SFTP with key authentication through
 * libcurl, the server's host key pinned by its SHA-256 fingerprint.
 *
 * Folders by environment: upload to IN (R), INTEST (T), INTEST-S (S); read
 * answers from OUT, OUTTEST, OUTTEST-S. Uploads go to a dot-prefixed
 * temporary name and are renamed in place once complete, GO last, so the
 * other side never sees half a file; a retried upload simply overwrites
 * the temporary name. Downloads are stored durably (temp, fsync, link)
 * before the remote file is removed, so an interrupted poll downloads the
 * same answer again and finds it already stored.
 */
#ifndef GW_ONSS_BATCH_SFTP_H
#define GW_ONSS_BATCH_SFTP_H

#include <stddef.h>
#include "core/err.h"

struct batch_sftp {
	char url[512];            /* sftp://host:port/base/ (trailing slash) */
	char user[64];
	char key[512];            /* client private key file */
	char pubkey[512];         /* optional public key file ("" = derived) */
	char host_sha256[64];     /* base64 SHA-256 of the server host key; required */
	long connect_timeout_s;
	long timeout_s;
	long long max_answer_bytes; /* an answer larger than this is not downloaded ([onss_batch]
	                               max_answer_mb, below the answer parser's 512 MiB) */
};

/* Fill from configuration ([onss_batch] sftp_url, sftp_user, sftp_key,
 * sftp_pubkey, sftp_host_sha256, connect_timeout, timeout). GW_ECONFIG when
 * the URL or the host key pin is missing (an unpinned host is refused), or
 * when the private key file is open to group or others (crypto/keyfile). */
gw_rc batch_sftp_from_config(struct batch_sftp *s, char *errbuf, size_t errcap);

const char *batch_sftp_in_dir(char env);    /* "IN", "INTEST", "INTEST-S" */
const char *batch_sftp_out_dir(char env);   /* "OUT", "OUTTEST", "OUTTEST-S" */

/* Upload the submission whose FI is local_dir/fi_name: FI, FS (when the
 * file exists locally), then GO. GW_ETEMP on a network failure. */
gw_rc batch_sftp_upload(const struct batch_sftp *s, const char *local_dir, const char *fi_name,
                        char *errbuf, size_t errcap);

/* Upload one local file to folder/name on the server (temp name + rename). */
gw_rc batch_sftp_put(const struct batch_sftp *s, const char *local_path, const char *folder,
                     const char *name, char *errbuf, size_t errcap);

/* Names in a server folder (dot files excluded); *names malloc'd, each
 * entry malloc'd; free with batch_sftp_names_free. */
gw_rc batch_sftp_list(const struct batch_sftp *s, const char *folder, char ***names, size_t *n,
                      char *errbuf, size_t errcap);
void batch_sftp_names_free(char **names, size_t n);

/* Download folder/name into local_dir/name durably, then remove it on the
 * server. A file already stored locally with the same bytes counts as
 * stored (the earlier poll died before the remove). */
gw_rc batch_sftp_fetch(const struct batch_sftp *s, const char *folder, const char *name,
                       const char *local_dir, char *errbuf, size_t errcap);

/* Poll: fetch every answer (FO.*) waiting in the environment's OUT folder
 * into local_dir; *fetched counts them. A file that is not an answer name
 * (the grammar of onss/batch/name.c), or larger than max_answer_bytes, is
 * logged naming it, left on the server and skipped (*skipped counts them;
 * an oversized one gets a note in local_dir/quarantine/ so later polls
 * leave it alone); the rest go on. A network error on one file goes on to
 * the next too, and is returned at the end (GW_ETEMP: poll again). */
gw_rc batch_sftp_poll_counted(const struct batch_sftp *s, char env, const char *local_dir,
                              size_t *fetched, size_t *skipped, char *errbuf, size_t errcap);
/* The same without the skipped count. */
gw_rc batch_sftp_poll(const struct batch_sftp *s, char env, const char *local_dir,
                      size_t *fetched, char *errbuf, size_t errcap);

#endif
