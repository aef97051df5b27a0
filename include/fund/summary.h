/* fund/summary.h - one row policy and one summary for every engine.
 *
 * Every engine decides what to do with a record the same way
 * (fund_rows_admit): a record whose fields are all blank is skipped and
 * counted (a spreadsheet's leftover row); a record with more fields than
 * the header, one of them not blank past the header, is skipped, counted
 * and reported (FUND_DIAG_RAGGED; an error under strict); a record with
 * fewer fields is read, its absent cells empty (missing values, counted
 * per column by the engine); a JSON record with members that the first
 * record lacks (which are no columns) is read, those members counted and
 * reported (FUND_DIAG_UNREAD; an error under strict).  What happened is told by one structure,
 * struct fund_summary, which each engine fills (fund_*_describe) and
 * fund_summary_text renders: the commands print that text.
 */
#ifndef FUND_SUMMARY_H
#define FUND_SUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "reader.h"

/* What the row policy did. */
struct fund_rows {
	uint64_t read;       /* records read, skipped ones included */
	uint64_t blank;      /* every field blank: skipped */
	uint64_t ragged;     /* more fields than the header: skipped */
	uint64_t headers;    /* a spreadsheet's row repeating the header: skipped */
	uint64_t unread;     /* JSON: read, but with members that are no column */
};

/* The policy of one input: bind it to each input's header. */
struct fund_row_policy {
	const char *file;    /* the input's display name */
	size_t ncols;        /* the header's columns */
	int strict;          /* a ragged row is an error */
	fund_diag_fn diag;
	void *diag_ctx;
	struct fund_rows n;
};
void fund_rows_bind(struct fund_row_policy *p, const struct fund_reader *r);
/* 1: read the record; 0: skipped (counted, reported); FUND_EDATA under
 * strict, err saying where. */
int fund_rows_admit(struct fund_row_policy *p, const struct fund_record *rec,
		    struct fund_error *err);
/* a's counts plus b's (parts merged in order). */
void fund_rows_add(struct fund_rows *a, const struct fund_rows *b);

struct fund_summary_column {
	char *name;
	uint64_t missing, unreadable;
};

/* What an engine has to say about its input.  Owned strings; zero it
 * before an engine fills it, release it after. */
struct fund_summary {
	struct fund_rows rows;
	uint64_t bad_dates;      /* rows skipped for an unreadable date */
	uint64_t bad_weights;    /* rows without a usable weight */
	size_t ncolumns;
	struct fund_summary_column *columns;   /* missing and unreadable values */
	char *after_rows;        /* engine words after "N rows read" (", 3 split") */
	char *segments;          /* engine segments, each "; ..." */
	char *tail;              /* after the columns, each "; ..." */
	char *notes;             /* whole lines, each ending in '\n' */
};

/* The summary's text: lines ending in '\n', without the program name
 * ("summary: 12 rows read; skipped: 1 blank; column 'montant': 0 missing,
 * 2 unreadable", then notes).  The summary line is there only when
 * something was skipped, missing or unreadable, or the engine had words.
 * *text is NULL when there is nothing to say.  0 or FUND_ENOMEM. */
int fund_summary_text(const struct fund_summary *s, char **text);
void fund_summary_release(struct fund_summary *s);

/* Append to *s (NULL or a heap string) printf-like: 0 or FUND_ENOMEM. */
int fund_str_append(char **s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
