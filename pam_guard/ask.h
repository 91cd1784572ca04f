/* Where pam_guard.so and sudo_guard.so get a decision: the decision
 * service when one listens, else a helper started for this one request. */
#ifndef GUARD_PAM_ASK_H
#define GUARD_PAM_ASK_H

#include <stddef.h>
#include <stdint.h>

/* The decision service's socket: a root-owned directory no one else may
 * write, a socket only root may connect to (guard-decided(8)). */
#define GUARD_DECIDE_DIR    "/run/guard"
#define GUARD_DECIDE_SOCKET GUARD_DECIDE_DIR "/decide.sock"

/* Connects to the service (a blocking-free socket). Returns the socket,
 * -ENOTCONN when there is no service to trust (use the helper: nothing was
 * sent), or -EPERM when the socket is answered by a process that is not
 * root's. */
int guard_ask_connect(void);

/* Sends request and reads the whole answer (at most max_answer bytes of
 * body) before timeout_ms has passed: to the decision service when its
 * directory is root's and not writable by others and a process of root's
 * accepts the connection; else through guard_child_run(helper, ...). Once
 * the service has the connection its answer is the only one: a service
 * that ends without answering or takes too long refuses (the decision may
 * have been spent), it never falls back. Returns guard_child_run's
 * results. */
int guard_ask(const char *helper, const uint8_t *request, size_t request_len, size_t max_answer,
	      int timeout_ms, uint8_t **ret, size_t *ret_len, char *err, size_t err_size);

#endif
