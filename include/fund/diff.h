/* fund/diff.h - what changed between two publications of a table: the
 * engine of fund-diff.
 *
 * The two tables' columns are aligned by name (exact first, then trimmed
 * and ASCII-case-insensitive; renames say that a column of NEW is one of
 * OLD under another name), whatever their order, dialect, encoding or
 * format.  With key columns, a row of OLD and a row of NEW with the same
 * key are the same row: "changed" when a compared column differs,
 * else unchanged; a key only in NEW is "added", only in OLD "removed"; a
 * key found more than once in a file is said (a row problem) and its
 * rows matched in file order (the first with the first).  Without keys,
 * rows are compared whole, as a multiset: a row twice in OLD and once in
 * NEW is one removal.  Amount columns (sums) are compared as exact
 * decimal values ("1 234,50" equals "1234.5"), the others as the text the
 * reader gives (after the encoding, BOM and line endings).
 *
 * Each file is read twice (so neither may be standard input): once to
 * index each row by a 128-bit hash of its key and one of its compared
 * cells, then, once the rows are matched, again to fetch the cells of
 * the rows that differ.  Memory: about 80 bytes a row of each file while
 * the rows are matched (the 40-byte digests, the tables that match
 * them), and the rows that differ; both readings go on threads as
 * fund_run allows.
 */
#ifndef FUND_DIFF_H
#define FUND_DIFF_H

#include <stdint.h>
#include <stdio.h>
#include "run.h"
#include "summary.h"
#include "writer.h"

struct fund_diff_opts {
	/* Columns by name or 1-based index (in OLD), each in both files. */
	const char *const *keys;        /* -k: the columns that identify a row */
	size_t nkeys;
	const char *const *sums;        /* -s: amounts, compared exactly */
	size_t nsums;
	const char *const *groups;      /* -g: the money that moved per group */
	size_t ngroups;
	const char *const *show;        /* --show: written beside the keys */
	size_t nshow;
	const char *const *ignore;      /* --ignore: left out of the comparison */
	size_t nignore;
	/* --rename OLD=NEW: NEW's column NEW is OLD's column OLD. */
	const char *const *renames;
	size_t nrenames;
	/* Keys compared as territory codes: trimmed, letters in upper case,
	 * all-digit codes without their leading zeros (a code that lost its
	 * zero in a spreadsheet is the same code). */
	int key_codes;
	int summary_only;               /* --summary: the counts, one line */
	int decimal;                    /* 0, '.' or ',': force the mark */
	unsigned amount_flags;          /* FUND_FMT_FRENCH for deltas */
	int strict;                     /* the first problem is an error */
	int safe;                       /* the formula guard (fund_writer_safe) */
	enum fund_outfmt format;
	fund_diag_fn diag;              /* row problems, duplicate keys */
	void *diag_ctx;
};

/* What was found. */
struct fund_diff_counts {
	uint64_t added, removed, changed, same;
	size_t columns_added, columns_removed, renamed;
};

/* Compare the table of file old with that of file new and write the
 * differences to out: with keys, one row per changed cell (status
 * "changed", the lines, the keys, the column, the old and new cells as
 * read, the delta of an amount), one row per amount of an added or
 * removed row (one row when there is no amount); without keys, one row a
 * row added or removed, with its cells; first a row for each column in
 * one file only ("column-added", "column-removed").  Removed and changed
 * rows come in OLD's order, then added ones in NEW's.  With groups, the
 * counts and money per group instead (added, removed, changed, net);
 * with summary_only, one line of text.  ro's threads, diag and progress
 * serve both readings.  sum (zeroed first; release it) and counts tell
 * what happened.  Returns 0 when the tables hold the same rows and
 * columns, 1 when they differ, or a negative code with err set
 * (FUND_EUSAGE for a column that a file lacks or an input that is not a
 * file; FUND_EIO when out could not be written). */
int fund_diff(const struct fund_diff_opts *o, const char *old, const char *new,
	      const struct fund_run_opts *ro, FILE *out, struct fund_summary *sum,
	      struct fund_diff_counts *counts, struct fund_error *err);

#endif
