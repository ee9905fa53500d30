/* test_invoice_fixture.h - a complete, valid invoice record around the
 * parts a test cares about (type, lines, allowances/charges, extra fields),
 * for the invoice and UBL unit tests. Header-only, static functions. */
#ifndef TEST_INVOICE_FIXTURE_H
#define TEST_INVOICE_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records/invoice_reader.h"

#define FIX_SELLER \
	"\"seller\": {\"name\": \"Coop Test\", \"enterprise_number\": \"0668600511\", " \
	"\"vat\": \"BE0668600511\", \"peppol_id\": \"0208:0668600511\", \"street\": \"Rue 1\", " \
	"\"city\": \"Bruxelles\", \"postcode\": \"1000\", \"country\": \"BE\"}"
#define FIX_BUYER_BE \
	"\"buyer\": {\"name\": \"Client SA\", \"enterprise_number\": \"0739484052\", " \
	"\"vat\": \"BE0739484052\", \"peppol_id\": \"0208:0739484052\", \"street\": \"Meir 1\", " \
	"\"city\": \"Antwerpen\", \"postcode\": \"2000\", \"country\": \"BE\"}"

/* Build a record as text: id, type, the "lines" array body, and extra
 * top-level members (", \"allowances\": [...]" etc., may be ""). */
static char *
fix_record(const char *id, const char *type, const char *lines, const char *extra,
           const char *buyer)
{
	size_t cap = strlen(lines) + strlen(extra) + 4096;
	char *s = malloc(cap);
	snprintf(s, cap, "{\"invoice_id\": \"%s\", \"revision\": \"1\", \"type\": \"%s\", "
	    "\"issue_date\": \"2026-03-02\", \"currency\": \"EUR\", \"buyer_reference\": \"PO-77\", "
	    "\"preceding_invoice_id\": \"%s\", %s, %s, \"payment\": {\"means_code\": \"30\", "
	    "\"iban\": \"BE71096123456769\", \"structured_communication\": \"+++123/4567/89002+++\", "
	    "\"terms\": \"30 days\"}, "
	    "\"lines\": [%s]%s}", id, type, strcmp(type, "credit_note") == 0 ? "INV-1" : "",
	    FIX_SELLER, buyer ? buyer : FIX_BUYER_BE, lines, extra);
	return s;
}

/* A line in category S at `rate`: quantity and price as given. */
static char *
fix_line(char *buf, size_t cap, int id, const char *qty, const char *price,
         const char *cat, const char *rate)
{
	if (strcmp(cat, "O") == 0)
		snprintf(buf, cap, "{\"id\": \"%d\", \"description\": \"Item %d\", \"quantity\": \"%s\", "
		    "\"unit_code\": \"C62\", \"unit_price\": \"%s\", \"vat_category\": \"O\", "
		    "\"exemption_reason_code\": \"VATEX-EU-O\"}", id, id, qty, price);
	else if (strcmp(cat, "S") == 0 || strcmp(cat, "Z") == 0)
		snprintf(buf, cap, "{\"id\": \"%d\", \"description\": \"Item %d\", \"quantity\": \"%s\", "
		    "\"unit_code\": \"C62\", \"unit_price\": \"%s\", \"vat_category\": \"%s\", "
		    "\"vat_rate\": \"%s\"}", id, id, qty, price, cat, rate);
	else
		snprintf(buf, cap, "{\"id\": \"%d\", \"description\": \"Item %d\", \"quantity\": \"%s\", "
		    "\"unit_code\": \"C62\", \"unit_price\": \"%s\", \"vat_category\": \"%s\", "
		    "\"vat_rate\": \"0\", \"exemption_reason\": \"Exempt %s\"}", id, id, qty, price,
		    cat, cat);
	return buf;
}

#endif
