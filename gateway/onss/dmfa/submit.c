/*
 * submit.c - write, check, commit one DmfA batch submission (submit.h).
 *
 * The XSD check reads the writer's temporary file again from its start
 * through /proc/self/fd, streaming, so the document is never in memory and
 * an invalid file is never placed.
 */
#include "onss/dmfa/submit.h"

#include <stdio.h>
#include <string.h>

#include "onss/dmfa/validate.h"

/* Validate the open temporary file, seal it and draw its sequence number
 * (when the caller draws one), then commit or abort. */
static gw_rc
finish(struct dmfa_submission *s, struct batch_writer *w, const char *root, struct dmfa_submit_result *r)
{
	FILE *fp = batch_writer_file(w);
	gw_rc rc;
	if (fflush(fp) != 0 || ferror(fp)) {
		batch_writer_abort(w);
		snprintf(r->err, sizeof r->err, "writing the FI failed");
		return GW_EIO;
	}
	if (s->validate) {
		char self[64], xsd[1024], why[400];
		snprintf(self, sizeof self, "/proc/self/fd/%d", fileno(fp));
		dmfa_xsd_path(root, xsd, sizeof xsd);
		if ((rc = dmfa_validate_file(self, xsd, why, sizeof why)) != GW_OK) {
			batch_writer_abort(w);
			snprintf(r->err, sizeof r->err, "the generated file fails %.200s: %.250s", xsd, why);
			return rc == GW_EIO ? GW_EIO : GW_EINTERNAL;
		}
	}
	if (s->draw_seq != NULL) {
		unsigned seq;
		/* Signed first: a key or token that fails spends no number either. */
		if ((rc = batch_writer_seal(w, s->signer)) != GW_OK) {
			batch_writer_abort(w);
			snprintf(r->err, sizeof r->err, "sealing the submission failed (%s)", gw_rc_name(rc));
			return rc;
		}
		if ((rc = s->draw_seq(s->draw_arg, &seq)) != GW_OK) {
			batch_writer_abort(w);
			snprintf(r->err, sizeof r->err, "no batch sequence number (%s)", gw_rc_name(rc));
			return rc;
		}
		s->name.seq = seq;
		batch_writer_set_seq(w, seq);
	}
	rc = batch_writer_commit(w, s->signer, r->fi, sizeof r->fi);
	if (rc != GW_OK)
		snprintf(r->err, sizeof r->err, "committing the submission failed (%s)", gw_rc_name(rc));
	return rc;
}

static gw_rc
open_writer(struct dmfa_submission *s, const char *purpose, struct batch_writer **w,
            struct dmfa_submit_result *r)
{
	memset(r, 0, sizeof *r);
	snprintf(s->name.purpose, sizeof s->name.purpose, "%s", purpose);
	gw_rc rc = batch_writer_open(w, s->dir, &s->name);
	if (rc != GW_OK)
		snprintf(r->err, sizeof r->err, "%s: cannot open a batch file there (%s)", s->dir, gw_rc_name(rc));
	return rc;
}

gw_rc
dmfa_submit_original(struct dmfa_submission *s, const struct dmfa_rows *rows,
                     const struct dmfa_params *p, dmfa_reject_fn reject, void *arg,
                     struct dmfa_submit_result *r)
{
	struct batch_writer *w = NULL;
	gw_rc rc = open_writer(s, "DMFA", &w, r);
	if (rc != GW_OK)
		return rc;
	struct dmfa_write_opts o = { s->name.date, s->created_ms, s->employer_class };
	rc = dmfa_write_original(batch_writer_file(w), rows, p, &o, reject, arg, &r->orig);
	if (rc != GW_OK) {
		batch_writer_abort(w);
		snprintf(r->err, sizeof r->err, rc == GW_EINPUT ? "nothing declarable in quarter %d" :
		         "writing the DmfA failed (quarter %d)", p->quarter);
		return rc;
	}
	return finish(s, w, "DmfAOriginal", r);
}

gw_rc
dmfa_submit_update(struct dmfa_submission *s, const struct dmfa_rows *filed,
                   const struct dmfa_rows *now, const struct dmfa_params *p,
                   const struct dmpi_declaration *dmpi, size_t ndmpi,
                   const char *justification, dmfa_reject_fn reject, void *arg,
                   struct dmfa_submit_result *r)
{
	struct batch_writer *w = NULL;
	gw_rc rc = open_writer(s, "DMWA", &w, r);
	if (rc != GW_OK)
		return rc;
	struct dmfa_update_opts o = { s->name.date, s->created_ms, s->employer_class, justification };
	rc = dmfa_write_update(batch_writer_file(w), filed, now, p, dmpi, ndmpi, &o, reject, arg, &r->upd);
	if (rc != GW_OK) {
		batch_writer_abort(w);
		snprintf(r->err, sizeof r->err, rc == GW_ENOTFOUND ? "nothing changed since filing" :
		         rc == GW_EINPUT ? "no correction could be written for quarter %d" :
		         "writing the DmfAUpdate failed (quarter %d)", p->quarter);
		return rc;
	}
	return finish(s, w, "DmfAUpdate", r);
}
