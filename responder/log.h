/*
 * responder/log.h -- diagnostics on stderr and the one-line-per-query log.
 *
 * Diagnostics: log_err() and log_warn() always print; log_info() needs one
 * -v, log_debug() two.  Lines go to stderr as "caa-responder: text".  At
 * -vv, log_query() also writes one line a query there: "debug: query
 * client=ADDR:PORT tp=udp qname=NAME qtype=TYPE rcode=RCODE fault=none"
 * (fault="RULE" when a rule took it; rcode=none dropped=REASON for a
 * dropped query).
 *
 * The query log is one JSON object a line (docs/query-log.md), written
 * with stdio and flushed by the caller after each batch of queries, not
 * after each line.  The state is process-wide: the server has one thread.
 */
#ifndef RESPONDER_LOG_H
#define RESPONDER_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>

#include "query.h"

enum log_level {
	LOG_LEVEL_ERR = 0,
	LOG_LEVEL_WARN = 1,
	LOG_LEVEL_INFO = 2,
	LOG_LEVEL_DEBUG = 3,
};

/* Print messages up to LEVEL (LOG_LEVEL_WARN until called). */
void log_set_level(enum log_level level);

/* The level a count of -v flags asks for: 0 warn, 1 info, 2+ debug. */
enum log_level log_level_from_verbosity(int verbosity);

bool log_level_is_enabled(enum log_level level);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * "127.0.0.1:53" or "[::1]:53" for SA (AF_INET or AF_INET6; anything else
 * gives "?").  Writes at most CAP octets, NUL included; 64 always suffice.
 * Returns BUF.
 */
#define LOG_ADDR_MAX 64
const char *log_addr_format(const struct sockaddr *sa, char *buf, size_t cap);

/*
 * Open the query log: PATH is a file, appended to, or "-" for stdout
 * (borrowed until the log is closed).
 * Returns 0, or -errno with ERR filled as "PATH: reason".  Opening again
 * closes the previous log.
 */
int log_query_open(const char *path, char *err, size_t errlen);

/*
 * Open the query log's file again by its name, for logrotate's move and
 * SIGHUP: what was written goes to the old file, what follows to the new
 * one (created with the old one's mode if it is not there).  Nothing for
 * "-" or no log.  Returns 0, or -errno with ERR filled and the old file
 * still written.
 */
int log_query_reopen(char *err, size_t errlen);

/* The query log's file name, or NULL (none, or stdout). */
const char *log_query_file(void);

/* Flush and close the query log; the stdout log is flushed only. */
void log_query_close(void);

bool log_query_is_open(void);

/*
 * The fields of one query-log line, as log_query_format() and the API's
 * history (history.c) both write it.  CLIENT is borrowed; QNAME (wire
 * form, QNAME_LEN octets) is read only when HAS_QUESTION; FAULT may be
 * NULL.  DROP says why a dropped query was dropped.
 */
struct log_fields {
	struct timespec ts;
	const struct sockaddr *client;
	const char *view; /* the view's prefix (--view), or NULL: no key */
	enum query_transport tp;
	uint16_t id;
	bool has_question;
	const uint8_t *qname;
	uint8_t qname_len;
	uint16_t qtype;
	int rcode; /* -1: none */
	bool aa;
	bool tc;
	unsigned answers;
	const char *fault;
	uint32_t delay_ms;
	bool dropped;
	enum query_drop drop;
};

/*
 * The drop_reason of a dropped query's line (other lines have none):
 * "fault", "malformed", "response", "max-delayed", "max-delayed-octets",
 * or NULL.
 */
const char *log_drop_reason(bool dropped, enum query_drop drop);

/*
 * How long a line can be.  Every string value is written within a bound
 * (a longer one would be cut, between two characters, and end in "...",
 * so a line is JSON whatever it holds), and the bounds are chosen so that
 * no value the responder makes is ever cut:
 *   - qname: each octet of a wire name but the root gives at most four
 *     characters of presentation form (\DDD), one of them a backslash,
 *     which JSON doubles: 5 * (WIRE_NAME_MAX - 1), and the quotes;
 *   - fault: a rule text (fault_rule_text()) is at most
 *     LOG_FAULT_TEXT_MAX - 1 printable ASCII characters (a 255-octet name
 *     fully escaped and every option), of which JSON doubles '\' and '"';
 *   - ts, client, view, qtype, rcode, drop_reason: at most 63 printable
 *     characters (LOG_ADDR_MAX, the mnemonic buffers), doubled, quoted;
 *   - the keys, the numbers at their widest and the booleans: under
 *     LOG_LINE_FIXED_MAX (log.c asserts it at compile time).
 * LOG_QUERY_LINE_MAX octets hold any line and its NUL.
 */
#define LOG_FAULT_TEXT_MAX  1536
#define LOG_JSON_NAME_MAX   (5 * (WIRE_NAME_MAX - 1) + 2)
#define LOG_JSON_FAULT_MAX  (2 * (LOG_FAULT_TEXT_MAX - 1) + 2)
#define LOG_JSON_SHORT_MAX  (2 * (LOG_ADDR_MAX - 1) + 2)
#define LOG_LINE_FIXED_MAX  320
#define LOG_QUERY_LINE_MAX                                                     \
	(LOG_LINE_FIXED_MAX + LOG_JSON_NAME_MAX + LOG_JSON_FAULT_MAX +          \
	 6 * LOG_JSON_SHORT_MAX)

/*
 * Format F as one JSON line (no newline) into BUF of CAP octets; returns
 * the length the whole line needs, as snprintf does (always below
 * LOG_QUERY_LINE_MAX).  With a smaller CAP, BUF holds the start of the
 * line: check the length before using it.
 */
size_t log_fields_format(char *buf, size_t cap, const struct log_fields *f);

/*
 * Format the query log line for RES (without the newline) into BUF of CAP
 * octets: TS is when the query arrived, CLIENT its source, TP its
 * transport.  Returns the length the whole line needs, as snprintf does;
 * the line is complete only if that is below CAP.  LOG_QUERY_LINE_MAX
 * always suffices.
 */
size_t log_query_format(char *buf, size_t cap, const struct timespec *ts,
                        const struct sockaddr *client, enum query_transport tp,
                        const struct query_result *res);

/*
 * Append the line for one query, stamped now, to the query log if one is
 * open; otherwise do nothing.  Call log_query_flush() after the batch.
 */
void log_query(const struct sockaddr *client, enum query_transport tp,
               const struct query_result *res);

/* Flush the lines written so far; logs write errors once. */
void log_query_flush(void);

#endif /* RESPONDER_LOG_H */
