/* libFuzzer: a schema pattern matched without regexec (lib/pattern.c)
 * against regexec itself.  The input is a POSIX extended expression, a
 * NUL, then a cell (NULs in it are bytes like others).  Property: when
 * the expression compiles to the simple matcher, its answer is regexec's
 * (REG_STARTEND, the C locale) for the cell, for the cell cut after each
 * byte, and for the cell with its last byte changed; the schema's own
 * patterns, wrapped as lib/schema.c wraps them, are among the seeds. */
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
	if (fund_sre_compile(pat, &sre) <= 0) {
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
