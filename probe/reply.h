/*
 * probe/reply.h -- DNS replies to CAA queries: bytes in, facts out.
 *
 * Pure code, no sockets: the lookup client (lookup.c) hands every datagram
 * or TCP message here, and unit tests do the same with bytes of their own.
 * The query itself is built here too (reply_query_build()).
 * Replies are parsed by hand rather than with ldns_wire2pkt(), because ldns
 * refuses a whole packet when one CAA record has malformed RDATA (tag
 * length 0), and such an answer must read as CAA_LOOKUP_BAD_RDATA
 * (a lookup failure, docs/probe.md), not as an unparseable reply.
 *
 * Names are kept in wire form: length-prefixed labels ending in the root
 * label, at most 255 octets, uncompressed.  Every length is checked before
 * use; compression pointers must point backwards and are followed a
 * bounded number of times, so no input loops or reads out of bounds.
 */
#ifndef PROBE_REPLY_H
#define PROBE_REPLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define REPLY_NAME_MAX   255  /* octets of a wire name, root label included */
#define REPLY_TEXT_MAX   1024 /* a name in presentation form, NUL included */
#define REPLY_CHAIN_MAX  16   /* aliases a lookup follows (then CNAME_LONG) */
#define REPLY_EDE_TEXT   256  /* EXTRA-TEXT kept, NUL included */
#define REPLY_HEADER_LEN 12
/* A query: header, name, type and class, an OPT record without options. */
#define REPLY_QUERY_MAX (REPLY_HEADER_LEN + REPLY_NAME_MAX + 4 + 11)

enum {
	REPLY_TYPE_NS = 2,
	REPLY_TYPE_CNAME = 5,
	REPLY_TYPE_SOA = 6,
	REPLY_TYPE_DNAME = 39,
	REPLY_TYPE_OPT = 41,
	REPLY_TYPE_CAA = 257,
	REPLY_CLASS_IN = 1,
	REPLY_OPT_EDE = 15, /* RFC 8914 Extended DNS Error option */
};

/* Header bits (RFC 1035 section 4.1.1). */
#define REPLY_FLAG_QR 0x8000
#define REPLY_FLAG_AA 0x0400
#define REPLY_FLAG_TC 0x0200

/*
 * Converts the text name NAME ("host.example.test", a final dot allowed,
 * no escapes: the names caa_candidates_build() accepts) into wire form in
 * OUT.  Returns the length, or 0 when NAME is not a valid name.
 */
size_t reply_name_from_text(const char *name, uint8_t out[REPLY_NAME_MAX]);

/*
 * Writes the wire name NAME[0..LEN) in presentation form into
 * OUT[0..SIZE), lower-cased, without the final dot ("." for the root):
 * letters, digits and printable ASCII as they are, "." and "\" inside a
 * label escaped with "\", other octets as \DDD.  Always NUL-terminated
 * when SIZE > 0; REPLY_TEXT_MAX always suffices.
 */
void reply_name_to_text(const uint8_t *name, size_t len, char *out,
                        size_t size);

/*
 * Writes into OUT the query with ID for QNAME (wire form, QNAME_LEN
 * octets), QTYPE and class IN (RFC 1035 4.1), RD set (the default server
 * is a recursive resolver), with an OPT record announcing a UDP payload
 * of UDP_SIZE octets (RFC 6891 6.1.2: version 0, DO clear, no options).
 * Returns its length, at most REPLY_QUERY_MAX, or 0 when QNAME_LEN is
 * not 1..REPLY_NAME_MAX.
 */
size_t reply_query_build(uint8_t out[REPLY_QUERY_MAX], uint16_t id,
                         const uint8_t *qname, size_t qname_len, uint16_t qtype,
                         uint16_t udp_size);

/* Do two wire names match, ASCII letters compared case-insensitively
 * (0x20-safe, RFC 4343)? */
bool reply_name_equal(const uint8_t *a, size_t alen, const uint8_t *b,
                      size_t blen);

/*
 * Decodes the name at *OFF in MSG[0..LEN) into OUT (wire form, at most
 * REPLY_NAME_MAX octets) and its length into *OUTLEN, and moves *OFF past
 * the name as it is written in the message (past the first compression
 * pointer).  Returns false for a malformed name: past the end, a label
 * type other than 00 or 11, a pointer that does not point backwards, too
 * many pointers, or over 255 octets.
 */
bool reply_name_decode(const uint8_t *msg, size_t len, size_t *off,
                       uint8_t out[REPLY_NAME_MAX], size_t *outlen);

/* One answer record the probe cares about (CNAME, DNAME or CAA, class
 * IN), as offsets into the message. */
struct reply_rr {
	uint16_t type;
	size_t owner; /* offset of the owner name (maybe compressed) */
	size_t rdata; /* offset of the RDATA */
	uint16_t rdlen;
};

/* A reply that matched the query.  Borrows the message bytes (MSG). */
struct reply {
	const uint8_t *msg;
	size_t len;
	int rcode; /* with the upper bits from OPT (RFC 6891) */
	bool tc;
	bool referral;  /* AA clear, NS records in the authority section and
	                   no SOA there: a delegation, not an answer */
	bool bad_rdata; /* a CAA record in the answer has malformed RDATA
	                   (whoever owns it) */
	int ede;        /* first RFC 8914 INFO-CODE, -1: none */
	char ede_text[REPLY_EDE_TEXT]; /* its EXTRA-TEXT, cut at a NUL */
	size_t nrr;
	struct reply_rr *rr; /* answer CNAME/DNAME/CAA records; owned */
};

enum reply_status {
	REPLY_OK = 0,    /* OUT is filled; reply_clear() it */
	REPLY_IGNORE,    /* not the reply to this query: keep waiting */
	REPLY_MALFORMED, /* the reply to this query, but it does not parse */
	REPLY_NOMEM,
};

/*
 * Parses MSG[0..LEN), a reply to the query with ID for QNAME (wire form)
 * and QTYPE, class IN.  A reply matches when its ID is ID, QR is set,
 * QDCOUNT is 1 and the question is QNAME (any letter case), QTYPE, IN,
 * or QDCOUNT is 0 and the RCODE an error other than NXDOMAIN (servers
 * that do not echo the question in FORMERR, NOTIMP, ...); anything else
 * is REPLY_IGNORE.  A message under 12 octets cannot be
 * matched and came from the server asked (the caller's socket is
 * connected to it), so it is REPLY_MALFORMED, as is a matching reply with
 * a bad name, a record running past the end, an OPT record that does not
 * parse or an alias whose target does not fill its RDATA.  A matching
 * reply with TC set is REPLY_OK with TC and nothing after the question
 * read (the header's RCODE only): it is asked again over TCP.
 */
enum reply_status reply_parse(const uint8_t *msg, size_t len, uint16_t id,
                              const uint8_t *qname, size_t qname_len,
                              uint16_t qtype, struct reply *out);

/* Frees what reply_parse() allocated; accepts a zeroed or cleared R. */
void reply_clear(struct reply *r);

/* The alias chain of one lookup: NAME[0] is the name asked first, then
 * every alias target in order.  Caller storage; start with
 * reply_chain_init(). */
struct reply_chain {
	size_t n;
	size_t len[REPLY_CHAIN_MAX + 1];
	uint8_t name[REPLY_CHAIN_MAX + 1][REPLY_NAME_MAX];
};

void reply_chain_init(struct reply_chain *c, const uint8_t *qname,
                      size_t qname_len);

enum reply_walk {
	REPLY_WALK_DONE = 0, /* the chain ends here: CAA at its last name, or
	                        no alias to follow */
	REPLY_WALK_FOLLOW,   /* the chain grew and ends without CAA: ask its
	                        last name (the server did not chase it) */
	REPLY_WALK_LOOP,     /* an alias points back into the chain */
	REPLY_WALK_LONG,     /* more than REPLY_CHAIN_MAX aliases */
	REPLY_WALK_BAD,      /* a DNAME synthesized a name over 255 octets */
};

/* What a walk found in one reply. */
struct reply_found {
	size_t ncaa;          /* CAA records owned by the chain's last name */
	size_t outside_chain; /* CAA records owned by names off the chain */
	bool also_cname;      /* the last name has a CNAME beside its CAA */
};

/*
 * Follows the aliases of R from the last name of CHAIN (RFC 8659 section
 * 3: CAA(X) with aliases chased): a CNAME owned by the current name, or a
 * DNAME owned by one of its ancestors (RFC 6672; a DNAME at the name
 * itself does not redirect it, RFC 6844 erratum 5097), until a name that
 * owns CAA records or has no alias.  Appends each target to CHAIN and
 * fills FOUND.  Call reply_caa_next() to read the records.
 */
enum reply_walk reply_walk(const struct reply *r, struct reply_chain *chain,
                           struct reply_found *found);

/*
 * Iterates over the CAA records of R owned by NAME: start with *POS = 0;
 * each call sets *RDATA and *RDLEN and returns true, then false.
 */
bool reply_caa_next(const struct reply *r, const uint8_t *name, size_t name_len,
                    size_t *pos, const uint8_t **rdata, size_t *rdlen);

#endif /* PROBE_REPLY_H */
