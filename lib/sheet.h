/* Internal to libfund: spreadsheets as rows of cells.  lib/sheet.c (the
 * workbook, cell rules, header rule), lib/sheet_zip.c (ZIP members as
 * XML streams: libzip and expat, with the limits), lib/sheet_xlsx.c
 * (Office Open XML), lib/sheet_ods.c (OpenDocument), lib/sheet_xls.c
 * (BIFF8 through libfreexl). */
#ifndef FUND_SHEET_IMPL_H
#define FUND_SHEET_IMPL_H

#include <expat.h>
#include "lazy.h"
#include "internal.h"
#include "fund/sheet.h"

#pragma GCC visibility push(hidden)

/* the formats' own limits */
#define SHEET_ROWS_MAX 1048576ul
#define SHEET_COLS_MAX 16384ul
/* an XML part inflates to at most this many bytes, and past
 * SHEET_RATIO_FROM to at most SHEET_RATIO times its compressed size */
#define SHEET_XML_MAX (8ull << 30)
#define SHEET_RATIO_FROM (64ull << 20)
#define SHEET_RATIO 256ull
/* the shared strings held in memory */
#define SHEET_SST_MAX (1ull << 30)

enum sheet_cell {
	SC_EMPTY = 0,
	SC_TEXT,
	SC_NUMBER,
	SC_DATE,
	SC_BOOL,
	SC_BAD       /* an error value or a formula without a cached value:
	              * the text says which ("#N/A", "=SUM(A1:A3)") */
};

/* One row, dense from column A to its last cell. */
struct sheet_row {
	unsigned long row;           /* 1-based row of the sheet */
	size_t n;
	struct fund_buf text;        /* the cells' text, each NUL-terminated */
	size_t *off, *len;
	unsigned char *kind;
	size_t cap;
};
int sheet_row_set(struct sheet_row *r, size_t col, const char *s, size_t len, int kind);
void sheet_row_clear(struct sheet_row *r);
void sheet_row_free(struct sheet_row *r);

/* A ZIP member read as XML through expat, one piece at a time: the
 * handlers stop the parser (XML_StopParser(p, XML_TRUE)) when they have
 * something to hand out, and zx_step resumes it. */
struct zx {
	zip_t *zip;
	zip_file_t *f;
	XML_Parser p;
	const char *book, *part;     /* for messages */
	uint64_t inflated, compressed;
	int suspended, done, failed;
	char *fail;                  /* set by a handler: what is wrong */
};
int zx_open(struct zx *x, zip_t *zip, const char *book, const char *part, void *ud,
	    XML_StartElementHandler st, XML_EndElementHandler en, XML_CharacterDataHandler ch,
	    struct fund_error *err);
/* Parse on until a handler suspends (1) or the part ends (0); < 0. */
int zx_step(struct zx *x, struct fund_error *err);
void zx_close(struct zx *x);
/* A handler's failure: stops the parser with what (printf-like). */
void zx_fail(struct zx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The local name of an XML name ("x:row" -> "row"). */
const char *zx_local(const char *name);
const char *zx_attr(const char **atts, const char *local);
/* 1 when a ZIP holds that member */
int zx_has(zip_t *zip, const char *part);

struct fund_book;
struct book_ops;

/* The state an XML format's reader starts with (lib/sheet_xlsx.c,
 * lib/sheet_ods.c): the fund_book's fmt points to it. */
struct zbook {
	struct zx *self;             /* = &x: zx's handlers find it first */
	struct zx x;
	zip_t *zip;
	struct fund_book *b;
	int open;                    /* x holds the sheet being read */
	int nomem;                   /* a handler ran out of memory */
};
/* The state of an XML format, size bytes starting with a struct zbook,
 * made b's, owning zip (discarded when it cannot be made: NULL). */
void *zbook_new(struct fund_book *b, size_t size, zip_t *zip, const char *kind, const struct book_ops *ops);
/* A handler's allocation failed: the parser stops. */
void zbook_nomem(struct zbook *z);
/* zx_step on the sheet, a handler's want of memory said as such */
int zbook_step(struct zbook *z, struct fund_error *err);
/* The sheet's stream closed (the book_ops end of both formats). */
void zbook_end(struct fund_book *b);

struct sheet_info {
	char *name;
	char *part;                  /* XLSX: the worksheet's member */
	int hidden;
};

struct fund_book;
struct book_ops {
	int (*select)(struct fund_book *b, size_t i, struct fund_error *err);
	/* next row with a cell: 1, 0 at the end, < 0 */
	int (*row)(struct fund_book *b, struct sheet_row *out, struct fund_error *err);
	void (*end)(struct fund_book *b);       /* the sheet's state */
	void (*free)(struct fund_book *b);      /* the format's state */
};

struct fund_book {
	const struct book_ops *ops;
	char *name;                  /* the file's display name */
	const char *kind;            /* "xlsx", "ods", "xls" */
	char *tmp;                   /* a temporary copy of standard input */
	struct sheet_info *sheets;
	size_t nsheets, cur;
	int date1904;
	void *fmt;                   /* the format's state */
};

/* zip_open, telling libzip's failures for want of memory from damage */
zip_t *sheet_zip_open(const char *path, int *zerr);
/* zip_open's failure said: out of memory, or a damaged archive */
int sheet_zip_open_error(const char *name, int zerr, struct fund_error *err);

int sheet_add(struct fund_book *b, const char *name, size_t nlen, const char *part, int hidden);

/* Cell rules (fundkit(7) "Spreadsheets") */
/* The shortest decimal that reads back as v, never in exponent form:
 * writes into buf (at least 400 bytes), returns its length. */
size_t sheet_number(char *buf, double v);
/* A serial day number of the 1900 (with its 29 February 1900) or 1904
 * system as an ISO date, date-time or time: kind 'd' date, 't' time
 * only, 'x' date and time.  Returns the length, 0 when out of range. */
size_t sheet_date(char *buf, size_t size, double serial, int date1904, int kind);
/* Of a number format: 0 not a date, 'd', 't' or 'x' */
int sheet_format_kind(const char *code);
int sheet_builtin_kind(unsigned id);

/* A workbook's format opened on its ZIP archive (theirs from then on,
 * whatever they return) or its file */
int book_open_xlsx(struct fund_book *b, zip_t *zip, struct fund_error *err);
int book_open_ods(struct fund_book *b, zip_t *zip, struct fund_error *err);
int book_open_xls(struct fund_book *b, const char *path, struct fund_error *err);

/* Open the workbook at path (name: for messages): kind 1 ZIP, 2 OLE2. */
int fund_book_open(struct fund_book **out, const char *path, const char *name, int kind,
		   struct fund_error *err);
/* The same on a stream whose first n bytes were read already (head),
 * copied with the rest of fd to a temporary file. */
int fund_book_open_fd(struct fund_book **out, int fd, const unsigned char *head, size_t n,
		      const char *name, int kind, struct fund_error *err);
/* Choose a sheet by name or 1-based number (NULL: the first). */
int fund_book_choose(struct fund_book *b, const char *spec, struct fund_error *err);
int fund_book_row(struct fund_book *b, struct sheet_row *out, struct fund_error *err);
void fund_book_close(struct fund_book **b);


#pragma GCC visibility pop

#endif
