/*
 * tests/fuzz/fuzz_gate.c -- what caa-gate reads from traffic: the
 * upstream's replies that may be a directory (acme_directory_rewrite())
 * and the text it quotes in a problem document (acme_problem_build()).
 * A rewrite must be JSON again, be a directory again, and carry the CA
 * list; a problem document must be JSON for every detail.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "acme.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const fuzz_cas[] = {"ca.test", "letsencrypt.org"};

static void
fuzz_directory(const char *in, size_t size)
{
	char *out = NULL, *again = NULL;
	size_t n = 0, n2 = 0;
	json_t *doc, *ids;
	int rc = acme_directory_rewrite(in, size, fuzz_cas, 2, &out, &n);

	if (rc < 0) {
		return; /* out of memory */
	}
	if (rc == 0) {
		if (out != NULL || n != 0) {
			abort();
		}
		return;
	}
	doc = json_loadb(out, n, 0, NULL);
	ids = json_object_get(json_object_get(doc, "meta"), "caaIdentities");
	if (doc == NULL || json_array_size(ids) != 2 ||
	    strcmp(json_string_value(json_array_get(ids, 0)), "ca.test") != 0) {
		abort();
	}
	/* A rewritten directory is still one, and rewriting is stable. */
	if (acme_directory_rewrite(out, n, fuzz_cas, 2, &again, &n2) != 1 ||
	    n2 != n || memcmp(again, out, n) != 0) {
		abort();
	}
	json_decref(doc);
	free(again);
	free(out);
}

static void
fuzz_problem(const char *in, size_t size)
{
	char *detail = malloc(size + 1);
	char *doc;
	json_t *j;

	if (detail == NULL) {
		return;
	}
	memcpy(detail, in, size);
	detail[size] = '\0';
	doc = acme_problem_build(ACME_ERR_SERVER_INTERNAL, detail, 500);
	if (doc != NULL) {
		j = json_loads(doc, 0, NULL);
		if (!json_is_string(json_object_get(j, "detail"))) {
			abort();
		}
		json_decref(j);
	}
	free(doc);
	free(detail);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_directory((const char *)data, size);
	fuzz_problem((const char *)data, size);
	return 0;
}
