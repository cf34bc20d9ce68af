/*
 * probe/caa/ident.c -- identifiers a CA accepts: syntax, IDNA, Punycode.
 *
 * Boulder checks a DNS identifier (policy/pa.go ValidDomain) before it
 * looks up any CAA record; caa_ident_check() refuses the same names with
 * the same words, maps Unicode names to A-labels and decodes xn-- labels
 * (Punycode, RFC 3492) with libidn2.
 */
#include "caa.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "caa_int.h"

#define IDENT_LABEL_MAX  63
#define IDENT_MAP_MAX    (4 * CAA_IDENT_INPUT_MAX) /* A-labels of the input */
#define IDENT_ULABEL_MAX (4 * IDENT_LABEL_MAX + 1) /* a U-label, UTF-8 */

/* ------------------------------------------------------------------ */
/* UTF-8                                                               */
/* ------------------------------------------------------------------ */

/*
 * Written out: libidn2 converts UTF-8 only a name at a time
 * (idn2_to_unicode_8z4z() decodes its xn-- labels too and refuses labels
 * over 63 code points), and mbrtowc() reads UTF-8 only under a UTF-8
 * locale, which a library does not choose.  test_ident compares it with
 * libidn2 on every sequence of one and two octets and many longer ones.
 */
size_t
caa_utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
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
			n = caa_utf8_next(p + i, len - i, &cp);
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
 * back to itself and decode to a string in NFC.  Puts the U-label (UTF-8)
 * in U[0..USIZE).
 *
 * libidn2 2.3 decodes (idn2_to_unicode_8z8z()) and refuses, besides what
 * is no Punycode, what decodes but does not encode back to itself: a
 * delimiter first ("xn---abc"), and surrogates, which are no UTF-8.  It
 * also refuses a rest that ends in "-", which does encode back to itself
 * ("xn--abc-"): such a label was refused before.  Upper case was lowered
 * before.  It says a string is not in NFC (idn2_to_ascii_8z()): it tests
 * NFC before anything else of IDNA2008, which Boulder does not apply.
 */
static enum caa_status
ident_alabel(const char *l, size_t len, char *u, size_t usize)
{
	char label[IDENT_LABEL_MAX + 1];
	char *decoded = NULL;
	char *mapped = NULL;
	int rc;

	memcpy(label, l, len);
	label[len] = '\0';
	rc = idn2_to_unicode_8z8z(label, &decoded, 0);
	if (rc == IDN2_OK && strlen(decoded) >= usize) {
		rc = IDN2_TOO_BIG_LABEL; /* no: 63 code points at most */
	}
	if (rc == IDN2_OK) {
		memcpy(u, decoded, strlen(decoded) + 1);
	}
	idn2_free(decoded);
	if (rc != IDN2_OK) {
		return rc == IDN2_MALLOC ? CAA_ERR_NOMEM
		                         : CAA_ERR_NAME_PUNYCODE;
	}
	rc = idn2_to_ascii_8z(label, &mapped, IDN2_NONTRANSITIONAL);
	idn2_free(mapped);
	if (rc == IDN2_MALLOC) {
		return CAA_ERR_NOMEM;
	}
	return rc == IDN2_NOT_NFC ? CAA_ERR_NAME_PUNYCODE : CAA_OK;
}

/* Appends label L[0..LEN) (UTF-8) to OUT->unicode, cut where it does not
 * fit, before a whole character. */
static void
ident_unicode_put(struct caa_ident *out, size_t *ulen, const char *l,
                  size_t len)
{
	size_t size = sizeof(out->unicode);
	size_t n;

	if (*ulen > 0 && *ulen + 1 < size) {
		out->unicode[(*ulen)++] = '.';
	}
	n = *ulen + len < size ? len : size - 1 - *ulen;
	while (n > 0 && n < len && ((unsigned char)l[n] & 0xc0) == 0x80) {
		n--;
	}
	memcpy(out->unicode + *ulen, l, n);
	*ulen += n;
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
		char ulabel[IDENT_ULABEL_MAX];

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
			st = ident_alabel(l, n, ulabel, sizeof(ulabel));
			if (st != CAA_OK) {
				return st;
			}
			l = ulabel;
			n = strlen(ulabel);
		}
		ident_unicode_put(out, &ulen, l, n);
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
