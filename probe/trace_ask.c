/*
 * probe/trace_ask.c -- --trace: every address of a zone's nameservers
 * asked directly, all at once.
 *
 * One connected UDP socket per address, the query built as a lookup
 * builds it (reply_query_build()) with RD clear: an authoritative server
 * is asked, not a resolver.  Replies go through the same bounded parser
 * as the probe's lookups (reply_parse()), so a datagram that is not the
 * reply (another ID, another question) is ignored and waiting goes on.
 * A truncated reply is asked again over TCP, one address at a time, with
 * the same timeout.  Blocking, bounded by TIMEOUT_MS * TRIES for the UDP
 * part and TIMEOUT_MS per TCP step.
 */
#include "trace_int.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "caa.h"
#include "reply.h"

#define TRACE_UDP_SIZE 4096
#define TRACE_TCP_MAX  65535

static double
trace_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	(void)clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

bool
trace_reply_read(struct trace_answer *a, const uint8_t *msg, size_t len,
                 uint16_t id, const uint8_t *qname, size_t qlen, bool *tc)
{
	struct reply r;
	size_t pos = 0;
	const uint8_t *rdata;
	size_t rdlen;

	*tc = false;
	switch (reply_parse(msg, len, id, qname, qlen, REPLY_TYPE_CAA, &r)) {
	case REPLY_OK:
		break;
	case REPLY_IGNORE:
		return false;
	case REPLY_MALFORMED:
	case REPLY_NOMEM:
		a->error = TRACE_MALFORMED;
		return true;
	}
	a->error = TRACE_OK;
	a->rcode = r.rcode;
	a->aa = (msg[2] & (REPLY_FLAG_AA >> 8)) != 0;
	*tc = r.tc;
	while (!r.tc && reply_caa_next(&r, qname, qlen, &pos, &rdata, &rdlen)) {
		struct caa_record rec;

		if (caa_record_parse(rdata, rdlen, &rec) != CAA_OK) {
			a->error = TRACE_BAD_RDATA;
			continue;
		}
		if (trace_answer_add(a, rdata, rdlen) != 0) {
			a->error = TRACE_NETWORK; /* no memory */
			break;
		}
	}
	reply_clear(&r);
	return true;
}

/* Waits up to MS for FD to be ready for EVENTS. */
static bool
trace_wait(int fd, short events, int ms)
{
	struct pollfd p = {fd, events, 0};

	return poll(&p, 1, ms) == 1 && (p.revents & events) != 0;
}

/* Sends and receives N bytes on FD, each step within MS. */
static bool
trace_tcp_io(int fd, uint8_t *buf, size_t n, bool send_it, int ms)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k;

		if (!trace_wait(fd, send_it ? POLLOUT : POLLIN, ms)) {
			return false;
		}
		k = send_it ? send(fd, buf + done, n - done, MSG_NOSIGNAL)
		            : recv(fd, buf + done, n - done, 0);
		if (k <= 0) {
			return false;
		}
		done += (size_t)k;
	}
	return true;
}

/* The truncated answer of A again over TCP (RFC 7766). */
static void
trace_tcp(struct trace_answer *a, const uint8_t *query, size_t qlen_msg,
          uint16_t id, const uint8_t *qname, size_t qlen, int ms)
{
	int fd = socket(a->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	uint8_t len2[2];
	uint8_t *msg = NULL;
	uint8_t framed[2 + REPLY_QUERY_MAX];
	size_t mlen;
	bool tc = false;

	a->error = TRACE_TRUNCATED;
	if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) != 0) {
		goto out;
	}
	if (connect(fd, (const struct sockaddr *)&a->addr, a->addrlen) != 0 &&
	    errno != EINPROGRESS) {
		goto out;
	}
	framed[0] = (uint8_t)(qlen_msg >> 8);
	framed[1] = (uint8_t)qlen_msg;
	memcpy(framed + 2, query, qlen_msg);
	if (!trace_tcp_io(fd, framed, qlen_msg + 2, true, ms) ||
	    !trace_tcp_io(fd, len2, 2, false, ms)) {
		goto out;
	}
	mlen = (size_t)len2[0] << 8 | len2[1];
	msg = malloc(mlen > 0 ? mlen : 1);
	if (msg == NULL || !trace_tcp_io(fd, msg, mlen, false, ms)) {
		goto out;
	}
	if (!trace_reply_read(a, msg, mlen, id, qname, qlen, &tc)) {
		a->error = TRACE_MALFORMED; /* one message: it must be it */
	} else if (tc) {
		a->error = TRACE_TRUNCATED;
	}
out:
	free(msg);
	if (fd >= 0) {
		close(fd);
	}
}

int
trace_ask(const char *name, struct trace_answer *a, size_t n, int timeout_ms,
          int tries)
{
	uint8_t qname[REPLY_NAME_MAX];
	size_t qlen = reply_name_from_text(name, qname);
	struct pollfd *fds = calloc(n > 0 ? n : 1, sizeof(*fds));
	uint16_t *ids = calloc(n > 0 ? n : 1, sizeof(*ids));
	bool *tcs = calloc(n > 0 ? n : 1, sizeof(*tcs));
	uint8_t(*query)[REPLY_QUERY_MAX] =
	        calloc(n > 0 ? n : 1, sizeof(*query));
	size_t *mlen = calloc(n > 0 ? n : 1, sizeof(*mlen));
	struct timespec t0;
	size_t waiting = 0;
	int rc = 0;

	if (fds == NULL || ids == NULL || tcs == NULL || query == NULL ||
	    mlen == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	(void)clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		fds[i].fd = -1;
		if (a[i].family == 0) {
			continue; /* a nameserver without an address */
		}
		a[i].error = TRACE_NETWORK;
		a[i].rcode = -1;
		if (qlen == 0 || getrandom(&ids[i], sizeof(ids[i]), 0) !=
		                         (ssize_t)sizeof(ids[i])) {
			continue;
		}
		mlen[i] = reply_query_build(query[i], ids[i], qname, qlen,
		                            REPLY_TYPE_CAA, TRACE_UDP_SIZE);
		query[i][2] &= (uint8_t)~0x01; /* RD clear */
		fds[i].fd =
		        socket(a[i].addr.ss_family,
		               SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fds[i].fd < 0 ||
		    connect(fds[i].fd, (const struct sockaddr *)&a[i].addr,
		            a[i].addrlen) != 0) {
			a[i].ms = trace_ms_since(&t0);
			if (fds[i].fd >= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
			}
			continue;
		}
		fds[i].events = POLLIN;
		a[i].error = TRACE_TIMEOUT;
		waiting++;
	}
	for (int t = 0; t < tries && waiting > 0; t++) {
		struct timespec ts;

		for (size_t i = 0; i < n; i++) {
			if (fds[i].events != 0 &&
			    send(fds[i].fd, query[i], mlen[i], 0) < 0) {
				a[i].error = errno == ECONNREFUSED
				                     ? TRACE_REFUSED
				                     : TRACE_NETWORK;
				a[i].ms = trace_ms_since(&t0);
				close(fds[i].fd);
				fds[i].fd = -1;
				fds[i].events = 0;
				waiting--;
			}
		}
		(void)clock_gettime(CLOCK_MONOTONIC, &ts);
		while (waiting > 0) {
			double left = timeout_ms - trace_ms_since(&ts);

			if (left <= 0 || poll(fds, n, (int)left + 1) <= 0) {
				break;
			}
			for (size_t i = 0; i < n; i++) {
				uint8_t buf[TRACE_UDP_SIZE];
				ssize_t k;

				if ((fds[i].revents & (POLLIN | POLLERR)) ==
				            0 ||
				    fds[i].events == 0) {
					continue;
				}
				k = recv(fds[i].fd, buf, sizeof(buf), 0);
				if (k < 0 && errno != EAGAIN &&
				    errno != ECONNREFUSED) {
					continue;
				}
				if (k < 0) {
					/* ICMP port unreachable: refused at
					 * once, as Boulder's client says. */
					if (errno == ECONNREFUSED) {
						a[i].error = TRACE_REFUSED;
					} else {
						continue;
					}
				} else if (!trace_reply_read(&a[i], buf,
				                             (size_t)k, ids[i],
				                             qname, qlen,
				                             &tcs[i])) {
					continue;
				}
				a[i].ms = trace_ms_since(&t0);
				close(fds[i].fd);
				fds[i].fd = -1; /* poll() skips it now */
				fds[i].events = 0;
				waiting--;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (fds[i].events != 0) {
			a[i].ms = trace_ms_since(&t0); /* timed out */
		}
		if (fds[i].fd >= 0) {
			close(fds[i].fd);
		}
		if (tcs[i]) {
			struct timespec ts;

			(void)clock_gettime(CLOCK_MONOTONIC, &ts);
			trace_tcp(&a[i], query[i], mlen[i], ids[i], qname, qlen,
			          timeout_ms);
			a[i].ms += trace_ms_since(&ts);
		}
	}
out:
	free(fds);
	free(ids);
	free(tcs);
	free(query);
	free(mlen);
	return rc;
}
