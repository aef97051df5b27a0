/* fund/group.h - a hash table from group keys to fixed-size accumulators.
 *
 * Keys are tuples of byte strings (copied once per group); payloads are
 * zero-initialised blocks of payload_size bytes.  Groups are numbered in
 * first-seen order, so output is stable for unsorted input.  Memory grows
 * with the number of groups, never with the number of rows.
 */
#ifndef FUND_GROUP_H
#define FUND_GROUP_H

#include <stddef.h>

struct fund_groups;

/* A table for keys of nkeys parts and payloads of payload_size bytes. */
int fund_groups_new(struct fund_groups **out, size_t nkeys, size_t payload_size);

/* Find the group of keys[0..nkeys) (lens[i] bytes each) or add it.  Sets
 * *index to its number.  Returns 1 if added, 0 if found, FUND_ENOMEM. */
int fund_groups_get(struct fund_groups *g, const char *const *keys,
		    const size_t *lens, size_t *index);

/* Find without adding: 1 and *index set when the group exists, else 0. */
int fund_groups_find(const struct fund_groups *g, const char *const *keys,
		     const size_t *lens, size_t *index);

size_t fund_groups_count(const struct fund_groups *g);

/* The payload of group i (valid until the next fund_groups_get). */
void *fund_groups_payload(struct fund_groups *g, size_t i);

/* Part k of the key of group i: NUL-terminated, *len bytes. */
const char *fund_groups_key(const struct fund_groups *g, size_t i, size_t k,
			    size_t *len);

void fund_groups_free(struct fund_groups **g);

#endif
