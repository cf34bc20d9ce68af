/*
 * probe/trace.h -- caa-probe --trace: every nameserver asked directly.
 *
 * For each name the climb asks (the candidates of a check), the trace
 * finds the zone that holds it (its closest enclosing zone cut: the
 * nearest of the name and its parents that owns an NS RRset), that NS
 * set, and each nameserver's IPv4 and IPv6 addresses, all through the
 * resolver the probe uses (-r, or the -s server).  Then it asks every
 * address directly for the CAA RRset of the name, with RD clear, as one
 * lookup of the probe (UDP, TCP when truncated, --timeout per try,
 * --tries tries, port 53 or -p), and records what each said: RCODE, AA,
 * the CAA records of the name, the time, or why nothing usable came.
 * Answers that disagree with the majority of the others are marked
 * (trace_mark()), so that "SERVFAIL looking up CAA" names a server and
 * an address family.
 *
 * The trace is a diagnostic for a few names: it runs beside the event
 * loop, blocking.  The zones and addresses of the climb's names are found
 * first, then every address of every name is asked at once, so that the
 * whole trace takes about one --timeout x --tries, however deep the climb.
 */
#ifndef PROBE_TRACE_H
#define PROBE_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include "lookup.h"

struct caa_candidates;

#define TRACE_NS_MAX    16 /* nameservers of a zone asked, at most */
#define TRACE_ADDR_MAX  8  /* addresses of one family per nameserver */
#define TRACE_NAME_TEXT 1024

/* Why an address gave no usable answer (its "error"). */
enum trace_error {
	TRACE_OK = 0,    /* a reply was read: RCODE, AA, records */
	TRACE_TIMEOUT,   /* no reply after every try */
	TRACE_NETWORK,   /* sending or connecting failed */
	TRACE_REFUSED,   /* ICMP port unreachable: nobody listens */
	TRACE_MALFORMED, /* the reply does not parse */
	TRACE_TRUNCATED, /* truncated, and TCP did not complete it */
	TRACE_BAD_RDATA, /* a CAA record of the name does not parse */
};

/* One address of one nameserver, and what it answered. */
struct trace_answer {
	char ns[TRACE_NAME_TEXT];     /* the nameserver, no final dot */
	struct sockaddr_storage addr; /* port included */
	socklen_t addrlen;
	int family; /* 4 or 6 */
	enum trace_error error;
	int rcode; /* -1: no reply */
	bool aa;
	size_t nrecords;
	uint8_t **rdata; /* each CAA record's RDATA, owned, sorted */
	uint16_t *rdlen;
	double ms;      /* from the first query to the end */
	bool disagrees; /* set by trace_mark() */
};

/* One name of the climb. */
struct trace_name {
	char name[TRACE_NAME_TEXT];
	char zone[TRACE_NAME_TEXT];   /* "" when no zone was found */
	char *error;                  /* why no server was asked, or NULL */
	struct trace_answer *answers; /* owned */
	size_t nanswers;
};

struct trace {
	struct trace_name *names; /* owned */
	size_t nnames;
};

/* Who finds zones, nameservers and addresses, and how servers are
 * asked: the probe's lookup configuration. */
struct trace_config {
	const struct lookup_config *lookup; /* backend, server, timeouts */
	int port; /* where nameservers listen: 53, or -p */
};

/*
 * Traces every candidate of CANDS into OUT (zeroed by the caller; clear it
 * with trace_clear()).  Returns 0, -ENOMEM, or -EIO with a message in
 * ERR[0..ERRLEN) when the resolver does not start.
 */
int trace_run(const struct trace_config *cfg,
              const struct caa_candidates *cands, struct trace *out, char *err,
              size_t errlen);

/*
 * Marks the answers of A[0..N) that disagree with the majority: answers
 * agree when they have the same error, and, with a reply, the same RCODE
 * and the same CAA RRset (records compared as sets of RDATA; AA and time
 * do not count).  The majority is the largest group of agreeing answers;
 * when several groups are largest, a group with a usable answer (NOERROR
 * or NXDOMAIN) is preferred to failures, and if that still leaves more
 * than one, there is no majority and every answer is marked.  Every
 * answer outside the majority is marked.  With fewer than two answers
 * nothing is marked.
 */
void trace_mark(struct trace_answer *a, size_t n);

/* Do two answers agree (as trace_mark() compares them)? */
bool trace_agree(const struct trace_answer *a, const struct trace_answer *b);

/* Adds a copy of RDATA[0..LEN) to A's records, kept sorted.  Returns 0 or
 * -ENOMEM. */
int trace_answer_add(struct trace_answer *a, const uint8_t *rdata, size_t len);

/* The words of E for reports: "timeout", "network error", ...; NULL for
 * TRACE_OK. */
const char *trace_error_text(enum trace_error e);

/* Frees what T owns and zeroes it; accepts NULL. */
void trace_clear(struct trace *t);

/*
 * Text for people: "  trace:" then, per name, "    NAME  zone ZONE" and
 * one line per address: "      NS ADDRESS  RCODE aa N records MS ms",
 * "<- disagrees" after the marked ones.
 */
void trace_write_text(FILE *f, const struct trace *t);

/*
 * The JSON array (docs/probe.md, "--trace"):
 * [{"name","zone","error","servers":[{"ns","address","family","rcode",
 *   "aa","records":[{"flags","tag","value"}],"ms","error","disagrees"}]}]
 */
void trace_write_json(FILE *f, const struct trace *t);

struct check;
struct report_opts;

/*
 * The report of CHK as report_check() writes it with O, and its trace T:
 * the text block (or brief line) followed by trace_write_text(), or the
 * JSON object of CHK with the key "trace" (trace_write_json()) added last
 * (report_check_keys()).
 */
void trace_write_report(FILE *f, const struct report_opts *o,
                        const struct check *chk, const struct trace *t);

struct batch_config;
struct event_base;

/*
 * caa-probe --trace: checks the names of BCFG (on the command line; not
 * an input file) one after the other on BASE, with BCFG's client, request
 * and report options, and writes each report with its trace
 * (trace_write_report()).  Returns the exit status as batch_run() does.
 */
int trace_probe(struct event_base *base, const struct batch_config *bcfg,
                const struct trace_config *tcfg);

#endif /* PROBE_TRACE_H */
