/* fuzz_dimona_result.c - the body of GET /declarations/{id}, which comes
 * from the ONSS (or a faulty network): parse it, and if accepted the status
 * must be one of A, W, B, S and an accepted one must name its period. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onss/dimona/decl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dimona_result r;
	char err[256];

	if (dimona_result_from_json((const char *)data, size, &r, err, sizeof err) != GW_OK)
		return 0;
	if (strchr("AWBS", r.status) == NULL || r.status == '\0')
		abort();
	if ((r.status == 'A' || r.status == 'W') && r.period_id[0] == '\0')
		abort();
	if (r.n_anomalies > DIMONA_MAX_ANOMALIES)
		abort();
	return 0;
}
