/*
 * onss_batch_dimona.c - the simulated ONSS processes a Dimona batch file:
 * each Form goes through the same rule engine as the REST simulator
 * (onss/dimona/rules.h) with a ledger of the periods it accepted, and the
 * answer is one NOTIFICATION (one Form per declaration, with the real
 * anomaly codes and the period impact report) plus an IDFLUX for every
 * worker whose INSS the simulation says has changed.
 *
 * Owns the ledger of accepted periods: in memory for the rules, and on disk
 * (state/dimona-periods, one tab-separated line per period version,
 * appended and fsynced once per file before its answer is published, so an
 * answer never names a period the simulator could forget). Never invents
 * an anomaly code: every ErrorID comes from a rule finding.
 */
#include "sim/onss_batch.h"
#include "core/array.h"
#include "onss/dimona/decl.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (ARRAY_RESERVE(sb->periods, sb->n_periods, sb->cap_periods, 1024) != GW_OK)
		return GW_ENOMEM;
	sb->periods[sb->n_periods++] = *p;
	return GW_OK;
}

/* ---- the ledger on disk ---- */

static void
ledger_path(const struct simb *sb, char *out, size_t cap)
{
	if (snprintf(out, cap, "%s/dimona-periods", sb->state) >= (int)cap)
		out[0] = '\0';
}

/* One period as a line; tabs inside the worker key become spaces. */
static void
period_line(FILE *f, const struct dimona_period *p)
{
	char w[DIMONA_WORKER_KEY_MAX];
	snprintf(w, sizeof w, "%s", p->worker);
	for (char *c = w; *c; c++)
		if (*c == '\t' || *c == '\n')
			*c = ' ';
	fprintf(f, "%s\t%s\t%s\t%s\t%s\t%ld\t%ld\t%d\t%d\t%d\t%d\n", p->id, p->noss, w, p->worker_type,
	    p->jc, (long)p->start, (long)p->end, p->start_time, p->end_time, p->planned_hours, p->cancelled);
}

/* Append the periods changed since the last flush, fsync. changed[] holds
 * indexes into sb->periods. */
static gw_rc
ledger_flush(struct simb *sb, const size_t *changed, size_t n)
{
	char path[PATH_MAX];
	if (n == 0)
		return GW_OK;
	ledger_path(sb, path, sizeof path);
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	FILE *f = fd >= 0 ? fdopen(fd, "a") : NULL;
	if (f == NULL) {
		if (fd >= 0)
			close(fd);
		log_error_errno(NULL, path, "cannot open the ledger");
		return GW_EIO;
	}
	for (size_t i = 0; i < n; i++)
		period_line(f, &sb->periods[changed[i]]);
	int ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok &= fclose(f) == 0;
	if (!ok) {
		log_error_errno(NULL, path, "cannot write the ledger");
		return GW_EIO;
	}
	sb->n_durable = sb->n_periods;
	return GW_OK;
}

struct versioned {
	struct dimona_period p;
	size_t line;
};

static int
cmp_versioned(const void *a, const void *b)
{
	const struct versioned *x = a, *y = b;
	int c = strcmp(x->p.id, y->p.id);
	return c ? c : (x->line < y->line ? -1 : x->line > y->line);
}

gw_rc
simb_ledger_load(struct simb *sb)
{
	char path[PATH_MAX], line[1024];
	size_t nlines = 0;
	ledger_path(sb, path, sizeof path);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return errno == ENOENT ? GW_OK : GW_EIO;
	while (fgets(line, sizeof line, f) != NULL) {
		struct dimona_period p;
		char *field[11], *save = NULL;
		int k = 0;
		if (line[0] == '\0' || line[strlen(line) - 1] != '\n')
			continue;                     /* a torn last line */
		line[strlen(line) - 1] = '\0';
		for (char *t = strtok_r(line, "\t", &save); t && k < 11; t = strtok_r(NULL, "\t", &save))
			field[k++] = t;
		if (k != 11)
			continue;
		memset(&p, 0, sizeof p);
		snprintf(p.id, sizeof p.id, "%s", field[0]);
		snprintf(p.noss, sizeof p.noss, "%s", field[1]);
		snprintf(p.worker, sizeof p.worker, "%s", field[2]);
		snprintf(p.worker_type, sizeof p.worker_type, "%s", field[3]);
		snprintf(p.jc, sizeof p.jc, "%s", field[4]);
		p.start = (gw_ymd)strtol(field[5], NULL, 10);
		p.end = (gw_ymd)strtol(field[6], NULL, 10);
		p.start_time = (gw_hm)strtol(field[7], NULL, 10);
		p.end_time = (gw_hm)strtol(field[8], NULL, 10);
		p.planned_hours = (int)strtol(field[9], NULL, 10);
		p.cancelled = (int)strtol(field[10], NULL, 10);
		if (ledger_add(sb, &p) != GW_OK)
			break;
		nlines++;
		unsigned long long id = strtoull(p.id, NULL, 10);
		if (id >= sb->next_period)
			sb->next_period = id + 1;
	}
	fclose(f);
	/* A period changed later has a later line: keep the last version of
	 * each id (sort by id, then line number; keep the last of each id). */
	size_t n = sb->n_periods;
	struct versioned *tmp = n ? malloc(n * sizeof *tmp) : NULL;
	if (tmp != NULL) {
		for (size_t i = 0; i < n; i++) {
			tmp[i].p = sb->periods[i];
			tmp[i].line = i;
		}
		qsort(tmp, n, sizeof *tmp, cmp_versioned);
		size_t out = 0;
		for (size_t i = 0; i < n; i++) {
			if (i + 1 < n && strcmp(tmp[i].p.id, tmp[i + 1].p.id) == 0)
				continue;                 /* a newer version follows */
			sb->periods[out++] = tmp[i].p;
		}
		sb->n_periods = out;
	}
	free(tmp);
	sb->n_durable = sb->n_periods;
	log_info(NULL, path, "%zu lines, %zu Dimona periods in the ledger", nlines, sb->n_periods);
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
		char m[64];
		log_warn(NULL, sf->go, "no IDFLUX for %s: employer ids outside the IDFLUX schema",
		    log_inss(ch->old_inss, m, sizeof m));
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
	size_t len = 0, k = 0, accepted = 0, refused = 0, n_changed = 0, cap_changed = 0;
	size_t *changed = NULL;              /* periods to write to the ledger */
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
		if (rc == GW_OK && have_after) {
			if (ARRAY_RESERVE(changed, n_changed, cap_changed, 256) != GW_OK)
				rc = GW_ENOMEM;
			if (rc == GW_OK)
				changed[n_changed++] = old ? (size_t)(old - sb->periods) : sb->n_periods - 1;
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
	/* The periods are on disk before the answer that names them. */
	if (rc == GW_OK)
		rc = ledger_flush(sb, changed, n_changed);
	free(changed);
	if (rc != GW_OK) {
		fclose(f);
		free(buf);
		return rc;
	}
	log_info(NULL, sf->go, "Dimona batch: %zu declarations, %zu accepted, %zu refused",
	    k, accepted, refused);
	return simb_publish(sf, "NOTI", 0, f, &buf, &len);
}
