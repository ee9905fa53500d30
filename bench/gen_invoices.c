/*
 * gen_invoices.c - deterministic generator of invoice records (JSON Lines).
 *
 *   gen_invoices N SEED  > file.jsonl
 *
 * Same N and SEED, same bytes. The records are varied the way the
 * cooperative's invoicing is: Belgian clients on Peppol (S 21/12/6, Z, E,
 * AE reverse charge, O outside the scope), Belgian clients without a Peppol
 * id, EU clients (NL, FR, DE, LU: intra-community K or reverse-charge AE),
 * non-EU clients (G export), credit notes naming an earlier invoice, one to
 * six lines, document-level allowances and charges. Every record is valid:
 * check digits (enterprise numbers, IBANs, structured communications) are
 * computed, not invented. Owns nothing; writes only to stdout.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

/* splitmix64: small, fast, the same on every platform. */
static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rng() % n);
}

/* A Belgian enterprise number: 0/1 + 7 digits, then 97 - (those mod 97). */
static void
gen_kbo(char out[11])
{
	unsigned base = pick(20000000);
	if (base < 2000000)
		base += 2000000;   /* keep a non-zero block after the leading 0 */
	snprintf(out, 11, "%08u%02u", base, 97 - base % 97);
}

/* Numeric value of "digits and letters" mod 97 (letters A=10 .. Z=35). */
static unsigned
mod97_alnum(const char *s)
{
	unsigned r = 0;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			r = (r * 10 + (unsigned)(*s - '0')) % 97;
		else
			r = (r * 100 + (unsigned)(*s - 'A' + 10)) % 97;
	}
	return r;
}

/* A Belgian IBAN: BE kk bbb aaaaaaa cc (national check on the first 10). */
static void
gen_iban(char out[17])
{
	unsigned long long acct = (unsigned long long)(100 + pick(900)) * 10000000ULL + pick(10000000);
	unsigned nat = (unsigned)(acct % 97);
	if (nat == 0)
		nat = 97;
	char bban[13], tmp[32];
	snprintf(bban, sizeof bban, "%010llu%02u", acct, nat);
	snprintf(tmp, sizeof tmp, "%sBE00", bban);
	snprintf(out, 17, "BE%02u%s", 98 - mod97_alnum(tmp), bban);
}

/* +++ddd/dddd/ddddd+++ with its mod-97 check (97 when 0). */
static void
gen_ogm(char out[21])
{
	unsigned long long n = (unsigned long long)pick(1000000) * 10000ULL + pick(10000);
	unsigned c = (unsigned)(n % 97);
	if (c == 0)
		c = 97;
	char d[13];
	snprintf(d, sizeof d, "%010llu%02u", n, c);
	snprintf(out, 21, "+++%.3s/%.4s/%.5s+++", d, d + 3, d + 7);
}

static void
add_days(int *y, int *m, int *d, int n)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	while (n-- > 0) {
		int last = dim[*m - 1] + (*m == 2 && *y % 4 == 0);
		if (++*d > last) {
			*d = 1;
			if (++*m > 12) {
				*m = 1;
				++*y;
			}
		}
	}
}

static const char *const first[] = { "Atelier", "Studio", "Compagnie", "Collectif",
	"Théâtre", "Maison", "Festival", "Galerie", "Ensemble", "Bureau" };
static const char *const second[] = { "Lumière", "Noord", "Zuid", "Horizon", "Kwadraat",
	"Rivage", "Onda", "Mistral", "Beffroi", "Polder" };
static const char *const streets[] = { "Rue du Marché 12", "Kerkstraat 4", "Avenue Louise 231",
	"Meir 88", "Rue Haute 150", "Veldstraat 17", "Place Flagey 7", "Grote Markt 1" };
static const char *const be_cities[][2] = { { "Bruxelles", "1000" }, { "Antwerpen", "2000" },
	{ "Gent", "9000" }, { "Liège", "4000" }, { "Namur", "5000" }, { "Leuven", "3000" },
	{ "Saint-Gilles", "1060" }, { "Brugge", "8000" } };
static const char *const works[] = { "Concert", "Workshop", "Sound engineering", "Set design",
	"Photography session", "Translation", "Rehearsal day", "Light design", "Video editing",
	"Dance performance" };

struct buyer {
	const char *country;
	char name[96], ent[16], vat[24], peppol[40], street[64], city[32], pc[12];
	int eu;          /* 1 EU outside BE, 2 non-EU */
};

static void
gen_buyer(struct buyer *b, unsigned kind)
{
	memset(b, 0, sizeof *b);
	snprintf(b->name, sizeof b->name, "%s %s", first[pick(10)], second[pick(10)]);
	snprintf(b->street, sizeof b->street, "%s", streets[pick(8)]);
	switch (kind) {
	case 0: case 1: case 2: case 3: case 4: case 5: {   /* BE on Peppol */
		unsigned c = pick(8);
		b->country = "BE";
		gen_kbo(b->ent);
		snprintf(b->vat, sizeof b->vat, "BE%s", b->ent);
		snprintf(b->peppol, sizeof b->peppol, "0208:%s", b->ent);
		snprintf(b->city, sizeof b->city, "%s", be_cities[c][0]);
		snprintf(b->pc, sizeof b->pc, "%s", be_cities[c][1]);
		break;
	}
	case 6: {                                   /* BE, no Peppol id known */
		unsigned c = pick(8);
		b->country = "BE";
		gen_kbo(b->ent);
		snprintf(b->vat, sizeof b->vat, "BE%s", b->ent);
		snprintf(b->city, sizeof b->city, "%s", be_cities[c][0]);
		snprintf(b->pc, sizeof b->pc, "%s", be_cities[c][1]);
		break;
	}
	case 7:                                     /* NL */
		b->country = "NL";
		b->eu = 1;
		snprintf(b->ent, sizeof b->ent, "%08u", 10000000 + pick(89999999));
		snprintf(b->vat, sizeof b->vat, "NL%09uB01", 100000000 + pick(899999999));
		if (pick(2))
			snprintf(b->peppol, sizeof b->peppol, "0106:%s", b->ent);
		snprintf(b->city, sizeof b->city, "Rotterdam");
		snprintf(b->pc, sizeof b->pc, "3011 AB");
		break;
	case 8:                                     /* FR */
		b->country = "FR";
		b->eu = 1;
		snprintf(b->ent, sizeof b->ent, "%09u", 300000000 + pick(599999999));
		snprintf(b->vat, sizeof b->vat, "FR%02u%s", pick(100), b->ent);
		if (pick(2))
			snprintf(b->peppol, sizeof b->peppol, "0009:%s%05u", b->ent, pick(100000));
		snprintf(b->city, sizeof b->city, "Lille");
		snprintf(b->pc, sizeof b->pc, "59000");
		break;
	case 9:                                     /* DE */
		b->country = "DE";
		b->eu = 1;
		snprintf(b->vat, sizeof b->vat, "DE%09u", 100000000 + pick(899999999));
		if (pick(2))
			snprintf(b->peppol, sizeof b->peppol, "9930:%s", b->vat);
		snprintf(b->city, sizeof b->city, "Köln");
		snprintf(b->pc, sizeof b->pc, "50667");
		break;
	case 10:                                    /* LU */
		b->country = "LU";
		b->eu = 1;
		snprintf(b->vat, sizeof b->vat, "LU%08u", 10000000 + pick(89999999));
		snprintf(b->city, sizeof b->city, "Luxembourg");
		snprintf(b->pc, sizeof b->pc, "L-1118");
		break;
	default:                                    /* CH, outside the EU */
		b->country = "CH";
		b->eu = 2;
		snprintf(b->vat, sizeof b->vat, "CHE%09u", 100000000 + pick(899999999));
		snprintf(b->city, sizeof b->city, "Genève");
		snprintf(b->pc, sizeof b->pc, "1204");
		break;
	}
}

struct vat { const char *cat, *rate, *code, *reason; };

/* The VAT treatment of a whole invoice, from the buyer's situation. */
static void
gen_vat(const struct buyer *b, struct vat *v, unsigned *mixed)
{
	static const char *const be_rates[] = { "21", "21", "21", "12", "6" };
	*mixed = 0;
	memset(v, 0, sizeof *v);
	if (b->eu == 2) {
		*v = (struct vat){ "G", "0", "VATEX-EU-G", "Export outside the EU" };
		return;
	}
	if (b->eu == 1) {
		if (pick(2))
			*v = (struct vat){ "K", "0", "VATEX-EU-IC", "Intra-community supply" };
		else
			*v = (struct vat){ "AE", "0", "VATEX-EU-AE", "Reverse charge" };
		return;
	}
	switch (pick(12)) {
	case 0:
		*v = (struct vat){ "Z", "0", NULL, NULL };
		break;
	case 1:
		*v = (struct vat){ "E", "0", "VATEX-EU-79-C", NULL };
		break;
	case 2:
		*v = (struct vat){ "E", "0", "VATEX-EU-132", "Exempt: cultural services" };
		break;
	case 3:
		*v = (struct vat){ "AE", "0", "VATEX-EU-AE", "Autoliquidation / Verlegging" };
		break;
	case 4:
		*v = (struct vat){ "O", NULL, "VATEX-EU-O", "Not subject to VAT" };
		break;
	case 5: case 6:
		*v = (struct vat){ "S", "21", NULL, NULL };
		*mixed = 1;          /* lines may also use 12 and 6 */
		break;
	default:
		*v = (struct vat){ "S", be_rates[pick(5)], NULL, NULL };
		break;
	}
}

static void
vat_fields(const struct vat *v, const char *rate_override)
{
	printf("\"vat_category\": \"%s\"", v->cat);
	if (v->rate)
		printf(", \"vat_rate\": \"%s\"", rate_override ? rate_override : v->rate);
	if (v->code)
		printf(", \"exemption_reason_code\": \"%s\"", v->code);
	if (v->reason)
		printf(", \"exemption_reason\": \"%s\"", v->reason);
}

static const char *
gen_price(char *buf, size_t cap)
{
	switch (pick(5)) {
	case 0:   /* prices with more than two decimals exercise line rounding */
		snprintf(buf, cap, "%u.%04u", 5 + pick(200), pick(10000));
		break;
	case 1:
		snprintf(buf, cap, "%u.%03u", 10 + pick(90), pick(1000));
		break;
	default:
		snprintf(buf, cap, "%u.%02u", 20 + pick(1500), pick(100));
		break;
	}
	return buf;
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_invoices N SEED\n");
		return 2;
	}
	char *end;
	unsigned long n = strtoul(argv[1], &end, 10);
	if (*end || n == 0 || n > 10000000) {
		fprintf(stderr, "gen_invoices: N must be 1..10000000\n");
		return 2;
	}
	rng_state = strtoull(argv[2], &end, 10);
	if (*end) {
		fprintf(stderr, "gen_invoices: SEED must be an integer\n");
		return 2;
	}
	unsigned long last_invoice = 0;
	for (unsigned long i = 1; i <= n; i++) {
		struct buyer b;
		struct vat v;
		unsigned mixed;
		char iban[17], ogm[21], price[32];
		int y = 2026, m = 1, d = 1;
		bool credit = last_invoice && pick(8) == 0;

		gen_buyer(&b, pick(12));
		gen_vat(&b, &v, &mixed);
		add_days(&y, &m, &d, (int)pick(330));
		printf("{\"invoice_id\": \"G%s-%06lu\", \"revision\": \"1\", \"type\": \"%s\", "
		    "\"issue_date\": \"%04d-%02d-%02d\", ", argv[2], i,
		    credit ? "credit_note" : "invoice", y, m, d);
		if (strcmp(v.cat, "K") == 0 || pick(4) == 0) {
			int dy = y, dm = m, dd = d;
			add_days(&dy, &dm, &dd, 0);
			printf("\"delivery_date\": \"%04d-%02d-%02d\", ", dy, dm, dd);
		}
		if (!credit) {
			add_days(&y, &m, &d, 30);
			printf("\"due_date\": \"%04d-%02d-%02d\", ", y, m, d);
		}
		printf("\"currency\": \"EUR\", ");
		if (pick(4) == 0)
			printf("\"buyer_reference\": \"\", \"order_reference\": \"PO-%u\", ", 1000 + pick(9000));
		else
			printf("\"buyer_reference\": \"REF-%u\", ", 100 + pick(900));
		if (pick(6) == 0)
			printf("\"note\": \"Prestations artistiques via la coopérative\", ");
		printf("\"preceding_invoice_id\": \"");
		if (credit)
			printf("G%s-%06lu", argv[2], 1 + rng() % last_invoice);
		printf("\", ");
		printf("\"seller\": {\"name\": \"Coopérative Exemple SCRL\", \"enterprise_number\": "
		    "\"0668600511\", \"vat\": \"BE0668600511\", \"peppol_id\": \"0208:0668600511\", "
		    "\"street\": \"Rue de l'Exemple 12\", \"city\": \"Saint-Gilles\", \"postcode\": "
		    "\"1060\", \"country\": \"BE\", \"contact_name\": \"Service facturation\", "
		    "\"contact_email\": \"factures@example.be\", \"contact_phone\": \"+32 2 000 00 00\"}, ");
		printf("\"buyer\": {\"name\": \"%s\", \"enterprise_number\": \"%s\", \"vat\": \"%s\", "
		    "\"peppol_id\": \"%s\", \"street\": \"%s\", \"city\": \"%s\", \"postcode\": \"%s\", "
		    "\"country\": \"%s\"}, ", b.name, b.ent, b.vat, b.peppol, b.street, b.city, b.pc,
		    b.country);
		gen_iban(iban);
		gen_ogm(ogm);
		/* A credit note has no due date here: its payment terms say when the
		 * credit is refunded (an amount due needs one or the other, BR-CO-25). */
		const char *terms = credit ? "Remboursement sous 30 jours / Terugbetaling binnen 30 dagen"
		    : pick(2) ? "30 jours / 30 dagen" : "";
		if (credit && pick(2))
			printf("\"payment\": {\"terms\": \"%s\"}, ", terms);
		else
			printf("\"payment\": {\"means_code\": \"30\", \"iban\": \"%s\", \"bic\": \"%s\", "
			    "\"structured_communication\": \"%s\", \"terms\": \"%s\"}, ", iban,
			    pick(2) ? "GEBABEBB" : "", ogm, terms);
		unsigned nl = 1 + (pick(3) == 0 ? pick(6) : 0);
		static const char *const units[] = { "HUR", "DAY", "C62", "EA" };
		static const char *const qtys[] = { "1", "1", "2", "0.5", "3.25", "7", "10", "1.125" };
		static const char *const mix[] = { "21", "12", "6" };
		printf("\"lines\": [");
		for (unsigned l = 0; l < nl; l++) {
			const char *q = qtys[pick(8)];
			char negq[16];
			if (credit && nl > 1 && l == nl - 1 && pick(3) == 0) {
				snprintf(negq, sizeof negq, "-%s", q);   /* a line that reduces the credit */
				q = negq;
			}
			printf("%s{\"id\": \"%u\", \"description\": \"%s %04d-%02d\", \"quantity\": \"%s\", "
			    "\"unit_code\": \"%s\", \"unit_price\": \"%s\", ", l ? ", " : "", l + 1,
			    works[pick(10)], 2026, 1 + (int)pick(12), q, units[pick(4)],
			    gen_price(price, sizeof price));
			vat_fields(&v, mixed ? (l == 0 ? "21" : mix[pick(3)]) : NULL);
			if (pick(2))
				printf(", \"contract_id\": \"C-%06u\"", pick(1000000));
			printf("}");
		}
		printf("]");
		/* Allowances and charges in the category (and, mixed, the rate) of line 1. */
		if (pick(5) == 0)
			printf(", \"allowances\": [{\"reason\": \"Remise fidélité\", \"reason_code\": \"95\", "
			    "\"amount\": \"%u.%02u\", ", 1 + pick(20), pick(100)), vat_fields(&v, NULL),
			    printf("}]");
		if (pick(8) == 0)
			printf(", \"charges\": [{\"reason\": \"Frais de déplacement\", \"amount\": "
			    "\"%u.%02u\", ", 5 + pick(60), pick(100)), vat_fields(&v, NULL), printf("}]");
		printf("}\n");
		if (!credit)
			last_invoice = i;
	}
	return 0;
}
