/* fund/cat.h - any input fundkit reads, written normalised: the engine of
 * fund-cat.
 *
 * The output table is the union of the inputs' headers, by name (files
 * with the same columns in another order are aligned); -c picks and
 * orders columns (names, 1-based indexes, ranges 2-5 or 3-); rows are
 * kept when every --where condition holds and every key set agrees;
 * chosen columns are written as exact decimal amounts or ISO dates; the
 * spreadsheet-formula guard may be asked for.  Rows follow the row policy
 * of fund/summary.h (blank rows are not written; a row with more fields
 * than the header is skipped and said).
 */
#ifndef FUND_CAT_H
#define FUND_CAT_H

#include <stdio.h>
#include "geo.h"
#include "run.h"
#include "summary.h"
#include "where.h"
#include "writer.h"

/* --in FILE:COL[:INCOL] (or --not-in, negate): keep the rows whose INCOL
 * is (is not) a value of column COL of FILE.  Values are compared
 * trimmed, all-digit ones without their leading zeros (codes that lost
 * theirs in a spreadsheet still match). */
struct fund_cat_keys {
	const char *file, *col, *incol;
	int negate;
};

/* --attach: a left lookup join.  With file: the rows of file, by the
 * value of its column key (compared as --in compares values; with a
 * geography, a key naming the same single territory otherwise written,
 * as a former commune or a SIRET, matches too), give their
 * columns cols (none: all but key) to the rows of the table whose column
 * incol (NULL: key) holds that value; a value found twice in file is
 * FUND_EDATA naming both lines.  Without file: cols name what the
 * reference geography (fund_cat_opts.geo) tells of the territory whose
 * code incol holds, normalised as fund_geo_lookup does (lost zeros,
 * arrondissements, former communes, SIRET): a level (epci, departement,
 * region, or a zoning such as densite, aav, massif) gives two columns,
 * NAME (its code) and NAME_nom; "population" and "population_YYYY" give
 * the population of the current or of that vintage.  The columns come
 * after the inputs' (a name already there is FUND_EUSAGE), so -c and
 * --where see them.  Rows without a match keep empty cells and are
 * counted. */
struct fund_cat_attach {
	const char *file, *key, *incol;
	const char *const *cols;
	size_t ncols;
};

struct fund_cat_opts {
	const char *const *columns;     /* -c: specs, or none for all */
	size_t ncolumns;
	const struct fund_where *where; /* parsed (fund_where_parse), all must hold */
	size_t nwhere;
	const struct fund_cat_keys *keys;
	size_t nkeys;
	const char *const *amounts;     /* columns written as exact amounts */
	size_t namounts;
	const char *const *dates;       /* columns written as ISO dates */
	size_t ndates;
	long head;                      /* rows kept at most; -1: all */
	int safe;                       /* the formula guard (fund_writer_safe) */
	int decimal;                    /* 0, '.' or ',': force the mark */
	int strict;                     /* the first problem is an error */
	enum fund_outfmt format;
	fund_diag_fn diag;              /* row problems */
	void *diag_ctx;
	const struct fund_cat_attach *attach;
	size_t nattach;
	const struct fund_geo *geo;     /* for an attach without a file; with a
					 * file, keys that name one territory
					 * written otherwise match too */
	/* --unpivot: wide to long.  Each row becomes one row per column of
	 * unpivot (specs as -c's), whose name goes in a column unpivot_names
	 * (NULL: "name") and whose cell in a column unpivot_values (NULL:
	 * "value"), both after the inputs' columns, the others kept; the
	 * columns unpivoted are no longer written (unless -c names them).
	 * --where, --in, -c and --amounts see the rows and columns so made. */
	const char *const *unpivot;
	size_t nunpivot;
	const char *unpivot_names, *unpivot_values;
};

/* Read files[0..n) (none, or "-" alone: standard input) and write the
 * table to out.  The key sets' files are read first, then the inputs'
 * headers (files only: standard input's header is the table's), then the
 * rows, through fund_run with ro (whose diag should be o's).  sum (zeroed
 * first; release it) tells what happened, also after an error.  Returns
 * 0 or a negative code with err set: FUND_EUSAGE for a column that no
 * input has, FUND_EIO when out could not be written. */
int fund_cat(const struct fund_cat_opts *o, const char *const *files, size_t n,
	     const struct fund_run_opts *ro, FILE *out, struct fund_summary *sum,
	     struct fund_error *err);

#endif
