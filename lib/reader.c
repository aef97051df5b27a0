/* One reader over CSV (libcsv) and JSON (cJSON): sniffing, header, records
 * with the physical line where they start, columns by name or index. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "banned.h"
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* the fast path takes lines of at most FAST_FIELDS fields */
#define FAST_FIELDS 256

/* libcsv's parser states (csv.h keeps them private) */
#define LIBCSV_ROW_NOT_BEGUN 0
#define LIBCSV_FIELD_BEGUN 2

struct fund_reader {
	struct fund_source src;
	char *name;
	char *path;                  /* NULL for standard input */
	/* a part of a split input (fund_reader_split) */
	int is_part, part_clean, need_count;
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
	size_t chunk_len, chunk_pos;
	unsigned long line;
	int pending_cr, in_record, rec_ready, csv_eof, too_many;
	int fast;                    /* the fast path for common lines */
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
	unsigned long rec_line;
	/* JSON */
	struct fund_json json;
	cJSON *pending;              /* first record, read with the header */
	unsigned long pending_line;
	char ***paths;               /* per column: NULL-terminated keys */
};

static int grow_fields(struct fund_reader *r, size_t need)
{
	size_t cap;
	void *a, *b, *c, *d;
	if (need <= r->fcap)
		return 0;
	cap = r->fcap ? r->fcap * 2 : 32;
	while (cap < need)
		cap *= 2;
	a = realloc(r->off, cap * sizeof(*r->off));
	if (a) r->off = a;
	b = realloc(r->flen, cap * sizeof(*r->flen));
	if (b) r->flen = b;
	c = realloc(r->fields, cap * sizeof(*r->fields));
	if (c) r->fields = c;
	d = realloc(r->nulls, cap);
	if (d) r->nulls = d;
	if (!a || !b || !c || !d)
		return FUND_ENOMEM;
	r->fcap = cap;
	return 0;
}

static int add_field(struct fund_reader *r, const char *s, size_t n, int is_null)
{
	if (r->nf >= FUND_COLUMNS_MAX) {
		r->too_many = 1;
		return 0;
	}
	if ((r->nf >= r->fcap && grow_fields(r, r->nf + 1)) ||
	    (r->fbuf.len + n + 1 > r->fbuf.cap && fund_buf_reserve(&r->fbuf, n + 1)))
		return FUND_ENOMEM;
	r->off[r->nf] = r->fbuf.len;
	r->flen[r->nf] = n;
	r->nulls[r->nf] = (unsigned char)is_null;
	if (n)
		memcpy(r->fbuf.p + r->fbuf.len, s, n);
	r->fbuf.p[r->fbuf.len + n] = '\0';
	r->fbuf.len += n + 1;
	r->nf++;
	return 0;
}

static void cb_field(void *s, size_t n, void *data)
{
	struct fund_reader *r = data;
	if (add_field(r, s ? s : "", s ? n : 0, 0))
		r->too_many = 2;
}

static void cb_row(int c, void *data)
{
	struct fund_reader *r = data;
	(void)c;
	r->rec_ready = 1;
	r->in_record = 0;
	r->rec.line = r->rec_line;
}

/* The fast path (fast_line, then scalar_line) splits the common lines as
 * libcsv would; tests/fuzz/fuzz_csv_diff.c and case
 * "csv-fast-path-differential" hold them to the same records.  A line of
 * more than FAST_FIELDS fields goes to libcsv. */
static int is_blank_c(int c, int d)
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

/* The bitmaps of the line at p, 64 bytes a word, up to its end (the
 * first CR or LF, at *ll): its delimiters dm, quotes qm and blanks bm.
 * p may be read up to 63 bytes beyond avail (the source pads its buffers
 * with SRC_PAD zeros).  Returns the number of words, or 0 when the line
 * does not end within avail bytes or FAST_LINE.  One body for each
 * classify: STRUCTURE(name, classify, attributes). */
#define FAST_LINE 4096
#define STRUCTURE(name, classify_fn, attr)                                           \
attr static size_t name(const unsigned char *p, size_t avail, unsigned char d,       \
			uint64_t *dm, uint64_t *qm, uint64_t *bm, size_t *ll)         \
{                                                                                     \
	const unsigned char tab = d == '\t' ? ' ' : '\t';                             \
	size_t w;                                                                     \
	for (w = 0; w < FAST_LINE / 64 && w * 64 < avail; w++) {                      \
		struct classes c;                                                     \
		classify_fn(p + w * 64, d, tab, &c);                                  \
		if (avail - w * 64 < 64)                                              \
			c.e &= (1ull << (avail - w * 64)) - 1;                        \
		if (c.e) {                                                            \
			uint64_t keep = (1ull << __builtin_ctzll(c.e)) - 1;           \
			dm[w] = c.d & keep;                                           \
			qm[w] = c.q & keep;                                           \
			bm[w] = c.b & keep;                                           \
			*ll = w * 64 + (size_t)__builtin_ctzll(c.e);                  \
			return w + 1;                                                 \
		}                                                                     \
		dm[w] = c.d;                                                          \
		qm[w] = c.q;                                                          \
		bm[w] = c.b;                                                          \
	}                                                                             \
	return 0;                                                                     \
}
STRUCTURE(structure, classify, )
#if FUND_AVX2
STRUCTURE(structure_avx2, classify_avx2, __attribute__((target("avx2"))))
#endif

/* The first bit set at or after a, or len. */
static inline size_t next_bit(const uint64_t *bm, size_t nw, size_t a, size_t len)
{
	size_t w = a >> 6;
	uint64_t x;
	if (w >= nw)
		return len;
	x = bm[w] & (~0ull << (a & 63));
	while (!x) {
		if (++w >= nw)
			return len;
		x = bm[w];
	}
	return (w << 6) + (size_t)__builtin_ctzll(x);
}

/* A quoted field's text, "" read as ", in place: its new length. */
static size_t unescape(char *f, size_t len)
{
	size_t k, o = 0;
	for (k = 0; k < len; k++) {
		f[o++] = f[k];
		if (f[k] == '"')
			k++;
	}
	return o;
}

/* A line the fast path split into nf fields (none: a line of blanks) is
 * over: the record handed out, the line's end counted as csv_record
 * counts it.  Returns the bytes the line took. */
static size_t line_done(struct fund_reader *r, size_t nf, int blank, unsigned char eol, size_t used,
			size_t ll, size_t avail)
{
	if (nf) {
		r->nf = nf;
		r->all_direct = 1;
		r->blank = blank;
		r->rec_line = r->line;
		cb_row(0, r);
	}
	if (eol == '\r' && used == ll + 1 && ll + 1 == avail)
		r->pending_cr = 1;
	else
		r->line++;
	return used;
}

/* The fast path's second tier, byte by byte over the bitmaps of the line
 * at seg (avail bytes in the chunk): the line split as libcsv splits it,
 * for the common records: unquoted fields, blanks
 * (space, tab unless tab is the delimiter) trimmed at both ends; quoted
 * fields closed on the line, "" for a quote, blanks allowed around them;
 * a line of blanks is no record.  Returns the bytes consumed (the line and
 * its end: LF, CR LF or CR), or 0, having changed nothing, for anything
 * else (a quote inside an unquoted field, text after a closing quote, a
 * field open at the end of the line, a line longer than FAST_LINE or not
 * ended in the chunk, more than FAST_FIELDS fields): libcsv reads it.
 * tests/fuzz/fuzz_csv_diff.c and case "csv-fast-path-differential" hold
 * the two parsers to the same records. */
static size_t scalar_line(struct fund_reader *r, unsigned char *seg, size_t avail,
			  const uint64_t *dm, const uint64_t *qm, size_t nw, size_t ll)
{
	uint64_t anyq = 0;
	size_t st[FAST_FIELDS], fl[FAST_FIELDS];
	unsigned char esc[FAST_FIELDS], eol;
	size_t nf = 0, i, pos = 0, nq, used;
	const unsigned char d = (unsigned char)r->delim;

	eol = seg[ll];
	used = ll + 1;
	if (eol == '\r' && ll + 1 < avail && seg[ll + 1] == '\n')
		used++;
	for (i = 0; i < ll && is_blank_c(seg[i], d); i++)
		;
	if (i < ll) {
		/* a record */
		for (i = 0; i < nw; i++)
			anyq |= qm[i];
		nq = anyq ? next_bit(qm, nw, 0, ll) : ll;    /* the next quote */
		for (;;) {
			size_t a = pos, b = next_bit(dm, nw, pos, ll), t;
			if (nf == FAST_FIELDS)
				return 0;
			if (nq < a)
				nq = next_bit(qm, nw, a, ll);
			esc[nf] = 0;
			if (nq >= b) {
				/* no quote in the field: blanks trimmed */
				t = b;
				while (a < t && is_blank_c(seg[a], d))
					a++;
				while (t > a && is_blank_c(seg[t - 1], d))
					t--;
				st[nf] = a;
				fl[nf] = t - a;
			} else {
				/* a quote: the field must be quoted whole, closed
				 * on the line, "" for a quote, blanks around */
				size_t q;
				while (a < ll && is_blank_c(seg[a], d))
					a++;
				if (seg[a] != '"')
					return 0;
				for (q = a + 1;;) {
					q = next_bit(qm, nw, q, ll);
					if (q == ll)
						return 0;
					if (q + 1 < ll && seg[q + 1] == '"') {
						esc[nf] = 1;
						q += 2;
						continue;
					}
					break;
				}
				st[nf] = a + 1;
				fl[nf] = q - a - 1;
				b = q + 1;
				while (b < ll && is_blank_c(seg[b], d))
					b++;
				if (b < ll && seg[b] != d)
					return 0;
				nq = q + 1;
			}
			nf++;
			if (b == ll)
				break;
			pos = b + 1;
		}
		/* the fields stay in the chunk (our own buffer), each ended
		 * by a NUL written over what follows it: a delimiter, a
		 * blank, a closing quote, the end of the line (read above) */
		for (i = 0; i < nf; i++) {
			char *f = (char *)seg + st[i];
			size_t len = fl[i];
			if (esc[i])
				len = unescape(f, len);
			f[len] = '\0';
			r->fields[i] = f;
			r->flen[i] = len;
		}
		r->want_clear = 0;
	}
	return line_done(r, nf, -1, eol, used, ll, avail);
}

/* x with every bit set from each set bit up to the next one, the first
 * included and the second not: the bytes inside quotes, when x marks the
 * quotes (opening quotes included, closing quotes not). */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

static inline size_t popcount64(uint64_t x)
{
#ifdef __POPCNT__
	return (size_t)__builtin_popcountll(x);
#else
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
	return (size_t)((x * 0x0101010101010101ull) >> 56);
#endif
}

/* The index of the lowest bit set; 63 for none (no branch). */
static inline uint32_t ctz64(uint64_t x)
{
	return (uint32_t)__builtin_ctzll(x | (1ull << 63));
}

/* Field j of a line the fast path took: seg[s..e), e its delimiter or
 * the line's end, quoted whole ("" inside is a quote when esc) or with
 * blanks to trim (when trim); ended by a NUL written over what follows it
 * (a delimiter, a blank, a closing quote, the line's end: read before). */
static inline void cut_field(struct fund_reader *r, unsigned char *seg, size_t s, size_t e,
			     size_t j, uint64_t esc, uint64_t trim)
{
	char *f = (char *)seg + s;
	size_t len = e - s;
	const unsigned char d = (unsigned char)r->delim;
	if (*f == '"') {
		f++;
		len -= 2;
		if (esc)
			len = unescape(f, len);
	} else if (trim) {
		while (len && is_blank_c((unsigned char)*f, d)) {
			f++;
			len--;
		}
		while (len && is_blank_c((unsigned char)f[len - 1], d))
			len--;
	}
	f[len] = '\0';
	r->fields[j] = f;
	r->flen[j] = len;
}

/* The fast path proper, on the bitmaps of the line (see scalar_line for
 * what it must agree with): the quotes' prefix XOR tells the bytes inside
 * quoted fields, so the delimiters outside them split the line.  It takes
 * the lines whose quotes all open a field (first on the line or just after
 * a delimiter) or double a quote inside one, and close it just before a
 * delimiter or the end of the line; anything else (a blank next to a quote,
 * a quote inside an unquoted field, a field open at the end) goes to
 * scalar_line, which takes blanks around quoted fields, then to libcsv. */
static size_t fast_line(struct fund_reader *r, unsigned char *seg, size_t avail)
{
	uint64_t dm[FAST_LINE / 64], qm[FAST_LINE / 64];
	uint64_t rd[FAST_LINE / 64], qo[FAST_LINE / 64], qc[FAST_LINE / 64], bm[FAST_LINE / 64];
	size_t nw, ll, w, used, nf;
	uint64_t in = 0, bad = 0, anyq = 0, esc = 0, trim = 0, oth, tabs, c;
	uint32_t ends[FAST_FIELDS + 4];
	int blank;
	unsigned char eol;
	const unsigned char d = (unsigned char)r->delim;

	if ((r->fcap < FAST_FIELDS && grow_fields(r, FAST_FIELDS)) ||
	    !(nw =
#if FUND_AVX2
	      fund_cpu_avx2 ? structure_avx2(seg, avail, d, dm, qm, bm, &ll) :
#endif
	      structure(seg, avail, d, dm, qm, bm, &ll)))
		return 0;
	if (ll == 0 || is_blank_c(seg[0], d))
		return scalar_line(r, seg, avail, dm, qm, nw, ll);
	for (w = 0; w < nw; w++)
		anyq |= qm[w];
	if (!anyq) {
		memcpy(rd, dm, nw * sizeof(*rd));
		rd[nw - 1] |= 1ull << (ll & 63);        /* the line's end */
	} else {
		/* rd[]: the delimiters outside quotes and the line's end;
		 * qo[] the opening quotes, qc[] the closing ones */
		for (w = 0; w < nw; w++) {
			uint64_t x = prefix_xor(qm[w]) ^ in;
			in = (uint64_t)0 - (x >> 63);
			rd[w] = dm[w] & ~x;
			qo[w] = qm[w] & x;
			qc[w] = qm[w] & ~x;
		}
		if (in)         /* a quoted field open at the line's end */
			return scalar_line(r, seg, avail, dm, qm, nw, ll);
		rd[nw - 1] |= 1ull << (ll & 63);
		/* an opening quote first on the line, after a delimiter or
		 * after a closing quote ("" inside a field); a closing quote
		 * before a delimiter, the line's end or an opening quote */
		for (w = 0, c = 1; w < nw; w++) {
			uint64_t x = rd[w] | qc[w];
			uint64_t after = ((rd[w] | qo[w]) >> 1) |
				(w + 1 < nw ? (rd[w + 1] | qo[w + 1]) << 63 : 0);
			bad |= (qo[w] & ~((x << 1) | c)) | (qc[w] & ~after);
			esc |= qo[w] & ((qc[w] << 1) | (w ? qc[w - 1] >> 63 : 0));
			c = x >> 63;
		}
		if (bad)
			return scalar_line(r, seg, avail, dm, qm, nw, ll);
	}
	if (ll >= FAST_FIELDS) {
		/* a line shorter than that has fewer fields */
		for (w = 0, nf = 0; w < nw; w++)
			nf += popcount64(rd[w]);
		if (nf > FAST_FIELDS)
			return 0;
	}
	/* blanks to trim: a blank just after a delimiter (the line does
	 * not start with one), or just before one or the line's end */
	for (w = 0, c = 0; w < nw; w++) {
		uint64_t x = rd[w];
		trim |= bm[w] & ((x << 1) | c | (x >> 1) | (w + 1 < nw ? rd[w + 1] << 63 : 0));
		c = x >> 63;
	}
	/* a byte that is not a delimiter outside quotes, a quote or a
	 * blank (space, tab: fund_blank's, a quoted tab in a TSV line too)
	 * is in some field: the record is not blank; with none, it is,
	 * unless a quoted field holds a quote ("") */
	tabs = d == '\t' ? ~0ull : 0;
	for (w = 0, oth = 0; w + 1 < nw; w++)
		oth |= ~(rd[w] | qm[w] | bm[w] | (dm[w] & tabs));
	oth |= ~(rd[w] | qm[w] | bm[w] | (dm[w] & tabs)) & ((1ull << (ll & 63)) - 1);
	blank = oth ? 0 : esc ? -1 : 1;
	eol = seg[ll];
	used = ll + 1;
	if (eol == '\r' && ll + 1 < avail && seg[ll + 1] == '\n')
		used++;
	/* where each field ends (a delimiter or the line's end), four at
	 * a time without a branch: entries past a word's count are written
	 * over by the next word, or not read */
	nf = 0;
	for (w = 0; w < nw; w++) {
		uint64_t x = rd[w];
		const uint32_t base = (uint32_t)(w << 6);
		size_t cnt = popcount64(x), k;
		for (k = 0; k < cnt; k += 4) {
			ends[nf + k] = base + ctz64(x);
			x &= x - 1;
			ends[nf + k + 1] = base + ctz64(x);
			x &= x - 1;
			ends[nf + k + 2] = base + ctz64(x);
			x &= x - 1;
			ends[nf + k + 3] = base + ctz64(x);
			x &= x - 1;
		}
		nf += cnt;
	}
	/* the fields the caller reads (fund_reader_only; the others are
	 * left "") but all of a record that must be looked at for blanks */
	if (blank >= 0 && r->only) {
		size_t k, j;
		if (!r->want_clear) {
			for (j = 0; j < FAST_FIELDS; j++)
				if (!r->want[j]) {
					r->fields[j] = "";
					r->flen[j] = 0;
				}
			r->want_clear = 1;
		}
		for (k = 0; k < r->nwant && (j = r->wlist[k]) < nf; k++)
			cut_field(r, seg, j ? ends[j - 1] + 1 : 0, ends[j], j, esc, trim);
		for (j = r->ncols; j < nf; j++)
			cut_field(r, seg, j ? ends[j - 1] + 1 : 0, ends[j], j, esc, trim);
	} else {
		size_t j;
		for (j = 0; j < nf; j++)
			cut_field(r, seg, j ? ends[j - 1] + 1 : 0, ends[j], j, esc, trim);
		r->want_clear = 0;
	}
	return line_done(r, nf, blank, eol, used, ll, avail);
}

static void publish(struct fund_reader *r)
{
	size_t i;
	if (!r->all_direct) {
		for (i = 0; i < r->nf; i++)
			r->fields[i] = r->fbuf.p + r->off[i];
		r->want_clear = 0;
		r->blank = -1;
	}
	r->rec.blank = r->blank;
	r->rec.n = r->nf;
	r->rec.fields = r->fields;
	r->rec.len = r->flen;
	r->rec.is_null = r->is_json ? r->nulls : NULL;
}

static int csv_fail(struct fund_reader *r, struct fund_error *err, int code,
		    unsigned long line, const char *what)
{
	return fund_error_at(err, code, r->name, line, NULL, NULL, 0, "%s", what);
}

/* Read the next CSV record into the field buffer: 1, 0 at end, < 0. */
static int csv_record(struct fund_reader *r, struct fund_error *err)
{
	r->nf = 0;
	r->fbuf.len = 0;
	r->all_direct = 0;
	r->rec_ready = 0;
	r->too_many = 0;
	while (!r->rec_ready) {
		const unsigned char *seg, *end, *p;
		unsigned char eol;
		size_t n;
		if (r->csv_eof)
			return 0;
		if (r->chunk_pos == r->chunk_len) {
			ssize_t got = fund_source_read(&r->src, &r->chunk, r->header_done ? 0 : 65536, err);
			if (got < 0)
				return (int)got;
			r->chunk_len = (size_t)got;
			r->chunk_pos = 0;
			if (got == 0) {
				r->csv_eof = 1;
				if (r->is_part && (r->src.limit || r->part_cut)) {
					/* a part that ends where the next one
					 * starts: right only at a record's end */
					r->part_clean = r->csv.pstate == LIBCSV_ROW_NOT_BEGUN &&
						!r->in_record && !r->pending_cr;
					return 0;
				}
				if (r->csv.pstate == LIBCSV_FIELD_BEGUN && r->csv.quoted) {
					/* said at the record's line; the lines to
					 * the end as a count, which stays true
					 * when a part's lines are relocated */
					char m[128];
					snprintf(m, sizeof(m), "a quoted field opens in this record and is never closed "
						 "(%lu line%s to the end of the file)", r->line - r->rec_line,
						 r->line - r->rec_line == 1 ? "" : "s");
					return csv_fail(r, err, FUND_EDATA, r->rec_line, m);
				}
				csv_fini(&r->csv, cb_field, cb_row, r);
				r->part_clean = 1;
				break;
			}
		}
		seg = r->chunk + r->chunk_pos;
		end = r->chunk + r->chunk_len;
		if (r->fast && !r->pending_cr && !r->in_record && r->csv.pstate == LIBCSV_ROW_NOT_BEGUN &&
		    (n = fast_line(r, (unsigned char *)seg, (size_t)(end - seg))) > 0) {
			r->chunk_pos += n;
			continue;
		}
		/* libcsv: the segment, up to the first CR or LF, included */
		p = memchr(seg, '\n', (size_t)(end - seg));
		{
			const unsigned char *cr = memchr(seg, '\r', (size_t)((p ? p : end) - seg));
			if (cr)
				p = cr;
		}
		p = p ? p + 1 : end;
		n = (size_t)(p - seg);
		if (r->pending_cr) {
			r->pending_cr = 0;
			if (seg[0] != '\n')
				r->line++;
		}
		if (!r->in_record) {
			size_t i;
			/* libcsv skips lines of blanks (space, tab unless it
			 * is the delimiter): they start no record */
			for (i = 0; i < n; i++)
				if (seg[i] != ' ' && seg[i] != '\r' && seg[i] != '\n' &&
				    (seg[i] != '\t' || r->delim == '\t'))
					break;
			if (i < n) {
				r->in_record = 1;
				r->rec_line = r->line;
			}
		}
		eol = seg[n - 1];
		if (r->fast && r->csv.pstate == LIBCSV_ROW_NOT_BEGUN && !r->in_record && (eol == '\n' || eol == '\r')) {
			/* a blank line: no record */
		} else if (csv_parse(&r->csv, seg, n, cb_field, cb_row, r) != n) {
			return csv_fail(r, err, FUND_ENOMEM, r->line, csv_strerror(csv_error(&r->csv)));
		}
		r->chunk_pos += n;
		if (eol == '\n')
			r->line++;
		else if (eol == '\r')
			r->pending_cr = 1;
		if (r->too_many == 2)
			return csv_fail(r, err, FUND_ENOMEM, r->rec_line, "out of memory");
		if (r->csv.entry_pos > FUND_FIELD_MAX)
			return csv_fail(r, err, FUND_ELIMIT, r->rec_line,
					"field longer than 16 MiB (limit; an unclosed quote?)");
		if (r->fbuf.len > FUND_RECORD_MAX)
			return csv_fail(r, err, FUND_ELIMIT, r->rec_line, "record longer than 64 MiB (limit)");
	}
	if (!r->rec_ready)
		return 0;
	if (r->too_many)
		return csv_fail(r, err, FUND_ELIMIT, r->rec.line, "more than 10000 fields in a record (limit)");
	return 1;
}

/* Sniff the delimiter among , ; TAB | from the first lines: the one that
 * splits the lines most consistently (as many times as in the header),
 * weighted by the square of the number of non-empty names it gives the
 * header: a delimiter that does not cut the header into names is not the
 * delimiter (a ',' file whose lines end in ";;" stays a ',' file). */
static int sniff(const unsigned char *p, size_t n, int complete)
{
	static const char cand[] = ",;\t|";
	enum { MAXL = 50 };
	unsigned counts[MAXL][4], named[4] = { 0 }, cur[4] = { 0 };
	int nl = 0, inq = 0, k, best = ',';
	unsigned long bestscore = 0, bestcount = 0;
	size_t i, line_start = 0;

	memset(counts, 0, sizeof(counts));
	for (i = 0; i < n && nl < MAXL; i++) {
		unsigned char c = p[i];
		const char *q;
		if (c == '"')
			inq = !inq;
		if (nl == 0 && c != ' ' && c != '\r' && c != '\n' && (inq || !memchr(cand, c, 4)))
			for (k = 0; k < 4; k++)
				cur[k] = 1;   /* the current header field of each has text */
		if (inq)
			continue;
		if (c == '\n' || c == '\r') {
			if (nl == 0)
				for (k = 0; k < 4; k++)
					named[k] += cur[k];
			if (i > line_start)
				nl++;
			if (c == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			line_start = i + 1;
		} else if ((q = memchr(cand, c, 4)) != NULL) {
			counts[nl][q - cand]++;
			if (nl == 0) {
				named[q - cand] += cur[q - cand];
				cur[q - cand] = 0;
			}
		}
	}
	if (nl == 0)
		for (k = 0; k < 4; k++)
			named[k] += cur[k];
	if (complete && line_start < n && nl < MAXL)
		nl++;
	if (nl == 0)
		nl = 1;
	for (k = 0; k < 4; k++) {
		int l;
		unsigned long cons = 0, score;
		unsigned h = counts[0][k];
		if (h == 0)
			continue;
		for (l = 0; l < nl; l++)
			if (counts[l][k] == h)
				cons++;
		score = cons * named[k] * named[k];
		if (score > bestscore || (score == bestscore && h > bestcount)) {
			bestscore = score;
			bestcount = h;
			best = cand[k];
		}
	}
	return best;
}

/* JSON: the text of a value, appended as a field. */
static int json_field(struct fund_reader *r, const cJSON *v)
{
	char num[400];
	int n;
	if (!v || cJSON_IsNull(v))
		return add_field(r, "", 0, 1);
	if (cJSON_IsString(v))
		return add_field(r, v->valuestring, strlen(v->valuestring), 0);
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? add_field(r, "true", 4, 0) : add_field(r, "false", 5, 0);
	if (cJSON_IsNumber(v)) {
		n = fund_double_text(num, sizeof(num), v->valuedouble);
		if (n == FUND_ENOMEM)
			return n;
		if (n < 0)
			return add_field(r, "", 0, 1);
		return add_field(r, num, (size_t)n, 0);
	} else {
		char *t = cJSON_PrintUnformatted(v);
		int rc;
		if (!t)
			return FUND_ENOMEM;
		rc = add_field(r, t, strlen(t), 0);
		cJSON_free(t);
		return rc;
	}
}

static void free_path(char **p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; p[i]; i++)
		free(p[i]);
	free(p);
}

/* Add the columns of object o (nested objects flattened with '.'). */
static int json_columns(struct fund_reader *r, const cJSON *o, char **prefix, size_t depth)
{
	const cJSON *c;
	for (c = o->child; c; c = c->next) {
		char **path;
		size_t i;
		if (!c->string)
			continue;
		path = calloc(depth + 2, sizeof(char *));
		if (!path)
			return FUND_ENOMEM;
		for (i = 0; i < depth; i++)
			path[i] = strdup(prefix[i]);
		path[depth] = strdup(c->string);
		for (i = 0; i <= depth; i++)
			if (!path[i]) {
				free_path(path);
				return FUND_ENOMEM;
			}
		if (cJSON_IsObject(c) && c->child && depth + 1 < 16) {
			int rc = json_columns(r, c, path, depth + 1);
			free_path(path);
			if (rc)
				return rc;
			continue;
		}
		{
			struct fund_buf name = { 0 };
			char **cn;
			char ***pp;
			for (i = 0; i <= depth; i++) {
				size_t l = strlen(path[i]);
				if (fund_buf_reserve(&name, l + 2)) {
					free_path(path);
					fund_buf_release(&name);
					return FUND_ENOMEM;
				}
				if (i)
					name.p[name.len++] = '.';
				memcpy(name.p + name.len, path[i], l);
				name.len += l;
			}
			name.p[name.len] = '\0';
			cn = realloc(r->colnames, (r->ncols + 1) * sizeof(*cn));
			if (cn)
				r->colnames = cn;
			pp = realloc(r->paths, (r->ncols + 1) * sizeof(*pp));
			if (pp)
				r->paths = pp;
			if (!cn || !pp) {
				free_path(path);
				fund_buf_release(&name);
				return FUND_ENOMEM;
			}
			r->colnames[r->ncols] = name.p;
			r->paths[r->ncols] = path;
			r->ncols++;
		}
	}
	return 0;
}

static int json_record(struct fund_reader *r, cJSON *o)
{
	size_t i;
	r->nf = 0;
	r->fbuf.len = 0;
	for (i = 0; i < r->ncols; i++) {
		const cJSON *v = o;
		char **k;
		for (k = r->paths[i]; *k && v; k++)
			v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, *k) : NULL;
		if (json_field(r, v))
			return FUND_ENOMEM;
	}
	return 0;
}

/* JSON: the bytes already read for sniffing seed the scanner; the first
 * record is read now, for its keys make the header. */
static int open_json(struct fund_reader *r, const struct fund_reader_opts *o,
		     struct fund_error *err)
{
	int rc;
	r->is_json = 1;
	rc = fund_json_init(&r->json, &r->src, r->name, o ? o->json_path : NULL, err);
	if (rc)
		return rc;
	if (fund_buf_reserve(&r->json.in, r->chunk_len + 1))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (r->chunk_len)
		memcpy(r->json.in.p, r->chunk, r->chunk_len);
	r->json.in.len = r->chunk_len;
	rc = fund_json_next(&r->json, &r->pending, &r->pending_line, err);
	if (rc <= 0)
		return rc; /* no records: no columns */
	if (!cJSON_IsObject(r->pending))
		return fund_error_set(err, FUND_EDATA, "%s: records must be JSON objects", r->name);
	if (json_columns(r, r->pending, NULL, 0))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

static int open_csv(struct fund_reader *r, const struct fund_reader_opts *o,
		    struct fund_error *err)
{
	int rc;
	size_t i;
	if (csv_init(&r->csv, 0))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	/* libcsv grows a field by this much at a time: its default, 128
	 * bytes, makes a 16 MiB field cost 131,072 reallocations (quadratic
	 * copying where realloc cannot grow in place) */
	csv_set_blk_size(&r->csv, 1u << 20);
	r->csv_open = 1;
	{
		const char *f = getenv("FUNDKIT_CSV_FASTPATH");
		r->fast = !(f && !strcmp(f, "0"));
	}
	r->line = 1;
	if (o && o->comment) {
		/* leading comment lines: skipped before sniffing, but counted */
		while (r->chunk_pos < r->chunk_len && r->chunk[r->chunk_pos] == (unsigned char)o->comment) {
			const unsigned char *nl = memchr(r->chunk + r->chunk_pos, '\n', r->chunk_len - r->chunk_pos);
			if (!nl)
				return fund_error_set(err, FUND_EDATA, "%s: comment lines fill the first 64 KiB", r->name);
			r->chunk_pos = (size_t)(nl - r->chunk) + 1;
			r->line++;
		}
	}
	if (o && o->delim)
		r->delim = o->delim;
	else
		r->delim = sniff(r->chunk + r->chunk_pos, r->chunk_len - r->chunk_pos,
				 r->src.eof || r->chunk_len < 65536);
	csv_set_delim(&r->csv, (unsigned char)r->delim);
	rc = csv_record(r, err);
	if (rc <= 0)
		return rc;
	r->colnames = calloc(r->nf ? r->nf : 1, sizeof(char *));
	if (!r->colnames)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	publish(r);
	for (i = 0; i < r->nf; i++) {
		r->colnames[i] = strdup(r->fields[i]);
		if (!r->colnames[i])
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		r->ncols++;
	}
	return 0;
}

int fund_reader_open(struct fund_reader **out, const char *path,
		     const struct fund_reader_opts *o, struct fund_error *err)
{
	struct fund_reader *r;
	int rc;
	ssize_t got;
	enum fund_input_format fmt = o ? o->format : FUND_IN_AUTO;

	*out = NULL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	r->name = strdup(!path || !strcmp(path, "-") ? "(standard input)" : path);
	if (path && strcmp(path, "-"))
		r->path = strdup(path);
	if (!r->name || (path && strcmp(path, "-") && !r->path)) {
		free(r->path);
		free(r);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	rc = fund_source_open(&r->src, path, r->name, o ? o->encoding : FUND_ENC_AUTO, err);
	if (rc) {
		free(r->name);
		free(r->path);
		free(r);
		return rc;
	}
	got = fund_source_read(&r->src, &r->chunk, o && o->sniff_bytes ? o->sniff_bytes : 65536, err);
	if (got < 0) {
		rc = (int)got;
		goto fail;
	}
	r->chunk_len = (size_t)got;
	if (got == 0)
		r->chunk = (const unsigned char *)"";  /* never offset a NULL pointer */
	if (fmt == FUND_IN_AUTO) {
		size_t i = 0;
		while (i < r->chunk_len && strchr(" \t\r\n", r->chunk[i]))
			i++;
		fmt = i < r->chunk_len && (r->chunk[i] == '[' || r->chunk[i] == '{') ? FUND_IN_JSON : FUND_IN_CSV;
	}
	rc = fmt == FUND_IN_JSON ? open_json(r, o, err) : open_csv(r, o, err);
	if (rc < 0)
		goto fail;
	r->header_done = 1;
	*out = r;
	return 0;
fail:
	fund_reader_close(&r);
	return rc;
}

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

static int count_lines(struct fund_reader *q, struct fund_error *err)
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

/* A reader for a part of r's input, its source not opened yet: r's name,
 * header, delimiter and parser options. */
static struct fund_reader *part_new(const struct fund_reader *r)
{
	struct fund_reader *q = calloc(1, sizeof(*q));
	size_t i;

	if (!q)
		return NULL;
	q->src.fd = -1;
	q->name = strdup(r->name);
	q->path = r->path ? strdup(r->path) : NULL;
	q->colnames = calloc(r->ncols ? r->ncols : 1, sizeof(char *));
	if (!q->name || (r->path && !q->path) || !q->colnames || csv_init(&q->csv, 0)) {
		fund_reader_close(&q);
		return NULL;
	}
	q->csv_open = 1;
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
	rc = fund_source_open_part(&q->src, q->path, q->name, r->src.enc, start, limit, err);
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
	if (r->is_json || r->path || r->src.gz || !r->src.passthrough ||
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

int fund_reader_open_stream_part(struct fund_reader **out, const struct fund_reader *r,
				 const unsigned char *p, size_t n, uint64_t off, int then_fd, int cut,
				 unsigned long line, int pending_cr, struct fund_error *err)
{
	struct fund_reader *q = part_new(r);
	int rc;

	*out = NULL;
	if (!q)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	rc = fund_source_open_mem(&q->src, p, n, then_fd ? r->src.fd : -1, off, q->name, r->src.enc, err);
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
 * after the first newline.  0 and *start set, or 1 when there is none. */
static int part_start(const struct fund_reader *r, uint64_t at, uint64_t end, uint64_t *start)
{
	enum { WIN = 256 << 10 };
	unsigned char *b = malloc(WIN);
	const unsigned char *p, *e, *q;
	ssize_t got;
	int found = 1;

	if (!b)
		return 1;
	got = pread(r->src.fd, b, end - at < WIN ? (size_t)(end - at) : WIN, (off_t)at);
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
				break;
			}
		}
	}
	free(b);
	return found;
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
	if (n < 2 || r->is_json || !r->path || !size || r->src.gz || !r->src.passthrough ||
	    (r->src.enc != FUND_ENC_AUTO && r->src.enc != FUND_ENC_UTF8) || !r->ncols ||
	    r->csv_eof || r->csv.pstate != LIBCSV_ROW_NOT_BEGUN || r->in_record)
		return 1;
	hdr = r->src.out_off - (r->chunk_len - r->chunk_pos);
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

int fund_reader_part_ok(const struct fund_reader *q, const struct fund_reader *next)
{
	if (!q->is_part || !q->part_clean || q->src.enc != q->enc0)
		return 0;
	return !next || next->lines_later || (!next->need_count && next->base_line == q->line);
}

unsigned long fund_reader_first_line(const struct fund_reader *q) { return q->base_line; }
int fund_reader_lines_known(const struct fund_reader *q) { return !q->lines_later; }

int fund_reader_next(struct fund_reader *r, const struct fund_record **rec,
		     struct fund_error *err)
{
	int rc;
	if (r->is_json) {
		cJSON *o = r->pending;
		unsigned long line = r->pending_line;
		r->pending = NULL;
		if (!o) {
			rc = fund_json_next(&r->json, &o, &line, err);
			if (rc <= 0)
				return rc;
		}
		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			return fund_error_at(err, FUND_EDATA, r->name, line, NULL, NULL, 0, "records must be JSON objects");
		}
		rc = json_record(r, o);
		cJSON_Delete(o);
		if (rc)
			return fund_error_set(err, rc, "out of memory");
		r->rec.line = line;
	} else {
		if (!r->ncols)
			return 0;
		if (r->need_count) {
			if ((rc = count_lines(r, err)) < 0)
				return rc;
			r->need_count = 0;
		}
		rc = csv_record(r, err);
		if (rc <= 0)
			return rc;
	}
	publish(r);
	r->rec.index = ++r->nrec;
	*rec = &r->rec;
	return 1;
}

void fund_reader_only(struct fund_reader *r, const int *cols, size_t n)
{
	size_t i;
	r->only = 1;
	for (i = 0; i < FAST_FIELDS; i++)
		r->want[i] = i >= r->ncols;
	for (i = 0; i < n; i++)
		if (cols[i] >= 0 && (size_t)cols[i] < FAST_FIELDS)
			r->want[cols[i]] = 1;
	for (i = 0, r->nwant = 0; i < FAST_FIELDS && i < r->ncols; i++)
		if (r->want[i])
			r->wlist[r->nwant++] = (unsigned short)i;
	r->want_clear = 0;
}

void fund_reader_close(struct fund_reader **rp)
{
	struct fund_reader *r = rp ? *rp : NULL;
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->ncols; i++) {
		free(r->colnames[i]);
		if (r->paths)
			free_path(r->paths[i]);
	}
	free(r->colnames);
	free(r->paths);
	if (r->csv_open)
		csv_free(&r->csv);
	cJSON_Delete(r->pending);
	fund_json_release(&r->json);
	fund_source_close(&r->src);
	fund_buf_release(&r->fbuf);
	free(r->off);
	free(r->flen);
	free(r->fields);
	free(r->nulls);
	free(r->name);
	free(r->path);
	free(r);
	*rp = NULL;
}

int fund_blank(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

int fund_record_is_blank(const struct fund_record *rec)
{
	size_t i;
	if (rec->blank >= 0)
		return rec->blank;
	for (i = 0; i < rec->n; i++)
		if (!fund_blank(rec->fields[i], rec->len[i]))
			return 0;
	return 1;
}

size_t fund_reader_ncols(const struct fund_reader *r) { return r->ncols; }
const char *fund_reader_colname(const struct fund_reader *r, size_t i) { return r->colnames[i]; }
const char *fund_reader_name(const struct fund_reader *r) { return r->name; }
int fund_reader_delim(const struct fund_reader *r) { return r->is_json ? 0 : r->delim; }
int fund_reader_is_json(const struct fund_reader *r) { return r->is_json; }
int fund_reader_empty(const struct fund_reader *r)
{
	return r->ncols == 0 && (!r->is_json || r->json.mode == 0);
}
enum fund_encoding fund_reader_encoding(const struct fund_reader *r)
{
	return r->src.enc == FUND_ENC_AUTO ? FUND_ENC_UTF8 : r->src.enc;
}
uint64_t fund_reader_bytes(const struct fund_reader *r) { return r->src.bytes_in; }
unsigned long fund_reader_line(const struct fund_reader *r) { return r->line; }
int fund_reader_pending_cr(const struct fund_reader *r) { return r->pending_cr; }
int fund_reader_fd(const struct fund_reader *r) { return r->src.fd; }
uint64_t fund_reader_size(const struct fund_reader *r) { return r->src.size; }

/* ASCII-case-insensitive equality of a and b, both trimmed of blanks. */
int fund_names_match(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	while (la && (*a == ' ' || *a == '\t')) { a++; la--; }
	while (la && (a[la - 1] == ' ' || a[la - 1] == '\t')) la--;
	while (lb && (*b == ' ' || *b == '\t')) { b++; lb--; }
	while (lb && (b[lb - 1] == ' ' || b[lb - 1] == '\t')) lb--;
	if (la != lb)
		return 0;
	for (i = 0; i < la; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z') x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z') y = (char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

int fund_reader_column(const struct fund_reader *r, const char *spec,
		       struct fund_error *err)
{
	size_t i, k;
	struct fund_buf list = { 0 };
	char q[200];

	for (i = 0; i < r->ncols; i++)
		if (!strcmp(r->colnames[i], spec)) {
			/* a name that two columns share could total the wrong one */
			for (k = i + 1; k < r->ncols; k++)
				if (!strcmp(r->colnames[k], spec))
					return fund_error_set(err, FUND_EUSAGE,
						"%s: two columns are named '%s' (%zu and %zu): give the number of the one you mean",
						r->name, fund_quote(q, sizeof(q), spec, strlen(spec)), i + 1, k + 1);
			return (int)i;
		}
	for (i = 0; i < r->ncols; i++)
		if (fund_names_match(r->colnames[i], spec))
			return (int)i;
	if (spec[0]) {
		unsigned long v = 0;
		for (k = 0; spec[k] >= '0' && spec[k] <= '9' && v < 1000000; k++)
			v = v * 10 + (unsigned long)(spec[k] - '0');
		if (!spec[k] && v >= 1 && v <= r->ncols)
			return (int)(v - 1);
	}
	for (i = 0; i < r->ncols && list.len < 2000; i++) {
		size_t l = strlen(r->colnames[i]);
		if (fund_buf_reserve(&list, l + 8))
			break;
		if (i) {
			memcpy(list.p + list.len, ", ", 2);
			list.len += 2;
		}
		list.p[list.len++] = '\'';
		memcpy(list.p + list.len, r->colnames[i], l);
		list.len += l;
		list.p[list.len++] = '\'';
	}
	fund_error_set(err, FUND_EUSAGE, "%s: no column '%s'%s%s%.*s%s", r->name,
		       fund_quote(q, sizeof(q), spec, strlen(spec)),
		       r->ncols ? " (its columns: " : " (it has no header)",
		       "", (int)list.len, list.p ? list.p : "",
		       r->ncols ? (i < r->ncols ? ", ...)" : ")") : "");
	fund_buf_release(&list);
	return FUND_EUSAGE;
}
