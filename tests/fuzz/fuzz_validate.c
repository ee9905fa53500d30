/*
 * fuzz_validate.c - libFuzzer target for `gateway invoice validate`'s path:
 * safe parse, UBL 2.1 schema check, EN 16931 and Peppol rules.
 *
 * The schemas are compiled once from the reference folder when it is
 * there (GW_REFERENCE_DIR or ../shared/reference); without them the target
 * still fuzzes the parser and every rule. Must never crash, leak or read
 * out of bounds whatever the bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/log.h"
#include "peppol/rules/validate.h"
#include "peppol/rules/xsd_ubl.h"

static bool with_xsd;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (gw_cfg == NULL)
		gw_cfg = config_new();
	log_set_level(LOG_LVL_ERROR);
	with_xsd = xsd_ubl_load(NULL, 0) == GW_OK;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct invoice_report rep = { 0 };
	if (invoice_validate_mem((const char *)data, size, "fuzz.xml", RULES_ALL, with_xsd, &rep) == GW_OK)
		(void)invoice_report_errors(&rep);
	invoice_report_free(&rep);
	return 0;
}
