/* Formatting into buffers of a known size (git's xsnprintf, without the
 * die): the only place in libfund that calls snprintf, so that no caller
 * can leave a truncated text unseen. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "internal.h"

int fund_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (!size)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size) {
		buf[0] = '\0';
		return -1;
	}
	return n;
}

size_t fund_utoa(char *buf, unsigned long long v)
{
	char t[FUND_NUM_TEXT];
	size_t n = 0, i;
	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		buf[i] = t[n - 1 - i];
	buf[n] = '\0';
	return n;
}

size_t fund_itoa(char *buf, long long v)
{
	if (v < 0) {
		buf[0] = '-';
		/* -(v + 1) + 1: LLONG_MIN has no positive long long */
		return 1 + fund_utoa(buf + 1, (unsigned long long)-(v + 1) + 1);
	}
	return fund_utoa(buf, (unsigned long long)v);
}

size_t fund_ymd(char *buf, int y, int m, int d)
{
	int v[3] = { y, m, d }, i, k;
	size_t n = 0;
	for (i = 0; i < 3 && (i == 0 || v[i] > 0); i++) {
		char t[FUND_NUM_TEXT];
		size_t l = fund_itoa(t, v[i]), neg = t[0] == '-';
		if (i)
			buf[n++] = '-';
		if (neg)
			buf[n++] = '-';
		for (k = (int)(l - neg); k < (i ? 2 : 4); k++)
			buf[n++] = '0';
		memcpy(buf + n, t + neg, l - neg);
		n += l - neg;
	}
	buf[n] = '\0';
	return n;
}
