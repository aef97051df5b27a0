/* Unit tests of the gnuplot quoting and of the plot engine's arithmetic. */
#include <math.h>
#include <stdlib.h>
#include "fund/fund.h"
#include "unit.h"

static const char *q(const char *s)
{
	static char buf[256];
	return fund_gp_quote(buf, sizeof(buf), s, strlen(s));
}

static const char *f(const char *s)
{
	static char buf[256];
	return fund_gp_field(buf, sizeof(buf), s, strlen(s));
}

int main(void)
{
	char small[8];

	/* single-quoted strings: quotes doubled, controls flattened */
	CHECK_STR(q("plain"), "'plain'");
	CHECK_STR(q(""), "''");
	CHECK_STR(q("it's"), "'it''s'");
	CHECK_STR(q("a' . system('id') . 'b"), "'a'' . system(''id'') . ''b'");
	CHECK_STR(q("`id`"), "'`id`'");
	CHECK_STR(q("x\ny\r\tz"), "'x y  z'");
	CHECK_STR(q("\x7f"), "' '");
	CHECK_STR(q("Ariège €"), "'Ariège €'");
	/* data fields: double quotes, which data cannot close */
	CHECK_STR(f("Haute-Garonne"), "\"Haute-Garonne\"");
	CHECK_STR(f("say \"hi\""), "\"say 'hi'\"");
	CHECK_STR(f("EOD\nEOD"), "\"EOD EOD\"");
	/* truncation keeps the quotes and whole characters */
	CHECK_STR(fund_gp_quote(small, sizeof(small), "abcdefghij", 10), "'abcde'");
	CHECK_STR(fund_gp_quote(small, sizeof(small), "ab''''''", 8), "'ab'''");
	CHECK_STR(fund_gp_quote(small, sizeof(small), "abcé", 5), "'abcé'");
	CHECK_STR(fund_gp_quote(small, sizeof(small), "abcdé", 6), "'abcd'");
	CHECK(strlen(fund_gp_quote(small, 3, "abc", 3)) == 2);
	/* names */
	CHECK(fund_plot_kind_from_name("lorenz") == FUND_PLOT_LORENZ);
	CHECK(fund_plot_kind_from_name("pie") == -1);
	CHECK(fund_plot_term_from_name("pdf") == FUND_TERM_PDF);
	CHECK(fund_plot_term_from_name("x11") == -1);
	/* amounts to doubles: nearest */
	{
		struct fund_amount a = { 123456789, 2 };
		CHECK(fund_amount_to_double(&a) == 1234567.89);
		a.units = -5;
		a.scale = 1;
		CHECK(fund_amount_to_double(&a) == -0.5);
	}
	UNIT_END("plot");
}
