/*
 * validate.h - validate one UBL invoice or credit note held in memory:
 * safe parse, UBL 2.1 schema check, EN 16931 and Peppol rules.
 *
 * Used by `gateway invoice validate`, the benchmark and the fuzz target,
 * so all three exercise exactly the same path. The rules run even when
 * the schema check fails (the command-line contract asks for both).
 */
#ifndef GW_PEPPOL_RULES_VALIDATE_H
#define GW_PEPPOL_RULES_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <libxml/tree.h>
#include "core/err.h"
#include "peppol/rules/engine.h"

struct invoice_report {
	struct rule_findings rules;    /* rules that fired, in firing order */
	char **xsd;                    /* schema messages, one line each */
	size_t nxsd, capxsd;
	size_t xsd_errors;             /* violations, including those not kept */
	char why[512];                 /* why the document could not be read */
	enum rule_release release;     /* in: the BIS release to apply (0, RULE_RELEASE_IN_FORCE:
	                                * the one in force now); out: the one applied */
};

/* Largest document accepted, unless [peppol] max_invoice_bytes says otherwise. */
#define INVOICE_MAX_BYTES_DEFAULT (16 * 1024 * 1024)

/* Parse buf with network access and entity substitution refused and the
 * parser's default size limits on; NULL (and why) when not well-formed. */
xmlDocPtr invoice_parse(const char *buf, size_t len, const char *name, char *why, size_t whycap);
/* Free this thread's reusable parser and schema-validation contexts (at
 * exit, or in a thread that will not validate again). */
void invoice_parser_release(void);
/* Parse and validate. GW_EINPUT: not well-formed (rep->why says why);
 * GW_ECONFIG: the schemas cannot be loaded; GW_ENOMEM. with_xsd false
 * skips the schema check. */
gw_rc invoice_validate_mem(const char *buf, size_t len, const char *name, enum rule_sets sets,
    bool with_xsd, struct invoice_report *rep);
/* The same on an already parsed document. */
gw_rc invoice_validate_doc(xmlDocPtr doc, enum rule_sets sets, bool with_xsd,
    struct invoice_report *rep);
/* Number of fatal findings (schema violations included). */
size_t invoice_report_errors(const struct invoice_report *rep);
void invoice_report_free(struct invoice_report *rep);

#endif
