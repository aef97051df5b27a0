/* Row conditions (fund-cat --where): a column, an operator, a value
 * compared as a date, an amount or text, or an extended regular
 * expression. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

/* How many nodes glibc's regcomp makes of re, roughly: it copies what a
 * repetition repeats ("x{3}" is "xxx", "x+" is "xx*"), so that nested
 * repetitions grow as a product.  An atom counts 1; a group counts its
 * contents; alternatives add up.  A repetition right after another
 * ("x++", "x*+{3}": undefined in POSIX) counts as too many: glibc took
 * gigabytes and minutes over them (found by fuzz_where).  Returns the
 * count, capped at limit + 1. */
static unsigned long re_size(const char *re, unsigned long limit)
{
	enum { DEPTH = 64 };
	unsigned long total[DEPTH], last[DEPTH];
	int d = 0, rep = 0;
	const char *p = re;

	total[0] = last[0] = 0;
	while (*p) {
		unsigned long f = 0, item = 0;
		if (rep)
			rep--;   /* 2 just after a repetition, 1 after the next item */
		if (*p == '(') {
			if (++d == DEPTH)
				return limit + 1;
			total[d] = last[d] = 0;
			p++;
			continue;
		}
		if (*p == ')' && d > 0) {
			item = total[d--];
			p++;
		} else if (*p == '|') {
			last[d] = 0;
			p++;
			continue;
		} else if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']')
				p++;
			if (*p)
				p++;
			item = 1;
		} else if (*p == '+' || *p == '*' || *p == '?' || *p == '{') {
			/* a repetition of the last item; one right after
			 * another ("a*+") is undefined in POSIX EREs, and
			 * glibc takes exponential time over it */
			unsigned long m = 1, n = 0;
			if (rep)
				return limit + 1;
			rep = 2;
			if (*p == '+')
				m = 2;
			else if (*p == '{') {
				for (p++, m = 0; *p >= '0' && *p <= '9' && m <= limit; p++)
					m = m * 10 + (unsigned long)(*p - '0');
				if (*p == ',')
					for (p++; *p >= '0' && *p <= '9' && n <= limit; p++)
						n = n * 10 + (unsigned long)(*p - '0');
				if (n > m)
					m = n;
				m++;
				while (*p && *p != '}')
					p++;
			}
			if (*p)
				p++;
			f = m;
			item = last[d];
			total[d] -= last[d];
		} else {
			if (*p == '\\' && p[1])
				p++;
			p++;
			item = 1;
		}
		if (f) {
			item = item * f > limit ? limit + 1 : item * f;
		}
		total[d] += item;
		last[d] = item;
		if (total[d] > limit)
			return limit + 1;
	}
	return total[0];
}

int fund_where_parse(struct fund_where *w, const char *text, struct fund_error *err)
{
	static const struct { const char *s; enum fund_where_op op; } ops[] = {
		{ "!=", FUND_W_NE }, { ">=", FUND_W_GE }, { "<=", FUND_W_LE }, { "!~", FUND_W_NRE },
		{ "=", FUND_W_EQ }, { "<", FUND_W_LT }, { ">", FUND_W_GT }, { "~", FUND_W_RE }
	};
	size_t p = strcspn(text, "!=<>~"), i, l;
	struct fund_amount_ctx ctx = { 0, 0, 0 };
	char q[200];
	memset(w, 0, sizeof(*w));
	if (!text[p] || p == 0)
		return fund_error_set(err, FUND_EUSAGE,
			"--where takes COL=V, COL!=V, COL<V, COL<=V, COL>V, COL>=V, COL~RE or COL!~RE, not '%s'",
			fund_quote(q, sizeof(q), text, strlen(text)));
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strncmp(text + p, ops[i].s, strlen(ops[i].s)))
			break;
	if (i == sizeof(ops) / sizeof(ops[0]))
		return fund_error_set(err, FUND_EUSAGE, "--where: no operator in '%s'",
				      fund_quote(q, sizeof(q), text, strlen(text)));
	w->op = ops[i].op;
	l = p;
	while (l && text[l - 1] == ' ')
		l--;
	if (l == 0)   /* found by fuzz_where: " =x" named no column */
		return fund_error_set(err, FUND_EUSAGE, "--where: no column before the operator in '%s'",
				      fund_quote(q, sizeof(q), text, strlen(text)));
	w->col = strndup(text, l);
	w->value = strdup(text + p + strlen(ops[i].s));
	if (!w->col || !w->value) {
		fund_where_release(w);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if ((w->op == FUND_W_RE || w->op == FUND_W_NRE) && re_size(w->value, 10000) > 10000) {
		fund_where_release(w);
		return fund_error_set(err, FUND_ELIMIT,
			"--where '%s': the regular expression repeats too much (a repetition of a repetition, "
			"or more than 10000 atoms once its repetitions are written out)",
			fund_quote(q, sizeof(q), text, strlen(text)));
	}
	if (w->op == FUND_W_RE || w->op == FUND_W_NRE) {
		int rc = regcomp(&w->re, w->value, REG_EXTENDED | REG_NOSUB);
		if (rc == REG_ESPACE) {
			fund_where_release(w);
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		}
		if (rc) {
			char e[200];
			regerror(rc, &w->re, e, sizeof(e));
			fund_where_release(w);
			return fund_error_set(err, FUND_EUSAGE, "--where '%s': %s",
					      fund_quote(q, sizeof(q), text, strlen(text)), e);
		}
		w->has_re = 1;
		return 0;
	}
	w->is_date = fund_date_parse(w->value, strlen(w->value), &w->date) == 0;
	w->is_amount = fund_amount_parse(w->value, strlen(w->value), &ctx, &w->amount) == FUND_AMOUNT_OK;
	return 0;
}

int fund_where_holds(const struct fund_where *w, const char *s, size_t len)
{
	int c;
	struct fund_date d;
	struct fund_amount a;
	struct fund_amount_ctx ctx = { 0, 0, 0 };
	size_t vl = strlen(w->value);

	if (w->op == FUND_W_RE || w->op == FUND_W_NRE) {
		char *z = strndup(s ? s : "", s ? len : 0);
		int m;
		/* regexec allocates too, and glibc's says "no match" when it
		 * cannot: malloc's errno tells */
		errno = 0;
		m = z ? regexec(&w->re, z, 0, NULL, 0) : REG_ESPACE;
		free(z);
		if (m == REG_ESPACE || (m == REG_NOMATCH && errno == ENOMEM))
			return FUND_ENOMEM;
		return w->op == FUND_W_RE ? m == 0 : m != 0;
	}
	if (!s || fund_blank(s, len)) {
		/* a missing value equals only the empty string */
		if (w->op == FUND_W_EQ)
			return vl == 0;
		if (w->op == FUND_W_NE)
			return vl != 0;
		return 0;
	}
	if (w->is_date && fund_date_parse(s, len, &d) == 0) {
		long x = d.year * 10000L + d.month * 100 + d.day, y = w->date.year * 10000L + w->date.month * 100 + w->date.day;
		c = x < y ? -1 : x > y;
	} else if (w->is_amount && fund_amount_parse(s, len, &ctx, &a) == FUND_AMOUNT_OK) {
		c = fund_amount_cmp(&a, &w->amount);
	} else if ((w->is_date || w->is_amount) && w->op != FUND_W_EQ && w->op != FUND_W_NE) {
		return 0;   /* not a date or an amount: not in the range */
	} else {
		size_t n = len < vl ? len : vl;
		c = memcmp(s, w->value, n);
		if (!c)
			c = len < vl ? -1 : len > vl;
	}
	switch (w->op) {
	case FUND_W_EQ: return c == 0;
	case FUND_W_NE: return c != 0;
	case FUND_W_LT: return c < 0;
	case FUND_W_LE: return c <= 0;
	case FUND_W_GT: return c > 0;
	default: return c >= 0;
	}
}

void fund_where_release(struct fund_where *w)
{
	free(w->col);
	free(w->value);
	if (w->has_re)
		regfree(&w->re);
	memset(w, 0, sizeof(*w));
}
