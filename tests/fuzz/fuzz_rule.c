/*
 * tests/fuzz/fuzz_rule.c -- the fault-rule parser: one line in.  A rule
 * that parses must parse again from its canonical text to the same text.
 * A rule with from=CIDR must then match what the prefix holds and only
 * that: its first address (IPv4 also as ::ffff:a.b.c.d), its last, and
 * not the addresses just outside it.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"
#include "fault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* P's address with the bits from BIT on set (ONES) or left, as a source. */
static void
source(const struct cidr *p, unsigned bit, bool ones, int flip,
       struct sockaddr_storage *ss)
{
	uint8_t a[16];
	unsigned max = p->v4 ? 32 : 128;

	memcpy(a, p->addr, sizeof(a));
	for (unsigned b = bit; ones && b < max; b++) {
		a[b / 8] |= (uint8_t)(0x80U >> (b % 8));
	}
	if (flip >= 0) { /* the last bit of the prefix: just outside it */
		a[flip / 8] ^= (uint8_t)(0x80U >> (flip % 8));
	}
	memset(ss, 0, sizeof(*ss));
	if (p->v4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, a, 4);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		memcpy(sin6->sin6_addr.s6_addr, a, 16);
	}
}

/* The same source as an IPv4-mapped IPv6 one (a dual-stack socket's). */
static void
mapped(struct sockaddr_storage *ss)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memcpy(&sin, ss, sizeof(sin));
	memset(ss, 0, sizeof(*ss));
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr.s6_addr[10] = 0xff;
	sin6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(sin6->sin6_addr.s6_addr + 12, &sin.sin_addr, 4);
}

/* Whether SS is an IPv4-mapped IPv6 address (::ffff:0:0/96): that client
 * is the IPv4 address it maps, which no IPv6 prefix matches. */
static bool
is_mapped(const struct sockaddr_storage *ss)
{
	static const uint8_t pre[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;

	return ss->ss_family == AF_INET6 &&
	       memcmp(sin6->sin6_addr.s6_addr, pre, sizeof(pre)) == 0;
}

/* Whether "servfail . * from=PREFIX" fires for a query from SS. */
static bool
fires(struct fault_set *fs, const struct sockaddr_storage *ss)
{
	static const uint8_t root[1] = {0};

	return fault_match(fs, root, 1, 257, QUERY_UDP, ss->ss_family,
	                   (const struct sockaddr *)ss, 0) != NULL;
}

/* TEXT is a canonical rule: when it has from=, that prefix matches. */
static void
check_from(const char *text)
{
	const char *from = text;
	char prefix[CIDR_TEXT_MAX], line[CIDR_TEXT_MAX + 32], err[256];
	struct sockaddr_storage ss;
	struct fault_set *fs = NULL;
	struct cidr p;
	size_t n;

	/* ACTION NAME TYPE, then the options: is one of them from=? */
	for (int field = 0; field < 3 && from != NULL; field++) {
		from = strchr(from, ' ');
		from = from != NULL ? from + 1 : NULL;
	}
	while (from != NULL && strncmp(from, "from=", 5) != 0) {
		from = strchr(from, ' ');
		from = from != NULL ? from + 1 : NULL;
	}
	if (from == NULL) {
		return;
	}
	from += 5;
	n = strcspn(from, " ");
	if (n >= sizeof(prefix)) {
		abort(); /* a canonical prefix is short */
	}
	memcpy(prefix, from, n);
	prefix[n] = '\0';
	if (cidr_parse(prefix, &p, err, sizeof(err)) != 0) {
		fprintf(stderr, "from=%s in '%s': %s\n", prefix, text, err);
		abort();
	}
	fs = fault_set_new();
	(void)snprintf(line, sizeof(line), "servfail . * from=%s", prefix);
	if (fs == NULL || fault_set_add_text(fs, line, FAULT_ORIGIN_RULE, NULL,
	                                     err, sizeof(err)) != 0) {
		fault_set_free(fs);
		return; /* out of memory */
	}
	source(&p, p.len, false, -1, &ss);
	if (!fires(fs, &ss)) {
		fprintf(stderr, "'%s': its first address does not match\n",
		        line);
		abort();
	}
	if (p.v4) {
		mapped(&ss);
		if (!fires(fs, &ss)) {
			fprintf(stderr, "'%s': ::ffff: of its first address "
			                "does not match\n", line);
			abort();
		}
	}
	/* An IPv6 prefix shorter than 96 bits may end in ::ffff:0:0/96
	 * (::/80 does): that last address is an IPv4 client, outside it. */
	source(&p, p.len, true, -1, &ss);
	if (fires(fs, &ss) == is_mapped(&ss)) {
		fprintf(stderr, "'%s': its last address %s\n", line,
		        is_mapped(&ss) ? "(IPv4-mapped) matches"
		                       : "does not match");
		abort();
	}
	if (p.len > 0) {
		source(&p, p.len, false, p.len - 1, &ss);
		if (fires(fs, &ss)) {
			fprintf(stderr, "'%s': an address outside matches\n",
			        line);
			abort();
		}
	}
	fault_set_free(fs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fault_rule *r = NULL, *again = NULL;
	char err[256];
	char *line;

	if (size > 4096) {
		return 0;
	}
	line = malloc(size + 1);
	if (line == NULL) {
		return 0;
	}
	memcpy(line, data, size);
	line[size] = '\0';
	if (fault_rule_parse(line, &r, err, sizeof(err)) == 0) {
		const char *text = fault_rule_text(r);

		if (fault_rule_parse(text, &again, err, sizeof(err)) != 0) {
			fprintf(stderr,
			        "canonical text '%s' does not parse: %s\n",
			        text, err);
			abort();
		}
		if (strcmp(text, fault_rule_text(again)) != 0) {
			fprintf(stderr, "'%s' reparses as '%s'\n", text,
			        fault_rule_text(again));
			abort();
		}
		check_from(text);
		fault_rule_free(again);
		fault_rule_free(r);
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	free(line);
	return 0;
}
