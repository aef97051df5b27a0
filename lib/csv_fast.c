/* The CSV fast path: the common lines split as libcsv would split them,
 * 64 bytes at a time (SSE2, AVX2 or AVX-512 where the processor has it),
 * without libcsv's per-byte state machine. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "reader_impl.h"
#include "banned.h"

/* The fast path (fund_rd_fast_line, then scalar_line) splits the common lines as
 * libcsv would; tests/fuzz/fuzz_csv_diff.c and case
 * "csv-fast-path-differential" hold them to the same records.  A line of
 * more than FAST_FIELDS fields goes to libcsv. */
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

/* A quoted field's text, "" read as ", from f to o (f itself: in
 * place): its new length. */
static size_t unescape(char *o, const char *f, size_t len)
{
	size_t k, n = 0;
	for (k = 0; k < len; k++) {
		o[n++] = f[k];
		if (f[k] == '"')
			k++;
	}
	return n;
}

_Static_assert(SRC_PAD >= FUND_PLAIN_PAD_BYTES, "the fields' padding holds FUND_PLAIN_PAD's promise");

/* Where the fields of a line go when the chunk is a mapping's (read-only,
 * chunk_ro): r->fcopy, room made for the line's bytes and a NUL a field
 * (and the SRC_PAD that scans may read); NULL in place, or out of memory
 * (*bad set: libcsv reads the line). */
static char *copy_room(struct fund_reader *r, size_t ll, size_t nf, int *bad)
{
	*bad = 0;
	if (!r->chunk_ro)
		return NULL;
	r->fcopy.len = 0;
	if (r->fcopy.cap < ll + nf + SRC_PAD && fund_buf_reserve(&r->fcopy, ll + nf + SRC_PAD)) {
		*bad = 1;
		return NULL;
	}
	return r->fcopy.p;
}

/* Field j: f[0..len), from the chunk, ended by a NUL in place (written
 * over what follows it: a delimiter, a blank, a closing quote, the line's
 * end), or copied to *o and ended there; quoted, "" in it read as a quote
 * when esc. */
static inline __attribute__((always_inline)) void put_field(struct fund_reader *r, size_t j, char *f, size_t len,
								    int esc, char **o)
{
	if (*o) {
		/* a short field 16 or 32 bytes at once: those past it are
		 * the line's or the mapping's 64 after its end, and fcopy has
		 * SRC_PAD bytes of room past the line's */
		char *d = *o;
		if (esc) {
			len = unescape(d, f, len);
		} else if (len <= 16) {
			memcpy(d, f, 16);
		} else if (len <= 32) {
			memcpy(d, f, 32);
		} else {
			memcpy(d, f, len);
		}
		d[len] = '\0';
		*o = d + len + 1;
		f = d;
	} else {
		if (esc)
			len = unescape(f, f, len);
		f[len] = '\0';
	}
	r->fields[j] = f;
	r->flen[j] = len;
}

/* fund_reader_only: the fields the caller does not read left "" (once,
 * until a line fills them). */
static inline void clear_unwanted(struct fund_reader *r)
{
	size_t j;
	if (r->want_clear)
		return;
	for (j = 0; j < FAST_FIELDS; j++)
		if (!r->want[j]) {
			r->fields[j] = "";
			r->flen[j] = 0;
		}
	r->want_clear = 1;
}

/* A line the fast path split into nf fields (none: a line of blanks) is
 * over: the record handed out, the line's end counted as csv_record
 * counts it.  Returns the bytes the line took. */
static size_t line_done(struct fund_reader *r, size_t nf, int blank, unsigned char plain, unsigned char eol,
			size_t used, size_t ll, size_t avail)
{
	if (nf) {
		r->nf = nf;
		r->all_direct = 1;
		r->blank = blank;
		r->plain = plain;
		r->rec_line = r->line;
		fund_rd_row_done(r);
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

	/* blanks kept: the lines this tier is for (blanks at a field's edge,
	 * around quotes) are libcsv's; an empty line is none */
	if (r->keep_blanks && ll)
		return 0;
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
		 * by a NUL written over what follows it (read above), or
		 * are copied out of a mapping */
		int bad;
		char *o = copy_room(r, ll, nf, &bad);
		if (bad)
			return 0;
		for (i = 0; i < nf; i++)
			put_field(r, i, (char *)seg + st[i], fl[i], esc[i], &o);
		r->want_clear = 0;
	}
	return line_done(r, nf, -1, 0, eol, used, ll, avail);
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

/* The bits set in x: the processor's popcnt in the body compiled for it
 * (hw, fast_line_hw), else without a call. */
static inline __attribute__((always_inline)) size_t popcount64(uint64_t x, const int hw)
{
#ifdef __POPCNT__
	(void)hw;
	return (size_t)__builtin_popcountll(x);
#else
	if (hw)
		return (size_t)__builtin_popcountll(x);
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
 * blanks trimmed at its edges; put_field ends it (in place or copied to
 * *o). */
static inline __attribute__((always_inline)) void cut_field(struct fund_reader *r, unsigned char *seg, size_t s,
								    size_t e, size_t j, uint64_t esc, char **o, const int trim)
{
	char *f = (char *)seg + s;
	size_t len = e - s;
	const unsigned char d = (unsigned char)r->delim;
	if (*f == '"') {
		put_field(r, j, f + 1, len - 2, esc != 0, o);
		return;
	}
	if (trim && len && (is_blank_c((unsigned char)f[0], d) || is_blank_c((unsigned char)f[len - 1], d))) {
		while (len && is_blank_c((unsigned char)*f, d)) {
			f++;
			len--;
		}
		while (len && is_blank_c((unsigned char)f[len - 1], d))
			len--;
	}
	put_field(r, j, f, len, 0, o);
}

/* Where the fields of a line end, found in order (walk_end): bit idx
 * of the line's ends is the lowest of x, word w. */
struct walk {
	size_t w;
	uint64_t x;
	size_t idx;
};

/* The end of field t of the line (t at or after the last asked, below
 * the line's count of fields), as an offset from seg. */
static inline __attribute__((always_inline)) uint32_t walk_end(const uint64_t *rd, struct walk *k, size_t t,
								     const int hw)
{
	size_t c;
	while (k->idx + (c = popcount64(k->x, hw)) <= t) {
		k->idx += c;
		k->x = rd[++k->w];
	}
#if FUND_AVX2
	if (hw && fund_cpu_pdep) {
		/* the (t - idx)-th bit of the word at once (pdep, as asm:
		 * the intrinsic cannot be inlined into the body compiled
		 * without BMI2), the bits below it cleared; no loop whose
		 * count the branch predictor misses */
		uint64_t b, sel = 1ull << (t - k->idx);
		__asm__("pdepq %2, %1, %0" : "=r"(b) : "r"(sel), "rm"(k->x));
		k->x &= ~(b - 1);
		k->idx = t;
		return (uint32_t)(k->w << 6) + ctz64(b);
	}
#endif
	for (; k->idx < t; k->idx++)
		k->x &= k->x - 1;
	return (uint32_t)(k->w << 6) + ctz64(k->x);
}

/* The end of a line fast_line took: rd[0..nw) the ends of its fields (a
 * delimiter outside quotes, the line's end), bit k of word w at
 * seg[64 w + k]; its fields cut out (those the caller reads) and the
 * record handed out.  Returns the bytes the line took. */
static inline __attribute__((always_inline)) size_t cut_line(struct fund_reader *r, unsigned char *seg, size_t avail,
								 const uint64_t *rd, size_t nw, uint64_t esc, int blank,
								 uint64_t anyq, size_t ll, const int hw)
{
	uint32_t ends[FAST_FIELDS + 4];
	size_t w, nf, used;
	char *o;
	unsigned char eol, plain;
	const unsigned char d = (unsigned char)r->delim;

	eol = seg[ll];
	used = ll + 1;
	if (eol == '\r' && ll + 1 < avail && seg[ll + 1] == '\n')
		used++;
	if (blank >= 0 && r->only) {
		/* the fields the caller reads (fund_reader_only; the others
		 * are left ""): their ends found by walking the bitmaps
		 * once, in the columns' order */
		struct walk k = { 0, rd[0], 0 };
		size_t j, i;
		int nomem;
		nf = 0;
		for (w = 0; w < nw; w++)
			nf += popcount64(rd[w], hw);
		o = copy_room(r, ll, nf, &nomem);
		if (nomem)
			return 0;
		clear_unwanted(r);
		for (i = 0; i < r->nwant && (j = r->wlist[i]) < nf; i++) {
			size_t a = j ? walk_end(rd, &k, j - 1, hw) + 1 : 0;
			cut_field(r, seg, a, walk_end(rd, &k, j, hw), j, esc, &o, 1);
		}
		for (j = r->ncols; j < nf; j++) {
			size_t a = j ? walk_end(rd, &k, j - 1, hw) + 1 : 0;
			cut_field(r, seg, a, walk_end(rd, &k, j, hw), j, esc, &o, 1);
		}
		return line_done(r, nf, blank, 0, eol, used, ll, avail);
	}
	/* where each field ends (a delimiter or the line's end), four at
	 * a time without a branch: entries past a word's count are written
	 * over by the next word, or not read */
	nf = 0;
	for (w = 0; w < nw; w++) {
		uint64_t x = rd[w];
		const uint32_t base = (uint32_t)(w << 6);
		size_t cnt = popcount64(x, hw), k;
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
	/* every field: all of a record read whole, or that must be looked
	 * at for blanks */
	{
		int nomem;
		size_t j;
		o = copy_room(r, ll, nf, &nomem);
		if (nomem)
			return 0;
		for (j = 0; j < nf; j++)
			cut_field(r, seg, j ? ends[j - 1] + 1 : 0, ends[j], j, esc, &o, 1);
		r->want_clear = 0;
	}
	/* the hint for the writers of every column (fund_record.plain):
	 * the line holds no CR or LF (it ends at the first); a field holds
	 * a tab when the line does (or, in TSV, when one is quoted), a
	 * comma or quote when the line has a quote or (not CSV) a comma */
	plain = 0;
	if (!r->only) {
		/* the fields are in the chunk or in fcopy, SRC_PAD bytes
		 * past the line's end readable in both */
		plain = FUND_PLAIN_PAD;
		if (d == '\t' ? !anyq : !memchr(seg, '\t', ll))
			plain |= FUND_PLAIN_TSV;
		if (!anyq && (d == ',' || !memchr(seg, ',', ll)))
			plain |= FUND_PLAIN_CSV;
	}
	return line_done(r, nf, blank, plain, eol, used, ll, avail);
}

/* The fast path proper, on the bitmaps of the line (see scalar_line for
 * what it must agree with): the quotes' prefix XOR tells the bytes inside
 * quoted fields, so the delimiters outside them split the line.  It takes
 * the lines whose quotes all open a field (first on the line or just after
 * a delimiter) or double a quote inside one, and close it just before a
 * delimiter or the end of the line; anything else (a blank next to a quote,
 * a quote inside an unquoted field, a field open at the end) goes to
 * scalar_line, which takes blanks around quoted fields, then to libcsv. */
static inline __attribute__((always_inline)) size_t fast_line(struct fund_reader *r, unsigned char *seg, size_t avail,
								  const int hw)
{
	uint64_t dm[FAST_LINE / 64], qm[FAST_LINE / 64];
	uint64_t rdq[FAST_LINE / 64], qo[FAST_LINE / 64], qc[FAST_LINE / 64], bm[FAST_LINE / 64], *rd = rdq;
	size_t nw, ll, w, nf;
	uint64_t in = 0, bad = 0, anyq = 0, esc = 0, trim = 0, oth, tabs, c;
	int blank;
	const unsigned char d = (unsigned char)r->delim;

	if ((r->fcap < FAST_FIELDS && fund_rd_grow_fields(r, FAST_FIELDS)) ||
	    !(nw =
#if FUND_AVX2
	      hw || fund_cpu_avx2 ? structure_avx2(seg, avail, d, dm, qm, bm, &ll) :
#endif
	      structure(seg, avail, d, dm, qm, bm, &ll)))
		return 0;
	if (ll == 0 || is_blank_c(seg[0], d))
		return scalar_line(r, seg, avail, dm, qm, nw, ll);
	for (w = 0; w < nw; w++)
		anyq |= qm[w];
	if (!anyq) {
		rd = dm;        /* no quote: every delimiter splits */
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
			nf += popcount64(rd[w], hw);
		if (nf > FAST_FIELDS)
			return 0;
	}
	/* blanks kept: a line with blanks at a field's edge is libcsv's (a
	 * blank before a quote makes the field unquoted there); a blank
	 * at a field's edge is one just after a delimiter (the line does not
	 * start with one), or just before one or the line's end.  Trimmed,
	 * each field cut out looks at its own edges (cut_field). */
	if (r->keep_blanks) {
		for (w = 0, c = 0; w < nw; w++) {
			uint64_t x = rd[w];
			trim |= bm[w] & ((x << 1) | c | (x >> 1) | (w + 1 < nw ? rd[w + 1] << 63 : 0));
			c = x >> 63;
		}
		if (trim)
			return 0;
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
	return cut_line(r, seg, avail, rd, nw, esc, blank, anyq, ll, hw);
}

#if FUND_AVX2
/* fast_line compiled for the processors that have AVX2, popcnt and BMI
 * (fund_cpu_hw): a bit count is an instruction there.  The lines that
 * index_line hands on. */
__attribute__((target("avx2,popcnt,bmi,bmi2"), noinline))
static size_t fast_line_hw(struct fund_reader *r, unsigned char *seg, size_t avail)
{
	return fast_line(r, seg, avail, 1);
}

/* The offsets of the bits of x, from base, written to o: eight at once
 * without a branch (the entries past x's count are written over next, or
 * by IX_END), then the rest.  Returns the count. */
__attribute__((target("avx2,popcnt,bmi,bmi2")))
static inline size_t flatten(uint32_t *o, uint64_t x, uint32_t base)
{
	size_t cnt = (size_t)__builtin_popcountll(x), k;
#define FLAT1(i) do { o[i] = base + (uint32_t)_tzcnt_u64(x); x = _blsr_u64(x); } while (0)
	FLAT1(0); FLAT1(1); FLAT1(2); FLAT1(3);
	FLAT1(4); FLAT1(5); FLAT1(6); FLAT1(7);
	if (cnt > 8)
		for (k = 8; k < cnt; k++)
			FLAT1(k);
#undef FLAT1
	return cnt;
}

/* The same for the few bits (a line's ends, quotes out of place). */
static inline size_t flatten_few(uint32_t *o, uint64_t x, uint32_t base)
{
	size_t k = 0;
	while (x) {
		o[k++] = base + ctz64(x);
		x &= x - 1;
	}
	return k;
}

/* The index's next words (struct fund_ix), ix_grow: the body in
 * lib/csv_index.h, compiled for AVX2 and for AVX-512 (fund_cpu_avx512),
 * each with and without the blanks at a field's edge (x->kb; without,
 * the blanks are not classified). */
#define IX_STEP 32
#define IX_TARGET "avx2,popcnt,bmi,bmi2,pclmul"
#define IX_BODY ix_grow_avx2
#define IX_CLASSIFY classify_avx2
#define IX_FLATTEN flatten
#define IX_KB ix_grow_kb
#define IX_PLAIN ix_grow_plain
#include "csv_index.h"

/* AVX-512 (BW and VBMI2): a class is one compare into a mask, and a
 * word's offsets are its bits' indices compressed (vpcompressb), 16 at
 * a time widened and stored. */
__attribute__((target("avx512f,avx512bw")))
static inline void classify_avx512(const unsigned char *p, unsigned char d, unsigned char tab, struct classes *c)
{
	const __m512i v = _mm512_loadu_si512((const void *)p);
	c->d = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)d));
	c->q = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
	c->e = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r'));
	c->b = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(' ')) | _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8((char)tab));
}

__attribute__((target("avx512f,avx512bw,avx512vbmi2,popcnt")))
static inline size_t flatten_avx512(uint32_t *o, uint64_t x, uint32_t base)
{
	const __m512i iota = _mm512_set_epi8(63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48,
					     47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
					     31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16,
					     15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
	const __m512i b = _mm512_set1_epi32((int)base);
	const size_t cnt = (size_t)__builtin_popcountll(x);
	const __m512i idx = _mm512_maskz_compress_epi8(x, iota);
	_mm512_storeu_si512((void *)o, _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_castsi512_si128(idx)), b));
	if (cnt > 16) {
		_mm512_storeu_si512((void *)(o + 16),
				    _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(idx, 1)), b));
		if (cnt > 32) {
			_mm512_storeu_si512((void *)(o + 32),
					    _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(idx, 2)), b));
			if (cnt > 48)
				_mm512_storeu_si512((void *)(o + 48),
						    _mm512_add_epi32(_mm512_cvtepu8_epi32(_mm512_extracti32x4_epi32(idx, 3)), b));
		}
	}
	return cnt;
}

#define IX_TARGET "avx512f,avx512bw,avx512vbmi2,avx2,popcnt,bmi,bmi2,pclmul"
#define IX_BODY ix_grow_avx512
#define IX_CLASSIFY classify_avx512
#define IX_FLATTEN flatten_avx512
#define IX_KB ix_grow_kb512
#define IX_PLAIN ix_grow_plain512
#include "csv_index.h"

__attribute__((target("avx2,popcnt,bmi,bmi2,pclmul")))
static inline void ix_grow(struct fund_ix *x, unsigned char d)
{
	if (fund_cpu_avx512)
		(x->kb ? ix_grow_kb512 : ix_grow_plain512)(x, d);
	else
		(x->kb ? ix_grow_kb : ix_grow_plain)(x, d);
}

/* The end of a line index_line took: its nf fields end at ends[0..nf)
 * (a delimiter outside quotes, the line's end), offsets that base0 takes
 * to offsets from seg (it wraps); the fields cut out (those the caller
 * reads, when r->only) and the record handed out, as cut_line does.
 * Returns the bytes the line took. */
__attribute__((target("avx2,popcnt,bmi,bmi2")))
static inline __attribute__((always_inline)) size_t cut_ends(struct fund_reader *r, unsigned char *seg, size_t avail, const uint32_t *ends, size_t nf,
		       uint32_t base0, int esc, uint64_t anyq, size_t ll, const int trim)
{
	size_t used, j, i;
	char *o;
	int nomem;
	unsigned char eol, plain = 0, *line = seg;
	const unsigned char d = (unsigned char)r->delim;

	eol = seg[ll];
	used = ll + 1;
	if (eol == '\r' && ll + 1 < avail && seg[ll + 1] == '\n')
		used++;
	if (r->only) {
		/* the fields the caller reads (fund_reader_only; the others
		 * are left "") */
		o = copy_room(r, ll, nf, &nomem);
		if (nomem)
			return 0;
		clear_unwanted(r);
		for (i = 0; i < r->nwant && (j = r->wlist[i]) < nf; i++)
			cut_field(r, seg, j ? ends[j - 1] + base0 + 1 : 0, ends[j] + base0, j, esc, &o, trim);
		for (j = r->ncols; j < nf; j++)
			cut_field(r, seg, j ? ends[j - 1] + base0 + 1 : 0, ends[j] + base0, j, esc, &o, trim);
		return line_done(r, nf, 0, 0, eol, used, ll, avail);
	}
	/* every field: out of a mapping, the line copied once and its
	 * fields cut out of the copy in place */
	o = copy_room(r, ll, 1, &nomem);
	if (nomem)
		return 0;
	if (o) {
		line = memcpy(o, seg, ll + 1);
		o = NULL;
	}
	for (j = 0; j < nf; j++)
		cut_field(r, line, j ? ends[j - 1] + base0 + 1 : 0, ends[j] + base0, j, esc, &o, trim);
	r->want_clear = 0;
	/* the writers' hint, as cut_line tells it */
	plain = FUND_PLAIN_PAD;
	if (d == '\t' ? !anyq : !memchr(seg, '\t', ll))
		plain |= FUND_PLAIN_TSV;
	if (!anyq && (d == ',' || !memchr(seg, ',', ll)))
		plain |= FUND_PLAIN_CSV;
	return line_done(r, nf, 0, plain, eol, used, ll, avail);
}

/* The fast path on processors that have AVX2, popcnt, BMI and PCLMUL
 * (fund_cpu_hw): the chunk indexed once (r->ix), 64 bytes a word,
 * whatever the lines' lengths, its structure as a list of offsets, so
 * that a line's fields are where the list says, found without a loop when
 * the line has as many fields as the header.  It takes the lines fast_line
 * takes with its own bitmaps, but for those it hands to fast_line (which
 * reads them as it would have, or hands them on): a line with a blank
 * at a field's edge when the blanks are kept, one that starts with a
 * blank, holds only delimiters, quotes and blanks, has a quote out of
 * place or opens a quoted field it does not close, more than FAST_FIELDS
 * fields, or does not end in the chunk or within FAST_LINE bytes.  The index starts again from the line when the
 * line is not where the index is, or the quotes before it are odd in
 * number (a record libcsv read across lines). */
__attribute__((target("avx2,popcnt,bmi,bmi2,pclmul")))
static size_t index_line(struct fund_reader *r, unsigned char *seg, size_t avail)
{
	struct fund_ix *x = &r->ix;
	uint64_t anyq = 0;
	size_t s, L, ll, nf, k, i;
	const unsigned char d = (unsigned char)r->delim;

	if (r->fcap < FAST_FIELDS && fund_rd_grow_fields(r, FAST_FIELDS))
		return fast_line_hw(r, seg, avail);
	if (!x->valid || x->kb != r->keep_blanks || seg < x->p || seg + avail != x->lim || (size_t)(seg - x->p) >= x->nw * 64 ||
	    (seg > x->p && (x->x[(size_t)(seg - x->p - 1) >> 6] >> ((size_t)(seg - x->p - 1) & 63) & 1))) {
restart:
		x->p = seg;
		x->lim = seg + avail;
		x->nw = 0;
		x->in = 0;
		x->carry = 1;   /* the first byte: a line's start */
		x->pend = 0;
		x->npos = x->nle = x->nbad = x->nesc = x->neb = 0;
		x->k = x->lc = x->bc = x->ec = x->ebc = 0;
		x->kb = r->keep_blanks;
		x->carryb = 1;
		x->pendb = 0;
		x->valid = 1;
		ix_grow(x, d);
	}
	s = (size_t)(seg - x->p);
	/* the line's end: the first CR or LF */
	while (x->le[x->lc] < s)
		x->lc++;
	while (x->le[x->lc] == IX_END) {
		if (x->nw * 64 >= avail + s || x->nw * 64 - s >= FAST_LINE)
			return fast_line_hw(r, seg, avail);
		if (x->nw == IX_WORDS) {
			if (s == 0)
				return fast_line_hw(r, seg, avail);
			goto restart;
		}
		ix_grow(x, d);
		while (x->le[x->lc] < s)
			x->lc++;
	}
	L = x->le[x->lc];
	ll = L - s;
	if (ll == 0 || ll >= FAST_LINE - 64 || is_blank_c(seg[0], d))
		return fast_line_hw(r, seg, avail);
	/* a byte that is not a delimiter, a quote or a blank: a record */
	for (i = 0; i < ll && (seg[i] == d || seg[i] == '"'); i++)
		;
	if (i == ll || is_blank_c(seg[i], d))
		return fast_line_hw(r, seg, avail);
	/* the quotes inside the line closed at its end, none out of place */
	if (x->x[L >> 6] >> (L & 63) & 1)
		return fast_line_hw(r, seg, avail);
	while (x->bad[x->bc] < s)
		x->bc++;
	if (x->bad[x->bc] < L)
		return fast_line_hw(r, seg, avail);
	while (x->esc[x->ec] < s)
		x->ec++;
	/* blanks kept: a line with a blank at a field's edge is libcsv's */
	if (x->kb) {
		while (x->eb[x->ebc] < s)
			x->ebc++;
		if (x->eb[x->ebc] < L)
			return fast_line_hw(r, seg, avail);
	}
	/* the fields: the line's end in the structure as many entries on
	 * as the header has fields, or counted */
	k = x->k;
	while (x->pos[k] < s)
		k++;
	if (r->ncols && k + r->ncols - 1 < x->npos && x->pos[k + r->ncols - 1] == L) {
		nf = r->ncols;
	} else {
		for (nf = 1; x->pos[k + nf - 1] != L; nf++)
			;
	}
	if (nf > FAST_FIELDS)
		return fast_line_hw(r, seg, avail);
	x->k = k + nf;
	x->lc++;
	if (!r->only) {
		size_t w;
		for (w = s >> 6; w <= L >> 6; w++)
			anyq |= x->q[w] & (w == s >> 6 ? ~0ull << (s & 63) : ~0ull) &
				(w == L >> 6 ? (1ull << (L & 63)) - 1 : ~0ull);
	}
	/* blanks kept, no field has one at its edge (eb): none to trim */
	if (x->kb)
		return cut_ends(r, seg, avail, x->pos + k, nf, (uint32_t)0 - (uint32_t)s, x->esc[x->ec] < L, anyq, ll, 0);
	return cut_ends(r, seg, avail, x->pos + k, nf, (uint32_t)0 - (uint32_t)s, x->esc[x->ec] < L, anyq, ll, 1);
}
#endif

size_t fund_rd_fast_line(struct fund_reader *r, unsigned char *seg, size_t avail)
{
#if FUND_AVX2
	if (fund_cpu_hw)
		return index_line(r, seg, avail);
#endif
	return fast_line(r, seg, avail, 0);
}
