/* The child of a guarded command (exec_child.c), as exec.c starts it. */
#ifndef GUARDCTL_EXEC_CHILD_H
#define GUARDCTL_EXEC_CHILD_H

#include <sys/types.h>

struct guardctl_exec;

struct child_args {
	const struct guardctl_exec *x;
	char *const *env;
	const char *pty_name;
	int batch_rd;
	int out_wr[2];
};

/* The child on a stack of its own, the parent waiting until it has
 * exec'd or exited. A guard page below the stack. Returns its pid or
 * -errno. */
pid_t exec_child_spawn(struct child_args *a);

#endif
