/* Office Open XML workbooks (.xlsx, .xlsm): the workbook part and its
 * relationships for the sheets, styles for the date formats, the shared
 * strings in memory, and a worksheet streamed one row at a time. */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sheet.h"
#include "banned.h"

struct fmt_kind {
	unsigned id;
	int kind;
};

struct xlsx {
	struct zbook z;              /* first: the zx handlers find it here */
	char *wb_dir;                /* "xl/" */
	/* shared strings */
	struct fund_buf sst;
	size_t *sst_off, nsst, sst_cap;
	/* styles: the date kind of each cell format */
	struct fmt_kind *fmts;
	size_t nfmts;
	unsigned char *xf_kind;
	size_t nxf, xf_cap;
	int in_cellxfs;
	/* parsing a small part: the workbook, its relationships */
	struct { char *id, *target, *type; } *rels;
	size_t nrels;
	struct { char *name, *rid; int hidden; } *wsheets;
	size_t nws;
	/* the worksheet */
	struct sheet_row *out;
	unsigned long next_row;
	size_t next_col, col;
	int in_v, in_is, in_t, in_f, in_rph, in_cell, in_row;
	char ctype;                  /* 's' shared, 'i' inline, 'S' formula string, 'b', 'e', 'd', 'n' */
	unsigned style;
	int has_v, has_f;
	struct fund_buf val, ftext;
	unsigned long cur_row;
};

#define X(ud) ((struct xlsx *)(ud))

static void nomem(struct xlsx *s)
{
	zbook_nomem(&s->z);
}

static int buf_add(struct xlsx *s, struct fund_buf *b, const char *p, size_t n)
{
	if (fund_buf_reserve(b, n + 1)) {
		nomem(s);
		return -1;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* _xHHHH_, OOXML's escape of a character XML cannot hold: decoded in place */
static size_t unescape_x(char *p, size_t n)
{
	size_t i, o = 0;
	for (i = 0; i < n; i++) {
		unsigned v = 0, k;
		if (p[i] == '_' && i + 6 < n && p[i + 1] == 'x' && p[i + 6] == '_') {
			for (k = 2; k < 6; k++) {
				char c = p[i + k];
				v = v * 16 + (unsigned)(c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
							c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99);
				if (v > 0xffff)
					break;
			}
			if (k == 6) {
				if (v < 0x80) {
					p[o++] = (char)v;
				} else if (v < 0x800) {
					p[o++] = (char)(0xc0 | v >> 6);
					p[o++] = (char)(0x80 | (v & 0x3f));
				} else {
					p[o++] = (char)(0xe0 | v >> 12);
					p[o++] = (char)(0x80 | ((v >> 6) & 0x3f));
					p[o++] = (char)(0x80 | (v & 0x3f));
				}
				i += 6;
				continue;
			}
		}
		p[o++] = p[i];
	}
	return o;
}

/* ---- small parts: relationships, workbook, styles ---- */

static int run_part(struct xlsx *s, const char *part, XML_StartElementHandler st, XML_EndElementHandler en,
		    XML_CharacterDataHandler ch, struct fund_error *err)
{
	int rc = zx_open(&s->z.x, s->z.zip, s->z.b->name, part, s, st, en, ch, err);
	if (rc)
		return rc;
	while ((rc = zx_step(&s->z.x, err)) > 0)
		;
	zx_close(&s->z.x);
	return rc;
}

static void rels_start(void *ud, const char *el, const char **atts)
{
	struct xlsx *s = X(ud);
	const char *id, *target;
	void *n;
	if (strcmp(zx_local(el), "Relationship"))
		return;
	id = zx_attr(atts, "Id");
	target = zx_attr(atts, "Target");
	if (!id || !target)
		return;
	if (!(n = realloc(s->rels, (s->nrels + 1) * sizeof(*s->rels))))
		{ nomem(s); return; }
	s->rels = n;
	s->rels[s->nrels].id = strdup(id);
	s->rels[s->nrels].target = strdup(target);
	s->rels[s->nrels].type = strdup(zx_attr(atts, "Type") ? zx_attr(atts, "Type") : "");
	s->nrels++;
	if (!s->rels[s->nrels - 1].id || !s->rels[s->nrels - 1].target || !s->rels[s->nrels - 1].type)
		nomem(s);
}

static void wb_start(void *ud, const char *el, const char **atts)
{
	struct xlsx *s = X(ud);
	const char *l = zx_local(el), *v;
	if (!strcmp(l, "workbookPr")) {
		v = zx_attr(atts, "date1904");
		s->z.b->date1904 = v && (!strcmp(v, "1") || !strcmp(v, "true"));
	} else if (!strcmp(l, "sheet")) {
		void *n = realloc(s->wsheets, (s->nws + 1) * sizeof(*s->wsheets));
		const char *name = zx_attr(atts, "name"), *rid = zx_attr(atts, "id");
		if (!n)
			{ nomem(s); return; }
		s->wsheets = n;
		v = zx_attr(atts, "state");
		s->wsheets[s->nws].name = strdup(name ? name : "");
		s->wsheets[s->nws].rid = strdup(rid ? rid : "");
		s->wsheets[s->nws].hidden = v && strcmp(v, "visible");
		s->nws++;
		if (!s->wsheets[s->nws - 1].name || !s->wsheets[s->nws - 1].rid)
			nomem(s);
	}
}

static void styles_start(void *ud, const char *el, const char **atts)
{
	struct xlsx *s = X(ud);
	const char *l = zx_local(el), *v;
	if (!strcmp(l, "numFmt")) {
		const char *code = zx_attr(atts, "formatCode");
		void *n;
		v = zx_attr(atts, "numFmtId");
		if (!v || !code)
			return;
		if (!(n = realloc(s->fmts, (s->nfmts + 1) * sizeof(*s->fmts))))
			{ nomem(s); return; }
		s->fmts = n;
		s->fmts[s->nfmts].id = (unsigned)strtoul(v, NULL, 10);
		s->fmts[s->nfmts].kind = sheet_format_kind(code);
		s->nfmts++;
	} else if (!strcmp(l, "cellXfs")) {
		s->in_cellxfs = 1;
	} else if (!strcmp(l, "xf") && s->in_cellxfs) {
		unsigned id, kind;
		size_t i;
		v = zx_attr(atts, "numFmtId");
		id = v ? (unsigned)strtoul(v, NULL, 10) : 0;
		kind = (unsigned)sheet_builtin_kind(id);
		for (i = 0; i < s->nfmts; i++)
			if (s->fmts[i].id == id)
				kind = (unsigned)s->fmts[i].kind;
		if (s->nxf == s->xf_cap) {
			size_t cap = s->xf_cap ? s->xf_cap * 2 : 64;
			void *n = realloc(s->xf_kind, cap);
			if (!n)
				{ nomem(s); return; }
			s->xf_kind = n;
			s->xf_cap = cap;
		}
		s->xf_kind[s->nxf++] = (unsigned char)kind;
	}
}

static void styles_end(void *ud, const char *el)
{
	if (!strcmp(zx_local(el), "cellXfs"))
		X(ud)->in_cellxfs = 0;
}

/* ---- shared strings ---- */

static int sst_push(struct xlsx *s)
{
	if (s->nsst == s->sst_cap) {
		size_t cap = s->sst_cap ? s->sst_cap * 2 : 1024;
		void *n = realloc(s->sst_off, cap * sizeof(*s->sst_off));
		if (!n)
			return -1;
		s->sst_off = n;
		s->sst_cap = cap;
	}
	s->val.len = unescape_x(s->val.p ? s->val.p : (char *)"", s->val.len);
	if (fund_buf_reserve(&s->sst, s->val.len + 1))
		return -1;
	s->sst_off[s->nsst++] = s->sst.len;
	if (s->val.len)
		memcpy(s->sst.p + s->sst.len, s->val.p, s->val.len);
	s->sst.p[s->sst.len + s->val.len] = '\0';
	s->sst.len += s->val.len + 1;
	s->val.len = 0;
	return 0;
}

static void sst_start(void *ud, const char *el, const char **atts)
{
	struct xlsx *s = X(ud);
	const char *l = zx_local(el);
	(void)atts;
	if (!strcmp(l, "si"))
		s->val.len = 0, s->in_is = 1;
	else if (!strcmp(l, "t"))
		s->in_t = 1;
	else if (!strcmp(l, "rPh"))
		s->in_rph = 1;
}

static void sst_end(void *ud, const char *el)
{
	struct xlsx *s = X(ud);
	const char *l = zx_local(el);
	if (!strcmp(l, "si")) {
		s->in_is = 0;
		if (sst_push(s))
			{ nomem(s); return; }
		if (s->sst.len > SHEET_SST_MAX)
			zx_fail(&s->z.x, "the shared strings pass 1 GiB (limit)");
	} else if (!strcmp(l, "t")) {
		s->in_t = 0;
	} else if (!strcmp(l, "rPh")) {
		s->in_rph = 0;
	}
}

static void text_chars(void *ud, const char *p, int n)
{
	struct xlsx *s = X(ud);
	if (s->in_t && !s->in_rph && (s->in_is || !s->in_cell))
		buf_add(s, &s->val, p, (size_t)n);
	else if (s->in_v)
		buf_add(s, &s->val, p, (size_t)n);
	else if (s->in_f)
		buf_add(s, &s->ftext, p, (size_t)n);
}

/* ---- the worksheet ---- */

/* "BC12": column 55 (0-based 54), row 12; 0 when it is not a reference */
static int cell_ref(const char *r, size_t *col, unsigned long *row)
{
	unsigned long c = 0, n = 0;
	const char *p = r;
	while (*p >= 'A' && *p <= 'Z' && c <= SHEET_COLS_MAX)
		c = c * 26 + (unsigned long)(*p++ - 'A' + 1);
	if (!c || c > SHEET_COLS_MAX)
		return 0;
	while (*p >= '0' && *p <= '9' && n <= SHEET_ROWS_MAX)
		n = n * 10 + (unsigned long)(*p++ - '0');
	if (*p || (n && n > SHEET_ROWS_MAX))
		return 0;
	*col = c - 1;
	*row = n;
	return 1;
}

static void ws_cell_end(struct xlsx *s)
{
	int t = s->ctype;
	const char *v = s->val.p ? s->val.p : "";
	size_t n = s->val.len;
	char num[400];
	int rc = 0;

	if (t == 's') {
		char *end;
		unsigned long i;
		if (!s->has_v)
			goto empty;
		errno = 0;
		i = strtoul(v, &end, 10);
		if (end == v || *end || i >= s->nsst) {
			char ref[8];
			zx_fail(&s->z.x, "cell %s%lu: shared string %s does not exist",
				fund_sheet_column(ref, s->col + 1), s->cur_row, v);
			return;
		}
		{
			const char *str = s->sst.p + s->sst_off[i];
			rc = sheet_row_set(s->out, s->col, str, strlen(str), SC_TEXT);
		}
	} else if (t == 'i') {
		n = unescape_x(s->val.p ? s->val.p : (char *)"", n);
		rc = sheet_row_set(s->out, s->col, v, n, SC_TEXT);
	} else if (!s->has_v && s->has_f) {
		/* a formula never computed: said as the cell's text */
		if (fund_buf_reserve(&s->ftext, 2))
			{ nomem(s); return; }
		memmove(s->ftext.p + 1, s->ftext.p ? s->ftext.p : "", s->ftext.len);
		s->ftext.p[0] = '=';
		s->ftext.p[++s->ftext.len] = '\0';
		rc = sheet_row_set(s->out, s->col, s->ftext.p, s->ftext.len, SC_BAD);
	} else if (!s->has_v) {
		goto empty;
	} else if (t == 'S') {
		n = unescape_x(s->val.p, n);
		rc = sheet_row_set(s->out, s->col, v, n, SC_TEXT);
	} else if (t == 'b') {
		int yes = n == 1 && v[0] == '1';
		rc = sheet_row_set(s->out, s->col, yes ? "true" : "false", yes ? 4 : 5, SC_BOOL);
	} else if (t == 'e') {
		rc = sheet_row_set(s->out, s->col, v, n, SC_BAD);
	} else if (t == 'd') {
		rc = sheet_row_set(s->out, s->col, v, n, SC_DATE);
	} else {
		char *end;
		double d;
		int kind = s->style < s->nxf ? s->xf_kind[s->style] : 0;
		size_t k;
		if (!n)
			goto empty;          /* <v/>: no value written */
		errno = 0;
		d = strtod(v, &end);
		if (end == v || *end || !isfinite(d))
			/* not a number where one should be: the text as it is,
			 * for the command to say where it cannot read it */
			rc = sheet_row_set(s->out, s->col, v, n, SC_TEXT);
		else if (kind && (k = sheet_date(num, sizeof(num), d, s->z.b->date1904, kind)) > 0)
			rc = sheet_row_set(s->out, s->col, num, k, SC_DATE);
		else if (sheet_is_shortest(v, n))
			rc = sheet_row_set(s->out, s->col, v, n, SC_NUMBER);
		else
			rc = sheet_row_set(s->out, s->col, num, sheet_number(num, d), SC_NUMBER);
	}
	if (rc == FUND_ENOMEM)
		{ nomem(s); return; }
	if (rc)
		zx_fail(&s->z.x, "row %lu: longer than 64 MiB (limit)", s->cur_row);
empty:
	s->next_col = s->col + 1;
}

static void ws_start(void *ud, const char *el, const char **atts)
{
	struct xlsx *s = X(ud);
	const char *l = zx_local(el), *v;
	if (s->in_cell) {
		if (!strcmp(l, "v"))
			s->in_v = 1, s->has_v = 1;
		else if (!strcmp(l, "f"))
			s->in_f = 1, s->has_f = 1;
		else if (!strcmp(l, "is"))
			s->in_is = 1;
		else if (!strcmp(l, "t"))
			s->in_t = 1;
		else if (!strcmp(l, "rPh"))
			s->in_rph = 1;
		return;
	}
	if (!strcmp(l, "c") && s->in_row) {
		size_t col = s->next_col;
		unsigned long row;
		size_t i;
		s->ctype = 'n';
		s->style = 0;
		/* the attributes in one pass: r, t, s (the hot loop of a sheet) */
		for (i = 0; atts[i]; i += 2) {
			const char *a = atts[i];
			v = atts[i + 1];
			if (a[0] && a[1])
				a = zx_local(a);
			if (a[1])
				continue;
			if (a[0] == 'r') {
				if (!cell_ref(v, &col, &row)) {
					zx_fail(&s->z.x, "row %lu: '%.20s' is not a cell reference", s->cur_row, v);
					return;
				}
			} else if (a[0] == 't') {
				s->ctype = !strcmp(v, "s") ? 's' : !strcmp(v, "inlineStr") ? 'i' : !strcmp(v, "str") ? 'S' :
					   !strcmp(v, "b") ? 'b' : !strcmp(v, "e") ? 'e' : !strcmp(v, "d") ? 'd' : 'n';
			} else if (a[0] == 's') {
				s->style = (unsigned)strtoul(v, NULL, 10);
			}
		}
		s->col = col;
		s->in_cell = 1;
		s->has_v = s->has_f = 0;
		s->val.len = 0;
		s->ftext.len = 0;
		if (s->val.p)
			s->val.p[0] = '\0';
		if (s->ftext.p)
			s->ftext.p[0] = '\0';
	} else if (!strcmp(l, "row")) {
		char *end;
		unsigned long r = s->next_row;
		v = zx_attr(atts, "r");
		if (v) {
			r = strtoul(v, &end, 10);
			if (end == v || *end || !r || r > SHEET_ROWS_MAX) {
				zx_fail(&s->z.x, "'%.20s' is not a row number", v);
				return;
			}
		}
		s->cur_row = r;
		s->out->row = r;
		s->next_row = r + 1;
		s->next_col = 0;
		s->in_row = 1;
	}
}

static void ws_end(void *ud, const char *el)
{
	struct xlsx *s = X(ud);
	const char *l = zx_local(el);
	if (s->in_cell) {
		if (!strcmp(l, "c")) {
			s->in_cell = 0;
			s->in_v = s->in_f = s->in_is = s->in_t = s->in_rph = 0;
			ws_cell_end(s);
		} else if (!strcmp(l, "v")) {
			s->in_v = 0;
		} else if (!strcmp(l, "f")) {
			s->in_f = 0;
		} else if (!strcmp(l, "is")) {
			s->in_is = 0;
		} else if (!strcmp(l, "t")) {
			s->in_t = 0;
		} else if (!strcmp(l, "rPh")) {
			s->in_rph = 0;
		}
		return;
	}
	if (!strcmp(l, "row")) {
		s->in_row = 0;
		if (s->out->n)
			XML_StopParser(s->z.x.p, XML_TRUE);
	}
}

static char *resolve(const char *dir, const char *target)
{
	char *p = NULL;
	if (target[0] == '/')
		return strdup(target + 1);
	if (asprintf(&p, "%s%s", dir, target) < 0)
		return NULL;
	return p;
}

static int xlsx_select(struct fund_book *b, size_t i, struct fund_error *err)
{
	struct xlsx *s = b->fmt;
	int rc = zx_open(&s->z.x, s->z.zip, b->name, b->sheets[i].part, s, ws_start, ws_end, text_chars, err);
	if (rc)
		return rc;
	s->z.open = 1;
	s->next_row = 1;
	s->in_row = s->in_cell = 0;
	return 0;
}

static int xlsx_row(struct fund_book *b, struct sheet_row *out, struct fund_error *err)
{
	struct xlsx *s = b->fmt;
	s->out = out;
	return zbook_step(&s->z, err);
}

static void xlsx_free(struct fund_book *b)
{
	struct xlsx *s = b->fmt;
	size_t i;
	if (!s)
		return;
	zbook_end(b);
	for (i = 0; i < s->nrels; i++) {
		free(s->rels[i].id);
		free(s->rels[i].target);
		free(s->rels[i].type);
	}
	for (i = 0; i < s->nws; i++) {
		free(s->wsheets[i].name);
		free(s->wsheets[i].rid);
	}
	free(s->rels);
	free(s->wsheets);
	free(s->fmts);
	free(s->xf_kind);
	free(s->sst_off);
	fund_buf_release(&s->sst);
	fund_buf_release(&s->val);
	fund_buf_release(&s->ftext);
	free(s->wb_dir);
	if (s->z.zip)
		zip_discard(s->z.zip);
	free(s);
	b->fmt = NULL;
}

static const struct book_ops xlsx_ops = { xlsx_select, xlsx_row, zbook_end, xlsx_free };

/* The workbook's part, from the package relationships */
static char *office_document(struct xlsx *s, struct fund_error *err)
{
	size_t i;
	char *wb = NULL;
	if (zx_has(s->z.zip, "_rels/.rels")) {
		if (run_part(s, "_rels/.rels", rels_start, NULL, NULL, err) < 0)
			return NULL;
		for (i = 0; i < s->nrels && !wb; i++)
			if (strstr(s->rels[i].target, "workbook"))
				wb = resolve("", s->rels[i].target);
		for (i = 0; i < s->nrels; i++) {
			free(s->rels[i].id);
			free(s->rels[i].target);
			free(s->rels[i].type);
		}
		s->nrels = 0;
	}
	if (!wb)
		wb = strdup("xl/workbook.xml");
	if (!wb)
		fund_error_set(err, FUND_ENOMEM, "out of memory");
	return wb;
}

int book_open_xlsx(struct fund_book *b, zip_t *zip, struct fund_error *err)
{
	struct xlsx *s;
	int rc;
	char *wb, *rels = NULL, *slash;
	size_t i, k;

	if (!(s = zbook_new(b, sizeof(*s), zip, "xlsx", &xlsx_ops)))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (!(wb = office_document(s, err)))
		return FUND_ENOMEM;
	k = strlen(wb);
	if (k > 4 && !strcmp(wb + k - 4, ".bin")) {
		free(wb);
		return fund_error_set(err, FUND_EDATA, "%s: a binary workbook (.xlsb): not supported, save it as .xlsx",
				      b->name);
	}
	if (!zx_has(s->z.zip, wb)) {
		rc = fund_error_set(err, FUND_EDATA, "%s: a ZIP archive that is not a workbook (no %s)", b->name, wb);
		free(wb);
		return rc;
	}
	slash = strrchr(wb, '/');
	s->wb_dir = strndup(wb, slash ? (size_t)(slash - wb) + 1 : 0);
	if (!s->wb_dir || asprintf(&rels, "%s_rels/%s.rels", s->wb_dir, slash ? slash + 1 : wb) < 0) {
		free(wb);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	rc = run_part(s, wb, wb_start, NULL, NULL, err);
	free(wb);
	if (!rc && zx_has(s->z.zip, rels))
		rc = run_part(s, rels, rels_start, NULL, NULL, err);
	free(rels);
	if (rc < 0)
		return s->z.nomem ? fund_error_set(err, FUND_ENOMEM, "out of memory") : rc;
	for (i = 0; i < s->nws; i++) {
		char *part = NULL;
		for (k = 0; k < s->nrels; k++)
			if (!strcmp(s->rels[k].id, s->wsheets[i].rid))
				break;
		if (k < s->nrels && !(part = resolve(s->wb_dir, s->rels[k].target)))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		if (!part || !zx_has(s->z.zip, part)) {
			rc = fund_error_set(err, FUND_EDATA, "%s: sheet '%s' has no worksheet part%s%s", b->name,
					    s->wsheets[i].name, part ? " " : "", part ? part : "");
			free(part);
			return rc;
		}
		rc = sheet_add(b, s->wsheets[i].name, strlen(s->wsheets[i].name), part, s->wsheets[i].hidden);
		free(part);
		if (rc)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	/* styles (date formats) and shared strings */
	{
		char *st = NULL, *ss = NULL;
		/* where the relationships say, else their usual names */
		for (k = 0; k < s->nrels; k++) {
			size_t tl = strlen(s->rels[k].type);
			char **to = tl >= 7 && !strcmp(s->rels[k].type + tl - 7, "/styles") ? &st :
				    tl >= 14 && !strcmp(s->rels[k].type + tl - 14, "/sharedStrings") ? &ss : NULL;
			if (to && !*to && !(*to = resolve(s->wb_dir, s->rels[k].target))) {
				free(st);
				free(ss);
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			}
		}
		if ((!st && asprintf(&st, "%sstyles.xml", s->wb_dir) < 0) ||
		    (!ss && asprintf(&ss, "%ssharedStrings.xml", s->wb_dir) < 0)) {
			free(st);
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		}
		rc = 0;
		if (zx_has(s->z.zip, st))
			rc = run_part(s, st, styles_start, styles_end, NULL, err);
		if (!rc && zx_has(s->z.zip, ss))
			rc = run_part(s, ss, sst_start, sst_end, text_chars, err);
		free(st);
		free(ss);
		if (rc < 0)
			return s->z.nomem ? fund_error_set(err, FUND_ENOMEM, "out of memory") : rc;
		s->in_is = s->in_t = s->in_rph = 0;
	}
	return 0;
}
