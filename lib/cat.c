/* The engine of fund-cat (fund/cat.h): the union of the headers, column
 * selection, row filters, amount and date normalisation, the writer. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

/* ---- key sets (--in, --not-in) ---- */

struct keyset {
	const struct fund_cat_keys *spec;
	int idx;                   /* COL in the key file, then INCOL in the table */
	struct fund_groups *keys;
};

static int keys_bind(void *ctx, const struct fund_reader *r, struct fund_error *err)
{
	struct keyset *k = ctx;
	int c = fund_reader_column(r, k->spec->col, err);
	if (c < 0)
		return c;
	k->idx = c;
	return 0;
}

static int keys_add(void *ctx, const struct fund_record *rec, struct fund_error *err)
{
	struct keyset *k = ctx;
	size_t len, gi;
	const char *s;
	if ((size_t)k->idx >= rec->n)
		return 0;
	s = fund_key_norm(rec->fields[k->idx], rec->len[k->idx], &len);
	if (len && fund_groups_get(k->keys, &s, &len, &gi) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

static const struct fund_engine keys_engine = { keys_bind, keys_add, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL };

/* ---- lookup joins (--attach) ---- */

enum { ATT_CODE, ATT_NAME, ATT_POP };

struct att_col {                 /* a column an attach without a file gives */
	int kind, level, year;
};

struct attach {
	const struct fund_cat_attach *spec;
	int kidx;                  /* key column in the file, then in the table */
	size_t *cidx, ncols;       /* attached columns of the file */
	char **colname;            /* their names in the output */
	struct att_col *gcol;      /* without a file: what each column is */
	struct fund_groups *keys;  /* key -> row */
	char **vals;               /* row * ncols + col; NULL: empty */
	unsigned long *line;       /* line of each row, for duplicates */
	size_t nrows, cap;
	size_t first;              /* union index of the first attached column */
	uint64_t unmatched, wider;
	char *buf;                 /* populations as text, 24 bytes a column */
	int matched, wide;         /* this row: its key found; its territory wider than a zone */
	int by_code;               /* this row: found through its territory */
	const char *name;          /* the file's, as the reader names it */
	/* with a geography: the file's rows by the territory their key
	 * names (-1: several rows name it) */
	const struct fund_geo *geo;
	struct fund_groups *canon;
	long *canon_row;
	size_t canon_cap;
	uint64_t through_code;
};

/* The territory a key names, as "level:index" in buf, for keys that
 * differ only in how they write it (a former commune, an arrondissement,
 * a SIRET): its length, or 0 when it names none, or several. */
static size_t canon_key(const struct fund_geo *g, const char *s, size_t len, char *buf, size_t size)
{
	enum fund_level lv;
	const uint32_t *parts;
	uint32_t one;
	size_t n;
	unsigned how;
	if (!g || fund_geo_lookup_all(g, s, len, FUND_LEVEL_AUTO, &lv, &parts, &n, &one, &how) != 0 || n != 1)
		return 0;
	n = (size_t)fund_fmt(buf, size, "%d:%lu", (int)lv, (unsigned long)parts[0]);
	return n == (size_t)-1 ? 0 : n;
}

static int att_canon(struct attach *a, const char *s, size_t len, size_t row)
{
	char buf[48];
	const char *k = buf;
	size_t kl = canon_key(a->geo, s, len, buf, sizeof(buf)), ci;
	int rc;
	if (!kl)
		return 0;
	if ((rc = fund_groups_get(a->canon, &k, &kl, &ci)) < 0)
		return rc;
	if (ci >= a->canon_cap) {
		size_t cap = a->canon_cap ? a->canon_cap * 2 : 256;
		long *r = realloc(a->canon_row, cap * sizeof(*r));
		if (!r)
			return FUND_ENOMEM;
		a->canon_row = r;
		a->canon_cap = cap;
	}
	if (rc == 1)
		a->canon_row[ci] = (long)row;
	else if (a->canon_row[ci] != (long)row)
		a->canon_row[ci] = -1;
	return 0;
}

static int att_bind(void *ctx, const struct fund_reader *r, struct fund_error *err)
{
	struct attach *a = ctx;
	const struct fund_cat_attach *s = a->spec;
	size_t i, n = fund_reader_ncols(r);
	int c = fund_reader_column(r, s->key, err);
	if (c < 0)
		return c;
	a->kidx = c;
	a->ncols = s->ncols ? s->ncols : n - 1;
	if (!(a->cidx = calloc(a->ncols + 1, sizeof(*a->cidx))) || !(a->colname = calloc(a->ncols + 1, sizeof(char *))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < a->ncols; i++) {
		if (s->ncols) {
			if ((c = fund_reader_column(r, s->cols[i], err)) < 0)
				return c;
			a->cidx[i] = (size_t)c;
		} else {
			a->cidx[i] = i < (size_t)a->kidx ? i : i + 1;
		}
		if (!(a->colname[i] = strdup(fund_reader_colname(r, a->cidx[i]))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if (!(a->name = strdup(fund_reader_name(r))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

static int att_add(void *ctx, const struct fund_record *rec, struct fund_error *err)
{
	struct attach *a = ctx;
	const char *s;
	size_t len, gi, i;
	int rc;
	if ((size_t)a->kidx >= rec->n)
		return 0;
	s = fund_key_norm(rec->fields[a->kidx], rec->len[a->kidx], &len);
	if (!len)
		return 0;
	if ((rc = fund_groups_get(a->keys, &s, &len, &gi)) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (rc == 0) {
		char q[200];
		return fund_error_at(err, FUND_EDATA, a->name, rec->line, a->spec->key, NULL, 0,
				     "key '%s' is found twice (also on line %lu): which row to attach is not known",
				     fund_quote(q, sizeof(q), s, len), a->line[gi]);
	}
	if (gi >= a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 256;
		char **v = realloc(a->vals, cap * (a->ncols ? a->ncols : 1) * sizeof(*v));
		unsigned long *l;
		if (v)
			a->vals = v;
		l = v ? realloc(a->line, cap * sizeof(*l)) : NULL;
		if (!l)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		a->line = l;
		a->cap = cap;
	}
	a->line[gi] = rec->line;
	if (a->canon && att_canon(a, rec->fields[a->kidx], rec->len[a->kidx], gi) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < a->ncols; i++) {
		size_t k = a->cidx[i];
		char **v = &a->vals[gi * a->ncols + i];
		*v = NULL;
		if (k < rec->n && !(rec->is_null && rec->is_null[k]) && !(*v = strndup(rec->fields[k], rec->len[k])))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	a->nrows = gi + 1;
	return 0;
}

static const struct fund_engine att_engine = { att_bind, att_add, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL };

/* An attach without a file: its columns from the names asked. */
static int att_geo(struct attach *a, const struct fund_geo *g, struct fund_error *err)
{
	const struct fund_cat_attach *s = a->spec;
	size_t i, n = 0;
	if (!g)
		return fund_error_set(err, FUND_EUSAGE, "--attach: no reference geography to attach from");
	a->gcol = calloc(2 * s->ncols + 1, sizeof(*a->gcol));
	a->colname = calloc(2 * s->ncols + 1, sizeof(char *));
	a->buf = malloc(24 * (2 * s->ncols + 1));
	if (!a->gcol || !a->colname || !a->buf)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < s->ncols; i++) {
		const char *nm = s->cols[i];
		int l = fund_geo_level(g, nm), y = 0;
		if (l < 0 && !strncmp(nm, "population", 10)) {
			const int *ys;
			size_t ny = fund_geo_population_years(g, &ys), k;
			if (!nm[10]) {
				y = -1;
			} else if (nm[10] == '_') {
				for (k = 0; k < ny; k++)
					if (ys[k] == (int)strtol(nm + 11, NULL, 10) && strlen(nm) == 15)
						y = ys[k];
			}
		}
		if (l < 0 && !y) {
			char *list = NULL;
			size_t k;
			const int *ys;
			size_t ny = fund_geo_population_years(g, &ys);
			int rc = 0;
			for (k = FUND_LEVEL_EPCI; k < fund_geo_nlevels(g) && !rc; k++)
				rc = fund_str_append(&list, "%s, ", fund_geo_level_name(g, (int)k));
			rc |= fund_str_append(&list, "population");
			for (k = 0; k < ny && !rc; k++)
				rc = fund_str_append(&list, ", population_%d", ys[k]);
			if (rc) {
				free(list);
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			}
			fund_error_set(err, FUND_EUSAGE, "--attach: no file '%s', nor anything the reference tells of a "
				       "commune by that name (%s)", nm, list);
			free(list);
			return FUND_EUSAGE;
		}
		if (l >= 0) {
			a->gcol[n].kind = ATT_CODE;
			a->gcol[n].level = l;
			a->colname[n++] = strdup(nm);
			a->gcol[n].kind = ATT_NAME;
			a->gcol[n].level = l;
			if (fund_str_append(&a->colname[n++], "%s_nom", nm) < 0)
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
		} else {
			a->gcol[n].kind = ATT_POP;
			a->gcol[n].year = y;
			a->colname[n++] = strdup(nm);
		}
		if (!a->colname[n - 1])
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	a->ncols = n;
	if (!(a->name = strdup("the reference geography")))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

static void att_free(struct attach *a)
{
	size_t i;
	for (i = 0; i < a->nrows * a->ncols; i++)
		free(a->vals[i]);
	for (i = 0; i < a->ncols; i++)
		free(a->colname[i]);
	free(a->colname);
	free(a->vals);
	free(a->line);
	free(a->cidx);
	free(a->gcol);
	free(a->buf);
	free((void *)a->name);
	free(a->canon_row);
	fund_groups_free(&a->canon);
	fund_groups_free(&a->keys);
}

/* ---- the table ---- */

struct cat {
	const struct fund_cat_opts *o;
	FILE *out;
	/* the output columns: the union of the inputs' headers */
	char **names;
	size_t nnames;
	size_t *sel;               /* -c: output column -> union column */
	size_t nsel;
	int *map;                  /* union column -> input column, this input */
	size_t direct;             /* map[i] == i for the first direct columns */
	int sel_all;               /* sel[i] == i for every column: cells written as they are */
	int *widx;                 /* --where: the union column of each */
	struct keyset *ks;
	struct attach *att;
	size_t *upv, nupv;         /* --unpivot: the columns, then the two made */
	long upv_name, upv_value;
	int said_values;           /* this input row's cells without a value said */
	unsigned char *is_upv;
	unsigned char *is_amount, *is_date;
	int normalises;            /* a column of amounts or dates */
	struct fund_amount_ctx *actx;
	int write_failed;
	uint64_t written, bad_amounts, bad_dates, no_value;
	struct fund_writer *wr;
	struct fund_cell *cells, *out_cells;
	/* the fund_record.plain of each cell (0: not the record's), and of
	 * each cell written: one block, out_plain in it */
	unsigned char *plain, *out_plain;
	char *buf;                 /* per-column scratch for numbers, 128 bytes each */
	const char *file;
	struct fund_row_policy rp;
	fund_diag_fn diag;         /* the row problems: o's, or a part's */
	void *diag_ctx;
	struct cat *parent;        /* a part's: the table it shares */
};

static int union_index(const struct cat *t, const char *name)
{
	size_t i;
	for (i = 0; i < t->nnames; i++)
		if (!strcmp(t->names[i], name))
			return (int)i;
	return -1;
}

/* The m-th column of the union named name (from 0), or -1 */
static int union_nth(const struct cat *t, const char *name, size_t m)
{
	size_t i;
	for (i = 0; i < t->nnames; i++)
		if (!strcmp(t->names[i], name) && m-- == 0)
			return (int)i;
	return -1;
}

/* How many columns of r before column k have its name: a file's second
 * column 'a' is the union's second column 'a', never folded into the first */
static size_t name_rank(const struct fund_reader *r, size_t k)
{
	const char *name = fund_reader_colname(r, k);
	size_t i, m = 0;
	for (i = 0; i < k; i++)
		m += !strcmp(fund_reader_colname(r, i), name);
	return m;
}

static int append_name(struct cat *t, const char *name, struct fund_error *err)
{
	char **n;
	if (!(n = realloc(t->names, (t->nnames + 1) * sizeof(char *))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	t->names = n;
	if (!(n[t->nnames] = strdup(name)))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	t->nnames++;
	return 0;
}

static int add_name(struct cat *t, const char *name, struct fund_error *err)
{
	return union_index(t, name) >= 0 ? 0 : append_name(t, name, err);
}

/* Column k of input r in the union: its name's rank-th column, added
 * when the union has fewer */
static int add_input_name(struct cat *t, const struct fund_reader *r, size_t k, struct fund_error *err)
{
	const char *name = fund_reader_colname(r, k);
	return union_nth(t, name, name_rank(r, k)) >= 0 ? 0 : append_name(t, name, err);
}

/* The attached columns' names, after the inputs'. */
static int add_attached(struct cat *t, struct fund_error *err)
{
	size_t i, k;
	int rc;
	for (i = 0; i < t->o->nattach; i++) {
		struct attach *a = &t->att[i];
		a->first = t->nnames;
		for (k = 0; k < a->ncols; k++) {
			if (union_index(t, a->colname[k]) >= 0)
				return fund_error_set(err, FUND_EUSAGE, "--attach: the table already has a column '%s' "
						      "(choose the columns to attach)", a->colname[k]);
			if ((rc = add_name(t, a->colname[k], err)) < 0)
				return rc;
		}
	}
	return 0;
}

/* The attached cells of this row, from its key. */
static void att_fill(struct cat *t, struct attach *a)
{
	const struct fund_cell *kc = &t->cells[a->kidx];
	struct fund_cell *c = &t->cells[a->first];
	size_t k, len = 0, gi;
	const char *s;
	for (k = 0; k < a->ncols; k++) {
		c[k].s = NULL;
		c[k].len = 0;
		c[k].type = FUND_CELL_TEXT;
	}
	a->matched = a->wide = a->by_code = 0;
	if (!kc->s)
		return;
	if (a->spec->file) {
		s = fund_key_norm(kc->s, kc->len, &len);
		if (!len)
			return;
		if (!fund_groups_find(a->keys, &s, &len, &gi)) {
			/* the same territory written otherwise */
			char buf[48];
			const char *ck = buf;
			size_t cl = a->canon ? canon_key(a->geo, kc->s, kc->len, buf, sizeof(buf)) : 0, ci;
			if (!cl || !fund_groups_find(a->canon, &ck, &cl, &ci) || a->canon_row[ci] < 0)
				return;
			gi = (size_t)a->canon_row[ci];
			a->by_code = 1;
		}
		for (k = 0; k < a->ncols; k++)
			if ((c[k].s = a->vals[gi * a->ncols + k]))
				c[k].len = strlen(c[k].s);
	} else {
		const struct fund_geo *g = t->o->geo;
		enum fund_level lv;
		unsigned how;
		const uint32_t *parts;
		uint32_t one;
		size_t np, m;
		if (fund_geo_lookup_all(g, kc->s, kc->len, FUND_LEVEL_AUTO, &lv, &parts, &np, &one, &how) != 0)
			return;
		gi = parts[0];
		for (k = 0; k < a->ncols; k++) {
			const struct att_col *gc = &a->gcol[k];
			if (gc->kind == ATT_POP) {
				/* a commune since divided: its parts' */
				int64_t p = -1;
				for (m = 0; m < np; m++) {
					int64_t q = fund_geo_population_of(g, gc->year < 0 ? 0 : gc->year, lv, parts[m]);
					if (q >= 0)
						p = (p < 0 ? 0 : p) + q;
				}
				if (p >= 0) {
					fund_itoa(a->buf + 24 * k, p);
					c[k].s = a->buf + 24 * k;
					c[k].type = FUND_CELL_NUMBER;
				}
			} else {
				long z = fund_geo_parent(g, lv, gi, (enum fund_level)gc->level);
				for (m = 1; m < np && z >= 0; m++)
					if (fund_geo_parent(g, lv, parts[m], (enum fund_level)gc->level) != z)
						z = -1;
				if (z < 0)
					a->wide = 1;
				else
					c[k].s = gc->kind == ATT_CODE ? fund_geo_code(g, (enum fund_level)gc->level, (size_t)z)
								      : fund_geo_name(g, (enum fund_level)gc->level, (size_t)z);
			}
			if (c[k].s)
				c[k].len = strlen(c[k].s);
		}
	}
	a->matched = 1;
}

/* a column of the union by name (exact, then ignoring case and blanks) or
 * 1-based index: its index, or -1 */
static long resolve(const struct cat *t, const char *spec)
{
	size_t i;
	char *end;
	long v;
	int k = union_index(t, spec);
	if (k >= 0)
		return k;
	for (i = 0; i < t->nnames; i++)
		if (fund_names_match(t->names[i], spec))
			return (long)i;
	v = strtol(spec, &end, 10);
	if (end != spec && !*end && v >= 1 && (size_t)v <= t->nnames)
		return v - 1;
	return -1;
}

static int no_column(const struct cat *t, const char *what, const char *spec, struct fund_error *err)
{
	char *list = NULL;
	size_t i;
	int rc = 0;
	for (i = 0; i < t->nnames && !rc; i++)
		rc = fund_str_append(&list, "%s'%s'", i ? ", " : "", t->names[i]);
	if (rc) {
		free(list);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	fund_error_set(err, FUND_EUSAGE, "%s: no column '%s' (the columns: %s)", what, spec, list ? list : "");
	free(list);
	return FUND_EUSAGE;
}

/* A list of columns as -c takes them (names, indexes, ranges) into
 * *out, *nout. */
static int parse_columns(struct cat *t, const char *const *specs, size_t nspecs, const char *opt, size_t **out,
			 size_t *nout, struct fund_error *err)
{
	size_t i;
	for (i = 0; i < nspecs; i++) {
		const char *s = specs[i];
		long k = resolve(t, s), lo, hi;
		char *end;
		size_t *n;
		if (k >= 0) {
			lo = hi = k;
		} else {
			lo = strtol(s, &end, 10);
			if (end == s || *end != '-' || lo < 1)
				return no_column(t, opt, s, err);
			s = end + 1;
			hi = *s ? strtol(s, &end, 10) : (long)t->nnames;
			if ((*s && *end) || hi < lo || hi > (long)t->nnames)
				return fund_error_set(err, FUND_EUSAGE, "%s: '%s' is not a range of the %zu columns", opt,
						      specs[i], t->nnames);
			lo--;
			hi--;
		}
		if (!(n = realloc(*out, (*nout + (size_t)(hi - lo) + 2) * sizeof(size_t))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		*out = n;
		for (; lo <= hi; lo++)
			(*out)[(*nout)++] = (size_t)lo;
	}
	return 0;
}

/* -c LIST; without it every column, but those unpivoted */
static int select_columns(struct cat *t, struct fund_error *err)
{
	size_t i;
	if (!t->o->ncolumns) {
		if (!(t->sel = calloc(t->nnames + 1, sizeof(size_t))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		for (i = 0; i < t->nnames; i++)
			if (!t->is_upv || !t->is_upv[i])
				t->sel[t->nsel++] = i;
		return 0;
	}
	return parse_columns(t, t->o->columns, t->o->ncolumns, "-c", &t->sel, &t->nsel, err);
}

/* --unpivot: the columns, and the two it makes, after the inputs' */
static int add_unpivot(struct cat *t, struct fund_error *err)
{
	const struct fund_cat_opts *o = t->o;
	const char *nm = o->unpivot_names ? o->unpivot_names : "name";
	const char *vm = o->unpivot_values ? o->unpivot_values : "value";
	size_t i;
	int rc;
	t->upv_name = t->upv_value = -1;
	if (!o->nunpivot)
		return 0;
	if ((rc = parse_columns(t, o->unpivot, o->nunpivot, "--unpivot", &t->upv, &t->nupv, err)) < 0)
		return rc;
	if (!strcmp(nm, vm))
		return fund_error_set(err, FUND_EUSAGE, "--unpivot: the names and the values need two columns, not '%s'", nm);
	if (union_index(t, nm) >= 0 || union_index(t, vm) >= 0)
		return fund_error_set(err, FUND_EUSAGE, "--unpivot: the table already has a column '%s' (name the new "
				      "ones with --names and --values)", union_index(t, nm) >= 0 ? nm : vm);
	if (!(t->is_upv = calloc(t->nnames + 3, 1)))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < t->nupv; i++)
		t->is_upv[t->upv[i]] = 1;
	t->upv_name = (long)t->nnames;
	t->upv_value = (long)t->nnames + 1;
	if ((rc = add_name(t, nm, err)) < 0 || (rc = add_name(t, vm, err)) < 0)
		return rc;
	return 0;
}

static int mark_columns(struct cat *t, const char *const *spec, size_t n, unsigned char *flags,
			const char *opt, struct fund_error *err)
{
	size_t i;
	for (i = 0; i < n; i++) {
		long k = resolve(t, spec[i]);
		if (k < 0)
			return no_column(t, opt, spec[i], err);
		flags[k] = 1;
		t->normalises = 1;
	}
	return 0;
}

/* once the union header is known: resolve everything, open the writer */
static int start(struct cat *t, struct fund_error *err)
{
	const struct fund_cat_opts *o = t->o;
	const char **names;
	size_t i;
	int rc;
	if ((rc = select_columns(t, err)) < 0)
		return rc;
	t->is_amount = calloc(t->nnames + 1, 1);
	t->is_date = calloc(t->nnames + 1, 1);
	t->actx = calloc(t->nnames + 1, sizeof(*t->actx));
	t->cells = calloc(t->nnames + 1, sizeof(*t->cells));
	t->out_cells = calloc(t->nsel + 1, sizeof(*t->out_cells));
	if ((t->plain = calloc(t->nnames + t->nsel + 2, 1)))
		t->out_plain = t->plain + t->nnames + 1;
	t->buf = malloc((t->nnames + 1) * 128);
	t->widx = calloc(o->nwhere + 1, sizeof(int));
	if (!t->is_amount || !t->is_date || !t->actx || !t->cells || !t->out_cells || !t->plain || !t->buf || !t->widx)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < t->nnames; i++)
		t->actx[i].forced = o->decimal;
	if ((rc = mark_columns(t, o->amounts, o->namounts, t->is_amount, "--amounts", err)) < 0 ||
	    (rc = mark_columns(t, o->dates, o->ndates, t->is_date, "--dates", err)) < 0)
		return rc;
	for (i = 0; i < o->nwhere; i++) {
		long k = resolve(t, o->where[i].col);
		if (k < 0)
			return no_column(t, "--where", o->where[i].col, err);
		t->widx[i] = (int)k;
	}
	for (i = 0; i < o->nkeys; i++) {
		long k = resolve(t, o->keys[i].incol);
		if (k < 0)
			return no_column(t, o->keys[i].negate ? "--not-in" : "--in", o->keys[i].incol, err);
		t->ks[i].idx = (int)k;
	}
	for (i = 0; i < o->nattach; i++) {
		const struct fund_cat_attach *s = &o->attach[i];
		const char *in = s->incol ? s->incol : s->key;
		long k = in ? resolve(t, in) : -1;
		if (k < 0 || (size_t)k >= t->att[i].first)
			return in ? no_column(t, "--attach", in, err)
				  : fund_error_set(err, FUND_EUSAGE, "--attach: name the column of codes (-k)");
		t->att[i].kidx = (int)k;
	}
	if (!(names = calloc(t->nsel + 1, sizeof(char *))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < t->nsel; i++)
		names[i] = t->names[t->sel[i]];
	rc = fund_writer_open(&t->wr, t->out, o->format, names, t->nsel);
	free(names);
	if (rc)
		return fund_writer_fail(err, rc);
	fund_writer_safe(t->wr, o->safe);
	return 0;
}

static int cat_bind(void *ctx, const struct fund_reader *r, struct fund_error *err)
{
	struct cat *t = ctx;
	size_t i, n = fund_reader_ncols(r);
	int rc;
	if (!t->wr) {
		/* standard input, alone: its header is the table's */
		for (i = 0; i < n; i++)
			if ((rc = add_input_name(t, r, i, err)) < 0)
				return rc;
		if ((rc = add_unpivot(t, err)) < 0 || (rc = add_attached(t, err)) < 0 || (rc = start(t, err)) < 0)
			return rc;
	}
	free(t->map);
	if (!(t->map = malloc((t->nnames + 1) * sizeof(int))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < t->nnames; i++)
		t->map[i] = -1;
	for (i = 0; i < n; i++) {
		int k = union_nth(t, fund_reader_colname(r, i), name_rank(r, i));
		if (k < 0)
			return fund_error_set(err, FUND_EUSAGE, "%s: column '%s' is not in the other inputs (read "
					      "standard input alone, or name it as a file)", fund_reader_name(r),
					      fund_reader_colname(r, i));
		if (t->map[k] < 0)
			t->map[k] = (int)i;
	}
	for (t->direct = 0; t->direct < t->nnames && t->map[t->direct] == (int)t->direct; t->direct++)
		;
	for (i = 0, t->sel_all = t->nsel == t->nnames; i < t->nsel && t->sel_all; i++)
		t->sel_all = t->sel[i] == i;
	t->file = fund_reader_name(r);
	fund_rows_bind(&t->rp, r);
	return 0;
}

static int problem(struct cat *t, const struct fund_record *rec, size_t col, const char *what,
		   struct fund_error *err)
{
	struct fund_error e = FUND_ERROR_INIT;
	char q[300];
	fund_error_at(&e, FUND_EDATA, t->file, rec->line, t->names[col], t->cells[col].s, t->cells[col].len,
		      "cannot read '%s' as %s%s", fund_quote(q, sizeof(q), t->cells[col].s, t->cells[col].len), what,
		      t->o->strict ? "" : ": written as it is");
	/* the cell of the sheet: the input column the output column is */
	if (rec->sheet && t->map[col] >= 0)
		fund_error_cell(&e, (unsigned long)t->map[col] + 1);
	return fund_problem(&e, t->o->strict, t->diag, t->diag_ctx, FUND_DIAG_AMOUNT, err);
}

/* amounts and dates normalised in place (into t->buf) */
static int normalise(struct cat *t, const struct fund_record *rec, struct fund_error *err)
{
	size_t i;
	for (i = 0; i < t->nnames; i++) {
		struct fund_cell *c = &t->cells[i];
		char *b = t->buf + i * 128;
		if (!c->s || (!t->is_amount[i] && !t->is_date[i]))
			continue;
		if (t->is_amount[i]) {
			struct fund_amount a;
			int st = fund_amount_parse(c->s, c->len, &t->actx[i], &a);
			if (st == FUND_AMOUNT_MISSING) {
				c->s = NULL;
			} else if (st == FUND_AMOUNT_OK && fund_amount_format(b, 128, a.units, a.scale, a.scale, 0) >= 0) {
				t->plain[i] &= (unsigned char)~FUND_PLAIN_PAD;  /* not the record's */
				c->s = b;
				c->len = strlen(b);
				c->type = FUND_CELL_NUMBER;
			} else {
				t->bad_amounts++;
				if (problem(t, rec, i, "an amount", err))
					return FUND_EDATA;
			}
		} else {
			struct fund_date d;
			int st = fund_date_parse(c->s, c->len, &d);
			if (st == 1) {
				c->s = NULL;
			} else if (st == 0) {
				c->len = fund_ymd(b, d.year, d.month, d.day);
				t->plain[i] &= (unsigned char)~FUND_PLAIN_PAD;
				c->s = b;
			} else {
				t->bad_dates++;
				if (problem(t, rec, i, "a date", err))
					return FUND_EDATA;
			}
		}
	}
	return 0;
}

/* A spreadsheet's cells that hold no value (an error such as #N/A, a
 * formula never computed) among those written: written empty, counted,
 * and said with their cell. */
static int no_values(struct cat *t, const struct fund_record *rec, struct fund_error *err)
{
	size_t i;
	for (i = 0; i < t->nsel; i++) {
		int k = t->map[t->sel[i]];
		struct fund_error e = FUND_ERROR_INIT;
		char q[300];
		if (k < 0 || (size_t)k >= rec->n || rec->is_null[k] != 2)
			continue;
		t->no_value++;
		fund_error_at(&e, FUND_EDATA, t->file, rec->line, t->names[t->sel[i]], rec->fields[k], rec->len[k],
			      "no value ('%s'%s)%s", fund_quote(q, sizeof(q), rec->fields[k], rec->len[k]),
			      rec->fields[k][0] == '=' ? ": a formula never computed" : "",
			      t->o->strict ? "" : ": written empty");
		fund_error_cell(&e, (unsigned long)k + 1);
		if (fund_problem(&e, t->o->strict, t->diag, t->diag_ctx, FUND_DIAG_AMOUNT, err))
			return FUND_EDATA;
	}
	return 0;
}

/* The cells of a row of the table: its input's, the attached, and with
 * --unpivot, the name and cell of unpivoted column u. */
static void fill_cells(struct cat *t, const struct fund_record *rec, size_t u)
{
	size_t i = 0;
	if (!rec->is_null) {
		/* the columns that are the record's own, in its order */
		const size_t n = t->direct < rec->n ? t->direct : rec->n;
		const unsigned char plain = rec->plain;
		for (; i < n; i++) {
			t->cells[i].s = rec->fields[i];
			t->cells[i].len = rec->len[i];
			t->cells[i].type = FUND_CELL_TEXT;
			t->plain[i] = plain;
		}
	}
	for (; i < t->nnames; i++) {
		int k = t->map[i];
		struct fund_cell *c = &t->cells[i];
		c->type = FUND_CELL_TEXT;
		t->plain[i] = rec->plain;
		if (k < 0 || (size_t)k >= rec->n || (rec->is_null && rec->is_null[k])) {
			c->s = NULL;
			c->len = 0;
		} else {
			c->s = rec->fields[k];
			c->len = rec->len[k];
		}
	}
	if (t->nupv) {
		struct fund_cell *nc = &t->cells[t->upv_name], *vc = &t->cells[t->upv_value];
		int k = t->map[t->upv[u]];
		nc->s = t->names[t->upv[u]];
		nc->len = strlen(nc->s);
		t->plain[t->upv_name] = 0;
		if (k >= 0 && (size_t)k < rec->n && !(rec->is_null && rec->is_null[k])) {
			vc->s = rec->fields[k];
			vc->len = rec->len[k];
		}
	}
	for (i = 0; i < t->o->nattach; i++) {
		att_fill(t, &t->att[i]);
		memset(t->plain + t->att[i].first, 0, t->att[i].ncols);
	}
}

/* One row of the table, through the filters to the writer: 0, 1 (no
 * more: --head, a write error), or a negative code. */
static int cat_row(struct cat *t, const struct fund_record *rec, struct fund_error *err)
{
	const struct fund_cat_opts *o = t->o;
	size_t i;
	int rc;
	for (i = 0; i < o->nwhere; i++) {
		rc = fund_where_holds(&o->where[i], t->cells[t->widx[i]].s, t->cells[t->widx[i]].len);
		if (rc < 0)
			return fund_error_set(err, rc, "out of memory");
		if (!rc)
			return 0;
	}
	for (i = 0; i < o->nkeys; i++) {
		const struct fund_cell *c = &t->cells[t->ks[i].idx];
		size_t len = 0, gi;
		const char *s = c->s ? fund_key_norm(c->s, c->len, &len) : "";
		int found = len && fund_groups_find(t->ks[i].keys, &s, &len, &gi);
		if (found == o->keys[i].negate)
			return 0;
	}
	/* the cells without a value of a row kept, said once */
	if (rec->sheet && !t->said_values) {
		t->said_values = 1;
		if ((rc = no_values(t, rec, err)) < 0)
			return rc;
	}
	if (t->normalises && (rc = normalise(t, rec, err)) < 0)
		return rc;
	if (t->sel_all) {
		rc = fund_writer_row_plain(t->wr, t->cells, t->plain);
	} else {
		for (i = 0; i < t->nsel; i++) {
			t->out_cells[i] = t->cells[t->sel[i]];
			t->out_plain[i] = t->plain[t->sel[i]];
		}
		rc = fund_writer_row_plain(t->wr, t->out_cells, t->out_plain);
	}
	if (rc < 0) {
		if (rc == FUND_ENOMEM || rc == FUND_ELIMIT)
			return fund_writer_fail(err, rc);
		/* the reason is the stream's (errno): said by the caller */
		t->write_failed = 1;
		return 1;
	}
	t->written++;
	for (i = 0; i < o->nattach; i++)
	{
		t->att[i].unmatched += !t->att[i].matched;
		t->att[i].wider += t->att[i].wide;
		t->att[i].through_code += t->att[i].by_code;
	}
	if (o->head >= 0 && t->written >= (uint64_t)o->head)
		return 1;
	return 0;
}

static int cat_add(void *ctx, const struct fund_record *rec, struct fund_error *err)
{
	struct cat *t = ctx;
	size_t u = 0;
	int rc;
	if (t->o->head >= 0 && t->written >= (uint64_t)t->o->head)
		return 1;
	if ((rc = fund_rows_admit_fast(&t->rp, rec, err)) <= 0)
		return rc;
	t->said_values = 0;
	/* a row, or with --unpivot, one per column unpivoted */
	do {
		fill_cells(t, rec, u);
		rc = cat_row(t, rec, err);
	} while (rc == 0 && ++u < t->nupv);
	return rc;
}

static void cat_release(struct cat *t);

/* ---- parts read on threads ---- */

/* A part's table: the columns, filters and tables attached shared with
 * t, its own cells, decimal marks learned, counts, and a writer that
 * keeps its rows for cat_merge to write after those before them.  Not
 * with --head (the rows a part writes depend on those before it) nor
 * the formats whose output is not row by row (table, xlsx). */
static int cat_fork(void *eng, int inherit, fund_diag_fn diag, void *dctx, void **out)
{
	struct cat *t = eng, *p;
	size_t i;
	*out = NULL;
	if (t->o->head >= 0 || !t->wr)
		return FUND_EUSAGE;
	if (!(p = calloc(1, sizeof(*p))))
		return FUND_ENOMEM;
	p->o = t->o;
	p->parent = t;
	p->names = t->names;
	p->nnames = t->nnames;
	p->sel = t->sel;
	p->nsel = t->nsel;
	p->widx = t->widx;
	p->ks = t->ks;
	p->upv = t->upv;
	p->nupv = t->nupv;
	p->upv_name = t->upv_name;
	p->upv_value = t->upv_value;
	p->is_upv = t->is_upv;
	p->is_amount = t->is_amount;
	p->is_date = t->is_date;
	p->normalises = t->normalises;
	p->diag = diag;
	p->diag_ctx = dctx;
	p->rp.strict = t->rp.strict;
	p->rp.diag = diag;
	p->rp.diag_ctx = dctx;
	p->actx = calloc(t->nnames + 1, sizeof(*p->actx));
	p->cells = calloc(t->nnames + 1, sizeof(*p->cells));
	p->out_cells = calloc(t->nsel + 1, sizeof(*p->out_cells));
	if ((p->plain = calloc(t->nnames + t->nsel + 2, 1)))
		p->out_plain = p->plain + t->nnames + 1;
	p->buf = malloc((t->nnames + 1) * 128);
	p->att = t->o->nattach ? calloc(t->o->nattach, sizeof(*p->att)) : NULL;
	if (!p->actx || !p->cells || !p->out_cells || !p->plain || !p->buf || (t->o->nattach && !p->att) ||
	    fund_writer_fork(&p->wr, t->wr) < 0) {
		cat_release(p);
		free(p);
		return FUND_ENOMEM;
	}
	for (i = 0; i < t->nnames; i++)
		p->actx[i] = inherit ? t->actx[i] : (struct fund_amount_ctx){ t->o->decimal, 0, 0 };
	for (i = 0; i < t->o->nattach; i++) {
		/* the table attached shared; the row's state, scratch and
		 * counts its own */
		p->att[i] = t->att[i];
		p->att[i].unmatched = p->att[i].wider = p->att[i].through_code = 0;
		p->att[i].buf = NULL;
		if (t->att[i].buf && !(p->att[i].buf = malloc(24 * (2 * t->att[i].spec->ncols + 1)))) {
			cat_release(p);
			free(p);
			return FUND_ENOMEM;
		}
	}
	*out = p;
	return 0;
}

/* b's rows after a's: written (a is the table itself, or a part that
 * read the rows before b's), b's counts added.  FUND_ERETRY when b read
 * an amount that one pass would have read otherwise; 1 when the output
 * cannot be written (no more). */
static int cat_merge(void *pa, void *pb, struct fund_error *err)
{
	struct cat *a = pa, *b = pb;
	size_t i;
	int rc;
	for (i = 0; i < a->nnames; i++) {
		struct fund_amount_ctx c = a->actx[i];
		if (a->is_amount[i] && fund_amount_ctx_follow(&c, &b->actx[i]))
			return fund_error_set(err, FUND_ERETRY, "column '%s': decimal marks read otherwise in parts",
					      a->names[i]);
	}
	for (i = 0; i < a->nnames; i++)
		if (a->is_amount[i])
			fund_amount_ctx_follow(&a->actx[i], &b->actx[i]);
	if (!a->write_failed && (rc = fund_writer_append(a->wr, b->wr)) < 0) {
		if (rc == FUND_ENOMEM)
			return fund_writer_fail(err, rc);
		a->write_failed = 1;
	}
	a->written += b->written;
	a->bad_amounts += b->bad_amounts;
	a->bad_dates += b->bad_dates;
	a->no_value += b->no_value;
	fund_rows_add(&a->rp.n, &b->rp.n);
	for (i = 0; i < a->o->nattach; i++) {
		a->att[i].unmatched += b->att[i].unmatched;
		a->att[i].wider += b->att[i].wider;
		a->att[i].through_code += b->att[i].through_code;
	}
	return a->write_failed ? 1 : 0;
}

static void cat_free(void *eng)
{
	struct cat *p = eng;
	cat_release(p);
	free(p);
}

static const struct fund_engine cat_engine = { cat_bind, cat_add, cat_fork, cat_merge, cat_free, NULL, NULL, 0, 0, 1, NULL };

static void cat_release(struct cat *t)
{
	size_t k;
	fund_writer_free(&t->wr);
	if (t->parent) {
		/* a part's own */
		for (k = 0; t->att && k < t->o->nattach; k++)
			free(t->att[k].buf);
		free(t->att);
		free(t->map);
		free(t->actx);
		free(t->cells);
		free(t->out_cells);
		free(t->plain);
		free(t->buf);
		return;
	}
	for (k = 0; k < t->nnames; k++)
		free(t->names[k]);
	free(t->names);
	if (t->ks)
		for (k = 0; k < t->o->nkeys; k++)
			fund_groups_free(&t->ks[k].keys);
	free(t->ks);
	if (t->att)
		for (k = 0; k < t->o->nattach; k++)
			att_free(&t->att[k]);
	free(t->att);
	free(t->sel);
	free(t->upv);
	free(t->is_upv);
	free(t->map);
	free(t->widx);
	free(t->is_amount);
	free(t->is_date);
	free(t->actx);
	free(t->cells);
	free(t->out_cells);
	free(t->plain);
	free(t->buf);
}

/* what happened, in fund-cat's words: the rows written (blank ones are
 * not, unsaid: they hold nothing), those skipped, the values written as
 * they were read */
static int describe(const struct cat *t, struct fund_summary *s)
{
	int rc = 0;
	size_t i;
	for (i = 0; i < t->o->nattach; i++)
		if (t->att[i].unmatched)
			rc |= fund_str_append(&s->notes, "note: %llu of %llu rows written found no match in %s: their "
					      "attached cells are empty\n", (unsigned long long)t->att[i].unmatched,
					      (unsigned long long)t->written, t->att[i].name ? t->att[i].name : "?");
	for (i = 0; i < t->o->nattach; i++)
		if (t->att[i].through_code)
			rc |= fund_str_append(&s->notes, "note: %llu of %llu rows written found their row of %s through "
					      "the territory their code names (a former commune, an arrondissement, a "
					      "SIRET...)\n", (unsigned long long)t->att[i].through_code,
					      (unsigned long long)t->written, t->att[i].name ? t->att[i].name : "?");
	for (i = 0; i < t->o->nattach; i++)
		if (t->att[i].wider)
			rc |= fund_str_append(&s->notes, "note: %llu of %llu rows written name a territory in several "
					      "zones (or in none) of what is attached: those cells are empty\n",
					      (unsigned long long)t->att[i].wider, (unsigned long long)t->written);
	if (t->bad_amounts || t->bad_dates || t->rp.n.ragged || t->rp.n.headers || t->rp.n.unread || t->no_value) {
		rc |= fund_str_append(&s->notes, "summary: %llu rows written", (unsigned long long)t->written);
		if (t->rp.n.unread)
			rc |= fund_str_append(&s->notes, "; %llu rows with members that are no column (not read)",
					      (unsigned long long)t->rp.n.unread);
		if (t->rp.n.ragged)
			rc |= fund_str_append(&s->notes, "; %llu rows with extra fields skipped",
					      (unsigned long long)t->rp.n.ragged);
		if (t->rp.n.headers)
			rc |= fund_str_append(&s->notes, "; %llu rows repeating the header skipped",
					      (unsigned long long)t->rp.n.headers);
		if (t->no_value)
			rc |= fund_str_append(&s->notes, "; %llu cells without a value (an error such as #N/A, or a "
					      "formula never computed) written empty", (unsigned long long)t->no_value);
		if (t->bad_amounts || t->bad_dates)
			rc |= fund_str_append(&s->notes, "; %llu unreadable amounts and %llu unreadable dates written as "
					      "they were", (unsigned long long)t->bad_amounts,
					      (unsigned long long)t->bad_dates);
		rc |= fund_str_append(&s->notes, "\n");
	}
	return rc ? FUND_ENOMEM : 0;
}

int fund_cat(const struct fund_cat_opts *o, const char *const *files, size_t n,
	     const struct fund_run_opts *ro, FILE *out, struct fund_summary *sum,
	     struct fund_error *err)
{
	struct cat t;
	struct fund_run_opts one = { 0 };
	struct fund_reader_opts heads;
	size_t i;
	int rc = 0, from_stdin = n == 0 || (n == 1 && !strcmp(files[0], "-"));

	memset(&t, 0, sizeof(t));
	memset(sum, 0, sizeof(*sum));
	t.o = o;
	t.out = out;
	t.rp.strict = o->strict;
	t.rp.diag = o->diag;
	t.rp.diag_ctx = o->diag_ctx;
	t.diag = o->diag;
	t.diag_ctx = o->diag_ctx;
	if (ro)
		one.reader = ro->reader;
	one.threads = 1;
	/* the headers are read first, then the rows: the reader's notes
	 * (rows above a sheet's header) are said by the second reading */
	if (ro && ro->reader)
		heads = *ro->reader;
	else
		memset(&heads, 0, sizeof(heads));
	heads.note = NULL;
	/* the key sets */
	if (o->nkeys && !(t.ks = calloc(o->nkeys, sizeof(*t.ks))))
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < o->nkeys && !rc; i++) {
		t.ks[i].spec = &o->keys[i];
		if (fund_groups_new(&t.ks[i].keys, 1, 1))
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		else
			rc = fund_run(&keys_engine, &t.ks[i], &o->keys[i].file, 1, &one, err);
	}
	/* the tables attached */
	if (!rc && o->nattach && !(t.att = calloc(o->nattach, sizeof(*t.att))))
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < o->nattach && !rc; i++) {
		t.att[i].spec = &o->attach[i];
		t.att[i].geo = o->geo;
		if (!o->attach[i].file)
			rc = att_geo(&t.att[i], o->geo, err);
		else if (fund_groups_new(&t.att[i].keys, 1, 1) ||
			 (o->geo && fund_groups_new(&t.att[i].canon, 1, 1)))
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		else
			rc = fund_run(&att_engine, &t.att[i], &o->attach[i].file, 1, &one, err);
	}
	/* the union of the headers, when the inputs are files */
	for (i = 0; i < n && !rc && !from_stdin; i++) {
		struct fund_reader *r = NULL;
		size_t j;
		if (!strcmp(files[i], "-")) {
			rc = fund_error_set(err, FUND_EUSAGE, "standard input goes alone: fund-cat aligns files by "
					    "their headers, read first");
			break;
		}
		if ((rc = fund_reader_open(&r, files[i], &heads, err)) < 0)
			break;
		for (j = 0; j < fund_reader_ncols(r) && !rc; j++)
			rc = add_input_name(&t, r, j, err);
		fund_reader_close(&r);
	}
	/* no header anywhere (JSON without records): nothing to write */
	if (!rc && !from_stdin && t.nnames && !(rc = add_unpivot(&t, err)) && !(rc = add_attached(&t, err)))
		rc = start(&t, err);
	if (!rc)
		rc = fund_run(&cat_engine, &t, files, n, ro, err);
	if (rc > 0)
		rc = 0;
	if (!rc && t.write_failed)
		rc = fund_error_set(err, FUND_EIO, "write error");
	if (!rc && t.wr && (rc = fund_writer_finish(t.wr)) < 0)
		fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
	if (!(o->strict && rc) && describe(&t, sum) < 0 && !rc)
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
	cat_release(&t);
	return rc;
}
