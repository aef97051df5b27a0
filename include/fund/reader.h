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
};

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

/* Bytes consumed from the file so far (compressed bytes for gzip), and the
 * file size when known (regular files), else 0: for progress. */
uint64_t fund_reader_bytes(const struct fund_reader *r);
uint64_t fund_reader_size(const struct fund_reader *r);

/* Parallel reading of one large regular file.  Split what follows r's
 * header into at most n parts (at most FUND_PARTS_MAX) of at least
 * min_part bytes, each starting after a newline, and open a reader on
 * each in parts[].  Returns the number of parts, 1 when r cannot be split
 * (standard input, gzip, JSON, a transcoded encoding, a small file: read
 * r itself then), or a negative code.  The parts are read on as many
 * threads, each through its own engine, and must then be checked in
 * order with fund_reader_part_ok.
 *
 * Each part first counts the lines before it, so that its records carry
 * their line in the file (about a fifth of the time it takes to read
 * those lines).  With FUND_SPLIT_LINES_LATER in flags the parts after the
 * first do not: they number their lines from 1 (fund_reader_lines_known
 * says 0), and the caller, having read them in order, knows where each
 * starts: where the part before it started
 * (fund_reader_first_line) plus the lines that part read
 * (fund_reader_line - fund_reader_first_line). */
#define FUND_PARTS_MAX 64
#define FUND_SPLIT_LINES_LATER 1
int fund_reader_split(struct fund_reader *r, size_t n, uint64_t min_part, int flags,
		      struct fund_reader **parts, struct fund_error *err);
/* The line q's numbering started at, and whether that is its line in
 * the file (0 for a part split with FUND_SPLIT_LINES_LATER). */
unsigned long fund_reader_first_line(const struct fund_reader *q);
int fund_reader_lines_known(const struct fund_reader *q);

/* After part q was read to its end (next: the part after it, or NULL):
 * 1 when q read exactly what one pass over the file reads there: it ended
 * at the end of a record (a newline inside a quoted field can defeat the
 * split), in the encoding it started with, on the line where next starts
 * (unless next numbers its lines from 1: FUND_SPLIT_LINES_LATER).
 * 0: read the file again in one pass. */
int fund_reader_part_ok(const struct fund_reader *q, const struct fund_reader *next);

/* Parallel reading of a stream (standard input, a pipe): the caller reads
 * windows of it and cuts them into parts.  fund_reader_stream_rest: 0 and
 * what r has read past its header (p, n, then carry, ncarry: a UTF-8
 * sequence cut by a read; off: where p is in the stream), or -1 when r
 * cannot be read so (JSON, gzip, a regular file, a transcoded encoding). */
int fund_reader_stream_rest(const struct fund_reader *r, const unsigned char **p, size_t *n,
			    const unsigned char **carry, size_t *ncarry, uint64_t *off);
/* A reader of the n bytes at p (not copied: they must stay until the
 * reader is closed), then of the rest of r's stream
 * when then_fd; cut: it ends where the next part starts (see
 * fund_reader_part_ok); off, line and pending_cr: where it starts. */
int fund_reader_open_stream_part(struct fund_reader **out, const struct fund_reader *r,
				 const unsigned char *p, size_t n, uint64_t off, int then_fd, int cut,
				 unsigned long line, int pending_cr, struct fund_error *err);
/* Where a part may start in p[0..n), at or after at: after a newline
 * followed by a whole line that reads as a record of r's columns; 0 when
 * there is none. */
size_t fund_reader_cut(const struct fund_reader *r, const unsigned char *p, size_t n, size_t at);
/* Where r is: the physical line it reads next, whether the last line
 * read ended in a CR (a LF may follow), and its file descriptor. */
unsigned long fund_reader_line(const struct fund_reader *r);
int fund_reader_pending_cr(const struct fund_reader *r);
int fund_reader_fd(const struct fund_reader *r);
/* Lines ended in p[0..n) as readers count them (LF, CR LF, lone CR);
 * *prev_cr: the byte before p was a CR (updated). */
unsigned long fund_lines(const unsigned char *p, size_t n, unsigned *prev_cr);

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
