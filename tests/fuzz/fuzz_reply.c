/*
 * tests/fuzz/fuzz_reply.c -- the probe's reply parser: the input is a
 * reply to "CAA? host.example.test" with ID 0x1234 (the first two octets
 * are overwritten with that ID, and QR is set, so most inputs get past the
 * matching and into the records).  A reply that parses is walked for
 * aliases and its CAA records read, as lookup.c does.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QID 0x1234

static void
parse_one(const uint8_t *msg, size_t len, const uint8_t *qname, size_t qlen)
{
	struct reply r;
	struct reply_chain chain;
	struct reply_found found;
	char text[REPLY_TEXT_MAX];

	memset(&r, 0, sizeof(r));
	if (reply_parse(msg, len, QID, qname, qlen, REPLY_TYPE_CAA, &r) !=
	    REPLY_OK) {
		return;
	}
	reply_chain_init(&chain, qname, qlen);
	for (int round = 0; round < 4; round++) {
		enum reply_walk w;
		const uint8_t *rdata;
		size_t rdlen, pos = 0;
		size_t last;

		memset(&found, 0, sizeof(found));
		w = reply_walk(&r, &chain, &found);
		if (chain.n == 0 || chain.n > REPLY_CHAIN_MAX + 1) {
			abort();
		}
		last = chain.n - 1;
		reply_name_to_text(chain.name[last], chain.len[last], text,
		                   sizeof(text));
		while (reply_caa_next(&r, chain.name[last], chain.len[last],
		                      &pos, &rdata, &rdlen)) {
			struct caa_record rec;

			if (rdata < msg || rdata + rdlen > msg + len) {
				abort();
			}
			(void)caa_record_parse(rdata, rdlen, &rec);
		}
		if (w != REPLY_WALK_FOLLOW) {
			break;
		}
	}
	reply_clear(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t qname[REPLY_NAME_MAX];
	size_t qlen = reply_name_from_text("host.example.test", qname);
	uint8_t *msg;

	if (qlen == 0) {
		abort();
	}
	/* As it came, in a buffer of its exact size. */
	msg = malloc(size ? size : 1);
	if (msg == NULL) {
		return 0;
	}
	memcpy(msg, data, size);
	parse_one(msg, size, qname, qlen);
	/* With the ID and QR patched in. */
	if (size >= 3) {
		msg[0] = QID >> 8;
		msg[1] = QID & 0xff;
		msg[2] |= 0x80;
		parse_one(msg, size, qname, qlen);
	}
	free(msg);
	return 0;
}
