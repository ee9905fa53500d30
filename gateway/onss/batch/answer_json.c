/*
 * answer_json.c - an ONSS answer as the JSON of `gateway onss show-answer`.
 *
 * One object: kind, file_name, ticket, result_code (of the first form, the
 * usual single-form case), errors (every ErrorID and anomaly with id,
 * class, value, path, label_nl, label_fr), and per kind the permanent ids
 * (DmfAPID) or the outdated and valid identifiers (IDFLUX); "forms" holds
 * the per-form detail when a file carries several. Never prints: returns
 * the text.
 */
#include "onss/batch/answer.h"
#include "onss/codelist.h"

#include <stdlib.h>
#include <string.h>
#include <jansson.h>

/* Set key to a string, or to null when the string is empty. */
static void
set_str(json_t *o, const char *key, const char *v)
{
	json_object_set_new(o, key, v && v[0] ? json_string(v) : json_null());
}

static json_t *
error_json(const char *id, const char *cls, const char *tag, const char *value, const char *path,
           const char *location, const char *nl, const char *fr)
{
	json_t *e = json_object();
	set_str(e, "id", id);
	set_str(e, "class", cls);
	set_str(e, "tag", tag);
	set_str(e, "value", value);
	set_str(e, "path", path);
	set_str(e, "location", location);
	set_str(e, "label_nl", nl);
	set_str(e, "label_fr", fr);
	return e;
}

/* Every error and anomaly of a form, appended to arr. */
static void
form_errors(const struct onss_answer_form *f, json_t *arr)
{
	for (size_t i = 0; i < f->n_errors; i++) {
		const char *nl = NULL, *fr = NULL;
		onss_error_label(f->errors[i], &nl, &fr);
		json_array_append_new(arr, error_json(f->errors[i], NULL, NULL, NULL, NULL, NULL, nl, fr));
	}
	for (size_t i = 0; i < f->n_anomalies; i++) {
		const struct onss_anomaly *a = &f->anomalies[i];
		json_array_append_new(arr, error_json(a->id, a->cls, a->tag, a->value, a->path,
		    a->location, a->label_nl, a->label_fr));
	}
}

static json_t *
ref_json(const struct onss_ref *r)
{
	json_t *o = json_object();
	json_object_set_new(o, "type", json_integer(r->type));
	json_object_set_new(o, "origin", json_integer(r->origin));
	set_str(o, "number", r->nbr);
	return o;
}

static json_t *
dmpi_json(const struct dmpi_declaration *d)
{
	json_t *o = json_object(), *persons = json_array();
	json_object_set_new(o, "quarter", json_integer(d->quarter));
	set_str(o, "noss", d->noss);
	json_object_set_new(o, "trusteeship", json_integer(d->trusteeship));
	set_str(o, "company_id", d->company_id);
	json_object_set_new(o, "employer_declaration_pid", json_integer(d->employer_decl_pid));
	for (size_t p = 0; p < d->n_persons; p++) {
		const struct dmpi_person *pp = &d->persons[p];
		json_t *po = json_object(), *recs = json_array();
		set_str(po, "inss", pp->inss);
		json_object_set_new(po, "natural_person_pid", json_integer(pp->person_pid));
		json_object_set_new(po, "decl_natural_person_pid", json_integer(pp->decl_person_pid));
		json_object_set_new(po, "decl_natural_person_version", json_integer(pp->decl_person_version));
		for (size_t r = 0; r < pp->n_records; r++) {
			const struct dmpi_worker_record *wr = &pp->records[r];
			json_t *ro = json_object(), *occs = json_array();
			set_str(ro, "employer_class", wr->employer_class);
			set_str(ro, "worker_code", wr->worker_code);
			json_object_set_new(ro, "worker_record_version", json_integer(wr->version));
			for (size_t k = 0; k < wr->n_occupations; k++) {
				json_t *oc = json_object();
				json_object_set_new(oc, "sequence", json_integer(wr->occupations[k].seq));
				json_object_set_new(oc, "version", json_integer(wr->occupations[k].version));
				json_array_append_new(occs, oc);
			}
			json_object_set_new(ro, "occupations", occs);
			json_array_append_new(recs, ro);
		}
		json_object_set_new(po, "worker_records", recs);
		json_array_append_new(persons, po);
	}
	json_object_set_new(o, "natural_persons", persons);
	return o;
}

static json_t *
situation_json(const struct idflux_situation *s)
{
	json_t *o = json_object();
	set_str(o, "inss", s->inss);
	set_str(o, "name", s->name);
	set_str(o, "first_name", s->first_name);
	set_str(o, "birth_date", s->birth_date);
	json_object_set_new(o, "sex", s->sex ? json_integer(s->sex) : json_null());
	set_str(o, "noss", s->noss);
	return o;
}

static json_t *
form_json(const struct onss_answer *a, const struct onss_answer_form *f)
{
	json_t *o = json_object(), *errs = json_array();
	set_str(o, "identification", f->identification);
	set_str(o, "created", f->created);
	set_str(o, "file_name", f->file_name);
	set_str(o, "ticket", f->ticket);
	json_object_set_new(o, "result_code", f->result_code >= 0 ? json_integer(f->result_code) : json_null());
	form_errors(f, errs);
	json_object_set_new(o, "errors", errs);
	if (a->kind == ANSWER_NOTI) {
		set_str(o, "handled_form", f->handled_form);
		if (f->handled_ref.nbr[0])
			json_object_set_new(o, "handled_reference", ref_json(&f->handled_ref));
		set_str(o, "employer_noss", f->employer_noss);
		set_str(o, "employer_company_id", f->employer_company_id);
		set_str(o, "worker_inss", f->worker_inss);
		if (f->impact.present) {
			json_t *im = json_object();
			set_str(im, "dimona_period_id", f->impact.period_id);
			json_object_set_new(im, "locked", json_boolean(f->impact.locked));
			set_str(im, "before_start", f->impact.before_start);
			set_str(im, "before_end", f->impact.before_end);
			set_str(im, "after_start", f->impact.after_start);
			set_str(im, "after_end", f->impact.after_end);
			json_object_set_new(o, "dimona_impact", im);
		}
	}
	if (f->n_refs > 0) {
		json_t *refs = json_array();
		for (size_t i = 0; i < f->n_refs; i++)
			json_array_append_new(refs, ref_json(&f->refs[i]));
		json_object_set_new(o, "references", refs);
	}
	if (a->kind == ANSWER_DMPI)
		json_object_set_new(o, "permanent_ids", dmpi_json(&f->dmpi));
	if (a->kind == ANSWER_IDFLUX) {
		json_object_set_new(o, "justification_code", json_integer(f->idflux.justification));
		set_str(o, "effective_date", f->idflux.effective_date);
		set_str(o, "employer_noss", f->idflux.employer_noss);
		set_str(o, "employer_company_id", f->idflux.employer_company_id);
		json_object_set_new(o, "outdated", situation_json(&f->idflux.outdated));
		json_object_set_new(o, "valid", situation_json(&f->idflux.valid));
	}
	return o;
}

gw_rc
onss_answer_to_json(const struct onss_answer *a, char **out)
{
	json_t *root = json_object(), *errs = json_array(), *forms = json_array();
	const struct onss_answer_form *f0 = a->n_forms ? &a->forms[0] : NULL;
	gw_rc rc = GW_OK;

	*out = NULL;
	if (root == NULL || errs == NULL || forms == NULL) {
		json_decref(root);
		json_decref(errs);
		json_decref(forms);
		return GW_ENOMEM;
	}
	json_object_set_new(root, "kind", json_string(onss_answer_kind_name(a->kind)));
	set_str(root, "name", a->name);
	json_object_set_new(root, "schema_valid", json_boolean(a->schema_valid));
	if (a->signed_answer) {
		json_t *sig = json_object();
		json_object_set_new(sig, "verified", json_true());
		set_str(sig, "signer", a->signer);
		json_object_set_new(root, "signature", sig);
	} else {
		json_object_set_new(root, "signature", json_null());
	}
	set_str(root, "file_name", f0 ? f0->file_name : NULL);
	/* DmfAPID and IDFLUX carry no FileReference: their ticket is the first
	 * reference number. */
	const char *ticket = f0 ? f0->ticket : NULL;
	if (f0 && !ticket[0] && f0->n_refs)
		ticket = f0->refs[0].nbr;
	set_str(root, "ticket", ticket);
	json_object_set_new(root, "result_code",
	    f0 && f0->result_code >= 0 ? json_integer(f0->result_code) : json_null());
	for (size_t i = 0; i < a->n_forms; i++) {
		form_errors(&a->forms[i], errs);
		json_array_append_new(forms, form_json(a, &a->forms[i]));
	}
	json_object_set_new(root, "errors", errs);
	/* "anomalies" names the same list for NOTIFICATION readers. */
	if (a->kind == ANSWER_NOTI)
		json_object_set(root, "anomalies", errs);
	if (a->kind == ANSWER_DMPI && f0)
		json_object_set(root, "permanent_ids", json_object_get(json_array_get(forms, 0), "permanent_ids"));
	if (a->kind == ANSWER_IDFLUX && f0) {
		json_object_set(root, "outdated", json_object_get(json_array_get(forms, 0), "outdated"));
		json_object_set(root, "valid", json_object_get(json_array_get(forms, 0), "valid"));
	}
	json_object_set_new(root, "forms", forms);
	char *s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (s == NULL)
		rc = GW_ENOMEM;
	*out = s;
	json_decref(root);
	return rc;
}
