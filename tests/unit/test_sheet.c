/* The spreadsheet cell rules: numbers, serial dates in both systems,
 * date formats, column letters. */
#include <math.h>
#include "unit.h"
#include "sheet.h"

static const char *date(double serial, int d1904, int kind)
{
	static char buf[64];
	if (!sheet_date(buf, sizeof(buf), serial, d1904, kind))
		return "(none)";
	return buf;
}

static const char *num(double v)
{
	static char buf[400];
	sheet_number(buf, v);
	return buf;
}

int main(void)
{
	char c[8];

	/* the 1900 system, with Excel's 29 February 1900 */
	CHECK_STR(date(1, 0, 'd'), "1900-01-01");
	CHECK_STR(date(59, 0, 'd'), "1900-02-28");
	CHECK_STR(date(60, 0, 'd'), "1900-02-29");
	CHECK_STR(date(61, 0, 'd'), "1900-03-01");
	CHECK_STR(date(42585, 0, 'd'), "2016-08-03");
	CHECK_STR(date(2958465, 0, 'd'), "9999-12-31");
	CHECK_STR(date(2958466, 0, 'd'), "(none)");
	CHECK_STR(date(0, 0, 'd'), "(none)");
	CHECK_STR(date(-1, 0, 'd'), "(none)");
	CHECK_STR(date(NAN, 0, 'd'), "(none)");
	/* the 1904 system */
	CHECK_STR(date(0, 1, 'd'), "1904-01-01");
	CHECK_STR(date(42585, 1, 'd'), "2020-08-04");
	/* times, date-times, a date format holding a time */
	CHECK_STR(date(43101.75, 0, 'x'), "2018-01-01T18:00:00");
	CHECK_STR(date(43101.75, 0, 'd'), "2018-01-01T18:00:00");
	CHECK_STR(date(0.5, 0, 't'), "12:00:00");
	CHECK_STR(date(1.5, 0, 't'), "36:00:00");
	CHECK_STR(date(43101.9999999999, 0, 'd'), "2018-01-02");
	CHECK_STR(date(43101 + 1.0 / 86400, 0, 'x'), "2018-01-01T00:00:01");

	/* which number formats are dates */
	CHECK(sheet_format_kind("dd/mm/yyyy") == 'd');
	CHECK(sheet_format_kind("m/d/yy") == 'd');
	CHECK(sheet_format_kind("mmm") == 'd');
	CHECK(sheet_format_kind("[$-40C]d mmmm yyyy") == 'd');
	CHECK(sheet_format_kind("yyyy-mm-dd hh:mm") == 'x');
	CHECK(sheet_format_kind("hh:mm") == 't');
	CHECK(sheet_format_kind("mm:ss") == 't');
	CHECK(sheet_format_kind("[h]:mm:ss") == 't');
	CHECK(sheet_format_kind("h AM/PM") == 't');
	CHECK(sheet_format_kind("General") == 0);
	CHECK(sheet_format_kind("#,##0.00\\ \"€\"") == 0);
	CHECK(sheet_format_kind("0\" days\"") == 0);
	CHECK(sheet_format_kind("\\d0") == 0);
	CHECK(sheet_format_kind("0.00E+00") == 0);
	CHECK(sheet_format_kind("[Red]0.00;[Blue]-0.00") == 0);
	CHECK(sheet_format_kind("0.00;dd/mm/yyyy") == 0);
	CHECK(sheet_builtin_kind(14) == 'd');
	CHECK(sheet_builtin_kind(22) == 'x');
	CHECK(sheet_builtin_kind(20) == 't');
	CHECK(sheet_builtin_kind(47) == 't');
	CHECK(sheet_builtin_kind(2) == 0);
	CHECK(sheet_builtin_kind(49) == 0);

	/* numbers: the shortest decimal of the double, never in exponent form */
	CHECK_STR(num(986.01266399999997), "986.012664");
	CHECK_STR(num(42.0), "42");
	CHECK_STR(num(-0.0), "0");
	CHECK_STR(num(0.1), "0.1");
	CHECK_STR(num(1e21), "1000000000000000000000");
	CHECK_STR(num(1.5e-7), "0.00000015");

	/* the numbers already written as their shortest decimal */
	CHECK(sheet_is_shortest("42", 2));
	CHECK(sheet_is_shortest("-0.1", 4));
	CHECK(sheet_is_shortest("0", 1));
	CHECK(sheet_is_shortest("986.012664", 10));
	CHECK(sheet_is_shortest("123456789012345", 15));
	CHECK(!sheet_is_shortest("1234567890123456", 16));
	CHECK(!sheet_is_shortest("986.01266399999997", 18));
	CHECK(!sheet_is_shortest("1.50", 4));
	CHECK(!sheet_is_shortest("01", 2));
	CHECK(!sheet_is_shortest("-0", 2));
	CHECK(!sheet_is_shortest("4.2E1", 5));
	CHECK(!sheet_is_shortest("1.", 2));
	CHECK(!sheet_is_shortest("", 0));
	CHECK(!sheet_is_shortest("-", 1));
	CHECK(sheet_is_shortest("0.000001", 8));
	CHECK(!sheet_is_shortest(".5", 2));
	CHECK(!sheet_is_shortest("-.5", 3));

	CHECK_STR(fund_sheet_column(c, 1), "A");
	CHECK_STR(fund_sheet_column(c, 26), "Z");
	CHECK_STR(fund_sheet_column(c, 27), "AA");
	CHECK_STR(fund_sheet_column(c, 16384), "XFD");
	UNIT_END("sheet");
}
