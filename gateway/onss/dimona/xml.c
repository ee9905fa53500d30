/*
 * xml.c - the Dimona_20231 XML form of a declaration, both ways.
 *
 * Owns the element order and the zone sizes of the official schema (the
 * project's own copy of those facts is schemas/dimona/Dimona.xsd). Writes
 * with libxml2's text writer so every value is escaped; a value longer than
 * its zone is refused (GW_EINPUT naming the zone), never truncated. Reads
 * one <Form> back for the batch simulator. Never checks business rules.
 */
#include "onss/dimona/decl.h"
#include "onss/dimona/dates.h"
#include "core/clock.h"

#include <libxml/xmlwriter.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct xw {
	xmlTextWriterPtr w;
	int bad;
	char *err;
	size_t ecap;
};

static void
el(struct xw *x, const char *name, const char *value)
{
	if (xmlTextWriterWriteElement(x->w, BAD_CAST name, BAD_CAST value) < 0)
		x->bad = 1;
}

/* A text zone with the XSD's maximum length (in characters). */
static void
el_text(struct xw *x, const char *name, const char *value, size_t max, int required)
{
	if (value[0] == '\0') {
		if (required && !x->bad) {
			snprintf(x->err, x->ecap, "%s: required and empty", name);
			x->bad = 2;
		}
		return;
	}
	if (xmlUTF8Strlen(BAD_CAST value) > (int)max || xmlUTF8Strlen(BAD_CAST value) < 0) {
		if (!x->bad)
			snprintf(x->err, x->ecap, "%s: longer than the %zu characters of its zone", name, max);
		x->bad = 2;
		return;
	}
	el(x, name, value);
}

static void
el_int(struct xw *x, const char *name, long long v)
{
	char b[24];
	snprintf(b, sizeof b, "%lld", v);
	el(x, name, b);
}

static void
el_date(struct xw *x, const char *name, gw_ymd d)
{
	char b[11];
	dimona_fmt_date(d, b);
	el(x, name, b);
}

static void
el_hour(struct xw *x, const char *name, gw_hm h)
{
	char b[5];
	dimona_fmt_hour(h, b);
	el(x, name, b);
}

static void
start(struct xw *x, const char *name)
{
	if (xmlTextWriterStartElement(x->w, BAD_CAST name) < 0)
		x->bad = 1;
}

static void
end(struct xw *x)
{
	if (xmlTextWriterEndElement(x->w) < 0)
		x->bad = 1;
}

/* ReferenceNbr holds 20 characters: a longer contract id keeps its head and
 * a hash of the whole, so the reference stays unique and stable. */
static void
reference_nbr(const char *id, char out[21])
{
	size_t n = strlen(id);
	if (n <= 20) {
		memcpy(out, id, n + 1);
		return;
	}
	unsigned long h = 2166136261UL;
	for (size_t i = 0; i < n; i++)
		h = ((h ^ (unsigned char)id[i]) * 16777619UL) & 0xffffffffUL;
	snprintf(out, 21, "%.11s~%08lx", id, h);
}

static void
employer_id(struct xw *x, const struct contract *c)
{
	start(x, "EmployerId");
	if (c->employer_noss[0] != '\0')
		el(x, "NOSSRegistrationNbr", c->employer_noss);
	if (c->employer_kbo[0] != '\0')
		el(x, "CompanyID", c->employer_kbo);
	end(x);
}

static void
natural_person(struct xw *x, const struct contract *c)
{
	start(x, "NaturalPerson");
	if (c->worker_inss[0] != '\0') {
		el(x, "INSS", c->worker_inss);
	} else {
		el_text(x, "WorkerName", c->worker_last_name, 48, 1);
		el_text(x, "WorkerFirstName", c->worker_first_name, 24, 1);
		if (c->worker_birth_date != 0)
			el_date(x, "WorkerBirthdate", c->worker_birth_date);
		el_text(x, "WorkerBirthplace", c->worker_birth_place, 40, 0);
		if (c->worker_birth_country > 0)
			el_int(x, "WorkerBirthplaceCountry", c->worker_birth_country);
		if (c->worker_sex == 1 || c->worker_sex == 2)
			el_int(x, "WorkerSex", c->worker_sex);
		el_text(x, "WorkerStreet", c->worker_address.street, 35, 0);
		el_text(x, "WorkerHouseNbr", c->worker_address.house_number, 10, 0);
		el_text(x, "WorkerZIPCode", c->worker_address.postcode, 9, 0);
		el_text(x, "WorkerCity", c->worker_address.municipality, 40, 0);
		if (c->worker_address.country > 0)
			el_int(x, "WorkerCountry", c->worker_address.country);
		if (c->worker_nationality > 0)
			el_int(x, "Nationality", c->worker_nationality);
	}
	end(x);
}

static void
write_form(struct xw *x, const struct dimona_decl *d)
{
	const struct contract *c = &d->c;
	char ref[21], date[40], hour[40];
	struct clock_wall now;

	clock_brussels(clock_now_ms(), &now);
	date_format(now.day, date, sizeof date);
	snprintf(hour, sizeof hour, "%02d:%02d:%02d.%03d", now.minutes / 60, now.minutes % 60, now.second,
	    now.millis);
	start(x, "Form");
	el(x, "Identification", "DIMONA");
	el(x, "FormCreationDate", date);
	el(x, "FormCreationHour", hour);
	el(x, "AttestationStatus", "0");
	el(x, "TypeForm", "SU");
	if (c->contract_id[0] != '\0') {
		reference_nbr(c->contract_id, ref);
		start(x, "Reference");
		el(x, "ReferenceType", "1");
		el(x, "ReferenceOrigin", "1");
		el(x, "ReferenceNbr", ref);
		end(x);
	}
	int hours = dimona_type_has_hours(c->worker_type);
	switch (d->action) {
	case DIMONA_IN:
		start(x, "DimonaIn");
		el_date(x, "StartingDate", c->start_date);
		if (hours && c->start_time >= 0)
			el_hour(x, "StartingHour", c->start_time);
		if (c->end_date != 0)
			el_date(x, "EndingDate", c->end_date);
		if (hours && c->end_time >= 0)
			el_hour(x, "EndingHour", c->end_time);
		if (dimona_type_has_planned_hours(c->worker_type) && c->planned_hours > 0)
			el_int(x, "PlannedHoursNbr", c->planned_hours);
		employer_id(x, c);
		natural_person(x, c);
		start(x, "DimonaFeatures");
		el(x, "JointCommissionNbr", d->jc);
		el(x, "WorkerType", c->worker_type);
		end(x);
		if (strcmp(c->worker_type, "STU") == 0 && c->has_place_of_work) {
			start(x, "StudentPlaceOfWork");
			el_text(x, "Denomination", c->place_of_work_name, 96, 0);
			start(x, "Address");
			el_text(x, "Street", c->place_of_work.street, 42, 1);
			el_text(x, "HouseNbr", c->place_of_work.house_number, 10, 1);
			el_text(x, "ZIPCode", c->place_of_work.postcode, 9, 1);
			el_text(x, "City", c->place_of_work.municipality, 40, 1);
			el_int(x, "Country", 150);
			end(x);
			end(x);
		}
		end(x);
		break;
	case DIMONA_OUT:
		start(x, "DimonaOut");
		el(x, "DimonaPeriodId", d->period_id);
		el_date(x, "EndingDate", c->end_date);
		if (c->worker_inss[0] != '\0')
			el(x, "INSS", c->worker_inss);
		employer_id(x, c);
		end(x);
		break;
	case DIMONA_UPDATE:
		start(x, "DimonaUpdate");
		el(x, "DimonaPeriodId", d->period_id);
		/* 00910: never a starting date in an UPDATE of a student period. */
		if (c->start_date != 0 && strcmp(c->worker_type, "STU") != 0)
			el_date(x, "StartingDate", c->start_date);
		if (hours && c->start_time >= 0)
			el_hour(x, "StartingHour", c->start_time);
		if (c->end_date != 0)
			el_date(x, "EndingDate", c->end_date);
		if (hours && c->end_time >= 0)
			el_hour(x, "EndingHour", c->end_time);
		if (c->worker_inss[0] != '\0')
			el(x, "INSS", c->worker_inss);
		if (dimona_type_has_planned_hours(c->worker_type) && c->planned_hours > 0)
			el_int(x, "PlannedHoursNbr", c->planned_hours);
		employer_id(x, c);
		end(x);
		break;
	case DIMONA_CANCEL:
		start(x, "DimonaCancel");
		el(x, "DimonaPeriodId", d->period_id);
		if (c->worker_inss[0] != '\0')
			el(x, "INSS", c->worker_inss);
		employer_id(x, c);
		end(x);
		break;
	}
	end(x);
}

gw_rc
dimona_form_to_xml(const struct dimona_decl *d, char **out, size_t *len)
{
	char err[160] = "";
	xmlBufferPtr buf = xmlBufferCreate();
	struct xw x = { NULL, 0, err, sizeof err };
	gw_rc rc = GW_ENOMEM;

	*out = NULL;
	if (buf == NULL || (x.w = xmlNewTextWriterMemory(buf, 0)) == NULL)
		goto out;
	if (d->action != DIMONA_IN && d->period_id[0] == '\0') {
		rc = GW_EINPUT;
		goto out;
	}
	write_form(&x, d);
	xmlFreeTextWriter(x.w);
	x.w = NULL;
	if (x.bad) {
		rc = x.bad == 2 ? GW_EINPUT : GW_EINTERNAL;
		goto out;
	}
	*len = (size_t)xmlBufferLength(buf);
	if ((*out = malloc(*len + 1)) == NULL)
		goto out;
	memcpy(*out, xmlBufferContent(buf), *len);
	(*out)[*len] = '\0';
	rc = GW_OK;
out:
	if (x.w != NULL)
		xmlFreeTextWriter(x.w);
	if (buf != NULL)
		xmlBufferFree(buf);
	return rc;
}

gw_rc
dimona_document_begin(FILE *out)
{
	if (fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Dimona>\n", out) == EOF)
		return GW_EIO;
	return GW_OK;
}

gw_rc
dimona_document_form(const struct dimona_decl *d, FILE *out)
{
	char *s;
	size_t n;
	gw_rc rc = dimona_form_to_xml(d, &s, &n);
	if (rc != GW_OK)
		return rc;
	if (fwrite(s, 1, n, out) != n || fputc('\n', out) == EOF)
		rc = GW_EIO;
	free(s);
	return rc;
}

gw_rc
dimona_document_end(FILE *out)
{
	if (fputs("</Dimona>\n", out) == EOF)
		return GW_EIO;
	return GW_OK;
}

gw_rc
dimona_document_to_xml(const struct dimona_decl *d, size_t n, FILE *out)
{
	gw_rc rc = dimona_document_begin(out);
	for (size_t i = 0; rc == GW_OK && i < n; i++)
		rc = dimona_document_form(&d[i], out);
	if (rc == GW_OK)
		rc = dimona_document_end(out);
	return rc;
}

/* ---- reading a Form back ---- */

static xmlNodePtr
child(xmlNodePtr n, const char *name)
{
	for (xmlNodePtr k = n ? n->children : NULL; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE && xmlStrcmp(k->name, BAD_CAST name) == 0)
			return k;
	return NULL;
}

/* Text of a child element into dst; GW_ENOTFOUND when absent. */
static gw_rc
child_text(xmlNodePtr n, const char *name, char *dst, size_t cap, char *err, size_t ecap)
{
	xmlNodePtr k = child(n, name);
	if (k == NULL)
		return GW_ENOTFOUND;
	xmlChar *t = xmlNodeGetContent(k);
	size_t len = t ? strlen((const char *)t) : 0;
	if (len >= cap) {
		xmlFree(t);
		snprintf(err, ecap, "%s: longer than %zu characters", name, cap - 1);
		return GW_EINPUT;
	}
	memcpy(dst, t ? (const char *)t : "", len + 1);
	xmlFree(t);
	return GW_OK;
}

static gw_rc
child_date(xmlNodePtr n, const char *name, gw_ymd *d, char *err, size_t ecap)
{
	char b[16];
	gw_rc rc = child_text(n, name, b, sizeof b, err, ecap);
	if (rc == GW_ENOTFOUND)
		return GW_OK;
	if (rc != GW_OK || dimona_parse_date(b, d) != GW_OK) {
		snprintf(err, ecap, "%s: not a date", name);
		return GW_EINPUT;
	}
	return GW_OK;
}

static gw_rc
child_hour(xmlNodePtr n, const char *name, gw_hm *h, char *err, size_t ecap)
{
	char b[8];
	gw_rc rc = child_text(n, name, b, sizeof b, err, ecap);
	if (rc == GW_ENOTFOUND)
		return GW_OK;
	if (rc != GW_OK || dimona_parse_hour(b, h) != GW_OK) {
		snprintf(err, ecap, "%s: not an hour HHMM", name);
		return GW_EINPUT;
	}
	return GW_OK;
}

static gw_rc
child_int(xmlNodePtr n, const char *name, int *v, char *err, size_t ecap)
{
	char b[16], *endp;
	gw_rc rc = child_text(n, name, b, sizeof b, err, ecap);
	if (rc == GW_ENOTFOUND)
		return GW_OK;
	long x = rc == GW_OK ? strtol(b, &endp, 10) : 0;
	if (rc != GW_OK || b[0] == '\0' || *endp != '\0' || x < 0 || x > 99999) {
		snprintf(err, ecap, "%s: not a number", name);
		return GW_EINPUT;
	}
	*v = (int)x;
	return GW_OK;
}

#define TRY(x) do { gw_rc r_ = (x); if (r_ != GW_OK && r_ != GW_ENOTFOUND) return r_; } while (0)

gw_rc
dimona_from_xml_form(xmlNodePtr form, struct dimona_decl *d, char *err, size_t ecap)
{
	static const char *const names[] = { "DimonaIn", "DimonaOut", "DimonaUpdate", "DimonaCancel" };
	struct contract *c = &d->c;
	xmlNodePtr b = NULL, k;

	memset(d, 0, sizeof *d);
	c->start_time = c->end_time = -1;
	c->revision = 1;
	if (form == NULL || xmlStrcmp(form->name, BAD_CAST "Form") != 0) {
		snprintf(err, ecap, "Form: not a Form element");
		return GW_EINPUT;
	}
	for (int i = 0; i < 4 && b == NULL; i++)
		if ((b = child(form, names[i])) != NULL)
			d->action = (enum dimona_action)i;
	if (b == NULL) {
		snprintf(err, ecap, "Form: no DimonaIn, DimonaOut, DimonaUpdate or DimonaCancel");
		return GW_EINPUT;
	}
	if ((k = child(form, "Reference")) != NULL)
		TRY(child_text(k, "ReferenceNbr", c->contract_id, sizeof c->contract_id, err, ecap));
	TRY(child_text(b, "DimonaPeriodId", d->period_id, sizeof d->period_id, err, ecap));
	TRY(child_date(b, "StartingDate", &c->start_date, err, ecap));
	TRY(child_hour(b, "StartingHour", &c->start_time, err, ecap));
	TRY(child_date(b, "EndingDate", &c->end_date, err, ecap));
	TRY(child_hour(b, "EndingHour", &c->end_time, err, ecap));
	TRY(child_int(b, "PlannedHoursNbr", &c->planned_hours, err, ecap));
	TRY(child_text(b, "INSS", c->worker_inss, sizeof c->worker_inss, err, ecap));
	if ((k = child(b, "EmployerId")) != NULL) {
		TRY(child_text(k, "NOSSRegistrationNbr", c->employer_noss, sizeof c->employer_noss, err, ecap));
		TRY(child_text(k, "CompanyID", c->employer_kbo, sizeof c->employer_kbo, err, ecap));
	}
	if ((k = child(b, "NaturalPerson")) != NULL) {
		TRY(child_text(k, "INSS", c->worker_inss, sizeof c->worker_inss, err, ecap));
		TRY(child_text(k, "WorkerName", c->worker_last_name, sizeof c->worker_last_name, err, ecap));
		TRY(child_text(k, "WorkerFirstName", c->worker_first_name, sizeof c->worker_first_name, err, ecap));
		TRY(child_date(k, "WorkerBirthdate", &c->worker_birth_date, err, ecap));
		TRY(child_text(k, "WorkerBirthplace", c->worker_birth_place, sizeof c->worker_birth_place, err, ecap));
		TRY(child_int(k, "WorkerBirthplaceCountry", &c->worker_birth_country, err, ecap));
		TRY(child_int(k, "WorkerSex", &c->worker_sex, err, ecap));
		TRY(child_text(k, "WorkerStreet", c->worker_address.street, sizeof c->worker_address.street, err, ecap));
		TRY(child_text(k, "WorkerHouseNbr", c->worker_address.house_number,
		    sizeof c->worker_address.house_number, err, ecap));
		TRY(child_text(k, "WorkerZIPCode", c->worker_address.postcode, sizeof c->worker_address.postcode, err, ecap));
		TRY(child_text(k, "WorkerCity", c->worker_address.municipality,
		    sizeof c->worker_address.municipality, err, ecap));
		TRY(child_int(k, "WorkerCountry", &c->worker_address.country, err, ecap));
		TRY(child_int(k, "Nationality", &c->worker_nationality, err, ecap));
	}
	if ((k = child(b, "DimonaFeatures")) != NULL) {
		TRY(child_text(k, "JointCommissionNbr", d->jc, sizeof d->jc, err, ecap));
		TRY(child_text(k, "WorkerType", c->worker_type, sizeof c->worker_type, err, ecap));
		snprintf(c->joint_committee, sizeof c->joint_committee, "%s", d->jc);
	}
	if ((k = child(b, "StudentPlaceOfWork")) != NULL) {
		c->has_place_of_work = true;
		TRY(child_text(k, "Denomination", c->place_of_work_name, sizeof c->place_of_work_name, err, ecap));
		xmlNodePtr a = child(k, "Address");
		if (a != NULL) {
			TRY(child_text(a, "Street", c->place_of_work.street, sizeof c->place_of_work.street, err, ecap));
			TRY(child_text(a, "HouseNbr", c->place_of_work.house_number,
			    sizeof c->place_of_work.house_number, err, ecap));
			TRY(child_text(a, "ZIPCode", c->place_of_work.postcode, sizeof c->place_of_work.postcode, err, ecap));
			TRY(child_text(a, "City", c->place_of_work.municipality,
			    sizeof c->place_of_work.municipality, err, ecap));
		}
	}
	return GW_OK;
}
