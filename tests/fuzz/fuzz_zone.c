/*
 * tests/fuzz/fuzz_zone.c -- the zone loader, and what it loaded as a
 * client sees it.  The input is written to a temporary master file, which
 * zone_set_load() reads.  $INCLUDE lines are cut out so that the input
 * cannot make it read other files.  The file is also read into records
 * twice, with the fast reader of plain record lines off and on: both must
 * give the same records (owner, type, TTL, RDATA, line) and the same
 * message, or the harness aborts.  So must a reading of the same file
 * without an origin (through a name that implies none); when that one
 * loads, the file had no relative name and must give the same records as
 * with an origin, and when it does not, only for a relative name.
 *
 * When the zone loads, it is queried through query_handle(), as the
 * network code and fuzz_query.c do: for each owner (the first
 * QUERY_OWNERS_MAX), its own types, A, CAA, CNAME, NS, DS and ANY, and a
 * made-up child name under it, over UDP without EDNS, with 512 and 4096
 * octets of EDNS buffer, and over TCP, the DO bit on and off.  Every reply
 * must be a whole message: the ID, opcode and question of the query, the
 * counts matching the records (names read with wire_name_unpack(), no
 * octet left over), the RDATA of the types the responder reads well formed
 * (A, AAAA, NS, CNAME, PTR, DNAME, MX, SRV, SOA...), one OPT exactly when
 * the query had one, and no longer than the transport allows.  Anything
 * else aborts, so libFuzzer reports it.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "query.h"
#include "wire.h"
#include "zone.h"
#include "zone_int.h"
#include "zonefile_int.h"

#define QUERY_OWNERS_MAX 64
#define QUERY_OWN_TYPES  8
#define QUERY_UDP_MAX    4096 /* the server's largest UDP reply here */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static char path_db[64]; /* a link to PATH: a name without an origin */

/* The owners the loaded file has, with (some of) their types. */
struct owner {
	uint8_t name[WIRE_NAME_MAX];
	size_t len;
	uint16_t types[QUERY_OWN_TYPES];
	size_t ntypes;
};

static struct owner owners[QUERY_OWNERS_MAX];
static size_t nowners;
static uint64_t rng;
static uint8_t out[WIRE_MSG_MAX];

static uint32_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 16);
}

/* Read the file at P into C (cleared by the caller) as FAST says. */
static int
read_records(struct zf_ctx *c, const char *p, char *err, size_t errlen,
             bool fast)
{
	memset(c, 0, sizeof(*c));
	c->err = err;
	c->errlen = errlen;
	err[0] = '\0';
	zf_fast_enabled = fast;
	return zf_read_zone(c, p);
}

static bool
recs_equal(const struct zone_rec *a, const struct zone_rec *b)
{
	return a->ownerlen == b->ownerlen && a->rdlen == b->rdlen &&
	       a->ttl == b->ttl && a->type == b->type && a->line == b->line &&
	       memcmp(a->owner, b->owner, a->ownerlen) == 0 &&
	       (a->rdlen == 0 || memcmp(a->rdata, b->rdata, a->rdlen) == 0);
}

/* Remember R's owner and type, while there is room. */
static void
note_owner(const struct zone_rec *r)
{
	struct owner *o = NULL;

	for (size_t i = 0; i < nowners; i++) {
		if (owners[i].len == r->ownerlen &&
		    memcmp(owners[i].name, r->owner, r->ownerlen) == 0) {
			o = &owners[i];
			break;
		}
	}
	if (o == NULL) {
		if (nowners == QUERY_OWNERS_MAX) {
			return;
		}
		o = &owners[nowners++];
		memcpy(o->name, r->owner, r->ownerlen);
		o->len = r->ownerlen;
		o->ntypes = 0;
	}
	for (size_t i = 0; i < o->ntypes; i++) {
		if (o->types[i] == r->type) {
			return;
		}
	}
	if (o->ntypes < QUERY_OWN_TYPES) {
		o->types[o->ntypes++] = r->type;
	}
}

/*
 * Read P with both readers, which must agree; the ldns reading is left in
 * SLOW (the caller clears it) and its status returned.
 */
static int
readers_agree(const char *p, struct zf_ctx *slow, char *serr, size_t cap)
{
	struct zf_ctx fast;
	char ferr[512];
	int src = read_records(slow, p, serr, cap, false);
	int frc = read_records(&fast, p, ferr, sizeof(ferr), true);

	zf_fast_enabled = true;
	if (src != frc || strcmp(serr, ferr) != 0 ||
	    slow->nrecs != fast.nrecs) {
		fprintf(stderr,
		        "readers differ: rc %d/%d, %zu/%zu records\n"
		        "ldns: %s\nfast: %s\n",
		        src, frc, slow->nrecs, fast.nrecs, serr, ferr);
		abort();
	}
	for (size_t i = 0; i < slow->nrecs; i++) {
		if (!recs_equal(&slow->recs[i], &fast.recs[i])) {
			fprintf(stderr,
			        "readers differ at record %zu (line %d/%d)\n",
			        i, slow->recs[i].line, fast.recs[i].line);
			abort();
		}
	}
	zf_ctx_clear(&fast);
	return src;
}

/*
 * Both readers agree on the file, with the origin its name implies and
 * without one (the .db link).  A file that reads without an origin had no
 * relative name (those are refused): it must read the same with one.
 */
static void
compare_readers(void)
{
	struct zf_ctx with, without;
	char werr[512], nerr[512];
	int wrc = readers_agree(path, &with, werr, sizeof(werr));
	int nrc = readers_agree(path_db, &without, nerr, sizeof(nerr));

	if (nrc == 0 && (wrc != 0 || with.nrecs != without.nrecs)) {
		fprintf(stderr,
		        "read without an origin but not the same with one: "
		        "rc %d, %zu/%zu records\n%s\n",
		        wrc, with.nrecs, without.nrecs, werr);
		abort();
	}
	for (size_t i = 0; i < with.nrecs; i++) {
		if (nrc == 0 && !recs_equal(&with.recs[i], &without.recs[i])) {
			fprintf(stderr, "origin changed record %zu (line %d)\n",
			        i, with.recs[i].line);
			abort();
		}
		if (wrc == 0) {
			note_owner(&with.recs[i]);
		}
	}
	if (nrc != 0 && strstr(nerr, "but no origin") == NULL &&
	    wrc == 0) {
		fprintf(stderr, "refused without an origin, not for it: %s\n",
		        nerr);
		abort();
	}
	zf_ctx_clear(&with);
	zf_ctx_clear(&without);
}

/* Stop the run: what was asked and what came back. */
static void
fail(const char *why, const uint8_t *q, size_t qlen, const uint8_t *r,
     size_t rlen)
{
	fprintf(stderr, "fuzz_zone: %s\nquery:", why);
	for (size_t i = 0; i < qlen; i++) {
		fprintf(stderr, " %02x", q[i]);
	}
	fprintf(stderr, "\nreply:");
	for (size_t i = 0; i < rlen && i < 1024; i++) {
		fprintf(stderr, " %02x", r[i]);
	}
	fprintf(stderr, "\n");
	abort();
}

/*
 * The RDATA layouts of the types the responder reads (as
 * wire_rdata_check() has them), names possibly compressed in a reply.
 */
static const struct {
	uint16_t type;
	uint8_t head, names, tail;
} forms[] = {
	{WIRE_TYPE_A, 4, 0, 0},
	{WIRE_TYPE_AAAA, 16, 0, 0},
	{WIRE_TYPE_NS, 0, 1, 0},
	{3, 0, 1, 0}, /* MD */
	{4, 0, 1, 0}, /* MF */
	{WIRE_TYPE_CNAME, 0, 1, 0},
	{WIRE_TYPE_SOA, 0, 2, 20},
	{7, 0, 1, 0}, /* MB */
	{8, 0, 1, 0}, /* MG */
	{9, 0, 1, 0}, /* MR */
	{WIRE_TYPE_PTR, 0, 1, 0},
	{14, 0, 2, 0}, /* MINFO */
	{WIRE_TYPE_MX, 2, 1, 0},
	{WIRE_TYPE_SRV, 6, 1, 0},
	{WIRE_TYPE_DNAME, 0, 1, 0},
};

/* Whether the RDATA at R[OFF..OFF+RDLEN) is what TYPE says. */
static bool
rdata_ok(const uint8_t *r, size_t rlen, size_t off, size_t rdlen,
         uint16_t type)
{
	size_t end = off + rdlen, pos;

	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		uint8_t name[WIRE_NAME_MAX];

		if (forms[i].type != type) {
			continue;
		}
		if (rdlen < forms[i].head) {
			return false;
		}
		pos = off + forms[i].head;
		for (unsigned k = 0; k < forms[i].names; k++) {
			if (pos >= end ||
			    wire_name_unpack(r, rlen, &pos, name) < 0 ||
			    pos > end) {
				return false;
			}
		}
		return end - pos == forms[i].tail;
	}
	return true;
}

/*
 * Check the reply R (RLEN octets) to the query Q (QLEN octets, its
 * question ending at QEND) that may be LIMIT octets long.
 */
static void
check_reply(const uint8_t *q, size_t qlen, size_t qend, const uint8_t *r,
            size_t rlen, size_t limit, bool edns)
{
	size_t off = qend;
	unsigned count, opts = 0;

	if (rlen < WIRE_HEADER_LEN || rlen > limit) {
		fail("reply shorter than a header or over its limit", q, qlen,
		     r, rlen);
	}
	if (wire_get16(r) != wire_get16(q) ||
	    (wire_get16(r + 2) & WIRE_QR) == 0 ||
	    WIRE_OPCODE(wire_get16(r + 2)) != WIRE_OPCODE(wire_get16(q + 2))) {
		fail("ID, QR or opcode wrong", q, qlen, r, rlen);
	}
	if (wire_get16(r + 4) != 1 || rlen < qend ||
	    memcmp(r + WIRE_HEADER_LEN, q + WIRE_HEADER_LEN,
	           qend - WIRE_HEADER_LEN) != 0) {
		fail("the question is not echoed", q, qlen, r, rlen);
	}
	count = (unsigned)wire_get16(r + 6) + wire_get16(r + 8) +
	        wire_get16(r + 10);
	for (unsigned i = 0; i < count; i++) {
		uint8_t name[WIRE_NAME_MAX];
		uint16_t type, rdlen;

		if (wire_name_unpack(r, rlen, &off, name) < 0 ||
		    rlen - off < 10) {
			fail("a record's owner or fields do not parse", q, qlen,
			     r, rlen);
		}
		type = wire_get16(r + off);
		rdlen = wire_get16(r + off + 8);
		off += 10;
		if (rlen - off < rdlen) {
			fail("RDATA runs past the message", q, qlen, r, rlen);
		}
		if (!rdata_ok(r, rlen, off, rdlen, type)) {
			fail("RDATA not what its type says", q, qlen, r, rlen);
		}
		if (type == WIRE_TYPE_OPT) {
			if (i < count - wire_get16(r + 10) || name[0] != 0) {
				fail("OPT outside the additional section or not "
				     "owned by the root",
				     q, qlen, r, rlen);
			}
			opts++;
		}
		off += rdlen;
	}
	if (off != rlen) {
		fail("octets after the records the counts give", q, qlen, r,
		     rlen);
	}
	if (opts != (edns ? 1u : 0u)) {
		fail("OPT missing, repeated or not asked for", q, qlen, r, rlen);
	}
}

/*
 * Ask ZS for NAME (LEN octets, canonical) and TYPE, as a client would,
 * in every transport and size; check every reply.
 */
static void
ask(const struct query_env *env, const uint8_t *name, size_t len,
    uint16_t type)
{
	static const struct {
		enum query_transport tp;
		uint16_t bufsize; /* 0: no EDNS */
		bool dnssec_ok;
	} ways[] = {
		{QUERY_UDP, 0, false},    {QUERY_UDP, 512, true},
		{QUERY_UDP, 512, false},  {QUERY_UDP, 4096, true},
		{QUERY_UDP, 4096, false}, {QUERY_TCP, 0, false},
		{QUERY_TCP, 4096, true},
	};
	uint8_t q[WIRE_HEADER_LEN + WIRE_NAME_MAX + 4 + 11];

	for (size_t w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
		struct query_result res;
		size_t qlen = WIRE_HEADER_LEN, qend, limit;
		bool edns = ways[w].bufsize != 0;

		memset(q, 0, WIRE_HEADER_LEN);
		wire_put16(q, (uint16_t)next_rand());
		wire_put16(q + 10, edns ? 1 : 0);
		q[5] = 1; /* QDCOUNT */
		/* Letter case as a client may write it: echoed as it is. */
		for (size_t i = 0; i < len; i++) {
			q[qlen + i] = (next_rand() & 1) != 0 && name[i] >= 'a' &&
			                              name[i] <= 'z'
			                      ? (uint8_t)(name[i] - 32)
			                      : name[i];
		}
		qlen += len;
		wire_put16(q + qlen, type);
		wire_put16(q + qlen + 2, WIRE_CLASS_IN);
		qlen += 4;
		qend = qlen;
		if (edns) {
			q[qlen] = 0;
			wire_put16(q + qlen + 1, WIRE_TYPE_OPT);
			wire_put16(q + qlen + 3, ways[w].bufsize);
			wire_put32(q + qlen + 5, ways[w].dnssec_ok ? 0x8000 : 0);
			wire_put16(q + qlen + 9, 0);
			qlen += 11;
		}
		query_handle(env, q, qlen, ways[w].tp, AF_INET, out, sizeof(out),
		             &res);
		if (res.verdict != QUERY_SEND) {
			fail("an honest server dropped a query", q, qlen, out, 0);
		}
		if (ways[w].tp == QUERY_TCP) {
			limit = WIRE_MSG_MAX;
		} else if (!edns) {
			limit = 512;
		} else {
			limit = ways[w].bufsize < env->udp_max ? ways[w].bufsize
			                                       : env->udp_max;
		}
		check_reply(q, qlen, qend, out, res.len, limit, edns);
	}
}

/* Query the owners the file has, and one name under each. */
static void
query_owners(const struct zone_set *zs)
{
	static const uint16_t common[] = {
		WIRE_TYPE_A,  WIRE_TYPE_CAA, WIRE_TYPE_CNAME,
		WIRE_TYPE_NS, WIRE_TYPE_DS,  WIRE_TYPE_ANY,
	};
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789-_*";
	struct query_env env = {.zones = zs, .udp_max = QUERY_UDP_MAX};

	for (size_t i = 0; i < nowners; i++) {
		const struct owner *o = &owners[i];
		uint8_t child[WIRE_NAME_MAX];
		size_t l = 1 + next_rand() % 8;

		for (size_t k = 0; k < o->ntypes; k++) {
			ask(&env, o->name, o->len, o->types[k]);
		}
		for (size_t k = 0; k < sizeof(common) / sizeof(common[0]); k++) {
			ask(&env, o->name, o->len, common[k]);
		}
		if (o->len + 1 + l > WIRE_NAME_MAX) {
			continue;
		}
		child[0] = (uint8_t)l;
		for (size_t k = 0; k < l; k++) {
			child[1 + k] =
			        (uint8_t)alphabet[next_rand() % (sizeof(alphabet) - 1)];
		}
		memcpy(child + 1 + l, o->name, o->len);
		ask(&env, child, 1 + l + o->len,
		    common[next_rand() % (sizeof(common) / sizeof(common[0]))]);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *files[1];
	char err[512];
	struct zone_set *zs;
	FILE *f;

	if (path[0] == '\0') {
		snprintf(path, sizeof(path), "/tmp/caa-fuzz-zone.%ld.zone",
		         (long)getpid());
		snprintf(path_db, sizeof(path_db), "/tmp/caa-fuzz-zone.%ld.db",
		         (long)getpid());
		(void)unlink(path_db);
		if (symlink(path, path_db) != 0) {
			abort();
		}
	}
	f = fopen(path, "w");
	if (f == NULL) {
		abort();
	}
	for (size_t i = 0; i < size; i++) {
		/* "$INCLUDE" anywhere becomes "$XNCLUDE": no other files. */
		if (data[i] == '$' && size - i >= 8 &&
		    strncasecmp((const char *)data + i, "$INCLUDE", 8) == 0) {
			fputs("$X", f);
			i++;
			continue;
		}
		fputc(data[i], f);
	}
	fclose(f);
	/* The same input asks the same names, in the same letter case. */
	rng = 0x9e3779b97f4a7c15u ^ size;
	for (size_t i = 0; i < size; i++) {
		rng = (rng ^ data[i]) * 0x100000001b3u;
	}
	rng |= 1;
	nowners = 0;
	compare_readers();
	files[0] = path;
	err[0] = '\0';
	zs = zone_set_load(files, 1, err, sizeof(err));
	if (zs == NULL && memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	if (zs != NULL) {
		query_owners(zs);
	}
	zone_set_free(zs);
	return 0;
}
