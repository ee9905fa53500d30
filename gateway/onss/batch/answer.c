/*
 * answer.c - reads ONSS answer files (ACRF, NOTIFICATION, DmfAPID, IDFLUX)
 * into struct onss_answer, after checking them against the official XSD.
 *
 * Owns the compiled schemas (one per kind, compiled on first use and kept)
 * and the answer structures it returns. Parsing is defensive: no network,
 * no entity expansion, a size cap, bounded copies; a field longer than its
 * slot is a rejection, not a silent cut. Never applies an answer: that is
 * match.c's job.
 */
#include "onss/batch/answer.h"
#include "core/params.h"
#include "onss/codelist.h"
#include "onss/refdir.h"
#include "onss/batch/cms.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xml_text.h"
#include "core/xml_safe.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlversion.h>

#define ANSWER_MAX_BYTES (512L * 1024 * 1024)

static const char *const root_names[] = { "ACRF", "NOTIFICATION", "DmfAPID", "IDFLUX" };
static const char *const xsd_prefix[] = { "ACRF_", "NOTIFICATION_", "DmfAPID_", "IDFLUX_" };

static pthread_mutex_t schema_lock = PTHREAD_MUTEX_INITIALIZER;
static xmlSchemaPtr schemas[4];
static int schema_tried[4];

const char *
onss_answer_kind_name(enum onss_answer_kind k)
{
	return (unsigned)k < 4 ? root_names[k] : "unknown";
}

/* ---- small DOM helpers ------------------------------------------------ */

static int
is_el(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static xmlNode *
kid(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_el(c, name))
			return c;
	return NULL;
}

/* Copy the trimmed text of node into buf; 0 when it does not fit (an
 * absent node is empty text). */
static int
node_text(const xmlNode *n, char *buf, size_t cap)
{
	buf[0] = '\0';
	return n == NULL || xml_node_text(n, buf, cap);
}

/* Parse state: the first field that did not fit is reported. */
struct pstate {
	char *err;
	size_t errcap;
	int failed;
};

static void
too_long(struct pstate *ps, const char *field)
{
	if (!ps->failed)
		snprintf(ps->err, ps->errcap, "%s: value too long", field);
	ps->failed = 1;
}

/* Text of child `name` of n into buf (empty when absent). */
static void
get(struct pstate *ps, const xmlNode *n, const char *name, char *buf, size_t cap)
{
	if (!node_text(kid(n, name), buf, cap))
		too_long(ps, name);
}

/* The employer's number under n: its NOSS registration number or, for a
 * local or provincial administration, its NOSSLPA one. */
static void
get_noss(struct pstate *ps, const xmlNode *n, char *buf, size_t cap)
{
	get(ps, n, "NOSSRegistrationNbr", buf, cap);
	if (buf[0] == '\0')
		get(ps, n, "NOSSLPARegistrationNbr", buf, cap);
}

static long long
get_ll(struct pstate *ps, const xmlNode *n, const char *name, long long dflt)
{
	char buf[32], *end;
	xmlNode *c = kid(n, name);
	if (c == NULL)
		return dflt;
	if (!node_text(c, buf, sizeof buf)) {
		too_long(ps, name);
		return dflt;
	}
	errno = 0;
	long long v = strtoll(buf, &end, 10);
	if (buf[0] == '\0' || *end != '\0' || errno != 0) {
		if (!ps->failed)
			snprintf(ps->err, ps->errcap, "%s: not a number: %s", name, buf);
		ps->failed = 1;
		return dflt;
	}
	return v;
}

/* ---- schema ------------------------------------------------------------ */

static void
schema_error_sink(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

/* The compiled schema of kind k (NULL when it cannot be had). */
static xmlSchemaPtr
schema_get(enum onss_answer_kind k)
{
	pthread_mutex_lock(&schema_lock);
	if (!schema_tried[k]) {
		char dflt[PATH_MAX], path[PATH_MAX];
		schema_tried[k] = 1;
		snprintf(dflt, sizeof dflt, "%s/onss/xsd", gw_reference_dir());
		const char *dir = param_str(P_ONSS_XSD_DIR) ? param_str(P_ONSS_XSD_DIR) : dflt;
		if (onss_refdir_newest(dir, xsd_prefix[k], ".xsd", path, sizeof path)) {
			xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
			if (pc) {
				xmlSchemaSetParserErrors(pc, schema_error_sink, schema_error_sink, NULL);
				schemas[k] = xmlSchemaParse(pc);
				xmlSchemaFreeParserCtxt(pc);
			}
			if (schemas[k] == NULL)
				log_error(NULL, path, "the schema does not compile");
		} else {
			log_error(NULL, dir, "no %s*.xsd here: answers cannot be validated", xsd_prefix[k]);
		}
	}
	xmlSchemaPtr s = schemas[k];
	pthread_mutex_unlock(&schema_lock);
	return s;
}

/* First schema error, kept for the caller's message. */
struct verr {
	char msg[256];
	int n;
};

#if LIBXML_VERSION >= 21200
static void structured_err(void *ctx, const xmlError *e)
#else
static void structured_err(void *ctx, xmlErrorPtr e)
#endif
{
	struct verr *v = ctx;
	if (v->n++ == 0 && e && e->message) {
		snprintf(v->msg, sizeof v->msg, "line %d: %s", e->line, e->message);
		size_t l = strlen(v->msg);
		if (l > 0 && v->msg[l - 1] == '\n')
			v->msg[l - 1] = '\0';
	}
}

/* ---- the four kinds ------------------------------------------------------ */

static void
parse_form_header(struct pstate *ps, const xmlNode *f, struct onss_answer_form *o)
{
	char d[16], h[16];
	get(ps, f, "Identification", o->identification, sizeof o->identification);
	get(ps, f, "FormCreationDate", d, sizeof d);
	get(ps, f, "FormCreationHour", h, sizeof h);
	snprintf(o->created, sizeof o->created, "%s%s%s", d, h[0] ? "T" : "", h);
	get(ps, f, "TypeForm", o->type_form, sizeof o->type_form);
	const xmlNode *fr = kid(f, "FileReference");
	if (fr) {
		get(ps, fr, "FileName", o->file_name, sizeof o->file_name);
		o->ref_origin = (int)get_ll(ps, fr, "ReferenceOrigin", 0);
		get(ps, fr, "ReferenceNbr", o->ticket, sizeof o->ticket);
	}
	o->result_code = -1;
}

static void
parse_ref(struct pstate *ps, const xmlNode *r, struct onss_ref *o)
{
	o->type = (int)get_ll(ps, r, "ReferenceType", 0);
	o->origin = (int)get_ll(ps, r, "ReferenceOrigin", 0);
	get(ps, r, "ReferenceNbr", o->nbr, sizeof o->nbr);
}

static gw_rc
parse_acrf(struct pstate *ps, const xmlNode *f, struct onss_answer_form *o)
{
	const xmlNode *rr = kid(f, "ReceptionResult");
	o->result_code = (int)get_ll(ps, rr, "ResultCode", -1);
	size_t n = 0;
	for (xmlNode *c = rr ? rr->children : NULL; c; c = c->next)
		n += is_el(c, "ErrorID");
	if (n && (o->errors = calloc(n, sizeof *o->errors)) == NULL)
		return GW_ENOMEM;
	for (xmlNode *c = rr ? rr->children : NULL; c; c = c->next)
		if (is_el(c, "ErrorID") && !node_text(c, o->errors[o->n_errors++], sizeof o->errors[0]))
			too_long(ps, "ErrorID");
	return GW_OK;
}

/* Path as "Name=value/Name=value", in document order. */
static void
render_path(struct pstate *ps, const xmlNode *p, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	for (xmlNode *c = p ? p->children : NULL; c; c = c->next) {
		char v[128];
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!node_text(c, v, sizeof v)) {
			too_long(ps, "Path");
			return;
		}
		int w = snprintf(buf + used, cap - used, "%s%s=%s", used ? "/" : "", (const char *)c->name, v);
		if (w < 0 || (size_t)w >= cap - used) {
			too_long(ps, "Path");
			return;
		}
		used += (size_t)w;
	}
}

static void parse_refs(struct pstate *ps, const xmlNode *f, struct onss_answer_form *o);

static gw_rc
parse_noti(struct pstate *ps, const xmlNode *f, struct onss_answer_form *o)
{
	parse_refs(ps, f, o);            /* the sender's own references, echoed */
	get(ps, kid(f, "HandledOriginalForm"), "Identification", o->handled_form, sizeof o->handled_form);
	if (kid(f, "HandledReference"))
		parse_ref(ps, kid(f, "HandledReference"), &o->handled_ref);
	const xmlNode *emp = kid(f, "EmployerId");
	if (emp) {
		get_noss(ps, emp, o->employer_noss, sizeof o->employer_noss);
		get(ps, emp, "CompanyID", o->employer_company_id, sizeof o->employer_company_id);
	}
	const xmlNode *w = kid(f, "WorkerRecordIdentification");
	if (w)
		get(ps, w, "INSS", o->worker_inss, sizeof o->worker_inss);
	if (o->worker_inss[0] == '\0' && kid(f, "NaturalPerson"))
		get(ps, kid(f, "NaturalPerson"), "INSS", o->worker_inss, sizeof o->worker_inss);

	const xmlNode *hr = kid(f, "HandlingResult");
	o->result_code = (int)get_ll(ps, hr, "ResultCode", -1);
	size_t n = 0;
	for (xmlNode *c = hr ? hr->children : NULL; c; c = c->next)
		n += is_el(c, "AnomalyReport");
	if (n && (o->anomalies = calloc(n, sizeof *o->anomalies)) == NULL)
		return GW_ENOMEM;
	for (xmlNode *c = hr ? hr->children : NULL; c; c = c->next) {
		if (!is_el(c, "AnomalyReport"))
			continue;
		struct onss_anomaly *a = &o->anomalies[o->n_anomalies++];
		get(ps, c, "ErrorID", a->id, sizeof a->id);
		get(ps, c, "TagName", a->tag, sizeof a->tag);
		get(ps, c, "Value", a->value, sizeof a->value);
		get(ps, c, "AnomalyClass", a->cls, sizeof a->cls);
		const xmlNode *loc = kid(c, "AnomalyLocation");
		if (loc) {
			a->line = (long)get_ll(ps, loc, "LineNbr", 0);
			a->column = (long)get_ll(ps, loc, "ColumnNbr", 0);
			get(ps, loc, "Location", a->location, sizeof a->location);
		}
		render_path(ps, kid(c, "Path"), a->path, sizeof a->path);
		onss_error_label(a->id, &a->label_nl, &a->label_fr);
	}
	const xmlNode *dir = kid(kid(hr, "ImpactReport"), "DimonaImpactReport");
	if (dir) {
		o->impact.present = 1;
		get(ps, dir, "DimonaPeriodId", o->impact.period_id, sizeof o->impact.period_id);
		o->impact.locked = (int)get_ll(ps, dir, "IsLocked", 0);
		const xmlNode *b = kid(dir, "DimonaPeriodBefore"), *a = kid(dir, "DimonaPeriodAfter");
		get(ps, b, "StartingDate", o->impact.before_start, sizeof o->impact.before_start);
		get(ps, b, "EndingDate", o->impact.before_end, sizeof o->impact.before_end);
		get(ps, a, "StartingDate", o->impact.after_start, sizeof o->impact.after_start);
		get(ps, a, "EndingDate", o->impact.after_end, sizeof o->impact.after_end);
	}
	return GW_OK;
}

static size_t
count_kids(const xmlNode *n, const char *name)
{
	size_t k = 0;
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		k += is_el(c, name);
	return k;
}

static void
parse_refs(struct pstate *ps, const xmlNode *f, struct onss_answer_form *o)
{
	for (xmlNode *c = f->children; c && o->n_refs < 4; c = c->next)
		if (is_el(c, "Reference"))
			parse_ref(ps, c, &o->refs[o->n_refs++]);
}

static gw_rc
parse_dmpi(struct pstate *ps, const xmlNode *f, struct onss_answer_form *o)
{
	parse_refs(ps, f, o);
	const xmlNode *ed = kid(f, "IDEmployerDeclaration");
	struct dmpi_declaration *d = &o->dmpi;
	if (ed == NULL)
		return GW_OK;
	d->quarter = (int)get_ll(ps, ed, "Quarter", 0);
	get_noss(ps, ed, d->noss, sizeof d->noss);
	d->trusteeship = (int)get_ll(ps, ed, "Trusteeship", 0);
	get(ps, ed, "CompanyID", d->company_id, sizeof d->company_id);
	d->employer_decl_pid = get_ll(ps, ed, "EmployerDeclarationPID", 0);
	size_t np = count_kids(ed, "IDNaturalPerson");
	if (np && (d->persons = calloc(np, sizeof *d->persons)) == NULL)
		return GW_ENOMEM;
	for (xmlNode *pn = ed->children; pn; pn = pn->next) {
		if (!is_el(pn, "IDNaturalPerson"))
			continue;
		struct dmpi_person *p = &d->persons[d->n_persons++];
		get(ps, pn, "INSS", p->inss, sizeof p->inss);
		p->person_pid = get_ll(ps, pn, "NaturalPersonPID", 0);
		p->decl_person_pid = get_ll(ps, pn, "DeclNaturalPersonPID", 0);
		p->decl_person_version = get_ll(ps, pn, "DeclNaturalPersonVersionNbr", 0);
		size_t nr = count_kids(pn, "IDWorkerRecord");
		if (nr && (p->records = calloc(nr, sizeof *p->records)) == NULL)
			return GW_ENOMEM;
		for (xmlNode *wn = pn->children; wn; wn = wn->next) {
			if (!is_el(wn, "IDWorkerRecord"))
				continue;
			struct dmpi_worker_record *r = &p->records[p->n_records++];
			get(ps, wn, "EmployerClass", r->employer_class, sizeof r->employer_class);
			get(ps, wn, "WorkerCode", r->worker_code, sizeof r->worker_code);
			r->version = get_ll(ps, wn, "WorkerRecordVersionNbr", 0);
			size_t no = count_kids(wn, "IDOccupation");
			if (no && (r->occupations = calloc(no, sizeof *r->occupations)) == NULL)
				return GW_ENOMEM;
			for (xmlNode *on = wn->children; on; on = on->next) {
				if (!is_el(on, "IDOccupation"))
					continue;
				struct dmpi_occupation *oc = &r->occupations[r->n_occupations++];
				oc->seq = (int)get_ll(ps, on, "OccupationSequenceNbr", 0);
				oc->version = get_ll(ps, on, "OccupationVersionNbr", 0);
			}
		}
	}
	return GW_OK;
}

static void
parse_situation(struct pstate *ps, const xmlNode *s, struct idflux_situation *o)
{
	get(ps, s, "INSS", o->inss, sizeof o->inss);
	get(ps, s, "WorkerName", o->name, sizeof o->name);
	get(ps, s, "WorkerFirstName", o->first_name, sizeof o->first_name);
	get(ps, s, "WorkerBirthdate", o->birth_date, sizeof o->birth_date);
	o->sex = (int)get_ll(ps, s, "WorkerSex", 0);
	get(ps, s, "NOSSRegistrationNbr", o->noss, sizeof o->noss);
}

static gw_rc
parse_idflux(struct pstate *ps, const xmlNode *f, struct onss_answer_form *o)
{
	parse_refs(ps, f, o);
	const xmlNode *ii = kid(f, "IdfluxInformation");
	struct idflux_info *i = &o->idflux;
	if (ii == NULL)
		return GW_OK;
	i->justification = (int)get_ll(ps, ii, "JustificationCode", 0);
	get(ps, ii, "EffectiveStartingDate", i->effective_date, sizeof i->effective_date);
	const xmlNode *emp = kid(ii, "EmployerId");
	get_noss(ps, emp, i->employer_noss, sizeof i->employer_noss);
	get(ps, emp, "CompanyID", i->employer_company_id, sizeof i->employer_company_id);
	parse_situation(ps, kid(ii, "ValidSituation"), &i->valid);
	parse_situation(ps, kid(ii, "OutdatedSituation"), &i->outdated);
	return GW_OK;
}

/* ---- entry points ---------------------------------------------------------- */

void
onss_answer_free(struct onss_answer *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < a->n_forms; i++) {
		struct onss_answer_form *f = &a->forms[i];
		free(f->errors);
		free(f->anomalies);
		for (size_t p = 0; p < f->dmpi.n_persons; p++) {
			for (size_t r = 0; r < f->dmpi.persons[p].n_records; r++)
				free(f->dmpi.persons[p].records[r].occupations);
			free(f->dmpi.persons[p].records);
		}
		free(f->dmpi.persons);
	}
	free(a->forms);
	free(a);
}

int
onss_answers_must_be_signed(void)
{
	const char *env = param_str(P_BATCH_ENV);
	const char *v = param_str(P_BATCH_ANSWERS_SIGNED);
	if (v == NULL)
		v = env[0] == 'R' ? "required" : "optional";
	return strcmp(v, "optional") != 0;      /* anything but "optional" is the safe side */
}

gw_rc
onss_answer_parse(const char *buf, size_t len, const char *name, int flags,
                  struct onss_answer **out, char *errbuf, size_t errcap)
{
	struct onss_answer *a = NULL;
	xmlDoc *doc = NULL;
	gw_rc rc = GW_EINPUT;
	struct pstate ps = { errbuf, errcap, 0 };
	int k = -1;

	*out = NULL;
	snprintf(errbuf, errcap, "not an ONSS answer");
	if (len == 0 || (long)len > ANSWER_MAX_BYTES) {
		snprintf(errbuf, errcap, len ? "file too large" : "empty file");
		return GW_EINPUT;
	}
	if (!(flags & ONSS_ANSWER_UNWRAPPED) && batch_cms_looks_signed(buf, len)) {
		/* Signed by the ONSS: believe the content only once verified. */
		struct batch_cms_check chk;
		char *content = NULL;
		size_t clen = 0;
		const char *ca = param_str(P_BATCH_ANSWER_CA);
		if (ca[0] == '\0') {
			/* A signature whose signer is not checked proves nothing. */
			snprintf(errbuf, errcap, "signed answer refused: [onss_batch] answer_ca is empty, so "
			    "the signer cannot be checked");
			return GW_EINPUT;
		}
		gw_rc urc = batch_cms_unwrap(buf, len, ca, &content, &clen, &chk);
		if (urc != GW_OK) {
			snprintf(errbuf, errcap, "signed answer refused: %s (signature code %d)", chk.why, chk.code);
			return urc == GW_ENOMEM ? GW_ENOMEM : GW_EINPUT;
		}
		rc = onss_answer_parse(content, clen, name, flags | ONSS_ANSWER_UNWRAPPED, out, errbuf, errcap);
		free(content);
		if (rc == GW_OK) {
			(*out)->signed_answer = 1;
			snprintf((*out)->signer, sizeof (*out)->signer, "%s", chk.signer);
		}
		return rc;
	}
	if (!(flags & (ONSS_ANSWER_UNWRAPPED | ONSS_ANSWER_INSPECT)) && onss_answers_must_be_signed()) {
		snprintf(errbuf, errcap, "unsigned answer refused: answers must carry the ONSS signature "
		    "([onss_batch] answers_signed = required)");
		return GW_EINPUT;
	}
	/* An answer file is data from outside: no DOCTYPE (refused before
	 * anything else, the schema check included, looks at it), no network,
	 * no entity substitution, no DTD loading. */
	doc = xml_safe_read_memory(NULL, buf, len, name ? name : "answer.xml", 0, errbuf, errcap);
	if (doc == NULL)
		goto out;
	xmlNode *root = xmlDocGetRootElement(doc);
	for (int i = 0; i < 4 && root; i++)
		if (is_el(root, root_names[i]) && root->ns == NULL)
			k = i;
	if (k < 0) {
		snprintf(errbuf, errcap, "root element <%s> is not ACRF, NOTIFICATION, DmfAPID or IDFLUX",
		    root ? (const char *)root->name : "");
		goto out;
	}
	if ((a = calloc(1, sizeof *a)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	a->kind = (enum onss_answer_kind)k;
	snprintf(a->name, sizeof a->name, "%s", name ? name : "");
	if (!(flags & ONSS_ANSWER_NO_XSD)) {
		xmlSchemaPtr s = schema_get(a->kind);
		if (s == NULL) {
			snprintf(errbuf, errcap, "the %s schema is not available", root_names[k]);
			rc = GW_ECONFIG;
			goto out;
		}
		xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(s);
		struct verr ve = { "", 0 };
		if (vc == NULL) {
			rc = GW_ENOMEM;
			goto out;
		}
		xmlSchemaSetValidStructuredErrors(vc, structured_err, &ve);
		int vr = xmlSchemaValidateDoc(vc, doc);
		xmlSchemaFreeValidCtxt(vc);
		if (vr != 0) {
			snprintf(errbuf, errcap, "not valid against the %s schema: %s", root_names[k],
			    ve.msg[0] ? ve.msg : "validation failed");
			goto out;
		}
		a->schema_valid = 1;
	}
	size_t nf = count_kids(root, "Form");
	if (nf == 0) {
		snprintf(errbuf, errcap, "no Form in the %s", root_names[k]);
		goto out;
	}
	if ((a->forms = calloc(nf, sizeof *a->forms)) == NULL) {
		rc = GW_ENOMEM;
		goto out;
	}
	for (xmlNode *f = root->children; f; f = f->next) {
		if (!is_el(f, "Form"))
			continue;
		struct onss_answer_form *o = &a->forms[a->n_forms++];
		parse_form_header(&ps, f, o);
		gw_rc prc = GW_OK;
		switch (a->kind) {
		case ANSWER_ACRF: prc = parse_acrf(&ps, f, o); break;
		case ANSWER_NOTI: prc = parse_noti(&ps, f, o); break;
		case ANSWER_DMPI: prc = parse_dmpi(&ps, f, o); break;
		case ANSWER_IDFLUX: prc = parse_idflux(&ps, f, o); break;
		}
		if (prc != GW_OK) {
			rc = prc;
			goto out;
		}
		if (ps.failed)
			goto out;
	}
	*out = a;
	a = NULL;
	errbuf[0] = '\0';
	rc = GW_OK;
out:
	onss_answer_free(a);
	xmlFreeDoc(doc);
	return rc;
}

gw_rc
onss_answer_parse_file(const char *path, int flags, struct onss_answer **out,
                       char *errbuf, size_t errcap)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	gw_rc rc;

	*out = NULL;
	if (f == NULL) {
		snprintf(errbuf, errcap, "%s: %s", path, strerror(errno));
		return GW_EIO;
	}
	/* Refuse an oversized file by its size, before a byte of it is read
	 * (a 1 GB answer would otherwise fill 512 MiB of memory first); the
	 * loop below still stops a pipe or a file that grows. The callers put
	 * the file name in front of a GW_EINPUT reason. */
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > ANSWER_MAX_BYTES) {
		fclose(f);
		snprintf(errbuf, errcap, "file too large: %lld bytes, an answer has at most %ld; not read",
		    (long long)st.st_size, ANSWER_MAX_BYTES);
		return GW_EINPUT;
	}
	for (;;) {
		if (len == cap) {
			size_t ncap = cap ? cap * 2 : 65536;
			if ((long)ncap > ANSWER_MAX_BYTES + 1)
				ncap = (size_t)ANSWER_MAX_BYTES + 1;
			if (ncap == cap) {
				fclose(f);
				free(buf);
				snprintf(errbuf, errcap, "file too large: more than %ld bytes", ANSWER_MAX_BYTES);
				return GW_EINPUT;
			}
			char *nb = realloc(buf, ncap);
			if (nb == NULL) {
				fclose(f);
				free(buf);
				return GW_ENOMEM;
			}
			buf = nb;
			cap = ncap;
		}
		size_t r = fread(buf + len, 1, cap - len, f);
		len += r;
		if (r == 0)
			break;
	}
	int err = ferror(f);
	fclose(f);
	if (err) {
		free(buf);
		snprintf(errbuf, errcap, "%s: read error", path);
		return GW_EIO;
	}
	const char *base = strrchr(path, '/');
	rc = onss_answer_parse(buf, len, base ? base + 1 : path, flags, out, errbuf, errcap);
	free(buf);
	return rc;
}

char
onss_answer_form_severity(const struct onss_answer_form *f)
{
	char worst = 0;
	for (size_t i = 0; i < f->n_anomalies; i++) {
		const char *c = f->anomalies[i].cls;
		/* Only B (blocking) refuses by itself; P, NP, D, W and I are
		 * reported with an accepted declaration. */
		if (strcmp(c, "B") == 0)
			return 'B';
		worst = 'W';
	}
	return worst;
}
