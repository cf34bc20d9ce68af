/*
 * responder/zone.c -- zone data: the set, its tables and arena, lookups.
 *
 * zone_build.c turns the records zonefile.c reads into nodes; this file
 * holds what they are stored in (hash tables and a zone's arena), adds
 * built zones to a set (a zone may be in several sets: the serving one
 * and one built after a change elsewhere), and answers "what covers this
 * name" with two hash lookups.
 */
#include "zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "zone_int.h"

/*
 * A big zone touches some 250 MB in a few seconds: with 4 KB pages the
 * page faults and TLB misses cost more than the work.  Its big blocks ask
 * for transparent huge pages (only a hint; nothing changes without them).
 */
#define ZONE_HUGE      (2u << 20)
#define ZONE_BIG_CHUNK (8u << 20) /* arena blocks past the first four */

void
zone_hint_huge(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t mask = ~(uintptr_t)(ZONE_HUGE - 1);
	uintptr_t a = ((uintptr_t)p + ZONE_HUGE - 1) & mask;
	uintptr_t b = ((uintptr_t)p + len) & mask;

	if (b > a) {
		(void)madvise((void *)a, b - a, MADV_HUGEPAGE);
	}
#else
	(void)p;
	(void)len;
#endif
}

/* Hash tables: open addressing, linear probing, at most half full. */

int
zone_table_resize(struct zone_table *t, size_t ncap)
{
	struct zone_slot *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL) {
		return -ENOMEM;
	}
	zone_hint_huge(ns, ncap * sizeof(*ns));
	for (size_t i = 0; t->slots != NULL && i <= t->mask; i++) {
		struct zone_slot *s = &t->slots[i];
		size_t j;

		if (s->item == NULL) {
			continue;
		}
		for (j = s->hash & (ncap - 1); ns[j].item != NULL;
		     j = (j + 1) & (ncap - 1)) {
		}
		ns[j] = *s;
	}
	free(t->slots);
	t->slots = ns;
	t->mask = ncap - 1;
	return 0;
}

static int
zone_table_grow(struct zone_table *t)
{
	return zone_table_resize(t, t->mask ? (t->mask + 1) * 2 : 1024);
}

int
zone_table_insert(struct zone_table *t, uint32_t hash, void *item)
{
	size_t j;

	if ((t->count + 1) * 2 > (t->mask ? t->mask + 1 : 0)) {
		int rc = zone_table_grow(t);

		if (rc != 0) {
			return rc;
		}
	}
	for (j = hash & t->mask; t->slots[j].item != NULL;
	     j = (j + 1) & t->mask) {
	}
	t->slots[j].hash = hash;
	t->slots[j].item = item;
	t->count++;
	return 0;
}

static void
zone_table_clear(struct zone_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

struct zone_node *
zone_node_find(const struct zone *z, const uint8_t *name, size_t len,
               uint32_t hash)
{
	const struct zone_table *t = &z->store->nodes;

	if (t->slots == NULL) {
		return NULL;
	}
	for (size_t j = hash & t->mask; t->slots[j].item != NULL;
	     j = (j + 1) & t->mask) {
		struct zone_node *n = t->slots[j].item;

		if (t->slots[j].hash == hash && n->namelen == len &&
		    memcmp(n->name, name, len) == 0) {
			return n;
		}
	}
	return NULL;
}

static struct zone *
zone_find(const struct zone_set *zs, const uint8_t *name, size_t len,
          uint32_t hash)
{
	const struct zone_table *t = &zs->zones;

	if (t->slots == NULL) {
		return NULL;
	}
	for (size_t j = hash & t->mask; t->slots[j].item != NULL;
	     j = (j + 1) & t->mask) {
		struct zone *z = t->slots[j].item;

		if (t->slots[j].hash == hash && z->originlen == len &&
		    memcmp(z->origin, name, len) == 0) {
			return z;
		}
	}
	return NULL;
}

/* Arena: everything a zone holds lives in a few big blocks. */

void *
zone_arena_alloc(struct zone_arena *a, size_t n)
{
	struct zone_chunk *c = a->chunks;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > ZONE_CHUNK ? n : ZONE_CHUNK;

		/* Small zones stay small; big ones grow in huge pages. */
		if (a->nchunks >= 4 && sizeof(*c) + n <= ZONE_BIG_CHUNK) {
			cap = ZONE_BIG_CHUNK - sizeof(*c);
			c = aligned_alloc(ZONE_HUGE, ZONE_BIG_CHUNK);
			if (c != NULL) {
				zone_hint_huge(c, ZONE_BIG_CHUNK);
			}
		} else {
			c = malloc(sizeof(*c) + cap);
		}
		if (c == NULL) {
			return NULL;
		}
		a->nchunks++;
		c->cap = cap;
		c->used = 0;
		c->next = a->chunks;
		a->chunks = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

void
zone_arena_clear(struct zone_arena *a)
{
	struct zone_chunk *c, *next;

	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	a->chunks = NULL;
	a->nchunks = 0;
}

/* A zone and its store, in one block. */
struct zone_block {
	struct zone zone;
	struct zone_store store;
};

struct zone *
zone_new(void)
{
	struct zone_block *b = calloc(1, sizeof(*b));

	if (b == NULL) {
		return NULL;
	}
	b->zone.store = &b->store;
	atomic_init(&b->store.refs, 1);
	return &b->zone;
}

void
zone_unref(struct zone *z)
{
	if (z == NULL || atomic_fetch_sub(&z->store->refs, 1) != 1) {
		return;
	}
	zone_arena_clear(&z->store->arena);
	zone_table_clear(&z->store->nodes);
	free(z); /* the block starts with the zone */
}

struct zone_set *
zone_set_new(void)
{
	return calloc(1, sizeof(struct zone_set));
}

void
zone_set_free(struct zone_set *zs)
{
	if (zs == NULL) {
		return;
	}
	for (size_t i = 0; i < zs->nlist; i++) {
		zone_unref(zs->list[i]);
	}
	zone_table_clear(&zs->zones);
	free(zs->list);
	free(zs);
}

size_t
zone_set_own_records(const struct zone_set *zs)
{
	size_t n = 0;

	for (size_t i = 0; i < zs->nlist; i++) {
		if (atomic_load(&zs->list[i]->store->refs) == 1) {
			n += zs->list[i]->records;
		}
	}
	return n;
}

size_t
zone_set_zone_count(const struct zone_set *zs)
{
	return zs->nlist;
}

const struct zone *
zone_set_zone(const struct zone_set *zs, size_t i)
{
	return i < zs->nlist ? zs->list[i] : NULL;
}

size_t
zone_set_record_count(const struct zone_set *zs)
{
	return zs->records;
}

int
zone_set_add(struct zone_set *zs, struct zone *z, char *err, size_t errlen)
{
	uint32_t h = wire_name_hash(z->origin, z->originlen);
	struct zone **nl;

	if (zone_find(zs, z->origin, z->originlen, h) != NULL) {
		char name[1024];

		wire_name_to_str(z->origin, name, sizeof(name));
		snprintf(err, errlen, "%s: zone %s is loaded twice", z->file,
		         name);
		return -EEXIST;
	}
	nl = realloc(zs->list, (zs->nlist + 1) * sizeof(*nl));
	if (nl == NULL || zone_table_insert(&zs->zones, h, z) != 0) {
		if (nl != NULL) {
			zs->list = nl;
		}
		snprintf(err, errlen, "%s: out of memory", z->file);
		return -ENOMEM;
	}
	zs->list = nl;
	zs->list[zs->nlist++] = z;
	zs->records += z->records;
	if (zs->nlist == 1 || z->labels < zs->min_labels) {
		zs->min_labels = z->labels;
	}
	if (z->labels > zs->max_labels) {
		zs->max_labels = z->labels;
	}
	return 0;
}

/* Lookups: the query path.  No allocation, no recursion. */

const struct zone_rrset *
zone_node_rrset(const struct zone_node *node, uint16_t type)
{
	return zone_rrset_find(node, type);
}

/* Offsets of each label of NAME; returns the label count (root excluded). */
static unsigned
name_label_offsets(const uint8_t *name, uint8_t *offs)
{
	unsigned c = 0;

	for (size_t n = 0; name[n] != 0; n += 1 + (size_t)name[n]) {
		offs[c++] = (uint8_t)n;
	}
	return c;
}

void
zone_lookup_in(const struct zone *z, const struct zone_set *zs,
               const uint8_t *name, size_t len, uint16_t qtype,
               struct zone_lookup *out)
{
	uint8_t offs[WIRE_LABELS_MAX];
	unsigned nl, zl = z->labels;
	const struct zone_node *n, *ce = NULL;

	out->zone = z;
	out->node = NULL;
	(void)zs;
	n = zone_node_find(z, name, len, wire_name_hash(name, len));
	if (n != NULL) {
		if (n->dname != NULL) {
			out->match = ZONE_MATCH_DNAME;
			out->node = n->dname;
		} else if (n->cut != NULL && !(n->cut == n && qtype == WIRE_TYPE_DS)) {
			out->match = ZONE_MATCH_CUT;
			out->node = n->cut;
		} else {
			out->match = ZONE_MATCH_EXACT;
			out->node = n;
		}
		return;
	}

	/* Closest encloser: chop labels until a node exists (RFC 4592 3.3.1). */
	nl = name_label_offsets(name, offs);
	for (unsigned i = 1; i + zl <= nl; i++) {
		size_t off = i < nl ? offs[i] : len - 1; /* the root: "" */

		ce = zone_node_find(z, name + off, len - off,
		                    wire_name_hash(name + off, len - off));
		if (ce != NULL) {
			break;
		}
	}
	if (ce == NULL) {
		ce = z->apex;
	}
	if (ce->dname != NULL || zone_node_rrset(ce, WIRE_TYPE_DNAME) != NULL) {
		out->match = ZONE_MATCH_DNAME;
		out->node = ce->dname != NULL ? ce->dname : ce;
		return;
	}
	if (ce->cut != NULL) {
		out->match = ZONE_MATCH_CUT;
		out->node = ce->cut;
		return;
	}
	if (ce->wildcard_child) {
		uint8_t wild[WIRE_NAME_MAX + 2];
		size_t wl = 2 + ce->namelen;

		if (wl <= WIRE_NAME_MAX) {
			wild[0] = 1;
			wild[1] = '*';
			memcpy(wild + 2, ce->name, ce->namelen);
			n = zone_node_find(z, wild, wl,
			                   wire_name_hash(wild, wl));
			if (n != NULL) {
				out->match = ZONE_MATCH_WILDCARD;
				out->node = n;
				return;
			}
		}
	}
	out->match = ZONE_MATCH_NXDOMAIN;
}

void
zone_lookup(const struct zone_set *zs, const uint8_t *name, size_t len,
            uint16_t qtype, struct zone_lookup *out)
{
	uint8_t offs[WIRE_LABELS_MAX];
	unsigned nl;

	out->match = ZONE_MATCH_NONE;
	out->zone = NULL;
	out->node = NULL;
	if (zs == NULL || zs->nlist == 0) {
		return;
	}
	/*
	 * The longest origin that is a suffix of NAME wins, except for DS at
	 * a zone's apex: that RRset is the parent's (RFC 4035 3.1.4.1), so
	 * the next zone up answers it when this process serves one, as Knot
	 * and NSD do.
	 */
	nl = name_label_offsets(name, offs);
	for (unsigned i = 0; i <= nl; i++) {
		unsigned labels = nl - i;
		size_t off = i < nl ? offs[i] : len - 1;
		const struct zone *z;

		if (labels > zs->max_labels) {
			continue;
		}
		if (labels < zs->min_labels) {
			break;
		}
		z = zone_find(zs, name + off, len - off,
		              wire_name_hash(name + off, len - off));
		if (z == NULL) {
			continue;
		}
		zone_lookup_in(z, zs, name, len, qtype, out);
		if (!(qtype == WIRE_TYPE_DS && off == 0)) {
			return;
		}
	}
}
