/*
 * The HTML dashboard: one self-contained page (inline CSS, inline SVG, no
 * script, no external asset) built from the report documents. Figures
 * carry data-figure attributes so that tests can find them in the DOM.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Markup escaped, and control characters and bidirectional overrides
 * shown as the terminal shows them (dlg_escape). */
static void esc(dlg_buf *b, const char *text)
{
	dlg_buf safe = DLG_BUF_INIT;
	const char *s;

	if (!text)
		return;
	dlg_escape(&safe, text, strlen(text), DLG_ESC_LINES);
	for (s = safe.ptr; *s; s++) {
		switch (*s) {
		case '<': dlg_buf_puts(b, "&lt;"); break;
		case '>': dlg_buf_puts(b, "&gt;"); break;
		case '&': dlg_buf_puts(b, "&amp;"); break;
		case '"': dlg_buf_puts(b, "&quot;"); break;
		default: dlg_buf_put(b, s, 1);
		}
	}
	dlg_buf_dispose(&safe);
}

static const char *s_or(const dlg_node *m, const char *k, const char *dflt)
{
	const char *v = dlg_map_get_str(m, k);

	return v ? v : dflt;
}

static void cell(dlg_buf *b, const char *figure, const char *v)
{
	if (figure) {
		dlg_buf_puts(b, "<td data-figure=\"");
		esc(b, figure);
		dlg_buf_puts(b, "\">");
	} else {
		dlg_buf_puts(b, "<td>");
	}
	esc(b, v);
	dlg_buf_puts(b, "</td>");
}

/* A task's id as lists show it: its first 8 digits. */
static void task_id(dlg_buf *b, const dlg_node *t)
{
	const char *id = dlg_map_get_str(t, "id");

	dlg_buf_puts(b, "<code class=\"id\">");
	if (id)
		dlg_buf_printf(b, "%.8s", id);
	dlg_buf_puts(b, "</code>");
}

static void id_cell(dlg_buf *b, const dlg_node *t)
{
	dlg_buf_puts(b, "<td class=\"date\">");
	task_id(b, t);
	dlg_buf_puts(b, "</td>");
}

/* A figure in a cell: the value, "-" for none, and a suffix after it. */
static void fig_cell(dlg_buf *b, const char *figure, const dlg_node *m,
		     const char *k, const char *suffix)
{
	dlg_buf v = DLG_BUF_INIT;
	const char *x = dlg_map_get_str(m, k);

	if (x)
		dlg_buf_printf(&v, "%s%s", x, suffix);
	else
		dlg_buf_puts(&v, "-");
	cell(b, figure, v.ptr);
	dlg_buf_dispose(&v);
}

/* The period as people read it: --until is the day after the last. */
static void period(dlg_buf *b, const dlg_report_input *in)
{
	char from[DLG_DATE_SIZE], to[DLG_DATE_SIZE];

	dlg_date_format(from, in->since);
	dlg_date_format(to, in->until - 1);
	if (in->since && in->until)
		dlg_buf_printf(b, "from %s to %s", from, to);
	else if (in->since)
		dlg_buf_printf(b, "from %s", from);
	else if (in->until)
		dlg_buf_printf(b, "up to %s", to);
	else
		dlg_buf_puts(b, "all time");
}

static const char css[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:0;background:#f4f6f8;color:#1d2733}"
	"header{background:#1d3557;color:#fff;padding:18px 28px}"
	"header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.8}"
	"header .period{font-weight:600;opacity:1}"
	"main{padding:18px 28px;display:grid;gap:18px;"
	"grid-template-columns:repeat(auto-fit,minmax(min(460px,100%),1fr))}"
	"section{background:#fff;border-radius:10px;padding:16px 20px;"
	"box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:0}"
	".scroll{overflow-x:auto;max-width:100%}"
	"code.id{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;"
	"color:#5b6675;white-space:nowrap}"
	".date,.late{white-space:nowrap}"
	".nw{white-space:nowrap}" /* org names: "acme-" over "msp" misleads */
	".note{color:#5b6675;font-size:13px;margin:8px 0 0}"
	".charts{display:grid;gap:12px;"
	"grid-template-columns:repeat(auto-fit,minmax(min(320px,100%),1fr))}"
	".charts h3{font-size:13px;margin:0 0 4px;color:#5b6675}"
	"section.wide{grid-column:1/-1}"
	"h2{font-size:16px;margin:0 0 12px;color:#1d3557}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{text-align:left;padding:5px 8px;border-bottom:1px solid #e6e9ee;"
	"font-size:14px}th{color:#5b6675;font-weight:600}"
	".board{display:grid;grid-template-columns:repeat(5,1fr);gap:10px}"
	".col h3{font-size:13px;text-transform:uppercase;letter-spacing:.04em;"
	"margin:0 0 6px;color:#5b6675}"
	".card{background:#f7f9fb;border-left:4px solid #8aa;border-radius:6px;"
	"padding:6px 8px;margin-bottom:6px;font-size:13px}"
	".card small{display:block;color:#5b6675}"
	".s-open{border-color:#2a9d8f}.s-in-progress{border-color:#457b9d}"
	".s-blocked{border-color:#e63946}.s-review{border-color:#9b5de5}"
	".s-done{border-color:#80b918}"
	".late,.bad{color:#c1121f;font-weight:600}"
	".ok{color:#2b9348;font-weight:600}.empty{color:#8a94a3}"
	".matrix{display:grid;grid-template-columns:1fr 1fr;gap:10px}"
	".quad{border-radius:8px;padding:8px 10px;min-height:60px}"
	".q-do{background:#fde2e4}.q-schedule{background:#e2ecf9}"
	".q-delegate{background:#fff1d6}.q-eliminate{background:#eef0f2}"
	".quad h3{margin:0 0 4px;font-size:13px}"
	/* a phone: two board columns, a narrower frame */
	"@media (max-width:700px){header{padding:14px 16px}"
	"main{padding:10px;gap:10px}section{padding:12px}"
	".board{grid-template-columns:repeat(2,1fr)}"
	".matrix{grid-template-columns:1fr}"
	"th,td{padding:4px 5px;font-size:13px}}";

static void board(dlg_buf *b, const dlg_report_input *in)
{
	static const char *const cols[] = { "open", "in-progress", "blocked",
					    "review", "done" };
	size_t c, i, n;

	dlg_buf_puts(b, "<section class=\"wide\"><h2>Status board</h2>"
			"<div class=\"board\">");
	for (c = 0; c < 5; c++) {
		for (n = 0, i = 0; i < in->ntasks; i++)
			n += !strcmp(dlg_map_get_str(in->tasks[i], "status"),
				     cols[c]);
		dlg_buf_printf(b, "<div class=\"col\"><h3>%s "
			       "<span data-figure=\"board-%s\">%zu</span></h3>",
			       cols[c], cols[c], n);
		for (n = 0, i = 0; i < in->ntasks && n < 12; i++) {
			const dlg_node *t = in->tasks[i];

			if (strcmp(dlg_map_get_str(t, "status"), cols[c]))
				continue;
			n++;
			dlg_buf_printf(b, "<div class=\"card s-%s\">", cols[c]);
			task_id(b, t);
			dlg_buf_puts(b, " ");
			esc(b, dlg_map_get_str(t, "title"));
			dlg_buf_puts(b, "<small>");
			esc(b, s_or(t, "assignee", "unassigned"));
			dlg_buf_puts(b, " · ");
			esc(b, s_or(t, "priority", ""));
			if (dlg_map_get_str(t, "due")) {
				/* never wrapped mid-date, late or not */
				dlg_buf_printf(b, " · <span class=\"date%s\">"
					       "due ",
					       dlg_task_is_overdue(t, in->now)
						       ? " late" : "");
				esc(b, dlg_map_get_str(t, "due"));
				dlg_buf_puts(b, "</span>");
			}
			dlg_buf_puts(b, "</small></div>");
		}
		dlg_buf_puts(b, "</div>");
	}
	dlg_buf_puts(b, "</div></section>");
}

static void workload(dlg_buf *b, const dlg_node *w)
{
	const dlg_node *people = dlg_map_get(w, "people");
	double max = 1;
	size_t i;
	/* as wide as a phone's 350 px, so that its text stays legible */
	int row = 28, width = 180, label = 70;

	for (i = 0; i < people->count; i++) {
		double h = atof(s_or(people->items[i], "estimated_hours", "0"));
		double c = atof(s_or(people->items[i], "capacity_hours", "0"));

		if (h > max)
			max = h;
		if (c > max)
			max = c;
	}
	dlg_buf_printf(b, "<section><h2>Workload against capacity</h2>"
		       "<svg role=\"img\" aria-label=\"workload\" "
		       "viewBox=\"0 0 %d %zu\" width=\"100%%\" "
		       "style=\"max-width:440px\">",
		       label + width + 90, people->count * (size_t)row + 10);
	for (i = 0; i < people->count; i++) {
		const dlg_node *p = people->items[i];
		double h = atof(s_or(p, "estimated_hours", "0"));
		const char *cap = dlg_map_get_str(p, "capacity_hours");
		int over = !strcmp(s_or(p, "overloaded", "false"), "true");
		int y = (int)i * row + 6;
		int bw = (int)(h / max * width);

		dlg_buf_printf(b, "<text x=\"0\" y=\"%d\" font-size=\"13\">",
			       y + 14);
		esc(b, dlg_map_get_str(p, "handle"));
		dlg_buf_printf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%d\" "
			       "height=\"18\" rx=\"3\" fill=\"%s\"/>", label, y,
			       bw > 0 ? bw : 1, over ? "#e63946" : "#457b9d");
		if (cap)
			dlg_buf_printf(b, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" "
				       "y2=\"%d\" stroke=\"#1d2733\" "
				       "stroke-width=\"2\"/>",
				       label + (int)(atof(cap) / max * width),
				       label + (int)(atof(cap) / max * width),
				       y - 2, y + 20);
		dlg_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"12\" "
			       "data-figure=\"workload-%s\">%s h / %s h</text>",
			       label + width + 8, y + 14,
			       dlg_map_get_str(p, "handle"),
			       s_or(p, "estimated_hours", "0"),
			       cap ? cap : "?");
	}
	dlg_buf_puts(b, "</svg></section>");
}

static void late_work(dlg_buf *b, const dlg_report_input *in)
{
	char today[DLG_DATE_SIZE];
	size_t i, j, n = 0;

	dlg_date_format(today, in->now);
	dlg_buf_puts(b, "<section><h2>Late work and checkpoints</h2>"
			"<div class=\"scroll\"><table><tr><th>id</th>"
			"<th>task</th><th>who</th><th>what</th>"
			"<th>due</th></tr>");
	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];
		const dlg_node *cps = dlg_map_get(t, "checkpoints");

		if (!dlg_task_is_open(t))
			continue;
		if (dlg_task_is_overdue(t, in->now)) {
			dlg_buf_puts(b, "<tr>");
			id_cell(b, t);
			cell(b, NULL, dlg_map_get_str(t, "title"));
			cell(b, NULL, s_or(t, "assignee", "-"));
			cell(b, NULL, "the task");
			dlg_buf_puts(b, "<td class=\"late\">");
			esc(b, dlg_map_get_str(t, "due"));
			dlg_buf_puts(b, "</td></tr>");
			n++;
		}
		for (j = 0; cps && j < cps->count; j++) {
			const dlg_node *cp = cps->items[j];

			if (!strcmp(s_or(cp, "done", "false"), "true") ||
			    strcmp(dlg_map_get_str(cp, "due"), today) >= 0)
				continue;
			dlg_buf_puts(b, "<tr>");
			id_cell(b, t);
			cell(b, NULL, dlg_map_get_str(t, "title"));
			cell(b, NULL, s_or(t, "assignee", "-"));
			cell(b, NULL, dlg_map_get_str(cp, "what"));
			dlg_buf_puts(b, "<td class=\"late\">");
			esc(b, dlg_map_get_str(cp, "due"));
			dlg_buf_puts(b, "</td></tr>");
			n++;
		}
	}
	if (!n)
		dlg_buf_puts(b, "<tr><td colspan=\"5\" class=\"empty\">nothing "
				"is late</td></tr>");
	dlg_buf_printf(b, "</table></div>"
		       "<p data-figure=\"late-count\" hidden>%zu</p>"
		       "</section>", n);
}

static void sla(dlg_buf *b, const dlg_node *s)
{
	const dlg_node *rows = dlg_map_get(s, "targets");
	const dlg_node *br = dlg_map_get(s, "breaches");
	size_t i;

	dlg_buf_puts(b, "<section><h2>Service levels</h2><div class=\"scroll\">"
			"<table><tr><th>org</th>"
			"<th>priority</th><th>respond</th><th>resolve</th>"
			"<th>tasks</th><th>breaches</th></tr>");
	for (i = 0; i < rows->count; i++) {
		const dlg_node *r = rows->items[i];
		dlg_buf fig = DLG_BUF_INIT, v = DLG_BUF_INIT;

		dlg_buf_puts(b, "<tr><td class=\"nw\">");
		esc(b, dlg_map_get_str(r, "org"));
		dlg_buf_puts(b, "</td>");
		cell(b, NULL, dlg_map_get_str(r, "priority"));
		dlg_buf_printf(&v, "%s/%s met (target %s)",
			       s_or(r, "respond_met", "0"),
			       s_or(r, "respond_measured", "0"),
			       s_or(r, "respond_target", "-"));
		cell(b, NULL, v.ptr);
		dlg_buf_clear(&v);
		dlg_buf_printf(&v, "%s/%s met (target %s)",
			       s_or(r, "resolve_met", "0"),
			       s_or(r, "resolve_measured", "0"),
			       s_or(r, "resolve_target", "-"));
		cell(b, NULL, v.ptr);
		cell(b, NULL, dlg_map_get_str(r, "tasks"));
		dlg_buf_printf(&fig, "sla-%s-%s-breaches",
			       dlg_map_get_str(r, "org"),
			       dlg_map_get_str(r, "priority"));
		cell(b, fig.ptr, dlg_map_get_str(r, "breaches"));
		dlg_buf_puts(b, "</tr>");
		dlg_buf_dispose(&fig);
		dlg_buf_dispose(&v);
	}
	if (!rows->count)
		dlg_buf_puts(b, "<tr><td colspan=\"6\" class=\"empty\">no "
				"service levels in .delegit/config.yaml</td></tr>");
	dlg_buf_puts(b, "</table></div>");
	if (br->count) {
		dlg_buf_puts(b, "<h2 style=\"margin-top:14px\">Breaches</h2>"
				"<div class=\"scroll\"><table><tr><th>id</th>"
				"<th>task</th><th>who</th><th>what</th>"
				"<th>target</th><th>took</th></tr>");
		for (i = 0; i < br->count; i++) {
			const dlg_node *x = br->items[i];
			dlg_buf v = DLG_BUF_INIT;

			dlg_buf_puts(b, "<tr>");
			id_cell(b, x);
			cell(b, NULL, dlg_map_get_str(x, "title"));
			cell(b, NULL, s_or(x, "assignee", "-"));
			cell(b, NULL, dlg_map_get_str(x, "kind"));
			cell(b, NULL, dlg_map_get_str(x, "target"));
			dlg_buf_printf(&v, "%s\xc2\xa0h%s",
				       dlg_map_get_str(x, "actual_hours"),
				       !strcmp(s_or(x, "ongoing", "false"), "true")
					       ? " and counting" : "");
			/* red, but it may wrap: it is not a date */
			dlg_buf_puts(b, "<td class=\"bad\">");
			esc(b, v.ptr);
			dlg_buf_puts(b, "</td></tr>");
			dlg_buf_dispose(&v);
		}
		dlg_buf_puts(b, "</table></div>");
	}
	dlg_buf_puts(b, "</section>");
}

/* The reviewers' side of delivery: how long work waited for them. */
static void reviews(dlg_buf *b, const dlg_node *rows)
{
	size_t i;

	if (!rows || !rows->count)
		return;
	dlg_buf_puts(b, "<h2 style=\"margin-top:14px\">Reviews</h2>"
			"<div class=\"scroll\"><table><tr><th>reviewer</th>"
			"<th>reviewed</th><th>accepted</th><th>rejected</th>"
			"<th>median wait</th><th>waiting</th><th>oldest</th>"
			"</tr>");
	for (i = 0; i < rows->count; i++) {
		const dlg_node *r = rows->items[i];
		const char *h = dlg_map_get_str(r, "handle");
		dlg_buf fig = DLG_BUF_INIT;

		dlg_buf_puts(b, "<tr>");
		cell(b, NULL, h);
		dlg_buf_printf(&fig, "review-%s-reviewed", h);
		cell(b, fig.ptr, dlg_map_get_str(r, "reviewed"));
		cell(b, NULL, dlg_map_get_str(r, "accepted"));
		cell(b, NULL, dlg_map_get_str(r, "rejected"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "review-%s-median-wait", h);
		fig_cell(b, fig.ptr, r, "median_latency_hours", "\xc2\xa0h");
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "review-%s-waiting", h);
		cell(b, fig.ptr, dlg_map_get_str(r, "waiting"));
		fig_cell(b, NULL, r, "oldest_waiting_hours", "\xc2\xa0h");
		dlg_buf_puts(b, "</tr>");
		dlg_buf_dispose(&fig);
	}
	dlg_buf_puts(b, "</table></div>");
}

static void delivery(dlg_buf *b, const dlg_node *d)
{
	const dlg_node *people = dlg_map_get(d, "people");
	size_t i;

	dlg_buf_puts(b, "<section><h2>Delivery</h2><div class=\"scroll\">"
			"<table><tr><th>who</th>"
			"<th>done</th><th>on time</th><th>median cycle</th>"
			"<th>reopened</th><th>mean rating</th><th>praise</th>"
			"<th>stretch done</th><th>spent of estimate</th>"
			"</tr>");
	for (i = 0; i < people->count; i++) {
		const dlg_node *p = people->items[i];
		const char *h = dlg_map_get_str(p, "handle");
		dlg_buf fig = DLG_BUF_INIT, v = DLG_BUF_INIT;

		dlg_buf_puts(b, "<tr>");
		cell(b, NULL, h);
		dlg_buf_printf(&fig, "delivery-%s-done", h);
		cell(b, fig.ptr, dlg_map_get_str(p, "done"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "delivery-%s-on-time", h);
		if (dlg_map_get_str(p, "on_time_percent"))
			dlg_buf_printf(&v, "%s%%", dlg_map_get_str(p, "on_time_percent"));
		else
			dlg_buf_puts(&v, "-");
		cell(b, fig.ptr, v.ptr);
		dlg_buf_clear(&v);
		if (dlg_map_get_str(p, "median_cycle_days"))
			dlg_buf_printf(&v, "%s d", dlg_map_get_str(p, "median_cycle_days"));
		else
			dlg_buf_puts(&v, "-");
		cell(b, NULL, v.ptr);
		cell(b, NULL, dlg_map_get_str(p, "reopened"));
		cell(b, NULL, s_or(p, "mean_rating", "-"));
		/* recognition next to the outcome; growth as an outcome */
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "delivery-%s-praise", h);
		cell(b, fig.ptr, dlg_map_get_str(p, "praise"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "delivery-%s-stretch", h);
		cell(b, fig.ptr, dlg_map_get_str(p, "stretch_done"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "delivery-%s-spent-of-estimate", h);
		fig_cell(b, fig.ptr, p, "spent_of_estimate_percent", "%");
		dlg_buf_puts(b, "</tr>");
		dlg_buf_dispose(&fig);
		dlg_buf_dispose(&v);
	}
	dlg_buf_puts(b, "</table></div>");
	reviews(b, dlg_map_get(d, "reviewers"));
	dlg_buf_puts(b, "</section>");
}

static void matrix(dlg_buf *b, const dlg_node *m)
{
	static const char *const q[][2] = {
		{ "do", "Urgent and important: do" },
		{ "schedule", "Important, not urgent: schedule" },
		{ "delegate", "Urgent, not important: delegate" },
		{ "eliminate", "Neither: drop or defer" },
	};
	size_t i, j;

	dlg_buf_puts(b, "<section><h2>Eisenhower matrix of open work</h2>"
			"<div class=\"matrix\">");
	for (i = 0; i < 4; i++) {
		const dlg_node *list = dlg_map_get(m, q[i][0]);

		dlg_buf_printf(b, "<div class=\"quad q-%s\"><h3>%s "
			       "(<span data-figure=\"matrix-%s\">%zu</span>)</h3>",
			       q[i][0], q[i][1], q[i][0], list->count);
		for (j = 0; j < list->count; j++) {
			dlg_buf_puts(b, "<div>");
			task_id(b, list->items[j]);
			dlg_buf_puts(b, " ");
			esc(b, dlg_map_get_str(list->items[j], "title"));
			dlg_buf_puts(b, "</div>");
		}
		dlg_buf_puts(b, "</div>");
	}
	dlg_buf_puts(b, "</div></section>");
}

static void accountability(dlg_buf *b, const dlg_node *acc)
{
	const dlg_node *people = dlg_map_get(acc, "people");
	size_t i, j;

	dlg_buf_puts(b, "<section><h2>Accountability: who changed what</h2>"
			"<div class=\"scroll\"><table><tr><th>who</th>"
			"<th>commits</th><th>tasks</th><th>changes</th>"
			"<th>fields</th></tr>");
	for (i = 0; i < people->count; i++) {
		const dlg_node *p = people->items[i];
		const dlg_node *f = dlg_map_get(p, "fields");
		const char *h = dlg_map_get_str(p, "handle");
		dlg_buf fig = DLG_BUF_INIT, v = DLG_BUF_INIT;

		dlg_buf_puts(b, "<tr>");
		cell(b, NULL, h);
		dlg_buf_printf(&fig, "accountability-%s-commits", h);
		cell(b, fig.ptr, dlg_map_get_str(p, "commits"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "accountability-%s-tasks", h);
		cell(b, fig.ptr, dlg_map_get_str(p, "tasks"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "accountability-%s-changes", h);
		cell(b, fig.ptr, dlg_map_get_str(p, "changes"));
		dlg_buf_clear(&fig);
		for (j = 0; f && j < f->count; j++)
			dlg_buf_printf(&v, "%s%s %s", j ? ", " : "", f->keys[j],
				       f->items[j]->value);
		dlg_buf_printf(&fig, "accountability-%s-fields", h);
		cell(b, fig.ptr, v.ptr);
		dlg_buf_puts(b, "</tr>");
		dlg_buf_dispose(&fig);
		dlg_buf_dispose(&v);
	}
	if (!people->count)
		dlg_buf_puts(b, "<tr><td colspan=\"5\" class=\"empty\">no "
				"changes in the period</td></tr>");
	dlg_buf_puts(b, "</table></div></section>");
}

/* The plates of those who delegate (directors and managers): where their
 * time went, and what they could hand on (docs/reports.md, plate). */
static void plates(dlg_buf *b, const dlg_report_input *in)
{
	size_t i, j, shown = 0;

	dlg_buf_puts(b, "<section><h2>The director's plate: time and what to "
			"delegate</h2><div class=\"scroll\"><table><tr>"
			"<th>who</th><th>hours</th><th>core</th>"
			"<th>non-core</th><th>non-core %</th>"
			"<th>delegate</th></tr>");
	for (i = 0; i < in->team->count; i++) {
		const dlg_node *person = in->team->people[i];
		const char *h = dlg_map_get_str(person, "handle");
		const char *role = dlg_map_get_str(person, "role");
		const dlg_node *hours, *open;
		dlg_node *plate = NULL;
		dlg_buf fig = DLG_BUF_INIT;

		if (!role || (strcmp(role, "director") && strcmp(role, "manager")))
			continue;
		dlg_plate(&plate, h, in);
		hours = dlg_map_get(plate, "hours");
		open = dlg_map_get(plate, "open");
		dlg_buf_puts(b, "<tr>");
		cell(b, NULL, h);
		dlg_buf_printf(&fig, "plate-%s-hours", h);
		cell(b, fig.ptr, dlg_map_get_str(hours, "total"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "plate-%s-core", h);
		cell(b, fig.ptr, dlg_map_get_str(hours, "core"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "plate-%s-non-core", h);
		cell(b, fig.ptr, dlg_map_get_str(hours, "non_core"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "plate-%s-non-core-percent", h);
		fig_cell(b, fig.ptr, hours, "non_core_percent", "%");
		dlg_buf_puts(b, "<td>");
		for (j = 0; open && j < open->count; j++) {
			const dlg_node *t = open->items[j];
			const dlg_node *to = dlg_map_get(t, "delegate_to");

			if (!to || to->kind != DLG_NODE_MAP)
				continue;
			task_id(b, t);
			dlg_buf_puts(b, " ");
			esc(b, dlg_map_get_str(t, "title"));
			dlg_buf_puts(b, " → <span data-figure=\"plate-");
			esc(b, h);
			dlg_buf_puts(b, "-to\">");
			esc(b, dlg_map_get_str(to, "handle"));
			dlg_buf_puts(b, "</span><br>");
		}
		dlg_buf_puts(b, "</td></tr>");
		dlg_buf_dispose(&fig);
		dlg_node_free(plate);
		shown++;
	}
	if (!shown)
		dlg_buf_puts(b, "<tr><td colspan=\"6\" class=\"empty\">nobody "
				"who delegates</td></tr>");
	dlg_buf_puts(b, "</table></div></section>");
}

/* One bar chart of a figure by week: bars scaled to max (100 for a rate),
 * the value over each bar, the week under it. */
static void week_bars(dlg_buf *b, const dlg_node *weeks, const char *title,
		      const char *key, int percent, const char *colour)
{
	const int bw = 38, h = 100, top = 18, bottom = 20;
	double max = percent ? 100 : 1;
	size_t i;

	for (i = 0; !percent && i < weeks->count; i++) {
		const char *v = dlg_map_get_str(weeks->items[i], key);

		if (v && atof(v) > max)
			max = atof(v);
	}
	/* drawn at its own size, text at 11 px on any screen: more weeks than
	 * fit scroll sideways in their wrapper */
	dlg_buf_printf(b, "<div><h3>%s</h3><div class=\"scroll\">"
		       "<svg role=\"img\" aria-label=\"%s\" viewBox=\"0 0 %zu %d\" "
		       "width=\"%zu\" height=\"%d\">",
		       title, title, weeks->count * (size_t)bw, top + h + bottom,
		       weeks->count * (size_t)bw, top + h + bottom);
	dlg_buf_printf(b, "<line x1=\"0\" x2=\"%zu\" y1=\"%d\" y2=\"%d\" "
		       "stroke=\"#c9d0d9\"/>", weeks->count * (size_t)bw,
		       top + h, top + h);
	for (i = 0; i < weeks->count; i++) {
		const dlg_node *w = weeks->items[i];
		const char *v = dlg_map_get_str(w, key);
		const char *label = dlg_map_get_str(w, "week");
		int x = (int)i * bw, bh = v ? (int)(atof(v) / max * h) : 0;

		if (v && bh < 1)
			bh = 1;
		if (v)
			dlg_buf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
				       "height=\"%d\" rx=\"2\" fill=\"%s\"/>",
				       x + 5, top + h - bh, bw - 10, bh, colour);
		dlg_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
			       "text-anchor=\"middle\" fill=\"#1d2733\">%s%s</text>",
			       x + bw / 2, top + h - bh - 4, v ? v : "–",
			       v && percent ? "%" : "");
		/* "2026-W45" -> "W45" */
		dlg_buf_printf(b, "<text x=\"%d\" y=\"%d\" font-size=\"11\" "
			       "text-anchor=\"middle\" fill=\"#5b6675\">%s</text>",
			       x + bw / 2, top + h + 14,
			       label && strchr(label, 'W') ? strchr(label, 'W')
							   : "");
	}
	dlg_buf_puts(b, "</svg></div></div>");
}

static void trend(dlg_buf *b, const dlg_node *tr)
{
	const dlg_node *weeks = dlg_map_get(tr, "weeks");
	size_t i;

	dlg_buf_puts(b, "<section class=\"wide\"><h2>Trend by week</h2>"
			"<div class=\"charts\">");
	week_bars(b, weeks, "On time, of the work done that week",
		  "on_time_percent", 1, "#2b9348");
	week_bars(b, weeks, "Open tasks at the end of the week", "open", 0,
		  "#457b9d");
	dlg_buf_puts(b, "</div><div class=\"scroll\"><table><tr><th>week</th>"
			"<th>from</th><th>done</th><th>on time</th>"
			"<th>open</th></tr>");
	for (i = 0; i < weeks->count; i++) {
		const dlg_node *w = weeks->items[i];
		const char *wk = dlg_map_get_str(w, "week");
		dlg_buf fig = DLG_BUF_INIT, v = DLG_BUF_INIT;

		dlg_buf_puts(b, "<tr><td class=\"date\">");
		esc(b, wk);
		dlg_buf_puts(b, "</td><td class=\"date\">");
		esc(b, dlg_map_get_str(w, "start"));
		dlg_buf_puts(b, "</td>");
		dlg_buf_printf(&fig, "trend-%s-done", wk);
		cell(b, fig.ptr, dlg_map_get_str(w, "done"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "trend-%s-on-time", wk);
		if (dlg_map_get_str(w, "on_time_percent"))
			dlg_buf_printf(&v, "%s%% (%s of %s)",
				       dlg_map_get_str(w, "on_time_percent"),
				       dlg_map_get_str(w, "on_time"),
				       dlg_map_get_str(w, "with_due"));
		else
			dlg_buf_puts(&v, "-");
		cell(b, fig.ptr, v.ptr);
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "trend-%s-open", wk);
		cell(b, fig.ptr, dlg_map_get_str(w, "open"));
		dlg_buf_puts(b, "</tr>");
		dlg_buf_dispose(&fig);
		dlg_buf_dispose(&v);
	}
	dlg_buf_puts(b, "</table></div><p class=\"note\">Weeks are ISO weeks "
			"(Monday to Sunday, local time). On time is judged as in "
			"Delivery, with the week as the period; a week with "
			"nothing done that was due shows a dash.</p></section>");
}

static void orgs(dlg_buf *b, const dlg_node *o)
{
	const dlg_node *rows = dlg_map_get(o, "orgs");
	size_t i;

	dlg_buf_puts(b, "<section class=\"wide\"><h2>By org</h2>"
			"<div class=\"scroll\"><table><tr><th>org</th>"
			"<th>people</th><th>open tasks</th><th>load</th>"
			"<th>done</th><th>on time</th></tr>");
	for (i = 0; i < rows->count; i++) {
		const dlg_node *r = rows->items[i];
		const char *org = dlg_map_get_str(r, "org");
		dlg_buf fig = DLG_BUF_INIT, v = DLG_BUF_INIT;

		dlg_buf_puts(b, "<tr><td><b class=\"nw\">");
		esc(b, org);
		dlg_buf_puts(b, "</b>");
		if (dlg_map_get_str(r, "title")) {
			dlg_buf_puts(b, "<br><small>");
			esc(b, dlg_map_get_str(r, "title"));
			dlg_buf_puts(b, "</small>");
		}
		dlg_buf_puts(b, "</td>");
		cell(b, NULL, dlg_map_get_str(r, "people"));
		dlg_buf_printf(&fig, "org-%s-open", org);
		cell(b, fig.ptr, dlg_map_get_str(r, "open_tasks"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "org-%s-load", org);
		dlg_buf_printf(&v, "%s\xc2\xa0h / %s\xc2\xa0h (%s%s)",
			       dlg_map_get_str(r, "estimated_hours"),
			       dlg_map_get_str(r, "capacity_hours"),
			       s_or(r, "load_percent", "-"),
			       dlg_map_get_str(r, "load_percent") ? "%" : "");
		cell(b, fig.ptr, v.ptr);
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "org-%s-done", org);
		cell(b, fig.ptr, dlg_map_get_str(r, "done"));
		dlg_buf_clear(&fig);
		dlg_buf_printf(&fig, "org-%s-on-time", org);
		fig_cell(b, fig.ptr, r, "on_time_percent", "%");
		dlg_buf_puts(b, "</tr>");
		dlg_buf_dispose(&fig);
		dlg_buf_dispose(&v);
	}
	if (!rows->count)
		dlg_buf_puts(b, "<tr><td colspan=\"6\" class=\"empty\">nobody "
				"in team/</td></tr>");
	dlg_buf_puts(b, "</table></div></section>");
}

int dlg_report_html(dlg_buf *out, const dlg_report_input *in)
{
	dlg_node *w = NULL, *d = NULL, *s = NULL, *m = NULL, *a = NULL,
		 *tr = NULL, *o = NULL;
	char now[32];

	dlg_report_workload(&w, in);
	dlg_report_delivery(&d, in);
	dlg_report_sla(&s, in);
	dlg_report_matrix(&m, in);
	dlg_report_accountability(&a, in);
	dlg_report_trend(&tr, in);
	dlg_report_orgs(&o, in);
	dlg_time_format_local(now, in->now);
	dlg_buf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		       "<meta charset=\"utf-8\"><title>delegit report</title>"
		       "<meta name=\"viewport\" content=\"width=device-width\">"
		       "<style>%s</style></head><body><header><h1>Delegation "
		       "report</h1><p class=\"period\">", css);
	if (in->org) {
		dlg_buf_puts(out, "org <span data-figure=\"org\">");
		esc(out, in->org);
		dlg_buf_puts(out, "</span> · ");
	}
	dlg_buf_puts(out, "period <span data-figure=\"period\" "
			  "class=\"date\">");
	period(out, in);
	dlg_buf_printf(out, "</span></p><p>%zu task%s, %zu %s · generated "
		       "<span class=\"date\">%s</span> · the board, workload, "
		       "late work and matrix are as of now; delivery, service "
		       "levels, accountability, the trend and done work by "
		       "org are over the period</p></header><main>",
		       in->ntasks, in->ntasks == 1 ? "" : "s", in->team->count,
		       in->team->count == 1 ? "person" : "people", now);
	board(out, in);
	orgs(out, o);
	workload(out, w);
	late_work(out, in);
	trend(out, tr);
	delivery(out, d);
	sla(out, s);
	accountability(out, a);
	plates(out, in);
	matrix(out, m);
	dlg_buf_puts(out, "</main></body></html>\n");
	dlg_node_free(w);
	dlg_node_free(d);
	dlg_node_free(s);
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(tr);
	dlg_node_free(o);
	return 0;
}
