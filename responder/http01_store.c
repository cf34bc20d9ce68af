/*
 * responder/http01_store.c -- the HTTP-01 server's tables: tokens and
 * their key authorizations, redirects, and the requests it got.
 *
 * The tables are small (at most HTTP01_TOKENS_MAX entries) and read once
 * a request, so they are arrays searched in order; the history is a ring
 * of HTTP01_HISTORY_MAX pointers, made at the first request.
 */
#include "http01.h"
#include "http01_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The entry of KEY in V[0..N), or NULL. */
static struct http01_pair *
http01_pair_find(struct http01_pair *v, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(v[i].key, key) == 0) {
			return &v[i];
		}
	}
	return NULL;
}

/*
 * Set KEY to VALUE in *V (*N used, *A allocated, at most MAX).  Returns 0,
 * -E2BIG (KEY over KEYMAX or VALUE over VALMAX octets), -ENOSPC or
 * -ENOMEM; on error *V is as it was.
 */
static int
http01_pair_set(struct http01_pair **v, size_t *n, size_t *a, size_t max,
                const char *key, size_t keymax, const char *value,
                size_t valmax)
{
	size_t klen = strlen(key), vlen = strlen(value);
	struct http01_pair *p = http01_pair_find(*v, *n, key);
	char *text;

	if (klen > keymax || vlen > valmax) {
		return -E2BIG;
	}
	if (p == NULL && *n == max) {
		return -ENOSPC;
	}
	if (p == NULL && *n == *a) {
		size_t na = *a == 0 ? 16 : *a * 2;
		struct http01_pair *nv;

		na = na > max ? max : na;
		nv = realloc(*v, na * sizeof(*nv));
		if (nv == NULL) {
			return -ENOMEM;
		}
		*v = nv;
		*a = na;
	}
	text = malloc(klen + vlen + 2);
	if (text == NULL) {
		return -ENOMEM;
	}
	memcpy(text, key, klen + 1);
	memcpy(text + klen + 1, value, vlen + 1);
	if (p == NULL) {
		p = &(*v)[(*n)++];
	} else {
		free(p->key);
	}
	p->key = text;
	p->value = text + klen + 1;
	return 0;
}

/* Remove KEY from V[0..*N); the last entry takes its place. */
static bool
http01_pair_del(struct http01_pair *v, size_t *n, const char *key)
{
	struct http01_pair *p = http01_pair_find(v, *n, key);

	if (p == NULL) {
		return false;
	}
	free(p->key);
	*p = v[--*n];
	return true;
}

struct http01 *
http01_new(void)
{
	return calloc(1, sizeof(struct http01));
}

int
http01_token_add(struct http01 *h, const char *token, const char *content)
{
	return http01_pair_set(&h->tokens, &h->ntokens, &h->atokens,
	                       HTTP01_TOKENS_MAX, token, HTTP01_TOKEN_MAX,
	                       content, HTTP01_CONTENT_MAX);
}

bool
http01_token_del(struct http01 *h, const char *token)
{
	return http01_pair_del(h->tokens, &h->ntokens, token);
}

const char *
http01_token_find(const struct http01 *h, const char *token)
{
	const struct http01_pair *p =
	        http01_pair_find(h->tokens, h->ntokens, token);

	return p != NULL ? p->value : NULL;
}

int
http01_redirect_add(struct http01 *h, const char *path, const char *target)
{
	return http01_pair_set(&h->redirects, &h->nredirects, &h->aredirects,
	                       HTTP01_REDIRECTS_MAX, path, HTTP01_TOKEN_MAX,
	                       target, HTTP01_TARGET_MAX);
}

bool
http01_redirect_del(struct http01 *h, const char *path)
{
	return http01_pair_del(h->redirects, &h->nredirects, path);
}

const char *
http01_redirect_find(const struct http01 *h, const char *path)
{
	const struct http01_pair *p =
	        http01_pair_find(h->redirects, h->nredirects, path);

	return p != NULL ? p->value : NULL;
}

/* ------------------------------------------------------------ history */

static struct http01_rec **
http01_slot(const struct http01 *h, size_t i)
{
	return &h->ring[(h->head + i) % HTTP01_HISTORY_MAX];
}

/* Copy S, cut to HTTP01_FIELD_MAX octets, to *P; returns the copy. */
static const char *
http01_field_put(char **p, const char *s)
{
	size_t n = strnlen(s, HTTP01_FIELD_MAX);
	char *d = *p;

	memcpy(d, s, n);
	d[n] = '\0';
	*p += n + 1;
	return d;
}

int
http01_history_add(struct http01 *h, const char *url, const char *host,
                   const char *user_agent)
{
	size_t n = strnlen(url, HTTP01_FIELD_MAX) +
	           strnlen(host, HTTP01_FIELD_MAX) +
	           strnlen(user_agent, HTTP01_FIELD_MAX) + 3;
	struct http01_rec *r;
	char *p;

	if (h->ring == NULL) {
		h->ring = calloc(HTTP01_HISTORY_MAX, sizeof(*h->ring));
		if (h->ring == NULL) {
			return -ENOMEM;
		}
	}
	r = malloc(sizeof(*r) + n);
	if (r == NULL) {
		return -ENOMEM;
	}
	p = r->text;
	r->ev.url = http01_field_put(&p, url);
	r->ev.host = http01_field_put(&p, host);
	r->ev.user_agent = http01_field_put(&p, user_agent);
	if (h->n == HTTP01_HISTORY_MAX) {
		free(*http01_slot(h, 0)); /* full: the oldest goes */
		h->head = (h->head + 1) % HTTP01_HISTORY_MAX;
		h->n--;
	}
	*http01_slot(h, h->n++) = r;
	return 0;
}

size_t
http01_history_count(const struct http01 *h)
{
	return h->n;
}

const struct http01_event *
http01_history_get(const struct http01 *h, size_t i)
{
	return i < h->n ? &(*http01_slot(h, i))->ev : NULL;
}

/*
 * The length of the host part of the Host value S[0..N), as Go's
 * net.SplitHostPort splits it ("[::1]:80" -> "::1", at *START 1); S
 * whole when it does not split (no port, or colons without brackets).
 */
static size_t
http01_host_part(const char *s, size_t n, size_t *start)
{
	const char *colon = memchr(s, ':', n);

	*start = 0;
	if (n > 0 && s[0] == '[') {
		const char *end = memchr(s, ']', n);

		if (end != NULL && end + 1 < s + n && end[1] == ':' &&
		    memchr(end + 2, ':', (size_t)(s + n - end - 2)) == NULL) {
			*start = 1;
			return (size_t)(end - s) - 1;
		}
		return n;
	}
	if (colon != NULL &&
	    memchr(colon + 1, ':', (size_t)(s + n - colon - 1)) == NULL) {
		return (size_t)(colon - s);
	}
	return n;
}

bool
http01_event_matches(const struct http01_event *e, const char *host)
{
	size_t start, n = http01_host_part(e->host, strlen(e->host), &start);
	size_t m = strlen(host);
	const char *k = e->host + start;

	if (n > 0 && k[n - 1] == '.') {
		n--;
	}
	if (m > 0 && host[m - 1] == '.') {
		m--;
	}
	return n == m && strncasecmp(k, host, n) == 0;
}

size_t
http01_history_remove(struct http01 *h, const char *host)
{
	size_t kept = 0, n = h->n;

	for (size_t i = 0; i < n; i++) {
		struct http01_rec *r = *http01_slot(h, i);

		if (http01_event_matches(&r->ev, host)) {
			free(r);
			continue;
		}
		*http01_slot(h, kept++) = r;
	}
	h->n = kept;
	return n - kept;
}

void
http01_store_clear(struct http01 *h)
{
	for (size_t i = 0; i < h->ntokens; i++) {
		free(h->tokens[i].key);
	}
	for (size_t i = 0; i < h->nredirects; i++) {
		free(h->redirects[i].key);
	}
	for (size_t i = 0; i < h->n; i++) {
		free(*http01_slot(h, i));
	}
	free(h->tokens);
	free(h->redirects);
	free(h->ring);
	h->tokens = NULL;
	h->redirects = NULL;
	h->ring = NULL;
	h->ntokens = h->atokens = h->nredirects = h->aredirects = 0;
	h->head = h->n = 0;
}
