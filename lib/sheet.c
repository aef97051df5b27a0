/* Spreadsheets: the workbook and its sheets, rows of cells, the cell rules
 * shared by the formats (numbers, dates), standard input copied to a
 * temporary file. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sheet.h"
#include "banned.h"

/* ---- rows ---- */

static int row_grow(struct sheet_row *r, size_t need)
{
	size_t cap = r->cap ? r->cap : 16;
	void *a, *b, *c;
	if (need <= r->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	a = realloc(r->off, cap * sizeof(*r->off));
	if (a) r->off = a;
	b = realloc(r->len, cap * sizeof(*r->len));
	if (b) r->len = b;
	c = realloc(r->kind, cap);
	if (c) r->kind = c;
	if (!a || !b || !c)
		return FUND_ENOMEM;
	r->cap = cap;
	return 0;
}

/* Cell col (0-based) of the row; the cells between the last one and it
 * are empty.  Cells come in column order; one given twice keeps the
 * last. */
int sheet_row_set(struct sheet_row *r, size_t col, const char *s, size_t len, int kind)
{
	if (col >= SHEET_COLS_MAX)
		return FUND_ELIMIT;
	if (col < r->n) {
		/* out of order: rare; the text is appended, the cell points there */
		if (fund_buf_reserve(&r->text, len + 1))
			return FUND_ENOMEM;
	} else {
		if (row_grow(r, col + 1) || fund_buf_reserve(&r->text, len + 1 + (col - r->n)))
			return FUND_ENOMEM;
		while (r->n < col) {
			r->off[r->n] = r->text.len;
			r->len[r->n] = 0;
			r->kind[r->n++] = SC_EMPTY;
			r->text.p[r->text.len++] = '\0';
		}
		r->n++;
	}
	if (r->text.len + len > FUND_RECORD_MAX)
		return FUND_ELIMIT;
	r->off[col] = r->text.len;
	r->len[col] = len;
	r->kind[col] = (unsigned char)kind;
	if (len)
		memcpy(r->text.p + r->text.len, s, len);
	r->text.p[r->text.len + len] = '\0';
	r->text.len += len + 1;
	return 0;
}

void sheet_row_clear(struct sheet_row *r)
{
	r->n = 0;
	r->text.len = 0;
}

void sheet_row_free(struct sheet_row *r)
{
	fund_buf_release(&r->text);
	free(r->off);
	free(r->len);
	free(r->kind);
	memset(r, 0, sizeof(*r));
}

/* ---- cell rules ---- */

size_t sheet_number(char *buf, double v)
{
	int n = fund_double_text(buf, 400, v);
	if (n < 0) {
		buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

int sheet_is_shortest(const char *s, size_t n)
{
	size_t i = 0, sig = 0;
	int lead = 1, dot = 0;
	if (n && s[0] == '-')
		i++;
	if (i == n || n > 40 || s[i] == '.')
		return 0;                /* "", "-", ".5" */
	if (s[i] == '0' && i + 1 < n && s[i + 1] != '.')
		return 0;                /* 01 */
	if (s[i] == '0' && i + 1 == n && s[0] == '-')
		return 0;                /* -0 */
	for (; i < n; i++) {
		if (s[i] == '.') {
			if (dot || i + 1 == n)
				return 0;
			dot = 1;
			continue;
		}
		if (s[i] < '0' || s[i] > '9')
			return 0;
		if (lead && s[i] == '0')
			continue;
		lead = 0;
		sig++;
	}
	if (dot && s[n - 1] == '0')
		return 0;                /* 1.50 */
	return sig <= 15;
}

/* days since 1970-01-01 of a civil date, and back (H. Hinnant) */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	long era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static void civil_from_days(long z, long *y, unsigned *m, unsigned *d)
{
	long era;
	unsigned doe, yoe, doy, mp;
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (long)yoe + era * 400 + (*m <= 2);
}

size_t sheet_date(char *buf, size_t size, double serial, int date1904, int kind)
{
	double day;
	long days, secs, y;
	unsigned m, d;
	int n, feb29 = 0;

	/* Excel's range: 0 to 9999-12-31 (2958465 in the 1900 system) */
	if (!isfinite(serial) || serial < 0 || serial >= 2958466.0)
		return 0;
	day = floor(serial);
	secs = lround((serial - day) * 86400.0);
	days = (long)day;
	if (secs >= 86400) {
		secs -= 86400;
		days++;
	}
	if (kind == 'd' && secs)
		kind = 'x';
	if (kind == 't') {
		long h = days * 24 + secs / 3600;
		n = fund_fmt(buf, size, "%02ld:%02ld:%02ld", h, secs / 60 % 60, secs % 60);
		return n < 0 ? 0 : (size_t)n;
	}
	if (date1904) {
		days += days_from_civil(1904, 1, 1);
	} else if (days == 60) {
		feb29 = 1;   /* Excel's 29 February 1900, which never was */
	} else if (days == 0) {
		return 0;    /* "1900-01-00" */
	} else {
		days += days_from_civil(1899, 12, days < 60 ? 31 : 30);
	}
	if (feb29) {
		y = 1900;
		m = 2;
		d = 29;
	} else {
		civil_from_days(days, &y, &m, &d);
	}
	if (kind == 'x')
		n = fund_fmt(buf, size, "%04ld-%02u-%02uT%02ld:%02ld:%02ld", y, m, d, secs / 3600,
			     secs / 60 % 60, secs % 60);
	else
		n = fund_fmt(buf, size, "%04ld-%02u-%02u", y, m, d);
	return n < 0 ? 0 : (size_t)n;
}

int sheet_builtin_kind(unsigned id)
{
	if (id >= 14 && id <= 17)
		return 'd';
	if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47))
		return 't';
	if (id == 22)
		return 'x';
	return 0;
}

/* A custom format: its first section, quoted text, escapes, fills and
 * brackets (colours, locales) left out, holds y or d (a date), h or s (a
 * time), m (a month unless beside h or s) or an elapsed [h] [m] [s]. */
int sheet_format_kind(const char *code)
{
	int date = 0, time = 0, month = 0;
	const char *p;
	for (p = code; *p && *p != ';'; p++) {
		char c = *p;
		if (c == '"') {
			while (p[1] && p[1] != '"')
				p++;
			if (p[1])
				p++;
			continue;
		}
		if (c == '\\' || c == '_' || c == '*') {
			if (p[1])
				p++;
			continue;
		}
		if (c == '[') {
			const char *q = strchr(p, ']');
			if (!q)
				break;
			if (p[1] == 'h' || p[1] == 'H' || p[1] == 'm' || p[1] == 'M' || p[1] == 's' || p[1] == 'S')
				time = 1;
			p = q;
			continue;
		}
		if ((c == 'A' || c == 'a') && (!strncasecmp(p, "AM/PM", 5) || !strncasecmp(p, "A/P", 3))) {
			p += p[1] == '/' ? 2 : 4;
			time = 1;
			continue;
		}
		switch (c) {
		case 'y': case 'Y': case 'd': case 'D': case 'e': case 'E':
			if (c == 'e' || c == 'E') {
				/* an exponent (0.00E+00) is not an era year */
				if (p[1] == '+' || p[1] == '-')
					break;
			}
			date = 1;
			break;
		case 'h': case 'H': case 's': case 'S':
			time = 1;
			break;
		case 'm': case 'M':
			month = 1;
			break;
		case 'G': case 'g':
			if (!strncasecmp(p, "General", 7))
				p += 6;
			break;
		default:
			break;
		}
	}
	if (month && !time)
		date = 1;
	return date && time ? 'x' : date ? 'd' : time ? 't' : 0;
}

/* ---- the workbook ---- */

int fund_sheet_magic(const unsigned char *p, size_t n)
{
	if (n >= 4 && !memcmp(p, "PK\x03\x04", 4))
		return 1;
	if (n >= 8 && !memcmp(p, "\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8))
		return 2;
	return 0;
}

char *fund_sheet_column(char *buf, unsigned long col)
{
	char t[8];
	size_t n = 0, i;
	while (col && n < 7) {
		col--;
		t[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	buf[n] = '\0';
	return buf;
}

int sheet_add(struct fund_book *b, const char *name, size_t nlen, const char *part, int hidden)
{
	struct sheet_info *s = realloc(b->sheets, (b->nsheets + 1) * sizeof(*s));
	if (!s)
		return FUND_ENOMEM;
	b->sheets = s;
	s += b->nsheets;
	memset(s, 0, sizeof(*s));
	s->name = strndup(name, nlen);
	s->part = part ? strdup(part) : NULL;
	s->hidden = hidden;
	if (!s->name || (part && !s->part)) {
		free(s->name);
		free(s->part);
		return FUND_ENOMEM;
	}
	b->nsheets++;
	return 0;
}

zip_t *sheet_zip_open(const char *path, int *zerr)
{
	zip_t *z = zip_open(path, ZIP_RDONLY, zerr);
	if (!z && (*zerr == ZIP_ER_NOZIP || *zerr == ZIP_ER_INCONS)) {
		/* libzip 1.7 says "not a zip archive" when an allocation fails
		 * while it reads the central directory: once more, then, if it
		 * still fails and memory is short, it is memory */
		void *probe;
		if ((z = zip_open(path, ZIP_RDONLY, zerr)))
			return z;
		if (!(probe = malloc(1 << 16)))
			*zerr = ZIP_ER_MEMORY;
		free(probe);
	}
	return z;
}

int sheet_zip_open_error(const char *name, int zerr, struct fund_error *err)
{
	zip_error_t ze;
	int rc, e = errno;
	/* a file that cannot be opened for want of memory (fopen's buffer) */
	if (zerr == ZIP_ER_MEMORY || ((zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ) && e == ENOMEM))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	zip_error_init_with_code(&ze, zerr);
	rc = fund_error_set(err, FUND_EDATA, "%s: a damaged ZIP archive: %s", name, zip_error_strerror(&ze));
	zip_error_fini(&ze);
	return rc;
}

/* An OLE2 file that is an encrypted Office Open XML workbook holds a
 * stream named EncryptedPackage (its name in UTF-16 in a directory
 * sector). */
static int ole_encrypted(const char *path)
{
	static const char name[] = "E\0n\0c\0r\0y\0p\0t\0e\0d\0P\0a\0c\0k\0a\0g\0e\0";
	unsigned char buf[1 << 16];
	size_t keep = 0, got;
	int found = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	while (!found && (got = fread(buf + keep, 1, sizeof(buf) - keep, f)) > 0) {
		size_t n = keep + got;
		if (memmem(buf, n, name, sizeof(name) - 1))
			found = 1;
		keep = n < sizeof(name) ? n : sizeof(name);
		memmove(buf, buf + n - keep, keep);
	}
	fclose(f);
	return found;
}

int fund_book_open(struct fund_book **out, const char *path, const char *name, int kind,
		   struct fund_error *err)
{
	struct fund_book *b;
	int rc;
	*out = NULL;
	if (!(b = calloc(1, sizeof(*b))) || !(b->name = strdup(name))) {
		free(b);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	b->cur = (size_t)-1;
	if (kind == 2 && ole_encrypted(path))
		rc = fund_error_set(err, FUND_EDATA, "%s: a password-protected workbook: cannot read it "
				    "(save it without a password)", name);
	else if (kind == 2)
		rc = book_open_xls(b, path, err);
	else
		rc = 0;
	if (!rc && kind == 1 && !(rc = fund_load_zip(err))) {
		/* OOXML or OpenDocument: told apart by their members */
		int zerr = 0;
		zip_t *z = sheet_zip_open(path, &zerr);
		if (!z)
			rc = sheet_zip_open_error(name, zerr, err);
		else if (zx_has(z, "content.xml") && !zx_has(z, "[Content_Types].xml"))
			rc = book_open_ods(b, z, err);   /* the format's now */
		else
			rc = book_open_xlsx(b, z, err);
	}
	if (rc) {
		fund_book_close(&b);
		return rc;
	}
	if (!b->nsheets) {
		rc = fund_error_set(err, FUND_EDATA, "%s: the workbook has no sheet", name);
		fund_book_close(&b);
		return rc;
	}
	*out = b;
	return 0;
}

int fund_book_open_fd(struct fund_book **out, int fd, const unsigned char *head, size_t n,
		      const char *name, int kind, struct fund_error *err)
{
	const char *dir = getenv("TMPDIR");
	char *tmp = NULL;
	int t, rc;
	unsigned char buf[1 << 16];
	ssize_t got;

	*out = NULL;
	if (asprintf(&tmp, "%s/fundkit-sheet-XXXXXX", dir && *dir ? dir : "/tmp") < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if ((t = mkstemp(tmp)) < 0) {
		rc = fund_error_set(err, FUND_EIO, "%s: a spreadsheet on standard input is copied to a temporary "
				    "file first: cannot create %s: %s", name, tmp, strerror(errno));
		free(tmp);
		return rc;
	}
	rc = 0;
	if (n && write(t, head, n) != (ssize_t)n)
		rc = -1;
	while (!rc && (got = read(fd, buf, sizeof(buf))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			rc = fund_error_set(err, FUND_EIO, "%s: read error: %s", name, strerror(errno));
			break;
		}
		if (write(t, buf, (size_t)got) != got)
			rc = -1;
	}
	if (rc == -1)
		rc = fund_error_set(err, FUND_EIO, "%s: cannot write the temporary copy %s: %s", name, tmp,
				    strerror(errno));
	if (close(t) && !rc)
		rc = fund_error_set(err, FUND_EIO, "%s: cannot write the temporary copy %s: %s", name, tmp,
				    strerror(errno));
	if (!rc)
		rc = fund_book_open(out, tmp, name, kind, err);
	if (rc) {
		unlink(tmp);
		free(tmp);
		return rc;
	}
	if (kind == 1) {
		/* libzip holds the file open: the name can go now, so that an
		 * interrupted command leaves nothing behind */
		unlink(tmp);
		free(tmp);
	} else {
		(*out)->tmp = tmp;   /* libfreexl opens it again in its child */
	}
	return 0;
}

int fund_book_choose(struct fund_book *b, const char *spec, struct fund_error *err)
{
	size_t i, k;
	struct fund_buf list = { 0 };
	int rc;
	if (!spec || !*spec) {
		i = 0;
		goto found;
	}
	for (i = 0; i < b->nsheets; i++)
		if (!strcmp(b->sheets[i].name, spec))
			goto found;
	for (i = 0; i < b->nsheets; i++)
		if (fund_names_match(b->sheets[i].name, spec))
			goto found;
	{
		unsigned long v = 0;
		for (k = 0; spec[k] >= '0' && spec[k] <= '9' && v < 100000; k++)
			v = v * 10 + (unsigned long)(spec[k] - '0');
		if (!spec[k] && v >= 1 && v <= b->nsheets) {
			i = v - 1;
			goto found;
		}
	}
	for (i = 0; i < b->nsheets; i++) {
		size_t l = strlen(b->sheets[i].name);
		int n;
		if (fund_buf_reserve(&list, l + 16) ||
		    (n = fund_fmt(list.p + list.len, l + 16, "%s'%s'%s", i ? ", " : "", b->sheets[i].name,
				  b->sheets[i].hidden ? " (hidden)" : "")) < 0)
			break;
		list.len += (size_t)n;
	}
	{
		char q[200];
		rc = fund_error_set(err, FUND_EUSAGE, "%s: no sheet '%s' (its sheets: %s)", b->name,
				    fund_quote(q, sizeof(q), spec, strlen(spec)), list.p ? list.p : "");
	}
	fund_buf_release(&list);
	return rc;
found:
	if (b->cur != (size_t)-1 && b->ops->end)
		b->ops->end(b);
	b->cur = (size_t)-1;
	if ((rc = b->ops->select(b, i, err)) < 0)
		return rc;
	b->cur = i;
	return 0;
}

int fund_book_row(struct fund_book *b, struct sheet_row *out, struct fund_error *err)
{
	sheet_row_clear(out);
	return b->ops->row(b, out, err);
}

void fund_book_close(struct fund_book **bp)
{
	struct fund_book *b = bp ? *bp : NULL;
	size_t i;
	if (!b)
		return;
	if (b->ops) {
		if (b->cur != (size_t)-1 && b->ops->end)
			b->ops->end(b);
		b->ops->free(b);
	}
	for (i = 0; i < b->nsheets; i++) {
		free(b->sheets[i].name);
		free(b->sheets[i].part);
	}
	free(b->sheets);
	if (b->tmp) {
		unlink(b->tmp);
		free(b->tmp);
	}
	free(b->name);
	free(b);
	*bp = NULL;
}

/* ---- the list of sheets ---- */

int fund_sheets_list(const char *path, struct fund_sheet_entry **out, size_t *n,
		     struct fund_error *err)
{
	struct fund_book *b = NULL;
	struct fund_sheet_entry *list = NULL;
	struct sheet_row row = { 0 };
	const char *name = !path || !strcmp(path, "-") ? "(standard input)" : path;
	unsigned char head[8];
	size_t got = 0, i, total;
	int rc = 0, fd, kind;

	*out = NULL;
	*n = 0;
	fd = !path || !strcmp(path, "-") ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fund_error_set(err, FUND_EIO, "%s: cannot open: %s", name, strerror(errno));
	while (got < sizeof(head)) {
		ssize_t k = read(fd, head + got, sizeof(head) - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	kind = fund_sheet_magic(head, got);
	if (!kind)
		rc = fund_error_set(err, FUND_EDATA, "%s: not a spreadsheet (.xlsx, .ods or .xls)", name);
	else if (fd == 0)
		rc = fund_book_open_fd(&b, fd, head, got, name, kind, err);
	else
		rc = fund_book_open(&b, path, name, kind, err);
	if (fd > 0)
		close(fd);
	if (rc)
		return rc;
	total = b->nsheets;
	if (!(list = calloc(total, sizeof(*list)))) {
		fund_book_close(&b);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	for (i = 0; i < b->nsheets && !rc; i++) {
		char num[24];
		list[i].index = i + 1;
		list[i].hidden = b->sheets[i].hidden;
		if (!(list[i].name = strdup(b->sheets[i].name))) {
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			break;
		}
		fund_utoa(num, i + 1);
		if ((rc = fund_book_choose(b, num, err)) < 0)
			break;
		while ((rc = fund_book_row(b, &row, err)) > 0) {
			size_t c;
			for (c = row.n; c > 0 && row.kind[c - 1] == SC_EMPTY; c--)
				;
			if (!c)
				continue;
			list[i].rows = row.row;
			if (c > list[i].cols)
				list[i].cols = c;
		}
	}
	sheet_row_free(&row);
	fund_book_close(&b);
	if (rc < 0) {
		fund_sheets_free(list, total);
		return rc;
	}
	*out = list;
	*n = i;
	return 0;
}

void fund_sheets_free(struct fund_sheet_entry *list, size_t n)
{
	size_t i;
	if (!list)
		return;
	for (i = 0; i < n; i++)
		free(list[i].name);
	free(list);
}

int fund_sheets_write(const char *const *files, size_t n, FILE *fp, int fmt, struct fund_error *err)
{
	static const char *const names[] = { "file", "index", "sheet", "rows", "columns", "hidden" };
	struct fund_writer *w = NULL;
	size_t f, i, skip = n > 1 ? 0 : 1;
	int rc;
	if ((rc = fund_writer_open(&w, fp, (enum fund_outfmt)fmt, names + skip, 6 - skip)))
		return fund_writer_fail(err, rc);
	for (f = 0; f < (n ? n : 1) && !rc; f++) {
		struct fund_sheet_entry *list;
		size_t m;
		const char *path = n ? files[f] : "-";
		if ((rc = fund_sheets_list(path, &list, &m, err)) < 0)
			break;
		for (i = 0; i < m && !rc; i++) {
			char idx[24], rows[24], cols[24];
			struct fund_cell c[6];
			memset(c, 0, sizeof(c));
			fund_utoa(idx, list[i].index);
			fund_utoa(rows, list[i].rows);
			fund_utoa(cols, list[i].cols);
			c[0].s = path;
			c[0].len = strlen(path);
			c[1].s = idx;
			c[1].len = strlen(idx);
			c[1].type = FUND_CELL_NUMBER;
			c[2].s = list[i].name;
			c[2].len = strlen(list[i].name);
			c[3].s = rows;
			c[3].len = strlen(rows);
			c[3].type = FUND_CELL_NUMBER;
			c[4].s = cols;
			c[4].len = strlen(cols);
			c[4].type = FUND_CELL_NUMBER;
			c[5].s = list[i].hidden ? "yes" : "";
			c[5].len = list[i].hidden ? 3 : 0;
			if ((rc = fund_writer_row(w, c + skip)))
				fund_writer_fail(err, rc);
		}
		fund_sheets_free(list, m);
	}
	if (!rc && (rc = fund_writer_finish(w)))
		fund_error_set(err, rc, "write error");
	fund_writer_free(&w);
	return rc;
}
