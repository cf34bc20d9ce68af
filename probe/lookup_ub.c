/*
 * probe/lookup_ub.c -- lookups through libunbound, on the client's loop.
 *
 * With -r (and --validate) the probe resolves as a CA's resolver does:
 * libunbound, recursive from the root hints (or forwarding to the server
 * given with -s), validating against the trust anchor.  One ub_ctx per
 * client, made with ub_ctx_create_event() on the client's event_base, so
 * its queries run beside the others and each client has a cache of its
 * own.  A question goes to ub_resolve_event(); its answer packet is read
 * by the same bounded parser as a server's datagram (lookup_ub_read()).
 *
 * libunbound answers from its cache (or local data) inside
 * ub_resolve_event() itself: such an answer is copied and read from the
 * loop, so a lookup still never ends inside lookup_caa().  A lookup gives
 * up after TIMEOUT_MS * TRIES; its question then stays with libunbound,
 * whose callback later finds the call abandoned (ub_cancel() is not for
 * event contexts).  ub_ctx_delete() ends what is left.
 */
#include "lookup_ub.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <ldns/ldns.h>
#include <unbound-event.h>
#include <unbound.h>

#include "lookup_int.h"

#define LOOKUP_UB_QUERIES "4096" /* num-queries-per-thread */

bool
lookup_ub_read(struct reply_chain *chain, bool validating, int rcode,
               const uint8_t *pkt, size_t len, int sec, const char *why,
               struct lookup_result *res, enum caa_lookup_kind *kind)
{
	const uint8_t *name = chain->name[chain->n - 1];
	size_t nlen = chain->len[chain->n - 1];
	struct reply r;
	bool done;

	res->dnssec = !validating               ? CAA_DNSSEC_NONE
	              : sec == LOOKUP_UB_SECURE ? CAA_DNSSEC_SECURE
	                                        : CAA_DNSSEC_INSECURE;
	if (sec == LOOKUP_UB_BOGUS) {
		/* libunbound hands over the records of a bogus answer with
		 * RCODE 0: they must not count.  Worded as the SERVFAIL and
		 * Extended DNS Error a validating unbound would send. */
		res->dnssec = CAA_DNSSEC_BOGUS;
		res->rcode = 2;
		res->ede = caa_dnssec_ede(why);
		free(res->ede_text);
		res->ede_text = why != NULL && why[0] != '\0' ? strdup(why)
		                                              : NULL;
		*kind = CAA_LOOKUP_RCODE;
		return true;
	}
	if (rcode != 0 || pkt == NULL) {
		/* "do not inspect if rcode != 0" (unbound-event.h). */
		res->rcode = rcode;
		*kind = rcode == 3   ? CAA_LOOKUP_NXDOMAIN
		        : rcode != 0 ? CAA_LOOKUP_RCODE
		                     : CAA_LOOKUP_NETWORK;
		return true;
	}
	if (len < 2) {
		*kind = CAA_LOOKUP_MALFORMED;
		return true;
	}
	/* The ID is libunbound's (0): the packet is its answer to this
	 * question, which must still match. */
	switch (reply_parse(pkt, len, (uint16_t)(pkt[0] << 8 | pkt[1]), name,
	                    nlen, REPLY_TYPE_CAA, &r)) {
	case REPLY_OK:
		break;
	case REPLY_NOMEM:
		*kind = CAA_LOOKUP_NETWORK;
		return true;
	case REPLY_IGNORE:
	case REPLY_MALFORMED:
		*kind = CAA_LOOKUP_MALFORMED;
		return true;
	}
	res->rcode = r.rcode;
	if (r.tc) {
		reply_clear(&r);
		*kind = CAA_LOOKUP_TRUNCATED;
		return true;
	}
	done = lookup_read(&r, chain, res, kind) == LOOKUP_READ_DONE;
	reply_clear(&r);
	return done;
}

/* Reads one answer for Q: the lookup ends, or asks the alias target. */
static void
lookup_ub_result(struct lookup_query *q, int rcode, const uint8_t *pkt,
                 size_t len, int sec, const char *why)
{
	enum caa_lookup_kind kind;

	if (lookup_ub_read(&q->chain, q->c->cfg.trust_anchor != NULL, rcode,
	                   pkt, len, sec, why, &q->res, &kind)) {
		lookup_finish(q, kind);
		return;
	}
	lookup_ub_ask(q);
}

static void
lookup_ub_unlink(struct lookup_ub_call *call)
{
	if (call->prev != NULL) {
		call->prev->next = call->next;
	} else {
		call->c->gone = call->next;
	}
	if (call->next != NULL) {
		call->next->prev = call->prev;
	}
}

static void
lookup_ub_done(void *arg, int rcode, void *packet, int len, int sec,
               char *why_bogus, int was_ratelimited)
{
	struct lookup_ub_call *call = arg;
	struct lookup_query *q = call->q;

	(void)was_ratelimited;
	if (q == NULL) { /* the lookup gave up on it */
		lookup_ub_unlink(call);
		free(call);
		return;
	}
	free(call);
	q->call = NULL;
	if (packet == NULL || len < 0) {
		len = 0;
	}
	if (q->ub_asking) {
		/* Answered inside ub_resolve_event(): keep a copy and read
		 * it from the loop. */
		free(q->tbuf);
		q->tbuf = NULL;
		q->thave = 0;
		q->ub_rcode = rcode;
		q->ub_sec = sec;
		free(q->ub_why);
		q->ub_why = why_bogus != NULL ? strdup(why_bogus) : NULL;
		if (packet != NULL && len > 0) {
			q->tbuf = malloc((size_t)len);
			if (q->tbuf != NULL) {
				memcpy(q->tbuf, packet, (size_t)len);
				q->thave = (size_t)len;
			} else {
				q->ub_rcode = 2;
			}
		}
		q->state = LOOKUP_UB_READY;
		evtimer_del(q->timer);
		event_active(q->timer, EV_TIMEOUT, 0);
		return;
	}
	lookup_ub_result(q, rcode, packet, (size_t)len, sec, why_bogus);
}

void
lookup_ub_ask(struct lookup_query *q)
{
	struct lookup_ub_call *call = calloc(1, sizeof(*call));
	char name[REPLY_TEXT_MAX];
	int rc;

	if (call == NULL) {
		lookup_fail_later(q, CAA_LOOKUP_NETWORK);
		return;
	}
	call->q = q;
	call->c = q->c;
	q->call = call;
	reply_name_to_text(q->chain.name[q->chain.n - 1],
	                   q->chain.len[q->chain.n - 1], name, sizeof(name));
	q->res.queries++;
	q->state = LOOKUP_UB;
	q->ub_asking = true;
	rc = ub_resolve_event(q->c->ub, name, REPLY_TYPE_CAA, REPLY_CLASS_IN,
	                      call, lookup_ub_done, NULL);
	q->ub_asking = false;
	if (rc != 0) {
		free(call); /* never called back */
		q->call = NULL;
		lookup_fail_later(q, CAA_LOOKUP_NETWORK);
		return;
	}
	if (q->state == LOOKUP_UB) {
		long ms = (long)q->c->cfg.timeout_ms * q->c->cfg.tries;
		struct timeval tv = {ms / 1000, (suseconds_t)(ms % 1000) * 1000};

		evtimer_add(q->timer, &tv);
	}
}

void
lookup_ub_timer(struct lookup_query *q)
{
	if (q->state == LOOKUP_UB_READY) {
		lookup_ub_result(q, q->ub_rcode, q->tbuf, q->thave, q->ub_sec,
		                 q->ub_why);
		return;
	}
	/* The deadline: libunbound keeps the question; its answer will
	 * find the call abandoned. */
	lookup_ub_abandon(q);
	lookup_finish(q, CAA_LOOKUP_TIMEOUT);
}

/* Q ends before libunbound answers: its call waits on the client's list
 * of abandoned calls for that answer (or for lookup_ub_close()). */
void
lookup_ub_abandon(struct lookup_query *q)
{
	struct lookup_client *c = q->c;

	if (q->call != NULL) {
		q->call->q = NULL;
		q->call->prev = NULL;
		q->call->next = c->gone;
		if (c->gone != NULL) {
			c->gone->prev = q->call;
		}
		c->gone = q->call;
		q->call = NULL;
	}
}

/*
 * Reads the master file PATH (--trust-anchor or --root-hints, named OPT in
 * messages) with ldns; each record of a type in TYPES (0-terminated) goes
 * to ADD(CTX, text) when ADD is not NULL; another type is an error, and so
 * is a file without one of TYPES[0].  Returns 0, or -1 with ERR set.
 */
static int
lookup_ub_file(struct ub_ctx *ctx, const char *opt, const char *path,
               const ldns_rr_type *types, int (*add)(struct ub_ctx *,
                                                      const char *),
               char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	uint32_t ttl = 3600;
	ldns_rdf *origin = NULL;
	ldns_rdf *prev = NULL;
	int line = 1;
	size_t nfirst = 0;
	int rc = 0;

	if (f == NULL) {
		(void)snprintf(err, errlen, "%s %s: %s", opt, path,
		               strerror(errno));
		return -1;
	}
	while (rc == 0 && !feof(f)) {
		ldns_rr *rr = NULL;
		int at = line;
		ldns_status st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin,
		                                      &prev, &line);
		ldns_rr_type type;
		size_t i;

		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN) {
			continue;
		}
		if (st != LDNS_STATUS_OK) {
			if (feof(f) && st == LDNS_STATUS_SYNTAX_ERR) {
				break; /* blanks at the end */
			}
			(void)snprintf(err, errlen, "%s %s:%d: %s", opt, path,
			               at, ldns_get_errorstr_by_id(st));
			rc = -1;
			break;
		}
		type = ldns_rr_get_type(rr);
		for (i = 0; types[i] != 0 && types[i] != type; i++) {
		}
		if (types[i] == 0) {
			char *t = ldns_rr_type2str(type);

			(void)snprintf(err, errlen,
			               "%s %s:%d: a %s record (%s)", opt, path,
			               at, t != NULL ? t : "?",
			               add != NULL ? "DS or DNSKEY records only"
			                           : "NS, A and AAAA only");
			free(t);
			rc = -1;
		} else {
			nfirst += i == 0 || (add != NULL) ? 1 : 0;
			if (add != NULL) {
				char *text = ldns_rr2str(rr);

				if (text == NULL || add(ctx, text) != 0) {
					(void)snprintf(err, errlen,
					               "%s %s:%d: not taken by "
					               "libunbound",
					               opt, path, at);
					rc = -1;
				}
				free(text);
			}
		}
		ldns_rr_free(rr);
	}
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(f);
	if (rc == 0 && nfirst == 0) {
		(void)snprintf(err, errlen, "%s %s: no %s record", opt, path,
		               add != NULL ? "DS or DNSKEY" : "NS");
		rc = -1;
	}
	return rc;
}

static int
lookup_ub_add_ta(struct ub_ctx *ctx, const char *text)
{
	return ub_ctx_add_ta(ctx, text);
}

int
lookup_ub_open(struct lookup_client *c, char *err, size_t errlen)
{
	static const ldns_rr_type anchors[] = {LDNS_RR_TYPE_DS,
	                                       LDNS_RR_TYPE_DNSKEY, 0};
	static const ldns_rr_type hints[] = {
	        LDNS_RR_TYPE_NS, LDNS_RR_TYPE_A, LDNS_RR_TYPE_AAAA, 0};
	const struct lookup_config *cfg = &c->cfg;
	struct ub_ctx *ub = ub_ctx_create_event(c->base);

	if (ub == NULL) {
		(void)snprintf(err, errlen, "libunbound does not start");
		return -1;
	}
	c->ub = ub;
	/* A CA's resolver: answers come from the DNS, and a lab may live
	 * under test. (RFC 6761), which unbound serves itself by default;
	 * localhost may hold the lab's servers; why_bogus gets the reason
	 * with the server's address (val-log-level 2).  A batch: libunbound
	 * keeps 16 queries in flight in library use, and QNAME minimisation
	 * (RFC 9156) costs a query per label of names that do not exist,
	 * which a climb asks by the thousand (the answers are the same). */
	if (ub_ctx_set_option(ub, "local-zone:", "test. transparent") != 0 ||
	    ub_ctx_set_option(ub, "do-not-query-localhost:", "no") != 0 ||
	    ub_ctx_set_option(ub, "val-log-level:", "2") != 0 ||
	    ub_ctx_set_option(ub, "num-queries-per-thread:",
	                      LOOKUP_UB_QUERIES) != 0 ||
	    ub_ctx_set_option(ub, "outgoing-range:", LOOKUP_UB_QUERIES) != 0 ||
	    ub_ctx_set_option(ub, "qname-minimisation:", "no") != 0) {
		(void)snprintf(err, errlen, "libunbound refuses its options");
		return -1;
	}
	if (cfg->source_len > 0) {
		char host[NI_MAXHOST];

		/* A perspective's own address (--perspective from=). */
		if (getnameinfo((const struct sockaddr *)&cfg->source,
		                cfg->source_len, host, sizeof(host), NULL, 0,
		                NI_NUMERICHOST) != 0 ||
		    ub_ctx_set_option(ub, "outgoing-interface:", host) != 0) {
			(void)snprintf(err, errlen,
			               "libunbound does not take the source "
			               "address");
			return -1;
		}
	}
	if (cfg->backend == LOOKUP_RECURSIVE && cfg->root_hints != NULL) {
		if (lookup_ub_file(ub, "--root-hints", cfg->root_hints, hints,
		                   NULL, err, errlen) != 0) {
			return -1;
		}
		if (ub_ctx_set_option(ub, "root-hints:", cfg->root_hints) !=
		    0) {
			(void)snprintf(err, errlen,
			               "--root-hints %s: not taken by "
			               "libunbound",
			               cfg->root_hints);
			return -1;
		}
	}
	if (cfg->backend == LOOKUP_VALIDATE) {
		char host[NI_MAXHOST];
		char serv[NI_MAXSERV];
		char addr[NI_MAXHOST + NI_MAXSERV + 1];

		if (getnameinfo((const struct sockaddr *)&cfg->server,
		                cfg->server_len, host, sizeof(host), serv,
		                sizeof(serv),
		                NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
			(void)snprintf(err, errlen, "bad server address");
			return -1;
		}
		(void)snprintf(addr, sizeof(addr), "%s@%s", host, serv);
		if (ub_ctx_set_fwd(ub, addr) != 0) {
			(void)snprintf(err, errlen,
			               "libunbound does not take %s", addr);
			return -1;
		}
	}
	if (cfg->trust_anchor != NULL &&
	    lookup_ub_file(ub, "--trust-anchor", cfg->trust_anchor, anchors,
	                   lookup_ub_add_ta, err, errlen) != 0) {
		return -1;
	}
	return 0;
}

void
lookup_ub_close(struct lookup_client *c)
{
	if (c->ub != NULL) {
		ub_ctx_delete(c->ub); /* may call back abandoned calls */
		c->ub = NULL;
	}
	while (c->gone != NULL) {
		struct lookup_ub_call *call = c->gone;

		c->gone = call->next;
		free(call);
	}
}
