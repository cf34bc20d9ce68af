/*
 * tests/unit/test_gate_acme.c -- the ACME objects caa-gate reads and
 * writes: the directory's meta.caaIdentities rewrite, the problem
 * documents, the JWS reader (kid, POST-as-GET, every unreadable case),
 * authorizations and orders as Pebble sends them, and the rewrites that
 * make them read invalid.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "acme.h"
#include "acme_jws.h"
#include "acme_obj.h"

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

/* ------------------------------------------------------------------ */
/* JWS                                                                 */
/* ------------------------------------------------------------------ */

/* base64url of S (no padding), into a static buffer. */
static const char *
test_b64(const char *s)
{
	static const char alpha[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	static char out[4096];
	size_t n = strlen(s), o = 0;

	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)(unsigned char)s[i] << 16;

		v |= i + 1 < n ? (unsigned long)(unsigned char)s[i + 1] << 8 : 0;
		v |= i + 2 < n ? (unsigned char)s[i + 2] : 0;
		out[o++] = alpha[(v >> 18) & 63];
		out[o++] = alpha[(v >> 12) & 63];
		if (i + 1 < n) {
			out[o++] = alpha[(v >> 6) & 63];
		}
		if (i + 2 < n) {
			out[o++] = alpha[v & 63];
		}
	}
	out[o] = '\0';
	return out;
}

/* A flattened JWS of HEADER (JSON text) and the base64url PAYLOAD. */
static char *
test_jws(const char *header, const char *payload)
{
	char *body = malloc(8192);

	cr_assert_not_null(body);
	(void)snprintf(body, 8192,
	               "{\"protected\":\"%s\",\"payload\":\"%s\","
	               "\"signature\":\"c2ln\"}",
	               test_b64(header), payload);
	return body;
}

/* As test_jws(), for a header too large for test_b64()'s buffer. */
static char *
test_jws_big(const char *header)
{
	static const char alpha[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t n = strlen(header), o = 0;
	char *body = malloc(n * 2 + 64);

	cr_assert_not_null(body);
	o = (size_t)sprintf(body, "{\"payload\":\"\",\"protected\":\"");
	for (size_t i = 0; i + 2 < n; i += 3) {
		unsigned long v = (unsigned long)(unsigned char)header[i] << 16 |
		                  (unsigned long)(unsigned char)header[i + 1] << 8 |
		                  (unsigned char)header[i + 2];

		body[o++] = alpha[(v >> 18) & 63];
		body[o++] = alpha[(v >> 12) & 63];
		body[o++] = alpha[(v >> 6) & 63];
		body[o++] = alpha[v & 63];
	}
	(void)sprintf(body + o, "\"}");
	return body;
}

Test(gate_acme, jws_kid_and_payload)
{
	char *body = test_jws("{\"alg\":\"ES256\",\"kid\":\"https://127.0.0.1:"
	                      "14000/my-account/1\",\"nonce\":\"n\",\"url\":"
	                      "\"https://127.0.0.1:14000/chalZ/x\"}",
	                      "e30");
	struct acme_jws jws;
	char why[128] = "";

	cr_assert_eq(acme_jws_read(body, strlen(body), &jws, why,
	                           sizeof(why)),
	             0, "%s", why);
	cr_assert(jws.has_kid);
	cr_assert_str_eq(jws.kid, "https://127.0.0.1:14000/my-account/1");
	cr_assert_not(jws.payload_empty, "\"{}\" is a challenge POST");
	free(body);
}

Test(gate_acme, jws_post_as_get_and_jwk)
{
	char *body = test_jws("{\"alg\":\"ES256\",\"jwk\":{\"kty\":\"EC\"}}",
	                      "");
	struct acme_jws jws;
	char why[128] = "";

	cr_assert_eq(acme_jws_read(body, strlen(body), &jws, why,
	                           sizeof(why)),
	             0, "%s", why);
	cr_assert_not(jws.has_kid, "a jwk is no account");
	cr_assert_str_eq(jws.kid, "");
	cr_assert(jws.payload_empty);
	free(body);
}

Test(gate_acme, jws_kid_not_a_string_is_none)
{
	char *body = test_jws("{\"kid\":7}", "e30");
	struct acme_jws jws;
	char why[128] = "";

	cr_assert_eq(acme_jws_read(body, strlen(body), &jws, why,
	                           sizeof(why)),
	             0);
	cr_assert_not(jws.has_kid);
	free(body);
}

/* Every JWS the gate cannot read, with the words of its problem. */
Test(gate_acme, jws_unreadable_named)
{
	static const struct {
		const char *body, *why;
	} cases[] = {
	        {"not json", "the body is not JSON"},
	        {"", "the body is not JSON"},
	        {"[1]", "the body is not a JSON object"},
	        {"{\"payload\":\"\"}", "it has no protected header"},
	        {"{\"protected\":1,\"payload\":\"\"}",
	         "it has no protected header"},
	        {"{\"protected\":\"e30\"}", "it has no payload"},
	        {"{\"protected\":\"e30\",\"payload\":null}", "it has no payload"},
	        {"{\"protected\":\"e3=\",\"payload\":\"\"}",
	         "the protected header is not base64url"},
	        {"{\"protected\":\"e+0\",\"payload\":\"\"}",
	         "the protected header is not base64url"},
	        {"{\"protected\":\"e30AA\",\"payload\":\"\"}",
	         "the protected header is not base64url"},
	        {"{\"protected\":\"WzFd\",\"payload\":\"\"}", /* [1] */
	         "the protected header is not a JSON object"},
	        {"{\"protected\":\"\",\"payload\":\"\"}",
	         "the protected header is not a JSON object"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct acme_jws jws;
		char why[128] = "";

		cr_assert_eq(acme_jws_read(cases[i].body, strlen(cases[i].body),
		                           &jws, why, sizeof(why)),
		             -1, "%s", cases[i].body);
		cr_assert_str_eq(why, cases[i].why, "%s", cases[i].body);
	}
}

Test(gate_acme, jws_bounds)
{
	size_t big = ACME_JWS_MAX + 1;
	char *body = malloc(big + 1);
	char *hdr = malloc(ACME_PROTECTED_MAX + 64);
	struct acme_jws jws;
	char why[128] = "";

	cr_assert(body != NULL && hdr != NULL);
	memset(body, ' ', big);
	body[big] = '\0';
	cr_assert_eq(acme_jws_read(body, big, &jws, why, sizeof(why)), -1);
	cr_assert_str_eq(why, "the body is over 65536 bytes");
	/* A header over 8 KiB once decoded. */
	(void)snprintf(hdr, ACME_PROTECTED_MAX + 64, "{\"kid\":\"%0*d\"}",
	               ACME_PROTECTED_MAX, 0);
	free(body);
	body = test_jws_big(hdr);
	cr_assert_eq(acme_jws_read(body, strlen(body), &jws, why, sizeof(why)),
	             -1);
	cr_assert_str_eq(why, "the protected header is over 8192 bytes");
	free(body);
	free(hdr);
}

Test(gate_acme, b64url_decode)
{
	unsigned char out[16];

	cr_assert_eq(acme_b64url_decode("e30", 3, out), 2);
	cr_assert_eq(memcmp(out, "{}", 2), 0);
	cr_assert_eq(acme_b64url_decode("_-8", 3, out), 2);
	cr_assert_eq(out[0], 0xff);
	cr_assert_eq(out[1], 0xef);
	cr_assert_eq(acme_b64url_decode("A", 1, out), -1);
	cr_assert_eq(acme_b64url_decode("ab/c", 4, out), -1);
	cr_assert_eq(acme_b64url_decode("", 0, out), 0);
}

/* ------------------------------------------------------------------ */
/* Authorizations, orders, URLs                                        */
/* ------------------------------------------------------------------ */

/* Pebble's authorization, as it sends it. */
static const char test_pebble_authz[] =
        "{\n   \"status\": \"pending\",\n   \"identifier\": {\n"
        "      \"type\": \"dns\",\n      \"value\": \"ok.gate.test\"\n   },\n"
        "   \"challenges\": [\n      {\n         \"type\": \"tls-alpn-01\",\n"
        "         \"url\": \"https://127.0.0.1:14000/chalZ/aaa\",\n"
        "         \"token\": \"t1\",\n         \"status\": \"pending\"\n"
        "      },\n      {\n         \"type\": \"http-01\",\n"
        "         \"url\": \"https://127.0.0.1:14000/chalZ/bbb\",\n"
        "         \"token\": \"t2\",\n         \"status\": \"pending\"\n"
        "      },\n      {\n         \"type\": \"dns-01\",\n"
        "         \"url\": \"https://127.0.0.1:14000/chalZ/ccc\",\n"
        "         \"token\": \"t3\",\n         \"status\": \"pending\"\n"
        "      }\n   ],\n   \"expires\": \"2026-12-07T14:00:00Z\"\n}";

/* Pebble's order. */
static const char test_pebble_order[] =
        "{\n   \"status\": \"pending\",\n   \"expires\": "
        "\"2026-12-07T14:00:00Z\",\n   \"identifiers\": [\n      {\n"
        "         \"type\": \"dns\",\n         \"value\": \"a.test\"\n"
        "      },\n      {\n         \"type\": \"dns\",\n"
        "         \"value\": \"*.b.test\"\n      }\n   ],\n"
        "   \"finalize\": \"https://127.0.0.1:14000/finalize-order/fff\",\n"
        "   \"authorizations\": [\n"
        "      \"https://127.0.0.1:14000/authZ/a1\",\n"
        "      \"https://127.0.0.1:14000/authZ/a2\"\n   ]\n}";

Test(gate_acme, url_path)
{
	char p[ACME_URL_MAX + 1];
	char *long_url = malloc(ACME_URL_MAX + 2);

	cr_assert_eq(acme_url_path("https://127.0.0.1:14000/chalZ/x", p,
	                           sizeof(p)),
	             0);
	cr_assert_str_eq(p, "/chalZ/x");
	cr_assert_eq(acme_url_path("http://[::1]:80/a?b", p, sizeof(p)), 0);
	cr_assert_str_eq(p, "/a?b");
	cr_assert_eq(acme_url_path("/already", p, sizeof(p)), 0);
	cr_assert_str_eq(p, "/already");
	cr_assert_eq(acme_url_path("https://host-only", p, sizeof(p)), -1);
	cr_assert_eq(acme_url_path("ftp://x/y", p, sizeof(p)), -1);
	cr_assert_eq(acme_url_path("", p, sizeof(p)), -1);
	memset(long_url, 'a', ACME_URL_MAX + 1);
	long_url[0] = '/';
	long_url[ACME_URL_MAX + 1] = '\0';
	cr_assert_eq(acme_url_path(long_url, p, sizeof(p)), -1);
	free(long_url);
}

Test(gate_acme, authz_read_pebble)
{
	struct acme_authz a;

	cr_assert_eq(acme_authz_read(test_pebble_authz,
	                             strlen(test_pebble_authz), &a),
	             1);
	cr_assert_str_eq(a.value, "ok.gate.test");
	cr_assert_not(a.wildcard);
	cr_assert_eq(a.nchal, 3);
	cr_assert_str_eq(a.chal[1].path, "/chalZ/bbb");
	cr_assert_str_eq(a.chal[1].type, "http-01");
	cr_assert_not_null(strstr(a.chal[1].obj, "\"token\":\"t2\""),
	                   "%s", a.chal[1].obj);
	acme_authz_clear(&a);
}

Test(gate_acme, authz_wildcard)
{
	static const char w[] =
	        "{\"identifier\":{\"type\":\"dns\",\"value\":\"b.test\"},"
	        "\"wildcard\":true,\"challenges\":[{\"type\":\"dns-01\","
	        "\"url\":\"https://h/chalZ/w\"}]}";
	struct acme_authz a;

	cr_assert_eq(acme_authz_read(w, strlen(w), &a), 1);
	cr_assert(a.wildcard);
	cr_assert_str_eq(a.value, "b.test");
	acme_authz_clear(&a);
}

Test(gate_acme, authz_not_learned)
{
	static const char *const nots[] = {
	        test_pebble_order,
	        "{\"identifier\":{\"type\":\"ip\",\"value\":\"127.0.0.1\"},"
	        "\"challenges\":[{\"type\":\"http-01\",\"url\":\"/c\"}]}",
	        "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},"
	        "\"challenges\":[]}",
	        "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\\u0000b\"},"
	        "\"challenges\":[{\"type\":\"http-01\",\"url\":\"/c\"}]}",
	        "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},"
	        "\"wildcard\":\"yes\",\"challenges\":[{\"type\":\"http-01\","
	        "\"url\":\"/c\"}]}",
	        "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},"
	        "\"challenges\":[{\"type\":\"http-01\",\"url\":\"https://h\"}]}",
	        "{\"identifier\":{\"type\":\"dns\",\"value\":\"a\"},"
	        "\"challenges\":[{\"url\":\"/c\"}]}",
	        "[]",
	        "",
	};
	char many[4096];
	size_t off;

	for (size_t i = 0; i < sizeof(nots) / sizeof(nots[0]); i++) {
		struct acme_authz a;

		cr_assert_eq(acme_authz_read(nots[i], strlen(nots[i]), &a), 0,
		             "%s", nots[i]);
		cr_assert_null(a.value);
		cr_assert_eq(a.nchal, 0);
	}
	/* More than ACME_CHALLENGES_MAX challenges. */
	off = (size_t)snprintf(many, sizeof(many),
	                       "{\"identifier\":{\"type\":\"dns\",\"value\":"
	                       "\"a\"},\"challenges\":[");
	for (int i = 0; i <= ACME_CHALLENGES_MAX; i++) {
		off += (size_t)snprintf(many + off, sizeof(many) - off,
		                        "%s{\"type\":\"http-01\",\"url\":\"/c%d\"}",
		                        i > 0 ? "," : "", i);
	}
	(void)snprintf(many + off, sizeof(many) - off, "]}");
	{
		struct acme_authz a;

		cr_assert_eq(acme_authz_read(many, strlen(many), &a), 0);
	}
}

Test(gate_acme, order_read_pebble)
{
	struct acme_order o;

	cr_assert_eq(acme_order_read(test_pebble_order,
	                             strlen(test_pebble_order), &o),
	             1);
	cr_assert_eq(o.nids, 2);
	cr_assert_str_eq(o.ids[0], "a.test");
	cr_assert_str_eq(o.ids[1], "*.b.test");
	cr_assert_eq(o.nauthz, 2);
	cr_assert_str_eq(o.authz[1], "/authZ/a2");
	cr_assert_str_eq(o.finalize, "/finalize-order/fff");
	acme_order_clear(&o);
	cr_assert_eq(acme_order_read(test_pebble_authz,
	                             strlen(test_pebble_authz), &o),
	             0);
	cr_assert_null(o.finalize);
}

Test(gate_acme, order_over_100_identifiers_not_learned)
{
	char *big = malloc(64 * 1024);
	size_t off = 0;
	struct acme_order o;

	cr_assert_not_null(big);
	off += (size_t)snprintf(big, 64 * 1024,
	                        "{\"finalize\":\"/f\",\"authorizations\":[],"
	                        "\"identifiers\":[");
	for (int i = 0; i <= ACME_IDENTIFIERS_MAX; i++) {
		off += (size_t)snprintf(big + off, 64 * 1024 - off,
		                        "%s{\"type\":\"dns\",\"value\":\"n%d\"}",
		                        i > 0 ? "," : "", i);
	}
	(void)snprintf(big + off, 64 * 1024 - off, "]}");
	cr_assert_eq(acme_order_read(big, strlen(big), &o), 0);
	free(big);
}

/* ------------------------------------------------------------------ */
/* The invalid rewrites                                                */
/* ------------------------------------------------------------------ */

static const char test_problem[] =
        "{\"type\":\"urn:ietf:params:acme:error:caa\",\"detail\":\"While "
        "processing CAA for ok.gate.test: CAA record for ok.gate.test "
        "prevents issuance\",\"status\":403}";

Test(gate_acme, challenge_invalid)
{
	struct acme_authz a;
	char *c;
	json_t *j;

	cr_assert_eq(acme_authz_read(test_pebble_authz,
	                             strlen(test_pebble_authz), &a),
	             1);
	c = acme_challenge_invalid(a.chal[1].obj, strlen(a.chal[1].obj),
	                           test_problem);
	j = json_loads(c, 0, NULL);
	cr_assert_not_null(j, "%s", c);
	cr_assert_str_eq(json_string_value(json_object_get(j, "status")),
	                 "invalid");
	cr_assert_str_eq(json_string_value(json_object_get(j, "type")),
	                 "http-01");
	cr_assert_str_eq(json_string_value(json_object_get(j, "url")),
	                 "https://127.0.0.1:14000/chalZ/bbb");
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(j, "error"), "type")),
	                 "urn:ietf:params:acme:error:caa");
	cr_assert_eq(json_integer_value(json_object_get(
	                     json_object_get(j, "error"), "status")),
	             403);
	json_decref(j);
	cr_assert_null(acme_challenge_invalid("[1]", 3, test_problem));
	cr_assert_null(acme_challenge_invalid("{}", 2, "not json"));
	free(c);
	acme_authz_clear(&a);
}

Test(gate_acme, authz_invalid_keeps_only_the_failed_challenge)
{
	struct acme_authz a;
	char *c, *z;
	json_t *j, *chals;

	cr_assert_eq(acme_authz_read(test_pebble_authz,
	                             strlen(test_pebble_authz), &a),
	             1);
	c = acme_challenge_invalid(a.chal[1].obj, strlen(a.chal[1].obj),
	                           test_problem);
	z = acme_authz_invalid(test_pebble_authz, strlen(test_pebble_authz),
	                       c);
	j = json_loads(z, 0, NULL);
	cr_assert_not_null(j, "%s", z);
	cr_assert_str_eq(json_string_value(json_object_get(j, "status")),
	                 "invalid");
	chals = json_object_get(j, "challenges");
	cr_assert_eq(json_array_size(chals), 1);
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_array_get(chals, 0), "type")),
	                 "http-01");
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_array_get(chals, 0), "status")),
	                 "invalid");
	cr_assert_not_null(json_object_get(json_array_get(chals, 0), "error"));
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(j, "identifier"), "value")),
	                 "ok.gate.test");
	json_decref(j);
	cr_assert_null(acme_authz_invalid("nope", 4, c));
	free(z);
	free(c);
	acme_authz_clear(&a);
}

Test(gate_acme, order_invalid)
{
	char *o = acme_order_invalid(test_pebble_order,
	                             strlen(test_pebble_order), NULL);
	json_t *j = json_loads(o, 0, NULL);

	cr_assert_not_null(j, "%s", o);
	cr_assert_str_eq(json_string_value(json_object_get(j, "status")),
	                 "invalid");
	cr_assert_null(json_object_get(j, "error"));
	cr_assert_eq(json_array_size(json_object_get(j, "authorizations")), 2);
	json_decref(j);
	free(o);
	o = acme_order_invalid(test_pebble_order, strlen(test_pebble_order),
	                       test_problem);
	j = json_loads(o, 0, NULL);
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(j, "error"), "detail")),
	                 "While processing CAA for ok.gate.test: CAA record "
	                 "for ok.gate.test prevents issuance");
	json_decref(j);
	free(o);
}

Test(gate_acme, problem_with_subproblems)
{
	const struct acme_subproblem sub[] = {
	        {ACME_ERR_CAA, "While processing CAA for a.test: x", 403,
	         "a.test"},
	        {ACME_ERR_DNS, "While processing CAA for *.b.test: y", 400,
	         "*.b.test"},
	};
	char *doc = acme_problem_multi(ACME_ERR_CAA, "two failed", 403, sub, 2);
	json_t *j = json_loads(doc, 0, NULL);
	json_t *s1;

	cr_assert_not_null(j, "%s", doc);
	cr_assert_eq(json_array_size(json_object_get(j, "subproblems")), 2);
	s1 = json_array_get(json_object_get(j, "subproblems"), 1);
	cr_assert_str_eq(json_string_value(json_object_get(s1, "type")),
	                 ACME_ERR_DNS);
	cr_assert_eq(json_integer_value(json_object_get(s1, "status")), 400);
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(s1, "identifier"), "value")),
	                 "*.b.test");
	cr_assert_str_eq(json_string_value(json_object_get(
	                         json_object_get(s1, "identifier"), "type")),
	                 "dns");
	json_decref(j);
	free(doc);
	/* None: no subproblems member at all. */
	doc = acme_problem_multi(ACME_ERR_CAA, "one", 403, NULL, 0);
	j = json_loads(doc, 0, NULL);
	cr_assert_null(json_object_get(j, "subproblems"));
	json_decref(j);
	free(doc);
}

Test(gate_acme, directory_nonce_path)
{
	char p[ACME_URL_MAX + 1];

	cr_assert_eq(acme_directory_nonce(test_pebble_dir,
	                                  strlen(test_pebble_dir), p,
	                                  sizeof(p)),
	             1);
	cr_assert_str_eq(p, "/nonce-plz");
	cr_assert_eq(acme_directory_nonce("{\"newNonce\":\"/n\"}", 17, p,
	                                  sizeof(p)),
	             0);
}
