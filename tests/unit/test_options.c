/*
 * tests/unit/test_options.c -- caa-responder's command line: defaults,
 * every option, listen addresses and the messages for misuse.
 */
#include <criterion/criterion.h>

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "options.h"
#include "query.h"

/* getopt_long permutes argv and options borrow it: keep it writable. */
static char test_store[32][256];
static char *test_argv[33];

static enum options_status
test_parse(struct options *o, char *err, size_t errlen, const char *const *args)
{
	int argc = 0;

	for (; args[argc] != NULL && argc < 32; argc++) {
		(void)snprintf(test_store[argc], sizeof(test_store[argc]), "%s",
		               args[argc]);
		test_argv[argc] = test_store[argc];
	}
	test_argv[argc] = NULL;
	return options_parse(o, argc, test_argv, err, errlen);
}

/* PARSE(&o, err, "-z", "a.zone", NULL): the list ends with NULL. */
#define PARSE(o, err, ...)                  \
	test_parse((o), (err), sizeof(err), \
	           (const char *const[]){"caa-responder", __VA_ARGS__})

static const char *
test_addr(const struct net_listen *l, char *buf, size_t cap)
{
	cr_assert_eq(l->addrlen, l->addr.ss_family == AF_INET6
	                                 ? sizeof(struct sockaddr_in6)
	                                 : sizeof(struct sockaddr_in));
	return log_addr_format((const struct sockaddr *)&l->addr, buf, cap);
}

static void
test_usage_error(const char *want, const char *const *args)
{
	struct options o;
	char err[256];

	cr_assert_eq(test_parse(&o, err, sizeof(err), args),
	             OPTIONS_USAGE_ERROR, "%s accepted", args[1]);
	cr_assert(strstr(err, want) != NULL, "'%s' lacks '%s'", err, want);
	options_clear(&o);
}

#define USAGE_ERROR(want, ...)   \
	test_usage_error((want), \
	                 (const char *const[]){"caa-responder", __VA_ARGS__})

Test(options, defaults_without_arguments)
{
	struct options o;
	char err[256];
	char a[LOG_ADDR_MAX];

	cr_assert_eq(PARSE(&o, err, NULL), OPTIONS_RUN);
	cr_assert_eq(o.nzones, 0);
	cr_assert_eq(o.nlisten, 2);
	cr_assert_str_eq(test_addr(&o.listen[0], a, sizeof(a)),
	                 "127.0.0.1:5353");
	cr_assert_not(o.listen[0].optional);
	cr_assert_str_eq(test_addr(&o.listen[1], a, sizeof(a)), "[::1]:5353");
	cr_assert(o.listen[1].optional);
	cr_assert_eq(o.udp_max, QUERY_UDP_MAX_DEFAULT);
	cr_assert_eq(o.tcp_idle_ms, 10000);
	cr_assert_eq(o.tcp_max_conns, 512);
	cr_assert_eq(o.max_delayed, 10000);
	cr_assert_eq(o.max_delayed_octets, 16777216);
	cr_assert_null(o.query_log);
	cr_assert_eq(o.verbosity, 0);
	cr_assert_null(o.control);
	cr_assert_null(o.control_token);
	options_clear(&o);
}

Test(options, zones_from_flags_and_arguments_keep_their_order)
{
	struct options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "-z", "a.zone", "b.zone", "--zone",
	                   "c.zone", "--zone=d.zone", "--", "-e.zone", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_eq(o.nzones, 5);
	cr_assert_str_eq(o.zones[0], "a.zone");
	cr_assert_str_eq(o.zones[1], "b.zone");
	cr_assert_str_eq(o.zones[2], "c.zone");
	cr_assert_str_eq(o.zones[3], "d.zone");
	cr_assert_str_eq(o.zones[4], "-e.zone");
	options_clear(&o);
}

Test(options, views_keep_their_order_and_files)
{
	struct options o;
	char err[256];
	char text[CIDR_TEXT_MAX];

	cr_assert_eq(PARSE(&o, err, "common.zone", "--view",
	                   "127.0.0.2=a.zone", "--view=10.0.0.0/8=b.test=b.zone",
	                   "--view", "::1=c.zone", "--view", "127.0.0.2=d.zone",
	                   NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_eq(o.nzones, 1);
	cr_assert_eq(o.nviews, 4);
	cidr_format(&o.views[0].prefix, text, sizeof(text));
	cr_expect_str_eq(text, "127.0.0.2/32");
	cr_expect_str_eq(o.views[0].file, "a.zone");
	cidr_format(&o.views[1].prefix, text, sizeof(text));
	cr_expect_str_eq(text, "10.0.0.0/8");
	cr_expect_str_eq(o.views[1].file, "b.test=b.zone");
	cidr_format(&o.views[2].prefix, text, sizeof(text));
	cr_expect_str_eq(text, "::1/128");
	cr_expect_str_eq(o.views[3].file, "d.zone");
	options_clear(&o);
	cr_assert_eq(o.nviews, 0);
}

Test(options, view_errors_name_the_field)
{
	USAGE_ERROR("bad value '127.0.0.2' for --view (not CIDR=FILE)",
	            "--view", "127.0.0.2", NULL);
	USAGE_ERROR("bad value '127.0.0.2=' for --view (not CIDR=FILE)",
	            "--view", "127.0.0.2=", NULL);
	USAGE_ERROR("bad value '10.0.0.0/33=a.zone' for --view (bad prefix "
	            "length 33)",
	            "--view", "10.0.0.0/33=a.zone", NULL);
	USAGE_ERROR("bad value '127.0.0.2/8=a.zone' for --view (host bits set "
	            "in '127.0.0.2/8' (did you mean 127.0.0.0/8?))",
	            "--view", "127.0.0.2/8=a.zone", NULL);
	USAGE_ERROR("bad value 'example.test=a.zone' for --view (bad address "
	            "'example.test')",
	            "--view", "example.test=a.zone", NULL);
	USAGE_ERROR("bad zone 'bad..origin=a.zone'", "--view",
	            "::1=bad..origin=a.zone", NULL);
}

Test(options, listen_replaces_the_defaults_and_repeats)
{
	struct options o;
	char err[256];
	char a[LOG_ADDR_MAX];

	cr_assert_eq(PARSE(&o, err, "-l", "127.0.0.1:0", "--listen", "[::1]:53",
	                   "-l", "::1", "-l", "10.1.2.3", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_eq(o.nlisten, 4);
	cr_assert_str_eq(test_addr(&o.listen[0], a, sizeof(a)), "127.0.0.1:0");
	cr_assert_str_eq(test_addr(&o.listen[1], a, sizeof(a)), "[::1]:53");
	cr_assert_str_eq(test_addr(&o.listen[2], a, sizeof(a)), "[::1]:5353");
	cr_assert_str_eq(test_addr(&o.listen[3], a, sizeof(a)),
	                 "10.1.2.3:5353");
	for (size_t i = 0; i < o.nlisten; i++) {
		cr_assert_not(o.listen[i].optional, "address %zu optional", i);
	}
	options_clear(&o);
}

Test(options, listen_address_forms)
{
	static const struct {
		const char *text;
		const char *want;
	} ok[] = {
	        {"127.0.0.1", "127.0.0.1:5353"},
	        {"127.0.0.1:53", "127.0.0.1:53"},
	        {"127.0.0.1:0", "127.0.0.1:0"},
	        {"0.0.0.0:65535", "0.0.0.0:65535"},
	        {"::1", "[::1]:5353"},
	        {"[::1]", "[::1]:5353"},
	        {"[::1]:53", "[::1]:53"},
	        {"[::]:0", "[::]:0"},
	        {"[2001:db8::1]:8053", "[2001:db8::1]:8053"},
	        {"::ffff:127.0.0.1", "[::ffff:127.0.0.1]:5353"},
	};
	struct net_listen l;
	char err[128];
	char a[LOG_ADDR_MAX];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(options_listen_parse(ok[i].text, 5353, &l, err,
		                                  sizeof(err)),
		             0, "%s: %s", ok[i].text, err);
		cr_assert_str_eq(test_addr(&l, a, sizeof(a)), ok[i].want);
	}
}

Test(options, listen_address_errors)
{
	static const char *const bad[] = {
	        "",
	        "1.2.3",
	        "1.2.3.4:",
	        ":53",
	        "[::1]x",
	        "[::1]:",
	        "[::1",
	        "[]:53",
	        "localhost",
	        "1.2.3.4:65536",
	        "1.2.3.4:+5",
	        "1.2.3.4:-1",
	        "1.2.3.4: 5",
	        "1.2.3.4:5x",
	        "::1::2",
	        "fe80::1%nosuchif0",
	        "[1.2.3.4]:5",
	};
	struct net_listen l;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_assert_neq(options_listen_parse(bad[i], 5353, &l, err,
		                                   sizeof(err)),
		              0, "'%s' accepted", bad[i]);
		cr_assert_neq(err[0], '\0', "'%s': no reason", bad[i]);
	}
}

Test(options, listen_without_port_when_one_is_needed)
{
	struct net_listen l;
	char err[128];

	cr_assert_neq(
	        options_listen_parse("127.0.0.1", -1, &l, err, sizeof(err)), 0);
	cr_assert(strstr(err, "port") != NULL, "%s", err);
	cr_assert_eq(options_listen_parse("127.0.0.1:8055", -1, &l, err,
	                                  sizeof(err)),
	             0);
}

Test(options, bad_listen_names_the_option_and_value)
{
	USAGE_ERROR("'1.2.3' for -l/--listen", "-l", "1.2.3", NULL);
	USAGE_ERROR("--listen", "--listen=[::1]:x", NULL);
}

Test(options, numbers_and_their_ranges)
{
	struct options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "--udp-max", "4096", "--tcp-idle-timeout",
	                   "250", "--tcp-max-conns=7", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_eq(o.udp_max, 4096);
	cr_assert_eq(o.tcp_idle_ms, 250);
	cr_assert_eq(o.tcp_max_conns, 7);
	options_clear(&o);

	cr_assert_eq(PARSE(&o, err, "--udp-max", "512", NULL), OPTIONS_RUN);
	cr_assert_eq(o.udp_max, 512);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--udp-max", "65535", NULL), OPTIONS_RUN);
	cr_assert_eq(o.udp_max, 65535);
	options_clear(&o);

	USAGE_ERROR("'511' for --udp-max", "--udp-max", "511", NULL);
	USAGE_ERROR("'65536' for --udp-max", "--udp-max", "65536", NULL);
	USAGE_ERROR("--udp-max", "--udp-max", " 600", NULL);
	USAGE_ERROR("--udp-max", "--udp-max", "+600", NULL);
	USAGE_ERROR("--udp-max", "--udp-max", "", NULL);
	USAGE_ERROR("--tcp-idle-timeout", "--tcp-idle-timeout", "0", NULL);
	USAGE_ERROR("--tcp-idle-timeout", "--tcp-idle-timeout", "1e3", NULL);
	USAGE_ERROR("--tcp-max-conns", "--tcp-max-conns", "-1", NULL);
	USAGE_ERROR("--tcp-max-conns", "--tcp-max-conns", "0", NULL);
}

Test(options, delayed_reply_bounds)
{
	struct options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "--max-delayed", "1000",
	                   "--max-delayed-octets=262144", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_eq(o.max_delayed, 1000);
	cr_assert_eq(o.max_delayed_octets, 262144);
	options_clear(&o);
	/* 0: every delayed reply is dropped. */
	cr_assert_eq(PARSE(&o, err, "--max-delayed", "0",
	                   "--max-delayed-octets", "0", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_eq(o.max_delayed, 0);
	cr_assert_eq(o.max_delayed_octets, 0);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--max-delayed", "1000000",
	                   "--max-delayed-octets", "1073741824", NULL),
	             OPTIONS_RUN, "%s", err);
	options_clear(&o);

	USAGE_ERROR("'1000001' for --max-delayed", "--max-delayed", "1000001",
	            NULL);
	USAGE_ERROR("--max-delayed", "--max-delayed", "-1", NULL);
	USAGE_ERROR("--max-delayed", "--max-delayed", "", NULL);
	USAGE_ERROR("'1073741825' for --max-delayed-octets",
	            "--max-delayed-octets", "1073741825", NULL);
	USAGE_ERROR("--max-delayed-octets", "--max-delayed-octets", "16M",
	            NULL);
}

Test(options, query_log_and_verbosity)
{
	struct options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "-q", "-", "-v", "-vv", "--verbose", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_str_eq(o.query_log, "-");
	cr_assert_eq(o.verbosity, 4);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--query-log=/tmp/q.log", NULL),
	             OPTIONS_RUN);
	cr_assert_str_eq(o.query_log, "/tmp/q.log");
	options_clear(&o);
	USAGE_ERROR("-q/--query-log", "-q", "", NULL);
}

Test(options, fault_options_are_kept_in_order)
{
	struct options o;
	char err[256];
	char a[LOG_ADDR_MAX];

	cr_assert_eq(PARSE(&o, err, "-f", "servfail example.test CAA", "-F",
	                   "a.rules", "--fault", "drop . CAA", "-P",
	                   "caa-servfail", "--profile=x:example.test",
	                   "--faults-file=b.rules", "--list-profiles", "--seed",
	                   "18446744073709551615", "-c", "127.0.0.1:8055",
	                   "--control-token", "s3cret", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_eq(o.nfaults, 2);
	cr_assert_str_eq(o.faults[0], "servfail example.test CAA");
	cr_assert_str_eq(o.faults[1], "drop . CAA");
	cr_assert_eq(o.nfault_files, 2);
	cr_assert_str_eq(o.fault_files[0], "a.rules");
	cr_assert_str_eq(o.fault_files[1], "b.rules");
	cr_assert_eq(o.nprofiles, 2);
	cr_assert_str_eq(o.profiles[0], "caa-servfail");
	cr_assert_str_eq(o.profiles[1], "x:example.test");
	cr_assert(o.list_profiles);
	cr_assert(o.has_seed);
	cr_assert_eq(o.seed, UINT64_MAX);
	cr_assert_str_eq(o.control, "127.0.0.1:8055");
	cr_assert_str_eq(test_addr(&o.control_addr[0], a, sizeof(a)),
	                 "127.0.0.1:8055");
	cr_assert_eq(o.ncontrol, 1);
	cr_assert_str_eq(o.control_token, "s3cret");
	options_clear(&o);
}

Test(options, seed_and_control_errors)
{
	USAGE_ERROR("--seed", "--seed", "18446744073709551616", NULL);
	USAGE_ERROR("--seed", "--seed", "-1", NULL);
	USAGE_ERROR("a port is needed", "-c", "127.0.0.1", NULL);
	USAGE_ERROR("--control-token", "--control-token=", NULL);
}

Test(options, default_addresses)
{
	static const uint8_t a[4] = {192, 0, 2, 1};
	static const uint8_t aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, NULL), OPTIONS_RUN);
	cr_assert(!o.defaults.has_a && !o.defaults.has_aaaa, "none by default");
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--default-ipv4", "192.0.2.1",
	                   "--default-ipv6=2001:db8::1", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert(o.defaults.has_a && o.defaults.has_aaaa);
	cr_assert_arr_eq(o.defaults.a, a, 4);
	cr_assert_arr_eq(o.defaults.aaaa, aaaa, 16);
	options_clear(&o);
	/* The last one counts; '' turns it off. */
	cr_assert_eq(PARSE(&o, err, "--default-ipv4", "192.0.2.1",
	                   "--default-ipv4", "", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert(!o.defaults.has_a);
	options_clear(&o);
	USAGE_ERROR("bad value '300.0.0.1' for --default-ipv4 (not a numeric "
	            "IPv4 address",
	            "--default-ipv4", "300.0.0.1", NULL);
	USAGE_ERROR("bad value '::1' for --default-ipv4", "--default-ipv4",
	            "::1", NULL);
	USAGE_ERROR("bad value '192.0.2.1' for --default-ipv6 (not a numeric "
	            "IPv6 address",
	            "--default-ipv6", "192.0.2.1", NULL);
	USAGE_ERROR("bad value 'localhost' for --default-ipv6",
	            "--default-ipv6", "localhost", NULL);
	USAGE_ERROR("--default-ipv4 needs an argument", "--default-ipv4",
	            NULL);
}

Test(options, help_and_version_stop_parsing)
{
	struct options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "-z", "a.zone", "-h", "--bogus", NULL),
	             OPTIONS_HELP);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--help", NULL), OPTIONS_HELP);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "-V", NULL), OPTIONS_VERSION);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--version", NULL), OPTIONS_VERSION);
	options_clear(&o);
}

Test(options, misuse_names_the_option)
{
	USAGE_ERROR("unknown option '-x'", "-x", NULL);
	USAGE_ERROR("unknown option '-x'", "-vx", NULL);
	USAGE_ERROR("unknown option '--bogus'", "--bogus=1", NULL);
	USAGE_ERROR("ambiguous option '--tcp'", "--tcp", "5", NULL);
	USAGE_ERROR("-z/--zone needs an argument", "-z", NULL);
	USAGE_ERROR("-z/--zone needs an argument", "--zone", NULL);
	USAGE_ERROR("--udp-max needs an argument", "--udp-max", NULL);
	USAGE_ERROR("-h/--help takes no argument", "--help=1", NULL);
	USAGE_ERROR("--list-profiles takes no argument", "--list-profiles=x",
	            NULL);
	USAGE_ERROR("empty zone file name", "", NULL);
}

Test(options, long_option_prefixes_are_accepted)
{
	struct options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "--udp", "1400", "--que", "-", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert_eq(o.udp_max, 1400);
	cr_assert_str_eq(o.query_log, "-");
	options_clear(&o);
}

Test(options, parses_again_in_one_process)
{
	struct options o;
	char err[256];

	for (int i = 0; i < 3; i++) {
		cr_assert_eq(
		        PARSE(&o, err, "-v", "-z", "a.zone", "b.zone", NULL),
		        OPTIONS_RUN, "round %d: %s", i, err);
		cr_assert_eq(o.verbosity, 1);
		cr_assert_eq(o.nzones, 2);
		options_clear(&o);
	}
	USAGE_ERROR("-x", "-z", "a.zone", "-x", NULL);
	cr_assert_eq(PARSE(&o, err, "-z", "c.zone", NULL), OPTIONS_RUN);
	cr_assert_eq(o.nzones, 1);
	options_clear(&o);
}

Test(options, clear_accepts_a_cleared_struct)
{
	struct options o;

	options_init(&o);
	options_clear(&o);
	options_clear(&o);
	cr_assert_null(o.zones);
	cr_assert_eq(o.udp_max, QUERY_UDP_MAX_DEFAULT);
}

Test(options, usage_shows_every_option_and_the_defaults)
{
	static const char *const want[] = {
	        "--zone",
	        "--listen",
	        "--query-log",
	        "--udp-max",
	        "--tcp-idle-timeout",
	        "--tcp-max-conns",
	        "--max-delayed ",
	        "--max-delayed-octets",
	        "(default 16777216)",
	        "--fault",
	        "--faults-file",
	        "--profile",
	        "--list-profiles",
	        "--seed",
	        "--control ",
	        "--control-token",
	        "--default-ipv4 ADDR",
	        "--default-ipv6 ADDR",
	        "--tlsalpn01 ADDR:PORT",
	        "--view CIDR=[ORIGIN=]FILE",
	        "from=CIDR",
	        "--verbose",
	        "--help",
	        "--version",
	        "127.0.0.1:5353",
	        "[::1]:5353",
	        "(default 1232)",
	        "(default 10000)",
	        "(default 512)",
	};
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	cr_assert_not_null(fp);
	options_usage(fp, "caa-responder");
	cr_assert_eq(fclose(fp), 0);
	cr_assert(strncmp(text, "Usage: caa-responder ", 21) == 0);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		cr_assert(strstr(text, want[i]) != NULL, "help lacks '%s'",
		          want[i]);
	}
	free(text);
}

/* ADDRS, the addresses of O's -l (or -c when CONTROL), joined by spaces,
 * each with a '?' when optional. */
static const char *
test_addrs(const struct options *o, bool control, char *buf, size_t cap)
{
	const struct net_listen *l = control ? o->control_addr : o->listen;
	size_t n = control ? o->ncontrol : o->nlisten, len = 0;
	char a[LOG_ADDR_MAX];

	buf[0] = '\0';
	for (size_t i = 0; i < n && len < cap; i++) {
		len += (size_t)snprintf(buf + len, cap - len, "%s%s%s",
		                        i > 0 ? " " : "",
		                        test_addr(&l[i], a, sizeof(a)),
		                        l[i].optional ? "?" : "");
	}
	return buf;
}

/* The forms pebble-challtestsrv users type, beside the numeric ones. */
Test(options, listen_every_address_and_host_names)
{
	static const struct {
		const char *arg;
		const char *want;
	} ok[] = {
	        {":0", "0.0.0.0:0 [::]:0?"},
	        {":8053", "0.0.0.0:8053 [::]:8053?"},
	        {"localhost:0", "127.0.0.1:0 [::1]:0?"},
	        {"localhost", "127.0.0.1:5353 [::1]:5353?"},
	        {"LocalHost.:53", "127.0.0.1:53 [::1]:53?"},
	        {"a.localhost:53", "127.0.0.1:53 [::1]:53?"},
	        {"127.0.0.1:53", "127.0.0.1:53"},
	        {"[::1]:53", "[::1]:53"},
	        {"::1", "[::1]:5353"},
	};
	struct options o;
	char err[256], buf[512];

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_eq(PARSE(&o, err, "-l", ok[i].arg, NULL), OPTIONS_RUN,
		             "%s: %s", ok[i].arg, err);
		cr_expect_str_eq(test_addrs(&o, false, buf, sizeof(buf)),
		                 ok[i].want, "-l %s", ok[i].arg);
		options_clear(&o);
	}
	USAGE_ERROR("port not a number", "-l", ":x", NULL);
	USAGE_ERROR("port not a number", "-l", "localhost:65536", NULL);
	USAGE_ERROR("'loc_al:53' for -l/--listen", "-l", "loc_al:53", NULL);
	USAGE_ERROR("'1.2.3.4.5' for -l/--listen", "-l", "1.2.3.4.5", NULL);
}

/* --tlsalpn01: off by default; the forms of -l, a port required. */
Test(options, tlsalpn01_addresses)
{
	struct options o;
	char err[256], buf[512];
	struct net_listen *save;
	size_t nsave;

	cr_assert_eq(PARSE(&o, err, NULL), OPTIONS_RUN, "%s", err);
	cr_expect_eq(o.ntlsalpn, 0);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--tlsalpn01", ":5001", NULL), OPTIONS_RUN,
	             "%s", err);
	save = o.listen;
	nsave = o.nlisten;
	o.listen = o.tlsalpn_addr; /* test_addrs() reads -l's */
	o.nlisten = o.ntlsalpn;
	cr_expect_str_eq(test_addrs(&o, false, buf, sizeof(buf)),
	                 "0.0.0.0:5001 [::]:5001?");
	o.listen = save;
	o.nlisten = nsave;
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--tlsalpn01", "[::1]:1", "--tlsalpn01",
	                   "127.0.0.1:0", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_expect_eq(o.ntlsalpn, 1, "the last one counts");
	cr_expect_eq(o.tlsalpn_addr[0].addr.ss_family, AF_INET);
	options_clear(&o);
	USAGE_ERROR("'127.0.0.1' for --tlsalpn01", "--tlsalpn01", "127.0.0.1",
	            NULL);
	USAGE_ERROR("for --tlsalpn01", "--tlsalpn01", "", NULL);
}

/* -c :PORT is loopback without a token, every address with one. */
Test(options, control_every_address_needs_a_token)
{
	struct options o;
	char err[256], buf[512];

	unsetenv(OPTIONS_TOKEN_ENV);
	cr_assert_eq(PARSE(&o, err, "-c", ":8055", NULL), OPTIONS_RUN, "%s",
	             err);
	cr_expect_str_eq(test_addrs(&o, true, buf, sizeof(buf)),
	                 "127.0.0.1:8055 [::1]:8055?");
	cr_expect(o.control_narrowed);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "-c", ":8055", "--control-token", "t", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_expect_str_eq(test_addrs(&o, true, buf, sizeof(buf)),
	                 "0.0.0.0:8055 [::]:8055?");
	cr_expect_not(o.control_narrowed);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "-c", "localhost:0", NULL), OPTIONS_RUN,
	             "%s", err);
	cr_expect_str_eq(test_addrs(&o, true, buf, sizeof(buf)),
	                 "127.0.0.1:0 [::1]:0?");
	cr_expect_not(o.control_narrowed);
	options_clear(&o);
	USAGE_ERROR("a port is needed", "-c", "localhost", NULL);
	USAGE_ERROR("for -c/--control", "-c", ":", NULL);
}

/* --control-token, then --control-token-file, then CAA_CONTROL_TOKEN. */
Test(options, control_token_sources_in_order)
{
	char path[] = "/tmp/caalab-token-XXXXXX";
	int fd = mkstemp(path);
	struct options o;
	char err[512];
	FILE *f;

	cr_assert_geq(fd, 0);
	f = fdopen(fd, "w");
	cr_assert_not_null(f);
	fputs("from-file\r\nsecond line\n", f);
	fclose(f);
	setenv(OPTIONS_TOKEN_ENV, "from-env", 1);
	cr_assert_eq(PARSE(&o, err, "-c", ":0", "--control-token", "arg",
	                   "--control-token-file", path, NULL),
	             OPTIONS_RUN, "%s", err);
	cr_expect_str_eq(o.control_token, "arg");
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "-c", ":0", "--control-token-file", path,
	                   NULL),
	             OPTIONS_RUN, "%s", err);
	cr_expect_str_eq(o.control_token, "from-file");
	cr_expect_not(o.control_narrowed);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "-c", ":0", NULL), OPTIONS_RUN, "%s", err);
	cr_expect_str_eq(o.control_token, "from-env");
	options_clear(&o);
	/* Without -c the environment is not a token at all. */
	cr_assert_eq(PARSE(&o, err, NULL), OPTIONS_RUN, "%s", err);
	cr_expect_null(o.control_token);
	options_clear(&o);
	setenv(OPTIONS_TOKEN_ENV, "", 1);
	cr_assert_eq(PARSE(&o, err, "-c", "127.0.0.1:0", NULL), OPTIONS_RUN);
	cr_expect_null(o.control_token);
	options_clear(&o);
	unsetenv(OPTIONS_TOKEN_ENV);

	/* Errors name the file: empty is misuse, unreadable a failure. */
	f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("\n", f);
	fclose(f);
	cr_assert_eq(PARSE(&o, err, "-c", ":0", "--control-token-file", path,
	                   NULL),
	             OPTIONS_USAGE_ERROR);
	cr_expect(strstr(err, path) != NULL && strstr(err, "empty") != NULL,
	          "%s", err);
	options_clear(&o);
	unlink(path);
	cr_assert_eq(PARSE(&o, err, "-c", ":0", "--control-token-file", path,
	                   NULL),
	             OPTIONS_FAILED);
	cr_expect(strstr(err, path) != NULL &&
	                  strstr(err, "No such file") != NULL,
	          "%s", err);
	options_clear(&o);
	USAGE_ERROR("--control-token-file needs -c", "--control-token-file",
	            path, NULL);
}

/* --http01: the forms of -l with a port, repeatable, off without it. */
Test(options, http01_addresses)
{
	struct options o;
	char err[256], buf[512], a[LOG_ADDR_MAX];
	size_t len = 0;

	cr_assert_eq(PARSE(&o, err, NULL), OPTIONS_RUN);
	cr_expect_eq(o.nhttp01, 0, "off unless asked for");
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--http01", ":5002", "--http01",
	                   "127.0.0.2:0", "--http01=[::1]:5003", NULL),
	             OPTIONS_RUN, "%s", err);
	buf[0] = '\0';
	for (size_t i = 0; i < o.nhttp01; i++) {
		const struct net_listen *l = &o.http01_addr[i];

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s",
		                        i > 0 ? " " : "",
		                        test_addr(l, a, sizeof(a)),
		                        l->optional ? "?" : "");
	}
	cr_expect_str_eq(buf, "0.0.0.0:5002 [::]:5002? 127.0.0.2:0 [::1]:5003");
	options_clear(&o);
	USAGE_ERROR("bad value '127.0.0.1' for --http01 (a port is needed)",
	            "--http01", "127.0.0.1", NULL);
	USAGE_ERROR("bad value '[::1]' for --http01 (a port is needed)",
	            "--http01", "[::1]", NULL);
	USAGE_ERROR("for --http01 (port not a number", "--http01", ":x", NULL);
	USAGE_ERROR("option --http01 needs an argument", "--http01", NULL);
}

Test(options, http01_addresses_are_bounded)
{
	const char *args[2 * OPTIONS_ADDRS_MAX + 4] = {"caa-responder"};
	struct options o;
	char err[256];
	int n = 1;

	for (int i = 0; i <= OPTIONS_ADDRS_MAX / 2; i++) {
		args[n++] = "--http01";
		args[n++] = ":0"; /* two addresses each */
	}
	args[n] = NULL;
	cr_assert_eq(test_parse(&o, err, sizeof(err), args),
	             OPTIONS_USAGE_ERROR);
	cr_expect(strstr(err, "more than 16 addresses in all") != NULL, "%s",
	          err);
	options_clear(&o);
}

Test(options, dnssec_is_off_unless_asked)
{
	struct options o;
	char err[256];

	cr_assert_eq(PARSE(&o, err, "a.zone", NULL), OPTIONS_RUN, "%s", err);
	cr_assert(!o.dnssec && !o.nsec3);
	cr_assert_null(o.key_dir);
	cr_assert_null(o.trust_anchor_out);
	options_clear(&o);
	cr_assert_eq(PARSE(&o, err, "--dnssec", "--nsec3", "--key-dir", "k",
	                   "--trust-anchor-out=ta.ds", "a.zone", NULL),
	             OPTIONS_RUN, "%s", err);
	cr_assert(o.dnssec && o.nsec3);
	cr_assert_str_eq(o.key_dir, "k");
	cr_assert_str_eq(o.trust_anchor_out, "ta.ds");
	options_clear(&o);
}

Test(options, dnssec_options_need_dnssec)
{
	USAGE_ERROR("option --nsec3 needs --dnssec", "--nsec3", NULL);
	USAGE_ERROR("option --key-dir needs --dnssec", "--key-dir", "k", NULL);
	USAGE_ERROR("option --trust-anchor-out needs --dnssec",
	            "--trust-anchor-out", "ta", NULL);
	USAGE_ERROR("empty directory name", "--dnssec", "--key-dir", "", NULL);
	USAGE_ERROR("empty file name", "--dnssec", "--trust-anchor-out", "",
	            NULL);
}
