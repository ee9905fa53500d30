/*
 * xsd_ubl.c - the UBL 2.1 schema cache and schema validation.
 *
 * Owns the two compiled schemas (Invoice, CreditNote) for the life of the
 * process, built on first use under a mutex. Must never fetch anything
 * over the network (imports are relative local files; the schema parser
 * and the validator run with network access refused) and never print:
 * messages go to the caller's sink.
 */
#include "peppol/rules/xsd_ubl.h"
#include "core/params.h"

#include <errno.h>
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
static xmlSchemaPtr xsd_invoice, xsd_creditnote;
static char xsd_failure[512];
static _Thread_local xmlSchemaValidCtxtPtr tl_vc_invoice, tl_vc_creditnote;

void
xsd_ubl_release_thread(void)
{
	if (tl_vc_invoice != NULL)
		xmlSchemaFreeValidCtxt(tl_vc_invoice);
	if (tl_vc_creditnote != NULL)
		xmlSchemaFreeValidCtxt(tl_vc_creditnote);
	tl_vc_invoice = tl_vc_creditnote = NULL;
}

/* Schema-parser diagnostics are summed up in one failure reason instead. */
static void
parse_sink(void *arg, const xmlError *e)
{
	char *why = arg;
	if (why[0] == '\0' && e != NULL && e->message != NULL)
		snprintf(why, 256, "%s", e->message);
}

static xmlSchemaPtr
compile_one(const char *dir, const char *file, char *why, size_t whycap)
{
	char path[1024], perr[256] = "";
	snprintf(path, sizeof path, "%s/maindoc/%s", dir, file);
	if (access(path, R_OK) != 0) {
		snprintf(why, whycap, "%.400s: %s", path, strerror(errno));
		return NULL;
	}
	xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(path);
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
		snprintf(why, whycap, "%.300s: schema does not compile: %.180s", path, perr[0] ? perr : "?");
	}
	return s;
}

/* Compile both schemas once; later calls return the cached result. */
gw_rc
xsd_ubl_load(char *why, size_t whycap)
{
	gw_rc rc = GW_OK;
	pthread_mutex_lock(&xsd_lock);
	if (xsd_invoice != NULL && xsd_creditnote != NULL)
		goto out;
	char dflt[768];
	snprintf(dflt, sizeof dflt, "%s/peppol/ubl-xsd", gw_reference_dir());
	const char *dir = param_str(P_PEPPOL_UBL_XSD_DIR);
	if (dir == NULL || dir[0] == '\0')
		dir = dflt;
	char reason[512] = "";
	if (xsd_invoice == NULL)
		xsd_invoice = compile_one(dir, "UBL-Invoice-2.1.xsd", reason, sizeof reason);
	if (xsd_invoice != NULL && xsd_creditnote == NULL)
		xsd_creditnote = compile_one(dir, "UBL-CreditNote-2.1.xsd", reason, sizeof reason);
	if (xsd_invoice == NULL || xsd_creditnote == NULL) {
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
	xmlSchemaPtr s = NULL;
	if (root && strcmp((const char *)root->name, "Invoice") == 0 && strcmp(ns, NS_INV) == 0)
		s = xsd_invoice;
	else if (root && strcmp((const char *)root->name, "CreditNote") == 0 && strcmp(ns, NS_CN) == 0)
		s = xsd_creditnote;
	if (s == NULL) {
		char msg[300];
		snprintf(msg, sizeof msg, "root element {%s}%s is neither a UBL 2.1 Invoice nor a CreditNote",
		    ns, root ? (const char *)root->name : "(none)");
		if (sink)
			sink(arg, msg);
		*nerr = 1;
		return GW_OK;
	}
	/* One validation context per thread and schema, reused: the schema is
	 * shared read-only, the context holds only per-run state. */
	xmlSchemaValidCtxtPtr *slot = s == xsd_invoice ? &tl_vc_invoice : &tl_vc_creditnote;
	if (*slot == NULL && (*slot = xmlSchemaNewValidCtxt(s)) == NULL)
		return GW_ENOMEM;
	xmlSchemaValidCtxtPtr vc = *slot;
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
