/* fund/fund.h - everything in libfund. */
#ifndef FUND_FUND_H
#define FUND_FUND_H

#define FUND_VERSION "0.1.0"

#include "error.h"
#include "amount.h"
#include "date.h"
#include "reader.h"
#include "writer.h"
#include "group.h"
#include "total.h"
#include "geo.h"
#include "percapita.h"
#include "stats.h"
#include "plot.h"
#include "check.h"
#include "where.h"

/* The library's version string. */
const char *fund_version(void);

#endif
