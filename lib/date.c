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

static int days_in_month(int y, int m)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return mdays[m - 1] + (m == 2 && leap);
}

/* One end of a period: a day, a month (2017-03, 2017/03, 03/2017) or a
 * year, as its first and last days.  0 or FUND_EDATA. */
static int period_point(const char *s, size_t n, struct fund_date *first, struct fund_date *last)
{
	int y, m;
	while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
	if (n == 4 && !digits(s, 4, &y) && y >= 1) {
		*first = (struct fund_date){ y, 1, 1 };
		*last = (struct fund_date){ y, 12, 31 };
		return 0;
	}
	if (n == 7 && (s[4] == '-' || s[4] == '/') && !digits(s, 4, &y) && !digits(s + 5, 2, &m)) {
		/* 2017-03 */
	} else if (n == 7 && s[2] == '/' && !digits(s, 2, &m) && !digits(s + 3, 4, &y)) {
		/* 03/2017 */
	} else if (n >= 10 && fund_date_parse(s, n, first) == 0) {
		*last = *first;
		return 0;
	} else {
		return FUND_EDATA;
	}
	if (y < 1 || m < 1 || m > 12)
		return FUND_EDATA;
	*first = (struct fund_date){ y, m, 1 };
	*last = (struct fund_date){ y, m, days_in_month(y, m) };
	return 0;
}

int fund_period_parse(const char *s, size_t n, struct fund_date *from, struct fund_date *to)
{
	struct fund_date a, b, c, d;
	size_t i;
	while (n && (*s == ' ' || *s == '\t')) { s++; n--; }
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
	if (n == 0)
		return 1;
	if (period_point(s, n, &a, &b) == 0) {
		*from = a;
		*to = b;
		return 0;
	}
	/* two ends, at the first separator where both read */
	for (i = 1; i + 1 < n; i++)
		if ((s[i] == '/' || s[i] == '_' || s[i] == '-') && period_point(s, i, &a, &b) == 0 &&
		    period_point(s + i + 1, n - i - 1, &c, &d) == 0) {
			*from = a;
			*to = d;
			return 0;
		}
	return FUND_EDATA;
}

long fund_date_days(const struct fund_date *d)
{
	/* days since 0000-03-01 in the proleptic Gregorian calendar */
	long y = d->year - (d->month <= 2), m = d->month, era, yoe, doy, doe;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d->day - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe;
}
