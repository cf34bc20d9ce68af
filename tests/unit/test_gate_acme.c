/*
 * tests/unit/test_gate_acme.c -- the ACME objects caa-gate reads and
 * writes: the directory's meta.caaIdentities rewrite and the problem
 * documents of the gate's own errors.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "acme.h"

static const char *const test_cas[] = {"ca.test", "other.test"};

/* Pebble's directory, as it sends it. */
static const char test_pebble_dir[] =
        "{\n   \"keyChange\": \"https://127.0.0.1:14000/rollover-account-key\",\n"
        "   \"meta\": {\n      \"externalAccountRequired\": false,\n"
        "      \"termsOfService\": \"data:text/plain,Do%20what%20thou%20wilt\"\n"
        "   },\n   \"newAccount\": \"https://127.0.0.1:14000/sign-me-up\",\n"
        "   \"newNonce\": \"https://127.0.0.1:14000/nonce-plz\",\n"
        "   \"newOrder\": \"https://127.0.0.1:14000/order-plz\",\n"
        "   \"revokeCert\": \"https://127.0.0.1:14000/revoke-cert\"\n}";

static json_t *
test_rewrite(const char *in, size_t ncas)
{
	char *out = NULL;
	size_t len = 0;
	json_t *doc;

	cr_assert_eq(acme_directory_rewrite(in, strlen(in), test_cas, ncas,
	                                    &out, &len),
	             1);
	cr_assert_eq(strlen(out), len);
	doc = json_loads(out, 0, NULL);
	cr_assert_not_null(doc, "not JSON: %s", out);
	free(out);
	return doc;
}

Test(gate_acme, directory_gets_the_ca_list)
{
	json_t *doc = test_rewrite(test_pebble_dir, 2);
	json_t *meta = json_object_get(doc, "meta");
	json_t *ids = json_object_get(meta, "caaIdentities");

	cr_assert_eq(json_array_size(ids), 2);
	cr_assert_str_eq(json_string_value(json_array_get(ids, 0)), "ca.test");
	cr_assert_str_eq(json_string_value(json_array_get(ids, 1)),
	                 "other.test");
	/* Everything else as it was. */
	cr_assert_str_eq(json_string_value(json_object_get(doc, "newNonce")),
	                 "https://127.0.0.1:14000/nonce-plz");
	cr_assert_str_eq(json_string_value(json_object_get(doc, "newOrder")),
	                 "https://127.0.0.1:14000/order-plz");
	cr_assert(json_is_false(
	        json_object_get(meta, "externalAccountRequired")));
	cr_assert_not_null(json_object_get(meta, "termsOfService"));
	cr_assert_eq(json_object_size(doc), 6);
	json_decref(doc);
}

Test(gate_acme, directory_caa_identities_replaced)
{
	json_t *doc = test_rewrite(
	        "{\"newNonce\":\"n\",\"newAccount\":\"a\",\"meta\":"
	        "{\"caaIdentities\":[\"letsencrypt.org\",\"x.test\"]}}",
	        1);
	json_t *ids = json_object_get(json_object_get(doc, "meta"),
	                              "caaIdentities");

	cr_assert_eq(json_array_size(ids), 1);
	cr_assert_str_eq(json_string_value(json_array_get(ids, 0)), "ca.test");
	json_decref(doc);
}

Test(gate_acme, directory_without_meta_gets_one)
{
	json_t *doc = test_rewrite("{\"newNonce\":\"n\",\"newAccount\":\"a\"}",
	                           2);
	json_t *ids = json_object_get(json_object_get(doc, "meta"),
	                              "caaIdentities");

	cr_assert_eq(json_array_size(ids), 2);
	json_decref(doc);
}

Test(gate_acme, other_json_left_alone)
{
	static const char *const others[] = {
	        "{\"status\":\"pending\",\"identifier\":{\"type\":\"dns\"}}",
	        "{\"newNonce\":\"n\"}",                  /* no newAccount */
	        "{\"newNonce\":1,\"newAccount\":\"a\"}", /* not a string */
	        "[\"newNonce\",\"newAccount\"]",
	        "{\"newNonce\":\"n\",\"newAccount\":\"a\"", /* cut */
	        "{\"newNonce\":\"n\",\"newNonce\":\"m\",\"newAccount\":\"a\"}",
	        "",
	        "null",
	};

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		char *out = (char *)"untouched";
		size_t len = 7;

		cr_assert_eq(acme_directory_rewrite(others[i],
		                                    strlen(others[i]), test_cas,
		                                    2, &out, &len),
		             0, "%s", others[i]);
		cr_assert_null(out);
		cr_assert_eq(len, 0);
	}
}

Test(gate_acme, problem_document)
{
	char *doc = acme_problem_build(
	        ACME_ERR_SERVER_INTERNAL,
	        "caa-gate: upstream https://127.0.0.1:1: cannot connect", 500);
	json_t *j = json_loads(doc, 0, NULL);

	cr_assert_not_null(j, "%s", doc);
	cr_assert_str_eq(json_string_value(json_object_get(j, "type")),
	                 "urn:ietf:params:acme:error:serverInternal");
	cr_assert_str_eq(json_string_value(json_object_get(j, "detail")),
	                 "caa-gate: upstream https://127.0.0.1:1: cannot "
	                 "connect");
	cr_assert_eq(json_integer_value(json_object_get(j, "status")), 500);
	cr_assert_eq(json_object_size(j), 3);
	json_decref(j);
	free(doc);
}

Test(gate_acme, problem_detail_not_utf8_stays_json)
{
	char *doc = acme_problem_build(ACME_ERR_SERVER_INTERNAL,
	                               "bad \xff\xfe \"quoted\"\n", 500);
	json_t *j = json_loads(doc, 0, NULL);

	cr_assert_not_null(j, "%s", doc);
	cr_assert_str_eq(json_string_value(json_object_get(j, "detail")),
	                 "bad ?? \"quoted\"\n");
	json_decref(j);
	free(doc);
}
