/*
 * probe/caa/text.c -- names, messages, escaping and the warning list.
 */
#include "caa.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "caa_int.h"

const char *
caa_strerror(enum caa_status status)
{
	switch (status) {
	case CAA_OK:
		return "success";
	case CAA_ERR_ARG:
		return "invalid argument";
	case CAA_ERR_RDATA_SHORT:
		return "CAA RDATA shorter than flags and tag length";
	case CAA_ERR_RDATA_TAG_EMPTY:
		return "CAA tag length is 0";
	case CAA_ERR_RDATA_TAG_TRUNC:
		return "CAA tag runs past the end of the RDATA";
	case CAA_ERR_RDATA_LONG:
		return "CAA RDATA longer than 65535 octets";
	case CAA_ERR_TAG_LENGTH:
		return "CAA tag must be 1 to 255 octets";
	case CAA_ERR_ISSUE_SYNTAX:
		return "issue value does not match the RFC 8659 grammar";
	/* Boulder policy/pa.go, word for word. */
	case CAA_ERR_NAME_EMPTY:
		return "Identifier value (name) is empty";
	case CAA_ERR_NAME_LABEL_EMPTY:
		return "Domain name can not have two dots in a row";
	case CAA_ERR_NAME_LABEL_LONG:
		return "Domain has a label (component between dots) longer "
		       "than 63 bytes";
	case CAA_ERR_NAME_LONG:
		return "Domain name is longer than 253 bytes";
	case CAA_ERR_NAME_CHAR:
		return "Domain name contains an invalid character";
	case CAA_ERR_NAME_WILDCARD:
		return "Domain name contains an invalid wildcard. A wildcard "
		       "is only permitted before the first dot in a domain "
		       "name";
	case CAA_ERR_NAME_WILDCARDS:
		return "Domain name has more than one wildcard";
	case CAA_ERR_NAME_IP:
		return "Identifier type is DNS but value is an IP address";
	case CAA_ERR_NAME_PUNYCODE:
		return "Domain name contains malformed punycode";
	case CAA_ERR_NAME_RLDH:
		return "Domain name contains an invalid label in a reserved "
		       "format (R-LDH: '?\?--')";
	case CAA_ERR_SPACE:
		return "output buffer too small";
	case CAA_ERR_NOMEM:
		return "out of memory";
	}
	return "unknown status";
}

const char *
caa_policy_name(enum caa_policy policy)
{
	return policy == CAA_POLICY_BOULDER ? "boulder" : "rfc8659";
}

enum caa_status
caa_policy_parse(const char *name, enum caa_policy *out)
{
	if (name == NULL || out == NULL) {
		return CAA_ERR_ARG;
	}
	if (strcmp(name, "rfc8659") == 0) {
		*out = CAA_POLICY_RFC8659;
	} else if (strcmp(name, "boulder") == 0) {
		*out = CAA_POLICY_BOULDER;
	} else {
		return CAA_ERR_ARG;
	}
	return CAA_OK;
}

const char *
caa_verdict_name(enum caa_verdict verdict)
{
	switch (verdict) {
	case CAA_ALLOWED:
		return "allowed";
	case CAA_DENIED:
		return "denied";
	case CAA_LOOKUP_FAILED:
		return "lookup-failed";
	case CAA_INVALID:
		return "invalid";
	}
	return "unknown";
}

const char *
caa_warn_name(enum caa_warn warn)
{
	static const char *const names[] = {
	        [CAA_WARN_POLICY_DIFFERS] = "policy-differs",
	        [CAA_WARN_CRITICAL_UNKNOWN] = "critical-unknown-tag",
	        [CAA_WARN_FLAG_BIT1] = "flag-bit-1",
	        [CAA_WARN_UNKNOWN_TAG] = "unknown-tag",
	        [CAA_WARN_TAG_CHARS] = "tag-characters",
	        [CAA_WARN_CRITICAL_IODEF] = "critical-iodef",
	        [CAA_WARN_IODEF] = "iodef-malformed",
	        [CAA_WARN_ISSUE_MALFORMED] = "issue-malformed",
	        [CAA_WARN_ISSUER_DOT] = "issuer-trailing-dot",
	        [CAA_WARN_ISSUER_CASE] = "issuer-case",
	        [CAA_WARN_PARAM_HYPHEN] = "parameter-hyphen",
	        [CAA_WARN_PARAM_CASE] = "parameter-case",
	        [CAA_WARN_ACCOUNTURI] = "accounturi-unsatisfiable",
	        [CAA_WARN_METHODS] = "validationmethods-unsatisfiable",
	        [CAA_WARN_METHOD_UNKNOWN] = "validationmethod-unknown",
	        [CAA_WARN_PARAM_UNCHECKED] = "parameter-unchecked",
	        [CAA_WARN_LOOKUP_ABOVE] = "lookup-error-above",
	        [CAA_WARN_CNAME_AND_CAA] = "cname-and-caa",
	        [CAA_WARN_OUTSIDE_CHAIN] = "caa-outside-chain",
	};

	if ((size_t)warn >= sizeof(names) / sizeof(names[0]) ||
	    names[warn] == NULL) {
		return "unknown";
	}
	return names[warn];
}

char
caa_lower(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return (char)(c - 'A' + 'a');
	}
	return c;
}

bool
caa_is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

bool
caa_mem_eq_nocase(const void *a, size_t alen, const void *b, size_t blen)
{
	const char *x = a;
	const char *y = b;

	if (alen != blen) {
		return false;
	}
	for (size_t i = 0; i < alen; i++) {
		if (caa_lower(x[i]) != caa_lower(y[i])) {
			return false;
		}
	}
	return true;
}

size_t
caa_escape(const uint8_t *in, size_t len, char *out, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && in != NULL; i++) {
		char buf[5];
		size_t blen;
		uint8_t c = in[i];

		if (c == '"' || c == '\\') {
			buf[0] = '\\';
			buf[1] = (char)c;
			blen = 2;
		} else if (c >= 0x20 && c <= 0x7e) {
			buf[0] = (char)c;
			blen = 1;
		} else {
			/* \DDD, as DNS presentation format (RFC 1035 5.1). */
			buf[0] = '\\';
			buf[1] = (char)('0' + c / 100);
			buf[2] = (char)('0' + c / 10 % 10);
			buf[3] = (char)('0' + c % 10);
			blen = 4;
		}
		for (size_t j = 0; j < blen; j++, n++) {
			if (out != NULL && n + 1 < size) {
				out[n] = buf[j];
			}
		}
	}
	if (out != NULL && size > 0) {
		out[n < size ? n : size - 1] = '\0';
	}
	return n;
}

void
caa_quote(const uint8_t *in, size_t len, char *out, size_t size)
{
	char buf[CAA_QUOTE_MAX + 1];
	size_t n = 0;

	if (caa_escape(in, len, buf, sizeof(buf)) > CAA_QUOTE_MAX) {
		/* Too long: whole escapes only, then "...". */
		for (size_t i = 0; i < len; i++) {
			char one[5];
			size_t k = caa_escape(in + i, 1, one, sizeof(one));

			if (n + k > CAA_QUOTE_MAX - 3) {
				break;
			}
			memcpy(buf + n, one, k);
			n += k;
		}
		memcpy(buf + n, "...", 4);
	}
	(void)snprintf(out, size, "%s", buf);
}

enum caa_status
caa_format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (buf == NULL || size == 0) {
		return CAA_ERR_SPACE;
	}
	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	if (n < 0) {
		buf[0] = '\0';
		return CAA_ERR_ARG;
	}
	return (size_t)n < size ? CAA_OK : CAA_ERR_SPACE;
}

void
caa_warn_add(struct caa_warnings *w, enum caa_warn code, int candidate,
             int record, const char *fmt, ...)
{
	struct caa_warning *it;
	va_list ap;

	if (w == NULL) {
		return;
	}
	if (w->count >= CAA_WARNINGS_MAX) {
		w->lost++;
		return;
	}
	it = &w->item[w->count++];
	it->code = code;
	it->candidate = candidate;
	it->record = record;
	va_start(ap, fmt);
	(void)vsnprintf(it->message, sizeof(it->message), fmt, ap);
	va_end(ap);
}

void
caa_warn_prepend(struct caa_warnings *w, enum caa_warn code, int candidate,
                 int record, const char *message)
{
	size_t keep = w->count;

	if (keep >= CAA_WARNINGS_MAX) {
		keep = CAA_WARNINGS_MAX - 1; /* the last one makes room */
		w->lost++;
	}
	memmove(&w->item[1], &w->item[0], keep * sizeof(w->item[0]));
	w->count = keep + 1;
	w->item[0].code = code;
	w->item[0].candidate = candidate;
	w->item[0].record = record;
	(void)snprintf(w->item[0].message, sizeof(w->item[0].message), "%s",
	               message);
}

void
caa_warn_differs(struct caa_warnings *w, enum caa_policy alt,
                 const struct caa_result *other, int candidate, int record)
{
	char msg[CAA_WARNING_LEN];
	int head;
	size_t room;
	size_t len = strlen(other->reason);

	head = snprintf(msg, sizeof(msg),
	                "%s: under %s the verdict would be %s (",
	                alt == CAA_POLICY_BOULDER ? CAA_DIFFERS_BOULDER
	                                          : CAA_DIFFERS_RFC8659,
	                caa_policy_name(alt), caa_verdict_name(other->verdict));
	if (head < 0 || (size_t)head >= sizeof(msg)) {
		return; /* the words are short: it cannot happen */
	}
	room = sizeof(msg) - (size_t)head - 2; /* ")" and the NUL */
	if (len > room) {
		(void)snprintf(msg + head, sizeof(msg) - (size_t)head,
		               "%.*s...)", (int)(room - 3), other->reason);
	} else {
		(void)snprintf(msg + head, sizeof(msg) - (size_t)head, "%s)",
		               other->reason);
	}
	caa_warn_prepend(w, CAA_WARN_POLICY_DIFFERS, candidate, record, msg);
}

void
caa_warn_merge(struct caa_warnings *to, const struct caa_warnings *from)
{
	for (size_t i = 0; i < from->count; i++) {
		if (to->count >= CAA_WARNINGS_MAX) {
			to->lost++;
			continue;
		}
		to->item[to->count++] = from->item[i];
	}
	to->lost += from->lost;
}

bool
caa_warn_has(const struct caa_warnings *w, enum caa_warn code)
{
	for (size_t i = 0; i < w->count; i++) {
		if (w->item[i].code == code) {
			return true;
		}
	}
	return false;
}
