/* libFuzzer: territory codes (INSEE commune, EPCI SIREN, département,
 * région; SIRET and SIREN of communes; codes that lost their leading
 * zero) against the shipped geography.  Properties: a lookup never
 * crashes; what a code names, its canonical code names too, at the same
 * level; every territory has a name and its région contains it. */
#include <stdlib.h>
#include <string.h>
#include "fund/fund.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static struct fund_geo *geo;

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static const enum fund_level hints[] = {
		FUND_LEVEL_AUTO, FUND_LEVEL_COMMUNE, FUND_LEVEL_EPCI, FUND_LEVEL_DEPARTEMENT, FUND_LEVEL_REGION
	};
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	enum fund_level l, l2;
	size_t ix, ix2;
	unsigned how;
	const char *code;
	int rc;

	if (!geo && fund_geo_load(&geo, getenv("FUNDKIT_DATA") ? getenv("FUNDKIT_DATA") : "data", &err) < 0)
		abort();   /* run from the source tree, or set FUNDKIT_DATA */
	if (size < 1)
		return 0;
	rc = fund_geo_lookup(geo, (const char *)data + 1, size - 1, hints[data[0] % 5], &l, &ix, &how);
	if (rc != 0)
		return 0;
	if ((int)l < 0 || l >= FUND_NLEVELS || ix >= fund_geo_count(geo, l))
		abort();
	code = fund_geo_code(geo, l, ix);
	if (!code || !fund_geo_name(geo, l, ix))
		abort();
	if (fund_geo_lookup(geo, code, strlen(code), l, &l2, &ix2, &how) != 0 || l2 != l || ix2 != ix)
		abort();
	if (l != FUND_LEVEL_REGION && fund_geo_parent(geo, l, ix, FUND_LEVEL_REGION) >= (long)fund_geo_count(geo, FUND_LEVEL_REGION))
		abort();
	return 0;
}
