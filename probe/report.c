/*
 * probe/report.c -- the report of one checked name: text for people, JSON.
 */
#include "report.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "lookup.h"

#define REPORT_RESET "\033[0m"

int
report_format_parse(const char *s, enum report_format *format)
{
	if (strcmp(s, "text") == 0) {
		*format = REPORT_TEXT;
	} else if (strcmp(s, "json") == 0) {
		*format = REPORT_JSON;
	} else if (strcmp(s, "jsonl") == 0) {
		*format = REPORT_JSONL;
	} else if (strcmp(s, "brief") == 0) {
		*format = REPORT_BRIEF;
	} else {
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

/* The length of the valid UTF-8 sequence at S[0..LEN), 0 if invalid
 * (RFC 3629 section 4: no overlong forms, no surrogates, <= U+10FFFF). */
static size_t
report_utf8_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xbf;
	size_t n;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi) {
		return 0;
	}
	for (size_t i = 2; i < n; i++) {
		if (s[i] < 0x80 || s[i] > 0xbf) {
			return 0;
		}
	}
	return n;
}

void
report_json_string(FILE *f, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	putc('"', f);
	while (i < len) {
		unsigned char c = p[i];
		size_t n = i;

		/* Printable ASCII needs no escape: write it in runs. */
		while (n < len && p[n] >= 0x20 && p[n] < 0x7f && p[n] != '"' &&
		       p[n] != '\\') {
			n++;
		}
		if (n > i) {
			fwrite(p + i, 1, n - i, f);
			i = n;
			continue;
		}
		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			n = c >= 0x80 ? report_utf8_len(p + i, len - i) : 0;
			if (n > 0) {
				fwrite(p + i, 1, n, f);
				i += n;
				continue;
			}
			/* Control characters, and octets that are not UTF-8:
			 * the octet as its code point. */
			fprintf(f, "\\u%04x", c);
			break;
		}
		i++;
	}
	putc('"', f);
}

static void
report_json_str(FILE *f, const char *s)
{
	report_json_string(f, s, strlen(s));
}

/* caa_escape() of BYTES[0..LEN), as a JSON string. */
static void
report_json_escaped(FILE *f, const uint8_t *bytes, size_t len)
{
	size_t need = caa_escape(bytes, len, NULL, 0) + 1;
	char *buf = malloc(need);

	if (buf == NULL) {
		fputs("\"\"", f);
		return;
	}
	(void)caa_escape(bytes, len, buf, need);
	report_json_string(f, buf, need - 1);
	free(buf);
}

static void
report_json_rcode(FILE *f, int rcode)
{
	const char *name = caa_rcode_name(rcode);

	if (rcode < 0) {
		fputs("null", f);
	} else if (name != NULL) {
		report_json_str(f, name);
	} else {
		fprintf(f, "\"RCODE%d\"", rcode);
	}
}

/* The candidate whose RRset decided, or NULL. */
static const struct lookup_result *
report_relevant(const struct check *chk)
{
	int c = chk->result.candidate;

	if (chk->result.verdict == CAA_LOOKUP_FAILED ||
	    chk->result.verdict == CAA_INVALID || c < 0 ||
	    (size_t)c >= chk->cands.count || chk->lookups == NULL ||
	    chk->lookups[c].nrecords == 0) {
		return NULL;
	}
	return &chk->lookups[c];
}

/*
 * The issuers REL (the relevant lookup of CHK) allows, caa_allowed_issuers():
 * a malloc()ed array of *N, or NULL with *N 0 (none, or no memory).
 */
static struct caa_issuer *
report_allowed(const struct check *chk, const struct lookup_result *rel,
               size_t *n)
{
	struct caa_issuer *iss = malloc(rel->nrecords * sizeof(*iss));

	*n = 0;
	if (iss != NULL) {
		*n = caa_allowed_issuers(rel->records, rel->nrecords,
		                         chk->cands.wildcard, iss,
		                         rel->nrecords);
	}
	return iss;
}

static const char *
report_name(const struct check *chk)
{
	return chk->name[0] != '\0' ? chk->name : chk->input;
}

/* Does the name have a Unicode form apart from its A-labels? */
static bool
report_has_unicode(const struct check *chk)
{
	return chk->name[0] != '\0' && chk->unicode[0] != '\0' &&
	       strcmp(chk->name, chk->unicode) != 0;
}

/* N in decimal, as "%zu" writes it. */
static void
report_size(FILE *f, size_t n)
{
	char d[24];
	size_t i = sizeof(d);

	do {
		d[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	(void)fwrite(d + i, 1, sizeof(d) - i, f);
}

void
report_ms(FILE *f, double ms)
{
	double t;
	double frac;
	size_t k;

	/* MS * 10 is within 2^-53 of its exact value in relative terms,
	 * so below 10^6 ms (10^-9 off at most) a fraction further than
	 * 10^-6 from one half rounds as printf rounds the exact value; the
	 * rest (zero, whose sign printf writes), printf. */
	if (!(ms > 0 && ms < 1e6)) {
		fprintf(f, "%.1f", ms);
		return;
	}
	t = ms * 10;
	k = (size_t)t; /* floor: T >= 0 */
	frac = t - (double)k;
	if (frac > 0.5 - 1e-6 && frac < 0.5 + 1e-6) {
		fprintf(f, "%.1f", ms);
		return;
	}
	if (frac > 0.5) {
		k++;
	}
	report_size(f, k / 10);
	putc('.', f);
	putc('0' + (int)(k % 10), f);
}

void
report_json_lookups(FILE *f, const struct check *chk)
{
	putc('[', f);
	for (size_t i = 0; chk->lookups != NULL && i < chk->cands.count; i++) {
		const struct lookup_result *l = &chk->lookups[i];

		fputs(i > 0 ? ",{\"name\":" : "{\"name\":", f);
		report_json_str(f, caa_candidate(&chk->cands, i));
		fputs(",\"rcode\":", f);
		report_json_rcode(f, l->rcode);
		fputs(",\"dnssec\":", f);
		if (l->dnssec == CAA_DNSSEC_NONE) {
			fputs("null", f);
		} else {
			fprintf(f, "\"%s\"", caa_dnssec_name(l->dnssec));
		}
		fputs(",\"records\":", f);
		report_size(f, l->nrecords);
		fputs(",\"cname\":[", f);
		for (size_t j = 0; j < l->ncname; j++) {
			if (j > 0) {
				putc(',', f);
			}
			report_json_str(f, l->cname[j]);
		}
		fputs("],\"ms\":", f);
		report_ms(f, l->ms);
		putc('}', f);
	}
	putc(']', f);
}

static void
report_json(FILE *f, const struct report_opts *o, const struct check *chk,
            report_keys_fn keys, const void *arg)
{
	const struct caa_result *r = &chk->result;
	const struct lookup_result *rel = report_relevant(chk);

	fputs("{\"name\":", f);
	report_json_str(f, report_name(chk));
	if (report_has_unicode(chk)) {
		fputs(",\"unicode\":", f);
		report_json_str(f, chk->unicode);
	}
	fprintf(f, ",\"wildcard\":%s,\"ca\":",
	        chk->cands.wildcard ? "true" : "false");
	report_json_str(f, o->ca);
	fprintf(f, ",\"policy\":\"%s\",\"verdict\":\"%s\",\"reason\":",
	        caa_policy_name(o->policy), caa_verdict_name(r->verdict));
	report_json_str(f, r->reason);
	fputs(",\"relevant\":", f);
	if (rel == NULL) {
		fputs("null", f);
	} else {
		fputs("{\"name\":", f);
		report_json_str(
		        f, caa_candidate(&chk->cands, (size_t)r->candidate));
		fputs(",\"records\":[", f);
		for (size_t i = 0; i < rel->nrecords; i++) {
			const struct caa_record *rec = &rel->records[i];

			fprintf(f, "%s{\"flags\":%u,\"tag\":", i > 0 ? "," : "",
			        (unsigned)rec->flags);
			report_json_escaped(f, rec->tag, rec->tag_len);
			fputs(",\"value\":", f);
			report_json_escaped(f, rec->value, rec->value_len);
			putc('}', f);
		}
		fputs("]}", f);
	}
	fputs(",\"allowed_issuers\":", f);
	if (rel == NULL) {
		fputs("null", f);
	} else {
		size_t n;
		struct caa_issuer *iss = report_allowed(chk, rel, &n);

		putc('[', f);
		for (size_t i = 0; i < n; i++) {
			if (i > 0) {
				putc(',', f);
			}
			report_json_string(f, iss[i].name, iss[i].len);
		}
		putc(']', f);
		free(iss);
	}
	fputs(",\"error\":", f);
	if (r->verdict != CAA_LOOKUP_FAILED && r->verdict != CAA_INVALID) {
		fputs("null", f);
	} else if (r->candidate >= 0 &&
	           (size_t)r->candidate < chk->cands.count) {
		fputs("{\"name\":", f);
		report_json_str(
		        f, caa_candidate(&chk->cands, (size_t)r->candidate));
		fputs(",\"rcode\":", f);
		report_json_rcode(f, chk->lookups[r->candidate].rcode);
		fputs(",\"detail\":", f);
		report_json_str(f, r->reason);
		putc('}', f);
	} else {
		fputs("{\"name\":", f);
		report_json_str(f, report_name(chk));
		fputs(",\"rcode\":null,\"detail\":", f);
		report_json_str(f, r->reason);
		putc('}', f);
	}
	fputs(",\"lookups\":", f);
	report_json_lookups(f, chk);
	fputs(",\"warnings\":[", f);
	for (size_t i = 0; i < r->warnings.count; i++) {
		const struct caa_warning *w = &r->warnings.item[i];

		fputs(i > 0 ? ",{\"code\":" : "{\"code\":", f);
		report_json_str(f, caa_warn_name(w->code));
		fputs(",\"message\":", f);
		report_json_str(f, w->message);
		putc('}', f);
	}
	if (r->warnings.lost > 0) {
		fprintf(f,
		        "%s{\"code\":\"more-warnings\",\"message\":\"%zu more "
		        "warnings not shown\"}",
		        r->warnings.count > 0 ? "," : "", r->warnings.lost);
	}
	putc(']', f);
	report_json_perspectives(f, chk);
	if (keys != NULL) {
		keys(arg, f, chk);
	}
	putc('}', f);
}

/* ------------------------------------------------------------------ */
/* Text                                                                */
/* ------------------------------------------------------------------ */

static void
report_text_escaped(FILE *f, const uint8_t *bytes, size_t len)
{
	size_t need = caa_escape(bytes, len, NULL, 0) + 1;
	char *buf = malloc(need);

	if (buf != NULL) {
		(void)caa_escape(bytes, len, buf, need);
		fputs(buf, f);
		free(buf);
	}
}

/*
 * The Unicode form of a name (valid UTF-8, from the caa library) for a
 * terminal: what cannot be seen, or reorders what follows (controls, bidi
 * and other format characters, which an xn-- label may decode to), as
 * \u{XXXX}.
 */
static void
report_text_unicode(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p != '\0') {
		uint32_t cp = *p;
		size_t n = 1;

		if (*p >= 0xf0) {
			cp = (uint32_t)(p[0] & 0x07) << 18 |
			     (uint32_t)(p[1] & 0x3f) << 12 |
			     (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
			n = 4;
		} else if (*p >= 0xe0) {
			cp = (uint32_t)(p[0] & 0x0f) << 12 |
			     (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			n = 3;
		} else if (*p >= 0xc0) {
			cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			n = 2;
		}
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
		    (cp >= 0x200b && cp <= 0x200f) ||
		    (cp >= 0x2028 && cp <= 0x202e) ||
		    (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff) {
			fprintf(f, "\\u{%04x}", (unsigned)cp);
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
	}
}

static const char *
report_color(enum caa_verdict v)
{
	switch (v) {
	case CAA_ALLOWED:
		return "\033[1;32m";
	case CAA_DENIED:
		return "\033[1;31m";
	case CAA_INVALID:
		return "\033[1;35m";
	case CAA_LOOKUP_FAILED:
		break;
	}
	return "\033[1;33m";
}

/* What a lookup gave, in a word: its RCODE, or why there is none. */
static const char *
report_text_status(const struct lookup_result *l, char *buf, size_t size)
{
	const char *name = caa_rcode_name(l->rcode);

	switch (l->kind) {
	case CAA_LOOKUP_TIMEOUT:
		return "TIMEOUT";
	case CAA_LOOKUP_TRUNCATED:
		return "TRUNCATED";
	case CAA_LOOKUP_MALFORMED:
		return "MALFORMED";
	case CAA_LOOKUP_NETWORK:
		return "NETWORK-ERROR";
	default:
		break;
	}
	if (name == NULL) {
		(void)snprintf(buf, size, "RCODE%d", l->rcode);
		return buf;
	}
	return name;
}

/* Why a lookup that read a reply still failed, or "". */
static const char *
report_text_note(const struct lookup_result *l)
{
	switch (l->kind) {
	case CAA_LOOKUP_BAD_RDATA:
		return "  (malformed CAA record)";
	case CAA_LOOKUP_CNAME_LOOP:
		return "  (CNAME loop)";
	case CAA_LOOKUP_CNAME_LONG:
		return "  (CNAME chain too long)";
	case CAA_LOOKUP_REFERRAL:
		return "  (referral)";
	default:
		break;
	}
	return "";
}

static void
report_text_lookups(FILE *f, const struct check *chk)
{
	int width = 0;

	if (chk->lookups == NULL || chk->cands.count == 0) {
		return;
	}
	for (size_t i = 0; i < chk->cands.count; i++) {
		int w = (int)strlen(caa_candidate(&chk->cands, i));

		width = w > width ? w : width;
	}
	fputs("  lookups:\n", f);
	for (size_t i = 0; i < chk->cands.count; i++) {
		const struct lookup_result *l = &chk->lookups[i];
		char buf[24];

		fprintf(f, "    %s %-*s  %-9s %3zu record%s %8.1f ms",
		        (int)i == chk->result.candidate ? "*" : " ", width,
		        caa_candidate(&chk->cands, i),
		        report_text_status(l, buf, sizeof(buf)), l->nrecords,
		        l->nrecords == 1 ? " " : "s", l->ms);
		for (size_t j = 0; j < l->ncname; j++) {
			fprintf(f, " -> %s", l->cname[j]);
		}
		if (l->queries > 1) {
			/* Retries, TCP, aliases asked again. */
			fprintf(f, "  (%zu queries)", l->queries);
		}
		if (l->dnssec != CAA_DNSSEC_NONE) {
			fprintf(f, "  dnssec %s", caa_dnssec_name(l->dnssec));
		}
		fprintf(f, "%s\n", report_text_note(l));
	}
}

/* "allowed issuers: a.test, b.test" (issuer names are letters, digits,
 * '-' and '.': the grammar let them through). */
static void
report_text_allowed(FILE *f, const struct check *chk,
                    const struct lookup_result *rel)
{
	size_t n;
	struct caa_issuer *iss = report_allowed(chk, rel, &n);

	fputs("  allowed issuers: ", f);
	if (n == 0) {
		fputs("none", f);
	}
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%.*s", i > 0 ? ", " : "", (int)iss[i].len,
		        iss[i].name);
	}
	putc('\n', f);
	free(iss);
}

static void
report_text(FILE *f, const struct report_opts *o, const struct check *chk)
{
	const struct caa_result *r = &chk->result;
	const struct lookup_result *rel = report_relevant(chk);

	if (chk->name[0] != '\0') {
		fputs(chk->name, f);
	} else {
		report_text_escaped(f, (const uint8_t *)chk->input,
		                    strlen(chk->input));
	}
	fprintf(f, ": %s%s%s\n", o->color ? report_color(r->verdict) : "",
	        caa_verdict_name(r->verdict), o->color ? REPORT_RESET : "");
	fprintf(f, "  reason:   %s\n", r->reason);
	fprintf(f, "  request:  ca %s, policy %s%s\n", o->ca,
	        caa_policy_name(o->policy),
	        chk->cands.wildcard ? ", wildcard" : "");
	if (report_has_unicode(chk)) {
		fputs("  unicode:  ", f);
		report_text_unicode(f, chk->unicode);
		putc('\n', f);
	}
	if (rel != NULL) {
		fprintf(f, "  relevant: CAA RRset at %s\n",
		        caa_candidate(&chk->cands, (size_t)r->candidate));
		for (size_t i = 0; i < rel->nrecords; i++) {
			const struct caa_record *rec = &rel->records[i];

			fprintf(f, "    %s %u ",
			        (int)i == r->record ? "->" : "  ",
			        (unsigned)rec->flags);
			report_text_escaped(f, rec->tag, rec->tag_len);
			fputs(" \"", f);
			report_text_escaped(f, rec->value, rec->value_len);
			fputs("\"\n", f);
		}
		report_text_allowed(f, chk, rel);
	} else if (r->verdict != CAA_LOOKUP_FAILED &&
	           r->verdict != CAA_INVALID) {
		fputs("  relevant: none\n", f);
	}
	report_text_lookups(f, chk);
	report_text_perspectives(f, chk);
	if (r->warnings.count > 0) {
		fputs("  warnings:\n", f);
	}
	for (size_t i = 0; i < r->warnings.count; i++) {
		const struct caa_warning *w = &r->warnings.item[i];

		fprintf(f, "    %s: %s\n", caa_warn_name(w->code), w->message);
	}
	if (r->warnings.lost > 0) {
		fprintf(f, "    (%zu more warnings not shown)\n",
		        r->warnings.lost);
	}
}

/* S for one field of a brief line: control characters and '\' escaped
 * (\DDD, \\), and spaces too when SPACES (a name as given). */
static void
report_brief_field(FILE *f, const char *s, bool spaces)
{
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		if (*p < 0x20 || *p == 0x7f || (spaces && *p == ' ')) {
			fprintf(f, "\\%03u", (unsigned)*p);
		} else if (*p == '\\') {
			fputs("\\\\", f);
		} else {
			putc(*p, f);
		}
	}
}

/* NAME VERDICT REASON: one line, the reason last (it holds spaces). */
static void
report_brief(FILE *f, const struct check *chk)
{
	report_brief_field(f, report_name(chk), true);
	fprintf(f, " %s ", caa_verdict_name(chk->result.verdict));
	report_brief_field(f, chk->result.reason, false);
	putc('\n', f);
}

void
report_check(FILE *f, const struct report_opts *o, const struct check *chk)
{
	report_check_keys(f, o, chk, NULL, NULL);
}

void
report_check_keys(FILE *f, const struct report_opts *o, const struct check *chk,
                  report_keys_fn keys, const void *arg)
{
	switch (o->format) {
	case REPORT_TEXT:
		report_text(f, o, chk);
		break;
	case REPORT_BRIEF:
		report_brief(f, chk);
		break;
	case REPORT_JSON:
	case REPORT_JSONL:
		report_json(f, o, chk, keys, arg);
		break;
	}
}
