/* fund-cat: read any input fundkit reads, write it normalised: select,
 * filter, convert. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "common.h"
#include "../lib/banned.h"

const char *const cmd_name = "fund-cat";

enum {
	OPT_WHERE = OPT_FIRST_TOOL,
	OPT_IN,
	OPT_NOT_IN,
	OPT_HEAD,
	OPT_AMOUNTS,
	OPT_DATES,
	OPT_SAFE,
	OPT_SHEETS,
	OPT_ATTACH,
	OPT_REF_DIR,
	OPT_CODES_YEAR,
	OPT_UNPIVOT,
	OPT_NAMES,
	OPT_VALUES,
	OPT_TRIM
};

static void help(void)
{
	printf(
"Usage: fund-cat [OPTION]... [FILE]...\n"
"Read CSV (any dialect, any supported encoding), JSON (any supported\n"
"shape) or a workbook's sheet (.xlsx, .ods, .xls) and write it normalised, in UTF-8, in the format asked for; select\n"
"columns, filter rows, normalise amounts and dates.  Files with the same\n"
"columns in another order are aligned by name.\n"
"\n"
"  -c, --columns LIST    these columns, in this order: names, 1-based\n"
"                        indexes, ranges (2-5)\n"
"      --where EXPR      keep the rows where EXPR holds; repeatable (all must\n"
"                        hold).  COL=V, COL!=V, COL<V, COL<=V, COL>V, COL>=V\n"
"                        (dates as dates, amounts exactly, else text),\n"
"                        COL~REGEX, COL!~REGEX (POSIX extended, unanchored)\n"
"      --in FILE:COL[:INCOL]  keep the rows whose INCOL (default: COL) is a\n"
"                        value of column COL of FILE\n"
"      --not-in FILE:COL[:INCOL]  ... is not\n"
"      --attach FILE:KEY[:COLS]  add the columns COLS (default: all) of the row\n"
"                        of FILE whose KEY is this row's -k column (default:\n"
"                        KEY); repeatable.  Rows without one keep empty cells\n"
"      --attach NAMES    add what the reference tells of the territory whose\n"
"                        code is in the -k column: a zoning or level (densite,\n"
"                        aav, massif, epci... as code and NAME_nom), population,\n"
"                        population_YYYY; names separated by commas\n"
"  -k, --key COL         the column --attach looks up\n"
"      --codes-year Y    --attach: commune codes of 1 January Y,\n"
"                        followed to today's through INSEE's history\n"
"      --ref-dir DIR     the reference geography (default: FUNDKIT_DATA, or\n"
"                        the data installed with fundkit)\n"
"      --unpivot COLS    wide to long: each row becomes one row per column of\n"
"                        COLS (as -c takes them), with its name in a column\n"
"                        'name' and its cell in a column 'value', after the\n"
"                        others\n"
"      --names NAME, --values NAME  name those two columns\n"
"      --head N          the first N rows kept\n"
"      --amounts COLS    write these columns as exact decimal amounts\n"
"                        ('1 234,56 EUR' as 1234.56)\n"
"      --dates COLS      write these columns as ISO dates (2017-06-27)\n"
"      --trim            CSV: the blanks around unquoted cells removed (by\n"
"                        default every cell is written as it was read)\n"
"      --safe            CSV, TSV and table: prefix text that a spreadsheet\n"
"                        would run as a formula (= + - @) with a quote\n"
"      --sheets          list the sheets of each workbook (index, name, rows,\n"
"                        columns, hidden) instead\n"
"%s"
"\n"
"Exit status: 0 ok, 1 bad data, 2 usage, 3 input/output error or out of\n"
"memory.\n"
"\n"
"Examples:\n"
"  fund-cat -o json subventions.csv > subventions.json\n"
"  fund-cat --where 'montant>=23000' --where 'dateConvention>=2017-07-01' -c 1-3,montant subventions.csv\n"
"  fund-cat --in pvd.csv:insee_com:id_terr anct-2019.csv | fund-total -g dotation -s montant_sub\n"
"  fund-cat -k id_terr --attach densite3 anct-2019.csv | fund-total -g densite3_nom -s montant_sub\n",
	common_help);
}

/* FILE:COL, or FILE:COL:INCOL when there are two colons or more */
static void parse_keys(struct fund_cat_keys *k, const char *arg, int negate)
{
	const char *a = strrchr(arg, ':'), *b;
	memset(k, 0, sizeof(*k));
	k->negate = negate;
	if (!a || a == arg)
		usage_error("--%s takes FILE:COL[:INCOL], not '%s'", negate ? "not-in" : "in", arg);
	b = a;
	while (b > arg && b[-1] != ':')
		b--;
	if (b > arg + 1) {
		k->file = strndup(arg, (size_t)(b - 1 - arg));
		k->col = strndup(b, (size_t)(a - b));
		k->incol = strdup(a + 1);
	} else {
		k->file = strndup(arg, (size_t)(a - arg));
		k->col = strdup(a + 1);
		k->incol = strdup(a + 1);
	}
	if (!k->file || !k->col || !k->incol)
		out_of_memory();
	if (!*k->col || !*k->incol)
		usage_error("--%s takes FILE:COL[:INCOL], not '%s'", negate ? "not-in" : "in", arg);
}

int cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "columns", required_argument, NULL, 'c' },
		{ "where", required_argument, NULL, OPT_WHERE },
		{ "in", required_argument, NULL, OPT_IN },
		{ "not-in", required_argument, NULL, OPT_NOT_IN },
		{ "head", required_argument, NULL, OPT_HEAD },
		{ "amounts", required_argument, NULL, OPT_AMOUNTS },
		{ "dates", required_argument, NULL, OPT_DATES },
		{ "safe", no_argument, NULL, OPT_SAFE },
		{ "sheets", no_argument, NULL, OPT_SHEETS },
		{ "attach", required_argument, NULL, OPT_ATTACH },
		{ "key", required_argument, NULL, 'k' },
		{ "ref-dir", required_argument, NULL, OPT_REF_DIR },
		{ "codes-year", required_argument, NULL, OPT_CODES_YEAR },
		{ "unpivot", required_argument, NULL, OPT_UNPIVOT },
		{ "names", required_argument, NULL, OPT_NAMES },
		{ "values", required_argument, NULL, OPT_VALUES },
		{ "trim", no_argument, NULL, OPT_TRIM },
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct common c = { 0 };
	struct fund_cat_opts o;
	struct fund_where *where = NULL;
	struct fund_cat_keys *keys = NULL;
	struct fund_cat_attach *att = NULL;
	struct fund_geo *geo = NULL;
	const char *key = NULL, *ref = NULL;
	int geo_needed = 0, codes_year = 0;
	size_t natt = 0;
	const char **sel = NULL, **amounts = NULL, **dates = NULL, **unpivot = NULL;
	size_t nwhere = 0, nkeys = 0, nsel = 0, namounts = 0, ndates = 0, nunpivot = 0, k;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_summary sum;
	unsigned shown = 0;
	int opt, rc, i, sheets = 0, trim = 0;

	memset(&o, 0, sizeof(o));
	o.head = -1;
	while ((opt = getopt_long(argc, argv, "c:k:" COMMON_SHORT, longopts, NULL)) != -1) {
		if (common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 'c': add_columns(&sel, &nsel, optarg); break;
		case OPT_WHERE: {
			struct fund_where *n = realloc(where, (nwhere + 1) * sizeof(*n));
			if (!n)
				out_of_memory();
			where = n;
			if (fund_where_parse(&where[nwhere], optarg, &err) < 0) {
				if (err.code == FUND_ENOMEM)
					out_of_memory();
				usage_error("%s", fund_error_msg(&err));
			}
			nwhere++;
			break;
		}
		case OPT_IN:
		case OPT_NOT_IN: {
			struct fund_cat_keys *n = realloc(keys, (nkeys + 1) * sizeof(*n));
			if (!n)
				out_of_memory();
			keys = n;
			parse_keys(&keys[nkeys++], optarg, opt == OPT_NOT_IN);
			break;
		}
		case OPT_HEAD: o.head = parse_count("--head", optarg, LONG_MAX); break;
		case OPT_AMOUNTS: add_columns(&amounts, &namounts, optarg); break;
		case OPT_DATES: add_columns(&dates, &ndates, optarg); break;
		case OPT_SAFE: o.safe = 1; break;
		case OPT_SHEETS: sheets = 1; break;
		case 'k': key = optarg; break;
		case OPT_UNPIVOT: add_columns(&unpivot, &nunpivot, optarg); break;
		case OPT_NAMES: o.unpivot_names = optarg; break;
		case OPT_VALUES: o.unpivot_values = optarg; break;
		case OPT_TRIM: trim = 1; break;
		case OPT_REF_DIR: ref = optarg; break;
		case OPT_CODES_YEAR:
			codes_year = parse_count("--codes-year", optarg, 9999);
			if (codes_year < 1943)
				usage_error("--codes-year: INSEE's history of communes starts in 1943");
			break;
		case OPT_ATTACH: {
			struct fund_cat_attach *n = realloc(att, (natt + 1) * sizeof(*n));
			const char **cols = NULL;
			size_t ncols = 0;
			if (!n)
				out_of_memory();
			att = n;
			memset(&att[natt], 0, sizeof(*att));
			if (strchr(optarg, ':')) {
				char *spec = strdup(optarg), *file, *part[2];
				if (!spec)
					out_of_memory();
				split_file_spec("--attach", "FILE:KEY[:COLS] or NAMES", spec, 1, 2, &file, part);
				att[natt].file = file;
				att[natt].key = part[0];
				if (part[1])
					add_columns(&cols, &ncols, part[1]);
			} else {
				add_columns(&cols, &ncols, optarg);
				geo_needed = 1;
			}
			att[natt].cols = cols;
			att[natt].ncols = ncols;
			natt++;
			break;
		}
		default: usage_error("unexpected option");
		}
	}
	for (i = optind; i < argc; i++)
		if (!strcmp(argv[i], "-") && argc - optind > 1) {
			msg("standard input goes alone: fund-cat aligns files by their headers, read first");
			return EXIT_USAGE;
		}
	if (sheets) {
		run_opts(&c, &shown, 0);   /* the output checks */
		rc = fund_sheets_write((const char *const *)argv + optind, (size_t)(argc - optind), stdout, c.out, &err);
		if (rc == FUND_EIO && ferror(stdout))
			return EXIT_IO;
		return rc < 0 ? report_rc(rc, &err) : EXIT_OK;
	}
	for (k = 0; k < natt; k++)
		att[k].incol = key;
	if (natt) {
		/* names need the geography; with a file, keys written otherwise
		 * (a former commune, a SIRET) find their territory's row when
		 * there is one */
		if (geo_needed && !key)
			usage_error("--attach NAMES: name the column of territory codes with -k");
		if (fund_geo_open(&geo, ref, &err) < 0) {
			if (!geo_needed && !codes_year) {
				fund_error_clear(&err);
			} else {
				msg("%s (see --ref-dir)", fund_error_msg(&err));
				return report_status(&err);
			}
		} else if ((codes_year && fund_geo_codes_year(geo, codes_year, &err) < 0) ||
			   (geo_needed && fund_geo_load_zonings(geo, &err) < 0)) {
			fund_geo_free(&geo);
			return report(&err);
		}
	} else if (codes_year) {
		usage_error("--codes-year is for --attach");
	}
	if ((o.unpivot_names || o.unpivot_values) && !nunpivot)
		usage_error("--names and --values name the columns of --unpivot");
	/* every cell as written, blanks around it included, unless --trim */
	c.ropts.keep_blanks = !trim;
	o.unpivot = unpivot;
	o.nunpivot = nunpivot;
	o.attach = att;
	o.nattach = natt;
	o.geo = geo;
	o.columns = sel;
	o.ncolumns = nsel;
	o.where = where;
	o.nwhere = nwhere;
	o.keys = keys;
	o.nkeys = nkeys;
	o.amounts = amounts;
	o.namounts = namounts;
	o.dates = dates;
	o.ndates = ndates;
	o.decimal = c.decimal;
	o.strict = c.strict;
	o.format = c.out;
	o.diag = diag_print;
	o.diag_ctx = &shown;
	rc = fund_cat(&o, (const char *const *)argv + optind, (size_t)(argc - optind), run_opts(&c, &shown, 0),
		      stdout, &sum, &err);
	if (rc == FUND_EIO && ferror(stdout))
		rc = EXIT_IO;     /* said by main(), with the reason */
	else if (rc < 0)
		rc = report_rc(rc, &err);
	i = summary_print(0, &sum);
	if (!rc)
		rc = i;
	for (k = 0; k < nwhere; k++)
		fund_where_release(&where[k]);
	free(where);
	for (k = 0; k < nkeys; k++) {
		free((void *)keys[k].file);
		free((void *)keys[k].col);
		free((void *)keys[k].incol);
	}
	free(keys);
	for (k = 0; k < natt; k++) {
		while (att[k].ncols)
			free((void *)att[k].cols[--att[k].ncols]);
		free((void *)att[k].cols);
		free((void *)att[k].file);
	}
	free(att);
	fund_geo_free(&geo);
	fund_columns_free(sel, nsel);
	fund_columns_free(amounts, namounts);
	fund_columns_free(dates, ndates);
	fund_columns_free(unpivot, nunpivot);
	return rc;
}
