/*
 * tests/unit/test_probe_perspective.c -- --perspective NAME=SPEC and
 * --quorum: SPEC errors that name the field, the BR quorum table, the RIR
 * rule, and the checks once every option is read.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "perspective.h"

/* The error of parsing ARG (which must fail), in a static buffer. */
static const char *
spec_error(const char *arg)
{
	static char err[256];
	struct persp_spec s;

	err[0] = '\0';
	cr_assert_eq(persp_spec_parse(arg, &s, err, sizeof(err)), -1,
	             "'%s' parsed", arg);
	return err;
}

Test(probe_perspective, spec_fields)
{
	struct persp_spec s;
	char err[256];
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&s.from;
	char text[INET6_ADDRSTRLEN];

	cr_assert_eq(persp_spec_parse("eu-1=from=::1,server=127.0.0.1#53,"
	                              "rir=ripe",
	                              &s, err, sizeof(err)),
	             0, "%s", err);
	cr_assert_str_eq(s.name, "eu-1");
	cr_assert(s.has_from);
	cr_assert_eq(s.from.ss_family, AF_INET6);
	inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
	cr_assert_str_eq(text, "::1");
	cr_assert_str_eq(s.server, "127.0.0.1#53");
	cr_assert_str_eq(s.rir, "RIPE"); /* canonical */
	persp_spec_clear(&s);

	/* An empty SPEC: the primary's resolver, a context of its own. */
	cr_assert_eq(persp_spec_parse("a=", &s, err, sizeof(err)), 0);
	cr_assert_not(s.has_from);
	cr_assert_null(s.server);
	cr_assert_null(s.rir);
	persp_spec_clear(&s);
}

Test(probe_perspective, spec_errors_name_the_field)
{
	cr_assert_str_eq(spec_error("a=from=1.2.3"),
	                 "from=: not an IP address '1.2.3'");
	cr_assert_str_eq(spec_error("a=from=127.0.0.1:53"),
	                 "from=: not an IP address '127.0.0.1:53'");
	cr_assert_str_eq(spec_error("a=rir=MARS"),
	                 "rir=: 'MARS' is not ARIN, RIPE, APNIC, LACNIC or "
	                 "AFRINIC");
	cr_assert_str_eq(spec_error("a=port=53"),
	                 "port=: unknown field (from=, server= or rir=)");
	cr_assert_str_eq(spec_error("a=rir=ARIN,rir=RIPE"),
	                 "rir=: given twice");
	cr_assert_str_eq(spec_error("a=server="), "server=: empty");
	cr_assert_str_eq(spec_error("a=rir=ARIN,,from=::1"),
	                 "SPEC: an empty field");
	cr_assert_str_eq(spec_error("a=rir=ARIN,"), "SPEC: an empty field");
	cr_assert_str_eq(spec_error("a=ARIN"),
	                 "'ARIN': not KEY=VALUE (from=, server= or rir=)");
	/* Whatever the length of what is quoted, the message fits and still
	 * names the field (found by fuzz_perspective). */
	{
		char arg[600];

		memset(arg, 'k', sizeof(arg));
		memcpy(arg, "a=", 2);
		arg[sizeof(arg) - 3] = '=';
		arg[sizeof(arg) - 2] = 'v';
		arg[sizeof(arg) - 1] = '\0';
		cr_assert(strstr(spec_error(arg), "=: unknown field (from=, "
		                                  "server= or rir=)") != NULL,
		          "%s", spec_error(arg));
	}
	cr_assert(strncmp(spec_error("noequals"), "NAME: ", 6) == 0);
	cr_assert(strncmp(spec_error("=rir=ARIN"), "NAME: ", 6) == 0);
	cr_assert(strncmp(spec_error("a b=rir=ARIN"), "NAME: ", 6) == 0);
	cr_assert(strncmp(spec_error("abcdefghijabcdefghijabcdefghijabc="
	                             "rir=ARIN"),
	                  "NAME: ", 6) == 0);
}

Test(probe_perspective, quorum_table)
{
	/* BR 3.2.2.9: 2-5 remotes may miss one, 6 or more two; Boulder
	 * allows no miss with one remote. */
	static const size_t want[] = {0, 1, 1, 2, 3, 4, 4, 5, 6, 7, 8};

	for (size_t n = 1; n < sizeof(want) / sizeof(want[0]); n++) {
		cr_assert_eq(persp_default_quorum(n), want[n], "%zu remotes",
		             n);
	}
}

/* N perspectives with the RIRs of RIRS ('A' ARIN, 'R' RIPE, 'P' APNIC). */
static void
opts_with(struct persp_opts *p, const char *rirs)
{
	memset(p, 0, sizeof(*p));
	p->n = strlen(rirs);
	p->v = calloc(p->n, sizeof(*p->v));
	cr_assert_not_null(p->v);
	for (size_t i = 0; i < p->n; i++) {
		struct persp_spec s;
		char arg[64];
		char err[256];

		(void)snprintf(arg, sizeof(arg), "p%zu=rir=%s", i,
		               rirs[i] == 'A'   ? "ARIN"
		               : rirs[i] == 'R' ? "RIPE"
		                                : "APNIC");
		cr_assert_eq(persp_spec_parse(arg, &s, err, sizeof(err)), 0);
		p->v[i] = s;
	}
}

Test(probe_perspective, tally_quorum)
{
	struct persp_opts p;
	struct persp_tally t;
	const bool all[] = {true, true, true, true, true};
	const bool one_off[] = {true, false, true, true, true};
	const bool two_off[] = {true, false, true, false, true};

	opts_with(&p, "ARPAR");
	persp_tally(&p, all, &t);
	cr_assert(t.passed);
	cr_assert_eq(t.corroborating, 5);
	cr_assert_eq(t.required, 4);
	cr_assert_eq(t.first_failing, -1);
	persp_tally(&p, one_off, &t);
	cr_assert(t.passed);
	cr_assert_eq(t.first_failing, 1);
	persp_tally(&p, two_off, &t);
	cr_assert_not(t.passed);
	cr_assert_eq(t.corroborating, 3);
	cr_assert_eq(t.first_failing, 1); /* in --perspective order */
	p.quorum = 3;
	persp_tally(&p, two_off, &t);
	cr_assert(t.passed);
	persp_clear(&p);
}

Test(probe_perspective, rir_rule)
{
	struct persp_opts p;
	struct persp_tally t;
	const bool all[] = {true, true, true};
	const bool last_off[] = {true, true, false};

	/* Three remotes all in ARIN: the quorum, but one RIR. */
	opts_with(&p, "AAA");
	persp_tally(&p, all, &t);
	cr_assert_eq(t.rirs, 1);
	cr_assert_not(t.rirs_ok);
	cr_assert_not(t.passed);
	cr_assert_eq(t.first_failing, -1); /* nobody failed: Boulder's
	                                      "problem is unavailable" */
	persp_clear(&p);
	/* The only RIPE one fails: the rest are in one RIR. */
	opts_with(&p, "AAR");
	persp_tally(&p, last_off, &t);
	cr_assert_eq(t.corroborating, 2);
	cr_assert_not(t.passed);
	cr_assert_eq(t.first_failing, 2);
	persp_clear(&p);
	opts_with(&p, "ARA");
	persp_tally(&p, last_off, &t);
	cr_assert(t.passed);
	persp_clear(&p);
	/* Two remotes: no RIR rule. */
	opts_with(&p, "AA");
	persp_tally(&p, all, &t);
	cr_assert(t.passed);
	persp_clear(&p);
}

/* Runs --perspective/--quorum options and persp_finish(); the message. */
static int
finish_with(const char *const *args, size_t n, char *msg, size_t size)
{
	struct persp_opts p;
	FILE *err = fmemopen(msg, size, "w");
	int rc = 0;

	cr_assert_not_null(err);
	memset(&p, 0, sizeof(p));
	for (size_t i = 0; rc == 0 && i + 1 < n; i += 2) {
		int opt = strcmp(args[i], "--quorum") == 0
		                  ? OPTIONS_OPT_QUORUM
		                  : OPTIONS_OPT_PERSPECTIVE;

		rc = persp_option(&p, "caa-probe", opt, args[i + 1], err);
	}
	if (rc == 0) {
		rc = persp_finish(&p, 0, "caa-probe", err);
	}
	fclose(err);
	persp_clear(&p);
	return rc;
}

#define FINISH(msg, ...)                                                  \
	finish_with((const char *const[]){__VA_ARGS__},                   \
	            sizeof((const char *const[]){__VA_ARGS__}) /          \
	                    sizeof(const char *),                         \
	            (msg), sizeof(msg))

Test(probe_perspective, finish_checks)
{
	char msg[512];

	memset(msg, 0, sizeof(msg));
	cr_assert_eq(FINISH(msg, "--quorum", "2"), OPTIONS_EXIT_USAGE);
	cr_assert(strstr(msg, "caa-probe: --quorum needs --perspective") !=
	          NULL, "%s", msg);
	memset(msg, 0, sizeof(msg));
	cr_assert_eq(FINISH(msg, "--perspective", "a=", "--quorum", "2"),
	             OPTIONS_EXIT_USAGE);
	cr_assert(strstr(msg, "(more than the 1 remote perspectives)") !=
	          NULL, "%s", msg);
	memset(msg, 0, sizeof(msg));
	cr_assert_eq(FINISH(msg, "--quorum", "0"), OPTIONS_EXIT_USAGE);
	cr_assert(strstr(msg, "bad value '0' for --quorum") != NULL, "%s",
	          msg);
	memset(msg, 0, sizeof(msg));
	cr_assert_eq(FINISH(msg, "--perspective", "a=rir=ARIN",
	                    "--perspective", "b=rir=RIPE", "--perspective",
	                    "c="),
	             OPTIONS_EXIT_USAGE);
	cr_assert(strstr(msg, "caa-probe: --perspective c: rir= is needed") !=
	          NULL, "%s", msg);
	memset(msg, 0, sizeof(msg));
	cr_assert_eq(FINISH(msg, "--perspective", "a=", "--perspective",
	                    "a=rir=ARIN"),
	             OPTIONS_EXIT_USAGE);
	cr_assert(strstr(msg, "(NAME: given twice)") != NULL, "%s", msg);
	memset(msg, 0, sizeof(msg));
	cr_assert_eq(FINISH(msg, "--perspective", "a=server=[::1"),
	             OPTIONS_EXIT_USAGE);
	cr_assert(strstr(msg, "caa-probe: --perspective a: server=: bad "
	                      "server '[::1'") != NULL,
	          "%s", msg);
	cr_assert_eq(FINISH(msg, "--perspective", "a=server=127.0.0.1#5300",
	                    "--perspective", "b=", "--quorum", "2"),
	             0);
}
