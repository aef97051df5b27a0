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

#endif
