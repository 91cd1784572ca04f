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

#include "policy_cache.h"

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

/* ---- In the compiled policy (policy_cache.c) ---- */

bool guard_policy_inputs_racy(const struct guard_policy *p)
{
	return !p->inputs || p->inputs->racy;
}

void guard_policy_inputs_encode(const struct guard_policy *p, struct guard_enc *e)
{
	const struct guard_policy_inputs *ins = p->inputs;

	guard_enc_u32(e, (uint32_t)ins->n);
	for (size_t i = 0; i < ins->n; i++) {
		const struct input *in = &ins->v[i];

		guard_enc_str(e, in->path);
		guard_enc_u8(e, in->follow);
		guard_enc_u8(e, in->present);
		guard_enc_u64(e, (uint64_t)in->dev);
		guard_enc_u64(e, (uint64_t)in->ino);
		guard_enc_u32(e, (uint32_t)in->mode);
		guard_enc_u32(e, (uint32_t)in->uid);
		guard_enc_u32(e, (uint32_t)in->gid);
		guard_enc_u64(e, (uint64_t)in->size);
		guard_enc_u64(e, (uint64_t)in->mtime.tv_sec);
		guard_enc_u32(e, (uint32_t)in->mtime.tv_nsec);
		guard_enc_u64(e, (uint64_t)in->ctime.tv_sec);
		guard_enc_u32(e, (uint32_t)in->ctime.tv_nsec);
	}
}

/* The inputs as recorded: compared with the files by
 * guard_policy_unchanged before the policy is used. */
int guard_policy_inputs_decode(struct guard_policy *p, struct guard_dec *d)
{
	struct guard_policy_inputs *ins = calloc(1, sizeof(*ins));
	size_t n = guard_dec_count(d, 4 + 2 + 8 * 5 + 4 * 5);

	if (!ins)
		return -ENOMEM;
	p->inputs = ins;
	if (d->failed || n == 0)
		return -EBADMSG;
	ins->v = calloc(n, sizeof(*ins->v));
	if (!ins->v)
		return -ENOMEM;
	ins->n = n;
	for (size_t i = 0; i < n && !d->failed; i++) {
		struct input *in = &ins->v[i];
		uint8_t follow, present;

		in->path = guard_dec_str(d);
		follow = guard_dec_u8(d);
		present = guard_dec_u8(d);
		in->follow = follow == 1;
		in->present = present == 1;
		in->dev = (dev_t)guard_dec_u64(d);
		in->ino = (ino_t)guard_dec_u64(d);
		in->mode = (mode_t)guard_dec_u32(d);
		in->uid = (uid_t)guard_dec_u32(d);
		in->gid = (gid_t)guard_dec_u32(d);
		in->size = (off_t)guard_dec_u64(d);
		in->mtime.tv_sec = (time_t)guard_dec_u64(d);
		in->mtime.tv_nsec = (long)guard_dec_u32(d);
		in->ctime.tv_sec = (time_t)guard_dec_u64(d);
		in->ctime.tv_nsec = (long)guard_dec_u32(d);
		guard_dec_check(d, in->path && in->path[0] == '/' && follow <= 1 && present <= 1 &&
				       in->mtime.tv_nsec < 1000000000L &&
				       in->ctime.tv_nsec < 1000000000L);
	}
	return d->failed ? -EBADMSG : 0;
}
