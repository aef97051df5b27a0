/* Where the shipped data is: the reference geography and the schemas. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "banned.h"

#ifndef FUND_DATADIR
#define FUND_DATADIR "/usr/local/share/fundkit"
#endif

int fund_data_dir(const char *given, char **dir, struct fund_error *err)
{
	static const char *const rel[] = { "/../share/fundkit", "/../data", "/../../data" };
	const char *env = getenv("FUNDKIT_DATA");
	char *exe = NULL, *slash, *try = NULL;
	ssize_t n;
	size_t i, cap = 256;

	*dir = NULL;
	if (!given && env && *env)
		given = env;
	if (given) {
		if (!(*dir = strdup(given)))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		return 0;
	}
	/* beside the program: its path, of any length */
	for (;;) {
		char *b = realloc(exe, cap);
		if (!b) {
			free(exe);
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		}
		exe = b;
		n = readlink("/proc/self/exe", exe, cap);
		if (n < 0 || (size_t)n < cap)
			break;
		cap *= 2;
	}
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')))
			*slash = '\0';
		for (i = 0; i < 3; i++) {
			if (asprintf(&try, "%s%s/communes.csv", exe, rel[i]) < 0) {
				free(exe);
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			}
			if (access(try, R_OK) == 0) {
				try[strlen(try) - strlen("/communes.csv")] = '\0';
				free(exe);
				*dir = try;
				return 0;
			}
			free(try);
		}
	}
	free(exe);
	if (!(*dir = strdup(FUND_DATADIR)))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

int fund_file_spec(char *spec, int min, int max, char **file, char **parts)
{
	int n, k;
	for (n = max; n >= min && n > 0 && n <= 8; n--) {
		char *cut[8], *q = spec + strlen(spec);
		for (k = 0; k < n; k++) {
			while (q > spec && q[-1] != ':')
				q--;
			if (q == spec)
				break;
			cut[k] = --q;
		}
		if (k < n)
			continue;
		*cut[n - 1] = '\0';
		if (n > min && access(spec, F_OK) != 0 && strcmp(spec, "-")) {
			*cut[n - 1] = ':';
			continue;
		}
		for (k = n - 1; k >= 0; k--) {
			*cut[k] = '\0';
			parts[n - 1 - k] = cut[k] + 1;
		}
		for (k = 0; k < n; k++)
			if (!*parts[k])
				return -1;
		for (k = n; k < max; k++)
			parts[k] = NULL;
		*file = spec;
		return *spec ? n : -1;
	}
	return -1;
}

int fund_columns_add(const char ***list, size_t *n, const char *arg)
{
	const char *p = arg;
	size_t n0 = *n;
	for (;;) {
		char *item = malloc(strlen(p) + 1), *o = item;
		const char **l;
		if (!item)
			return FUND_ENOMEM;
		while (*p && *p != ',') {
			if (*p == '\\' && p[1] == ',')
				p++;
			*o++ = *p++;
		}
		*o = '\0';
		if (!*item) {
			free(item);
			while (*n > n0)
				free((void *)(*list)[--*n]);
			return FUND_EUSAGE;
		}
		if (!(l = realloc(*list, (*n + 1) * sizeof(*l)))) {
			free(item);
			return FUND_ENOMEM;
		}
		l[(*n)++] = item;
		*list = l;
		if (!*p)
			return 0;
		p++;
	}
}

void fund_columns_free(const char **list, size_t n)
{
	while (n)
		free((void *)list[--n]);
	free(list);
}
