/* The classifier: argv (NUL-separated in the input; a part after a 0xff
 * byte is the stdin batch) in, actions out. Properties: a known tool never
 * yields an empty action list without refusing; every target's action is
 * valid; what Guard would exec starts with the tool and holds "--" before
 * any operand for the shadow tools; a refusal always says why. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "fuzz_accounts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct guard_policy *policy;

static const char policy_text[] =
    "settings {\n  home_roots = { \"/home\" }\n}\n"
    "privileged_groups = { \"root\", \"sudo\", \"adm\" }\n"
    "protected_users = { \"root\", \"uid:0-999\" }\n"
    "command \"rotate-keys\" {\n  path = \"/usr/local/sbin/rotate-keys\"\n"
    "  actions = { \"user.modify\" }\n}\n";

static void setup(void)
{
	struct guard_error err = {0};

	if (guard_policy_new(&policy) < 0 ||
	    guard_policy_parse_text(policy, "fuzz.conf", policy_text, strlen(policy_text), &err) <
		0 ||
	    guard_policy_finish(policy, NULL, &err) < 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct guard_classification c = {0};
	struct guard_error err = {0};
	const uint8_t *batch = memchr(data, 0xff, size);
	size_t argv_len = batch ? (size_t)(batch - data) : size;
	char *copy, *argv[64];
	int argc = 0, r;

	if (!policy)
		setup();
	if (size > 4096)
		return 0;
	copy = malloc(argv_len + 1);
	memcpy(copy, data, argv_len);
	copy[argv_len] = '\0';
	for (size_t i = 0; i <= argv_len && argc < 63;) {
		argv[argc++] = copy + i;
		i += strlen(copy + i) + 1;
	}
	argv[argc] = NULL;

	r = guard_classify(policy, &fuzz_resolver, argc, argv, batch ? batch + 1 : NULL,
			   batch ? size - argv_len - 1 : 0, &c, &err);
	if (r == 0) {
		if (c.n_targets == 0 || !c.exec_argv || !c.exec_argv[0] || !c.path ||
		    c.path[0] != '/' || !c.shown_argv)
			abort();
		for (size_t i = 0; i < c.n_targets; i++)
			if ((unsigned)c.targets[i].action >= GUARD_ACTION_COUNT)
				abort();
	} else if (r == -EINVAL && err.message[0] == '\0') {
		abort();
	}
	guard_classification_clear(&c);
	free(copy);
	return 0;
}
