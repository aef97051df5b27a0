/* The driver (fund/run.h): inputs into an engine, in one pass or in parts
 * read on threads, checked and merged in input order. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"
#include "banned.h"

#define DIAG_KEEP 10
#define PARTS_PER_THREAD 4

/* The run: the engine, its options, what the parts report. */
struct run {
	const struct fund_engine *e;
	void *eng;
	const struct fund_run_opts *o;
	unsigned keep;
	int debug;
};

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

static void said(const struct run *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void said(const struct run *x, const char *fmt, ...)
{
	va_list ap;
	char *line = NULL;
	if (!x->debug || !x->o->debug)
		return;
	va_start(ap, fmt);
	if (vasprintf(&line, fmt, ap) >= 0) {
		x->o->debug(x->o->debug_ctx, line);
		free(line);
	}
	va_end(ap);
}

/* ---- a part's row problems, kept to be said in input order ---- */

struct diag_keep {
	unsigned n, cap;
	uint64_t total;
	struct fund_error *e;        /* the first cap in full */
	enum fund_diag_kind *kind;
};

static void diag_keep(void *ctx, enum fund_diag_kind kind, const struct fund_error *e)
{
	struct diag_keep *k = ctx;
	if (e && k->n < k->cap && !k->e) {
		k->e = calloc(k->cap, sizeof(*k->e));
		k->kind = calloc(k->cap, sizeof(*k->kind));
		if (!k->e || !k->kind) {
			free(k->e);
			free(k->kind);
			k->e = NULL;
			k->kind = NULL;
		}
	}
	/* one without memory to keep it is counted, as those past cap */
	if (e && k->n < k->cap && k->e && fund_error_copy(&k->e[k->n], e) == 0)
		k->kind[k->n++] = kind;
	k->total++;
}

static void diag_free(struct diag_keep *k)
{
	while (k->n)
		fund_error_clear(&k->e[--k->n]);
	free(k->e);
	free(k->kind);
	memset(k, 0, sizeof(*k));
}

/* Problems of a part that numbered its lines from 1, which starts at
 * line base + 1 of the file: their lines made the file's. */
static void diag_relocate(struct diag_keep *k, unsigned long base)
{
	unsigned i;
	for (i = 0; i < k->n; i++)
		fund_error_relocate(&k->e[i], base);
}

/* Say them, in order, as they would have come in one pass. */
static void diag_replay(const struct run *x, struct diag_keep *k)
{
	uint64_t i;
	for (i = 0; i < k->total; i++)
		if (x->o->diag)
			x->o->diag(x->o->diag_ctx, i < k->n ? k->kind[i] : FUND_DIAG_AMOUNT, i < k->n ? &k->e[i] : NULL);
	diag_free(k);
	k->cap = x->keep;
}

/* ---- parts on threads ---- */

struct part_job {
	const struct run *x;
	struct fund_reader *r;
	void *eng;
	size_t index;
	int *first_bad;              /* lowest part that failed */
	pthread_mutex_t *mu;
	struct diag_keep diags;
	struct fund_error err;
	int rc, cancelled, started;
	int finished;                /* read (read_ordered) */
	double cpu, end;             /* for FUNDKIT_PARALLEL_DEBUG */
	pthread_t th;
};

static double clock_of(clockid_t id)
{
	struct timespec t;
	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *run_part(void *arg)
{
	struct part_job *j = arg;
	const struct fund_engine *e = j->x->e;
	const struct fund_record *rec;
	uint64_t rows = 0;

	j->rc = e->bind(j->eng, j->r, &j->err);
	while (j->rc >= 0 && (j->rc = fund_reader_next(j->r, &rec, &j->err)) > 0) {
		j->rc = e->add(j->eng, rec, &j->err);
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
	if (j->rc >= 0 && !j->cancelled && e->finish)
		e->finish(j->eng);
	if (j->rc < 0) {
		pthread_mutex_lock(j->mu);
		if (*j->first_bad > (int)j->index)
			*j->first_bad = (int)j->index;
		pthread_mutex_unlock(j->mu);
	}
	j->cpu = clock_of(CLOCK_THREAD_CPUTIME_ID) - j->cpu;
	j->end = clock_of(CLOCK_MONOTONIC);
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
		j->cpu = clock_of(CLOCK_THREAD_CPUTIME_ID);
		run_part(j);
	}
}

static int new_part(const struct run *x, struct part_job *j, void *from, size_t k, int *first_bad,
		    pthread_mutex_t *mu)
{
	j->x = x;
	j->index = k;
	j->first_bad = first_bad;
	j->mu = mu;
	j->diags.cap = x->keep;
	return x->e->fork(from, k == 0, diag_keep, &j->diags, &j->eng);
}

/* Free the parts' engines, readers, errors and kept problems. */
static void drop_parts(const struct run *x, struct part_job *job, struct fund_reader **parts, size_t np)
{
	size_t k;
	for (k = 0; k < np; k++) {
		diag_free(&job[k].diags);
		fund_error_clear(&job[k].err);
		if (job[k].eng)
			x->e->free(job[k].eng);
		job[k].eng = NULL;
		fund_reader_close(&parts[k]);
	}
}

/* --threads, else FUNDKIT_THREADS, else one per processor; for a stream,
 * one fewer: its writer (cat, zcat, a query) needs a core too, and on two
 * cores reading a pipe in parts was slower than one pass (make bench) */
static int threads_wanted(const struct run *x, int stream)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	return x->o->threads ? x->o->threads : env_number("FUNDKIT_THREADS", stream ? ncpu - 1 : ncpu);
}

static uint64_t part_min(const struct run *x)
{
	return x->o->part_min ? x->o->part_min : (uint64_t)env_number("FUNDKIT_PART_MIN", 4L << 20);
}

static int lines_first(const struct run *x)
{
	return x->e->lines_first || (x->o->flags & FUND_RUN_COUNT_LINES);
}

/* Read what follows r's header in parts, one thread each, when the
 * engine and the input allow it.  Returns 0 when done (the engine holds
 * the result), a negative code after an error (err says it; the problems
 * before it said), or 1 when r must be read in one pass (nothing has
 * been said or added). */
static int read_parallel(const struct run *x, struct fund_reader *r, struct fund_error *err)
{
	struct fund_reader *parts[FUND_PARTS_MAX];
	struct part_job job[FUND_PARTS_MAX];
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int threads = threads_wanted(x, 0);
	int first_bad = FUND_PARTS_MAX, np, rc = 1;
	size_t k, bad = 0;
	unsigned long line;
	const char *how = NULL;
	struct part_queue queue;
	pthread_t th[FUND_PARTS_MAX];
	size_t nth = 0, per;
	int lf = lines_first(x);

	if (!x->e->fork || threads < 2)
		return 1;
	/* parts that do not count the lines before them can be many (four
	 * a thread unless the engine says); those that do, one a thread
	 * (later ones read less) */
	per = lf ? 1 : x->e->parts_per_thread ? (size_t)x->e->parts_per_thread : PARTS_PER_THREAD;
	np = fund_reader_split(r, (size_t)threads * per, part_min(x), lf ? 0 : FUND_SPLIT_LINES_LATER, parts, err);
	if (np < 2) {
		if (np < 0)
			said(x, "%s: 0 parts: %s", fund_reader_name(r), fund_error_msg(err));
		fund_error_clear(err);
		return 1;
	}
	memset(job, 0, sizeof(job));
	for (k = 0; k < (size_t)np; k++) {
		job[k].r = parts[k];
		if (new_part(x, &job[k], x->eng, k, &first_bad, &mu) < 0) {
			how = "the engine cannot be read in parts";
			goto out;
		}
	}
	queue.job = job;
	queue.np = (size_t)np;
	queue.next = 0;
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
	if (x->debug)
		for (k = 0; k < (size_t)np; k++)
			said(x, "part %zu: %.3f s of CPU, ended at +%.3f s", k, job[k].cpu, job[k].end - job[0].end);
	/* in input order: a part counts only when the one before ended
	 * where it starts */
	for (k = 0, line = fund_reader_first_line(parts[0]); k < (size_t)np; k++) {
		/* line: where part k starts in the file */
		unsigned long base = fund_reader_lines_known(parts[k]) ? 0 : line - fund_reader_first_line(parts[k]);
		if (base && x->e->relocate)
			x->e->relocate(job[k].eng, base);
		if (job[k].rc < 0 && !job[k].cancelled) {
			/* the first error, where one pass would have stopped;
			 * unless the part decoded bytes one pass would have
			 * decoded otherwise */
			if (!fund_reader_part_ok(parts[k], NULL) && fund_reader_encoding(parts[k]) != fund_reader_encoding(r)) {
				how = "encoding changed";
				goto out;
			}
			/* a part's own total is not one pass's: whether and
			 * where the running total overflows, one pass says */
			if (job[k].rc == FUND_EOVERFLOW) {
				how = "a total overflows in a part";
				goto out;
			}
			if (base && fund_error_relocate(&job[k].err, base) < 0) {
				how = "no memory to say where the error is";
				goto out;
			}
			/* the parts up to it must have read their values as
			 * one pass would have (a decimal mark learned before
			 * a part): else their problems are not one pass's */
			for (bad = 1; bad <= k; bad++)
				if (x->e->merge(job[0].eng, job[bad].eng, err) < 0) {
					fund_error_clear(err);
					how = "the parts before an error do not merge exactly";
					goto out;
				}
			for (bad = 0; bad <= k; bad++) {
				if (bad == k)
					diag_relocate(&job[bad].diags, base);
				diag_replay(x, &job[bad].diags);
			}
			said(x, "%s: %d parts: an error", fund_reader_name(r), np);
			fund_error_move(err, &job[k].err);
			rc = err->code < 0 ? err->code : FUND_EDATA;
			goto out;
		}
		if (!fund_reader_part_ok(parts[k], k + 1 < (size_t)np ? parts[k + 1] : NULL)) {
			how = "a part did not end at a record's end";
			goto out;
		}
		if (base)
			diag_relocate(&job[k].diags, base);
		line += fund_reader_line(parts[k]) - fund_reader_first_line(parts[k]);
	}
	for (k = 1; k < (size_t)np; k++)
		if (x->e->merge(job[0].eng, job[k].eng, err) < 0) {
			fund_error_clear(err);
			how = "the parts do not merge exactly";
			goto out;
		}
	for (k = 0; k < (size_t)np; k++)
		diag_replay(x, &job[k].diags);
	said(x, "%s: %d parts: merged", fund_reader_name(r), np);
	rc = x->e->merge(x->eng, job[0].eng, err);
	if (rc > 0)
		rc = 0;
out:
	if (rc == 1 && how)
		said(x, "%s: %d parts: %s", fund_reader_name(r), np, how);
	drop_parts(x, job, parts, (size_t)np);
	pthread_mutex_destroy(&mu);
	return rc;
}

/* q into eng in one pass: 0, 2 when the engine wants no more, or a
 * negative code. */
static int one_pass(const struct run *x, void *eng, struct fund_reader *q, struct fund_error *err)
{
	const struct fund_record *rec;
	int rc = x->e->bind(eng, q, err);
	while (rc >= 0 && (rc = fund_reader_next(q, &rec, err)) > 0)
		if ((rc = x->e->add(eng, rec, err)) > 0)
			return 2;
	return rc < 0 ? rc : 0;
}

/* One pass from offset from of r's file (a record's start, on line
 * line) to its end, into the engine itself: the rest of a file read a
 * part at a time, from the part that did not line up. */
static int read_rest(const struct run *x, struct fund_reader *r, uint64_t from, unsigned long line,
		     struct fund_error *err)
{
	struct fund_reader *q = NULL;
	int rc = fund_reader_open_rest(&q, r, from, line, err);
	if (rc < 0)
		return rc;
	rc = one_pass(x, x->eng, q, err);
	fund_reader_close(&q);
	return rc;
}

/* Part j, read from r's file or stream, into acc in input order: its
 * problems said, their lines (and the engine's, relocate) moved by base;
 * next, when known, is the part after it, which must start where j
 * ended.  Returns 0 when merged, 2 when merged and the engine wants no
 * more, 1 when the rest is to be read in one pass (*how says why;
 * nothing said or added), or a negative code with err set: j's own
 * error, where one pass would have stopped (the rows before it merged
 * and their problems said), or the merge's. */
static int take_part(const struct run *x, void *acc, const struct fund_reader *r, struct part_job *j,
		     const struct fund_reader *next, unsigned long base, const char **how, struct fund_error *err)
{
	int failed = j->rc < 0 && !j->cancelled, rc;
	if (base && x->e->relocate)
		x->e->relocate(j->eng, base);
	/* the part decoded bytes one pass would have decoded otherwise */
	if (fund_reader_encoding(j->r) != fund_reader_encoding(r)) {
		*how = "encoding changed";
		return 1;
	}
	if (failed) {
		/* a part's own total is not one pass's: whether and where
		 * the running total overflows, one pass says */
		if (j->rc == FUND_EOVERFLOW) {
			*how = "a total overflows in a part";
			return 1;
		}
		if (base && fund_error_relocate(&j->err, base) < 0) {
			*how = "no memory to say where the error is";
			return 1;
		}
	} else if (j->cancelled || !fund_reader_part_ok(j->r, next)) {
		*how = "a part did not end at a record's end";
		return 1;
	}
	/* the rows up to an error too must have read their values as one
	 * pass would have (a decimal mark learned before the part): else
	 * their problems are not one pass's */
	if ((rc = x->e->merge(acc, j->eng, err)) == FUND_ERETRY) {
		fund_error_clear(err);
		*how = failed ? "the part before an error does not merge exactly" : "the parts do not merge exactly";
		return 1;
	}
	if (rc < 0)
		return rc;
	diag_relocate(&j->diags, base);
	diag_replay(x, &j->diags);
	if (failed) {
		fund_error_move(err, &j->err);
		return err->code < 0 ? err->code : FUND_EDATA;
	}
	return rc > 0 ? 2 : 0;
}

/* An engine that writes as it reads (e->ordered): r's file in parts of
 * about the part size, made one after the other and read by the threads
 * as they come, while this thread checks and merges each into the engine
 * in input order as soon as it is read; no more than a few parts a
 * thread are ahead of the last merged, so that memory holds those, not
 * the file.  From a part that does not line up with the one before (a
 * quoted field with a newline across the cut, another encoding, a
 * decimal mark read otherwise), the rest of the file is read in one
 * pass.  Returns 0 when done, 2 when the engine stopped the reading, a
 * negative code after an error (err says it), or 1 when r must be read
 * in one pass (nothing has been said or added). */
struct pipeline {
	struct part_job *job;        /* cap slots, part k in job[k % cap] */
	size_t cap, made, taken;
	int stop, first_bad;
	pthread_mutex_t mu;
	pthread_cond_t work, done;
};

static void *pipe_worker(void *arg)
{
	struct pipeline *p = arg;
	for (;;) {
		struct part_job *j;
		int skip;
		pthread_mutex_lock(&p->mu);
		while (p->taken == p->made && !p->stop)
			pthread_cond_wait(&p->work, &p->mu);
		if (p->taken == p->made) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		j = &p->job[p->taken++ % p->cap];
		skip = p->stop;
		pthread_mutex_unlock(&p->mu);
		if (skip) {
			j->cancelled = 1;
		} else {
			j->cpu = clock_of(CLOCK_THREAD_CPUTIME_ID);
			run_part(j);
		}
		pthread_mutex_lock(&p->mu);
		j->finished = 1;
		pthread_cond_broadcast(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
}

static void drop_job(const struct run *x, struct part_job *j)
{
	diag_free(&j->diags);
	fund_error_clear(&j->err);
	if (j->eng)
		x->e->free(j->eng);
	j->eng = NULL;
	fund_reader_close(&j->r);
}

static int read_ordered(const struct run *x, struct fund_reader *r, struct fund_error *err)
{
	struct part_job job[FUND_PARTS_MAX];
	uint64_t pstart[FUND_PARTS_MAX], from = 0, size = fund_reader_file_size(r), fall_from = 0;
	pthread_t th[FUND_PARTS_MAX];
	struct pipeline p;
	int threads = threads_wanted(x, 0), rc = 0, at_end = 0, fall = 0;
	size_t merged = 0, nth = 0, k;
	unsigned long line = fund_reader_line(r);
	const char *how = "merged";

	if (!x->e->fork || threads < 2 || !size)
		return 1;
	if (threads > FUND_PARTS_MAX / 2)
		threads = FUND_PARTS_MAX / 2;
	memset(&p, 0, sizeof(p));
	memset(job, 0, sizeof(job));
	p.job = job;
	p.cap = (size_t)threads * 2;
	p.first_bad = INT_MAX;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.work, NULL);
	pthread_cond_init(&p.done, NULL);
	for (;;) {
		struct part_job *j;
		/* parts made ahead, up to cap of them not merged */
		while (!at_end && !fall && p.made - merged < p.cap) {
			struct fund_reader *q = NULL;
			uint64_t st[2];
			int n = fund_reader_next_part(r, from, part_min(x), &q, &st[0], &st[1], err);
			if (n < 0 && p.made == 0) {
				said(x, "%s: 0 parts: %s", fund_reader_name(r), fund_error_msg(err));
				fund_error_clear(err);
				rc = 1;
				goto stop;
			}
			if (n < 0) {
				rc = n;
				goto stop;
			}
			if (n == 0 || (p.made == 0 && st[1] >= size)) {
				/* the end; or one part for the whole file */
				fund_reader_close(&q);
				if (p.made == 0) {
					rc = 1;
					goto stop;
				}
				at_end = 1;
				break;
			}
			j = &job[p.made % p.cap];
			memset(j, 0, sizeof(*j));
			j->x = x;
			j->r = q;
			j->index = p.made;
			j->first_bad = &p.first_bad;
			j->mu = &p.mu;
			j->diags.cap = x->keep;
			/* what the engine learned, when it has merged every part
			 * before (else the part starts afresh: the merge checks) */
			if (x->e->fork(x->eng, p.made == merged, diag_keep, &j->diags, &j->eng) < 0) {
				drop_job(x, j);
				if (p.made == 0) {
					said(x, "%s: the engine cannot be read in parts", fund_reader_name(r));
					rc = 1;
					goto stop;
				}
				fall = 1;
				fall_from = from;
				how = "no memory for a part";
				break;
			}
			pstart[p.made % p.cap] = st[0];
			from = st[1];
			at_end = from >= size;
			pthread_mutex_lock(&p.mu);
			p.made++;
			pthread_cond_signal(&p.work);
			pthread_mutex_unlock(&p.mu);
			if (nth < (size_t)threads && nth < p.made) {
				if (pthread_create(&th[nth], NULL, pipe_worker, &p) == 0)
					nth++;
				else if (nth == 0) {
					rc = 1;     /* no thread: one pass, nothing read */
					goto stop;
				}
			}
		}
		if (merged == p.made)
			break;
		/* the next part in input order, once read */
		j = &job[merged % p.cap];
		pthread_mutex_lock(&p.mu);
		while (!j->finished)
			pthread_cond_wait(&p.done, &p.mu);
		pthread_mutex_unlock(&p.mu);
		rc = take_part(x, x->eng, r, j, NULL,
			       fund_reader_lines_known(j->r) ? 0 : line - fund_reader_first_line(j->r), &how, err);
		if (rc == 1) {
			/* the rest from this part, in one pass */
			rc = 0;
			fall = 1;
			fall_from = pstart[merged % p.cap];
			break;
		}
		if (rc < 0) {
			if (j->rc < 0 && !j->cancelled)
				said(x, "%s: %zu parts: an error", fund_reader_name(r), p.made);
			break;
		}
		line += fund_reader_line(j->r) - fund_reader_first_line(j->r);
		drop_job(x, j);
		merged++;
		if (rc == 2)
			break;
	}
stop:
	pthread_mutex_lock(&p.mu);
	p.stop = 1;
	p.first_bad = -1;            /* the parts still read: cancelled */
	pthread_cond_broadcast(&p.work);
	pthread_mutex_unlock(&p.mu);
	for (k = 0; k < nth; k++)
		pthread_join(th[k], NULL);
	for (k = merged; k < p.made; k++)
		drop_job(x, &job[k % p.cap]);
	if (fall && rc == 0) {
		rc = read_rest(x, r, fall_from, line, err);
		said(x, "%s: %zu parts: %s: the rest read in one pass from part %zu", fund_reader_name(r), p.made, how,
		     merged);
	} else if (rc == 0) {
		said(x, "%s: %zu parts: %s", fund_reader_name(r), p.made, how);
	}
	pthread_cond_destroy(&p.work);
	pthread_cond_destroy(&p.done);
	pthread_mutex_destroy(&p.mu);
	return rc;
}

/* Standard input or a pipe: windows of it (threads times the part size)
 * read one after the other, each cut after newlines into parts read on
 * threads and merged in order.  From a part that does not line up with
 * the one before, the rest of the stream is read in one pass.  Returns 0
 * when done, 2 when the engine stopped the reading, a negative code
 * after an error (err says it), or 1 when r
 * must be read in one pass (nothing consumed). */
static int read_parallel_stream(const struct run *x, struct fund_reader *r, struct fund_error *err)
{
	struct fund_reader *parts[FUND_PARTS_MAX];
	struct part_job job[FUND_PARTS_MAX];
	size_t starts[FUND_PARTS_MAX + 1];
	unsigned long base[FUND_PARTS_MAX + 1];
	unsigned pcs[FUND_PARTS_MAX + 1];
	struct diag_keep dk;
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	int threads = threads_wanted(x, 1), eof = 0, rc = 0, np = 0, k, first_bad, fd = 0;
	size_t pmin = (size_t)part_min(x), win, len, end, nrest, ncarry, windows = 0;
	const unsigned char *rest, *carry;
	unsigned char *buf;
	unsigned long line = fund_reader_line(r);
	uint64_t off;     /* where buf is in the stream */
	unsigned pc = (unsigned)fund_reader_pending_cr(r);
	/* the parts merged into acc, the engine itself when it writes as
	 * it reads */
	void *acc = x->e->ordered ? x->eng : NULL;
	const char *how = "merged";

	if (!x->e->fork || threads < 2 || fund_reader_stream_rest(r, &rest, &nrest, &carry, &ncarry, &off))
		return 1;
	if (threads > FUND_PARTS_MAX)
		threads = FUND_PARTS_MAX;
	win = (size_t)threads * (pmin > 4096 ? pmin : 4096);
	memset(&dk, 0, sizeof(dk));
	dk.cap = x->keep;
	if (!(buf = malloc(win + nrest + ncarry)) || (!acc && x->e->fork(x->eng, 1, diag_keep, &dk, &acc) < 0)) {
		free(buf);
		return 1;
	}
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
				rc = fund_error_at(err, FUND_EIO, fund_reader_name(r), 0, NULL, NULL, 0, "read error: %s",
						   strerror(errno));
				err->sys_errno = errno;
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
			if ((rc = fund_reader_open_stream_part(&parts[k], r, buf + starts[k], starts[k + 1] - starts[k],
							       off + starts[k], 0, !(eof && k == np - 1), base[k],
							       (int)pcs[k], err)) < 0)
				goto drop;
			if ((rc = new_part(x, &job[k], acc, (size_t)k, &first_bad, &mu)) < 0) {
				fund_error_set(err, rc, "out of memory");
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
			rc = take_part(x, acc, r, &job[k], k + 1 < np ? parts[k + 1] : NULL, 0, &how, err);
			if (rc == 1) {
				fall = k;
				rc = 0;
			} else if (rc) {
				goto drop;     /* an error, or no more (2) */
			}
		}
one_pass:
		if (fall >= 0) {
			/* the rest of the stream, from part fall, in one pass,
			 * into acc itself (its sums are those of the rows
			 * before: an overflow is met on its row) */
			struct fund_reader *q = NULL;
			if ((rc = fund_reader_open_stream_part(&q, r, buf + starts[fall], len - starts[fall],
							       off + starts[fall], !eof, 0, base[fall], (int)pcs[fall],
							       err)) < 0)
				goto drop;
			rc = one_pass(x, acc, q, err);
			fund_reader_close(&q);
			diag_replay(x, &dk);
			eof = 1;
			said(x, "%s: window %zu: %s: the rest read in one pass", fund_reader_name(r), windows, how);
		}
drop:
		drop_parts(x, job, parts, (size_t)np);
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
	if (rc == 0 || rc == 2) {
		said(x, "%s: %zu windows of %d parts: %s", fund_reader_name(r), windows, threads, how);
		if (acc != x->eng) {
			int m = x->e->merge(x->eng, acc, err);
			if (m < 0)
				rc = m;
		}
	}
out:
	diag_free(&dk);
	if (acc != x->eng)
		x->e->free(acc);
	free(buf);
	pthread_mutex_destroy(&mu);
	return rc;
}

int fund_run(const struct fund_engine *e, void *eng, const char *const *files, size_t nfiles,
	     const struct fund_run_opts *o, struct fund_error *err)
{
	static const char *const std_in[] = { "-" };
	static const struct fund_run_opts none;
	struct fund_error scratch = FUND_ERROR_INIT;
	struct run x;
	size_t i;
	int rc = 0;

	if (!err)
		err = &scratch;
	if (!o)
		o = &none;
	x.e = e;
	x.eng = eng;
	x.o = o;
	x.keep = o->diag_keep ? o->diag_keep : DIAG_KEEP;
	x.debug = o->debug && getenv("FUNDKIT_PARALLEL_DEBUG") != NULL;
	if (nfiles == 0) {
		files = std_in;
		nfiles = 1;
	}
	for (i = 0; i < nfiles && rc == 0; i++) {
		struct fund_reader *r = NULL;
		const struct fund_record *rec;
		uint64_t rows = 0;

		if ((rc = fund_reader_open(&r, files[i], o->reader, err)) < 0)
			break;
		if (fund_reader_empty(r)) {
			rc = fund_error_at(err, FUND_EDATA, fund_reader_name(r), 0, NULL, NULL, 0, "empty input: no header");
			fund_reader_close(&r);
			break;
		}
		if (fund_reader_ncols(r) == 0) {
			/* JSON without records: nothing to bind or add */
			fund_reader_close(&r);
			continue;
		}
		rc = e->bind(eng, r, err);
		if (rc >= 0 && e->columns && !env_number("FUNDKIT_ALL_COLUMNS", 0)) {
			int cols[64];
			size_t n = e->columns(eng, cols, 64);
			if (n <= 64)
				fund_reader_only(r, cols, n);
		}
		if (rc >= 0) {
			int p = e->ordered ? read_ordered(&x, r, err) : read_parallel(&x, r, err);
			if (p == 1)
				p = read_parallel_stream(&x, r, err);
			if (p != 1) {
				fund_reader_close(&r);
				rc = p == 2 ? 1 : p;
				continue;
			}
		}
		while (rc >= 0 && (rc = fund_reader_next(r, &rec, err)) > 0) {
			rc = e->add(eng, rec, err);
			if (rc > 0)
				break;
			if ((++rows & 8191) == 0 && o->progress)
				o->progress(o->progress_ctx, r, rows);
		}
		fund_reader_close(&r);
	}
	fund_error_clear(&scratch);
	return rc < 0 ? fund_error_ensure(err, rc) : rc > 0 ? 1 : 0;
}

int fund_run_write(const struct fund_engine *e, void *eng, const char *const *files, size_t n,
		   const struct fund_run_opts *ro, int (*write)(void *eng, FILE *out, const void *wo,
								struct fund_error *err),
		   FILE *out, const void *wo, int (*describe)(const void *eng, struct fund_summary *sum),
		   struct fund_summary *sum, struct fund_error *err)
{
	int rc;
	memset(sum, 0, sizeof(*sum));
	if ((rc = fund_run(e, eng, files, n, ro, err)) < 0)
		return rc;
	rc = write(eng, out, wo, err);
	if (describe(eng, sum) < 0 && rc >= 0)
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory for the summary");
	return rc < 0 ? rc : 0;
}
