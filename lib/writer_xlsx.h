/* Internal to libfund: the .xlsx writer behind fund_writer (lib/writer_xlsx.c). */
#ifndef FUND_WRITER_XLSX_H
#define FUND_WRITER_XLSX_H

#include <stdio.h>
#include "fund/writer.h"

#pragma GCC visibility push(hidden)

struct fund_xw;
int fund_xw_open(struct fund_xw **out, const char *const *names, size_t ncols);
int fund_xw_row(struct fund_xw *x, const struct fund_cell *cells);
/* the workbook closed and copied to fp */
int fund_xw_finish(struct fund_xw *x, FILE *fp);
void fund_xw_free(struct fund_xw **x);

#pragma GCC visibility pop

#endif
