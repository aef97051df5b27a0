/* fund/stats.h - descriptive statistics and inequality measures by group.
 *
 * Values are read exactly (as amounts) and computed on in double
 * precision, through GSL for moments, sorting and quantiles; the sum alone
 * stays exact.  Values are kept per group only when a measure needs them
 * (order statistics, inequality); moments alone stream.
 */
#ifndef FUND_STATS_H
#define FUND_STATS_H

#include <stdio.h>
#include "run.h"
#include "total.h"

enum fund_measure_kind {
	FUND_M_COUNT, FUND_M_MISSING, FUND_M_SUM, FUND_M_MIN, FUND_M_MAX, FUND_M_MEAN,
	FUND_M_MEDIAN, FUND_M_PCT, FUND_M_Q1, FUND_M_Q3, FUND_M_IQR,
	FUND_M_VAR_SAMP, FUND_M_VAR_POP, FUND_M_SD_SAMP, FUND_M_SD_POP, FUND_M_CV,
	FUND_M_MAD, FUND_M_SKEW, FUND_M_KURT,
	FUND_M_GINI, FUND_M_THEIL_T, FUND_M_THEIL_L, FUND_M_ATKINSON, FUND_M_HOOVER,
	FUND_M_PALMA, FUND_M_TOP, FUND_M_BOTTOM, FUND_M_HHI
};

struct fund_measure {
	enum fund_measure_kind kind;
	double param;        /* percentile (0-100), share (0-100), epsilon */
	char name[40];       /* the output column */
};

/* Parse "count,sum,p90,atkinson:0.5,top10": 0, or FUND_EUSAGE with a
 * message in err.  *out is malloc'd. */
/* The aliases of measure names (sd, stddev, var, p50, avg, ...): the
 * i-th alias, its measure in *name; NULL past the last. */
const char *fund_measure_alias(size_t i, const char **name);

int fund_measures_parse(const char *list, struct fund_measure **out, size_t *n,
			struct fund_error *err);

/* The default list. */
extern const char fund_measures_default[];

enum fund_quantile { FUND_Q_TYPE7 = 0, FUND_Q_NEAREST };

struct fund_stats_opts {
	const char *const *group_cols;
	size_t ngroup;
	const char *value_col;       /* NULL: "montant" */
	const char *weight_col;      /* NULL: unweighted */
	const struct fund_measure *m;
	size_t nm;
	enum fund_quantile quantile;
	int decimal, strict;
	fund_diag_fn diag;
	void *diag_ctx;
};

struct fund_stats;
int fund_stats_new(struct fund_stats **out, const struct fund_stats_opts *o);
void fund_stats_free(struct fund_stats **s);
int fund_stats_bind(struct fund_stats *s, const struct fund_reader *r, struct fund_error *err);
/* The columns bound: up to max of them in cols[] (fund_reader_only
 * takes them); returns how many there are, which may be more than max. */
size_t fund_stats_columns(const struct fund_stats *s, int *cols, size_t max);
int fund_stats_add(struct fund_stats *s, const struct fund_record *rec, struct fund_error *err);
/* Parallel reading (see fund_total_fork and fund_total_merge): an empty
 * engine like s, or FUND_ERETRY for weighted statistics (their sums of
 * weights are in floating point and depend on the order of the rows). */
int fund_stats_fork(struct fund_stats **out, const struct fund_stats *s, int inherit,
		    fund_diag_fn diag, void *ctx);
int fund_stats_merge(struct fund_stats *a, const struct fund_stats *b, struct fund_error *err);
/* Sort what the measures will need sorted now (each part does it on its
 * own thread; sorted parts then merge in linear time).  Optional. */
void fund_stats_finish(struct fund_stats *s);
int fund_stats_write(struct fund_stats *s, FILE *fp, enum fund_outfmt fmt, struct fund_error *err);

struct fund_stats_summary {
	struct fund_rows rows;
	uint64_t missing, unreadable, bad_weights;
	uint64_t undefined;          /* measures left empty (see the note) */
	const char *value_name;
};
void fund_stats_summary(const struct fund_stats *s, struct fund_stats_summary *out);
/* The same, told as fund/summary.h tells it (notes included): out is
 * filled (zeroed first), to release.  0 or FUND_ENOMEM. */
int fund_stats_describe(const struct fund_stats *s, struct fund_summary *out);

/* The measures on n values x (ascending) with weights w (NULL: all 1):
 * for tests and other tools.  Returns NAN when undefined. */
double fund_stat_sorted(enum fund_measure_kind kind, double param, const double *x,
			const double *w, size_t n, enum fund_quantile q);

/* The engine's operations, for fund_run (fund/run.h). */
extern const struct fund_engine fund_stats_engine;

/* fund-stats's work in one call, as fund_total_files. */
int fund_stats_files(const struct fund_stats_opts *o, enum fund_outfmt fmt, const char *const *files, size_t n,
		     const struct fund_run_opts *ro, FILE *fp, struct fund_summary *sum, struct fund_error *err);

#endif
