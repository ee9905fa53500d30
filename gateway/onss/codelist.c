/*
 * codelist.c - annex 30 (ErrorCodes*.xml): the Dutch and French labels of
 * the ONSS error codes, read at run time from the official file.
 *
 * An anomaly id is "<zone>-<code>" ("00913-354", "ACRF-088"); the annex
 * labels the three-digit code, so the lookup uses the part after the last
 * dash. Owns one sorted table, loaded once (thread-safe) and freed by
 * onss_codelist_free(). Never carries a copy of the list: a missing file
 * only means no labels.
 */
#include "onss/codelist.h"
#include "core/params.h"
#include "core/array.h"
#include "onss/refdir.h"
#include "core/config.h"
#include "core/log.h"
#include "core/xml_safe.h"
#include "core/xml_text.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

struct code_label {
	char code[8];
	char *nl, *fr;
};

static struct code_label *table;
static size_t table_n;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static int table_loaded;

/* Order of the table, for qsort and bsearch. */
static int
cmp_code(const void *a, const void *b)
{
	return strcmp(((const struct code_label *)a)->code, ((const struct code_label *)b)->code);
}

/* Load the table (caller holds the lock). */
static void
load(void)
{
	char dflt[PATH_MAX], path[PATH_MAX];
	xmlDoc *doc = NULL;
	size_t cap = 0;

	table_loaded = 1;
	snprintf(dflt, sizeof dflt, "%s/onss/codelists", gw_reference_dir());
	const char *dir = param_str(P_ONSS_CODELIST_DIR) ? param_str(P_ONSS_CODELIST_DIR) : dflt;
	if (!onss_refdir_newest(dir, "ErrorCodes", ".xml", path, sizeof path)) {
		log_warn(NULL, NULL, "no ErrorCodes*.xml in %s: anomaly codes will have no labels", dir);
		return;
	}
	char why[300];
	doc = xml_safe_read_file(path, XML_PARSE_NOBLANKS, why, sizeof why);
	if (doc == NULL) {
		log_warn(NULL, path, "code list refused (%s): no labels", why);
		return;
	}
	for (xmlNode *e = xmlDocGetRootElement(doc)->children; e; e = e->next) {
		if (e->type != XML_ELEMENT_NODE || strcmp((const char *)e->name, "error-code") != 0)
			continue;
		char *code = xml_child_text(e, "code");
		xmlNode *desc = xml_child(e, "description");
		if (code == NULL || strlen(code) >= sizeof table[0].code || desc == NULL) {
			free(code);
			continue;
		}
		if (ARRAY_RESERVE(table, table_n, cap, 512) != GW_OK) {
			free(code);
			break;
		}
		struct code_label *l = &table[table_n++];
		snprintf(l->code, sizeof l->code, "%s", code);
		l->nl = xml_child_text(desc, "nl");
		l->fr = xml_child_text(desc, "fr");
		free(code);
	}
	xmlFreeDoc(doc);
	qsort(table, table_n, sizeof *table, cmp_code);
	log_debug(NULL, path, "%zu ONSS error codes loaded", table_n);
}

gw_rc
onss_error_label(const char *code, const char **label_nl, const char **label_fr)
{
	struct code_label key;
	const char *dash;
	gw_rc rc = GW_ENOTFOUND;

	if (label_nl)
		*label_nl = NULL;
	if (label_fr)
		*label_fr = NULL;
	if (code == NULL)
		return GW_ENOTFOUND;
	dash = strrchr(code, '-');
	const char *suffix = dash ? dash + 1 : code;
	if (strlen(suffix) >= sizeof key.code || suffix[0] == '\0')
		return GW_ENOTFOUND;
	snprintf(key.code, sizeof key.code, "%s", suffix);
	pthread_mutex_lock(&table_lock);
	if (!table_loaded)
		load();
	struct code_label *hit = table_n ? bsearch(&key, table, table_n, sizeof *table, cmp_code) : NULL;
	if (hit != NULL) {
		if (label_nl)
			*label_nl = hit->nl;
		if (label_fr)
			*label_fr = hit->fr;
		rc = GW_OK;
	}
	pthread_mutex_unlock(&table_lock);
	return rc;
}

void
onss_codelist_free(void)
{
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table_n; i++) {
		free(table[i].nl);
		free(table[i].fr);
	}
	free(table);
	table = NULL;
	table_n = 0;
	table_loaded = 0;
	pthread_mutex_unlock(&table_lock);
}
