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

char *
xml_child_text(const xmlNode *n, const char *name)
{
	xmlNode *c = xml_child(n, name);
	xmlChar *t = c ? xmlNodeGetContent(c) : NULL;
	if (t == NULL)
		return NULL;
	const char *s = (const char *)t;
	s += strspn(s, " \t\r\n");
	size_t len = strlen(s);
	while (len > 0 && strchr(" \t\r\n", s[len - 1]) != NULL)
		len--;
	char *out = strndup(s, len);
	xmlFree(t);
	return out;
}
