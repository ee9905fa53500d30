/*
 * xml_text.c - children and trimmed text of the official lists (xml_text.h).
 */
#include "core/xml_text.h"

#include <string.h>

xmlNode *
xml_child(const xmlNode *n, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
			return c;
	return NULL;
}

/* The trimmed span of s: its start, and its length in *len. */
static const char *
trimmed(const char *s, size_t *len)
{
	s += strspn(s, " \t\r\n");
	size_t n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]) != NULL)
		n--;
	*len = n;
	return s;
}

char *
xml_child_text(const xmlNode *n, const char *name)
{
	xmlNode *c = xml_child(n, name);
	xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
	if (t == NULL)
		return NULL;
	size_t len;
	const char *s = trimmed((const char *)t, &len);
	char *out = strndup(s, len);
	xmlFree(t);
	return out;
}

int
xml_node_text(const xmlNode *n, char *buf, size_t cap)
{
	buf[0] = '\0';
	xmlChar *t = xmlNodeGetContent(n);
	if (t == NULL)
		return 1;
	size_t len;
	const char *s = trimmed((const char *)t, &len);
	int ok = len < cap;
	if (ok) {
		memcpy(buf, s, len);
		buf[len] = '\0';
	}
	xmlFree(t);
	return ok;
}
