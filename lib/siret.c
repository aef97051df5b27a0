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
	size_t i;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

static int luhn(const char *s, size_t len)
{
	size_t i;
	int sum = 0;
	for (i = 0; i < len; i++) {
		int d = s[len - 1 - i] - '0';
		if (i % 2 == 1 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
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
