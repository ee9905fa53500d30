/*
 * service/dmfa_export.c - the offline DmfA original and correction
 * (dmfa_export.h).
 *
 * Owns the order of the steps: inputs (parameters, IDFLUX, DMPI, signer),
 * rows (read, INSS changes applied, prepared), the folder's filing record,
 * then the submission. Never computes an amount itself (onss/dmfa does),
 * never writes an original twice from one folder, prints nothing: errors
 * go back in the result for the command to print.
 */
#include "service/dmfa_export.h"
#include "service/dmfa_filing.h"
#include "core/array.h"
#include "core/clock.h"
#include "core/dirs.h"
#include "core/log.h"
#include "core/params.h"
#include "crypto/signer.h"
#include "onss/batch/answer.h"
#include "onss/batch/submission.h"
#include "onss/dmfa/inss_change.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/submit.h"
#include "records/reader.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read the INSS changes of every IDFLUX file. */
static int
load_idflux(const struct dmfa_export_opts *o, struct dmfa_inss_change **out, size_t *n,
            struct dmfa_export_result *r)
{
	size_t cap = 0;
	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < o->nidflux; i++) {
		struct onss_answer *a = NULL;
		char err[512];
		if (onss_answer_parse_file(o->idflux[i], 0, &a, err, sizeof err) != GW_OK ||
		    a->kind != ANSWER_IDFLUX) {
			snprintf(r->err, sizeof r->err, "%s: not an IDFLUX file: %s", o->idflux[i],
			    a ? "other answer kind" : err);
			onss_answer_free(a);
			return -1;
		}
		for (size_t f = 0; f < a->n_forms; f++) {
			struct dmfa_inss_change ch;
			if (dmfa_inss_change_from_idflux(&a->forms[f].idflux, &ch) != GW_OK)
				continue;
			if (ARRAY_RESERVE(*out, *n, cap, 8) != GW_OK) {
				snprintf(r->err, sizeof r->err, "out of memory");
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
	struct dmfa_export_result *r;
};

/* One valid record into the rows, INSS changes applied (contract_file_foreach callback). */
static int
rows_add(void *ctx, struct contract *c)
{
	struct rows_ctx *x = ctx;
	if (x->nch)
		dmfa_inss_change_apply(x->ch, x->nch, c);
	if (dmfa_rows_add(x->rows, c, x->quarter) != GW_OK) {
		snprintf(x->r->err, sizeof x->r->err, "out of memory");
		return -1;
	}
	return 0;
}

/* Read a contract file into rows; rejections counted in *nrej. */
static int
read_rows(const char *path, int quarter, const struct dmfa_inss_change *ch, size_t nch,
          struct dmfa_rows *rows, size_t *nrej, struct dmfa_export_result *r)
{
	struct rows_ctx x = { quarter, ch, nch, rows, r };
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
drop_filed(struct dmfa_folder *fo, const struct dmfa_export_opts *o, struct dmfa_rows *rows,
           struct dmfa_export_result *r)
{
	size_t w = 0;
	for (size_t i = 0; i < rows->n;) {
		size_t e = dmfa_group_end(rows->v, rows->n, i, 0);
		char fi[160];
		int filed = dmfa_folder_filed(fo, o->quarter, rows->v[i].noss, fi, sizeof fi);
		if (filed < 0) {
			snprintf(r->err, sizeof r->err, "%s: the folder's filing record cannot be read",
			    o->out);
			return -1;
		}
		if (filed) {
			char why[256];
			snprintf(why, sizeof why, "quarter already filed for employer %09u in %s: "
			         "corrections go through 'gateway dmfa update'", rows->v[i].noss, fi);
			for (size_t k = i; k < e; k++)
				o->reject(o->reject_arg, &rows->v[k], "employer_noss", why);
		} else {
			for (size_t k = i; k < e; k++)
				rows->v[w++] = rows->v[k];
		}
		i = e;
	}
	rows->n = w;
	return 0;
}

/* What one run holds, freed by ex_free(). */
struct ex {
	const struct dmfa_export_opts *o;
	struct dmfa_export_result *r;
	struct dmfa_params *p;
	struct dmfa_rows rows, filed;
	struct dmfa_inss_change *ch;
	size_t nch;
	struct gw_signer *signer;
	struct dmfa_folder *folder;
	struct onss_answer *dmpi[DMFA_EXPORT_MAX_LIST];
	struct dmpi_declaration *decls;
	size_t ndecl;
};

/* Parameters, IDFLUX changes, DMPI answers and the signer. */
static gw_rc
ex_inputs(struct ex *x)
{
	const struct dmfa_export_opts *o = x->o;
	char *err = x->r->err;
	size_t cap = sizeof x->r->err;
	if ((x->p = malloc(sizeof *x->p)) == NULL)
		return GW_ENOMEM;
	if (dmfa_params_load(o->params, o->quarter, x->p, err, cap) != GW_OK)
		return GW_ECONFIG;
	if (load_idflux(o, &x->ch, &x->nch, x->r) != 0)
		return GW_ECONFIG;
	for (size_t i = 0; i < o->ndmpi; i++) {
		char e[512];
		if (onss_answer_parse_file(o->dmpi[i], 0, &x->dmpi[i], e, sizeof e) != GW_OK ||
		    x->dmpi[i]->kind != ANSWER_DMPI) {
			snprintf(err, cap, "%s: not a DmfAPID answer: %s", o->dmpi[i],
			    x->dmpi[i] ? "other answer kind" : e);
			return GW_ECONFIG;
		}
		struct dmpi_declaration *nd = realloc(x->decls,
		    (x->ndecl + x->dmpi[i]->n_forms + 1) * sizeof *nd);
		if (nd == NULL)
			return GW_ENOMEM;
		x->decls = nd;
		for (size_t f = 0; f < x->dmpi[i]->n_forms; f++)
			x->decls[x->ndecl++] = x->dmpi[i]->forms[f].dmpi;   /* shallow: the answer owns them */
	}
	if (o->env != 'S' && signer_from_config(&x->signer, o->cert, o->key, err, cap) != GW_OK)
		return GW_ECONFIG;
	return GW_OK;
}

/* The rows now (and, for a correction, as filed), prepared. */
static gw_rc
ex_rows(struct ex *x)
{
	const struct dmfa_export_opts *o = x->o;
	size_t nrej2 = 0, fr = 0, fr2 = 0;
	if (read_rows(o->contracts, o->quarter, x->ch, x->nch, &x->rows, &x->r->rejected, x->r) != 0 ||
	    dmfa_rows_prepare(&x->rows, x->p, o->reject, o->reject_arg, &nrej2) != GW_OK)
		return GW_EINTERNAL;
	dmfa_rows_left_out_text(&x->rows.left_out, x->r->left_out, sizeof x->r->left_out);
	if (o->update && (read_rows(o->filed, o->quarter, x->ch, x->nch, &x->filed, &fr, x->r) != 0 ||
	    dmfa_rows_prepare(&x->filed, x->p, NULL, NULL, &fr2) != GW_OK))
		return GW_EINTERNAL;
	return GW_OK;
}

/* The output folder and, for an original, what it filed already. */
static gw_rc
ex_folder(struct ex *x)
{
	char derr[PATH_MAX + 100];
	gw_rc rc;
	if ((rc = dir_ensure(x->o->out, 0750, derr, sizeof derr)) != GW_OK) {
		snprintf(x->r->err, sizeof x->r->err, "--out %.900s", derr);
		return rc;
	}
	if (x->o->update)
		return GW_OK;
	/* What this folder filed: the original is never written twice. */
	if ((rc = dmfa_folder_open(&x->folder, x->o->out, derr, sizeof derr)) != GW_OK) {
		snprintf(x->r->err, sizeof x->r->err, "%.900s", derr);
		return rc;
	}
	return drop_filed(x->folder, x->o, &x->rows, x->r) == 0 ? GW_OK : GW_EIO;
}

/* The submission's name, date, signer and writer settings. */
static gw_rc
ex_submission(struct ex *x, struct dmfa_submission *sub)
{
	struct clock_wall now;
	memset(sub, 0, sizeof *sub);
	sub->dir = x->o->out;
	snprintf(sub->name.sender, sizeof sub->name.sender, "%s", x->o->sender);
	clock_brussels(clock_now_ms(), &now);
	sub->name.date = now.day;
	sub->name.env = x->o->env;
	sub->created_ms = (now.minutes * 60 + now.second) * 1000;
	sub->signer = x->signer;
	sub->validate = param_int(P_DMFA_VALIDATE) != 0;
	int64_t eclass = param_int(P_DMFA_EMPLOYER_CLASS);
	if (eclass < 0 || eclass > 999) {
		snprintf(x->r->err, sizeof x->r->err, "[dmfa] employer_class must be 0..999");
		return GW_ECONFIG;
	}
	sub->employer_class = (int)eclass;
	/* One counter for every purpose: the ONSS answers (FO.ACRF.<sender>.<date>.<seq>)
	 * do not name the purpose, so DMFA and DMWA must not share a sequence number. */
	if (batch_seq_next_offline(x->o->out, &sub->name.seq) != GW_OK) {
		snprintf(x->r->err, sizeof x->r->err, "%s: cannot write there", x->o->out);
		return GW_EIO;
	}
	return GW_OK;
}

/* Write the original or the correction; logs what it declared. */
static gw_rc
ex_submit(struct ex *x)
{
	const struct dmfa_export_opts *o = x->o;
	struct dmfa_submission sub;
	struct dmfa_submit_result res;
	gw_rc rc;
	if ((rc = ex_submission(x, &sub)) != GW_OK)
		return rc;
	if (o->update) {
		rc = dmfa_submit_update(&sub, &x->filed, &x->rows, x->p, x->decls, x->ndecl,
		    o->justification, o->reject, o->reject_arg, &res);
		if (rc == GW_OK)
			log_info(NULL, res.fi, "DmfAUpdate %d: %zu employer(s), %zu person(s), %zu modified, "
			    "%zu created, %zu deleted, %zu justified", o->quarter, res.upd.employers,
			    res.upd.persons, res.upd.modified, res.upd.created, res.upd.deleted,
			    res.upd.justified);
	} else {
		rc = dmfa_submit_original(&sub, &x->rows, x->p, o->reject, o->reject_arg, &res);
		if (rc == GW_OK)
			log_info(NULL, res.fi, "DmfA %d: %zu employer(s), %zu person(s), %zu worker record(s), "
			    "%zu contract(s), net owed %lld cents", o->quarter, res.orig.employers,
			    res.orig.persons, res.orig.worker_records, res.orig.rows,
			    (long long)res.orig.net_owed);
	}
	if (rc == GW_ENOTFOUND)
		return rc;
	if (rc != GW_OK) {
		snprintf(x->r->err, sizeof x->r->err, "%s", res.err);
		x->r->err_writer = 1;
		return rc;
	}
	snprintf(x->r->fi, sizeof x->r->fi, "%s", res.fi);
	if (!o->update)
		mark_filed(x->folder, o->quarter, &x->rows, x->r->fi);
	return GW_OK;
}

static void
ex_free(struct ex *x)
{
	dmfa_folder_close(x->folder);
	signer_free(x->signer);
	for (size_t i = 0; i < DMFA_EXPORT_MAX_LIST; i++)
		onss_answer_free(x->dmpi[i]);
	free(x->decls);
	free(x->ch);
	free(x->p);
	dmfa_rows_free(&x->rows);
	dmfa_rows_free(&x->filed);
}

gw_rc
dmfa_export_run(const struct dmfa_export_opts *o, struct dmfa_export_result *r)
{
	struct ex x;
	gw_rc rc;
	memset(r, 0, sizeof *r);
	memset(&x, 0, sizeof x);
	x.o = o;
	x.r = r;
	dmfa_rows_init(&x.rows);
	dmfa_rows_init(&x.filed);
	if ((rc = ex_inputs(&x)) == GW_OK && (rc = ex_rows(&x)) == GW_OK &&
	    (rc = ex_folder(&x)) == GW_OK)
		rc = ex_submit(&x);
	/* Only the writer's refusal is a rejection (exit 1); an input that
	 * cannot be read before it is a usage or I/O error. */
	if (rc == GW_EINPUT && !r->err_writer)
		rc = GW_ECONFIG;
	if (rc == GW_ENOMEM && r->err[0] == '\0')
		snprintf(r->err, sizeof r->err, "out of memory");
	ex_free(&x);
	return rc;
}
