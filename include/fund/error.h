/* fund/error.h - error codes and error records of libfund.
 *
 * Every libfund function that can fail returns 0 (or a positive count) on
 * success and a negative FUND_E* code on failure, and fills the caller's
 * struct fund_error when one is given.  The library never prints, exits or
 * aborts: the caller decides what to say.
 */
#ifndef FUND_ERROR_H
#define FUND_ERROR_H

#include <stddef.h>

enum fund_errcode {
	FUND_OK = 0,
	FUND_ENOMEM = -1,   /* out of memory */
	FUND_EIO = -2,      /* read or write error (errno saved in sys_errno) */
	FUND_EDATA = -3,    /* input that cannot be read as asked */
	FUND_EUSAGE = -4,   /* a request that does not fit the input (unknown column) */
	FUND_EOVERFLOW = -5,/* an amount or a total too large to hold exactly */
	FUND_ELIMIT = -6,   /* a documented limit was passed (field length, ...) */
	FUND_ERETRY = -7    /* partial results that do not merge exactly: read
	                     * the input again in one pass */
};

/* Where and what, as fields; msg is the message formatted from them,
 * without the program name, for example
 * "data.csv:812: column 'montant': cannot read '12,3,4' as an amount".
 * Every string is the record's own (heap), of any length: a record starts
 * zeroed (FUND_ERROR_INIT or { 0 }) and ends with fund_error_clear.
 * Control characters in quoted input are escaped. */
struct fund_error {
	int code;            /* one of enum fund_errcode */
	int sys_errno;       /* errno for FUND_EIO, else 0 */
	char *file;          /* the input's display name, or NULL */
	unsigned long line;  /* physical line where the record starts, 0 if none;
	                      * in a part of a file read on a thread, counted
	                      * from the part's start until the driver
	                      * relocates it (fund_error_relocate) */
	char *column;        /* the column's name, or NULL */
	char *text;          /* the offending text as read, or NULL */
	char *what;          /* what is wrong, without the place */
	char *msg;           /* formatted: "file:line: column 'c': what";
	                      * read it with fund_error_msg */
	unsigned long cell;  /* a spreadsheet's cell: its column (1 = A), 0
	                      * if none; msg then says "book.xlsx:Sheet!K812"
	                      * (file "book.xlsx:Sheet", line 812) */
};
#define FUND_ERROR_INIT { 0, 0, NULL, 0, NULL, NULL, NULL, NULL, 0 }
#if defined(__GNUC__)
/* struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT: cleared when
 * it goes out of scope (GCC and Clang). */
#define FUND_ERROR_SCOPED __attribute__((cleanup(fund_error_clear)))
#endif

/* What kind of problem a diagnostic is, for per-kind counts. */
enum fund_diag_kind {
	FUND_DIAG_AMOUNT = 0,    /* unreadable amount: amount skipped */
	FUND_DIAG_DATE,          /* unreadable date: row skipped */
	FUND_DIAG_RAGGED,        /* more fields than the header: row skipped */
	FUND_DIAG_KEY,           /* a key found twice (fund-diff): said, rows
	                          * matched in file order */
	FUND_DIAG_UNREAD         /* JSON: members that are no column (the
	                          * first record's): said, the row read */
};

/* Called for each problem in a row (the library prints nothing).  e is
 * the library's, valid during the call; it is NULL for a problem that a
 * part of a file read on a thread counted but did not keep in full (past
 * the driver's diag_keep: see fund/run.h), for the callback to count. */
typedef void (*fund_diag_fn)(void *ctx, enum fund_diag_kind kind,
			     const struct fund_error *e);

/* A static English description of an error code. */
const char *fund_strerror(int code);

/* Fill err (may be NULL), dropping what it held, and return code.  fmt is
 * printf-like: the whole message, with no place. */
int fund_error_set(struct fund_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The same with the place: file (or NULL), line (0: none), column (or
 * NULL), the offending text (text[0..len), or NULL); fmt says what is
 * wrong.  msg is then "file:line: column 'column': what". */
int fund_error_at(struct fund_error *err, int code, const char *file, unsigned long line,
		  const char *column, const char *text, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));
/* rc, having made sure that err says something when rc is a failure
 * (the code's description when the failing function set nothing). */
int fund_error_ensure(struct fund_error *err, int rc);
/* The message: msg, or the code's description when there was no memory
 * to format it.  Never NULL. */
const char *fund_error_msg(const struct fund_error *err);
/* Free what err holds and zero it.  Safe on NULL and on a zeroed record. */
void fund_error_clear(struct fund_error *err);
/* dst (cleared first) becomes a copy of src: 0 or FUND_ENOMEM. */
int fund_error_copy(struct fund_error *dst, const struct fund_error *src);
/* dst (cleared first) takes what src holds; src is left zeroed. */
void fund_error_move(struct fund_error *dst, struct fund_error *src);
/* The place made a spreadsheet's cell: column col (1 = A) of the line,
 * msg formatted again (0 or FUND_ENOMEM). */
int fund_error_cell(struct fund_error *err, unsigned long col);
/* A part-relative line made the file's: line + base, msg formatted
 * again.  0 or FUND_ENOMEM (the record then keeps its old message). */
int fund_error_relocate(struct fund_error *err, unsigned long base);

/* Write into buf (size >= 4) a copy of s[0..len) fit for a quoted message:
 * control characters escaped as \n, \t, \xHH, cut with "..." past max
 * bytes.  Returns buf. */
char *fund_quote(char *buf, size_t size, const char *s, size_t len);

/* Documented limits (see fundkit(7)). */
#define FUND_FIELD_MAX   (16u << 20)  /* bytes in one field */
#define FUND_RECORD_MAX  (64u << 20)  /* bytes in one record */
#define FUND_COLUMNS_MAX 10000u       /* fields in one record */
#define FUND_JSON_DEPTH  64           /* nesting of JSON containers */

#endif
