/*
 * probe/trace.c -- caa-probe --trace: zones, nameservers, answers marked.
 *
 * The climb's names are looked up from the longest up, so each zone's NS
 * set and addresses are looked up once and reused by the names it holds;
 * then the servers of all the names are asked at once (trace_ask()), and
 * the answers of each name compared when all are in.
 */
#include "trace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "trace_int.h"

const char *
trace_error_text(enum trace_error e)
{
	switch (e) {
	case TRACE_OK:
		return NULL;
	case TRACE_TIMEOUT:
		return "timeout";
	case TRACE_NETWORK:
		return "network error";
	case TRACE_REFUSED:
		return "connection refused";
	case TRACE_MALFORMED:
		return "malformed reply";
	case TRACE_TRUNCATED:
		return "truncated";
	case TRACE_BAD_RDATA:
		return "malformed CAA record";
	}
	return "error";
}

/* Orders RDATA by length, then octets: a canonical order for sets. */
static int
trace_rdata_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen) {
		return alen < blen ? -1 : 1;
	}
	return alen == 0 ? 0 : memcmp(a, b, alen);
}

int
trace_answer_add(struct trace_answer *a, const uint8_t *rdata, size_t len)
{
	uint8_t **rd;
	uint16_t *rl;
	uint8_t *copy;
	size_t at;

	if (len > UINT16_MAX) {
		return -EINVAL;
	}
	rd = realloc(a->rdata, (a->nrecords + 1) * sizeof(*rd));
	if (rd == NULL) {
		return -ENOMEM;
	}
	a->rdata = rd;
	rl = realloc(a->rdlen, (a->nrecords + 1) * sizeof(*rl));
	if (rl == NULL) {
		return -ENOMEM;
	}
	a->rdlen = rl;
	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL) {
		return -ENOMEM;
	}
	if (len > 0) {
		memcpy(copy, rdata, len);
	}
	/* Sorted as it goes in, so that two sets compare in one pass. */
	for (at = a->nrecords; at > 0; at--) {
		if (trace_rdata_cmp(rd[at - 1], rl[at - 1], copy, len) <= 0) {
			break;
		}
		rd[at] = rd[at - 1];
		rl[at] = rl[at - 1];
	}
	rd[at] = copy;
	rl[at] = (uint16_t)len;
	a->nrecords++;
	return 0;
}

bool
trace_agree(const struct trace_answer *a, const struct trace_answer *b)
{
	if (a->error != b->error) {
		return false;
	}
	if (a->error != TRACE_OK && a->error != TRACE_BAD_RDATA) {
		return true; /* the same failure, no reply to compare */
	}
	if (a->rcode != b->rcode || a->nrecords != b->nrecords) {
		return false;
	}
	for (size_t i = 0; i < a->nrecords; i++) {
		if (trace_rdata_cmp(a->rdata[i], a->rdlen[i], b->rdata[i],
		                    b->rdlen[i]) != 0) {
			return false;
		}
	}
	return true;
}

/* A usable answer: a reply whose RCODE a resolver passes on as data. */
static bool
trace_usable(const struct trace_answer *a)
{
	return a->error == TRACE_OK && (a->rcode == 0 || a->rcode == 3);
}

void
trace_mark(struct trace_answer *a, size_t n)
{
	size_t best = n; /* the first answer of the majority group */
	size_t best_count = 0;
	bool tied = false;

	for (size_t i = 0; i < n; i++) {
		a[i].disagrees = false;
	}
	if (n < 2) {
		return;
	}
	for (size_t i = 0; i < n; i++) {
		size_t count = 0;
		bool first = true;

		for (size_t j = 0; j < n; j++) {
			if (trace_agree(&a[i], &a[j])) {
				count++;
				first = first && j >= i;
			}
		}
		if (!first) {
			continue; /* its group was counted at its first */
		}
		if (count > best_count) {
			best = i;
			best_count = count;
			tied = false;
		} else if (count == best_count) {
			bool u = trace_usable(&a[i]);
			bool ub = trace_usable(&a[best]);

			if (u && !ub) {
				best = i;
				tied = false;
			} else if (u == ub) {
				tied = true;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		a[i].disagrees = tied || !trace_agree(&a[i], &a[best]);
	}
}

static void
trace_answer_clear(struct trace_answer *a)
{
	for (size_t i = 0; i < a->nrecords; i++) {
		free(a->rdata[i]);
	}
	free(a->rdata);
	free(a->rdlen);
	a->rdata = NULL;
	a->rdlen = NULL;
	a->nrecords = 0;
}

void
trace_clear(struct trace *t)
{
	if (t == NULL) {
		return;
	}
	for (size_t i = 0; i < t->nnames; i++) {
		struct trace_name *tn = &t->names[i];

		for (size_t j = 0; j < tn->nanswers; j++) {
			trace_answer_clear(&tn->answers[j]);
		}
		free(tn->answers);
		free(tn->error);
	}
	free(t->names);
	memset(t, 0, sizeof(*t));
}

/* A zone already found: its name and the addresses of its servers, the
 * answers of each name it holds starting as copies of these. */
struct trace_zone {
	char name[TRACE_NAME_TEXT];
	struct trace_answer *servers;
	size_t nservers;
};

/* The servers of ZONE (text), whose NS set is NS[0..NNS). */
static int
trace_zone_fill(struct trace_resolver *res, const struct trace_config *cfg,
                struct trace_zone *z, char ns[][TRACE_NAME_TEXT], size_t nns)
{
	size_t max = nns * 2 * TRACE_ADDR_MAX;

	z->servers = calloc(max > 0 ? max : 1, sizeof(*z->servers));
	if (z->servers == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < nns; i++) {
		if (trace_resolver_addresses(res, ns[i], cfg->port, z->servers,
		                             &z->nservers, max) == 0) {
			/* A nameserver without an address is a finding of
			 * its own: shown as a network error. */
			struct trace_answer *a = &z->servers[z->nservers++];

			(void)snprintf(a->ns, sizeof(a->ns), "%s", ns[i]);
			a->error = TRACE_NETWORK;
			a->rcode = -1;
			a->family = 0;
		}
	}
	return 0;
}

/*
 * The zone of candidate I of CANDS: the nearest of it and its parents
 * with an NS RRset.  Z[0..*NZ) caches the zones found, HAS[] whether a
 * candidate is a zone apex (-1 not asked yet, -2 the question failed,
 * WHYS[] then saying why).  Returns the zone's index, or -1 when none
 * was found (*WHY says why), or -ENOMEM - 1.
 */
static int
trace_zone_of(struct trace_resolver *res, const struct trace_config *cfg,
              const struct caa_candidates *cands, size_t i,
              struct trace_zone *z, size_t *nz, int *has, char (*whys)[64],
              const char **why)
{
	char ns[TRACE_NS_MAX][TRACE_NAME_TEXT];
	size_t nns = 0;

	*why = "no NS RRset found at the name or its parents";
	for (size_t k = i; k < cands->count; k++) {
		const char *name = caa_candidate(cands, k);

		for (size_t j = 0; j < *nz; j++) {
			if (strcmp(z[j].name, name) == 0) {
				return (int)j;
			}
		}
		if (has[k] == -1) {
			has[k] = trace_resolver_ns(res, name, ns, &nns, whys[k],
			                           sizeof(whys[k]));
			if (has[k] < 0) {
				has[k] = -2;
			}
		}
		if (has[k] == -2) {
			/* Above a failed question the cut is unknown: do not
			 * guess a zone further up. */
			*why = whys[k];
			return -1;
		}
		if (has[k] == 1) {
			struct trace_zone *nzone = &z[*nz];

			memset(nzone, 0, sizeof(*nzone));
			(void)snprintf(nzone->name, sizeof(nzone->name), "%s",
			               name);
			if (trace_zone_fill(res, cfg, nzone, ns, nns) != 0) {
				return -ENOMEM - 1;
			}
			return (int)(*nz)++;
		}
	}
	return -1;
}

/* Copies the servers of Z into TN, ready to be asked. */
static int
trace_name_servers(struct trace_name *tn, const struct trace_zone *z)
{
	tn->answers =
	        calloc(z->nservers > 0 ? z->nservers : 1, sizeof(*tn->answers));
	if (tn->answers == NULL) {
		return -ENOMEM;
	}
	for (size_t j = 0; j < z->nservers; j++) {
		tn->answers[j] = z->servers[j];
		tn->answers[j].rdata = NULL;
		tn->answers[j].rdlen = NULL;
		tn->answers[j].nrecords = 0;
	}
	tn->nanswers = z->nservers;
	return 0;
}

int
trace_run(const struct trace_config *cfg, const struct caa_candidates *cands,
          struct trace *out, char *err, size_t errlen)
{
	struct trace_resolver *res =
	        trace_resolver_new(cfg->lookup, err, errlen);
	struct trace_zone *z = calloc(CAA_CANDIDATES_MAX, sizeof(*z));
	int has[CAA_CANDIDATES_MAX];
	char whys[CAA_CANDIDATES_MAX][64];
	size_t nz = 0;
	int rc = 0;

	if (res == NULL) {
		free(z);
		return -EIO;
	}
	out->names = calloc(cands->count > 0 ? cands->count : 1,
	                    sizeof(*out->names));
	if (out->names == NULL || z == NULL) {
		free(z);
		trace_resolver_free(res);
		return -ENOMEM;
	}
	for (size_t i = 0; i < cands->count; i++) {
		has[i] = -1;
		whys[i][0] = '\0';
	}
	/* First the zone and servers of every name, through the resolver;
	 * then every server of every name asked at once, so that a server
	 * that drops the question costs one timeout, not one per name. */
	for (size_t i = 0; rc == 0 && i < cands->count; i++) {
		struct trace_name *tn = &out->names[out->nnames++];
		const char *why = NULL;
		int zi = trace_zone_of(res, cfg, cands, i, z, &nz, has, whys,
		                       &why);

		(void)snprintf(tn->name, sizeof(tn->name), "%s",
		               caa_candidate(cands, i));
		if (zi < -1) {
			rc = -ENOMEM;
			break;
		}
		if (zi < 0) {
			tn->error = strdup(why);
			rc = tn->error == NULL ? -ENOMEM : 0;
			continue;
		}
		(void)snprintf(tn->zone, sizeof(tn->zone), "%s", z[zi].name);
		rc = trace_name_servers(tn, &z[zi]);
	}
	if (rc == 0) {
		rc = trace_ask(out->names, out->nnames, cfg->lookup->timeout_ms,
		               cfg->lookup->tries, trace_ask_open_max());
	}
	for (size_t i = 0; i < out->nnames; i++) {
		trace_mark(out->names[i].answers, out->names[i].nanswers);
	}
	for (size_t j = 0; j < nz; j++) {
		free(z[j].servers);
	}
	free(z);
	trace_resolver_free(res);
	return rc;
}
