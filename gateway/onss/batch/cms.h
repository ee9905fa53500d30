/*
 * cms.h - checking a detached CMS signature (FS) against its FI file, the
 * way the ONSS does: structure first (signedData version 1, content type
 * data, detached, SHA-256, one signer, no CRLs, no unsigned attributes),
 * then the signature, then the signer's certificate against a CA file.
 *
 * The result names the code of the ONSS digital-signature table
 * (ErrCodesDigitalSignature: 4002 version must be 1, 22 CRLs found, 1103
 * signature incorrect, 1104 CA not approved, 1207 outside validity...), so
 * the batch simulator can answer with the real code and an operator can
 * read the same code an ONSS refusal would carry.
 */
#ifndef GW_ONSS_BATCH_CMS_H
#define GW_ONSS_BATCH_CMS_H

#include <stddef.h>
#include "core/err.h"

struct batch_cms_check {
	int code;            /* 0 = all fine, else the ONSS digital-signature code */
	char why[256];       /* one line for logs and operators */
	char signer[256];    /* subject of the signer's certificate, when found */
};

/* Verify the base64 (one line or wrapped) FS text against the FI file at
 * fi_path. ca_file: PEM bundle of trusted roots (NULL skips the chain
 * check: structure and signature only). GW_OK or GW_ECRYPTO with chk filled. */
gw_rc batch_cms_verify(const char *fi_path, const char *fs_b64, size_t fs_len,
                       const char *ca_file, struct batch_cms_check *chk);

/* An ONSS answer that comes signed: a CMS signedData (DER, or base64) that
 * carries the answer XML inside. Verifies the signature (and, with ca_file,
 * the signer's chain) and hands back the content; *content malloc'd.
 * GW_EINPUT when buf is not CMS at all (a plain XML answer), GW_ECRYPTO
 * when it is and does not verify. */
gw_rc batch_cms_unwrap(const char *buf, size_t len, const char *ca_file, char **content,
                       size_t *clen, struct batch_cms_check *chk);
/* The other side of it (the simulator signing its answers): signedData with
 * the content inside, SHA-256, as base64 lines; *b64 malloc'd. */
struct gw_signer;
gw_rc batch_cms_wrap(const struct gw_signer *s, const char *data, size_t len, char **b64,
                     size_t *b64len);
/* Whether buf looks like CMS (DER SEQUENCE or base64 of one) rather than XML. */
int batch_cms_looks_signed(const char *buf, size_t len);

/* Decode base64 that may hold newlines; *der malloc'd. */
gw_rc batch_b64_decode(const char *b64, size_t len, unsigned char **der, size_t *der_len);

#endif
