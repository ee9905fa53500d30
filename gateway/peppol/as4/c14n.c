/*
 * c14n.c - exclusive XML canonicalisation of one subtree, and its digest.
 *
 * libxml2's xmlC14NExecute with a visibility callback: a node is rendered
 * when it is the subtree's root or below it. Exclusive C14N then renders on
 * the root the namespaces it visibly uses, wherever an ancestor declared
 * them, plus the InclusiveNamespaces prefixes in scope: the form a
 * ds:Reference with a same-document URI digests.
 */
#include "peppol/as4/as4_int.h"

#include <stdlib.h>
#include <string.h>
#include <libxml/c14n.h>
#include <openssl/evp.h>

static int
under(void *root, xmlNodePtr node, xmlNodePtr parent)
{
	xmlNodePtr n = node;
	/* Namespace and attribute nodes belong to their parent element. */
	if (n == NULL || n->type == XML_NAMESPACE_DECL || n->type == XML_ATTRIBUTE_NODE)
		n = parent;
	for (; n != NULL; n = n->parent)
		if (n == (xmlNodePtr)root)
			return 1;
	return 0;
}

/* Split "a b c" into a NULL-terminated array of libxml2 strings. */
static xmlChar **
prefix_list(const char *prefixes, char *store, size_t cap, xmlChar **arr, int max)
{
	if (prefixes == NULL || *prefixes == '\0')
		return NULL;
	if (!as4_copy(store, cap, prefixes))
		return NULL;
	int k = 0;
	char *p = store;
	while (*p && k < max - 1) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			*p++ = '\0';
		if (!*p)
			break;
		char *start = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		/* "#default" names the default namespace: libxml2 spells it so too. */
		arr[k++] = BAD_CAST start;
	}
	arr[k] = NULL;
	return k ? arr : NULL;
}

gw_rc
c14n_subtree(xmlDocPtr doc, xmlNodePtr n, const char *prefixes, unsigned char **out, size_t *len)
{
	char store[512];
	xmlChar *arr[32];
	xmlChar **incl = prefix_list(prefixes, store, sizeof store, arr, 32);
	xmlOutputBufferPtr ob = xmlAllocOutputBuffer(NULL);
	if (ob == NULL)
		return GW_ENOMEM;
	int r = xmlC14NExecute(doc, under, n, XML_C14N_EXCLUSIVE_1_0, incl, 0, ob);
	if (r < 0) {
		xmlOutputBufferClose(ob);
		return GW_EINPUT;
	}
	const xmlChar *content = xmlOutputBufferGetContent(ob);
	size_t sz = xmlOutputBufferGetSize(ob);
	*out = malloc(sz + 1);
	if (*out == NULL) {
		xmlOutputBufferClose(ob);
		return GW_ENOMEM;
	}
	memcpy(*out, content, sz);
	(*out)[sz] = 0;
	*len = sz;
	xmlOutputBufferClose(ob);
	return GW_OK;
}

void
sha256_b64(const unsigned char *data, size_t len, char *b64, size_t cap)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	char *e = b64_encode(md, mdlen);
	if (e == NULL || !as4_copy(b64, cap, e))
		b64[0] = '\0';
	free(e);
}

gw_rc
c14n_digest(xmlDocPtr doc, xmlNodePtr n, const char *prefixes, char *b64, size_t cap)
{
	unsigned char *c = NULL;
	size_t len = 0;
	gw_rc rc = c14n_subtree(doc, n, prefixes, &c, &len);
	if (rc != GW_OK)
		return rc;
	sha256_b64(c, len, b64, cap);
	free(c);
	return GW_OK;
}
