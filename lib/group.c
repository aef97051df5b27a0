/* Hash table of groups: open addressing over an insertion-ordered array,
 * so iteration is first-seen order and memory grows with groups only. */
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include "fund/fund.h"
#include "internal.h"
#include "banned.h"

/* A short single key is also kept in the entry: a lookup that finds it
 * (a commune code in the geography) does not follow key to compare. */
#define INLINE_KEY 19
struct entry {
	uint64_t hash;
	char *key;        /* nkeys parts, each: size_t length, bytes, NUL */
	unsigned char ilen;            /* the key's length when inline, else 255 */
	char inl[INLINE_KEY];
};

struct fund_groups {
	size_t nkeys, psize;
	struct entry *e;
	unsigned char *payload;
	size_t n, cap;
	uint32_t *slots;  /* index + 1, 0 = empty */
	size_t nslots;
};

int fund_groups_new(struct fund_groups **out, size_t nkeys, size_t payload_size)
{
	struct fund_groups *g = calloc(1, sizeof(*g));
	*out = NULL;
	if (!g)
		return FUND_ENOMEM;
	g->nkeys = nkeys;
	g->psize = payload_size ? payload_size : 1;
	g->nslots = 64;
	g->slots = calloc(g->nslots, sizeof(*g->slots));
	if (!g->slots) {
		free(g);
		return FUND_ENOMEM;
	}
	*out = g;
	return 0;
}

void fund_groups_free(struct fund_groups **gp)
{
	struct fund_groups *g = gp ? *gp : NULL;
	size_t i;
	if (!g)
		return;
	for (i = 0; i < g->n; i++)
		free(g->e[i].key);
	free(g->e);
	free(g->payload);
	free(g->slots);
	free(g);
	*gp = NULL;
}

/* 8 bytes at a time (a multiply and a shift per word): the keys are
 * short, and FNV's byte loop showed in profiles */
static inline uint64_t mix(uint64_t h, uint64_t v)
{
	h = (h ^ v) * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 32);
}

static uint64_t hash_keys(const char *const *keys, const size_t *lens, size_t nkeys)
{
	uint64_t h = 1469598103934665603ull;
	size_t k, i;
	for (k = 0; k < nkeys; k++) {
		const char *p = keys[k];
		size_t n = lens[k];
		uint64_t w;
		for (i = 0; i + 8 <= n; i += 8) {
			memcpy(&w, p + i, 8);
			h = mix(h, w);
		}
		/* the last bytes, by loads of fixed size (no call): the last
		 * 8 of the key, overlapping, or two 4-byte loads, or 3 bytes */
		if (i == n) {
			w = 0;
		} else if (n >= 8) {
			memcpy(&w, p + n - 8, 8);
		} else if (n >= 4) {
			uint32_t a, b;
			memcpy(&a, p, 4);
			memcpy(&b, p + n - 4, 4);
			w = a | (uint64_t)b << 32;
		} else {
			w = (uint64_t)(unsigned char)p[0] | (uint64_t)(unsigned char)p[n / 2] << 8 |
				(uint64_t)(unsigned char)p[n - 1] << 16;
		}
		h = mix(h, w ^ ((uint64_t)n << 56));
	}
	return h;
}

static int same(const struct entry *e, const char *const *keys, const size_t *lens, size_t nkeys)
{
	const char *p = e->key;
	size_t k;
	if (e->ilen <= INLINE_KEY)
		return nkeys == 1 && lens[0] == e->ilen && !memcmp(e->inl, keys[0], e->ilen);
	for (k = 0; k < nkeys; k++) {
		size_t l;
		memcpy(&l, p, sizeof(l));
		p += sizeof(l);
		if (l != lens[k] || memcmp(p, keys[k], l))
			return 0;
		p += l + 1;
	}
	return 1;
}

static int rehash(struct fund_groups *g)
{
	size_t ns = g->nslots * 2, i;
	uint32_t *s = calloc(ns, sizeof(*s));
	if (!s)
		return FUND_ENOMEM;
	for (i = 0; i < g->n; i++) {
		size_t j = g->e[i].hash & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = (uint32_t)(i + 1);
	}
	free(g->slots);
	g->slots = s;
	g->nslots = ns;
	return 0;
}

int fund_groups_get(struct fund_groups *g, const char *const *keys,
		    const size_t *lens, size_t *index)
{
	uint64_t h = hash_keys(keys, lens, g->nkeys);
	size_t j = h & (g->nslots - 1), k, klen = 0;
	struct entry *e;
	char *p;

	while (g->slots[j]) {
		e = &g->e[g->slots[j] - 1];
		if (e->hash == h && same(e, keys, lens, g->nkeys)) {
			*index = g->slots[j] - 1;
			return 0;
		}
		j = (j + 1) & (g->nslots - 1);
	}
	if (g->n >= UINT32_MAX - 1)
		return FUND_ELIMIT;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;
		struct entry *ne = realloc(g->e, cap * sizeof(*ne));
		unsigned char *np;
		if (!ne)
			return FUND_ENOMEM;
		g->e = ne;
		np = realloc(g->payload, cap * g->psize);
		if (!np)
			return FUND_ENOMEM;
		g->payload = np;
		g->cap = cap;
	}
	for (k = 0; k < g->nkeys; k++)
		klen += sizeof(size_t) + lens[k] + 1;
	p = malloc(klen ? klen : 1);
	if (!p)
		return FUND_ENOMEM;
	e = &g->e[g->n];
	e->hash = h;
	e->key = p;
	e->ilen = 255;
	if (g->nkeys == 1 && lens[0] <= INLINE_KEY) {
		e->ilen = (unsigned char)lens[0];
		if (lens[0])
			memcpy(e->inl, keys[0], lens[0]);
	}
	for (k = 0; k < g->nkeys; k++) {
		memcpy(p, &lens[k], sizeof(size_t));
		p += sizeof(size_t);
		if (lens[k])
			memcpy(p, keys[k], lens[k]);
		p[lens[k]] = '\0';
		p += lens[k] + 1;
	}
	memset(g->payload + g->n * g->psize, 0, g->psize);
	g->slots[j] = (uint32_t)(g->n + 1);
	*index = g->n;
	g->n++;
	if (g->n * 2 > g->nslots && rehash(g))
		return FUND_ENOMEM;
	return 1;
}

int fund_groups_find(const struct fund_groups *g, const char *const *keys,
		     const size_t *lens, size_t *index)
{
	uint64_t h = hash_keys(keys, lens, g->nkeys);
	size_t j = h & (g->nslots - 1);
	while (g->slots[j]) {
		const struct entry *e = &g->e[g->slots[j] - 1];
		if (e->hash == h && same(e, keys, lens, g->nkeys)) {
			*index = g->slots[j] - 1;
			return 1;
		}
		j = (j + 1) & (g->nslots - 1);
	}
	return 0;
}

size_t fund_groups_count(const struct fund_groups *g)
{
	return g->n;
}

void *fund_groups_payload(struct fund_groups *g, size_t i)
{
	return g->payload + i * g->psize;
}

const char *fund_groups_key(const struct fund_groups *g, size_t i, size_t k, size_t *len)
{
	const char *p = g->e[i].key;
	size_t l, x;
	for (x = 0;; x++) {
		memcpy(&l, p, sizeof(l));
		p += sizeof(l);
		if (x == k)
			break;
		p += l + 1;
	}
	if (len)
		*len = l;
	return p;
}

/* A table of many entries reached at random (fund_table_alloc): from
 * FUND_TABLE_HUGE bytes, mapped on its own, 2 MB aligned and advised
 * to transparent huge pages (a TLB entry for 2 MB, not 4 KB: a lookup
 * in a table of millions of slots misses the TLB less), zeroed by the
 * kernel as calloc's would be. */
#define FUND_TABLE_HUGE (4u << 20)
#define FUND_TABLE_ALIGN (2u << 20)

void *fund_table_alloc(size_t bytes)
{
	unsigned char *p, *a;
	size_t span;
	if (bytes < FUND_TABLE_HUGE)
		return calloc(1, bytes);
	span = bytes + FUND_TABLE_ALIGN;
	p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (unsigned char *)(((uintptr_t)p + FUND_TABLE_ALIGN - 1) & ~(uintptr_t)(FUND_TABLE_ALIGN - 1));
	/* the slack on either side given back */
	if (a > p)
		munmap(p, (size_t)(a - p));
	if (p + span > a + bytes)
		munmap(a + bytes, (size_t)(p + span - (a + bytes)));
#ifdef MADV_HUGEPAGE
	madvise(a, bytes, MADV_HUGEPAGE);    /* advice: no harm when refused */
#endif
	return a;
}

void fund_table_free(void *p, size_t bytes)
{
	if (!p)
		return;
	if (bytes < FUND_TABLE_HUGE)
		free(p);
	else
		munmap(p, bytes);
}
