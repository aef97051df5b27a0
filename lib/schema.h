/* Internal to libfund: a Table Schema as lib/schema.c reads it and
 * lib/check.c checks against it. */
#ifndef FUND_SCHEMA_H
#define FUND_SCHEMA_H

#include <regex.h>
#include "internal.h"

#pragma GCC visibility push(hidden)

enum ftype { T_STRING, T_NUMBER, T_INTEGER, T_BOOLEAN, T_DATE, T_DATETIME, T_YEAR, T_ANY };

struct strlist {
	char **v;
	size_t *len;                /* strlen(v[i]) */
	size_t n;
};

struct field {
	char *name;
	enum ftype type;
	char *format;               /* date: NULL/default (ISO), "any", or "%d/%m/%Y" */
	int required;
	int has_re;
	regex_t re;
	struct fund_sre *sre;       /* the pattern matched without regexec (lib/pattern.c), or NULL */
	char *pattern;
	struct strlist enums, truev, falsev;
	int has_min, has_max;
	double min, max;
	long minlen, maxlen;        /* -1: none */
	char decimal, group;
	int bare;
	int siret;                  /* custom check french-siret-value */
};

struct fund_schema {
	char *title;
	struct field *f;
	size_t n;
	struct strlist missing;
	struct strlist pkey;
	char **oneof;               /* pairs */
	size_t noneof;
};

/* A POSIX extended expression compiled for fund_sre_match when it is
 * simple enough to be matched as regexec matches it in the C locale (see
 * lib/pattern.c): 1 and *out set, 0 when it is not (*out NULL: keep
 * regexec), or FUND_ENOMEM. */
struct fund_sre;
int fund_sre_compile(const char *ere, struct fund_sre **out);
/* 1 when s[0..len) matches, as regexec with REG_STARTEND would say */
int fund_sre_match(const struct fund_sre *re, const char *s, size_t len);
void fund_sre_free(struct fund_sre *re);

/* 1 when s[0..len) is one of l's strings: the lengths first (a cell
 * against the missing values [""] is one comparison); inline, as every
 * cell of every row is looked up */
static inline int fund_strlist_has(const struct strlist *l, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (l->len[i] == len && !memcmp(l->v[i], s, len))
			return 1;
	return 0;
}
/* 1 when s[0..len) is all ASCII digits (lib/siret.c) */
int fund_all_digits(const char *s, size_t len);
/* 1 when the 13 digits at s13, with a 0 in front, make a valid SIRET
 * (a SIRET that lost its leading zero; lib/siret.c) */
int fund_padded_siret(const char *s13);

#pragma GCC visibility pop

#endif
