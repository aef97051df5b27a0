/* fund/date.h - calendar dates as found in funding files. */
#ifndef FUND_DATE_H
#define FUND_DATE_H

#include <stddef.h>

struct fund_date {
	int year, month, day;
};

/* Parse ISO "2017-06-27" (a time after it, "T..." or " ...", is ignored),
 * French "27/06/2017" and "2017/06/27".  The date must exist.  Returns 0,
 * 1 when s is blank (missing), or FUND_EDATA. */
int fund_date_parse(const char *s, size_t len, struct fund_date *out);

/* Parse a period: a day, a month ("2017-03", "2017/03", "03/2017") or a
 * year ("2017"), or two of them separated by "/", "_" or "-" (blanks
 * around it allowed): "2015-2020", "2015 - 2020", "2017-01-01/2017-12-31"
 * (SCDL's datesPeriodeVersement), "2017/09/08_2021/09/07",
 * "2015-02/2016-02".  *from is the first day, *to the last (which may
 * come before *from: the caller says so).  0, 1 when blank, or
 * FUND_EDATA. */
int fund_period_parse(const char *s, size_t len, struct fund_date *from, struct fund_date *to);

/* A valid date as a number of days (differences are days apart). */
long fund_date_days(const struct fund_date *d);

#endif
