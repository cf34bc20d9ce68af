/*
 * responder/tlsalpn.c -- the TLS-ALPN-01 challenge server (RFC 8737):
 * listeners, the ClientHello check, the challenges and their history.
 */
#include "tlsalpn.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/tls1.h>

#include "listen.h"
#include "log.h"
#include "net.h"
#include "tlsalpn_cert.h"
#include "tlsalpn_hello.h"

struct tlsalpn_conn {
	struct tlsalpn *t;
	struct bufferevent *bev;
	struct tlsalpn_conn *prev, *next;
	bool hello_seen; /* a second ClientHello (after HRR) adds no event */
	char peer[LOG_ADDR_MAX];
};

struct tlsalpn_chall {
	char host[TLSALPN_HOST_MAX + 1]; /* lower case, no final dot */
	size_t hostlen;
	uint8_t digest[TLSALPN_DIGEST_LEN]; /* SHA-256(key authorization) */
};

struct tlsalpn {
	struct event_base *base;
	SSL_CTX *ctx;
	EVP_PKEY *key;
	struct evconnlistener *lis[TLSALPN_ADDRS_MAX];
	struct sockaddr_storage bound[TLSALPN_ADDRS_MAX];
	size_t nbound;
	struct tlsalpn_chall *chall; /* TLSALPN_HOSTS_MAX slots */
	size_t nchall;
	struct tlsalpn_event *hist; /* a ring of TLSALPN_HISTORY_MAX */
	size_t hist_first, hist_count;
	struct tlsalpn_conn *conns;
	size_t nconns;
};

/*
 * HOST as the table keeps it, into OUT (TLSALPN_HOST_MAX + 1): one final
 * dot dropped, lower case.  Returns its length, or 0 when it is not a
 * host (empty, too long, an octet outside 0x21-0x7e).
 */
static size_t
tlsalpn_host_norm(const char *host, size_t len, char *out)
{
	if (len > 0 && host[len - 1] == '.') {
		len--;
	}
	if (len == 0 || len > TLSALPN_HOST_MAX) {
		return 0;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)host[i];

		if (c < 0x21 || c > 0x7e) {
			return 0;
		}
		out[i] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out[len] = '\0';
	return len;
}

/* The challenge of HOST[0..LEN) (normalized), or NULL. */
static struct tlsalpn_chall *
tlsalpn_chall_find(struct tlsalpn *t, const char *host, size_t len)
{
	for (size_t i = 0; i < t->nchall; i++) {
		if (t->chall[i].hostlen == len &&
		    memcmp(t->chall[i].host, host, len) == 0) {
			return &t->chall[i];
		}
	}
	return NULL;
}

int
tlsalpn_challenge_set(struct tlsalpn *t, const char *host, const void *content,
                      size_t len)
{
	char norm[TLSALPN_HOST_MAX + 1];
	size_t n = tlsalpn_host_norm(host, strlen(host), norm);
	struct tlsalpn_chall *c;

	if (n == 0) {
		return -EINVAL;
	}
	c = tlsalpn_chall_find(t, norm, n);
	if (c == NULL && t->nchall >= TLSALPN_HOSTS_MAX) {
		return -ENOSPC;
	}
	if (c == NULL) {
		c = &t->chall[t->nchall];
	}
	if (tlsalpn_digest(content, len, c->digest) != 0) {
		ERR_clear_error();
		return -ENOMEM;
	}
	if (c == &t->chall[t->nchall]) {
		memcpy(c->host, norm, n + 1);
		c->hostlen = n;
		t->nchall++;
	}
	return 0;
}

bool
tlsalpn_challenge_del(struct tlsalpn *t, const char *host)
{
	char norm[TLSALPN_HOST_MAX + 1];
	size_t n = tlsalpn_host_norm(host, strlen(host), norm);
	struct tlsalpn_chall *c = n > 0 ? tlsalpn_chall_find(t, norm, n) : NULL;

	if (c == NULL) {
		return false;
	}
	*c = t->chall[--t->nchall]; /* the last one takes its slot */
	return true;
}

size_t
tlsalpn_history_count(const struct tlsalpn *t)
{
	return t->hist_count;
}

const struct tlsalpn_event *
tlsalpn_history_get(const struct tlsalpn *t, size_t i)
{
	return &t->hist[(t->hist_first + i) % TLSALPN_HISTORY_MAX];
}

bool
tlsalpn_event_matches(const struct tlsalpn_event *e, const char *host)
{
	size_t len = strlen(host);

	if (len > 0 && host[len - 1] == '.') {
		len--;
	}
	return e->namelen == len && strncasecmp(e->name, host, len) == 0 &&
	       memchr(e->name, '\0', len) == NULL;
}

size_t
tlsalpn_history_clear(struct tlsalpn *t, const char *host)
{
	size_t kept = 0, n = t->hist_count;

	/* Compact in place: entry I moves to KEPT <= I, never over one
	 * not yet read. */
	for (size_t i = 0; i < n; i++) {
		const struct tlsalpn_event *e = tlsalpn_history_get(t, i);

		if (tlsalpn_event_matches(e, host)) {
			continue;
		}
		if (kept != i) {
			t->hist[(t->hist_first + kept) % TLSALPN_HISTORY_MAX] =
			        *e;
		}
		kept++;
	}
	t->hist_count = kept;
	return n - kept;
}

/* A new history entry, the oldest dropped when full. */
static struct tlsalpn_event *
tlsalpn_history_add(struct tlsalpn *t)
{
	struct tlsalpn_event *e;

	if (t->hist_count == TLSALPN_HISTORY_MAX) {
		t->hist_first = (t->hist_first + 1) % TLSALPN_HISTORY_MAX;
		t->hist_count--;
	}
	e = &t->hist[(t->hist_first + t->hist_count) % TLSALPN_HISTORY_MAX];
	t->hist_count++;
	memset(e, 0, sizeof(*e));
	return e;
}

/*
 * The ClientHello callback: record it, refuse it as challtestsrv does,
 * or give the SSL its host's certificate.  Returns
 * SSL_CLIENT_HELLO_SUCCESS, or SSL_CLIENT_HELLO_ERROR with the alert *AL.
 */
static int
tlsalpn_hello(SSL *ssl, int *al, void *arg)
{
	static const uint8_t proto[] = "\x0a" TLSALPN_PROTO;
	struct tlsalpn *t = arg;
	struct tlsalpn_conn *c = SSL_get_app_data(ssl);
	const uint8_t *ext = NULL, *alpn = NULL, *sni = (const uint8_t *)"";
	size_t extlen = 0, alpnlen = 0, snilen = 0;
	char host[TLSALPN_HOST_MAX + 1];
	const struct tlsalpn_chall *ch = NULL;
	int nproto = -1;
	X509 *x;

	if (SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_server_name, &ext,
	                              &extlen) == 1 &&
	    tlsalpn_sni_parse(ext, extlen, &sni, &snilen) != 0) {
		*al = SSL_AD_DECODE_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (SSL_client_hello_get0_ext(
	            ssl, TLSEXT_TYPE_application_layer_protocol_negotiation,
	            &alpn, &alpnlen) == 1) {
		nproto = tlsalpn_alpn_parse(alpn, alpnlen);
		if (nproto < 0) {
			*al = SSL_AD_DECODE_ERROR;
			return SSL_CLIENT_HELLO_ERROR;
		}
	} else {
		alpn = NULL;
	}
	if (!c->hello_seen) {
		c->hello_seen = true;
		tlsalpn_event_fill(tlsalpn_history_add(t), sni, snilen, alpn,
		                   alpnlen);
	}
	if (nproto < 0 || nproto > 1 || alpnlen != sizeof(proto) + 1 ||
	    memcmp(alpn + 2, proto, sizeof(proto) - 1) != 0) {
		/* ALPN that cannot pick acme-tls/1, as Go's crypto/tls. */
		bool other = nproto > 0 && memmem(alpn + 2, alpnlen - 2, proto,
		                                  sizeof(proto) - 1) == NULL;

		log_debug("tlsalpn01: %s refused (ALPN is not exactly %s)",
		          c->peer, TLSALPN_PROTO);
		*al = other ? SSL_AD_NO_APPLICATION_PROTOCOL
		            : SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	if (memchr(sni, '\0', snilen) == NULL) {
		size_t n = tlsalpn_host_norm((const char *)sni, snilen, host);

		ch = n > 0 ? tlsalpn_chall_find(t, host, n) : NULL;
	}
	if (ch == NULL) {
		log_debug("tlsalpn01: %s refused (no challenge for SNI '%.*s')",
		          c->peer, (int)(snilen < 255 ? snilen : 255),
		          (const char *)sni);
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	x = tlsalpn_cert_build(t->key, (const char *)sni, snilen, ch->digest);
	if (x == NULL || SSL_use_certificate(ssl, x) != 1 ||
	    SSL_use_PrivateKey(ssl, t->key) != 1) {
		X509_free(x);
		log_warn("tlsalpn01: %s: no certificate made for '%s'", c->peer,
		         ch->host);
		*al = SSL_AD_INTERNAL_ERROR;
		return SSL_CLIENT_HELLO_ERROR;
	}
	X509_free(x); /* the SSL holds its own reference */
	log_debug("tlsalpn01: %s: certificate for '%s'", c->peer, ch->host);
	return SSL_CLIENT_HELLO_SUCCESS;
}

/* ALPN: the hello callback let only a lone acme-tls/1 through. */
static int
tlsalpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
               const unsigned char *in, unsigned int inlen, void *arg)
{
	(void)ssl;
	(void)arg;
	if (inlen != 1 + sizeof(TLSALPN_PROTO) - 1 ||
	    in[0] != sizeof(TLSALPN_PROTO) - 1 ||
	    memcmp(in + 1, TLSALPN_PROTO, sizeof(TLSALPN_PROTO) - 1) != 0) {
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	*out = in + 1;
	*outlen = in[0];
	return SSL_TLSEXT_ERR_OK;
}

static void
tlsalpn_conn_free(struct tlsalpn_conn *c)
{
	struct tlsalpn *t = c->t;

	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		t->conns = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	t->nconns--;
	bufferevent_free(c->bev); /* frees the SSL and closes the socket */
	free(c);
}

/* Handshake done, failed or timed out: close the connection. */
static void
tlsalpn_conn_event(struct bufferevent *bev, short what, void *arg)
{
	struct tlsalpn_conn *c = arg;
	unsigned long e;

	if (what & BEV_EVENT_CONNECTED) {
		log_debug("tlsalpn01: %s: handshake done, closing", c->peer);
		/* close_notify, so the client sees an orderly end. */
		(void)SSL_shutdown(bufferevent_openssl_get_ssl(bev));
	} else if (what & BEV_EVENT_TIMEOUT) {
		log_debug("tlsalpn01: %s: timed out", c->peer);
	}
	while ((e = bufferevent_get_openssl_error(bev)) != 0) {
		char why[256];

		ERR_error_string_n(e, why, sizeof(why));
		log_debug("tlsalpn01: %s: %s", c->peer, why);
	}
	ERR_clear_error();
	tlsalpn_conn_free(c);
}

static void
tlsalpn_accept(struct evconnlistener *lis, evutil_socket_t fd,
               struct sockaddr *sa, int salen, void *arg)
{
	static const struct timeval tv = {TLSALPN_TIMEOUT_MS / 1000,
	                                  (TLSALPN_TIMEOUT_MS % 1000) * 1000};
	struct tlsalpn *t = arg;
	struct tlsalpn_conn *c = NULL;
	SSL *ssl = NULL;

	(void)lis;
	(void)salen;
	if (t->nconns >= TLSALPN_CONNS_MAX) {
		log_debug("tlsalpn01: connection refused (%d at once)",
		          TLSALPN_CONNS_MAX);
		goto fail;
	}
	c = calloc(1, sizeof(*c));
	ssl = SSL_new(t->ctx);
	if (c == NULL || ssl == NULL) {
		log_warn("tlsalpn01: connection refused (out of memory)");
		goto fail;
	}
	c->t = t;
	(void)log_addr_format(sa, c->peer, sizeof(c->peer));
	SSL_set_app_data(ssl, c);
	c->bev = bufferevent_openssl_socket_new(t->base, fd, ssl,
	                                        BUFFEREVENT_SSL_ACCEPTING,
	                                        BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		/* libevent 2.1 leaves SSL and socket to the caller here. */
		log_warn("tlsalpn01: connection refused (out of memory)");
		goto fail;
	}
	ssl = NULL; /* the bufferevent's now, with FD */
	bufferevent_setcb(c->bev, NULL, NULL, tlsalpn_conn_event, c);
	if (bufferevent_set_timeouts(c->bev, &tv, &tv) != 0 ||
	    bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0) {
		bufferevent_free(c->bev);
		free(c);
		return;
	}
	c->next = t->conns;
	if (t->conns != NULL) {
		t->conns->prev = c;
	}
	t->conns = c;
	t->nconns++;
	return;
fail:
	SSL_free(ssl);
	free(c);
	(void)close(fd);
}

/* The SSL_CTX every connection is made from; NULL with ERR filled. */
static SSL_CTX *
tlsalpn_ctx_new(struct tlsalpn *t, char *err, size_t errlen)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

	if (ctx == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
	    SSL_CTX_set_num_tickets(ctx, 0) != 1) {
		SSL_CTX_free(ctx);
		(void)snprintf(err, errlen, "tlsalpn01: TLS not set up");
		return NULL;
	}
	(void)SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	(void)SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_client_hello_cb(ctx, tlsalpn_hello, t);
	SSL_CTX_set_alpn_select_cb(ctx, tlsalpn_select, t);
	return ctx;
}

/* Listen on ADDR; 0, 1 (optional and left out) or -1 with ERR. */
static int
tlsalpn_listen(struct tlsalpn *t, const struct net_listen *addr, char *err,
               size_t errlen)
{
	char name[LOG_ADDR_MAX];
	socklen_t len = sizeof(t->bound[0]);
	unsigned flags = LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
	                 LEV_OPT_CLOSE_ON_EXEC;
	struct evconnlistener *lis;
	int e;

	if (addr->addr.ss_family == AF_INET6) {
		flags |= LEV_OPT_BIND_IPV6ONLY; /* [::] beside 0.0.0.0 */
	}
	lis = evconnlistener_new_bind(t->base, tlsalpn_accept, t, flags, 64,
	                              (const struct sockaddr *)&addr->addr,
	                              (int)addr->addrlen);
	e = errno;

	(void)log_addr_format((const struct sockaddr *)&addr->addr, name,
	                      sizeof(name));
	if (lis == NULL) {
		(void)snprintf(err, errlen, "tlsalpn01 %s: %s", name,
		               strerror(e));
		if (addr->optional) {
			log_warn("%s; going on without it", err);
			return 1;
		}
		return -1;
	}
	if (getsockname(evconnlistener_get_fd(lis),
	                (struct sockaddr *)&t->bound[t->nbound], &len) != 0) {
		e = errno;
		evconnlistener_free(lis);
		(void)snprintf(err, errlen, "tlsalpn01 %s: %s", name,
		               strerror(e));
		return -1;
	}
	t->lis[t->nbound++] = lis;
	return 0;
}

struct tlsalpn *
tlsalpn_new(struct event_base *base, const struct net_listen *addr, size_t n,
            char *err, size_t errlen)
{
	struct tlsalpn *t = calloc(1, sizeof(*t));

	if (t == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	t->base = base;
	t->chall = calloc(TLSALPN_HOSTS_MAX, sizeof(*t->chall));
	t->hist = calloc(TLSALPN_HISTORY_MAX, sizeof(*t->hist));
	if (t->chall == NULL || t->hist == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		goto fail;
	}
	t->key = tlsalpn_key_new();
	if (t->key == NULL) {
		(void)snprintf(err, errlen, "tlsalpn01: no P-256 key made");
		goto fail;
	}
	t->ctx = tlsalpn_ctx_new(t, err, errlen);
	if (t->ctx == NULL) {
		goto fail;
	}
	for (size_t i = 0; i < n && i < TLSALPN_ADDRS_MAX; i++) {
		if (tlsalpn_listen(t, &addr[i], err, errlen) < 0) {
			goto fail;
		}
	}
	if (t->nbound == 0) {
		(void)snprintf(err, errlen,
		               "tlsalpn01: no address to listen on");
		goto fail;
	}
	return t;
fail:
	ERR_clear_error();
	tlsalpn_free(t);
	return NULL;
}

void
tlsalpn_free(struct tlsalpn *t)
{
	if (t == NULL) {
		return;
	}
	while (t->conns != NULL) {
		tlsalpn_conn_free(t->conns);
	}
	for (size_t i = 0; i < t->nbound; i++) {
		evconnlistener_free(t->lis[i]);
	}
	SSL_CTX_free(t->ctx);
	EVP_PKEY_free(t->key);
	free(t->hist);
	free(t->chall);
	free(t);
}

size_t
tlsalpn_address_format(const struct tlsalpn *t, char *buf, size_t cap)
{
	return listen_format(t->bound, t->nbound, "", " tlsalpn01=", buf,
	                     cap);
}
