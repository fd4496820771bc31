/* delegit report (workload | delivery | sla | matrix | accountability |
 * trend | orgs) */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_SINCE, 0, OPT_VALUE, "DATE",
	  "from DATE on (YYYY-MM-DD, today, monday, +2w...; local time)" },
	{ CLI_O_UNTIL, 0, OPT_VALUE, "DATE", "before DATE (as --since)" },
	{ CLI_O_ORG, 0, OPT_VALUE, "ORG",
	  "only the people of ORG and the tasks assigned to them" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the report's data as JSON" },
	{ CLI_O_HTML, 0, OPT_VALUE, "FILE",
	  "write one self-contained HTML page with every report" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit report (workload | delivery | sla | matrix | accountability | "
	"trend | orgs) [--since D] [--until D] [--org ORG] [--json] | "
	"delegit report --html FILE [--since D] [--until D] [--org ORG]",
	"Reports for the director: who is overloaded, who delivers, service "
	"levels,\nwhat to do first, who changed what.",
	"  workload        per person: open tasks, estimated hours, capacity\n"
	"  delivery        per assignee: done, on time (judged when the work\n"
	"                  was handed in), median cycle, reopened (rejections\n"
	"                  too), mean rating, praise, stretch tasks done (tasks\n"
	"                  closed in the period), time spent against estimates; per\n"
	"                  reviewer: decisions, median wait, reviews waiting\n"
	"  sla             per org and priority: response and resolution against\n"
	"                  .delegit/config.yaml's targets, every breach listed\n"
	"  matrix          the Eisenhower matrix of open work\n"
	"  accountability  per person: commits, tasks and fields changed\n"
	"  trend           by week: done, on time, open work at the week's end\n"
	"  orgs            per org: people, open work against capacity, done,\n"
	"                  on time\n"
	"docs/reports.md says how each figure is computed.",
	opts, 0, 1, "REPORT"
};

int cli_report_load(cli_report_data *d, cli_ctx *c, time_t since,
		    time_t until, unsigned flags)
{
	dlg_query q = DLG_QUERY_INIT;
	int error;

	memset(d, 0, sizeof(*d));
	q.all = !(flags & CLI_REPORT_OPEN_ONLY);
	q.rows_only = !!(flags & (CLI_REPORT_OPEN_ONLY | CLI_REPORT_ROWS));
	q.frozen = 1; /* reports only read them */
	q.sort = "id";
	if ((error = dlg_query_run(&d->tasks, &d->ntasks, c->store, &q,
				   &c->team, c->now, &d->diags)) < 0 ||
	    (error = dlg_store_load(&d->config, c->store,
				    ".delegit/config.yaml", &dlg_schema_config,
				    &d->diags)) < 0 ||
	    ((flags & CLI_REPORT_HISTORY) &&
	     (error = cli_history(&d->events, c, "tasks/", 0,
				  (flags & CLI_REPORT_STATUS) ==
						  CLI_REPORT_STATUS
					  ? "status"
					  : NULL)) < 0))
		return error;
	d->in.tasks = (const dlg_node *const *)d->tasks;
	d->in.ntasks = d->ntasks;
	d->in.team = &c->team;
	d->in.config = d->config;
	d->in.events = &d->events;
	/* sorted once for every figure that looks up a task's history;
	 * accountability (the one report of rows and history) only counts
	 * the events, and a report that did look some up without it would
	 * sort them itself, each time */
	if ((flags & CLI_REPORT_HISTORY) && !(flags & CLI_REPORT_ROWS)) {
		d->by_task = dlg_report_index(&d->events);
		d->in.by_task = d->by_task;
	}
	d->in.now = c->now;
	d->in.since = since;
	d->in.until = until;
	return 0;
}

void cli_report_dispose(cli_report_data *d)
{
	dlg_nodes_free(d->tasks, d->ntasks);
	dlg_node_free(d->config);
	dlg_events_dispose(&d->events);
	free(d->by_task);
	dlg_diags_dispose(&d->diags);
}

static const char *v(const dlg_node *m, const char *k)
{
	const char *s = dlg_map_get_str(m, k);

	return s ? s : "-";
}

static void print_workload(cli_ctx *c, const dlg_node *r)
{
	const dlg_node *p = dlg_map_get(r, "people");
	size_t i;

	cli_printf("%s%-12s %-10s %6s %8s %8s %6s%s\n", cli_color(c, C_BOLD),
		   "WHO", "ORG", "OPEN", "HOURS", "CAPACITY", "LOAD",
		   cli_color(c, C_RESET));
	for (i = 0; i < p->count; i++) {
		const dlg_node *x = p->items[i];
		int over = !strcmp(v(x, "overloaded"), "true");

		cli_printf("%-12s %-10s %6s %8s %8s %s%5s%%%s%s\n", v(x, "handle"),
			   v(x, "org"), v(x, "open_tasks"), v(x, "estimated_hours"),
			   v(x, "capacity_hours"), over ? cli_color(c, C_RED) : "",
			   v(x, "load_percent"), over ? cli_color(c, C_RESET) : "",
			   over ? "  overloaded" : "");
	}
}

static void print_delivery(cli_ctx *c, const dlg_node *r)
{
	const dlg_node *p = dlg_map_get(r, "people");
	size_t i;

	cli_printf("%s%-12s %5s %8s %13s %9s %7s %7s %8s%s\n",
		   cli_color(c, C_BOLD), "WHO", "DONE", "ON TIME",
		   "MEDIAN CYCLE", "REOPENED", "RATING", "PRAISE", "STRETCH",
		   cli_color(c, C_RESET));
	for (i = 0; i < p->count; i++) {
		const dlg_node *x = p->items[i];
		char ot[16], cy[16];

		snprintf(ot, sizeof(ot), "%s%s", v(x, "on_time_percent"),
			 dlg_map_get_str(x, "on_time_percent") ? "%" : "");
		snprintf(cy, sizeof(cy), "%s%s", v(x, "median_cycle_days"),
			 dlg_map_get_str(x, "median_cycle_days") ? " d" : "");
		cli_printf("%-12s %5s %8s %13s %9s %7s %7s %8s\n", v(x, "handle"),
			   v(x, "done"), ot, cy, v(x, "reopened"),
			   v(x, "mean_rating"), v(x, "praise"),
			   v(x, "stretch_done"));
	}
	p = dlg_map_get(r, "reviewers");
	if (!p || !p->count)
		return;
	cli_printf("\n%s%-12s %8s %8s %8s %13s %7s %10s%s\n",
		   cli_color(c, C_BOLD), "REVIEWER", "REVIEWED", "ACCEPTED",
		   "REJECTED", "MEDIAN WAIT", "WAITING", "OLDEST",
		   cli_color(c, C_RESET));
	for (i = 0; i < p->count; i++) {
		const dlg_node *x = p->items[i];
		char med[24], old[24];

		snprintf(med, sizeof(med), "%s%s", v(x, "median_latency_hours"),
			 dlg_map_get_str(x, "median_latency_hours") ? " h" : "");
		snprintf(old, sizeof(old), "%s%s", v(x, "oldest_waiting_hours"),
			 dlg_map_get_str(x, "oldest_waiting_hours") ? " h" : "");
		cli_printf("%-12s %8s %8s %8s %13s %7s %10s\n", v(x, "handle"),
			   v(x, "reviewed"), v(x, "accepted"), v(x, "rejected"),
			   med, v(x, "waiting"), old);
	}
}

/*
 * The durations of the sla report in one unit (issue 14: "167.7 h against
 * 2d" made the reader convert): days when every target is a whole number
 * of days, else hours. Returns the unit in hours.
 */
static double sla_unit(const dlg_node *r)
{
	static const char *const keys[] = { "respond_target", "resolve_target",
					     "target" };
	const dlg_node *lists[2];
	size_t l, i, k;
	long secs;
	int any = 0;

	lists[0] = dlg_map_get(r, "targets");
	lists[1] = dlg_map_get(r, "breaches");
	for (l = 0; l < 2; l++)
		for (i = 0; lists[l] && i < lists[l]->count; i++)
			for (k = 0; k < 3; k++) {
				const char *v = dlg_map_get_str(
					lists[l]->items[i], keys[k]);

				if (!v || dlg_duration_parse(&secs, v) < 0)
					continue;
				if (secs % 86400)
					return 1;
				any = 1;
			}
	return any ? 24 : 1;
}

/* A duration in the table's unit: "48 h", "2 d", "0.5 h"; actual (a
 * figure, not a target) with one decimal always: "72.0 h". */
static void sla_duration(char *out, size_t n, double hours, double unit,
			 int actual)
{
	double v = hours / unit;

	if (!actual && v == (double)(long)v)
		snprintf(out, n, "%ld %s", (long)v, unit == 24 ? "d" : "h");
	else
		snprintf(out, n, actual ? "%.1f %s" : "%g %s", v,
			 unit == 24 ? "d" : "h");
}

/* A target ("4h", "2d") in the table's unit; "-" when there is none. */
static void sla_target(char *out, size_t n, const char *target, double unit)
{
	long secs;

	if (!target || dlg_duration_parse(&secs, target) < 0)
		snprintf(out, n, "-");
	else
		sla_duration(out, n, (double)secs / 3600.0, unit, 0);
}

static void print_sla(cli_ctx *c, const dlg_node *r)
{
	const dlg_node *t = dlg_map_get(r, "targets");
	const dlg_node *b = dlg_map_get(r, "breaches");
	double unit = sla_unit(r);
	size_t i;

	if (!t->count)
		cli_printf("no service levels: add them to .delegit/config.yaml "
			   "(docs/format.md)\n");
	else
		cli_printf("%s%-12s %-9s %-18s %-18s %5s %8s%s\n",
			   cli_color(c, C_BOLD), "ORG", "PRIORITY", "RESPOND",
			   "RESOLVE", "TASKS", "BREACHES", cli_color(c, C_RESET));
	for (i = 0; i < t->count; i++) {
		const dlg_node *x = t->items[i];
		char re[64], rs[64], ret[24], rst[24];

		sla_target(ret, sizeof(ret), dlg_map_get_str(x, "respond_target"),
			   unit);
		sla_target(rst, sizeof(rst), dlg_map_get_str(x, "resolve_target"),
			   unit);
		snprintf(re, sizeof(re), "%s/%s in %s", v(x, "respond_met"),
			 v(x, "respond_measured"), ret);
		snprintf(rs, sizeof(rs), "%s/%s in %s", v(x, "resolve_met"),
			 v(x, "resolve_measured"), rst);
		cli_printf("%-12s %-9s %-18s %-18s %5s %8s\n", v(x, "org"),
			   v(x, "priority"), re, rs, v(x, "tasks"), v(x, "breaches"));
	}
	if (b->count)
		cli_printf("\n%sbreaches%s\n", cli_color(c, C_RED),
			   cli_color(c, C_RESET));
	for (i = 0; i < b->count; i++) {
		const dlg_node *x = b->items[i];
		char shortid[DLG_TASK_ID_SIZE], actual[32], target[24];
		const char *h = dlg_map_get_str(x, "actual_hours");

		cli_short_id(shortid, c, v(x, "id"));
		if (h)
			sla_duration(actual, sizeof(actual), strtod(h, NULL), unit,
				     1);
		else
			snprintf(actual, sizeof(actual), "-");
		sla_target(target, sizeof(target), dlg_map_get_str(x, "target"),
			   unit);
		cli_printf("  %-8s %-8s %s: %s against %s%s  (%s, %s)\n", shortid,
			   v(x, "org"), v(x, "kind"), actual, target,
			   !strcmp(v(x, "ongoing"), "true") ? ", still open" : "",
			   v(x, "assignee"), v(x, "title"));
	}
}

static void print_matrix(cli_ctx *c, const dlg_node *r)
{
	static const char *const q[][2] = {
		{ "do", "urgent and important: do" },
		{ "schedule", "important, not urgent: schedule" },
		{ "delegate", "urgent, not important: delegate" },
		{ "eliminate", "neither: drop or defer" },
	};
	size_t i, j;

	for (i = 0; i < 4; i++) {
		const dlg_node *list = dlg_map_get(r, q[i][0]);

		cli_printf("%s%s (%zu)%s\n", cli_color(c, C_BOLD), q[i][1],
			   list->count, cli_color(c, C_RESET));
		for (j = 0; j < list->count; j++) {
			char shortid[DLG_TASK_ID_SIZE];

			cli_short_id(shortid, c, v(list->items[j], "id"));
			cli_printf("  %-8s %-9s %-10s %s\n", shortid,
				   v(list->items[j], "priority"),
				   v(list->items[j], "due"),
				   v(list->items[j], "title"));
		}
	}
}

static void print_accountability(cli_ctx *c, const dlg_node *r)
{
	const dlg_node *p = dlg_map_get(r, "people");
	size_t i, j;

	cli_printf("%s%-12s %7s %6s %8s  %s%s\n", cli_color(c, C_BOLD), "WHO",
		   "COMMITS", "TASKS", "CHANGES", "FIELDS", cli_color(c, C_RESET));
	for (i = 0; i < p->count; i++) {
		const dlg_node *x = p->items[i];
		const dlg_node *f = dlg_map_get(x, "fields");

		cli_printf("%-12s %7s %6s %8s  ", v(x, "handle"), v(x, "commits"),
			   v(x, "tasks"), v(x, "changes"));
		for (j = 0; j < f->count; j++)
			cli_printf("%s%s %s", j ? ", " : "", f->keys[j],
				   f->items[j]->value);
		putchar('\n');
	}
}

static void print_trend(cli_ctx *c, const dlg_node *r)
{
	const dlg_node *w = dlg_map_get(r, "weeks");
	size_t i;

	cli_printf("%s%-8s %-10s %5s %8s %5s%s\n", cli_color(c, C_BOLD), "WEEK",
		   "FROM", "DONE", "ON TIME", "OPEN", cli_color(c, C_RESET));
	for (i = 0; i < w->count; i++) {
		const dlg_node *x = w->items[i];
		char ot[16];

		snprintf(ot, sizeof(ot), "%s%s", v(x, "on_time_percent"),
			 dlg_map_get_str(x, "on_time_percent") ? "%" : "");
		cli_printf("%-8s %-10s %5s %8s %5s\n", v(x, "week"), v(x, "start"),
			   v(x, "done"), ot, v(x, "open"));
	}
}

static void print_orgs(cli_ctx *c, const dlg_node *r)
{
	const dlg_node *o = dlg_map_get(r, "orgs");
	size_t i;

	cli_printf("%s%-12s %6s %5s %8s %8s %5s %5s %8s%s\n",
		   cli_color(c, C_BOLD), "ORG", "PEOPLE", "OPEN", "HOURS",
		   "CAPACITY", "LOAD", "DONE", "ON TIME", cli_color(c, C_RESET));
	for (i = 0; i < o->count; i++) {
		const dlg_node *x = o->items[i];
		char ld[16], ot[16];

		snprintf(ld, sizeof(ld), "%s%s", v(x, "load_percent"),
			 dlg_map_get_str(x, "load_percent") ? "%" : "");
		snprintf(ot, sizeof(ot), "%s%s", v(x, "on_time_percent"),
			 dlg_map_get_str(x, "on_time_percent") ? "%" : "");
		cli_printf("%-12s %6s %5s %8s %8s %5s %5s %8s\n", v(x, "org"),
			   v(x, "people"), v(x, "open_tasks"),
			   v(x, "estimated_hours"), v(x, "capacity_hours"), ld,
			   v(x, "done"), ot);
	}
}

/* Long: the table of reports, then one way through for all of them. */
int cmd_report(cli_ctx *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*build)(dlg_node **, const dlg_report_input *);
		void (*print)(cli_ctx *, const dlg_node *);
		unsigned flags; /* what its figures come from */
	} kinds[] = {
		{ "workload", dlg_report_workload, print_workload,
		  CLI_REPORT_OPEN_ONLY },
		{ "delivery", dlg_report_delivery, print_delivery,
		  CLI_REPORT_STATUS },
		{ "sla", dlg_report_sla, print_sla, CLI_REPORT_STATUS },
		{ "matrix", dlg_report_matrix, print_matrix,
		  CLI_REPORT_OPEN_ONLY },
		{ "accountability", dlg_report_accountability,
		  print_accountability, CLI_REPORT_HISTORY | CLI_REPORT_ROWS },
		{ "trend", dlg_report_trend, print_trend, CLI_REPORT_STATUS },
		{ "orgs", dlg_report_orgs, print_orgs, CLI_REPORT_STATUS },
	};
	cli_args a;
	cli_report_data d;
	dlg_report_scope scope;
	const dlg_report_input *in = &d.in;
	const char *org;
	dlg_node *r = NULL;
	dlg_buf out = DLG_BUF_INIT;
	time_t since, until;
	size_t k;
	int error;

	memset(&d, 0, sizeof(d));
	memset(&scope, 0, sizeof(scope));
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if ((error = cli_date_opt(&since, &a, CLI_O_SINCE)) < 0 ||
	    (error = cli_date_opt(&until, &a, CLI_O_UNTIL)) < 0)
		goto done;
	for (k = 0; a.npos && k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (!strcmp(kinds[k].name, a.pos[0]))
			break;
	if (a.npos && k == sizeof(kinds) / sizeof(kinds[0])) {
		const char *names[sizeof(kinds) / sizeof(kinds[0])];
		dlg_buf hint = DLG_BUF_INIT;

		for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			names[k] = kinds[k].name;
		cli_did_you_mean(&hint, a.pos[0], "", names, k);
		dlg_error_set("no report '%s' (expected workload, delivery, "
			      "sla, matrix, accountability, trend or orgs)%s",
			      a.pos[0], hint.ptr);
		dlg_buf_dispose(&hint);
		error = DLG_EUSAGE;
		goto done;
	}
	if (!a.npos && !cli_get(&a, CLI_O_HTML)) {
		dlg_error_set("which report? workload, delivery, sla, matrix, "
			      "accountability, trend or orgs (or --html FILE)");
		error = DLG_EUSAGE;
		goto done;
	}
	/* an unknown org is a usage error, found before the tasks are read */
	d.in.team = &c->team;
	if ((org = cli_get(&a, CLI_O_ORG)) &&
	    dlg_report_scope_org(&scope, &d.in, org) < 0) {
		error = DLG_EUSAGE;
		goto done;
	}
	dlg_report_scope_dispose(&scope);
	if ((error = cli_report_load(&d, c, since, until,
				     cli_get(&a, CLI_O_HTML) ? CLI_REPORT_HISTORY
							 : kinds[k].flags)) < 0) {
		error = cli_fail(error, &d.diags);
		goto done;
	}
	if (org) {
		/* every report, the page too, sees only the org's share */
		if ((error = dlg_report_scope_org(&scope, &d.in, org)) < 0)
			goto done;
		in = &scope.in;
	}
	if (d.diags.count) {
		cli_print_diags(&d.diags);
		cli_eprintf("delegit: warning: %zu problem%s: those files "
			    "are left out of the report\n", d.diags.count,
			    d.diags.count == 1 ? "" : "s");
	}
	if (cli_get(&a, CLI_O_HTML)) {
		dlg_report_html(&out, in);
		if ((error = dlg_path_write(cli_get(&a, CLI_O_HTML), out.ptr,
					    out.size)) < 0)
			goto done;
		cli_eprintf("wrote %s\n", cli_get(&a, CLI_O_HTML));
		if (!a.npos)
			goto done;
	}
	kinds[k].build(&r, in);
	if (cli_flag(&a, CLI_O_JSON))
		cli_print_json(r);
	else
		kinds[k].print(c, r);
done:
	dlg_buf_dispose(&out);
	dlg_node_free(r);
	dlg_report_scope_dispose(&scope);
	cli_report_dispose(&d);
	cli_args_dispose(&a);
	return error;
}
