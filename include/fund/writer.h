/* fund/writer.h - tables out: TSV, CSV, JSON, NDJSON, aligned text.
 *
 * Numbers are written as given (callers pass exact decimal text), so the
 * output never depends on the locale.
 */
#ifndef FUND_WRITER_H
#define FUND_WRITER_H

#include <stdio.h>
#include <stddef.h>

enum fund_outfmt {
	FUND_OUT_TSV = 0,
	FUND_OUT_CSV,
	FUND_OUT_JSON,
	FUND_OUT_NDJSON,
	FUND_OUT_TABLE,
	FUND_OUT_XLSX      /* a workbook (binary): numbers as numbers when a
	                    * double holds them exactly, else text; ISO dates
	                    * as dates; needs a file, not a terminal */
};

/* Parse "tsv", "csv", "json", "ndjson", "table", "xlsx": the value or -1. */
int fund_outfmt_from_name(const char *name);

enum fund_celltype {
	FUND_CELL_TEXT = 0,
	FUND_CELL_NUMBER   /* decimal text; written bare in JSON */
};

struct fund_cell {
	const char *s;    /* NULL: missing (empty, or null in JSON) */
	size_t len;
	enum fund_celltype type;
};

struct fund_writer;

/* Start a table of ncols named columns on fp.  The names are copied.
 * TABLE output is held until fund_writer_finish (memory grows with
 * rows). */
int fund_writer_open(struct fund_writer **out, FILE *fp, enum fund_outfmt fmt,
		     const char *const *names, size_t ncols);

/* The spreadsheet-formula guard: in TSV, CSV and TABLE output, a text
 * cell that a spreadsheet would run as a formula (fund_cell_risky) is
 * written with a quote (') in front.  JSON is left as it is. */
void fund_writer_safe(struct fund_writer *w, int on);
/* 1 when a spreadsheet would evaluate s[0..len): it starts with = + - @
 * TAB or CR, unless the whole cell is a plain number (-12, +3,5). */
int fund_cell_risky(const char *s, size_t len);

/* One row of ncols cells.  Returns 0 or FUND_ENOMEM/FUND_EIO. */
int fund_writer_row(struct fund_writer *w, const struct fund_cell *cells);

/* End the table (closing "]" for JSON, the whole table for TABLE).  Does
 * not close fp.  Returns 0 or FUND_EIO. */
int fund_writer_finish(struct fund_writer *w);

void fund_writer_free(struct fund_writer **w);

#endif
