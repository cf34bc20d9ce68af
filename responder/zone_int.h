/*
 * responder/zone_int.h -- what zone.c, zone_build.c, zonefile.c and
 * answer.c share about a zone set's storage.  Not for other modules.
 */
#ifndef RESPONDER_ZONE_INT_H
#define RESPONDER_ZONE_INT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "zone.h"

#define ZONE_CHUNK (1u << 20)

struct zone_chunk {
	struct zone_chunk *next;
	size_t cap;
	size_t used;
	_Alignas(8) uint8_t data[];
};

/* Memory that is freed all at once: a few big blocks, newest first. */
struct zone_arena {
	struct zone_chunk *chunks;
	size_t nchunks;
};

struct zone_slot {
	uint32_t hash;
	void *item;
};

struct zone_table {
	struct zone_slot *slots;
	size_t mask;
	size_t count;
};

/*
 * A zone keeps all it holds (nodes, RRsets, answers) in its own arena and
 * node table, so that a set built after a change to one zone shares the
 * others with the set before it: each zone counts the sets that hold it.
 */
struct zone_store {
	struct zone_arena arena;
	struct zone_table nodes;   /* by owner name */
	struct zone_node **list;   /* every node, parents before children */
	size_t nlist;
	atomic_uint refs;          /* sets holding the zone */
};

struct zone_set {
	struct zone_table zones; /* by origin */
	struct zone **list;      /* in load order */
	size_t nlist;
	size_t records;
	unsigned min_labels, max_labels; /* of the origins */
};

/* One record as read from a master file, before it joins an RRset. */
struct zone_rec {
	const uint8_t *owner; /* canonical wire name */
	const uint8_t *rdata; /* uncompressed wire RDATA */
	struct zone_node *node;
	uint32_t ttl;
	uint16_t type;
	uint16_t rdlen;
	uint8_t ownerlen;
	int line;
};

/*
 * The hash tables (zone.c): open addressing, linear probing, at most half
 * full.  zone_table_resize() rehashes T into NCAP (a power of two) slots;
 * zone_table_insert() adds ITEM under HASH, growing T when needed.  Both return
 * 0 or -ENOMEM.
 */
int zone_table_resize(struct zone_table *t, size_t ncap);
int zone_table_insert(struct zone_table *t, uint32_t hash, void *item);

/* Room for N more items at once: one rehash, not one per doubling. */
static inline int
zone_table_reserve(struct zone_table *t, size_t n)
{
	size_t cap = t->mask ? t->mask + 1 : 0;
	size_t ncap = cap ? cap : 1024;

	while ((t->count + n + 1) * 2 > ncap) {
		ncap *= 2;
	}
	return ncap == cap ? 0 : zone_table_resize(t, ncap);
}

struct zone_set *zone_set_new(void);

/* N octets (8-aligned) that live until zone_arena_clear(A); NULL when out
 * of memory. */
void *zone_arena_alloc(struct zone_arena *a, size_t n);
void zone_arena_clear(struct zone_arena *a);

/*
 * A new zone, empty, held by no set (its reference count is 1: the
 * caller's, handed to the set by zone_set_add()); free with
 * zone_unref().  NULL when out of memory.
 */
struct zone *zone_new(void);

/* Drop one reference to Z; the last frees it.  Accepts NULL. */
void zone_unref(struct zone *z);

/* Ask for transparent huge pages under the big block P (LEN octets). */
void zone_hint_huge(void *p, size_t len);

/* Called with its ARG once the records of a build are copied. */
typedef void (*zone_release_fn)(void *arg);

/*
 * Turn RECS (owners inside Z's origin, Z->origin/file set) into Z's nodes
 * and compiled answers.  RECS keeps its order; each gets its node.  Once
 * their data is copied, before the answers are compiled, RELEASE(ARG) is
 * called (unless RELEASE is NULL), so that the caller can free RECS and
 * what they point to early: a big zone then never holds both at once.
 * Touches nothing but Z, so it runs in any thread.  Returns 0, or a
 * negative errno with ERR filled.
 */
int zone_build(struct zone *z, struct zone_rec *recs, size_t nrecs,
               zone_release_fn release, void *arg, char *err, size_t errlen);

/*
 * Make Z (built) part of ZS, taking the caller's reference; fails when its
 * origin is there already (Z is then still the caller's).
 */
int zone_set_add(struct zone_set *zs, struct zone *z, char *err,
                 size_t errlen);

/* The node NAME (canonical, LEN octets, HASH) of zone Z, or NULL. */
struct zone_node *zone_node_find(const struct zone *z, const uint8_t *name,
                                 size_t len, uint32_t hash);

/* The RRset of TYPE at NODE, or NULL: zone_node_rrset(), inline. */
static inline const struct zone_rrset *
zone_rrset_find(const struct zone_node *node, uint16_t type)
{
	for (uint16_t i = 0; i < node->nrrsets; i++) {
		if (node->rrsets[i].type == type) {
			return &node->rrsets[i];
		}
		if (node->rrsets[i].type > type) {
			break;
		}
	}
	return NULL;
}

#endif /* RESPONDER_ZONE_INT_H */
