/*
 * builder.h - Peppol BIS Billing 3.0 UBL 2.1 Invoice / CreditNote from a
 * validated invoice record.
 *
 * The output is deterministic (same record, same options: same bytes),
 * follows the UBL 2.1 element order, contains no empty element and nothing
 * the BIS does not use, and its amounts come from peppol/ubl/calc.h.
 */
#ifndef GW_PEPPOL_UBL_BUILDER_H
#define GW_PEPPOL_UBL_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include "core/err.h"
#include "records/invoice.h"

#define UBL_CUSTOMIZATION_ID \
	"urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
#define UBL_PROFILE_ID "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

enum ubl_payment_id_form {
	UBL_PAYMENT_ID_STRUCTURED,   /* "+++123/4567/89002+++", as Belgian banks print it */
	UBL_PAYMENT_ID_DIGITS        /* "123456789002" */
};

struct ubl_build_opts {
	enum ubl_payment_id_form payment_id;
};

/* Where a party's electronic address (EndpointID) came from. */
enum ubl_endpoint_source {
	UBL_ENDPOINT_NONE,           /* no usable identifier: no EndpointID */
	UBL_ENDPOINT_PEPPOL_ID,      /* the record's peppol_id */
	UBL_ENDPOINT_DERIVED         /* from the enterprise or VAT number */
};

struct ubl_build_info {
	char field[48];              /* on GW_EINPUT: the record field at fault */
	enum ubl_endpoint_source buyer_endpoint;
	char buyer_scheme[5];
	char buyer_value[INVOICE_TEXT_MAX + 1];
};

/* The electronic address of a party: its peppol_id, else 0208 and the
 * enterprise number for a Belgian party, else the VAT-number scheme of its
 * country, else the registration scheme of its country (0106 NL, 0002/0009
 * FR). value has room for INVOICE_TEXT_MAX + 1 bytes. */
enum ubl_endpoint_source ubl_party_endpoint(const struct invoice_party *p,
                                            char scheme[5], char *value);
/* ISO 6523 ICD scheme of a party's enterprise number ("0208" for BE), or
 * NULL when its country's registration number has none. */
const char *ubl_party_legal_scheme(const struct invoice_party *p);

/* Build the document into a malloc'ed buffer (*xml, *len; NUL-terminated).
 * GW_EINPUT when the record cannot make a valid document once its amounts
 * are known: they overflow, or an amount is due without a due date or
 * payment terms (EN 16931 BR-CO-25); errbuf and info->field say why and
 * where. GW_ENOMEM,
 * GW_EINTERNAL when the XML writer fails. info may be NULL. */
gw_rc ubl_build(const struct invoice *inv, const struct ubl_build_opts *opts,
                char **xml, size_t *len, struct ubl_build_info *info,
                char *errbuf, size_t errcap);

#endif
