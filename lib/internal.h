/* Internal to libfund: the byte source and the two record readers. */
#ifndef FUND_INTERNAL_H
#define FUND_INTERNAL_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <sys/types.h>
#include <zlib.h>
#include <csv.h>
#include <cjson/cJSON.h>
#include "fund/fund.h"

/* Nothing declared from here on is exported: libfund's users see only
 * include/fund/ (make check compares the two). */
#pragma GCC visibility push(hidden)

#define SRC_CHUNK (256u << 10)
/* zero bytes after what a source hands out: SIMD scans read past a line */
#define SRC_PAD 64

/* SIMD: SSE2 is the x86-64 baseline; the hot loops also have an AVX2
 * body, taken when the processor has it (fund_cpu_avx2, set when the
 * library loads; FUNDKIT_SIMD=sse2 keeps to SSE2, for tests). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(FUND_NO_AVX2)
#define FUND_AVX2 1
#include <immintrin.h>
#else
#define FUND_AVX2 0
#endif
extern int fund_cpu_avx2;
/* AVX2 with popcnt, BMI and PCLMUL (lib/csv_fast.c's index_line) */
extern int fund_cpu_hw;
/* fund_cpu_hw and AVX-512 BW and VBMI2 (csv_fast.c's index, source.c's
 * UTF-8 check); FUNDKIT_SIMD=avx2 keeps to AVX2. */
extern int fund_cpu_avx512;
/* fund_cpu_hw, and pdep is an instruction of a few cycles (not AMD's
 * Zen 1 and 2 nor Hygon's, where microcode takes up to hundreds:
 * fund_cpu_pdep_slow): csv_fast.c's walk_end selects a field's end
 * with it. */
extern int fund_cpu_pdep;
/* 1 when pdep is microcoded on the processor that cpuid says (ebx of
 * leaf 0, the vendor's first 4 letters; eax of leaf 1, its family):
 * AMD's before family 0x19 (Zen 1, Zen 2) and Hygon's (Zen 1's). */
int fund_cpu_pdep_slow(unsigned vendor_ebx, unsigned eax1);

/* Bytes from a file or stdin, gunzipped, BOM removed, as UTF-8. */
/* A part of a regular file mapped (lib/source_map.c): p[0..n) is the
 * file from the part's start to its end, 64 readable bytes after it. */
struct fund_map {
	unsigned char *base;         /* the mapping, span bytes */
	size_t span;
	const unsigned char *p;
	size_t n;
	uint64_t end;                /* the file offset of p + n */
	size_t given;                /* base[0..given) given back */
	int slot;                    /* -1: none */
	const volatile sig_atomic_t *shrank;    /* the slot's flag */
};
/* p[0..upto) read: its pages given back from time to time. */
void fund_map_done(struct fund_map *m, size_t upto);
/* 0 with m mapped, or -1 (m not mapped: read with read(2)). */
int fund_map_open(struct fund_map *m, int fd, uint64_t start, uint64_t end);
/* 1 once the file was found shorter than the mapping (a SIGBUS on it):
 * the bytes past its end read as zeros. */
static inline int fund_map_shrank(const struct fund_map *m)
{
	return m->slot >= 0 && *m->shrank;
}
void fund_map_close(struct fund_map *m);

struct fund_source {
	int fd, own_fd;
	const char *name;            /* display name, owned by the reader */
	unsigned char *raw;          /* bytes read from fd */
	size_t raw_len, raw_pos;
	int gz, gz_checked, raw_eof;
	z_stream z;
	int z_open;
	unsigned char *plain;        /* decompressed (or raw) bytes not yet decoded */
	size_t plain_len;
	unsigned char *out;          /* UTF-8 handed out */
	size_t out_cap;
	unsigned char carry[4];      /* an incomplete UTF-8 sequence */
	size_t ncarry;
	enum fund_encoding enc;      /* decided encoding */
	int forced, started, eof;
	int bom_done;
	uint64_t bytes_in, size;
	/* parallel reading: raw bytes stop at file offset limit (0: none);
	 * out_off is the file offset after the last byte handed out, true
	 * while passthrough (every byte handed out is the file's, a BOM
	 * aside) */
	uint64_t limit, out_off;
	int passthrough;
	/* a part of a stream: bytes from memory (the caller's, kept until
	 * the source is closed), then, when mem_then_fd, from fd */
	const unsigned char *mem;
	size_t mem_len, mem_pos;
	int is_mem, mem_then_fd;
	/* a part of a regular file through a mapping: map.p[map_pos..map.n)
	 * still to hand out; mapped_out: the bytes handed out last are the
	 * mapping's (read-only: the parser must not write into them) */
	struct fund_map map;
	size_t map_pos;
	int mapped_out;
	/* the first bytes are a workbook's (1 ZIP, 2 OLE2): the read failed,
	 * plain[0..plain_len) holds them */
	int sheet_kind;
};

struct fund_spares;
int fund_source_open(struct fund_source *s, const char *path, const char *name,
		     enum fund_encoding enc, struct fund_error *err);
/* Next bytes of UTF-8: returns their count (0 at the end) and sets *data,
 * or a negative code.  want: try to gather at least that many bytes
 * (for sniffing); 0 = whatever one read gives. */
/* A part of a regular file: from file offset start (a line start, after
 * the header) up to limit (0: the end), in encoding enc (UTF-8 or auto,
 * as the whole file was opened), with no BOM or binary checks; through a
 * mapping of the file when map and it can be (fund_map_open), the bytes
 * handed out then read-only (mapped_out).  Its chunk buffers from
 * spares when not NULL and it has some (see fund_source_close_to). */
int fund_source_open_part(struct fund_source *s, const char *path, const char *name,
			  enum fund_encoding enc, uint64_t start, uint64_t limit, int map,
			  struct fund_spares *spares, struct fund_error *err);
/* A part of a stream: the n bytes at p (not copied: they must stay
 * until s is closed), then fd's (not owned)
 * when fd >= 0; off: where p is in the stream; spares as for
 * fund_source_open_part. */
int fund_source_open_mem(struct fund_source *s, const unsigned char *p, size_t n, int fd,
			 uint64_t off, const char *name, enum fund_encoding enc, struct fund_spares *spares,
			 struct fund_error *err);
ssize_t fund_source_read(struct fund_source *s, const unsigned char **data,
			 size_t want, struct fund_error *err);
/* A mapped part that faulted (fund_map_shrank): FUND_EIO, err saying
 * that the file shrank, or (still as long as the mapping) a read error. */
int fund_source_lost(struct fund_source *s, struct fund_error *err);
void fund_source_close(struct fund_source *s);
/* fund_source_close, its chunk buffers kept in spares (when not NULL)
 * for the next part's source (fund_source_open_part, _open_mem). */
void fund_source_close_to(struct fund_source *s, struct fund_spares *spares);

/* The value column (and optional weight column) of a row, as the
 * statistics and plot engines read them: missing and unreadable values
 * counted, problems reported through diag or, when strict, as errors. */
struct fund_vw {
	int val_idx, w_idx;          /* w_idx -1: unweighted */
	const char *val_name, *w_name, *file;
	struct fund_amount_ctx ctx, wctx;
	int strict;
	fund_diag_fn diag;
	void *diag_ctx;
	uint64_t missing, unreadable, bad_weights;
};
/* 1: *a (and *w, 1 when unweighted) read; 0: the row has no usable value
 * or weight (counted, reported); FUND_EDATA in strict mode. */
int fund_vw_read(struct fund_vw *v, const struct fund_record *rec, struct fund_amount *a,
		 double *w, struct fund_error *err);

/* For the engines' fund_*_columns: the k columns at c put after the n
 * in cols[] (those past max only counted; negative ones are
 * fund_reader_only's to ignore).  Returns the new count. */
static inline size_t fund_put_columns(int *cols, size_t max, size_t n, const int *c, size_t k)
{
	size_t i;
	for (i = 0; i < k; i++, n++)
		if (n < max)
			cols[n] = c[i];
	return n;
}

/* fund_rows_admit for the engines' loops: the common case (a record
 * known not blank, no more fields than the header) without a call. */
static inline int fund_rows_admit_fast(struct fund_row_policy *p, const struct fund_record *rec,
				       struct fund_error *err)
{
	if (rec->blank == 0 && (rec->n <= p->ncols || (rec->is_null && !rec->sheet))) {
		p->n.read++;
		return 1;
	}
	return fund_rows_admit(p, rec, err);
}

/* A key as --in and fund-diff --key-codes compare it: s[0..len) trimmed of
 * blanks, an all-digit key without its leading zeros (a code that lost
 * its zero in a spreadsheet is the same code).  Points into s. */
const char *fund_key_norm(const char *s, size_t len, size_t *out_len);

/* err set for what the writer returned (rc < 0): out of memory, more
 * than a workbook holds (a cell of more than 32,767 characters, more
 * than 1,048,576 rows), or a write error.  Returns rc. */
int fund_writer_fail(struct fund_error *err, int rc);
/* A writer like w for a part read on a thread (TSV, CSV, JSON, NDJSON;
 * FUND_EUSAGE for the others, whose output is not row by row): its rows
 * are kept, then written after those before them by fund_writer_append
 * (0, FUND_EIO, FUND_ENOMEM), which empties part.  The part's buffer
 * comes from w's spares and goes back to them when the part is freed
 * (fund_writer_free, on any thread, before w's): the next parts write
 * into memory already there, not fresh pages (each a fault, a trap to
 * the hypervisor on a virtual machine). */
int fund_writer_fork(struct fund_writer **out, struct fund_writer *w);
int fund_writer_append(struct fund_writer *w, struct fund_writer *part);

/* A row problem in e: under strict, the error (moved to err, FUND_EDATA);
 * else said to diag(ctx) and cleared (0). */
int fund_problem(struct fund_error *e, int strict, fund_diag_fn diag, void *ctx,
		 enum fund_diag_kind kind, struct fund_error *err);

/* A column's counts added to a summary: 0 or FUND_ENOMEM. */
int fund_summary_column(struct fund_summary *s, const char *name, uint64_t missing, uint64_t unreadable);

/* What a label says its row is: FUND_LABEL_DONT for "dont ..." (after
 * blanks, any case: a part of the row above it, in French tables),
 * FUND_LABEL_TOTAL for "total", "totaux", "sous-total" (any case, then
 * the end or anything but a letter: "TOTAL", "Total général"), else
 * FUND_LABEL_PLAIN. */
enum { FUND_LABEL_PLAIN = 0, FUND_LABEL_DONT, FUND_LABEL_TOTAL };
int fund_label_scan(const char *s, size_t n);
/* Most labels begin otherwise (one test, inline on the hot paths); those
 * that may not are read by fund_label_scan (lib/summary.c). */
static inline int fund_label_kind(const char *s, size_t n)
{
	unsigned char c = n ? (unsigned char)s[0] : 0;
	if (!n || !((c | 0x20) == 'd' || (c | 0x20) == 't' || (c | 0x20) == 's' || c == ' ' || c == '\t' ||
		    c == '-' || c == '.' || c == 0xC2))
		return FUND_LABEL_PLAIN;
	return fund_label_scan(s, n);
}

/* num/den rounded half away from zero to dec decimals, as text in buf:
 * 0, FUND_EDATA (den is 0) or FUND_EOVERFLOW. */
int fund_ratio_text(char *buf, size_t size, fund_i128 num, fund_i128 den, int dec);

/* The table of an engine's operations (fund/run.h) from its functions
 * fund_PFX_bind, _add, _fork, _merge, _free, _columns, of type T. */
#define FUND_ENGINE_OPS(pfx, T)								\
	static int pfx##_op_bind(void *e, const struct fund_reader *r, struct fund_error *err)	\
	{ return fund_##pfx##_bind(e, r, err); }					\
	static int pfx##_op_add(void *e, const struct fund_record *rec, struct fund_error *err)	\
	{ return fund_##pfx##_add(e, rec, err); }					\
	static int pfx##_op_fork(void *e, int inherit, fund_diag_fn diag, void *dctx, void **out) \
	{ T *f = NULL; int rc = fund_##pfx##_fork(&f, e, inherit, diag, dctx); *out = f; return rc; } \
	static int pfx##_op_merge(void *a, void *b, struct fund_error *err)		\
	{ return fund_##pfx##_merge(a, b, err); }					\
	static void pfx##_op_free(void *e)						\
	{ T *t = e; fund_##pfx##_free(&t); }						\
	static size_t pfx##_op_columns(const void *e, int *cols, size_t max)		\
	{ return fund_##pfx##_columns(e, cols, max); }

/* A 128-bit hash of a sequence of byte strings (fund-diff's rows,
 * fund-check's duplicates) */

#define FUND_H_P0 0x9e3779b97f4a7c15ULL
#define FUND_H_P1 0xc2b2ae3d27d4eb4fULL
#define FUND_H_P2 0x165667b19e3779f9ULL
#define FUND_H_P3 0xd6e8feb86659fd93ULL

struct fund_h128 {
	uint64_t a, b;
};

static inline uint64_t fund_mum(uint64_t a, uint64_t b)
{
	fund_u128 r = (fund_u128)a * b;
	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* s[0..n) appended: its length first, so that ("ab", "c") and ("a",
 * "bc") differ */
static inline void fund_h128_put(struct fund_h128 *h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t a = fund_mum(h->a ^ FUND_H_P0, (uint64_t)n ^ FUND_H_P1), b = fund_mum(h->b ^ FUND_H_P2, (uint64_t)n ^ FUND_H_P3), w0, w1;
	while (n >= 16) {
		memcpy(&w0, s, 8);
		memcpy(&w1, s + 8, 8);
		a = fund_mum(a ^ w0 ^ FUND_H_P2, w1 ^ FUND_H_P1);
		b = fund_mum(b ^ w1 ^ FUND_H_P0, w0 ^ FUND_H_P3);
		s += 16;
		n -= 16;
	}
	if (n) {
		w0 = w1 = 0;
		if (n > 8) {
			memcpy(&w0, s, 8);
			memcpy(&w1, s + 8, n - 8);
		} else {
			memcpy(&w0, s, n);
		}
		a = fund_mum(a ^ w0 ^ FUND_H_P2, w1 ^ FUND_H_P1);
		b = fund_mum(b ^ w1 ^ FUND_H_P0, w0 ^ FUND_H_P3);
	}
	h->a = a;
	h->b = b;
}

/* Text into buffers of a known size (lib/text.c), the only snprintf of
 * libfund: fund_fmt gives the length, or -1 with buf "" when the text did
 * not fit or could not be made; the integers' texts always fit in
 * FUND_NUM_TEXT bytes, a date's (fund_ymd: y at least 4 digits, then -MM
 * when m > 0, then -DD when d > 0) in FUND_DATE_TEXT. */
#define FUND_NUM_TEXT 24
#define FUND_DATE_TEXT 40
int fund_fmt(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), warn_unused_result));
size_t fund_utoa(char *buf, unsigned long long v);
size_t fund_itoa(char *buf, long long v);
size_t fund_ymd(char *buf, int y, int m, int d);

/* Growable byte buffer with a cap. */
struct fund_buf {
	char *p;
	size_t len, cap;
};
int fund_buf_reserve(struct fund_buf *b, size_t extra);
/* What binary file this is from its first bytes: 1 ZIP, 2 OLE2, 0
 * (lib/sheet.c) */
int fund_sheet_magic(const unsigned char *p, size_t n);
/* 1 when s[0..n) is already the shortest decimal of its double, and a
 * double gives it back through 16 significant digits: a plain decimal of
 * at most 15 significant digits, no leading zero, no trailing zero after
 * its point (lib/sheet.c: the numbers a spreadsheet writes, and those
 * lib/writer_xlsx.c can write as number cells) */
int sheet_is_shortest(const char *s, size_t n);
void fund_buf_release(struct fund_buf *b);
/* The buffers of parts freed, kept for the next parts (at most as many
 * as a run has parts at once), so that they write into memory already
 * there, not fresh pages: each a fault, a trap to the hypervisor on a
 * virtual machine.  Taken and given on any thread. */
struct fund_spares {
	pthread_mutex_t mu;
	size_t n;
	struct fund_buf b[FUND_PARTS_MAX];
};
int fund_spares_new(struct fund_spares **out);
void fund_spares_free(struct fund_spares **sp);
/* A spare (len 0), or an empty buffer when there is none. */
struct fund_buf fund_spares_take(struct fund_spares *s);
/* *b kept as a spare, or released when there are enough; emptied. */
void fund_spares_give(struct fund_spares *s, struct fund_buf *b);

/* ---- the driver's part plumbing (lib/reader.c, used by lib/run.c) ---- */

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
#define FUND_SPLIT_LINES_LATER 1
int fund_reader_split(struct fund_reader *r, size_t n, uint64_t min_part, int flags,
		      struct fund_reader **parts, struct fund_error *err);
/* The part of r's file that starts at offset from (or where r is, after
 * its header, when that is later: *start), for an engine that writes as
 * it reads: about part bytes, ending where a record seems to start (*end:
 * there, or the file's size), numbering its lines from 1.  Returns 1, 0
 * when r cannot be read in parts (as fund_reader_split) or from is at the
 * end, or a negative code. */
int fund_reader_next_part(struct fund_reader *r, uint64_t from, uint64_t part, struct fund_reader **out,
			  uint64_t *start, uint64_t *end, struct fund_error *err);
/* The size of r's file (0 for a stream). */
uint64_t fund_reader_file_size(const struct fund_reader *r);
/* A reader of r's file from offset from (a record's start, on the
 * given line) to its end, in one pass. */
int fund_reader_open_rest(struct fund_reader **out, const struct fund_reader *r, uint64_t from,
			  unsigned long line, struct fund_error *err);
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
int fund_reader_open_stream_part(struct fund_reader **out, struct fund_reader *r,
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


/* 1 when a cJSON allocation failed on this thread since the last clear
 * (cJSON returns NULL for no memory as for bad JSON). */
int fund_cjson_nomem(int clear);

/* JSON records, streamed: see json.c. */
struct fund_json {
	struct fund_source *src;
	const char *name;
	const char *path;            /* --json-path, or NULL */
	char **path_keys;
	int npath;
	struct fund_buf in;          /* bytes not yet consumed */
	size_t pos;                  /* scan position in in */
	int eof;
	unsigned long line;          /* line at pos */
	int mode;                    /* see json.c */
	int depth;
	unsigned char stack[FUND_JSON_DEPTH + 2];
	char *keys[FUND_JSON_DEPTH + 2];   /* current member name per depth */
	int in_str, esc, key_pending, expect_key;
	struct fund_buf str;         /* the string being scanned */
	int rec_depth;               /* depth of the record array, -1 none */
	int in_rec;
	size_t rec_start;
	unsigned long rec_line;
	int cand_depth;              /* auto: depth of the candidate array */
	char *cand_key;
	int after_open;              /* just after '[' of a candidate */
	unsigned long nelem;
};

int fund_json_init(struct fund_json *j, struct fund_source *src, const char *name,
		   const char *path, struct fund_error *err);
/* Next record as a parsed cJSON object (caller frees): 1, 0 at end, <0. */
int fund_json_next(struct fund_json *j, cJSON **obj, unsigned long *line,
		   struct fund_error *err);
void fund_json_release(struct fund_json *j);

/* The work of fund_total_files and its kind: files read into eng by
 * fund_run (e, ro), the result written (write(eng, out, wo)), then what
 * happened told in sum (describe: zeroed first, left so when the reading
 * failed).  0 or a negative code with err set. */
int fund_run_write(const struct fund_engine *e, void *eng, const char *const *files, size_t n,
		   const struct fund_run_opts *ro, int (*write)(void *eng, FILE *out, const void *wo,
								struct fund_error *err),
		   FILE *out, const void *wo, int (*describe)(const void *eng, struct fund_summary *sum),
		   struct fund_summary *sum, struct fund_error *err);

/* A checker for a part of the file c is bound to, read on a thread: its
 * findings, and what the checks from row to row need of its rows, kept
 * until fund_check_merge says them, in file order, through c as one
 * pass would have (inherit: with the decimal mark c has learned).
 * fund_check_free frees it. */
int fund_check_fork(struct fund_check *c, int inherit, struct fund_check **out);
/* The reader a part's rows come from (or the rest of the file's, read in
 * one pass from a part that did not line up). */
void fund_check_bind_part(struct fund_check *c, const struct fund_reader *r);
/* The part's lines were numbered from 1: base is what they lack. */
void fund_check_relocate(struct fund_check *part, unsigned long base);
/* 0, 1 when the checking stopped (--max-errors), FUND_ERETRY when the
 * part read an amount otherwise than one pass would have (nothing said),
 * or another negative code. */
int fund_check_merge(struct fund_check *c, const struct fund_check *part, struct fund_error *err);

/* fund_writer_row with, for cell i, plain[i]: the fund_record.plain of
 * the field it is, 0 for a cell of another origin (plain NULL: none). */
int fund_writer_row_plain(struct fund_writer *w, const struct fund_cell *cells, const unsigned char *plain);

/* A zeroed table of bytes reached at random, in huge pages when it is
 * large (lib/group.c); freed by fund_table_free with the same size. */
void *fund_table_alloc(size_t bytes);
void fund_table_free(void *p, size_t bytes);

#pragma GCC visibility pop

#endif
