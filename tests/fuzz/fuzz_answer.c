/* fuzz_answer.c - the ONSS answer parser (ACRF, NOTIFICATION, DmfAPID,
 * IDFLUX) and its JSON rendering, plus the batch file-name grammar, on
 * arbitrary bytes. The XSD step is skipped: the parser must stay safe on
 * input the schema would have refused. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onss/batch/answer.h"
#include "onss/batch/submission.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512], name[128];
	struct onss_answer *a = NULL;

	/* The first line, when short, is also tried as a batch file name. */
	size_t l = 0;
	while (l < size && l < sizeof name - 1 && data[l] != '\n')
		l++;
	memcpy(name, data, l);
	name[l] = '\0';
	struct batch_name n;
	char kind, back[128];
	if (batch_name_parse(name, &n, &kind) == GW_OK && (kind == 'I' || kind == 'S' || kind == 'G'))
		(void)batch_name_format(&n, kind, back, sizeof back);

	if (onss_answer_parse((const char *)data, size, "fuzz", ONSS_ANSWER_NO_XSD, &a, err, sizeof err) == GW_OK) {
		char *json = NULL;
		if (onss_answer_to_json(a, &json) == GW_OK)
			free(json);
		for (size_t i = 0; i < a->n_forms; i++)
			(void)onss_answer_form_severity(&a->forms[i]);
		onss_answer_free(a);
	}
	return 0;
}
