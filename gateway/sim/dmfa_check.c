/*
 * dmfa_check.c - the simulated ONSS checks one EmployerDeclaration of a
 * DmfAOriginal (and, through dmfa_check_update.c, each worker record of a
 * correction) the way the glossary says the ONSS does: presence and domain
 * of the zones it marks blocking, and the cross-checks between zones and
 * with the Dimona periods it accepted. Every finding carries the glossary's
 * anomaly code, and the glossary's class decides what blocks (class B).
 *
 * Owns nothing durable. Never includes the gateway's DmfA builder: each
 * rule below cites the glossary zone (Zones_DMFA) or functional block
 * (FB_DMFA, FB_Dimona) it comes from; where the glossary leaves a value to
 * specialist knowledge it says so.
 */
#include "sim/dmfa_check.h"
#include "sim/dmfa_check_int.h"
#include "core/array.h"
#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
simdc_is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

const xmlNode *
simdc_kid(const xmlNode *n, const char *name)
{
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (simdc_is_el(c, name))
			return c;
	return NULL;
}

/* Text of child name into buf; 0 when the zone is absent. */
int
simdc_zone(const xmlNode *n, const char *name, char *buf, size_t cap)
{
	const xmlNode *c = simdc_kid(n, name);
	buf[0] = '\0';
	if (c == NULL)
		return 0;
	xmlChar *t = xmlNodeGetContent(c);
	snprintf(buf, cap, "%s", t ? (const char *)t : "");
	xmlFree(t);
	return 1;
}

/* Digits only (at most 15): *v its value. */
int
simdc_num(const char *s, long long *v)
{
	size_t n = strlen(s);
	if (n == 0 || n > 15 || strspn(s, "0123456789") != n)
		return 0;
	*v = strtoll(s, NULL, 10);
	return 1;
}

static int
date_of(const char *s, gw_ymd *d)
{
	char why[80];
	return strlen(s) == 10 && date_parse(s, 10, d, why, sizeof why) == GW_OK;
}

/* src into dst when it fits whole, else "": a cut value would name
 * another line. */
static void
fit(char *dst, size_t cap, const char *src)
{
	size_t n = strlen(src);
	if (n >= cap)
		n = 0;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Record one anomaly; its label and class come from the glossary. */
void
simdc_add(struct simd_ctx *c, const char *code, const char *tag, const char *value)
{
	const char *label = NULL, *cls = NULL;
	if (c->rc != GW_OK)
		return;
	if (ARRAY_RESERVE(c->f->v, c->f->n, c->f->cap, 16) != GW_OK) {
		c->rc = GW_ENOMEM;
		return;
	}
	struct simd_anomaly *a = &c->f->v[c->f->n++];
	memset(a, 0, sizeof *a);
	/* A code the glossary does not hold: the correction's own zones
	 * (00534, 00548, 00610, 00618, 00619...) have no glossary entry, so
	 * the label is annex 30's for the code's suffix, and the class B (a
	 * correction the ONSS cannot apply to its database is refused). A
	 * code neither knows would be a mistake here: kept, as blocking, so
	 * that a test sees it rather than a silent pass. */
	if (simd_ref_anomaly(c->r, code, &label, &cls) != GW_OK) {
		cls = "B";
		label = simd_ref_error_label(c->r, code);
	}
	snprintf(a->code, sizeof a->code, "%s", code);
	snprintf(a->tag, sizeof a->tag, "%s", tag);
	snprintf(a->value, sizeof a->value, "%s", value ? value : "");
	snprintf(a->cls, sizeof a->cls, "%s", cls);
	snprintf(a->where, sizeof a->where, "%s", c->where);
	fit(a->inss, sizeof a->inss, c->inss);
	fit(a->employer_class, sizeof a->employer_class, c->ec);
	fit(a->worker_code, sizeof a->worker_code, c->wc);
	fit(a->occupation, sizeof a->occupation, c->occ);
	a->label = label;
	if (strcmp(a->cls, "B") == 0)
		c->f->blocking++;
}

/* A numeric zone: present (else -001 when required), numeric (-002), in
 * [lo, hi] (else -008). Returns 1 and *v when it holds a number. */
static int
numeric_zone(struct simd_ctx *c, const xmlNode *n, const char *tag, const char *zone_nbr, int required,
             long long lo, long long hi, long long *v)
{
	char buf[64], code[10];
	if (!simdc_zone(n, tag, buf, sizeof buf)) {
		if (required) {
			snprintf(code, sizeof code, "%s-001", zone_nbr);
			simdc_add(c, code, tag, NULL);
		}
		return 0;
	}
	if (!simdc_num(buf, v)) {
		snprintf(code, sizeof code, "%s-002", zone_nbr);
		simdc_add(c, code, tag, buf);
		return 0;
	}
	if (*v < lo || *v > hi) {
		snprintf(code, sizeof code, "%s-008", zone_nbr);
		simdc_add(c, code, tag, buf);
	}
	return 1;
}

/* ---- LocalUnitID (00042) ---- */

static void
check_local_unit(struct simd_ctx *c, const xmlNode *n, int required)
{
	char v[64];
	long long x;
	if (!simdc_zone(n, "LocalUnitID", v, sizeof v)) {
		if (required)
			simdc_add(c, "00042-001", "LocalUnitID", NULL);
		return;
	}
	if (!simdc_num(v, &x)) {
		simdc_add(c, "00042-002", "LocalUnitID", v);
		return;
	}
	if (strlen(v) != 10) {
		simdc_add(c, "00042-093", "LocalUnitID", v);
		return;
	}
	/* 10 digits: a sequence number of 8 whose first digit is 2..8, then
	 * a check number; 97 minus the sequence number modulo 97. */
	if (v[0] < '2' || v[0] > '8') {
		simdc_add(c, "00042-003", "LocalUnitID", v);
		return;
	}
	long long seq = x / 100, check = x % 100;
	if (check != 97 - seq % 97)
		simdc_add(c, "00042-004", "LocalUnitID", v);
}

/* ---- cross-checks with the Dimona ---- */

struct dimona_look {
	gw_ymd from, to;                 /* the span to overlap */
	const char *type;                /* worker type wanted, e.g. "EXT" */
	int any, wanted;
};

static int
look_one(const struct dimona_period *p, void *arg)
{
	struct dimona_look *l = arg;
	gw_ymd end = p->end ? p->end : 99991231;
	if (p->cancelled || p->start > l->to || end < l->from)
		return 0;
	l->any = 1;
	if (strcmp(p->worker_type, l->type) == 0)
		l->wanted = 1;
	return l->wanted;
}

/* Look in the ledger for this worker's periods over [from, to]: *any set
 * when there is one at all, the result whether one has worker type `type`. */
static int
dimona_has(struct simd_ctx *c, gw_ymd from, gw_ymd to, const char *type, int *any)
{
	struct dimona_look l = { from, to, type, 0, 0 };
	*any = 0;
	if (c->ledger == NULL || c->inss[0] == '\0')
		return 0;
	c->ledger->each(c->ledger->ctx, c->noss, c->inss, look_one, &l);
	*any = l.any;
	return l.wanted;
}

/* ---- Occupation (FB 90015) ---- */

/* Joint committees whose occasional workers may be declared as extras:
 * Horeca (302) and funeral undertakers (320) from zone 00795; agriculture
 * (144) and horticulture (145) from issue 13 [S: unconfirmed]. */
static int
extra_jc(const char *jc)
{
	static const char *ok[] = { "302", "320", "144", "145" };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
		if (strncmp(jc, ok[i], 3) == 0 && (jc[3] == '\0' || jc[3] == '.'))
			return 1;
	return 0;
}

/* CCC, CCC.CC or CCC.CC.CC (zone 00046). */
static int
jc_shape(const char *s)
{
	size_t n = strlen(s);
	if (n != 3 && n != 6 && n != 9)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((i == 3 || i == 6) ? s[i] != '.' : (s[i] < '0' || s[i] > '9'))
			return 0;
	return 1;
}

static void
check_services(struct simd_ctx *c, const xmlNode *occ, int part_time, long long *days_total)
{
	long long v;
	char code[64];
	for (const xmlNode *s = occ->children; s; s = s->next) {
		if (!simdc_is_el(s, "Service"))
			continue;
		/* 00062: annex 8, the codes marked for the DmfA. */
		if (!simdc_zone(s, "ServiceCode", code, sizeof code))
			simdc_add(c, "00062-001", "ServiceCode", NULL);
		else if (!simdc_num(code, &v))
			simdc_add(c, "00062-002", "ServiceCode", code);
		else if (!simd_ref_service_code(c->r, code, c->quarter))
			simdc_add(c, "00062-008", "ServiceCode", code);
		/* 00063: days in hundredths, [1;36600]. */
		if (numeric_zone(c, s, "ServiceNbrDays", "00063", 1, 1, 36600, &v))
			*days_total += v;
		/* 00064: hours in hundredths, required for a part-time worker. */
		numeric_zone(c, s, "ServiceNbrHours", "00064", part_time, 1, 9999999, &v);
	}
}

static void
check_remuns(struct simd_ctx *c, const xmlNode *occ)
{
	long long v;
	char code[64];
	for (const xmlNode *s = occ->children; s; s = s->next) {
		if (!simdc_is_el(s, "Remun"))
			continue;
		/* 00067: annex 7, the codes marked for the DmfA. */
		int ok = 0;
		if (!simdc_zone(s, "RemunCode", code, sizeof code))
			simdc_add(c, "00067-001", "RemunCode", NULL);
		else if (!simdc_num(code, &v))
			simdc_add(c, "00067-002", "RemunCode", code);
		else if (!simd_ref_remun_code(c->r, code, c->quarter))
			simdc_add(c, "00067-008", "RemunCode", code);
		else
			ok = 1;
		/* 00070: a positive amount in cents; zero only for the mobility
		 * budget balance (code 029). */
		if (numeric_zone(c, s, "RemunAmount", "00070", 1, 0, 99999999999LL, &v) && v == 0 &&
		    !(ok && strtol(code, NULL, 10) == 29))
			simdc_add(c, "00070-008", "RemunAmount", "0");
	}
}

static void
check_occupation(struct simd_ctx *c, const xmlNode *occ)
{
	char seq[16], start_s[64], end_s[64], jc[64], v[64], extra[16], status[8];
	long long days = 0, ct = -1, wds = -1, q = -1, s = -1;
	gw_ymd start = 0, end = 0;
	int have_start = 0, have_end = 0;

	simdc_zone(occ, "OccupationSequenceNbr", seq, sizeof seq);
	fit(c->occ, sizeof c->occ, seq);
	snprintf(c->where, sizeof c->where, "INSS %s, worker code %s, occupation %s", c->inss, c->wc, seq);
	simdc_zone(occ, "WorkerStatus", status, sizeof status);
	simdc_zone(simdc_kid(occ, "OccupationInformations"), "HorecaExtra", extra, sizeof extra);
	int third_payer = strcmp(c->ec, "033") == 0 || strcmp(c->ec, "099") == 0 || strcmp(c->ec, "199") == 0 ||
	                  strcmp(c->ec, "299") == 0 || strcmp(c->ec, "699") == 0;
	int flexi = strcmp(c->wc, "050") == 0 || strcmp(c->wc, "450") == 0;

	/* 00042: required on every occupation from 2014/1. */
	check_local_unit(c, occ, c->quarter >= 20141);

	/* 00044: the start; its year within [year - 100, year], and not after
	 * the quarter (an occupation that starts later is not of this quarter). */
	if (!simdc_zone(occ, "OccupationStartingDate", start_s, sizeof start_s))
		simdc_add(c, "00044-001", "OccupationStartingDate", NULL);
	else if (!date_of(start_s, &start))
		simdc_add(c, "00044-003", "OccupationStartingDate", start_s);
	else if (start / 10000 < c->quarter / 10 - 100 || start > c->q_last)
		simdc_add(c, "00044-008", "OccupationStartingDate", start_s);
	else
		have_start = 1;

	/* 00045: the end lies within the quarter, not before the start; it is
	 * required for occasional (extra) and flexi-job workers. */
	if (!simdc_zone(occ, "OccupationEndingDate", end_s, sizeof end_s)) {
		if (flexi || extra[0])
			simdc_add(c, "00045-001", "OccupationEndingDate", NULL);
	} else if (!date_of(end_s, &end))
		simdc_add(c, "00045-003", "OccupationEndingDate", end_s);
	else if (end < c->q_first || end > c->q_last)
		simdc_add(c, "00045-008", "OccupationEndingDate", end_s);
	else if (have_start && end < start)
		simdc_add(c, "00045-014", "OccupationEndingDate", end_s);
	else
		have_end = 1;

	/* 00046: CCC / CCC.CC / CCC.CC.CC, a joint committee of the list or 999. */
	if (!simdc_zone(occ, "JointCommissionNbr", jc, sizeof jc))
		simdc_add(c, "00046-001", "JointCommissionNbr", NULL);
	else if (!jc_shape(jc))
		simdc_add(c, "00046-003", "JointCommissionNbr", jc);
	else if (!simd_ref_joint_committee(c->r, jc, c->quarter))
		simdc_add(c, "00046-008", "JointCommissionNbr", jc);

	/* 00047: days per week of the work schedule, [0;700]. */
	numeric_zone(c, occ, "WorkingDaysSystem", "00047", 1, 0, 700, &wds);
	/* 00050: 0 full time, 1 part time. */
	numeric_zone(c, occ, "ContractType", "00050", 1, 0, 1, &ct);
	/* 00048 (Q) and 00049 (S): required from 3/2005 except for third
	 * payers; [0;4800] and [1;4800], 5000 and 6000 for the listed cases;
	 * Q is zero exactly when the days per week are zero. */
	long long hi = strcmp(status, "D1") == 0 ? 5000 :
	               strcmp(status, "D2") == 0 || strcmp(c->ec, "072") == 0 || strcmp(c->ec, "272") == 0 ||
	               strcmp(c->ec, "372") == 0 || strcmp(c->ec, "772") == 0 ? 6000 : 4800;
	int have_q = numeric_zone(c, occ, "MeanWorkingHours", "00048", !third_payer, 0, hi, &q);
	numeric_zone(c, occ, "RefMeanWorkingHours", "00049", !third_payer, 1, hi, &s);
	if (have_q && wds >= 0 && (q == 0) != (wds == 0)) {
		simdc_zone(occ, "MeanWorkingHours", v, sizeof v);
		simdc_add(c, "00048-008", "MeanWorkingHours", v);
	}

	check_services(c, occ, ct == 1, &days);
	check_remuns(c, occ);
	/* 00089-044: the structural reduction claimed on this occupation. */
	simdc_occupation_reductions(c, occ, wds);

	/* 90015-095: no more days than the occupation has calendar days in the
	 * quarter (a contract that goes on into the next quarter is declared
	 * there with that quarter's days, not all here). */
	if (have_start) {
		gw_ymd from = start > c->q_first ? start : c->q_first;
		gw_ymd to = have_end ? end : c->q_last;
		long long span = date_diff_days(from, to) + 1;
		if (span < 0)
			span = 0;
		if (days > span * 100) {
			snprintf(v, sizeof v, "%lld", days);
			simdc_add(c, "90015-095", "Occupation", v);
		}
	}

	/* 00795: "E", for an occasional worker not declared under category
	 * 317; the extra must be one of a joint committee that allows extras
	 * (90374-349) and have a Dimona as an occasional worker (90015-456). */
	if (extra[0]) {
		int any;
		if (strcmp(extra, "E") != 0)
			simdc_add(c, "00795-008", "HorecaExtra", extra);
		else if (strcmp(c->ec, "317") == 0)
			simdc_add(c, "00795-025", "HorecaExtra", extra);
		if (jc[0] && !extra_jc(jc))
			simdc_add(c, "90374-349", "JointCommissionNbr", jc);
		if (have_start && !dimona_has(c, start, have_end ? end : c->q_last, "EXT", &any) && c->ledger)
			simdc_add(c, "90015-456", "HorecaExtra", extra);
	}
	c->occ[0] = '\0';
}

/* ---- WorkerRecord (FB 90012) ---- */

static void
check_contribution(struct simd_ctx *c, const xmlNode *wcb)
{
	char code[64] = "", type[64] = "";
	long long t, v;
	snprintf(c->where, sizeof c->where, "INSS %s, worker code %s, contribution", c->inss, c->wc);
	/* 00082: annex 2 codes of presence 2, 3 or 5. */
	int code_ok = 0;
	if (!simdc_zone(wcb, "ContributionWorkerCode", code, sizeof code))
		simdc_add(c, "00082-001", "ContributionWorkerCode", NULL);
	else if (!simdc_num(code, &v))
		simdc_add(c, "00082-002", "ContributionWorkerCode", code);
	else if (!simd_ref_contrib_worker_code(c->r, code, c->quarter))
		simdc_add(c, "00082-008", "ContributionWorkerCode", code);
	else
		code_ok = 1;
	/* 00083: one digit, and one annex 3 allows for that code (-030). */
	if (!simdc_zone(wcb, "ContributionType", type, sizeof type))
		simdc_add(c, "00083-001", "ContributionType", NULL);
	else if (!simdc_num(type, &t))
		simdc_add(c, "00083-002", "ContributionType", type);
	else if (strlen(type) != 1)
		simdc_add(c, "00083-008", "ContributionType", type);
	else if (code_ok && !simd_ref_contrib_type(c->r, code, c->ec, (int)t, c->quarter))
		simdc_add(c, "00083-030", "ContributionType", type);
	/* 00085: the amount, present and numeric. */
	if (!numeric_zone(c, wcb, "ContributionAmount", "00085", 1, 0, 99999999999LL, &v))
		return;
	/* 00085-044: the amount the ONSS computes for this line, the basis
	 * (00084) times the line's rate, rounded half up to the cent. */
	char basis[64];
	long long b, e4;
	if (code_ok && simdc_num(type, &t) && simdc_zone(wcb, "ContributionCalculationBasis", basis, sizeof basis) &&
	    simdc_num(basis, &b) && b >= 0 && simd_rates_get(c->rates, c->quarter, code, (int)t, c->ec, &e4)) {
		long long want = (b * e4 + 5000) / 10000;
		if (v != want) {
			char got[96];
			snprintf(got, sizeof got, "%lld (computed %lld)", v, want);
			simdc_add(c, "00085-044", "ContributionAmount", got);
		}
	}
}

void
simdc_worker_record(struct simd_ctx *c, const xmlNode *wr)
{
	long long v;
	simdc_zone(wr, "EmployerClass", c->ec, sizeof c->ec);
	simdc_zone(wr, "WorkerCode", c->wc, sizeof c->wc);
	snprintf(c->where, sizeof c->where, "INSS %s, worker code %s", c->inss, c->wc);
	/* 00037: annex 2, presence 1 or 3, no trainees. */
	if (!simdc_kid(wr, "WorkerCode"))
		simdc_add(c, "00037-001", "WorkerCode", NULL);
	else if (!simdc_num(c->wc, &v))
		simdc_add(c, "00037-002", "WorkerCode", c->wc);
	else if (!simd_ref_worker_code(c->r, c->wc, c->quarter))
		simdc_add(c, "00037-008", "WorkerCode", c->wc);

	for (const xmlNode *n = wr->children; n; n = n->next) {
		if (simdc_is_el(n, "Occupation") || simdc_is_el(n, "OccupationUpdate"))
			check_occupation(c, n);
		else if (simdc_is_el(n, "WorkerContribution"))
			check_contribution(c, n);
		else if (simdc_is_el(n, "StudentContribution")) {
			snprintf(c->where, sizeof c->where, "INSS %s, student contribution", c->inss);
			/* 00042 in FB 90003: required for a student from 2015/1. */
			check_local_unit(c, n, c->quarter >= 20151);
		}
	}

	/* 90017-504: the worker code and the worker type of the Dimona must
	 * agree; checkable where the Dimona holds periods of this worker in
	 * the quarter: a student code needs a STU period, a flexi code FLX. */
	const char *need = strcmp(c->wc, "840") == 0 || strcmp(c->wc, "841") == 0 ? "STU" :
	                   strcmp(c->wc, "050") == 0 || strcmp(c->wc, "450") == 0 ? "FLX" : NULL;
	int any;
	snprintf(c->where, sizeof c->where, "INSS %s, worker code %s", c->inss, c->wc);
	if (need && !dimona_has(c, c->q_first, c->q_last, need, &any) && any)
		simdc_add(c, "90017-504", "WorkerCode", c->wc);
}

/* ---- NetOwedAmount (00015) ---- */

/* The sum the ONSS computes: every contribution line declared, less the
 * reductions (the detail lines of a reduction are not counted again). */
static void
owed_sum(const xmlNode *n, long long *sum, int *bad)
{
	static const char *plus[] = { "ContributionAmount", "StudentContributionAmount", "UnrelatedAmount",
	                              "EarlyRetirementContributionAmount", "GrossRefRemunContributionAmount" };
	for (const xmlNode *c = n ? n->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		int sign = simdc_is_el(c, "DeductionAmount") ? -1 : 0;
		for (size_t i = 0; sign == 0 && i < sizeof plus / sizeof *plus; i++)
			if (simdc_is_el(c, plus[i]))
				sign = 1;
		if (sign != 0) {
			xmlChar *t = xmlNodeGetContent(c);
			long long v;
			if (t && simdc_num((const char *)t, &v))
				*sum += sign * v;
			else
				*bad = 1;
			xmlFree(t);
			continue;
		}
		owed_sum(c, sum, bad);
	}
}

void
simd_findings_free(struct simd_findings *f)
{
	free(f->v);
	memset(f, 0, sizeof *f);
}

int
simdc_begin(struct simd_ctx *c, const struct simd_ref *r, const xmlNode *ed, const struct dimona_ledger *ledger,
            const struct simd_rates *rates, struct simd_findings *f)
{
	char q[16];
	long long qv;
	memset(c, 0, sizeof *c);
	c->r = r;
	c->ledger = ledger;
	c->rates = rates;
	c->f = f;
	simdc_zone(ed, "NOSSRegistrationNbr", c->noss, sizeof c->noss);
	snprintf(c->where, sizeof c->where, "employer %s", c->noss);
	/* The XSD already holds Quarter to YYYYQ; without it nothing else can
	 * be judged. */
	if (!simdc_zone(ed, "Quarter", q, sizeof q) || !simdc_num(q, &qv) || strlen(q) != 5 || qv % 10 < 1 ||
	    qv % 10 > 4) {
		simdc_add(c, "00013-008", "Quarter", q);
		return 0;
	}
	c->quarter = (int)qv;
	c->q_first = date_quarter_first(c->quarter / 10, c->quarter % 10);
	c->q_last = date_quarter_last(c->quarter / 10, c->quarter % 10);
	return 1;
}

gw_rc
simd_check(const struct simd_ref *r, const xmlNode *ed, const struct dimona_ledger *ledger,
           const struct simd_rates *rates, struct simd_findings *f)
{
	struct simd_ctx c;
	char owed[64];
	long long declared, sum = 0;
	int bad = 0;

	if (!simdc_begin(&c, r, ed, ledger, rates, f))
		return c.rc;

	for (const xmlNode *np = ed->children; np && c.rc == GW_OK; np = np->next) {
		if (!simdc_is_el(np, "NaturalPerson"))
			continue;
		simdc_zone(np, "INSS", c.inss, sizeof c.inss);
		for (const xmlNode *wr = np->children; wr && c.rc == GW_OK; wr = wr->next)
			if (simdc_is_el(wr, "WorkerRecord"))
				simdc_worker_record(&c, wr);
	}

	/* 00015-007: NetOwedAmount equals the total of the declared lines. */
	snprintf(c.where, sizeof c.where, "employer %s", c.noss);
	c.inss[0] = c.ec[0] = c.wc[0] = '\0';
	owed_sum(ed, &sum, &bad);
	if (!simdc_zone(ed, "NetOwedAmount", owed, sizeof owed))
		simdc_add(&c, "00015-001", "NetOwedAmount", NULL);
	else if (!simdc_num(owed, &declared))
		simdc_add(&c, "00015-002", "NetOwedAmount", owed);
	else if (!bad && declared != sum) {
		char v[96];
		snprintf(v, sizeof v, "%lld (computed %lld)", declared, sum);
		simdc_add(&c, "00015-007", "NetOwedAmount", v);
	}
	return c.rc;
}
