/* libFuzzer: Table Schema parsing and validation.  The input is a schema
 * (JSON) and, after the first NUL byte, a CSV table checked against it;
 * without a NUL byte, the SCDL 2.1.1 schema checks the input as CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static struct fund_schema *scdl;

static int sink(void *ctx, const struct fund_finding *f)
{
	/* every finding is whole */
	if (!f->file || !f->rule || !f->message || (f->severity != FUND_SEV_ERROR && f->severity != FUND_SEV_WARNING))
		abort();
	(void)ctx;
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *nul = memchr(data, 0, size);
	struct fund_schema *s = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_check *c = NULL;
	struct fund_check_opts o;
	struct fund_reader *r = NULL;
	struct fund_reader_opts ro;
	const struct fund_record *rec;
	const unsigned char *csv = data;
	size_t csvlen = size;

	if (!scdl && fund_schema_read(&scdl, "data/schemas/scdl-subventions-2.1.1.json", &err) < 0)
		abort();   /* run from the top of the source tree */
	if (nul) {
		if (fund_schema_parse(&s, (const char *)data, (size_t)(nul - data), "fuzz", &err) < 0)
			return 0;
		csv = nul + 1;
		csvlen = size - (size_t)(nul - data) - 1;
	}
	memset(&o, 0, sizeof(o));
	o.schema = s ? s : scdl;
	o.report = sink;
	memset(&ro, 0, sizeof(ro));
	ro.format = FUND_IN_CSV;
	if (fund_check_new(&c, &o) == 0 && fund_reader_open(&r, fuzz_dump("check", csv, csvlen), &ro, &err) == 0 &&
	    fund_check_bind(c, r, &err) == 0)
		while (fund_reader_next(r, &rec, &err) > 0 && fund_check_add(c, rec, &err) == 0)
			;
	fund_reader_close(&r);
	fund_check_free(&c);
	fund_schema_free(&s);
	return 0;
}
