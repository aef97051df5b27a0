/* fund/fund.h - everything in libfund. */
#ifndef FUND_FUND_H
#define FUND_FUND_H

#define FUND_VERSION "0.1.0"

#include "error.h"
#include "amount.h"
#include "date.h"
#include "reader.h"
#include "summary.h"
#include "run.h"
#include "writer.h"
#include "group.h"
#include "total.h"
#include "geo.h"
#include "percapita.h"
#include "stats.h"
#include "plot.h"
#include "check.h"
#include "where.h"
#include "cat.h"
#include "sheet.h"
#include "diff.h"

/* The library's version string. */
const char *fund_version(void);
/* The versions of the libraries libfund is built with ("libcsv 3.0.3,
 * cJSON 1.7.15, GSL 2.7.1, zlib 1.2.13") into buf: its length, or
 * FUND_ELIMIT when size is too small. */
int fund_versions(char *buf, size_t size);

/* The data directory (reference geography, schemas): given, else
 * $FUNDKIT_DATA, else beside the program (../share/fundkit installed,
 * ../data or ../../data in the source tree, found by communes.csv),
 * else where make install puts it.  *dir is malloc'd.  0 or
 * FUND_ENOMEM. */
int fund_data_dir(const char *given, char **dir, struct fund_error *err);

/* Split spec "FILE:A[:B...]" in place into the file and min to max parts
 * after it, cut at its last colons (a path may hold colons): the most
 * parts whose file exists (or is "-"), else min.  parts[] is NULL past
 * the count.  Returns the count, or -1 when spec has too few parts or
 * one is empty. */
int fund_file_spec(char *spec, int min, int max, char **file, char **parts);

/* The column names of a list "a,b\,c,d" (a backslash before a comma
 * keeps it in the name) appended to *list (*n of them, each malloc'd).
 * 0, FUND_EUSAGE for an empty name (the list is as it was before it),
 * or FUND_ENOMEM.  fund_columns_free frees a list. */
int fund_columns_add(const char ***list, size_t *n, const char *arg);
void fund_columns_free(const char **list, size_t n);

#endif
