/* Encoding and decoding of the module-helper messages: see wire.h. */
#include "wire.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum tag {
	T_STAGE = 1,
	T_FLAGS,
	T_RUID,
	T_SERVICE,
	T_USER,
	T_RUSER,
	T_RHOST,
	T_TTY,
	T_CONFIG,
	T_ACTION,
	T_RESULT,
	T_LOG_PRIORITY,
	T_GUIDANCE,
	T_LOG,
	T_RUNAS_UID,
	T_RUNAS_GID,
	T_RUNAS_GROUPS,
	T_COMMAND,
	T_CWD,
	T_ARGV,
	T_ENV_UNSAFE,
	T_HOST_PID,
	T_REASON,
	T_WAIT_STATUS,
	T_EXIT_CODE,
	T_EVENTS,
	T_END_EVENTS,
	T_MAX
};

#define FIELD_HEADER 6u /* tag u16, length u32 */

struct writer {
	uint8_t *buf;
	size_t len, cap;
	int error;
};

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static uint8_t *reserve(struct writer *w, size_t n)
{
	if (w->error)
		return NULL;
	if (n > GUARD_WIRE_MAX_BODY + GUARD_WIRE_HEADER_SIZE - w->len) {
		w->error = -E2BIG;
		return NULL;
	}
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		uint8_t *nb;

		while (cap < w->len + n)
			cap *= 2;
		nb = realloc(w->buf, cap);
		if (!nb) {
			w->error = -ENOMEM;
			return NULL;
		}
		w->buf = nb;
		w->cap = cap;
	}
	w->len += n;
	return w->buf + w->len - n;
}

static void put_u32(struct writer *w, enum tag tag, uint32_t v)
{
	uint8_t *p = reserve(w, FIELD_HEADER + 4);

	if (!p)
		return;
	put_le(p, tag, 2);
	put_le(p + 2, 4, 4);
	put_le(p + FIELD_HEADER, v, 4);
}

/* A field of n bytes at b, at most max; NULL is an absent field. */
static void put_field(struct writer *w, enum tag tag, const void *b, size_t n, size_t max)
{
	uint8_t *p;

	if (!b || w->error)
		return;
	if (n > max) {
		w->error = -E2BIG;
		return;
	}
	p = reserve(w, FIELD_HEADER + n);
	if (!p)
		return;
	put_le(p, tag, 2);
	put_le(p + 2, n, 4);
	memcpy(p + FIELD_HEADER, b, n);
}

static void put_str(struct writer *w, enum tag tag, const char *s)
{
	put_field(w, tag, s, s ? strlen(s) : 0, GUARD_WIRE_MAX_FIELD);
}

/* argv as one field: each argument followed by a NUL (an argument cannot
 * hold one). */
static void put_strv(struct writer *w, enum tag tag, char *const *v, size_t n)
{
	size_t len = 0;
	uint8_t *p;

	if (w->error)
		return;
	for (size_t i = 0; i < n; i++) {
		if (!v[i]) {
			w->error = -EINVAL;
			return;
		}
		len += strlen(v[i]) + 1;
		if (len > GUARD_WIRE_MAX_FIELD) {
			w->error = -E2BIG;
			return;
		}
	}
	p = reserve(w, FIELD_HEADER + len);
	if (!p)
		return;
	put_le(p, tag, 2);
	put_le(p + 2, len, 4);
	p += FIELD_HEADER;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen(v[i]) + 1;

		memcpy(p, v[i], k);
		p += k;
	}
}

static void begin(struct writer *w, enum guard_wire_kind kind)
{
	uint8_t *p;

	memset(w, 0, sizeof(*w));
	p = reserve(w, GUARD_WIRE_HEADER_SIZE);
	if (!p)
		return;
	put_le(p, GUARD_WIRE_MAGIC, 4);
	put_le(p + 4, kind, 2);
	put_le(p + 6, 0, 2);
}

static int finish(struct writer *w, size_t max_body, uint8_t **ret, size_t *ret_len)
{
	if (!w->error && w->len - GUARD_WIRE_HEADER_SIZE > max_body)
		w->error = -E2BIG;
	if (w->error) {
		free(w->buf);
		return w->error;
	}
	put_le(w->buf + 8, w->len - GUARD_WIRE_HEADER_SIZE, 4);
	*ret = w->buf;
	*ret_len = w->len;
	return 0;
}

int guard_wire_encode_request(const struct guard_wire_request *req, uint8_t **ret, size_t *ret_len)
{
	struct writer w;

	begin(&w, GUARD_WIRE_REQUEST);
	put_u32(&w, T_STAGE, req->stage);
	put_u32(&w, T_FLAGS, req->flags);
	put_u32(&w, T_RUID, req->ruid);
	put_u32(&w, T_HOST_PID, req->host_pid);
	put_str(&w, T_SERVICE, req->service);
	put_str(&w, T_USER, req->user);
	put_str(&w, T_RUSER, req->ruser);
	put_str(&w, T_RHOST, req->rhost);
	put_str(&w, T_TTY, req->tty);
	put_str(&w, T_CONFIG, req->config);
	put_str(&w, T_ACTION, req->action);
	if (req->stage == GUARD_STAGE_SUDO) {
		put_u32(&w, T_RUNAS_UID, req->runas_uid);
		put_u32(&w, T_RUNAS_GID, req->runas_gid);
		put_str(&w, T_RUNAS_GROUPS, req->runas_groups);
		put_str(&w, T_COMMAND, req->command);
		put_str(&w, T_CWD, req->cwd);
		put_strv(&w, T_ARGV, req->argv, req->argc);
		put_str(&w, T_ENV_UNSAFE, req->env_unsafe);
	}
	if (req->stage == GUARD_STAGE_GUARDCTL) {
		put_strv(&w, T_ARGV, req->argv, req->argc);
		put_str(&w, T_REASON, req->reason);
	}
	if (req->stage == GUARD_STAGE_GUARDCTL_END)
		put_u32(&w, T_WAIT_STATUS, req->wait_status);
	return finish(&w, GUARD_WIRE_MAX_BODY, ret, ret_len);
}

int guard_wire_encode_answer(const struct guard_wire_answer *ans, uint8_t **ret, size_t *ret_len)
{
	struct writer w;

	begin(&w, GUARD_WIRE_ANSWER);
	put_u32(&w, T_RESULT, ans->result);
	put_u32(&w, T_LOG_PRIORITY, ans->log_priority);
	put_str(&w, T_GUIDANCE, ans->guidance);
	put_str(&w, T_LOG, ans->log);
	if (ans->exit_code)
		put_u32(&w, T_EXIT_CODE, ans->exit_code);
	if (ans->run_flags)
		put_u32(&w, T_FLAGS, ans->run_flags);
	put_str(&w, T_COMMAND, ans->command);
	if (ans->argv)
		put_strv(&w, T_ARGV, ans->argv, ans->argc);
	put_field(&w, T_EVENTS, ans->events, ans->events_len, GUARD_WIRE_MAX_EVENTS);
	put_field(&w, T_END_EVENTS, ans->end_events, ans->end_events_len, GUARD_WIRE_MAX_FIELD);
	/* A command's argv and its events may be longer than any guidance. */
	return finish(&w,
		      ans->argv || ans->events || ans->end_events ? GUARD_WIRE_MAX_BODY
								  : GUARD_WIRE_MAX_ANSWER,
		      ret, ret_len);
}

int guard_wire_header(const uint8_t *hdr, size_t max_body, enum guard_wire_kind *ret_kind,
		      size_t *ret_body_len)
{
	uint64_t kind = get_le(hdr + 4, 2), body = get_le(hdr + 8, 4);

	if (get_le(hdr, 4) != GUARD_WIRE_MAGIC || get_le(hdr + 6, 2) != 0)
		return -EBADMSG;
	if (kind != GUARD_WIRE_REQUEST && kind != GUARD_WIRE_ANSWER)
		return -EBADMSG;
	if (body > max_body)
		return -EBADMSG;
	*ret_kind = (enum guard_wire_kind)kind;
	*ret_body_len = (size_t)body;
	return 0;
}

/* A decoded field: where its bytes are. */
struct field {
	bool present;
	const uint8_t *p;
	uint32_t len;
};

/* Splits the body into fields[tag]; only the tags in allowed may appear,
 * each once. */
static int split(const uint8_t *buf, size_t len, enum guard_wire_kind want, size_t max_body,
		 uint32_t allowed, struct field fields[T_MAX])
{
	enum guard_wire_kind kind;
	size_t body, off = GUARD_WIRE_HEADER_SIZE;

	memset(fields, 0, sizeof(struct field) * T_MAX);
	if (!buf || len < GUARD_WIRE_HEADER_SIZE)
		return -EBADMSG;
	if (guard_wire_header(buf, max_body, &kind, &body) < 0 || kind != want ||
	    body != len - GUARD_WIRE_HEADER_SIZE)
		return -EBADMSG;
	while (off < len) {
		uint64_t tag, n;

		if (len - off < FIELD_HEADER)
			return -EBADMSG;
		tag = get_le(buf + off, 2);
		n = get_le(buf + off + 2, 4);
		off += FIELD_HEADER;
		if (tag == 0 || tag >= T_MAX || !(allowed & (1u << tag)) || fields[tag].present)
			return -EBADMSG;
		if (n > (tag == T_EVENTS ? GUARD_WIRE_MAX_EVENTS : GUARD_WIRE_MAX_FIELD) ||
		    n > len - off)
			return -EBADMSG;
		fields[tag] = (struct field){true, buf + off, (uint32_t)n};
		off += (size_t)n;
	}
	return 0;
}

static int get_u32(const struct field *f, uint32_t *ret)
{
	if (!f->present || f->len != 4)
		return -EBADMSG;
	*ret = (uint32_t)get_le(f->p, 4);
	return 0;
}

/* An absent field stays NULL; a string with a NUL inside is an error. */
static int get_str(const struct field *f, char **ret)
{
	if (!f->present)
		return 0;
	if (memchr(f->p, '\0', f->len))
		return -EBADMSG;
	*ret = malloc((size_t)f->len + 1);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, f->p, f->len);
	(*ret)[f->len] = '\0';
	return 0;
}

/* A NUL-terminated list of strings; at least one, none of them lost. */
static int get_strv(const struct field *f, char ***ret, size_t *ret_n)
{
	size_t n = 0, off = 0;
	char **v;

	if (!f->present || f->len == 0 || f->p[f->len - 1] != '\0')
		return -EBADMSG;
	for (uint32_t i = 0; i < f->len; i++)
		n += f->p[i] == '\0';
	v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t k = strlen((const char *)f->p + off);

		v[i] = strndup((const char *)f->p + off, k);
		if (!v[i]) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return -ENOMEM;
		}
		off += k + 1;
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

#define BIT(t) (1u << (t))

/* The sudo fields: present (command and argv required) in a sudo request,
 * nowhere else. */
static int get_sudo(const struct field f[T_MAX], struct guard_wire_request *ret)
{
	int r = get_u32(&f[T_RUNAS_UID], &ret->runas_uid);

	if (r == 0)
		r = get_u32(&f[T_RUNAS_GID], &ret->runas_gid);
	if (r == 0 && !f[T_COMMAND].present)
		r = -EBADMSG;
	if (r == 0)
		r = get_str(&f[T_RUNAS_GROUPS], &ret->runas_groups);
	if (r == 0)
		r = get_str(&f[T_COMMAND], &ret->command);
	if (r == 0)
		r = get_str(&f[T_CWD], &ret->cwd);
	if (r == 0)
		r = get_strv(&f[T_ARGV], &ret->argv, &ret->argc);
	if (r == 0)
		r = get_str(&f[T_ENV_UNSAFE], &ret->env_unsafe);
	return r;
}

int guard_wire_decode_request(const uint8_t *buf, size_t len, struct guard_wire_request *ret)
{
	struct field f[T_MAX];
	uint32_t allowed = BIT(T_STAGE) | BIT(T_FLAGS) | BIT(T_RUID) | BIT(T_SERVICE) |
			   BIT(T_USER) | BIT(T_RUSER) | BIT(T_RHOST) | BIT(T_TTY) | BIT(T_CONFIG) |
			   BIT(T_ACTION) | BIT(T_RUNAS_UID) | BIT(T_RUNAS_GID) |
			   BIT(T_RUNAS_GROUPS) | BIT(T_COMMAND) | BIT(T_CWD) | BIT(T_ARGV) |
			   BIT(T_ENV_UNSAFE) | BIT(T_HOST_PID) | BIT(T_REASON) | BIT(T_WAIT_STATUS);
	bool sudo, ctl, end;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = split(buf, len, GUARD_WIRE_REQUEST, GUARD_WIRE_MAX_BODY, allowed, f);
	if (r == 0)
		r = get_u32(&f[T_STAGE], &ret->stage);
	if (r == 0 && (ret->stage < GUARD_STAGE_AUTH || ret->stage > GUARD_STAGE_GUARDCTL_END))
		r = -EBADMSG;
	sudo = r == 0 && ret->stage == GUARD_STAGE_SUDO;
	ctl = r == 0 && ret->stage == GUARD_STAGE_GUARDCTL;
	end = r == 0 && ret->stage == GUARD_STAGE_GUARDCTL_END;
	for (int t = T_RUNAS_UID; r == 0 && !sudo && t <= T_ENV_UNSAFE; t++)
		if (f[t].present && !(ctl && t == T_ARGV))
			r = -EBADMSG;
	/* guardctl's fields in guardctl's stages only, and nothing of PAM's. */
	if (r == 0 && ((!ctl && f[T_REASON].present) || (end != f[T_WAIT_STATUS].present)))
		r = -EBADMSG;
	for (int t = T_SERVICE; r == 0 && (ctl || end) && t <= T_ACTION; t++)
		if (f[t].present)
			r = -EBADMSG;
	if (r == 0)
		r = get_u32(&f[T_FLAGS], &ret->flags);
	if (r == 0)
		r = get_u32(&f[T_RUID], &ret->ruid);
	if (r == 0)
		r = get_u32(&f[T_HOST_PID], &ret->host_pid);
	if (r == 0)
		r = get_str(&f[T_SERVICE], &ret->service);
	if (r == 0)
		r = get_str(&f[T_USER], &ret->user);
	if (r == 0)
		r = get_str(&f[T_RUSER], &ret->ruser);
	if (r == 0)
		r = get_str(&f[T_RHOST], &ret->rhost);
	if (r == 0)
		r = get_str(&f[T_TTY], &ret->tty);
	if (r == 0)
		r = get_str(&f[T_CONFIG], &ret->config);
	if (r == 0)
		r = get_str(&f[T_ACTION], &ret->action);
	if (r == 0 && sudo)
		r = get_sudo(f, ret);
	if (r == 0 && ctl)
		r = get_strv(&f[T_ARGV], &ret->argv, &ret->argc);
	if (r == 0 && ctl)
		r = get_str(&f[T_REASON], &ret->reason);
	if (r == 0 && end)
		r = get_u32(&f[T_WAIT_STATUS], &ret->wait_status);
	if (r < 0)
		guard_wire_request_clear(ret);
	return r;
}

/* A copy of a field's bytes (NULs and all). */
static int get_bytes(const struct field *f, uint8_t **ret, size_t *ret_len)
{
	*ret = malloc(f->len ? f->len : 1);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, f->p, f->len);
	*ret_len = f->len;
	return 0;
}

int guard_wire_decode_answer(const uint8_t *buf, size_t len, struct guard_wire_answer *ret)
{
	struct field f[T_MAX];
	uint32_t allowed = BIT(T_RESULT) | BIT(T_LOG_PRIORITY) | BIT(T_GUIDANCE) | BIT(T_LOG) |
			   BIT(T_EXIT_CODE) | BIT(T_FLAGS) | BIT(T_COMMAND) | BIT(T_ARGV) |
			   BIT(T_EVENTS) | BIT(T_END_EVENTS);
	int r;

	memset(ret, 0, sizeof(*ret));
	r = split(buf, len, GUARD_WIRE_ANSWER, GUARD_WIRE_MAX_BODY, allowed, f);
	if (r == 0)
		r = get_u32(&f[T_RESULT], &ret->result);
	if (r == 0 && ret->result > GUARD_RESULT_IGNORE)
		r = -EBADMSG;
	if (r == 0)
		r = get_u32(&f[T_LOG_PRIORITY], &ret->log_priority);
	if (r == 0)
		r = get_str(&f[T_GUIDANCE], &ret->guidance);
	if (r == 0)
		r = get_str(&f[T_LOG], &ret->log);
	if (r == 0 && f[T_EXIT_CODE].present)
		r = get_u32(&f[T_EXIT_CODE], &ret->exit_code);
	if (r == 0 && f[T_FLAGS].present)
		r = get_u32(&f[T_FLAGS], &ret->run_flags);
	if (r == 0)
		r = get_str(&f[T_COMMAND], &ret->command);
	if (r == 0 && f[T_ARGV].present)
		r = get_strv(&f[T_ARGV], &ret->argv, &ret->argc);
	if (r == 0 && f[T_EVENTS].present)
		r = get_bytes(&f[T_EVENTS], &ret->events, &ret->events_len);
	if (r == 0 && f[T_END_EVENTS].present)
		r = get_bytes(&f[T_END_EVENTS], &ret->end_events, &ret->end_events_len);
	if (r < 0) {
		guard_wire_answer_clear(ret);
		ret->result = GUARD_RESULT_ERROR;
	}
	return r;
}

void guard_wire_request_clear(struct guard_wire_request *req)
{
	if (!req)
		return;
	free(req->service);
	free(req->user);
	free(req->ruser);
	free(req->rhost);
	free(req->tty);
	free(req->config);
	free(req->action);
	free(req->runas_groups);
	free(req->command);
	free(req->cwd);
	free(req->env_unsafe);
	free(req->reason);
	for (size_t i = 0; req->argv && i < req->argc; i++)
		free(req->argv[i]);
	free(req->argv);
	memset(req, 0, sizeof(*req));
}

void guard_wire_answer_clear(struct guard_wire_answer *ans)
{
	if (!ans)
		return;
	free(ans->guidance);
	free(ans->log);
	free(ans->command);
	free(ans->events);
	free(ans->end_events);
	for (size_t i = 0; ans->argv && i < ans->argc; i++)
		free(ans->argv[i]);
	free(ans->argv);
	memset(ans, 0, sizeof(*ans));
}
