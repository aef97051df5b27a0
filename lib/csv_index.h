/* The body of csv_fast.c's ix_grow, included once for each instruction
 * set: IX_TARGET (the target attribute), IX_BODY (the body's name),
 * IX_KB and IX_PLAIN (the functions made of it, with and without the
 * blanks at a field's edge), IX_CLASSIFY (a word's classes) and
 * IX_FLATTEN (a word's structure written as offsets); no include guard,
 * the names undefined at the end. */
/* The index's next words (struct fund_ix): up to IX_STEP more, none past
 * the chunk's end (the bits of bytes past it cleared; classify reads up
 * to 63 bytes beyond, the source's SRC_PAD), their structure, line ends
 * and quotes out of place or doubled added to the lists.  A closing quote
 * is in place when what follows it is a delimiter outside quotes, a CR or
 * LF or an opening quote (""): for the word's last byte that is known at
 * the next word (pend); the lines that hold it end there or later. */
__attribute__((target(IX_TARGET)))
static inline __attribute__((always_inline)) void IX_BODY(struct fund_ix *x, unsigned char d, const int kb)
{
	const unsigned char tab = d == '\t' ? ' ' : '\t';
	const size_t avail = (size_t)(x->lim - x->p);
	size_t w = x->nw, end = w + IX_STEP;
	uint64_t in = x->in, carry = x->carry, pend = x->pend, carryb = x->carryb, pendb = x->pendb;
	uint32_t *pos = x->pos + x->npos, *le = x->le + x->nle;
	if (end > IX_WORDS)
		end = IX_WORDS;
	if (end * 64 > avail)
		end = (avail + 63) / 64;
	for (; w < end; w++) {
		struct classes c;
		uint64_t px, S, qo, qc;
		const uint32_t base = (uint32_t)(w << 6);
		IX_CLASSIFY(x->p + w * 64, d, tab, &c);
		if (avail - w * 64 < 64) {
			uint64_t m = (1ull << (avail - w * 64)) - 1;
			c.d &= m;
			c.q &= m;
			c.e &= m;
			c.b &= m;
		}
		/* the prefix XOR as a carry-less product by all ones */
		px = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)c.q),
								      _mm_set1_epi8((char)0xFF), 0)) ^ in;
		in = (uint64_t)0 - (px >> 63);
		x->x[w] = px;
		x->q[w] = c.q;
		S = (c.d & ~px) | c.e;
		pos += IX_FLATTEN(pos, S, base);
		/* the quotes' checks with no branch on whether the word
		 * holds a quote (a coin toss from word to word), the lists
		 * written only when a check finds something; the first line's
		 * end stored whatever it is (the next entry, or IX_END,
		 * writes over it) and counted when there is one (GCC still
		 * makes a branch of that count) */
		*le = base + ctz64(c.e);
		le += c.e != 0;
		if (c.e & (c.e - 1))
			le += flatten_few(le, c.e & (c.e - 1), base);
		{
			uint64_t bad, esc, badp;
			qo = c.q & px;
			qc = c.q & ~px;
			/* pend: a closing quote ended the word before, to be
			 * followed by what lets it close, or doubled here */
			badp = pend & ~(S | qo) & 1;
			bad = (qo & ~(((S | qc) << 1) | carry)) | (qc & ~(((S | qo) >> 1) | 1ull << 63));
			esc = qo & ((qc << 1) | pend);
			if (badp | bad | esc) {
				if (badp)
					x->bad[x->nbad++] = base - 1;
				if (bad)
					x->nbad += flatten_few(x->bad + x->nbad, bad, base);
				if (esc)
					x->nesc += flatten_few(x->esc + x->nesc, esc, base);
			}
			pend = qc >> 63;
			carry = (S | qc) >> 63;
		}
		if (kb) {
			/* a blank next to the structure: the last byte's
			 * known at the next word, as a closing quote's */
			uint64_t eb = c.b & ((S << 1) | carryb | (S >> 1));
			if (pendb && (S & 1))
				x->eb[x->neb++] = base - 1;
			if (eb)
				x->neb += flatten_few(x->eb + x->neb, eb, base);
			pendb = (c.b & ~eb) >> 63;
			carryb = S >> 63;
		}
	}
	x->nw = w;
	x->carryb = carryb;
	x->pendb = pendb;
	x->in = in;
	x->carry = carry;
	x->pend = pend;
	x->npos = (size_t)(pos - x->pos);
	x->nle = (size_t)(le - x->le);
	*pos = IX_END;
	*le = IX_END;
	x->bad[x->nbad] = IX_END;
	x->esc[x->nesc] = IX_END;
	x->eb[x->neb] = IX_END;
}

__attribute__((target(IX_TARGET), noinline))
static void IX_KB(struct fund_ix *x, unsigned char d)
{
	IX_BODY(x, d, 1);
}

__attribute__((target(IX_TARGET), noinline))
static void IX_PLAIN(struct fund_ix *x, unsigned char d)
{
	IX_BODY(x, d, 0);
}
#undef IX_TARGET
#undef IX_BODY
#undef IX_KB
#undef IX_PLAIN
#undef IX_CLASSIFY
#undef IX_FLATTEN
