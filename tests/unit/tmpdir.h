/*
 * tests/unit/tmpdir.h -- a scratch directory for unit tests that write
 * files, shared by the test binaries that need one:
 *
 *   TestSuite(zone, .init = tmpdir_setup, .fini = tmpdir_teardown);
 *   path = tmpdir_write("a.zone", "...");
 *
 * Criterion runs each test in its own process, so each test gets a fresh
 * directory from the template and removes it afterwards.
 */
#ifndef CAALAB_TESTS_UNIT_TMPDIR_H
#define CAALAB_TESTS_UNIT_TMPDIR_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

static char tmpdir[] = "/tmp/caalab-unit-XXXXXX";

static inline void
tmpdir_setup(void)
{
	cr_assert_not_null(mkdtemp(tmpdir));
}

static inline void
tmpdir_teardown(void)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

/* Writes TEXT to NAME in the directory; returns its path (valid until the
 * next call). */
static inline const char *
tmpdir_write(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

#endif
