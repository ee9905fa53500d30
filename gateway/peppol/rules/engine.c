/*
 * engine.c - the rule engine core: findings, node locations, tree helpers.
 *
 * Owns the findings array of a run and the small, allocation-free tree
 * helpers that the rule sets (cen_*.c, peppol_*.c) use to read a UBL tree:
 * child lookup by namespace and local name, XPath string values,
 * normalize-space, xs:decimal casts on core/decimal.h values.
 * Must never evaluate numbers as doubles, never allocate per node visited
 * (only per finding), and never print: callers report findings.
 */
#include "peppol/rules/engine.h"
#include "core/array.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set when a finding could not be stored during the current run. */
static _Thread_local bool fire_oom;

/* Namespace identity cache, valid only during one run (the tree does not
 * change then): xmlNs pointers of the document and the caller's constant
 * strings, each mapped to its namespace once instead of a long strcmp per
 * test. Outside a run nothing is cached. */
#define NS_CACHE 16
static _Thread_local struct { const void *key; enum rule_ns id; } ns_nodes[NS_CACHE], ns_wants[NS_CACHE];
static _Thread_local int ns_nnodes, ns_nwants;
static _Thread_local bool ns_in_run;

/* Which UBL namespace a URI is (the slow path). */
static enum rule_ns
ns_classify(const char *h)
{
	if (h == NULL)
		return RULE_NSID_OTHER;
	if (strcmp(h, RULE_NS_CBC) == 0)
		return RULE_NSID_CBC;
	if (strcmp(h, RULE_NS_CAC) == 0)
		return RULE_NSID_CAC;
	if (strcmp(h, RULE_NS_EXT) == 0)
		return RULE_NSID_EXT;
	if (strcmp(h, RULE_NS_INV) == 0)
		return RULE_NSID_INV;
	if (strcmp(h, RULE_NS_CN) == 0)
		return RULE_NSID_CN;
	return RULE_NSID_OTHER;
}

/* Namespace of key (an xmlNs or a caller constant), cached during a run. */
static enum rule_ns
ns_cached(const void *key, const char *href, bool node)
{
	int *n = node ? &ns_nnodes : &ns_nwants;
	if (node ? !ns_in_run : false)
		return ns_classify(href);
	__typeof__(ns_nodes[0]) *t = node ? ns_nodes : ns_wants;
	for (int i = 0; i < *n; i++)
		if (t[i].key == key)
			return t[i].id;
	enum rule_ns id = ns_classify(href);
	if (*n < NS_CACHE) {
		t[*n].key = key;
		t[*n].id = id;
		(*n)++;
	}
	return id;
}

/* UBL namespace of an element. */
enum rule_ns
rule_ns_of(const xmlNode *n)
{
	if (n == NULL || n->ns == NULL || n->ns->href == NULL)
		return RULE_NSID_OTHER;
	return ns_cached(n->ns, (const char *)n->ns->href, true);
}

/* Append one finding; an allocation failure drops it (the run result then
 * under-reports, which rules_validate_doc turns into GW_ENOMEM). */
void
rule_fire(struct rule_ctx *c, const char *id, enum rule_flag flag, xmlNodePtr where)
{
	struct rule_findings *f = c->out;
	if (ARRAY_RESERVE(f->v, f->n, f->cap, 16) != GW_OK) {
		fire_oom = true;
		return;
	}
	struct rule_finding *r = &f->v[f->n++];
	r->rule_id = id;
	r->flag = flag;
	rule_node_location(where, r->location, sizeof r->location);
}

/* The prefix the official validator shows for a namespace. */
static const char *
ns_prefix(const xmlNode *n)
{
	if (n->ns == NULL || n->ns->href == NULL)
		return NULL;
	switch (rule_ns_of(n)) {
	case RULE_NSID_CBC: return "cbc";
	case RULE_NSID_CAC: return "cac";
	case RULE_NSID_EXT: return "ext";
	case RULE_NSID_INV:
	case RULE_NSID_CN: return NULL;
	default: return n->ns->prefix ? (const char *)n->ns->prefix : NULL;
	}
}

/* Same local name and namespace URI. */
static bool
same_name(const xmlNode *a, const xmlNode *b)
{
	if (a->type != b->type || strcmp((const char *)a->name, (const char *)b->name) != 0)
		return false;
	const char *na = a->ns ? (const char *)a->ns->href : NULL;
	const char *nb = b->ns ? (const char *)b->ns->href : NULL;
	if (na == NULL || nb == NULL)
		return na == nb;
	return na == nb || strcmp(na, nb) == 0;
}

/* Location steps are written leaf first into a stack, then reversed. */
void
rule_node_location(xmlNodePtr n, char *buf, size_t cap)
{
	const xmlNode *chain[64];
	size_t depth = 0;
	if (cap == 0)
		return;
	buf[0] = '\0';
	for (const xmlNode *p = n; p != NULL && p->type != XML_DOCUMENT_NODE &&
	     p->type != XML_HTML_DOCUMENT_NODE && depth < 64; p = p->parent)
		chain[depth++] = p;
	size_t o = 0;
	if (depth == 0) {
		snprintf(buf, cap, "/");
		return;
	}
	while (depth > 0) {
		const xmlNode *s = chain[--depth];
		int w;
		if (s->type == XML_ATTRIBUTE_NODE) {
			w = snprintf(buf + o, cap - o, "/@%s", (const char *)s->name);
		} else {
			size_t pos = 1;
			for (const xmlNode *q = s->prev; q != NULL; q = q->prev)
				if (q->type == XML_ELEMENT_NODE && same_name(q, s))
					pos++;
			const char *pfx = ns_prefix(s);
			w = snprintf(buf + o, cap - o, "/%s%s%s[%zu]", pfx ? pfx : "", pfx ? ":" : "",
			    (const char *)s->name, pos);
		}
		if (w < 0 || (size_t)w >= cap - o) {
			buf[cap - 1] = '\0';
			return;
		}
		o += (size_t)w;
	}
}

/* Name caches across documents. The rule sets remember the token of an
 * element name by its pointer; names are interned in the parser's
 * dictionary, and validate.c reuses one parser (so one dictionary) for up
 * to 1000 documents, so a name's pointer and token stay the same from one
 * document to the next. Rebuilding the caches for every document cost
 * about 2.5 us of the ~75 us per 9 KB invoice (a binary search with strcmp
 * per distinct name). validate.c names its long-lived dictionary
 * (rule_names_keep); the thread holds a reference on it, so its strings
 * cannot be freed and their addresses reused while cached, and only names
 * it owns are kept past one run. Documents from any other dictionary
 * (fresh parsers, tests) cache per run, as before: holding their
 * dictionaries would only delay freeing them (measured: +5 us per
 * document with a fresh parser each time). */
static _Thread_local xmlDictPtr names_dict;
static _Thread_local unsigned long names_epoch, names_run_epoch;

void
rule_names_keep(xmlDictPtr dict)
{
	rule_names_release();
	if (dict == NULL || xmlDictReference(dict) != 0)
		return;
	names_dict = dict;
	names_epoch++;
	if (names_epoch == 0)
		names_epoch = 1;
}

/* Enter a run over doc: the epoch its caches are valid for (0: this run only). */
static void
names_enter(const xmlDoc *doc)
{
	names_run_epoch = doc->dict != NULL && doc->dict == names_dict ? names_epoch : 0;
}

unsigned long
rule_names_epoch(void)
{
	return names_run_epoch;
}

bool
rule_name_stable(const xmlChar *name)
{
	return names_run_epoch != 0 && names_dict != NULL && xmlDictOwns(names_dict, name) == 1;
}

void
rule_names_release(void)
{
	if (names_dict != NULL)
		xmlDictFree(names_dict);
	names_dict = NULL;
	names_run_epoch = 0;
}

/* Run the selected rule sets over doc with the release in force now. */
gw_rc
rules_validate_doc(xmlDocPtr doc, enum rule_sets sets, struct rule_findings *out)
{
	return rules_validate_doc_at(doc, sets, RULE_RELEASE_IN_FORCE, out);
}

/* Run the selected rule sets of one release over doc; findings are
 * appended to out. */
gw_rc
rules_validate_doc_at(xmlDocPtr doc, enum rule_sets sets, enum rule_release release,
    struct rule_findings *out)
{
	xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (root == NULL)
		return GW_EINPUT;
	struct rule_ctx c = {
		.doc = doc, .root = root,
		.credit_note = rule_is(root, RULE_NS_CN, "CreditNote"),
		.out = out, .priv = NULL,
		.release = release != RULE_RELEASE_IN_FORCE ? release : rule_release_now(),
	};
	fire_oom = false;
	ns_nnodes = 0;
	ns_in_run = true;
	names_enter(doc);
	if (sets & RULES_CEN)
		rules_cen_run(&c);
	if (sets & RULES_PEPPOL) {
		c.priv = NULL;
		rules_peppol_run(&c);
	}
	ns_in_run = false;
	ns_nnodes = 0;
	names_run_epoch = 0;
	return fire_oom ? GW_ENOMEM : GW_OK;
}

/* Releases the findings array. */
void
rule_findings_free(struct rule_findings *f)
{
	free(f->v);
	f->v = NULL;
	f->n = f->cap = 0;
}

/* ---- tree helpers ---- */

/* Element n is ns:local; local name first (cheap mismatch), namespace by identity. */
bool
rule_is(const xmlNode *n, const char *ns, const char *local)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return false;
	if (n->name[0] != (xmlChar)local[0] || strcmp((const char *)n->name, local) != 0)
		return false;
	if (ns == NULL)
		return true;
	if (n->ns == NULL || n->ns->href == NULL)
		return false;
	enum rule_ns want = ns_cached(ns, ns, false);
	if (want == RULE_NSID_OTHER)
		return strcmp((const char *)n->ns->href, ns) == 0;
	return rule_ns_of(n) == want;
}

xmlNodePtr
rule_child(const xmlNode *parent, const char *ns, const char *local)
{
	if (parent == NULL)
		return NULL;
	for (xmlNodePtr k = parent->children; k != NULL; k = k->next)
		if (rule_is(k, ns, local))
			return k;
	return NULL;
}

xmlNodePtr
rule_next_same(const xmlNode *n)
{
	for (xmlNodePtr k = n->next; k != NULL; k = k->next)
		if (k->type == XML_ELEMENT_NODE && same_name(k, n))
			return k;
	return NULL;
}

/* Number of child elements ns:local. */
size_t
rule_count(const xmlNode *parent, const char *ns, const char *local)
{
	size_t c = 0;
	if (parent == NULL)
		return 0;
	for (xmlNodePtr k = parent->children; k != NULL; k = k->next)
		if (rule_is(k, ns, local))
			c++;
	return c;
}

/* Split the first step of a path: namespace, local name, rest. */
static const char *
path_step(const char *p, const char **ns, char *local, size_t cap)
{
	*ns = NULL;
	if (p[0] == '*' && (p[1] == '/' || p[1] == '\0')) {
		local[0] = '*';
		local[1] = '\0';
		return p[1] == '/' ? p + 2 : p + 1;
	}
	if (strncmp(p, "cbc:", 4) == 0)
		*ns = RULE_NS_CBC;
	else if (strncmp(p, "cac:", 4) == 0)
		*ns = RULE_NS_CAC;
	else if (strncmp(p, "ext:", 4) == 0)
		*ns = RULE_NS_EXT;
	if (*ns != NULL)
		p += 4;
	size_t i = 0;
	while (*p && *p != '/' && i + 1 < cap)
		local[i++] = *p++;
	local[i] = '\0';
	return *p == '/' ? p + 1 : p;
}

struct path_sink {
	xmlNodePtr *out;
	size_t cap;
};

/* Walks path below from; stops at the first match when count is NULL;
 * stores matches into sink when given. */
static xmlNodePtr
path_walk(const xmlNode *from, const char *path, size_t *count, struct path_sink *sink)
{
	const char *ns;
	char local[96];
	const char *rest = path_step(path, &ns, local, sizeof local);
	bool any = local[0] == '*' && local[1] == '\0';
	for (xmlNodePtr k = from->children; k != NULL; k = k->next) {
		if (k->type != XML_ELEMENT_NODE)
			continue;
		if (!any && !rule_is(k, ns, local))
			continue;
		if (*rest == '\0') {
			if (count == NULL)
				return k;
			if (sink != NULL && *count < sink->cap)
				sink->out[*count] = k;
			(*count)++;
			continue;
		}
		xmlNodePtr r = path_walk(k, rest, count, sink);
		if (r != NULL && count == NULL)
			return r;
	}
	return NULL;
}

xmlNodePtr
rule_path(const xmlNode *from, const char *path)
{
	if (from == NULL)
		return NULL;
	return path_walk(from, path, NULL, NULL);
}

/* Number of matches of a relative child path. */
size_t
rule_path_count(const xmlNode *from, const char *path)
{
	size_t c = 0;
	if (from != NULL)
		path_walk(from, path, &c, NULL);
	return c;
}

/* Every match of a relative child path, up to cap stored. */
size_t
rule_path_all(const xmlNode *from, const char *path, xmlNodePtr *out, size_t cap)
{
	size_t c = 0;
	struct path_sink sink = { out, cap };
	if (from != NULL)
		path_walk(from, path, &c, &sink);
	return c;
}

/* Value of an attribute without namespace, not copied. */
const char *
rule_attr(const xmlNode *n, const char *name)
{
	if (n == NULL || n->type != XML_ELEMENT_NODE)
		return NULL;
	for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
		if (a->ns == NULL && strcmp((const char *)a->name, name) == 0) {
			if (a->children && a->children->content)
				return (const char *)a->children->content;
			return "";
		}
	}
	return NULL;
}

/* Appends the text below n to buf from offset o; returns the new offset. */
static size_t
text_rec(const xmlNode *n, char *buf, size_t cap, size_t o)
{
	for (const xmlNode *k = n->children; k != NULL; k = k->next) {
		if (k->type == XML_TEXT_NODE || k->type == XML_CDATA_SECTION_NODE) {
			const char *s = (const char *)k->content;
			size_t l = s ? strlen(s) : 0;
			if (o + l >= cap)
				l = cap - 1 - o;
			memcpy(buf + o, s, l);
			o += l;
		} else if (k->type == XML_ELEMENT_NODE) {
			o = text_rec(k, buf, cap, o);
		}
		if (o + 1 >= cap)
			break;
	}
	return o;
}

/* XPath string value of n, truncated to the buffer. */
size_t
rule_text(const xmlNode *n, char *buf, size_t cap)
{
	if (cap == 0)
		return 0;
	size_t o = 0;
	if (n != NULL) {
		if (n->type == XML_ATTRIBUTE_NODE) {
			const char *v = n->children ? (const char *)n->children->content : "";
			snprintf(buf, cap, "%s", v ? v : "");
			return strlen(buf);
		}
		o = text_rec(n, buf, cap, 0);
	}
	buf[o] = '\0';
	return o;
}

/* XML whitespace. */
static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

struct norm_out {
	char *buf;
	size_t cap, o;
	bool pend, full;
};

/* Appends the text below n to out, collapsing whitespace as it goes. */
static void
norm_rec(const xmlNode *n, struct norm_out *out)
{
	for (const xmlNode *k = n->children; k != NULL && !out->full; k = k->next) {
		if (k->type == XML_ELEMENT_NODE) {
			norm_rec(k, out);
			continue;
		}
		if ((k->type != XML_TEXT_NODE && k->type != XML_CDATA_SECTION_NODE) || k->content == NULL)
			continue;
		for (const char *p = (const char *)k->content; *p; p++) {
			if (is_space(*p)) {
				out->pend = out->o > 0;
				continue;
			}
			if (out->o + (out->pend ? 2 : 1) >= out->cap) {
				out->full = true;
				return;
			}
			if (out->pend)
				out->buf[out->o++] = ' ';
			out->pend = false;
			out->buf[out->o++] = *p;
		}
	}
}

/* normalize-space() of the string value of n (element or attribute),
 * collapsed while copying so that long padding cannot hide a tail. */
size_t
rule_norm(const xmlNode *n, char *buf, size_t cap)
{
	if (cap == 0)
		return 0;
	struct norm_out out = { buf, cap, 0, false, false };
	if (n != NULL)
		norm_rec(n, &out);
	buf[out.o] = '\0';
	/* a result cut short reports the full buffer, so that callers can tell */
	return out.full ? cap - 1 : out.o;
}

/* normalize-space(n) = s. */
bool
rule_norm_eq(const xmlNode *n, const char *s)
{
	char b[256];
	/* a value that fills the buffer may be longer: never equal to a short constant */
	if (rule_norm(n, b, sizeof b) >= sizeof b - 1)
		return strlen(s) >= sizeof b - 1 && strncmp(b, s, sizeof b - 1) == 0;
	return strcmp(b, s) == 0;
}

/* normalize-space(upper-case(n)) = s (ASCII upper-casing). */
bool
rule_norm_upper_eq(const xmlNode *n, const char *s)
{
	char b[256];
	if (rule_norm(n, b, sizeof b) >= sizeof b - 1)
		return false;
	for (char *p = b; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	return strcmp(b, s) == 0;
}

/* string(n) = s; false when n is absent. */
bool
rule_text_eq(const xmlNode *n, const char *s)
{
	char b[256];
	if (n == NULL)
		return false;
	if (rule_text(n, b, sizeof b) >= sizeof b - 1)
		return false;
	return strcmp(b, s) == 0;
}

/* Exact string comparison: on the stack when short, else full copies. */
bool
rule_same_text(const xmlNode *a, const xmlNode *b)
{
	char x[256], y[256];
	size_t lx = rule_text(a, x, sizeof x), ly = rule_text(b, y, sizeof y);
	if (lx < sizeof x - 1 && ly < sizeof y - 1)
		return lx == ly && memcmp(x, y, lx) == 0;
	if (lx != ly && (lx < sizeof x - 1 || ly < sizeof y - 1))
		return false;
	xmlChar *fa = xmlNodeGetContent(a), *fb = xmlNodeGetContent(b);
	bool same = fa != NULL && fb != NULL && strcmp((const char *)fa, (const char *)fb) == 0;
	xmlFree(fa);
	xmlFree(fb);
	return same;
}

/* xs:decimal(n), whitespace-trimmed, "5." and ".5" accepted as XML Schema does. */
bool
rule_decimal(const xmlNode *n, decimal *out)
{
	char b[128];
	if (n == NULL)
		return false;
	size_t l = rule_text(n, b, sizeof b);
	if (l >= sizeof b - 1)
		return false;   /* longer than any decimal the rules can hold */
	size_t s = 0;
	while (s < l && is_space(b[s]))
		s++;
	while (l > s && is_space(b[l - 1]))
		l--;
	if (l == s)
		return false;
	/* xs:decimal accepts "5." and ".5"; core/decimal does not. */
	char t[130];
	size_t o = 0;
	size_t i = s;
	if (b[i] == '+' || b[i] == '-')
		t[o++] = b[i++];
	if (i < l && b[i] == '.')
		t[o++] = '0';
	for (; i < l && o + 2 < sizeof t; i++)
		t[o++] = b[i];
	if (o > 0 && t[o - 1] == '.')
		o--;
	return dec_parse(t, o, out) == GW_OK;
}

/* string-length(substring-after(string(n), '.')). */
size_t
rule_frac_digits(const xmlNode *n)
{
	char b[256];
	if (n == NULL)
		return 0;
	size_t l = rule_text(n, b, sizeof b);
	const char *d = memchr(b, '.', l);
	return d ? l - (size_t)(d - b) - 1 : 0;
}

/* bsearch comparator over a sorted string table. */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, *(const char *const *)b);
}

/* s is in the sorted table. */
bool
rule_code_in(const char *s, const char *const *sorted, size_t n)
{
	return s != NULL && bsearch(s, sorted, n, sizeof *sorted, cmp_str) != NULL;
}

/* xs:boolean of the text: 1, 0, or -1 when neither. */
int
rule_bool(const xmlNode *n)
{
	char b[32];
	if (n == NULL)
		return -1;
	rule_norm(n, b, sizeof b);
	if (strcmp(b, "true") == 0 || strcmp(b, "1") == 0)
		return 1;
	if (strcmp(b, "false") == 0 || strcmp(b, "0") == 0)
		return 0;
	return -1;
}
