/*
 * responder/cidr.h -- address prefixes: rule option from= and --view.
 *
 * A prefix is IPv4 ("192.0.2.0/24", a bare address is /32) or IPv6
 * ("2001:db8::/32", a bare address is /128).  A client address is a
 * prefix of full length.  An IPv4-mapped IPv6 source (::ffff:a.b.c.d, a
 * client of a dual-stack socket) is the IPv4 address it maps, so IPv4
 * prefixes match it and IPv6 prefixes do not; a prefix written so
 * (::ffff:192.0.2.0/120, 96 bits or more) is the IPv4 prefix it maps
 * (192.0.2.0/24).  Matching is a masked compare: no allocation.
 */
#ifndef RESPONDER_CIDR_H
#define RESPONDER_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CIDR_TEXT_MAX 64 /* "ffff:...:ffff/128" and the NUL */

struct cidr {
	bool v4;          /* ADDR[0..4) holds the address */
	uint8_t len;      /* prefix length: up to 32 or 128 */
	uint8_t addr[16]; /* bits past LEN are zero */
};

/*
 * Parse TEXT as a prefix (an IPv4-mapped one becomes the IPv4 prefix it
 * maps).  Returns 0, or -EINVAL with ERR saying what is wrong: `bad
 * address 'x'`, `bad prefix length 33`, `host bits set in '10.1.2.3/8'
 * (did you mean 10.0.0.0/8?)` (as BIND: a set bit past the length is
 * more likely a mistake than a wider prefix).
 */
int cidr_parse(const char *text, struct cidr *out, char *err, size_t errlen);

/*
 * The client address SA (AF_INET or AF_INET6; IPv4-mapped becomes IPv4) as
 * a full-length prefix.  Returns false for other families.
 */
bool cidr_from_sockaddr(const struct sockaddr *sa, struct cidr *out);

/* Whether the prefix P holds the address (or prefix) A. */
bool cidr_contains(const struct cidr *p, const struct cidr *a);

/* Whether A and B are the same prefix. */
bool cidr_equal(const struct cidr *a, const struct cidr *b);

/* Canonical text ("192.0.2.0/24", "2001:db8::/32") into BUF. */
void cidr_format(const struct cidr *p, char *buf, size_t cap);

#endif /* RESPONDER_CIDR_H */
