/*
 * decl.h - a Dimona declaration, the model both channels serialise.
 *
 * A declaration is built from a validated contract (and, for OUT, UPDATE and
 * CANCEL, the period id the ONSS gave the IN), checked against the Dimona
 * rules before anything is sent, then written as REST v2 JSON or as a
 * Dimona_20231 XML Form. The simulators parse both forms back into this
 * model and run the same rule engine (dimona/rules.h) on it.
 */
#ifndef GW_ONSS_DIMONA_DECL_H
#define GW_ONSS_DIMONA_DECL_H

#include <stddef.h>
#include "core/err.h"
#include "records/contract.h"

enum dimona_action { DIMONA_IN, DIMONA_OUT, DIMONA_UPDATE, DIMONA_CANCEL };

#define DIMONA_PERIOD_ID_MAX 20

struct dimona_decl {
	enum dimona_action action;
	struct contract c;                 /* worker, employer, dates, hours */
	char jc[4];                        /* Dimona joint committee: 3 digits or XXX */
	char period_id[DIMONA_PERIOD_ID_MAX + 1];  /* OUT/UPDATE/CANCEL */
};

const char *dimona_action_name(enum dimona_action a);   /* "IN", "OUT", ... */

/* Fill an IN from a contract (derives jc from the full joint committee). */
gw_rc dimona_decl_from_contract(struct dimona_decl *d, const struct contract *c);

/* Serialise. *out is malloc'd and NUL-terminated. */
gw_rc dimona_to_json(const struct dimona_decl *d, char **out, size_t *len);
/* One <Form> of Dimona_20231.xsd, without the document wrapper. */
gw_rc dimona_form_to_xml(const struct dimona_decl *d, char **out, size_t *len);
/* A whole Dimona batch document with n forms. */
gw_rc dimona_document_to_xml(const struct dimona_decl *d, size_t n, FILE *out);

/* Parse back (simulators, tests). errbuf names the field on failure. */
gw_rc dimona_from_json(const char *json, size_t len, struct dimona_decl *d,
                       char *errbuf, size_t errcap);

/* Result of a processed declaration, as the ONSS returns it. */
#define DIMONA_MAX_ANOMALIES 16
struct dimona_anomaly {
	char code[16];          /* e.g. 90373-333 */
	char field[48];         /* the zone it concerns, when known */
};
struct dimona_result {
	char status;            /* 'A' accepted, 'W' warnings, 'B' refused, 'S' waiting */
	char declaration_id[32];
	char period_id[DIMONA_PERIOD_ID_MAX + 1];
	size_t n_anomalies;
	struct dimona_anomaly anomalies[DIMONA_MAX_ANOMALIES];
};

/* Parse the REST v2 GET /declarations/{id} body. */
gw_rc dimona_result_from_json(const char *json, size_t len, struct dimona_result *r,
                              char *errbuf, size_t errcap);

#endif
