/*
 * tests/unit/test_gate_state.c -- what caa-gate learned, bounded: the
 * maps from challenge and finalize paths, what a second learning keeps,
 * and the bound (the oldest forgotten first).
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state.h"

/* An authorization of NAME with one challenge at /chalZ/ID. */
static void
test_authz(struct acme_authz *a, const char *name, unsigned id)
{
	char path[64];

	memset(a, 0, sizeof(*a));
	(void)snprintf(path, sizeof(path), "/chalZ/%u", id);
	a->value = strdup(name);
	a->nchal = 1;
	a->chal[0].path = strdup(path);
	a->chal[0].type = strdup("http-01");
	a->chal[0].obj = strdup("{\"type\":\"http-01\"}");
}

/* An order with the authorization /authZ/ID and finalize /fin/ID. */
static void
test_order(struct acme_order *o, unsigned id)
{
	char path[64];

	memset(o, 0, sizeof(*o));
	o->authz = calloc(1, sizeof(char *));
	o->ids = calloc(1, sizeof(char *));
	(void)snprintf(path, sizeof(path), "/authZ/%u", id);
	o->authz[0] = strdup(path);
	o->nauthz = 1;
	o->ids[0] = strdup("a.test");
	o->nids = 1;
	(void)snprintf(path, sizeof(path), "/fin/%u", id);
	o->finalize = strdup(path);
}

Test(gate_state, challenge_and_finalize_paths)
{
	struct state *s = state_new();
	struct acme_authz a;
	struct acme_order o;
	struct state_authz *z;
	struct state_order *r;
	size_t idx = 9;

	cr_assert_not_null(s);
	test_authz(&a, "a.test", 1);
	z = state_authz_learn(s, "/authZ/1", &a);
	cr_assert_not_null(z);
	cr_assert_null(a.value, "moved in");
	cr_assert_eq(state_challenge_find(s, "/chalZ/1", &idx), z);
	cr_assert_eq(idx, 0);
	cr_assert_null(state_challenge_find(s, "/chalZ/2", &idx));
	cr_assert_eq(state_authz_find(s, "/authZ/1"), z);

	test_order(&o, 1);
	r = state_order_learn(s, "/order/1", &o);
	cr_assert_not_null(r);
	cr_assert_eq(state_finalize_find(s, "/fin/1"), r);
	cr_assert_eq(state_order_find(s, "/order/1"), r);
	cr_assert_not(state_order_failed(s, r));
	z->failed = strdup("{}");
	cr_assert(state_order_failed(s, r), "its authorization failed");
	state_free(s);
}

Test(gate_state, learned_again_keeps_the_first)
{
	struct state *s = state_new();
	struct acme_authz a;
	struct state_authz *z, *z2;

	test_authz(&a, "a.test", 1);
	z = state_authz_learn(s, "/authZ/1", &a);
	z->failed = strdup("{\"status\":\"invalid\"}");
	test_authz(&a, "b.test", 2);
	z2 = state_authz_learn(s, "/authZ/1", &a);
	cr_assert_eq(z2, z);
	cr_assert_str_eq(z2->a.value, "a.test");
	cr_assert_not_null(z2->failed, "the decision is kept");
	cr_assert_null(a.value, "the second one freed");
	cr_assert_eq(state_authz_count(s), 1);
	state_free(s);
}

/* 65536 + 10 of each: the first 10 forgotten, the rest found. */
Test(gate_state, bounded_fifo, .timeout = 60)
{
	struct state *s = state_new();
	const unsigned n = STATE_AUTHZ_MAX + 10;
	char path[64];
	size_t idx;

	for (unsigned i = 0; i < n; i++) {
		struct acme_authz a;
		struct acme_order o;

		test_authz(&a, "a.test", i);
		(void)snprintf(path, sizeof(path), "/authZ/%u", i);
		cr_assert_not_null(state_authz_learn(s, path, &a));
		test_order(&o, i);
		(void)snprintf(path, sizeof(path), "/order/%u", i);
		cr_assert_not_null(state_order_learn(s, path, &o));
	}
	cr_assert_eq(state_authz_count(s), STATE_AUTHZ_MAX);
	cr_assert_eq(state_order_count(s), STATE_ORDERS_MAX);
	for (unsigned i = 0; i < 10; i++) {
		(void)snprintf(path, sizeof(path), "/authZ/%u", i);
		cr_assert_null(state_authz_find(s, path), "%s", path);
		(void)snprintf(path, sizeof(path), "/chalZ/%u", i);
		cr_assert_null(state_challenge_find(s, path, &idx), "%s", path);
		(void)snprintf(path, sizeof(path), "/fin/%u", i);
		cr_assert_null(state_finalize_find(s, path), "%s", path);
	}
	for (unsigned i = 10; i < n; i += 997) {
		(void)snprintf(path, sizeof(path), "/chalZ/%u", i);
		cr_assert_not_null(state_challenge_find(s, path, &idx), "%s",
		                   path);
		(void)snprintf(path, sizeof(path), "/order/%u", i);
		cr_assert_not_null(state_order_find(s, path), "%s", path);
	}
	(void)snprintf(path, sizeof(path), "/fin/%u", n - 1);
	cr_assert_not_null(state_finalize_find(s, path));
	state_free(s);
}
