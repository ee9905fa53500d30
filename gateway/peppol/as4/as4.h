/*
 * as4.h - Peppol AS4 2.0 as a pure protocol: bytes in, bytes out.
 *
 * What the transport (HTTPS endpoint, runner channel) calls:
 *   as4_build_message()   invoice document + parties + certificates -> MIME
 *                         (SBDH, gzip, sign, encrypt), and the references a
 *                         receipt must acknowledge;
 *   as4_receive()         MIME -> decrypt, verify, check SBDH against the
 *                         ebMS headers -> document + metadata, or the ebMS
 *                         error to answer with;
 *   as4_build_receipt()   the signed receipt with NonRepudiationInformation;
 *   as4_verify_receipt()  a receipt against what was sent;
 *   as4_build_error() / as4_parse_signal()   ebMS error signals.
 *
 * Owns no state, no file, no socket and no clock reading except for the
 * Timestamp of what it builds (core/clock). Never includes queue/, store/,
 * service/ or cmd/: duplicates, storage and retries are the transport's
 * (docs/peppol-as4.md says how they must behave).
 */
#ifndef GW_PEPPOL_AS4_H
#define GW_PEPPOL_AS4_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>
#include "core/err.h"
#include "crypto/signer.h"

/* The ebMS errors this profile answers with (EBMS:xxxx). */
typedef enum as4_ebms {
	AS4_OK = 0,
	AS4_E0004,          /* other (malformed payload, SBDH does not match the headers) */
	AS4_E0004_NOT_SERVICED, /* 0004 with errorDetail PEPPOL:NOT_SERVICED */
	AS4_E0009,          /* invalid header: not an ebMS3 SOAP message */
	AS4_E0101,          /* failed authentication: signature, certificate, chain */
	AS4_E0102,          /* failed decryption */
	AS4_E0103,          /* policy non-compliance: algorithm, missing part */
	AS4_E0303           /* decompression failure */
} as4_ebms;

/* "EBMS:0101" etc.; the short description ("FailedAuthentication"). */
const char *as4_ebms_code(as4_ebms e);
const char *as4_ebms_short(as4_ebms e);

/* The SBDH fields (Peppol envelope 2.0). Identifier schemes are fixed:
 * iso6523-actorid-upis, busdox-docid-qns, cenbii-procid-ubl. */
struct as4_sbdh {
	char sender[128];       /* "0208:0739484052" */
	char receiver[128];
	char doctype[512];      /* "urn:oasis:...:Invoice-2::Invoice##<CustomizationID>::2.1" */
	char process[256];      /* "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0" */
	char instance_id[128];  /* a UUID */
	char created[40];       /* xs:dateTime */
	char country_c1[8];     /* "BE" */
	char mls_to[128];       /* optional: where the Message Level Status goes ("0242:000101") */
	char mls_type[16];      /* optional: FAILURE_ONLY (default) or ALWAYS_SEND */
};

/* The ebMS UserMessage headers as received. */
struct as4_user_info {
	char message_id[256];
	char timestamp[40];
	char conversation_id[256];
	char from_party[128];   /* CN of the sending AP's certificate */
	char to_party[128];
	char service[256];
	char service_type[64];
	char action[512];
	char original_sender[128];
	char final_recipient[128];
};

/* One ds:Reference of a signature: what a receipt acknowledges. */
struct as4_ref {
	char uri[256];
	char digest[64];        /* base64 SHA-256 */
	int attachment;         /* 1: cid: with the attachment content transform */
};
#define AS4_MAX_REFS 8
struct as4_refs {
	struct as4_ref ref[AS4_MAX_REFS];
	int n;
};

/* What as4_build_message() needs. */
struct as4_send_params {
	const char *message_id;          /* stable across retries; NULL: a new one */
	const struct as4_sbdh *sbdh;     /* instance_id/created empty: filled in */
	const unsigned char *document;   /* the UBL document */
	size_t document_len;
	const struct gw_signer *signer;  /* our AP certificate and key */
	X509 *receiver_cert;             /* the receiving AP's certificate */
	/* Test peers only (bench/as4_forge), for the receiver's refusals: the
	 * ebMS originalSender, finalRecipient, Service and Action from this
	 * instead of sbdh (EBMS:0004), and the SBDH attached without gzip
	 * although CompressionType says gzip (EBMS:0303). Zero: never. */
	const struct as4_sbdh *test_headers;
	int test_no_gzip;
};

/* A built message: body and the HTTP Content-Type that goes with it. */
struct as4_message {
	unsigned char *body;
	size_t body_len;
	char content_type[256];
	char message_id[256];
	char instance_id[128];
	struct as4_refs refs;            /* keep: as4_verify_receipt() needs them */
};
void as4_message_free(struct as4_message *m);

gw_rc as4_build_message(const struct as4_send_params *p, struct as4_message *out,
                        char *why, size_t whycap);

/* How the receiver checks the sender's certificate. */
struct as4_trust {
	X509_STORE *store;               /* from as4_trust_load(): root, AP CA, CRL */
	int64_t at_s;                    /* moment of the check (unix seconds) */
};
/* A store trusting ca_file (root and AP CA, PEM) with the CRL in crl_file
 * (may be NULL: no revocation check, only for tools). */
gw_rc as4_trust_load(X509_STORE **out, const char *ca_file, const char *crl_file,
                     char *why, size_t whycap);
/* The earliest nextUpdate of the store's CRLs (unix seconds), 0 when none:
 * after it the CRL is stale and a newer one must be read. */
int64_t as4_trust_crl_next_update(X509_STORE *store);
/* GW_OK when cert chains to the store, is valid at at_s and not revoked;
 * GW_ECRYPTO with the reason otherwise. */
gw_rc as4_cert_check(X509_STORE *store, X509 *cert, int64_t at_s, char *why, size_t whycap);

/* Who we are when receiving, and what we service. */
struct as4_recv_params {
	const struct gw_signer *me;      /* our certificate and decryption key */
	const struct as4_trust *trust;   /* NULL: no chain check (tools and fuzzing only) */
	/* 1 when we service receiver for doctype/process; NULL: everything. */
	int (*serviced)(void *arg, const char *receiver, const char *doctype, const char *process);
	void *serviced_arg;
};

/* A received message. The document is the SBDH's payload, by itself. */
struct as4_inbound {
	struct as4_user_info info;
	struct as4_sbdh sbdh;
	struct as4_refs refs;            /* for the receipt */
	unsigned char *document;
	size_t document_len;
	X509 *sender_cert;               /* owned */
};
void as4_inbound_free(struct as4_inbound *in);

/* Parse, decrypt, verify and check a message. content_type: the HTTP header,
 * or NULL when bytes start with the headers (a capture) or are bare SOAP.
 * AS4_OK, or the ebMS error to answer with and its reason in why. The
 * MessageId is filled in as soon as it is known, for the error's
 * RefToMessageInError. */
as4_ebms as4_receive(const struct as4_recv_params *p, const char *content_type,
                     const unsigned char *bytes, size_t len, struct as4_inbound *out,
                     char *why, size_t whycap);

/* The signed receipt for a received message (a SOAP envelope, no MIME). */
gw_rc as4_build_receipt(const struct gw_signer *me, const struct as4_inbound *in,
                        unsigned char **out, size_t *outlen, char *why, size_t whycap);

/* GW_OK when the receipt is signed by receiver_cert (the very certificate),
 * refers to m's MessageId and acknowledges every one of m's references
 * with the same digest; GW_EPERM when it is an ebMS error signal (why has
 * its code); GW_ECRYPTO/GW_EINPUT otherwise. */
gw_rc as4_verify_receipt(const unsigned char *bytes, size_t len, const struct as4_message *m,
                         X509 *receiver_cert, char *why, size_t whycap);

/* A signed ebMS error signal referring to ref_message_id (may be empty). */
gw_rc as4_build_error(const struct gw_signer *me, as4_ebms e, const char *ref_message_id,
                      const char *description, unsigned char **out, size_t *outlen,
                      char *why, size_t whycap);

/* What a signal message says. */
struct as4_signal {
	int is_receipt;
	char message_id[256];
	char ref_to[256];
	char error_code[32];             /* "EBMS:0101" when an error */
	char error_detail[128];
	char severity[16];
	struct as4_refs nri;             /* receipt's MessagePartNRInformation */
};
/* Parse a signal (receipt or error) without checking its signature. */
gw_rc as4_parse_signal(const unsigned char *bytes, size_t len, struct as4_signal *out,
                       char *why, size_t whycap);

/* SBDH build (document appended as the payload) and parse (document copied out). */
gw_rc as4_sbdh_build(const struct as4_sbdh *h, const unsigned char *doc, size_t len,
                     unsigned char **out, size_t *outlen, char *why, size_t whycap);
gw_rc as4_sbdh_parse(const unsigned char *xml, size_t len, struct as4_sbdh *h,
                     unsigned char **doc, size_t *doclen, char *why, size_t whycap);

/* `gateway as4 verify`: one line per finding to out; 0, 1 or 2 (cli.md). */
int as4_verify_file(const unsigned char *bytes, size_t len, int64_t at_s, X509_STORE *store,
                    void (*line)(void *arg, const char *text), void *arg);

#endif
