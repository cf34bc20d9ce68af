/*
 * responder/control_json.c -- a JSON body as Go's encoding/json reads it,
 * for pebble-challtestsrv's endpoints.
 *
 * Go takes any valid JSON and ignores what no field names; jansson stops
 * at valid JSON it cannot hold: integers beyond 64 bits, reals beyond a
 * double, lone UTF-16 surrogates in escapes; and Go turns each byte of
 * invalid UTF-8 in a string into U+FFFD where jansson refuses the body.
 * ctl_json_go() rewrites exactly those into JSON jansson takes, with the
 * same meaning for challtestsrv's fields: a number out of range is still
 * a number (1e300, so a field that wants a string or a small integer
 * still refuses it), a bad code point is U+FFFD.  Everything else is
 * copied as it is, so a body that is not JSON stays not JSON.  A \u0000
 * is read too (JSON_ALLOW_NUL); a field that holds one is refused
 * (ctl_json_string()).  Going out, ctl_json_utf8_fix() does what Go's
 * encoder does with a string that is not UTF-8: each bad octet becomes
 * U+FFFD.
 */
#include "control_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CTL_JSON_FFFD "\xef\xbf\xbd" /* U+FFFD in UTF-8 */

/* The value of 4 hex digits at P (which has at least 4), or -1. */
static long
ctl_json_hex4(const char *p)
{
	long v = 0;

	for (int i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9') {
			v |= c - '0';
		} else if (c >= 'a' && c <= 'f') {
			v |= c - 'a' + 10;
		} else if (c >= 'A' && c <= 'F') {
			v |= c - 'A' + 10;
		} else {
			return -1;
		}
	}
	return v;
}

/*
 * Octets of the valid UTF-8 sequence at P (N octets left), or 0 when it is
 * not one (RFC 3629 4: no overlong forms, no surrogates, at most U+10FFFF).
 */
static size_t
ctl_json_utf8(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len;
	unsigned long cp;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len) {
		return 0;
	}
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			return 0;
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) {
		return 0;
	}
	return len;
}

/*
 * The string whose opening quote is IN[*I - 1], copied to OUT at *K up to
 * and including its closing quote (or the end of IN).
 */
static void
ctl_json_string_go(const char *in, size_t len, size_t *i, char *out,
                   size_t *k)
{
	while (*i < len) {
		unsigned char c = (unsigned char)in[*i];
		size_t n;

		if (c == '"') {
			out[(*k)++] = in[(*i)++];
			return;
		}
		if (c == '\\' && len - *i >= 6 && in[*i + 1] == 'u') {
			long u = ctl_json_hex4(in + *i + 2);
			long lo = len - *i >= 12 && in[*i + 6] == '\\' &&
			                          in[*i + 7] == 'u'
			                  ? ctl_json_hex4(in + *i + 8)
			                  : -1;

			if (u >= 0xd800 && u <= 0xdbff && lo >= 0xdc00 &&
			    lo <= 0xdfff) {
				memcpy(out + *k, in + *i, 12); /* a pair */
				*k += 12;
				*i += 12;
			} else if (u >= 0xd800 && u <= 0xdfff) {
				memcpy(out + *k, "\\ufffd", 6); /* alone */
				*k += 6;
				*i += 6;
			} else {
				memcpy(out + *k, in + *i, 6);
				*k += 6;
				*i += 6;
			}
			continue;
		}
		if (c == '\\') {
			n = len - *i >= 2 ? 2 : 1; /* the escaped one too */
		} else if (c < 0x80) {
			n = 1;
		} else {
			n = ctl_json_utf8((const unsigned char *)in + *i,
			                  len - *i);
		}
		if (n == 0) {
			memcpy(out + *k, CTL_JSON_FFFD, 3);
			*k += 3;
			(*i)++;
			continue;
		}
		memcpy(out + *k, in + *i, n);
		*k += n;
		*i += n;
	}
}

/* Is S a JSON number (RFC 8259 6), and has it a fraction or exponent? */
static bool
ctl_json_number_ok(const char *s, bool *real)
{
	*real = false;
	if (*s == '-') {
		s++;
	}
	if (*s == '0') {
		s++;
	} else if (*s >= '1' && *s <= '9') {
		s += strspn(s, "0123456789");
	} else {
		return false;
	}
	if (*s == '.') {
		*real = true;
		if (strspn(s + 1, "0123456789") == 0) {
			return false;
		}
		s += 1 + strspn(s + 1, "0123456789");
	}
	if (*s == 'e' || *s == 'E') {
		*real = true;
		s += s[1] == '+' || s[1] == '-' ? 2 : 1;
		if (strspn(s, "0123456789") == 0) {
			return false;
		}
		s += strspn(s, "0123456789");
	}
	return *s == '\0';
}

/*
 * The number (or what looks like one) at IN[*I], copied to OUT at *K, or
 * 1e300 with its sign when it is one jansson could not hold.
 */
static void
ctl_json_number_go(const char *in, size_t len, size_t *i, char *out,
                   size_t *k)
{
	size_t start = *i, n;
	bool real = false, huge;
	char *tok = out + *k;

	while (*i < len && in[*i] != '\0' &&
	       strchr("+-0123456789.eE", in[*i]) != NULL) {
		(*i)++;
	}
	n = *i - start;
	memcpy(tok, in + start, n);
	tok[n] = '\0'; /* OUT has room: see ctl_json_go() */
	if (!ctl_json_number_ok(tok, &real)) {
		*k += n; /* not JSON: jansson says so */
		return;
	}
	errno = 0;
	if (real) {
		(void)strtod(tok, NULL);
		/* Underflow is 0 to jansson too; only overflow fails. */
		huge = errno == ERANGE && strtod(tok, NULL) != 0.0;
	} else {
		(void)strtoll(tok, NULL, 10);
		huge = errno == ERANGE;
	}
	if (!huge) {
		*k += n;
		return;
	}
	n = tok[0] == '-' ? 6 : 5;
	memcpy(tok, "-1e300" + 6 - n, n);
	*k += n;
}

char *
ctl_json_go(const char *in, size_t len, size_t *outlen)
{
	/* Each octet grows to 3 at most (U+FFFD); a number only shrinks,
	 * or becomes 1e300 from at least 5 octets; and a NUL after it. */
	char *out = malloc(len * 3 + 8);
	size_t i = 0, k = 0;

	if (out == NULL) {
		return NULL;
	}
	while (i < len) {
		char c = in[i];

		if (c == '"') {
			out[k++] = in[i++];
			ctl_json_string_go(in, len, &i, out, &k);
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			ctl_json_number_go(in, len, &i, out, &k);
		} else {
			out[k++] = in[i++];
		}
	}
	*outlen = k;
	return out;
}

char *
ctl_json_utf8_fix(const char *s, size_t len)
{
	char *out = malloc(len * 3 + 1);
	size_t i = 0, k = 0;

	if (out == NULL) {
		return NULL;
	}
	while (i < len) {
		size_t n = 1;

		if ((unsigned char)s[i] >= 0x80) {
			n = ctl_json_utf8((const unsigned char *)s + i,
			                  len - i);
		}
		if (n == 0) {
			memcpy(out + k, CTL_JSON_FFFD, 3);
			k += 3;
			i++;
			continue;
		}
		memcpy(out + k, s + i, n);
		k += n;
		i += n;
	}
	out[k] = '\0';
	return out;
}
