/*
 * caa-loadgen: a closed-loop UDP DNS load generator for scripts/bench.sh.
 *
 * dnsperf spends more CPU per query than an efficient server does, so on a
 * two-core machine it saturates its own CPU first and every server reaches
 * the same rate.  caa-loadgen keeps a fixed number of queries outstanding
 * like dnsperf -q, but sends and receives them in batches (sendmmsg,
 * recvmmsg) on a few connected sockets, so the server under test is the one
 * that runs out of CPU.  It reads dnsperf's query files ("name type" a line)
 * and prints dnsperf's summary lines, so the same parser reads both.
 *
 *   caa-loadgen -s 127.0.0.1 -p 5330 -d queries.txt -l 10 -c 10 -q 100
 *
 * Loopback and test addresses only: it has no rate limit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define LG_BATCH_MAX 64
#define LG_SOCK_MAX  64
#define LG_QUERY_MAX (12 + 255 + 4)
#define LG_REPLY_MAX 4096
#define LG_IDS       65536

struct lg_options {
	const char *server;
	uint16_t port;
	const char *file;
	double seconds;
	unsigned long max_queries; /* 0: no limit */
	unsigned outstanding;
	unsigned sockets;
	unsigned batch;
	unsigned timeout_ms;
};

/* The query file, encoded once: wire queries back to back, ID zero. */
struct lg_queries {
	uint8_t *wire;
	size_t *off; /* query i is wire[off[i] .. off[i + 1]) */
	size_t count;
};

/* One outstanding query, indexed by its message ID. */
struct lg_slot {
	uint64_t sent_ns;
	uint32_t query;
	uint16_t sock;
	bool busy;
};

struct lg_stats {
	uint64_t sent, completed, lost, unexpected;
	uint64_t req_bytes, resp_bytes;
	uint64_t rcode[16];
};

struct lg {
	struct lg_options opt;
	struct lg_queries q;
	int fd[LG_SOCK_MAX];
	int ep;
	struct lg_slot *slot; /* LG_IDS */
	uint16_t *free_ids;   /* stack of free IDs */
	unsigned nfree;
	size_t next_query;
	unsigned next_sock;
	struct lg_stats st;
	uint8_t sendbuf[LG_BATCH_MAX][LG_QUERY_MAX];
	uint8_t recvbuf[LG_BATCH_MAX][LG_REPLY_MAX];
	struct mmsghdr smsg[LG_BATCH_MAX], rmsg[LG_BATCH_MAX];
	struct iovec siov[LG_BATCH_MAX], riov[LG_BATCH_MAX];
	uint16_t sid[LG_BATCH_MAX];
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const struct {
	const char *name;
	uint16_t type;
} lg_types[] = {
        {"A", 1},   {"NS", 2},      {"CNAME", 5},  {"SOA", 6},   {"PTR", 12},
        {"MX", 15}, {"TXT", 16},    {"AAAA", 28},  {"SRV", 33},  {"DNAME", 39},
        {"DS", 43}, {"DNSKEY", 48}, {"HTTPS", 65}, {"ANY", 255}, {"CAA", 257},
};

static bool
parse_type(const char *s, uint16_t *type)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < sizeof(lg_types) / sizeof(lg_types[0]); i++) {
		if (strcasecmp(s, lg_types[i].name) == 0) {
			*type = lg_types[i].type;
			return true;
		}
	}
	if (strncasecmp(s, "TYPE", 4) != 0 || s[4] < '0' || s[4] > '9') {
		return false;
	}
	errno = 0;
	v = strtoul(s + 4, &end, 10);
	if (errno != 0 || *end != '\0' || v > 65535) {
		return false;
	}
	*type = (uint16_t)v;
	return true;
}

/* Writes the query for NAME and TYPE into OUT (LG_QUERY_MAX octets);
 * returns its length, or 0 when the name is not a valid presentation name
 * without escapes. */
static size_t
encode_query(const char *name, uint16_t type, uint8_t *out)
{
	size_t pos = 12, nlen = strlen(name), label = 0;
	const char *p = name, *end = name + nlen;

	memset(out, 0, 12);
	out[2] = 0x01; /* RD, as dnsperf sends */
	out[5] = 1;    /* QDCOUNT */
	if (nlen > 1 && name[nlen - 1] == '.') {
		end--;
	}
	if (!(nlen == 1 && name[0] == '.')) {
		while (p < end) {
			const char *dot = memchr(p, '.', (size_t)(end - p));
			size_t len =
			        dot ? (size_t)(dot - p) : (size_t)(end - p);

			if (len == 0 || len > 63 ||
			    memchr(p, '\\', len) != NULL) {
				return 0;
			}
			label += len + 1;
			if (label + 1 > 255) {
				return 0;
			}
			out[pos++] = (uint8_t)len;
			memcpy(out + pos, p, len);
			pos += len;
			p += len + (dot ? 1 : 0);
			if (dot && p == end) {
				return 0; /* "a..": empty label */
			}
		}
	}
	out[pos++] = 0;
	out[pos++] = (uint8_t)(type >> 8);
	out[pos++] = (uint8_t)type;
	out[pos++] = 0;
	out[pos++] = 1; /* IN */
	return pos;
}

static int
load_queries(const char *file, struct lg_queries *q)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	size_t cap = 0, wcap = 0, wlen = 0, lineno = 0;

	if (f == NULL) {
		fprintf(stderr, "caa-loadgen: %s: %s\n", file, strerror(errno));
		return -1;
	}
	q->count = 0;
	q->off = NULL;
	q->wire = NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[512], tname[32];
		uint16_t type;
		size_t len;

		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "caa-loadgen: %s:%zu: line too long\n",
			        file, lineno);
			goto fail;
		}
		if (line[strspn(line, " \t\r\n")] == '\0' ||
		    line[strspn(line, " \t")] == '#') {
			continue;
		}
		if (sscanf(line, "%511s %31s", name, tname) != 2) {
			fprintf(stderr,
			        "caa-loadgen: %s:%zu: expected \"name type\"\n",
			        file, lineno);
			goto fail;
		}
		if (!parse_type(tname, &type)) {
			fprintf(stderr,
			        "caa-loadgen: %s:%zu: unknown type \"%s\"\n",
			        file, lineno, tname);
			goto fail;
		}
		if (q->count + 2 > cap) {
			size_t *n;

			cap = cap ? cap * 2 : 1024;
			if ((n = realloc(q->off, cap * sizeof(*n))) == NULL) {
				goto oom;
			}
			q->off = n;
		}
		if (wlen + LG_QUERY_MAX > wcap) {
			uint8_t *n;

			wcap = wcap ? wcap * 2 : 65536;
			if ((n = realloc(q->wire, wcap)) == NULL) {
				goto oom;
			}
			q->wire = n;
		}
		if ((len = encode_query(name, type, q->wire + wlen)) == 0) {
			fprintf(stderr,
			        "caa-loadgen: %s:%zu: bad name \"%s\"\n", file,
			        lineno, name);
			goto fail;
		}
		q->off[q->count++] = wlen;
		wlen += len;
		q->off[q->count] = wlen;
	}
	if (ferror(f)) {
		fprintf(stderr, "caa-loadgen: %s: %s\n", file, strerror(errno));
		goto fail;
	}
	fclose(f);
	if (q->count == 0) {
		fprintf(stderr, "caa-loadgen: %s: no queries\n", file);
		return -1;
	}
	return 0;
oom:
	fprintf(stderr, "caa-loadgen: out of memory\n");
fail:
	fclose(f);
	return -1;
}

static int
open_sockets(struct lg *g)
{
	struct {
		struct sockaddr_storage ss;
		socklen_t len;
	} a;
	uint16_t port = g->opt.port;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, g->opt.server,
	              &((struct sockaddr_in *)&a.ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&a.ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&a.ss)->sin_port = htons(port);
		a.len = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, g->opt.server,
	                     &((struct sockaddr_in6 *)&a.ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&a.ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&a.ss)->sin6_port = htons(port);
		a.len = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr,
		        "caa-loadgen: -s %s: not an IPv4 or IPv6 address\n",
		        g->opt.server);
		return -1;
	}
	if ((g->ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
		perror("caa-loadgen: epoll_create1");
		return -1;
	}
	for (unsigned i = 0; i < g->opt.sockets; i++) {
		int buf = 1 << 20;
		struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};

		g->fd[i] = socket(a.ss.ss_family,
		                  SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (g->fd[i] < 0 ||
		    connect(g->fd[i], (struct sockaddr *)&a.ss, a.len) < 0 ||
		    epoll_ctl(g->ep, EPOLL_CTL_ADD, g->fd[i], &ev) < 0) {
			fprintf(stderr,
			        "caa-loadgen: socket to %s port %u: %s\n",
			        g->opt.server, port, strerror(errno));
			return -1;
		}
		(void)setsockopt(g->fd[i], SOL_SOCKET, SO_RCVBUF, &buf,
		                 sizeof(buf));
		(void)setsockopt(g->fd[i], SOL_SOCKET, SO_SNDBUF, &buf,
		                 sizeof(buf));
	}
	return 0;
}

/* Sends up to N queries on the next socket; returns how many went out. */
static unsigned
send_batch(struct lg *g, unsigned n, uint64_t now)
{
	unsigned s = g->next_sock, k;
	int sent;

	g->next_sock = (g->next_sock + 1) % g->opt.sockets;
	for (k = 0; k < n; k++) {
		size_t qi = g->next_query,
		       len = g->q.off[qi + 1] - g->q.off[qi];
		uint16_t id = g->free_ids[--g->nfree];

		memcpy(g->sendbuf[k], g->q.wire + g->q.off[qi], len);
		g->sendbuf[k][0] = (uint8_t)(id >> 8);
		g->sendbuf[k][1] = (uint8_t)id;
		g->siov[k].iov_len = len;
		g->sid[k] = id;
		g->slot[id] = (struct lg_slot){.sent_ns = now,
		                               .query = (uint32_t)qi,
		                               .sock = (uint16_t)s,
		                               .busy = true};
		g->next_query = qi + 1 == g->q.count ? 0 : qi + 1;
	}
	sent = sendmmsg(g->fd[s], g->smsg, k, 0);
	if (sent < 0) {
		sent = 0; /* EAGAIN, ENOBUFS, ECONNREFUSED: retried later */
	}
	for (unsigned i = (unsigned)sent; i < k; i++) {
		g->slot[g->sid[i]].busy = false;
		g->free_ids[g->nfree++] = g->sid[i];
	}
	/* the queries that did not go out are sent next, in order */
	if ((unsigned)sent < k) {
		g->next_query = g->slot[g->sid[sent]].query;
	}
	for (unsigned i = 0; i < (unsigned)sent; i++) {
		g->st.req_bytes += g->siov[i].iov_len;
	}
	g->st.sent += (unsigned)sent;
	return (unsigned)sent;
}

/* Reads every waiting reply on socket S; returns how many completed. */
static unsigned
recv_all(struct lg *g, unsigned s)
{
	unsigned done = 0;

	for (;;) {
		int n;

		for (unsigned i = 0; i < g->opt.batch; i++) {
			g->rmsg[i].msg_len = 0;
		}
		n = recvmmsg(g->fd[s], g->rmsg, g->opt.batch, MSG_DONTWAIT,
		             NULL);
		if (n <= 0) {
			return done;
		}
		for (int i = 0; i < n; i++) {
			const uint8_t *r = g->recvbuf[i];
			unsigned len = g->rmsg[i].msg_len;
			uint16_t id;
			struct lg_slot *sl;

			if (len < 12 || !(r[2] & 0x80)) {
				g->st.unexpected++;
				continue;
			}
			id = (uint16_t)(r[0] << 8 | r[1]);
			sl = &g->slot[id];
			if (!sl->busy || sl->sock != s) {
				g->st.unexpected++;
				continue;
			}
			sl->busy = false;
			g->free_ids[g->nfree++] = id;
			g->st.completed++;
			g->st.resp_bytes += len;
			g->st.rcode[r[3] & 0x0f]++;
			done++;
		}
		if ((unsigned)n < g->opt.batch) {
			return done;
		}
	}
}

/* Frees the slots of queries older than the timeout (ALL: of every query
 * still outstanding) and counts them lost. */
static void
expire(struct lg *g, uint64_t now, bool all)
{
	uint64_t limit = (uint64_t)g->opt.timeout_ms * 1000000u;

	for (unsigned id = 0; id < LG_IDS; id++) {
		struct lg_slot *sl = &g->slot[id];

		if (sl->busy && (all || now - sl->sent_ns > limit)) {
			sl->busy = false;
			g->free_ids[g->nfree++] = (uint16_t)id;
			g->st.lost++;
		}
	}
}

/* Keeps the window full until -l or -n, then waits up to -t for the
 * replies still due.  *ELAPSED: from the first send to the last reply, or
 * to the end of sending if that is later. */
static void
run(struct lg *g, uint64_t *elapsed)
{
	uint64_t start = now_ns(),
	         stop = start + (uint64_t)(g->opt.seconds * 1e9);
	uint64_t next_expire = start + 100000000u, now = start, sent_end = 0;
	uint64_t last_reply = start;
	struct epoll_event ev[LG_SOCK_MAX];
	unsigned cap = g->opt.outstanding;

	for (;;) {
		unsigned sent = 0, replies = 0;

		while (sent_end == 0 && LG_IDS - g->nfree < cap) {
			unsigned want = cap - (LG_IDS - g->nfree), got;

			if (want > g->opt.batch) {
				want = g->opt.batch;
			}
			if (g->opt.max_queries &&
			    want > g->opt.max_queries - g->st.sent) {
				want = (unsigned)(g->opt.max_queries -
				                  g->st.sent);
			}
			if (want == 0 ||
			    (got = send_batch(g, want, now)) == 0) {
				break;
			}
			sent += got;
		}
		/* every socket, each pass: waiting in epoll for the ready ones
		 * instead costs Knot DNS 4% of its rate here (caa-responder
		 * none), and the generator should not favour one server */
		for (unsigned s = 0; s < g->opt.sockets; s++) {
			replies += recv_all(g, s);
		}
		now = now_ns();
		if (replies > 0) {
			last_reply = now;
		}
		if (now >= next_expire) {
			expire(g, now, false);
			next_expire = now + 100000000u;
		}
		if (sent_end == 0 &&
		    (now >= stop || (g->opt.max_queries &&
		                     g->st.sent >= g->opt.max_queries))) {
			sent_end = now;
		}
		if (sent_end != 0 && g->nfree == LG_IDS) {
			break;
		}
		if (sent_end != 0 &&
		    now - sent_end >= (uint64_t)g->opt.timeout_ms * 1000000u) {
			expire(g, now, true);
			break;
		}
		if (sent + replies == 0) {
			(void)epoll_wait(g->ep, ev, LG_SOCK_MAX, 1);
		}
	}
	*elapsed = (last_reply > sent_end ? last_reply : sent_end) - start;
}

static const char *const lg_rcodes[16] = {
        "NOERROR",  "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",  "REFUSED",
        "YXDOMAIN", "YXRRSET", "NXRRSET",  "NOTAUTH",  "NOTZONE", "RCODE11",
        "RCODE12",  "RCODE13", "RCODE14",  "RCODE15",
};

static void
report(const struct lg *g, uint64_t elapsed)
{
	const struct lg_stats *st = &g->st;
	double secs = (double)elapsed / 1e9,
	       sent = st->sent ? (double)st->sent : 1;
	bool first = true;

	printf("Statistics:\n\n");
	printf("  Queries sent:         %llu\n", (unsigned long long)st->sent);
	printf("  Queries completed:    %llu (%.2f%%)\n",
	       (unsigned long long)st->completed,
	       100.0 * (double)st->completed / sent);
	printf("  Queries lost:         %llu (%.2f%%)\n",
	       (unsigned long long)st->lost, 100.0 * (double)st->lost / sent);
	if (st->unexpected) {
		printf("  Unexpected replies:   %llu\n",
		       (unsigned long long)st->unexpected);
	}
	printf("\n  Response codes:       ");
	for (int i = 0; i < 16; i++) {
		if (st->rcode[i] == 0) {
			continue;
		}
		printf("%s%s %llu (%.2f%%)", first ? "" : ", ", lg_rcodes[i],
		       (unsigned long long)st->rcode[i],
		       100.0 * (double)st->rcode[i] / (double)st->completed);
		first = false;
	}
	/* whole octets, rounded down as dnsperf does */
	printf("\n  Average packet size:  request %llu, response %llu\n",
	       (unsigned long long)(st->req_bytes / (st->sent ? st->sent : 1)),
	       (unsigned long long)(st->resp_bytes /
	                            (st->completed ? st->completed : 1)));
	printf("  Run time (s):         %.6f\n", secs);
	printf("  Queries per second:   %.6f\n",
	       secs > 0 ? (double)st->completed / secs : 0.0);
}

static void
usage(FILE *out)
{
	fprintf(out,
	        "usage: caa-loadgen -s ADDR -p PORT -d FILE [options]\n"
	        "Closed-loop UDP DNS load: keeps -q queries outstanding, sent "
	        "and read\n"
	        "in batches; prints dnsperf's summary lines.\n"
	        "  -s ADDR   server address (IPv4 or IPv6; default 127.0.0.1)\n"
	        "  -p PORT   server port (default 53)\n"
	        "  -d FILE   queries, \"name type\" a line (dnsperf's format)\n"
	        "  -l SECS   run for SECS seconds (default 10)\n"
	        "  -n N      stop after N queries (default: no limit)\n"
	        "  -q N      queries outstanding at most (default 100, at most "
	        "60000)\n"
	        "  -c N      sockets (default 10, at most %d)\n"
	        "  -b N      datagrams per sendmmsg/recvmmsg (default 32, at "
	        "most %d)\n"
	        "  -t MS     a query unanswered this long is lost (default "
	        "1000)\n"
	        "  -h        this help\n",
	        LG_SOCK_MAX, LG_BATCH_MAX);
}

static bool
num_opt(const char *arg, char opt, unsigned long lo, unsigned long hi,
        unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(arg, &end, 10);
	if (errno != 0 || *arg == '\0' || *end != '\0' || *v < lo || *v > hi) {
		fprintf(stderr,
		        "caa-loadgen: -%c %s: expected a number from %lu to "
		        "%lu\n",
		        opt, arg, lo, hi);
		return false;
	}
	return true;
}

int
main(int argc, char **argv)
{
	static struct lg g;
	unsigned long v;
	uint64_t elapsed = 0;
	int c;

	g.opt = (struct lg_options){.server = "127.0.0.1",
	                            .port = 53,
	                            .seconds = 10,
	                            .outstanding = 100,
	                            .sockets = 10,
	                            .batch = 32,
	                            .timeout_ms = 1000};
	while ((c = getopt(argc, argv, "s:p:d:l:n:q:c:b:t:h")) != -1) {
		switch (c) {
		case 's':
			g.opt.server = optarg;
			break;
		case 'p':
			if (!num_opt(optarg, 'p', 1, 65535, &v)) {
				return 64;
			}
			g.opt.port = (uint16_t)v;
			break;
		case 'd':
			g.opt.file = optarg;
			break;
		case 'l': {
			char *end;

			g.opt.seconds = strtod(optarg, &end);
			if (*optarg == '\0' || *end != '\0' ||
			    !(g.opt.seconds > 0 && g.opt.seconds <= 86400)) {
				fprintf(stderr,
				        "caa-loadgen: -l %s: expected seconds, "
				        "more than 0\n",
				        optarg);
				return 64;
			}
			break;
		}
		case 'n':
			if (!num_opt(optarg, 'n', 1, 1000000000000ul, &v)) {
				return 64;
			}
			g.opt.max_queries = v;
			break;
		case 'q':
			if (!num_opt(optarg, 'q', 1, 60000, &v)) {
				return 64;
			}
			g.opt.outstanding = (unsigned)v;
			break;
		case 'c':
			if (!num_opt(optarg, 'c', 1, LG_SOCK_MAX, &v)) {
				return 64;
			}
			g.opt.sockets = (unsigned)v;
			break;
		case 'b':
			if (!num_opt(optarg, 'b', 1, LG_BATCH_MAX, &v)) {
				return 64;
			}
			g.opt.batch = (unsigned)v;
			break;
		case 't':
			if (!num_opt(optarg, 't', 1, 600000, &v)) {
				return 64;
			}
			g.opt.timeout_ms = (unsigned)v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (optind != argc || g.opt.file == NULL) {
		usage(stderr);
		return 64;
	}
	if (load_queries(g.opt.file, &g.q) < 0) {
		return 1;
	}
	g.slot = calloc(LG_IDS, sizeof(*g.slot));
	g.free_ids = malloc(LG_IDS * sizeof(*g.free_ids));
	if (g.slot == NULL || g.free_ids == NULL) {
		fprintf(stderr, "caa-loadgen: out of memory\n");
		return 1;
	}
	/* a stack of free IDs, handed out from 0 upwards */
	for (unsigned i = 0; i < LG_IDS; i++) {
		g.free_ids[i] = (uint16_t)(LG_IDS - 1 - i);
	}
	g.nfree = LG_IDS;
	for (unsigned i = 0; i < LG_BATCH_MAX; i++) {
		g.siov[i] = (struct iovec){.iov_base = g.sendbuf[i]};
		g.smsg[i].msg_hdr =
		        (struct msghdr){.msg_iov = &g.siov[i], .msg_iovlen = 1};
		g.riov[i] = (struct iovec){.iov_base = g.recvbuf[i],
		                           .iov_len = LG_REPLY_MAX};
		g.rmsg[i].msg_hdr =
		        (struct msghdr){.msg_iov = &g.riov[i], .msg_iovlen = 1};
	}
	if (open_sockets(&g) < 0) {
		return 1;
	}
	run(&g, &elapsed);
	report(&g, elapsed);
	for (unsigned i = 0; i < g.opt.sockets; i++) {
		close(g.fd[i]);
	}
	close(g.ep);
	free(g.slot);
	free(g.free_ids);
	free(g.q.wire);
	free(g.q.off);
	return 0;
}
