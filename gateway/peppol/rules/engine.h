/*
 * engine.h - the native EN 16931 / Peppol BIS 3.0 rule engine.
 *
 * A document (or a fragment: the official unit tests are not schema-valid)
 * is parsed once with libxml2; each rule set walks the tree and reports the
 * rules that fire, with the official rule id, its flag, and the location of
 * the context node as an XPath with prefixes and positions, e.g.
 * /Invoice[1]/cac:AccountingSupplierParty[1]/cac:Party[1].
 *
 * Rule sets: rules_cen_run() (BR, BR-CO, BR-DEC, BR-CL, VAT categories,
 * UBL-SR, UBL-CR, UBL-DT) and rules_peppol_run() (PEPPOL-EN16931-R*,
 * PEPPOL-COMMON-R*, and the Belgian country block). Numbers are compared as
 * core/decimal.h values, never as doubles.
 */
#ifndef GW_PEPPOL_RULES_ENGINE_H
#define GW_PEPPOL_RULES_ENGINE_H

#include <stddef.h>
#include <libxml/tree.h>
#include "core/err.h"

enum rule_flag { RULE_FATAL, RULE_WARNING };

struct rule_finding {
	const char *rule_id;          /* static string, official id */
	enum rule_flag flag;
	char location[512];
};

struct rule_findings {
	struct rule_finding *v;
	size_t n, cap;
};

struct rule_ctx {
	xmlDocPtr doc;
	xmlNodePtr root;              /* Invoice or CreditNote (or a fragment's root) */
	int credit_note;              /* root is a CreditNote */
	struct rule_findings *out;
	void *priv;                   /* per-run caches owned by the engine */
};

/* Record that rule `id` fired on node `where`. */
void rule_fire(struct rule_ctx *c, const char *id, enum rule_flag flag, xmlNodePtr where);
/* The XPath location of a node as the official validator prints it. */
void rule_node_location(xmlNodePtr n, char *buf, size_t cap);

void rules_cen_run(struct rule_ctx *c);
void rules_peppol_run(struct rule_ctx *c);

enum rule_sets { RULES_CEN = 1, RULES_PEPPOL = 2, RULES_ALL = 3 };

/* Run the selected sets over a parsed document. */
gw_rc rules_validate_doc(xmlDocPtr doc, enum rule_sets sets, struct rule_findings *out);
void rule_findings_free(struct rule_findings *f);

#endif
