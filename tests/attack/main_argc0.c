/* main_argc0 none|null|empty: calls guardctl's main(), compiled under
 * another name, as the kernel would with no argv at all (argc 0 and
 * {NULL}, or a NULL argv) and as Linux >= 5.18 does for an empty argv
 * (argc 1 and {""}). guardctl must _exit(127) before anything else. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int guardctl_main(int argc, char **argv);

int main(int argc, char **argv)
{
	char *none[] = {NULL};
	char *empty[] = {"", NULL};

	if (argc != 2) {
		fputs("usage: main_argc0 none|null|empty\n", stderr);
		return 125;
	}
	setenv("GCONV_PATH", ".", 1);
	setenv("CHARSET", "PWNKIT", 1);
	if (strcmp(argv[1], "none") == 0)
		return guardctl_main(0, none);
	if (strcmp(argv[1], "null") == 0)
		return guardctl_main(0, NULL);
	if (strcmp(argv[1], "empty") == 0)
		return guardctl_main(1, empty);
	return 125;
}
