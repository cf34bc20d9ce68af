/*
 * responder/control_int.h -- what control.c, control_edit.c,
 * control_compat.c, control_http01.c and control_tlsalpn.c share: the
 * state, one request, JSON helpers and the record change.
 */
#ifndef RESPONDER_CONTROL_INT_H
#define RESPONDER_CONTROL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/http.h>
#include <jansson.h>

#include "control.h"
#include "query.h"
#include "wire.h"

struct control {
	struct control_config cfg;
	struct evhttp *http;
	struct sockaddr_storage bound[CONTROL_ADDRS_MAX]; /* as bound */
	size_t nbound;
	char *auth; /* "Bearer TOKEN", or NULL */

	struct query_defaults defaults; /* ENV->defaults points here if set */
};

/*
 * Listen on every address of CTL's configuration and accept on CTL's
 * evhttp (control_listen.c); an optional one that cannot be bound is
 * left out with a warning.  Returns 0, or -1 with ERR filled.
 */
int ctl_listen_all(struct control *ctl, char *err, size_t errlen);

/* One request being answered. */
struct ctl_req {
	struct control *ctl;
	struct evhttp_request *req;
	enum evhttp_cmd_type method;
	const char *path;
	const char *query; /* after '?', or NULL */
	json_t *body;      /* the parsed body, or NULL; owned */
};

/* Reply CODE with BODY[0..LEN) of type CTYPE (NULL: no Content-Type). */
void ctl_reply_body(struct ctl_req *r, int code, const char *ctype,
                    const char *body, size_t len);

/*
 * Reply CODE with OBJ as the body (compact JSON).  Takes OBJ; NULL (a
 * failed json_pack()) replies 500.
 */
void ctl_reply_json(struct ctl_req *r, int code, json_t *obj);

/* Reply CODE with {"error": message}. */
void ctl_reply_error(struct ctl_req *r, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Reply CODE with TEXT as the body, Content-Type application/json. */
void ctl_reply_text(struct ctl_req *r, int code, const char *text);

/* Reply CODE with an empty body (challtestsrv's success). */
void ctl_reply_empty(struct ctl_req *r, int code);

/*
 * Parse the request body into R->body: a JSON object, duplicate keys
 * refused when STRICT; otherwise read as Go's encoding/json reads it
 * (ctl_json_go()), for challtestsrv's endpoints.  Returns 0, or -1 after
 * replying 400.
 */
int ctl_body_parse(struct ctl_req *r, bool strict);

/*
 * Refuse any key of R->body outside the NULL-terminated KEYS: returns 0,
 * or -1 after replying 400.
 */
int ctl_body_keys(struct ctl_req *r, const char *const *keys);

/*
 * The member KEY of OBJ, matched exactly, or with FOLD as Go's
 * encoding/json does (exact first, then without regard to case).  NULL
 * when absent.
 */
json_t *ctl_json_get(json_t *obj, const char *key, bool fold);

/*
 * A string member: 0 and *OUT (borrowed from OBJ) when it is a string,
 * 1 and *OUT = "" when absent or null, -1 after replying 400 when it has
 * another type or holds a NUL (challtestsrv's bodies may: ctl_body_parse).
 */
int ctl_json_string(struct ctl_req *r, json_t *obj, const char *key, bool fold,
                    const char **out);

/*
 * IN[0..LEN) rewritten so that jansson reads it as Go's encoding/json
 * does (control_json.c): a new buffer of *OUTLEN octets, or NULL when out
 * of memory.
 */
char *ctl_json_go(const char *in, size_t len, size_t *outlen);

/*
 * Parse a domain name, with or without the trailing dot ("." is the root),
 * into WIRE (WIRE_NAME_MAX octets) in canonical (lower-case) form.  When
 * TEXT is not NULL, also its presentation form, absolute and escaped, into
 * TEXT of TEXTCAP octets (safe inside a master-file line).  Returns 0 or
 * -1.
 */
int ctl_name_parse(const char *name, uint8_t *wire, char *text, size_t textcap);

/* What a record change does (control_edit.c). */
enum ctl_op_kind {
	CTL_OP_ADD,      /* add the record TEXT */
	CTL_OP_DEL_RR,   /* remove the record TEXT, data compared */
	CTL_OP_DEL_TYPE, /* remove every record of TYPE (0: any) at TEXT */
};

struct ctl_change {
	enum ctl_op_kind kind;
	const char *text; /* a record line, or a name for CTL_OP_DEL_TYPE */
	uint16_t type;
};

/* How a record change is answered once it serves (or fails). */
enum ctl_style {
	CTL_STYLE_RECORDS, /* /records: 201/200 {"status":"ok"}, 404 */
	CTL_STYLE_COMPAT,  /* challtestsrv: 200, empty; clearing nothing too */
};

/*
 * Apply CH[0..N) as one change (all or nothing) to the serving records.
 * The edits are parsed here: a bad one gets its 400 at once.  Otherwise
 * R's request is kept open until the rebuild thread's new set serves, and
 * answered then in STYLE; WHAT is logged with the success.  When
 * REMOVAL, a change that removes no record gets 404 (/records).
 */
void ctl_records_change(struct ctl_req *r, const struct ctl_change *ch,
                        size_t n, bool removal, enum ctl_style style,
                        const char *what);

/* POST and DELETE /records (control_edit.c). */
void ctl_records_endpoint(struct ctl_req *r);

/* POST /reload (control_edit.c): answered once the new data serves. */
void ctl_reload_endpoint(struct ctl_req *r);

/*
 * pebble-challtestsrv's endpoints (control_compat.c): the handler for
 * PATH, or NULL.
 */
typedef void (*ctl_handler)(struct ctl_req *r);
ctl_handler ctl_compat_find(const char *path);

/*
 * The challtestsrv request histories (control_compat.c): appends O to
 * *LIST, or, when O is NULL or not appended, drops *LIST and leaves
 * NULL there; then replies with LIST (taken) as Go's MarshalIndent
 * writes it (three spaces), or 500 "out of memory" when it is NULL.
 */
void ctl_history_add(json_t **list, json_t *o);
void ctl_history_reply(struct ctl_req *r, json_t *list);

/*
 * The TLS-ALPN-01 endpoints (control_tlsalpn.c): /add-tlsalpn01,
 * /del-tlsalpn01, /tlsalpn01-request-history; and, for
 * /clear-request-history with type "tlsalpn" (R->body parsed, its host
 * checked), forgetting the host's ClientHellos.
 */
void ctl_tlsalpn_add(struct ctl_req *r);
void ctl_tlsalpn_del(struct ctl_req *r);
void ctl_tlsalpn_history(struct ctl_req *r);
void ctl_tlsalpn_clear(struct ctl_req *r);

/*
 * challtestsrv's HTTP-01 endpoints (control_http01.c): /add-http01,
 * /del-http01, /add-redirect, /del-redirect, /http-request-history; and
 * /clear-request-history's "http", for the body's "host".
 */
void ctl_http01_add(struct ctl_req *r);
void ctl_http01_del(struct ctl_req *r);
void ctl_http01_add_redirect(struct ctl_req *r);
void ctl_http01_del_redirect(struct ctl_req *r);
void ctl_http01_history(struct ctl_req *r);
void ctl_http01_history_clear(struct ctl_req *r);

/*
 * S[0..LEN) as Go's encoding/json writes a string that is not UTF-8:
 * each octet that does not begin a valid sequence becomes U+FFFD
 * (control_json.c).  A new string, or NULL when out of memory.
 */
char *ctl_json_utf8_fix(const char *s, size_t len);

#endif /* RESPONDER_CONTROL_INT_H */
