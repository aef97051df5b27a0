/* fund/run.h - the driver: any list of inputs read into an engine, on
 * threads when the input and the engine allow it.
 *
 * An engine is an object with its own constructor, options and writer
 * (fund_total_new ... fund_total_write, fund_total_free) and this table
 * of operations, through which the driver binds it to each input's
 * header, hands it the records, and, to read one large file on N
 * threads, forks it into one engine a part, runs the parts, checks them
 * in order and merges them back in input order.  Whatever the threads,
 * the engine ends as one pass over the inputs would leave it, and the
 * row problems are said through the diag callback in input order, with
 * their lines in the file.
 *
 * The library's engines: fund_total_engine (fund/total.h),
 * fund_percapita_engine, fund_stats_engine, fund_plot_engine,
 * fund_check_engine, fund_cat_engine.
 */
#ifndef FUND_RUN_H
#define FUND_RUN_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "reader.h"

/* The most parts a file is read in at once, and so threads. */
#define FUND_PARTS_MAX 64

struct fund_engine {
	/* Required: resolve the columns against an input's header (called
	 * once per input, and once per part), and consume a record: 0 to go
	 * on, a positive number when the engine has what it needs (reading
	 * stops), or a negative code. */
	int (*bind)(void *eng, const struct fund_reader *r, struct fund_error *err);
	int (*add)(void *eng, const struct fund_record *rec, struct fund_error *err);
	/* Optional, for reading in parts (NULL: one pass): an empty engine
	 * like eng whose row problems go to diag(dctx), with what eng has
	 * learned when inherit (the first part); fold b into a, which read
	 * the rows before b's (0, FUND_ERETRY when the parts must be read
	 * again in one pass, or another negative code); free a fork. */
	int (*fork)(void *eng, int inherit, fund_diag_fn diag, void *dctx, void **out);
	int (*merge)(void *a, void *b, struct fund_error *err);
	void (*free)(void *eng);
	/* Optional: run on a part's thread when it is read (sorting, say). */
	void (*finish)(void *eng);
	/* Optional: the columns add reads, after bind (up to max in cols;
	 * returns how many): the reader then need not cut out the others. */
	size_t (*columns)(const void *eng, int *cols, size_t max);
	/* The engine writes line numbers as it reads (not only in its
	 * messages): parts count the lines before them first. */
	int lines_first;
	/* Parts a thread (0: four); 1 when a merge costs more than the even
	 * load it buys. */
	int parts_per_thread;
	/* The engine writes as it reads (fund-cat): a file is read a window
	 * at a time (a part a thread), each merged into eng itself as soon
	 * as its window is read, so that memory holds a window's worth, not
	 * the file's; merge may then return 1: no more (a write failed). */
	int ordered;
	/* Optional: a part whose lines were numbered from 1 (parts do
	 * not count the lines before them) is told, before it is merged,
	 * what its line numbers lack, when it keeps them (findings). */
	void (*relocate)(void *part, unsigned long base);
};

struct fund_run_opts {
	const struct fund_reader_opts *reader;   /* NULL: the defaults */
	/* Threads for a large regular file or a stream: 0 is FUNDKIT_THREADS
	 * if set, else one per processor (one fewer for a stream, whose
	 * writer needs a core); 1: one pass. */
	int threads;
	/* The least bytes a part holds (0: FUNDKIT_PART_MIN if set, else
	 * 4 MiB), and whether parts after the first may number their lines
	 * from 1 (the default; FUND_RUN_COUNT_LINES: they count the lines
	 * before them, as the engine's lines_first asks). */
	uint64_t part_min;
	int flags;
	/* The diag callback the engine was made with: the parts' problems
	 * are said through it, in input order, once the parts are checked. */
	fund_diag_fn diag;
	void *diag_ctx;
	/* The problems a part keeps in full (0: 10): the others are said
	 * to diag with a NULL record, for their count. */
	unsigned diag_keep;
	/* Called every few thousand records read in one pass (progress). */
	void (*progress)(void *ctx, const struct fund_reader *r, uint64_t rows);
	void *progress_ctx;
	/* When FUNDKIT_PARALLEL_DEBUG is set: how each input was read
	 * ("name: 8 parts: merged"), one line a call. */
	void (*debug)(void *ctx, const char *line);
	void *debug_ctx;
};
#define FUND_RUN_COUNT_LINES 1

/* Read files[0..n) (n == 0: standard input; "-" is standard input) into
 * eng, one after the other.  Returns 0 when every input was read, 1 when
 * the engine stopped the reading (add returned a positive number), or a
 * negative code, err saying which input and where (an input with no
 * header at all is FUND_EDATA; a JSON input without records binds
 * nothing and adds nothing). */
int fund_run(const struct fund_engine *e, void *eng, const char *const *files, size_t n,
	     const struct fund_run_opts *o, struct fund_error *err);

#endif
