/* pam_harness: drives pam_guard.so through the real libpam
 * (pam_start_confdir, a generated service file) inside the sandbox.
 *
 *   pam_harness matrix MODULE [PART...]  return codes of every path (C26 of
 *                                        docs/threat-model.md), hostile PAM
 *                                        items (C27); PARTs:
 *                                        results, policy-errors, store-errors,
 *                                        helper-faults, hostile (default: all)
 *   pam_harness hygiene MODULE N         the host process after N cycles (C28)
 *   pam_harness bench MODULE N           microseconds per decision
 *
 * MODULE is the absolute path of pam_guard.so. The helper is the one the
 * module was built for (GUARD_PAM_HELPER); the matrix swaps it for stand-ins
 * and puts it back. Writes /etc/guard/guard.conf and breaks /var/lib/guard
 * (left empty): runs only inside the sandbox (GUARD_SANDBOX=1). Prints one
 * line per check; exits 1 when a check failed. */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <security/pam_modules.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef GUARD_PAM_HELPER
#error "build with -DGUARD_PAM_HELPER=PATH (see the Makefile)"
#endif

#define POLICY	    "/etc/guard/guard.conf"
#define HELPER_SAVE GUARD_PAM_HELPER ".saved"
#define STORE_DIR   "/var/lib/guard"
#define STORE	    STORE_DIR "/guard.db"

extern char **environ;

static const char *module;
static char confdir[64];

/* ---- What the module said, through the conversation and the log ---- */

static char said[1 << 16];   /* every message, "E: text" or "I: text" per line */
static char logged[1 << 16]; /* every syslog line */

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
	(void)data;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(said);

		snprintf(said + len, sizeof(said) - len, "%s: %s\n",
			 msg[i]->msg_style == PAM_ERROR_MSG ? "E" : "I", msg[i]->msg);
	}
	*resp = calloc((size_t)n, sizeof(**resp));
	return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

static const struct pam_conv conversation = {conv, NULL};

/* libpam logs through __syslog_chk: collect, so the checks can read it. */
void __syslog_chk(int pri, int flag, const char *fmt, ...);
void __syslog_chk(int pri, int flag, const char *fmt, ...)
{
	size_t len = strlen(logged);
	va_list ap;

	(void)pri, (void)flag;
	va_start(ap, fmt);
	vsnprintf(logged + len, sizeof(logged) - len, fmt, ap);
	va_end(ap);
	len = strlen(logged);
	if (len + 1 < sizeof(logged))
		strcat(logged, "\n");
}

static void reset_output(void)
{
	said[0] = logged[0] = '\0';
}

/* ---- Checks ---- */

static int failures;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok) {
		printf("     said:   %s\n     logged: %s\n", said[0] ? said : "(nothing)",
		       logged[0] ? logged : "(nothing)");
		failures++;
	}
	fflush(stdout);
}

static const char *rc_name(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:
		return "PAM_SUCCESS";
	case PAM_IGNORE:
		return "PAM_IGNORE";
	case PAM_PERM_DENIED:
		return "PAM_PERM_DENIED";
	case PAM_AUTH_ERR:
		return "PAM_AUTH_ERR";
	default:
		return pam_strerror(NULL, rc);
	}
}

/* ---- Files ---- */

static void write_file(const char *path, mode_t mode, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    fchmod(fd, mode) < 0 || close(fd) < 0) {
		fprintf(stderr, "pam_harness: cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
}

static const char base_policy[] = "settings {\n"
				  "  audit     = off\n"
				  "  journal   = no\n"
				  "  default   = deny\n"
				  "  approvers = { \"%guard-approvers\" }\n"
				  "}\n"
				  "protected_users = { \"root\", \"uid:0-999\" }\n"
				  "rule \"admins-escalate\" {\n"
				  "  actions  = { \"role.escalate\" }\n"
				  "  actors   = { \"%admins\" }\n"
				  "  targets  = { \"!@protected\" }\n"
				  "  decision = allow\n"
				  "}\n"
				  "rule \"carol-asks\" {\n"
				  "  actions  = { \"role.escalate\" }\n"
				  "  actors   = { \"carol\" }\n"
				  "  decision = approve\n"
				  "}\n"
				  "rule \"logins\" {\n"
				  "  actions  = { \"session.login\" }\n"
				  "  targets  = { \"!@protected\" }\n"
				  "  from     = { \"local\", \"10.0.0.0/8\" }\n"
				  "  decision = allow\n"
				  "}\n"
				  "service \"guardtest\"  { action = \"role.escalate\" }\n"
				  "service \"guardlogin\" { action = \"session.login\" }\n";

static void policy(const char *text)
{
	write_file(POLICY, 0644, text);
}

/* Replaces the helper by a shell script (NULL: puts the real one back). */
static void helper_stand_in(const char *script)
{
	struct stat st;

	if (stat(HELPER_SAVE, &st) == 0 && rename(HELPER_SAVE, GUARD_PAM_HELPER) < 0)
		exit(2);
	if (!script)
		return;
	if (rename(GUARD_PAM_HELPER, HELPER_SAVE) < 0) {
		fprintf(stderr, "pam_harness: cannot move %s: %s\n", GUARD_PAM_HELPER,
			strerror(errno));
		exit(2);
	}
	if (script[0])
		write_file(GUARD_PAM_HELPER, 0755, script);
}

/* ---- PAM ---- */

static void service_files(void)
{
	char path[128], text[1024];
	const char *names[] = {"guardtest", "guardlogin", "other"};

	snprintf(confdir, sizeof(confdir), "/tmp/pam_harness.XXXXXX");
	if (!mkdtemp(confdir))
		exit(2);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", confdir, names[i]);
		snprintf(text, sizeof(text),
			 "auth     requisite %s\n"
			 "auth     required  pam_permit.so\n"
			 "account  required  %s\n"
			 "session  required  %s\n"
			 "password required  %s\n",
			 module, module, module, module);
		write_file(path, 0644, text);
	}
}

struct items {
	const char *service, *user, *ruser, *rhost, *tty;
	const char *args; /* module arguments, space-separated; NULL: none */
};

typedef int (*sm_fn)(pam_handle_t *, int, int, const char **);

static sm_fn sm_auth, sm_acct, sm_open, sm_chauthtok;

static void load_module(void)
{
	void *h = dlopen(module, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		fprintf(stderr, "pam_harness: %s\n", dlerror());
		exit(2);
	}
	sm_auth = (sm_fn)dlsym(h, "pam_sm_authenticate");
	sm_acct = (sm_fn)dlsym(h, "pam_sm_acct_mgmt");
	sm_open = (sm_fn)dlsym(h, "pam_sm_open_session");
	sm_chauthtok = (sm_fn)dlsym(h, "pam_sm_chauthtok");
	if (!sm_auth || !sm_acct || !sm_open || !sm_chauthtok)
		exit(2);
}

static pam_handle_t *start(const struct items *it)
{
	pam_handle_t *pamh = NULL;

	if (pam_start_confdir(it->service ? it->service : "guardtest", it->user, &conversation,
			      confdir, &pamh) != PAM_SUCCESS) {
		fprintf(stderr, "pam_harness: pam_start_confdir failed\n");
		exit(2);
	}
	if (it->ruser)
		pam_set_item(pamh, PAM_RUSER, it->ruser);
	if (it->rhost)
		pam_set_item(pamh, PAM_RHOST, it->rhost);
	if (it->tty)
		pam_set_item(pamh, PAM_TTY, it->tty);
	return pamh;
}

/* Calls one entry point of the module directly, so that its own return
 * code is seen (libpam folds PAM_IGNORE into the stack's result). */
static int call(pam_handle_t *pamh, sm_fn fn, int flags, const char *args)
{
	char buf[512], *argv[16], *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", args ? args : "");
	for (char *a = strtok_r(buf, " ", &save); a && argc < 16; a = strtok_r(NULL, " ", &save))
		argv[argc++] = a;
	return fn(pamh, flags, argc, (const char **)argv);
}

/* One fresh handle, one stage. */
static int decide(const struct items *it, sm_fn fn)
{
	pam_handle_t *pamh = start(it);
	int rc;

	reset_output();
	rc = call(pamh, fn, fn == sm_chauthtok ? PAM_PRELIM_CHECK : 0, it->args);
	pam_end(pamh, rc);
	return rc;
}

static void expect(const struct items *it, sm_fn fn, const char *stage, int want, const char *what)
{
	int rc = decide(it, fn);

	check(rc == want, "%s: %s: %s (want %s)", what, stage, rc_name(rc), rc_name(want));
}

/* ---- docs/threat-model.md, C26 and C27 ---- */

static void matrix_results(void)
{
	struct items allowed = {.ruser = "bob", .user = "alice"};
	struct items denied = {.ruser = "dave", .user = "alice"};
	struct items prot = {.ruser = "bob", .user = "root"};
	struct items approve = {.ruser = "carol", .user = "alice"};
	struct items self = {.ruser = "bob", .user = "bob"};
	struct items unmapped = {.service = "other", .ruser = "dave", .user = "root"};

	policy(base_policy);
	expect(&allowed, sm_auth, "auth", PAM_IGNORE, "allowed");
	expect(&allowed, sm_acct, "account", PAM_SUCCESS, "allowed");
	expect(&allowed, sm_open, "session", PAM_SUCCESS, "allowed");
	expect(&allowed, sm_chauthtok, "password", PAM_SUCCESS, "allowed");
	check(said[0] == '\0', "allowed: nothing said");

	expect(&denied, sm_auth, "auth", PAM_PERM_DENIED, "denied");
	expect(&denied, sm_acct, "account", PAM_PERM_DENIED, "denied");
	expect(&denied, sm_chauthtok, "password", PAM_PERM_DENIED, "denied");
	expect(&denied, sm_open, "session", PAM_PERM_DENIED, "denied (never PAM_SESSION_ERR)");
	check(strstr(said, "E: guard: denied: role.escalate to alice by default") != NULL,
	      "denied: the guidance is a PAM_ERROR_MSG");
	check(strstr(said, "Next: ask a member of %admins.") != NULL,
	      "denied: the guidance names the safe path");

	reset_output();
	{
		pam_handle_t *pamh = start(&denied);
		int rc = call(pamh, sm_acct, PAM_SILENT, NULL);

		check(rc == PAM_PERM_DENIED && strstr(said, "E: guard: denied"),
		      "denied under PAM_SILENT: the guidance is still shown");
		pam_end(pamh, rc);
	}

	expect(&prot, sm_acct, "account", PAM_PERM_DENIED, "target protected");
	expect(&approve, sm_acct, "account", PAM_PERM_DENIED, "approval needed");
	check(strstr(said, "E: guard: approval needed") && strstr(said, "approval request ") &&
		  strstr(said, "guardctl approve "),
	      "approval needed: says so, files a request and names the approver's command");
	expect(&self, sm_auth, "auth", PAM_IGNORE, "target is the actor");
	expect(&self, sm_acct, "account", PAM_IGNORE, "target is the actor");
	expect(&unmapped, sm_auth, "auth", PAM_IGNORE, "unmapped service");
	expect(&unmapped, sm_acct, "account", PAM_IGNORE, "unmapped service");
	expect(&unmapped, sm_open, "session", PAM_IGNORE, "unmapped service");

	struct items mon = denied;

	mon.args = "monitor";
	expect(&mon, sm_acct, "account", PAM_SUCCESS, "monitor (would deny)");
	check(strstr(said, "I: guard: would be denied (monitor mode)") != NULL,
	      "monitor: 'would be denied' as PAM_TEXT_INFO");
	check(strstr(logged, "would deny (monitor mode)") != NULL, "monitor: logged");

	struct items act = unmapped;

	act.args = "action=role.escalate";
	expect(&act, sm_acct, "account", PAM_PERM_DENIED, "action= on an unmapped service");

	struct items login_ok = {.service = "guardlogin", .user = "alice", .rhost = "10.1.2.3"};
	struct items login_far = {.service = "guardlogin", .user = "alice", .rhost = "192.0.2.7"};

	expect(&login_ok, sm_acct, "account", PAM_SUCCESS, "session.login from 10.1.2.3");
	expect(&login_far, sm_acct, "account", PAM_PERM_DENIED, "session.login from 192.0.2.7");
	check(strstr(said, "192.0.2.7") != NULL, "session.login: the address is named");
}

/* The real uid decides who asks unless the process is root's. */
static void matrix_actor(void)
{
	struct passwd *dave = getpwnam("dave");
	struct items lie = {.ruser = "bob", .user = "alice"};
	int rc;

	if (!dave || setresuid(dave->pw_uid, 0, 0) < 0) {
		check(false, "actor: cannot become dave");
		return;
	}
	rc = decide(&lie, sm_acct);
	if (setresuid(0, 0, 0) < 0)
		exit(2);
	check(rc == PAM_PERM_DENIED && strstr(said, "actor dave"),
	      "actor: real uid dave with PAM_RUSER=bob is dave: %s", rc_name(rc));
}

/* The kernel's audit status is the host's: another test may have started
 * an audit daemon. */
static bool audit_daemon_registered(void)
{
	char line[256];
	bool registered = false;
	FILE *f = popen("auditctl -s 2>/dev/null", "r");

	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "pid ", 4) == 0 && atoi(line + 4) != 0)
			registered = true;
	if (f)
		pclose(f);
	return registered;
}

static void matrix_policy_errors(void)
{
	struct items denied_if_broken = {.ruser = "bob", .user = "alice"};
	struct items unmapped = {.service = "other", .ruser = "bob", .user = "alice"};
	struct items rel = {.ruser = "bob", .user = "alice", .args = "config=guard.conf"};
	struct items bad_action = {.ruser = "bob", .user = "alice", .args = "action=root.all"};
	struct items unknown_arg = {.ruser = "bob", .user = "alice", .args = "frobnicate"};

	if (unlink(POLICY) < 0)
		exit(2);
	expect(&denied_if_broken, sm_auth, "auth", PAM_PERM_DENIED, "policy missing");
	expect(&denied_if_broken, sm_acct, "account", PAM_PERM_DENIED, "policy missing");
	expect(&unmapped, sm_acct, "account", PAM_PERM_DENIED, "policy missing, any service");
	check(strstr(logged, "policy error") != NULL, "policy missing: logged");

	policy("settings {\n  audit = off\n}\nrule \"r\" {\n  decision = maybe\n}\n");
	expect(&denied_if_broken, sm_acct, "account", PAM_PERM_DENIED, "policy broken");
	check(strstr(logged, POLICY ":5") != NULL, "policy broken: the log names file:line");
	check(strstr(said, "E: guard: refused: the Guard policy cannot be loaded") != NULL,
	      "policy broken: the user is told, without the details");

	policy(base_policy);
	if (chmod(POLICY, 0666) < 0)
		exit(2);
	expect(&denied_if_broken, sm_acct, "account", PAM_PERM_DENIED, "policy writable by all");
	policy(base_policy);
	if (chown(POLICY, 1, 1) < 0)
		exit(2);
	expect(&denied_if_broken, sm_acct, "account", PAM_PERM_DENIED, "policy not root's");
	if (chown(POLICY, 0, 0) < 0)
		exit(2);

	policy("settings {\n  journal = no\n}\nservice \"guardtest\" { action = "
	       "\"role.escalate\" }\nrule \"all\" {\n  actions = { \"role.escalate\" }\n  "
	       "decision = allow\n}\n");
	if (audit_daemon_registered()) {
		printf("skip audit = required: an audit daemon is registered with the kernel\n");
	} else {
		expect(&denied_if_broken, sm_acct, "account", PAM_PERM_DENIED,
		       "audit = required without an audit daemon");
		check(strstr(logged, "cannot be recorded") != NULL, "audit required: logged why");
	}

	policy(base_policy);
	expect(&rel, sm_acct, "account", PAM_PERM_DENIED, "config= relative path");
	expect(&bad_action, sm_acct, "account", PAM_PERM_DENIED, "action= not an action");
	expect(&unknown_arg, sm_acct, "account", PAM_SUCCESS, "unknown argument ignored");
	check(strstr(logged, "unknown option ignored: frobnicate") != NULL,
	      "unknown argument: logged");
}

/* The state store as it was never used: an empty directory, root's, 0700. */
static void store_reset(void)
{
	const char *files[] = {STORE, STORE "-wal", STORE "-shm", STORE "-journal"};

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (unlink(files[i]) < 0 && errno != ENOENT)
			exit(2);
	if (mkdir(STORE_DIR, 0700) < 0 && errno != EEXIST)
		exit(2);
	if (chown(STORE_DIR, 0, 0) < 0 || chmod(STORE_DIR, 0700) < 0)
		exit(2);
}

/* Every stage refuses, says so and logs why. */
static void expect_store_refusal(const char *what)
{
	struct items allowed = {.ruser = "bob", .user = "alice"};

	expect(&allowed, sm_auth, "auth", PAM_PERM_DENIED, what);
	expect(&allowed, sm_open, "session", PAM_PERM_DENIED, what);
	expect(&allowed, sm_chauthtok, "password", PAM_PERM_DENIED, what);
	expect(&allowed, sm_acct, "account", PAM_PERM_DENIED, what);
	check(strstr(logged, "refused: state store: ") != NULL, "%s: logged", what);
	check(strstr(said, "E: guard: refused: the state store cannot be used") != NULL,
	      "%s: the user is told", what);
}

/* A store that cannot be used refuses (docs/design.md, the store): the request
 * would be allowed with a sound one. */
static void matrix_store_errors(void)
{
	struct items allowed = {.ruser = "bob", .user = "alice"};
	char junk[4096 - 100];
	int fd;

	policy(base_policy);
	store_reset();
	expect(&allowed, sm_acct, "account", PAM_SUCCESS, "store missing in a sound directory");
	check(access(STORE, F_OK) == 0, "store missing: created on first use");

	/* Page 1 past the header: SQLite's schema, which the header check
	 * cannot see (and no -wal with a copy of it). */
	memset(junk, 0xa5, sizeof(junk));
	fd = open(STORE, O_WRONLY | O_CLOEXEC);
	if ((unlink(STORE "-wal") < 0 && errno != ENOENT) ||
	    (unlink(STORE "-shm") < 0 && errno != ENOENT) || fd < 0 ||
	    pwrite(fd, junk, sizeof(junk), 100) != (ssize_t)sizeof(junk) || close(fd) < 0)
		exit(2);
	expect_store_refusal("store corrupt");

	store_reset();
	write_file(STORE, 0600, "");
	expect_store_refusal("store empty");

	store_reset();
	if (symlink("/etc/shadow", STORE) < 0)
		exit(2);
	expect_store_refusal("store a symlink to /etc/shadow");

	store_reset();
	if (rmdir(STORE_DIR) < 0)
		exit(2);
	expect_store_refusal("store directory missing");

	store_reset();
	if (chmod(STORE_DIR, 0777) < 0)
		exit(2);
	expect_store_refusal("store directory writable by all");
	store_reset();
}

static double elapsed_s(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void matrix_helper_faults(void)
{
	struct items allowed = {.ruser = "bob", .user = "alice"};
	struct timespec t0;
	double secs;

	policy(base_policy);
	helper_stand_in("");
	expect(&allowed, sm_acct, "account", PAM_PERM_DENIED, "helper missing");
	check(strstr(logged, "cannot run " GUARD_PAM_HELPER) != NULL, "helper missing: logged");
	expect(&allowed, sm_auth, "auth", PAM_PERM_DENIED, "helper missing");

	helper_stand_in("#!/bin/sh\nexec sleep 30\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect(&allowed, sm_acct, "account", PAM_PERM_DENIED, "helper timing out");
	secs = elapsed_s(&t0);
	check(secs >= 4.5 && secs < 7.0, "helper timing out: gave up after %.1f s", secs);
	check(strstr(logged, "did not answer within") != NULL, "helper timing out: logged");

	helper_stand_in("#!/bin/sh\necho 'PGW1 allow allow allow'\n");
	expect(&allowed, sm_acct, "account", PAM_PERM_DENIED, "helper answering garbage");

	helper_stand_in("#!/bin/sh\nexit 0\n");
	expect(&allowed, sm_acct, "account", PAM_PERM_DENIED, "helper without an answer");

	helper_stand_in("#!/bin/sh\nkill -9 $$\n");
	expect(&allowed, sm_acct, "account", PAM_PERM_DENIED, "helper killed");
	check(strstr(logged, "killed by a signal") || strstr(logged, "without an answer"),
	      "helper killed: logged");

	helper_stand_in(NULL);
	expect(&allowed, sm_acct, "account", PAM_SUCCESS, "helper back");
}

/* One decision per handle, through libpam (module data is the module's):
 * the account stage reuses the auth stage's answer (proved with the helper
 * gone), a different PAM_USER is decided anew. */
static void matrix_one_decision(void)
{
	pam_handle_t *pamh = NULL;
	int rc;

	policy(base_policy);
	if (pam_start_confdir("guardtest", "alice", &conversation, confdir, &pamh) != PAM_SUCCESS)
		exit(2);
	pam_set_item(pamh, PAM_RUSER, "bob");
	reset_output();
	rc = pam_authenticate(pamh, 0);
	check(rc == PAM_SUCCESS, "one decision: pam_authenticate %s", rc_name(rc));
	helper_stand_in("");
	rc = pam_acct_mgmt(pamh, 0);
	check(rc == PAM_SUCCESS, "one decision: pam_acct_mgmt reuses it: %s", rc_name(rc));
	pam_set_item(pamh, PAM_USER, "carol");
	rc = pam_open_session(pamh, 0);
	check(rc == PAM_PERM_DENIED, "one decision: a new PAM_USER is decided anew: %s",
	      rc_name(rc));
	helper_stand_in(NULL);
	pam_end(pamh, rc);
}

static void matrix_hostile(void)
{
	static char big[65537], huge[200001];
	const char *values[] = {NULL, "", big, "a\nb", "x acct=root res=success"};
	const char *names[] = {"NULL", "\"\"", "64 KB", "a\\nb", "x acct=root res=success"};

	memset(big, 'a', sizeof(big) - 1);
	memset(huge, 'a', sizeof(huge) - 1);
	policy(base_policy);
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct items as_user = {.ruser = "bob", .user = values[i]};
		struct items as_ruser = {.ruser = values[i], .user = "alice"};
		struct items as_rhost = {.ruser = "dave", .user = "alice", .rhost = values[i]};
		struct items as_tty = {.ruser = "dave", .user = "alice", .tty = values[i]};
		int rc;

		rc = decide(&as_user, sm_acct);
		check((i == 0 || i == 1) ? rc == PAM_PERM_DENIED
					 : rc == PAM_PERM_DENIED || rc == PAM_SUCCESS,
		      "hostile PAM_USER %s: %s", names[i], rc_name(rc));
		check(!strstr(said, "a\nb") && !strstr(logged, "a\nb"),
		      "hostile PAM_USER %s: no raw newline said or logged", names[i]);
		rc = decide(&as_ruser, sm_acct);
		check(rc == PAM_PERM_DENIED, "hostile PAM_RUSER %s: %s", names[i], rc_name(rc));
		rc = decide(&as_rhost, sm_acct);
		check(rc == PAM_PERM_DENIED, "hostile PAM_RHOST %s: %s", names[i], rc_name(rc));
		rc = decide(&as_tty, sm_acct);
		check(rc == PAM_PERM_DENIED, "hostile PAM_TTY %s: %s", names[i], rc_name(rc));
	}
	struct items too_long = {.ruser = "bob", .user = huge};
	int rc = decide(&too_long, sm_acct);

	check(rc == PAM_PERM_DENIED, "PAM_USER of 200 KB: %s", rc_name(rc));
	check(strstr(logged, "too long") != NULL, "PAM_USER of 200 KB: logged");

	/* Through libpam, with the NULL user pam_start allows. */
	pam_handle_t *pamh = NULL;

	reset_output();
	if (pam_start_confdir("guardtest", NULL, &conversation, confdir, &pamh) == PAM_SUCCESS) {
		rc = pam_acct_mgmt(pamh, 0);
		check(rc != PAM_SUCCESS, "pam_acct_mgmt with no user at all: %s", rc_name(rc));
		pam_end(pamh, rc);
	}
}

/* ---- docs/threat-model.md, C28: the host process after pam_end ---- */

struct snapshot {
	sigset_t mask;
	struct sigaction act[NSIG];
	mode_t umask;
	struct rlimit lim[RLIM_NLIMITS];
	char cwd[4096];
	char env[8192];
	char fds[8192];
};

static void take(struct snapshot *s)
{
	size_t len = 0;
	DIR *d;
	struct dirent *e;

	memset(s, 0, sizeof(*s));
	sigprocmask(SIG_SETMASK, NULL, &s->mask);
	for (int i = 1; i < NSIG; i++)
		sigaction(i, NULL, &s->act[i]);
	s->umask = umask(022);
	umask(s->umask);
	for (int i = 0; i < RLIM_NLIMITS; i++)
		getrlimit(i, &s->lim[i]);
	if (!getcwd(s->cwd, sizeof(s->cwd)))
		s->cwd[0] = '\0';
	for (char **e2 = environ; *e2; e2++)
		len += (size_t)snprintf(s->env + len, sizeof(s->env) - len, "%s\n", *e2);
	len = 0;
	d = opendir("/proc/self/fd");
	while (d && (e = readdir(d))) {
		char path[300], target[256] = "";
		ssize_t n;

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		if (n > 0)
			target[n] = '\0';
		len += (size_t)snprintf(s->fds + len, sizeof(s->fds) - len, "%s=%s\n", e->d_name,
					target);
	}
	if (d)
		closedir(d);
}

static bool same_actions(const struct snapshot *a, const struct snapshot *b)
{
	for (int i = 1; i < NSIG; i++)
		if (a->act[i].sa_handler != b->act[i].sa_handler ||
		    a->act[i].sa_flags != b->act[i].sa_flags)
			return false;
	return true;
}

static volatile sig_atomic_t chld_seen;

static void on_chld(int sig)
{
	(void)sig;
	chld_seen++;
}

static void on_usr1(int sig)
{
	(void)sig;
}

static int cycle(const struct items *it)
{
	pam_handle_t *pamh = NULL;
	int rc;

	if (pam_start_confdir("guardtest", it->user, &conversation, confdir, &pamh) != PAM_SUCCESS)
		return -1;
	pam_set_item(pamh, PAM_RUSER, it->ruser);
	reset_output();
	rc = pam_acct_mgmt(pamh, 0);
	pam_end(pamh, rc);
	return rc;
}

static void hygiene(long n)
{
	struct items allowed = {.ruser = "bob", .user = "alice"};
	struct items denied = {.ruser = "dave", .user = "alice"};
	struct snapshot host, before, after;
	struct sigaction sa;
	struct rlimit small = {200, 4096};
	sigset_t block;
	long bad = 0;

	policy(base_policy);
	/* A host with opinions: a SIGCHLD handler, SIGUSR1 caught, SIGPIPE
	 * ignored, SIGTERM blocked, an odd umask, a lower fd limit, an fd 3
	 * of its own, a cwd and a variable. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = on_usr1;
	sa.sa_flags = 0;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	umask(0);
	setrlimit(RLIMIT_NOFILE, &small);
	if (open("/dev/null", O_RDONLY) < 0 || chdir("/etc") < 0 || setenv("HOST_VAR", "1", 1) < 0)
		exit(2);

	/* The host's state is compared with what it was before any cycle (a
	 * module that changes it once and for all changes it all the same);
	 * the fds with what they were after the first, which leaves libpam's
	 * own first-use state: loaded modules, the syslog socket. */
	take(&host);
	cycle(&allowed);
	take(&before);
	for (long i = 0; i < n; i++)
		if (cycle(i % 2 ? &denied : &allowed) != (i % 2 ? PAM_PERM_DENIED : PAM_SUCCESS))
			bad++;
	take(&after);
	check(bad == 0, "hygiene: %ld cycles, %ld wrong results", n, bad);
	check(memcmp(&host.mask, &after.mask, sizeof(sigset_t)) == 0, "hygiene: signal mask");
	check(same_actions(&host, &after), "hygiene: signal dispositions");
	check(chld_seen == 0, "hygiene: the host's SIGCHLD handler never ran (%d)", chld_seen);
	sigset_t pending;

	sigpending(&pending);
	check(!sigismember(&pending, SIGCHLD), "hygiene: no SIGCHLD pending");
	check(host.umask == after.umask, "hygiene: umask");
	check(memcmp(host.lim, after.lim, sizeof(host.lim)) == 0, "hygiene: rlimits");
	check(strcmp(host.cwd, after.cwd) == 0, "hygiene: cwd");
	check(strcmp(host.env, after.env) == 0, "hygiene: environ");
	check(strcmp(before.fds, after.fds) == 0, "hygiene: open fds");
	if (strcmp(before.fds, after.fds) != 0)
		printf("     before:\n%s     after:\n%s", before.fds, after.fds);

	/* SIGCHLD ignored makes the kernel reap children: not the decision's. */
	signal(SIGCHLD, SIG_IGN);
	check(cycle(&allowed) == PAM_SUCCESS, "hygiene: SIGCHLD ignored by the host: allowed");
	check(cycle(&denied) == PAM_PERM_DENIED, "hygiene: SIGCHLD ignored by the host: denied");

	/* fds 0-2 closed by the host. */
	int saved[3];

	for (int fd = 0; fd < 3; fd++) {
		saved[fd] = fcntl(fd, F_DUPFD_CLOEXEC, 10);
		close(fd);
	}
	int rc1 = cycle(&allowed), rc2 = cycle(&denied);

	for (int fd = 0; fd < 3; fd++) {
		dup2(saved[fd], fd);
		close(saved[fd]);
	}
	check(rc1 == PAM_SUCCESS && rc2 == PAM_PERM_DENIED,
	      "hygiene: fds 0-2 closed in the host: %s, %s", rc_name(rc1), rc_name(rc2));
}

static void bench(long n)
{
	struct items allowed = {.ruser = "bob", .user = "alice"};
	struct timespec t0;
	double secs;

	policy(base_policy);
	cycle(&allowed);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++)
		cycle(&allowed);
	secs = elapsed_s(&t0);
	printf("bench: %ld pam_start/pam_acct_mgmt/pam_end cycles in %.2f s: %.3f ms per "
	       "decision\n",
	       n, secs, secs * 1000 / (double)n);
}

static void matrix_decisions(void)
{
	matrix_results();
	matrix_actor();
	matrix_one_decision();
}

static const struct {
	const char *name;
	void (*run)(void);
} parts[] = {
    {"results", matrix_decisions},	     {"hostile", matrix_hostile},
    {"policy-errors", matrix_policy_errors}, {"store-errors", matrix_store_errors},
    {"helper-faults", matrix_helper_faults},
};

int main(int argc, char **argv)
{
	const char *sandbox = getenv("GUARD_SANDBOX");

	if (argc < 3 || !sandbox || strcmp(sandbox, "1") != 0 || geteuid() != 0) {
		fprintf(stderr, "usage: pam_harness matrix MODULE [PART...] | hygiene|bench MODULE "
				"[N] (as root, in the sandbox)\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	module = argv[2];
	service_files();
	if (strcmp(argv[1], "matrix") == 0) {
		load_module();
		policy(base_policy);
		for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
			bool wanted = argc == 3;

			for (int k = 3; k < argc; k++)
				wanted = wanted || strcmp(argv[k], parts[i].name) == 0;
			if (wanted)
				parts[i].run();
		}
		for (int k = 3; k < argc; k++) {
			bool known = false;

			for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
				known = known || strcmp(argv[k], parts[i].name) == 0;
			check(known, "matrix: part %s exists", argv[k]);
		}
	} else if (strcmp(argv[1], "hygiene") == 0) {
		hygiene(argc > 3 ? atol(argv[3]) : 1000);
	} else if (strcmp(argv[1], "bench") == 0) {
		bench(argc > 3 ? atol(argv[3]) : 1000);
	} else {
		return 2;
	}
	policy(base_policy);
	printf("%s: %d failures\n", argv[1], failures);
	return failures ? 1 : 0;
}
