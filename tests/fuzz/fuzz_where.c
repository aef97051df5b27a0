/* libFuzzer: fund-cat's --where expressions.  The input is an expression,
 * a newline, then a field.  Properties: parsing never crashes and either
 * fails with a message or gives a column and a value; = and != (and ~ and
 * !~) always disagree; < implies <=, > implies >=, never both < and >. */
#include <stdlib.h>
#include <string.h>
#include "fund/fund.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *nl = memchr(data, '\n', size);
	size_t el = nl ? (size_t)(nl - data) : size;
	const char *field = nl ? (const char *)nl + 1 : NULL;
	size_t flen = nl ? size - el - 1 : 0;
	struct fund_where w;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	char *text;
	int h, o;

	if (el > 200 || memchr(data, 0, el))
		return 0;
	text = malloc(el + 1);
	if (!text)
		return 0;
	memcpy(text, data, el);
	text[el] = '\0';
	if (fund_where_parse(&w, text, &err) < 0) {
		if (!fund_error_msg(&err)[0])
			abort();
		free(text);
		return 0;
	}
	if (!w.col || !w.col[0] || !w.value)
		abort();
	h = fund_where_holds(&w, field, flen);
	switch (w.op) {
	case FUND_W_EQ: case FUND_W_NE: case FUND_W_RE: case FUND_W_NRE: {
		struct fund_where x = w;
		x.op = w.op == FUND_W_EQ ? FUND_W_NE : w.op == FUND_W_NE ? FUND_W_EQ :
		       w.op == FUND_W_RE ? FUND_W_NRE : FUND_W_RE;
		if (fund_where_holds(&x, field, flen) == h)
			abort();
		break;
	}
	default: {
		struct fund_where x = w;
		int lt, le, gt, ge;
		x.op = FUND_W_LT; lt = fund_where_holds(&x, field, flen);
		x.op = FUND_W_LE; le = fund_where_holds(&x, field, flen);
		x.op = FUND_W_GT; gt = fund_where_holds(&x, field, flen);
		x.op = FUND_W_GE; ge = fund_where_holds(&x, field, flen);
		if ((lt && !le) || (gt && !ge) || (lt && gt))
			abort();
		o = (w.op == FUND_W_LT && lt) || (w.op == FUND_W_LE && le) ||
		    (w.op == FUND_W_GT && gt) || (w.op == FUND_W_GE && ge);
		if (o != h)
			abort();
	}
	}
	fund_where_release(&w);
	free(text);
	return 0;
}
