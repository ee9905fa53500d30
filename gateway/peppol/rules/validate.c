/*
 * validate.c - one document through parse, schema check and rules.
 *
 * Owns the per-thread parser context (the parse itself is core/xml_safe's:
 * no DOCTYPE, no network, no entity substitution, no DTD loading,
 * libxml2's default size limits) and the report that collects schema messages and rule findings.
 * Must never print; the command decides how a report is shown.
 */
#include "peppol/rules/validate.h"
#include "core/array.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>

#include "core/xml_safe.h"
#include "peppol/rules/xsd_ubl.h"

/* One parser context per thread, reused: creating it and its name
 * dictionary costs as much as parsing a 9 KB invoice. It is replaced after
 * PARSER_REUSE documents so that the dictionary (which keeps every element
 * name ever seen) stays bounded whatever the input. */
#define PARSER_REUSE 1000
static _Thread_local xmlParserCtxtPtr tl_ctxt;
static _Thread_local unsigned tl_uses;
/* A thread that ends without invoice_parser_release (a server's worker
 * threads, a test's threads) has it called by this key's destructor. */
static pthread_key_t parser_key;
static pthread_once_t parser_key_once = PTHREAD_ONCE_INIT;

static void
parser_at_exit(void *unused)
{
	(void)unused;
	invoice_parser_release();
}

static void
parser_key_make(void)
{
	(void)pthread_key_create(&parser_key, parser_at_exit);
}

static xmlParserCtxtPtr
parser_get(void)
{
	if (tl_ctxt != NULL && tl_uses >= PARSER_REUSE) {
		xmlFreeParserCtxt(tl_ctxt);
		tl_ctxt = NULL;
	}
	if (tl_ctxt == NULL) {
		tl_ctxt = xmlNewParserCtxt();
		tl_uses = 0;
		pthread_once(&parser_key_once, parser_key_make);
		(void)pthread_setspecific(parser_key, tl_ctxt);
		/* The rules may keep name caches for this dictionary's documents. */
		rule_names_keep(tl_ctxt != NULL ? tl_ctxt->dict : NULL);
	}
	tl_uses++;
	return tl_ctxt;
}

void
invoice_parser_release(void)
{
	if (tl_ctxt != NULL) {
		pthread_once(&parser_key_once, parser_key_make);
		(void)pthread_setspecific(parser_key, NULL);
		xmlFreeParserCtxt(tl_ctxt);
	}
	tl_ctxt = NULL;
	tl_uses = 0;
	xsd_ubl_release_thread();
	rule_names_release();
}

xmlDocPtr
invoice_parse(const char *buf, size_t len, const char *name, char *why, size_t whycap)
{
	xmlParserCtxtPtr pc = parser_get();
	if (pc == NULL) {
		snprintf(why, whycap, "out of memory");
		return NULL;
	}
	/* xml_safe refuses a DOCTYPE and never substitutes entities, loads a
	 * DTD or uses the network; the parser's depth and size limits apply
	 * (no HUGE). NOBLANKS drops whitespace-only text between elements (UBL
	 * has no mixed content; whitespace-only element content is kept) and
	 * COMPACT stores short texts in the node: both only save time. */
	return xml_safe_read_memory(pc, buf, len, name, XML_PARSE_NOBLANKS | XML_PARSE_COMPACT,
	    why, whycap);
}

static void
keep_xsd(void *arg, const char *msg)
{
	struct invoice_report *rep = arg;
	if (ARRAY_RESERVE(rep->xsd, rep->nxsd, rep->capxsd, 8) != GW_OK)
		return;
	char *copy = strdup(msg);
	if (copy != NULL)
		rep->xsd[rep->nxsd++] = copy;
}

gw_rc
invoice_validate_doc(xmlDocPtr doc, enum rule_sets sets, bool with_xsd, struct invoice_report *rep)
{
	if (with_xsd) {
		gw_rc rc = xsd_ubl_validate(doc, keep_xsd, rep, &rep->xsd_errors);
		if (rc != GW_OK) {
			snprintf(rep->why, sizeof rep->why, "UBL schemas cannot be loaded");
			return rc;
		}
	}
	if (rep->release == RULE_RELEASE_IN_FORCE)
		rep->release = rule_release_now();
	return rules_validate_doc_at(doc, sets, rep->release, &rep->rules);
}

gw_rc
invoice_validate_mem(const char *buf, size_t len, const char *name, enum rule_sets sets,
    bool with_xsd, struct invoice_report *rep)
{
	xmlDocPtr doc = invoice_parse(buf, len, name, rep->why, sizeof rep->why);
	if (doc == NULL)
		return GW_EINPUT;
	gw_rc rc = invoice_validate_doc(doc, sets, with_xsd, rep);
	xmlFreeDoc(doc);
	return rc;
}

size_t
invoice_report_errors(const struct invoice_report *rep)
{
	size_t n = rep->xsd_errors;
	for (size_t i = 0; i < rep->rules.n; i++)
		if (rep->rules.v[i].flag == RULE_FATAL)
			n++;
	return n;
}

void
invoice_report_free(struct invoice_report *rep)
{
	for (size_t i = 0; i < rep->nxsd; i++)
		free(rep->xsd[i]);
	free(rep->xsd);
	rep->xsd = NULL;
	rep->nxsd = rep->capxsd = rep->xsd_errors = 0;
	rule_findings_free(&rep->rules);
	rep->why[0] = '\0';
}
