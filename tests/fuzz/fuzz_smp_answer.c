/* fuzz_smp_answer.c - the signed SMP answer reader on arbitrary bytes: the
 * shape checks, the XMLDSig verification (xmlsec1), the certificates, the
 * endpoint choice; and the NAPTR regexp reader on the same bytes as text.
 * The SMP CA comes from the test PKI when it exists (certs/out/g3 under
 * $TOP or the current directory). Seeds: tests/fuzz/corpus/smp_answer/
 * (our own SMP's answers and hand-made shapes) and, at run time, the real
 * answers of the reference (tests/fuzz/smp_answer.refseeds). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "peppol/as4/as4.h"
#include "peppol/smp/smp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static X509_STORE *store;
static int tried;

static void
load_store(void)
{
	char path[600], why[300];
	const char *top = getenv("TOP");
	tried = 1;
	snprintf(path, sizeof path, "%s/certs/out/g3/smp-chain.pem", top ? top : ".");
	if (as4_trust_load(&store, path, NULL, why, sizeof why) != GW_OK)
		store = NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smp_answer a;
	char why[512], url[600];
	if (!tried)
		load_store();
	/* 2020-01-01: inside the real answers' validity. */
	if (smp_answer_read(data, size, store, 1577836800, &a, why, sizeof why) == GW_OK) {
		smp_choose(&a, NULL, 1577836800, why, sizeof why);
		smp_choose(&a, "cenbii-procid-ubl::urn:fdc:peppol.eu:2017:poacc:billing:01:1.0",
		    1577836800, why, sizeof why);
		smp_answer_free(&a);
	}
	if (size < 1024) {
		char re[1024];
		memcpy(re, data, size);
		re[size] = '\0';
		smp_naptr_apply(re, url, sizeof url, why, sizeof why);
	}
	return 0;
}
