/* The row policy every engine follows, and the summary that says what it
 * did (fund/summary.h). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

int fund_problem(struct fund_error *e, int strict, fund_diag_fn diag, void *ctx,
		 enum fund_diag_kind kind, struct fund_error *err)
{
	if (strict) {
		fund_error_move(err, e);
		return FUND_EDATA;
	}
	if (diag)
		diag(ctx, kind, e);
	fund_error_clear(e);
	return 0;
}

const char *fund_key_norm(const char *s, size_t len, size_t *out_len)
{
	size_t i;
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	for (i = 0; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		;
	if (i == len)
		while (len > 1 && *s == '0') {
			s++;
			len--;
		}
	*out_len = len;
	return s;
}

void fund_rows_bind(struct fund_row_policy *p, const struct fund_reader *r)
{
	p->file = fund_reader_name(r);
	p->ncols = fund_reader_ncols(r);
}

int fund_rows_admit(struct fund_row_policy *p, const struct fund_record *rec,
		    struct fund_error *err)
{
	size_t i;
	p->n.read++;
	if (rec->header_again) {
		p->n.headers++;
		return 0;
	}
	if (fund_record_is_blank(rec)) {
		p->n.blank++;
		return 0;
	}
	if (rec->unread) {
		/* the columns are the first record's: what a later one adds
		 * is said, never dropped without a word */
		struct fund_error e = FUND_ERROR_INIT;
		p->n.unread++;
		if (rec->unread == 1)
			fund_error_at(&e, FUND_EDATA, p->file, rec->line, NULL, NULL, 0,
				      "member '%s' is not a column (the columns are the first record's)%s",
				      rec->unread_name ? rec->unread_name : "", p->strict ? "" : ": not read");
		else
			fund_error_at(&e, FUND_EDATA, p->file, rec->line, NULL, NULL, 0,
				      "%zu members are not columns, the first '%s' (the columns are the first record's)%s",
				      rec->unread, rec->unread_name ? rec->unread_name : "", p->strict ? "" : ": not read");
		if (fund_problem(&e, p->strict, p->diag, p->diag_ctx, FUND_DIAG_UNREAD, err))
			return FUND_EDATA;
	}
	if (rec->n <= p->ncols || (rec->is_null && !rec->sheet))
		return 1;
	/* blank fields past the header: a trailing delimiter, read */
	for (i = p->ncols; i < rec->n; i++)
		if (!fund_blank(rec->fields[i], rec->len[i]))
			break;
	if (i == rec->n)
		return 1;
	p->n.ragged++;
	{
		struct fund_error e = FUND_ERROR_INIT;
		fund_error_at(&e, FUND_EDATA, p->file, rec->line, NULL, NULL, 0,
			      "%zu fields where the header has %zu%s", rec->n, p->ncols,
			      p->strict ? "" : ": row skipped");
		if (fund_problem(&e, p->strict, p->diag, p->diag_ctx, FUND_DIAG_RAGGED, err))
			return FUND_EDATA;
	}
	return 0;
}

void fund_rows_add(struct fund_rows *a, const struct fund_rows *b)
{
	a->read += b->read;
	a->blank += b->blank;
	a->ragged += b->ragged;
	a->headers += b->headers;
	a->unread += b->unread;
}

int fund_str_append(char **s, const char *fmt, ...)
{
	va_list ap;
	char *add = NULL, *n;
	size_t old = *s ? strlen(*s) : 0;
	int len;
	va_start(ap, fmt);
	len = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (len < 0)
		return FUND_ENOMEM;
	if (!*s) {
		*s = add;
		return 0;
	}
	n = realloc(*s, old + (size_t)len + 1);
	if (!n) {
		free(add);
		return FUND_ENOMEM;
	}
	memcpy(n + old, add, (size_t)len + 1);
	free(add);
	*s = n;
	return 0;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

int fund_summary_text(const struct fund_summary *s, char **text)
{
	char *t = NULL;
	int any = s->rows.blank || s->rows.ragged || s->rows.headers || s->rows.unread || s->bad_dates || s->bad_weights ||
		  (s->after_rows && *s->after_rows) || (s->segments && *s->segments) || (s->tail && *s->tail);
	size_t i;
	int rc = 0;

	*text = NULL;
	for (i = 0; i < s->ncolumns; i++)
		if (s->columns[i].missing || s->columns[i].unreadable)
			any = 1;
	if (any) {
		rc |= fund_str_append(&t, "summary: %llu rows read%s", ull(s->rows.read),
				      s->after_rows ? s->after_rows : "");
		if (s->rows.blank || s->rows.ragged || s->rows.headers || s->bad_dates) {
			const char *sep = "; skipped:";
			if (s->rows.blank) {
				rc |= fund_str_append(&t, "%s %llu blank", sep, ull(s->rows.blank));
				sep = ",";
			}
			if (s->rows.ragged) {
				rc |= fund_str_append(&t, "%s %llu with extra fields", sep, ull(s->rows.ragged));
				sep = ",";
			}
			if (s->rows.headers) {
				rc |= fund_str_append(&t, "%s %llu repeating the header", sep, ull(s->rows.headers));
				sep = ",";
			}
			if (s->bad_dates)
				rc |= fund_str_append(&t, "%s %llu with an unreadable date", sep, ull(s->bad_dates));
		}
		if (s->rows.unread)
			rc |= fund_str_append(&t, "; %llu rows with members that are no column (not read)",
					      ull(s->rows.unread));
		if (s->segments)
			rc |= fund_str_append(&t, "%s", s->segments);
		for (i = 0; i < s->ncolumns; i++)
			rc |= fund_str_append(&t, "; column '%s': %llu missing, %llu unreadable",
					      s->columns[i].name ? s->columns[i].name : "?",
					      ull(s->columns[i].missing), ull(s->columns[i].unreadable));
		if (s->bad_weights)
			rc |= fund_str_append(&t, "; %llu rows without a usable weight", ull(s->bad_weights));
		if (s->tail)
			rc |= fund_str_append(&t, "%s", s->tail);
		rc |= fund_str_append(&t, "\n");
	}
	if (s->notes && *s->notes)
		rc |= fund_str_append(&t, "%s", s->notes);
	if (rc) {
		free(t);
		return FUND_ENOMEM;
	}
	*text = t;
	return 0;
}

void fund_summary_release(struct fund_summary *s)
{
	size_t i;
	for (i = 0; i < s->ncolumns; i++)
		free(s->columns[i].name);
	free(s->columns);
	free(s->after_rows);
	free(s->segments);
	free(s->tail);
	free(s->notes);
	memset(s, 0, sizeof(*s));
}

int fund_summary_column(struct fund_summary *s, const char *name, uint64_t missing, uint64_t unreadable)
{
	struct fund_summary_column *c = realloc(s->columns, (s->ncolumns + 1) * sizeof(*c));
	if (!c)
		return FUND_ENOMEM;
	s->columns = c;
	c += s->ncolumns;
	c->name = name ? strdup(name) : NULL;
	if (name && !c->name)
		return FUND_ENOMEM;
	c->missing = missing;
	c->unreadable = unreadable;
	s->ncolumns++;
	return 0;
}

/* ---- labels that say what a row is ---- */

/* w (lower case) at s + i, in any case */
static int prefix_at(const char *s, size_t n, size_t i, const char *w)
{
	size_t k, l = strlen(w);
	if (n - i < l)
		return 0;
	for (k = 0; k < l; k++) {
		char c = s[i + k];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != w[k])
			return 0;
	}
	return 1;
}

/* ... as a word: then the end, or anything but a letter */
static int word_at(const char *s, size_t n, size_t i, const char *w)
{
	if (!prefix_at(s, n, i, w))
		return 0;
	i += strlen(w);
	return i == n || !((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (unsigned char)s[i] >= 0x80);
}

/* fund_label_kind (lib/internal.h) past its first test */
int fund_label_scan(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '-' || s[i] == '.' ||
			 ((unsigned char)s[i] == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0 && ++i)))
		i++;
	if (i == n)
		return FUND_LABEL_PLAIN;
	if (word_at(s, n, i, "dont"))
		return FUND_LABEL_DONT;
	if (prefix_at(s, n, i, "sous") && n - i > 5 && (s[i + 4] == '-' || s[i + 4] == ' ' || s[i + 4] == '_'))
		i += 5;
	if (word_at(s, n, i, "total") || word_at(s, n, i, "totaux"))
		return FUND_LABEL_TOTAL;
	return FUND_LABEL_PLAIN;
}
