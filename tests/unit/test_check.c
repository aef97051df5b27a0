/* Unit tests of the identifier checks and of Table Schema reading. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "fund/fund.h"
#include "unit.h"

static int siret(const char *s)
{
	return fund_siret_valid(s, strlen(s));
}

static int n_findings;
static char last_rule[64];

static int count(void *ctx, const struct fund_finding *f)
{
	(void)ctx;
	n_findings++;
	snprintf(last_rule, sizeof(last_rule), "%s", f->rule);
	return 0;
}

int main(void)
{
	struct fund_schema *s = NULL;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	static const char good[] = "{\"name\":\"t\",\"version\":\"2\",\"fields\":[{\"name\":\"a\",\"type\":\"string\","
		"\"constraints\":{\"pattern\":\"^\\\\d{2}\\\\-[A-Z]$\"}},{\"name\":\"b\",\"type\":\"number\"}]}";

	/* Luhn, 14 and 9 digits */
	CHECK(siret("73282932000074"));
	CHECK(siret("21310555400017"));
	CHECK(!siret("73282932000075"));
	CHECK(!siret("7328293200007"));
	CHECK(!siret("732829320000744"));
	CHECK(!siret("7328293200007a"));
	CHECK(!siret(""));
	CHECK(fund_siren_valid("732829320", 9));
	CHECK(!fund_siren_valid("732829321", 9));
	CHECK(!fund_siren_valid("73282932000074", 14));
	/* every byte that is not a digit, at each place of a valid SIRET
	 * and SIREN (the digit test reads 8 bytes at a time): not one */
	{
		char t[15];
		int p, b, wrong = 0;
		for (p = 0; p < 14; p++)
			for (b = 1; b < 256; b++) {
				if (b >= '0' && b <= '9')
					continue;
				memcpy(t, "73282932000074", 15);
				t[p] = (char)b;
				wrong += siret(t);
				if (p < 9) {
					memcpy(t, "732829320", 10);
					t[p] = (char)b;
					wrong += fund_siren_valid(t, 9);
				}
			}
		CHECK(wrong == 0);
	}
	/* Luhn against the rule spelled out, on digits of every kind */
	{
		unsigned x = 12345;
		int k, wrong = 0, valid = 0;
		for (k = 0; k < 20000; k++) {
			char t[15];
			int i, sum = 0;
			for (i = 0; i < 14; i++) {
				x = x * 1103515245u + 12345u;
				t[i] = (char)('0' + (x >> 16) % 10);
			}
			t[14] = '\0';
			for (i = 0; i < 14; i++) {
				int d = t[13 - i] - '0';
				if (i % 2 == 1)
					d = d * 2 > 9 ? d * 2 - 9 : d * 2;
				sum += d;
			}
			if (memcmp(t, "356000000", 9) == 0)
				continue;
			valid += sum % 10 == 0;
			wrong += siret(t) != (sum % 10 == 0);
			for (i = 0, sum = 0; i < 9; i++) {
				int d = t[13 - i] - '0';
				if (i % 2 == 1)
					d = d * 2 > 9 ? d * 2 - 9 : d * 2;
				sum += d;
			}
			wrong += fund_siren_valid(t + 5, 9) != (sum % 10 == 0);
		}
		CHECK(wrong == 0);
		CHECK(valid > 1000);
	}
	/* La Poste: digits add up to a multiple of 5, Luhn or not */
	CHECK(siret("35600000049837"));
	CHECK(siret("35600000000048"));
	CHECK(!siret("35600000049838"));
	/* only La Poste's SIREN has the exception */
	CHECK(!siret("73282932000072"));

	/* schemas */
	CHECK(fund_schema_parse(&s, good, strlen(good), "good", &err) == 0);
	CHECK(s && fund_schema_nfields(s) == 2);
	CHECK_STR(s ? fund_schema_title(s) : NULL, "t 2");
	if (s) {
		struct fund_check *c = NULL;
		struct fund_check_opts o = { s, NULL, 0, count, NULL, NULL, 0, NULL };
		struct fund_reader *r = NULL;
		struct fund_reader_opts ro = { 0 };
		const struct fund_record *rec;
		char path[512];
		FILE *fp;
		snprintf(path, sizeof(path), "%s/fundkit-unit-check-%ld.csv", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
			 (long)getpid());
		fp = fopen(path, "w");
		if (fp) {
			fputs("a,b\n12-X,1.5\n1-X,abc\n", fp);
			fclose(fp);
		}
		CHECK(fund_check_new(&c, &o) == 0);
		CHECK(fund_reader_open(&r, path, &ro, &err) == 0);
		if (r && c) {
			CHECK(fund_check_bind(c, r, &err) == 0);
			CHECK(n_findings == 0);
			CHECK(fund_reader_next(r, &rec, &err) == 1 && fund_check_add(c, rec, &err) == 0);
			CHECK(n_findings == 0);
			CHECK(fund_reader_next(r, &rec, &err) == 1 && fund_check_add(c, rec, &err) == 0);
			/* '1-X' fails the translated pattern, 'abc' is not a number */
			CHECK(n_findings == 2);
			CHECK_STR(last_rule, "type");
		}
		fund_reader_close(&r);
		fund_check_free(&c);
		remove(path);
	}
	fund_schema_free(&s);
	CHECK(fund_schema_parse(&s, "{\"fields\":3}", 12, "bad", &err) == FUND_EDATA);
	CHECK(s == NULL);
	CHECK(fund_schema_parse(&s, "{", 1, "bad", &err) == FUND_EDATA);
	CHECK(fund_schema_parse(&s, "{\"fields\":[{\"name\":\"a\",\"constraints\":{\"pattern\":\"(\"}}]}", 53, "re", &err) ==
	      FUND_EDATA);
	CHECK(s == NULL);
	UNIT_END("check");
}
