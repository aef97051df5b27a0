/* fund/total.h - exact totals of amount columns, by group.
 *
 * The engine behind fund-total: bind it to each input's header, add
 * records, then read the groups back in first-seen order or sorted, with
 * optional subtotals.  Partial totals merge exactly (fund_total_merge), so
 * the same code serves one thread, several, or several machines.
 */
#ifndef FUND_TOTAL_H
#define FUND_TOTAL_H

#include <stddef.h>
#include <stdint.h>
#include "run.h"
#include "amount.h"
#include "reader.h"
#include "writer.h"
#include "summary.h"

enum fund_period {
	FUND_PERIOD_NONE = 0,
	FUND_PERIOD_YEAR,
	FUND_PERIOD_MONTH
};

struct fund_total_opts {
	const char *const *group_cols;  /* names or indexes, ngroup of them */
	size_t ngroup;
	const char *const *sum_cols;    /* nsum of them; 0: "montant" */
	size_t nsum;
	enum fund_period period;        /* extra key from a date column */
	const char *period_col;
	int decimal;                    /* 0, '.' or ',': force the mark */
	int strict;                     /* first problem is an error */
	fund_diag_fn diag;
	void *diag_ctx;
	/* A row whose group key is labelled "dont ..." (a part of the row
	 * above it) or as a total ("TOTAL", "Total général", "Sous-total
	 * ..."; see fund-total(1)) is left out and counted, unless kept. */
	int keep_dont, keep_totals;
	/* --pivot: a column whose values become output columns (see
	 * fund_total_out); it is grouped on as one more key, after the -g
	 * keys.  When it reads "year" or "month" and the periods are asked
	 * for in that unit, the periods are pivoted instead. */
	const char *pivot;
	/* --spread: each row's amounts spread over the periods (the years or
	 * months of period) of its own.  spread names a column holding a
	 * period (fund_period_parse: "2015-2020", "2017-01-01/2017-12-31",
	 * "2017-01-01_2017-12-31", ...), or START:END, two date columns;
	 * period_col is then unused.  Pro rata of the days of the period in
	 * each, or, with spread_equal, in equal parts per period; exact, in
	 * units of the amount's own decimals (at least 2): each part rounded
	 * down, the units left to the largest remainders (ties to the earliest
	 * period), so that a row's parts add up to its amount.  A row counts
	 * in every period it has a part in.  A row whose period is blank,
	 * cannot be read, ends before it starts or spans more than
	 * FUND_SPREAD_MAX_YEARS goes whole to the group without a period (the
	 * last three reported, counted). */
	const char *spread;
	int spread_equal;
};

#define FUND_SPREAD_MAX_YEARS 100

/* The most values a pivot column may have (FUND_ELIMIT beyond). */
#define FUND_PIVOT_MAX 1000

struct fund_total;

int fund_total_new(struct fund_total **out, const struct fund_total_opts *o);
void fund_total_free(struct fund_total **t);

/* Resolve the columns against the header of r (call once per input).
 * FUND_EUSAGE names a missing column and lists those that exist. */
int fund_total_bind(struct fund_total *t, const struct fund_reader *r,
		    struct fund_error *err);
/* The columns bound: up to max of them in cols[] (fund_reader_only
 * takes them); returns how many there are, which may be more than max. */
size_t fund_total_columns(const struct fund_total *t, int *cols, size_t max);

/* Add one record of the bound input.  Returns 0, or FUND_EOVERFLOW, or
 * FUND_EDATA in strict mode; err says where. */
int fund_total_add(struct fund_total *t, const struct fund_record *rec,
		   struct fund_error *err);

/* An empty engine with t's options, reporting row problems to diag(ctx),
 * and, when inherit, the decimal marks t's columns have learned (for the
 * part of a split input that comes first). */
int fund_total_fork(struct fund_total **out, const struct fund_total *t, int inherit,
		    fund_diag_fn diag, void *ctx);

/* Fold b, which read the rows after a's, into a (same options).  0, or
 * FUND_ERETRY (a unchanged) when b read an amount a's columns would have
 * read otherwise (see fund_amount_ctx_follow) or when a total would
 * overflow (one pass says on which row), or FUND_ENOMEM. */
int fund_total_merge(struct fund_total *a, const struct fund_total *b,
		     struct fund_error *err);

/* The groups, in first-seen order: group i's key part k (the period last,
 * as "2019" or "2019-03"), its row count and its nsum totals. */
size_t fund_total_ngroups(const struct fund_total *t);
const char *fund_total_key(const struct fund_total *t, size_t i, size_t k, size_t *len);
const struct fund_sum *fund_total_sums(const struct fund_total *t, size_t i, uint64_t *count);
/* 1 and *i set when the group of these keys exists, else 0. */
int fund_total_find(const struct fund_total *t, const char *const *keys, const size_t *lens, size_t *i);

/* What happened to the rows (fund/summary.h): s is filled (zeroed
 * first), to release.  0 or FUND_ENOMEM. */
int fund_total_describe(const struct fund_total *t, struct fund_summary *s);

enum fund_sort {
	FUND_SORT_NONE = 0,   /* first-seen order */
	FUND_SORT_KEY,        /* keys ascending, numbers as numbers */
	FUND_SORT_TOTAL       /* first total descending */
};

/* --ratio NAME=NUM/DEN: a column NAME holding the quotient of the
 * group's exact totals of two amount columns (named as in -s, or as the
 * header names them). */
struct fund_total_ratio {
	const char *name, *num, *den;
};

struct fund_total_out {
	enum fund_outfmt format;
	enum fund_sort sort;
	int reverse;
	int rollup;          /* subtotals by the first key, and a grand total */
	unsigned amount_flags;  /* FUND_FMT_FRENCH */
	int decimals;        /* round totals to this many decimals; -1: exact */
	int safe;            /* the formula guard on group keys (fund_writer_safe) */
	/* After the totals: with share, a column "share" per amount column
	 * ("share:COL" with several): the group's total over the total of
	 * its parent, the groups sharing its first share_within keys (0: the
	 * grand total), to share_precision decimals (0: 6), rounded so that the
	 * shares of one parent add up to exactly 1 (largest remainder: each
	 * share rounded down, the units left to the largest remainders, ties
	 * to the first group written); a subtotal's or the grand total's
	 * share is rounded half away from zero.  Empty when the parent's
	 * total is 0.  Then the ratios, rounded half away from zero to
	 * ratio_precision decimals (0: 4); empty where the denominator is 0 or
	 * has no amount, counted (fund_total_describe). */
	int share;
	size_t share_within;
	int share_precision;
	const struct fund_total_ratio *ratios;
	size_t nratios;
	int ratio_precision;
	/* With periods (fund_total_opts.period): each group of the other
	 * keys over every period from the first to the last of the table
	 * (the periods without rows with a count of 0 and no totals), its
	 * running totals in a column "cumulative" per amount column
	 * ("cumulative:COL"), carried over empty periods; rows without a
	 * date after their group's, without one.  Groups in first-seen order
	 * or by key (sort); not with rollup, share or ratios (FUND_EUSAGE). */
	int cumulative;
	/* No "count" column (with a pivot, no "count:VALUE" columns). */
	int no_count;
	/* With a pivot (fund_total_opts.pivot): one row per group of the
	 * other keys, and per amount column one column per value of the
	 * pivot, named VALUE (AMOUNT:VALUE with several amount columns),
	 * after the "count:VALUE" columns (an empty value named "(empty)");
	 * the values in first-seen order,
	 * or sorted as the rows are (by key, or by their total of the first
	 * amount column, descending); periods in the order of time (rows
	 * without a date last, in a column "(empty)").  fill, when set, is written in every
	 * cell that would be empty.  Each ratio, a block of columns
	 * NAME:VALUE after the amounts'.  rollup adds a "(total)" column per
	 * block and the subtotal and total rows.  Not with share or
	 * cumulative (FUND_EUSAGE); more than FUND_PIVOT_MAX values is
	 * FUND_ELIMIT. */
	const char *fill;
};

/* Write the result table: group columns, "count", one column per total.
 * Returns 0, FUND_EIO (write error), FUND_EOVERFLOW. */
int fund_total_write(struct fund_total *t, FILE *fp,
		     const struct fund_total_out *o, struct fund_error *err);

/* The engine's operations, for fund_run (fund/run.h). */
extern const struct fund_engine fund_total_engine;

/* fund-total's work in one call: files[0..n) (none: standard input)
 * totalled as o says through fund_run with ro (whose diag should be o's),
 * the table written to fp as oo says, then sum (zeroed first; release it)
 * told what happened when the files were read.  0, or a negative code
 * with err set (FUND_EIO: a read error, or fp could not be written). */
int fund_total_files(const struct fund_total_opts *o, const struct fund_total_out *oo, const char *const *files,
		     size_t n, const struct fund_run_opts *ro, FILE *fp, struct fund_summary *sum,
		     struct fund_error *err);

#endif
