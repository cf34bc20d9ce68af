/*
 * responder/fault.h -- fault rules: parse them, keep them, match queries.
 *
 * A rule is one line, `ACTION NAME TYPE [OPTION...]` (docs/faults.md),
 * used alike by -f, --faults-file, --profile and the API.  A
 * fault_set holds the rules in priority order and an index on (name,
 * selector, type), so that fault_match() costs a few hash lookups however
 * many rules there are, and allocates nothing.
 *
 * Priority.  Every rule gets an id (1, 2, ...) when it is added.  When
 * several rules match a query, they are tried in the order they were
 * added and the first one whose conditions fire wins; a rule whose
 * conditions do not fire lets the next one be tried.  The rules of a rules
 * file keep the place the file had when it was first loaded: a reload
 * replaces them in place (with new ids), before any rule added after that
 * first load.
 *
 * Counters.  A rule counts the queries that reach it: those that match its
 * name, type, transport= and family= and that no earlier rule took.  With
 * k = 0, 1, 2, ... that count, the rule fires when
 *
 *	k >= after  and  (count unset or k < after + count)
 *	and  (k - after) % every == 0  and  (0 < p < 1: a draw < p; p = 0 never)
 *
 * after, count and every default to 0, unset and 1, p to 1.  So count=2
 * answers wrongly twice and then lets the query fall through; count bounds
 * the window of k, so `every=2 count=4` fires twice.  The draw comes from
 * a splitmix64 generator owned by the set (fault_set_seed()) and is taken
 * only for rules with 0 < p < 1 whose other conditions hold, so rules
 * without p never disturb the sequence.
 *
 * truncate.  A TCP query that matches a truncate rule's selector gets the
 * rule's tcp= action (default normal) whenever the rule is reached, and
 * does not advance its counter, so a UDP query, its TC=1 answer and the TCP
 * retry behave as real truncation.  With tcp=normal the rule still takes
 * the query (later rules are not tried) and its effect is FAULT_NORMAL.
 *
 * A set is not thread-safe: the responder calls everything from its one
 * event loop (queries, API and SIGHUP alike).
 */
#ifndef RESPONDER_FAULT_H
#define RESPONDER_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "query.h"

enum fault_action {
	FAULT_NORMAL = 0, /* only as tcp=normal: answer honestly */
	FAULT_SERVFAIL,   /* RCODE SERVFAIL, no records */
	FAULT_REFUSED,    /* RCODE REFUSED, no records */
	FAULT_NOTIMP,     /* RCODE NOTIMP, no records */
	FAULT_FORMERR,    /* RCODE FORMERR, no records */
	FAULT_NXDOMAIN,   /* RCODE NXDOMAIN, no records */
	FAULT_NODATA,     /* NOERROR, empty answer */
	FAULT_DROP,       /* never answer */
	FAULT_DELAY,      /* the honest answer, ms late */
	FAULT_TRUNCATE,   /* UDP: TC=1, no records; TCP: the tcp= action */
	FAULT_GARBLE,     /* an answer that does not parse */
	FAULT_NOAA,       /* the honest answer with AA clear */
	FAULT_NOSOA,      /* negative answers without SOA in authority */
	FAULT_WRONGID,    /* the honest answer with another message ID */
	/* DNSSEC: only for queries with DO (FAULT_FACT_DO), see fault_dnssec */
	FAULT_SIG_EXPIRED, /* RRSIGs whose expiration has passed */
	FAULT_SIG_FUTURE,  /* RRSIGs whose inception is still to come */
	FAULT_SIG_BOGUS,   /* RRSIGs with altered signature octets */
	FAULT_SIG_STRIP,   /* no RRSIG at all */
	FAULT_NSEC_STRIP,  /* no NSEC or NSEC3 (nor their RRSIGs) */
	FAULT_DS_BOGUS,    /* DS digests that match no key of the child */
};

/* Whether ACTION is one of the DNSSEC actions (sig-expired ... ds-bogus). */
#define FAULT_IS_DNSSEC(a) ((a) >= FAULT_SIG_EXPIRED && (a) <= FAULT_DS_BOGUS)

/*
 * What fault_match() knows of a query besides its name, type and
 * transport: whether it has DO on a signing responder (the DNSSEC actions
 * need it), what its honest answer is (answer=) and whether its name has
 * an upper-case letter (case=).
 */
enum {
	FAULT_FACT_DO = 1U << 0,       /* DO bit set, and --dnssec */
	FAULT_FACT_POSITIVE = 1U << 1, /* honest answer: NOERROR with data */
	FAULT_FACT_NEGATIVE = 1U << 2, /* honest answer: NXDOMAIN or NODATA */
	FAULT_FACT_MIXED = 1U << 3,    /* the question has an upper-case letter */
};

/*
 * Where a rule came from.  Only FAULT_ORIGIN_FILE rules are replaced by a
 * reload; the others stay until removed.
 */
enum fault_origin {
	FAULT_ORIGIN_RULE = 0, /* -f on the command line */
	FAULT_ORIGIN_FILE,     /* --faults-file; see fault_set_load_file() */
	FAULT_ORIGIN_PROFILE,  /* --profile */
	FAULT_ORIGIN_API,      /* POST /faults and the challtestsrv calls */
};

/* How a rule's NAME selects query names. */
enum fault_select {
	FAULT_SELECT_EXACT = 0, /* example.test: that name only */
	FAULT_SELECT_BELOW,     /* *.example.test: strictly below it */
	FAULT_SELECT_ALL,       /* .: every name */
};

#define FAULT_TYPE_ANY 0x10000u /* TYPE `*`, outside the 16-bit types */
#define FAULT_EDE_NONE (-1)

struct fault_rule; /* opaque; counters change as queries match */
struct fault_set;  /* opaque */

/* "servfail", "normal", ...: the grammar's word for ACTION. */
const char *fault_action_name(enum fault_action action);

/* "rule", "file", "profile", "api": for GET /faults. */
const char *fault_origin_name(enum fault_origin origin);

/*
 * Parse one rule line; blanks separate fields, a token that starts with
 * `#` ends the line, a trailing newline is ignored.  Returns 0 and a new
 * rule in *OUT (free it with fault_rule_free() unless a set takes it),
 * -EINVAL with ERR filled with the reason (`unknown action 'servfial'`,
 * no position), or -ENOMEM.
 */
int fault_rule_parse(const char *line, struct fault_rule **out, char *err,
                     size_t errlen);

/* Free a rule that no set owns.  Accepts NULL. */
void fault_rule_free(struct fault_rule *r);

/*
 * Accessors, for query.c, the query log and the API.  A rule returned by a
 * set stays valid until the set removes it (fault_set_remove(), _clear(),
 * a reload, fault_set_free()); copy what must outlive the current event.
 */

/* The id the set gave the rule (0 while no set owns it). */
uint32_t fault_rule_id(const struct fault_rule *r);
enum fault_origin fault_rule_origin(const struct fault_rule *r);

/*
 * Canonical text, owned by the rule: lower-case name without the trailing
 * dot, type mnemonic, the options given in the fixed order count after
 * every p transport family ms ede tcp answer case from (from= as a
 * canonical prefix, a bare address when it is a whole one).  Parsing it yields the same rule:
 * `servfail host.example.test CAA count=2`.
 */
const char *fault_rule_text(const struct fault_rule *r);

enum fault_action fault_rule_action(const struct fault_rule *r);
/* The tcp= action of a truncate rule (FAULT_NORMAL unless given). */
enum fault_action fault_rule_tcp_action(const struct fault_rule *r);
/* ms=: delay for delay, a late answer for the others; 0 when not given. */
uint32_t fault_rule_ms(const struct fault_rule *r);
/* ede=: the RFC 8914 INFO-CODE to add, or FAULT_EDE_NONE. */
int fault_rule_ede(const struct fault_rule *r);

/* Queries that reached the rule (k above) and that it fired on. */
uint64_t fault_rule_seen(const struct fault_rule *r);
uint64_t fault_rule_fired(const struct fault_rule *r);

/*
 * What query.c does with rule R (returned by fault_match()) for a query
 * over TP: ACTION is the rule's action, or for truncate over TCP its tcp=
 * action.  When ACTION is FAULT_NORMAL the honest answer goes out as is,
 * now, without EDE; otherwise it is sent DELAY_MS late (FAULT_DROP: never)
 * with EDE added when not FAULT_EDE_NONE.
 */
struct fault_effect {
	enum fault_action action;
	uint32_t delay_ms;
	int ede;
};

void fault_rule_effect(const struct fault_rule *r, enum query_transport tp,
                       struct fault_effect *out);

/* Returns a new, empty set (free with fault_set_free()), or NULL. */
struct fault_set *fault_set_new(void);

/* Free the set and every rule in it.  Accepts NULL. */
void fault_set_free(struct fault_set *fs);

/*
 * Seed the generator behind p= (splitmix64).  Reseeding restarts the
 * sequence but keeps the counters.  A new set is seeded with 0; main.c
 * seeds from the clock unless --seed is given.
 */
void fault_set_seed(struct fault_set *fs, uint64_t seed);

/*
 * Add R with ORIGIN (not FAULT_ORIGIN_FILE), after every rule in the set.
 * Takes ownership of R, also on failure (then R is freed).  Returns 0 and
 * the new id in *ID (unless ID is NULL), or -ENOMEM with the set
 * unchanged, or -EINVAL for FAULT_ORIGIN_FILE.
 */
int fault_set_add(struct fault_set *fs, struct fault_rule *r,
                  enum fault_origin origin, uint32_t *id);

/*
 * Parse LINE and add it: -f and POST /faults.  Returns as fault_rule_parse()
 * and fault_set_add(); on error the set is unchanged.
 */
int fault_set_add_text(struct fault_set *fs, const char *line,
                       enum fault_origin origin, uint32_t *id, char *err,
                       size_t errlen);

/* Remove and free the rule ID.  Returns 0 or -ENOENT. */
int fault_set_remove(struct fault_set *fs, uint32_t id);

/*
 * Remove and free every rule (DELETE /faults).  Files loaded stay known:
 * the next reload reads them again.
 */
void fault_set_clear(struct fault_set *fs);

/* Number of rules, and the I-th in priority order (GET /faults). */
size_t fault_set_count(const struct fault_set *fs);
const struct fault_rule *fault_set_rule(const struct fault_set *fs, size_t i);

/* The rule ID, or NULL. */
const struct fault_rule *fault_set_find(const struct fault_set *fs,
                                        uint32_t id);

/*
 * Load the rules file PATH: one rule a line, blank lines and `#` comments
 * (a token that starts with `#` ends the line).  All or nothing: on any
 * error the set is unchanged and ERR holds "PATH:LINE: reason" (or
 * "PATH: reason" when it cannot be read).  A PATH not loaded before is
 * remembered and its rules come after every rule in the set; loading it
 * again replaces its rules in place.  Returns 0, -EINVAL, -ENOMEM or the
 * negative errno of open or read.
 */
int fault_set_load_file(struct fault_set *fs, const char *path, char *err,
                        size_t errlen);

/*
 * Read every file loaded so far again and replace their rules at once
 * (SIGHUP, POST /reload): if any file has an error, nothing changes and
 * ERR says where.  Rules of other origins, and their counters, are kept.
 * Returns as fault_set_load_file().
 */
int fault_set_reload(struct fault_set *fs, char *err, size_t errlen);

/*
 * The rule that fires for a query, or NULL: NAME is the canonical
 * (lower-case) wire name of LEN octets, TP and FAMILY (AF_INET, AF_INET6)
 * say how it came, CLIENT (may be NULL: then no from= rule matches) who
 * sent it; it is read only when a rule with from= is reached.  Advances the counters of the rules it tries (see
 * above) and the generator.  Costs one hash lookup per selector kind and
 * label depth that has rules; allocates nothing.  FS may be NULL.  FACTS
 * (FAULT_FACT_*) decide answer=, case= and the DNSSEC actions: a rule
 * they rule out is not reached (it does not count the query).
 */
const struct fault_rule *fault_match(struct fault_set *fs, const uint8_t *name,
                                     size_t len, uint16_t qtype,
                                     enum query_transport tp, int family,
                                     const struct sockaddr *client,
                                     unsigned facts);

/*
 * Profiles (profiles.c): named rule sets that replay real incidents
 * (docs/faults.md).  A profile is data: its rules are rule lines whose
 * NAME may be `%` or `*.%`.  `--profile NAME:DOMAIN` puts DOMAIN in place
 * of `%` (most profiles have both lines, so they cover DOMAIN and the
 * names below it); plain `--profile NAME` makes `%` every name (`.`) and
 * leaves out the `*.%` lines, which `.` already covers.  A profile with
 * NEEDS_DOMAIN cannot be used without DOMAIN.
 */
struct fault_profile {
	const char *name;
	const char *summary;      /* one line: what goes on the wire */
	const char *source;       /* where it was seen and reported */
	const char *const *rules; /* rule lines, NULL-terminated */
	bool needs_domain;
};

size_t fault_profile_count(void);
/* The I-th profile (I < fault_profile_count()), static storage. */
const struct fault_profile *fault_profile_get(size_t i);
/* The profile NAME, or NULL. */
const struct fault_profile *fault_profile_find(const char *name);

/*
 * --list-profiles, to OUT: each profile's name at the start of a line, then
 * indented its summary, source and rules (`%` shown as DOMAIN), within 80
 * columns.
 */
void fault_profile_list(FILE *out);

/*
 * Add the rules of profile ARG ("NAME" or "NAME:DOMAIN") to FS with
 * FAULT_ORIGIN_PROFILE, in the profile's order.  All or nothing.  Returns
 * 0, -EINVAL with ERR filled (`unknown profile 'x' (valid: caa-servfail,
 * ...)`, a bad DOMAIN) or -ENOMEM.
 */
int fault_set_add_profile(struct fault_set *fs, const char *arg, char *err,
                          size_t errlen);

#endif /* RESPONDER_FAULT_H */
