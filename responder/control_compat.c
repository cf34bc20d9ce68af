/*
 * responder/control_compat.c -- pebble-challtestsrv's management
 * endpoints, with its paths and JSON bodies, so that a client written for
 * it works unchanged.
 *
 * As challtestsrv does: any method; body keys matched without regard to
 * case, unknown keys ignored; 200 with an empty body on success, 400 for a
 * body that is not JSON, a wrong type or a missing host; hosts with or
 * without the trailing dot; add-a, add-aaaa, add-caa and set-txt add to
 * what the name has, set-cname replaces, clear-* remove every record of
 * that type at the name.  Unlike challtestsrv, an address, tag or name
 * that does not parse is refused (400) instead of being skipped when
 * answering, and records are real records: TTL 0, in the zone that holds
 * the name (a root zone made up for names outside every zone file).
 *
 *   /add-a /add-aaaa        {"host","addresses":[...]}
 *   /clear-a /clear-aaaa    {"host"}
 *   /add-caa                {"host","policies":[{"tag","value"}...]},
 *                           each policy with an optional "flags" (0-255,
 *                           default 0; caalab's, challtestsrv has none)
 *   /clear-caa              {"host"}
 *   /set-txt                {"host","value"}
 *   /clear-txt              {"host"}
 *   /set-cname              {"host","target"}
 *   /clear-cname            {"host"}
 *   /set-servfail           {"host"}: the API rule `servfail HOST *`
 *   /clear-servfail         {"host"}
 *   /set-default-ipv4/6     {"ip"}: "" turns the default off
 *   /dns-request-history    {"host"} -> [{"Question":{"Name","Qtype",
 *                           "Qclass"}}...], challtestsrv's indented form
 *   /clear-request-history  {"host","type":"dns"|"http"|"tlsalpn"}
 *   /add-tlsalpn01 /del-tlsalpn01 /tlsalpn01-request-history:
 *                           control_tlsalpn.c
 *   /add-http01 ... /http-request-history: control_http01.c
 */
#include "control_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "history.h"
#include "log.h"

#define COMPAT_TTL      0    /* challtestsrv's records have TTL 0 */
#define COMPAT_NAME_MAX 1024 /* a name's presentation, escaped */

/*
 * The body and its "host": 0 with HOST (presentation, absolute, escaped)
 * and WIRE filled, or -1 after replying 400.
 */
static int
compat_host(struct ctl_req *r, char *host, uint8_t *wire)
{
	const char *s;

	if (ctl_body_parse(r, false) != 0 ||
	    ctl_json_string(r, r->body, "host", true, &s) < 0) {
		return -1;
	}
	if (s[0] == '\0') {
		ctl_reply_error(r, 400, "host parameter must not be empty");
		return -1;
	}
	if (ctl_name_parse(s, wire, host, COMPAT_NAME_MAX) != 0) {
		ctl_reply_error(r, 400, "bad host '%s'", s);
		return -1;
	}
	return 0;
}

/* Queue the change CH[0..N), answered once it serves (WHAT HOST logged). */
static void
compat_change(struct ctl_req *r, const struct ctl_change *ch, size_t n,
              bool removal, const char *what, const char *host)
{
	char log[COMPAT_NAME_MAX + 64];

	(void)snprintf(log, sizeof(log), "%s %s", what, host);
	ctl_records_change(r, ch, n, removal, CTL_STYLE_COMPAT, log);
}

/* /clear-a, /clear-aaaa, /clear-caa, /clear-txt, /clear-cname */
static void
compat_clear(struct ctl_req *r, uint16_t type, const char *what)
{
	char host[COMPAT_NAME_MAX];
	uint8_t wire[WIRE_NAME_MAX];
	struct ctl_change ch = {CTL_OP_DEL_TYPE, host, type};

	if (compat_host(r, host, wire) != 0) {
		return;
	}
	compat_change(r, &ch, 1, true, what, host);
}

/* Up to N changes whose texts are owned here. */
struct compat_batch {
	struct ctl_change *ch;
	char **text;
	size_t n;
};

static int
compat_batch_init(struct compat_batch *b, size_t n)
{
	b->n = 0;
	b->ch = calloc(n, sizeof(*b->ch));
	b->text = calloc(n, sizeof(*b->text));
	return b->ch != NULL && b->text != NULL ? 0 : -1;
}

static void
compat_batch_clear(struct compat_batch *b)
{
	for (size_t i = 0; b->text != NULL && i < b->n; i++) {
		free(b->text[i]);
	}
	free(b->text);
	free(b->ch);
}

/* Append "HOST 0 IN TYPE RDATA"; returns 0 or -1 (out of memory). */
static int
compat_batch_add(struct compat_batch *b, const char *host, const char *type,
                 const char *rdata)
{
	char *line = NULL;

	if (asprintf(&line, "%s %d IN %s %s", host, COMPAT_TTL, type, rdata) <
	    0) {
		return -1;
	}
	b->ch[b->n].kind = CTL_OP_ADD;
	b->ch[b->n].text = line;
	b->ch[b->n].type = 0;
	b->text[b->n++] = line;
	return 0;
}

/*
 * A character-string (RFC 1035 5.1) holding S[0..LEN): quoted, with '"'
 * and '\' escaped and bytes outside 0x20-0x7e as \DDD.  Returns a new
 * string or NULL.
 */
static char *
compat_quote(const char *s, size_t len)
{
	char *q = malloc(len * 4 + 3);
	size_t k = 0;

	if (q == NULL) {
		return NULL;
	}
	q[k++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			q[k++] = '\\';
			q[k++] = (char)c;
		} else if (c < 0x20 || c > 0x7e) {
			k += (size_t)snprintf(q + k, 5, "\\%03u", (unsigned)c);
		} else {
			q[k++] = (char)c;
		}
	}
	q[k++] = '"';
	q[k] = '\0';
	return q;
}

/* Apply the batch B (it adds records); replies once it serves. */
static void
compat_batch_apply(struct ctl_req *r, struct compat_batch *b, const char *what,
                   const char *host)
{
	compat_change(r, b->ch, b->n, false, what, host);
}

/* /add-a, /add-aaaa: one record per address, all or none. */
static void
compat_add_addr(struct ctl_req *r, int family)
{
	char host[COMPAT_NAME_MAX];
	uint8_t wire[WIRE_NAME_MAX], bin[16];
	struct compat_batch b = {NULL, NULL, 0};
	const json_t *list;
	size_t n;

	if (compat_host(r, host, wire) != 0) {
		return;
	}
	list = ctl_json_get(r->body, "addresses", true);
	if (list != NULL && !json_is_null(list) && !json_is_array(list)) {
		ctl_reply_error(r, 400, "'addresses' must be a list");
		return;
	}
	n = list != NULL ? json_array_size(list) : 0;
	if (n == 0) {
		ctl_reply_error(r, 400, "'addresses' must not be empty");
		return;
	}
	if (compat_batch_init(&b, n) != 0) {
		ctl_reply_error(r, 500, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const json_t *a = json_array_get(list, i);

		if (!json_is_string(a) ||
		    strlen(json_string_value(a)) != json_string_length(a) ||
		    inet_pton(family, json_string_value(a), bin) != 1) {
			ctl_reply_error(r, 400, "bad %s address in 'addresses'",
			                family == AF_INET ? "IPv4" : "IPv6");
			goto out;
		}
		if (compat_batch_add(&b, host, family == AF_INET ? "A" : "AAAA",
		                     json_string_value(a)) != 0) {
			ctl_reply_error(r, 500, "out of memory");
			goto out;
		}
	}
	compat_batch_apply(r, &b,
	                   family == AF_INET ? "A added at" : "AAAA added at",
	                   host);
out:
	compat_batch_clear(&b);
}

static void
compat_add_a(struct ctl_req *r)
{
	compat_add_addr(r, AF_INET);
}

static void
compat_add_aaaa(struct ctl_req *r)
{
	compat_add_addr(r, AF_INET6);
}

static void
compat_clear_a(struct ctl_req *r)
{
	compat_clear(r, WIRE_TYPE_A, "A cleared at");
}

static void
compat_clear_aaaa(struct ctl_req *r)
{
	compat_clear(r, WIRE_TYPE_AAAA, "AAAA cleared at");
}

/* A CAA tag: letters and digits (RFC 8659 4.1), at most 255. */
static bool
compat_tag_ok(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 255) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char c = t[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9'))) {
			return false;
		}
	}
	return true;
}

/*
 * The "flags" of policy number I (from 1) P: 0 and *FLAGS (0 when absent
 * or null), or -1 after replying 400.
 */
static int
compat_caa_flags(struct ctl_req *r, json_t *p, size_t i, unsigned *flags)
{
	const json_t *f = ctl_json_get(p, "flags", true);

	*flags = 0;
	if (f == NULL || json_is_null(f)) {
		return 0;
	}
	if (!json_is_integer(f) || json_integer_value(f) < 0 ||
	    json_integer_value(f) > 255) {
		ctl_reply_error(r, 400,
		                "'flags' of policy %zu must be an integer from 0 "
		                "to 255",
		                i);
		return -1;
	}
	*flags = (unsigned)json_integer_value(f);
	return 0;
}

/* /add-caa: {"host","policies":[{"tag","value","flags"}...]}. */
static void
compat_add_caa(struct ctl_req *r)
{
	char host[COMPAT_NAME_MAX];
	uint8_t wire[WIRE_NAME_MAX];
	struct compat_batch b = {NULL, NULL, 0};
	const json_t *list;
	size_t n;

	if (compat_host(r, host, wire) != 0) {
		return;
	}
	list = ctl_json_get(r->body, "policies", true);
	if (list != NULL && !json_is_null(list) && !json_is_array(list)) {
		ctl_reply_error(r, 400, "'policies' must be a list");
		return;
	}
	n = list != NULL ? json_array_size(list) : 0;
	if (n == 0) {
		ctl_reply_error(r, 400, "'policies' must not be empty");
		return;
	}
	if (compat_batch_init(&b, n) != 0) {
		ctl_reply_error(r, 500, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		json_t *p = json_array_get(list, i);
		const char *tag, *value;
		char *q, *rdata = NULL;
		unsigned flags;

		if (!json_is_object(p)) {
			ctl_reply_error(r, 400,
			                "each policy must be an object");
			goto out;
		}
		if (ctl_json_string(r, p, "tag", true, &tag) < 0 ||
		    ctl_json_string(r, p, "value", true, &value) < 0 ||
		    compat_caa_flags(r, p, i + 1, &flags) != 0) {
			goto out;
		}
		if (!compat_tag_ok(tag)) {
			ctl_reply_error(r, 400, "bad CAA tag '%s'", tag);
			goto out;
		}
		q = compat_quote(value, strlen(value));
		if (q == NULL || asprintf(&rdata, "%u %s %s", flags, tag, q) < 0 ||
		    compat_batch_add(&b, host, "CAA", rdata) != 0) {
			free(q);
			free(rdata);
			ctl_reply_error(r, 500, "out of memory");
			goto out;
		}
		free(q);
		free(rdata);
	}
	compat_batch_apply(r, &b, "CAA added at", host);
out:
	compat_batch_clear(&b);
}

static void
compat_clear_caa(struct ctl_req *r)
{
	compat_clear(r, WIRE_TYPE_CAA, "CAA cleared at");
}

/* /set-txt: {"host","value"}; a value over 255 octets is split. */
static void
compat_set_txt(struct ctl_req *r)
{
	char host[COMPAT_NAME_MAX];
	uint8_t wire[WIRE_NAME_MAX];
	struct compat_batch b = {NULL, NULL, 0};
	const char *value;
	char *rdata = NULL;
	size_t len, k = 0;

	if (compat_host(r, host, wire) != 0 ||
	    ctl_json_string(r, r->body, "value", true, &value) < 0) {
		return;
	}
	len = strlen(value);
	if (len == 0) {
		ctl_reply_error(r, 400, "value parameter must not be empty");
		return;
	}
	rdata = malloc(len * 4 + 3 * (len / 255 + 1) + 1);
	if (rdata == NULL || compat_batch_init(&b, 1) != 0) {
		ctl_reply_error(r, 500, "out of memory");
		goto out;
	}
	for (size_t off = 0; off < len; off += 255) {
		size_t n = len - off < 255 ? len - off : 255;
		char *q = compat_quote(value + off, n);

		if (q == NULL) {
			ctl_reply_error(r, 500, "out of memory");
			goto out;
		}
		k += (size_t)sprintf(rdata + k, "%s%s", k > 0 ? " " : "", q);
		free(q);
	}
	if (compat_batch_add(&b, host, "TXT", rdata) != 0) {
		ctl_reply_error(r, 500, "out of memory");
		goto out;
	}
	compat_batch_apply(r, &b, "TXT added at", host);
out:
	free(rdata);
	compat_batch_clear(&b);
}

static void
compat_clear_txt(struct ctl_req *r)
{
	compat_clear(r, WIRE_TYPE_TXT, "TXT cleared at");
}

/* /set-cname: {"host","target"}, replacing any CNAME at host. */
static void
compat_set_cname(struct ctl_req *r)
{
	char host[COMPAT_NAME_MAX], target[COMPAT_NAME_MAX];
	uint8_t wire[WIRE_NAME_MAX];
	struct compat_batch b = {NULL, NULL, 0};
	const char *t;

	if (compat_host(r, host, wire) != 0 ||
	    ctl_json_string(r, r->body, "target", true, &t) < 0) {
		return;
	}
	if (t[0] == '\0') {
		ctl_reply_error(r, 400, "target parameter must not be empty");
		return;
	}
	if (ctl_name_parse(t, wire, target, sizeof(target)) != 0) {
		ctl_reply_error(r, 400, "bad target '%s'", t);
		return;
	}
	if (compat_batch_init(&b, 2) != 0) {
		ctl_reply_error(r, 500, "out of memory");
		goto out;
	}
	b.ch[0].kind = CTL_OP_DEL_TYPE;
	b.ch[0].text = host;
	b.ch[0].type = WIRE_TYPE_CNAME;
	b.n = 1; /* b.text[0] stays NULL: HOST is not ours to free */
	if (compat_batch_add(&b, host, "CNAME", target) != 0) {
		ctl_reply_error(r, 500, "out of memory");
		goto out;
	}
	compat_batch_apply(r, &b, "CNAME set at", host);
out:
	compat_batch_clear(&b);
}

static void
compat_clear_cname(struct ctl_req *r)
{
	compat_clear(r, WIRE_TYPE_CNAME, "CNAME cleared at");
}

/*
 * The rule /set-servfail adds for the body's host, parsed, into *OUT.
 * Returns 0, or -1 after replying.
 */
static int
compat_servfail_rule(struct ctl_req *r, struct fault_rule **out)
{
	char host[COMPAT_NAME_MAX], line[COMPAT_NAME_MAX + 16], err[512];
	uint8_t wire[WIRE_NAME_MAX];
	size_t len;

	if (compat_host(r, host, wire) != 0) {
		return -1;
	}
	len = strlen(host);
	if (len <= 1) {
		/* A rule's "." means every name, not the root alone. */
		ctl_reply_error(r, 400, "host must not be the root");
		return -1;
	}
	host[len - 1] = '\0'; /* rules name names without the dot */
	(void)snprintf(line, sizeof(line), "servfail %s *", host);
	if (fault_rule_parse(line, out, err, sizeof(err)) != 0) {
		ctl_reply_error(r, 400, "%s", err);
		return -1;
	}
	return 0;
}

/* The API rule with the text of R, or NULL. */
static const struct fault_rule *
compat_servfail_find(const struct fault_set *fs, const struct fault_rule *r)
{
	for (size_t i = 0; i < fault_set_count(fs); i++) {
		const struct fault_rule *x = fault_set_rule(fs, i);

		if (fault_rule_origin(x) == FAULT_ORIGIN_API &&
		    strcmp(fault_rule_text(x), fault_rule_text(r)) == 0) {
			return x;
		}
	}
	return NULL;
}

/* /set-servfail: SERVFAIL for every type at host, once however often. */
static void
compat_set_servfail(struct ctl_req *r)
{
	struct fault_set *fs = r->ctl->cfg.faults;
	struct fault_rule *rule = NULL;

	if (compat_servfail_rule(r, &rule) != 0) {
		return;
	}
	if (compat_servfail_find(fs, rule) != NULL) {
		fault_rule_free(rule);
		ctl_reply_empty(r, 200);
		return;
	}
	log_info("control: fault rule added (%s)", fault_rule_text(rule));
	if (fault_set_add(fs, rule, FAULT_ORIGIN_API, NULL) != 0) {
		ctl_reply_error(r, 500, "out of memory");
		return;
	}
	ctl_reply_empty(r, 200);
}

static void
compat_clear_servfail(struct ctl_req *r)
{
	struct fault_set *fs = r->ctl->cfg.faults;
	struct fault_rule *rule = NULL;
	const struct fault_rule *x;

	if (compat_servfail_rule(r, &rule) != 0) {
		return;
	}
	while ((x = compat_servfail_find(fs, rule)) != NULL) {
		(void)fault_set_remove(fs, fault_rule_id(x));
	}
	log_info("control: fault rule removed (%s)", fault_rule_text(rule));
	fault_rule_free(rule);
	ctl_reply_empty(r, 200);
}

/* /set-default-ipv4, /set-default-ipv6: {"ip"}, "" for none. */
static void
compat_set_default(struct ctl_req *r, int family)
{
	struct control *ctl = r->ctl;
	struct query_defaults *d = &ctl->defaults;
	const char *ip;
	uint8_t bin[16];

	if (ctl_body_parse(r, false) != 0 ||
	    ctl_json_string(r, r->body, "ip", true, &ip) < 0) {
		return;
	}
	if (ip[0] != '\0' && inet_pton(family, ip, bin) != 1) {
		ctl_reply_error(r, 400, "bad %s address '%s'",
		                family == AF_INET ? "IPv4" : "IPv6", ip);
		return;
	}
	if (family == AF_INET) {
		d->has_a = ip[0] != '\0';
		memcpy(d->a, bin, d->has_a ? 4 : 0);
	} else {
		d->has_aaaa = ip[0] != '\0';
		memcpy(d->aaaa, bin, d->has_aaaa ? 16 : 0);
	}
	ctl->cfg.env->defaults = d->has_a || d->has_aaaa ? d : NULL;
	log_info("control: default %s address %s",
	         family == AF_INET ? "IPv4" : "IPv6",
	         ip[0] != '\0' ? ip : "off");
	ctl_reply_empty(r, 200);
}

static void
compat_default_ipv4(struct ctl_req *r)
{
	compat_set_default(r, AF_INET);
}

static void
compat_default_ipv6(struct ctl_req *r)
{
	compat_set_default(r, AF_INET6);
}

void
ctl_history_add(json_t **list, json_t *o)
{
	if (*list == NULL) {
		json_decref(o);
	} else if (o == NULL || json_array_append_new(*list, o) != 0) {
		json_decref(*list);
		*list = NULL;
	}
}

void
ctl_history_reply(struct ctl_req *r, json_t *list)
{
	char *text = list != NULL ? json_dumps(list, JSON_INDENT(3)) : NULL;

	json_decref(list);
	if (text == NULL) {
		ctl_reply_error(r, 500, "out of memory");
		return;
	}
	ctl_reply_body(r, 200, "application/json; charset=utf-8", text,
	               strlen(text));
	free(text);
}

/*
 * /dns-request-history: {"host"} -> the DNS questions asked about host,
 * oldest first, as challtestsrv writes them (Go's MarshalIndent, three
 * spaces).  Names keep the letter case they were asked with.
 */
static void
compat_dns_history(struct ctl_req *r)
{
	const struct history *h = r->ctl->cfg.history;
	char host[COMPAT_NAME_MAX], name[WIRE_NAME_MAX * 4 + 8];
	uint8_t wire[WIRE_NAME_MAX];
	json_t *list;

	if (compat_host(r, host, wire) != 0) {
		return;
	}
	list = json_array();
	for (size_t i = 0; list != NULL && i < history_count(h); i++) {
		const struct history_entry *e = history_get(h, i);

		if (!history_entry_matches(e, wire, -1)) {
			continue;
		}
		(void)wire_name_to_str(e->qname, name, sizeof(name));
		ctl_history_add(&list,
		                json_pack("{s:{s:s,s:i,s:i}}", "Question", "Name",
		                          name, "Qtype", (int)e->qtype, "Qclass",
		                          (int)e->qclass));
	}
	ctl_history_reply(r, list);
}

/*
 * /clear-request-history: {"host","type"}; "dns" here, "http" in
 * control_http01.c, "tlsalpn" in control_tlsalpn.c.
 */
static void
compat_clear_history(struct ctl_req *r)
{
	char host[COMPAT_NAME_MAX];
	uint8_t wire[WIRE_NAME_MAX];
	const char *type;

	if (compat_host(r, host, wire) != 0 ||
	    ctl_json_string(r, r->body, "type", true, &type) < 0) {
		return;
	}
	if (strcmp(type, "dns") == 0) {
		(void)history_remove(r->ctl->cfg.history, wire, -1);
	} else if (strcmp(type, "http") == 0) {
		ctl_http01_history_clear(r);
		return;
	} else if (strcmp(type, "tlsalpn") == 0) {
		ctl_tlsalpn_clear(r);
	} else {
		ctl_reply_error(r, 400, "\"%s\" event type unknown", type);
		return;
	}
	ctl_reply_empty(r, 200);
}

static const struct {
	const char *path;
	ctl_handler fn;
} compat_routes[] = {
        {"/add-a", compat_add_a},
        {"/clear-a", compat_clear_a},
        {"/add-aaaa", compat_add_aaaa},
        {"/clear-aaaa", compat_clear_aaaa},
        {"/add-caa", compat_add_caa},
        {"/clear-caa", compat_clear_caa},
        {"/set-txt", compat_set_txt},
        {"/clear-txt", compat_clear_txt},
        {"/set-cname", compat_set_cname},
        {"/clear-cname", compat_clear_cname},
        {"/set-servfail", compat_set_servfail},
        {"/clear-servfail", compat_clear_servfail},
        {"/set-default-ipv4", compat_default_ipv4},
        {"/set-default-ipv6", compat_default_ipv6},
        {"/dns-request-history", compat_dns_history},
        {"/clear-request-history", compat_clear_history},
        {"/add-tlsalpn01", ctl_tlsalpn_add},
        {"/del-tlsalpn01", ctl_tlsalpn_del},
        {"/tlsalpn01-request-history", ctl_tlsalpn_history},
        {"/add-http01", ctl_http01_add},
        {"/del-http01", ctl_http01_del},
        {"/add-redirect", ctl_http01_add_redirect},
        {"/del-redirect", ctl_http01_del_redirect},
        {"/http-request-history", ctl_http01_history},
};

ctl_handler
ctl_compat_find(const char *path)
{
	for (size_t i = 0; i < sizeof(compat_routes) / sizeof(compat_routes[0]);
	     i++) {
		if (strcmp(path, compat_routes[i].path) == 0) {
			return compat_routes[i].fn;
		}
	}
	return NULL;
}
