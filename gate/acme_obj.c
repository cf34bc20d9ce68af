/*
 * gate/acme_obj.c -- the ACME objects the CAA step learns and rewrites.
 */
#include "acme_obj.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

int
acme_url_path(const char *url, char *out, size_t size)
{
	const char *p = url;
	size_t len;

	if (strncmp(url, "https://", 8) == 0) {
		p = strchr(url + 8, '/');
	} else if (strncmp(url, "http://", 7) == 0) {
		p = strchr(url + 7, '/');
	}
	if (p == NULL || p[0] != '/') {
		return -1;
	}
	len = strlen(p);
	if (strlen(url) > ACME_URL_MAX || len + 1 > size) {
		return -1;
	}
	memcpy(out, p, len + 1);
	return 0;
}

/* A JSON string without NUL of at most MAX bytes, or NULL. */
static const char *
obj_string(const json_t *v, size_t max)
{
	const char *s = json_string_value(v);

	if (s == NULL || json_string_length(v) > max ||
	    strlen(s) != json_string_length(v)) {
		return NULL;
	}
	return s;
}

/* The path of the URL string V, as a new string; NULL if none. */
static char *
obj_path(const json_t *v, int *nomem)
{
	const char *url = obj_string(v, ACME_URL_MAX);
	char buf[ACME_URL_MAX + 1];
	char *p;

	if (url == NULL || acme_url_path(url, buf, sizeof(buf)) != 0) {
		return NULL;
	}
	p = strdup(buf);
	if (p == NULL) {
		*nomem = 1;
	}
	return p;
}

void
acme_authz_clear(struct acme_authz *a)
{
	free(a->value);
	for (size_t i = 0; i < a->nchal; i++) {
		free(a->chal[i].path);
		free(a->chal[i].type);
		free(a->chal[i].obj);
	}
	memset(a, 0, sizeof(*a));
}

int
acme_authz_read(const char *body, size_t len, struct acme_authz *out)
{
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *id, *chals, *wild, *c;
	const char *value;
	size_t i;
	int nomem = 0, rc = 0;
	bool bad = false;

	memset(out, 0, sizeof(*out));
	id = json_object_get(root, "identifier");
	chals = json_object_get(root, "challenges");
	wild = json_object_get(root, "wildcard");
	value = obj_string(json_object_get(id, "value"), ACME_NAME_MAX);
	if (!json_is_object(root) || value == NULL ||
	    !json_is_array(chals) || json_array_size(chals) == 0 ||
	    json_array_size(chals) > ACME_CHALLENGES_MAX ||
	    (wild != NULL && !json_is_boolean(wild)) ||
	    !json_is_string(json_object_get(id, "type")) ||
	    strcmp(json_string_value(json_object_get(id, "type")), "dns") != 0) {
		goto out;
	}
	out->value = strdup(value);
	out->wildcard = json_is_true(wild);
	nomem = out->value == NULL;
	json_array_foreach(chals, i, c) {
		struct acme_challenge *ch = &out->chal[out->nchal];
		const char *type = obj_string(json_object_get(c, "type"), 64);

		if (nomem || !json_is_object(c) || type == NULL) {
			break;
		}
		ch->path = obj_path(json_object_get(c, "url"), &nomem);
		ch->type = strdup(type);
		ch->obj = json_dumps(c, JSON_COMPACT | JSON_PRESERVE_ORDER);
		out->nchal++;
		if (ch->path == NULL || ch->type == NULL || ch->obj == NULL) {
			nomem = nomem || ch->type == NULL || ch->obj == NULL;
			bad = true; /* a url without a path: not learned */
			break;
		}
	}
	if (!nomem && !bad && out->nchal == json_array_size(chals)) {
		rc = 1;
	}
out:
	if (rc != 1) {
		acme_authz_clear(out);
	}
	json_decref(root);
	return nomem ? -ENOMEM : rc;
}

void
acme_order_clear(struct acme_order *o)
{
	for (size_t i = 0; i < o->nauthz; i++) {
		free(o->authz[i]);
	}
	for (size_t i = 0; i < o->nids; i++) {
		free(o->ids[i]);
	}
	free(o->authz);
	free(o->ids);
	free(o->finalize);
	memset(o, 0, sizeof(*o));
}

int
acme_order_read(const char *body, size_t len, struct acme_order *out)
{
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
	json_t *ids, *authz, *v;
	size_t i;
	int nomem = 0, rc = 0;

	memset(out, 0, sizeof(*out));
	ids = json_object_get(root, "identifiers");
	authz = json_object_get(root, "authorizations");
	if (!json_is_object(root) || !json_is_array(ids) ||
	    !json_is_array(authz) || json_array_size(ids) == 0 ||
	    json_array_size(ids) > ACME_IDENTIFIERS_MAX ||
	    json_array_size(authz) > ACME_IDENTIFIERS_MAX) {
		goto out;
	}
	out->finalize = obj_path(json_object_get(root, "finalize"), &nomem);
	out->ids = calloc(json_array_size(ids), sizeof(char *));
	out->authz = calloc(json_array_size(authz) + 1, sizeof(char *));
	if (out->finalize == NULL || out->ids == NULL || out->authz == NULL) {
		nomem = nomem || out->ids == NULL || out->authz == NULL;
		goto out;
	}
	json_array_foreach(ids, i, v) {
		const char *s = obj_string(json_object_get(v, "value"),
		                           ACME_NAME_MAX);

		if (s == NULL) {
			goto out;
		}
		out->ids[out->nids] = strdup(s);
		if (out->ids[out->nids] == NULL) {
			nomem = 1;
			goto out;
		}
		out->nids++;
	}
	json_array_foreach(authz, i, v) {
		out->authz[out->nauthz] = obj_path(v, &nomem);
		if (out->authz[out->nauthz] == NULL) {
			goto out;
		}
		out->nauthz++;
	}
	rc = 1;
out:
	if (rc != 1) {
		acme_order_clear(out);
	}
	json_decref(root);
	return nomem ? -ENOMEM : rc;
}

/* ROOT (an object, owned) with status invalid, dumped; NULL on failure. */
static char *
obj_invalid_dump(json_t *root)
{
	char *text = NULL;

	if (json_object_set_new(root, "status", json_string("invalid")) == 0) {
		text = json_dumps(root, JSON_INDENT(3) | JSON_PRESERVE_ORDER);
	}
	json_decref(root);
	return text;
}

static json_t *
obj_load(const char *body, size_t len)
{
	json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);

	if (!json_is_object(root)) {
		json_decref(root);
		return NULL;
	}
	return root;
}

char *
acme_challenge_invalid(const char *chal, size_t len, const char *problem)
{
	json_t *root = obj_load(chal, len);
	json_t *err = obj_load(problem, strlen(problem));

	if (root == NULL || err == NULL ||
	    json_object_set_new(root, "error", err) != 0) {
		json_decref(root);
		json_decref(root == NULL ? err : NULL);
		return NULL;
	}
	return obj_invalid_dump(root);
}

char *
acme_authz_invalid(const char *body, size_t len, const char *chal)
{
	json_t *root = obj_load(body, len);
	json_t *c = obj_load(chal, strlen(chal));
	json_t *list = json_array();

	/* json_array_append_new() takes C, also when it fails. */
	if (list == NULL || json_array_append_new(list, c) != 0 ||
	    root == NULL) {
		json_decref(list == NULL ? c : NULL);
		json_decref(list);
		json_decref(root);
		return NULL;
	}
	if (json_object_set_new(root, "challenges", list) != 0) {
		json_decref(root);
		return NULL;
	}
	return obj_invalid_dump(root);
}

char *
acme_order_invalid(const char *body, size_t len, const char *problem)
{
	json_t *root = obj_load(body, len);
	json_t *err = NULL;

	if (root == NULL) {
		return NULL;
	}
	if (problem != NULL) {
		err = obj_load(problem, strlen(problem));
		if (err == NULL ||
		    json_object_set_new(root, "error", err) != 0) {
			json_decref(root);
			return NULL;
		}
	}
	return obj_invalid_dump(root);
}

int
acme_directory_nonce(const char *body, size_t len, char *out, size_t size)
{
	json_t *root = obj_load(body, len);
	const char *url;
	int rc = 0;

	url = obj_string(json_object_get(root, "newNonce"), ACME_URL_MAX);
	if (url != NULL &&
	    json_is_string(json_object_get(root, "newAccount")) &&
	    acme_url_path(url, out, size) == 0) {
		rc = 1;
	}
	json_decref(root);
	return rc;
}
