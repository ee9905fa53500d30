/*
 * file_read.c - a whole local file into memory (file_read.h).
 *
 * One copy of the open/size/read/check steps that the batch sender, the
 * channel and the DMPI keeping (service/) all need, so a short read or a
 * read error is refused the same way everywhere. Never keeps the buffer on failure.
 */
#include "onss/batch/file_read.h"

#include <stdio.h>
#include <stdlib.h>

gw_rc
batch_file_read(const char *path, size_t max, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	long sz;
	*buf = NULL;
	if (f == NULL)
		return GW_EIO;
	if (fseek(f, 0, SEEK_END) != 0 || (sz = ftell(f)) < 0 || (unsigned long)sz > max ||
	    fseek(f, 0, SEEK_SET) != 0 || (*buf = malloc((size_t)sz + 1)) == NULL) {
		fclose(f);
		return GW_EIO;
	}
	*len = fread(*buf, 1, (size_t)sz, f);
	int bad = ferror(f) || *len != (size_t)sz;
	fclose(f);
	if (bad) {
		free(*buf);
		*buf = NULL;
		return GW_EIO;
	}
	(*buf)[*len] = '\0';
	return GW_OK;
}
