/*
 * xml.c - streaming DmfAOriginal writer (see xml.h).
 *
 * Every value written is a number, a date or a joint-committee code checked
 * by the reader, so nothing needs XML escaping; user text never reaches the
 * DmfA (names are forbidden in NaturalPerson by the XSD).
 */
#include "onss/dmfa/xml.h"
#include "onss/dmfa/contrib.h"

#include <stdlib.h>
#include <string.h>

void
dmfa_xml_date(gw_ymd d, char *buf, size_t cap)
{
	snprintf(buf, cap, "%04d-%02d-%02d", (int)(d / 10000) % 10000, (int)(d / 100 % 100) % 100,
	         (int)(d % 100));
}

static void
ind(FILE *out, int n)
{
	static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t";
	fwrite(tabs, 1, (size_t)(n < 12 ? n : 12), out);
}

/* One Service line (zone block 90018). */
static void
service(FILE *out, int t, int seq, int code, int64_t days, int64_t hours)
{
	ind(out, t);
	fprintf(out, "<Service>\n");
	ind(out, t + 1);
	fprintf(out, "<ServiceSequenceNbr>%02d</ServiceSequenceNbr>\n", seq);
	ind(out, t + 1);
	fprintf(out, "<ServiceCode>%03d</ServiceCode>\n", code);
	ind(out, t + 1);
	fprintf(out, "<ServiceNbrDays>%lld</ServiceNbrDays>\n", (long long)days);
	if (hours > 0) {
		ind(out, t + 1);
		fprintf(out, "<ServiceNbrHours>%lld</ServiceNbrHours>\n", (long long)hours);
	}
	ind(out, t);
	fprintf(out, "</Service>\n");
}

/* One Remun line. */
static void
remun(FILE *out, int t, int seq, int code, int64_t cents)
{
	ind(out, t);
	fprintf(out, "<Remun>\n");
	ind(out, t + 1);
	fprintf(out, "<RemunSequenceNbr>%02d</RemunSequenceNbr>\n", seq);
	ind(out, t + 1);
	fprintf(out, "<RemunCode>%03d</RemunCode>\n", code);
	ind(out, t + 1);
	fprintf(out, "<RemunAmount>%lld</RemunAmount>\n", (long long)cents);
	ind(out, t);
	fprintf(out, "</Remun>\n");
}

void
dmfa_xml_wr_body(FILE *out, const struct dmfa_wr *wr, const char *occ_elem,
                 const long long *occ_versions, int t)
{
	char d1[16], d2[16];
	if (wr->kind == DMFA_RULE_STUDENT) {
		ind(out, t);
		fprintf(out, "<StudentContribution>\n");
		ind(out, t + 1);
		fprintf(out, "<StudentRemunAmount>%lld</StudentRemunAmount>\n", (long long)wr->student_remun);
		ind(out, t + 1);
		fprintf(out, "<StudentContributionAmount>%lld</StudentContributionAmount>\n",
		        (long long)wr->student_amount);
		ind(out, t + 1);
		fprintf(out, "<StudentHoursNbr>%d</StudentHoursNbr>\n", wr->student_hours);
		if (wr->student_unit) {
			ind(out, t + 1);
			fprintf(out, "<LocalUnitID>%010llu</LocalUnitID>\n",
			        (unsigned long long)wr->student_unit);
		}
		ind(out, t);
		fprintf(out, "</StudentContribution>\n");
		return;
	}
	for (int i = 0; i < wr->nocc; i++) {
		const struct dmfa_occ *o = &wr->occ[i];
		dmfa_xml_date(o->start, d1, sizeof d1);
		dmfa_xml_date(o->end, d2, sizeof d2);
		ind(out, t);
		fprintf(out, "<%s>\n", occ_elem);
		ind(out, t + 1);
		fprintf(out, "<OccupationSequenceNbr>%02d</OccupationSequenceNbr>\n", i + 1);
		ind(out, t + 1);
		fprintf(out, "<OccupationStartingDate>%s</OccupationStartingDate>\n", d1);
		if (!o->goes_on) {     /* goes on in the next quarter: no ending date (00045) */
			ind(out, t + 1);
			fprintf(out, "<OccupationEndingDate>%s</OccupationEndingDate>\n", d2);
		}
		ind(out, t + 1);
		fprintf(out, "<JointCommissionNbr>%s</JointCommissionNbr>\n", o->jc);
		ind(out, t + 1);
		fprintf(out, "<WorkingDaysSystem>%d</WorkingDaysSystem>\n", o->wds);
		ind(out, t + 1);
		fprintf(out, "<ContractType>%d</ContractType>\n", o->contract_type);
		ind(out, t + 1);
		fprintf(out, "<RefMeanWorkingHours>%d</RefMeanWorkingHours>\n", (int)o->s);
		ind(out, t + 1);
		fprintf(out, "<MeanWorkingHours>%d</MeanWorkingHours>\n", (int)o->q);
		ind(out, t + 1);
		fprintf(out, "<Retired>%d</Retired>\n", o->retired);
		if (o->remun_method) {
			ind(out, t + 1);
			fprintf(out, "<RemunMethod>%d</RemunMethod>\n", o->remun_method);
		}
		if (occ_versions && occ_versions[i] > 0) {
			ind(out, t + 1);
			fprintf(out, "<OccupationVersionNbr>%lld</OccupationVersionNbr>\n", occ_versions[i]);
		}
		if (o->unit) {
			ind(out, t + 1);
			fprintf(out, "<LocalUnitID>%010llu</LocalUnitID>\n", (unsigned long long)o->unit);
		}
		if (o->horeca_extra) {
			ind(out, t + 1);
			fprintf(out, "<OccupationInformations>\n");
			ind(out, t + 2);
			fprintf(out, "<HorecaExtra>E</HorecaExtra>\n");
			ind(out, t + 1);
			fprintf(out, "</OccupationInformations>\n");
		}
		int sn = 0;
		if (o->days > 0)
			service(out, t + 1, ++sn, 1, o->days, o->hours);
		if (o->hol_days > 0)     /* legal holiday of manual workers */
			service(out, t + 1, ++sn, 2, o->hol_days, o->hol_hours);
		int rn = 0;
		if (o->gross > 0)
			remun(out, t + 1, ++rn, o->remun_code ? o->remun_code : 1, o->gross);
		if (o->exit_pay > 0)     /* simple exit holiday pay, subject to contributions */
			remun(out, t + 1, ++rn, 7, o->exit_pay);
		if (o->exit_pay_exempt > 0)   /* the same, not subject */
			remun(out, t + 1, ++rn, 11, o->exit_pay_exempt);
		if (o->copyright > 0)    /* copyright and neighbouring rights fee */
			remun(out, t + 1, ++rn, 47, o->copyright);
		for (int k = 0; k < o->nded; k++) {
			ind(out, t + 1);
			fprintf(out, "<OccupationDeduction>\n");
			ind(out, t + 2);
			fprintf(out, "<DeductionCode>%04d</DeductionCode>\n", o->ded[k].code);
			ind(out, t + 2);
			fprintf(out, "<DeductionAmount>%lld</DeductionAmount>\n", (long long)o->ded[k].amount);
			ind(out, t + 1);
			fprintf(out, "</OccupationDeduction>\n");
		}
		ind(out, t);
		fprintf(out, "</%s>\n", occ_elem);
	}
	for (int i = 0; i < wr->ncontrib; i++) {
		const struct dmfa_contrib *c = &wr->contrib[i];
		ind(out, t);
		fprintf(out, "<WorkerContribution>\n");
		ind(out, t + 1);
		fprintf(out, "<ContributionWorkerCode>%03d</ContributionWorkerCode>\n", c->code);
		ind(out, t + 1);
		fprintf(out, "<ContributionType>%d</ContributionType>\n", c->ctype);
		if (c->basis >= 0) {
			ind(out, t + 1);
			fprintf(out, "<ContributionCalculationBasis>%lld</ContributionCalculationBasis>\n",
			        (long long)c->basis);
		}
		ind(out, t + 1);
		fprintf(out, "<ContributionAmount>%lld</ContributionAmount>\n", (long long)c->amount);
		ind(out, t);
		fprintf(out, "</WorkerContribution>\n");
	}
}

/* Report every row of a worker record that cannot be declared. */
static void
reject_rows(const struct dmfa_row *v, size_t n, const char *why, dmfa_reject_fn reject, void *arg)
{
	for (size_t i = 0; i < n; i++)
		if (reject)
			reject(arg, &v[i], "", why);
}

/* One employer: total pass (write == 0) or writing pass. Returns the
 * number of persons that have at least one declarable worker record. */
static size_t
employer_pass(FILE *out, const struct dmfa_row *v, size_t n, const struct dmfa_params *p,
              const struct dmfa_write_opts *o, struct dmfa_wr *wr, int write,
              dmfa_reject_fn reject, void *arg, struct dmfa_write_stats *st, int64_t *owed)
{
	char err[256], d1[16], d2[16];
	size_t persons = 0;
	gw_ymd qf, ql;
	dmfa_quarter_bounds(p->quarter, &qf, &ql);
	dmfa_xml_date(qf, d1, sizeof d1);
	dmfa_xml_date(ql, d2, sizeof d2);
	*owed = 0;
	for (size_t i = 0; i < n;) {
		size_t pe = dmfa_group_end(v, n, i, 1);
		int opened = 0;
		for (size_t j = i; j < pe;) {
			size_t we = dmfa_group_end(v, n, j, 2);
			if (dmfa_wr_build(v + j, we - j, p, wr, err, sizeof err) != GW_OK) {
				if (write) {
					reject_rows(v + j, we - j, err, reject, arg);
					st->rejected_rows += we - j;
				}
				j = we;
				continue;
			}
			*owed += wr->owed;
			if (write) {
				if (!opened) {
					opened = 1;
					fprintf(out, "\t\t\t<NaturalPerson>\n"
					        "\t\t\t\t<NaturalPersonSequenceNbr>%07zu</NaturalPersonSequenceNbr>\n"
					        "\t\t\t\t<INSS>%011llu</INSS>\n", persons + 1,
					        (unsigned long long)wr->inss);
				}
				dmfa_wr_set_horeca(wr, dmfa_contrib_employer_class(p, wr->noss, o->employer_class));
				fprintf(out, "\t\t\t\t<WorkerRecord>\n"
				        "\t\t\t\t\t<EmployerClass>%03d</EmployerClass>\n"
				        "\t\t\t\t\t<WorkerCode>%03d</WorkerCode>\n"
				        "\t\t\t\t\t<NOSSQuarterStartingDate>%s</NOSSQuarterStartingDate>\n"
				        "\t\t\t\t\t<NOSSQuarterEndingDate>%s</NOSSQuarterEndingDate>\n"
				        "\t\t\t\t\t<Border>0</Border>\n",
				        dmfa_contrib_employer_class(p, wr->noss, o->employer_class),
				        wr->worker_code, d1, d2);
				dmfa_xml_wr_body(out, wr, "Occupation", NULL, 5);
				fprintf(out, "\t\t\t\t</WorkerRecord>\n");
				st->worker_records++;
				st->rows += wr->nrows;
			}
			opened = 1;
			j = we;
		}
		if (opened) {
			if (write)
				fprintf(out, "\t\t\t</NaturalPerson>\n");
			persons++;
		}
		i = pe;
	}
	return persons;
}

gw_rc
dmfa_write_original(FILE *out, const struct dmfa_rows *rows, const struct dmfa_params *p,
                    const struct dmfa_write_opts *o, dmfa_reject_fn reject, void *arg,
                    struct dmfa_write_stats *st)
{
	struct dmfa_wr *wr = malloc(sizeof *wr);
	char cd[16];
	int64_t owed;
	if (!wr)
		return GW_ENOMEM;
	memset(st, 0, sizeof *st);
	dmfa_xml_date(o->created_date, cd, sizeof cd);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<DmfAOriginal xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
	        "xsi:noNamespaceSchemaLocation=\"DmfAOriginal_20231.xsd\">\n");
	for (size_t i = 0; i < rows->n;) {
		const struct dmfa_row *v = rows->v + i;
		size_t e = dmfa_group_end(rows->v, rows->n, i, 0) - i;
		i += e;
		/* Pass 1: the total owed, needed before the first person. */
		if (employer_pass(out, v, e, p, o, wr, 0, NULL, NULL, st, &owed) == 0) {
			/* No declarable record: the writing pass only reports the rows. */
			employer_pass(out, v, e, p, o, wr, 1, reject, arg, st, &owed);
			continue;
		}
		fprintf(out, "\t<Form>\n"
		        "\t\t<Identification>DMFA</Identification>\n"
		        "\t\t<FormCreationDate>%s</FormCreationDate>\n"
		        "\t\t<FormCreationHour>%02d:%02d:%02d.%03d</FormCreationHour>\n"
		        "\t\t<AttestationStatus>0</AttestationStatus>\n"
		        "\t\t<TypeForm>SU</TypeForm>\n"
		        "\t\t<Reference>\n"
		        "\t\t\t<ReferenceType>1</ReferenceType>\n"
		        "\t\t\t<ReferenceOrigin>1</ReferenceOrigin>\n"
		        "\t\t\t<ReferenceNbr>DMFA%d.%09u</ReferenceNbr>\n"
		        "\t\t</Reference>\n"
		        "\t\t<EmployerDeclaration>\n"
		        "\t\t\t<Quarter>%d</Quarter>\n"
		        "\t\t\t<NOSSRegistrationNbr>%09u</NOSSRegistrationNbr>\n"
		        "\t\t\t<Trusteeship>0</Trusteeship>\n"
		        "\t\t\t<CompanyID>%010llu</CompanyID>\n"
		        "\t\t\t<NetOwedAmount>%lld</NetOwedAmount>\n",
		        cd, o->created_ms / 3600000 % 24, o->created_ms / 60000 % 60,
		        o->created_ms / 1000 % 60, o->created_ms % 1000,
		        p->quarter, v[0].noss, p->quarter, v[0].noss, (unsigned long long)v[0].kbo,
		        (long long)owed);
		/* Pass 2: write. */
		int64_t owed2;
		st->persons += employer_pass(out, v, e, p, o, wr, 1, reject, arg, st, &owed2);
		fprintf(out, "\t\t</EmployerDeclaration>\n\t</Form>\n");
		st->employers++;
		st->net_owed += owed2;
	}
	fprintf(out, "</DmfAOriginal>\n");
	free(wr);
	if (fflush(out) != 0 || ferror(out))
		return GW_EIO;
	return st->employers ? GW_OK : GW_EINPUT;
}
