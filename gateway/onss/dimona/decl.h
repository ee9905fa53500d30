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
#include <stdio.h>
#include <libxml/tree.h>
#include "core/err.h"
#include "records/contract.h"

enum dimona_action { DIMONA_IN, DIMONA_OUT, DIMONA_UPDATE, DIMONA_CANCEL };

#define DIMONA_PERIOD_ID_MAX 20
/* The NIS municipality code of an address when it is not known. */
#define DIMONA_NIS_UNKNOWN 99999

struct dimona_decl {
	enum dimona_action action;
	struct contract c;                 /* worker, employer, dates, hours */
	char jc[4];                        /* Dimona joint committee: 3 digits or XXX */
	char period_id[DIMONA_PERIOD_ID_MAX + 1];  /* OUT/UPDATE/CANCEL */
};

const char *dimona_action_name(enum dimona_action a);   /* "IN", "OUT", ... */
/* The action a queued message of kind "dimona-in", "dimona-out",
 * "dimona-update" or "dimona-cancel" declares; -1 for any other kind. */
int dimona_action_of_kind(const char *kind);

/* The Dimona joint committee of a full one ("302.00" -> "302", "200" ->
 * "XXX", "322.01" -> "XXX": only temporary agency work is 322; "149.01"
 * -> "149" but "149.02".."149.04" -> "XXX", zone 00046). */
void dimona_jc_derive(const char *full, char out[4]);

/* Whether a worker type carries start and end hours (EXT, FLX), and
 * whether it carries planned hours (STU, O17, S17): the JSON and the XML
 * forms must agree on both. */
int dimona_type_has_hours(const char *worker_type);
int dimona_type_has_planned_hours(const char *worker_type);

/* Fill an IN from a contract (derives jc from the full joint committee). */
gw_rc dimona_decl_from_contract(struct dimona_decl *d, const struct contract *c);

/* Stable key of the worker: the INSS, or name|first name|birth date for a
 * worker without one. */
void dimona_worker_key(const struct contract *c, char *out, size_t cap);

/* Serialise. *out is malloc'd and NUL-terminated. */
gw_rc dimona_to_json(const struct dimona_decl *d, char **out, size_t *len);
/* One <Form> of Dimona_20231.xsd, without the document wrapper. A value the
 * XSD cannot hold (a name too long for its zone) is GW_EINPUT, never cut. */
gw_rc dimona_form_to_xml(const struct dimona_decl *d, char **out, size_t *len);
/* A whole Dimona batch document with n forms. */
gw_rc dimona_document_to_xml(const struct dimona_decl *d, size_t n, FILE *out);
/* The same document streamed: begin, one form per call, end. */
gw_rc dimona_document_begin(FILE *out);
gw_rc dimona_document_form(const struct dimona_decl *d, FILE *out);
gw_rc dimona_document_end(FILE *out);

/* Parse back (simulators, tests). errbuf names the field on failure. */
gw_rc dimona_from_json(const char *json, size_t len, struct dimona_decl *d,
                       char *errbuf, size_t errcap);
/* Parse one <Form> element of a Dimona_20231 document (the batch simulator
 * runs the same rules on it). */
gw_rc dimona_from_xml_form(xmlNodePtr form, struct dimona_decl *d,
                           char *errbuf, size_t errcap);

/* Result of a processed declaration, as the ONSS returns it. */
#define DIMONA_MAX_ANOMALIES 16
#define DIMONA_MAX_INFORMATIONS 8
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
	/* informationsCollection: notices that are not anomalies (they do
	 * not make an answer W), kept to show the operator. */
	size_t n_informations;
	struct dimona_anomaly informations[DIMONA_MAX_INFORMATIONS];
};

/* Parse the REST v2 GET /declarations/{id} body: declarationStatus with
 * its anomaliesCollection and informationsCollection. */
gw_rc dimona_result_from_json(const char *json, size_t len, struct dimona_result *r,
                              char *errbuf, size_t errcap);
/* The same body, as the simulator answers it (labels from annex 30). */
gw_rc dimona_result_to_json(const struct dimona_result *r, char **out, size_t *len);

/* Dates and hours as Dimona writes them. */
void dimona_fmt_date(gw_ymd d, char out[11]);            /* YYYY-MM-DD */
void dimona_fmt_hour(gw_hm h, char out[5]);              /* HHMM, zero-padded */
gw_rc dimona_parse_date(const char *s, gw_ymd *d);
gw_rc dimona_parse_hour(const char *s, gw_hm *h);        /* HHMM */

#endif
