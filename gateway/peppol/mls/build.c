/*
 * build.c - an MLS (UBL ApplicationResponse) out of struct mls, written by
 * libxml2 (so every text is escaped), and refused, naming the field,
 * before it is written when it would break an MLS rule.
 */
#include "peppol/mls/mls.h"
#include "peppol/mls/mls_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether code is one of the words of list (space-separated, padded). */
static int
one_of(const char *code, const char *list)
{
	char item[16];
	if (code[0] == '\0' || strlen(code) > 8)
		return 0;
	snprintf(item, sizeof item, " %s ", code);
	return strstr(list, item) != NULL;
}

/* The fields the rules require, each named when wrong. */
static gw_rc
fields_ok(const struct mls *m, char *why, size_t cap)
{
	int failure = 0;
	const char *missing = m->id[0] == '\0' ? "id" : strlen(m->issue_date) != 10 ? "issue_date" :
	                      m->issue_time[0] == '\0' ? "issue_time" : m->ref_id[0] == '\0' ? "ref_id" : NULL;
	if (missing != NULL) {
		snprintf(why, cap, "MLS: %s is missing or malformed", missing);
		return GW_EINPUT;
	}
	if (!mls_spid_valid(m->sender) || !mls_spid_valid(m->receiver)) {
		snprintf(why, cap, "MLS: %s \"%s\" is not a Peppol Service Provider id",
		         mls_spid_valid(m->sender) ? "receiver" : "sender",
		         mls_spid_valid(m->sender) ? m->receiver : m->sender);
		return GW_EINPUT;
	}
	if (!one_of(m->code, " AP AB RE ")) {
		snprintf(why, cap, "MLS: code \"%s\" is not AP, AB or RE", m->code);
		return GW_EINPUT;
	}
	if (m->nissues < 0 || m->nissues > MLS_MAX_ISSUES) {
		snprintf(why, cap, "MLS: %d issues", m->nissues);
		return GW_EINPUT;
	}
	for (int i = 0; i < m->nissues; i++) {
		const struct mls_issue *s = &m->issue[i];
		if (!one_of(s->reason, " BV BW FD SV ") || s->line_id[0] == '\0' || s->description[0] == '\0') {
			snprintf(why, cap, "MLS: issue %d has an empty %s", i + 1,
			         s->line_id[0] == '\0' ? "line_id" : s->description[0] == '\0' ?
			         "description" : "or unknown reason (BV, BW, FD or SV)");
			return GW_EINPUT;
		}
		failure |= strcmp(s->reason, "BW") != 0;
	}
	if (strcmp(m->code, "RE") == 0 && (!failure || m->description[0] == '\0')) {
		snprintf(why, cap, "MLS: an RE needs a description and an issue of status BV, FD or SV");
		return GW_EINPUT;
	}
	if (strcmp(m->code, "RE") != 0 && failure) {
		snprintf(why, cap, "MLS: an %s cannot carry an issue of status BV, FD or SV", m->code);
		return GW_EINPUT;
	}
	return GW_OK;
}

/* <cbc:EndpointID schemeID="0242">id</cbc:EndpointID> inside a new cac:<party>. */
static void
add_party(xmlNodePtr root, xmlNsPtr cac, xmlNsPtr cbc, const char *party, const char *id)
{
	xmlNodePtr p = xmlNewChild(root, cac, BAD_CAST party, NULL);
	xmlNodePtr e = p ? xmlNewTextChild(p, cbc, BAD_CAST "EndpointID", BAD_CAST id) : NULL;
	if (e != NULL)
		xmlNewProp(e, BAD_CAST "schemeID", BAD_CAST MLS_SPIS_SCHEME);
}

gw_rc
mls_build(const struct mls *m, char **out, size_t *len, char *why, size_t whycap)
{
	gw_rc rc;
	*out = NULL;
	*len = 0;
	if ((rc = fields_ok(m, why, whycap)) != GW_OK)
		return rc;
	xmlDocPtr d = xmlNewDoc(BAD_CAST "1.0");
	xmlNodePtr root = d ? xmlNewNode(NULL, BAD_CAST "ApplicationResponse") : NULL;
	if (root == NULL) {
		xmlFreeDoc(d);
		return GW_ENOMEM;
	}
	xmlDocSetRootElement(d, root);
	xmlNsPtr ns = xmlNewNs(root, BAD_CAST MLS_NS_AR, NULL);
	xmlNsPtr cac = xmlNewNs(root, BAD_CAST MLS_NS_CAC, BAD_CAST "cac");
	xmlNsPtr cbc = xmlNewNs(root, BAD_CAST MLS_NS_CBC, BAD_CAST "cbc");
	xmlSetNs(root, ns);
	xmlNewTextChild(root, cbc, BAD_CAST "CustomizationID", BAD_CAST MLS_CUSTOMIZATION);
	xmlNewTextChild(root, cbc, BAD_CAST "ProfileID", BAD_CAST MLS_PROFILE);
	xmlNewTextChild(root, cbc, BAD_CAST "ID", BAD_CAST m->id);
	xmlNewTextChild(root, cbc, BAD_CAST "IssueDate", BAD_CAST m->issue_date);
	xmlNewTextChild(root, cbc, BAD_CAST "IssueTime", BAD_CAST m->issue_time);
	add_party(root, cac, cbc, "SenderParty", m->sender);
	add_party(root, cac, cbc, "ReceiverParty", m->receiver);
	xmlNodePtr dr = xmlNewChild(root, cac, BAD_CAST "DocumentResponse", NULL);
	xmlNodePtr r = xmlNewChild(dr, cac, BAD_CAST "Response", NULL);
	xmlNewTextChild(r, cbc, BAD_CAST "ResponseCode", BAD_CAST m->code);
	if (m->description[0] != '\0')
		xmlNewTextChild(r, cbc, BAD_CAST "Description", BAD_CAST m->description);
	xmlNodePtr ref = xmlNewChild(dr, cac, BAD_CAST "DocumentReference", NULL);
	xmlNewTextChild(ref, cbc, BAD_CAST "ID", BAD_CAST m->ref_id);
	for (int i = 0; i < m->nissues; i++) {
		xmlNodePtr lr = xmlNewChild(dr, cac, BAD_CAST "LineResponse", NULL);
		xmlNodePtr lref = xmlNewChild(lr, cac, BAD_CAST "LineReference", NULL);
		xmlNewTextChild(lref, cbc, BAD_CAST "LineID", BAD_CAST m->issue[i].line_id);
		xmlNodePtr lresp = xmlNewChild(lr, cac, BAD_CAST "Response", NULL);
		xmlNewTextChild(lresp, cbc, BAD_CAST "Description", BAD_CAST m->issue[i].description);
		xmlNodePtr st = xmlNewChild(lresp, cac, BAD_CAST "Status", NULL);
		xmlNewTextChild(st, cbc, BAD_CAST "StatusReasonCode", BAD_CAST m->issue[i].reason);
	}
	xmlChar *mem = NULL;
	int n = 0;
	xmlDocDumpFormatMemoryEnc(d, &mem, &n, "UTF-8", 1);
	xmlFreeDoc(d);
	/* libxml2 reports a failed allocation only through a missing result. */
	if (mem == NULL || n <= 0) {
		xmlFree(mem);
		return GW_ENOMEM;
	}
	*out = malloc((size_t)n + 1);
	if (*out == NULL) {
		xmlFree(mem);
		return GW_ENOMEM;
	}
	memcpy(*out, mem, (size_t)n);
	(*out)[n] = '\0';
	*len = (size_t)n;
	xmlFree(mem);
	/* The tree is built unchecked above: one check of the result catches a
	 * node libxml2 could not allocate (a missing element fails a rule). */
	if (mls_check(*out, *len, NULL, NULL) != 0) {
		free(*out);
		*out = NULL;
		*len = 0;
		return GW_ENOMEM;
	}
	return GW_OK;
}
