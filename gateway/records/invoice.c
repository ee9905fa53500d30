/*
 * invoice.c - lifetime of an invoice record and the VAT category codes.
 *
 * Owns the line, allowance and charge arrays of a struct invoice. Never
 * does I/O.
 */
#include "records/invoice.h"

#include <stdlib.h>
#include <string.h>

static const char *const cat_codes[VAT_CAT_COUNT] = { "S", "Z", "E", "AE", "K", "G", "O" };

void
invoice_clear(struct invoice *inv)
{
	free(inv->lines);
	free(inv->allowances);
	free(inv->charges);
	memset(inv, 0, sizeof *inv);
}

const char *
vat_cat_code(enum vat_cat c)
{
	return (unsigned)c < VAT_CAT_COUNT ? cat_codes[c] : "?";
}

int
vat_cat_parse(const char *s)
{
	for (int i = 0; i < VAT_CAT_COUNT; i++)
		if (strcmp(s, cat_codes[i]) == 0)
			return i;
	return -1;
}

bool
vat_cat_exempt(enum vat_cat c)
{
	return c == VAT_E || c == VAT_AE || c == VAT_K || c == VAT_G || c == VAT_O;
}
