/* Internal to libfund: the reader's state, shared by lib/reader.c (opening,
 * sniffing, libcsv, records, columns), lib/csv_fast.c (the vectorised fast
 * path), lib/reader_json.c (JSON records as fields) and lib/reader_parts.c
 * (a file or a stream cut into parts). */
#ifndef FUND_READER_IMPL_H
#define FUND_READER_IMPL_H

#include "internal.h"
#include "sheet.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#pragma GCC visibility push(hidden)

/* the fast path takes lines of at most FAST_FIELDS fields */
#define FAST_FIELDS 256

/* libcsv's parser states (csv.h keeps them private) */
#define LIBCSV_ROW_NOT_BEGUN 0
#define LIBCSV_FIELD_BEGUN 2

/* The indexed fast path's index of a chunk (lib/csv_fast.c): from p,
 * nw words of 64 bytes classified, with q its quotes and x the quotes'
 * prefix XOR from p (a byte's bit set when an odd number of quotes is at
 * or before it), and as lists of offsets from p, in order, each ended by
 * IX_END: pos the structure (a delimiter outside quotes, any CR or LF),
 * le the CRs and LFs, bad the quotes out of place (one that opens a field
 * anywhere but at its start, or closes it before anything but a
 * delimiter, a line's end or a doubled quote), esc the quotes doubled
 * inside a quoted field, and when the blanks are kept (kb) eb those at a
 * field's edge (next to a delimiter outside quotes or a CR or LF); k, lc,
 * bc, ec, ebc: where the last line looked in each.  lim is the chunk's end; valid is cleared when the reader reads
 * another chunk. */
#define IX_WORDS 128
#define IX_END UINT32_MAX
struct fund_ix {
	const unsigned char *p, *lim;
	size_t nw;
	uint64_t in, carry, pend, carryb, pendb;
	int valid, kb;
	size_t npos, nle, nbad, nesc, neb, k, lc, bc, ec, ebc;
	uint64_t q[IX_WORDS], x[IX_WORDS];
	/* room for 16 written past the last entry and for IX_END */
	uint32_t pos[IX_WORDS * 64 + 16], le[IX_WORDS * 64 + 16];
	uint32_t bad[IX_WORDS * 64 + 16], esc[IX_WORDS * 64 + 16], eb[IX_WORDS * 64 + 16];
};

struct fund_reader {
	struct fund_source src;
	char *name;
	char *path;                  /* NULL for standard input */
	/* a part of a split input (fund_reader_split) */
	int is_part, part_clean, need_count;
	/* the memory of parts closed, for the next parts (of the reader
	 * that split, own_spares; a part has its pointers): [0] readers,
	 * [1] their sources' chunk buffers, [2] libcsv's field buffers */
	struct fund_spares *spares[3];
	int own_spares;
	int lines_later;             /* its lines numbered from 1: see split */
	int part_cut;                /* a part of a stream that ends before it */
	enum fund_encoding enc0;     /* the encoding it started with */
	uint64_t count_from, count_to;
	unsigned long base_line;
	int is_json, delim;
	char **colnames;
	size_t ncols;
	/* the record handed out */
	struct fund_buf fbuf;        /* field bytes, each NUL-terminated */
	size_t *off, *flen;
	const char **fields;
	unsigned char *nulls;
	size_t nf, fcap;
	struct fund_record rec;
	uint64_t nrec;
	int header_done;
	/* CSV */
	struct csv_parser csv;
	int csv_open;
	const unsigned char *chunk;
	/* chunk is a mapping's (read-only): the fast path copies the fields
	 * it hands out into fcopy instead of ending them in place */
	int chunk_ro;
	struct fund_buf fcopy;
	struct fund_ix ix;           /* the chunk's bitmaps (fast path) */
	/* blanks kept: a line cut by the chunk's end, its start carried to
	 * the next chunk, so that quote_by_blank looks at the whole line */
	struct fund_buf carry;
	size_t chunk_len, chunk_pos;
	unsigned long line;
	int pending_cr, in_record, rec_ready, csv_eof, too_many;
	int fast;                    /* the fast path for common lines */
	int keep_blanks;             /* fund_reader_opts.keep_blanks */
	int all_direct;              /* it set fields[], left in the chunk */
	/* fund_reader_only (when only): want[i] for the first FAST_FIELDS
	 * fields, 1 when the caller reads field i (always past the header).
	 * want_clear: the other slots of fields[] hold "" */
	int only;
	unsigned char want[FAST_FIELDS];
	unsigned short wlist[FAST_FIELDS];   /* the wanted columns, in order */
	size_t nwant;
	int want_clear;
	int blank;                   /* the record's blank, see fund_record */
	unsigned char plain;         /* the record's plain, see fund_record */
	unsigned long rec_line;
	/* JSON */
	struct fund_json json;
	cJSON *pending;              /* first record, read with the header */
	unsigned long pending_line;
	char ***paths;               /* per column: NULL-terminated keys */
	struct fund_buf unread_name; /* the record's first member that is no column */
	const struct cJSON **vals;   /* the record's member for each column */
	size_t nvals;
	size_t **path_rank;          /* per column, per key of its path: the rank of
				      * that member among its object's members of that
				      * name (a key twice: its m-th member) */
	/* a spreadsheet (lib/reader_sheet.c) */
	struct fund_book *book;
	struct sheet_row *look;      /* the rows read to find the header */
	size_t nlook, look_pos;
	struct sheet_row srow;
	unsigned long header_row;
};

/* libcsv's space function when the blanks are kept: none is a space. */
int fund_csv_no_space(unsigned char c);

/* A blank of a CSV line: a space, or a tab unless it is the delimiter. */
static inline int is_blank_c(int c, int d)
{
	return c == ' ' || (c == '\t' && d != '\t');
}

/* One 64-byte word of the line: the delimiters, quotes, line ends (CR,
 * LF) and blanks (space; tab unless it is the delimiter) as bitmaps. */
struct classes {
	uint64_t d, q, e, b;
};

#ifdef __SSE2__
static inline void classify(const unsigned char *p, unsigned char d, unsigned char tab, struct classes *c)
{
	const __m128i vd = _mm_set1_epi8((char)d), vq = _mm_set1_epi8('"');
	const __m128i vl = _mm_set1_epi8('\n'), vc = _mm_set1_epi8('\r');
	const __m128i vs = _mm_set1_epi8(' '), vt = _mm_set1_epi8((char)tab);
	int k;
	c->d = c->q = c->e = c->b = 0;
	for (k = 0; k < 64; k += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + k));
		c->d |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vd)) << k;
		c->q |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, vq)) << k;
		c->e |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vl),
									  _mm_cmpeq_epi8(v, vc))) << k;
		c->b |= (uint64_t)(unsigned)_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, vs),
									  _mm_cmpeq_epi8(v, vt))) << k;
	}
}
#else
static inline void classify(const unsigned char *p, unsigned char d, unsigned char tab, struct classes *c)
{
	size_t k;
	c->d = c->q = c->e = c->b = 0;
	for (k = 0; k < 64; k++) {
		c->d |= (uint64_t)(p[k] == d) << k;
		c->q |= (uint64_t)(p[k] == '"') << k;
		c->e |= (uint64_t)(p[k] == '\n' || p[k] == '\r') << k;
		c->b |= (uint64_t)(p[k] == ' ' || p[k] == tab) << k;
	}
}
#endif

#if FUND_AVX2
/* The same, 32 bytes at a time, on processors that have AVX2. */
__attribute__((target("avx2")))
static inline void classify_avx2(const unsigned char *p, unsigned char d, unsigned char tab, struct classes *c)
{
	const __m256i vd = _mm256_set1_epi8((char)d), vq = _mm256_set1_epi8('"');
	const __m256i vl = _mm256_set1_epi8('\n'), vc = _mm256_set1_epi8('\r');
	const __m256i vs = _mm256_set1_epi8(' '), vt = _mm256_set1_epi8((char)tab);
	__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
#define MASK64(x0, x1) ((uint64_t)(uint32_t)_mm256_movemask_epi8(x0) | \
			(uint64_t)(uint32_t)_mm256_movemask_epi8(x1) << 32)
	c->d = MASK64(_mm256_cmpeq_epi8(v0, vd), _mm256_cmpeq_epi8(v1, vd));
	c->q = MASK64(_mm256_cmpeq_epi8(v0, vq), _mm256_cmpeq_epi8(v1, vq));
	c->e = MASK64(_mm256_or_si256(_mm256_cmpeq_epi8(v0, vl), _mm256_cmpeq_epi8(v0, vc)),
		      _mm256_or_si256(_mm256_cmpeq_epi8(v1, vl), _mm256_cmpeq_epi8(v1, vc)));
	c->b = MASK64(_mm256_or_si256(_mm256_cmpeq_epi8(v0, vs), _mm256_cmpeq_epi8(v0, vt)),
		      _mm256_or_si256(_mm256_cmpeq_epi8(v1, vs), _mm256_cmpeq_epi8(v1, vt)));
#undef MASK64
}
#endif

/* Shared between the reader's files. */
int fund_rd_grow_fields(struct fund_reader *r, size_t need);
int fund_rd_add_field(struct fund_reader *r, const char *s, size_t n, int is_null);
void fund_rd_cb_row(int c, void *data);
/* A record is read whole (libcsv's row callback, fund_rd_cb_row, or the
 * fast path's line). */
static inline void fund_rd_row_done(struct fund_reader *r)
{
	r->rec_ready = 1;
	r->in_record = 0;
	r->rec.line = r->rec_line;
}
size_t fund_rd_fast_line(struct fund_reader *r, unsigned char *seg, size_t avail);
int fund_rd_open_json(struct fund_reader *r, const struct fund_reader_opts *o, struct fund_error *err);
int fund_rd_json_record(struct fund_reader *r, cJSON *o);
void fund_rd_free_path(char **p);
int fund_rd_count_lines(struct fund_reader *q, struct fund_error *err);
int fund_rd_open_sheet(struct fund_reader *r, const struct fund_reader_opts *o, struct fund_error *err);
int fund_rd_sheet_record(struct fund_reader *r, struct fund_error *err);
void fund_rd_close_sheet(struct fund_reader *r);

#pragma GCC visibility pop

#endif
