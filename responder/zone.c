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

#include "answer.h"
#include "zone_int.h"

/* Hash tables: open addressing, linear probing, at most half full. */

static int
table_resize(struct zone_table *t, size_t ncap)
{
	struct zone_slot *ns = calloc(ncap, sizeof(*ns));

	if (ns == NULL) {
		return -ENOMEM;
	}
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

		c = malloc(sizeof(*c) + cap);
		if (c == NULL) {
			return NULL;
		}
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

static struct zone_node *
node_get(struct zone_set *zs, struct zone *z, const uint8_t *name, size_t len,
         bool *created)
{
	uint32_t h = wire_name_hash(name, len);
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

static int
rec_cmp(const void *a, const void *b)
{
	const struct zone_rec *x = a, *y = b;

	if (x->node != y->node) {
		return x->node < y->node ? -1 : 1;
	}
	if (x->type != y->type) {
		return x->type < y->type ? -1 : 1;
	}
	if (x->rdlen != y->rdlen) {
		return x->rdlen < y->rdlen ? -1 : 1;
	}
	return memcmp(x->rdata, y->rdata, x->rdlen);
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

/* Link every node to its parent, creating empty non-terminals. */
static int
zone_link_parents(struct zone_set *zs, struct zone *z,
                  struct zone_node ***nodes, size_t *nnodes, size_t *capnodes)
{
	for (size_t i = 0; i < *nnodes; i++) {
		struct zone_node *n = (*nodes)[i];

		while (n != z->apex && n->parent == NULL) {
			const uint8_t *pname = n->name + 1 + n->name[0];
			size_t plen = n->namelen - 1 - (size_t)n->name[0];
			bool created;
			struct zone_node *p = node_get(zs, z, pname, plen, &created);

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
			(*nodes)[(*nnodes)++] = p;
			n = p;
		}
	}
	return 0;
}

int
zone_build(struct zone_set *zs, struct zone *z, struct zone_rec *recs,
           size_t nrecs, char *err, size_t errlen)
{
	struct zone_node **nodes = NULL;
	size_t nnodes = 0, capnodes = 64, i, j;
	int rc = -ENOMEM;
	bool created;

	z->apex = node_get(zs, z, z->origin, z->originlen, &created);
	nodes = malloc(capnodes * sizeof(*nodes));
	if (z->apex == NULL || nodes == NULL) {
		goto fail;
	}
	nodes[nnodes++] = z->apex;
	(void)table_reserve(&zs->nodes, nrecs); /* failing is harmless */
	for (i = 0; i < nrecs; i++) {
		struct zone_node *n =
			node_get(zs, z, recs[i].owner, recs[i].ownerlen,
			         &created);

		if (n == NULL) {
			goto fail;
		}
		recs[i].node = n;
		if (created) {
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

	/* Group records into RRsets: sort by node, type, data; drop twins. */
	qsort(recs, nrecs, sizeof(*recs), rec_cmp);
	for (i = 0; i < nrecs; i = j) {
		struct zone_node *n = recs[i].node;
		size_t ntypes = 0, k;

		for (j = i; j < nrecs && recs[j].node == n; j++) {
			if (j == i || recs[j].type != recs[j - 1].type) {
				ntypes++;
			}
		}
		n->rrsets = zone_arena_alloc(zs, ntypes * sizeof(*n->rrsets));
		if (n->rrsets == NULL) {
			goto fail;
		}
		n->nrrsets = (uint16_t)ntypes;
		for (k = i, ntypes = 0; k < j;) {
			struct zone_rrset *rs = &n->rrsets[ntypes++];
			size_t m, bytes = 0, count = 0;
			uint8_t *p;

			memset(rs, 0, sizeof(*rs));
			rs->type = recs[k].type;
			rs->ttl = recs[k].ttl;
			for (m = k; m < j && recs[m].type == rs->type; m++) {
				if (m > k && rec_cmp(&recs[m], &recs[m - 1]) == 0) {
					continue;
				}
				bytes += 6 + recs[m].rdlen;
				count++;
			}
			if (count > UINT16_MAX) {
				snprintf(err, errlen, "%s: too many records at one name",
				         z->file);
				rc = -E2BIG;
				goto fail;
			}
			rs->rdata = zone_arena_alloc(zs, bytes ? bytes : 1);
			if (rs->rdata == NULL) {
				goto fail;
			}
			p = rs->rdata;
			for (m = k; m < j && recs[m].type == rs->type; m++) {
				if (m > k && rec_cmp(&recs[m], &recs[m - 1]) == 0) {
					continue;
				}
				wire_put32(p, recs[m].ttl);
				wire_put16(p + 4, recs[m].rdlen);
				memcpy(p + 6, recs[m].rdata, recs[m].rdlen);
				p += 6 + recs[m].rdlen;
			}
			rs->count = (uint16_t)count;
			rs->rdlen = (uint32_t)bytes;
			z->records += count;
			k = m;
		}
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
