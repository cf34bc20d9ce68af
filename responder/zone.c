/*
 * responder/zone.c -- zone data: build node tables from records, look names up.
 *
 * Reading master files is zonefile.c's job; this file turns the records it
 * yields into nodes (one per owner name, empty non-terminals included),
 * marks delegations and DNAMEs, has answer.c compile every answer, and
 * answers "what covers this name" with two hash lookups.
 */
#include "zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "answer.h"
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

static int
table_resize(struct zone_table *t, size_t ncap)
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
table_grow(struct zone_table *t)
{
	return table_resize(t, t->mask ? (t->mask + 1) * 2 : 1024);
}

/* Room for N more items at once: one rehash, not one per doubling. */
static int
table_reserve(struct zone_table *t, size_t n)
{
	size_t cap = t->mask ? t->mask + 1 : 0;
	size_t ncap = cap ? cap : 1024;

	while ((t->count + n + 1) * 2 > ncap) {
		ncap *= 2;
	}
	return ncap == cap ? 0 : table_resize(t, ncap);
}

static int
table_insert(struct zone_table *t, uint32_t hash, void *item)
{
	size_t j;

	if ((t->count + 1) * 2 > (t->mask ? t->mask + 1 : 0)) {
		int rc = table_grow(t);

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
table_clear(struct zone_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

struct zone_node *
zone_node_find(const struct zone_set *zs, const struct zone *z,
               const uint8_t *name, size_t len, uint32_t hash)
{
	const struct zone_table *t = &zs->nodes;

	if (t->slots == NULL) {
		return NULL;
	}
	for (size_t j = hash & t->mask; t->slots[j].item != NULL;
	     j = (j + 1) & t->mask) {
		struct zone_node *n = t->slots[j].item;

		if (t->slots[j].hash == hash && n->zone == z &&
		    n->namelen == len && memcmp(n->name, name, len) == 0) {
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

/* Arena: everything a set holds lives in a few big blocks. */

void *
zone_arena_alloc(struct zone_set *zs, size_t n)
{
	struct zone_chunk *c = zs->chunks;

	n = (n + 7) & ~(size_t)7;
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > ZONE_CHUNK ? n : ZONE_CHUNK;

		/* Small sets stay small; big ones grow in huge pages. */
		if (zs->nchunks >= 4 && sizeof(*c) + n <= ZONE_BIG_CHUNK) {
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
		zs->nchunks++;
		c->cap = cap;
		c->used = 0;
		c->next = zs->chunks;
		zs->chunks = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

struct zone_set *
zone_set_new(void)
{
	return calloc(1, sizeof(struct zone_set));
}

void
zone_set_free(struct zone_set *zs)
{
	struct zone_chunk *c, *next;

	if (zs == NULL) {
		return;
	}
	for (c = zs->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	table_clear(&zs->nodes);
	table_clear(&zs->zones);
	free(zs->list);
	free(zs);
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

/* Building a zone from the records zonefile.c collected. */

#define ZONE_AHEAD 8 /* records hashed ahead of the one placed */

static struct zone_node *
node_get_hashed(struct zone_set *zs, struct zone *z, const uint8_t *name,
                size_t len, uint32_t h, bool *created)
{
	struct zone_node *n = zone_node_find(zs, z, name, len, h);

	*created = false;
	if (n != NULL) {
		return n;
	}
	n = zone_arena_alloc(zs, sizeof(*n) + len);
	if (n == NULL) {
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->name = (uint8_t *)(n + 1);
	memcpy(n->name, name, len);
	n->namelen = (uint8_t)len;
	n->zone = z;
	if (table_insert(&zs->nodes, h, n) != 0) {
		return NULL;
	}
	*created = true;
	return n;
}

static struct zone_node *
node_get(struct zone_set *zs, struct zone *z, const uint8_t *name, size_t len,
         bool *created)
{
	return node_get_hashed(zs, z, name, len, wire_name_hash(name, len),
	                       created);
}

/* Records of one node: by type, length and data, which puts twins together. */
static int
rec_cmp(const struct zone_rec *x, const struct zone_rec *y)
{
	if (x->type != y->type) {
		return x->type < y->type ? -1 : 1;
	}
	if (x->rdlen != y->rdlen) {
		return x->rdlen < y->rdlen ? -1 : 1;
	}
	return memcmp(x->rdata, y->rdata, x->rdlen);
}

/* For qsort(): records in an array, twins in the order of the array. */
static int
rec_ptr_cmp(const void *a, const void *b)
{
	const struct zone_rec *x = *(const struct zone_rec *const *)a;
	const struct zone_rec *y = *(const struct zone_rec *const *)b;
	int c = rec_cmp(x, y);

	if (c != 0 || x == y) {
		return c;
	}
	return x < y ? -1 : 1;
}

/* Sort the N records at R (pointers into one array) as rec_ptr_cmp(). */
static void
recs_sort(const struct zone_rec **r, size_t n)
{
	if (n > 16) {
		qsort(r, n, sizeof(*r), rec_ptr_cmp);
		return;
	}
	for (size_t i = 1; i < n; i++) {
		const struct zone_rec *x = r[i];
		size_t j = i;

		for (; j > 0 && rec_ptr_cmp(&r[j - 1], &x) > 0; j--) {
			r[j] = r[j - 1];
		}
		r[j] = x;
	}
}

/*
 * Give node N its RRsets from its N_RECS records R, sorted by recs_sort():
 * one RRset a type, twins dropped.
 */
static int
node_rrsets_build(struct zone_set *zs, struct zone *z, struct zone_node *n,
                  const struct zone_rec **r, size_t nr, char *err,
                  size_t errlen)
{
	size_t ntypes = 0, k, m;

	for (k = 0; k < nr; k++) {
		if (k == 0 || r[k]->type != r[k - 1]->type) {
			ntypes++;
		}
	}
	n->rrsets = zone_arena_alloc(zs, ntypes * sizeof(*n->rrsets));
	if (n->rrsets == NULL) {
		return -ENOMEM;
	}
	n->nrrsets = (uint16_t)ntypes;
	for (k = 0, ntypes = 0; k < nr; k = m) {
		struct zone_rrset *rs = &n->rrsets[ntypes++];
		size_t bytes = 0, count = 0;
		uint8_t *p;

		memset(rs, 0, sizeof(*rs));
		rs->type = r[k]->type;
		rs->ttl = r[k]->ttl;
		for (m = k; m < nr && r[m]->type == rs->type; m++) {
			if (m > k && rec_cmp(r[m], r[m - 1]) == 0) {
				continue;
			}
			bytes += 6 + r[m]->rdlen;
			count++;
		}
		if (count > UINT16_MAX) {
			snprintf(err, errlen,
			         "%s: too many records at one name", z->file);
			return -E2BIG;
		}
		rs->rdata = zone_arena_alloc(zs, bytes ? bytes : 1);
		if (rs->rdata == NULL) {
			return -ENOMEM;
		}
		p = rs->rdata;
		for (m = k; m < nr && r[m]->type == rs->type; m++) {
			if (m > k && rec_cmp(r[m], r[m - 1]) == 0) {
				continue;
			}
			wire_put32(p, r[m]->ttl);
			wire_put16(p + 4, r[m]->rdlen);
			memcpy(p + 6, r[m]->rdata, r[m]->rdlen);
			p += 6 + r[m]->rdlen;
		}
		rs->count = (uint16_t)count;
		rs->rdlen = (uint32_t)bytes;
		z->records += count;
	}
	return 0;
}

/*
 * Whether the records of each node come together, the nodes in the order
 * they were made: so they do when a zone file lists the records of a name
 * at once (one name a line for big zones).
 */
static bool
recs_grouped(const struct zone_rec *recs, size_t nrecs)
{
	for (size_t i = 1; i < nrecs; i++) {
		if (recs[i].node->build_index < recs[i - 1].node->build_index) {
			return false;
		}
	}
	return true;
}

/* RRsets for records grouped by node (recs_grouped()): run by run. */
static int
zone_rrsets_runs(struct zone_set *zs, struct zone *z,
                 const struct zone_rec *recs, size_t nrecs, char *err,
                 size_t errlen)
{
	const struct zone_rec **run = NULL;
	size_t cap = 0, j;
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < nrecs; i = j) {
		j = i + 1;
		while (j < nrecs && recs[j].node == recs[i].node) {
			j++;
		}
		if (j - i > cap) {
			const struct zone_rec **nr =
				realloc(run, (j - i) * sizeof(*nr));

			if (nr == NULL) {
				rc = -ENOMEM;
				break;
			}
			run = nr;
			cap = j - i;
		}
		for (size_t k = i; k < j; k++) {
			run[k - i] = &recs[k];
		}
		recs_sort(run, j - i);
		rc = node_rrsets_build(zs, z, recs[i].node, run, j - i, err,
		                       errlen);
	}
	free(run);
	return rc;
}

/*
 * Hand the records RECS[0..NRECS), each with its node, to their NODES[0..N)
 * (node->build_index is the position there).  Records that come grouped
 * by node go as they are; others through a counting sort by node, which
 * keeps the file order within each node, in linear time.
 */
static int
zone_rrsets_build(struct zone_set *zs, struct zone *z, struct zone_node **nodes,
                  size_t nnodes, const struct zone_rec *recs, size_t nrecs,
                  char *err, size_t errlen)
{
	size_t *start = NULL;
	const struct zone_rec **by_node = NULL;
	int rc = -ENOMEM;

	if (recs_grouped(recs, nrecs)) {
		return zone_rrsets_runs(zs, z, recs, nrecs, err, errlen);
	}
	start = calloc(nnodes + 1, sizeof(*start));
	by_node = malloc((nrecs ? nrecs : 1) * sizeof(*by_node));
	if (start == NULL || by_node == NULL) {
		goto out;
	}
	for (size_t i = 0; i < nrecs; i++) {
		start[recs[i].node->build_index + 1]++;
	}
	for (size_t k = 1; k <= nnodes; k++) {
		start[k] += start[k - 1];
	}
	/* START[k] moves to the end of node k's records, that of k + 1. */
	for (size_t i = 0; i < nrecs; i++) {
		by_node[start[recs[i].node->build_index]++] = &recs[i];
	}
	rc = 0;
	for (size_t k = 0, b = 0; rc == 0 && k < nnodes; b = start[k++]) {
		if (start[k] > b) {
			recs_sort(by_node + b, start[k] - b);
			rc = node_rrsets_build(zs, z, nodes[k], by_node + b,
			                       start[k] - b, err, errlen);
		}
	}
out:
	free(start);
	free(by_node);
	return rc;
}

/* Sort NODES by label count, parents before children: a counting sort
 * (labels are fewer than WIRE_LABELS_MAX), stable, in linear time. */
static int
nodes_sort_by_depth(struct zone_node **nodes, size_t n)
{
	size_t start[WIRE_LABELS_MAX + 1] = {0};
	uint8_t *depth = malloc(n ? n : 1);
	struct zone_node **out = malloc((n ? n : 1) * sizeof(*out));

	if (depth == NULL || out == NULL) {
		free(depth);
		free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned d = wire_name_labels(nodes[i]->name);

		depth[i] = (uint8_t)(d < WIRE_LABELS_MAX ? d : WIRE_LABELS_MAX - 1);
		start[depth[i] + 1]++;
	}
	for (size_t d = 1; d <= WIRE_LABELS_MAX; d++) {
		start[d] += start[d - 1];
	}
	for (size_t i = 0; i < n; i++) {
		out[start[depth[i]]++] = nodes[i];
	}
	memcpy(nodes, out, n * sizeof(*nodes));
	free(depth);
	free(out);
	return 0;
}

/*
 * Link every node to its parent, creating empty non-terminals.  Siblings
 * come in runs (a zone file lists the names of one parent together), so
 * the last parent found is tried first.
 */
static int
zone_link_parents(struct zone_set *zs, struct zone *z,
                  struct zone_node ***nodes, size_t *nnodes, size_t *capnodes)
{
	struct zone_node *last = NULL;

	for (size_t i = 0; i < *nnodes; i++) {
		struct zone_node *n = (*nodes)[i];

		while (n != z->apex && n->parent == NULL) {
			const uint8_t *pname = n->name + 1 + n->name[0];
			size_t plen = n->namelen - 1 - (size_t)n->name[0];
			bool created = false;
			struct zone_node *p = last;

			if (p == NULL || p->namelen != plen ||
			    memcmp(p->name, pname, plen) != 0) {
				p = node_get(zs, z, pname, plen, &created);
				last = p;
			}
			if (p == NULL) {
				return -ENOMEM;
			}
			n->parent = p;
			if (n->name[0] == 1 && n->name[1] == '*') {
				p->wildcard_child = true;
			}
			if (!created) {
				break;
			}
			if (*nnodes == *capnodes) {
				size_t nc = *capnodes * 2;
				struct zone_node **nn =
					realloc(*nodes, nc * sizeof(*nn));

				if (nn == NULL) {
					return -ENOMEM;
				}
				*nodes = nn;
				*capnodes = nc;
			}
			p->build_index = (uint32_t)*nnodes;
			(*nodes)[(*nnodes)++] = p;
			n = p;
		}
	}
	return 0;
}

int
zone_build(struct zone_set *zs, struct zone *z, struct zone_rec *recs,
           size_t nrecs, zone_release_fn release, void *arg, char *err,
           size_t errlen)
{
	struct zone_node **nodes = NULL;
	size_t nnodes = 0, capnodes = 64, i;
	uint32_t ahead[ZONE_AHEAD];
	int rc = -ENOMEM;
	bool created;

	z->apex = node_get(zs, z, z->origin, z->originlen, &created);
	nodes = malloc(capnodes * sizeof(*nodes));
	if (z->apex == NULL || nodes == NULL) {
		goto fail;
	}
	z->apex->build_index = 0;
	nodes[nnodes++] = z->apex;
	(void)table_reserve(&zs->nodes, nrecs); /* failing is harmless */
	/*
	 * The owners of big zones are mostly new names, each a cache miss in
	 * a big table: hash ZONE_AHEAD records ahead and prefetch their slot.
	 */
	for (i = 0; i < nrecs && i < ZONE_AHEAD; i++) {
		ahead[i] = wire_name_hash(recs[i].owner, recs[i].ownerlen);
	}
	for (i = 0; i < nrecs; i++) {
		uint32_t h = ahead[i % ZONE_AHEAD];
		struct zone_node *n;

		if (i + ZONE_AHEAD < nrecs) {
			const struct zone_rec *r = &recs[i + ZONE_AHEAD];
			uint32_t nh = wire_name_hash(r->owner, r->ownerlen);
			const struct zone_table *t = &zs->nodes;

			ahead[i % ZONE_AHEAD] = nh;
			__builtin_prefetch(&t->slots[nh & t->mask]);
		}
		n = node_get_hashed(zs, z, recs[i].owner, recs[i].ownerlen, h,
		                    &created);
		if (n == NULL) {
			goto fail;
		}
		recs[i].node = n;
		if (created) {
			n->build_index = (uint32_t)nnodes;
			if (nnodes == capnodes) {
				struct zone_node **nn;

				capnodes *= 2;
				nn = realloc(nodes, capnodes * sizeof(*nn));
				if (nn == NULL) {
					goto fail;
				}
				nodes = nn;
			}
			nodes[nnodes++] = n;
		}
	}

	/* Group records into RRsets: by node, type, data; drop twins. */
	rc = zone_rrsets_build(zs, z, nodes, nnodes, recs, nrecs, err, errlen);
	if (rc != 0) {
		goto fail;
	}
	if (release != NULL) {
		release(arg);
	}

	rc = zone_link_parents(zs, z, &nodes, &nnodes, &capnodes);
	if (rc != 0) {
		goto fail;
	}

	/* Parents before children: inherit the topmost cut and DNAME. */
	rc = nodes_sort_by_depth(nodes, nnodes);
	if (rc != 0) {
		goto fail;
	}
	for (i = 0; i < nnodes; i++) {
		struct zone_node *n = nodes[i];
		const struct zone_node *p = n->parent;

		if (p != NULL) {
			n->dname = p->dname;
			if (n->dname == NULL &&
			    zone_node_rrset(p, WIRE_TYPE_DNAME) != NULL) {
				n->dname = p;
			}
			n->cut = p->cut;
		}
		if (n->cut == NULL && n != z->apex &&
		    zone_node_rrset(n, WIRE_TYPE_NS) != NULL) {
			n->cut = n;
		}
	}

	rc = answer_compile_zone(zs, z, nodes, nnodes, err, errlen);
	free(nodes);
	return rc;
fail:
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "%s: out of memory", z->file);
	}
	free(nodes);
	return rc;
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
	if (nl == NULL || table_insert(&zs->zones, h, z) != 0) {
		if (nl != NULL) {
			zs->list = nl;
		}
		snprintf(err, errlen, "%s: out of memory", z->file);
		return -ENOMEM;
	}
	zs->list = nl;
	zs->list[zs->nlist++] = z;
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
	n = zone_node_find(zs, z, name, len, wire_name_hash(name, len));
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

		ce = zone_node_find(zs, z, name + off, len - off,
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
			n = zone_node_find(zs, z, wild, wl,
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
	/* The longest origin that is a suffix of NAME wins. */
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
		if (z != NULL) {
			zone_lookup_in(z, zs, name, len, qtype, out);
			return;
		}
	}
}
