/*
 * contract.h - a validated contract record (shared/spec/records.md).
 *
 * This is the normalised, in-memory form every builder works from: the
 * parser (records/contract_csv.c, records/contract_jsonl.c) fills it only
 * after every field check passed. Amounts, days and hours are fixed-point
 * integers; no double ever holds one. Text fields are NUL-terminated UTF-8,
 * bounded by the sizes below (a longer value is a rejection, not a cut).
 */
#ifndef GW_RECORDS_CONTRACT_H
#define GW_RECORDS_CONTRACT_H

#include <stdbool.h>
#include <stdint.h>
#include "core/date.h"   /* gw_ymd, gw_hm */

#define CONTRACT_ID_MAX     40
#define CONTRACT_TEXT_MAX   96   /* names, street, municipality, place */
#define CONTRACT_SHORT_MAX  16   /* house number, postcode */

enum contract_status { CONTRACT_ACTIVE, CONTRACT_CANCELLED };

#define CONTRACT_QFIG_MAX   8    /* quarter_figures entries */

/* One quarter's days, hours and pay of a contract that spans quarters. */
struct contract_quarter_figures {
	int quarter;                  /* YYYYQ */
	int64_t days, hours;          /* hundredths */
	int64_t cents;
};


struct contract_address {
	char street[CONTRACT_TEXT_MAX + 1];
	char house_number[CONTRACT_SHORT_MAX + 1];
	char postcode[CONTRACT_SHORT_MAX + 1];
	char municipality[CONTRACT_TEXT_MAX + 1];
	int  country;                 /* ONSS country code; 0 when absent */
};

struct contract {
	char contract_id[CONTRACT_ID_MAX + 1];
	uint32_t revision;            /* >= 1 */
	enum contract_status status;

	char employer_noss[10];       /* 9 digits */
	char employer_kbo[11];        /* 10 digits, mod-97 checked */
	char employer_unit_id[11];    /* establishment unit (DmfA LocalUnitID), optional */

	char worker_inss[12];         /* 11 digits, or "" for a worker without INSS */
	/* Identity block: required (and checked) when worker_inss is empty. */
	char worker_last_name[CONTRACT_TEXT_MAX + 1];
	char worker_first_name[CONTRACT_TEXT_MAX + 1];
	gw_ymd worker_birth_date;
	char worker_birth_place[CONTRACT_TEXT_MAX + 1];
	int  worker_birth_country;
	int  worker_sex;              /* 1 male, 2 female, 0 absent */
	int  worker_nationality;
	struct contract_address worker_address;

	char worker_type[4];          /* Dimona worker type: OTH, STU, FLX, EXT, ... */
	char joint_committee[10];     /* full: NNN, NNN.NN or NNN.NN.NN */
	char worker_code[4];          /* DmfA annex 2, 3 digits */

	gw_ymd start_date;
	gw_hm  start_time;            /* -1 when absent */
	gw_ymd end_date;              /* 0 when absent */
	gw_hm  end_time;              /* -1 when absent */
	int    planned_hours;         /* 0 when absent, else 1..999 */

	int64_t days_worked;          /* hundredths of a day */
	int64_t hours_worked;         /* hundredths of an hour */
	int64_t weekly_hours;         /* hundredths; defaults to reference_weekly_hours */
	int64_t reference_weekly_hours; /* hundredths; default 3800 */
	int64_t gross_wage_cents;

	char function_code[8];        /* ISCO-08, optional */
	bool has_place_of_work;
	char place_of_work_name[CONTRACT_TEXT_MAX + 1];
	struct contract_address place_of_work;   /* country unused */
	char invoice_id[CONTRACT_ID_MAX + 1];    /* optional, "3in1" */

	/* Optional DmfA details (docs/records.md). */
	int retired;                  /* DmfA Retired (00054): 1 retired, 0 not or unknown */
	int remun_method;             /* DmfA RemunMethod (00056): 1..3, 0 none */
	int64_t legal_holiday_days;   /* hundredths: manual worker's legal holiday, service 002 */
	int64_t legal_holiday_hours;  /* hundredths */
	int64_t copyright_fees_cents; /* copyright and neighbouring rights fee, remuneration 047 */
	/* White-collar exit holiday pay, paid when the contract ends, as the
	 * payroll computed it: the simple exit holiday pay subject to
	 * contributions (remuneration 007) and the part not subject (011). */
	int64_t exit_holiday_pay_cents;
	int64_t exit_holiday_pay_exempt_cents;
	/* Special social security contribution (DmfA line 856) the payroll
	 * withheld on this record's pay: a scale by pay and household
	 * situation the gateway cannot apply, so the payroll's amount. */
	int64_t special_ss_contribution_cents;
	struct contract_quarter_figures quarter_figures[CONTRACT_QFIG_MAX];
	int nquarter_figures;
};

#endif
