/* Reconciliation (fund/check.h): published totals, given on the command
 * line or in a file of subtotals, against the exact sums of the detail. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

struct filter {
	char *col, *value;
	int idx;
};

struct spec {
	char *name;
	struct fund_amount stated;
	struct filter *f;
	size_t nf;
	struct fund_sum sum;
	uint64_t rows;
};

struct fund_reconcile {
	struct fund_reconcile_opts o;
	struct spec *specs;
	size_t nspecs;
	struct fund_amount_ctx actx;
	int sum_idx;
	const char *file;
	struct fund_total *detail;      /* by the groups of a published file */
};

/* [NAME=]AMOUNT[@COL=VALUE[,...]] */
static int parse_spec(struct spec *sp, const char *text, int decimal, struct fund_error *err)
{
	const char *at = strchr(text, '@'), *eq = strchr(text, '='), *amt = text;
	struct fund_amount_ctx ctx = { decimal, 0, 0 };
	size_t alen;

	if (eq && (!at || eq < at)) {
		if (!(sp->name = strndup(text, (size_t)(eq - text))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		amt = eq + 1;
	}
	alen = at ? (size_t)(at - amt) : strlen(amt);
	if (fund_amount_parse(amt, alen, &ctx, &sp->stated) != FUND_AMOUNT_OK)
		return fund_error_set(err, FUND_EUSAGE, "--reconcile: cannot read '%.*s' as an amount in '%s' "
				      "([NAME=]AMOUNT[@COL=VALUE,...])", (int)alen, amt, text);
	if (!at)
		return 0;
	for (at++; *at;) {
		const char *comma = strchr(at, ','), *e;
		size_t len = comma ? (size_t)(comma - at) : strlen(at);
		struct filter *nf = realloc(sp->f, (sp->nf + 1) * sizeof(*nf));
		if (!nf)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		sp->f = nf;
		e = memchr(at, '=', len);
		if (!e || e == at)
			return fund_error_set(err, FUND_EUSAGE, "--reconcile: '%.*s' is not COL=VALUE in '%s'",
					      (int)len, at, text);
		nf += sp->nf;
		nf->col = strndup(at, (size_t)(e - at));
		nf->value = strndup(e + 1, len - (size_t)(e - at) - 1);
		nf->idx = -1;
		sp->nf++;
		if (!nf->col || !nf->value)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		at += len;
		if (*at == ',')
			at++;
	}
	return 0;
}

int fund_reconcile_new(struct fund_reconcile **out, const struct fund_reconcile_opts *o,
		       struct fund_error *err)
{
	struct fund_reconcile *r = calloc(1, sizeof(*r));
	size_t i;
	int rc = 0;

	*out = NULL;
	if (!r)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	r->o = *o;
	if (!r->o.sum_col)
		r->o.sum_col = "montant";
	r->actx.forced = o->decimal;
	if (o->nspecs && !(r->specs = calloc(o->nspecs, sizeof(*r->specs))))
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
	for (i = 0; i < o->nspecs && !rc; i++, r->nspecs++)
		rc = parse_spec(&r->specs[i], o->specs[i], o->decimal, err);
	if (!rc && o->ngroups) {
		struct fund_total_opts to;
		memset(&to, 0, sizeof(to));
		to.group_cols = o->groups;
		to.ngroup = o->ngroups;
		to.sum_cols = &r->o.sum_col;
		to.nsum = 1;
		to.decimal = o->decimal;
		if (fund_total_new(&r->detail, &to))
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if (rc) {
		/* nspecs counts the one that failed: it may hold memory */
		fund_reconcile_free(&r);
		return rc;
	}
	*out = r;
	return 0;
}

void fund_reconcile_free(struct fund_reconcile **rp)
{
	struct fund_reconcile *r = rp ? *rp : NULL;
	size_t i, k;
	if (!r)
		return;
	for (i = 0; i < r->nspecs; i++) {
		for (k = 0; k < r->specs[i].nf; k++) {
			free(r->specs[i].f[k].col);
			free(r->specs[i].f[k].value);
		}
		free(r->specs[i].f);
		free(r->specs[i].name);
	}
	free(r->specs);
	fund_total_free(&r->detail);
	free(r);
	*rp = NULL;
}

int fund_reconcile_bind(struct fund_reconcile *r, const struct fund_reader *rd, struct fund_error *err)
{
	size_t i, k;
	r->file = fund_reader_name(rd);
	r->sum_idx = -1;
	if (r->nspecs) {
		if ((r->sum_idx = fund_reader_column(rd, r->o.sum_col, err)) < 0)
			return r->sum_idx;
		for (i = 0; i < r->nspecs; i++)
			for (k = 0; k < r->specs[i].nf; k++)
				if ((r->specs[i].f[k].idx = fund_reader_column(rd, r->specs[i].f[k].col, err)) < 0)
					return r->specs[i].f[k].idx;
	}
	return r->detail ? fund_total_bind(r->detail, rd, err) : 0;
}

int fund_reconcile_add(struct fund_reconcile *r, const struct fund_record *rec, struct fund_error *err)
{
	size_t i, k, c = (size_t)r->sum_idx;
	for (i = 0; i < r->nspecs; i++) {
		struct spec *sp = &r->specs[i];
		struct fund_amount a;
		for (k = 0; k < sp->nf; k++) {
			size_t fi = (size_t)sp->f[k].idx;
			if (fi >= rec->n || strlen(sp->f[k].value) != rec->len[fi] ||
			    memcmp(sp->f[k].value, rec->fields[fi], rec->len[fi]))
				break;
		}
		if (k < sp->nf || c >= rec->n ||
		    fund_amount_parse(rec->fields[c], rec->len[c], &r->actx, &a) != FUND_AMOUNT_OK)
			continue;
		if (fund_sum_add(&sp->sum, &a))
			return fund_error_at(err, FUND_EOVERFLOW, r->file, rec->line, NULL, NULL, 0, "the sum overflows");
		sp->rows++;
	}
	return r->detail ? fund_total_add(r->detail, rec, err) : 0;
}

static int rec_bind(void *e, const struct fund_reader *rd, struct fund_error *err)
{
	return fund_reconcile_bind(e, rd, err);
}

static int rec_add(void *e, const struct fund_record *rec, struct fund_error *err)
{
	return fund_reconcile_add(e, rec, err);
}

const struct fund_engine fund_reconcile_engine = { rec_bind, rec_add, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, NULL };

/* a comparison as a finding: "WHAT: published S, the detail adds up to C
 * (N rows): D less than published, within the tolerance T" */
static int reconciled(const struct fund_reconcile *r, const char *file, const char *what,
		      const struct fund_sum *computed, uint64_t rows, const struct fund_amount *stated,
		      fund_finding_fn report, void *ctx)
{
	const struct fund_amount *tol = &r->o.tolerance;
	struct fund_sum diff;
	struct fund_amount neg = *stated, ad;
	char sb[96], cb[96], db[96], tb[96];   /* numbers (80 bytes suffice) */
	char *msg = NULL;
	struct fund_finding f;
	int within, rc;

	memset(&f, 0, sizeof(f));
	memset(&diff, 0, sizeof(diff));
	fund_sum_merge(&diff, computed);
	neg.units = -neg.units;
	fund_sum_add(&diff, &neg);   /* computed - stated */
	ad.units = diff.units < 0 ? -diff.units : diff.units;
	ad.scale = diff.scale;
	within = fund_amount_cmp(&ad, tol) <= 0;
	fund_amount_format(sb, sizeof(sb), stated->units, stated->scale, stated->scale, 0);
	fund_amount_format(cb, sizeof(cb), computed->units, computed->scale, computed->scale, 0);
	fund_amount_format(db, sizeof(db), ad.units, ad.scale, ad.scale, 0);
	fund_amount_format(tb, sizeof(tb), tol->units, tol->scale, tol->scale, 0);
	if (fund_str_append(&msg, "%s: published %s, the detail adds up to %s (%llu rows)%s%s%s%s%s", what, sb, cb,
			    (unsigned long long)rows, ad.units == 0 ? ": equal" : ": ", ad.units == 0 ? "" : db,
			    ad.units == 0 ? "" : diff.units < 0 ? " less than published" : " more than published",
			    ad.units == 0 || !tol->units ? "" : within ? ", within the tolerance " : ", beyond the tolerance ",
			    ad.units == 0 || !tol->units ? "" : tb) < 0)
		return FUND_ENOMEM;
	f.file = file ? file : "-";
	f.line = 0;
	f.column = r->o.sum_col;
	f.value = NULL;
	f.rule = "reconcile";
	f.severity = within ? FUND_SEV_INFO : FUND_SEV_ERROR;
	f.message = msg;
	rc = report(ctx, &f);
	free(msg);
	return rc;
}

int fund_reconcile_specs(struct fund_reconcile *r, const char *file, fund_finding_fn report, void *ctx)
{
	size_t i, k;
	int rc = 0;
	for (i = 0; i < r->nspecs && !rc; i++) {
		char *what = NULL;
		int e = fund_str_append(&what, "%s", r->specs[i].name ? r->specs[i].name : "total");
		for (k = 0; k < r->specs[i].nf && !e; k++)
			e = fund_str_append(&what, "%s%s=%s", k ? "," : " where ", r->specs[i].f[k].col,
					    r->specs[i].f[k].value);
		rc = e ? FUND_ENOMEM : reconciled(r, file, what, &r->specs[i].sum, r->specs[i].rows,
						  &r->specs[i].stated, report, ctx);
		free(what);
	}
	return rc;
}

/* "COL=KEY,COL=KEY" of group i of t */
static int group_words(const struct fund_reconcile *r, const struct fund_total *t, size_t i, const char **kv,
		       size_t *kl, char **what)
{
	size_t k;
	int e = 0;
	for (k = 0; k < r->o.ngroups && !e; k++) {
		kv[k] = fund_total_key(t, i, k, &kl[k]);
		e = fund_str_append(what, "%s%s=%.*s", k ? "," : "", r->o.groups[k], (int)kl[k], kv[k]);
	}
	if (!*what && !e)
		e = fund_str_append(what, "%s", "");
	return e ? FUND_ENOMEM : 0;
}

int fund_reconcile_published(struct fund_reconcile *r, const char *path, const struct fund_run_opts *ro,
			     fund_finding_fn report, void *ctx, struct fund_error *err)
{
	struct fund_total_opts to;
	struct fund_total *pub = NULL;
	struct fund_run_opts one;
	const char **kv = calloc(r->o.ngroups + 1, sizeof(char *));
	size_t *kl = calloc(r->o.ngroups + 1, sizeof(size_t));
	size_t i, n;
	int rc;

	memset(&to, 0, sizeof(to));
	to.group_cols = r->o.groups;
	to.ngroup = r->o.ngroups;
	to.sum_cols = &r->o.sum_col;
	to.nsum = 1;
	to.decimal = r->o.decimal;
	memset(&one, 0, sizeof(one));
	one.reader = ro ? ro->reader : NULL;
	one.threads = 1;
	if (!r->detail)
		rc = fund_error_set(err, FUND_EUSAGE, "no groups to reconcile a published file by");
	else if (!kv || !kl || fund_total_new(&pub, &to))
		rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
	else
		rc = fund_run(&fund_total_engine, pub, &path, 1, &one, err);
	n = rc ? 0 : fund_total_ngroups(pub);
	for (i = 0; i < n && !rc; i++) {
		uint64_t cnt, dcnt = 0;
		const struct fund_sum *ps = fund_total_sums(pub, i, &cnt), *ds = NULL;
		struct fund_sum zero;
		struct fund_amount stated;
		char *what = NULL;
		size_t gi;
		memset(&zero, 0, sizeof(zero));
		if ((rc = group_words(r, pub, i, kv, kl, &what)) == 0) {
			if (fund_total_find(r->detail, kv, kl, &gi))
				ds = fund_total_sums(r->detail, gi, &dcnt);
			stated.units = ps->units;
			stated.scale = ps->scale;
			rc = reconciled(r, path, what, ds ? ds : &zero, dcnt, &stated, report, ctx);
		}
		free(what);
	}
	/* groups of the detail that the published file does not have */
	n = rc ? 0 : fund_total_ngroups(r->detail);
	for (i = 0; i < n && !rc; i++) {
		size_t gi;
		uint64_t cnt;
		const struct fund_sum *ds = fund_total_sums(r->detail, i, &cnt);
		struct fund_amount zero = { 0, 0 };
		char *what = NULL;
		if ((rc = group_words(r, r->detail, i, kv, kl, &what)) == 0 && !fund_total_find(pub, kv, kl, &gi))
			rc = fund_str_append(&what, " (not published)") ? FUND_ENOMEM
				: reconciled(r, path, what, ds, cnt, &zero, report, ctx);
		free(what);
	}
	if (rc == FUND_ENOMEM && !err->code)
		fund_error_set(err, rc, "out of memory");
	fund_total_free(&pub);
	free(kv);
	free(kl);
	return rc;
}
