/* fund/amount.h - exact decimal amounts.
 *
 * An amount is an integer number of units at a decimal scale:
 * value = units / 10^scale.  Parsing never goes through binary floating
 * point; sums are kept in 128-bit integers with overflow detected.
 */
#ifndef FUND_AMOUNT_H
#define FUND_AMOUNT_H

#include <stddef.h>
#include <stdint.h>

__extension__ typedef __int128 fund_i128;
__extension__ typedef unsigned __int128 fund_u128;

#define FUND_AMOUNT_MAX_SCALE  18   /* decimals kept */
#define FUND_AMOUNT_MAX_DIGITS 36   /* significant digits */

struct fund_amount {
	fund_i128 units;
	int scale;
};

/* Decimal mark of a column: FUND_MARK_AUTO learns it from the values
 * (see fund_amount_parse), the others force it. */
enum fund_mark {
	FUND_MARK_AUTO = 0,
	FUND_MARK_POINT = '.',
	FUND_MARK_COMMA = ','
};

/* What a column has taught so far; one per amount column, zeroed. */
struct fund_amount_ctx {
	int forced;   /* FUND_MARK_POINT/COMMA when forced, else 0 */
	int learned;  /* mark shown by an unambiguous value, else 0 */
	int unsure;   /* single marks read as decimal before anything was
	               * learned: 1 '.', 2 ',' (see fund_amount_ctx_follow) */
};

/* Fold into a the context b ended with, b having read the values that
 * follow a's (split input read in parts, merged in order).  Returns 0, or
 * -1 when b read a value that a's context would have read otherwise (a
 * lone "1,234" after a column learned "1,234.50"): a is left unchanged
 * and the parts must be read again in one pass. */
int fund_amount_ctx_follow(struct fund_amount_ctx *a, const struct fund_amount_ctx *b);

enum fund_amount_status {
	FUND_AMOUNT_OK = 0,
	FUND_AMOUNT_MISSING = 1,  /* empty, blank or "null": not zero */
	FUND_AMOUNT_BAD = 2       /* not an amount */
};

/* Parse s[0..len) (UTF-8).  Accepted: surrounding blanks; a sign (+, -,
 * U+2212); "€" or "EUR" before or after; digits grouped by space, U+00A0,
 * U+202F, U+2009, or by the mark that is not the decimal mark, in groups of
 * three; a decimal mark "." or ",".  The decimal mark, unless forced:
 *  - a value holding both "." and "," uses the last one as decimal mark,
 *    and the column learns it;
 *  - a mark that appears more than once is a group separator;
 *  - a single "." or "," is the decimal mark, unless the column has
 *    learned the other one, in which case it separates groups of three.
 * So "1,234" is 1.234 in a fresh column and 1234 in a column that has
 * shown "1,234.50".  Returns enum fund_amount_status; out is set on OK. */
int fund_amount_parse(const char *s, size_t len, struct fund_amount_ctx *ctx,
		      struct fund_amount *out);
/* The same without the shortcut for plain amounts (-?digits(.digits)?):
 * what the fuzzer compares fund_amount_parse with. */
int fund_amount_parse_full(const char *s, size_t len, struct fund_amount_ctx *ctx,
			   struct fund_amount *out);

/* A running exact sum.  Zero-initialise. */
struct fund_sum {
	fund_i128 units;
	int scale;        /* largest scale added so far */
	uint64_t n;       /* values added */
};

/* Add a to sum.  Returns 0 or FUND_EOVERFLOW (sum unchanged). */
int fund_sum_add(struct fund_sum *sum, const struct fund_amount *a);

/* Add sum b into a (merging partial results).  0 or FUND_EOVERFLOW. */
int fund_sum_merge(struct fund_sum *a, const struct fund_sum *b);
/* Whether fund_sum_merge(a, b) would overflow: 0 or FUND_EOVERFLOW. */
int fund_sum_merge_check(const struct fund_sum *a, const struct fund_sum *b);

enum fund_format_flags {
	FUND_FMT_FRENCH = 1   /* "1 234,56" with U+202F groups and "," */
};

/* Write units/10^from_scale at to_scale decimals into buf, NUL-terminated:
 * padded with zeros when to_scale > from_scale, rounded half away from
 * zero (2.345 -> 2.35, -2.345 -> -2.35) when it is smaller.  Never an
 * exponent, "." whatever the locale unless FUND_FMT_FRENCH.  Returns the length, or FUND_EOVERFLOW when
 * rescaling overflows, or FUND_ELIMIT when buf is too small (80 bytes
 * always suffice). */
int fund_amount_format(char *buf, size_t size, fund_i128 units,
		       int from_scale, int to_scale, unsigned flags);

/* The shortest decimal text of a double that reads back as the same
 * double (at most 17 significant digits), without exponent: how a JSON
 * number written as 520721.28 is recovered as "520721.28".  Returns the
 * length, or FUND_EDATA for inf/nan, FUND_ELIMIT if buf is too small
 * (400 bytes always suffice). */
int fund_double_text(char *buf, size_t size, double d);

/* The same with at most digits significant digits (1 to 17): the shortest
 * text that reads back as d, or d rounded to that many digits.  Statistics
 * are written with 15, which does not show the last bit of a double, so
 * results do not change with the machine's floating-point details. */
int fund_double_text_digits(char *buf, size_t size, double d, int digits);

/* Compare exactly: -1, 0 or 1 as a < b, a = b, a > b. */
int fund_amount_cmp(const struct fund_amount *a, const struct fund_amount *b);

/* The double nearest to an exact amount (for statistics and plots, never
 * for totals). */
double fund_amount_to_double(const struct fund_amount *a);

#endif
