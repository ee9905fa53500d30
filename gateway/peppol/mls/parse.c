/*
 * parse.c - read a received MLS: the code, the document it answers, the
 * issues. Only what a sender needs to match and record it; whether it keeps
 * every MLS rule is mls_check's.
 */
#include "peppol/mls/mls.h"
#include "peppol/mls/mls_int.h"
#include "core/xml_safe.h"

#include <stdio.h>
#include <string.h>

#define CAC MLS_NS_CAC
#define CBC MLS_NS_CBC

gw_rc
mls_parse(const char *xml, size_t len, struct mls *m, char *why, size_t whycap)
{
	char w[256], v[256];
	gw_rc rc = GW_EINPUT;
	memset(m, 0, sizeof *m);
	xmlDocPtr d = xml_safe_read_memory(NULL, xml, len, "mls.xml", 0, w, sizeof w);
	if (d == NULL) {
		snprintf(why, whycap, "MLS: %s", w);
		return GW_EINPUT;
	}
	xmlNodePtr root = xmlDocGetRootElement(d);
	if (root == NULL || !xmlStrEqual(root->name, BAD_CAST "ApplicationResponse") ||
	    root->ns == NULL || !xmlStrEqual(root->ns->href, BAD_CAST MLS_NS_AR)) {
		snprintf(why, whycap, "MLS: the root is not a UBL ApplicationResponse");
		goto out;
	}
	mls_norm(mls_first(root, CBC, "CustomizationID"), v, sizeof v);
	if (strcmp(v, MLS_CUSTOMIZATION) != 0) {
		snprintf(why, whycap, "MLS: CustomizationID is \"%.120s\", not " MLS_CUSTOMIZATION, v);
		goto out;
	}
	mls_norm(mls_first(root, CBC, "ID"), m->id, sizeof m->id);
	mls_norm(mls_first(root, CBC, "IssueDate"), m->issue_date, sizeof m->issue_date);
	mls_norm(mls_first(root, CBC, "IssueTime"), m->issue_time, sizeof m->issue_time);
	mls_norm(mls_first(mls_first(root, CAC, "SenderParty"), CBC, "EndpointID"), m->sender,
	         sizeof m->sender);
	mls_norm(mls_first(mls_first(root, CAC, "ReceiverParty"), CBC, "EndpointID"), m->receiver,
	         sizeof m->receiver);
	xmlNodePtr dr = mls_first(root, CAC, "DocumentResponse");
	if (dr == NULL || mls_next(dr, CAC, "DocumentResponse") != NULL) {
		snprintf(why, whycap, "MLS: needs exactly one DocumentResponse");
		goto out;
	}
	xmlNodePtr r = mls_first(dr, CAC, "Response");
	if (!mls_norm(mls_first(r, CBC, "ResponseCode"), m->code, sizeof m->code) ||
	    (strcmp(m->code, "AP") != 0 && strcmp(m->code, "AB") != 0 && strcmp(m->code, "RE") != 0)) {
		snprintf(why, whycap, "MLS: DocumentResponse/Response/ResponseCode is not AP, AB or RE");
		goto out;
	}
	mls_norm(mls_first(r, CBC, "Description"), m->description, sizeof m->description);
	if (!mls_norm(mls_first(mls_first(dr, CAC, "DocumentReference"), CBC, "ID"), m->ref_id,
	    sizeof m->ref_id) || m->ref_id[0] == '\0') {
		snprintf(why, whycap, "MLS: DocumentResponse/DocumentReference/ID is missing or too long");
		goto out;
	}
	for (xmlNodePtr lr = mls_first(dr, CAC, "LineResponse"); lr && m->nissues < MLS_MAX_ISSUES;
	     lr = mls_next(lr, CAC, "LineResponse")) {
		struct mls_issue *s = &m->issue[m->nissues++];
		xmlNodePtr lresp = mls_first(lr, CAC, "Response");
		/* Long texts are cut, not refused: they are for people. */
		mls_norm(mls_first(mls_first(lr, CAC, "LineReference"), CBC, "LineID"), s->line_id,
		         sizeof s->line_id);
		mls_norm(mls_first(lresp, CBC, "Description"), s->description, sizeof s->description);
		mls_norm(mls_first(mls_first(lresp, CAC, "Status"), CBC, "StatusReasonCode"), s->reason,
		         sizeof s->reason);
	}
	rc = GW_OK;
out:
	xmlFreeDoc(d);
	return rc;
}
