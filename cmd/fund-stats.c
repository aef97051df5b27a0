/* fund-stats: descriptive statistics and inequality measures by group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "../lib/banned.h"

const char *const cmd_name = "fund-stats";

enum {
	OPT_QUANTILE = OPT_FIRST_TOOL
};

static void help(void)
{
	printf(
"Usage: fund-stats -s COL [OPTION]... [FILE]...\n"
"Statistics of a column of amounts, overall or by group: counts, exact sum,\n"
"moments, quantiles, and measures of inequality and concentration.\n"
"\n"
"  -s, --value COL       the column of values (default: 'montant')\n"
"  -g, --group COLS      by these columns (names or 1-based indexes)\n"
"  -w, --weight COL      weight each value (a population: the weighted mean\n"
"                        of per-capita amounts is the per-capita amount of\n"
"                        the whole)\n"
"  -a, --measures LIST   which, in order (default:\n"
"                        %s):\n"
"                        count missing sum min max mean median pN (N in 0-100)\n"
"                        q1 q3 iqr var_samp var_pop sd_samp sd_pop cv mad\n"
"                        skewness kurtosis gini theil_t theil_l atkinson[:E]\n"
"                        hoover palma topN bottomN hhi\n"
"                        aliases, named in the output as the measure: n=count\n"
"                        total=sum avg,average=mean minimum=min maximum=max\n"
"                        sd,std,stddev,stdev,sstdev=sd_samp pstdev=sd_pop\n"
"                        var,variance,svar=var_samp pvar=var_pop\n"
"                        q2=median skew=skewness kurt=kurtosis (p50 is the\n"
"                        median too, named p50 among the percentiles)\n"
"  -p, --percentiles L   add percentiles, as 10,25,50,75,90\n"
"      --quantile M      type7 (default; R's and GSL's) or nearest (nearest\n"
"                        rank)\n"
"%s"
"\n"
"Exit status: 0 ok, 1 bad data, 2 usage, 3 input/output error or out of\n"
"memory.\n"
"\n"
"Examples:\n"
"  fund-stats -s montant_sub -g dotation anct-2019.csv\n"
"  fund-percapita -k code_insee --all --in-region 76 grants.csv |\n"
"    fund-stats -s per_capita -w population -a mean,median,gini,palma,top10\n",
	fund_measures_default, common_help);
}

int cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "value", required_argument, NULL, 's' },
		{ "sum", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "weight", required_argument, NULL, 'w' },
		{ "measures", required_argument, NULL, 'a' },
		{ "percentiles", required_argument, NULL, 'p' },
		{ "quantile", required_argument, NULL, OPT_QUANTILE },
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct common c = { 0 };
	struct fund_stats_opts so;
	struct fund_summary sum;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const char **groups = NULL;
	size_t ngroups = 0;
	char *list = NULL;
	const char *measures = NULL, *pcts = NULL;
	struct fund_measure *m = NULL;
	size_t nm = 0;
	unsigned shown = 0;
	int opt, rc;

	memset(&so, 0, sizeof(so));
	while ((opt = getopt_long(argc, argv, "s:g:w:a:p:" COMMON_SHORT, longopts, NULL)) != -1) {
		if (common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 's': so.value_col = optarg; break;
		case 'g': add_columns(&groups, &ngroups, optarg); break;
		case 'w': so.weight_col = optarg; break;
		case 'a': measures = optarg; break;
		case 'p': pcts = optarg; break;
		case OPT_QUANTILE:
			if (!strcmp(optarg, "type7") || !strcmp(optarg, "7"))
				so.quantile = FUND_Q_TYPE7;
			else if (!strcmp(optarg, "nearest"))
				so.quantile = FUND_Q_NEAREST;
			else
				usage_error("--quantile takes type7 or nearest, not '%s'", optarg);
			break;
		default: usage_error("unexpected option");
		}
	}
	/* -p 10,90 adds p10,p90 to the measures */
	{
		const char *base = measures ? measures : fund_measures_default;
		size_t len = strlen(base) + (pcts ? strlen(pcts) * 2 + 2 : 0) + 1, o;
		list = malloc(len);
		if (!list) {
			msg("out of memory");
			return EXIT_IO;
		}
		/* at most strlen(pcts) + items + 1 bytes are added */
		o = strlen(base);
		memcpy(list, base, o + 1);
		if (pcts) {
			const char *p = pcts;
			while (*p) {
				const char *e = strchr(p, ',');
				size_t l = e ? (size_t)(e - p) : strlen(p);
				memcpy(list + o, ",p", 2);
				memcpy(list + o + 2, p, l);
				o += 2 + l;
				list[o] = '\0';
				p += l;
				if (*p)
					p++;
			}
		}
	}
	if (fund_measures_parse(list, &m, &nm, &err) < 0) {
		free(list);
		if (err.code == FUND_ENOMEM)
			out_of_memory();
		usage_error("%s", fund_error_msg(&err));
	}
	free(list);
	so.group_cols = groups;
	so.ngroup = ngroups;
	so.m = m;
	so.nm = nm;
	so.decimal = c.decimal;
	so.strict = c.strict;
	so.diag = diag_print;
	so.diag_ctx = &shown;
	rc = fund_stats_files(&so, c.out, (const char *const *)argv + optind, (size_t)(argc - optind),
			      run_opts(&c, &shown, 0), stdout, &sum, &err);
	rc = files_done(rc, &err, &sum);
	free(m);
	fund_columns_free(groups, ngroups);
	return rc;
}
