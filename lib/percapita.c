/* Amounts per territory and per inhabitant: placing each row's amount on
 * a territory of the chosen level, splitting group amounts over communes
 * by population (largest remainder), and exact rational per-capita and
 * share figures. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

struct acc {
	uint64_t count, stamp;
	struct fund_sum sum;
};

struct fund_percapita {
	struct fund_percapita_opts o;
	enum fund_level level;
	int key_idx, sum_idx;
	struct fund_row_policy rp;
	const char *cur_name;
	char *sum_name;
	struct fund_amount_ctx ctx;
	struct acc *acc;             /* per territory of the level */
	/* a zoning with --in-region: each zone is its communes in the
	 * région, with their population (-1: none known; its communes
	 * in the scope: zcount) */
	int64_t *zpop;
	uint32_t *zcount;
	uint64_t row;
	struct fund_percapita_summary s;
	struct fund_sum unplaced[FUND_NUNPLACED];
	/* the codes not placed, per reason (not blank codes, not those
	 * outside the scope), in first-seen order: the summary names the
	 * first five (their rows merge exactly across parts) */
	struct fund_groups *ucodes[FUND_NUNPLACED];
	int ucodes_nomem;
	int own_unplaced;            /* o.unplaced is a fork's temporary file */
	/* split scratch */
	uint32_t *communes;
	fund_i128 *rem;
	size_t *order;
	size_t scap;
};

int fund_percapita_new(struct fund_percapita **out, const struct fund_percapita_opts *o)
{
	struct fund_percapita *p = calloc(1, sizeof(*p));
	*out = NULL;
	if (!p)
		return FUND_ENOMEM;
	p->o = *o;
	p->level = o->level;
	/* split amounts are given per commune unless a level is asked */
	if (o->split && p->level == FUND_LEVEL_AUTO)
		p->level = FUND_LEVEL_COMMUNE;
	p->ctx.forced = o->decimal;
	p->rp.strict = o->strict;
	p->rp.diag = o->diag;
	p->rp.diag_ctx = o->diag_ctx;
	if (!p->o.sum_col)
		p->o.sum_col = "montant";
	*out = p;
	return 0;
}

void fund_percapita_free(struct fund_percapita **pp)
{
	struct fund_percapita *p = pp ? *pp : NULL;
	if (!p)
		return;
	if (p->own_unplaced)
		fclose(p->o.unplaced);
	{
		int k;
		for (k = 0; k < FUND_NUNPLACED; k++)
			fund_groups_free(&p->ucodes[k]);
	}
	free(p->acc);
	free(p->zpop);
	free(p->zcount);
	free(p->sum_name);
	free(p->communes);
	free(p->rem);
	free(p->order);
	free(p);
	*pp = NULL;
}

size_t fund_percapita_columns(const struct fund_percapita *p, int *cols, size_t max)
{
	const int c[2] = { p->key_idx, p->sum_idx };
	return fund_put_columns(cols, max, 0, c, 2);
}

int fund_percapita_bind(struct fund_percapita *p, const struct fund_reader *r, struct fund_error *err)
{
	int c;
	if ((c = fund_reader_column(r, p->o.key_col, err)) < 0)
		return c;
	p->key_idx = c;
	if ((c = fund_reader_column(r, p->o.sum_col, err)) < 0)
		return c;
	p->sum_idx = c;
	if (!p->sum_name && !(p->sum_name = strdup(fund_reader_colname(r, (size_t)c))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	fund_rows_bind(&p->rp, r);
	p->cur_name = fund_reader_name(r);
	return 0;
}

static int zoned(const struct fund_percapita *p)
{
	return p->level >= FUND_NLEVELS && p->o.in_region >= 0;
}

static int set_level(struct fund_percapita *p, enum fund_level l)
{
	const struct fund_geo *g = p->o.geo;
	size_t n = fund_geo_count(g, l), i, k;
	p->level = l;
	p->acc = calloc(n + 1, sizeof(*p->acc));
	if (!p->acc)
		return FUND_ENOMEM;
	if (!zoned(p))
		return 0;
	p->zpop = malloc((n + 1) * sizeof(*p->zpop));
	p->zcount = calloc(n + 1, sizeof(*p->zcount));
	if (!p->zpop || !p->zcount)
		return FUND_ENOMEM;
	for (i = 0; i < n; i++) {
		const uint32_t *m;
		size_t nm;
		p->zpop[i] = -1;
		fund_geo_members(g, l, i, &m, &nm);
		for (k = 0; k < nm; k++) {
			int64_t pop = fund_geo_population(g, FUND_LEVEL_COMMUNE, m[k]);
			if (fund_geo_parent(g, FUND_LEVEL_COMMUNE, m[k], FUND_LEVEL_REGION) != p->o.in_region)
				continue;
			p->zcount[i]++;
			if (pop >= 0)
				p->zpop[i] = (p->zpop[i] < 0 ? 0 : p->zpop[i]) + pop;
		}
	}
	return 0;
}

/* The population of territory t of the level, in the scope. */
static int64_t level_pop(const struct fund_percapita *p, size_t t)
{
	return p->zpop ? p->zpop[t] : fund_geo_population(p->o.geo, p->level, t);
}

static void unplaced_line(struct fund_percapita *p, enum fund_unplaced why, const struct fund_record *rec,
			  const char *code, size_t clen, const char *amt, size_t alen);

struct ucode {
	uint64_t n;
	struct fund_sum sum;
};

static void unplaced_row(struct fund_percapita *p, enum fund_unplaced why, const struct fund_record *rec,
			 const struct fund_amount *a, const char *code, size_t clen)
{
	p->s.unplaced_rows[why]++;
	if (a)
		fund_sum_add(&p->unplaced[why], a);
	/* the rows outside --in-region are left out as asked: not named */
	if (why != FUND_UNPLACED_EMPTY && why != FUND_UNPLACED_SCOPE && !p->ucodes_nomem) {
		size_t gi;
		struct ucode *u;
		if ((!p->ucodes[why] && fund_groups_new(&p->ucodes[why], 1, sizeof(struct ucode))) ||
		    fund_groups_get(p->ucodes[why], &code, &clen, &gi) < 0) {
			p->ucodes_nomem = 1;
		} else {
			u = fund_groups_payload(p->ucodes[why], gi);
			u->n++;
			if (a)
				fund_sum_add(&u->sum, a);
		}
	}
	unplaced_line(p, why, rec, code, clen, rec->fields[p->sum_idx], rec->len[p->sum_idx]);
}

static void unplaced_line(struct fund_percapita *p, enum fund_unplaced why, const struct fund_record *rec,
			  const char *code, size_t clen, const char *amt, size_t alen)
{
	static const char *const reason[] = {
		"empty code", "unknown code", "larger than the level: use --split",
		"no population to split by", "no territory at this level", "outside the scope"
	};
	if (p->o.unplaced) {
		char q[200], qa[200];
		fprintf(p->o.unplaced, "%s\t%lu\t%s\t%s\t%s\n", p->cur_name, rec->line,
			fund_quote(q, sizeof(q), code, clen), fund_quote(qa, sizeof(qa), amt, alen), reason[why]);
	}
}

/* Add part (units at scale) to territory t of the level, once per row in
 * its count.  Scope is checked by the caller. */
static int credit(struct fund_percapita *p, size_t t, const struct fund_amount *a)
{
	struct acc *x = &p->acc[t];
	if (x->stamp != p->row) {
		x->stamp = p->row;
		x->count++;
	}
	if (a && fund_sum_add(&x->sum, a))
		return FUND_EOVERFLOW;
	return 0;
}

/* Territory t of the level is in the scope (a zone with communes in
 * the région). */
static int in_scope(const struct fund_percapita *p, size_t t)
{
	if (p->zcount)
		return p->zcount[t] > 0;
	return p->o.in_region < 0 || fund_geo_parent(p->o.geo, p->level, t, FUND_LEVEL_REGION) == p->o.in_region;
}

/* The territory of the level of territory i of level from (-1: none),
 * and whether the amount is in the scope: a zone's share of the région
 * is what the région's communes get. */
static long target(const struct fund_percapita *p, enum fund_level from, size_t i, int *scope)
{
	long t = fund_geo_parent(p->o.geo, from, i, p->level);
	if (zoned(p))
		*scope = fund_geo_parent(p->o.geo, from, i, FUND_LEVEL_REGION) == p->o.in_region;
	else
		*scope = t >= 0 && in_scope(p, (size_t)t);
	return t;
}

static int grow_scratch(struct fund_percapita *p, size_t n)
{
	size_t cap = p->scap ? p->scap : 16;
	void *a, *b, *c;
	if (n <= p->scap)
		return 0;
	while (cap < n)
		cap *= 2;
	a = realloc(p->communes, cap * sizeof(*p->communes));
	if (a)
		p->communes = a;
	b = realloc(p->rem, cap * sizeof(*p->rem));
	if (b)
		p->rem = b;
	c = realloc(p->order, cap * sizeof(*p->order));
	if (c)
		p->order = c;
	if (!a || !b || !c)
		return FUND_ENOMEM;
	p->scap = cap;
	return 0;
}

static int by_remainder(const void *a, const void *b, void *arg)
{
	const fund_i128 *rem = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	if (rem[x] != rem[y])
		return rem[x] > rem[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Split a over the n communes in p->communes by population; place each
 * part on its territory of the level.  Returns 0, 1 when there is no
 * population to split by, or a negative code. */
static int split(struct fund_percapita *p, const struct fund_record *rec, const struct fund_amount *a,
		 size_t n, struct fund_error *err)
{
	const struct fund_geo *g = p->o.geo;
	fund_i128 total = 0, mag, given = 0, pop_sum = 0;
	int scale, neg, rc, lostany[2] = { 0, 0 };
	struct fund_sum lostsum[2];
	size_t i;

	memset(lostsum, 0, sizeof(lostsum));
	for (i = 0; i < n; i++) {
		int64_t pop = fund_geo_population(g, FUND_LEVEL_COMMUNE, p->communes[i]);
		if (pop > 0)
			pop_sum += pop;
	}
	if (pop_sum == 0)
		return 1;
	p->s.split_rows++;
	if (a) {
		total = a->units;
		scale = a->scale < 2 ? 2 : a->scale;   /* parts in cents at least */
		for (i = (size_t)a->scale; i < (size_t)scale; i++)
			total *= 10;
	} else {
		scale = 0;
	}
	neg = total < 0;
	mag = neg ? -total : total;
	for (i = 0; i < n; i++) {
		int64_t pop = fund_geo_population(g, FUND_LEVEL_COMMUNE, p->communes[i]);
		fund_i128 prod;
		if (pop <= 0) {
			p->rem[i] = -1;
			continue;
		}
		if (__builtin_mul_overflow(mag, (fund_i128)pop, &prod))
			return fund_error_at(err, FUND_EOVERFLOW, p->cur_name, rec->line, NULL, NULL, 0, "amount too large to split");
		p->rem[i] = prod % pop_sum;
		given += prod / pop_sum;
	}
	/* the units left go one by one to the largest remainders */
	for (i = 0; i < n; i++)
		p->order[i] = i;
	qsort_r(p->order, n, sizeof(*p->order), by_remainder, p->rem);
	for (i = 0; i < n; i++) {
		size_t k = p->order[i];
		int64_t pop = fund_geo_population(g, FUND_LEVEL_COMMUNE, p->communes[k]);
		fund_i128 part = 0;
		struct fund_amount x;
		long t;
		int sc;
		if (pop > 0)
			part = mag * pop / pop_sum + (i < (size_t)(mag - given) ? 1 : 0);
		x.units = neg ? -part : part;
		x.scale = scale;
		t = target(p, FUND_LEVEL_COMMUNE, p->communes[k], &sc);
		if (pop <= 0 && i >= (size_t)(mag - given))
			continue;      /* nothing for a commune without inhabitants */
		if (t < 0 || !sc) {
			/* parts that cannot be placed: counted once per row below */
			struct fund_sum *lost = &lostsum[t < 0 ? 0 : 1];
			if (a && fund_sum_add(lost, &x))
				return fund_error_at(err, FUND_EOVERFLOW, p->cur_name, rec->line, NULL, NULL, 0, "amount too large");
			lostany[t < 0 ? 0 : 1] = 1;
			continue;
		}
		if ((rc = credit(p, (size_t)t, a ? &x : NULL)) < 0)
			return fund_error_at(err, rc, p->cur_name, rec->line, p->sum_name, NULL, 0, "the total overflows");
	}
	for (i = 0; i < 2; i++) {
		enum fund_unplaced why = i == 0 ? FUND_UNPLACED_NOPARENT : FUND_UNPLACED_SCOPE;
		char txt[96] = "";
		if (!lostany[i])
			continue;
		p->s.unplaced_rows[why]++;
		if (lostsum[i].n) {
			fund_sum_merge(&p->unplaced[why], &lostsum[i]);
			fund_amount_format(txt, sizeof(txt), lostsum[i].units, lostsum[i].scale, lostsum[i].scale, 0);
		}
		unplaced_line(p, why, rec, rec->fields[p->key_idx], rec->len[p->key_idx], txt, strlen(txt));
	}
	return 0;
}

static int is_sep(char c)
{
	return c == ';' || c == ',' || c == '|' || c == '/';
}

int fund_percapita_add(struct fund_percapita *p, const struct fund_record *rec, struct fund_error *err)
{
	const struct fund_geo *g = p->o.geo;
	const char *code, *s;
	size_t clen, i, n = 0;
	struct fund_amount amt, *a = NULL;
	enum fund_level kl = FUND_LEVEL_COMMUNE;
	size_t kidx = 0, parts = 0;
	int st, rc, several_levels = 0, divide = p->o.split;

	p->row++;
	if ((st = fund_rows_admit_fast(&p->rp, rec, err)) <= 0)
		return st;
	if ((size_t)p->sum_idx >= rec->n || (rec->is_null && rec->is_null[p->sum_idx] == 1)) {
		st = FUND_AMOUNT_MISSING;
	} else {
		st = fund_amount_parse(rec->fields[p->sum_idx], rec->len[p->sum_idx], &p->ctx, &amt);
	}
	if (st == FUND_AMOUNT_OK) {
		a = &amt;
	} else if (st == FUND_AMOUNT_MISSING) {
		p->s.missing++;
	} else {
		struct fund_error e = FUND_ERROR_INIT;
		char q[300];
		p->s.unreadable++;
		fund_error_at(&e, FUND_EDATA, p->cur_name, rec->line, p->sum_name, rec->fields[p->sum_idx],
			      rec->len[p->sum_idx], "cannot read '%s' as an amount",
			      fund_quote(q, sizeof(q), rec->fields[p->sum_idx], rec->len[p->sum_idx]));
		if (rec->sheet)
			fund_error_cell(&e, (unsigned long)p->sum_idx + 1);
		if (fund_problem(&e, p->o.strict, p->o.diag, p->o.diag_ctx, FUND_DIAG_AMOUNT, err))
			return FUND_EDATA;
	}

	code = (size_t)p->key_idx < rec->n ? rec->fields[p->key_idx] : "";
	clen = (size_t)p->key_idx < rec->n ? rec->len[p->key_idx] : 0;
	/* one code, or a list of communes "31555;31069" */
	for (s = code; s < code + clen;) {
		const char *e = s;
		enum fund_level l;
		const uint32_t *list;
		size_t nl, k;
		uint32_t one;
		unsigned how;
		while (e < code + clen && !is_sep(*e))
			e++;
		rc = fund_geo_lookup_all(g, s, (size_t)(e - s), p->o.key_level, &l, &list, &nl, &one, &how);
		if (rc < 0) {
			unplaced_row(p, FUND_UNPLACED_UNKNOWN, rec, a, code, clen);
			return 0;
		}
		if (rc == 0) {
			int b;
			for (b = 0; b < FUND_CODE_NHOW; b++)
				if (how & (1u << b))
					p->s.how[b]++;
			if (parts && l != kl)
				several_levels = 1;
			kl = l;
			kidx = list[0];
			if (grow_scratch(p, n + nl))
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			/* a commune since divided: over its parts, by population */
			for (k = 0; k < nl; k++)
				p->communes[n++] = list[k];
			parts += nl;
			if (nl > 1)
				divide = 1;
		}
		s = e < code + clen ? e + 1 : e;
	}
	if (parts == 0) {
		unplaced_row(p, FUND_UNPLACED_EMPTY, rec, a, code, clen);
		return 0;
	}
	if (several_levels || (parts > 1 && kl != FUND_LEVEL_COMMUNE)) {
		unplaced_row(p, FUND_UNPLACED_UNKNOWN, rec, a, code, clen);
		return 0;
	}
	if (p->level == FUND_LEVEL_AUTO && set_level(p, kl))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (!p->acc && set_level(p, p->level))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");

	if (parts == 1) {
		int sc;
		long t = target(p, kl, kidx, &sc);
		if (t >= 0 && !(divide && kl != FUND_LEVEL_COMMUNE)) {
			if (!sc) {
				unplaced_row(p, FUND_UNPLACED_SCOPE, rec, a, code, clen);
				return 0;
			}
			if (credit(p, (size_t)t, a))
				return fund_error_at(err, FUND_EOVERFLOW, p->cur_name, rec->line, p->sum_name, NULL, 0,
						     "the total overflows");
			return 0;
		}
		if (!divide) {
			unplaced_row(p, kl == FUND_LEVEL_COMMUNE ? FUND_UNPLACED_NOPARENT : FUND_UNPLACED_COARSER,
				     rec, a, code, clen);
			return 0;
		}
		{
			const uint32_t *m;
			size_t k;
			fund_geo_members(g, kl, kidx, &m, &n);
			if (grow_scratch(p, n + 1))
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			for (k = 0; k < n; k++)
				p->communes[k] = m[k];
		}
	} else {
		/* several communes: one territory of the level takes it all,
		 * or it is split */
		int sc, sci;
		long t0 = target(p, FUND_LEVEL_COMMUNE, p->communes[0], &sc);
		for (i = 1; i < n && t0 >= 0; i++)
			if (target(p, FUND_LEVEL_COMMUNE, p->communes[i], &sci) != t0 || sci != sc)
				t0 = -1;
		if (t0 >= 0 && !divide) {
			if (!sc) {
				unplaced_row(p, FUND_UNPLACED_SCOPE, rec, a, code, clen);
				return 0;
			}
			if (credit(p, (size_t)t0, a))
				return fund_error_at(err, FUND_EOVERFLOW, p->cur_name, rec->line, NULL, NULL, 0, "the total overflows");
			return 0;
		}
		if (!divide) {
			unplaced_row(p, FUND_UNPLACED_COARSER, rec, a, code, clen);
			return 0;
		}
	}
	rc = split(p, rec, a, n, err);
	if (rc == 1)
		unplaced_row(p, FUND_UNPLACED_NOPOP, rec, a, code, clen);
	return rc < 0 ? rc : 0;
}

int fund_percapita_fork(struct fund_percapita **out, const struct fund_percapita *p, int inherit,
			fund_diag_fn diag, void *ctx)
{
	struct fund_percapita_opts o = p->o;
	int rc;
	*out = NULL;
	o.diag = diag;
	o.diag_ctx = ctx;
	if (p->o.unplaced && !(o.unplaced = tmpfile()))
		return FUND_EIO;
	if ((rc = fund_percapita_new(out, &o)) < 0) {
		if (o.unplaced != p->o.unplaced)
			fclose(o.unplaced);
		return rc;
	}
	(*out)->own_unplaced = o.unplaced != NULL;
	if (inherit) {
		(*out)->ctx = p->ctx;
		if (p->acc && set_level(*out, p->level)) {
			fund_percapita_free(out);
			return FUND_ENOMEM;
		}
	}
	return 0;
}

int fund_percapita_merge(struct fund_percapita *a, const struct fund_percapita *b, struct fund_error *err)
{
	struct fund_amount_ctx c = a->ctx;
	size_t i, n;

	if (fund_amount_ctx_follow(&c, &b->ctx) || (a->acc && b->acc && a->level != b->level))
		return fund_error_set(err, FUND_ERETRY, "parts do not merge exactly");
	if (a->acc && b->acc) {
		/* totals that would overflow: one pass says on which row */
		n = fund_geo_count(a->o.geo, a->level) + 1;
		for (i = 0; i < n; i++)
			if (fund_sum_merge_check(&a->acc[i].sum, &b->acc[i].sum))
				return fund_error_set(err, FUND_ERETRY, "the total overflows");
	}
	for (i = 0; i < FUND_NUNPLACED; i++)
		if (fund_sum_merge_check(&a->unplaced[i], &b->unplaced[i]))
			return fund_error_set(err, FUND_ERETRY, "the total overflows");
	if (b->acc && !a->acc && set_level(a, b->level))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (b->acc) {
		n = fund_geo_count(a->o.geo, a->level) + 1;
		for (i = 0; i < n; i++) {
			a->acc[i].count += b->acc[i].count;
			if (fund_sum_merge(&a->acc[i].sum, &b->acc[i].sum))
				return fund_error_set(err, FUND_EOVERFLOW, "column '%s': the total overflows",
						      a->sum_name ? a->sum_name : "?");
		}
	}
	for (i = 0; i < FUND_NUNPLACED; i++) {
		size_t g, nb = b->ucodes[i] ? fund_groups_count(b->ucodes[i]) : 0;
		a->s.unplaced_rows[i] += b->s.unplaced_rows[i];
		if (fund_sum_merge(&a->unplaced[i], &b->unplaced[i]))
			return fund_error_set(err, FUND_EOVERFLOW, "unplaced amounts overflow");
		a->ucodes_nomem |= b->ucodes_nomem;
		for (g = 0; g < nb && !a->ucodes_nomem; g++) {
			size_t len, gi;
			const char *k = fund_groups_key(b->ucodes[i], g, 0, &len);
			const struct ucode *y = fund_groups_payload(b->ucodes[i], g);
			struct ucode *x;
			if ((!a->ucodes[i] && fund_groups_new(&a->ucodes[i], 1, sizeof(struct ucode))) ||
			    fund_groups_get(a->ucodes[i], &k, &len, &gi) < 0) {
				a->ucodes_nomem = 1;
				break;
			}
			x = fund_groups_payload(a->ucodes[i], gi);
			x->n += y->n;
			fund_sum_merge(&x->sum, &y->sum);
		}
	}
	for (i = 0; i < FUND_CODE_NHOW; i++)
		a->s.how[i] += b->s.how[i];
	fund_rows_add(&a->rp.n, &b->rp.n);
	a->s.missing += b->s.missing;
	a->s.unreadable += b->s.unreadable;
	a->s.split_rows += b->s.split_rows;
	a->ctx = c;
	if (b->o.unplaced && a->o.unplaced) {
		/* the rows b could not place, after a's */
		char buf[65536];
		size_t got;
		if (fflush(b->o.unplaced) || fseek(b->o.unplaced, 0, SEEK_SET))
			return fund_error_set(err, FUND_EIO, "cannot read back the unplaced rows");
		while ((got = fread(buf, 1, sizeof(buf), b->o.unplaced)) > 0)
			if (fwrite(buf, 1, got, a->o.unplaced) != got)
				return fund_error_set(err, FUND_EIO, "write error (unplaced rows)");
		if (ferror(b->o.unplaced))
			return fund_error_set(err, FUND_EIO, "cannot read back the unplaced rows");
	}
	return 0;
}

/* ---- output ---- */

static fund_i128 at_scale(const struct fund_sum *s, int scale)
{
	fund_i128 u = s->units;
	int k;
	for (k = s->scale; k < scale; k++)
		u *= 10;
	return u;
}

struct pc_sort {
	struct fund_percapita *p;
	const struct fund_percapita_out *o;
	int scale;
};

static int cmp_terr(const void *x, const void *y, void *arg)
{
	const struct pc_sort *ps = arg;
	const struct fund_percapita *p = ps->p;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	int c = 0;
	switch (ps->o->sort) {
	case FUND_PC_SORT_CODE:
		c = strcmp(fund_geo_code(p->o.geo, p->level, a), fund_geo_code(p->o.geo, p->level, b));
		break;
	case FUND_PC_SORT_NAME:
		c = strcmp(fund_geo_name(p->o.geo, p->level, a), fund_geo_name(p->o.geo, p->level, b));
		break;
	case FUND_PC_SORT_TOTAL: {
		fund_i128 ua = at_scale(&p->acc[a].sum, ps->scale), ub = at_scale(&p->acc[b].sum, ps->scale);
		c = ua > ub ? -1 : ua < ub;
		break;
	}
	case FUND_PC_SORT_PERCAPITA: {
		/* a/pa > b/pb  <=>  a*pb > b*pa, territories without population last */
		int64_t pa = level_pop(p, a), pb = level_pop(p, b);
		fund_i128 ua = at_scale(&p->acc[a].sum, ps->scale), ub = at_scale(&p->acc[b].sum, ps->scale);
		if (pa <= 0 || pb <= 0)
			c = (pa <= 0) - (pb <= 0);
		else
			c = ua * pb > ub * pa ? -1 : ua * pb < ub * pa;
		break;
	}
	}
	if (ps->o->reverse)
		c = -c;
	if (!c)
		c = strcmp(fund_geo_code(p->o.geo, p->level, a), fund_geo_code(p->o.geo, p->level, b));
	return c;
}

#define NCOLS 10

int fund_percapita_write(struct fund_percapita *p, FILE *fp, const struct fund_percapita_out *o,
			 struct fund_error *err)
{
	static const char *const basenames[] = { "code", "name", "count", NULL, "population", "per_capita",
						 "share_amount", "share_population", "ratio", "population_year" };
	const struct fund_geo *g = p->o.geo;
	const char *names[NCOLS];
	struct fund_writer *w = NULL;
	struct fund_cell c[NCOLS];
	size_t nt, i, nrows = 0, *rows = NULL;
	int scale = 0, rc = 0;
	fund_i128 total_all = 0;
	int64_t scope_pop = 0;
	char cnt[32], tot[128], pop[32], pc[128], sa[128], sp[128], ra[128], year[FUND_NUM_TEXT] = "";
	int py = fund_geo_population_year(g);

	if (p->level == FUND_LEVEL_AUTO) {
		/* nothing was read: the level of the key is unknown */
		if (set_level(p, p->o.key_level == FUND_LEVEL_AUTO ? FUND_LEVEL_COMMUNE : p->o.key_level))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if (!p->acc && set_level(p, p->level))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	nt = fund_geo_count(g, p->level);
	for (i = 0; i < nt; i++)
		if (p->acc[i].sum.n && p->acc[i].sum.scale > scale)
			scale = p->acc[i].sum.scale;
	/* the population of the scope is the région's (or France's), at
	 * every level: EPCI that cross its border are not in the scope, but
	 * the shares stay shares of the région's inhabitants */
	for (i = 0; i < fund_geo_count(g, FUND_LEVEL_REGION); i++) {
		int64_t pp = fund_geo_population(g, FUND_LEVEL_REGION, i);
		if (pp > 0 && (p->o.in_region < 0 || (long)i == p->o.in_region))
			scope_pop += pp;
	}
	for (i = 0; i < nt; i++)
		if (in_scope(p, i) && p->acc[i].sum.n)
			total_all += at_scale(&p->acc[i].sum, scale);
	rows = malloc((nt ? nt : 1) * sizeof(*rows));
	if (!rows)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < nt; i++)
		if (in_scope(p, i) && (p->acc[i].count || o->all))
			rows[nrows++] = i;
	{
		struct pc_sort ps = { p, o, scale };
		qsort_r(rows, nrows, sizeof(*rows), cmp_terr, &ps);
	}
	for (i = 0; i < NCOLS; i++)
		names[i] = basenames[i] ? basenames[i] : p->sum_name ? p->sum_name : p->o.sum_col;
	if (py > 0)
		fund_itoa(year, py);
	if ((rc = fund_writer_open(&w, fp, o->format, names, NCOLS))) {
		free(rows);
		return fund_writer_fail(err, rc);
	}
	memset(c, 0, sizeof(c));
	for (i = 0; i < nrows; i++) {
		size_t t = rows[i];
		const struct acc *x = &p->acc[t];
		int64_t pp = level_pop(p, t);
		int have = x->sum.n > 0 || x->count == 0;   /* nothing received: 0 */
		fund_i128 u = x->sum.n ? at_scale(&x->sum, scale) : 0;
		int k;
		for (k = 0; k < NCOLS; k++) {
			c[k].s = NULL;
			c[k].type = k >= 2 && k != 1 ? FUND_CELL_NUMBER : FUND_CELL_TEXT;
		}
		c[0].s = fund_geo_code(g, p->level, t);
		c[1].s = fund_geo_name(g, p->level, t);
		c[0].type = c[1].type = FUND_CELL_TEXT;
		fund_utoa(cnt, x->count);
		c[2].s = cnt;
		if (have) {
			fund_amount_format(tot, sizeof(tot), u, scale, o->decimals >= 0 ? o->decimals : scale,
					   o->format == FUND_OUT_JSON || o->format == FUND_OUT_NDJSON || o->format == FUND_OUT_XLSX ? 0 : o->amount_flags);
			c[3].s = tot;
			if (total_all != 0 && fund_ratio_text(sa, sizeof(sa), u, total_all, 6) == 0)
				c[6].s = sa;
		}
		if (pp >= 0) {
			fund_itoa(pop, pp);
			c[4].s = pop;
			if (scope_pop > 0 && fund_ratio_text(sp, sizeof(sp), pp, scope_pop, 6) == 0)
				c[7].s = sp;
		}
		if (pp > 0 && have) {
			fund_i128 den = pp;
			for (k = 0; k < scale; k++)
				den *= 10;
			if (fund_ratio_text(pc, sizeof(pc), u, den, o->precision) == 0)
				c[5].s = pc;
			/* ratio = (u / total_all) / (pp / scope_pop) */
			if (total_all != 0 && fund_ratio_text(ra, sizeof(ra), u * scope_pop, total_all * pp, 4) == 0)
				c[8].s = ra;
		} else if (pp <= 0) {
			p->s.no_population++;
		}
		if (pp >= 0 && *year)
			c[9].s = year;
		for (k = 0; k < NCOLS; k++)
			c[k].len = c[k].s ? strlen(c[k].s) : 0;
		if ((rc = fund_writer_row(w, c)) < 0)
			break;
	}
	if (!rc)
		rc = fund_writer_finish(w);
	fund_writer_free(&w);
	free(rows);
	if (rc)
		fund_writer_fail(err, rc);
	return rc;
}

void fund_percapita_summary(const struct fund_percapita *p, struct fund_percapita_summary *s)
{
	int k;
	*s = p->s;
	for (k = 0; k < FUND_NUNPLACED; k++) {
		s->unplaced_amount[k][0] = '\0';
		if (p->unplaced[k].n)
			fund_amount_format(s->unplaced_amount[k], sizeof(s->unplaced_amount[k]), p->unplaced[k].units,
					   p->unplaced[k].scale, p->unplaced[k].scale, 0);
	}
	s->rows = p->rp.n;
	s->sum_name = p->sum_name ? p->sum_name : p->o.sum_col;
	s->level = p->level;
}

int fund_percapita_describe(const struct fund_percapita *p, struct fund_summary *out)
{
	static const char *const how[FUND_CODE_NHOW] = {
		"with a lost leading zero", "municipal arrondissements", "former communes", "SIRET",
		"commune SIREN", "in lower case", "communes since merged", "communes renumbered since",
		"communes since divided (split by population)"
	};
	static const char *const why[FUND_NUNPLACED] = {
		"empty code", "unknown code", "larger than the level (use --split)",
		"no population to split by", "no territory at this level", "outside the scope"
	};
	struct fund_percapita_summary s;
	const char *sep;
	int k, rc = 0;

	fund_percapita_summary(p, &s);
	memset(out, 0, sizeof(*out));
	out->rows = s.rows;
	if (s.split_rows)
		rc |= fund_str_append(&out->after_rows, ", %llu split over communes", (unsigned long long)s.split_rows);
	sep = "; codes read as";
	for (k = 0; k < FUND_CODE_NHOW; k++)
		if (s.how[k]) {
			rc |= fund_str_append(&out->segments, "%s %llu %s", sep, (unsigned long long)s.how[k], how[k]);
			sep = ",";
		}
	sep = "; not placed:";
	for (k = 0; k < FUND_NUNPLACED; k++)
		if (s.unplaced_rows[k]) {
			size_t g, nc = p->ucodes[k] ? fund_groups_count(p->ucodes[k]) : 0;
			rc |= fund_str_append(&out->segments, "%s %llu %s%s (%s)", sep, (unsigned long long)s.unplaced_rows[k],
					      why[k], k <= FUND_UNPLACED_UNKNOWN && s.unplaced_rows[k] > 1 ? "s" : "",
					      s.unplaced_amount[k][0] ? s.unplaced_amount[k] : "no amount");
			/* the first five codes, with their amounts */
			for (g = 0; g < nc && g < 5; g++) {
				size_t len;
				const char *c = fund_groups_key(p->ucodes[k], g, 0, &len);
				const struct ucode *u = fund_groups_payload(p->ucodes[k], g);
				char q[200], am[96] = "(no amount)";
				if (u->sum.n)
					fund_amount_format(am, sizeof(am), u->sum.units, u->sum.scale, u->sum.scale, 0);
				rc |= fund_str_append(&out->segments, "%s'%s' %s", g ? ", " : ": ", fund_quote(q, sizeof(q), c, len),
						      am);
				if (u->n > 1)
					rc |= fund_str_append(&out->segments, " (%llu rows)", (unsigned long long)u->n);
			}
			if (nc > 5)
				rc |= fund_str_append(&out->segments, " and %zu more code%s (--unmatched FILE lists every row)",
						      nc - 5, nc - 5 > 1 ? "s" : "");
			sep = ";";
		}
	if (s.missing || s.unreadable)
		rc |= fund_summary_column(out, s.sum_name, s.missing, s.unreadable);
	if (s.no_population)
		rc |= fund_str_append(&out->notes, "note: per-capita figures left empty where the population is 0 or "
				      "unknown: %llu %s%s\n", (unsigned long long)s.no_population,
				      fund_geo_level_name(p->o.geo, s.level), s.no_population > 1 ? "s" : "");
	if (rc || p->ucodes_nomem) {
		fund_summary_release(out);
		return FUND_ENOMEM;
	}
	return 0;
}

/* ---- the engine, for the driver ---- */

FUND_ENGINE_OPS(percapita, struct fund_percapita)
/* with --unmatched, which writes line numbers as it reads, the driver is
 * asked for FUND_RUN_COUNT_LINES */
const struct fund_engine fund_percapita_engine = {
	percapita_op_bind, percapita_op_add, percapita_op_fork, percapita_op_merge, percapita_op_free, NULL,
	percapita_op_columns, 0, 0, 0, NULL
};

/* ---- fund-percapita's work in one call ---- */

static int percapita_write_cb(void *eng, FILE *out, const void *wo, struct fund_error *err)
{
	return fund_percapita_write(eng, out, wo, err);
}

static int percapita_describe_cb(const void *eng, struct fund_summary *sum)
{
	return fund_percapita_describe(eng, sum);
}

int fund_percapita_files(const struct fund_percapita_opts *o, const struct fund_percapita_out *oo, const char *const *files, size_t n,
		const struct fund_run_opts *ro, FILE *fp, struct fund_summary *sum, struct fund_error *err)
{
	struct fund_percapita *e = NULL;
	int rc;
	struct fund_run_opts r = { 0 };
	if (ro)
		r = *ro;
	/* the unplaced rows are written with their line as they are read */
	if (o->unplaced)
		r.flags |= FUND_RUN_COUNT_LINES;
	memset(sum, 0, sizeof(*sum));
	if (fund_percapita_new(&e, o) < 0)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	rc = fund_run_write(&fund_percapita_engine, e, files, n, &r, percapita_write_cb, fp, oo, percapita_describe_cb, sum, err);
	fund_percapita_free(&e);
	return rc;
}
