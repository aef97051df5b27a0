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

/* Where and what: filled by the failing function.  msg is the whole
 * message without the program name, for example
 * "data.csv:812: column 'montant': cannot read '12,3,4' as an amount".
 * Control characters in quoted input are escaped. */
struct fund_error {
	int code;            /* one of enum fund_errcode */
	int sys_errno;       /* errno for FUND_EIO, else 0 */
	unsigned long line;  /* physical line where the record starts, 0 if none */
	char msg[1024];
};

/* A static English description of an error code. */
const char *fund_strerror(int code);

/* Fill err (may be NULL) and return code.  fmt is printf-like. */
int fund_error_set(struct fund_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

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
