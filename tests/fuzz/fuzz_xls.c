/* libFuzzer: .xls workbooks (OLE2 compound files, BIFF8) through
 * libfreexl and fundkit's reader, on arbitrary bytes behind the OLE2
 * signature.  Every record must be NUL-terminated. */
#include "fund/fund.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const unsigned char magic[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
	struct fund_reader *r;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const struct fund_record *rec;
	unsigned char *buf;
	const char *path;

	if (size >= 8 && !memcmp(data, magic, 8)) {
		path = fuzz_dump("xls", data, size);
	} else {
		if (!(buf = malloc(size + 8)))
			return 0;
		memcpy(buf, magic, 8);
		if (size)
			memcpy(buf + 8, data, size);
		path = fuzz_dump("xls", buf, size + 8);
		free(buf);
	}
	if (fund_reader_open(&r, path, NULL, &err) < 0)
		return 0;
	while (fund_reader_next(r, &rec, &err) > 0) {
		size_t i;
		for (i = 0; i < rec->n; i++)
			if (rec->fields[i][rec->len[i]] != '\0')
				abort();
	}
	fund_reader_close(&r);
	return 0;
}
