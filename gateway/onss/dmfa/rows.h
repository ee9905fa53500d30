/*
 * rows.h - the compact in-memory form of a quarter's contracts.
 *
 * A DmfA for a million contracts is built from an array of small fixed-size
 * rows (about 100 bytes each), never from a million parsed documents. This
 * module owns collecting rows from validated contracts, keeping the highest
 * revision of each contract, the student hours quota (hours above it move to
 * the ordinary code) and the ordering the XML writer walks:
 * (employer, INSS, worker code, start date, contract id).
 * It never formats XML and never computes a contribution.
 */
#ifndef GW_ONSS_DMFA_ROWS_H
#define GW_ONSS_DMFA_ROWS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "core/err.h"
#include "records/contract.h"
#include "onss/dmfa/params.h"

struct dmfa_row {
	char contract_id[CONTRACT_ID_MAX + 1];
	char jc[10];              /* joint committee as declared: 304, 329.02 */
	char wtype[4];            /* Dimona worker type: OTH, STU, FLX, DWD... */
	uint32_t revision;
	uint32_t noss;            /* employer ONSS number */
	uint64_t kbo;             /* employer enterprise number */
	uint64_t inss;            /* 0: worker without INSS (not declarable yet) */
	uint64_t unit;            /* LocalUnitID: the record's, else the employer's default */
	uint16_t worker_code;
	uint8_t cancelled;
	uint8_t split;            /* 1: the over-quota part of a student contract */
	uint8_t goes_on;          /* 1: the contract goes on after the quarter (no ending date) */
	uint8_t open_ended;       /* 1: the record has no end_date */
	uint8_t retired;          /* Retired (00054) */
	uint8_t ext;              /* Dimona worker type EXT (occasional worker) */
	uint8_t qfig;             /* days, hours, gross are the record's quarter_figures
	                           * for the quarter being built */
	uint8_t remun_method;     /* RemunMethod (00056), 0 none */
	gw_ymd start, end;        /* the contract's own dates; end = start when the
	                           * record has none and it is not open-ended */
	int32_t q, s;             /* mean weekly hours of worker / reference, hundredths */
	int64_t days, hours;      /* hundredths; after dmfa_rows_prepare: this quarter's share */
	int64_t gross;            /* cents; likewise */
	int64_t hol_days, hol_hours;  /* legal holiday of manual workers (service 002), likewise */
	int64_t copyright;        /* copyright fees (remuneration 047), cents, likewise */
	int64_t exit_pay;         /* exit holiday pay subject to contributions (remuneration 007),
	                           * cents; only in the quarter the contract ends */
	int64_t exit_pay_exempt;  /* the part not subject (remuneration 011), likewise */
	int64_t ssc;              /* special social security contribution withheld (line 856),
	                           * cents; the record lies inside one quarter (records rules) */
	int64_t contingent_left;  /* student hours (hundredths) the Dimona answer leaves at the
	                           * solidarity rate across employers, when contingent_known */
	uint8_t contingent_known; /* 0 (a zeroed row): no answer known */
};

/* Contracts of the quarter left out of the DmfA because their worker
 * type has none (DWD, STG, IVT, TRI, art. 17), counted per type. */
#define DMFA_LEFT_OUT_TYPES 8
struct dmfa_left_out {
	size_t n;
	struct { char type[4]; size_t n; } by[DMFA_LEFT_OUT_TYPES];
};

struct dmfa_rows {
	struct dmfa_row *v;
	size_t n, cap;
	struct dmfa_left_out left_out;   /* filled by dmfa_rows_prepare */
};

/* YYYYQ -> first and last day of the quarter; GW_EINPUT when malformed. */
gw_rc dmfa_quarter_bounds(int quarter, gw_ymd *first, gw_ymd *last);
/* Parse "2026Q1", "20261" or "2026-1" into YYYYQ. */
gw_rc dmfa_quarter_parse(const char *s, int *quarter);

void dmfa_rows_init(struct dmfa_rows *r);
void dmfa_rows_free(struct dmfa_rows *r);
/* Append a validated contract. When the record carries quarter_figures
 * for quarter, the row's days, hours and pay are that quarter's. */
gw_rc dmfa_rows_add(struct dmfa_rows *r, const struct contract *c, int quarter);

/* Append a contract stored as canonical JSON (the queue's message payload,
 * records/reader.h contract_to_json); it is re-validated first. GW_EINPUT
 * with *rej filled when it does not validate. For the service, which builds
 * the quarter from its stored records instead of a file. */
struct record_rejection;
gw_rc dmfa_rows_add_json(struct dmfa_rows *r, const char *json, size_t len, int quarter,
                         struct record_rejection *rej);

/* What the Dimona answer to the STU declaration of contract_id says about
 * the student's yearly contingent, counted by the ONSS across employers:
 * hours_left (hundredths) still at the solidarity rate when the contract
 * starts, 0 when the answer reports 90017-369 (contingent exceeded) without
 * a figure. Applies to every revision of the contract in r; the quota split
 * then uses the smaller of this and what the input itself leaves. Returns
 * the number of rows marked. */
size_t dmfa_rows_set_contingent(struct dmfa_rows *r, const char *contract_id, int64_t hours_left);

/* A contract the DmfA cannot carry (worker without INSS, code without a rule). */
typedef void (*dmfa_reject_fn)(void *arg, const struct dmfa_row *row, const char *field,
                               const char *reason);

/* Keep the highest revision of each contract, drop cancelled ones, apply
 * the student quota over the calendar year, keep only rows whose period
 * touches the quarter (a contract that spans quarters keeps this quarter's
 * share of its days, hours and pay: dmfa_row_quarter_share) and sort them
 * for writing. Rows of a worker type without DmfA (DWD, STG, IVT, TRI, O17,
 * S17, T17: records/worker_regime.h) are dropped: they owe nothing; those
 * of the quarter are counted per type in r->left_out for the caller to
 * say (never silently). Rows
 * without INSS, without a rule for their worker code or without an
 * establishment unit (neither the record's employer_unit_id nor the
 * employer's default in dmfa.local_units: anomaly 00042-001) are reported
 * through reject and removed.
 * *nrejected counts them. */
gw_rc dmfa_rows_prepare(struct dmfa_rows *r, const struct dmfa_params *p,
                        dmfa_reject_fn reject, void *arg, size_t *nrejected);

/* "3 contracts (DWD 2, STG 1)", types in alphabetical order; "" when
 * nothing was left out. */
void dmfa_rows_left_out_text(const struct dmfa_left_out *l, char *buf, size_t cap);

/* A contract that spans quarters: its share in the quarter [first, last],
 * in proportion to the calendar days of its period that fall in it, rounded
 * so that the shares of all quarters add up to the record's figures; the
 * record's quarter_figures for the quarter, when it has them, instead. An
 * open-ended contract (no end_date) keeps its figures in its start quarter
 * and, without quarter_figures, has no share it could know in a later one:
 * GW_EINPUT. */
gw_rc dmfa_row_quarter_share(struct dmfa_row *row, gw_ymd first, gw_ymd last);

#endif
