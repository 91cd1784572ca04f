/* Approvals that cross hosts as OpenSSH signatures, with no Guard server:
 *
 *   guardctl approve --sign KEY TOKENFILE|-    anywhere, no privilege, no policy
 *   guardctl approve --signature SIGFILE ID    on the requester's host, by anyone
 *
 * The token (libguard/approval_token.c) names the host, the request, its
 * nonce and everything the approval binds. --sign shows it and has
 * ssh-keygen sign it (namespace guard-approval). --signature rebuilds the
 * token from this host's store (so a token changed in transit, or one for
 * another host or request, fails the check), asks ssh-keygen which
 * principal of the policy's approver_keys signed it and whether that
 * signature verifies (revoked_keys passed as -r), then counts the
 * principal's approval exactly as a local `guardctl approve` by that
 * account would: one of the rule's approvers as this host's account
 * database sees them, never the requester, at most once per approver (a
 * replayed signature is refused), and this host's clock decides expiry.
 * ssh-keygen runs as nobody in a group of its own, with an empty environment but PATH, the
 * signature on fd 3 and the token on stdin, bounded in time (ssh_keygen.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "accounts.h"
#include "approval_token.h"
#include "approvers.h"
#include "events.h"
#include "guardctl.h"
#include "names.h"
#include "numparse.h"
#include "ssh_keygen.h"

#define MAX_FILE_BYTES (64u * 1024u)

/* Reads a whole small file opened by the caller's rights (the fd is
 * opened with the real ids in effect). */
static int read_small(int fd, const char *what, char **ret)
{
	char *buf = malloc(MAX_FILE_BYTES + 1);
	size_t len = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = read(fd, buf + len, MAX_FILE_BYTES + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			guardctl_error("cannot read the %s: %s", what, strerror(errno));
			return -EIO;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > MAX_FILE_BYTES) {
			free(buf);
			guardctl_error("the %s is larger than %u bytes", what, MAX_FILE_BYTES);
			return -EFBIG;
		}
	}
	buf[len] = '\0';
	*ret = buf;
	return 0;
}

/* ---- guardctl approve --sign KEY TOKENFILE ---- */

int guardctl_approve_sign(struct guardctl *ctx, int argc, char **argv)
{
	char *token = NULL;
	int fd, rc = EXIT_USAGE;

	/* No privilege at all: the signer's own files, keys and agent. */
	if (setresgid(ctx->gid, ctx->gid, ctx->gid) < 0 ||
	    setresuid(ctx->uid, ctx->uid, ctx->uid) < 0) {
		guardctl_error("approve --sign: cannot drop privileges");
		return EXIT_USAGE;
	}
	if (argc != 4) {
		guardctl_error("approve --sign: guardctl approve --sign KEY TOKENFILE (or - for "
			       "stdin)");
		return EXIT_USAGE;
	}
	fd = strcmp(argv[3], "-") == 0 ? dup(STDIN_FILENO)
				       : open(argv[3], O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || read_small(fd, "token", &token) < 0) {
		if (fd < 0)
			guardctl_error("approve --sign: cannot open %s: %s", argv[3],
				       strerror(errno));
		goto out;
	}
	if (strncmp(token, GUARD_APPROVAL_TOKEN_HEAD "\n", strlen(GUARD_APPROVAL_TOKEN_HEAD) + 1) !=
	    0) {
		guardctl_error("approve --sign: %s is not a Guard approval token (it starts "
			       "\"%s\")",
			       argv[3], GUARD_APPROVAL_TOKEN_HEAD);
		goto out;
	}
	/* What is signed, shown first: the approver reads it. */
	fprintf(stderr, "You are approving, with %s:\n%s", argv[2], token);
	(void)fflush(stderr);
	{
		char *const kargv[] = {(char *)"ssh-keygen",
				       (char *)"-q",
				       (char *)"-Y",
				       (char *)"sign",
				       (char *)"-f",
				       argv[2],
				       (char *)"-n",
				       (char *)GUARD_APPROVAL_NAMESPACE,
				       NULL};
		struct keygen k = {.argv = kargv, .input = token};

		if (keygen_run(&k) < 0 || !keygen_ok(&k) ||
		    strncmp(k.out, "-----BEGIN SSH SIGNATURE-----", 29) != 0) {
			guardctl_error("approve --sign: ssh-keygen could not sign: %s", k.err);
			goto out;
		}
		fputs(k.out, stdout);
	}
	fprintf(stderr, "Send the signature above to the requester's host, where anyone runs:\n"
			"  guardctl approve --signature SIGFILE ID\n");
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(token);
	return rc;
}

/* ---- guardctl approve --signature SIGFILE ID ---- */

/* approver_keys and revoked_keys are trust: root's, not writable by group
 * or others, regular files, no symlinks, readable by anyone (ssh-keygen
 * reads them as nobody). Returns 0 or -EPERM (printed). */
static int trusted_file(const char *path, bool optional)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);

	if (fd < 0 && optional && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) || !(st.st_mode & S_IROTH)) {
		guardctl_error("refused: %s must be a regular file of root's, readable by all and "
			       "writable by root alone (not a symlink)%s%s",
			       path, fd < 0 ? ": " : "", fd < 0 ? strerror(errno) : "");
		if (fd >= 0)
			close(fd);
		return -EPERM;
	}
	close(fd);
	return 0;
}

/* The principal of allowed_signers whose key made sig. */
static int find_principal(const struct guard_policy *policy, const char *sig, char *ret,
			  size_t size)
{
	char *const kargv[] = {
	    (char *)"ssh-keygen", (char *)"-Y", (char *)"find-principals",	(char *)"-s",
	    (char *)"/dev/fd/3",  (char *)"-f", policy->settings.approver_keys, NULL};
	struct keygen k = {.argv = kargv, .sig = sig, .as_nobody = true};
	char *nl;
	int r = keygen_run(&k);

	if (r < 0) {
		guardctl_error("approve --signature: cannot run %s: %s", SSH_KEYGEN, strerror(-r));
		return r;
	}
	if (!keygen_ok(&k) || !k.out[0])
		return -ENOKEY;
	nl = strchr(k.out, '\n');
	if (nl)
		*nl = '\0';
	if (nl && nl[1]) /* one key, one principal: several is ambiguous */
		return -ENOTUNIQ;
	if (strlen(k.out) >= size)
		return -ENAMETOOLONG;
	memcpy(ret, k.out, strlen(k.out) + 1);
	return 0;
}

static int verify(const struct guard_policy *policy, const char *sig, const char *principal,
		  const char *token, char *why, size_t size)
{
	char *kargv[16];
	size_t n = 0;
	struct keygen k = {.argv = kargv, .input = token, .sig = sig, .as_nobody = true};
	int r;

	kargv[n++] = (char *)"ssh-keygen";
	kargv[n++] = (char *)"-Y";
	kargv[n++] = (char *)"verify";
	kargv[n++] = (char *)"-f";
	kargv[n++] = policy->settings.approver_keys;
	kargv[n++] = (char *)"-I";
	kargv[n++] = (char *)principal;
	kargv[n++] = (char *)"-n";
	kargv[n++] = (char *)GUARD_APPROVAL_NAMESPACE;
	kargv[n++] = (char *)"-s";
	kargv[n++] = (char *)"/dev/fd/3";
	if (policy->settings.revoked_keys) {
		kargv[n++] = (char *)"-r";
		kargv[n++] = policy->settings.revoked_keys;
	}
	kargv[n] = NULL;
	r = keygen_run(&k);
	if (r < 0) {
		snprintf(why, size, "cannot run %s: %s", SSH_KEYGEN, strerror(-r));
		return r;
	}
	{
		const char *said = k.err[0] ? k.err : k.out;
		size_t l = strnlen(said, size - 1);

		memcpy(why, said, l);
		why[l] = '\0';
	}
	return keygen_ok(&k) ? 0 : -EBADMSG;
}

/* Every refusal of a presented signature is an audit record and a journal
 * alert: someone holds a signature that does not count. Best effort: the
 * refusal stands whatever audit says. */
static void refused(const struct guard_policy *policy, const struct guard_approval *a, uint64_t id,
		    const char *signer, const char *why)
{
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	char ids[32];

	snprintf(ids, sizeof(ids), "%llu", (unsigned long long)id);
	if (guard_events_open_best_effort(&policy->settings, GUARD_SOURCE_GUARDCTL, &ev, &err) == 0)
		(void)guard_events_signature_refused(ev, ids, a ? a->requester : NULL, signer, why);
	guard_events_close(ev);
}

/* The approver's identity and the checks of a local approve. */
static int principal_may(const struct guard_policy *policy, const struct guard_approval *a,
			 const char *principal, struct guard_identity *ret)
{
	char q[128];
	int r = guard_accounts_user_by_name(policy, principal, ret);

	guard_escape(principal, q, sizeof(q));
	if (r < 0) {
		guardctl_error("refused: the signer %s is no account on this host", q);
		return -EPERM;
	}
	if (ret->uid == a->requester_uid) {
		guardctl_error("refused: %s signed their own request", q);
		return -EPERM;
	}
	if (!guard_is_approver_for(policy, a->rules, ret)) {
		guardctl_error("refused: %s is not an approver for request %lld", q,
			       (long long)a->id);
		return -EPERM;
	}
	return 0;
}

static int count_vote(struct guardctl *ctx, const struct guard_policy *policy,
		      struct guard_store *store, const struct guard_approval *a,
		      const struct guard_identity *who, int64_t now)
{
	enum guard_approval_status st = GUARD_APPROVAL_PENDING;
	struct guard_events *ev = NULL;
	struct guard_error err = {0};
	char ids[32];
	int r;

	(void)ctx;
	r = guard_store_approval_approve(store, a->id, who->uid, who->name,
					 policy->settings.approval_ttl_s, now, &st, &err);
	if (r == -EPERM || r == -EALREADY || r == -ESTALE) {
		guardctl_error("refused: %s%s", err.message,
			       r == -EALREADY ? " (a signature counts once)" : "");
		return EXIT_DENIED;
	}
	if (r < 0) {
		guardctl_store_error(&err, r);
		return EXIT_USAGE;
	}
	snprintf(ids, sizeof(ids), "%lld", (long long)a->id);
	r = guard_events_open(&policy->settings, GUARD_SOURCE_GUARDCTL, &ev, &err);
	if (r == 0)
		r = guard_events_approval(ev, who, ids, a->requester, true, "by SSH signature");
	guard_events_close(ev);
	if (r < 0) {
		guardctl_error("refused: the approval cannot be recorded: %s",
			       err.message[0] ? err.message : strerror(-r));
		return EXIT_DENIED;
	}
	r = guard_store_commit(store, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		return EXIT_USAGE;
	}
	if (st == GUARD_APPROVAL_APPROVED)
		printf("request %lld approved by %s (SSH signature): %s may run it once within the "
		       "approval time\n",
		       (long long)a->id, who->name, a->requester);
	else
		printf("request %lld: approval by %s (SSH signature) recorded (%zu of %u)\n",
		       (long long)a->id, who->name, a->n_votes + 1, a->needed);
	return 0;
}

int guardctl_approve_signature(struct guardctl *ctx, int argc, char **argv)
{
	struct guard_policy *policy = NULL;
	struct guard_store *store = NULL;
	struct guard_approval a = {0};
	struct guard_identity who = {0};
	struct guard_error err = {0};
	char *sig = NULL, *token = NULL, principal[256], why[1024];
	uint64_t id = 0;
	int64_t now;
	int fd = -1, r, rc = EXIT_USAGE;
	bool in_txn = false;

	if (argc != 4 || guard_parse_uint(argv[3], INT64_MAX, &id) < 0 || id == 0) {
		guardctl_error("approve --signature: guardctl approve --signature SIGFILE ID");
		return EXIT_USAGE;
	}
	fd = strcmp(argv[2], "-") == 0
		 ? dup(STDIN_FILENO)
		 : guardctl_open_as_caller(ctx, argv[2], O_RDONLY | O_NONBLOCK, 0);
	if (fd < 0) {
		guardctl_error("approve --signature: cannot open %s: %s", argv[2], strerror(errno));
		return EXIT_USAGE;
	}
	if (read_small(fd, "signature", &sig) < 0)
		goto out;
	if (strncmp(sig, "-----BEGIN SSH SIGNATURE-----", 29) != 0 || strlen(sig) > MAX_SIG_BYTES) {
		guardctl_error("approve --signature: %s is not an SSH signature", argv[2]);
		goto out;
	}
	policy = guardctl_load_policy(ctx, NULL, true);
	if (!policy || guardctl_store_open(ctx, &store) != 0)
		goto out;
	if (trusted_file(policy->settings.approver_keys, false) < 0 ||
	    (policy->settings.revoked_keys &&
	     trusted_file(policy->settings.revoked_keys, false) < 0)) {
		rc = EXIT_DENIED;
		goto out;
	}
	/* The checks run before the store's lock is taken (ssh-keygen may take
	 * seconds); inside the transaction the request is read again and must
	 * give the same token. */
	now = (int64_t)time(NULL);
	r = guard_store_approval_get(store, (int64_t)id, now, &a, &err);
	if (r == 0)
		r = guard_approval_token(&a, &token);
	if (r < 0) {
		guardctl_error("approve --signature: %s",
			       r == -ENODATA ? "the request has no nonce (filed before signed "
					       "approvals): approve it locally"
			       : r == -E2BIG ? "the request is too large to show whole in a token: "
					       "approve it locally"
					     : err.message);
		rc = EXIT_DENIED;
		goto out;
	}
	/* The state first: the approval that completes a request moves its
	 * expiry, so a replayed signature no longer matches the token, and
	 * "does not verify" would hide the plain reason. */
	if (a.status != GUARD_APPROVAL_PENDING) {
		guardctl_error("refused: request %llu is %s", (unsigned long long)id,
			       guard_approval_status_name(a.status));
		refused(policy, &a, id, NULL, "the request is not pending");
		rc = EXIT_DENIED;
		goto out;
	}
	r = find_principal(policy, sig, principal, sizeof(principal));
	if (r < 0 && r != -ENOKEY && r != -ENOTUNIQ && r != -ENAMETOOLONG) {
		rc = EXIT_DENIED; /* ssh-keygen could not be run: said */
		goto out;
	}
	if (r < 0) {
		guardctl_error("refused: the signature's key is %s in %s",
			       r == -ENOTUNIQ ? "listed for several principals" : "not",
			       policy->settings.approver_keys);
		refused(policy, &a, id, NULL, "the signature's key is no approver's");
		rc = EXIT_DENIED;
		goto out;
	}
	if (verify(policy, sig, principal, token, why, sizeof(why)) < 0) {
		char q[1100];

		guardctl_error(
		    "refused: the signature does not verify for request %llu on this host "
		    "(another request or host, a changed token, another namespace, or a "
		    "revoked key): %s",
		    (unsigned long long)id, guard_escape_controls(why, q, sizeof(q)));
		refused(policy, &a, id, principal, "the signature does not verify");
		rc = EXIT_DENIED;
		goto out;
	}
	if (principal_may(policy, &a, principal, &who) < 0) {
		refused(policy, &a, id, principal, "the signer may not approve this request");
		rc = EXIT_DENIED;
		goto out;
	}
	r = guard_store_begin(store, (int64_t)time(NULL), &now, &err);
	if (r < 0) {
		guardctl_store_error(&err, r);
		goto out;
	}
	in_txn = true;
	{
		struct guard_approval again = {0};
		char *token2 = NULL;

		r = guard_store_approval_get(store, (int64_t)id, now, &again, &err);
		if (r == 0)
			r = guard_approval_token(&again, &token2);
		if (r == 0 && (!token || !token2 || strcmp(token, token2) != 0))
			r = -ESTALE;
		free(token2);
		guard_approval_clear(&again);
		if (r < 0) {
			guardctl_error(
			    "refused: request %llu changed while its signature was checked",
			    (unsigned long long)id);
			rc = EXIT_DENIED;
			goto out;
		}
	}
	rc = count_vote(ctx, policy, store, &a, &who, now);
	in_txn = rc != 0;
	if (rc == EXIT_DENIED) {
		guard_store_rollback(store);
		in_txn = false;
		refused(policy, &a, id, principal,
			"the approval does not count (replayed, or expired)");
	}
out:
	if (in_txn)
		guard_store_rollback(store);
	if (fd >= 0)
		close(fd);
	free(sig);
	free(token);
	guard_identity_clear(&who);
	guard_approval_clear(&a);
	guard_store_close(store);
	guard_policy_free(policy);
	return rc;
}
