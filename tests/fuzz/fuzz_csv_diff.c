/* libFuzzer, differential: the CSV fast path against libcsv alone
 * (FUNDKIT_CSV_FASTPATH=0) on the same bytes must give the same records,
 * fields, line numbers and errors.  The first byte picks the delimiter
 * (bits 0-1) and, when bit 2 is set, the columns the fast run reads
 * (fund_reader_only: columns 0 to 4 by bits 3-7, none past them): its
 * other columns of the header are then "" or what libcsv read, and the records blank for
 * both or for neither.  Each input is read with the blanks around fields
 * trimmed and kept (fund_reader_opts.keep_blanks). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "common.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

struct rec {
	size_t n;
	unsigned long line;
	size_t len;
	char *bytes;      /* the fields, each NUL-terminated */
	size_t *flen;
	int blank;
};

/* all records of path, the error code last */
static struct rec *read_all(const char *path, int delim, int fast, unsigned only, int keep, size_t *nrec,
			    size_t *ncols, int *rc_out, char *msg)
{
	struct fund_reader_opts o;
	struct fund_reader *r;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const struct fund_record *rec;
	struct rec *v = NULL;
	size_t n = 0;
	int rc;

	setenv("FUNDKIT_CSV_FASTPATH", fast ? "1" : "0", 1);
	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_CSV;
	o.delim = delim;
	o.keep_blanks = keep;
	memset(&err, 0, sizeof(err));
	rc = fund_reader_open(&r, path, &o, &err);
	*ncols = 0;
	if (rc == 0 && only & 4) {
		int cols[5];
		size_t k, nc = 0;
		for (k = 0; k < 5; k++)
			if (only & (8u << k))
				cols[nc++] = (int)k;
		fund_reader_only(r, cols, nc);
		*ncols = fund_reader_ncols(r);
	}
	if (rc == 0) {
		while ((rc = fund_reader_next(r, &rec, &err)) > 0) {
			size_t i, len = 0;
			struct rec *nv = realloc(v, (n + 1) * sizeof(*v));
			if (!nv)
				abort();
			v = nv;
			for (i = 0; i < rec->n; i++)
				len += rec->len[i] + 1;
			v[n].n = rec->n;
			v[n].line = rec->line;
			v[n].len = len;
			v[n].bytes = malloc(len + 1);
			v[n].flen = malloc((rec->n + 1) * sizeof(size_t));
			if (!v[n].bytes || !v[n].flen)
				abort();
			v[n].blank = fund_record_is_blank(rec);
			len = 0;
			for (i = 0; i < rec->n; i++) {
				memcpy(v[n].bytes + len, rec->fields[i], rec->len[i] + 1);
				v[n].flen[i] = rec->len[i];
				len += rec->len[i] + 1;
			}
			n++;
		}
		fund_reader_close(&r);
	}
	*nrec = n;
	*rc_out = rc;
	snprintf(msg, 300, "%s", rc < 0 ? fund_error_msg(&err) : "");
	return v;
}

static void compare(const unsigned char *data, const char *path, int keep)
{
	static const int delims[] = { ',', ';', '\t', '|' };
	struct rec *a, *b;
	size_t na, nb, i, k, nc, nc0;
	int ra, rb;
	char ma[300], mb[300];

	a = read_all(path, delims[data[0] & 3], 1, data[0], keep, &na, &nc, &ra, ma);
	b = read_all(path, delims[data[0] & 3], 0, 0, keep, &nb, &nc0, &rb, mb);
	if (na != nb || ra != rb || strcmp(ma, mb))
		abort();
	for (i = 0; i < na; i++) {
		size_t oa = 0, ob = 0;
		if (a[i].n != b[i].n || a[i].line != b[i].line || a[i].blank != b[i].blank)
			abort();
		for (k = 0; k < a[i].n; k++) {
			/* a column left out reads as "" or as read */
			int out = k < nc && (k >= 5 || !(data[0] & (8u << k)));
			if (!(out && a[i].flen[k] == 0) &&
			    (a[i].flen[k] != b[i].flen[k] || memcmp(a[i].bytes + oa, b[i].bytes + ob, b[i].flen[k] + 1)))
				abort();
			oa += a[i].flen[k] + 1;
			ob += b[i].flen[k] + 1;
		}
		if (!nc && (a[i].len != b[i].len || memcmp(a[i].bytes, b[i].bytes, a[i].len)))
			abort();
		free(a[i].bytes);
		free(b[i].bytes);
		free(a[i].flen);
		free(b[i].flen);
	}
	free(a);
	free(b);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *path;
	if (size < 1)
		return 0;
	path = fuzz_dump("csv-diff", data + 1, size - 1);
	compare(data, path, 0);
	compare(data, path, 1);
	return 0;
}
