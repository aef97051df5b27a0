/* libFuzzer: the amount parser.  Properties: it never crashes; what it
 * accepts formats back to a canonical text that parses to the same value;
 * sums never silently wrap. */
#include <stdlib.h>
#include <string.h>
#include "fund/fund.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct fund_amount_ctx ctx = { 0, 0, 0 };
	struct fund_amount a, b;
	struct fund_sum s = { 0 };
	char buf[128];
	int n, st;

	/* a first byte , or . forces the mark; ; or : starts from a column
	 * that has learned , or . */
	if (size > 0 && (data[0] == ',' || data[0] == '.')) {
		ctx.forced = data[0] == ',' ? FUND_MARK_COMMA : FUND_MARK_POINT;
		data++;
		size--;
	} else if (size > 0 && (data[0] == ';' || data[0] == ':')) {
		ctx.learned = data[0] == ';' ? FUND_MARK_COMMA : FUND_MARK_POINT;
		data++;
		size--;
	}
	{
		/* the shortcut for plain amounts and the full parser agree,
		 * on the value and on what the column learns */
		struct fund_amount_ctx c2 = ctx;
		struct fund_amount x = { 0, 0 };
		st = fund_amount_parse((const char *)data, size, &ctx, &a);
		if (fund_amount_parse_full((const char *)data, size, &c2, &x) != st ||
		    (st == FUND_AMOUNT_OK && (x.units != a.units || x.scale != a.scale)) ||
		    c2.learned != ctx.learned || c2.unsure != ctx.unsure)
			abort();
	}
	if (st != FUND_AMOUNT_OK)
		return 0;
	if (a.scale < 0 || a.scale > FUND_AMOUNT_MAX_SCALE)
		abort();
	n = fund_amount_format(buf, sizeof(buf), a.units, a.scale, a.scale, 0);
	if (n < 0)
		abort();
	if (fund_amount_parse(buf, (size_t)n, NULL, &b) != FUND_AMOUNT_OK ||
	    b.units != a.units || b.scale != a.scale)
		abort();
	n = fund_amount_format(buf, sizeof(buf), a.units, a.scale, a.scale, FUND_FMT_FRENCH);
	if (n < 0 || fund_amount_parse(buf, (size_t)n, NULL, &b) != FUND_AMOUNT_OK || b.units != a.units)
		abort();
	/* adding a value to itself many times: exact, or an overflow error */
	for (n = 0; n < 64; n++)
		if (fund_sum_add(&s, &a))
			break;
	if (n == 64 && s.units != a.units * 64)
		abort();
	return 0;
}
