/* Validation against a Table Schema (lib/schema.c), and the checks beyond
 * it: header, cells, payment periods, shares, hidden total rows,
 * duplicates. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"
#include "schema.h"
#include "banned.h"

/* ---- the checker ---- */

struct fund_check {
	struct fund_check_opts o;
	const struct fund_schema *s;
	const struct fund_reader *r;  /* while rows are added */
	char *file;                  /* the input's name and header, copied: */
	char **names;                /* findings at its end come after its reader */
	size_t ncols;
	size_t named;               /* the header's names that are not blank */
	char **sheet_cols;           /* a spreadsheet's header, for the cells */
	size_t *hlen;                /* the header's names' lengths, blanks trimmed */
	const char **hname;          /* their starts */
	int *fcol;                  /* per schema field: input column, or -1 */
	int amount_idx, period_idx, share_idx, share_field, amount_in_schema;
	struct fund_amount_ctx actx;
	struct fund_sum running;
	uint64_t running_n;
	int *dup_idx;
	size_t ndup;
	int dup_pkey;
	/* the rows seen, for duplicates: a 128-bit hash of their key and
	 * their line (0: a free slot), 24 bytes a row whatever its width */
	struct dupslot { uint64_t a, b; unsigned long line; } *dups;
	size_t dups_cap, dups_n;
	int (*oneof)[2];
	struct fund_check_summary sum;
	/* "dont" lines: the row they break down, their sum so far */
	struct fund_amount dont_parent;
	int have_parent;
	unsigned long dont_parent_line, dont_first, dont_last;
	char *dont_label;            /* the row's first label as read (quoted when said) */
	size_t dont_llen, dont_lcap;
	int dont_has_label;
	struct fund_sum dont_sum;
	uint64_t dont_n;
	int stop;
	char q[300];                 /* a value quoted for a message, cut as fund_quote cuts */
	/* a part read on a thread (fund_check_fork): the header's state is
	 * its main checker's (hdr); its findings and what the checks that
	 * run from row to row need of its rows are kept for the merge */
	struct fund_check *main;
	/* the main checker's: the facts and labels of parts freed, for
	 * the next parts (memory already there, not fresh pages) */
	struct fund_spares *spare_facts, *spare_labels;
	struct kept *kept;
	size_t nkept, capkept;
	struct rowfact *facts;
	size_t nfacts, capfacts;
	char *labels;                /* the facts' labels, end to end */
	size_t nlabels, caplabels;
	struct rulekey {
		const char *rule, *column;
		unsigned long n;         /* made in full */
		uint64_t more[3];        /* past per_rule, by severity (o.counted) */
	} *keys;
	size_t nkeys, capkeys;       /* the part's findings a rule and column */
	unsigned long line_base;     /* what the part's line numbers lack */
};

/* A finding a part made, said when it is merged: in full, or (value and
 * message NULL) counted only, past the per-rule limit. */
struct kept {
	unsigned long line;
	const char *column, *rule;   /* the main checker's names, a literal */
	char *value, *message;
	size_t row;                  /* the part's row it was made on */
	enum fund_severity sev;
};

/* What the checks that carry from row to row ("dont" blocks, total
 * rows, duplicates) need of a row. */
struct rowfact {
	unsigned long line;
	struct fund_h128 h;
	struct fund_amount x;
	int st;                      /* x's fund_amount_parse status; -1: no amount column */
	unsigned char skip;          /* blank, the header again, or checking stopped */
	unsigned char is_dont;       /* a part of the row above */
	unsigned char labelled;      /* a field says "total" (known in full when others is 0) */
	unsigned char others;        /* a field other than the amount is no amount */
	unsigned char multi;         /* more than one field */
	unsigned char has_label;
	const char *label, *amount;  /* the first label (not "dont"), the amount as read */
	size_t llen, alen;
	size_t loff, aoff;           /* a part's: where they are in its labels */
};

int fund_check_new(struct fund_check **out, const struct fund_check_opts *o)
{
	struct fund_check *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return FUND_ENOMEM;
	c->o = *o;
	c->s = o->schema;
	*out = c;
	return 0;
}

static void reset_file(struct fund_check *c)
{
	size_t i;
	for (i = 0; c->names && i < c->ncols; i++)
		free(c->names[i]);
	free(c->names);
	c->names = NULL;
	free(c->file);
	c->file = NULL;
	for (i = 0; c->sheet_cols && i < c->ncols; i++)
		free(c->sheet_cols[i]);
	free(c->sheet_cols);
	c->sheet_cols = NULL;
	free(c->hlen);
	free(c->hname);
	c->hlen = NULL;
	c->hname = NULL;
	free(c->fcol);
	free(c->dup_idx);
	fund_table_free(c->dups, c->dups_cap * sizeof(*c->dups));
	free(c->oneof);
	c->fcol = NULL;
	c->dup_idx = NULL;
	c->dups = NULL;
	c->dups_cap = c->dups_n = 0;
	c->oneof = NULL;
	c->ndup = 0;
	memset(&c->running, 0, sizeof(c->running));
	c->running_n = 0;
	memset(&c->actx, 0, sizeof(c->actx));
	c->actx.forced = c->o.decimal;
}

static void part_free(struct fund_check *p);

void fund_check_free(struct fund_check **cp)
{
	struct fund_check *c = cp ? *cp : NULL;
	if (!c)
		return;
	*cp = NULL;
	if (c->main) {
		part_free(c);
		return;
	}
	reset_file(c);
	fund_spares_free(&c->spare_facts);
	fund_spares_free(&c->spare_labels);
	free(c->dont_label);
	free(c);
}

void fund_check_summary(const struct fund_check *c, struct fund_check_summary *out)
{
	*out = c->sum;
}

static int find_full(struct fund_check *c, unsigned long line, const char *column, const char *value, size_t vlen,
		     const char *rule, enum fund_severity sev, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* 1 when the finding is to be made (its message formatted, its value
 * copied, its arguments quoted), 0 when the caller's wanted counted it */
static int keep(struct fund_check *c, unsigned long line, const char *column, const char *rule, enum fund_severity sev,
		char *value, char *message)
{
	struct kept *k;
	if (c->nkept == c->capkept) {
		size_t cap = c->capkept ? 2 * c->capkept : 64;
		struct kept *n = realloc(c->kept, cap * sizeof(*n));
		if (!n) {
			free(value);
			free(message);
			return c->stop = FUND_ENOMEM;
		}
		c->kept = n;
		c->capkept = cap;
	}
	k = &c->kept[c->nkept++];
	k->line = line;
	k->column = column;
	k->rule = rule;
	k->sev = sev;
	k->value = value;
	k->message = message;
	k->row = c->nfacts;
	return 0;
}

static int same_name(const char *a, const char *b)
{
	return a == b || !strcmp(a ? a : "", b ? b : "");
}

/* A part's wanted: the first o.per_rule findings of a rule and column
 * made in full (only they can be among the first per_rule of the file),
 * the others kept to be counted at the merge. */
static int part_wanted(struct fund_check *c, unsigned long line, const char *rule, const char *column,
		       enum fund_severity sev)
{
	size_t i;
	if (!c->o.per_rule)
		return 1;
	for (i = c->nkeys; i-- > 0;)
		if (same_name(c->keys[i].rule, rule) && same_name(c->keys[i].column, column))
			break;
	if (i == (size_t)-1) {
		if (c->nkeys == c->capkeys) {
			size_t cap = c->capkeys ? 2 * c->capkeys : 16;
			struct rulekey *n = realloc(c->keys, cap * sizeof(*n));
			if (!n) {
				c->stop = FUND_ENOMEM;
				return 0;
			}
			c->keys = n;
			c->capkeys = cap;
		}
		i = c->nkeys++;
		memset(&c->keys[i], 0, sizeof(c->keys[i]));
		c->keys[i].rule = rule;
		c->keys[i].column = column;
	}
	if (c->keys[i].n < c->o.per_rule) {
		c->keys[i].n++;
		return 1;
	}
	if (c->o.counted)
		c->keys[i].more[sev]++;
	else
		keep(c, line, column, rule, sev, NULL, NULL);
	return 0;
}

static int wanted(struct fund_check *c, unsigned long line, const char *rule, const char *column,
		  enum fund_severity sev)
{
	int rc;
	if (c->stop)
		return 0;
	if (c->main)
		return part_wanted(c, line, rule, column, sev);
	if (!c->o.wanted || (rc = c->o.wanted(c->o.ctx, rule, column, sev)) == 1)
		return 1;
	if (sev == FUND_SEV_ERROR)
		c->sum.errors++;
	else
		c->sum.warnings++;
	if (rc)
		c->stop = rc;
	return 0;
}

/* A finding: made only when it is wanted (the arguments are not even
 * computed otherwise).  Returns c->stop. */
#define find(c, line, column, value, vlen, rule, sev, ...) \
	(wanted((c), (line), (rule), (column), (sev)) ? find_full((c), (line), (column), (value), (vlen), (rule), (sev), __VA_ARGS__) \
					    : (c)->stop)

/* A finding made, to the report */
static int emit(struct fund_check *c, unsigned long line, const char *column, const char *value, const char *rule,
		enum fund_severity sev, const char *message)
{
	struct fund_finding f;
	int rc;
	f.file = c->file;
	f.line = line;
	f.column = column;
	f.value = value;
	f.rule = rule;
	f.severity = sev;
	f.message = message;
	f.cell = 0;
	if (c->sheet_cols && line && column) {
		size_t k;
		for (k = 0; k < c->ncols && c->sheet_cols[k]; k++)
			if (!strcmp(c->sheet_cols[k], column)) {
				f.cell = k + 1;
				break;
			}
	}
	if (sev == FUND_SEV_ERROR)
		c->sum.errors++;
	else
		c->sum.warnings++;
	rc = c->o.report ? c->o.report(c->o.ctx, &f) : 0;
	if (rc)
		c->stop = rc;
	return rc;
}

static int find_full(struct fund_check *c, unsigned long line, const char *column, const char *value, size_t vlen,
		     const char *rule, enum fund_severity sev, const char *fmt, ...)
{
	va_list ap;
	char *v = NULL, *m = NULL;
	int rc, n;
	if (c->stop)
		return c->stop;
	va_start(ap, fmt);
	n = vasprintf(&m, fmt, ap);   /* a message of any length */
	va_end(ap);
	if (n < 0 || (value && !(v = strndup(value, vlen)))) {
		if (n >= 0)
			free(m);
		return c->stop = FUND_ENOMEM;
	}
	if (c->main)
		return keep(c, line, column, rule, sev, v, m);
	rc = emit(c, line, column, v, rule, sev, m);
	free(v);
	free(m);
	return rc;
}

/* Levenshtein distance of two short lowercase names (capped) */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[64], prev, tmp;
	if (la > 60 || lb > 60)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			tmp = d[j];
			d[j] = d[j] + 1 < d[j - 1] + 1 ? d[j] + 1 : d[j - 1] + 1;
			if (prev + cost < d[j])
				d[j] = prev + cost;
			prev = tmp;
		}
	}
	return d[lb];
}

static const char *colname(const struct fund_check *c, size_t k)
{
	return k < c->ncols ? c->names[k] : "";
}

/* s[0..len) without the blanks (space, tab) around it: its start, *out its length */
static const char *trimmed(const char *s, size_t len, size_t *out)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	*out = len;
	return s;
}

/* fund_blank, its call saved for the cells that start with no blank */
static inline int blank_cell(const char *s, size_t len)
{
	return !len || ((s[0] == ' ' || s[0] == '\t') && fund_blank(s, len));
}

/* s[0..len) is the name of column k (fund_names_match: blanks around
 * and ASCII case aside) */
static int name_is(const struct fund_check *c, size_t k, const char *s, size_t len)
{
	size_t i;
	/* most cells are no name: too short, or not its first letter */
	if (len < c->hlen[k] || (c->hlen[k] && s[0] != ' ' && s[0] != '\t' && (s[0] | 0x20) != (c->hname[k][0] | 0x20)))
		return 0;
	s = trimmed(s, len, &len);
	if (len != c->hlen[k])
		return 0;
	for (i = 0; i < len; i++) {
		char x = s[i], y = c->hname[k][i];
		if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

static int header_checks(struct fund_check *c)
{
	const struct fund_schema *s = c->s;
	unsigned char *used = calloc(c->ncols + 1, 1);
	size_t i, k;
	int last = -1, order_ok = 1;

	if (!used)
		return FUND_ENOMEM;
	/* exact names first */
	for (i = 0; i < s->n; i++) {
		c->fcol[i] = -1;
		for (k = 0; k < c->ncols; k++)
			if (!used[k] && !strcmp(colname(c, k), s->f[i].name)) {
				c->fcol[i] = (int)k;
				used[k] = 1;
				break;
			}
	}
	/* then near names: misnamed, checked all the same */
	for (i = 0; i < s->n; i++) {
		size_t best = 99, bk = 0;
		if (c->fcol[i] >= 0)
			continue;
		for (k = 0; k < c->ncols; k++) {
			size_t d;
			if (used[k])
				continue;
			d = fund_names_match(colname(c, k), s->f[i].name) ? 0 : distance(colname(c, k), s->f[i].name);
			if (d < best) {
				best = d;
				bk = k;
			}
		}
		if (best <= (strlen(s->f[i].name) >= 8 ? 3u : 1u)) {
			c->fcol[i] = (int)bk;
			used[bk] = 1;
			if (find(c, 1, colname(c, bk), NULL, 0, "column-name", FUND_SEV_ERROR,
				 "misnamed: the schema calls it '%s'", s->f[i].name))
				break;
		} else if (find(c, 1, s->f[i].name, NULL, 0, "missing-column",
				s->f[i].required ? FUND_SEV_ERROR : FUND_SEV_WARNING,
				"missing (%s in the schema)", s->f[i].required ? "required" : "optional")) {
			break;
		}
	}
	for (k = 0; k < c->ncols && !c->stop; k++)
		if (!used[k])
			find(c, 1, colname(c, k), NULL, 0, "extra-column", FUND_SEV_ERROR, "not in the schema (%s)",
			     s->title);
	for (i = 0; i < s->n; i++) {
		if (c->fcol[i] < 0)
			continue;
		if (c->fcol[i] < last)
			order_ok = 0;
		last = c->fcol[i];
	}
	if (!order_ok && !c->stop)
		find(c, 1, NULL, NULL, 0, "column-order", FUND_SEV_WARNING,
		     "the columns are not in the schema's order (readers that go by position will misread them)");
	free(used);
	return c->stop;
}

/* a column by name, ignoring case and blanks: index or -1 */
static int column_like(const struct fund_check *c, const char *name)
{
	size_t k;
	for (k = 0; k < c->ncols; k++)
		if (fund_names_match(colname(c, k), name))
			return (int)k;
	return -1;
}

int fund_check_bind(struct fund_check *c, const struct fund_reader *r, struct fund_error *err)
{
	size_t i;
	static const char *const dupcols[] = { "idAttribuant", "nomAttribuant", "dateConvention", "referenceDecision",
		"idBeneficiaire", "nomBeneficiaire", "objet", "montant" };
	reset_file(c);
	c->r = r;
	c->ncols = fund_reader_ncols(r);
	c->stop = 0;
	if (!(c->file = strdup(fund_reader_name(r))) || !(c->names = calloc(c->ncols + 1, sizeof(*c->names))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < c->ncols; i++)
		if (!(c->names[i] = strdup(fund_reader_colname(r, i))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (!(c->hlen = calloc(c->ncols + 1, sizeof(*c->hlen))) || !(c->hname = calloc(c->ncols + 1, sizeof(*c->hname))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0, c->named = 0; i < c->ncols; i++) {
		c->named += !fund_blank(colname(c, i), strlen(colname(c, i)));
		c->hname[i] = trimmed(colname(c, i), strlen(colname(c, i)), &c->hlen[i]);
	}
	if (fund_reader_book(r)) {
		/* the findings of a sheet name their cell */
		if (!(c->sheet_cols = calloc(c->ncols + 1, sizeof(char *))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		for (i = 0; i < c->ncols; i++)
			if (!(c->sheet_cols[i] = strdup(fund_reader_colname(r, i))))
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	c->amount_idx = c->o.amount_col ? column_like(c, c->o.amount_col) : column_like(c, "montant");
	if (c->o.amount_col && c->amount_idx < 0) {
		int k = fund_reader_column(r, c->o.amount_col, err);
		if (k < 0)
			return k;
		c->amount_idx = k;
	}
	c->amount_in_schema = 0;
	c->period_idx = column_like(c, "datesPeriodeVersement");
	c->share_idx = column_like(c, "pourcentageSubvention");
	c->share_field = -1;
	if (c->s) {
		if (!(c->fcol = calloc(c->s->n + 1, sizeof(int))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		if (header_checks(c) == FUND_ENOMEM)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		for (i = 0; i < c->s->n; i++) {
			if (c->fcol[i] >= 0 && c->fcol[i] == c->share_idx)
				c->share_field = (int)i;
			if (c->fcol[i] >= 0 && c->fcol[i] == c->amount_idx)
				c->amount_in_schema = 1;
		}
		if (c->s->noneof && !(c->oneof = calloc(c->s->noneof, sizeof(*c->oneof))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		for (i = 0; i < c->s->noneof; i++) {
			c->oneof[i][0] = column_like(c, c->s->oneof[2 * i]);
			c->oneof[i][1] = column_like(c, c->s->oneof[2 * i + 1]);
		}
	}
	/* duplicates: the primary key, else the columns that make a
	 * convention (SCDL), else the whole row */
	if (!(c->dup_idx = calloc(c->ncols + 8, sizeof(int))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	c->dup_pkey = c->s && c->s->pkey.n;
	if (c->dup_pkey) {
		for (i = 0; i < c->s->pkey.n; i++) {
			int k = column_like(c, c->s->pkey.v[i]);
			if (k >= 0)
				c->dup_idx[c->ndup++] = k;
		}
	} else {
		for (i = 0; i < sizeof(dupcols) / sizeof(dupcols[0]); i++) {
			int k = column_like(c, dupcols[i]);
			if (k >= 0)
				c->dup_idx[c->ndup++] = k;
		}
		if (c->ndup < 4) {
			c->ndup = 0;
			for (i = 0; i < c->ncols; i++)
				c->dup_idx[c->ndup++] = (int)i;
		}
	}
	if (c->ndup && !(c->dups = fund_table_alloc((c->dups_cap = 1024) * sizeof(*c->dups))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return c->stop == FUND_EIO ? fund_error_set(err, FUND_EIO, "write error") : 0;
}

/* ---- cells ---- */

static const char *q(struct fund_check *c, const char *s, size_t len)
{
	return fund_quote(c->q, sizeof(c->q), s, len);
}

/* Table Schema number: sign, digits (groups), decimal part, exponent; or
 * NaN, INF, -INF.  bare 0 allows non-numeric text around it. */
static int number(const struct field *f, const char *s, size_t len, double *out)
{
	char buf[128];
	size_t i = 0, o = 0;
	int digits = 0;
	if (!f->bare) {
		while (len && !isdigit((unsigned char)s[0]) && s[0] != '-' && s[0] != '+' && s[0] != f->decimal) {
			s++;
			len--;
		}
		while (len && !isdigit((unsigned char)s[len - 1]))
			len--;
	}
	if (len == 3 && !memcmp(s, "NaN", 3)) {
		if (out)
			*out = NAN;
		return 0;
	}
	if ((len == 3 && !memcmp(s, "INF", 3)) || (len == 4 && !memcmp(s, "-INF", 4))) {
		if (out)
			*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (len >= sizeof(buf) - 1)
		return -1;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		buf[o++] = s[i++];
	for (; i < len && (isdigit((unsigned char)s[i]) || (f->group && s[i] == f->group && digits)); i++)
		if (isdigit((unsigned char)s[i])) {
			buf[o++] = s[i];
			digits++;
		}
	if (i < len && s[i] == f->decimal) {
		buf[o++] = '.';
		for (i++; i < len && isdigit((unsigned char)s[i]); i++, digits++)
			buf[o++] = s[i];
	}
	if (!digits)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		buf[o++] = 'e';
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			buf[o++] = s[i++];
		if (i >= len || !isdigit((unsigned char)s[i]))
			return -1;
		for (; i < len && isdigit((unsigned char)s[i]); i++)
			buf[o++] = s[i];
	}
	if (i != len)
		return -1;
	buf[o] = '\0';
	if (out)    /* NULL: the form only (no bounds to compare it with) */
		*out = strtod(buf, NULL);
	return 0;
}

/* ISO date YYYY-MM-DD: 0 ok, 1 well formed but no such day, -1 not that form */
static int iso_date(const char *s, size_t len, struct fund_date *d)
{
	char b[11];
	if (len != 10 || s[4] != '-' || s[7] != '-' || !fund_all_digits(s, 4) || !fund_all_digits(s + 5, 2) ||
	    !fund_all_digits(s + 8, 2))
		return -1;
	memcpy(b, s, 10);
	b[10] = '\0';
	return fund_date_parse(b, 10, d) == 0 ? 0 : 1;
}

/* a date in a strptime-like format (%Y %m %d and literal characters) */
static int fmt_date(const char *fmt, const char *s, size_t len)
{
	struct fund_date d = { 0, 0, 0 };
	size_t i = 0, isolen;
	char iso[FUND_DATE_TEXT];
	for (; *fmt; fmt++) {
		if (*fmt == '%' && fmt[1]) {
			int n = fmt[1] == 'Y' ? 4 : 2, v = 0, k;
			fmt++;
			for (k = 0; k < n; k++, i++) {
				if (i >= len || !isdigit((unsigned char)s[i]))
					return -1;
				v = v * 10 + (s[i] - '0');
			}
			if (*fmt == 'Y')
				d.year = v;
			else if (*fmt == 'm')
				d.month = v;
			else if (*fmt == 'd')
				d.day = v;
			else
				return -1;
		} else if (i >= len || s[i++] != *fmt) {
			return -1;
		}
	}
	if (i != len)
		return -1;
	isolen = fund_ymd(iso, d.year % 10000, d.month % 100, d.day % 100);
	return isolen == 10 && fund_date_parse(iso, 10, &d) == 0 ? 0 : 1;
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static int is_missing(const struct fund_check *c, const char *s, size_t len)
{
	return fund_strlist_has(&c->s->missing, s, len);
}

/* the checks of one cell against its field; sets *bounds when min/max
 * failed */
static void check_cell(struct fund_check *c, const struct field *f, const char *col, unsigned long line,
		       const char *s, size_t len, int *bounds)
{
	double x = 0;
	struct fund_date d;
	int r, numeric = 0;

	if (is_missing(c, s, len)) {
		if (f->required)
			find(c, line, col, s, len, "required", FUND_SEV_ERROR, "a value is required");
		return;
	}
	switch (f->type) {
	case T_NUMBER:
		if (number(f, s, len, f->has_min || f->has_max ? &x : NULL) < 0) {
			char grp[32] = ", no digit grouping";
			if (f->group)
				if (fund_fmt(grp, sizeof(grp), ", digits grouped by '%c'", f->group) < 0)
					grp[0] = '\0';
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a number (decimal mark '%c'%s)",
			     q(c, s, len), f->decimal, grp);
			return;
		}
		numeric = 1;
		break;
	case T_INTEGER: {
		size_t i = len && (s[0] == '-' || s[0] == '+');
		if (!fund_all_digits(s + i, len - i)) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a whole number", q(c, s, len));
			return;
		}
		x = strtod(s, NULL);
		numeric = 1;
		break;
	}
	case T_BOOLEAN:
		if (!fund_strlist_has(&f->truev, s, len) && !fund_strlist_has(&f->falsev, s, len)) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a boolean (%s%s%s or %s%s%s)",
			     q(c, s, len), f->truev.n ? "'" : "", f->truev.n ? f->truev.v[0] : "", f->truev.n ? "'" : "",
			     f->falsev.n ? "'" : "", f->falsev.n ? f->falsev.v[0] : "", f->falsev.n ? "'" : "");
			return;
		}
		break;
	case T_DATE:
		if (f->format && !strcmp(f->format, "any"))
			r = fund_date_parse(s, len, &d) == 0 ? 0 : -1;
		else if (f->format)
			r = fmt_date(f->format, s, len);
		else
			r = iso_date(s, len, &d);
		if (r < 0) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a date in the form %s", q(c, s, len),
			     f->format && strcmp(f->format, "any") ? f->format : "YYYY-MM-DD");
			return;
		}
		if (r > 0) {
			find(c, line, col, s, len, "date", FUND_SEV_ERROR, "'%s' is not a day that exists", q(c, s, len));
			return;
		}
		break;
	case T_DATETIME:
		if (len < 19 || (s[10] != 'T' && s[10] != ' ') || (r = iso_date(s, 10, &d)) < 0 || s[13] != ':' ||
		    s[16] != ':' || !fund_all_digits(s + 11, 2) || !fund_all_digits(s + 14, 2) || !fund_all_digits(s + 17, 2)) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a date and time (YYYY-MM-DDThh:mm:ss)",
			     q(c, s, len));
			return;
		}
		if (r > 0) {
			find(c, line, col, s, len, "date", FUND_SEV_ERROR, "'%s' is not a day that exists", q(c, s, len));
			return;
		}
		break;
	case T_YEAR:
		if (len != 4 || !fund_all_digits(s, 4)) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a year", q(c, s, len));
			return;
		}
		x = strtod(s, NULL);
		numeric = 1;
		break;
	default:
		break;
	}
	if (f->type == T_STRING && f->has_re) {
		/* the cell in place, its length given (REG_STARTEND): a NUL
		 * in it is a character like another */
		regmatch_t m[1] = { { 0, (regoff_t)len } };
		int rc;
		/* glibc's regexec says "no match" when it cannot allocate:
		 * malloc's errno tells */
		errno = 0;
		if (f->sre)
			rc = fund_sre_match(f->sre, s, len) ? 0 : REG_NOMATCH;
		else if ((rc = regexec(&f->re, s, 1, m, REG_STARTEND)) == REG_ESPACE ||
			 (rc == REG_NOMATCH && errno == ENOMEM)) {
			c->stop = FUND_ENOMEM;
			return;
		}
		if (rc != 0)
			find(c, line, col, s, len, "pattern", FUND_SEV_ERROR, "'%s' does not match the pattern '%s'",
			     q(c, s, len), f->pattern);
	}
	if (f->enums.n && !fund_strlist_has(&f->enums, s, len)) {
		/* the schema's values, the first twenty in full */
		char *list = NULL;
		size_t i;
		int bad = 0;
		for (i = 0; i < f->enums.n && i < 20; i++)
			bad |= fund_str_append(&list, "%s'%s'", i ? ", " : "", f->enums.v[i]);
		if (f->enums.n > 20)
			bad |= fund_str_append(&list, " and %zu more", f->enums.n - 20);
		find(c, line, col, s, len, "enum", FUND_SEV_ERROR, "'%s' is not one of %s", q(c, s, len),
		     bad || !list ? "the schema's values" : list);
		free(list);
	}
	/* characters counted only when the bytes do not settle it (no
	 * fewer bytes than characters) */
	if (f->minlen >= 0 && (len < (size_t)f->minlen || utf8_chars(s, len) < (size_t)f->minlen))
		find(c, line, col, s, len, "length", FUND_SEV_ERROR, "%zu characters, fewer than %ld",
		     utf8_chars(s, len), f->minlen);
	if (f->maxlen >= 0 && len > (size_t)f->maxlen && utf8_chars(s, len) > (size_t)f->maxlen)
		find(c, line, col, s, len, "length", FUND_SEV_ERROR, "%zu characters, more than %ld",
		     utf8_chars(s, len), f->maxlen);
	if (numeric && f->has_min && x < f->min) {
		char b[400];
		fund_double_text(b, sizeof(b), f->min);
		*bounds = 1;
		find(c, line, col, s, len, "minimum", FUND_SEV_ERROR, "'%s' is below the minimum %s", q(c, s, len), b);
	}
	if (numeric && f->has_max && x > f->max) {
		char b[400];
		fund_double_text(b, sizeof(b), f->max);
		*bounds = 1;
		find(c, line, col, s, len, "maximum", FUND_SEV_ERROR, "'%s' is above the maximum %s%s", q(c, s, len), b,
		     f->max == 1 && x > 1 && x <= 100 ? " (a percentage? the schema wants a share: 80 % is 0.8)" : "");
	}
	if (f->siret) {
		if (fund_siret_valid(s, len))
			return;
		if (len == 14 && fund_all_digits(s, len))
			find(c, line, col, s, len, "siret", FUND_SEV_ERROR, "'%s' is not a valid SIRET (wrong check digit)",
			     q(c, s, len));
		else if (fund_siren_valid(s, len))
			find(c, line, col, s, len, "siret", FUND_SEV_ERROR, "'%s' is a SIREN, not a SIRET (14 digits expected)",
			     q(c, s, len));
		else if (len == 13 && fund_all_digits(s, len) && fund_padded_siret(s))
			find(c, line, col, s, len, "siret", FUND_SEV_ERROR,
			     "'%s' is not a SIRET (14 digits expected: a leading zero lost? '0%.13s' would be valid)",
			     q(c, s, len), s);
		else
			find(c, line, col, s, len, "siret", FUND_SEV_ERROR, "'%s' is not a SIRET (14 digits expected)",
			     q(c, s, len));
	}
}

static int cmp_sum_amount(const struct fund_sum *s, const struct fund_amount *a)
{
	struct fund_amount t;
	t.units = s->units;
	t.scale = s->scale;
	return fund_amount_cmp(&t, a);
}

static void beyond_schema(struct fund_check *c, const struct fund_record *rec, int share_bounds)
{
	size_t i;
	/* payment period: YYYY-MM-DD/YYYY-MM-DD (or _ in the older format) */
	if (c->period_idx >= 0 && (size_t)c->period_idx < rec->n) {
		const char *s = rec->fields[c->period_idx];
		size_t len = rec->len[c->period_idx];
		struct fund_date a, b;
		if (len == 21 && (s[10] == '/' || s[10] == '_')) {
			int ra = iso_date(s, 10, &a), rb = iso_date(s + 11, 10, &b);
			const char *col = colname(c, (size_t)c->period_idx);
			if (ra > 0 || rb > 0)
				find(c, rec->line, col, s, len, "period", FUND_SEV_WARNING, "'%s': %s is not a day that exists",
				     q(c, s, len), ra > 0 ? "the start" : "the end");
			else if (ra == 0 && rb == 0 &&
				 (b.year * 10000 + b.month * 100 + b.day) < (a.year * 10000 + a.month * 100 + a.day))
				find(c, rec->line, col, s, len, "period", FUND_SEV_WARNING,
				     "'%s': the payment period ends before it starts", q(c, s, len));
		}
	}
	/* a share of the cost in (0, 1] */
	if (c->share_idx >= 0 && (size_t)c->share_idx < rec->n && !share_bounds) {
		const char *s = rec->fields[c->share_idx];
		size_t len = rec->len[c->share_idx];
		struct fund_amount_ctx ctx = { 0, 0, 0 };
		struct fund_amount a;
		if (!fund_blank(s, len) && fund_amount_parse(s, len, &ctx, &a) == FUND_AMOUNT_OK) {
			double x = fund_amount_to_double(&a);
			if (!(x > 0 && x <= 1))
				find(c, rec->line, colname(c, (size_t)c->share_idx), s, len, "share", FUND_SEV_WARNING,
				     "'%s' is not a share in (0, 1]%s", q(c, s, len),
				     x > 1 && x <= 100 ? " (a percentage? 80 % is 0.8)" : "");
		}
	}
	/* one of two columns required */
	if (c->s)
		for (i = 0; i < c->s->noneof; i++) {
			int a = c->oneof[i][0], b = c->oneof[i][1];
			int has_a = a >= 0 && (size_t)a < rec->n && !is_missing(c, rec->fields[a], rec->len[a]);
			int has_b = b >= 0 && (size_t)b < rec->n && !is_missing(c, rec->fields[b], rec->len[b]);
			if (!has_a && !has_b)
				find(c, rec->line, NULL, NULL, 0, "one-of-required", FUND_SEV_ERROR,
				     "either '%s' or '%s' is required", c->s->oneof[2 * i], c->s->oneof[2 * i + 1]);
		}
}

/* "total" in s[0..n), in any case: Horspool's search, the byte under the
 * word's last letter telling how far it can move (five bytes for most:
 * every field of every row is searched) */
static int has_total(const char *s, size_t n)
{
	/* the shift for a byte, | 0x20: t 2 (the t at 2), o 3, a 1, else 5 */
	static const unsigned char shift[256] = {
		['t'] = 2, ['o'] = 3, ['a'] = 1, ['T'] = 2, ['O'] = 3, ['A'] = 1,
	};
	size_t i = 4;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		unsigned k;
		if ((c | 0x20) == 'l' && (s[i - 4] | 0x20) == 't' && (s[i - 3] | 0x20) == 'o' && (s[i - 2] | 0x20) == 't' &&
		    (s[i - 1] | 0x20) == 'a')
			return 1;
		k = shift[c];
		i += k ? k : 5;
	}
	return 0;
}

/* What the row-to-row checks need of a row with an amount column: its
 * amount, whether it is a "dont" line, its first label, and (a row not
 * "dont" with an amount) whether it is labelled total and holds other
 * values than amounts. */
static void amount_facts(struct fund_check *c, const struct fund_record *rec, struct rowfact *f)
{
	size_t i, a = (size_t)c->amount_idx;
	if (c->amount_idx < 0 || a >= rec->n)
		return;
	for (i = 0; i < rec->n; i++) {
		if (i == a || blank_cell(rec->fields[i], rec->len[i]))
			continue;
		if (fund_label_kind(rec->fields[i], rec->len[i]) == FUND_LABEL_DONT) {
			f->is_dont = 1;
		} else if (!f->has_label) {
			f->label = rec->fields[i];
			f->llen = rec->len[i];
			f->has_label = 1;
		}
	}
	f->amount = rec->fields[a];
	f->alen = rec->len[a];
	f->st = fund_amount_parse(rec->fields[a], rec->len[a], &c->actx, &f->x);
	if (f->is_dont || f->st != FUND_AMOUNT_OK)
		return;
	/* a row of one field (the amount) is labelled nothing; in a wider
	 * one, the other fields read as amounts (a table's other columns
	 * are no label) but those that say "total", up to the first that is
	 * neither: a row that holds other values is no total row whatever
	 * its label (total_row), so labelled is only worked out in full when
	 * others stays 0 (has_total is not run on every field of every row) */
	f->multi = rec->n > 1;
	for (i = 0; i < rec->n && f->multi; i++) {
		struct fund_amount y;
		if (i == a || blank_cell(rec->fields[i], rec->len[i]))
			continue;
		if (has_total(rec->fields[i], rec->len[i])) {
			f->labelled = 1;
			continue;
		}
		if (fund_amount_parse(rec->fields[i], rec->len[i], NULL, &y) != FUND_AMOUNT_OK) {
			f->others = 1;
			break;
		}
	}
}

/* an amount that does not read, when the schema did not say so */
static void amount_bad(struct fund_check *c, const struct rowfact *f)
{
	if (f->st == FUND_AMOUNT_BAD && !c->amount_in_schema)
		find(c, f->line, colname(c, (size_t)c->amount_idx), f->amount, f->alen, "amount", FUND_SEV_ERROR,
		     "cannot read '%s' as an amount", q(c, f->amount, f->alen));
}

/* a row that repeats the total of the rows above it */
static void total_row(struct fund_check *c, const struct rowfact *f)
{
	const char *col;
	char b1[100], b2[100];
	int sum_above;
	if (f->st != FUND_AMOUNT_OK)
		return;
	col = colname(c, (size_t)c->amount_idx);
	sum_above = c->running_n > 1 && cmp_sum_amount(&c->running, &f->x) == 0;
	if (!f->others && (f->labelled || f->multi) && sum_above) {
		fund_amount_format(b1, sizeof(b1), f->x.units, f->x.scale, f->x.scale, 0);
		find(c, f->line, col, f->amount, f->alen, "total-row", FUND_SEV_WARNING,
		     "a total row: %s is the sum of the %llu rows above it (totalling the file counts that money twice)",
		     b1, (unsigned long long)c->running_n);
		memset(&c->running, 0, sizeof(c->running));
		c->running_n = 0;
		return;
	}
	if (f->labelled && !f->others) {
		fund_amount_format(b1, sizeof(b1), f->x.units, f->x.scale, f->x.scale, 0);
		fund_amount_format(b2, sizeof(b2), c->running.units, c->running.scale, c->running.scale, 0);
		find(c, f->line, col, f->amount, f->alen, "total-row", FUND_SEV_WARNING,
		     "a row labelled total (%s) that is not the sum of the rows above it (%s)", b1, b2);
		return;
	}
	if (fund_sum_add(&c->running, &f->x) == 0)
		c->running_n++;
}

/* ---- "dont" lines: the parts of the row above them ---- */

/* The block of "dont" lines that ended: their sum against their row's. */
static void dont_flush(struct fund_check *c)
{
	struct fund_amount s, d;
	char bs[100], bp[100], bd[100], what[48], where[48];
	int cmp, sc, ok;
	fund_i128 us, up;
	if (!c->dont_n || !c->have_parent) {
		c->dont_n = 0;
		memset(&c->dont_sum, 0, sizeof(c->dont_sum));
		return;
	}
	s.units = c->dont_sum.units;
	s.scale = c->dont_sum.scale;
	sc = s.scale > c->dont_parent.scale ? s.scale : c->dont_parent.scale;
	us = s.units;
	up = c->dont_parent.units;
	for (int k = s.scale; k < sc; k++)
		us *= 10;
	for (int k = c->dont_parent.scale; k < sc; k++)
		up *= 10;
	d.units = up - us;
	d.scale = sc;
	cmp = fund_amount_cmp(&s, &c->dont_parent);
	fund_amount_format(bs, sizeof(bs), s.units, s.scale, s.scale, 0);
	fund_amount_format(bp, sizeof(bp), c->dont_parent.units, c->dont_parent.scale, c->dont_parent.scale, 0);
	fund_amount_format(bd, sizeof(bd), d.units < 0 ? -d.units : d.units, d.scale, d.scale, 0);
	if (c->dont_n > 1) {
		ok = fund_fmt(what, sizeof(what), "the %llu \"dont\" lines", (unsigned long long)c->dont_n) >= 0 &&
		     fund_fmt(where, sizeof(where), "lines %lu-%lu", c->dont_first, c->dont_last) >= 0;
	} else {
		ok = fund_fmt(what, sizeof(what), "the \"dont\" line") >= 0 &&
		     fund_fmt(where, sizeof(where), "line %lu", c->dont_first) >= 0;
	}
	if (!ok)   /* they always fit: a C library that could not format */
		c->stop = FUND_ENOMEM;
	else if ((c->dont_parent.units >= 0 && cmp > 0) || (c->dont_parent.units < 0 && cmp < 0))
		find(c, c->dont_parent_line, colname(c, (size_t)c->amount_idx), NULL, 0, "dont-lines", FUND_SEV_ERROR,
		     "%s below '%s' (%s) add%s up to %s, more than its %s by %s", what,
		     c->dont_has_label ? q(c, c->dont_label, c->dont_llen) : "",
		     where, c->dont_n > 1 ? "" : "s", bs, bp, bd);
	else if (cmp != 0)
		find(c, c->dont_parent_line, colname(c, (size_t)c->amount_idx), NULL, 0, "dont-lines", FUND_SEV_INFO,
		     "%s below '%s' (%s) break%s down %s of its %s: %s not broken down", what,
		     c->dont_has_label ? q(c, c->dont_label, c->dont_llen) : "", where, c->dont_n > 1 ? "" : "s", bs, bp, bd);
	c->dont_n = 0;
	memset(&c->dont_sum, 0, sizeof(c->dont_sum));
}

/* 1 when the row is a "dont" line (its amount a part of the row above
 * it, not to be added again), else 0, the row it may break down noted. */
static int dont_line(struct fund_check *c, const struct rowfact *f)
{
	if (f->st < 0)
		return 0;
	if (f->is_dont) {
		if (c->have_parent && f->st == FUND_AMOUNT_OK && fund_sum_add(&c->dont_sum, &f->x) == 0) {
			if (!c->dont_n++)
				c->dont_first = f->line;
			c->dont_last = f->line;
		}
		return 1;
	}
	dont_flush(c);
	c->dont_has_label = 0;
	c->have_parent = f->st == FUND_AMOUNT_OK;
	if (c->have_parent) {
		c->dont_parent = f->x;
		c->dont_parent_line = f->line;
		/* the label kept as read (every such row: no quoting, no
		 * allocation once the buffer holds it), quoted if said */
		if (f->has_label && f->llen > c->dont_lcap) {
			char *n = realloc(c->dont_label, f->llen);
			if (!n) {
				c->stop = FUND_ENOMEM;
				return 0;
			}
			c->dont_label = n;
			c->dont_lcap = f->llen;
		}
		if (f->has_label) {
			memcpy(c->dont_label, f->label, f->llen);
			c->dont_llen = f->llen;
			c->dont_has_label = 1;
		}
	}
	return 0;
}

int fund_check_end(struct fund_check *c)
{
	dont_flush(c);
	c->have_parent = 0;
	return c->stop == FUND_ENOMEM ? FUND_ENOMEM : c->stop ? FUND_EIO : 0;
}

/* The hash of the row's key; its slot fetched from memory meanwhile (a
 * table of millions of rows: a cache miss a row otherwise) */
static struct fund_h128 dup_hash(const struct fund_check *c, const struct fund_record *rec)
{
	struct fund_h128 h = { FUND_H_P1, FUND_H_P2 };
	size_t i;
	for (i = 0; i < c->ndup; i++) {
		size_t k = (size_t)c->dup_idx[i];
		if (k < rec->n)
			fund_h128_put(&h, rec->fields[k], rec->len[k]);
		else
			fund_h128_put(&h, "", 0);
	}
	if (c->dups)
		__builtin_prefetch(&c->dups[h.a & (c->dups_cap - 1)]);
	return h;
}

static void duplicate(struct fund_check *c, struct fund_h128 h, unsigned long line)
{
	size_t i, at, mask;
	struct dupslot *d;
	if (c->dups_n + 1 > c->dups_cap / 4 * 3) {
		/* grown at three quarters full */
		struct dupslot *nd = fund_table_alloc(c->dups_cap * 2 * sizeof(*nd));
		if (!nd) {
			c->stop = FUND_ENOMEM;
			return;
		}
		for (i = 0; i < c->dups_cap; i++)
			if (c->dups[i].line) {
				for (at = c->dups[i].a & (2 * c->dups_cap - 1); nd[at].line; at = (at + 1) & (2 * c->dups_cap - 1))
					;
				nd[at] = c->dups[i];
			}
		fund_table_free(c->dups, c->dups_cap * sizeof(*c->dups));
		c->dups = nd;
		c->dups_cap *= 2;
	}
	mask = c->dups_cap - 1;
	for (at = h.a & mask; (d = &c->dups[at])->line && (d->a != h.a || d->b != h.b); at = (at + 1) & mask)
		;
	if (!d->line) {
		d->a = h.a;
		d->b = h.b;
		d->line = line ? line : 1;
		c->dups_n++;
	} else if (c->dup_pkey) {
		find(c, line, NULL, NULL, 0, "primary-key", FUND_SEV_ERROR, "the primary key repeats line %lu",
		     d->line);
	} else {
		find(c, line, NULL, NULL, 0, "duplicate", FUND_SEV_WARNING, "the same %s as line %lu",
		     c->ndup == c->ncols ? "row" : "convention", d->line);
	}
}

/* The checks of a row on its own (made as findings), and what the
 * row-to-row checks need of it (f). */
static void row_checks(struct fund_check *c, const struct fund_record *rec, struct rowfact *f)
{
	size_t i;
	int bounds = 0;
	memset(f, 0, sizeof(*f));
	f->line = rec->line;
	f->st = -1;
	c->sum.rows++;
	if (fund_record_is_blank(rec)) {
		c->sum.blank_rows++;
		find(c, rec->line, NULL, NULL, 0, "blank-row", FUND_SEV_WARNING, "a blank row");
		f->skip = 1;
		return;
	}
	if (c->ncols > 1) {
		/* half the fields or more repeat the header's names: a section
		 * header of a report pasted together */
		size_t same = 0, named = c->named;
		for (i = 0; i < c->ncols && i < rec->n; i++)
			if (c->hlen[i] && name_is(c, i, rec->fields[i], rec->len[i]) && !blank_cell(rec->fields[i], rec->len[i]))
				same++;
		if (rec->n < c->ncols)   /* a short row: the names of its fields */
			for (i = rec->n, named = c->named; i < c->ncols; i++)
				named -= !fund_blank(colname(c, i), strlen(colname(c, i)));
		if (same >= 2 && same * 2 >= named) {
			find(c, rec->line, NULL, NULL, 0, "header-row", FUND_SEV_WARNING,
			     "the header again (a report pasted together?)");
			f->skip = 1;
			return;
		}
	}
	if (c->ndup)
		f->h = dup_hash(c, rec);
	if (rec->n != c->ncols && !fund_reader_is_json(c->r)) {
		int extra = 0;
		for (i = c->ncols; i < rec->n; i++)
			if (!blank_cell(rec->fields[i], rec->len[i]))
				extra = 1;
		if (extra || rec->n < c->ncols)
			find(c, rec->line, NULL, NULL, 0, "ragged", FUND_SEV_ERROR, "%zu fields where the header has %zu",
			     rec->n, c->ncols);
	}
	if (c->s)
		for (i = 0; i < c->s->n && !c->stop; i++) {
			int k = c->fcol[i];
			int b = 0;
			if (k < 0)
				continue;
			if ((size_t)k >= rec->n || (rec->is_null && rec->is_null[k]))
				check_cell(c, &c->s->f[i], colname(c, (size_t)k), rec->line, "", 0, &b);
			else
				check_cell(c, &c->s->f[i], colname(c, (size_t)k), rec->line, rec->fields[k], rec->len[k], &b);
			if ((int)i == c->share_field)
				bounds = b;
		}
	if (!c->stop)
		beyond_schema(c, rec, bounds);
	if (c->stop)
		f->skip = 1;
	else
		amount_facts(c, rec, f);
}

/* The checks from row to row, in file order: a block of "dont" lines
 * against the row above it, total rows, duplicates. */
static void row_state(struct fund_check *c, const struct rowfact *f)
{
	if (f->skip)
		return;
	/* a "dont" line is a part of the row above: not added again */
	if (!c->stop && !dont_line(c, f) && !c->stop && f->st >= 0) {
		amount_bad(c, f);
		total_row(c, f);
	}
	if (!c->stop && c->ndup)
		duplicate(c, f->h, f->line);
}

/* A part's row, for the merge: its facts, their text copied. */
static void log_row(struct fund_check *c, struct rowfact *f)
{
	size_t need = f->llen + f->alen;
	if (c->nfacts == c->capfacts) {
		size_t cap = c->capfacts ? 2 * c->capfacts : 1024;
		struct rowfact *n = realloc(c->facts, cap * sizeof(*n));
		if (!n) {
			c->stop = FUND_ENOMEM;
			return;
		}
		c->facts = n;
		c->capfacts = cap;
	}
	if (!c->labels || c->nlabels + need > c->caplabels) {   /* never NULL once a row is logged */
		size_t cap = c->caplabels ? 2 * c->caplabels : 65536;
		char *n;
		while (cap < c->nlabels + need)
			cap *= 2;
		if (!(n = realloc(c->labels, cap))) {
			c->stop = FUND_ENOMEM;
			return;
		}
		c->labels = n;
		c->caplabels = cap;
	}
	f->loff = c->nlabels;
	if (f->llen)
		memcpy(c->labels + c->nlabels, f->label, f->llen);
	c->nlabels += f->llen;
	f->aoff = c->nlabels;
	if (f->alen)
		memcpy(c->labels + c->nlabels, f->amount, f->alen);
	c->nlabels += f->alen;
	f->label = f->amount = NULL;
	c->facts[c->nfacts++] = *f;
}

int fund_check_add(struct fund_check *c, const struct fund_record *rec, struct fund_error *err)
{
	struct rowfact f;
	row_checks(c, rec, &f);
	if (c->main)
		log_row(c, &f);
	else
		row_state(c, &f);
	if (c->stop == FUND_ENOMEM)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (c->stop)
		return fund_error_set(err, c->stop, "write error");
	return 0;
}

/* ---- parts read on threads ---- */

int fund_check_fork(struct fund_check *c, int inherit, struct fund_check **out)
{
	struct fund_check *p;
	struct fund_buf b;
	*out = NULL;
	if ((!c->spare_facts && fund_spares_new(&c->spare_facts) < 0) ||
	    (!c->spare_labels && fund_spares_new(&c->spare_labels) < 0))
		return FUND_ENOMEM;
	if (!(p = malloc(sizeof(*p))))
		return FUND_ENOMEM;
	/* the header's state shared (read only); the rest its own */
	*p = *c;
	p->main = c;
	p->dups = NULL;
	p->dups_cap = p->dups_n = 0;
	memset(&p->running, 0, sizeof(p->running));
	p->running_n = 0;
	memset(&p->sum, 0, sizeof(p->sum));
	p->have_parent = 0;
	p->dont_label = NULL;
	p->dont_llen = p->dont_lcap = 0;
	p->dont_has_label = 0;
	memset(&p->dont_sum, 0, sizeof(p->dont_sum));
	p->dont_n = 0;
	p->stop = 0;
	p->kept = NULL;
	p->nkept = p->capkept = 0;
	/* the facts and labels of a part freed, for memory already there */
	b = fund_spares_take(c->spare_facts);
	p->facts = (struct rowfact *)(void *)b.p;
	p->capfacts = b.cap / sizeof(*p->facts);
	p->nfacts = 0;
	b = fund_spares_take(c->spare_labels);
	p->labels = b.p;
	p->caplabels = b.cap;
	p->nlabels = 0;
	p->keys = NULL;
	p->nkeys = p->capkeys = 0;
	p->line_base = 0;
	if (!inherit) {
		memset(&p->actx, 0, sizeof(p->actx));
		p->actx.forced = c->o.decimal;
	}
	*out = p;
	return 0;
}

void fund_check_bind_part(struct fund_check *p, const struct fund_reader *r)
{
	p->r = r;
}

void fund_check_relocate(struct fund_check *p, unsigned long base)
{
	p->line_base = base;
}

/* A part's finding said as one pass would have: made in full, or
 * counted (past the per-rule limit in the part, it is past it in the
 * file too: the part's first per_rule of that rule and column came
 * before it). */
static void replay(struct fund_check *c, const struct kept *k, unsigned long base)
{
	if (!wanted(c, k->line + base, k->rule, k->column, k->sev))
		return;
	if (k->message) {
		emit(c, k->line + base, k->column, k->value, k->rule, k->sev, k->message);
	} else if (k->sev == FUND_SEV_ERROR) {
		c->sum.errors++;     /* cannot be (above): counted all the same */
	} else {
		c->sum.warnings++;
	}
}

int fund_check_merge(struct fund_check *c, const struct fund_check *p, struct fund_error *err)
{
	struct fund_amount_ctx a = c->actx;
	unsigned long base = p->line_base;
	size_t i, k = 0;
	if (c->amount_idx >= 0 && fund_amount_ctx_follow(&a, &p->actx))
		return fund_error_set(err, FUND_ERETRY, "column '%s': decimal marks read otherwise in parts",
				      colname(c, (size_t)c->amount_idx));
	c->actx = a;
	c->sum.rows += p->sum.rows;
	c->sum.blank_rows += p->sum.blank_rows;
	for (i = 0; i < p->nfacts && !c->stop; i++) {
		struct rowfact f = p->facts[i];
		for (; k < p->nkept && p->kept[k].row == i && !c->stop; k++)
			replay(c, &p->kept[k], base);
		f.line += base;
		f.label = p->labels + f.loff;
		f.amount = p->labels + f.aoff;
		/* the slot of a row a few ahead fetched meanwhile */
		if (c->ndup && i + 8 < p->nfacts)
			__builtin_prefetch(&c->dups[p->facts[i + 8].h.a & (c->dups_cap - 1)]);
		row_state(c, &f);
	}
	/* the findings past the limit, counted by rule, column and severity */
	for (i = 0; i < p->nkeys && !c->stop; i++)
		for (k = 0; k < 3; k++)
			if (p->keys[i].more[k]) {
				int rc = c->o.counted(c->o.ctx, p->keys[i].rule, p->keys[i].column,
						      (enum fund_severity)k, p->keys[i].more[k]);
				if (k == FUND_SEV_ERROR)
					c->sum.errors += p->keys[i].more[k];
				else
					c->sum.warnings += p->keys[i].more[k];
				if (rc)
					c->stop = rc;
			}
	if (c->stop == FUND_ENOMEM)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (c->stop && c->stop != INT_MAX)
		return fund_error_set(err, c->stop, "write error");
	return c->stop ? 1 : 0;
}

static void part_free(struct fund_check *p)
{
	struct fund_buf b;
	size_t i;
	for (i = 0; i < p->nkept; i++) {
		free(p->kept[i].value);
		free(p->kept[i].message);
	}
	free(p->kept);
	b = (struct fund_buf){ (char *)p->facts, 0, p->capfacts * sizeof(*p->facts) };
	fund_spares_give(p->main->spare_facts, &b);
	b = (struct fund_buf){ p->labels, 0, p->caplabels };
	fund_spares_give(p->main->spare_labels, &b);
	free(p->keys);
	free(p->dont_label);
	free(p);
}
