/*
 * onss_batch_dmfa.c - the simulated ONSS processes a DmfA file (original
 * DMFA or correction DMWA): one NOTIFICATION Form per employer declaration
 * and a DmfAPID giving the permanent ids the corrections need: the employer
 * declaration, each natural person, worker record and occupation.
 *
 * An original, and each worker record a correction creates or modifies,
 * is judged by the glossary's anomalies (dmfa_check.h, its own reading,
 * not the gateway's builder); a correction also by the DB DmfA (the
 * declaration it names, its persons' ids, the last situation of each
 * record it changes). Every anomaly is listed in the NOTIFICATION with its
 * code, zone, value, class and label, and one of class B refuses the
 * declaration (ResultCode 0; an original gets no permanent ids, a
 * correction changes nothing in the DB), as the ONSS does. With the checks
 * off (--dmfa-checks off) every declaration that passed the XSD is
 * accepted.
 *
 * Owns the permanent-id counter; the DB DmfA (dmfa_db.c) keeps every id
 * it gives.
 */
#include "sim/onss_batch.h"
#include "sim/dmfa_check.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

static int
is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
kid(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_el(c, name))
			return c;
	return NULL;
}

/* Text of child name into buf ("" when absent or too long). */
static void
text(const xmlNode *n, const char *name, char *buf, size_t cap)
{
	xmlNode *c = kid(n, name);
	xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
	buf[0] = '\0';
	if (t && strlen((const char *)t) < cap)
		snprintf(buf, cap, "%s", (const char *)t);
	xmlFree(t);
}

/* The DmfAPID Form of one employer declaration; every id it gives is
 * kept in the DB DmfA, for the corrections to come. */
static gw_rc
dmpi_form(FILE *f, struct simb *sb, const struct simb_file *sf, const xmlNode *ed, const char *decl_nbr)
{
	char q[8], noss[16], kbo[16], trust[4];
	gw_rc rc;
	text(ed, "Quarter", q, sizeof q);
	text(ed, "NOSSRegistrationNbr", noss, sizeof noss);
	text(ed, "Trusteeship", trust, sizeof trust);
	text(ed, "CompanyID", kbo, sizeof kbo);
	simb_form_header(f, "DMFAPID", "SU");
	fputs("<Reference><ReferenceType>3</ReferenceType><ReferenceOrigin>2</ReferenceOrigin>", f);
	simb_el(f, "ReferenceNbr", sf->ticket);
	fputs("</Reference><Reference><ReferenceType>1</ReferenceType><ReferenceOrigin>2</ReferenceOrigin>", f);
	simb_el(f, "ReferenceNbr", decl_nbr);
	fputs("</Reference><IDEmployerDeclaration>", f);
	simb_el(f, "Quarter", q);
	simb_el(f, "NOSSRegistrationNbr", noss);
	if (trust[0])
		simb_el(f, "Trusteeship", trust);
	simb_el(f, "CompanyID", kbo[0] ? kbo : "0");
	unsigned long long ed_pid = sb->next_pid++;
	fprintf(f, "<EmployerDeclarationPID>%llu</EmployerDeclarationPID>", ed_pid);
	rc = simd_db_add_declaration(sb->dmfa_db, ed_pid, (int)strtol(q, NULL, 10), noss);
	for (xmlNode *np = ed->children; np; np = np->next) {
		if (!is_el(np, "NaturalPerson"))
			continue;
		char inss[16];
		text(np, "INSS", inss, sizeof inss);
		unsigned long long decl_np = sb->next_pid++, np_pid = sb->next_pid++;
		fputs("<IDNaturalPerson>", f);
		simb_el(f, "INSS", inss[0] ? inss : "0");
		fprintf(f, "<NaturalPersonPID>%llu</NaturalPersonPID><DeclNaturalPersonPID>%llu"
		    "</DeclNaturalPersonPID><DeclNaturalPersonVersionNbr>%llu</DeclNaturalPersonVersionNbr>",
		    np_pid, decl_np, decl_np);
		if (rc == GW_OK)
			rc = simd_db_add_person(sb->dmfa_db, ed_pid, inss, np_pid, decl_np);
		for (xmlNode *wr = np->children; wr; wr = wr->next) {
			if (!is_el(wr, "WorkerRecord"))
				continue;
			char ec[8], wc[8];
			text(wr, "EmployerClass", ec, sizeof ec);
			text(wr, "WorkerCode", wc, sizeof wc);
			fputs("<IDWorkerRecord>", f);
			simb_el(f, "EmployerClass", ec);
			simb_el(f, "WorkerCode", wc);
			unsigned long long wr_version = sb->next_pid++;
			fprintf(f, "<WorkerRecordVersionNbr>%llu</WorkerRecordVersionNbr>", wr_version);
			if (rc == GW_OK)
				rc = simd_db_add_record(sb->dmfa_db, ed_pid, inss, ec, wc, wr_version);
			int occ = 0;
			for (xmlNode *o = wr->children; o && occ < 99; o = o->next) {
				if (!is_el(o, "Occupation"))
					continue;
				char seq[8];
				text(o, "OccupationSequenceNbr", seq, sizeof seq);
				occ++;
				unsigned long long occ_version = sb->next_pid++;
				fprintf(f, "<IDOccupation><OccupationSequenceNbr>%s</OccupationSequenceNbr>"
				    "<OccupationVersionNbr>%llu</OccupationVersionNbr></IDOccupation>",
				    seq[0] ? seq : "1", occ_version);
				if (rc == GW_OK)
					rc = simd_db_add_occupation(sb->dmfa_db, wr_version, occ_version);
			}
			fputs("</IDWorkerRecord>", f);
		}
		fputs("</IDNaturalPerson>", f);
	}
	fputs("</IDEmployerDeclaration></Form>\n", f);
	return rc;
}

/* The ledger of Dimona periods the DmfA is cross-checked with. */
static gw_rc
ledger_each(void *ctx, const char *noss, const char *worker,
            int (*fn)(const struct dimona_period *p, void *arg), void *arg)
{
	struct simb *sb = ctx;
	for (size_t i = 0; i < sb->n_periods; i++)
		if (strcmp(sb->periods[i].noss, noss) == 0 && strcmp(sb->periods[i].worker, worker) == 0 &&
		    fn(&sb->periods[i], arg))
			break;
	return GW_OK;
}

/* An EmployerClass or WorkerCode as the answer schema takes it. */
static int
three_digits(const char *s)
{
	return strlen(s) == 3 && strspn(s, "0123456789") == 3;
}

/* Whether s is an occupation number the answer schema takes (1..99). */
static int
occupation_nbr_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > 2 || strspn(s, "0123456789") != n)
		return 0;
	long v = strtol(s, NULL, 10);
	return v >= 1 && v <= 99;
}

/* The anomalies of one declaration, in the answer format of the Dimona
 * side (onss_batch_dimona.c), with the value and the glossary's label. */
static void
anomaly_reports(FILE *f, const struct simd_findings *fi)
{
	for (size_t i = 0; i < fi->n; i++) {
		const struct simd_anomaly *a = &fi->v[i];
		fputs("<AnomalyReport>", f);
		simb_el(f, "ErrorID", a->code);
		simb_el(f, "TagName", a->tag);
		if (a->value[0])
			simb_el(f, "Value", a->value);
		simb_el(f, "AnomalyClass", a->cls);
		if (a->label && strlen(a->label) <= 500)
			simb_el(f, "AnomalyLabel", a->label);
		/* Where in the declaration: the worker line and occupation, each
		 * only when it fits the answer schema. */
		int inss = simb_inss_ok(a->inss), ec = three_digits(a->employer_class),
		    wc = three_digits(a->worker_code), occ = occupation_nbr_ok(a->occupation);
		if (inss || ec || wc || occ) {
			fputs("<Path>", f);
			if (inss)
				simb_el(f, "INSS", a->inss);
			if (ec)
				simb_el(f, "EmployerClass", a->employer_class);
			if (wc)
				simb_el(f, "WorkerCode", a->worker_code);
			if (occ)
				simb_el(f, "OccupationSequenceNbr", a->occupation);
			fputs("</Path>", f);
		}
		fputs("</AnomalyReport>", f);
	}
}

gw_rc
simb_process_dmfa(struct simb *sb, const struct simb_file *sf, xmlDoc *doc)
{
	char *nbuf = NULL, *pbuf = NULL;
	size_t nlen = 0, plen = 0, k = 0, n_pid = 0, refused = 0;
	gw_rc db_rc = GW_OK;
	int original = strcmp((const char *)xmlDocGetRootElement(doc)->name, "DmfAOriginal") == 0;
	struct dimona_ledger ledger = { sb, NULL, ledger_each };
	FILE *noti = open_memstream(&nbuf, &nlen), *pid = open_memstream(&pbuf, &plen);
	gw_rc rc;

	if (noti == NULL || pid == NULL) {
		if (noti)
			fclose(noti);
		if (pid)
			fclose(pid);
		free(nbuf);
		free(pbuf);
		return GW_ENOMEM;
	}
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NOTIFICATION>\n", noti);
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DmfAPID>\n", pid);
	for (xmlNode *form = xmlDocGetRootElement(doc)->children; form; form = form->next) {
		if (!is_el(form, "Form"))
			continue;
		xmlNode *ed = kid(form, original ? "EmployerDeclaration" : "EmployerDeclarationUpdate");
		char decl_nbr[40], noss[16], kbo[16], ident[16];
		struct simd_findings fi = { 0 };
		gw_rc crc = GW_OK;
		if (ed != NULL && sb->dmfa_ref != NULL)
			crc = original ? simd_check(sb->dmfa_ref, ed, &ledger, sb->dmfa_rates, &fi) :
			                 simd_check_update(sb->dmfa_ref, form, sb->dmfa_db, &ledger, sb->dmfa_rates, &fi);
		if (crc != GW_OK) {
			simd_findings_free(&fi);
			fclose(noti);
			fclose(pid);
			free(nbuf);
			free(pbuf);
			return GW_ENOMEM;
		}
		snprintf(decl_nbr, sizeof decl_nbr, "%s%06zu", sf->ticket, ++k);
		text(form, "Identification", ident, sizeof ident);
		text(ed, "NOSSRegistrationNbr", noss, sizeof noss);
		text(ed, "CompanyID", kbo, sizeof kbo);
		simb_form_header(noti, "NOTI001", "FA");
		fputs("<FileReference>", noti);
		simb_el(noti, "FileName", sf->go);
		fputs("<ReferenceOrigin>2</ReferenceOrigin>", noti);
		simb_el(noti, "ReferenceNbr", sf->ticket);
		fputs("</FileReference><HandledOriginalForm>", noti);
		if (ident[0] && strlen(ident) <= 7)
			simb_el(noti, "Identification", ident);
		fputs("</HandledOriginalForm>", noti);
		if (simb_noss_ok(noss) && simb_kbo_ok(kbo)) {
			fputs("<EmployerId>", noti);
			simb_el(noti, "NOSSRegistrationNbr", noss);
			simb_el(noti, "CompanyID", kbo);
			fputs("</EmployerId>", noti);
		}
		fputs("<HandledReference><ReferenceType>1</ReferenceType><ReferenceOrigin>2</ReferenceOrigin>", noti);
		simb_el(noti, "ReferenceNbr", decl_nbr);
		fprintf(noti, "</HandledReference><HandlingResult><ResultCode>%d</ResultCode>", fi.blocking ? 0 : 1);
		anomaly_reports(noti, &fi);
		fputs("</HandlingResult></Form>\n", noti);
		for (size_t i = 0; i < fi.n; i++)
			log_warn(NULL, sf->go, "DmfA %s: %s %s %s%s%s (%s)", decl_nbr, fi.v[i].code, fi.v[i].cls,
			    fi.v[i].tag, fi.v[i].value[0] ? " = " : "", fi.v[i].value, fi.v[i].where);
		/* A refused declaration gets no permanent ids: it does not exist
		 * for the ONSS. */
		if (fi.blocking)
			refused++;
		else if (ed != NULL && original) {
			if (dmpi_form(pid, sb, sf, ed, decl_nbr) != GW_OK)
				db_rc = GW_EIO;
			n_pid++;
		} else if (ed != NULL && simd_apply_update(sb->dmfa_db, form) != GW_OK)
			db_rc = GW_EIO;
		simd_findings_free(&fi);
	}
	/* What the answers announce is in the DB before they are published. */
	if (db_rc == GW_OK)
		db_rc = simd_db_sync(sb->dmfa_db);
	if (db_rc != GW_OK) {
		log_error(NULL, sf->go, "the DB DmfA could not be written: no answer published");
		fclose(noti);
		fclose(pid);
		free(nbuf);
		free(pbuf);
		return db_rc;
	}
	fputs("</NOTIFICATION>\n", noti);
	fputs("</DmfAPID>\n", pid);
	log_info(NULL, sf->go, "DmfA file: %zu employer declarations, %zu accepted, %zu refused", k, k - refused, refused);
	rc = simb_publish(sf, "NOTI", 0, noti, &nbuf, &nlen);
	/* A correction file may carry no employer declaration block: then
	 * there are no new permanent ids, and an empty DmfAPID is invalid. */
	if (rc == GW_OK && n_pid > 0)
		rc = simb_publish(sf, "DMPI", 0, pid, &pbuf, &plen);
	else if (rc == GW_OK) {
		fclose(pid);
		free(pbuf);
	}
	else {
		fclose(pid);
		free(pbuf);
	}
	return rc;
}
