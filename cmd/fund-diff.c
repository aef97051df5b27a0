/* fund-diff: what changed between two publications of a table. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "../lib/banned.h"

const char *const cmd_name = "fund-diff";

enum {
	OPT_KEY_CODES = OPT_FIRST_TOOL,
	OPT_IGNORE,
	OPT_SHOW,
	OPT_RENAME,
	OPT_SUMMARY,
	OPT_SAFE
};

static void help(void)
{
	printf(
"Usage: fund-diff [OPTION]... OLD NEW\n"
"Compare two publications of a table (CSV of any dialect and encoding, JSON,\n"
"a workbook's sheet) and write what changed: rows added, removed, changed,\n"
"and the money that moved.  Columns are matched by name, in any order.\n"
"\n"
"  -k, --key COLS        the columns that identify a row (names or 1-based\n"
"                        indexes in OLD); without -k rows are compared whole\n"
"      --key-codes       keys are territory codes: trimmed, in upper case,\n"
"                        without the leading zeros a spreadsheet drops\n"
"  -s, --sum COLS        amount columns, compared exactly (1 234,50 = 1234.5),\n"
"                        with their deltas\n"
"  -g, --group COLS      instead of the rows: per group, the rows added,\n"
"                        removed, changed and the money that moved\n"
"      --show COLS       columns written beside the keys\n"
"      --ignore COLS     columns left out of the comparison\n"
"      --rename OLD=NEW  NEW's column NEW is OLD's column OLD; repeatable\n"
"      --summary         one line: the counts and the amounts\n"
"      --safe            CSV, TSV and table: prefix text that a spreadsheet\n"
"                        would run as a formula (= + - @) with a quote\n"
"%s"
"\n"
"Exit status (as diff's): 0 no difference, 1 differences, 2 trouble: usage,\n"
"a column a file lacks, a problem under --strict; 3 input/output error or\n"
"out of memory.\n"
"\n"
"Examples:\n"
"  fund-diff -k COM -s PMUN population-2019.csv population-2021.csv\n"
"  fund-diff -k idAttribution -s montant --summary hier.csv aujourdhui.csv\n"
"  fund-diff -k idAttribution -s montant -g nomAttribuant hier.csv aujourdhui.csv\n",
	common_help);
}

int cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "sum", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "key-codes", no_argument, NULL, OPT_KEY_CODES },
		{ "ignore", required_argument, NULL, OPT_IGNORE },
		{ "show", required_argument, NULL, OPT_SHOW },
		{ "rename", required_argument, NULL, OPT_RENAME },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "safe", no_argument, NULL, OPT_SAFE },
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct common c = { 0 };
	struct fund_diff_opts o;
	struct fund_diff_counts counts;
	const char **keys = NULL, **sums = NULL, **groups = NULL, **show = NULL, **ignore = NULL, **renames = NULL;
	size_t nkeys = 0, nsums = 0, ngroups = 0, nshow = 0, nignore = 0, nrenames = 0;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_summary sum;
	unsigned shown = 0;
	int opt, rc, s;

	memset(&o, 0, sizeof(o));
	while ((opt = getopt_long(argc, argv, "k:s:g:" COMMON_SHORT, longopts, NULL)) != -1) {
		if (common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 'k': add_columns(&keys, &nkeys, optarg); break;
		case 's': add_columns(&sums, &nsums, optarg); break;
		case 'g': add_columns(&groups, &ngroups, optarg); break;
		case OPT_SHOW: add_columns(&show, &nshow, optarg); break;
		case OPT_IGNORE: add_columns(&ignore, &nignore, optarg); break;
		case OPT_RENAME: {
			const char **n = realloc(renames, (nrenames + 1) * sizeof(*n));
			if (!n)
				out_of_memory();
			renames = n;
			renames[nrenames++] = optarg;
			break;
		}
		case OPT_KEY_CODES: o.key_codes = 1; break;
		case OPT_SUMMARY: o.summary_only = 1; break;
		case OPT_SAFE: o.safe = 1; break;
		default: usage_error("unexpected option");
		}
	}
	if (argc - optind != 2)
		usage_error("give two files, OLD and NEW");
	if (ngroups > 64)
		usage_error("-g: at most 64 columns");
	if (o.summary_only && ngroups)
		usage_error("--summary and -g: one or the other");
	if (o.key_codes && !nkeys)
		usage_error("--key-codes is for the columns of -k");
	if (nshow && !nkeys)
		usage_error("--show is for -k: without keys the rows are written whole");
	/* cells compared as written, blanks around them included */
	c.ropts.keep_blanks = 1;
	o.keys = keys;
	o.nkeys = nkeys;
	o.sums = sums;
	o.nsums = nsums;
	o.groups = groups;
	o.ngroups = ngroups;
	o.show = show;
	o.nshow = nshow;
	o.ignore = ignore;
	o.nignore = nignore;
	o.renames = renames;
	o.nrenames = nrenames;
	o.decimal = c.decimal;
	o.amount_flags = c.french ? FUND_FMT_FRENCH : 0;
	o.strict = c.strict;
	o.format = c.out;
	o.diag = diag_print;
	o.diag_ctx = &shown;
	rc = fund_diff(&o, argv[optind], argv[optind + 1], run_opts(&c, &shown, 0), stdout, &sum, &counts, &err);
	if (rc == FUND_EIO && ferror(stdout))
		rc = EXIT_IO;     /* said by main(), with the reason */
	else if (rc < 0)
		/* 1 is for differences only, as diff's: the trouble of an
		 * unknown column or of --strict's first problem is 2 */
		rc = (rc = report_rc(rc, &err)) == EXIT_DATA ? EXIT_USAGE : rc;
	else if (rc == 1)
		output_complete = 1;   /* differences are what the output tells */
	s = summary_print(0, &sum);
	if (s)
		rc = s;
	fund_columns_free(keys, nkeys);
	fund_columns_free(sums, nsums);
	fund_columns_free(groups, ngroups);
	fund_columns_free(show, nshow);
	fund_columns_free(ignore, nignore);
	free(renames);
	return rc;
}
