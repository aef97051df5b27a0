/* The engine of fund-diff: two tables compared row by row, by key or as
 * multisets of rows.  See fund/diff.h.
 *
 * Four readings: each file indexed (a 40-byte row: hashes of its key and
 * of its compared cells, and its place), the rows matched in memory, then
 * each file read again for the cells of the rows that differ (and of
 * those whose key is found twice), which are written. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fund/fund.h"
#include "fund/diff.h"
#include "internal.h"
#include "banned.h"

/* the 128-bit hash: fund_h128 (lib/internal.h) */
#define P0 FUND_H_P0
#define P1 FUND_H_P1
#define P2 FUND_H_P2
#define P3 FUND_H_P3
#define h128 fund_h128
#define hput fund_h128_put

/* -------- the two sides -------- */

struct drow {
	uint64_t k0, k1;    /* the key's hash (without keys, the row's) */
	uint64_t c0, c1;    /* the compared cells' hash */
	unsigned long id;   /* the line where it starts (CSV, sheets), or its
	                     * record number (JSON, never read in parts) */
};

/* the cells of a row fetched by the second reading */
struct got {
	char *buf;                  /* the fields, each NUL-terminated */
	size_t *off;                /* ncols + 1 offsets into buf */
	struct fund_amount *amt;    /* per sum */
	unsigned char *ast;         /* per sum: FUND_AMOUNT_* */
	unsigned long line;
	int have;
};

struct sidecfg {
	char *path;       /* the display name */
	char **names;
	size_t ncols;
	int *key, *sum, *grp, *show, *cmp, *solo;
	size_t nsolo, nhash;        /* nhash: the solo columns hashed */
	int json;
};

struct diff;

struct side {
	struct diff *d;
	const struct sidecfg *c;
	int fetch;
	const char *file;
	struct fund_row_policy rp;
	fund_diag_fn diag;
	void *dctx;
	struct fund_amount_ctx *actx;   /* per sum */
	int *maxscale;                  /* per sum, -1 before a value */
	uint64_t *bad;                  /* per sum: unreadable amounts */
	struct fund_amount *am;         /* per sum: this row's */
	unsigned char *ast;
	struct drow *rows;
	size_t n, cap;
	uint32_t *soloh;                /* n * nhash hashes */
	/* fetching: the ids wanted (ascending) and their cells, a slot
	 * each, shared by the parts */
	const unsigned long *want;
	size_t nwant;
	struct got *got;
	struct fund_buf tmp;            /* a key with its letters raised */
};

struct diff {
	const struct fund_diff_opts *o;
	size_t ncmp;
	int *cmp_sum;           /* per compared column: its sum, or -1 */
	struct sidecfg cfg[2];
	struct side s[2];
	struct fund_rows rows[2];       /* the row policy of the first reading */
	size_t nrows[2];                /* rows indexed */
	uint64_t *bad[2];               /* per sum: unreadable amounts */
	int *maxscale[2];               /* per sum: the most decimals read */
	unsigned char *state[2];        /* per row: SAME, CHANGED or GONE, | DUP */
	size_t *pair;                   /* per OLD row matched: its NEW row */
	size_t *first[2];               /* per row: its key's first row */
	size_t *wrow[2];                /* the rows fetched, ascending */
	unsigned long *wid[2];          /* and their ids */
	struct got *got[2];
	size_t nw[2];
	uint64_t *eq;                   /* solo columns: cells alike, per pair */
	uint64_t matched, ndup[2];
	int *outscale;                  /* per sum */
	struct fund_sum *money;         /* per sum: added, removed, changed */
	struct fund_groups *groups;
	struct fund_writer *w;
	struct fund_cell *cells;
	size_t ncells;
	char *notes;
	struct fund_diff_counts *counts;
};

enum { SAME = 0, CHANGED = 1, GONE = 2, DUP = 4, SAY = 8 };

/* the rows of a key found before said one by one, per file (the keys
 * found more than once are counted in the summary) */
#define DUP_SAID 10

#define NSOLO_HASHED 32

static int nomem(struct fund_error *err)
{
	return fund_error_set(err, FUND_ENOMEM, "out of memory");
}

static const char *cell(const struct fund_record *rec, int col, size_t *len)
{
	if (col < 0 || (size_t)col >= rec->n || (rec->is_null && rec->is_null[col] == 1)) {
		*len = 0;
		return "";
	}
	*len = rec->len[col];
	return rec->fields[col];
}

/* a territory code as --key-codes compares it: as --in compares keys
 * (fund_key_norm), letters in upper case (2a004 is 2A004) */
static const char *code_norm(struct side *s, const char *p, size_t len, size_t *out)
{
	size_t i;
	p = fund_key_norm(p, len, out);
	for (i = 0; i < *out && !(p[i] >= 'a' && p[i] <= 'z'); i++)
		;
	if (i == *out)
		return p;
	s->tmp.len = 0;
	if (fund_buf_reserve(&s->tmp, *out))
		return NULL;
	for (i = 0; i < *out; i++)
		s->tmp.p[i] = p[i] >= 'a' && p[i] <= 'z' ? (char)(p[i] - 32) : p[i];
	return s->tmp.p;
}

static int amount_problem(struct side *s, const struct fund_record *rec, size_t k, const char *t, size_t len,
			  struct fund_error *err)
{
	struct fund_error e = FUND_ERROR_INIT;
	const struct sidecfg *c = s->c;
	char q[300];
	s->bad[k]++;
	fund_error_at(&e, FUND_EDATA, s->file, rec->line, c->names[c->sum[k]], t, len,
		      "cannot read '%s' as an amount%s", fund_quote(q, sizeof(q), t, len),
		      s->d->o->strict ? "" : ": compared as text");
	if (rec->sheet)
		fund_error_cell(&e, (unsigned long)c->sum[k] + 1);
	return fund_problem(&e, s->d->o->strict, s->diag, s->dctx, FUND_DIAG_AMOUNT, err);
}

/* an amount hashed by its value: "1 234,50" as "1234.5" */
static void hput_amount(struct h128 *h, const struct fund_amount *a)
{
	fund_i128 u = a->units;
	int scale = a->scale;
	unsigned char b[17];
	while (scale > 0 && u % 10 == 0) {
		u /= 10;
		scale--;
	}
	memcpy(b, &u, 16);
	b[16] = (unsigned char)scale;
	hput(h, b, sizeof(b));
}

static int fetch_row(struct side *s, const struct fund_record *rec, struct fund_error *err)
{
	const struct sidecfg *c = s->c;
	unsigned long id = c->json ? (unsigned long)rec->index : rec->line;
	size_t lo = 0, hi = s->nwant, i, total = 0, len;
	struct got *g;
	const char *t;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->want[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->nwant || s->want[lo] != id)
		return 0;
	g = &s->got[lo];
	if (g->have) {   /* read again in one pass */
		free(g->buf);
		free(g->off);
		free(g->amt);
		free(g->ast);
		memset(g, 0, sizeof(*g));
	}
	for (i = 0; i < c->ncols; i++) {
		cell(rec, (int)i, &len);
		total += len + 1;
	}
	g->buf = malloc(total ? total : 1);
	g->off = malloc((c->ncols + 1) * sizeof(*g->off));
	g->amt = malloc((s->d->o->nsums + 1) * sizeof(*g->amt));
	g->ast = malloc(s->d->o->nsums + 1);
	if (!g->buf || !g->off || !g->amt || !g->ast)
		return nomem(err);
	for (i = 0, total = 0; i < c->ncols; i++) {
		t = cell(rec, (int)i, &len);
		g->off[i] = total;
		memcpy(g->buf + total, t, len);
		g->buf[total + len] = '\0';
		total += len + 1;
	}
	g->off[c->ncols] = total;
	if (s->d->o->nsums) {
		memcpy(g->amt, s->am, s->d->o->nsums * sizeof(*g->amt));
		memcpy(g->ast, s->ast, s->d->o->nsums);
	}
	g->line = rec->line;
	g->have = 1;
	return 0;
}

static int side_add(void *eng, const struct fund_record *rec, struct fund_error *err)
{
	struct side *s = eng;
	const struct sidecfg *c = s->c;
	const struct diff *d = s->d;
	const struct fund_diff_opts *o = d->o;
	struct h128 hk = { P2, P3 }, hc = { P1, P0 };
	struct drow *row;
	size_t k, len;
	const char *t;
	int rc = fund_rows_admit_fast(&s->rp, rec, err);
	if (rc <= 0)
		return rc;
	for (k = 0; k < o->nsums; k++) {
		t = cell(rec, c->sum[k], &len);
		s->ast[k] = (unsigned char)fund_amount_parse(t, len, &s->actx[k], &s->am[k]);
		if (s->fetch)
			continue;
		if (s->ast[k] == FUND_AMOUNT_OK && s->am[k].scale > s->maxscale[k])
			s->maxscale[k] = s->am[k].scale;
		if (s->ast[k] == FUND_AMOUNT_BAD && (rc = amount_problem(s, rec, k, t, len, err)))
			return rc;
	}
	if (s->fetch)
		return fetch_row(s, rec, err);
	for (k = 0; k < d->ncmp; k++) {
		int sk = d->cmp_sum[k];
		t = cell(rec, c->cmp[k], &len);
		if (sk >= 0 && s->ast[sk] == FUND_AMOUNT_OK)
			hput_amount(&hc, &s->am[sk]);
		else if (sk >= 0 && s->ast[sk] == FUND_AMOUNT_MISSING)
			hput(&hc, "", 0);
		else
			hput(&hc, t, len);
	}
	for (k = 0; k < o->nkeys; k++) {
		t = cell(rec, c->key[k], &len);
		if (o->key_codes && !(t = code_norm(s, t, len, &len)))
			return nomem(err);
		hput(&hk, t, len);
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		struct drow *nr = realloc(s->rows, cap * sizeof(*nr));
		if (!nr)
			return nomem(err);
		s->rows = nr;
		if (c->nhash) {
			uint32_t *nh = realloc(s->soloh, cap * c->nhash * sizeof(*nh));
			if (!nh)
				return nomem(err);
			s->soloh = nh;
		}
		s->cap = cap;
	}
	row = &s->rows[s->n];
	if (o->nkeys) {
		row->k0 = hk.a;
		row->k1 = hk.b;
		row->c0 = hc.a;
		row->c1 = hc.b;
	} else {
		row->k0 = hc.a;
		row->k1 = hc.b;
		row->c0 = row->c1 = 0;
	}
	row->id = c->json ? (unsigned long)rec->index : rec->line;
	for (k = 0; k < c->nhash; k++) {
		struct h128 h = { P0, P1 };
		t = cell(rec, c->solo[k], &len);
		hput(&h, t, len);
		s->soloh[s->n * c->nhash + k] = (uint32_t)(h.a ^ h.b);
	}
	s->n++;
	return 0;
}

static int side_bind(void *eng, const struct fund_reader *r, struct fund_error *err)
{
	struct side *s = eng;
	if (fund_reader_ncols(r) != s->c->ncols)
		return fund_error_set(err, FUND_EIO, "%s: the file changed while fund-diff read it",
				      fund_reader_name(r));
	s->file = fund_reader_name(r);
	fund_rows_bind(&s->rp, r);
	return 0;
}

static size_t side_columns(const void *eng, int *cols, size_t max)
{
	const struct side *s = eng;
	const struct sidecfg *c = s->c;
	const struct fund_diff_opts *o = s->d->o;
	size_t n = 0;
	n = fund_put_columns(cols, max, n, c->key, o->nkeys);
	n = fund_put_columns(cols, max, n, c->sum, o->nsums);
	n = fund_put_columns(cols, max, n, c->cmp, s->d->ncmp);
	n = fund_put_columns(cols, max, n, c->solo, c->nhash);
	return n;
}

static void side_release(struct side *s)
{
	free(s->actx);
	free(s->maxscale);
	free(s->bad);
	free(s->am);
	free(s->ast);
	free(s->rows);
	free(s->soloh);
	fund_buf_release(&s->tmp);
	memset(s, 0, sizeof(*s));
}

static int side_init(struct side *s, struct diff *d, const struct sidecfg *c, int fetch)
{
	size_t k, n = d->o->nsums + 1;
	memset(s, 0, sizeof(*s));
	s->d = d;
	s->c = c;
	s->fetch = fetch;
	s->rp.strict = d->o->strict;
	s->actx = calloc(n, sizeof(*s->actx));
	s->maxscale = malloc(n * sizeof(*s->maxscale));
	s->bad = calloc(n, sizeof(*s->bad));
	s->am = calloc(n, sizeof(*s->am));
	s->ast = calloc(n, 1);
	if (!s->actx || !s->maxscale || !s->bad || !s->am || !s->ast) {
		side_release(s);
		return FUND_ENOMEM;
	}
	for (k = 0; k < n; k++) {
		s->actx[k].forced = d->o->decimal;
		s->maxscale[k] = -1;
	}
	return 0;
}

static int side_fork(void *eng, int inherit, fund_diag_fn diag, void *dctx, void **out)
{
	struct side *s = eng, *f = malloc(sizeof(*f));
	*out = NULL;
	if (!f || side_init(f, s->d, s->c, s->fetch)) {
		free(f);
		return FUND_ENOMEM;
	}
	if (inherit)
		memcpy(f->actx, s->actx, s->d->o->nsums * sizeof(*f->actx));
	f->diag = s->fetch ? NULL : diag;
	f->dctx = dctx;
	f->rp.diag = f->diag;
	f->rp.diag_ctx = dctx;
	f->want = s->want;
	f->nwant = s->nwant;
	f->got = s->got;
	*out = f;
	return 0;
}

static int side_merge(void *ea, void *eb, struct fund_error *err)
{
	struct side *a = ea, *b = eb;
	size_t k, nh = a->c->nhash;
	for (k = 0; k < a->d->o->nsums; k++)
		if (fund_amount_ctx_follow(&a->actx[k], &b->actx[k]) < 0)
			return fund_error_set(err, FUND_ERETRY, "amounts read otherwise in parts");
	for (k = 0; k < a->d->o->nsums; k++) {
		if (b->maxscale[k] > a->maxscale[k])
			a->maxscale[k] = b->maxscale[k];
		a->bad[k] += b->bad[k];
	}
	fund_rows_add(&a->rp.n, &b->rp.n);
	if (b->n) {
		if (a->n + b->n > a->cap) {
			size_t cap = a->n + b->n;
			struct drow *nr = realloc(a->rows, cap * sizeof(*nr));
			if (!nr)
				return nomem(err);
			a->rows = nr;
			if (nh) {
				uint32_t *h = realloc(a->soloh, cap * nh * sizeof(*h));
				if (!h)
					return nomem(err);
				a->soloh = h;
			}
			a->cap = cap;
		}
		memcpy(a->rows + a->n, b->rows, b->n * sizeof(*b->rows));
		if (nh)
			memcpy(a->soloh + a->n * nh, b->soloh, b->n * nh * sizeof(*b->soloh));
		a->n += b->n;
	}
	return 0;
}

static void side_free(void *eng)
{
	side_release(eng);
	free(eng);
}

static const struct fund_engine index_engine = {
	side_bind, side_add, side_fork, side_merge, side_free, NULL, side_columns, 1, 1, 0, NULL
};
static const struct fund_engine fetch_engine = {
	side_bind, side_add, side_fork, side_merge, side_free, NULL, NULL, 1, 1, 0, NULL
};

/* -------- the columns of the two files aligned -------- */

static int no_col(struct fund_error *err, const char *opt, const char *name, const char *file)
{
	return fund_error_set(err, FUND_EUSAGE, "%s: column '%s' is not in %s", opt, name, file);
}

/* err's message (of fund_reader_column) said after opt */
static int prefixed(struct fund_error *err, const char *opt)
{
	char *m = strdup(fund_error_msg(err));
	int rc;
	if (!m)
		return nomem(err);
	rc = fund_error_set(err, FUND_EUSAGE, "%s: %s", opt, m);
	free(m);
	return rc;
}

/* spec resolved in OLD, and its partner in NEW */
static int both(const struct fund_reader *r0, const int *partner, const char *opt, const char *spec,
		const char *newname, int *c0, int *c1, struct fund_error *err)
{
	int i = fund_reader_column(r0, spec, err);
	if (i < 0)
		return prefixed(err, opt);
	if (partner[i] < 0)
		return no_col(err, opt, fund_reader_colname(r0, (size_t)i), newname);
	*c0 = i;
	*c1 = partner[i];
	return 0;
}

static int resolve_list(const struct fund_reader *r0, const int *partner, const char *opt,
			const char *const *specs, size_t n, const char *newname, int **l0, int **l1,
			struct fund_error *err)
{
	size_t k;
	int rc;
	*l0 = malloc((n + 1) * sizeof(int));
	*l1 = malloc((n + 1) * sizeof(int));
	if (!*l0 || !*l1)
		return nomem(err);
	for (k = 0; k < n; k++)
		if ((rc = both(r0, partner, opt, specs[k], newname, &(*l0)[k], &(*l1)[k], err)) < 0)
			return rc;
	return 0;
}

static int copy_names(struct sidecfg *c, const struct fund_reader *r, const char *path)
{
	size_t i;
	if (!(c->path = strdup(path)))
		return FUND_ENOMEM;
	c->ncols = fund_reader_ncols(r);
	c->json = fund_reader_is_json(r);
	if (!(c->names = calloc(c->ncols + 1, sizeof(char *))))
		return FUND_ENOMEM;
	for (i = 0; i < c->ncols; i++)
		if (!(c->names[i] = strdup(fund_reader_colname(r, i))))
			return FUND_ENOMEM;
	return 0;
}

static int align(struct diff *d, const struct fund_reader *r0, const struct fund_reader *r1, struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	size_t n0 = fund_reader_ncols(r0), n1 = fund_reader_ncols(r1), i, j, k;
	const char **name1 = NULL;
	int *p0 = NULL, *p1 = NULL, rc = 0, pass;
	unsigned char *ign0 = NULL, *ign1 = NULL, *iskey = NULL;
	const char *oldname = fund_reader_name(r0), *newname = fund_reader_name(r1);

	if ((rc = copy_names(&d->cfg[0], r0, oldname)) < 0 || (rc = copy_names(&d->cfg[1], r1, newname)) < 0)
		return nomem(err);
	name1 = malloc((n1 + 1) * sizeof(*name1));
	p0 = malloc((n0 + 1) * sizeof(int));
	p1 = malloc((n1 + 1) * sizeof(int));
	ign0 = calloc(n0 + 1, 1);
	ign1 = calloc(n1 + 1, 1);
	iskey = calloc(n0 + 1, 1);
	if (!name1 || !p0 || !p1 || !ign0 || !ign1 || !iskey) {
		rc = nomem(err);
		goto out;
	}
	for (j = 0; j < n1; j++) {
		name1[j] = fund_reader_colname(r1, j);
		p1[j] = -1;
	}
	for (i = 0; i < n0; i++)
		p0[i] = -1;
	/* --rename OLD=NEW */
	for (k = 0; k < o->nrenames; k++) {
		const char *eq = strchr(o->renames[k], '=');
		char *a;
		int c0, c1;
		if (!eq || eq == o->renames[k] || !eq[1]) {
			rc = fund_error_set(err, FUND_EUSAGE, "--rename takes OLD=NEW, not '%s'", o->renames[k]);
			goto out;
		}
		if (!(a = strndup(o->renames[k], (size_t)(eq - o->renames[k])))) {
			rc = nomem(err);
			goto out;
		}
		c0 = fund_reader_column(r0, a, err);
		free(a);
		if (c0 < 0 || (c1 = fund_reader_column(r1, eq + 1, err)) < 0) {
			rc = prefixed(err, "--rename");
			goto out;
		}
		if (p1[c1] >= 0 || p0[c0] >= 0) {
			rc = fund_error_set(err, FUND_EUSAGE, "--rename '%s': a column renamed twice", o->renames[k]);
			goto out;
		}
		p0[c0] = c1;
		p1[c1] = c0;
	}
	/* by name: exact first, then trimmed and in any case */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n0; i++) {
			const char *a = fund_reader_colname(r0, i);
			if (p0[i] >= 0)
				continue;
			for (j = 0; j < n1; j++)
				if (p1[j] < 0 && (pass ? fund_names_match(a, name1[j]) : !strcmp(a, name1[j]))) {
					p0[i] = (int)j;
					p1[j] = (int)i;
					break;
				}
		}
	for (k = 0; k < o->nignore; k++) {
		int c = fund_reader_column(r0, o->ignore[k], NULL);
		if (c >= 0) {
			ign0[c] = 1;
			if (p0[c] >= 0)
				ign1[p0[c]] = 1;
		} else if ((c = fund_reader_column(r1, o->ignore[k], NULL)) >= 0) {
			ign1[c] = 1;
		} else {
			rc = fund_error_set(err, FUND_EUSAGE, "--ignore: column '%s' is in neither file", o->ignore[k]);
			goto out;
		}
	}
	if ((rc = resolve_list(r0, p0, "-k", o->keys, o->nkeys, newname, &d->cfg[0].key, &d->cfg[1].key, err)) < 0 ||
	    (rc = resolve_list(r0, p0, "-s", o->sums, o->nsums, newname, &d->cfg[0].sum, &d->cfg[1].sum, err)) < 0 ||
	    (rc = resolve_list(r0, p0, "-g", o->groups, o->ngroups, newname, &d->cfg[0].grp, &d->cfg[1].grp, err)) < 0 ||
	    (rc = resolve_list(r0, p0, "--show", o->show, o->nshow, newname, &d->cfg[0].show, &d->cfg[1].show, err)) < 0)
		goto out;
	for (k = 0; k < o->nkeys; k++)
		iskey[d->cfg[0].key[k]] = 1;
	d->cfg[0].cmp = malloc((n0 + 1) * sizeof(int));
	d->cfg[1].cmp = malloc((n0 + 1) * sizeof(int));
	d->cmp_sum = malloc((n0 + 1) * sizeof(int));
	d->cfg[0].solo = malloc((n0 + 1) * sizeof(int));
	d->cfg[1].solo = malloc((n1 + 1) * sizeof(int));
	if (!d->cfg[0].cmp || !d->cfg[1].cmp || !d->cmp_sum || !d->cfg[0].solo || !d->cfg[1].solo) {
		rc = nomem(err);
		goto out;
	}
	for (i = 0; i < n0; i++) {
		if (ign0[i])
			continue;
		if (p0[i] < 0) {
			d->cfg[0].solo[d->cfg[0].nsolo++] = (int)i;
			continue;
		}
		if (iskey[i])
			continue;
		d->cfg[0].cmp[d->ncmp] = (int)i;
		d->cfg[1].cmp[d->ncmp] = p0[i];
		d->cmp_sum[d->ncmp] = -1;
		for (k = 0; k < o->nsums; k++)
			if (d->cfg[0].sum[k] == (int)i)
				d->cmp_sum[d->ncmp] = (int)k;
		d->ncmp++;
	}
	for (j = 0; j < n1; j++)
		if (!ign1[j] && p1[j] < 0)
			d->cfg[1].solo[d->cfg[1].nsolo++] = (int)j;
	/* the columns of one file only are hashed to find renamed ones */
	if (d->cfg[0].nsolo && d->cfg[1].nsolo) {
		for (k = 0; k < 2; k++)
			d->cfg[k].nhash = d->cfg[k].nsolo < NSOLO_HASHED ? d->cfg[k].nsolo : NSOLO_HASHED;
		if (!(d->eq = calloc(d->cfg[0].nhash * d->cfg[1].nhash, sizeof(*d->eq))))
			rc = nomem(err);
	}
	if (!rc && !o->nkeys && !d->ncmp)
		rc = fund_error_set(err, FUND_EUSAGE, "%s and %s have no column in common to compare", oldname, newname);
out:
	free(name1);
	free(p0);
	free(p1);
	free(ign0);
	free(ign1);
	free(iskey);
	return rc;
}

/* -------- the match -------- */

struct table {
	size_t *slot;      /* row + 1, 0 empty: the first row of each key */
	size_t mask;
	size_t *next;      /* per row: the next row of its key + 1 */
};

static size_t key_slot(const struct table *t, const struct drow *rows, const struct drow *r)
{
	size_t h = (size_t)(r->k0 ^ (r->k1 >> 7)) & t->mask;
	while (t->slot[h] && (rows[t->slot[h] - 1].k0 != r->k0 || rows[t->slot[h] - 1].k1 != r->k1))
		h = (h + 1) & t->mask;
	return h;
}

static int table_build(struct table *t, const struct side *s, size_t *first, unsigned char *state, uint64_t *ndup)
{
	size_t n = 16, i, h;
	while (n < 2 * s->n)
		n *= 2;
	t->mask = n - 1;
	t->slot = calloc(n, sizeof(*t->slot));
	t->next = malloc((s->n + 1) * sizeof(*t->next));
	if (!t->slot || !t->next)
		return FUND_ENOMEM;
	for (i = s->n; i-- > 0;) {
		h = key_slot(t, s->rows, &s->rows[i]);
		t->next[i] = t->slot[h];
		t->slot[h] = i + 1;
	}
	for (h = 0; h < n; h++) {
		size_t head = t->slot[h], x;
		if (!head)
			continue;
		for (x = head; x; x = t->next[x - 1])
			first[x - 1] = head - 1;
		if (t->next[head - 1]) {
			(*ndup)++;
			for (x = head; x; x = t->next[x - 1])
				state[x - 1] |= DUP;
		}
	}
	return 0;
}

static void table_free(struct table *t)
{
	free(t->slot);
	free(t->next);
	memset(t, 0, sizeof(*t));
}

static int match(struct diff *d, struct fund_error *err)
{
	struct side *s0 = &d->s[0], *s1 = &d->s[1];
	struct table t0 = { 0 }, t1 = { 0 };
	size_t *cur = NULL, i, j, k, q, m0 = d->cfg[0].nhash, m1 = d->cfg[1].nhash;
	int rc = 0;

	for (k = 0; k < 2; k++) {
		size_t n = d->s[k].n + 1;
		d->state[k] = malloc(n);
		d->first[k] = malloc(n * sizeof(size_t));
		if (!d->state[k] || !d->first[k])
			return nomem(err);
		memset(d->state[k], GONE, n);
	}
	d->pair = malloc((s0->n + 1) * sizeof(*d->pair));
	cur = malloc((s0->n + 1) * sizeof(*cur));
	if (!d->pair || !cur || table_build(&t0, s0, d->first[0], d->state[0], &d->ndup[0]) ||
	    table_build(&t1, s1, d->first[1], d->state[1], &d->ndup[1])) {
		rc = nomem(err);
		goto out;
	}
	table_free(&t1);
	/* the next row of OLD not yet matched, per key (at its first row) */
	for (i = 0; i < s0->n; i++)
		if (d->first[0][i] == i)
			cur[i] = i + 1;
	for (j = 0; j < s1->n; j++) {
		const struct drow *r = &s1->rows[j];
		size_t h = key_slot(&t0, s0->rows, r), head, c;
		if (!t0.slot[h])
			continue;   /* added */
		head = t0.slot[h] - 1;
		if (!(c = cur[head]))
			continue;   /* more rows of this key in NEW than in OLD */
		i = c - 1;
		cur[head] = t0.next[i];
		d->pair[i] = j;
		k = s0->rows[i].c0 == r->c0 && s0->rows[i].c1 == r->c1 ? SAME : CHANGED;
		d->state[0][i] = (unsigned char)((d->state[0][i] & DUP) | k);
		d->state[1][j] = (unsigned char)((d->state[1][j] & DUP) | k);
		d->matched++;
		for (k = 0; k < m0; k++)
			for (q = 0; q < m1; q++)
				d->eq[k * m1 + q] += s0->soloh[i * m0 + k] == s1->soloh[j * m1 + q];
	}
	/* the rows to fetch: those that differ, and the first DUP_SAID rows
	 * of a key found before (with that key's first row), to be said */
	for (k = 0; k < 2; k++) {
		struct side *s = &d->s[k];
		size_t n = 0, said = 0;
		for (i = 0; i < s->n; i++) {
			if ((d->state[k][i] & DUP) && d->first[k][i] != i && said < DUP_SAID) {
				said++;
				d->state[k][i] |= SAY;
				d->state[k][d->first[k][i]] |= SAY;
			}
		}
		for (i = 0; i < s->n; i++)
			n += (d->state[k][i] & (3 | SAY)) != SAME;
		d->wrow[k] = malloc((n + 1) * sizeof(size_t));
		d->wid[k] = malloc((n + 1) * sizeof(unsigned long));
		d->got[k] = calloc(n + 1, sizeof(struct got));
		if (!d->wrow[k] || !d->wid[k] || !d->got[k]) {
			rc = nomem(err);
			goto out;
		}
		for (i = 0, n = 0; i < s->n; i++)
			if ((d->state[k][i] & (3 | SAY)) != SAME) {
				d->wrow[k][n] = i;
				d->wid[k][n++] = s->rows[i].id;
			}
		d->nw[k] = n;
	}
out:
	table_free(&t0);
	table_free(&t1);
	free(cur);
	return rc;
}

/* the fetched cells of row i of side k */
static const struct got *got_of(const struct diff *d, int k, size_t i)
{
	size_t lo = 0, hi = d->nw[k];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->wrow[k][mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < d->nw[k] && d->wrow[k][lo] == i && d->got[k][lo].have ? &d->got[k][lo] : NULL;
}

static const char *gcell(const struct got *g, int col, size_t *len)
{
	*len = g->off[col + 1] - g->off[col] - 1;
	return g->buf + g->off[col];
}

/* -------- what is written -------- */

/* v at the most decimals of sum k, with flags (FUND_FMT_FRENCH) */
static int amount_text(char *buf, size_t size, const struct diff *d, size_t k, const struct fund_sum *v,
		       unsigned flags)
{
	int sc = d->outscale[k] > v->scale ? d->outscale[k] : v->scale;
	return fund_amount_format(buf, size, v->units, v->scale, sc, flags);
}

/* the same for a cell: French style only in the text formats */
static int put_amount(char *buf, size_t size, const struct diff *d, size_t k, const struct fund_sum *v)
{
	const struct fund_diff_opts *o = d->o;
	return amount_text(buf, size, d, k, v,
			   o->format == FUND_OUT_JSON || o->format == FUND_OUT_NDJSON || o->format == FUND_OUT_XLSX ? 0
			   : o->amount_flags);
}

static int sum_add(struct fund_sum *s, const struct fund_amount *a, int negate, struct fund_error *err)
{
	struct fund_amount x = *a;
	if (negate)
		x.units = -x.units;
	if (fund_sum_add(s, &x))
		return fund_error_set(err, FUND_EOVERFLOW, "the amounts that moved are too large to add exactly");
	return 0;
}

enum { M_ADDED = 0, M_REMOVED = 1, M_CHANGED = 2 };

struct gpay {
	uint64_t n[4];   /* added, removed, changed; 32 bytes keep the sums
	                  * after it on their 16-byte alignment */
};

static struct fund_sum *money_of(void *pay)
{
	return (struct fund_sum *)(void *)((char *)pay + sizeof(struct gpay));
}

/* the group of row g of side k, counted as what, its money added */
static int group_add(struct diff *d, int k, const struct got *g, int what, int count, int negate,
		     struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	const char *keys[64];
	size_t lens[64], idx, s;
	struct gpay *p;
	int rc;
	for (s = 0; s < o->ngroups; s++)
		keys[s] = gcell(g, d->cfg[k].grp[s], &lens[s]);
	if ((rc = fund_groups_get(d->groups, keys, lens, &idx)) < 0)
		return nomem(err);
	p = fund_groups_payload(d->groups, idx);
	if (count)
		p->n[what]++;
	for (s = 0; s < o->nsums; s++)
		if (g->ast[s] == FUND_AMOUNT_OK && (rc = sum_add(&money_of(p)[s * 3 + (size_t)what], &g->amt[s],
								 negate, err)) < 0)
			return rc;
	return 0;
}

static int write_row(struct diff *d, struct fund_error *err)
{
	int rc = fund_writer_row(d->w, d->cells);
	if (rc < 0)
		return fund_writer_fail(err, rc);
	return 0;
}

static void set(struct fund_cell *c, const char *s, size_t len, enum fund_celltype t)
{
	c->s = s;
	c->len = len;
	c->type = t;
}

/* one line of the detail: status, lines, the row's keys (or cells) and
 * shown columns from r (of side k), then column, old, new, delta */
static int detail(struct diff *d, const char *status, const struct got *go, const struct got *gn, int k,
		  const char *col, const char *ov, size_t ol, const char *nv, size_t nl, const char *delta,
		  struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	const struct got *r = k ? gn : go;
	char l0[24], l1[24];
	size_t c = 0, i, len;
	const char *t;
	memset(d->cells, 0, d->ncells * sizeof(*d->cells));
	set(&d->cells[c++], status, strlen(status), FUND_CELL_TEXT);
	if (go) {
		set(&d->cells[c], l0, fund_utoa(l0, go->line), FUND_CELL_NUMBER);
	}
	c++;
	if (gn) {
		set(&d->cells[c], l1, fund_utoa(l1, gn->line), FUND_CELL_NUMBER);
	}
	c++;
	if (o->nkeys)
		for (i = 0; i < o->nkeys; i++, c++) {
			if (r) {
				t = gcell(r, d->cfg[k].key[i], &len);
				set(&d->cells[c], t, len, FUND_CELL_TEXT);
			}
		}
	else
		for (i = 0; i < d->ncmp; i++, c++)
			if (r) {
				t = gcell(r, d->cfg[k].cmp[i], &len);
				set(&d->cells[c], t, len, FUND_CELL_TEXT);
			}
	for (i = 0; i < o->nshow; i++, c++)
		if (r) {
			t = gcell(r, d->cfg[k].show[i], &len);
			set(&d->cells[c], t, len, FUND_CELL_TEXT);
		}
	if (col)
		set(&d->cells[c], col, strlen(col), FUND_CELL_TEXT);
	c++;
	if (ov)
		set(&d->cells[c], ov, ol, FUND_CELL_TEXT);
	c++;
	if (nv)
		set(&d->cells[c], nv, nl, FUND_CELL_TEXT);
	c++;
	if (delta)
		set(&d->cells[c], delta, strlen(delta), FUND_CELL_NUMBER);
	return write_row(d, err);
}

/* a row added (k = 1) or removed (k = 0): a line per amount */
static int one_side(struct diff *d, int k, const struct got *g, struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	const char *status = k ? "added" : "removed";
	size_t s, len;
	char buf[96];
	int rc;
	d->counts->added += k;
	d->counts->removed += !k;
	for (s = 0; s < o->nsums; s++)
		if (g->ast[s] == FUND_AMOUNT_OK &&
		    (rc = sum_add(&d->money[s * 3 + (k ? M_ADDED : M_REMOVED)], &g->amt[s], !k, err)) < 0)
			return rc;
	if (d->groups)
		return group_add(d, k, g, k ? M_ADDED : M_REMOVED, 1, !k, err);
	if (!d->w)
		return 0;
	if (!o->nsums)
		return detail(d, status, k ? NULL : g, k ? g : NULL, k, NULL, NULL, 0, NULL, 0, NULL, err);
	for (s = 0; s < o->nsums; s++) {
		const char *t = gcell(g, d->cfg[k].sum[s], &len), *delta = NULL;
		if (g->ast[s] == FUND_AMOUNT_OK) {
			struct fund_sum v = { 0 };
			if ((rc = sum_add(&v, &g->amt[s], !k, err)) < 0)
				return rc;
			if (put_amount(buf, sizeof(buf), d, s, &v) < 0)
				return fund_error_set(err, FUND_EOVERFLOW, "an amount too large to write");
			delta = buf;
		}
		if ((rc = detail(d, status, k ? NULL : g, k ? g : NULL, k, d->cfg[0].names[d->cfg[0].sum[s]],
				 k ? NULL : t, len, k ? t : NULL, len, delta, err)) < 0)
			return rc;
	}
	return 0;
}

/* a pair of rows with the same key whose compared cells hash otherwise */
static int changed(struct diff *d, const struct got *go, const struct got *gn, struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	size_t c, lo, ln, lines = 0, s;
	char buf[96];
	int rc;
	for (c = 0; c < d->ncmp; c++) {
		const char *a = gcell(go, d->cfg[0].cmp[c], &lo), *b = gcell(gn, d->cfg[1].cmp[c], &ln), *delta = NULL;
		int sk = d->cmp_sum[c], differ;
		struct fund_sum v = { 0 };
		if (sk >= 0 && go->ast[sk] != FUND_AMOUNT_BAD && gn->ast[sk] != FUND_AMOUNT_BAD) {
			int oa = go->ast[sk] == FUND_AMOUNT_OK, na = gn->ast[sk] == FUND_AMOUNT_OK;
			differ = oa != na || (oa && fund_amount_cmp(&go->amt[sk], &gn->amt[sk]));
			if (differ) {
				if ((na && (rc = sum_add(&v, &gn->amt[sk], 0, err)) < 0) ||
				    (oa && (rc = sum_add(&v, &go->amt[sk], 1, err)) < 0))
					return rc;
				if (put_amount(buf, sizeof(buf), d, (size_t)sk, &v) < 0)
					return fund_error_set(err, FUND_EOVERFLOW, "an amount too large to write");
				delta = buf;
			}
		} else {
			differ = lo != ln || memcmp(a, b, lo);
		}
		if (!differ)
			continue;
		lines++;
		if (!d->w)
			break;          /* -g, --summary: one difference is enough */
		if ((rc = detail(d, "changed", go, gn, 1, d->cfg[0].names[d->cfg[0].cmp[c]], a, lo, b, ln,
					 delta, err)) < 0)
			return rc;
	}
	if (!lines) {   /* two rows alike whose hashes differ: not seen yet */
		d->counts->same++;
		return 0;
	}
	d->counts->changed++;
	for (s = 0; s < o->nsums; s++) {
		if (go->ast[s] == FUND_AMOUNT_OK && (rc = sum_add(&d->money[s * 3 + M_CHANGED], &go->amt[s], 1, err)) < 0)
			return rc;
		if (gn->ast[s] == FUND_AMOUNT_OK && (rc = sum_add(&d->money[s * 3 + M_CHANGED], &gn->amt[s], 0, err)) < 0)
			return rc;
	}
	if (d->groups && ((rc = group_add(d, 0, go, M_CHANGED, 0, 1, err)) < 0 ||
			  (rc = group_add(d, 1, gn, M_CHANGED, 1, 0, err)) < 0))
		return rc;
	return 0;
}

static int open_writer(struct diff *d, const char *const *names, size_t n, FILE *out, struct fund_error *err)
{
	int rc;
	if ((rc = fund_writer_open(&d->w, out, d->o->format, names, n)) < 0)
		return fund_writer_fail(err, rc);
	fund_writer_safe(d->w, d->o->safe);
	d->ncells = n;
	if (!(d->cells = calloc(n + 1, sizeof(*d->cells))))
		return nomem(err);
	return 0;
}

static int detail_header(struct diff *d, FILE *out, struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	size_t n = 0, i, max = 7 + o->nkeys + d->ncmp + o->nshow;
	const char **names = malloc(max * sizeof(*names));
	int rc;
	if (!names)
		return nomem(err);
	names[n++] = "status";
	names[n++] = "old_line";
	names[n++] = "new_line";
	if (o->nkeys)
		for (i = 0; i < o->nkeys; i++)
			names[n++] = d->cfg[0].names[d->cfg[0].key[i]];
	else
		for (i = 0; i < d->ncmp; i++)
			names[n++] = d->cfg[0].names[d->cfg[0].cmp[i]];
	for (i = 0; i < o->nshow; i++)
		names[n++] = d->cfg[0].names[d->cfg[0].show[i]];
	names[n++] = "column";
	names[n++] = "old";
	names[n++] = "new";
	names[n++] = "delta";
	rc = open_writer(d, names, n, out, err);
	free(names);
	return rc;
}

static int columns_said(struct diff *d, struct fund_error *err)
{
	size_t k, i;
	int rc;
	for (k = 0; k < 2; k++)
		for (i = 0; i < d->cfg[k].nsolo; i++) {
			if (k)
				d->counts->columns_added++;
			else
				d->counts->columns_removed++;
			if (d->w && !d->groups &&
			    (rc = detail(d, k ? "column-added" : "column-removed", NULL, NULL, (int)k,
					 d->cfg[k].names[d->cfg[k].solo[i]], NULL, 0, NULL, 0, NULL, err)) < 0)
				return rc;
		}
	return 0;
}

static int write_groups(struct diff *d, FILE *out, struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	static const char *const what[] = { "added", "removed", "changed", "net" };
	size_t n = 0, i, k, g, max = o->ngroups + 3 + o->nsums * 4;
	char **names = calloc(max + 1, sizeof(*names));
	char (*num)[96] = malloc((3 + o->nsums * 4 + 1) * sizeof(*num));
	int rc = 0;
	if (!names || !num) {
		rc = nomem(err);
		goto out;
	}
	for (i = 0; i < o->ngroups; i++)
		if (!(names[n++] = strdup(d->cfg[0].names[d->cfg[0].grp[i]])))
			rc = FUND_ENOMEM;
	for (i = 0; i < 3; i++)
		if (!(names[n++] = strdup(what[i])))
			rc = FUND_ENOMEM;
	for (k = 0; k < o->nsums; k++)
		for (i = 0; i < 4; i++)
			if (fund_str_append(&names[n++], "%s:%s", d->cfg[0].names[d->cfg[0].sum[k]], what[i]))
				rc = FUND_ENOMEM;
	if (rc || (rc = open_writer(d, (const char *const *)names, n, out, err)) < 0) {
		rc = rc == FUND_ENOMEM ? nomem(err) : rc;
		goto out;
	}
	for (g = 0; g < fund_groups_count(d->groups) && !rc; g++) {
		struct gpay *p = fund_groups_payload(d->groups, g);
		struct fund_sum *m = money_of(p);
		size_t c = 0, len, x = 0;
		for (i = 0; i < o->ngroups; i++, c++) {
			const char *t = fund_groups_key(d->groups, g, i, &len);
			set(&d->cells[c], t, len, FUND_CELL_TEXT);
		}
		for (i = 0; i < 3; i++, c++, x++) {
			set(&d->cells[c], num[x], fund_utoa(num[x], p->n[i]), FUND_CELL_NUMBER);
		}
		for (k = 0; k < o->nsums && !rc; k++) {
			struct fund_sum net = { 0 };
			for (i = 0; i < 4; i++, c++, x++) {
				const struct fund_sum *v = i < 3 ? &m[k * 3 + i] : &net;
				if (i < 3 && fund_sum_merge(&net, v))
					rc = fund_error_set(err, FUND_EOVERFLOW, "the amounts that moved are too large to add exactly");
				else if (put_amount(num[x], sizeof(num[x]), d, k, v) < 0)
					rc = fund_error_set(err, FUND_EOVERFLOW, "an amount too large to write");
				set(&d->cells[c], num[x], strlen(num[x]), FUND_CELL_NUMBER);
			}
		}
		if (!rc)
			rc = write_row(d, err);
	}
out:
	for (i = 0; names && i < max; i++)
		free(names[i]);
	free(names);
	free(num);
	return rc;
}

/* the counts and the money, in one line */
static int write_summary(struct diff *d, FILE *out, struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	const struct fund_diff_counts *c = d->counts;
	static const char *const what[] = { "added", "removed", "changed" };
	const uint64_t n[3] = { c->added, c->removed, c->changed };
	char *line = NULL, buf[96];
	size_t i, k;
	int rc = 0;
	for (i = 0; i < 3; i++) {
		rc |= fund_str_append(&line, "%s%llu %s", i ? ", " : "", (unsigned long long)n[i], what[i]);
		for (k = 0; k < o->nsums; k++) {
			const struct fund_sum *v = &d->money[k * 3 + i];
			if (amount_text(buf, sizeof(buf), d, k, v, o->amount_flags) < 0)
				return fund_error_set(err, FUND_EOVERFLOW, "an amount too large to write");
			rc |= fund_str_append(&line, "%s%s%s%s%s", k ? ", " : " (", o->nsums > 1 ? d->cfg[0].names[d->cfg[0].sum[k]] : "",
					      o->nsums > 1 ? " " : "", v->units >= 0 ? "+" : "", buf);
			if (k + 1 == o->nsums)
				rc |= fund_str_append(&line, ")");
		}
	}
	if (c->columns_added || c->columns_removed)
		rc |= fund_str_append(&line, "; %zu column%s added, %zu removed", c->columns_added,
				      c->columns_added == 1 ? "" : "s", c->columns_removed);
	if (c->renamed)
		rc |= fund_str_append(&line, "; %zu column%s renamed?", c->renamed, c->renamed == 1 ? "" : "s");
	if (rc) {
		free(line);
		return nomem(err);
	}
	if (fprintf(out, "%s\n", line) < 0)
		rc = fund_error_set(err, FUND_EIO, "write error");
	free(line);
	return rc;
}

/* the keys found more than once: each row after the first, with the
 * first's line, in file order */
static int say_duplicates(struct diff *d, struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	size_t k, w, i;
	for (k = 0; k < 2 && o->nkeys && o->diag; k++)
		for (w = 0; w < d->nw[k]; w++) {
			struct fund_error e = FUND_ERROR_INIT;
			const struct got *g = &d->got[k][w], *f;
			char *key = NULL, q[300];
			size_t len;
			int rc = 0;
			i = d->wrow[k][w];
			if (!(d->state[k][i] & SAY) || d->first[k][i] == i || !g->have ||
			    !(f = got_of(d, (int)k, d->first[k][i])))
				continue;
			for (len = 0; len < o->nkeys; len++) {
				size_t l;
				const char *t = gcell(g, d->cfg[k].key[len], &l);
				rc |= fund_str_append(&key, "%s'%s'", len ? ", " : "", fund_quote(q, sizeof(q), t, l));
			}
			if (rc) {
				free(key);
				return nomem(err);
			}
			fund_error_at(&e, FUND_EDATA, d->cfg[k].path, g->line, NULL, NULL, 0,
				      "key %s also on line %lu: its rows are matched in file order", key, f->line);
			o->diag(o->diag_ctx, FUND_DIAG_KEY, &e);
			fund_error_clear(&e);
			free(key);
		}
	return 0;
}

static int renamed(struct diff *d)
{
	size_t p, q, m0 = d->cfg[0].nhash, m1 = d->cfg[1].nhash, best;
	int rc = 0;
	for (p = 0; p < m0 && d->matched; p++) {
		best = 0;
		for (q = 1; q < m1; q++)
			if (d->eq[p * m1 + q] > d->eq[p * m1 + best])
				best = q;
		if (d->eq[p * m1 + best] * 10 < d->matched * 9)
			continue;
		d->counts->renamed++;
		rc |= fund_str_append(&d->notes, "column '%s' of %s holds what '%s' of %s holds in %llu of %llu rows "
				      "matched: renamed? (--rename '%s=%s' compares them)\n",
				      d->cfg[0].names[d->cfg[0].solo[p]], d->cfg[0].path, d->cfg[1].names[d->cfg[1].solo[best]],
				      d->cfg[1].path, (unsigned long long)d->eq[p * m1 + best], (unsigned long long)d->matched,
				      d->cfg[0].names[d->cfg[0].solo[p]], d->cfg[1].names[d->cfg[1].solo[best]]);
	}
	return rc ? FUND_ENOMEM : 0;
}

static int emit(struct diff *d, FILE *out, struct fund_error *err)
{
	const struct fund_diff_opts *o = d->o;
	size_t i, j, k;
	int rc = 0;
	if (!(d->outscale = malloc((o->nsums + 1) * sizeof(int))) ||
	    !(d->money = calloc(o->nsums * 3 + 1, sizeof(*d->money))))
		return nomem(err);
	for (k = 0; k < o->nsums; k++) {
		d->outscale[k] = d->maxscale[0][k] > d->maxscale[1][k] ? d->maxscale[0][k] : d->maxscale[1][k];
		if (d->outscale[k] < 0)
			d->outscale[k] = 0;
	}
	if (o->ngroups) {
		if (o->ngroups > 64)
			return fund_error_set(err, FUND_ELIMIT, "-g: more than 64 columns");
		if (fund_groups_new(&d->groups, o->ngroups, sizeof(struct gpay) + o->nsums * 3 * sizeof(struct fund_sum)))
			return nomem(err);
	} else if (!o->summary_only && (rc = detail_header(d, out, err)) < 0) {
		return rc;
	}
	if ((rc = columns_said(d, err)) < 0)
		return rc;
	for (i = 0; i < d->nrows[0] && !rc; i++) {
		const struct got *go, *gn;
		int st = d->state[0][i] & 3;
		if (st == SAME) {
			d->counts->same++;
			continue;
		}
		if (!(go = got_of(d, 0, i)))
			return fund_error_set(err, FUND_EIO, "%s: the file changed while fund-diff read it", d->cfg[0].path);
		if (st == GONE) {
			rc = one_side(d, 0, go, err);
			continue;
		}
		if (!(gn = got_of(d, 1, d->pair[i])))
			return fund_error_set(err, FUND_EIO, "%s: the file changed while fund-diff read it", d->cfg[1].path);
		rc = changed(d, go, gn, err);
	}
	for (j = 0; j < d->nrows[1] && !rc; j++) {
		const struct got *gn;
		if ((d->state[1][j] & 3) != GONE)
			continue;
		if (!(gn = got_of(d, 1, j)))
			return fund_error_set(err, FUND_EIO, "%s: the file changed while fund-diff read it", d->cfg[1].path);
		rc = one_side(d, 1, gn, err);
	}
	if (!rc && renamed(d) < 0)
		rc = nomem(err);
	if (rc)
		return rc;
	if (d->groups)
		rc = write_groups(d, out, err);
	else if (o->summary_only)
		rc = write_summary(d, out, err);
	if (!rc && d->w && (rc = fund_writer_finish(d->w)) < 0)
		fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
	return rc;
}

static int describe(struct diff *d, struct fund_summary *s)
{
	const struct fund_diff_opts *o = d->o;
	size_t k, f;
	int rc = 0;
	s->rows = d->rows[0];
	fund_rows_add(&s->rows, &d->rows[1]);
	for (k = 0; k < o->nsums && d->bad[0] && d->bad[1]; k++) {
		uint64_t bad = d->bad[0][k] + d->bad[1][k];
		if (bad)
			rc |= fund_summary_column(s, d->cfg[0].names[d->cfg[0].sum[k]], 0, bad);
	}
	for (f = 0; f < 2; f++)
		if (d->ndup[f])
			rc |= fund_str_append(&s->notes, "%s: %llu key%s found more than once: their rows matched in file order\n",
					      d->cfg[f].path, (unsigned long long)d->ndup[f], d->ndup[f] == 1 ? "" : "s");
	if (d->notes)
		rc |= fund_str_append(&s->notes, "%s", d->notes);
	return rc ? FUND_ENOMEM : 0;
}

static void cfg_release(struct sidecfg *c)
{
	size_t i;
	for (i = 0; c->names && i < c->ncols; i++)
		free(c->names[i]);
	free(c->names);
	free(c->path);
	free(c->key);
	free(c->sum);
	free(c->grp);
	free(c->show);
	free(c->cmp);
	free(c->solo);
}

static void diff_release(struct diff *d)
{
	size_t k, w;
	for (k = 0; k < 2; k++) {
		for (w = 0; d->got[k] && w < d->nw[k]; w++) {
			free(d->got[k][w].buf);
			free(d->got[k][w].off);
			free(d->got[k][w].amt);
			free(d->got[k][w].ast);
		}
		free(d->got[k]);
		free(d->wrow[k]);
		free(d->wid[k]);
		free(d->state[k]);
		free(d->first[k]);
		free(d->bad[k]);
		free(d->maxscale[k]);
		side_release(&d->s[k]);
		cfg_release(&d->cfg[k]);
	}
	free(d->pair);
	free(d->cmp_sum);
	free(d->eq);
	free(d->outscale);
	free(d->money);
	free(d->cells);
	free(d->notes);
	fund_groups_free(&d->groups);
	fund_writer_free(&d->w);
}

int fund_diff(const struct fund_diff_opts *o, const char *old, const char *new,
	      const struct fund_run_opts *ro, FILE *out, struct fund_summary *sum,
	      struct fund_diff_counts *counts, struct fund_error *err)
{
	struct diff d;
	struct fund_run_opts again;
	struct fund_reader_opts heads, quiet;
	struct fund_reader *r0 = NULL, *r1 = NULL;
	const char *path[2] = { old, new };
	size_t k;
	int rc;

	memset(&d, 0, sizeof(d));
	memset(sum, 0, sizeof(*sum));
	memset(counts, 0, sizeof(*counts));
	d.o = o;
	d.counts = counts;
	if (!old || !new || !strcmp(old, "-") || !strcmp(new, "-"))
		return fund_error_set(err, FUND_EUSAGE, "OLD and NEW must be files (fund-diff reads each twice), not "
				      "standard input");
	if (ro && ro->reader)
		heads = *ro->reader;
	else
		memset(&heads, 0, sizeof(heads));
	quiet = heads;
	quiet.note = NULL;
	/* the headers, aligned */
	if ((rc = fund_reader_open(&r0, old, &quiet, err)) < 0 || (rc = fund_reader_open(&r1, new, &quiet, err)) < 0)
		goto out;
	rc = align(&d, r0, r1, err);
	fund_reader_close(&r0);
	fund_reader_close(&r1);
	if (rc < 0)
		goto out;
	/* each file indexed */
	for (k = 0; k < 2 && !rc; k++) {
		if ((rc = side_init(&d.s[k], &d, &d.cfg[k], 0)) < 0) {
			rc = nomem(err);
			break;
		}
		d.s[k].diag = d.s[k].rp.diag = o->diag;
		d.s[k].dctx = d.s[k].rp.diag_ctx = o->diag_ctx;
		rc = fund_run(&index_engine, &d.s[k], &path[k], 1, ro, err);
		d.rows[k] = d.s[k].rp.n;
		d.nrows[k] = d.s[k].n;
		d.bad[k] = d.s[k].bad;
		d.maxscale[k] = d.s[k].maxscale;
		d.s[k].bad = NULL;
		d.s[k].maxscale = NULL;
	}
	if (rc < 0 || (rc = match(&d, err)) < 0)
		goto out;
	/* the rows that differ read again */
	if (ro)
		again = *ro;
	else
		memset(&again, 0, sizeof(again));
	again.reader = &quiet;
	again.diag = NULL;
	for (k = 0; k < 2 && !rc; k++) {
		struct side *s = &d.s[k];
		side_release(s);
		if ((rc = side_init(s, &d, &d.cfg[k], 1)) < 0) {
			rc = nomem(err);
			break;
		}
		s->want = d.wid[k];
		s->nwant = d.nw[k];
		s->got = d.got[k];
		if (d.nw[k])
			rc = fund_run(&fetch_engine, s, &path[k], 1, &again, err);
	}
	if (rc < 0)
		goto out;
	if ((rc = say_duplicates(&d, err)) < 0 || (rc = emit(&d, out, err)) < 0)
		goto out;
	rc = counts->added || counts->removed || counts->changed || counts->columns_added || counts->columns_removed;
out:
	if (!(o->strict && rc < 0) && describe(&d, sum) < 0 && rc >= 0)
		rc = nomem(err);
	fund_reader_close(&r0);
	fund_reader_close(&r1);
	diff_release(&d);
	return rc;
}
