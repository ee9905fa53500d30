/*
 * queue/backoff.c - how long to wait before the next attempt.
 *
 * Capped exponential back-off with jitter: doubling from a base, clamped at
 * a cap, then a random point in the upper half so that many messages that
 * failed together do not retry together. Owns no state: the caller keeps
 * the random seed. Must never return a negative or zero delay.
 */
#include "queue/queue.h"

/* xorshift64*: small, seedable, good enough to spread retries. */
static uint64_t
backoff_rand(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Delay in ms before the attempt after `attempts` failed ones. */
int64_t
queue_backoff_ms(uint32_t attempts, int64_t base_ms, int64_t cap_ms, uint64_t *rng)
{
	if (base_ms < 1)
		base_ms = 1;
	if (cap_ms < base_ms)
		cap_ms = base_ms;
	int64_t d = base_ms;
	/* Double attempts-1 times, stopping at the cap (no overflow). */
	for (uint32_t i = 1; i < attempts && d < cap_ms; i++)
		d = d > cap_ms / 2 ? cap_ms : d * 2;
	if (d > cap_ms)
		d = cap_ms;
	int64_t half = d / 2;
	int64_t span = d - half;         /* jitter range: [half, d] */
	uint64_t r = rng != NULL ? backoff_rand(rng) : 0;
	int64_t out = half + (int64_t)(r % (uint64_t)(span + 1));
	return out < 1 ? 1 : out;
}
