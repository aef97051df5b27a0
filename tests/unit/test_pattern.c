/* lib/pattern.c: the simple matcher of a schema's pattern gives regexec's
 * answer for every string of up to five bytes over an alphabet that its
 * patterns use, and is not used for what it does not read. */
#include <regex.h>
#include <stdlib.h>
#include "schema.h"
#include "unit.h"

static const char alpha[] = { '0', '9', '-', '/', 'a', 'b', '.', 'W', '\0' };

/* every string of up to 5 bytes over alpha: the count that disagree */
static long disagree(const char *ere)
{
	regex_t re;
	struct fund_sre *sre = NULL;
	char s[6];   /* and a NUL after the string, for ASan's regexec */
	long bad = 0, n, total = 1, k;
	size_t len, i;
	if (regcomp(&re, ere, REG_EXTENDED | REG_NOSUB))
		return -1;
	if (fund_sre_compile(ere, &sre) != 1) {
		regfree(&re);
		return -2;
	}
	for (len = 0; len <= 5; len++, total *= (long)sizeof(alpha))
		for (n = 0; n < total; n++) {
			regmatch_t m[1] = { { 0, (regoff_t)len } };
			for (i = 0, k = n; i < len; i++, k /= (long)sizeof(alpha))
				s[i] = alpha[k % (long)sizeof(alpha)];
			s[len] = '\0';
			bad += (regexec(&re, s, 1, m, REG_STARTEND) == 0) != fund_sre_match(sre, s, len);
		}
	fund_sre_free(sre);
	regfree(&re);
	return bad;
}

static int simple(const char *ere)
{
	struct fund_sre *sre = NULL;
	int rc = fund_sre_compile(ere, &sre);
	fund_sre_free(sre);
	return rc;
}

static int matches(const char *ere, const char *s)
{
	struct fund_sre *sre = NULL;
	int m;
	if (fund_sre_compile(ere, &sre) != 1)
		return -1;
	m = fund_sre_match(sre, s, strlen(s));
	fund_sre_free(sre);
	return m;
}

int main(void)
{
	/* SCDL's patterns as lib/schema.c translates them */
	const char *period = "^(^[0-9]{4}-[0-9]{2}-[0-9]{2}(/[0-9]{4}-[0-9]{2}-[0-9]{2})?$)$";
	static const char *const same[] = {
		"^(^[0-9]{2}$)$", "^(^W[0-9]{3}$)$", "^(^[0-9]-[0-9](/[0-9])?$)$", "^(a?b?)$", "^(a?)", "^a(b)?$",
		"^((ab){2}|)$", "^([a-b-]{2}0?)$", "^([-/]a{0,1}(b{2}(0)?)?)$", "^(^a$|b)",
		"^()$", "^$", "^(9\\.\\?)", "^(\\/|a)", "^([/-9]{3})$", "^(a{2})(b?){2}$",
	};
	size_t i;

	CHECK(simple("^(^[0-9]{14}$)$") == 1);
	CHECK(simple("^(^W[0-9]{9}$)$") == 1);
	CHECK(simple(period) == 1);
	CHECK(matches(period, "2019-01-01") == 1);
	CHECK(matches(period, "2019-01-01/2019-12-31") == 1);
	CHECK(matches(period, "2019-01-01/") == 0);
	CHECK(matches(period, "2019-01-01_2019-12-31") == 0);
	CHECK(matches(period, "2019-1-01") == 0);
	CHECK(matches("^(^[0-9]{14}$)$", "21310555400017") == 1);
	CHECK(matches("^(^[0-9]{14}$)$", "2131055540001") == 0);
	CHECK(matches("^(^[0-9]{14}$)$", "213105554000170") == 0);
	/* a NUL in the cell is a byte that no set holds */
	{
		struct fund_sre *sre = NULL;
		CHECK(fund_sre_compile("^(^[0-9]{3}$)$", &sre) == 1);
		CHECK(sre && !fund_sre_match(sre, "1\0003", 3));
		CHECK(sre && fund_sre_match(sre, "123", 3));
		fund_sre_free(sre);
	}
	/* what it does not read stays with regexec */
	CHECK(simple("^(.{3})$") == 0);
	CHECK(simple("^(a*)$") == 0);
	CHECK(simple("^(a+)$") == 0);
	CHECK(simple("^(a|b)$") == 0);
	CHECK(simple("^([^a])$") == 0);
	CHECK(simple("^([[:alpha:]])$") == 0);
	CHECK(simple("^(a{1,3})$") == 0);
	CHECK(simple("^(\\w)$") == 0);
	CHECK(simple("^((a)\\1)$") == 0);
	CHECK(simple("a$") == 0);               /* not anchored at the start */
	CHECK(simple("^(a?b?c?d?e?f?g?h?i?)$") == 0);   /* nine optional parts */
	CHECK(simple("^((a?){9})$") == 0);
	CHECK(simple("^(a?b?c?d?e?f?g?h?)$") == 1);
	/* and what it reads, as regexec reads it */
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		long d = disagree(same[i]);
		if (strchr(same[i], '|')) {
			CHECK(d == -2);
			continue;
		}
		if (d)
			fprintf(stderr, "%s: %ld\n", same[i], d);
		CHECK(d == 0);
	}
	UNIT_END("pattern");
}
