/*
 * tests/unit/argv_fixture.h -- a command line for the option parsers of
 * caa-probe and caa-gate, shared by their unit tests:
 *
 *   ARGV_FIXTURE_PARSE(struct probe_opts, options_init, options_parse)
 *   #define USAGE(want, ...) \
 *           ARGV_FIXTURE_USAGE(struct probe_opts, options_clear, \
 *                              "caa-probe", want, __VA_ARGS__)
 *
 * test_parse(S, ARGS) sets the defaults, parses the NULL-terminated ARGS
 * and returns the parser's status; its messages land in test_err.
 */
#ifndef CAALAB_TESTS_UNIT_ARGV_FIXTURE_H
#define CAALAB_TESTS_UNIT_ARGV_FIXTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/* getopt_long permutes argv and the settings borrow it: keep it
 * writable. */
static char test_store[32][256];
static char *test_argv[33];
static char test_err[1024];

/* Copies ARGS into test_argv; returns argc and the stream for messages. */
static inline FILE *
argv_fixture_open(const char *const *args, int *argc)
{
	FILE *err = fmemopen(test_err, sizeof(test_err), "w");

	cr_assert_not_null(err);
	for (*argc = 0; args[*argc] != NULL && *argc < 32; (*argc)++) {
		(void)snprintf(test_store[*argc], sizeof(test_store[*argc]),
		               "%s", args[*argc]);
		test_argv[*argc] = test_store[*argc];
	}
	test_argv[*argc] = NULL;
	return err;
}

#define ARGV_FIXTURE_PARSE(type, init, parse)                          \
	static int test_parse(type *s, const char *const *args)        \
	{                                                              \
		int argc;                                              \
		FILE *err = argv_fixture_open(args, &argc);            \
		int rc;                                                \
                                                                       \
		init(s);                                               \
		rc = parse(argc, test_argv, s, err);                   \
		fclose(err);                                           \
		return rc;                                             \
	}

/* PARSE(S, ARG...) and USAGE(WANT, ARG...): a usage error naming WANT. */
#define ARGV_FIXTURE_USAGE(type, clear, prog, want, ...)                      \
	do {                                                                  \
		type s_;                                                      \
		cr_assert_eq(                                                 \
		        test_parse(&s_, (const char *const[]){prog,           \
		                                              __VA_ARGS__,    \
		                                              NULL}),         \
		        64, "accepted");                                      \
		cr_assert(strstr(test_err, (want)) != NULL, "'%s' lacks '%s'", \
		          test_err, (want));                                  \
		clear(&s_);                                                   \
	} while (0)

#endif /* CAALAB_TESTS_UNIT_ARGV_FIXTURE_H */
