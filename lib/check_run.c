/* fund-check's work (fund/check.h, fund_check_files): each file read
 * through the driver into a checker made for its header (the SCDL
 * version from its columns), the findings to the report, then the
 * reconciliations as findings of two pseudo-files. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

struct check_run {
	struct fund_check *chk;
	struct fund_check_report *rep;
	const char *title;           /* the schema of the file being read */
	struct fund_reconcile *rec;  /* --reconcile, --reconcile-file */
	char *file;
	int started;
	/* the schema: fixed, or chosen per input from its header */
	struct fund_check_opts co;
	const struct fund_schema *fixed, *s202, *s211;
	int part;                    /* a part read on a thread: chk only */
};

static int run_bind(void *vctx, const struct fund_reader *r, struct fund_error *err)
{
	struct check_run *x = vctx;
	int rc;
	(void)err;
	/* a part; or the rest of the file read in one pass from a part
	 * that did not line up (fund_check_files runs a file at a time) */
	if (x->part || x->chk) {
		fund_check_bind_part(x->chk, r);
		return 0;
	}
	free(x->file);
	if (!(x->file = strdup(fund_reader_name(r))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (!x->chk) {
		const struct fund_schema *use = x->fixed;
		if (!use && x->s202)
			/* SCDL when the columns are SCDL's, the version they match */
			use = fund_schema_scdl_version(x->s202, x->s211, r);
		x->co.schema = use;
		x->title = use ? fund_schema_title(use) : NULL;
		if (fund_check_new(&x->chk, &x->co))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	if ((rc = fund_check_report_begin(x->rep, x->file, x->title)) < 0)
		return fund_error_set(err, rc, "out of memory");
	x->started = 1;
	if (x->rec && (rc = fund_reconcile_bind(x->rec, r, err)) < 0)
		return rc;
	rc = fund_check_bind(x->chk, r, err);
	if (rc == INT_MAX || (rc < 0 && fund_check_report_stopped(x->rep)))
		return 0;
	return rc;
}

static int run_add(void *vctx, const struct fund_record *rec, struct fund_error *err)
{
	struct check_run *x = vctx;
	int rc;
	if (x->part)
		return fund_check_add(x->chk, rec, err);
	if (x->rec && (rc = fund_reconcile_add(x->rec, rec, err)) < 0)
		return rc;
	if (fund_check_report_stopped(x->rep))
		return 0;
	rc = fund_check_add(x->chk, rec, err);
	if (fund_check_report_stopped(x->rep))
		return 0;
	return rc;
}

/* A part: a checker of its own on the file's (fund_check_fork), its
 * findings said at the merge in file order.  Not with --reconcile (one
 * pass), nor before the header made the checker. */
static int run_fork(void *eng, int inherit, fund_diag_fn diag, void *dctx, void **out)
{
	struct check_run *x = eng, *p;
	(void)diag;
	(void)dctx;
	*out = NULL;
	if (x->rec || !x->chk)
		return FUND_EUSAGE;
	if (!(p = calloc(1, sizeof(*p))))
		return FUND_ENOMEM;
	p->part = 1;
	p->rep = x->rep;
	if (fund_check_fork(x->chk, inherit, &p->chk) < 0) {
		free(p);
		return FUND_ENOMEM;
	}
	*out = p;
	return 0;
}

/* b's findings after a's (a is the file's run): 0, 1 once --max-errors
 * stopped the checking (no more to read), or a negative code. */
static int run_merge(void *a, void *b, struct fund_error *err)
{
	struct check_run *x = a, *p = b;
	int rc = fund_check_merge(x->chk, p->chk, err);
	return rc < 0 ? rc : rc || fund_check_report_stopped(x->rep);
}

static void run_free(void *eng)
{
	struct check_run *p = eng;
	fund_check_free(&p->chk);
	free(p);
}

static void run_relocate(void *part, unsigned long base)
{
	struct check_run *p = part;
	fund_check_relocate(p->chk, base);
}

/* written as it reads (the findings in file order): parts merged in order */
static const struct fund_engine check_engine = {
	run_bind, run_add, run_fork, run_merge, run_free, NULL, NULL, 0, 0, 1, run_relocate
};

/* The schema o names: *fixed, or the two SCDL versions to choose from
 * by the columns, or neither ("none"). */
static int load_schemas(const struct fund_check_files_opts *o, struct fund_schema **fixed, struct fund_schema **s202,
			struct fund_schema **s211, struct fund_error *err)
{
	const char *s = o->schema;
	int rc;
	if (s && !strcmp(s, "none"))
		return 0;
	if (s && (!strcmp(s, "scdl-subventions-2.0.2") || !strcmp(s, "scdl-subventions-2.1.1")))
		return fund_schema_shipped(fixed, "scdl-subventions", s + 17, err);
	if (s && strcmp(s, "scdl-subventions") && strcmp(s, "scdl"))
		return fund_schema_read(fixed, s, err);
	/* SCDL, when the columns say so; the version from them too */
	if ((rc = fund_schema_shipped(s202, "scdl-subventions", "2.0.2", err)) < 0 ||
	    (rc = fund_schema_shipped(s211, "scdl-subventions", "2.1.1", err)) < 0) {
		char *m = strdup(fund_error_msg(err));
		fund_schema_free(s202);
		fund_error_set(err, FUND_EIO, "the SCDL schemas: %s", m ? m : "out of memory");
		free(m);
		return FUND_EIO;
	}
	return 0;
}

int fund_check_files(const struct fund_check_files_opts *o, const char *const *files, size_t n,
		     const struct fund_run_opts *ro, FILE *out, struct fund_check_result *res, struct fund_error *err)
{
	static const char *const std_in[] = { "-" };
	struct fund_schema *fixed = NULL, *s202 = NULL, *s211 = NULL;
	struct check_run x;
	size_t i;
	int rc;

	memset(&x, 0, sizeof(x));
	memset(res, 0, sizeof(*res));
	if (o->reconcile && (rc = fund_reconcile_new(&x.rec, o->reconcile, err)) < 0) {
		res->usage = rc == FUND_EUSAGE;
		return rc;
	}
	if ((rc = load_schemas(o, &fixed, &s202, &s211, err)) < 0)
		goto out;
	if ((rc = fund_check_report_new(&x.rep, out, &o->report, err)) < 0)
		goto out;
	x.co.schema = fixed;
	x.co.amount_col = o->sum_col;
	x.co.decimal = o->decimal;
	x.co.report = fund_check_report_finding;
	x.co.wanted = fund_check_report_wanted;
	x.co.ctx = x.rep;
	x.co.per_rule = o->report.mode == FUND_REPORT_TEXT ? o->report.per_rule : 0;
	/* what a part counts past the limit, at once (one by one, in file
	 * order, when --max-errors may stop at one of them) */
	x.co.counted = o->report.max_errors > 0 ? NULL : fund_check_report_counted;
	x.fixed = fixed;
	x.s202 = s202;
	x.s211 = s211;
	if (n == 0) {
		files = std_in;
		n = 1;
	}
	/* each file on its own, so that the SCDL version is chosen per file */
	for (i = 0; i < n && !fund_check_report_stopped(x.rep); i++) {
		struct fund_error e = FUND_ERROR_INIT;
		/* run_bind makes the checker, once it has seen the header */
		x.chk = NULL;
		x.started = 0;
		rc = fund_run(&check_engine, &x, files + i, 1, ro, &e);
		/* a file that cannot be read to the end is invalid, said
		 * before what its checks say at its end; the others are still
		 * checked */
		if (rc < 0 && !fund_check_report_stopped(x.rep) && rc != FUND_EIO && rc != FUND_ENOMEM) {
			if (o->input_error)
				o->input_error(o->input_error_ctx, &e);
			res->unreadable++;
		}
		if ((x.chk && fund_check_end(x.chk) == FUND_ENOMEM) ||
		    (x.started && fund_check_report_end(x.rep) == FUND_ENOMEM)) {
			fund_error_clear(&e);
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			goto out;
		}
		fund_check_free(&x.chk);
		if (rc < 0 && !fund_check_report_stopped(x.rep) && (rc == FUND_EIO || rc == FUND_ENOMEM)) {
			fund_error_move(err, &e);
			goto out;
		}
		fund_error_clear(&e);
	}
	rc = 0;
	/* the reconciliations, as findings of two pseudo-files */
	if (o->reconcile && o->reconcile->nspecs) {
		if (fund_check_report_begin(x.rep, "--reconcile", NULL) < 0 ||
		    fund_reconcile_specs(x.rec, "--reconcile", fund_check_report_finding, x.rep) == FUND_ENOMEM ||
		    (!fund_check_report_stopped(x.rep) && fund_check_report_end(x.rep) == FUND_ENOMEM)) {
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (o->reconcile_file) {
		if (fund_check_report_begin(x.rep, o->reconcile_file, NULL) < 0) {
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = fund_reconcile_published(x.rec, o->reconcile_file, ro, fund_check_report_finding, x.rep,
						   err)) < 0)
			goto out;
		rc = 0;
		if (fund_check_report_end(x.rep) == FUND_ENOMEM) {
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			goto out;
		}
	}
	if ((rc = fund_check_report_finish(x.rep, err)) < 0) {
		res->write_error = err->code == FUND_EIO;
		goto out;
	}
	res->errors = fund_check_report_errors(x.rep);
out:
	fund_check_report_free(&x.rep);
	free(x.file);
	fund_reconcile_free(&x.rec);
	fund_schema_free(&fixed);
	fund_schema_free(&s202);
	fund_schema_free(&s211);
	return rc;
}
