/* Series for gnuplot: histogram, Lorenz curve, distribution function,
 * totals per period and per group; and complete gnuplot scripts. */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include "internal.h"
#include "banned.h"

#define MAX_BINS 1000000
#define MAX_YEARS 200   /* a series longer than this has a wrong date */

static const char *const kind_names[] = { "hist", "lorenz", "cdf", "series", "bars" };

int fund_plot_kind_from_name(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof(kind_names) / sizeof(kind_names[0]); i++)
		if (!strcmp(name, kind_names[i]))
			return (int)i;
	return -1;
}

int fund_plot_term_from_name(const char *name)
{
	static const char *const t[] = { "png", "svg", "pdf", "dumb" };
	size_t i;
	for (i = 0; i < 4; i++)
		if (!strcmp(name, t[i]))
			return (int)i + FUND_TERM_PNG;
	return -1;
}

/* ---- labels: never executable ---- */

static size_t put_clean(char *buf, size_t size, size_t o, const char *s, size_t len, char quote, char dup)
{
	size_t i;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f)
			c = ' ';
		/* stop before a character that does not fit whole */
		if (c >= 0xc0) {
			size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (o + n + 2 > size)
				break;
		}
		if (c == (unsigned char)quote && dup) {
			if (o + 3 >= size)
				break;
			buf[o++] = (char)c;
		} else if (c == (unsigned char)quote) {
			c = (unsigned char)dup;
		}
		if (c == '\0')
			c = '\'';
		if (o + 2 >= size)
			break;
		buf[o++] = (char)c;
	}
	return o;
}

char *fund_gp_quote(char *buf, size_t size, const char *s, size_t len)
{
	size_t o;
	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[0] = '\'';
	o = put_clean(buf, size, 1, s, len, '\'', '\'');
	buf[o++] = '\'';
	buf[o] = '\0';
	return buf;
}

char *fund_gp_field(char *buf, size_t size, const char *s, size_t len)
{
	size_t o;
	if (size < 3) {
		if (size)
			buf[0] = '\0';
		return buf;
	}
	buf[0] = '"';
	/* '"' becomes '\'' (put_clean with dup 0 maps it to '\0', then '\'') */
	o = put_clean(buf, size, 1, s, len, '"', 0);
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* ---- the engine ---- */

struct pgroup {
	uint64_t count;
	struct fund_sum sum;
	double *x, *w;
	struct fund_amount *a;
	size_t n, cap;
};

struct pcell {
	uint64_t count;
	struct fund_sum sum;
};

struct fund_plot {
	struct fund_plot_opts o;
	int keep_values, keep_amounts, weighted;
	size_t ngroup;
	int *key_idx, period_idx;
	char **key_names, *val_name, *period_name;
	struct fund_vw vw;
	struct fund_groups *groups, *cells;
	const char **kv;
	size_t *kl;
	int pmin, pmax, any_period;
	struct fund_plot_summary s;
	struct fund_row_policy rp;
};

int fund_plot_new(struct fund_plot **out, const struct fund_plot_opts *o)
{
	struct fund_plot *p = calloc(1, sizeof(*p));
	*out = NULL;
	if (!p)
		return FUND_ENOMEM;
	gsl_set_error_handler_off();
	p->o = *o;
	if (!p->o.value_col)
		p->o.value_col = "montant";
	if (!p->o.bins)
		p->o.bins = 20;
	p->weighted = o->weight_col != NULL;
	p->keep_values = o->kind == FUND_PLOT_HIST || o->kind == FUND_PLOT_LORENZ || o->kind == FUND_PLOT_CDF;
	p->keep_amounts = o->kind == FUND_PLOT_HIST;
	p->ngroup = o->ngroup;
	p->period_idx = -1;
	p->key_idx = calloc(o->ngroup + 1, sizeof(int));
	p->key_names = calloc(o->ngroup + 1, sizeof(char *));
	p->kv = calloc(o->ngroup + 1, sizeof(char *));
	p->kl = calloc(o->ngroup + 1, sizeof(size_t));
	p->vw.ctx.forced = p->vw.wctx.forced = o->decimal;
	p->vw.strict = o->strict;
	p->vw.diag = o->diag;
	p->vw.diag_ctx = o->diag_ctx;
	p->vw.w_name = o->weight_col;
	p->rp.strict = o->strict;
	p->rp.diag = o->diag;
	p->rp.diag_ctx = o->diag_ctx;
	if (!p->key_idx || !p->key_names || !p->kv || !p->kl ||
	    fund_groups_new(&p->groups, o->ngroup, sizeof(struct pgroup)) ||
	    (o->kind == FUND_PLOT_SERIES && fund_groups_new(&p->cells, 1, sizeof(struct pcell)))) {
		fund_plot_free(&p);
		return FUND_ENOMEM;
	}
	*out = p;
	return 0;
}

void fund_plot_free(struct fund_plot **pp)
{
	struct fund_plot *p = pp ? *pp : NULL;
	size_t i;
	if (!p)
		return;
	if (p->groups)
		for (i = 0; i < fund_groups_count(p->groups); i++) {
			struct pgroup *g = fund_groups_payload(p->groups, i);
			free(g->x);
			free(g->w);
			free(g->a);
		}
	fund_groups_free(&p->groups);
	fund_groups_free(&p->cells);
	if (p->key_names)
		for (i = 0; i < p->ngroup; i++)
			free(p->key_names[i]);
	free(p->key_names);
	free(p->val_name);
	free(p->period_name);
	free(p->key_idx);
	free(p->kv);
	free(p->kl);
	free(p);
	*pp = NULL;
}

static int keep_name(char **dst, const char *name, struct fund_error *err)
{
	if (!*dst && !(*dst = strdup(name)))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

size_t fund_plot_columns(const struct fund_plot *p, int *cols, size_t max)
{
	const int more[3] = { p->vw.val_idx, p->vw.w_idx, p->period_idx };   /* -1: none */
	return fund_put_columns(cols, max, fund_put_columns(cols, max, 0, p->key_idx, p->ngroup), more, 3);
}

int fund_plot_bind(struct fund_plot *p, const struct fund_reader *r, struct fund_error *err)
{
	size_t i;
	int c;
	for (i = 0; i < p->ngroup; i++) {
		if ((c = fund_reader_column(r, p->o.group_cols[i], err)) < 0)
			return c;
		p->key_idx[i] = c;
		if (keep_name(&p->key_names[i], fund_reader_colname(r, (size_t)c), err))
			return FUND_ENOMEM;
	}
	if ((c = fund_reader_column(r, p->o.value_col, err)) < 0)
		return c;
	p->vw.val_idx = c;
	if (keep_name(&p->val_name, fund_reader_colname(r, (size_t)c), err))
		return FUND_ENOMEM;
	p->vw.val_name = p->val_name;
	p->vw.w_idx = -1;
	if (p->weighted && p->keep_values && (p->vw.w_idx = fund_reader_column(r, p->o.weight_col, err)) < 0)
		return p->vw.w_idx;
	if (p->o.kind == FUND_PLOT_SERIES) {
		if ((c = fund_reader_column(r, p->o.period_col, err)) < 0)
			return c;
		p->period_idx = c;
		if (keep_name(&p->period_name, fund_reader_colname(r, (size_t)c), err))
			return FUND_ENOMEM;
	}
	p->vw.file = fund_reader_name(r);
	fund_rows_bind(&p->rp, r);
	return 0;
}

static int grow(struct fund_plot *p, struct pgroup *g)
{
	size_t cap = g->cap ? g->cap * 2 : 64;
	double *nx, *nw;
	struct fund_amount *na;
	if (!(nx = realloc(g->x, cap * sizeof(double))))
		return FUND_ENOMEM;
	g->x = nx;
	if (p->weighted) {
		if (!(nw = realloc(g->w, cap * sizeof(double))))
			return FUND_ENOMEM;
		g->w = nw;
	}
	if (p->keep_amounts) {
		if (!(na = realloc(g->a, cap * sizeof(*na))))
			return FUND_ENOMEM;
		g->a = na;
	}
	g->cap = cap;
	return 0;
}

/* series: the period of the row's date, -1 when it has none, or an error */
static int period_of(struct fund_plot *p, const struct fund_record *rec, int *period, struct fund_error *err)
{
	size_t c = (size_t)p->period_idx;
	struct fund_date d;
	int r = c < rec->n ? fund_date_parse(rec->fields[c], rec->len[c], &d) : 1;
	char q[300];
	if (r == 1) {
		*period = -1;
		return 0;
	}
	if (r < 0) {
		struct fund_error e = FUND_ERROR_INIT;
		p->s.bad_dates++;
		fund_error_at(&e, FUND_EDATA, p->vw.file, rec->line, p->period_name, rec->fields[c], rec->len[c],
			      "cannot read '%s' as a date%s", fund_quote(q, sizeof(q), rec->fields[c], rec->len[c]),
			      p->o.strict ? "" : ": row skipped");
		if (fund_problem(&e, p->o.strict, p->o.diag, p->o.diag_ctx, FUND_DIAG_DATE, err))
			return FUND_EDATA;
		return 1;
	}
	*period = p->o.period == FUND_PERIOD_MONTH ? d.year * 12 + d.month - 1 : d.year;
	return 0;
}

int fund_plot_add(struct fund_plot *p, const struct fund_record *rec, struct fund_error *err)
{
	struct fund_amount a;
	struct pgroup *g;
	size_t i, gi;
	double w;
	int st, period = -1;

	if ((st = fund_rows_admit_fast(&p->rp, rec, err)) <= 0)
		return st;
	if (p->period_idx >= 0 && (st = period_of(p, rec, &period, err)) != 0)
		return st < 0 ? st : 0;
	for (i = 0; i < p->ngroup; i++) {
		size_t c = (size_t)p->key_idx[i];
		p->kv[i] = c < rec->n ? rec->fields[c] : "";
		p->kl[i] = c < rec->n ? rec->len[c] : 0;
	}
	if (fund_groups_get(p->groups, p->kv, p->kl, &gi) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory for groups");
	g = fund_groups_payload(p->groups, gi);
	if ((st = fund_vw_read(&p->vw, rec, &a, &w, err)) <= 0)
		return st;
	if (p->period_idx >= 0 && period < 0) {
		p->s.no_date++;
		if (fund_sum_add(&p->s.no_date_sum, &a))
			return fund_error_at(err, FUND_EOVERFLOW, p->vw.file, rec->line, NULL, NULL, 0, "the sum overflows");
		return 0;
	}
	if (fund_sum_add(&g->sum, &a))
		return fund_error_at(err, FUND_EOVERFLOW, p->vw.file, rec->line, NULL, NULL, 0, "the sum overflows");
	g->count++;
	if (p->period_idx >= 0) {
		struct { size_t g; int period; } key;
		const char *kp = (const char *)&key;
		size_t kl = sizeof(key), ci;
		struct pcell *cell;
		memset(&key, 0, sizeof(key));
		key.g = gi;
		key.period = period;
		if (fund_groups_get(p->cells, &kp, &kl, &ci) < 0)
			return fund_error_set(err, FUND_ENOMEM, "out of memory for periods");
		cell = fund_groups_payload(p->cells, ci);
		cell->count++;
		if (fund_sum_add(&cell->sum, &a))
			return fund_error_at(err, FUND_EOVERFLOW, p->vw.file, rec->line, NULL, NULL, 0, "the sum overflows");
		if (!p->any_period || period < p->pmin)
			p->pmin = period;
		if (!p->any_period || period > p->pmax)
			p->pmax = period;
		p->any_period = 1;
	}
	if (p->keep_values) {
		if (g->n == g->cap && grow(p, g))
			return fund_error_set(err, FUND_ENOMEM, "out of memory for values");
		g->x[g->n] = fund_amount_to_double(&a);
		if (p->weighted)
			g->w[g->n] = w;
		if (p->keep_amounts)
			g->a[g->n] = a;
		g->n++;
	}
	return 0;
}

void fund_plot_summary(const struct fund_plot *p, struct fund_plot_summary *out)
{
	*out = p->s;
	out->rows = p->rp.n;
	out->missing = p->vw.missing;
	out->unreadable = p->vw.unreadable;
	out->bad_weights = p->vw.bad_weights;
	out->value_name = p->val_name ? p->val_name : p->o.value_col;
}

int fund_plot_describe(const struct fund_plot *p, struct fund_summary *out)
{
	struct fund_plot_summary s;
	int rc = 0;
	fund_plot_summary(p, &s);
	memset(out, 0, sizeof(*out));
	out->rows = s.rows;
	out->bad_dates = s.bad_dates;
	out->bad_weights = s.bad_weights;
	if (s.missing || s.unreadable || s.bad_weights || s.rows.blank || s.rows.ragged || s.bad_dates || s.no_date)
		rc |= fund_summary_column(out, s.value_name, s.missing, s.unreadable);
	if (s.no_date) {
		char amt[96];   /* a number (80 bytes suffice) */
		fund_amount_format(amt, sizeof(amt), s.no_date_sum.units, s.no_date_sum.scale, s.no_date_sum.scale, 0);
		rc |= fund_str_append(&out->tail, "; %llu rows without a date (total %s) not drawn",
				      (unsigned long long)s.no_date, amt);
	}
	if (s.outside)
		rc |= fund_str_append(&out->notes, "note: %llu values outside --range left out of the bins\n",
				      (unsigned long long)s.outside);
	if (s.nonpositive)
		rc |= fund_str_append(&out->notes, "note: %llu values of 0 or less left out of the logarithmic bins\n",
				      (unsigned long long)s.nonpositive);
	if (s.undrawable)
		rc |= fund_str_append(&out->notes, "note: %llu groups without a curve (no values, no weight, or a "
				      "total of 0 or less)\n", (unsigned long long)s.undrawable);
	if (rc) {
		fund_summary_release(out);
		return FUND_ENOMEM;
	}
	return 0;
}

/* ---- output: gnuplot data blocks or a table ---- */

struct col {
	const char *name;
	enum fund_celltype type;
};

struct emit {
	struct fund_plot *p;
	const struct fund_plot_out *o;
	FILE *fp;
	struct fund_writer *w;
	size_t nkey;               /* table: group key columns before each row */
	size_t ncols;
	const struct col *cols;
	struct fund_cell *cells;   /* nkey + ncols */
	size_t nblocks;
	size_t *blocks;            /* the group of each block written */
	double *extra;             /* lorenz: each block's Gini */
	int failed;
};

static int emit_open(struct emit *e, struct fund_plot *p, const struct fund_plot_out *o, FILE *fp,
		     const struct col *cols, size_t ncols, int keyed)
{
	size_t i, ng = fund_groups_count(p->groups);
	const char **names;
	memset(e, 0, sizeof(*e));
	e->p = p;
	e->o = o;
	e->fp = fp;
	e->cols = cols;
	e->ncols = ncols;
	e->nkey = keyed && o->table ? p->ngroup : 0;
	e->cells = calloc(e->nkey + ncols, sizeof(*e->cells));
	e->blocks = calloc(ng + 1, sizeof(size_t));
	e->extra = calloc(ng + 1, sizeof(double));
	names = calloc(e->nkey + ncols, sizeof(char *));
	if (!e->cells || !e->blocks || !e->extra || !names) {
		free(names);
		return FUND_ENOMEM;
	}
	for (i = 0; i < e->nkey; i++)
		names[i] = p->key_names[i] ? p->key_names[i] : p->o.group_cols[i];
	for (i = 0; i < ncols; i++)
		names[e->nkey + i] = cols[i].name;
	if (o->table && fund_writer_open(&e->w, fp, o->format, names, e->nkey + ncols)) {
		free(names);
		return FUND_ENOMEM;
	}
	free(names);
	return 0;
}

static void put_comment(FILE *fp, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		putc((unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i], fp);
}

/* A block per group: in gnuplot data, two blank lines between blocks and a
 * '#' header; in a table, the group's key cells. */
static void emit_block(struct emit *e, size_t gi, const char *note)
{
	struct fund_plot *p = e->p;
	size_t k;
	e->blocks[e->nblocks++] = gi;
	if (e->o->table) {
		for (k = 0; k < e->nkey && gi != (size_t)-1; k++) {
			e->cells[k].s = fund_groups_key(p->groups, gi, k, &e->cells[k].len);
			e->cells[k].type = FUND_CELL_TEXT;
		}
		return;
	}
	if (e->nblocks > 1)
		fputs("\n\n", e->fp);
	if (p->ngroup && gi != (size_t)-1) {
		fprintf(e->fp, "# block %zu:", e->nblocks - 1);
		for (k = 0; k < p->ngroup; k++) {
			size_t len;
			const char *v = fund_groups_key(p->groups, gi, k, &len);
			const char *n = p->key_names[k] ? p->key_names[k] : p->o.group_cols[k];
			fputs(k ? ", " : " ", e->fp);
			put_comment(e->fp, n, strlen(n));
			putc('=', e->fp);
			put_comment(e->fp, v, len);
		}
		putc('\n', e->fp);
	}
	if (note) {
		fputs("# ", e->fp);
		put_comment(e->fp, note, strlen(note));
		putc('\n', e->fp);
	}
	for (k = 0; k < e->ncols; k++) {
		fputs(k ? "\t" : "# ", e->fp);
		put_comment(e->fp, e->cols[k].name, strlen(e->cols[k].name));
	}
	putc('\n', e->fp);
}

/* a number cell that could not be formatted (no memory for printf) is
 * missing with this length, and fails the row */
#define NUM_FAILED ((size_t)1)

static void emit_row(struct emit *e, const struct fund_cell *cells)
{
	size_t k;
	int rc;
	for (k = 0; k < e->ncols; k++)
		if (!cells[k].s && cells[k].len == NUM_FAILED) {
			e->failed = FUND_ENOMEM;
			return;
		}
	if (e->o->table) {
		memcpy(e->cells + e->nkey, cells, e->ncols * sizeof(*cells));
		if ((rc = fund_writer_row(e->w, e->cells)) < 0)
			e->failed = rc;
		return;
	}
	for (k = 0; k < e->ncols; k++) {
		if (k)
			putc('\t', e->fp);
		if (!cells[k].s) {
			fputs("NaN", e->fp);
		} else if (cells[k].type == FUND_CELL_TEXT) {
			size_t sz = cells[k].len * 2 + 8;
			char *b = malloc(sz);
			if (!b) {
				e->failed = FUND_ENOMEM;
				return;
			}
			fputs(fund_gp_field(b, sz, cells[k].s, cells[k].len), e->fp);
			free(b);
		} else {
			fwrite(cells[k].s, 1, cells[k].len, e->fp);
		}
	}
	putc('\n', e->fp);
}

static int emit_close(struct emit *e)
{
	int rc = e->failed, f;
	if (e->w && (f = fund_writer_finish(e->w)) < 0 && !rc)
		rc = f;
	fund_writer_free(&e->w);
	free(e->cells);
	e->cells = NULL;
	return rc ? rc : ferror(e->fp) ? FUND_EIO : 0;
}

static void emit_free(struct emit *e)
{
	fund_writer_free(&e->w);
	free(e->cells);
	free(e->blocks);
	free(e->extra);
}

/* number cells (NUM_FAILED: see emit_row) */
static struct fund_cell dnum(char *b, double v)
{
	struct fund_cell c = { NULL, 0, FUND_CELL_NUMBER };
	if (isfinite(v)) {
		if (fund_double_text_digits(b, 400, v, 15) < 0) {
			c.len = NUM_FAILED;
			return c;
		}
		c.s = b;
		c.len = strlen(b);
	}
	return c;
}

static struct fund_cell unum(char *b, uint64_t v)
{
	struct fund_cell c = { b, 0, FUND_CELL_NUMBER };
	int n = snprintf(b, 400, "%llu", (unsigned long long)v);
	if (n < 0) {
		c.s = NULL;
		c.len = NUM_FAILED;
	} else {
		c.len = (size_t)n;
	}
	return c;
}

static struct fund_cell snum(char *b, const struct fund_sum *s, int scale)
{
	struct fund_cell c = { NULL, 0, FUND_CELL_NUMBER };
	int n = fund_amount_format(b, 400, s->units, s->scale, scale, 0);
	if (n >= 0) {
		c.s = b;
		c.len = (size_t)n;
	}
	return c;
}

static int max_scale(struct fund_plot *p)
{
	size_t i;
	int scale = 0;
	for (i = 0; i < fund_groups_count(p->groups); i++) {
		struct pgroup *g = fund_groups_payload(p->groups, i);
		if (g->sum.scale > scale)
			scale = g->sum.scale;
	}
	return scale;
}

static void sort_group(struct fund_plot *p, struct pgroup *g)
{
	if (g->n < 2)
		return;
	if (p->weighted)
		gsl_sort2(g->x, 1, g->w, 1, g->n);
	else
		gsl_sort(g->x, 1, g->n);
}

/* ---- hist ---- */

struct bins {
	size_t n;
	int log;
	double start, step;   /* edges: start + i*step, or 10^(start + i*step) */
};

static double edge(const struct bins *b, size_t i)
{
	double v = b->start + (double)i * b->step;
	return b->log ? pow(10, v) : v;
}

static int make_bins(struct fund_plot *p, struct bins *b, struct fund_error *err)
{
	double lo = 0, hi = 0, width = p->o.width, n;
	size_t i, k;
	int any = 0;

	b->log = p->o.log_bins;
	if (p->o.has_range) {
		lo = p->o.lo;
		hi = p->o.hi;
		any = 1;
		if (b->log && lo <= 0)
			return fund_error_set(err, FUND_EUSAGE, "logarithmic bins need a range above 0");
	} else {
		for (i = 0; i < fund_groups_count(p->groups); i++) {
			struct pgroup *g = fund_groups_payload(p->groups, i);
			for (k = 0; k < g->n; k++) {
				double x = g->x[k];
				if (b->log && x <= 0)
					continue;
				if (!any || x < lo)
					lo = x;
				if (!any || x > hi)
					hi = x;
				any = 1;
			}
		}
	}
	if (!any)
		return fund_error_set(err, FUND_EDATA, "no values to draw%s",
				      b->log ? " (logarithmic bins take values above 0 only)" : "");
	if (b->log) {
		lo = log10(lo);
		hi = log10(hi);
	}
	if (width > 0) {
		b->start = p->o.has_range && !b->log ? lo : floor(lo / width) * width;
		b->step = width;
		n = ceil((hi - b->start) / width);
		if (n < 1)
			n = 1;
	} else {
		if (hi == lo) {
			lo -= 0.5;
			hi += 0.5;
		}
		n = (double)p->o.bins;
		b->start = lo;
		b->step = (hi - lo) / n;
	}
	if (!(n <= MAX_BINS))
		return fund_error_set(err, FUND_EUSAGE, "%.0f bins: more than %d; give a larger --width", n, MAX_BINS);
	b->n = (size_t)n;
	return 0;
}

/* the bin of x, or -1 outside */
static long bin_of(const struct bins *b, double x)
{
	double v, i;
	if (b->log) {
		if (x <= 0)
			return -1;
		v = log10(x);
	} else {
		v = x;
	}
	i = floor((v - b->start) / b->step);
	/* the top edge belongs to the last bin; rounding at either end */
	if (i >= (double)b->n && x <= edge(b, b->n))
		i = (double)b->n - 1;
	if (i < 0 && x >= edge(b, 0))
		i = 0;
	if (i < 0 || i >= (double)b->n)
		return -1;
	return (long)i;
}

static int write_hist(struct fund_plot *p, struct emit *e, struct fund_error *err)
{
	struct bins b = { 0, 0, 0, 0 };
	size_t gi, i, ng = fund_groups_count(p->groups);
	int scale = max_scale(p), rc;
	uint64_t *cnt = NULL;
	struct fund_sum *sums = NULL;
	double *wsum = NULL;
	char buf[5][400];

	if ((rc = make_bins(p, &b, err)) < 0)
		return rc;
	cnt = calloc(b.n, sizeof(*cnt));
	sums = calloc(b.n, sizeof(*sums));
	wsum = calloc(b.n, sizeof(*wsum));
	if (!cnt || !sums || !wsum) {
		free(cnt);
		free(sums);
		free(wsum);
		return fund_error_set(err, FUND_ENOMEM, "out of memory for %zu bins", b.n);
	}
	for (gi = 0; gi < ng; gi++) {
		struct pgroup *g = fund_groups_payload(p->groups, gi);
		memset(cnt, 0, b.n * sizeof(*cnt));
		memset(sums, 0, b.n * sizeof(*sums));
		memset(wsum, 0, b.n * sizeof(*wsum));
		for (i = 0; i < g->n; i++) {
			long k = bin_of(&b, g->x[i]);
			if (k < 0) {
				if (b.log && g->x[i] <= 0)
					p->s.nonpositive++;
				else
					p->s.outside++;
				continue;
			}
			cnt[k]++;
			if (fund_sum_add(&sums[k], &g->a[i])) {
				rc = fund_error_set(err, FUND_EOVERFLOW, "a bin's sum overflows");
				goto out;
			}
			wsum[k] += p->weighted ? g->w[i] : 1.0;
		}
		emit_block(e, p->ngroup ? gi : (size_t)-1, NULL);
		for (i = 0; i < b.n; i++) {
			struct fund_cell c[5];
			c[0] = dnum(buf[0], edge(&b, i));
			c[1] = dnum(buf[1], edge(&b, i + 1));
			c[2] = unum(buf[2], cnt[i]);
			c[3] = snum(buf[3], &sums[i], scale);
			c[4] = dnum(buf[4], wsum[i]);
			emit_row(e, c);
		}
	}
	rc = 0;
out:
	free(cnt);
	free(sums);
	free(wsum);
	return rc;
}

/* ---- lorenz and cdf ---- */

static int write_curve(struct fund_plot *p, struct emit *e, struct fund_error *err)
{
	size_t gi, i, ng = fund_groups_count(p->groups), limit = p->o.points;
	char b0[400], b1[400], note[200];
	int lorenz = p->o.kind == FUND_PLOT_LORENZ;

	for (gi = 0; gi < ng; gi++) {
		struct pgroup *g = fund_groups_payload(p->groups, gi);
		double W = 0, S = 0, cw = 0, cs = 0, px = -1, py = -1, gini = NAN;
		long lastk = -1;
		sort_group(p, g);
		for (i = 0; i < g->n; i++) {
			double wi = p->weighted ? g->w[i] : 1.0;
			W += wi;
			S += g->x[i] * wi;
		}
		if (g->n == 0 || W <= 0 || (lorenz && S <= 0)) {
			p->s.undrawable++;
			continue;
		}
		if (lorenz) {
			gini = fund_stat_sorted(FUND_M_GINI, 0, g->x, p->weighted ? g->w : NULL, g->n, FUND_Q_TYPE7);
			snprintf(note, sizeof(note), "gini %.4f, %zu value%s", gini, g->n, g->n == 1 ? "" : "s");
		} else {
			snprintf(note, sizeof(note), "%zu value%s", g->n, g->n == 1 ? "" : "s");
		}
		e->extra[e->nblocks] = gini;
		emit_block(e, p->ngroup ? gi : (size_t)-1, note);
		if (lorenz) {
			struct fund_cell c[2] = { dnum(b0, 0), dnum(b1, 0) };
			emit_row(e, c);
			px = py = 0;
		}
		for (i = 0; i < g->n; i++) {
			double wi = p->weighted ? g->w[i] : 1.0, x, y;
			long k;
			cw += wi;
			cs += g->x[i] * wi;
			/* cdf: one point per distinct value, at its last occurrence */
			if (!lorenz && i + 1 < g->n && g->x[i + 1] == g->x[i])
				continue;
			x = lorenz ? (i + 1 == g->n ? 1.0 : cw / W) : g->x[i];
			y = lorenz ? (i + 1 == g->n ? 1.0 : cs / S) : (i + 1 == g->n ? 1.0 : cw / W);
			k = limit ? (long)floor(cw / W * (double)limit) : (long)i;
			if ((i + 1 < g->n && k == lastk) || (x == px && y == py))
				continue;
			lastk = k;
			px = x;
			py = y;
			{
				struct fund_cell c[2] = { dnum(b0, x), dnum(b1, y) };
				emit_row(e, c);
			}
		}
	}
	if (e->nblocks == 0)
		return fund_error_set(err, FUND_EDATA, "nothing to draw: %s",
				      lorenz ? "no group has a total above 0" : "no values");
	return 0;
}

/* ---- series ---- */

static void period_text(char *b, int period, enum fund_period kind)
{
	if (kind == FUND_PERIOD_MONTH)
		snprintf(b, 400, "%04d-%02d", period / 12, period % 12 + 1);
	else
		snprintf(b, 400, "%04d", period);
}

static int write_series(struct fund_plot *p, struct emit *e, struct fund_error *err)
{
	size_t gi, ng = fund_groups_count(p->groups), ci;
	int scale = 0, t;
	char b[3][400];

	if (!p->any_period)
		return fund_error_set(err, FUND_EDATA, "nothing to draw: no value has a date in '%s'",
				      p->period_name ? p->period_name : p->o.period_col);
	if (p->pmax - p->pmin >= (p->o.period == FUND_PERIOD_MONTH ? 12 * MAX_YEARS : MAX_YEARS))
		return fund_error_set(err, FUND_EDATA, "dates in '%s' span %d %s, from %d to %d (more than %d years): is one of them wrong? "
				      "(fund-total --by lists the periods)",
				      p->period_name, p->pmax - p->pmin + 1,
				      p->o.period == FUND_PERIOD_MONTH ? "months" : "years",
				      p->o.period == FUND_PERIOD_MONTH ? p->pmin / 12 : p->pmin,
				      p->o.period == FUND_PERIOD_MONTH ? p->pmax / 12 : p->pmax, MAX_YEARS);
	for (ci = 0; ci < fund_groups_count(p->cells); ci++) {
		struct pcell *c = fund_groups_payload(p->cells, ci);
		if (c->sum.scale > scale)
			scale = c->sum.scale;
	}
	for (gi = 0; gi < ng; gi++) {
		struct pgroup *g = fund_groups_payload(p->groups, gi);
		if (g->count == 0)
			continue;
		emit_block(e, p->ngroup ? gi : (size_t)-1, NULL);
		for (t = p->pmin; t <= p->pmax; t++) {
			struct { size_t g; int period; } key;
			const char *kp = (const char *)&key;
			size_t kl = sizeof(key);
			struct pcell zero, *c = &zero;
			struct fund_cell cells[3];
			memset(&key, 0, sizeof(key));
			memset(&zero, 0, sizeof(zero));
			key.g = gi;
			key.period = t;
			if (fund_groups_find(p->cells, &kp, &kl, &ci))
				c = fund_groups_payload(p->cells, ci);
			period_text(b[0], t, p->o.period);
			cells[0].s = b[0];
			cells[0].len = strlen(b[0]);
			cells[0].type = FUND_CELL_TEXT;
			cells[1] = unum(b[1], c->count);
			cells[2] = snum(b[2], &c->sum, scale);
			/* gnuplot reads the period bare (a year, or a time) */
			if (!e->o->table)
				cells[0].type = FUND_CELL_NUMBER;
			emit_row(e, cells);
		}
	}
	return 0;
}

/* ---- bars ---- */

/* "v1 / v2" for group gi: malloc'd */
static char *label_of(struct fund_plot *p, size_t gi)
{
	size_t k, len = 1, o = 0;
	char *s;
	for (k = 0; k < p->ngroup; k++) {
		size_t l;
		fund_groups_key(p->groups, gi, k, &l);
		len += l + 3;
	}
	if (!(s = malloc(len)))
		return NULL;
	for (k = 0; k < p->ngroup; k++) {
		size_t l;
		const char *v = fund_groups_key(p->groups, gi, k, &l);
		if (k) {
			memcpy(s + o, " / ", 3);
			o += 3;
		}
		memcpy(s + o, v, l);
		o += l;
	}
	s[o] = '\0';
	return s;
}

static int cmp_sum(const struct fund_sum *a, const struct fund_sum *b)
{
	struct fund_amount x, y;
	x.units = a->units;
	x.scale = a->scale;
	y.units = b->units;
	y.scale = b->scale;
	return fund_amount_cmp(&x, &y);
}

static int cmp_bars(const void *pa, const void *pb, void *arg)
{
	struct fund_plot *p = ((void **)arg)[0];
	const struct fund_plot_out *o = ((void **)arg)[1];
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb, k;
	int c = 0;
	if (o->sort == FUND_SORT_TOTAL) {
		const struct pgroup *ga = fund_groups_payload(p->groups, a), *gb = fund_groups_payload(p->groups, b);
		c = -cmp_sum(&ga->sum, &gb->sum);
	}
	for (k = 0; !c && o->sort != FUND_SORT_NONE && k < p->ngroup; k++) {
		size_t la, lb;
		const char *ka = fund_groups_key(p->groups, a, k, &la), *kb = fund_groups_key(p->groups, b, k, &lb);
		c = memcmp(ka, kb, la < lb ? la : lb);
		if (!c)
			c = la < lb ? -1 : la > lb;
	}
	return c ? c : a < b ? -1 : a > b;
}

static int write_bars(struct fund_plot *p, struct emit *e, struct fund_error *err)
{
	size_t ng = fund_groups_count(p->groups), i, shown, k;
	size_t *order = malloc((ng + 1) * sizeof(size_t));
	void *arg[2];
	int scale = max_scale(p);
	struct fund_sum rest;
	uint64_t rest_count = 0;
	char b[3][400];

	if (!order)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (ng == 0) {
		free(order);
		return fund_error_set(err, FUND_EDATA, "nothing to draw: no rows");
	}
	for (i = 0; i < ng; i++)
		order[i] = i;
	arg[0] = p;
	arg[1] = (void *)e->o;
	qsort_r(order, ng, sizeof(size_t), cmp_bars, arg);
	shown = e->o->top && e->o->top < ng ? e->o->top : ng;
	memset(&rest, 0, sizeof(rest));
	emit_block(e, (size_t)-1, NULL);
	for (i = 0; i < ng; i++) {
		struct pgroup *g = fund_groups_payload(p->groups, order[i]);
		struct fund_cell c[3];
		char *label;
		if (i >= shown) {
			rest_count += g->count;
			if (fund_sum_merge(&rest, &g->sum)) {
				free(order);
				return fund_error_set(err, FUND_EOVERFLOW, "the sum of the other groups overflows");
			}
			continue;
		}
		if (!(label = label_of(p, order[i]))) {
			free(order);
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		}
		if (e->o->table) {
			for (k = 0; k < p->ngroup; k++) {
				e->cells[k].s = fund_groups_key(p->groups, order[i], k, &e->cells[k].len);
				e->cells[k].type = FUND_CELL_TEXT;
			}
		}
		c[0].s = label;
		c[0].len = strlen(label);
		c[0].type = FUND_CELL_TEXT;
		c[1] = unum(b[1], g->count);
		c[2] = snum(b[2], &g->sum, scale);
		emit_row(e, e->o->table ? c + 1 : c);
		free(label);
	}
	if (shown < ng) {
		struct fund_cell c[3];
		snprintf(b[0], sizeof(b[0]), "(%zu other%s)", ng - shown, ng - shown == 1 ? "" : "s");
		if (e->o->table) {
			for (k = 0; k < p->ngroup; k++) {
				e->cells[k].s = k ? NULL : b[0];
				e->cells[k].len = k ? 0 : strlen(b[0]);
				e->cells[k].type = FUND_CELL_TEXT;
			}
		}
		c[0].s = b[0];
		c[0].len = strlen(b[0]);
		c[0].type = FUND_CELL_TEXT;
		c[1] = unum(b[1], rest_count);
		c[2] = snum(b[2], &rest, scale);
		emit_row(e, e->o->table ? c + 1 : c);
	}
	free(order);
	return 0;
}

/* ---- the script ---- */

/* printf-like text, as a gnuplot single-quoted string */
/* the script's texts could not all be made (no memory): the write
 * fails (fund_plot_write), on this thread */
static __thread int script_failed;

static void sqf(FILE *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sqf(FILE *fp, const char *fmt, ...)
{
	va_list ap;
	char *t = NULL, *b;
	size_t sz;
	int n;
	va_start(ap, fmt);
	n = vasprintf(&t, fmt, ap);
	va_end(ap);
	if (n < 0 || !(b = malloc(sz = (size_t)n * 2 + 8))) {
		if (n >= 0)
			free(t);
		fputs("''", fp);
		script_failed = 1;
		return;
	}
	fputs(fund_gp_quote(b, sz, t, (size_t)n), fp);
	free(b);
	free(t);
}

/* the group columns' names, "a / b": malloc'd */
static char *group_names(struct fund_plot *p)
{
	size_t len = 1, k, o = 0;
	char *t;
	for (k = 0; k < p->ngroup; k++)
		len += strlen(p->key_names[k] ? p->key_names[k] : p->o.group_cols[k]) + 3;
	if (!(t = malloc(len)))
		return NULL;
	for (k = 0; k < p->ngroup; k++) {
		const char *n = p->key_names[k] ? p->key_names[k] : p->o.group_cols[k];
		if (k) {
			memcpy(t + o, " / ", 3);
			o += 3;
		}
		memcpy(t + o, n, strlen(n));
		o += strlen(n);
	}
	t[o] = '\0';
	return t;
}

static void script_head(struct fund_plot *p, FILE *fp, const struct fund_plot_out *o)
{
	int w = o->width, h = o->height;
	fprintf(fp, "# Generated by fund-plot (fundkit %s): %s of '", FUND_VERSION, kind_names[p->o.kind]);
	put_comment(fp, p->val_name ? p->val_name : p->o.value_col, strlen(p->val_name ? p->val_name : p->o.value_col));
	fputs("'.\n# Every label is a single-quoted gnuplot string: data cannot run commands.\n", fp);
	switch (o->term) {
	case FUND_TERM_PNG:
		fprintf(fp, "set terminal pngcairo size %d,%d noenhanced font 'sans,10'\n", w ? w : 900, h ? h : 600);
		break;
	case FUND_TERM_SVG:
		fprintf(fp, "set terminal svg size %d,%d dynamic noenhanced font 'sans,10'\n", w ? w : 900, h ? h : 600);
		break;
	case FUND_TERM_PDF:
		fprintf(fp, "set terminal pdfcairo size %dcm,%dcm noenhanced font 'sans,9'\n", w ? w : 20, h ? h : 14);
		break;
	default:
		fprintf(fp, "set terminal dumb size %d,%d noenhanced\n", w ? w : 79, h ? h : 24);
		break;
	}
	fputs("set datafile missing 'NaN'\nset grid\nset key outside right top\n", fp);
}

static void block_title(struct fund_plot *p, FILE *fp, size_t gi, double gini)
{
	char *label = gi == (size_t)-1 || !p->ngroup ? NULL : label_of(p, gi);
	fputs(" title ", fp);
	if (label && isfinite(gini))
		sqf(fp, "%s (Gini %.3f)", label, gini);
	else if (label)
		sqf(fp, "%s", label);
	else if (isfinite(gini))
		sqf(fp, "Gini %.3f", gini);
	else
		sqf(fp, "%s", p->val_name ? p->val_name : p->o.value_col);
	free(label);
}

static void script_plot(struct fund_plot *p, struct emit *e, FILE *fp, const struct fund_plot_out *o)
{
	const char *v = p->val_name ? p->val_name : p->o.value_col, *wn = p->o.weight_col;
	size_t i;
	int ycol = 3;

	fputs("set title ", fp);
	if (o->title)
		sqf(fp, "%s", o->title);
	else switch (p->o.kind) {
	case FUND_PLOT_HIST: sqf(fp, "Distribution of %s%s", v, p->o.log_bins ? " (logarithmic bins)" : ""); break;
	case FUND_PLOT_LORENZ:
		if (wn)
			sqf(fp, "Lorenz curve of %s weighted by %s", v, wn);
		else
			sqf(fp, "Lorenz curve of %s", v);
		break;
	case FUND_PLOT_CDF: sqf(fp, "Cumulative distribution of %s", v); break;
	case FUND_PLOT_SERIES: sqf(fp, "%s per %s", v, p->o.period == FUND_PERIOD_MONTH ? "month" : "year"); break;
	case FUND_PLOT_BARS: sqf(fp, "Total %s by group", v); break;
	}
	putc('\n', fp);
	switch (p->o.kind) {
	case FUND_PLOT_HIST:
		fputs("set xlabel ", fp);
		sqf(fp, "%s", v);
		fputs("\nset ylabel ", fp);
		if (o->per_bin == FUND_BIN_AMOUNT) {
			sqf(fp, "sum of %s", v);
			ycol = 4;
		} else if (o->per_bin == FUND_BIN_WEIGHT) {
			sqf(fp, "sum of %s", wn ? wn : "weights");
			ycol = 5;
		} else {
			sqf(fp, "rows");
		}
		fputs("\nset format y '%.12g'\nset style fill transparent solid 0.5 border\nset yrange [*<0:0<*]\n", fp);
		if (p->o.log_bins)
			fputs("set logscale x 10\n", fp);
		fputs("plot", fp);
		for (i = 0; i < e->nblocks; i++) {
			fprintf(fp, "%s $DATA index %zu using (%s):%d:1:2:(0):%d with boxxyerror", i ? ", \\\n    " : "",
				i, p->o.log_bins ? "sqrt($1*$2)" : "($1+$2)/2", ycol, ycol);
			if (p->ngroup)
				block_title(p, fp, e->blocks[i], NAN);
			else
				fputs(" notitle", fp);
		}
		break;
	case FUND_PLOT_LORENZ:
		fputs("set xlabel ", fp);
		sqf(fp, "cumulative share of %s", wn ? wn : "rows");
		fputs("\nset ylabel ", fp);
		if (wn)
			sqf(fp, "cumulative share of %s x %s", v, wn);
		else
			sqf(fp, "cumulative share of %s", v);
		fputs("\nset size ratio -1\nset key inside left top\nset xrange [0:1]\nset yrange [*<0:1]\n"
		      "plot x with lines dashtype 2 linecolor rgb 'gray40' title 'equality'", fp);
		for (i = 0; i < e->nblocks; i++) {
			fprintf(fp, ", \\\n    $DATA index %zu using 1:2 with lines linewidth 2", i);
			block_title(p, fp, e->blocks[i], e->extra[i]);
		}
		break;
	case FUND_PLOT_CDF:
		fputs("set xlabel ", fp);
		sqf(fp, "%s", v);
		fputs("\nset ylabel ", fp);
		sqf(fp, "share of %s at or below", wn ? wn : "rows");
		fputs("\nset yrange [0:1]\nset key inside right bottom\n", fp);
		if (p->o.log_bins)
			fputs("set logscale x 10\n", fp);
		fputs("plot", fp);
		for (i = 0; i < e->nblocks; i++) {
			fprintf(fp, "%s $DATA index %zu using 1:2 with steps linewidth 2", i ? ", \\\n    " : "", i);
			if (p->ngroup)
				block_title(p, fp, e->blocks[i], NAN);
			else
				fputs(" notitle", fp);
		}
		break;
	case FUND_PLOT_SERIES:
		fputs("set xlabel ", fp);
		sqf(fp, p->o.period == FUND_PERIOD_MONTH ? "month of %s" : "year of %s",
		    p->period_name ? p->period_name : p->o.period_col);
		fputs("\nset ylabel ", fp);
		sqf(fp, "total %s", v);
		fputs("\nset format y '%.12g'\n", fp);
		if (p->o.period == FUND_PERIOD_MONTH)
			fputs("set xdata time\nset timefmt '%Y-%m'\nset format x '%Y-%m'\nset xtics rotate by -45\n", fp);
		else if (p->pmax - p->pmin <= 20)
			fputs("set xtics 1\nset format x '%.0f'\n", fp);
		else
			fputs("set format x '%.0f'\n", fp);
		if (p->pmin == p->pmax && p->o.period != FUND_PERIOD_MONTH)
			fprintf(fp, "set xrange [%d:%d]\n", p->pmin - 1, p->pmin + 1);
		fputs("plot", fp);
		for (i = 0; i < e->nblocks; i++) {
			fprintf(fp, "%s $DATA index %zu using 1:3 with linespoints linewidth 2", i ? ", \\\n    " : "", i);
			if (p->ngroup)
				block_title(p, fp, e->blocks[i], NAN);
			else
				fputs(" notitle", fp);
		}
		break;
	case FUND_PLOT_BARS:
		fputs("set xlabel ", fp);
		{
			char *t = group_names(p);
			if (!t)
				script_failed = 1;
			sqf(fp, "%s", t ? t : "");
			free(t);
		}
		fputs("\nset ylabel ", fp);
		sqf(fp, "total %s", v);
		fputs("\nset format y '%.12g'\nset style fill solid 0.6 border -1\nset boxwidth 0.8 relative\n"
		      "set xtics rotate by -45 scale 0\nset key off\nset yrange [*<0:0<*]\n"
		      "plot $DATA using 0:3:xtic(1) with boxes notitle", fp);
		break;
	}
	putc('\n', fp);
}

static int plot_write(struct fund_plot *p, FILE *fp, const struct fund_plot_out *o, struct fund_error *err)
{
	static const struct col hist_cols[] = {
		{ "low", FUND_CELL_NUMBER }, { "high", FUND_CELL_NUMBER }, { "count", FUND_CELL_NUMBER },
		{ "amount", FUND_CELL_NUMBER }, { "weight", FUND_CELL_NUMBER }
	};
	struct col cols[5];
	size_t ncols = 0;
	struct emit e;
	char n0[200], n1[200];
	const char *v = p->val_name ? p->val_name : p->o.value_col;
	int rc, script = o->term != FUND_TERM_NONE && !o->table;

	if (p->o.kind == FUND_PLOT_HIST && o->per_bin == FUND_BIN_WEIGHT && !p->weighted)
		return fund_error_set(err, FUND_EUSAGE, "--per-bin weight needs a weight column (-w)");
	switch (p->o.kind) {
	case FUND_PLOT_HIST:
		memcpy(cols, hist_cols, sizeof(hist_cols));
		ncols = p->weighted ? 5 : 4;
		break;
	case FUND_PLOT_LORENZ:
		snprintf(n0, sizeof(n0), "share_%s", p->weighted ? p->o.weight_col : "rows");
		snprintf(n1, sizeof(n1), "share_%s", v);
		cols[0] = (struct col){ n0, FUND_CELL_NUMBER };
		cols[1] = (struct col){ n1, FUND_CELL_NUMBER };
		ncols = 2;
		break;
	case FUND_PLOT_CDF:
		snprintf(n1, sizeof(n1), "share_%s_at_or_below", p->weighted ? p->o.weight_col : "rows");
		cols[0] = (struct col){ v, FUND_CELL_NUMBER };
		cols[1] = (struct col){ n1, FUND_CELL_NUMBER };
		ncols = 2;
		break;
	case FUND_PLOT_SERIES:
		cols[0] = (struct col){ p->o.period == FUND_PERIOD_MONTH ? "month" : "year", FUND_CELL_TEXT };
		cols[1] = (struct col){ "count", FUND_CELL_NUMBER };
		cols[2] = (struct col){ v, FUND_CELL_NUMBER };
		ncols = 3;
		break;
	case FUND_PLOT_BARS:
		cols[0] = (struct col){ "group", FUND_CELL_TEXT };
		cols[1] = (struct col){ "count", FUND_CELL_NUMBER };
		cols[2] = (struct col){ v, FUND_CELL_NUMBER };
		ncols = 3;
		break;
	}
	if (p->o.kind == FUND_PLOT_BARS && o->table) {
		/* the key columns take the label's place */
		if (emit_open(&e, p, o, fp, cols + 1, ncols - 1, 1)) {
			emit_free(&e);
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		}
	} else if (emit_open(&e, p, o, fp, cols, ncols, p->o.kind != FUND_PLOT_BARS)) {
		emit_free(&e);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if (script) {
		script_head(p, fp, o);
		fputs("$DATA << EOD\n", fp);
	}
	switch (p->o.kind) {
	case FUND_PLOT_HIST: rc = write_hist(p, &e, err); break;
	case FUND_PLOT_LORENZ: case FUND_PLOT_CDF: rc = write_curve(p, &e, err); break;
	case FUND_PLOT_SERIES: rc = write_series(p, &e, err); break;
	default: rc = write_bars(p, &e, err); break;
	}
	if (rc == 0 && script) {
		fputs("EOD\n", fp);
		script_plot(p, &e, fp, o);
	}
	if (rc == 0 && (rc = emit_close(&e)) < 0)
		fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
	emit_free(&e);
	return rc;
}

/* A stream into memory whose writes fail, and say so (ferror), when the
 * memory cannot grow: glibc's open_memstream drops the bytes it cannot
 * hold without setting the error flag. */
static ssize_t mem_write(void *cookie, const char *s, size_t n)
{
	struct fund_buf *b = cookie;
	if (fund_buf_reserve(b, n))
		return -1;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return (ssize_t)n;
}

/* Written to memory first: a failure leaves nothing half-written. */
int fund_plot_write(struct fund_plot *p, FILE *fp, const struct fund_plot_out *o, struct fund_error *err)
{
	static const cookie_io_functions_t io = { NULL, mem_write, NULL, NULL };
	struct fund_buf buf = { NULL, 0, 0 };
	FILE *mem = fopencookie(&buf, "w", io);
	int rc;
	if (!mem)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	script_failed = 0;
	rc = plot_write(p, mem, o, err);
	/* a write error there is memory that could not grow */
	if ((ferror(mem) | fclose(mem) | script_failed) != 0 && (rc == 0 || rc == FUND_EIO))
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (rc == 0 && buf.len && fwrite(buf.p, 1, buf.len, fp) != buf.len)
		rc = fund_error_set(err, FUND_EIO, "write error");
	fund_buf_release(&buf);
	return rc;
}

/* ---- the engine, for the driver: one pass (no fork) ---- */

static int plot_op_bind(void *e, const struct fund_reader *r, struct fund_error *err)
{
	return fund_plot_bind(e, r, err);
}

static int plot_op_add(void *e, const struct fund_record *rec, struct fund_error *err)
{
	return fund_plot_add(e, rec, err);
}

static size_t plot_op_columns(const void *e, int *cols, size_t max)
{
	return fund_plot_columns(e, cols, max);
}

const struct fund_engine fund_plot_engine = {
	plot_op_bind, plot_op_add, NULL, NULL, NULL, NULL, plot_op_columns, 0, 0
};
