/*
 * probe/trace_resolve.c -- --trace: zones, NS sets and addresses found
 * through the probe's resolver.
 *
 * -r: a libunbound context of its own, from the same root hints, asked
 * synchronously (no trust anchor: a trace wants the servers of a zone
 * whose signatures are broken too).  -s (and --resolver system): that
 * server, asked with RD set through ldns.  Answers are read with ldns;
 * both give a whole reply packet, read by trace_resolver_read().
 */
#include "trace_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>
#include <unbound.h>

#include "caa.h"

struct trace_resolver {
	struct ub_ctx *ub;  /* -r */
	ldns_resolver *dns; /* -s */
};

struct trace_resolver *
trace_resolver_new(const struct lookup_config *cfg, char *err, size_t errlen)
{
	struct trace_resolver *r = calloc(1, sizeof(*r));

	if (r == NULL) {
		(void)snprintf(err, errlen, "no memory");
		return NULL;
	}
	if (cfg->backend == LOOKUP_RECURSIVE) {
		r->ub = ub_ctx_create();
		/* As the probe's own context (lookup_ub.c): a lab under
		 * test. and on localhost, no QNAME minimisation. */
		if (r->ub == NULL ||
		    ub_ctx_set_option(
		            r->ub, "local-zone:", "test. transparent") != 0 ||
		    ub_ctx_set_option(r->ub, "do-not-query-localhost:", "no") !=
		            0 ||
		    ub_ctx_set_option(r->ub, "qname-minimisation:", "no") !=
		            0 ||
		    (cfg->root_hints != NULL &&
		     ub_ctx_set_option(r->ub, "root-hints:", cfg->root_hints) !=
		             0)) {
			(void)snprintf(err, errlen,
			               "libunbound does not start for --trace");
			trace_resolver_free(r);
			return NULL;
		}
		return r;
	}
	{
		uint16_t port = 0;
		ldns_rdf *addr = ldns_sockaddr_storage2rdf(&cfg->server, &port);

		r->dns = ldns_resolver_new();
		if (addr == NULL || r->dns == NULL ||
		    ldns_resolver_push_nameserver(r->dns, addr) !=
		            LDNS_STATUS_OK) {
			ldns_rdf_deep_free(addr);
			(void)snprintf(err, errlen, "no memory");
			trace_resolver_free(r);
			return NULL;
		}
		ldns_rdf_deep_free(addr);
		ldns_resolver_set_port(r->dns, port);
		ldns_resolver_set_recursive(r->dns, true);
		ldns_resolver_set_retry(r->dns, (uint8_t)cfg->tries);
		ldns_resolver_set_timeout(
		        r->dns,
		        (struct timeval){cfg->timeout_ms / 1000,
		                         (suseconds_t)(cfg->timeout_ms % 1000) *
		                                 1000});
		ldns_resolver_set_fallback(r->dns, true); /* TCP after TC */
		ldns_resolver_set_edns_udp_size(r->dns, 4096);
	}
	return r;
}

void
trace_resolver_free(struct trace_resolver *r)
{
	if (r == NULL) {
		return;
	}
	if (r->ub != NULL) {
		ub_ctx_delete(r->ub);
	}
	if (r->dns != NULL) {
		ldns_resolver_deep_free(r->dns);
	}
	free(r);
}

/* Asks NAME TYPE; returns the reply (ldns_pkt_free() it) or NULL with
 * why in WHY[0..WHYLEN). */
static ldns_pkt *
trace_resolver_ask(struct trace_resolver *r, const char *name,
                   ldns_rr_type type, char *why, size_t whylen)
{
	ldns_pkt *pkt = NULL;

	if (r->ub != NULL) {
		struct ub_result *res = NULL;
		int rc = ub_resolve(r->ub, name, (int)type, LDNS_RR_CLASS_IN,
		                    &res);

		if (rc != 0 || res == NULL) {
			(void)snprintf(why, whylen, "resolver error (%s)",
			               ub_strerror(rc));
		} else if (res->answer_packet == NULL ||
		           ldns_wire2pkt(&pkt, res->answer_packet,
		                         (size_t)res->answer_len) !=
		                   LDNS_STATUS_OK) {
			const char *rn = caa_rcode_name(res->rcode);

			(void)snprintf(why, whylen, "%s",
			               res->rcode != 0 && rn != NULL
			                       ? rn
			                       : "malformed response");
			pkt = NULL;
		}
		ub_resolve_free(res);
		return pkt;
	}
	{
		ldns_rdf *dname = ldns_dname_new_frm_str(name);
		ldns_status st;

		if (dname == NULL) {
			(void)snprintf(why, whylen, "bad name");
			return NULL;
		}
		st = ldns_resolver_query_status(&pkt, r->dns, dname, type,
		                                LDNS_RR_CLASS_IN, LDNS_RD);
		ldns_rdf_deep_free(dname);
		if (st != LDNS_STATUS_OK || pkt == NULL) {
			(void)snprintf(why, whylen, "%s",
			               st == LDNS_STATUS_NETWORK_ERR ||
			                               st == LDNS_STATUS_OK
			                       ? "timeout"
			                       : ldns_get_errorstr_by_id(st));
			ldns_pkt_free(pkt);
			return NULL;
		}
	}
	return pkt;
}

/* NAME in presentation form without the final dot, into OUT. */
static void
trace_rdf_text(const ldns_rdf *rdf, char *out, size_t size)
{
	char *s = ldns_rdf2str(rdf);
	size_t len;

	if (s == NULL) {
		(void)snprintf(out, size, "?");
		return;
	}
	len = strlen(s);
	if (len > 1 && s[len - 1] == '.') {
		s[len - 1] = '\0';
	}
	for (char *p = s; *p != '\0'; p++) {
		if (*p >= 'A' && *p <= 'Z') {
			*p = (char)(*p - 'A' + 'a');
		}
	}
	(void)snprintf(out, size, "%s", s);
	free(s);
}

/* The NS records owned by OWNER in LIST into NS[*NNS..TRACE_NS_MAX). */
static void
trace_ns_take(const ldns_rr_list *list, const ldns_rdf *owner,
              char ns[][TRACE_NAME_TEXT], size_t *nns)
{
	for (size_t i = 0; list != NULL && i < ldns_rr_list_rr_count(list);
	     i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);

		if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_NS ||
		    ldns_rr_rd_count(rr) < 1 ||
		    ldns_dname_compare(ldns_rr_owner(rr), owner) != 0 ||
		    *nns >= TRACE_NS_MAX) {
			continue;
		}
		trace_rdf_text(ldns_rr_rdf(rr, 0), ns[*nns], TRACE_NAME_TEXT);
		(*nns)++;
	}
}

int
trace_ns_read(const ldns_pkt *pkt, const char *name, char ns[][TRACE_NAME_TEXT],
              size_t *nns, char *why, size_t whylen)
{
	int rcode = (int)ldns_pkt_get_rcode(pkt);
	ldns_rdf *owner;

	*nns = 0;
	if (rcode != LDNS_RCODE_NOERROR && rcode != LDNS_RCODE_NXDOMAIN) {
		const char *rn = caa_rcode_name(rcode);

		(void)snprintf(why, whylen, "%s looking up NS for %s",
		               rn != NULL ? rn : "error", name);
		return -1;
	}
	owner = ldns_dname_new_frm_str(name);
	if (owner != NULL) {
		/* An authoritative server of the parent answers with a
		 * referral: the NS set is in the authority section. */
		trace_ns_take(ldns_pkt_answer(pkt), owner, ns, nns);
		if (*nns == 0) {
			trace_ns_take(ldns_pkt_authority(pkt), owner, ns, nns);
		}
	}
	ldns_rdf_deep_free(owner);
	return *nns > 0 ? 1 : 0;
}

int
trace_resolver_ns(struct trace_resolver *r, const char *name,
                  char ns[][TRACE_NAME_TEXT], size_t *nns, char *why,
                  size_t whylen)
{
	ldns_pkt *pkt =
	        trace_resolver_ask(r, name, LDNS_RR_TYPE_NS, why, whylen);
	int rc;

	*nns = 0;
	if (pkt == NULL) {
		return -1;
	}
	rc = trace_ns_read(pkt, name, ns, nns, why, whylen);
	ldns_pkt_free(pkt);
	return rc;
}

void
trace_addresses_read(const ldns_pkt *pkt, const char *ns, int port, int type,
                     struct trace_answer *out, size_t *n, size_t max)
{
	const ldns_rr_list *list = ldns_pkt_answer(pkt);
	size_t taken = 0;

	for (size_t i = 0; list != NULL && i < ldns_rr_list_rr_count(list) &&
	                   taken < TRACE_ADDR_MAX && *n < max;
	     i++) {
		const ldns_rr *rr = ldns_rr_list_rr(list, i);
		struct trace_answer *a = &out[*n];
		const ldns_rdf *rd;

		if ((int)ldns_rr_get_type(rr) != type ||
		    ldns_rr_rd_count(rr) < 1) {
			continue;
		}
		rd = ldns_rr_rdf(rr, 0);
		memset(a, 0, sizeof(*a));
		if (type == LDNS_RR_TYPE_A &&
		    ldns_rdf_size(rd) == sizeof(struct in_addr)) {
			struct sockaddr_in *sin =
			        (struct sockaddr_in *)&a->addr;

			sin->sin_family = AF_INET;
			sin->sin_port = htons((uint16_t)port);
			memcpy(&sin->sin_addr, ldns_rdf_data(rd),
			       sizeof(sin->sin_addr));
			a->addrlen = sizeof(*sin);
			a->family = 4;
		} else if (type == LDNS_RR_TYPE_AAAA &&
		           ldns_rdf_size(rd) == sizeof(struct in6_addr)) {
			struct sockaddr_in6 *sin6 =
			        (struct sockaddr_in6 *)&a->addr;

			sin6->sin6_family = AF_INET6;
			sin6->sin6_port = htons((uint16_t)port);
			memcpy(&sin6->sin6_addr, ldns_rdf_data(rd),
			       sizeof(sin6->sin6_addr));
			a->addrlen = sizeof(*sin6);
			a->family = 6;
		} else {
			continue;
		}
		(void)snprintf(a->ns, sizeof(a->ns), "%s", ns);
		a->rcode = -1;
		(*n)++;
		taken++;
	}
}

/* The A or AAAA records of NS, as answers. */
static void
trace_resolver_family(struct trace_resolver *r, const char *ns, int port,
                      ldns_rr_type type, struct trace_answer *out, size_t *n,
                      size_t max)
{
	char why[64];
	ldns_pkt *pkt = trace_resolver_ask(r, ns, type, why, sizeof(why));

	if (pkt != NULL) {
		trace_addresses_read(pkt, ns, port, (int)type, out, n, max);
	}
	ldns_pkt_free(pkt);
}

size_t
trace_resolver_addresses(struct trace_resolver *r, const char *ns, int port,
                         struct trace_answer *out, size_t *n, size_t max)
{
	size_t before = *n;

	trace_resolver_family(r, ns, port, LDNS_RR_TYPE_A, out, n, max);
	trace_resolver_family(r, ns, port, LDNS_RR_TYPE_AAAA, out, n, max);
	return *n - before;
}
