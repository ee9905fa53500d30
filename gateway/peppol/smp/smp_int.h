/*
 * smp_int.h - what the files of peppol/smp share and nothing else uses.
 */
#ifndef GW_PEPPOL_SMP_INT_H
#define GW_PEPPOL_SMP_INT_H

#include <stdlib.h>
#include <libxml/tree.h>
#include "peppol/smp/smp.h"

/* Verify the enveloped signature sig with cert's key; fills sig_ok,
 * weak, sig_alg, c14n, sig_why of a. GW_OK unless xmlsec1 failed. */
gw_rc smp_dsig_verify(xmlNodePtr sig, X509 *cert, struct smp_answer *a);
/* Sign doc (its root gets the Signature as last child) with s. */
gw_rc smp_dsig_sign(xmlDocPtr doc, const struct gw_signer *s, char *why, size_t whycap);

#endif
