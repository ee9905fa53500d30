/*
 * build.c - the TSR and EUSR XML of a month out of its exchanges
 * (report.h): totals, then one subtotal (TSR) or subset (EUSR) per
 * combination of keys, sorted, so the same month always gives the same
 * bytes. End users are counted once per subset however many documents
 * they sent or received.
 */
#include "peppol/report/report.h"
#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_TSR  "urn:fdc:peppol:transaction-statistics-report:1.0"
#define NS_EUSR "urn:fdc:peppol:end-user-statistics-report:1.1"
#define CUST_TSR  "urn:fdc:peppol.eu:edec:trns:transaction-statistics-reporting:1.0"
#define CUST_EUSR "urn:fdc:peppol.eu:edec:trns:end-user-statistics-report:1.1"
#define PROFILE   "urn:fdc:peppol.eu:edec:bis:reporting:1.0"

/* The keys a subtotal or subset is made of. */
enum { K_TP = 1, K_SP = 2, K_DT = 4, K_PR = 8, K_SC = 16, K_RC = 32, K_EUC = 64 };

/* One exchange under one subtotal's key. */
struct ent {
	char key[1024];
	const struct report_tx *tx;
};

int
report_month_bounds(const char *month, char first[11], char last[11])
{
	int y, m;
	char tail;
	if (strlen(month) != 7 || month[4] != '-' || sscanf(month, "%4d-%2d%c", &y, &m, &tail) != 2 ||
	    y < 2000 || y > 2999 || m < 1 || m > 12)
		return 0;
	snprintf(first, 11, "%04d-%02d-01", y, m);
	snprintf(last, 11, "%04d-%02d-%02d", y, m, date_days_in_month(y, m));
	return 1;
}

int
report_seat_id_valid(const char *s)
{
	if (strlen(s) != 9 || s[0] != 'P')
		return 0;
	for (int i = 1; i < 9; i++)
		if (i < 3 ? !(s[i] >= 'A' && s[i] <= 'Z') : !(s[i] >= '0' && s[i] <= '9'))
			return 0;
	return 1;
}

/* s with the five XML specials escaped. */
static void
put_xml(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*s, f);
		}
}

static void
key(FILE *f, const char *meta, const char *scheme, const char *value)
{
	fprintf(f, "    <Key metaSchemeID=\"%s\" schemeID=\"%s\">", meta, scheme);
	put_xml(f, value);
	fputs("</Key>\n", f);
}

/* The Key elements of mask for tx. */
static void
keys(FILE *f, int mask, const struct report_tx *t)
{
	if (mask & K_TP)
		key(f, "TP", "Peppol", REPORT_TP_AS4);
	if (mask & K_SP)
		key(f, "SP", "CertSubjectCN", t->sp);
	if (mask & K_DT)
		key(f, "DT", "busdox-docid-qns", t->doctype);
	if (mask & K_PR)
		key(f, "PR", "cenbii-procid-ubl", t->process);
	if (mask & K_SC)
		key(f, "CC", "SenderCountry", t->sender_country);
	if (mask & K_RC)
		key(f, "CC", "ReceiverCountry", t->receiver_country);
	if (mask & K_EUC)
		key(f, "CC", "EndUserCountry", t->end_user_country);
}

static int
ent_cmp(const void *a, const void *b)
{
	const struct ent *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	return c ? c : strcmp(x->tx->end_user, y->tx->end_user);
}

/* The exchanges (incoming only when only_in) under mask's keys, sorted by
 * key then end user; *out malloc'd. */
static gw_rc
entries(const struct report_tx *tx, size_t n, int mask, int only_in, struct ent **out, size_t *nout)
{
	struct ent *e = calloc(n ? n : 1, sizeof *e);
	size_t k = 0;
	if (e == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct report_tx *t = &tx[i];
		if (only_in && !t->incoming)
			continue;
		snprintf(e[k].key, sizeof e[k].key, "%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s",
		         mask & K_SP ? t->sp : "", mask & K_DT ? t->doctype : "",
		         mask & K_PR ? t->process : "", mask & K_SC ? t->sender_country : "",
		         mask & K_RC ? t->receiver_country : "", mask & K_EUC ? t->end_user_country : "");
		e[k++].tx = t;
	}
	qsort(e, k, sizeof *e, ent_cmp);
	*out = e;
	*nout = k;
	return GW_OK;
}

/* What each exchange must carry for the subtotals it goes into. */
static gw_rc
tx_ok(const struct report_tx *tx, size_t n, int eusr, char *why, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		const struct report_tx *t = &tx[i];
		const char *miss = t->doctype[0] == '\0' ? "document type" : t->process[0] == '\0' ?
		    "process" : NULL;
		if (miss == NULL && !eusr && !report_seat_id_valid(t->sp))
			miss = "service provider (a seat id like PBE000101)";
		if (miss == NULL && !eusr && t->incoming &&
		    (strlen(t->sender_country) != 2 || strlen(t->receiver_country) != 2))
			miss = "sender or receiver country";
		if (miss == NULL && eusr && (t->end_user[0] == '\0' || strlen(t->end_user_country) != 2))
			miss = "end user or its country";
		if (miss != NULL) {
			snprintf(why, cap, "report: exchange %zu (%s %s) has no valid %s", i + 1,
			         t->incoming ? "received for" : "sent by", t->end_user, miss);
			return GW_EINPUT;
		}
	}
	return GW_OK;
}

/* The report's opening: root, ids and header. */
static void
head(FILE *f, const char *root, const char *ns, const char *cust, const char *first,
     const char *last, const char *reporter)
{
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<%s xmlns=\"%s\">\n"
	        "  <CustomizationID>%s</CustomizationID>\n  <ProfileID>" PROFILE "</ProfileID>\n"
	        "  <Header>\n    <ReportPeriod>\n      <StartDate>%s</StartDate>\n"
	        "      <EndDate>%s</EndDate>\n    </ReportPeriod>\n"
	        "    <ReporterID schemeID=\"CertSubjectCN\">", root, ns, cust, first, last);
	put_xml(f, reporter);
	fputs("</ReporterID>\n  </Header>\n", f);
}

/* Close the stream and hand its bytes over. */
static gw_rc
finish(FILE *f, char **buf, size_t *blen, char **out, size_t *len)
{
	int bad = ferror(f);
	if (fclose(f) != 0 || bad || *buf == NULL) {
		free(*buf);
		return GW_ENOMEM;
	}
	*out = *buf;
	*len = *blen;
	return GW_OK;
}

/* The common checks of both builders. */
static gw_rc
args_ok(const char *month, const char *reporter, char first[11], char last[11], char *why, size_t cap)
{
	if (!report_month_bounds(month, first, last)) {
		snprintf(why, cap, "report: month \"%s\" is not YYYY-MM", month);
		return GW_EINPUT;
	}
	if (!report_seat_id_valid(reporter)) {
		snprintf(why, cap, "report: reporter \"%s\" (our AP certificate's CN) is not a Peppol"
		         " seat id like PBE000101", reporter);
		return GW_EINPUT;
	}
	return GW_OK;
}

gw_rc
report_tsr_build(const char *month, const char *reporter, const struct report_tx *tx, size_t n,
                 char **out, size_t *len, char *why, size_t whycap)
{
	static const struct { const char *type; int mask; int only_in; } sub[] = {
		{ "PerTP", K_TP, 0 },
		{ "PerSP-DT-PR", K_SP | K_DT | K_PR, 0 },
		/* Only what comes in: the C4 country of what goes out is not known. */
		{ "PerSP-DT-PR-CC", K_SP | K_DT | K_PR | K_SC | K_RC, 1 },
	};
	char first[11], last[11], *buf = NULL;
	size_t blen = 0, nin = 0;
	gw_rc rc;
	*out = NULL;
	if ((rc = args_ok(month, reporter, first, last, why, whycap)) != GW_OK ||
	    (rc = tx_ok(tx, n, 0, why, whycap)) != GW_OK)
		return rc;
	FILE *f = open_memstream(&buf, &blen);
	if (f == NULL)
		return GW_ENOMEM;
	for (size_t i = 0; i < n; i++)
		nin += tx[i].incoming != 0;
	head(f, "TransactionStatisticsReport", NS_TSR, CUST_TSR, first, last, reporter);
	fprintf(f, "  <Total>\n    <Incoming>%zu</Incoming>\n    <Outgoing>%zu</Outgoing>\n"
	        "  </Total>\n", nin, n - nin);
	for (size_t s = 0; s < sizeof sub / sizeof *sub && n > 0; s++) {
		struct ent *e;
		size_t ne;
		if (entries(tx, n, sub[s].mask, sub[s].only_in, &e, &ne) != GW_OK) {
			fclose(f);
			free(buf);
			return GW_ENOMEM;
		}
		for (size_t i = 0; i < ne;) {
			size_t j = i, in = 0, outg = 0;
			for (; j < ne && strcmp(e[j].key, e[i].key) == 0; j++)
				e[j].tx->incoming ? in++ : outg++;
			fprintf(f, "  <Subtotal type=\"%s\">\n", sub[s].type);
			keys(f, sub[s].mask, e[i].tx);
			fprintf(f, "    <Incoming>%zu</Incoming>\n    <Outgoing>%zu</Outgoing>\n"
			        "  </Subtotal>\n", in, outg);
			i = j;
		}
		free(e);
	}
	fputs("</TransactionStatisticsReport>\n", f);
	return finish(f, &buf, &blen, out, len);
}

gw_rc
report_eusr_build(const char *month, const char *reporter, const struct report_tx *tx, size_t n,
                  char **out, size_t *len, char *why, size_t whycap)
{
	static const struct { const char *type; int mask; } sub[] = {
		{ NULL, 0 },                    /* the full set */
		{ "PerDT-PR", K_DT | K_PR },
		{ "PerDT-PR-EUC", K_DT | K_PR | K_EUC },
		{ "PerDT-EUC", K_DT | K_EUC },
		{ "PerEUC", K_EUC },
	};
	char first[11], last[11], *buf = NULL;
	size_t blen = 0;
	gw_rc rc;
	*out = NULL;
	if ((rc = args_ok(month, reporter, first, last, why, whycap)) != GW_OK ||
	    (rc = tx_ok(tx, n, 1, why, whycap)) != GW_OK)
		return rc;
	FILE *f = open_memstream(&buf, &blen);
	if (f == NULL)
		return GW_ENOMEM;
	head(f, "EndUserStatisticsReport", NS_EUSR, CUST_EUSR, first, last, reporter);
	for (size_t s = 0; s < sizeof sub / sizeof *sub; s++) {
		struct ent *e;
		size_t ne;
		if (entries(tx, n, sub[s].mask, 0, &e, &ne) != GW_OK) {
			fclose(f);
			free(buf);
			return GW_ENOMEM;
		}
		for (size_t i = 0; i < ne || (s == 0 && i == 0);) {
			/* Within a key, entries are sorted by end user: count each once. */
			size_t j = i, snd = 0, rcv = 0, any = 0;
			while (j < ne && strcmp(e[j].key, e[i].key) == 0) {
				size_t k = j;
				int sent = 0, received = 0;
				for (; k < ne && strcmp(e[k].key, e[i].key) == 0 &&
				     strcmp(e[k].tx->end_user, e[j].tx->end_user) == 0; k++)
					e[k].tx->incoming ? (received = 1) : (sent = 1);
				snd += (size_t)sent;
				rcv += (size_t)received;
				any++;
				j = k;
			}
			if (s == 0) {
				fputs("  <FullSet>\n", f);
			} else {
				fprintf(f, "  <Subset type=\"%s\">\n", sub[s].type);
				keys(f, sub[s].mask, e[i].tx);
			}
			fprintf(f, "    <SendingEndUsers>%zu</SendingEndUsers>\n"
			        "    <ReceivingEndUsers>%zu</ReceivingEndUsers>\n"
			        "    <SendingOrReceivingEndUsers>%zu</SendingOrReceivingEndUsers>\n  </%s>\n",
			        snd, rcv, any, s == 0 ? "FullSet" : "Subset");
			if (j == i)
				break;          /* the empty full set */
			i = j;
		}
		free(e);
	}
	fputs("</EndUserStatisticsReport>\n", f);
	return finish(f, &buf, &blen, out, len);
}
