/* A program using the installed libfund: the CPER total by financeur. */
#include <stdio.h>
#include <fund/fund.h>

int main(int argc, char **argv)
{
	static const char *const groups[] = { "financeur" };
	static const char *const sums[] = { "montant_meur" };
	struct fund_total_opts o = { groups, 1, sums, 1, FUND_PERIOD_NONE, NULL, 0, 0, NULL, NULL };
	struct fund_total_out out = { FUND_OUT_TSV, FUND_SORT_KEY, 0, 0, 0, -1 };
	struct fund_total *t;
	struct fund_reader *r;
	const struct fund_record *rec;
	struct fund_error err;
	int rc;

	if (argc < 2 || fund_total_new(&t, &o) < 0)
		return 2;
	if (fund_reader_open(&r, argv[1], NULL, &err) < 0 || fund_total_bind(t, r, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	while ((rc = fund_reader_next(r, &rec, &err)) > 0)
		if (fund_total_add(t, rec, &err) < 0)
			break;
	fund_reader_close(&r);
	if (rc < 0 || fund_total_write(t, stdout, &out, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	fund_total_free(&t);
	printf("libfund %s\n", fund_version());
	return 0;
}
