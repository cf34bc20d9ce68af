/*
 * responder/zonefile_origin.c -- where a master file's origin comes from
 * ("-z ORIGIN=FILE", $ORIGIN, the file name), and the refusal of relative
 * names in a file that has none.
 *
 * Without an origin ldns reads "www" as "www." and "@" as the root, so a
 * file without $ORIGIN would be served, silently, as the root zone.  While
 * a file has no origin, its records are parsed against a stand-in origin
 * (one label no text writes by accident); a name that ends in it was
 * relative, and the file is refused at that line.
 */
#include "zone.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <ldns/ldns.h>

#include "zonefile_int.h"

/* The stand-in: one label of four octets, 00 ff 00 ff. */
static const uint8_t zf_unset[] = {4, 0x00, 0xff, 0x00, 0xff, 0};
#define ZF_UNSET_LEN sizeof(zf_unset)

int
zf_source_split(const char *arg, const char **file, ldns_rdf **origin,
                char *err, size_t errlen)
{
	const char *eq = strchr(arg, '=');
	char text[WIRE_NAME_MAX * 4 + 8];
	size_t n;

	*file = arg;
	*origin = NULL;
	/* An existing file is a file, whatever its name holds. */
	if (eq == NULL || access(arg, F_OK) == 0) {
		return 0;
	}
	n = (size_t)(eq - arg);
	if (n == 0 || n >= sizeof(text)) {
		(void)snprintf(err, errlen, "%s ORIGIN before '='",
		               n == 0 ? "empty" : "too long an");
		return -EINVAL;
	}
	if (eq[1] == '\0') {
		(void)snprintf(err, errlen, "no FILE after '='");
		return -EINVAL;
	}
	memcpy(text, arg, n);
	text[n] = '\0';
	/* The command line's origin is absolute, with or without its dot. */
	*origin = ldns_dname_new_frm_str(text);
	if (*origin == NULL) {
		(void)snprintf(err, errlen, "ORIGIN '%s' is not a domain name",
		               text);
		return -EINVAL;
	}
	*file = eq + 1;
	return 0;
}

int
zone_source_check(const char *arg, char *err, size_t errlen)
{
	const char *file;
	ldns_rdf *origin = NULL;
	int rc = zf_source_split(arg, &file, &origin, err, errlen);

	ldns_rdf_deep_free(origin);
	return rc;
}

const ldns_rdf *
zf_origin_unset(struct zf_ctx *c)
{
	if (c->unset == NULL) {
		c->unset = ldns_dname_new_frm_data(ZF_UNSET_LEN, zf_unset);
	}
	return c->unset;
}

/*
 * If NAME ends in the stand-in origin, its relative part in presentation
 * form ("@" for the origin itself) into BUF, and true.
 */
static bool
zf_unset_relative(const ldns_rdf *name, char *buf, size_t cap)
{
	const uint8_t *w = ldns_rdf_data(name);
	size_t len = ldns_rdf_size(name), n;
	uint8_t rel[WIRE_NAME_MAX];

	if (len < ZF_UNSET_LEN ||
	    memcmp(w + len - ZF_UNSET_LEN, zf_unset, ZF_UNSET_LEN) != 0) {
		return false;
	}
	n = len - ZF_UNSET_LEN; /* the labels before it */
	if (n == 0) {
		(void)snprintf(buf, cap, "@");
		return true;
	}
	memcpy(rel, w, n);
	rel[n] = 0;
	n = wire_name_to_str(rel, buf, cap);
	if (n > 1 && n < cap && buf[n - 1] == '.') {
		buf[n - 1] = '\0'; /* written without it */
	}
	return true;
}

int
zf_origin_check(struct zf_ctx *c, const char *file, int line, const ldns_rr *rr)
{
	char rel[WIRE_NAME_MAX * 4 + 8];
	bool found = zf_unset_relative(ldns_rr_owner(rr), rel, sizeof(rel));

	for (size_t i = 0; !found && i < ldns_rr_rd_count(rr); i++) {
		const ldns_rdf *f = ldns_rr_rdf(rr, i);

		found = ldns_rdf_get_type(f) == LDNS_RDF_TYPE_DNAME &&
		        zf_unset_relative(f, rel, sizeof(rel));
	}
	if (!found) {
		return 0;
	}
	return zf_error(c, file, line,
	                "relative name '%s' but no origin: add $ORIGIN or "
	                "load it as -z ORIGIN=FILE",
	                rel);
}

ldns_rdf *
zf_origin_from_name(const char *file)
{
	const char *base = strrchr(file, '/');
	char name[512];
	size_t n;

	base = base != NULL ? base + 1 : file;
	n = strlen(base);
	if (n <= 5 || n - 5 >= sizeof(name) - 1 ||
	    strcmp(base + n - 5, ".zone") != 0) {
		return NULL;
	}
	memcpy(name, base, n - 5);
	name[n - 5] = '.';
	name[n - 4] = '\0';
	return ldns_dname_new_frm_str(name);
}
