/* guardctl explain: placeholder replaced below. */
#include "guardctl.h"

int cmd_explain(struct guardctl *ctx, int argc, char **argv)
{
	(void)ctx;
	(void)argc;
	(void)argv;
	guardctl_error("\"explain\" is not available in this version of guardctl");
	return EXIT_USAGE;
}
