/* Reading sudoers for the privilege model: /etc/sudoers, then each file
 * it includes where the include line stands, as sudo reads them
 * (sudoers(5), "Including other files from within sudoers"): @includedir
 * takes the directory's files in name order, skipping names that end in
 * "~" or hold a ".". The files are root's; they are read, never trusted
 * for anything but the names they grant. */
#include "sudoers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SUDOERS_FILE_MAX (4u << 20)
#define SUDOERS_DIR_MAX	 1024u

struct load {
	struct guard_policy *p;
	bool note;
	struct guard_sudoers_scan all; /* the grants; includes unused */
	struct guard_error *err;
};

static int load_file(struct load *l, const char *path, unsigned depth, bool doas);

/* Reads a whole file. -ENOENT when it is missing. */
static int read_file(const char *path, char **ret, size_t *ret_len)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uintmax_t)st.st_size > SUDOERS_FILE_MAX) {
		r = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto out;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	while (len <= (size_t)st.st_size) {
		ssize_t n = read(fd, buf + len, (size_t)st.st_size + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > (size_t)st.st_size) { /* grew while read */
		r = -EFBIG;
		goto out;
	}
	*ret = buf;
	*ret_len = len;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sudo's rule for @includedir: no "~" at the end, no "." anywhere. */
static bool dir_takes(const char *name)
{
	size_t n = strlen(name);

	return n > 0 && name[n - 1] != '~' && !strchr(name, '.');
}

static int load_dir(struct load *l, const char *dir, unsigned depth)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d;
	int r = 0;

	if (l->note && guard_policy_note_input(l->p, dir, true) < 0)
		return -ENOMEM;
	d = opendir(dir);
	if (!d) {
		r = -errno;
		if (r == -ENOENT || r == -ENOTDIR) /* sudo skips them too */
			return 0;
		guard_error_set(l->err, dir, 0, "cannot read the sudoers directory: %s",
				strerror(-r));
		return r;
	}
	/* cppcheck-suppress readdirCalled ; the stream is this call's own,
	 * and glibc deprecates readdir_r */
	while (r == 0 && (e = readdir(d))) {
		char **grown;

		if (!dir_takes(e->d_name))
			continue;
		if (n >= SUDOERS_DIR_MAX) {
			guard_error_set(l->err, dir, 0, "more than %u sudoers files",
					SUDOERS_DIR_MAX);
			r = -E2BIG;
			break;
		}
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || asprintf(&grown[n], "%s/%s", dir, e->d_name) < 0) {
			names = grown ? grown : names;
			r = -ENOMEM;
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (r == 0 && n > 1)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct stat st;

		/* sudo reads only regular files from the directory. */
		if (stat(names[i], &st) == 0 && !S_ISREG(st.st_mode))
			continue;
		r = load_file(l, names[i], depth, false);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (r == -ENOMEM)
		guard_error_set(l->err, dir, 0, "out of memory");
	return r;
}

/* Moves scan's grants to the end of l->all. */
static int take_grants(struct load *l, struct guard_sudoers_scan *scan)
{
	struct guard_sudoers_grant *grown;
	size_t n = l->all.n_grants + scan->n_grants;

	if (scan->n_grants == 0)
		return 0;
	if (n > GUARD_SUDOERS_MAX_GRANTS)
		return -E2BIG;
	grown = realloc(l->all.grants, n * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	memcpy(grown + l->all.n_grants, scan->grants, scan->n_grants * sizeof(*grown));
	l->all.grants = grown;
	l->all.n_grants = n;
	free(scan->grants);
	scan->grants = NULL;
	scan->n_grants = 0;
	return 0;
}

/* An include path with "%h" as sudo expands it (the host name up to its
 * first dot) and "%%" as "%". NULL when out of memory. */
static char *expand_host(const char *path)
{
	char host[256] = "", *out, *o;
	size_t n = 0, hn;

	if (!strchr(path, '%'))
		return strdup(path);
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	host[strcspn(host, ".")] = '\0';
	hn = strlen(host);
	for (const char *p = path; *p; p++)
		n += p[0] == '%' && p[1] == 'h' ? hn : 1;
	out = o = malloc(n + 1);
	if (!out)
		return NULL;
	for (const char *p = path; *p; p++) {
		if (p[0] == '%' && p[1] == 'h') {
			memcpy(o, host, hn);
			o += hn;
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			*o++ = '%';
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return out;
}

static int load_file(struct load *l, const char *path, unsigned depth, bool doas)
{
	struct guard_sudoers_scan scan = {0};
	char *text = NULL;
	size_t len = 0;
	int r;

	if (depth > GUARD_SUDOERS_MAX_INCLUDE) {
		guard_error_set(l->err, path, 0, "sudoers includes nested deeper than %u",
				GUARD_SUDOERS_MAX_INCLUDE);
		return -ELOOP;
	}
	if (l->note && guard_policy_note_input(l->p, path, true) < 0) {
		guard_error_set(l->err, path, 0, "out of memory");
		return -ENOMEM;
	}
	r = read_file(path, &text, &len);
	if (r == -ENOENT)
		return 0; /* sudo not installed, or an include that names nothing */
	if (r < 0) {
		guard_error_set(l->err, path, 0,
				"cannot read: %s (the groups and accounts %s grants are "
				"privileged)",
				r == -EINVAL ? "not a regular file" : strerror(-r),
				doas ? "doas.conf" : "sudoers");
		return r;
	}
	r = doas ? guard_doas_scan(path, text, len, &scan)
		 : guard_sudoers_scan(path, text, len, &scan);
	free(text);
	if (r == 0)
		r = take_grants(l, &scan);
	if (r < 0) {
		guard_error_set(l->err, path, 0, "%s",
				r == -E2BIG ? "more grants than Guard reads" : "out of memory");
		guard_sudoers_scan_clear(&scan);
		return r;
	}
	/* An include's grants stand where its line does: after this file's.
	 * The order changes nothing but the file:line a reason names. */
	for (size_t i = 0; r == 0 && i < scan.n_includes; i++) {
		char *inc = expand_host(scan.includes[i].path);

		if (!inc) {
			guard_error_set(l->err, path, scan.includes[i].line, "out of memory");
			r = -ENOMEM;
			break;
		}
		r = scan.includes[i].dir ? load_dir(l, inc, depth + 1)
					 : load_file(l, inc, depth + 1, false);
		free(inc);
	}
	guard_sudoers_scan_clear(&scan);
	return r;
}

/* The other half of each grant on this host: a name's id, an id's name
 * (sudo matches a caller by either). Not found is no error; a failing
 * account database is (a grant not resolved is a member not protected). */
static int resolve(struct guard_sudoers_grant *g)
{
	size_t size = 4096;
	int r;

	for (;;) {
		char *buf = malloc(size);
		struct passwd pw, *pr = NULL;
		struct group gr, *grr = NULL;
		const char *name = NULL;
		uint32_t id = 0;

		if (!buf)
			return -ENOMEM;
		switch (g->kind) {
		case GUARD_SUDOERS_USER:
			r = getpwnam_r(g->name, &pw, buf, size, &pr);
			break;
		case GUARD_SUDOERS_UID:
			r = getpwuid_r((uid_t)g->id, &pw, buf, size, &pr);
			break;
		case GUARD_SUDOERS_GROUP:
			r = getgrnam_r(g->name, &gr, buf, size, &grr);
			break;
		default:
			r = getgrgid_r((gid_t)g->id, &gr, buf, size, &grr);
			break;
		}
		if (pr) {
			name = pr->pw_name;
			id = (uint32_t)pr->pw_uid;
		} else if (grr) {
			name = grr->gr_name;
			id = (uint32_t)grr->gr_gid;
		}
		if (r == 0 && name && !g->name && !(g->name = strdup(name))) {
			free(buf);
			return -ENOMEM;
		}
		if (r == 0 && name && !g->id_known) {
			g->id = id;
			g->id_known = true;
		}
		free(buf);
		if (r == ERANGE && size < (1u << 22)) {
			size *= 2;
			continue;
		}
		if (r == 0 || r == ENOENT || r == ESRCH)
			return 0;
		return -r;
	}
}

static int resolve_all(struct load *l)
{
	for (size_t i = 0; i < l->all.n_grants; i++) {
		struct guard_sudoers_grant *g = &l->all.grants[i];
		int r = resolve(g);

		if (r < 0) {
			guard_error_set(l->err, g->file, g->line,
					"cannot look up what it grants: %s", strerror(-r));
			return r;
		}
	}
	return 0;
}

int guard_sudoers_load(struct guard_policy *p, const char *sudoers, const char *doas, bool note,
		       struct guard_error *err)
{
	struct load l = {.p = p, .note = note, .err = err};
	int r = 0;

	if (!sudoers)
		sudoers = GUARD_SUDOERS_PATH;
	if (!doas)
		doas = GUARD_DOAS_CONF_PATH;
	guard_sudoers_grants_free(p->sudoers, p->n_sudoers);
	p->sudoers = NULL;
	p->n_sudoers = 0;
	if (sudoers[0])
		r = load_file(&l, sudoers, 0, false);
	if (r == 0 && doas[0])
		r = load_file(&l, doas, 0, true);
	if (r == 0)
		r = resolve_all(&l);
	if (r < 0) {
		guard_sudoers_scan_clear(&l.all);
		return r;
	}
	p->sudoers = l.all.grants;
	p->n_sudoers = l.all.n_grants;
	return 0;
}
