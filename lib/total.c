/* Exact totals by group: the engine of fund-total. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

struct payload_head {
	uint64_t count;
	uint64_t pad;
};

struct fund_total {
	struct fund_total_opts o;
	size_t ngroup, nkeys, nsum;
	int *key_idx, period_idx, *sum_idx;
	struct fund_row_policy rp;
	const char *cur_name;
	char **key_names;       /* output names, from the first input */
	char **sum_names;
	int bound_once, default_sum;
	char *period_name;
	struct fund_amount_ctx *ctx;
	uint64_t *missing, *unreadable;
	uint64_t bad_dates;
	uint64_t dont_rows, total_rows;   /* left out by their label */
	struct fund_groups *groups;
	size_t psize;
	/* scratch for keys */
	const char **kv;
	size_t *kl;
	char period_buf[FUND_DATE_TEXT];
	uint64_t empty_ratios, empty_shares;  /* cells left empty when written */
	long pivot_key;                       /* the key pivoted, or -1 */
	const char *const *user_groups;       /* the -g keys as given */
	size_t user_ngroup;
	const char **own_groups;              /* with the pivot column after them */
	int no_count;                         /* when writing */
	int spread_idx[2];                    /* the period column, or START, END */
	char *spread_name[2];
	uint64_t bad_periods;
	struct fund_amount *amt;              /* scratch of a spread row */
	int *ast;
	long *w;
	fund_i128 *parts, *rem;
	size_t *idx;
	size_t wcap;
};

static size_t payload_size(size_t nsum)
{
	return sizeof(struct payload_head) + nsum * sizeof(struct fund_sum);
}

static struct fund_sum *sums_of(void *p)
{
	return (struct fund_sum *)((char *)p + sizeof(struct payload_head));
}

int fund_total_new(struct fund_total **out, const struct fund_total_opts *o)
{
	static const char *const def_sum[] = { "montant" };
	struct fund_total *t = calloc(1, sizeof(*t));
	size_t i, idx;

	*out = NULL;
	if (!t)
		return FUND_ENOMEM;
	t->o = *o;
	t->pivot_key = -1;
	t->user_groups = o->group_cols;
	t->user_ngroup = o->ngroup;
	if (o->pivot && o->period != FUND_PERIOD_NONE &&
	    !strcmp(o->pivot, o->period == FUND_PERIOD_YEAR ? "year" : "month")) {
		t->pivot_key = (long)o->ngroup;
	} else if (o->pivot) {
		if (!(t->own_groups = calloc(o->ngroup + 1, sizeof(char *)))) {
			free(t);
			return FUND_ENOMEM;
		}
		for (i = 0; i < o->ngroup; i++)
			t->own_groups[i] = o->group_cols[i];
		t->own_groups[o->ngroup] = o->pivot;
		t->o.group_cols = t->own_groups;
		t->o.ngroup = o->ngroup + 1;
		t->pivot_key = (long)o->ngroup;
	}
	t->rp.strict = o->strict;
	t->rp.diag = o->diag;
	t->rp.diag_ctx = o->diag_ctx;
	if (!t->o.nsum) {
		t->default_sum = 1;
		t->o.sum_cols = def_sum;
		t->o.nsum = 1;
	}
	t->ngroup = t->o.ngroup;
	t->nkeys = t->ngroup + (t->o.period != FUND_PERIOD_NONE);
	t->nsum = t->o.nsum;
	t->key_idx = calloc(t->ngroup + 1, sizeof(int));
	t->sum_idx = calloc(t->nsum, sizeof(int));
	t->key_names = calloc(t->nkeys + 1, sizeof(char *));
	t->sum_names = calloc(t->nsum, sizeof(char *));
	t->ctx = calloc(t->nsum, sizeof(*t->ctx));
	t->missing = calloc(t->nsum, sizeof(uint64_t));
	t->unreadable = calloc(t->nsum, sizeof(uint64_t));
	t->kv = calloc(t->nkeys + 1, sizeof(char *));
	t->kl = calloc(t->nkeys + 1, sizeof(size_t));
	t->psize = payload_size(t->nsum);
	if (!t->key_idx || !t->sum_idx || !t->key_names || !t->sum_names || !t->ctx ||
	    !t->missing || !t->unreadable || !t->kv || !t->kl ||
	    fund_groups_new(&t->groups, t->nkeys, t->psize)) {
		fund_total_free(&t);
		return FUND_ENOMEM;
	}
	for (i = 0; i < t->nsum; i++)
		t->ctx[i].forced = t->o.decimal;
	/* no keys: the grand total exists even for empty input */
	if (t->nkeys == 0 && fund_groups_get(t->groups, t->kv, t->kl, &idx) < 0) {
		fund_total_free(&t);
		return FUND_ENOMEM;
	}
	*out = t;
	return 0;
}

void fund_total_free(struct fund_total **tp)
{
	struct fund_total *t = tp ? *tp : NULL;
	size_t i;
	if (!t)
		return;
	if (t->key_names)
		for (i = 0; i < t->nkeys; i++)
			free(t->key_names[i]);
	if (t->sum_names)
		for (i = 0; i < t->nsum; i++)
			free(t->sum_names[i]);
	free(t->key_names);
	free(t->sum_names);
	free(t->period_name);
	free(t->key_idx);
	free(t->sum_idx);
	free(t->ctx);
	free(t->missing);
	free(t->unreadable);
	free(t->kv);
	free(t->kl);
	free(t->own_groups);
	free(t->spread_name[0]);
	free(t->spread_name[1]);
	free(t->amt);
	free(t->ast);
	free(t->w);
	free(t->parts);
	free(t->rem);
	free(t->idx);
	fund_groups_free(&t->groups);
	free(t);
	*tp = NULL;
}

int fund_total_bind(struct fund_total *t, const struct fund_reader *r,
		    struct fund_error *err)
{
	size_t i;
	int c;

	for (i = 0; i < t->ngroup; i++) {
		if ((c = fund_reader_column(r, t->o.group_cols[i], err)) < 0)
			return c;
		t->key_idx[i] = c;
		if (t->own_groups && i + 1 == t->ngroup) {
			size_t j;
			for (j = 0; j < i; j++)
				if (t->key_idx[j] == c)
					return fund_error_set(err, FUND_EUSAGE, "--pivot %s: the column is also a group key (-g)",
							      t->o.pivot);
		}
		if (!t->bound_once && !(t->key_names[i] = strdup(fund_reader_colname(r, (size_t)c))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	t->period_idx = -1;
	t->spread_idx[0] = t->spread_idx[1] = -1;
	if (t->o.spread) {
		struct fund_error e = FUND_ERROR_INIT;
		const char *colon = strchr(t->o.spread, ':');
		if (t->o.period == FUND_PERIOD_NONE)
			return fund_error_set(err, FUND_EUSAGE, "--spread needs periods: years or months");
		if ((c = fund_reader_column(r, t->o.spread, &e)) >= 0 || !colon) {
			fund_error_clear(&e);
			if (c < 0 && (c = fund_reader_column(r, t->o.spread, err)) < 0)
				return c;
			t->spread_idx[0] = c;
		} else {
			char *a = strndup(t->o.spread, (size_t)(colon - t->o.spread));
			fund_error_clear(&e);
			if (!a)
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			c = fund_reader_column(r, a, err);
			free(a);
			if (c < 0 || (t->spread_idx[1] = fund_reader_column(r, colon + 1, err)) < 0)
				return c < 0 ? c : t->spread_idx[1];
			t->spread_idx[0] = c;
		}
		for (i = 0; i < 2; i++) {
			free(t->spread_name[i]);
			t->spread_name[i] = NULL;
			if (t->spread_idx[i] >= 0 &&
			    !(t->spread_name[i] = strdup(fund_reader_colname(r, (size_t)t->spread_idx[i]))))
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
		}
		if (!t->bound_once &&
		    !(t->key_names[t->ngroup] = strdup(t->o.period == FUND_PERIOD_YEAR ? "year" : "month")))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	} else if (t->o.period != FUND_PERIOD_NONE) {
		if ((c = fund_reader_column(r, t->o.period_col, err)) < 0)
			return c;
		t->period_idx = c;
		free(t->period_name);
		if (!(t->period_name = strdup(fund_reader_colname(r, (size_t)c))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		if (!t->bound_once &&
		    !(t->key_names[t->ngroup] = strdup(t->o.period == FUND_PERIOD_YEAR ? "year" : "month")))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	for (i = 0; i < t->nsum; i++) {
		if ((c = fund_reader_column(r, t->o.sum_cols[i], err)) < 0) {
			if (t->default_sum && err && err->msg) {
				/* the default column: say how to choose */
				char *at = strstr(err->msg, "no column 'montant'"), *m = NULL;
				if (at && asprintf(&m, "%.*sno column 'montant' to total: name the amount column with -s%s",
						   (int)(at - err->msg), err->msg, at + 19) >= 0) {
					free(err->msg);
					err->msg = m;
				}
			}
			return c;
		}
		t->sum_idx[i] = c;
		if (!t->bound_once && !(t->sum_names[i] = strdup(fund_reader_colname(r, (size_t)c))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	fund_rows_bind(&t->rp, r);
	t->cur_name = fund_reader_name(r);
	t->bound_once = 1;
	return 0;
}

size_t fund_total_columns(const struct fund_total *t, int *cols, size_t max)
{
	size_t n = fund_put_columns(cols, max, 0, t->key_idx, t->ngroup);
	n = fund_put_columns(cols, max, n, &t->period_idx, 1);   /* -1: none */
	n = fund_put_columns(cols, max, n, t->spread_idx, 2);
	return fund_put_columns(cols, max, n, t->sum_idx, t->nsum);
}

/* Report a row problem: through the callback, and as the error in strict
 * mode.  Returns 0 to go on, or FUND_EDATA. */
static int problem(struct fund_total *t, enum fund_diag_kind kind, const struct fund_record *rec,
		   struct fund_error *err, const char *column, size_t col, const char *fmt, const char *a)
{
	struct fund_error e = FUND_ERROR_INIT;
	fund_error_at(&e, FUND_EDATA, t->cur_name, rec->line, column, column ? rec->fields[col] : NULL,
		      column ? rec->len[col] : 0, fmt, a,
		      kind != FUND_DIAG_AMOUNT && !t->o.strict ? ": row skipped" : "");
	if (rec->sheet && column)
		fund_error_cell(&e, col + 1);
	return fund_problem(&e, t->o.strict, t->o.diag, t->o.diag_ctx, kind, err);
}

/* ---- --spread ---- */

/* The period of a row: 0 and its first and last days, 1 blank, or
 * FUND_EDATA with the column at fault in *col. */
static int row_period(const struct fund_total *t, const struct fund_record *rec, struct fund_date *from,
		      struct fund_date *to, size_t *col, int *half)
{
	size_t a = (size_t)t->spread_idx[0], b;
	int ra, rb;
	*col = a;
	if (t->spread_idx[1] < 0)
		return a < rec->n ? fund_period_parse(rec->fields[a], rec->len[a], from, to) : 1;
	b = (size_t)t->spread_idx[1];
	ra = a < rec->n ? fund_date_parse(rec->fields[a], rec->len[a], from) : 1;
	rb = b < rec->n ? fund_date_parse(rec->fields[b], rec->len[b], to) : 1;
	if (ra == 1 && rb == 1)
		return 1;
	if (ra != 0 || rb != 0) {
		*col = ra != 0 ? a : b;
		*half = ra == 0 && rb == 1 ? 1 : ra == 1 && rb == 0 ? 2 : 0;
		return FUND_EDATA;
	}
	return 0;
}

static const int month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

/* "2019" or "2019-03" of period p (years below 10000) into buf: its length */
static size_t period_key(const struct fund_total *t, long p, char *buf)
{
	long y = t->o.period == FUND_PERIOD_YEAR ? p : p / 12;
	buf[0] = (char)('0' + y / 1000 % 10);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	if (t->o.period == FUND_PERIOD_YEAR) {
		buf[4] = '\0';
		return 4;
	}
	buf[4] = '-';
	buf[5] = (char)('0' + (p % 12 + 1) / 10);
	buf[6] = (char)('0' + (p % 12 + 1) % 10);
	buf[7] = '\0';
	return 7;
}

static long period_of(const struct fund_total *t, const struct fund_date *d)
{
	return t->o.period == FUND_PERIOD_YEAR ? d->year : (long)d->year * 12 + d->month - 1;
}

static int spread_scratch(struct fund_total *t, size_t np)
{
	size_t need = np * t->nsum;
	if (!t->amt && (!(t->amt = calloc(t->nsum, sizeof(*t->amt))) || !(t->ast = calloc(t->nsum, sizeof(int)))))
		return FUND_ENOMEM;
	if (need > t->wcap) {
		long *w = realloc(t->w, np * sizeof(*w));
		fund_i128 *p, *r;
		if (w)
			t->w = w;
		p = realloc(t->parts, need * sizeof(*p));
		if (p)
			t->parts = p;
		size_t *ix;
		r = realloc(t->rem, np * sizeof(*r));
		if (r)
			t->rem = r;
		ix = realloc(t->idx, np * sizeof(*ix));
		if (ix)
			t->idx = ix;
		if (!w || !p || !r || !ix)
			return FUND_ENOMEM;
		t->wcap = need;
	}
	return 0;
}

/* u split by the weights w[0..np) (adding up to W) into parts[]: each
 * rounded down, the units left to the largest remainders, ties to the
 * first.  0 or FUND_EOVERFLOW. */
static int by_rem(const void *a, const void *b, void *arg)
{
	const fund_i128 *rem = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (rem[x] != rem[y])
		return rem[x] > rem[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static int split_units(fund_i128 u, const long *w, size_t np, long W, fund_i128 *parts, fund_i128 *rem,
		       size_t *idx)
{
	int neg = u < 0;
	fund_i128 a = neg ? -u : u, left = a;
	size_t k;
	if (a < ((fund_i128)1 << 62) / ((fund_i128)W + 1)) {
		/* the common case in 64 bits: a * w[k] <= a * W */
		uint64_t a64 = (uint64_t)a, l64 = a64;
		for (k = 0; k < np; k++) {
			uint64_t x = a64 * (uint64_t)w[k];
			parts[k] = (fund_i128)(x / (uint64_t)W);
			rem[k] = (fund_i128)(x % (uint64_t)W);
			l64 -= (uint64_t)parts[k];
		}
		left = (fund_i128)l64;
	} else {
		for (k = 0; k < np; k++) {
			fund_i128 x;
			if (__builtin_mul_overflow(a, (fund_i128)w[k], &x))
				return FUND_EOVERFLOW;
			parts[k] = x / W;
			rem[k] = x % W;
			left -= parts[k];
		}
	}
	if (left > 0 && (size_t)left * np > 256) {
		/* many units left: sort by remainder, largest first, then earliest */
		for (k = 0; k < np; k++)
			idx[k] = k;
		qsort_r(idx, np, sizeof(*idx), by_rem, rem);
		for (k = 0; k < (size_t)left; k++)
			parts[idx[k]]++;
		left = 0;
	}
	while (left > 0) {
		/* at most np - 1 units: the largest remainder left, earliest first */
		size_t best = np;
		for (k = 0; k < np; k++)
			if (rem[k] >= 0 && (best == np || rem[k] > rem[best]))
				best = k;
		parts[best]++;
		rem[best] = -1;
		left--;
	}
	if (neg)
		for (k = 0; k < np; k++)
			parts[k] = -parts[k];
	return 0;
}

static int spread_row(struct fund_total *t, const struct fund_record *rec, struct fund_error *err)
{
	struct fund_date from, to;
	size_t col, i, k, np = 1, gi;
	long p0 = 0, W = 0;
	int half = 0, r = row_period(t, rec, &from, &to, &col, &half), rc, whole = 0;
	const char *why = half == 1 ? "the period starts on '%s' but has no end%s" :
			  half == 2 ? "the period ends on '%s' but has no start%s" :
			  t->spread_idx[1] >= 0 ? "cannot read '%s' as a date%s" : "cannot read '%s' as a period%s";
	char q[300];

	if (r == 0) {
		long d0 = fund_date_days(&from), d1 = fund_date_days(&to);
		p0 = period_of(t, &from);
		if (d1 < d0) {
			r = FUND_EDATA;
			whole = 1;
			why = "the period '%s' ends before it starts%s";
		} else if (to.year - from.year >= FUND_SPREAD_MAX_YEARS) {
			r = FUND_EDATA;
			whole = 1;
			why = "the period '%s' spans 100 years or more%s";
		} else {
			np = (size_t)(period_of(t, &to) - p0 + 1);
		}
	}
	if (r < 0) {
		struct fund_error e = FUND_ERROR_INIT;
		char *two = NULL;
		size_t vc = half == 1 ? (size_t)t->spread_idx[0] : half == 2 ? (size_t)t->spread_idx[1] : col;
		const char *v = vc < rec->n ? rec->fields[vc] : "";
		size_t vl = vc < rec->n ? rec->len[vc] : 0;
		if (t->spread_idx[1] >= 0 && whole &&
		    fund_str_append(&two, "%.*s:%.*s", (int)rec->len[t->spread_idx[0]], rec->fields[t->spread_idx[0]],
				    (int)rec->len[t->spread_idx[1]], rec->fields[t->spread_idx[1]]) >= 0) {
			v = two;
			vl = strlen(two);
		}
		t->bad_periods++;
		fund_error_at(&e, FUND_EDATA, t->cur_name, rec->line,
			      t->spread_name[col == (size_t)t->spread_idx[0] || whole ? 0 : 1], v, vl, why,
			      fund_quote(q, sizeof(q), v, vl), t->o.strict ? "" : ": not spread (totalled without a period)");
		free(two);
		if (rec->sheet)
			fund_error_cell(&e, col + 1);
		if ((rc = fund_problem(&e, t->o.strict, t->o.diag, t->o.diag_ctx, FUND_DIAG_DATE, err)))
			return rc;
		r = 1;
	}
	if ((rc = spread_scratch(t, np)) < 0)
		return fund_error_at(err, rc, t->cur_name, rec->line, NULL, NULL, 0, "out of memory");
	/* the amounts */
	for (i = 0; i < t->nsum; i++) {
		size_t c = (size_t)t->sum_idx[i];
		t->ast[i] = FUND_AMOUNT_MISSING;
		if (c >= rec->n || (rec->is_null && rec->is_null[c] == 1)) {
			t->missing[i]++;
			continue;
		}
		t->ast[i] = fund_amount_parse(rec->fields[c], rec->len[c], &t->ctx[i], &t->amt[i]);
		if (t->ast[i] == FUND_AMOUNT_MISSING) {
			t->missing[i]++;
		} else if (t->ast[i] == FUND_AMOUNT_BAD) {
			t->unreadable[i]++;
			if (problem(t, FUND_DIAG_AMOUNT, rec, err, t->sum_names[i], c, "cannot read '%s' as an amount%s",
				    fund_quote(q, sizeof(q), rec->fields[c], rec->len[c])))
				return FUND_EDATA;
		}
	}
	if (r == 1) {
		np = 1;
		t->w[0] = W = 1;
	} else {
		/* the days of the period in each year or month */
		long d0 = fund_date_days(&from), d1 = fund_date_days(&to), start;
		struct fund_date a = { from.year, t->o.period == FUND_PERIOD_YEAR ? 1 : from.month, 1 };
		start = fund_date_days(&a);
		for (k = 0; k < np; k++) {
			long pk = p0 + (long)k, y = t->o.period == FUND_PERIOD_YEAR ? pk : pk / 12;
			int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
			long len = t->o.period == FUND_PERIOD_YEAR ? 365 + leap : month_days[pk % 12] + (pk % 12 == 1 && leap);
			long first = start > d0 ? start : d0, last = start + len - 1 < d1 ? start + len - 1 : d1;
			t->w[k] = t->o.spread_equal ? 1 : last - first + 1;
			W += t->w[k];
			start += len;
		}
	}
	for (i = 0; i < t->nsum; i++) {
		if (t->ast[i] != FUND_AMOUNT_OK || r == 1)
			continue;
		if (t->amt[i].scale < 2) {
			int s;
			for (s = t->amt[i].scale; s < 2; s++)
				if (__builtin_mul_overflow(t->amt[i].units, (fund_i128)10, &t->amt[i].units))
					return fund_error_at(err, FUND_EOVERFLOW, t->cur_name, rec->line, t->sum_names[i], NULL,
							     0, "the amount is too large to spread");
			t->amt[i].scale = 2;
		}
		if (split_units(t->amt[i].units, t->w, np, W, t->parts + i * np, t->rem, t->idx))
			return fund_error_at(err, FUND_EOVERFLOW, t->cur_name, rec->line, t->sum_names[i], NULL, 0,
					     "the amount is too large to spread");
	}
	for (k = 0; k < np; k++) {
		void *p;
		struct fund_sum *sums;
		t->kv[t->ngroup] = t->period_buf;
		t->kl[t->ngroup] = r == 1 ? 0 : period_key(t, p0 + (long)k, t->period_buf);
		if ((rc = fund_groups_get(t->groups, t->kv, t->kl, &gi)) < 0)
			return fund_error_at(err, rc, t->cur_name, rec->line, NULL, NULL, 0, "out of memory for groups");
		p = fund_groups_payload(t->groups, gi);
		((struct payload_head *)p)->count++;
		sums = sums_of(p);
		for (i = 0; i < t->nsum; i++) {
			struct fund_amount part;
			if (t->ast[i] != FUND_AMOUNT_OK)
				continue;
			part.units = r == 1 ? t->amt[i].units : t->parts[i * np + k];
			part.scale = t->amt[i].scale;
			if (fund_sum_add(&sums[i], &part))
				return fund_error_at(err, FUND_EOVERFLOW, t->cur_name, rec->line, t->sum_names[i], NULL, 0,
						     "the total overflows (beyond 10^%d)", 38 - sums[i].scale);
		}
	}
	return 0;
}

int fund_total_add(struct fund_total *t, const struct fund_record *rec,
		   struct fund_error *err)
{
	size_t i, gi;
	void *p;
	struct fund_sum *sums;
	int rc;
	char q[300];

	if ((rc = fund_rows_admit_fast(&t->rp, rec, err)) <= 0)
		return rc;
	for (i = 0; i < t->ngroup; i++) {
		size_t c = (size_t)t->key_idx[i];
		int kind;
		t->kv[i] = c < rec->n ? rec->fields[c] : "";
		t->kl[i] = c < rec->n ? rec->len[c] : 0;
		kind = t->kl[i] && !(t->o.keep_dont && t->o.keep_totals) ? fund_label_kind(t->kv[i], t->kl[i])
									    : FUND_LABEL_PLAIN;
		if (kind == FUND_LABEL_DONT && !t->o.keep_dont) {
			t->dont_rows++;
			return 0;
		}
		if (kind == FUND_LABEL_TOTAL && !t->o.keep_totals) {
			t->total_rows++;
			return 0;
		}
	}
	if (t->spread_idx[0] >= 0)
		return spread_row(t, rec, err);
	if (t->period_idx >= 0) {
		size_t c = (size_t)t->period_idx;
		struct fund_date d;
		int r = c < rec->n ? fund_date_parse(rec->fields[c], rec->len[c], &d) : 1;
		if (r < 0) {
			t->bad_dates++;
			return problem(t, FUND_DIAG_DATE, rec, err, t->period_name, c, "cannot read '%s' as a date%s",
				       fund_quote(q, sizeof(q), rec->fields[c], rec->len[c]));
		}
		if (r == 1) {
			t->period_buf[0] = '\0';
		} else if (t->o.period == FUND_PERIOD_YEAR) {
			fund_ymd(t->period_buf, d.year, 0, 0);
		} else {
			fund_ymd(t->period_buf, d.year, d.month, 0);
		}
		t->kv[t->ngroup] = t->period_buf;
		t->kl[t->ngroup] = strlen(t->period_buf);
	}
	rc = fund_groups_get(t->groups, t->kv, t->kl, &gi);
	if (rc < 0)
		return fund_error_at(err, rc, t->cur_name, rec->line, NULL, NULL, 0, "out of memory for groups");
	p = fund_groups_payload(t->groups, gi);
	((struct payload_head *)p)->count++;
	sums = sums_of(p);
	for (i = 0; i < t->nsum; i++) {
		size_t c = (size_t)t->sum_idx[i];
		struct fund_amount a;
		int st;
		if (c >= rec->n || (rec->is_null && rec->is_null[c] == 1)) {
			t->missing[i]++;
			continue;
		}
		st = fund_amount_parse(rec->fields[c], rec->len[c], &t->ctx[i], &a);
		if (st == FUND_AMOUNT_MISSING) {
			t->missing[i]++;
		} else if (st == FUND_AMOUNT_BAD) {
			t->unreadable[i]++;
			if (problem(t, FUND_DIAG_AMOUNT, rec, err, t->sum_names[i], c, "cannot read '%s' as an amount%s",
				    fund_quote(q, sizeof(q), rec->fields[c], rec->len[c])))
				return FUND_EDATA;
		} else if (fund_sum_add(&sums[i], &a)) {
			return fund_error_at(err, FUND_EOVERFLOW, t->cur_name, rec->line, t->sum_names[i], NULL, 0,
					     "the total overflows (beyond 10^%d)", 38 - sums[i].scale);
		}
	}
	return 0;
}

int fund_total_fork(struct fund_total **out, const struct fund_total *t, int inherit,
		    fund_diag_fn diag, void *ctx)
{
	struct fund_total_opts o = t->o;
	size_t i;
	int rc;
	if (t->default_sum) {
		o.sum_cols = NULL;
		o.nsum = 0;
	}
	o.group_cols = t->user_groups;
	o.ngroup = t->user_ngroup;
	o.diag = diag;
	o.diag_ctx = ctx;
	if ((rc = fund_total_new(out, &o)) < 0)
		return rc;
	if (inherit)
		for (i = 0; i < t->nsum; i++)
			(*out)->ctx[i] = t->ctx[i];
	return 0;
}

int fund_total_merge(struct fund_total *a, const struct fund_total *b,
		     struct fund_error *err)
{
	size_t g, k, i, n = fund_groups_count(b->groups);

	for (i = 0; i < a->nsum; i++) {
		struct fund_amount_ctx c = a->ctx[i];
		if (fund_amount_ctx_follow(&c, &b->ctx[i]))
			return fund_error_set(err, FUND_ERETRY, "column '%s': decimal marks read otherwise in parts",
					      a->sum_names[i] ? a->sum_names[i] : "?");
	}
	/* totals that would overflow: one pass says on which row */
	for (g = 0; g < n; g++) {
		size_t gi;
		for (k = 0; k < a->nkeys; k++)
			a->kv[k] = fund_groups_key(b->groups, g, k, &a->kl[k]);
		if (fund_groups_find(a->groups, a->kv, a->kl, &gi))
			for (i = 0; i < a->nsum; i++)
				if (fund_sum_merge_check(&sums_of(fund_groups_payload(a->groups, gi))[i],
							 &sums_of(fund_groups_payload(((struct fund_total *)b)->groups, g))[i]))
					return fund_error_set(err, FUND_ERETRY, "column '%s': the total overflows",
							      a->sum_names[i] ? a->sum_names[i] : "?");
	}
	for (i = 0; i < a->nsum; i++)
		fund_amount_ctx_follow(&a->ctx[i], &b->ctx[i]);
	for (g = 0; g < n; g++) {
		size_t gi;
		void *pa, *pb;
		int rc;
		for (k = 0; k < a->nkeys; k++)
			a->kv[k] = fund_groups_key(b->groups, g, k, &a->kl[k]);
		rc = fund_groups_get(a->groups, a->kv, a->kl, &gi);
		if (rc < 0)
			return fund_error_set(err, rc, "out of memory for groups");
		pa = fund_groups_payload(a->groups, gi);
		pb = fund_groups_payload(((struct fund_total *)b)->groups, g);
		((struct payload_head *)pa)->count += ((struct payload_head *)pb)->count;
		for (i = 0; i < a->nsum; i++)
			if (fund_sum_merge(&sums_of(pa)[i], &sums_of(pb)[i]))
				return fund_error_set(err, FUND_EOVERFLOW, "column '%s': the total overflows",
						      a->sum_names[i] ? a->sum_names[i] : "?");
	}
	for (i = 0; i < a->nsum; i++) {
		a->missing[i] += b->missing[i];
		a->unreadable[i] += b->unreadable[i];
	}
	fund_rows_add(&a->rp.n, &b->rp.n);
	a->bad_dates += b->bad_dates;
	a->bad_periods += b->bad_periods;
	a->dont_rows += b->dont_rows;
	a->total_rows += b->total_rows;
	return 0;
}

int fund_total_describe(const struct fund_total *t, struct fund_summary *s)
{
	size_t i;
	int any = t->rp.n.blank || t->rp.n.ragged || t->bad_dates;
	memset(s, 0, sizeof(*s));
	s->rows = t->rp.n;
	s->bad_dates = t->bad_dates;
	/* the columns' counts, said when a row was skipped or a value lost */
	for (i = 0; i < t->nsum; i++)
		if (t->missing[i] || t->unreadable[i])
			any = 1;
	for (i = 0; any && i < t->nsum; i++)
		if (fund_summary_column(s, t->sum_names[i], t->missing[i], t->unreadable[i]) < 0) {
			fund_summary_release(s);
			return FUND_ENOMEM;
		}
	if ((t->dont_rows || t->total_rows) &&
	    (fund_str_append(&s->segments, "; left out:") < 0 ||
	     (t->dont_rows && fund_str_append(&s->segments, " %llu \"dont\" line%s (a part of the row above; "
					      "--keep-dont)%s", (unsigned long long)t->dont_rows,
					      t->dont_rows > 1 ? "s" : "", t->total_rows ? "," : "") < 0) ||
	     (t->total_rows && fund_str_append(&s->segments, " %llu total row%s (--keep-totals)",
					       (unsigned long long)t->total_rows, t->total_rows > 1 ? "s" : "") < 0))) {
		fund_summary_release(s);
		return FUND_ENOMEM;
	}
	if ((t->empty_ratios && fund_str_append(&s->tail, "; %llu ratios left empty (a denominator of 0 or "
						 "without an amount)", (unsigned long long)t->empty_ratios) < 0) ||
	    (t->empty_shares && fund_str_append(&s->tail, "; %llu shares left empty (a parent total of 0)",
						 (unsigned long long)t->empty_shares) < 0) ||
	    (t->bad_periods && fund_str_append(&s->tail, "; %llu row%s not spread (a period unreadable, reversed "
						"or of 100 years or more: totalled without a period)",
						(unsigned long long)t->bad_periods, t->bad_periods > 1 ? "s" : "") < 0)) {
		fund_summary_release(s);
		return FUND_ENOMEM;
	}
	return 0;
}

/* ---- output ---- */

struct sorter {
	struct fund_total *t;
	const struct fund_total_out *o;
	int *scale;
};

/* A plain decimal number: -?digits(.digits)? */
static int numeric(const char *s, size_t n)
{
	size_t i = 0, d = 0;
	if (i < n && s[i] == '-')
		i++;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		d++;
	if (i < n && s[i] == '.')
		for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			d++;
	return d > 0 && i == n && d < 30;
}

static int cmp_num(const char *a, size_t la, const char *b, size_t lb)
{
	struct fund_amount x, y;
	struct fund_amount_ctx c = { FUND_MARK_POINT, 0, 0 };
	fund_i128 ux, uy;
	if (fund_amount_parse(a, la, &c, &x) || fund_amount_parse(b, lb, &c, &y))
		return 0;
	ux = x.units;
	uy = y.units;
	if (x.scale < y.scale) {
		int k;
		for (k = x.scale; k < y.scale; k++)
			ux *= 10;
	} else {
		int k;
		for (k = y.scale; k < x.scale; k++)
			uy *= 10;
	}
	return ux < uy ? -1 : ux > uy;
}

/* groups a and b of g by their first nk keys: plain decimal numbers as
 * numbers, others by their bytes */
static int cmp_in(struct fund_groups *g, size_t nk, size_t a, size_t b)
{
	size_t k;
	for (k = 0; k < nk; k++) {
		size_t la, lb;
		const char *x = fund_groups_key(g, a, k, &la), *y = fund_groups_key(g, b, k, &lb);
		int c;
		if (numeric(x, la) && numeric(y, lb))
			c = cmp_num(x, la, y, lb);
		else {
			c = memcmp(x, y, la < lb ? la : lb);
			if (!c)
				c = la < lb ? -1 : la > lb;
		}
		if (c)
			return c;
	}
	return 0;
}

static int cmp_keys(struct fund_total *t, size_t a, size_t b, size_t upto)
{
	return cmp_in(t->groups, upto, a, b);
}

static int cmp_total(struct fund_total *t, size_t a, size_t b)
{
	struct fund_sum *x = sums_of(fund_groups_payload(t->groups, a));
	struct fund_sum *y = sums_of(fund_groups_payload(t->groups, b));
	fund_i128 ux = x->units, uy = y->units;
	int k;
	if (!x->n || !y->n)
		return (int)!x->n - (int)!y->n; /* groups with no amount last */
	for (k = x->scale; k < y->scale; k++)
		ux *= 10;
	for (k = y->scale; k < x->scale; k++)
		uy *= 10;
	return ux > uy ? -1 : ux < uy;
}

static int cmp_groups(const void *pa, const void *pb, void *arg)
{
	struct sorter *s = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = 0;
	if (s->o->sort == FUND_SORT_KEY)
		c = cmp_keys(s->t, a, b, s->t->nkeys);
	else if (s->o->sort == FUND_SORT_TOTAL && s->t->nsum)
		c = cmp_total(s->t, a, b);
	if (s->o->reverse)
		c = -c;
	if (!c)
		c = a < b ? -1 : a > b;
	return c;
}

/* the shares and ratios of the row being written (NULL: empty) */
struct extras {
	const char **s;
	size_t n;
};

static int emit(struct fund_total *t, struct fund_writer *w, const struct fund_total_out *o,
		const int *scale, const char *const *keys, const size_t *klen, const void *p,
		struct fund_cell *cells, char *numbuf, const struct extras *x, struct fund_error *err)
{
	const struct payload_head *h = p;
	const struct fund_sum *s = sums_of((void *)p);
	size_t k, i, c = 0;
	int rc;
	char *nb = numbuf;
	int n;

	for (k = 0; k < t->nkeys; k++) {
		cells[c].s = keys[k];
		cells[c].len = klen[k];
		cells[c].type = FUND_CELL_TEXT;
		c++;
	}
	if (!t->no_count) {
		cells[c].s = nb;
		cells[c].len = fund_utoa(nb, h->count);
		cells[c].type = FUND_CELL_NUMBER;
		c++;
	}
	nb += 32;
	for (i = 0; i < t->nsum; i++, c++) {
		cells[c].type = FUND_CELL_NUMBER;
		if (!s[i].n) {
			cells[c].s = NULL;
			cells[c].len = 0;
			continue;
		}
		n = fund_amount_format(nb, 128, s[i].units, s[i].scale, o->decimals >= 0 ? o->decimals : scale[i],
				       (o->format == FUND_OUT_JSON || o->format == FUND_OUT_NDJSON || o->format == FUND_OUT_XLSX) ? 0 : o->amount_flags);
		if (n < 0)
			return fund_error_set(err, FUND_EOVERFLOW, "column '%s': the total is too large to print",
					      t->sum_names[i]);
		cells[c].s = nb;
		cells[c].len = (size_t)n;
		nb += 128;
	}
	for (i = 0; x && i < x->n; i++, c++) {
		cells[c].type = FUND_CELL_NUMBER;
		cells[c].s = x->s[i];
		cells[c].len = x->s[i] ? strlen(x->s[i]) : 0;
	}
	if ((rc = fund_writer_row(w, cells)) < 0)
		return fund_writer_fail(err, rc);
	return 0;
}

/* Reorder groups so that those sharing the first key are together,
 * clusters in the order of their first group, order kept inside each. */
static int cluster_by_first_key(struct fund_total *t, size_t *order, size_t n,
				struct fund_error *err)
{
	struct fund_groups *c = NULL;
	size_t *cid = malloc((n ? n : 1) * sizeof(*cid));
	size_t *start = NULL, *tmp = malloc((n ? n : 1) * sizeof(*tmp));
	size_t i, nc;
	int rc = 0;

	if (!cid || !tmp || fund_groups_new(&c, 1, 1)) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t len;
		const char *k = fund_groups_key(t->groups, order[i], 0, &len);
		if (fund_groups_get(c, &k, &len, &cid[i]) < 0) {
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			goto out;
		}
	}
	nc = fund_groups_count(c);
	start = calloc(nc + 1, sizeof(*start));
	if (!start) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		start[cid[i] + 1]++;
	for (i = 0; i < nc; i++)
		start[i + 1] += start[i];
	for (i = 0; i < n; i++)
		tmp[start[cid[i]]++] = order[i];
	memcpy(order, tmp, n * sizeof(*order));
out:
	fund_groups_free(&c);
	free(cid);
	free(start);
	free(tmp);
	return rc;
}

static int add_payload(struct fund_total *t, void *dst, const void *src)
{
	size_t i;
	((struct payload_head *)dst)->count += ((const struct payload_head *)src)->count;
	for (i = 0; i < t->nsum; i++)
		if (fund_sum_merge(&sums_of(dst)[i], &sums_of((void *)src)[i]))
			return FUND_EOVERFLOW;
	return 0;
}

/* ---- shares and ratios ---- */

static fund_i128 at_scale128(const struct fund_sum *s, int scale)
{
	fund_i128 u = s->units;
	int k;
	for (k = s->scale; k < scale; k++)
		u *= 10;
	return u;
}

static fund_i128 pow10_128(int n)
{
	fund_i128 p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

static int share_prec(const struct fund_total_out *o)
{
	return o->share_precision ? o->share_precision : 6;
}

/* The amount column a --ratio names, or -1. */
static long sum_column(const struct fund_total *t, const char *name)
{
	size_t k;
	for (k = 0; k < t->nsum; k++)
		if (!strcmp(t->o.sum_cols[k], name) || (t->sum_names[k] && !strcmp(t->sum_names[k], name)))
			return (long)k;
	for (k = 0; k < t->nsum; k++)
		if (t->sum_names[k] && fund_names_match(t->sum_names[k], name))
			return (long)k;
	return -1;
}

/* The shares of every group, rounded within each parent so that they add
 * up to 1: q[g * nsum + k] in units of 10^-prec, has[] 0 when empty. */
struct shares {
	fund_i128 *q;
	unsigned char *has;
};

struct rem_order {
	const size_t *parent, *pos;
	const fund_i128 *r;
	size_t nsum, k;
};

static int by_parent_rem(const void *a, const void *b, void *arg)
{
	const struct rem_order *o = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	fund_i128 rx = o->r[x * o->nsum + o->k], ry = o->r[y * o->nsum + o->k];
	if (o->parent[x] != o->parent[y])
		return o->parent[x] < o->parent[y] ? -1 : 1;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return o->pos[x] < o->pos[y] ? -1 : o->pos[x] > o->pos[y];
}

static int compute_shares(struct fund_total *t, const struct fund_total_out *o, const size_t *order, size_t n,
			  const int *scale, struct shares *sh, struct fund_error *err)
{
	size_t K = o->share_within < t->nkeys ? o->share_within : t->nkeys, g, k, i, np = 0;
	size_t *parent = malloc((n + 1) * sizeof(*parent)), *pos = malloc((n + 1) * sizeof(*pos));
	size_t *idx = malloc((n + 1) * sizeof(*idx));
	fund_i128 *r = calloc(n * t->nsum + 1, sizeof(*r)), one = pow10_128(share_prec(o));
	struct fund_sum *ptot = NULL;
	fund_i128 *left = NULL;
	struct fund_groups *pg = NULL;
	int rc = 0;

	sh->q = calloc(n * t->nsum + 1, sizeof(*sh->q));
	sh->has = calloc(n * t->nsum + 1, 1);
	if (!parent || !pos || !idx || !r || !sh->q || !sh->has || (K && fund_groups_new(&pg, K, 1))) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		pos[order[i]] = i;
	for (g = 0; g < n; g++) {
		size_t pi = 0;
		if (K) {
			for (k = 0; k < K; k++)
				t->kv[k] = fund_groups_key(t->groups, g, k, &t->kl[k]);
			if (fund_groups_get(pg, t->kv, t->kl, &pi) < 0) {
				rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
				goto out;
			}
		}
		parent[g] = pi;
		if (pi + 1 > np)
			np = pi + 1;
	}
	ptot = calloc(np * t->nsum + 1, sizeof(*ptot));
	left = calloc(np * t->nsum + 1, sizeof(*left));
	if (!ptot || !left) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (g = 0; g < n; g++) {
		struct fund_sum *s = sums_of(fund_groups_payload(t->groups, g));
		for (k = 0; k < t->nsum; k++)
			if (s[k].n && fund_sum_merge(&ptot[parent[g] * t->nsum + k], &s[k])) {
				rc = fund_error_set(err, FUND_EOVERFLOW, "a share's total overflows");
				goto out;
			}
	}
	for (i = 0; i < np * t->nsum; i++)
		left[i] = one;
	/* each share rounded down, with its remainder */
	for (g = 0; g < n; g++) {
		struct fund_sum *s = sums_of(fund_groups_payload(t->groups, g));
		for (k = 0; k < t->nsum; k++) {
			const struct fund_sum *P = &ptot[parent[g] * t->nsum + k];
			fund_i128 U = P->n ? at_scale128(P, scale[k]) : 0, u = s[k].n ? at_scale128(&s[k], scale[k]) : 0;
			fund_i128 num, q;
			if (!U || !s[k].n)
				continue;
			if (U < 0) {
				U = -U;
				u = -u;
			}
			if (__builtin_mul_overflow(u, one, &num)) {
				rc = fund_error_set(err, FUND_EOVERFLOW, "a share is too large to compute");
				goto out;
			}
			q = num / U;
			if (num % U && num < 0)
				q--;                 /* toward minus infinity */
			sh->q[g * t->nsum + k] = q;
			sh->has[g * t->nsum + k] = 1;
			r[g * t->nsum + k] = num - q * U;
			left[parent[g] * t->nsum + k] -= q;
		}
	}
	/* the units left, to the largest remainders of each parent */
	for (k = 0; k < t->nsum; k++) {
		struct rem_order ro = { parent, pos, r, t->nsum, k };
		for (g = 0; g < n; g++)
			idx[g] = g;
		qsort_r(idx, n, sizeof(*idx), by_parent_rem, &ro);
		for (i = 0; i < n; i++) {
			size_t gg = idx[i];
			fund_i128 *l = &left[parent[gg] * t->nsum + k];
			if (*l > 0 && sh->has[gg * t->nsum + k] && r[gg * t->nsum + k] > 0) {
				sh->q[gg * t->nsum + k]++;
				(*l)--;
			}
		}
	}
out:
	fund_groups_free(&pg);
	free(parent);
	free(pos);
	free(idx);
	free(r);
	free(ptot);
	free(left);
	return rc;
}

/* The ratios of a row, and its shares: the rounded shares of a group,
 * those of a subtotal or the grand total over grand, half away from
 * zero. */
static void row_extras(struct fund_total *t, const struct fund_total_out *o, const int *scale, const long *rnum,
		       const long *rden, const struct shares *sh, long g, const void *p, const void *grand,
		       char *buf, struct extras *x)
{
	const struct fund_sum *s = sums_of((void *)p), *G = sums_of((void *)grand);
	size_t k, i = 0;
	char *b = buf;
	if (o->share)
		for (k = 0; k < t->nsum; k++, i++, b += 128) {
			x->s[i] = NULL;
			if (g >= 0 && sh->has[(size_t)g * t->nsum + k]) {
				if (fund_amount_format(b, 128, sh->q[(size_t)g * t->nsum + k], share_prec(o),
						       share_prec(o), 0) >= 0)
					x->s[i] = b;
			} else if (g < 0 && s[k].n && G[k].n && G[k].units &&
				   fund_ratio_text(b, 128, at_scale128(&s[k], scale[k]), at_scale128(&G[k], scale[k]),
						   share_prec(o)) == 0) {
				x->s[i] = b;
			}
			if (!x->s[i] && s[k].n)
				t->empty_shares++;
		}
	for (k = 0; k < o->nratios; k++, i++, b += 128) {
		const struct fund_sum *a = &s[rnum[k]], *d = &s[rden[k]];
		int sc = a->scale > d->scale ? a->scale : d->scale;
		x->s[i] = NULL;
		if (a->n && d->n && d->units &&
		    fund_ratio_text(b, 128, at_scale128(a, sc), at_scale128(d, sc),
				    o->ratio_precision ? o->ratio_precision : 4) == 0)
			x->s[i] = b;
		else
			t->empty_ratios++;
	}
	x->n = i;
}

/* The output's names: the keys, count, the totals, then one column per
 * total named word ("share"), or word:TOTAL with several, into made[]
 * (to free).  0 or FUND_ENOMEM. */
static int column_names(const struct fund_total *t, const char **names, const char *word, char **made)
{
	size_t k;
	for (k = 0; k < t->nkeys; k++)
		names[k] = t->key_names[k] ? t->key_names[k] :
			k < t->ngroup ? t->o.group_cols[k] : t->o.period == FUND_PERIOD_YEAR ? "year" : "month";
	names[t->nkeys] = "count";
	for (k = 0; k < t->nsum; k++)
		names[t->nkeys + 1 + k] = t->sum_names[k] ? t->sum_names[k] : t->o.sum_cols[k];
	for (k = 0; word && k < t->nsum; k++) {
		if (t->nsum == 1)
			made[k] = strdup(word);
		else if (fund_str_append(&made[k], "%s:%s", word, names[t->nkeys + 1 + k]) < 0)
			made[k] = NULL;
		if (!made[k])
			return FUND_ENOMEM;
		names[t->nkeys + 1 + t->nsum + k] = made[k];
	}
	return 0;
}

/* ---- running totals (--cumulative) ---- */

struct curve_sort {
	struct fund_total *t;
	const size_t *first;       /* a group of each curve */
	int by_key, reverse;
};

static int cmp_curves(const void *pa, const void *pb, void *arg)
{
	const struct curve_sort *s = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = s->by_key ? cmp_keys(s->t, s->first[a], s->first[b], s->t->ngroup) : 0;
	if (s->reverse)
		c = -c;
	return c ? c : a < b ? -1 : a > b;
}

/* "2019" or "2019-03" as a number of years or months, or -1 */
static long period_index(const struct fund_total *t, const char *p, size_t len)
{
	long y = 0;
	size_t i;
	if (len != (t->o.period == FUND_PERIOD_YEAR ? 4u : 7u))
		return -1;
	for (i = 0; i < 4; i++)
		y = y * 10 + (p[i] - '0');
	if (t->o.period == FUND_PERIOD_YEAR)
		return y;
	return y * 12 + ((p[5] - '0') * 10 + (p[6] - '0')) - 1;
}

/* buf: FUND_DATE_TEXT bytes */
static void period_text(const struct fund_total *t, long pi, char *buf)
{
	if (t->o.period == FUND_PERIOD_YEAR)
		fund_ymd(buf, (int)pi, 0, 0);
	else
		fund_ymd(buf, (int)(pi / 12), (int)(pi % 12 + 1), 0);
}

/* Each group of the -g keys as a curve over every period from the first
 * to the last of the table, the periods without rows carried; undated
 * rows after it. */
static int write_cumulative(struct fund_total *t, FILE *fp, const struct fund_total_out *o, struct fund_error *err)
{
	size_t n = fund_groups_count(t->groups), ncurve = 0, i, k, c;
	size_t ncols = t->nkeys + 1 + 2 * t->nsum;
	struct fund_groups *cg = NULL;
	size_t *curve = malloc((n + 1) * sizeof(*curve)), *first = malloc((n + 1) * sizeof(*first));
	size_t *corder = NULL;
	long lo = LONG_MAX, hi = LONG_MIN, pi;
	int *scale = calloc(t->nsum + 1, sizeof(int)), rc = 0;
	const char **names = calloc(ncols + 1, sizeof(char *));
	char **cnames = calloc(t->nsum + 1, sizeof(char *));
	struct fund_cell *cells = calloc(ncols + 1, sizeof(*cells));
	char *numbuf = malloc(32 + 128 * (t->nsum + 1)), *xbuf = malloc(128 * (t->nsum + 1)), per[FUND_DATE_TEXT];
	void *empty = calloc(1, t->psize);
	struct fund_sum *cum = calloc(t->nsum + 1, sizeof(*cum));
	struct extras x = { calloc(t->nsum + 1, sizeof(char *)), t->nsum };
	struct fund_writer *w = NULL;

	if (!curve || !first || !scale || !names || !cnames || !cells || !numbuf || !xbuf || !empty || !cum || !x.s ||
	    (t->ngroup && fund_groups_new(&cg, t->ngroup, 1))) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		size_t len, ci = 0;
		const char *p = fund_groups_key(t->groups, i, t->ngroup, &len);
		struct fund_sum *s = sums_of(fund_groups_payload(t->groups, i));
		long v = period_index(t, p, len);
		if (v >= 0 && v < lo)
			lo = v;
		if (v >= 0 && v > hi)
			hi = v;
		for (k = 0; k < t->nsum; k++)
			if (s[k].n && s[k].scale > scale[k])
				scale[k] = s[k].scale;
		if (cg) {
			for (k = 0; k < t->ngroup; k++)
				t->kv[k] = fund_groups_key(t->groups, i, k, &t->kl[k]);
			if (fund_groups_get(cg, t->kv, t->kl, &ci) < 0) {
				rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
				goto out;
			}
		}
		if (ci == ncurve)
			first[ncurve++] = i;
		curve[i] = ci;
	}
	if (!(corder = malloc((ncurve + 1) * sizeof(*corder)))) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (c = 0; c < ncurve; c++)
		corder[c] = c;
	{
		struct curve_sort cs = { t, first, o->sort == FUND_SORT_KEY, o->reverse };
		qsort_r(corder, ncurve, sizeof(*corder), cmp_curves, &cs);
	}
	if (column_names(t, names, "cumulative", cnames)) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	if (t->no_count) {
		memmove(names + t->nkeys, names + t->nkeys + 1, (ncols - t->nkeys - 1) * sizeof(*names));
		ncols--;
	}
	if ((rc = fund_writer_open(&w, fp, o->format, names, ncols))) {
		rc = fund_writer_fail(err, rc);
		goto out;
	}
	fund_writer_safe(w, o->safe);
	for (c = 0; c < ncurve; c++) {
		size_t g0 = first[corder[c]], gi;
		memset(cum, 0, t->nsum * sizeof(*cum));
		for (k = 0; k < t->ngroup; k++)
			t->kv[k] = fund_groups_key(t->groups, g0, k, &t->kl[k]);
		for (pi = lo; lo <= hi && pi <= hi; pi++) {
			const void *p = empty;
			period_text(t, pi, per);
			t->kv[t->ngroup] = per;
			t->kl[t->ngroup] = strlen(per);
			if (fund_groups_find(t->groups, t->kv, t->kl, &gi))
				p = fund_groups_payload(t->groups, gi);
			for (k = 0; k < t->nsum; k++) {
				const struct fund_sum *s = &sums_of((void *)p)[k];
				x.s[k] = NULL;
				if (s->n && fund_sum_merge(&cum[k], s)) {
					rc = fund_error_set(err, FUND_EOVERFLOW, "a running total overflows");
					goto out;
				}
				if (cum[k].n &&
				    fund_amount_format(xbuf + 128 * k, 128, cum[k].units, cum[k].scale,
						       o->decimals >= 0 ? o->decimals : scale[k],
						       (o->format == FUND_OUT_JSON || o->format == FUND_OUT_NDJSON ||
							o->format == FUND_OUT_XLSX) ? 0 : o->amount_flags) >= 0)
					x.s[k] = xbuf + 128 * k;
			}
			if ((rc = emit(t, w, o, scale, t->kv, t->kl, p, cells, numbuf, &x, err)))
				goto out;
		}
		/* the rows without a date, after the curve */
		t->kv[t->ngroup] = "";
		t->kl[t->ngroup] = 0;
		if (fund_groups_find(t->groups, t->kv, t->kl, &gi)) {
			for (k = 0; k < t->nsum; k++)
				x.s[k] = NULL;
			if ((rc = emit(t, w, o, scale, t->kv, t->kl, fund_groups_payload(t->groups, gi), cells, numbuf,
				       &x, err)))
				goto out;
		}
	}
	if ((rc = fund_writer_finish(w)) < 0)
		fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
out:
	fund_writer_free(&w);
	fund_groups_free(&cg);
	for (k = 0; cnames && k < t->nsum; k++)
		free(cnames[k]);
	free(cnames);
	free(curve);
	free(first);
	free(corder);
	free(scale);
	free(names);
	free(cells);
	free(numbuf);
	free(xbuf);
	free(empty);
	free(cum);
	free(x.s);
	return rc;
}

/* ---- the pivoted table (--pivot) ---- */

struct pivot {
	struct fund_total *t;
	const struct fund_total_out *o;
	struct fund_groups *rows, *cols;   /* payloads: their totals */
	size_t nrk;                        /* keys of a row */
	size_t nr, nc;
	size_t *rid, *cid;                 /* of each group */
	size_t *rpos, *cpos;               /* the place of each row, column */
	int *scale;
	long *rnum, *rden;                 /* the ratios' columns */
};


static int cmp_payload_total(const void *pa, const void *pb)
{
	const struct fund_sum *x = sums_of((void *)pa), *y = sums_of((void *)pb);
	fund_i128 ux = x->units, uy = y->units;
	int k;
	if (!x->n || !y->n)
		return (int)!x->n - (int)!y->n;
	for (k = x->scale; k < y->scale; k++)
		ux *= 10;
	for (k = y->scale; k < x->scale; k++)
		uy *= 10;
	return ux > uy ? -1 : ux < uy;
}

struct pivot_sort {
	struct pivot *pv;
	struct fund_groups *g;
	size_t nk;
	enum fund_sort sort;
	int reverse, empty_last;
};

static int cmp_pivot_items(const void *pa, const void *pb, void *arg)
{
	const struct pivot_sort *s = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	int c = 0;
	if (s->empty_last) {
		size_t la, lb;
		fund_groups_key(s->g, a, 0, &la);
		fund_groups_key(s->g, b, 0, &lb);
		if (!la != !lb)
			return !la ? 1 : -1;
	}
	if (s->sort == FUND_SORT_KEY)
		c = cmp_in(s->g, s->nk, a, b);
	else if (s->sort == FUND_SORT_TOTAL && s->pv->t->nsum)
		c = cmp_payload_total(fund_groups_payload(s->g, a), fund_groups_payload(s->g, b));
	if (s->reverse)
		c = -c;
	return c ? c : a < b ? -1 : a > b;
}

/* the groups in the order their cells are written: row, then column */
static int cmp_pivot_cells(const void *pa, const void *pb, void *arg)
{
	const struct pivot *pv = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	size_t ra = pv->rpos[pv->rid[a]], rb = pv->rpos[pv->rid[b]];
	size_t ca = pv->cpos[pv->cid[a]], cb = pv->cpos[pv->cid[b]];
	if (ra != rb)
		return ra < rb ? -1 : 1;
	return ca < cb ? -1 : ca > cb;
}

/* Cells of one payload into column place j of each block (count, then one
 * block per amount column), nb: 128 bytes per amount cell. */
static int pivot_cells(struct pivot *pv, struct fund_cell *cells, char *nb, size_t j, size_t width,
		       const void *p)
{
	struct fund_total *t = pv->t;
	const struct fund_sum *s = sums_of((void *)p);
	size_t base = pv->nrk, i, c;
	int n;
	if (!t->no_count) {
		c = base + j;
		cells[c].s = nb + 128 * c;
		cells[c].len = fund_utoa(nb + 128 * c, ((const struct payload_head *)p)->count);
		cells[c].type = FUND_CELL_NUMBER;
		base += width;
	}
	for (i = 0; i < t->nsum; i++, base += width) {
		c = base + j;
		if (!s[i].n)
			continue;
		n = fund_amount_format(nb + 128 * c, 128, s[i].units, s[i].scale,
				       pv->o->decimals >= 0 ? pv->o->decimals : pv->scale[i],
				       (pv->o->format == FUND_OUT_JSON || pv->o->format == FUND_OUT_NDJSON ||
					pv->o->format == FUND_OUT_XLSX) ? 0 : pv->o->amount_flags);
		if (n < 0)
			return FUND_EOVERFLOW;
		cells[c].s = nb + 128 * c;
		cells[c].len = (size_t)n;
		cells[c].type = FUND_CELL_NUMBER;
	}
	for (i = 0; i < pv->o->nratios; i++, base += width) {
		const struct fund_sum *a = &s[pv->rnum[i]], *d = &s[pv->rden[i]];
		int sc = a->scale > d->scale ? a->scale : d->scale;
		c = base + j;
		if (a->n && d->n && d->units &&
		    fund_ratio_text(nb + 128 * c, 128, at_scale128(a, sc), at_scale128(d, sc),
				    pv->o->ratio_precision ? pv->o->ratio_precision : 4) == 0) {
			cells[c].s = nb + 128 * c;
			cells[c].len = strlen(cells[c].s);
			cells[c].type = FUND_CELL_NUMBER;
		} else {
			t->empty_ratios++;
		}
	}
	return 0;
}

static void pivot_blank(const struct pivot *pv, struct fund_cell *cells, size_t ncells)
{
	size_t c;
	const char *f = pv->o->fill;
	for (c = pv->nrk; c < ncells; c++) {
		cells[c].s = f;
		cells[c].len = f ? strlen(f) : 0;
		cells[c].type = f && !numeric(f, strlen(f)) ? FUND_CELL_TEXT : FUND_CELL_NUMBER;
	}
}

/* A name made from data, guarded as a cell would be (fund_writer_safe). */
static int pivot_name(char **dst, const struct fund_total_out *o, const char *prefix, const char *v, size_t len)
{
	int guard = o->safe && o->format != FUND_OUT_JSON && o->format != FUND_OUT_NDJSON &&
		    o->format != FUND_OUT_XLSX && !prefix && fund_cell_risky(v, len);
	return fund_str_append(dst, "%s%s%s%.*s", prefix ? prefix : "", prefix ? ":" : "", guard ? "'" : "",
			       (int)len, v) < 0 ? FUND_ENOMEM : 0;
}

static int write_pivot(struct fund_total *t, FILE *fp, const struct fund_total_out *o, struct fund_error *err)
{
	static const char total_label[] = "(total)";
	struct pivot pv = { t, o, NULL, NULL, t->nkeys - 1, 0, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL };
	size_t n = fund_groups_count(t->groups), g, k, i, r, width, ncells = 0, nblocks;
	size_t pk = (size_t)t->pivot_key;
	size_t *rorder = NULL, *corder = NULL, *cellorder = NULL;
	const char **kv = calloc(t->nkeys + 1, sizeof(char *)), **names = NULL;
	size_t *kl = calloc(t->nkeys + 1, sizeof(size_t));
	char **made = NULL, *nb = NULL;
	struct fund_cell *cells = NULL;
	struct fund_writer *w = NULL;
	void *sub = NULL, *grand = NULL, *csub = NULL;
	int rc = 0;

	pv.rid = malloc((n + 1) * sizeof(size_t));
	pv.cid = malloc((n + 1) * sizeof(size_t));
	pv.scale = calloc(t->nsum + 1, sizeof(int));
	cellorder = malloc((n + 1) * sizeof(size_t));
	sub = calloc(1, t->psize);
	grand = calloc(1, t->psize);
	pv.rnum = calloc(o->nratios + 1, sizeof(long));
	pv.rden = calloc(o->nratios + 1, sizeof(long));
	if (!kv || !kl || !pv.rid || !pv.rnum || !pv.rden || !pv.cid || !pv.scale || !cellorder || !sub || !grand ||
	    fund_groups_new(&pv.rows, pv.nrk, t->psize) || fund_groups_new(&pv.cols, 1, t->psize))
		goto nomem;
	for (k = 0; k < o->nratios; k++)
		if ((pv.rnum[k] = sum_column(t, o->ratios[k].num)) < 0 || (pv.rden[k] = sum_column(t, o->ratios[k].den)) < 0) {
			rc = fund_error_set(err, FUND_EUSAGE, "--ratio %s: '%s' is not one of the amount columns "
					    "(name it with -s)", o->ratios[k].name, pv.rnum[k] < 0 ? o->ratios[k].num : o->ratios[k].den);
			goto out;
		}
	t->empty_ratios = 0;
	for (g = 0; g < n; g++) {
		void *p = fund_groups_payload(t->groups, g);
		const struct fund_sum *s = sums_of(p);
		size_t j = 0;
		for (k = 0; k < t->nsum; k++)
			if (s[k].n && s[k].scale > pv.scale[k])
				pv.scale[k] = s[k].scale;
		for (k = 0; k < t->nkeys; k++)
			if (k != pk) {
				kv[j] = fund_groups_key(t->groups, g, k, &kl[j]);
				j++;
			}
		if (fund_groups_get(pv.rows, kv, kl, &pv.rid[g]) < 0)
			goto nomem;
		kv[0] = fund_groups_key(t->groups, g, pk, &kl[0]);
		if (fund_groups_get(pv.cols, kv, kl, &pv.cid[g]) < 0)
			goto nomem;
		if (fund_groups_count(pv.cols) > FUND_PIVOT_MAX) {
			/* say how many there are */
			for (; g < n; g++) {
				kv[0] = fund_groups_key(t->groups, g, pk, &kl[0]);
				if (fund_groups_get(pv.cols, kv, kl, &i) < 0)
					goto nomem;
			}
			rc = fund_error_set(err, FUND_ELIMIT, "--pivot %s: %zu distinct values, more than the %d "
					    "columns a pivoted table may have",
					    t->key_names[pk] ? t->key_names[pk] : "?", fund_groups_count(pv.cols),
					    FUND_PIVOT_MAX);
			goto out;
		}
		if (add_payload(t, fund_groups_payload(pv.rows, pv.rid[g]), p) ||
		    add_payload(t, fund_groups_payload(pv.cols, pv.cid[g]), p) || add_payload(t, grand, p)) {
			rc = fund_error_set(err, FUND_EOVERFLOW, "a total overflows");
			goto out;
		}
	}
	pv.nr = fund_groups_count(pv.rows);
	pv.nc = fund_groups_count(pv.cols);
	rorder = malloc((pv.nr + 1) * sizeof(size_t));
	corder = malloc((pv.nc + 1) * sizeof(size_t));
	pv.rpos = malloc((pv.nr + 1) * sizeof(size_t));
	pv.cpos = malloc((pv.nc + 1) * sizeof(size_t));
	csub = calloc(pv.nc + 1, t->psize);
	if (!rorder || !corder || !pv.rpos || !pv.cpos || !csub)
		goto nomem;
	for (r = 0; r < pv.nr; r++)
		rorder[r] = r;
	for (i = 0; i < pv.nc; i++)
		corder[i] = i;
	{
		/* periods in columns: always in the order of time */
		int periods = !t->own_groups;
		struct pivot_sort rs = { &pv, pv.rows, pv.nrk, o->sort, o->reverse, 0 };
		struct pivot_sort cs = { &pv, pv.cols, 1, periods ? FUND_SORT_KEY : o->sort, !periods && o->reverse, periods };
		if (o->sort != FUND_SORT_NONE)
			qsort_r(rorder, pv.nr, sizeof(size_t), cmp_pivot_items, &rs);
		if (cs.sort != FUND_SORT_NONE)
			qsort_r(corder, pv.nc, sizeof(size_t), cmp_pivot_items, &cs);
	}
	if (o->rollup && pv.nrk >= 2) {
		/* the rows sharing their first key together, as without a pivot */
		struct fund_groups *c1 = NULL;
		size_t *cl = malloc((pv.nr + 1) * sizeof(size_t)), *tmp = malloc((pv.nr + 1) * sizeof(size_t));
		size_t *start = calloc(pv.nr + 2, sizeof(size_t)), nclu;
		if (!cl || !tmp || !start || fund_groups_new(&c1, 1, 1)) {
			free(cl), free(tmp), free(start);
			fund_groups_free(&c1);
			goto nomem;
		}
		for (r = 0; r < pv.nr && rc == 0; r++) {
			kv[0] = fund_groups_key(pv.rows, rorder[r], 0, &kl[0]);
			if (fund_groups_get(c1, kv, kl, &cl[r]) < 0)
				rc = FUND_ENOMEM;
		}
		nclu = fund_groups_count(c1);
		for (r = 0; r < pv.nr && !rc; r++)
			start[cl[r] + 1]++;
		for (i = 0; i < nclu && !rc; i++)
			start[i + 1] += start[i];
		for (r = 0; r < pv.nr && !rc; r++)
			tmp[start[cl[r]]++] = rorder[r];
		if (!rc)
			memcpy(rorder, tmp, pv.nr * sizeof(size_t));
		free(cl), free(tmp), free(start);
		fund_groups_free(&c1);
		if (rc)
			goto nomem;
	}
	for (r = 0; r < pv.nr; r++)
		pv.rpos[rorder[r]] = r;
	for (i = 0; i < pv.nc; i++)
		pv.cpos[corder[i]] = i;
	for (g = 0; g < n; g++)
		cellorder[g] = g;
	qsort_r(cellorder, n, sizeof(size_t), cmp_pivot_cells, &pv);

	/* the names: the row keys, then count:V..., then per amount V... */
	width = pv.nc + (o->rollup != 0);
	nblocks = t->nsum + !t->no_count + o->nratios;
	ncells = pv.nrk + width * nblocks;
	names = calloc(ncells + 1, sizeof(char *));
	made = calloc(ncells + 1, sizeof(char *));
	cells = calloc(ncells + 1, sizeof(*cells));
	nb = malloc(128 * (ncells + 1));
	if (!names || !made || !cells || !nb)
		goto nomem;
	for (k = 0, i = 0; k < t->nkeys; k++)
		if (k != pk)
			names[i++] = t->key_names[k] ? t->key_names[k] :
				k < t->ngroup ? t->o.group_cols[k] : t->o.period == FUND_PERIOD_YEAR ? "year" : "month";
	for (k = 0; k < nblocks; k++) {
		size_t b = k - !t->no_count;
		const char *prefix = !t->no_count && k == 0 ? "count" : b >= t->nsum ? o->ratios[b - t->nsum].name :
			t->nsum == 1 ? NULL : t->sum_names[b];
		for (i = 0; i < width; i++) {
			size_t c = pv.nrk + k * width + i, len = sizeof(total_label) - 1;
			const char *v = total_label;
			if (i < pv.nc) {
				v = fund_groups_key(pv.cols, corder[i], 0, &len);
				if (!len) {
					v = "(empty)";
					len = 7;
				}
			}
			if (pivot_name(&made[c], o, prefix, v, len))
				goto nomem;
			names[c] = made[c];
		}
	}
	if ((rc = fund_writer_open(&w, fp, o->format, names, ncells))) {
		rc = fund_writer_fail(err, rc);
		goto out;
	}
	fund_writer_safe(w, o->safe);

	for (r = 0, g = 0; r < pv.nr; r++) {
		size_t row = rorder[r];
		pivot_blank(&pv, cells, ncells);
		for (k = 0; k < pv.nrk; k++) {
			cells[k].s = fund_groups_key(pv.rows, row, k, &cells[k].len);
			cells[k].type = FUND_CELL_TEXT;
		}
		for (; g < n && pv.rid[cellorder[g]] == row; g++) {
			size_t gi = cellorder[g];
			void *p = fund_groups_payload(t->groups, gi);
			if ((rc = pivot_cells(&pv, cells, nb, pv.cpos[pv.cid[gi]], width, p)))
				goto overflow;
			if (o->rollup && pv.nrk >= 2 && add_payload(t, (char *)csub + t->psize * pv.cpos[pv.cid[gi]], p))
				goto overflow;
		}
		if (o->rollup && (rc = pivot_cells(&pv, cells, nb, pv.nc, width, fund_groups_payload(pv.rows, row))))
			goto overflow;
		if ((rc = fund_writer_row(w, cells)) < 0)
			goto written;
		if (o->rollup && pv.nrk >= 2) {
			size_t la, lb;
			const char *k0 = fund_groups_key(pv.rows, row, 0, &la), *y = NULL;
			if (add_payload(t, sub, fund_groups_payload(pv.rows, row)))
				goto overflow;
			if (r + 1 < pv.nr)
				y = fund_groups_key(pv.rows, rorder[r + 1], 0, &lb);
			if (!y || la != lb || memcmp(k0, y, la)) {
				pivot_blank(&pv, cells, ncells);
				cells[0].s = k0;
				cells[0].len = la;
				cells[0].type = FUND_CELL_TEXT;
				for (k = 1; k < pv.nrk; k++) {
					cells[k].s = total_label;
					cells[k].len = sizeof(total_label) - 1;
					cells[k].type = FUND_CELL_TEXT;
				}
				for (i = 0; i < pv.nc; i++)
					if ((rc = pivot_cells(&pv, cells, nb, i, width, (char *)csub + t->psize * i)))
						goto overflow;
				if ((rc = pivot_cells(&pv, cells, nb, pv.nc, width, sub)))
					goto overflow;
				if ((rc = fund_writer_row(w, cells)) < 0)
					goto written;
				memset(sub, 0, t->psize);
				memset(csub, 0, t->psize * pv.nc);
			}
		}
	}
	if (o->rollup) {
		pivot_blank(&pv, cells, ncells);
		for (k = 0; k < pv.nrk; k++) {
			cells[k].s = total_label;
			cells[k].len = sizeof(total_label) - 1;
			cells[k].type = FUND_CELL_TEXT;
		}
		for (i = 0; i < pv.nc; i++)
			if ((rc = pivot_cells(&pv, cells, nb, i, width, fund_groups_payload(pv.cols, corder[i]))))
				goto overflow;
		if ((rc = pivot_cells(&pv, cells, nb, pv.nc, width, grand)))
			goto overflow;
		if ((rc = fund_writer_row(w, cells)) < 0)
			goto written;
	}
	rc = fund_writer_finish(w);
written:
	if (rc < 0)
		fund_writer_fail(err, rc);
	goto out;
overflow:
	rc = fund_error_set(err, FUND_EOVERFLOW, "a total is too large to print or overflows");
	goto out;
nomem:
	rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
out:
	fund_writer_free(&w);
	fund_groups_free(&pv.rows);
	fund_groups_free(&pv.cols);
	for (k = 0; made && k < ncells; k++)
		free(made[k]);
	free(made);
	free(names);
	free(cells);
	free(nb);
	free(kv);
	free(kl);
	free(pv.rid);
	free(pv.cid);
	free(pv.rpos);
	free(pv.cpos);
	free(pv.scale);
	free(pv.rnum);
	free(pv.rden);
	free(rorder);
	free(corder);
	free(cellorder);
	free(sub);
	free(grand);
	free(csub);
	return rc;
}

int fund_total_write(struct fund_total *t, FILE *fp, const struct fund_total_out *o,
		     struct fund_error *err)
{
	size_t n = fund_groups_count(t->groups), i, k;
	size_t nshare = o->share ? t->nsum : 0, nextra = nshare + o->nratios;
	size_t ncols = t->nkeys + 1 + t->nsum + nextra;
	struct shares sh = { NULL, NULL };
	long *rnum = NULL, *rden = NULL;
	char **xnames = NULL, *xbuf = NULL;
	struct extras x = { NULL, 0 };
	size_t *order = NULL;
	int *scale = NULL, rc = 0;
	const char **names = NULL;
	struct fund_writer *w = NULL;
	struct fund_cell *cells = NULL;
	char *numbuf = NULL;
	void *sub = NULL, *grand = NULL;

	t->no_count = o->no_count;
	if (t->pivot_key >= 0) {
		if (o->cumulative || o->share)
			return fund_error_set(err, FUND_EUSAGE, "a pivoted table goes without --share and --cumulative");
		return write_pivot(t, fp, o, err);
	}
	if (o->cumulative) {
		if (t->o.period == FUND_PERIOD_NONE || o->rollup || o->share || o->nratios)
			return fund_error_set(err, FUND_EUSAGE, "running totals need periods (--by year or month), "
					      "without --rollup, --share or --ratio");
		return write_cumulative(t, fp, o, err);
	}
	const char **kv = NULL;
	size_t *kl = NULL;
	static const char total_label[] = "(total)";

	order = malloc((n ? n : 1) * sizeof(*order));
	scale = calloc(t->nsum + 1, sizeof(int));
	names = calloc(ncols, sizeof(char *));
	cells = calloc(ncols, sizeof(*cells));
	numbuf = malloc(32 + 128 * (t->nsum + 1));
	sub = calloc(1, t->psize);
	grand = calloc(1, t->psize);
	kv = calloc(t->nkeys + 1, sizeof(char *));
	kl = calloc(t->nkeys + 1, sizeof(size_t));
	rnum = calloc(o->nratios + 1, sizeof(long));
	rden = calloc(o->nratios + 1, sizeof(long));
	xnames = calloc(nextra + 1, sizeof(char *));
	xbuf = malloc(128 * (nextra + 1));
	x.s = calloc(nextra + 1, sizeof(char *));
	if (!order || !scale || !names || !cells || !numbuf || !sub || !grand || !kv || !kl || !rnum || !rden ||
	    !xnames || !xbuf || !x.s) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	t->empty_ratios = t->empty_shares = 0;
	for (k = 0; k < o->nratios; k++) {
		const struct fund_total_ratio *ra = &o->ratios[k];
		if ((rnum[k] = sum_column(t, ra->num)) < 0 || (rden[k] = sum_column(t, ra->den)) < 0) {
			rc = fund_error_set(err, FUND_EUSAGE, "--ratio %s: '%s' is not one of the amount columns "
					    "(name it with -s)", ra->name, rnum[k] < 0 ? ra->num : ra->den);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		struct fund_sum *s = sums_of(fund_groups_payload(t->groups, i));
		order[i] = i;
		for (k = 0; k < t->nsum; k++)
			if (s[k].n && s[k].scale > scale[k])
				scale[k] = s[k].scale;
	}
	if (column_names(t, names, nshare ? "share" : NULL, xnames)) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (k = 0; k < o->nratios; k++)
		names[t->nkeys + 1 + t->nsum + nshare + k] = o->ratios[k].name;
	if (o->sort != FUND_SORT_NONE) {
		struct sorter s = { t, o, scale };
		qsort_r(order, n, sizeof(*order), cmp_groups, &s);
	}
	if (o->rollup && t->nkeys >= 2 && (rc = cluster_by_first_key(t, order, n, err)))
		goto out;
	if (nextra) {
		/* the grand total, for the shares of subtotals */
		for (i = 0; i < n; i++)
			if (add_payload(t, grand, fund_groups_payload(t->groups, i))) {
				rc = fund_error_set(err, FUND_EOVERFLOW, "the grand total overflows");
				goto out;
			}
		if (nshare && (rc = compute_shares(t, o, order, n, scale, &sh, err)))
			goto out;
	}
	if (t->no_count) {
		memmove(names + t->nkeys, names + t->nkeys + 1, (ncols - t->nkeys - 1) * sizeof(*names));
		ncols--;
	}
	if ((rc = fund_writer_open(&w, fp, o->format, names, ncols))) {
		rc = fund_writer_fail(err, rc);
		goto out;
	}
	fund_writer_safe(w, o->safe);
	for (i = 0; i < n; i++) {
		size_t g = order[i];
		void *p = fund_groups_payload(t->groups, g);
		for (k = 0; k < t->nkeys; k++)
			kv[k] = fund_groups_key(t->groups, g, k, &kl[k]);
		if (nextra)
			row_extras(t, o, scale, rnum, rden, &sh, (long)g, p, grand, xbuf, &x);
		if ((rc = emit(t, w, o, scale, kv, kl, p, cells, numbuf, &x, err)))
			goto out;
		if (o->rollup && t->nkeys) {
			if (!nextra && add_payload(t, grand, p)) {
				rc = fund_error_set(err, FUND_EOVERFLOW, "the grand total overflows");
				goto out;
			}
			if (t->nkeys >= 2) {
				size_t la, lb;
				const char *k0, *y = NULL;
				if (add_payload(t, sub, p)) {
					rc = fund_error_set(err, FUND_EOVERFLOW, "a subtotal overflows");
					goto out;
				}
				k0 = fund_groups_key(t->groups, g, 0, &la);
				if (i + 1 < n)
					y = fund_groups_key(t->groups, order[i + 1], 0, &lb);
				if (!y || la != lb || memcmp(k0, y, la)) {
					kv[0] = k0;
					kl[0] = la;
					for (k = 1; k < t->nkeys; k++) {
						kv[k] = total_label;
						kl[k] = sizeof(total_label) - 1;
					}
					if (nextra)
						row_extras(t, o, scale, rnum, rden, &sh, -1, sub, grand, xbuf, &x);
					if ((rc = emit(t, w, o, scale, kv, kl, sub, cells, numbuf, &x, err)))
						goto out;
					memset(sub, 0, t->psize);
				}
			}
		}
	}
	if (o->rollup && t->nkeys) {
		for (k = 0; k < t->nkeys; k++) {
			kv[k] = total_label;
			kl[k] = sizeof(total_label) - 1;
		}
		if (nextra)
			row_extras(t, o, scale, rnum, rden, &sh, -1, grand, grand, xbuf, &x);
		if ((rc = emit(t, w, o, scale, kv, kl, grand, cells, numbuf, &x, err)))
			goto out;
	}
	if ((rc = fund_writer_finish(w)) < 0)
		fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
out:
	fund_writer_free(&w);
	free(order);
	free(scale);
	free(names);
	free(cells);
	free(numbuf);
	free(sub);
	free(grand);
	free(kv);
	free(kl);
	free(rnum);
	free(rden);
	for (k = 0; xnames && k < nshare; k++)
		free(xnames[k]);
	free(xnames);
	free(xbuf);
	free(x.s);
	free(sh.q);
	free(sh.has);
	return rc;
}

size_t fund_total_ngroups(const struct fund_total *t)
{
	return fund_groups_count(t->groups);
}

const char *fund_total_key(const struct fund_total *t, size_t i, size_t k, size_t *len)
{
	return fund_groups_key(t->groups, i, k, len);
}

const struct fund_sum *fund_total_sums(const struct fund_total *t, size_t i, uint64_t *count)
{
	void *p = fund_groups_payload(t->groups, i);
	if (count)
		*count = ((struct payload_head *)p)->count;
	return sums_of(p);
}

int fund_total_find(const struct fund_total *t, const char *const *keys, const size_t *lens, size_t *i)
{
	return fund_groups_find(t->groups, keys, lens, i);
}

/* ---- the engine, for the driver ---- */

FUND_ENGINE_OPS(total, struct fund_total)
const struct fund_engine fund_total_engine = {
	total_op_bind, total_op_add, total_op_fork, total_op_merge, total_op_free, NULL, total_op_columns, 0, 0, 0, NULL
};

/* ---- fund-total's work in one call ---- */

static int total_write_cb(void *eng, FILE *out, const void *wo, struct fund_error *err)
{
	return fund_total_write(eng, out, wo, err);
}

static int total_describe_cb(const void *eng, struct fund_summary *sum)
{
	return fund_total_describe(eng, sum);
}

int fund_total_files(const struct fund_total_opts *o, const struct fund_total_out *oo, const char *const *files, size_t n,
		const struct fund_run_opts *ro, FILE *fp, struct fund_summary *sum, struct fund_error *err)
{
	struct fund_total *e = NULL;
	int rc;
	memset(sum, 0, sizeof(*sum));
	if (fund_total_new(&e, o) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	rc = fund_run_write(&fund_total_engine, e, files, n, ro, total_write_cb, fp, oo, total_describe_cb, sum, err);
	fund_total_free(&e);
	return rc;
}
