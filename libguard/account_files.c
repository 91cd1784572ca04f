/* Reading the four account databases for verify: whole, bounded, as the
 * shadow tools leave them (each replaced by rename: one open reads one
 * version). A missing shadow or gshadow leaves passwords unknown; a
 * missing passwd or group is an error. */
#include "account_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_BYTES (64u << 20)

static int read_all(const char *path, bool optional, char **ret, struct guard_error *err)
{
	struct stat st;
	char *text = NULL;
	size_t len = 0;
	int fd, r = 0;

	*ret = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (optional && errno == ENOENT)
			return 0;
		r = -errno;
		guard_error_set(err, path, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)MAX_BYTES) {
		guard_error_set(err, path, 0, "not a regular file of at most %u bytes", MAX_BYTES);
		close(fd);
		return -EINVAL;
	}
	text = malloc((size_t)st.st_size + 1);
	while (text && r == 0) {
		ssize_t n = read(fd, text + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = -errno;
		if (n <= 0 || (len += (size_t)n) == (size_t)st.st_size)
			break;
	}
	close(fd);
	if (!text || r < 0) {
		free(text);
		r = text ? r : -ENOMEM;
		guard_error_set(err, path, 0, "cannot read: %s", strerror(-r));
		return r;
	}
	/* glibc reads past a NUL byte that would end our string: what hides
	 * behind one is refused, not skipped. */
	if (memchr(text, '\0', len)) {
		free(text);
		guard_error_set(err, path, 0,
				"holds a NUL byte: refused (what follows it is an "
				"account glibc sees and verify would not)");
		return -EBADMSG;
	}
	text[len] = '\0';
	*ret = text;
	return 0;
}

int guard_account_files_read(const struct guard_account_paths *paths,
			     const uint8_t key[GUARD_ACCOUNT_KEY_LEN],
			     struct guard_account_set *ret, struct guard_error *err)
{
	static const struct guard_account_paths system = {"/etc/passwd", "/etc/group",
							  "/etc/shadow", "/etc/gshadow"};
	const struct guard_account_paths *p = paths ? paths : &system;
	char *pw = NULL, *gr = NULL, *sh = NULL, *gs = NULL;
	int r;

	r = read_all(p->passwd, false, &pw, err);
	if (r == 0)
		r = read_all(p->group, false, &gr, err);
	if (r == 0)
		r = read_all(p->shadow, true, &sh, err);
	if (r == 0)
		r = read_all(p->gshadow, true, &gs, err);
	if (r == 0) {
		r = guard_account_set_parse(pw, gr, sh, gs, key, ret);
		if (r < 0)
			guard_error_set(err, p->passwd, 0, "out of memory");
	}
	/* The secrets' text is wiped, not just freed. */
	if (sh)
		memset(sh, 0, strlen(sh));
	if (gs)
		memset(gs, 0, strlen(gs));
	free(pw);
	free(gr);
	free(sh);
	free(gs);
	return r;
}
