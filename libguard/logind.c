/* systemd-logind's session records: see logind.h. */
#include "logind.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The session of one cgroup path ("/user.slice/user-1000.slice/..."). */
static int path_session(const char *p, size_t n, char *id, size_t size)
{
	const char *end = p + n;

	for (;;) {
		const char *c, *e;
		size_t k;

		while (p < end && *p == '/')
			p++;
		if (p >= end)
			return -ENXIO;
		for (e = p; e < end && *e != '/'; e++)
			;
		k = (size_t)(e - p);
		if (has_suffix(p, k, ".slice")) {
			p = e;
			continue;
		}
		/* The first unit that is no slice: a session's scope, or none. */
		if (k < strlen("session-.scope") + 1 || strncmp(p, "session-", 8) != 0 ||
		    !has_suffix(p, k, ".scope"))
			return -ENXIO;
		c = p + 8;
		k -= 8 + strlen(".scope");
		for (size_t i = 0; i < k; i++)
			if (!is_alnum(c[i]))
				return -ENXIO;
		if (k >= size)
			return -ENAMETOOLONG;
		memcpy(id, c, k);
		id[k] = '\0';
		return 0;
	}
}

int guard_cgroup_session(const char *buf, size_t len, char *id, size_t size)
{
	const char *p = buf, *end = buf ? buf + len : NULL, *legacy = NULL;
	size_t legacy_len = 0;

	if (!buf || !id || size == 0)
		return -EINVAL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		size_t n = (size_t)(e - p);

		if (n >= 3 && memcmp(p, "0::", 3) == 0)
			return path_session(p + 3, n - 3, id, size);
		{
			const char *c = memchr(p, ':', n);

			if (c && (size_t)(e - c) > strlen(":name=systemd:") &&
			    memcmp(c, ":name=systemd:", strlen(":name=systemd:")) == 0) {
				legacy = c + strlen(":name=systemd:");
				legacy_len = (size_t)(e - legacy);
			}
		}
		p = nl ? nl + 1 : end;
	}
	return legacy ? path_session(legacy, legacy_len, id, size) : -ENXIO;
}

/* One value: plain to the end of the line, or quoted. */
static int value_copy(const char *v, const char *end, char *out, size_t size)
{
	size_t n = 0;
	char q = '\0';

	if (v < end && (*v == '"' || *v == '\'')) {
		q = *v;
		v++;
	}
	for (; v < end; v++) {
		char c = *v;

		if (q && c == q) {
			q = 0;
			v++;
			break;
		}
		if (q == '"' && c == '\\' && v + 1 < end)
			c = *++v;
		if (n + 1 >= size)
			return -EINVAL;
		out[n++] = c;
	}
	if (q)
		return -EINVAL; /* not closed */
	/* After a closing quote only blanks; a plain value loses its own. */
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	if (v < end)
		return -EINVAL;
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
		n--;
	out[n] = '\0';
	return 0;
}

int guard_logind_session_parse(const char *buf, size_t len, struct guard_logind_session *ret)
{
	const char *p = buf, *end = buf ? buf + len : NULL;
	char remote[8] = "";

	if (!buf || !ret)
		return -EINVAL;
	memset(ret, 0, sizeof(*ret));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		const char *eq = memchr(p, '=', (size_t)(e - p));
		static const struct {
			const char *key;
			size_t offset, size;
		} keys[] = {
		    {"REMOTE_HOST", offsetof(struct guard_logind_session, remote_host),
		     sizeof(((struct guard_logind_session *)0)->remote_host)},
		    {"SEAT", offsetof(struct guard_logind_session, seat),
		     sizeof(((struct guard_logind_session *)0)->seat)},
		    {"TTY", offsetof(struct guard_logind_session, tty),
		     sizeof(((struct guard_logind_session *)0)->tty)},
		};

		if (eq && p[0] != '#') {
			size_t k = (size_t)(eq - p);
			int r = 0;

			if (k == 6 && memcmp(p, "REMOTE", 6) == 0) {
				r = value_copy(eq + 1, e, remote, sizeof(remote));
				ret->known = r == 0;
			}
			for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
				if (k == strlen(keys[i].key) && memcmp(p, keys[i].key, k) == 0)
					r = value_copy(eq + 1, e, (char *)ret + keys[i].offset,
						       keys[i].size);
			if (r < 0)
				return r;
		}
		p = nl ? nl + 1 : end;
	}
	ret->remote = strcmp(remote, "1") == 0 || strcmp(remote, "yes") == 0 ||
		      strcmp(remote, "true") == 0 || strcmp(remote, "on") == 0;
	return 0;
}
