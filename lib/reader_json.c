/* JSON records (lib/json.c scans them) as the reader's fields: nested
 * objects flattened to dotted column names. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"
#include "reader_impl.h"
#include "banned.h"

/* JSON: the text of a value, appended as a field. */
static int json_field(struct fund_reader *r, const cJSON *v)
{
	char num[400];
	int n;
	if (!v || cJSON_IsNull(v))
		return fund_rd_add_field(r, "", 0, 1);
	if (cJSON_IsString(v))
		return fund_rd_add_field(r, v->valuestring, strlen(v->valuestring), 0);
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? fund_rd_add_field(r, "true", 4, 0) : fund_rd_add_field(r, "false", 5, 0);
	if (cJSON_IsNumber(v)) {
		n = fund_double_text(num, sizeof(num), v->valuedouble);
		if (n == FUND_ENOMEM)
			return n;
		if (n < 0)
			return fund_rd_add_field(r, "", 0, 1);
		return fund_rd_add_field(r, num, (size_t)n, 0);
	} else {
		char *t = cJSON_PrintUnformatted(v);
		int rc;
		if (!t)
			return FUND_ENOMEM;
		rc = fund_rd_add_field(r, t, strlen(t), 0);
		cJSON_free(t);
		return rc;
	}
}

void fund_rd_free_path(char **p)
{
	size_t i;
	if (!p)
		return;
	for (i = 0; p[i]; i++)
		free(p[i]);
	free(p);
}

/* The rank-th member of object o named key (cJSON keeps every member, a
 * key twice included), or NULL */
static const cJSON *member(const cJSON *o, const char *key, size_t rank)
{
	const cJSON *c;
	if (!cJSON_IsObject(o))
		return NULL;
	for (c = o->child; c; c = c->next)
		if (c->string && !strcmp(c->string, key) && rank-- == 0)
			return c;
	return NULL;
}

/* a member that is flattened into the columns of its members (recursed into) */
static int nested(const cJSON *c, size_t depth)
{
	return cJSON_IsObject(c) && c->child && depth + 1 < 16;
}

/* Add the columns of object o (nested objects flattened with '.'); ranks:
 * the ranks of the keys of prefix (see path_rank). */
static int json_columns(struct fund_reader *r, const cJSON *o, char **prefix, const size_t *ranks, size_t depth)
{
	const cJSON *c, *b;
	for (c = o->child; c; c = c->next) {
		char **path;
		size_t i, *rank;
		if (!c->string)
			continue;
		path = calloc(depth + 2, sizeof(char *));
		if (!path)
			return FUND_ENOMEM;
		if (!(rank = calloc(depth + 1, sizeof(size_t)))) {
			free(path);
			return FUND_ENOMEM;
		}
		for (i = 0; i < depth; i++)
			rank[i] = ranks[i];
		/* the members before it of the same name */
		for (b = o->child; b != c; b = b->next)
			rank[depth] += b->string && !strcmp(b->string, c->string);
		for (i = 0; i < depth; i++)
			path[i] = strdup(prefix[i]);
		path[depth] = strdup(c->string);
		for (i = 0; i <= depth; i++)
			if (!path[i]) {
				fund_rd_free_path(path);
				free(rank);
				return FUND_ENOMEM;
			}
		if (nested(c, depth)) {
			int rc = json_columns(r, c, path, rank, depth + 1);
			fund_rd_free_path(path);
			free(rank);
			if (rc)
				return rc;
			continue;
		}
		{
			struct fund_buf name = { 0 };
			char **cn;
			char ***pp;
			size_t **rk;
			for (i = 0; i <= depth; i++) {
				size_t l = strlen(path[i]);
				if (fund_buf_reserve(&name, l + 2)) {
					fund_rd_free_path(path);
					free(rank);
					fund_buf_release(&name);
					return FUND_ENOMEM;
				}
				if (i)
					name.p[name.len++] = '.';
				memcpy(name.p + name.len, path[i], l);
				name.len += l;
			}
			name.p[name.len] = '\0';
			cn = realloc(r->colnames, (r->ncols + 1) * sizeof(*cn));
			if (cn)
				r->colnames = cn;
			pp = realloc(r->paths, (r->ncols + 1) * sizeof(*pp));
			if (pp)
				r->paths = pp;
			rk = realloc(r->path_rank, (r->ncols + 1) * sizeof(*rk));
			if (rk)
				r->path_rank = rk;
			if (!cn || !pp || !rk) {
				fund_rd_free_path(path);
				free(rank);
				fund_buf_release(&name);
				return FUND_ENOMEM;
			}
			r->colnames[r->ncols] = name.p;
			r->paths[r->ncols] = path;
			r->path_rank[r->ncols] = rank;
			r->ncols++;
		}
	}
	return 0;
}

/* The members of o that would be columns (nested objects flattened as
 * json_columns flattens them). */
static size_t json_leaves(const cJSON *o, size_t depth)
{
	const cJSON *c;
	size_t n = 0;
	for (c = o->child; c; c = c->next)
		if (c->string)
			n += nested(c, depth) ? json_leaves(c, depth + 1) : 1;
	return n;
}

/* The column i's member in o, or NULL */
static const cJSON *column_member(const struct fund_reader *r, const cJSON *o, size_t i)
{
	const cJSON *v = o;
	char **k;
	/* a key twice in an object, at any depth: its rank-th member */
	for (k = r->paths[i]; *k && v; k++)
		v = member(v, *k, r->path_rank[i][k - r->paths[i]]);
	return v;
}

/* 1 when a column reads c (whole) */
static int read_whole(const struct fund_reader *r, const cJSON *c, const cJSON *const *vals)
{
	size_t i;
	for (i = 0; i < r->ncols; i++)
		if (vals[i] == c)
			return 1;
	return 0;
}

/* The members of o that no column reads (a nested object that a column
 * reads whole, as JSON text, is read). */
static size_t unread(const struct fund_reader *r, const cJSON *o, const cJSON *const *vals, size_t depth)
{
	const cJSON *c;
	size_t n = 0;
	for (c = o->child; c; c = c->next)
		if (c->string && !read_whole(r, c, vals))
			n += nested(c, depth) ? unread(r, c, vals, depth + 1) : 1;
	return n;
}

/* The dotted name of the first of them in r->unread_name (after its
 * len bytes): 1 found, 0 not (the name as it was), or FUND_ENOMEM. */
static int first_unread(struct fund_reader *r, const cJSON *o, const cJSON *const *vals, size_t depth)
{
	const cJSON *c;
	size_t keep = r->unread_name.len;
	for (c = o->child; c; c = c->next) {
		size_t l;
		int rc;
		if (!c->string || read_whole(r, c, vals))
			continue;
		l = strlen(c->string);
		r->unread_name.len = keep;
		if (fund_buf_reserve(&r->unread_name, l + 2))
			return FUND_ENOMEM;
		if (depth)
			r->unread_name.p[r->unread_name.len++] = '.';
		memcpy(r->unread_name.p + r->unread_name.len, c->string, l + 1);
		r->unread_name.len += l;
		if (!nested(c, depth))
			return 1;
		if ((rc = first_unread(r, c, vals, depth + 1)) != 0)
			return rc;
	}
	r->unread_name.len = keep;
	if (r->unread_name.p)
		r->unread_name.p[keep] = '\0';
	return 0;
}

int fund_rd_json_record(struct fund_reader *r, cJSON *o)
{
	size_t i, found = 0, whole = 0;
	r->nf = 0;
	r->fbuf.len = 0;
	r->rec.unread = 0;
	r->rec.unread_name = NULL;
	if (r->ncols > r->nvals) {
		const cJSON **v = realloc(r->vals, r->ncols * sizeof(*v));
		if (!v)
			return FUND_ENOMEM;
		r->vals = v;
		r->nvals = r->ncols;
	}
	for (i = 0; i < r->ncols; i++) {
		const cJSON *v = column_member(r, o, i);
		r->vals[i] = v;
		found += v != NULL;
		whole += v && nested(v, 0);
		if (json_field(r, v))
			return FUND_ENOMEM;
	}
	/* members the first record lacks: counted, the first named.  The
	 * columns' members are distinct: when they are as many as the
	 * record's and none holds others, every member is read. */
	if (whole || json_leaves(o, 0) > found) {
		const cJSON *const *vals = (const cJSON *const *)r->vals;
		int rc;
		if (!(r->rec.unread = unread(r, o, vals, 0)))
			return 0;
		r->unread_name.len = 0;
		if ((rc = first_unread(r, o, vals, 0)) < 0)
			return rc;
		r->rec.unread_name = r->unread_name.p;
	}
	return 0;
}

/* JSON: the bytes already read for sniffing seed the scanner; the first
 * record is read now, for its keys make the header. */
int fund_rd_open_json(struct fund_reader *r, const struct fund_reader_opts *o,
		     struct fund_error *err)
{
	int rc;
	r->is_json = 1;
	rc = fund_json_init(&r->json, &r->src, r->name, o ? o->json_path : NULL, err);
	if (rc)
		return rc;
	if (fund_buf_reserve(&r->json.in, r->chunk_len + 1))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	if (r->chunk_len)
		memcpy(r->json.in.p, r->chunk, r->chunk_len);
	r->json.in.len = r->chunk_len;
	rc = fund_json_next(&r->json, &r->pending, &r->pending_line, err);
	if (rc <= 0)
		return rc; /* no records: no columns */
	if (!cJSON_IsObject(r->pending))
		return fund_error_set(err, FUND_EDATA, "%s: records must be JSON objects", r->name);
	if (json_columns(r, r->pending, NULL, NULL, 0))
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	return 0;
}
