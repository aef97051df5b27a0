/* fund-check's report (fund/check.h): findings as text (the first few per
 * rule and column, then counts), a table in any output format, or one
 * JSON document. */
#define _GNU_SOURCE
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"


struct rulecount {
	char *key;          /* rule \t column */
	uint64_t n, shown;
};

struct fund_check_report {
	FILE *fp;
	enum fund_report_mode mode;
	char *file, *schema_title;   /* of the file being reported */
	struct fund_writer *w;
	cJSON *root, *files, *cur, *cur_findings;
	long max_errors;
	unsigned long per_rule;
	uint64_t errors_total, file_errors, file_warnings;
	struct rulecount *rc;
	size_t nrc, last;
	int stopped, nomem;        /* nomem: a cJSON addition failed */
};

/* a cJSON addition that fails marks the report incomplete */
#define JADD(r, x) do { if (!(x)) (r)->nomem = 1; } while (0)

/* key "rule\tcolumn" is rule's and column's */
static int key_is(const char *key, const char *rule, const char *column)
{
	size_t l;
	if (key[0] != rule[0])
		return 0;     /* most keys differ there: no strlen */
	l = strlen(rule);
	return !strncmp(key, rule, l) && key[l] == '\t' && !strcmp(key + l + 1, column ? column : "");
}

/* the count of rule in column: found without allocating (the last one
 * found first: findings come in runs), else added */
static struct rulecount *rule_entry(struct fund_check_report *r, const char *rule, const char *column)
{
	size_t i;
	char *key;
	struct rulecount *n;
	if (r->last < r->nrc && key_is(r->rc[r->last].key, rule, column))
		return &r->rc[r->last];
	for (i = 0; i < r->nrc; i++)
		if (key_is(r->rc[i].key, rule, column)) {
			r->last = i;
			return &r->rc[i];
		}
	if (asprintf(&key, "%s\t%s", rule, column ? column : "") < 0)
		return NULL;
	if (!(n = realloc(r->rc, (r->nrc + 1) * sizeof(*n)))) {
		free(key);
		return NULL;
	}
	r->rc = n;
	n[r->nrc].key = key;
	n[r->nrc].n = n[r->nrc].shown = 0;
	r->last = r->nrc;
	return &n[r->nrc++];
}

static const char *sev_name(enum fund_severity s)
{
	return s == FUND_SEV_ERROR ? "error" : s == FUND_SEV_WARNING ? "warning" : "ok";
}

static void count_n(struct fund_check_report *r, struct rulecount *rc, enum fund_severity sev, uint64_t n)
{
	rc->n += n;
	if (sev == FUND_SEV_ERROR) {
		r->errors_total += n;
		r->file_errors += n;
	} else if (sev == FUND_SEV_WARNING) {
		r->file_warnings += n;
	}
}

static void count(struct fund_check_report *r, struct rulecount *rc, enum fund_severity sev)
{
	count_n(r, rc, sev, 1);
}

static int stop_now(struct fund_check_report *r, enum fund_severity sev)
{
	if (r->max_errors > 0 && sev == FUND_SEV_ERROR && r->errors_total >= (uint64_t)r->max_errors) {
		r->stopped = 1;
		return INT_MAX;
	}
	return ferror(r->fp) ? FUND_EIO : 0;
}

int fund_check_report_wanted(void *ctx, const char *rule, const char *column, enum fund_severity sev)
{
	struct fund_check_report *r = ctx;
	struct rulecount *rc;
	if (r->mode != FUND_REPORT_TEXT || !r->per_rule)
		return 1;
	if (!(rc = rule_entry(r, rule, column)))
		return FUND_ENOMEM;
	if (rc->shown < r->per_rule)
		return 1;
	/* past the rule's findings shown: counted only */
	count(r, rc, sev);
	return stop_now(r, sev);
}

int fund_check_report_counted(void *ctx, const char *rule, const char *column, enum fund_severity sev, uint64_t n)
{
	struct fund_check_report *r = ctx;
	struct rulecount *rc = rule_entry(r, rule, column);
	if (!rc)
		return FUND_ENOMEM;
	count_n(r, rc, sev, n);
	return ferror(r->fp) ? FUND_EIO : 0;
}

int fund_check_report_finding(void *ctx, const struct fund_finding *f)
{
	struct fund_check_report *r = ctx;
	struct rulecount *rc = rule_entry(r, f->rule, f->column);
	char line[32] = "";
	if (!rc)
		return FUND_ENOMEM;
	count(r, rc, f->severity);
	if (f->line)
		fund_utoa(line, f->line);
	if (r->mode == FUND_REPORT_TEXT) {
		char cell[40] = "";
		if (r->per_rule && rc->shown >= r->per_rule)
			goto out;
		rc->shown++;
		if (f->line && f->cell) {
			char l[8];
			if (fund_fmt(cell, sizeof(cell), "!%s%lu:", fund_sheet_column(l, f->cell), f->line) < 0) {
				r->nomem = 1;
				return FUND_ENOMEM;
			}
		}
		fprintf(r->fp, "%s%s%s%s %s%s%s%s%s [%s]\n", f->file, cell[0] ? cell : ":", cell[0] ? "" : line,
			cell[0] || !f->line ? "" : ":",
		       f->severity == FUND_SEV_WARNING ? "warning: " : f->severity == FUND_SEV_INFO ? "ok: " : "",
		       f->column ? "column '" : "", f->column ? f->column : "", f->column ? "': " : "", f->message, f->rule);
	} else if (r->mode == FUND_REPORT_TABLE) {
		struct fund_cell c[7] = {
			{ f->file, strlen(f->file), FUND_CELL_TEXT },
			{ f->line ? line : NULL, strlen(line), FUND_CELL_NUMBER },
			{ f->column, f->column ? strlen(f->column) : 0, FUND_CELL_TEXT },
			{ f->rule, strlen(f->rule), FUND_CELL_TEXT },
			{ sev_name(f->severity), strlen(sev_name(f->severity)), FUND_CELL_TEXT },
			{ f->value, f->value ? strlen(f->value) : 0, FUND_CELL_TEXT },
			{ f->message, strlen(f->message), FUND_CELL_TEXT },
		};
		int w = fund_writer_row(r->w, c);
		if (w < 0)
			return w;
	} else {
		cJSON *o = cJSON_CreateObject();
		if (!o) {
			r->nomem = 1;
			return FUND_ENOMEM;
		}
		if (f->line)
			JADD(r, cJSON_AddNumberToObject(o, "line", (double)f->line));
		if (f->line && f->cell) {
			char l[8], ref[40];
			if (fund_fmt(ref, sizeof(ref), "%s%lu", fund_sheet_column(l, f->cell), f->line) < 0) {
				cJSON_Delete(o);
				r->nomem = 1;
				return FUND_ENOMEM;
			}
			JADD(r, cJSON_AddStringToObject(o, "cell", ref));
		}
		if (f->column)
			JADD(r, cJSON_AddStringToObject(o, "column", f->column));
		if (f->value)
			JADD(r, cJSON_AddStringToObject(o, "value", f->value));
		JADD(r, cJSON_AddStringToObject(o, "rule", f->rule));
		JADD(r, cJSON_AddStringToObject(o, "severity", sev_name(f->severity)));
		JADD(r, cJSON_AddStringToObject(o, "message", f->message));
		JADD(r, cJSON_AddItemToArray(r->cur_findings, o));
	}
out:
	return stop_now(r, f->severity);
}


int fund_check_report_begin(struct fund_check_report *r, const char *name, const char *schema_title)
{
	free(r->file);
	free(r->schema_title);
	r->file = strdup(name);
	r->schema_title = schema_title ? strdup(schema_title) : NULL;
	if (!r->file || (schema_title && !r->schema_title)) {
		r->nomem = 1;
		return FUND_ENOMEM;
	}
	r->file_errors = r->file_warnings = 0;
	if (r->mode == FUND_REPORT_JSON) {
		r->cur = cJSON_CreateObject();
		JADD(r, cJSON_AddStringToObject(r->cur, "file", name));
		if (r->schema_title)
			JADD(r, cJSON_AddStringToObject(r->cur, "schema", r->schema_title));
		JADD(r, r->cur);
		r->cur_findings = cJSON_AddArrayToObject(r->cur, "findings");
		JADD(r, r->cur_findings);
		JADD(r, cJSON_AddItemToArray(r->files, r->cur));
	}
	return r->nomem ? FUND_ENOMEM : 0;
}

int fund_check_report_end(struct fund_check_report *r)
{
	const char *file = r->file ? r->file : "-";
	size_t i;
	if (r->mode == FUND_REPORT_TEXT) {
		int any = 0;
		for (i = 0; i < r->nrc; i++)
			if (r->rc[i].n > r->rc[i].shown) {
				char *tab = strchr(r->rc[i].key, '\t');
				*tab = '\0';
				fprintf(r->fp, "%s: %llu more [%s]%s%s%s not shown\n", file, (unsigned long long)(r->rc[i].n - r->rc[i].shown),
				       r->rc[i].key, tab[1] ? " in column '" : "", tab + 1, tab[1] ? "'" : "");
				*tab = '\t';
			}
		fprintf(r->fp, "%s: %s%s%s%llu errors, %llu warnings", file, r->schema_title ? "schema " : "",
		       r->schema_title ? r->schema_title : "", r->schema_title ? ": " : "",
		       (unsigned long long)r->file_errors, (unsigned long long)r->file_warnings);
		for (i = 0; i < r->nrc; i++) {
			char *tab = strchr(r->rc[i].key, '\t');
			size_t j;
			uint64_t n = 0;
			int seen = 0;
			/* one count per rule */
			for (j = 0; j < i; j++)
				if (!strncmp(r->rc[j].key, r->rc[i].key, (size_t)(tab - r->rc[i].key) + 1))
					seen = 1;
			if (seen)
				continue;
			for (j = i; j < r->nrc; j++)
				if (!strncmp(r->rc[j].key, r->rc[i].key, (size_t)(tab - r->rc[i].key) + 1))
					n += r->rc[j].n;
			fprintf(r->fp, "%s%.*s %llu", any ? ", " : " (", (int)(tab - r->rc[i].key), r->rc[i].key, (unsigned long long)n);
			any = 1;
		}
		fprintf(r->fp, "%s%s\n", any ? ")" : "", r->stopped ? "; stopped at --max-errors" : "");
	} else if (r->mode == FUND_REPORT_JSON) {
		cJSON *rules = cJSON_AddObjectToObject(r->cur, "rules");
		JADD(r, rules);
		for (i = 0; i < r->nrc; i++) {
			char *tab = strchr(r->rc[i].key, '\t');
			char *rule = strndup(r->rc[i].key, (size_t)(tab - r->rc[i].key));
			cJSON *it;
			if (!rule) {
				r->nomem = 1;
				break;
			}
			if ((it = cJSON_GetObjectItemCaseSensitive(rules, rule)))
				cJSON_SetNumberValue(it, it->valuedouble + (double)r->rc[i].n);
			else
				JADD(r, cJSON_AddNumberToObject(rules, rule, (double)r->rc[i].n));
			free(rule);
		}
		JADD(r, cJSON_AddNumberToObject(r->cur, "errors", (double)r->file_errors));
		JADD(r, cJSON_AddNumberToObject(r->cur, "warnings", (double)r->file_warnings));
		JADD(r, cJSON_AddBoolToObject(r->cur, "valid", r->file_errors == 0));
	}
	for (i = 0; i < r->nrc; i++)
		free(r->rc[i].key);
	free(r->rc);
	r->rc = NULL;
	r->nrc = 0;
	return r->nomem ? FUND_ENOMEM : ferror(r->fp) ? FUND_EIO : 0;
}


int fund_check_report_new(struct fund_check_report **out, FILE *fp, const struct fund_check_report_opts *o,
			  struct fund_error *err)
{
	static const char *const cols[] = { "file", "line", "column", "rule", "severity", "value", "message" };
	struct fund_check_report *r = calloc(1, sizeof(*r));
	*out = NULL;
	if (!r)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	r->fp = fp;
	r->mode = o->mode;
	r->max_errors = o->max_errors;
	r->per_rule = o->per_rule;
	if (r->mode == FUND_REPORT_JSON) {
		r->root = cJSON_CreateObject();
		r->files = cJSON_AddArrayToObject(r->root, "files");
		JADD(r, r->files);
	} else if (r->mode == FUND_REPORT_TABLE && fund_writer_open(&r->w, fp, o->format, cols, 7)) {
		r->nomem = 1;
	}
	if (r->nomem) {
		fund_check_report_free(&r);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	*out = r;
	return 0;
}

int fund_check_report_finish(struct fund_check_report *r, struct fund_error *err)
{
	int rc = 0;
	if (r->mode == FUND_REPORT_JSON) {
		char *out;
		JADD(r, cJSON_AddBoolToObject(r->root, "valid", r->errors_total == 0));
		if (r->stopped)
			JADD(r, cJSON_AddBoolToObject(r->root, "stopped", 1));
		out = r->nomem ? NULL : cJSON_Print(r->root);
		if (!out)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		fputs(out, r->fp);
		fputc('\n', r->fp);
		free(out);
	} else if (r->mode == FUND_REPORT_TABLE && (rc = fund_writer_finish(r->w)) < 0) {
		return fund_error_set(err, rc, rc == FUND_ENOMEM ? "out of memory" : "write error");
	}
	if (r->nomem)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return ferror(r->fp) ? fund_error_set(err, FUND_EIO, "write error") : 0;
}

uint64_t fund_check_report_errors(const struct fund_check_report *r)
{
	return r->errors_total;
}

int fund_check_report_stopped(const struct fund_check_report *r)
{
	return r->stopped;
}

void fund_check_report_free(struct fund_check_report **rp)
{
	struct fund_check_report *r = rp ? *rp : NULL;
	size_t i;
	if (!r)
		return;
	for (i = 0; i < r->nrc; i++)
		free(r->rc[i].key);
	free(r->rc);
	cJSON_Delete(r->root);
	fund_writer_free(&r->w);
	free(r->file);
	free(r->schema_title);
	free(r);
	*rp = NULL;
}
