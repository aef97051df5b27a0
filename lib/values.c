/* The value and weight columns of a row, for the engines that compute on
 * values (statistics, plots). */
#include <string.h>
#include "internal.h"
#include "banned.h"

static int bad(struct fund_vw *v, const struct fund_record *rec, size_t col, const char *name,
	       const char *what, struct fund_error *err)
{
	struct fund_error e = FUND_ERROR_INIT;
	char q[300];
	fund_error_at(&e, FUND_EDATA, v->file, rec->line, name, rec->fields[col], rec->len[col],
		      "cannot read '%s' as %s", fund_quote(q, sizeof(q), rec->fields[col], rec->len[col]), what);
	if (rec->sheet)
		fund_error_cell(&e, (unsigned long)col + 1);
	return fund_problem(&e, v->strict, v->diag, v->diag_ctx, FUND_DIAG_AMOUNT, err);
}

static int absent(const struct fund_record *rec, size_t c)
{
	return c >= rec->n || (rec->is_null && rec->is_null[c] == 1);
}

int fund_vw_read(struct fund_vw *v, const struct fund_record *rec, struct fund_amount *a,
		 double *w, struct fund_error *err)
{
	size_t c = (size_t)v->val_idx;
	struct fund_amount wa;
	int st;

	*w = 1.0;
	st = absent(rec, c) ? FUND_AMOUNT_MISSING : fund_amount_parse(rec->fields[c], rec->len[c], &v->ctx, a);
	if (st == FUND_AMOUNT_MISSING) {
		v->missing++;
		return 0;
	}
	if (st != FUND_AMOUNT_OK) {
		v->unreadable++;
		return bad(v, rec, c, v->val_name, "a number", err);
	}
	if (v->w_idx < 0)
		return 1;
	c = (size_t)v->w_idx;
	st = absent(rec, c) ? FUND_AMOUNT_MISSING : fund_amount_parse(rec->fields[c], rec->len[c], &v->wctx, &wa);
	if (st == FUND_AMOUNT_OK && wa.units >= 0) {
		*w = fund_amount_to_double(&wa);
		return 1;
	}
	v->bad_weights++;
	if (st == FUND_AMOUNT_MISSING)
		return 0;
	return bad(v, rec, c, v->w_name, "a weight (a number, 0 or more)", err);
}
