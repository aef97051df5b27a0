/* Exact decimal amounts: parsing French and international forms into
 * scaled 128-bit integers, overflow-checked sums, exact formatting. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"
#include "banned.h"


static fund_i128 pow10_i128(int n)
{
	fund_i128 p = 1;
	while (n-- > 0)
		p *= 10;
	return p;
}

/* Length of a blank (ASCII space or tab, U+00A0, U+202F, U+2009) at s, or 0. */
static size_t blank_at(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[0] == ' ' || s[0] == '\t'))
		return 1;
	if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
		return 2;
	if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && (s[2] == 0xAF || s[2] == 0x89))
		return 3;
	return 0;
}

static size_t blank_before(const unsigned char *s, size_t n)
{
	if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		return 1;
	if (n >= 2 && s[n - 2] == 0xC2 && s[n - 1] == 0xA0)
		return 2;
	if (n >= 3 && s[n - 3] == 0xE2 && s[n - 2] == 0x80 &&
	    (s[n - 1] == 0xAF || s[n - 1] == 0x89))
		return 3;
	return 0;
}

static void trim(const unsigned char **s, size_t *n)
{
	size_t k;
	while ((k = blank_at(*s, *n)) != 0) { *s += k; *n -= k; }
	while ((k = blank_before(*s, *n)) != 0) *n -= k;
}

static int ieq(const unsigned char *s, size_t n, const char *lit)
{
	size_t i;
	if (strlen(lit) != n)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c + 32);
		if (c != (unsigned char)lit[i])
			return 0;
	}
	return 1;
}

/* Strip a currency sign at the start (front) or the end of s. */
static int strip_currency(const unsigned char **s, size_t *n, int front)
{
	static const unsigned char euro[] = { 0xE2, 0x82, 0xAC };
	const unsigned char *p = *s;
	size_t len = *n;

	if (front) {
		if (len >= 3 && memcmp(p, euro, 3) == 0) { *s += 3; *n -= 3; }
		else if (len >= 3 && ieq(p, 3, "eur")) { *s += 3; *n -= 3; }
		else return 0;
	} else {
		if (len >= 3 && memcmp(p + len - 3, euro, 3) == 0) *n -= 3;
		else if (len >= 3 && ieq(p + len - 3, 3, "eur")) *n -= 3;
		else return 0;
	}
	trim(s, n);
	return 1;
}

/* A sign at the start: 1 for '-' or U+2212, 0 for '+', -1 for none. */
static int strip_sign(const unsigned char **s, size_t *n)
{
	const unsigned char *p = *s;
	int neg;

	if (*n >= 1 && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		*s += 1; *n -= 1;
	} else if (*n >= 3 && p[0] == 0xE2 && p[1] == 0x88 && p[2] == 0x92) {
		neg = 1;
		*s += 3; *n -= 3;
	} else {
		return -1;
	}
	trim(s, n);
	return neg;
}

enum { SEP_BLANK = 1, SEP_POINT = 2, SEP_COMMA = 3 };

/* The common amount, -?digits([.,]digits)?, parsed as fund_amount_parse_full
 * parses it (tests/fuzz/fuzz_amount.c holds the two to the same
 * results).  Returns FUND_AMOUNT_OK, or -1 for anything else. */
static int parse_plain(const unsigned char *s, size_t n, struct fund_amount_ctx *ctx,
		       struct fund_amount *out)
{
	uint64_t u = 0;
	size_t i = 0, f;
	int neg = 0, scale = 0;

	if (n == 0 || n > 19)
		return -1;
	if (s[0] == '-')
		neg = i = 1;
	for (f = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		u = u * 10 + (uint64_t)(s[i] - '0');
	if (i == f)
		return -1;
	if (i < n) {
		/* one '.' or ',': the decimal mark, unless the column learned
		 * (or was told) the other one */
		int m = s[i] == '.' ? FUND_MARK_POINT : s[i] == ',' ? FUND_MARK_COMMA : 0;
		if (!m || (ctx && (ctx->forced ? ctx->forced != m :
				   ctx->learned && ctx->learned != m)))
			return -1;
		for (f = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			u = u * 10 + (uint64_t)(s[i] - '0');
		if (i != n || i == f)
			return -1;
		scale = (int)(n - f);
		if (ctx && !ctx->forced && !ctx->learned)
			ctx->unsure |= m == FUND_MARK_POINT ? 1 : 2;
	}
	if (out) {
		out->units = neg ? -(fund_i128)u : (fund_i128)u;
		out->scale = scale;
	}
	return FUND_AMOUNT_OK;
}

int fund_amount_parse(const char *str, size_t len, struct fund_amount_ctx *ctx,
		      struct fund_amount *out)
{
	if (parse_plain((const unsigned char *)str, len, ctx, out) == FUND_AMOUNT_OK)
		return FUND_AMOUNT_OK;
	return fund_amount_parse_full(str, len, ctx, out);
}

int fund_amount_parse_full(const char *str, size_t len, struct fund_amount_ctx *ctx,
			   struct fund_amount *out)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = len, i;
	int neg = 0, sign, cur;
	/* digit runs and the separators between them */
	enum { MAXRUNS = 16 };
	size_t run_start[MAXRUNS], run_len[MAXRUNS];
	int sep[MAXRUNS];   /* sep[k]: separator after run k */
	int nruns = 0, npoint = 0, ncomma = 0, nblank = 0;
	int mark, group_kind;
	int decimal_run; /* index of the first fraction run, or nruns */
	fund_i128 units = 0;
	int digits = 0, scale = 0, lead = 1;

	trim(&s, &n);
	if (n == 0 || ieq(s, n, "null"))
		return FUND_AMOUNT_MISSING;

	sign = strip_sign(&s, &n);
	if (strip_currency(&s, &n, 1) && sign < 0)
		sign = strip_sign(&s, &n);
	strip_currency(&s, &n, 0);
	neg = sign == 1;
	if (n == 0)
		return FUND_AMOUNT_BAD;

	/* Split into digit runs and single separators. */
	i = 0;
	cur = 0;
	while (i < n) {
		size_t start = i, b;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (nruns == MAXRUNS)
			return FUND_AMOUNT_BAD;
		run_start[nruns] = start;
		run_len[nruns] = i - start;
		sep[nruns] = 0;
		nruns++;
		if (i == n)
			break;
		if (s[i] == '.') { cur = SEP_POINT; npoint++; b = 1; }
		else if (s[i] == ',') { cur = SEP_COMMA; ncomma++; b = 1; }
		else if ((b = blank_at(s + i, n - i)) != 0) { cur = SEP_BLANK; nblank++; }
		else return FUND_AMOUNT_BAD;
		sep[nruns - 1] = cur;
		i += b;
		if (i == n) {
			/* "5." or "5," : a trailing decimal mark */
			if (cur == SEP_BLANK || nruns == MAXRUNS)
				return FUND_AMOUNT_BAD;
			run_start[nruns] = i;
			run_len[nruns] = 0;
			sep[nruns] = 0;
			nruns++;
			break;
		}
	}

	/* Which mark is decimal? */
	mark = 0;
	if (ctx && ctx->forced) {
		mark = ctx->forced == FUND_MARK_COMMA ? SEP_COMMA : SEP_POINT;
	} else if (npoint && ncomma) {
		int k;
		for (k = nruns - 1; k >= 0; k--)
			if (sep[k] == SEP_POINT || sep[k] == SEP_COMMA) {
				mark = sep[k];
				break;
			}
		if (ctx)
			ctx->learned = mark == SEP_COMMA ? FUND_MARK_COMMA : FUND_MARK_POINT;
	} else if (npoint == 1 || ncomma == 1) {
		int only = npoint ? SEP_POINT : SEP_COMMA;
		int other_learned = ctx && ctx->learned &&
			ctx->learned != (only == SEP_POINT ? FUND_MARK_POINT : FUND_MARK_COMMA);
		mark = other_learned ? 0 : only;
		if (ctx && !ctx->learned)
			ctx->unsure |= only == SEP_POINT ? 1 : 2;
	}
	/* else: no mark, or a mark repeated: all separators group digits */

	/* The decimal mark must appear at most once, after the last group. */
	decimal_run = nruns;
	group_kind = 0;
	for (i = 0; i + 1 < (size_t)nruns; i++) {
		int sp = sep[i];
		if (sp == mark) {
			if (decimal_run != nruns)
				return FUND_AMOUNT_BAD;
			decimal_run = (int)i + 1;
			continue;
		}
		if (decimal_run != nruns)
			return FUND_AMOUNT_BAD; /* a separator inside the fraction */
		if (group_kind && group_kind != sp)
			return FUND_AMOUNT_BAD; /* "1 234.567,8" mixes group marks */
		group_kind = sp;
	}
	(void)nblank;

	/* Integer runs: the first 1..3 digits when grouped (any length if
	 * not), the others exactly 3; a fraction has one run of digits. */
	for (i = 0; i < (size_t)decimal_run; i++) {
		if (group_kind) {
			if (i == 0 ? (run_len[0] < 1 || run_len[0] > 3) : run_len[i] != 3)
				return FUND_AMOUNT_BAD;
		}
	}
	if (decimal_run == nruns) {
		if (run_len[0] == 0)
			return FUND_AMOUNT_BAD;
	} else {
		if (run_len[0] == 0 && (decimal_run != 1 || group_kind))
			return FUND_AMOUNT_BAD;
		if (run_len[0] == 0 && run_len[decimal_run] == 0)
			return FUND_AMOUNT_BAD; /* "." alone */
		if (decimal_run != nruns - 1)
			return FUND_AMOUNT_BAD;
	}

	for (i = 0; i < (size_t)nruns; i++) {
		size_t j;
		for (j = 0; j < run_len[i]; j++) {
			int d = s[run_start[i] + j] - '0';
			if ((int)i >= decimal_run)
				scale++;
			if (lead && d == 0) {
				continue;
			}
			lead = 0;
			if (++digits > FUND_AMOUNT_MAX_DIGITS)
				return FUND_AMOUNT_BAD;
			units = units * 10 + d;
		}
	}
	if (scale > FUND_AMOUNT_MAX_SCALE)
		return FUND_AMOUNT_BAD;
	if (out) {
		out->units = neg ? -units : units;
		out->scale = scale;
	}
	return FUND_AMOUNT_OK;
}

static int rescale(fund_i128 *u, int from, int to)
{
	fund_i128 r;
	if (to <= from)
		return 0;
	if (__builtin_mul_overflow(*u, pow10_i128(to - from), &r))
		return FUND_EOVERFLOW;
	*u = r;
	return 0;
}

static int add_scaled(struct fund_sum *sum, fund_i128 units, int scale)
{
	fund_i128 s = sum->units, r;
	int sc = sum->scale;

	if (scale > sc) {
		if (rescale(&s, sc, scale))
			return FUND_EOVERFLOW;
		sc = scale;
	} else if (scale < sc) {
		if (rescale(&units, scale, sc))
			return FUND_EOVERFLOW;
	}
	if (__builtin_add_overflow(s, units, &r))
		return FUND_EOVERFLOW;
	sum->units = r;
	sum->scale = sc;
	return 0;
}

int fund_amount_ctx_follow(struct fund_amount_ctx *a, const struct fund_amount_ctx *b)
{
	if (a->forced)
		return 0;
	if (a->learned && (b->unsure & (a->learned == FUND_MARK_POINT ? 2 : 1)))
		return -1;
	if (!a->learned)
		a->unsure |= b->unsure;
	if (b->learned)
		a->learned = b->learned;
	return 0;
}

int fund_sum_add(struct fund_sum *sum, const struct fund_amount *a)
{
	if (a->scale == sum->scale) {
		fund_i128 r;
		if (__builtin_add_overflow(sum->units, a->units, &r))
			return FUND_EOVERFLOW;
		sum->units = r;
	} else if (add_scaled(sum, a->units, a->scale)) {
		return FUND_EOVERFLOW;
	}
	sum->n++;
	return 0;
}

int fund_sum_merge(struct fund_sum *a, const struct fund_sum *b)
{
	if (b->n == 0)
		return 0;
	if (add_scaled(a, b->units, b->scale))
		return FUND_EOVERFLOW;
	a->n += b->n;
	return 0;
}

int fund_sum_merge_check(const struct fund_sum *a, const struct fund_sum *b)
{
	struct fund_sum c = *a;
	return fund_sum_merge(&c, b);
}

int fund_amount_format(char *buf, size_t size, fund_i128 units,
		       int from_scale, int to_scale, unsigned flags)
{
	char digits[64];
	fund_u128 u;
	int nd = 0, neg = units < 0, intd, k;
	size_t o = 0;

	if (to_scale < 0)
		to_scale = from_scale;
	if (to_scale < from_scale) {
		fund_i128 p = pow10_i128(from_scale - to_scale);
		fund_i128 q = units / p, r = units % p;
		if (r >= p - r || -r >= p - (-r))
			q += units < 0 ? -1 : 1;
		units = q;
		from_scale = to_scale;
	}
	if (rescale(&units, from_scale, to_scale))
		return FUND_EOVERFLOW;
	u = neg ? (fund_u128)0 - (fund_u128)units : (fund_u128)units;
	do {
		digits[nd++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	while (nd <= to_scale)
		digits[nd++] = '0';
	intd = nd - to_scale;
	/* worst case: sign + 40 digits + 13 groups of 3 bytes + mark */
	if (size < 96)
		return FUND_ELIMIT;
	if (neg)
		buf[o++] = '-';
	for (k = 0; k < intd; k++) {
		if ((flags & FUND_FMT_FRENCH) && k > 0 && (intd - k) % 3 == 0) {
			buf[o++] = (char)0xE2; buf[o++] = (char)0x80; buf[o++] = (char)0xAF;
		}
		buf[o++] = digits[nd - 1 - k];
	}
	if (to_scale > 0) {
		buf[o++] = (flags & FUND_FMT_FRENCH) ? ',' : '.';
		for (k = intd; k < nd; k++)
			buf[o++] = digits[nd - 1 - k];
	}
	buf[o] = '\0';
	return (int)o;
}

int fund_double_text(char *buf, size_t size, double d)
{
	return fund_double_text_digits(buf, size, d, 17);
}

int fund_double_text_digits(char *buf, size_t size, double d, int digits)
{
	char e[40];
	int prec, exp10, nd = 0, o = 0, k;
	char mant[24];
	const char *p;

	if (!isfinite(d))
		return FUND_EDATA;
	if (size < 400)
		return FUND_ELIMIT;
	if (d == 0) {
		buf[0] = '0';
		buf[1] = '\0';
		return 1;
	}
	if (digits < 1 || digits > 17)
		digits = 17;
	/* printf may allocate for a conversion, and fail: then no digits */
	for (prec = 1; prec <= digits; prec++) {
		char *end;
		if ((k = fund_fmt(e, sizeof(e), "%.*e", prec - 1, d)) < 0)
			return FUND_ENOMEM;
		errno = 0;
		if (strtod(e, &end) == d && errno != ENOMEM)
			break;
	}
	if (prec > digits) {
		if ((k = fund_fmt(e, sizeof(e), "%.*e", digits - 1, d)) < 0)
			return FUND_ENOMEM;
	}
	/* e is "-d.dddde+XX": collect digits and exponent */
	p = e;
	if (*p == '-') {
		buf[o++] = '-';
		p++;
	}
	for (; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9')
			mant[nd++] = *p;
	exp10 = 0;
	if (*p == 'e') {
		int sg = 1;
		p++;
		if (*p == '-') { sg = -1; p++; } else if (*p == '+') p++;
		for (; *p >= '0' && *p <= '9'; p++)
			exp10 = exp10 * 10 + (*p - '0');
		exp10 *= sg;
	}
	while (nd > 1 && mant[nd - 1] == '0')
		nd--;
	/* value = 0.mant * 10^(exp10+1) */
	if (exp10 < 0) {
		buf[o++] = '0';
		buf[o++] = '.';
		for (k = 0; k < -exp10 - 1; k++)
			buf[o++] = '0';
		for (k = 0; k < nd; k++)
			buf[o++] = mant[k];
	} else {
		for (k = 0; k <= exp10; k++)
			buf[o++] = k < nd ? mant[k] : '0';
		if (nd > exp10 + 1) {
			buf[o++] = '.';
			for (k = exp10 + 1; k < nd; k++)
				buf[o++] = mant[k];
		}
	}
	buf[o] = '\0';
	return o;
}

double fund_amount_to_double(const struct fund_amount *a)
{
	/* units and 10^scale both exact as doubles: one division, rounded
	 * correctly by IEEE 754, is what strtod gives (Clinger's fast path) */
	static const double p10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
				      1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
				      1e21, 1e22 };
	char buf[128];
	if (a->scale >= 0 && a->scale <= 22 && a->units > -((fund_i128)1 << 53) &&
	    a->units < ((fund_i128)1 << 53))
		return (double)(int64_t)a->units / p10[a->scale];
	if (fund_amount_format(buf, sizeof(buf), a->units, a->scale, a->scale, 0) < 0)
		return NAN;
	return strtod(buf, NULL);
}

int fund_amount_cmp(const struct fund_amount *a, const struct fund_amount *b)
{
	/* integer parts first (truncated toward zero), then the fractions at
	 * the larger scale: nothing is rescaled beyond 10^18, so nothing
	 * overflows, whatever the magnitudes (found by fuzz_check) */
	fund_i128 pa = pow10_i128(a->scale), pb = pow10_i128(b->scale);
	fund_i128 qa = a->units / pa, qb = b->units / pb;
	fund_i128 ra = a->units % pa, rb = b->units % pb;
	int s = a->scale > b->scale ? a->scale : b->scale;
	if (qa != qb)
		return qa < qb ? -1 : 1;
	ra *= pow10_i128(s - a->scale);
	rb *= pow10_i128(s - b->scale);
	return ra < rb ? -1 : ra > rb;
}

/* num/den rounded half away from zero at dec decimals, as text (internal.h). */
int fund_ratio_text(char *buf, size_t size, fund_i128 num, fund_i128 den, int dec)
{
	fund_i128 q, r, p = 1;
	int i, neg = (num < 0) != (den < 0);
	if (den == 0)
		return FUND_EDATA;
	for (i = 0; i < dec; i++)
		p *= 10;
	if (num < 0)
		num = -num;
	if (den < 0)
		den = -den;
	if (__builtin_mul_overflow(num, p, &num))
		return FUND_EOVERFLOW;
	q = num / den;
	r = num % den;
	if (r >= den - r)
		q++;
	return fund_amount_format(buf, size, neg ? -q : q, dec, dec, 0) < 0 ? FUND_EOVERFLOW : 0;
}
