/* Tables out as an .xlsx workbook, through libxlsxwriter in its
 * constant-memory mode (a row at a time): numbers as numbers when the
 * double holds the exact value, else as text; ISO dates as dates; a
 * bold, frozen header; columns as wide as what they hold.  The workbook
 * is made in a temporary file and copied to the caller's stream. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "lazy.h"
#include "writer_xlsx.h"
#include "banned.h"

#define XW_DECIMALS 10

struct fund_xw {
	char *tmp;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold, *date, *datetime, *dec[XW_DECIMALS + 1];
	size_t ncols;
	double *width;
	lxw_row_t row;
	int failed;
};

static int xw_err(lxw_error e)
{
	if (e == LXW_NO_ERROR)
		return 0;
	if (e == LXW_ERROR_MEMORY_MALLOC_FAILED)
		return FUND_ENOMEM;
	if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED || e == LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE)
		return FUND_ELIMIT;
	return FUND_EIO;
}

static void widen(struct fund_xw *x, size_t i, const char *s, size_t n)
{
	size_t k, w = 0;
	for (k = 0; k < n; k++)
		if (((unsigned char)s[k] & 0xC0) != 0x80)
			w++;
	if ((double)w + 2 > x->width[i])
		x->width[i] = (double)w + 2 > 60 ? 60 : (double)w + 2;
}

int fund_xw_open(struct fund_xw **out, const char *const *names, size_t ncols)
{
	struct fund_xw *x = calloc(1, sizeof(*x));
	const char *dir = getenv("TMPDIR");
	lxw_workbook_options o = { 0 };
	size_t i;
	int fd, loaded;

	*out = NULL;
	if (!x)
		return FUND_ENOMEM;
	if ((loaded = fund_load_xlsx(NULL))) {
		free(x);
		return loaded;   /* FUND_ENOMEM, or FUND_EIO with its message */
	}
	if (asprintf(&x->tmp, "%s/fundkit-xlsx-XXXXXX", dir && *dir ? dir : "/tmp") < 0) {
		free(x);
		return FUND_ENOMEM;
	}
	if ((fd = mkstemp(x->tmp)) < 0) {
		free(x->tmp);
		free(x);
		return FUND_EIO;
	}
	close(fd);
	o.constant_memory = LXW_TRUE;
	o.tmpdir = (char *)(dir && *dir ? dir : "/tmp");
	o.use_zip64 = LXW_TRUE;
	x->ncols = ncols;
	if (!(x->width = calloc(ncols ? ncols : 1, sizeof(double))) ||
	    !(x->wb = workbook_new_opt(x->tmp, &o)) || !(x->ws = workbook_add_worksheet(x->wb, NULL)) ||
	    !(x->bold = workbook_add_format(x->wb)) || !(x->date = workbook_add_format(x->wb)) ||
	    !(x->datetime = workbook_add_format(x->wb))) {
		fund_xw_free(&x);
		return FUND_ENOMEM;
	}
	{
		/* the workbook's creation time: SOURCE_DATE_EPOCH when set (the
		 * reproducible-builds convention), so that a run can be made
		 * again byte for byte; else now */
		const char *e = getenv("SOURCE_DATE_EPOCH");
		lxw_doc_properties p;
		memset(&p, 0, sizeof(p));
		p.title = (char *)"fundkit";
		p.created = e && *e ? (time_t)strtoll(e, NULL, 10) : time(NULL);
		if (workbook_set_properties(x->wb, &p) != LXW_NO_ERROR) {
			fund_xw_free(&x);
			return FUND_ENOMEM;
		}
	}
	format_set_bold(x->bold);
	format_set_num_format(x->date, "yyyy-mm-dd");
	format_set_num_format(x->datetime, "yyyy-mm-dd hh:mm:ss");
	worksheet_freeze_panes(x->ws, 1, 0);
	for (i = 0; i < ncols; i++) {
		int rc = xw_err(worksheet_write_string(x->ws, 0, (lxw_col_t)i, names[i], x->bold));
		if (rc) {
			fund_xw_free(&x);
			return rc;
		}
		widen(x, i, names[i], strlen(names[i]));
	}
	x->row = 1;
	*out = x;
	return 0;
}

/* "2014-03-01" or "2014-03-01T10:00:00" (or with a space) as a date */
static int iso_date(const char *s, size_t n, lxw_datetime *d)
{
	int v[6] = { 0 }, k;
	static const unsigned char at[6] = { 0, 5, 8, 11, 14, 17 }, len[6] = { 4, 2, 2, 2, 2, 2 };
	if (n != 10 && n != 19)
		return 0;
	if (s[4] != '-' || s[7] != '-' || (n == 19 && ((s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')))
		return 0;
	for (k = 0; k < (n == 10 ? 3 : 6); k++) {
		int j;
		for (j = 0; j < len[k]; j++) {
			char c = s[at[k] + j];
			if (c < '0' || c > '9')
				return 0;
			v[k] = v[k] * 10 + (c - '0');
		}
	}
	if (v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return 0;
	d->year = v[0];
	d->month = v[1];
	d->day = v[2];
	d->hour = v[3];
	d->min = v[4];
	d->sec = v[5];
	return n == 10 ? 1 : 2;
}

/* A plain decimal ("-1234.50") whose value a double holds, and gives
 * back through libxlsxwriter's 16 significant digits (%.16G), as written,
 * trailing zeros aside: *v, and its decimals; 0 when it is not one (an
 * exact total of 18 digits, a code with a leading zero) */
static int exact_number(const char *s, size_t n, double *v, int *decimals)
{
	char buf[64], *end;
	const char *dot = memchr(s, '.', n);
	size_t a = n;
	if (n == 0 || n >= sizeof(buf))
		return 0;
	if (dot) {
		size_t d = (size_t)(dot - s);
		while (a > d + 1 && s[a - 1] == '0')
			a--;
		if (a == d + 1)
			a = d;   /* "5.00" as "5" */
	}
	if (!sheet_is_shortest(s, a))
		return 0;
	memcpy(buf, s, a);
	buf[a] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	if (*end || errno)
		return 0;
	*decimals = dot ? (int)(n - (size_t)(dot - s) - 1) : 0;
	return 1;
}

int fund_xw_row(struct fund_xw *x, const struct fund_cell *cells)
{
	size_t i;
	if (x->row >= LXW_ROW_MAX)
		return FUND_ELIMIT;
	for (i = 0; i < x->ncols; i++) {
		const struct fund_cell *c = &cells[i];
		lxw_datetime d;
		double v;
		int dec, kind, rc;
		lxw_col_t col = (lxw_col_t)i;
		if (!c->s || !c->len)
			continue;
		if (c->type == FUND_CELL_NUMBER && exact_number(c->s, c->len, &v, &dec)) {
			if (dec > XW_DECIMALS)
				dec = XW_DECIMALS;
			if (dec && !x->dec[dec]) {
				char f[32] = "#,##0.";
				int k;
				if (!(x->dec[dec] = workbook_add_format(x->wb)))
					return FUND_ENOMEM;
				for (k = 0; k < dec; k++)
					f[6 + k] = '0';
				f[6 + dec] = '\0';
				format_set_num_format(x->dec[dec], f);
			}
			rc = xw_err(worksheet_write_number(x->ws, x->row, col, v, dec ? x->dec[dec] : NULL));
		} else if ((kind = iso_date(c->s, c->len, &d)) > 0) {
			rc = xw_err(worksheet_write_datetime(x->ws, x->row, col, &d, kind == 1 ? x->date : x->datetime));
		} else {
			char *t = strndup(c->s, c->len);
			if (!t)
				return FUND_ENOMEM;
			rc = xw_err(worksheet_write_string(x->ws, x->row, col, t, NULL));
			free(t);
		}
		if (rc)
			return rc;
		widen(x, i, c->s, c->len);
	}
	x->row++;
	return 0;
}

int fund_xw_finish(struct fund_xw *x, FILE *fp)
{
	size_t i;
	int rc;
	FILE *in;
	char buf[1 << 16];
	size_t n;
	for (i = 0; i < x->ncols; i++)
		worksheet_set_column(x->ws, (lxw_col_t)i, (lxw_col_t)i, x->width[i], NULL);
	rc = xw_err(workbook_close(x->wb));
	x->wb = NULL;
	if (rc)
		return rc;
	if (!(in = fopen(x->tmp, "rb")))
		return FUND_EIO;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		if (fwrite(buf, 1, n, fp) != n)
			break;
	rc = ferror(in) || ferror(fp) ? FUND_EIO : 0;
	fclose(in);
	return rc;
}

void fund_xw_free(struct fund_xw **xp)
{
	struct fund_xw *x = xp ? *xp : NULL;
	if (!x)
		return;
	if (x->wb)
		lxw_workbook_free(x->wb);   /* abandoned: nothing is written */
	if (x->tmp) {
		unlink(x->tmp);
		free(x->tmp);
	}
	free(x->width);
	free(x);
	*xp = NULL;
}
