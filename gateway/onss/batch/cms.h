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

/* Decode base64 that may hold newlines; *der malloc'd. */
gw_rc batch_b64_decode(const char *b64, size_t len, unsigned char **der, size_t *der_len);

#endif
