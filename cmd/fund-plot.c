/* fund-plot: series for gnuplot, or the whole gnuplot script. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "../lib/banned.h"

const char *const cmd_name = "fund-plot";

enum {
	OPT_BY = OPT_FIRST_TOOL,
	OPT_BINS,
	OPT_WIDTH,
	OPT_LOG,
	OPT_RANGE,
	OPT_PER_BIN,
	OPT_POINTS,
	OPT_SORT,
	OPT_TOP,
	OPT_SCRIPT,
	OPT_TITLE,
	OPT_SIZE,
	OPT_PIVOT,
	OPT_STACK
};

static void help(void)
{
	printf(
"Usage: fund-plot KIND [OPTION]... [FILE]...\n"
"Series of amounts ready for gnuplot, or a complete gnuplot script.\n"
"\n"
"Kinds:\n"
"  hist     histogram: rows (and amounts, weights) per bin of the values\n"
"  lorenz   Lorenz curve: cumulative share of rows (or of the weight, such as\n"
"           the population) against cumulative share of the total\n"
"  cdf      empirical distribution function of the values\n"
"  series   total per year or month of a date column (--by), one line per group\n"
"  bars     total per group, largest first\n"
"\n"
"  -s, --value COL       the column of amounts (default: 'montant')\n"
"  -g, --group COLS      one block, curve or bar per group\n"
"  -w, --weight COL      weights (hist, lorenz, cdf): a population column\n"
"      --by year:COL     series: per year of date column COL\n"
"      --by month:COL    series: per month (YYYY-MM)\n"
"      --bins N          hist: number of bins (default 20)\n"
"      --width W         hist: bin width (in decades with --log), edges at\n"
"                        multiples of W\n"
"      --log             hist: logarithmic bins (values above 0); cdf: a\n"
"                        logarithmic axis in the script\n"
"      --range LO:HI     hist: only values from LO to HI\n"
"      --per-bin WHAT    hist: what the script draws: count (default),\n"
"                        amount or weight\n"
"      --points N        lorenz, cdf: at most N points per curve, each a\n"
"                        point of the exact curve (default 1000; 0: all)\n"
"      --sort S          bars: total (default), key or none (first seen)\n"
"      --top N           bars: the N first, then one bar for the others\n"
"      --pivot COL       bars: a bar per value of COL in each group, side by\n"
"                        side (one data column per value)\n"
"      --stack           bars with --pivot: stacked\n"
"      --script TERM     print a gnuplot script for png, svg, pdf or dumb\n"
"                        (text), with the data inline: pipe it to gnuplot\n"
"      --title TEXT      the script's title\n"
"      --size W,H        the script's image size: pixels (png, svg),\n"
"                        centimetres (pdf), characters (dumb)\n"
"%s"
"  -o gnuplot            (default) whitespace-separated columns, a '#'\n"
"                        header, blocks per group separated by two blank\n"
"                        lines (gnuplot's index)\n"
"\n"
"Exit status: 0 ok, 1 bad data or nothing to draw, 2 usage, 3 input/output\n"
"error or out of memory.\n"
"\n"
"Examples:\n"
"  fund-plot hist --log -s montant_sub anct-2019.csv\n"
"  fund-percapita -k code_insee --all --in-region 76 -s montant_sub anct-2019.csv |\n"
"    fund-plot lorenz -s per_capita -w population --script png | gnuplot > lorenz.png\n"
"  fund-plot series --by year:dateConvention -g nomAttribuant --script svg subventions.csv\n"
"  fund-plot bars -g id_dep --pivot dotation -s montant_sub --stack --script png anct-2019.csv | gnuplot > dep.png\n",
	common_help);
}

static double parse_real(const char *option, const char *arg)
{
	char *end;
	double v = strtod(arg, &end);
	if (end == arg || *end || !isfinite(v))
		usage_error("%s takes a number, not '%s'", option, arg);
	return v;
}

int cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "value", required_argument, NULL, 's' },
		{ "sum", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "weight", required_argument, NULL, 'w' },
		{ "by", required_argument, NULL, OPT_BY },
		{ "bins", required_argument, NULL, OPT_BINS },
		{ "width", required_argument, NULL, OPT_WIDTH },
		{ "log", no_argument, NULL, OPT_LOG },
		{ "range", required_argument, NULL, OPT_RANGE },
		{ "per-bin", required_argument, NULL, OPT_PER_BIN },
		{ "points", required_argument, NULL, OPT_POINTS },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "script", required_argument, NULL, OPT_SCRIPT },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "pivot", required_argument, NULL, OPT_PIVOT },
		{ "stack", no_argument, NULL, OPT_STACK },
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct common c = { 0 };
	struct fund_plot_opts po;
	struct fund_plot_out oo;
	struct fund_summary s;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const char **groups = NULL;
	const char *kind_name = NULL;
	size_t ngroups = 0;
	unsigned shown = 0;
	int opt, rc, v, kind, gave_points = 0;

	memset(&po, 0, sizeof(po));
	memset(&oo, 0, sizeof(oo));
	po.points = 1000;
	oo.sort = FUND_SORT_TOTAL;
	while ((opt = getopt_long(argc, argv, "s:g:w:" COMMON_SHORT, longopts, NULL)) != -1) {
		if (opt == 'o' && !strcmp(optarg, "gnuplot")) {
			oo.table = 0;
			continue;
		}
		if (opt == 'o')
			oo.table = 1;
		if (common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 's': po.value_col = optarg; break;
		case 'g': add_columns(&groups, &ngroups, optarg); break;
		case 'w': po.weight_col = optarg; break;
		case OPT_BY:
			if (!strncmp(optarg, "year:", 5) && optarg[5])
				po.period = FUND_PERIOD_YEAR;
			else if (!strncmp(optarg, "month:", 6) && optarg[6])
				po.period = FUND_PERIOD_MONTH;
			else
				usage_error("--by takes year:COLUMN or month:COLUMN, not '%s'", optarg);
			po.period_col = strchr(optarg, ':') + 1;
			break;
		case OPT_BINS:
			po.bins = (size_t)parse_count("--bins", optarg, 1000000);
			if (!po.bins)
				usage_error("--bins takes a number from 1 to 1000000");
			break;
		case OPT_WIDTH:
			po.width = parse_real("--width", optarg);
			if (!(po.width > 0))
				usage_error("--width takes a number above 0, not '%s'", optarg);
			break;
		case OPT_LOG: po.log_bins = 1; break;
		case OPT_RANGE: {
			const char *colon = strchr(optarg, ':');
			char lo[100];
			if (!colon || (size_t)(colon - optarg) >= sizeof(lo))
				usage_error("--range takes LO:HI, not '%s'", optarg);
			memcpy(lo, optarg, (size_t)(colon - optarg));
			lo[colon - optarg] = '\0';
			po.lo = parse_real("--range", lo);
			po.hi = parse_real("--range", colon + 1);
			if (!(po.hi > po.lo))
				usage_error("--range: HI must be above LO in '%s'", optarg);
			po.has_range = 1;
			break;
		}
		case OPT_PER_BIN:
			if (!strcmp(optarg, "count"))
				oo.per_bin = FUND_BIN_COUNT;
			else if (!strcmp(optarg, "amount"))
				oo.per_bin = FUND_BIN_AMOUNT;
			else if (!strcmp(optarg, "weight"))
				oo.per_bin = FUND_BIN_WEIGHT;
			else
				usage_error("--per-bin takes count, amount or weight, not '%s'", optarg);
			break;
		case OPT_POINTS:
			po.points = (size_t)parse_count("--points", optarg, 100000000);
			gave_points = 1;
			break;
		case OPT_SORT:
			if (!strcmp(optarg, "total"))
				oo.sort = FUND_SORT_TOTAL;
			else if (!strcmp(optarg, "key"))
				oo.sort = FUND_SORT_KEY;
			else if (!strcmp(optarg, "none"))
				oo.sort = FUND_SORT_NONE;
			else
				usage_error("--sort takes total, key or none, not '%s'", optarg);
			break;
		case OPT_TOP:
			oo.top = (size_t)parse_count("--top", optarg, 100000000);
			break;
		case OPT_SCRIPT:
			if ((v = fund_plot_term_from_name(optarg)) < 0)
				usage_error("--script takes png, svg, pdf or dumb, not '%s'", optarg);
			oo.term = (enum fund_plot_term)v;
			break;
		case OPT_TITLE: oo.title = optarg; break;
		case OPT_PIVOT: po.pivot = optarg; break;
		case OPT_STACK: oo.stack = 1; break;
		case OPT_SIZE: {
			char *end;
			long w = strtol(optarg, &end, 10), h;
			if (end == optarg || *end != ',')
				usage_error("--size takes W,H, not '%s'", optarg);
			h = strtol(end + 1, &end, 10);
			if (*end || w < 1 || h < 1 || w > 20000 || h > 20000)
				usage_error("--size takes W,H (1 to 20000), not '%s'", optarg);
			oo.width = (int)w;
			oo.height = (int)h;
			break;
		}
		default: usage_error("unexpected option");
		}
	}
	if (optind >= argc)
		usage_error("which kind of plot? hist, lorenz, cdf, series or bars");
	kind_name = argv[optind++];
	if ((kind = fund_plot_kind_from_name(kind_name)) < 0)
		usage_error("unknown kind '%s' (hist, lorenz, cdf, series or bars)", kind_name);
	po.kind = (enum fund_plot_kind)kind;
	if (po.kind == FUND_PLOT_SERIES && po.period == FUND_PERIOD_NONE)
		usage_error("series needs a date column: --by year:COL or --by month:COL");
	if (po.kind != FUND_PLOT_SERIES && po.period != FUND_PERIOD_NONE)
		usage_error("--by goes with series only (fund-total --by gives totals per period)");
	if (po.kind == FUND_PLOT_BARS && ngroups == 0)
		usage_error("bars needs groups: -g COLS");
	if (po.weight_col && (po.kind == FUND_PLOT_SERIES || po.kind == FUND_PLOT_BARS))
		usage_error("-w goes with hist, lorenz and cdf");
	if (po.kind != FUND_PLOT_HIST && (po.bins || po.width > 0 || po.has_range))
		usage_error("--bins, --width and --range go with hist");
	if (po.log_bins && po.kind != FUND_PLOT_HIST && po.kind != FUND_PLOT_CDF)
		usage_error("--log goes with hist and cdf");
	if (gave_points && po.kind != FUND_PLOT_LORENZ && po.kind != FUND_PLOT_CDF)
		usage_error("--points goes with lorenz and cdf");
	if (po.kind != FUND_PLOT_BARS && (oo.top || oo.sort != FUND_SORT_TOTAL))
		usage_error("--sort and --top go with bars");
	if (po.kind != FUND_PLOT_BARS && po.pivot)
		usage_error("--pivot goes with bars");
	if (oo.stack && !po.pivot)
		usage_error("--stack stacks the bars of --pivot COL");
	for (v = 0; po.pivot && v < (int)ngroups; v++)
		if (!strcmp(groups[v], po.pivot) || fund_names_match(groups[v], po.pivot))
			usage_error("--pivot %s: the column is also a group key (-g)", po.pivot);
	if (po.kind == FUND_PLOT_HIST && oo.per_bin == FUND_BIN_WEIGHT && !po.weight_col)
		usage_error("--per-bin weight needs a weight column (-w)");
	if (po.log_bins && po.has_range && po.lo <= 0)
		usage_error("--log: the range must be above 0");
	if (oo.table && oo.term)
		usage_error("--script writes gnuplot data inside the script: -o does not go with it");
	po.group_cols = groups;
	po.ngroup = ngroups;
	po.decimal = c.decimal;
	po.strict = c.strict;
	po.diag = diag_print;
	po.diag_ctx = &shown;
	oo.format = c.out;
	rc = fund_plot_files(&po, &oo, (const char *const *)argv + optind, (size_t)(argc - optind),
			     run_opts(&c, &shown, 0), stdout, &s, &err);
	rc = files_done(rc, &err, &s);
	fund_columns_free(groups, ngroups);
	return rc;
}
