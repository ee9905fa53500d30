/*
 * dmfa_followup.h - the quarterly DmfA from the contract revisions stored
 * (message payloads in the queue, revisions kept in the record store), and
 * its corrections.
 *
 * `gateway dmfa queue --quarter Q` (and the service) call
 * dmfa_followup_queue(): for each employer of the quarter it queues, on the
 * onss-batch channel, either the original (kind "dmfa", purpose DMFA) or,
 * once that original was accepted and its permanent ids (DMPI) are kept,
 * a correction (kind "dmfa-update", purpose DMWA) of what changed since
 * the last accepted filing. Each message is its own submission (one
 * employer per FI), built, checked against the XSD and signed before it is
 * queued, together with its filed set (the (contract id, revision) pairs
 * it declared, so a later correction can rebuild the rows as filed) in the
 * record store, one transaction (service/dmfa_filing.h keeps the filing
 * state: filed sets and DMPI permanent ids).
 *
 * Owns the record ids "DMFA:<YYYYQ>:<NOSS>" and the filed-set format. Never
 * queues a second original for a filed quarter, never queues anything while
 * a filing of the same employer and quarter awaits its answer, and never
 * touches the contract messages it reads.
 */
#ifndef GW_SERVICE_DMFA_FOLLOWUP_H
#define GW_SERVICE_DMFA_FOLLOWUP_H

#include <stddef.h>
#include <stdint.h>
#include "core/err.h"
#include "crypto/signer.h"
#include "onss/dmfa/params.h"
#include "onss/dmfa/rows.h"
#include "queue/queue.h"
#include "records/contract.h"
#include "service/dmfa_check.h"

#define DMFA_KIND_ORIGINAL "dmfa"
#define DMFA_KIND_UPDATE   "dmfa-update"

/* One (contract id, revision) a filing declared. */
struct dmfa_filed_item {
	char id[CONTRACT_ID_MAX + 1];
	uint32_t rev;
};

/* What one message filed for one employer and quarter, sorted by id. */
struct dmfa_filed {
	int quarter;
	uint32_t noss;
	size_t n, cap;
	struct dmfa_filed_item *v;
};

void dmfa_filed_free(struct dmfa_filed *f);
/* The set of contracts behind prepared rows of one employer. */
gw_rc dmfa_filed_from_rows(struct dmfa_filed *f, int quarter, uint32_t noss,
                           const struct dmfa_row *v, size_t n);
/* {"quarter":20264,"noss":"051234526","contracts":[["C-1",1],...]}; *out malloc'd. */
gw_rc dmfa_filed_to_json(const struct dmfa_filed *f, char **out);
gw_rc dmfa_filed_from_json(const char *json, struct dmfa_filed *f);
/* The revision of id in f, 0 when f does not hold it. */
uint32_t dmfa_filed_rev(const struct dmfa_filed *f, const char *id);
/* 1 when both sets declare the same revisions of the same contracts. */
int dmfa_filed_same(const struct dmfa_filed *a, const struct dmfa_filed *b);

/* One stored revision of a contract: the canonical JSON of a queue
 * message's payload (not owned). */
struct dmfa_rev {
	char id[CONTRACT_ID_MAX + 1];
	uint32_t rev;
	const char *json;
};

/* Rows to prepare from stored revisions: filed == NULL gives the current
 * state (each contract's highest revision); otherwise the state as filed:
 * for the contracts in filed, exactly the revision filed (GW_ENOTFOUND,
 * *missing named, when it is not stored any more), for the others their
 * highest revision (they matter for the student quota of the year, and
 * dmfa_followup_keep drops those of the filed employer's quarter). */
gw_rc dmfa_followup_rows(const struct dmfa_rev *v, size_t n, const struct dmfa_filed *filed,
                         int quarter, struct dmfa_rows *rows, const char **missing);
/* The student contingent as the ONSS counts it, across employers, from
 * the Dimona answers the queue keeps: an accepted Dimona IN or UPDATE of a
 * contract whose answer reported 90017-369 (contingent exceeded), as an
 * anomaly or as an information (the runner keeps both, by code, in the
 * message's last_error),
 * marks that contract's rows with 0 hours left (dmfa_rows_set_contingent);
 * the answer gives no figure. Before dmfa_rows_prepare. Returns the
 * number of contracts marked. */
size_t dmfa_followup_contingent(const struct queue_msg *msgs, size_t n, struct dmfa_rows *rows);

/* After dmfa_rows_prepare: keep only employer noss's rows and, with filed,
 * only those of contracts filed. */
void dmfa_followup_keep(struct dmfa_rows *rows, uint32_t noss, const struct dmfa_filed *filed);

/* The record id of the filings of an employer and quarter. */
void dmfa_followup_record_id(char out[QUEUE_ID_MAX + 1], int quarter, uint32_t noss);

/* What happened to one employer, for the caller to print. */
typedef void (*dmfa_followup_say_fn)(void *arg, const char *record_id, const char *what);

struct dmfa_followup_opts {
	int quarter;
	const char *sender;              /* [onss_batch] sender */
	char env;                        /* [onss_batch] env */
	const char *outbox;              /* [onss_batch] outbox: the FI/FS/GO go there */
	const struct gw_signer *signer;  /* NULL only in S */
	const struct dmfa_params *p;
	int employer_class;
	int validate;                    /* XSD check before anything is queued */
	const char *justification;       /* NULL: the writer's default */
	gw_ymd today;
	int created_ms;
	dmfa_reject_fn reject;           /* rows the DmfA cannot carry */
	void *reject_arg;
	dmfa_followup_say_fn say;
	void *say_arg;
	const uint64_t *accept;          /* workers (INSS) whose Dimona mismatch the operator
	                                    accepts for this run (--accept-mismatch) */
	size_t naccept;
};

struct dmfa_followup_result {
	size_t employers, originals, updates, unchanged, waiting, failed, unstored;
	size_t held;                     /* employers held back by a blocking mismatch */
	char left_out[160];              /* contracts of a worker type without DmfA:
	                                    "3 contracts (DWD 2, STG 1)", or "" */
};

/* One pass over the quarter. GW_OK also when nothing was queued. An
 * employer with a blocking reconciliation mismatch (service/dmfa_check.h)
 * not accepted through o->accept is held: nothing queued for it, each
 * mismatch said. */
gw_rc dmfa_followup_queue(struct queue *q, const struct dmfa_followup_opts *o,
                          struct dmfa_followup_result *r);

/* The quarter's reconciliation over the stored contracts (`gateway dmfa
 * check`): the rows as dmfa_followup_queue would file them (o->quarter,
 * o->p, o->reject only), against the queue's Dimona and invoice messages. */
gw_rc dmfa_followup_check(struct queue *q, const struct dmfa_followup_opts *o,
                          const struct dmfa_check_opts *co, struct dmfa_check_result *r);

#endif
