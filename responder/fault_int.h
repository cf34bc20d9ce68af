/*
 * responder/fault_int.h -- what fault_rule.c (parsing, rule accessors) and
 * fault.c (the set and the matcher) share.  Not for other modules.
 */
#ifndef RESPONDER_FAULT_INT_H
#define RESPONDER_FAULT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "cidr.h"
#include "fault.h"
#include "wire.h"

/* A growable array of rules. */
struct fault_list {
	struct fault_rule **r;
	size_t n;
	size_t cap;
};

struct fault_rule {
	uint64_t prio;  /* seq << 32 | line in its file (0 for other origins) */
	uint64_t seen;  /* k: queries that reached the rule */
	uint64_t fired; /* of those, how many it fired on */
	double p;
	char *text; /* canonical */
	uint32_t id;
	uint32_t type; /* 0-65535 or FAULT_TYPE_ANY */
	uint32_t count;
	uint32_t after;
	uint32_t every;
	uint32_t ms;
	uint32_t ede;
	int family;     /* 0: any, AF_INET, AF_INET6 */
	int transport;  /* -1: any, else enum query_transport */
	unsigned answer; /* 0: any, else FAULT_FACT_POSITIVE or _NEGATIVE */
	int qcase;       /* -1: any, 0: lower case only, 1: mixed case only */
	unsigned given; /* bit I: fault_opts[I] was given */
	bool has_from;    /* from= given: */
	struct cidr from; /* the sources it matches */
	enum fault_origin origin;
	enum fault_action action;
	enum fault_action tcp_action;
	enum fault_select select;
	uint8_t labels; /* of NAME, root excluded */
	uint8_t namelen;
	uint8_t name[WIRE_NAME_MAX]; /* canonical wire form; root for ALL */
};


#define OPT_GIVEN(r, i) (((r)->given >> (i)) & 1U)
enum {
	OPT_I_COUNT = 0,
	OPT_I_MS = 6,
	OPT_I_EDE = 7,
	OPT_I_TCP = 8
};

void fault_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Make room for one more rule in L.  On failure L is as it was. */
int fault_list_grow(struct fault_list *l);

/* Cut LINE at a token that starts with '#'. */
void fault_strip_comment(char *line);

#endif /* RESPONDER_FAULT_INT_H */
