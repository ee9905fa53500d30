/*
 * dmfa_check_update.c - the simulated ONSS judges a DmfA correction
 * (DmfAUpdate, file type DMWA) as it judges an original, and then by what
 * only a correction has: it must change a declaration the ONSS holds.
 *
 * Every worker record the correction creates or modifies gets all the
 * checks of an original's (dmfa_check.c: presence, domain, cross-checks
 * with the Dimona, each line's amount). Then, against the simulator's DB
 * DmfA (dmfa_db.c):
 *
 *   zone / block                 finding                                   code
 *   Form Identification 00296    not DMFAUPD (annex 11, FormIdentifications) 00296-008
 *   EmployerDeclarationPID 00534 not a declaration the ONSS accepted        00534-177
 *   Quarter 00013                not the quarter of that declaration        00013-482
 *   NOSSRegistrationNbr 00011    not the employer of that declaration       00011-482
 *   DeclNaturalPersonPID 00548   not this person's id in that declaration,
 *                                or absent for a person it holds            00548-178
 *   NaturalPersonPID 00549       not this person's id                       00549-482
 *   UpdateAction 00618           a modification or deletion without its
 *                                LastSituationWR, a creation with one, or
 *                                a deletion that carries content            00618-175
 *                                a creation of a record that exists         00618-174
 *   WorkerRecordVersionNbr 00610 not the last situation of a live record    00610-180
 *   OccupationVersionNbr 00619   not a version of that record's occupations 00619-180
 *
 * The glossary (of the original) lists none of these zones: the code is
 * the zone number and annex 30's error (177 "EmployerDeclarationPID -
 * Discordantie met de DB DmfA", 178 the same for DeclNaturalPersonPID, 180
 * "De wijziging of annulatie heeft geen betrekking op de laatste
 * situatie", 174 "Actie niet toegelaten", 175 "Incoherente actiecodes",
 * 482 "Onverenigbaar met de originele aangifte of met de laatste situatie
 * van deze aangifte"); class B, because the ONSS cannot apply a
 * correction that does not fit its database. This pairing is the
 * simulator's reading, not a published table. UpdateAction 9 (in the XSD's
 * domain, explained nowhere in the reference) is not judged.
 *
 * Owns nothing durable; simd_apply_update records an accepted correction.
 * Never includes the gateway's DmfA builder.
 */
#include "sim/dmfa_check.h"
#include "sim/dmfa_check_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A permanent id zone: 1 and *v when present and numeric. */
static int
pid_zone(const xmlNode *n, const char *tag, unsigned long long *v)
{
	char buf[32];
	long long x;
	if (!simdc_zone(n, tag, buf, sizeof buf) || !simdc_num(buf, &x))
		return 0;
	*v = (unsigned long long)x;
	return 1;
}

/* Whether a worker record action carries content (a deletion may not). */
static int
has_content(const xmlNode *act)
{
	static const char *blocks[] = { "OccupationUpdate", "WorkerContribution", "StudentContribution",
	                                "WorkerDeduction", "EarlyRetirementContribution" };
	for (size_t i = 0; i < sizeof blocks / sizeof *blocks; i++)
		if (simdc_kid(act, blocks[i]))
			return 1;
	return 0;
}

/* One WorkerRecordUpdate of a person of declaration ed_pid (0: unknown). */
static void
check_record_update(struct simd_ctx *c, const struct simd_db *db, unsigned long long ed_pid, const xmlNode *wru)
{
	const xmlNode *last = simdc_kid(wru, "LastSituationWR"), *act = simdc_kid(wru, "WorkerRecordUpdateAction");
	const struct simd_db_record *rec = NULL;
	char action[8] = "", lec[8] = "", lwc[8] = "", v[64];
	unsigned long long lver = 0;

	if (act == NULL)
		return;                          /* the XSD requires it */
	simdc_zone(act, "EmployerClass", c->ec, sizeof c->ec);
	simdc_zone(act, "WorkerCode", c->wc, sizeof c->wc);
	simdc_zone(act, "UpdateAction", action, sizeof action);
	snprintf(c->where, sizeof c->where, "INSS %s, worker code %s, update action %s", c->inss, c->wc, action);
	int modify = strcmp(action, "1") == 0, del = strcmp(action, "0") == 0, create = strcmp(action, "3") == 0;

	if (modify || del) {
		if (last == NULL)
			simdc_add(c, "00618-175", "UpdateAction", action);
		else if (ed_pid != 0) {
			simdc_zone(last, "EmployerClass", lec, sizeof lec);
			simdc_zone(last, "WorkerCode", lwc, sizeof lwc);
			pid_zone(last, "WorkerRecordVersionNbr", &lver);
			rec = simd_db_record(db, ed_pid, c->inss, lec, lwc);
			/* A record a correction created has no version the
			 * declarant could know (no DMPI for a correction). */
			if (rec == NULL || (rec->version != 0 && rec->version != lver)) {
				simdc_zone(last, "WorkerRecordVersionNbr", v, sizeof v);
				simdc_add(c, "00610-180", "WorkerRecordVersionNbr", v);
				rec = NULL;
			}
		}
	} else if (create) {
		if (last != NULL)
			simdc_add(c, "00618-175", "UpdateAction", action);
		else if (ed_pid != 0 && simd_db_record(db, ed_pid, c->inss, c->ec, c->wc) != NULL)
			simdc_add(c, "00618-174", "UpdateAction", action);
	}
	if (del) {
		if (has_content(act))
			simdc_add(c, "00618-175", "UpdateAction", action);
		return;
	}
	if (!modify && !create)
		return;

	/* What is created or modified must pass as an original's record. */
	simdc_worker_record(c, act);

	/* An occupation's version number names one the ONSS gave this record
	 * (an action already refused as incoherent, or a modification whose
	 * last situation is, is not refused a second time for its
	 * occupations). */
	int judge_versions = ed_pid != 0 && (modify ? rec != NULL : last == NULL);
	for (const xmlNode *o = act->children; o && judge_versions; o = o->next) {
		unsigned long long ov;
		if (!simdc_is_el(o, "OccupationUpdate") || !pid_zone(o, "OccupationVersionNbr", &ov))
			continue;
		if (rec == NULL || rec->version == 0 || !simd_db_has_occupation(db, rec->version, ov)) {
			simdc_zone(o, "OccupationSequenceNbr", c->occ, sizeof c->occ);
			snprintf(c->where, sizeof c->where, "INSS %s, worker code %s, occupation %s", c->inss, c->wc, c->occ);
			simdc_zone(o, "OccupationVersionNbr", v, sizeof v);
			simdc_add(c, "00619-180", "OccupationVersionNbr", v);
			c->occ[0] = '\0';
		}
	}
}

gw_rc
simd_check_update(const struct simd_ref *r, const xmlNode *form, const struct simd_db *db,
                  const struct dimona_ledger *ledger, const struct simd_rates *rates, struct simd_findings *f)
{
	struct simd_ctx c;
	char ident[16], v[64];
	const xmlNode *edu = simdc_kid(form, "EmployerDeclarationUpdate");
	unsigned long long ed_pid = 0;

	if (edu == NULL)
		return GW_OK;                    /* the XSD requires it */
	if (!simdc_begin(&c, r, edu, ledger, rates, f))
		return c.rc;
	/* 00296: annex 11 names a correction of a DmfA DMFAUPD. */
	simdc_zone(form, "Identification", ident, sizeof ident);
	if (strcmp(ident, "DMFAUPD") != 0)
		simdc_add(&c, "00296-008", "Identification", ident);

	/* 00534: the declaration corrected, as the DMPI named it. */
	if (!simdc_zone(edu, "EmployerDeclarationPID", v, sizeof v))
		simdc_add(&c, "00534-001", "EmployerDeclarationPID", NULL);
	else {
		int quarter;
		const char *noss;
		if (!pid_zone(edu, "EmployerDeclarationPID", &ed_pid) || !simd_db_declaration(db, ed_pid, &quarter, &noss)) {
			simdc_add(&c, "00534-177", "EmployerDeclarationPID", v);
			ed_pid = 0;                  /* nothing of it can be compared */
		} else {
			char q[16];
			snprintf(q, sizeof q, "%d", c.quarter);
			if (quarter != c.quarter)
				simdc_add(&c, "00013-482", "Quarter", q);
			if (strcmp(noss, c.noss) != 0)
				simdc_add(&c, "00011-482", "NOSSRegistrationNbr", c.noss);
		}
	}

	for (const xmlNode *np = edu->children; np && c.rc == GW_OK; np = np->next) {
		unsigned long long decl = 0, pid = 0;
		if (!simdc_is_el(np, "NaturalPersonUpdate"))
			continue;
		simdc_zone(np, "INSS", c.inss, sizeof c.inss);
		c.ec[0] = c.wc[0] = '\0';
		snprintf(c.where, sizeof c.where, "INSS %s", c.inss);
		if (ed_pid != 0) {
			const struct simd_db_person *p = simd_db_person(db, ed_pid, c.inss);
			int has_decl = pid_zone(np, "DeclNaturalPersonPID", &decl);
			/* A person the declaration holds is named by its id; a new
			 * one has none to give. */
			if (has_decl ? (p == NULL || p->decl_np_pid != decl) : (p != NULL && p->decl_np_pid != 0)) {
				simdc_zone(np, "DeclNaturalPersonPID", v, sizeof v);
				simdc_add(&c, "00548-178", "DeclNaturalPersonPID", v);
			}
			if (pid_zone(np, "NaturalPersonPID", &pid) && p != NULL && p->np_pid != pid) {
				simdc_zone(np, "NaturalPersonPID", v, sizeof v);
				simdc_add(&c, "00549-482", "NaturalPersonPID", v);
			}
		}
		for (const xmlNode *wru = np->children; wru && c.rc == GW_OK; wru = wru->next)
			if (simdc_is_el(wru, "WorkerRecordUpdate"))
				check_record_update(&c, db, ed_pid, wru);
	}
	return c.rc;
}

gw_rc
simd_apply_update(struct simd_db *db, const xmlNode *form)
{
	const xmlNode *edu = simdc_kid(form, "EmployerDeclarationUpdate");
	unsigned long long ed_pid, np_pid, decl;
	gw_rc rc = GW_OK;

	if (edu == NULL || !pid_zone(edu, "EmployerDeclarationPID", &ed_pid))
		return GW_OK;
	for (const xmlNode *np = edu->children; np && rc == GW_OK; np = np->next) {
		char inss[16];
		if (!simdc_is_el(np, "NaturalPersonUpdate"))
			continue;
		simdc_zone(np, "INSS", inss, sizeof inss);
		if (simd_db_person(db, ed_pid, inss) == NULL) {
			if (!pid_zone(np, "NaturalPersonPID", &np_pid))
				np_pid = 0;
			if (!pid_zone(np, "DeclNaturalPersonPID", &decl))
				decl = 0;
			rc = simd_db_add_person(db, ed_pid, inss, np_pid, decl);
		}
		for (const xmlNode *wru = np->children; wru && rc == GW_OK; wru = wru->next) {
			const xmlNode *act = simdc_is_el(wru, "WorkerRecordUpdate") ? simdc_kid(wru, "WorkerRecordUpdateAction") : NULL;
			const xmlNode *last = act ? simdc_kid(wru, "LastSituationWR") : NULL;
			char action[8], ec[8], wc[8];
			if (act == NULL)
				continue;
			simdc_zone(act, "UpdateAction", action, sizeof action);
			if (strcmp(action, "0") == 0 && last != NULL) {
				simdc_zone(last, "EmployerClass", ec, sizeof ec);
				simdc_zone(last, "WorkerCode", wc, sizeof wc);
				rc = simd_db_delete_record(db, ed_pid, inss, ec, wc);
			} else if (strcmp(action, "3") == 0) {
				simdc_zone(act, "EmployerClass", ec, sizeof ec);
				simdc_zone(act, "WorkerCode", wc, sizeof wc);
				rc = simd_db_add_record(db, ed_pid, inss, ec, wc, 0);
			}
		}
	}
	return rc;
}
