/*
 * tests/unit/test_probe_options.c -- caa-probe's command line: defaults,
 * every option, the server (--server, @HOST, #PORT, resolv.conf) and the
 * usage errors that name the bad option.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"

#include "argv_fixture.h"

ARGV_FIXTURE_PARSE(struct probe_opts, options_init, options_parse)

#define PARSE(o, ...) \
	test_parse((o), (const char *const[]){"caa-probe", __VA_ARGS__, NULL})

#define USAGE(want, ...)                                     \
	ARGV_FIXTURE_USAGE(struct probe_opts, options_clear, "caa-probe", (want), \
	                   __VA_ARGS__)

Test(probe_options, defaults)
{
	struct probe_opts o;

	cr_assert_eq(PARSE(&o, "example.test"), 0);
	cr_assert_eq(o.ncas, 1);
	cr_assert_str_eq(o.cas[0], "letsencrypt.org");
	cr_assert_eq(o.policy, CAA_POLICY_BOULDER); /* follows the CA */
	cr_assert_eq(o.timeout_ms, 2000);
	cr_assert_eq(o.tries, 3);
	cr_assert_eq(o.jobs, 64);
	cr_assert_eq(o.format, REPORT_TEXT);
	cr_assert_null(o.server);
	cr_assert_eq(o.port, 0);
	cr_assert_null(o.account_uri);
	cr_assert_null(o.method);
	cr_assert_eq(o.nnames, 1);
	cr_assert_str_eq(o.names[0], "example.test");
	options_clear(&o);
}

Test(probe_options, every_option)
{
	struct probe_opts o;

	cr_assert_eq(PARSE(&o, "--ca", "LetsEncrypt.ORG", "--ca", "other.test",
	                   "--account-uri", "https://a.test/acct/1", "--method",
	                   "dns-01", "--known-tag", "issuemail", "--known-tag",
	                   "contactemail", "--policy", "boulder", "-s",
	                   "127.0.0.1", "-p", "5353", "--timeout", "200",
	                   "--tries", "2", "-f", "names.txt", "-j", "8", "-o",
	                   "jsonl", "a.test", "*.b.test"),
	             0, "%s", test_err);
	cr_assert_eq(o.ncas, 2);
	cr_assert_str_eq(o.cas[0], "letsencrypt.org"); /* lower-cased */
	cr_assert_str_eq(o.cas[1], "other.test");
	cr_assert_str_eq(o.account_uri, "https://a.test/acct/1");
	cr_assert_str_eq(o.method, "dns-01");
	cr_assert_eq(o.nknown_tags, 2);
	cr_assert_str_eq(o.known_tags[1], "contactemail");
	cr_assert_eq(o.policy, CAA_POLICY_BOULDER);
	cr_assert_str_eq(o.server, "127.0.0.1");
	cr_assert_eq(o.port, 5353);
	cr_assert_eq(o.timeout_ms, 200);
	cr_assert_eq(o.tries, 2);
	cr_assert_str_eq(o.file, "names.txt");
	cr_assert_eq(o.jobs, 8);
	cr_assert_eq(o.format, REPORT_JSONL);
	cr_assert_eq(o.nnames, 2);
	cr_assert_str_eq(o.names[1], "*.b.test");
	options_clear(&o);
}

/* --policy defaults to boulder when every --ca is letsencrypt.org (the
 * default CA), to rfc8659 otherwise; a --policy given always wins. */
Test(probe_options, default_policy_follows_the_ca)
{
	static const struct {
		const char *args[6];
		enum caa_policy want;
	} cases[] = {
	        {{"a.test"}, CAA_POLICY_BOULDER},
	        {{"--ca", "letsencrypt.org", "a.test"}, CAA_POLICY_BOULDER},
	        {{"--ca", "LetsEncrypt.ORG", "a.test"}, CAA_POLICY_BOULDER},
	        {{"--ca", "letsencrypt.org", "--ca", "letsencrypt.org",
	          "a.test"},
	         CAA_POLICY_BOULDER},
	        {{"--ca", "other.test", "a.test"}, CAA_POLICY_RFC8659},
	        {{"--ca", "letsencrypt.org", "--ca", "other.test", "a.test"},
	         CAA_POLICY_RFC8659},
	        {{"--ca", "letsencrypt.org.", "a.test"}, CAA_POLICY_RFC8659},
	        {{"--ca", "other.test", "--policy", "boulder", "a.test"},
	         CAA_POLICY_BOULDER},
	        {{"--policy", "rfc8659", "a.test"}, CAA_POLICY_RFC8659},
	        {{"a.test", "--policy", "rfc8659"}, CAA_POLICY_RFC8659},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[8] = {"caa-probe"};
		struct probe_opts o;

		for (size_t j = 0; j < 6 && cases[i].args[j] != NULL; j++) {
			args[j + 1] = cases[i].args[j];
		}
		cr_assert_eq(test_parse(&o, args), 0, "case %zu: %s", i,
		             test_err);
		cr_assert_eq(o.policy, cases[i].want, "case %zu: policy %s", i,
		             caa_policy_name(o.policy));
		options_clear(&o);
	}
}

Test(probe_options, dig_style_server_and_file_only)
{
	struct probe_opts o;

	cr_assert_eq(PARSE(&o, "@::1#5300", "a.test"), 0, "%s", test_err);
	cr_assert_str_eq(o.server, "::1#5300");
	cr_assert_eq(o.nnames, 1);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, "-f", "-"), 0, "%s", test_err);
	cr_assert_eq(o.nnames, 0);
	cr_assert_str_eq(o.file, "-");
	options_clear(&o);
}

Test(probe_options, help_and_version)
{
	struct probe_opts o;

	cr_assert_eq(PARSE(&o, "-h"), 0);
	cr_assert(o.help);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, "--version"), 0);
	cr_assert(o.version);
	options_clear(&o);
}

Test(probe_options, usage_errors_name_the_option)
{
	USAGE("no NAME given", "--ca", "x.test");
	USAGE("--ca", "--ca", "", "a.test");
	USAGE("--ca", "--ca", "has space", "a.test");
	USAGE("--policy", "--policy", "strict", "a.test");
	USAGE("-p/--port", "-p", "0", "a.test");
	USAGE("-p/--port", "-p", "65536", "a.test");
	USAGE("-p/--port", "--port", "53x", "a.test");
	USAGE("--timeout", "--timeout", "0", "a.test");
	USAGE("--timeout", "--timeout", "-5", "a.test");
	USAGE("--tries", "--tries", "0", "a.test");
	USAGE("--tries", "--tries", "many", "a.test");
	USAGE("-j/--jobs", "-j", "0", "a.test");
	USAGE("-o/--format", "-o", "xml", "a.test");
	USAGE("--known-tag", "--known-tag", "", "a.test");
	USAGE("unknown option --bogus", "--bogus", "a.test");
	USAGE("unknown option -x", "-x", "a.test");
	USAGE("option --timeout needs a value", "a.test", "--timeout");
	USAGE("option -s needs a value", "a.test", "-s");
	USAGE("bad NAME 'a..test'", "a..test");
	USAGE("bad NAME 'a.*.test'", "a.*.test");
	USAGE("@HOST", "@", "a.test");
}

static int
server_of(const char *server, int port, const char *resolv, char *addr,
          size_t size, int *outport)
{
	struct probe_opts o;
	struct sockaddr_storage ss;
	socklen_t len;
	char err[256];
	int rc;

	options_init(&o);
	o.server = server;
	o.port = port;
	rc = options_server(&o, resolv, &ss, &len, err, sizeof(err));
	if (rc != 0) {
		(void)snprintf(addr, size, "%s", err);
		return rc;
	}
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)&ss;

		inet_ntop(AF_INET, &in->sin_addr, addr, (socklen_t)size);
		*outport = ntohs(in->sin_port);
	} else {
		const struct sockaddr_in6 *in6 = (const void *)&ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, addr, (socklen_t)size);
		*outport = ntohs(in6->sin6_port);
	}
	return 0;
}

Test(probe_options, server_forms)
{
	char addr[256];
	int port = 0;

	cr_assert_eq(server_of("127.0.0.1", 0, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0);
	cr_assert_str_eq(addr, "127.0.0.1");
	cr_assert_eq(port, 53);
	cr_assert_eq(server_of("127.0.0.1", 5353, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0);
	cr_assert_eq(port, 5353);
	cr_assert_eq(server_of("127.0.0.2#5300", 5353, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0);
	cr_assert_str_eq(addr, "127.0.0.2");
	cr_assert_eq(port, 5300);
	cr_assert_eq(server_of("::1#5301", 0, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0, "%s", addr);
	cr_assert_str_eq(addr, "::1");
	cr_assert_eq(port, 5301);
	cr_assert_eq(server_of("[::1]#5302", 0, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0, "%s", addr);
	cr_assert_str_eq(addr, "::1");
	cr_assert_eq(port, 5302);
	cr_assert_eq(server_of("127.0.0.1#0", 0, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             -1);
	cr_assert_eq(
	        server_of("#53", 0, "/nonexistent", addr, sizeof(addr), &port),
	        -1);
}

Test(probe_options, resolv_conf)
{
	char path[] = "/tmp/caa-probe-resolv.XXXXXX";
	int fd = mkstemp(path);
	FILE *f;
	char addr[256];
	int port = 0;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs("# comment\nsearch example.test\n"
	      "  nameserver\t127.0.0.53 # local stub\n"
	      "nameserver 192.0.2.1\n",
	      f);
	fclose(f);
	cr_assert_eq(server_of(NULL, 0, path, addr, sizeof(addr), &port), 0);
	cr_assert_str_eq(addr, "127.0.0.53");
	cr_assert_eq(port, 53);
	cr_assert_eq(server_of(NULL, 5353, path, addr, sizeof(addr), &port), 0);
	cr_assert_eq(port, 5353);
	unlink(path);
	/* No file: the C library's default. */
	cr_assert_eq(server_of(NULL, 0, "/nonexistent/resolv.conf", addr,
	                       sizeof(addr), &port),
	             0);
	cr_assert_str_eq(addr, "127.0.0.1");
}

/* HOST:PORT, [V6]:PORT and [V6], as pebble-challtestsrv users type them;
 * a port in the server wins over -p. */
Test(probe_options, server_colon_forms)
{
	char addr[256];
	int port = 0;

	cr_assert_eq(server_of("127.0.0.2:5353", 9, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0, "%s", addr);
	cr_assert_str_eq(addr, "127.0.0.2");
	cr_assert_eq(port, 5353);
	cr_assert_eq(server_of("[::1]:5354", 9, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0, "%s", addr);
	cr_assert_str_eq(addr, "::1");
	cr_assert_eq(port, 5354);
	cr_assert_eq(server_of("[::1]", 5355, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0, "%s", addr);
	cr_assert_str_eq(addr, "::1");
	cr_assert_eq(port, 5355);
	cr_assert_eq(
	        server_of("::1", 0, "/nonexistent", addr, sizeof(addr), &port),
	        0, "%s", addr);
	cr_assert_str_eq(addr, "::1");
	cr_assert_eq(port, 53);
	cr_assert_eq(server_of("2001:db8::53", 5356, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0, "%s", addr);
	cr_assert_str_eq(addr, "2001:db8::53");
	cr_assert_eq(port, 5356);
	cr_assert_eq(server_of("localhost:5357", 0, "/nonexistent", addr,
	                       sizeof(addr), &port),
	             0, "%s", addr);
	cr_assert(strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0,
	          "%s", addr);
	cr_assert_eq(port, 5357);
}

/* A bad server names the accepted forms. */
Test(probe_options, server_errors_name_the_forms)
{
	static const char *const bad[] = {
	        "[::1",       "127.0.0.1:99999",
	        "127.0.0.1:", "[::1]:x",
	        "[::1]x",     ":53",
	        "[]:53",      "a:b:c:d:e:f:g:h:i",
	        "[::1]:0",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char addr[256];
		int port = 0;

		cr_assert_eq(server_of(bad[i], 0, "/nonexistent", addr,
		                       sizeof(addr), &port),
		             -1, "%s", bad[i]);
		cr_assert(strstr(addr, "HOST#PORT") != NULL, "%s: %s", bad[i],
		          addr);
		cr_assert(strstr(addr, "[V6]:PORT") != NULL, "%s: %s", bad[i],
		          addr);
	}
}

/* Who resolves: -r without -s, the server with -s or --resolver system,
 * validated with --validate; --trust-anchor none validates nothing. */
Test(probe_options, resolver_backends)
{
	struct probe_opts o;
	struct lookup_config cfg;

	cr_assert_eq(PARSE(&o, "a.test"), 0);
	memset(&cfg, 0, sizeof(cfg));
	options_resolver_config(&o.resolver, o.server, &cfg);
	cr_expect_eq(cfg.backend, LOOKUP_RECURSIVE);
	cr_expect_str_eq(cfg.root_hints, OPTIONS_ROOT_HINTS);
	cr_expect_str_eq(cfg.trust_anchor, OPTIONS_TRUST_ANCHOR);
	options_clear(&o);

	cr_assert_eq(PARSE(&o, "-r", "--root-hints", "h", "--trust-anchor",
	                   "none", "a.test"),
	             0, "%s", test_err);
	options_resolver_config(&o.resolver, o.server, &cfg);
	cr_expect_eq(cfg.backend, LOOKUP_RECURSIVE);
	cr_expect_str_eq(cfg.root_hints, "h");
	cr_expect_null(cfg.trust_anchor);
	options_clear(&o);

	/* -s as before: direct, nothing validated. */
	cr_assert_eq(PARSE(&o, "-s", "127.0.0.1", "a.test"), 0);
	options_resolver_config(&o.resolver, o.server, &cfg);
	cr_expect_eq(cfg.backend, LOOKUP_DIRECT);
	cr_expect_null(cfg.trust_anchor);
	options_clear(&o);

	cr_assert_eq(PARSE(&o, "@127.0.0.1", "--validate", "--trust-anchor",
	                   "ta.ds", "a.test"),
	             0, "%s", test_err);
	options_resolver_config(&o.resolver, o.server, &cfg);
	cr_expect_eq(cfg.backend, LOOKUP_VALIDATE);
	cr_expect_str_eq(cfg.trust_anchor, "ta.ds");
	options_clear(&o);

	cr_assert_eq(PARSE(&o, "--resolver", "system", "a.test"), 0);
	options_resolver_config(&o.resolver, o.server, &cfg);
	cr_expect_eq(cfg.backend, LOOKUP_DIRECT);
	options_clear(&o);

	cr_assert_eq(PARSE(&o, "--resolver", "system", "--validate", "a.test"),
	             0);
	options_resolver_config(&o.resolver, o.server, &cfg);
	cr_expect_eq(cfg.backend, LOOKUP_VALIDATE);
	cr_expect_str_eq(cfg.trust_anchor, OPTIONS_TRUST_ANCHOR);
	options_clear(&o);
}

Test(probe_options, resolver_usage_errors)
{
	USAGE("-r/--recursive and -s/--server exclude each other", "-r", "-s",
	      "127.0.0.1", "a.test");
	USAGE("-r/--recursive and -s/--server exclude each other",
	      "--recursive", "@::1", "a.test");
	USAGE("-r/--recursive and --resolver system exclude each other", "-r",
	      "--resolver", "system", "a.test");
	USAGE("bad value 'unbound' for --resolver (system)", "--resolver",
	      "unbound", "a.test");
	USAGE("--root-hints", "--root-hints", "", "a.test");
	USAGE("--trust-anchor", "--trust-anchor", "", "a.test");
	USAGE("option --trust-anchor needs a value", "a.test",
	      "--trust-anchor");
}
