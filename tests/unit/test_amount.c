#include <stdlib.h>
#include "fund/fund.h"
#include "unit.h"
#include "internal.h"

/* parse s in a fresh column (or ctx), format at its own scale */
static const char *fmt(const char *s, struct fund_amount_ctx *ctx, int *st)
{
	static char buf[128];
	struct fund_amount a;
	struct fund_amount_ctx fresh = { 0, 0, 0 };
	*st = fund_amount_parse(s, strlen(s), ctx ? ctx : &fresh, &a);
	if (*st != FUND_AMOUNT_OK)
		return *st == FUND_AMOUNT_MISSING ? "MISSING" : "BAD";
	fund_amount_format(buf, sizeof(buf), a.units, a.scale, a.scale, 0);
	return buf;
}

#define OK(in, out) do { int st_; CHECK_STR(fmt(in, NULL, &st_), out); } while (0)
#define BAD(in) do { int st_; CHECK_STR(fmt(in, NULL, &st_), "BAD"); } while (0)
#define MISSING(in) do { int st_; CHECK_STR(fmt(in, NULL, &st_), "MISSING"); } while (0)

int main(void)
{
	struct fund_amount_ctx ctx;
	int st;
	char buf[128];
	struct fund_sum s = { 0 };
	struct fund_amount a;

	OK("0", "0");
	OK("12", "12");
	OK("-12", "-12");
	OK("+12", "12");
	OK("2400.0", "2400.0");
	OK("1230.178", "1230.178");
	OK("40 000,00", "40000.00");
	OK("1 234,56", "1234.56");
	OK("1\xc2\xa0" "234,56", "1234.56");          /* U+00A0 */
	OK("1\xe2\x80\xaf" "234,56", "1234.56");      /* U+202F */
	OK("12 350 000 \xe2\x82\xac", "12350000");    /* "12 350 000 €" */
	OK("\xe2\x82\xac 12,50", "12.50");
	OK("-\xe2\x82\xac" "12", "-12");
	OK("\xe2\x82\xac-12", "-12");
	OK("EUR 1 000", "1000");
	OK("1000 eur", "1000");
	OK("\xe2\x88\x92" "5", "-5");                 /* U+2212 minus */
	OK("1.234.567,89", "1234567.89");
	OK("1,234,567.89", "1234567.89");
	OK("1.234.567", "1234567");
	OK("1,234,567", "1234567");
	OK("1,234", "1.234");                         /* lone comma: decimal */
	OK("1.234", "1.234");
	OK("  42  ", "42");
	OK(".5", "0.5");
	OK("5.", "5");
	OK("0,01", "0.01");
	OK("-0.00", "0.00");
	OK("007", "7");
	OK("520721.28", "520721.28");
	OK("123456789012345678901234567890.123456", "123456789012345678901234567890.123456");
	MISSING("");
	MISSING("   ");
	MISSING("null");
	MISSING("NULL");
	MISSING("\xc2\xa0");
	BAD("12,3,4");
	BAD("12,3,4x");
	BAD("N/A");
	BAD("NA");
	BAD("-");
	BAD(".");
	BAD(",");
	BAD("1e5");
	BAD("12 34");
	BAD("1 2345");
	BAD("1.23.4");
	BAD("1,234.5,6");
	BAD("1 234.567,8");
	BAD("abc");
	BAD("12%");
	BAD("\xe2\x82\xac");
	BAD("--5");
	BAD("1,2 3");
	BAD("0x10");
	BAD("1234567890123456789012345678901234567");  /* 37 digits */
	BAD("0.1234567890123456789");                  /* 19 decimals */
	/* found by fuzz_amount: 16 digit groups and a trailing mark wrote past
	 * the array of groups */
	BAD("2...32.....32...34.4..34.4.");
	BAD("1.2.3.4.5.6.7.8.9.1.2.3.4.5.6.7.");
	BAD("1 2 3 4 5 6 7 8 9 1 2 3 4 5 6 7,");

	/* a column that has shown "." as decimal mark reads "1,234" as 1234 */
	memset(&ctx, 0, sizeof(ctx));
	CHECK_STR(fmt("1,234.50", &ctx, &st), "1234.50");
	CHECK_STR(fmt("1,234", &ctx, &st), "1234");
	CHECK_STR(fmt("1,5", &ctx, &st), "BAD");
	memset(&ctx, 0, sizeof(ctx));
	CHECK_STR(fmt("1.234,50", &ctx, &st), "1234.50");
	CHECK_STR(fmt("1.234", &ctx, &st), "1234");
	CHECK_STR(fmt("2,5", &ctx, &st), "2.5");
	/* forced marks */
	memset(&ctx, 0, sizeof(ctx));
	ctx.forced = FUND_MARK_POINT;
	CHECK_STR(fmt("1,234", &ctx, &st), "1234");
	CHECK_STR(fmt("1,23", &ctx, &st), "BAD");
	ctx.forced = FUND_MARK_COMMA;
	CHECK_STR(fmt("1.234", &ctx, &st), "1234");
	CHECK_STR(fmt("1.234,5", &ctx, &st), "1234.5");

	/* sums: exact, mixed scales, overflow detected */
	fund_amount_parse("0.1", 3, NULL, &a);
	for (st = 0; st < 10; st++)
		fund_sum_add(&s, &a);
	fund_amount_format(buf, sizeof(buf), s.units, s.scale, 2, 0);
	CHECK_STR(buf, "1.00");
	fund_amount_parse("4.498", 5, NULL, &a);
	fund_sum_add(&s, &a);
	fund_amount_format(buf, sizeof(buf), s.units, s.scale, s.scale, 0);
	CHECK_STR(buf, "5.498");
	CHECK(s.n == 11);
	{
		struct fund_sum big = { 0 };
		fund_amount_parse("99999999999999999999999999999999999", 35, NULL, &a);
		CHECK(fund_sum_add(&big, &a) == 0);
		for (st = 0; st < 2000 && fund_sum_add(&big, &a) == 0; st++)
			;
		CHECK(st < 2000);
	}
	/* formatting */
	fund_amount_format(buf, sizeof(buf), -123456789, 2, 2, FUND_FMT_FRENCH);
	CHECK_STR(buf, "-1\xe2\x80\xaf" "234\xe2\x80\xaf" "567,89");
	fund_amount_format(buf, sizeof(buf), 5, 2, 3, 0);
	CHECK_STR(buf, "0.050");
	fund_amount_format(buf, sizeof(buf), -5, 0, 0, 0);
	CHECK_STR(buf, "-5");
	/* rounding half away from zero */
	fund_amount_format(buf, sizeof(buf), 2345, 3, 2, 0);
	CHECK_STR(buf, "2.35");
	fund_amount_format(buf, sizeof(buf), -2345, 3, 2, 0);
	CHECK_STR(buf, "-2.35");
	fund_amount_format(buf, sizeof(buf), 2344, 3, 2, 0);
	CHECK_STR(buf, "2.34");
	fund_amount_format(buf, sizeof(buf), -2344, 3, 2, 0);
	CHECK_STR(buf, "-2.34");
	fund_amount_format(buf, sizeof(buf), 283902993, 9, 2, 0);
	CHECK_STR(buf, "0.28");
	fund_amount_format(buf, sizeof(buf), 999, 3, 0, 0);
	CHECK_STR(buf, "1");
	fund_amount_format(buf, sizeof(buf), -5, 1, 0, 0);
	CHECK_STR(buf, "-1");
	/* doubles from JSON */
	fund_double_text(buf, 400, 520721.28);
	CHECK_STR(buf, "520721.28");
	fund_double_text(buf, 400, 0.1);
	CHECK_STR(buf, "0.1");
	fund_double_text(buf, 400, 1e21);
	CHECK_STR(buf, "1000000000000000000000");
	fund_double_text(buf, 400, -1.5e-7);
	CHECK_STR(buf, "-0.00000015");
	fund_double_text(buf, 400, 1230.182);
	CHECK_STR(buf, "1230.182");
	fund_double_text(buf, 400, 200020);
	CHECK_STR(buf, "200020");
	/* dates */
	{
		struct fund_date d;
		CHECK(fund_date_parse("2017-06-27", 10, &d) == 0 && d.year == 2017 && d.month == 6);
		CHECK(fund_date_parse("27/06/2017", 10, &d) == 0 && d.day == 27);
		CHECK(fund_date_parse("2017/09/08", 10, &d) == 0 && d.month == 9);
		CHECK(fund_date_parse("2017-06-27T10:00:00Z", 20, &d) == 0);
		CHECK(fund_date_parse("2019-02-29", 10, &d) < 0);
		CHECK(fund_date_parse("2020-02-29", 10, &d) == 0);
		CHECK(fund_date_parse("2017-13-01", 10, &d) < 0);
		CHECK(fund_date_parse("31/04/2017", 10, &d) < 0);
		CHECK(fund_date_parse("  ", 2, &d) == 1);
		CHECK(fund_date_parse("2017", 4, &d) < 0);
	}
	/* periods (--spread) */
	{
		struct fund_date pa, pb, c = { 2000, 3, 1 }, e = { 2000, 2, 29 }, f = { 1970, 1, 1 }, g = { 1971, 1, 1 };
#define PERIOD(s, y0, m0, d0, y1, m1, d1) \
	CHECK(fund_period_parse(s, strlen(s), &pa, &pb) == 0 && pa.year == y0 && pa.month == m0 && pa.day == d0 && \
	      pb.year == y1 && pb.month == m1 && pb.day == d1)
		PERIOD("2015-2020", 2015, 1, 1, 2020, 12, 31);
		PERIOD(" 2015 - 2020 ", 2015, 1, 1, 2020, 12, 31);
		PERIOD("2015/2020", 2015, 1, 1, 2020, 12, 31);
		PERIOD("2017-01-01/2017-12-31", 2017, 1, 1, 2017, 12, 31);
		PERIOD("2017-01-01_2017-12-31", 2017, 1, 1, 2017, 12, 31);
		PERIOD("2017/09/08_2021/09/07", 2017, 9, 8, 2021, 9, 7);
		PERIOD("2015-02/2016-02", 2015, 2, 1, 2016, 2, 29);
		PERIOD("02/2016", 2016, 2, 1, 2016, 2, 29);
		PERIOD("2019", 2019, 1, 1, 2019, 12, 31);
		PERIOD("2019-03", 2019, 3, 1, 2019, 3, 31);
		PERIOD("2016-02-29", 2016, 2, 29, 2016, 2, 29);
		PERIOD("01/03/2016-28/02/2017", 2016, 3, 1, 2017, 2, 28);
		PERIOD("2020-01-01/2019-12-31", 2020, 1, 1, 2019, 12, 31);   /* reversed: the caller says so */
#undef PERIOD
		CHECK(fund_period_parse("", 0, &pa, &pb) == 1);
		CHECK(fund_period_parse(" \t", 2, &pa, &pb) == 1);
		CHECK(fund_period_parse("NC/2019-06-30", 13, &pa, &pb) < 0);
		CHECK(fund_period_parse("2019-06-03/fin", 14, &pa, &pb) < 0);
		CHECK(fund_period_parse("2019-13", 7, &pa, &pb) < 0);
		CHECK(fund_period_parse("0000", 4, &pa, &pb) < 0);
		CHECK(fund_period_parse("2015-", 5, &pa, &pb) < 0);
		CHECK(fund_date_days(&c) - fund_date_days(&e) == 1);
		CHECK(fund_date_days(&g) - fund_date_days(&f) == 365);
	}
	/* exact comparison, whatever the magnitudes (rescaling used to
	 * overflow: found by fuzz_check) */
	{
		const fund_i128 e18 = (fund_i128)1000000000000000000;
		struct fund_amount x = { 2 * e18 * e18 / 10, 0 }, y = { 15 * e18 * e18 * 10, 2 };
		struct fund_amount m = { -5, 1 }, n = { 3, 1 }, p = { 150, 2 }, q = { 15, 1 };
		struct fund_amount big = { 17 * e18 * e18 * 10, 18 }, small = { 1, 0 };
		CHECK(fund_amount_cmp(&x, &y) == -1);   /* 2e35 < 1.5e36 */
		CHECK(fund_amount_cmp(&y, &x) == 1);
		CHECK(fund_amount_cmp(&m, &n) == -1);
		CHECK(fund_amount_cmp(&p, &q) == 0);
		CHECK(fund_amount_cmp(&big, &small) == 1);   /* 1.7e20 > 1 */
		m.units = -15;
		n.units = -12;
		CHECK(fund_amount_cmp(&m, &n) == -1);
	}
	/* what ca part of ca split file learned about decimal marks, folded
	 * into what the parts before it learned */
	{
		struct fund_amount_ctx ca = { 0, 0, 0 }, cb = { 0, 0, 0 };
		struct fund_amount v;
		CHECK(fund_amount_parse("1,234.50", 8, &ca, &v) == FUND_AMOUNT_OK && ca.learned == FUND_MARK_POINT);
		CHECK(fund_amount_parse("1,234", 5, &cb, &v) == FUND_AMOUNT_OK && v.units == 1234 && v.scale == 3);
		CHECK(cb.unsure == 2);                          /* a lone ',' read as decimal */
		CHECK(fund_amount_ctx_follow(&ca, &cb) == -1);   /* ca would have read 1234 */
		CHECK(ca.learned == FUND_MARK_POINT && ca.unsure == 0);
		cb.unsure = 1;                                  /* a lone '.': read alike */
		CHECK(fund_amount_ctx_follow(&ca, &cb) == 0 && ca.learned == FUND_MARK_POINT);
		ca.learned = 0;
		ca.unsure = 1;
		cb.unsure = 2;
		cb.learned = FUND_MARK_COMMA;
		CHECK(fund_amount_ctx_follow(&ca, &cb) == 0 && ca.learned == FUND_MARK_COMMA && ca.unsure == 3);
		ca.forced = FUND_MARK_POINT;
		CHECK(fund_amount_ctx_follow(&ca, &cb) == 0);    /* forced: nothing learned matters */
		/* the shortcut for plain amounts sets what the full parser sets */
		ca.forced = ca.learned = ca.unsure = 0;
		cb = ca;
		CHECK(fund_amount_parse("-12.50", 6, &ca, &v) == FUND_AMOUNT_OK && v.units == -1250 && v.scale == 2);
		CHECK(fund_amount_parse_full("-12.50", 6, &cb, &v) == FUND_AMOUNT_OK && v.units == -1250 && v.scale == 2);
		CHECK(ca.unsure == 1 && cb.unsure == 1);
		ca.learned = FUND_MARK_COMMA;
		CHECK(fund_amount_parse("1.234", 5, &ca, &v) == FUND_AMOUNT_OK && v.units == 1234 && v.scale == 0);
	}
	{
		/* to double: the one-division shortcut gives what the decimal
		 * text read by strtod gives, at every scale, near 2^53 too */
		uint64_t x = 88172645463325252ull;
		int i, bad = 0;
		for (i = 0; i < 200000; i++) {
			struct fund_amount v;
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			v.scale = (int)(x % 23);
			v.units = (fund_i128)(x >> (11 + (x >> 59) % 40));   /* below 2^53, of every size */
			if (i & 1)
				v.units = -v.units;
			if (i % 1000 == 0)
				v.units = ((fund_i128)1 << 53) - 1 - (i / 1000);
			if (fund_amount_format(buf, sizeof(buf), v.units, v.scale, v.scale, 0) < 0 ||
			    fund_amount_to_double(&v) != strtod(buf, NULL))
				bad++;
		}
		CHECK(bad == 0);
	}

	/* lib/text.c: the library's one snprintf, and the integers' texts */
	{
		char t[FUND_DATE_TEXT], small[8];
		CHECK(fund_fmt(small, sizeof(small), "%s", "1234567") == 7);
		CHECK(fund_fmt(small, sizeof(small), "%s", "12345678") == -1 && small[0] == '\0');
		CHECK(fund_fmt(small, 0, "%s", "") == -1);
		CHECK(fund_utoa(t, 0) == 1 && !strcmp(t, "0"));
		CHECK(fund_utoa(t, 18446744073709551615ull) == 20 && !strcmp(t, "18446744073709551615"));
		CHECK(fund_itoa(t, -9223372036854775807ll - 1) == 20 && !strcmp(t, "-9223372036854775808"));
		CHECK(fund_itoa(t, -7) == 2 && !strcmp(t, "-7"));
		CHECK(fund_ymd(t, 2017, 6, 7) == 10 && !strcmp(t, "2017-06-07"));
		CHECK(fund_ymd(t, 7, 12, 0) == 7 && !strcmp(t, "0007-12"));
		CHECK(fund_ymd(t, 20170, 0, 0) == 5 && !strcmp(t, "20170"));
		CHECK(fund_ymd(t, -12, 1, 0) == 8 && !strcmp(t, "-0012-01"));
		CHECK(fund_ymd(t, -2147483647 - 1, 2147483647, 2147483647) == 33);
	}
	UNIT_END("amount");
}
