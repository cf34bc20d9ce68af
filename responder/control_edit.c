/*
 * responder/control_edit.c -- record changes over the API: the list of
 * edits, the rebuild that puts them in service, and /records.
 *
 * The API keeps every record change as an edit (add a record, remove a
 * record, remove a type at a name).  A change builds new zone_edits from
 * the list plus the new edits and a new zone set from the zone files and
 * those edits; only when both succeed do they replace the serving ones.
 * So a bad record, or a zone file that no longer loads, leaves everything
 * as it was, and there is nothing to undo.
 *
 * The list stays short: removing a type at a name makes every earlier
 * edit of that name and type pointless, so they are dropped.  A client
 * that sets and clears a TXT record a thousand times leaves one edit.
 */
#include "control_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "log.h"
#include "wire.h"
#include "zone.h"

struct ctl_op {
	enum ctl_op_kind kind;
	char *text;       /* the record, or the name for CTL_OP_DEL_TYPE */
	uint16_t type;    /* the record's type; for CTL_OP_DEL_TYPE 0 is any */
	uint8_t ownerlen; /* 0: owner unknown, never dropped */
	uint8_t owner[WIRE_NAME_MAX]; /* canonical */
	bool dropped; /* made pointless by a change being tried */
};

static void
ctl_op_free(struct ctl_op *op)
{
	if (op != NULL) {
		free(op->text);
		free(op);
	}
}

/*
 * The owner and type of a record line, as zone_edits_add() reads it
 * (owner relative to the root, TTL optional).  Left unknown when it does
 * not parse: zone_edits_add() then says why.
 */
static void
ctl_op_owner(struct ctl_op *op)
{
	ldns_rdf *origin = ldns_dname_new_frm_str(".");
	ldns_rr *rr = NULL;

	if (origin != NULL &&
	    ldns_rr_new_frm_str(&rr, op->text, 60, origin, NULL) ==
	            LDNS_STATUS_OK &&
	    ldns_rdf_size(ldns_rr_owner(rr)) <= WIRE_NAME_MAX) {
		op->ownerlen = (uint8_t)ldns_rdf_size(ldns_rr_owner(rr));
		memcpy(op->owner, ldns_rdf_data(ldns_rr_owner(rr)),
		       op->ownerlen);
		wire_name_lower(op->owner);
		op->type = (uint16_t)ldns_rr_get_type(rr);
	}
	ldns_rr_free(rr);
	ldns_rdf_deep_free(origin);
}

static struct ctl_op *
ctl_op_new(const struct ctl_change *ch)
{
	struct ctl_op *op = calloc(1, sizeof(*op));

	if (op == NULL) {
		return NULL;
	}
	op->kind = ch->kind;
	op->type = ch->type;
	op->text = strdup(ch->text);
	if (op->text == NULL) {
		free(op);
		return NULL;
	}
	if (ch->kind == CTL_OP_DEL_TYPE) {
		if (ctl_name_parse(ch->text, op->owner, NULL, 0) == 0) {
			op->ownerlen = (uint8_t)wire_name_len(op->owner);
		}
	} else {
		ctl_op_owner(op);
	}
	return op;
}

/* True when DEL (a CTL_OP_DEL_TYPE) makes the earlier OP pointless. */
static bool
ctl_op_covers(const struct ctl_op *del, const struct ctl_op *op)
{
	if (del->ownerlen == 0 || op->ownerlen != del->ownerlen ||
	    memcmp(op->owner, del->owner, del->ownerlen) != 0) {
		return false;
	}
	return del->type == 0 || op->type == del->type;
}

static int
ctl_op_apply(struct zone_edits *ed, const struct ctl_op *op, char *err,
             size_t errlen)
{
	switch (op->kind) {
	case CTL_OP_ADD:
		return zone_edits_add(ed, op->text, err, errlen);
	case CTL_OP_DEL_RR:
		return zone_edits_remove_rr(ed, op->text, err, errlen);
	case CTL_OP_DEL_TYPE:
		return zone_edits_remove(ed, op->text, op->type, err, errlen);
	}
	return -EINVAL;
}

void
ctl_records_clear(struct control *ctl)
{
	for (size_t i = 0; i < ctl->nops; i++) {
		ctl_op_free(ctl->ops[i]);
	}
	free(ctl->ops);
	ctl->ops = NULL;
	ctl->nops = 0;
	zone_edits_free(ctl->edits);
	ctl->edits = NULL;
}

int
ctl_records_change(struct control *ctl, const struct ctl_change *ch, size_t n,
                   bool removal, char *err, size_t errlen)
{
	struct ctl_op **fresh = calloc(n > 0 ? n : 1, sizeof(struct ctl_op *));
	struct ctl_op **list =
	        calloc(ctl->nops + n + 1, sizeof(struct ctl_op *));
	const struct zone_set *old = *ctl->cfg.zones;
	struct zone_edits *ed = zone_edits_new();
	struct zone_set *zs = NULL;
	size_t nlist = 0;
	int rc = 0;

	if (fresh == NULL || list == NULL || ed == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		fresh[i] = ctl_op_new(&ch[i]);
		if (fresh[i] == NULL) {
			(void)snprintf(err, errlen, "out of memory");
			rc = -ENOMEM;
			goto out;
		}
	}
	/* The list as it would be: old edits not made pointless, then new. */
	for (size_t i = 0; i < ctl->nops; i++) {
		for (size_t k = 0; k < n && !ctl->ops[i]->dropped; k++) {
			ctl->ops[i]->dropped =
			        fresh[k]->kind == CTL_OP_DEL_TYPE &&
			        ctl_op_covers(fresh[k], ctl->ops[i]);
		}
		if (!ctl->ops[i]->dropped) {
			list[nlist++] = ctl->ops[i];
		}
	}
	for (size_t k = 0; k < n; k++) {
		list[nlist++] = fresh[k];
	}
	for (size_t i = 0; i < nlist && rc == 0; i++) {
		rc = ctl_op_apply(ed, list[i], err, errlen);
	}
	if (rc != 0) {
		goto out;
	}
	zs = zone_set_load_edits(ctl->cfg.zone_files, ctl->cfg.nzone_files, ed,
	                         err, errlen);
	if (zs == NULL) {
		rc = -EINVAL;
		goto out;
	}
	if (removal &&
	    zone_set_record_count(zs) >= zone_set_record_count(old)) {
		(void)snprintf(err, errlen, "no such record");
		rc = -ENOENT;
		goto out;
	}

	/* Commit: no query runs between events, so the swap is atomic. */
	for (size_t i = 0; i < ctl->nops; i++) {
		if (ctl->ops[i]->dropped) {
			ctl_op_free(ctl->ops[i]);
		}
	}
	free(ctl->ops);
	ctl->ops = list;
	ctl->nops = nlist;
	list = NULL;
	zone_edits_free(ctl->edits);
	ctl->edits = ed;
	ed = NULL;
	zone_set_free(*ctl->cfg.zones);
	*ctl->cfg.zones = zs;
	ctl->cfg.env->zones = zs;
	zs = NULL;
	free(fresh);
	return 0;
out:
	for (size_t i = 0; i < ctl->nops; i++) {
		ctl->ops[i]->dropped = false;
	}
	for (size_t i = 0; fresh != NULL && i < n; i++) {
		ctl_op_free(fresh[i]);
	}
	free(fresh);
	free(list);
	zone_edits_free(ed);
	zone_set_free(zs);
	return rc;
}

/* POST /records {"rr"}; DELETE /records {"rr"} or {"name"[,"type"]}. */
void
ctl_records_endpoint(struct ctl_req *r)
{
	static const char *const keys[] = {"rr", "name", "type", NULL};
	struct ctl_change ch = {CTL_OP_ADD, NULL, 0};
	const char *rr, *name, *type;
	char err[1024];
	int rc;

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
	rc = ctl_records_change(r->ctl, &ch, 1, ch.kind != CTL_OP_ADD, err,
	                        sizeof(err));
	if (rc == -ENOENT) {
		ctl_reply_error(r, 404, "no such record");
	} else if (rc == -ENOMEM) {
		ctl_reply_error(r, 500, "out of memory");
	} else if (rc != 0) {
		ctl_reply_error(r, 400, "%s", err);
	} else {
		log_info("control: record %s (%s)",
		         ch.kind == CTL_OP_ADD ? "added" : "removed", ch.text);
		ctl_reply_text(r, ch.kind == CTL_OP_ADD ? 201 : 200,
		               "{\"status\":\"ok\"}");
	}
}
