/* The token of an approval request: the text an approver signs elsewhere
 * (guardctl approve --sign, with ssh-keygen) and the host rebuilds from
 * its store to check the signature (guardctl approve --signature). It
 * names everything the approval binds: the host, the request's id and
 * random nonce, the requester, what is asked (the command as shown, or the
 * PAM service, action and target), the binding hash of the exact request,
 * the identities its names resolved to, the rules and the expiry. Every
 * value is escaped onto one line, so the text is canonical: one request,
 * one token, byte for byte. Pure. */
#include "approval_token.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "approval_terms.h"
#include "names.h"
#include "text.h"

#define VALUE_MAX 1024

struct out {
	FILE *f;
	char *buf;
	size_t len;
	bool cut; /* a value did not fit: no token (nothing is signed unseen) */
};

static void line(struct out *o, const char *key, const char *value)
{
	char shown[VALUE_MAX * 4 + 1];

	if (value && strlen(value) > VALUE_MAX)
		o->cut = true;
	fprintf(o->f, "%s: %s\n", key, guard_escape(value ? value : "", shown, sizeof(shown)));
}

/* Each "\n"-separated part of list as a line of its own. */
static void lines(struct out *o, const char *key, const char *list)
{
	char part[VALUE_MAX];

	for (const char *p = list ? list : ""; *p;) {
		const char *end = strchr(p, '\n');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n >= sizeof(part)) {
			o->cut = true;
			n = sizeof(part) - 1;
		}
		memcpy(part, p, n);
		part[n] = '\0';
		if (n)
			line(o, key, part);
		p = end ? end + 1 : p + strlen(p);
	}
}

/* The command as a shell would read it back: each argument quoted where
 * needed, so that ["a b"] and ["a", "b"] differ. */
static void command(struct out *o, const struct guard_approval *a)
{
	char buf[VALUE_MAX + 1];
	struct guard_text t;

	guard_text_init(&t, buf, sizeof(buf));
	guard_text_command(&t, a->shown_argv ? a->shown_argc : a->argc,
			   a->shown_argv ? a->shown_argv : a->argv);
	if (t.truncated)
		o->cut = true;
	line(o, "command", buf);
}

int guard_approval_token(const struct guard_approval *a, char **ret)
{
	struct out o = {0};
	char n[64], when[40];
	time_t t = (time_t)a->expires;
	struct tm tm;

	*ret = NULL;
	if (!a->nonce[0])
		return -ENODATA;
	/* What an approver signs is all of it: a request whose identities or
	 * actions are kept only in part (a large batch) is approved locally,
	 * where guardctl list shows it. */
	if (a->n_idents > GUARD_APPROVAL_MAX_IDENTS || a->n_actions > GUARD_APPROVAL_MAX_ACTIONS)
		return -E2BIG;
	o.f = open_memstream(&o.buf, &o.len);
	if (!o.f)
		return -ENOMEM;
	fprintf(o.f, "%s\n", GUARD_APPROVAL_TOKEN_HEAD);
	line(&o, "host", a->host);
	snprintf(n, sizeof(n), "%lld", (long long)a->id);
	line(&o, "request", n);
	snprintf(n, sizeof(n), "%u", a->requester_uid);
	line(&o, "requester", a->requester);
	line(&o, "requester-uid", n);
	if (a->argv) {
		command(&o, a);
	} else {
		line(&o, "service", a->service);
		line(&o, "action", a->action);
		line(&o, "target", a->target);
	}
	line(&o, "binding", a->hash);
	snprintf(n, sizeof(n), "%zu", a->n_idents);
	line(&o, "identities", n);
	lines(&o, "identity", a->idents);
	snprintf(n, sizeof(n), "%zu", a->n_actions);
	line(&o, "actions", n);
	lines(&o, "action", a->actions);
	lines(&o, "rule", a->rules);
	if (!gmtime_r(&t, &tm) || strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "%lld", (long long)a->expires);
	line(&o, "expires", when);
	line(&o, "nonce", a->nonce);
	if (fclose(o.f) != 0 || o.cut) {
		free(o.buf);
		return o.cut ? -E2BIG : -ENOMEM;
	}
	*ret = o.buf;
	return 0;
}
