/* fund/percapita.h - amounts per territory and per inhabitant.
 *
 * Rows carry an amount and a territory code; each amount is placed on a
 * territory of the chosen level (aggregated up from finer codes, or split
 * down over member communes in proportion to population, in exact units
 * by the largest-remainder method).  What cannot be placed is counted with
 * its amount and, when asked, listed: never dropped silently.
 */
#ifndef FUND_PERCAPITA_H
#define FUND_PERCAPITA_H

#include <stdio.h>
#include "run.h"
#include "geo.h"
#include "total.h"

struct fund_percapita_opts {
	const struct fund_geo *geo;
	const char *key_col;          /* the column of territory codes */
	const char *sum_col;          /* NULL: "montant" */
	enum fund_level level;        /* output level; AUTO: the first code's */
	enum fund_level key_level;    /* AUTO, or what short codes are */
	int split;                    /* split group territories over communes */
	long in_region;               /* région index of the scope, or -1 */
	int decimal, strict;
	fund_diag_fn diag;
	void *diag_ctx;
	FILE *unplaced;               /* rows not placed, as TSV, or NULL */
};

struct fund_percapita;

int fund_percapita_new(struct fund_percapita **out, const struct fund_percapita_opts *o);
void fund_percapita_free(struct fund_percapita **p);
int fund_percapita_bind(struct fund_percapita *p, const struct fund_reader *r, struct fund_error *err);
/* The columns bound: up to max of them in cols[] (fund_reader_only
 * takes them); returns how many there are, which may be more than max. */
size_t fund_percapita_columns(const struct fund_percapita *p, int *cols, size_t max);
int fund_percapita_add(struct fund_percapita *p, const struct fund_record *rec, struct fund_error *err);

/* Parallel reading (see fund_total_fork and fund_total_merge); a fork
 * lists its unplaced rows in a temporary file, copied by the merge. */
int fund_percapita_fork(struct fund_percapita **out, const struct fund_percapita *p, int inherit,
			fund_diag_fn diag, void *ctx);
int fund_percapita_merge(struct fund_percapita *a, const struct fund_percapita *b, struct fund_error *err);

enum fund_pc_sort { FUND_PC_SORT_CODE = 0, FUND_PC_SORT_TOTAL, FUND_PC_SORT_PERCAPITA, FUND_PC_SORT_NAME };

struct fund_percapita_out {
	enum fund_outfmt format;
	enum fund_pc_sort sort;
	int reverse;
	int all;             /* also the territories of the scope with nothing */
	int precision;       /* decimals of per-capita amounts */
	int decimals;        /* round totals for display; -1: exact */
	unsigned amount_flags;
};

/* Columns: code, name, count, the amount, population, per_capita,
 * share_amount, share_population, ratio.  Shares (6 decimals) are of the
 * total placed in the scope and of the population of the scope (the
 * région's, or France's, at every level); ratio (4 decimals) is their
 * quotient, 1 when a territory gets exactly its population's share. */
int fund_percapita_write(struct fund_percapita *p, FILE *fp, const struct fund_percapita_out *o,
			 struct fund_error *err);

/* What happened to the rows, for the summary. */
enum fund_unplaced {
	FUND_UNPLACED_EMPTY = 0,    /* blank code */
	FUND_UNPLACED_UNKNOWN,      /* a code that names nothing */
	FUND_UNPLACED_COARSER,      /* a territory larger than the level: --split */
	FUND_UNPLACED_NOPOP,        /* split over communes without population */
	FUND_UNPLACED_NOPARENT,     /* no territory of the level (commune outside any EPCI) */
	FUND_UNPLACED_SCOPE,        /* outside --in-region */
	FUND_NUNPLACED
};
struct fund_percapita_summary {
	struct fund_rows rows;
	uint64_t missing, unreadable, split_rows;
	uint64_t how[FUND_CODE_NHOW];          /* codes normalised, by kind */
	uint64_t unplaced_rows[FUND_NUNPLACED];
	char unplaced_amount[FUND_NUNPLACED][96];  /* exact, "" when none */
	uint64_t no_population;                /* printed territories without one */
	const char *sum_name;
	enum fund_level level;
};
void fund_percapita_summary(const struct fund_percapita *p, struct fund_percapita_summary *s);
/* The same, told as fund/summary.h tells it (notes included): out is
 * filled (zeroed first), to release.  0 or FUND_ENOMEM. */
int fund_percapita_describe(const struct fund_percapita *p, struct fund_summary *out);

/* The engine's operations, for fund_run (fund/run.h). */
extern const struct fund_engine fund_percapita_engine;

/* fund-percapita's work in one call, as fund_total_files (the lines
 * counted before each part when o->unplaced writes line numbers). */
int fund_percapita_files(const struct fund_percapita_opts *o, const struct fund_percapita_out *oo,
			 const char *const *files, size_t n, const struct fund_run_opts *ro, FILE *fp,
			 struct fund_summary *sum, struct fund_error *err);

#endif
