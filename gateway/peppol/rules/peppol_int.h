/*
 * peppol_int.h - shared state of one Peppol BIS 3.0 rule run, internal to
 * peppol_*.c.
 *
 * The Schematron's global variables ($profile, the German-pair flag,
 * $documentCurrencyCode) are computed once per document into struct
 * peppol_run; each rule group is a function taking the element it matched.
 */
#ifndef GW_PEPPOL_RULES_PEPPOL_INT_H
#define GW_PEPPOL_RULES_PEPPOL_INT_H

#include <stdbool.h>
#include "peppol/rules/engine.h"

enum peppol_ns { PNS_OTHER, PNS_CBC, PNS_CAC, PNS_INV, PNS_CN };

struct peppol_run {
	struct rule_ctx *c;
	xmlNodePtr top;            /* the document element, XPath root element */
	bool top_is_invoice;       /* XPath "/ubl-invoice:Invoice" */
	bool profile_unknown;      /* $profile = 'Unknown' */
	bool profile_01;           /* $profile = '01' */
	bool de_pair;              /* seller and buyer both in Germany */
};

/* Which of the UBL namespaces an element is in. */
enum peppol_ns peppol_ns_of(const xmlNode *n);
/* Element n is in namespace kind k with local name `local`. */
bool peppol_is(const xmlNode *n, enum peppol_ns k, const char *local);
/* Parent element of n when it is k:local, else NULL. */
xmlNodePtr peppol_parent_is(const xmlNode *n, enum peppol_ns k, const char *local);
/* XPath xs:decimal(first child ns:local): 1 parsed, 0 absent, -1 not a decimal. */
int peppol_child_decimal(const xmlNode *parent, const char *ns, const char *local, decimal *out);

/* Rule groups (peppol_lines.c). */
void peppol_doc_allowance(struct peppol_run *r, xmlNodePtr ac);
void peppol_line(struct peppol_run *r, xmlNodePtr line);
void peppol_price_allowance(struct peppol_run *r, xmlNodePtr ac);
void peppol_price_base_quantity(struct peppol_run *r, xmlNodePtr bq);
void peppol_line_period_date(struct peppol_run *r, xmlNodePtr date, bool start);
/* Rule groups (peppol_codes.c). */
bool peppol_icd(struct peppol_run *r, xmlNodePtr e);
void peppol_code_lists(struct peppol_run *r, xmlNodePtr e, enum peppol_ns k);
/* Amount elements of the currency rules (R051, CL007). */
bool peppol_is_amount_name(const char *local);

#endif
