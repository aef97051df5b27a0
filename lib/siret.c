/* French identifiers: SIREN and SIRET, with their Luhn checksums. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"
#include "schema.h"
#include "banned.h"

/* ---- identifiers ---- */

int fund_all_digits(const char *s, size_t len)
{
	size_t i = 0;
	/* 8 bytes at a time: each byte's high nibble 3, and its low one
	 * at most 9 (adding 6 carries into the high nibble beyond) */
	for (; i + 8 <= len; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if ((w & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull ||
		    ((w + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull)
			return 0;
	}
	for (; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

/* The Luhn sum of len digits: from the right, every second digit
 * doubled (its digits added: 2 d - 9 above 4). */
static int luhn(const char *s, size_t len)
{
	static const unsigned char dbl[10] = { 0, 2, 4, 6, 8, 1, 3, 5, 7, 9 };
	size_t i;
	unsigned sum = 0;
	for (i = len; i >= 2; i -= 2)
		sum += (unsigned)(s[i - 1] - '0') + dbl[s[i - 2] - '0'];
	if (i)
		sum += (unsigned)(s[0] - '0');
	return sum % 10 == 0;
}

int fund_siren_valid(const char *s, size_t len)
{
	return len == 9 && fund_all_digits(s, len) && luhn(s, len);
}

int fund_siret_valid(const char *s, size_t len)
{
	size_t i;
	int sum = 0;
	if (len != 14 || !fund_all_digits(s, len))
		return 0;
	if (luhn(s, len))
		return 1;
	/* La Poste: one SIREN for thousands of establishments, numbered
	 * beyond what Luhn allows; INSEE's rule is that the digits add up to
	 * a multiple of 5 */
	if (memcmp(s, "356000000", 9) == 0) {
		for (i = 0; i < len; i++)
			sum += s[i] - '0';
		return sum % 5 == 0;
	}
	return 0;
}

int fund_padded_siret(const char *s13)
{
	char b[14];
	b[0] = '0';
	memcpy(b + 1, s13, 13);
	return fund_siret_valid(b, 14);
}
