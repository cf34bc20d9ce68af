/*
 * gate/acme.c -- ACME objects the gate reads and writes (RFC 8555).
 */
#include "acme.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

/* Section 7.1.1: every directory names newNonce and newAccount. */
static int
acme_is_directory(const json_t *root)
{
	return json_is_object(root) &&
	       json_is_string(json_object_get(root, "newNonce")) &&
	       json_is_string(json_object_get(root, "newAccount"));
}

int
acme_directory_rewrite(const char *body, size_t len,
                       const char *const *cas, size_t ncas, char **out,
                       size_t *outlen)
{
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *meta, *ids = NULL;
	char *text = NULL;
	int rc = -ENOMEM;

	*out = NULL;
	*outlen = 0;
	if (!acme_is_directory(root)) {
		rc = 0;
		goto out;
	}
	meta = json_object_get(root, "meta");
	if (!json_is_object(meta)) {
		/* Absent (or not an object, which no client can read). */
		meta = json_object();
		if (meta == NULL || json_object_set_new(root, "meta", meta)) {
			goto out;
		}
	}
	ids = json_array();
	if (ids == NULL) {
		goto out;
	}
	for (size_t i = 0; i < ncas; i++) {
		if (json_array_append_new(ids, json_string(cas[i])) != 0) {
			goto out;
		}
	}
	if (json_object_set(meta, "caaIdentities", ids) != 0) {
		goto out;
	}
	text = json_dumps(root, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
	if (text == NULL) {
		goto out;
	}
	*out = text;
	*outlen = strlen(text);
	rc = 1;
out:
	json_decref(ids);
	json_decref(root);
	return rc;
}

/* DETAIL as a JSON string; bytes that are not UTF-8 become '?'. */
static json_t *
acme_detail(const char *detail)
{
	json_t *d = json_string(detail);
	char *copy;

	if (d != NULL) {
		return d;
	}
	copy = strdup(detail);
	if (copy == NULL) {
		return NULL;
	}
	for (char *p = copy; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80) {
			*p = '?';
		}
	}
	d = json_string(copy);
	free(copy);
	return d;
}

char *
acme_problem_build(const char *type, const char *detail, int status)
{
	json_t *doc = json_object();
	char *text = NULL;

	if (doc == NULL ||
	    json_object_set_new(doc, "type", json_string(type)) != 0 ||
	    json_object_set_new(doc, "detail", acme_detail(detail)) != 0 ||
	    json_object_set_new(doc, "status", json_integer(status)) != 0) {
		goto out;
	}
	text = json_dumps(doc, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
out:
	json_decref(doc);
	return text;
}

char *
acme_problem_multi(const char *type, const char *detail, int status,
                   const struct acme_subproblem *sub, size_t nsub)
{
	json_t *doc = json_object();
	json_t *subs = NULL;
	char *text = NULL;

	if (doc == NULL ||
	    json_object_set_new(doc, "type", json_string(type)) != 0 ||
	    json_object_set_new(doc, "detail", acme_detail(detail)) != 0 ||
	    json_object_set_new(doc, "status", json_integer(status)) != 0) {
		goto out;
	}
	if (nsub > 0) {
		subs = json_array();
		if (subs == NULL ||
		    json_object_set_new(doc, "subproblems", subs) != 0) {
			goto out;
		}
	}
	for (size_t i = 0; i < nsub; i++) {
		/* "o" steals its reference, also when json_pack() fails. */
		json_t *id = json_pack("{s:s,s:o}", "type", "dns", "value",
		                       acme_detail(sub[i].name));
		json_t *one = json_pack("{s:s,s:o,s:i,s:o}", "type",
		                        sub[i].type, "detail",
		                        acme_detail(sub[i].detail), "status",
		                        sub[i].status, "identifier", id);

		if (one == NULL || json_array_append_new(subs, one) != 0) {
			goto out;
		}
	}
	text = json_dumps(doc, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
out:
	json_decref(doc);
	return text;
}
