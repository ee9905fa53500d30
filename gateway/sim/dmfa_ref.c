/*
 * dmfa_ref.c - the reference the simulated ONSS judges a DmfA by, read at
 * run time from the official files (the project carries none of them):
 * every anomaly code of the DmfA glossary (zones and functional blocks, and
 * the Dimona functional blocks for the cross-checks with the Dimona) with
 * its label and class, the code lists the glossary's domains point to, and
 * annex 30's error labels (for the correction's zones, which the glossary
 * of the original does not list).
 *
 * Owns the loaded tables. Never guesses a value that is not in a file: a
 * missing file is an error, so a simulator without its reference refuses
 * to judge instead of accepting everything.
 */
#include "sim/dmfa_check.h"
#include "core/array.h"
#include "core/xml_safe.h"
#include "core/xml_text.h"

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>

struct anomaly_entry {
	char code[10];
	char cls[3];
	char *label;
};

/* One row of a code list: the code, its validity as YYYYQ, and the column
 * each list adds (annex 2 presence, annex 7/8 "DMFA", annex 3 type and
 * employer categories). */
struct code_entry {
	char code[24];
	char cats[160];
	int flag;
	int from, to;
};

struct code_list {
	struct code_entry *v;
	size_t n, cap;
};

struct simd_ref {
	struct anomaly_entry *an;
	size_t n_an, cap_an;
	/* Annex 30: the label of each three-digit error suffix (001 "Niet
	 * aanwezig" ... 180 "De wijziging of annulatie heeft geen betrekking
	 * op de laatste situatie"), for codes the glossary does not list. */
	struct anomaly_entry *errs;
	size_t n_errs, cap_errs;
	struct code_list workers, services, remuns, contribs, jcs;
};

static int
is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* Text of the child at path "a/b" under n into buf, trimmed (core/xml_text);
 * "" when absent. */
static void
path_text(const xmlNode *n, const char *path, char *buf, size_t cap)
{
	char part[64];
	const char *p = path;
	buf[0] = '\0';
	for (;;) {
		size_t l = strcspn(p, "/");
		snprintf(part, sizeof part, "%.*s", (int)l, p);
		if (p[l] == '\0')
			break;
		if ((n = xml_child(n, part)) == NULL)
			return;
		p += l + 1;
	}
	char *t = xml_child_text(n, part);
	if (t != NULL)
		snprintf(buf, cap, "%s", t);
	free(t);
}

/* The newest file in dir whose name starts with prefix (names carry the
 * version, so the greatest name is the newest). */
static int
newest(const char *dir, const char *prefix, char *out, size_t cap)
{
	char best[NAME_MAX + 1] = "";
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strstr(e->d_name, ".xml") &&
		    strcmp(e->d_name, best) > 0)
			snprintf(best, sizeof best, "%s", e->d_name);
	if (d)
		closedir(d);
	if (best[0] == '\0')
		return 0;
	return snprintf(out, cap, "%s/%s", dir, best) < (int)cap;
}

static xmlDoc *
open_newest(const char *dir, const char *prefix, char *err, size_t errcap)
{
	char path[PATH_MAX], why[300];
	if (!newest(dir, prefix, path, sizeof path)) {
		snprintf(err, errcap, "%s: no %s*.xml", dir, prefix);
		return NULL;
	}
	xmlDoc *doc = xml_safe_read_file(path, XML_PARSE_HUGE, why, sizeof why);
	if (doc == NULL)
		snprintf(err, errcap, "%s: %s", path, why);
	return doc;
}

/* ---- the glossary ---- */

static gw_rc
take_anomalies(struct simd_ref *r, const xmlNode *n)
{
	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(n, "Anomalie")) {
			char code[16], cls[8], title[512];
			path_text(n, "AnomalieCode", code, sizeof code);
			path_text(n, "AnomalieErnst", cls, sizeof cls);
			path_text(n, "AnomalieTitel", title, sizeof title);
			if (strlen(code) != 9 || strlen(cls) > 2)
				continue;
			if (ARRAY_RESERVE(r->an, r->n_an, r->cap_an, 1024) != GW_OK)
				return GW_ENOMEM;
			struct anomaly_entry *a = &r->an[r->n_an];
			snprintf(a->code, sizeof a->code, "%s", code);
			snprintf(a->cls, sizeof a->cls, "%s", cls);
			if ((a->label = strdup(title)) == NULL)
				return GW_ENOMEM;
			r->n_an++;
			continue;
		}
		gw_rc rc = take_anomalies(r, n->children);
		if (rc != GW_OK)
			return rc;
	}
	return GW_OK;
}

static int
cmp_anomaly(const void *a, const void *b)
{
	return strcmp(((const struct anomaly_entry *)a)->code, ((const struct anomaly_entry *)b)->code);
}

/* ---- the code lists ---- */

static int
validity(const xmlNode *e, const char *which)
{
	char y[16], q[8], p[40];
	snprintf(p, sizeof p, "%s/year", which);
	path_text(e, p, y, sizeof y);
	snprintf(p, sizeof p, "%s/quarter", which);
	path_text(e, p, q, sizeof q);
	return (int)strtol(y, NULL, 10) * 10 + (int)strtol(q, NULL, 10);
}

/* Read every `entry` row of a code list: code_path the code, flag_path the
 * list's own column ("" for none), cats_path the employer categories. */
static gw_rc
take_codes(struct code_list *l, const xmlDoc *doc, const char *entry, const char *code_path,
           const char *flag_path, const char *cats_path)
{
	for (xmlNode *e = xmlDocGetRootElement(doc)->children; e; e = e->next) {
		if (!is_el(e, entry))
			continue;
		char flag[16];
		if (ARRAY_RESERVE(l->v, l->n, l->cap, 256) != GW_OK)
			return GW_ENOMEM;
		struct code_entry *c = &l->v[l->n];
		memset(c, 0, sizeof *c);
		path_text(e, code_path, c->code, sizeof c->code);
		if (cats_path)
			path_text(e, cats_path, c->cats, sizeof c->cats);
		flag[0] = '\0';
		if (flag_path)
			path_text(e, flag_path, flag, sizeof flag);
		c->flag = strcmp(flag, "Yes") == 0 ? 1 : (int)strtol(flag, NULL, 10);
		c->from = validity(e, "begin-validity");
		c->to = validity(e, "end-validity");
		if (c->code[0])
			l->n++;
	}
	return GW_OK;
}

/* Annex 30 (ErrorCodes): each suffix with its Dutch label. */
static gw_rc
take_errors(struct simd_ref *r, const xmlDoc *doc)
{
	for (xmlNode *e = xmlDocGetRootElement(doc)->children; e; e = e->next) {
		char code[16], label[512];
		if (!is_el(e, "error-code"))
			continue;
		path_text(e, "code", code, sizeof code);
		path_text(e, "description/nl", label, sizeof label);
		if (strlen(code) != 3)
			continue;
		if (ARRAY_RESERVE(r->errs, r->n_errs, r->cap_errs, 256) != GW_OK)
			return GW_ENOMEM;
		struct anomaly_entry *a = &r->errs[r->n_errs];
		snprintf(a->code, sizeof a->code, "%s", code);
		snprintf(a->cls, sizeof a->cls, "B");
		if ((a->label = strdup(label)) == NULL)
			return GW_ENOMEM;
		r->n_errs++;
	}
	return GW_OK;
}

static const struct {
	const char *prefix, *entry, *code, *flag, *cats;
	size_t list;                     /* offset of the list in struct simd_ref */
} lists[] = {
	{ "EmployeeCodes", "employee-code", "code", "presence", NULL, offsetof(struct simd_ref, workers) },
	{ "WorkingTimeCodes", "working-time-code", "code", "DMFA", NULL, offsetof(struct simd_ref, services) },
	{ "Renumerations", "remuneration", "code", "DMFA", NULL, offsetof(struct simd_ref, remuns) },
	{ "ContributionTypes", "contribution-type", "code/nl", "type", "employer-category",
	  offsetof(struct simd_ref, contribs) },
	{ "JointCommittee", "joint-committee", "code", NULL, NULL, offsetof(struct simd_ref, jcs) },
};

gw_rc
simd_ref_load(const char *onss_dir, struct simd_ref **out, char *err, size_t errcap)
{
	static const char *glossaries[] = { "Zones_DMFA_", "FB_DMFA_", "FB_Dimona_" };
	char dir[PATH_MAX];
	gw_rc rc = GW_OK;
	struct simd_ref *r = calloc(1, sizeof *r);

	*out = NULL;
	if (r == NULL)
		return GW_ENOMEM;
	snprintf(dir, sizeof dir, "%s/glossary", onss_dir);
	for (size_t i = 0; rc == GW_OK && i < sizeof glossaries / sizeof *glossaries; i++) {
		xmlDoc *doc = open_newest(dir, glossaries[i], err, errcap);
		if (doc == NULL) {
			rc = GW_EINPUT;
			break;
		}
		rc = take_anomalies(r, xmlDocGetRootElement(doc));
		xmlFreeDoc(doc);
	}
	snprintf(dir, sizeof dir, "%s/codelists", onss_dir);
	for (size_t i = 0; rc == GW_OK && i < sizeof lists / sizeof *lists; i++) {
		xmlDoc *doc = open_newest(dir, lists[i].prefix, err, errcap);
		if (doc == NULL) {
			rc = GW_EINPUT;
			break;
		}
		struct code_list *l = (struct code_list *)((char *)r + lists[i].list);
		rc = take_codes(l, doc, lists[i].entry, lists[i].code, lists[i].flag, lists[i].cats);
		xmlFreeDoc(doc);
		if (rc == GW_OK && l->n == 0) {
			snprintf(err, errcap, "%s: no %s in the %s list", dir, lists[i].entry, lists[i].prefix);
			rc = GW_EINPUT;
		}
	}
	if (rc == GW_OK) {
		xmlDoc *doc = open_newest(dir, "ErrorCodes", err, errcap);
		if (doc == NULL)
			rc = GW_EINPUT;
		else {
			rc = take_errors(r, doc);
			xmlFreeDoc(doc);
		}
		if (rc == GW_OK && r->n_errs == 0) {
			snprintf(err, errcap, "%s: no error-code in the ErrorCodes list", dir);
			rc = GW_EINPUT;
		}
	}
	if (rc != GW_OK) {
		simd_ref_free(r);
		return rc;
	}
	/* Stable enough: a code listed under several zones has one label. */
	qsort(r->an, r->n_an, sizeof *r->an, cmp_anomaly);
	*out = r;
	return GW_OK;
}

void
simd_ref_free(struct simd_ref *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_an; i++)
		free(r->an[i].label);
	free(r->an);
	for (size_t i = 0; i < r->n_errs; i++)
		free(r->errs[i].label);
	free(r->errs);
	free(r->workers.v);
	free(r->services.v);
	free(r->remuns.v);
	free(r->contribs.v);
	free(r->jcs.v);
	free(r);
}

gw_rc
simd_ref_anomaly(const struct simd_ref *r, const char *code, const char **label, const char **cls)
{
	struct anomaly_entry key;
	snprintf(key.code, sizeof key.code, "%s", code);
	const struct anomaly_entry *a = r->n_an ? bsearch(&key, r->an, r->n_an, sizeof *r->an, cmp_anomaly) : NULL;
	if (a == NULL)
		return GW_ENOTFOUND;
	if (label)
		*label = a->label;
	if (cls)
		*cls = a->cls;
	return GW_OK;
}

const char *
simd_ref_error_label(const struct simd_ref *r, const char *code)
{
	/* ZZZZZ-EEE: the suffix after the dash names the error. */
	const char *dash = strchr(code, '-');
	if (dash == NULL || strlen(dash + 1) != 3)
		return NULL;
	for (size_t i = 0; i < r->n_errs; i++)
		if (strcmp(r->errs[i].code, dash + 1) == 0)
			return r->errs[i].label;
	return NULL;
}

/* ---- look-ups ---- */

static int
all_digits(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Whether list row c covers code (numerically: "1" in annex 7 is "001" in
 * the DmfA) in quarter q. */
static int
covers_num(const struct code_entry *c, const char *code, int q)
{
	return all_digits(c->code) && strtol(c->code, NULL, 10) == strtol(code, NULL, 10) &&
	       c->from <= q && q <= c->to;
}

int
simd_ref_worker_code(const struct simd_ref *r, const char *code, int quarter)
{
	/* 00037: annex 2 codes of presence 1 or 3; no trainees (848, 849). */
	if (!all_digits(code) || strcmp(code, "848") == 0 || strcmp(code, "849") == 0)
		return 0;
	for (size_t i = 0; i < r->workers.n; i++)
		if (strcmp(r->workers.v[i].code, code) == 0 && (r->workers.v[i].flag == 1 || r->workers.v[i].flag == 3) &&
		    r->workers.v[i].from <= quarter && quarter <= r->workers.v[i].to)
			return 1;
	return 0;
}

int
simd_ref_contrib_worker_code(const struct simd_ref *r, const char *code, int quarter)
{
	/* 00082: annex 2 codes of presence 2, 3 or 5. */
	if (!all_digits(code))
		return 0;
	for (size_t i = 0; i < r->workers.n; i++) {
		int p = r->workers.v[i].flag;
		if (strcmp(r->workers.v[i].code, code) == 0 && (p == 2 || p == 3 || p == 5) &&
		    r->workers.v[i].from <= quarter && quarter <= r->workers.v[i].to)
			return 1;
	}
	return 0;
}

int
simd_ref_service_code(const struct simd_ref *r, const char *code, int quarter)
{
	for (size_t i = 0; all_digits(code) && i < r->services.n; i++)
		if (r->services.v[i].flag == 1 && covers_num(&r->services.v[i], code, quarter))
			return 1;
	return 0;
}

int
simd_ref_remun_code(const struct simd_ref *r, const char *code, int quarter)
{
	for (size_t i = 0; all_digits(code) && i < r->remuns.n; i++)
		if (r->remuns.v[i].flag == 1 && covers_num(&r->remuns.v[i], code, quarter))
			return 1;
	return 0;
}

int
simd_ref_joint_committee(const struct simd_ref *r, const char *jc, int quarter)
{
	/* 00046: 999 when the worker falls under no joint committee. */
	if (strcmp(jc, "999") == 0)
		return 1;
	for (size_t i = 0; i < r->jcs.n; i++)
		if (strcmp(r->jcs.v[i].code, jc) == 0 && r->jcs.v[i].from <= quarter && quarter <= r->jcs.v[i].to)
			return 1;
	return 0;
}

/* Whether an annex 3 code column ("015", "0xx (Handarbeider)", "Alle
 * werknemerskengetallen") names worker code wc. */
static int
annex3_names(const char *col, const char *wc)
{
	if (strncmp(col, "Alle", 4) == 0)
		return 1;
	if (strlen(col) >= 3 && col[1] == 'x' && col[2] == 'x')
		return col[0] == wc[0];
	return strncmp(col, wc, 3) == 0 && (col[3] == '\0' || col[3] == ' ');
}

/* Whether an annex 3 employer-category column ("105, 205, 305" or empty
 * for all) holds category ec. */
static int
annex3_category(const char *cats, const char *ec)
{
	if (cats[0] == '\0')
		return 1;
	for (const char *p = cats; (p = strstr(p, ec)) != NULL; p++)
		if ((p == cats || p[-1] < '0' || p[-1] > '9') && (p[3] < '0' || p[3] > '9'))
			return 1;
	return 0;
}

int
simd_ref_contrib_type(const struct simd_ref *r, const char *worker_code, const char *employer_class,
                      int type, int quarter)
{
	int named = 0;
	if (strlen(worker_code) != 3)
		return 1;
	for (size_t i = 0; i < r->contribs.n; i++) {
		const struct code_entry *c = &r->contribs.v[i];
		if (strncmp(c->code, "Alle", 4) == 0 || !annex3_names(c->code, worker_code))
			continue;
		if (c->from > quarter || quarter > c->to || !annex3_category(c->cats, employer_class))
			continue;
		named = 1;
		if (c->flag == type)
			return 1;
	}
	/* Rows for every worker code add their types to what the code allows. */
	for (size_t i = 0; named && i < r->contribs.n; i++) {
		const struct code_entry *c = &r->contribs.v[i];
		if (strncmp(c->code, "Alle", 4) == 0 && c->flag == type && c->from <= quarter && quarter <= c->to &&
		    annex3_category(c->cats, employer_class))
			return 1;
	}
	return !named;
}
