/*
 * submit.h - a DmfA original (DMFA) or correction (DMWA) as one ONSS batch
 * submission: stream the XML into the batch writer, check it against the
 * official XSD before anything is placed, then commit (FI, FS, GO).
 *
 * The entry points the command line and the service share. Owns the order
 * write -> validate -> commit and nothing else: no option parsing, no
 * sequence numbers (the caller's name or its draw_seq gives them), no
 * transport.
 */
#ifndef GW_ONSS_DMFA_SUBMIT_H
#define GW_ONSS_DMFA_SUBMIT_H

#include "core/err.h"
#include "crypto/signer.h"
#include "onss/batch/answer.h"
#include "onss/batch/submission.h"
#include "onss/dmfa/rows.h"
#include "onss/dmfa/update.h"
#include "onss/dmfa/xml.h"

struct dmfa_submission {
	const char *dir;                 /* folder of the FI/FS/GO files */
	struct batch_name name;          /* sender, date, seq, env; the purpose is set here */
	const struct gw_signer *signer;  /* NULL: no FS (simulation) */
	int validate;                    /* 1: XSD check before commit */
	int employer_class;
	int created_ms;                  /* FormCreationHour; FormCreationDate = name.date */
	/* When set: name.seq is drawn through it once the file is written and
	 * checked, just before it is placed, so that a submission that fails
	 * to build or to validate spends no sequence number. */
	gw_rc (*draw_seq)(void *arg, unsigned *seq);
	void *draw_arg;
};

struct dmfa_submit_result {
	char fi[160];                    /* FI file name when written */
	char err[512];                   /* why, when not */
	struct dmfa_write_stats orig;
	struct dmfa_update_stats upd;
};

/* GW_OK written; GW_EINPUT nothing declarable (rows reported through
 * reject); GW_EINTERNAL the generated file failed the XSD (nothing placed);
 * GW_EIO / GW_ECRYPTO from the writer or the signature. */
gw_rc dmfa_submit_original(struct dmfa_submission *s, const struct dmfa_rows *rows,
                           const struct dmfa_params *p, dmfa_reject_fn reject, void *arg,
                           struct dmfa_submit_result *r);
/* As above for a correction; GW_ENOTFOUND when nothing changed (nothing
 * written). */
gw_rc dmfa_submit_update(struct dmfa_submission *s, const struct dmfa_rows *filed,
                         const struct dmfa_rows *now, const struct dmfa_params *p,
                         const struct dmpi_declaration *dmpi, size_t ndmpi,
                         const char *justification, dmfa_reject_fn reject, void *arg,
                         struct dmfa_submit_result *r);

#endif
