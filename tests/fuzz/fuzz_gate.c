/*
 * tests/fuzz/fuzz_gate.c -- what caa-gate reads from traffic: the
 * upstream's replies that may be a directory (acme_directory_rewrite()),
 * an authorization or an order (acme_authz_read(), acme_order_read()),
 * the JWS of a request (acme_jws_read()), URLs (acme_url_path()), and the
 * text it quotes in a problem document (acme_problem_build()).  A
 * directory rewrite must be JSON again, be a directory again, and carry
 * the CA list; a problem document must be JSON for every detail; what a
 * reader returns must be bounded strings without NUL; every invalid
 * rewrite must be a JSON object whose status is "invalid".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "acme.h"
#include "acme_jws.h"
#include "acme_obj.h"

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

static const char fuzz_problem_doc[] =
        "{\"type\":\"urn:ietf:params:acme:error:caa\",\"detail\":\"x\","
        "\"status\":403}";

/* TEXT (NULL: out of memory) is an object whose status is "invalid". */
static void
fuzz_invalid(char *text)
{
	json_t *j;

	if (text == NULL) {
		return;
	}
	j = json_loads(text, 0, NULL);
	if (!json_is_object(j) ||
	    strcmp(json_string_value(json_object_get(j, "status")) != NULL
	                   ? json_string_value(json_object_get(j, "status"))
	                   : "",
	           "invalid") != 0) {
		abort();
	}
	json_decref(j);
	free(text);
}

/* S is a string of at most MAX bytes (no NUL inside, by construction). */
static void
fuzz_bounded(const char *s, size_t max)
{
	if (s == NULL || strlen(s) > max) {
		abort();
	}
}

static void
fuzz_path(const char *s)
{
	fuzz_bounded(s, ACME_URL_MAX);
	if (s[0] != '/') {
		abort();
	}
}

static void
fuzz_authz(const char *in, size_t size)
{
	struct acme_authz a;
	int rc = acme_authz_read(in, size, &a);

	if (rc != 1) {
		if (rc == 0 && (a.value != NULL || a.nchal != 0)) {
			abort();
		}
		return;
	}
	fuzz_bounded(a.value, ACME_NAME_MAX);
	if (a.nchal == 0 || a.nchal > ACME_CHALLENGES_MAX) {
		abort();
	}
	for (size_t i = 0; i < a.nchal; i++) {
		char *c;

		fuzz_path(a.chal[i].path);
		fuzz_bounded(a.chal[i].type, 64);
		c = acme_challenge_invalid(a.chal[i].obj,
		                           strlen(a.chal[i].obj),
		                           fuzz_problem_doc);
		if (c != NULL) {
			fuzz_invalid(acme_authz_invalid(in, size, c));
		}
		fuzz_invalid(c);
	}
	acme_authz_clear(&a);
}

static void
fuzz_order(const char *in, size_t size)
{
	struct acme_order o;
	int rc = acme_order_read(in, size, &o);

	if (rc != 1) {
		if (rc == 0 && (o.finalize != NULL || o.nids != 0)) {
			abort();
		}
		return;
	}
	fuzz_path(o.finalize);
	if (o.nids == 0 || o.nids > ACME_IDENTIFIERS_MAX ||
	    o.nauthz > ACME_IDENTIFIERS_MAX) {
		abort();
	}
	for (size_t i = 0; i < o.nids; i++) {
		fuzz_bounded(o.ids[i], ACME_NAME_MAX);
	}
	for (size_t i = 0; i < o.nauthz; i++) {
		fuzz_path(o.authz[i]);
	}
	fuzz_invalid(acme_order_invalid(in, size, fuzz_problem_doc));
	acme_order_clear(&o);
}

static void
fuzz_jws(const char *in, size_t size)
{
	struct acme_jws jws;
	char why[128] = "";
	int rc = acme_jws_read(in, size, &jws, why, sizeof(why));

	if (rc == -1 && why[0] == '\0') {
		abort(); /* an unreadable JWS is always named */
	}
	if (rc == 0) {
		fuzz_bounded(jws.kid, ACME_KID_MAX);
		/* No kid reads as "" (a kid may also be ""). */
		if (!jws.has_kid && jws.kid[0] != '\0') {
			abort();
		}
	}
}

/* The input as a NUL-terminated URL. */
static void
fuzz_url(const char *in, size_t size)
{
	char *url = malloc(size + 1);
	char path[ACME_URL_MAX + 1];

	if (url == NULL) {
		return;
	}
	memcpy(url, in, size);
	url[size] = '\0';
	if (acme_url_path(url, path, sizeof(path)) == 0) {
		fuzz_path(path);
	}
	free(url);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;

	fuzz_directory(in, size);
	fuzz_problem(in, size);
	fuzz_authz(in, size);
	fuzz_order(in, size);
	fuzz_jws(in, size);
	fuzz_url(in, size);
	/* Any object at all may be rewritten invalid: as a challenge, an
	 * order. */
	fuzz_invalid(acme_challenge_invalid(in, size, fuzz_problem_doc));
	fuzz_invalid(acme_order_invalid(in, size, NULL));
	return 0;
}
