/* fund/where.h - row conditions, as fund-cat --where takes them.
 *
 * COL=V, COL!=V, COL<V, COL<=V, COL>V, COL>=V compare a field with V as
 * dates when both read as dates, else as amounts (exactly) when both read
 * as amounts, else as bytes; a range condition does not hold for a field
 * that is not a date or an amount when V is one.  COL~RE and COL!~RE
 * match an extended regular expression.  A missing or blank field equals
 * only the empty V.
 */
#ifndef FUND_WHERE_H
#define FUND_WHERE_H

#include <regex.h>
#include <stddef.h>
#include "amount.h"
#include "date.h"
#include "error.h"

enum fund_where_op {
	FUND_W_EQ, FUND_W_NE, FUND_W_LT, FUND_W_LE, FUND_W_GT, FUND_W_GE, FUND_W_RE, FUND_W_NRE
};

struct fund_where {
	char *col, *value;
	enum fund_where_op op;
	regex_t re;
	int has_re;
	struct fund_amount amount;
	int is_amount;
	struct fund_date date;
	int is_date;
};

/* Parse text ("montant>=23000").  0, or FUND_EUSAGE (no operator, no
 * column, a bad regular expression) or FUND_ENOMEM, with err set. */
int fund_where_parse(struct fund_where *w, const char *text, struct fund_error *err);

/* 1 when field s[0..len) (NULL: missing) satisfies w, else 0;
 * FUND_ENOMEM when a regular expression could not be matched for want
 * of memory. */
int fund_where_holds(const struct fund_where *w, const char *s, size_t len);

void fund_where_release(struct fund_where *w);

#endif
