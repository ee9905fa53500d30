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

#include <stdbool.h>
#include <stddef.h>
#include <libxml/tree.h>
#include "core/err.h"
#include "peppol/rules/release.h"

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
	enum rule_release release;    /* the BIS release whose rules apply (never IN_FORCE) */
	void *priv;                   /* per-run caches owned by the engine */
};

/* Record that rule `id` fired on node `where`. */
void rule_fire(struct rule_ctx *c, const char *id, enum rule_flag flag, xmlNodePtr where);
/* The XPath location of a node as the official validator prints it. */
void rule_node_location(xmlNodePtr n, char *buf, size_t cap);

void rules_cen_run(struct rule_ctx *c);
void rules_peppol_run(struct rule_ctx *c);

enum rule_sets { RULES_CEN = 1, RULES_PEPPOL = 2, RULES_ALL = 3 };

/* Run the selected sets over a parsed document, with the release in force
 * now (release.h). */
gw_rc rules_validate_doc(xmlDocPtr doc, enum rule_sets sets, struct rule_findings *out);
/* The same with a given release (RULE_RELEASE_IN_FORCE: the one in force). */
gw_rc rules_validate_doc_at(xmlDocPtr doc, enum rule_sets sets, enum rule_release release,
    struct rule_findings *out);
/* Name caches kept across the documents of one long-lived parser
 * dictionary. rule_names_keep: this thread's parser will intern the names
 * of the coming documents in dict (a reference is held; NULL drops it).
 * Inside rules_validate_doc, rule_names_epoch is the epoch the document's
 * names belong to (0: another dictionary, cache for this run only; a
 * change: empty the caches) and rule_name_stable says whether a name may
 * stay cached past this run. */
void rule_names_keep(xmlDictPtr dict);
unsigned long rule_names_epoch(void);
bool rule_name_stable(const xmlChar *name);
/* Drop this thread's reference on the kept dictionary. */
void rule_names_release(void);
void rule_findings_free(struct rule_findings *f);


/* ---- Helpers shared by the rule sets (added by the engine owner). ---- */

#include <stdbool.h>
#include "core/decimal.h"

#define RULE_NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
#define RULE_NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define RULE_NS_EXT "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2"
#define RULE_NS_INV "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define RULE_NS_CN  "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"

/* The UBL namespace of an element, by identity (cached during a run). */
enum rule_ns { RULE_NSID_OTHER, RULE_NSID_CBC, RULE_NSID_CAC, RULE_NSID_EXT, RULE_NSID_INV, RULE_NSID_CN };
enum rule_ns rule_ns_of(const xmlNode *n);

/* Element n is ns:local (ns NULL = any namespace). ns must be a string
 * with static storage (the RULE_NS_* constants): during a run it is
 * recognised by its address. */
bool rule_is(const xmlNode *n, const char *ns, const char *local);
/* First child element ns:local of parent, or NULL. */
xmlNodePtr rule_child(const xmlNode *parent, const char *ns, const char *local);
/* Next following sibling element with the same name as n, or NULL. */
xmlNodePtr rule_next_same(const xmlNode *n);
/* Number of child elements ns:local. */
size_t rule_count(const xmlNode *parent, const char *ns, const char *local);
/* Relative child path "cac:Party/cac:PartyLegalEntity/cbc:RegistrationName"
 * (prefixes cbc, cac, ext; '*' any element): first match in document
 * order over all branches, and the number of matches. */
xmlNodePtr rule_path(const xmlNode *from, const char *path);
size_t rule_path_count(const xmlNode *from, const char *path);
/* Every match of path in document order, up to cap stored; returns the
 * total number of matches. */
size_t rule_path_all(const xmlNode *from, const char *path, xmlNodePtr *out, size_t cap);
/* Attribute value without copying, or NULL. */
const char *rule_attr(const xmlNode *n, const char *name);
/* XPath string value of n (concatenated text), truncated to cap-1 bytes;
 * NULL n gives "". Returns the length written. */
size_t rule_text(const xmlNode *n, char *buf, size_t cap);
/* normalize-space() of the string value of n. */
size_t rule_norm(const xmlNode *n, char *buf, size_t cap);
/* normalize-space(n) = s, and normalize-space(upper-case(n)) = s. */
bool rule_norm_eq(const xmlNode *n, const char *s);
bool rule_norm_upper_eq(const xmlNode *n, const char *s);
/* string value of n = s exactly (XPath general comparison of one node). */
bool rule_text_eq(const xmlNode *n, const char *s);
/* string(a) = string(b), exact at any length (XPath general comparison of two nodes). */
bool rule_same_text(const xmlNode *a, const xmlNode *b);
/* xs:decimal(n): whitespace-trimmed cast; false when absent or invalid. */
bool rule_decimal(const xmlNode *n, decimal *out);
/* string-length(substring-after(string(n), '.')) */
size_t rule_frac_digits(const xmlNode *n);
/* s is in the sorted table (strcmp order). */
bool rule_code_in(const char *s, const char *const *sorted, size_t n);
/* xs:boolean value of n's text (true/1, false/0 after trimming); -1 when
 * neither (XPath "cbc:ChargeIndicator = true()" is then the string rule). */
int rule_bool(const xmlNode *n);

#endif
