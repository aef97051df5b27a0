/* libFuzzer: the CSV reader (sniffing, encodings, quoting, line numbers)
 * on arbitrary bytes.  The first byte picks the options. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const int delims[] = { 0, ',', ';', '\t' };
	struct fund_reader_opts o;
	struct fund_reader *r;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const struct fund_record *rec;
	unsigned long last = 0;
	int rc;

	if (size < 1)
		return 0;
	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_CSV;
	o.delim = delims[data[0] & 3];
	o.encoding = (enum fund_encoding)((data[0] >> 2) & 3);
	if (fund_reader_open(&r, fuzz_dump("csv", data + 1, size - 1), &o, &err) < 0)
		return 0;
	while ((rc = fund_reader_next(r, &rec, &err)) > 0) {
		size_t i;
		/* records come in order, fields are NUL-terminated */
		if (rec->line < last)
			abort();
		last = rec->line;
		for (i = 0; i < rec->n; i++)
			if (rec->fields[i][rec->len[i]] != '\0')
				abort();
		if (fund_reader_column(r, "montant", &err) >= 0 && rec->n > 0) {
			struct fund_amount a;
			fund_amount_parse(rec->fields[0], rec->len[0], NULL, &a);
		}
	}
	fund_reader_close(&r);
	return 0;
}
