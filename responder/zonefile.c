/*
 * responder/zonefile.c -- read RFC 1035 master files with ldns into zones.
 *
 * ldns splits the file into entries (parentheses joined, comments gone).
 * This file handles the directives itself ($ORIGIN, $TTL, $INCLUDE),
 * reads each file's entries, keeps a zone's records to its apex, and
 * builds the zones of a load; each record entry is read by
 * zonefile_record.c, which takes every CAA presentation form and RFC 3597
 * generic RDATA as they stand: broken records are what a test server must
 * be able to serve.  Errors read "file:line: reason".  The plain record
 * lines that make up big zones skip ldns (zonefile_fast.c), to the same
 * result.
 */
#include "zone.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h> /* malloc_trim() */
#endif

#include <ldns/ldns.h>

#include "zone_int.h"
#include "dnssec.h"
#include "zonefile_int.h"

#define ZF_ENTRY_MAX  (256 * 1024)
#define ZF_DEPTH_MAX  8
#define ZF_TRIM_RECORDS (64 * 1024) /* a load that big gives memory back */

static int zf_read(struct zf_ctx *c, const char *file, ldns_rdf **origin,
                   uint32_t *ttl, int depth);

/*
 * The name ARG of a $ORIGIN or $INCLUDE, relative to ORIGIN unless it ends
 * in a dot (RFC 1035 5.1).  Returns a new rdf, or NULL with ERR filled.
 */
static ldns_rdf *
zf_directive_name(struct zf_ctx *c, const char *file, int line,
                  const char *arg, const ldns_rdf *origin)
{
	ldns_rdf *o = ldns_dname_new_frm_str(arg);
	bool relative = !ldns_dname_str_absolute(arg);

	if (o != NULL && relative && origin == NULL) {
		ldns_rdf_deep_free(o);
		(void)zf_error(c, file, line,
		               "relative name '%s' but no origin: end it with "
		               "a dot or load the file as -z ORIGIN=FILE",
		               arg);
		return NULL;
	}
	if (o != NULL && relative &&
	    ldns_dname_cat(o, origin) != LDNS_STATUS_OK) {
		ldns_rdf_deep_free(o);
		o = NULL;
	}
	if (o == NULL) {
		(void)zf_error(c, file, line, "bad domain name '%s'", arg);
	}
	return o;
}

/* $ORIGIN, $TTL, $INCLUDE (RFC 1035 5.1). */
static int
zf_directive(struct zf_ctx *c, const char *file, int line, const char *e,
             ldns_rdf **origin, uint32_t *ttl, int depth)
{
	char word[16], arg[1024], arg2[1024];
	int n = sscanf(e, "%15s %1023s %1023s", word, arg, arg2);

	if (strcasecmp(word, "$TTL") == 0 && n >= 2) {
		const char *end;
		uint32_t v = ldns_str2period(arg, &end);

		if (*end != '\0') {
			return zf_error(c, file, line, "bad $TTL '%s'", arg);
		}
		*ttl = v;
		return 0;
	}
	if (strcasecmp(word, "$ORIGIN") == 0 && n >= 2) {
		ldns_rdf *o = zf_directive_name(c, file, line, arg, *origin);

		if (o == NULL) {
			return -EINVAL;
		}
		ldns_rdf_deep_free(*origin);
		*origin = o;
		return 0;
	}
	if (strcasecmp(word, "$INCLUDE") == 0 && n >= 2) {
		char path[4096];
		const char *slash = strrchr(file, '/');
		ldns_rdf *sub;
		uint32_t subttl = *ttl;
		int rc;

		if (depth >= ZF_DEPTH_MAX) {
			return zf_error(c, file, line, "$INCLUDE nested too deep");
		}
		/* Relative paths resolve against the including file. */
		if (arg[0] != '/' && slash != NULL) {
			snprintf(path, sizeof(path), "%.*s/%s",
			         (int)(slash - file), file, arg);
		} else {
			snprintf(path, sizeof(path), "%s", arg);
		}
		sub = n >= 3 ? zf_directive_name(c, file, line, arg2, *origin)
		             : (*origin ? ldns_rdf_clone(*origin) : NULL);
		if (n >= 3 && sub == NULL) {
			return -EINVAL;
		}
		rc = zf_read(c, path, &sub, &subttl, depth + 1);
		ldns_rdf_deep_free(sub);
		if (rc == -ENOENT) {
			return zf_error(c, file, line, "cannot open '%s' (%s)",
			                path, strerror(ENOENT));
		}
		return rc;
	}
	return zf_error(c, file, line, "unknown or incomplete directive '%s'",
	                word);
}

static int
zf_read(struct zf_ctx *c, const char *file, ldns_rdf **origin, uint32_t *ttl,
        int depth)
{
	FILE *f = fopen(file, "r");
	ldns_rdf *prev = NULL;
	struct zf_fast *fast = NULL;
	int line = 1, rc = 0;

	if (f == NULL) {
		int e = errno;

		if (depth > 0 && e == ENOENT) {
			return -ENOENT;
		}
		return zf_error(c, file, 0, "cannot open (%s)", strerror(e));
	}
	fast = zf_fast_new(f);
	for (;;) {
		ssize_t n;
		char *e = c->entry;
		int at;

		/* Plain record lines first; ldns reads what they leave. */
		if (fast != NULL) {
			bool eof = false;

			rc = zf_fast_read(fast, c, file, &line, *ttl, *origin,
			                  &prev, &eof);
			if (rc != 0 || eof) {
				break;
			}
		}
		n = ldns_fget_token_l(f, c->entry, "\n", ZF_ENTRY_MAX, &line);
		if (n < 0) {
			if (!feof(f)) {
				rc = zf_error(c, file, line,
				              "entry too long or unbalanced "
				              "parentheses");
			}
			break;
		}
		at = line > 1 ? line - 1 : 1;
		while (n > 0 && isspace((unsigned char)e[n - 1])) {
			e[--n] = '\0';
		}
		if (*zf_skip_space(e) == '\0') {
			if (feof(f)) {
				break;
			}
			continue;
		}
		if (e[0] == '$') {
			rc = zf_directive(c, file, at, e, origin, ttl, depth);
		} else {
			rc = zf_record(c, file, at, e, *ttl, *origin, &prev);
		}
		if (rc != 0 || feof(f)) {
			break;
		}
	}
	zf_fast_free(fast);
	ldns_rdf_deep_free(prev);
	fclose(f);
	return rc;
}

/* Whether R's owner is APEX (LEN octets) or below; both are canonical. */
static bool
zf_in_zone(const struct zone_rec *r, const uint8_t *apex, size_t len)
{
	size_t n = 0;

	while (r->ownerlen - n > len) {
		n += 1 + (size_t)r->owner[n];
	}
	return r->ownerlen - n == len && memcmp(r->owner + n, apex, len) == 0;
}

/*
 * Every owner must be inside the SOA owner.  Until a $ORIGIN says
 * otherwise, the origin is the one ARG names, else the one the file name
 * implies (NSD's and Knot's naming), else none.
 */
int
zf_read_zone(struct zf_ctx *c, const char *arg)
{
	ldns_rdf *origin = NULL;
	const char *file = arg;
	uint32_t ttl = 3600;
	char oname[1024];
	int rc;

	c->file = arg;
	rc = zf_source_split(arg, &file, &origin, oname, sizeof(oname));
	if (rc != 0) {
		return zf_error(c, arg, 0, "%s", oname);
	}
	c->file = file;
	if (origin == NULL) {
		origin = zf_origin_from_name(file);
	}
	c->scratch = calloc(1, sizeof(*c->scratch));
	c->entry = malloc(ZF_ENTRY_MAX);
	if (c->scratch == NULL || c->entry == NULL) {
		rc = zf_error(c, file, 0, "out of memory");
		goto out;
	}
	rc = zf_read(c, file, &origin, &ttl, 0);
	if (rc != 0) {
		goto out;
	}
	if (c->soa_owner == NULL) {
		rc = zf_error(c, file, 0, "no SOA record (every zone needs one)");
		goto out;
	}
	wire_name_to_str(c->soa_owner, oname, sizeof(oname));
	for (size_t i = 0; i < c->nrecs; i++) {
		if (!zf_in_zone(&c->recs[i], c->soa_owner, c->soa_ownerlen)) {
			char rname[1024];

			wire_name_to_str(c->recs[i].owner, rname, sizeof(rname));
			rc = zf_error(c, file, c->recs[i].line,
			              "%s is outside the zone %s", rname, oname);
			goto out;
		}
	}
out:
	ldns_rdf_deep_free(origin);
	free(c->entry);
	c->entry = NULL;
	return rc;
}

static void
zf_scratch_free(struct zf_ctx *c)
{
	if (c->scratch != NULL) {
		zone_arena_clear(c->scratch);
		free(c->scratch);
		c->scratch = NULL;
	}
}

void
zf_ctx_clear(struct zf_ctx *c)
{
	free(c->recs);
	free(c->entry);
	free(c->wire);
	ldns_rdf_deep_free(c->unset);
	zf_scratch_free(c);
	memset(c, 0, sizeof(*c));
}

/* What a zone's records take, once zone_build() has copied them. */
static void
zf_release_recs(void *arg)
{
	struct zf_ctx *c = arg;

	free(c->recs);
	zf_scratch_free(c);
	c->recs = NULL;
	c->nrecs = c->caprecs = 0;
	c->soa_owner = NULL;
}

int
zf_build_zone(struct zone_set *zs, struct zf_ctx *c)
{
	struct zone *z;
	struct zone_arena *a;
	bool sign = zf_sign_wanted(c);
	size_t n = 0;
	int rc;

	if (sign) {
		rc = zf_sign_zone(c);
		if (rc != 0) {
			return rc;
		}
	}
	z = zone_new();
	if (z == NULL) {
		return zf_error(c, c->file, 0, "out of memory");
	}
	a = &z->store->arena;
	z->origin = zone_arena_alloc(a, c->soa_ownerlen);
	z->file = zone_arena_alloc(a, strlen(c->file) + 1);
	if (z->origin == NULL || z->file == NULL) {
		zone_unref(z);
		return zf_error(c, c->file, 0, "out of memory");
	}
	memcpy(z->origin, c->soa_owner, c->soa_ownerlen);
	z->originlen = (uint8_t)c->soa_ownerlen;
	z->labels = (uint8_t)wire_name_labels(z->origin);
	memcpy(z->file, c->file, strlen(c->file) + 1);
	z->signed_here = sign;
	/* Records an edit removed have type 0. */
	for (size_t i = 0; i < c->nrecs; i++) {
		if (c->recs[i].type != 0) {
			c->recs[n++] = c->recs[i];
		}
	}
	rc = zone_build(z, c->recs, n, zf_release_recs, c, c->err, c->errlen);
	if (rc == 0) {
		rc = zone_set_add(zs, z, c->err, c->errlen);
	}
	if (rc != 0) {
		zone_unref(z);
	}
	return rc;
}

struct zone_set *
zone_set_load_edits(const char *const *files, size_t n,
                    const struct zone_edits *ed, char *err, size_t errlen)
{
	struct zone_set *zs = zone_set_new();
	struct zf_ctx *ctx = calloc(n + 1, sizeof(*ctx));
	size_t nctx = 0, nrecs = 0;
	int rc = 0;

	if (zs == NULL || ctx == NULL) {
		snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (; nctx < n && rc == 0; nctx++) {
		ctx[nctx].err = err;
		ctx[nctx].errlen = errlen;
		rc = zf_read_zone(&ctx[nctx], files[nctx]);
		nrecs += ctx[nctx].nrecs;
	}
	ctx[n].err = err;
	ctx[n].errlen = errlen;
	if (rc == 0 && ed != NULL) {
		rc = zf_apply_edits(ctx, &nctx, ed);
	}
	/* Every key first: a parent signed before its child gets its DS. */
	for (size_t i = 0; rc == 0 && i < nctx; i++) {
		if (!zf_ctx_is_spent(&ctx[i]) && zf_sign_wanted(&ctx[i]) &&
		    dnssec_key_get(ctx[i].soa_owner, err, errlen) == NULL) {
			rc = -EINVAL;
		}
	}
	for (size_t i = 0; rc == 0 && i < nctx; i++) {
		if (!zf_ctx_is_spent(&ctx[i])) {
			rc = zf_build_zone(zs, &ctx[i]);
		}
	}
out:
	for (size_t i = 0; ctx != NULL && i <= n; i++) {
		zf_ctx_clear(&ctx[i]);
	}
	free(ctx);
	if (rc != 0) {
		zone_set_free(zs);
		zs = NULL;
	}
#ifdef __GLIBC__
	/* The records of a big load leave holes in the heap, still resident
	 * until given back. */
	if (nrecs >= ZF_TRIM_RECORDS) {
		(void)malloc_trim(0);
	}
#endif
	return zs;
}

struct zone_set *
zone_set_load(const char *const *files, size_t n, char *err, size_t errlen)
{
	return zone_set_load_edits(files, n, NULL, err, errlen);
}
