/*
 * update.h - the DmfA correction (DmfAUpdate, purpose DMWA).
 *
 * Compares the rows as filed with the rows as they are now, worker record
 * by worker record (employer, INSS, worker code), and writes only what
 * changed, with the permanent ids the ONSS returned in DMPI:
 *   modified record  -> UpdateAction 1, LastSituationWR, the full new content
 *   new record       -> UpdateAction 3, no LastSituationWR
 *   vanished record  -> UpdateAction 0, LastSituationWR, no content
 * A person whose corrected records owe less than before, or lose a record,
 * gets a Justification (a correction in the employer's favour must say
 * why). Never writes an original, and never an update for an employer the
 * DMPI does not know (that one needs an original first).
 */
#ifndef GW_ONSS_DMFA_UPDATE_H
#define GW_ONSS_DMFA_UPDATE_H

#include <stdio.h>
#include "core/err.h"
#include "onss/batch/answer.h"
#include "onss/dmfa/rows.h"
#include "onss/dmfa/xml.h"

enum dmfa_update_action { DMFA_UA_DELETE = 0, DMFA_UA_MODIFY = 1, DMFA_UA_CREATE = 3 };

struct dmfa_update_opts {
	gw_ymd created_date;
	int created_ms;
	int employer_class;
	const char *justification;     /* text for corrections that need one; NULL = default */
};

struct dmfa_update_stats {
	size_t employers, persons, modified, created, deleted, justified, rejected_rows;
};

/* Write one DmfAUpdate form per employer with a change. filed and now are
 * prepared rows (dmfa_rows_prepare) of the same quarter; dmpi[0..ndmpi)
 * the permanent ids received for it. GW_ENOTFOUND when nothing changed
 * (nothing is worth sending); GW_EINPUT when changes exist only for
 * employers without DMPI; GW_EIO on a write error. */
gw_rc dmfa_write_update(FILE *out, const struct dmfa_rows *filed, const struct dmfa_rows *now,
                        const struct dmfa_params *p, const struct dmpi_declaration *dmpi,
                        size_t ndmpi, const struct dmfa_update_opts *o, dmfa_reject_fn reject,
                        void *arg, struct dmfa_update_stats *st);

/* 1 when two built worker records would be declared identically: their
 * worker code and body as written (dmfa_xml_wr_body) are the same bytes. */
int dmfa_wr_equal(const struct dmfa_wr *a, const struct dmfa_wr *b);

#endif
