/* A program using the installed libfund: totals by one column, the file
 * read in parts on four threads by the library's driver.
 *   total FILE GROUPCOL SUMCOL */
#include <stdio.h>
#include <string.h>
#include <fund/fund.h>

/* the driver says how it read the file when FUNDKIT_PARALLEL_DEBUG is set */
static void said(void *ctx, const char *line)
{
	int *merged = ctx;
	if (strstr(line, " parts: merged"))
		*merged = 1;
}

int main(int argc, char **argv)
{
	const char *groups[1], *sums[1];
	struct fund_total_opts o = { groups, 1, sums, 1, FUND_PERIOD_NONE, NULL, 0, 0, NULL, NULL };
	struct fund_total_out out = { FUND_OUT_TSV, FUND_SORT_KEY, 0, 0, 0, -1, 0 };
	struct fund_run_opts ro;
	struct fund_total *t;
	struct fund_error err = FUND_ERROR_INIT;
	const char *file;
	int rc, merged = 0;

	if (argc != 4)
		return 2;
	file = argv[1];
	groups[0] = argv[2];
	sums[0] = argv[3];
	if (fund_total_new(&t, &o) < 0)
		return 3;
	memset(&ro, 0, sizeof(ro));
	ro.threads = 4;
	ro.part_min = 4096;
	ro.debug = said;
	ro.debug_ctx = &merged;
	rc = fund_run(&fund_total_engine, t, &file, 1, &ro, &err);
	if (rc < 0 || fund_total_write(t, stdout, &out, &err) < 0) {
		fprintf(stderr, "%s\n", fund_error_msg(&err));
		fund_error_clear(&err);
		fund_total_free(&t);
		return 1;
	}
	fund_total_free(&t);
	fprintf(stderr, "libfund %s: %s\n", fund_version(), merged ? "read in parts, merged" : "read in one pass");
	return 0;
}
