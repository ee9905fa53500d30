/*
 * xml_safe.h - the one way to parse XML that comes from outside.
 *
 * ONSS answer files, UBL invoices, files uploaded to the batch simulator:
 * every reader of a document the gateway did not write itself parses it
 * here. No legitimate one carries a DOCTYPE, and a DOCTYPE is what entity
 * expansion (billion laughs, attribute-value expansion that the schema
 * check then multiplies) and external entities (XXE) need: a document that
 * has one is refused as soon as the parser meets it, before its internal
 * subset is read and before anything else looks at the document. The
 * network is never used, entities are never substituted, no DTD is loaded.
 */
#ifndef GW_CORE_XML_SAFE_H
#define GW_CORE_XML_SAFE_H

#include <stddef.h>
#include <libxml/parser.h>

/* The reason given for a refused DOCTYPE (tests and callers match it). */
#define XML_SAFE_DOCTYPE_REFUSED "a DOCTYPE is not allowed in a document from outside " \
	"(no entity declarations, no external subset)"

/* Parse buf as a document from outside. pc: a parser context to reuse (its
 * error and DOCTYPE handlers are set here), or NULL for a fresh one. opts:
 * extra XML_PARSE_* options (NOBLANKS, COMPACT); NOENT, DTDLOAD, DTDATTR,
 * DTDVALID, XINCLUDE and HUGE are dropped (libxml2's depth and node-size
 * limits always hold), NONET, NOERROR and NOWARNING always added. NULL when refused, with why ("line N: not well-formed
 * XML: ...", XML_SAFE_DOCTYPE_REFUSED, "no root element"); the caller puts
 * the file name in front. Namespace errors (an undeclared prefix) refuse
 * the document too. */
xmlDocPtr xml_safe_read_memory(xmlParserCtxtPtr pc, const char *buf, size_t len, const char *name,
                               int opts, char *why, size_t whycap);
/* The same for a file on disk (read by libxml2 itself: no size cap of
 * its own, libxml2's depth and node-size limits). */
xmlDocPtr xml_safe_read_file(const char *path, int opts, char *why, size_t whycap);

#endif
