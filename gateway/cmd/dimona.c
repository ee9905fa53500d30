/*
 * cmd/dimona.c - `gateway dimona export`: contract records to one signed
 * Dimona batch submission (FI/FS/GO) for the ONSS batch channel.
 *
 * Reads the records (highest revision per contract wins), turns each active
 * one into a Dimona IN, merges Horeca occasional runs of more than two days
 * into one OTH period, runs the named Dimona checks (a blocking one rejects
 * the record on stderr, a warning is printed), writes the forms through
 * onss/batch/submission.h, checks the FI against the project's Dimona
 * schema before committing, and prints the FI name. An offline export has
 * no period ids, so it declares INs only: cancellations and amendments of
 * declared periods go through the queue (`gateway intake` / `gateway run`).
 */
#include "cmd/cmd.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "crypto/signer.h"
#include "onss/batch/submission.h"
#include "onss/codelist.h"
#include "onss/dimona/dates.h"
#include "onss/dimona/decl.h"
#include "onss/dimona/rules.h"
#include "records/reader.h"
#include "core/clock.h"
#include "core/dirs.h"

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct opts {
	const char *contracts, *out, *sender, *cert, *key;
	char env;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gateway dimona export --contracts FILE --out DIR [--sender N] [--env R|T|S]\n"
	    "                             [--sign-cert PEM --sign-key PEM]\n\n"
	    "Writes one Dimona batch submission into DIR: FI.DIMN.<sender>.<date>.<seq>.<env>.1.1\n"
	    "(one Form per declaration), FS. (detached CMS signature; none for --env S) and GO.\n"
	    "Every active contract becomes a Dimona IN after the Dimona checks; a record that\n"
	    "fails one is rejected on stderr (exit 1) and the others are still written.\n"
	    "Defaults: --sender from [onss] sender, --env T.\n");
}

static int
parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->env = 'T';
	if (argc < 2 || strcmp(argv[1], "export") != 0) {
		usage(stderr);
		return -1;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (v == NULL) {
			fprintf(stderr, "gateway dimona: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (strcmp(a, "--contracts") == 0)
			o->contracts = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--sender") == 0)
			o->sender = v;
		else if (strcmp(a, "--sign-cert") == 0)
			o->cert = v;
		else if (strcmp(a, "--sign-key") == 0)
			o->key = v;
		else if (strcmp(a, "--env") == 0) {
			if (strlen(v) != 1 || strchr("RTS", v[0]) == NULL) {
				fprintf(stderr, "gateway dimona: --env must be R, T or S\n");
				return -1;
			}
			o->env = v[0];
		} else {
			fprintf(stderr, "gateway dimona: unknown option %s\n", a);
			return -1;
		}
	}
	if (o->contracts == NULL || o->out == NULL) {
		fprintf(stderr, "gateway dimona: --contracts and --out are required\n");
		return -1;
	}
	if ((o->cert == NULL) != (o->key == NULL)) {
		fprintf(stderr, "gateway dimona: --sign-cert and --sign-key go together\n");
		return -1;
	}
	if (o->sender == NULL)
		o->sender = config_get(gw_cfg, "onss.sender", "999999");
	if (o->sender[0] == '\0' || strlen(o->sender) > 15 ||
	    strspn(o->sender, "0123456789") != strlen(o->sender)) {
		fprintf(stderr, "gateway dimona: --sender must be digits\n");
		return -1;
	}
	return 0;
}

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
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct dimona_decl *v = realloc(l->v, cap * sizeof *v);
		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	dimona_decl_from_contract(&l->v[l->n++], c);
	return 0;
}

/* Read every valid record; rejections go to stderr. -1 on I/O error. */
static int
read_all(const char *path, struct list *l, size_t *nrej)
{
	return contract_file_foreach(path, "gateway dimona", list_add, l, nrej);
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

static gw_rc
validate_fi(FILE *fp, char *err, size_t ecap)
{
	char self[64];
	const char *xsd = config_get(gw_cfg, "dimona.schema", "schemas/dimona/Dimona.xsd");
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

int
cmd_dimona(int argc, char **argv)
{
	struct opts o;
	struct list l = { NULL, 0, 0 };
	struct gw_signer *signer = NULL;
	struct batch_writer *bw = NULL;
	size_t nrej = 0, written = 0;
	char err[512], fi[256];
	int ret = GW_EXIT_USAGE;
	gw_ymd today;
	int minutes;

	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	if (parse(argc, argv, &o) != 0)
		return GW_EXIT_USAGE;
	if (o.env != 'S' && signer_from_config(&signer, o.cert, o.key, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dimona: %s\n", err);
		goto out;
	}
	if (read_all(o.contracts, &l, &nrej) != 0)
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
		fprintf(stderr, "gateway dimona: %s: out of memory\n", o.contracts);
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
				print_finding(o.contracts, &l.v[i], &f.f[j]);
		if (blocking) {
			nrej++;
			continue;
		}
		l.v[k++] = l.v[i];
	}
	l.n = k;
	if (l.n == 0) {
		fprintf(stderr, "gateway dimona: nothing declarable in %s; nothing written\n", o.contracts);
		ret = GW_EXIT_REJECTED;
		goto out;
	}

	struct batch_name bn;
	memset(&bn, 0, sizeof bn);
	snprintf(bn.purpose, sizeof bn.purpose, "DIMN");
	snprintf(bn.sender, sizeof bn.sender, "%s", o.sender);
	bn.date = today;
	bn.env = o.env;
	char derr[PATH_MAX + 100];
	if (dir_ensure(o.out, 0750, derr, sizeof derr) != GW_OK) {
		fprintf(stderr, "gateway dimona: --out %s\n", derr);
		goto out;
	}
	if (batch_seq_next_offline(o.out, bn.purpose, &bn.seq) != GW_OK ||
	    batch_writer_open(&bw, o.out, &bn) != GW_OK) {
		fprintf(stderr, "gateway dimona: %s: cannot write there\n", o.out);
		goto out;
	}
	FILE *fp = batch_writer_file(bw);
	gw_rc rc = dimona_document_begin(fp);
	for (size_t i = 0; rc == GW_OK && i < l.n; i++) {
		rc = dimona_document_form(&l.v[i], fp);
		if (rc == GW_EINPUT) {
			/* A value the Dimona zones cannot hold (a too long name). */
			fprintf(stderr, "%s: record %s: a value is longer than its Dimona zone\n",
			    o.contracts, l.v[i].c.contract_id);
			nrej++;
			rc = GW_OK;
			continue;
		}
		written += rc == GW_OK;
	}
	if (rc == GW_OK)
		rc = dimona_document_end(fp);
	if (rc != GW_OK) {
		fprintf(stderr, "gateway dimona: writing failed (%s)\n", gw_rc_name(rc));
		goto out;
	}
	if (written == 0) {
		fprintf(stderr, "gateway dimona: nothing declarable in %s; nothing written\n", o.contracts);
		ret = GW_EXIT_REJECTED;
		goto out;
	}
	if (config_get_int(gw_cfg, "dimona.validate", 1) && validate_fi(fp, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dimona: %s\n", err);
		goto out;
	}
	rc = batch_writer_commit(bw, signer, fi, sizeof fi);
	bw = NULL;
	if (rc != GW_OK) {
		fprintf(stderr, "gateway dimona: committing the submission failed (%s)\n", gw_rc_name(rc));
		goto out;
	}
	log_info(NULL, NULL, "Dimona export: %zu declaration(s) in %s, %zu record(s) rejected", written, fi, nrej);
	printf("%s\n", fi);
	ret = nrej ? GW_EXIT_REJECTED : GW_EXIT_OK;
out:
	if (bw != NULL)
		batch_writer_abort(bw);
	signer_free(signer);
	free(l.v);
	return ret;
}
