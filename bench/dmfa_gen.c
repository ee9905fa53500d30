/*
 * dmfa_gen.c - deterministic generator for the DmfA scale benchmark:
 *   dmfa_gen CONTRACTS WORKERS SEED YYYYQ [REVISED_PER_MILLE] > contracts.csv
 *   dmfa_gen --dmpi WORKERS YYYYQ > dmpi.xml
 * The second form writes the permanent ids (DmfAPID) the ONSS would return
 * for the first; with REVISED_PER_MILLE, that many contracts in a thousand
 * come as revision 2 with 1.00 more pay (the same contracts otherwise), so
 * a correction can be timed too.
 *
 * Writes CSV contract records (shared/spec/records.md) for one quarter:
 * WORKERS workers with valid INSS numbers spread over 20 employers, each
 * contract one day, most workers under one worker code and joint committee,
 * a few changing committee, students (841) among them. Owns nothing else;
 * the same arguments always give the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng;

/* xorshift64*: small, fast, deterministic. */
static uint64_t
next(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(next() % n);
}

/* INSS for worker w: a birth date and a sequence, with its check digits. */
static void
inss_of(unsigned w, char out[12])
{
	unsigned yy = 60 + w % 39, mm = 1 + (w / 39) % 12, dd = 1 + (w / 468) % 28, seq = 1 + (w / 13104) % 997;
	uint64_t n = (uint64_t)yy * 10000000 + mm * 100000 + dd * 1000 + seq;
	snprintf(out, 12, "%09llu%02u", (unsigned long long)n, (unsigned)(97 - n % 97));
}

static void
noss_of(unsigned e, char out[10])
{
	unsigned n = 1000000 + e * 7919;
	unsigned c = 96 - (unsigned)(((uint64_t)n * 100) % 97);
	snprintf(out, 10, "%07u%02u", n, c ? c : 97);
}

static void
kbo_of(unsigned e, char out[11])
{
	unsigned n = 4000000 + e * 104729;   /* 0-prefixed 10-digit numbers */
	snprintf(out, 11, "%08u%02u", n, 97 - n % 97);
}

static const char *codes[] = { "046", "046", "495", "015", "841" };

/* The DmfAPID of the workers: one form per employer, every person with its
 * worker record and a first occupation. */
static int
dmpi(unsigned long nw, unsigned long q)
{
	unsigned long long pid = 1000000001ULL;
	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DmfAPID>\n");
	for (unsigned e = 0; e < 20; e++) {
		char noss[10], kbo[11];
		noss_of(e, noss);
		kbo_of(e, kbo);
		printf("<Form><Identification>DMFAPID</Identification><FormCreationDate>2026-07-20</FormCreationDate>"
		       "<FormCreationHour>10:00:00.000</FormCreationHour><AttestationStatus>0</AttestationStatus>"
		       "<TypeForm>SU</TypeForm><Reference><ReferenceType>3</ReferenceType><ReferenceOrigin>2</ReferenceOrigin>"
		       "<ReferenceNbr>BENCH%02u</ReferenceNbr></Reference><Reference><ReferenceType>1</ReferenceType>"
		       "<ReferenceOrigin>2</ReferenceOrigin><ReferenceNbr>BENCHT%02u</ReferenceNbr></Reference>"
		       "<IDEmployerDeclaration><Quarter>%lu</Quarter>"
		       "<NOSSRegistrationNbr>%s</NOSSRegistrationNbr><Trusteeship>0</Trusteeship><CompanyID>%s</CompanyID>"
		       "<EmployerDeclarationPID>%llu</EmployerDeclarationPID>\n", e, e, q, noss, kbo, pid++);
		for (unsigned long w = e; w < nw; w += 20) {
			char inss[12];
			inss_of((unsigned)w, inss);
			printf("<IDNaturalPerson><INSS>%s</INSS><NaturalPersonPID>%llu</NaturalPersonPID>"
			       "<DeclNaturalPersonPID>%llu</DeclNaturalPersonPID><DeclNaturalPersonVersionNbr>%llu"
			       "</DeclNaturalPersonVersionNbr><IDWorkerRecord><EmployerClass>000</EmployerClass>"
			       "<WorkerCode>%s</WorkerCode><WorkerRecordVersionNbr>%llu</WorkerRecordVersionNbr>"
			       "<IDOccupation><OccupationSequenceNbr>1</OccupationSequenceNbr><OccupationVersionNbr>%llu"
			       "</OccupationVersionNbr></IDOccupation></IDWorkerRecord></IDNaturalPerson>\n",
			       inss, pid, pid + 1, pid + 1, codes[w % 5], pid + 2, pid + 3);
			pid += 4;
		}
		printf("</IDEmployerDeclaration></Form>\n");
	}
	printf("</DmfAPID>\n");
	return fflush(stdout) != 0;
}

int
main(int argc, char **argv)
{
	static char buf[1 << 16];
	setvbuf(stdout, buf, _IOFBF, sizeof buf);
	if (argc == 4 && strcmp(argv[1], "--dmpi") == 0)
		return dmpi(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
	if (argc != 5 && argc != 6) {
		fprintf(stderr, "usage: dmfa_gen CONTRACTS WORKERS SEED YYYYQ [REVISED_PER_MILLE]\n"
		        "       dmfa_gen --dmpi WORKERS YYYYQ\n");
		return 2;
	}
	unsigned long revised = argc == 6 ? strtoul(argv[5], NULL, 10) : 0;
	unsigned long nc = strtoul(argv[1], NULL, 10), nw = strtoul(argv[2], NULL, 10);
	rng = strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ULL + 1;
	unsigned long q = strtoul(argv[4], NULL, 10);
	unsigned year = (unsigned)(q / 10), quarter = (unsigned)(q % 10);
	if (nw == 0 || nw > 5000000 || quarter < 1 || quarter > 4) {
		fprintf(stderr, "dmfa_gen: bad arguments\n");
		return 2;
	}
	static const char *jcs[] = { "304", "200", "329.02", "124", "302" };
	printf("contract_id,revision,status,employer_noss,employer_kbo,worker_inss,worker_type,"
	       "joint_committee,worker_code,start_date,end_date,planned_hours,days_worked,"
	       "hours_worked,gross_wage_cents\n");
	for (unsigned long i = 0; i < nc; i++) {
		unsigned w = (unsigned)(i < nw ? i : pick((unsigned)nw));
		char inss[12], noss[10], kbo[11];
		unsigned e = w % 20;
		inss_of(w, inss);
		noss_of(e, noss);
		kbo_of(e, kbo);
		const char *code = codes[w % 5];
		int stu = code[0] == '8';
		/* One committee per worker, a second one for every 7th worker. */
		const char *jc = jcs[(w / 5 + (w % 7 == 0 ? pick(2) : 0)) % 5];
		unsigned month = (quarter - 1) * 3 + 1 + pick(3), day = 1 + pick(28);
		unsigned hours = 4 + pick(7);
		unsigned gross = 5000 + pick(35000);
		/* Revised contracts: chosen without drawing from the generator, so
		 * every other value stays the same as in the unrevised file. */
		int rev = (unsigned)((i * 2654435761UL) % 1000) < revised;
		if (rev)
			gross += 100;
		char ph[8] = "";
		if (stu)
			snprintf(ph, sizeof ph, "%u", hours);
		printf("B%08lu,%d,active,%s,%s,%s,%s,%s,%s,%04u-%02u-%02u,%04u-%02u-%02u,%s,1,%u,%u\n",
		       i + 1, rev ? 2 : 1, noss, kbo, inss, stu ? "STU" : "OTH", jc, code, year, month, day, year, month,
		       day, ph, hours, gross);
	}
	if (fflush(stdout) != 0)
		return 1;
	return 0;
}
