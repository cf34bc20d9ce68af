/*
 * probe/caa/dnssec.c -- a validator's verdict in a CA's words.
 *
 * A validating resolver that answers SERVFAIL to a bogus answer attaches
 * an Extended DNS Error (RFC 8914) saying why; Let's Encrypt words the
 * failure from that code.  libunbound gives no code, only its reason text
 * (why_bogus), so the code is derived from that text the way unbound
 * itself chooses it (validator/val_sigcrypt.c, val_utils.c, validator.c at
 * unbound 1.17-1.24): the phrases below are those unbound writes next to
 * each code.  The mapping depends on unbound's wording and is documented
 * in docs/probe.md; a reason it does not know is DNSSEC: Bogus (6).
 */
#include <string.h>

#include "caa.h"

const char *
caa_dnssec_name(enum caa_dnssec s)
{
	switch (s) {
	case CAA_DNSSEC_SECURE:
		return "secure";
	case CAA_DNSSEC_INSECURE:
		return "insecure";
	case CAA_DNSSEC_BOGUS:
		return "bogus";
	case CAA_DNSSEC_NONE:
		break;
	}
	return NULL;
}

int
caa_dnssec_ede(const char *why)
{
	/* First match wins: "no signatures over NSECs" before "no
	 * signatures", the date checks before everything else. */
	static const struct {
		const char *phrase;
		int code;
	} map[] = {
	        {"signature expired", 7},
	        {"signature before inception date", 8},
	        {"signature inception after expiration", 8},
	        {"no signatures over NSEC", 12}, /* NSECs and NSEC3s */
	        {"no NSECs", 12},
	        {"no signatures", 10},
	        {"dnskey without ZSK flag", 11},
	        {"signatures from unknown keys", 9},
	        {"DS hash mismatches key", 9},
	        {"keyset not secured by DNSKEY that matches DS", 9},
	        {"did not match DS RRset by name", 9},
	        {"did not match anchor RRset by name", 9},
	        {"No DNSKEY record", 9},
	        {"no DNSKEY rrset", 9},
	        {"dnskey revoked", 9},
	};

	if (why == NULL) {
		return CAA_EDE_BOGUS;
	}
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strstr(why, map[i].phrase) != NULL) {
			return map[i].code;
		}
	}
	return CAA_EDE_BOGUS;
}
