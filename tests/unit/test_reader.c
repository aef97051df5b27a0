/* Reader: sniffing, encodings, line numbers, JSON shapes, and records that
 * straddle the 256 KiB read chunks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "internal.h"
#include "unit.h"

static char path[64];

static void put(const char *data, size_t n)
{
	FILE *f;
	snprintf(path, sizeof(path), "/tmp/fundkit-unit-%d", (int)getpid());
	f = fopen(path, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
}

/* Read path; return the fields of all records joined as "a|b/c|d/..." and
 * their line numbers as "2,3,5" in lines. */
static char *slurp(const struct fund_reader_opts *o, char *lines, size_t lsz, int *delim, int *rc)
{
	struct fund_reader *r;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	const struct fund_record *rec;
	size_t cap = 1 << 20, len = 0, lo = 0, i;
	char *out = malloc(cap);
	out[0] = '\0';
	lines[0] = '\0';
	*rc = fund_reader_open(&r, path, o, &err);
	if (*rc < 0) {
		snprintf(out, cap, "ERR %s", fund_error_msg(&err));
		fund_error_clear(&err);
		return out;
	}
	if (delim)
		*delim = fund_reader_delim(r);
	for (i = 0; i < fund_reader_ncols(r); i++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "|" : "", fund_reader_colname(r, i));
	while ((*rc = fund_reader_next(r, &rec, &err)) > 0) {
		len += (size_t)snprintf(out + len, cap - len, "/");
		for (i = 0; i < rec->n && len < cap - 100; i++)
			len += (size_t)snprintf(out + len, cap - len, "%s%.*s", i ? "|" : "",
						(int)(rec->len[i] > 40 ? 40 : rec->len[i]), rec->fields[i]);
		lo += (size_t)snprintf(lines + lo, lsz - lo, "%s%lu", lo ? "," : "", rec->line);
	}
	if (*rc < 0)
		snprintf(out + len, cap - len, " ERR %s", fund_error_msg(&err));
	fund_error_clear(&err);
	fund_reader_close(&r);
	return out;
}

#define READS(data, want_out, want_lines) do { \
	char l_[256]; int rc_, d_; char *o_; \
	put(data, sizeof(data) - 1); \
	o_ = slurp(NULL, l_, sizeof(l_), &d_, &rc_); \
	CHECK_STR(o_, want_out); CHECK_STR(l_, want_lines); free(o_); \
} while (0)

int main(void)
{
	struct fund_reader_opts o;
	char lines[4096];
	int rc, delim;
	char *got;

	/* dialects and line numbers */
	READS("a,b\n1,2\n3,4\n", "a|b/1|2/3|4", "2,3");
	READS("a;b\r\n1,5;2\r\n\r\n3;\"x\r\ny\"\r\n4;5", "a|b/1,5|2/3|x\r\ny/4|5", "2,4,6");
	READS("\xef\xbb\xbf" "a\tb\n\"q\"\"uote\"\tz\n", "a|b/q\"uote|z", "2");
	READS("a|b\n1|2\n", "a|b/1|2", "2");
	READS("a,b\r1,2\r3,4\r", "a|b/1|2/3|4", "2,3");           /* old Mac line ends */
	READS("a,b\n   \n1,2\n", "a|b/1|2", "3");                 /* blank line skipped */
	READS("a;b\n\"1\n\n2\";3\n4;5\n", "a|b/1\n\n2|3/4|5", "2,5");
	READS("x\n1\n2\n", "x/1/2", "2,3");                        /* one column */
	/* sniffing: ';' with decimal commas; ',' whose lines end in ";;" */
	READS("n;m\n1,5;2,5\n3;4,25\n", "n|m/1,5|2,5/3|4,25", "2,3");
	READS("a,b,c;;\n1,2,3;;\n4,5,6;;\n", "a|b|c;;/1|2|3;;/4|5|6;;", "2,3");
	/* encodings: Windows-1252, BOM + Windows-1252, latin1 forced */
	READS("k;v\n\xe9t\xe9;\x80" "5\n", "k|v/\xc3\xa9t\xc3\xa9|\xe2\x82\xac" "5", "2");
	READS("\xef\xbb\xbfk;v\nA\xa0" "1;x\n", "k|v/A\xc2\xa0" "1|x", "2");
	/* JSON shapes */
	READS("[{\"a\":1,\"b\":{\"c\":\"x\"}},\n{\"a\":2.5,\"b\":{\"c\":null}}]",
	      "a|b.c/1|x/2.5|", "1,2");
	READS("{\"a\":1}\n{\"a\":2,\"z\":3}\n", "a/1/2", "1,2");
	READS("{\"n\":2,\"results\":[{\"a\":true},{\"a\":\"s\"}],\"after\":1}", "a/true/s", "1,1");
	READS("{\"a\":{\"k\":[1,2]},\"v\":[{\"x\":1}]}\n{\"a\":{\"k\":[3]}}\n",
	      "a.k|v/[1,2]|[{\"x\":1}]/[3]|", "1,2");     /* NDJSON, not a wrapper */
	READS("[]", "", "");
	READS("", "", "");

	/* forced JSON path */
	memset(&o, 0, sizeof(o));
	o.json_path = "d.rows";
	put("{\"d\":{\"rows\":[{\"a\":1}]},\"rows\":[{\"a\":9}]}", 41);
	got = slurp(&o, lines, sizeof(lines), &delim, &rc);
	CHECK_STR(got, "a/1");
	free(got);

	/* records and UTF-8 characters across the 256 KiB read chunks */
	{
		size_t n = 600000, p = 0, k;
		char *big = malloc(n + 64);
		int recs = 0, ok = 1;
		struct fund_reader *r;
		struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
		const struct fund_record *rec;
		p += (size_t)snprintf(big, n, "id;texte\n");
		for (k = 0; p < n - 40; k++) {
			/* quoted fields with a newline and two-, three-byte characters */
			p += (size_t)snprintf(big + p, n - p, "%zu;\"\xc3\xa9t\xc3\xa9\n\xe2\x82\xac%zu\"\n", k, k);
		}
		big[p] = '\0';
		put(big, p);
		CHECK(fund_reader_open(&r, path, NULL, &err) == 0);
		while ((rc = fund_reader_next(r, &rec, &err)) > 0) {
			char want[64];
			snprintf(want, sizeof(want), "\xc3\xa9t\xc3\xa9\n\xe2\x82\xac%d", recs);
			if (rec->n != 2 || strcmp(rec->fields[1], want) || rec->line != (unsigned long)(2 + 2 * recs))
				ok = 0;
			recs++;
		}
		CHECK(rc == 0);
		CHECK(ok);
		CHECK(recs == (int)k);
		CHECK(fund_reader_encoding(r) == FUND_ENC_UTF8);
		fund_reader_close(&r);
		CHECK(r == NULL);
		free(big);
	}
	/* column resolution */
	{
		struct fund_reader *r;
		struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
		put("Montant vot\xc3\xa9 ,b,3\n1,2,3\n", 24);
		CHECK(fund_reader_open(&r, path, NULL, &err) == 0);
		CHECK(fund_reader_column(r, "montant vot\xc3\xa9", &err) == 0);
		CHECK(fund_reader_column(r, "B", &err) == 1);
		CHECK(fund_reader_column(r, "3", &err) == 2);   /* a name first */
		CHECK(fund_reader_column(r, "2", &err) == 1);   /* then an index */
		CHECK(fund_reader_column(r, "4", &err) == FUND_EUSAGE);
		CHECK(strstr(fund_error_msg(&err), "'Montant vot\xc3\xa9', 'b', '3'") != NULL);
		fund_reader_close(&r);
	}
	/* fund_reader_only: the columns read are those libcsv reads, the
	 * others "" (or what was read, on lines the fast path leaves to
	 * libcsv), fields past the header always; blank rows told by all
	 * their fields, whichever path read them */
	{
		static const char *const data[] = {
			"a,b,c\n1,2,3\n\"x, y\",\"q\"\"\",z\n,,\n\" \",  ,\"\"\n\"\"\"\",,\n4,5,6,7,8\n 9 ,x,\n,,w\n",
			"a\tb\n\"\t\"\t\n1\t2\n",
			"a;b;c\r\n;\"k\";\r\n\"u\" ;w;x\r\n;;\r\n",
		};
		static const int cols[] = { 0, 2, -1 };
		size_t t;
		for (t = 0; t < sizeof(data) / sizeof(data[0]); t++) {
			struct fund_reader *r, *a;
			struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
			const struct fund_record *rec, *all;
			int ok = 1, n = 0, more;
			put(data[t], strlen(data[t]));
			setenv("FUNDKIT_CSV_FASTPATH", "0", 1);
			CHECK(fund_reader_open(&a, path, NULL, &err) == 0);
			setenv("FUNDKIT_CSV_FASTPATH", "1", 1);
			CHECK(fund_reader_open(&r, path, NULL, &err) == 0);
			fund_reader_only(r, cols, 3);
			while ((more = fund_reader_next(r, &rec, &err)) > 0) {
				size_t i;
				CHECK(fund_reader_next(a, &all, &err) == 1);
				if (rec->n != all->n || rec->line != all->line ||
				    fund_record_is_blank(rec) != fund_record_is_blank(all))
					ok = 0;
				for (i = 0; i < rec->n; i++) {
					int read = i == 0 || i == 2 || i >= fund_reader_ncols(r);
					int same = rec->len[i] == all->len[i] && !memcmp(rec->fields[i], all->fields[i], all->len[i] + 1);
					if (read ? !same : !same && (rec->len[i] || rec->fields[i][0]))
						ok = 0;
				}
				n++;
			}
			CHECK(more == 0);
			CHECK(fund_reader_next(a, &all, &err) == 0);
			CHECK(ok);
			CHECK(n > 1);
			fund_reader_close(&r);
			fund_reader_close(&a);
		}
		unsetenv("FUNDKIT_CSV_FASTPATH");
	}
	unlink(path);

	/* pdep microcoded (the fast path then selects a field's end without
	 * it): AMD's Zen 1 and 2 (family 0x17) and Hygon's; not Zen 3, 4
	 * and 5 (0x19, 0x1a), not Intel's.  cpuid leaf 0's ebx, leaf 1's eax */
	CHECK(fund_cpu_pdep_slow(0x68747541, 0x00800f11));   /* Zen 1 */
	CHECK(fund_cpu_pdep_slow(0x68747541, 0x00830f10));   /* Zen 2 */
	CHECK(!fund_cpu_pdep_slow(0x68747541, 0x00a00f11));  /* Zen 3 */
	CHECK(!fund_cpu_pdep_slow(0x68747541, 0x00a10f11));  /* Zen 4 */
	CHECK(!fund_cpu_pdep_slow(0x68747541, 0x00b00f20));  /* Zen 5 */
	CHECK(fund_cpu_pdep_slow(0x6f677948, 0x00900f01));   /* Hygon Dhyana */
	CHECK(!fund_cpu_pdep_slow(0x756e6547, 0x000906ea));  /* Intel */
	UNIT_END("reader");
}
