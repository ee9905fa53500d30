/*
 * xml_text.h - reading the official XML lists (code lists, glossaries,
 * Schematron): an element's child by name and its trimmed text.
 */
#ifndef GW_CORE_XML_TEXT_H
#define GW_CORE_XML_TEXT_H

#include <libxml/tree.h>

/* The first element child called name, or NULL. */
xmlNode *xml_child(const xmlNode *n, const char *name);
/* The text of the first element child called name, whitespace-trimmed,
 * malloc'd; NULL when there is no such child or no memory. */
char *xml_child_text(const xmlNode *n, const char *name);
/* The whitespace-trimmed text of n into buf ("" when it has none); 0 when
 * it does not fit (buf is then ""). */
int xml_node_text(const xmlNode *n, char *buf, size_t cap);

#endif
