/*
 * cen_internal.h - shared state of one CEN rule-set run (cen_*.c only).
 *
 * A run walks the tree once (cen_run.c). Element-context rules fire during
 * the walk; document-level facts (VAT categories seen, party identifiers,
 * ...) are gathered on the way and the rules whose context is the root are
 * evaluated after the walk (cen_root.c).
 */
#ifndef GW_PEPPOL_RULES_CEN_INTERNAL_H
#define GW_PEPPOL_RULES_CEN_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include "peppol/rules/engine.h"

/* VAT category codes, plus "anything else" (including empty). */
enum cen_cat { CAT_AE, CAT_E, CAT_G, CAT_K, CAT_L, CAT_M, CAT_O, CAT_S, CAT_Z, CAT_B, CAT_OTHER, CAT_N };

/* Where a TaxCategory / ClassifiedTaxCategory sits. */
enum cen_tck {
	TCK_ST_ROOT,     /* /<root>/cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory */
	TCK_ST_OTHER,    /* a TaxSubtotal elsewhere */
	TCK_AC_F_ROOT,   /* /<root>/cac:AllowanceCharge[ChargeIndicator=false]/cac:TaxCategory */
	TCK_AC_T_ROOT,
	TCK_AC_F_SUB,    /* the same below a line or a price */
	TCK_AC_T_SUB,
	TCK_AC_NONE,     /* AllowanceCharge without a boolean ChargeIndicator */
	TCK_OTHER,       /* any other cac:TaxCategory */
	TCK_CTC,         /* cac:ClassifiedTaxCategory anywhere */
	TCK_N
};

/* Local names the CEN dispatch looks at, found once per element. */
enum cen_tok {
	CT_NONE,
	CT_AccountingSupplierParty,
	CT_AdditionalDocumentReference,
	CT_AdditionalItemProperty,
	CT_Address,
	CT_AllowanceCharge,
	CT_AllowanceChargeReasonCode,
	CT_BaseQuantity,
	CT_BillingReference,
	CT_ClassifiedTaxCategory,
	CT_CompanyID,
	CT_CreditNoteLine,
	CT_CreditNoteTypeCode,
	CT_CreditedQuantity,
	CT_Delivery,
	CT_DescriptionCode,
	CT_DocumentCurrencyCode,
	CT_EmbeddedDocumentBinaryObject,
	CT_EndpointID,
	CT_ID,
	CT_IdentificationCode,
	CT_InvoiceLine,
	CT_InvoicePeriod,
	CT_InvoiceTypeCode,
	CT_InvoicedQuantity,
	CT_ItemClassificationCode,
	CT_LegalMonetaryTotal,
	CT_Note,
	CT_Party,
	CT_PartyTaxScheme,
	CT_PayeeFinancialAccount,
	CT_PayeeParty,
	CT_PaymentID,
	CT_PaymentMeans,
	CT_PaymentMeansCode,
	CT_PostalAddress,
	CT_PrimaryAccountNumberID,
	CT_TaxCategory,
	CT_TaxCurrencyCode,
	CT_TaxExemptionReasonCode,
	CT_TaxRepresentativeParty,
	CT_TaxSubtotal,
	CT_TaxTotal,
	CT_N
};
/* Name properties, found with the token. */
enum {
	CF_AMOUNT = 1,      /* ends with "Amount", not with "PriceAmount" (UBL-DT-01) */
	CF_BINARY = 2,      /* ends with "BinaryObject" (UBL-DT-06/07) */
	CF_CL_AMOUNT = 4,   /* one of the amounts of BR-CL-03 */
};

/* Token cache, keyed by the (dictionary-interned) name pointer; kept
 * across the documents of one dictionary (engine.h, rule_names_epoch). */
#define CEN_TOK_CACHE 256
struct cen_tok_slot {
	const xmlChar *name;
	uint8_t tok, flags;
};

struct cen_facts {
	/* [kind][vat scheme][category of normalize-space(cbc:ID)] */
	uint32_t cnt[TCK_N][2][CAT_N];
	/* the same with the cbc:ID compared exactly (no normalize-space) */
	uint32_t raw[TCK_N][2][CAT_N];
	bool sup_pts_company;      /* //AccountingSupplierParty/Party/PartyTaxScheme/CompanyID */
	bool sup_vat_company;      /* ... PartyTaxScheme[TaxScheme VAT]/CompanyID */
	bool taxrep_vat_company;   /* //TaxRepresentativeParty/PartyTaxScheme[VAT]/CompanyID */
	bool cust_vat_company;     /* //AccountingCustomerParty/Party/PartyTaxScheme[VAT]/CompanyID */
	bool cust_legal_company;   /* //AccountingCustomerParty/Party/PartyLegalEntity/CompanyID */
	bool idcode_not_it;        /* some cbc:IdentificationCode != 'IT' */
	bool any_invoice_line, any_credit_line;
	uint32_t sepa_ids;         /* //PartyIdentification/ID[upper-case(@schemeID)='SEPA'] */
	const xmlNode *first_payment_id, *first_pm_code;
	bool payment_id_distinct, pm_code_distinct;   /* more than one distinct value */
};

struct cen_run {
	struct rule_ctx *c;
	xmlNodePtr root;
	bool root_doc;             /* root is ubl:Invoice or cn:CreditNote */
	struct cen_facts f;
	uint64_t cr_fired[16];     /* UBL-CR table entries already fired */
	uint32_t dt_fired;         /* UBL-DT-08..28 already fired (bit n-8) */
	/* the element being visited */
	enum rule_ns ns;
	enum cen_tok tok;
	unsigned flags;
	struct cen_tok_slot *tok_cache;   /* CEN_TOK_CACHE slots, per thread */
	bool keep_names;           /* only dictionary-owned names may be cached */
};

struct cen_cr_entry {
	const char *id;
	const char *path;
};
extern const struct cen_cr_entry cen_cr_table[];
extern const size_t cen_cr_table_n;

/* Fire helpers: fatal / warning at node n. */
void cen_fatal(struct cen_run *r, const char *id, const xmlNode *n);
void cen_warn(struct cen_run *r, const char *id, const xmlNode *n);

/* Category of a code string (exact). */
enum cen_cat cen_cat_of(const char *s);
/* normalize-space(upper-case(TaxScheme/ID)) = 'VAT' for some TaxScheme child. */
bool cen_vat_scheme(const xmlNode *taxcat);
/* Category of normalize-space(cbc:ID) of a (Classified)TaxCategory. */
enum cen_cat cen_tc_cat(const xmlNode *taxcat);
/* The cbc:ChargeIndicator children of an AllowanceCharge as a set:
 * AC_FALSE when one is false, AC_TRUE when one is true (both possible:
 * "[cbc:ChargeIndicator = false()]" is a general comparison). Where a
 * pattern has both contexts, the allowance one comes first and wins. */
enum { AC_FALSE = 1, AC_TRUE = 2 };
unsigned cen_ac_flags(const xmlNode *ac);
/* 0 (allowance context), 1 (charge context) or -1 (neither) for a node. */
int cen_ac_first(const xmlNode *ac);
/* XPath round(x) to `places` decimals: half toward positive infinity. */
decimal cen_xround(decimal x, int places);

/* UBL-CR: the table lookup structure and its per-element checks. */
/* Trie node of the child element ns:local below trie node t, or -1. */
int cen_cr_step(int t, const xmlNode *el);
/* Fire the rules attached to trie node t and to t's attributes of el. */
void cen_cr_visit(struct cen_run *r, int t, const xmlNode *el);
/* The "anywhere" CR entries and the conditional CR rules, per element. */
void cen_cr_anywhere(struct cen_run *r, const xmlNode *el);
/* Root-context CR rules with a condition. */
void cen_cr_root(struct cen_run *r);

/* Element-context rules (UBL-model, UBL-syntax, Codesmodel). */
void cen_model_element(struct cen_run *r, xmlNode *el);
void cen_syntax_element(struct cen_run *r, xmlNode *el);
void cen_codes_element(struct cen_run *r, xmlNode *el);
/* Facts gathered per element for the root rules. */
void cen_facts_element(struct cen_run *r, const xmlNode *el);
/* Root-context rules, after the walk. */
void cen_root_rules(struct cen_run *r);

#endif
