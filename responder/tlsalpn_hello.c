/*
 * responder/tlsalpn_hello.c -- the server_name and ALPN extensions of a
 * ClientHello, read with every length checked before use.
 */
#include "tlsalpn_hello.h"

#include <string.h>

/*
 * The host_name of a server_name extension (RFC 6066 section 3):
 *
 *   +--------+--------+---------+--------+-----------...
 *   | list length     | type 0  | name length     | name
 *   +--------+--------+---------+--------+-----------...
 *
 * Returns 0 with *NAME and *LEN (within P), or -1 when it does not parse
 * or holds no host_name.
 */
int
tlsalpn_sni_parse(const uint8_t *p, size_t len, const uint8_t **name,
                  size_t *namelen)
{
	size_t list, off = 2;

	if (len < 2) {
		return -1;
	}
	list = (size_t)p[0] << 8 | p[1];
	if (list != len - 2) {
		return -1;
	}
	while (off + 3 <= len) {
		uint8_t type = p[off];
		size_t n = (size_t)p[off + 1] << 8 | p[off + 2];

		off += 3;
		if (n > len - off) {
			return -1;
		}
		if (type == 0 && n > 0) { /* host_name */
			*name = p + off;
			*namelen = n;
			return 0;
		}
		off += n;
	}
	return -1;
}

/*
 * An ALPN extension (RFC 7301 section 3.1): a 2-octet list length, then
 * protocol names, each a length octet (not 0) and the name.  Returns the
 * count of names, or -1 when it does not parse.
 */
int
tlsalpn_alpn_parse(const uint8_t *p, size_t len)
{
	size_t off = 2;
	int count = 0;

	if (len < 2 || ((size_t)p[0] << 8 | p[1]) != len - 2 || len == 2) {
		return -1;
	}
	while (off < len) {
		size_t n = p[off];

		if (n == 0 || n > len - off - 1) {
			return -1;
		}
		off += 1 + n;
		count++;
	}
	return count;
}

/* Keep the hello's SNI and ALPN list (whole entries that fit) in E. */
void
tlsalpn_event_fill(struct tlsalpn_event *e, const uint8_t *sni, size_t snilen,
                   const uint8_t *alpn, size_t alpnlen)
{
	e->namelen = snilen < TLSALPN_SNI_MAX ? snilen : TLSALPN_SNI_MAX;
	memcpy(e->name, sni, e->namelen);
	e->name[e->namelen] = '\0';
	e->has_alpn = alpn != NULL;
	for (size_t off = 2; alpn != NULL && off < alpnlen;) {
		size_t n = 1 + (size_t)alpn[off];

		if (n > alpnlen - off || e->alpnlen + n > sizeof(e->alpn)) {
			break;
		}
		memcpy(e->alpn + e->alpnlen, alpn + off, n);
		e->alpnlen += n;
		off += n;
	}
}
