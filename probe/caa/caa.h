/*
 * probe/caa/caa.h -- CAA records, issue values, RFC 8659 evaluation, climb.
 *
 * Library "caa": pure C11, no sockets, no printing, no global state, no
 * allocation.  Everything a CA decides about CAA is here so that caa-probe
 * and caa-responder agree: RDATA parsing (RFC 8659 section 4.1), issue and
 * issuewild values (section 4.2), RFC 8657 parameters, the evaluation of a
 * relevant RRset, the candidate names of the tree climb (section 3), the
 * choice between a relevant RRset and a lookup error (Boulder selectCAA),
 * and the wording Let's Encrypt uses for each outcome.  The rules are in
 * docs/probe.md; two policies read them:
 *
 *   CAA_POLICY_RFC8659  the RFC text.
 *   CAA_POLICY_BOULDER  Let's Encrypt's readings: flag bit 1 is critical too;
 *                       issuemail and issuevmc are known tags; a "-" in a
 *                       parameter tag makes the record authorize nobody; the
 *                       parameter tags accounturi and validationmethods match
 *                       only in lower case (so "AccountURI=" is ignored: fail
 *                       open); NXDOMAIN at the TLD is a lookup error.
 *
 * Both policies compare the issuer domain name exactly (case-sensitive),
 * treat two accounturi or two validationmethods parameters in one record as
 * unsatisfiable, and warn where the other policy reads a record differently.
 *
 * Ownership: nothing here allocates (but libidn2 inside caa_ident_check()).  Parsed records and issue values point
 * into the bytes they were parsed from (they borrow them); results and
 * messages are written into storage the caller provides.
 */
#ifndef PROBE_CAA_CAA_H
#define PROBE_CAA_CAA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum caa_status {
	CAA_OK = 0,
	CAA_ERR_ARG,              /* NULL pointer or argument out of range */
	CAA_ERR_RDATA_SHORT,      /* RDATA under 2 octets */
	CAA_ERR_RDATA_TAG_EMPTY,  /* tag length 0 */
	CAA_ERR_RDATA_TAG_TRUNC,  /* tag runs past the end of the RDATA */
	CAA_ERR_RDATA_LONG,       /* RDATA over 65535 octets */
	CAA_ERR_TAG_LENGTH,       /* tag not 1..255 octets */
	CAA_ERR_ISSUE_SYNTAX,     /* issue value off the RFC 8659 grammar */
	CAA_ERR_NAME_EMPTY,       /* empty name, or the root */
	CAA_ERR_NAME_LABEL_EMPTY, /* two dots in a row, or a leading dot */
	CAA_ERR_NAME_LABEL_LONG,  /* a label over 63 octets */
	CAA_ERR_NAME_LONG,        /* over 253 characters (255 on the wire) */
	CAA_ERR_NAME_CHAR,        /* a character a CA refuses */
	CAA_ERR_NAME_WILDCARD,    /* "*" other than a leading "*." */
	CAA_ERR_SPACE,            /* buffer too small: output truncated */
	CAA_ERR_NAME_WILDCARDS,   /* more than one "*" */
	CAA_ERR_NAME_IP,          /* an IPv4 or IPv6 address literal */
	CAA_ERR_NAME_PUNYCODE,    /* an xn-- label that is no A-label */
	CAA_ERR_NAME_RLDH,        /* "--" third and fourth, not "xn--" */
	CAA_ERR_NOMEM,            /* out of memory (libidn2) */
};

/*
 * A message for STATUS; never NULL, static storage.  The CAA_ERR_NAME_*
 * messages are Let's Encrypt's (Boulder policy/pa.go), word for word:
 *   EMPTY       Identifier value (name) is empty
 *   LABEL_EMPTY Domain name can not have two dots in a row
 *   LABEL_LONG  Domain has a label (component between dots) longer than
 *               63 bytes
 *   LONG        Domain name is longer than 253 bytes
 *   CHAR        Domain name contains an invalid character
 *   WILDCARD    Domain name contains an invalid wildcard. A wildcard is
 *               only permitted before the first dot in a domain name
 *   WILDCARDS   Domain name has more than one wildcard
 *   IP          Identifier type is DNS but value is an IP address
 *   PUNYCODE    Domain name contains malformed punycode
 *   RLDH        Domain name contains an invalid label in a reserved
 *               format (R-LDH: '??--')
 */
const char *caa_strerror(enum caa_status status);

enum caa_policy {
	CAA_POLICY_RFC8659 = 0,
	CAA_POLICY_BOULDER = 1,
};

/* "rfc8659" or "boulder"; caa_policy_parse() reads them back (CAA_ERR_ARG
 * for anything else). */
const char *caa_policy_name(enum caa_policy policy);
enum caa_status caa_policy_parse(const char *name, enum caa_policy *out);

/* The values match caa-probe's exit status. */
enum caa_verdict {
	CAA_ALLOWED = 0,
	CAA_DENIED = 1,
	CAA_LOOKUP_FAILED = 2,
	CAA_INVALID = 3, /* a name the CA refuses (caa_ident_check()) */
};

/* "allowed", "denied", "lookup-failed", "invalid" (the probe's JSON
 * words). */
const char *caa_verdict_name(enum caa_verdict verdict);

/* ------------------------------------------------------------------ */
/* Records (RFC 8659 section 4.1)                                     */
/* ------------------------------------------------------------------ */

#define CAA_FLAG_CRITICAL 128 /* the Issuer Critical flag */
#define CAA_FLAG_BIT1     1   /* read as critical by Boulder */
#define CAA_TAG_MAX       255
#define CAA_RDATA_MAX     65535

/*
 * One CAA record.  TAG and VALUE point into the RDATA it was parsed from
 * (borrowed: keep those bytes alive and unchanged while the record is used).
 * A tag may hold any bytes (RFC 8659 forbids all but letters and digits,
 * but evaluators meet others on the wire); a value may be empty.
 */
struct caa_record {
	uint8_t flags;
	uint8_t tag_len; /* 1..255 */
	const uint8_t *tag;
	size_t value_len;
	const uint8_t *value;
};

/*
 *   +0     flags        1 octet
 *   +1     tag length   1 octet, at least 1
 *   +2     tag          tag length octets
 *   +2+tl  value        the rest, possibly empty
 *
 * Parses RDATA[0..LEN) into OUT, which borrows RDATA.  Returns
 * CAA_ERR_RDATA_SHORT, CAA_ERR_RDATA_TAG_EMPTY or CAA_ERR_RDATA_TAG_TRUNC
 * for malformed RDATA (OUT is then zeroed), which a CA reads as a failed
 * lookup (see CAA_LOOKUP_BAD_RDATA).
 */
enum caa_status caa_record_parse(const uint8_t *rdata, size_t len,
                                 struct caa_record *out);

/*
 * Writes the RDATA of a record into OUT[0..SIZE) and its length into *LEN.
 * CAA_ERR_TAG_LENGTH for a tag of 0 or over 255 octets, CAA_ERR_RDATA_LONG
 * past 65535 octets, CAA_ERR_SPACE when SIZE is too small (nothing written,
 * *LEN says how much is needed).
 */
enum caa_status caa_rdata_write(uint8_t flags, const uint8_t *tag,
                                size_t tag_len, const uint8_t *value,
                                size_t value_len, uint8_t *out, size_t size,
                                size_t *len);

/* The tags every evaluator knows.  Comparison is ASCII case-insensitive. */
enum caa_tag {
	CAA_TAG_OTHER = 0,
	CAA_TAG_ISSUE,
	CAA_TAG_ISSUEWILD,
	CAA_TAG_IODEF,
};

enum caa_tag caa_tag_kind(const uint8_t *tag, size_t len);

/*
 * Renders IN[0..LEN) for display into OUT[0..SIZE), always NUL-terminated
 * when SIZE > 0: printable ASCII stays as it is (so "<script>" is visible
 * as text), '"' and '\' get a backslash, every other octet becomes \DDD
 * (decimal, as in DNS presentation format).  Returns the length the whole
 * rendering needs, without the NUL (as snprintf): a result >= SIZE means
 * OUT was truncated.  At most 4 * LEN characters.
 */
size_t caa_escape(const uint8_t *in, size_t len, char *out, size_t size);

/* ------------------------------------------------------------------ */
/* issue and issuewild values (RFC 8659 section 4.2, RFC 8657)        */
/* ------------------------------------------------------------------ */

/*
 * A parsed issue or issuewild value.  All pointers borrow the value bytes.
 *
 *   issue-value = *WSP [issuer-domain-name *WSP]
 *                 [";" *WSP [parameters *WSP]]
 *   issuer-domain-name = label *("." label)
 *   label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
 *   parameters = (parameter *WSP ";" *WSP parameters) / parameter
 *   parameter = tag *WSP "=" *WSP value
 *   tag = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))
 *   value = *(%x21-3A / %x3C-7E)
 *   WSP = space or tab
 */
struct caa_issue {
	const char *issuer; /* issuer domain name; issuer_len 0: nobody */
	size_t issuer_len;
	const char
	        *params; /* from the first parameter to the end of the last */
	size_t params_len;
	size_t nparams;
	size_t error_at; /* CAA_ERR_ISSUE_SYNTAX: first octet off the grammar */
};

/*
 * Parses VALUE[0..LEN) into OUT.  CAA_OK when it matches the grammar;
 * CAA_ERR_ISSUE_SYNTAX when not: a malformed value authorizes nobody, and
 * OUT then has an empty issuer, no parameters and error_at set.
 */
enum caa_status caa_issue_parse(const uint8_t *value, size_t len,
                                struct caa_issue *out);

/* One parameter, borrowed from the value; TAG is as written (any case). */
struct caa_param {
	const char *tag;
	size_t tag_len;
	const char *value;
	size_t value_len;
};

/*
 * Iterates over the parameters of a value that caa_issue_parse() accepted.
 * Start with *POS = 0; each call fills OUT and returns true, then false
 * after the last one.
 */
bool caa_issue_param_next(const struct caa_issue *issue, size_t *pos,
                          struct caa_param *out);

/* ------------------------------------------------------------------ */
/* Warnings                                                            */
/* ------------------------------------------------------------------ */

/* Risks that a report names; most do not change the verdict.  Messages
 * number the records of an RRset from 1 ("record 1" is the first). */
enum caa_warn {
	CAA_WARN_POLICY_DIFFERS =
	        0, /* the other policy reaches another verdict */
	CAA_WARN_CRITICAL_UNKNOWN, /* an unknown tag is critical: denied */
	CAA_WARN_FLAG_BIT1,        /* flag bit 1 on an unknown tag */
	CAA_WARN_UNKNOWN_TAG,      /* a non-critical unknown tag, ignored */
	CAA_WARN_TAG_CHARS,        /* a tag with bytes RFC 8659 forbids */
	CAA_WARN_CRITICAL_IODEF,   /* iodef with the critical flag */
	CAA_WARN_IODEF,            /* iodef not a mailto: or http(s): URL */
	CAA_WARN_ISSUE_MALFORMED, /* value off the grammar: authorizes nobody */
	CAA_WARN_ISSUER_DOT,      /* issuer with a trailing dot */
	CAA_WARN_ISSUER_CASE,     /* issuer with capitals */
	CAA_WARN_PARAM_HYPHEN,    /* "-" in a parameter tag */
	CAA_WARN_PARAM_CASE,      /* AccountURI / ValidationMethods spelling */
	CAA_WARN_ACCOUNTURI,      /* accounturi unsatisfiable */
	CAA_WARN_METHODS,         /* validationmethods unsatisfiable */
	CAA_WARN_METHOD_UNKNOWN,  /* a well-formed unknown method, skipped */
	CAA_WARN_PARAM_UNCHECKED, /* restricted, but the request lacks it */
	CAA_WARN_LOOKUP_ABOVE,    /* a lookup error above the relevant RRset */
	CAA_WARN_CNAME_AND_CAA,   /* CAA at a name that is also a CNAME */
	CAA_WARN_OUTSIDE_CHAIN,   /* CAA records outside the answer chain */
};

/* A stable kebab-case word for WARN ("policy-differs", ...), for JSON. */
const char *caa_warn_name(enum caa_warn warn);

#define CAA_WARNING_LEN  384 /* bytes of one message, NUL included */
#define CAA_WARNINGS_MAX 32

struct caa_warning {
	enum caa_warn code;
	int candidate; /* index of the candidate name, -1: not about one */
	int record;    /* index of the record in its RRset, -1: not about one */
	char message[CAA_WARNING_LEN]; /* values escaped, long ones shortened */
};

struct caa_warnings {
	size_t count;
	size_t lost; /* warnings that did not fit in ITEM */
	struct caa_warning item[CAA_WARNINGS_MAX];
};

/*
 * The first words of CAA_WARN_POLICY_DIFFERS, by the policy evaluated; the
 * other policy's verdict and reason follow:
 *   RFC 8659 would decide differently: under rfc8659 the verdict would be
 *   allowed (CAA record for x.test permits issuance by ca.test)
 * (the reason shortened with "..." where the message would not fit).
 */
#define CAA_DIFFERS_BOULDER \
	"Let's Encrypt (--policy boulder) would decide differently"
#define CAA_DIFFERS_RFC8659 "RFC 8659 would decide differently"

/* ------------------------------------------------------------------ */
/* Evaluation of one relevant RRset (RFC 8659 sections 3-4, RFC 8657)  */
/* ------------------------------------------------------------------ */

/*
 * What the CA is asked: the same for every name of a batch.  All borrowed.
 * Known tags are always issue, issuewild and iodef, plus KNOWN_TAGS, plus
 * issuemail and issuevmc under CAA_POLICY_BOULDER (Boulder's filterCAA
 * knows them), compared case-insensitively.
 */
struct caa_request {
	const char *const *issuers; /* the CA's issuer domain names, >= 1 */
	size_t nissuers;
	const char *account_uri; /* RFC 8657 accounturi; NULL: none, so a
	                            record restricted to an account fails */
	const char *method;      /* ACME method ("http-01"); NULL: none, so a
	                            record restricted to methods fails */
	const char *const *known_tags;
	size_t nknown_tags;
	enum caa_policy policy;
};

#define CAA_REASON_LEN 320

struct caa_result {
	enum caa_verdict verdict;
	int candidate; /* caa_check(): the candidate whose RRset decided or
	                  whose lookup failed; -1 otherwise */
	int record;    /* the deciding record: the matching one when allowed;
	                  when denied the critical unknown one, else the first
	                  applicable one; -1 when no record decided */
	char reason[CAA_REASON_LEN]; /* in the CA's words */
	struct caa_warnings warnings;
};

/*
 * Empties R: allowed, no candidate, record or reason, no warnings.  Cheap:
 * it leaves the warning texts (about 13 KB) as they are, unread.
 */
void caa_result_clear(struct caa_result *r);

/*
 * Evaluates RECORDS[0..N), the relevant RRset found at FOUND_AT (the name
 * the reason cites), for a request of REQ, WILDCARD for "*.FOUND_AT"-style
 * requests.  N == 0 means no RRset: allowed.  Fills OUT, including every
 * warning of the RRset and CAA_WARN_POLICY_DIFFERS when the other policy
 * decides otherwise.  Returns CAA_ERR_ARG for a NULL pointer or no issuer.
 * Reasons:
 *   "CAA record for <found_at> prevents issuance"
 *   "CAA record for <found_at> permits issuance by <issuer>"
 *   "CAA record for <found_at> does not restrict issuance"  (none applies)
 *   "no CAA record found"
 */
enum caa_status caa_evaluate(const struct caa_request *req, bool wildcard,
                             const char *found_at,
                             const struct caa_record *records, size_t n,
                             struct caa_result *out);

/* An issuer domain name as a record writes it; NAME borrows the value. */
struct caa_issuer {
	const char *name;
	size_t len;
};

/*
 * The issuers a relevant RRset RECORDS[0..N) allows, for a request as in
 * caa_evaluate() (WILDCARD for "*.X"): the issuer domain names of the
 * records whose tag applies (issuewild for a wildcard request when the
 * RRset has one, else issue) and whose value parses, each once (compared
 * exactly, as the evaluation compares them), in RRset order; issue ";"
 * and a malformed value name none.  Parameters are not read: a name here
 * may still be refused for its accounturi or validationmethods.  Writes
 * at most SIZE into OUT (SIZE >= N always suffices) and returns how many
 * there are.
 */
size_t caa_allowed_issuers(const struct caa_record *records, size_t n,
                           bool wildcard, struct caa_issuer *out,
                           size_t size);

/* ------------------------------------------------------------------ */
/* The climb (RFC 8659 section 3, Boulder parallelCAALookup/selectCAA) */
/* ------------------------------------------------------------------ */

#define CAA_NAME_MAX       253 /* characters of a name without the final dot */
#define CAA_CANDIDATES_MAX 127

/*
 * The names to ask, from the request name up to its TLD (never the root).
 * "*.X" starts at X with WILDCARD set.  NAME holds the lower-cased name
 * without a final dot; candidate i is NAME + OFFSET[i].
 */
struct caa_candidates {
	bool wildcard;
	size_t count;
	char name[CAA_NAME_MAX + 1];
	uint8_t offset[CAA_CANDIDATES_MAX];
};

/*
 * Builds OUT from REQUEST ("host.example.test", "*.example.test", a final
 * dot allowed, any letter case).  CAA_ERR_NAME_* for an empty name, empty
 * or long labels, a long name, a byte outside printable ASCII or '\', or
 * a "*" label anywhere but first.
 */
enum caa_status caa_candidates_build(const char *request,
                                     struct caa_candidates *out);

/* Candidate I, or NULL past the end. */
const char *caa_candidate(const struct caa_candidates *c, size_t i);

/* What the lookup of CAA at one candidate gave (after aliases were chased). */
enum caa_lookup_kind {
	CAA_LOOKUP_RECORDS = 0, /* NOERROR with CAA records */
	CAA_LOOKUP_EMPTY,       /* NOERROR without CAA records (NODATA) */
	CAA_LOOKUP_NXDOMAIN,
	CAA_LOOKUP_RCODE,      /* another RCODE (SERVFAIL, REFUSED, ...) */
	CAA_LOOKUP_TIMEOUT,    /* no answer after every try */
	CAA_LOOKUP_TRUNCATED,  /* TC=1 and TCP could not complete it */
	CAA_LOOKUP_MALFORMED,  /* the answer did not parse */
	CAA_LOOKUP_BAD_RDATA,  /* a CAA record's RDATA did not parse */
	CAA_LOOKUP_CNAME_LOOP, /* the alias chain loops */
	CAA_LOOKUP_CNAME_LONG, /* the alias chain is over the length limit */
	CAA_LOOKUP_NETWORK,    /* a network error (unreachable, reset, ...) */
	CAA_LOOKUP_REFERRAL,   /* NOERROR, no CAA, a referral (NS records in
	                          the authority section, no SOA, AA clear):
	                          the server asked holds no answer for it */
};

struct caa_lookup {
	enum caa_lookup_kind kind;
	int rcode;            /* CAA_LOOKUP_RCODE: the RCODE (0..4095);
	                         RCODE 0 or 3 count as EMPTY/RECORDS or
	                         NXDOMAIN */
	int ede;              /* RFC 8914 INFO-CODE, -1: none; used with an
	                         RCODE error (as Boulder) */
	bool also_cname;      /* the name holds a CNAME as well as CAA */
	const char *ede_text; /* EXTRA-TEXT or NULL; borrowed */
	const struct caa_record *records; /* CAA_LOOKUP_RECORDS; borrowed */
	size_t nrecords;
	size_t outside_chain; /* CAA records ignored: owner off the chain */
};

/* "NOERROR", "SERVFAIL", ... as Boulder (miekg/dns) spells them; NULL for
 * an RCODE without a name. */
const char *caa_rcode_name(int rcode);

/* RFC 8914 INFO-CODE 0..24 in Boulder's words ("DNSSEC: Bogus"); NULL for
 * others. */
const char *caa_ede_name(int code);

/* What DNSSEC validation said of one lookup. */
enum caa_dnssec {
	CAA_DNSSEC_NONE = 0, /* not validated (no trust anchor, or a server
	                        asked as it is): JSON null */
	CAA_DNSSEC_SECURE,
	CAA_DNSSEC_INSECURE, /* no chain of trust covers the name */
	CAA_DNSSEC_BOGUS,    /* validation failed: a lookup failure */
};

#define CAA_EDE_BOGUS 6 /* RFC 8914 "DNSSEC Bogus" */

/* "secure", "insecure", "bogus"; NULL for CAA_DNSSEC_NONE. */
const char *caa_dnssec_name(enum caa_dnssec s);

/*
 * The RFC 8914 INFO-CODE a validating unbound attaches to a bogus answer,
 * derived from its reason text WHY (libunbound's why_bogus): 7 Signature
 * Expired, 8 Signature Not Yet Valid, 12 NSEC Missing, 10 RRSIGs Missing,
 * 11 No Zone Key Bit Set, 9 DNSKEY Missing, else 6 Bogus (also for NULL).
 */
int caa_dnssec_ede(const char *why);

/*
 * Writes, for an outcome that is an error (all but RECORDS and EMPTY;
 * NXDOMAIN counts, for the TLD under Boulder), the CA's wording into
 * BUF[0..SIZE), NUL-terminated:
 *   DNS problem: SERVFAIL looking up CAA for <name> - the domain's
 *     nameservers may be malfunctioning
 *   DNS problem: NXDOMAIN looking up CAA for <name> - check that a DNS
 *     record exists for this domain
 *   DNS problem: <RCODE> looking up CAA for <name>
 *   DNS problem: query timed out looking up CAA for <name>
 *   DNS problem: response was truncated looking up CAA for <name>
 *   DNS problem: malformed CAA record looking up CAA for <name>
 *   DNS problem: malformed response looking up CAA for <name>
 *   DNS problem: CNAME loop looking up CAA for <name>
 *   DNS problem: CNAME chain too long looking up CAA for <name>
 *   DNS problem: networking error looking up CAA for <name>
 *   DNS problem: looking up CAA for <name>: DNSSEC: Bogus[: <extra text>]
 *     (an RCODE error with an EDE; unknown codes read "Unknown Extended
 *     DNS Error code N")
 * CAA_ERR_ARG for a non-error outcome (BUF gets ""), CAA_ERR_SPACE when
 * truncated.
 */
enum caa_status caa_lookup_describe(const struct caa_lookup *lookup,
                                    const char *name, char *buf, size_t size);

enum caa_select {
	CAA_SELECT_NONE = 0, /* no RRset anywhere: issuance allowed */
	CAA_SELECT_FOUND,    /* CANDIDATE holds the relevant RRset */
	CAA_SELECT_FAILED, /* CANDIDATE's lookup failed first: lookup-failed */
};

struct caa_selection {
	enum caa_select outcome;
	int candidate;              /* -1 for CAA_SELECT_NONE */
	char error[CAA_REASON_LEN]; /* CAA_SELECT_FAILED: caa_lookup_describe()
	                             */
	struct caa_warnings warnings; /* errors above, CNAME, outside chain */
};

/*
 * Walks LOOKUPS[0..C->count), one per candidate in order, as Boulder's
 * selectCAA: the first non-empty RRset is relevant; an error met before it
 * fails the lookup with that name; errors above it are only warnings; an
 * NXDOMAIN at a one-label name (the TLD) is an error under
 * CAA_POLICY_BOULDER and empty under CAA_POLICY_RFC8659.
 */
enum caa_status caa_select(const struct caa_candidates *c,
                           const struct caa_lookup *lookups,
                           enum caa_policy policy, struct caa_selection *out);

/*
 * The whole decision for one name: caa_select() then caa_evaluate() of the
 * relevant RRset, with REQ->policy, the warnings of both, and
 * CAA_WARN_POLICY_DIFFERS when the other policy ends with another verdict.
 * On lookup-failed, REASON is the lookup error and CANDIDATE its index.
 */
enum caa_status caa_check(const struct caa_request *req,
                          const struct caa_candidates *c,
                          const struct caa_lookup *lookups,
                          struct caa_result *out);

/*
 * caa_check() without its warnings: the same verdict, candidate, record and
 * reason, REQ->policy alone (no comparison with the other policy), OUT's
 * warnings empty.  For a check whose warnings nobody reads (a remote
 * perspective's): about half the work.
 */
enum caa_status caa_check_verdict(const struct caa_request *req,
                                  const struct caa_candidates *c,
                                  const struct caa_lookup *lookups,
                                  struct caa_result *out);

/* ------------------------------------------------------------------ */
/* Identifiers a CA accepts (Boulder policy/pa.go ValidDomain)         */
/* ------------------------------------------------------------------ */

#define CAA_IDENT_INPUT_MAX   1024 /* octets of input read at most */
#define CAA_IDENT_UNICODE_MAX 1024 /* octets of the U-label form, NUL too */

/*
 * A DNS identifier as a CA reads it.  NAME is what is looked up: A-labels,
 * lower case, no final dot, "*." kept for a wildcard request.  UNICODE is
 * the same name with every xn-- label decoded (UTF-8); equal to NAME when
 * it has none.
 */
struct caa_ident {
	bool wildcard;
	char name[CAA_NAME_MAX + 3];
	char unicode[CAA_IDENT_UNICODE_MAX];
};

/*
 * Checks INPUT (a NUL-terminated string, UTF-8) as a CA checks a DNS
 * identifier before any CAA lookup, and fills OUT.  Letters are lower-
 * cased (Boulder identifier.Normalize) and one final dot is dropped;
 * then, in Boulder's order, the first of these refuses it:
 *   CAA_ERR_NAME_EMPTY      nothing left (also "." and "*.")
 *   CAA_ERR_NAME_IP         an IPv4 literal (dotted quad, as inet_pton)
 *                           or an IPv6 one (bare, "[...]" or with %zone)
 *   CAA_ERR_NAME_WILDCARDS  two or more "*"
 *   CAA_ERR_NAME_WILDCARD   a "*" that is not a leading "*."
 *   CAA_ERR_NAME_CHAR       a character other than letters, digits, "-"
 *                           and "." (so no URL, port, "_", space, comma);
 *                           a label that starts or ends with "-"
 *   CAA_ERR_NAME_LONG       over 253 octets (without "*." and final dot)
 *   CAA_ERR_NAME_LABEL_EMPTY, CAA_ERR_NAME_LABEL_LONG (over 63 octets)
 *   CAA_ERR_NAME_RLDH       "--" third and fourth in a label, not "xn--"
 *   CAA_ERR_NAME_PUNYCODE   an xn-- label whose rest does not decode as
 *                           Punycode (RFC 3492), does not encode back to
 *                           itself, or decodes to a string not in NFC
 * A name with non-ASCII characters is first mapped to A-labels label by
 * label with libidn2 (IDNA2008, UTS #46 non-transitional mapping, as
 * browsers and dig do); what it refuses is CAA_ERR_NAME_CHAR (PUNYCODE,
 * LABEL_LONG or LONG where that is the cause), and so are invisible
 * characters (Default_Ignorable_Code_Point: zero-width, bidi controls,
 * BOM, soft hyphen, variation selectors) that the mapping would drop.
 * Public-suffix and TLD policy is not applied (names under .test pass),
 * nor Boulder's limit of 10 labels or its refusal of a final dot.
 *
 * Returns CAA_OK, a CAA_ERR_NAME_* (OUT is then zeroed), CAA_ERR_ARG for
 * NULL, or CAA_ERR_NOMEM.  Unlike the rest of the library, libidn2 may
 * allocate inside; nothing stays allocated on return.
 */
enum caa_status caa_ident_check(const char *input, struct caa_ident *out);

#endif /* PROBE_CAA_CAA_H */
