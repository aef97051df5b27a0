#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "common.h"
#include "../lib/banned.h"

void msg(const char *fmt, ...)
{
	va_list ap;
	fflush(stdout);
	fprintf(stderr, "%s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage_v(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", cmd_name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", cmd_name);
}

void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	usage_v(fmt, ap);
	va_end(ap);
	exit(EXIT_USAGE);
}

int usage_said(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	usage_v(fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

void out_of_memory(void)
{
	msg("out of memory");
	exit(EXIT_IO);
}

int exit_for(int code)
{
	switch (code) {
	case FUND_OK: return EXIT_OK;
	case FUND_EIO: case FUND_ENOMEM: return EXIT_IO;
	default: return EXIT_DATA;
	}
}

int report(const struct fund_error *err)
{
	msg("%s", fund_error_msg(err));
	return report_status(err);
}

int report_status(const struct fund_error *err)
{
	return err->code && !err->msg ? EXIT_IO : exit_for(err->code);
}

int report_rc(int rc, struct fund_error *err)
{
	fund_error_ensure(err, rc);
	return report(err);
}

const char common_help[] =
"Input:\n"
"  -d, --delimiter C     CSV delimiter: , ; | or tab (default: sniffed)\n"
"      --encoding ENC    utf-8, windows-1252 or latin1 (default: UTF-8 when\n"
"                        valid, else Windows-1252)\n"
"      --input-format F  csv or json (default: JSON when the input starts\n"
"                        with '[' or '{')\n"
"      --json-path P     dotted path of the array of records in a JSON object\n"
"      --sheet S         a workbook's sheet, by name or number (default: the\n"
"                        first; .xlsx, .ods and .xls are read as tables)\n"
"      --header-row N    a workbook's header row (default: the first row that\n"
"                        looks like a header, see fundkit(7))\n"
"      --decimal C       decimal mark of amounts, ',' or '.' (default: per\n"
"                        column, see fundkit(7))\n"
"      --strict          stop at the first unreadable value (exit 1)\n"
"Output:\n"
"  -o, --output F        tsv (default), csv, json, ndjson, table or xlsx\n"
"      --fr              amounts in French style (1 234,56) in tsv, csv, table\n"
"  -O, --output-file F   write to F, replaced only when the command succeeds\n"
"                        (a temporary file beside it until then)\n"
"      --threads N       read a large regular file on N threads (default: one\n"
"                        per processor; 1: one pass, no threads)\n"
"  -q, --quiet           no progress display\n"
"      --help            this help\n"
"      --version         version and libraries\n";

static void version(void)
{
	printf("%s (fundkit) %s\n", cmd_name, fund_version());
	char v[256];   /* version numbers */
	if (fund_versions(v, sizeof(v)) >= 0)
		printf("%s\n", v);
}

int common_option(struct common *c, int opt, const char *arg, void (*help)(void))
{
	int v;
	switch (opt) {
	case 'd':
		if (!strcmp(arg, "tab") || !strcmp(arg, "\\t") || !strcmp(arg, "\t"))
			c->ropts.delim = '\t';
		else if (strlen(arg) == 1 && strchr(",;|:", arg[0]))
			c->ropts.delim = arg[0];
		else
			usage_error("invalid delimiter '%s' (use , ; | : or tab)", arg);
		return 1;
	case 'o':
		if ((v = fund_outfmt_from_name(arg)) < 0)
			usage_error("unknown output format '%s' (tsv, csv, json, ndjson, table, xlsx)", arg);
		c->out = (enum fund_outfmt)v;
		return 1;
	case 'q':
		c->quiet = 1;
		return 1;
	case 'O':
		output_file_begin(arg);
		return 1;
	case OPT_ENCODING:
		if ((v = fund_encoding_from_name(arg)) < 0)
			usage_error("unknown encoding '%s' (utf-8, windows-1252, latin1)", arg);
		c->ropts.encoding = (enum fund_encoding)v;
		return 1;
	case OPT_JSON_PATH:
		c->ropts.json_path = arg;
		c->ropts.format = FUND_IN_JSON;
		return 1;
	case OPT_INPUT_FORMAT:
		if (!strcmp(arg, "csv") || !strcmp(arg, "tsv"))
			c->ropts.format = FUND_IN_CSV;
		else if (!strcmp(arg, "json") || !strcmp(arg, "ndjson"))
			c->ropts.format = FUND_IN_JSON;
		else
			usage_error("unknown input format '%s' (csv, json)", arg);
		return 1;
	case OPT_DECIMAL:
		if (!strcmp(arg, ","))
			c->decimal = FUND_MARK_COMMA;
		else if (!strcmp(arg, "."))
			c->decimal = FUND_MARK_POINT;
		else
			usage_error("invalid decimal mark '%s' (use , or .)", arg);
		return 1;
	case OPT_STRICT:
		c->strict = 1;
		return 1;
	case OPT_FR:
		c->french = 1;
		return 1;
	case OPT_SHEET:
		c->ropts.sheet = arg;
		return 1;
	case OPT_HEADER_ROW:
		c->ropts.header_row = (unsigned long)parse_count("--header-row", arg, 1048576);
		if (!c->ropts.header_row)
			usage_error("--header-row takes a row number from 1 to 1048576");
		return 1;
	case OPT_THREADS:
		c->threads = parse_count("--threads", arg, FUND_PARTS_MAX);
		if (c->threads < 1)
			usage_error("--threads takes a number from 1 to %d", FUND_PARTS_MAX);
		return 1;
	case OPT_HELP:
		help();
		exit(EXIT_OK);
	case OPT_VERSION:
		version();
		exit(EXIT_OK);
	case '?':
		fprintf(stderr, "Try '%s --help' for more information.\n", cmd_name);
		exit(EXIT_USAGE);
	}
	return 0;
}

int parse_count(const char *option, const char *arg, long max)
{
	char *end;
	long v;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (!*arg || *end || errno || v < 0 || v > max || arg[0] == '-' || arg[0] == '+' || arg[0] == ' ')
		usage_error("%s takes a whole number from 0 to %ld, not '%s'", option, max, arg);
	return (int)v;
}

int split_file_spec(const char *option, const char *form, char *spec, int min, int max, char **file,
		    char **parts)
{
	char *copy = strdup(spec);
	int n = copy ? fund_file_spec(spec, min, max, file, parts) : 0;
	if (!copy)
		out_of_memory();
	if (n < 0)
		usage_error("%s takes %s, not '%s'", option, form, copy);
	free(copy);
	return n;
}

void add_columns(const char ***list, size_t *n, const char *arg)
{
	int rc = fund_columns_add(list, n, arg);
	if (rc == FUND_ENOMEM)
		out_of_memory();
	if (rc < 0)
		usage_error("empty column name in '%s'", arg);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(struct progress *p, int quiet)
{
	memset(p, 0, sizeof(*p));
	p->on = !quiet && isatty(2);
	p->start = p->last = now();
}

void progress_update(struct progress *p, const struct fund_reader *r, uint64_t rows)
{
	double t, mb, el;
	uint64_t size;
	if (!p->on)
		return;
	t = now();
	if (t - p->start < 1.0 || t - p->last < 0.2)
		return;
	p->last = t;
	el = t - p->start;
	mb = (double)fund_reader_bytes(r) / 1e6;
	size = fund_reader_size(r);
	fprintf(stderr, "\r%s: %s: %.0f MB, %llu rows, %.0f MB/s", cmd_name, fund_reader_name(r), mb,
		(unsigned long long)rows, mb / el);
	if (size)
		fprintf(stderr, ", %.0f %%", 100.0 * (double)fund_reader_bytes(r) / (double)size);
	fputs("\033[K", stderr);
	p->shown = 1;
}

void progress_end(struct progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = 0;
}

#define DIAG_SHOWN 10

static struct progress run_progress;
static char *out_final, *out_temp;
static struct fund_run_opts run_o;
static struct fund_reader_opts run_ro;


int diag_lost;

void diag_print(void *ctx, enum fund_diag_kind kind, const struct fund_error *e)
{
	unsigned *count = ctx;
	(void)kind;
	/* a problem whose text could not be made: the run goes on, its
	 * status is then that of an allocation failure */
	if (e && !e->msg)
		diag_lost = 1;
	if (*count < DIAG_SHOWN && e)
		msg("%s", fund_error_msg(e));
	else if (*count == DIAG_SHOWN)
		msg("further problems are not shown one by one; see the summary");
	(*count)++;
}

int files_done(int rc, struct fund_error *err, struct fund_summary *s)
{
	/* a write error on standard output is said by main(), with the
	 * reason, at exit */
	int sr;
	rc = rc == FUND_EIO && ferror(stdout) ? EXIT_IO : rc < 0 ? report_rc(rc, err) : 0;
	sr = summary_print(0, s);
	return rc ? rc : sr;
}

int summary_print(int described, struct fund_summary *s)
{
	char *text = NULL, *line, *nl;
	progress_end(&run_progress);
	if (described < 0 || fund_summary_text(s, &text) < 0) {
		fund_summary_release(s);
		msg("out of memory for the summary");
		return EXIT_IO;
	}
	for (line = text; line && *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl)
			nl = line + strlen(line) - 1;
		msg("%.*s", (int)(nl - line + (*nl != '\n')), line);
	}
	free(text);
	fund_summary_release(s);
	return 0;
}

static void progress_cb(void *ctx, const struct fund_reader *r, uint64_t rows)
{
	progress_update(ctx, r, rows);
}

/* a line the library gives to say: the driver's debug lines, the
 * reader's notes (rows above a sheet's header) */
static void say_line(void *ctx, const char *line)
{
	(void)ctx;
	msg("%s", line);
}

const struct fund_run_opts *run_opts(const struct common *c, unsigned *shown, int flags)
{
	progress_init(&run_progress, c->quiet);
	if (c->out == FUND_OUT_XLSX && !out_final && isatty(STDOUT_FILENO))
		usage_error("-o xlsx writes a workbook: give -O FILE.xlsx, or redirect standard output to a file");
	memset(&run_o, 0, sizeof(run_o));
	run_ro = c->ropts;
	run_ro.note = say_line;
	run_o.reader = &run_ro;
	run_o.threads = c->threads;
	run_o.flags = flags;
	run_o.diag = diag_print;
	run_o.diag_ctx = shown;
	run_o.diag_keep = DIAG_SHOWN;
	run_o.progress = progress_cb;
	run_o.progress_ctx = &run_progress;
	run_o.debug = say_line;
	return &run_o;
}

void run_end(void)
{
	progress_end(&run_progress);
}

/* ---- -O FILE ---- */

int output_complete;

static void drop_temp(int sig)
{
	/* async-signal-safe: unlink, then die of the signal */
	if (out_temp)
		unlink(out_temp);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* exit() before main() is done (a usage error after -O, memory out):
 * the temporary file goes */
static void drop_temp_at_exit(void)
{
	if (out_temp)
		unlink(out_temp);
}

void output_file_begin(const char *path)
{
	const char *slash = strrchr(path, '/');
	size_t dlen = slash ? (size_t)(slash - path) + 1 : 0;
	mode_t mask;
	int fd;

	if (out_final)
		usage_error("-O given twice");
	if (!*path || (slash && !slash[1]))
		usage_error("-O takes a file name, not '%s'", path);
	out_final = strdup(path);
	if (!out_final || asprintf(&out_temp, "%.*s.%s.tmp-XXXXXX", (int)dlen, path, path + dlen) < 0)
		out_of_memory();
	fd = mkstemp(out_temp);
	if (fd < 0) {
		msg("-O %s: cannot create a file in its directory: %s", path, strerror(errno));
		exit(EXIT_IO);
	}
	/* the permissions a plain redirection would give */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	signal(SIGINT, drop_temp);
	signal(SIGTERM, drop_temp);
	signal(SIGHUP, drop_temp);
	atexit(drop_temp_at_exit);
	fflush(stdout);
	if (dup2(fd, STDOUT_FILENO) < 0) {
		msg("-O %s: %s", path, strerror(errno));
		unlink(out_temp);
		exit(EXIT_IO);
	}
	close(fd);
}

int output_file_active(void)
{
	return out_temp != NULL;
}

int output_file_end(int rc, int written_ok)
{
	if (!out_temp)
		return rc;
	if (written_ok && (rc == EXIT_OK || (rc == EXIT_DATA && output_complete))) {
		if (rename(out_temp, out_final) == 0) {
			free(out_temp);
			out_temp = NULL;
			return rc;
		}
		msg("-O %s: cannot replace it: %s", out_final, strerror(errno));
		rc = EXIT_IO;
	} else if (rc == EXIT_OK) {
		rc = EXIT_IO;
	}
	unlink(out_temp);
	free(out_temp);
	out_temp = NULL;
	if (rc != EXIT_IO || written_ok)
		msg("-O %s: left as it was (the command failed)", out_final);
	return rc;
}
