/*
 * result.c - the answer body of GET /declarations/{id}, as the simulator
 * writes it: declarationStatus{declarationId, result, period{id},
 * anomaliesCollection[{errorId, labelNl, labelFr}], informationsCollection[]}
 * (the v2 shape the production clients read, docs/dimona.md). Labels come
 * from the annex 30 code list through onss/codelist.h; a code it lacks
 * goes out bare.
 */
#include "onss/dimona/decl.h"
#include "onss/codelist.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* One collection as an array of {errorId, labelNl?, labelFr?, field?}. */
static json_t *
collection_json(const struct dimona_anomaly *v, size_t n)
{
	json_t *an = json_array();
	for (size_t i = 0; i < n; i++) {
		const char *nl = NULL, *fr = NULL;
		json_t *a = json_pack("{s:s}", "errorId", v[i].code);
		if (onss_error_label(v[i].code, &nl, &fr) == GW_OK) {
			if (nl != NULL)
				json_object_set_new(a, "labelNl", json_string(nl));
			if (fr != NULL)
				json_object_set_new(a, "labelFr", json_string(fr));
		}
		if (v[i].field[0] != '\0')
			json_object_set_new(a, "field", json_string(v[i].field));
		json_array_append_new(an, a);
	}
	return an;
}

gw_rc
dimona_result_to_json(const struct dimona_result *r, char **out, size_t *len)
{
	json_t *root = json_object(), *st = json_object();
	char s[2] = { r->status, '\0' };

	json_object_set_new(st, "declarationId", json_integer(strtoll(r->declaration_id, NULL, 10)));
	json_object_set_new(st, "result", json_string(s));
	if (r->period_id[0] != '\0')
		json_object_set_new(st, "period", json_pack("{s:I}", "id",
		    (json_int_t)strtoll(r->period_id, NULL, 10)));
	json_object_set_new(st, "anomaliesCollection", collection_json(r->anomalies, r->n_anomalies));
	json_object_set_new(st, "informationsCollection",
	    collection_json(r->informations, r->n_informations));
	json_object_set_new(root, "declarationStatus", st);
	*out = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (*out == NULL)
		return GW_ENOMEM;
	*len = strlen(*out);
	return GW_OK;
}
