/* OpenDocument spreadsheets (.ods): content.xml streamed, one table after
 * the other; repeated rows and columns expanded, empty repeats free. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sheet.h"
#include "banned.h"

struct ods {
	struct zbook z;              /* first: the zx handlers find it here */
	char *path;
	/* hidden tables: the names of the table styles that hide */
	char **hide;
	size_t nhide;
	char *style;                 /* the style:style being read */
	/* the scan for the tables' names */
	int scanning;
	/* reading */
	size_t want, table;          /* the table wanted, the tables passed */
	int in_table, depth_skip;
	struct sheet_row *out;
	struct sheet_row keep;       /* a row repeated: handed out again */
	unsigned long repeat_left;
	unsigned long row, rows_rep;
	size_t col, cols_rep;
	int in_cell, in_p, np, in_note, cell_done;
	int vtype;                   /* 0 none, 't' text, 'n' number, 'd' date, 'h' time, 'b' boolean */
	int formula;
	struct fund_buf val, text;
	int row_has, table_done;
};

#define O(ud) ((struct ods *)(ud))

static void nomem(struct ods *s)
{
	zbook_nomem(&s->z);
}

static void add(struct ods *s, struct fund_buf *b, const char *p, size_t n)
{
	if (fund_buf_reserve(b, n + 1))
		{ nomem(s); return; }
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static unsigned long repeat(const char **atts, const char *name)
{
	const char *v = zx_attr(atts, name);
	unsigned long n;
	char *end;
	if (!v)
		return 1;
	errno = 0;
	n = strtoul(v, &end, 10);
	return end == v || *end || !n ? 1 : n;
}

/* ---- styles that hide a table ---- */

static int hidden_style(struct ods *s, const char *name)
{
	size_t i;
	for (i = 0; name && i < s->nhide; i++)
		if (!strcmp(s->hide[i], name))
			return 1;
	return 0;
}

static void style_start(struct ods *s, const char *l, const char **atts)
{
	if (!strcmp(l, "style")) {
		const char *fam = zx_attr(atts, "family"), *n = zx_attr(atts, "name");
		free(s->style);
		s->style = fam && n && !strcmp(fam, "table") ? strdup(n) : NULL;
	} else if (!strcmp(l, "table-properties") && s->style) {
		const char *d = zx_attr(atts, "display");
		if (d && !strcmp(d, "false")) {
			void *n = realloc(s->hide, (s->nhide + 1) * sizeof(*s->hide));
			if (!n)
				{ nomem(s); return; }
			s->hide = n;
			s->hide[s->nhide++] = s->style;
			s->style = NULL;
		}
	}
}

/* ---- cells ---- */

static void cell_start(struct ods *s, const char **atts, int covered)
{
	const char *t = covered ? NULL : zx_attr(atts, "value-type"), *v = NULL;
	s->cols_rep = repeat(atts, "number-columns-repeated");
	s->in_cell = 1;
	s->np = 0;
	s->text.len = 0;
	s->val.len = 0;
	s->formula = !covered && zx_attr(atts, "formula") != NULL;
	s->vtype = 0;
	if (!t)
		return;
	if (!strcmp(t, "float") || !strcmp(t, "percentage") || !strcmp(t, "currency")) {
		s->vtype = 'n';
		v = zx_attr(atts, "value");
	} else if (!strcmp(t, "date")) {
		s->vtype = 'd';
		v = zx_attr(atts, "date-value");
	} else if (!strcmp(t, "time")) {
		s->vtype = 'h';
		v = zx_attr(atts, "time-value");
	} else if (!strcmp(t, "boolean")) {
		s->vtype = 'b';
		v = zx_attr(atts, "boolean-value");
	} else if (!strcmp(t, "string")) {
		s->vtype = 't';
		v = zx_attr(atts, "string-value");
		if (v)
			s->vtype = 'T';   /* the attribute, not the paragraphs */
	}
	if (v)
		add(s, &s->val, v, strlen(v));
	else if (s->vtype != 't')
		s->vtype = 't';           /* no value: what it shows */
}

/* "PT10H30M00S" (ISO 8601 duration) as "10:30:00" */
static size_t ods_time(char *buf, size_t size, const char *v)
{
	unsigned long h = 0, m = 0, sec = 0, x = 0;
	const char *p = v;
	int n;
	if (*p++ != 'P')
		return 0;
	for (; *p; p++) {
		if (*p >= '0' && *p <= '9') {
			x = x * 10 + (unsigned long)(*p - '0');
			if (x > 100000000ul)
				return 0;
		} else if (*p == 'D') { h += x * 24; x = 0; }
		else if (*p == 'H') { h += x; x = 0; }
		else if (*p == 'M') { m = x; x = 0; }
		else if (*p == 'S' || *p == '.' || *p == ',') {
			sec = x;
			x = 0;
			if (*p != 'S')
				while (p[1] >= '0' && p[1] <= '9')
					p++;
		} else if (*p != 'T') {
			return 0;
		}
	}
	n = fund_fmt(buf, size, "%02lu:%02lu:%02lu", h, m, sec);
	return n < 0 ? 0 : (size_t)n;
}

static void cell_end(struct ods *s)
{
	char num[400];
	const char *v = s->val.p ? s->val.p : "";
	size_t n = s->val.len, k, i;
	int kind = SC_EMPTY;
	s->in_cell = 0;
	switch (s->vtype) {
	case 'n': {
		char *end;
		double d;
		errno = 0;
		d = strtod(v, &end);
		if (end == v || *end) {
			kind = SC_TEXT;   /* a value that is not a number: kept as written */
			break;
		}
		n = sheet_number(num, d);
		v = num;
		kind = SC_NUMBER;
		break;
	}
	case 'd':
		kind = SC_DATE;
		/* "2014-03-01T00:00:00": a date at midnight is the date */
		if (n == 19 && !strcmp(v + 10, "T00:00:00"))
			n = 10;
		break;
	case 'h':
		if ((k = ods_time(num, sizeof(num), v)) > 0) {
			v = num;
			n = k;
			kind = SC_DATE;
		} else {
			kind = SC_TEXT;
		}
		break;
	case 'b':
		kind = SC_BOOL;
		break;
	case 'T':
		kind = SC_TEXT;
		break;
	case 't':
		v = s->text.p ? s->text.p : "";
		n = s->text.len;
		kind = n ? (s->formula && !s->vtype ? SC_BAD : SC_TEXT) : SC_EMPTY;
		break;
	default:
		v = s->text.p ? s->text.p : "";
		n = s->text.len;
		/* no type: an error a formula shows (#DIV/0!), or plain text */
		kind = n ? (s->formula ? SC_BAD : SC_TEXT) : SC_EMPTY;
		break;
	}
	if (kind == SC_EMPTY) {
		s->col += s->cols_rep;     /* empty repeats cost nothing */
		return;
	}
	if (s->col + s->cols_rep > SHEET_COLS_MAX) {
		zx_fail(&s->z.x, "row %lu: cells past column %lu (limit)", s->row, SHEET_COLS_MAX);
		return;
	}
	for (i = 0; i < s->cols_rep; i++) {
		int rc = sheet_row_set(s->out, s->col++, v, n, kind);
		if (rc == FUND_ENOMEM)
			{ nomem(s); return; }
		if (rc) {
			zx_fail(&s->z.x, "row %lu: longer than 64 MiB (limit)", s->row);
			return;
		}
	}
	s->row_has = 1;
}

static void ods_start(void *ud, const char *el, const char **atts)
{
	struct ods *s = O(ud);
	const char *l = zx_local(el);
	if (s->depth_skip) {
		s->depth_skip++;
		return;
	}
	if (!s->in_table) {
		if (!strcmp(l, "table")) {
			const char *name = zx_attr(atts, "name");
			if (s->scanning) {
				if (sheet_add(s->z.b, name ? name : "", name ? strlen(name) : 0, NULL,
					      hidden_style(s, zx_attr(atts, "style-name"))))
					nomem(s);
				s->depth_skip = 1;
				return;
			}
			if (s->table++ == s->want) {
				s->in_table = 1;
				s->row = 0;
			} else {
				s->depth_skip = 1;
			}
		} else {
			style_start(s, l, atts);
		}
		return;
	}
	if (s->in_cell) {
		if (!strcmp(l, "annotation")) {
			s->depth_skip = 1;     /* a comment is not the cell's value */
		} else if (!strcmp(l, "p")) {
			if (s->np++)
				add(s, &s->text, "\n", 1);
			s->in_p = 1;
		} else if (!strcmp(l, "s")) {
			unsigned long c = repeat(atts, "c");
			if (c > 1000)
				c = 1000;
			while (c--)
				add(s, &s->text, " ", 1);
		} else if (!strcmp(l, "tab")) {
			add(s, &s->text, "\t", 1);
		} else if (!strcmp(l, "line-break")) {
			add(s, &s->text, "\n", 1);
		}
		return;
	}
	if (!strcmp(l, "table-row")) {
		s->rows_rep = repeat(atts, "number-rows-repeated");
		s->col = 0;
		s->row_has = 0;
		s->out->row = s->row + 1;
	} else if (!strcmp(l, "table-cell")) {
		cell_start(s, atts, 0);
	} else if (!strcmp(l, "covered-table-cell")) {
		cell_start(s, atts, 1);
	} else if (!strcmp(l, "table-column") || !strcmp(l, "table-columns") ||
		   !strcmp(l, "table-header-columns") || !strcmp(l, "shapes") || !strcmp(l, "named-expressions")) {
		if (strcmp(l, "table-columns") && strcmp(l, "table-header-columns"))
			s->depth_skip = 1;
	}
}

static void ods_end(void *ud, const char *el)
{
	struct ods *s = O(ud);
	const char *l = zx_local(el);
	if (s->depth_skip) {
		s->depth_skip--;
		return;
	}
	if (!s->in_table)
		return;
	if (s->in_cell) {
		if (!strcmp(l, "table-cell") || !strcmp(l, "covered-table-cell"))
			cell_end(s);
		else if (!strcmp(l, "p"))
			s->in_p = 0;
		return;
	}
	if (!strcmp(l, "table-row")) {
		unsigned long first = s->row + 1;
		if (!s->row_has) {
			s->row += s->rows_rep;     /* empty repeats cost nothing */
			sheet_row_clear(s->out);
			return;
		}
		if (first + s->rows_rep - 1 > SHEET_ROWS_MAX) {
			zx_fail(&s->z.x, "rows past row %lu (limit)", SHEET_ROWS_MAX);
			return;
		}
		s->row += s->rows_rep;
		s->out->row = first;
		s->repeat_left = s->rows_rep - 1;
		if (s->repeat_left) {
			/* kept for the copies handed out after it */
			size_t i;
			sheet_row_clear(&s->keep);
			for (i = 0; i < s->out->n; i++)
				if (sheet_row_set(&s->keep, i, s->out->text.p + s->out->off[i], s->out->len[i],
						  s->out->kind[i]))
					{ nomem(s); return; }
			s->keep.row = first;
		}
		XML_StopParser(s->z.x.p, XML_TRUE);
	} else if (!strcmp(l, "table")) {
		s->in_table = 0;
		s->depth_skip = 0;
		/* the table read: nothing more to parse */
		s->table_done = 1;
		XML_StopParser(s->z.x.p, XML_FALSE);
	}
}

static void ods_chars(void *ud, const char *p, int n)
{
	struct ods *s = O(ud);
	if (s->in_cell && s->in_p && !s->depth_skip)
		add(s, &s->text, p, (size_t)n);
}

static int ods_select(struct fund_book *b, size_t i, struct fund_error *err)
{
	struct ods *s = b->fmt;
	int rc = zx_open(&s->z.x, s->z.zip, b->name, "content.xml", s, ods_start, ods_end, ods_chars, err);
	if (rc)
		return rc;
	s->z.open = 1;
	s->want = i;
	s->table = 0;
	s->in_table = s->in_cell = s->depth_skip = 0;
	s->repeat_left = 0;
	s->table_done = 0;
	return 0;
}

static int ods_row(struct fund_book *b, struct sheet_row *out, struct fund_error *err)
{
	struct ods *s = b->fmt;
	int rc;
	if (s->repeat_left) {
		size_t i;
		s->repeat_left--;
		s->keep.row++;
		for (i = 0; i < s->keep.n; i++)
			if (sheet_row_set(out, i, s->keep.text.p + s->keep.off[i], s->keep.len[i], s->keep.kind[i]))
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
		out->row = s->keep.row;
		return 1;
	}
	if (!s->z.open || s->table_done)
		return 0;
	s->out = out;
	rc = zbook_step(&s->z, err);
	if (rc < 0 && s->table_done && !s->z.x.fail && !s->z.nomem) {
		/* stopped at the table's end */
		fund_error_clear(err);
		return 0;
	}
	return rc;
}

static void ods_free(struct fund_book *b)
{
	struct ods *s = b->fmt;
	size_t i;
	if (!s)
		return;
	zbook_end(b);
	for (i = 0; i < s->nhide; i++)
		free(s->hide[i]);
	free(s->hide);
	free(s->style);
	sheet_row_free(&s->keep);
	fund_buf_release(&s->val);
	fund_buf_release(&s->text);
	if (s->z.zip)
		zip_discard(s->z.zip);
	free(s);
	b->fmt = NULL;
}

static const struct book_ops ods_ops = { ods_select, ods_row, zbook_end, ods_free };

int book_open_ods(struct fund_book *b, zip_t *zip, struct fund_error *err)
{
	struct ods *s;
	struct sheet_row dummy = { 0 };
	int rc;

	if (!(s = zbook_new(b, sizeof(*s), zip, "ods", &ods_ops)))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	/* the tables' names: a pass over content.xml that skips what the
	 * tables hold (expat still reads it, but nothing is kept) */
	if ((rc = zx_open(&s->z.x, s->z.zip, b->name, "content.xml", s, ods_start, ods_end, NULL, err)))
		return rc;
	s->scanning = 1;
	s->out = &dummy;
	while ((rc = zx_step(&s->z.x, err)) > 0)
		;
	zx_close(&s->z.x);
	s->scanning = 0;
	sheet_row_free(&dummy);
	if (s->z.nomem)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return rc;
}
