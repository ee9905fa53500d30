/*
 * messages.c - rule messages from the official Schematron (messages.h).
 *
 * Every <assert id="..."> of every *.sch in the folder is read once, on
 * first use. Where two files have the same rule the newer release wins:
 * files are read newest name first ("3.0.21" before "3.0.19"), a
 * "-preprocessed" build last (it is the older build of its release), and
 * the first message of an id is kept. A missing folder only means no
 * messages.
 */
#include "peppol/rules/messages.h"
#include "core/array.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xml_safe.h"
#include <dirent.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>

struct msg {
	char *id, *text;
	size_t at;              /* reading order: the first of an id wins */
};

static struct msg *msgs;
static size_t msgs_n, msgs_cap;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int loaded;

/* By id, then reading order. */
static int
cmp_msg(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c != 0 ? c : (x->at > y->at) - (x->at < y->at);
}

/* Reading order of two file names: preprocessed builds last, then the
 * greater name (newer release) first. */
static int
cmp_file(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int px = strstr(x, "preprocessed") != NULL, py = strstr(y, "preprocessed") != NULL;
	return px != py ? px - py : strcmp(y, x);
}

/* The assert's text, whitespace collapsed, without its "[ID]-" prefix. */
static char *
assert_text(xmlNode *a, const char *id)
{
	xmlChar *t = xmlNodeGetContent(a);
	if (t == NULL)
		return NULL;
	char *out = malloc(strlen((const char *)t) + 1);
	const char *s = (const char *)t;
	size_t n = 0, idl = strlen(id);
	s += strspn(s, " \t\r\n");
	if (s[0] == '[' && strncmp(s + 1, id, idl) == 0 && s[idl + 1] == ']')
		s += idl + 2 + (s[idl + 2] == '-');
	for (; out != NULL && *s; s++) {
		int space = *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n';
		if (!space)
			out[n++] = *s;
		else if (n > 0 && out[n - 1] != ' ')
			out[n++] = ' ';
	}
	while (out != NULL && n > 0 && out[n - 1] == ' ')
		n--;
	if (out != NULL)
		out[n] = '\0';
	xmlFree(t);
	return out;
}

/* Every assert under node, depth first. */
static void
take_asserts(xmlNode *node)
{
	for (xmlNode *c = node->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)c->name, "assert") != 0) {
			take_asserts(c);
			continue;
		}
		xmlChar *id = xmlGetProp(c, (const xmlChar *)"id");
		char *text = id ? assert_text(c, (const char *)id) : NULL;
		char *key = text ? strdup((const char *)id) : NULL;
		if (key != NULL && ARRAY_RESERVE(msgs, msgs_n, msgs_cap, 1024) == GW_OK) {
			msgs[msgs_n] = (struct msg){ key, text, msgs_n };
			msgs_n++;
		} else {
			free(key);
			free(text);
		}
		xmlFree(id);
	}
}

/* The *.sch names of dir, in reading order; *n of them, malloc'd. */
static char **
sch_files(const char *dir, size_t *n)
{
	char **v = NULL;
	size_t cap = 0;
	struct dirent *e;
	DIR *d = opendir(dir);
	*n = 0;
	while (d != NULL && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char *name = l > 4 && strcmp(e->d_name + l - 4, ".sch") == 0 ? strdup(e->d_name)
		    : NULL;
		if (name != NULL && ARRAY_RESERVE(v, *n, cap, 8) == GW_OK)
			v[(*n)++] = name;
		else
			free(name);
	}
	if (d != NULL)
		closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_file);
	return v;
}

/* Keep the first row of each id (the table is sorted by id, then
 * reading order). */
static void
dedupe(void)
{
	size_t k = 0;
	for (size_t i = 0; i < msgs_n; i++) {
		if (k > 0 && strcmp(msgs[k - 1].id, msgs[i].id) == 0) {
			free(msgs[i].id);
			free(msgs[i].text);
			continue;
		}
		msgs[k++] = msgs[i];
	}
	msgs_n = k;
}

/* Read the folder (caller holds the lock). */
static void
load(void)
{
	char dir[PATH_MAX], path[PATH_MAX], why[300];
	size_t nf = 0;
	loaded = 1;
	snprintf(dir, sizeof dir, "%s/peppol/sch", gw_reference_dir());
	char **files = sch_files(dir, &nf);
	for (size_t i = 0; i < nf; i++) {
		int len = snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		xmlDoc *doc = len > 0 && (size_t)len < sizeof path
		    ? xml_safe_read_file(path, XML_PARSE_NOBLANKS, why, sizeof why) : NULL;
		if (doc != NULL)
			take_asserts(xmlDocGetRootElement(doc));
		else if (len > 0 && (size_t)len < sizeof path)
			log_warn(NULL, path, "Schematron refused (%s): its rules have no messages", why);
		xmlFreeDoc(doc);
		free(files[i]);
	}
	free(files);
	if (msgs_n > 1)
		qsort(msgs, msgs_n, sizeof *msgs, cmp_msg);
	dedupe();
}

const char *
rule_message(const char *id)
{
	pthread_mutex_lock(&lock);
	if (!loaded)
		load();
	pthread_mutex_unlock(&lock);
	/* Ids are unique after dedupe: a binary search by id alone. */
	for (size_t lo = 0, hi = msgs_n; lo < hi;) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, msgs[mid].id);
		if (c == 0)
			return msgs[mid].text;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

void
rule_messages_free(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < msgs_n; i++) {
		free(msgs[i].id);
		free(msgs[i].text);
	}
	free(msgs);
	msgs = NULL;
	msgs_n = msgs_cap = 0;
	loaded = 0;
	pthread_mutex_unlock(&lock);
}
