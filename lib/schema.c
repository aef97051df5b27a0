/* Table Schemas (https://specs.frictionlessdata.io/table-schema/): read
 * from JSON, fields and their constraints compiled (patterns as POSIX
 * regular expressions), the shipped SCDL schemas and the choice of their
 * version from a header. */
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
#include "schema.h"
#include "banned.h"

static void strlist_free(struct strlist *l)
{
	size_t i;
	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->len);
	l->v = NULL;
	l->len = NULL;
	l->n = 0;
}

/* v appended, with its length (a cell is matched against it by length
 * first) */
static int strlist_add(struct strlist *l, const char *v)
{
	char **nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	size_t *nl;
	if (!nv)
		return -1;
	l->v = nv;
	if (!(nl = realloc(l->len, (l->n + 1) * sizeof(*nl))))
		return -1;
	l->len = nl;
	if (!(l->v[l->n] = strdup(v)))
		return -1;
	l->len[l->n++] = strlen(v);
	return 0;
}

static int strlist_from(struct strlist *l, const cJSON *a)
{
	const cJSON *it;
	if (!cJSON_IsArray(a))
		return 0;
	cJSON_ArrayForEach(it, a) {
		char nb[400];
		const char *v = NULL;
		if (cJSON_IsString(it))
			v = it->valuestring;
		else if (cJSON_IsNumber(it) && fund_double_text(nb, sizeof(nb), it->valuedouble) >= 0)
			v = nb;
		if (v && strlist_add(l, v))
			return -1;
	}
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
		fund_sre_free(f->sre);
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
		for (i = 0; i < 4; i++)
			if (strlist_add(&f->truev, d[i]))
				return FUND_ENOMEM;
	}
	if (f->type == T_BOOLEAN && !f->falsev.n) {
		static const char *const d[] = { "false", "False", "FALSE", "0" };
		for (i = 0; i < 4; i++)
			if (strlist_add(&f->falsev, d[i]))
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
		if (rc == 0 && fund_sre_compile(re, &f->sre) < 0) {
			regfree(&f->re);
			rc = REG_ESPACE;
		}
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
		else if (!rc && strlist_add(&s->missing, ""))
			rc = FUND_ENOMEM;
		if (!rc && cJSON_IsString(pk)) {
			if (strlist_add(&s->pkey, pk->valuestring))
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
