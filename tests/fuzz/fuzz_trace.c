/*
 * tests/fuzz/fuzz_trace.c -- what --trace reads beyond the lookups' own
 * parser: a nameserver's reply as trace_reply_read() takes it (then the
 * majority rule and a name's report with it, trace_write_report(): its
 * JSON object must parse, the trace its key "trace"), and the resolver's
 * answers to NS, A and AAAA questions (trace_ns_read(),
 * trace_addresses_read()).
 *
 *   +0  mode: 0 a reply to "CAA? a.test" with ID 0x1234 (the ID and QR
 *          are set over the input's, so most inputs reach the records);
 *          1 an answer to "NS? a.test"; 2 to "A? ns.a.test";
 *          3 to "AAAA? ns.a.test" (ldns parses these, as the resolver's
 *          answers are read)
 *  +1  the message
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>

#include <jansson.h>
#include <ldns/ldns.h>

#include "check.h"
#include "reply.h"
#include "report.h"
#include "trace.h"
#include "trace_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QID 0x1234

static FILE *
sink(void)
{
	static FILE *f;

	if (f == NULL) {
		f = fopen("/dev/null", "w");
	}
	return f;
}

/*
 * The report of a.test with the trace T, as --trace writes it: the JSON
 * object must parse and hold T as its key "trace"; the text goes to the
 * sink.
 */
static void
report_out(const struct trace *t)
{
	static struct check chk;
	static const struct report_opts json = {.format = REPORT_JSON,
	                                        .ca = "ca.test",
	                                        .policy = CAA_POLICY_RFC8659};
	static const struct report_opts text = {.format = REPORT_TEXT,
	                                        .ca = "ca.test",
	                                        .policy = CAA_POLICY_RFC8659};
	char *out = NULL;
	size_t len = 0;
	FILE *mem;
	json_t *obj;
	json_error_t err;

	if (chk.cands.count == 0) {
		if (caa_candidates_build("a.test", &chk.cands) != CAA_OK) {
			abort();
		}
		strcpy(chk.name, "a.test");
		chk.result.candidate = -1;
		chk.result.record = -1;
	}
	mem = open_memstream(&out, &len);
	if (mem == NULL) {
		return;
	}
	trace_write_report(mem, &json, &chk, t);
	if (fclose(mem) != 0) {
		free(out);
		return;
	}
	obj = json_loadb(out, len, 0, &err);
	if (obj == NULL ||
	    json_array_size(json_object_get(obj, "trace")) != t->nnames) {
		abort();
	}
	json_decref(obj);
	free(out);
	if (sink() != NULL) {
		trace_write_report(sink(), &text, &chk, t);
	}
}

static void
caa_reply(const uint8_t *data, size_t size)
{
	uint8_t qname[REPLY_NAME_MAX];
	size_t qlen = reply_name_from_text("a.test", qname);
	uint8_t *msg = malloc(size > 0 ? size : 1);
	struct trace t = {0};
	struct trace_name *tn;
	bool tc = false;

	if (msg == NULL) {
		return;
	}
	memcpy(msg, data, size);
	if (size >= 3) {
		msg[0] = QID >> 8;
		msg[1] = QID & 0xff;
		msg[2] |= 0x80;
	}
	t.names = calloc(1, sizeof(*t.names));
	if (t.names == NULL) {
		free(msg);
		return;
	}
	t.nnames = 1;
	tn = &t.names[0];
	strcpy(tn->name, "a.test");
	strcpy(tn->zone, "a.test");
	tn->answers = calloc(2, sizeof(*tn->answers));
	if (tn->answers != NULL) {
		tn->nanswers = 2;
		for (size_t i = 0; i < 2; i++) {
			tn->answers[i].family = 4;
			tn->answers[i].addr.ss_family = AF_INET;
			tn->answers[i].addrlen = sizeof(struct sockaddr_in);
			tn->answers[i].rcode = -1;
			tn->answers[i].error = TRACE_TIMEOUT;
		}
		if (trace_reply_read(&tn->answers[0], msg, size, QID, qname,
		                     qlen, &tc)) {
			/* The same reply twice must agree with itself. */
			(void)trace_reply_read(&tn->answers[1], msg, size, QID,
			                       qname, qlen, &tc);
			if (!trace_agree(&tn->answers[0], &tn->answers[1])) {
				abort();
			}
		}
		trace_mark(tn->answers, 2);
	}
	report_out(&t);
	trace_clear(&t);
	free(msg);
}

static void
resolver_answer(int mode, const uint8_t *data, size_t size)
{
	ldns_pkt *pkt = NULL;

	if (ldns_wire2pkt(&pkt, data, size) != LDNS_STATUS_OK) {
		return;
	}
	if (mode == 1) {
		char ns[TRACE_NS_MAX][TRACE_NAME_TEXT];
		char why[64];
		size_t nns = 0;

		if (trace_ns_read(pkt, "a.test", ns, &nns, why, sizeof(why)) ==
		            1 &&
		    (nns == 0 || nns > TRACE_NS_MAX)) {
			abort();
		}
	} else {
		struct trace_answer out[2 * TRACE_ADDR_MAX];
		size_t n = 0;

		trace_addresses_read(pkt, "ns.a.test", 53, mode == 2 ? 1 : 28,
		                     out, &n, 2 * TRACE_ADDR_MAX);
		if (n > TRACE_ADDR_MAX) {
			abort();
		}
	}
	ldns_pkt_free(pkt);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1) {
		return 0;
	}
	if (data[0] % 4 == 0) {
		caa_reply(data + 1, size - 1);
	} else {
		resolver_answer(data[0] % 4, data + 1, size - 1);
	}
	return 0;
}
