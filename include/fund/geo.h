/* fund/geo.h - the official French geography: communes, EPCI,
 * départements, régions, with population, and the normalisation of the
 * codes found in funding files.
 *
 * Territories are numbered per level (0 .. fund_geo_count - 1).  The
 * population of an EPCI, a département or a région is the sum of its
 * communes' (so that splits and shares add up, and a replaced commune
 * population carries through); it is missing (-1) when none of its
 * communes has one.
 */
#ifndef FUND_GEO_H
#define FUND_GEO_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

enum fund_level {
	FUND_LEVEL_COMMUNE = 0,
	FUND_LEVEL_EPCI,
	FUND_LEVEL_DEPARTEMENT,
	FUND_LEVEL_REGION,
	FUND_NLEVELS,
	FUND_LEVEL_AUTO = -1
};

/* "commune", "epci", "departement" (or "département", "dep"), "region"
 * (or "région", "reg"): the level, or -1. */
int fund_level_from_name(const char *name);
const char *fund_level_name(enum fund_level l);

/* How a code was read, as bits: each is counted in summaries. */
enum fund_code_how {
	FUND_CODE_LOST_ZERO = 1,       /* "1001" -> 01001, "1" -> 01 */
	FUND_CODE_ARRONDISSEMENT = 2,  /* 75101 -> 75056 */
	FUND_CODE_FORMER = 4,          /* a former commune -> today's */
	FUND_CODE_SIRET = 8,           /* 14 digits -> SIREN */
	FUND_CODE_SIREN = 16,          /* a commune's SIREN -> its INSEE code */
	FUND_CODE_CASE = 32,           /* "2a" -> 2A */
	/* with codes of another year (fund_geo_codes_year): */
	FUND_CODE_MERGED = 64,         /* a commune since merged -> its commune nouvelle */
	FUND_CODE_RENUMBERED = 128,    /* a change of code or of département since */
	FUND_CODE_DIVIDED = 256        /* a commune since divided -> all its parts */
};
#define FUND_CODE_NHOW 9

struct fund_geo;

/* Load communes.csv, epci.csv, departements.csv, regions.csv,
 * communes-deleguees.csv and arrondissements-municipaux.csv from dir. */
int fund_geo_load(struct fund_geo **out, const char *dir, struct fund_error *err);
void fund_geo_free(struct fund_geo **g);
/* fund_geo_load from the data directory (fund_data_dir(ref_dir)); an
 * error says which directory it was. */
int fund_geo_open(struct fund_geo **out, const char *ref_dir, struct fund_error *err);

/* Replace commune populations with those of a table: file, the column of
 * commune codes (or "DEPCOL+COMCOL", INSEE's split code), the column of
 * populations ("15 554" with any blank as thousands separator).  Codes are
 * normalised as by fund_geo_lookup; communes the table does not name lose
 * their population (missing).  *matched and *unmatched count its rows. */
int fund_geo_set_population(struct fund_geo *g, const char *file, const char *codecol,
			    const char *popcol, size_t *matched, size_t *unmatched,
			    struct fund_error *err);

/* Territories of level l (any level, zonings included). */
size_t fund_geo_count(const struct fund_geo *g, enum fund_level l);
const char *fund_geo_code(const struct fund_geo *g, enum fund_level l, size_t i);
const char *fund_geo_name(const struct fund_geo *g, enum fund_level l, size_t i);
int64_t fund_geo_population(const struct fund_geo *g, enum fund_level l, size_t i);

/* The territory of level to that contains territory i of level from (to
 * at least as coarse as from), or -1 when there is none or several (an
 * EPCI over two départements; a commune outside any EPCI). */
long fund_geo_parent(const struct fund_geo *g, enum fund_level from, size_t i,
		     enum fund_level to);

/* The communes of territory i of level l (their indexes). */
void fund_geo_members(const struct fund_geo *g, enum fund_level l, size_t i,
		      const uint32_t **communes, size_t *n);

/* ---- zonings ----
 *
 * Levels from FUND_NLEVELS on are zonings: partitions of the communes
 * beyond the administrative map (bassin_vie, densite, massif...: the
 * columns of the reference's communes-zonages.csv, the zones named by
 * zonages-libelles.csv), and those a user adds.  A commune is in at most
 * one zone of a zoning; a zone's population is its communes'.  Parents
 * across: an EPCI, a département or a région is in a zone when all its
 * communes are; a zone is in a département or région when all of its
 * communes are (fund_geo_parent). */
/* fund_geo_load reads only which vintages the table holds: the zonings
 * (and the other vintages' populations) are there after this; again is
 * a no-op.  A reference without the table has none. */
int fund_geo_load_zonings(struct fund_geo *g, struct fund_error *err);
size_t fund_geo_nlevels(const struct fund_geo *g);
/* Any level by name (the administrative ones as fund_level_from_name),
 * or -1. */
int fund_geo_level(const struct fund_geo *g, const char *name);
const char *fund_geo_level_name(const struct fund_geo *g, int l);

struct fund_zoning_report {
	size_t rows;       /* rows read */
	size_t matched;    /* whose code named a commune */
	size_t unknown;    /* whose code named none (or not a commune) */
	size_t blank;      /* without a code, or without a zone */
	size_t communes;   /* communes in a zone */
	size_t zones;
};
/* A zoning of a user's table as level 'level': the commune codes of
 * codecol (normalised as by fund_geo_lookup) are in the zone of zonecol,
 * named by namecol (NULL: the zone code).  A commune in two zones is
 * FUND_EDATA, naming it and the line. */
int fund_geo_add_zoning(struct fund_geo *g, const char *level, const char *file, const char *codecol,
			const char *zonecol, const char *namecol, struct fund_zoning_report *rep,
			struct fund_error *err);
/* A list of communes as a level of two zones: "member" (named label)
 * and "other" ("hors " label), every other commune. */
int fund_geo_add_members(struct fund_geo *g, const char *level, const char *file, const char *codecol,
			 const char *label, struct fund_zoning_report *rep, struct fund_error *err);

/* ---- vintages of populations ----
 *
 * The years (INSEE's reference date, 1 January) whose populations the
 * reference holds, carried to its geography; the newest is the one of
 * communes.csv, in use after fund_geo_load. */
size_t fund_geo_population_years(const struct fund_geo *g, const int **years);
/* Use the populations of year (FUND_EUSAGE when there are none). */
int fund_geo_use_population(struct fund_geo *g, int year, struct fund_error *err);
/* The population of territory i of level l in year's vintage (0: the
 * populations in use); -1 when unknown. */
int64_t fund_geo_population_of(const struct fund_geo *g, int year, enum fund_level l, size_t i);
/* The year of the populations in use; 0 after fund_geo_set_population,
 * or with a reference that does not say. */
int fund_geo_population_year(const struct fund_geo *g);

/* ---- codes of another year ----
 *
 * Read the reference's mouvements-communes.csv (INSEE's mouvements des
 * communes since 1943) so that commune codes are those of 1 January of
 * year: each is followed through the fusions, communes nouvelles,
 * changes of code or département, creations and rétablissements since,
 * to the communes of today that hold its land (FUND_CODE_MERGED,
 * _RENUMBERED, _DIVIDED); a code the history does not touch is read as
 * today's.  FUND_EUSAGE when the reference has no history. */
int fund_geo_codes_year(struct fund_geo *g, int year, struct fund_error *err);
/* The year set, or 0 (today's codes). */
int fund_geo_codes_year_of(const struct fund_geo *g);

/* Find the territory a code names.  hint: the level expected, or
 * FUND_LEVEL_AUTO: 14 digits are a SIRET and 9 a SIREN (an EPCI's, or a
 * commune's "21..."), 4 or 5 characters a commune, 1 to 3 a département
 * (a région only with hint FUND_LEVEL_REGION).  Returns 0 and sets *level,
 * *index and *how (enum fund_code_how bits), 1 when the code is blank, or
 * FUND_EDATA when it names nothing. */
int fund_geo_lookup(const struct fund_geo *g, const char *code, size_t len,
		    enum fund_level hint, enum fund_level *level, size_t *index,
		    unsigned *how);
/* The same, for a code that may name several communes (a commune of the
 * codes' year since divided: FUND_CODE_DIVIDED): *n territories in
 * *list, which points into g or to *one. */
int fund_geo_lookup_all(const struct fund_geo *g, const char *code, size_t len,
			enum fund_level hint, enum fund_level *level, const uint32_t **list,
			size_t *n, uint32_t *one, unsigned *how);

#endif
