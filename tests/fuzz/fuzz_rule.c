/*
 * tests/fuzz/fuzz_rule.c -- the fault-rule parser: one line in.  A rule
 * that parses must parse again from its canonical text to the same text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fault_rule *r = NULL, *again = NULL;
	char err[256];
	char *line;

	if (size > 4096) {
		return 0;
	}
	line = malloc(size + 1);
	if (line == NULL) {
		return 0;
	}
	memcpy(line, data, size);
	line[size] = '\0';
	if (fault_rule_parse(line, &r, err, sizeof(err)) == 0) {
		const char *text = fault_rule_text(r);

		if (fault_rule_parse(text, &again, err, sizeof(err)) != 0) {
			fprintf(stderr,
			        "canonical text '%s' does not parse: %s\n",
			        text, err);
			abort();
		}
		if (strcmp(text, fault_rule_text(again)) != 0) {
			fprintf(stderr, "'%s' reparses as '%s'\n", text,
			        fault_rule_text(again));
			abort();
		}
		fault_rule_free(again);
		fault_rule_free(r);
	} else if (memchr(err, '\0', sizeof(err)) == NULL) {
		abort();
	}
	free(line);
	return 0;
}
