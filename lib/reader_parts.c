/* A file or a stream cut into parts that readers on threads read (the
 * driver, lib/run.c, checks and merges them): where parts may start, the
 * lines before them, the parts' own readers. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "reader_impl.h"
#include "banned.h"

/* Physical lines in [from, to) of the file, as csv_record counts them
 * (LF, CR LF, lone CR), the line before from having ended in a CR when
 * pending_cr. */
/* Lines ended in b[0..n): memchr (glibc's is vectorised) from end to end */
/* The line ends of b[0..n) 64 bytes at a time while a byte follows the
 * block: the LFs, and the CRs not followed by a LF.  Returns the lines
 * ended, and in *done the bytes looked at. */
static unsigned long eol_blocks(const unsigned char *b, size_t n, size_t *done)
{
	unsigned long lines = 0;
	size_t i;
	for (i = 0; i + 64 < n; i += 64) {
		struct classes c;
		uint64_t lf, cr;
		classify(b + i, '\n', '\r', &c);     /* d: the LFs; e: LFs and CRs */
		lf = c.d;
		cr = c.e & ~lf;
		lines += (unsigned long)__builtin_popcountll(lf) +
			(unsigned long)__builtin_popcountll(cr & ~((lf >> 1) | ((uint64_t)(b[i + 64] == '\n') << 63)));
	}
	*done = i;
	return lines;
}

#if FUND_AVX2
__attribute__((target("avx2,popcnt")))
static unsigned long eol_blocks_avx2(const unsigned char *b, size_t n, size_t *done)
{
	const __m256i vl = _mm256_set1_epi8('\n'), vc = _mm256_set1_epi8('\r');
	unsigned long lines = 0;
	size_t i;
	for (i = 0; i + 64 < n; i += 64) {
		__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(b + i));
		__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(b + i + 32));
		uint64_t lf = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, vl)) |
			(uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, vl)) << 32;
		uint64_t cr = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v0, vc)) |
			(uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(v1, vc)) << 32;
		lines += (unsigned long)__builtin_popcountll(lf) +
			(unsigned long)__builtin_popcountll(cr & ~((lf >> 1) | ((uint64_t)(b[i + 64] == '\n') << 63)));
	}
	*done = i;
	return lines;
}
#endif

/* The lines ended in b[0..n): each LF, each CR not followed by a LF (a
 * CR at the end is carried in *prev_cr to the next block). */
static unsigned long count_eol(const unsigned char *b, size_t n, unsigned *prev_cr)
{
	unsigned long lines = 0;
	size_t i;
	if (n == 0)
		return 0;
	if (*prev_cr && b[0] != '\n')
		lines++;
#if FUND_AVX2
	if (fund_cpu_avx2)
		lines += eol_blocks_avx2(b, n, &i);
	else
#endif
		lines += eol_blocks(b, n, &i);
	for (; i < n; i++)
		if (b[i] == '\n' || (b[i] == '\r' && i + 1 < n && b[i + 1] != '\n'))
			lines++;
	*prev_cr = b[n - 1] == '\r';
	return lines;
}

int fund_rd_count_lines(struct fund_reader *q, struct fund_error *err)
{
	enum { BLK = 1 << 18 };        /* stays in the processor's cache */
	unsigned char *b = malloc(BLK);
	uint64_t at = q->count_from;
	unsigned long lines = 0;
	unsigned prev_cr = (unsigned)q->pending_cr;

	if (!b)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	while (at < q->count_to) {
		size_t want = q->count_to - at < BLK ? (size_t)(q->count_to - at) : BLK;
		ssize_t got = pread(q->src.fd, b, want, (off_t)at);
		if (got <= 0) {
			free(b);
			if (got == 0)
				return fund_error_set(err, FUND_EIO, "%s: the file shrank while it was read", q->name);
			return fund_error_set(err, FUND_EIO, "%s: read error", q->name);
		}
		lines += count_eol(b, (size_t)got, &prev_cr);
		at += (uint64_t)got;
	}
	free(b);
	q->line += lines;
	q->pending_cr = 0;
	q->base_line = q->line;
	return 0;
}

/* Spares for r's parts' memory, which they give back when closed (none
 * when there is no memory for them: each part then has its own). */
static void part_spares(struct fund_reader *r)
{
	size_t i;
	if (r->spares[0])
		return;
	for (i = 0; i < 3; i++)
		if (fund_spares_new(&r->spares[i])) {
			while (i)
				fund_spares_free(&r->spares[--i]);
			return;
		}
	r->own_spares = 1;
}

/* A reader for a part of r's input, its source not opened yet: r's name,
 * header, delimiter and parser options. */
static struct fund_reader *part_new(const struct fund_reader *r)
{
	struct fund_buf m = r->spares[0] ? fund_spares_take(r->spares[0]) : (struct fund_buf){ NULL, 0, 0 };
	struct fund_reader *q;
	size_t i;

	/* a closed part's memory, already there (no fresh pages to fault) */
	if (m.p)
		q = memset(m.p, 0, sizeof(*q));
	else if (!(q = calloc(1, sizeof(*q))))
		return NULL;
	memcpy(q->spares, r->spares, sizeof(q->spares));
	q->src.fd = -1;
	q->name = strdup(r->name);
	q->path = r->path ? strdup(r->path) : NULL;
	q->colnames = calloc(r->ncols ? r->ncols : 1, sizeof(char *));
	if (!q->name || (r->path && !q->path) || !q->colnames || csv_init(&q->csv, 0)) {
		fund_reader_close(&q);
		return NULL;
	}
	q->csv_open = 1;
	if (q->spares[2]) {
		/* (libcsv frees it with free, as a buffer of its own) */
		struct fund_buf b = fund_spares_take(q->spares[2]);
		q->csv.entry_buf = (unsigned char *)b.p;
		q->csv.entry_size = b.cap;
	}
	for (i = 0; i < r->ncols; i++) {
		if (!(q->colnames[i] = strdup(r->colnames[i]))) {
			fund_reader_close(&q);
			return NULL;
		}
		q->ncols++;
	}
	csv_set_blk_size(&q->csv, 1u << 20);
	csv_set_delim(&q->csv, (unsigned char)r->delim);
	q->delim = r->delim;
	q->fast = r->fast;
	q->keep_blanks = r->keep_blanks;
	if (q->keep_blanks)
		csv_set_space_func(&q->csv, fund_csv_no_space);
	q->only = r->only;
	memcpy(q->want, r->want, sizeof(q->want));
	memcpy(q->wlist, r->wlist, sizeof(q->wlist));
	q->nwant = r->nwant;
	q->chunk = (const unsigned char *)"";
	q->header_done = 1;
	q->is_part = 1;
	q->enc0 = r->src.enc;
	q->line = q->base_line = r->line;
	q->pending_cr = r->pending_cr;
	return q;
}

static int open_part(struct fund_reader **out, const struct fund_reader *r, uint64_t hdr,
		     uint64_t start, uint64_t limit, int later, struct fund_error *err)
{
	struct fund_reader *q = part_new(r);
	int rc;

	*out = NULL;
	if (!q)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	rc = fund_source_open_part(&q->src, q->path, q->name, r->src.enc, start, limit, 1, q->spares[1], err);
	if (rc) {
		fund_reader_close(&q);
		return rc;
	}
	if (later && start > hdr) {
		/* after a newline: its lines from 1, the caller adds where
		 * it starts */
		q->lines_later = 1;
		q->line = q->base_line = 1;
		q->pending_cr = 0;
	} else {
		q->need_count = start > hdr;
		q->count_from = hdr;
		q->count_to = start;
	}
	*out = q;
	return 0;
}

int fund_reader_stream_rest(const struct fund_reader *r, const unsigned char **p, size_t *n,
			    const unsigned char **carry, size_t *ncarry, uint64_t *off)
{
	if (r->is_json || r->book || r->path || r->src.gz || !r->src.passthrough ||
	    (r->src.enc != FUND_ENC_AUTO && r->src.enc != FUND_ENC_UTF8) || !r->ncols ||
	    r->csv_eof || r->src.eof || r->csv.pstate != LIBCSV_ROW_NOT_BEGUN || r->in_record ||
	    r->src.raw_pos != r->src.raw_len)
		return -1;
	*p = r->chunk + r->chunk_pos;
	*n = r->chunk_len - r->chunk_pos;
	*carry = r->src.carry;
	*ncarry = r->src.ncarry;
	*off = r->src.out_off - *n;
	return 0;
}

int fund_reader_open_stream_part(struct fund_reader **out, struct fund_reader *r,
				 const unsigned char *p, size_t n, uint64_t off, int then_fd, int cut,
				 unsigned long line, int pending_cr, struct fund_error *err)
{
	struct fund_reader *q;
	int rc;

	part_spares(r);
	q = part_new(r);

	*out = NULL;
	if (!q)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	rc = fund_source_open_mem(&q->src, p, n, then_fd ? r->src.fd : -1, off, q->name, r->src.enc, q->spares[1],
				  err);
	if (rc) {
		fund_reader_close(&q);
		return rc;
	}
	q->part_cut = cut;
	q->line = q->base_line = line;
	q->pending_cr = pending_cr;
	*out = q;
	return 0;
}

/* 1 when line[0..n) (its end of line removed) reads as one whole record
 * of ncols fields, quotes in their places: the start of a part is chosen
 * where a record seems to start, so that a quoted field with newlines is
 * seldom cut (fund_reader_part_ok says whether it was). */
static int whole_record(const unsigned char *p, size_t n, int d, size_t ncols)
{
	const unsigned char *end = p + n;
	size_t nf = 0;
	for (;;) {
		while (p < end && is_blank_c(*p, d))
			p++;
		if (p < end && *p == '"') {
			for (p++;; p += 2) {
				while (p < end && *p != '"')
					p++;
				if (p == end)
					return 0;
				if (p + 1 == end || p[1] != '"')
					break;
			}
			p++;
			while (p < end && is_blank_c(*p, d))
				p++;
			if (p < end && *p != d)
				return 0;
		} else {
			while (p < end && *p != d)
				if (*p++ == '"')
					return 0;
		}
		nf++;
		if (p == end)
			return nf == ncols;
		p++;
	}
}

/* Where a part should start, at or after offset at (before end): after
 * the first newline followed by a line that reads as a whole record, else
 * after the first newline; looked for in the next 16 KiB, then in the
 * next 256 KiB.  0 and *start set, or 1 when there is none. */
static int part_start_in(const struct fund_reader *r, uint64_t at, uint64_t end, size_t win, uint64_t *start,
			 int *whole)
{
	unsigned char *b = malloc(win);
	const unsigned char *p, *e, *q;
	ssize_t got;
	int found = 1;

	*whole = 0;
	if (!b)
		return 1;
	got = pread(r->src.fd, b, end - at < win ? (size_t)(end - at) : win, (off_t)at);
	if (got > 0) {
		e = b + got;
		p = memchr(b, '\n', (size_t)got);
		if (p) {
			*start = at + (uint64_t)(p - b) + 1;
			found = 0;
		}
		for (; p && (q = memchr(p + 1, '\n', (size_t)(e - p - 1))) != NULL; p = q) {
			size_t n = (size_t)(q - p - 1);
			if (n && p[n] == '\r')
				n--;
			if (whole_record(p + 1, n, r->delim, r->ncols)) {
				*start = at + (uint64_t)(p - b) + 1;
				*whole = 1;
				break;
			}
		}
	}
	free(b);
	return found;
}

static int part_start(const struct fund_reader *r, uint64_t at, uint64_t end, uint64_t *start)
{
	int whole, rc = part_start_in(r, at, end, 16u << 10, start, &whole);
	if (whole || end - at <= (16u << 10))
		return rc;
	return part_start_in(r, at, end, 256u << 10, start, &whole);
}

size_t fund_reader_cut(const struct fund_reader *r, const unsigned char *p, size_t n, size_t at)
{
	const unsigned char *e = p + n, *q = at < n ? memchr(p + at, '\n', n - at) : NULL, *x;
	for (; q && (x = memchr(q + 1, '\n', (size_t)(e - q - 1))) != NULL; q = x) {
		size_t len = (size_t)(x - q - 1);
		if (len && q[len] == '\r')
			len--;
		if (whole_record(q + 1, len, r->delim, r->ncols))
			return (size_t)(q - p) + 1;
	}
	return 0;
}

unsigned long fund_lines(const unsigned char *p, size_t n, unsigned *prev_cr)
{
	return count_eol(p, n, prev_cr);
}

/* Whether r's file can be read in parts from where r is (after its
 * header): a regular file of CSV, neither compressed nor transcoded. */
static int splittable(const struct fund_reader *r)
{
	return !(r->is_json || r->book || !r->path || !r->src.size || r->src.gz || !r->src.passthrough ||
		 (r->src.enc != FUND_ENC_AUTO && r->src.enc != FUND_ENC_UTF8) || !r->ncols || r->csv_eof ||
		 r->csv.pstate != LIBCSV_ROW_NOT_BEGUN || r->in_record);
}

/* Where r is in its file: the offset of the first byte it has not read. */
static uint64_t offset_of(const struct fund_reader *r)
{
	return r->src.out_off - (r->chunk_len - r->chunk_pos);
}

#define COUNT_COST 0.2
int fund_reader_split(struct fund_reader *r, size_t n, uint64_t min_part, int flags,
		      struct fund_reader **parts, struct fund_error *err)
{
	const double cost = flags & FUND_SPLIT_LINES_LATER ? 0 : COUNT_COST;
	uint64_t starts[FUND_PARTS_MAX + 1], hdr, size = r->src.size, span;
	size_t np = 0, k;
	double qk, qn;

	if (n > FUND_PARTS_MAX)
		n = FUND_PARTS_MAX;
	if (n < 2 || !splittable(r))
		return 1;
	hdr = offset_of(r);
	if (hdr >= size)
		return 1;
	span = size - hdr;
	if (min_part < 1)
		min_part = 1;
	if (span / n < min_part)
		n = (size_t)(span / min_part);
	if (n < 2)
		return 1;
	starts[np++] = hdr;
	/* part k first counts the lines before it (for its line numbers),
	 * about COUNT_COST of the time it takes to read them: later parts
	 * get less to read, so that all end together.  With q = 1 - COUNT_COST,
	 * part k starts at (1 - q^k) / (1 - q^n) of the span; at k / n when
	 * the parts do not count (FUND_SPLIT_LINES_LATER). */
	for (k = 1, qk = 1, qn = 1; k <= n; k++)
		qn *= 1 - cost;
	for (k = 1; k < n; k++) {
		uint64_t at, nl = 0;
		qk *= 1 - cost;
		at = hdr + (cost > 0 ? (uint64_t)((double)span * (1 - qk) / (1 - qn)) : span / n * k);
		if (at < starts[np - 1])
			at = starts[np - 1];
		if (part_start(r, at, size, &nl) || nl >= size)
			break;
		starts[np++] = nl;
	}
	if (np < 2)
		return 1;
	starts[np] = 0;
	part_spares(r);
	for (k = 0; k < np; k++) {
		int rc = open_part(&parts[k], r, hdr, starts[k], starts[k + 1], flags & FUND_SPLIT_LINES_LATER, err);
		if (rc) {
			while (k)
				fund_reader_close(&parts[--k]);
			return rc;
		}
	}
	return (int)np;
}

int fund_reader_next_part(struct fund_reader *r, uint64_t from, uint64_t part, struct fund_reader **out,
			  uint64_t *start, uint64_t *end, struct fund_error *err)
{
	uint64_t size = r->src.size, hdr, at, nl = 0;
	int rc;

	*out = NULL;
	if (!splittable(r))
		return 0;
	hdr = offset_of(r);
	if (from < hdr)
		from = hdr;
	if (part < 1)
		part = 1;
	if (from >= size)
		return 0;
	*start = from;
	/* it ends where the next part starts, or at the file's end */
	at = from + part;
	*end = at >= size || size - at < part / 2 || part_start(r, at, size, &nl) || nl >= size ? size : nl;
	part_spares(r);
	if ((rc = open_part(out, r, hdr, from, *end < size ? *end : 0, 1, err)))
		return rc;
	return 1;
}

uint64_t fund_reader_file_size(const struct fund_reader *r) { return r->path ? r->src.size : 0; }

int fund_reader_open_rest(struct fund_reader **out, const struct fund_reader *r, uint64_t from,
			  unsigned long line, struct fund_error *err)
{
	int rc = open_part(out, r, offset_of(r), from, 0, 1, err);
	if (rc)
		return rc;
	(*out)->lines_later = 0;
	(*out)->need_count = 0;
	(*out)->line = (*out)->base_line = line;
	(*out)->pending_cr = 0;
	return 0;
}

int fund_reader_part_ok(const struct fund_reader *q, const struct fund_reader *next)
{
	if (!q->is_part || !q->part_clean || q->src.enc != q->enc0)
		return 0;
	return !next || next->lines_later || (!next->need_count && next->base_line == q->line);
}

unsigned long fund_reader_first_line(const struct fund_reader *q) { return q->base_line; }
int fund_reader_lines_known(const struct fund_reader *q) { return !q->lines_later; }
