/*
 * batch_apply.h - ONSS batch answers applied to the queue (the service side
 * of onss/batch/match.h, which says what an answer means).
 *
 * Conventions of the onss-batch channel: see onss/batch/match.h. An answer
 * that matches nothing, or a NOTIFICATION with a form that names no queued
 * message, is kept (moved to unmatched/) and reported, never dropped. A
 * DmfAPID answering a queued DmfA is kept in the record store for the
 * corrections that will need its permanent ids (service/dmfa_filing.h).
 */
#ifndef GW_SERVICE_BATCH_APPLY_H
#define GW_SERVICE_BATCH_APPLY_H

#include <stddef.h>
#include "core/err.h"
#include "queue/queue.h"

struct batch_apply_counts {
	size_t files, matched_files, unmatched_files, messages_moved, notes;
	size_t unmatched_forms;           /* NOTI forms naming no queued message */
};

/* Whether kind is a queued DmfA (original or correction). */
int batch_is_dmfa_kind(const char *kind);

/* Apply one answer file (already stored durably in dir) to the queue.
 * *matched says whether any message took it. */
gw_rc batch_answer_apply_file(struct queue *q, const char *path, int *matched,
                              struct batch_apply_counts *c, char *errbuf, size_t errcap);

/* Apply every answer file (FO.*) in dir, then move each to dir/applied/ or,
 * when nothing matched, a NOTI form named no queued message, or it cannot be
 * read, dir/unmatched/ (logged; counted in unmatched_files). */
gw_rc batch_answers_apply_dir(struct queue *q, const char *dir, struct batch_apply_counts *c);

/* The same on the configured queue (`gateway onss apply`); errbuf says
 * why when the queue cannot be opened ("" once the answers were read). */
gw_rc batch_answers_apply_configured(const char *dir, struct batch_apply_counts *c, char *errbuf,
                                     size_t errcap);

#endif
