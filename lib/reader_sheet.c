/* A spreadsheet's sheet as records: the workbook opened (from the file,
 * or standard input copied to a temporary file), the header found, the
 * rows handed out with the sheet's row numbers. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "reader_impl.h"
#include "banned.h"

/* rows read ahead to find the header */
#define LOOK_ROWS 30
/* of which the rows after a candidate that it is measured against */
#define LOOK_NEXT 10

static size_t filled(const struct sheet_row *w, int *all_text)
{
	size_t i, n = 0;
	*all_text = 1;
	for (i = 0; i < w->n; i++) {
		if (w->kind[i] == SC_EMPTY || (w->kind[i] == SC_TEXT && fund_blank(w->text.p + w->off[i], w->len[i])))
			continue;
		n++;
		if (w->kind[i] != SC_TEXT)
			*all_text = 0;
	}
	return n;
}

/* The header rule (fundkit(7)): the first row whose non-empty cells are
 * all text and at least half as many as the fullest of the ten rows
 * after it; else the first row. */
static size_t find_header(const struct sheet_row *look, size_t n)
{
	size_t i, k;
	for (i = 0; i < n; i++) {
		int text, t2;
		size_t c = filled(&look[i], &text), widest = 0;
		if (!c || !text)
			continue;
		for (k = i + 1; k < n && k <= i + LOOK_NEXT; k++) {
			size_t w = filled(&look[k], &t2);
			if (w > widest)
				widest = w;
		}
		if (2 * c >= widest && (c >= 2 || widest <= 1))
			return i;
	}
	return 0;
}

int fund_rd_open_sheet(struct fund_reader *r, const struct fund_reader_opts *o, struct fund_error *err)
{
	struct stat st;
	int rc, kind = r->src.sheet_kind;
	size_t h, i, n, skipped = 0;
	unsigned long first = 0, last = 0;
	char *name;

	if (r->path && !stat(r->path, &st) && S_ISREG(st.st_mode))
		rc = fund_book_open(&r->book, r->path, r->name, kind, err);
	else
		rc = fund_book_open_fd(&r->book, r->src.fd, r->src.plain, r->src.plain_len, r->name, kind, err);
	if (rc)
		return rc;
	if ((rc = fund_book_choose(r->book, o ? o->sheet : NULL, err)) < 0)
		return rc;
	/* messages name the sheet: "book.xlsx:Sheet" */
	if (asprintf(&name, "%s:%s", r->name, r->book->sheets[r->book->cur].name) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	free(r->name);
	r->name = name;
	r->delim = 0;
	if (!(r->look = calloc(LOOK_ROWS, sizeof(*r->look))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (o && o->header_row) {
		/* the rows above the given header: read and skipped */
		for (;;) {
			if ((rc = fund_book_row(r->book, &r->look[0], err)) < 0)
				return rc;
			if (rc == 0 || r->look[0].row > o->header_row)
				return fund_error_set(err, FUND_EUSAGE, "%s: row %lu is empty: no header there",
						      r->name, o->header_row);
			if (r->look[0].row == o->header_row)
				break;
			if (!skipped++)
				first = r->look[0].row;
			last = r->look[0].row;
		}
		n = 1;
		h = 0;
	} else {
		/* the rows that may hold the header */
		for (n = 0; n < LOOK_ROWS; n++) {
			if ((rc = fund_book_row(r->book, &r->look[n], err)) < 0)
				return rc;
			if (rc == 0)
				break;
		}
		if (!n)
			return 0;   /* an empty sheet: no header, as an empty file */
		h = find_header(r->look, n);
		if ((skipped = h) > 0) {
			first = r->look[0].row;
			last = r->look[h - 1].row;
		}
	}
	r->nlook = n;
	{
		const struct sheet_row *hr = &r->look[h];
		size_t nc = hr->n;
		if (nc > FUND_COLUMNS_MAX)
			return fund_error_set(err, FUND_ELIMIT, "%s: more than 10000 columns (limit)", r->name);
		if (!(r->colnames = calloc(nc ? nc : 1, sizeof(char *))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		for (i = 0; i < nc; i++) {
			if (!(r->colnames[i] = strndup(hr->text.p + hr->off[i], hr->len[i])))
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			r->ncols++;
		}
		r->header_row = hr->row;
	}
	if (skipped && o && o->note) {
		char *m = NULL;
		if (asprintf(&m, "%s: the header is row %lu; %zu row%s above it skipped (row%s %lu%s%.0lu; "
			     "--header-row chooses another)", r->name, r->header_row, skipped, skipped == 1 ? "" : "s",
			     first == last ? "" : "s", first, first == last ? "" : "-", first == last ? 0 : last) >= 0) {
			o->note(o->note_ctx, m);
			free(m);
		}
	}
	r->look_pos = h + 1;
	if (kind == 2 && o && o->note) {
		char *m = NULL;
		if (asprintf(&m, "%s: an Excel 97-2003 workbook, read through libfreexl: its formula results and "
			     "booleans read as empty cells, its dates only under Excel's built-in date formats "
			     "(save it as .xlsx to read them)", r->name) >= 0) {
			o->note(o->note_ctx, m);
			free(m);
		}
	}
	return 0;
}

/* 1 when the row's cells are the header's names again */
static int repeats_header(const struct fund_reader *r, const struct sheet_row *w)
{
	size_t i, same = 0;
	for (i = 0; i < w->n; i++) {
		const char *c = w->text.p + w->off[i];
		if (i >= r->ncols) {
			if (w->len[i])
				return 0;
			continue;
		}
		if (strlen(r->colnames[i]) != w->len[i] || memcmp(r->colnames[i], c, w->len[i]))
			return 0;
		if (w->len[i])
			same++;
	}
	return same >= 2 || (same == 1 && r->ncols == 1);
}

int fund_rd_sheet_record(struct fund_reader *r, struct fund_error *err)
{
	const struct sheet_row *w;
	size_t i;
	int rc;
	if (r->look_pos < r->nlook) {
		w = &r->look[r->look_pos++];
	} else {
		if (r->look) {
			/* the rows read ahead are handed out: free them */
			for (i = 0; i < LOOK_ROWS; i++)
				sheet_row_free(&r->look[i]);
			free(r->look);
			r->look = NULL;
			r->nlook = r->look_pos = 0;
		}
		if ((rc = fund_book_row(r->book, &r->srow, err)) <= 0)
			return rc;
		w = &r->srow;
	}
	if (w->n > FUND_COLUMNS_MAX)
		return fund_error_at(err, FUND_ELIMIT, r->name, w->row, NULL, NULL, 0,
				     "more than 10000 fields in a record (limit)");
	if ((w->n > r->fcap || r->ncols > r->fcap) && fund_rd_grow_fields(r, w->n > r->ncols ? w->n : r->ncols))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < w->n; i++) {
		r->fields[i] = w->text.p + w->off[i];
		r->flen[i] = w->len[i];
		r->nulls[i] = w->kind[i] == SC_BAD ? 2 : 0;
	}
	/* a row ends at its last cell: the empty cells after it up to the
	 * header's width are empty cells like the others */
	for (; i < r->ncols; i++) {
		r->fields[i] = "";
		r->flen[i] = 0;
		r->nulls[i] = 0;
	}
	r->nf = i;
	r->all_direct = 1;
	r->blank = -1;
	r->plain = 0;
	r->rec.line = w->row;
	r->rec.sheet = 1;
	r->rec.header_again = (unsigned char)repeats_header(r, w);
	return 1;
}

void fund_rd_close_sheet(struct fund_reader *r)
{
	size_t i;
	if (r->look) {
		for (i = 0; i < LOOK_ROWS; i++)
			sheet_row_free(&r->look[i]);
		free(r->look);
		r->look = NULL;
	}
	sheet_row_free(&r->srow);
	fund_book_close(&r->book);
}
