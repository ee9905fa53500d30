/*
 * util.c - small readers over libxml2 trees for peppol/mls (mls_int.h), and
 * the Service Provider id helpers of mls.h.
 */
#include "peppol/mls/mls.h"
#include "peppol/mls/mls_int.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Whether n is an element named ns:name. */
static int
is_elem(xmlNodePtr n, const char *ns, const char *name)
{
	return n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST name) && n->ns != NULL &&
	       xmlStrEqual(n->ns->href, BAD_CAST ns);
}

xmlNodePtr
mls_first(xmlNodePtr n, const char *ns, const char *name)
{
	if (n == NULL)
		return NULL;
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (is_elem(c, ns, name))
			return c;
	return NULL;
}

xmlNodePtr
mls_next(xmlNodePtr n, const char *ns, const char *name)
{
	for (xmlNodePtr c = n ? n->next : NULL; c; c = c->next)
		if (is_elem(c, ns, name))
			return c;
	return NULL;
}

int
mls_count(xmlNodePtr n, const char *ns, const char *name)
{
	int k = 0;
	for (xmlNodePtr c = mls_first(n, ns, name); c; c = mls_next(c, ns, name))
		k++;
	return k;
}

int
mls_norm(xmlNodePtr n, char *buf, size_t cap)
{
	size_t o = 0;
	int space = 0, fit = 1;
	buf[0] = '\0';
	if (n == NULL)
		return 1;
	xmlChar *t = xmlNodeGetContent(n);
	if (t == NULL)
		return 1;
	for (const xmlChar *p = t; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			space = o > 0;
			continue;
		}
		if (o + (space ? 2 : 1) >= cap) {
			fit = 0;
			break;
		}
		if (space)
			buf[o++] = ' ';
		space = 0;
		buf[o++] = (char)*p;
	}
	buf[o] = '\0';
	xmlFree(t);
	return fit;
}

/* The schematron's SPIS pattern, case-insensitive:
 * ^[0-9]{6}(-[0-9A-Z_]{3,12}(\.[0-9A-Z\-._~]{3,24})?)?$ */
int
mls_spid_valid(const char *s)
{
	size_t i = 0, k;
	for (; i < 6; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	if (s[i] == '\0')
		return 1;
	if (s[i++] != '-')
		return 0;
	for (k = 0; isalnum((unsigned char)s[i]) || s[i] == '_'; i++, k++)
		;
	if (k < 3 || k > 12)
		return 0;
	if (s[i] == '\0')
		return 1;
	if (s[i++] != '.')
		return 0;
	for (k = 0; s[i] != '\0' && (isalnum((unsigned char)s[i]) || strchr("-._~", s[i]) != NULL);
	     i++, k++)
		;
	return k >= 3 && k <= 24 && s[i] == '\0';
}

int
mls_spid_of_cn(const char *cn, char *out, size_t cap)
{
	size_t n = strlen(cn);
	if (n < 6 || cap < 7)
		return 0;
	for (size_t i = n - 6; i < n; i++)
		if (!isdigit((unsigned char)cn[i]))
			return 0;
	snprintf(out, cap, "%s", cn + n - 6);
	return 1;
}
