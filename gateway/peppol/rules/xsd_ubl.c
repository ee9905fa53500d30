/*
 * xsd_ubl.c - the UBL 2.1 schema cache and schema validation.
 *
 * Owns the compiled UBL 2.1 schema for the life of the process, built on
 * first use under a mutex: one schema importing both the Invoice and the
 * CreditNote main documents, so that the common components, which are
 * most of the compile (content-model automata and their determinism
 * check), are compiled once instead of twice; a command validating a few
 * files spends most of its time there (bench/README.md, "validator"). Must never fetch anything
 * over the network (imports are relative local files; the schema parser
 * and the validator run with network access refused) and never print:
 * messages go to the caller's sink.
 */
#include "peppol/rules/xsd_ubl.h"
#include "core/params.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "core/config.h"
#include "core/log.h"

#define NS_INV "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
#define NS_CN  "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
/* More messages than this for one document add nothing for a reader. */
#define XSD_MAX_MESSAGES 50

static pthread_mutex_t xsd_lock = PTHREAD_MUTEX_INITIALIZER;
static xmlSchemaPtr xsd_ubl;
static char xsd_failure[512];
static _Thread_local xmlSchemaValidCtxtPtr tl_vc;
/* The same context under a key whose destructor frees it when its thread
 * ends without calling xsd_ubl_release_thread (a server's worker threads,
 * a test's threads): one context per thread, never left behind. */
static pthread_key_t vc_key;
static pthread_once_t vc_key_once = PTHREAD_ONCE_INIT;

static void
vc_free(void *vc)
{
	xmlSchemaFreeValidCtxt(vc);
	tl_vc = NULL;                   /* still this thread's: never freed twice */
}

static void
vc_key_make(void)
{
	(void)pthread_key_create(&vc_key, vc_free);
}

void
xsd_ubl_release_thread(void)
{
	if (tl_vc != NULL) {
		pthread_once(&vc_key_once, vc_key_make);
		(void)pthread_setspecific(vc_key, NULL);
		xmlSchemaFreeValidCtxt(tl_vc);
	}
	tl_vc = NULL;
}

/* Schema-parser diagnostics are summed up in one failure reason instead. */
static void
parse_sink(void *arg, const xmlError *e)
{
	char *why = arg;
	if (why[0] == '\0' && e != NULL && e->message != NULL)
		snprintf(why, 256, "%s", e->message);
}

/* Both main documents through one in-memory schema that imports them by
 * absolute path (no network: only local files are named). */
static xmlSchemaPtr
compile_both(const char *dir, char *why, size_t whycap)
{
	char inv[1024], cn[1024], perr[256] = "", wrapper[3072];
	const char *path = inv;
	snprintf(inv, sizeof inv, "%s/maindoc/UBL-Invoice-2.1.xsd", dir);
	snprintf(cn, sizeof cn, "%s/maindoc/UBL-CreditNote-2.1.xsd", dir);
	if (access(inv, R_OK) != 0 || access(path = cn, R_OK) != 0) {
		snprintf(why, whycap, "%.400s: %s", path, strerror(errno));
		return NULL;
	}
	if (strpbrk(dir, "\"<>&") != NULL) {
		snprintf(why, whycap, "%.400s: schema folder name has XML special characters", dir);
		return NULL;
	}
	int n = snprintf(wrapper, sizeof wrapper,
	    "<xsd:schema xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\">"
	    "<xsd:import namespace=\"%s\" schemaLocation=\"%s\"/>"
	    "<xsd:import namespace=\"%s\" schemaLocation=\"%s\"/></xsd:schema>", NS_INV, inv, NS_CN, cn);
	if (n < 0 || (size_t)n >= sizeof wrapper) {
		snprintf(why, whycap, "%.400s: schema folder name too long", dir);
		return NULL;
	}
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewMemParserCtxt(wrapper, n);
	if (pc == NULL) {
		snprintf(why, whycap, "%.400s: cannot create schema parser", path);
		return NULL;
	}
	xmlSchemaSetParserStructuredErrors(pc, (xmlStructuredErrorFunc)parse_sink, perr);
	xmlSchemaPtr s = xmlSchemaParse(pc);
	xmlSchemaFreeParserCtxt(pc);
	if (s == NULL) {
		size_t l = strlen(perr);
		while (l > 0 && (perr[l - 1] == '\n' || perr[l - 1] == ' '))
			perr[--l] = '\0';
		snprintf(why, whycap, "%.300s: schema does not compile: %.180s", dir, perr[0] ? perr : "?");
	}
	return s;
}

/* Compile both schemas once; later calls return the cached result. */
gw_rc
xsd_ubl_load(char *why, size_t whycap)
{
	gw_rc rc = GW_OK;
	pthread_mutex_lock(&xsd_lock);
	if (xsd_ubl != NULL)
		goto out;
	char dflt[768];
	snprintf(dflt, sizeof dflt, "%s/peppol/ubl-xsd", gw_reference_dir());
	const char *dir = param_str(P_PEPPOL_UBL_XSD_DIR);
	if (dir == NULL || dir[0] == '\0')
		dir = dflt;
	char reason[512] = "";
	xsd_ubl = compile_both(dir, reason, sizeof reason);
	if (xsd_ubl == NULL) {
		snprintf(xsd_failure, sizeof xsd_failure, "%s", reason);
		log_error("xsd.load", NULL, "UBL schemas not loaded: %s", reason);
		rc = GW_ECONFIG;
	} else {
		log_debug("xsd.load", NULL, "UBL 2.1 schemas compiled from %s", dir);
	}
out:
	if (rc != GW_OK && why != NULL && whycap > 0)
		snprintf(why, whycap, "%s", xsd_failure);
	pthread_mutex_unlock(&xsd_lock);
	return rc;
}

struct vstate {
	xsd_ubl_sink sink;
	void *arg;
	size_t n;
};

/* One line per violation: "line N: message" without the trailing newline. */
static void
valid_sink(void *arg, const xmlError *e)
{
	struct vstate *st = arg;
	if (e == NULL || e->level == XML_ERR_WARNING)
		return;
	st->n++;
	if (st->n > XSD_MAX_MESSAGES || st->sink == NULL)
		return;
	char msg[600];
	snprintf(msg, sizeof msg, "line %d: %s", e->line, e->message ? e->message : "invalid");
	size_t l = strlen(msg);
	while (l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
		msg[--l] = '\0';
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	st->sink(st->arg, msg);
}

gw_rc
xsd_ubl_validate(xmlDocPtr doc, xsd_ubl_sink sink, void *arg, size_t *nerr)
{
	struct vstate st = { sink, arg, 0 };
	*nerr = 0;
	gw_rc rc = xsd_ubl_load(NULL, 0);
	if (rc != GW_OK)
		return rc;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	const char *ns = (root && root->ns && root->ns->href) ? (const char *)root->ns->href : "";
	/* The schema declares both roots; only these two are documents here. */
	bool known = root && ((strcmp((const char *)root->name, "Invoice") == 0 && strcmp(ns, NS_INV) == 0) ||
	    (strcmp((const char *)root->name, "CreditNote") == 0 && strcmp(ns, NS_CN) == 0));
	if (!known) {
		char msg[300];
		snprintf(msg, sizeof msg, "root element {%s}%s is neither a UBL 2.1 Invoice nor a CreditNote",
		    ns, root ? (const char *)root->name : "(none)");
		if (sink)
			sink(arg, msg);
		*nerr = 1;
		return GW_OK;
	}
	/* One validation context per thread, reused: the schema is shared
	 * read-only, the context holds only per-run state. */
	if (tl_vc == NULL) {
		if ((tl_vc = xmlSchemaNewValidCtxt(xsd_ubl)) == NULL)
			return GW_ENOMEM;
		pthread_once(&vc_key_once, vc_key_make);
		(void)pthread_setspecific(vc_key, tl_vc);
	}
	xmlSchemaValidCtxtPtr vc = tl_vc;
	xmlSchemaSetValidStructuredErrors(vc, (xmlStructuredErrorFunc)valid_sink, &st);
	int r = xmlSchemaValidateDoc(vc, doc);
	xmlSchemaSetValidStructuredErrors(vc, NULL, NULL);
	if (r != 0 && st.n == 0) {
		/* A failure without a message (internal error) still counts. */
		st.n = 1;
		if (sink)
			sink(arg, r < 0 ? "validator internal error" : "document is not valid");
	}
	if (st.n > XSD_MAX_MESSAGES && sink) {
		char msg[96];
		snprintf(msg, sizeof msg, "%zu more schema violations not shown", st.n - XSD_MAX_MESSAGES);
		sink(arg, msg);
	}
	*nerr = st.n;
	return GW_OK;
}
