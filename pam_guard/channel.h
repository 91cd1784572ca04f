/* One request and one answer over a stream socket with a deadline. */
#ifndef GUARD_PAM_CHANNEL_H
#define GUARD_PAM_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in ms, and what is left until deadline (0 when past). */
int64_t guard_channel_now_ms(void);
int guard_channel_remaining(int64_t deadline);

/* Waits until fd is ready for events or the deadline passes. Returns 0,
 * -ETIMEDOUT or -errno. */
int guard_channel_wait(int fd, short events, int64_t deadline);

/* Sends all of buf. Returns 0, -ETIMEDOUT, or -EPROTO when the other end
 * is gone. */
int guard_channel_send(int fd, const uint8_t *buf, size_t len, int64_t deadline);

/* Reads one whole wire message of at most max_answer bytes of body.
 * Returns 0 with *ret (for the caller to free), -ETIMEDOUT, -EPROTO at an
 * early end of file, -EMSGSIZE for a bad header, -ENOMEM. */
int guard_channel_recv_answer(int fd, size_t max_answer, int64_t deadline, uint8_t **ret,
			      size_t *ret_len);

#endif
