/* fuzz_as4_receipt.c - the AS4 signal reader (receipt or error) on arbitrary
 * bytes, and the receipt check against a sent message whose references are
 * those of the seed receipt; the receiver's certificate comes from the test
 * PKI when it exists (certs/out/g3 under $TOP or the current directory). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/pem.h>

#include "peppol/as4/as4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509 *cert;
static int tried;

static void
load_cert(void)
{
	char path[600];
	const char *top = getenv("TOP");
	tried = 1;
	snprintf(path, sizeof path, "%s/certs/out/g3/receiver.crt.pem", top ? top : ".");
	FILE *f = fopen(path, "r");
	if (f != NULL) {
		cert = PEM_read_X509(f, NULL, NULL, NULL);
		fclose(f);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct as4_signal s;
	char why[512];
	if (!tried)
		load_cert();
	if (as4_parse_signal(data, size, &s, why, sizeof why) != GW_OK || cert == NULL)
		return 0;
	/* The message the receipt claims to acknowledge, as the sender kept it. */
	struct as4_message m;
	memset(&m, 0, sizeof m);
	snprintf(m.message_id, sizeof m.message_id, "%s", s.ref_to);
	m.refs = s.nri;
	(void)as4_verify_receipt(data, size, &m, cert, why, sizeof why);
	return 0;
}
