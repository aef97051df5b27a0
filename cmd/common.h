/* Shared by every fundkit command: messages, exit codes, common options,
 * the input loop and progress.  The only code that prints or exits. */
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
/* The exit status for a libfund error code. */
int exit_for(int code);
/* Print "cmd: <err->msg>" and return the exit status for it. */
int report(const struct fund_error *err);

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
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "version", no_argument, NULL, OPT_VERSION }

/* Handle a common option: 1 if it was one, 0 if not (exits on errors,
 * --help and --version). */
int common_option(struct common *c, int opt, const char *arg, void (*help)(void));

/* The text of the common options for --help. */
extern const char common_help[];

/* A whole number from 0 to max given to option, or a usage error. */
int parse_count(const char *option, const char *arg, long max);

/* Split a column list "a,b,3" (a comma inside a name as "\,") and append
 * to *list.  Exits on memory exhaustion. */
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

/* Read every input (standard input when there is none) through bind then
 * add for each record; add returns 0 to go on, a positive number to stop
 * reading (the command has what it needs), a negative code on error.
 * Returns 0 or an exit status, having said why. */
struct input_loop {
	const struct fund_reader_opts *ropts;
	int (*bind)(void *ctx, const struct fund_reader *r, struct fund_error *err);
	int (*add)(void *ctx, const struct fund_record *rec, struct fund_error *err);
	void *ctx;
	int quiet;
	/* Parallel reading (commands whose engines merge exactly; others
	 * leave these NULL): fork makes an empty engine like ctx whose row
	 * problems go to diag(dctx), with ctx's learned state when inherit
	 * (the first part); merge folds b into a, in input order, returning
	 * 0, or a negative code when the parts must be read again in one
	 * pass; drop frees a fork. */
	void *(*fork)(void *ctx, int inherit, fund_diag_fn diag, void *dctx);
	int (*merge)(void *a, void *b, struct fund_error *err);
	void (*drop)(void *b);
	void (*finish)(void *b);  /* optional: run on a part's thread at its end */
	int threads;          /* from --threads; 0: the default */
	unsigned *shown;      /* diag_print's count, for the parts' problems */
	/* optional: the columns add reads, after bind (the engine's
	 * fund_*_columns): the others are not cut out of the lines
	 * (fund_reader_only; FUNDKIT_ALL_COLUMNS=1 cuts them all) */
	size_t (*columns)(void *ctx, int *cols, size_t max);
	/* the engine writes line numbers out as it reads (not only in its
	 * messages): parts count the lines before them first */
	int lines_first;
	/* parts a thread (0: four): fewer when merging parts costs more
	 * than it saves (fund-stats merges every value of its groups) */
	int parts_per_thread;
};
int read_inputs(const struct input_loop *l, char **files, int nfiles);

/* Print row problems as they come: the first few in full, then a count. */
void diag_print(void *ctx, enum fund_diag_kind kind, const struct fund_error *e);

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

/* The data directory (reference geography, schemas): given (an option),
 * else FUNDKIT_DATA, else beside the program (../share/fundkit installed,
 * ../data in the source tree), else where make install puts it. */
const char *find_data_dir(const char *given, char *buf, size_t size);

#endif
