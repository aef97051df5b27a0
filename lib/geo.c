/* The French geography from data/: loading, parents and members,
 * populations, and the normalisation of territory codes. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "banned.h"

struct level_data {
	size_t n, cap;
	char **code, **name;
	int64_t *pop;
	struct fund_groups *idx;
	uint32_t *mstart, *members;   /* communes of each territory (CSR) */
	/* a zoning: its name, each commune's zone (-1: none), the one zone
	 * of each administrative territory and the one administrative
	 * territory of each zone (-1: none, or several) */
	char *lname;
	int32_t *zone;
	int32_t *down[FUND_NLEVELS], *upto[FUND_NLEVELS];
};

struct fund_geo {
	struct level_data *lv;                   /* FUND_NLEVELS, then zonings */
	size_t nlv;
	int pop_year;                            /* of the populations in use; 0: a user's */
	int *years;                              /* vintages of the zonings table */
	int64_t **ypop;                          /* their commune populations */
	size_t nyears;
	char *dir;                               /* the reference's */
	int zonings;                             /* fund_geo_load_zonings done */
	/* codes of another year (fund_geo_codes_year): code -> id, the
	 * communes of today each id became, how */
	struct fund_groups *hist;
	uint32_t *hstart, *hlist;
	uint16_t *hkind;
	int codes_year;
	int32_t *up[FUND_NLEVELS][FUND_NLEVELS];  /* parent index or -1 */
	struct fund_groups *former, *arr;        /* code -> entry */
	uint32_t *former_to, *arr_to;            /* entry -> commune */
	size_t nformer, narr;
	/* while loading: the parents' codes of communes and départements */
	char **pend_dep, **pend_epci, **dep_region;
	size_t ndep_region, pend_cap, npend;
};

int fund_level_from_name(const char *n)
{
	if (!strcmp(n, "commune") || !strcmp(n, "communes"))
		return FUND_LEVEL_COMMUNE;
	if (!strcmp(n, "epci"))
		return FUND_LEVEL_EPCI;
	if (!strcmp(n, "departement") || !strcmp(n, "d\xc3\xa9partement") || !strcmp(n, "dep"))
		return FUND_LEVEL_DEPARTEMENT;
	if (!strcmp(n, "region") || !strcmp(n, "r\xc3\xa9gion") || !strcmp(n, "reg"))
		return FUND_LEVEL_REGION;
	return -1;
}

const char *fund_level_name(enum fund_level l)
{
	static const char *const n[] = { "commune", "epci", "departement", "region" };
	return l >= 0 && l < FUND_NLEVELS ? n[l] : "auto";
}

static void free_level(struct level_data *d)
{
	size_t i;
	int b;
	for (b = 0; b < FUND_NLEVELS; b++) {
		free(d->down[b]);
		free(d->upto[b]);
	}
	free(d->zone);
	free(d->lname);
	for (i = 0; i < d->n; i++) {
		free(d->code[i]);
		free(d->name[i]);
	}
	free(d->code);
	free(d->name);
	free(d->pop);
	free(d->mstart);
	free(d->members);
	fund_groups_free(&d->idx);
}

void fund_geo_free(struct fund_geo **gp)
{
	struct fund_geo *g = gp ? *gp : NULL;
	size_t i;
	int a, b;
	if (!g)
		return;
	for (i = 0; i < g->nlv; i++)
		free_level(&g->lv[i]);
	free(g->lv);
	for (a = 0; a < FUND_NLEVELS; a++)
		for (b = 0; b < FUND_NLEVELS; b++)
			free(g->up[a][b]);
	for (i = 0; i < g->nyears; i++)
		free(g->ypop[i]);
	free(g->ypop);
	free(g->years);
	free(g->dir);
	fund_groups_free(&g->hist);
	free(g->hstart);
	free(g->hlist);
	free(g->hkind);
	fund_groups_free(&g->former);
	fund_groups_free(&g->arr);
	free(g->former_to);
	free(g->arr_to);
	free(g);
	*gp = NULL;
}

/* Read a table of the reference: cols are the columns wanted, by name;
 * row() gets their values. */
static int load_table(struct fund_geo *g, const char *dir, const char *file,
		      const char *const *cols, size_t ncols,
		      int (*row)(struct fund_geo *, const char *const *, const size_t *, struct fund_error *),
		      struct fund_error *err)
{
	struct fund_reader *r;
	const struct fund_record *rec;
	struct fund_reader_opts o;
	char *path;
	int idx[8], rc;
	size_t i, plen = strlen(dir) + strlen(file) + 2;
	const char *v[8];
	size_t l[8];

	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_CSV;
	o.delim = ',';
	path = malloc(plen);
	if (!path || fund_fmt(path, plen, "%s/%s", dir, file) < 0) {
		free(path);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	rc = fund_reader_open(&r, path, &o, err);
	free(path);
	if (rc < 0)
		return rc;
	for (i = 0; i < ncols; i++)
		if ((idx[i] = fund_reader_column(r, cols[i], err)) < 0) {
			fund_reader_close(&r);
			return FUND_EDATA;
		}
	while ((rc = fund_reader_next(r, &rec, err)) > 0) {
		for (i = 0; i < ncols; i++) {
			size_t c = (size_t)idx[i];
			v[i] = c < rec->n ? rec->fields[c] : "";
			l[i] = c < rec->n ? rec->len[c] : 0;
		}
		if ((rc = row(g, v, l, err)) < 0)
			break;
	}
	fund_reader_close(&r);
	return rc < 0 ? rc : 0;
}

static int64_t parse_pop(const char *s, size_t n)
{
	struct fund_amount a;
	if (fund_amount_parse(s, n, NULL, &a) != FUND_AMOUNT_OK || a.units < 0 || a.scale != 0 ||
	    a.units > (fund_i128)INT64_MAX)
		return -1;
	return (int64_t)a.units;
}

static int add_territory(struct level_data *d, const char *code, size_t clen, const char *name,
			 size_t nlen, int64_t pop)
{
	size_t ix;
	int rc;
	if (!d->idx && fund_groups_new(&d->idx, 1, 1))
		return FUND_ENOMEM;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		char **c = realloc(d->code, cap * sizeof(*c)), **nm;
		int64_t *p;
		if (!c)
			return FUND_ENOMEM;
		d->code = c;
		nm = realloc(d->name, cap * sizeof(*nm));
		if (!nm)
			return FUND_ENOMEM;
		d->name = nm;
		p = realloc(d->pop, cap * sizeof(*p));
		if (!p)
			return FUND_ENOMEM;
		d->pop = p;
		d->cap = cap;
	}
	rc = fund_groups_get(d->idx, &code, &clen, &ix);
	if (rc < 0)
		return rc;
	if (rc == 0)
		return 0; /* a duplicate code: the first one stands */
	d->code[d->n] = strndup(code, clen);
	d->name[d->n] = strndup(name, nlen);
	d->pop[d->n] = pop;
	if (!d->code[d->n] || !d->name[d->n])
		return FUND_ENOMEM;
	d->n++;
	return 0;
}

static long find(const struct level_data *d, const char *code, size_t len)
{
	size_t ix;
	if (!d->idx || !fund_groups_find(d->idx, &code, &len, &ix))
		return -1;
	return (long)ix;
}


static int row_commune(struct fund_geo *g, const char *const *v, const size_t *l, struct fund_error *err)
{
	struct level_data *d = &g->lv[FUND_LEVEL_COMMUNE];
	size_t n = d->n;
	int rc = add_territory(d, v[0], l[0], v[1], l[1], l[5] ? parse_pop(v[5], l[5]) : -1);
	if (rc < 0)
		return fund_error_set(err, rc, "out of memory");
	if (d->n > n && d->n > g->pend_cap) {
		/* grown geometrically: 35,000 communes, not 35,000 copies */
		size_t cap = g->pend_cap ? g->pend_cap * 2 : 1024;
		char **a = realloc(g->pend_dep, cap * sizeof(char *)), **b;
		if (!a)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		g->pend_dep = a;
		b = realloc(g->pend_epci, cap * sizeof(char *));
		if (!b)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		g->pend_epci = b;
		g->pend_cap = cap;
	}
	if (d->n > n) {
		/* counted once set: the error path frees only those */
		g->pend_dep[n] = strndup(v[2], l[2]);
		g->pend_epci[n] = strndup(v[4], l[4]);
		g->npend = n + 1;
		if (!g->pend_dep[n] || !g->pend_epci[n])
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	return 0;
}

static int row_epci(struct fund_geo *g, const char *const *v, const size_t *l, struct fund_error *err)
{
	if (add_territory(&g->lv[FUND_LEVEL_EPCI], v[0], l[0], v[1], l[1], -1))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}


static int row_dep(struct fund_geo *g, const char *const *v, const size_t *l, struct fund_error *err)
{
	struct level_data *d = &g->lv[FUND_LEVEL_DEPARTEMENT];
	size_t n = d->n;
	if (add_territory(d, v[0], l[0], v[1], l[1], -1))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (d->n > n) {
		char **a = realloc(g->dep_region, d->n * sizeof(char *));
		if (!a)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		g->dep_region = a;
		g->dep_region[n] = strndup(v[2], l[2]);
		g->ndep_region = n + 1;
		if (!g->dep_region[n])
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	return 0;
}

static int row_reg(struct fund_geo *g, const char *const *v, const size_t *l, struct fund_error *err)
{
	if (add_territory(&g->lv[FUND_LEVEL_REGION], v[0], l[0], v[1], l[1], -1))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

static int add_alias(struct fund_groups **tab, uint32_t **to, size_t *n, const char *code, size_t len,
		     long commune)
{
	size_t ix;
	int rc;
	uint32_t *t;
	if (commune < 0)
		return 0;
	if (!*tab && fund_groups_new(tab, 1, 1))
		return FUND_ENOMEM;
	rc = fund_groups_get(*tab, &code, &len, &ix);
	if (rc <= 0)
		return rc;
	{
		/* the capacity is 64, doubled as needed: grow when full */
		size_t cap = 64;
		while (cap < ix)
			cap *= 2;
		if (ix == 0 || ix == cap) {
			if (!(t = realloc(*to, (ix ? cap * 2 : cap) * sizeof(*t))))
				return FUND_ENOMEM;
			*to = t;
		}
	}
	t = *to;
	t[ix] = (uint32_t)commune;
	*n = ix + 1;
	return 0;
}

static int row_former(struct fund_geo *g, const char *const *v, const size_t *l, struct fund_error *err)
{
	long c = find(&g->lv[FUND_LEVEL_COMMUNE], v[1], l[1]);
	/* a delegated commune that kept its code is today's commune itself */
	if (find(&g->lv[FUND_LEVEL_COMMUNE], v[0], l[0]) >= 0)
		return 0;
	if (add_alias(&g->former, &g->former_to, &g->nformer, v[0], l[0], c))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

static int row_arr(struct fund_geo *g, const char *const *v, const size_t *l, struct fund_error *err)
{
	long c = find(&g->lv[FUND_LEVEL_COMMUNE], v[1], l[1]);
	if (add_alias(&g->arr, &g->arr_to, &g->narr, v[0], l[0], c))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

/* Members (CSR) of each territory of level lv, from the communes'
 * territories up[] of that level. */
static int build_members(struct fund_geo *g, size_t lv, const int32_t *up)
{
	struct level_data *d = &g->lv[lv];
	size_t nc = g->lv[FUND_LEVEL_COMMUNE].n, i;
	uint32_t *fill;
	d->mstart = calloc(d->n + 1, sizeof(uint32_t));
	d->members = malloc((nc ? nc : 1) * sizeof(uint32_t));
	fill = calloc(d->n + 1, sizeof(uint32_t));
	if (!d->mstart || !d->members || !fill) {
		free(fill);
		return FUND_ENOMEM;
	}
	for (i = 0; i < nc; i++)
		if (up[i] >= 0)
			d->mstart[up[i] + 1]++;
	for (i = 0; i < d->n; i++)
		d->mstart[i + 1] += d->mstart[i];
	for (i = 0; i < nc; i++)
		if (up[i] >= 0)
			d->members[d->mstart[up[i]] + fill[up[i]]++] = (uint32_t)i;
	free(fill);
	return 0;
}

/* Populations of EPCI, départements, régions and zones: sums of their
 * communes. */
static void sum_level(struct fund_geo *g, size_t lv)
{
	struct level_data *d = &g->lv[lv];
	const int64_t *cp = g->lv[FUND_LEVEL_COMMUNE].pop;
	size_t i, k;
	if (!d->mstart)
		return;    /* a zoning being loaded */
	for (i = 0; i < d->n; i++) {
		int64_t s = -1;
		for (k = d->mstart[i]; k < d->mstart[i + 1]; k++) {
			int64_t p = cp[d->members[k]];
			if (p >= 0)
				s = (s < 0 ? 0 : s) + p;
		}
		d->pop[i] = s;
	}
}

static void sum_populations(struct fund_geo *g)
{
	size_t lv;
	for (lv = FUND_LEVEL_EPCI; lv < g->nlv; lv++)
		sum_level(g, lv);
}

/* ---- zonings ---- */

/* A new zoning level named name (copied), every commune without a zone. */
static int new_zoning(struct fund_geo *g, const char *name, size_t len, size_t *out)
{
	size_t i, nc = g->lv[FUND_LEVEL_COMMUNE].n;
	struct level_data *lv = realloc(g->lv, (g->nlv + 1) * sizeof(*lv)), *d;
	if (!lv)
		return FUND_ENOMEM;
	g->lv = lv;
	d = &g->lv[g->nlv];
	memset(d, 0, sizeof(*d));
	d->lname = strndup(name, len);
	d->zone = malloc((nc ? nc : 1) * sizeof(int32_t));
	if (!d->lname || !d->zone) {
		free(d->lname);
		free(d->zone);
		return FUND_ENOMEM;
	}
	for (i = 0; i < nc; i++)
		d->zone[i] = -1;
	*out = g->nlv++;
	return 0;
}

/* Put commune c in the zone of level z coded zc (named zn when the zone
 * is new).  1 when c is already in another zone of z. */
static int put_in_zone(struct fund_geo *g, size_t z, size_t c, const char *zc, size_t zl, const char *zn,
		       size_t nl)
{
	struct level_data *d = &g->lv[z];
	long t = find(d, zc, zl);
	if (t < 0) {
		if (add_territory(d, zc, zl, zn, nl, -1))
			return FUND_ENOMEM;
		t = (long)d->n - 1;
	}
	if (d->zone[c] >= 0 && d->zone[c] != t)
		return 1;
	d->zone[c] = (int32_t)t;
	return 0;
}

/* The one territory of level 'to' of all the communes of each territory
 * of level 'from' (-1 when they have several, or none); one of them
 * without one makes it -1 too. */
static int32_t *common_parent(const struct fund_geo *g, size_t from, const int32_t *cfrom, size_t to,
			      const int32_t *cto)
{
	size_t n = g->lv[from].n, nc = g->lv[FUND_LEVEL_COMMUNE].n, i;
	int32_t *r = malloc((n ? n : 1) * sizeof(*r));
	if (!r)
		return NULL;
	(void)to;
	for (i = 0; i < n; i++)
		r[i] = -2;
	for (i = 0; i < nc; i++) {
		int32_t f = cfrom[i], t = cto[i];
		if (f < 0)
			continue;
		if (r[f] == -2)
			r[f] = t;
		else if (r[f] != t)
			r[f] = -1;
	}
	for (i = 0; i < n; i++)
		if (r[i] == -2)
			r[i] = -1;
	return r;
}

/* Members, populations and parents of a zoning once its communes are in. */
static int finish_zoning(struct fund_geo *g, size_t z)
{
	struct level_data *d = &g->lv[z];
	int b;
	if (build_members(g, z, d->zone))
		return FUND_ENOMEM;
	for (b = FUND_LEVEL_EPCI; b < FUND_NLEVELS; b++)
		if (!(d->down[b] = common_parent(g, (size_t)b, g->up[FUND_LEVEL_COMMUNE][b], z, d->zone)) ||
		    !(d->upto[b] = common_parent(g, z, d->zone, (size_t)b, g->up[FUND_LEVEL_COMMUNE][b])))
			return FUND_ENOMEM;
	sum_level(g, z);
	return 0;
}

/* The year of a column "population_YYYY", or 0. */
static int vintage_column(const char *name)
{
	const char *p = "population_";
	size_t i, n = strlen(p);
	int y = 0;
	if (strncmp(name, p, n) || strlen(name) != n + 4)
		return 0;
	for (i = n; i < n + 4; i++) {
		if (name[i] < '0' || name[i] > '9')
			return 0;
		y = y * 10 + name[i] - '0';
	}
	return y;
}

struct zload {
	struct fund_groups *names;    /* (level, code) -> name */
	char **name;
	size_t nname;
};

static int row_label(struct zload *zl, const struct fund_record *rec)
{
	const char *k[2];
	size_t l[2], ix;
	char **nn;
	int rc;
	if (rec->n < 3)
		return 0;
	k[0] = rec->fields[0];
	k[1] = rec->fields[1];
	l[0] = rec->len[0];
	l[1] = rec->len[1];
	if ((rc = fund_groups_get(zl->names, k, l, &ix)) <= 0)
		return rc;
	if (!(nn = realloc(zl->name, (ix + 1) * sizeof(*nn))))
		return FUND_ENOMEM;
	zl->name = nn;
	if (!(nn[ix] = strndup(rec->fields[2], rec->len[2])))
		return FUND_ENOMEM;
	zl->nname = ix + 1;
	return 0;
}

static int open_ref(struct fund_reader **r, const char *dir, const char *file, int *absent,
		    struct fund_error *err)
{
	struct fund_reader_opts o;
	size_t plen = strlen(dir) + strlen(file) + 2;
	char *path = malloc(plen);
	int rc;
	memset(&o, 0, sizeof(o));
	o.format = FUND_IN_CSV;
	o.delim = ',';
	if (!path || fund_fmt(path, plen, "%s/%s", dir, file) < 0) {
		free(path);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	*absent = access(path, F_OK) != 0;
	rc = *absent ? 0 : fund_reader_open(r, path, &o, err);
	free(path);
	return rc;
}

/* communes-zonages.csv: a zoning level per column (population_YYYY
 * columns are vintages of populations), named by zonages-libelles.csv.
 * Both are optional: a reference without them has no zonings. */
static int load_zonings(struct fund_geo *g, const char *dir, int header_only, struct fund_error *err)
{
	struct zload zl = { NULL, NULL, 0 };
	struct fund_reader *r = NULL;
	const struct fund_record *rec;
	size_t ncol = 0, i, *col = NULL, *ycol = NULL, ny = 0, nz = 0, first = g->nlv;
	long *last = NULL;           /* the zone of the row before, per column */
	int absent, rc;

	if ((rc = fund_groups_new(&zl.names, 2, 1)) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	/* the vintages again, with their populations this time */
	for (i = 0; i < g->nyears; i++)
		free(g->ypop[i]);
	g->nyears = 0;
	if (header_only)
		absent = 1;
	else if ((rc = open_ref(&r, dir, "zonages-libelles.csv", &absent, err)) < 0)
		goto out;
	while (!absent && (rc = fund_reader_next(r, &rec, err)) > 0)
		if ((rc = row_label(&zl, rec)) < 0) {
			fund_error_set(err, rc, "out of memory");
			goto out;
		}
	fund_reader_close(&r);
	if (rc < 0 || (rc = open_ref(&r, dir, "communes-zonages.csv", &absent, err)) < 0 || absent)
		goto out;
	ncol = fund_reader_ncols(r);
	col = calloc(ncol + 1, sizeof(*col));
	ycol = calloc(ncol + 1, sizeof(*ycol));
	last = malloc((ncol + 1) * sizeof(*last));
	if (!col || !ycol || !last) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i <= ncol; i++)
		last[i] = -1;
	for (i = 1; i < ncol; i++) {
		const char *name = fund_reader_colname(r, i);
		int y = vintage_column(name);
		if (y) {
			int *yy = realloc(g->years, (g->nyears + 1) * sizeof(*yy));
			int64_t **yp = yy ? realloc(g->ypop, (g->nyears + 1) * sizeof(*yp)) : NULL;
			if (yy)
				g->years = yy;
			if (yp)
				g->ypop = yp;
			if (!yy || !yp) {
				rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
				goto out;
			}
			g->ypop[g->nyears] = NULL;
			if (!header_only &&
			    !(g->ypop[g->nyears] = malloc((g->lv[0].n ? g->lv[0].n : 1) * sizeof(int64_t)))) {
				rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
				goto out;
			}
			for (size_t k = 0; !header_only && k < g->lv[0].n; k++)
				g->ypop[g->nyears][k] = -1;
			g->years[g->nyears] = y;
			ycol[ny++] = i;
			g->nyears++;
		} else if (!header_only) {
			size_t z;
			if (new_zoning(g, name, strlen(name), &z)) {
				rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
				goto out;
			}
			col[nz++] = i;
		}
	}
	while (!header_only && (rc = fund_reader_next(r, &rec, err)) > 0) {
		long c = rec->n ? find(&g->lv[FUND_LEVEL_COMMUNE], rec->fields[0], rec->len[0]) : -1;
		if (c < 0)
			continue;
		for (i = 0; i < nz; i++) {
			size_t k = col[i], z = first + i, ix;
			struct level_data *d = &g->lv[z];
			const char *key[2];
			size_t kl[2];
			long t = last[i];
			if (k >= rec->n || rec->len[k] == 0)
				continue;
			/* neighbouring communes often share their zone */
			if (t < 0 || strncmp(d->code[t], rec->fields[k], rec->len[k]) || d->code[t][rec->len[k]]) {
				t = find(d, rec->fields[k], rec->len[k]);
				if (t < 0) {
					/* a new zone, with its name */
					const char *nm = "";
					key[0] = d->lname;
					kl[0] = strlen(key[0]);
					key[1] = rec->fields[k];
					kl[1] = rec->len[k];
					if (fund_groups_find(zl.names, key, kl, &ix))
						nm = zl.name[ix];
					if (add_territory(d, rec->fields[k], rec->len[k], nm, strlen(nm), -1)) {
						rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
						goto out;
					}
					t = (long)d->n - 1;
				}
				last[i] = t;
			}
			d->zone[c] = (int32_t)t;
		}
		for (i = 0; i < ny; i++) {
			size_t k = ycol[i];
			if (k < rec->n && rec->len[k])
				g->ypop[i][c] = parse_pop(rec->fields[k], rec->len[k]);
		}
	}
	if (rc < 0)
		goto out;
	rc = 0;
	for (i = first; i < g->nlv; i++)
		if (finish_zoning(g, i)) {
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			goto out;
		}
	/* the newest vintage is the one of communes.csv */
	if (header_only)
		for (i = 0; i < g->nyears; i++)
			if (g->years[i] > g->pop_year)
				g->pop_year = g->years[i];
	g->zonings = !header_only;
out:
	fund_reader_close(&r);
	for (i = 0; i < zl.nname; i++)
		free(zl.name[i]);
	free(zl.name);
	fund_groups_free(&zl.names);
	free(col);
	free(ycol);
	free(last);
	return rc;
}

/* ---- codes of another year: the mouvements des communes ---- */

#define HIST_GONE 0x8000   /* a code that is no commune of today's */

struct hmove {
	int mod, phase;              /* changes of code or département first */
	long date;                   /* yyyymmdd */
	uint32_t av, ap;             /* code ids */
	size_t order;
};

struct hset {                        /* the codes of the start year a commune holds */
	uint32_t *a;
	size_t n, cap;
	int state;                   /* 0 untouched (itself), 1 set, 2 gone */
};

struct hist {
	struct fund_groups *ids;     /* code -> id */
	struct hmove *mv;
	size_t nmv, cap;
	struct hset *set;
	size_t nset;
	struct { uint32_t x, atom; } *pair;  /* one day's additions */
	size_t npair, pcap;
	unsigned char *fused;        /* by atom: merged into another commune */
};

static int hs_push(struct hset *s, uint32_t v)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (s->a[i] == v)
			return 0;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 4;
		uint32_t *a = realloc(s->a, cap * sizeof(*a));
		if (!a)
			return FUND_ENOMEM;
		s->a = a;
		s->cap = cap;
	}
	s->a[s->n++] = v;
	return 0;
}

/* the set of code id, made explicit */
static int hs_touch(struct hist *h, uint32_t id)
{
	struct hset *s = &h->set[id];
	if (s->state)
		return 0;
	s->state = 1;
	return hs_push(s, id);
}

static int h_id(struct hist *h, const char *c, size_t len, uint32_t *id)
{
	size_t ix;
	int rc = fund_groups_get(h->ids, &c, &len, &ix);
	if (rc < 0)
		return rc;
	if (ix >= h->nset) {
		size_t n = h->nset ? h->nset * 2 : 1024;
		struct hset *s;
		while (n <= ix)
			n *= 2;
		if (!(s = realloc(h->set, n * sizeof(*s))))
			return FUND_ENOMEM;
		memset(s + h->nset, 0, (n - h->nset) * sizeof(*s));
		h->set = s;
		h->nset = n;
	}
	*id = (uint32_t)ix;
	return 0;
}

static int h_pair(struct hist *h, uint32_t x, uint32_t atom)
{
	if (h->npair == h->pcap) {
		size_t cap = h->pcap ? h->pcap * 2 : 256;
		void *p = realloc(h->pair, cap * sizeof(*h->pair));
		if (!p)
			return FUND_ENOMEM;
		h->pair = p;
		h->pcap = cap;
	}
	h->pair[h->npair].x = x;
	h->pair[h->npair++].atom = atom;
	return 0;
}

static int by_date(const void *a, const void *b)
{
	const struct hmove *x = a, *y = b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->phase != y->phase)
		return x->phase - y->phase;
	return x->order < y->order ? -1 : x->order > y->order;
}

static long parse_date(const char *s, size_t n)
{
	long v = 0;
	size_t i;
	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7) {
			if (s[i] < '0' || s[i] > '9')
				return -1;
			v = v * 10 + s[i] - '0';
		}
	return v;
}

/* One day's movements, i .. j of h->mv: as data/tools/mkzonages.py's
 * translate() does. */
static int h_day(struct hist *h, size_t i, size_t j, unsigned char *keep, unsigned char *gone)
{
	size_t k, m;
	int rc;
	h->npair = 0;
	for (k = i; k < j; k++) {
		const struct hmove *v = &h->mv[k];
		struct hset *src = &h->set[v->av];
		if (v->av == v->ap) {
			keep[v->av] = 1;
			continue;
		}
		if ((rc = hs_touch(h, v->av)) < 0)
			return rc;
		if (v->mod == 20 || v->mod == 21) {
			/* a creation or rétablissement: the commune taken from
			 * stays; a commune restored takes back its own land */
			int own = 0;
			for (m = 0; m < src->n; m++)
				own |= src->a[m] == v->ap;
			if (own) {
				if ((rc = h_pair(h, v->ap, v->ap)) < 0 || (rc = h_pair(h, v->av, UINT32_MAX - v->ap)) < 0)
					return rc;
				continue;
			}
		} else {
			gone[v->av] = 1;
		}
		for (m = 0; m < src->n; m++) {
			if ((rc = h_pair(h, v->ap, src->a[m])) < 0)
				return rc;
			if (v->mod >= 30 && v->mod <= 34)
				h->fused[src->a[m]] = 1;
		}
	}
	for (k = i; k < j; k++) {
		uint32_t y = h->mv[k].av;
		if (gone[y] && !keep[y]) {
			h->set[y].n = 0;
			h->set[y].state = 2;
		}
	}
	/* removals (encoded as UINT32_MAX - atom) before additions */
	for (k = 0; k < h->npair; k++)
		if (h->pair[k].atom > UINT32_MAX / 2) {
			struct hset *s = &h->set[h->pair[k].x];
			uint32_t atom = UINT32_MAX - h->pair[k].atom;
			for (m = 0; m < s->n; m++)
				if (s->a[m] == atom) {
					s->a[m] = s->a[--s->n];
					break;
				}
		}
	for (k = 0; k < h->npair; k++) {
		struct hset *s = &h->set[h->pair[k].x];
		if (h->pair[k].atom > UINT32_MAX / 2)
			continue;
		if (s->state == 0 && (rc = hs_touch(h, h->pair[k].x)) < 0)
			return rc;
		if (s->state == 2)
			s->state = 1;
		if ((rc = hs_push(s, h->pair[k].atom)) < 0)
			return rc;
	}
	for (k = i; k < j; k++) {
		keep[h->mv[k].av] = gone[h->mv[k].av] = 0;
		if (h->set[h->mv[k].av].state == 1 && h->set[h->mv[k].av].n == 0)
			h->set[h->mv[k].av].state = 2;
	}
	return 0;
}

static void h_free(struct hist *h)
{
	size_t i;
	for (i = 0; i < h->nset; i++)
		free(h->set[i].a);
	free(h->set);
	free(h->mv);
	free(h->pair);
	free(h->fused);
	fund_groups_free(&h->ids);
}

/* The translation of every code the movements touched since the start:
 * by code id, hstart/hlist (the communes of today holding its land) and
 * hkind (how it changed; 0: as it is today). */
static int h_table(struct fund_geo *g, struct hist *h)
{
	size_t nids = fund_groups_count(h->ids), i, k, total = 0;
	uint32_t *cnt = calloc(nids + 1, sizeof(*cnt)), *fill = NULL;
	long *today = malloc((nids + 1) * sizeof(*today));
	int rc = FUND_ENOMEM;
	if (!cnt || !today)
		goto out;
	for (i = 0; i < nids; i++) {
		size_t len;
		const char *c = fund_groups_key(h->ids, i, 0, &len);
		today[i] = find(&g->lv[FUND_LEVEL_COMMUNE], c, len);
	}
	/* atom -> the communes of today holding it */
	for (i = 0; i < nids; i++)
		if (h->set[i].state == 1 && today[i] >= 0)
			for (k = 0; k < h->set[i].n; k++)
				cnt[h->set[i].a[k]]++;
	if (!(g->hstart = calloc(nids + 2, sizeof(uint32_t))) || !(g->hkind = calloc(nids + 1, sizeof(*g->hkind))))
		goto out;
	for (i = 0; i < nids; i++)
		total += cnt[i];
	if (!(g->hlist = malloc((total + 1) * sizeof(uint32_t))) || !(fill = calloc(nids + 1, sizeof(*fill))))
		goto out;
	for (i = 0; i < nids; i++)
		g->hstart[i + 1] = g->hstart[i] + cnt[i];
	/* today's communes in their order: the parts of a divided commune
	 * are split over in that order */
	for (i = 0; i < nids; i++)
		if (h->set[i].state == 1 && today[i] >= 0)
			for (k = 0; k < h->set[i].n; k++) {
				uint32_t a = h->set[i].a[k];
				g->hlist[g->hstart[a] + fill[a]++] = (uint32_t)today[i];
			}
	for (i = 0; i < nids; i++) {
		uint32_t *l = g->hlist + g->hstart[i];
		size_t n = cnt[i], a, b;
		for (a = 1; a < n; a++)          /* insertion sort: few parts */
			for (b = a; b > 0 && l[b - 1] > l[b]; b--) {
				uint32_t t = l[b];
				l[b] = l[b - 1];
				l[b - 1] = t;
			}
		if (!h->set[i].state || (n == 1 && (long)l[0] == today[i]))
			g->hkind[i] = 0;      /* as it is today */
		else if (n > 1)
			g->hkind[i] = FUND_CODE_DIVIDED;
		else if (n == 1)
			g->hkind[i] = h->fused[i] ? FUND_CODE_MERGED : FUND_CODE_RENUMBERED;
		else {
			g->hkind[i] = HIST_GONE;
		}
	}
	rc = 0;
out:
	free(cnt);
	free(fill);
	free(today);
	return rc;
}

int fund_geo_codes_year(struct fund_geo *g, int year, struct fund_error *err)
{
	struct hist h;
	struct fund_reader *r = NULL;
	const struct fund_record *rec;
	unsigned char *keep = NULL, *gone = NULL;
	int absent, rc, c[4], k;
	size_t i, j;
	static const char *const cols[4] = { "MOD", "DATE_EFF", "COM_AV", "COM_AP" };

	memset(&h, 0, sizeof(h));
	if (g->hist)
		return fund_error_set(err, FUND_EUSAGE, "the codes' year is already set");
	if (fund_groups_new(&h.ids, 1, 1))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if ((rc = open_ref(&r, g->dir, "mouvements-communes.csv", &absent, err)) < 0)
		goto out;
	if (absent) {
		rc = fund_error_set(err, FUND_EUSAGE, "the reference in '%s' has no mouvements-communes.csv", g->dir);
		goto out;
	}
	for (k = 0; k < 4; k++)
		if ((c[k] = fund_reader_column(r, cols[k], err)) < 0) {
			rc = FUND_EDATA;
			goto out;
		}
	while ((rc = fund_reader_next(r, &rec, err)) > 0) {
		struct hmove m;
		long d;
		if ((size_t)c[0] >= rec->n || (size_t)c[1] >= rec->n || (size_t)c[2] >= rec->n || (size_t)c[3] >= rec->n)
			continue;
		d = parse_date(rec->fields[c[1]], rec->len[c[1]]);
		if (d < 0) {
			char q[64];
			rc = fund_error_at(err, FUND_EDATA, fund_reader_name(r), rec->line, "DATE_EFF", NULL, 0,
					   "cannot read '%s' as a date", fund_quote(q, sizeof(q), rec->fields[c[1]],
										    rec->len[c[1]]));
			goto out;
		}
		if (d <= (long)year * 10000 + 101)
			continue;
		m.mod = (int)strtol(rec->fields[c[0]], NULL, 10);
		/* Pont-Farcy changed département (14513 -> 50649) and merged
		 * (50649 -> 50592) on one day: the change comes first */
		m.phase = m.mod == 41 || m.mod == 50 ? 0 : 1;
		m.date = d;
		m.order = h.nmv;
		if ((rc = h_id(&h, rec->fields[c[2]], rec->len[c[2]], &m.av)) < 0 ||
		    (rc = h_id(&h, rec->fields[c[3]], rec->len[c[3]], &m.ap)) < 0) {
			fund_error_set(err, rc, "out of memory");
			goto out;
		}
		if (h.nmv == h.cap) {
			size_t cap = h.cap ? h.cap * 2 : 1024;
			struct hmove *mv = realloc(h.mv, cap * sizeof(*mv));
			if (!mv) {
				rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
				goto out;
			}
			h.mv = mv;
			h.cap = cap;
		}
		h.mv[h.nmv++] = m;
	}
	if (rc < 0)
		goto out;
	if (h.nmv)
		qsort(h.mv, h.nmv, sizeof(*h.mv), by_date);
	keep = calloc(h.nset + 1, 1);
	gone = calloc(h.nset + 1, 1);
	h.fused = calloc(h.nset + 1, 1);
	if (!keep || !gone || !h.fused) {
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < h.nmv; i = j) {
		for (j = i; j < h.nmv && h.mv[j].date == h.mv[i].date && h.mv[j].phase == h.mv[i].phase; j++)
			;
		if ((rc = h_day(&h, i, j, keep, gone)) < 0) {
			fund_error_set(err, rc, "out of memory");
			goto out;
		}
	}
	if ((rc = h_table(g, &h)) < 0) {
		fund_error_set(err, rc, "out of memory");
		goto out;
	}
	g->hist = h.ids;
	h.ids = NULL;
	g->codes_year = year;
	rc = 0;
out:
	fund_reader_close(&r);
	free(keep);
	free(gone);
	h_free(&h);
	return rc;
}

int fund_geo_codes_year_of(const struct fund_geo *g)
{
	return g->codes_year;
}

int fund_geo_load_zonings(struct fund_geo *g, struct fund_error *err)
{
	return g->zonings ? 0 : load_zonings(g, g->dir, 0, err);
}

size_t fund_geo_nlevels(const struct fund_geo *g)
{
	return g->nlv;
}

int fund_geo_level(const struct fund_geo *g, const char *name)
{
	size_t i;
	int l = fund_level_from_name(name);
	if (l >= 0)
		return l;
	for (i = FUND_NLEVELS; i < g->nlv; i++)
		if (!strcmp(g->lv[i].lname, name))
			return (int)i;
	return -1;
}

const char *fund_geo_level_name(const struct fund_geo *g, int l)
{
	if (l >= FUND_NLEVELS && (size_t)l < g->nlv)
		return g->lv[l].lname;
	return fund_level_name((enum fund_level)l);
}

static int lookup(const struct fund_geo *g, const char *code, size_t len, enum fund_level hint,
		  enum fund_level *level, size_t *index, unsigned *how, long *entry);

/* The rows of a user's zoning or list of members. */
static int user_zoning(struct fund_geo *g, const char *level, const char *file, const char *codecol,
		       const char *zonecol, const char *namecol, const char *label, struct fund_zoning_report *rep,
		       struct fund_error *err)
{
	struct fund_reader_opts o;
	struct fund_reader *r;
	const struct fund_record *rec;
	int ci, zi = -1, ni = -1, rc;
	size_t z, i, nc = g->lv[FUND_LEVEL_COMMUNE].n;

	memset(rep, 0, sizeof(*rep));
	if (fund_geo_level(g, level) >= 0)
		return fund_error_set(err, FUND_EUSAGE, "there is already a level '%s'", level);
	memset(&o, 0, sizeof(o));
	o.comment = '#';
	if ((rc = fund_reader_open(&r, file, &o, err)) < 0)
		return rc;
	if ((ci = fund_reader_column(r, codecol, err)) < 0 ||
	    (zonecol && (zi = fund_reader_column(r, zonecol, err)) < 0) ||
	    (namecol && (ni = fund_reader_column(r, namecol, err)) < 0)) {
		fund_reader_close(&r);
		return FUND_EUSAGE;
	}
	if (new_zoning(g, level, strlen(level), &z)) {
		fund_reader_close(&r);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	while ((rc = fund_reader_next(r, &rec, err)) > 0) {
		const char *zc = "member", *zn = label;
		size_t zl = 6, nl = label ? strlen(label) : 0, ix;
		enum fund_level lv;
		unsigned how;
		long entry;
		rep->rows++;
		if ((size_t)ci >= rec->n || (zonecol && ((size_t)zi >= rec->n || rec->len[zi] == 0))) {
			rep->blank++;
			continue;
		}
		/* a table of communes of its own: today's codes */
		entry = -2;
		rc = lookup(g, rec->fields[ci], rec->len[ci], FUND_LEVEL_COMMUNE, &lv, &ix, &how, &entry);
		if (rc == 1) {
			rep->blank++;
			continue;
		}
		if (rc != 0 || lv != FUND_LEVEL_COMMUNE) {
			rep->unknown++;
			continue;
		}
		if (zonecol) {
			zc = rec->fields[zi];
			zl = rec->len[zi];
			zn = ni >= 0 && (size_t)ni < rec->n ? rec->fields[ni] : zc;
			nl = ni >= 0 && (size_t)ni < rec->n ? rec->len[ni] : zl;
		}
		rep->matched++;
		if ((rc = put_in_zone(g, z, ix, zc, zl, zn, nl)) < 0) {
			fund_error_set(err, rc, "out of memory");
			break;
		}
		if (rc == 1) {
			char q[200];
			rc = fund_error_at(err, FUND_EDATA, fund_reader_name(r), rec->line, codecol, NULL, 0,
					   "commune %s (%s) is in two zones of this zoning: '%s' and '%s'",
					   g->lv[0].code[ix], g->lv[0].name[ix],
					   g->lv[z].code[g->lv[z].zone[ix]], fund_quote(q, sizeof(q), zc, zl));
			break;
		}
	}
	fund_reader_close(&r);
	if (rc < 0)
		return rc;
	if (!zonecol) {
		/* the others */
		size_t ol = strlen(label) + 6;
		char *other = malloc(ol);
		if (!other || fund_fmt(other, ol, "hors %s", label) < 0) {
			free(other);
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		}
		for (i = 0; i < nc && rc >= 0; i++)
			if (g->lv[z].zone[i] < 0)
				rc = put_in_zone(g, z, i, "other", 5, other, ol - 1);
		free(other);
		if (rc < 0)
			return fund_error_set(err, rc, "out of memory");
	}
	for (i = 0; i < nc; i++)
		if (g->lv[z].zone[i] >= 0)
			rep->communes++;
	rep->zones = g->lv[z].n;
	if (finish_zoning(g, z))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}

int fund_geo_add_zoning(struct fund_geo *g, const char *level, const char *file, const char *codecol,
			const char *zonecol, const char *namecol, struct fund_zoning_report *rep,
			struct fund_error *err)
{
	return user_zoning(g, level, file, codecol, zonecol, namecol, NULL, rep, err);
}

int fund_geo_add_members(struct fund_geo *g, const char *level, const char *file, const char *codecol,
			 const char *label, struct fund_zoning_report *rep, struct fund_error *err)
{
	return user_zoning(g, level, file, codecol, NULL, NULL, label, rep, err);
}

size_t fund_geo_population_years(const struct fund_geo *g, const int **years)
{
	*years = g->years;
	return g->nyears;
}

int fund_geo_population_year(const struct fund_geo *g)
{
	return g->pop_year;
}

int64_t fund_geo_population_of(const struct fund_geo *g, int year, enum fund_level l, size_t i)
{
	const uint32_t *m;
	size_t n, k, y;
	int64_t s = -1;
	if (!year || year == g->pop_year)
		return fund_geo_population(g, l, i);
	for (y = 0; y < g->nyears && g->years[y] != year; y++)
		;
	if (y == g->nyears || !g->ypop[y])
		return -1;      /* or fund_geo_load_zonings not called */
	fund_geo_members(g, l, i, &m, &n);
	for (k = 0; k < n; k++)
		if (g->ypop[y][m[k]] >= 0)
			s = (s < 0 ? 0 : s) + g->ypop[y][m[k]];
	return s;
}

int fund_geo_use_population(struct fund_geo *g, int year, struct fund_error *err)
{
	size_t i;
	int rc;
	if ((rc = fund_geo_load_zonings(g, err)) < 0)
		return rc;
	for (i = 0; i < g->nyears; i++)
		if (g->years[i] == year) {
			memcpy(g->lv[0].pop, g->ypop[i], g->lv[0].n * sizeof(int64_t));
			g->pop_year = year;
			sum_populations(g);
			return 0;
		}
	return fund_error_set(err, FUND_EUSAGE, "no populations of %d in the reference", year);
}

int fund_geo_load(struct fund_geo **out, const char *dir, struct fund_error *err)
{
	static const char *const ccols[] = { "code_insee", "nom", "departement", "region", "epci_siren", "population" };
	static const char *const ecols[] = { "siren", "nom" };
	static const char *const dcols[] = { "code", "nom", "region" };
	static const char *const rcols[] = { "code", "nom" };
	static const char *const fcols[] = { "code_insee", "code_commune_actuelle" };
	static const char *const acols[] = { "code_insee", "code_commune" };
	struct fund_geo *g = calloc(1, sizeof(*g));
	size_t nc, i;
	int rc, a, b;

	*out = NULL;
	if (!g || !(g->lv = calloc(FUND_NLEVELS, sizeof(*g->lv)))) {
		free(g);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	g->nlv = FUND_NLEVELS;
	if (!(g->dir = strdup(dir))) {
		fund_geo_free(&g);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if ((rc = load_table(g, dir, "regions.csv", rcols, 2, row_reg, err)) ||
	    (rc = load_table(g, dir, "departements.csv", dcols, 3, row_dep, err)) ||
	    (rc = load_table(g, dir, "epci.csv", ecols, 2, row_epci, err)) ||
	    (rc = load_table(g, dir, "communes.csv", ccols, 6, row_commune, err)))
		goto out;
	nc = g->lv[FUND_LEVEL_COMMUNE].n;
	for (a = 0; a < FUND_NLEVELS; a++)
		for (b = a; b < FUND_NLEVELS; b++) {
			size_t n = g->lv[a].n ? g->lv[a].n : 1;
			g->up[a][b] = malloc(n * sizeof(int32_t));
			if (!g->up[a][b]) {
				rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
				goto out;
			}
			for (i = 0; i < g->lv[a].n; i++)
				g->up[a][b][i] = a == b ? (int32_t)i : -1;
		}
	for (i = 0; i < g->lv[FUND_LEVEL_DEPARTEMENT].n; i++)
		g->up[FUND_LEVEL_DEPARTEMENT][FUND_LEVEL_REGION][i] =
			(int32_t)find(&g->lv[FUND_LEVEL_REGION], g->dep_region[i], strlen(g->dep_region[i]));
	for (i = 0; i < nc; i++) {
		long d = find(&g->lv[FUND_LEVEL_DEPARTEMENT], g->pend_dep[i], strlen(g->pend_dep[i]));
		g->up[0][FUND_LEVEL_DEPARTEMENT][i] = (int32_t)d;
		g->up[0][FUND_LEVEL_REGION][i] = d >= 0 ? g->up[FUND_LEVEL_DEPARTEMENT][FUND_LEVEL_REGION][d] : -1;
		g->up[0][FUND_LEVEL_EPCI][i] = (int32_t)find(&g->lv[FUND_LEVEL_EPCI], g->pend_epci[i], strlen(g->pend_epci[i]));
	}
	/* an EPCI's département and région: the one of all its communes */
	for (i = 0; i < g->lv[FUND_LEVEL_EPCI].n; i++)
		g->up[FUND_LEVEL_EPCI][FUND_LEVEL_DEPARTEMENT][i] = g->up[FUND_LEVEL_EPCI][FUND_LEVEL_REGION][i] = -2;
	for (i = 0; i < nc; i++) {
		int32_t e = g->up[0][FUND_LEVEL_EPCI][i];
		for (b = FUND_LEVEL_DEPARTEMENT; b <= FUND_LEVEL_REGION && e >= 0; b++) {
			int32_t *p = &g->up[FUND_LEVEL_EPCI][b][e];
			int32_t v = g->up[0][b][i];
			if (*p == -2)
				*p = v;
			else if (*p != v)
				*p = -1;
		}
	}
	for (i = 0; i < g->lv[FUND_LEVEL_EPCI].n; i++)
		for (b = FUND_LEVEL_DEPARTEMENT; b <= FUND_LEVEL_REGION; b++)
			if (g->up[FUND_LEVEL_EPCI][b][i] == -2)
				g->up[FUND_LEVEL_EPCI][b][i] = -1;
	for (a = FUND_LEVEL_EPCI; a < FUND_NLEVELS; a++)
		if (build_members(g, (size_t)a, g->up[FUND_LEVEL_COMMUNE][a])) {
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			goto out;
		}
	sum_populations(g);
	if ((rc = load_table(g, dir, "communes-deleguees.csv", fcols, 2, row_former, err)) ||
	    (rc = load_table(g, dir, "arrondissements-municipaux.csv", acols, 2, row_arr, err)) ||
	    (rc = load_zonings(g, dir, 1, err)))
		goto out;
out:
	for (i = 0; i < g->npend; i++) {
		free(g->pend_dep[i]);
		free(g->pend_epci[i]);
	}
	free(g->pend_dep);
	free(g->pend_epci);
	for (i = 0; i < g->ndep_region; i++)
		free(g->dep_region[i]);
	free(g->dep_region);
	g->pend_dep = g->pend_epci = g->dep_region = NULL;
	g->ndep_region = 0;
	g->npend = 0;
	if (rc) {
		fund_geo_free(&g);
		return rc;
	}
	*out = g;
	return 0;
}

int fund_geo_open(struct fund_geo **out, const char *ref_dir, struct fund_error *err)
{
	char *dir = NULL, *why;
	int rc;
	*out = NULL;
	if ((rc = fund_data_dir(ref_dir, &dir, err)) < 0)
		return rc;
	if ((rc = fund_error_ensure(err, fund_geo_load(out, dir, err))) < 0) {
		if (!(why = strdup(fund_error_msg(err))))
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
		else
			fund_error_set(err, rc, "cannot load the reference geography from '%s': %s", dir, why);
		free(why);
	}
	free(dir);
	return rc;
}

size_t fund_geo_count(const struct fund_geo *g, enum fund_level l) { return (size_t)l < g->nlv ? g->lv[l].n : 0; }
const char *fund_geo_code(const struct fund_geo *g, enum fund_level l, size_t i) { return g->lv[l].code[i]; }
const char *fund_geo_name(const struct fund_geo *g, enum fund_level l, size_t i) { return g->lv[l].name[i]; }
int64_t fund_geo_population(const struct fund_geo *g, enum fund_level l, size_t i) { return g->lv[l].pop[i]; }

long fund_geo_parent(const struct fund_geo *g, enum fund_level from, size_t i, enum fund_level to)
{
	if (from == to)
		return (long)i;
	if (from < FUND_NLEVELS && to < FUND_NLEVELS)
		return to < from ? -1 : g->up[from][to][i];
	if (from < FUND_NLEVELS)
		return from == FUND_LEVEL_COMMUNE ? g->lv[to].zone[i] : g->lv[to].down[from][i];
	if (to < FUND_NLEVELS)
		return to == FUND_LEVEL_COMMUNE ? -1 : g->lv[from].upto[to][i];
	return -1;
}

void fund_geo_members(const struct fund_geo *g, enum fund_level l, size_t i,
		      const uint32_t **communes, size_t *n)
{
	static uint32_t self;
	if (l == FUND_LEVEL_COMMUNE) {
		self = (uint32_t)i;
		*communes = &self;
		*n = 1;
		return;
	}
	*communes = g->lv[l].members + g->lv[l].mstart[i];
	*n = g->lv[l].mstart[i + 1] - g->lv[l].mstart[i];
}

/* A commune by its 5-character code: of the codes' year, today's, an
 * arrondissement's, or a former commune's.  *entry: the history's entry
 * (-1: none; -2 on entry: today's codes, whatever the codes' year). */
static int commune_by_code(const struct fund_geo *g, const char *c, size_t *index, unsigned *how, long *entry)
{
	long i;
	size_t ix;
	size_t five = 5;
	if (g->hist && *entry != -2 && fund_groups_find(g->hist, &c, &five, &ix) && g->hkind[ix]) {
		if (g->hkind[ix] == HIST_GONE || g->hstart[ix + 1] == g->hstart[ix])
			return FUND_EDATA;
		*index = g->hlist[g->hstart[ix]];
		*how |= g->hkind[ix];
		*entry = (long)ix;
		return 0;
	}
	i = find(&g->lv[FUND_LEVEL_COMMUNE], c, 5);
	if (i >= 0) {
		*index = (size_t)i;
		return 0;
	}
	if (g->arr && fund_groups_find(g->arr, &c, &five, &ix)) {
		*index = g->arr_to[ix];
		*how |= FUND_CODE_ARRONDISSEMENT;
		return 0;
	}
	if (g->former && fund_groups_find(g->former, &c, &five, &ix)) {
		*index = g->former_to[ix];
		*how |= FUND_CODE_FORMER;
		return 0;
	}
	return FUND_EDATA;
}

static int lookup(const struct fund_geo *g, const char *code, size_t len, enum fund_level hint,
		  enum fund_level *level, size_t *index, unsigned *how, long *entry)
{
	char c[24];
	size_t n = 0, i, nd = 0;
	long x;

	*how = 0;
	/* blanks around and inside (SIRET are written "224 900 019 000 15") */
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)code[i];
		if (ch == ' ' || ch == '\t' || ch == '\'' || ch == '"')
			continue;
		if (ch == 0xC2 && i + 1 < len && (unsigned char)code[i + 1] == 0xA0) {
			i++;
			continue;
		}
		if (n >= sizeof(c) - 1)
			return FUND_EDATA;
		if (ch >= 'a' && ch <= 'z') {
			ch = (unsigned char)(ch - 32);
			*how |= FUND_CODE_CASE;
		}
		c[n++] = (char)ch;
	}
	c[n] = '\0';
	if (n == 0)
		return 1;
	/* a number that went through a spreadsheet float: "21860194600000.0" */
	if (n > 2 && c[n - 2] == '.' && c[n - 1] == '0')
		c[n -= 2] = '\0';
	for (i = 0; i < n; i++)
		if (c[i] >= '0' && c[i] <= '9')
			nd++;
	if (nd == n && n == 14) {
		*how |= FUND_CODE_SIRET;
		c[n = nd = 9] = '\0';
	}
	if (nd == n && n == 9) {
		if ((x = find(&g->lv[FUND_LEVEL_EPCI], c, 9)) >= 0) {
			*level = FUND_LEVEL_EPCI;
			*index = (size_t)x;
			return 0;
		}
		if (c[0] == '2' && c[1] == '1') {
			/* a commune's SIREN: 21 + département (2) + 0 or the DOM
			 * digit + commune (3) + check digit */
			char k[6];
			*how |= FUND_CODE_SIREN;
			k[0] = c[2];
			k[1] = c[3];
			memcpy(k + 2, c + 5, 3);
			k[5] = '\0';
			*level = FUND_LEVEL_COMMUNE;
			if (k[0] == '2' && k[1] == '0') {
				k[1] = 'A';
				if (commune_by_code(g, k, index, how, entry) == 0)
					return 0;
				k[1] = 'B';
			}
			return commune_by_code(g, k, index, how, entry);
		}
		return FUND_EDATA;
	}
	if (n == 4 && nd == 4) {
		memmove(c + 1, c, 5);
		c[0] = '0';
		n = 5;
		*how |= FUND_CODE_LOST_ZERO;
	}
	if (n == 5) {
		*level = FUND_LEVEL_COMMUNE;
		return commune_by_code(g, c, index, how, entry);
	}
	if (n == 1 && nd == 1) {
		c[2] = '\0';
		c[1] = c[0];
		c[0] = '0';
		n = 2;
		*how |= FUND_CODE_LOST_ZERO;
	}
	if (n == 2 || n == 3) {
		enum fund_level l = hint == FUND_LEVEL_REGION ? FUND_LEVEL_REGION : FUND_LEVEL_DEPARTEMENT;
		if ((x = find(&g->lv[l], c, n)) < 0)
			return FUND_EDATA;
		*level = l;
		*index = (size_t)x;
		return 0;
	}
	return FUND_EDATA;
}

int fund_geo_lookup(const struct fund_geo *g, const char *code, size_t len,
		    enum fund_level hint, enum fund_level *level, size_t *index,
		    unsigned *how)
{
	long entry = -1;
	return lookup(g, code, len, hint, level, index, how, &entry);
}

int fund_geo_lookup_all(const struct fund_geo *g, const char *code, size_t len,
			enum fund_level hint, enum fund_level *level, const uint32_t **list,
			size_t *n, uint32_t *one, unsigned *how)
{
	long entry = -1;
	size_t ix = 0;
	int rc = lookup(g, code, len, hint, level, &ix, how, &entry);
	*n = 0;
	if (rc)
		return rc;
	if (entry >= 0) {
		*list = g->hlist + g->hstart[entry];
		*n = g->hstart[entry + 1] - g->hstart[entry];
	} else {
		*one = (uint32_t)ix;
		*list = one;
		*n = 1;
	}
	return 0;
}

int fund_geo_set_population(struct fund_geo *g, const char *file, const char *codecol,
			    const char *popcol, size_t *matched, size_t *unmatched,
			    struct fund_error *err)
{
	struct fund_reader_opts o;
	struct fund_reader *r;
	const struct fund_record *rec;
	char *cc = strdup(codecol), *plus;
	int ci, ci2 = -1, pi, rc;
	size_t i;
	struct level_data *d = &g->lv[FUND_LEVEL_COMMUNE];

	*matched = *unmatched = 0;
	if (!cc)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	memset(&o, 0, sizeof(o));
	o.comment = '#';
	if ((rc = fund_reader_open(&r, file, &o, err)) < 0) {
		free(cc);
		return rc;
	}
	plus = strchr(cc, '+');
	if (plus)
		*plus++ = '\0';
	if ((ci = fund_reader_column(r, cc, err)) < 0 ||
	    (plus && (ci2 = fund_reader_column(r, plus, err)) < 0) ||
	    (pi = fund_reader_column(r, popcol, err)) < 0) {
		free(cc);
		fund_reader_close(&r);
		return FUND_EUSAGE;
	}
	free(cc);
	for (i = 0; i < d->n; i++)
		d->pop[i] = -1;
	g->pop_year = 0;
	while ((rc = fund_reader_next(r, &rec, err)) > 0) {
		char code[24];
		size_t n = 0, ix;
		enum fund_level lv;
		unsigned how;
		int64_t p;
		if ((size_t)ci >= rec->n || (size_t)pi >= rec->n)
			continue;
		if (ci2 < 0) {
			n = rec->len[ci] < sizeof(code) ? rec->len[ci] : 0;
			memcpy(code, rec->fields[ci], n);
		} else if ((size_t)ci2 < rec->n && rec->len[ci] + rec->len[ci2] < sizeof(code)) {
			/* INSEE's split code: département + commune; for the
			 * 3-character DOM départements, the commune part
			 * repeats the third character */
			const char *dp = rec->fields[ci], *cm = rec->fields[ci2];
			size_t dl = rec->len[ci], cl = rec->len[ci2];
			if (dl == 3 && cl == 3) {
				memcpy(code, dp, 2);
				memcpy(code + 2, cm, 3);
				n = 5;
			} else {
				memcpy(code, dp, dl);
				memcpy(code + dl, cm, cl);
				n = dl + cl;
			}
		}
		p = parse_pop(rec->fields[pi], rec->len[pi]);
		long entry = -2;    /* a population table of its own year: today's codes */
		if (n == 0 || p < 0 || lookup(g, code, n, FUND_LEVEL_COMMUNE, &lv, &ix, &how, &entry) != 0 ||
		    lv != FUND_LEVEL_COMMUNE) {
			(*unmatched)++;
			continue;
		}
		d->pop[ix] = (d->pop[ix] < 0 ? 0 : d->pop[ix]) + p;
		(*matched)++;
	}
	fund_reader_close(&r);
	if (rc < 0)
		return rc;
	sum_populations(g);
	return 0;
}
