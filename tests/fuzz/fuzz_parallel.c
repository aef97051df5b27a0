/* libFuzzer, differential: one pass against parts.  The input (a CSV
 * file) is totalled by its first column in one pass, then split into 2 to
 * 5 parts of at least 1 to 64 bytes (the first byte picks), each read by
 * its own engine (one after the other here: the threads are fund-total's
 * business), checked in order and merged.  When every part is right
 * (fund_reader_part_ok) and merges, the totals, counts and summary are
 * those of the one pass, byte for byte. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

/* the result as text: the table, then the summary counts */
static char *result(struct fund_total *t)
{
	static const struct fund_total_out out = { FUND_OUT_TSV, FUND_SORT_NONE, 0, 0, 0, -1 };
	struct fund_total_summary s;
	struct fund_error err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		abort();
	if (fund_total_write(t, f, &out, &err) < 0)
		fprintf(f, "error %d\n", err.code);
	fund_total_summary(t, &s);
	fprintf(f, "%llu %llu %llu %llu %llu\n", (unsigned long long)s.rows, (unsigned long long)s.empty_rows,
		(unsigned long long)s.ragged_rows, (unsigned long long)s.missing[0], (unsigned long long)s.unreadable[0]);
	fclose(f);
	return buf;
}

static void quiet(void *ctx, enum fund_diag_kind kind, const struct fund_error *e)
{
	(void)ctx;
	(void)kind;
	(void)e;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const char *const group[] = { "1" }, *const sum[] = { "2" };
	struct fund_total_opts to;
	struct fund_reader_opts o;
	struct fund_reader *r = NULL, *parts[FUND_PARTS_MAX];
	struct fund_total *one = NULL, *eng[FUND_PARTS_MAX];
	struct fund_error err;
	const struct fund_record *rec;
	const char *path;
	char *a, *b;
	int np, k, rc, ok = 1, bad = -1;

	if (size < 2)
		return 0;
	memset(&to, 0, sizeof(to));
	to.group_cols = group;
	to.ngroup = 1;
	to.sum_cols = sum;
	to.nsum = 1;
	to.diag = quiet;
	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_CSV;
	path = fuzz_dump("parallel", data + 1, size - 1);

	/* one pass */
	if (fund_reader_open(&r, path, &o, &err) < 0)
		return 0;
	if (fund_total_new(&one, &to) < 0)
		abort();
	rc = fund_reader_ncols(r) >= 2 ? fund_total_bind(one, r, &err) : -1;
	while (rc >= 0 && (rc = fund_reader_next(r, &rec, &err)) > 0)
		rc = fund_total_add(one, rec, &err);
	fund_reader_close(&r);
	if (rc < 0) {
		fund_total_free(&one);
		return 0;   /* an error: not compared here (fund-total's case 125 is) */
	}
	a = result(one);

	/* in parts */
	if (fund_reader_open(&r, path, &o, &err) < 0)
		abort();
	np = fund_reader_split(r, 2 + (size_t)(data[0] & 3), 1 + (data[0] >> 2),
			       size & 1 ? FUND_SPLIT_LINES_LATER : 0, parts, &err);
	if (np < 2) {
		fund_reader_close(&r);
		fund_total_free(&one);
		free(a);
		return 0;
	}
	for (k = 0; k < np; k++) {
		if (fund_total_fork(&eng[k], one, 0, quiet, NULL) < 0)
			abort();
		rc = fund_total_bind(eng[k], parts[k], &err);
		while (rc >= 0 && (rc = fund_reader_next(parts[k], &rec, &err)) > 0)
			rc = fund_total_add(eng[k], rec, &err);
		if (rc < 0 && bad < 0)
			bad = k;
	}
	for (k = 0; k < np && ok; k++) {
		/* one pass had no error: a part that has one started where
		 * no record starts, and the part before it must say so */
		if (k == bad)
			abort();
		ok = fund_reader_part_ok(parts[k], k + 1 < np ? parts[k + 1] : NULL);
	}
	for (k = 1; k < np && ok; k++)
		ok = fund_total_merge(eng[0], eng[k], &err) == 0;
	if (ok) {
		b = result(eng[0]);
		if (strcmp(a, b))
			abort();
		free(b);
	}
	for (k = 0; k < np; k++) {
		fund_total_free(&eng[k]);
		fund_reader_close(&parts[k]);
	}
	fund_reader_close(&r);
	fund_total_free(&one);
	free(a);
	return 0;
}
