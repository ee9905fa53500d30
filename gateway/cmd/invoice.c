/* invoice.c - `gateway invoice export|validate`: dispatch to the Peppol modules. */
#include "cmd/cmd.h"
#include "core/err.h"

#include <stdio.h>
#include <string.h>

int
cmd_invoice(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return invoice_export_main(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "validate") == 0)
		return invoice_validate_main(argc - 1, argv + 1);
	FILE *out = (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
	    ? stdout : stderr;
	fprintf(out, "usage: gateway invoice export --invoices FILE --out DIR\n"
	    "       gateway invoice validate [--rules all|cen|peppol] FILE...\n\n"
	    "export builds Peppol BIS 3.0 UBL documents from invoice records; validate\n"
	    "checks UBL documents against the schema and the EN 16931 and Peppol rules.\n"
	    "'gateway invoice export --help' and 'gateway invoice validate --help' say more.\n\n"
	    "examples:\n  gateway invoice export --invoices invoices.jsonl --out out/ubl\n"
	    "  gateway invoice validate --explain supplier-invoice.xml\n");
	return out == stdout ? GW_EXIT_OK : GW_EXIT_USAGE;
}
