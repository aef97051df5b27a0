/* Validation against a Table Schema, and the checks beyond it.
 * Table Schema: https://specs.frictionlessdata.io/table-schema/ */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "internal.h"
#include "banned.h"

enum ftype { T_STRING, T_NUMBER, T_INTEGER, T_BOOLEAN, T_DATE, T_DATETIME, T_YEAR, T_ANY };

struct strlist {
	char **v;
	size_t n;
};

struct field {
	char *name;
	enum ftype type;
	char *format;               /* date: NULL/default (ISO), "any", or "%d/%m/%Y" */
	int required;
	int has_re;
	regex_t re;
	char *pattern;
	struct strlist enums, truev, falsev;
	int has_min, has_max;
	double min, max;
	long minlen, maxlen;        /* -1: none */
	char decimal, group;
	int bare;
	int siret;                  /* custom check french-siret-value */
};

struct fund_schema {
	char *title;
	struct field *f;
	size_t n;
	struct strlist missing;
	struct strlist pkey;
	char **oneof;               /* pairs */
	size_t noneof;
};

static void strlist_free(struct strlist *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int strlist_from(struct strlist *l, const cJSON *a)
{
	const cJSON *it;
	size_t n = 0;
	if (!cJSON_IsArray(a))
		return 0;
	l->v = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(char *));
	if (!l->v)
		return -1;
	cJSON_ArrayForEach(it, a) {
		char nb[400];
		const char *v = NULL;
		if (cJSON_IsString(it))
			v = it->valuestring;
		else if (cJSON_IsNumber(it) && fund_double_text(nb, sizeof(nb), it->valuedouble) >= 0)
			v = nb;
		if (!v)
			continue;
		if (!(l->v[n] = strdup(v)))
			return -1;
		n++;
	}
	l->n = n;
	return 0;
}

static int strlist_has(const struct strlist *l, const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		if (strlen(l->v[i]) == len && !memcmp(l->v[i], s, len))
			return 1;
	return 0;
}

void fund_schema_free(struct fund_schema **sp)
{
	struct fund_schema *s = sp ? *sp : NULL;
	size_t i;
	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		struct field *f = &s->f[i];
		free(f->name);
		free(f->format);
		free(f->pattern);
		if (f->has_re)
			regfree(&f->re);
		strlist_free(&f->enums);
		strlist_free(&f->truev);
		strlist_free(&f->falsev);
	}
	free(s->f);
	strlist_free(&s->missing);
	strlist_free(&s->pkey);
	for (i = 0; i < s->noneof * 2; i++)
		free(s->oneof[i]);
	free(s->oneof);
	free(s->title);
	free(s);
	*sp = NULL;
}

/* A Table Schema pattern (XML Schema / ECMAScript flavour) as a POSIX
 * extended regular expression, anchored at both ends. */
static char *posix_pattern(const char *p)
{
	size_t len = strlen(p), o = 0;
	char *out = malloc(len * 12 + 8);
	int in_br = 0;
	if (!out)
		return NULL;
	out[o++] = '^';
	out[o++] = '(';
	for (; *p; p++) {
		if (*p == '\\' && p[1]) {
			const char *rep = NULL;
			p++;
			switch (*p) {
			case 'd': rep = in_br ? "0-9" : "[0-9]"; break;
			case 'D': rep = in_br ? NULL : "[^0-9]"; break;
			case 'w': rep = in_br ? "[:alnum:]_" : "[[:alnum:]_]"; break;
			case 's': rep = in_br ? "[:space:]" : "[[:space:]]"; break;
			default: break;
			}
			if (rep) {
				memcpy(out + o, rep, strlen(rep));
				o += strlen(rep);
			} else if (in_br) {
				out[o++] = *p;   /* a literal inside brackets */
			} else if (strchr(".[]()*+?{}|^$\\", *p)) {
				out[o++] = '\\';
				out[o++] = *p;
			} else {
				out[o++] = *p;   /* \- \/ and the like: the character */
			}
			continue;
		}
		if (*p == '[' && !in_br)
			in_br = 1;
		else if (*p == ']' && in_br && o > 0 && out[o - 1] != '[')
			in_br = 0;
		out[o++] = *p;
	}
	out[o++] = ')';
	out[o++] = '$';
	out[o] = '\0';
	return out;
}

static int parse_field(struct field *f, const cJSON *j, struct fund_error *err)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "constraints");
	const cJSON *x;
	const char *type = cJSON_IsString(t) ? t->valuestring : "string";
	static const struct { const char *n; enum ftype t; } types[] = {
		{ "string", T_STRING }, { "number", T_NUMBER }, { "integer", T_INTEGER },
		{ "boolean", T_BOOLEAN }, { "date", T_DATE }, { "datetime", T_DATETIME },
		{ "year", T_YEAR }, { "any", T_ANY }
	};
	size_t i;

	f->type = T_ANY;   /* types fundkit does not know are not checked */
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i].n))
			f->type = types[i].t;
	f->minlen = f->maxlen = -1;
	f->decimal = '.';
	f->bare = 1;
	x = cJSON_GetObjectItemCaseSensitive(j, "format");
	if (cJSON_IsString(x) && strcmp(x->valuestring, "default") && !(f->format = strdup(x->valuestring)))
		return FUND_ENOMEM;
	x = cJSON_GetObjectItemCaseSensitive(j, "decimalChar");
	if (cJSON_IsString(x) && x->valuestring[0])
		f->decimal = x->valuestring[0];
	x = cJSON_GetObjectItemCaseSensitive(j, "groupChar");
	if (cJSON_IsString(x) && x->valuestring[0])
		f->group = x->valuestring[0];
	x = cJSON_GetObjectItemCaseSensitive(j, "bareNumber");
	if (cJSON_IsBool(x))
		f->bare = cJSON_IsTrue(x);
	if (strlist_from(&f->truev, cJSON_GetObjectItemCaseSensitive(j, "trueValues")) ||
	    strlist_from(&f->falsev, cJSON_GetObjectItemCaseSensitive(j, "falseValues")))
		return FUND_ENOMEM;
	if (f->type == T_BOOLEAN && !f->truev.n) {
		static const char *const d[] = { "true", "True", "TRUE", "1" };
		if (!(f->truev.v = calloc(4, sizeof(char *))))
			return FUND_ENOMEM;
		for (i = 0; i < 4; i++)
			if (!(f->truev.v[f->truev.n++] = strdup(d[i])))
				return FUND_ENOMEM;
	}
	if (f->type == T_BOOLEAN && !f->falsev.n) {
		static const char *const d[] = { "false", "False", "FALSE", "0" };
		if (!(f->falsev.v = calloc(4, sizeof(char *))))
			return FUND_ENOMEM;
		for (i = 0; i < 4; i++)
			if (!(f->falsev.v[f->falsev.n++] = strdup(d[i])))
				return FUND_ENOMEM;
	}
	if (!cJSON_IsObject(c))
		return 0;
	x = cJSON_GetObjectItemCaseSensitive(c, "required");
	f->required = cJSON_IsTrue(x);
	x = cJSON_GetObjectItemCaseSensitive(c, "pattern");
	if (cJSON_IsString(x)) {
		char *re = posix_pattern(x->valuestring);
		int rc;
		if (!re || !(f->pattern = strdup(x->valuestring))) {
			free(re);
			return FUND_ENOMEM;
		}
		rc = regcomp(&f->re, re, REG_EXTENDED | REG_NOSUB);
		free(re);
		if (rc == REG_ESPACE)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		if (rc)
			return fund_error_set(err, FUND_EDATA, "field '%s': cannot use the pattern '%s'", f->name,
					      x->valuestring);
		f->has_re = 1;
	}
	if (strlist_from(&f->enums, cJSON_GetObjectItemCaseSensitive(c, "enum")))
		return FUND_ENOMEM;
	x = cJSON_GetObjectItemCaseSensitive(c, "minimum");
	if (cJSON_IsNumber(x)) {
		f->has_min = 1;
		f->min = x->valuedouble;
	}
	x = cJSON_GetObjectItemCaseSensitive(c, "maximum");
	if (cJSON_IsNumber(x)) {
		f->has_max = 1;
		f->max = x->valuedouble;
	}
	x = cJSON_GetObjectItemCaseSensitive(c, "minLength");
	if (cJSON_IsNumber(x))
		f->minlen = (long)x->valuedouble;
	x = cJSON_GetObjectItemCaseSensitive(c, "maxLength");
	if (cJSON_IsNumber(x))
		f->maxlen = (long)x->valuedouble;
	return 0;
}

static struct field *field_named(struct fund_schema *s, const char *name)
{
	size_t i;
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->f[i].name, name))
			return &s->f[i];
	return NULL;
}

int fund_schema_parse(struct fund_schema **out, const char *json, size_t len, const char *name,
		      struct fund_error *err)
{
	cJSON *root;
	const cJSON *fields, *it, *x;
	struct fund_schema *s;
	int rc = 0;

	*out = NULL;
	fund_cjson_nomem(1);
	root = cJSON_ParseWithLength(json, len);
	if (!root && fund_cjson_nomem(1))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (!root)
		return fund_error_set(err, FUND_EDATA, "%s: not JSON (near byte %zu)", name,
				      cJSON_GetErrorPtr() ? (size_t)(cJSON_GetErrorPtr() - json) : (size_t)0);
	fields = cJSON_GetObjectItemCaseSensitive(root, "fields");
	if (!cJSON_IsArray(fields) || cJSON_GetArraySize(fields) == 0) {
		cJSON_Delete(root);
		return fund_error_set(err, FUND_EDATA, "%s: not a Table Schema (no \"fields\" array)", name);
	}
	if (!(s = calloc(1, sizeof(*s))) || !(s->f = calloc((size_t)cJSON_GetArraySize(fields), sizeof(*s->f)))) {
		free(s);
		cJSON_Delete(root);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(it, fields) {
		struct field *f = &s->f[s->n];
		x = cJSON_GetObjectItemCaseSensitive(it, "name");
		if (!cJSON_IsString(x)) {
			rc = fund_error_set(err, FUND_EDATA, "%s: field %zu has no name", name, s->n + 1);
			break;
		}
		if (!(f->name = strdup(x->valuestring))) {
			rc = fund_error_set(err, FUND_ENOMEM, "out of memory");
			break;
		}
		s->n++;
		if ((rc = parse_field(f, it, err)) < 0) {
			if (rc == FUND_ENOMEM)
				fund_error_set(err, rc, "out of memory");
			else
			{
				char *m = strdup(fund_error_msg(err));
				fund_error_set(err, m ? rc : FUND_ENOMEM, "%s: %s", name, m ? m : "out of memory");
				free(m);
			}
			break;
		}
	}
	if (rc == 0) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "name");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");
		const cJSON *mv = cJSON_GetObjectItemCaseSensitive(root, "missingValues");
		const cJSON *pk = cJSON_GetObjectItemCaseSensitive(root, "primaryKey");
		const cJSON *cc = cJSON_GetObjectItemCaseSensitive(root, "custom_checks");
		if (cJSON_IsString(n) && cJSON_IsString(v))
			rc = asprintf(&s->title, "%s %s", n->valuestring, v->valuestring) < 0 ? FUND_ENOMEM : 0;
		else
			rc = (s->title = strdup(cJSON_IsString(n) ? n->valuestring : name)) ? 0 : FUND_ENOMEM;
		if (!rc && cJSON_IsArray(mv))
			rc = strlist_from(&s->missing, mv);
		else if (!rc && (s->missing.v = calloc(1, sizeof(char *))) && (s->missing.v[0] = strdup("")))
			s->missing.n = 1;
		else if (!rc)
			rc = FUND_ENOMEM;
		if (!rc && cJSON_IsString(pk)) {
			if ((s->pkey.v = calloc(1, sizeof(char *))) && (s->pkey.v[0] = strdup(pk->valuestring)))
				s->pkey.n = 1;
			else
				rc = FUND_ENOMEM;
		} else if (!rc && cJSON_IsArray(pk)) {
			rc = strlist_from(&s->pkey, pk);
		}
		if (!rc && cJSON_IsArray(cc)) {
			s->oneof = calloc((size_t)cJSON_GetArraySize(cc) * 2 + 2, sizeof(char *));
			if (!s->oneof)
				rc = FUND_ENOMEM;
			cJSON_ArrayForEach(it, cc) {
				const cJSON *cn = cJSON_GetObjectItemCaseSensitive(it, "name");
				const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "params");
				const cJSON *col = cJSON_GetObjectItemCaseSensitive(p, "column");
				const cJSON *c1 = cJSON_GetObjectItemCaseSensitive(p, "column1");
				const cJSON *c2 = cJSON_GetObjectItemCaseSensitive(p, "column2");
				if (rc || !cJSON_IsString(cn))
					continue;
				if (!strcmp(cn->valuestring, "french-siret-value") && cJSON_IsString(col)) {
					struct field *f = field_named(s, col->valuestring);
					if (f)
						f->siret = 1;
				} else if (!strcmp(cn->valuestring, "one-of-required") && cJSON_IsString(c1) &&
					   cJSON_IsString(c2)) {
					if (!(s->oneof[s->noneof * 2] = strdup(c1->valuestring)) ||
					    !(s->oneof[s->noneof * 2 + 1] = strdup(c2->valuestring)))
						rc = FUND_ENOMEM;
					s->noneof++;
				}
			}
		}
		if (rc == FUND_ENOMEM)
			fund_error_set(err, rc, "out of memory");
	}
	cJSON_Delete(root);
	if (rc) {
		fund_schema_free(&s);
		return rc;
	}
	*out = s;
	return 0;
}

int fund_schema_read(struct fund_schema **out, const char *path, struct fund_error *err)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;
	*out = NULL;
	if (!fp)
		return fund_error_set(err, errno == ENOMEM ? FUND_ENOMEM : FUND_EIO, "%s: %s", path,
				      errno == ENOMEM ? "out of memory" : strerror(errno));
	for (;;) {
		size_t n;
		if (len + 65536 > cap) {
			char *nb;
			if (cap > (64u << 20)) {
				free(buf);
				fclose(fp);
				return fund_error_set(err, FUND_ELIMIT, "%s: a schema larger than 64 MiB", path);
			}
			cap = cap ? cap * 2 : 65536;
			if (!(nb = realloc(buf, cap + 1))) {
				free(buf);
				fclose(fp);
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, fp);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return fund_error_set(err, FUND_EIO, "%s: read error", path);
	}
	fclose(fp);
	rc = fund_schema_parse(out, buf ? buf : "", len, path, err);
	free(buf);
	return rc;
}

const char *fund_schema_title(const struct fund_schema *s)
{
	return s->title;
}

size_t fund_schema_nfields(const struct fund_schema *s)
{
	return s->n;
}

size_t fund_schema_matches(const struct fund_schema *s, const struct fund_reader *r)
{
	size_t i, k, n = 0;
	for (i = 0; i < s->n; i++)
		for (k = 0; k < fund_reader_ncols(r); k++)
			if (fund_names_match(s->f[i].name, fund_reader_colname(r, k))) {
				n++;
				break;
			}
	return n;
}

/* ---- identifiers ---- */

static int all_digits(const char *s, size_t len)
{
	size_t i;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return len > 0;
}

static int luhn(const char *s, size_t len)
{
	size_t i;
	int sum = 0;
	for (i = 0; i < len; i++) {
		int d = s[len - 1 - i] - '0';
		if (i % 2 == 1 && (d *= 2) > 9)
			d -= 9;
		sum += d;
	}
	return sum % 10 == 0;
}

int fund_siren_valid(const char *s, size_t len)
{
	return len == 9 && all_digits(s, len) && luhn(s, len);
}

int fund_siret_valid(const char *s, size_t len)
{
	size_t i;
	int sum = 0;
	if (len != 14 || !all_digits(s, len))
		return 0;
	if (luhn(s, len))
		return 1;
	/* La Poste: one SIREN for thousands of establishments, numbered
	 * beyond what Luhn allows; INSEE's rule is that the digits add up to
	 * a multiple of 5 */
	if (memcmp(s, "356000000", 9) == 0) {
		for (i = 0; i < len; i++)
			sum += s[i] - '0';
		return sum % 5 == 0;
	}
	return 0;
}

static int padded_siret(const char *s13)
{
	char b[14];
	b[0] = '0';
	memcpy(b + 1, s13, 13);
	return fund_siret_valid(b, 14);
}

/* ---- the checker ---- */

struct fund_check {
	struct fund_check_opts o;
	const struct fund_schema *s;
	const struct fund_reader *r;
	const char *file;
	size_t ncols;
	int *fcol;                  /* per schema field: input column, or -1 */
	int amount_idx, period_idx, share_idx, share_field, amount_in_schema;
	struct fund_amount_ctx actx;
	struct fund_sum running;
	uint64_t running_n;
	int *dup_idx;
	size_t ndup;
	int dup_pkey;
	struct fund_groups *dups;
	const char **kv;
	size_t *kl;
	int (*oneof)[2];
	struct fund_check_summary sum;
	int stop;
	char msg[1400], q[300];
};

int fund_check_new(struct fund_check **out, const struct fund_check_opts *o)
{
	struct fund_check *c = calloc(1, sizeof(*c));
	*out = NULL;
	if (!c)
		return FUND_ENOMEM;
	c->o = *o;
	c->s = o->schema;
	*out = c;
	return 0;
}

static void reset_file(struct fund_check *c)
{
	free(c->fcol);
	free(c->dup_idx);
	free(c->kv);
	free(c->kl);
	free(c->oneof);
	fund_groups_free(&c->dups);
	c->fcol = NULL;
	c->dup_idx = NULL;
	c->kv = NULL;
	c->kl = NULL;
	c->oneof = NULL;
	c->ndup = 0;
	memset(&c->running, 0, sizeof(c->running));
	c->running_n = 0;
	memset(&c->actx, 0, sizeof(c->actx));
	c->actx.forced = c->o.decimal;
}

void fund_check_free(struct fund_check **cp)
{
	struct fund_check *c = cp ? *cp : NULL;
	if (!c)
		return;
	reset_file(c);
	free(c);
	*cp = NULL;
}

void fund_check_summary(const struct fund_check *c, struct fund_check_summary *out)
{
	*out = c->sum;
}

static int find(struct fund_check *c, unsigned long line, const char *column, const char *value, size_t vlen,
		const char *rule, enum fund_severity sev, const char *fmt, ...) __attribute__((format(printf, 8, 9)));
static int find(struct fund_check *c, unsigned long line, const char *column, const char *value, size_t vlen,
		const char *rule, enum fund_severity sev, const char *fmt, ...)
{
	struct fund_finding f;
	va_list ap;
	char *v = NULL;
	int rc;
	if (c->stop)
		return c->stop;
	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	if (value && !(v = strndup(value, vlen)))
		return FUND_ENOMEM;
	f.file = c->file;
	f.line = line;
	f.column = column;
	f.value = v;
	f.rule = rule;
	f.severity = sev;
	f.message = c->msg;
	if (sev == FUND_SEV_ERROR)
		c->sum.errors++;
	else
		c->sum.warnings++;
	rc = c->o.report ? c->o.report(c->o.ctx, &f) : 0;
	free(v);
	if (rc)
		c->stop = rc;
	return rc;
}

/* Levenshtein distance of two short lowercase names (capped) */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[64], prev, tmp;
	if (la > 60 || lb > 60)
		return 99;
	for (j = 0; j <= lb; j++)
		d[j] = j;
	for (i = 1; i <= la; i++) {
		prev = d[0];
		d[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
			tmp = d[j];
			d[j] = d[j] + 1 < d[j - 1] + 1 ? d[j] + 1 : d[j - 1] + 1;
			if (prev + cost < d[j])
				d[j] = prev + cost;
			prev = tmp;
		}
	}
	return d[lb];
}

static const char *colname(const struct fund_check *c, size_t k)
{
	return fund_reader_colname(c->r, k);
}

static int header_checks(struct fund_check *c)
{
	const struct fund_schema *s = c->s;
	unsigned char *used = calloc(c->ncols + 1, 1);
	size_t i, k;
	int last = -1, order_ok = 1;

	if (!used)
		return FUND_ENOMEM;
	/* exact names first */
	for (i = 0; i < s->n; i++) {
		c->fcol[i] = -1;
		for (k = 0; k < c->ncols; k++)
			if (!used[k] && !strcmp(colname(c, k), s->f[i].name)) {
				c->fcol[i] = (int)k;
				used[k] = 1;
				break;
			}
	}
	/* then near names: misnamed, checked all the same */
	for (i = 0; i < s->n; i++) {
		size_t best = 99, bk = 0;
		if (c->fcol[i] >= 0)
			continue;
		for (k = 0; k < c->ncols; k++) {
			size_t d;
			if (used[k])
				continue;
			d = fund_names_match(colname(c, k), s->f[i].name) ? 0 : distance(colname(c, k), s->f[i].name);
			if (d < best) {
				best = d;
				bk = k;
			}
		}
		if (best <= (strlen(s->f[i].name) >= 8 ? 3u : 1u)) {
			c->fcol[i] = (int)bk;
			used[bk] = 1;
			if (find(c, 1, colname(c, bk), NULL, 0, "column-name", FUND_SEV_ERROR,
				 "misnamed: the schema calls it '%s'", s->f[i].name))
				break;
		} else if (find(c, 1, s->f[i].name, NULL, 0, "missing-column",
				s->f[i].required ? FUND_SEV_ERROR : FUND_SEV_WARNING,
				"missing (%s in the schema)", s->f[i].required ? "required" : "optional")) {
			break;
		}
	}
	for (k = 0; k < c->ncols && !c->stop; k++)
		if (!used[k])
			find(c, 1, colname(c, k), NULL, 0, "extra-column", FUND_SEV_ERROR, "not in the schema (%s)",
			     s->title);
	for (i = 0; i < s->n; i++) {
		if (c->fcol[i] < 0)
			continue;
		if (c->fcol[i] < last)
			order_ok = 0;
		last = c->fcol[i];
	}
	if (!order_ok && !c->stop)
		find(c, 1, NULL, NULL, 0, "column-order", FUND_SEV_WARNING,
		     "the columns are not in the schema's order (readers that go by position will misread them)");
	free(used);
	return c->stop;
}

/* a column by name, ignoring case and blanks: index or -1 */
static int column_like(const struct fund_check *c, const char *name)
{
	size_t k;
	for (k = 0; k < c->ncols; k++)
		if (fund_names_match(colname(c, k), name))
			return (int)k;
	return -1;
}

int fund_check_bind(struct fund_check *c, const struct fund_reader *r, struct fund_error *err)
{
	size_t i;
	static const char *const dupcols[] = { "idAttribuant", "nomAttribuant", "dateConvention", "referenceDecision",
		"idBeneficiaire", "nomBeneficiaire", "objet", "montant" };
	reset_file(c);
	c->r = r;
	c->file = fund_reader_name(r);
	c->ncols = fund_reader_ncols(r);
	c->stop = 0;
	c->amount_idx = c->o.amount_col ? column_like(c, c->o.amount_col) : column_like(c, "montant");
	if (c->o.amount_col && c->amount_idx < 0) {
		int k = fund_reader_column(r, c->o.amount_col, err);
		if (k < 0)
			return k;
		c->amount_idx = k;
	}
	c->amount_in_schema = 0;
	c->period_idx = column_like(c, "datesPeriodeVersement");
	c->share_idx = column_like(c, "pourcentageSubvention");
	c->share_field = -1;
	if (c->s) {
		if (!(c->fcol = calloc(c->s->n + 1, sizeof(int))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		if (header_checks(c) == FUND_ENOMEM)
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		for (i = 0; i < c->s->n; i++) {
			if (c->fcol[i] >= 0 && c->fcol[i] == c->share_idx)
				c->share_field = (int)i;
			if (c->fcol[i] >= 0 && c->fcol[i] == c->amount_idx)
				c->amount_in_schema = 1;
		}
		if (c->s->noneof && !(c->oneof = calloc(c->s->noneof, sizeof(*c->oneof))))
			return fund_error_set(err, FUND_ENOMEM, "out of memory");
		for (i = 0; i < c->s->noneof; i++) {
			c->oneof[i][0] = column_like(c, c->s->oneof[2 * i]);
			c->oneof[i][1] = column_like(c, c->s->oneof[2 * i + 1]);
		}
	}
	/* duplicates: the primary key, else the columns that make a
	 * convention (SCDL), else the whole row */
	if (!(c->dup_idx = calloc(c->ncols + 8, sizeof(int))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	c->dup_pkey = c->s && c->s->pkey.n;
	if (c->dup_pkey) {
		for (i = 0; i < c->s->pkey.n; i++) {
			int k = column_like(c, c->s->pkey.v[i]);
			if (k >= 0)
				c->dup_idx[c->ndup++] = k;
		}
	} else {
		for (i = 0; i < sizeof(dupcols) / sizeof(dupcols[0]); i++) {
			int k = column_like(c, dupcols[i]);
			if (k >= 0)
				c->dup_idx[c->ndup++] = k;
		}
		if (c->ndup < 4) {
			c->ndup = 0;
			for (i = 0; i < c->ncols; i++)
				c->dup_idx[c->ndup++] = (int)i;
		}
	}
	if (c->ndup && (!(c->kv = calloc(c->ndup, sizeof(char *))) || !(c->kl = calloc(c->ndup, sizeof(size_t))) ||
			fund_groups_new(&c->dups, c->ndup, sizeof(unsigned long))))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return c->stop == FUND_EIO ? fund_error_set(err, FUND_EIO, "write error") : 0;
}

/* ---- cells ---- */

static const char *q(struct fund_check *c, const char *s, size_t len)
{
	return fund_quote(c->q, sizeof(c->q), s, len);
}

/* Table Schema number: sign, digits (groups), decimal part, exponent; or
 * NaN, INF, -INF.  bare 0 allows non-numeric text around it. */
static int number(const struct field *f, const char *s, size_t len, double *out)
{
	char buf[128];
	size_t i = 0, o = 0;
	int digits = 0;
	if (!f->bare) {
		while (len && !isdigit((unsigned char)s[0]) && s[0] != '-' && s[0] != '+' && s[0] != f->decimal) {
			s++;
			len--;
		}
		while (len && !isdigit((unsigned char)s[len - 1]))
			len--;
	}
	if (len == 3 && !memcmp(s, "NaN", 3)) {
		*out = NAN;
		return 0;
	}
	if ((len == 3 && !memcmp(s, "INF", 3)) || (len == 4 && !memcmp(s, "-INF", 4))) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (len >= sizeof(buf) - 1)
		return -1;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		buf[o++] = s[i++];
	for (; i < len && (isdigit((unsigned char)s[i]) || (f->group && s[i] == f->group && digits)); i++)
		if (isdigit((unsigned char)s[i])) {
			buf[o++] = s[i];
			digits++;
		}
	if (i < len && s[i] == f->decimal) {
		buf[o++] = '.';
		for (i++; i < len && isdigit((unsigned char)s[i]); i++, digits++)
			buf[o++] = s[i];
	}
	if (!digits)
		return -1;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		buf[o++] = 'e';
		i++;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			buf[o++] = s[i++];
		if (i >= len || !isdigit((unsigned char)s[i]))
			return -1;
		for (; i < len && isdigit((unsigned char)s[i]); i++)
			buf[o++] = s[i];
	}
	if (i != len)
		return -1;
	buf[o] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

/* ISO date YYYY-MM-DD: 0 ok, 1 well formed but no such day, -1 not that form */
static int iso_date(const char *s, size_t len, struct fund_date *d)
{
	char b[11];
	if (len != 10 || s[4] != '-' || s[7] != '-' || !all_digits(s, 4) || !all_digits(s + 5, 2) ||
	    !all_digits(s + 8, 2))
		return -1;
	memcpy(b, s, 10);
	b[10] = '\0';
	return fund_date_parse(b, 10, d) == 0 ? 0 : 1;
}

/* a date in a strptime-like format (%Y %m %d and literal characters) */
static int fmt_date(const char *fmt, const char *s, size_t len)
{
	struct fund_date d = { 0, 0, 0 };
	size_t i = 0;
	char iso[32];
	for (; *fmt; fmt++) {
		if (*fmt == '%' && fmt[1]) {
			int n = fmt[1] == 'Y' ? 4 : 2, v = 0, k;
			fmt++;
			for (k = 0; k < n; k++, i++) {
				if (i >= len || !isdigit((unsigned char)s[i]))
					return -1;
				v = v * 10 + (s[i] - '0');
			}
			if (*fmt == 'Y')
				d.year = v;
			else if (*fmt == 'm')
				d.month = v;
			else if (*fmt == 'd')
				d.day = v;
			else
				return -1;
		} else if (i >= len || s[i++] != *fmt) {
			return -1;
		}
	}
	if (i != len)
		return -1;
	snprintf(iso, sizeof(iso), "%04d-%02d-%02d", d.year % 10000, d.month % 100, d.day % 100);
	return fund_date_parse(iso, 10, &d) == 0 ? 0 : 1;
}

static size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return n;
}

static int is_missing(const struct fund_check *c, const char *s, size_t len)
{
	return strlist_has(&c->s->missing, s, len);
}

/* the checks of one cell against its field; sets *bounds when min/max
 * failed */
static void check_cell(struct fund_check *c, const struct field *f, const char *col, unsigned long line,
		       const char *s, size_t len, int *bounds)
{
	double x = 0;
	struct fund_date d;
	int r, numeric = 0;

	if (is_missing(c, s, len)) {
		if (f->required)
			find(c, line, col, s, len, "required", FUND_SEV_ERROR, "a value is required");
		return;
	}
	switch (f->type) {
	case T_NUMBER:
		if (number(f, s, len, &x) < 0) {
			char grp[32] = ", no digit grouping";
			if (f->group)
				snprintf(grp, sizeof(grp), ", digits grouped by '%c'", f->group);
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a number (decimal mark '%c'%s)",
			     q(c, s, len), f->decimal, grp);
			return;
		}
		numeric = 1;
		break;
	case T_INTEGER: {
		size_t i = len && (s[0] == '-' || s[0] == '+');
		if (!all_digits(s + i, len - i)) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a whole number", q(c, s, len));
			return;
		}
		x = strtod(s, NULL);
		numeric = 1;
		break;
	}
	case T_BOOLEAN:
		if (!strlist_has(&f->truev, s, len) && !strlist_has(&f->falsev, s, len)) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a boolean (%s%s%s or %s%s%s)",
			     q(c, s, len), f->truev.n ? "'" : "", f->truev.n ? f->truev.v[0] : "", f->truev.n ? "'" : "",
			     f->falsev.n ? "'" : "", f->falsev.n ? f->falsev.v[0] : "", f->falsev.n ? "'" : "");
			return;
		}
		break;
	case T_DATE:
		if (f->format && !strcmp(f->format, "any"))
			r = fund_date_parse(s, len, &d) == 0 ? 0 : -1;
		else if (f->format)
			r = fmt_date(f->format, s, len);
		else
			r = iso_date(s, len, &d);
		if (r < 0) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a date in the form %s", q(c, s, len),
			     f->format && strcmp(f->format, "any") ? f->format : "YYYY-MM-DD");
			return;
		}
		if (r > 0) {
			find(c, line, col, s, len, "date", FUND_SEV_ERROR, "'%s' is not a day that exists", q(c, s, len));
			return;
		}
		break;
	case T_DATETIME:
		if (len < 19 || (s[10] != 'T' && s[10] != ' ') || (r = iso_date(s, 10, &d)) < 0 || s[13] != ':' ||
		    s[16] != ':' || !all_digits(s + 11, 2) || !all_digits(s + 14, 2) || !all_digits(s + 17, 2)) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a date and time (YYYY-MM-DDThh:mm:ss)",
			     q(c, s, len));
			return;
		}
		if (r > 0) {
			find(c, line, col, s, len, "date", FUND_SEV_ERROR, "'%s' is not a day that exists", q(c, s, len));
			return;
		}
		break;
	case T_YEAR:
		if (len != 4 || !all_digits(s, 4)) {
			find(c, line, col, s, len, "type", FUND_SEV_ERROR, "'%s' is not a year", q(c, s, len));
			return;
		}
		x = strtod(s, NULL);
		numeric = 1;
		break;
	default:
		break;
	}
	if (f->type == T_STRING && f->has_re) {
		char *z = strndup(s, len);
		int rc;
		if (!z) {
			c->stop = FUND_ENOMEM;
			return;
		}
		/* glibc's regexec says "no match" when it cannot allocate:
		 * malloc's errno tells */
		errno = 0;
		if ((rc = regexec(&f->re, z, 0, NULL, 0)) == REG_ESPACE || (rc == REG_NOMATCH && errno == ENOMEM)) {
			c->stop = FUND_ENOMEM;
			free(z);
			return;
		}
		if (rc != 0)
			find(c, line, col, s, len, "pattern", FUND_SEV_ERROR, "'%s' does not match the pattern '%s'",
			     q(c, s, len), f->pattern);
		free(z);
	}
	if (f->enums.n && !strlist_has(&f->enums, s, len)) {
		char list[600];
		size_t i, o = 0;
		for (i = 0; i < f->enums.n && o < sizeof(list) - 80; i++)
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s'%s'", i ? ", " : "", f->enums.v[i]);
		find(c, line, col, s, len, "enum", FUND_SEV_ERROR, "'%s' is not one of %s", q(c, s, len), list);
	}
	if (f->minlen >= 0 && utf8_chars(s, len) < (size_t)f->minlen)
		find(c, line, col, s, len, "length", FUND_SEV_ERROR, "%zu characters, fewer than %ld",
		     utf8_chars(s, len), f->minlen);
	if (f->maxlen >= 0 && utf8_chars(s, len) > (size_t)f->maxlen)
		find(c, line, col, s, len, "length", FUND_SEV_ERROR, "%zu characters, more than %ld",
		     utf8_chars(s, len), f->maxlen);
	if (numeric && f->has_min && x < f->min) {
		char b[400];
		fund_double_text(b, sizeof(b), f->min);
		*bounds = 1;
		find(c, line, col, s, len, "minimum", FUND_SEV_ERROR, "'%s' is below the minimum %s", q(c, s, len), b);
	}
	if (numeric && f->has_max && x > f->max) {
		char b[400];
		fund_double_text(b, sizeof(b), f->max);
		*bounds = 1;
		find(c, line, col, s, len, "maximum", FUND_SEV_ERROR, "'%s' is above the maximum %s%s", q(c, s, len), b,
		     f->max == 1 && x > 1 && x <= 100 ? " (a percentage? the schema wants a share: 80 % is 0.8)" : "");
	}
	if (f->siret) {
		if (fund_siret_valid(s, len))
			return;
		if (len == 14 && all_digits(s, len))
			find(c, line, col, s, len, "siret", FUND_SEV_ERROR, "'%s' is not a valid SIRET (wrong check digit)",
			     q(c, s, len));
		else if (fund_siren_valid(s, len))
			find(c, line, col, s, len, "siret", FUND_SEV_ERROR, "'%s' is a SIREN, not a SIRET (14 digits expected)",
			     q(c, s, len));
		else if (len == 13 && all_digits(s, len) && padded_siret(s))
			find(c, line, col, s, len, "siret", FUND_SEV_ERROR,
			     "'%s' is not a SIRET (14 digits expected: a leading zero lost? '0%.13s' would be valid)",
			     q(c, s, len), s);
		else
			find(c, line, col, s, len, "siret", FUND_SEV_ERROR, "'%s' is not a SIRET (14 digits expected)",
			     q(c, s, len));
	}
}

static int cmp_sum_amount(const struct fund_sum *s, const struct fund_amount *a)
{
	struct fund_amount t;
	t.units = s->units;
	t.scale = s->scale;
	return fund_amount_cmp(&t, a);
}

static void beyond_schema(struct fund_check *c, const struct fund_record *rec, int share_bounds)
{
	size_t i;
	/* payment period: YYYY-MM-DD/YYYY-MM-DD (or _ in the older format) */
	if (c->period_idx >= 0 && (size_t)c->period_idx < rec->n) {
		const char *s = rec->fields[c->period_idx];
		size_t len = rec->len[c->period_idx];
		struct fund_date a, b;
		if (len == 21 && (s[10] == '/' || s[10] == '_')) {
			int ra = iso_date(s, 10, &a), rb = iso_date(s + 11, 10, &b);
			const char *col = colname(c, (size_t)c->period_idx);
			if (ra > 0 || rb > 0)
				find(c, rec->line, col, s, len, "period", FUND_SEV_WARNING, "'%s': %s is not a day that exists",
				     q(c, s, len), ra > 0 ? "the start" : "the end");
			else if (ra == 0 && rb == 0 &&
				 (b.year * 10000 + b.month * 100 + b.day) < (a.year * 10000 + a.month * 100 + a.day))
				find(c, rec->line, col, s, len, "period", FUND_SEV_WARNING,
				     "'%s': the payment period ends before it starts", q(c, s, len));
		}
	}
	/* a share of the cost in (0, 1] */
	if (c->share_idx >= 0 && (size_t)c->share_idx < rec->n && !share_bounds) {
		const char *s = rec->fields[c->share_idx];
		size_t len = rec->len[c->share_idx];
		struct fund_amount_ctx ctx = { 0, 0, 0 };
		struct fund_amount a;
		if (!fund_blank(s, len) && fund_amount_parse(s, len, &ctx, &a) == FUND_AMOUNT_OK) {
			double x = fund_amount_to_double(&a);
			if (!(x > 0 && x <= 1))
				find(c, rec->line, colname(c, (size_t)c->share_idx), s, len, "share", FUND_SEV_WARNING,
				     "'%s' is not a share in (0, 1]%s", q(c, s, len),
				     x > 1 && x <= 100 ? " (a percentage? 80 % is 0.8)" : "");
		}
	}
	/* one of two columns required */
	if (c->s)
		for (i = 0; i < c->s->noneof; i++) {
			int a = c->oneof[i][0], b = c->oneof[i][1];
			int has_a = a >= 0 && (size_t)a < rec->n && !is_missing(c, rec->fields[a], rec->len[a]);
			int has_b = b >= 0 && (size_t)b < rec->n && !is_missing(c, rec->fields[b], rec->len[b]);
			if (!has_a && !has_b)
				find(c, rec->line, NULL, NULL, 0, "one-of-required", FUND_SEV_ERROR,
				     "either '%s' or '%s' is required", c->s->oneof[2 * i], c->s->oneof[2 * i + 1]);
		}
}

/* a row that repeats the total of the rows above it */
static void total_row(struct fund_check *c, const struct fund_record *rec)
{
	size_t i, a = (size_t)c->amount_idx;
	int labelled = 0, others = 0;
	struct fund_amount x;
	char b1[100], b2[100];
	int st;
	if (c->amount_idx < 0 || a >= rec->n)
		return;
	st = fund_amount_parse(rec->fields[a], rec->len[a], &c->actx, &x);
	if (st == FUND_AMOUNT_BAD && !c->amount_in_schema)
		find(c, rec->line, colname(c, a), rec->fields[a], rec->len[a], "amount", FUND_SEV_ERROR,
		     "cannot read '%s' as an amount", q(c, rec->fields[a], rec->len[a]));
	if (st != FUND_AMOUNT_OK)
		return;
	for (i = 0; i < rec->n; i++) {
		if (i == a || fund_blank(rec->fields[i], rec->len[i]))
			continue;
		if (strcasestr(rec->fields[i], "total"))
			labelled = 1;
		else
			others = 1;
	}
	if (!others && (labelled || rec->n > 1) && c->running_n > 1 && cmp_sum_amount(&c->running, &x) == 0) {
		fund_amount_format(b1, sizeof(b1), x.units, x.scale, x.scale, 0);
		find(c, rec->line, colname(c, a), rec->fields[a], rec->len[a], "total-row", FUND_SEV_WARNING,
		     "a total row: %s is the sum of the %llu rows above it (totalling the file counts that money twice)",
		     b1, (unsigned long long)c->running_n);
		memset(&c->running, 0, sizeof(c->running));
		c->running_n = 0;
		return;
	}
	if (labelled && !others) {
		fund_amount_format(b1, sizeof(b1), x.units, x.scale, x.scale, 0);
		fund_amount_format(b2, sizeof(b2), c->running.units, c->running.scale, c->running.scale, 0);
		find(c, rec->line, colname(c, a), rec->fields[a], rec->len[a], "total-row", FUND_SEV_WARNING,
		     "a row labelled total (%s) that is not the sum of the rows above it (%s)", b1, b2);
		return;
	}
	if (fund_sum_add(&c->running, &x) == 0)
		c->running_n++;
}

static void duplicate(struct fund_check *c, const struct fund_record *rec)
{
	size_t i, gi;
	int added;
	unsigned long *first;
	for (i = 0; i < c->ndup; i++) {
		size_t k = (size_t)c->dup_idx[i];
		c->kv[i] = k < rec->n ? rec->fields[k] : "";
		c->kl[i] = k < rec->n ? rec->len[k] : 0;
	}
	if ((added = fund_groups_get(c->dups, c->kv, c->kl, &gi)) < 0) {
		c->stop = FUND_ENOMEM;
		return;
	}
	first = fund_groups_payload(c->dups, gi);
	if (added)
		*first = rec->line;
	else if (c->dup_pkey)
		find(c, rec->line, NULL, NULL, 0, "primary-key", FUND_SEV_ERROR, "the primary key repeats line %lu",
		     *first);
	else
		find(c, rec->line, NULL, NULL, 0, "duplicate", FUND_SEV_WARNING, "the same %s as line %lu",
		     c->ndup == c->ncols ? "row" : "convention", *first);
}

int fund_check_add(struct fund_check *c, const struct fund_record *rec, struct fund_error *err)
{
	size_t i;
	int bounds = 0;
	c->sum.rows++;
	if (fund_record_is_blank(rec)) {
		c->sum.blank_rows++;
		find(c, rec->line, NULL, NULL, 0, "blank-row", FUND_SEV_WARNING, "a blank row");
		goto out;
	}
	if (c->ncols > 1) {
		/* half the fields or more repeat the header's names: a section
		 * header of a report pasted together */
		size_t same = 0, named = 0;
		for (i = 0; i < c->ncols && i < rec->n; i++) {
			if (!fund_blank(colname(c, i), strlen(colname(c, i))))
				named++;
			if (!fund_blank(rec->fields[i], rec->len[i]) && fund_names_match(rec->fields[i], colname(c, i)))
				same++;
		}
		if (same >= 2 && same * 2 >= named) {
			find(c, rec->line, NULL, NULL, 0, "header-row", FUND_SEV_WARNING,
			     "the header again (a report pasted together?)");
			goto out;
		}
	}
	if (rec->n != c->ncols && !fund_reader_is_json(c->r)) {
		int extra = 0;
		for (i = c->ncols; i < rec->n; i++)
			if (!fund_blank(rec->fields[i], rec->len[i]))
				extra = 1;
		if (extra || rec->n < c->ncols)
			find(c, rec->line, NULL, NULL, 0, "ragged", FUND_SEV_ERROR, "%zu fields where the header has %zu",
			     rec->n, c->ncols);
	}
	if (c->s)
		for (i = 0; i < c->s->n && !c->stop; i++) {
			int k = c->fcol[i];
			int b = 0;
			if (k < 0)
				continue;
			if ((size_t)k >= rec->n || (rec->is_null && rec->is_null[k]))
				check_cell(c, &c->s->f[i], colname(c, (size_t)k), rec->line, "", 0, &b);
			else
				check_cell(c, &c->s->f[i], colname(c, (size_t)k), rec->line, rec->fields[k], rec->len[k], &b);
			if ((int)i == c->share_field)
				bounds = b;
		}
	if (!c->stop)
		beyond_schema(c, rec, bounds);
	if (!c->stop)
		total_row(c, rec);
	if (!c->stop && c->ndup)
		duplicate(c, rec);
out:
	if (c->stop == FUND_ENOMEM)
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (c->stop)
		return fund_error_set(err, c->stop, "write error");
	return 0;
}

int fund_schema_shipped(struct fund_schema **out, const char *name, const char *version,
			struct fund_error *err)
{
	char *dir = NULL, *path = NULL;
	int rc;
	*out = NULL;
	if ((rc = fund_data_dir(NULL, &dir, err)) < 0)
		return rc;
	if (asprintf(&path, "%s/schemas/%s-%s.json", dir, name, version) < 0) {
		free(dir);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	free(dir);
	rc = fund_schema_read(out, path, err);
	free(path);
	return rc;
}

const struct fund_schema *fund_schema_scdl_version(const struct fund_schema *s202,
						   const struct fund_schema *s211,
						   const struct fund_reader *r)
{
	size_t m2 = fund_schema_matches(s202, r), m1 = fund_schema_matches(s211, r);
	if (m1 >= 8 && m1 > m2)
		return s211;
	return m2 >= 8 ? s202 : NULL;
}
