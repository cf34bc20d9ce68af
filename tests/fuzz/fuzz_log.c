/*
 * tests/fuzz/fuzz_log.c -- the query-log line and GET /queries' objects
 * for any name and any rule: each must be whole JSON (jansson parses it),
 * fit LOG_QUERY_LINE_MAX, and say what was asked.
 *
 * Input layout:
 *
 *   0   1   2   3   4   5   6        7..6+K  7+K..
 *   +---+---+---+---+---+---+---+----------+-------...
 *   | K | L | action| qtype | flags | octets   | rest: rule options, and
 *   +---+---+---+---+---+---+---+----------+-------  a raw fault text
 *
 * K octets become the name's labels, L (1-63) octets a label, at most 255
 * octets in all.  The rule is "ACTION NAME TYPE REST"; if it does not
 * parse, "ACTION NAME TYPE" is tried, and if that fails too the query has
 * no rule.  REST is also logged as a fault text of its own (any octets,
 * up to ten times a rule's length).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <jansson.h>

#include "fault.h"
#include "history.h"
#include "log.h"
#include "query.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const actions[] = {
        "servfail", "refused", "notimp", "formerr",  "nxdomain",
        "nodata",   "drop",    "delay",  "truncate", "garble",
        "noaa",     "nosoa",   "wrongid",
};

static const enum query_drop drops[] = {
        QUERY_DROP_NONE,        QUERY_DROP_SHORT,
        QUERY_DROP_RESPONSE,    QUERY_DROP_FAULT,
        QUERY_DROP_DELAY_COUNT, QUERY_DROP_DELAY_OCTETS,
};

#define REST_MAX (10 * LOG_FAULT_TEXT_MAX)

/* LINE is one JSON object; returns it (json_decref() it) or aborts. */
static json_t *
check_json(const char *line, size_t n)
{
	json_error_t jerr;
	json_t *obj;

	if (n >= LOG_QUERY_LINE_MAX || strlen(line) != n) {
		fprintf(stderr, "fuzz_log: line of %zu octets\n", n);
		abort();
	}
	obj = json_loads(line, 0, &jerr);
	if (obj == NULL || !json_is_object(obj)) {
		fprintf(stderr, "fuzz_log: not JSON (%s): %s\n", jerr.text,
		        line);
		abort();
	}
	return obj;
}

/* OBJ[KEY] is the string WANT, or null when WANT is NULL. */
static void
check_str(const json_t *obj, const char *key, const char *want)
{
	const json_t *v = json_object_get(obj, key);

	if (want == NULL ? !json_is_null(v)
	                 : !json_is_string(v) ||
	                           strcmp(json_string_value(v), want) != 0) {
		fprintf(stderr, "fuzz_log: %s is not %s\n", key,
		        want != NULL ? want : "null");
		abort();
	}
}

/* Wire name from OCT (N octets) in labels of LABEL octets. */
static size_t
build_name(const uint8_t *oct, size_t n, size_t label, uint8_t *name)
{
	size_t len = 0;

	while (n > 0 && len + 2 < WIRE_NAME_MAX) {
		size_t k = n < label ? n : label;

		if (len + 1 + k + 1 > WIRE_NAME_MAX) {
			k = WIRE_NAME_MAX - len - 2;
		}
		name[len++] = (uint8_t)k;
		memcpy(name + len, oct, k);
		len += k;
		oct += k;
		n -= k;
	}
	name[len++] = 0;
	return len;
}

static void
check_line(const struct query_result *res, const struct sockaddr *client,
           const char *qname)
{
	static struct history *h;
	char line[LOG_QUERY_LINE_MAX], again[LOG_QUERY_LINE_MAX];
	struct timespec ts = {1795341600, 123456789};
	json_t *obj;
	size_t n;

	n = log_query_format(line, sizeof(line), &ts, client, QUERY_UDP, res);
	obj = check_json(line, n);
	check_str(obj, "qname", qname);
	check_str(obj, "fault",
	          res->rule != NULL ? fault_rule_text(res->rule) : NULL);
	if (res->view != NULL) {
		check_str(obj, "view", res->view);
	} else if (json_object_get(obj, "view") != NULL) {
		abort(); /* a client in no view: no key */
	}
	json_decref(obj);

	if (h == NULL && (h = history_new(1)) == NULL) {
		abort();
	}
	if (history_add(h, &ts, client, QUERY_UDP, res) != 0) {
		abort();
	}
	n = history_entry_format(history_get(h, 0), again, sizeof(again));
	if (n >= sizeof(again) || strcmp(line, again) != 0) {
		fprintf(stderr, "fuzz_log: history differs:\n%s\n%s\n", line,
		        again);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char rule[REST_MAX + 2048];
	static char rest[REST_MAX + 1];
	struct sockaddr_in6 sin6 = {0};
	struct query_result res;
	struct fault_rule *r = NULL;
	struct log_fields f = {0};
	char name[WIRE_NAME_MAX * 4 + 8];
	char tbuf[32];
	char line[LOG_QUERY_LINE_MAX];
	size_t k, nl, plen, nrest = 0;
	uint16_t qtype;
	json_t *obj;

	if (size < 7) {
		return 0;
	}
	k = data[0] < size - 7 ? data[0] : size - 7;
	memset(&res, 0, sizeof(res));
	res.verdict = (data[5] & 1) != 0 ? QUERY_DROP : QUERY_SEND;
	res.drop = drops[(data[5] >> 1) % (sizeof(drops) / sizeof(*drops))];
	res.rcode = (data[5] & 0x10) != 0 ? -1 : data[6];
	res.aa = (data[5] & 0x20) != 0;
	res.tc = (data[5] & 0x40) != 0;
	res.has_question = (data[5] & 0x80) == 0;
	res.id = (uint16_t)(data[6] * 257);
	res.answers = (uint16_t)(data[6] * 255);
	res.delay_ms = (uint32_t)data[6] * 16843009U;
	/* A view's prefix (--view), the longest cidr_format() writes. */
	res.view = (data[5] & 0x08) != 0
	                   ? "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe/128"
	                   : NULL;
	qtype = (uint16_t)(data[3] << 8 | data[4]);
	res.qtype = qtype;
	res.qname_len = (uint8_t)build_name(data + 7, k, data[1] % 63 + 1,
	                                    res.qname);
	for (size_t i = 7 + k; i < size && nrest < REST_MAX; i++) {
		if (data[i] != '\0') {
			rest[nrest++] = (char)data[i];
		}
	}
	rest[nrest] = '\0';

	nl = wire_name_to_str(res.qname, name, sizeof(name));
	if (nl >= sizeof(name)) {
		abort();
	}
	if (nl > 1) {
		name[nl - 1] = '\0'; /* rules name it without the dot */
	}
	(void)wire_type_str(qtype, tbuf, sizeof(tbuf));
	plen = (size_t)snprintf(
	        rule, sizeof(rule), "%s %s %s",
	        actions[data[2] % (sizeof(actions) / sizeof(*actions))], name,
	        data[2] >= 128 ? "*" : tbuf);
	if (plen >= sizeof(rule) - REST_MAX - 2) {
		abort(); /* the buffer holds any name */
	}
	rule[plen] = ' ';
	memcpy(rule + plen + 1, rest, nrest + 1);
	if (fault_rule_parse(rule, &r, NULL, 0) != 0) {
		rule[plen] = '\0'; /* without the options */
		(void)fault_rule_parse(rule, &r, NULL, 0);
	}
	res.rule = r;
	if (nl > 1) {
		name[nl - 1] = '.';
	}
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons((uint16_t)res.id);
	memset(&sin6.sin6_addr, data[6], sizeof(sin6.sin6_addr));
	check_line(&res, (const struct sockaddr *)&sin6,
	           res.has_question ? name : NULL);
	fault_rule_free(r);

	/* Any octets as a fault text: cut if need be, but JSON. */
	f.client = (const struct sockaddr *)&sin6;
	f.rcode = -1;
	f.fault = rest;
	f.dropped = true;
	f.drop = res.drop;
	obj = check_json(line, log_fields_format(line, sizeof(line), &f));
	json_decref(obj);
	return 0;
}
