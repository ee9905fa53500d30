/* test_intake_decide.c - the intake decision as a pure function
 * (service/intake_decide.h), without a queue: replay, unchanged and
 * conflict against the highest revision known; the follow-up a new
 * revision calls for, and how a period that no longer stands changes it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "queue/queue.h"
#include "records/contract.h"
#include "records/reader.h"
#include "service/intake_decide.h"

/* A contract of revision rev; end date, pay and status vary. */
static void
mkc(struct contract *c, unsigned rev, const char *end, const char *wage, const char *status)
{
	char j[1024];
	struct record_rejection rej;
	snprintf(j, sizeof j, "{\"contract_id\":\"D-1\",\"revision\":\"%u\",\"status\":\"%s\","
	    "\"employer_noss\":\"051234526\",\"employer_kbo\":\"0456789034\",\"worker_inss\":"
	    "\"88092303720\",\"worker_type\":\"OTH\",\"joint_committee\":\"304\",\"worker_code\":"
	    "\"046\",\"start_date\":\"2026-12-03\",\"end_date\":\"%s\",\"days_worked\":\"1\","
	    "\"hours_worked\":\"7.6\",\"gross_wage_cents\":\"%s\"}", rev, status, end, wage);
	assert_int_equal(contract_from_json(j, strlen(j), c, &rej), GW_OK);
}

static void
test_revision_step(void **state)
{
	(void)state;
	struct contract c;
	struct intake_known k;
	char why[160], aa[65], bb[65];
	memset(&k, 0, sizeof k);
	queue_sha256_hex("a", 1, aa);
	queue_sha256_hex("b", 1, bb);
	mkc(&c, 2, "2026-12-03", "33000", "active");
	assert_int_equal(intake_decide_revision(&k, &c, aa, why, sizeof why), IS_NEW);
	k.taken = 1;
	k.revision = 3;
	memcpy(k.hash, aa, sizeof k.hash);
	assert_int_equal(intake_decide_revision(&k, &c, aa, why, sizeof why), IS_REPLAY);
	k.revision = 2;
	assert_int_equal(intake_decide_revision(&k, &c, aa, why, sizeof why), IS_UNCHANGED);
	assert_int_equal(intake_decide_revision(&k, &c, bb, why, sizeof why), IS_CONFLICT);
	assert_non_null(strstr(why, "revision 2 was already taken in with other content"));
	k.revision = 1;
	assert_int_equal(intake_decide_revision(&k, &c, bb, why, sizeof why), IS_NEW);
	assert_string_equal(why, "");
}

static void
test_followup_step(void **state)
{
	(void)state;
	struct contract prev, c;
	struct intake_known k;
	memset(&k, 0, sizeof k);
	mkc(&c, 1, "2026-12-03", "33000", "active");
	assert_int_equal(intake_decide_followup(&k, &c), FU_IN);          /* a first revision */

	mkc(&prev, 1, "2026-12-03", "33000", "active");
	k.taken = 1;
	k.prev = &prev;
	k.standing = 1;
	mkc(&c, 2, "2026-12-03", "41250", "active");
	assert_int_equal(intake_decide_followup(&k, &c), FU_NONE);        /* pay only: the DmfA's */
	mkc(&c, 2, "2026-12-04", "33000", "active");
	assert_int_equal(intake_decide_followup(&k, &c), FU_UPDATE);
	mkc(&c, 2, "2026-12-03", "33000", "cancelled");
	assert_int_equal(intake_decide_followup(&k, &c), FU_CANCEL);

	/* The period no longer stands (its IN refused, failed, cancelled). */
	k.standing = 0;
	mkc(&c, 2, "2026-12-04", "33000", "active");
	assert_int_equal(intake_decide_followup(&k, &c), FU_IN);          /* a fresh IN */
	mkc(&c, 2, "2026-12-03", "33000", "cancelled");
	assert_int_equal(intake_decide_followup(&k, &c), FU_NONE);        /* nothing to cancel */
	mkc(&c, 2, "2026-12-03", "41250", "active");
	assert_int_equal(intake_decide_followup(&k, &c), FU_NONE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_revision_step),
		cmocka_unit_test(test_followup_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
