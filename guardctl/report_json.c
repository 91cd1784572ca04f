/* guardctl report --format json: JSON Lines, one event per line, with
 * Elastic Common Schema field names where they exist (@timestamp,
 * event.*, user.name, user.target.name, group.name, host.name, rule.name)
 * and the OCSF class the event belongs to (ocsf.class_uid, class_name).
 * The mapping is guardctl(8)'s table. */
#include <json.h>
#include <string.h>

#include "guardctl.h"
#include "report.h"

struct ocsf {
	int uid;
	const char *name;
};

static const struct ocsf ACCOUNT = {3001, "Account Change"};
static const struct ocsf GROUP = {3006, "Group Management"};
static const struct ocsf SESSION = {3003, "Authorize Session"};

static json_object *str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void add(json_object *o, const char *k, json_object *v)
{
	if (v)
		json_object_object_add(o, k, v);
}

static json_object *strv(const char *a, const char *b)
{
	json_object *arr = json_object_new_array();

	json_object_array_add(arr, json_object_new_string(a));
	if (b)
		json_object_array_add(arr, json_object_new_string(b));
	return arr;
}

/* An event's common part: time, ECS event, host, OCSF class, and the
 * user objects. */
static json_object *event(const struct report *r, int64_t at, const char *action,
			  const char *outcome, const char *type1, const char *type2,
			  const struct ocsf *cls, const char *actor, const char *target,
			  const char *group)
{
	json_object *o = json_object_new_object(), *ev = json_object_new_object();
	json_object *host = json_object_new_object(), *oc = json_object_new_object();
	char t[40];

	guardctl_iso_time(at, t, sizeof(t));
	add(o, "@timestamp", str(t));
	add(ev, "kind", str("event"));
	add(ev, "category", strv("iam", NULL));
	add(ev, "type", strv(type1, type2));
	add(ev, "action", str(action));
	add(ev, "outcome", str(outcome));
	add(o, "event", ev);
	add(host, "name", str(r->host));
	add(o, "host", host);
	if (actor || target) {
		json_object *user = json_object_new_object();

		add(user, "name", str(actor));
		if (target) {
			json_object *tg = json_object_new_object();

			add(tg, "name", str(target));
			add(user, "target", tg);
		}
		add(o, "user", user);
	}
	if (group) {
		json_object *g = json_object_new_object();

		add(g, "name", str(group));
		add(o, "group", g);
	}
	add(oc, "class_uid", json_object_new_int(cls->uid));
	add(oc, "class_name", str(cls->name));
	add(o, "ocsf", oc);
	return o;
}

static void emit(FILE *out, json_object *o)
{
	fprintf(out, "%s\n",
		json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* ECS event.type and the OCSF class of a Guard action. */
static void classify(const char *action, const char **t1, const char **t2, const struct ocsf **cls)
{
	const char *a = action ? action : "";
	bool group = strncmp(a, "group.", 6) == 0;

	*t1 = group ? "group" : "user";
	*cls = group ? &GROUP : &ACCOUNT;
	if (strcmp(a, "role.escalate") == 0 || strcmp(a, "session.login") == 0) {
		*t2 = "admin";
		*cls = &SESSION;
	} else if (strstr(a, ".create")) {
		*t2 = "creation";
	} else if (strstr(a, ".delete")) {
		*t2 = "deletion";
	} else {
		*t2 = "change";
	}
}

static void decision(const struct report *r, FILE *out, const struct guard_history_row *h)
{
	const char *t1, *t2;
	const struct ocsf *cls;
	json_object *o, *ev, *rule, *guard = json_object_new_object();

	classify(h->action, &t1, &t2, &cls);
	/* A decision that went ahead by a spent approval or break-glass
	 * succeeded, whatever its rule said. */
	o = event(r, h->at, h->action,
		  h->approval_id || h->break_glass ? "success" : report_outcome(h->decision), t1,
		  t2, cls, h->actor, h->target, h->group);
	json_object_object_get_ex(o, "event", &ev);
	add(ev, "reason", str(h->why));
	if (h->rule) {
		rule = json_object_new_object();
		add(rule, "name", str(h->rule));
		add(o, "rule", rule);
	}
	add(guard, "decision", str(h->decision));
	add(guard, "mode", str(h->mode));
	add(guard, "service", str(h->service));
	add(guard, "decision_id", json_object_new_int64(h->decision_id));
	if (h->break_glass)
		add(guard, "break_glass", json_object_new_boolean(1));
	if (h->approval_id)
		add(guard, "approval_id", json_object_new_int64(h->approval_id));
	add(o, "guard", guard);
	emit(out, o);
}

static void other(const struct report *r, FILE *out, const struct guard_report_row *x)
{
	json_object *o, *ev, *guard = json_object_new_object();
	const char *t1 = "user", *t2 = "change", *action = NULL, *outcome = "success";
	const struct ocsf *cls = &ACCOUNT;
	bool group = x->reason && strcmp(x->reason, "group") == 0;

	switch (x->kind) {
	case GUARD_REPORT_APPROVAL:
		action = "guard-approval";
		outcome = strcmp(report_approval_status(r, x), "approved") == 0	 ? "success"
			  : strcmp(report_approval_status(r, x), "pending") == 0 ? "unknown"
										 : "failure";
		add(guard, "status", str(report_approval_status(r, x)));
		add(guard, "approved_by", str(x->other));
		add(guard, "request", str(x->what));
		if (x->end > 0)
			add(guard, "latency_s", json_object_new_int64(x->end - x->at));
		break;
	case GUARD_REPORT_BREAK_GLASS:
		action = "guard-break-glass";
		t2 = "admin";
		cls = &SESSION;
		break;
	case GUARD_REPORT_FREEZE:
		action = "guard-freeze";
		t2 = "admin";
		add(guard, "thawed_by", str(x->other));
		break;
	case GUARD_REPORT_LOCKOUT:
		action = "guard-lockout";
		add(guard, "watch", str(x->what));
		add(guard, "lifted_by", str(x->other));
		break;
	case GUARD_REPORT_ACCOUNT_CHANGE:
	default:
		action = "guard-account-change";
		t1 = group ? "group" : "user";
		cls = group ? &GROUP : &ACCOUNT;
		t2 = x->status && strcmp(x->status, "added") == 0     ? "creation"
		     : x->status && strcmp(x->status, "removed") == 0 ? "deletion"
								      : "change";
		add(guard, "change", str(x->status));
		break;
	}
	o = event(r, x->at, action, outcome, t1, t2, cls,
		  x->kind == GUARD_REPORT_ACCOUNT_CHANGE ? NULL : x->actor, x->target, x->group);
	json_object_object_get_ex(o, "event", &ev);
	add(ev, "reason", str(x->kind == GUARD_REPORT_ACCOUNT_CHANGE ? x->what : x->reason));
	add(guard, "id", json_object_new_int64(x->id));
	add(o, "guard", guard);
	emit(out, o);
}

void report_json(const struct report *r, FILE *out)
{
	for (size_t i = 0; i < r->n_dec; i++)
		decision(r, out, &r->dec[i]);
	for (size_t i = 0; i < r->n_rows; i++)
		other(r, out, &r->rows[i]);
}
