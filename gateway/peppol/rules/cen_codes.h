/* cen_codes.h - code lists of the CEN rule set (cen_codes.c). */
#ifndef GW_PEPPOL_RULES_CEN_CODES_H
#define GW_PEPPOL_RULES_CEN_CODES_H

#include <stddef.h>

struct cen_codelist {
	const char *const *v;   /* sorted, strcmp order */
	size_t n;
};

extern const struct cen_codelist cen_cl_invoice_type;
extern const struct cen_codelist cen_cl_credit_type;
extern const struct cen_codelist cen_cl_currency;
extern const struct cen_codelist cen_cl_period_code;
extern const struct cen_codelist cen_cl_object_scheme;
extern const struct cen_codelist cen_cl_icd;
extern const struct cen_codelist cen_cl_sepa;
extern const struct cen_codelist cen_cl_item_class;
extern const struct cen_codelist cen_cl_country;
extern const struct cen_codelist cen_cl_payment_means;
extern const struct cen_codelist cen_cl_vat_category;
extern const struct cen_codelist cen_cl_allowance_reason;
extern const struct cen_codelist cen_cl_charge_reason;
extern const struct cen_codelist cen_cl_vatex;
extern const struct cen_codelist cen_cl_unit;
extern const struct cen_codelist cen_cl_eas;
extern const struct cen_codelist cen_cl_vat_prefix;
extern const struct cen_codelist cen_cl_text_subject;
extern const char cen_cl_text_subject_str[];  /* " A B C " for substring tests */
extern const char cen_cl_vat_prefix_str[];  /* " A B C " for substring tests */

#endif
