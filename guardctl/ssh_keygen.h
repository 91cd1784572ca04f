/* ssh-keygen as signed approvals run it (ssh_keygen.c). */
#ifndef GUARDCTL_SSH_KEYGEN_H
#define GUARDCTL_SSH_KEYGEN_H

#include <stdbool.h>

#define SSH_KEYGEN    "/usr/bin/ssh-keygen"
#define MAX_SIG_BYTES (16u * 1024u)

struct keygen {
	char *const *argv;
	const char *input; /* on stdin */
	const char *sig;   /* on fd 3; NULL: none */
	bool as_nobody;
	char out[4096]; /* stdout, cut */
	char err[1024]; /* stderr, cut */
	int status;
};

/* Runs ssh-keygen. Returns 0 (k->status holds its wait status) or -errno. */
int keygen_run(struct keygen *k);

/* Whether it exited 0. */
bool keygen_ok(const struct keygen *k);

#endif
