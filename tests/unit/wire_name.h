/*
 * tests/unit/wire_name.h -- presentation names to wire form for the unit
 * tests that build queries and records by hand.
 */
#ifndef CAALAB_TESTS_UNIT_WIRE_NAME_H
#define CAALAB_TESTS_UNIT_WIRE_NAME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Write NAME (presentation form, no escapes) at BUF in wire form, root
 * label included, no compression; returns its length. */
static inline size_t
put_name(uint8_t *buf, const char *name)
{
	size_t n = 0;
	const char *p = name;

	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		buf[n++] = (uint8_t)l;
		memcpy(buf + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	buf[n++] = 0;
	return n;
}

#endif /* CAALAB_TESTS_UNIT_WIRE_NAME_H */
