/*
 * mls_int.h - what the MLS build, parse and check share inside peppol/mls:
 * the UBL namespaces and small readers over libxml2 trees.
 */
#ifndef GW_PEPPOL_MLS_INT_H
#define GW_PEPPOL_MLS_INT_H

#include <stddef.h>
#include <libxml/tree.h>

#define MLS_NS_AR  "urn:oasis:names:specification:ubl:schema:xsd:ApplicationResponse-2"
#define MLS_NS_CAC "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
#define MLS_NS_CBC "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

/* The first element child of n named ns:name (NULL when n is NULL or none). */
xmlNodePtr mls_first(xmlNodePtr n, const char *ns, const char *name);
/* The next element sibling after n named ns:name. */
xmlNodePtr mls_next(xmlNodePtr n, const char *ns, const char *name);
/* How many element children of n are named ns:name. */
int mls_count(xmlNodePtr n, const char *ns, const char *name);
/* XPath normalize-space() of n's text into buf ("" when n is NULL); 0 when
 * it did not fit. */
int mls_norm(xmlNodePtr n, char *buf, size_t cap);

#endif
