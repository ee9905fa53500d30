/*
 * calc.h - the EN 16931 calculation of an invoice's amounts.
 *
 * From the record's lines, allowances and charges to every amount the UBL
 * document states, exactly as EN 16931 prescribes (BR-CO-10..16, BR-CO-17,
 * BR-S-08 and the per-category equivalents), in exact decimals:
 *
 *   line net (BT-131)      = round(quantity * price, 2)
 *   sum of lines (BT-106)  = sum of line nets
 *   allowances (BT-107), charges (BT-108) = sums of the document-level ones
 *   without VAT (BT-109)   = BT-106 - BT-107 + BT-108
 *   per (category, rate):  taxable (BT-116) = lines - allowances + charges
 *                          tax (BT-117)     = round(taxable * rate / 100, 2)
 *   VAT total (BT-110)     = sum of category tax amounts
 *   with VAT (BT-112)      = BT-109 + BT-110;  due (BT-115) = BT-112
 *
 * Rounding is half away from zero, so a credit note's amounts are the exact
 * negatives of the invoice's it mirrors.
 */
#ifndef GW_PEPPOL_UBL_CALC_H
#define GW_PEPPOL_UBL_CALC_H

#include <stddef.h>
#include "core/decimal.h"
#include "core/err.h"
#include "records/invoice.h"

struct ubl_vat_group {
	enum vat_cat category;
	bool has_rate;
	decimal rate;
	decimal taxable;                 /* BT-116, 2 decimals */
	decimal tax;                     /* BT-117, 2 decimals */
	const char *exemption_code;      /* BT-121, "" when none (points into the invoice) */
	const char *exemption_reason;    /* BT-120, "" when none */
};

struct ubl_totals {
	decimal *line_net;               /* BT-131 per line, owned; ubl_totals_free() */
	size_t n_lines;
	decimal line_total;              /* BT-106 */
	decimal allowance_total;         /* BT-107 */
	decimal charge_total;            /* BT-108 */
	decimal tax_exclusive;           /* BT-109 */
	decimal tax_total;               /* BT-110 */
	decimal tax_inclusive;           /* BT-112 */
	decimal payable;                 /* BT-115 */
	struct ubl_vat_group groups[INVOICE_MAX_VAT_GROUPS];
	size_t n_groups;                 /* ordered S, Z, E, AE, K, G, O; rates descending */
};

/* Compute every amount of inv. GW_EINPUT when a value overflows or there
 * are more VAT groups than INVOICE_MAX_VAT_GROUPS; GW_ENOMEM. */
gw_rc ubl_calc(const struct invoice *inv, struct ubl_totals *t);
void ubl_totals_free(struct ubl_totals *t);

/* A decimal with exactly `places` decimals (adds zeros, never rounds). */
decimal ubl_dec_scale(decimal d, int places);

#endif
