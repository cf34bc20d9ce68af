/*
 * probe/report.h -- the report of one checked name: text for people, JSON.
 *
 * Text: the verdict first (coloured only when asked, i.e. on a terminal),
 * the reason in the CA's words, the deciding RRset with its deciding
 * record marked, every lookup with its RCODE, alias chain and time, then
 * the warnings; under the RRset "allowed issuers: a.test, b.test" (or
 * "none"), caa_allowed_issuers().  Values are shown escaped (caa_escape(): printable ASCII
 * as is, '"' and '\' with a backslash, other octets as \DDD).
 *
 * JSON (docs/probe.md, "JSON"): one object per name,
 *
 *   {"name","wildcard","ca","policy","verdict","reason",
 *    "relevant": {"name","records":[{"flags","tag","value"}]} or null,
 *    "allowed_issuers": ["ca.test",...] or null,
 *    "error": {"name","rcode","detail"} or null,
 *    "lookups": [{"name","rcode","records","cname":[...],"ms"}],
 *    "warnings": [{"code","message"}]}
 *
 * then, with --perspective, "perspectives" and "quorum"
 * (report_json_perspectives()), then the keys a caller adds
 * (report_check_keys(): "trace" with --trace).
 *
 * "tag" and "value" hold the caa_escape() rendering (DNS presentation
 * escapes), so every octet string is represented without loss; "rcode" is
 * null when no usable reply was read (timeout, network error, truncated
 * answer not completed over TCP, malformed reply); "ca" joins several
 * issuer domain names with ","; "ms" has one decimal.  Strings are JSON
 * escaped: '"', '\' and control characters (as \uXXXX or \n, \t, ...),
 * and every octet that is not part of valid UTF-8 as \u00XX, so the output
 * is always valid JSON.  "allowed_issuers" is null without a relevant
 * RRset, [] when it allows none.
 *
 * Brief: "NAME VERDICT REASON\n", single spaces, the reason last (it
 * holds spaces); control characters and '\' escaped as in the text form,
 * and a space in NAME (an invalid name as given) as \032.
 */
#ifndef PROBE_REPORT_H
#define PROBE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "caa.h"

struct check;

enum report_format {
	REPORT_TEXT = 0,
	REPORT_JSON,  /* an array of objects */
	REPORT_JSONL, /* one object a line */
	REPORT_BRIEF, /* "NAME VERDICT REASON", one line a name */
};

/* "text", "json", "jsonl", "brief" -> FORMAT; -1 for anything else. */
int report_format_parse(const char *s, enum report_format *format);

struct report_opts {
	enum report_format format;
	bool color;     /* ANSI colours in text */
	const char *ca; /* the issuer domain names, joined by "," */
	enum caa_policy policy;
};

/* Writes the report of CHK to F: a text block or a brief line ending in
 * a newline, or one JSON object without a newline (the caller frames
 * them). */
void report_check(FILE *f, const struct report_opts *o,
                  const struct check *chk);

/*
 * Writes keys of the caller's own into the JSON object of CHK on F, each
 * as ',"key":value' (the object's own keys are written before it, its
 * closing brace after it).  ARG is the caller's, only read.
 */
typedef void (*report_keys_fn)(const void *arg, FILE *f,
                               const struct check *chk);

/*
 * As report_check(), and in JSON KEYS(ARG, F, CHK), when KEYS is not NULL,
 * adds keys last to the object of CHK: after "warnings", "perspectives"
 * and "quorum", before its closing brace.  Text and brief are
 * report_check()'s: a caller adds to them after the block or line.
 */
void report_check_keys(FILE *f, const struct report_opts *o,
                       const struct check *chk, report_keys_fn keys,
                       const void *arg);

/*
 * Writes the "lookups" array of CHK's JSON report to F: one
 * {"name","rcode","records","cname","ms"} per candidate, as report_check()
 * writes it (caa-gate's log uses it too).
 */
void report_json_lookups(FILE *f, const struct check *chk);

/*
 * With --perspective (CHK->remotes): ',"perspectives":[{"name","rir",
 * "verdict","reason","lookups"}],"quorum":"C/N"' (C corroborating of N
 * remotes; verdict, reason and quorum null when the primary decided
 * alone).  Nothing without perspectives.  (persp_report.c)
 */
void report_json_perspectives(FILE *f, const struct check *chk);

/* With --perspective: "  perspectives: quorum C/N" and one line per
 * perspective: its name, RIR, verdict and reason.  (persp_report.c) */
void report_text_perspectives(FILE *f, const struct check *chk);

/* Writes MS as "%.1f" does (a lookup's time in the JSON report), without
 * printf's floating-point path for the common case. */
void report_ms(FILE *f, double ms);

/* Writes S[0..LEN) as a JSON string, quotes included. */
void report_json_string(FILE *f, const char *s, size_t len);

#endif /* PROBE_REPORT_H */
