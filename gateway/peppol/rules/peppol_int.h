/*
 * peppol_int.h - shared state of one Peppol BIS 3.0 rule run, internal to
 * peppol_*.c.
 *
 * Release 3.0.19 or 3.0.21 (release.h) is r21; where the two differ the
 * rule's code says so.
 * The Schematron's global variables ($profile, the German-pair flag,
 * $documentCurrencyCode) are computed once per document into struct
 * peppol_run; each rule group is a function taking the element it matched.
 */
#ifndef GW_PEPPOL_RULES_PEPPOL_INT_H
#define GW_PEPPOL_RULES_PEPPOL_INT_H

#include <stdbool.h>
#include "peppol/rules/engine.h"

enum peppol_ns { PNS_OTHER, PNS_CBC, PNS_CAC, PNS_INV, PNS_CN };

/* Element names some Peppol rule context starts from; everything else is
 * only checked by the empty-element rule. */
enum peppol_tok {
	PT_NONE, PT_AMOUNT, PT_DATE, PT_ALLOWANCE_CHARGE, PT_ALLOWANCE_CHARGE_REASON_CODE,
	PT_BASE_QUANTITY, PT_COMPANY_ID, PT_CREDIT_NOTE, PT_CREDIT_NOTE_LINE,
	PT_CREDIT_NOTE_TYPE_CODE, PT_DESCRIPTION_CODE, PT_EMBEDDED_DOCUMENT, PT_END_DATE,
	PT_ENDPOINT_ID, PT_ID, PT_INVOICE, PT_INVOICE_LINE, PT_INVOICE_TYPE_CODE, PT_PARTY,
	PT_PAYMENT_MEANS, PT_START_DATE, PT_TAX_AMOUNT, PT_TAX_CATEGORY, PT_TAX_CURRENCY_CODE,
};

#define PEPPOL_TOK_CACHE 128
struct peppol_tok_slot {
	const xmlChar *name;
	unsigned char tok;
};

struct peppol_run {
	struct rule_ctx *c;
	xmlNodePtr top;            /* the document element, XPath root element */
	bool top_is_invoice;       /* XPath "/ubl-invoice:Invoice" */
	bool r21;                  /* BIS 3.0.21 or later applies (else 3.0.19) */
	bool profile_unknown;      /* $profile = 'Unknown' */
	bool profile_types;        /* P0100/P0101 apply: $profile = '01' (3.0.19),
	                            * '01' or '02' (3.0.21) */
	bool de_pair;              /* seller and buyer both in Germany */
	int has_payment_means;     /* a cac:PaymentMeans anywhere (NL block) */
	char doc_cur[4][32];       /* $documentCurrencyCode values (first four) */
	size_t ndoc_cur;
	const xmlNs *ns_seen[8];   /* namespace declarations already classified */
	enum peppol_ns ns_kind[8];
	size_t nns;
	/* Element names are interned by the parser's dictionary, so the token
	 * of a name is remembered by pointer (open addressing, PEPPOL_TOK_CACHE
	 * slots, per thread, kept across the documents of one dictionary:
	 * engine.h, rule_names_epoch). */
	struct peppol_tok_slot *tok_cache;
	bool keep_names;           /* only dictionary-owned names may be cached */
};

/* Which of the UBL namespaces an element is in. */
enum peppol_ns peppol_ns_of(const xmlNode *n);
/* Element n is in namespace kind k with local name `local`. */
bool peppol_is(const xmlNode *n, enum peppol_ns k, const char *local);
/* Parent element of n when it is k:local, else NULL. */
xmlNodePtr peppol_parent_is(const xmlNode *n, enum peppol_ns k, const char *local);
/* XPath xs:decimal(first child ns:local): 1 parsed, 0 absent, -1 not a decimal. */
int peppol_child_decimal(const xmlNode *parent, const char *ns, const char *local, decimal *out);

/* XPath text(): the element's own text children only, concatenated; and
 * normalize-space(text()). */
void peppol_own_text(const xmlNode *e, char *buf, size_t cap);
void peppol_own_norm(const xmlNode *e, char *buf, size_t cap);

/* Rule groups (peppol_lines.c). */
void peppol_doc_allowance(struct peppol_run *r, xmlNodePtr ac);
void peppol_line(struct peppol_run *r, xmlNodePtr line);
void peppol_price_allowance(struct peppol_run *r, xmlNodePtr ac);
void peppol_price_base_quantity(struct peppol_run *r, xmlNodePtr bq);
void peppol_line_period_date(struct peppol_run *r, xmlNodePtr date, bool start);
/* Country blocks (peppol_national.c). */
void peppol_national(struct peppol_run *r);
/* Denmark, Italy, Sweden, Iceland (peppol_nordic.c). */
void peppol_nordic(struct peppol_run *r, const char *supplier_country);
/* Greece (peppol_greece.c): the three country variables of the block. */
void peppol_greece(struct peppol_run *r, const char *supplier, const char *acc_supplier,
    const char *customer);
/* Germany (peppol_germany.c): seller and buyer both in Germany. */
void peppol_germany(struct peppol_run *r);
/* XPath number() of a string: false when NaN. */
bool peppol_number(const char *s, double *out);
/* Rule groups (peppol_codes.c). */
bool peppol_icd(struct peppol_run *r, xmlNodePtr e);
void peppol_code_lists(struct peppol_run *r, xmlNodePtr e, enum peppol_ns k, enum peppol_tok t);

#endif
