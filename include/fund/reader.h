/* fund/reader.h - one streaming interface over CSV and JSON input.
 *
 * A reader opens a file (plain or gzip, any supported encoding, CSV in any
 * dialect or JSON in any supported shape) and hands out records one at a
 * time, as UTF-8 fields aligned with a header.  Memory is bounded by the
 * longest record, not by the size of the input.
 */
#ifndef FUND_READER_H
#define FUND_READER_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

enum fund_encoding {
	FUND_ENC_AUTO = 0,   /* UTF-8, else Windows-1252 (see fundkit(7)) */
	FUND_ENC_UTF8,
	FUND_ENC_CP1252,
	FUND_ENC_LATIN1
};

enum fund_input_format {
	FUND_IN_AUTO = 0,    /* JSON if the first byte is '[' or '{', else CSV */
	FUND_IN_CSV,
	FUND_IN_JSON
};

struct fund_reader_opts {
	enum fund_input_format format;
	int delim;                   /* CSV delimiter, 0 = sniff , ; TAB | */
	enum fund_encoding encoding;
	const char *json_path;       /* dotted path of the record array, or NULL */
	size_t sniff_bytes;          /* 0 = 64 KiB */
	int comment;                 /* CSV: skip lines starting with this
	                              * character before the header (INSEE's
	                              * files start with '#' lines); 0 = none */
	/* Spreadsheets (fund/sheet.h): the sheet, by name or 1-based
	 * number (NULL: the first), and the header's row (1-based; 0: the
	 * first row that looks like a header, the rule of fundkit(7)). */
	const char *sheet;
	unsigned long header_row;
	/* What the reader says of its input that is not a problem (the
	 * rows above a spreadsheet's header, skipped), one line a call:
	 * the caller says it, or not (NULL). */
	void (*note)(void *ctx, const char *line);
	void *note_ctx;
	/* CSV: the blanks around unquoted fields kept, as RFC 4180 has
	 * them (fund-cat and fund-diff); 0: trimmed, as the engines that
	 * group and match on cells read them (spaces, and tabs unless tab is
	 * the delimiter).  Amounts, dates and codes are read through their
	 * blanks either way. */
	int keep_blanks;
};

/* Parse an encoding name (utf-8, windows-1252, cp1252, latin1, ...).
 * Returns the enum value or -1. */
int fund_encoding_from_name(const char *name);
const char *fund_encoding_name(enum fund_encoding e);

/* A record: fields[i] (NUL-terminated, len[i] bytes) for i < n.  For CSV, n
 * is the number of fields read, which may differ from the header; for JSON
 * fields follow the header and a missing or null member has is_null set.
 * The columns left out by fund_reader_only may read as "".
 * Owned by the reader, valid until the next call. */
struct fund_record {
	size_t n;
	const char **fields;
	const size_t *len;
	const unsigned char *is_null;  /* NULL for CSV */
	unsigned long line;            /* physical line where it starts */
	uint64_t index;                /* 1-based record number */
	int blank;                     /* 1 when every field is blank, 0 when
	                                * one is not, -1 not known: see
	                                * fund_record_is_blank */
	/* A spreadsheet's row: field i is column i + 1 (A, B, ...), line
	 * the sheet's row, and is_null[i] is 2 for a cell that holds no
	 * value (an error such as "#N/A", or a formula never computed, its
	 * text then "=..."): empty when written, unreadable as a number.
	 * header_again: the row repeats the header (skipped, counted). */
	unsigned char sheet, header_again;
	/* JSON: the members of this record that are no column (the columns
	 * are the first record's: a member that a later record adds is not
	 * read), and the first of them, dotted as a column name would be
	 * (valid until the next record); 0 and NULL otherwise.  The row
	 * policy says it (fund/summary.h). */
	size_t unread;
	const char *unread_name;
	/* A hint of the CSV fast path for a reader that hands out every
	 * column (no fund_reader_only), 0 when not known: FUND_PLAIN_TSV
	 * when no field holds a tab, CR or LF; FUND_PLAIN_CSV when none
	 * holds a comma, a quote, CR or LF.  A writer need not look into
	 * such fields for what it must quote.  FUND_PLAIN_PAD when each
	 * field is followed by at least FUND_PLAIN_PAD_BYTES bytes that
	 * may be read (the reader's own buffers): a writer may copy a
	 * short field in one move of that size. */
	unsigned char plain;
};
#define FUND_PLAIN_TSV 1
#define FUND_PLAIN_CSV 2
#define FUND_PLAIN_PAD 4
#define FUND_PLAIN_PAD_BYTES 32

struct fund_reader;

/* Open path ("-" or NULL for standard input) and read its header.
 * On failure *out is NULL and err says why. */
int fund_reader_open(struct fund_reader **out, const char *path,
		     const struct fund_reader_opts *opts,
		     struct fund_error *err);

/* Next record: 1 and *rec set, 0 at the end, or a negative code. */
int fund_reader_next(struct fund_reader *r, const struct fund_record **rec,
		     struct fund_error *err);

/* The columns the caller reads: cols[0..n), 0-based (negative entries are
 * ignored).  The reader may then hand out the other columns of the header
 * empty ("", length 0): the CSV fast path does not cut them out of the
 * line.  Fields past the header are always handed out, and
 * fund_record_is_blank still tells blank records by all their fields.
 * Call before the first record (parts made by fund_reader_split and
 * fund_reader_open_stream_part inherit it).  A reader on which it is not
 * called hands out every column. */
void fund_reader_only(struct fund_reader *r, const int *cols, size_t n);

/* Close and free; sets *r to NULL.  Safe on NULL. */
void fund_reader_close(struct fund_reader **r);

/* The header: names[i] for i < n, NUL-terminated UTF-8. */
size_t fund_reader_ncols(const struct fund_reader *r);
const char *fund_reader_colname(const struct fund_reader *r, size_t i);

/* 1 when the input held nothing but blanks (no header, no JSON value):
 * a JSON input with no records (such as "[]") has no columns but is not
 * empty. */
int fund_reader_empty(const struct fund_reader *r);

/* The display name of the input ("-" shown as "(standard input)"). */
const char *fund_reader_name(const struct fund_reader *r);

/* What was detected. */
int fund_reader_delim(const struct fund_reader *r);          /* 0 for JSON */
enum fund_encoding fund_reader_encoding(const struct fund_reader *r);
int fund_reader_is_json(const struct fund_reader *r);
/* For a spreadsheet: its format ("xlsx", "ods", "xls"), else NULL; the
 * sheet read, and the row of its header. */
const char *fund_reader_book(const struct fund_reader *r);
const char *fund_reader_sheet(const struct fund_reader *r);
unsigned long fund_reader_header_row(const struct fund_reader *r);

/* Bytes consumed from the file so far (compressed bytes for gzip), and the
 * file size when known (regular files), else 0: for progress. */
uint64_t fund_reader_bytes(const struct fund_reader *r);
uint64_t fund_reader_size(const struct fund_reader *r);

/* 1 when s[0..len) is blank: nothing but spaces and tabs (or empty). */
int fund_blank(const char *s, size_t len);
/* 1 when every field of rec is blank: a spreadsheet's leftover row,
 * skipped and counted by every engine. */
int fund_record_is_blank(const struct fund_record *rec);

/* 1 when two column names are the same once trimmed of blanks (space,
 * tab), ignoring ASCII case: how columns are matched after an exact name. */
int fund_names_match(const char *a, const char *b);

/* Resolve a column given by name or 1-based index: exact name first, then
 * trimmed and ASCII-case-insensitive, then a number as an index.  Returns
 * the 0-based index, or FUND_EUSAGE with a message naming the columns that
 * exist. */
int fund_reader_column(const struct fund_reader *r, const char *spec,
		       struct fund_error *err);

#endif
