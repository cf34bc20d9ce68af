/*
 * probe/caa/record.c -- CAA RDATA: parse, write, classify tags.
 */
#include "caa.h"

#include <string.h>

#include "caa_int.h"

enum caa_status
caa_record_parse(const uint8_t *rdata, size_t len, struct caa_record *out)
{
	size_t tag_len;

	if (out == NULL) {
		return CAA_ERR_ARG;
	}
	memset(out, 0, sizeof(*out));
	if (rdata == NULL && len > 0) {
		return CAA_ERR_ARG;
	}
	/*
	 *   0   1   2 ...     2+tl ...
	 * +---+---+---------+---------------+
	 * |flg|tl | tag     | value         |
	 * +---+---+---------+---------------+
	 */
	if (len < 2) {
		return CAA_ERR_RDATA_SHORT;
	}
	tag_len = rdata[1];
	if (tag_len == 0) {
		/* RFC 8659 section 4.1: "The tag length MUST be at least 1". */
		return CAA_ERR_RDATA_TAG_EMPTY;
	}
	if (tag_len > len - 2) {
		return CAA_ERR_RDATA_TAG_TRUNC;
	}
	out->flags = rdata[0];
	out->tag_len = (uint8_t)tag_len;
	out->tag = rdata + 2;
	out->value_len = len - 2 - tag_len;
	out->value = rdata + 2 + tag_len;
	return CAA_OK;
}

enum caa_status
caa_rdata_write(uint8_t flags, const uint8_t *tag, size_t tag_len,
                const uint8_t *value, size_t value_len, uint8_t *out,
                size_t size, size_t *len)
{
	size_t need;

	if (len == NULL || tag == NULL || (value == NULL && value_len > 0) ||
	    (out == NULL && size > 0)) {
		return CAA_ERR_ARG;
	}
	*len = 0;
	if (tag_len == 0 || tag_len > CAA_TAG_MAX) {
		return CAA_ERR_TAG_LENGTH;
	}
	if (value_len > CAA_RDATA_MAX - 2 - tag_len) {
		return CAA_ERR_RDATA_LONG;
	}
	need = 2 + tag_len + value_len;
	*len = need;
	if (out == NULL || size < need) {
		return CAA_ERR_SPACE;
	}
	out[0] = flags;
	out[1] = (uint8_t)tag_len;
	memcpy(out + 2, tag, tag_len);
	if (value_len > 0) {
		memcpy(out + 2 + tag_len, value, value_len);
	}
	return CAA_OK;
}

enum caa_tag
caa_tag_kind(const uint8_t *tag, size_t len)
{
	/* RFC 8659 section 4.1: "Matching of tags is case insensitive." */
	if (tag == NULL) {
		return CAA_TAG_OTHER;
	}
	if (caa_mem_eq_nocase(tag, len, "issue", 5)) {
		return CAA_TAG_ISSUE;
	}
	if (caa_mem_eq_nocase(tag, len, "issuewild", 9)) {
		return CAA_TAG_ISSUEWILD;
	}
	if (caa_mem_eq_nocase(tag, len, "iodef", 5)) {
		return CAA_TAG_IODEF;
	}
	return CAA_TAG_OTHER;
}
