/* The policy in memory: creation, defaults, matcher items, look-ups. */
#include "policy.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "sudoers.h"

int guard_policy_new(struct guard_policy **ret)
{
	struct guard_policy *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->settings.mode = GUARD_MODE_ENFORCE;
	p->settings.default_decision = GUARD_DECISION_DENY;
	p->settings.audit = GUARD_AUDIT_REQUIRED;
	p->settings.journal = true;
	p->settings.approval_ttl_s = 30 * 60;
	p->settings.retention_s = GUARD_RETENTION_DEFAULT_S;
	p->settings.timezone = strdup("system");
	p->settings.approver_keys = strdup(GUARD_DEFAULT_APPROVER_KEYS);
	p->settings.home_roots = calloc(1, sizeof(char *));
	if (p->settings.home_roots)
		p->settings.home_roots[0] = strdup("/home");
	if (!p->settings.timezone || !p->settings.approver_keys || !p->settings.home_roots ||
	    !p->settings.home_roots[0]) {
		guard_policy_free(p);
		return -ENOMEM;
	}
	p->settings.n_home_roots = 1;
	*ret = p;
	return 0;
}

void guard_item_clear(struct guard_item *item)
{
	if (!item)
		return;
	free(item->text);
	free(item->name);
	memset(item, 0, sizeof(*item));
}

static void list_clear(struct guard_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		guard_item_clear(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static void rule_clear(struct guard_rule *r)
{
	free(r->name);
	free(r->file);
	free(r->message);
	list_clear(&r->actors);
	list_clear(&r->targets);
	list_clear(&r->groups);
	list_clear(&r->time);
	list_clear(&r->from);
	list_clear(&r->services);
	list_clear(&r->approvers);
}

void guard_policy_free(struct guard_policy *p)
{
	if (!p)
		return;
	list_clear(&p->settings.approvers);
	list_clear(&p->settings.admins);
	list_clear(&p->settings.break_glass);
	free(p->settings.approvers_file);
	free(p->settings.admins_file);
	free(p->settings.break_glass_file);
	free(p->settings.timezone);
	free(p->settings.approver_keys);
	free(p->settings.revoked_keys);
	strv_free(p->settings.notify, p->settings.n_notify);
	free(p->settings.notify_user);
	strv_free(p->settings.home_roots, p->settings.n_home_roots);
	strv_free(p->privileged_groups, p->n_privileged_groups);
	list_clear(&p->protected_users);
	free(p->role_users.names);
	free(p->role_users.ranges);
	for (size_t i = 0; i < p->n_role_groups; i++) {
		free(p->role_groups[i].name);
		free(p->role_groups[i].role);
		free(p->role_groups[i].file);
	}
	free(p->role_groups);
	free(p->utmp_group);
	guard_sudoers_grants_free(p->sudoers, p->n_sudoers);
	guard_policy_inputs_free(p->inputs);
	for (size_t i = 0; i < p->n_rules; i++)
		rule_clear(&p->rules[i]);
	free(p->rules);
	for (size_t i = 0; i < p->n_watches; i++) {
		free(p->watches[i].name);
		free(p->watches[i].file);
	}
	free(p->watches);
	for (size_t i = 0; i < p->n_services; i++) {
		free(p->services[i].name);
		free(p->services[i].file);
	}
	free(p->services);
	for (size_t i = 0; i < p->n_commands; i++) {
		free(p->commands[i].name);
		free(p->commands[i].path);
		free(p->commands[i].file);
	}
	free(p->commands);
	guard_tz_free(p->tz);
	strv_free(p->files, p->n_files);
	free(p->warnings);
	free(p);
}

void guard_policy_warn(struct guard_policy *p, const char *file, unsigned line, const char *fmt,
		       ...)
{
	struct guard_warning *w;
	va_list ap;

	w = realloc(p->warnings, (p->n_warnings + 1) * sizeof(*w));
	if (!w)
		return;
	p->warnings = w;
	w = &p->warnings[p->n_warnings++];
	snprintf(w->where.file, sizeof(w->where.file), "%s", file ? file : "");
	w->where.line = line;
	va_start(ap, fmt);
	vsnprintf(w->where.message, sizeof(w->where.message), fmt, ap);
	va_end(ap);
}

/* Which item forms each option accepts. */
enum {
	F_ANY = 1 << 0,
	F_NAME = 1 << 1,
	F_GROUP = 1 << 2,
	F_UID = 1 << 3,
	F_GID = 1 << 4,
	F_PROTECTED = 1 << 5,
	F_PRIVILEGED = 1 << 6,
	F_FROM = 1 << 7,
	F_WINDOW = 1 << 8,
	F_SERVICE = 1 << 9,
	F_NEGATE = 1 << 10,
	F_GROUPNAME = 1 << 11,
};

static const struct {
	const char *option;
	unsigned forms;
} item_forms[] = {
    {"actors", F_ANY | F_NAME | F_GROUP | F_UID | F_NEGATE},
    {"approvers", F_ANY | F_NAME | F_GROUP | F_UID | F_NEGATE},
    {"admins", F_ANY | F_NAME | F_GROUP | F_UID | F_NEGATE},
    {"break_glass", F_ANY | F_NAME | F_GROUP | F_UID | F_NEGATE},
    {"targets", F_ANY | F_NAME | F_GROUP | F_UID | F_PROTECTED | F_NEGATE},
    {"groups", F_ANY | F_GROUPNAME | F_GID | F_PRIVILEGED | F_NEGATE},
    {"time", F_ANY | F_WINDOW | F_NEGATE},
    {"from", F_ANY | F_FROM | F_NEGATE},
    {"services", F_ANY | F_SERVICE | F_NEGATE},
    {"protected_users", F_NAME | F_UID},
};

static bool service_name_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static bool tty_glob_is_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return false;
	return true;
}

static int item_fail(struct guard_error *err, const char *option, const char *text, const char *why)
{
	char q[128];

	guard_error_set(err, NULL, 0, "%s: \"%s\": %s", option, guard_escape(text, q, sizeof(q)),
			why);
	return -EINVAL;
}

static int id_item(const char *text, const char *spec, struct guard_item *it,
		   struct guard_error *err, const char *option, const char *what)
{
	int r = guard_parse_id_range(spec, &it->lo, &it->hi);

	if (r < 0)
		return item_fail(err, option, text,
				 strcmp(what, "uid") == 0
				     ? "not a uid range: use uid:N or uid:LO-HI with canonical "
				       "decimals, LO <= HI <= 4294967293"
				     : "not a gid range: use gid:N or gid:LO-HI with canonical "
				       "decimals, LO <= HI <= 4294967293");
	it->kind = GUARD_ITEM_ID_RANGE;
	return 0;
}

int guard_item_parse(const char *option, const char *text, struct guard_item *ret,
		     struct guard_error *err)
{
	struct guard_item it = {0};
	unsigned forms = 0;
	const char *s = text;
	int r;

	for (size_t i = 0; i < sizeof(item_forms) / sizeof(item_forms[0]); i++)
		if (strcmp(item_forms[i].option, option) == 0)
			forms = item_forms[i].forms;
	if (forms == 0)
		return item_fail(err, option, text, "not a matcher");
	if (*s == '!') {
		if (!(forms & F_NEGATE))
			return item_fail(err, option, text, "\"!\" is not allowed here");
		it.negated = true;
		s++;
	}
	if (*s == '\0')
		return item_fail(err, option, text, "empty item");

	if (strcmp(s, "*") == 0 && (forms & F_ANY)) {
		it.kind = GUARD_ITEM_ANY;
	} else if (s[0] == '%' && (forms & F_GROUP)) {
		if (!guard_name_is_valid(s + 1))
			return item_fail(err, option, text, "not a valid group name after \"%\"");
		it.kind = GUARD_ITEM_GROUP;
		it.name = strdup(s + 1);
	} else if (strncmp(s, "uid:", 4) == 0 && (forms & F_UID)) {
		r = id_item(text, s + 4, &it, err, option, "uid");
		if (r < 0)
			return r;
	} else if (strncmp(s, "gid:", 4) == 0 && (forms & F_GID)) {
		r = id_item(text, s + 4, &it, err, option, "gid");
		if (r < 0)
			return r;
	} else if (strcmp(s, "@protected") == 0 && (forms & F_PROTECTED)) {
		it.kind = GUARD_ITEM_PROTECTED;
	} else if (strcmp(s, "@privileged") == 0 && (forms & F_PRIVILEGED)) {
		it.kind = GUARD_ITEM_PRIVILEGED;
	} else if (forms & F_WINDOW) {
		if (guard_window_parse(s, &it.window) < 0)
			return item_fail(err, option, text,
					 "not a time window: use \"Mon-Fri 08:00-18:00\", "
					 "\"Sat,Sun 10:00-14:00\", \"22:00-06:00\" or \"*\"");
		it.kind = GUARD_ITEM_WINDOW;
	} else if (forms & F_FROM) {
		if (strcmp(s, "local") == 0) {
			it.kind = GUARD_ITEM_LOCAL;
		} else if (strcmp(s, "remote") == 0) {
			it.kind = GUARD_ITEM_REMOTE;
		} else if (strncmp(s, "tty:", 4) == 0) {
			if (!tty_glob_is_valid(s + 4))
				return item_fail(err, option, text, "not a terminal glob");
			it.kind = GUARD_ITEM_TTY;
			it.name = strdup(s + 4);
		} else if (guard_cidr_parse(s, &it.cidr) == 0) {
			it.kind = GUARD_ITEM_CIDR;
		} else {
			return item_fail(err, option, text,
					 "not a location: use \"local\", \"remote\", an address "
					 "or network (\"10.0.0.0/8\", \"2001:db8::/32\", no host "
					 "bits past the prefix) or \"tty:GLOB\"; host names are "
					 "not allowed");
		}
	} else if (forms & F_SERVICE) {
		if (!service_name_is_valid(s))
			return item_fail(err, option, text, "not a service name");
		it.kind = GUARD_ITEM_SERVICE;
		it.name = strdup(s);
	} else if (forms & (F_NAME | F_GROUPNAME)) {
		if (s[0] == '@' || s[0] == '%')
			return item_fail(err, option, text,
					 s[0] == '@' ? "unknown \"@\" set here"
						     : "\"%group\" is not allowed here");
		if (!guard_name_is_valid(s))
			return item_fail(err, option, text,
					 (forms & F_NAME) ? "not a valid user name"
							  : "not a valid group name");
		it.kind = GUARD_ITEM_NAME;
		it.name = strdup(s);
	} else {
		return item_fail(err, option, text, "not allowed here");
	}

	it.text = strdup(s);
	if (!it.text || ((it.kind == GUARD_ITEM_NAME || it.kind == GUARD_ITEM_GROUP ||
			  it.kind == GUARD_ITEM_TTY || it.kind == GUARD_ITEM_SERVICE) &&
			 !it.name)) {
		guard_item_clear(&it);
		guard_error_set(err, NULL, 0, "out of memory");
		return -ENOMEM;
	}
	*ret = it;
	return 0;
}

const struct guard_command *guard_policy_command(const struct guard_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_commands; i++)
		if (strcmp(p->commands[i].name, name) == 0)
			return &p->commands[i];
	return NULL;
}

const struct guard_service *guard_policy_service(const struct guard_policy *p, const char *name)
{
	for (size_t i = 0; i < p->n_services; i++)
		if (strcmp(p->services[i].name, name) == 0)
			return &p->services[i];
	return NULL;
}

static int name_vs_role_group(const void *name, const void *group)
{
	return strcmp(name, ((const struct guard_role_group *)group)->name);
}

static int name_vs_name(const void *name, const void *other)
{
	return strcmp(name, *(const char *const *)other);
}

const struct guard_role_group *guard_policy_role_group(const struct guard_policy *p,
						       const char *group)
{
	/* Sorted by name (guard_policy_finish). */
	if (!group || p->n_role_groups == 0)
		return NULL;
	return bsearch(group, p->role_groups, p->n_role_groups, sizeof(*p->role_groups),
		       name_vs_role_group);
}

bool guard_policy_role_user(const struct guard_policy *p, const char *name, bool uid_known,
			    uint32_t uid)
{
	const struct guard_role_users *u = &p->role_users;
	size_t lo = 0, hi = u->n_ranges;

	/* Sorted, each once (guard_policy_finish). */
	if (name && u->n_names > 0 &&
	    bsearch(name, u->names, u->n_names, sizeof(*u->names), name_vs_name))
		return true;
	if (!uid_known)
		return false;
	/* Sorted and apart: the first range that ends at uid or later holds
	 * it, or none does. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (u->ranges[mid].hi < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < u->n_ranges && u->ranges[lo].lo <= uid;
}

enum guard_privilege guard_policy_group_privilege(const struct guard_policy *p, const char *group,
						  bool gid_known, uint32_t gid,
						  const struct guard_role_group **ret_role)
{
	const struct guard_role_group *role = guard_policy_role_group(p, group);

	if (ret_role)
		*ret_role = NULL;
	/* gid 0 grants root's group whatever the policy lists. */
	if (gid_known && gid == 0)
		return GUARD_PRIVILEGE_GID0;
	/* Joining a role group grants a Guard power: named first, it says most. */
	if (role) {
		if (ret_role)
			*ret_role = role;
		return GUARD_PRIVILEGE_ROLE;
	}
	for (size_t i = 0; group && i < p->n_privileged_groups; i++)
		if (strcmp(p->privileged_groups[i], group) == 0)
			return GUARD_PRIVILEGE_LISTED;
	/* Its members could write any location into utmp. */
	if ((p->utmp_gid_known && gid_known && gid == p->utmp_gid) ||
	    (p->utmp_group && group && strcmp(p->utmp_group, group) == 0))
		return GUARD_PRIVILEGE_UTMP;
	/* Its members run what sudoers lets them, whatever Guard lists. */
	if (guard_sudoers_group(p, group, gid_known, gid))
		return GUARD_PRIVILEGE_SUDOERS;
	return GUARD_PRIVILEGE_NONE;
}

bool guard_policy_group_is_privileged(const struct guard_policy *p, const char *group,
				      bool gid_known, uint32_t gid)
{
	return guard_policy_group_privilege(p, group, gid_known, gid, NULL) != GUARD_PRIVILEGE_NONE;
}
