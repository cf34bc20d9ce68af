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

/* Entries in the order they were learned, at most MAX: the oldest goes
 * first. */
struct state_fifo {
	void **item; /* MAX slots */
	size_t max, head, n; /* the oldest, how many */
};

struct state {
	struct state_map authz, chal, order, fin;
	struct state_fifo authzs, orders;
	void *authz_slot[STATE_AUTHZ_MAX];
	void *order_slot[STATE_ORDERS_MAX];
};

/* Appends V to F.  Returns the oldest entry, pushed out to make room
 * (the caller drops it), or NULL when F had room. */
static void *
state_fifo_push(struct state_fifo *f, void *v)
{
	void *old = NULL;

	if (f->n == f->max) {
		old = f->item[f->head];
		f->head = (f->head + 1) % f->max;
		f->n--;
	}
	f->item[(f->head + f->n) % f->max] = v;
	f->n++;
	return old;
}

/* The I-th oldest entry of F, I < F->n. */
static void *
state_fifo_at(const struct state_fifo *f, size_t i)
{
	return f->item[(f->head + i) % f->max];
}

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
	struct state *s = calloc(1, sizeof(struct state));

	if (s != NULL) {
		s->authzs.item = s->authz_slot;
		s->authzs.max = STATE_AUTHZ_MAX;
		s->orders.item = s->order_slot;
		s->orders.max = STATE_ORDERS_MAX;
	}
	return s;
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
	for (size_t i = 0; i < s->authzs.n; i++) {
		state_authz_drop(s, state_fifo_at(&s->authzs, i));
	}
	for (size_t i = 0; i < s->orders.n; i++) {
		state_order_drop(s, state_fifo_at(&s->orders, i));
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
	void *old;

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
	old = state_fifo_push(&s->authzs, z);
	if (old != NULL) {
		state_authz_drop(s, old);
	}
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
	void *old;

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
	old = state_fifo_push(&s->orders, r);
	if (old != NULL) {
		state_order_drop(s, old);
	}
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
	return s->authzs.n;
}

size_t
state_order_count(const struct state *s)
{
	return s->orders.n;
}
