/*
 * tests/unit/test_gate_config.c -- caa-gate's command line: defaults,
 * every option of the contract, and the usage errors that name the bad
 * option and value.
 */
#include <criterion/criterion.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#include "argv_fixture.h"

ARGV_FIXTURE_PARSE(struct gate_config, config_init, config_parse)

#define PARSE(c, ...) \
	test_parse((c), (const char *const[]){"caa-gate", __VA_ARGS__, NULL})

#define USAGE(want, ...)                                     \
	ARGV_FIXTURE_USAGE(struct gate_config, config_clear, "caa-gate", (want), \
	                   __VA_ARGS__)

static unsigned
test_port(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET6) {
		return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	}
	return ntohs(((const struct sockaddr_in *)ss)->sin_port);
}

Test(gate_config, defaults)
{
	struct gate_config c;
	const struct sockaddr_in *sin = (const void *)&c.listen_addr;

	cr_assert_eq(PARSE(&c, "-u", "https://127.0.0.1:14400"), 0, "%s",
	             test_err);
	cr_assert_str_eq(c.listen, "127.0.0.1:14000");
	cr_assert_eq(c.listen_addr.ss_family, AF_INET);
	cr_assert_eq(sin->sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	cr_assert_eq(test_port(&c.listen_addr), 14000);
	cr_assert(c.upstream_tls);
	cr_assert_str_eq(c.upstream_host, "127.0.0.1");
	cr_assert_eq(c.upstream_port, 14400);
	cr_assert_eq(c.ncas, 1);
	cr_assert_str_eq(c.cas[0], "letsencrypt.org");
	cr_assert_eq(c.policy, CAA_POLICY_BOULDER);
	cr_assert_eq(c.recheck, CONFIG_RECHECK_AFTER);
	cr_assert_eq(c.recheck_after_s, 25200);
	cr_assert_eq(c.timeout_ms, 2000);
	cr_assert_eq(c.tries, 3);
	cr_assert_null(c.server);
	cr_assert_null(c.log);
	cr_assert_null(c.cert);
	cr_assert_null(c.upstream_ca);
	config_clear(&c);
}

Test(gate_config, every_option)
{
	struct gate_config c;

	cr_assert_eq(PARSE(&c, "-l", "[::1]:0", "-u", "https://localhost:8443/",
	                   "--upstream-ca", "ca.pem", "--cert", "c.pem",
	                   "--key", "k.pem", "--cert-out", "out.pem", "-s",
	                   "127.0.0.1#5353", "--timeout", "500", "--tries",
	                   "2", "--ca", "CA.Test", "--ca", "other.test",
	                   "--policy", "rfc8659", "--recheck", "after=60",
	                   "-q", "-"),
	             0, "%s", test_err);
	cr_assert_eq(c.listen_addr.ss_family, AF_INET6);
	cr_assert_eq(test_port(&c.listen_addr), 0);
	cr_assert_str_eq(c.upstream_host, "localhost");
	cr_assert_eq(c.upstream_port, 8443);
	cr_assert_str_eq(c.upstream_ca, "ca.pem");
	cr_assert_str_eq(c.cert, "c.pem");
	cr_assert_str_eq(c.key, "k.pem");
	cr_assert_str_eq(c.cert_out, "out.pem");
	cr_assert_str_eq(c.server, "127.0.0.1#5353");
	cr_assert_eq(c.timeout_ms, 500);
	cr_assert_eq(c.tries, 2);
	cr_assert_eq(c.ncas, 2);
	cr_assert_str_eq(c.cas[0], "ca.test"); /* lower-cased */
	cr_assert_str_eq(c.cas[1], "other.test");
	cr_assert_eq(c.policy, CAA_POLICY_RFC8659);
	cr_assert_eq(c.recheck, CONFIG_RECHECK_AFTER);
	cr_assert_eq(c.recheck_after_s, 60);
	cr_assert_str_eq(c.log, "-");
	config_clear(&c);
}

Test(gate_config, recheck_words)
{
	struct gate_config c;

	cr_assert_eq(PARSE(&c, "-u", "http://[::1]:80", "--recheck", "always"),
	             0);
	cr_assert_eq(c.recheck, CONFIG_RECHECK_ALWAYS);
	cr_assert_not(c.upstream_tls);
	cr_assert_str_eq(c.upstream_host, "::1"); /* brackets dropped */
	config_clear(&c);
	cr_assert_eq(PARSE(&c, "-u", "http://a.test", "--recheck", "never"),
	             0);
	cr_assert_eq(c.recheck, CONFIG_RECHECK_NEVER);
	cr_assert_eq(c.upstream_port, 80); /* the scheme's */
	config_clear(&c);
	cr_assert_eq(PARSE(&c, "-u", "https://a.test"), 0);
	cr_assert_eq(c.upstream_port, 443);
	config_clear(&c);
}

Test(gate_config, usage_errors_name_the_option)
{
	USAGE("-u/--upstream URL is required", "-l", "127.0.0.1:0");
	USAGE("'ftp://a.test' for -u/--upstream", "-u", "ftp://a.test");
	USAGE("scheme, host and port only", "-u", "https://a.test/dir");
	USAGE("scheme, host and port only", "-u", "https://a.test/?x=1");
	USAGE("'not a url' for -u/--upstream", "-u", "not a url");
	USAGE("'1.2.3.4' for -l/--listen", "-u", "https://a.test", "-l",
	      "1.2.3.4");
	USAGE("'127.0.0.1:70000' for -l/--listen", "-u", "https://a.test",
	      "-l", "127.0.0.1:70000");
	USAGE("'host.test:1' for -l/--listen", "-u", "https://a.test", "-l",
	      "host.test:1");
	USAGE("'a_b.test' for --ca", "-u", "https://a.test", "--ca",
	      "a_b.test");
	USAGE("'..' for --ca", "-u", "https://a.test", "--ca", "..");
	USAGE("'strict' for --policy", "-u", "https://a.test", "--policy",
	      "strict");
	USAGE("'after=' for --recheck", "-u", "https://a.test", "--recheck",
	      "after=");
	USAGE("'after=-1' for --recheck", "-u", "https://a.test", "--recheck",
	      "after=-1");
	USAGE("'sometimes' for --recheck", "-u", "https://a.test",
	      "--recheck", "sometimes");
	USAGE("'0' for --timeout", "-u", "https://a.test", "--timeout", "0");
	USAGE("'21' for --tries", "-u", "https://a.test", "--tries", "21");
	USAGE("'0' for -p/--port", "-u", "https://a.test", "-p", "0");
	USAGE("--cert and --key go together", "-u", "https://a.test",
	      "--cert", "c.pem");
	USAGE("the upstream is http", "-u", "http://a.test", "--upstream-ca",
	      "ca.pem");
	USAGE("-s/--server", "-u", "https://a.test", "-s", "[::1");
	USAGE("unknown option '--bogus'", "-u", "https://a.test", "--bogus");
	USAGE("unexpected argument 'extra'", "-u", "https://a.test", "extra");
	USAGE("-l needs a value", "-u", "https://a.test", "-l");
}

Test(gate_config, listen_forms)
{
	struct sockaddr_storage ss;
	socklen_t len;

	cr_assert_eq(config_listen_parse("127.0.0.1:8443", &ss, &len), 0);
	cr_assert_eq(test_port(&ss), 8443);
	cr_assert_eq(config_listen_parse("[::1]:8443", &ss, &len), 0);
	cr_assert_eq(ss.ss_family, AF_INET6);
	cr_assert_eq(config_listen_parse("[::1]:0", &ss, &len), 0);
	cr_assert_eq(test_port(&ss), 0);
	cr_assert_neq(config_listen_parse("::1", &ss, &len), 0);
	cr_assert_neq(config_listen_parse("127.0.0.1", &ss, &len), 0);
	cr_assert_eq(config_listen_parse("localhost:1", &ss, &len), 0);
	cr_assert_eq(ss.ss_family, AF_INET);
	cr_assert_neq(config_listen_parse("[::1]x", &ss, &len), 0);
	cr_assert_neq(config_listen_parse(":443", &ss, &len), 0);
	cr_assert_neq(config_listen_parse("127.0.0.1:", &ss, &len), 0);
}

Test(gate_config, help_and_version)
{
	struct gate_config c;

	cr_assert_eq(PARSE(&c, "--help"), 0); /* no -u needed */
	cr_assert(c.help);
	config_clear(&c);
	cr_assert_eq(PARSE(&c, "-V"), 0);
	cr_assert(c.version);
	config_clear(&c);
}

/* -s is read once, here, into the address the lookups use. */
Test(gate_config, server_parsed_once)
{
	struct gate_config c;
	const struct sockaddr_in *in = (const struct sockaddr_in *)&c.server_addr;

	cr_assert_eq(PARSE(&c, "-u", "https://a.test", "-s", "127.0.0.1#5353"),
	             0);
	cr_assert_eq(c.server_addr.ss_family, AF_INET);
	cr_assert_eq(c.server_len, sizeof(struct sockaddr_in));
	cr_assert_eq(ntohl(in->sin_addr.s_addr), 0x7f000001);
	cr_assert_eq(test_port(&c.server_addr), 5353);
	config_clear(&c);
	cr_assert_eq(PARSE(&c, "-u", "https://a.test", "-s", "::1", "-p", "54"),
	             0);
	cr_assert_eq(c.server_addr.ss_family, AF_INET6);
	cr_assert_eq(test_port(&c.server_addr), 54);
	config_clear(&c);
}

/* --perspective and --quorum through caa-probe's reader. */
Test(gate_config, perspectives)
{
	struct gate_config c;

	cr_assert_eq(PARSE(&c, "-u", "https://a.test", "-s", "127.0.0.1",
	                   "--perspective", "a=server=127.0.0.1#5300",
	                   "--perspective", "b=from=127.0.0.2", "--quorum",
	                   "1"),
	             0);
	cr_assert_eq(c.persp.n, 2);
	cr_assert_str_eq(c.persp.v[0].name, "a");
	cr_assert_eq(test_port(&c.persp.v[0].server_addr), 5300);
	cr_assert(c.persp.v[1].has_from);
	cr_assert_eq(c.persp.quorum, 1);
	config_clear(&c);
	cr_assert_eq(c.persp.n, 0);
	USAGE("(from=: not an IP address 'x')", "-u", "https://a.test",
	      "--perspective", "a=from=x");
	USAGE("caa-gate: --quorum needs --perspective", "-u", "https://a.test",
	      "--quorum", "1");
	USAGE("caa-gate: --perspective c: rir= is needed", "-u",
	      "https://a.test", "--perspective", "a=rir=ARIN", "--perspective",
	      "b=rir=RIPE", "--perspective", "c=");
}
