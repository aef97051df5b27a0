/* Excel 97-2003 workbooks (.xls, BIFF8) through libfreexl, which holds
 * the workbook in memory (such a sheet has at most 65,536 rows).
 *
 * libfreexl 1.0.6 reads past its buffers on some damaged files (found by
 * tests/fuzz/fuzz_xls.c), so it runs in a child process: the child opens
 * the workbook and writes the sheets' names, or one sheet's rows, to a
 * pipe; a child that dies is an error of the file, not a crash of the
 * command. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <freexl.h>
#include "sheet.h"
#include "banned.h"

struct xls {
	char *path;
	pid_t pid;
	FILE *in;                    /* the child's frames */
	int done;
};

static const char *xls_strerror(int rc)
{
	switch (rc) {
	case FREEXL_INSUFFICIENT_MEMORY: return "out of memory";
	case FREEXL_FILE_NOT_FOUND: return "cannot open it";
	case FREEXL_INVALID_CFBF_HEADER:
	case FREEXL_CFBF_INVALID_SIGNATURE:
	case FREEXL_CFBF_INVALID_SECTOR_SIZE: return "a damaged compound file header";
	case FREEXL_CFBF_READ_ERROR:
	case FREEXL_CFBF_SEEK_ERROR: return "a damaged or truncated compound file";
	case FREEXL_BIFF_WORKBOOK_NOT_FOUND: return "no Excel workbook stream in the compound file";
	case FREEXL_CRAFTED_FILE: return "a severely damaged workbook (crafted?)";
	case FREEXL_INVALID_CHARACTER:
	case FREEXL_UNSUPPORTED_CHARSET: return "text in a character set that cannot be read";
	case 1: return "password-protected: cannot read it";
	default: return "a damaged workbook";
	}
}

/* ---- the child: frames on fd ---- */

struct out {
	int fd;
	unsigned char buf[1 << 16];
	size_t n;
	int bad;
};

static void put(struct out *o, const void *p, size_t n)
{
	const unsigned char *c = p;
	while (n && !o->bad) {
		size_t k = sizeof(o->buf) - o->n < n ? sizeof(o->buf) - o->n : n;
		memcpy(o->buf + o->n, c, k);
		o->n += k;
		c += k;
		n -= k;
		if (o->n == sizeof(o->buf)) {
			size_t w = 0;
			while (w < o->n) {
				ssize_t r = write(o->fd, o->buf + w, o->n - w);
				if (r < 0 && errno == EINTR)
					continue;
				if (r <= 0) {
					o->bad = 1;
					break;
				}
				w += (size_t)r;
			}
			o->n = 0;
		}
	}
}

static void put32(struct out *o, uint32_t v)
{
	put(o, &v, 4);
}

static void flush(struct out *o)
{
	size_t w = 0;
	while (w < o->n && !o->bad) {
		ssize_t r = write(o->fd, o->buf + w, o->n - w);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		w += (size_t)r;
	}
	o->n = 0;
}

/* 'L' the list: count, date mode, names; 'R' a row: number, cells
 * (kind, column, length, bytes), 0 kind ending it; 'E' the end; 'X' an
 * error: libfreexl's code. */
static void child(const char *path, long sheet, int fd)
{
	static struct out o;
	const void *h = NULL;
	unsigned int count = 0, mode = 0, pw = 0, rows = 0, r;
	unsigned short cols = 0, c, i;
	int rc;

	o.fd = fd;
	errno = 0;
	if ((rc = freexl_open(path, &h)) != FREEXL_OK) {
		if (errno == ENOMEM)
			rc = FREEXL_INSUFFICIENT_MEMORY;
		goto fail;
	}
	if (freexl_get_info(h, FREEXL_BIFF_PASSWORD, &pw) == FREEXL_OK && pw == FREEXL_BIFF_OBFUSCATED) {
		rc = 1;
		goto fail;
	}
	if (sheet < 0) {
		if ((rc = freexl_get_info(h, FREEXL_BIFF_SHEET_COUNT, &count)) != FREEXL_OK)
			goto fail;
		freexl_get_info(h, FREEXL_BIFF_DATEMODE, &mode);
		put(&o, "L", 1);
		put32(&o, count);
		put32(&o, mode == FREEXL_BIFF_DATEMODE_1904);
		for (i = 0; i < count; i++) {
			const char *name = NULL;
			if ((rc = freexl_get_worksheet_name(h, i, &name)) != FREEXL_OK)
				goto fail;
			put32(&o, name ? (uint32_t)strlen(name) : 0);
			put(&o, name ? name : "", name ? strlen(name) : 0);
		}
		put(&o, "E", 1);
		goto end;
	}
	if ((rc = freexl_select_active_worksheet(h, (unsigned short)sheet)) != FREEXL_OK ||
	    (rc = freexl_worksheet_dimensions(h, &rows, &cols)) != FREEXL_OK)
		goto fail;
	for (r = 0; r < rows && !o.bad; r++) {
		int started = 0;
		for (c = 0; c < cols; c++) {
			FreeXL_CellValue v;
			char num[400];
			const char *t = NULL;
			size_t n = 0;
			unsigned char kind = SC_EMPTY;
			if ((rc = freexl_get_cell_value(h, r, c, &v)) != FREEXL_OK)
				goto fail;
			switch (v.type) {
			case FREEXL_CELL_INT:
				n = fund_itoa(num, v.value.int_value);
				t = num;
				kind = SC_NUMBER;
				break;
			case FREEXL_CELL_DOUBLE:
				n = sheet_number(num, v.value.double_value);
				t = num;
				kind = SC_NUMBER;
				break;
			case FREEXL_CELL_TEXT:
			case FREEXL_CELL_SST_TEXT:
				t = v.value.text_value ? v.value.text_value : "";
				n = strlen(t);
				kind = n ? SC_TEXT : SC_EMPTY;
				break;
			case FREEXL_CELL_DATE:
			case FREEXL_CELL_DATETIME:
			case FREEXL_CELL_TIME:
				t = v.value.text_value ? v.value.text_value : "";
				n = strlen(t);
				if (n >= sizeof(num))
					n = sizeof(num) - 1;
				memcpy(num, t, n);
				num[n] = '\0';
				/* "2014-03-01 10:00:00": ISO 8601's T */
				if (n == 19 && num[10] == ' ')
					num[10] = 'T';
				t = num;
				kind = SC_DATE;
				break;
			default:
				break;
			}
			if (kind == SC_EMPTY)
				continue;
			if (!started) {
				put(&o, "R", 1);
				put32(&o, r + 1);
				started = 1;
			}
			put(&o, &kind, 1);
			put32(&o, c);
			put32(&o, (uint32_t)n);
			put(&o, t, n);
		}
		if (started)
			put(&o, "", 1);
	}
	put(&o, "E", 1);
	goto end;
fail:
	put(&o, "X", 1);
	put32(&o, (uint32_t)rc);
end:
	flush(&o);
	if (h)
		freexl_close(h);
}

/* In a sanitized build, the sanitizers' death callback: a fuzzer's
 * would take the child's death for its own (weak: absent otherwise). */
extern void __sanitizer_set_death_callback(void (*cb)(void)) __attribute__((weak));

/* ---- the parent ---- */

static int start(struct fund_book *b, long sheet, struct fund_error *err)
{
	struct xls *s = b->fmt;
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return fund_error_set(err, FUND_EIO, "%s: cannot make a pipe: %s", b->name, strerror(errno));
	fflush(NULL);
	s->pid = fork();
	if (s->pid < 0) {
		close(p[0]);
		close(p[1]);
		return fund_error_set(err, FUND_EIO, "%s: cannot start a process: %s", b->name, strerror(errno));
	}
	if (s->pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		if (__sanitizer_set_death_callback)
			__sanitizer_set_death_callback(NULL);
		child(s->path, sheet, p[1]);
		_exit(0);
	}
	close(p[1]);
	if (!(s->in = fdopen(p[0], "rb"))) {
		close(p[0]);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	s->done = 0;
	return 0;
}

/* the child reaped: 0, or what killed it said */
static int finish(struct fund_book *b, struct fund_error *err, int say)
{
	struct xls *s = b->fmt;
	int st = 0;
	if (s->in) {
		fclose(s->in);
		s->in = NULL;
	}
	if (s->pid > 0) {
		if (!say)
			kill(s->pid, SIGKILL);
		while (waitpid(s->pid, &st, 0) < 0 && errno == EINTR)
			;
		s->pid = 0;
		if (say && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
			return fund_error_set(err, FUND_EDATA, "%s: libfreexl stopped on this workbook (%s %d): a damaged "
					      "file? (save it as .xlsx)", b->name, WIFSIGNALED(st) ? "signal" : "status",
					      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
	}
	return 0;
}

static int get(struct xls *s, void *p, size_t n)
{
	return fread(p, 1, n, s->in) == n ? 0 : -1;
}

/* A frame's text: its length (at most max), then its bytes, into *out
 * (malloc'd, NUL-terminated): 0, 1 cut short, FUND_ENOMEM */
static int get_text(struct xls *s, uint32_t max, char **out, uint32_t *n)
{
	*out = NULL;
	if (get(s, n, 4) || *n > max)
		return 1;
	if (!(*out = malloc(*n + 1)))
		return FUND_ENOMEM;
	if (get(s, *out, *n)) {
		free(*out);
		*out = NULL;
		return 1;
	}
	(*out)[*n] = '\0';
	return 0;
}

/* what went wrong with the frames: the child's death, or its code */
static int broken(struct fund_book *b, struct fund_error *err)
{
	int rc = finish(b, err, 1);
	return rc ? rc : fund_error_set(err, FUND_EDATA, "%s: a damaged workbook (libfreexl's answer is cut short)",
					b->name);
}

static int frame_error(struct fund_book *b, struct fund_error *err)
{
	struct xls *s = b->fmt;
	uint32_t code;
	if (get(s, &code, 4))
		return broken(b, err);
	finish(b, err, 0);
	return fund_error_set(err, (int)code == FREEXL_INSUFFICIENT_MEMORY ? FUND_ENOMEM : FUND_EDATA,
			      "%s: %s (libfreexl: %d)", b->name, xls_strerror((int)code), (int)code);
}

static int xls_select(struct fund_book *b, size_t i, struct fund_error *err)
{
	return start(b, (long)i, err);
}

static int xls_row(struct fund_book *b, struct sheet_row *out, struct fund_error *err)
{
	struct xls *s = b->fmt;
	char tag;
	uint32_t row;
	if (s->done || !s->in)
		return 0;
	if (get(s, &tag, 1))
		return broken(b, err);
	if (tag == 'E') {
		s->done = 1;
		return finish(b, err, 1);
	}
	if (tag == 'X')
		return frame_error(b, err);
	if (tag != 'R' || get(s, &row, 4))
		return broken(b, err);
	for (;;) {
		unsigned char kind;
		uint32_t col, n;
		char *t;
		int rc;
		if (get(s, &kind, 1))
			return broken(b, err);
		if (!kind)
			break;
		if (get(s, &col, 4) || (rc = get_text(s, FUND_FIELD_MAX, &t, &n)) == 1)
			return broken(b, err);
		if (rc)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		rc = sheet_row_set(out, col, t, n, kind);
		free(t);
		if (rc)
			return fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" :
					      "%s: row %u: longer than 64 MiB (limit)", b->name, (unsigned)row);
	}
	out->row = row;
	return 1;
}

static void xls_end(struct fund_book *b)
{
	finish(b, NULL, 0);
}

static void xls_free(struct fund_book *b)
{
	struct xls *s = b->fmt;
	if (!s)
		return;
	finish(b, NULL, 0);
	free(s->path);
	free(s);
	b->fmt = NULL;
}

static const struct book_ops xls_ops = { xls_select, xls_row, xls_end, xls_free };

int book_open_xls(struct fund_book *b, const char *path, struct fund_error *err)
{
	struct xls *s;
	uint32_t count, d1904, i;
	char tag;
	int rc;

	b->kind = "xls";
	b->ops = &xls_ops;
	if (!(s = calloc(1, sizeof(*s))) || !(s->path = strdup(path))) {
		free(s);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	b->fmt = s;
	if ((rc = start(b, -1, err)))
		return rc;
	if (get(s, &tag, 1))
		return broken(b, err);
	if (tag == 'X')
		return frame_error(b, err);
	if (tag != 'L' || get(s, &count, 4) || get(s, &d1904, 4) || count > 65535)
		return broken(b, err);
	b->date1904 = d1904 != 0;
	for (i = 0; i < count; i++) {
		uint32_t n;
		char *name;
		if ((rc = get_text(s, 4096, &name, &n)) == 1)
			return broken(b, err);
		if (rc)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		rc = sheet_add(b, name, n, NULL, 0);
		free(name);
		if (rc)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if (get(s, &tag, 1) || tag != 'E')
		return broken(b, err);
	return finish(b, err, 1);
}
