/* fund/check.h - is a file what it claims to be?
 *
 * Validation against a Table Schema (frictionless data: the SCDL
 * "subventions" schemas are Table Schemas), with the checks an analyst
 * needs beyond the schema: SIRET and SIREN checksums, dates that exist,
 * payment periods that end after they start, shares in (0, 1], duplicate
 * conventions, and total rows hidden among the detail.  Findings are
 * handed to a callback, one at a time, with file, line, column and rule.
 */
#ifndef FUND_CHECK_H
#define FUND_CHECK_H

#include <stddef.h>
#include <stdio.h>
#include "amount.h"
#include "reader.h"
#include "run.h"
#include "writer.h"

struct fund_schema;

/* Read a Table Schema (JSON).  The fields' names, types (string, number,
 * integer, boolean, date, datetime, year, any), formats, constraints
 * (required, pattern, enum, minimum, maximum, minLength, maxLength),
 * decimalChar, groupChar, bareNumber, trueValues, falseValues, the
 * schema's missingValues and primaryKey, and SCDL's custom_checks
 * (french-siret-value, one-of-required). */
int fund_schema_read(struct fund_schema **out, const char *path, struct fund_error *err);
int fund_schema_parse(struct fund_schema **out, const char *json, size_t len, const char *name,
		      struct fund_error *err);
void fund_schema_free(struct fund_schema **s);
/* "subventions 2.1.1" (name and version), or the file name. */
const char *fund_schema_title(const struct fund_schema *s);
/* How many of the header's columns name a field of the schema, ignoring
 * case: to pick a schema (or its version) from the columns. */
size_t fund_schema_matches(const struct fund_schema *s, const struct fund_reader *r);
size_t fund_schema_nfields(const struct fund_schema *s);
/* A schema shipped with fundkit: schemas/NAME-VERSION.json of the data
 * directory (fund_data_dir).  0, or a negative code with err set. */
int fund_schema_shipped(struct fund_schema **out, const char *name, const char *version,
			struct fund_error *err);
/* The SCDL subventions schema a header is written for: 2.1.1 when at
 * least 8 of its columns match 2.1.1's and more than match 2.0.2's, else
 * 2.0.2 when at least 8 match, else NULL (not SCDL). */
const struct fund_schema *fund_schema_scdl_version(const struct fund_schema *s202,
						   const struct fund_schema *s211,
						   const struct fund_reader *r);

enum fund_severity {
	FUND_SEV_ERROR = 0,
	FUND_SEV_WARNING,
	FUND_SEV_INFO         /* a check that passed, worth saying (reconciliation) */
};

struct fund_finding {
	const char *file;
	unsigned long line;        /* 0: about the file as a whole */
	const char *column;        /* NULL: no column */
	const char *value;         /* NULL: no value */
	const char *rule;          /* "type", "siret", "missing-column", ... */
	enum fund_severity severity;
	const char *message;       /* what is wrong (the value quoted in it) */
	unsigned long cell;        /* a spreadsheet's finding in a column: the
	                            * column (1 = A), said "file!K812" */
};

/* Return 0 to go on, non-zero to stop checking (FUND_EIO...). */
typedef int (*fund_finding_fn)(void *ctx, const struct fund_finding *f);

struct fund_check_opts {
	const struct fund_schema *schema;  /* NULL: the checks beyond a schema only */
	const char *amount_col;            /* total rows; NULL: the schema's or 'montant' */
	int decimal;                       /* amount_col's decimal mark, 0: learned */
	fund_finding_fn report;
	void *ctx;
	/* Optional: 1 when a finding of rule in column is to be reported in
	 * full (made, then given to report), 0 when it is only counted
	 * (wanted counted it: report is not called), or what report would
	 * return to stop.  Saves making the messages nobody reads. */
	int (*wanted)(void *ctx, const char *rule, const char *column, enum fund_severity sev);
	/* With wanted: the findings of a rule and column it makes in full
	 * before it counts them only (0: no such limit).  A file read in
	 * parts on threads makes no more of them than that in a part. */
	unsigned long per_rule;
	/* Optional, with per_rule: n findings of rule in column counted at
	 * once, as wanted counts them one by one (0, or what report would
	 * return to stop).  A part then counts those past per_rule by rule,
	 * column and severity, not one by one in file order: give it only
	 * when no count stops the checking (no maximum of errors). */
	int (*counted)(void *ctx, const char *rule, const char *column, enum fund_severity sev, uint64_t n);
};

struct fund_check;
int fund_check_new(struct fund_check **out, const struct fund_check_opts *o);
void fund_check_free(struct fund_check **c);
/* The header of each input: column findings. */
int fund_check_bind(struct fund_check *c, const struct fund_reader *r, struct fund_error *err);
int fund_check_add(struct fund_check *c, const struct fund_record *rec, struct fund_error *err);
/* At the end of each input: the checks that wait for what follows a row
 * (a block of "dont" lines, the parts of the row above them, added up
 * against it: more than it is an error, less is said with the part not
 * broken down).  0, FUND_ENOMEM, or what report returned. */
int fund_check_end(struct fund_check *c);

struct fund_check_summary {
	uint64_t rows, blank_rows, errors, warnings;
};
void fund_check_summary(const struct fund_check *c, struct fund_check_summary *out);

/* 14 digits with a valid Luhn checksum, or La Poste's establishments
 * (SIREN 356000000), whose digits add up to a multiple of 5. */
int fund_siret_valid(const char *s, size_t len);
/* 9 digits with a valid Luhn checksum. */
int fund_siren_valid(const char *s, size_t len);

/* ---- reconciliation: published totals against the detail ---- */

struct fund_reconcile_opts {
	const char *sum_col;               /* the amount column; NULL: "montant" */
	const char *const *specs;          /* [NAME=]AMOUNT[@COL=VALUE[,...]] */
	size_t nspecs;
	const char *const *groups;         /* the groups of a published file */
	size_t ngroups;                    /* 0: no published file */
	struct fund_amount tolerance;      /* differences up to it are rounding */
	int decimal;                       /* 0, '.' or ',' */
};
struct fund_reconcile;
/* FUND_EUSAGE for a spec that does not read (err says which), FUND_ENOMEM. */
int fund_reconcile_new(struct fund_reconcile **out, const struct fund_reconcile_opts *o,
		       struct fund_error *err);
void fund_reconcile_free(struct fund_reconcile **r);
/* The detail, input by input (an engine: fund_reconcile_engine). */
int fund_reconcile_bind(struct fund_reconcile *r, const struct fund_reader *rd, struct fund_error *err);
int fund_reconcile_add(struct fund_reconcile *r, const struct fund_record *rec, struct fund_error *err);
extern const struct fund_engine fund_reconcile_engine;
/* Once the detail is read: each spec's published amount against its
 * sum, one finding each (rule "reconcile", an error beyond the
 * tolerance), with file as its file.  0, or what report returned. */
int fund_reconcile_specs(struct fund_reconcile *r, const char *file, fund_finding_fn report, void *ctx);
/* The published subtotals of path (the group columns and the amount
 * column), group by group, against the detail's; the detail's groups
 * the file lacks as "(not published)".  0, what report returned, or a
 * negative code with err set (the file cannot be read). */
int fund_reconcile_published(struct fund_reconcile *r, const char *path, const struct fund_run_opts *ro,
			     fund_finding_fn report, void *ctx, struct fund_error *err);

/* ---- fund-check's report: findings as text, a table or JSON ---- */

enum fund_report_mode {
	FUND_REPORT_TEXT = 0,   /* "file:line: column 'c': message [rule]", the
	                         * first per_rule of each rule and column */
	FUND_REPORT_TABLE,      /* a table in format (tsv, csv, ndjson, table) */
	FUND_REPORT_JSON        /* one document, written by finish */
};
struct fund_check_report_opts {
	enum fund_report_mode mode;
	enum fund_outfmt format;     /* FUND_REPORT_TABLE */
	long max_errors;             /* stop after this many errors; 0: never */
	unsigned long per_rule;      /* text: findings shown per rule and column; 0: all */
};
struct fund_check_report;
int fund_check_report_new(struct fund_check_report **out, FILE *fp, const struct fund_check_report_opts *o,
			  struct fund_error *err);
void fund_check_report_free(struct fund_check_report **r);
/* A file's findings start (schema_title: the schema it is checked
 * against, or NULL) and end (its counts).  0, or a negative code. */
int fund_check_report_begin(struct fund_check_report *r, const char *file, const char *schema_title);
int fund_check_report_end(struct fund_check_report *r);
/* A fund_finding_fn (ctx: the report): 0, INT_MAX once max_errors is
 * reached (stop checking), or a negative code. */
int fund_check_report_finding(void *ctx, const struct fund_finding *f);
/* For fund_check_opts.wanted (ctx: the report): text findings past
 * per_rule are counted here, not made. */
int fund_check_report_wanted(void *ctx, const char *rule, const char *column, enum fund_severity sev);
/* For fund_check_opts.counted (ctx: the report). */
int fund_check_report_counted(void *ctx, const char *rule, const char *column, enum fund_severity sev, uint64_t n);
/* After the last file: the JSON document, the table's end.  0, or a
 * negative code with err set. */
int fund_check_report_finish(struct fund_check_report *r, struct fund_error *err);
uint64_t fund_check_report_errors(const struct fund_check_report *r);
int fund_check_report_stopped(const struct fund_check_report *r);

/* ---- fund-check's work, in one call ---- */

struct fund_check_files_opts {
	/* NULL, "scdl-subventions" or "scdl": SCDL when a file's columns
	 * are SCDL's, in the version they match; "scdl-subventions-2.0.2",
	 * "scdl-subventions-2.1.1"; "none"; or a Table Schema file */
	const char *schema;
	const char *sum_col;               /* NULL: the schema's or 'montant' */
	int decimal;
	const struct fund_reconcile_opts *reconcile;   /* NULL: no reconciliation */
	const char *reconcile_file;        /* published subtotals (reconcile's groups) */
	struct fund_check_report_opts report;
	/* A file that cannot be read to its end (it is invalid; the others
	 * are still checked): err says where. */
	void (*input_error)(void *ctx, const struct fund_error *err);
	void *input_error_ctx;
};
struct fund_check_result {
	uint64_t errors;        /* findings that are errors */
	uint64_t unreadable;    /* files not read to their end */
	int usage;              /* the options do not read (a --reconcile spec) */
	int write_error;        /* the report could not be written */
};
/* Check files[0..n) (n == 0: standard input), each against its schema,
 * the findings written to out as o->report says, then the
 * reconciliations.  0 (res says what was found), or a negative code with
 * err set (res->usage for options that do not read; res->write_error
 * when out failed, err then says no more than "write error"). */
int fund_check_files(const struct fund_check_files_opts *o, const char *const *files, size_t n,
		     const struct fund_run_opts *ro, FILE *out, struct fund_check_result *res,
		     struct fund_error *err);

#endif
