/*
 * responder/log.c -- diagnostics on stderr and the one-line-per-query log.
 */
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "history.h"
#include "wire.h"

static enum log_level log_level = LOG_LEVEL_WARN;

static FILE *log_query_fp;          /* NULL: no query log */
static const char *log_query_path;  /* for log_query_reopen(); borrowed */
static bool log_query_fp_is_stdout; /* closed by libc, not by us */
static bool log_query_failed;       /* a write error was reported */

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_level_from_verbosity(int verbosity)
{
	if (verbosity <= 0) {
		return LOG_LEVEL_WARN;
	}
	if (verbosity == 1) {
		return LOG_LEVEL_INFO;
	}
	return LOG_LEVEL_DEBUG;
}

bool
log_level_is_enabled(enum log_level level)
{
	return level <= log_level;
}

static void log_vprint(enum log_level level, const char *fmt, va_list ap)
        __attribute__((format(printf, 2, 0)));

static void
log_vprint(enum log_level level, const char *fmt, va_list ap)
{
	static const char *const prefix[] = {
	        [LOG_LEVEL_ERR] = "",
	        [LOG_LEVEL_WARN] = "warning: ",
	        [LOG_LEVEL_INFO] = "",
	        [LOG_LEVEL_DEBUG] = "debug: ",
	};
	char line[1024];
	int n;

	if (!log_level_is_enabled(level)) {
		return;
	}
	/* One write per message, so lines from one process never interleave. */
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0) {
		return;
	}
	(void)fprintf(stderr, "caa-responder: %s%s%s\n", prefix[level], line,
	              (size_t)n >= sizeof(line) ? "..." : "");
}

void
log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LEVEL_ERR, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LEVEL_WARN, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vprint(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

const char *
log_addr_format(const struct sockaddr *sa, char *buf, size_t cap)
{
	char host[INET6_ADDRSTRLEN];

	if (cap == 0) {
		return buf;
	}
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)sa;

		if (inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host)) !=
		    NULL) {
			(void)snprintf(buf, cap, "%s:%u", host,
			               (unsigned)ntohs(sin->sin_port));
			return buf;
		}
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		if (inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host)) !=
		    NULL) {
			(void)snprintf(buf, cap, "[%s]:%u", host,
			               (unsigned)ntohs(sin6->sin6_port));
			return buf;
		}
	}
	(void)snprintf(buf, cap, "?");
	return buf;
}

int
log_query_open(const char *path, char *err, size_t errlen)
{
	FILE *fp;

	log_query_close();
	if (strcmp(path, "-") == 0) {
		log_query_fp = stdout;
		log_query_fp_is_stdout = true;
		return 0;
	}
	fp = fopen(path, "a");
	if (fp == NULL) {
		int e = errno;

		(void)snprintf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	log_query_fp = fp;
	log_query_fp_is_stdout = false;
	log_query_failed = false;
	log_query_path = path;
	return 0;
}

int
log_query_reopen(char *err, size_t errlen)
{
	struct stat sb;
	mode_t mode = 0644;
	FILE *fp = NULL;
	int fd, e;

	if (log_query_fp == NULL || log_query_fp_is_stdout) {
		return 0;
	}
	log_query_flush(); /* the old file gets every line before now */
	if (fstat(fileno(log_query_fp), &sb) == 0) {
		mode = sb.st_mode & 07777;
	}
	/* A new file gets the old one's mode, whatever the umask. */
	fd = open(log_query_path,
	          O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd >= 0) {
		(void)fchmod(fd, mode);
	} else if (errno == EEXIST) {
		fd = open(log_query_path, O_WRONLY | O_APPEND | O_CLOEXEC);
	}
	if (fd >= 0) {
		fp = fdopen(fd, "a");
	}
	if (fp == NULL) {
		e = errno;
		if (fd >= 0) {
			(void)close(fd);
		}
		(void)snprintf(err, errlen, "%s: %s", log_query_path,
		               strerror(e));
		return -e; /* the old file stays open: nothing is lost */
	}
	if (fclose(log_query_fp) != 0) {
		log_err("query log not closed cleanly (%s)", strerror(errno));
	}
	log_query_fp = fp;
	log_query_failed = false;
	return 0;
}

const char *
log_query_file(void)
{
	return log_query_fp != NULL && !log_query_fp_is_stdout
	               ? log_query_path
	               : NULL;
}

void
log_query_close(void)
{
	if (log_query_fp == NULL) {
		return;
	}
	log_query_flush();
	if (!log_query_fp_is_stdout && fclose(log_query_fp) != 0) {
		log_err("query log not closed cleanly (%s)", strerror(errno));
	}
	log_query_fp = NULL;
	log_query_fp_is_stdout = false;
}

bool
log_query_is_open(void)
{
	return log_query_fp != NULL;
}

/* A string being built in a fixed buffer; LEN counts what did not fit. */
struct log_buf {
	char *buf;
	size_t cap;
	size_t len;
};

static void
log_buf_putc(struct log_buf *b, char c)
{
	if (b->len + 1 < b->cap) {
		b->buf[b->len] = c;
	}
	b->len++;
}

static void
log_buf_puts(struct log_buf *b, const char *s)
{
	while (*s != '\0') {
		log_buf_putc(b, *s++);
	}
}

static void log_buf_printf(struct log_buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

/* Numbers and booleans only: what they print is bounded by the format. */
static void
log_buf_printf(struct log_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0) {
		log_buf_puts(b, tmp);
	}
}

/*
 * The JSON form of octet C (RFC 8259 section 7) into OUT; returns its
 * length.  Every octet outside printable ASCII is escaped, so the line is
 * ASCII whatever it holds.
 */
static size_t
log_json_char(unsigned char c, char out[7])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c < 0x20 || c >= 0x7f) {
		memcpy(out, "\\u00", 4);
		out[4] = hex[c >> 4];
		out[5] = hex[c & 0xf];
		return 6;
	}
	out[0] = (char)c;
	return 1;
}

/*
 * S as a JSON string of at most MAX octets (MAX >= 5), quotes included,
 * or null for NULL.  A string whose JSON form is longer is cut between two
 * characters and ends in "...", so what is written is always JSON.
 */
static void
log_buf_json(struct log_buf *b, const char *s, size_t max)
{
	char esc[7];
	size_t need = 2;
	size_t room;
	size_t used = 1;

	if (s == NULL) {
		log_buf_puts(b, "null");
		return;
	}
	for (const char *p = s; *p != '\0'; p++) {
		need += log_json_char((unsigned char)*p, esc);
	}
	room = need <= max ? need - 1 : max - 4; /* the '"', or '..."' */
	log_buf_putc(b, '"');
	for (; *s != '\0'; s++) {
		size_t k = log_json_char((unsigned char)*s, esc);

		if (used + k > room) {
			break;
		}
		for (size_t i = 0; i < k; i++) {
			log_buf_putc(b, esc[i]);
		}
		used += k;
	}
	if (need > max) {
		log_buf_puts(b, "...");
	}
	log_buf_putc(b, '"');
}

/*
 * The longest line without its string values (log_fields_format() writes
 * these keys in this order): numbers at their widest, booleans as false.
 */
#define LOG_LINE_KEYS                                                          \
	"{\"ts\":,\"client\":,\"view\":,\"transport\":\"udp\",\"id\":65535,"   \
	"\"qname\":,\"qtype\":,\"rcode\":,\"aa\":false,\"tc\":false,"            \
	"\"answers\":4294967295,\"fault\":,\"delay_ms\":4294967295,"            \
	"\"dropped\":false,\"drop_reason\":}"

_Static_assert(sizeof(LOG_LINE_KEYS) <= LOG_LINE_FIXED_MAX,
               "LOG_LINE_FIXED_MAX holds the keys and numbers of a line");
_Static_assert(WIRE_NAME_MAX * 4 + 8 >= 4 * (WIRE_NAME_MAX - 1) + 1,
               "the name buffer holds any name in presentation form");

/* The text of the fault rule that took the query, or NULL. */
static const char *
log_fault_text(const struct query_result *res)
{
	return res->rule != NULL ? fault_rule_text(res->rule) : NULL;
}

const char *
log_drop_reason(bool dropped, enum query_drop drop)
{
	if (!dropped) {
		return NULL;
	}
	switch (drop) {
	case QUERY_DROP_SHORT:
		return "malformed";
	case QUERY_DROP_RESPONSE:
		return "response";
	case QUERY_DROP_FAULT:
		return "fault";
	case QUERY_DROP_DELAY_COUNT:
		return "max-delayed";
	case QUERY_DROP_DELAY_OCTETS:
		return "max-delayed-octets";
	case QUERY_DROP_NONE:
		break;
	}
	return NULL;
}

size_t
log_fields_format(char *buf, size_t cap, const struct log_fields *f)
{
	struct log_buf b = {buf, cap, 0};
	char name[WIRE_NAME_MAX * 4 + 8];
	char addr[LOG_ADDR_MAX];
	char mnemonic[32];
	char stamp[32];
	char ts[sizeof(stamp) + 8];
	struct tm tm;
	long ms = f->ts.tv_nsec / 1000000;

	if (gmtime_r(&f->ts.tv_sec, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		(void)snprintf(stamp, sizeof(stamp), "1970-01-01T00:00:00");
	}
	(void)snprintf(ts, sizeof(ts), "%s.%03ldZ", stamp,
	               ms >= 0 && ms <= 999 ? ms : 0);
	log_buf_puts(&b, "{\"ts\":");
	log_buf_json(&b, ts, LOG_JSON_SHORT_MAX);
	log_buf_puts(&b, ",\"client\":");
	log_buf_json(&b, log_addr_format(f->client, addr, sizeof(addr)),
	             LOG_JSON_SHORT_MAX);
	if (f->view != NULL) { /* only with views: other lines keep theirs */
		log_buf_puts(&b, ",\"view\":");
		log_buf_json(&b, f->view, LOG_JSON_SHORT_MAX);
	}
	log_buf_printf(&b, ",\"transport\":\"%s\",\"id\":%u,\"qname\":",
	               f->tp == QUERY_TCP ? "tcp" : "udp", (unsigned)f->id);
	if (f->has_question && f->qname_len > 0) {
		(void)wire_name_to_str(f->qname, name, sizeof(name));
		log_buf_json(&b, name, LOG_JSON_NAME_MAX);
	} else {
		log_buf_json(&b, NULL, 0);
	}
	log_buf_puts(&b, ",\"qtype\":");
	log_buf_json(&b,
	             f->has_question ? wire_type_str(f->qtype, mnemonic,
	                                             sizeof(mnemonic))
	                             : NULL,
	             LOG_JSON_SHORT_MAX);
	log_buf_puts(&b, ",\"rcode\":");
	log_buf_json(&b,
	             !f->dropped && f->rcode >= 0
	                     ? wire_rcode_str((unsigned)f->rcode, mnemonic,
	                                      sizeof(mnemonic))
	                     : NULL,
	             LOG_JSON_SHORT_MAX);
	log_buf_printf(&b, ",\"aa\":%s,\"tc\":%s,\"answers\":%u,\"fault\":",
	               f->aa ? "true" : "false", f->tc ? "true" : "false",
	               (unsigned)f->answers);
	log_buf_json(&b, f->fault, LOG_JSON_FAULT_MAX);
	log_buf_printf(&b, ",\"delay_ms\":%lu,\"dropped\":%s",
	               (unsigned long)f->delay_ms, f->dropped ? "true" : "false");
	if (f->dropped) { /* only then: other lines keep their keys */
		log_buf_puts(&b, ",\"drop_reason\":");
		log_buf_json(&b, log_drop_reason(f->dropped, f->drop),
		             LOG_JSON_SHORT_MAX);
	}
	log_buf_putc(&b, '}');
	if (cap > 0) {
		b.buf[b.len < cap ? b.len : cap - 1] = '\0';
	}
	return b.len;
}

size_t
log_query_format(char *buf, size_t cap, const struct timespec *ts,
                 const struct sockaddr *client, enum query_transport tp,
                 const struct query_result *res)
{
	struct log_fields f = {
		.ts = *ts,
		.client = client,
		.view = res->view,
		.tp = tp,
		.id = res->id,
		.has_question = res->has_question,
		.qname = res->qname,
		.qname_len = res->qname_len,
		.qtype = res->qtype,
		.rcode = res->rcode,
		.aa = res->aa,
		.tc = res->tc,
		.answers = res->answers,
		.fault = log_fault_text(res),
		.delay_ms = res->delay_ms,
		.dropped = res->verdict == QUERY_DROP,
		.drop = res->drop,
	};

	return log_fields_format(buf, cap, &f);
}

/*
 * -vv: one line on stderr for the query RES from CLIENT.  Only called at
 * that level, so that a query costs one comparison without it.
 */
static void
log_query_debug(const struct sockaddr *client, enum query_transport tp,
                const struct query_result *res)
{
	char addr[LOG_ADDR_MAX];
	char name[WIRE_NAME_MAX * 4 + 8] = "-";
	char type[32] = "-";
	char rcode[32] = "none";
	const char *fault = log_fault_text(res);
	const char *drop = log_drop_reason(res->verdict == QUERY_DROP,
	                                   res->drop);

	if (res->has_question) {
		(void)wire_name_to_str(res->qname, name, sizeof(name));
		(void)wire_type_str(res->qtype, type, sizeof(type));
	}
	if (res->verdict != QUERY_DROP && res->rcode >= 0) {
		(void)wire_rcode_str((unsigned)res->rcode, rcode,
		                     sizeof(rcode));
	}
	log_debug("query client=%s tp=%s qname=%s qtype=%s rcode=%s "
	          "fault=%s%s%s%s%s",
	          log_addr_format(client, addr, sizeof(addr)),
	          tp == QUERY_TCP ? "tcp" : "udp", name, type, rcode,
	          fault != NULL ? "\"" : "none", fault != NULL ? fault : "",
	          fault != NULL ? "\"" : "", drop != NULL ? " dropped=" : "",
	          drop != NULL ? drop : "");
}

void
log_query(const struct sockaddr *client, enum query_transport tp,
          const struct query_result *res)
{
	char line[LOG_QUERY_LINE_MAX];
	struct timespec ts;
	size_t n;

	if (log_level == LOG_LEVEL_DEBUG) {
		log_query_debug(client, tp, res);
	}
	if (log_query_fp == NULL && !history_is_recording()) {
		return;
	}
	if (clock_gettime(CLOCK_REALTIME, &ts) != 0) {
		ts.tv_sec = 0;
		ts.tv_nsec = 0;
	}
	history_record(&ts, client, tp, res); /* the API's GET /queries */
	if (log_query_fp == NULL) {
		return;
	}
	n = log_query_format(line, sizeof(line), &ts, client, tp, res);
	if (n >= sizeof(line)) {
		return; /* cannot happen (log.h); never a partial line */
	}
	line[n++] = '\n';
	if (fwrite(line, 1, n, log_query_fp) != n && !log_query_failed) {
		log_err("query log not written (%s)", strerror(errno));
		log_query_failed = true;
	}
}

void
log_query_flush(void)
{
	if (log_query_fp == NULL) {
		return;
	}
	if (fflush(log_query_fp) != 0 && !log_query_failed) {
		log_err("query log not written (%s)", strerror(errno));
		log_query_failed = true;
	}
}
