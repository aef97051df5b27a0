/* Tables out.  TSV and CSV quote a value only when it needs it, so that
 * every output reads back through libcsv to the same table; JSON strings
 * are escaped, numbers written as the exact text given. */
#include <emmintrin.h>
#include <stdlib.h>
#include <string.h>
#include "lazy.h"
#include "writer_xlsx.h"
#include "banned.h"

struct fund_writer {
	FILE *fp;
	enum fund_outfmt fmt;
	char **names;
	size_t ncols;
	uint64_t rows;
	/* TABLE: all cells kept until the end */
	struct fund_buf cells;       /* NUL-terminated texts */
	size_t *offs;
	unsigned char *isnum;
	size_t ncells, capcells;
	int safe;
	struct fund_buf guard;       /* a guarded cell */
	struct fund_xw *xw;          /* XLSX */
	struct fund_buf row;         /* the row being made (TSV, CSV, JSON) */
	int nomem;
	int mem;                     /* a part's: its rows kept in row, not written */
	struct fund_spares *spares;  /* the table's parts' rows freed; a part's: its table's */
	int own_spares;
};

int fund_writer_fail(struct fund_error *err, int rc)
{
	if (rc == FUND_ENOMEM)
		return fund_error_set(err, rc, "out of memory");
	if (rc == FUND_EIO && fund_xlsx_unloaded())
		return fund_error_set(err, rc, "%s", fund_xlsx_unloaded());
	if (rc == FUND_ELIMIT)
		return fund_error_set(err, rc, "more than a workbook holds (a cell of more than 32767 characters, or "
				      "more than 1048576 rows): write another format");
	return fund_error_set(err, rc, "write error");
}

int fund_outfmt_from_name(const char *name)
{
	static const char *const n[] = { "tsv", "csv", "json", "ndjson", "table", "xlsx" };
	int i;
	for (i = 0; i < 6; i++)
		if (!strcmp(name, n[i]))
			return i;
	if (!strcmp(name, "jsonl"))
		return FUND_OUT_NDJSON;
	return -1;
}

int fund_writer_open(struct fund_writer **out, FILE *fp, enum fund_outfmt fmt,
		     const char *const *names, size_t ncols)
{
	struct fund_writer *w = calloc(1, sizeof(*w));
	size_t i;
	*out = NULL;
	if (!w)
		return FUND_ENOMEM;
	w->fp = fp;
	w->fmt = fmt;
	w->ncols = ncols;
	w->names = calloc(ncols ? ncols : 1, sizeof(char *));
	if (!w->names) {
		free(w);
		return FUND_ENOMEM;
	}
	for (i = 0; i < ncols; i++) {
		w->names[i] = strdup(names[i]);
		if (!w->names[i]) {
			fund_writer_free(&w);
			return FUND_ENOMEM;
		}
	}
	if (fmt == FUND_OUT_XLSX) {
		int rc = fund_xw_open(&w->xw, names, ncols);
		if (rc) {
			fund_writer_free(&w);
			return rc;
		}
	}
	*out = w;
	return 0;
}

void fund_writer_free(struct fund_writer **wp)
{
	struct fund_writer *w = wp ? *wp : NULL;
	size_t i;
	if (!w)
		return;
	if (w->own_spares)
		fund_spares_free(&w->spares);
	else if (w->spares)
		fund_spares_give(w->spares, &w->row);
	for (i = 0; i < w->ncols; i++)
		free(w->names[i]);
	free(w->names);
	fund_buf_release(&w->cells);
	fund_buf_release(&w->guard);
	fund_buf_release(&w->row);
	fund_xw_free(&w->xw);
	free(w->offs);
	free(w->isnum);
	free(w);
	*wp = NULL;
}

/* A row is made in w->row, then written with one fwrite: stdio's lock
 * taken once a row, not once a byte. */
static inline char *room(struct fund_writer *w, size_t n)
{
	if ((!w->row.p || w->row.cap - w->row.len < n) && fund_buf_reserve(&w->row, n ? n : 1)) {
		w->nomem = 1;
		return NULL;
	}
	return w->row.p + w->row.len;
}

static inline void put(struct fund_writer *w, const char *s, size_t n)
{
	char *d = room(w, n);
	if (d) {
		memcpy(d, s, n);
		w->row.len += n;
	}
}

static inline void put1(struct fund_writer *w, char c)
{
	char *d = room(w, 1);
	if (d) {
		*d = c;
		w->row.len++;
	}
}

/* The bytes that make a cell special, a bit an output: TSV's (a tab, a
 * line end), CSV's (a comma, a quote, a line end), JSON's (a quote, a
 * backslash, a control character) */
enum { SP_TSV = 1, SP_CSV = 2, SP_JSON = 4 };
static const unsigned char sp_class[256] = {
	4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 7, 4, 4, 7, 4, 4,
	4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,
	0, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
};

/* Eight bytes at a time: the high bit of each byte of x below c (c at
 * most 128), or more (a borrow can mark a byte after one below c: the
 * mask only says whether one is). */
#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL
static inline uint64_t below8(uint64_t x, unsigned c)
{
	return (x - ONES * c) & ~x & HIGHS;
}

/* Bytes of x that may be of class k (a control byte below 14 for TSV,
 * and ',' '"' for CSV; below 0x20, '"', '\\', 0x7f for JSON): 0 when
 * none is. */
static inline uint64_t maybe8(uint64_t x, int k)
{
	if (k == SP_TSV)
		return below8(x, 14);
	if (k == SP_CSV)
		return below8(x, 14) | below8(x ^ (ONES * ','), 1) | below8(x ^ (ONES * '"'), 1);
	return below8(x, 0x20) | below8(x ^ (ONES * '"'), 1) | below8(x ^ (ONES * '\\'), 1) |
	       below8(x ^ (ONES * 0x7f), 1);
}

static inline uint64_t load8(const char *s)
{
	uint64_t x;
	memcpy(&x, s, 8);
	return x;
}

static size_t special_long(const char *s, size_t n, int k);

/* The index of the first byte of s[0..n) of class k, or n; 16 bytes at a
 * time when the cell is long, 8 when it is not. */
static inline size_t special(const char *s, size_t n, int k)
{
	size_t i = 0;
	if (n >= 32)
		return special_long(s, n, k);
	for (; i + 8 <= n; i += 8)
		if (maybe8(load8(s + i), k))
			goto bytes;
	/* the last bytes: the last eight, again in part; or four and four */
	if (i < n && n >= 8 && !maybe8(load8(s + n - 8), k))
		return n;
	if (n >= 4 && n < 8) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		if (!maybe8((uint64_t)a | (uint64_t)b << 32, k))
			return n;
	}
bytes:
	for (; i < n; i++)
		if (sp_class[(unsigned char)s[i]] & k)
			break;
	return i;
}

static size_t special_long(const char *s, size_t n, int k)
{
	size_t i = 0;
	{
		const __m128i d = _mm_set1_epi8(k == SP_TSV ? '\t' : k == SP_CSV ? ',' : '\\');
		const __m128i lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
		const __m128i qt = _mm_set1_epi8(k == SP_TSV ? '\n' : '"');
		const __m128i ctl = _mm_set1_epi8(k == SP_JSON ? 0x1f : 0), del = _mm_set1_epi8(k == SP_JSON ? 0x7f : '\n');
		for (; i + 16 <= n; i += 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
			__m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, d), _mm_cmpeq_epi8(x, lf)),
						 _mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, qt)));
			m = _mm_or_si128(m, _mm_cmpeq_epi8(x, del));
			/* json: the bytes 0x00-0x1f (unsigned min(x, 0x1f) is x) */
			if (k == SP_JSON)
				m = _mm_or_si128(m, _mm_cmpeq_epi8(_mm_min_epu8(x, ctl), x));
			if (_mm_movemask_epi8(m))
				goto bytes;
		}
	}
	/* fewer than 16 left */
	return i + special(s + i, n - i, k);
bytes:
	while (!(sp_class[(unsigned char)s[i]] & k))
		i++;
	return i;
}

/* A cell of TSV or CSV: quoted when it must be to read back the same
 * (a delimiter, a line end, a quote in CSV or first in TSV, a blank at
 * an edge), "" for a quote */
static void put_delimited(struct fund_writer *w, const char *s, size_t n, char delim)
{
	size_t i;
	char *d;
	if (!(n && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '"')) && special(s, n, delim == ',' ? SP_CSV : SP_TSV) == n) {
		put(w, s, n);
		return;
	}
	if (!(d = room(w, 2 * n + 2)))
		return;
	*d++ = '"';
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			*d++ = '"';
		*d++ = s[i];
	}
	*d++ = '"';
	w->row.len = (size_t)(d - w->row.p);
}

/* n bytes from s to d, the short ones without a call */
static inline void copy_cell(char *d, const char *s, size_t n)
{
	if (n >= 8 && n <= 16) {
		uint64_t a = load8(s), b = load8(s + n - 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4 && n < 8) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n < 4) {
		while (n--)
			*d++ = *s++;
	} else {
		memcpy(d, s, n);
	}
}

/* A row of TSV or CSV: room for it made once, each cell as it is unless
 * it must be quoted (put_delimited); a cell whose plain[i] has the bit
 * of the format (FUND_PLAIN_TSV, FUND_PLAIN_CSV) holds none of its
 * special bytes: only its edges are looked at. */
static inline __attribute__((always_inline)) void row_delimited(struct fund_writer *w, const struct fund_cell *c,
								   const char delim, const int k,
								   const unsigned char *plain, const unsigned char bit)
{
	size_t i, need = w->ncols + 1 + FUND_PLAIN_PAD_BYTES;
	char *d;
	for (i = 0; i < w->ncols; i++)
		need += c[i].s ? c[i].len : 0;
	if (!(d = room(w, need)))
		return;
	for (i = 0; i < w->ncols; i++) {
		const char *s = c[i].s;
		size_t n = c[i].len;
		if (i)
			*d++ = delim;
		if (!s)
			continue;
		if (!(n && (s[0] == ' ' || s[n - 1] == ' ' || s[0] == '"')) &&
		    ((plain && (plain[i] & bit)) || special(s, n, k) == n)) {
			/* a short cell with readable bytes after it in one
			 * move (no branch on its length, which the processor
			 * guessed wrong from cell to cell): those past it are
			 * written over next, or past the row's end (room
			 * made for them) */
			if (plain && (plain[i] & FUND_PLAIN_PAD) && n <= FUND_PLAIN_PAD_BYTES)
				memcpy(d, s, FUND_PLAIN_PAD_BYTES);
			else
				copy_cell(d, s, n);
			d += n;
			continue;
		}
		/* quoted: room for it and for the rest of the row */
		w->row.len = (size_t)(d - w->row.p);
		if (!room(w, 2 * n + 2 + need))
			return;
		put_delimited(w, s, n, delim);
		d = w->row.p + w->row.len;
	}
	*d++ = '\n';
	w->row.len = (size_t)(d - w->row.p);
}

static void put_json_string(struct fund_writer *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, k;
	put1(w, '"');
	while (i < n) {
		unsigned char c;
		char *d;
		k = special(s + i, n - i, SP_JSON);
		put(w, s + i, k);
		i += k;
		if (i == n || !(d = room(w, 6)))
			break;
		c = (unsigned char)s[i++];
		d[0] = '\\';
		switch (c) {
		case '"': d[1] = '"'; break;
		case '\\': d[1] = '\\'; break;
		case '\n': d[1] = 'n'; break;
		case '\r': d[1] = 'r'; break;
		case '\t': d[1] = 't'; break;
		default:
			d[1] = 'u';
			d[2] = '0';
			d[3] = '0';
			d[4] = hex[c >> 4];
			d[5] = hex[c & 15];
			w->row.len += 4;
		}
		w->row.len += 2;
	}
	put1(w, '"');
}

static void json_object(struct fund_writer *w, const struct fund_cell *c)
{
	size_t i;
	put1(w, '{');
	for (i = 0; i < w->ncols; i++) {
		if (i)
			put1(w, ',');
		put_json_string(w, w->names[i], strlen(w->names[i]));
		put1(w, ':');
		if (!c[i].s)
			put(w, "null", 4);
		else if (c[i].type == FUND_CELL_NUMBER)
			put(w, c[i].s, c[i].len);
		else
			put_json_string(w, c[i].s, c[i].len);
	}
	put1(w, '}');
}

static void header(struct fund_writer *w, char delim)
{
	size_t i;
	for (i = 0; i < w->ncols; i++) {
		if (i)
			put1(w, delim);
		put_delimited(w, w->names[i], strlen(w->names[i]), delim);
	}
	put1(w, '\n');
}

static int keep_cell(struct fund_writer *w, const char *s, size_t n, int num)
{
	size_t i;
	if (w->ncells == w->capcells) {
		size_t cap = w->capcells ? w->capcells * 2 : 64;
		size_t *o = realloc(w->offs, cap * sizeof(*o));
		unsigned char *f;
		if (!o)
			return FUND_ENOMEM;
		w->offs = o;
		f = realloc(w->isnum, cap);
		if (!f)
			return FUND_ENOMEM;
		w->isnum = f;
		w->capcells = cap;
	}
	if (fund_buf_reserve(&w->cells, n + 1))
		return FUND_ENOMEM;
	w->offs[w->ncells] = w->cells.len;
	w->isnum[w->ncells] = (unsigned char)num;
	for (i = 0; i < n; i++) {
		char c = s[i];
		w->cells.p[w->cells.len++] = (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
	}
	w->cells.p[w->cells.len++] = '\0';
	w->ncells++;
	return 0;
}

void fund_writer_safe(struct fund_writer *w, int on)
{
	w->safe = on;
}

int fund_cell_risky(const char *s, size_t len)
{
	size_t i = 1;
	int digits = 0, marks = 0;
	if (!len || !strchr("=+-@\t\r", s[0]))
		return 0;
	if (s[0] != '-' && s[0] != '+')
		return 1;
	for (; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if ((s[i] == '.' || s[i] == ',') && !marks)
			marks++;
		else
			return 1;
	}
	return digits == 0;
}

/* The cells of a row with the guard applied: c itself, or a copy in
 * which the risky text cells point into w->guard. */
static int guarded(struct fund_writer *w, const struct fund_cell *c, struct fund_cell **out)
{
	size_t i, need = 0, o = 0;
	struct fund_cell *g;
	*out = (struct fund_cell *)c;
	if (!w->safe || w->fmt == FUND_OUT_JSON || w->fmt == FUND_OUT_NDJSON)
		return 0;
	for (i = 0; i < w->ncols; i++)
		if (c[i].s && c[i].type == FUND_CELL_TEXT && fund_cell_risky(c[i].s, c[i].len))
			need += c[i].len + 1;
	if (!need)
		return 0;
	w->guard.len = 0;
	if (fund_buf_reserve(&w->guard, need + w->ncols * sizeof(*g) + sizeof(*g)))
		return FUND_ENOMEM;
	g = (struct fund_cell *)(void *)w->guard.p;   /* malloc'd: aligned */
	o = (w->ncols + 1) * sizeof(*g);
	for (i = 0; i < w->ncols; i++) {
		g[i] = c[i];
		if (c[i].s && c[i].type == FUND_CELL_TEXT && fund_cell_risky(c[i].s, c[i].len)) {
			w->guard.p[o] = '\'';
			memcpy(w->guard.p + o + 1, c[i].s, c[i].len);
			g[i].s = w->guard.p + o;
			g[i].len = c[i].len + 1;
			o += c[i].len + 1;
		}
	}
	*out = g;
	return 0;
}

int fund_writer_row(struct fund_writer *w, const struct fund_cell *cells)
{
	return fund_writer_row_plain(w, cells, NULL);
}

int fund_writer_row_plain(struct fund_writer *w, const struct fund_cell *cells, const unsigned char *plain)
{
	size_t i;
	char delim = w->fmt == FUND_OUT_CSV ? ',' : '\t';
	struct fund_cell *c;

	if (w->fmt == FUND_OUT_XLSX) {
		/* a workbook's text cells are never formulas: no guard needed */
		int rc = fund_xw_row(w->xw, cells);
		w->rows++;
		return rc;
	}
	if (guarded(w, cells, &c))
		return FUND_ENOMEM;

	if (!w->mem)
		w->row.len = 0;
	switch (w->fmt) {
	case FUND_OUT_TSV:
	case FUND_OUT_CSV:
		if (w->rows == 0)
			header(w, delim);
		if (delim == ',')
			row_delimited(w, c, ',', SP_CSV, plain, FUND_PLAIN_CSV);
		else
			row_delimited(w, c, '\t', SP_TSV, plain, FUND_PLAIN_TSV);
		break;
	case FUND_OUT_JSON:
		put(w, w->rows ? ",\n" : "[\n", 2);
		json_object(w, c);
		break;
	case FUND_OUT_NDJSON:
		json_object(w, c);
		put1(w, '\n');
		break;
	case FUND_OUT_XLSX:
		break;
	case FUND_OUT_TABLE:
		if (w->rows == 0)
			for (i = 0; i < w->ncols; i++)
				if (keep_cell(w, w->names[i], strlen(w->names[i]), 0))
					return FUND_ENOMEM;
		for (i = 0; i < w->ncols; i++)
			if (keep_cell(w, c[i].s ? c[i].s : "", c[i].s ? c[i].len : 0,
				      c[i].type == FUND_CELL_NUMBER))
				return FUND_ENOMEM;
		break;
	}
	if (w->nomem)
		return FUND_ENOMEM;
	w->rows++;
	if (w->mem)
		return 0;
	if (w->row.len && fwrite(w->row.p, 1, w->row.len, w->fp) != w->row.len)
		return FUND_EIO;
	return ferror(w->fp) ? FUND_EIO : 0;
}

/* A part's writer: its rows follow others (no header; in JSON each
 * after a separator), kept in row until fund_writer_append. */
int fund_writer_fork(struct fund_writer **out, struct fund_writer *w)
{
	int rc;
	*out = NULL;
	if (w->fmt != FUND_OUT_TSV && w->fmt != FUND_OUT_CSV && w->fmt != FUND_OUT_JSON && w->fmt != FUND_OUT_NDJSON)
		return FUND_EUSAGE;
	if (!w->spares) {
		if ((rc = fund_spares_new(&w->spares)) < 0)
			return rc;
		w->own_spares = 1;
	}
	if ((rc = fund_writer_open(out, NULL, w->fmt, (const char *const *)w->names, w->ncols)) < 0)
		return rc;
	(*out)->spares = w->spares;
	(*out)->row = fund_spares_take(w->spares);
	(*out)->mem = 1;
	(*out)->rows = 1;
	(*out)->safe = w->safe;
	return 0;
}

int fund_writer_append(struct fund_writer *w, struct fund_writer *part)
{
	const char *p = part->row.p;
	size_t n = part->row.len;
	uint64_t rows = part->rows - 1;
	part->row.len = 0;
	part->rows = 1;
	if (!rows)
		return 0;
	if (w->rows == 0) {
		/* the first rows written: what comes before them */
		w->row.len = 0;
		if (w->fmt == FUND_OUT_TSV || w->fmt == FUND_OUT_CSV)
			header(w, w->fmt == FUND_OUT_CSV ? ',' : '\t');
		else if (w->fmt == FUND_OUT_JSON) {
			put(w, "[\n", 2);
			p += 2;     /* the part's ",\n" */
			n -= 2;
		}
		if (w->nomem)
			return FUND_ENOMEM;
		if (w->row.len && fwrite(w->row.p, 1, w->row.len, w->fp) != w->row.len)
			return FUND_EIO;
	}
	w->rows += rows;
	if (n && fwrite(p, 1, n, w->fp) != n)
		return FUND_EIO;
	return ferror(w->fp) ? FUND_EIO : 0;
}

/* Display width: code points, not bytes. */
static size_t width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void pad(FILE *fp, size_t n)
{
	while (n--)
		putc(' ', fp);
}

int fund_writer_finish(struct fund_writer *w)
{
	size_t i, r, nrows;
	size_t *wd;

	switch (w->fmt) {
	case FUND_OUT_TSV:
	case FUND_OUT_CSV:
		if (w->rows == 0) {
			w->row.len = 0;
			header(w, w->fmt == FUND_OUT_CSV ? ',' : '\t');
			if (w->nomem)
				return FUND_ENOMEM;
			if (fwrite(w->row.p, 1, w->row.len, w->fp) != w->row.len)
				return FUND_EIO;
		}
		break;
	case FUND_OUT_JSON:
		fputs(w->rows ? "\n]\n" : "[]\n", w->fp);
		break;
	case FUND_OUT_NDJSON:
		break;
	case FUND_OUT_XLSX: {
		int rc = fund_xw_finish(w->xw, w->fp);
		fund_xw_free(&w->xw);
		return rc;
	}
	case FUND_OUT_TABLE:
		if (w->rows == 0)
			for (i = 0; i < w->ncols; i++)
				if (keep_cell(w, w->names[i], strlen(w->names[i]), 0))
					return FUND_ENOMEM;
		if (w->ncols == 0)
			break;
		nrows = w->ncells / w->ncols;
		wd = calloc(w->ncols, sizeof(*wd));
		if (!wd)
			return FUND_ENOMEM;
		for (r = 0; r < nrows; r++)
			for (i = 0; i < w->ncols; i++) {
				size_t x = width(w->cells.p + w->offs[r * w->ncols + i]);
				if (x > wd[i])
					wd[i] = x;
			}
		for (r = 0; r < nrows; r++) {
			for (i = 0; i < w->ncols; i++) {
				size_t k = r * w->ncols + i;
				const char *s = w->cells.p + w->offs[k];
				size_t x = width(s);
				int right = w->isnum[k];
				if (r == 0) {
					/* a header is right-aligned over a column of numbers */
					size_t rr;
					for (rr = 1; rr < nrows; rr++)
						if (w->isnum[rr * w->ncols + i])
							right = 1;
				}
				if (i)
					fputs("  ", w->fp);
				if (right)
					pad(w->fp, wd[i] - x);
				fputs(s, w->fp);
				if (!right && i + 1 < w->ncols)
					pad(w->fp, wd[i] - x);
			}
			putc('\n', w->fp);
			if (r == 0) {
				for (i = 0; i < w->ncols; i++) {
					size_t k;
					if (i)
						fputs("  ", w->fp);
					for (k = 0; k < wd[i]; k++)
						putc('-', w->fp);
				}
				putc('\n', w->fp);
			}
		}
		free(wd);
		break;
	}
	return ferror(w->fp) ? FUND_EIO : 0;
}
