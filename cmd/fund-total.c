/* fund-total: exact totals of amount columns, by group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "../lib/banned.h"

const char *const cmd_name = "fund-total";

enum {
	OPT_BY = OPT_FIRST_TOOL,
	OPT_ROLLUP,
	OPT_SORT,
	OPT_DECIMALS,
	OPT_SAFE,
	OPT_SHARE,
	OPT_RATIO,
	OPT_PRECISION,
	OPT_KEEP_DONT,
	OPT_KEEP_TOTALS,
	OPT_CUMULATIVE,
	OPT_PIVOT,
	OPT_FILL,
	OPT_NO_COUNT,
	OPT_SPREAD,
	OPT_SPREAD_BY
};

static void help(void)
{
	printf(
"Usage: fund-total [OPTION]... [FILE]...\n"
"Total amount columns exactly, to the cent, overall or by group.\n"
"FILEs are CSV or JSON, plain or gzip, or workbooks (.xlsx, .ods, .xls);\n"
"with no FILE, or when FILE is -,\n"
"read standard input.\n"
"\n"
"  -g, --group COLS      group by these columns (names or 1-based indexes,\n"
"                        comma-separated; repeatable)\n"
"  -s, --sum COLS        the amount columns to total (default: 'montant')\n"
"      --by year:COL     also group by the year of date column COL\n"
"      --by month:COL    ... or by its month (YYYY-MM)\n"
"      --by year|month   with --spread: the unit of the periods\n"
"      --rollup          a subtotal after each first-key group, and a grand\n"
"                        total, keyed '(total)'\n"
"      --sort key|total  sort groups by key (ascending) or by the first total\n"
"                        (descending); default: first-seen order\n"
"  -r, --reverse         reverse the sort\n"
"      --share[=K]       each group's share of the grand total (of the groups\n"
"                        sharing its first K keys), to 6 decimals, rounded so\n"
"                        that the shares of one parent add up to 1\n"
"      --ratio NAME=A/B  a column NAME: the group's total of A over its total\n"
"                        of B (amount columns of -s), half away from zero to\n"
"                        4 decimals; repeatable\n"
"      --precision N     decimals of ratios and shares\n"
"      --cumulative      with --by: running totals per group over every period\n"
"                        from the first to the last (empty ones carried)\n"
"      --pivot COL       one column per value of COL (at most 1000), for the\n"
"                        count and each amount column ('year' or 'month' with\n"
"                        --by: the periods); --rollup adds total columns\n"
"      --fill TEXT       with --pivot: write TEXT (such as 0) in empty cells\n"
"      --spread PERIOD   spread each row's amounts over the years (--by month:\n"
"                        the months) of its period: PERIOD is a column such as\n"
"                        datesPeriodeVersement (2017-01-01/2017-12-31, 2015-2020)\n"
"                        or START:END, two date columns\n"
"      --spread-by day|year|month  pro rata of the days (default), or equal\n"
"                        parts per year (month)\n"
"      --no-count        leave out the count column(s)\n"
"      --keep-dont       total the rows whose group label reads \"dont ...\"\n"
"                        (parts of the row above them: left out by default)\n"
"      --keep-totals     total the rows labelled \"TOTAL\", \"Sous-total ...\"\n"
"                        (left out by default)\n"
"      --decimals N      round totals to N decimals for display, half away\n"
"                        from zero (default: exact, with the decimals of the\n"
"                        most precise value of the column)\n"
"      --safe            CSV, TSV and table: prefix group keys that a\n"
"                        spreadsheet would run as a formula (= + - @) with a\n"
"                        quote\n"
"%s"
"\n"
"Output: the group columns, 'count' (rows in the group), then one column per\n"
"total, named as in the input, then the shares and the ratios.  A total is empty when its group had no\n"
"amount.  Missing (empty) and unreadable amounts are counted in a summary on\n"
"standard error.\n"
"\n"
"Exit status: 0 ok, 1 bad data, 2 usage, 3 input/output error or out of\n"
"memory.\n"
"\n"
"Examples:\n"
"  fund-total -g financeur -s montant_meur data/cper-occitanie-2015-2020.csv\n"
"  fund-total -g dotation,id_dep -s montant_sub --sort key anct-2019.csv\n"
"  fund-total --by year:dateConvention -o table subventions.csv\n"
"  fund-total -g id_dep -s montant_sub,cout_total --ratio taux=montant_sub/cout_total --share anct-2019.csv\n"
"  fund-total -g dispositif part1.tsv part2.tsv | fund-total -g dispositif -s count,montant\n",
	common_help);
}

/* NAME=A/B */
static void parse_ratio(struct fund_total_ratio *r, const char *arg)
{
	const char *eq = strchr(arg, '='), *sl = eq ? strrchr(eq + 1, '/') : NULL;
	if (!eq || eq == arg || !sl || sl == eq + 1 || !sl[1])
		usage_error("--ratio takes NAME=A/B (A and B amount columns), not '%s'", arg);
	r->name = strndup(arg, (size_t)(eq - arg));
	r->num = strndup(eq + 1, (size_t)(sl - eq - 1));
	r->den = strdup(sl + 1);
	if (!r->name || !r->num || !r->den)
		out_of_memory();
}

int cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "group", required_argument, NULL, 'g' },
		{ "sum", required_argument, NULL, 's' },
		{ "by", required_argument, NULL, OPT_BY },
		{ "rollup", no_argument, NULL, OPT_ROLLUP },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "reverse", no_argument, NULL, 'r' },
		{ "decimals", required_argument, NULL, OPT_DECIMALS },
		{ "safe", no_argument, NULL, OPT_SAFE },
		{ "share", optional_argument, NULL, OPT_SHARE },
		{ "ratio", required_argument, NULL, OPT_RATIO },
		{ "precision", required_argument, NULL, OPT_PRECISION },
		{ "keep-dont", no_argument, NULL, OPT_KEEP_DONT },
		{ "keep-totals", no_argument, NULL, OPT_KEEP_TOTALS },
		{ "cumulative", no_argument, NULL, OPT_CUMULATIVE },
		{ "pivot", required_argument, NULL, OPT_PIVOT },
		{ "fill", required_argument, NULL, OPT_FILL },
		{ "no-count", no_argument, NULL, OPT_NO_COUNT },
		{ "spread", required_argument, NULL, OPT_SPREAD },
		{ "spread-by", required_argument, NULL, OPT_SPREAD_BY },
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct common c = { 0 };
	struct fund_total_opts to = { 0 };
	struct fund_total_out oo = { 0 };
	struct fund_total_ratio *ratios = NULL;
	size_t nratios = 0, r;
	const char **groups = NULL, **sums = NULL;
	size_t ngroups = 0, nsums = 0;
	struct fund_summary s;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	unsigned shown = 0;
	int opt, rc, spread_by = 0;

	oo.decimals = -1;
	while ((opt = getopt_long(argc, argv, "g:s:r" COMMON_SHORT, longopts, NULL)) != -1) {
		if (common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 'g':
			add_columns(&groups, &ngroups, optarg);
			break;
		case 's':
			add_columns(&sums, &nsums, optarg);
			break;
		case OPT_BY:
			if (!strncmp(optarg, "year:", 5) && optarg[5])
				to.period = FUND_PERIOD_YEAR;
			else if (!strncmp(optarg, "month:", 6) && optarg[6])
				to.period = FUND_PERIOD_MONTH;
			else if (!strcmp(optarg, "year") || !strcmp(optarg, "month"))
				to.period = optarg[0] == 'y' ? FUND_PERIOD_YEAR : FUND_PERIOD_MONTH;
			else
				usage_error("--by takes year:COLUMN or month:COLUMN, not '%s'", optarg);
			to.period_col = strchr(optarg, ':') ? strchr(optarg, ':') + 1 : NULL;
			break;
		case OPT_SPREAD:
			to.spread = optarg;
			break;
		case OPT_SPREAD_BY:
			if (!strcmp(optarg, "day"))
				spread_by = 'd';
			else if (!strcmp(optarg, "year") || !strcmp(optarg, "month"))
				spread_by = optarg[0];
			else
				usage_error("--spread-by takes day, year or month, not '%s'", optarg);
			break;
		case OPT_ROLLUP:
			oo.rollup = 1;
			break;
		case OPT_SORT:
			if (!strcmp(optarg, "key"))
				oo.sort = FUND_SORT_KEY;
			else if (!strcmp(optarg, "total"))
				oo.sort = FUND_SORT_TOTAL;
			else
				usage_error("--sort takes key or total, not '%s'", optarg);
			break;
		case 'r':
			oo.reverse = 1;
			break;
		case OPT_SAFE:
			oo.safe = 1;
			break;
		case OPT_DECIMALS:
			oo.decimals = parse_count("--decimals", optarg, FUND_AMOUNT_MAX_SCALE);
			break;
		case OPT_SHARE:
			oo.share = 1;
			oo.share_within = optarg ? (size_t)parse_count("--share", optarg, 64) : 0;
			break;
		case OPT_RATIO: {
			struct fund_total_ratio *n = realloc(ratios, (nratios + 1) * sizeof(*n));
			if (!n)
				out_of_memory();
			ratios = n;
			parse_ratio(&ratios[nratios++], optarg);
			break;
		}
		case OPT_KEEP_DONT: to.keep_dont = 1; break;
		case OPT_KEEP_TOTALS: to.keep_totals = 1; break;
		case OPT_CUMULATIVE: oo.cumulative = 1; break;
		case OPT_PIVOT: to.pivot = optarg; break;
		case OPT_FILL: oo.fill = optarg; break;
		case OPT_NO_COUNT: oo.no_count = 1; break;
		case OPT_PRECISION:
			/* 0 asks for the defaults in the library: at least 1 */
			oo.ratio_precision = oo.share_precision = parse_count("--precision", optarg, 18);
			if (!oo.ratio_precision)
				usage_error("--precision takes 1 to 18 decimals");
			break;
		default:
			usage_error("unexpected option");
		}
	}
	/* a ratio's columns are amount columns of -s: said before reading,
	 * unless -s names columns by index */
	for (r = 0; r < nratios; r++) {
		const char *ab[2] = { ratios[r].num, ratios[r].den };
		size_t j, q;
		int byindex = 0;
		for (j = 0; j < nsums; j++)
			byindex |= strspn(sums[j], "0123456789") == strlen(sums[j]);
		for (q = 0; q < 2 && !byindex; q++) {
			int found = !nsums && !strcmp(ab[q], "montant");
			for (j = 0; j < nsums && !found; j++)
				found = !strcmp(sums[j], ab[q]) || fund_names_match(sums[j], ab[q]);
			if (!found)
				usage_error("--ratio %s: '%s' is not one of the amount columns (name it with -s)",
					    ratios[r].name, ab[q]);
		}
	}
	if (oo.cumulative && (to.period == FUND_PERIOD_NONE || oo.rollup || oo.share || nratios))
		usage_error("--cumulative needs --by year:COL or month:COL, and goes without --rollup, --share and --ratio");
	if (to.spread) {
		if (to.period == FUND_PERIOD_NONE)
			to.period = spread_by == 'm' ? FUND_PERIOD_MONTH : FUND_PERIOD_YEAR;
		if (to.period_col)
			usage_error("--spread takes the periods from its own columns: --by year or --by month, without a column");
		if ((spread_by == 'y' && to.period != FUND_PERIOD_YEAR) || (spread_by == 'm' && to.period != FUND_PERIOD_MONTH))
			usage_error("--spread-by %s spreads in equal parts per %s: with --by %s", spread_by == 'y' ? "year" : "month",
				    spread_by == 'y' ? "year" : "month", spread_by == 'y' ? "year" : "month");
		to.spread_equal = spread_by == 'y' || spread_by == 'm';
	} else if (spread_by) {
		usage_error("--spread-by goes with --spread");
	} else if (to.period != FUND_PERIOD_NONE && !to.period_col) {
		usage_error("--by year and --by month without a column go with --spread; else name the date column: --by year:COL");
	}
	if (to.pivot && (oo.cumulative || oo.share))
		usage_error("--pivot goes without --share and --cumulative");
	if (oo.fill && !to.pivot)
		usage_error("--fill fills the empty cells of a pivoted table (--pivot COL)");
	for (r = 0; to.pivot && r < ngroups; r++)
		if (!strcmp(groups[r], to.pivot) || fund_names_match(groups[r], to.pivot))
			usage_error("--pivot %s: the column is also a group key (-g)", to.pivot);
	oo.ratios = ratios;
	oo.nratios = nratios;
	to.group_cols = groups;
	to.ngroup = ngroups;
	to.sum_cols = sums;
	to.nsum = nsums;
	to.decimal = c.decimal;
	to.strict = c.strict;
	to.diag = diag_print;
	to.diag_ctx = &shown;
	oo.format = c.out;
	oo.amount_flags = c.french ? FUND_FMT_FRENCH : 0;
	rc = fund_total_files(&to, &oo, (const char *const *)argv + optind, (size_t)(argc - optind),
			      run_opts(&c, &shown, 0), stdout, &s, &err);
	rc = files_done(rc, &err, &s);
	fund_columns_free(groups, ngroups);
	fund_columns_free(sums, nsums);
	for (r = 0; r < nratios; r++) {
		free((void *)ratios[r].name);
		free((void *)ratios[r].num);
		free((void *)ratios[r].den);
	}
	free(ratios);
	return rc;
}
