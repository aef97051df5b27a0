/* Geography: the shipped reference, parents, populations, and every code
 * normalisation. */
#include <stdlib.h>
#include <string.h>
#include "fund/fund.h"
#include "unit.h"

static struct fund_geo *g;

/* code -> "level:code" of what it names, "BLANK" or "NONE"; how in *h */
static const char *look(const char *code, enum fund_level hint, unsigned *h)
{
	static char buf[64];
	enum fund_level l;
	size_t i;
	unsigned how = 0;
	int rc = fund_geo_lookup(g, code, strlen(code), hint, &l, &i, &how);
	if (h)
		*h = how;
	if (rc == 1)
		return "BLANK";
	if (rc < 0)
		return "NONE";
	snprintf(buf, sizeof(buf), "%s:%s", fund_level_name(l), fund_geo_code(g, l, i));
	return buf;
}

static long find_code(enum fund_level l, const char *code)
{
	size_t i;
	for (i = 0; i < fund_geo_count(g, l); i++)
		if (!strcmp(fund_geo_code(g, l, i), code))
			return (long)i;
	return -1;
}

int main(void)
{
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	unsigned how;
	long occ, tm, dep;
	const uint32_t *m;
	size_t n, k;
	int64_t pop200 = 0;

	CHECK(fund_geo_load(&g, "data", &err) == 0);
	CHECK(fund_geo_count(g, FUND_LEVEL_COMMUNE) == 34969);
	CHECK(fund_geo_count(g, FUND_LEVEL_EPCI) == 1255);
	CHECK(fund_geo_count(g, FUND_LEVEL_DEPARTEMENT) == 109);
	CHECK(fund_geo_count(g, FUND_LEVEL_REGION) == 26);  /* 18 régions and the COM */

	/* Occitanie: 4,446 communes, 6,124,653 inhabitants, 56.1 % in
	 * communes of 200 to 10,000 */
	occ = find_code(FUND_LEVEL_REGION, "76");
	CHECK(occ >= 0);
	CHECK(fund_geo_population(g, FUND_LEVEL_REGION, (size_t)occ) == 6124653);
	fund_geo_members(g, FUND_LEVEL_REGION, (size_t)occ, &m, &n);
	CHECK(n == 4446);
	for (k = 0; k < n; k++) {
		int64_t p = fund_geo_population(g, FUND_LEVEL_COMMUNE, m[k]);
		if (p >= 200 && p <= 10000)
			pop200 += p;
	}
	CHECK(pop200 * 1000 / 6124653 == 561);
	/* the two métropoles hold 22.3 % */
	tm = find_code(FUND_LEVEL_EPCI, "243100518");
	CHECK((fund_geo_population(g, FUND_LEVEL_EPCI, (size_t)tm) +
	       fund_geo_population(g, FUND_LEVEL_EPCI, (size_t)find_code(FUND_LEVEL_EPCI, "243400017"))) * 1000 / 6124653 == 222);
	CHECK(fund_geo_parent(g, FUND_LEVEL_EPCI, (size_t)tm, FUND_LEVEL_DEPARTEMENT) ==
	      find_code(FUND_LEVEL_DEPARTEMENT, "31"));
	dep = find_code(FUND_LEVEL_DEPARTEMENT, "31");
	CHECK(fund_geo_parent(g, FUND_LEVEL_DEPARTEMENT, (size_t)dep, FUND_LEVEL_REGION) == occ);
	CHECK(fund_geo_parent(g, FUND_LEVEL_COMMUNE, (size_t)find_code(FUND_LEVEL_COMMUNE, "31555"),
			      FUND_LEVEL_REGION) == occ);
	CHECK(fund_geo_parent(g, FUND_LEVEL_REGION, (size_t)occ, FUND_LEVEL_COMMUNE) == -1);
	/* populations missing and zero */
	CHECK(fund_geo_population(g, FUND_LEVEL_COMMUNE, (size_t)find_code(FUND_LEVEL_COMMUNE, "98901")) == -1);
	CHECK(fund_geo_population(g, FUND_LEVEL_COMMUNE, (size_t)find_code(FUND_LEVEL_COMMUNE, "55039")) == 0);

	/* codes */
	CHECK_STR(look("31555", FUND_LEVEL_AUTO, &how), "commune:31555");
	CHECK(how == 0);
	CHECK_STR(look("1001", FUND_LEVEL_AUTO, &how), "commune:01001");
	CHECK(how == FUND_CODE_LOST_ZERO);
	CHECK_STR(look("75101", FUND_LEVEL_AUTO, &how), "commune:75056");
	CHECK(how == FUND_CODE_ARRONDISSEMENT);
	CHECK_STR(look("13201", FUND_LEVEL_AUTO, NULL), "commune:13055");
	CHECK_STR(look("01025", FUND_LEVEL_AUTO, NULL), "commune:01025");  /* kept its code */
	CHECK_STR(look("2a004", FUND_LEVEL_AUTO, &how), "commune:2A004");
	CHECK(how == FUND_CODE_CASE);
	CHECK_STR(look("21310458100011", FUND_LEVEL_AUTO, &how), "commune:31458");  /* Roques' SIRET */
	CHECK(how == (FUND_CODE_SIRET | FUND_CODE_SIREN));
	CHECK_STR(look("213104581", FUND_LEVEL_AUTO, NULL), "commune:31458");
	CHECK_STR(look("212000046", FUND_LEVEL_AUTO, NULL), "commune:2A004");      /* Ajaccio */
	CHECK_STR(look("243100518", FUND_LEVEL_AUTO, NULL), "epci:243100518");
	CHECK_STR(look("24310051800016", FUND_LEVEL_AUTO, &how), "epci:243100518");
	CHECK(how == FUND_CODE_SIRET);
	CHECK_STR(look("243 100 518 000 16", FUND_LEVEL_AUTO, NULL), "epci:243100518");
	CHECK_STR(look("21860194600000.0", FUND_LEVEL_AUTO, NULL), "commune:86194");
	CHECK_STR(look("31", FUND_LEVEL_AUTO, NULL), "departement:31");
	CHECK_STR(look("9", FUND_LEVEL_AUTO, &how), "departement:09");
	CHECK(how == FUND_CODE_LOST_ZERO);
	CHECK_STR(look("2B", FUND_LEVEL_AUTO, NULL), "departement:2B");
	CHECK_STR(look("971", FUND_LEVEL_AUTO, NULL), "departement:971");
	CHECK_STR(look("76", FUND_LEVEL_AUTO, NULL), "departement:76");
	CHECK_STR(look("76", FUND_LEVEL_REGION, NULL), "region:76");
	CHECK_STR(look(" 31555 ", FUND_LEVEL_AUTO, NULL), "commune:31555");
	CHECK_STR(look("", FUND_LEVEL_AUTO, NULL), "BLANK");
	CHECK_STR(look("   ", FUND_LEVEL_AUTO, NULL), "BLANK");
	CHECK_STR(look("99999", FUND_LEVEL_AUTO, NULL), "NONE");
	CHECK_STR(look("Toulouse", FUND_LEVEL_AUTO, NULL), "NONE");
	CHECK_STR(look("123456789", FUND_LEVEL_AUTO, NULL), "NONE");
	CHECK_STR(look("00", FUND_LEVEL_AUTO, NULL), "NONE");

	/* zonings: levels after the administrative ones, read when asked */
	CHECK(fund_geo_level(g, "rural") == -1 && fund_geo_nlevels(g) == FUND_NLEVELS);
	CHECK(fund_geo_population_year(g) == 2023);
	CHECK(fund_geo_load_zonings(g, &err) == 0 && fund_geo_load_zonings(g, &err) == 0);
	{
		int rural = fund_geo_level(g, "rural"), massif = fund_geo_level(g, "massif");
		int dens = fund_geo_level(g, "densite");
		long c = find_code(FUND_LEVEL_COMMUNE, "48095"), z;      /* Mende */
		const int *ys;
		CHECK(fund_geo_level(g, "departement") == FUND_LEVEL_DEPARTEMENT);
		CHECK(fund_geo_level(g, "canton") == -1);
		CHECK(rural >= FUND_NLEVELS && massif > rural);
		CHECK_STR(fund_geo_level_name(g, rural), "rural");
		CHECK(fund_geo_nlevels(g) == FUND_NLEVELS + 14);
		z = fund_geo_parent(g, FUND_LEVEL_COMMUNE, (size_t)c, (enum fund_level)massif);
		CHECK_STR(fund_geo_code(g, (enum fund_level)massif, (size_t)z), "06");
		CHECK_STR(fund_geo_name(g, (enum fund_level)massif, (size_t)z), "Massif Central");
		/* Lozère: several density levels, one massif */
		dep = find_code(FUND_LEVEL_DEPARTEMENT, "48");
		CHECK(fund_geo_parent(g, FUND_LEVEL_DEPARTEMENT, (size_t)dep, (enum fund_level)dens) == -1);
		CHECK(fund_geo_parent(g, FUND_LEVEL_DEPARTEMENT, (size_t)dep, (enum fund_level)massif) == z);
		/* the Massif central crosses régions; its population is its communes' */
		CHECK(fund_geo_parent(g, (enum fund_level)massif, (size_t)z, FUND_LEVEL_REGION) == -1);
		fund_geo_members(g, (enum fund_level)massif, (size_t)z, &m, &n);
		for (k = 0, pop200 = 0; k < n; k++)
			pop200 += fund_geo_population(g, FUND_LEVEL_COMMUNE, m[k]) > 0 ? fund_geo_population(g, FUND_LEVEL_COMMUNE, m[k]) : 0;
		CHECK(fund_geo_population(g, (enum fund_level)massif, (size_t)z) == pop200);
		/* vintages */
		CHECK(fund_geo_population_years(g, &ys) == 4 && ys[0] == 2019 && ys[3] == 2023);
		CHECK(fund_geo_population_year(g) == 2023);
		CHECK(fund_geo_population_of(g, 2019, FUND_LEVEL_REGION, (size_t)occ) == 5933185);
		CHECK(fund_geo_population_of(g, 2021, FUND_LEVEL_REGION, (size_t)occ) == 6022176);
		CHECK(fund_geo_population_of(g, 2020, FUND_LEVEL_REGION, (size_t)occ) == -1);
		CHECK(fund_geo_use_population(g, 2020, &err) == FUND_EUSAGE);
		CHECK(fund_geo_use_population(g, 2021, &err) == 0);
		CHECK(fund_geo_population(g, FUND_LEVEL_REGION, (size_t)occ) == 6022176);
		CHECK(fund_geo_population_year(g) == 2021);
		CHECK(fund_geo_use_population(g, 2023, &err) == 0);
		CHECK(fund_geo_population(g, FUND_LEVEL_REGION, (size_t)occ) == 6124653);
	}
	/* a user's list of communes: members and the others */
	{
		struct fund_zoning_report zr;
		int l;
		CHECK(fund_geo_add_members(g, "pvd", "tests/data/real/anct_programmes/anct_petites_villes_de_demain_communes_2021-01.csv",
					   "insee_com", "PVD", &zr, &err) == 0);
		l = fund_geo_level(g, "pvd");
		CHECK(l == (int)fund_geo_nlevels(g) - 1 && zr.zones == 2 && zr.matched == 1606 && zr.unknown == 0);
		CHECK(zr.communes == 34969);
		CHECK_STR(fund_geo_name(g, (enum fund_level)l, 1), "hors PVD");
		CHECK(fund_geo_add_members(g, "pvd", "tests/data/crafted/zoning-few.csv", "code", "x", &zr, &err) == FUND_EUSAGE);
		CHECK(fund_geo_add_zoning(g, "twice", "tests/data/crafted/zoning-twice.csv", "code", "zone", NULL, &zr, &err) ==
		      FUND_EDATA);
		CHECK(err.line == 4);
	}
	/* codes of 2017: Pont-Farcy changed département and merged on one day */
	{
		const uint32_t *parts;
		uint32_t one;
		enum fund_level l;
		CHECK_STR(look("14513", FUND_LEVEL_AUTO, NULL), "NONE");
		CHECK(fund_geo_codes_year(g, 2017, &err) == 0);
		CHECK(fund_geo_codes_year_of(g) == 2017);
		CHECK_STR(look("14513", FUND_LEVEL_AUTO, &how), "commune:50592");
		CHECK(how == FUND_CODE_MERGED);
		CHECK_STR(look("31555", FUND_LEVEL_AUTO, &how), "commune:31555");
		CHECK(how == 0);
		/* Neussargues en Pinatelle (2017), divided in 2025 into five */
		CHECK(fund_geo_lookup_all(g, "15141", 5, FUND_LEVEL_AUTO, &l, &parts, &n, &one, &how) == 0);
		CHECK(n == 5 && how == FUND_CODE_DIVIDED);
		CHECK(fund_geo_codes_year(g, 2018, &err) == FUND_EUSAGE);
	}
	/* a population table replaces the shipped one */
	{
		size_t ok, ko;
		CHECK(fund_geo_set_population(g, "tests/data/real/insee_population/insee_populations_reference_2025_rp2022_communes_raw.csv",
					      "Code d\xc3\xa9partement+Code commune", "Population municipale", &ok, &ko, &err) == 0);
		CHECK(ok == 34956 && ko == 8);  /* 8 absorbed without a delegated commune */
		CHECK(fund_geo_population(g, FUND_LEVEL_COMMUNE, (size_t)find_code(FUND_LEVEL_COMMUNE, "97105")) > 0);
		CHECK(fund_geo_population(g, FUND_LEVEL_REGION, (size_t)occ) == 6080731);
	}
	fund_geo_free(&g);
	CHECK(g == NULL);
	UNIT_END("geo");
}
