#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <csv.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_version.h>
#include <zlib.h>
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

void usage_error(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s: ", cmd_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", cmd_name);
	exit(EXIT_USAGE);
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
	msg("%s", err->msg);
	return exit_for(err->code);
}

const char common_help[] =
"Input:\n"
"  -d, --delimiter C     CSV delimiter: , ; | or tab (default: sniffed)\n"
"      --encoding ENC    utf-8, windows-1252 or latin1 (default: UTF-8 when\n"
"                        valid, else Windows-1252)\n"
"      --input-format F  csv or json (default: JSON when the input starts\n"
"                        with '[' or '{')\n"
"      --json-path P     dotted path of the array of records in a JSON object\n"
"      --decimal C       decimal mark of amounts, ',' or '.' (default: per\n"
"                        column, see fundkit(7))\n"
"      --strict          stop at the first unreadable value (exit 1)\n"
"Output:\n"
"  -o, --output F        tsv (default), csv, json, ndjson or table\n"
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
	printf("libcsv %d.%d.%d, cJSON %s, GSL %s, zlib %s\n", CSV_MAJOR, CSV_MINOR, CSV_RELEASE,
	       cJSON_Version(), GSL_VERSION, zlibVersion());
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
			usage_error("unknown output format '%s' (tsv, csv, json, ndjson, table)", arg);
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

void add_columns(const char ***list, size_t *n, const char *arg)
{
	const char *p = arg;
	for (;;) {
		char *item = malloc(strlen(p) + 1), *o = item;
		const char **l;
		if (!item) {
			msg("out of memory");
			exit(EXIT_IO);
		}
		while (*p && *p != ',') {
			if (*p == '\\' && p[1] == ',')
				p++;
			*o++ = *p++;
		}
		*o = '\0';
		if (!*item)
			usage_error("empty column name in '%s'", arg);
		l = realloc(*list, (*n + 1) * sizeof(*l));
		if (!l) {
			msg("out of memory");
			exit(EXIT_IO);
		}
		l[(*n)++] = item;
		*list = l;
		if (!*p)
			break;
		p++;
	}
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

void diag_print(void *ctx, enum fund_diag_kind kind, const struct fund_error *e)
{
	unsigned *count = ctx;
	(void)kind;
	if (*count < DIAG_SHOWN)
		msg("%s", e->msg);
	else if (*count == DIAG_SHOWN)
		msg("further problems are not shown one by one; see the summary");
	(*count)++;
}

/* ---- parallel reading of one large file ---- */

/* A part's row problems, kept to be said in input order afterwards: the
 * first DIAG_SHOWN in full (no more can be shown), and how many. */
struct diag_keep {
	unsigned n;
	uint64_t total;
	char *m[DIAG_SHOWN];
	unsigned long line[DIAG_SHOWN];   /* the line it names first, 0: none */
};

static void diag_keep(void *ctx, enum fund_diag_kind kind, const struct fund_error *e)
{
	struct diag_keep *k = ctx;
	(void)kind;
	if (k->n < DIAG_SHOWN && (k->m[k->n] = strdup(e->msg)) != NULL)
		k->line[k->n++] = e->line;
	k->total++;
}

/* The messages of a part that numbered its lines from 1
 * (FUND_SPLIT_LINES_LATER), which starts at line off + 1 of the file:
 * each "name:line: ..." made "name:line + off: ...".  -1 when one does
 * not start so (it is then not said: the file is read again). */
static int diag_relocate(struct diag_keep *k, const char *name, unsigned long off)
{
	unsigned i;
	for (i = 0; i < k->n; i++) {
		char head[64], *m;
		size_t nl = strlen(name);
		int hl;
		if (!k->line[i])
			continue;
		hl = snprintf(head, sizeof(head), ":%lu:", k->line[i]);
		if (strncmp(k->m[i], name, nl) || strncmp(k->m[i] + nl, head, (size_t)hl))
			return -1;
		if (asprintf(&m, "%s:%lu:%s", name, k->line[i] + off, k->m[i] + nl + (size_t)hl) < 0)
			return -1;
		free(k->m[i]);
		k->m[i] = m;
		k->line[i] += off;
	}
	return 0;
}

/* Say them as diag_print would have said them as they came. */
static void diag_replay(struct diag_keep *k, unsigned *shown)
{
	uint64_t i;
	for (i = 0; i < k->total; i++) {
		if (*shown > DIAG_SHOWN) {
			*shown += (unsigned)(k->total - i);
			break;
		}
		if (*shown < DIAG_SHOWN && i < k->n)
			msg("%s", k->m[i]);
		else if (*shown == DIAG_SHOWN)
			msg("further problems are not shown one by one; see the summary");
		(*shown)++;
	}
	while (k->n)
		free(k->m[--k->n]);
	k->total = 0;
}

struct part_job {
	const struct input_loop *l;
	struct fund_reader *r;
	void *eng;
	size_t index;
	int *first_bad;              /* lowest part that failed */
	pthread_mutex_t *mu;
	struct diag_keep diags;
	struct fund_error err;
	int rc, cancelled, started;
	double cpu, end;             /* for FUNDKIT_PARALLEL_DEBUG */
	pthread_t th;
};

#define PARTS_PER_THREAD 4

static void *run_part(void *arg)
{
	struct part_job *j = arg;
	const struct fund_record *rec;
	uint64_t rows = 0;

	j->rc = j->l->bind(j->eng, j->r, &j->err);
	while (j->rc >= 0 && (j->rc = fund_reader_next(j->r, &rec, &j->err)) > 0) {
		j->rc = j->l->add(j->eng, rec, &j->err);
		if ((++rows & 4095) == 0) {
			int stop;
			pthread_mutex_lock(j->mu);
			stop = *j->first_bad < (int)j->index;
			pthread_mutex_unlock(j->mu);
			if (stop) {
				j->cancelled = 1;
				break;
			}
		}
	}
	if (j->rc >= 0 && !j->cancelled && j->l->finish)
		j->l->finish(j->eng);
	if (j->rc < 0) {
		pthread_mutex_lock(j->mu);
		if (*j->first_bad > (int)j->index)
			*j->first_bad = (int)j->index;
		pthread_mutex_unlock(j->mu);
	}
	{
		struct timespec t;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
		j->cpu = (double)t.tv_sec + (double)t.tv_nsec / 1e9 - j->cpu;
		clock_gettime(CLOCK_MONOTONIC, &t);
		j->end = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
	}
	return NULL;
}

/* The parts of a file, taken in order by as many threads as there are
 * (a thread that is done with one takes the next: parts that end late,
 * on a busier processor, hold the others up less). */
struct part_queue {
	struct part_job *job;
	size_t np, next;
	pthread_mutex_t *mu;
};

static void *run_queue(void *arg)
{
	struct part_queue *q = arg;
	for (;;) {
		struct part_job *j;
		struct timespec t;
		int skip;
		pthread_mutex_lock(q->mu);
		j = q->next < q->np ? &q->job[q->next++] : NULL;
		skip = j && *j->first_bad < (int)j->index;
		pthread_mutex_unlock(q->mu);
		if (!j)
			return NULL;
		if (skip) {
			/* after a part that failed: never looked at */
			j->cancelled = 1;
			continue;
		}
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
		j->cpu = (double)t.tv_sec + (double)t.tv_nsec / 1e9;
		run_part(j);
	}
}

static int env_number(const char *name, long dflt)
{
	const char *v = getenv(name);
	char *end;
	long n;
	if (!v || !*v)
		return (int)dflt;
	n = strtol(v, &end, 10);
	return *end || n < 0 || n > 1L << 30 ? (int)dflt : (int)n;
}

/* Free the parts' engines, readers and kept messages. */
static void drop_parts(const struct input_loop *l, struct part_job *job, struct fund_reader **parts,
		       size_t np)
{
	size_t k;
	for (k = 0; k < np; k++) {
		struct diag_keep *d = &job[k].diags;
		while (d->n)
			free(d->m[--d->n]);
		if (job[k].eng)
			l->drop(job[k].eng);
		fund_reader_close(&parts[k]);
	}
}

/* --threads, else FUNDKIT_THREADS, else one per processor; for a stream,
 * one fewer: its writer (cat, zcat, a query) needs a core too, and on two
 * cores reading a pipe in parts was slower than one pass (make bench) */
static int threads_wanted(const struct input_loop *l, int stream)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	return l->threads ? l->threads : env_number("FUNDKIT_THREADS", stream ? ncpu - 1 : ncpu);
}

static void parallel_said(const char *name, size_t np, const char *how)
{
	if (getenv("FUNDKIT_PARALLEL_DEBUG"))
		msg("%s: %zu parts: %s", name, np, how);
}

/* Read what follows r's header in parts, one thread each, when the
 * command and the input allow it.  Returns 0 when done (the engine holds
 * the result), an exit status after an error (said), or -1 when r must
 * be read in one pass (nothing has been said or added). */
static int read_parallel(const struct input_loop *l, struct fund_reader *r)
{
	struct fund_reader *parts[FUND_PARTS_MAX];
	struct part_job job[FUND_PARTS_MAX];
	struct fund_error err = { 0 };
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int threads = threads_wanted(l, 0);
	int first_bad = FUND_PARTS_MAX, np, rc = -1;
	size_t k, bad = 0;
	unsigned long line;
	const char *how = NULL;
	struct part_queue queue;
	pthread_t th[FUND_PARTS_MAX];
	size_t nth = 0, per;

	if (!l->fork || threads < 2)
		return -1;
	/* parts that do not count the lines before them can be many (four
	 * a thread unless the command says); those that do, one a thread
	 * (later ones read less) */
	per = l->lines_first ? 1 : l->parts_per_thread ? (size_t)l->parts_per_thread : PARTS_PER_THREAD;
	np = fund_reader_split(r, (size_t)threads * per, (uint64_t)env_number("FUNDKIT_PART_MIN", 4L << 20),
			       l->lines_first ? 0 : FUND_SPLIT_LINES_LATER, parts, &err);
	if (np < 2) {
		if (np < 0)
			parallel_said(fund_reader_name(r), 0, err.msg);
		return -1;
	}
	memset(job, 0, sizeof(job));
	for (k = 0; k < (size_t)np; k++) {
		job[k].l = l;
		job[k].r = parts[k];
		job[k].index = k;
		job[k].first_bad = &first_bad;
		job[k].mu = &mu;
		job[k].eng = l->fork(l->ctx, k == 0, diag_keep, &job[k].diags);
		if (!job[k].eng) {
			how = "the engine cannot be read in parts";
			goto out;
		}
	}
	queue.job = job;
	queue.np = (size_t)np;
	queue.mu = &mu;
	for (k = 0; k < (size_t)threads && k < (size_t)np; k++) {
		if (pthread_create(&th[k], NULL, run_queue, &queue))
			break;
		nth++;
	}
	for (k = 0; k < nth; k++)
		pthread_join(th[k], NULL);
	if (!nth) {
		how = "cannot start a thread";
		goto out;
	}
	if (getenv("FUNDKIT_PARALLEL_DEBUG"))
		for (k = 0; k < (size_t)np; k++)
			msg("part %zu: %.3f s of CPU, ended at +%.3f s", k, job[k].cpu, job[k].end - job[0].end);
	/* in input order: a part counts only when the one before ended
	 * where it starts */
	for (k = 0, line = fund_reader_first_line(parts[0]); k < (size_t)np; k++) {
		if (job[k].rc < 0 && !job[k].cancelled) {
			/* the first error, where one pass would have stopped;
			 * unless the part decoded bytes one pass would have
			 * decoded otherwise, or does not know its lines (one
			 * pass says it with the lines of the file) */
			if (!fund_reader_part_ok(parts[k], NULL) && fund_reader_encoding(parts[k]) != fund_reader_encoding(r)) {
				how = "encoding changed";
				goto out;
			}
			if (!fund_reader_lines_known(parts[k])) {
				how = "an error in a part that numbered its lines from 1";
				goto out;
			}
			for (bad = 0; bad <= k; bad++)
				diag_replay(&job[bad].diags, l->shown);
			parallel_said(fund_reader_name(r), (size_t)np, "an error");
			rc = report(&job[k].err);
			goto out;
		}
		if (!fund_reader_part_ok(parts[k], k + 1 < (size_t)np ? parts[k + 1] : NULL)) {
			how = "a part did not end at a record's end";
			goto out;
		}
		/* line: where part k starts in the file */
		if (!fund_reader_lines_known(parts[k]) &&
		    diag_relocate(&job[k].diags, fund_reader_name(r), line - fund_reader_first_line(parts[k])) < 0) {
			how = "a message without its line in front";
			goto out;
		}
		line += fund_reader_line(parts[k]) - fund_reader_first_line(parts[k]);
	}
	for (k = 1; k < (size_t)np; k++)
		if (l->merge(job[0].eng, job[k].eng, &err) < 0) {
			how = "the parts do not merge exactly";
			goto out;
		}
	for (k = 0; k < (size_t)np; k++)
		diag_replay(&job[k].diags, l->shown);
	parallel_said(fund_reader_name(r), (size_t)np, "merged");
	rc = l->merge(l->ctx, job[0].eng, &err) < 0 ? report(&err) : 0;
out:
	if (rc == -1 && how)
		parallel_said(fund_reader_name(r), (size_t)np, how);
	drop_parts(l, job, parts, (size_t)np);
	pthread_mutex_destroy(&mu);
	return rc;
}

/* Standard input or a pipe: windows of it (threads times the part size)
 * read one after the other, each cut after newlines into parts read on
 * threads and merged in order.  From a part that does not line up with
 * the one before, the rest of the stream is read in one pass.  Returns 0
 * when done, an exit status after an error (said), or -1 when r must be
 * read in one pass (nothing consumed). */
static int read_parallel_stream(const struct input_loop *l, struct fund_reader *r)
{
	struct fund_reader *parts[FUND_PARTS_MAX];
	struct part_job job[FUND_PARTS_MAX];
	size_t starts[FUND_PARTS_MAX + 1];
	unsigned long base[FUND_PARTS_MAX + 1];
	unsigned pcs[FUND_PARTS_MAX + 1];
	struct fund_error err = { 0 };
	struct diag_keep dk;
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int threads = threads_wanted(l, 1), eof = 0, rc = 0, np = 0, k, first_bad, fd = 0;
	size_t pmin = (size_t)env_number("FUNDKIT_PART_MIN", 4L << 20), win, len, end, nrest, ncarry, windows = 0;
	const unsigned char *rest, *carry;
	unsigned char *buf;
	unsigned long line = fund_reader_line(r);
	uint64_t off;     /* where buf is in the stream */
	unsigned pc = (unsigned)fund_reader_pending_cr(r);
	void *acc;
	const char *how = "merged";

	if (!l->fork || threads < 2 || fund_reader_stream_rest(r, &rest, &nrest, &carry, &ncarry, &off))
		return -1;
	if (threads > FUND_PARTS_MAX)
		threads = FUND_PARTS_MAX;
	win = (size_t)threads * (pmin > 4096 ? pmin : 4096);
	if (!(buf = malloc(win + nrest + ncarry)) || !(acc = l->fork(l->ctx, 1, diag_keep, &dk))) {
		free(buf);
		return -1;
	}
	memset(&dk, 0, sizeof(dk));
	fd = fund_reader_fd(r);
	memcpy(buf, rest, nrest);
	memcpy(buf + nrest, carry, ncarry);
	len = nrest + ncarry;
	for (;;) {
		int fall = -1;       /* the part from which the rest is read in one pass */
		while (!eof && len < win) {
			ssize_t n = read(fd, buf + len, win - len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				msg("%s: read error: %s", fund_reader_name(r), strerror(errno));
				rc = EXIT_IO;
				goto out;
			}
			if (n == 0)
				eof = 1;
			len += (size_t)n;
		}
		windows++;
		end = eof ? len : fund_reader_cut(r, buf, len, len - len / 4);
		/* the parts: after newlines, and the lines where they start */
		np = 0;
		starts[np++] = 0;
		for (k = 1; end && k < threads; k++) {
			size_t c = fund_reader_cut(r, buf, end, end / (size_t)threads * (size_t)k);
			if (c > starts[np - 1] && c < end)
				starts[np++] = c;
		}
		starts[np] = end;
		base[0] = line;
		pcs[0] = pc;
		for (k = 0; k < np; k++) {
			pcs[k + 1] = pcs[k];
			base[k + 1] = base[k] + fund_lines(buf + starts[k], starts[k + 1] - starts[k], &pcs[k + 1]);
		}
		if (!end) {
			fall = 0;     /* no record starts in the last quarter */
			np = 0;
			goto one_pass;
		}
		memset(job, 0, sizeof(job));
		memset(parts, 0, sizeof(parts));
		first_bad = FUND_PARTS_MAX;
		for (k = 0; k < np; k++) {
			job[k].l = l;
			job[k].index = (size_t)k;
			job[k].first_bad = &first_bad;
			job[k].mu = &mu;
			if (fund_reader_open_stream_part(&parts[k], r, buf + starts[k], starts[k + 1] - starts[k],
							 off + starts[k], 0,
							 !(eof && k == np - 1), base[k], (int)pcs[k], &err) < 0 ||
			    !(job[k].eng = l->fork(acc, k == 0, diag_keep, &job[k].diags))) {
				rc = err.msg[0] ? report(&err) : (msg("out of memory"), EXIT_IO);
				goto drop;
			}
			job[k].r = parts[k];
		}
		for (k = 0; k < np; k++)
			if (!pthread_create(&job[k].th, NULL, run_part, &job[k]))
				job[k].started = 1;
			else
				run_part(&job[k]);
		for (k = 0; k < np; k++)
			if (job[k].started)
				pthread_join(job[k].th, NULL);
		/* in order: each part starts where the one before ended */
		for (k = 0; k < np && fall < 0; k++) {
			if (fund_reader_encoding(parts[k]) != fund_reader_encoding(r)) {
				fall = k;
				how = "encoding changed";
			} else if (job[k].rc < 0 && !job[k].cancelled) {
				diag_replay(&job[k].diags, l->shown);
				rc = report(&job[k].err);
				goto drop;
			} else if (!fund_reader_part_ok(parts[k], k + 1 < np ? parts[k + 1] : NULL)) {
				fall = k;     /* k did not end where k + 1 starts */
				how = "a part did not end at a record's end";
			} else if ((rc = l->merge(acc, job[k].eng, &err)) < 0) {
				if (rc != FUND_ERETRY) {
					rc = report(&err);
					goto drop;
				}
				rc = 0;
				fall = k;
				how = "the parts do not merge exactly";
			} else {
				diag_replay(&job[k].diags, l->shown);
			}
		}
one_pass:
		if (fall >= 0) {
			/* the rest of the stream, from part fall, in one pass,
			 * into acc itself (its sums are those of the rows
			 * before: an overflow is met on its row) */
			struct fund_reader *q = NULL;
			const struct fund_record *rec;
			if (fund_reader_open_stream_part(&q, r, buf + starts[fall], len - starts[fall],
							 off + starts[fall], !eof, 0,
							 base[fall], (int)pcs[fall], &err) < 0) {
				rc = report(&err);
				goto drop;
			}
			rc = l->bind(acc, q, &err);
			while (rc >= 0 && (rc = fund_reader_next(q, &rec, &err)) > 0)
				rc = l->add(acc, rec, &err);
			fund_reader_close(&q);
			diag_replay(&dk, l->shown);
			rc = rc < 0 ? report(&err) : 0;
			eof = 1;
			if (getenv("FUNDKIT_PARALLEL_DEBUG"))
				msg("%s: window %zu: %s: the rest read in one pass", fund_reader_name(r), windows, how);
		}
drop:
		drop_parts(l, job, parts, (size_t)np);
		np = 0;
		if (rc || eof)
			break;
		/* on to the next window, from the end of this one */
		{
			unsigned p2 = pc;
			line += fund_lines(buf, end, &p2);
			pc = p2;
		}
		memmove(buf, buf + end, len - end);
		len -= end;
		off += end;
	}
	if (!rc) {
		if (getenv("FUNDKIT_PARALLEL_DEBUG"))
			msg("%s: %zu windows of %d parts: %s", fund_reader_name(r), windows, threads, how);
		if (l->merge(l->ctx, acc, &err) < 0)
			rc = report(&err);
	}
out:
	l->drop(acc);
	free(buf);
	pthread_mutex_destroy(&mu);
	return rc;
}

int read_inputs(const struct input_loop *l, char **files, int nfiles)
{
	static char dash[] = "-";
	static char *std_in[] = { dash };
	struct progress pg;
	struct fund_error err = { 0 };
	int i, rc;

	if (nfiles == 0) {
		files = std_in;
		nfiles = 1;
	}
	progress_init(&pg, l->quiet);
	for (i = 0; i < nfiles; i++) {
		struct fund_reader *r = NULL;
		const struct fund_record *rec;
		uint64_t rows = 0;

		rc = fund_reader_open(&r, files[i], l->ropts, &err);
		if (rc < 0) {
			progress_end(&pg);
			return report(&err);
		}
		if (fund_reader_empty(r)) {
			msg("%s: empty input: no header", fund_reader_name(r));
			fund_reader_close(&r);
			progress_end(&pg);
			return EXIT_DATA;
		}
		if (fund_reader_ncols(r) == 0) {
			/* JSON without records: nothing to bind or add */
			fund_reader_close(&r);
			continue;
		}
		rc = l->bind(l->ctx, r, &err);
		if (rc >= 0 && l->columns && !env_number("FUNDKIT_ALL_COLUMNS", 0)) {
			int cols[64];
			size_t n = l->columns(l->ctx, cols, 64);
			if (n <= 64)
				fund_reader_only(r, cols, n);
		}
		if (rc >= 0) {
			int p = read_parallel(l, r);
			if (p < 0)
				p = read_parallel_stream(l, r);
			if (p >= 0) {
				fund_reader_close(&r);
				if (p > 0) {
					progress_end(&pg);
					return p;
				}
				continue;
			}
		}
		while (rc >= 0 && (rc = fund_reader_next(r, &rec, &err)) > 0) {
			rc = l->add(l->ctx, rec, &err);
			if (rc > 0)
				break;
			if ((++rows & 8191) == 0)
				progress_update(&pg, r, rows);
		}
		fund_reader_close(&r);
		if (rc > 0) {
			/* the command has what it needs */
			progress_end(&pg);
			return 0;
		}
		if (rc < 0) {
			progress_end(&pg);
			return report(&err);
		}
	}
	progress_end(&pg);
	return 0;
}

/* The reference directory: --ref-dir, FUNDKIT_DATA, then beside the
 * program (../share/fundkit when installed, ../data or ../../data in the
 * source tree),
 * then where make install put it. */
const char *find_data_dir(const char *given, char *buf, size_t size)
{
	static const char *const rel[] = { "/../share/fundkit", "/../data", "/../../data" };
	char exe[PATH_MAX];
	const char *env = getenv("FUNDKIT_DATA");
	ssize_t n;
	size_t i;

	if (given)
		return given;
	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash)
			*slash = '\0';
		for (i = 0; i < 3; i++) {
			snprintf(buf, size, "%s%s/communes.csv", exe, rel[i]);
			if (access(buf, R_OK) == 0) {
				snprintf(buf, size, "%s%s", exe, rel[i]);
				return buf;
			}
		}
	}
	return FUND_DATADIR;
}


/* ---- -O FILE ---- */

int output_complete;
static char *out_final, *out_temp;

static void drop_temp(int sig)
{
	/* async-signal-safe: unlink, then die of the signal */
	if (out_temp)
		unlink(out_temp);
	signal(sig, SIG_DFL);
	raise(sig);
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
	if (!out_final || asprintf(&out_temp, "%.*s.%s.tmp-XXXXXX", (int)dlen, path, path + dlen) < 0) {
		msg("out of memory");
		exit(EXIT_IO);
	}
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
		if (rename(out_temp, out_final) == 0)
			return rc;
		msg("-O %s: cannot replace it: %s", out_final, strerror(errno));
		rc = EXIT_IO;
	} else if (rc == EXIT_OK) {
		rc = EXIT_IO;
	}
	unlink(out_temp);
	if (rc != EXIT_IO || written_ok)
		msg("-O %s: left as it was (the command failed)", out_final);
	return rc;
}
