/*
 * responder/cidr.c -- address prefixes: parse, match, print.
 */
#include "cidr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static const uint8_t cidr_v4mapped[12] = {0, 0, 0, 0, 0, 0,
                                          0, 0, 0, 0, 0xff, 0xff};

static void
cidr_err(char *err, size_t errlen, const char *what, const char *text)
{
	if (err != NULL && errlen > 0) {
		(void)snprintf(err, errlen, "%s '%s'", what, text);
	}
}

/* Clear the bits of P past its length. */
static void
cidr_mask(struct cidr *p)
{
	size_t octets = p->v4 ? 4 : 16;

	for (size_t i = 0; i < octets; i++) {
		unsigned bits = i * 8 >= p->len        ? 0
		                : i * 8 + 8 <= p->len ? 8
		                                      : p->len - i * 8U;

		p->addr[i] &= (uint8_t)(0xff00U >> bits);
	}
	if (p->v4) {
		memset(p->addr + 4, 0, 12);
	}
}

/* An IPv6 P of 96 bits or more inside ::ffff:0:0/96 becomes the IPv4
 * prefix it maps: a dual-stack socket's client, or a prefix written so. */
static void
cidr_unmap(struct cidr *p)
{
	if (!p->v4 && p->len >= 96 &&
	    memcmp(p->addr, cidr_v4mapped, sizeof(cidr_v4mapped)) == 0) {
		p->v4 = true;
		p->len = (uint8_t)(p->len - 96);
		memmove(p->addr, p->addr + 12, 4);
		memset(p->addr + 4, 0, 12);
	}
}

int
cidr_parse(const char *text, struct cidr *out, char *err, size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	uint8_t given[16]; /* the address as written, to find host bits */
	bool host = false;
	const char *slash = strchr(text, '/');
	size_t alen = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned len = 0, max = 0;

	memset(out, 0, sizeof(*out));
	if (alen == 0 || alen >= sizeof(addr)) {
		cidr_err(err, errlen, "bad address", text);
		return -EINVAL;
	}
	memcpy(addr, text, alen);
	addr[alen] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->v4 = true;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		max = 128;
	} else {
		cidr_err(err, errlen, "bad address", addr);
		return -EINVAL;
	}
	len = max;
	if (slash != NULL) {
		const char *s = slash + 1;

		len = 0;
		if (*s == '\0' || strlen(s) > 3) {
			cidr_err(err, errlen, "bad prefix length", s);
			return -EINVAL;
		}
		for (; *s != '\0'; s++) {
			if (*s < '0' || *s > '9') {
				cidr_err(err, errlen, "bad prefix length",
				         slash + 1);
				return -EINVAL;
			}
			len = len * 10 + (unsigned)(*s - '0');
		}
		if (len > max) {
			if (err != NULL && errlen > 0) {
				(void)snprintf(err, errlen,
				               "bad prefix length %u", len);
			}
			return -EINVAL;
		}
	}
	out->len = (uint8_t)len;
	memcpy(given, out->addr, sizeof(given));
	cidr_mask(out);
	host = memcmp(given, out->addr, sizeof(given)) != 0;
	cidr_unmap(out);
	if (host) {
		/* As BIND: 10.1.2.3/8 is more likely a mistake than 10/8. */
		char want[CIDR_TEXT_MAX];

		cidr_format(out, want, sizeof(want));
		if (err != NULL && errlen > 0) {
			(void)snprintf(err, errlen,
			               "host bits set in '%s' (did you mean %s?)",
			               text, want);
		}
		return -EINVAL;
	}
	return 0;
}

bool
cidr_from_sockaddr(const struct sockaddr *sa, struct cidr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		out->v4 = true;
		out->len = 32;
		memcpy(out->addr, &sin->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		out->len = 128;
		memcpy(out->addr, sin6->sin6_addr.s6_addr, 16);
		cidr_unmap(out);
		return true;
	}
	return false;
}

bool
cidr_contains(const struct cidr *p, const struct cidr *a)
{
	size_t whole = p->len / 8U;
	unsigned rest = p->len % 8U;

	if (p->v4 != a->v4 || a->len < p->len ||
	    memcmp(p->addr, a->addr, whole) != 0) {
		return false;
	}
	return rest == 0 ||
	       ((p->addr[whole] ^ a->addr[whole]) & (0xff00U >> rest)) == 0;
}

bool
cidr_equal(const struct cidr *a, const struct cidr *b)
{
	return a->v4 == b->v4 && a->len == b->len &&
	       memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

void
cidr_format(const struct cidr *p, char *buf, size_t cap)
{
	char addr[INET6_ADDRSTRLEN];

	if (inet_ntop(p->v4 ? AF_INET : AF_INET6, p->addr, addr,
	              sizeof(addr)) == NULL) {
		addr[0] = '\0';
	}
	(void)snprintf(buf, cap, "%s/%u", addr, (unsigned)p->len);
}
