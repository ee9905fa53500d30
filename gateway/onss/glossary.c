/*
 * glossary.c - the anomalies of the ONSS glossaries (glossary.h).
 *
 * Four files are read once, on first use: the functional blocks and the
 * zones of the DmfA and of the Dimona, newest version of each. Every
 * <Anomalie> under a <FunctionalBlock> or a <glossary> (a zone) becomes a
 * row: code, title, severity, and the block's <Naam> or the zone's
 * <Titel>. One sorted table, looked up with bsearch; a missing or refused
 * file only means fewer titles, never an error for the caller.
 */
#include "onss/glossary.h"
#include "core/array.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xml_safe.h"
#include "core/xml_text.h"
#include "onss/refdir.h"
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/tree.h>

struct row {
	char *code, *title, *severity;
	const char *zone;       /* points into zones[] */
};

static struct row *rows;
static size_t rows_n, rows_cap;
static char **zones;            /* owned zone/block titles */
static size_t zones_n, zones_cap;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int loaded;

static int
cmp_row(const void *a, const void *b)
{
	return strcmp(((const struct row *)a)->code, ((const struct row *)b)->code);
}

/* The trimmed text of child name, or NULL when absent or empty. */
static char *
text_of(const xmlNode *n, const char *name)
{
	char *t = xml_child_text(n, name);
	if (t != NULL && t[0] == '\0') {
		free(t);
		t = NULL;
	}
	return t;
}

/* The anomalies of one block or zone element, titled zone. */
static void
take_entry(xmlNode *e, const char *zone)
{
	for (xmlNode *a = e->children; a; a = a->next) {
		if (a->type != XML_ELEMENT_NODE || strcmp((const char *)a->name, "Anomalie") != 0)
			continue;
		char *code = text_of(a, "AnomalieCode");
		if (code == NULL || ARRAY_RESERVE(rows, rows_n, rows_cap, 1024) != GW_OK) {
			free(code);
			continue;
		}
		rows[rows_n++] = (struct row){ code, text_of(a, "AnomalieTitel"),
		    text_of(a, "AnomalieErnst"), zone };
	}
}

/* Read one glossary file: every block (<Naam>) or zone (<Titel>). */
static void
take_file(const char *dir, const char *prefix)
{
	char path[PATH_MAX], why[300];
	if (!onss_refdir_newest(dir, prefix, ".xml", path, sizeof path))
		return;
	xmlDoc *doc = xml_safe_read_file(path, XML_PARSE_NOBLANKS, why, sizeof why);
	if (doc == NULL) {
		log_warn(NULL, path, "glossary refused (%s): its anomalies have no titles", why);
		return;
	}
	for (xmlNode *e = xmlDocGetRootElement(doc)->children; e; e = e->next) {
		if (e->type != XML_ELEMENT_NODE)
			continue;
		char *zone = text_of(e, "Naam");
		if (zone == NULL)
			zone = text_of(e, "Titel");
		if (zone == NULL || ARRAY_RESERVE(zones, zones_n, zones_cap, 256) != GW_OK) {
			free(zone);
			continue;
		}
		zones[zones_n++] = zone;
		take_entry(e, zone);
	}
	xmlFreeDoc(doc);
}

/* Load the four glossaries (caller holds the lock). */
static void
load(void)
{
	static const char *const prefixes[] = { "FB_DMFA_", "FB_Dimona_", "Zones_DMFA_",
	    "Zones_Dimona_" };
	char dir[PATH_MAX];
	loaded = 1;
	snprintf(dir, sizeof dir, "%s/onss/glossary", gw_reference_dir());
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		take_file(dir, prefixes[i]);
	if (rows_n == 0) {
		log_warn(NULL, dir, "no ONSS glossary read: anomaly codes will have no titles");
		return;
	}
	qsort(rows, rows_n, sizeof *rows, cmp_row);
	log_debug(NULL, dir, "%zu glossary anomalies loaded", rows_n);
}

gw_rc
glossary_anomaly_find(const char *code, struct glossary_anomaly *out)
{
	pthread_mutex_lock(&lock);
	if (!loaded)
		load();
	pthread_mutex_unlock(&lock);
	struct row key = { .code = (char *)code };
	const struct row *r = rows_n ? bsearch(&key, rows, rows_n, sizeof *rows, cmp_row) : NULL;
	if (r == NULL)
		return GW_ENOTFOUND;
	*out = (struct glossary_anomaly){ r->code, r->title, r->severity, r->zone };
	return GW_OK;
}

void
onss_glossary_free(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < rows_n; i++) {
		free(rows[i].code);
		free(rows[i].title);
		free(rows[i].severity);
	}
	for (size_t i = 0; i < zones_n; i++)
		free(zones[i]);
	free(rows);
	free(zones);
	rows = NULL;
	zones = NULL;
	rows_n = rows_cap = zones_n = zones_cap = 0;
	loaded = 0;
	pthread_mutex_unlock(&lock);
}
