/* libFuzzer: the streaming JSON reader on arbitrary bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static char path[64];
	static const char *const paths[] = { NULL, "results", "data.items", "a" };
	struct fund_reader_opts o;
	struct fund_reader *r;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const struct fund_record *rec;
	FILE *f;

	if (size < 1)
		return 0;
	if (!path[0])
		snprintf(path, sizeof(path), "/tmp/fuzz-json-%d", (int)getpid());
	f = fopen(path, "wb");
	if (!f)
		abort();
	fwrite(data + 1, 1, size - 1, f);
	fclose(f);
	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_JSON;
	o.json_path = paths[data[0] & 3];
	if (fund_reader_open(&r, path, &o, &err) < 0)
		return 0;
	while (fund_reader_next(r, &rec, &err) > 0) {
		size_t i;
		if (rec->n != fund_reader_ncols(r))
			abort();
		for (i = 0; i < rec->n; i++)
			if (rec->fields[i][rec->len[i]] != '\0')
				abort();
	}
	fund_reader_close(&r);
	return 0;
}
