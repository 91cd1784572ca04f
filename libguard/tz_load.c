/* Finding and reading a zone's file: the one part of the zones that
 * touches the file system. The name is checked before it becomes a path,
 * and nothing here reads the environment (TZ is the caller's). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tz_internal.h"

/* IANA names only: components of [A-Za-z0-9_+-], separated by single
 * slashes. Without '.' no component can climb out of the directory. */
static bool zone_name_ok(const char *name)
{
	size_t n = strlen(name), i;

	if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/')
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (c == '/' && name[i + 1] == '/')
			return false;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '/' || c == '_' || c == '+' || c == '-'))
			return false;
	}
	return strstr(name, "..") == NULL;
}

static int utc_zone(struct guard_tz **ret)
{
	struct guard_tz *tz = calloc(1, sizeof(*tz));

	if (!tz)
		return -ENOMEM;
	tz->types = calloc(1, sizeof(*tz->types));
	if (!tz->types) {
		free(tz);
		return -ENOMEM;
	}
	tz->typecnt = 1;
	snprintf(tz->types[0].abbr, sizeof(tz->types[0].abbr), "UTC");
	snprintf(tz->name, sizeof(tz->name), "UTC");
	*ret = tz;
	return 0;
}

/* The zone /etc/localtime names when it links into a zoneinfo directory. */
static void system_zone_name(char *buf, size_t size)
{
	char target[PATH_MAX];
	const char *z, *next;
	ssize_t n;

	snprintf(buf, size, "system");
	n = readlink(GUARD_TZ_SYSTEM_FILE, target, sizeof(target) - 1);
	if (n <= 0)
		return;
	target[n] = '\0';
	z = strstr(target, "/zoneinfo/");
	if (!z)
		return;
	while ((next = strstr(z + 1, "/zoneinfo/")))
		z = next;
	z += strlen("/zoneinfo/");
	if (zone_name_ok(z))
		snprintf(buf, size, "%s", z);
}

static int read_zone_file(const char *path, uint8_t **ret_data, size_t *ret_size,
			  struct guard_error *err)
{
	struct stat st;
	uint8_t *data = NULL;
	size_t size = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		if (r == -ENOENT)
			guard_error_set(err, path, 0, "no such time zone");
		else
			guard_error_set(err, path, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		guard_error_set(err, path, 0, "cannot stat: %s", strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		guard_error_set(err, path, 0, "not a regular file");
		goto out;
	}
	if (st.st_size > TZ_FILE_MAX) {
		r = -EFBIG;
		guard_error_set(err, path, 0, "larger than %d bytes", TZ_FILE_MAX);
		goto out;
	}
	/* One byte more than allowed, to notice a file that grew. */
	data = malloc(TZ_FILE_MAX + 1);
	if (!data) {
		r = -ENOMEM;
		guard_error_set(err, path, 0, "out of memory");
		goto out;
	}
	for (;;) {
		ssize_t n = read(fd, data + size, TZ_FILE_MAX + 1 - size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			guard_error_set(err, path, 0, "cannot read: %s", strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		size += (size_t)n;
		if (size > TZ_FILE_MAX) {
			r = -EFBIG;
			guard_error_set(err, path, 0, "larger than %d bytes", TZ_FILE_MAX);
			goto out;
		}
	}
	*ret_data = data;
	*ret_size = size;
	data = NULL;
	r = 0;
out:
	free(data);
	close(fd);
	return r;
}

int guard_tz_load(const char *name, const char *zoneinfo_dir, struct guard_tz **ret,
		  struct guard_error *err)
{
	char path[PATH_MAX], zone[TZ_NAME_MAX + 1];
	uint8_t *data = NULL;
	size_t size = 0;
	int r;

	if (!name || !zone_name_ok(name)) {
		char shown[64];

		guard_error_set(err, NULL, 0, "invalid time zone name \"%s\"",
				guard_escape(name ? name : "", shown, sizeof(shown)));
		return -EINVAL;
	}
	if (strcmp(name, "UTC") == 0) {
		r = utc_zone(ret);
		if (r < 0)
			guard_error_set(err, NULL, 0, "out of memory");
		return r;
	}
	if (strcmp(name, "system") == 0) {
		snprintf(path, sizeof(path), "%s", GUARD_TZ_SYSTEM_FILE);
		system_zone_name(zone, sizeof(zone));
	} else {
		if (!zoneinfo_dir)
			zoneinfo_dir = GUARD_TZ_ZONEINFO_DIR;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", zoneinfo_dir, name) >=
		    sizeof(path)) {
			guard_error_set(err, NULL, 0, "time zone path too long");
			return -ENAMETOOLONG;
		}
		snprintf(zone, sizeof(zone), "%s", name);
	}
	r = read_zone_file(path, &data, &size, err);
	if (r < 0)
		return r;
	r = guard_tzif_parse(zone, path, data, size, ret, err);
	free(data);
	return r;
}
