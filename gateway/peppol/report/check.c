/*
 * check.c - the rules of the TSR 1.0.5 and EUSR 1.1.5 schematrons,
 * natively (they need XSLT 2.0): identifiers, period, reporter, that the
 * subtotals of each kind add up to the totals (TSR) or stay within the
 * full set (EUSR), the keys each kind of subtotal must carry, no
 * combination of keys twice. Country codes are checked for their form (two
 * capital letters, or 1A), not against the ISO 3166 list.
 */
#include "peppol/report/report.h"
#include "core/xml_safe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>

struct ck {
	void (*finding)(void *arg, const char *rule, const char *text);
	void *arg;
	int failed;
	const char *ns;
};

static void
rule(struct ck *c, int holds, const char *id, const char *text)
{
	if (holds)
		return;
	c->failed++;
	if (c->finding != NULL)
		c->finding(c->arg, id, text);
}

static xmlNodePtr
first(struct ck *c, xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns && xmlStrEqual(k->ns->href, BAD_CAST c->ns) &&
		    xmlStrEqual(k->name, BAD_CAST name))
			return k;
	return NULL;
}

static xmlNodePtr
next(struct ck *c, xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->next : NULL; k; k = k->next)
		if (k->type == XML_ELEMENT_NODE && k->ns && xmlStrEqual(k->ns->href, BAD_CAST c->ns) &&
		    xmlStrEqual(k->name, BAD_CAST name))
			return k;
	return NULL;
}

/* normalize-space() of n into buf ("" for NULL). */
static void
norm(xmlNodePtr n, char *buf, size_t cap)
{
	size_t o = 0;
	int sp = 0;
	buf[0] = '\0';
	xmlChar *t = n ? xmlNodeGetContent(n) : NULL;
	for (const xmlChar *p = t; p && *p && o + 2 < cap; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			sp = o > 0;
			continue;
		}
		if (sp)
			buf[o++] = ' ';
		sp = 0;
		buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	xmlFree(t);
}

static void
attr(xmlNodePtr n, const char *name, char *buf, size_t cap)
{
	xmlChar *v = n ? xmlGetProp(n, BAD_CAST name) : NULL;
	snprintf(buf, cap, "%s", v ? (const char *)v : "");
	xmlFree(v);
}

/* The number in a count element; -1 when it is not a non-negative integer. */
static long
count(struct ck *c, xmlNodePtr n, const char *name)
{
	char v[32], *end;
	norm(first(c, n, name), v, sizeof v);
	long x = strtol(v, &end, 10);
	return v[0] && *end == '\0' && x >= 0 ? x : -1;
}

static int
is_date(const char *s)
{
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return 0;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static int
is_country(const char *s)
{
	return strcmp(s, "1A") == 0 ||
	       (strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z');
}

/* Identifiers and header, shared by both reports. */
static void
common(struct ck *c, xmlNodePtr root, const char *cust, const char *pfx, const int ids[7])
{
	static const char *texts[] = {
		"CustomizationID is not the report's", "ProfileID is not the reporting profile's",
		"ReportPeriod/StartDate is not YYYY-MM-DD", "ReportPeriod/EndDate is not YYYY-MM-DD",
		"ReportPeriod/EndDate is before StartDate", "ReporterID is empty",
		"ReporterID is not a Peppol seat id (schemeID CertSubjectCN)",
	};
	char v[512], s[64], e[64], id[7][16];
	for (int i = 0; i < 7; i++)
		snprintf(id[i], sizeof id[i], "SCH-%s-%02d", pfx, ids[i]);
	norm(first(c, root, "CustomizationID"), v, sizeof v);
	rule(c, strcmp(v, cust) == 0, id[0], texts[0]);
	norm(first(c, root, "ProfileID"), v, sizeof v);
	rule(c, strcmp(v, "urn:fdc:peppol.eu:edec:bis:reporting:1.0") == 0, id[1], texts[1]);
	xmlNodePtr h = first(c, root, "Header");
	if (h == NULL)
		return;
	xmlNodePtr per = first(c, h, "ReportPeriod");
	norm(first(c, per, "StartDate"), s, sizeof s);
	norm(first(c, per, "EndDate"), e, sizeof e);
	rule(c, is_date(s), id[2], texts[2]);
	rule(c, is_date(e), id[3], texts[3]);
	rule(c, strcmp(e, s) >= 0, id[4], texts[4]);
	xmlNodePtr r = first(c, h, "ReporterID");
	if (r == NULL)
		return;
	norm(r, v, sizeof v);
	attr(r, "schemeID", s, sizeof s);
	rule(c, v[0] != '\0', id[5], texts[5]);
	rule(c, strcmp(s, "CertSubjectCN") == 0 && report_seat_id_valid(v), id[6], texts[6]);
}

/* What one kind of subtotal must carry: its keys (meta + scheme). */
struct kind {
	const char *type;
	int nkeys;
	const char *count_rule;
	struct { const char *meta, *scheme, *rule; } key[5];
};

/* The keys of one subtotal against its kind; its signature into sig. */
static void
keys_ok(struct ck *c, const struct kind *k, xmlNodePtr st, const char *pfx, char *sig, size_t cap)
{
	char meta[32], scheme[64], v[600], text[160];
	int n = 0, have[5] = { 0 };
	size_t o = 0;
	sig[0] = '\0';
	for (xmlNodePtr key = first(c, st, "Key"); key; key = next(c, key, "Key")) {
		n++;
		attr(key, "metaSchemeID", meta, sizeof meta);
		attr(key, "schemeID", scheme, sizeof scheme);
		norm(key, v, sizeof v);
		for (int i = 0; i < k->nkeys; i++)
			if (strcmp(meta, k->key[i].meta) == 0 && strcmp(scheme, k->key[i].scheme) == 0)
				have[i]++;
		if (strcmp(scheme, "CertSubjectCN") == 0)
			rule(c, report_seat_id_valid(v), strcmp(pfx, "TSR") == 0 ? "SCH-TSR-19" : "SCH-EUSR-08",
			     "a CertSubjectCN key is not a Peppol seat id");
		if (strcmp(meta, "CC") == 0)
			rule(c, is_country(v), strcmp(pfx, "TSR") == 0 ? "SCH-TSR-20" : "SCH-EUSR-30",
			     "a country key is not an ISO 3166 alpha-2 code");
		o += (size_t)snprintf(sig + o, o < cap ? cap - o : 0, "%s/%s=%s\x1f", meta, scheme, v);
	}
	snprintf(text, sizeof text, "Subtotal %s must have %d keys", k->type, k->nkeys);
	rule(c, n == k->nkeys, k->count_rule, text);
	for (int i = 0; i < k->nkeys; i++) {
		snprintf(text, sizeof text, "Subtotal %s needs one %s key with schemeID %s", k->type,
		         k->key[i].meta, k->key[i].scheme);
		rule(c, have[i] == 1, k->key[i].rule, text);
	}
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every subtotal of its kind: keys, no combination twice, and the kind's
 * sums (TSR: Incoming, Outgoing) into sums. */
static void
kinds(struct ck *c, xmlNodePtr root, const char *el, const struct kind *ks, size_t nk,
      const char *pfx, const char *type_rule, const char *dup_rule[], long sums[][2],
      int present[])
{
	char type[64];
	for (size_t i = 0; i < nk; i++) {
		size_t n = 0, cap = 0;
		char **sigs = NULL;
		present[i] = 0;
		sums[i][0] = sums[i][1] = 0;
		for (xmlNodePtr st = first(c, root, el); st; st = next(c, st, el)) {
			attr(st, "type", type, sizeof type);
			if (strcmp(type, ks[i].type) != 0)
				continue;
			present[i] = 1;
			char *sig = malloc(2048);
			if (sig == NULL)
				continue;
			keys_ok(c, &ks[i], st, pfx, sig, 2048);
			if (n == cap) {
				char **v = realloc(sigs, (cap = cap ? cap * 2 : 16) * sizeof *v);
				if (v == NULL) {
					free(sig);
					continue;
				}
				sigs = v;
			}
			sigs[n++] = sig;
			if (strcmp(pfx, "TSR") == 0) {
				long in = count(c, st, "Incoming"), out = count(c, st, "Outgoing");
				sums[i][0] += in > 0 ? in : 0;
				sums[i][1] += out > 0 ? out : 0;
				if (strcmp(ks[i].type, "PerSP-DT-PR-CC") == 0)
					rule(c, out == 0, "SCH-TSR-43", "Subtotal PerSP-DT-PR-CC must have Outgoing 0");
			} else {
				long s = count(c, st, "SendingEndUsers"), r = count(c, st, "ReceivingEndUsers");
				long a = count(c, st, "SendingOrReceivingEndUsers");
				rule(c, a <= s + r, "SCH-EUSR-33", "a Subset counts more end users than sending plus receiving");
				rule(c, a >= s, "SCH-EUSR-34", "a Subset counts fewer end users than sending ones");
				rule(c, a >= r, "SCH-EUSR-35", "a Subset counts fewer end users than receiving ones");
				rule(c, a > 0, "SCH-EUSR-36", "a Subset with no end user must be left out");
				sums[i][0] = s > sums[i][0] ? s : sums[i][0];   /* the largest, for 03/04/22 */
				sums[i][1] = r > sums[i][1] ? r : sums[i][1];
				if (a > (long)present[nk + i])
					present[nk + i] = (int)a;
			}
		}
		if (n > 1)                      /* sigs is NULL when there is none */
			qsort(sigs, n, sizeof *sigs, str_cmp);
		for (size_t j = 1; j < n; j++)
			rule(c, strcmp(sigs[j - 1], sigs[j]) != 0, dup_rule[i], "a combination of keys occurs twice");
		for (size_t j = 0; j < n; j++)
			free(sigs[j]);
		free(sigs);
	}
	for (xmlNodePtr st = first(c, root, el); st; st = next(c, st, el)) {
		int known = 0;
		attr(st, "type", type, sizeof type);
		for (size_t i = 0; i < nk; i++)
			known |= strcmp(type, ks[i].type) == 0;
		rule(c, known, type_rule, "unknown subtotal type");
	}
}

/* Parse and check the root; NULL when it is not the report asked for. */
static xmlDocPtr
open_doc(struct ck *c, const char *xml, size_t len, const char *root_name, xmlNodePtr *root)
{
	char w[256];
	xmlDocPtr d = xml_safe_read_memory(NULL, xml, len, "report.xml", 0, w, sizeof w);
	if (d == NULL)
		return NULL;
	*root = xmlDocGetRootElement(d);
	if (*root == NULL || !xmlStrEqual((*root)->name, BAD_CAST root_name) || (*root)->ns == NULL ||
	    !xmlStrEqual((*root)->ns->href, BAD_CAST c->ns))
		*root = NULL;
	return d;
}

int
report_tsr_check(const char *xml, size_t len,
                 void (*finding)(void *arg, const char *rule, const char *text), void *arg)
{
	static const struct kind ks[] = {
		{ "PerTP", 1, "SCH-TSR-21", { { "TP", "Peppol", "SCH-TSR-22" } } },
		{ "PerSP-DT-PR", 3, "SCH-TSR-24", { { "SP", "CertSubjectCN", "SCH-TSR-25" },
		  { "DT", "busdox-docid-qns", "SCH-TSR-26" }, { "PR", "cenbii-procid-ubl", "SCH-TSR-27" } } },
		{ "PerSP-DT-PR-CC", 5, "SCH-TSR-29", { { "SP", "CertSubjectCN", "SCH-TSR-30" },
		  { "DT", "busdox-docid-qns", "SCH-TSR-31" }, { "PR", "cenbii-procid-ubl", "SCH-TSR-32" },
		  { "CC", "SenderCountry", "SCH-TSR-35" }, { "CC", "ReceiverCountry", "SCH-TSR-36" } } },
	};
	static const int ids[7] = { 1, 2, 40, 41, 42, 16, 18 };
	const char *dup[] = { "SCH-TSR-06", "SCH-TSR-10", "SCH-TSR-14" };
	struct ck c = { finding, arg, 0, "urn:fdc:peppol:transaction-statistics-report:1.0" };
	xmlNodePtr root;
	long sums[3][2];
	int present[6];
	xmlDocPtr d = open_doc(&c, xml, len, "TransactionStatisticsReport", &root);
	if (d == NULL)
		return -1;
	if (root == NULL) {
		rule(&c, 0, "TSR", "the root is not a TransactionStatisticsReport 1.0");
		xmlFreeDoc(d);
		return c.failed;
	}
	common(&c, root, "urn:fdc:peppol.eu:edec:trns:transaction-statistics-reporting:1.0", "TSR", ids);
	xmlNodePtr tot = first(&c, root, "Total");
	long in = count(&c, tot, "Incoming"), out = count(&c, tot, "Outgoing");
	rule(&c, in >= 0 && out >= 0, "TSR", "Total/Incoming and Total/Outgoing must be counts");
	int empty = in + out == 0, cc_empty = empty || in == 0;
	kinds(&c, root, "Subtotal", ks, 3, "TSR", "SCH-TSR-37", dup, sums, present);
	rule(&c, empty || present[0], "SCH-TSR-03", "no PerTP subtotal");
	rule(&c, empty || sums[0][0] == in, "SCH-TSR-04", "PerTP Incoming do not add up to the total");
	rule(&c, empty || sums[0][1] == out, "SCH-TSR-05", "PerTP Outgoing do not add up to the total");
	rule(&c, empty || present[1], "SCH-TSR-07", "no PerSP-DT-PR subtotal");
	rule(&c, empty || sums[1][0] == in, "SCH-TSR-08", "PerSP-DT-PR Incoming do not add up to the total");
	rule(&c, empty || sums[1][1] == out, "SCH-TSR-09", "PerSP-DT-PR Outgoing do not add up to the total");
	rule(&c, cc_empty || present[2], "SCH-TSR-11", "no PerSP-DT-PR-CC subtotal");
	rule(&c, cc_empty || sums[2][0] == in, "SCH-TSR-12", "PerSP-DT-PR-CC Incoming do not add up to the total");
	xmlFreeDoc(d);
	return c.failed;
}

int
report_eusr_check(const char *xml, size_t len,
                  void (*finding)(void *arg, const char *rule, const char *text), void *arg)
{
	static const struct kind ks[] = {
		{ "PerDT-PR", 2, "SCH-EUSR-09", { { "DT", "busdox-docid-qns", "SCH-EUSR-10" },
		  { "PR", "cenbii-procid-ubl", "SCH-EUSR-11" } } },
		{ "PerDT-PR-EUC", 3, "SCH-EUSR-23", { { "DT", "busdox-docid-qns", "SCH-EUSR-24" },
		  { "PR", "cenbii-procid-ubl", "SCH-EUSR-25" }, { "CC", "EndUserCountry", "SCH-EUSR-27" } } },
		{ "PerDT-EUC", 2, "SCH-EUSR-41", { { "DT", "busdox-docid-qns", "SCH-EUSR-42" },
		  { "CC", "EndUserCountry", "SCH-EUSR-44" } } },
		{ "PerEUC", 1, "SCH-EUSR-45", { { "CC", "EndUserCountry", "SCH-EUSR-47" } } },
	};
	static const int ids[7] = { 1, 2, 16, 17, 18, 6, 8 };
	const char *dup[] = { "SCH-EUSR-13", "SCH-EUSR-29", "SCH-EUSR-38", "SCH-EUSR-40" };
	struct ck c = { finding, arg, 0, "urn:fdc:peppol:end-user-statistics-report:1.1" };
	xmlNodePtr root;
	long sums[4][2];
	int present[8] = { 0 };
	xmlDocPtr d = open_doc(&c, xml, len, "EndUserStatisticsReport", &root);
	if (d == NULL)
		return -1;
	if (root == NULL) {
		rule(&c, 0, "EUSR", "the root is not an EndUserStatisticsReport 1.1");
		xmlFreeDoc(d);
		return c.failed;
	}
	common(&c, root, "urn:fdc:peppol.eu:edec:trns:end-user-statistics-report:1.1", "EUSR", ids);
	xmlNodePtr fs = first(&c, root, "FullSet");
	long s = count(&c, fs, "SendingEndUsers"), r = count(&c, fs, "ReceivingEndUsers");
	long a = count(&c, fs, "SendingOrReceivingEndUsers");
	rule(&c, s >= 0 && r >= 0 && a >= 0, "EUSR", "FullSet counts must be non-negative integers");
	int empty = s + r == 0;
	kinds(&c, root, "Subset", ks, 4, "EUSR", "SCH-EUSR-14", dup, sums, present);
	long ms = 0, mr = 0, ma = 0;
	for (int i = 0; i < 4; i++) {
		ms = sums[i][0] > ms ? sums[i][0] : ms;
		mr = sums[i][1] > mr ? sums[i][1] : mr;
		ma = present[4 + i] > ma ? present[4 + i] : ma;
	}
	rule(&c, empty || ms <= s, "SCH-EUSR-03", "a Subset has more sending end users than the full set");
	rule(&c, empty || mr <= r, "SCH-EUSR-04", "a Subset has more receiving end users than the full set");
	rule(&c, empty || ma <= a, "SCH-EUSR-22", "a Subset has more end users than the full set");
	rule(&c, a <= s + r, "SCH-EUSR-19", "FullSet counts more end users than sending plus receiving");
	rule(&c, a >= s, "SCH-EUSR-20", "FullSet counts fewer end users than sending ones");
	rule(&c, a >= r, "SCH-EUSR-21", "FullSet counts fewer end users than receiving ones");
	rule(&c, empty || present[0], "SCH-EUSR-15", "no PerDT-PR subset");
	rule(&c, empty || present[2], "SCH-EUSR-37", "no PerDT-EUC subset");
	rule(&c, empty || present[3], "SCH-EUSR-39", "no PerEUC subset");
	xmlFreeDoc(d);
	return c.failed;
}
