/* login.defs, /etc/default/useradd and adduser.conf as useradd, newusers
 * and adduser read them, for what the classifier must know before a tool
 * runs: does it make a user-private group, where does it put a home. The
 * parser is pure; guard_tool_defaults_read does the I/O. */
#include "tool_defaults.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILE_BYTES (256u * 1024u)

void guard_tool_defaults_init(struct guard_tool_defaults *ret)
{
	*ret = (struct guard_tool_defaults){.adduser_usergroups = true, .gid_min = 1000};
	snprintf(ret->useradd_home, sizeof(ret->useradd_home), "/home");
	snprintf(ret->useradd_group, sizeof(ret->useradd_group), "100");
	snprintf(ret->adduser_home, sizeof(ret->adduser_home), "/home");
	snprintf(ret->adduser_extra_groups, sizeof(ret->adduser_extra_groups), "users");
}

/* A number as shadow's getdef_ulong reads it (strtoul, base 0: decimal,
 * 0x hex, 0 octal); anything else is dflt, as shadow then uses its own. */
static void set_id(uint32_t *dst, const char *v, size_t len, uint32_t dflt)
{
	char buf[24], *end;
	unsigned long n;

	*dst = dflt;
	if (len == 0 || len >= sizeof(buf) || v[0] == '-' || v[0] == '+')
		return;
	memcpy(buf, v, len);
	buf[len] = '\0';
	errno = 0;
	n = strtoul(buf, &end, 0);
	if (errno == 0 && *end == '\0' && end != buf && n <= UINT32_MAX)
		*dst = (uint32_t)n;
}

static int set_path(char *dst, size_t size, const char *v, size_t len)
{
	if (len == 0 || len >= size || v[0] != '/' || memchr(v, '\0', len))
		return -EINVAL;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

/* A list of names as adduser splits it (on white space), kept
 * comma-separated as the classifier reads a group list. */
static int set_list(char *dst, size_t size, const char *v, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		bool space = v[i] == ' ' || v[i] == '\t';

		if (space && (n == 0 || dst[n - 1] == ','))
			continue;
		if (n + 1 >= size || v[i] == '\0')
			return -EINVAL;
		dst[n++] = v[i];
		if (space)
			dst[n - 1] = ',';
	}
	if (n > 0 && dst[n - 1] == ',')
		n--;
	dst[n] = '\0';
	return 0;
}

static int set_word(char *dst, size_t size, const char *v, size_t len)
{
	if (len >= size || memchr(v, '\0', len))
		return -EINVAL;
	memcpy(dst, v, len);
	dst[len] = '\0';
	return 0;
}

/* Perl's truth, as adduser tests ADD_EXTRA_GROUPS: "" and "0" are false. */
static bool perl_true(const char *v, size_t len)
{
	return !(len == 0 || (len == 1 && v[0] == '0'));
}

/* shadow's getdef_bool: "yes" in any case is true, anything else false. */
static bool shadow_yes(const char *v, size_t len)
{
	return len == 3 && strncasecmp(v, "yes", 3) == 0;
}

/* adduser: a value matching /yes/i anywhere is true. */
static bool adduser_yes(const char *v, size_t len)
{
	for (size_t i = 0; i + 3 <= len; i++)
		if (strncasecmp(v + i, "yes", 3) == 0)
			return true;
	return false;
}

static bool key_is(const char *k, size_t klen, const char *name, bool fold)
{
	return klen == strlen(name) &&
	       (fold ? strncasecmp(k, name, klen) == 0 : strncmp(k, name, klen) == 0);
}

static int apply_line(enum guard_defaults_file kind, const char *s, size_t len,
		      struct guard_tool_defaults *d)
{
	const char *end = s + len, *k, *v;
	size_t klen, vlen;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	if (s == end || *s == '#')
		return 0;
	k = s;
	while (s < end && *s != ' ' && *s != '\t' && *s != '=')
		s++;
	klen = (size_t)(s - k);
	if (kind == GUARD_DEFAULTS_LOGIN_DEFS) {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
	} else {
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end || *s != '=')
			return 0; /* the tools skip a line they cannot parse */
		s++;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
	}
	v = s;
	vlen = (size_t)(end - v);
	/* login.defs: the value is the first word; the others: the rest. */
	if (kind == GUARD_DEFAULTS_LOGIN_DEFS)
		for (size_t i = 0; i < vlen; i++)
			if (v[i] == ' ' || v[i] == '\t') {
				vlen = i;
				break;
			}
	if (kind == GUARD_DEFAULTS_ADDUSER_CONF && vlen >= 2 &&
	    ((v[0] == '"' && v[vlen - 1] == '"') || (v[0] == '\'' && v[vlen - 1] == '\''))) {
		v++;
		vlen -= 2;
	}
	switch (kind) {
	case GUARD_DEFAULTS_LOGIN_DEFS:
		if (key_is(k, klen, "USERGROUPS_ENAB", false))
			d->useradd_usergroups = shadow_yes(v, vlen);
		else if (key_is(k, klen, "CREATE_HOME", false))
			d->useradd_create_home = shadow_yes(v, vlen);
		else if (key_is(k, klen, "GID_MIN", false))
			set_id(&d->gid_min, v, vlen, 1000);
		return 0;
	case GUARD_DEFAULTS_DEFAULT_USERADD:
		if (key_is(k, klen, "HOME", false))
			return set_path(d->useradd_home, sizeof(d->useradd_home), v, vlen);
		if (key_is(k, klen, "GROUP", false))
			return set_word(d->useradd_group, sizeof(d->useradd_group), v, vlen);
		return 0;
	case GUARD_DEFAULTS_ADDUSER_CONF:
		if (key_is(k, klen, "USERGROUPS", true))
			d->adduser_usergroups = adduser_yes(v, vlen);
		else if (key_is(k, klen, "DHOME", true))
			return set_path(d->adduser_home, sizeof(d->adduser_home), v, vlen);
		else if (key_is(k, klen, "GROUPHOMES", true) ||
			 key_is(k, klen, "LETTERHOMES", true))
			d->adduser_odd_homes |= adduser_yes(v, vlen);
		else if (key_is(k, klen, "EXTRA_GROUPS", true))
			return set_list(d->adduser_extra_groups, sizeof(d->adduser_extra_groups), v,
					vlen);
		else if (key_is(k, klen, "ADD_EXTRA_GROUPS", true))
			d->adduser_add_extra_groups = perl_true(v, vlen);
		else if (key_is(k, klen, "USERS_GROUP", true))
			return set_word(d->adduser_users_group, sizeof(d->adduser_users_group), v,
					vlen);
		else if (key_is(k, klen, "USERS_GID", true))
			return set_word(d->adduser_users_gid, sizeof(d->adduser_users_gid), v,
					vlen);
		return 0;
	}
	return -EINVAL; /* fail safe */
}

int guard_tool_defaults_parse(enum guard_defaults_file kind, const char *text, size_t len,
			      struct guard_tool_defaults *d)
{
	const char *end = text + len;

	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = nl ? (size_t)(nl - text) : (size_t)(end - text);
		int r = apply_line(kind, text, n, d);

		if (r < 0)
			return r;
		text += n + 1;
	}
	return 0;
}

/* Reads path into a new buffer; -ENOENT when it does not exist. */
static int read_root_file(const char *path, char **ret, size_t *ret_len, struct guard_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	int r;

	if (fd < 0) {
		r = -errno;
		if (r != -ENOENT)
			guard_error_set(err, path, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		guard_error_set(err, path, 0, "cannot stat: %s", strerror(-r));
		goto out;
	}
	/* Its settings decide what root's tools create: root's alone. */
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 0022) ||
	    st.st_size > (off_t)MAX_FILE_BYTES) {
		guard_error_set(err, path, 0,
				"not a regular file owned by root and writable by root alone "
				"(at most %u bytes)",
				MAX_FILE_BYTES);
		r = -EPERM;
		goto out;
	}
	buf = malloc(MAX_FILE_BYTES + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, MAX_FILE_BYTES + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			guard_error_set(err, path, 0, "cannot read: %s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MAX_FILE_BYTES) {
			guard_error_set(err, path, 0, "larger than %u bytes", MAX_FILE_BYTES);
			r = -EFBIG;
			goto out;
		}
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	close(fd);
	return r;
}

int guard_tool_defaults_read(struct guard_tool_defaults *ret, struct guard_error *err)
{
	static const struct {
		const char *path;
		enum guard_defaults_file kind;
		bool required;
	} files[] = {
	    {"/etc/login.defs", GUARD_DEFAULTS_LOGIN_DEFS, true},
	    {"/etc/default/useradd", GUARD_DEFAULTS_DEFAULT_USERADD, false},
	    {"/etc/adduser.conf", GUARD_DEFAULTS_ADDUSER_CONF, false},
	};
	struct guard_tool_defaults d;

	guard_tool_defaults_init(&d);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *text = NULL;
		size_t len = 0;
		int r = read_root_file(files[i].path, &text, &len, err);

		if (r == -ENOENT && !files[i].required)
			continue;
		if (r == -ENOENT)
			guard_error_set(err, files[i].path, 0, "missing");
		if (r < 0)
			return r;
		r = guard_tool_defaults_parse(files[i].kind, text, len, &d);
		free(text);
		if (r < 0) {
			guard_error_set(err, files[i].path, 0,
					"a home path that is not absolute, or a value too long");
			return r;
		}
	}
	*ret = d;
	return 0;
}
