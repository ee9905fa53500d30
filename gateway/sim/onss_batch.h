/*
 * onss_batch.h - internals of the simulated ONSS batch processor (`gateway
 * sim batch`), shared by its files: the main loop and file checks
 * (onss_batch.c), the answer writers (onss_batch_answer.c), Dimona
 * processing with the shared rule engine (onss_batch_dimona.c) and DmfA
 * processing (onss_batch_dmfa.c) with its checks (dmfa_check.h).
 */
#ifndef GW_SIM_ONSS_BATCH_H
#define GW_SIM_ONSS_BATCH_H

#include <stdio.h>
#include <libxml/tree.h>
#include "core/err.h"
#include "onss/batch/submission.h"
#include "onss/dimona/rules.h"

/* A simulated identity change: declarations about `old_inss` get an
 * IDFLUX saying the valid INSS is `new_inss`. */
struct simb_inss_change {
	char old_inss[12], new_inss[12], name[49], first_name[25], birth[11];
	int sex;
};

struct simb {
	char root[1024];             /* the folder sshd serves: IN, INTEST, ..., OUT, ... */
	char state[1100];            /* the processor's own durable state */
	const char *ca_file;         /* trusted CA for FS signatures */
	gw_ymd today;                /* Brussels date and time of the file in hand */
	int now_min;
	/* The Dimona ledger of accepted periods (in memory, rebuilt empty at start). */
	struct dimona_period *periods;
	size_t n_periods, cap_periods;
	size_t n_durable;                 /* periods[0..n_durable) are on disk as they are */
	unsigned long long next_period;   /* next DimonaPeriodId */
	unsigned long long next_pid;      /* next DmfA permanent id */
	unsigned long ticket_seq;
	struct simb_inss_change *changes;
	size_t n_changes;
	/* Per processed file, for the answers. */
	size_t idfl_count;
	/* The DmfA checks (dmfa_check.h): the reference they judge by, NULL
	 * when the checks are off (--dmfa-checks off). */
	struct simd_ref *dmfa_ref;
	struct simd_rates *dmfa_rates;   /* NULL: line amounts not recomputed */
	/* The DB DmfA (state/dmfa-db): the declarations accepted, with their
	 * permanent ids, that a correction must name. */
	struct simd_db *dmfa_db;
};

/* Current answer context: the submission being answered. */
struct simb_file {
	struct batch_name name;     /* parsed GO name */
	char go[128];               /* the GO file name as deposited */
	char out_dir[1100];         /* where answers go */
	char ticket[24];
};

/* --- onss_batch_answer.c --- */
/* XML text with the five special characters escaped. */
void simb_xml_text(FILE *f, const char *s);
void simb_el(FILE *f, const char *name, const char *value);
/* The common Form header (Identification ... TypeForm). */
void simb_form_header(FILE *f, const char *ident, const char *type_form);
/* Write the ACRF: result 1 with no errors, or 0 with one error id. */
gw_rc simb_write_acrf(const struct simb_file *sf, int result, const char *error_id);
/* Finish an answer built in a memstream: close it and write it atomically
 * into the OUT folder as FO.<type>...(nth). */
gw_rc simb_publish(const struct simb_file *sf, const char *type, unsigned nth,
                   FILE *mem, char **buf, size_t *len);
/* Sign every answer from now on (CMS signedData around the XML), as an
 * ONSS that signs its answers would; NULL: plain XML. */
struct gw_signer;
void simb_set_answer_signer(const struct gw_signer *s);
/* Whether a NOSS/KBO/INSS value fits the answer schemas (so optional ids are
 * written only when valid). */
int simb_noss_ok(const char *s);
int simb_kbo_ok(const char *s);
int simb_inss_ok(const char *s);

/* --- onss_batch_dimona.c --- */
/* Load the durable ledger (state/dimona-periods) into sb; sets next_period
 * past every id it holds. */
gw_rc simb_ledger_load(struct simb *sb);
/* Run the rules on every Form of a Dimona document; write NOTI (and IDFL). */
gw_rc simb_process_dimona(struct simb *sb, const struct simb_file *sf, xmlDoc *doc);
/* The one place the shared rule engine is called. */
size_t simb_dimona_rules(struct simb *sb, const struct dimona_decl *d, struct dimona_findings *f);

/* --- onss_batch_dmfa.c --- */
/* A DmfA original or update: NOTI per form (checked against the
 * glossary's anomalies when sb->dmfa_ref is set, a correction also
 * against the DB DmfA; one with a blocking anomaly refused) and the DMPI
 * permanent ids of the originals accepted, kept in the DB DmfA. */
gw_rc simb_process_dmfa(struct simb *sb, const struct simb_file *sf, xmlDoc *doc);

#endif
