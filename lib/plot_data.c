/* The series for gnuplot: histogram, Lorenz curve, distribution function,
 * totals per period and per group, as gnuplot data blocks or as a table
 * (lib/writer.c); the whole written to memory first. */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include "internal.h"
#include "plot.h"
#include "banned.h"

/* ---- output: gnuplot data blocks or a table ---- */



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

void fund_plot_put_comment(FILE *fp, const char *s, size_t len)
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
			fund_plot_put_comment(e->fp, n, strlen(n));
			putc('=', e->fp);
			fund_plot_put_comment(e->fp, v, len);
		}
		putc('\n', e->fp);
	}
	if (note) {
		fputs("# ", e->fp);
		fund_plot_put_comment(e->fp, note, strlen(note));
		putc('\n', e->fp);
	}
	for (k = 0; k < e->ncols; k++) {
		fputs(k ? "\t" : "# ", e->fp);
		fund_plot_put_comment(e->fp, e->cols[k].name, strlen(e->cols[k].name));
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
	c.len = fund_utoa(b, v);
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
			/* one value: a bin around it, wide enough to be one
			 * at its magnitude (2e35 - 0.5 is 2e35) */
			double d = fabs(lo) * 1e-6 > 0.5 ? fabs(lo) * 1e-6 : 0.5;
			lo -= d;
			hi += d;
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
	if (!(i >= 0 && i < (double)b->n))   /* NaN too */
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
			/* a Gini is in [0, 1] (NaN for a total of 0) */
			if (fund_fmt(note, sizeof(note), "gini %.4f, %zu value%s", gini, g->n, g->n == 1 ? "" : "s") < 0)
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
		} else if (fund_fmt(note, sizeof(note), "%zu value%s", g->n, g->n == 1 ? "" : "s") < 0) {
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
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
		fund_ymd(b, period / 12, period % 12 + 1, 0);
	else
		fund_ymd(b, period, 0, 0);
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
char *fund_plot_label_of(struct fund_plot *p, size_t gi)
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
		if (!(label = fund_plot_label_of(p, order[i]))) {
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
		if (fund_fmt(b[0], sizeof(b[0]), "(%zu other%s)", ng - shown, ng - shown == 1 ? "" : "s") < 0) {
			free(order);
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		}
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

/* bars with a pivot: one row per group of the other keys, one column per
 * value of the pivot (p->ngroup counts the other keys while written) */
struct prow {
	struct fund_sum sum;
};

struct bar_sort {
	struct fund_groups *g;
	size_t nk;
	enum fund_sort sort;
};

static int cmp_pivot_bars(const void *pa, const void *pb, void *arg)
{
	const struct bar_sort *s = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb, k;
	int c = 0;
	if (s->sort == FUND_SORT_TOTAL)
		c = -cmp_sum(fund_groups_payload(s->g, a), fund_groups_payload(s->g, b));
	for (k = 0; !c && s->sort != FUND_SORT_NONE && k < s->nk; k++) {
		size_t la, lb;
		const char *ka = fund_groups_key(s->g, a, k, &la), *kb = fund_groups_key(s->g, b, k, &lb);
		c = memcmp(ka, kb, la < lb ? la : lb);
		if (!c)
			c = la < lb ? -1 : la > lb;
	}
	return c ? c : a < b ? -1 : a > b;
}

static int write_pivot_bars(struct fund_plot *p, FILE *fp, const struct fund_plot_out *o, struct fund_error *err)
{
	size_t n = fund_groups_count(p->groups), nk = p->ngroup - 1, g, k, i, r, nr, nc, shown;
	struct fund_groups *rows = NULL, *colg = NULL;
	size_t *rid = malloc((n + 1) * sizeof(size_t)), *cid = malloc((n + 1) * sizeof(size_t));
	size_t *rorder = NULL, *corder = NULL, *cpos = NULL;
	struct fund_sum *cells = NULL, *rest = NULL;
	struct col *cols = NULL;
	struct fund_cell *c = NULL;
	char *nb = NULL, label_rest[64];
	struct emit e;
	int scale = max_scale(p), rc = 0, opened = 0, script = o->term != FUND_TERM_NONE && !o->table;

	memset(&e, 0, sizeof(e));
	if (!rid || !cid || fund_groups_new(&rows, nk, sizeof(struct prow)) ||
	    fund_groups_new(&colg, 1, sizeof(struct prow)))
		goto nomem;
	if (n == 0) {
		rc = fund_error_set(err, FUND_EDATA, "nothing to draw: no rows");
		goto out;
	}
	for (g = 0; g < n; g++) {
		struct pgroup *pg = fund_groups_payload(p->groups, g);
		for (k = 0; k < nk; k++)
			p->kv[k] = fund_groups_key(p->groups, g, k, &p->kl[k]);
		if (fund_groups_get(rows, p->kv, p->kl, &rid[g]) < 0)
			goto nomem;
		if (fund_sum_merge(&((struct prow *)fund_groups_payload(rows, rid[g]))->sum, &pg->sum))
			goto overflow;
		p->kv[0] = fund_groups_key(p->groups, g, nk, &p->kl[0]);
		if (fund_groups_get(colg, p->kv, p->kl, &cid[g]) < 0)
			goto nomem;
		if (fund_sum_merge(&((struct prow *)fund_groups_payload(colg, cid[g]))->sum, &pg->sum))
			goto overflow;
	}
	nr = fund_groups_count(rows);
	nc = fund_groups_count(colg);
	if (nc > FUND_PIVOT_MAX) {
		rc = fund_error_set(err, FUND_ELIMIT, "--pivot %s: %zu distinct values, more than the %d a plot may have",
				    p->key_names[nk] ? p->key_names[nk] : p->o.pivot, nc, FUND_PIVOT_MAX);
		goto out;
	}
	rorder = malloc((nr + 1) * sizeof(size_t));
	corder = malloc((nc + 1) * sizeof(size_t));
	cpos = malloc((nc + 1) * sizeof(size_t));
	cells = calloc(nr * nc + 1, sizeof(*cells));
	rest = calloc(nc + 1, sizeof(*rest));
	cols = calloc(nc + 2, sizeof(*cols));
	c = calloc(nc + 2, sizeof(*c));
	nb = malloc(400 * (nc + 2));
	if (!rorder || !corder || !cpos || !cells || !rest || !cols || !c || !nb)
		goto nomem;
	for (r = 0; r < nr; r++)
		rorder[r] = r;
	for (i = 0; i < nc; i++)
		corder[i] = i;
	{
		struct bar_sort rs = { rows, nk, o->sort }, cs = { colg, 1, o->sort };
		qsort_r(rorder, nr, sizeof(size_t), cmp_pivot_bars, &rs);
		qsort_r(corder, nc, sizeof(size_t), cmp_pivot_bars, &cs);
	}
	for (i = 0; i < nc; i++)
		cpos[corder[i]] = i;
	for (g = 0; g < n; g++)
		if (fund_sum_merge(&cells[rid[g] * nc + cpos[cid[g]]], &((struct pgroup *)fund_groups_payload(p->groups, g))->sum))
			goto overflow;
	cols[0] = (struct col){ "group", FUND_CELL_TEXT };
	for (i = 0; i < nc; i++) {
		size_t len;
		const char *v = fund_groups_key(colg, corder[i], 0, &len);
		cols[i + 1] = (struct col){ len ? v : "(empty)", FUND_CELL_NUMBER };
	}
	/* the other keys are the groups while written */
	p->ngroup = nk;
	if (emit_open(&e, p, o, fp, o->table ? cols + 1 : cols, o->table ? nc : nc + 1, o->table)) {
		p->ngroup = nk + 1;
		goto nomem;
	}
	opened = 1;
	if (script) {
		fund_plot_script_head(p, fp, o);
		fputs("$DATA << EOD\n", fp);
	}
	emit_block(&e, (size_t)-1, NULL);
	shown = o->top && o->top < nr ? o->top : nr;
	for (r = 0; r < nr; r++) {
		size_t row = rorder[r];
		char *label = NULL;
		if (r >= shown) {
			for (i = 0; i < nc; i++)
				if (cells[row * nc + i].n && fund_sum_merge(&rest[i], &cells[row * nc + i]))
					goto overflow;
			continue;
		}
		if (o->table) {
			for (k = 0; k < nk; k++) {
				e.cells[k].s = fund_groups_key(rows, row, k, &e.cells[k].len);
				e.cells[k].type = FUND_CELL_TEXT;
			}
		} else {
			size_t len = 1, off = 0;
			for (k = 0; k < nk; k++) {
				fund_groups_key(rows, row, k, &i);
				len += i + 3;
			}
			if (!(label = malloc(len)))
				goto nomem;
			for (k = 0; k < nk; k++) {
				size_t l;
				const char *v = fund_groups_key(rows, row, k, &l);
				if (k) {
					memcpy(label + off, " / ", 3);
					off += 3;
				}
				memcpy(label + off, v, l);
				off += l;
			}
			label[off] = '\0';
			c[0] = (struct fund_cell){ label, off, FUND_CELL_TEXT };
		}
		for (i = 0; i < nc; i++)
			c[i + 1] = cells[row * nc + i].n ? snum(nb + 400 * i, &cells[row * nc + i], scale)
							 : (struct fund_cell){ NULL, 0, FUND_CELL_NUMBER };
		emit_row(&e, o->table ? c + 1 : c);
		free(label);
	}
	if (shown < nr) {
		if (fund_fmt(label_rest, sizeof(label_rest), "(%zu other%s)", nr - shown, nr - shown == 1 ? "" : "s") < 0)
			goto nomem;
		if (o->table)
			for (k = 0; k < nk; k++) {
				e.cells[k].s = k ? NULL : label_rest;
				e.cells[k].len = k ? 0 : strlen(label_rest);
				e.cells[k].type = FUND_CELL_TEXT;
			}
		c[0] = (struct fund_cell){ label_rest, strlen(label_rest), FUND_CELL_TEXT };
		for (i = 0; i < nc; i++)
			c[i + 1] = rest[i].n ? snum(nb + 400 * i, &rest[i], scale) : (struct fund_cell){ NULL, 0, FUND_CELL_NUMBER };
		emit_row(&e, o->table ? c + 1 : c);
	}
	if (script) {
		fputs("EOD\n", fp);
		fund_plot_script_plot(p, &e, fp, o);
	}
	if ((rc = emit_close(&e)) < 0)
		fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
	goto out;
overflow:
	rc = fund_error_set(err, FUND_EOVERFLOW, "a total overflows");
	goto out;
nomem:
	rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
out:
	if (opened) {
		emit_free(&e);
		p->ngroup = nk + 1;
	}
	fund_groups_free(&rows);
	fund_groups_free(&colg);
	free(rid);
	free(cid);
	free(rorder);
	free(corder);
	free(cpos);
	free(cells);
	free(rest);
	free(cols);
	free(c);
	free(nb);
	return rc;
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
	char *n0 = NULL, *n1 = NULL;   /* column names of any length */
	const char *v = p->val_name ? p->val_name : p->o.value_col;
	int rc, script = o->term != FUND_TERM_NONE && !o->table;

	if (p->pivot)
		return write_pivot_bars(p, fp, o, err);
	if (p->o.kind == FUND_PLOT_HIST && o->per_bin == FUND_BIN_WEIGHT && !p->weighted)
		return fund_error_set(err, FUND_EUSAGE, "--per-bin weight needs a weight column (-w)");
	switch (p->o.kind) {
	case FUND_PLOT_HIST:
		memcpy(cols, hist_cols, sizeof(hist_cols));
		ncols = p->weighted ? 5 : 4;
		break;
	case FUND_PLOT_LORENZ:
		if (fund_str_append(&n0, "share_%s", p->weighted ? p->o.weight_col : "rows") ||
		    fund_str_append(&n1, "share_%s", v))
			goto nomem;
		cols[0] = (struct col){ n0, FUND_CELL_NUMBER };
		cols[1] = (struct col){ n1, FUND_CELL_NUMBER };
		ncols = 2;
		break;
	case FUND_PLOT_CDF:
		if (fund_str_append(&n1, "share_%s_at_or_below", p->weighted ? p->o.weight_col : "rows"))
			goto nomem;
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
			goto nomem;
		}
	} else if (emit_open(&e, p, o, fp, cols, ncols, p->o.kind != FUND_PLOT_BARS)) {
		emit_free(&e);
		goto nomem;
	}
	if (script) {
		fund_plot_script_head(p, fp, o);
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
		fund_plot_script_plot(p, &e, fp, o);
	}
	if (rc == 0 && (rc = emit_close(&e)) < 0)
		fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
	emit_free(&e);
	free(n0);
	free(n1);
	return rc;
nomem:
	free(n0);
	free(n1);
	return fund_error_set(err, FUND_ENOMEM, "out of memory");
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
	fund_plot_script_failed(1);
	rc = plot_write(p, mem, o, err);
	/* a write error there is memory that could not grow */
	if ((ferror(mem) | fclose(mem) | fund_plot_script_failed(1)) != 0 && (rc == 0 || rc == FUND_EIO))
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (rc == 0 && buf.len && fwrite(buf.p, 1, buf.len, fp) != buf.len)
		rc = fund_error_set(err, FUND_EIO, "write error");
	fund_buf_release(&buf);
	return rc;
}
