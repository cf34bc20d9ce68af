/*
 * probe/caa/ident.c -- identifiers a CA accepts: syntax, IDNA, Punycode.
 *
 * Boulder checks a DNS identifier (policy/pa.go ValidDomain) before it
 * looks up any CAA record; caa_ident_check() refuses the same names with
 * the same words, maps Unicode names to A-labels with libidn2 and checks
 * xn-- labels with the Punycode of RFC 3492, written out below.
 */
#include "caa.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "caa_int.h"

#define IDENT_LABEL_MAX 63
#define IDENT_MAP_MAX   (4 * CAA_IDENT_INPUT_MAX) /* A-labels of the input */
#define IDENT_CPS_MAX   IDENT_LABEL_MAX           /* code points of a label */

/* ------------------------------------------------------------------ */
/* Punycode (RFC 3492 sections 5 and 6)                                */
/* ------------------------------------------------------------------ */

enum {
	PUNY_BASE = 36,
	PUNY_TMIN = 1,
	PUNY_TMAX = 26,
	PUNY_SKEW = 38,
	PUNY_DAMP = 700,
	PUNY_BIAS = 72,
	PUNY_N = 128,
};

#define PUNY_MAXINT 0xffffffffu

/* Section 6.1. */
static uint32_t
puny_adapt(uint32_t delta, uint32_t numpoints, bool first)
{
	uint32_t k = 0;

	delta = first ? delta / PUNY_DAMP : delta / 2;
	delta += delta / numpoints;
	while (delta > ((PUNY_BASE - PUNY_TMIN) * PUNY_TMAX) / 2) {
		delta /= PUNY_BASE - PUNY_TMIN;
		k += PUNY_BASE;
	}
	return k + (PUNY_BASE - PUNY_TMIN + 1) * delta / (delta + PUNY_SKEW);
}

static uint32_t
puny_t(uint32_t k, uint32_t bias)
{
	if (k <= bias) {
		return PUNY_TMIN;
	}
	return k >= bias + PUNY_TMAX ? PUNY_TMAX : k - bias;
}

/* A digit's value, or PUNY_BASE for a character that is none. */
static uint32_t
puny_digit_value(char c)
{
	if (c >= 'a' && c <= 'z') {
		return (uint32_t)(c - 'a');
	}
	if (c >= 'A' && c <= 'Z') {
		return (uint32_t)(c - 'A');
	}
	if (c >= '0' && c <= '9') {
		return (uint32_t)(c - '0') + 26;
	}
	return PUNY_BASE;
}

static char
puny_digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/*
 * Section 6.2: decodes IN[0..LEN) into OUT (at most MAX code points).
 * Returns the count, or -1: a character that is no digit, a truncated
 * number, an overflow, too many code points, or a code point that is no
 * Unicode scalar value (a surrogate, or past U+10FFFF).
 */
static int
puny_decode(const char *in, size_t len, uint32_t *out, size_t max)
{
	const char *dash = NULL;
	size_t pos = 0;
	size_t count = 0;
	uint32_t n = PUNY_N;
	uint32_t i = 0;
	uint32_t bias = PUNY_BIAS;

	for (size_t j = 0; j < len; j++) {
		if (in[j] == '-') {
			dash = in + j;
		}
	}
	if (dash != NULL && dash > in) {
		count = (size_t)(dash - in);
		if (count > max) {
			return -1;
		}
		for (size_t j = 0; j < count; j++) {
			out[j] = (unsigned char)in[j];
		}
		pos = count + 1;
	}
	while (pos < len) {
		uint32_t oldi = i;
		uint32_t w = 1;

		for (uint32_t k = PUNY_BASE;; k += PUNY_BASE) {
			uint32_t digit;
			uint32_t t;

			if (pos >= len) {
				return -1;
			}
			digit = puny_digit_value(in[pos++]);
			if (digit >= PUNY_BASE ||
			    digit > (PUNY_MAXINT - i) / w) {
				return -1;
			}
			i += digit * w;
			t = puny_t(k, bias);
			if (digit < t) {
				break;
			}
			if (w > PUNY_MAXINT / (PUNY_BASE - t)) {
				return -1;
			}
			w *= PUNY_BASE - t;
		}
		bias = puny_adapt(i - oldi, (uint32_t)count + 1, oldi == 0);
		if (i / (count + 1) > PUNY_MAXINT - n) {
			return -1;
		}
		n += i / (uint32_t)(count + 1);
		i %= (uint32_t)(count + 1);
		if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) ||
		    count >= max) {
			return -1;
		}
		memmove(out + i + 1, out + i, (count - i) * sizeof(*out));
		out[i++] = n;
		count++;
	}
	return (int)count;
}

/*
 * Section 6.3: encodes CPS[0..COUNT) into OUT[0..SIZE), NUL-terminated.
 * Returns false on overflow or when OUT is too small.
 */
static bool
puny_encode(const uint32_t *cps, size_t count, char *out, size_t size)
{
	size_t len = 0;
	size_t h;
	size_t b = 0;
	uint32_t n = PUNY_N;
	uint32_t delta = 0;
	uint32_t bias = PUNY_BIAS;

	for (size_t j = 0; j < count; j++) {
		if (cps[j] < 0x80) {
			if (len + 1 >= size) {
				return false;
			}
			out[len++] = (char)cps[j];
			b++;
		}
	}
	h = b;
	if (b > 0) {
		if (len + 1 >= size) {
			return false;
		}
		out[len++] = '-';
	}
	while (h < count) {
		uint32_t m = PUNY_MAXINT;

		for (size_t j = 0; j < count; j++) {
			if (cps[j] >= n && cps[j] < m) {
				m = cps[j];
			}
		}
		if (m - n > (PUNY_MAXINT - delta) / (h + 1)) {
			return false;
		}
		delta += (m - n) * (uint32_t)(h + 1);
		n = m;
		for (size_t j = 0; j < count; j++) {
			uint32_t q = delta;

			if (cps[j] < n && ++delta == 0) {
				return false;
			}
			if (cps[j] != n) {
				continue;
			}
			for (uint32_t k = PUNY_BASE;; k += PUNY_BASE) {
				uint32_t t = puny_t(k, bias);

				if (q < t) {
					break;
				}
				if (len + 1 >= size) {
					return false;
				}
				out[len++] = puny_digit(
				        t + (q - t) % (PUNY_BASE - t));
				q = (q - t) / (PUNY_BASE - t);
			}
			if (len + 1 >= size) {
				return false;
			}
			out[len++] = puny_digit(q);
			bias = puny_adapt(delta, (uint32_t)h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		n++;
	}
	out[len] = '\0';
	return true;
}

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */
/* ------------------------------------------------------------------ */

/* The code point at S[0..LEN) into *CP; its length, 0 if not UTF-8
 * (RFC 3629: no overlong forms, no surrogates, at most U+10FFFF). */
static size_t
ident_utf8(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80;
	unsigned char hi = 0xbf;
	size_t n;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1fu;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0fu;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07u;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (len < n || s[1] < lo || s[1] > hi) {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		if (i > 1 && (s[i] < 0x80 || s[i] > 0xbf)) {
			return 0;
		}
		v = v << 6 | (s[i] & 0x3fu);
	}
	*cp = v;
	return n;
}

/* Appends CP as UTF-8 to OUT[*LEN..SIZE); false when it does not fit. */
static bool
ident_utf8_put(uint32_t cp, char *out, size_t size, size_t *len)
{
	unsigned char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (unsigned char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xc0 | cp >> 6);
		b[1] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xe0 | cp >> 12);
		b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (unsigned char)(0xf0 | cp >> 18);
		b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (unsigned char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (*len + n >= size) {
		return false;
	}
	memcpy(out + *len, b, n);
	*len += n;
	return true;
}

/*
 * Default_Ignorable_Code_Point (Unicode DerivedCoreProperties): invisible
 * characters that UTS #46 drops or refuses.  Boulder refuses every byte
 * outside LDH; a name that would silently lose them is refused here too.
 */
static bool
ident_ignorable(uint32_t cp)
{
	static const uint32_t ranges[][2] = {
	        {0x00ad, 0x00ad},   {0x034f, 0x034f},   {0x061c, 0x061c},
	        {0x115f, 0x1160},   {0x17b4, 0x17b5},   {0x180b, 0x180f},
	        {0x200b, 0x200f},   {0x202a, 0x202e},   {0x2060, 0x206f},
	        {0x3164, 0x3164},   {0xfe00, 0xfe0f},   {0xfeff, 0xfeff},
	        {0xffa0, 0xffa0},   {0xfff0, 0xfff8},   {0x1bca0, 0x1bca3},
	        {0x1d173, 0x1d17a}, {0xe0000, 0xe0fff},
	};

	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		if (cp >= ranges[i][0] && cp <= ranges[i][1]) {
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Unicode names to A-labels (libidn2)                                 */
/* ------------------------------------------------------------------ */

/* UTS #46 label separators: "." and its ideographic and fullwidth forms
 * (U+3002, U+FF0E, U+FF61). */
static bool
ident_is_dot(uint32_t cp)
{
	return cp == '.' || cp == 0x3002 || cp == 0xff0e || cp == 0xff61;
}

static enum caa_status
ident_idn2_status(int rc)
{
	switch (rc) {
	case IDN2_MALLOC:
		return CAA_ERR_NOMEM;
	case IDN2_TOO_BIG_LABEL:
	case IDN2_PUNYCODE_BIG_OUTPUT: /* the A-label is over 63 octets */
		return CAA_ERR_NAME_LABEL_LONG;
	case IDN2_TOO_BIG_DOMAIN:
		return CAA_ERR_NAME_LONG;
	case IDN2_PUNYCODE_BAD_INPUT:
	case IDN2_PUNYCODE_OVERFLOW:
	case IDN2_INVALID_ALABEL:
	case IDN2_UALABEL_MISMATCH:
	case IDN2_NOT_NFC:
	case IDN2_ALABEL_ROUNDTRIP_FAILED:
		return CAA_ERR_NAME_PUNYCODE;
	default:
		break;
	}
	return CAA_ERR_NAME_CHAR; /* disallowed, bidi, joiners, hyphens */
}

/* Appends LABEL[0..LEN) to OUT[*OLEN..SIZE) as an A-label: lower-cased
 * when ASCII, else mapped by libidn2. */
static enum caa_status
ident_map_label(const char *label, size_t len, bool ascii, char *out,
                size_t size, size_t *olen)
{
	char in[CAA_IDENT_INPUT_MAX + 1];
	char *mapped = NULL;
	size_t mlen;
	int rc;

	if (ascii) {
		if (*olen + len >= size) {
			return CAA_ERR_NAME_LONG;
		}
		for (size_t i = 0; i < len; i++) {
			out[(*olen)++] = caa_lower(label[i]);
		}
		return CAA_OK;
	}
	memcpy(in, label, len);
	in[len] = '\0';
	/* Not IDN2_USE_STD3_ASCII_RULES: libidn2 2.3 drops what those rules
	 * disallow instead of refusing it.  ASCII was checked before. */
	rc = idn2_to_ascii_8z(in, &mapped,
	                      IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
	if (rc != IDN2_OK) {
		return ident_idn2_status(rc);
	}
	mlen = strlen(mapped);
	if (*olen + mlen >= size) {
		idn2_free(mapped);
		return CAA_ERR_NAME_LONG;
	}
	memcpy(out + *olen, mapped, mlen);
	*olen += mlen;
	idn2_free(mapped);
	return CAA_OK;
}

/*
 * A name with non-ASCII characters to A-labels in OUT[0..SIZE), label by
 * label (an A-label already there is judged as Boulder judges it, later).
 * ASCII other than letters, digits, "-", "*" and "." is refused here, as
 * are bytes that are not UTF-8 and invisible characters.
 */
static enum caa_status
ident_map(const char *s, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s);
	size_t olen = 0;
	size_t start = 0;
	bool ascii = true;

	for (size_t i = 0; i <= len;) {
		uint32_t cp = '.';
		size_t n = 1;
		enum caa_status st;

		if (i < len) {
			n = ident_utf8(p + i, len - i, &cp);
			if (n == 0 || ident_ignorable(cp) ||
			    (cp < 0x80 && !caa_is_alnum((unsigned char)cp) &&
			     cp != '-' && cp != '*' && cp != '.')) {
				return CAA_ERR_NAME_CHAR;
			}
		}
		if (!ident_is_dot(cp)) {
			ascii = ascii && cp < 0x80;
			i += n;
			continue;
		}
		st = ident_map_label(s + start, i - start, ascii, out, size,
		                     &olen);
		if (st != CAA_OK) {
			return st;
		}
		if (i < len) {
			if (olen + 1 >= size) {
				return CAA_ERR_NAME_LONG;
			}
			out[olen++] = '.';
		}
		i += n;
		start = i;
		ascii = true;
	}
	out[olen] = '\0';
	return CAA_OK;
}

/* ------------------------------------------------------------------ */
/* The checks                                                          */
/* ------------------------------------------------------------------ */

/* An IPv6 literal: bare, in brackets, or with a %zone. */
static bool
ident_is_ip6(const char *s)
{
	char buf[64];
	struct in6_addr a;
	size_t n = strlen(s);
	const char *pct;

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	pct = memchr(s, '%', n);
	if (pct != NULL) {
		n = (size_t)(pct - s);
	}
	if (n == 0 || n >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, &a) == 1;
}

/*
 * Is the xn-- label L[0..LEN) an A-label as Boulder reads one (idna
 * ToUnicode, then an NFC test)?  Its rest must decode as Punycode, encode
 * back to itself and decode to a string in NFC (libidn2 says which is
 * not: it tests NFC before anything else of IDNA2008, which Boulder does
 * not apply).  Fills CPS[0..*COUNT) with the decoded label.
 */
static enum caa_status
ident_alabel(const char *l, size_t len, uint32_t *cps, size_t *count)
{
	char back[IDENT_LABEL_MAX + 1];
	char label[IDENT_LABEL_MAX + 1];
	char *mapped = NULL;
	int n = puny_decode(l + 4, len - 4, cps, IDENT_CPS_MAX);
	int rc;

	if (n < 0 || !puny_encode(cps, (size_t)n, back, sizeof(back)) ||
	    strlen(back) != len - 4 || memcmp(back, l + 4, len - 4) != 0) {
		return CAA_ERR_NAME_PUNYCODE;
	}
	*count = (size_t)n;
	memcpy(label, l, len);
	label[len] = '\0';
	rc = idn2_to_ascii_8z(label, &mapped, IDN2_NONTRANSITIONAL);
	idn2_free(mapped);
	if (rc == IDN2_MALLOC) {
		return CAA_ERR_NOMEM;
	}
	return rc == IDN2_NOT_NFC ? CAA_ERR_NAME_PUNYCODE : CAA_OK;
}

/* Appends label L[0..LEN) to OUT->unicode, decoded when CPS is not NULL. */
static void
ident_unicode_put(struct caa_ident *out, size_t *ulen, const char *l,
                  size_t len, const uint32_t *cps, size_t count)
{
	size_t size = sizeof(out->unicode);

	if (*ulen > 0 && *ulen + 1 < size) {
		out->unicode[(*ulen)++] = '.';
	}
	if (cps == NULL) {
		for (size_t i = 0; i < len && *ulen + 1 < size; i++) {
			out->unicode[(*ulen)++] = l[i];
		}
	} else {
		for (size_t i = 0; i < count; i++) {
			if (!ident_utf8_put(cps[i], out->unicode, size, ulen)) {
				break;
			}
		}
	}
	out->unicode[*ulen] = '\0';
}

/* Boulder validNonWildcardDomain() on S (lower case, ASCII, no "*."),
 * a final dot allowed. */
static enum caa_status
ident_domain(char *s, struct caa_ident *out)
{
	struct in_addr a4;
	size_t len = strlen(s);
	size_t ulen = 0;
	size_t start = 0;

	if (len > 0 && s[len - 1] == '.') {
		s[--len] =
		        '\0'; /* one final dot: the name is absolute anyway */
	}
	if (len == 0) {
		return CAA_ERR_NAME_EMPTY;
	}
	for (size_t i = 0; i < len; i++) {
		if (!caa_is_alnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.') {
			return CAA_ERR_NAME_CHAR;
		}
	}
	if (len > CAA_NAME_MAX) {
		return CAA_ERR_NAME_LONG;
	}
	if (inet_pton(AF_INET, s, &a4) == 1) {
		return CAA_ERR_NAME_IP;
	}
	for (size_t i = 0; i <= len; i++) {
		const char *l = s + start;
		size_t n = i - start;
		uint32_t cps[IDENT_CPS_MAX];
		size_t count = 0;
		bool alabel = false;

		if (i < len && s[i] != '.') {
			continue;
		}
		start = i + 1;
		if (n == 0) {
			return CAA_ERR_NAME_LABEL_EMPTY;
		}
		if (n > IDENT_LABEL_MAX) {
			return CAA_ERR_NAME_LABEL_LONG;
		}
		if (l[0] == '-' || l[n - 1] == '-') {
			return CAA_ERR_NAME_CHAR;
		}
		/* RFC 5890 2.3.1: "--" third and fourth marks a reserved
		 * label; only XN-labels are allowed, and must be A-labels. */
		if (n >= 4 && l[2] == '-' && l[3] == '-') {
			enum caa_status st;

			if (l[0] != 'x' || l[1] != 'n') {
				return CAA_ERR_NAME_RLDH;
			}
			st = ident_alabel(l, n, cps, &count);
			if (st != CAA_OK) {
				return st;
			}
			alabel = true;
		}
		ident_unicode_put(out, &ulen, l, n, alabel ? cps : NULL, count);
	}
	return CAA_OK;
}

/* Boulder ValidDomain() on S (lower case, ASCII). */
static enum caa_status
ident_ascii(char *s, struct caa_ident *out)
{
	size_t stars = 0;
	enum caa_status st;

	if (s[0] == '\0') {
		return CAA_ERR_NAME_EMPTY;
	}
	/* Boulder finds ":" an invalid character first; an address is what
	 * the user meant, so say that. */
	if (ident_is_ip6(s)) {
		return CAA_ERR_NAME_IP;
	}
	for (const char *p = s; *p != '\0'; p++) {
		stars += *p == '*';
	}
	if (stars > 1) {
		return CAA_ERR_NAME_WILDCARDS;
	}
	if (stars == 1) {
		if (s[0] != '*' || s[1] != '.') {
			return CAA_ERR_NAME_WILDCARD;
		}
		out->wildcard = true;
		s += 2;
	}
	st = ident_domain(s, out);
	if (st != CAA_OK) {
		return st;
	}
	(void)snprintf(out->name, sizeof(out->name), "%s%s",
	               out->wildcard ? "*." : "", s);
	if (out->wildcard) {
		size_t ulen = strlen(out->unicode);

		if (ulen + 3 <= sizeof(out->unicode)) {
			memmove(out->unicode + 2, out->unicode, ulen + 1);
			memcpy(out->unicode, "*.", 2);
		}
	}
	return CAA_OK;
}

enum caa_status
caa_ident_check(const char *input, struct caa_ident *out)
{
	char buf[IDENT_MAP_MAX];
	enum caa_status st = CAA_OK;
	size_t len;
	bool ascii = true;

	if (out == NULL) {
		return CAA_ERR_ARG;
	}
	memset(out, 0, sizeof(*out));
	if (input == NULL) {
		return CAA_ERR_ARG;
	}
	len = strlen(input);
	if (len > CAA_IDENT_INPUT_MAX) {
		return CAA_ERR_NAME_LONG;
	}
	for (size_t i = 0; i < len; i++) {
		ascii = ascii && (unsigned char)input[i] < 0x80;
	}
	if (ascii) {
		/* Boulder identifier.Normalize: strings.ToLower. */
		for (size_t i = 0; i <= len; i++) {
			buf[i] = caa_lower(input[i]);
		}
	} else {
		st = ident_map(input, buf, sizeof(buf));
	}
	if (st == CAA_OK) {
		st = ident_ascii(buf, out);
	}
	if (st != CAA_OK) {
		memset(out, 0, sizeof(*out));
	}
	return st;
}
