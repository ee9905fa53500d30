/*
 * cen_cr.c - the UBL-CR ("should not be present") and UBL-DT-08..28
 * ("attribute should not be used") warnings, all with the root as context.
 *
 * The path table (cen_cr_table.c) is compiled once into a trie of element
 * names rooted at the document element; the walk in cen_run.c moves along
 * it, so each element costs one binary search. Paths starting with "//"
 * are matched per element by their last step. Each rule fires at most once
 * per document (its context, the root, is one node). Owns the trie
 * (built once, read-only afterwards, shared by threads).
 */
#include "peppol/rules/cen_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TRIE_MAX 1400
#define ANY_MAX 32

struct trie_node {
	char key[64];          /* "cbc:Name", or "@attr" */
	uint32_t hash;         /* key_hash() of the key: children are searched by it */
	int parent;
	int first, count;      /* children: edges[first .. first+count) */
	int rules[3];          /* table indexes firing at this node */
	int nrules;
};

static struct trie_node nodes[TRIE_MAX];
static int nnodes;
static int edges[TRIE_MAX];      /* node indexes, grouped by parent, sorted by key */

/* "//" entries: steps kept as separate keys, matched from the last. */
struct any_entry {
	int idx;                 /* table index */
	char steps[4][64];
	int nsteps;
};
static struct any_entry anys[ANY_MAX];
static int nanys;
static uint64_t any_first[4];    /* first characters of the element-ending entries' last step */

static pthread_once_t once = PTHREAD_ONCE_INIT;

/* FNV-1a of "pfx:local" (pfx NULL: "@local"), without building the string. */
static uint32_t
key_hash(const char *pfx, const char *local)
{
	uint32_t h = 2166136261u;
	if (pfx == NULL) {
		h = (h ^ '@') * 16777619u;
	} else {
		for (const char *p = pfx; *p; p++)
			h = (h ^ (unsigned char)*p) * 16777619u;
		h = (h ^ ':') * 16777619u;
	}
	for (const char *p = local; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h;
}

static uint32_t
hash_of_key(const char *key)
{
	char pfx[8];
	if (key[0] == '@')
		return key_hash(NULL, key + 1);
	snprintf(pfx, sizeof pfx, "%.3s", key);
	return key_hash(pfx, key + 4);
}

/* The child of trie node parent with key, created when missing. */
static int
node_child_build(int parent, const char *key)
{
	for (int i = 1; i < nnodes; i++)
		if (nodes[i].parent == parent && strcmp(nodes[i].key, key) == 0)
			return i;
	if (nnodes >= TRIE_MAX)
		return -1;
	int n = nnodes++;
	snprintf(nodes[n].key, sizeof nodes[n].key, "%s", key);
	nodes[n].hash = hash_of_key(nodes[n].key);
	nodes[n].parent = parent;
	return n;
}

/* Adds one table path (already expanded) to the trie. */
static void
insert(int idx, const char *path)
{
	int t = 0;
	char step[64];
	while (*path) {
		size_t l = strcspn(path, "/");
		snprintf(step, sizeof step, "%.*s", (int)l, path);
		path += l;
		if (*path == '/')
			path++;
		t = node_child_build(t, step);
		if (t < 0)
			return;
	}
	if (nodes[t].nrules < 3)
		nodes[t].rules[nodes[t].nrules++] = idx;
}

/* Orders trie edges by parent, then hash, then key. */
static int
cmp_edge(const void *a, const void *b)
{
	const struct trie_node *x = &nodes[*(const int *)a], *y = &nodes[*(const int *)b];
	if (x->parent != y->parent)
		return x->parent - y->parent;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* Compiles the table once: trie of root paths, list of "//" entries. */
static void
build(void)
{
	nnodes = 1;
	nodes[0].parent = -1;
	for (size_t i = 0; i < cen_cr_table_n; i++) {
		const char *p = cen_cr_table[i].path;
		if (strncmp(p, "//", 2) == 0) {
			if (nanys >= ANY_MAX)
				continue;
			struct any_entry *a = &anys[nanys++];
			a->idx = (int)i;
			p += 2;
			while (*p && a->nsteps < 4) {
				size_t l = strcspn(p, "/");
				snprintf(a->steps[a->nsteps++], sizeof a->steps[0], "%.*s", (int)l, p);
				p += l;
				if (*p == '/')
					p++;
			}
			const char *last = a->steps[a->nsteps - 1];
			if (last[0] != '@') {
				unsigned char ch = (unsigned char)last[4];
				any_first[ch / 64] |= (uint64_t)1 << (ch % 64);
			}
			continue;
		}
		if (strncmp(p, "$L/", 3) == 0) {
			char buf[256];
			snprintf(buf, sizeof buf, "cac:InvoiceLine/%s", p + 3);
			insert((int)i, buf);
			snprintf(buf, sizeof buf, "cac:CreditNoteLine/%s", p + 3);
			insert((int)i, buf);
			continue;
		}
		insert((int)i, p);
	}
	int ne = 0;
	for (int i = 1; i < nnodes; i++)
		edges[ne++] = i;
	qsort(edges, (size_t)ne, sizeof edges[0], cmp_edge);
	for (int i = 0; i < nnodes; i++)
		nodes[i].first = nodes[i].count = 0;
	for (int e = 0; e < ne; e++) {
		struct trie_node *p = &nodes[nodes[edges[e]].parent];
		if (p->count == 0)
			p->first = e;
		p->count++;
	}
}

/* The key an element or attribute has in the table, or NULL. */
static const char *
prefix_of(const xmlNode *el)
{
	switch (rule_ns_of(el)) {
	case RULE_NSID_CBC: return "cbc";
	case RULE_NSID_CAC: return "cac";
	case RULE_NSID_EXT: return "ext";
	default: return NULL;
	}
}

/* Compare probe (pfx, local) -- pfx NULL means attribute "@local" -- with key. */
static int
probe_cmp(const char *pfx, const char *local, const char *key)
{
	if (pfx == NULL) {
		if (key[0] != '@')
			return '@' - key[0];
		return strcmp(local, key + 1);
	}
	int c = strncmp(pfx, key, 3);
	if (c != 0)
		return c;
	if (key[3] != ':')
		return ':' - key[3];
	return strcmp(local, key + 4);
}

/* Child of t with key pfx:local: binary search on the hash, then the key. */
static int
find(int t, const char *pfx, const char *local)
{
	uint32_t h = key_hash(pfx, local);
	int lo = 0, hi = nodes[t].count - 1;
	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		uint32_t mh = nodes[edges[nodes[t].first + mid]].hash;
		if (mh < h) {
			lo = mid + 1;
		} else if (mh > h) {
			hi = mid - 1;
		} else {
			/* equal hashes are adjacent: scan them */
			while (mid > 0 && nodes[edges[nodes[t].first + mid - 1]].hash == h)
				mid--;
			for (; mid < nodes[t].count; mid++) {
				int n = edges[nodes[t].first + mid];
				if (nodes[n].hash != h)
					break;
				if (probe_cmp(pfx, local, nodes[n].key) == 0)
					return n;
			}
			return -1;
		}
	}
	return -1;
}

/* Trie node of child element el below t, or -1. */
int
cen_cr_step(int t, const xmlNode *el)
{
	pthread_once(&once, build);
	if (nodes[t].count == 0)
		return -1;
	const char *pfx = prefix_of(el);
	if (pfx == NULL)
		return -1;
	return find(t, pfx, (const char *)el->name);
}

/* Fires table entry idx once per document, at the root. */
static void
fire_idx(struct cen_run *r, int idx)
{
	uint64_t bit = (uint64_t)1 << (idx % 64);
	if (r->cr_fired[idx / 64] & bit)
		return;
	r->cr_fired[idx / 64] |= bit;
	cen_warn(r, cen_cr_table[idx].id, r->root);
}

/* Fires the entries ending at t, and at its attributes present on el. */
void
cen_cr_visit(struct cen_run *r, int t, const xmlNode *el)
{
	pthread_once(&once, build);
	for (int i = 0; i < nodes[t].nrules; i++)
		fire_idx(r, nodes[t].rules[i]);
	if (nodes[t].count == 0 || el->properties == NULL)
		return;
	for (xmlAttr *a = el->properties; a != NULL; a = a->next) {
		if (a->ns != NULL)
			continue;
		int n = find(t, NULL, (const char *)a->name);
		if (n >= 0)
			for (int i = 0; i < nodes[n].nrules; i++)
				fire_idx(r, nodes[n].rules[i]);
	}
}

/* Element el matches one "pfx:Local" step. */
static bool
step_is(const xmlNode *el, const char *step)
{
	if (el->name[0] != (xmlChar)step[4] || strcmp(step + 4, (const char *)el->name) != 0)
		return false;
	const char *pfx = prefix_of(el);
	return pfx != NULL && strncmp(step, pfx, 3) == 0 && step[3] == ':';
}

/* Attribute present (without namespace). */
static bool
has_attr(const xmlNode *el, const char *name)
{
	return rule_attr(el, name) != NULL;
}

/* Attribute names of UBL-DT-08 .. UBL-DT-28 (DT-18, "name", is special). */
static const char *const dt_attrs[21] = {
	"schemeName", "schemeAgencyName", "schemeDataURI", "schemeURI", "format",
	"unitCodeListIdentifier", "unitCodeListAgencyIdentifier", "unitCodeListAgencyName",
	"listAgencyName", "listName", "name", "languageID", "listURI", "listSchemeURI",
	"languageLocaleID", "uri", "currencyCodeListVersionID", "characterSetCode",
	"encodingCode", "schemeAgencyID", "listAgencyID",
};
static const char *const dt_ids[21] = {
	"UBL-DT-08", "UBL-DT-09", "UBL-DT-10", "UBL-DT-11", "UBL-DT-12", "UBL-DT-13",
	"UBL-DT-14", "UBL-DT-15", "UBL-DT-16", "UBL-DT-17", "UBL-DT-18", "UBL-DT-19",
	"UBL-DT-20", "UBL-DT-21", "UBL-DT-22", "UBL-DT-23", "UBL-DT-24", "UBL-DT-25",
	"UBL-DT-26", "UBL-DT-27", "UBL-DT-28",
};

/* UBL-DT-08..28: attributes that should not be used, once per document. */
static void
dt_attrs_check(struct cen_run *r, const xmlNode *el)
{
	for (xmlAttr *a = el->properties; a != NULL; a = a->next) {
		if (a->ns != NULL)
			continue;
		for (int i = 0; i < 21; i++) {
			if (strcmp((const char *)a->name, dt_attrs[i]) != 0)
				continue;
			/* count(//@name) - count(//cbc:PaymentMeansCode/@name) <= 0 */
			if (i == 10 && rule_is(el, RULE_NS_CBC, "PaymentMeansCode"))
				break;
			if (!(r->dt_fired & (1u << i))) {
				r->dt_fired |= 1u << i;
				cen_warn(r, dt_ids[i], r->root);
			}
			break;
		}
	}
}

/* Root-context rule fired once, bit in dt_fired (21.. are the conditional
 * CR rules). Two of them (UBL-CR-666, UBL-CR-673) are fatal, not warnings. */
static void
once_fire(struct cen_run *r, int bit, const char *id, enum rule_flag flag)
{
	if (r->dt_fired & (1u << bit))
		return;
	r->dt_fired |= 1u << bit;
	rule_fire(r->c, id, flag, r->root);
}

/* Matches el (and its attributes) against the "//" entries. */
void
cen_cr_anywhere(struct cen_run *r, const xmlNode *el)
{
	pthread_once(&once, build);
	if (!r->root_doc)
		return;
	if (el->properties != NULL)
		dt_attrs_check(r, el);
	unsigned char ch = el->name[0];
	bool maybe = el->properties != NULL || (any_first[ch / 64] >> (ch % 64) & 1);
	for (int i = 0; maybe && i < nanys; i++) {
		const struct any_entry *a = &anys[i];
		int s = a->nsteps - 1;
		const xmlNode *n = el;
		if (a->steps[s][0] == '@') {
			if (el->properties == NULL || !has_attr(el, a->steps[s] + 1))
				continue;
			s--;
		} else if (el->name[0] != (xmlChar)a->steps[s][4]) {
			continue;
		}
		bool ok = true;
		for (; s >= 0; s--, n = n ? n->parent : NULL) {
			if (n == NULL || n->type != XML_ELEMENT_NODE || !step_is(n, a->steps[s])) {
				ok = false;
				break;
			}
		}
		if (ok)
			fire_idx(r, a->idx);
	}
	/* UBL-CR-665/666/673: AdditionalDocumentReference by document type. */
	if (rule_is(el, RULE_NS_CAC, "AdditionalDocumentReference")) {
		bool any130 = false, other = false, code = false;
		for (xmlNode *k = el->children; k != NULL; k = k->next) {
			if (!rule_is(k, RULE_NS_CBC, "DocumentTypeCode"))
				continue;
			code = true;
			if (rule_text_eq(k, "130"))
				any130 = true;
			else
				other = true;
		}
		if ((other || !code) && has_attr(rule_child(el, RULE_NS_CBC, "ID"), "schemeID"))
			once_fire(r, 21, "UBL-CR-665", RULE_WARNING);
		if (any130 && rule_child(el, RULE_NS_CAC, "Attachment"))
			once_fire(r, 22, "UBL-CR-666", RULE_FATAL);
		if (any130 && rule_child(el, RULE_NS_CBC, "DocumentDescription"))
			once_fire(r, 23, "UBL-CR-673", RULE_FATAL);
	}
}

/* The conditional root-level CR rules (UBL-CR-002, UBL-CR-412). */
void
cen_cr_root(struct cen_run *r)
{
	xmlNode *root = r->root;
	xmlNode *v = rule_child(root, RULE_NS_CBC, "UBLVersionID");
	if (v != NULL) {
		bool ok = false;
		for (; v != NULL; v = rule_next_same(v))
			if (rule_text_eq(v, "2.1"))
				ok = true;
		if (!ok)
			cen_warn(r, "UBL-CR-002", root);
	}
	if (!r->c->credit_note && rule_path(root, "cac:PaymentMeans/cbc:PaymentDueDate"))
		cen_warn(r, "UBL-CR-412", root);
}
