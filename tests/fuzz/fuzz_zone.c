/*
 * tests/fuzz/fuzz_zone.c -- the zone loader: the input is written to a
 * temporary master file, which zone_set_load() reads.  $INCLUDE lines
 * are cut out so that the input cannot make it read other files.  The
 * file is also read into records twice, with the fast reader of plain
 * record lines off and on: both must give the same records (owner, type,
 * TTL, RDATA, line) and the same message, or the harness aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "zone.h"
#include "zone_int.h"
#include "zonefile_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

/* Read the file at PATH into C (cleared by the caller) as FAST says. */
static int
read_records(struct zf_ctx *c, char *err, size_t errlen, bool fast)
{
	memset(c, 0, sizeof(*c));
	c->err = err;
	c->errlen = errlen;
	err[0] = '\0';
	zf_fast_enabled = fast;
	return zf_read_zone(c, path);
}

static bool
recs_equal(const struct zone_rec *a, const struct zone_rec *b)
{
	return a->ownerlen == b->ownerlen && a->rdlen == b->rdlen &&
	       a->ttl == b->ttl && a->type == b->type && a->line == b->line &&
	       memcmp(a->owner, b->owner, a->ownerlen) == 0 &&
	       (a->rdlen == 0 || memcmp(a->rdata, b->rdata, a->rdlen) == 0);
}

static void
compare_readers(void)
{
	struct zf_ctx slow, fast;
	char serr[512], ferr[512];
	int src = read_records(&slow, serr, sizeof(serr), false);
	int frc = read_records(&fast, ferr, sizeof(ferr), true);

	zf_fast_enabled = true;
	if (src != frc || strcmp(serr, ferr) != 0 || slow.nrecs != fast.nrecs) {
		fprintf(stderr,
		        "readers differ: rc %d/%d, %zu/%zu records\n"
		        "ldns: %s\nfast: %s\n",
		        src, frc, slow.nrecs, fast.nrecs, serr, ferr);
		abort();
	}
	for (size_t i = 0; i < slow.nrecs; i++) {
		if (!recs_equal(&slow.recs[i], &fast.recs[i])) {
			fprintf(stderr,
			        "readers differ at record %zu (line %d/%d)\n",
			        i, slow.recs[i].line, fast.recs[i].line);
			abort();
		}
	}
	zf_ctx_clear(&slow);
	zf_ctx_clear(&fast);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *files[1];
	char err[512];
	struct zone_set *zs;
	FILE *f;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/caa-fuzz-zone.%ld.zone",
		         (long)getpid());
	}
	f = fopen(path, "w");
	if (f == NULL) {
		abort();
	}
	for (size_t i = 0; i < size; i++) {
		/* "$INCLUDE" anywhere becomes "$XNCLUDE": no other files. */
		if (data[i] == '$' && size - i >= 8 &&
		    strncasecmp((const char *)data + i, "$INCLUDE", 8) == 0) {
			fputs("$X", f);
			i++;
			continue;
		}
		fputc(data[i], f);
	}
	fclose(f);
	compare_readers();
	files[0] = path;
	err[0] = '\0';
	zs = zone_set_load(files, 1, err, sizeof(err));
	if (zs == NULL && memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	zone_set_free(zs);
	return 0;
}
