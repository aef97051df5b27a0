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

/* ---- the input loop's context ---- */

struct ctx {
	struct fund_check *chk;
	struct fund_check_report *rep;
	const char *title;           /* the schema of the file being read */
	const char *sum_col;
	struct fund_reconcile *rec;  /* --reconcile, --reconcile-file */
	const struct fund_reader *r;
	const char *file;
	char *file_copy;
	int started;
	/* the schema: fixed, or chosen per input from its header */
	struct fund_check_opts *co;
	struct fund_schema *fixed, *s202, *s211;
};


static int bind(void *vctx, const struct fund_reader *r, struct fund_error *err)
{
	struct ctx *x = vctx;
	int rc;
	if (x->chk && (rc = fund_check_end(x->chk)) == FUND_ENOMEM)
		return fund_error_set(err, rc, "out of memory");
	if (x->started && (rc = fund_check_report_end(x->rep)) < 0)
		return fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
	x->r = r;
	free(x->file_copy);
	x->file = x->file_copy = strdup(fund_reader_name(r));
	if (!x->file)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (!x->chk) {
		const struct fund_schema *use = x->fixed;
		if (!use && x->s202)
			/* SCDL when the columns are SCDL's, the version they match */
			use = fund_schema_scdl_version(x->s202, x->s211, r);
		x->co->schema = use;
		x->title = use ? fund_schema_title(use) : NULL;
		if (fund_check_new(&x->chk, x->co))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if ((rc = fund_check_report_begin(x->rep, x->file, x->title)) < 0)
		return fund_error_set(err, rc, "out of memory");
	x->started = 1;
	if (x->rec && (rc = fund_reconcile_bind(x->rec, r, err)) < 0)
		return rc;
	rc = fund_check_bind(x->chk, r, err);
	if (rc == INT_MAX || (rc < 0 && fund_check_report_stopped(x->rep)))
		return 0;
	return rc;
}

static int add(void *vctx, const struct fund_record *rec, struct fund_error *err);
static const struct fund_engine check_run = { bind, add, NULL, NULL, NULL, NULL, NULL, 0, 0, 0 };

static int add(void *vctx, const struct fund_record *rec, struct fund_error *err)
{
	struct ctx *x = vctx;
	int rc;
	if (x->rec && (rc = fund_reconcile_add(x->rec, rec, err)) < 0)
		return rc;
	if (fund_check_report_stopped(x->rep))
		return 0;
	rc = fund_check_add(x->chk, rec, err);
	if (fund_check_report_stopped(x->rep))
		return 0;
	return rc;
}

static struct fund_schema *load_named(const char *name, const char *version, struct fund_error *err)
{
	struct fund_schema *s = NULL;
	fund_schema_shipped(&s, name, version, err);
	return s;
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
	struct fund_check_report_opts rep;
	struct fund_check_report *report = NULL;
	struct ctx x;
	struct fund_check_opts co;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_schema *schema = NULL, *s202 = NULL, *s211 = NULL;
	struct fund_reconcile_opts ro;
	const char *schema_arg = NULL, *recon_file = NULL;
	const char **groups = NULL, **specs = NULL;
	size_t ngroups = 0, nspecs = 0, i;
	int opt, rc, text = 1, worst = 0;
	unsigned shown = 0;   /* the checker reports findings, not row problems */

	memset(&rep, 0, sizeof(rep));
	memset(&x, 0, sizeof(x));
	memset(&co, 0, sizeof(co));
	memset(&ro, 0, sizeof(ro));
	rep.per_rule = 5;
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
		case 's': x.sum_col = optarg; break;
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
		case OPT_MAX_ERRORS: rep.max_errors = parse_count("--max-errors", optarg, LONG_MAX); break;
		case OPT_PER_RULE: rep.per_rule = (unsigned long)parse_count("--per-rule", optarg, LONG_MAX); break;
		default: usage_error("unexpected option");
		}
	}
	if (recon_file && !ngroups)
		usage_error("--reconcile-file needs the groups to compare: -g COLS");
	if (ngroups && !recon_file)
		usage_error("-g goes with --reconcile-file");
	if (nspecs || recon_file) {
		ro.sum_col = x.sum_col;
		ro.specs = specs;
		ro.nspecs = nspecs;
		ro.groups = groups;
		ro.ngroups = ngroups;
		ro.decimal = c.decimal;
		if ((rc = fund_reconcile_new(&x.rec, &ro, &err)) == FUND_EUSAGE)
			usage_error("%s", fund_error_msg(&err));
		else if (rc < 0)
			out_of_memory();
	}
	/* the schema */
	if (schema_arg && strcmp(schema_arg, "none")) {
		if (!strcmp(schema_arg, "scdl-subventions-2.0.2") || !strcmp(schema_arg, "scdl-subventions-2.1.1")) {
			schema = load_named("scdl-subventions", schema_arg + 17, &err);
		} else if (!strcmp(schema_arg, "scdl-subventions") || !strcmp(schema_arg, "scdl")) {
			schema = NULL;   /* by the columns, below */
		} else if (strchr(schema_arg, '/') || strstr(schema_arg, ".json")) {
			fund_schema_read(&schema, schema_arg, &err);
		} else {
			usage_error("unknown schema '%s' (scdl-subventions, scdl-subventions-2.0.2, "
				    "scdl-subventions-2.1.1, none, or a FILE.json)", schema_arg);
		}
		if (!schema && err.code) {
			msg("%s", fund_error_msg(&err));
			return exit_for(err.code);
		}
	}
	if (!schema && (!schema_arg || strcmp(schema_arg, "none"))) {
		/* SCDL, when the columns say so; the version from them too */
		if (!(s202 = load_named("scdl-subventions", "2.0.2", &err)) ||
		    !(s211 = load_named("scdl-subventions", "2.1.1", &err))) {
			msg("the SCDL schemas: %s", fund_error_msg(&err));
			fund_schema_free(&s202);
			return EXIT_IO;
		}
	}
	rep.mode = text ? FUND_REPORT_TEXT : c.out == FUND_OUT_JSON ? FUND_REPORT_JSON : FUND_REPORT_TABLE;
	rep.format = c.out;
	if (fund_check_report_new(&report, stdout, &rep, &err) < 0) {
		msg("out of memory");
		return EXIT_IO;
	}
	x.rep = report;
	co.schema = schema;
	co.amount_col = x.sum_col;
	co.decimal = c.decimal;
	co.report = fund_check_report_finding;
	co.wanted = fund_check_report_wanted;
	co.ctx = report;
	rc = 0;
	/* each file on its own, so that the SCDL version is chosen per file */
	{
		char *stdin_name[] = { (char *)"-" };
		char **files = optind < argc ? argv + optind : stdin_name;
		int nfiles = optind < argc ? argc - optind : 1;
		x.co = &co;
		x.fixed = schema;
		x.s202 = s202;
		x.s211 = s211;
		for (i = 0; i < (size_t)nfiles && !rc && !fund_check_report_stopped(report); i++) {
			/* bind creates the checker, once it has seen the header */
			x.chk = NULL;
			x.started = 0;
			rc = run_inputs(&check_run, &x, &c, &shown, 0, files + i, 1);
			if (x.chk && fund_check_end(x.chk) == FUND_ENOMEM)
				out_of_memory();
			if (x.started && fund_check_report_end(report) == FUND_ENOMEM)
				out_of_memory();
			if (fund_check_report_stopped(report))
				rc = 0;
			fund_check_free(&x.chk);
			/* a file that cannot be read to the end is invalid; the
			 * others are still checked */
			if (rc == EXIT_DATA) {
				worst = EXIT_DATA;
				rc = 0;
			}
		}
	}
	/* the reconciliations, as findings of two pseudo-files */
	if (rc == 0 && nspecs) {
		if (fund_check_report_begin(report, "--reconcile", NULL) < 0 ||
		    fund_reconcile_specs(x.rec, "--reconcile", fund_check_report_finding, report) == FUND_ENOMEM ||
		    (!fund_check_report_stopped(report) && fund_check_report_end(report) == FUND_ENOMEM))
			out_of_memory();
	}
	if (rc == 0 && recon_file) {
		if (fund_check_report_begin(report, recon_file, NULL) < 0)
			out_of_memory();
		if ((rc = fund_reconcile_published(x.rec, recon_file, run_opts(&c, &shown, 0), fund_check_report_finding,
						   report, &err)) < 0)
			rc = report_rc(rc, &err);
		else
			rc = 0;
		if (rc == 0 && fund_check_report_end(report) == FUND_ENOMEM)
			out_of_memory();
	}
	if (rc == 0) {
		if ((rc = fund_check_report_finish(report, &err)) < 0)
			rc = err.code == FUND_EIO ? EXIT_IO : report_rc(rc, &err);   /* a write error: said by main() */
		if (rc == 0 && (fund_check_report_errors(report) || worst)) {
			rc = EXIT_DATA;
			output_complete = 1;   /* the report is whole: an invalid file is its finding */
		}
	}
	fund_check_report_free(&report);
	free(x.file_copy);
	fund_reconcile_free(&x.rec);
	free(specs);
	fund_schema_free(&schema);
	fund_schema_free(&s202);
	fund_schema_free(&s211);
	free_columns(groups, ngroups);
	return rc;
}
