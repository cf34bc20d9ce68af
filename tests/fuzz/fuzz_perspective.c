/*
 * tests/fuzz/fuzz_perspective.c -- the --perspective NAME=SPEC parser: one
 * argument in.  A SPEC that parses has a NAME of 1 to PERSP_NAME_MAX
 * bytes and a canonical RIR; one that does not names its field.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perspective.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does ERR name the field at fault (or the NAME, or the SPEC)? */
static int
names_field(const char *err)
{
	static const char *const heads[] = {"NAME: ", "SPEC: ", "from=: ",
	                                    "rir=: ", "server=: ", "'",
	                                    "no memory"};

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		if (strncmp(err, heads[i], strlen(heads[i])) == 0) {
			return 1;
		}
	}
	/* "KEY=: unknown field ..." */
	return strstr(err, "=: ") != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct persp_spec s;
	char err[256];
	char *arg;

	if (size > 4096) {
		return 0;
	}
	arg = malloc(size + 1);
	if (arg == NULL) {
		return 0;
	}
	memcpy(arg, data, size);
	arg[size] = '\0';
	err[0] = '\0';
	if (persp_spec_parse(arg, &s, err, sizeof(err)) == 0) {
		size_t n = strlen(s.name);

		if (n == 0 || n > PERSP_NAME_MAX ||
		    strncmp(arg, s.name, n) != 0 || arg[n] != '=') {
			fprintf(stderr, "'%s': NAME '%s'\n", arg, s.name);
			abort();
		}
		if (s.rir != NULL && strcmp(s.rir, "ARIN") != 0 &&
		    strcmp(s.rir, "RIPE") != 0 && strcmp(s.rir, "APNIC") != 0 &&
		    strcmp(s.rir, "LACNIC") != 0 &&
		    strcmp(s.rir, "AFRINIC") != 0) {
			abort();
		}
		if (s.has_from && s.from_len == 0) {
			abort();
		}
		persp_spec_clear(&s);
	} else if (memchr(err, '\0', sizeof(err)) == NULL ||
	           !names_field(err)) {
		fprintf(stderr, "'%s': error '%s' names no field\n", arg, err);
		abort();
	}
	free(arg);
	return 0;
}
