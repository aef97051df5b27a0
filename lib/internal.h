/* Internal to libfund: the byte source and the two record readers. */
#ifndef FUND_INTERNAL_H
#define FUND_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>
#include <zlib.h>
#include <csv.h>
#include <cjson/cJSON.h>
#include "fund/fund.h"

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

/* Bytes from a file or stdin, gunzipped, BOM removed, as UTF-8. */
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
};

int fund_source_open(struct fund_source *s, const char *path, const char *name,
		     enum fund_encoding enc, struct fund_error *err);
/* Next bytes of UTF-8: returns their count (0 at the end) and sets *data,
 * or a negative code.  want: try to gather at least that many bytes
 * (for sniffing); 0 = whatever one read gives. */
/* A part of a regular file: from file offset start (a line start, after
 * the header) up to limit (0: the end), in encoding enc (UTF-8 or auto,
 * as the whole file was opened), with no BOM or binary checks. */
int fund_source_open_part(struct fund_source *s, const char *path, const char *name,
			  enum fund_encoding enc, uint64_t start, uint64_t limit,
			  struct fund_error *err);
/* A part of a stream: the n bytes at p (not copied: they must stay
 * until s is closed), then fd's (not owned)
 * when fd >= 0; off: where p is in the stream. */
int fund_source_open_mem(struct fund_source *s, const unsigned char *p, size_t n, int fd,
			 uint64_t off, const char *name, enum fund_encoding enc, struct fund_error *err);
ssize_t fund_source_read(struct fund_source *s, const unsigned char **data,
			 size_t want, struct fund_error *err);
void fund_source_close(struct fund_source *s);

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

/* Growable byte buffer with a cap. */
struct fund_buf {
	char *p;
	size_t len, cap;
};
int fund_buf_reserve(struct fund_buf *b, size_t extra);
void fund_buf_release(struct fund_buf *b);

#endif

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
