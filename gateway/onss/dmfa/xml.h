/*
 * xml.h - the streaming DmfA writers: DmfAOriginal (purpose DMFA) and the
 * worker-record body shared with DmfAUpdate (purpose DMWA).
 *
 * Owns element order and zone formats, following DmfAOriginal_20231.xsd and
 * the official samples. Writes straight to a FILE* while walking the sorted
 * rows, so memory holds one worker record at a time, never the document.
 * NetOwedAmount precedes the persons in the XML, so each employer's rows are
 * walked twice: once to total, once to write.
 */
#ifndef GW_ONSS_DMFA_XML_H
#define GW_ONSS_DMFA_XML_H

#include <stdio.h>
#include "core/err.h"
#include "onss/dmfa/aggregate.h"
#include "onss/dmfa/rows.h"

struct dmfa_write_opts {
	gw_ymd created_date;     /* FormCreationDate */
	int created_ms;          /* FormCreationHour, milliseconds since midnight */
	int employer_class;      /* EmployerClass, 0..999 */
};

struct dmfa_write_stats {
	size_t employers, persons, worker_records, rows, rejected_rows;
	int64_t net_owed;        /* over all employers, cents */
};

/* Write one DmfAOriginal for every employer in rows (prepared by
 * dmfa_rows_prepare). A worker record that cannot be declared is reported
 * row by row through reject and left out, with its amounts. GW_EINPUT when
 * nothing at all is left to declare; GW_EIO when writing failed. */
gw_rc dmfa_write_original(FILE *out, const struct dmfa_rows *rows, const struct dmfa_params *p,
                          const struct dmfa_write_opts *o, dmfa_reject_fn reject, void *arg,
                          struct dmfa_write_stats *st);

/* The content of a worker record after its identifying zones: occupations
 * (elements named occ_elem, "Occupation" or "OccupationUpdate"; occ_versions,
 * when not NULL, gives each occupation's OccupationVersionNbr, 0 = none) and
 * contributions, or the StudentContribution block. */
void dmfa_xml_wr_body(FILE *out, const struct dmfa_wr *wr, const char *occ_elem,
                      const long long *occ_versions, int indent);
/* "YYYY-MM-DD" of a date. */
void dmfa_xml_date(gw_ymd d, char *buf, size_t cap);

#endif
