/* Streaming JSON records.  A byte scanner finds where each record object
 * begins and ends (tracking strings, escapes and nesting) and hands that
 * slice alone to cJSON, so a large array is never loaded whole.
 *
 * Shapes: a top-level array of objects; objects one after another
 * (NDJSON); an object wrapping the record array, either named by a dotted
 * path or found automatically as the first member of the top object whose
 * value is an array of objects (or an empty array named results, records,
 * data, items, rows or features).  Automatic detection looks at the first
 * top-level object: when it is followed by another object, or holds no
 * array of objects, the input is NDJSON; when it wraps an array of objects
 * and stands alone (or is larger than PROBE_MAX), it is a wrapper. */
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "banned.h"

enum { M_START, M_ARRAY, M_NDJSON, M_PATH, M_PROBE, M_DONE };

#define PROBE_MAX (1u << 20)

int fund_json_init(struct fund_json *j, struct fund_source *src, const char *name,
		   const char *path, struct fund_error *err)
{
	memset(j, 0, sizeof(*j));
	j->src = src;
	j->name = name;
	j->line = 1;
	j->rec_depth = -1;
	j->cand_depth = -1;
	if (path && *path) {
		const char *p = path;
		j->path = path;
		for (;;) {
			const char *dot = strchr(p, '.');
			size_t n = dot ? (size_t)(dot - p) : strlen(p);
			char **k = realloc(j->path_keys, sizeof(*k) * (size_t)(j->npath + 1));
			if (!k)
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			j->path_keys = k;
			k[j->npath] = strndup(p, n);
			if (!k[j->npath])
				return fund_error_set(err, FUND_ENOMEM, "out of memory");
			j->npath++;
			if (!dot)
				break;
			p = dot + 1;
		}
	}
	return 0;
}

void fund_json_release(struct fund_json *j)
{
	int i;
	for (i = 0; i < j->npath; i++)
		free(j->path_keys[i]);
	free(j->path_keys);
	for (i = 0; i < FUND_JSON_DEPTH + 2; i++)
		free(j->keys[i]);
	free(j->cand_key);
	fund_buf_release(&j->in);
	fund_buf_release(&j->str);
	memset(j, 0, sizeof(*j));
}

static int more(struct fund_json *j, struct fund_error *err)
{
	const unsigned char *d;
	ssize_t n;

	if (j->eof)
		return 0;
	/* drop what has been consumed, unless probing (which may rescan) */
	if (j->mode != M_PROBE && !j->in_rec && j->pos > 0) {
		memmove(j->in.p, j->in.p + j->pos, j->in.len - j->pos);
		j->in.len -= j->pos;
		j->pos = 0;
	} else if (j->in_rec && j->rec_start > (1u << 20) && j->mode != M_PROBE) {
		size_t k = j->rec_start;
		memmove(j->in.p, j->in.p + k, j->in.len - k);
		j->in.len -= k;
		j->pos -= k;
		j->rec_start = 0;
	}
	n = fund_source_read(j->src, &d, j->in.len ? 0 : 65536, err);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		j->eof = 1;
		return 0;
	}
	if (fund_buf_reserve(&j->in, (size_t)n + 1))
		return fund_error_set(err, FUND_ENOMEM, "%s: out of memory", j->name);
	memcpy(j->in.p + j->in.len, d, (size_t)n);
	j->in.len += (size_t)n;
	return 1;
}

static void restart(struct fund_json *j, int mode)
{
	int i;
	j->mode = mode;
	j->pos = 0;
	j->line = 1;
	j->depth = 0;
	j->in_str = j->esc = j->key_pending = j->expect_key = 0;
	j->in_rec = 0;
	j->rec_depth = -1;
	j->after_open = 0;
	for (i = 0; i < FUND_JSON_DEPTH + 2; i++) {
		free(j->keys[i]);
		j->keys[i] = NULL;
	}
}

/* Names under which APIs wrap their records: an empty array under one of
 * them is still the (empty) record array. */
static int wrapper_name(const char *k)
{
	static const char *const names[] = { "results", "records", "data", "items", "rows", "features" };
	size_t i;
	for (i = 0; k && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(k, names[i]))
			return 1;
	return 0;
}

static int path_matches(struct fund_json *j, int d)
{
	int k;
	if (j->npath != d - 1)
		return 0;
	for (k = 1; k < d; k++)
		if (j->stack[k] != '{' || !j->keys[k] || strcmp(j->keys[k], j->path_keys[k - 1]))
			return 0;
	return 1;
}

/* Where records stand: the depth at which a '{' starts one. */
static int record_level(const struct fund_json *j)
{
	switch (j->mode) {
	case M_ARRAY: return 1;
	case M_NDJSON: return 0;
	case M_PATH: return j->rec_depth;
	default: return -1;
	}
}

static int bad(struct fund_json *j, struct fund_error *err, const char *what)
{
	return fund_error_at(err, FUND_EDATA, j->name, j->line, NULL, NULL, 0, "%s", what);
}

/* Decide what the probed first object was, with the input up to pos. */
static int decide(struct fund_json *j, struct fund_error *err, int big)
{
	char *key;
	if (!big) {
		/* look for a second top-level value */
		size_t p = j->pos;
		for (;;) {
			while (p < j->in.len && strchr(" \t\r\n", j->in.p[p]))
				p++;
			if (p < j->in.len || j->eof)
				break;
			{
				int rc = more(j, err);
				if (rc < 0)
					return rc;
			}
		}
		if (p < j->in.len || j->cand_depth < 0) {
			restart(j, M_NDJSON);
			return 0;
		}
	}
	key = j->cand_key;
	j->cand_key = NULL;
	j->path_keys = calloc(1, sizeof(char *));
	if (!j->path_keys) {
		free(key);
		return fund_error_set(err, FUND_ENOMEM, "out of memory");
	}
	j->path_keys[0] = key;
	j->npath = 1;
	restart(j, M_PATH);
	(void)err;
	return 0;
}

int fund_json_next(struct fund_json *j, cJSON **obj, unsigned long *line,
		   struct fund_error *err)
{
	for (;;) {
		unsigned char c;
		int rc;

		if (j->pos >= j->in.len) {
			rc = more(j, err);
			if (rc < 0)
				return rc;
			if (rc == 0) {
				if (j->mode == M_PROBE && j->depth == 0 && !j->in_str) {
					/* unreachable: decided at the closing brace */
				}
				if (j->depth > 0 || j->in_str) {
					const char *m = j->in_str ? j->in_rec ? "JSON input ends inside a string (the record starts here)"
								 : "JSON input ends inside a string"
						 : j->in_rec ? "JSON input ends inside an unclosed value (the record starts here)"
							     : "JSON input ends inside an unclosed value";
					if (j->in_rec)
						j->line = j->rec_line;
					return bad(j, err, m);
				}
				if (j->mode == M_PATH && j->rec_depth == -1) {
					fund_error_set(err, FUND_EUSAGE, "%s: no array of objects at JSON path '%s'",
						       j->name, j->path ? j->path : (j->npath ? j->path_keys[0] : ""));
					return FUND_EUSAGE;
				}
				return 0;
			}
			continue;
		}
		c = (unsigned char)j->in.p[j->pos];
		if (c == '\n')
			j->line++;
		if (j->in_str) {
			if (j->esc)
				j->esc = 0;
			else if (c == '\\')
				j->esc = 1;
			else if (c == '"') {
				j->in_str = 0;
				if (j->key_pending) {
					j->key_pending = 0;
					free(j->keys[j->depth]);
					j->keys[j->depth] = strndup(j->str.p ? j->str.p : "", j->str.len);
				}
			}
			if (j->in_str && j->key_pending) {
				if (j->str.len < 4096) {
					if (fund_buf_reserve(&j->str, 1))
						return fund_error_set(err, FUND_ENOMEM, "out of memory");
					j->str.p[j->str.len++] = (char)c;
				}
			}
			j->pos++;
			continue;
		}
		if (j->after_open && !strchr(" \t\r\n", c)) {
			j->after_open = 0;
			if ((c == '{' || (c == ']' && wrapper_name(j->keys[1]))) && j->cand_depth < 0) {
				j->cand_depth = j->depth;
				free(j->cand_key);
				j->cand_key = strdup(j->keys[1] ? j->keys[1] : "");
			}
		}
		switch (c) {
		case ' ': case '\t': case '\r': case '\n':
			break;
		case '"':
			j->in_str = 1;
			if (!j->in_rec && j->expect_key) {
				j->key_pending = 1;
				j->str.len = 0;
			}
			j->expect_key = 0;
			break;
		case '{': case '[':
			if (j->mode == M_START) {
				if (c == '[')
					j->mode = M_ARRAY;
				else
					j->mode = j->npath ? M_PATH : M_PROBE;
			}
			if (!j->in_rec) {
				int lvl = record_level(j);
				if (j->mode == M_PROBE && j->depth == 0) {
					j->rec_start = j->pos;
					j->rec_line = j->line;
				} else if (lvl >= 0 && j->depth == lvl) {
					if (c != '{')
						return bad(j, err, "expected an object (a record), found an array");
					j->in_rec = 1;
					j->rec_start = j->pos;
					j->rec_line = j->line;
				}
			}
			if (j->depth >= FUND_JSON_DEPTH)
				return bad(j, err, "JSON nested too deeply (limit 64 levels)");
			j->depth++;
			j->stack[j->depth] = c;
			j->expect_key = c == '{';
			free(j->keys[j->depth]);
			j->keys[j->depth] = NULL;
			if (c == '[' && !j->in_rec) {
				if (j->mode == M_PATH && j->rec_depth == -1 && path_matches(j, j->depth))
					j->rec_depth = j->depth;
				if (j->mode == M_PROBE && j->depth == 2 && j->cand_depth < 0)
					j->after_open = 1;
			}
			break;
		case '}': case ']': {
			int lvl;
			if (j->depth == 0 || j->stack[j->depth] != (c == '}' ? '{' : '['))
				return bad(j, err, c == '}' ? "unexpected '}'" : "unexpected ']'");
			free(j->keys[j->depth]);
			j->keys[j->depth] = NULL;
			j->depth--;
			j->expect_key = 0;
			j->pos++;
			lvl = record_level(j);
			if (j->in_rec && j->depth == lvl) {
				const char *s = j->in.p + j->rec_start;
				size_t n = j->pos - j->rec_start;
				j->in_rec = 0;
				*line = j->rec_line;
				fund_cjson_nomem(1);
				*obj = cJSON_ParseWithLength(s, n);
				if (!*obj && fund_cjson_nomem(1))
					return fund_error_set(err, FUND_ENOMEM, "out of memory");
				if (!*obj) {
					j->line = j->rec_line;
					return bad(j, err, "invalid JSON in the record that starts here");
				}
				j->nelem++;
				return 1;
			}
			if (j->mode == M_PATH && j->rec_depth > 0 && j->depth < j->rec_depth)
				j->rec_depth = -2; /* the record array is over */
			if (j->mode == M_PROBE && j->depth == 0) {
				if ((rc = decide(j, err, 0)) < 0)
					return rc;
			}
			continue;
		}
		case ',':
			j->expect_key = j->depth > 0 && j->stack[j->depth] == '{';
			break;
		case ':':
			break;
		default:
			if (j->mode == M_START)
				return bad(j, err, "not JSON: expected '[' or '{'");
			if (!j->in_rec) {
				int lvl = record_level(j);
				if (lvl >= 0 && j->depth == lvl)
					return bad(j, err, "expected an object (a record), found a plain value");
			}
			break;
		}
		j->pos++;
		if (j->mode == M_PROBE && j->in.len > PROBE_MAX && j->cand_depth >= 0) {
			if ((rc = decide(j, err, 1)) < 0)
				return rc;
		}
		if (j->in_rec && j->pos - j->rec_start > FUND_RECORD_MAX) {
			j->line = j->rec_line;
			return bad(j, err, "JSON record larger than 64 MiB (limit)");
		}
		if (j->mode == M_PROBE && j->in.len > FUND_RECORD_MAX)
			return bad(j, err, "JSON object larger than 64 MiB with no array of records");
	}
}
