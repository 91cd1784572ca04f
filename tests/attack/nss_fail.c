/* An NSS module that fails the look-ups a control file names, for the
 * identity-failure attack (docs/threat-model.md B23): the setuid guardctl, which
 * ignores LD_PRELOAD, still loads the modules nsswitch.conf names.
 *
 * Built as a shared object exporting _nss_<NSS_SERVICE>_* (NSS_SERVICE
 * defined at build time) and read from FAULT_FILE (a path, also defined at
 * build time) at every call. Each line of that file:
 *
 *   CALL KEY STATUS ERRNO [SKIP]
 *
 *   CALL    getpwuid getpwnam getgrgid getgrnam initgroups
 *   KEY     the uid, gid or name asked for, or "*"
 *   STATUS  unavail or tryagain
 *   ERRNO   EIO, ENOMEM or EAGAIN: what *errnop says
 *   SKIP    how many matching calls of this process pass before the
 *           failures start (default 0): guardctl looks the caller up more
 *           than once, and a later look-up can be made to fail alone
 *
 * A call no line matches is NOTFOUND: nsswitch.conf's next source answers. */
#include <errno.h>
#include <grp.h>
#include <nss.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#ifndef NSS_SERVICE
#error "build with -DNSS_SERVICE=name"
#endif
#ifndef FAULT_FILE
#error "build with -DFAULT_FILE='\"/path\"'"
#endif

#define CAT3(a, b, c)	a##b##c
#define NSS_FN(svc, fn) CAT3(_nss_, svc, fn)
#define FN(fn)		NSS_FN(NSS_SERVICE, fn)
#define MAX_FAULT_LINES 16

/* Matching calls seen so far, per line of the control file. */
static unsigned long seen[MAX_FAULT_LINES];

static int errno_named(const char *name)
{
	if (strcmp(name, "EIO") == 0)
		return EIO;
	if (strcmp(name, "ENOMEM") == 0)
		return ENOMEM;
	if (strcmp(name, "EAGAIN") == 0)
		return EAGAIN;
	return EINVAL;
}

/* The status for CALL with KEY, and *errnop set when it is a failure. */
static enum nss_status injected(const char *call, const char *key, int *errnop)
{
	char line[256], c[32], k[128], st[32], er[32];
	enum nss_status status = NSS_STATUS_NOTFOUND;
	unsigned long skip;
	unsigned n = 0;
	FILE *f = fopen(FAULT_FILE, "re");

	if (!f)
		return NSS_STATUS_NOTFOUND;
	while (n < MAX_FAULT_LINES && fgets(line, sizeof(line), f)) {
		int fields = sscanf(line, "%31s %127s %31s %31s %lu", c, k, st, er, &skip);

		if (fields < 4)
			continue;
		if (fields < 5)
			skip = 0;
		n++;
		if (strcmp(c, call) != 0 || (strcmp(k, "*") != 0 && strcmp(k, key) != 0))
			continue;
		if (seen[n - 1]++ < skip)
			continue;
		*errnop = errno_named(er);
		status = strcmp(st, "tryagain") == 0 ? NSS_STATUS_TRYAGAIN : NSS_STATUS_UNAVAIL;
		break;
	}
	fclose(f);
	return status;
}

static enum nss_status by_id(const char *call, unsigned long id, int *errnop)
{
	char key[32];

	snprintf(key, sizeof(key), "%lu", id);
	return injected(call, key, errnop);
}

enum nss_status FN(_getpwuid_r)(uid_t uid, struct passwd *pw, char *buf, size_t len, int *errnop);
enum nss_status FN(_getpwnam_r)(const char *name, struct passwd *pw, char *buf, size_t len,
				int *errnop);
enum nss_status FN(_getgrgid_r)(gid_t gid, struct group *gr, char *buf, size_t len, int *errnop);
enum nss_status FN(_getgrnam_r)(const char *name, struct group *gr, char *buf, size_t len,
				int *errnop);
enum nss_status FN(_initgroups_dyn)(const char *user, gid_t group, long *start, long *size,
				    gid_t **groups, long limit, int *errnop);

enum nss_status FN(_getpwuid_r)(uid_t uid, struct passwd *pw, char *buf, size_t len, int *errnop)
{
	(void)pw, (void)buf, (void)len;
	return by_id("getpwuid", uid, errnop);
}

enum nss_status FN(_getpwnam_r)(const char *name, struct passwd *pw, char *buf, size_t len,
				int *errnop)
{
	(void)pw, (void)buf, (void)len;
	return injected("getpwnam", name, errnop);
}

enum nss_status FN(_getgrgid_r)(gid_t gid, struct group *gr, char *buf, size_t len, int *errnop)
{
	(void)gr, (void)buf, (void)len;
	return by_id("getgrgid", gid, errnop);
}

enum nss_status FN(_getgrnam_r)(const char *name, struct group *gr, char *buf, size_t len,
				int *errnop)
{
	(void)gr, (void)buf, (void)len;
	return injected("getgrnam", name, errnop);
}

enum nss_status FN(_initgroups_dyn)(const char *user, gid_t group, long *start, long *size,
				    gid_t **groups, long limit, int *errnop)
{
	(void)group, (void)start, (void)size, (void)groups, (void)limit;
	return injected("initgroups", user, errnop);
}
