/* fuzz_invoice_jsonl.c - libFuzzer target for one invoice record line:
 * parse and validate it (records/invoice_jsonl.c, invoice_validate.c) and,
 * when it is accepted, build its UBL document (peppol/ubl/), so that the
 * calculation and the writer see every record the parser lets through. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "peppol/ubl/builder.h"
#include "records/invoice_reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct invoice inv;
	struct record_rejection rej;
	if (invoice_parse_json((const char *)data, size, &inv, &rej) != GW_OK)
		return 0;
	char *xml = NULL, err[160];
	size_t len = 0;
	struct ubl_build_info info;
	if (ubl_build(&inv, NULL, &xml, &len, &info, err, sizeof err) == GW_OK)
		free(xml);
	invoice_clear(&inv);
	return 0;
}
