/*
 * validate.c - streaming schema validation with xmlTextReader (validate.h).
 *
 * The reader never resolves external entities or the network; the first
 * error is kept for the message, further ones are only counted.
 */
#include "onss/dmfa/validate.h"
#include "core/params.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include "core/config.h"

struct verr {
	char *buf;
	size_t cap;
	int count;
};

static void
on_error(void *arg, const xmlError *e)
{
	struct verr *v = arg;
	if (v->count++ == 0 && v->buf) {
		char msg[200];
		snprintf(msg, sizeof msg, "%s", e && e->message ? e->message : "schema error");
		size_t n = strlen(msg);
		while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
			msg[--n] = '\0';
		snprintf(v->buf, v->cap, "line %d: %s", e ? e->line : 0, msg);
	}
}

static void
on_error_cb(void *arg, xmlErrorPtr e)
{
	on_error(arg, e);
}

void
dmfa_xsd_path(const char *name, char *buf, size_t cap)
{
	const char *dir = param_str(P_ONSS_XSD_DIR);
	if (dir && *dir)
		snprintf(buf, cap, "%s/%s_20231.xsd", dir, name);
	else
		snprintf(buf, cap, "%s/onss/xsd/%s_20231.xsd", gw_reference_dir(), name);
}

gw_rc
dmfa_validate_file(const char *path, const char *xsd_path, char *errbuf, size_t errcap)
{
	gw_rc rc = GW_EIO;
	struct verr v = { errbuf, errcap, 0 };
	xmlSchemaParserCtxtPtr pctx = NULL;
	xmlSchemaPtr schema = NULL;
	xmlSchemaValidCtxtPtr vctx = NULL;
	xmlTextReaderPtr r = NULL;

	if (errcap)
		errbuf[0] = '\0';
	pctx = xmlSchemaNewParserCtxt(xsd_path);
	if (!pctx)
		goto out;
	xmlSchemaSetParserStructuredErrors(pctx, on_error_cb, &v);
	schema = xmlSchemaParse(pctx);
	if (!schema) {
		snprintf(errbuf, errcap, "%s: cannot load the schema", xsd_path);
		goto out;
	}
	v.count = 0;
	vctx = xmlSchemaNewValidCtxt(schema);
	r = xmlReaderForFile(path, NULL, XML_PARSE_NONET | XML_PARSE_HUGE);
	if (!vctx || !r) {
		snprintf(errbuf, errcap, "%s: cannot open", path);
		goto out;
	}
	xmlSchemaSetValidStructuredErrors(vctx, on_error_cb, &v);
	xmlTextReaderSetStructuredErrorHandler(r, NULL, NULL);
	if (xmlTextReaderSchemaValidateCtxt(r, vctx, 0) != 0) {
		snprintf(errbuf, errcap, "%s: cannot attach the schema", path);
		goto out;
	}
	int ret;
	while ((ret = xmlTextReaderRead(r)) == 1)
		;
	if (ret != 0 && v.count == 0) {
		snprintf(errbuf, errcap, "%s: not well-formed XML", path);
		rc = GW_EINPUT;
		goto out;
	}
	if (v.count > 0 || xmlTextReaderIsValid(r) != 1) {
		if (errcap && !errbuf[0])
			snprintf(errbuf, errcap, "%s: not valid against %s", path, xsd_path);
		rc = GW_EINPUT;
		goto out;
	}
	rc = GW_OK;
out:
	if (r)
		xmlFreeTextReader(r);
	if (vctx)
		xmlSchemaFreeValidCtxt(vctx);
	if (schema)
		xmlSchemaFree(schema);
	if (pctx)
		xmlSchemaFreeParserCtxt(pctx);
	return rc;
}
