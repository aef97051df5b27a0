/* Row conditions (fund-cat --where): a column, an operator, a value
 * compared as a date, an amount or text, or an extended regular
 * expression. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

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
	if (w->op == FUND_W_RE || w->op == FUND_W_NRE) {
		int rc = regcomp(&w->re, w->value, REG_EXTENDED | REG_NOSUB);
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
		int m = z && regexec(&w->re, z, 0, NULL, 0) == 0;
		free(z);
		return w->op == FUND_W_RE ? m : !m;
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
