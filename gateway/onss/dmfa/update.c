/*
 * update.c - DmfAUpdate (DMWA) writer: a merge walk over the filed and the
 * current rows, both sorted by (employer, INSS, worker code). See update.h.
 */
#include "onss/dmfa/update.h"
#include "onss/dmfa/contrib.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_JUSTIFICATION "Correction of the contract records after filing: hours, pay or worker code changed"

/* A worker record's declared content: its worker code and its body exactly
 * as dmfa_xml_wr_body writes it, without occupation versions (those are the
 * DMPI's, not the contracts'). NULL when out of memory. */
static char *
wr_text(const struct dmfa_wr *wr, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	fprintf(f, "<WorkerCode>%03d</WorkerCode>\n", wr->worker_code);
	dmfa_xml_wr_body(f, wr, "OccupationUpdate", NULL, 0);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Compared through what would be written rather than field by field: a
 * field-by-field list forgot copyright fees, legal holidays, Retired,
 * RemunMethod, LocalUnitID, HorecaExtra and the open end, so a revision
 * changing only one of them sent no correction; a zone added to the writer
 * is now compared without anyone remembering to. */
int
dmfa_wr_equal(const struct dmfa_wr *a, const struct dmfa_wr *b)
{
	size_t la = 0, lb = 0;
	char *ta = wr_text(a, &la), *tb = wr_text(b, &lb);
	/* Out of memory: say "changed": a needless correction shows, a missing
	 * one is silently wrong. */
	int eq = ta && tb && la == lb && memcmp(ta, tb, la) == 0;
	free(ta);
	free(tb);
	return eq;
}

/* A half-open slice of sorted rows. */
struct span {
	const struct dmfa_row *v;
	size_t n;
};

static const struct dmpi_declaration *
find_decl(const struct dmpi_declaration *d, size_t n, int quarter, uint32_t noss)
{
	for (size_t i = 0; i < n; i++) {
		char want[16];
		snprintf(want, sizeof want, "%09u", noss);
		const char *have = d[i].noss;
		while (strlen(have) > 9 && *have == '0')
			have++;
		if (d[i].quarter == quarter && strcmp(have, want) == 0)
			return &d[i];
	}
	return NULL;
}

/* Persons of one declaration sorted by INSS, so that a quarter of 100,000
 * workers is not matched by linear search. */
struct person_index {
	const struct dmpi_declaration *decl;
	const struct dmpi_person **v;
	size_t n;
};

static int
cmp_person_ptr(const void *a, const void *b)
{
	const struct dmpi_person *const *x = a, *const *y = b;
	return strcmp((*x)->inss, (*y)->inss);
}

static gw_rc
index_build(struct person_index *ix, const struct dmpi_declaration *d)
{
	if (ix->decl == d)
		return GW_OK;
	free(ix->v);
	memset(ix, 0, sizeof *ix);
	if (!d)
		return GW_OK;
	if (d->n_persons && !(ix->v = malloc(d->n_persons * sizeof *ix->v)))
		return GW_ENOMEM;
	for (size_t i = 0; i < d->n_persons; i++)
		ix->v[i] = &d->persons[i];
	ix->n = d->n_persons;
	qsort(ix->v, ix->n, sizeof *ix->v, cmp_person_ptr);
	ix->decl = d;
	return GW_OK;
}

static const struct dmpi_person *
find_person(const struct person_index *ix, uint64_t inss)
{
	struct dmpi_person key;
	const struct dmpi_person *kp = &key;
	memset(&key, 0, sizeof key);
	snprintf(key.inss, sizeof key.inss, "%011llu", (unsigned long long)inss);
	const struct dmpi_person **hit = ix->n ? bsearch(&kp, ix->v, ix->n, sizeof *ix->v, cmp_person_ptr) : NULL;
	return hit ? *hit : NULL;
}

static const struct dmpi_worker_record *
find_wr(const struct dmpi_person *p, int employer_class, int code)
{
	for (size_t i = 0; p && i < p->n_records; i++) {
		const struct dmpi_worker_record *r = &p->records[i];
		if (strtol(r->employer_class, NULL, 10) == employer_class &&
		    strtol(r->worker_code, NULL, 10) == code)
			return r;
	}
	return NULL;
}

/* Sub-span of s for key (inss) or (inss, code), using the group order. */
static int
cmp_key(const struct dmfa_row *a, const struct dmfa_row *b, int level)
{
	if (a->noss != b->noss)
		return a->noss < b->noss ? -1 : 1;
	if (level >= 1 && a->inss != b->inss)
		return a->inss < b->inss ? -1 : 1;
	if (level >= 2 && a->worker_code != b->worker_code)
		return a->worker_code < b->worker_code ? -1 : 1;
	return 0;
}

struct wr_change {
	int action;                          /* -1: unchanged */
	int code;
	const struct dmfa_wr *wr;            /* new content (modify/create) */
	const struct dmpi_worker_record *last;
};

struct ctx {
	FILE *out;
	const struct dmfa_params *p;
	const struct dmfa_update_opts *o;
	dmfa_reject_fn reject;
	void *arg;
	struct dmfa_update_stats *st;
	struct dmfa_wr *a, *b;               /* scratch: filed, now */
	struct person_index ix;              /* persons of the current DMPI declaration */
	int report_blocked;                  /* report changed records that cannot be sent */
	int eclass;                          /* EmployerClass of the current employer */
	char d1[16], d2[16];
};

static void
reject_span(struct ctx *c, struct span s, const char *why)
{
	for (size_t i = 0; i < s.n; i++)
		if (c->reject)
			c->reject(c->arg, &s.v[i], "", why);
	c->st->rejected_rows += s.n;
}

/* Build a record; 0 when it cannot be declared (then reported when now). */
static int
build(struct ctx *c, struct span s, struct dmfa_wr *wr, int report)
{
	char err[256];
	if (s.n == 0)
		return 0;
	if (dmfa_wr_build(s.v, s.n, c->p, wr, err, sizeof err) != GW_OK) {
		if (report)
			reject_span(c, s, err);
		return 0;
	}
	dmfa_wr_set_horeca(wr, c->eclass);
	return 1;
}

static void
write_wr_update(struct ctx *c, int action, const struct dmfa_wr *wr, int code,
                const struct dmpi_worker_record *last)
{
	FILE *out = c->out;
	fprintf(out, "\t\t\t\t<WorkerRecordUpdate>\n");
	if (last)
		fprintf(out, "\t\t\t\t\t<LastSituationWR>\n"
		        "\t\t\t\t\t\t<EmployerClass>%03d</EmployerClass>\n"
		        "\t\t\t\t\t\t<WorkerCode>%03d</WorkerCode>\n"
		        "\t\t\t\t\t\t<WorkerRecordVersionNbr>%lld</WorkerRecordVersionNbr>\n"
		        "\t\t\t\t\t</LastSituationWR>\n", c->eclass, code, last->version);
	fprintf(out, "\t\t\t\t\t<WorkerRecordUpdateAction>\n"
	        "\t\t\t\t\t\t<EmployerClass>%03d</EmployerClass>\n"
	        "\t\t\t\t\t\t<WorkerCode>%03d</WorkerCode>\n"
	        "\t\t\t\t\t\t<NOSSQuarterStartingDate>%s</NOSSQuarterStartingDate>\n"
	        "\t\t\t\t\t\t<NOSSQuarterEndingDate>%s</NOSSQuarterEndingDate>\n"
	        "\t\t\t\t\t\t<Border>0</Border>\n"
	        "\t\t\t\t\t\t<UpdateAction>%d</UpdateAction>\n",
	        c->eclass, code, c->d1, c->d2, action);
	if (action != DMFA_UA_DELETE && wr) {
		long long vers[DMFA_MAX_OCC];
		for (int i = 0; i < wr->nocc; i++) {
			vers[i] = 0;
			for (size_t k = 0; last && action == DMFA_UA_MODIFY && k < last->n_occupations; k++)
				if (last->occupations[k].seq == i + 1)
					vers[i] = last->occupations[k].version;
		}
		dmfa_xml_wr_body(out, wr, "OccupationUpdate", vers, 6);
	}
	fprintf(out, "\t\t\t\t\t</WorkerRecordUpdateAction>\n\t\t\t\t</WorkerRecordUpdate>\n");
	if (action == DMFA_UA_MODIFY)
		c->st->modified++;
	else if (action == DMFA_UA_CREATE)
		c->st->created++;
	else
		c->st->deleted++;
}

/* One person of one employer: compare, and write when write != 0.
 * Returns the number of changed records (0: nothing to send). */
static int
person(struct ctx *c, struct span f, struct span n, const struct dmpi_declaration *decl,
       int write, size_t seq)
{
	int changes = 0, justify = 0;
	int64_t owed_old = 0, owed_new = 0;
	uint64_t inss = f.n ? f.v[0].inss : n.v[0].inss;
	const struct dmpi_person *pp = decl ? find_person(&c->ix, inss) : NULL;
	size_t i = 0, j = 0;

	for (int pass = write ? 0 : 1; pass < 2; pass++) {
		i = j = 0;
		changes = 0;
		while (i < f.n || j < n.n) {
			int cmp = i >= f.n ? 1 : j >= n.n ? -1 : cmp_key(&f.v[i], &n.v[j], 2);
			size_t ie = i, je = j;
			if (cmp <= 0)
				ie = dmfa_group_end(f.v, f.n, i, 2);
			if (cmp >= 0)
				je = dmfa_group_end(n.v, n.n, j, 2);
			struct span fs = { f.v + i, ie - i }, ns = { n.v + j, je - j };
			int code = fs.n ? fs.v[0].worker_code : ns.v[0].worker_code;
			c->eclass = dmfa_contrib_employer_class(c->p, (fs.n ? fs.v : ns.v)[0].noss,
			                                        c->o->employer_class);
			int have_a = build(c, fs, c->a, 0);
			int have_b = build(c, ns, c->b, pass == 1 && write);
			const struct dmpi_worker_record *last = find_wr(pp, c->eclass, code);
			int action = -1;
			if (ns.n > 0 && !have_b)
				action = -1;   /* the new version cannot be declared (reported): leave the filed one */
			else if (have_a && have_b)
				action = dmfa_wr_equal(c->a, c->b) ? -1 : DMFA_UA_MODIFY;
			else if (have_b)
				action = last ? DMFA_UA_MODIFY : DMFA_UA_CREATE;
			else if (have_a)
				action = DMFA_UA_DELETE;
			if (action != -1 && action != DMFA_UA_CREATE && !last) {
				/* The ONSS holds no version of this record: a creation is the only honest action. */
				if (action == DMFA_UA_DELETE)
					action = -1;
				else
					action = DMFA_UA_CREATE;
			}
			if (pass == 1 && !write && c->report_blocked && action != -1) {
				struct span bad = ns.n ? ns : fs;
				reject_span(c, bad, "employer has no permanent ids (DMPI) for this quarter: "
				            "its original must be filed and acknowledged first");
			}
			if (pass == 0) {
				owed_old += have_a ? c->a->owed : 0;
				owed_new += have_b ? c->b->owed : 0;
				if (action == DMFA_UA_DELETE)
					justify = 1;
			} else if (action != -1) {
				if (write) {
					if (changes == 0) {
						if (owed_new < owed_old)
							justify = 1;
						fprintf(c->out, "\t\t\t<NaturalPersonUpdate>\n"
						        "\t\t\t\t<NaturalPersonSequenceNbr>%07zu</NaturalPersonSequenceNbr>\n"
						        "\t\t\t\t<INSS>%011llu</INSS>\n", seq, (unsigned long long)inss);
						if (pp)
							fprintf(c->out, "\t\t\t\t<NaturalPersonPID>%lld</NaturalPersonPID>\n"
							        "\t\t\t\t<DeclNaturalPersonPID>%lld</DeclNaturalPersonPID>\n"
							        "\t\t\t\t<DeclNaturalPersonVersionNbr>%lld</DeclNaturalPersonVersionNbr>\n",
							        pp->person_pid, pp->decl_person_pid, pp->decl_person_version);
						if (justify) {
							fprintf(c->out, "\t\t\t\t<Justification>%s</Justification>\n",
							        c->o->justification ? c->o->justification : DEFAULT_JUSTIFICATION);
							c->st->justified++;
						}
					}
					write_wr_update(c, action, action == DMFA_UA_DELETE ? NULL : c->b, code,
					                action == DMFA_UA_CREATE ? NULL : last);
				}
				changes++;
			}
			i = ie;
			j = je;
		}
	}
	if (write && changes)
		fprintf(c->out, "\t\t\t</NaturalPersonUpdate>\n");
	return changes;
}

/* One employer: persons merged by INSS. Returns the number of persons changed. */
static size_t
employer(struct ctx *c, struct span f, struct span n, const struct dmpi_declaration *decl, int write)
{
	size_t i = 0, j = 0, changed = 0;
	while (i < f.n || j < n.n) {
		int cmp = i >= f.n ? 1 : j >= n.n ? -1 : cmp_key(&f.v[i], &n.v[j], 1);
		size_t ie = i, je = j;
		if (cmp <= 0)
			ie = dmfa_group_end(f.v, f.n, i, 1);
		if (cmp >= 0)
			je = dmfa_group_end(n.v, n.n, j, 1);
		struct span fs = { f.v + i, ie - i }, ns = { n.v + j, je - j };
		if (person(c, fs, ns, decl, write, changed + 1) > 0)
			changed++;
		i = ie;
		j = je;
	}
	return changed;
}

gw_rc
dmfa_write_update(FILE *out, const struct dmfa_rows *filed, const struct dmfa_rows *now,
                  const struct dmfa_params *p, const struct dmpi_declaration *dmpi,
                  size_t ndmpi, const struct dmfa_update_opts *o, dmfa_reject_fn reject,
                  void *arg, struct dmfa_update_stats *st)
{
	struct ctx c;
	gw_ymd qf, ql;
	size_t i = 0, j = 0, blocked = 0;
	char cd[16];
	gw_rc rc = GW_OK;

	memset(&c, 0, sizeof c);
	c.out = out;
	c.p = p;
	c.o = o;
	c.reject = reject;
	c.arg = arg;
	c.st = st;
	memset(st, 0, sizeof *st);
	if (dmfa_quarter_bounds(p->quarter, &qf, &ql) != GW_OK)
		return GW_EINPUT;
	dmfa_xml_date(qf, c.d1, sizeof c.d1);
	dmfa_xml_date(ql, c.d2, sizeof c.d2);
	dmfa_xml_date(o->created_date, cd, sizeof cd);
	c.a = malloc(sizeof *c.a);
	c.b = malloc(sizeof *c.b);
	if (!c.a || !c.b) {
		rc = GW_ENOMEM;
		goto out;
	}
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<DmfAUpdate xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	        "xsi:noNamespaceSchemaLocation=\"DmfAUpdate_20231.xsd\">\n");
	while (i < filed->n || j < now->n) {
		int cmp = i >= filed->n ? 1 : j >= now->n ? -1 : cmp_key(&filed->v[i], &now->v[j], 0);
		size_t ie = i, je = j;
		if (cmp <= 0)
			ie = dmfa_group_end(filed->v, filed->n, i, 0);
		if (cmp >= 0)
			je = dmfa_group_end(now->v, now->n, j, 0);
		struct span fs = { filed->v + i, ie - i }, ns = { now->v + j, je - j };
		uint32_t noss = fs.n ? fs.v[0].noss : ns.v[0].noss;
		uint64_t kbo = ns.n ? ns.v[0].kbo : fs.v[0].kbo;
		i = ie;
		j = je;
		const struct dmpi_declaration *decl = find_decl(dmpi, ndmpi, p->quarter, noss);
		if ((rc = index_build(&c.ix, decl)) != GW_OK)
			goto out;
		c.report_blocked = decl == NULL;
		size_t changed = employer(&c, fs, ns, decl, 0);
		c.report_blocked = 0;
		if (changed == 0)
			continue;
		if (!decl) {
			blocked++;
			continue;
		}
		fprintf(out, "\t<Form>\n"
		        "\t\t<Identification>DMFAUPD</Identification>\n"
		        "\t\t<FormCreationDate>%s</FormCreationDate>\n"
		        "\t\t<FormCreationHour>%02d:%02d:%02d.%03d</FormCreationHour>\n"
		        "\t\t<AttestationStatus>1</AttestationStatus>\n"
		        "\t\t<TypeForm>SU</TypeForm>\n"
		        "\t\t<Reference>\n"
		        "\t\t\t<ReferenceType>1</ReferenceType>\n"
		        "\t\t\t<ReferenceOrigin>1</ReferenceOrigin>\n"
		        "\t\t\t<ReferenceNbr>DMWA%d.%09u</ReferenceNbr>\n"
		        "\t\t</Reference>\n"
		        "\t\t<EmployerDeclarationUpdate>\n"
		        "\t\t\t<Quarter>%d</Quarter>\n"
		        "\t\t\t<NOSSRegistrationNbr>%09u</NOSSRegistrationNbr>\n"
		        "\t\t\t<Trusteeship>0</Trusteeship>\n"
		        "\t\t\t<CompanyID>%010llu</CompanyID>\n"
		        "\t\t\t<EmployerDeclarationPID>%lld</EmployerDeclarationPID>\n",
		        cd, o->created_ms / 3600000 % 24, o->created_ms / 60000 % 60,
		        o->created_ms / 1000 % 60, o->created_ms % 1000, p->quarter, noss,
		        p->quarter, noss, (unsigned long long)kbo, decl->employer_decl_pid);
		st->persons += employer(&c, fs, ns, decl, 1);
		fprintf(out, "\t\t</EmployerDeclarationUpdate>\n\t</Form>\n");
		st->employers++;
	}
	fprintf(out, "</DmfAUpdate>\n");
	if (fflush(out) != 0 || ferror(out))
		rc = GW_EIO;
	else if (st->employers == 0)
		rc = blocked ? GW_EINPUT : GW_ENOTFOUND;
out:
	free(c.ix.v);
	free(c.a);
	free(c.b);
	return rc;
}
