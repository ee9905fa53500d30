/*
 * onss_batch.c - `gateway sim batch`: the simulated ONSS batch processor
 * that sits behind a real sshd. It watches the IN, INTEST and INTEST-S
 * folders of the SFTP root for GO files and, for each, checks what the ONSS
 * checks, in its order: the GO name, the environment against the folder,
 * a name already seen, FI present, FS present (not in simulation) and its
 * CMS signature, well-formed XML, the schema named by the purpose, the XSD.
 * A failure is answered by an ACRF with result 0 and the annex 30 error id
 * (ACRF-107 name, ACRF-118/119/144 folder, ACRF-133 duplicate, ACRF-120 no
 * FI, ACRF-122 no FS, ACRF-125 bad signature, ACRF-102 XML or schema,
 * ACRF-088 unknown schema, ACRF-158 form type not the one named). A file
 * that passes gets ACRF result 1 with a ticket, then NOTIFICATION (and
 * IDFLUX) for Dimona, NOTIFICATION and DmfAPID for DmfA (an original DmfA
 * and a correction judged by the glossary's anomalies, a correction also
 * against the declarations accepted, unless --dmfa-checks off). Processed
 * files are removed from the IN folder, as the ONSS does.
 *
 * Owns its state folder (the names it has seen and the Dimona periods it
 * accepted, both durable, so a restarted processor still refuses a
 * duplicate; the DmfA declarations it accepted, dmfa-db, so that it
 * still judges their corrections). Never touches
 * the gateway's queue or files: it only sees what came over SFTP.
 *
 * It shares the gateway's batch_name_* (file names), batch_cms_verify and
 * batch_cms_wrap (signatures) and the Dimona rules, because its verdicts
 * must be the ones the gateway is built against; a shared mistake would
 * pass here. The batch tests check the same things from outside: every
 * FS and every signed answer with `openssl cms -verify`, every file name
 * with an independent pattern (tests/integration/lib/batch-env.sh), and
 * the declarations of a batch counted from the contracts themselves.
 */
#include "sim/onss_batch.h"
#include "sim/dmfa_check.h"
#include "core/params.h"
#include "core/array.h"
#include "core/args.h"
#include "sim/sim.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xml_safe.h"
#include "onss/batch/cms.h"
#include "crypto/signer.h"
#include "core/clock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* ---- names already seen (durable) ---- */

struct seen {
	char **v;
	size_t n, cap;
	char path[1100];
};

static int
seen_has(const struct seen *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i], name) == 0)
			return 1;
	return 0;
}

static gw_rc
seen_add(struct seen *s, const char *name)
{
	if (ARRAY_RESERVE(s->v, s->n, s->cap, 64) != GW_OK)
		return GW_ENOMEM;
	if ((s->v[s->n] = strdup(name)) == NULL)
		return GW_ENOMEM;
	s->n++;
	/* Append and fsync: a name seen before a crash stays seen after it. */
	int fd = open(s->path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return GW_EIO;
	size_t l = strlen(name);
	int ok = write(fd, name, l) == (ssize_t)l && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
	close(fd);
	return ok ? GW_OK : GW_EIO;
}

static void
seen_load(struct seen *s, const char *state)
{
	char line[256];
	if (snprintf(s->path, sizeof s->path, "%s/seen-names", state) >= (int)sizeof s->path)
		return;
	FILE *f = fopen(s->path, "r");
	if (f == NULL)
		return;
	/* Reading appends nothing: take the lines into memory directly. */
	char path_keep[1100];
	snprintf(path_keep, sizeof path_keep, "%s", s->path);
	s->path[0] = '\0';
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (ARRAY_RESERVE(s->v, s->n, s->cap, 64) != GW_OK)
			break;
		if ((s->v[s->n] = strdup(line)) != NULL)
			s->n++;
	}
	fclose(f);
	snprintf(s->path, sizeof s->path, "%s", path_keep);
}

/* ---- schemas of what comes in ---- */

struct in_schema {
	const char *root, *purpose, *prefix;
	xmlSchemaPtr schema;
	int tried;
};

static struct in_schema in_schemas[] = {
	{ "Dimona", "DIMN", "Dimona_", NULL, 0 },
	{ "DmfAOriginal", "DMFA", "DmfAOriginal_", NULL, 0 },
	{ "DmfAUpdate", "DMWA", "DmfAUpdate_", NULL, 0 },
};

static void
quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static xmlSchemaPtr
in_schema_get(struct in_schema *s)
{
	if (!s->tried) {
		char dir[PATH_MAX], best[NAME_MAX + 1] = "", path[PATH_MAX + NAME_MAX + 2];
		s->tried = 1;
		snprintf(dir, sizeof dir, "%s/onss/xsd", gw_reference_dir());
		const char *xdir = param_str(P_ONSS_XSD_DIR) ? param_str(P_ONSS_XSD_DIR) : dir;
		DIR *d = opendir(xdir);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL)
			if (strncmp(e->d_name, s->prefix, strlen(s->prefix)) == 0 && strstr(e->d_name, ".xsd") &&
			    strcmp(e->d_name, best) > 0)
				snprintf(best, sizeof best, "%s", e->d_name);
		if (d)
			closedir(d);
		if (best[0]) {
			snprintf(path, sizeof path, "%s/%s", xdir, best);
			xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
			if (pc) {
				xmlSchemaSetParserErrors(pc, quiet, quiet, NULL);
				s->schema = xmlSchemaParse(pc);
				xmlSchemaFreeParserCtxt(pc);
			}
		}
		if (s->schema == NULL)
			log_error(NULL, xdir, "no usable %s*.xsd: %s files cannot be checked", s->prefix, s->root);
	}
	return s->schema;
}

struct first_err {
	char msg[200];
	int n;
};

#if LIBXML_VERSION >= 21200
static void first_error(void *ctx, const xmlError *e)
#else
static void first_error(void *ctx, xmlErrorPtr e)
#endif
{
	struct first_err *fe = ctx;
	if (fe->n++ == 0 && e && e->message) {
		snprintf(fe->msg, sizeof fe->msg, "line %d: %s", e->line, e->message);
		fe->msg[strcspn(fe->msg, "\n")] = '\0';
	}
}

/* ---- one GO ---- */

static const struct {
	const char *dir;
	char env;
	const char *out;
	const char *wrong_env_error;   /* what a file with another env gets here */
} folders[] = {
	{ "IN", 'R', "OUT", NULL },
	{ "INTEST", 'T', "OUTTEST", NULL },
	{ "INTEST-S", 'S', "OUTTEST-S", NULL },
};

/* Remove the files of a submission from the IN folder. */
static void
remove_set(const char *in_dir, const struct batch_name *n, const char *go)
{
	char fi[128], fs[128], p[PATH_MAX];
	snprintf(p, sizeof p, "%s/%s", in_dir, go);
	unlink(p);
	if (batch_name_format(n, 'I', fi, sizeof fi) == GW_OK) {
		snprintf(p, sizeof p, "%s/%s", in_dir, fi);
		unlink(p);
	}
	if (batch_name_format(n, 'S', fs, sizeof fs) == GW_OK) {
		snprintf(p, sizeof p, "%s/%s", in_dir, fs);
		unlink(p);
	}
}

/* Read a small file (the FS) into memory; *buf malloc'd. */
static gw_rc
slurp(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	*buf = NULL;
	if (f == NULL)
		return GW_ENOTFOUND;
	if (fstat(fileno(f), &st) != 0 || st.st_size > (1 << 20) || (*buf = malloc((size_t)st.st_size + 1)) == NULL) {
		fclose(f);
		return GW_EIO;
	}
	*len = fread(*buf, 1, (size_t)st.st_size, f);
	(*buf)[*len] = '\0';
	fclose(f);
	return GW_OK;
}

static void
new_ticket(struct simb *sb, char *out, size_t cap)
{
	snprintf(out, cap, "38%08lX%04lu", (unsigned long)clock_now_s() & 0xffffffffUL, ++sb->ticket_seq % 10000);
}

/* Check and answer one GO found in folder fi (index into folders). */
static void
process_go(struct simb *sb, struct seen *seen, size_t fo, const char *go)
{
	char in_dir[1100], p[PATH_MAX], fi[128], fs[128], kind;
	struct simb_file sf;
	const char *err_id = NULL;
	xmlDoc *doc = NULL;
	char *fsbuf = NULL;
	size_t fslen = 0;

	memset(&sf, 0, sizeof sf);
	/* The rules run at the moment each file is processed, as the ONSS's do. */
	clock_brussels_now(&sb->today, &sb->now_min);
	snprintf(in_dir, sizeof in_dir, "%s/%s", sb->root, folders[fo].dir);
	snprintf(sf.out_dir, sizeof sf.out_dir, "%s/%s", sb->root, folders[fo].out);
	snprintf(sf.go, sizeof sf.go, "%s", go);

	if (batch_name_parse(go, &sf.name, &kind) != GW_OK || kind != 'G') {
		/* Answer under a name the sender can still recognise: its
		 * own GO name is in FileName. */
		memset(&sf.name, 0, sizeof sf.name);
		snprintf(sf.name.purpose, sizeof sf.name.purpose, "XXXX");
		snprintf(sf.name.sender, sizeof sf.name.sender, "000000");
		sf.name.date = sb->today;
		sf.name.seq = (unsigned)(++sb->ticket_seq % 100000);
		sf.name.env = folders[fo].env;
		simb_write_acrf(&sf, 0, "ACRF-107");
		snprintf(p, sizeof p, "%s/%s", in_dir, go);
		unlink(p);
		log_warn(NULL, go, "refused: GO name structure (ACRF-107)");
		return;
	}
	if (sf.name.env != folders[fo].env) {
		err_id = sf.name.env == 'R' ? "ACRF-118" : sf.name.env == 'T' ? "ACRF-119" : "ACRF-144";
		goto refuse;
	}
	if (seen_has(seen, go)) {
		err_id = "ACRF-133";
		goto refuse_keep_seen;
	}
	seen_add(seen, go);
	batch_name_format(&sf.name, 'I', fi, sizeof fi);
	batch_name_format(&sf.name, 'S', fs, sizeof fs);
	snprintf(p, sizeof p, "%s/%s", in_dir, fi);
	if (access(p, R_OK) != 0) {
		err_id = "ACRF-120";
		goto refuse_keep_seen;
	}
	if (sf.name.env != 'S') {
		char fsp[PATH_MAX];
		snprintf(fsp, sizeof fsp, "%s/%s", in_dir, fs);
		if (slurp(fsp, &fsbuf, &fslen) != GW_OK) {
			err_id = "ACRF-122";
			goto refuse_keep_seen;
		}
		struct batch_cms_check chk;
		if (batch_cms_verify(p, fsbuf, fslen, sb->ca_file, &chk) != GW_OK) {
			log_warn(NULL, go, "signature refused: code %d (%s)", chk.code, chk.why);
			err_id = "ACRF-125";
			goto refuse_keep_seen;
		}
	}
	/* An upload is data from outside for the processor too: no DOCTYPE. */
	char why[300];
	doc = xml_safe_read_file(p, 0, why, sizeof why);
	if (doc == NULL) {
		log_warn(NULL, go, "%s: %s", fi, why);
		err_id = "ACRF-102";
		goto refuse_keep_seen;
	}
	const char *root = (const char *)xmlDocGetRootElement(doc)->name;
	struct in_schema *is = NULL;
	for (size_t i = 0; i < sizeof in_schemas / sizeof *in_schemas; i++)
		if (strcmp(root, in_schemas[i].root) == 0)
			is = &in_schemas[i];
	if (is == NULL) {
		err_id = "ACRF-088";
		goto refuse_keep_seen;
	}
	if (strcmp(is->purpose, sf.name.purpose) != 0) {
		err_id = "ACRF-158";
		goto refuse_keep_seen;
	}
	xmlSchemaPtr schema = in_schema_get(is);
	if (schema == NULL) {
		err_id = "ACRF-088";
		goto refuse_keep_seen;
	}
	xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
	struct first_err fe = { "", 0 };
	xmlSchemaSetValidStructuredErrors(vc, first_error, &fe);
	int vr = vc ? xmlSchemaValidateDoc(vc, doc) : -1;
	xmlSchemaFreeValidCtxt(vc);
	if (vr != 0) {
		log_warn(NULL, go, "schema error: %s", fe.msg);
		err_id = "ACRF-102";
		goto refuse_keep_seen;
	}
	/* Received: receipt first, then the processing result. */
	new_ticket(sb, sf.ticket, sizeof sf.ticket);
	simb_write_acrf(&sf, 1, NULL);
	sb->idfl_count = 0;
	gw_rc rc = strcmp(is->purpose, "DIMN") == 0 ? simb_process_dimona(sb, &sf, doc)
	                                             : simb_process_dmfa(sb, &sf, doc);
	if (rc != GW_OK)
		log_error(NULL, go, "processing failed: %s", gw_rc_name(rc));
	remove_set(in_dir, &sf.name, go);
	goto out;
refuse:
	seen_add(seen, go);
refuse_keep_seen:
	log_warn(NULL, go, "refused (%s)", err_id);
	simb_write_acrf(&sf, 0, err_id);
	/* A duplicate is dropped without touching the first submission's
	 * files (already gone); the rest is removed like a processed set. */
	remove_set(in_dir, &sf.name, go);
out:
	free(fsbuf);
	xmlFreeDoc(doc);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One pass over the three IN folders; returns how many GO files it saw. */
static size_t
scan(struct simb *sb, struct seen *seen)
{
	size_t total = 0;
	for (size_t fo = 0; fo < sizeof folders / sizeof *folders; fo++) {
		char dir[1100];
		char *names[512];
		size_t n = 0;
		snprintf(dir, sizeof dir, "%s/%s", sb->root, folders[fo].dir);
		DIR *d = opendir(dir);
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL && n < 512)
			if (strncmp(e->d_name, "GO.", 3) == 0)
				names[n++] = strdup(e->d_name);
		if (d)
			closedir(d);
		qsort(names, n, sizeof *names, cmp_str);
		for (size_t i = 0; i < n; i++) {
			if (names[i] && !stop_flag)
				process_go(sb, seen, fo, names[i]);
			free(names[i]);
		}
		total += n;
	}
	return total;
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: gateway sim batch --root DIR [--state DIR] [--ca PEM] [--once]\n"
	    "                         [--interval-ms N]\n"
	    "                         [--inss-change OLD:NEW:NAME:FIRST:YYYY-MM-DD:SEX]...\n"
	    "  The simulated ONSS batch processor behind sshd. DIR is the SFTP root\n"
	    "  (IN, INTEST, INTEST-S, OUT, OUTTEST, OUTTEST-S are created).\n"
	    "  --state DIR     its durable state (names seen); default DIR/.sim-state\n"
	    "  --ca PEM        CA that FS signatures must chain to; default [onss_batch] sim_ca\n"
	    "                  or certs/out/onss/ca.crt.pem\n"
	    "  --once          process what is there, then exit\n"
	    "  --inss-change   answer declarations about OLD with an IDFLUX naming NEW\n"
	    "  --sign-answers  sign every answer (CMS signedData around the XML) with the\n"
	    "                  configured [signing] identity or --sign-cert/--sign-key\n"
	    "  --dmfa-checks on|off\n"
	    "                  judge every DmfA original by the glossary's anomalies and refuse\n"
	    "                  one with a blocking anomaly (default on; off accepts what passes\n"
	    "                  the XSD). The glossary and code lists are read from the\n"
	    "                  reference folder (reference_dir, GW_REFERENCE_DIR)\n"
	    "  --dmfa-rates FILE\n"
	    "                  the simulator's own rate per contribution line, to recompute\n"
	    "                  each line's amount (00085-044, class P), and its structural\n"
	    "                  reduction formula, to recompute each occupation's 3000\n"
	    "                  (00089-044, class NP); default schemas/dmfa/sim-rates.txt\n"
	    "                  when it exists\n");
}

/* Parse OLD:NEW:NAME:FIRST:BIRTH:SEX. */
static int
parse_change(const char *s, struct simb_inss_change *c)
{
	char buf[256];
	char *parts[6], *save = NULL;
	int k = 0;
	snprintf(buf, sizeof buf, "%s", s);
	for (char *t = strtok_r(buf, ":", &save); t && k < 6; t = strtok_r(NULL, ":", &save))
		parts[k++] = t;
	if (k != 6 || strlen(parts[0]) != 11 || strlen(parts[1]) != 11)
		return 0;
	memset(c, 0, sizeof *c);
	snprintf(c->old_inss, sizeof c->old_inss, "%s", parts[0]);
	snprintf(c->new_inss, sizeof c->new_inss, "%s", parts[1]);
	snprintf(c->name, sizeof c->name, "%s", parts[2]);
	snprintf(c->first_name, sizeof c->first_name, "%s", parts[3]);
	snprintf(c->birth, sizeof c->birth, "%s", parts[4]);
	c->sex = parts[5][0] == '2' ? 2 : 1;
	return 1;
}

int
sim_onss_batch_main(int argc, char **argv)
{
	struct simb sb;
	struct seen seen = { 0 };
	const char *root = NULL, *state = NULL, *ca = NULL, *rates = NULL;
	int once = 0, sign_answers = 0, dmfa_checks = 1;
	const char *sign_cert = NULL, *sign_key = NULL;
	struct gw_signer *signer = NULL;
	long interval = 200;
	char default_state[1100], default_ca[PATH_MAX];

	if (args_wants_help(argc, argv)) {
		usage(stdout);
		return GW_EXIT_OK;
	}
	memset(&sb, 0, sizeof sb);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--root") == 0 && v) { root = v; i++; }
		else if (strcmp(a, "--state") == 0 && v) { state = v; i++; }
		else if (strcmp(a, "--ca") == 0 && v) { ca = v; i++; }
		else if (strcmp(a, "--dmfa-rates") == 0 && v) { rates = v; i++; }
		else if (strcmp(a, "--once") == 0) once = 1;
		else if (strcmp(a, "--sign-answers") == 0) sign_answers = 1;
		else if (strcmp(a, "--dmfa-checks") == 0 && v && (strcmp(v, "on") == 0 || strcmp(v, "off") == 0)) {
			dmfa_checks = strcmp(v, "on") == 0;
			i++;
		}
		else if (strcmp(a, "--sign-cert") == 0 && v) { sign_cert = v; i++; }
		else if (strcmp(a, "--sign-key") == 0 && v) { sign_key = v; i++; }
		else if (strcmp(a, "--interval-ms") == 0 && v) {
			char *end;
			interval = strtol(v, &end, 10);
			if (*end || interval < 10 || interval > 60000) {
				fprintf(stderr, "gateway sim batch: --interval-ms wants 10..60000\n");
				return GW_EXIT_USAGE;
			}
			i++;
		} else if (strcmp(a, "--inss-change") == 0 && v) {
			struct simb_inss_change *nc = realloc(sb.changes, (sb.n_changes + 1) * sizeof *nc);
			if (nc == NULL)
				return GW_EXIT_USAGE;
			sb.changes = nc;
			if (!parse_change(v, &sb.changes[sb.n_changes])) {
				fprintf(stderr, "gateway sim batch: --inss-change wants OLD:NEW:NAME:FIRST:YYYY-MM-DD:SEX\n");
				free(sb.changes);
				return GW_EXIT_USAGE;
			}
			sb.n_changes++;
			i++;
		} else {
			usage(stderr);
			free(sb.changes);
			return GW_EXIT_USAGE;
		}
	}
	if (root == NULL) {
		usage(stderr);
		free(sb.changes);
		return GW_EXIT_USAGE;
	}
	snprintf(sb.root, sizeof sb.root, "%s", root);
	snprintf(default_state, sizeof default_state, "%s/.sim-state", root);
	snprintf(sb.state, sizeof sb.state, "%s", state ? state : default_state);
	snprintf(default_ca, sizeof default_ca, "certs/out/onss/ca.crt.pem");
	sb.ca_file = ca ? ca : (param_str(P_BATCH_SIM_CA) ? param_str(P_BATCH_SIM_CA) : default_ca);
	if (sign_answers) {
		char err[512];
		if (signer_from_config(&signer, sign_cert, sign_key, err, sizeof err) != GW_OK) {
			fprintf(stderr, "gateway sim batch: %s\n", err);
			free(sb.changes);
			return GW_EXIT_USAGE;
		}
		simb_set_answer_signer(signer);
	}
	if (dmfa_checks) {
		char onss[PATH_MAX], err[512] = "";
		snprintf(onss, sizeof onss, "%s/onss", gw_reference_dir());
		if (simd_ref_load(onss, &sb.dmfa_ref, err, sizeof err) != GW_OK) {
			fprintf(stderr, "gateway sim batch: the DmfA checks need the glossary and code lists: %s"
			    " (or --dmfa-checks off)\n", err[0] ? err : "out of memory");
			free(sb.changes);
			simb_set_answer_signer(NULL);
			signer_free(signer);
			return GW_EXIT_USAGE;
		}
		/* The default table is optional (a simulator run from elsewhere
		 * judges without it); one named on the command line is not. */
		const char *rp = rates ? rates : "schemas/dmfa/sim-rates.txt";
		if ((rates || access(rp, R_OK) == 0) &&
		    simd_rates_load(rp, &sb.dmfa_rates, err, sizeof err) != GW_OK) {
			fprintf(stderr, "gateway sim batch: --dmfa-rates: %s\n", err);
			simd_ref_free(sb.dmfa_ref);
	simd_rates_free(sb.dmfa_rates);
			free(sb.changes);
			simb_set_answer_signer(NULL);
			signer_free(signer);
			return GW_EXIT_USAGE;
		}
	}
	mkdir(sb.state, 0700);
	for (size_t i = 0; i < 3; i++) {
		char d[1100];
		snprintf(d, sizeof d, "%s/%s", root, folders[i].dir);
		mkdir(d, 0755);
		snprintf(d, sizeof d, "%s/%s", root, folders[i].out);
		mkdir(d, 0755);
	}
	/* Ids that differ from one run to the next, so a restarted simulator
	 * never hands out a period id or permanent id twice in a test. */
	int64_t now = clock_now_s();
	sb.next_period = (unsigned long long)(now % 100000) * 1000000ULL + 1;
	sb.next_pid = (unsigned long long)(now % 100000) * 100000ULL + 1;
	seen_load(&seen, sb.state);
	{
		char path[1200], err[1300] = "";
		snprintf(path, sizeof path, "%s/dmfa-db", sb.state);
		if (simd_db_open(path, &sb.dmfa_db, err, sizeof err) != GW_OK) {
			fprintf(stderr, "gateway sim batch: the DB DmfA: %s\n", err[0] ? err : "out of memory");
			free(sb.changes);
			simd_ref_free(sb.dmfa_ref);
			simd_rates_free(sb.dmfa_rates);
			signer_free(signer);
			return GW_EXIT_USAGE;
		}
		/* Never a permanent id twice, whatever the (pinned) clock says. */
		if (simd_db_max_id(sb.dmfa_db) >= sb.next_pid)
			sb.next_pid = simd_db_max_id(sb.dmfa_db) + 1;
	}
	if (simb_ledger_load(&sb) != GW_OK) {
		fprintf(stderr, "gateway sim batch: cannot read the ledger in %s\n", sb.state);
		simd_db_free(sb.dmfa_db);
		free(sb.changes);
		simd_ref_free(sb.dmfa_ref);
	simd_rates_free(sb.dmfa_rates);
		signer_free(signer);
		return GW_EXIT_USAGE;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	log_info(NULL, NULL, "ONSS batch simulator watching %s (state %s, %zu names seen, DmfA checks %s%s)",
	    sb.root, sb.state, seen.n, sb.dmfa_ref ? "on" : "off",
	    sb.dmfa_rates ? ", each line's amount recomputed, each structural reduction recomputed" : "");
	while (!stop_flag) {
		size_t n = scan(&sb, &seen);
		if (once)
			break;
		if (n == 0) {
			struct timespec ts = { interval / 1000, (interval % 1000) * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	for (size_t i = 0; i < seen.n; i++)
		free(seen.v[i]);
	free(seen.v);
	free(sb.periods);
	free(sb.changes);
	simd_db_free(sb.dmfa_db);
	simd_ref_free(sb.dmfa_ref);
	simd_rates_free(sb.dmfa_rates);
	simb_set_answer_signer(NULL);
	signer_free(signer);
	return GW_EXIT_OK;
}
