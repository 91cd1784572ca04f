/* Files guardctl opens for its caller (a report to write, a signature to
 * read): with the caller's own uid and gid in effect, so that a setuid
 * guardctl never reads or creates anything the caller could not. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "guardctl.h"

int guardctl_open_as_caller(const struct guardctl *ctx, const char *path, int flags, mode_t mode)
{
	int fd, saved;

	if (setegid(ctx->gid) < 0 || seteuid(ctx->uid) < 0)
		return -1;
	fd = open(path, flags | O_CLOEXEC | O_NOCTTY, mode);
	saved = errno;
	if (seteuid(0) < 0 || setegid(0) < 0)
		_exit(EXIT_USAGE); /* fail safe: never go on with mixed ids */
	errno = saved;
	return fd;
}
