/*
 * probe/perspective.h -- remote network perspectives: --perspective
 * NAME=SPEC, --quorum N, the BR quorum table and the RIR rule.
 *
 * Multi-perspective issuance corroboration (CA/B Forum BR 3.2.2.9) as
 * Boulder runs it (va/va.go doRemoteOperation): the primary decides first;
 * when it permits issuance, every remote decides too, each with a
 * resolver of its own, and a remote corroborates when its verdict permits
 * issuance.  The quorum (corroborations required) is --quorum, else the
 * BR table: remotes - 1 for 2 to 5 remotes, remotes - 2 for 6 or more,
 * and 1 for a single remote (Boulder's maxAllowedFailures() allows no
 * failure below 2).  With 3 or more remotes the corroborating ones must
 * also span at least two RIRs, so each of them must name its rir=.
 *
 * This file reads and checks the options and decides the quorum; mpic.c
 * runs the remotes.
 */
#ifndef PROBE_PERSPECTIVE_H
#define PROBE_PERSPECTIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#define PERSP_NAME_MAX   32 /* bytes of a perspective's NAME */
#define PERSP_MAX        32 /* --perspective options */
#define PERSP_RIRS_MIN   2  /* distinct RIRs among the corroborating */
#define PERSP_RIR_REMOTES 3 /* remotes from which the RIR rule applies */
/* Boulder's words before a remote's problem, and when none failed. */
#define PERSP_SECONDARY  "During secondary validation: "
#define PERSP_UNAVAILABLE \
	PERSP_SECONDARY "validation failed but the problem is unavailable"

/* One --perspective NAME=SPEC. */
struct persp_spec {
	char name[PERSP_NAME_MAX + 1];
	const char *rir; /* "ARIN", ...: static; NULL: none given */
	bool has_from;
	struct sockaddr_storage from; /* from=: the source address, port 0 */
	socklen_t from_len;
	char *server; /* server=HOST[#PORT] as given; owned; NULL: none */
	struct sockaddr_storage server_addr; /* server=, resolved */
	socklen_t server_len;
};

/* --perspective (in order) and --quorum. */
struct persp_opts {
	struct persp_spec *v; /* owned */
	size_t n;
	int quorum; /* --quorum; 0: the BR table */
};

/* Frees what P owns and zeroes it; accepts NULL. */
void persp_clear(struct persp_opts *p);

/*
 * Reads one "NAME=SPEC" into *S (cleared first).  Returns 0, or -1 with
 * the field at fault and why in ERR[0..ERRLEN) ("from=: not an IP
 * address '1.2.3'").  server= is only checked for its form here.
 */
int persp_spec_parse(const char *arg, struct persp_spec *s, char *err,
                     size_t errlen);

/* Frees what S owns. */
void persp_spec_clear(struct persp_spec *s);

/*
 * --perspective ARG (OPT is OPTIONS_OPT_PERSPECTIVE) or --quorum ARG
 * (OPTIONS_OPT_QUORUM) into P, for PROG.  Returns 0, OPTIONS_EXIT_USAGE
 * after a message to ERR, or -1 when OPT is neither.
 */
int persp_option(struct persp_opts *p, const char *prog, int opt,
                 const char *arg, FILE *err);

/*
 * Checks P once every option is read, and resolves each server= (port
 * PORT when it names none; 0: 53): --quorum needs --perspective and at
 * most as many as there are remotes; with PERSP_RIR_REMOTES or more,
 * every perspective names its rir=.  Returns 0, or OPTIONS_EXIT_USAGE
 * after a message to ERR.
 */
int persp_finish(struct persp_opts *p, int port, const char *prog,
                 FILE *err);

/* The quorum of N remotes by the BR table (N >= 1). */
size_t persp_default_quorum(size_t n);

/* The quorum P asks for: --quorum, else the table. */
size_t persp_quorum(const struct persp_opts *p);

/* What the remotes said, tallied. */
struct persp_tally {
	size_t remotes;
	size_t corroborating;
	size_t required;
	size_t rirs;   /* distinct RIRs among the corroborating */
	bool rirs_ok;  /* fewer than PERSP_RIR_REMOTES, or PERSP_RIRS_MIN */
	bool passed;   /* the quorum, and the RIRs */
	int first_failing; /* the first remote (in option order) that does
	                      not corroborate; -1: none */
};

/* Tallies P's remotes, CORROBORATES[i] for remote I, into T. */
void persp_tally(const struct persp_opts *p, const bool *corroborates,
                 struct persp_tally *t);

/* The help lines of --perspective and --quorum, as both programs print
 * them. */
void persp_usage(FILE *f);

#endif /* PROBE_PERSPECTIVE_H */
