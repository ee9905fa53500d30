/*
 * smp.h - Peppol discovery as a pure protocol: the SML name of a
 * participant (U-NAPTR), the SMP's URLs, the signed SMP answer read and
 * verified (XMLDSig with xmlsec1), the endpoint chosen from it, and the
 * answer an SMP of our own signs. No socket, no file, no queue: the DNS
 * look-up and the HTTPS GET are the service's (service/smp_lookup.c).
 */
#ifndef GW_PEPPOL_SMP_H
#define GW_PEPPOL_SMP_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>
#include "core/err.h"
#include "crypto/signer.h"

#define SMP_NS "http://busdox.org/serviceMetadata/publishing/1.0/"
#define SMP_NS_IDS "http://busdox.org/transport/identifiers/1.0/"
#define SMP_NS_WSA "http://www.w3.org/2005/08/addressing"
#define SMP_SCHEME_PARTY "iso6523-actorid-upis"
#define SMP_SCHEME_DOC "busdox-docid-qns"
#define SMP_SCHEME_PROC "cenbii-procid-ubl"
#define SMP_AS4 "peppol-transport-as4-v2_0"
#define SMP_MAX_ENDPOINTS 16

/* --- names and URLs (name.c) --- */

/* The U-NAPTR owner name of a participant id ("0208:0123456789"):
 * base32(sha256(lowercase(id))) without padding, ".iso6523-actorid-upis.",
 * zone. GW_EINPUT when it does not fit. */
gw_rc smp_naptr_name(const char *participant, const char *zone, char *buf, size_t cap);
/* Apply a U-NAPTR regexp ("!^.*$!https://smp.example/!") as RFC 4848
 * allows it: the match-everything pattern only, the replacement taken as
 * it is. GW_EINPUT with why when it is another form or not https://. */
gw_rc smp_naptr_apply(const char *regexp, char *url, size_t cap, char *why, size_t whycap);
/* base URL + "/" + percent-encoded "iso6523-actorid-upis::<id>" (service
 * group) and, when doctype is given, + "/services/" + percent-encoded
 * "busdox-docid-qns::<doctype>" (service metadata). */
gw_rc smp_url(const char *base, const char *participant, const char *doctype, char *buf,
              size_t cap);
/* Percent-decode one path segment of ours ("iso6523-actorid-upis%3A%3A0208%3A...")
 * into buf; 0 when malformed. */
int smp_unescape(const char *in, size_t len, char *buf, size_t cap);

/* --- the signed answer (meta.c, dsig.c) --- */

struct smp_endpoint {
	char process[256];
	char transport[128];
	char url[512];
	int64_t activation_s, expiration_s;   /* INT64_MIN / INT64_MAX when absent */
	X509 *cert;                           /* NULL when absent or unreadable */
	char subject[256];                    /* the certificate's, or "" */
};

struct smp_answer {
	char participant[160];                /* scheme::value as read */
	char doctype[600];
	struct smp_endpoint ep[SMP_MAX_ENDPOINTS];
	int n;
	/* the signature */
	int sig_ok;                           /* 1: the signature and its reference verify */
	int weak;                             /* 1: RSA-SHA1 or a SHA-1 digest */
	char sig_alg[100], c14n[100];
	char sig_why[300];                    /* why it does not verify */
	X509 *signer;
	char signer_subject[256], signer_issuer[256];
	int64_t signer_from_s, signer_to_s;
	int cert_ok;                          /* valid at the moment and chains to the SMP CA */
	char cert_why[300];
};

/* Read a SignedServiceMetadata, check its shape (one ServiceMetadata,
 * one enveloped Signature child of the root over URI="", nothing else),
 * verify the signature with the certificate it carries, and that
 * certificate at at_s against store (the SMP CA; NULL: validity only).
 * GW_OK: read, with sig_ok/cert_ok saying what verified; GW_EINPUT: not
 * an SMP answer we can read (why says which field); GW_ENOMEM. */
gw_rc smp_answer_read(const unsigned char *buf, size_t len, X509_STORE *store, int64_t at_s,
                      struct smp_answer *out, char *why, size_t whycap);
void smp_answer_free(struct smp_answer *a);
/* The AS4 endpoint of the answer for process, active at at_s. NULL with
 * why when there is none (a final answer: not deliverable over Peppol). */
const struct smp_endpoint *smp_choose(const struct smp_answer *a, const char *process,
                                      int64_t at_s, char *why, size_t whycap);
/* What `gateway smp verify` prints, through line(); the exit code. */
int smp_verify_file(const unsigned char *buf, size_t len, X509_STORE *store, int64_t at_s,
                    void (*line)(void *arg, const char *text), void *arg);

/* --- our own SMP (serve.c) --- */

struct smp_publish {
	const char *participant;              /* "0208:0123456789" */
	const char *doctype, *process;
	const char *url;                      /* our AS4 endpoint */
	X509 *ap_cert;                        /* our AP certificate */
	int64_t activation_s, expiration_s;
};
/* The signed ServiceMetadata (RSA-SHA256, SHA-256, exclusive C14N,
 * enveloped) as malloc'd bytes. */
gw_rc smp_sign_metadata(const struct smp_publish *p, const struct gw_signer *smp_key,
                        char **out, size_t *len, char *why, size_t whycap);
/* The ServiceGroup of a participant: one reference per document type,
 * under base (our SMP's URL). */
gw_rc smp_service_group(const char *base, const char *participant, const char *const *doctypes,
                        int n, char **out, size_t *len);

/* A certificate as one line of base64 DER, malloc'd (meta.c); and back
 * (whitespace allowed), NULL when it is not exactly one certificate. */
char *smp_cert_b64(X509 *cert);
X509 *smp_cert_from_b64(const char *text);

/* xmlsec1 is set up once per process (dsig.c). */
gw_rc smp_xmlsec_init(void);

#endif
