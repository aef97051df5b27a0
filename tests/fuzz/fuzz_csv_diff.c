/* libFuzzer, differential: the CSV fast path against libcsv alone
 * (FUNDKIT_CSV_FASTPATH=0) on the same bytes must give the same records,
 * fields, line numbers and errors.  The first byte picks the delimiter. */
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
};

/* all records of path, the error code last */
static struct rec *read_all(const char *path, int delim, int fast, size_t *nrec, int *rc_out, char *msg)
{
	struct fund_reader_opts o;
	struct fund_reader *r;
	struct fund_error err;
	const struct fund_record *rec;
	struct rec *v = NULL;
	size_t n = 0;
	int rc;

	setenv("FUNDKIT_CSV_FASTPATH", fast ? "1" : "0", 1);
	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_CSV;
	o.delim = delim;
	memset(&err, 0, sizeof(err));
	rc = fund_reader_open(&r, path, &o, &err);
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
			len = 0;
			for (i = 0; i < rec->n; i++) {
				memcpy(v[n].bytes + len, rec->fields[i], rec->len[i] + 1);
				len += rec->len[i] + 1;
			}
			n++;
		}
		fund_reader_close(&r);
	}
	*nrec = n;
	*rc_out = rc;
	snprintf(msg, 300, "%s", rc < 0 ? err.msg : "");
	return v;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const int delims[] = { ',', ';', '\t', '|' };
	const char *path;
	struct rec *a, *b;
	size_t na, nb, i;
	int ra, rb;
	char ma[300], mb[300];

	if (size < 1)
		return 0;
	path = fuzz_dump("csv-diff", data + 1, size - 1);
	a = read_all(path, delims[data[0] & 3], 1, &na, &ra, ma);
	b = read_all(path, delims[data[0] & 3], 0, &nb, &rb, mb);
	if (na != nb || ra != rb || strcmp(ma, mb))
		abort();
	for (i = 0; i < na; i++) {
		if (a[i].n != b[i].n || a[i].line != b[i].line || a[i].len != b[i].len ||
		    memcmp(a[i].bytes, b[i].bytes, a[i].len))
			abort();
		free(a[i].bytes);
		free(b[i].bytes);
	}
	free(a);
	free(b);
	return 0;
}
