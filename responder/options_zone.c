/*
 * responder/options_zone.c -- the zone sources of caa-responder's command
 * line: -z and positional files, and --view CIDR=FILE.
 */
#include "options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zone.h"

int
options_view_add(struct options *o, const char *arg, char *why,
                 size_t whylen)
{
	const char *eq = strchr(arg, '=');
	char prefix[CIDR_TEXT_MAX];
	struct options_view *v = NULL;
	size_t plen = eq != NULL ? (size_t)(eq - arg) : 0;

	if (eq == NULL || eq[1] == '\0') {
		(void)snprintf(why, whylen, "not CIDR=FILE");
		return -EINVAL;
	}
	if (plen >= sizeof(prefix)) {
		(void)snprintf(why, whylen, "bad address '%.*s'", (int)plen,
		               arg);
		return -EINVAL;
	}
	memcpy(prefix, arg, plen);
	prefix[plen] = '\0';
	v = realloc(o->views, (o->nviews + 1) * sizeof(*v));
	if (v == NULL) {
		return -ENOMEM;
	}
	o->views = v;
	v = &o->views[o->nviews];
	if (cidr_parse(prefix, &v->prefix, why, whylen) != 0) {
		return -EINVAL;
	}
	v->file = eq + 1;
	o->nviews++;
	return 0;
}

/* ARG as a zone source; OPTIONS_RUN or a usage error in ERR. */
static enum options_status
options_zone_check(const char *arg, char *err, size_t errlen)
{
	char why[256];

	if (arg[0] == '\0') {
		(void)snprintf(err, errlen, "empty zone file name");
		return OPTIONS_USAGE_ERROR;
	}
	if (zone_source_check(arg, why, sizeof(why)) != 0) {
		(void)snprintf(err, errlen, "bad zone '%s' (%s)", arg, why);
		return OPTIONS_USAGE_ERROR;
	}
	return OPTIONS_RUN;
}

enum options_status
options_zones_check(const struct options *o, char *err, size_t errlen)
{
	enum options_status st = OPTIONS_RUN;

	for (size_t i = 0; st == OPTIONS_RUN && i < o->nzones; i++) {
		st = options_zone_check(o->zones[i], err, errlen);
	}
	for (size_t i = 0; st == OPTIONS_RUN && i < o->nviews; i++) {
		st = options_zone_check(o->views[i].file, err, errlen);
	}
	return st;
}
