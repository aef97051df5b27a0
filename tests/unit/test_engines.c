/* Unit tests of the pipeline through the public API alone (fund/fund.h):
 * error records, the row policy and the summary, the driver (one pass
 * against parts on threads, problems in input order, an error's line
 * relocated), and each engine run by the driver: total, stats,
 * percapita, plot, cat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "unit.h"

static char path[64];

static const char *write_file(const char *text)
{
	FILE *f;
	snprintf(path, sizeof(path), "/tmp/test-engines-%d.csv", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	return path;
}

/* problems said, one a line */
struct said {
	char *buf;
	size_t len;
	FILE *f;
};

static void said_open(struct said *s)
{
	s->buf = NULL;
	s->len = 0;
	s->f = open_memstream(&s->buf, &s->len);
	if (!s->f)
		abort();
}

static char *said_close(struct said *s)
{
	fclose(s->f);
	return s->buf;
}

static void diag(void *ctx, enum fund_diag_kind kind, const struct fund_error *e)
{
	struct said *s = ctx;
	fprintf(s->f, "%d %s\n", (int)kind, e ? fund_error_msg(e) : "(counted)");
}

static void errors(void)
{
	struct fund_error e FUND_ERROR_SCOPED = FUND_ERROR_INIT, c FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	char *big;

	/* the fields, and the message made of them */
	fund_error_at(&e, FUND_EDATA, "f.csv", 812, "montant", "12,3,4", 6, "cannot read '%s' as an amount", "12,3,4");
	CHECK_STR(fund_error_msg(&e), "f.csv:812: column 'montant': cannot read '12,3,4' as an amount");
	CHECK(e.code == FUND_EDATA && e.line == 812);
	CHECK_STR(e.file, "f.csv");
	CHECK_STR(e.column, "montant");
	CHECK_STR(e.text, "12,3,4");
	CHECK_STR(e.what, "cannot read '12,3,4' as an amount");
	/* a part's line made the file's by its field */
	CHECK(fund_error_relocate(&e, 1000) == 0);
	CHECK_STR(fund_error_msg(&e), "f.csv:1812: column 'montant': cannot read '12,3,4' as an amount");
	CHECK(fund_error_copy(&c, &e) == 0);
	CHECK_STR(fund_error_msg(&c), fund_error_msg(&e));
	fund_error_move(&c, &e);
	CHECK(e.msg == NULL && e.code == 0);
	CHECK_STR(fund_error_msg(&c), "f.csv:1812: column 'montant': cannot read '12,3,4' as an amount");
	/* no place, no line */
	fund_error_set(&e, FUND_EUSAGE, "no column '%s'", "x");
	CHECK_STR(fund_error_msg(&e), "no column 'x'");
	fund_error_at(&e, FUND_EIO, "f.csv", 0, NULL, NULL, 0, "read error");
	CHECK_STR(fund_error_msg(&e), "f.csv: read error");
	/* control characters of a column name escaped */
	fund_error_at(&e, FUND_EDATA, "f.csv", 2, "a\nb", NULL, 0, "x");
	CHECK_STR(fund_error_msg(&e), "f.csv:2: column 'a\\nb': x");
	/* a name of any length, whole */
	big = malloc(2u << 20);
	memset(big, 'n', (2u << 20) - 1);
	big[(2u << 20) - 1] = '\0';
	fund_error_at(&e, FUND_EDATA, "f.csv", 3, big, NULL, 0, "cannot read 'x' as an amount");
	CHECK(strlen(fund_error_msg(&e)) == strlen("f.csv:3: column '': cannot read 'x' as an amount") + strlen(big));
	free(big);
	/* a failure that set nothing still says something */
	fund_error_clear(&e);
	CHECK(fund_error_ensure(&e, FUND_ENOMEM) == FUND_ENOMEM);
	CHECK_STR(fund_error_msg(&e), "out of memory");
	fund_error_clear(&e);
	CHECK(e.code == 0 && !e.msg);
	fund_error_clear(NULL);
}

static void rows_and_summary(void)
{
	struct fund_reader *r = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_row_policy p;
	const struct fund_record *rec;
	struct fund_summary s;
	struct said sd;
	char *text = NULL, *msgs;
	int got[8], n = 0, rc;

	write_file("a,b\n1,2\n,\n1,2,3\n1\n1,2,\n");
	memset(&p, 0, sizeof(p));
	said_open(&sd);
	p.diag = diag;
	p.diag_ctx = &sd;
	CHECK(fund_reader_open(&r, path, NULL, &err) == 0);
	fund_rows_bind(&p, r);
	while ((rc = fund_reader_next(r, &rec, &err)) > 0 && n < 8)
		got[n++] = fund_rows_admit(&p, rec, &err);
	fund_reader_close(&r);
	msgs = said_close(&sd);
	/* read; blank; ragged; short (read); a trailing empty field (read) */
	CHECK(n == 5 && got[0] == 1 && got[1] == 0 && got[2] == 0 && got[3] == 1 && got[4] == 1);
	CHECK(p.n.read == 5 && p.n.blank == 1 && p.n.ragged == 1);
	CHECK(strstr(msgs, ":4: 3 fields where the header has 2: row skipped") != NULL);
	free(msgs);
	/* strict: the ragged row is the error */
	p.strict = 1;
	p.diag = NULL;
	CHECK(fund_reader_open(&r, path, NULL, &err) == 0);
	fund_rows_bind(&p, r);
	while ((rc = fund_reader_next(r, &rec, &err)) > 0 && (rc = fund_rows_admit(&p, rec, &err)) >= 0)
		;
	fund_reader_close(&r);
	CHECK(rc == FUND_EDATA && err.line == 4);

	/* the text */
	memset(&s, 0, sizeof(s));
	CHECK(fund_summary_text(&s, &text) == 0 && text == NULL);
	s.rows.read = 12;
	s.rows.blank = 1;
	s.rows.ragged = 2;
	CHECK(fund_summary_text(&s, &text) == 0);
	CHECK_STR(text, "summary: 12 rows read; skipped: 1 blank, 2 with extra fields\n");
	free(text);
	CHECK(fund_str_append(&s.notes, "note: %d\n", 7) == 0);
	CHECK(fund_str_append(&s.tail, "; %s", "tail") == 0);
	CHECK(fund_summary_text(&s, &text) == 0);
	CHECK_STR(text, "summary: 12 rows read; skipped: 1 blank, 2 with extra fields; tail\nnote: 7\n");
	free(text);
	fund_summary_release(&s);
	CHECK(s.notes == NULL && s.rows.read == 0);
}

/* how the driver read the file (FUNDKIT_PARALLEL_DEBUG) */
static int merged;

static void debug(void *ctx, const char *line)
{
	(void)ctx;
	if (strstr(line, " parts: merged") || strstr(line, " parts: an error"))
		merged = 1;
}

/* fund-total's result on path as text: the table, the problems, the
 * summary, the driver's return and error */
static char *total(int threads, uint64_t part_min, int strict)
{
	static const char *const groups[] = { "g" }, *const sums[] = { "montant" };
	struct fund_total_opts o = { .group_cols = groups, .ngroup = 1, .sum_cols = sums, .nsum = 1 };
	struct fund_total_out out = { .format = FUND_OUT_TSV, .sort = FUND_SORT_KEY, .decimals = -1 };
	struct fund_run_opts ro;
	struct fund_total *t = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_summary s;
	struct said sd;
	const char *f = path;
	char *text = NULL;
	int rc;

	said_open(&sd);
	o.strict = strict;
	o.diag = diag;
	o.diag_ctx = &sd;
	memset(&ro, 0, sizeof(ro));
	ro.threads = threads;
	ro.part_min = part_min;
	ro.diag = diag;
	ro.diag_ctx = &sd;
	ro.diag_keep = 100;
	ro.debug = debug;
	if (fund_total_new(&t, &o) < 0)
		abort();
	rc = fund_run(&fund_total_engine, t, &f, 1, &ro, &err);
	fprintf(sd.f, "run %d %s\n", rc, rc < 0 ? fund_error_msg(&err) : "");
	if (rc == 0) {
		fund_total_write(t, sd.f, &out, &err);
		if (fund_total_describe(t, &s) == 0 && fund_summary_text(&s, &text) == 0 && text)
			fputs(text, sd.f);
		free(text);
		fund_summary_release(&s);
	}
	fund_total_free(&t);
	return said_close(&sd);
}

static void driver(void)
{
	FILE *f;
	char *a, *b;
	int i;

	snprintf(path, sizeof(path), "/tmp/test-engines-%d.csv", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs("g,objet,montant\n", f);
	for (i = 1; i <= 20000; i++) {
		if (i % 997 == 0)
			fprintf(f, "g%d,x,12;3\n", i % 5);              /* unreadable */
		else if (i % 1499 == 0)
			fprintf(f, "g%d,x,1.00,extra\n", i % 5);        /* ragged */
		else if (i % 1777 == 0)
			fputs(",,\n", f);                               /* blank */
		else
			fprintf(f, "g%d,\"l\nsuite\",%d.%02d\n", i % 5, i, i % 100);
	}
	fclose(f);
	setenv("FUNDKIT_PARALLEL_DEBUG", "1", 1);
	a = total(1, 0, 0);
	merged = 0;
	b = total(4, 1024, 0);
	CHECK(merged);     /* in parts, not read again */
	CHECK_STR(b, a);
	CHECK(strstr(a, "run 0") != NULL && strstr(a, "cannot read '12;3' as an amount") != NULL);
	CHECK(strstr(a, "summary: 20000 rows read; skipped: 11 blank, 13 with extra fields") != NULL);
	free(a);
	free(b);
	/* strict: the first problem, with its line in the file, from a part
	 * that numbered its lines from 1 (no quoted newlines: the parts line
	 * up, and the error is not read again) */
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs("g,objet,montant\n", f);
	for (i = 1; i <= 20000; i++)
		fprintf(f, i == 15000 ? "g%d,x,12;3\n" : "g%d,x,%d.25\n", i % 5, i);
	fclose(f);
	a = total(1, 0, 1);
	merged = 0;
	b = total(4, 1024, 1);
	CHECK(merged);
	CHECK_STR(b, a);
	CHECK(strstr(a, "run -3 ") != NULL && strstr(a, ":15001: column 'montant': cannot read '12;3'") != NULL);
	free(a);
	free(b);
}

/* an engine run by the driver over path, its output as text */
static void stats(void)
{
	static const char *const groups[] = { "g" };
	struct fund_stats_opts o;
	struct fund_stats *s = NULL;
	struct fund_measure *m = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_run_opts ro;
	const char *f = write_file("g,montant\na,1\na,2\nb,10\na,3\nb,30\n");
	struct said sd;
	char *out;
	size_t nm;

	memset(&o, 0, sizeof(o));
	CHECK(fund_measures_parse("count,sum,median", &m, &nm, &err) == 0);
	o.group_cols = groups;
	o.ngroup = 1;
	o.m = m;
	o.nm = nm;
	memset(&ro, 0, sizeof(ro));
	CHECK(fund_stats_new(&s, &o) == 0);
	CHECK(fund_run(&fund_stats_engine, s, &f, 1, &ro, &err) == 0);
	said_open(&sd);
	CHECK(fund_stats_write(s, sd.f, FUND_OUT_TSV, &err) == 0);
	out = said_close(&sd);
	CHECK_STR(out, "g\tcount\tsum\tmedian\na\t3\t6\t2\nb\t2\t40\t20\n");
	free(out);
	fund_stats_free(&s);
	free(m);
}

static void percapita(void)
{
	struct fund_percapita_opts o;
	struct fund_percapita_out out = { FUND_OUT_TSV, FUND_PC_SORT_CODE, 0, 0, 2, -1, 0 };
	struct fund_percapita *p = NULL;
	struct fund_geo *geo = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_run_opts ro;
	struct fund_summary s;
	const char *f = write_file("code,montant\n34172,100\n34172,50\n9999x,7\n");
	struct said sd;
	char *text = NULL, *res;

	CHECK(fund_geo_load(&geo, "data", &err) == 0);
	memset(&o, 0, sizeof(o));
	o.geo = geo;
	o.key_col = "code";
	o.level = FUND_LEVEL_DEPARTEMENT;
	o.in_region = -1;
	memset(&ro, 0, sizeof(ro));
	CHECK(fund_percapita_new(&p, &o) == 0);
	CHECK(fund_run(&fund_percapita_engine, p, &f, 1, &ro, &err) == 0);
	said_open(&sd);
	CHECK(fund_percapita_write(p, sd.f, &out, &err) == 0);
	res = said_close(&sd);
	CHECK(strncmp(res, "code\tname\tcount\tmontant\tpopulation\tper_capita", 44) == 0);
	CHECK(strstr(res, "\n34\tHérault\t2\t150\t") != NULL);
	free(res);
	CHECK(fund_percapita_describe(p, &s) == 0 && fund_summary_text(&s, &text) == 0);
	CHECK(text && strstr(text, "summary: 3 rows read; not placed: 1 unknown code (7)") == text);
	free(text);
	fund_summary_release(&s);
	fund_percapita_free(&p);
	fund_geo_free(&geo);
}

static void plot(void)
{
	struct fund_plot_opts o;
	struct fund_plot_out out;
	struct fund_plot *p = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_run_opts ro;
	const char *f = write_file("d,montant\n2019-03-01,10\n2019-07-01,5\n2021-01-02,1.5\n");
	struct said sd;
	char *res;

	memset(&o, 0, sizeof(o));
	o.kind = FUND_PLOT_SERIES;
	o.period = FUND_PERIOD_YEAR;
	o.period_col = "d";
	memset(&out, 0, sizeof(out));
	out.table = 1;
	out.format = FUND_OUT_CSV;
	memset(&ro, 0, sizeof(ro));
	CHECK(fund_plot_new(&p, &o) == 0);
	CHECK(fund_run(&fund_plot_engine, p, &f, 1, &ro, &err) == 0);
	said_open(&sd);
	CHECK(fund_plot_write(p, sd.f, &out, &err) == 0);
	res = said_close(&sd);
	/* every year from the first to the last, 2020 with nothing */
	CHECK(strstr(res, "2019,2,15") != NULL && strstr(res, "2020,0,") != NULL && strstr(res, "2021,1,1.5") != NULL);
	free(res);
	fund_plot_free(&p);
}

static void cat(void)
{
	static const char *const cols[] = { "b", "montant" }, *const amounts[] = { "montant" };
	struct fund_cat_opts o;
	struct fund_where w;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_summary s;
	const char *f = write_file("a;b;montant\n1;x;1 234,50\n2;=cmd;12\n3;y;oops\n4;z;7\n");
	struct said sd, pr;
	char *res, *text = NULL, *msgs;

	memset(&o, 0, sizeof(o));
	CHECK(fund_where_parse(&w, "a<=3", &err) == 0);
	o.columns = cols;
	o.ncolumns = 2;
	o.where = &w;
	o.nwhere = 1;
	o.amounts = amounts;
	o.namounts = 1;
	o.head = -1;
	o.safe = 1;
	o.format = FUND_OUT_CSV;
	said_open(&pr);
	o.diag = diag;
	o.diag_ctx = &pr;
	said_open(&sd);
	CHECK(fund_cat(&o, &f, 1, NULL, sd.f, &s, &err) == 0);
	res = said_close(&sd);
	msgs = said_close(&pr);
	CHECK_STR(res, "b,montant\nx,1234.50\n'=cmd,12\ny,oops\n");
	CHECK(strstr(msgs, ":4: column 'montant': cannot read 'oops' as an amount: written as it is") != NULL);
	CHECK(fund_summary_text(&s, &text) == 0);
	CHECK_STR(text, "summary: 3 rows written; 1 unreadable amounts and 0 unreadable dates written as they were\n");
	free(text);
	free(res);
	free(msgs);
	fund_summary_release(&s);
	/* an unknown column: one error, naming those there are */
	o.ncolumns = 1;
	o.columns = (const char *const[]){ "zz" };
	said_open(&sd);
	CHECK(fund_cat(&o, &f, 1, NULL, sd.f, &s, &err) == FUND_EUSAGE);
	free(said_close(&sd));
	fund_summary_release(&s);
	CHECK_STR(fund_error_msg(&err), "-c: no column 'zz' (the columns: 'a', 'b', 'montant')");
	fund_where_release(&w);
}

int main(void)
{
	errors();
	rows_and_summary();
	driver();
	stats();
	percapita();
	plot();
	cat();
	unlink(path);
	UNIT_END("engines");
}
