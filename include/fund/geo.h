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
	FUND_CODE_CASE = 32            /* "2a" -> 2A */
};
#define FUND_CODE_NHOW 6

struct fund_geo;

/* Load communes.csv, epci.csv, departements.csv, regions.csv,
 * communes-deleguees.csv and arrondissements-municipaux.csv from dir. */
int fund_geo_load(struct fund_geo **out, const char *dir, struct fund_error *err);
void fund_geo_free(struct fund_geo **g);

/* Replace commune populations with those of a table: file, the column of
 * commune codes (or "DEPCOL+COMCOL", INSEE's split code), the column of
 * populations ("15 554" with any blank as thousands separator).  Codes are
 * normalised as by fund_geo_lookup; communes the table does not name lose
 * their population (missing).  *matched and *unmatched count its rows. */
int fund_geo_set_population(struct fund_geo *g, const char *file, const char *codecol,
			    const char *popcol, size_t *matched, size_t *unmatched,
			    struct fund_error *err);

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

/* Find the territory a code names.  hint: the level expected, or
 * FUND_LEVEL_AUTO: 14 digits are a SIRET and 9 a SIREN (an EPCI's, or a
 * commune's "21..."), 4 or 5 characters a commune, 1 to 3 a département
 * (a région only with hint FUND_LEVEL_REGION).  Returns 0 and sets *level,
 * *index and *how (enum fund_code_how bits), 1 when the code is blank, or
 * FUND_EDATA when it names nothing. */
int fund_geo_lookup(const struct fund_geo *g, const char *code, size_t len,
		    enum fund_level hint, enum fund_level *level, size_t *index,
		    unsigned *how);

#endif
