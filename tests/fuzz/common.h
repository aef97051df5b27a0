/* What the fuzz harnesses share. */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Write data to a file of this process (one per tag, reused) and return
 * its path: the readers read files. */
static const char *fuzz_dump(const char *tag, const void *data, size_t size)
{
	static char path[4][64];
	static const char *tags[4];
	FILE *f;
	int k;
	for (k = 0; k < 4 && tags[k] && strcmp(tags[k], tag); k++)
		;
	if (k == 4)
		abort();
	if (!tags[k]) {
		tags[k] = tag;
		snprintf(path[k], sizeof(path[k]), "/tmp/fuzz-%s-%d", tag, (int)getpid());
	}
	f = fopen(path[k], "wb");
	if (!f)
		abort();
	if (size)
		fwrite(data, 1, size, f);
	fclose(f);
	return path[k];
}
#endif
