/*
 * tests/fuzz/fuzz_unbound.c -- caa-probe's reading of libunbound's
 * answers (lookup_ub_read()): what the callback of ub_resolve_event()
 * hands over, drawn from the input.
 *
 *   octet 0   sec: 0 insecure, 1 bogus, 2 secure (the value mod 3)
 *   octet 1   the callback's rcode: 0 when even, else the value mod 24
 *   octet 2   L, the length of why_bogus (0: NULL)
 *   L octets  why_bogus (cut at a NUL)
 *   the rest  the answer packet to "CAA? host.example.test", ID 0
 *
 * The packet goes through the probe's bounded reply parser; an alias to
 * follow is answered with the same packet, up to four times.  Checked:
 * a bogus answer never yields records, records point into the copy the
 * result owns, and the CA's wording of any failure fits its buffer.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "lookup.h"
#include "lookup_ub.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reply_chain chain;
	struct lookup_result res;
	struct caa_lookup view;
	enum caa_lookup_kind kind = CAA_LOOKUP_NETWORK;
	uint8_t qname[REPLY_NAME_MAX];
	size_t qlen = reply_name_from_text("host.example.test", qname);
	char why[256];
	char reason[CAA_REASON_LEN];
	uint8_t *pkt;
	size_t wlen, plen;
	int sec, rcode;
	bool done = false;

	if (qlen == 0) {
		abort();
	}
	if (size < 3) {
		return 0;
	}
	sec = data[0] % 3;
	rcode = data[1] % 2 == 0 ? 0 : data[1] % 24;
	wlen = data[2];
	if (wlen > size - 3) {
		wlen = size - 3;
	}
	memcpy(why, data + 3, wlen);
	why[wlen] = '\0';
	plen = size - 3 - wlen;
	/* The packet in a buffer of its exact size. */
	pkt = malloc(plen ? plen : 1);
	if (pkt == NULL) {
		return 0;
	}
	memcpy(pkt, data + 3 + wlen, plen);
	memset(&res, 0, sizeof(res));
	res.rcode = -1;
	res.ede = -1;
	reply_chain_init(&chain, qname, qlen);
	for (int round = 0; round < 4 && !done; round++) {
		done = lookup_ub_read(&chain, true, rcode,
		                      plen > 0 ? pkt : NULL, plen, sec,
		                      data[2] > 0 ? why : NULL, &res, &kind);
	}
	if (!done) {
		kind = CAA_LOOKUP_CNAME_LONG;
	}
	if (sec == 1 && (kind != CAA_LOOKUP_RCODE || res.rcode != 2 ||
	                 res.nrecords != 0 || res.dnssec != CAA_DNSSEC_BOGUS)) {
		abort(); /* a bogus answer read as data */
	}
	if (kind == CAA_LOOKUP_RECORDS) {
		if (res.nrecords == 0 || res.rdata == NULL) {
			abort();
		}
	} else if (kind != CAA_LOOKUP_BAD_RDATA && res.nrecords != 0) {
		abort();
	}
	res.kind = kind;
	lookup_result_view(&res, &view);
	(void)caa_lookup_describe(&view, "host.example.test", reason,
	                          sizeof(reason));
	if (strlen(reason) >= sizeof(reason)) {
		abort();
	}
	lookup_result_clear(&res);
	free(pkt);
	return 0;
}
