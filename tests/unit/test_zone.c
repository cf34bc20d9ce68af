/*
 * tests/unit/test_zone.c -- loading master files: what loads, and the
 * "file:line: reason" of what does not.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tmpdir.h"
#include "zone.h"

#define DATA CAA_SOURCE_DIR "/tests/data/"

TestSuite(zone, .init = tmpdir_setup, .fini = tmpdir_teardown);

/* Load TEXT as NAME; expect failure with ERR = path + WANT + anything. */
static void
expect_error(const char *name, const char *text, const char *want)
{
	const char *path = tmpdir_write(name, text);
	char err[512], full[1024];
	struct zone_set *zs = zone_set_load(&path, 1, err, sizeof(err));

	cr_assert_null(zs, "%s loaded but should not", name);
	snprintf(full, sizeof(full), "%s/%s%s", tmpdir, name, want);
	cr_assert_eq(strncmp(err, full, strlen(full)), 0, "got '%s'", err);
}

#define SOA "@ SOA ns hm 1 2 3 4 5\n"

Test(zone, bundled_fixtures_load)
{
	const char *files[] = {DATA "test.zone", DATA "example.test.zone",
	                       DATA "big.test.zone"};
	char err[512];
	struct zone_set *zs = zone_set_load(files, 3, err, sizeof(err));

	cr_assert_not_null(zs, "%s", err);
	cr_assert_eq(zone_set_zone_count(zs), 3);
	cr_assert_geq(zone_set_record_count(zs), 1001 + 30);
	zone_set_free(zs);
}

Test(zone, origin_from_file_name)
{
	const char *path = tmpdir_write("a.test.zone", SOA "www A 192.0.2.1\n");
	char err[512];
	struct zone_set *zs = zone_set_load(&path, 1, err, sizeof(err));
	struct zone_lookup lk;

	cr_assert_not_null(zs, "%s", err);
	zone_lookup(zs, (const uint8_t *)"\3www\1a\4test", 12, 1, &lk);
	cr_assert_eq(lk.match, ZONE_MATCH_EXACT);
	zone_set_free(zs);
}

Test(zone, every_caa_form_loads)
{
	const char *path = tmpdir_write(
		"c.test.zone",
		SOA "a CAA 0 issue \"ca.test\"\n"
		    "b CAA 1 issue ca.test\n"
		    "c CAA 128 IsSuE \"x; accounturi=https://a/1\"\n"
		    "d CAA 130 contactemail \"a@b\"\n"
		    "e CAA 0 issue \"\"\n"
		    "f CAA 0 issue \";\"\n"
		    "g CAA 0 tbs \"\\\"quoted\\\" and \\059 escaped\"\n"
		    "h TYPE257 \\# 3 000161\n"
		    "i CAA \\# 4 00016162\n"
		    "j CAA 255 caatestsuitedummyproperty \"test\"\n");
	char err[512];
	struct zone_set *zs = zone_set_load(&path, 1, err, sizeof(err));

	cr_assert_not_null(zs, "%s", err);
	cr_assert_eq(zone_set_record_count(zs), 11);
	zone_set_free(zs);
}

Test(zone, missing_soa)
{
	expect_error("n.test.zone", "www A 192.0.2.1\n",
	             ": no SOA record (every zone needs one)");
}

Test(zone, second_soa)
{
	expect_error("s.test.zone", SOA "\n" SOA,
	             ":3: a second SOA record (one zone per file; the first "
	             "is at ");
}

Test(zone, record_outside_zone)
{
	expect_error("o.test.zone", SOA "www.example.org. A 192.0.2.1\n",
	             ":2: www.example.org. is outside the zone o.test.");
}

Test(zone, bad_address_names_its_line)
{
	expect_error("b.test.zone", SOA "; comment\n\nwww A 192.0.2\n",
	             ":4: bad A record (Syntax error, could not parse the "
	             "RR's rdata)");
}

Test(zone, unknown_type)
{
	expect_error("u.test.zone", SOA "www FOO 1\n",
	             ":2: unknown record type 'FOO'");
}

Test(zone, bad_caa_flags)
{
	expect_error("f.test.zone", SOA "www CAA 256 issue \"x\"\n",
	             ":2: bad CAA flags (a number from 0 to 255)");
}

Test(zone, caa_without_value)
{
	expect_error("v.test.zone", SOA "www CAA 0 issue\n",
	             ":2: CAA record without a value");
}

Test(zone, caa_unbalanced_quote)
{
	expect_error("q.test.zone", SOA "www CAA 0 issue \"x\n",
	             ":2: bad CAA value (unbalanced quote or escape)");
}

Test(zone, generic_rdata_length_mismatch)
{
	const char *path =
	        tmpdir_write("g.test.zone", SOA "www TYPE257 \\# 5 0001\n");
	char err[512];

	cr_assert_null(zone_set_load(&path, 1, err, sizeof(err)));
	cr_assert(strstr(err, "g.test.zone:2: bad TYPE257 record") != NULL,
	          "%s", err);
}

Test(zone, include_missing_file)
{
	expect_error("i.test.zone", SOA "$INCLUDE nothere.inc\n",
	             ":2: cannot open '/tmp/");
}

Test(zone, unknown_directive)
{
	expect_error("d.test.zone", SOA "$GENERATE 1-2 a A 1.2.3.4\n",
	             ":2: unknown or incomplete directive '$GENERATE'");
}

Test(zone, class_other_than_in)
{
	expect_error("k.test.zone", SOA "www CH TXT \"x\"\n",
	             ":2: only class IN is served");
}

Test(zone, unreadable_file)
{
	const char *path = "/nonexistent/x.zone";
	char err[512];

	cr_assert_null(zone_set_load(&path, 1, err, sizeof(err)));
	cr_assert_str_eq(err, "/nonexistent/x.zone: cannot open (No such file "
	                      "or directory)");
}

Test(zone, same_zone_twice)
{
	const char *files[] = {DATA "test.zone", DATA "test.zone"};
	char err[512];

	cr_assert_null(zone_set_load(files, 2, err, sizeof(err)));
	cr_assert(strstr(err, "zone test. is loaded twice") != NULL, "%s", err);
}

/* Run-time edits (the management API's records). */

static enum zone_match
match_of(const struct zone_set *zs, const char *wire, size_t len,
         uint16_t type, bool *has_type)
{
	struct zone_lookup lk;

	zone_lookup(zs, (const uint8_t *)wire, len, type, &lk);
	*has_type = lk.node != NULL && zone_node_rrset(lk.node, type) != NULL;
	return lk.match;
}

Test(zone, edits_add_and_remove)
{
	const char *files[] = {DATA "example.test.zone"};
	struct zone_edits *ed = zone_edits_new();
	struct zone_set *zs;
	char err[512];
	bool has;

	cr_assert_eq(zone_edits_add(ed, "new.example.test. 30 IN CAA 0 issue "
	                                "\"ca.test\"", err, sizeof(err)),
	             0, "%s", err);
	zs = zone_set_load_edits(files, 1, ed, err, sizeof(err));
	cr_assert_not_null(zs, "%s", err);
	cr_assert_eq(match_of(zs, "\3new\7example\4test", 18, 257, &has),
	             ZONE_MATCH_EXACT);
	cr_assert(has);
	zone_set_free(zs);

	/* Remove the CAA RRset at the apex, and the added record exactly. */
	cr_assert_eq(zone_edits_remove(ed, "example.test.", 257, err,
	                               sizeof(err)), 0, "%s", err);
	cr_assert_eq(zone_edits_remove_rr(ed, "new.example.test. CAA 0 issue "
	                                      "ca.test", err, sizeof(err)),
	             0, "%s", err);
	zs = zone_set_load_edits(files, 1, ed, err, sizeof(err));
	cr_assert_not_null(zs, "%s", err);
	cr_assert_eq(match_of(zs, "\7example\4test", 14, 257, &has),
	             ZONE_MATCH_EXACT);
	cr_assert(!has);
	cr_assert_eq(match_of(zs, "\3new\7example\4test", 18, 257, &has),
	             ZONE_MATCH_NXDOMAIN);
	zone_set_free(zs);
	zone_edits_free(ed);
}

Test(zone, edits_outside_every_zone_go_to_root)
{
	struct zone_edits *ed = zone_edits_new();
	struct zone_set *zs;
	char err[512];
	bool has;

	cr_assert_eq(zone_edits_add(ed, "host.example.com. A 192.0.2.7", err,
	                            sizeof(err)), 0, "%s", err);
	zs = zone_set_load_edits(NULL, 0, ed, err, sizeof(err));
	cr_assert_not_null(zs, "%s", err);
	cr_assert_eq(match_of(zs, "\4host\7example\3com", 18, 1, &has),
	             ZONE_MATCH_EXACT);
	cr_assert(has);
	cr_assert_eq(match_of(zs, "\5other\3com", 11, 1, &has),
	             ZONE_MATCH_NXDOMAIN);
	zone_set_free(zs);
	zone_edits_free(ed);
}

Test(zone, edits_refuse_bad_records)
{
	struct zone_edits *ed = zone_edits_new();
	char err[512];

	cr_assert_neq(zone_edits_add(ed, "x.test. A 1.2.3", err, sizeof(err)), 0);
	cr_assert_str_eq(err, "bad A record (Syntax error, could not parse "
	                      "the RR's rdata)");
	cr_assert_neq(zone_edits_add(ed, "x.test. SOA a b 1 2 3 4 5", err,
	                             sizeof(err)), 0);
	cr_assert_str_eq(err, "SOA records come from zone files");
	cr_assert_neq(zone_edits_add(ed, "x.test. CAA 0 issue", err,
	                             sizeof(err)), 0);
	cr_assert_eq(zone_edits_count(ed), 0);
	zone_edits_free(ed);
}

/*
 * The answers read names and fields from the RDATA of A, AAAA, NS, CNAME,
 * PTR, DNAME, MX, SRV, SOA (and the old RFC 1035 types): in whatever form
 * it is written, it must be what the type says, names bounded and
 * uncompressed, nothing left over.
 */
static const struct {
	const char *line;
	const char *want;
} bad_rdata[] = {
	{"www CNAME \\# 3 ffffff", "CNAME RDATA: no name at octet 0"},
	{"www CNAME \\# 0", "CNAME RDATA: no name at octet 0"},
	{"www CNAME \\# 2 c000", "CNAME RDATA: no name at octet 0"},
	{"www CNAME \\# 3 000000",
	 "CNAME RDATA: 2 octets after the last name (nothing may follow it)"},
	{"www DNAME \\# 3 ffffff", "DNAME RDATA: no name at octet 0"},
	{"www DNAME \\# 2 0361", "DNAME RDATA: no name at octet 0"},
	{"www NS \\# 2 0100", "NS RDATA: no name at octet 0"},
	{"www PTR \\# 1 40", "PTR RDATA: no name at octet 0"},
	{"www MX \\# 1 00",
	 "MX RDATA of 1 octet, short of the preference (2 octets) and a "
	 "name"},
	{"www MX \\# 2 000a", "MX RDATA: no name at octet 2"},
	{"www MX \\# 4 000a0000", "MX RDATA: 1 octet after the last name"},
	{"www SRV \\# 6 000000000000", "SRV RDATA: no name at octet 6"},
	{"www SRV \\# 8 0000000000000000",
	 "SRV RDATA: 1 octet after the last name"},
	{"www TYPE5 \\# 3 ffffff", "CNAME RDATA: no name at octet 0"},
	{"www TYPE39 \\# 1 ff", "DNAME RDATA: no name at octet 0"},
	{"www A \\# 3 c00002", "A RDATA of 3 octets (an IPv4 address is 4)"},
	{"www TYPE1 \\# 5 c000020100",
	 "A RDATA of 5 octets (an IPv4 address is 4)"},
	{"www AAAA \\# 4 c0000201",
	 "AAAA RDATA of 4 octets (an IPv6 address is 16)"},
};

Test(zone, rdata_the_answers_read_is_checked)
{
	for (size_t i = 0; i < sizeof(bad_rdata) / sizeof(bad_rdata[0]); i++) {
		char text[256], want[256];

		snprintf(text, sizeof(text), SOA "%s\n", bad_rdata[i].line);
		snprintf(want, sizeof(want), ":2: %s", bad_rdata[i].want);
		expect_error("r.test.zone", text, want);
	}
}

Test(zone, soa_rdata_is_checked)
{
	/* Two root names, then 19 octets: MINIMUM would be read at rdlen-4. */
	expect_error("s.test.zone",
	             "@ SOA \\# 21 0000 00000001 00000002 00000003 00000004 "
	             "000005\n",
	             ":1: SOA RDATA: 19 octets after the names (serial, "
	             "refresh, retry, expire and minimum take 20)");
	expect_error("s.test.zone", "@ SOA \\# 3 ffffff\n",
	             ":1: SOA RDATA: no name at octet 0");
}

Test(zone, rdata_well_formed_or_not_read_loads)
{
	const char *path = tmpdir_write(
		"k.test.zone",
		"@ SOA \\# 22 0000 00000001 00000002 00000003 00000004 "
		"00000005\n"
		"www CNAME \\# 12 03777777 016b 0474657374 00\n"
		"d DNAME \\# 1 00\n"
		"m MX \\# 3 000a00\n"
		"a TYPE1 \\# 4 c0000201\n"
		"c TYPE257 \\# 1 00\n"
		"c CAA \\# 2 0005\n"
		"t TXT \\# 1 05\n"
		"u TYPE65280 \\# 3 ffffff\n"
		"v TYPE65535 \\# 0\n");
	char err[512];
	struct zone_set *zs = zone_set_load(&path, 1, err, sizeof(err));

	cr_assert_not_null(zs, "%s", err);
	cr_assert_eq(zone_set_record_count(zs), 10);
	zone_set_free(zs);
}

/* TYPE65537 was read as TYPE1 and served as an A record. */
Test(zone, type_over_65535_refused)
{
	expect_error("t.test.zone", SOA "www TYPE65537 192.0.2.1\n",
	             ":2: unknown record type 'TYPE65537' (a mnemonic, or "
	             "TYPE1 to TYPE65535)");
	expect_error("t.test.zone", SOA "www TYPE65537 \\# 4 c0000201\n",
	             ":2: unknown record type 'TYPE65537'");
	expect_error("t.test.zone", SOA "www TYPE65536 \\# 0\n",
	             ":2: unknown record type 'TYPE65536'");
	expect_error("t.test.zone", SOA "www TYPE1x 192.0.2.1\n",
	             ":2: unknown record type 'TYPE1x'");
}

Test(zone, edits_refuse_rdata_the_answers_read)
{
	struct zone_edits *ed = zone_edits_new();
	char err[512];

	cr_assert_neq(zone_edits_add(ed, "crash.test. 60 IN CNAME \\# 3 ffffff",
	                             err, sizeof(err)), 0);
	cr_assert(strncmp(err, "CNAME RDATA: no name at octet 0", 31) == 0,
	          "%s", err);
	cr_assert_neq(zone_edits_add(ed, "crash.test. 60 IN DNAME \\# 3 ffffff",
	                             err, sizeof(err)), 0);
	cr_assert(strncmp(err, "DNAME RDATA: no name at octet 0", 31) == 0,
	          "%s", err);
	cr_assert_neq(zone_edits_add(ed, "x.test. TYPE65537 192.0.2.1", err,
	                             sizeof(err)), 0);
	cr_assert_eq(zone_edits_count(ed), 0);
	cr_assert_eq(zone_edits_add(ed, "x.test. CAA \\# 2 0005", err,
	                            sizeof(err)), 0, "%s", err);
	cr_assert_eq(zone_edits_count(ed), 1);
	zone_edits_free(ed);
}

/* Apply the one edit list CH to *ZS with the API's edits ED; swap. */
static size_t
change(struct zone_set **zs, struct zone_edits *ch, struct zone_edits *ed)
{
	const struct zone_edits *const v[] = {ch};
	struct zone_set *next = NULL;
	size_t removed = 0;
	char err[512];

	cr_assert_eq(zone_set_change(*zs, v, 1, &removed, ed, &next, err,
	                             sizeof(err)),
	             0, "%s", err);
	if (next != NULL) {
		zone_set_free(*zs);
		*zs = next;
	}
	zone_edits_clear(ch);
	return removed;
}

Test(zone, changes_keep_the_edits_as_the_difference)
{
	const char *files[] = {DATA "test.zone", DATA "example.test.zone"};
	struct zone_edits *ed = zone_edits_new(), *ch = zone_edits_new();
	char err[512];
	struct zone_set *zs = zone_set_load(files, 2, err, sizeof(err)), *re;
	size_t count;
	bool has;

	cr_assert_not_null(zs, "%s", err);
	count = zone_set_record_count(zs);
	for (int i = 0; i < 200; i++) {
		cr_assert_eq(zone_edits_add(ch, "x.example.test. CAA 0 issue "
		                                "\"ca.test\"", err, sizeof(err)),
		             0, "%s", err);
		(void)change(&zs, ch, ed);
		cr_assert_eq(zone_set_record_count(zs), count + 1);
		cr_assert_eq(zone_edits_remove_rr(ch, "x.example.test. CAA 0 "
		                                      "issue \"ca.test\"",
		                                  err, sizeof(err)),
		             0, "%s", err);
		cr_assert_eq(change(&zs, ch, ed), 1);
		cr_assert_eq(zone_edits_add(ch, "h.elsewhere.invalid. TXT x",
		                            err, sizeof(err)),
		             0, "%s", err);
		(void)change(&zs, ch, ed);
		cr_assert_eq(zone_edits_remove(ch, "h.elsewhere.invalid.", 0,
		                               err, sizeof(err)),
		             0, "%s", err);
		cr_assert_eq(change(&zs, ch, ed), 1);
	}
	cr_assert_eq(zone_edits_count(ed), 0);
	cr_assert_eq(zone_set_record_count(zs), count);
	/* The root zone for API records went with its last record. */
	cr_assert_eq(zone_set_zone_count(zs), 2);

	/* File records removed: one edit, replacing the one before it. */
	cr_assert_eq(zone_edits_remove(ch, "www.example.test.", 28, err,
	                               sizeof(err)),
	             0, "%s", err);
	cr_assert_eq(change(&zs, ch, ed), 1);
	cr_assert_eq(zone_edits_remove(ch, "www.example.test.", 0, err,
	                               sizeof(err)),
	             0, "%s", err);
	cr_assert_eq(change(&zs, ch, ed), 1);
	cr_assert_eq(zone_edits_count(ed), 1);
	/* Removing nothing changes nothing. */
	cr_assert_eq(zone_edits_remove(ch, "www.example.test.", 0, err,
	                               sizeof(err)),
	             0, "%s", err);
	cr_assert_eq(change(&zs, ch, ed), 0);
	cr_assert_eq(zone_edits_count(ed), 1);
	/* Added again: the add stays, after the removal. */
	cr_assert_eq(zone_edits_add(ch, "www.example.test. A 192.0.2.1", err,
	                            sizeof(err)),
	             0, "%s", err);
	(void)change(&zs, ch, ed);
	cr_assert_eq(zone_edits_count(ed), 2);
	cr_assert_eq(zone_set_record_count(zs), count - 1);

	/* A reload applies them to the files it reads. */
	re = zone_set_load_edits(files, 2, ed, err, sizeof(err));
	cr_assert_not_null(re, "%s", err);
	cr_assert_eq(zone_set_record_count(re), count - 1);
	cr_assert_eq(match_of(re, "\3www\7example\4test", 18, 1, &has),
	             ZONE_MATCH_EXACT);
	cr_assert(has);
	cr_assert_eq(match_of(re, "\3www\7example\4test", 18, 28, &has),
	             ZONE_MATCH_EXACT);
	cr_assert(!has);
	zone_set_free(re);
	zone_set_free(zs);
	zone_edits_free(ch);
	zone_edits_free(ed);
}

Test(zone, a_change_reads_no_file_and_builds_only_its_zone)
{
	const char *files[2] = {DATA "test.zone", NULL};
	struct zone_edits *ed = zone_edits_new(), *ch = zone_edits_new();
	const struct zone_edits *const v[] = {ch};
	struct zone_set *zs, *before;
	size_t removed;
	char err[512];
	bool has;

	files[1] = tmpdir_write("mine.test.zone",
	                        "$ORIGIN mine.test.\n" SOA "a A 192.0.2.1\n");
	zs = zone_set_load(files, 2, err, sizeof(err));
	cr_assert_not_null(zs, "%s", err);
	/* The file breaks on disk; changes go on without it. */
	(void)tmpdir_write("mine.test.zone", "broken\n");
	before = zs;
	cr_assert_eq(zone_edits_add(ch, "b.mine.test. A 192.0.2.2", err,
	                            sizeof(err)),
	             0, "%s", err);
	cr_assert_eq(zone_set_change(before, v, 1, &removed, ed, &zs, err,
	                             sizeof(err)),
	             0, "%s", err);
	cr_assert_not_null(zs);
	cr_assert_eq(match_of(zs, "\1b\4mine\4test", 13, 1, &has),
	             ZONE_MATCH_EXACT);
	cr_assert(has);
	cr_assert_eq(match_of(zs, "\1a\4mine\4test", 13, 1, &has),
	             ZONE_MATCH_EXACT);
	cr_assert(has);
	cr_assert_eq(zone_set_record_count(zs),
	             zone_set_record_count(before) + 1);
	/* test. was not reached: the new set shares it; mine.test. is new. */
	cr_assert_eq(zone_set_zone(zs, 0), zone_set_zone(before, 0));
	cr_assert_neq(zone_set_zone(zs, 1), zone_set_zone(before, 1));
	zone_set_free(before);
	cr_assert_eq(match_of(zs, "\4test", 6, 6, &has), ZONE_MATCH_EXACT);
	cr_assert(has);
	cr_assert_null(zone_set_load_edits(files, 2, ed, err, sizeof(err)));
	cr_assert(strstr(err, "mine.test.zone:1:") != NULL, "%s", err);
	zone_set_free(zs);
	zone_edits_free(ch);
	zone_edits_free(ed);
}
