/*
 * onss_batch_dimona.c - the simulated ONSS processes a Dimona batch file:
 * each Form goes through the same rule engine as the REST simulator
 * (onss/dimona/rules.h) with a ledger of the periods it accepted, and the
 * answer is one NOTIFICATION (one Form per declaration, with the real
 * anomaly codes and the period impact report) plus an IDFLUX for every
 * worker whose INSS the simulation says has changed.
 *
 * Owns the in-memory ledger of accepted periods. Never invents an anomaly
 * code: every ErrorID comes from a rule finding.
 */
#include "sim/onss_batch.h"
#include "onss/dimona/decl.h"
#include "core/log.h"

#include <stdlib.h>
#include <string.h>

/* ---- the ledger the rules consult ---- */

static gw_rc
ledger_find(void *ctx, const char *period_id, struct dimona_period *p)
{
	struct simb *sb = ctx;
	for (size_t i = sb->n_periods; i-- > 0;)
		if (strcmp(sb->periods[i].id, period_id) == 0) {
			*p = sb->periods[i];
			return GW_OK;
		}
	return GW_ENOTFOUND;
}

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

static struct dimona_period *
ledger_slot(struct simb *sb, const char *id)
{
	for (size_t i = 0; i < sb->n_periods; i++)
		if (strcmp(sb->periods[i].id, id) == 0)
			return &sb->periods[i];
	return NULL;
}

static gw_rc
ledger_add(struct simb *sb, const struct dimona_period *p)
{
	if (sb->n_periods == sb->cap_periods) {
		size_t ncap = sb->cap_periods ? sb->cap_periods * 2 : 1024;
		struct dimona_period *np = realloc(sb->periods, ncap * sizeof *np);
		if (np == NULL)
			return GW_ENOMEM;
		sb->periods = np;
		sb->cap_periods = ncap;
	}
	sb->periods[sb->n_periods++] = *p;
	return GW_OK;
}

size_t
simb_dimona_rules(struct simb *sb, const struct dimona_decl *d, struct dimona_findings *f)
{
	struct dimona_ledger l = { sb, ledger_find, ledger_each };
	return dimona_rules_check(d, &l, sb->today, sb->now_min, f);
}

/* ---- answers ---- */

static void
ymd_el(FILE *f, const char *name, gw_ymd d)
{
	if (d > 0)
		fprintf(f, "<%s>%04d-%02d-%02d</%s>", name, d / 10000, (d / 100) % 100, d % 100, name);
}

/* One NOTIFICATION Form for one declaration. */
static void
noti_form(FILE *f, const struct simb_file *sf, const char *user_ref, const char *decl_nbr,
          const struct dimona_decl *d, int result, const struct dimona_findings *fi,
          const struct dimona_period *before, const struct dimona_period *after)
{
	simb_form_header(f, "NOTI001", "FA");
	fputs("<FileReference>", f);
	simb_el(f, "FileName", sf->go);
	fputs("<ReferenceOrigin>2</ReferenceOrigin>", f);
	simb_el(f, "ReferenceNbr", sf->ticket);
	fputs("</FileReference><HandledOriginalForm><Identification>DIMONA</Identification>"
	    "</HandledOriginalForm>", f);
	if (user_ref[0]) {
		fputs("<Reference><ReferenceType>1</ReferenceType><ReferenceOrigin>1</ReferenceOrigin>", f);
		simb_el(f, "ReferenceNbr", user_ref);
		fputs("</Reference>", f);
	}
	if (d && simb_noss_ok(d->c.employer_noss) && simb_kbo_ok(d->c.employer_kbo)) {
		fputs("<EmployerId>", f);
		simb_el(f, "NOSSRegistrationNbr", d->c.employer_noss);
		simb_el(f, "CompanyID", d->c.employer_kbo);
		fputs("</EmployerId>", f);
	}
	fputs("<HandledReference><ReferenceType>1</ReferenceType><ReferenceOrigin>2</ReferenceOrigin>", f);
	simb_el(f, "ReferenceNbr", decl_nbr);
	fputs("</HandledReference>", f);
	if (d && simb_inss_ok(d->c.worker_inss)) {
		fputs("<WorkerRecordIdentification>", f);
		simb_el(f, "INSS", d->c.worker_inss);
		fputs("</WorkerRecordIdentification>", f);
	}
	fprintf(f, "<HandlingResult><ResultCode>%d</ResultCode>", result);
	for (size_t i = 0; fi && i < fi->n; i++) {
		if (fi->f[i].code[0] == '\0')
			continue;            /* a gateway-side check the ONSS has no code for */
		fputs("<AnomalyReport>", f);
		simb_el(f, "ErrorID", fi->f[i].code);
		if (fi->f[i].field[0])
			simb_el(f, "TagName", fi->f[i].field);
		fprintf(f, "<AnomalyClass>%c</AnomalyClass></AnomalyReport>", fi->f[i].severity ? fi->f[i].severity : 'B');
	}
	if (after != NULL) {
		fputs("<ImpactReport><DimonaImpactReport>", f);
		simb_el(f, "DimonaPeriodId", after->id);
		fputs("<IsLocked>0</IsLocked>", f);
		if (before != NULL) {
			fputs("<DimonaPeriodBefore>", f);
			ymd_el(f, "StartingDate", before->start);
			ymd_el(f, "EndingDate", before->end);
			fputs("</DimonaPeriodBefore>", f);
		}
		fputs("<DimonaPeriodAfter>", f);
		ymd_el(f, "StartingDate", after->start);
		ymd_el(f, "EndingDate", after->end);
		fputs("</DimonaPeriodAfter></DimonaImpactReport></ImpactReport>", f);
	}
	fputs("</HandlingResult></Form>\n", f);
}

/* An IDFLUX for a declaration about a worker whose INSS changed. */
static gw_rc
write_idflux(struct simb *sb, const struct simb_file *sf, const struct dimona_decl *d,
             const struct simb_inss_change *ch, const char *decl_nbr)
{
	char *buf = NULL;
	size_t len = 0;
	if (!simb_noss_ok(d->c.employer_noss) || !simb_kbo_ok(d->c.employer_kbo)) {
		/* IDFLUX requires both employer ids within the schema's ranges. */
		log_warn(NULL, sf->go, "no IDFLUX for %s: employer ids outside the IDFLUX schema", ch->old_inss);
		return GW_OK;
	}
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return GW_ENOMEM;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<IDFLUX>", f);
	simb_form_header(f, "IDFLUX", "SU");
	fputs("<Reference><ReferenceType>1</ReferenceType><ReferenceOrigin>2</ReferenceOrigin>", f);
	simb_el(f, "ReferenceNbr", decl_nbr);
	fputs("</Reference><IdfluxInformation><JustificationCode>90</JustificationCode>", f);
	ymd_el(f, "EffectiveStartingDate", sb->today);
	fputs("<EmployerId>", f);
	simb_el(f, "NOSSRegistrationNbr", d->c.employer_noss);
	simb_el(f, "CompanyID", d->c.employer_kbo);
	fputs("</EmployerId><ValidSituation>", f);
	simb_el(f, "INSS", ch->new_inss);
	simb_el(f, "WorkerName", ch->name);
	simb_el(f, "WorkerFirstName", ch->first_name);
	simb_el(f, "WorkerBirthdate", ch->birth);
	fprintf(f, "<WorkerSex>%d</WorkerSex></ValidSituation><OutdatedSituation>", ch->sex);
	simb_el(f, "INSS", ch->old_inss);
	fputs("</OutdatedSituation></IdfluxInformation></Form></IDFLUX>\n", f);
	return simb_publish(sf, "IDFL", (unsigned)++sb->idfl_count, f, &buf, &len);
}

static int
is_form(const xmlNode *n)
{
	return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "Form") == 0;
}

/* The user's ReferenceNbr of a Form (origin 1), or "". */
static void
user_reference(xmlNode *form, char *out, size_t cap)
{
	out[0] = '\0';
	for (xmlNode *r = form->children; r; r = r->next) {
		if (r->type != XML_ELEMENT_NODE || strcmp((const char *)r->name, "Reference") != 0)
			continue;
		for (xmlNode *c = r->children; c; c = c->next)
			if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, "ReferenceNbr") == 0) {
				xmlChar *t = xmlNodeGetContent(c);
				snprintf(out, cap, "%s", t ? (const char *)t : "");
				xmlFree(t);
				return;
			}
	}
}

gw_rc
simb_process_dimona(struct simb *sb, const struct simb_file *sf, xmlDoc *doc)
{
	char *buf = NULL;
	size_t len = 0, k = 0, accepted = 0, refused = 0;
	FILE *f = open_memstream(&buf, &len);
	gw_rc rc = GW_OK;

	if (f == NULL)
		return GW_ENOMEM;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NOTIFICATION>\n", f);
	for (xmlNode *form = xmlDocGetRootElement(doc)->children; form; form = form->next) {
		if (!is_form(form))
			continue;
		struct dimona_decl d;
		struct dimona_findings fi = { 0 };
		char err[256], user_ref[80], decl_nbr[40];
		memset(&d, 0, sizeof d);
		user_reference(form, user_ref, sizeof user_ref);
		snprintf(decl_nbr, sizeof decl_nbr, "%s%06zu", sf->ticket, ++k);
		if (dimona_from_xml_form(form, &d, err, sizeof err) != GW_OK) {
			/* Schema-valid but not a declaration the model holds: refuse
			 * it without inventing an anomaly code. */
			log_warn(NULL, sf->go, "form %zu: %s", k, err);
			noti_form(f, sf, user_ref, decl_nbr, NULL, 0, NULL, NULL, NULL);
			refused++;
			continue;
		}
		size_t blocking = simb_dimona_rules(sb, &d, &fi);
		struct dimona_period before, after, *old = NULL;
		int have_after = 0;
		if (blocking == 0) {
			switch (d.action) {
			case DIMONA_IN:
				dimona_period_from_in(&d, &after);
				snprintf(after.id, sizeof after.id, "%012llu", sb->next_period++);
				rc = ledger_add(sb, &after);
				have_after = 1;
				break;
			case DIMONA_OUT:
			case DIMONA_UPDATE:
			case DIMONA_CANCEL:
				if ((old = ledger_slot(sb, d.period_id)) == NULL)
					break;          /* the rules report an unknown period */
				before = *old;
				if (d.action == DIMONA_CANCEL) {
					old->cancelled = 1;
					after = *old;
				} else {
					dimona_period_apply(&before, &d, &after);
					*old = after;
				}
				have_after = 1;
				break;
			}
		}
		if (rc != GW_OK)
			break;
		noti_form(f, sf, user_ref, decl_nbr, &d, blocking ? 0 : 1, &fi, old ? &before : NULL,
		    have_after ? &after : NULL);
		blocking ? refused++ : accepted++;
		for (size_t c = 0; blocking == 0 && c < sb->n_changes; c++)
			if (strcmp(d.c.worker_inss, sb->changes[c].old_inss) == 0 &&
			    (rc = write_idflux(sb, sf, &d, &sb->changes[c], decl_nbr)) != GW_OK)
				break;
		if (rc != GW_OK)
			break;
	}
	fputs("</NOTIFICATION>\n", f);
	if (rc != GW_OK) {
		fclose(f);
		free(buf);
		return rc;
	}
	log_info(NULL, sf->go, "Dimona batch: %zu declarations, %zu accepted, %zu refused",
	    k, accepted, refused);
	return simb_publish(sf, "NOTI", 0, f, &buf, &len);
}
