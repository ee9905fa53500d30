/*
 * gen_contracts.c - deterministic generator of valid contract records for
 * benchmarks and load tests.
 *
 *   build/bench/gen_contracts N SEED [--jsonl] > contracts.csv
 *
 * Writes N records (CSV with the full header, or JSON Lines) that all pass
 * `gateway records validate`, with the cooperative's mix: 55% one-day
 * artist contracts (046, JC 304 / 329.02), 12% students (840/841, planned
 * hours, inside one quarter), 8% one-day flexi with hours and 3% flexi
 * periods, 8% Horeca extras with hours (some past midnight), 7%
 * white-collar periods (495), 7% blue-collar (015); across all of them 2%
 * foreign workers without INSS, 5% amendments (revision 2), 2%
 * cancellations, 10% on the second employing entity. Dates fall in
 * December 2026 and January 2027. Same N and SEED, same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"

static uint64_t rng;

/* xorshift64*: small, fast, and the same on every platform. */
static uint32_t
rnd(uint32_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32) % n;
}

/* A valid INSS for a random birth date between 1960 and 2008. */
static void
make_inss(char out[12])
{
	int y = 1960 + (int)rnd(49), m = 1 + (int)rnd(12);
	int d = 1 + (int)rnd((uint32_t)date_days_in_month(y, m));
	unsigned seq = 1 + rnd(997);
	unsigned long long base = (unsigned long long)(y % 100) * 10000000ULL +
	    (unsigned long long)m * 100000ULL + (unsigned long long)d * 1000ULL + seq;
	unsigned cc = 97 - (unsigned)((y >= 2000 ? 2000000000ULL + base : base) % 97);
	snprintf(out, 12, "%09llu%02u", base, cc);
}

static const char *const cols[] = {
	"contract_id", "revision", "status", "employer_noss", "employer_kbo", "worker_inss",
	"worker_last_name", "worker_first_name", "worker_birth_date", "worker_birth_place",
	"worker_birth_country", "worker_sex", "worker_nationality", "worker_street",
	"worker_house_number", "worker_postcode", "worker_municipality", "worker_country",
	"worker_type", "joint_committee", "worker_code", "start_date", "start_time",
	"end_date", "end_time", "planned_hours", "days_worked", "hours_worked",
	"weekly_hours", "reference_weekly_hours", "gross_wage_cents", "function_code",
	"invoice_id",
};
#define NCOLS (sizeof cols / sizeof cols[0])

static const char *const last_names[] = {
	"Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
	"Dubois", "Lambert", "Dupont", "Martin", "Leroy", "Simon", "El Amrani", "Nowak",
};
static const char *const first_names[] = {
	"Emma", "Louise", "Olivia", "Noah", "Arthur", "Lucas", "Mila", "Elena", "Adam",
	"Jules", "Lina", "Victor", "Nora", "Yasmine", "Piotr", "Marta",
};

/* Fill v[] (one string per column) for record number i. */
static void
make_record(unsigned long i, unsigned long seed, char v[NCOLS][48])
{
	for (size_t k = 0; k < NCOLS; k++)
		v[k][0] = '\0';
	gw_ymd start = date_add_days(20261201, rnd(62));
	gw_ymd end = start;
	unsigned kind = rnd(100);
	int days = 1;
	unsigned hours100 = 760;                 /* 7.60 */
	unsigned long wage = 20000 + rnd(30000);

	snprintf(v[0], 48, "G%lu-%08lu", seed, i);
	snprintf(v[1], 48, "%s", rnd(100) < 5 ? "2" : "1");
	snprintf(v[2], 48, "%s", rnd(100) < 2 ? "cancelled" : "active");
	if (rnd(10) == 0) {
		snprintf(v[3], 48, "123456749");
		snprintf(v[4], 48, "0801234549");
	} else {
		snprintf(v[3], 48, "051234526");
		snprintf(v[4], 48, "0456789034");
	}
	if (rnd(100) < 2) {
		/* A foreign worker without a Belgian number: the identity block. */
		snprintf(v[6], 48, "%s", last_names[rnd(16)]);
		snprintf(v[7], 48, "%s", first_names[rnd(16)]);
		date_format(date_add_days(19700101, rnd(12000)), v[8], 48);
		snprintf(v[9], 48, "Krak\xC3\xB3w");
		snprintf(v[10], 48, "139");
		snprintf(v[11], 48, "%u", 1 + rnd(2));
		snprintf(v[12], 48, "139");
		snprintf(v[13], 48, "ul. D\xC5\x82uga");
		snprintf(v[14], 48, "%u", 1 + rnd(200));
		snprintf(v[15], 48, "31-%03u", rnd(1000));
		snprintf(v[16], 48, "Krak\xC3\xB3w");
		snprintf(v[17], 48, "139");
	} else
		make_inss(v[5]);

	if (kind < 55) {                 /* artist, one day */
		snprintf(v[18], 48, "OTH");
		snprintf(v[19], 48, "%s", rnd(4) ? "304" : "329.02");
		snprintf(v[20], 48, "046");
		snprintf(v[31], 48, "%s", rnd(2) ? "2652" : "2655");
		if (rnd(3) == 0)
			snprintf(v[32], 48, "F-2026-%06u", rnd(1000000));
		hours100 = 300 + rnd(500);
	} else if (kind < 67) {          /* student, inside the quarter */
		snprintf(v[18], 48, "STU");
		snprintf(v[19], 48, "%s", rnd(2) ? "200" : "302");
		snprintf(v[20], 48, "%s", rnd(2) ? "840" : "841");
		gw_ymd last = date_quarter_last(DATE_YEAR(start), date_quarter(start));
		end = date_add_days(start, rnd((uint32_t)date_diff_days(start, last) + 1 > 10 ?
		    10 : (uint32_t)date_diff_days(start, last) + 1));
		days = (int)date_diff_days(start, end) + 1;
		hours100 = (unsigned)days * 800;
		snprintf(v[25], 48, "%d", days * 8);
	} else if (kind < 78) {          /* flexi: one day with hours, or a month */
		snprintf(v[18], 48, "FLX");
		snprintf(v[19], 48, "302");
		snprintf(v[20], 48, "050");   /* flexi-job manual workers */
		if (kind < 75) {
			unsigned s = 10 + rnd(8);
			snprintf(v[22], 48, "%02u:00", s);
			snprintf(v[24], 48, "%02u:30", s + 5);
			hours100 = 550;
		} else {
			end = date_add_days(start, 7 + rnd(20));
			days = 3 + (int)rnd(5);
			hours100 = (unsigned)days * 600;
		}
	} else if (kind < 86) {          /* Horeca extra, sometimes past midnight */
		snprintf(v[18], 48, "EXT");
		snprintf(v[19], 48, "302");
		snprintf(v[20], 48, "015");
		unsigned s = 11 + rnd(10);
		snprintf(v[22], 48, "%02u:00", s);
		if (s + 6 >= 24) {
			end = date_add_days(start, 1);
			snprintf(v[24], 48, "%02u:00", s + 6 - 24);
		} else
			snprintf(v[24], 48, "%02u:30", s + 6);
		hours100 = 600;
	} else if (kind < 93) {          /* white-collar period */
		snprintf(v[18], 48, "OTH");
		snprintf(v[19], 48, "200");
		snprintf(v[20], 48, "495");
		end = date_add_days(start, 4 + rnd(25));
		days = (int)date_diff_days(start, end) * 5 / 7 + 1;
		hours100 = (unsigned)days * 760;
		snprintf(v[28], 48, "%s", rnd(2) ? "38" : "19");
		wage = (unsigned long)days * 13000;
	} else {                         /* blue-collar */
		snprintf(v[18], 48, "OTH");
		snprintf(v[19], 48, "%s", rnd(2) ? "124" : "140.03");
		snprintf(v[20], 48, "015");
		end = date_add_days(start, rnd(5));
		days = (int)date_diff_days(start, end) + 1;
		hours100 = (unsigned)days * 800;
		snprintf(v[29], 48, "40");
		wage = (unsigned long)days * 18000;
	}
	date_format(start, v[21], 48);
	date_format(end, v[23], 48);
	snprintf(v[26], 48, "%d", days);
	snprintf(v[27], 48, "%u.%02u", hours100 / 100, hours100 % 100);
	snprintf(v[30], 48, "%lu", wage);
}

int
main(int argc, char **argv)
{
	static char v[NCOLS][48];
	char *end;
	int jsonl = argc > 3 && strcmp(argv[3], "--jsonl") == 0;

	if (argc < 3 || argc > 4 || (argc == 4 && !jsonl)) {
		fprintf(stderr, "usage: gen_contracts N SEED [--jsonl] > file\n");
		return 2;
	}
	unsigned long n = strtoul(argv[1], &end, 10);
	if (*end != '\0')
		return 2;
	unsigned long seed = strtoul(argv[2], &end, 10);
	if (*end != '\0')
		return 2;
	rng = 0x9E3779B97F4A7C15ULL ^ (seed * 0xD1B54A32D192ED03ULL);
	if (rng == 0)
		rng = 1;
	if (!jsonl)
		for (size_t k = 0; k < NCOLS; k++)
			printf("%s%c", cols[k], k + 1 < NCOLS ? ',' : '\n');
	for (unsigned long i = 1; i <= n; i++) {
		make_record(i, seed, v);
		if (jsonl) {
			const char *sep = "{";
			for (size_t k = 0; k < NCOLS; k++) {
				if (v[k][0] == '\0')
					continue;
				printf("%s\"%s\":\"%s\"", sep, cols[k], v[k]);
				sep = ",";
			}
			fputs("}\n", stdout);
		} else {
			for (size_t k = 0; k < NCOLS; k++) {
				fputs(v[k], stdout);
				putchar(k + 1 < NCOLS ? ',' : '\n');
			}
		}
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
