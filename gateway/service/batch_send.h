/*
 * batch_send.h - `gateway onss send`, the manual sender of the onss-batch channel: pending Dimona messages of the
 * queue into one signed batch submission, uploaded over SFTP.
 *
 * A DmfA message (kind dmfa / dmfa-update, queued by `gateway dmfa queue`
 * with its FI bytes and name) goes as its own submission: rewritten into
 * the outbox when it left it, then uploaded.
 *
 * Order, each step durable before the next: claim (pending -> building),
 * build and check every declaration, allocate the sequence number from the
 * queue (never reused), record the FI name on every message (building ->
 * ready, one transaction each), write FI/FS/GO atomically, upload
 * (ready -> sending -> sent). Answers come back through match.h.
 *
 * This is the manual path (`gateway onss send`); `gateway run` and
 * `gateway onss run` serve the channel through the runner
 * (service/batch_channel.c). Both ask onss/batch/lookup.h before a
 * submission is uploaded again. onss/batch/ builds, signs and talks; every
 * queue move is here or in the runner.
 */
#ifndef GW_SERVICE_BATCH_SEND_H
#define GW_SERVICE_BATCH_SEND_H

#include <stddef.h>
#include "core/err.h"
#include "crypto/signer.h"
#include "onss/batch/sftp.h"
#include "records/contract.h"
#include "queue/queue.h"

struct batch_send_opts {
	char env;                         /* R, T or S */
	const char *sender;               /* sender number */
	const char *outbox;               /* local folder the submissions are written to */
	const struct gw_signer *signer;   /* NULL only in S */
	const struct batch_sftp *sftp;    /* NULL: write only, upload later */
	size_t max;                       /* declarations per file (0: 10000) */
	gw_ymd today;                     /* rules date and file date */
	int now_min;
	/* Where answers are stored (for the "already there?" check before an
	 * upload is repeated); may be NULL for send only. */
	const char *answers;
};

struct batch_send_result {
	size_t claimed, in_file, failed, waiting;
	size_t dmfa;                      /* DmfA messages placed as their own submission */
	char fi_name[128];                /* "" when nothing was written */
};

/* One pass: at most one submission. GW_OK also when nothing was pending. */
gw_rc batch_send(struct queue *q, const struct batch_send_opts *o, struct batch_send_result *r);

/* The same over the configured queue, with the signer (cert/key NULL: the
 * configuration's; none in S) and, unless no_upload, the configured SFTP
 * server; o's signer and sftp are set here. errbuf says why when it
 * cannot start (left "" once batch_send ran: then its result). */
gw_rc batch_send_configured(struct batch_send_opts *o, const char *cert, const char *key,
                            int no_upload, struct batch_send_result *r, char *errbuf,
                            size_t errcap);

#endif
