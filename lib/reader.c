/* One reader over CSV (libcsv) and JSON (cJSON): sniffing, header, records
 * with the physical line where they start, columns by name or index. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "reader_impl.h"
#include "banned.h"


int fund_rd_grow_fields(struct fund_reader *r, size_t need)
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

int fund_rd_add_field(struct fund_reader *r, const char *s, size_t n, int is_null)
{
	if (r->nf >= FUND_COLUMNS_MAX) {
		r->too_many = 1;
		return 0;
	}
	if ((r->nf >= r->fcap && fund_rd_grow_fields(r, r->nf + 1)) ||
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
	if (fund_rd_add_field(r, s ? s : "", s ? n : 0, 0))
		r->too_many = 2;
}

void fund_rd_cb_row(int c, void *data)
{
	(void)c;
	fund_rd_row_done(data);
}

static void publish(struct fund_reader *r)
{
	size_t i;
	if (!r->all_direct) {
		for (i = 0; i < r->nf; i++)
			r->fields[i] = r->fbuf.p + r->off[i];
		r->want_clear = 0;
		r->blank = -1;
		r->plain = 0;
	}
	r->rec.blank = r->blank;
	r->rec.plain = r->plain;
	r->rec.n = r->nf;
	r->rec.fields = r->fields;
	r->rec.len = r->flen;
	r->rec.is_null = r->is_json || r->book ? r->nulls : NULL;
}

static int csv_fail(struct fund_reader *r, struct fund_error *err, int code,
		    unsigned long line, const char *what)
{
	return fund_error_at(err, code, r->name, line, NULL, NULL, 0, "%s", what);
}

int fund_csv_no_space(unsigned char c)
{
	(void)c;
	return 0;
}

/* With the blanks kept, libcsv sees none as a blank, except on a line
 * where a quote is next to a blank ('"y" ,', ' "y"'), read as when they
 * are trimmed: a blank after a closing quote would otherwise reopen the
 * field (libcsv takes anything but a delimiter there as the quote's
 * text), and a quote after a blank would be text. */
static int quote_by_blank(const unsigned char *s, size_t n, int delim)
{
	const unsigned char *q = s, *end = s + n;
	while ((q = memchr(q, '"', (size_t)(end - q)))) {
		if ((q > s && is_blank_c(q[-1], delim)) || (q + 1 < end && is_blank_c(q[1], delim)))
			return 1;
		q++;
	}
	return 0;
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
		int carried = 0;
		if (r->csv_eof)
			return 0;
		if (r->chunk_pos == r->chunk_len) {
			ssize_t got = fund_source_read(&r->src, &r->chunk, r->header_done ? 0 : 65536, err);
			if (got < 0)
				return (int)got;
			r->chunk_len = (size_t)got;
			r->chunk_pos = 0;
			r->chunk_ro = r->src.mapped_out;
			r->ix.valid = 0;
			if (got == 0) {
				int part_end = r->is_part && (r->src.limit || r->part_cut);
				if (r->carry.len && !part_end) {
					/* the file's last line, without an end */
					seg = (const unsigned char *)r->carry.p;
					n = r->carry.len;
					carried = 1;
					goto segment;
				}
				r->csv_eof = 1;
				if (part_end) {
					/* a part that ends where the next one
					 * starts: right only at a record's end */
					r->part_clean = r->csv.pstate == LIBCSV_ROW_NOT_BEGUN &&
						!r->in_record && !r->pending_cr && !r->carry.len;
					return 0;
				}
				if (r->csv.pstate == LIBCSV_FIELD_BEGUN && r->csv.quoted) {
					/* said at the record's line; the lines to
					 * the end as a count, which stays true
					 * when a part's lines are relocated */
					char m[128];
					if (fund_fmt(m, sizeof(m), "a quoted field opens in this record and is never closed "
						     "(%lu line%s to the end of the file)", r->line - r->rec_line,
						     r->line - r->rec_line == 1 ? "" : "s") < 0)
						return csv_fail(r, err, FUND_EDATA, r->rec_line,
								"a quoted field opens in this record and is never closed");
					return csv_fail(r, err, FUND_EDATA, r->rec_line, m);
				}
				csv_fini(&r->csv, cb_field, fund_rd_cb_row, r);
				r->part_clean = 1;
				break;
			}
		}
		seg = r->chunk + r->chunk_pos;
		end = r->chunk + r->chunk_len;
		if (r->fast && !r->pending_cr && !r->in_record && r->csv.pstate == LIBCSV_ROW_NOT_BEGUN && !r->carry.len &&
		    (n = fund_rd_fast_line(r, (unsigned char *)seg, (size_t)(end - seg))) > 0) {
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
		if (r->keep_blanks && (r->carry.len || (p == end && seg[n - 1] != '\n' && seg[n - 1] != '\r'))) {
			/* a line cut by the chunk's end: its bytes carried until
			 * its end, then read as one segment */
			if (r->carry.len + n > FUND_RECORD_MAX)
				return csv_fail(r, err, FUND_ELIMIT, r->line, "record longer than 64 MiB (limit)");
			if (fund_buf_reserve(&r->carry, n))
				return csv_fail(r, err, FUND_ENOMEM, r->line, "out of memory");
			memcpy(r->carry.p + r->carry.len, seg, n);
			r->carry.len += n;
			r->chunk_pos += n;
			if (seg[n - 1] != '\n' && seg[n - 1] != '\r')
				continue;
			seg = (const unsigned char *)r->carry.p;
			n = r->carry.len;
			carried = 1;
		}
segment:
		if (r->pending_cr) {
			r->pending_cr = 0;
			if (seg[0] != '\n')
				r->line++;
		}
		if (!r->in_record) {
			size_t i;
			/* libcsv skips lines of blanks (space, tab unless it
			 * is the delimiter): they start no record; only empty
			 * ones when the blanks are kept */
			for (i = 0; i < n; i++)
				if (seg[i] != '\r' && seg[i] != '\n' &&
				    (r->keep_blanks || (seg[i] != ' ' && (seg[i] != '\t' || r->delim == '\t'))))
					break;
			if (i < n) {
				r->in_record = 1;
				r->rec_line = r->line;
			}
		}
		eol = seg[n - 1];
		if (r->keep_blanks)
			csv_set_space_func(&r->csv, quote_by_blank(seg, n, r->delim) ? NULL : fund_csv_no_space);
		if (r->fast && r->csv.pstate == LIBCSV_ROW_NOT_BEGUN && !r->in_record && (eol == '\n' || eol == '\r')) {
			/* a blank line: no record */
		} else if (csv_parse(&r->csv, seg, n, cb_field, fund_rd_cb_row, r) != n) {
			return csv_fail(r, err, FUND_ENOMEM, r->line, csv_strerror(csv_error(&r->csv)));
		}
		if (carried)
			r->carry.len = 0;
		else
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
	/* a mapped file cut short under the mapping: the record may hold
	 * the zeros that stand for what is gone */
	if (r->src.map.slot >= 0 && fund_map_shrank(&r->src.map))
		return fund_source_lost(&r->src, err);
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
	if (o && o->keep_blanks) {
		r->keep_blanks = 1;
		csv_set_space_func(&r->csv, fund_csv_no_space);
	}
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
	if (got < 0 && r->src.sheet_kind) {
		/* a workbook: read as a table of cells */
		fund_error_clear(err);
		if ((rc = fund_rd_open_sheet(r, o, err)) < 0)
			goto fail;
		r->header_done = 1;
		*out = r;
		return 0;
	}
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
	rc = fmt == FUND_IN_JSON ? fund_rd_open_json(r, o, err) : open_csv(r, o, err);
	if (rc < 0)
		goto fail;
	r->header_done = 1;
	*out = r;
	return 0;
fail:
	fund_reader_close(&r);
	return rc;
}

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
		rc = fund_rd_json_record(r, o);
		cJSON_Delete(o);
		if (rc)
			return fund_error_set(err, rc, "out of memory");
		r->rec.line = line;
	} else if (r->book) {
		if (!r->ncols)
			return 0;
		rc = fund_rd_sheet_record(r, err);
		if (rc <= 0)
			return rc;
	} else {
		if (!r->ncols)
			return 0;
		if (r->need_count) {
			if ((rc = fund_rd_count_lines(r, err)) < 0)
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
	int give;
	if (!r)
		return;
	for (i = 0; i < r->ncols; i++) {
		free(r->colnames[i]);
		if (r->paths)
			fund_rd_free_path(r->paths[i]);
		if (r->path_rank)
			free(r->path_rank[i]);
	}
	free(r->colnames);
	free(r->paths);
	free(r->path_rank);
	fund_buf_release(&r->unread_name);
	free(r->vals);
	fund_rd_close_sheet(r);
	/* a part gives its memory back to the spares of the reader that
	 * split (part_spares makes the three or none) */
	give = !r->own_spares && r->spares[0];
	if (give && r->csv_open && r->csv.entry_buf) {
		struct fund_buf b = { (char *)r->csv.entry_buf, 0, r->csv.entry_size };
		r->csv.entry_buf = NULL;
		r->csv.entry_size = 0;
		fund_spares_give(r->spares[2], &b);
	}
	if (r->csv_open)
		csv_free(&r->csv);
	cJSON_Delete(r->pending);
	fund_json_release(&r->json);
	fund_source_close_to(&r->src, give ? r->spares[1] : NULL);
	fund_buf_release(&r->fbuf);
	fund_buf_release(&r->fcopy);
	fund_buf_release(&r->carry);
	free(r->off);
	free(r->flen);
	free(r->fields);
	free(r->nulls);
	free(r->name);
	free(r->path);
	*rp = NULL;
	if (r->own_spares) {
		for (i = 0; i < 3; i++)
			fund_spares_free(&r->spares[i]);
	} else if (give) {
		struct fund_buf b = { (char *)r, 0, sizeof(*r) };
		fund_spares_give(r->spares[0], &b);
		return;
	}
	free(r);
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
const char *fund_reader_book(const struct fund_reader *r) { return r->book ? r->book->kind : NULL; }
const char *fund_reader_sheet(const struct fund_reader *r)
{
	return r->book && r->book->cur < r->book->nsheets ? r->book->sheets[r->book->cur].name : NULL;
}
unsigned long fund_reader_header_row(const struct fund_reader *r) { return r->header_row; }
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
