/*
 * dimona_export.c - the offline Dimona export pipeline (dimona_export.h).
 *
 * Reads the records (highest revision per contract wins), turns each active
 * one into a Dimona IN, merges Horeca occasional runs of more than two days
 * into one OTH period, runs the named Dimona checks (a blocking one rejects
 * the record on stderr, a warning is printed), writes the forms through
 * onss/batch/submission.h, checks the FI against the project's Dimona
 * schema before committing. Owns the list of declarations of one export;
 * never touches the queue (cancellations and amendments of declared periods
 * go through `gateway intake` / `gateway run`).
 */
#include "service/dimona_export.h"
#include "core/array.h"
#include "core/clock.h"
#include "core/dirs.h"
#include "core/log.h"
#include "onss/batch/submission.h"
#include "onss/codelist.h"
#include "onss/dimona/dates.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "records/reader.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct list {
	struct dimona_decl *v;
	size_t n, cap;
};

static int
by_id_rev(const void *a, const void *b)
{
	const struct dimona_decl *x = a, *y = b;
	int k = strcmp(x->c.contract_id, y->c.contract_id);
	if (k != 0)
		return k;
	return (x->c.revision > y->c.revision) - (x->c.revision < y->c.revision);
}

/* One valid record into the list (contract_file_foreach callback). */
static int
list_add(void *ctx, struct contract *c)
{
	struct list *l = ctx;
	if (ARRAY_RESERVE(l->v, l->n, l->cap, 256) != GW_OK)
		return -1;
	dimona_decl_from_contract(&l->v[l->n++], c);
	return 0;
}

/* Read every valid record; rejections go to stderr. -1 on I/O error. */
static int
read_all(const char *path, const char *prog, struct list *l, size_t *nrej)
{
	return contract_file_foreach(path, prog, list_add, l, nrej);
}

static void
print_finding(const char *file, const struct dimona_decl *d, const struct dimona_finding *f)
{
	const char *nl = NULL, *fr = NULL;
	if (f->code[0] != '\0')
		onss_error_label(f->code, &nl, &fr);
	fprintf(stderr, "%s: record %s: field %s: %s%s %s%s%s\n", file, d->c.contract_id, f->field,
	    f->severity == 'W' ? "warning: " : "", f->check, f->code[0] ? f->code : "",
	    nl ? " - " : "", nl ? nl : "");
}

/* Check the FI being written (fp) against the schema xsd. */
static gw_rc
validate_fi(FILE *fp, const char *xsd, char *err, size_t ecap)
{
	char self[64];
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
	xmlSchemaPtr s = pc ? xmlSchemaParse(pc) : NULL;
	xmlSchemaValidCtxtPtr vc = s ? xmlSchemaNewValidCtxt(s) : NULL;
	gw_rc rc = GW_ECONFIG;

	if (pc)
		xmlSchemaFreeParserCtxt(pc);
	if (vc == NULL) {
		snprintf(err, ecap, "%s: cannot load the Dimona schema", xsd);
		goto out;
	}
	fflush(fp);
	snprintf(self, sizeof self, "/proc/self/fd/%d", fileno(fp));
	rc = xmlSchemaValidateFile(vc, self, 0) == 0 ? GW_OK : GW_EINTERNAL;
	if (rc != GW_OK)
		snprintf(err, ecap, "the generated FI does not validate against %s", xsd);
out:
	if (vc)
		xmlSchemaFreeValidCtxt(vc);
	if (s)
		xmlSchemaFree(s);
	return rc;
}

gw_rc
dimona_export(const struct dimona_export_opts *o, struct dimona_export_result *res,
              char *err, size_t errcap)
{
	struct list l = { NULL, 0, 0 };
	struct batch_writer *bw = NULL;
	size_t nrej = 0, written = 0;
	gw_rc rc = GW_EIO;
	gw_ymd today;
	int minutes;

	memset(res, 0, sizeof *res);
	err[0] = '\0';
	if (read_all(o->contracts, o->prog, &l, &nrej) != 0)
		goto out;

	/* Highest revision per contract wins; cancelled ones are not declared. */
	qsort(l.v, l.n, sizeof *l.v, by_id_rev);
	size_t k = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (i + 1 < l.n && strcmp(l.v[i].c.contract_id, l.v[i + 1].c.contract_id) == 0)
			continue;
		if (l.v[i].c.status == CONTRACT_CANCELLED) {
			log_info(NULL, l.v[i].c.contract_id, "cancelled before any declaration: nothing to declare");
			continue;
		}
		l.v[k++] = l.v[i];
	}
	l.n = k;
	size_t merged;
	if (dimona_merge_ext_series(l.v, &l.n, &merged) != GW_OK) {
		snprintf(err, errcap, "%s: out of memory", o->contracts);
		rc = GW_ENOMEM;
		goto out;
	}
	if (merged)
		log_info(NULL, NULL, "%zu Horeca occasional run(s) of more than two days declared as OTH", merged);

	clock_brussels_now(&today, &minutes);
	k = 0;
	for (size_t i = 0; i < l.n; i++) {
		struct dimona_findings f;
		size_t blocking = dimona_rules_check(&l.v[i], NULL, today, minutes, &f);
		for (size_t j = 0; j < f.n; j++)
			if (!blocking || f.f[j].severity == 'B')
				print_finding(o->contracts, &l.v[i], &f.f[j]);
		if (blocking) {
			nrej++;
			continue;
		}
		l.v[k++] = l.v[i];
	}
	l.n = k;
	if (l.n == 0) {
		snprintf(err, errcap, "nothing declarable in %s; nothing written", o->contracts);
		rc = GW_ENOTFOUND;
		goto out;
	}

	struct batch_name bn;
	memset(&bn, 0, sizeof bn);
	snprintf(bn.purpose, sizeof bn.purpose, "DIMN");
	snprintf(bn.sender, sizeof bn.sender, "%s", o->sender);
	bn.date = today;
	bn.env = o->env;
	char derr[PATH_MAX + 100];
	if (dir_ensure(o->out, 0750, derr, sizeof derr) != GW_OK) {
		snprintf(err, errcap, "--out %s", derr);
		goto out;
	}
	if (batch_seq_next_offline(o->out, bn.purpose, &bn.seq) != GW_OK ||
	    batch_writer_open(&bw, o->out, &bn) != GW_OK) {
		snprintf(err, errcap, "%s: cannot write there", o->out);
		goto out;
	}
	FILE *fp = batch_writer_file(bw);
	rc = dimona_document_begin(fp);
	for (size_t i = 0; rc == GW_OK && i < l.n; i++) {
		rc = dimona_document_form(&l.v[i], fp);
		if (rc == GW_EINPUT) {
			/* A value the Dimona zones cannot hold (a too long name). */
			fprintf(stderr, "%s: record %s: a value is longer than its Dimona zone\n",
			    o->contracts, l.v[i].c.contract_id);
			nrej++;
			rc = GW_OK;
			continue;
		}
		written += rc == GW_OK;
	}
	if (rc == GW_OK)
		rc = dimona_document_end(fp);
	if (rc != GW_OK) {
		snprintf(err, errcap, "writing failed (%s)", gw_rc_name(rc));
		goto out;
	}
	if (written == 0) {
		snprintf(err, errcap, "nothing declarable in %s; nothing written", o->contracts);
		rc = GW_ENOTFOUND;
		goto out;
	}
	if (o->schema != NULL && (rc = validate_fi(fp, o->schema, err, errcap)) != GW_OK)
		goto out;
	rc = batch_writer_commit(bw, o->signer, res->fi, sizeof res->fi);
	bw = NULL;
	if (rc != GW_OK) {
		snprintf(err, errcap, "committing the submission failed (%s)", gw_rc_name(rc));
		goto out;
	}
	log_info(NULL, NULL, "Dimona export: %zu declaration(s) in %s, %zu record(s) rejected",
	    written, res->fi, nrej);
out:
	res->written = written;
	res->rejected = nrej;
	if (bw != NULL)
		batch_writer_abort(bw);
	free(l.v);
	return rc;
}
