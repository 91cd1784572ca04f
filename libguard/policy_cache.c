/* See policy_cache.h. Every field the parse fills is written and read
 * back in the same order; reading checks each enum, flag and range as the
 * parse would have left it. */
#include "policy_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAGIC  "guard-policy-cache\n"
#define FORMAT 1u

/* A cache is this build's alone: the version is in its head. */
#ifndef GUARD_VERSION
#error "GUARD_VERSION is set by the Makefile"
#endif

/* ---- Writing ---- */

static void enc_bool(struct guard_enc *e, bool v)
{
	guard_enc_u8(e, v ? 1 : 0);
}

static void enc_item(struct guard_enc *e, const struct guard_item *it)
{
	guard_enc_u8(e, (uint8_t)it->kind);
	enc_bool(e, it->negated);
	guard_enc_str(e, it->text);
	guard_enc_str(e, it->name);
	guard_enc_u32(e, it->lo);
	guard_enc_u32(e, it->hi);
	guard_enc_u32(e, (uint32_t)it->cidr.addr.family);
	guard_enc_bytes(e, it->cidr.addr.bytes, sizeof(it->cidr.addr.bytes));
	guard_enc_u32(e, it->cidr.prefix);
	guard_enc_u8(e, it->window.days);
	guard_enc_u32(e, it->window.start_min);
	guard_enc_u32(e, it->window.end_min);
}

static void enc_list(struct guard_enc *e, const struct guard_list *l)
{
	enc_bool(e, l->present);
	guard_enc_u32(e, (uint32_t)l->n);
	for (size_t i = 0; i < l->n; i++)
		enc_item(e, &l->items[i]);
}

static void enc_strv(struct guard_enc *e, char *const *v, size_t n)
{
	guard_enc_u32(e, (uint32_t)n);
	for (size_t i = 0; i < n; i++)
		guard_enc_str(e, v[i]);
}

static void enc_limit(struct guard_enc *e, const struct guard_limit *l)
{
	guard_enc_u32(e, l->count);
	guard_enc_u64(e, (uint64_t)l->period_s);
}

static void enc_settings(struct guard_enc *e, const struct guard_settings *s)
{
	guard_enc_u8(e, (uint8_t)s->mode);
	guard_enc_u8(e, (uint8_t)s->default_decision);
	guard_enc_u8(e, (uint8_t)s->audit);
	enc_bool(e, s->journal);
	enc_list(e, &s->approvers);
	enc_list(e, &s->admins);
	guard_enc_u64(e, (uint64_t)s->approval_ttl_s);
	guard_enc_u64(e, (uint64_t)s->retention_s);
	enc_list(e, &s->break_glass);
	guard_enc_str(e, s->approvers_file);
	guard_enc_str(e, s->admins_file);
	guard_enc_str(e, s->break_glass_file);
	guard_enc_u32(e, s->approvers_line);
	guard_enc_u32(e, s->admins_line);
	guard_enc_u32(e, s->break_glass_line);
	guard_enc_str(e, s->timezone);
	enc_strv(e, s->home_roots, s->n_home_roots);
	guard_enc_str(e, s->approver_keys);
	guard_enc_str(e, s->revoked_keys);
	enc_strv(e, s->notify, s->n_notify);
	guard_enc_str(e, s->notify_user);
}

static void enc_rule(struct guard_enc *e, const struct guard_rule *r)
{
	guard_enc_str(e, r->name);
	guard_enc_str(e, r->file);
	guard_enc_u32(e, r->line);
	guard_enc_u32(e, r->actions);
	enc_list(e, &r->actors);
	enc_list(e, &r->targets);
	enc_list(e, &r->groups);
	enc_list(e, &r->time);
	enc_list(e, &r->from);
	enc_list(e, &r->services);
	enc_bool(e, r->has_limit);
	enc_limit(e, &r->limit);
	guard_enc_u8(e, (uint8_t)r->decision);
	guard_enc_u32(e, r->approvals);
	enc_list(e, &r->approvers);
	guard_enc_str(e, r->message);
	enc_bool(e, r->alert);
}

int guard_policy_cache_encode(const struct guard_policy *p, const char *config, const char *dropins,
			      char **ret, size_t *ret_len)
{
	struct guard_enc e = {0};

	*ret = NULL;
	*ret_len = 0;
	if (!p->inputs || guard_policy_inputs_racy(p))
		return -ESTALE;
	guard_enc_bytes(&e, MAGIC, strlen(MAGIC));
	guard_enc_u32(&e, FORMAT);
	guard_enc_str(&e, GUARD_VERSION);
	guard_enc_str(&e, config);
	guard_enc_str(&e, dropins);
	guard_policy_inputs_encode(p, &e);
	enc_settings(&e, &p->settings);
	enc_strv(&e, p->privileged_groups, p->n_privileged_groups);
	enc_list(&e, &p->protected_users);
	guard_enc_u32(&e, (uint32_t)p->n_rules);
	for (size_t i = 0; i < p->n_rules; i++)
		enc_rule(&e, &p->rules[i]);
	guard_enc_u32(&e, (uint32_t)p->n_watches);
	for (size_t i = 0; i < p->n_watches; i++) {
		const struct guard_watch *w = &p->watches[i];

		guard_enc_str(&e, w->name);
		guard_enc_str(&e, w->file);
		guard_enc_u32(&e, w->line);
		guard_enc_u32(&e, w->decisions);
		enc_limit(&e, &w->threshold);
		guard_enc_u64(&e, (uint64_t)w->lockout_s);
	}
	guard_enc_u32(&e, (uint32_t)p->n_services);
	for (size_t i = 0; i < p->n_services; i++) {
		guard_enc_str(&e, p->services[i].name);
		guard_enc_u8(&e, (uint8_t)p->services[i].action);
		guard_enc_str(&e, p->services[i].file);
		guard_enc_u32(&e, p->services[i].line);
	}
	guard_enc_u32(&e, (uint32_t)p->n_commands);
	for (size_t i = 0; i < p->n_commands; i++) {
		guard_enc_str(&e, p->commands[i].name);
		guard_enc_str(&e, p->commands[i].path);
		guard_enc_u32(&e, p->commands[i].actions);
		guard_enc_str(&e, p->commands[i].file);
		guard_enc_u32(&e, p->commands[i].line);
	}
	enc_strv(&e, p->files, p->n_files);
	guard_enc_u32(&e, (uint32_t)p->n_warnings);
	for (size_t i = 0; i < p->n_warnings; i++) {
		guard_enc_str(&e, p->warnings[i].where.file);
		guard_enc_u32(&e, p->warnings[i].where.line);
		guard_enc_str(&e, p->warnings[i].where.message);
	}
	if (e.failed) {
		guard_enc_free(&e);
		return -ENOMEM;
	}
	*ret = e.buf;
	*ret_len = e.len;
	return 0;
}

/* ---- Reading ---- */

/* The smallest encodings, which bound every count read. */
#define ITEM_MIN (1 + 1 + 4 + 4 + 4 + 4 + 4 + 16 + 4 + 1 + 4 + 4)
#define STR_MIN	 4u

static bool dec_bool(struct guard_dec *d)
{
	uint8_t v = guard_dec_u8(d);

	guard_dec_check(d, v <= 1);
	return v == 1;
}

/* A string the parse always sets. */
static char *dec_str_set(struct guard_dec *d)
{
	char *s = guard_dec_str(d);

	guard_dec_check(d, s != NULL);
	return s;
}

static void dec_item(struct guard_dec *d, struct guard_item *it)
{
	uint8_t kind = guard_dec_u8(d);
	uint32_t family, start, end;

	guard_dec_check(d, kind <= GUARD_ITEM_SERVICE);
	it->kind = (enum guard_item_kind)kind;
	it->negated = dec_bool(d);
	it->text = guard_dec_str(d);
	it->name = guard_dec_str(d);
	it->lo = guard_dec_u32(d);
	it->hi = guard_dec_u32(d);
	family = guard_dec_u32(d);
	guard_dec_check(d, family == 0 || family == AF_INET || family == AF_INET6);
	it->cidr.addr.family = (int)family;
	guard_dec_bytes(d, it->cidr.addr.bytes, sizeof(it->cidr.addr.bytes));
	it->cidr.prefix = guard_dec_u32(d);
	guard_dec_check(d, it->cidr.prefix <= (family == AF_INET ? 32u : 128u));
	it->window.days = guard_dec_u8(d);
	start = guard_dec_u32(d);
	end = guard_dec_u32(d);
	guard_dec_check(d, it->window.days <= 0x7f && start <= 1439 && end <= 1440);
	it->window.start_min = (uint16_t)start;
	it->window.end_min = (uint16_t)end;
	/* What every matcher item has: its text; a named kind, its name. */
	guard_dec_check(d, it->text != NULL);
	if (kind == GUARD_ITEM_NAME || kind == GUARD_ITEM_GROUP || kind == GUARD_ITEM_TTY ||
	    kind == GUARD_ITEM_SERVICE)
		guard_dec_check(d, it->name != NULL);
}

static void dec_list(struct guard_dec *d, struct guard_list *l)
{
	size_t n;

	l->present = dec_bool(d);
	n = guard_dec_count(d, ITEM_MIN);
	if (d->failed || n == 0)
		return;
	l->items = calloc(n, sizeof(*l->items));
	if (!l->items) {
		d->failed = true;
		return;
	}
	l->n = n;
	for (size_t i = 0; i < n && !d->failed; i++)
		dec_item(d, &l->items[i]);
}

static void dec_strv(struct guard_dec *d, char ***ret, size_t *ret_n)
{
	size_t n = guard_dec_count(d, STR_MIN);
	char **v;

	if (d->failed || n == 0)
		return;
	v = calloc(n, sizeof(*v));
	if (!v) {
		d->failed = true;
		return;
	}
	*ret = v;
	*ret_n = n;
	for (size_t i = 0; i < n && !d->failed; i++)
		v[i] = dec_str_set(d);
}

static void dec_limit(struct guard_dec *d, struct guard_limit *l)
{
	l->count = guard_dec_u32(d);
	l->period_s = (int64_t)guard_dec_u64(d);
}

static uint8_t dec_enum(struct guard_dec *d, uint8_t max)
{
	uint8_t v = guard_dec_u8(d);

	guard_dec_check(d, v <= max);
	return v;
}

static void dec_settings(struct guard_dec *d, struct guard_settings *s)
{
	s->mode = (enum guard_mode)dec_enum(d, GUARD_MODE_MONITOR);
	s->default_decision = (enum guard_decision)dec_enum(d, GUARD_DECISION_DENY);
	s->audit = (enum guard_audit_mode)dec_enum(d, GUARD_AUDIT_OFF);
	s->journal = dec_bool(d);
	dec_list(d, &s->approvers);
	dec_list(d, &s->admins);
	s->approval_ttl_s = (int64_t)guard_dec_u64(d);
	s->retention_s = (int64_t)guard_dec_u64(d);
	dec_list(d, &s->break_glass);
	s->approvers_file = guard_dec_str(d);
	s->admins_file = guard_dec_str(d);
	s->break_glass_file = guard_dec_str(d);
	s->approvers_line = guard_dec_u32(d);
	s->admins_line = guard_dec_u32(d);
	s->break_glass_line = guard_dec_u32(d);
	s->timezone = dec_str_set(d);
	dec_strv(d, &s->home_roots, &s->n_home_roots);
	s->approver_keys = dec_str_set(d);
	s->revoked_keys = guard_dec_str(d);
	dec_strv(d, &s->notify, &s->n_notify);
	s->notify_user = guard_dec_str(d);
	guard_dec_check(d, s->approval_ttl_s > 0 && s->retention_s > 0);
}

static void dec_rule(struct guard_dec *d, struct guard_rule *r)
{
	r->name = dec_str_set(d);
	r->file = dec_str_set(d);
	r->line = guard_dec_u32(d);
	r->actions = guard_dec_u32(d);
	guard_dec_check(d, r->actions < (1u << GUARD_ACTION_COUNT));
	dec_list(d, &r->actors);
	dec_list(d, &r->targets);
	dec_list(d, &r->groups);
	dec_list(d, &r->time);
	dec_list(d, &r->from);
	dec_list(d, &r->services);
	r->has_limit = dec_bool(d);
	dec_limit(d, &r->limit);
	r->decision = (enum guard_decision)dec_enum(d, GUARD_DECISION_DENY);
	r->approvals = guard_dec_u32(d);
	dec_list(d, &r->approvers);
	r->message = guard_dec_str(d);
	r->alert = dec_bool(d);
	guard_dec_check(d, !r->has_limit || (r->limit.count >= 1 && r->limit.period_s >= 1));
}

/* An array of a count's elements, zeroed; NULL when none or failed. */
static void *dec_array(struct guard_dec *d, size_t min_size, size_t size, size_t *ret_n)
{
	size_t n = guard_dec_count(d, min_size);
	void *v;

	*ret_n = 0;
	if (d->failed || n == 0)
		return NULL;
	v = calloc(n, size);
	if (!v) {
		d->failed = true;
		return NULL;
	}
	*ret_n = n;
	return v;
}

static void dec_body(struct guard_dec *d, struct guard_policy *p)
{

	dec_settings(d, &p->settings);
	dec_strv(d, &p->privileged_groups, &p->n_privileged_groups);
	dec_list(d, &p->protected_users);
	p->rules = dec_array(d, 16, sizeof(*p->rules), &p->n_rules);
	for (size_t i = 0; p->rules && i < p->n_rules && !d->failed; i++)
		dec_rule(d, &p->rules[i]);
	p->watches = dec_array(d, 16, sizeof(*p->watches), &p->n_watches);
	for (size_t i = 0; p->watches && i < p->n_watches && !d->failed; i++) {
		struct guard_watch *w = &p->watches[i];

		w->name = dec_str_set(d);
		w->file = dec_str_set(d);
		w->line = guard_dec_u32(d);
		w->decisions = guard_dec_u32(d);
		dec_limit(d, &w->threshold);
		w->lockout_s = (int64_t)guard_dec_u64(d);
		guard_dec_check(d, w->lockout_s >= 0);
	}
	p->services = dec_array(d, 13, sizeof(*p->services), &p->n_services);
	for (size_t i = 0; p->services && i < p->n_services && !d->failed; i++) {
		p->services[i].name = dec_str_set(d);
		p->services[i].action =
		    (enum guard_action)dec_enum(d, (uint8_t)(GUARD_ACTION_COUNT - 1));
		p->services[i].file = dec_str_set(d);
		p->services[i].line = guard_dec_u32(d);
	}
	p->commands = dec_array(d, 20, sizeof(*p->commands), &p->n_commands);
	for (size_t i = 0; p->commands && i < p->n_commands && !d->failed; i++) {
		struct guard_command *c = &p->commands[i];

		c->name = dec_str_set(d);
		c->path = dec_str_set(d);
		c->actions = guard_dec_u32(d);
		guard_dec_check(d, c->actions < (1u << GUARD_ACTION_COUNT));
		c->file = dec_str_set(d);
		c->line = guard_dec_u32(d);
	}
	dec_strv(d, &p->files, &p->n_files);
	p->warnings = dec_array(d, 12, sizeof(*p->warnings), &p->n_warnings);
	for (size_t i = 0; p->warnings && i < p->n_warnings && !d->failed; i++) {
		struct guard_error *w = &p->warnings[i].where;
		char *file = dec_str_set(d), *msg = NULL;

		w->line = guard_dec_u32(d);
		msg = dec_str_set(d);
		guard_dec_check(d, file && strlen(file) < sizeof(w->file) && msg &&
				       strlen(msg) < sizeof(w->message));
		if (!d->failed) {
			memcpy(w->file, file, strlen(file) + 1);
			memcpy(w->message, msg, strlen(msg) + 1);
		}
		free(file);
		free(msg);
	}
}

int guard_policy_cache_decode(const char *buf, size_t len, const char *config, const char *dropins,
			      struct guard_policy **ret)
{
	struct guard_dec d = {.p = (const unsigned char *)buf, .left = len};
	struct guard_policy *p = NULL;
	char magic[sizeof(MAGIC) - 1], *version, *c, *dr;
	bool same;
	int r;

	*ret = NULL;
	guard_dec_bytes(&d, magic, sizeof(magic));
	if (d.failed || memcmp(magic, MAGIC, sizeof(magic)) != 0)
		return -EBADMSG;
	if (guard_dec_u32(&d) != FORMAT)
		return -ESTALE;
	version = guard_dec_str(&d);
	c = guard_dec_str(&d);
	dr = guard_dec_str(&d);
	same = !d.failed && version && c && dr && strcmp(version, GUARD_VERSION) == 0 &&
	       strcmp(c, config) == 0 && strcmp(dr, dropins) == 0;
	free(version);
	free(c);
	free(dr);
	if (d.failed)
		return -EBADMSG;
	if (!same)
		return -ESTALE;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	r = guard_policy_inputs_decode(p, &d);
	if (r == 0)
		dec_body(&d, p);
	if (r == 0 && (d.failed || d.left != 0))
		r = -EBADMSG;
	if (r < 0) {
		guard_policy_free(p);
		return r;
	}
	*ret = p;
	return 0;
}
