/* The plot engine: values, weights and periods by group, kept for the
 * series fund-plot draws (lib/plot_data.c writes them, lib/plot_script.c
 * the gnuplot script around them). */
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

const char *const fund_plot_kind_names[] = { "hist", "lorenz", "cdf", "series", "bars" };

int fund_plot_kind_from_name(const char *name)
{
	size_t i;
	for (i = 0; i < sizeof(fund_plot_kind_names) / sizeof(fund_plot_kind_names[0]); i++)
		if (!strcmp(name, fund_plot_kind_names[i]))
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
	if (o->pivot) {
		size_t i;
		if (!(p->own_groups = calloc(o->ngroup + 1, sizeof(char *)))) {
			free(p);
			return FUND_ENOMEM;
		}
		for (i = 0; i < o->ngroup; i++)
			p->own_groups[i] = o->group_cols[i];
		p->own_groups[o->ngroup] = o->pivot;
		p->o.group_cols = p->own_groups;
		p->o.ngroup = o->ngroup + 1;
		p->pivot = 1;
	}
	p->weighted = o->weight_col != NULL;
	p->keep_values = o->kind == FUND_PLOT_HIST || o->kind == FUND_PLOT_LORENZ || o->kind == FUND_PLOT_CDF;
	p->keep_amounts = o->kind == FUND_PLOT_HIST;
	p->ngroup = p->o.ngroup;
	p->period_idx = -1;
	p->key_idx = calloc(p->ngroup + 1, sizeof(int));
	p->key_names = calloc(p->ngroup + 1, sizeof(char *));
	p->kv = calloc(p->ngroup + 1, sizeof(char *));
	p->kl = calloc(p->ngroup + 1, sizeof(size_t));
	p->vw.ctx.forced = p->vw.wctx.forced = o->decimal;
	p->vw.strict = o->strict;
	p->vw.diag = o->diag;
	p->vw.diag_ctx = o->diag_ctx;
	p->vw.w_name = o->weight_col;
	p->rp.strict = o->strict;
	p->rp.diag = o->diag;
	p->rp.diag_ctx = o->diag_ctx;
	if (!p->key_idx || !p->key_names || !p->kv || !p->kl ||
	    fund_groups_new(&p->groups, p->ngroup, sizeof(struct pgroup)) ||
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
	free(p->own_groups);
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

/* the key of a cell of a series: the group's index in its engine and
 * the period */
struct cell_key {
	size_t g;
	int period;
};

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
		if (rec->sheet)
			fund_error_cell(&e, (unsigned long)c + 1);
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
		struct cell_key key;
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

/* ---- the engine, for the driver: in parts on threads ---- */

/* A part's engine: p's options, its row problems to diag; with what p
 * learned of the decimal marks when inherit (the first part). */
static int plot_op_fork(void *e, int inherit, fund_diag_fn diag, void *dctx, void **out)
{
	const struct fund_plot *p = e;
	struct fund_plot_opts o = p->o;
	struct fund_plot *q;
	int rc;
	*out = NULL;
	if (p->pivot)
		o.ngroup = p->ngroup - 1;   /* the pivot after them again */
	o.diag = diag;
	o.diag_ctx = dctx;
	if ((rc = fund_plot_new(&q, &o)) < 0)
		return rc;
	if (inherit) {
		q->vw.ctx = p->vw.ctx;
		q->vw.wctx = p->vw.wctx;
	}
	*out = q;
	return 0;
}

static void cell_key_of(const struct fund_plot *p, size_t ci, struct cell_key *k)
{
	size_t len;
	const char *kp = fund_groups_key(p->cells, ci, 0, &len);
	memset(k, 0, sizeof(*k));
	memcpy(k, kp, len < sizeof(*k) ? len : sizeof(*k));
}

/* b's groups after a's, each group's values after a's (the order one
 * pass keeps them in): FUND_ERETRY when b read a value that one pass would
 * have read otherwise, or when a sum overflows (one pass says where). */
/* group i of b's key, in a's scratch (a->kv, a->kl) */
static void key_in(struct fund_plot *a, const struct fund_plot *b, size_t i)
{
	size_t k;
	for (k = 0; k < a->ngroup; k++)
		a->kv[k] = fund_groups_key(b->groups, i, k, &a->kl[k]);
}

static int plot_op_merge(void *va, void *vb, struct fund_error *err)
{
	struct fund_plot *a = va, *b = vb;
	struct fund_amount_ctx c = a->vw.ctx, wc = a->vw.wctx;
	size_t i, n = fund_groups_count(b->groups), *map;

	if (fund_amount_ctx_follow(&c, &b->vw.ctx) || fund_amount_ctx_follow(&wc, &b->vw.wctx))
		return fund_error_set(err, FUND_ERETRY, "parts do not merge exactly");
	if (!(map = calloc(n + 1, sizeof(*map))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	/* first whether every sum merges (a is left as it was otherwise),
	 * each group of b found in a (map) */
	for (i = 0; i < n; i++) {
		size_t gi;
		key_in(a, b, i);
		map[i] = (size_t)-1;
		if (fund_groups_find(a->groups, a->kv, a->kl, &gi)) {
			map[i] = gi;
			if (fund_sum_merge_check(&((struct pgroup *)fund_groups_payload(a->groups, gi))->sum,
						 &((struct pgroup *)fund_groups_payload(b->groups, i))->sum))
				goto retry;
		}
	}
	if (fund_sum_merge_check(&a->s.no_date_sum, &b->s.no_date_sum))
		goto retry;
	for (i = 0; b->cells && i < fund_groups_count(b->cells); i++) {
		struct cell_key key;
		const char *kp = (const char *)&key;
		size_t kl = sizeof(key), ci;
		cell_key_of(b, i, &key);
		if (map[key.g] == (size_t)-1)
			continue;     /* a new group: a new cell */
		key.g = map[key.g];
		if (fund_groups_find(a->cells, &kp, &kl, &ci) &&
		    fund_sum_merge_check(&((struct pcell *)fund_groups_payload(a->cells, ci))->sum,
					 &((struct pcell *)fund_groups_payload(b->cells, i))->sum))
			goto retry;
	}
	/* then the merge: b's new groups added after a's */
	for (i = 0; i < n; i++) {
		struct pgroup *x, *y = fund_groups_payload(b->groups, i);
		if (map[i] == (size_t)-1) {
			key_in(a, b, i);
			if (fund_groups_get(a->groups, a->kv, a->kl, &map[i]) < 0)
				goto nomem;
		}
		x = fund_groups_payload(a->groups, map[i]);
		if (fund_sum_merge(&x->sum, &y->sum))
			goto retry;
		x->count += y->count;
		if (y->n && x->n == 0) {
			/* the values moved, not copied (b is freed after) */
			struct pgroup t = *x;
			x->x = y->x;
			x->w = y->w;
			x->a = y->a;
			x->n = y->n;
			x->cap = y->cap;
			y->x = t.x;
			y->w = t.w;
			y->a = t.a;
			y->n = 0;
			y->cap = t.cap;
		} else if (y->n) {
			while (x->cap < x->n + y->n)
				if (grow(a, x))
					goto nomem;
			memcpy(x->x + x->n, y->x, y->n * sizeof(double));
			if (a->weighted)
				memcpy(x->w + x->n, y->w, y->n * sizeof(double));
			if (a->keep_amounts)
				memcpy(x->a + x->n, y->a, y->n * sizeof(*y->a));
			x->n += y->n;
		}
	}
	for (i = 0; b->cells && i < fund_groups_count(b->cells); i++) {
		struct cell_key key;
		const char *kp = (const char *)&key;
		size_t kl = sizeof(key), ci;
		struct pcell *x, *y = fund_groups_payload(b->cells, i);
		cell_key_of(b, i, &key);
		key.g = map[key.g];
		if (fund_groups_get(a->cells, &kp, &kl, &ci) < 0)
			goto nomem;
		x = fund_groups_payload(a->cells, ci);
		if (fund_sum_merge(&x->sum, &y->sum))
			goto retry;
		x->count += y->count;
	}
	if (b->any_period) {
		if (!a->any_period || b->pmin < a->pmin)
			a->pmin = b->pmin;
		if (!a->any_period || b->pmax > a->pmax)
			a->pmax = b->pmax;
		a->any_period = 1;
	}
	if (fund_sum_merge(&a->s.no_date_sum, &b->s.no_date_sum))
		goto retry;
	a->s.bad_dates += b->s.bad_dates;
	a->s.no_date += b->s.no_date;
	a->vw.ctx = c;
	a->vw.wctx = wc;
	a->vw.missing += b->vw.missing;
	a->vw.unreadable += b->vw.unreadable;
	a->vw.bad_weights += b->vw.bad_weights;
	fund_rows_add(&a->rp.n, &b->rp.n);
	free(map);
	return 0;
retry:
	free(map);
	return fund_error_set(err, FUND_ERETRY, "a sum overflows in the parts");
nomem:
	free(map);
	return fund_error_set(err, FUND_ENOMEM, "out of memory");
}

static void plot_op_free(void *e)
{
	struct fund_plot *p = e;
	fund_plot_free(&p);
}

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
	/* a part a thread: a merge copies the values */
	plot_op_bind, plot_op_add, plot_op_fork, plot_op_merge, plot_op_free, NULL, plot_op_columns, 0, 1, 0, NULL
};

/* ---- fund-plot's work in one call ---- */

static int plot_write_cb(void *eng, FILE *out, const void *wo, struct fund_error *err)
{
	return fund_plot_write(eng, out, wo, err);
}

static int plot_describe_cb(const void *eng, struct fund_summary *sum)
{
	return fund_plot_describe(eng, sum);
}

int fund_plot_files(const struct fund_plot_opts *o, const struct fund_plot_out *oo, const char *const *files, size_t n,
		const struct fund_run_opts *ro, FILE *fp, struct fund_summary *sum, struct fund_error *err)
{
	struct fund_plot *e = NULL;
	int rc;
	memset(sum, 0, sizeof(*sum));
	if (fund_plot_new(&e, o) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	rc = fund_run_write(&fund_plot_engine, e, files, n, ro, plot_write_cb, fp, oo, plot_describe_cb, sum, err);
	fund_plot_free(&e);
	return rc;
}
