/* test_answer.c - the official ONSS answer samples parse into the expected
 * fields; broken, foreign and schema-invalid answers are refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "core/config.h"
#include "core/xml_safe.h"
#include "crypto/signer.h"
#include "onss/batch/answer.h"
#include "onss/batch/cms.h"
#include "onss/codelist.h"

static char sdir[512];

static struct onss_answer *
load(const char *sample)
{
	char path[700], err[512];
	struct onss_answer *a = NULL;
	snprintf(path, sizeof path, "%s/%s", sdir, sample);
	gw_rc rc = onss_answer_parse_file(path, 0, &a, err, sizeof err);
	if (rc != GW_OK)
		fprintf(stderr, "%s: %s\n", sample, err);
	assert_int_equal(rc, GW_OK);
	assert_true(a->schema_valid);
	return a;
}

static int
setup(void **state)
{
	(void)state;
	const char *ref = getenv("REF");
	if (ref == NULL)
		ref = getenv("GW_REFERENCE_DIR");
	if (ref == NULL)
		ref = "../shared/reference";
	setenv("GW_REFERENCE_DIR", ref, 1);
	snprintf(sdir, sizeof sdir, "%s/onss/samples", ref);
	return 0;
}

static void
test_acrf(void **state)
{
	(void)state;
	struct onss_answer *a = load("ACRF_20231_1.xml");
	assert_int_equal(a->kind, ANSWER_ACRF);
	assert_int_equal(a->n_forms, 1);
	assert_string_equal(a->forms[0].file_name, "GO.DMPI.012996.20090718.50002.R.1");
	assert_string_equal(a->forms[0].ticket, "3400001Y1P01G");
	assert_int_equal(a->forms[0].ref_origin, 2);
	assert_int_equal(a->forms[0].result_code, 1);
	assert_int_equal(a->forms[0].n_errors, 0);
	onss_answer_free(a);

	a = load("ACRF_20231_2.xml");
	assert_int_equal(a->forms[0].result_code, 0);
	assert_int_equal(a->forms[0].n_errors, 2);
	assert_string_equal(a->forms[0].errors[0], "ACRF-088");
	assert_string_equal(a->forms[0].errors[1], "ACRF-172");
	const char *nl, *fr;
	assert_int_equal(onss_error_label(a->forms[0].errors[0], &nl, &fr), GW_OK);
	assert_string_equal(fr, "Schéma Inconnu");
	onss_answer_free(a);
	/* The older ACRF version validates against the current schema too. */
	a = load("ACRF_20223_2.xml");
	assert_int_equal(a->forms[0].n_errors, 2);
	onss_answer_free(a);
}

static void
test_notification(void **state)
{
	(void)state;
	struct onss_answer *a = load("NOTIFICATION_20223_1.xml");
	assert_int_equal(a->kind, ANSWER_NOTI);
	struct onss_answer_form *f = &a->forms[0];
	assert_string_equal(f->file_name, "GO.AOAT.000001.20090728.00901.R");
	assert_string_equal(f->ticket, "380000B5WX004");
	assert_int_equal(f->result_code, 1);
	assert_int_equal(f->n_anomalies, 0);
	assert_string_equal(f->handled_form, "AOAT001");
	assert_string_equal(f->handled_ref.nbr, "340000JEDT00A");
	assert_int_equal(f->handled_ref.type, 1);
	assert_string_equal(f->employer_noss, "70500472");
	assert_string_equal(f->worker_inss, "80111405125");
	assert_int_equal(onss_answer_form_severity(f), 0);
	onss_answer_free(a);

	a = load("NOTIFICATION_20223_2.xml");
	f = &a->forms[0];
	assert_int_equal(f->result_code, 0);
	assert_int_equal(f->n_anomalies, 4);
	assert_string_equal(f->anomalies[0].id, "90024-091");
	assert_string_equal(f->anomalies[0].tag, "Accident");
	assert_string_equal(f->anomalies[0].value, "AccidentNotificationDate");
	assert_string_equal(f->anomalies[0].cls, "B");
	assert_int_equal(f->anomalies[0].line, 86);
	assert_int_equal(f->anomalies[0].column, 20);
	assert_string_equal(f->anomalies[0].location, "1,1,8,4,13,3,12,1");
	assert_non_null(strstr(f->anomalies[0].path, "INSS=80111405125"));
	assert_non_null(strstr(f->anomalies[0].path, "JointCommissionNbr=100"));
	assert_string_equal(f->anomalies[0].label_nl, "Fout op volgorde");
	assert_string_equal(f->anomalies[3].id, "00267-207");
	assert_string_equal(f->anomalies[3].value, "501986975557");
	assert_string_equal(f->anomalies[3].path, "");
	assert_int_equal(f->anomalies[3].line, 0);
	assert_int_equal(onss_answer_form_severity(f), 'B');
	onss_answer_free(a);
}

static void
test_dmpi(void **state)
{
	(void)state;
	struct onss_answer *a = load("DmfAPID_20224_1.xml");
	assert_int_equal(a->kind, ANSWER_DMPI);
	struct onss_answer_form *f = &a->forms[0];
	assert_int_equal(f->n_refs, 3);
	assert_int_equal(f->refs[0].type, 3);
	assert_string_equal(f->refs[0].nbr, "33000WLZRU008");
	assert_string_equal(f->refs[2].nbr, "340000QPUA00X");
	struct dmpi_declaration *d = &f->dmpi;
	assert_int_equal(d->quarter, 20224);
	assert_string_equal(d->noss, "145647968");
	assert_int_equal(d->employer_decl_pid, 1015401858LL);
	assert_int_equal(d->n_persons, 1);
	assert_string_equal(d->persons[0].inss, "78081842455");
	assert_int_equal(d->persons[0].person_pid, 4278731);
	assert_int_equal(d->persons[0].decl_person_pid, 1015401859LL);
	assert_int_equal(d->persons[0].n_records, 1);
	assert_string_equal(d->persons[0].records[0].employer_class, "100");
	assert_string_equal(d->persons[0].records[0].worker_code, "015");
	assert_int_equal(d->persons[0].records[0].version, 1015401868LL);
	assert_int_equal(d->persons[0].records[0].n_occupations, 1);
	assert_int_equal(d->persons[0].records[0].occupations[0].seq, 1);
	assert_int_equal(d->persons[0].records[0].occupations[0].version, 1015401861LL);
	onss_answer_free(a);
}

static void
test_idflux(void **state)
{
	(void)state;
	struct onss_answer *a = load("IDFLUX_20231_1.xml");
	assert_int_equal(a->kind, ANSWER_IDFLUX);
	struct idflux_info *i = &a->forms[0].idflux;
	assert_int_equal(i->justification, 90);
	assert_string_equal(i->effective_date, "2023-01-01");
	assert_string_equal(i->employer_noss, "162518843");
	assert_string_equal(i->valid.inss, "29111114418");
	assert_string_equal(i->valid.name, "DUPONT");
	assert_string_equal(i->valid.first_name, "ELISABETH MARIE");
	assert_int_equal(i->valid.sex, 2);
	assert_string_equal(i->outdated.inss, "29311104266");
	onss_answer_free(a);
	a = load("IDFLUX_20231_2.xml");
	i = &a->forms[0].idflux;
	assert_string_equal(i->outdated.inss, "");
	assert_string_equal(i->outdated.birth_date, "1970-07-07");
	onss_answer_free(a);
}

static void
test_json(void **state)
{
	(void)state;
	struct onss_answer *a = load("NOTIFICATION_20223_2.xml");
	char *s;
	assert_int_equal(onss_answer_to_json(a, &s), GW_OK);
	json_error_t je;
	json_t *j = json_loads(s, 0, &je);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "kind")), "NOTIFICATION");
	assert_string_equal(json_string_value(json_object_get(j, "ticket")), "380000B5WY00D");
	assert_int_equal(json_integer_value(json_object_get(j, "result_code")), 0);
	json_t *e = json_array_get(json_object_get(j, "errors"), 2);
	assert_string_equal(json_string_value(json_object_get(e, "id")), "00237-008");
	assert_string_equal(json_string_value(json_object_get(e, "class")), "B");
	assert_string_equal(json_string_value(json_object_get(e, "label_fr")), "Pas dans le domaine de définition");
	json_decref(j);
	free(s);
	onss_answer_free(a);
}

static void
expect_refused(const char *xml, int flags, const char *why)
{
	struct onss_answer *a = (void *)1;
	char err[512];
	assert_int_equal(onss_answer_parse(xml, strlen(xml), "t.xml", flags, &a, err, sizeof err), GW_EINPUT);
	assert_null(a);
	if (strstr(err, why) == NULL)
		fprintf(stderr, "got: %s\n", err);
	assert_non_null(strstr(err, why));
}

static void
test_refusals(void **state)
{
	(void)state;
	expect_refused("<ACRF><Form>", 0, "not well-formed");
	expect_refused("<Invoice/>", 0, "not ACRF");
	expect_refused("<x:ACRF xmlns:x='urn:x'/>", 0, "not ACRF");
	/* ResultCode 5 is outside the ACRF schema. */
	expect_refused("<ACRF><Form><Identification>ACRF001</Identification><FormCreationDate>2026-01-01"
	    "</FormCreationDate><FormCreationHour>10:00:00.000</FormCreationHour><AttestationStatus>0"
	    "</AttestationStatus><TypeForm>PA</TypeForm><FileReference><FileName>GO.X</FileName>"
	    "</FileReference><ReceptionResult><ResultCode>5</ResultCode></ReceptionResult></Form></ACRF>",
	    0, "schema");
	/* Without the XSD the parser still refuses an over-long field. */
	char big[1200];
	snprintf(big, sizeof big, "<ACRF><Form><FileReference><FileName>%0300d</FileName></FileReference></Form></ACRF>", 1);
	expect_refused(big, ONSS_ANSWER_NO_XSD, "too long");
	expect_refused("<ACRF/>", ONSS_ANSWER_NO_XSD, "no Form");
	/* An external entity or subset is refused at the DOCTYPE. */
	expect_refused("<!DOCTYPE ACRF [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><ACRF><Form>"
	    "<FileReference><FileName>&e;</FileName></FileReference></Form></ACRF>",
	    ONSS_ANSWER_NO_XSD, XML_SAFE_DOCTYPE_REFUSED);
	expect_refused("<!DOCTYPE ACRF SYSTEM 'http://127.0.0.1:9/acrf.dtd'><ACRF><Form/></ACRF>", 0,
	    XML_SAFE_DOCTYPE_REFUSED);
}

/* Entity references in an attribute value: the schema check expanded them
 * (3,200 took 22 s and 169 MB). Refused before the schema check, for every
 * kind of answer. */
static void
test_attribute_expansion_refused(void **state)
{
	(void)state;
	static const char *const roots[] = { "ACRF", "NOTIFICATION", "DmfAPID", "IDFLUX" };
	static char x[4096];
	for (size_t r = 0; r < 4; r++) {
		size_t o = (size_t)snprintf(x, sizeof x, "<?xml version=\"1.0\"?>\n<!DOCTYPE %s "
		    "[<!ENTITY a \"xxxxxxxxxxxxxxxx\">]>\n<%s foo=\"", roots[r], roots[r]);
		for (int i = 0; i < 300; i++)
			o += (size_t)snprintf(x + o, sizeof x - o, "&a;");
		snprintf(x + o, sizeof x - o, "\"><Form/></%s>", roots[r]);
		expect_refused(x, 0, XML_SAFE_DOCTYPE_REFUSED);
	}
}

/* Where answers must be signed (production, or answers_signed = required)
 * a plain answer is refused; show-answer may still read it; a signed one
 * with an empty answer_ca is refused rather than believed unchecked. */
static void
test_signature_required(void **state)
{
	(void)state;
	char path[700], err[512], pki[600], cert[700], key[700], ca[700];
	struct onss_answer *a = NULL;
	const char *top = getenv("TOP");
	snprintf(path, sizeof path, "%s/ACRF_20231_1.xml", sdir);
	gw_cfg = config_new();

	config_set(gw_cfg, "onss_batch.env", "T");      /* test circuit: plain answers are fine */
	assert_int_equal(onss_answer_parse_file(path, 0, &a, err, sizeof err), GW_OK);
	assert_false(a->signed_answer);
	onss_answer_free(a);

	config_set(gw_cfg, "onss_batch.env", "R");      /* production: signed, by default */
	assert_int_equal(onss_answer_parse_file(path, 0, &a, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "unsigned answer refused"));
	assert_int_equal(onss_answer_parse_file(path, ONSS_ANSWER_INSPECT, &a, err, sizeof err), GW_OK);
	onss_answer_free(a);
	config_set(gw_cfg, "onss_batch.answers_signed", "optional");
	assert_int_equal(onss_answer_parse_file(path, 0, &a, err, sizeof err), GW_OK);
	onss_answer_free(a);
	config_set(gw_cfg, "onss_batch.env", "T");
	config_set(gw_cfg, "onss_batch.answers_signed", "required");
	assert_int_equal(onss_answer_parse_file(path, 0, &a, err, sizeof err), GW_EINPUT);

	/* The same answer signed by the (test) ONSS: read when answer_ca is
	 * set, refused when it is empty. */
	snprintf(pki, sizeof pki, "%s/certs/out", top ? top : ".");
	snprintf(cert, sizeof cert, "%s/onss/org.crt.pem", pki);
	snprintf(key, sizeof key, "%s/onss/org.key.pem", pki);
	snprintf(ca, sizeof ca, "%s/onss/ca.crt.pem", pki);
	struct gw_signer *sg = NULL;
	assert_int_equal(signer_load(&sg, cert, key, err, sizeof err), GW_OK);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char xml[65536];
	size_t n = fread(xml, 1, sizeof xml, f);
	fclose(f);
	char *b64 = NULL;
	size_t blen = 0;
	assert_int_equal(batch_cms_wrap(sg, xml, n, &b64, &blen), GW_OK);
	config_set(gw_cfg, "onss_batch.answer_ca", ca);
	assert_int_equal(onss_answer_parse(b64, blen, "FO.ACRF.x", 0, &a, err, sizeof err), GW_OK);
	assert_true(a->signed_answer);
	onss_answer_free(a);
	config_set(gw_cfg, "onss_batch.answer_ca", "");
	assert_int_equal(onss_answer_parse(b64, blen, "FO.ACRF.x", 0, &a, err, sizeof err), GW_EINPUT);
	assert_non_null(strstr(err, "answer_ca is empty"));
	free(b64);
	signer_free(sg);
	config_free(gw_cfg);
	gw_cfg = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acrf),
		cmocka_unit_test(test_notification),
		cmocka_unit_test(test_dmpi),
		cmocka_unit_test(test_idflux),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_attribute_expansion_refused),
		cmocka_unit_test(test_signature_required),
	};
	int rc = cmocka_run_group_tests(tests, setup, NULL);
	onss_codelist_free();
	return rc;
}
