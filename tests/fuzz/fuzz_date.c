/* libFuzzer: dates, gnuplot quoting and identifiers on arbitrary bytes. */
#include <stdlib.h>
#include <string.h>
#include "fund/fund.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	const char *s = (const char *)data;
	struct fund_date d;
	char q[64], big[4096];
	size_t i;

	if (fund_date_parse(s, size, &d) == 0 &&
	    (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 31))
		abort();   /* a date that parses exists */
	/* a quoted label is one string: quotes come in pairs inside, and
	 * nothing of the value ends it or the line */
	fund_gp_quote(q, sizeof(q), s, size);
	if (q[0] != '\'' || q[strlen(q) - 1] != '\'')
		abort();
	fund_gp_quote(big, sizeof(big), s, size);
	for (i = 1; big[i + 1]; i++) {
		if (big[i] == '\n' || big[i] == '\r')
			abort();
		if (big[i] == '\'') {
			if (big[i + 1] != '\'')
				abort();
			i++;
		}
	}
	fund_gp_field(big, sizeof(big), s, size);
	if (strchr(big + 1, '"') != big + strlen(big) - 1)
		abort();
	fund_siret_valid(s, size);
	fund_siren_valid(s, size);
	return 0;
}
