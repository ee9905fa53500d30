/*
 * xsd_ubl.h - UBL 2.1 schema check of Invoice and CreditNote documents.
 *
 * The two main-document schemas are compiled once per process from
 * [peppol] ubl_xsd_dir (default <reference_dir>/peppol/ubl-xsd, the folder
 * holding maindoc/ and common/) and shared, read-only, by every later
 * validation; each validation uses its own validation context, so calls
 * from several threads are safe.
 */
#ifndef GW_PEPPOL_RULES_XSD_UBL_H
#define GW_PEPPOL_RULES_XSD_UBL_H

#include <stddef.h>
#include <libxml/tree.h>
#include "core/err.h"

/* Called once per schema violation with a one-line message. */
typedef void (*xsd_ubl_sink)(void *arg, const char *msg);

/* Compile and cache both schemas (idempotent); why explains a failure. */
gw_rc xsd_ubl_load(char *why, size_t whycap);
/* Validate doc against the schema its root element names. *nerr counts
 * the violations (a root that is neither Invoice nor CreditNote is one).
 * GW_ECONFIG when the schemas cannot be loaded; GW_OK otherwise. */
gw_rc xsd_ubl_validate(xmlDocPtr doc, xsd_ubl_sink sink, void *arg, size_t *nerr);

/* Free this thread's validation contexts (at exit, or in a thread that
 * will not validate again). */
void xsd_ubl_release_thread(void);

#endif
