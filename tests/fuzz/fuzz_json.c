/*
 * tests/fuzz/fuzz_json.c -- ctl_json_go(), the rewrite that lets jansson
 * read a challtestsrv body as Go's encoding/json does: it stays inside its
 * buffer, leaves a body jansson reads unchanged, and leaves what it made
 * of a body as it is when given it again.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "control_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	json_error_t err;
	json_t *before = json_loadb(in, size, 0, &err);
	json_t *after;
	size_t n;
	char *out = ctl_json_go(in, size, &n);

	if (out == NULL) {
		abort();
	}
	if (before != NULL && (n != size || memcmp(out, in, size) != 0)) {
		abort(); /* what jansson reads is left as it is */
	}
	after = json_loadb(out, n, 0, &err);
	if (after != NULL && before == NULL) {
		/* Fixed up: a second pass finds nothing more to fix. */
		size_t n2;
		char *again = ctl_json_go(out, n, &n2);

		if (again == NULL || n2 != n || memcmp(again, out, n) != 0) {
			abort();
		}
		free(again);
	}
	json_decref(before);
	json_decref(after);
	free(out);
	return 0;
}
