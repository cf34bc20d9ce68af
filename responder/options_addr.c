/*
 * responder/options_addr.c -- the addresses of -l and -c in the forms
 * pebble-challtestsrv users type (":8053", "localhost:8053"), and the
 * control token from its three sources.
 */
#include "options.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A host name as RFC 1123 writes them: letters, digits, '-' and '.'. */
static bool
options_is_host_name(const char *s)
{
	bool alpha = false;

	if (*s == '\0' || *s == '.' || *s == '-') {
		return false;
	}
	for (; *s != '\0'; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    *s == '-') {
			alpha = true;
		} else if (!((*s >= '0' && *s <= '9') || *s == '.')) {
			return false;
		}
	}
	return alpha; /* all digits and dots: a bad IPv4 address */
}

/* RFC 6761 6.3: "localhost." and the names below it are loopback. */
static bool
options_is_localhost(const char *h)
{
	size_t n = strlen(h);

	if (n > 0 && h[n - 1] == '.') {
		n--;
	}
	return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	       (n > 10 && strncasecmp(h + n - 10, ".localhost", 10) == 0);
}

/* Append SA with PORT to OUT[0..*N) unless it is there; IPv6 optional. */
static int
options_addr_add(const struct sockaddr *sa, uint16_t port,
                 struct net_listen *out, size_t *n, char *err, size_t errlen)
{
	struct net_listen l;

	memset(&l, 0, sizeof(l));
	if (sa->sa_family == AF_INET) {
		l.addrlen = sizeof(struct sockaddr_in);
		memcpy(&l.addr, sa, l.addrlen);
		((struct sockaddr_in *)&l.addr)->sin_port = htons(port);
	} else if (sa->sa_family == AF_INET6) {
		l.addrlen = sizeof(struct sockaddr_in6);
		memcpy(&l.addr, sa, l.addrlen);
		((struct sockaddr_in6 *)&l.addr)->sin6_port = htons(port);
		l.optional = true;
	} else {
		return 0;
	}
	for (size_t i = 0; i < *n; i++) {
		if (out[i].addrlen == l.addrlen &&
		    memcmp(&out[i].addr, &l.addr, l.addrlen) == 0) {
			return 0;
		}
	}
	if (*n == OPTIONS_ADDRS_MAX) {
		(void)snprintf(err, errlen, "more than %d addresses",
		               OPTIONS_ADDRS_MAX);
		return -EINVAL;
	}
	out[(*n)++] = l;
	return 0;
}

/* The two addresses of a family pair: 0.0.0.0 and ::, or the loopbacks. */
static int
options_addr_pair(bool loopback, uint16_t port, struct net_listen *out,
                  size_t *n, char *err, size_t errlen)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = loopback ? in6addr_loopback : in6addr_any;
	if (options_addr_add((struct sockaddr *)&sin, port, out, n, err,
	                     errlen) != 0) {
		return -EINVAL;
	}
	return options_addr_add((struct sockaddr *)&sin6, port, out, n, err,
	                        errlen);
}

/* Every address HOST resolves to, IPv4 first. */
static int
options_addr_resolve(const char *host, uint16_t port, struct net_listen *out,
                     size_t *n, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0) {
		(void)snprintf(err, errlen, "host '%s' not found (%s)", host,
		               gai_strerror(rc));
		return -EINVAL;
	}
	rc = 0;
	for (int fam = 0; fam < 2 && rc == 0; fam++) {
		for (struct addrinfo *ai = res; ai != NULL && rc == 0;
		     ai = ai->ai_next) {
			if (ai->ai_family == (fam == 0 ? AF_INET : AF_INET6)) {
				rc = options_addr_add(ai->ai_addr, port, out, n,
				                      err, errlen);
			}
		}
	}
	freeaddrinfo(res);
	if (rc == 0 && *n == 0) {
		(void)snprintf(err, errlen, "host '%s' has no address", host);
		rc = -EINVAL;
	}
	return rc;
}

int
options_addr_parse(const char *text, int defport, bool loopback,
                   struct net_listen *out, size_t *n, char *err, size_t errlen)
{
	const char *colon = strchr(text, ':');
	char host[256];
	size_t hlen;
	unsigned long port = 0;
	char *end = NULL;

	*n = 0;
	/* Brackets, several colons or a numeric host: the forms of old. */
	if (text[0] == '[' || (colon != NULL && strchr(colon + 1, ':'))) {
		if (options_listen_parse(text, defport, out, err, errlen) !=
		    0) {
			return -EINVAL;
		}
		*n = 1;
		return 0;
	}
	if (text[0] != ':' &&
	    options_listen_parse(text, defport, out, err, errlen) == 0) {
		*n = 1;
		return 0;
	}
	hlen = colon != NULL ? (size_t)(colon - text) : strlen(text);
	if (hlen >= sizeof(host)) {
		(void)snprintf(err, errlen, "too long a host name");
		return -EINVAL;
	}
	memcpy(host, text, hlen);
	host[hlen] = '\0';
	if (hlen > 0 && !options_is_host_name(host)) {
		return -EINVAL; /* ERR says why, from options_listen_parse() */
	}
	if (colon != NULL) {
		if (colon[1] < '0' || colon[1] > '9' ||
		    (port = strtoul(colon + 1, &end, 10), *end != '\0') ||
		    port > 65535) {
			(void)snprintf(err, errlen,
			               "port not a number from 0 to 65535");
			return -EINVAL;
		}
	} else if (defport < 0) {
		(void)snprintf(err, errlen, "a port is needed");
		return -EINVAL;
	} else {
		port = (unsigned long)defport;
	}
	if (hlen == 0) {
		return options_addr_pair(loopback, (uint16_t)port, out, n, err,
		                         errlen);
	}
	if (options_is_localhost(host)) {
		return options_addr_pair(true, (uint16_t)port, out, n, err,
		                         errlen);
	}
	return options_addr_resolve(host, (uint16_t)port, out, n, err, errlen);
}

/* The first line of PATH into O's own buffer; an OPTIONS_* status. */
static enum options_status
options_token_read(struct options *o, const char *path, char *err,
                   size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int e;

	if (f == NULL) {
		e = errno;
		(void)snprintf(err, errlen, "%s: cannot read (%s)", path,
		               strerror(e));
		return OPTIONS_FAILED;
	}
	errno = 0;
	len = getline(&line, &cap, f);
	e = errno;
	(void)fclose(f);
	if (len < 0 && e != 0) {
		free(line);
		(void)snprintf(err, errlen, "%s: cannot read (%s)", path,
		               strerror(e));
		return e == ENOMEM ? OPTIONS_NOMEM : OPTIONS_FAILED;
	}
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
		line[--len] = '\0';
	}
	if (len <= 0) {
		free(line);
		(void)snprintf(err, errlen,
		               "%s: empty token (the first line is the token)",
		               path);
		return OPTIONS_USAGE_ERROR;
	}
	o->control_token_buf = line;
	o->control_token = line;
	return OPTIONS_RUN;
}

enum options_status
options_control_resolve(struct options *o, char *err, size_t errlen)
{
	const char *env = getenv(OPTIONS_TOKEN_ENV);
	enum options_status st;
	char why[256];

	if (o->control == NULL) {
		if (o->control_token_file != NULL) {
			(void)snprintf(
			        err, errlen,
			        "--control-token-file needs -c/--control");
			return OPTIONS_USAGE_ERROR;
		}
		return OPTIONS_RUN; /* --control-token alone: main says so */
	}
	if (o->control_token == NULL && o->control_token_file != NULL) {
		st = options_token_read(o, o->control_token_file, err, errlen);
		if (st != OPTIONS_RUN) {
			return st;
		}
	}
	if (o->control_token == NULL && env != NULL && env[0] != '\0') {
		o->control_token = env;
	}
	if (options_addr_parse(o->control, -1, o->control_token == NULL,
	                       o->control_addr, &o->ncontrol, why,
	                       sizeof(why)) != 0) {
		(void)snprintf(err, errlen,
		               "bad value '%s' for -c/--control (%s)",
		               o->control, why);
		return OPTIONS_USAGE_ERROR;
	}
	o->control_narrowed = o->control_token == NULL && o->control[0] == ':';
	return OPTIONS_RUN;
}
