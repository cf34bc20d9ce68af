/*
 * tests/fuzz/fuzz_tlsalpn.c -- the ClientHello extension parsers of the
 * TLS-ALPN-01 server (responder/tlsalpn_hello.c) on any bytes: the SNI
 * they find lies inside the input, an accepted ALPN list walks to its end
 * in exactly the count of names returned, and the history entry made of
 * it holds whole entries only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tlsalpn_hello.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *name = NULL;
	size_t namelen = 0, off = 0;
	struct tlsalpn_event e;
	int n, seen = 0;

	if (tlsalpn_sni_parse(data, size, &name, &namelen) == 0 &&
	    (namelen == 0 || name < data || name + namelen > data + size)) {
		abort();
	}
	n = tlsalpn_alpn_parse(data, size);
	memset(&e, 0, sizeof(e));
	tlsalpn_event_fill(&e, name != NULL ? name : data,
	                   name != NULL ? namelen : 0, n > 0 ? data : NULL,
	                   size);
	if (e.namelen > TLSALPN_SNI_MAX || e.alpnlen > sizeof(e.alpn) ||
	    e.has_alpn != (n > 0)) {
		abort();
	}
	while (off < e.alpnlen) {
		off += 1 + (size_t)e.alpn[off];
		seen++;
	}
	if (off != e.alpnlen || seen > (n > 0 ? n : 0)) {
		abort();
	}
	return 0;
}
