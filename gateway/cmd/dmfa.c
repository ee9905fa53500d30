/*
 * cmd/dmfa.c - `gateway dmfa export` (the quarterly original, DMFA) and
 * `gateway dmfa update` (a correction, DMWA), written as an ONSS batch
 * submission (FI/FS/GO) through onss/batch/submission.h.
 *
 * Owns option parsing and the order of the steps: read contracts (applying
 * IDFLUX INSS changes), prepare rows, then onss/dmfa/submit.h streams the
 * XML into the submission, checks it against the official XSD and commits
 * (signs) it. Never computes an
 * amount itself (onss/dmfa does) and never re-sends an original: employers
 * already filed for the quarter from this folder are refused and pointed to
 * `dmfa update`.
 */
#include "cmd/cmd.h"
#include "core/params.h"
#include "core/array.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "crypto/signer.h"
#include "onss/batch/answer.h"
#include "onss/batch/submission.h"
#include "onss/dmfa/inss_change.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"
#include "onss/dmfa/submit.h"
#include "records/reader.h"
#include "service/dmfa_filing.h"
#include "core/clock.h"
#include "core/dirs.h"

#define MAX_LIST 16

int cmd_dmfa_queue(int argc, char **argv);     /* cmd/dmfa_queue.c */

struct opts {
	int update;
	const char *contracts, *filed, *out, *sender, *cert, *key, *params, *justification;
	const char *idflux[MAX_LIST], *dmpi[MAX_LIST];
	size_t nidflux, ndmpi;
	int quarter;
	char env;
};

struct rejects {
	const char *file;
	size_t n;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: gateway dmfa export --contracts FILE --quarter YYYYQ --out DIR [--sender N]\n"
	    "                           [--env R|T|S] [--sign-cert PEM --sign-key PEM]\n"
	    "                           [--idflux FILE]... [--params FILE]\n"
	    "       gateway dmfa update --filed FILE --contracts FILE --quarter YYYYQ --dmpi FILE...\n"
	    "                           --out DIR [--sender N] [--env R|T|S] [--sign-cert PEM --sign-key PEM]\n"
	    "                           [--idflux FILE]... [--params FILE] [--justification TEXT]\n"
	    "       gateway dmfa queue --quarter YYYYQ [--params FILE] (from the queue; see queue --help)\n\n"
	    "export writes the DmfA original (DMFA) of every contract in FILE that starts in the\n"
	    "quarter, one EmployerDeclaration per employer, as FI/FS/GO files in DIR.\n"
	    "update compares the contracts as filed (--filed) with their current revisions\n"
	    "(--contracts) and writes a DmfAUpdate (DMWA) with the permanent ids of the DMPI\n"
	    "answers; it writes nothing when nothing changed.\n"
	    "--idflux applies the INSS changes of ONSS IDFLUX files (e.g. a BIS number for a\n"
	    "worker declared without INSS) before aggregating. Rates and worker-code rules come\n"
	    "from the parameter table ([dmfa] params, default schemas/dmfa/params.txt).\n"
	    "Exit: 0 written, 1 written but some contracts rejected (stderr), 2 usage or I/O error.\n");
}

static void
on_reject(void *arg, const struct dmfa_row *row, const char *field, const char *reason)
{
	struct rejects *r = arg;
	r->n++;
	fprintf(stderr, "%s: record %s: field %s: %s\n", r->file, row->contract_id,
	        field && *field ? field : "-", reason);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->env = 'T';
	if (argc < 2 || (strcmp(argv[1], "export") != 0 && strcmp(argv[1], "update") != 0)) {
		usage(stderr);
		return -1;
	}
	o->update = strcmp(argv[1], "update") == 0;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "gateway dmfa: %s needs a value\n", a);
			return -1;
		}
		i++;
		if (strcmp(a, "--contracts") == 0)
			o->contracts = v;
		else if (strcmp(a, "--filed") == 0)
			o->filed = v;
		else if (strcmp(a, "--out") == 0)
			o->out = v;
		else if (strcmp(a, "--sender") == 0)
			o->sender = v;
		else if (strcmp(a, "--sign-cert") == 0)
			o->cert = v;
		else if (strcmp(a, "--sign-key") == 0)
			o->key = v;
		else if (strcmp(a, "--params") == 0)
			o->params = v;
		else if (strcmp(a, "--justification") == 0)
			o->justification = v;
		else if (strcmp(a, "--idflux") == 0 && o->nidflux < MAX_LIST)
			o->idflux[o->nidflux++] = v;
		else if (strcmp(a, "--dmpi") == 0 && o->ndmpi < MAX_LIST)
			o->dmpi[o->ndmpi++] = v;
		else if (strcmp(a, "--quarter") == 0) {
			if (dmfa_quarter_parse(v, &o->quarter) != GW_OK) {
				fprintf(stderr, "gateway dmfa: --quarter %s: expected YYYYQ (e.g. 20262)\n", v);
				return -1;
			}
		} else if (strcmp(a, "--env") == 0) {
			if (strlen(v) != 1 || !strchr("RTS", v[0])) {
				fprintf(stderr, "gateway dmfa: --env must be R, T or S\n");
				return -1;
			}
			o->env = v[0];
		} else {
			fprintf(stderr, "gateway dmfa: unknown option %s\n", a);
			return -1;
		}
	}
	if (!o->contracts || !o->quarter || !o->out || (o->update && (!o->filed || o->ndmpi == 0))) {
		fprintf(stderr, "gateway dmfa %s: missing %s\n", argv[1],
		        !o->contracts ? "--contracts" : !o->quarter ? "--quarter" : !o->out ? "--out" :
		        !o->filed ? "--filed" : "--dmpi");
		return -1;
	}
	if (!o->sender)
		o->sender = param_str(P_ONSS_SENDER);
	if (strlen(o->sender) == 0 || strlen(o->sender) > 15 || strspn(o->sender, "0123456789") != strlen(o->sender)) {
		fprintf(stderr, "gateway dmfa: --sender must be digits\n");
		return -1;
	}
	if (!o->params)
		o->params = param_str(P_DMFA_PARAMS);
	return 0;
}

/* Read the INSS changes of every IDFLUX file. */
static int
load_idflux(const struct opts *o, struct dmfa_inss_change **out, size_t *n)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < o->nidflux; i++) {
		struct onss_answer *a = NULL;
		char err[512];
		if (onss_answer_parse_file(o->idflux[i], 0, &a, err, sizeof err) != GW_OK ||
		    a->kind != ANSWER_IDFLUX) {
			fprintf(stderr, "gateway dmfa: %s: not an IDFLUX file: %s\n", o->idflux[i],
			        a ? "other answer kind" : err);
			onss_answer_free(a);
			return -1;
		}
		for (size_t f = 0; f < a->n_forms; f++) {
			struct dmfa_inss_change ch;
			if (dmfa_inss_change_from_idflux(&a->forms[f].idflux, &ch) != GW_OK)
				continue;
			if (ARRAY_RESERVE(*out, *n, cap, 8) != GW_OK) {
				onss_answer_free(a);
				return -1;
			}
			(*out)[(*n)++] = ch;
			char a1[64], a2[64], a3[64];
			if (ch.old_inss[0])
				log_info(NULL, NULL, "IDFLUX %s: INSS %s -> %s", o->idflux[i],
				         log_inss(ch.old_inss, a1, sizeof a1), log_inss(ch.new_inss, a2, sizeof a2));
			else
				log_info(NULL, NULL, "IDFLUX %s: worker without INSS (%s, born %s) -> %s",
				         o->idflux[i], log_name(ch.last_name, a1, sizeof a1),
				         log_birth((int)ch.birth_date, a3, sizeof a3), log_inss(ch.new_inss, a2, sizeof a2));
		}
		onss_answer_free(a);
	}
	return 0;
}

struct rows_ctx {
	int quarter;
	const struct dmfa_inss_change *ch;
	size_t nch;
	struct dmfa_rows *rows;
};

/* One valid record into the rows, INSS changes applied (contract_file_foreach callback). */
static int
rows_add(void *ctx, struct contract *c)
{
	struct rows_ctx *x = ctx;
	if (x->nch)
		dmfa_inss_change_apply(x->ch, x->nch, c);
	if (dmfa_rows_add(x->rows, c, x->quarter) != GW_OK) {
		fprintf(stderr, "gateway dmfa: out of memory\n");
		return -1;
	}
	return 0;
}

/* Read a contract file into rows; rejections counted in *nrej. */
static int
read_rows(const char *path, int quarter, const struct dmfa_inss_change *ch, size_t nch,
          struct dmfa_rows *rows, size_t *nrej)
{
	struct rows_ctx x = { quarter, ch, nch, rows };
	return contract_file_foreach(path, "gateway dmfa", rows_add, &x, nrej);
}

/* Record in the folder's store that fi filed the employers of rows. */
static void
mark_filed(struct dmfa_folder *fo, int quarter, const struct dmfa_rows *rows, const char *fi)
{
	uint32_t *noss = rows->n ? calloc(rows->n, sizeof *noss) : NULL;
	size_t n = 0;
	gw_rc rc = GW_ENOMEM;
	if (rows->n == 0 || noss != NULL) {
		for (size_t i = 0; i < rows->n; i = dmfa_group_end(rows->v, rows->n, i, 0))
			noss[n++] = rows->v[i].noss;
		rc = dmfa_folder_mark(fo, quarter, noss, n, fi);
	}
	if (rc != GW_OK)
		log_error(NULL, fi, "cannot record the filed quarter in the folder's store: %s",
		    gw_rc_name(rc));
	free(noss);
}

/* Drop (and report) the rows of employers already filed for the quarter. */
static int
drop_filed(struct dmfa_folder *fo, int quarter, struct dmfa_rows *rows, struct rejects *rj)
{
	size_t w = 0;
	for (size_t i = 0; i < rows->n;) {
		size_t e = dmfa_group_end(rows->v, rows->n, i, 0);
		char fi[160];
		int filed = dmfa_folder_filed(fo, quarter, rows->v[i].noss, fi, sizeof fi);
		if (filed < 0) {
			fprintf(stderr, "gateway dmfa: the folder's filing record cannot be read\n");
			return -1;
		}
		if (filed) {
			char why[256];
			snprintf(why, sizeof why, "quarter already filed for employer %09u in %s: "
			         "corrections go through 'gateway dmfa update'", rows->v[i].noss, fi);
			for (size_t k = i; k < e; k++)
				on_reject(rj, &rows->v[k], "employer_noss", why);
		} else {
			for (size_t k = i; k < e; k++)
				rows->v[w++] = rows->v[k];
		}
		i = e;
	}
	rows->n = w;
	return 0;
}

int
cmd_dmfa(int argc, char **argv)
{
	struct opts o;
	struct dmfa_params *p = NULL;
	struct dmfa_rows rows, filed;
	struct dmfa_inss_change *ch = NULL;
	size_t nch = 0, nrej = 0, nrej2 = 0;
	struct gw_signer *signer = NULL;
	struct dmfa_folder *folder = NULL;
	struct onss_answer *dmpi[MAX_LIST] = { 0 };
	struct dmpi_declaration *decls = NULL;
	size_t ndecl = 0;
	char err[1024], fi[160];
	int ret = GW_EXIT_USAGE;
	gw_rc rc;

	if (argc >= 2 && strcmp(argv[1], "queue") == 0)
		return cmd_dmfa_queue(argc, argv);
	dmfa_rows_init(&rows);
	dmfa_rows_init(&filed);
	if (cmd_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	if (parse_opts(argc, argv, &o) != 0)
		return GW_EXIT_USAGE;
	struct rejects rj = { o.contracts, 0 };
	if ((p = malloc(sizeof *p)) == NULL)
		goto out;
	if (dmfa_params_load(o.params, o.quarter, p, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dmfa: %s\n", err);
		goto out;
	}
	if (load_idflux(&o, &ch, &nch) != 0)
		goto out;
	for (size_t i = 0; i < o.ndmpi; i++) {
		if (onss_answer_parse_file(o.dmpi[i], 0, &dmpi[i], err, sizeof err) != GW_OK ||
		    dmpi[i]->kind != ANSWER_DMPI) {
			fprintf(stderr, "gateway dmfa: %s: not a DmfAPID answer: %s\n", o.dmpi[i],
			        dmpi[i] ? "other answer kind" : err);
			goto out;
		}
		struct dmpi_declaration *nd = realloc(decls, (ndecl + dmpi[i]->n_forms + 1) * sizeof *nd);
		if (!nd)
			goto out;
		decls = nd;
		for (size_t f = 0; f < dmpi[i]->n_forms; f++)
			decls[ndecl++] = dmpi[i]->forms[f].dmpi;   /* shallow: the answer owns the arrays */
	}
	if (o.env != 'S' && signer_from_config(&signer, o.cert, o.key, err, sizeof err) != GW_OK) {
		fprintf(stderr, "gateway dmfa: %s\n", err);
		goto out;
	}
	if (read_rows(o.contracts, o.quarter, ch, nch, &rows, &nrej) != 0)
		goto out;
	if (dmfa_rows_prepare(&rows, p, on_reject, &rj, &nrej2) != GW_OK)
		goto out;
	if (o.update) {
		struct rejects rjf = { o.filed, 0 };
		size_t fr = 0, fr2 = 0;
		if (read_rows(o.filed, o.quarter, ch, nch, &filed, &fr) != 0 ||
		    dmfa_rows_prepare(&filed, p, NULL, &rjf, &fr2) != GW_OK)
			goto out;
	}
	char derr[PATH_MAX + 100];
	if (dir_ensure(o.out, 0750, derr, sizeof derr) != GW_OK) {
		fprintf(stderr, "gateway dmfa: --out %s\n", derr);
		goto out;
	}
	/* What this folder filed: the original is never written twice. */
	if (!o.update && (dmfa_folder_open(&folder, o.out, derr, sizeof derr) != GW_OK ||
	    drop_filed(folder, o.quarter, &rows, &rj) != 0)) {
		if (folder == NULL)
			fprintf(stderr, "gateway dmfa: %s\n", derr);
		goto out;
	}

	struct dmfa_submission sub;
	struct dmfa_submit_result res;
	memset(&sub, 0, sizeof sub);
	sub.dir = o.out;
	snprintf(sub.name.sender, sizeof sub.name.sender, "%s", o.sender);
	struct clock_wall now;
	clock_brussels(clock_now_ms(), &now);
	sub.name.date = now.day;
	sub.name.env = o.env;
	sub.created_ms = (now.minutes * 60 + now.second) * 1000;
	sub.signer = signer;
	sub.validate = param_int(P_DMFA_VALIDATE) != 0;
	int64_t eclass = param_int(P_DMFA_EMPLOYER_CLASS);
	if (eclass < 0 || eclass > 999) {
		fprintf(stderr, "gateway dmfa: [dmfa] employer_class must be 0..999\n");
		goto out;
	}
	sub.employer_class = (int)eclass;
	/* One counter for every purpose: the ONSS answers (FO.ACRF.<sender>.<date>.<seq>)
	 * do not name the purpose, so DMFA and DMWA must not share a sequence number. */
	if (batch_seq_next_offline(o.out, "ONSS", &sub.name.seq) != GW_OK) {
		fprintf(stderr, "gateway dmfa: %s: cannot write there\n", o.out);
		goto out;
	}
	if (o.update) {
		rc = dmfa_submit_update(&sub, &filed, &rows, p, decls, ndecl, o.justification,
		                        on_reject, &rj, &res);
		if (rc == GW_ENOTFOUND) {
			fprintf(stderr, "gateway dmfa update: nothing changed since filing; nothing written\n");
			ret = rj.n + nrej ? GW_EXIT_REJECTED : GW_EXIT_OK;
			goto out;
		}
		if (rc == GW_OK)
			log_info(NULL, res.fi, "DmfAUpdate %d: %zu employer(s), %zu person(s), %zu modified, "
			         "%zu created, %zu deleted, %zu justified", o.quarter, res.upd.employers,
			         res.upd.persons, res.upd.modified, res.upd.created, res.upd.deleted,
			         res.upd.justified);
	} else {
		rc = dmfa_submit_original(&sub, &rows, p, on_reject, &rj, &res);
		if (rc == GW_OK)
			log_info(NULL, res.fi, "DmfA %d: %zu employer(s), %zu person(s), %zu worker record(s), "
			         "%zu contract(s), net owed %lld cents", o.quarter, res.orig.employers,
			         res.orig.persons, res.orig.worker_records, res.orig.rows,
			         (long long)res.orig.net_owed);
	}
	if (rc == GW_EINPUT) {
		fprintf(stderr, "gateway dmfa %s: %s (see the rejections above)\n", argv[1], res.err);
		ret = GW_EXIT_REJECTED;
		goto out;
	}
	if (rc != GW_OK) {
		fprintf(stderr, "gateway dmfa %s: %s\n", argv[1], res.err);
		goto out;
	}
	snprintf(fi, sizeof fi, "%s", res.fi);
	if (!o.update)
		mark_filed(folder, o.quarter, &rows, fi);
	printf("%s\n", fi);
	ret = rj.n + nrej ? GW_EXIT_REJECTED : GW_EXIT_OK;
out:
	dmfa_folder_close(folder);
	signer_free(signer);
	for (size_t i = 0; i < MAX_LIST; i++)
		onss_answer_free(dmpi[i]);
	free(decls);
	free(ch);
	free(p);
	dmfa_rows_free(&rows);
	dmfa_rows_free(&filed);
	return ret;
}
