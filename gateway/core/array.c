/* array.c - the growable array (array.h). */
#include "core/array.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

gw_rc
array_reserve(void *pv, size_t n, size_t *cap, size_t elem, size_t initial)
{
	void *v, *nv;
	size_t ncap;

	if (n < *cap)
		return GW_OK;
	if (elem == 0)
		return GW_EINTERNAL;
	if (*cap == 0)
		ncap = initial ? initial : 1;
	else if (*cap > SIZE_MAX / 2)
		return GW_ENOMEM;
	else
		ncap = *cap * 2;
	if (ncap <= n) {                 /* n past the end: grow to hold it */
		if (n == SIZE_MAX)
			return GW_ENOMEM;
		ncap = n + 1;
	}
	if (ncap > SIZE_MAX / elem)
		return GW_ENOMEM;
	/* The pointer is read and written through memcpy: pv is a T **
	 * whatever T is, which a void ** may not alias. */
	memcpy(&v, pv, sizeof v);
	if ((nv = realloc(v, ncap * elem)) == NULL)
		return GW_ENOMEM;
	memcpy(pv, &nv, sizeof nv);
	*cap = ncap;
	return GW_OK;
}
