/* guardctl report --format text: a summary a person reads top to bottom.
 * Every name from the store is escaped (guard_escape). */
#include <stdlib.h>
#include <string.h>

#include "guardctl.h"
#include "names.h"
#include "report.h"

static const char *q(const char *s, char *buf, size_t size)
{
	return guard_escape(s ? s : "-", buf, size);
}

static void tally_table(const struct report *r, FILE *out, const char *title,
			const char *(*pick)(const struct guard_history_row *))
{
	size_t n = 0;
	struct tally *t = report_tally(r, pick, &n);
	char b[160];

	fprintf(out, "\n%s:\n", title);
	for (size_t i = 0; t && i < n; i++)
		fprintf(out, "  %-28s allow %4u  approve %4u  deny %4u\n",
			q(t[i].name, b, sizeof(b)), t[i].allow, t[i].approve, t[i].deny);
	if (n == 0)
		fprintf(out, "  (none)\n");
	free(t);
}

static void refusals(const struct report *r, FILE *out)
{
	char t[40], b1[160], b2[160], b3[160], b4[300];
	size_t n = 0;

	fprintf(out, "\nRefusals:\n");
	for (size_t i = 0; i < r->n_dec; i++) {
		const struct guard_history_row *h = &r->dec[i];

		if (!h->decision || strcmp(h->decision, "deny") != 0)
			continue;
		guardctl_iso_time(h->at, t, sizeof(t));
		fprintf(out, "  %s %s %s %s rule %s: %s\n", t, q(h->actor, b1, sizeof(b1)),
			h->action ? h->action : "-", q(h->target, b2, sizeof(b2)),
			q(h->rule, b3, sizeof(b3)), q(h->why, b4, sizeof(b4)));
		n++;
	}
	if (n == 0)
		fprintf(out, "  (none)\n");
}

static void approvals(const struct report *r, FILE *out)
{
	unsigned filed = 0, approved = 0, denied = 0, expired = 0, pending = 0;
	char t[40], b1[160], b2[300], b3[160], b4[160];

	fprintf(out, "\nApprovals:\n");
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct guard_report_row *a = &r->rows[i];
		const char *st;

		if (a->kind != GUARD_REPORT_APPROVAL)
			continue;
		st = report_approval_status(r, a);
		filed++;
		approved += strcmp(st, "approved") == 0;
		denied += strcmp(st, "denied") == 0;
		expired += strcmp(st, "expired") == 0;
		pending += strcmp(st, "pending") == 0;
		guardctl_iso_time(a->at, t, sizeof(t));
		fprintf(out, "  #%lld %s %s asked %s %s: %s", (long long)a->id, t,
			q(a->actor, b1, sizeof(b1)), q(a->what, b2, sizeof(b2)),
			q(a->target, b3, sizeof(b3)), st);
		if (a->end > 0)
			fprintf(out, " by %s after %llds", q(a->other, b4, sizeof(b4)),
				(long long)(a->end - a->at));
		fputc('\n', out);
	}
	fprintf(out, "  %u filed: %u approved, %u denied, %u expired, %u pending\n", filed,
		approved, denied, expired, pending);
}

static void others(const struct report *r, FILE *out, enum guard_report_kind kind,
		   const char *title)
{
	char t[40], e[40], b1[160], b2[300], b3[300];
	size_t n = 0;

	fprintf(out, "\n%s:\n", title);
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct guard_report_row *x = &r->rows[i];

		if (x->kind != kind)
			continue;
		n++;
		guardctl_iso_time(x->at, t, sizeof(t));
		guardctl_iso_time(x->end, e, sizeof(e));
		if (kind == GUARD_REPORT_ACCOUNT_CHANGE)
			fprintf(out, "  %s %s\n", t, q(x->what, b2, sizeof(b2)));
		else if (kind == GUARD_REPORT_LOCKOUT)
			fprintf(out, "  %s %s locked out by watch %s until %s%s%s\n", t,
				q(x->actor, b1, sizeof(b1)), q(x->what, b2, sizeof(b2)), e,
				x->other ? ", lifted by " : "",
				x->other ? q(x->other, b3, sizeof(b3)) : "");
		else
			fprintf(out, "  %s %s until %s: %s%s%s\n", t, q(x->actor, b1, sizeof(b1)),
				e[0] ? e : "thawed", q(x->reason, b2, sizeof(b2)),
				x->other ? ", thawed by " : "",
				x->other ? q(x->other, b3, sizeof(b3)) : "");
	}
	if (n == 0)
		fprintf(out, "  (none)\n");
}

void report_text(const struct report *r, FILE *out)
{
	char s[40], u[40], h[300];
	unsigned allow = 0, approve = 0, deny = 0;

	guardctl_iso_time(r->since, s, sizeof(s));
	guardctl_iso_time(r->until, u, sizeof(u));
	for (size_t i = 0; i < r->n_dec; i++) {
		const char *d = r->dec[i].decision ? r->dec[i].decision : "";

		allow += strcmp(d, "allow") == 0;
		approve += strcmp(d, "approve") == 0;
		deny += strcmp(d, "deny") == 0;
	}
	fprintf(out, "Guard report for %s, %s to %s\n", q(r->host, h, sizeof(h)), s, u);
	fprintf(out, "\nDecisions: %zu actions: %u allowed, %u needing approval, %u refused\n",
		r->n_dec, allow, approve, deny);
	tally_table(r, out, "By action", report_pick_action);
	tally_table(r, out, "By rule", report_pick_rule);
	tally_table(r, out, "By actor", report_pick_actor);
	refusals(r, out);
	approvals(r, out);
	others(r, out, GUARD_REPORT_BREAK_GLASS, "Break-glass");
	others(r, out, GUARD_REPORT_FREEZE, "Freezes");
	others(r, out, GUARD_REPORT_LOCKOUT, "Lockouts");
	others(r, out, GUARD_REPORT_ACCOUNT_CHANGE, "Changes made around Guard (guardctl verify)");
}
