/* libFuzzer, differential: the driver in one pass against the driver in
 * parts.  The input (a CSV file) is totalled by its first column through
 * fund_run, once on one thread, then on 2 to 5 threads in parts of at
 * least 1 to 64 bytes (the first byte picks), parts that count the lines
 * before them or not (the size's parity).  Whatever the parts do (line
 * up and merge, or not and be read again), the result must be that of
 * the one pass byte for byte: the totals, the summary counts, every row
 * problem said in the same order with the same line, and the same
 * error, if any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

#ifndef KEEP
#define KEEP 3
#endif

struct said {
	FILE *f;
	unsigned n;
};

/* the first KEEP problems in full, as fund-total shows its first ten
 * (parts keep as many each), the others counted */
static void diag(void *ctx, enum fund_diag_kind kind, const struct fund_error *e)
{
	struct said *s = ctx;
	if (s->n++ < KEEP) {
		if (!e)
			abort();
		fprintf(s->f, "diag %d %s\n", (int)kind, fund_error_msg(e));
	}
}

/* the whole result as text: messages, then the table and the summary */
static char *run(const char *path, int threads, uint64_t part_min, int flags)
{
	static const char *const group[] = { "1" }, *const sum[] = { "2" };
	static const struct fund_total_out out = { .format = FUND_OUT_TSV, .sort = FUND_SORT_NONE, .decimals = -1 };
	struct fund_total_opts to;
	struct fund_reader_opts ro;
	struct fund_run_opts o;
	struct fund_total *t = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_summary s;
	struct said said;
	char *buf = NULL, *text = NULL;
	size_t len = 0;
	int rc;

	said.n = 0;
	said.f = open_memstream(&buf, &len);
	if (!said.f)
		abort();
	memset(&to, 0, sizeof(to));
	to.group_cols = group;
	to.ngroup = 1;
	to.sum_cols = sum;
	to.nsum = 1;
	to.diag = diag;
	to.diag_ctx = &said;
	memset(&ro, 0, sizeof(ro));
	ro.format = FUND_IN_CSV;
	memset(&o, 0, sizeof(o));
	o.reader = &ro;
	o.threads = threads;
	o.part_min = part_min;
	o.flags = flags;
	o.diag = diag;
	o.diag_ctx = &said;
	o.diag_keep = KEEP;
	if (fund_total_new(&t, &to) < 0)
		abort();
	rc = fund_run(&fund_total_engine, t, &path, 1, &o, &err);
	fprintf(said.f, "run %d %s; %u problems\n", rc, rc < 0 ? fund_error_msg(&err) : "", said.n);
	if (rc >= 0) {
		if (fund_total_write(t, said.f, &out, &err) < 0)
			fprintf(said.f, "write error %d\n", err.code);
		if (fund_total_describe(t, &s) < 0 || fund_summary_text(&s, &text) < 0)
			abort();
		fprintf(said.f, "%s", text ? text : "");
		free(text);
		fund_summary_release(&s);
	}
	fund_error_clear(&err);
	fund_total_free(&t);
	fclose(said.f);
	return buf;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *path;
	char *a, *b;

	if (size < 2)
		return 0;
	path = fuzz_dump("parallel", data + 1, size - 1);
	a = run(path, 1, 0, 0);
	b = run(path, 2 + (data[0] & 3), 1 + (data[0] >> 2), size & 1 ? FUND_RUN_COUNT_LINES : 0);
	if (strcmp(a, b)) {
		fprintf(stderr, "one pass:\n%s\nin parts:\n%s\n", a, b);
		abort();
	}
	free(a);
	free(b);
	return 0;
}
