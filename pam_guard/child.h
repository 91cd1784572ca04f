/* The short-lived root-only child in which pam_guard decides: started by
 * exec of the helper, fed one request, read for one answer, waited for with
 * a bound. Used inside another program's process (su, sudo, sshd): touches
 * no signal disposition, leaves the signal mask, umask, cwd, environment
 * and fds as it found them. */
#ifndef GUARD_PAM_CHILD_H
#define GUARD_PAM_CHILD_H

#include <stddef.h>
#include <stdint.h>

/* Runs the helper at path (absolute) with all ids 0, an environment of
 * PATH only, fds 0 and 1 on pipes and 2 on /dev/null, nothing else open;
 * writes request to it and reads its whole answer (at most max_answer
 * bytes) before timeout_ms has passed, then reaps it. On a timeout the
 * child is killed and reaped. Returns 0 and the answer bytes (*ret, for the
 * caller to free), or -errno with why in err: -ETIMEDOUT, -ENOEXEC (the
 * helper could not be started; err names the path and the errno), -EPROTO
 * (it ended without an answer or with a status other than 0), -EMSGSIZE. */
int guard_child_run(const char *path, const uint8_t *request, size_t request_len, size_t max_answer,
		    int timeout_ms, uint8_t **ret, size_t *ret_len, char *err, size_t err_size);

#endif
