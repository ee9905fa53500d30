/* fuzz_as4_message.c - the AS4 MIME/SOAP reader on arbitrary bytes: the
 * capture/MIME split, the envelope, the signature check (`gateway as4
 * verify`'s path, no key needed) and, when the test PKI exists
 * (certs/out/g3 under $TOP or the current directory), the receiver's whole
 * path: decryption, verification, decompression, SBDH. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/signer.h"
#include "peppol/as4/as4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gw_signer *me;
static int tried;

static void
quiet(void *arg, const char *line)
{
	(void)arg;
	(void)line;
}

static void
load_identity(void)
{
	char cert[600], key[600], err[256];
	const char *top = getenv("TOP");
	tried = 1;
	snprintf(cert, sizeof cert, "%s/certs/out/g3/receiver.crt.pem", top ? top : ".");
	snprintf(key, sizeof key, "%s/certs/out/g3/receiver.key.pem", top ? top : ".");
	if (signer_load(&me, cert, key, err, sizeof err) != GW_OK)
		me = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)as4_verify_file(data, size, 1764000000, NULL, quiet, NULL);
	if (!tried)
		load_identity();
	if (me != NULL) {
		struct as4_recv_params p = { .me = me };
		struct as4_inbound in;
		char why[512];
		if (as4_receive(&p, NULL, data, size, &in, why, sizeof why) == AS4_OK)
			as4_inbound_free(&in);
	}
	return 0;
}
