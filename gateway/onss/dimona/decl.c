/*
 * decl.c - the Dimona declaration model and its REST v2 JSON form.
 *
 * Owns the mapping contract -> declaration (joint committee derivation,
 * which hours a worker type carries) and the JSON both ways. Field names
 * follow the Dimona REST v2 API: employer{employerId, enterpriseNumber},
 * worker{ssin | identity block: familyName, givenName, birthDate,
 * placeOfBirth, countryOfBirth, gender, nationality, address{...,
 * municipality{name, code}}}, dimonaIn{startDate, startHour, endDate,
 * endHour, plannedHoursNumber, features{jointCommissionNumber, workerType},
 * studentPlaceOfWork}, dimonaOut/dimonaUpdate/dimonaCancel{periodId, ...},
 * and the answer's declarationStatus{declarationId, result, period{id},
 * anomaliesCollection[], informationsCollection[]}. Never checks business rules (rules.c does), never sends.
 */
#include "onss/dimona/decl.h"
#include "onss/dimona/dates.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const allowed_jc[] = { "124", "140", "144", "145", "149", "302", "320", "322" };

const char *
dimona_action_name(enum dimona_action a)
{
	switch (a) {
	case DIMONA_IN: return "IN";
	case DIMONA_OUT: return "OUT";
	case DIMONA_UPDATE: return "UPDATE";
	case DIMONA_CANCEL: return "CANCEL";
	}
	return "?";
}

int
dimona_action_of_kind(const char *kind)
{
	static const struct { const char *kind; enum dimona_action a; } k[] = {
		{ "dimona-in", DIMONA_IN }, { "dimona-out", DIMONA_OUT },
		{ "dimona-update", DIMONA_UPDATE }, { "dimona-cancel", DIMONA_CANCEL },
	};
	for (size_t i = 0; i < sizeof k / sizeof k[0]; i++)
		if (strcmp(kind, k[i].kind) == 0)
			return (int)k[i].a;
	return -1;
}

/* Only eight committees have their own Dimona value; 322.01 (service
 * vouchers) is explicitly declared as XXX, only agency work stays 322,
 * and 149 is only 149.01 (electricians). */
void
dimona_jc_derive(const char *full, char out[4])
{
	snprintf(out, 4, "XXX");
	if (full == NULL || strlen(full) < 3)
		return;
	for (int i = 0; i < 3; i++)
		if (!isdigit((unsigned char)full[i]))
			return;
	if (full[3] != '\0' && full[3] != '.')
		return;
	if (strncmp(full, "322", 3) == 0 && full[3] == '.' && strncmp(full + 4, "00", 2) != 0)
		return;
	/* Zone 00046 names 149 "electricians: installation and distribution",
	 * which is sub-committee 149.01 alone; the other 149 sub-committees
	 * (149.02 coachwork, 149.03 precious metals, 149.04 metal trade) and
	 * a bare 149 are "other sectors". */
	if (strncmp(full, "149", 3) == 0 && strncmp(full + 3, ".01", 3) != 0)
		return;
	for (size_t i = 0; i < sizeof allowed_jc / sizeof allowed_jc[0]; i++)
		if (strncmp(full, allowed_jc[i], 3) == 0) {
			memcpy(out, full, 3);
			out[3] = '\0';
			return;
		}
}

gw_rc
dimona_decl_from_contract(struct dimona_decl *d, const struct contract *c)
{
	memset(d, 0, sizeof *d);
	d->action = DIMONA_IN;
	d->c = *c;
	dimona_jc_derive(c->joint_committee, d->jc);
	return GW_OK;
}

void
dimona_worker_key(const struct contract *c, char *out, size_t cap)
{
	if (c->worker_inss[0] != '\0')
		snprintf(out, cap, "%s", c->worker_inss);
	else
		snprintf(out, cap, "%s|%s|%08d", c->worker_last_name, c->worker_first_name,
		    (int)c->worker_birth_date);
}

void
dimona_fmt_date(gw_ymd d, char out[11])
{
	char b[40];
	unsigned v = d < 0 ? 0u : (unsigned)d;
	snprintf(b, sizeof b, "%04u-%02u-%02u", v / 10000 % 10000, v / 100 % 100, v % 100);
	memcpy(out, b, 10);
	out[10] = '\0';
}

void
dimona_fmt_hour(gw_hm h, char out[5])
{
	char b[24];
	unsigned v = h < 0 ? 0u : (unsigned)h % 1440;
	snprintf(b, sizeof b, "%02u%02u", v / 60, v % 60);
	memcpy(out, b, 4);
	out[4] = '\0';
}

gw_rc
dimona_parse_date(const char *s, gw_ymd *d)
{
	if (s == NULL || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return GW_EINPUT;
	for (int i = 0; i < 10; i++)
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return GW_EINPUT;
	gw_ymd v = ((s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0')) * 10000
	    + ((s[5] - '0') * 10 + (s[6] - '0')) * 100 + (s[8] - '0') * 10 + (s[9] - '0');
	if (!ymd_valid(v))
		return GW_EINPUT;
	*d = v;
	return GW_OK;
}

gw_rc
dimona_parse_hour(const char *s, gw_hm *h)
{
	if (s == NULL || strlen(s) != 4)
		return GW_EINPUT;
	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)s[i]))
			return GW_EINPUT;
	int hh = (s[0] - '0') * 10 + (s[1] - '0'), mm = (s[2] - '0') * 10 + (s[3] - '0');
	if (hh > 23 || mm > 59)
		return GW_EINPUT;
	*h = (gw_hm)(hh * 60 + mm);
	return GW_OK;
}

/* Whether a worker type carries hours at all (EXT, FLX). */
int
dimona_type_has_hours(const char *t)
{
	return strcmp(t, "EXT") == 0 || strcmp(t, "FLX") == 0;
}

/* Whether a worker type carries planned hours (students, under 17s). */
int
dimona_type_has_planned_hours(const char *t)
{
	return strcmp(t, "STU") == 0 || strcmp(t, "O17") == 0 || strcmp(t, "S17") == 0;
}

/* ---- JSON out ---- */

static int
jset_str(json_t *o, const char *k, const char *v)
{
	return json_object_set_new(o, k, json_string(v));
}

static int
jset_date(json_t *o, const char *k, gw_ymd d)
{
	char b[11];
	dimona_fmt_date(d, b);
	return jset_str(o, k, b);
}

static int
jset_hour(json_t *o, const char *k, gw_hm h)
{
	char b[5];
	dimona_fmt_hour(h, b);
	return jset_str(o, k, b);
}

static json_t *
address_json(const struct contract_address *a, int country)
{
	json_t *o = json_object();
	if (a->street[0] != '\0')
		jset_str(o, "street", a->street);
	if (a->house_number[0] != '\0')
		jset_str(o, "houseNumber", a->house_number);
	if (a->postcode[0] != '\0')
		jset_str(o, "postCode", a->postcode);
	/* The municipality with its NIS code; the records carry no NIS code,
	 * so it is 99999 ("unknown"), as the production clients send when
	 * they cannot map one (docs/dimona.md). */
	if (a->municipality[0] != '\0')
		json_object_set_new(o, "municipality", json_pack("{s:s, s:i}", "name", a->municipality,
		    "code", DIMONA_NIS_UNKNOWN));
	if (country > 0)
		json_object_set_new(o, "country", json_integer(country));
	return o;
}

static json_t *
employer_json(const struct contract *c)
{
	json_t *e = json_object();
	if (c->employer_noss[0] != '\0')
		json_object_set_new(e, "employerId", json_integer(strtoll(c->employer_noss, NULL, 10)));
	if (c->employer_kbo[0] != '\0')
		jset_str(e, "enterpriseNumber", c->employer_kbo);
	return e;
}

static json_t *
worker_json(const struct contract *c, int with_identity)
{
	json_t *w = json_object();
	if (c->worker_inss[0] != '\0') {
		jset_str(w, "ssin", c->worker_inss);
		return w;
	}
	if (!with_identity)
		return w;
	/* Only what is known: an absent zone is left out, never sent empty. */
	if (c->worker_last_name[0] != '\0')
		jset_str(w, "familyName", c->worker_last_name);
	if (c->worker_first_name[0] != '\0')
		jset_str(w, "givenName", c->worker_first_name);
	if (c->worker_birth_date != 0)
		jset_date(w, "birthDate", c->worker_birth_date);
	if (c->worker_birth_place[0] != '\0')
		jset_str(w, "placeOfBirth", c->worker_birth_place);
	if (c->worker_birth_country > 0)
		json_object_set_new(w, "countryOfBirth", json_integer(c->worker_birth_country));
	if (c->worker_sex == 1 || c->worker_sex == 2)
		json_object_set_new(w, "gender", json_integer(c->worker_sex));
	if (c->worker_nationality > 0)
		json_object_set_new(w, "nationality", json_integer(c->worker_nationality));
	json_object_set_new(w, "address", address_json(&c->worker_address, c->worker_address.country));
	return w;
}

/* Start/end dates and hours shared by IN and UPDATE. */
static void
period_json(json_t *o, const struct dimona_decl *d)
{
	const struct contract *c = &d->c;
	int hours = dimona_type_has_hours(c->worker_type);
	/* 00910: an UPDATE of a student period may not carry a starting date. */
	int no_start = d->action == DIMONA_UPDATE && strcmp(c->worker_type, "STU") == 0;
	if (c->start_date != 0 && !no_start)
		jset_date(o, "startDate", c->start_date);
	if (hours && c->start_time >= 0)
		jset_hour(o, "startHour", c->start_time);
	if (c->end_date != 0)
		jset_date(o, "endDate", c->end_date);
	if (hours && c->end_time >= 0)
		jset_hour(o, "endHour", c->end_time);
	if (dimona_type_has_planned_hours(c->worker_type) && c->planned_hours > 0)
		json_object_set_new(o, "plannedHoursNumber", json_integer(c->planned_hours));
}

gw_rc
dimona_to_json(const struct dimona_decl *d, char **out, size_t *len)
{
	const struct contract *c = &d->c;
	json_t *root = json_object(), *body = json_object();
	gw_rc rc = GW_ENOMEM;

	*out = NULL;
	if (root == NULL || body == NULL)
		goto out;
	json_object_set_new(root, "employer", employer_json(c));
	json_object_set_new(root, "worker", worker_json(c, d->action == DIMONA_IN));
	if (d->action == DIMONA_IN) {
		json_t *f = json_object();
		period_json(body, d);
		if (d->jc[0] != '\0')
			jset_str(f, "jointCommissionNumber", d->jc);
		if (c->worker_type[0] != '\0')
			jset_str(f, "workerType", c->worker_type);
		json_object_set_new(body, "features", f);
		if (strcmp(c->worker_type, "STU") == 0 && c->has_place_of_work) {
			json_t *p = json_object();
			if (c->place_of_work_name[0] != '\0')
				jset_str(p, "name", c->place_of_work_name);
			json_object_set_new(p, "address", address_json(&c->place_of_work, 150));
			json_object_set_new(body, "studentPlaceOfWork", p);
		}
	} else {
		if (d->period_id[0] == '\0') {
			rc = GW_EINPUT;
			goto out;
		}
		json_object_set_new(body, "periodId", json_integer(strtoll(d->period_id, NULL, 10)));
		if (d->action == DIMONA_OUT) {
			if (c->end_date != 0)
				jset_date(body, "endDate", c->end_date);
			if (dimona_type_has_hours(c->worker_type) && c->end_time >= 0)
				jset_hour(body, "endHour", c->end_time);
		} else if (d->action == DIMONA_UPDATE) {
			period_json(body, d);
		}
	}
	json_object_set(root, d->action == DIMONA_IN ? "dimonaIn" : d->action == DIMONA_OUT ? "dimonaOut"
	    : d->action == DIMONA_UPDATE ? "dimonaUpdate" : "dimonaCancel", body);
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (*out == NULL)
		goto out;
	*len = strlen(*out);
	rc = GW_OK;
out:
	json_decref(body);
	json_decref(root);
	return rc;
}

/* ---- JSON in ---- */

/* Copy a JSON string member into dst; absent is fine, a wrong type or a
 * too-long value is an error naming the field. */
static gw_rc
jget_str(json_t *o, const char *k, char *dst, size_t cap, const char *path, char *err, size_t ecap)
{
	json_t *v = json_object_get(o, k);
	if (v == NULL)
		return GW_OK;
	if (!json_is_string(v) || json_string_length(v) >= cap) {
		snprintf(err, ecap, "%s.%s: not a string of at most %zu characters", path, k, cap - 1);
		return GW_EINPUT;
	}
	memcpy(dst, json_string_value(v), json_string_length(v) + 1);
	return GW_OK;
}

static gw_rc
jget_int(json_t *o, const char *k, long long min, long long max, long long *out,
         const char *path, char *err, size_t ecap)
{
	json_t *v = json_object_get(o, k);
	if (v == NULL)
		return GW_ENOTFOUND;
	long long x;
	if (json_is_integer(v)) {
		x = json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		char *end;
		errno = 0;
		x = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno != 0)
			goto bad;
	} else {
		goto bad;
	}
	if (x < min || x > max)
		goto bad;
	*out = x;
	return GW_OK;
bad:
	snprintf(err, ecap, "%s.%s: not an integer in [%lld, %lld]", path, k, min, max);
	return GW_EINPUT;
}

static gw_rc
jget_date(json_t *o, const char *k, gw_ymd *d, const char *path, char *err, size_t ecap)
{
	json_t *v = json_object_get(o, k);
	if (v == NULL)
		return GW_OK;
	if (!json_is_string(v) || dimona_parse_date(json_string_value(v), d) != GW_OK) {
		snprintf(err, ecap, "%s.%s: not a date YYYY-MM-DD", path, k);
		return GW_EINPUT;
	}
	return GW_OK;
}

static gw_rc
jget_hour(json_t *o, const char *k, gw_hm *h, const char *path, char *err, size_t ecap)
{
	json_t *v = json_object_get(o, k);
	if (v == NULL)
		return GW_OK;
	if (!json_is_string(v) || dimona_parse_hour(json_string_value(v), h) != GW_OK) {
		snprintf(err, ecap, "%s.%s: not an hour HHMM", path, k);
		return GW_EINPUT;
	}
	return GW_OK;
}

static gw_rc
address_from_json(json_t *a, struct contract_address *ad, const char *path, char *err, size_t ecap)
{
	long long v;
	gw_rc rc;
	if (a == NULL)
		return GW_OK;
	if (!json_is_object(a)) {
		snprintf(err, ecap, "%s: not an object", path);
		return GW_EINPUT;
	}
	if ((rc = jget_str(a, "street", ad->street, sizeof ad->street, path, err, ecap)) != GW_OK ||
	    (rc = jget_str(a, "houseNumber", ad->house_number, sizeof ad->house_number, path, err, ecap)) != GW_OK ||
	    (rc = jget_str(a, "postCode", ad->postcode, sizeof ad->postcode, path, err, ecap)) != GW_OK)
		return rc;
	json_t *m = json_object_get(a, "municipality");
	long long nis = 0;
	if (m != NULL && (!json_is_object(m) || json_object_get(m, "name") == NULL ||
	    jget_str(m, "name", ad->municipality, sizeof ad->municipality, path, err, ecap) != GW_OK ||
	    jget_int(m, "code", 1, 99999, &nis, path, err, ecap) != GW_OK)) {
		snprintf(err, ecap, "%s.municipality: not an object with a name and a NIS code "
		    "(1..99999, 99999 unknown)", path);
		return GW_EINPUT;
	}
	rc = jget_int(a, "country", 0, 99999, &v, path, err, ecap);
	if (rc == GW_OK)
		ad->country = (int)v;
	else if (rc != GW_ENOTFOUND)
		return rc;
	return GW_OK;
}

static gw_rc
period_from_json(json_t *b, struct contract *c, const char *path, char *err, size_t ecap)
{
	long long v;
	gw_rc rc;
	if ((rc = jget_date(b, "startDate", &c->start_date, path, err, ecap)) != GW_OK ||
	    (rc = jget_hour(b, "startHour", &c->start_time, path, err, ecap)) != GW_OK ||
	    (rc = jget_date(b, "endDate", &c->end_date, path, err, ecap)) != GW_OK ||
	    (rc = jget_hour(b, "endHour", &c->end_time, path, err, ecap)) != GW_OK)
		return rc;
	rc = jget_int(b, "plannedHoursNumber", 0, 999, &v, path, err, ecap);
	if (rc == GW_OK)
		c->planned_hours = (int)v;
	else if (rc != GW_ENOTFOUND)
		return rc;
	return GW_OK;
}

gw_rc
dimona_from_json(const char *json, size_t len, struct dimona_decl *d, char *err, size_t ecap)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	struct contract *c = &d->c;
	gw_rc rc = GW_EINPUT;
	long long v;
	static const char *const bodies[] = { "dimonaIn", "dimonaOut", "dimonaUpdate", "dimonaCancel" };
	json_t *body = NULL;
	int found = 0;

	memset(d, 0, sizeof *d);
	c->start_time = c->end_time = -1;
	c->revision = 1;
	if (root == NULL) {
		snprintf(err, ecap, "not JSON: %s (line %d)", jerr.text, jerr.line);
		return GW_EINPUT;
	}
	if (!json_is_object(root)) {
		snprintf(err, ecap, "declaration: not an object");
		goto out;
	}
	for (int i = 0; i < 4; i++) {
		json_t *b = json_object_get(root, bodies[i]);
		if (b == NULL)
			continue;
		if (!json_is_object(b) || found++) {
			snprintf(err, ecap, "%s: exactly one declaration block expected", bodies[i]);
			goto out;
		}
		body = b;
		d->action = (enum dimona_action)i;
	}
	if (body == NULL) {
		snprintf(err, ecap, "declaration: no dimonaIn, dimonaOut, dimonaUpdate or dimonaCancel");
		goto out;
	}
	json_t *e = json_object_get(root, "employer");
	if (e != NULL) {
		if (!json_is_object(e)) {
			snprintf(err, ecap, "employer: not an object");
			goto out;
		}
		gw_rc r = jget_int(e, "employerId", 0, 999999999, &v, "employer", err, ecap);
		if (r == GW_OK)
			snprintf(c->employer_noss, sizeof c->employer_noss, "%09lld", v);
		else if (r != GW_ENOTFOUND)
			goto out;
		if (jget_str(e, "enterpriseNumber", c->employer_kbo, sizeof c->employer_kbo, "employer",
		    err, ecap) != GW_OK)
			goto out;
	}
	json_t *w = json_object_get(root, "worker");
	if (w != NULL) {
		if (!json_is_object(w)) {
			snprintf(err, ecap, "worker: not an object");
			goto out;
		}
		if (jget_str(w, "ssin", c->worker_inss, sizeof c->worker_inss, "worker", err, ecap) != GW_OK ||
		    jget_str(w, "familyName", c->worker_last_name, sizeof c->worker_last_name, "worker", err, ecap) != GW_OK ||
		    jget_str(w, "givenName", c->worker_first_name, sizeof c->worker_first_name, "worker", err, ecap) != GW_OK ||
		    jget_date(w, "birthDate", &c->worker_birth_date, "worker", err, ecap) != GW_OK ||
		    jget_str(w, "placeOfBirth", c->worker_birth_place, sizeof c->worker_birth_place, "worker", err, ecap) != GW_OK)
			goto out;
		struct { const char *k; int *dst; long long max; } ints[] = {
			{ "countryOfBirth", &c->worker_birth_country, 99999 },
			{ "gender", &c->worker_sex, 2 },
			{ "nationality", &c->worker_nationality, 99999 },
		};
		for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
			gw_rc r = jget_int(w, ints[i].k, 0, ints[i].max, &v, "worker", err, ecap);
			if (r == GW_OK)
				*ints[i].dst = (int)v;
			else if (r != GW_ENOTFOUND)
				goto out;
		}
		if (address_from_json(json_object_get(w, "address"), &c->worker_address, "worker.address",
		    err, ecap) != GW_OK)
			goto out;
	}
	const char *path = bodies[d->action];
	if (d->action != DIMONA_IN) {
		gw_rc r = jget_int(body, "periodId", 0, 999999999999LL, &v, path, err, ecap);
		if (r == GW_OK)
			snprintf(d->period_id, sizeof d->period_id, "%lld", v);
		else if (r != GW_ENOTFOUND)
			goto out;
	}
	if (d->action == DIMONA_IN || d->action == DIMONA_UPDATE) {
		if (period_from_json(body, c, path, err, ecap) != GW_OK)
			goto out;
	} else if (d->action == DIMONA_OUT) {
		if (jget_date(body, "endDate", &c->end_date, path, err, ecap) != GW_OK ||
		    jget_hour(body, "endHour", &c->end_time, path, err, ecap) != GW_OK)
			goto out;
	}
	if (d->action == DIMONA_IN) {
		json_t *f = json_object_get(body, "features");
		if (f != NULL) {
			if (!json_is_object(f) ||
			    jget_str(f, "jointCommissionNumber", d->jc, sizeof d->jc, "dimonaIn.features", err, ecap) != GW_OK ||
			    jget_str(f, "workerType", c->worker_type, sizeof c->worker_type, "dimonaIn.features", err, ecap) != GW_OK) {
				if (!json_is_object(f))
					snprintf(err, ecap, "dimonaIn.features: not an object");
				goto out;
			}
			snprintf(c->joint_committee, sizeof c->joint_committee, "%s", d->jc);
		}
		json_t *p = json_object_get(body, "studentPlaceOfWork");
		if (p != NULL) {
			if (!json_is_object(p) || jget_str(p, "name", c->place_of_work_name,
			    sizeof c->place_of_work_name, "dimonaIn.studentPlaceOfWork", err, ecap) != GW_OK ||
			    address_from_json(json_object_get(p, "address"), &c->place_of_work,
			    "dimonaIn.studentPlaceOfWork.address", err, ecap) != GW_OK) {
				if (!json_is_object(p))
					snprintf(err, ecap, "dimonaIn.studentPlaceOfWork: not an object");
				goto out;
			}
			c->has_place_of_work = true;
		}
	}
	rc = GW_OK;
out:
	json_decref(root);
	return rc;
}

/* ---- the answer ---- */

/* One collection of the answer (anomalies or informations): an array of
 * {errorId | code, field?}; absent is empty, beyond max is dropped. */
static gw_rc
collection_from_json(json_t *an, const char *name, struct dimona_anomaly *out, size_t max,
                     size_t *n, char *err, size_t ecap)
{
	size_t i;
	json_t *a;
	if (an == NULL)
		return GW_OK;
	if (!json_is_array(an)) {
		snprintf(err, ecap, "declarationStatus.%s: not an array", name);
		return GW_EINPUT;
	}
	json_array_foreach(an, i, a) {
		if (*n >= max)
			break;
		struct dimona_anomaly *x = &out[*n];
		json_t *code = json_is_object(a) ? json_object_get(a, "errorId") : NULL;
		if (code == NULL && json_is_object(a))
			code = json_object_get(a, "code");
		if (!json_is_string(code) || json_string_length(code) >= sizeof x->code) {
			snprintf(err, ecap, "declarationStatus.%s[%zu]: no errorId", name, i);
			return GW_EINPUT;
		}
		snprintf(x->code, sizeof x->code, "%s", json_string_value(code));
		json_t *f = json_object_get(a, "field");
		if (json_is_string(f))
			snprintf(x->field, sizeof x->field, "%s", json_string_value(f));
		(*n)++;
	}
	return GW_OK;
}

gw_rc
dimona_result_from_json(const char *json, size_t len, struct dimona_result *r, char *err, size_t ecap)
{
	json_error_t jerr;
	json_t *root = json_loadb(json, len, 0, &jerr), *st, *v;
	gw_rc rc = GW_EINPUT;

	memset(r, 0, sizeof *r);
	if (root == NULL) {
		snprintf(err, ecap, "not JSON: %s", jerr.text);
		return GW_EINPUT;
	}
	st = json_object_get(root, "declarationStatus");
	if (!json_is_object(st)) {
		snprintf(err, ecap, "declarationStatus: missing or not an object");
		goto out;
	}
	v = json_object_get(st, "result");
	if (!json_is_string(v) || json_string_length(v) != 1 ||
	    strchr("AWBS", json_string_value(v)[0]) == NULL) {
		snprintf(err, ecap, "declarationStatus.result: not one of A, W, B, S");
		goto out;
	}
	r->status = json_string_value(v)[0];
	v = json_object_get(st, "declarationId");
	if (json_is_integer(v))
		snprintf(r->declaration_id, sizeof r->declaration_id, "%lld", (long long)json_integer_value(v));
	else if (json_is_string(v) && json_string_length(v) < sizeof r->declaration_id)
		snprintf(r->declaration_id, sizeof r->declaration_id, "%s", json_string_value(v));
	json_t *p = json_object_get(st, "period");
	if (p != NULL) {
		v = json_is_object(p) ? json_object_get(p, "id") : NULL;
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			snprintf(r->period_id, sizeof r->period_id, "%lld", (long long)json_integer_value(v));
		else if (json_is_string(v) && json_string_length(v) <= DIMONA_PERIOD_ID_MAX)
			snprintf(r->period_id, sizeof r->period_id, "%s", json_string_value(v));
		else {
			snprintf(err, ecap, "declarationStatus.period.id: missing or not a period id");
			goto out;
		}
	}
	/* v2 answers in anomaliesCollection (what the production clients
	 * read); "anomalies" is read only when that is absent, so that no
	 * anomaly is lost whichever name a server uses (docs/dimona.md). */
	json_t *an = json_object_get(st, "anomaliesCollection");
	const char *an_name = "anomaliesCollection";
	if (an == NULL) {
		an = json_object_get(st, "anomalies");
		an_name = "anomalies";
	}
	if (collection_from_json(an, an_name, r->anomalies, DIMONA_MAX_ANOMALIES, &r->n_anomalies,
	    err, ecap) != GW_OK ||
	    collection_from_json(json_object_get(st, "informationsCollection"), "informationsCollection",
	    r->informations, DIMONA_MAX_INFORMATIONS, &r->n_informations, err, ecap) != GW_OK)
		goto out;
	if ((r->status == 'A' || r->status == 'W') && r->period_id[0] == '\0') {
		snprintf(err, ecap, "declarationStatus.period.id: missing on an accepted declaration");
		goto out;
	}
	rc = GW_OK;
out:
	json_decref(root);
	return rc;
}
