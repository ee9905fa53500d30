/*
 * onss_batch_answer.c - the simulated ONSS writes its answer files (ACRF
 * and the common parts of NOTIFICATION, DmfAPID, IDFLUX) into OUT folders.
 *
 * Owns the XML spelling of the answers, which the answer parser (and the
 * official XSDs) then check: a schema-invalid answer from the simulator is a
 * test failure, not something to tolerate. Writes each answer atomically
 * (a dot-named temp file is never listed over SFTP).
 */
#include "sim/onss_batch.h"
#include "core/log.h"
#include "onss/batch/cms.h"
#include "core/clock.h"

#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

void
simb_xml_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default: fputc(*s, f);
		}
	}
}

void
simb_el(FILE *f, const char *name, const char *value)
{
	fprintf(f, "<%s>", name);
	simb_xml_text(f, value);
	fprintf(f, "</%s>", name);
}

void
simb_form_header(FILE *f, const char *ident, const char *type_form)
{
	struct clock_wall w;
	char day[11];
	clock_brussels(clock_now_ms(), &w);
	date_format(w.day, day, sizeof day);
	fprintf(f, "<Form><Identification>%s</Identification>"
	    "<FormCreationDate>%s</FormCreationDate>"
	    "<FormCreationHour>%02d:%02d:%02d.%03d</FormCreationHour>"
	    "<AttestationStatus>0</AttestationStatus><TypeForm>%s</TypeForm>",
	    ident, day, w.minutes / 60, w.minutes % 60, w.second, w.millis, type_form);
}

/* Digits only, length within [min, max]. */
static int
digits(const char *s, size_t min, size_t max)
{
	size_t n = s ? strlen(s) : 0;
	if (n < min || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
simb_noss_ok(const char *s)
{
	/* The answer schemas bound NOSSRegistrationNbr to 100006..199999934. */
	if (!digits(s, 1, 9))
		return 0;
	long v = strtol(s, NULL, 10);
	return v >= 100006 && v <= 199999934;
}

int
simb_kbo_ok(const char *s)
{
	if (!digits(s, 9, 10))
		return 0;
	return strtoll(s, NULL, 10) <= 1999999943LL;
}

int
simb_inss_ok(const char *s)
{
	return digits(s, 11, 11);
}

static const struct gw_signer *answer_signer;

void
simb_set_answer_signer(const struct gw_signer *s)
{
	answer_signer = s;
}

gw_rc
simb_publish(const struct simb_file *sf, const char *type, unsigned nth, FILE *mem,
             char **buf, size_t *len)
{
	char name[160];
	gw_rc rc;
	if (fclose(mem) != 0 || *buf == NULL)
		return GW_ENOMEM;
	if (answer_signer != NULL) {
		char *b64 = NULL;
		size_t blen = 0;
		if ((rc = batch_cms_wrap(answer_signer, *buf, *len, &b64, &blen)) != GW_OK) {
			free(*buf);
			*buf = NULL;
			return rc;
		}
		free(*buf);
		*buf = b64;
		*len = blen;
	}
	/* An answer already waiting under this name (a duplicate submission's
	 * ACRF) must not be replaced: the next counter takes this one. */
	for (unsigned k = nth;; k++) {
		if ((rc = batch_name_format_answer(&sf->name, type, k, name, sizeof name)) != GW_OK)
			goto out;
		rc = batch_write_atomic(sf->out_dir, name, *buf, *len);
		if (rc != GW_EDUP || k > nth + 50)
			break;
	}
	if (rc == GW_OK)
		log_info(NULL, sf->go, "answer %s written", name);
out:
	free(*buf);
	*buf = NULL;
	return rc;
}

gw_rc
simb_write_acrf(const struct simb_file *sf, int result, const char *error_id)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return GW_ENOMEM;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ACRF>", f);
	simb_form_header(f, "ACRF001", "PA");
	fputs("<FileReference>", f);
	simb_el(f, "FileName", sf->go);
	fputs("<ReferenceOrigin>2</ReferenceOrigin>", f);
	if (sf->ticket[0])
		simb_el(f, "ReferenceNbr", sf->ticket);
	fprintf(f, "</FileReference><ReceptionResult><ResultCode>%d</ResultCode>", result);
	if (error_id != NULL)
		simb_el(f, "ErrorID", error_id);
	fputs("</ReceptionResult></Form></ACRF>\n", f);
	return simb_publish(sf, "ACRF", 0, f, &buf, &len);
}
