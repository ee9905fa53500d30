/*
 * answer.h - the ONSS answer files of the batch channel, parsed.
 *
 *   ACRF          receipt of a submission: result 1 (accepted) or 0 (refused)
 *                 with ErrorIDs (ACRF-088...), the ticket, the echoed GO name
 *   NOTIFICATION  result of processing each declaration: ResultCode and every
 *                 anomaly (zone-code ErrorID, class B/P/NP/D/W/I, location,
 *                 path); for Dimona, the period impact report
 *   DmfAPID       the permanent ids of a DmfA (employer declaration, natural
 *                 persons, worker records, occupations) that corrections need
 *   IDFLUX        an identity change: the outdated and the valid situation
 *
 * Each file is checked against its official XSD (read at run time from
 * gw_reference_dir()/onss/xsd, or [onss] xsd_dir) before it is believed.
 * Labels come from the annex 30 code list (onss/codelist.h). An answer
 * that comes signed (CMS signedData around the XML, DER or base64) is
 * verified first against [onss_batch] answer_ca (an empty answer_ca is a
 * refusal, not a pass); one that does not verify is refused, never read.
 * Where answers must be signed (onss_answers_must_be_signed), a plain one
 * is refused too: the apply path then keeps it in unmatched/ with why.
 */
#ifndef GW_ONSS_BATCH_ANSWER_H
#define GW_ONSS_BATCH_ANSWER_H

#include <stddef.h>
#include "core/err.h"

enum onss_answer_kind { ANSWER_ACRF, ANSWER_NOTI, ANSWER_DMPI, ANSWER_IDFLUX };

const char *onss_answer_kind_name(enum onss_answer_kind k);  /* "ACRF", "NOTIFICATION", "DmfAPID", "IDFLUX" */

struct onss_ref {                    /* Reference / HandledReference */
	int type, origin;                /* ReferenceType, ReferenceOrigin; 0 when absent */
	char nbr[65];                    /* ReferenceNbr (up to 64) */
};

struct onss_anomaly {
	char id[16];                     /* ErrorID, e.g. 90024-091 */
	char tag[64];                    /* TagName */
	char value[256];                 /* Value */
	char cls[4];                     /* AnomalyClass: B, P, NP, D, W, I */
	long line, column;               /* AnomalyLocation LineNbr/ColumnNbr; 0 when absent */
	char location[96];               /* AnomalyLocation/Location */
	char path[512];                  /* Path, as "Name=value/Name=value" */
	const char *label_nl, *label_fr; /* annex 30 labels, or NULL; owned by codelist */
};

struct onss_dimona_impact {          /* NOTIFICATION ImpactReport/DimonaImpactReport */
	int present;
	char period_id[24];
	int locked;
	char before_start[16], before_end[16], after_start[16], after_end[16];
};

/* DmfAPID: permanent ids. Arrays are malloc'd and owned by the answer. */
struct dmpi_occupation { int seq; long long version; };
struct dmpi_worker_record {
	char employer_class[4], worker_code[4];
	long long version;
	size_t n_occupations;
	struct dmpi_occupation *occupations;
};
struct dmpi_person {
	char inss[12];
	long long person_pid, decl_person_pid, decl_person_version;
	size_t n_records;
	struct dmpi_worker_record *records;
};
struct dmpi_declaration {
	int quarter;                     /* 20224 */
	char noss[16];                   /* NOSSRegistrationNbr (or LPA number) */
	int trusteeship;
	char company_id[12];
	long long employer_decl_pid;
	size_t n_persons;
	struct dmpi_person *persons;
};

/* IDFLUX: one identity change. */
struct idflux_situation {
	char inss[12], name[64], first_name[32], birth_date[12], noss[16];
	int sex;                         /* 0 when absent */
};
struct idflux_info {
	int justification;               /* 90..93 */
	char effective_date[12];
	char employer_noss[16], employer_company_id[12];
	struct idflux_situation valid, outdated;
};

struct onss_answer_form {
	char identification[16];         /* ACRF001, NOTI001, DMFAPID, IDFLUX */
	char created[32];                /* FormCreationDate "T" FormCreationHour */
	char type_form[4];
	char file_name[128];             /* FileReference/FileName (the GO name) */
	int ref_origin;
	char ticket[65];                 /* FileReference/ReferenceNbr */
	int result_code;                 /* ReceptionResult or HandlingResult ResultCode; -1 absent */
	size_t n_errors;                 /* ACRF ReceptionResult/ErrorID */
	char (*errors)[16];
	/* NOTIFICATION */
	char handled_form[16];           /* HandledOriginalForm/Identification */
	struct onss_ref handled_ref;     /* HandledReference */
	char employer_noss[16], employer_company_id[12];
	char worker_inss[12];            /* first WorkerRecordIdentification/INSS or NaturalPerson/INSS */
	size_t n_anomalies;
	struct onss_anomaly *anomalies;
	struct onss_dimona_impact impact;
	/* Reference blocks: DmfAPID, IDFLUX, and a NOTIFICATION's echo of the
	 * sender's own reference (origin 1) */
	size_t n_refs;
	struct onss_ref refs[4];
	struct dmpi_declaration dmpi;
	struct idflux_info idflux;
};

struct onss_answer {
	enum onss_answer_kind kind;
	char name[256];                  /* file name it was read from, or "" */
	int schema_valid;                /* 1 when the XSD check passed */
	int signed_answer;               /* 1: it came as CMS signedData and verified */
	char signer[256];                /* the ONSS signer's subject, when signed */
	size_t n_forms;
	struct onss_answer_form *forms;
};

#define ONSS_ANSWER_NO_XSD 1         /* skip the XSD check (fuzzing, tests of the parser) */
#define ONSS_ANSWER_UNWRAPPED 2      /* internal: the signature layer is already removed */
#define ONSS_ANSWER_INSPECT 4        /* show-answer: read an unsigned answer even where answers
                                        must be signed (nothing is applied from it) */

/* Whether answers must come signed by the ONSS: [onss_batch] answers_signed
 * = required | optional; its default is required in production (env R) and
 * optional in the test environments (T, S), whose answers may be plain. */
int onss_answers_must_be_signed(void);

/* Parse and validate an answer held in memory. errbuf says why on failure:
 * GW_EINPUT = not an ONSS answer, not well-formed or not schema-valid. */
gw_rc onss_answer_parse(const char *buf, size_t len, const char *name, int flags,
                        struct onss_answer **out, char *errbuf, size_t errcap);
/* The same from a file (name = its base name). */
gw_rc onss_answer_parse_file(const char *path, int flags, struct onss_answer **out,
                             char *errbuf, size_t errcap);
void onss_answer_free(struct onss_answer *a);

/* The JSON of `gateway onss show-answer` (spec/cli.md); *out malloc'd. */
gw_rc onss_answer_to_json(const struct onss_answer *a, char **out);

/* The worst anomaly class of a NOTIFICATION form: 'B' (blocking), 'W'
 * (warnings only) or 0 (none). */
char onss_answer_form_severity(const struct onss_answer_form *f);

#endif
