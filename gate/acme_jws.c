/*
 * gate/acme_jws.c -- the JWS of an ACME request, read, never altered.
 */
#include "acme_jws.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static int
jws_b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == '-') {
		return 62;
	}
	if (c == '_') {
		return 63;
	}
	return -1;
}

long
acme_b64url_decode(const char *in, size_t len, unsigned char *out)
{
	unsigned long acc = 0;
	int bits = 0;
	long n = 0;

	/* One character left over carries only 6 bits: never a byte. */
	if (len % 4 == 1) {
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		int v = jws_b64_value((unsigned char)in[i]);

		if (v < 0) {
			return -1;
		}
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (unsigned char)(acc >> bits);
			acc &= (1UL << bits) - 1;
		}
	}
	return n;
}

static int
jws_fail(char *why, size_t whylen, const char *what)
{
	(void)snprintf(why, whylen, "%s", what);
	return -1;
}

/* The protected header HDR (base64url) -> OUT's kid. */
static int
jws_header(const char *hdr, size_t len, struct acme_jws *out, char *why,
           size_t whylen)
{
	unsigned char *raw;
	json_t *h, *kid;
	long n;

	if (len / 4 * 3 > ACME_PROTECTED_MAX + 3) {
		(void)snprintf(why, whylen,
		               "the protected header is over %d bytes",
		               ACME_PROTECTED_MAX);
		return -1;
	}
	raw = malloc(len / 4 * 3 + 3);
	if (raw == NULL) {
		return -ENOMEM;
	}
	n = acme_b64url_decode(hdr, len, raw);
	if (n < 0) {
		free(raw);
		return jws_fail(why, whylen,
		                "the protected header is not base64url");
	}
	if (n > ACME_PROTECTED_MAX) {
		free(raw);
		(void)snprintf(why, whylen,
		               "the protected header is over %d bytes",
		               ACME_PROTECTED_MAX);
		return -1;
	}
	h = json_loadb((const char *)raw, (size_t)n, JSON_REJECT_DUPLICATES,
	               NULL);
	free(raw);
	if (!json_is_object(h)) {
		json_decref(h);
		return jws_fail(why, whylen,
		                "the protected header is not a JSON object");
	}
	kid = json_object_get(h, "kid");
	if (json_is_string(kid) && json_string_length(kid) <= ACME_KID_MAX &&
	    strlen(json_string_value(kid)) == json_string_length(kid)) {
		memcpy(out->kid, json_string_value(kid),
		       json_string_length(kid) + 1);
		out->has_kid = true;
	}
	json_decref(h);
	return 0;
}

int
acme_jws_read(const char *body, size_t len, struct acme_jws *out,
              char *why, size_t whylen)
{
	json_t *root, *prot, *payload;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len > ACME_JWS_MAX) {
		(void)snprintf(why, whylen, "the body is over %d bytes",
		               ACME_JWS_MAX);
		return -1;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	if (root == NULL) {
		return jws_fail(why, whylen, "the body is not JSON");
	}
	if (!json_is_object(root)) {
		json_decref(root);
		return jws_fail(why, whylen, "the body is not a JSON object");
	}
	prot = json_object_get(root, "protected");
	payload = json_object_get(root, "payload");
	if (!json_is_string(prot)) {
		rc = jws_fail(why, whylen, "it has no protected header");
	} else if (!json_is_string(payload)) {
		rc = jws_fail(why, whylen, "it has no payload");
	} else {
		out->payload_empty = json_string_length(payload) == 0;
		rc = jws_header(json_string_value(prot),
		                json_string_length(prot), out, why, whylen);
	}
	json_decref(root);
	return rc;
}
