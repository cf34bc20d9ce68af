/*
 * responder/dnssec.h -- DNSSEC keys: one per signed zone, made or read at
 * the first load, kept for the life of the process.
 *
 * With --dnssec every zone whose file holds no DNSKEY and no RRSIG is
 * signed when it is built (zonefile_sign.c): one ECDSAP256SHA256 key
 * with flags 257 (a combined signing key, CSK) signs every RRset.  The
 * key of a zone is read from --key-dir (K<zone>+013+<tag>.private, as
 * ldns-keygen and dnssec-keygen name it) or made and written there, and
 * reused by every rebuild, so that its DS stays valid.  The key store
 * is shared by the main thread (first load) and the rebuild thread: a
 * mutex guards it.
 */
#ifndef RESPONDER_DNSSEC_H
#define RESPONDER_DNSSEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ldns/ldns.h>

struct zone_set;

/* Signature validity around the time of signing (RFC 4034 3.1.5). */
#define DNSSEC_INCEPTION_BEFORE 3600u        /* now - 1 hour */
#define DNSSEC_EXPIRATION_AFTER (30u * 86400u) /* now + 30 days */
#define DNSSEC_KEY_FLAGS 257                  /* zone key + SEP: a CSK */

struct dnssec_config {
	bool on;             /* --dnssec */
	bool nsec3;          /* --nsec3 */
	const char *key_dir; /* --key-dir, NULL: keys live in memory only */
};

/* Set once at start, before any zone is loaded (copies CFG's strings). */
void dnssec_configure(const struct dnssec_config *cfg);
/* Free the keys (at exit). */
void dnssec_shutdown(void);

bool dnssec_on(void);
bool dnssec_nsec3(void);

/*
 * The key of the zone ORIGIN (canonical wire name): the one this process
 * has, else read from the key directory, else made (and written there).
 * Returns the key, its owner, flags and key tag set, borrowed until
 * dnssec_shutdown(); or NULL with ERR filled.  The signer sets its
 * validity: one thread signs at a time (the first load, then the
 * rebuild thread).
 */
ldns_key *dnssec_key_get(const uint8_t *origin, char *err, size_t errlen);

/* Whether the process holds a key for ORIGIN (it signs that zone). */
bool dnssec_key_known(const uint8_t *origin);

/*
 * The DS record (SHA-256) of the key of ORIGIN with TTL, or NULL when
 * there is none.  The caller frees it.
 */
ldns_rr *dnssec_key_ds(const uint8_t *origin, uint32_t ttl);

/*
 * Write to FILE the DS records of every zone of SETS[0..NSETS) (the common
 * set and the views') signed here whose parent zone (the nearest
 * enclosing zone of its set) does not hold that DS: the trust anchors a
 * validator needs, each zone name once.  Returns 0, or -errno with ERR
 * saying "FILE: reason".
 */
int dnssec_write_trust_anchors(const struct zone_set *const *sets,
                               size_t nsets, const char *file, char *err,
                               size_t errlen);

#endif /* RESPONDER_DNSSEC_H */
