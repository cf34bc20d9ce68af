/*
 * gate/state.c -- what the gate learned from the replies it relayed.
 */
#include "state.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STATE_BUCKETS 65536 /* per map; a power of two */

/* One key -> value link in a map's chain. */
struct state_node {
	struct state_node *next;
	const char *key; /* borrowed from the value */
	void *val;
};

struct state_map {
	struct state_node *b[STATE_BUCKETS];
};

struct state {
	struct state_map authz, chal, order, fin;
	struct state_authz *authz_ring[STATE_AUTHZ_MAX];
	size_t authz_head, nauthz; /* the oldest, how many */
	struct state_order *order_ring[STATE_ORDERS_MAX];
	size_t order_head, norder;
};

/* FNV-1a. */
static size_t
state_hash(const char *key)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)key; *p != '\0';
	     p++) {
		h = (h ^ *p) * 16777619u;
	}
	return h & (STATE_BUCKETS - 1);
}

static void *
state_map_get(const struct state_map *m, const char *key)
{
	for (struct state_node *n = m->b[state_hash(key)]; n != NULL;
	     n = n->next) {
		if (strcmp(n->key, key) == 0) {
			return n->val;
		}
	}
	return NULL;
}

/* KEY -> VAL in front of any older link of KEY; 0 or -1. */
static int
state_map_put(struct state_map *m, const char *key, void *val)
{
	struct state_node *n = malloc(sizeof(*n));
	size_t h = state_hash(key);

	if (n == NULL) {
		return -1;
	}
	n->key = key;
	n->val = val;
	n->next = m->b[h];
	m->b[h] = n;
	return 0;
}

/* Drops the link KEY -> VAL, if there. */
static void
state_map_del(struct state_map *m, const char *key, const void *val)
{
	struct state_node **pp = &m->b[state_hash(key)];

	for (; *pp != NULL; pp = &(*pp)->next) {
		if ((*pp)->val == val && strcmp((*pp)->key, key) == 0) {
			struct state_node *dead = *pp;

			*pp = dead->next;
			free(dead);
			return;
		}
	}
}

static void
state_map_clear(struct state_map *m)
{
	for (size_t i = 0; i < STATE_BUCKETS; i++) {
		while (m->b[i] != NULL) {
			struct state_node *n = m->b[i];

			m->b[i] = n->next;
			free(n);
		}
	}
}

struct state *
state_new(void)
{
	return calloc(1, sizeof(struct state));
}

static void
state_authz_drop(struct state *s, struct state_authz *z)
{
	state_map_del(&s->authz, z->path, z);
	for (size_t i = 0; i < z->a.nchal; i++) {
		state_map_del(&s->chal, z->a.chal[i].path, z);
	}
	acme_authz_clear(&z->a);
	free(z->path);
	free(z->method);
	free(z->failed);
	free(z->failed_path);
	free(z);
}

static void
state_order_drop(struct state *s, struct state_order *o)
{
	state_map_del(&s->order, o->path, o);
	state_map_del(&s->fin, o->o.finalize, o);
	acme_order_clear(&o->o);
	free(o->path);
	free(o->error);
	free(o);
}

void
state_free(struct state *s)
{
	if (s == NULL) {
		return;
	}
	for (size_t i = 0; i < s->nauthz; i++) {
		struct state_authz *z =
		        s->authz_ring[(s->authz_head + i) % STATE_AUTHZ_MAX];

		acme_authz_clear(&z->a);
		free(z->path);
		free(z->method);
		free(z->failed);
		free(z->failed_path);
		free(z);
	}
	for (size_t i = 0; i < s->norder; i++) {
		struct state_order *o =
		        s->order_ring[(s->order_head + i) % STATE_ORDERS_MAX];

		acme_order_clear(&o->o);
		free(o->path);
		free(o->error);
		free(o);
	}
	state_map_clear(&s->authz);
	state_map_clear(&s->chal);
	state_map_clear(&s->order);
	state_map_clear(&s->fin);
	free(s);
}

struct state_authz *
state_authz_learn(struct state *s, const char *path, struct acme_authz *a)
{
	struct state_authz *z = state_authz_find(s, path);

	if (z != NULL) {
		acme_authz_clear(a);
		return z;
	}
	z = calloc(1, sizeof(*z));
	if (z == NULL || (z->path = strdup(path)) == NULL) {
		free(z);
		acme_authz_clear(a);
		return NULL;
	}
	z->a = *a;
	memset(a, 0, sizeof(*a));
	if (state_map_put(&s->authz, z->path, z) != 0) {
		state_authz_drop(s, z);
		return NULL;
	}
	for (size_t i = 0; i < z->a.nchal; i++) {
		if (state_map_put(&s->chal, z->a.chal[i].path, z) != 0) {
			state_authz_drop(s, z); /* drops what is not there */
			return NULL;
		}
	}
	if (s->nauthz == STATE_AUTHZ_MAX) {
		state_authz_drop(s, s->authz_ring[s->authz_head]);
		s->authz_head = (s->authz_head + 1) % STATE_AUTHZ_MAX;
		s->nauthz--;
	}
	s->authz_ring[(s->authz_head + s->nauthz) % STATE_AUTHZ_MAX] = z;
	s->nauthz++;
	return z;
}

struct state_authz *
state_authz_find(const struct state *s, const char *path)
{
	return state_map_get(&s->authz, path);
}

struct state_authz *
state_challenge_find(const struct state *s, const char *path, size_t *index)
{
	struct state_authz *z = state_map_get(&s->chal, path);

	for (size_t i = 0; z != NULL && i < z->a.nchal; i++) {
		if (strcmp(z->a.chal[i].path, path) == 0) {
			*index = i;
			return z;
		}
	}
	return NULL;
}

struct state_order *
state_order_learn(struct state *s, const char *path, struct acme_order *o)
{
	struct state_order *r = state_order_find(s, path);

	if (r != NULL) {
		acme_order_clear(o);
		return r;
	}
	r = calloc(1, sizeof(*r));
	if (r == NULL || (r->path = strdup(path)) == NULL) {
		free(r);
		acme_order_clear(o);
		return NULL;
	}
	r->o = *o;
	memset(o, 0, sizeof(*o));
	if (state_map_put(&s->order, r->path, r) != 0 ||
	    state_map_put(&s->fin, r->o.finalize, r) != 0) {
		state_order_drop(s, r);
		return NULL;
	}
	if (s->norder == STATE_ORDERS_MAX) {
		state_order_drop(s, s->order_ring[s->order_head]);
		s->order_head = (s->order_head + 1) % STATE_ORDERS_MAX;
		s->norder--;
	}
	s->order_ring[(s->order_head + s->norder) % STATE_ORDERS_MAX] = r;
	s->norder++;
	return r;
}

struct state_order *
state_order_find(const struct state *s, const char *path)
{
	return state_map_get(&s->order, path);
}

struct state_order *
state_finalize_find(const struct state *s, const char *path)
{
	return state_map_get(&s->fin, path);
}

bool
state_order_failed(const struct state *s, const struct state_order *o)
{
	for (size_t i = 0; i < o->o.nauthz; i++) {
		const struct state_authz *z = state_authz_find(s, o->o.authz[i]);

		if (z != NULL && z->failed != NULL) {
			return true;
		}
	}
	return false;
}

size_t
state_authz_count(const struct state *s)
{
	return s->nauthz;
}

size_t
state_order_count(const struct state *s)
{
	return s->norder;
}
