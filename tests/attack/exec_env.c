/* exec_env [NAME=VALUE...] -- PROGRAM [ARGS...]: execs PROGRAM with exactly
 * the given environment and nothing else. Unlike env(1) or a shell, no
 * dynamic program runs in between with that environment (LD_PRELOAD,
 * BASH_ENV, ... act only on PROGRAM). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int sep = 1;

	while (sep < argc && strcmp(argv[sep], "--") != 0)
		sep++;
	if (sep + 1 >= argc) {
		fputs("usage: exec_env [NAME=VALUE...] -- PROGRAM [ARGS...]\n", stderr);
		return 125;
	}
	argv[sep] = NULL;
	execve(argv[sep + 1], argv + sep + 1, argv + 1);
	perror("exec_env: execve");
	return 126;
}
