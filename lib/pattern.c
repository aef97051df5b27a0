/* A schema's pattern matched without regexec when it is simple: the
 * translated POSIX extended expression (lib/schema.c) made of literal
 * bytes, bracket sets of bytes and ranges, \-escaped special characters,
 * groups, exact counts {n}, optional parts (? or {0,1}) and the anchors
 * ^ and $.  SCDL's patterns (^\d{14}$, a date and an optional second
 * one) are all of that kind: glibc's regexec took a sixth of fund-check's
 * time on them.
 *
 * The answer is regexec's in the C locale, which fundkit runs in (it
 * never calls setlocale): bytes, not characters, and ranges by byte
 * value.  Anything else (., *, +, |, other counts, negated sets, classes
 * like [:alpha:], back references) is not compiled, and the caller keeps
 * regexec, and so is an expression that does not begin with ^.  The
 * matcher tries the optional parts with and without (at
 * most FUND_SRE_OPTIONAL of them: 2^n tries at worst, each one linear),
 * so no pattern makes it slow. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "schema.h"
#include "banned.h"

#define FUND_SRE_OPTIONAL 8
#define FUND_SRE_COUNT_MAX 4096

enum { OP_SET, OP_SPLIT, OP_BOL, OP_EOL, OP_END };

struct op {
	uint8_t kind;
	uint32_t arg;              /* SET: the set's index; SPLIT: where the skip goes */
	uint32_t count;            /* SET: how many bytes in a row */
};

struct fund_sre {
	struct op *op;
	size_t nop, capop;
	uint64_t (*set)[4];        /* 256-bit sets of bytes */
	size_t nset, capset;
	unsigned optional;
};

struct parse {
	const unsigned char *p;
	struct fund_sre *re;
	int bad;                   /* 1: not simple; -1: out of memory */
};

static size_t emit(struct parse *x, uint8_t kind, uint32_t arg, uint32_t count)
{
	struct fund_sre *re = x->re;
	if (re->nop == re->capop) {
		size_t cap = re->capop ? 2 * re->capop : 16;
		struct op *n = realloc(re->op, cap * sizeof(*n));
		if (!n) {
			x->bad = -1;
			return 0;
		}
		re->op = n;
		re->capop = cap;
	}
	re->op[re->nop].kind = kind;
	re->op[re->nop].arg = arg;
	re->op[re->nop].count = count;
	return re->nop++;
}

static uint64_t *new_set(struct parse *x, uint32_t *index)
{
	struct fund_sre *re = x->re;
	if (re->nset == re->capset) {
		size_t cap = re->capset ? 2 * re->capset : 8;
		uint64_t(*n)[4] = realloc(re->set, cap * sizeof(*n));
		if (!n) {
			x->bad = -1;
			return NULL;
		}
		re->set = n;
		re->capset = cap;
	}
	memset(re->set[re->nset], 0, sizeof(re->set[0]));
	*index = (uint32_t)re->nset;
	return re->set[re->nset++];
}

static void add_byte(uint64_t *s, unsigned c)
{
	s[c >> 6] |= (uint64_t)1 << (c & 63);
}

/* ERE's operators, and the newline, which glibc reads as | */
static int special(unsigned c)
{
	return c && strchr(".[]()*+?{}|^$\\\n", (int)c) != NULL;
}

/* [...] after its '[': bytes and ranges only */
static int bracket(struct parse *x, uint64_t *s)
{
	const unsigned char *p = x->p;
	int first = 1;
	if (*p == '^' || *p == ']')
		return x->bad = 1, 0;
	while (*p && *p != ']') {
		unsigned a = *p, b;
		if (a == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '='))
			return x->bad = 1, 0;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			b = p[2];
			if (b == '[' || a > b)
				return x->bad = 1, 0;
			for (; a <= b; a++)
				add_byte(s, a);
			p += 3;
		} else {
			/* a '-' is itself first or last; elsewhere a range
			 * that starts or ends at it, which this does not read */
			if (a == '-' && !first && p[1] != ']')
				return x->bad = 1, 0;
			add_byte(s, a);
			p++;
		}
		first = 0;
	}
	if (*p != ']')
		return x->bad = 1, 0;
	x->p = p + 1;
	return 1;
}

/* {n} or {0,1} after an atom: the count, 0 for optional; -1 if none */
static long count_of(struct parse *x)
{
	const unsigned char *p = x->p;
	long n = 0;
	if (*p == '?') {
		x->p++;
		return 0;
	}
	if (*p != '{')
		return -1;
	if (!strncmp((const char *)p, "{0,1}", 5)) {
		x->p += 5;
		return 0;
	}
	for (p++; *p >= '0' && *p <= '9'; p++)
		if ((n = n * 10 + (*p - '0')) > FUND_SRE_COUNT_MAX)
			return x->bad = 1, -1;
	if (p == x->p + 1 || *p != '}' || n == 0)
		return x->bad = 1, -1;
	x->p = p + 1;
	return n;
}

static void sequence(struct parse *x, int depth);

/* an atom and its count */
static void item(struct parse *x, int depth)
{
	const unsigned char *p = x->p;
	size_t start = x->re->nop, split = 0;
	uint32_t set = 0;
	uint64_t *s = NULL;
	long n;
	int group = 0;

	if (*p == '(') {
		/* a group's ops, repeated by copying them n times */
		x->p++;
		sequence(x, depth + 1);
		if (x->bad)
			return;
		if (*x->p != ')')
			{ x->bad = 1; return; }
		x->p++;
		group = 1;
	} else if (*p == '[') {
		x->p++;
		if (!(s = new_set(x, &set)) || !bracket(x, s))
			return;
	} else if (*p == '\\') {
		if (!special(p[1]) || p[1] == '\n')
			{ x->bad = 1; return; }
		if (!(s = new_set(x, &set)))
			return;
		add_byte(s, p[1]);
		x->p += 2;
	} else if (*p == '^' || *p == '$') {
		emit(x, *p == '^' ? OP_BOL : OP_EOL, 0, 0);
		x->p++;
		if (*x->p == '?' || *x->p == '{' || *x->p == '*' || *x->p == '+')
			x->bad = 1;   /* a counted anchor: not read here */
		return;
	} else if (*p && !special(*p)) {
		if (!(s = new_set(x, &set)))
			return;
		add_byte(s, *p);
		x->p++;
	} else {
		{ x->bad = 1; return; }
	}
	if ((n = count_of(x)) < -1 || x->bad)
		return;
	if (*x->p == '*' || *x->p == '+' || *x->p == '?' || *x->p == '{')
		{ x->bad = 1; return; }   /* a count of a count */
	if (!group) {
		if (n == 0) {
			if (++x->re->optional > FUND_SRE_OPTIONAL)
				{ x->bad = 1; return; }
			split = emit(x, OP_SPLIT, 0, 0);
			emit(x, OP_SET, set, 1);
			if (!x->bad)
				x->re->op[split].arg = (uint32_t)x->re->nop;
		} else {
			emit(x, OP_SET, set, n < 0 ? 1 : (uint32_t)n);
		}
		return;
	}
	if (n == 0) {
		/* the group's ops behind a split that skips them */
		size_t len = x->re->nop - start, i;
		if (++x->re->optional > FUND_SRE_OPTIONAL)
			{ x->bad = 1; return; }
		emit(x, OP_END, 0, 0);   /* room for one more op */
		if (x->bad)
			return;
		memmove(&x->re->op[start + 1], &x->re->op[start], len * sizeof(struct op));
		for (i = start + 1; i <= start + len; i++)
			if (x->re->op[i].kind == OP_SPLIT)
				x->re->op[i].arg++;
		x->re->op[start].kind = OP_SPLIT;
		x->re->op[start].arg = (uint32_t)x->re->nop;
		x->re->op[start].count = 0;
	} else if (n > 1) {
		size_t len = x->re->nop - start, k, i;
		if (len * (size_t)n > FUND_SRE_COUNT_MAX)
			{ x->bad = 1; return; }
		for (k = 1; k < (size_t)n; k++)
			for (i = 0; i < len && !x->bad; i++) {
				struct op o = x->re->op[start + i];
				if (o.kind == OP_SPLIT)
					o.arg += (uint32_t)(k * len);
				emit(x, o.kind, o.arg, o.count);
			}
		/* each copy's optional parts count */
		if (x->re->optional > FUND_SRE_OPTIONAL)
			x->bad = 1;
	}
}

static void sequence(struct parse *x, int depth)
{
	if (depth > 16)
		{ x->bad = 1; return; }
	while (!x->bad && *x->p && *x->p != ')') {
		if (*x->p == '|')
			{ x->bad = 1; return; }
		item(x, depth);
	}
}

void fund_sre_free(struct fund_sre *re)
{
	if (!re)
		return;
	free(re->op);
	free(re->set);
	free(re);
}

int fund_sre_compile(const char *ere, struct fund_sre **out)
{
	struct parse x;
	struct fund_sre *re = calloc(1, sizeof(*re));
	size_t i;
	*out = NULL;
	if (!re)
		return FUND_ENOMEM;
	x.p = (const unsigned char *)ere;
	x.re = re;
	x.bad = 0;
	sequence(&x, 0);
	if (!x.bad && *x.p)
		x.bad = 1;   /* a ')' with no '(' */
	if (!x.bad)
		emit(&x, OP_END, 0, 0);
	/* anchored at the start (as the schema's patterns are): tried at
	 * the cell's first byte only */
	if (!x.bad && re->op[0].kind != OP_BOL)
		x.bad = 1;
	/* groups repeated n times counted their optional parts once */
	for (i = 0, re->optional = 0; !x.bad && i < re->nop; i++)
		re->optional += re->op[i].kind == OP_SPLIT;
	if (re->optional > FUND_SRE_OPTIONAL)
		x.bad = 1;
	if (x.bad) {
		fund_sre_free(re);
		return x.bad < 0 ? FUND_ENOMEM : 0;
	}
	*out = re;
	return 1;
}

static int run(const struct fund_sre *re, size_t pc, const unsigned char *s, size_t pos, size_t len)
{
	for (;;) {
		const struct op *o = &re->op[pc];
		switch (o->kind) {
		case OP_SET: {
			const uint64_t *set = re->set[o->arg];
			uint32_t k;
			if (len - pos < o->count)
				return 0;
			for (k = 0; k < o->count; k++, pos++)
				if (!(set[s[pos] >> 6] >> (s[pos] & 63) & 1))
					return 0;
			pc++;
			break;
		}
		case OP_SPLIT:
			if (run(re, pc + 1, s, pos, len))
				return 1;
			pc = o->arg;
			break;
		case OP_BOL:
			if (pos != 0)
				return 0;
			pc++;
			break;
		case OP_EOL:
			if (pos != len)
				return 0;
			pc++;
			break;
		default:
			return 1;   /* OP_END: a match, wherever it ends */
		}
	}
}

int fund_sre_match(const struct fund_sre *re, const char *s, size_t len)
{
	return run(re, 0, (const unsigned char *)s, 0, len);
}
