/* fund-percapita: amounts per territory and per inhabitant. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "common.h"
#include "../lib/banned.h"

const char *const cmd_name = "fund-percapita";

enum {
	OPT_KEY_LEVEL = OPT_FIRST_TOOL,
	OPT_SPLIT,
	OPT_ALL,
	OPT_IN_REGION,
	OPT_POPULATION,
	OPT_REF_DIR,
	OPT_UNMATCHED,
	OPT_PRECISION,
	OPT_DECIMALS,
	OPT_SORT,
	OPT_ZONING,
	OPT_MEMBER,
	OPT_POPULATION_YEAR,
	OPT_CODES_YEAR
};

static void help(void)
{
	printf(
"Usage: fund-percapita -k CODECOL [OPTION]... [FILE]...\n"
"Total amounts per territory, exactly, and per inhabitant, over the official\n"
"French geography (communes, EPCI, départements, régions), INSEE's zonings\n"
"and populations.\n"
"\n"
"  -k, --key COL          the column of territory codes (commune INSEE code,\n"
"                         EPCI SIREN, SIRET, département or région code)\n"
"  -s, --sum COL          the amount column (default: 'montant')\n"
"  -l, --level L          commune, epci, departement, region, or a zoning:\n"
"                         bassin_vie, zone_emploi, unite_urbaine,\n"
"                         unite_urbaine_taille, aav, aav_taille,\n"
"                         aav_categorie, densite, densite3, rural, massif,\n"
"                         frr, zrr, qpv (default: the level of the codes)\n"
"      --zoning FILE:CODECOL:ZONECOL[:NAMECOL]\n"
"                         a level of one's own: the zone of each commune\n"
"      --member FILE:CODECOL[:NAME]\n"
"                         the communes listed against the others\n"
"      --key-level L      what 1-3 character codes are: departement (default)\n"
"                         or region\n"
"      --split            divide amounts of larger territories (or lists of\n"
"                         communes \"31555;31069\") among their communes by\n"
"                         population, in exact cents\n"
"      --all              also the territories of the scope that got nothing\n"
"      --in-region CODE   only the territories of this région (76: Occitanie)\n"
"      --codes-year Y     commune codes of 1 January Y (1943 on): followed to\n"
"                         today's through INSEE's history (merged, renumbered,\n"
"                         divided by population)\n"
"      --population-year Y\n"
"                         INSEE populations of 1 January Y: 2019, 2021,\n"
"                         2022 or 2023 (default: the newest)\n"
"      --population FILE:CODECOL:POPCOL\n"
"                         commune populations from another table (CODECOL may\n"
"                         be DEPCOL+COMCOL, INSEE's split code)\n"
"      --ref-dir DIR      the reference geography (default: FUNDKIT_DATA, or\n"
"                         the data installed with fundkit)\n"
"      --unmatched FILE   write the rows that could not be placed, as TSV\n"
"      --precision N      decimals of per-capita amounts (default 2)\n"
"      --decimals N       round totals to N decimals for display (default:\n"
"                         exact); shares and per-capita use exact totals\n"
"      --sort S           code (default), name, total or percapita\n"
"  -r, --reverse          reverse the sort\n"
"%s"
"\n"
"Output: code, name, count, the total, population, per_capita, share_amount,\n"
"share_population, ratio (1 = funded exactly in proportion to population),\n"
"population_year.\n"
"\n"
"Exit status: 0 ok, 1 bad data, 2 usage, 3 input/output error or out of\n"
"memory.\n"
"\n"
"Examples:\n"
"  fund-percapita -k id_dep -s montant_sub --in-region 76 anct-2019.csv\n"
"  fund-percapita -k codeCommune -l departement --split subventions.csv\n"
"  fund-percapita -k id_com -s montant_sub -l rural --in-region 76 anct-2019.csv\n"
"  fund-percapita -k code_insee -s population -l epci --in-region 76 --sort total data/communes.csv\n",
	common_help);
}

/* The level names, for a usage error. */
static char *level_list(const struct fund_geo *g)
{
	char *s = NULL;
	size_t i;
	for (i = 0; i < fund_geo_nlevels(g); i++)
		if (fund_str_append(&s, "%s%s", i ? ", " : "", fund_geo_level_name(g, (int)i)) < 0)
			out_of_memory();
	return s;
}

/* the level called name, or -1 having said why (err when it is the
 * zonings' reading that failed) */
static int level_named(struct fund_geo *g, const char *name, struct fund_error *err)
{
	int v;
	/* the zonings are read when one is asked for (or to list them) */
	if (fund_geo_level(g, name) < 0 && fund_geo_load_zonings(g, err) < 0)
		return -1;
	v = fund_geo_level(g, name);
	if (v < 0) {
		char *l = level_list(g);
		usage_said("unknown level '%s' (%s)", name, l);
		free(l);
	}
	return v;
}

/* A user's zoning: said how many of its codes named a commune. */
static int zoning_loaded(int rc, const char *file, const struct fund_zoning_report *z, struct fund_error *err)
{
	if (rc < 0)
		return report(err);
	if (z->matched == 0) {
		msg("%s: none of its %zu codes names a commune", file, z->rows);
		return EXIT_DATA;
	}
	if (z->unknown)
		msg("%s: %zu of %zu codes name a commune; %zu name none and are left out%s", file, z->matched, z->rows,
		    z->unknown, z->matched < z->unknown ? " (are they commune codes?)" : "");
	return 0;
}

int cmd_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "sum", required_argument, NULL, 's' },
		{ "level", required_argument, NULL, 'l' },
		{ "key-level", required_argument, NULL, OPT_KEY_LEVEL },
		{ "split", no_argument, NULL, OPT_SPLIT },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "in-region", required_argument, NULL, OPT_IN_REGION },
		{ "population", required_argument, NULL, OPT_POPULATION },
		{ "ref-dir", required_argument, NULL, OPT_REF_DIR },
		{ "unmatched", required_argument, NULL, OPT_UNMATCHED },
		{ "precision", required_argument, NULL, OPT_PRECISION },
		{ "decimals", required_argument, NULL, OPT_DECIMALS },
		{ "sort", required_argument, NULL, OPT_SORT },
		{ "zoning", required_argument, NULL, OPT_ZONING },
		{ "member", required_argument, NULL, OPT_MEMBER },
		{ "population-year", required_argument, NULL, OPT_POPULATION_YEAR },
		{ "codes-year", required_argument, NULL, OPT_CODES_YEAR },
		{ "reverse", no_argument, NULL, 'r' },
		COMMON_LONG,
		{ NULL, 0, NULL, 0 }
	};
	struct common c = { 0 };
	struct fund_percapita_opts po;
	struct fund_percapita_out oo;
	struct fund_summary s;
	struct fund_error err FUND_ERROR_SCOPED = FUND_ERROR_INIT;
	struct fund_geo *geo = NULL;
	const char *ref = NULL, *region = NULL, *unmatched = NULL, *level = NULL, *key_level = NULL;
	char *population = NULL, *zoning = NULL, *member = NULL;
	FILE *uf = NULL;
	unsigned shown = 0;
	int opt, rc, year = 0, codes_year = 0;

	memset(&po, 0, sizeof(po));
	memset(&oo, 0, sizeof(oo));
	po.level = FUND_LEVEL_AUTO;
	po.key_level = FUND_LEVEL_AUTO;
	po.in_region = -1;
	oo.precision = 2;
	oo.decimals = -1;
	while ((opt = getopt_long(argc, argv, "k:s:l:r" COMMON_SHORT, longopts, NULL)) != -1) {
		if (common_option(&c, opt, optarg, help))
			continue;
		switch (opt) {
		case 'k': po.key_col = optarg; break;
		case 's':
			if (strchr(optarg, ','))
				usage_error("-s takes one amount column (run once per column)");
			po.sum_col = optarg;
			break;
		case 'l': level = optarg; break;
		case OPT_KEY_LEVEL:
			if (fund_level_from_name(optarg) != FUND_LEVEL_DEPARTEMENT &&
			    fund_level_from_name(optarg) != FUND_LEVEL_REGION)
				usage_error("--key-level takes departement or region, not '%s'", optarg);
			key_level = optarg;
			break;
		case OPT_ZONING: zoning = optarg; break;
		case OPT_MEMBER: member = optarg; break;
		case OPT_POPULATION_YEAR: year = parse_count("--population-year", optarg, 9999); break;
		case OPT_CODES_YEAR:
			codes_year = parse_count("--codes-year", optarg, 9999);
			if (codes_year < 1943)
				usage_error("--codes-year: INSEE's history of communes starts in 1943");
			break;
		case OPT_SPLIT: po.split = 1; break;
		case OPT_ALL: oo.all = 1; break;
		case OPT_IN_REGION: region = optarg; break;
		case OPT_POPULATION: population = optarg; break;
		case OPT_REF_DIR: ref = optarg; break;
		case OPT_UNMATCHED: unmatched = optarg; break;
		case OPT_PRECISION: oo.precision = parse_count("--precision", optarg, 12); break;
		case OPT_DECIMALS: oo.decimals = parse_count("--decimals", optarg, FUND_AMOUNT_MAX_SCALE); break;
		case OPT_SORT:
			if (!strcmp(optarg, "code")) oo.sort = FUND_PC_SORT_CODE;
			else if (!strcmp(optarg, "name")) oo.sort = FUND_PC_SORT_NAME;
			else if (!strcmp(optarg, "total")) oo.sort = FUND_PC_SORT_TOTAL;
			else if (!strcmp(optarg, "percapita") || !strcmp(optarg, "per_capita")) oo.sort = FUND_PC_SORT_PERCAPITA;
			else usage_error("--sort takes code, name, total or percapita, not '%s'", optarg);
			break;
		case 'r': oo.reverse = 1; break;
		default: usage_error("unexpected option");
		}
	}
	if (!po.key_col)
		usage_error("name the column of territory codes with -k");
	if (year && population)
		usage_error("--population-year and --population both give populations: choose one");
	if (zoning && member)
		usage_error("--zoning and --member both make the level: choose one");
	if ((zoning || member) && level && strcmp(level, zoning ? "zoning" : "member"))
		usage_error("%s makes the level '%s': -l %s is another", zoning ? "--zoning" : "--member",
			    zoning ? "zoning" : "member", level);
	if (key_level)
		po.key_level = (enum fund_level)fund_level_from_name(key_level);
	if (fund_geo_open(&geo, ref, &err) < 0) {
		msg("%s (see --ref-dir)", fund_error_msg(&err));
		return report_status(&err);
	}
	if (codes_year && fund_geo_codes_year(geo, codes_year, &err) < 0) {
		rc = report(&err);
		fund_geo_free(&geo);
		return rc;
	}
	if (year) {
		const int *ys;
		size_t n = fund_geo_population_years(geo, &ys), i;
		char *l = NULL;
		for (i = 0; i < n && ys[i] != year; i++)
			;
		if (i == n) {
			for (i = 0; i < n; i++)
				if (fund_str_append(&l, "%s%d", i ? ", " : "", ys[i]) < 0)
					out_of_memory();
			fund_geo_free(&geo);
			usage_error("--population-year: no populations of %d in the reference (%s)", year,
				    l ? l : "it holds no vintages");
		}
		if (fund_geo_use_population(geo, year, &err) < 0) {
			rc = report(&err);
			fund_geo_free(&geo);
			return rc;
		}
	}
	if (zoning || member) {
		char *file, *part[3];
		struct fund_zoning_report z;
		if (zoning) {
			split_file_spec("--zoning", "FILE:CODECOL:ZONECOL[:NAMECOL]", zoning, 2, 3, &file, part);
			rc = fund_geo_add_zoning(geo, "zoning", file, part[0], part[1], part[2], &z, &err);
		} else {
			const char *base;
			split_file_spec("--member", "FILE:CODECOL[:NAME]", member, 1, 2, &file, part);
			base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
			rc = fund_geo_add_members(geo, "member", file, part[0], part[1] ? part[1] : base, &z, &err);
		}
		if ((rc = zoning_loaded(rc, file, &z, &err))) {
			fund_geo_free(&geo);
			return rc;
		}
		if (!level)
			level = zoning ? "zoning" : "member";
	}
	if (level) {
		/* the geography freed before the usage error's exit */
		int v = level_named(geo, level, &err);
		if (v < 0) {
			rc = err.code ? report(&err) : EXIT_USAGE;
			fund_geo_free(&geo);
			return rc;
		}
		po.level = (enum fund_level)v;
	}
	if (population) {
		char *file, *part[2];
		size_t ok, ko;
		split_file_spec("--population", "FILE:CODECOL:POPCOL", population, 2, 2, &file, part);
		if (fund_geo_set_population(geo, file, part[0], part[1], &ok, &ko, &err) < 0) {
			rc = report(&err);
			fund_geo_free(&geo);
			return rc;
		}
		if (ko)
			msg("%s: %zu rows give a population, %zu name no current commune and are left out", file, ok, ko);
	}
	if (region) {
		enum fund_level l;
		size_t ix;
		unsigned how;
		if (fund_geo_lookup(geo, region, strlen(region), FUND_LEVEL_REGION, &l, &ix, &how) != 0 ||
		    l != FUND_LEVEL_REGION) {
			fund_geo_free(&geo);
			usage_error("--in-region: no région '%s'", region);
		}
		po.in_region = (long)ix;
	}
	if (unmatched) {
		uf = fopen(unmatched, "w");
		if (!uf) {
			msg("%s: cannot open: %s", unmatched, strerror(errno));
			fund_geo_free(&geo);
			return EXIT_IO;
		}
		fputs("file\tline\tcode\tamount\treason\n", uf);
	}
	po.geo = geo;
	po.decimal = c.decimal;
	po.strict = c.strict;
	po.diag = diag_print;
	po.diag_ctx = &shown;
	po.unplaced = uf;
	oo.format = c.out;
	oo.amount_flags = c.french ? FUND_FMT_FRENCH : 0;
	rc = fund_percapita_files(&po, &oo, (const char *const *)argv + optind, (size_t)(argc - optind),
				  run_opts(&c, &shown, 0), stdout, &s, &err);
	rc = files_done(rc, &err, &s);
	if (uf && (fclose(uf) != 0) && rc == 0) {
		msg("%s: write error: %s", unmatched, strerror(errno));
		rc = EXIT_IO;
	}
	fund_geo_free(&geo);
	return rc;
}
