/*
 * codelist.h - ONSS code lists read at run time from the official files.
 *
 * The anomaly labels (annex 30, ErrorCodes*.xml) are loaded once from
 * gw_reference_dir()/onss/codelists/ (configurable: [onss] codelist_dir), so
 * the project never carries a copy. A code that is not in the list has no
 * label; callers print the code alone.
 */
#ifndef GW_ONSS_CODELIST_H
#define GW_ONSS_CODELIST_H

#include "core/err.h"

/* Labels of an anomaly code such as "00913-354" (or "ACRF-088"). Returns
 * GW_ENOTFOUND when the code list does not have it; the pointers stay
 * valid until onss_codelist_free(). */
gw_rc onss_error_label(const char *code, const char **label_nl, const char **label_fr);
void onss_codelist_free(void);

#endif
