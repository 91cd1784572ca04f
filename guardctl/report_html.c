/* guardctl report --format html: one self-contained page (no script, no
 * link, no network): the summary tables and three inline SVG charts -
 * decisions per day by outcome, the rules that refused most, and how long
 * each approval took. Every text from the store is HTML-escaped. */
#include <stdlib.h>
#include <string.h>

#include "guardctl.h"
#include "report.h"

#define BAR_W	 28
#define CHART_H	 160
#define MAX_DAYS 62
#define MAX_BARS 12

static void esc(FILE *out, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : "-"); *p; p++) {
		switch (*p) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(out, "&#%u;", *p);
			else
				fputc(*p, out);
		}
	}
}

static void cell(FILE *out, const char *s)
{
	fputs("<td>", out);
	esc(out, s);
	fputs("</td>", out);
}

static void tally_table(const struct report *r, FILE *out, const char *title,
			const char *(*pick)(const struct guard_history_row *))
{
	size_t n = 0;
	struct tally *t = report_tally(r, pick, &n);

	fprintf(out,
		"<h2>%s</h2>\n<table><tr><th>%s</th><th>allow</th><th>approve</th>"
		"<th>deny</th></tr>\n",
		title, title + 3);
	for (size_t i = 0; t && i < n; i++) {
		fputs("<tr>", out);
		cell(out, t[i].name);
		fprintf(out, "<td>%u</td><td>%u</td><td>%u</td></tr>\n", t[i].allow, t[i].approve,
			t[i].deny);
	}
	fputs("</table>\n", out);
	free(t);
}

/* Decisions per UTC day, stacked: allow (green), approve (amber), deny (red). */
static void chart_days(const struct report *r, FILE *out)
{
	unsigned d[MAX_DAYS][3] = {{0}}, max = 1;
	int64_t first = r->since - r->since % 86400;
	size_t days = (size_t)((r->until - first) / 86400 + 1);

	if (days > MAX_DAYS)
		days = MAX_DAYS;
	for (size_t i = 0; i < r->n_dec; i++) {
		size_t k = (size_t)((r->dec[i].at - first) / 86400);
		const char *x = r->dec[i].decision ? r->dec[i].decision : "";

		if (k < days)
			d[k][strcmp(x, "allow") == 0 ? 0 : strcmp(x, "approve") == 0 ? 1 : 2]++;
	}
	for (size_t k = 0; k < days; k++)
		if (d[k][0] + d[k][1] + d[k][2] > max)
			max = d[k][0] + d[k][1] + d[k][2];
	fprintf(out,
		"<h2>Decisions per day</h2>\n<svg class=\"chart\" id=\"per-day\" width=\"%zu\" "
		"height=\"%d\" role=\"img\" aria-label=\"decisions per day by outcome\">\n",
		days * (BAR_W + 8) + 40, CHART_H + 30);
	for (size_t k = 0; k < days; k++) {
		static const char *const colour[3] = {"#2e7d32", "#f9a825", "#c62828"};
		double y = CHART_H;
		char day[40];

		for (int c = 0; c < 3; c++) {
			double h = (double)d[k][c] * CHART_H / max;

			if (d[k][c] == 0)
				continue;
			y -= h;
			fprintf(out,
				"<rect x=\"%zu\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" "
				"fill=\"%s\"><title>%u</title></rect>\n",
				20 + k * (BAR_W + 8), y, BAR_W, h, colour[c], d[k][c]);
		}
		guardctl_iso_time(first + (int64_t)k * 86400, day, sizeof(day));
		day[10] = '\0';
		fprintf(out, "<text x=\"%zu\" y=\"%d\" font-size=\"9\">%s</text>\n",
			20 + k * (BAR_W + 8), CHART_H + 14, day + 5);
	}
	fputs("</svg>\n<p class=\"legend\"><span style=\"color:#2e7d32\">&#9632; allow</span> "
	      "<span style=\"color:#f9a825\">&#9632; approve</span> "
	      "<span style=\"color:#c62828\">&#9632; deny</span></p>\n",
	      out);
}

/* Horizontal bars of name/value pairs. */
static void chart_bars(FILE *out, const char *id, const char *title, const char *const *names,
		       const double *values, size_t n, const char *unit, const char *colour)
{
	double max = 1;

	for (size_t i = 0; i < n; i++)
		if (values[i] > max)
			max = values[i];
	fprintf(out,
		"<h2>%s</h2>\n<svg class=\"chart\" id=\"%s\" width=\"620\" height=\"%zu\" "
		"role=\"img\" aria-label=\"%s\">\n",
		title, id, (n ? n : 1) * 24 + 10, title);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "<text x=\"0\" y=\"%zu\" font-size=\"12\">", i * 24 + 17);
		esc(out, names[i]);
		fprintf(out,
			"</text><rect x=\"200\" y=\"%zu\" width=\"%.1f\" height=\"18\" "
			"fill=\"%s\"/><text x=\"%.1f\" y=\"%zu\" font-size=\"12\">%.0f %s</text>\n",
			i * 24 + 4, 1 + values[i] * 330 / max, colour, 206 + values[i] * 330 / max,
			i * 24 + 17, values[i], unit);
	}
	if (n == 0)
		fputs("<text x=\"0\" y=\"17\" font-size=\"12\">(none)</text>\n", out);
	fputs("</svg>\n", out);
}

static void chart_refused_rules(const struct report *r, FILE *out)
{
	size_t n = 0, k = 0;
	struct tally *t = report_tally(r, report_pick_rule, &n);
	const char *names[MAX_BARS];
	double v[MAX_BARS];

	for (size_t i = 0; t && i < n && k < MAX_BARS; i++)
		if (t[i].deny > 0) {
			names[k] = t[i].name;
			v[k++] = t[i].deny;
		}
	chart_bars(out, "refused-rules", "Rules that refused most", names, v, k, "refused",
		   "#c62828");
	free(t);
}

static void chart_latency(const struct report *r, FILE *out)
{
	const char *names[MAX_BARS];
	char labels[MAX_BARS][32];
	double v[MAX_BARS];
	size_t k = 0;

	for (size_t i = 0; i < r->n_rows && k < MAX_BARS; i++) {
		const struct guard_report_row *a = &r->rows[i];

		if (a->kind != GUARD_REPORT_APPROVAL || a->end <= 0)
			continue;
		snprintf(labels[k], sizeof(labels[k]), "#%lld", (long long)a->id);
		names[k] = labels[k];
		v[k++] = (double)(a->end - a->at);
	}
	chart_bars(out, "approval-latency", "Approval latency", names, v, k, "s", "#1565c0");
}

static void rows_table(const struct report *r, FILE *out)
{
	static const char *const kinds[] = {"approval", "break-glass", "freeze", "lockout",
					    "change around Guard"};
	char t[40];

	fputs("<h2>Approvals, break-glass, freezes, lockouts, changes around Guard</h2>\n"
	      "<table><tr><th>time</th><th>what</th><th>who</th><th>target</th><th>detail</th>"
	      "<th>status</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->n_rows; i++) {
		const struct guard_report_row *x = &r->rows[i];

		guardctl_iso_time(x->at, t, sizeof(t));
		fputs("<tr>", out);
		cell(out, t);
		cell(out, kinds[x->kind]);
		cell(out, x->actor);
		cell(out, x->target);
		cell(out, x->kind == GUARD_REPORT_ACCOUNT_CHANGE ? x->what : x->reason);
		cell(out,
		     x->kind == GUARD_REPORT_APPROVAL ? report_approval_status(r, x) : x->other);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void refusals_table(const struct report *r, FILE *out)
{
	char t[40];

	fputs("<h2>Refusals</h2>\n<table><tr><th>time</th><th>actor</th><th>action</th>"
	      "<th>target</th><th>rule</th><th>why</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->n_dec; i++) {
		const struct guard_history_row *h = &r->dec[i];

		if (!h->decision || strcmp(h->decision, "deny") != 0)
			continue;
		guardctl_iso_time(h->at, t, sizeof(t));
		fputs("<tr>", out);
		cell(out, t);
		cell(out, h->actor);
		cell(out, h->action);
		cell(out, h->target);
		cell(out, h->rule);
		cell(out, h->why);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

void report_html(const struct report *r, FILE *out)
{
	char s[40], u[40];

	guardctl_iso_time(r->since, s, sizeof(s));
	guardctl_iso_time(r->until, u, sizeof(u));
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n<title>Guard report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;color:#222}"
	      "table{border-collapse:collapse;margin-bottom:1em}"
	      "td,th{border:1px solid #bbb;padding:2px 8px;text-align:left}"
	      "th{background:#eee}svg.chart{border:1px solid #ddd;background:#fafafa}\n"
	      "</style></head><body>\n<h1>Guard report for ",
	      out);
	esc(out, r->host);
	fprintf(out, "</h1>\n<p>%s to %s: %zu decided actions, %zu other events.</p>\n", s, u,
		r->n_dec, r->n_rows);
	chart_days(r, out);
	chart_refused_rules(r, out);
	chart_latency(r, out);
	tally_table(r, out, "By action", report_pick_action);
	tally_table(r, out, "By rule", report_pick_rule);
	tally_table(r, out, "By actor", report_pick_actor);
	refusals_table(r, out);
	rows_table(r, out);
	fputs("</body></html>\n", out);
}
