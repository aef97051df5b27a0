/* fund-cat: read any input fundkit reads, write it normalised: select,
 * filter, convert. */
#define _GNU_SOURCE
#include <ctype.h>
#include <regex.h>
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
	OPT_SAFE
};

static void help(void)
{
	printf(
"Usage: fund-cat [OPTION]... [FILE]...\n"
"Read CSV (any dialect, any supported encoding) or JSON (any supported\n"
"shape) and write it normalised, in UTF-8, in the format asked for; select\n"
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
"      --head N          the first N rows kept\n"
"      --amounts COLS    write these columns as exact decimal amounts\n"
"                        ('1 234,56 EUR' as 1234.56)\n"
"      --dates COLS      write these columns as ISO dates (2017-06-27)\n"
"      --safe            CSV, TSV and table: prefix text that a spreadsheet\n"
"                        would run as a formula (= + - @) with a quote\n"
"%s"
"\n"
"Exit status: 0 ok, 1 bad data, 2 usage, 3 input/output error.\n"
"\n"
"Examples:\n"
"  fund-cat -o json subventions.csv > subventions.json\n"
"  fund-cat --where 'montant>=23000' --where 'dateConvention>=2017-07-01' -c 1-3,montant subventions.csv\n"
"  fund-cat --in pvd.csv:insee_com:id_terr anct-2019.csv | fund-total -g dotation -s montant_sub\n",
	common_help);
}

/* ---- comparisons ---- */

struct cond {
	struct fund_where w;
	int idx;                 /* in the output table */
};

/* ---- key sets (--in, --not-in) ---- */

struct keyset {
	char *file, *col, *incol;
	int negate, idx;
	struct fund_groups *keys;
};

/* trimmed; all-digit keys without their leading zeros (codes that lost
 * theirs in a spreadsheet still match) */
static const char *norm_key(const char *s, size_t len, size_t *out_len)
{
	size_t i;
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (i = 0; i < len && isdigit((unsigned char)s[i]); i++)
		;
	if (i == len)
		while (len > 1 && *s == '0') {
			s++;
			len--;
		}
	*out_len = len;
	return s;
}

static int keys_bind(void *ctx, const struct fund_reader *r, struct fund_error *err)
{
	struct keyset *k = ctx;
	int c = fund_reader_column(r, k->col, err);
	if (c < 0)
		return c;
	k->idx = c;
	return 0;
}

static int keys_add(void *ctx, const struct fund_record *rec, struct fund_error *err)
{
	struct keyset *k = ctx;
	size_t len, gi;
	const char *s;
	if ((size_t)k->idx >= rec->n)
		return 0;
	s = norm_key(rec->fields[k->idx], rec->len[k->idx], &len);
	if (len && fund_groups_get(k->keys, &s, &len, &gi) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

static void parse_keyset(struct keyset *k, const char *arg, int negate)
{
	const char *a = strrchr(arg, ':'), *b;
	memset(k, 0, sizeof(*k));
	k->negate = negate;
	if (!a || a == arg)
		usage_error("--%s takes FILE:COL[:INCOL], not '%s'", negate ? "not-in" : "in", arg);
	/* FILE:COL, or FILE:COL:INCOL when there are two colons or more */
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
	if (!k->file || !k->col || !k->incol || !*k->col || !*k->incol)
		usage_error("--%s takes FILE:COL[:INCOL], not '%s'", negate ? "not-in" : "in", arg);
}

/* ---- the table ---- */

struct cat {
	struct common *c;
	/* the output columns: the union of the inputs' headers */
	char **names;
	size_t nnames;
	size_t *sel;               /* -c: output column -> union column */
	size_t nsel;
	int *map;                  /* union column -> input column, per input */
	struct cond *w;
	size_t nw;
	struct keyset *ks;
	size_t nks;
	unsigned char *is_amount, *is_date;
	struct fund_amount_ctx *actx;
	int safe, strict, write_failed;
	long head;
	uint64_t written, bad_amounts, bad_dates;
	struct fund_writer *wr;
	struct fund_cell *cells, *out;
	char *buf;                 /* per-column scratch, 128 bytes each */
	char **safebuf;
	const char *file;
	unsigned shown;
	const char **sel_spec;
	size_t nsel_spec;
	const char **amount_spec, **date_spec;
	size_t namount_spec, ndate_spec;
};

static int union_index(const struct cat *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nnames; i++)
		if (!strcmp(t->names[i], name))
			return (int)i;
	return -1;
}

static void add_name(struct cat *t, const char *name)
{
	char **n;
	if (union_index(t, name) >= 0)
		return;
	if (!(n = realloc(t->names, (t->nnames + 1) * sizeof(char *))) || !(n[t->nnames] = strdup(name)))
		usage_error("out of memory");
	t->names = n;
	t->nnames++;
}

/* a column of the union by name (exact, then ignoring case and blanks) or
 * 1-based index: its index, or -1 */
static long resolve(const struct cat *t, const char *spec)
{
	size_t i;
	char *end;
	long v;
	int k = union_index(t, spec);
	if (k >= 0)
		return k;
	for (i = 0; i < t->nnames; i++)
		if (fund_names_match(t->names[i], spec))
			return (long)i;
	v = strtol(spec, &end, 10);
	if (end != spec && !*end && v >= 1 && (size_t)v <= t->nnames)
		return v - 1;
	return -1;
}

static void no_column(const struct cat *t, const char *what, const char *spec)
{
	char list[1500];
	size_t i, o = 0;
	for (i = 0; i < t->nnames && o < sizeof(list) - 100; i++)
		o += (size_t)snprintf(list + o, sizeof(list) - o, "%s'%s'", i ? ", " : "", t->names[i]);
	msg("%s: no column '%s' (the columns: %s)", what, spec, list);
}

/* -c LIST: names, indexes, ranges */
static int select_columns(struct cat *t)
{
	size_t i;
	if (!t->nsel_spec) {
		if (!(t->sel = calloc(t->nnames + 1, sizeof(size_t))))
			return EXIT_IO;
		for (i = 0; i < t->nnames; i++)
			t->sel[t->nsel++] = i;
		return 0;
	}
	for (i = 0; i < t->nsel_spec; i++) {
		const char *s = t->sel_spec[i];
		long k = resolve(t, s), lo, hi;
		char *end;
		size_t *n;
		if (k >= 0) {
			lo = hi = k;
		} else {
			lo = strtol(s, &end, 10);
			if (end == s || *end != '-' || lo < 1) {
				no_column(t, "-c", s);
				return EXIT_DATA;
			}
			s = end + 1;
			hi = *s ? strtol(s, &end, 10) : (long)t->nnames;
			if ((*s && *end) || hi < lo || hi > (long)t->nnames) {
				msg("-c: '%s' is not a range of the %zu columns", t->sel_spec[i], t->nnames);
				return EXIT_DATA;
			}
			lo--;
			hi--;
		}
		if (!(n = realloc(t->sel, (t->nsel + (size_t)(hi - lo) + 2) * sizeof(size_t))))
			return EXIT_IO;
		t->sel = n;
		for (; lo <= hi; lo++)
			t->sel[t->nsel++] = (size_t)lo;
	}
	return 0;
}

static int mark_columns(struct cat *t, const char **spec, size_t n, unsigned char *flags, const char *opt)
{
	size_t i;
	for (i = 0; i < n; i++) {
		long k = resolve(t, spec[i]);
		if (k < 0) {
			no_column(t, opt, spec[i]);
			return EXIT_DATA;
		}
		flags[k] = 1;
	}
	return 0;
}

/* once the union header is known: resolve everything, open the writer */
static int start(struct cat *t)
{
	const char **names;
	size_t i;
	int rc;
	if ((rc = select_columns(t)))
		return rc;
	t->is_amount = calloc(t->nnames + 1, 1);
	t->is_date = calloc(t->nnames + 1, 1);
	t->actx = calloc(t->nnames + 1, sizeof(*t->actx));
	t->cells = calloc(t->nnames + 1, sizeof(*t->cells));
	t->out = calloc(t->nsel + 1, sizeof(*t->out));
	t->buf = malloc((t->nnames + 1) * 128);
	t->safebuf = calloc(t->nsel + 1, sizeof(char *));
	names = calloc(t->nsel + 1, sizeof(char *));
	if (!t->is_amount || !t->is_date || !t->actx || !t->cells || !t->out || !t->buf || !t->safebuf || !names) {
		free(names);
		msg("out of memory");
		return EXIT_IO;
	}
	for (i = 0; i < t->nnames; i++)
		t->actx[i].forced = t->c->decimal;
	if ((rc = mark_columns(t, t->amount_spec, t->namount_spec, t->is_amount, "--amounts")) ||
	    (rc = mark_columns(t, t->date_spec, t->ndate_spec, t->is_date, "--dates"))) {
		free(names);
		return rc;
	}
	for (i = 0; i < t->nw; i++) {
		long k = resolve(t, t->w[i].w.col);
		if (k < 0) {
			no_column(t, "--where", t->w[i].w.col);
			free(names);
			return EXIT_DATA;
		}
		t->w[i].idx = (int)k;
	}
	for (i = 0; i < t->nks; i++) {
		long k = resolve(t, t->ks[i].incol);
		if (k < 0) {
			no_column(t, t->ks[i].negate ? "--not-in" : "--in", t->ks[i].incol);
			free(names);
			return EXIT_DATA;
		}
		t->ks[i].idx = (int)k;
	}
	for (i = 0; i < t->nsel; i++)
		names[i] = t->names[t->sel[i]];
	rc = fund_writer_open(&t->wr, stdout, t->c->out, names, t->nsel);
	free(names);
	if (rc) {
		msg("out of memory");
		return EXIT_IO;
	}
	return 0;
}

static int bind(void *ctx, const struct fund_reader *r, struct fund_error *err)
{
	struct cat *t = ctx;
	size_t i, n = fund_reader_ncols(r);
	int rc;
	if (!t->wr) {
		/* standard input, alone: its header is the table's */
		for (i = 0; i < n; i++)
			add_name(t, fund_reader_colname(r, i));
		if ((rc = start(t)))
			return fund_error_set(err, rc == EXIT_IO ? FUND_ENOMEM : FUND_EUSAGE, "%s", "cannot start");
	}
	free(t->map);
	if (!(t->map = malloc((t->nnames + 1) * sizeof(int))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < t->nnames; i++)
		t->map[i] = -1;
	for (i = 0; i < n; i++) {
		int k = union_index(t, fund_reader_colname(r, i));
		if (k < 0)
			return fund_error_set(err, FUND_EUSAGE, "%s: column '%s' is not in the other inputs (read "
					      "standard input alone, or name it as a file)", fund_reader_name(r),
					      fund_reader_colname(r, i));
		if (t->map[k] < 0)
			t->map[k] = (int)i;
	}
	t->file = fund_reader_name(r);
	return 0;
}

static int problem(struct cat *t, const struct fund_record *rec, size_t col, const char *what,
		   struct fund_error *err)
{
	struct fund_error e;
	char q[300];
	fund_error_set(&e, FUND_EDATA, "%s:%lu: column '%s': cannot read '%s' as %s%s", t->file, rec->line,
		       t->names[col], fund_quote(q, sizeof(q), t->cells[col].s, t->cells[col].len), what,
		       t->strict ? "" : ": written as it is");
	e.line = rec->line;
	if (t->strict) {
		*err = e;
		return FUND_EDATA;
	}
	diag_print(&t->shown, FUND_DIAG_AMOUNT, &e);
	return 0;
}

/* a cell a spreadsheet would evaluate: = + - @ TAB CR first, unless the
 * whole cell is a plain number */
static int risky(const char *s, size_t len)
{
	size_t i = 1;
	int digits = 0, marks = 0;
	if (!len || !strchr("=+-@\t\r", s[0]))
		return 0;
	if (s[0] != '-' && s[0] != '+')
		return 1;
	for (; i < len; i++) {
		if (isdigit((unsigned char)s[i]))
			digits++;
		else if ((s[i] == '.' || s[i] == ',') && !marks)
			marks++;
		else
			return 1;
	}
	return digits == 0;
}

static int add(void *ctx, const struct fund_record *rec, struct fund_error *err)
{
	struct cat *t = ctx;
	size_t i;
	if (t->head >= 0 && t->written >= (uint64_t)t->head)
		return 1;
	if (fund_record_is_blank(rec))
		return 0;   /* a spreadsheet's blank row */
	for (i = 0; i < t->nnames; i++) {
		int k = t->map[i];
		struct fund_cell *c = &t->cells[i];
		c->type = FUND_CELL_TEXT;
		if (k < 0 || (size_t)k >= rec->n || (rec->is_null && rec->is_null[k])) {
			c->s = NULL;
			c->len = 0;
		} else {
			c->s = rec->fields[k];
			c->len = rec->len[k];
		}
	}
	for (i = 0; i < t->nw; i++)
		if (!fund_where_holds(&t->w[i].w, t->cells[t->w[i].idx].s, t->cells[t->w[i].idx].len))
			return 0;
	for (i = 0; i < t->nks; i++) {
		const struct fund_cell *c = &t->cells[t->ks[i].idx];
		size_t len = 0, gi;
		const char *s = c->s ? norm_key(c->s, c->len, &len) : "";
		int found = len && fund_groups_find(t->ks[i].keys, &s, &len, &gi);
		if (found == t->ks[i].negate)
			return 0;
	}
	for (i = 0; i < t->nnames; i++) {
		struct fund_cell *c = &t->cells[i];
		char *b = t->buf + i * 128;
		if (!c->s || (!t->is_amount[i] && !t->is_date[i]))
			continue;
		if (t->is_amount[i]) {
			struct fund_amount a;
			int st = fund_amount_parse(c->s, c->len, &t->actx[i], &a);
			if (st == FUND_AMOUNT_MISSING) {
				c->s = NULL;
			} else if (st == FUND_AMOUNT_OK && fund_amount_format(b, 128, a.units, a.scale, a.scale, 0) >= 0) {
				c->s = b;
				c->len = strlen(b);
				c->type = FUND_CELL_NUMBER;
			} else {
				t->bad_amounts++;
				if (problem(t, rec, i, "an amount", err))
					return FUND_EDATA;
			}
		} else {
			struct fund_date d;
			int st = fund_date_parse(c->s, c->len, &d);
			if (st == 1) {
				c->s = NULL;
			} else if (st == 0) {
				snprintf(b, 128, "%04d-%02d-%02d", d.year, d.month, d.day);
				c->s = b;
				c->len = 10;
			} else {
				t->bad_dates++;
				if (problem(t, rec, i, "a date", err))
					return FUND_EDATA;
			}
		}
	}
	for (i = 0; i < t->nsel; i++) {
		t->out[i] = t->cells[t->sel[i]];
		if (t->safe && t->out[i].s && t->out[i].type == FUND_CELL_TEXT && risky(t->out[i].s, t->out[i].len)) {
			char *nb = realloc(t->safebuf[i], t->out[i].len + 2);
			if (!nb)
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			t->safebuf[i] = nb;
			nb[0] = '\'';
			memcpy(nb + 1, t->out[i].s, t->out[i].len);
			nb[t->out[i].len + 1] = '\0';
			t->out[i].s = nb;
			t->out[i].len++;
		}
	}
	if (fund_writer_row(t->wr, t->out)) {
		/* said once, with its reason, by main() */
		t->write_failed = 1;
		return 1;
	}
	t->written++;
	if (t->head >= 0 && t->written >= (uint64_t)t->head)
		return 1;
	return 0;
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
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct common c = { 0 };
	struct cat t;
	int opt, rc = 0, i;
	size_t k;

	memset(&t, 0, sizeof(t));
	t.c = &c;
	t.head = -1;
	while ((opt = getopt_long(argc, argv, "c:" COMMON_SHORT, longopts, NULL)) != -1) {
		if (common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 'c': add_columns(&t.sel_spec, &t.nsel_spec, optarg); break;
		case OPT_WHERE: {
			struct cond *n = realloc(t.w, (t.nw + 1) * sizeof(*n));
			struct fund_error we = { 0 };
			if (!n)
				usage_error("out of memory");
			t.w = n;
			if (fund_where_parse(&t.w[t.nw].w, optarg, &we) < 0)
				usage_error("%s", we.msg);
			t.nw++;
			break;
		}
		case OPT_IN:
		case OPT_NOT_IN: {
			struct keyset *n = realloc(t.ks, (t.nks + 1) * sizeof(*n));
			if (!n)
				usage_error("out of memory");
			t.ks = n;
			parse_keyset(&t.ks[t.nks++], optarg, opt == OPT_NOT_IN);
			break;
		}
		case OPT_HEAD: t.head = parse_count("--head", optarg, LONG_MAX); break;
		case OPT_AMOUNTS: add_columns(&t.amount_spec, &t.namount_spec, optarg); break;
		case OPT_DATES: add_columns(&t.date_spec, &t.ndate_spec, optarg); break;
		case OPT_SAFE: t.safe = 1; break;
		default: usage_error("unexpected option");
		}
	}
	t.strict = c.strict;
	/* the key sets */
	for (k = 0; k < t.nks && !rc; k++) {
		char *f[1] = { t.ks[k].file };
		if (fund_groups_new(&t.ks[k].keys, 1, 1)) {
			msg("out of memory");
			rc = EXIT_IO;
			break;
		}
		rc = read_inputs(&(struct input_loop){ .ropts = &c.ropts, .bind = keys_bind, .add = keys_add, .ctx = &t.ks[k], .quiet = 1 }, f, 1);
	}
	/* the union of the headers, when the inputs are files */
	for (i = optind; i < argc && !rc; i++) {
		struct fund_reader *r = NULL;
		struct fund_error err = { 0 };
		size_t j;
		if (!strcmp(argv[i], "-")) {
			if (argc - optind > 1) {
				msg("standard input goes alone: fund-cat aligns files by their headers, read first");
				rc = EXIT_USAGE;
			}
			break;
		}
		if (fund_reader_open(&r, argv[i], &c.ropts, &err) < 0) {
			rc = report(&err);
			break;
		}
		for (j = 0; j < fund_reader_ncols(r); j++)
			add_name(&t, fund_reader_colname(r, j));
		fund_reader_close(&r);
	}
	if (!rc && optind < argc && strcmp(argv[optind], "-") && t.nnames)
		rc = start(&t);
	if (!rc)
		rc = read_inputs(&(struct input_loop){ .ropts = &c.ropts, .bind = bind, .add = add, .ctx = &t, .quiet = c.quiet }, argv + optind, argc - optind);
	/* no header anywhere (JSON without records): nothing to write */
	if (!rc && t.write_failed)
		rc = EXIT_IO;
	if (!rc && t.wr && fund_writer_finish(t.wr))
		rc = EXIT_IO;
	if ((t.bad_amounts || t.bad_dates) && !(t.strict && rc))
		msg("summary: %llu rows written; %llu unreadable amounts and %llu unreadable dates written as they were",
		    (unsigned long long)t.written, (unsigned long long)t.bad_amounts, (unsigned long long)t.bad_dates);
	fund_writer_free(&t.wr);
	for (k = 0; k < t.nnames; k++)
		free(t.names[k]);
	free(t.names);
	for (k = 0; k < t.nw; k++)
		fund_where_release(&t.w[k].w);
	free(t.w);
	for (k = 0; k < t.nks; k++) {
		free(t.ks[k].file);
		free(t.ks[k].col);
		free(t.ks[k].incol);
		fund_groups_free(&t.ks[k].keys);
	}
	free(t.ks);
	for (k = 0; k < t.nsel; k++)
		free(t.safebuf ? t.safebuf[k] : NULL);
	free(t.safebuf);
	free(t.sel);
	free(t.map);
	free(t.is_amount);
	free(t.is_date);
	free(t.actx);
	free(t.cells);
	free(t.out);
	free(t.buf);
	while (t.nsel_spec)
		free((void *)t.sel_spec[--t.nsel_spec]);
	free(t.sel_spec);
	while (t.namount_spec)
		free((void *)t.amount_spec[--t.namount_spec]);
	free(t.amount_spec);
	while (t.ndate_spec)
		free((void *)t.date_spec[--t.ndate_spec]);
	free(t.date_spec);
	return rc;
}
