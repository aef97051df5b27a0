/* fund/sheet.h - spreadsheets: the sheets of a workbook.
 *
 * Every reader of libfund reads a spreadsheet (.xlsx, .xlsm, .ods, .xls)
 * as a table: fund_reader_open recognises it by its content and reads the
 * sheet that fund_reader_opts.sheet names, its header chosen by the rule
 * of fundkit(7) or given as fund_reader_opts.header_row.  This header
 * lists a workbook's sheets.
 */
#ifndef FUND_SHEET_H
#define FUND_SHEET_H

#include <stddef.h>
#include <stdio.h>
#include "error.h"

struct fund_sheet_entry {
	size_t index;                /* 1-based */
	char *name;
	int hidden;
	unsigned long rows;          /* the last row with a cell */
	unsigned long cols;          /* the last column with a cell */
};

/* The sheets of the workbook at path ("-": standard input), each read
 * through for its size.  *out (free with fund_sheets_free) and *n set;
 * a file that is not a workbook is FUND_EDATA. */
int fund_sheets_list(const char *path, struct fund_sheet_entry **out, size_t *n,
		     struct fund_error *err);
void fund_sheets_free(struct fund_sheet_entry *list, size_t n);

/* The sheets of files[0..n) as a table on fp, in format fmt (a
 * fund_outfmt): file (when n > 1), index, sheet, rows, columns, hidden
 * ("yes" or empty). */
int fund_sheets_write(const char *const *files, size_t n, FILE *fp, int fmt, struct fund_error *err);

/* 1-based column number as letters (1 -> "A", 27 -> "AA") into buf
 * (at least 8 bytes); returns buf. */
char *fund_sheet_column(char *buf, unsigned long col);

#endif
