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

static const char css[] =
	"body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;"
	"margin:0;background:#f4f6f8;color:#1d2733}"
	"header{background:#1d3557;color:#fff;padding:18px 28px}"
	"header h1{margin:0;font-size:22px}header p{margin:4px 0 0;opacity:.8}"
	"main{padding:18px 28px;display:grid;gap:18px;"
	"grid-template-columns:repeat(auto-fit,minmax(460px,1fr))}"
	"section{background:#fff;border-radius:10px;padding:16px 20px;"
	"box-shadow:0 1px 3px rgba(0,0,0,.08)}"
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
	".s-done{border-color:#80b918}.late{color:#c1121f;font-weight:600}"
	".ok{color:#2b9348;font-weight:600}.empty{color:#8a94a3}"
	".matrix{display:grid;grid-template-columns:1fr 1fr;gap:10px}"
	".quad{border-radius:8px;padding:8px 10px;min-height:60px}"
	".q-do{background:#fde2e4}.q-schedule{background:#e2ecf9}"
	".q-delegate{background:#fff1d6}.q-eliminate{background:#eef0f2}"
	".quad h3{margin:0 0 4px;font-size:13px}";

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
			esc(b, dlg_map_get_str(t, "title"));
			dlg_buf_puts(b, "<small>");
			esc(b, s_or(t, "assignee", "unassigned"));
			dlg_buf_puts(b, " · ");
			esc(b, s_or(t, "priority", ""));
			if (dlg_map_get_str(t, "due")) {
				dlg_buf_printf(b, " · <span class=\"%s\">due ",
					       dlg_task_is_overdue(t, in->now)
						       ? "late" : "");
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
	int row = 28, width = 420, label = 120;

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
		       "viewBox=\"0 0 %d %zu\" width=\"100%%\">",
		       label + width + 110, people->count * (size_t)row + 10);
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
	char today[11];
	size_t i, j, n = 0;

	dlg_date_format(today, in->now);
	dlg_buf_puts(b, "<section><h2>Late work and checkpoints</h2><table>"
			"<tr><th>task</th><th>who</th><th>what</th>"
			"<th>due</th></tr>");
	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];
		const dlg_node *cps = dlg_map_get(t, "checkpoints");

		if (!dlg_task_is_open(t))
			continue;
		if (dlg_task_is_overdue(t, in->now)) {
			dlg_buf_puts(b, "<tr>");
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
		dlg_buf_puts(b, "<tr><td colspan=\"4\" class=\"empty\">nothing "
				"is late</td></tr>");
	dlg_buf_printf(b, "</table><p data-figure=\"late-count\" hidden>%zu</p>"
		       "</section>", n);
}

static void sla(dlg_buf *b, const dlg_node *s)
{
	const dlg_node *rows = dlg_map_get(s, "targets");
	const dlg_node *br = dlg_map_get(s, "breaches");
	size_t i;

	dlg_buf_puts(b, "<section><h2>Service levels</h2><table><tr><th>org</th>"
			"<th>priority</th><th>respond</th><th>resolve</th>"
			"<th>tasks</th><th>breaches</th></tr>");
	for (i = 0; i < rows->count; i++) {
		const dlg_node *r = rows->items[i];
		dlg_buf fig = DLG_BUF_INIT, v = DLG_BUF_INIT;

		dlg_buf_puts(b, "<tr>");
		cell(b, NULL, dlg_map_get_str(r, "org"));
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
	dlg_buf_puts(b, "</table>");
	if (br->count) {
		dlg_buf_puts(b, "<h2 style=\"margin-top:14px\">Breaches</h2>"
				"<table><tr><th>task</th><th>who</th><th>what</th>"
				"<th>target</th><th>took</th></tr>");
		for (i = 0; i < br->count; i++) {
			const dlg_node *x = br->items[i];
			dlg_buf v = DLG_BUF_INIT;

			dlg_buf_puts(b, "<tr>");
			cell(b, NULL, dlg_map_get_str(x, "title"));
			cell(b, NULL, s_or(x, "assignee", "-"));
			cell(b, NULL, dlg_map_get_str(x, "kind"));
			cell(b, NULL, dlg_map_get_str(x, "target"));
			dlg_buf_printf(&v, "%s h%s", dlg_map_get_str(x, "actual_hours"),
				       !strcmp(s_or(x, "ongoing", "false"), "true")
					       ? " and counting" : "");
			dlg_buf_puts(b, "<td class=\"late\">");
			esc(b, v.ptr);
			dlg_buf_puts(b, "</td></tr>");
			dlg_buf_dispose(&v);
		}
		dlg_buf_puts(b, "</table>");
	}
	dlg_buf_puts(b, "</section>");
}

static void delivery(dlg_buf *b, const dlg_node *d)
{
	const dlg_node *people = dlg_map_get(d, "people");
	size_t i;

	dlg_buf_puts(b, "<section><h2>Delivery</h2><table><tr><th>who</th>"
			"<th>done</th><th>on time</th><th>median cycle</th>"
			"<th>reopened</th><th>mean rating</th></tr>");
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
		dlg_buf_puts(b, "</tr>");
		dlg_buf_dispose(&fig);
		dlg_buf_dispose(&v);
	}
	dlg_buf_puts(b, "</table></section>");
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
			esc(b, dlg_map_get_str(list->items[j], "title"));
			dlg_buf_puts(b, "</div>");
		}
		dlg_buf_puts(b, "</div>");
	}
	dlg_buf_puts(b, "</div></section>");
}

int dlg_report_html(dlg_buf *out, const dlg_report_input *in)
{
	dlg_node *w = NULL, *d = NULL, *s = NULL, *m = NULL;
	char now[21];

	dlg_report_workload(&w, in);
	dlg_report_delivery(&d, in);
	dlg_report_sla(&s, in);
	dlg_report_matrix(&m, in);
	dlg_time_format(now, in->now);
	dlg_buf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		       "<meta charset=\"utf-8\"><title>delegit report</title>"
		       "<meta name=\"viewport\" content=\"width=device-width\">"
		       "<style>%s</style></head><body><header><h1>Delegation "
		       "report</h1><p>%zu tasks, %zu people · generated %s</p>"
		       "</header><main>", css, in->ntasks, in->team->count, now);
	board(out, in);
	workload(out, w);
	late_work(out, in);
	sla(out, s);
	delivery(out, d);
	matrix(out, m);
	dlg_buf_puts(out, "</main></body></html>\n");
	dlg_node_free(w);
	dlg_node_free(d);
	dlg_node_free(s);
	dlg_node_free(m);
	return 0;
}
