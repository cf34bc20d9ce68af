/*
 * responder/profiles.c -- preset fault profiles: real incidents as rule lines.
 *
 * Each profile replays one incident, with its source, in the rule grammar
 * of docs/faults.md; `%` in NAME is the DOMAIN of `--profile NAME:DOMAIN`
 * (fault.h).  A rule carries one action, so where an incident combined
 * several (REFUSED and AA clear) the summary says what is left out.  Left
 * out entirely, as rules cannot express them: cname-and-ns (zone data) and
 * servfail-with-data (no action keeps records).  The dnssec-* profiles act
 * on queries with DO only (caa-responder --dnssec); `delay % DS ms=0`
 * takes DOMAIN's DS queries first so that the DS its parent serves stays
 * valid, as in caatestsuite.
 */
#include "fault.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULES(...) ((const char *const[]){__VA_ARGS__, NULL})

static const struct fault_profile fault_profiles[] = {
	{"caa-servfail",
         "SERVFAIL for every CAA query, other types answer normally "
         "(PowerDNS 3.4.8 and 4.0.4; certbot \"SERVFAIL looking up CAA\", "
         "2017)",
         "a PowerDNS operator's write-up; Let's Encrypt CAA documentation",
         RULES("servfail % CAA", "servfail *.% CAA"), false},
	{"notimp-unknown-type",
         "NOTIMP for CAA where RFC 1035 wants NOERROR for an unknown type "
         "(providers without CAA support, rbldnsd)",
         "Let's Encrypt CAA documentation; rbldnsd issue 24",
         RULES("notimp % CAA", "notimp *.% CAA"), false},
	{"refused-caa",
         "REFUSED for CAA (Cloudflare, 2015); the AA bit and the EDNS payload "
         "of 512 are not reproduced",
         "certbot #503; boulder #391, #1546",
         RULES("refused % CAA", "refused *.% CAA"), false},
	{"firewall-drop",
         "no answer at all for CAA, the client times out (a middlebox "
         "dropping unknown types, 2016)",
         "Let's Encrypt CAA documentation; certbot #2159",
         RULES("drop % CAA", "drop *.% CAA"), false},
	{"lb-servfail",
         "SERVFAIL for CAA from a DNS-aware load balancer in front of the "
         "real server (2016)",
         "boulder #2196", RULES("servfail % CAA", "servfail *.% CAA"), false},
	{"nodata-no-soa",
         "negative CAA answers without SOA in authority (a payments "
         "provider, 2023); AA stays set, one action per rule",
         "Let's Encrypt community thread 207967 (DNSViz output)",
         RULES("nosoa % CAA", "nosoa *.% CAA"), false},
	{"mboxfw-collision",
         "CAA data vanishes after an upgrade (type 257 stored as an old "
         "private type): NODATA for CAA (PowerDNS 3.x to 4.0/4.1)",
         "pdns #688, #4923, #6064", RULES("nodata % CAA", "nodata *.% CAA"),
         false},
	{"out-of-zone-noerror",
         "NOERROR, empty, instead of REFUSED (PowerDNS 3.0-3.4.2); rules "
         "cannot see zone cuts, so DOMAIN names the out-of-zone names",
         "PowerDNS 3.4.3 release notes", RULES("nodata % *", "nodata *.% *"),
         true},
	{"nodata-as-nxdomain",
         "NXDOMAIN for CAA at names that exist (dnslib ZoneResolver); rules "
         "cannot tell NODATA from data, so aim it at names without CAA",
         "dnslib zoneresolver.py; pdns #5806",
         RULES("nxdomain % CAA", "nxdomain *.% CAA"), false},
	{"cname-out-servfail",
         "SERVFAIL for an in-zone CNAME whose target is out of zone (CoreDNS "
         "file plugin); DOMAIN names the CNAME owner",
         "coredns #7346", RULES("servfail % *"), true},
	{"zone-nodata-servfail",
         "SERVFAIL for CAA, a type the zone lacks, in the zone DOMAIN "
         "(PowerDNS 5.0.2 LMDB)",
         "pdns #16816", RULES("servfail % CAA", "servfail *.% CAA"), true},
	{"empty-issue-crash",
         "SERVFAIL for CAA at the owner of CAA 0 issue \"\" (PowerDNS 4.8.1 "
         "LMDB); rules cannot see RDATA, so DOMAIN names that owner",
         "pdns #13070", RULES("servfail % CAA"), true},
	{"tcp-refused-unknown",
         "no answer to CAA over UDP (trust-dns 0.12); a refused TCP "
         "connection cannot be expressed, TCP queries are dropped too",
         "hickory-dns #243, #234", RULES("drop % CAA", "drop *.% CAA"), false},
	{"forwarder-drop",
         "a forwarder that cannot parse CAA answers sends nothing "
         "(dnscrypt-proxy 2.1.2)",
         "dnscrypt-proxy #2168", RULES("drop % CAA", "drop *.% CAA"), false},
	{"tld-flap",
         "SERVFAIL for one CAA query in three at DOMAIN only, e.g. "
         "tld-flap:net (.net, 2025); without DOMAIN, at every name",
         "Let's Encrypt community thread 243052",
         RULES("servfail % CAA every=3"), false},
	{"cname-loop",
         "SERVFAIL for a name in a CNAME loop or a wildcard CNAME to a "
         "missing target (PowerDNS); DOMAIN names it",
         "pdns #4307", RULES("servfail % *"), true},
	{"challtestsrv",
         "pebble-challtestsrv: NOTIMP for SOA, NS and MX, AA clear on the "
         "rest; its default addresses, fake SOA and TTL 0 are not reproduced",
         "pebble-challtestsrv dns.go",
         RULES("notimp % SOA", "notimp *.% SOA", "notimp % NS", "notimp *.% NS",
               "notimp % MX", "notimp *.% MX", "noaa % *", "noaa *.% *"),
         false},
	{"dnssec-empty-bogus",
         "bad signatures on empty answers only (NODATA, NXDOMAIN), good ones "
         "on data: live signers before PowerDNS 4.0.4",
         "RFC 8659 6.4", RULES("sig-bogus % * answer=negative",
                               "sig-bogus *.% * answer=negative"),
         false},
	{"dnssec-case-bogus",
         "signatures made over the query's letter case: a mixed-case (0x20) "
         "query gets a bogus answer, a lower-case one a good answer",
         "RFC 8659 6.4 (PowerDNS before 4.0.4)",
         RULES("sig-bogus % * case=mixed", "sig-bogus *.% * case=mixed"),
         false},
	{"dnssec-expired",
         "DOMAIN signed, its DS in the parent, every signature of DOMAIN "
         "expired (caatestsuite's expired.caatestsuite-dnssec.com)",
         "SSLMate caatestsuite, zones/Makefile",
         RULES("delay % DS ms=0", "sig-expired % *", "sig-expired *.% *"),
         true},
	{"dnssec-missing",
         "DOMAIN has DNSKEYs and a DS in the parent but no signatures "
         "(caatestsuite's missing.caatestsuite-dnssec.com); its NSEC "
         "records stay, unsigned",
         "SSLMate caatestsuite, zones/Makefile",
         RULES("delay % DS ms=0", "sig-strip % *", "sig-strip *.% *"), true},
};

#define FAULT_NPROFILES         (sizeof(fault_profiles) / sizeof(*fault_profiles))
#define FAULT_PROFILE_RULES_MAX 16

size_t
fault_profile_count(void)
{
	return FAULT_NPROFILES;
}

const struct fault_profile *
fault_profile_get(size_t i)
{
	return i < FAULT_NPROFILES ? &fault_profiles[i] : NULL;
}

const struct fault_profile *
fault_profile_find(const char *name)
{
	for (size_t i = 0; i < FAULT_NPROFILES; i++) {
		if (strcmp(fault_profiles[i].name, name) == 0) {
			return &fault_profiles[i];
		}
	}
	return NULL;
}

#define FAULT_LIST_INDENT 23 /* where descriptions start */
#define FAULT_LIST_WIDTH  80

/*
 * TEXT in words from column FAULT_LIST_INDENT to FAULT_LIST_WIDTH, after
 * HEAD (which the caller wrote, ending at that column); lines after the
 * first are indented MORE columns further.
 */
static void
fault_list_wrap(FILE *out, const char *head, const char *text, int more)
{
	int col = FAULT_LIST_INDENT + (int)strlen(head);

	fputs(head, out);
	while (*text != '\0') {
		int n = (int)strcspn(text, " ");

		if (col > FAULT_LIST_INDENT + (int)strlen(head) &&
		    col + 1 + n > FAULT_LIST_WIDTH) {
			fprintf(out, "\n%*s", FAULT_LIST_INDENT + more, "");
			col = FAULT_LIST_INDENT + more;
		} else if (col > FAULT_LIST_INDENT + (int)strlen(head)) {
			fputc(' ', out);
			col++;
		}
		fwrite(text, 1, (size_t)n, out);
		col += n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

void
fault_profile_list(FILE *out)
{
	for (size_t i = 0; i < FAULT_NPROFILES; i++) {
		const struct fault_profile *p = &fault_profiles[i];

		fprintf(out, "%-*s", FAULT_LIST_INDENT, p->name);
		fault_list_wrap(out, "", p->summary, 0);
		fprintf(out, "%*s", FAULT_LIST_INDENT, "");
		fault_list_wrap(out, "source: ", p->source, 2);
		fprintf(out, "%*srules%s:\n", FAULT_LIST_INDENT, "",
		        p->needs_domain ? " (DOMAIN needed)" : "");
		/* The rule lines with `%` written as DOMAIN. */
		for (size_t k = 0; p->rules[k] != NULL; k++) {
			const char *r = p->rules[k], *pct = strchr(r, '%');

			fprintf(out, "%*s%.*s%s%s\n", FAULT_LIST_INDENT + 2, "",
			        (int)(pct != NULL ? pct - r : (long)strlen(r)),
			        r, pct != NULL ? "DOMAIN" : "",
			        pct != NULL ? pct + 1 : "");
		}
	}
	fprintf(out,
	        "DOMAIN is the one of --profile NAME:DOMAIN, which aims a "
	        "profile at DOMAIN\n(and mostly the names below it).  "
	        "Without it, DOMAIN is '.', every name,\nand the *.DOMAIN "
	        "rules are left out.\n");
}

/*
 * Rule line LINE with `%` in NAME replaced by DOMAIN, or by `.` when
 * DOMAIN is NULL.  Returns 0 and the text in BUF, 1 when the line is left
 * out (`*.%` without DOMAIN), -EINVAL when it does not fit.
 */
static int
fault_profile_expand(const char *line, const char *domain, char *buf,
                     size_t cap)
{
	const char *sp = strchr(line, ' ');
	const char *name = sp != NULL ? sp + 1 : line;
	size_t alen = (size_t)(name - line);
	size_t nlen = strcspn(name, " ");
	const char *rest = name + nlen;
	const char *fill = domain != NULL ? domain : ".";
	int n = 0;

	if (nlen == 3 && strncmp(name, "*.%", 3) == 0) {
		if (domain == NULL) {
			return 1;
		}
		n = snprintf(buf, cap, "%.*s*.%s%s", (int)alen, line, fill,
		             rest);
	} else if (nlen == 1 && name[0] == '%') {
		n = snprintf(buf, cap, "%.*s%s%s", (int)alen, line, fill, rest);
	} else {
		n = snprintf(buf, cap, "%s", line);
	}
	return (n < 0 || (size_t)n >= cap) ? -EINVAL : 0;
}

static void
fault_profile_names(char *buf, size_t cap)
{
	size_t n = 0;
	int k = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < FAULT_NPROFILES && n < cap; i++) {
		k = snprintf(buf + n, cap - n, "%s%s", i ? ", " : "",
		             fault_profiles[i].name);
		if (k < 0) {
			return;
		}
		n += (size_t)k;
	}
}

int
fault_set_add_profile(struct fault_set *fs, const char *arg, char *err,
                      size_t errlen)
{
	struct fault_rule *rules[FAULT_PROFILE_RULES_MAX] = {NULL};
	uint32_t ids[FAULT_PROFILE_RULES_MAX] = {0};
	const struct fault_profile *p = NULL;
	const char *colon = strchr(arg, ':');
	const char *domain = NULL;
	char name[64];
	char line[1024];
	char msg[256];
	char names[1024];
	size_t nr = 0;
	size_t added = 0;
	int rc = 0;

	if (colon != NULL) {
		domain = colon + 1;
	}
	(void)snprintf(
	        name, sizeof(name), "%.*s",
	        (int)(colon != NULL ? (size_t)(colon - arg) : strlen(arg)),
	        arg);
	p = fault_profile_find(name);
	if (p == NULL) {
		fault_profile_names(names, sizeof(names));
		(void)snprintf(err, errlen, "unknown profile '%s' (valid: %s)",
		               name, names);
		return -EINVAL;
	}
	if (domain != NULL && strcmp(domain, ".") == 0) {
		domain = NULL; /* the root: every name, as without DOMAIN */
	}
	if (domain != NULL &&
	    (domain[0] == '\0' || strchr(domain, '*') != NULL ||
	     strpbrk(domain, " \t") != NULL)) {
		(void)snprintf(err, errlen, "profile %s: bad domain '%s'",
		               p->name, domain);
		return -EINVAL;
	}
	if (domain == NULL && p->needs_domain) {
		(void)snprintf(
		        err, errlen,
			"profile %s needs a domain (--profile %s:DOMAIN)",
		        p->name, p->name);
		return -EINVAL;
	}
	/* Parse every line first, then add: all or nothing. */
	for (size_t i = 0; p->rules[i] != NULL; i++) {
		rc = fault_profile_expand(p->rules[i], domain, line,
		                          sizeof(line));
		if (rc == 1) {
			rc = 0;
			continue;
		}
		if (rc == 0 && nr == FAULT_PROFILE_RULES_MAX) {
			rc = -EINVAL;
		}
		if (rc == 0) {
			rc = fault_rule_parse(line, &rules[nr], msg,
			                      sizeof(msg));
		} else {
			(void)snprintf(msg, sizeof(msg), "rule too long");
		}
		if (rc != 0) {
			(void)snprintf(err, errlen, "profile %s: %s", p->name,
			               msg);
			goto out;
		}
		nr++;
	}
	for (added = 0; added < nr; added++) {
		rc = fault_set_add(fs, rules[added], FAULT_ORIGIN_PROFILE,
		                   &ids[added]);
		rules[added] = NULL; /* the set took it, also on failure */
		if (rc != 0) {
			(void)snprintf(err, errlen, "profile %s: out of memory",
			               p->name);
			while (added > 0) {
				(void)fault_set_remove(fs, ids[--added]);
			}
			goto out;
		}
	}
out:
	for (size_t i = 0; i < nr; i++) {
		fault_rule_free(rules[i]);
	}
	return rc;
}
