/*
 * as4_receive.h - the Peppol AS4 endpoint: POST /as4 on the embedded
 * server ([peppol_as4] receive = on).
 *
 * Receive -> decrypt and verify (peppol/as4) -> validate the document with
 * the project's own rules (peppol/rules) -> store it durably in the record
 * store and in the inbox folder for the accounting system -> only then
 * answer the signed receipt. Refusals are ebMS error signals and store
 * nothing. The duplicate rule is docs/peppol-as4.md's.
 */
#ifndef GW_SERVICE_AS4_RECEIVE_H
#define GW_SERVICE_AS4_RECEIVE_H

#include <stddef.h>
#include "core/err.h"
#include "queue/queue.h"
#include "service/http_server.h"

/* Test hook: when this environment variable is set, the receiver exits
 * (status 70) right after a new message is durably stored, before it
 * answers: the crash the duplicate rule must survive. */
#define AS4_TEST_EXIT_AFTER_STORE "GATEWAY_TEST_AS4_EXIT_AFTER_STORE"

struct as4_receiver;

struct as4_receive_counts {
	unsigned long received, stored, duplicates, refused, temporary;
	unsigned long commits;          /* record store transactions (group commit: <= stored) */
};

/* Our AP identity, the trust store, the inbox and the serviced receivers
 * from [peppol_as4]; the record store beside q. GW_ECONFIG with err. */
gw_rc as4_receiver_open(struct as4_receiver **out, struct queue *q, char *err, size_t errcap);
void as4_receiver_close(struct as4_receiver *r);

/* Handle one POSTed message: *status (200, or 5xx when the sender should
 * try again later), *answer (malloc'd receipt, error signal or text). */
void as4_receiver_handle(struct as4_receiver *r, const char *content_type,
                         const unsigned char *body, size_t len, int *status,
                         unsigned char **answer, size_t *alen);

/* The http_handler of the route; ctx is the receiver. */
void as4_receive_route(void *ctx, const struct http_request *rq, struct http_response *rs);

const struct as4_receive_counts *as4_receiver_counts(const struct as4_receiver *r);

#endif
