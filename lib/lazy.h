/* Internal to libfund: libzip (workbooks read) and libxlsxwriter (-o
 * xlsx), loaded with dlopen when a workbook is first opened or written,
 * not when each command starts.  Both bring OpenSSL's libcrypto: loading
 * the two took 3.4 ms of the 8.1 ms a command took to start on the
 * project's machine, and 0.2 s of each start under valgrind, in every
 * run of every command, most of which never see a workbook.
 *
 * Each function used is called through a table filled by fund_load_zip
 * or fund_load_xlsx; the code calls them by their own names (the macros
 * at the end), with their own prototypes (__typeof__), once the loader
 * said 0. */
#ifndef FUND_LAZY_H
#define FUND_LAZY_H

#include <xlsxwriter.h>
#include <zip.h>
#include "internal.h"

#pragma GCC visibility push(hidden)

#define FUND_ZIP_FNS(X)                                                                      \
	X(zip_compression_method_supported) X(zip_discard) X(zip_error_code_system)          \
	X(zip_error_code_zip) X(zip_error_fini) X(zip_error_init_with_code)                   \
	X(zip_error_strerror) X(zip_fclose) X(zip_file_get_error) X(zip_fopen_index)          \
	X(zip_fread) X(zip_get_error) X(zip_libzip_version) X(zip_name_locate) X(zip_open)    \
	X(zip_stat_index) X(zip_stat_init)
#define FUND_XLSX_FNS(X)                                                                     \
	X(format_set_bold) X(format_set_num_format) X(lxw_workbook_free) X(workbook_add_format) \
	X(workbook_add_worksheet) X(workbook_close) X(workbook_new_opt)                       \
	X(workbook_set_properties) X(worksheet_freeze_panes) X(worksheet_set_column)          \
	X(worksheet_write_datetime) X(worksheet_write_number) X(worksheet_write_string)

#define FUND_LAZY_SLOT(f) __typeof__(f) *f;
struct fund_zip_fns { FUND_ZIP_FNS(FUND_LAZY_SLOT) };
struct fund_xlsx_fns { FUND_XLSX_FNS(FUND_LAZY_SLOT) };
#undef FUND_LAZY_SLOT
extern struct fund_zip_fns fund_zipf;
extern struct fund_xlsx_fns fund_xlsxf;

/* 0 when the library is loaded (now or before, on any thread), else
 * err set: FUND_ENOMEM, or FUND_EIO naming the library that could not
 * be loaded and why (dlerror). */
int fund_load_zip(struct fund_error *err);
int fund_load_xlsx(struct fund_error *err);
/* The message of fund_load_xlsx's failure to load the library (not
 * for want of memory), or NULL. */
const char *fund_xlsx_unloaded(void);

#pragma GCC visibility pop

#ifndef FUND_LAZY_IMPL
#define FUND_LAZY_CALL_ZIP(f) (*fund_zipf.f)
#define zip_compression_method_supported FUND_LAZY_CALL_ZIP(zip_compression_method_supported)
#define zip_discard FUND_LAZY_CALL_ZIP(zip_discard)
#define zip_error_code_system FUND_LAZY_CALL_ZIP(zip_error_code_system)
#define zip_error_code_zip FUND_LAZY_CALL_ZIP(zip_error_code_zip)
#define zip_error_fini FUND_LAZY_CALL_ZIP(zip_error_fini)
#define zip_error_init_with_code FUND_LAZY_CALL_ZIP(zip_error_init_with_code)
#define zip_error_strerror FUND_LAZY_CALL_ZIP(zip_error_strerror)
#define zip_fclose FUND_LAZY_CALL_ZIP(zip_fclose)
#define zip_file_get_error FUND_LAZY_CALL_ZIP(zip_file_get_error)
#define zip_fopen_index FUND_LAZY_CALL_ZIP(zip_fopen_index)
#define zip_fread FUND_LAZY_CALL_ZIP(zip_fread)
#define zip_get_error FUND_LAZY_CALL_ZIP(zip_get_error)
#define zip_libzip_version FUND_LAZY_CALL_ZIP(zip_libzip_version)
#define zip_name_locate FUND_LAZY_CALL_ZIP(zip_name_locate)
#define zip_open FUND_LAZY_CALL_ZIP(zip_open)
#define zip_stat_index FUND_LAZY_CALL_ZIP(zip_stat_index)
#define zip_stat_init FUND_LAZY_CALL_ZIP(zip_stat_init)
#define FUND_LAZY_CALL_XLSX(f) (*fund_xlsxf.f)
#define format_set_bold FUND_LAZY_CALL_XLSX(format_set_bold)
#define format_set_num_format FUND_LAZY_CALL_XLSX(format_set_num_format)
#define lxw_workbook_free FUND_LAZY_CALL_XLSX(lxw_workbook_free)
#define workbook_add_format FUND_LAZY_CALL_XLSX(workbook_add_format)
#define workbook_add_worksheet FUND_LAZY_CALL_XLSX(workbook_add_worksheet)
#define workbook_close FUND_LAZY_CALL_XLSX(workbook_close)
#define workbook_new_opt FUND_LAZY_CALL_XLSX(workbook_new_opt)
#define workbook_set_properties FUND_LAZY_CALL_XLSX(workbook_set_properties)
#define worksheet_freeze_panes FUND_LAZY_CALL_XLSX(worksheet_freeze_panes)
#define worksheet_set_column FUND_LAZY_CALL_XLSX(worksheet_set_column)
#define worksheet_write_datetime FUND_LAZY_CALL_XLSX(worksheet_write_datetime)
#define worksheet_write_number FUND_LAZY_CALL_XLSX(worksheet_write_number)
#define worksheet_write_string FUND_LAZY_CALL_XLSX(worksheet_write_string)
#endif

#endif
