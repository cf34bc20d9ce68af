/*
 * tests/fuzz/fuzz_zone.c -- the zone loader: the input is written to a
 * temporary master file, which zone_set_load() reads.  $INCLUDE lines
 * are cut out so that the input cannot make it read other files.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

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
	files[0] = path;
	err[0] = '\0';
	zs = zone_set_load(files, 1, err, sizeof(err));
	if (zs == NULL && memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	zone_set_free(zs);
	return 0;
}
