/*
 * party.c - which identifiers a seller or buyer gets in the UBL document.
 *
 * Owns the choice of electronic-address scheme (Peppol EAS) and legal
 * registration scheme (ISO 6523 ICD) for a party. Pure functions.
 */
#include "peppol/ubl/builder.h"
#include "records/invoice_codes.h"

#include <stdio.h>
#include <string.h>

const char *
ubl_party_legal_scheme(const struct invoice_party *p)
{
	size_t n = strlen(p->enterprise_number);
	if (n == 0)
		return NULL;
	if (strcmp(p->country, "BE") == 0)
		return "0208";        /* Belgian enterprise number (KBO/BCE) */
	if (strcmp(p->country, "NL") == 0)
		return "0106";        /* KvK */
	if (strcmp(p->country, "FR") == 0)
		return n == 14 ? "0009" : "0002";   /* SIRET : SIREN */
	return NULL;
}

enum ubl_endpoint_source
ubl_party_endpoint(const struct invoice_party *p, char scheme[5], char *value)
{
	scheme[0] = value[0] = '\0';
	if (p->peppol_scheme[0]) {
		snprintf(scheme, 5, "%s", p->peppol_scheme);
		snprintf(value, INVOICE_TEXT_MAX + 1, "%s", p->peppol_value);
		return UBL_ENDPOINT_PEPPOL_ID;
	}
	/* Belgian parties are registered on Peppol under their enterprise
	 * number; elsewhere the VAT number is the common denominator. */
	if (strcmp(p->country, "BE") == 0 && p->enterprise_number[0]) {
		snprintf(scheme, 5, "0208");
		snprintf(value, INVOICE_TEXT_MAX + 1, "%s", p->enterprise_number);
		return UBL_ENDPOINT_DERIVED;
	}
	if (p->vat[0]) {
		char cc[3] = { p->vat[0], p->vat[1], '\0' };
		const char *eas = invoice_code_vat_eas(strcmp(cc, "EL") == 0 ? "GR" : cc);
		if (eas) {
			snprintf(scheme, 5, "%s", eas);
			snprintf(value, INVOICE_TEXT_MAX + 1, "%s", p->vat);
			return UBL_ENDPOINT_DERIVED;
		}
	}
	const char *icd = ubl_party_legal_scheme(p);
	if (icd && invoice_code_eas(icd)) {
		snprintf(scheme, 5, "%s", icd);
		snprintf(value, INVOICE_TEXT_MAX + 1, "%s", p->enterprise_number);
		return UBL_ENDPOINT_DERIVED;
	}
	return UBL_ENDPOINT_NONE;
}
