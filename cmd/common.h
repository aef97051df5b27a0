/* Shared by every fundkit command: messages, exit codes, common options,
 * the driver's options, progress and -O.  The only code that prints or
 * exits. */
#ifndef FUNDKIT_COMMON_H
#define FUNDKIT_COMMON_H

#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include "fund/fund.h"

enum exit_code { EXIT_OK = 0, EXIT_DATA = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

/* Defined by each command. */
extern const char *const cmd_name;
int cmd_main(int argc, char **argv);

void msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error: one line, the pointer to --help, exit 2. */
void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* The same, returning 2, for a command that has something to free first. */
int usage_said(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "out of memory", exit 3 (the status of every allocation failure). */
void out_of_memory(void) __attribute__((noreturn));
/* The exit status for a libfund error code. */
int exit_for(int code);
/* Print "cmd: <err->msg>" and return the exit status for it. */
int report(const struct fund_error *err);
/* The exit status for err: exit_for its code, or 3 when there was no
 * memory to say it (an allocation failure first). */
int report_status(const struct fund_error *err);
/* The same for a call that returned rc < 0 (and may have said nothing). */
int report_rc(int rc, struct fund_error *err);

/* Options every reading command takes (long-only ones numbered from
 * CHAR_MAX + 1, as datamash does). */
enum {
	OPT_ENCODING = CHAR_MAX + 1,
	OPT_JSON_PATH,
	OPT_INPUT_FORMAT,
	OPT_DECIMAL,
	OPT_STRICT,
	OPT_FR,
	OPT_HELP,
	OPT_VERSION,
	OPT_THREADS,
	OPT_SHEET,
	OPT_HEADER_ROW,
	OPT_FIRST_TOOL  /* commands number theirs from here */
};

struct common {
	struct fund_reader_opts ropts;
	enum fund_outfmt out;
	int decimal;
	int strict, quiet, french;
	int threads;     /* --threads; 0: the default */
};

#define COMMON_SHORT "d:o:qO:"
#define COMMON_LONG \
	{ "delimiter", required_argument, NULL, 'd' }, \
	{ "output", required_argument, NULL, 'o' }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "output-file", required_argument, NULL, 'O' }, \
	{ "encoding", required_argument, NULL, OPT_ENCODING }, \
	{ "json-path", required_argument, NULL, OPT_JSON_PATH }, \
	{ "input-format", required_argument, NULL, OPT_INPUT_FORMAT }, \
	{ "decimal", required_argument, NULL, OPT_DECIMAL }, \
	{ "strict", no_argument, NULL, OPT_STRICT }, \
	{ "fr", no_argument, NULL, OPT_FR }, \
	{ "threads", required_argument, NULL, OPT_THREADS }, \
	{ "sheet", required_argument, NULL, OPT_SHEET }, \
	{ "header-row", required_argument, NULL, OPT_HEADER_ROW }, \
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "version", no_argument, NULL, OPT_VERSION }

/* Handle a common option: 1 if it was one, 0 if not (exits on errors,
 * --help and --version). */
int common_option(struct common *c, int opt, const char *arg, void (*help)(void));

/* The text of the common options for --help. */
extern const char common_help[];

/* A whole number from 0 to max given to option, or a usage error. */
int parse_count(const char *option, const char *arg, long max);

/* Split spec "FILE:A:B[:C...]" in place into the file and min to max
 * parts after it, at its last colons (a path may hold colons): the most
 * parts whose file exists, else min.  parts[] gets NULL past the count;
 * returns the count.  A usage error names option and form otherwise. */
int split_file_spec(const char *option, const char *form, char *spec, int min, int max, char **file,
		    char **parts);

/* Split a column list "a,b,3" (a comma inside a name as "\,") and append
 * to *list (fund_columns_add); exits on an empty name or memory exhaustion. */
void add_columns(const char ***list, size_t *n, const char *arg);

/* Progress on stderr, when it is a terminal and the work lasts. */
struct progress {
	int on;
	double start, last;
	int shown;
};
void progress_init(struct progress *p, int quiet);
void progress_update(struct progress *p, const struct fund_reader *r, uint64_t rows);
void progress_end(struct progress *p);

/* The driver's options from the common ones, for the library call that
 * reads the inputs (fund_total_files, fund_cat, ...): diag_print(shown),
 * the progress display (ended by summary_print). */
const struct fund_run_opts *run_opts(const struct common *c, unsigned *shown, int flags);
/* The end of a library call made with run_opts: the progress display
 * ended (summary_print does it too). */
void run_end(void);

/* After a library call that read the inputs and wrote the result (rc:
 * what it returned; err: its error; s: the summary it filled): the exit
 * status, the error said (a write error on standard output is main()'s
 * to say), then the summary printed (summary_print). */
int files_done(int rc, struct fund_error *err, struct fund_summary *s);

/* Print a summary an engine filled (described: what fund_*_describe
 * returned), line by line, and release it.  0, or EXIT_IO when there was
 * no memory for it (said). */
int summary_print(int described, struct fund_summary *s);

/* Print row problems as they come: the first few in full, then a count. */
void diag_print(void *ctx, enum fund_diag_kind kind, const struct fund_error *e);
/* set by diag_print for a problem said only as "out of memory": main()
 * then exits 3 */
extern int diag_lost;

/* -O FILE: standard output goes to a temporary file beside FILE, renamed
 * over FILE by output_file_end only when the command succeeded, so that a
 * cron job never leaves a half report where the last good one was. */
void output_file_begin(const char *path);
/* Called by main with the command's exit status and whether standard
 * output was written and closed without error.  Returns the final status. */
int output_file_end(int rc, int written_ok);
int output_file_active(void);
/* Set by a command whose output is complete even though it exits 1
 * (fund-check's report on an invalid file). */
extern int output_complete;

#endif
