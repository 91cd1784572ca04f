/* guardctl check: the PAM stacks beside the policy. pam_guard in a
 * service's stack that the policy does not map guards nothing (PAM_IGNORE:
 * stacking it into polkit-1 and forgetting the `service` block is a silent
 * hole); a service the policy maps whose stack never loads pam_guard is
 * never decided. Both are warnings: check still exits 0. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guardctl.h"

#define PAM_FILE_MAX	(256u * 1024u) /* a stack file longer than this is not read */
#define PAM_INCLUDE_MAX 4u	       /* @include / include / substack depth */

/* A service file's name as Linux-PAM accepts it; editor and package
 * manager leftovers are not services. */
static bool service_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 64 || name[0] == '.' || name[n - 1] == '~' || strchr(name, '.'))
		return false;
	return true;
}

/* The text of DIR/NAME (NUL-terminated), or NULL: absent, not a regular
 * file, too long. */
static char *read_stack(const char *dir, const char *name)
{
	char path[4096];
	struct stat st;
	char *text = NULL;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size < PAM_FILE_MAX &&
	    (text = malloc((size_t)st.st_size + 1))) {
		n = read(fd, text, (size_t)st.st_size);
		if (n < 0) {
			free(text);
			text = NULL;
		} else {
			text[n] = '\0';
		}
	}
	close(fd);
	return text;
}

static bool is_pam_guard(const char *module)
{
	const char *base = strrchr(module, '/');

	return strcmp(base ? base + 1 : module, "pam_guard.so") == 0;
}

/* Does the line's rest (the module's arguments) name the action itself
 * (action=ACTION)? Then the module maps the service, not the policy. */
static bool names_action(char **ts)
{
	for (char *t = strtok_r(NULL, " \t", ts); t; t = strtok_r(NULL, " \t", ts))
		if (strncmp(t, "action=", 7) == 0)
			return true;
	return false;
}

/* Does the stack in DIR/NAME load pam_guard.so: on a line of its own, or
 * (follow) through the files it includes? With unmapped, only a pam_guard
 * line without action= counts: one with it maps its service itself. */
static bool stack_loads_guard(const char *dir, const char *name, bool follow, unsigned depth,
			      bool unmapped)
{
	char *text = read_stack(dir, name), *save = NULL;
	bool found = false;

	if (!text)
		return false;
	for (char *line = strtok_r(text, "\n", &save); line && !found;
	     line = strtok_r(NULL, "\n", &save)) {
		char *hash = strchr(line, '#'), *tok[3] = {0}, *ts = NULL;
		size_t n = 0;

		if (hash)
			*hash = '\0';
		/* Three words, no more: what follows is the module's arguments. */
		for (char *t; n < 3 && (t = strtok_r(n ? NULL : line, " \t", &ts));)
			tok[n++] = t;
		if (n == 0)
			continue;
		if (strcmp(tok[0], "@include") == 0) {
			if (follow && n > 1 && depth < PAM_INCLUDE_MAX && service_name_ok(tok[1]))
				found = stack_loads_guard(dir, tok[1], follow, depth + 1, unmapped);
			continue;
		}
		if (n < 3)
			continue;
		/* "[success=1 default=ignore]" is one control of several words:
		 * the module follows the closing bracket. */
		if (tok[1][0] == '[' && !strchr(tok[1], ']')) {
			char *rest = tok[2];

			while (rest && !strchr(rest, ']'))
				rest = strtok_r(NULL, " \t", &ts);
			tok[2] = rest ? strtok_r(NULL, " \t", &ts) : NULL;
			if (!tok[2])
				continue;
		}
		if (strcmp(tok[1], "include") == 0 || strcmp(tok[1], "substack") == 0) {
			if (follow && depth < PAM_INCLUDE_MAX && service_name_ok(tok[2]))
				found = stack_loads_guard(dir, tok[2], follow, depth + 1, unmapped);
			continue;
		}
		found = is_pam_guard(tok[2]) && !(unmapped && names_action(&ts));
	}
	free(text);
	return found;
}

void guardctl_check_pam_stacks(struct guard_policy *p, const char *pam_dir)
{
	const char *main_file = p->n_files ? p->files[0] : NULL;
	struct dirent **names = NULL;
	int n = scandir(pam_dir, &names, NULL, alphasort);

	if (n < 0)
		return; /* no PAM here: nothing to compare */
	for (int i = 0; i < n; i++) {
		const char *name = names[i]->d_name;

		/* The common-* files are included by services, not services:
		 * what they load is judged where they are included. */
		if (service_name_ok(name) && strncmp(name, "common-", 7) != 0 &&
		    !guard_policy_service(p, name) &&
		    stack_loads_guard(pam_dir, name, false, 0, true))
			guard_policy_warn(p, main_file, 0,
					  "%s/%s loads pam_guard.so, but the policy has no service "
					  "\"%s\": pam_guard ignores that service (add a service "
					  "block, or remove the module)",
					  pam_dir, name, name);
		free(names[i]);
	}
	free(names);
	for (size_t i = 0; i < p->n_services; i++) {
		const struct guard_service *s = &p->services[i];

		if (service_name_ok(s->name) &&
		    !stack_loads_guard(pam_dir, s->name, true, 0, false))
			guard_policy_warn(p, s->file, s->line,
					  "service \"%s\": %s/%s does not load pam_guard.so: the "
					  "policy's rules for it never decide (pam_guard(8))",
					  s->name, pam_dir, s->name);
	}
}
