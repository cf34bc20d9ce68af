/*
 * responder/wire.h -- DNS wire format: names, fixed fields, a compressing writer.
 *
 * Names are kept in wire form (length-prefixed labels ending in the root
 * label).  "Canonical" means every ASCII letter lowered, which is what the
 * zone tables are keyed on.  Nothing here allocates.
 */
#ifndef RESPONDER_WIRE_H
#define RESPONDER_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_HEADER_LEN 12
#define WIRE_NAME_MAX   255 /* octets of a wire name, root label included */
#define WIRE_LABEL_MAX  63
#define WIRE_LABELS_MAX 128 /* labels of a name, root label included */
#define WIRE_MSG_MAX    65535
#define WIRE_PTR_MAX    0x3fff /* highest offset a compression pointer reaches */

/* Header flag bits in the 16-bit flags word (RFC 1035 4.1.1). */
#define WIRE_QR 0x8000
#define WIRE_AA 0x0400
#define WIRE_TC 0x0200
#define WIRE_RD 0x0100
#define WIRE_RA 0x0080
#define WIRE_AD 0x0020
#define WIRE_CD 0x0010
#define WIRE_OPCODE(f) (((f) >> 11) & 0xf)

/* Types and classes the server treats specially. */
enum {
	WIRE_TYPE_A = 1,
	WIRE_TYPE_NS = 2,
	WIRE_TYPE_CNAME = 5,
	WIRE_TYPE_SOA = 6,
	WIRE_TYPE_PTR = 12,
	WIRE_TYPE_MX = 15,
	WIRE_TYPE_TXT = 16,
	WIRE_TYPE_AAAA = 28,
	WIRE_TYPE_SRV = 33,
	WIRE_TYPE_DNAME = 39,
	WIRE_TYPE_OPT = 41,
	WIRE_TYPE_DS = 43,
	WIRE_TYPE_RRSIG = 46,
	WIRE_TYPE_NSEC = 47,
	WIRE_TYPE_DNSKEY = 48,
	WIRE_TYPE_NSEC3 = 50,
	WIRE_TYPE_NSEC3PARAM = 51,
	WIRE_TYPE_TSIG = 250,
	WIRE_TYPE_IXFR = 251,
	WIRE_TYPE_AXFR = 252,
	WIRE_TYPE_MAILB = 253,
	WIRE_TYPE_MAILA = 254,
	WIRE_TYPE_ANY = 255,
	WIRE_TYPE_CAA = 257,
	WIRE_CLASS_IN = 1,
	WIRE_CLASS_ANY = 255,
};

/* RCODEs, including the extended ones carried in OPT (RFC 6891). */
enum {
	WIRE_RCODE_NOERROR = 0,
	WIRE_RCODE_FORMERR = 1,
	WIRE_RCODE_SERVFAIL = 2,
	WIRE_RCODE_NXDOMAIN = 3,
	WIRE_RCODE_NOTIMP = 4,
	WIRE_RCODE_REFUSED = 5,
	WIRE_RCODE_YXDOMAIN = 6,
	WIRE_RCODE_NOTAUTH = 9,
	WIRE_RCODE_BADVERS = 16,
	WIRE_RCODE_BADKEY = 17, /* in a TSIG record's error field only */
};

static inline uint16_t
wire_get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t
wire_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static inline void
wire_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
wire_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline uint8_t
wire_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

/*
 * Read an uncompressed name at MSG[OFF], within LEN octets.  Copies it in
 * canonical (lower-case) form to NAME (WIRE_NAME_MAX octets) unless NAME is
 * NULL.  Returns the name's length (root label included), or -1 when it
 * runs past LEN, is longer than 255 octets, has a label over 63 or a
 * compression pointer or label type other than 00.
 */
int wire_name_parse(const uint8_t *msg, size_t len, size_t off, uint8_t *name);

/*
 * Read a possibly compressed name at *OFF in MSG (LEN octets), following
 * pointers only backwards, so loops cannot happen.  Writes the
 * uncompressed name (original case) to NAME (WIRE_NAME_MAX octets) and
 * advances *OFF past the name as it stands in the message.  Returns its
 * length or -1 on any malformation.
 */
int wire_name_unpack(const uint8_t *msg, size_t len, size_t *off,
                     uint8_t *name);

/* Length of a well-formed wire name (root label included). */
size_t wire_name_len(const uint8_t *name);

/* Number of labels, the root label excluded ("." has 0). */
unsigned wire_name_labels(const uint8_t *name);

/* Case-insensitive equality of two well-formed wire names. */
bool wire_name_equal(const uint8_t *a, const uint8_t *b);

/* True when SUB equals PARENT or lies below it (case-insensitive). */
bool wire_name_is_subdomain(const uint8_t *sub, const uint8_t *parent);

/* Lower every letter of NAME in place. */
void wire_name_lower(uint8_t *name);

/* Hash of a canonical name of LEN octets (in memory only, not stable). */
uint32_t wire_name_hash(const uint8_t *name, size_t len);

/*
 * Presentation form of NAME ("www.example.test.", "." for the root), with
 * '.', '\\', '"' and bytes outside 0x21-0x7e escaped as in RFC 1035
 * (\DDD).  Writes at most CAP octets including the terminating NUL.
 * Returns the length it needed (as snprintf does).
 */
size_t wire_name_to_str(const uint8_t *name, char *buf, size_t cap);

/*
 * Mnemonic of TYPE ("CAA", "A") or "TYPE65280" for types without one.
 * Writes into BUF (at least 16 octets) and returns BUF.
 */
const char *wire_type_str(uint16_t type, char *buf, size_t cap);

/*
 * The type S names: a mnemonic ("CAA", any letter case) or TYPEnnn (RFC
 * 3597); 0..65535, or -1 for anything else.  TYPEnnn is read here, as
 * ldns lets TYPE65536 and above through.
 */
int wire_type_parse(const char *s);

/*
 * Check RDATA (RDLEN octets) against the format of TYPE, for the types
 * whose RDATA the responder reads: A (4 octets), AAAA (16), NS, CNAME,
 * PTR, DNAME, MD, MF, MB, MG, MR (one name), MX (16 bits, a name), SRV
 * (three 16-bit fields, a name), SOA (two names, five 32-bit fields) and
 * MINFO (two names).  Names must parse with wire_name_parse() and the
 * fields must fill RDATA exactly.  Any RDATA of every other type passes.
 * Returns true when it is well formed, else false with what is wrong in
 * WHY (CAP octets, e.g. "CNAME RDATA: no name at octet 0 ...").
 */
bool wire_rdata_check(uint16_t type, const uint8_t *rdata, size_t rdlen,
                      char *why, size_t cap);

/* Mnemonic of RCODE ("NOERROR", "BADVERS") or "RCODE23". */
const char *wire_rcode_str(unsigned rcode, char *buf, size_t cap);

/*
 * A message writer with name compression, for building answers.  It
 * writes into a caller's buffer; when the buffer is too small it stops
 * writing and sets OVERFLOW, so callers check once at the end.  The
 * compression dictionary holds the offsets of names already written.
 *
 * Every compression pointer the writer emits is recorded in PTRS (up to
 * WIRE_W_PTRS of them; past that NPTRS_LOST counts), which lets the zone
 * compiler turn a finished answer into a relocatable blob.
 */
#define WIRE_W_NAMES 64
#define WIRE_W_PTRS  256

struct wire_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
	unsigned strip; /* ANSWER_NO_RRSIG, ANSWER_NO_NSEC (answer_int.h) */
	unsigned nnames;
	uint16_t names[WIRE_W_NAMES]; /* offsets of names usable as targets */
	unsigned nptrs;
	unsigned nptrs_lost;
	uint16_t ptrs[WIRE_W_PTRS]; /* offsets of the pointers emitted */
};

/* Start writing at BUF[START] (the header and question may precede). */
void wire_writer_init(struct wire_writer *w, uint8_t *buf, size_t cap,
                      size_t start);

/*
 * Make the name at BUF[OFF] (already in the buffer, e.g. the question)
 * a compression target, as are all its suffixes.
 */
void wire_writer_add_name(struct wire_writer *w, size_t off);

void wire_writer_bytes(struct wire_writer *w, const void *p, size_t n);
void wire_writer_u16(struct wire_writer *w, uint16_t v);
void wire_writer_u32(struct wire_writer *w, uint32_t v);

/* A pointer to OFF (the owner of an answer is often the question, 12). */
void wire_writer_ptr(struct wire_writer *w, uint16_t off);

/* Write NAME compressed (COMPRESS) or in full; remembers it as a target. */
void wire_writer_name(struct wire_writer *w, const uint8_t *name,
                      bool compress);

/*
 * Write RDATA of TYPE (uncompressed wire form, RDLEN octets) with its
 * RDLENGTH field, compressing the embedded names of the RFC 1035 types
 * (NS, CNAME, SOA, PTR, MX, MINFO, MB, MG, MR, MD, MF), as RFC 3597 4
 * allows for exactly those.
 */
void wire_writer_rdata(struct wire_writer *w, uint16_t type,
                       const uint8_t *rdata, uint16_t rdlen);

#endif /* RESPONDER_WIRE_H */
