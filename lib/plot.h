/* Internal to libfund: the plot engine's state, shared by lib/plot.c (the
 * engine), lib/plot_data.c (gnuplot data blocks or a table) and
 * lib/plot_script.c (the gnuplot script). */
#ifndef FUND_PLOT_INTERNAL_H
#define FUND_PLOT_INTERNAL_H

#include "internal.h"

#pragma GCC visibility push(hidden)

#define MAX_BINS 1000000
#define MAX_YEARS 200   /* a series longer than this has a wrong date */

struct pgroup {
	uint64_t count;
	struct fund_sum sum;
	double *x, *w;
	struct fund_amount *a;
	size_t n, cap;
};

struct pcell {
	uint64_t count;
	struct fund_sum sum;
};

struct fund_plot {
	struct fund_plot_opts o;
	int keep_values, keep_amounts, weighted;
	size_t ngroup;
	int *key_idx, period_idx;
	char **key_names, *val_name, *period_name;
	struct fund_vw vw;
	struct fund_groups *groups, *cells;
	const char **kv;
	size_t *kl;
	int pmin, pmax, any_period;
	struct fund_plot_summary s;
	struct fund_row_policy rp;
	const char **own_groups;   /* the -g keys and the pivot after them */
	int pivot;                 /* the last key is the pivot */
};

struct col {
	const char *name;
	enum fund_celltype type;
};

struct emit {
	struct fund_plot *p;
	const struct fund_plot_out *o;
	FILE *fp;
	struct fund_writer *w;
	size_t nkey;               /* table: group key columns before each row */
	size_t ncols;
	const struct col *cols;
	struct fund_cell *cells;   /* nkey + ncols */
	size_t nblocks;
	size_t *blocks;            /* the group of each block written */
	double *extra;             /* lorenz: each block's Gini */
	int failed;
};

extern const char *const fund_plot_kind_names[];

/* lib/plot_data.c: a "# " comment line of s[0..len) (control characters
 * as spaces); the label of group gi, "a / b" (malloc'd, NULL: no memory) */
void fund_plot_put_comment(FILE *fp, const char *s, size_t len);
char *fund_plot_label_of(struct fund_plot *p, size_t gi);

/* lib/plot_script.c: the script around the data; a text that could not
 * be made (no memory) is said by fund_plot_script_failed */
void fund_plot_script_head(struct fund_plot *p, FILE *fp, const struct fund_plot_out *o);
void fund_plot_script_plot(struct fund_plot *p, struct emit *e, FILE *fp, const struct fund_plot_out *o);
int fund_plot_script_failed(int clear);

#pragma GCC visibility pop

#endif
