/*
 * probe/caa/issue.c -- issue/issuewild values: the RFC 8659 4.2 grammar.
 */
#include "caa.h"

#include <string.h>

#include "caa_int.h"

static bool
issue_is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t';
}

/* value = *(%x21-3A / %x3C-7E): visible ASCII but ";". */
static bool
issue_is_value_char(uint8_t c)
{
	return c >= 0x21 && c <= 0x7e && c != ';';
}

static size_t
issue_skip_wsp(const uint8_t *v, size_t len, size_t i)
{
	while (i < len && issue_is_wsp(v[i])) {
		i++;
	}
	return i;
}

/*
 * label = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT)), which is also the
 * grammar of a parameter tag.  Advances *POS past the longest match and
 * returns true, or returns false when no label starts at *POS.  Hyphens
 * not followed by a letter or digit are left for the caller to reject.
 */
static bool
issue_scan_label(const uint8_t *v, size_t len, size_t *pos)
{
	size_t i = *pos;

	if (i >= len || !caa_is_alnum(v[i])) {
		return false;
	}
	i++;
	for (;;) {
		size_t j = i;

		while (j < len && v[j] == '-') {
			j++;
		}
		if (j >= len || !caa_is_alnum(v[j])) {
			break;
		}
		i = j + 1;
	}
	*pos = i;
	return true;
}

static enum caa_status
issue_fail(struct caa_issue *out, size_t at)
{
	memset(out, 0, sizeof(*out));
	out->error_at = at;
	return CAA_ERR_ISSUE_SYNTAX;
}

enum caa_status
caa_issue_parse(const uint8_t *value, size_t len, struct caa_issue *out)
{
	const char *text = (const char *)value;
	size_t i;
	size_t start;

	if (out == NULL || (value == NULL && len > 0)) {
		return CAA_ERR_ARG;
	}
	memset(out, 0, sizeof(*out));
	if (len == 0) {
		return CAA_OK; /* issue "": nobody */
	}
	i = issue_skip_wsp(value, len, 0);

	/* [issuer-domain-name *WSP] */
	start = i;
	if (issue_scan_label(value, len, &i)) {
		while (i < len && value[i] == '.') {
			i++;
			if (!issue_scan_label(value, len, &i)) {
				return issue_fail(out,
				                  i); /* "ca.test." or "a..b" */
			}
		}
		out->issuer = text + start;
		out->issuer_len = i - start;
		i = issue_skip_wsp(value, len, i);
	}

	/* [";" *WSP [parameters *WSP]] */
	if (i == len) {
		return CAA_OK;
	}
	if (value[i] != ';') {
		return issue_fail(out, i);
	}
	i = issue_skip_wsp(value, len, i + 1);
	if (i == len) {
		return CAA_OK;
	}
	out->params = text + i;
	for (;;) {
		/* parameter = tag *WSP "=" *WSP value */
		if (!issue_scan_label(value, len, &i)) {
			return issue_fail(out, i);
		}
		i = issue_skip_wsp(value, len, i);
		if (i == len || value[i] != '=') {
			return issue_fail(out, i);
		}
		i = issue_skip_wsp(value, len, i + 1);
		while (i < len && issue_is_value_char(value[i])) {
			i++;
		}
		out->nparams++;
		out->params_len = (size_t)(text + i - out->params);
		i = issue_skip_wsp(value, len, i);
		if (i == len) {
			return CAA_OK;
		}
		if (value[i] != ';') {
			return issue_fail(out, i); /* a space inside a value */
		}
		/* After ";" another parameter must follow. */
		i = issue_skip_wsp(value, len, i + 1);
	}
}

bool
caa_issue_param_next(const struct caa_issue *issue, size_t *pos,
                     struct caa_param *out)
{
	const uint8_t *p;
	size_t len;
	size_t i;

	if (issue == NULL || pos == NULL || out == NULL ||
	    issue->params == NULL || *pos >= issue->params_len) {
		return false;
	}
	p = (const uint8_t *)issue->params;
	len = issue->params_len;
	i = issue_skip_wsp(p, len, *pos);
	if (i < len && p[i] == ';') {
		i = issue_skip_wsp(p, len, i + 1);
	}
	if (i >= len) {
		*pos = len;
		return false;
	}
	out->tag = issue->params + i;
	while (i < len && (caa_is_alnum(p[i]) || p[i] == '-')) {
		i++;
	}
	out->tag_len = (size_t)(issue->params + i - out->tag);
	i = issue_skip_wsp(p, len, i);
	if (i < len && p[i] == '=') {
		i++;
	}
	i = issue_skip_wsp(p, len, i);
	out->value = issue->params + i;
	while (i < len && issue_is_value_char(p[i])) {
		i++;
	}
	out->value_len = (size_t)(issue->params + i - out->value);
	*pos = i;
	return true;
}
