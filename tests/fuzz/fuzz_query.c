/*
 * tests/fuzz/fuzz_query.c -- the responder's query path, bytes in and bytes
 * out: query_handle() over the zones of zones/ (and example.test and
 * types.test of tests/data/: wildcard CNAMEs that cover their own target,
 * a DNAME met twice, NS, MX and SRV with additional sections), without rules and with a few fault rules, as UDP and as TCP,
 * from IPv4 and IPv6; with default addresses (as --default-ipv4/6) too;
 * from given sources, to rules with from= and to a view (--view) whose
 * zones are the signed ones.
 * And over the same zones plus tests/data/dnssec/ signed at load (as
 * --dnssec, NSEC and NSEC3): every answer parses, and one to a query
 * without DO holds no RRSIG, NSEC or NSEC3 it was not asked for.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include <ldns/ldns.h>

#include "dnssec.h"
#include "fault.h"
#include "query.h"
#include "zone.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct zone_set *zones;
static struct zone_set *signed_nsec, *signed_nsec3;
static struct query_env env_nsec, env_nsec3;
static struct fault_set *faults;
static struct query_env env_plain;
static struct query_env env_faults;
static struct query_env env_defaults;
static struct query_env env_views;
static struct query_view views[2];
static struct sockaddr_in from_view;     /* 127.0.0.2: in views[0] */
static struct sockaddr_in6 from_mapped;  /* ::ffff:10.0.0.1: IPv4 rules */
static struct sockaddr_in6 from_v6;      /* 2001:db8::1: IPv6 rules */
static const struct query_defaults defaults = {
        true, true, {192, 0, 2, 1}, {0x20, 0x01, 0x0d, 0xb8, [15] = 1}};
static uint8_t out[65535];

static const char *const rules[] = {
        "servfail flag0.caa.test CAA",
        "truncate *.big.test CAA tcp=normal",
        "garble *.caa.test CAA every=2",
        "garble www.example.test * transport=tcp",
        "refused alias.test * ede=20",
        "wrongid www.example.test A every=2",
        "nodata *.example.test TXT p=0.5 ede=3",
        "drop drop.example.test * count=3",
        "delay example.test CAA ms=5",
        "noaa . AAAA after=1",
        "nosoa *.test * transport=udp family=6",
        "servfail *.caa.test CAA from=10.0.0.0/8",
        "refused . * from=2001:db8::/32 every=2",
        "garble www.example.test * from=127.0.0.2",
};

/* The zones signed as --dnssec signs them, with NSEC, then NSEC3. */
static void
setup_signed(void)
{
	const char *files[] = {CAA_SOURCE_DIR "/zones/test.zone",
	                       CAA_SOURCE_DIR "/zones/caa.test.zone",
	                       CAA_SOURCE_DIR "/zones/alias.test.zone",
	                       CAA_SOURCE_DIR "/tests/data/example.test.zone",
	                       CAA_SOURCE_DIR "/tests/data/dnssec/sig.test.zone",
	                       CAA_SOURCE_DIR
	                       "/tests/data/dnssec/child.sig.test.zone"};
	size_t n = sizeof(files) / sizeof(files[0]);
	char err[512];

	dnssec_configure(&(struct dnssec_config){.on = true});
	signed_nsec = zone_set_load(files, n, err, sizeof(err));
	dnssec_configure(&(struct dnssec_config){.on = true, .nsec3 = true});
	signed_nsec3 = zone_set_load(files, n, err, sizeof(err));
	if (signed_nsec == NULL || signed_nsec3 == NULL) {
		fprintf(stderr, "fuzz_query: signed zones: %s\n", err);
		abort();
	}
	env_nsec.zones = signed_nsec;
	env_nsec.udp_max = QUERY_UDP_MAX_DEFAULT;
	env_nsec3 = env_nsec;
	env_nsec3.zones = signed_nsec3;
}

/*
 * An answer from a signed zone parses; without DO (the reply's OPT echoes
 * it) it holds no RRSIG, NSEC or NSEC3 unless the question asks for that
 * type or ANY.
 */
static void
run_signed(const struct query_env *env, const uint8_t *data, size_t size,
           enum query_transport tp, size_t outcap)
{
	struct query_result res;
	ldns_pkt *pkt = NULL;
	uint16_t qtype;

	query_handle(env, data, size, tp, AF_INET, out, outcap, &res);
	if (res.verdict != QUERY_SEND) {
		return;
	}
	if (res.len > outcap) {
		abort();
	}
	if (ldns_wire2pkt(&pkt, out, res.len) != LDNS_STATUS_OK) {
		abort(); /* no rule here garbles an answer */
	}
	qtype = ldns_pkt_qdcount(pkt) == 1
	                ? (uint16_t)ldns_rr_get_type(
	                          ldns_rr_list_rr(ldns_pkt_question(pkt), 0))
	                : 0;
	if (!ldns_pkt_edns_do(pkt) && qtype != LDNS_RR_TYPE_ANY) {
		const ldns_rr_list *sec[] = {ldns_pkt_answer(pkt),
		                             ldns_pkt_authority(pkt)};

		for (size_t k = 0; k < 2; k++) {
			for (size_t i = 0; i < ldns_rr_list_rr_count(sec[k]);
			     i++) {
				uint16_t t = (uint16_t)ldns_rr_get_type(
				        ldns_rr_list_rr(sec[k], i));

				if (t != qtype && (t == LDNS_RR_TYPE_RRSIG ||
				                   t == LDNS_RR_TYPE_NSEC ||
				                   t == LDNS_RR_TYPE_NSEC3)) {
					abort(); /* DNSSEC records without DO */
				}
			}
		}
	}
	ldns_pkt_free(pkt);
}

static void
setup(void)
{
	const char *files[] = {CAA_SOURCE_DIR "/zones/test.zone",
	                       CAA_SOURCE_DIR "/zones/caa.test.zone",
	                       CAA_SOURCE_DIR "/zones/alias.test.zone",
	                       CAA_SOURCE_DIR "/zones/big.test.zone",
	                       CAA_SOURCE_DIR "/tests/data/example.test.zone",
	                       CAA_SOURCE_DIR "/tests/data/types.test.zone"};
	char err[512];

	zones = zone_set_load(files, sizeof(files) / sizeof(files[0]), err,
	                      sizeof(err));
	faults = fault_set_new();
	if (zones == NULL || faults == NULL) {
		fprintf(stderr, "fuzz_query: %s\n", err);
		abort();
	}
	fault_set_seed(faults, 1);
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		if (fault_set_add_text(faults, rules[i], FAULT_ORIGIN_RULE,
		                       NULL, err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_query: %s: %s\n", rules[i], err);
			abort();
		}
	}
	env_plain.zones = zones;
	env_plain.udp_max = QUERY_UDP_MAX_DEFAULT;
	env_faults = env_plain;
	env_faults.faults = faults;
	env_faults.defaults = &defaults;
	env_defaults = env_plain;
	env_defaults.defaults = &defaults;
	setup_signed();
	/* Views: 127.0.0.2 gets the zones signed with NSEC, ::1 NSEC3. */
	(void)cidr_parse("127.0.0.2", &views[0].prefix, err, sizeof(err));
	(void)cidr_parse("::1", &views[1].prefix, err, sizeof(err));
	views[0].zones = signed_nsec;
	views[1].zones = signed_nsec3;
	query_views_sort(views, 2);
	env_views = env_faults;
	env_views.views = views;
	env_views.nviews = 2;
	from_view.sin_family = AF_INET;
	(void)inet_pton(AF_INET, "127.0.0.2", &from_view.sin_addr);
	from_mapped.sin6_family = AF_INET6;
	(void)inet_pton(AF_INET6, "::ffff:10.0.0.1", &from_mapped.sin6_addr);
	from_v6.sin6_family = AF_INET6;
	(void)inet_pton(AF_INET6, "2001:db8::1", &from_v6.sin6_addr);
}

/* run() for a query from CLIENT. */
static void
run_from(const struct query_env *env, const uint8_t *data, size_t size,
         enum query_transport tp, const void *client, size_t outcap)
{
	const struct sockaddr *sa = client;
	struct query_result res;

	query_handle_from(env, data, size, tp, sa->sa_family, sa, out, outcap,
	                  &res);
	if (res.verdict == QUERY_SEND && res.len > outcap) {
		abort();
	}
}

static void
run(const struct query_env *env, const uint8_t *data, size_t size,
    enum query_transport tp, int family, size_t outcap)
{
	struct query_result res;

	query_handle(env, data, size, tp, family, out, outcap, &res);
	if (res.verdict == QUERY_SEND && res.len > outcap) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (zones == NULL) {
		setup();
	}
	run(&env_plain, data, size, QUERY_UDP, AF_INET, 512);
	run(&env_plain, data, size, QUERY_TCP, AF_INET, sizeof(out));
	run(&env_faults, data, size, QUERY_UDP, AF_INET6, 1232);
	run(&env_faults, data, size, QUERY_TCP, AF_INET, sizeof(out));
	run(&env_defaults, data, size, QUERY_UDP, AF_INET, 512);
	run_from(&env_views, data, size, QUERY_UDP, &from_view, 1232);
	run_from(&env_views, data, size, QUERY_TCP, &from_mapped, sizeof(out));
	run_from(&env_views, data, size, QUERY_UDP, &from_v6, 512);
	run_signed(&env_nsec, data, size, QUERY_UDP, 1232);
	run_signed(&env_nsec, data, size, QUERY_TCP, sizeof(out));
	run_signed(&env_nsec3, data, size, QUERY_UDP, 512);
	run_signed(&env_nsec3, data, size, QUERY_TCP, sizeof(out));
	return 0;
}
