/* libFuzzer: a schema pattern matched without regexec (lib/pattern.c)
 * against regexec itself.  The input is a POSIX extended expression, a
 * NUL, then a cell (NULs in it are bytes like others).  Property: when
 * the expression compiles to the simple matcher, its answer is regexec's
 * (REG_STARTEND, the C locale) for the cell, for the cell cut after each
 * byte, and for the cell with its last byte changed; the schema's own
 * patterns, wrapped as lib/schema.c wraps them, are among the seeds.
 *
 * Two kinds of expression are left out, where regexec is not an oracle:
 * a group holding an anchor repeated by a count of two or more, which
 * glibc's regexec matches as if the copies after the first had no anchor
 * ("^(ab$){2}$" matches "abab" there, "^(ab$)(ab$)$" does not; grep -E
 * and the simple matcher say no to both), and a count over 255 (POSIX's
 * RE_DUP_MAX floor), where regcomp and regexec of glibc take gigabytes
 * ("^(){1331}" and the like). */
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include "schema.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void same(const regex_t *re, const struct fund_sre *sre, const char *s, size_t len)
{
	regmatch_t m[1] = { { 0, (regoff_t)len } };
	int a = regexec(re, s, 1, m, REG_STARTEND) == 0;
	int b = fund_sre_match(sre, s, len);
	if (a != b)
		abort();
}

/* 1 when regexec is no oracle for the expression (above) */
static int unreliable(const char *p)
{
	unsigned char anchor[301];   /* a group holds an anchor, by depth */
	size_t depth = 0;

	anchor[0] = 0;
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']')
				p++;
			if (!*p)
				return 0;
		} else if (*p == '^' || *p == '$') {
			anchor[depth] = 1;
		} else if (*p == '(') {
			anchor[++depth] = 0;
		} else if (*p == ')' && depth) {
			unsigned char a = anchor[depth--];
			if (a && p[1] == '{' && strtoul(p + 2, NULL, 10) >= 2)
				return 1;
			anchor[depth] |= a;
		} else if (*p == '{' && strtoul(p + 1, NULL, 10) > 255) {
			return 1;
		}
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const unsigned char *nul = memchr(data, 0, size);
	size_t plen = nul ? (size_t)(nul - data) : size, clen, i;
	char *pat, *cell;
	regex_t re;
	struct fund_sre *sre = NULL;

	if (!nul || plen > 300)
		return 0;
	clen = size - plen - 1;
	if (!(pat = malloc(plen + 1)))
		return 0;
	memcpy(pat, data, plen);
	pat[plen] = '\0';
	/* only what the simple matcher reads goes to regcomp (which can
	 * take gigabytes on a+++++{250}{250}); what regcomp refuses is
	 * never matched (lib/schema.c compiles only what regcomp took) */
	if (unreliable(pat) || fund_sre_compile(pat, &sre) <= 0) {
		free(pat);
		return 0;
	}
	if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB)) {
		fund_sre_free(sre);
		free(pat);
		return 0;
	}
	if (!(cell = malloc(clen + 1))) {
		fund_sre_free(sre);
		regfree(&re);
		free(pat);
		return 0;
	}
	memcpy(cell, nul + 1, clen);
	cell[clen] = '\0';   /* ASan's regexec reads up to one (it knows no REG_STARTEND) */
	for (i = 0; i <= clen; i++)
		same(&re, sre, cell, i);
	if (clen) {
		cell[clen - 1] ^= 1;
		same(&re, sre, cell, clen);
	}
	free(cell);
	fund_sre_free(sre);
	regfree(&re);
	free(pat);
	return 0;
}
