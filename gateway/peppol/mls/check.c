/*
 * check.c - the rules of the Peppol MLS schematron 1.0.1 (SCH-MLS-01 to
 * 31), natively: the schematron needs an XSLT 2.0 processor, and its rules
 * are few and simple. Each rule is tested in the context the schematron
 * gives it, so a rule whose context is absent does not fire (as there).
 * Where XPath 2.0 would stop on several nodes (normalize-space of a
 * sequence), the first is taken.
 */
#include "peppol/mls/mls.h"
#include "peppol/mls/mls_int.h"
#include "core/xml_safe.h"

#include <stdio.h>
#include <string.h>

#define CAC MLS_NS_CAC
#define CBC MLS_NS_CBC

struct ck {
	void (*finding)(void *arg, const char *rule, const char *text);
	void *arg;
	int failed;
};

/* A rule's outcome: counted and reported when it does not hold. */
static void
rule(struct ck *c, int holds, const char *id, const char *text)
{
	if (holds)
		return;
	c->failed++;
	if (c->finding != NULL)
		c->finding(c->arg, id, text);
}

/* The normalized text of n's first ns:name child. */
static void
child_norm(xmlNodePtr n, const char *ns, const char *name, char *buf, size_t cap)
{
	mls_norm(mls_first(n, ns, name), buf, cap);
}

/* Whether code is one word of the space-separated list. */
static int
in_list(const char *code, const char *list)
{
	char item[16];
	if (code[0] == '\0' || strchr(code, ' ') != NULL || strlen(code) > 8)
		return 0;
	snprintf(item, sizeof item, " %s ", code);
	return strstr(list, item) != NULL;
}

/* ([+-]\d{2}:\d{2}|Z)$ */
static int
has_zone(const char *t)
{
	size_t n = strlen(t);
	if (n >= 1 && t[n - 1] == 'Z')
		return 1;
	if (n < 6)
		return 0;
	const char *z = t + n - 6;
	return (z[0] == '+' || z[0] == '-') && z[1] >= '0' && z[1] <= '9' && z[2] >= '0' &&
	       z[2] <= '9' && z[3] == ':' && z[4] >= '0' && z[4] <= '9' && z[5] >= '0' && z[5] <= '9';
}

/* SCH-MLS-07..11 (sender) or 12..16 (receiver) on one party. */
static void
party(struct ck *c, xmlNodePtr root, const char *which, int first_id)
{
	static const char *texts[] = {
		"Party EndpointID is missing", "Party EndpointID is empty",
		"Party EndpointID is not a Peppol Service Provider id",
		"Party EndpointID has no schemeID", "Party EndpointID schemeID is not 0242 (SPIS)",
	};
	char id[8][16], text[5][128], v[256];
	xmlNodePtr ep = mls_first(mls_first(root, CAC, which), CBC, "EndpointID");
	mls_norm(ep, v, sizeof v);
	xmlChar *scheme = ep ? xmlGetProp(ep, BAD_CAST "schemeID") : NULL;
	int holds[5] = { ep != NULL, v[0] != '\0', mls_spid_valid(v), scheme != NULL,
	                 scheme != NULL && strcmp((const char *)scheme, MLS_SPIS_SCHEME) == 0 };
	for (int i = 0; i < 5; i++) {
		snprintf(id[i], sizeof id[i], "SCH-MLS-%02d", first_id + i);
		snprintf(text[i], sizeof text[i], "%s %s", which, texts[i]);
		rule(c, holds[i], id[i], text[i]);
	}
	xmlFree(scheme);
}

/* The rules in the context of one DocumentResponse and below it. */
static void
doc_response(struct ck *c, xmlNodePtr dr)
{
	char rc[64], v[1024];
	int has_failure = 0;
	xmlNodePtr resp = mls_first(dr, CAC, "Response");
	child_norm(resp, CBC, "ResponseCode", rc, sizeof rc);
	for (xmlNodePtr lr = mls_first(dr, CAC, "LineResponse"); lr; lr = mls_next(lr, CAC, "LineResponse"))
		for (xmlNodePtr r = mls_first(lr, CAC, "Response"); r; r = mls_next(r, CAC, "Response")) {
			child_norm(mls_first(r, CAC, "Status"), CBC, "StatusReasonCode", v, sizeof v);
			if (strcmp(v, "BV") == 0 || strcmp(v, "FD") == 0 || strcmp(v, "SV") == 0)
				has_failure = 1;
		}
	int re = strcmp(rc, "RE") == 0;
	rule(c, mls_first(resp, CBC, "ResponseCode") != NULL, "SCH-MLS-18",
	     "DocumentResponse/Response/ResponseCode is missing");
	rule(c, in_list(rc, " AP AB RE "), "SCH-MLS-19",
	     "DocumentResponse/Response/ResponseCode is not AP, AB or RE");
	rule(c, !re || mls_first(resp, CBC, "Description") != NULL, "SCH-MLS-20",
	     "an RE has no DocumentResponse/Response/Description");
	child_norm(resp, CBC, "Description", v, sizeof v);
	rule(c, !re || v[0] != '\0', "SCH-MLS-21", "an RE has an empty DocumentResponse/Response/Description");
	rule(c, mls_count(dr, CAC, "DocumentReference") == 1, "SCH-MLS-22",
	     "DocumentResponse needs exactly one DocumentReference");
	rule(c, !re || mls_first(dr, CAC, "LineResponse") != NULL, "SCH-MLS-23",
	     "an RE has no LineResponse (issue)");
	rule(c, !re || has_failure, "SCH-MLS-24", "an RE has no issue with status BV, FD or SV");
	rule(c, re || !has_failure, "SCH-MLS-25", "an AP or AB has an issue with status BV, FD or SV");
	for (xmlNodePtr d = mls_first(dr, CAC, "DocumentReference"); d; d = mls_next(d, CAC, "DocumentReference")) {
		child_norm(d, CBC, "ID", v, sizeof v);
		rule(c, v[0] != '\0', "SCH-MLS-26", "DocumentReference/ID is empty");
	}
	for (xmlNodePtr lr = mls_first(dr, CAC, "LineResponse"); lr; lr = mls_next(lr, CAC, "LineResponse")) {
		child_norm(mls_first(lr, CAC, "LineReference"), CBC, "LineID", v, sizeof v);
		rule(c, v[0] != '\0', "SCH-MLS-27", "LineResponse/LineReference/LineID is empty");
		for (xmlNodePtr r = mls_first(lr, CAC, "Response"); r; r = mls_next(r, CAC, "Response")) {
			rule(c, mls_first(r, CBC, "Description") != NULL, "SCH-MLS-28",
			     "LineResponse/Response/Description is missing");
			child_norm(r, CBC, "Description", v, sizeof v);
			rule(c, v[0] != '\0', "SCH-MLS-29", "LineResponse/Response/Description is empty");
			rule(c, mls_first(r, CAC, "Status") != NULL, "SCH-MLS-30",
			     "LineResponse/Response/Status is missing");
			for (xmlNodePtr s = mls_first(r, CAC, "Status"); s; s = mls_next(s, CAC, "Status")) {
				child_norm(s, CBC, "StatusReasonCode", v, sizeof v);
				rule(c, in_list(v, " BV BW FD SV "), "SCH-MLS-31",
				     "LineResponse/Response/Status/StatusReasonCode is not BV, BW, FD or SV");
			}
		}
	}
}

int
mls_check(const char *xml, size_t len, void (*finding)(void *arg, const char *rule, const char *text),
          void *arg)
{
	char w[256], v[1024];
	struct ck c = { finding, arg, 0 };
	xmlDocPtr d = xml_safe_read_memory(NULL, xml, len, "mls.xml", 0, w, sizeof w);
	if (d == NULL)
		return -1;
	xmlNodePtr root = xmlDocGetRootElement(d);
	if (root == NULL || !xmlStrEqual(root->name, BAD_CAST "ApplicationResponse") ||
	    root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST MLS_NS_AR)) {
		/* No rule's context matches: the schematron would pass it, we do not. */
		rule(&c, 0, "MLS", "the root is not a UBL ApplicationResponse");
		xmlFreeDoc(d);
		return c.failed;
	}
	child_norm(root, CBC, "CustomizationID", v, sizeof v);
	rule(&c, strcmp(v, MLS_CUSTOMIZATION) == 0, "SCH-MLS-01", "CustomizationID is not " MLS_CUSTOMIZATION);
	child_norm(root, CBC, "ProfileID", v, sizeof v);
	rule(&c, strcmp(v, MLS_PROFILE) == 0, "SCH-MLS-02", "ProfileID is not " MLS_PROFILE);
	child_norm(root, CBC, "ID", v, sizeof v);
	rule(&c, v[0] != '\0', "SCH-MLS-03", "ID is empty");
	child_norm(root, CBC, "IssueDate", v, sizeof v);
	rule(&c, strlen(v) == 10, "SCH-MLS-04", "IssueDate is not a date without time zone");
	rule(&c, mls_first(root, CBC, "IssueTime") != NULL, "SCH-MLS-05", "IssueTime is missing");
	child_norm(root, CBC, "IssueTime", v, sizeof v);
	rule(&c, has_zone(v), "SCH-MLS-06", "IssueTime has no time zone");
	party(&c, root, "SenderParty", 7);
	party(&c, root, "ReceiverParty", 12);
	rule(&c, mls_count(root, CAC, "DocumentResponse") == 1, "SCH-MLS-17",
	     "there must be exactly one DocumentResponse");
	for (xmlNodePtr dr = mls_first(root, CAC, "DocumentResponse"); dr;
	     dr = mls_next(dr, CAC, "DocumentResponse"))
		doc_response(&c, dr);
	xmlFreeDoc(d);
	return c.failed;
}
