/*
 * responder/zonefile_edit.c -- records added and removed at run time (the
 * management API), kept as edits and applied to the records of the zone
 * files every time a set is built, so that they survive reloads.
 */
#include "zone.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "zone_int.h"
#include "zonefile_int.h"

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

/* Parse one record line as the API gives it (owner absolute). */
static int
zf_edit_parse(const char *text, struct zone_rec *out, struct zf_ctx *c)
{
	ldns_rdf *origin = ldns_dname_new_frm_str(".");
	ldns_rdf *prev = NULL;
	int rc;

	c->scratch = zone_set_new();
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
	int rc;

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
	rc = zf_edit_push(ed, ZF_EDIT_DEL_TYPE, &r, err, errlen);
	return rc;
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
		    (best < 0 || ctx[i].soa_ownerlen > ctx[best].soa_ownerlen)) {
			best = (long)i;
		}
	}
	return best;
}

/*
 * Records added where no zone file reaches go to a zone of the root with
 * a made-up SOA, as pebble-challtestsrv answers for any name.
 */
static int
zf_root_zone(struct zf_ctx *c)
{
	static const uint8_t soa[] =
		"\002ns\006caalab\007invalid\000"
		"\012hostmaster\006caalab\007invalid\000"
		"\000\000\000\001\000\000\016\020\000\000\002\130"
		"\000\001\121\200\000\000\000\000";
	struct zone_rec r = {0};

	r.owner = (const uint8_t *)"";
	r.ownerlen = 1;
	r.rdata = soa;
	r.rdlen = sizeof(soa) - 1;
	r.type = WIRE_TYPE_SOA;
	r.ttl = 0;
	c->file = "(records added over the API)";
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

int
zf_apply_edits(struct zf_ctx *ctx, size_t *n, const struct zone_edits *ed)
{
	for (size_t i = 0; i < ed->n; i++) {
		const struct zone_edit *e = &ed->v[i];
		long z = zf_zone_for(ctx, *n, &e->rec);
		struct zf_ctx *c;

		if (z < 0 && e->kind != ZF_EDIT_ADD) {
			continue;
		}
		if (z < 0) {
			int rc = zf_root_zone(&ctx[*n]);

			if (rc != 0) {
				return rc;
			}
			z = (long)(*n)++;
		}
		c = &ctx[z];
		if (e->kind == ZF_EDIT_ADD) {
			if (c->nrecs == c->caprecs) {
				size_t nc = c->caprecs ? c->caprecs * 2 : 16;
				struct zone_rec *nr =
					realloc(c->recs, nc * sizeof(*nr));

				if (nr == NULL) {
					return zf_error(c, NULL, 0, "out of memory");
				}
				c->recs = nr;
				c->caprecs = nc;
			}
			c->recs[c->nrecs++] = e->rec;
			continue;
		}
		for (size_t k = 0; k < c->nrecs; k++) {
			struct zone_rec *r = &c->recs[k];

			if (r->type == 0 || r->type == WIRE_TYPE_SOA ||
			    r->ownerlen != e->rec.ownerlen ||
			    memcmp(r->owner, e->rec.owner, r->ownerlen) != 0) {
				continue;
			}
			if (e->kind == ZF_EDIT_DEL_TYPE
			            ? (e->rec.type == 0 || r->type == e->rec.type)
			            : (r->type == e->rec.type &&
			               r->rdlen == e->rec.rdlen &&
			               memcmp(r->rdata, e->rec.rdata, r->rdlen) ==
			                       0)) {
				r->type = 0;
			}
		}
	}
	return 0;
}
