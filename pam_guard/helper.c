/* guard-pam-helper: started by pam_guard.so (never setuid, never by hand)
 * with all ids 0, the request on fd 0, the answer going to fd 1, fd 2 on
 * /dev/null and an environment of PATH only. Reads one request, decides,
 * writes one answer, exits. main() is the timeline. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "helper.h"
#include "wire.h"

static int read_exact(int fd, uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = read(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? -EBADMSG : -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Reads one whole request message from fd 0. */
static int read_request(uint8_t **ret, size_t *ret_len)
{
	uint8_t hdr[GUARD_WIRE_HEADER_SIZE], *buf;
	enum guard_wire_kind kind;
	size_t body;
	int r;

	r = read_exact(STDIN_FILENO, hdr, sizeof(hdr));
	if (r < 0)
		return r;
	if (guard_wire_header(hdr, GUARD_WIRE_MAX_BODY, &kind, &body) < 0 ||
	    kind != GUARD_WIRE_REQUEST)
		return -EBADMSG;
	buf = malloc(sizeof(hdr) + body);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, hdr, sizeof(hdr));
	r = read_exact(STDIN_FILENO, buf + sizeof(hdr), body);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = sizeof(hdr) + body;
	return 0;
}

int main(int argc, char **argv)
{
	const char *refused = NULL;
	struct stat st;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	uint8_t *in = NULL, *out = NULL;
	size_t in_len = 0, out_len = 0;
	int r;

	/* 1. No argv: nothing to trust. */
	(void)argv;
	if (argc < 1)
		_exit(127);

	/* 2. Run by pam_guard.so: fd 0 and 1 are its socket. Someone at a
	 *    terminal gets a word, not a decision. */
	if (fstat(STDIN_FILENO, &st) < 0 || !S_ISSOCK(st.st_mode) ||
	    fstat(STDOUT_FILENO, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		static const char msg[] = "guard-pam-helper: run by pam_guard.so only\n";

		(void)write_all(STDERR_FILENO, (const uint8_t *)msg, sizeof(msg) - 1);
		return 2;
	}

	/* 3. No core dumps, no ptrace, fixed umask, directory and limits, a
	 *    bound on the time it may take. */
	if (guard_helper_harden() < 0)
		_exit(127);
	alarm(GUARD_HELPER_ALARM_S);

	/* 4. All ids 0, else nothing is decided (the store and the policy are
	 *    root's). */
	if (getresuid(&ruid, &euid, &suid) < 0 || getresgid(&rgid, &egid, &sgid) < 0 || ruid ||
	    euid || suid || rgid || egid || sgid)
		refused = "guard-pam-helper does not run as root: pam_guard.so is only for "
			  "services that run PAM as root";

	/* 5. The request, then the decision. */
	r = read_request(&in, &in_len);
	if (r < 0 && !refused)
		refused = r == -ENOMEM ? "out of memory" : "malformed request from pam_guard.so";

	/* 6. One answer; if it cannot be sent the module refuses on its own. */
	r = guard_helper_answer(in, in_len, 0, refused, &out, &out_len);
	if (r == 0)
		r = write_all(STDOUT_FILENO, out, out_len);
	(void)shutdown(STDOUT_FILENO, SHUT_WR);
	free(in);
	free(out);
	return r == 0 ? 0 : 1;
}
