/* fund/plot.h - series for gnuplot, and the scripts that draw them.
 *
 * Five kinds of series, by group: a histogram of values, the Lorenz curve,
 * the empirical distribution function, totals per year or month, totals
 * per group as bars.  Written as gnuplot data (whitespace-separated
 * columns, a '#' header, one block per group separated by two blank lines
 * so that gnuplot's "index" selects a group), as a table (TSV, CSV, JSON,
 * ...), or as a complete gnuplot script with the data inline.
 *
 * Totals (bars, series, amounts per bin) are exact; shares, edges and
 * cumulative fractions are computed in double precision and written with
 * 15 significant digits.  Labels come from the data and are never
 * executable: see fund_gp_quote.
 */
#ifndef FUND_PLOT_H
#define FUND_PLOT_H

#include <stdio.h>
#include "run.h"
#include "total.h"

enum fund_plot_kind {
	FUND_PLOT_HIST = 0,
	FUND_PLOT_LORENZ,
	FUND_PLOT_CDF,
	FUND_PLOT_SERIES,
	FUND_PLOT_BARS
};

/* "hist", "lorenz", "cdf", "series", "bars": the kind, or -1. */
int fund_plot_kind_from_name(const char *name);

struct fund_plot_opts {
	enum fund_plot_kind kind;
	const char *const *group_cols;  /* one block (or bar) per group */
	size_t ngroup;
	const char *value_col;          /* NULL: "montant" */
	const char *weight_col;         /* hist, lorenz, cdf: NULL = 1 each */
	enum fund_period period;        /* series: required */
	const char *period_col;
	/* hist */
	size_t bins;                    /* 0: 20 */
	int log_bins;                   /* logarithmic bins (values > 0) */
	double width;                   /* bin width (decades when log); 0: from bins */
	int has_range;
	double lo, hi;                  /* only values in [lo, hi] */
	/* lorenz, cdf: at most this many points per curve, every one a
	 * point of the exact curve; 0: all */
	size_t points;
	int decimal, strict;
	fund_diag_fn diag;
	void *diag_ctx;
	/* bars: a bar per value of this column in each group, side by side
	 * or stacked (fund_plot_out.stack), the values as the columns of the
	 * data (at most FUND_PIVOT_MAX; an empty one named "(empty)"), in
	 * first-seen order or as the groups are sorted */
	const char *pivot;
};

struct fund_plot;
int fund_plot_new(struct fund_plot **out, const struct fund_plot_opts *o);
void fund_plot_free(struct fund_plot **p);
int fund_plot_bind(struct fund_plot *p, const struct fund_reader *r, struct fund_error *err);
/* The columns bound: up to max of them in cols[] (fund_reader_only
 * takes them); returns how many there are, which may be more than max. */
size_t fund_plot_columns(const struct fund_plot *p, int *cols, size_t max);
int fund_plot_add(struct fund_plot *p, const struct fund_record *rec, struct fund_error *err);

enum fund_plot_term {
	FUND_TERM_NONE = 0,  /* data only */
	FUND_TERM_PNG,
	FUND_TERM_SVG,
	FUND_TERM_PDF,
	FUND_TERM_DUMB
};
/* "png", "svg", "pdf", "dumb": the terminal, or -1. */
int fund_plot_term_from_name(const char *name);

enum fund_per_bin { FUND_BIN_COUNT = 0, FUND_BIN_AMOUNT, FUND_BIN_WEIGHT };

struct fund_plot_out {
	int table;                 /* 0: gnuplot data; 1: a table in format */
	enum fund_outfmt format;
	enum fund_plot_term term;  /* a script for this terminal (gnuplot data inside) */
	const char *title;         /* NULL: from the kind and column names */
	int width, height;         /* 0: the terminal's default */
	enum fund_sort sort;       /* bars: FUND_SORT_TOTAL (default), KEY, NONE */
	size_t top;                /* bars: the first top, then one for the rest; 0 all */
	enum fund_per_bin per_bin; /* hist: what the script draws */
	int stack;                 /* bars with a pivot: stacked, not side by side */
};

/* Write the series.  Returns 0, FUND_EIO (write error), FUND_ENOMEM,
 * FUND_EDATA (nothing to draw: err says why). */
int fund_plot_write(struct fund_plot *p, FILE *fp, const struct fund_plot_out *o,
		    struct fund_error *err);

struct fund_plot_summary {
	struct fund_rows rows;
	uint64_t missing, unreadable, bad_weights;
	uint64_t bad_dates, no_date;       /* series */
	struct fund_sum no_date_sum;       /* the amounts of rows without a date */
	uint64_t outside;                  /* hist: values outside --range */
	uint64_t nonpositive;              /* hist --log: values <= 0 left out */
	uint64_t undrawable;               /* lorenz: groups whose total is <= 0 */
	const char *value_name;
};
void fund_plot_summary(const struct fund_plot *p, struct fund_plot_summary *out);
/* The same, told as fund/summary.h tells it (notes included): out is
 * filled (zeroed first), to release.  0 or FUND_ENOMEM. */
int fund_plot_describe(const struct fund_plot *p, struct fund_summary *out);

/* s[0..len) as a gnuplot single-quoted string into buf: quotes doubled,
 * control characters (newlines too) replaced by spaces.  Inside single
 * quotes gnuplot expands neither backquotes nor macros, so the result is
 * inert text.  Returns buf (truncated at a character boundary if size is
 * short). */
char *fund_gp_quote(char *buf, size_t size, const char *s, size_t len);

/* s[0..len) as a gnuplot data field: in double quotes, with double quotes
 * turned into single ones and control characters into spaces. */
char *fund_gp_field(char *buf, size_t size, const char *s, size_t len);

/* The engine's operations, for fund_run (fund/run.h). */
extern const struct fund_engine fund_plot_engine;

/* fund-plot's work in one call, as fund_total_files. */
int fund_plot_files(const struct fund_plot_opts *o, const struct fund_plot_out *oo, const char *const *files,
		    size_t n, const struct fund_run_opts *ro, FILE *fp, struct fund_summary *sum,
		    struct fund_error *err);

#endif
