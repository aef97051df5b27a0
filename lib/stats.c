/* Descriptive statistics and inequality measures.  References for the
 * inequality measures: Cowell, "Measuring Inequality" (3rd ed., 2011):
 * Gini (mean difference), Theil T and L (generalised entropy 1 and 0),
 * Atkinson; Hoover (the Robin Hood index); Palma (Cobham & Sumner 2013);
 * Herfindahl-Hirschman of shares.  Weighted versions treat a weight as a
 * number of people with the value (population weights). */
#define _GNU_SOURCE
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "internal.h"
#include "banned.h"

const char fund_measures_default[] = "count,missing,sum,min,q1,median,q3,max,mean,sd_samp,gini";

static const struct { const char *name; enum fund_measure_kind kind; int sorted; } names[] = {
	{ "count", FUND_M_COUNT, 0 }, { "missing", FUND_M_MISSING, 0 }, { "sum", FUND_M_SUM, 0 },
	{ "min", FUND_M_MIN, 0 }, { "max", FUND_M_MAX, 0 }, { "mean", FUND_M_MEAN, 0 },
	{ "median", FUND_M_MEDIAN, 1 }, { "q1", FUND_M_Q1, 1 }, { "q3", FUND_M_Q3, 1 },
	{ "iqr", FUND_M_IQR, 1 }, { "var_samp", FUND_M_VAR_SAMP, 0 }, { "var_pop", FUND_M_VAR_POP, 0 },
	{ "sd_samp", FUND_M_SD_SAMP, 0 }, { "sd_pop", FUND_M_SD_POP, 0 }, { "cv", FUND_M_CV, 0 },
	{ "mad", FUND_M_MAD, 1 }, { "skewness", FUND_M_SKEW, 1 }, { "kurtosis", FUND_M_KURT, 1 },
	{ "gini", FUND_M_GINI, 1 }, { "theil_t", FUND_M_THEIL_T, 1 }, { "theil_l", FUND_M_THEIL_L, 1 },
	{ "hoover", FUND_M_HOOVER, 1 }, { "palma", FUND_M_PALMA, 1 }, { "hhi", FUND_M_HHI, 1 }
};

/* What users of R, pandas, Miller, datamash and spreadsheets type, and
 * the measure each one is (the column is named by the measure). */
static const struct { const char *alias, *name; } aliases[] = {
	{ "n", "count" }, { "total", "sum" }, { "avg", "mean" }, { "average", "mean" },
	{ "minimum", "min" }, { "maximum", "max" },
	{ "sd", "sd_samp" }, { "std", "sd_samp" }, { "stddev", "sd_samp" }, { "stdev", "sd_samp" },
	{ "sstdev", "sd_samp" }, { "pstdev", "sd_pop" }, { "var", "var_samp" }, { "variance", "var_samp" },
	{ "svar", "var_samp" }, { "pvar", "var_pop" }, { "q2", "median" },
	{ "skew", "skewness" }, { "kurt", "kurtosis" }
};

const char *fund_measure_alias(size_t i, const char **name)
{
	if (i >= sizeof(aliases) / sizeof(aliases[0]))
		return NULL;
	*name = aliases[i].name;
	return aliases[i].alias;
}

static int needs_values(enum fund_measure_kind k)
{
	size_t i;
	if (k == FUND_M_PCT || k == FUND_M_ATKINSON || k == FUND_M_TOP || k == FUND_M_BOTTOM)
		return 1;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].kind == k)
			return names[i].sorted;
	return 0;
}

/* a number in [lo, hi] after a prefix, as "90" or "0.5" */
static int param(const char *s, double lo, double hi, double *v)
{
	char *end;
	if (!*s)
		return -1;
	*v = strtod(s, &end);
	return *end || !(*v >= lo && *v <= hi) ? -1 : 0;
}

int fund_measures_parse(const char *list, struct fund_measure **out, size_t *n, struct fund_error *err)
{
	struct fund_measure *m = NULL;
	size_t cap = 0;
	const char *p = list;

	*out = NULL;
	*n = 0;
	while (*p) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p), i;
		char tok[40];
		struct fund_measure x;
		int ok = 0;
		if (len == 0 || len >= sizeof(tok)) {
			free(m);
			return fund_error_set(err, FUND_EUSAGE, "empty or overlong measure name in '%s'", list);
		}
		memcpy(tok, p, len);
		tok[len] = '\0';
		for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
			if (!strcmp(tok, aliases[i].alias)) {
				if (fund_fmt(tok, sizeof(tok), "%s", aliases[i].name) < 0)
					tok[0] = '\0';   /* cannot be: an alias names a measure */
				break;
			}
		memset(&x, 0, sizeof(x));
		memcpy(x.name, tok, strlen(tok) + 1);   /* tok is shorter than x.name */
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name)) {
				x.kind = names[i].kind;
				ok = 1;
			}
		if (!ok && tok[0] == 'p' && param(tok + 1, 0, 100, &x.param) == 0) {
			x.kind = FUND_M_PCT;
			ok = 1;
		} else if (!ok && !strncmp(tok, "top", 3) && param(tok + 3, 0.000001, 100, &x.param) == 0) {
			x.kind = FUND_M_TOP;
			ok = 1;
		} else if (!ok && !strncmp(tok, "bottom", 6) && param(tok + 6, 0.000001, 100, &x.param) == 0) {
			x.kind = FUND_M_BOTTOM;
			ok = 1;
		} else if (!ok && !strncmp(tok, "atkinson", 8)) {
			x.param = 0.5;
			ok = tok[8] == '\0' || (tok[8] == ':' && param(tok + 9, 0.000001, 1000, &x.param) == 0);
			x.kind = FUND_M_ATKINSON;
			if (ok && fund_fmt(x.name, sizeof(x.name), "atkinson_%s", tok[8] == ':' ? tok + 9 : "0.5") < 0)
				ok = 0;
		}
		if (!ok) {
			free(m);
			return fund_error_set(err, FUND_EUSAGE,
				"unknown measure '%s' (count, missing, sum, min, max, mean, median, pN, q1, q3, iqr, "
				"var_samp, var_pop, sd_samp, sd_pop, cv, mad, skewness, kurtosis, gini, theil_t, "
				"theil_l, atkinson[:E], hoover, palma, topN, bottomN, hhi; and the aliases in "
				"fund-stats --help)", tok);
		}
		if (*n == cap) {
			struct fund_measure *nm;
			cap = cap ? cap * 2 : 16;
			nm = realloc(m, cap * sizeof(*m));
			if (!nm) {
				free(m);
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			}
			m = nm;
		}
		m[(*n)++] = x;
		p += len;
		if (*p == ',')
			p++;
	}
	if (*n == 0)
		return fund_error_set(err, FUND_EUSAGE, "no measure given");
	*out = m;
	return 0;
}

/* ---- the measures on sorted values ---- */

static double wsum(const double *w, size_t n)
{
	double s = 0;
	size_t i;
	for (i = 0; i < n; i++)
		s += w ? w[i] : 1.0;
	return s;
}

/* quantile p (0..1) of sorted x */
static double quantile(const double *x, const double *w, size_t n, double p, enum fund_quantile q)
{
	size_t i;
	if (n == 0)
		return NAN;
	if (w) {
		/* weighted: the smallest value whose cumulative weight reaches p */
		double W = wsum(w, n), c = 0;
		if (W <= 0)
			return NAN;
		if (p <= 0) {
			for (i = 0; i < n && w[i] <= 0; i++)
				;
			return i < n ? x[i] : NAN;
		}
		for (i = 0; i < n; i++) {
			c += w[i];
			if (c >= p * W * (1 - 1e-15))
				return x[i];
		}
		return x[n - 1];
	}
	if (q == FUND_Q_NEAREST) {
		double r = ceil(p * (double)n);
		return x[r < 1 ? 0 : (size_t)r - 1];
	}
	return gsl_stats_quantile_from_sorted_data(x, 1, n, p);
}

/* The Lorenz curve at population share p: share of the total held by the
 * poorest p, linear between the points of the sorted units. */
static double lorenz(const double *x, const double *w, size_t n, double p)
{
	double W = wsum(w, n), T = 0, cw = 0, cx = 0;
	size_t i;
	for (i = 0; i < n; i++)
		T += (w ? w[i] : 1.0) * x[i];
	if (W <= 0 || T <= 0)
		return NAN;
	for (i = 0; i < n; i++) {
		double wi = w ? w[i] : 1.0, nw = cw + wi;
		if (nw >= p * W && wi > 0)
			return (cx + (p * W - cw) * x[i]) / T;
		cw = nw;
		cx += wi * x[i];
	}
	return 1.0;
}

static double mad(const double *x, const double *w, size_t n, enum fund_quantile q)
{
	double med = quantile(x, w, n, 0.5, q), r;
	double *d = malloc(n * sizeof(double)), *dw = NULL;
	size_t i;
	if (!d)
		return NAN;
	if (w && !(dw = malloc(n * sizeof(double)))) {
		free(d);
		return NAN;
	}
	for (i = 0; i < n; i++) {
		d[i] = fabs(x[i] - med);
		if (dw)
			dw[i] = w[i];
	}
	if (dw)
		gsl_sort2(d, 1, dw, 1, n);
	else
		gsl_sort(d, 1, n);
	r = quantile(d, dw, n, 0.5, q);
	free(d);
	free(dw);
	return r;
}

double fund_stat_sorted(enum fund_measure_kind kind, double prm, const double *x,
			const double *w, size_t n, enum fund_quantile q)
{
	/* unweighted, W is n: wsum adds n ones, exactly */
	double W = w ? wsum(w, n) : (double)n, T = 0, mu, s = 0;
	size_t i;

	if (n == 0 || W <= 0)
		return NAN;
	switch (kind) {
	case FUND_M_MEDIAN: return quantile(x, w, n, 0.5, q);
	case FUND_M_PCT: return quantile(x, w, n, prm / 100.0, q);
	case FUND_M_Q1: return quantile(x, w, n, 0.25, q);
	case FUND_M_Q3: return quantile(x, w, n, 0.75, q);
	case FUND_M_IQR: return quantile(x, w, n, 0.75, q) - quantile(x, w, n, 0.25, q);
	case FUND_M_MAD: return mad(x, w, n, q);
	case FUND_M_SKEW:
		if (n < 2)
			return NAN;
		return w ? gsl_stats_wskew(w, 1, x, 1, n) : gsl_stats_skew(x, 1, n);
	case FUND_M_KURT:
		if (n < 2)
			return NAN;
		return w ? gsl_stats_wkurtosis(w, 1, x, 1, n) : gsl_stats_kurtosis(x, 1, n);
	default:
		break;
	}
	/* the others need the total (quantiles do not: a pass fewer) */
	for (i = 0; i < n; i++)
		T += (w ? w[i] : 1.0) * x[i];
	mu = T / W;
	switch (kind) {
	case FUND_M_GINI: {
		/* 1 - sum of trapezoids under the Lorenz curve: exactly the
		 * mean difference over twice the mean, weighted or not */
		double cx = 0, area = 0;
		if (mu <= 0)
			return NAN;
		for (i = 0; i < n; i++) {
			double wi = w ? w[i] : 1.0, nx = cx + wi * x[i];
			area += wi * (cx + nx);
			cx = nx;
		}
		return 1.0 - area / (W * T);
	}
	case FUND_M_THEIL_T:
		if (mu <= 0)
			return NAN;
		for (i = 0; i < n; i++) {
			double wi = w ? w[i] : 1.0, r = x[i] / mu;
			if (x[i] < 0)
				return NAN;
			if (x[i] > 0 && wi > 0)
				s += wi * r * log(r);
		}
		return s / W;
	case FUND_M_THEIL_L:
		if (mu <= 0)
			return NAN;
		for (i = 0; i < n; i++) {
			double wi = w ? w[i] : 1.0;
			if (wi <= 0)
				continue;
			if (x[i] <= 0)
				return NAN;
			s += wi * log(mu / x[i]);
		}
		return s / W;
	case FUND_M_ATKINSON:
		if (mu <= 0)
			return NAN;
		for (i = 0; i < n; i++) {
			double wi = w ? w[i] : 1.0;
			if (wi <= 0)
				continue;
			if (x[i] < 0 || (x[i] == 0 && prm >= 1))
				return NAN;
			s += wi * (prm == 1 ? log(x[i]) : pow(x[i], 1 - prm));
		}
		if (prm == 1)
			return 1 - exp(s / W) / mu;
		return 1 - pow(s / W, 1 / (1 - prm)) / mu;
	case FUND_M_HOOVER:
		if (T <= 0)
			return NAN;
		for (i = 0; i < n; i++) {
			double wi = w ? w[i] : 1.0;
			s += fabs(wi * x[i] / T - wi / W);
		}
		return s / 2;
	case FUND_M_PALMA: {
		/* defined wherever the bottom 40 % hold a share other than 0
		 * (a negative one, from repayments, gives a negative ratio) */
		double b40 = lorenz(x, w, n, 0.4), t10 = 1 - lorenz(x, w, n, 0.9);
		return b40 != 0 && isfinite(b40) ? t10 / b40 : NAN;
	}
	case FUND_M_TOP: return 1 - lorenz(x, w, n, 1 - prm / 100.0);
	case FUND_M_BOTTOM: return lorenz(x, w, n, prm / 100.0);
	case FUND_M_HHI: {
		/* of the values' shares of their total (weights ignored); a
		 * negative value has a negative share, squared as any other */
		double t = 0;
		for (i = 0; i < n; i++)
			t += x[i];
		if (t <= 0)
			return NAN;
		for (i = 0; i < n; i++)
			s += (x[i] / t) * (x[i] / t);
		return s;
	}
	default:
		return NAN;
	}
}

/* s += v, the rounding errors kept in c (Neumaier's compensated sum) */
static void neumaier(double *s, double *c, double v)
{
	double t = *s + v;
	if (fabs(*s) >= fabs(v))
		*c += (*s - t) + v;
	else
		*c += (v - t) + *s;
	*s = t;
}

/* a - b, exact in decimal when both fit at the larger scale, as a double */
static double shifted(const struct fund_amount *a, const struct fund_amount *b)
{
	struct fund_amount d;
	fund_i128 ua = a->units, ub = b->units;
	int s = a->scale > b->scale ? a->scale : b->scale, k, bad = 0;
	for (k = a->scale; k < s && !bad; k++)
		bad = __builtin_mul_overflow(ua, (fund_i128)10, &ua);
	for (k = b->scale; k < s && !bad; k++)
		bad = __builtin_mul_overflow(ub, (fund_i128)10, &ub);
	if (bad || __builtin_sub_overflow(ua, ub, &d.units))
		return fund_amount_to_double(a) - fund_amount_to_double(b);
	d.scale = s;
	return fund_amount_to_double(&d);
}

/* ---- the engine ---- */

struct gvals {
	uint64_t count, missing;
	struct fund_sum sum;
	/* unweighted: the sum of the squares of the units, at twice the
	 * sum's scale, exact: mean and variance follow from sums that do not
	 * depend on the order of the rows (parts merge exactly) */
	fund_i128 sq;
	int sq_bad;             /* it overflowed: West's method below */
	double min, max;
	/* West's weighted incremental mean and variance, of the values
	 * less the group's first one, x0 (exact differences of decimals:
	 * the digits that the values share are not lost in doubles) */
	double W, W2, mean, m2;
	struct fund_amount x0;
	double swd, swd_c;      /* sum of w (x - x0), compensated (Neumaier) */
	double *x, *w;
	size_t n, cap;
	int sorted;             /* x ascending (fund_stats_finish) */
};

/* Sort n finite doubles ascending: LSD radix sort on their bits (sign
 * flipped so that the order of the integers is that of the numbers), 8
 * bits a pass, passes where every key has the same byte skipped.  Falls
 * back to heapsort (GSL) when there is no memory for the copy. */
static inline uint64_t dkey(double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof(u));
	return u >> 63 ? ~u : u | 1ull << 63;
}

static void sort_doubles(double *x, size_t n)
{
	double *t, *src = x, *dst;
	size_t (*count)[256], i, b;
	if (n < 64 || !(t = malloc(n * sizeof(double)))) {
		gsl_sort(x, 1, n);
		return;
	}
	if (!(count = calloc(8, sizeof(*count)))) {
		free(t);
		gsl_sort(x, 1, n);
		return;
	}
	dst = t;
	for (i = 0; i < n; i++) {
		uint64_t k = dkey(x[i]);
		for (b = 0; b < 8; b++)
			count[b][(k >> (8 * b)) & 255]++;
	}
	for (b = 0; b < 8; b++) {
		size_t sum = 0, d, c;
		double *sw;
		if (count[b][(dkey(x[0]) >> (8 * b)) & 255] == n)
			continue;   /* every key has this byte */
		for (d = 0; d < 256; d++) {
			c = count[b][d];
			count[b][d] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			dst[count[b][(dkey(src[i]) >> (8 * b)) & 255]++] = src[i];
		sw = src;
		src = dst;
		dst = sw;
	}
	if (src != x)
		memcpy(x, src, n * sizeof(double));
	free(count);
	free(t);
}

struct fund_stats {
	struct fund_stats_opts o;
	int need_values, weighted;
	size_t ngroup;
	int *key_idx;
	char **key_names, *val_name;
	struct fund_vw vw;
	struct fund_groups *groups;
	const char **kv;
	size_t *kl;
	struct fund_stats_summary s;
	struct fund_row_policy rp;
};

int fund_stats_new(struct fund_stats **out, const struct fund_stats_opts *o)
{
	struct fund_stats *s = calloc(1, sizeof(*s));
	size_t i;
	*out = NULL;
	if (!s)
		return FUND_ENOMEM;
	gsl_set_error_handler_off();
	s->o = *o;
	if (!s->o.value_col)
		s->o.value_col = "montant";
	s->weighted = o->weight_col != NULL;
	for (i = 0; i < o->nm; i++)
		if (needs_values(o->m[i].kind))
			s->need_values = 1;
	s->ngroup = o->ngroup;
	s->key_idx = calloc(o->ngroup + 1, sizeof(int));
	s->key_names = calloc(o->ngroup + 1, sizeof(char *));
	s->kv = calloc(o->ngroup + 1, sizeof(char *));
	s->kl = calloc(o->ngroup + 1, sizeof(size_t));
	s->vw.ctx.forced = s->vw.wctx.forced = o->decimal;
	s->vw.strict = o->strict;
	s->vw.diag = o->diag;
	s->vw.diag_ctx = o->diag_ctx;
	s->vw.w_name = o->weight_col;
	s->rp.strict = o->strict;
	s->rp.diag = o->diag;
	s->rp.diag_ctx = o->diag_ctx;
	if (!s->key_idx || !s->key_names || !s->kv || !s->kl ||
	    fund_groups_new(&s->groups, o->ngroup, sizeof(struct gvals))) {
		fund_stats_free(&s);
		return FUND_ENOMEM;
	}
	if (o->ngroup == 0) {
		size_t ix;
		if (fund_groups_get(s->groups, s->kv, s->kl, &ix) < 0) {
			fund_stats_free(&s);
			return FUND_ENOMEM;
		}
	}
	*out = s;
	return 0;
}

void fund_stats_free(struct fund_stats **sp)
{
	struct fund_stats *s = sp ? *sp : NULL;
	size_t i;
	if (!s)
		return;
	if (s->groups)
		for (i = 0; i < fund_groups_count(s->groups); i++) {
			struct gvals *g = fund_groups_payload(s->groups, i);
			free(g->x);
			free(g->w);
		}
	fund_groups_free(&s->groups);
	if (s->key_names)
		for (i = 0; i < s->ngroup; i++)
			free(s->key_names[i]);
	free(s->key_names);
	free(s->val_name);
	free(s->key_idx);
	free(s->kv);
	free(s->kl);
	free(s);
	*sp = NULL;
}

size_t fund_stats_columns(const struct fund_stats *s, int *cols, size_t max)
{
	const int vw[2] = { s->vw.val_idx, s->vw.w_idx };   /* w -1: unweighted */
	return fund_put_columns(cols, max, fund_put_columns(cols, max, 0, s->key_idx, s->ngroup), vw, 2);
}

int fund_stats_bind(struct fund_stats *s, const struct fund_reader *r, struct fund_error *err)
{
	size_t i;
	int c;
	for (i = 0; i < s->ngroup; i++) {
		if ((c = fund_reader_column(r, s->o.group_cols[i], err)) < 0)
			return c;
		s->key_idx[i] = c;
		if (!s->key_names[i] && !(s->key_names[i] = strdup(fund_reader_colname(r, (size_t)c))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if ((c = fund_reader_column(r, s->o.value_col, err)) < 0)
		return c;
	s->vw.val_idx = c;
	if (!s->val_name && !(s->val_name = strdup(fund_reader_colname(r, (size_t)c))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	s->vw.val_name = s->val_name;
	s->vw.w_idx = -1;
	if (s->weighted && (s->vw.w_idx = fund_reader_column(r, s->o.weight_col, err)) < 0)
		return s->vw.w_idx;
	s->vw.file = fund_reader_name(r);
	fund_rows_bind(&s->rp, r);
	return 0;
}

/* Add a's square to g->sq, kept at twice the scale of g->sum (which was
 * scale0 before a was added).  Returns 1 on overflow. */
static int add_square(struct gvals *g, const struct fund_amount *a, int scale0)
{
	fund_i128 u = a->units, q;
	int i;
	for (i = scale0; i < g->sum.scale; i++)     /* the sum's scale grew */
		if (__builtin_mul_overflow(g->sq, (fund_i128)100, &g->sq))
			return 1;
	for (i = a->scale; i < g->sum.scale; i++)
		if (__builtin_mul_overflow(u, (fund_i128)10, &u))
			return 1;
	return __builtin_mul_overflow(u, u, &q) || __builtin_add_overflow(g->sq, q, &g->sq);
}

int fund_stats_add(struct fund_stats *s, const struct fund_record *rec, struct fund_error *err)
{
	struct fund_amount a;
	struct gvals *g;
	size_t i, gi;
	double x, w;
	int st;

	if ((st = fund_rows_admit_fast(&s->rp, rec, err)) <= 0)
		return st;
	for (i = 0; i < s->ngroup; i++) {
		size_t c = (size_t)s->key_idx[i];
		s->kv[i] = c < rec->n ? rec->fields[c] : "";
		s->kl[i] = c < rec->n ? rec->len[c] : 0;
	}
	if (fund_groups_get(s->groups, s->kv, s->kl, &gi) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory for groups");
	g = fund_groups_payload(s->groups, gi);
	if ((st = fund_vw_read(&s->vw, rec, &a, &w, err)) <= 0) {
		g->missing++;
		return st;
	}
	x = fund_amount_to_double(&a);
	{
		int scale0 = g->sum.scale;
		if (fund_sum_add(&g->sum, &a))
			return fund_error_at(err, FUND_EOVERFLOW, s->vw.file, rec->line, NULL, NULL, 0, "the sum overflows");
		if (!s->weighted && !g->sq_bad)
			g->sq_bad = add_square(g, &a, scale0);
	}
	if (g->count == 0 || x < g->min)
		g->min = x;
	if (g->count == 0 || x > g->max)
		g->max = x;
	g->count++;
	if (g->count == 1)
		g->x0 = a;
	if (w > 0) {
		double xs = shifted(&a, &g->x0), d = xs - g->mean;
		g->W += w;
		g->W2 += w * w;
		g->mean += d * w / g->W;
		g->m2 += w * d * (xs - g->mean);
		neumaier(&g->swd, &g->swd_c, w * xs);
	}
	if (s->need_values) {
		if (g->n == g->cap) {
			size_t cap = g->cap ? g->cap * 2 : 64;
			double *nx = realloc(g->x, cap * sizeof(double)), *nw;
			if (!nx)
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			g->x = nx;
			if (s->weighted) {
				nw = realloc(g->w, cap * sizeof(double));
				if (!nw)
					return fund_error_set(err, FUND_ENOMEM, "out of memory");
				g->w = nw;
			}
			g->cap = cap;
		}
		g->x[g->n] = x;
		if (s->weighted)
			g->w[g->n] = w;
		g->n++;
		g->sorted = 0;
	}
	return 0;
}

/* v as a long double, through its two 64-bit halves: the same value as
 * the compiler's conversion, and right under valgrind, whose x87
 * emulation got libgcc's conversion of a negative 128-bit integer wrong
 * (Lew's mean read -174.08 for -177.435) */
static long double ld_of(fund_i128 v)
{
	int neg = v < 0;
	fund_u128 u = neg ? -(fund_u128)v : (fund_u128)v;
	long double r = (long double)(uint64_t)(u >> 64) * 18446744073709551616.0L + (long double)(uint64_t)u;
	return neg ? -r : r;
}

static double moment(const struct gvals *g, enum fund_measure_kind k, int weighted)
{
	double var_pop, var_samp, mu;
	if (!weighted && !g->sq_bad && g->count > 0) {
		/* from the exact sums: n S2 - S1^2 over n^2 */
		long double n = (long double)g->count, p = 1, mean, vp, vs;
		fund_i128 d, ns2, s1s1;
		int i;
		for (i = 0; i < g->sum.scale; i++)
			p *= 10;
		mean = ld_of(g->sum.units) / p / n;
		if (!__builtin_mul_overflow(g->sq, (fund_i128)g->count, &ns2) &&
		    !__builtin_mul_overflow(g->sum.units, g->sum.units, &s1s1) &&
		    !__builtin_sub_overflow(ns2, s1s1, &d))
			vp = ld_of(d) / p / p / n / n;
		else
			vp = (ld_of(g->sq) / p / p - ld_of(g->sum.units) / p * mean) / n;
		if (vp < 0)
			vp = 0;
		vs = g->count > 1 ? vp * n / (n - 1) : NAN;
		switch (k) {
		case FUND_M_MEAN: return (double)mean;
		case FUND_M_VAR_POP: return (double)vp;
		case FUND_M_VAR_SAMP: return (double)vs;
		case FUND_M_SD_POP: return (double)sqrtl(vp);
		case FUND_M_SD_SAMP: return (double)sqrtl(vs);
		case FUND_M_CV: return mean != 0 ? (double)(sqrtl(vs) / mean) : NAN;
		default: return NAN;
		}
	}
	if (g->W <= 0)
		return NAN;
	var_pop = g->m2 / g->W;
	if (weighted)
		var_samp = g->W * g->W > g->W2 ? g->m2 * g->W / (g->W * g->W - g->W2) : NAN;
	else
		var_samp = g->count > 1 ? g->m2 / (double)(g->count - 1) : NAN;
	mu = fund_amount_to_double(&g->x0) + (g->swd + g->swd_c) / g->W;
	switch (k) {
	case FUND_M_MEAN: return mu;
	case FUND_M_VAR_POP: return var_pop;
	case FUND_M_VAR_SAMP: return var_samp;
	case FUND_M_SD_POP: return sqrt(var_pop);
	case FUND_M_SD_SAMP: return sqrt(var_samp);
	case FUND_M_CV: return mu != 0 ? sqrt(var_samp) / mu : NAN;
	default: return NAN;
	}
}

int fund_stats_write(struct fund_stats *s, FILE *fp, enum fund_outfmt fmt, struct fund_error *err)
{
	size_t ng = fund_groups_count(s->groups), ncols = s->ngroup + s->o.nm, i, k;
	const char **cols = calloc(ncols ? ncols : 1, sizeof(char *));
	struct fund_cell *c = calloc(ncols ? ncols : 1, sizeof(*c));
	char *buf = malloc((s->o.nm + 1) * 400);
	struct fund_writer *w = NULL;
	int scale = 0, rc = 0;

	if (!cols || !c || !buf) {
		free(cols);
		free(c);
		free(buf);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	for (i = 0; i < s->ngroup; i++)
		cols[i] = s->key_names[i] ? s->key_names[i] : s->o.group_cols[i];
	for (k = 0; k < s->o.nm; k++)
		cols[s->ngroup + k] = s->o.m[k].name;
	for (i = 0; i < ng; i++) {
		struct gvals *g = fund_groups_payload(s->groups, i);
		if (g->sum.n && g->sum.scale > scale)
			scale = g->sum.scale;
	}
	if ((rc = fund_writer_open(&w, fp, fmt, cols, ncols))) {
		rc = fund_writer_fail(err, rc);
		goto out;
	}
	for (i = 0; i < ng && !rc; i++) {
		struct gvals *g = fund_groups_payload(s->groups, i);
		const double *wv = s->weighted ? g->w : NULL;
		if (s->need_values && g->n > 1 && !g->sorted) {
			if (wv)
				gsl_sort2(g->x, 1, g->w, 1, g->n);
			else
				sort_doubles(g->x, g->n);
			g->sorted = 1;
		}
		for (k = 0; k < s->ngroup; k++) {
			c[k].s = fund_groups_key(s->groups, i, k, &c[k].len);
			c[k].type = FUND_CELL_TEXT;
		}
		for (k = 0; k < s->o.nm; k++) {
			const struct fund_measure *m = &s->o.m[k];
			char *b = buf + k * 400;
			double v = NAN;
			struct fund_cell *cell = &c[s->ngroup + k];
			int n;
			cell->type = FUND_CELL_NUMBER;
			cell->s = NULL;
			switch (m->kind) {
			case FUND_M_COUNT:
				fund_utoa(b, g->count);
				cell->s = b;
				break;
			case FUND_M_MISSING:
				fund_utoa(b, g->missing);
				cell->s = b;
				break;
			case FUND_M_SUM:
				if (g->sum.n && fund_amount_format(b, 400, g->sum.units, g->sum.scale, scale, 0) >= 0)
					cell->s = b;
				break;
			case FUND_M_MIN: if (g->count) v = g->min; break;
			case FUND_M_MAX: if (g->count) v = g->max; break;
			case FUND_M_MEAN: case FUND_M_VAR_POP: case FUND_M_VAR_SAMP:
			case FUND_M_SD_POP: case FUND_M_SD_SAMP: case FUND_M_CV:
				v = moment(g, m->kind, s->weighted);
				break;
			default:
				v = fund_stat_sorted(m->kind, m->param, g->x, wv, g->n, s->o.quantile);
			}
			if (!cell->s && isfinite(v)) {
				if ((n = fund_double_text_digits(b, 400, v, 15)) < 0) {
					rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
					break;
				}
				cell->s = b;
			}
			if (!cell->s && m->kind != FUND_M_SUM && g->count)
				s->s.undefined++;
			cell->len = cell->s ? strlen(cell->s) : 0;
		}
		if (!rc && (rc = fund_writer_row(w, c)) < 0)
			fund_writer_fail(err, rc);
	}
	if (!rc && (rc = fund_writer_finish(w)) < 0)
		fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
out:
	fund_writer_free(&w);
	free(cols);
	free(c);
	free(buf);
	return rc;
}

int fund_stats_fork(struct fund_stats **out, const struct fund_stats *s, int inherit,
		    fund_diag_fn diag, void *ctx)
{
	struct fund_stats_opts o = s->o;
	int rc;
	*out = NULL;
	if (s->weighted)
		return FUND_ERETRY;   /* sums of weights in floating point */
	o.diag = diag;
	o.diag_ctx = ctx;
	if ((rc = fund_stats_new(out, &o)) < 0)
		return rc;
	if (inherit) {
		(*out)->vw.ctx = s->vw.ctx;
		(*out)->vw.wctx = s->vw.wctx;
	}
	return 0;
}

void fund_stats_finish(struct fund_stats *s)
{
	size_t i, n = fund_groups_count(s->groups);
	if (!s->need_values || s->weighted)
		return;
	for (i = 0; i < n; i++) {
		struct gvals *g = fund_groups_payload(s->groups, i);
		if (!g->sorted && g->n > 1)
			sort_doubles(g->x, g->n);
		g->sorted = 1;
	}
}

/* Append y's values to x's, merged in order when both are sorted. */
static int merge_values(struct gvals *x, const struct gvals *y)
{
	size_t n = x->n + y->n, i = 0, j = 0, k = 0;
	double *m;
	if (!(x->sorted || x->n == 0) || !y->sorted) {
		if (n > x->cap) {
			size_t cap = x->cap ? x->cap : 64;
			while (cap < n)
				cap *= 2;
			if (!(m = realloc(x->x, cap * sizeof(double))))
				return FUND_ENOMEM;
			x->x = m;
			x->cap = cap;
		}
		memcpy(x->x + x->n, y->x, y->n * sizeof(double));
		x->n = n;
		x->sorted = 0;
		return 0;
	}
	if (!(m = malloc(n * sizeof(double))))
		return FUND_ENOMEM;
	/* without a branch on which is smaller (random values would
	 * mispredict half the time) */
	while (i < x->n && j < y->n) {
		double a = x->x[i], b = y->x[j];
		size_t t = b < a;
		m[k++] = t ? b : a;
		j += t;
		i += 1 - t;
	}
	while (i < x->n)
		m[k++] = x->x[i++];
	while (j < y->n)
		m[k++] = y->x[j++];
	free(x->x);
	x->x = m;
	x->n = x->cap = n;
	x->sorted = 1;
	return 0;
}

int fund_stats_merge(struct fund_stats *a, const struct fund_stats *b, struct fund_error *err)
{
	size_t i, n = fund_groups_count(b->groups);
	struct fund_amount_ctx c = a->vw.ctx;

	if (a->weighted || fund_amount_ctx_follow(&c, &b->vw.ctx))
		return fund_error_set(err, FUND_ERETRY, "parts do not merge exactly");
	for (i = 0; i < n; i++) {
		const struct gvals *y = fund_groups_payload(b->groups, i);
		size_t k, gi;
		if (y->sq_bad)
			return fund_error_set(err, FUND_ERETRY, "parts do not merge exactly");
		for (k = 0; k < a->ngroup; k++)
			a->kv[k] = fund_groups_key(b->groups, i, k, &a->kl[k]);
		if (fund_groups_find(a->groups, a->kv, a->kl, &gi) &&
		    fund_sum_merge_check(&((struct gvals *)fund_groups_payload(a->groups, gi))->sum, &y->sum))
			return fund_error_set(err, FUND_ERETRY, "the sum overflows");   /* one pass says where */
	}
	for (i = 0; i < n; i++) {
		struct gvals *x, *y = fund_groups_payload(b->groups, i);
		size_t k, gi;
		for (k = 0; k < a->ngroup; k++)
			a->kv[k] = fund_groups_key(b->groups, i, k, &a->kl[k]);
		if (fund_groups_get(a->groups, a->kv, a->kl, &gi) < 0)
			return fund_error_set(err, FUND_ENOMEM, "out of memory for groups");
		x = fund_groups_payload(a->groups, gi);
		if (y->count) {
			fund_i128 sq = y->sq;
			int j, scale0 = x->sum.scale;
			if (fund_sum_merge(&x->sum, &y->sum))
				return fund_error_set(err, FUND_EOVERFLOW, "column '%s': the sum overflows",
						      a->val_name ? a->val_name : "?");
			/* both squares at twice the merged scale */
			for (j = scale0; j < x->sum.scale && !x->sq_bad; j++)
				x->sq_bad = __builtin_mul_overflow(x->sq, (fund_i128)100, &x->sq);
			for (j = y->sum.scale; j < x->sum.scale && !x->sq_bad; j++)
				x->sq_bad = __builtin_mul_overflow(sq, (fund_i128)100, &sq);
			if (!x->sq_bad)
				x->sq_bad = __builtin_add_overflow(x->sq, sq, &x->sq);
			if (y->W > 0) {
				/* West's state too (Chan's update), used when
				 * the squares overflow */
				/* the means are of the values less each part's x0 */
				if (x->W <= 0) {
					x->x0 = y->x0;
					x->mean = y->mean;
					x->m2 = y->m2;
					x->W = y->W;
					x->W2 = y->W2;
					x->swd = y->swd;
					x->swd_c = y->swd_c;
				} else {
					double sh = shifted(&y->x0, &x->x0);
					double d = sh + y->mean - x->mean, W = x->W + y->W;
					neumaier(&x->swd, &x->swd_c, y->swd);
					neumaier(&x->swd, &x->swd_c, y->swd_c);
					neumaier(&x->swd, &x->swd_c, sh * y->W);
					x->m2 += y->m2 + d * d * x->W * y->W / W;
					x->mean += d * y->W / W;
					x->W = W;
					x->W2 += y->W2;
				}
			}
			if (x->count == 0 || y->min < x->min)
				x->min = y->min;
			if (x->count == 0 || y->max > x->max)
				x->max = y->max;
		}
		x->count += y->count;
		x->missing += y->missing;
		if (y->n && merge_values(x, y))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	a->vw.ctx = c;
	fund_rows_add(&a->rp.n, &b->rp.n);
	a->vw.missing += b->vw.missing;
	a->vw.unreadable += b->vw.unreadable;
	a->vw.bad_weights += b->vw.bad_weights;
	return 0;
}

void fund_stats_summary(const struct fund_stats *s, struct fund_stats_summary *out)
{
	*out = s->s;
	out->rows = s->rp.n;
	out->missing = s->vw.missing;
	out->unreadable = s->vw.unreadable;
	out->bad_weights = s->vw.bad_weights;
	out->value_name = s->val_name ? s->val_name : s->o.value_col;
}

int fund_stats_describe(const struct fund_stats *s, struct fund_summary *out)
{
	struct fund_stats_summary n;
	fund_stats_summary(s, &n);
	memset(out, 0, sizeof(*out));
	out->rows = n.rows;
	out->bad_weights = n.bad_weights;
	if ((n.missing || n.unreadable || n.bad_weights || n.rows.blank || n.rows.ragged) &&
	    fund_summary_column(out, n.value_name, n.missing, n.unreadable) < 0)
		goto nomem;
	if (n.undefined &&
	    fund_str_append(&out->notes, "note: %llu measures left empty where undefined (fewer than 2 values for "
			    "a variance, a negative value for theil_t, a zero or negative value for theil_l or "
			    "atkinson, a total of 0 or less for a share, a bottom 40 %% share of 0 for palma, a total "
			    "weight of 0)\n", (unsigned long long)n.undefined) < 0)
		goto nomem;
	return 0;
nomem:
	fund_summary_release(out);
	return FUND_ENOMEM;
}

/* ---- the engine, for the driver ---- */

FUND_ENGINE_OPS(stats, struct fund_stats)
static void stats_op_finish(void *e)
{
	fund_stats_finish(e);
}

/* one part a thread: each merge of parts merges their values */
const struct fund_engine fund_stats_engine = {
	stats_op_bind, stats_op_add, stats_op_fork, stats_op_merge, stats_op_free, stats_op_finish,
	stats_op_columns, 0, 1, 0, NULL
};

/* ---- fund-stats's work in one call ---- */

static int stats_write_cb(void *eng, FILE *out, const void *wo, struct fund_error *err)
{
	return fund_stats_write(eng, out, *(const enum fund_outfmt *)wo, err);
}

static int stats_describe_cb(const void *eng, struct fund_summary *sum)
{
	return fund_stats_describe(eng, sum);
}

int fund_stats_files(const struct fund_stats_opts *o, enum fund_outfmt fmt, const char *const *files, size_t n,
		const struct fund_run_opts *ro, FILE *fp, struct fund_summary *sum, struct fund_error *err)
{
	struct fund_stats *e = NULL;
	int rc;
	memset(sum, 0, sizeof(*sum));
	if (fund_stats_new(&e, o) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	rc = fund_run_write(&fund_stats_engine, e, files, n, ro, stats_write_cb, fp, &fmt, stats_describe_cb, sum, err);
	fund_stats_free(&e);
	return rc;
}
