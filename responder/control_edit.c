/*
 * responder/control_edit.c -- record changes and reloads over the API:
 * parsed here, built by the rebuild thread (rebuild.h), answered once the
 * new data serves.
 *
 * A change is a list of edits (add a record, remove a record, remove a
 * type at a name), all parsed before anything is queued: a bad record
 * gets 400 at once and nothing else happens.  The request then waits, open,
 * until the rebuild thread has built the new zone set and the event loop
 * has swapped it in, so that a client that gets its reply can query the
 * new data at once.  A change that cannot be built (an answer too big for
 * a DNS message) gets 400, and nothing of it applies.
 */
#include "control_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fault.h"
#include "log.h"
#include "rebuild.h"
#include "wire.h"
#include "zone.h"

/* A request waiting for the rebuild thread. */
struct ctl_pending {
	struct control *ctl;
	struct evhttp_request *req;
	enum ctl_style style;
	bool removal;
	int code;  /* /records: the status of a success */
	char *log; /* what a success logs */
};

static void
ctl_pending_free(struct ctl_pending *p)
{
	free(p->log);
	free(p);
}

static struct ctl_pending *
ctl_pending_new(struct ctl_req *r, const char *log)
{
	struct ctl_pending *p = calloc(1, sizeof(*p));

	if (p == NULL) {
		return NULL;
	}
	p->ctl = r->ctl;
	p->req = r->req;
	p->log = strdup(log);
	if (p->log == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

/* A change is done: reply as its style says. */
static void
ctl_change_done(void *arg, int rc, const char *err, size_t removed)
{
	struct ctl_pending *p = arg;
	struct ctl_req r = {p->ctl, p->req, EVHTTP_REQ_POST, "", NULL, NULL};

	if (rc == 0 && p->removal && removed == 0) {
		rc = -ENOENT;
	}
	if (rc == -ENOMEM) {
		ctl_reply_error(&r, 500, "out of memory");
	} else if (rc == -ECANCELED) {
		ctl_reply_error(&r, 503, "%s", err);
	} else if (rc != 0 && rc != -ENOENT) {
		ctl_reply_error(&r, 400, "%s", err);
	} else if (p->style == CTL_STYLE_COMPAT) {
		/* challtestsrv: clearing nothing is fine. */
		log_info("control: %s", p->log);
		ctl_reply_empty(&r, 200);
	} else if (rc == -ENOENT) {
		ctl_reply_error(&r, 404, "no such record");
	} else {
		log_info("control: %s", p->log);
		ctl_reply_text(&r, p->code, "{\"status\":\"ok\"}");
	}
	ctl_pending_free(p);
}

static int
ctl_change_parse(struct zone_edits *ed, const struct ctl_change *ch, char *err,
                 size_t errlen)
{
	switch (ch->kind) {
	case CTL_OP_ADD:
		return zone_edits_add(ed, ch->text, err, errlen);
	case CTL_OP_DEL_RR:
		return zone_edits_remove_rr(ed, ch->text, err, errlen);
	case CTL_OP_DEL_TYPE:
		return zone_edits_remove(ed, ch->text, ch->type, err, errlen);
	}
	return -EINVAL;
}

void
ctl_records_change(struct ctl_req *r, const struct ctl_change *ch, size_t n,
                   bool removal, enum ctl_style style, const char *what)
{
	struct zone_edits *ed = zone_edits_new();
	struct ctl_pending *p = ctl_pending_new(r, what);
	char err[1024];
	int rc = 0;

	if (ed == NULL || p == NULL) {
		rc = -ENOMEM;
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		rc = ctl_change_parse(ed, &ch[i], err, sizeof(err));
	}
	if (rc != 0) {
		if (rc == -ENOMEM) {
			ctl_reply_error(r, 500, "out of memory");
		} else {
			ctl_reply_error(r, 400, "%s", err);
		}
		zone_edits_free(ed);
		if (p != NULL) {
			ctl_pending_free(p);
		}
		return;
	}
	p->style = style;
	p->removal = removal;
	p->code = ch[0].kind == CTL_OP_ADD ? 201 : 200;
	if (rebuild_change(r->ctl->cfg.rebuild, ed, ctl_change_done, p) != 0) {
		ctl_pending_free(p);
		ctl_reply_error(r, 500, "out of memory");
	}
}

/* POST /records {"rr"}; DELETE /records {"rr"} or {"name"[,"type"]}. */
void
ctl_records_endpoint(struct ctl_req *r)
{
	static const char *const keys[] = {"rr", "name", "type", NULL};
	struct ctl_change ch = {CTL_OP_ADD, NULL, 0};
	const char *rr, *name, *type;
	char what[1200];

	if (ctl_body_parse(r, true) != 0 || ctl_body_keys(r, keys) != 0 ||
	    ctl_json_string(r, r->body, "rr", false, &rr) < 0 ||
	    ctl_json_string(r, r->body, "name", false, &name) < 0 ||
	    ctl_json_string(r, r->body, "type", false, &type) < 0) {
		return;
	}
	if (r->method == EVHTTP_REQ_POST) {
		if (rr[0] == '\0' || name[0] != '\0' || type[0] != '\0') {
			ctl_reply_error(r, 400, "expected {\"rr\": RECORD}");
			return;
		}
		ch.text = rr;
	} else if (rr[0] != '\0' && name[0] == '\0' && type[0] == '\0') {
		ch.kind = CTL_OP_DEL_RR;
		ch.text = rr;
	} else if (rr[0] == '\0' && name[0] != '\0') {
		uint8_t wire[WIRE_NAME_MAX];

		ch.kind = CTL_OP_DEL_TYPE;
		ch.text = name;
		if (ctl_name_parse(name, wire, NULL, 0) != 0) {
			ctl_reply_error(r, 400, "bad name '%s'", name);
			return;
		}
		if (type[0] != '\0') {
			int t = wire_type_parse(type);

			if (t <= 0 || t == WIRE_TYPE_SOA) {
				ctl_reply_error(r, 400, "bad type '%s'", type);
				return;
			}
			ch.type = (uint16_t)t;
		}
	} else {
		ctl_reply_error(r, 400,
		                "expected {\"rr\": RECORD} or "
		                "{\"name\": NAME, \"type\": TYPE}");
		return;
	}
	(void)snprintf(what, sizeof(what), "record %s (%.1100s)",
	               ch.kind == CTL_OP_ADD ? "added" : "removed", ch.text);
	ctl_records_change(r, &ch, 1, ch.kind != CTL_OP_ADD, CTL_STYLE_RECORDS,
	                   what);
}

/* A reload is done: its figures, or why the old data still serves. */
static void
ctl_reload_done(void *arg, int rc, const char *err, size_t removed)
{
	struct ctl_pending *p = arg;
	struct ctl_req r = {p->ctl, p->req, EVHTTP_REQ_POST, "", NULL, NULL};
	const struct zone_set *zs = rebuild_zones(p->ctl->cfg.rebuild);

	(void)removed;
	if (rc != 0) {
		ctl_reply_error(&r, rc == -ECANCELED ? 503 : 400, "%s", err);
	} else {
		json_int_t zones = (json_int_t)zone_set_zone_count(zs);
		json_int_t records = (json_int_t)zone_set_record_count(zs);
		json_int_t rules = (json_int_t)fault_set_count(p->ctl->cfg.faults);

		ctl_reply_json(&r, 200,
		               json_pack("{s:I,s:I,s:I}", "zones", zones,
		                         "records", records, "rules", rules));
	}
	ctl_pending_free(p);
}

void
ctl_reload_endpoint(struct ctl_req *r)
{
	struct ctl_pending *p = ctl_pending_new(r, "reload");

	if (p == NULL ||
	    rebuild_reload(r->ctl->cfg.rebuild, ctl_reload_done, p) != 0) {
		if (p != NULL) {
			ctl_pending_free(p);
		}
		ctl_reply_error(r, 500, "out of memory");
	}
}
