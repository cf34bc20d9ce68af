/*
 * responder/zone_build.c -- building a zone from the records zonefile.c
 * collected.
 *
 * Records become nodes (one per owner name, empty non-terminals included)
 * with their RRsets; delegations and DNAMEs are marked, and answer.c
 * compiles every answer.  The nodes go in the zone's table (zone.c).
 * Nothing here is static or shared: a zone is built in the rebuild thread
 * while the event loop answers from the zones it has.
 */
#include "zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answer.h"
#include "zone_int.h"

#define ZONE_AHEAD 8 /* records hashed ahead of the one placed */

static struct zone_node *
node_get_hashed(struct zone *z, const uint8_t *name, size_t len, uint32_t h,
                bool *created)
{
	struct zone_node *n = zone_node_find(z, name, len, h);

	*created = false;
	if (n != NULL) {
		return n;
	}
	n = zone_arena_alloc(&z->store->arena, sizeof(*n) + len);
	if (n == NULL) {
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->name = (uint8_t *)(n + 1);
	memcpy(n->name, name, len);
	n->namelen = (uint8_t)len;
	n->zone = z;
	if (zone_table_insert(&z->store->nodes, h, n) != 0) {
		return NULL;
	}
	*created = true;
	return n;
}

static struct zone_node *
node_get(struct zone *z, const uint8_t *name, size_t len, bool *created)
{
	return node_get_hashed(z, name, len, wire_name_hash(name, len),
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
node_rrsets_build(struct zone *z, struct zone_node *n,
                  const struct zone_rec **r, size_t nr, char *err,
                  size_t errlen)
{
	size_t ntypes = 0, k, m;

	for (k = 0; k < nr; k++) {
		if (k == 0 || r[k]->type != r[k - 1]->type) {
			ntypes++;
		}
	}
	n->rrsets = zone_arena_alloc(&z->store->arena,
	                             ntypes * sizeof(*n->rrsets));
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
		rs->rdata = zone_arena_alloc(&z->store->arena,
		                             bytes ? bytes : 1);
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
zone_rrsets_runs(struct zone *z, const struct zone_rec *recs, size_t nrecs,
                 char *err, size_t errlen)
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
		rc = node_rrsets_build(z, recs[i].node, run, j - i, err,
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
zone_rrsets_build(struct zone *z, struct zone_node **nodes, size_t nnodes,
                  const struct zone_rec *recs, size_t nrecs, char *err,
                  size_t errlen)
{
	size_t *start = NULL;
	const struct zone_rec **by_node = NULL;
	int rc = -ENOMEM;

	if (recs_grouped(recs, nrecs)) {
		return zone_rrsets_runs(z, recs, nrecs, err, errlen);
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
			rc = node_rrsets_build(z, nodes[k], by_node + b,
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
zone_link_parents(struct zone *z, struct zone_node ***nodes, size_t *nnodes,
                  size_t *capnodes)
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
				p = node_get(z, pname, plen, &created);
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
zone_build(struct zone *z, struct zone_rec *recs, size_t nrecs,
           zone_release_fn release, void *arg, char *err, size_t errlen)
{
	struct zone_node **nodes = NULL;
	size_t nnodes = 0, capnodes = 64, i;
	uint32_t ahead[ZONE_AHEAD];
	int rc = -ENOMEM;
	bool created;

	z->apex = node_get(z, z->origin, z->originlen, &created);
	nodes = malloc(capnodes * sizeof(*nodes));
	if (z->apex == NULL || nodes == NULL) {
		goto fail;
	}
	z->apex->build_index = 0;
	nodes[nnodes++] = z->apex;
	/* Failing is harmless. */
	(void)zone_table_reserve(&z->store->nodes, nrecs);
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
			const struct zone_table *t = &z->store->nodes;

			ahead[i % ZONE_AHEAD] = nh;
			__builtin_prefetch(&t->slots[nh & t->mask]);
		}
		n = node_get_hashed(z, recs[i].owner, recs[i].ownerlen, h,
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
	rc = zone_rrsets_build(z, nodes, nnodes, recs, nrecs, err, errlen);
	if (rc != 0) {
		goto fail;
	}
	if (release != NULL) {
		release(arg);
	}

	rc = zone_link_parents(z, &nodes, &nnodes, &capnodes);
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
			    zone_rrset_find(p, WIRE_TYPE_DNAME) != NULL) {
				n->dname = p;
			}
			n->cut = p->cut;
		}
		if (n->cut == NULL && n != z->apex &&
		    zone_rrset_find(n, WIRE_TYPE_NS) != NULL) {
			n->cut = n;
		}
	}

	rc = answer_compile_zone(z, nodes, nnodes, err, errlen);
	if (rc != 0) {
		goto fail;
	}
	/* The nodes stay listed: a change rebuilds the zone from them. */
	z->store->list = zone_arena_alloc(&z->store->arena,
	                                  nnodes * sizeof(*nodes));
	if (z->store->list == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	memcpy(z->store->list, nodes, nnodes * sizeof(*nodes));
	z->store->nlist = nnodes;
	free(nodes);
	return 0;
fail:
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "%s: out of memory", z->file);
	}
	free(nodes);
	return rc;
}
