#include <string.h>
#include "fund/fund.h"
#include "banned.h"

static int digits(const char *s, size_t n, int *v)
{
	size_t i;
	*v = 0;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

static int valid(int y, int m, int d)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap);
}

int fund_date_parse(const char *s, size_t n, struct fund_date *out)
{
	int y, m, d;
	while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
	if (n == 0)
		return 1;
	if (n >= 10 && s[4] == '-' && s[7] == '-' && (n == 10 || s[10] == 'T' || s[10] == ' ')) {
		if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
			return FUND_EDATA;
	} else if (n == 10 && s[4] == '/' && s[7] == '/') {
		if (digits(s, 4, &y) || digits(s + 5, 2, &m) || digits(s + 8, 2, &d))
			return FUND_EDATA;
	} else if (n == 10 && s[2] == '/' && s[5] == '/') {
		if (digits(s, 2, &d) || digits(s + 3, 2, &m) || digits(s + 6, 4, &y))
			return FUND_EDATA;
	} else {
		return FUND_EDATA;
	}
	if (!valid(y, m, d))
		return FUND_EDATA;
	if (out) {
		out->year = y;
		out->month = m;
		out->day = d;
	}
	return 0;
}
