/*
 * test_smp.c - peppol/smp: the U-NAPTR name (checked against Python's
 * base32 of SHA-256, computed outside the gateway), the NAPTR regexp, the
 * SMP paths; the three real SMP answers get their reference verdicts (2
 * and 3 verify, 1 does not) and tampered copies of a good one do not
 * verify (changed URL, changed certificate, a second ServiceMetadata, the
 * signed element moved under a wrapper, the Signature moved); our own
 * signed answers read back, chain to the SMP CA, and the endpoint choice
 * keeps to the process, the transport and the activation window.
 * Needs certs/gen-test-pki.sh (TOP) and the reference answers (REF).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>

#include "core/clock.h"
#include "crypto/signer.h"
#include "peppol/as4/as4.h"
#include "peppol/smp/smp.h"

#define PROC "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
#define DOC "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##urn:cen.eu:en16931:2017" \
	"#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"

static char pki[600], refdir[600];
static X509_STORE *smp_ca;
static int64_t at2020;

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s missing (set REF / run certs/gen-test-pki.sh)", path);
	char *b = malloc(1 << 20);
	*len = fread(b, 1, (1 << 20) - 1, f);
	b[*len] = '\0';
	fclose(f);
	return b;
}

static char *
real(int n, size_t *len)
{
	char p[800];
	snprintf(p, sizeof p, "%s/peppol/smp/signed-service-metadata%d%s.xml", refdir, n,
	    n == 3 ? "-c14n-inclusive" : "");
	return slurp(p, len);
}

/* s with the first occurrence of from replaced by to (malloc'd). */
static char *
replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	assert_non_null(p);
	size_t a = (size_t)(p - s), fl = strlen(from), tl = strlen(to), sl = strlen(s);
	char *o = malloc(sl - fl + tl + 1);
	memcpy(o, s, a);
	memcpy(o + a, to, tl);
	memcpy(o + a + tl, p + fl, sl - a - fl + 1);
	return o;
}

/* GW_OK and a verified signature, or not. */
static int
verifies(const char *buf, X509_STORE *st, int64_t at, struct smp_answer *a)
{
	char why[400];
	gw_rc rc = smp_answer_read((const unsigned char *)buf, strlen(buf), st, at, a, why,
	    sizeof why);
	if (rc != GW_OK)
		return -1;
	return a->sig_ok;
}

static void
test_naptr_name(void **state)
{
	(void)state;
	char n[300], m[300];
	/* Python: base32(sha256(b"0208:0123456789")).lower().rstrip("=") */
	assert_int_equal(smp_naptr_name("0208:0123456789", "participant.sml.test.tech.peppol.org", n,
	    sizeof n), GW_OK);
	assert_string_equal(n, "wiqy2amtxx7migvxk5ut2tftl43qlgk7mjiiaxc25xnfmmg6isvq"
	    ".iso6523-actorid-upis.participant.sml.test.tech.peppol.org");
	/* The id is lower-cased before hashing. */
	assert_int_equal(smp_naptr_name("0208:ABCDEF", "z.test", n, sizeof n), GW_OK);
	assert_int_equal(smp_naptr_name("0208:abcdef", "z.test", m, sizeof m), GW_OK);
	assert_string_equal(n, m);
	assert_int_equal(smp_naptr_name("0208:0739484052", "z", n, sizeof n), GW_OK);
	assert_string_equal(n, "u4wyvvujskcln6axa7qrrfid2zegexkqlzzfmzqkb6ym2lvvzija.iso6523-actorid-upis.z");
	assert_int_equal(smp_naptr_name("0208:0739484052", "z", n, 40), GW_EINPUT);
}

static void
test_naptr_regexp(void **state)
{
	(void)state;
	char url[300], why[300];
	assert_int_equal(smp_naptr_apply("!^.*$!https://smp.example.org/!", url, sizeof url, why,
	    sizeof why), GW_OK);
	assert_string_equal(url, "https://smp.example.org");
	assert_int_equal(smp_naptr_apply("!^.*$!https://127.0.0.1:8444!", url, sizeof url, why,
	    sizeof why), GW_OK);
	assert_string_equal(url, "https://127.0.0.1:8444");
	/* Not the U-NAPTR form, a back-reference, plain HTTP: refused. */
	assert_int_equal(smp_naptr_apply("!^(.*)$!https://x/\\1!", url, sizeof url, why, sizeof why),
	    GW_EINPUT);
	assert_int_equal(smp_naptr_apply("!^.*$!http://smp.example.org!", url, sizeof url, why,
	    sizeof why), GW_EINPUT);
	assert_non_null(strstr(why, "HTTPS only"));
	assert_int_equal(smp_naptr_apply("", url, sizeof url, why, sizeof why), GW_EINPUT);
	assert_int_equal(smp_naptr_apply("!^.*$!https://a!b!", url, sizeof url, why, sizeof why),
	    GW_EINPUT);
}

static void
test_urls(void **state)
{
	(void)state;
	char u[1200], back[600];
	assert_int_equal(smp_url("https://smp", "0208:0123456789", NULL, u, sizeof u), GW_OK);
	assert_string_equal(u, "https://smp/iso6523-actorid-upis%3A%3A0208%3A0123456789");
	assert_int_equal(smp_url("https://smp", "0208:0123456789", DOC, u, sizeof u), GW_OK);
	assert_non_null(strstr(u, "/services/busdox-docid-qns%3A%3Aurn%3Aoasis%3Anames%3A"));
	assert_non_null(strstr(u, "Invoice%23%23urn%3Acen.eu%3Aen16931%3A2017%23compliant%23"));
	const char *seg = strstr(u, "/services/") + 10;
	assert_int_equal(smp_unescape(seg, strlen(seg), back, sizeof back), 1);
	assert_string_equal(back, "busdox-docid-qns::" DOC);
	assert_int_equal(smp_unescape("%2", 2, back, sizeof back), 0);
	assert_int_equal(smp_unescape("%00", 3, back, sizeof back), 0);
}

static void
test_real_answers(void **state)
{
	(void)state;
	struct smp_answer a;
	size_t len;
	int want[4] = { 0, 0, 1, 1 };   /* the reference README's verdicts */
	for (int n = 1; n <= 3; n++) {
		char *b = real(n, &len);
		assert_int_equal(verifies(b, NULL, at2020, &a), want[n]);
		assert_int_equal(a.weak, 1);                 /* RSA-SHA1 */
		assert_int_equal(a.cert_ok, 1);              /* valid in 2020 */
		smp_answer_free(&a);
		/* Expired today; and not under our (test) SMP CA. */
		assert_int_equal(verifies(b, NULL, at2020 + 3 * 365 * 86400LL, &a), want[n]);
		assert_int_equal(a.cert_ok, 0);
		smp_answer_free(&a);
		assert_int_equal(verifies(b, smp_ca, at2020, &a), want[n]);
		assert_int_equal(a.cert_ok, 0);
		smp_answer_free(&a);
		free(b);
	}
	/* Answer 3 has an AS4 endpoint, active in 2020, expired since. */
	char *b = real(3, &len);
	char why[300];
	assert_int_equal(verifies(b, NULL, at2020, &a), 1);
	const struct smp_endpoint *e = smp_choose(&a, NULL, at2020, why, sizeof why);
	assert_non_null(e);
	assert_string_equal(e->url, "https://ap.econnect.eu/as4/v1");
	assert_null(smp_choose(&a, NULL, at2020 + 2 * 365 * 86400LL, why, sizeof why));
	assert_non_null(strstr(why, "expired"));
	smp_answer_free(&a);
	free(b);
}

static void
test_tampered(void **state)
{
	(void)state;
	struct smp_answer a;
	size_t len;
	char *good = real(2, &len);
	assert_int_equal(verifies(good, NULL, at2020, &a), 1);
	smp_answer_free(&a);
	/* The endpoint URL changed. */
	char *t = replace(good, "https://peppol.netedi.com/receive.aspx", "https://evil.example/as4");
	assert_int_equal(verifies(t, NULL, at2020, &a), 0);
	smp_answer_free(&a);
	free(t);
	/* The endpoint certificate changed (one base64 character). */
	t = replace(good, "<Certificate>MIIFrzCCA5egAwIBAgIQGFKQA5zJ", "<Certificate>MIIFrzCCA5egAwIBAgIQGFKQA5zK");
	assert_int_not_equal(verifies(t, NULL, at2020, &a), 1);
	smp_answer_free(&a);
	free(t);
	/* A second ServiceMetadata after the signed one. */
	const char *sm = strstr(good, "<ServiceMetadata>");
	const char *end = strstr(good, "</ServiceMetadata>") + strlen("</ServiceMetadata>");
	size_t sml = (size_t)(end - sm);
	char *second = malloc(len + sml + 1);
	size_t off = (size_t)(end - good);
	memcpy(second, good, off);
	memcpy(second + off, sm, sml);
	memcpy(second + off + sml, end, len - off + 1);
	assert_int_equal(verifies(second, NULL, at2020, &a), -1);
	free(second);
	/* Wrapping: the signed ServiceMetadata moved under another element,
	 * a forged one in its place. */
	char *forged = replace(good, "https://peppol.netedi.com/receive.aspx", "https://evil.example/as4");
	char *fsm = strstr(forged, "<ServiceMetadata>");
	char *fend = strstr(forged, "</ServiceMetadata>") + strlen("</ServiceMetadata>");
	size_t fl = (size_t)(fend - fsm);
	char *w = malloc(len + 2 * sml + 64);
	off = (size_t)(sm - good);
	size_t o = 0;
	memcpy(w, good, off);
	o = off;
	memcpy(w + o, fsm, fl);
	o += fl;
	memcpy(w + o, "<Wrapper>", 9);
	o += 9;
	memcpy(w + o, sm, sml);
	o += sml;
	memcpy(w + o, "</Wrapper>", 10);
	o += 10;
	memcpy(w + o, end, len - (size_t)(end - good) + 1);
	assert_int_equal(verifies(w, NULL, at2020, &a), -1);
	free(w);
	free(forged);
	/* The Signature moved inside the ServiceMetadata. */
	const char *sg = strstr(good, "<Signature ");
	const char *sge = strstr(good, "</Signature>") + strlen("</Signature>");
	char *mv = malloc(len + 1);
	size_t a1 = (size_t)(end - good) - strlen("</ServiceMetadata>");
	o = 0;
	memcpy(mv, good, a1);
	o = a1;
	memcpy(mv + o, sg, (size_t)(sge - sg));
	o += (size_t)(sge - sg);
	memcpy(mv + o, "</ServiceMetadata>", 18);
	o += 18;
	memcpy(mv + o, sge, len - (size_t)(sge - good) + 1);
	assert_int_equal(verifies(mv, NULL, at2020, &a), -1);
	free(mv);
	free(good);
}

static void
test_own_answer(void **state)
{
	(void)state;
	char cert[700], key[700], err[512], why[300];
	struct gw_signer *smpkey = NULL, *apkey = NULL;
	snprintf(cert, sizeof cert, "%s/smp.crt.pem", pki);
	snprintf(key, sizeof key, "%s/smp.key.pem", pki);
	assert_int_equal(signer_load(&smpkey, cert, key, err, sizeof err), GW_OK);
	snprintf(cert, sizeof cert, "%s/receiver.crt.pem", pki);
	snprintf(key, sizeof key, "%s/receiver.key.pem", pki);
	assert_int_equal(signer_load(&apkey, cert, key, err, sizeof err), GW_OK);
	int64_t now = clock_now_s();
	struct smp_publish p = { .participant = "0208:0739484052", .doctype = DOC, .process = PROC,
	    .url = "https://127.0.0.1:9443/as4", .ap_cert = apkey->cert,
	    .activation_s = now - 86400, .expiration_s = now + 86400 };
	char *out = NULL;
	size_t len = 0;
	assert_int_equal(smp_sign_metadata(&p, smpkey, &out, &len, why, sizeof why), GW_OK);
	struct smp_answer a;
	assert_int_equal(verifies(out, smp_ca, now, &a), 1);
	assert_int_equal(a.cert_ok, 1);
	assert_int_equal(a.weak, 0);
	assert_string_equal(a.participant, "iso6523-actorid-upis::0208:0739484052");
	assert_string_equal(a.doctype, "busdox-docid-qns::" DOC);
	const struct smp_endpoint *e = smp_choose(&a, "cenbii-procid-ubl::" PROC, now, why, sizeof why);
	assert_non_null(e);
	assert_string_equal(e->url, "https://127.0.0.1:9443/as4");
	assert_int_equal(X509_cmp(e->cert, apkey->cert), 0);
	/* Another process; before the activation; after the expiry. */
	assert_null(smp_choose(&a, "cenbii-procid-ubl::urn:other", now, why, sizeof why));
	assert_null(smp_choose(&a, NULL, now - 2 * 86400, why, sizeof why));
	assert_non_null(strstr(why, "not active yet"));
	assert_null(smp_choose(&a, NULL, now + 2 * 86400, why, sizeof why));
	smp_answer_free(&a);
	/* Our answer with its URL changed does not verify. */
	char *t = replace(out, "https://127.0.0.1:9443/as4", "https://127.0.0.1:9999/as4");
	assert_int_equal(verifies(t, smp_ca, now, &a), 0);
	smp_answer_free(&a);
	free(t);
	free(out);
	/* Signed by an AP certificate: the signature verifies, the signer is
	 * not under the SMP CA. */
	assert_int_equal(smp_sign_metadata(&p, apkey, &out, &len, why, sizeof why), GW_OK);
	assert_int_equal(verifies(out, smp_ca, now, &a), 1);
	assert_int_equal(a.cert_ok, 0);
	smp_answer_free(&a);
	free(out);
	/* The service group links to the metadata of each document type. */
	const char *docs[] = { DOC };
	assert_int_equal(smp_service_group("https://smp", "0208:0739484052", docs, 1, &out, &len), GW_OK);
	assert_non_null(strstr(out, "href=\"https://smp/iso6523-actorid-upis%3A%3A0208%3A0739484052"
	    "/services/busdox-docid-qns%3A%3Aurn%3Aoasis"));
	free(out);
	signer_free(smpkey);
	signer_free(apkey);
}

static void
test_not_answers(void **state)
{
	(void)state;
	struct smp_answer a;
	char why[300];
	const char *bad[] = { "", "<x/>", "<!DOCTYPE a [<!ENTITY e \"x\">]><a>&e;</a>",
	    "<SignedServiceMetadata xmlns=\"" SMP_NS "\"><ServiceMetadata/></SignedServiceMetadata>" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(smp_answer_read((const unsigned char *)bad[i], strlen(bad[i]), NULL, 0,
		    &a, why, sizeof why), GW_EINPUT);
}

static int
setup(void **state)
{
	(void)state;
	const char *top = getenv("TOP"), *ref = getenv("REF");
	char ca[700], err[256];
	snprintf(pki, sizeof pki, "%s/certs/out/g3", top ? top : ".");
	snprintf(refdir, sizeof refdir, "%s", ref ? ref : "../shared/reference");
	int64_t ms;
	clock_parse_iso("2026-11-25T10:00:00+01:00", &ms, err, sizeof err);
	clock_pin(ms, true);
	clock_parse_iso("2020-01-01T00:00:00Z", &ms, err, sizeof err);
	at2020 = ms / 1000;
	snprintf(ca, sizeof ca, "%s/smp-chain.pem", pki);
	if (as4_trust_load(&smp_ca, ca, NULL, err, sizeof err) != GW_OK)
		fail_msg("%s (run certs/gen-test-pki.sh)", err);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	X509_STORE_free(smp_ca);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_naptr_name),
		cmocka_unit_test(test_naptr_regexp),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_real_answers),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_own_answer),
		cmocka_unit_test(test_not_answers),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
