/*
 * xml_safe.c - parsing XML from outside (core/xml_safe.h).
 *
 * Owns the parser settings and the DOCTYPE refusal: a SAX internalSubset
 * handler stops the parser the moment "<!DOCTYPE name ...>" is read, so the
 * subset's declarations are never parsed, let alone expanded. Keeps the
 * first parse error of the current document (the later ones are usually
 * its consequences) in thread-local storage: a parse runs on one thread.
 */
#include "core/xml_safe.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libxml/tree.h>

/* Options a document from outside never gets: they load or expand DTDs,
 * or (HUGE) lift the parser's limits on nesting depth (256 levels) and on
 * the length of one text node, attribute value or name (10 MB), which are
 * what keeps a deep or huge document from exhausting the stack or memory. */
#define XML_SAFE_FORBIDDEN (XML_PARSE_NOENT | XML_PARSE_DTDLOAD | XML_PARSE_DTDATTR | \
	XML_PARSE_DTDVALID | XML_PARSE_XINCLUDE | XML_PARSE_HUGE)

static _Thread_local int tl_doctype;
static _Thread_local char tl_first[300];
static _Thread_local int tl_first_line;

/* SAX internalSubset: called for any DOCTYPE, with or without a subset. */
static void
refuse_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id, const xmlChar *system_id)
{
	(void)name;
	(void)external_id;
	(void)system_id;
	tl_doctype = 1;
	xmlStopParser((xmlParserCtxtPtr)ctx);
}

static void
first_error(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	if (tl_first[0] != '\0' || e == NULL || e->level < XML_ERR_ERROR)
		return;
	snprintf(tl_first, sizeof tl_first, "%s", e->message ? e->message : "not well-formed");
	tl_first_line = e->line;
}

/* Install the handlers on pc and reset the per-document state. */
static void
arm(xmlParserCtxtPtr pc)
{
	pc->sax->internalSubset = refuse_doctype;
	pc->sax->serror = first_error;
	tl_doctype = 0;
	tl_first[0] = '\0';
	tl_first_line = 0;
}

static int
safe_opts(int opts)
{
	return (opts & ~XML_SAFE_FORBIDDEN) | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
}

/* Judge what the parser produced; frees doc and returns NULL when refused. */
static xmlDocPtr
judge(xmlParserCtxtPtr pc, xmlDocPtr doc, char *why, size_t whycap)
{
	/* The parser was stopped at the DOCTYPE: whatever it built is partial.
	 * The subset check is a second line, should a libxml2 ever call no
	 * internalSubset handler. */
	if (tl_doctype || (doc != NULL && (doc->intSubset != NULL || doc->extSubset != NULL))) {
		snprintf(why, whycap, "%s", XML_SAFE_DOCTYPE_REFUSED);
		xmlFreeDoc(doc);
		return NULL;
	}
	if (doc == NULL || !pc->wellFormed || !pc->nsWellFormed) {
		const xmlError *e = xmlCtxtGetLastError(pc);
		char msg[300];
		int line = e ? e->line : 0;
		if (tl_first[0] != '\0') {
			snprintf(msg, sizeof msg, "%s", tl_first);
			line = tl_first_line;
		} else {
			snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "not well-formed");
		}
		size_t l = strlen(msg);
		while (l > 0 && (msg[l - 1] == '\n' || msg[l - 1] == ' '))
			msg[--l] = '\0';
		snprintf(why, whycap, "line %d: not well-formed XML: %s", line, msg);
		xmlFreeDoc(doc);
		return NULL;
	}
	if (xmlDocGetRootElement(doc) == NULL) {
		snprintf(why, whycap, "no root element");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

xmlDocPtr
xml_safe_read_memory(xmlParserCtxtPtr pc, const char *buf, size_t len, const char *name, int opts,
                     char *why, size_t whycap)
{
	if (len > INT_MAX) {
		snprintf(why, whycap, "document too large");
		return NULL;
	}
	xmlParserCtxtPtr own = NULL;
	if (pc == NULL && (pc = own = xmlNewParserCtxt()) == NULL) {
		snprintf(why, whycap, "out of memory");
		return NULL;
	}
	arm(pc);
	xmlDocPtr doc = xmlCtxtReadMemory(pc, buf, (int)len, name, NULL, safe_opts(opts));
	doc = judge(pc, doc, why, whycap);
	if (own != NULL)
		xmlFreeParserCtxt(own);
	return doc;
}

xmlDocPtr
xml_safe_read_file(const char *path, int opts, char *why, size_t whycap)
{
	xmlParserCtxtPtr pc = xmlNewParserCtxt();
	if (pc == NULL) {
		snprintf(why, whycap, "out of memory");
		return NULL;
	}
	arm(pc);
	xmlDocPtr doc = xmlCtxtReadFile(pc, path, NULL, safe_opts(opts));
	doc = judge(pc, doc, why, whycap);
	xmlFreeParserCtxt(pc);
	return doc;
}
