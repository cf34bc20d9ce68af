/*
 * tests/unit/test_zonefile.c -- the fast reader of plain record lines
 * against ldns: every zone file shipped, and generated files of many
 * shapes, read with the fast reader off and on must give the same
 * records (owner, type, TTL, RDATA, line), the same compiled answers and
 * the same "file:line: reason".
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tmpdir.h"
#include "zone.h"
#include "zone_int.h"
#include "zonefile_int.h"

#define SRC CAA_SOURCE_DIR "/"

TestSuite(zonefile, .init = tmpdir_setup, .fini = tmpdir_teardown,
          .timeout = 120);

/* A growing byte string: what one reading of a file gave. */
struct dump {
	char *buf;
	size_t len;
	FILE *f;
};

static void
dump_open(struct dump *d)
{
	d->buf = NULL;
	d->len = 0;
	d->f = open_memstream(&d->buf, &d->len);
	cr_assert_not_null(d->f);
}

static void
dump_close(struct dump *d)
{
	fclose(d->f);
}

static void
dump_bytes(struct dump *d, const void *p, size_t n)
{
	fprintf(d->f, "[%zu:", n);
	for (size_t i = 0; i < n; i++) {
		fprintf(d->f, "%02x", ((const uint8_t *)p)[i]);
	}
	fputc(']', d->f);
}

static void
dump_blob(struct dump *d, const struct zone_blob *b)
{
	fprintf(d->f, "blob an=%u ns=%u ar=%u ar_off=%u q=%u ", b->ancount,
	        b->nscount, b->arcount, b->ar_off, b->canon_qlen);
	dump_bytes(d, b->wire, b->len);
	dump_bytes(d, b->fix, b->nfix * sizeof(*b->fix));
}

static void
dump_name(struct dump *d, const struct zone_node *n)
{
	if (n == NULL) {
		fputs("-", d->f);
	} else {
		dump_bytes(d, n->name, n->namelen);
	}
}

static int
node_cmp(const void *a, const void *b)
{
	const struct zone_node *x = *(struct zone_node *const *)a;
	const struct zone_node *y = *(struct zone_node *const *)b;

	if (x->zone != y->zone) {
		return x->zone < y->zone ? -1 : 1;
	}
	if (x->namelen != y->namelen) {
		return x->namelen < y->namelen ? -1 : 1;
	}
	return memcmp(x->name, y->name, x->namelen);
}

/* Everything a set answers with, zones in load order, nodes sorted. */
static void
dump_set(struct dump *d, const struct zone_set *zs)
{
	struct zone_node **nodes;
	size_t n = 0, total = 0;

	for (size_t i = 0; i < zone_set_zone_count(zs); i++) {
		total += zone_set_zone(zs, i)->store->nodes.count;
	}
	nodes = calloc(total + 1, sizeof(*nodes));

	cr_assert_not_null(nodes);
	fprintf(d->f, "zones=%zu records=%zu\n", zone_set_zone_count(zs),
	        zone_set_record_count(zs));
	for (size_t i = 0; i < zone_set_zone_count(zs); i++) {
		const struct zone *z = zone_set_zone(zs, i);

		fprintf(d->f, "zone %s labels=%u records=%zu ", z->file,
		        z->labels, z->records);
		dump_bytes(d, z->origin, z->originlen);
		dump_blob(d, &z->negative);
		fputc('\n', d->f);
	}
	for (size_t z = 0; z < zone_set_zone_count(zs); z++) {
		const struct zone_table *t =
		        &zone_set_zone(zs, z)->store->nodes;

		for (size_t i = 0; t->slots != NULL && i <= t->mask; i++) {
			if (t->slots[i].item != NULL) {
				nodes[n++] = t->slots[i].item;
			}
		}
	}
	cr_assert_eq(n, total);
	qsort(nodes, n, sizeof(*nodes), node_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct zone_node *nd = nodes[i];

		fprintf(d->f, "node %s wc=%d ", nd->zone->file,
		        nd->wildcard_child);
		dump_name(d, nd);
		dump_name(d, nd->parent);
		dump_name(d, nd->cut);
		dump_name(d, nd->dname);
		if (nd->cut == nd) {
			dump_blob(d, &nd->referral);
		}
		for (uint16_t k = 0; k < nd->nrrsets; k++) {
			const struct zone_rrset *rs = &nd->rrsets[k];

			fprintf(d->f, "\n rrset type=%u count=%u ttl=%u ",
			        rs->type, rs->count, rs->ttl);
			dump_bytes(d, rs->rdata, rs->rdlen);
			if (rs->answer.wire != NULL) {
				dump_blob(d, &rs->answer);
			}
		}
		fputc('\n', d->f);
	}
	free(nodes);
}

/* Read FILE with the fast reader FAST or not: its records, then its set. */
static void
read_both_levels(const char *file, bool fast, struct dump *d)
{
	struct zf_ctx c = {0};
	char err[1024] = "", serr[1024] = "";
	struct zone_set *zs;
	int rc;

	zf_fast_enabled = fast;
	c.err = err;
	c.errlen = sizeof(err);
	rc = zf_read_zone(&c, file);
	fprintf(d->f, "rc=%d err=%s nrecs=%zu\n", rc, err, c.nrecs);
	for (size_t i = 0; i < c.nrecs; i++) {
		const struct zone_rec *r = &c.recs[i];

		fprintf(d->f, "rec line=%d type=%u ttl=%u ", r->line, r->type,
		        r->ttl);
		dump_bytes(d, r->owner, r->ownerlen);
		dump_bytes(d, r->rdata, r->rdlen);
		fputc('\n', d->f);
	}
	zf_ctx_clear(&c);
	zs = zone_set_load(&file, 1, serr, sizeof(serr));
	fprintf(d->f, "set=%s err=%s\n", zs != NULL ? "ok" : "null", serr);
	if (zs != NULL) {
		dump_set(d, zs);
	}
	zone_set_free(zs);
	zf_fast_enabled = true;
}

/* Read FILE both ways and compare; returns whether it loaded. */
static bool
compare_readers(const char *file)
{
	struct dump slow, fast;
	bool loaded;

	dump_open(&slow);
	dump_open(&fast);
	read_both_levels(file, false, &slow);
	read_both_levels(file, true, &fast);
	dump_close(&slow);
	dump_close(&fast);
	if (slow.len != fast.len || memcmp(slow.buf, fast.buf, slow.len) != 0) {
		size_t i = 0;

		while (i < slow.len && i < fast.len &&
		       slow.buf[i] == fast.buf[i]) {
			i++;
		}
		cr_assert_fail(
		        "%s: the readers differ at octet %zu:\nldns: %.300s\n"
		        "fast: %.300s",
		        file, i, slow.buf + (i > 100 ? i - 100 : 0),
		        fast.buf + (i > 100 ? i - 100 : 0));
	}
	loaded = strstr(slow.buf, "set=ok") != NULL;
	free(slow.buf);
	free(fast.buf);
	return loaded;
}

/* Compare every *.zone file in DIR and below; returns how many. */
static size_t
compare_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t n = 0;

	cr_assert_not_null(d, "%s", path);
	while ((e = readdir(d)) != NULL) {
		char sub[1024];
		size_t len = strlen(e->d_name);

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
		if (e->d_type == DT_DIR) {
			n += compare_dir(sub);
		} else if (len > 5 &&
		           strcmp(e->d_name + len - 5, ".zone") == 0) {
			compare_readers(sub);
			n++;
		}
	}
	closedir(d);
	return n;
}

Test(zonefile, shipped_zones_read_the_same)
{
	size_t n = compare_dir(SRC "zones") + compare_dir(SRC "tests/data");

	cr_assert_geq(n, 10, "only %zu zone files found", n);
	cr_assert(compare_readers(SRC "zones/caa.test.zone"));
	cr_assert(compare_readers(SRC "tests/data/example.test.zone"));
}

/* Lines of every shape: plain ones, and those only ldns reads. */
static const char *const shapes[] = {
        "h1 A 192.0.2.1",
        "h1\tIN\tA\t192.0.2.1",
        "h2 300 IN A 192.0.2.2",
        "h3 300 A 192.0.2.3",
        "h4 IN 300 A 192.0.2.4",
        " A 192.0.2.5",
        "\tIN AAAA 2001:db8::1",
        "  300 A 192.0.2.6",
        "@ NS ns1",
        "@ NS ns1.gen.test.",
        "@ A 192.0.2.7",
        "www CNAME @",
        "www2 CNAME www",
        "w3 CNAME a",
        "mx MX 10 mail",
        "mx MX 0 .",
        "mx MX 010 Mail.Example.",
        "mx2 MX 70000 m",
        "mx3 MX -1 m",
        "mx4 MX 10",
        "srv SRV 1 2 3 target",
        "srv SRV 1 2 65535 target.example.",
        "srv2 SRV 1 2 3",
        "ptr PTR host.",
        "dn DNAME other.test.",
        "dn2 DNAME @",
        "t TXT \"hello world\"",
        "t TXT hello world",
        "t TXT \"\"",
        "t TXT \"\" \"\"",
        "t TXT \"a\" \"b\"",
        "t TXT \"a\"\t\"b\"  ",
        "t TXT \"a\"\"b\"",
        "t TXT a\"b\"",
        "t TXT \"a;b\" ; comment \"",
        "t TXT \"x(y)\"",
        "t TXT \"tab\there\"",
        "t TXT \"caf\xc3\xa9\"",
        "t TXT @ $ & =",
        "t TXT \"unterminated",
        "t TXT",
        "t TXT \"esc\\\"aped\"",
        "c CAA 0 issue \"ca.test\"",
        "c CAA 128 iodef \"mailto:a@b.test\"",
        "c CAA 0 issue ca.test",
        "c CAA 0 issuewild \";\"",
        "c CAA 0 issue \"ca.test; accounturi=https://a/1; "
        "validationmethods=dns-01\"",
        "c CAA 0 IsSuE \"x\"",
        "c caa 255 tbs \"x y\"",
        "c CAA 0 issue \"\"",
        "c CAA 256 issue \"x\"",
        "c CAA 0 issue",
        "c CAA 0 issue \"x\" trailing",
        "c CAA \\# 4 00016162",
        "UPPER.Case A 192.0.2.8",
        "*.wild A 192.0.2.9",
        "_dmarc TXT \"v=DMARC1; p=none\"",
        "a-b_c A 192.0.2.10",
        "123 A 192.0.2.11",
        "h5 4294967295 A 192.0.2.12",
        "h6 4294967296 A 192.0.2.13",
        "h7 01 A 192.0.2.14",
        "h8 1h A 192.0.2.15",
        "h9 A 01.2.3.4",
        "h10 a 192.0.2.16",
        "h11 in a 192.0.2.17",
        "h12 A 192.0.2.18 ; comment",
        "h12b A 192.0.2.18;comment",
        "h13 A 192.0.2.19 extra",
        "h14 A 256.1.1.1",
        "h14b A 1.2.3",
        "h14c A 1.2.3.4.5",
        "h14d A 0.0.0.0",
        "h15 CH A 192.0.2.20",
        "h16 A 192.0.2.21\r",
        "h17 A 192.0.2.\\050",
        "esc\\.dot A 192.0.2.22",
        "paren A ( 192.0.2.23 )",
        "multi TXT ( \"a\"\n \"b\" )",
        "; a comment only",
        "",
        "   ",
        "\t; indented comment",
        "$TTL 600",
        "$TTL 0",
        "$TTL 1h",
        "$ORIGIN sub.gen.test.",
        "$ORIGIN gen.test.",
        "$ORIGIN sub",
        "h18 AAAA ::ffff:1.2.3.4",
        "h19 AAAA 2001:DB8::1",
        "h20 AAAA 192.0.2.1",
        "h21 AAAA 2001:db8::1::2",
        "h22 SOA ns hm 1 2 3 4 5",
        ". A 192.0.2.24",
        "out.side. A 192.0.2.25",
        "h23 NS a..b",
        "h24 NS .a",
        "h25 TYPE1 \\# 4 c0000201",
        "h26 A \\# 4 c0000202",
        "h27 HINFO \"pc\" \"os\"",
        "h28 SPF \"v=spf1 -all\"",
        "h29 FOO 1",
        "h30 A 192.0.2.26 \"\"",
        "h31 IN IN A 192.0.2.27",
        "h32 300 300 A 192.0.2.28",
        "h33 CLASS1 A 192.0.2.29",
        "h34 OPT 1",
        "$INCLUDE /nonexistent.inc",
        "a..b A 192.0.2.30",
        "@ 0 A 192.0.2.31",
        "xn--caf-dma A 192.0.2.32",
        "a.b.c.d.e.f.g A 192.0.2.33",
        "Mixed.CASE.Owner. A 192.0.2.34",
        "h35 A 192.0.2.35 (",
        "h36 ) A 192.0.2.36",
        "h37 Ns ns1",
        "h38 TXT \"a\" b \"c\"",
        "h39 TXT \"a b\" c",
};

#define NSHAPES (sizeof(shapes) / sizeof(shapes[0]))

/* What may stand between two lines. */
static const char *const seps[] = {
        "\n",     "\n",      "\n",
        "\n\n",   "\n\n\n",  "\n; between\n",
        "\n  \n", "\n\t\n",  " ; trailing\n",
        "\r\n",   "\n;\n\n",
};

#define NSEPS (sizeof(seps) / sizeof(seps[0]))

static char *
label_of(size_t n, char c)
{
	char *s = malloc(n + 1);

	cr_assert_not_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

Test(zonefile, every_shape_alone)
{
	for (size_t i = 0; i < NSHAPES; i++) {
		char text[4096];
		const char *path;

		snprintf(text, sizeof(text),
		         "@ SOA ns hm 1 2 3 4 5\nbefore A 192.0.2.99\n%s\n"
		         " TXT \"after\"\nafter A 192.0.2.98\n",
		         shapes[i]);
		path = tmpdir_write("gen.test.zone", text);
		compare_readers(path);
		/* The same at the start, and without a newline at the end. */
		snprintf(text, sizeof(text), "%s\n@ SOA ns hm 1 2 3 4 5\n%s",
		         shapes[i], shapes[i]);
		path = tmpdir_write("gen.test.zone", text);
		compare_readers(path);
	}
}

Test(zonefile, names_and_values_at_their_limits)
{
	char *l63 = label_of(63, 'a'), *l64 = label_of(64, 'b');
	char *s255 = label_of(255, 'x'), *s256 = label_of(256, 'y');
	char *v = label_of(4200, 'v');
	char text[16384];
	const char *path;
	/* Around 4096 octets a line, the longest the fast reader takes. */
	size_t lens[] = {2000, 4000, 4078, 4079, 4080, 4081, 4082, 4200};

	snprintf(text, sizeof(text),
	         "@ SOA ns hm 1 2 3 4 5\n"
	         "%s A 192.0.2.1\n%s A 192.0.2.2\n"
	         "%s.%s.%s A 192.0.2.3\n%s.%s.%s.%s A 192.0.2.4\n"
	         "%s.%s.%s.%.50s A 192.0.2.5\n"
	         "%s.%s.%s.%.60s.test. A 192.0.2.6\n"
	         "t TXT \"%s\"\nt TXT %s\nns NS %s.%s.%s.%.50s\n",
	         l63, l64, l63, l63, l63, l63, l63, l63, l63, l63, l63, l63,
	         l63, l63, l63, l63, l63, s255, s255, l63, l63, l63, l63);
	path = tmpdir_write("gen.test.zone", text);
	compare_readers(path);
	snprintf(text, sizeof(text), "@ SOA ns hm 1 2 3 4 5\nt TXT \"%s\"\n",
	         s256);
	path = tmpdir_write("gen.test.zone", text);
	compare_readers(path);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		snprintf(text, sizeof(text),
		         "@ SOA ns hm 1 2 3 4 5\nc CAA 0 issue \"%.*s\"\n"
		         "c CAA 0 issue %.*s\n",
		         (int)lens[i], v, (int)lens[i], v);
		path = tmpdir_write("gen.test.zone", text);
		cr_assert(compare_readers(path), "CAA value of %zu", lens[i]);
	}
	free(l63);
	free(l64);
	free(s255);
	free(s256);
	free(v);
}

/* xorshift: the same files on every run. */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

Test(zonefile, shapes_mixed_at_random)
{
	uint32_t seed = 0x2545f491;
	size_t loaded = 0;

	for (int round = 0; round < 400; round++) {
		char text[16384];
		size_t o = 0;
		int lines = 2 + (int)(next_rand(&seed) % 30);
		const char *path;

		o += (size_t)snprintf(
		        text, sizeof(text), "%s@ SOA ns hm 1 2 3 4 5%s",
		        next_rand(&seed) % 4 == 0 ? "$TTL 0\n" : "",
		        seps[next_rand(&seed) % NSEPS]);
		for (int k = 0; k < lines && o < sizeof(text) - 600; k++) {
			const char *s = shapes[next_rand(&seed) % NSHAPES];

			/* Mostly lines that load, so that the files go on. */
			if (next_rand(&seed) % 3 != 0) {
				s = shapes[next_rand(&seed) % 40];
			}
			o += (size_t)snprintf(text + o, sizeof(text) - o,
			                      "%s%s", s,
			                      seps[next_rand(&seed) % NSEPS]);
		}
		if (next_rand(&seed) % 5 == 0 && o > 0 && text[o - 1] == '\n') {
			text[--o] = '\0'; /* no newline at the end */
		}
		path = tmpdir_write("gen.test.zone", text);
		loaded += compare_readers(path);
	}
	cr_assert_geq(loaded, 20, "only %zu of the files loaded", loaded);
}

/* The shape of bench/gen-big-zone.sh's zone, smaller. */
Test(zonefile, big_zone_shape)
{
	const char *path;
	char *text = malloc(1 << 20), *crlf;
	size_t o = 0, w = 0;

	cr_assert_not_null(text);
	o += (size_t)sprintf(
	        text,
	        "$ORIGIN big.test.\n$TTL 3600\n"
	        "@       IN SOA  ns1.big.test. hostmaster.big.test. "
	        "1 7200 3600 1209600 300\n"
	        "@       IN NS   ns1.big.test.\n@       IN NS   ns2.big.test.\n"
	        "@       IN A    192.0.2.1\n@       IN AAAA 2001:db8::1\n"
	        "@       IN CAA  0 issue \"letsencrypt.org\"\n"
	        "@       IN CAA  0 issuewild \";\"\n"
	        "@       IN CAA  128 iodef \"mailto:security@big.test\"\n"
	        "ns1     IN A    192.0.2.53\nns2     IN A    192.0.2.54\n");
	for (int i = 0; i < 20000; i++) {
		o += (size_t)sprintf(text + o, "h%d\tIN A\t198.%d.%d.%d\n", i,
		                     18 + i / 64516, (i % 64516) / 254,
		                     i % 254 + 1);
	}
	path = tmpdir_write("big.test.zone", text);
	cr_assert(compare_readers(path));
	/* The same with CR LF line ends. */
	crlf = malloc(2 * o + 1);
	cr_assert_not_null(crlf);
	for (size_t i = 0; i < o; i++) {
		if (text[i] == '\n') {
			crlf[w++] = '\r';
		}
		crlf[w++] = text[i];
	}
	crlf[w] = '\0';
	path = tmpdir_write("big.test.zone", crlf);
	cr_assert(compare_readers(path));
	free(crlf);
	free(text);
}

Test(zonefile, include_keeps_lines_and_owners)
{
	const char *path;

	tmpdir_write("part.inc", "inc1 A 192.0.2.1\n TXT \"same owner\"\n\n"
	                       "( paren A 192.0.2.2 )\n");
	path = tmpdir_write("gen.test.zone",
	                  "@ SOA ns hm 1 2 3 4 5\nbefore A 192.0.2.3\n"
	                  "$INCLUDE part.inc\n TXT \"still before\"\n\n\n"
	                  "$INCLUDE part.inc other.test.\nlast A 192.0.2.4\n");
	compare_readers(path);
	path = tmpdir_write("gen.test.zone",
	                  "@ SOA ns hm 1 2 3 4 5\n$INCLUDE part.inc\n"
	                  "out.side. A 192.0.2.5\n");
	cr_assert_not(compare_readers(path));
}

/* The message zone_set_load() gives for ARG ("" when it loads). */
static const char *
load_error(const char *arg)
{
	static char err[1024];
	struct zone_set *zs;

	err[0] = '\0';
	zs = zone_set_load(&arg, 1, err, sizeof(err));
	if (zs != NULL) {
		err[0] = '\0';
	}
	zone_set_free(zs);
	return err;
}

/* A file whose records need an origin it does not have is refused, at the
 * line and name that needs it, by both readers alike. */
Test(zonefile, relative_names_without_origin_are_refused)
{
	static const struct {
		const char *text;
		const char *want; /* after "DIR/x.db:" */
	} cases[] = {
	        {"$TTL 300\n@ SOA ns hm 1 2 3 4 5\n",
	         "2: relative name '@' but no origin: add $ORIGIN or load it "
	         "as -z ORIGIN=FILE"},
	        {"x. 300 SOA ns.x. hm.x. 1 2 3 4 5\nwww.x. 300 A 192.0.2.1\n"
	         "w2 300 A 192.0.2.2\n",
	         "3: relative name 'w2' but no origin"},
	        {"x. 300 SOA ns.x. hm.x. 1 2 3 4 5\n\nx. 300 MX 10 mail.in\n",
	         "3: relative name 'mail.in' but no origin"},
	        {"x. 300 SOA ns hm.x. 1 2 3 4 5\n",
	         "1: relative name 'ns' but no origin"},
	        {"x. 300 SOA ns.x. hm.x. 1 2 3 4 5\n 300 A 192.0.2.1\n"
	         "$ORIGIN sub\n",
	         "3: relative name 'sub' but no origin: end it with a dot"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = tmpdir_write("x.db", cases[i].text);
		char want[1024];

		snprintf(want, sizeof(want), "%s:%s", path, cases[i].want);
		cr_assert_not(compare_readers(path), "case %zu loaded", i);
		cr_expect_eq(strncmp(load_error(path), want, strlen(want)), 0,
		             "case %zu: %s\nwant: %s", i, load_error(path),
		             want);
	}
	/* Absolute names only: no origin needed. */
	cr_assert(compare_readers(tmpdir_write(
	        "x.db", "x. 300 SOA ns.x. hm.x. 1 2 3 4 5\nx. 300 NS ns.x.\n")));
}

/* ORIGIN=FILE gives the origin, both readers read the file alike, and the
 * records are those of the same file with $ORIGIN. */
Test(zonefile, origin_argument_is_a_first_origin)
{
	static const char body[] = "$TTL 300\n@ SOA ns hm 1 2 3 4 5\n"
	                           "@ NS ns\nns A 192.0.2.1\n"
	                           "www CNAME @\nmx MX 10 ns\n";
	char arg[600], with[sizeof(body) + 32], path[512];
	struct zone_set *a, *b;
	const char *zfiles[1];
	char err[512];
	struct dump da, db;

	snprintf(path, sizeof(path), "%s",
	         tmpdir_write("example.com.db", body));
	snprintf(arg, sizeof(arg), "example.com=%s", path);
	cr_assert(compare_readers(arg), "%s", load_error(arg));
	zfiles[0] = arg;
	a = zone_set_load(zfiles, 1, err, sizeof(err));
	cr_assert_not_null(a, "%s", err);
	snprintf(with, sizeof(with), "$ORIGIN example.com.\n%s", body);
	zfiles[0] = tmpdir_write("with.db", with);
	b = zone_set_load(zfiles, 1, err, sizeof(err));
	cr_assert_not_null(b, "%s", err);
	dump_open(&da);
	dump_open(&db);
	fprintf(da.f, "%zu %zu", zone_set_zone_count(a),
	        zone_set_record_count(a));
	dump_bytes(&da, zone_set_zone(a, 0)->origin,
	           zone_set_zone(a, 0)->originlen);
	fprintf(db.f, "%zu %zu", zone_set_zone_count(b),
	        zone_set_record_count(b));
	dump_bytes(&db, zone_set_zone(b, 0)->origin,
	           zone_set_zone(b, 0)->originlen);
	dump_close(&da);
	dump_close(&db);
	cr_expect_str_eq(da.buf, db.buf);
	cr_expect_str_eq(zone_set_zone(a, 0)->file, path);
	free(da.buf);
	free(db.buf);
	zone_set_free(a);
	zone_set_free(b);
	/* A $ORIGIN in the file still wins over the one given. */
	snprintf(arg, sizeof(arg), "other.test.=%s", zfiles[0]);
	cr_assert(compare_readers(arg));
	/* An existing file is a file, '=' or not; a bad ORIGIN is refused. */
	cr_assert(compare_readers(tmpdir_write("a=b.test.zone", with)));
	cr_expect_str_eq(load_error("a..b=x.db"),
	                 "a..b=x.db: ORIGIN 'a..b' is not a domain name");
}
