/*
 * probe/trace_report.c -- --trace in the report: text for people, JSON.
 */
#include "trace.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>

#include "caa.h"
#include "report.h"

/* The address of A without its port, into BUF. */
static void
trace_address(const struct trace_answer *a, char *buf, size_t size)
{
	if (a->family == 0 ||
	    getnameinfo((const struct sockaddr *)&a->addr, a->addrlen, buf,
	                (socklen_t)size, NULL, 0, NI_NUMERICHOST) != 0) {
		(void)snprintf(buf, size, "-");
	}
}

/* The RCODE of A, or its error, for people. */
static void
trace_status(const struct trace_answer *a, char *buf, size_t size)
{
	const char *name = caa_rcode_name(a->rcode);

	if (a->error != TRACE_OK && a->error != TRACE_BAD_RDATA) {
		(void)snprintf(buf, size, "%s", trace_error_text(a->error));
	} else if (name != NULL) {
		(void)snprintf(buf, size, "%s", name);
	} else {
		(void)snprintf(buf, size, "RCODE%d", a->rcode);
	}
}

/* Writes IN[0..LEN) escaped (caa_escape()) to F, as text or JSON. */
static void
trace_escaped(FILE *f, const uint8_t *in, size_t len, bool json)
{
	size_t need = caa_escape(in, len, NULL, 0) + 1;
	char *buf = malloc(need);

	if (buf == NULL) {
		fputs(json ? "\"\"" : "?", f);
		return;
	}
	(void)caa_escape(in, len, buf, need);
	if (json) {
		report_json_string(f, buf, need - 1);
	} else {
		fputs(buf, f);
	}
	free(buf);
}

void
trace_write_text(FILE *f, const struct trace *t)
{
	fputs("  trace:\n", f);
	for (size_t i = 0; i < t->nnames; i++) {
		const struct trace_name *tn = &t->names[i];

		if (tn->zone[0] == '\0') {
			fprintf(f, "    %s  no zone (%s)\n", tn->name,
			        tn->error != NULL ? tn->error : "?");
			continue;
		}
		fprintf(f, "    %s  zone %s\n", tn->name, tn->zone);
		for (size_t j = 0; j < tn->nanswers; j++) {
			const struct trace_answer *a = &tn->answers[j];
			char addr[NI_MAXHOST];
			char status[32];
			char counts[48];

			trace_address(a, addr, sizeof(addr));
			trace_status(a, status, sizeof(status));
			counts[0] = '\0';
			if (a->error == TRACE_OK ||
			    a->error == TRACE_BAD_RDATA) {
				(void)snprintf(counts, sizeof(counts),
				               "%s %zu record%s",
				               a->aa ? "aa" : "  ", a->nrecords,
				               a->nrecords == 1 ? "" : "s");
			}
			fprintf(f, "      %-20s %-24s %-9s %-14s", a->ns, addr,
			        status, counts);
			if (a->family != 0) {
				fprintf(f, " %7.1f ms", a->ms);
			}
			if (a->disagrees && a->family != 0) {
				fprintf(f, "  <- disagrees (IPv%d)", a->family);
			} else if (a->disagrees) {
				fputs("  <- disagrees", f);
			}
			putc('\n', f);
			for (size_t k = 0; k < a->nrecords; k++) {
				struct caa_record rec;

				if (caa_record_parse(a->rdata[k], a->rdlen[k],
				                     &rec) != CAA_OK) {
					continue;
				}
				fprintf(f, "        %u ", (unsigned)rec.flags);
				trace_escaped(f, rec.tag, rec.tag_len, false);
				fputs(" \"", f);
				trace_escaped(f, rec.value, rec.value_len,
				              false);
				fputs("\"\n", f);
			}
		}
	}
}

static void
trace_json_answer(FILE *f, const struct trace_answer *a)
{
	char addr[NI_MAXHOST];
	const char *err = trace_error_text(a->error);
	const char *rn = caa_rcode_name(a->rcode);
	bool reply = a->error == TRACE_OK || a->error == TRACE_BAD_RDATA;

	trace_address(a, addr, sizeof(addr));
	fputs("{\"ns\":", f);
	report_json_string(f, a->ns, strlen(a->ns));
	fputs(",\"address\":", f);
	if (a->family == 0) {
		fputs("null,\"family\":null", f);
	} else {
		report_json_string(f, addr, strlen(addr));
		fprintf(f, ",\"family\":%d", a->family);
	}
	fputs(",\"rcode\":", f);
	if (!reply || a->rcode < 0) {
		fputs("null", f);
	} else if (rn != NULL) {
		fprintf(f, "\"%s\"", rn);
	} else {
		fprintf(f, "\"RCODE%d\"", a->rcode);
	}
	fprintf(f, ",\"aa\":%s,\"records\":[",
	        reply && a->aa ? "true" : "false");
	for (size_t k = 0, written = 0; k < a->nrecords; k++) {
		struct caa_record rec;

		if (caa_record_parse(a->rdata[k], a->rdlen[k], &rec) !=
		    CAA_OK) {
			continue;
		}
		fprintf(f, "%s{\"flags\":%u,\"tag\":", written++ > 0 ? "," : "",
		        (unsigned)rec.flags);
		trace_escaped(f, rec.tag, rec.tag_len, true);
		fputs(",\"value\":", f);
		trace_escaped(f, rec.value, rec.value_len, true);
		putc('}', f);
	}
	fputs("],\"ms\":", f);
	if (a->family == 0) {
		fputs("null", f);
	} else {
		fprintf(f, "%.1f", a->ms);
	}
	fputs(",\"error\":", f);
	if (err != NULL) {
		report_json_string(f, err, strlen(err));
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\"disagrees\":%s}", a->disagrees ? "true" : "false");
}

void
trace_write_json(FILE *f, const struct trace *t)
{
	putc('[', f);
	for (size_t i = 0; i < t->nnames; i++) {
		const struct trace_name *tn = &t->names[i];

		fputs(i > 0 ? ",{\"name\":" : "{\"name\":", f);
		report_json_string(f, tn->name, strlen(tn->name));
		fputs(",\"zone\":", f);
		if (tn->zone[0] != '\0') {
			report_json_string(f, tn->zone, strlen(tn->zone));
		} else {
			fputs("null", f);
		}
		fputs(",\"error\":", f);
		if (tn->error != NULL) {
			report_json_string(f, tn->error, strlen(tn->error));
		} else {
			fputs("null", f);
		}
		fputs(",\"servers\":[", f);
		for (size_t j = 0; j < tn->nanswers; j++) {
			if (j > 0) {
				putc(',', f);
			}
			trace_json_answer(f, &tn->answers[j]);
		}
		fputs("]}", f);
	}
	putc(']', f);
}

/* The key "trace" of a name's JSON object (report_check_keys()). */
static void
trace_json_key(const void *arg, FILE *f, const struct check *chk)
{
	(void)chk;
	fputs(",\"trace\":", f);
	trace_write_json(f, arg);
}

void
trace_write_report(FILE *f, const struct report_opts *o,
                   const struct check *chk, const struct trace *t)
{
	switch (o->format) {
	case REPORT_TEXT:
	case REPORT_BRIEF:
		report_check(f, o, chk);
		trace_write_text(f, t);
		break;
	case REPORT_JSON:
	case REPORT_JSONL:
		report_check_keys(f, o, chk, trace_json_key, t);
		break;
	}
}
