/* What a loaded policy was made from, so that a process that keeps it (the
 * decision service) can tell whether a fresh load would read the same: the
 * state of every file and directory the load looked at, taken before it
 * read them. A change after the stat shows at the next comparison; a
 * change within the file system's timestamp granularity of the stat
 * cannot be told from none, so a policy whose inputs changed in the last
 * seconds before its load is never reused (git's "racily clean" rule). */
#include "policy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Inputs younger than this at load time make the policy single-use. */
#define RACY_WINDOW_S 2

struct input {
	char *path;
	bool follow; /* stat, not lstat */
	bool present;
	dev_t dev;
	ino_t ino;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	off_t size;
	struct timespec mtime, ctime;
};

struct guard_policy_inputs {
	struct input *v;
	size_t n;
	bool racy;
};

static void take(struct input *in)
{
	struct stat st;
	int r = in->follow ? stat(in->path, &st) : lstat(in->path, &st);

	in->present = r == 0;
	if (!in->present)
		return;
	in->dev = st.st_dev;
	in->ino = st.st_ino;
	in->mode = st.st_mode;
	in->uid = st.st_uid;
	in->gid = st.st_gid;
	in->size = st.st_size;
	in->mtime = st.st_mtim;
	in->ctime = st.st_ctim;
}

static bool same(const struct input *a, const struct input *b)
{
	if (a->present != b->present)
		return false;
	if (!a->present)
		return true;
	return a->dev == b->dev && a->ino == b->ino && a->mode == b->mode && a->uid == b->uid &&
	       a->gid == b->gid && a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
	       a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
	       a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static bool recent(const struct timespec *t, time_t now)
{
	return t->tv_sec >= now - RACY_WINDOW_S;
}

int guard_policy_note_input(struct guard_policy *p, const char *path, bool follow)
{
	struct guard_policy_inputs *ins = p->inputs;
	struct input *v, *in;

	if (!ins) {
		ins = calloc(1, sizeof(*ins));
		if (!ins)
			return -ENOMEM;
		p->inputs = ins;
	}
	v = realloc(ins->v, (ins->n + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	ins->v = v;
	in = &v[ins->n];
	memset(in, 0, sizeof(*in));
	in->path = strdup(path);
	if (!in->path)
		return -ENOMEM;
	in->follow = follow;
	ins->n++;
	take(in);
	if (in->present) {
		time_t now = time(NULL);

		if (recent(&in->mtime, now) || recent(&in->ctime, now))
			ins->racy = true;
	}
	return 0;
}

bool guard_policy_unchanged(const struct guard_policy *p)
{
	const struct guard_policy_inputs *ins = p ? p->inputs : NULL;

	if (!ins || ins->racy || ins->n == 0)
		return false;
	for (size_t i = 0; i < ins->n; i++) {
		struct input now = {.path = ins->v[i].path, .follow = ins->v[i].follow};

		take(&now);
		if (!same(&ins->v[i], &now))
			return false;
	}
	return true;
}

void guard_policy_inputs_free(struct guard_policy_inputs *ins)
{
	if (!ins)
		return;
	for (size_t i = 0; i < ins->n; i++)
		free(ins->v[i].path);
	free(ins->v);
	free(ins);
}
