/*
 * responder/zonefile_edit.c -- records added and removed at run time (the
 * management API): parsing them, applying them to a zone's records, and
 * the list of edits that makes them survive reloads.
 *
 * A change is applied to the records of the zones it touches, taken from
 * the serving set (zone_set_change()): no file is read, and zones it does
 * not touch are shared with the new set as they are.  The API also keeps
 * the difference between the served records and the zone files as a list
 * of edits, which a reload applies to the files it reads.  That list is
 * kept as short as the difference: an add and its delete leave nothing, a
 * delete of records only the API added leaves nothing, a delete of file
 * records stays as one edit.
 */
#include "zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zone_int.h"
#include "zonefile_int.h"

#define ZF_NONE UINT32_MAX

enum zf_edit_kind {
	ZF_EDIT_ADD,
	ZF_EDIT_DEL_RR,   /* that record, data compared */
	ZF_EDIT_DEL_TYPE, /* every record of a type (0: of every type) */
};

struct zone_edit {
	enum zf_edit_kind kind;
	struct zone_rec rec; /* owner and rdata point into MEM */
	uint8_t *mem;
};

struct zone_edits {
	struct zone_edit *v;
	size_t n;
	size_t cap;
};

struct zone_edits *
zone_edits_new(void)
{
	return calloc(1, sizeof(struct zone_edits));
}

void
zone_edits_clear(struct zone_edits *ed)
{
	for (size_t i = 0; ed != NULL && i < ed->n; i++) {
		free(ed->v[i].mem);
	}
	if (ed != NULL) {
		ed->n = 0;
	}
}

void
zone_edits_free(struct zone_edits *ed)
{
	zone_edits_clear(ed);
	if (ed != NULL) {
		free(ed->v);
		free(ed);
	}
}

size_t
zone_edits_count(const struct zone_edits *ed)
{
	return ed != NULL ? ed->n : 0;
}

static int
zf_edit_push(struct zone_edits *ed, enum zf_edit_kind kind,
             const struct zone_rec *r, char *err, size_t errlen)
{
	struct zone_edit *e;

	if (ed->n == ed->cap) {
		size_t nc = ed->cap ? ed->cap * 2 : 16;
		struct zone_edit *nv = realloc(ed->v, nc * sizeof(*nv));

		if (nv == NULL) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		ed->v = nv;
		ed->cap = nc;
	}
	e = &ed->v[ed->n];
	e->kind = kind;
	e->rec = *r;
	e->mem = malloc((size_t)r->ownerlen + r->rdlen + 1);
	if (e->mem == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memcpy(e->mem, r->owner, r->ownerlen);
	if (r->rdlen > 0) {
		memcpy(e->mem + r->ownerlen, r->rdata, r->rdlen);
	}
	e->rec.owner = e->mem;
	e->rec.rdata = e->mem + r->ownerlen;
	e->rec.node = NULL;
	ed->n++;
	return 0;
}

/* Drop edit I of ED, keeping the order of the others. */
static void
zf_edit_drop(struct zone_edits *ed, size_t i)
{
	free(ed->v[i].mem);
	memmove(&ed->v[i], &ed->v[i + 1], (ed->n - i - 1) * sizeof(ed->v[0]));
	ed->n--;
}

struct zone_edits *
zone_edits_copy(const struct zone_edits *ed)
{
	struct zone_edits *c = zone_edits_new();
	char err[64];

	for (size_t i = 0; c != NULL && ed != NULL && i < ed->n; i++) {
		if (zf_edit_push(c, ed->v[i].kind, &ed->v[i].rec, err,
		                 sizeof(err)) != 0) {
			zone_edits_free(c);
			c = NULL;
		}
	}
	return c;
}

/* Parse one record line as the API gives it (owner absolute). */
static int
zf_edit_parse(const char *text, struct zone_rec *out, struct zf_ctx *c)
{
	ldns_rdf *origin = ldns_dname_new_frm_str(".");
	ldns_rdf *prev = NULL;
	int rc;

	c->scratch = calloc(1, sizeof(*c->scratch));
	if (origin == NULL || c->scratch == NULL) {
		ldns_rdf_deep_free(origin);
		return zf_error(c, NULL, 0, "out of memory");
	}
	if (strchr(text, '\n') != NULL) {
		rc = zf_error(c, NULL, 0, "one record, one line");
	} else {
		rc = zf_record(c, NULL, 0, text, 60, origin, &prev);
	}
	if (rc == 0 && c->recs[0].type == WIRE_TYPE_SOA) {
		rc = zf_error(c, NULL, 0, "SOA records come from zone files");
	}
	if (rc == 0) {
		*out = c->recs[0];
	}
	ldns_rdf_deep_free(prev);
	ldns_rdf_deep_free(origin);
	return rc;
}

/* Parse TEXT (one record in master-file form) and queue it as KIND. */
static int
zf_edit_text(struct zone_edits *ed, const char *text, enum zf_edit_kind kind,
             char *err, size_t errlen)
{
	struct zf_ctx c = {.err = err, .errlen = errlen};
	struct zone_rec r;
	int rc = zf_edit_parse(text, &r, &c);

	if (rc == 0) {
		rc = zf_edit_push(ed, kind, &r, err, errlen);
	}
	zf_ctx_clear(&c);
	return rc;
}

int
zone_edits_add(struct zone_edits *ed, const char *text, char *err,
               size_t errlen)
{
	return zf_edit_text(ed, text, ZF_EDIT_ADD, err, errlen);
}

int
zone_edits_remove_rr(struct zone_edits *ed, const char *text, char *err,
                     size_t errlen)
{
	return zf_edit_text(ed, text, ZF_EDIT_DEL_RR, err, errlen);
}

int
zone_edits_remove(struct zone_edits *ed, const char *name, uint16_t type,
                  char *err, size_t errlen)
{
	ldns_rdf *d = NULL;
	struct zone_rec r;
	uint8_t owner[WIRE_NAME_MAX];

	if (ldns_str2rdf_dname(&d, name) != LDNS_STATUS_OK ||
	    ldns_rdf_size(d) > WIRE_NAME_MAX) {
		ldns_rdf_deep_free(d);
		snprintf(err, errlen, "bad name '%s'", name);
		return -EINVAL;
	}
	memset(&r, 0, sizeof(r));
	memcpy(owner, ldns_rdf_data(d), ldns_rdf_size(d));
	wire_name_lower(owner);
	r.owner = owner;
	r.ownerlen = (uint8_t)ldns_rdf_size(d);
	r.rdata = owner;
	r.type = type;
	ldns_rdf_deep_free(d);
	return zf_edit_push(ed, ZF_EDIT_DEL_TYPE, &r, err, errlen);
}

/* ------------------------------------------------ applying edits */

static bool
zf_same_owner(const struct zone_rec *a, const struct zone_rec *b)
{
	return a->ownerlen == b->ownerlen &&
	       memcmp(a->owner, b->owner, a->ownerlen) == 0;
}

/* The same record: owner, type and data (the TTL is not compared). */
static bool
zf_same_rec(const struct zone_rec *a, const struct zone_rec *b)
{
	return a->type == b->type && a->rdlen == b->rdlen &&
	       zf_same_owner(a, b) &&
	       memcmp(a->rdata, b->rdata, a->rdlen) == 0;
}

/* Whether the removal E takes the record R (live: type not 0). */
static bool
zf_edit_takes(const struct zone_edit *e, const struct zone_rec *r)
{
	if (r->type == 0 || r->type == WIRE_TYPE_SOA) {
		return false;
	}
	if (e->kind == ZF_EDIT_DEL_RR) {
		return zf_same_rec(&e->rec, r);
	}
	return zf_same_owner(&e->rec, r) &&
	       (e->rec.type == 0 || r->type == e->rec.type);
}

/*
 * The records of one zone by owner name, for edits that look a name up:
 * HEAD[hash & MASK] is the newest record with that hash, NEXT[i] the one
 * before record i.  Built the first time a zone is looked into.
 */
struct zf_index {
	uint32_t *head;
	uint32_t *next;
	size_t mask;
	size_t cap; /* of NEXT */
};

static void
zf_index_clear(struct zf_index *ix)
{
	free(ix->head);
	free(ix->next);
	memset(ix, 0, sizeof(*ix));
}

/* Enter record I of C; room in NEXT is made as C grows. */
static int
zf_index_put(struct zf_index *ix, const struct zf_ctx *c, size_t i)
{
	const struct zone_rec *r = &c->recs[i];
	size_t h;

	if (i >= ix->cap) {
		size_t nc = c->caprecs > i ? c->caprecs : i + 1;
		uint32_t *nn = realloc(ix->next, nc * sizeof(*nn));

		if (nn == NULL) {
			return -ENOMEM;
		}
		ix->next = nn;
		ix->cap = nc;
	}
	h = wire_name_hash(r->owner, r->ownerlen) & ix->mask;
	ix->next[i] = ix->head[h];
	ix->head[h] = (uint32_t)i;
	return 0;
}

static int
zf_index_build(struct zf_index *ix, const struct zf_ctx *c)
{
	size_t cap = 64;

	if (c->nrecs >= ZF_NONE) {
		return -E2BIG;
	}
	while (cap < c->nrecs * 2) {
		cap *= 2;
	}
	ix->head = malloc(cap * sizeof(*ix->head));
	if (ix->head == NULL) {
		return -ENOMEM;
	}
	memset(ix->head, 0xff, cap * sizeof(*ix->head)); /* ZF_NONE */
	ix->mask = cap - 1;
	for (size_t i = 0; i < c->nrecs; i++) {
		if (zf_index_put(ix, c, i) != 0) {
			return -ENOMEM;
		}
	}
	return 0;
}

static uint32_t
zf_index_first(const struct zf_index *ix, const struct zone_rec *r)
{
	return ix->head[wire_name_hash(r->owner, r->ownerlen) & ix->mask];
}

/* One zone being changed: its records, their index, what happened. */
struct zf_target {
	struct zf_ctx *c;
	struct zf_index ix;
	bool changed;
};

/* Whether T holds the record R (live). */
static bool
zf_target_has(const struct zf_target *t, const struct zone_rec *r)
{
	for (uint32_t i = zf_index_first(&t->ix, r); i != ZF_NONE;
	     i = t->ix.next[i]) {
		const struct zone_rec *x = &t->c->recs[i];

		if (x->type != 0 && zf_same_rec(x, r)) {
			return true;
		}
	}
	return false;
}

static int
zf_target_append(struct zf_target *t, const struct zone_rec *r)
{
	struct zf_ctx *c = t->c;

	if (c->nrecs == c->caprecs) {
		size_t nc = c->caprecs ? c->caprecs * 2 : 16;
		struct zone_rec *nr = realloc(c->recs, nc * sizeof(*nr));

		if (nr == NULL) {
			return -ENOMEM;
		}
		c->recs = nr;
		c->caprecs = nc;
	}
	c->recs[c->nrecs] = *r;
	c->recs[c->nrecs].node = NULL;
	c->recs[c->nrecs].line = 0;
	if (zf_index_put(&t->ix, c, c->nrecs) != 0) {
		return -ENOMEM;
	}
	c->nrecs++;
	t->changed = true;
	return 0;
}

/* The edit in ED of KIND for the same record as R, or -1. */
static long
zf_edits_find(const struct zone_edits *ed, enum zf_edit_kind kind,
              const struct zone_rec *r)
{
	for (size_t i = 0; ed != NULL && i < ed->n; i++) {
		if (ed->v[i].kind == kind && zf_same_rec(&ed->v[i].rec, r)) {
			return (long)i;
		}
	}
	return -1;
}

/* Whether a DEL_TYPE edit in ED takes R. */
static bool
zf_edits_type_takes(const struct zone_edits *ed, const struct zone_rec *r)
{
	for (size_t i = 0; ed != NULL && i < ed->n; i++) {
		if (ed->v[i].kind == ZF_EDIT_DEL_TYPE &&
		    zf_edit_takes(&ed->v[i], r)) {
			return true;
		}
	}
	return false;
}

/*
 * Add E's record to T unless it is there already.  ED (NULL on a reload)
 * keeps the difference from the files: an add that restores a file record
 * some DEL_RR took drops that edit instead of adding one.
 */
static int
zf_apply_add(struct zf_target *t, const struct zone_edit *e,
             struct zone_edits *ed, char *err, size_t errlen)
{
	long del;
	bool restored = false;

	if (zf_target_has(t, &e->rec)) {
		return 0; /* served already: no difference from before */
	}
	if (zf_target_append(t, &e->rec) != 0) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (ed == NULL) {
		return 0;
	}
	del = zf_edits_find(ed, ZF_EDIT_DEL_RR, &e->rec);
	if (del >= 0) {
		zf_edit_drop(ed, (size_t)del);
		restored = !zf_edits_type_takes(ed, &e->rec);
	}
	if (restored) {
		return 0;
	}
	return zf_edit_push(ed, ZF_EDIT_ADD, &e->rec, err, errlen);
}

/*
 * Remove what E takes from T, counting it in *REMOVED.  In ED, records the
 * API added leave with their adds; a removal of file records is kept as
 * one edit, and replaces the edits at that name it covers.
 */
static int
zf_apply_del(struct zf_target *t, const struct zone_edit *e,
             struct zone_edits *ed, size_t *removed, char *err,
             size_t errlen)
{
	struct zf_ctx *c = t->c;
	bool from_file = false;
	size_t n = 0;

	for (uint32_t i = zf_index_first(&t->ix, &e->rec); i != ZF_NONE;
	     i = t->ix.next[i]) {
		struct zone_rec *r = &c->recs[i];

		if (!zf_edit_takes(e, r)) {
			continue;
		}
		if (ed != NULL && zf_edits_find(ed, ZF_EDIT_ADD, r) < 0) {
			from_file = true;
		}
		r->type = 0;
		n++;
	}
	*removed += n;
	if (n == 0) {
		return 0;
	}
	t->changed = true;
	if (ed == NULL) {
		return 0;
	}
	for (size_t i = ed->n; i-- > 0;) {
		const struct zone_edit *x = &ed->v[i];
		bool covered;

		if (!zf_same_owner(&x->rec, &e->rec)) {
			continue;
		}
		if (e->kind == ZF_EDIT_DEL_RR) {
			covered = x->kind != ZF_EDIT_DEL_TYPE &&
			          zf_same_rec(&x->rec, &e->rec);
		} else {
			covered = e->rec.type == 0 ||
			          x->rec.type == e->rec.type;
		}
		if (covered) {
			from_file = from_file || x->kind != ZF_EDIT_ADD;
			zf_edit_drop(ed, i);
		}
	}
	return from_file ? zf_edit_push(ed, e->kind, &e->rec, err, errlen) : 0;
}

/*
 * The zone that holds OWNER: the longest SOA owner among CTX[0..N) that
 * OWNER is inside, or -1.
 */
static long
zf_zone_for(const struct zf_ctx *ctx, size_t n, const struct zone_rec *r)
{
	long best = -1;

	for (size_t i = 0; i < n; i++) {
		if (ctx[i].soa_owner != NULL &&
		    wire_name_is_subdomain(r->owner, ctx[i].soa_owner) &&
		    (best < 0 ||
		     ctx[i].soa_ownerlen > ctx[best].soa_ownerlen)) {
			best = (long)i;
		}
	}
	return best;
}

const uint8_t zone_api_soa[ZONE_API_SOA_LEN] =
	"\002ns\006caalab\007invalid\000"
	"\012hostmaster\006caalab\007invalid\000"
	"\000\000\000\001\000\000\016\020\000\000\002\130"
	"\000\001\121\200\000\000\000\000";

/*
 * Records added where no zone file reaches go to a zone of the root with
 * a made-up SOA, as pebble-challtestsrv answers for any name.
 */
static int
zf_root_zone(struct zf_ctx *c)
{
	struct zone_rec r = {0};

	r.owner = (const uint8_t *)"";
	r.ownerlen = 1;
	r.rdata = zone_api_soa;
	r.rdlen = ZONE_API_SOA_LEN;
	r.type = WIRE_TYPE_SOA;
	r.ttl = 0;
	c->file = ZF_API_FILE;
	c->soa_owner = r.owner;
	c->soa_ownerlen = 1;
	c->recs = malloc(16 * sizeof(*c->recs));
	if (c->recs == NULL) {
		return zf_error(c, NULL, 0, "out of memory");
	}
	c->caprecs = 16;
	c->recs[c->nrecs++] = r;
	return 0;
}

bool
zf_ctx_is_spent(const struct zf_ctx *c)
{
	if (c->file == NULL || strcmp(c->file, ZF_API_FILE) != 0) {
		return false;
	}
	for (size_t i = 0; i < c->nrecs; i++) {
		if (c->recs[i].type != 0 && c->recs[i].type != WIRE_TYPE_SOA) {
			return false;
		}
	}
	return true;
}

/*
 * What applying edits needs: the zones CTX[0..*N) (room for one more, the
 * root zone), one target each, and a callback that fills a zone's records
 * the first time an edit reaches it (NULL: they are filled already).
 */
struct zf_apply {
	struct zf_ctx *ctx;
	size_t *n;
	struct zf_target *t;
	int (*fill)(struct zf_apply *a, size_t i);
	const struct zone_set *base;
	bool *filled;
};

/* The target for E's owner, made ready; NULL with *RC 0 when none is. */
static struct zf_target *
zf_target_for(struct zf_apply *a, const struct zone_edit *e, int *rc)
{
	long z = zf_zone_for(a->ctx, *a->n, &e->rec);
	struct zf_target *t;

	*rc = 0;
	if (z < 0 && e->kind != ZF_EDIT_ADD) {
		return NULL;
	}
	if (z < 0) {
		*rc = zf_root_zone(&a->ctx[*a->n]);
		if (*rc != 0) {
			return NULL;
		}
		z = (long)(*a->n)++;
		if (a->filled != NULL) {
			a->filled[z] = true;
		}
	} else if (a->fill != NULL && !a->filled[z]) {
		*rc = a->fill(a, (size_t)z);
		if (*rc != 0) {
			return NULL;
		}
		a->filled[z] = true;
	}
	t = &a->t[z];
	t->c = &a->ctx[z];
	if (t->ix.head == NULL) {
		*rc = zf_index_build(&t->ix, t->c);
		if (*rc != 0) {
			zf_error(t->c, NULL, 0, "out of memory");
			return NULL;
		}
	}
	return t;
}

/* Apply E; ED and *REMOVED as for zf_apply_add() and zf_apply_del(). */
static int
zf_apply_one(struct zf_apply *a, const struct zone_edit *e,
             struct zone_edits *ed, size_t *removed)
{
	int rc;
	struct zf_target *t = zf_target_for(a, e, &rc);
	struct zf_ctx *c = a->ctx;

	if (t == NULL) {
		return rc;
	}
	if (e->kind == ZF_EDIT_ADD) {
		return zf_apply_add(t, e, ed, c->err, c->errlen);
	}
	return zf_apply_del(t, e, ed, removed, c->err, c->errlen);
}

static void
zf_apply_clear(struct zf_apply *a, size_t n)
{
	for (size_t i = 0; a->t != NULL && i < n; i++) {
		zf_index_clear(&a->t[i].ix);
	}
	free(a->t);
	free(a->filled);
}

int
zf_apply_edits(struct zf_ctx *ctx, size_t *n, const struct zone_edits *ed)
{
	struct zf_apply a = {ctx, n, NULL, NULL, NULL, NULL};
	size_t cap = *n + 1, removed = 0;
	int rc = 0;

	a.t = calloc(cap, sizeof(*a.t));
	if (a.t == NULL) {
		return zf_error(&ctx[0], NULL, 0, "out of memory");
	}
	for (size_t i = 0; rc == 0 && i < ed->n; i++) {
		rc = zf_apply_one(&a, &ed->v[i], NULL, &removed);
	}
	zf_apply_clear(&a, cap);
	return rc;
}

/* ------------------------------------------------ changes to a set */

/* Fill zone I's records from the built zone it is in A's base set. */
static int
zf_fill_from_zone(struct zf_apply *a, size_t i)
{
	const struct zone *z = zone_set_zone(a->base, i);
	struct zf_ctx *c = &a->ctx[i];
	const struct zone_store *st = z->store;

	c->caprecs = z->records + 16;
	c->recs = malloc(c->caprecs * sizeof(*c->recs));
	if (c->recs == NULL) {
		return zf_error(c, NULL, 0, "out of memory");
	}
	for (size_t k = 0; k < st->nlist; k++) {
		const struct zone_node *nd = st->list[k];

		for (uint16_t j = 0; j < nd->nrrsets; j++) {
			const struct zone_rrset *rs = &nd->rrsets[j];
			const uint8_t *p = rs->rdata;

			if (z->signed_here && zf_sign_made_type(rs->type)) {
				continue; /* signed again when built */
			}
			for (uint16_t m = 0; m < rs->count; m++) {
				struct zone_rec *r = &c->recs[c->nrecs++];

				memset(r, 0, sizeof(*r));
				r->owner = nd->name;
				r->ownerlen = nd->namelen;
				r->type = rs->type;
				r->ttl = wire_get32(p);
				r->rdlen = wire_get16(p + 4);
				r->rdata = p + 6;
				p += 6 + r->rdlen;
			}
		}
	}
	return 0;
}

int
zone_set_change(const struct zone_set *base,
                const struct zone_edits *const *ch, size_t n_ch,
                size_t *removed, struct zone_edits *ed, struct zone_set **out,
                char *err, size_t errlen)
{
	size_t nz = base->nlist, n = nz, cap = nz + 1;
	struct zf_ctx *ctx = calloc(cap, sizeof(*ctx));
	struct zf_apply a = {ctx, &n, NULL, zf_fill_from_zone, base, NULL};
	struct zone_set *zs = zone_set_new();
	bool changed = false;
	int rc = 0;

	*out = NULL;
	a.t = calloc(cap, sizeof(*a.t));
	a.filled = calloc(cap, sizeof(*a.filled));
	if (ctx == NULL || zs == NULL || a.t == NULL || a.filled == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < cap; i++) {
		ctx[i].err = err;
		ctx[i].errlen = errlen;
		if (i < nz) {
			const struct zone *z = zone_set_zone(base, i);

			ctx[i].soa_owner = z->origin;
			ctx[i].soa_ownerlen = z->originlen;
			ctx[i].file = z->file;
		}
	}
	for (size_t k = 0; rc == 0 && k < n_ch; k++) {
		removed[k] = 0;
		for (size_t i = 0; rc == 0 && i < ch[k]->n; i++) {
			rc = zf_apply_one(&a, &ch[k]->v[i], ed, &removed[k]);
		}
	}
	for (size_t i = 0; i < n; i++) {
		changed = changed || a.t[i].changed;
	}
	if (rc != 0 || !changed) {
		goto out;
	}
	/* Zones no change reached are shared with the base set. */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!a.t[i].changed && i < nz) {
			struct zone *z = base->list[i];

			atomic_fetch_add(&z->store->refs, 1);
			rc = zone_set_add(zs, z, err, errlen);
			if (rc != 0) {
				zone_unref(z);
			}
		} else if (!zf_ctx_is_spent(&ctx[i])) {
			rc = zf_build_zone(zs, &ctx[i]);
		}
	}
	if (rc == 0) {
		*out = zs;
		zs = NULL;
	}
out:
	zf_apply_clear(&a, cap);
	for (size_t i = 0; ctx != NULL && i < cap; i++) {
		zf_ctx_clear(&ctx[i]);
	}
	free(ctx);
	zone_set_free(zs); /* the rebuild thread trims the heap after frees */
	return rc;
}
