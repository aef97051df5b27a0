/* Error records: fields, and the message formatted from them. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_version.h>
#include <expat.h>
#include <freexl.h>
#include "lazy.h"
#include "banned.h"

const char *fund_version(void)
{
	return FUND_VERSION;
}

int fund_versions(char *buf, size_t size)
{
	int n = fund_fmt(buf, size, "libcsv %d.%d.%d, cJSON %s, GSL %s, zlib %s, libzip %s, expat %s, "
			 "libfreexl %s, libxlsxwriter %s", CSV_MAJOR, CSV_MINOR, CSV_RELEASE,
			 cJSON_Version(), GSL_VERSION, zlibVersion(),
			 fund_load_zip(NULL) ? "(cannot be loaded)" : zip_libzip_version(),
			 XML_ExpatVersion() + 6, freexl_version(), LXW_VERSION);
	return n < 0 ? FUND_ELIMIT : n;
}

const char *fund_strerror(int code)
{
	switch (code) {
	case FUND_OK: return "success";
	case FUND_ENOMEM: return "out of memory";
	case FUND_EIO: return "input/output error";
	case FUND_EDATA: return "bad data";
	case FUND_EUSAGE: return "request does not fit the input";
	case FUND_EOVERFLOW: return "number too large";
	case FUND_ELIMIT: return "limit exceeded";
	case FUND_ERETRY: return "partial results do not merge exactly";
	}
	return "unknown error";
}

void fund_error_clear(struct fund_error *err)
{
	if (!err)
		return;
	free(err->file);
	free(err->column);
	free(err->text);
	free(err->what);
	free(err->msg);
	memset(err, 0, sizeof(*err));
}

/* s with its control characters escaped, whole, on the heap */
static char *escaped(const char *s)
{
	size_t len = strlen(s), i, n = 0;
	char *q;
	for (i = 0; i < len; i++)
		n += (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? 4 : 1;
	if (!(q = malloc(n + 4)))
		return NULL;
	/* fund_quote cuts only past its size */
	return fund_quote(q, n + 4, s, len);
}

/* msg from the fields: "file:line: column 'c': what" */
static int render(struct fund_error *err)
{
	char *m = NULL, *col = NULL;
	int n;
	char ln[40] = "";
	if (err->line && err->cell) {
		char c[8];
		/* "book.xlsx:Sheet!K812:" */
		if (fund_fmt(ln, sizeof(ln), "!%s%lu:", fund_sheet_column(c, err->cell), err->line) < 0)
			return FUND_ENOMEM;
	} else if (err->line) {
		size_t k = fund_utoa(ln, err->line);
		ln[k] = ':';
		ln[k + 1] = '\0';
	}
	if (err->column && !(col = escaped(err->column)))
		return FUND_ENOMEM;
	n = asprintf(&m, "%s%s%s%s%s%s%s", err->file ? err->file : "", err->file && !(err->line && err->cell) ? ":" : "",
		     err->file ? ln : "", err->file ? " " : "", col ? "column '" : "",
		     col ? col : "", col ? "': " : "");
	free(col);
	if (n < 0)
		return FUND_ENOMEM;
	if (err->what) {
		char *w = NULL;
		n = asprintf(&w, "%s%s", m, err->what);
		free(m);
		if (n < 0)
			return FUND_ENOMEM;
		m = w;
	}
	free(err->msg);
	err->msg = m;
	return 0;
}

static int vset(struct fund_error *err, int code, const char *file, unsigned long line,
		const char *column, const char *text, size_t len, const char *fmt, va_list ap)
{
	if (!err)
		return code;
	fund_error_clear(err);
	err->code = code;
	err->line = line;
	if (vasprintf(&err->what, fmt, ap) < 0)
		err->what = NULL;
	if (file)
		err->file = strdup(file);
	if (column)
		err->column = strdup(column);
	if (text)
		err->text = strndup(text, len);
	/* what memory allowed: the message falls back on the code's words */
	if (err->what && (!file || err->file) && (!column || err->column))
		render(err);
	return code;
}

int fund_error_set(struct fund_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, code, NULL, 0, NULL, NULL, 0, fmt, ap);
	va_end(ap);
	return code;
}

int fund_error_at(struct fund_error *err, int code, const char *file, unsigned long line,
		  const char *column, const char *text, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(err, code, file, line, column, text, len, fmt, ap);
	va_end(ap);
	return code;
}

int fund_error_ensure(struct fund_error *err, int rc)
{
	if (rc < 0 && err && err->code == 0)
		fund_error_set(err, rc, "%s", fund_strerror(rc));
	return rc;
}

const char *fund_error_msg(const struct fund_error *err)
{
	if (!err)
		return "";
	if (err->msg)
		return err->msg;
	return err->code == FUND_ENOMEM || err->code == FUND_OK ? fund_strerror(err->code)
		: err->code == FUND_EIO ? "out of memory (to say which input/output error)"
		: "out of memory (to say what is wrong with the input)";
}

static int dup_or_null(char **dst, const char *src)
{
	*dst = NULL;
	return src && !(*dst = strdup(src)) ? FUND_ENOMEM : 0;
}

int fund_error_copy(struct fund_error *dst, const struct fund_error *src)
{
	fund_error_clear(dst);
	dst->code = src->code;
	dst->sys_errno = src->sys_errno;
	dst->line = src->line;
	dst->cell = src->cell;
	if (dup_or_null(&dst->file, src->file) || dup_or_null(&dst->column, src->column) ||
	    dup_or_null(&dst->text, src->text) || dup_or_null(&dst->what, src->what) ||
	    dup_or_null(&dst->msg, src->msg)) {
		fund_error_clear(dst);
		return FUND_ENOMEM;
	}
	return 0;
}

void fund_error_move(struct fund_error *dst, struct fund_error *src)
{
	if (dst == src)
		return;
	if (!dst) {
		fund_error_clear(src);
		return;
	}
	fund_error_clear(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
}

int fund_error_cell(struct fund_error *err, unsigned long col)
{
	if (!err || !err->msg)
		return 0;
	err->cell = col;
	return render(err);
}

int fund_error_relocate(struct fund_error *err, unsigned long base)
{
	unsigned long old = err->line;
	if (!err->line)
		return 0;
	err->line += base;
	if (!err->what || render(err) < 0) {
		err->line = old;
		return FUND_ENOMEM;
	}
	return 0;
}

char *fund_quote(char *buf, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[5];
		size_t n;

		if (c == '\n') { esc[0] = '\\'; esc[1] = 'n'; n = 2; }
		else if (c == '\t') { esc[0] = '\\'; esc[1] = 't'; n = 2; }
		else if (c == '\r') { esc[0] = '\\'; esc[1] = 'r'; n = 2; }
		else if (c < 0x20 || c == 0x7f) {
			esc[0] = '\\'; esc[1] = 'x';
			esc[2] = hex[c >> 4]; esc[3] = hex[c & 15]; n = 4;
		} else { esc[0] = (char)c; n = 1; }
		if (o + n + 4 > size) {
			/* cut on a UTF-8 character boundary */
			while (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0x80)
				o--;
			if (o > 0 && ((unsigned char)buf[o - 1] & 0xC0) == 0xC0)
				o--;
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(buf + o, esc, n);
		o += n;
	}
	buf[o] = '\0';
	return buf;
}
