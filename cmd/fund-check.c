/* fund-check: validate files against a Table Schema (SCDL subventions),
 * and reconcile published totals with the detail. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
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

/* ---- the report ---- */

struct rulecount {
	char *key;          /* rule \t column */
	uint64_t n, shown;
};

struct report {
	enum { R_TEXT, R_TABLE, R_JSON } mode;
	struct fund_writer *w;
	cJSON *root, *files, *cur, *cur_findings;
	long max_errors;
	unsigned long per_rule;
	uint64_t errors_total, file_errors, file_warnings;
	struct rulecount *rc;
	size_t nrc;
	int stopped, nomem;        /* nomem: a cJSON addition failed */
	const char *schema_title;
};

/* a cJSON addition that fails marks the report incomplete */
#define JADD(r, x) do { if (!(x)) (r)->nomem = 1; } while (0)

static struct rulecount *rule_entry(struct report *r, const char *rule, const char *column)
{
	size_t i;
	char *key;
	struct rulecount *n;
	if (asprintf(&key, "%s\t%s", rule, column ? column : "") < 0)
		return NULL;
	for (i = 0; i < r->nrc; i++)
		if (!strcmp(r->rc[i].key, key)) {
			free(key);
			return &r->rc[i];
		}
	if (!(n = realloc(r->rc, (r->nrc + 1) * sizeof(*n)))) {
		free(key);
		return NULL;
	}
	r->rc = n;
	n[r->nrc].key = key;
	n[r->nrc].n = n[r->nrc].shown = 0;
	return &n[r->nrc++];
}

static const char *sev_name(enum fund_severity s)
{
	return s == FUND_SEV_ERROR ? "error" : s == FUND_SEV_WARNING ? "warning" : "ok";
}

static int on_finding(void *ctx, const struct fund_finding *f)
{
	struct report *r = ctx;
	struct rulecount *rc = rule_entry(r, f->rule, f->column);
	char line[32] = "";
	if (!rc)
		return FUND_ENOMEM;
	rc->n++;
	if (f->severity == FUND_SEV_ERROR) {
		r->errors_total++;
		r->file_errors++;
	} else if (f->severity == FUND_SEV_WARNING) {
		r->file_warnings++;
	}
	if (f->line)
		snprintf(line, sizeof(line), "%lu", f->line);
	if (r->mode == R_TEXT) {
		if (r->per_rule && rc->shown >= r->per_rule)
			goto out;
		rc->shown++;
		printf("%s:%s%s %s%s%s%s%s [%s]\n", f->file, line, f->line ? ":" : "",
		       f->severity == FUND_SEV_WARNING ? "warning: " : f->severity == FUND_SEV_INFO ? "ok: " : "",
		       f->column ? "column '" : "", f->column ? f->column : "", f->column ? "': " : "", f->message, f->rule);
	} else if (r->mode == R_TABLE) {
		struct fund_cell c[7] = {
			{ f->file, strlen(f->file), FUND_CELL_TEXT },
			{ f->line ? line : NULL, strlen(line), FUND_CELL_NUMBER },
			{ f->column, f->column ? strlen(f->column) : 0, FUND_CELL_TEXT },
			{ f->rule, strlen(f->rule), FUND_CELL_TEXT },
			{ sev_name(f->severity), strlen(sev_name(f->severity)), FUND_CELL_TEXT },
			{ f->value, f->value ? strlen(f->value) : 0, FUND_CELL_TEXT },
			{ f->message, strlen(f->message), FUND_CELL_TEXT },
		};
		if (fund_writer_row(r->w, c))
			return FUND_EIO;
	} else {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			return FUND_ENOMEM;
		if (f->line)
			JADD(r, cJSON_AddNumberToObject(o, "line", (double)f->line));
		if (f->column)
			JADD(r, cJSON_AddStringToObject(o, "column", f->column));
		if (f->value)
			JADD(r, cJSON_AddStringToObject(o, "value", f->value));
		JADD(r, cJSON_AddStringToObject(o, "rule", f->rule));
		JADD(r, cJSON_AddStringToObject(o, "severity", sev_name(f->severity)));
		JADD(r, cJSON_AddStringToObject(o, "message", f->message));
		JADD(r, cJSON_AddItemToArray(r->cur_findings, o));
	}
out:
	if (r->max_errors > 0 && f->severity == FUND_SEV_ERROR && r->errors_total >= (uint64_t)r->max_errors) {
		r->stopped = 1;
		return INT_MAX;
	}
	return ferror(stdout) ? FUND_EIO : 0;
}

/* ---- the input loop's context ---- */

struct ctx {
	struct fund_check *chk;
	struct report *rep;
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

static void file_begin(struct ctx *x, const char *name);
static void file_end(struct ctx *x);

static int bind(void *vctx, const struct fund_reader *r, struct fund_error *err)
{
	struct ctx *x = vctx;
	int rc;
	if (x->started)
		file_end(x);
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
		x->rep->schema_title = use ? fund_schema_title(use) : NULL;
		if (fund_check_new(&x->chk, x->co))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	file_begin(x, x->file);
	x->started = 1;
	if (x->rec && (rc = fund_reconcile_bind(x->rec, r, err)) < 0)
		return rc;
	rc = fund_check_bind(x->chk, r, err);
	if (rc == INT_MAX || (rc < 0 && x->rep->stopped))
		return 0;
	return rc;
}

static int add(void *vctx, const struct fund_record *rec, struct fund_error *err);
static const struct fund_engine check_run = { bind, add, NULL, NULL, NULL, NULL, NULL, 0, 0 };

static int add(void *vctx, const struct fund_record *rec, struct fund_error *err)
{
	struct ctx *x = vctx;
	int rc;
	if (x->rec && (rc = fund_reconcile_add(x->rec, rec, err)) < 0)
		return rc;
	if (x->rep->stopped)
		return 0;
	rc = fund_check_add(x->chk, rec, err);
	if (x->rep->stopped)
		return 0;
	return rc;
}

/* ---- per-file report ---- */

static void file_begin(struct ctx *x, const char *name)
{
	struct report *r = x->rep;
	r->file_errors = r->file_warnings = 0;
	if (r->mode == R_JSON) {
		r->cur = cJSON_CreateObject();
		JADD(r, cJSON_AddStringToObject(r->cur, "file", name));
		if (r->schema_title)
			JADD(r, cJSON_AddStringToObject(r->cur, "schema", r->schema_title));
		JADD(r, r->cur);
		r->cur_findings = cJSON_AddArrayToObject(r->cur, "findings");
		JADD(r, r->cur_findings);
		JADD(r, cJSON_AddItemToArray(r->files, r->cur));
	}
}

static void file_end(struct ctx *x)
{
	struct report *r = x->rep;
	struct fund_check_summary s;
	size_t i;
	fund_check_summary(x->chk, &s);
	if (r->mode == R_TEXT) {
		int any = 0;
		for (i = 0; i < r->nrc; i++)
			if (r->rc[i].n > r->rc[i].shown) {
				char *tab = strchr(r->rc[i].key, '\t');
				*tab = '\0';
				printf("%s: %llu more [%s]%s%s%s not shown\n", x->file, (unsigned long long)(r->rc[i].n - r->rc[i].shown),
				       r->rc[i].key, tab[1] ? " in column '" : "", tab + 1, tab[1] ? "'" : "");
				*tab = '\t';
			}
		printf("%s: %s%s%s%llu errors, %llu warnings", x->file, r->schema_title ? "schema " : "",
		       r->schema_title ? r->schema_title : "", r->schema_title ? ": " : "",
		       (unsigned long long)r->file_errors, (unsigned long long)r->file_warnings);
		for (i = 0; i < r->nrc; i++) {
			char *tab = strchr(r->rc[i].key, '\t');
			size_t j;
			uint64_t n = 0;
			int seen = 0;
			/* one count per rule */
			for (j = 0; j < i; j++)
				if (!strncmp(r->rc[j].key, r->rc[i].key, (size_t)(tab - r->rc[i].key) + 1))
					seen = 1;
			if (seen)
				continue;
			for (j = i; j < r->nrc; j++)
				if (!strncmp(r->rc[j].key, r->rc[i].key, (size_t)(tab - r->rc[i].key) + 1))
					n += r->rc[j].n;
			printf("%s%.*s %llu", any ? ", " : " (", (int)(tab - r->rc[i].key), r->rc[i].key, (unsigned long long)n);
			any = 1;
		}
		printf("%s%s\n", any ? ")" : "", r->stopped ? "; stopped at --max-errors" : "");
	} else if (r->mode == R_JSON) {
		cJSON *rules = cJSON_AddObjectToObject(r->cur, "rules");
		JADD(r, rules);
		for (i = 0; i < r->nrc; i++) {
			char *tab = strchr(r->rc[i].key, '\t');
			char rule[64];
			cJSON *it;
			snprintf(rule, sizeof(rule), "%.*s", (int)(tab - r->rc[i].key), r->rc[i].key);
			if ((it = cJSON_GetObjectItemCaseSensitive(rules, rule)))
				cJSON_SetNumberValue(it, it->valuedouble + (double)r->rc[i].n);
			else
				JADD(r, cJSON_AddNumberToObject(rules, rule, (double)r->rc[i].n));
		}
		JADD(r, cJSON_AddNumberToObject(r->cur, "errors", (double)r->file_errors));
		JADD(r, cJSON_AddNumberToObject(r->cur, "warnings", (double)r->file_warnings));
		JADD(r, cJSON_AddBoolToObject(r->cur, "valid", r->file_errors == 0));
	}
	for (i = 0; i < r->nrc; i++)
		free(r->rc[i].key);
	free(r->rc);
	r->rc = NULL;
	r->nrc = 0;
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
	static const char *const cols[] = { "file", "line", "column", "rule", "severity", "value", "message" };
	struct common c = { 0 };
	struct report rep;
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
	rep.mode = text ? R_TEXT : c.out == FUND_OUT_JSON ? R_JSON : R_TABLE;
	if (rep.mode == R_JSON) {
		rep.root = cJSON_CreateObject();
		rep.files = cJSON_AddArrayToObject(rep.root, "files");
		JADD(&rep, rep.files);
	} else if (rep.mode == R_TABLE && fund_writer_open(&rep.w, stdout, c.out, cols, 7)) {
		msg("out of memory");
		return EXIT_IO;
	}
	x.rep = &rep;
	co.schema = schema;
	co.amount_col = x.sum_col;
	co.decimal = c.decimal;
	co.report = on_finding;
	co.ctx = &rep;
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
		for (i = 0; i < (size_t)nfiles && !rc && !rep.stopped; i++) {
			/* bind creates the checker, once it has seen the header */
			x.chk = NULL;
			x.started = 0;
			rc = run_inputs(&check_run, &x, &c, &shown, 0, files + i, 1);
			if (x.started)
				file_end(&x);
			if (rep.stopped)
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
	if (rc == 0 && nspecs) {
		x.file = "--reconcile";
		file_begin(&x, "--reconcile");
		if (fund_reconcile_specs(x.rec, "--reconcile", on_finding, &rep) == FUND_ENOMEM)
			out_of_memory();
		rep.schema_title = NULL;
		if (!rep.stopped) {
			struct fund_check *dummy = NULL;
			fund_check_new(&dummy, &co);
			x.chk = dummy;
			file_end(&x);
			fund_check_free(&x.chk);
		}
	}
	if (rc == 0 && recon_file) {
		struct fund_check *dummy = NULL;
		file_begin(&x, recon_file);
		if ((rc = fund_reconcile_published(x.rec, recon_file, run_opts(&c, &shown, 0), on_finding, &rep,
						   &err)) < 0)
			rc = report_rc(rc, &err);
		else
			rc = 0;
		if (rc == 0) {
			fund_check_new(&dummy, &co);
			x.chk = dummy;
			x.file = recon_file;
			file_end(&x);
			fund_check_free(&x.chk);
		}
	}
	if (rc == 0) {
		if (rep.mode == R_JSON) {
			char *out;
			JADD(&rep, cJSON_AddBoolToObject(rep.root, "valid", rep.errors_total == 0));
			if (rep.stopped)
				JADD(&rep, cJSON_AddBoolToObject(rep.root, "stopped", 1));
			out = rep.nomem ? NULL : cJSON_Print(rep.root);
			if (out) {
				fputs(out, stdout);
				putchar('\n');
				free(out);
			} else {
				msg("out of memory");
				rc = EXIT_IO;
			}
		} else if (rep.mode == R_TABLE && fund_writer_finish(rep.w)) {
			rc = EXIT_IO;
		}
		if (rc == 0 && (rep.errors_total || worst)) {
			rc = EXIT_DATA;
			output_complete = 1;   /* the report is whole: an invalid file is its finding */
		}
	}
	cJSON_Delete(rep.root);
	free(x.file_copy);
	fund_writer_free(&rep.w);
	fund_reconcile_free(&x.rec);
	free(specs);
	fund_schema_free(&schema);
	fund_schema_free(&s202);
	fund_schema_free(&s211);
	while (ngroups)
		free((void *)groups[--ngroups]);
	free(groups);
	return rc;
}
