/*
 * responder/control_tlsalpn.c -- pebble-challtestsrv's TLS-ALPN-01
 * endpoints, read as its other endpoints are (control_compat.c):
 *
 *   /add-tlsalpn01              {"host","content"}: serve HOST's challenge
 *                               certificate for the key authorization
 *                               CONTENT (tlsalpn.h)
 *   /del-tlsalpn01              {"host"}
 *   /tlsalpn01-request-history  {"host"} -> [{"ServerName",
 *                               "SupportedProtos":[...]|null}...]
 *
 * Without --tlsalpn01 they are 404, as challtestsrv registers them only
 * with its TLS-ALPN-01 server.
 */
#include "control_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "tlsalpn.h"

/*
 * The server and the body's "host" (not empty) into *HOST: 0, or -1
 * after replying 404 or 400.
 */
static int
ctl_tlsalpn_host(struct ctl_req *r, const char **host)
{
	if (r->ctl->cfg.tlsalpn == NULL) {
		ctl_reply_error(
		        r, 404,
		        "no TLS-ALPN-01 server (start with --tlsalpn01)");
		return -1;
	}
	if (ctl_body_parse(r, false) != 0 ||
	    ctl_json_string(r, r->body, "host", true, host) < 0) {
		return -1;
	}
	if ((*host)[0] == '\0') {
		ctl_reply_error(r, 400, "host parameter must not be empty");
		return -1;
	}
	return 0;
}

void
ctl_tlsalpn_add(struct ctl_req *r)
{
	const char *host, *content;
	size_t len;
	int rc;

	if (ctl_tlsalpn_host(r, &host) != 0 ||
	    ctl_json_string(r, r->body, "content", true, &content) < 0) {
		return;
	}
	len = strlen(content);
	if (len == 0) {
		ctl_reply_error(r, 400, "content parameter must not be empty");
		return;
	}
	if (len > TLSALPN_CONTENT_MAX) {
		ctl_reply_error(r, 400, "content over %d octets",
		                TLSALPN_CONTENT_MAX);
		return;
	}
	rc = tlsalpn_challenge_set(r->ctl->cfg.tlsalpn, host, content, len);
	if (rc == -EINVAL) {
		ctl_reply_error(r, 400,
		                "bad host (1 to %d octets from '!' to '~', "
		                "and an optional final dot)",
		                TLSALPN_HOST_MAX);
		return;
	}
	if (rc == -ENOSPC) {
		ctl_reply_error(r, 400,
		                "too many TLS-ALPN-01 hosts (at most %d)",
		                TLSALPN_HOSTS_MAX);
		return;
	}
	if (rc != 0) {
		ctl_reply_error(r, 500, "out of memory");
		return;
	}
	log_info("control: TLS-ALPN-01 challenge added for %s", host);
	ctl_reply_empty(r, 200);
}

void
ctl_tlsalpn_del(struct ctl_req *r)
{
	const char *host;

	if (ctl_tlsalpn_host(r, &host) != 0) {
		return;
	}
	if (tlsalpn_challenge_del(r->ctl->cfg.tlsalpn, host)) {
		log_info("control: TLS-ALPN-01 challenge removed for %s", host);
	}
	ctl_reply_empty(r, 200);
}

/*
 * S[0..LEN) as a JSON string: as it is when it is UTF-8, else with each
 * octet of 0x80 and over as U+FFFD (Go writes invalid UTF-8 so).
 */
static json_t *
ctl_tlsalpn_string(const char *s, size_t len)
{
	json_t *j = json_stringn(s, len);
	char *fixed;
	size_t k = 0;

	if (j != NULL) {
		return j;
	}
	fixed = malloc(len * 3 + 1);
	if (fixed == NULL) {
		return NULL;
	}
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)s[i] >= 0x80) {
			memcpy(fixed + k, "\xef\xbf\xbd", 3);
			k += 3;
		} else {
			fixed[k++] = s[i];
		}
	}
	j = json_stringn(fixed, k);
	free(fixed);
	return j;
}

/* {"ServerName","SupportedProtos"} of E, or NULL (out of memory). */
static json_t *
ctl_tlsalpn_event(const struct tlsalpn_event *e)
{
	json_t *o = json_object(), *protos = NULL;

	if (o == NULL ||
	    json_object_set_new(o, "ServerName",
	                        ctl_tlsalpn_string(e->name, e->namelen)) != 0) {
		json_decref(o);
		return NULL;
	}
	protos = e->has_alpn ? json_array() : json_null();
	for (size_t off = 0; protos != NULL && e->has_alpn && off < e->alpnlen;
	     off += 1 + (size_t)e->alpn[off]) {
		if (json_array_append_new(
		            protos,
		            ctl_tlsalpn_string((const char *)e->alpn + off + 1,
		                               e->alpn[off])) != 0) {
			json_decref(protos);
			protos = NULL;
		}
	}
	if (json_object_set_new(o, "SupportedProtos", protos) != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

void
ctl_tlsalpn_history(struct ctl_req *r)
{
	const struct tlsalpn *t;
	const char *host;
	json_t *list;

	if (ctl_tlsalpn_host(r, &host) != 0) {
		return;
	}
	t = r->ctl->cfg.tlsalpn;
	list = json_array();
	for (size_t i = 0; list != NULL && i < tlsalpn_history_count(t); i++) {
		const struct tlsalpn_event *e = tlsalpn_history_get(t, i);

		if (tlsalpn_event_matches(e, host)) {
			ctl_history_add(&list, ctl_tlsalpn_event(e));
		}
	}
	ctl_history_reply(r, list);
}

void
ctl_tlsalpn_clear(struct ctl_req *r)
{
	const char *host;

	if (r->ctl->cfg.tlsalpn != NULL &&
	    ctl_json_string(r, r->body, "host", true, &host) == 0) {
		(void)tlsalpn_history_clear(r->ctl->cfg.tlsalpn, host);
	}
}
