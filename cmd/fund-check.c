/* fund-check: validate files against a Table Schema (SCDL subventions),
 * and reconcile published totals with the detail. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "../lib/banned.h"

const char *const cmd_name = "fund-check";

enum {
	OPT_SCHEMA = OPT_FIRST_TOOL,
	OPT_RECONCILE,
	OPT_RECONCILE_FILE,
	OPT_TOLERANCE,
	OPT_MAX_ERRORS,
	OPT_PER_RULE
};

static void help(void)
{
	printf(
"Usage: fund-check [OPTION]... [FILE]...\n"
"Check that files are what they claim to be: valid against a Table Schema\n"
"(the SCDL 'subventions' schemas are built in), with SIRET checksums, dates\n"
"that exist, payment periods, shares, duplicates and hidden total rows; and\n"
"reconcile published totals with the detail.\n"
"\n"
"      --schema S        scdl-subventions (the version from the columns),\n"
"                        scdl-subventions-2.0.2, scdl-subventions-2.1.1, none,\n"
"                        or a Table Schema FILE.json (default: SCDL when the\n"
"                        columns are SCDL's, else none: the other checks only)\n"
"  -s, --sum COL         the amount column (total rows, reconciliation;\n"
"                        default: 'montant' when there is one)\n"
"      --reconcile SPEC  check a published total: [NAME=]AMOUNT[@COL=VALUE[,...]]\n"
"                        against the sum of -s over the rows where COL=VALUE;\n"
"                        repeatable\n"
"      --reconcile-file F  published subtotals: a file with the -g columns and\n"
"                        the -s column, compared group by group\n"
"  -g, --group COLS      the groups of --reconcile-file\n"
"      --tolerance X     differences up to X are rounding (default 0)\n"
"      --max-errors N    stop after N errors\n"
"      --per-rule N      text: show N findings per rule and column and file,\n"
"                        then count the rest (default 5; 0: all)\n"
"%s"
"  -o text               (default) one line per finding, then a summary\n"
"\n"
"Exit status: 0 valid (warnings allowed), 1 invalid or a total that does not\n"
"reconcile, 2 usage, 3 input/output error or out of memory.\n"
"\n"
"Examples:\n"
"  fund-check subventions-2024.csv\n"
"  fund-check --schema scdl-subventions-2.1.1 -o json subventions.csv\n"
"  fund-check -s montant_meur --tolerance 0.01 --reconcile 'TOTAL=1230.182@financeur=État' cper.csv\n",
	common_help);
}

/* a file that cannot be read to its end: said, the others checked */
static void input_error(void *ctx, const struct fund_error *e)
{
	(void)ctx;
	msg("%s", fund_error_msg(e));
}

int cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "schema", required_argument, NULL, OPT_SCHEMA },
		{ "sum", required_argument, NULL, 's' },
		{ "group", required_argument, NULL, 'g' },
		{ "reconcile", required_argument, NULL, OPT_RECONCILE },
		{ "reconcile-file", required_argument, NULL, OPT_RECONCILE_FILE },
		{ "tolerance", required_argument, NULL, OPT_TOLERANCE },
		{ "max-errors", required_argument, NULL, OPT_MAX_ERRORS },
		{ "per-rule", required_argument, NULL, OPT_PER_RULE },
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct common c = { 0 };
	struct fund_check_files_opts fo;
	struct fund_check_result res;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_reconcile_opts ro;
	const char *schema_arg = NULL, *recon_file = NULL, *sum_col = NULL;
	const char **groups = NULL, **specs = NULL;
	size_t ngroups = 0, nspecs = 0;
	int opt, rc, text = 1;
	unsigned shown = 0;   /* the checker reports findings, not row problems */

	memset(&fo, 0, sizeof(fo));
	memset(&ro, 0, sizeof(ro));
	fo.report.per_rule = 5;
	while ((opt = getopt_long(argc, argv, "s:g:" COMMON_SHORT, longopts, NULL)) != -1) {
		if (opt == 'o' && !strcmp(optarg, "text")) {
			text = 1;
			continue;
		}
		if (opt == 'o')
			text = 0;
		if (common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case OPT_SCHEMA: schema_arg = optarg; break;
		case 's': sum_col = optarg; break;
		case 'g': add_columns(&groups, &ngroups, optarg); break;
		case OPT_RECONCILE: {
			const char **n = realloc(specs, (nspecs + 1) * sizeof(*n));
			if (!n)
				out_of_memory();
			specs = n;
			specs[nspecs++] = optarg;
			break;
		}
		case OPT_RECONCILE_FILE: recon_file = optarg; break;
		case OPT_TOLERANCE: {
			struct fund_amount_ctx ctx = { FUND_MARK_POINT, 0, 0 };
			if (fund_amount_parse(optarg, strlen(optarg), &ctx, &ro.tolerance) != FUND_AMOUNT_OK ||
			    ro.tolerance.units < 0)
				usage_error("--tolerance takes an amount of 0 or more, not '%s'", optarg);
			break;
		}
		case OPT_MAX_ERRORS: fo.report.max_errors = parse_count("--max-errors", optarg, LONG_MAX); break;
		case OPT_PER_RULE: fo.report.per_rule = (unsigned long)parse_count("--per-rule", optarg, LONG_MAX); break;
		default: usage_error("unexpected option");
		}
	}
	if (recon_file && !ngroups)
		usage_error("--reconcile-file needs the groups to compare: -g COLS");
	if (ngroups && !recon_file)
		usage_error("-g goes with --reconcile-file");
	if (schema_arg && strcmp(schema_arg, "none") && strcmp(schema_arg, "scdl-subventions-2.0.2") &&
	    strcmp(schema_arg, "scdl-subventions-2.1.1") && strcmp(schema_arg, "scdl-subventions") &&
	    strcmp(schema_arg, "scdl") && !strchr(schema_arg, '/') && !strstr(schema_arg, ".json"))
		usage_error("unknown schema '%s' (scdl-subventions, scdl-subventions-2.0.2, "
			    "scdl-subventions-2.1.1, none, or a FILE.json)", schema_arg);
	if (nspecs || recon_file) {
		ro.sum_col = sum_col;
		ro.specs = specs;
		ro.nspecs = nspecs;
		ro.groups = groups;
		ro.ngroups = ngroups;
		ro.decimal = c.decimal;
		fo.reconcile = &ro;
		fo.reconcile_file = recon_file;
	}
	fo.schema = schema_arg;
	fo.sum_col = sum_col;
	fo.decimal = c.decimal;
	fo.report.mode = text ? FUND_REPORT_TEXT : c.out == FUND_OUT_JSON ? FUND_REPORT_JSON : FUND_REPORT_TABLE;
	fo.report.format = c.out;
	fo.input_error = input_error;
	rc = fund_check_files(&fo, (const char *const *)argv + optind, (size_t)(argc - optind),
			      run_opts(&c, &shown, 0), stdout, &res, &err);
	run_end();
	if (rc < 0 && res.usage)
		rc = usage_said("%s", fund_error_msg(&err));
	else if (rc < 0 && res.write_error)
		rc = EXIT_IO;   /* a write error: said by main(), with the reason */
	else if (rc < 0)
		rc = report_rc(rc, &err);
	else if (res.errors || res.unreadable) {
		rc = EXIT_DATA;
		output_complete = 1;   /* the report is whole: an invalid file is its finding */
	}
	free(specs);
	fund_columns_free(groups, ngroups);
	return rc;
}
