/*
 * The trend over weeks, the view per org and the narrowing of every report
 * to one org (--org). docs/reports.md says how each figure is computed.
 *
 * The on-time figures here are not judged again: they are delivery's
 * (dlg_report_delivery over an org's people; over each week,
 * dlg__delivered_by_week, which counts with its predicates in one pass),
 * so that the page never shows two different rules for one word.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* More would make bars a pixel wide; the latest weeks are kept. */
#define MAX_WEEKS 104

static const char *str(const dlg_node *m, const char *k)
{
	return dlg_map_get_str(m, k);
}

static int eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static double fig(const dlg_node *m, const char *k)
{
	const char *v = str(m, k);

	return v ? atof(v) : 0;
}


static void set_percent(dlg_node *m, const char *k, double part, double whole)
{
	if (whole > 0)
		dlg__set_num(m, k, round(100.0 * part / whole));
	else
		dlg_map_set_null(m, k);
}

/* A local midnight `days` days after the local midnight t (mktime
 * normalises the day: 23 or 25 hours across a change of clocks). */
static time_t day_add(time_t t, int days)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_mday += days;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* The local midnight that starts t's ISO week (its Monday). */
static time_t monday(time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_mday -= (tm.tm_wday + 6) % 7;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* ------------------------------------------------------------ trend */

typedef struct {
	const char *task;
	time_t at;
	int open; /* the status it moved to is neither done nor cancelled */
} status_move;

static int cmp_move(const void *a, const void *b)
{
	const status_move *x = a, *y = b;
	int c = strcmp(x->task, y->task);

	if (c)
		return c;
	return (x->at > y->at) - (x->at < y->at);
}

static int status_open(const char *s)
{
	return s && !eq(s, "done") && !eq(s, "cancelled");
}

/* Was the task open at `at` (just before it)? From its status moves in
 * history (moves, sorted by time; the events are newest first, so for one
 * commit time the order between them does not matter: a commit moves a
 * task once); without history, from its stamps. */
static int open_at(const dlg_node *t, const status_move *moves, size_t n,
		   time_t at)
{
	time_t created, closed;
	size_t i;
	int open = -1;

	for (i = 0; i < n && moves[i].at < at; i++)
		open = moves[i].open;
	if (n)
		return open == 1;
	if (!str(t, "created") || dlg_time_parse(&created, str(t, "created")) ||
	    created >= at)
		return 0;
	if (!dlg_task_is_open(t))
		return str(t, "closed") &&
		       !dlg_time_parse(&closed, str(t, "closed")) && closed >= at;
	return 1;
}

/* The local Mondays that start the weeks of the period ending at `end`
 * (at most MAX_WEEKS), and the one after them; their number in *nweeks. */
static time_t *week_starts(size_t *nweeks, const dlg_report_input *in,
			   time_t end)
{
	time_t first, last, w, *starts;
	size_t n, k;

	last = monday(end - 1);
	first = in->since ? monday(in->since) : day_add(last, -7 * 7);
	for (n = 0, w = first; w <= last && n <= MAX_WEEKS; w = day_add(w, 7))
		n++;
	if (n > MAX_WEEKS) {
		first = day_add(last, -7 * (MAX_WEEKS - 1));
		n = MAX_WEEKS;
	}
	if (!(starts = calloc(n + 1, sizeof(*starts))))
		abort();
	starts[0] = first;
	for (k = 0; k < n; k++)
		starts[k + 1] = day_add(starts[k], 7);
	*nweeks = n;
	return starts;
}

/* Every status move in the events, by task then time. */
static status_move *status_moves(size_t *nmoves, const dlg_report_input *in)
{
	status_move *moves = NULL;
	size_t i, n = 0;

	if (in->events && in->events->count &&
	    !(moves = calloc(in->events->count, sizeof(*moves))))
		abort();
	for (i = 0; in->events && i < in->events->count; i++) {
		const dlg_event *e = &in->events->items[i];

		if (!eq(e->field, "status") || !e->to)
			continue;
		moves[n].task = e->task;
		moves[n].at = e->at;
		moves[n].open = status_open(e->to);
		n++;
	}
	if (n)
		qsort(moves, n, sizeof(*moves), cmp_move);
	*nmoves = n;
	return moves;
}

/* How many tasks were open at the end of each week (ends[k]). */
static void count_open(size_t *open_count, const dlg_report_input *in,
		       const status_move *moves, size_t nmoves,
		       const time_t *ends, size_t nweeks)
{
	size_t i, k, lo, hi;

	for (i = 0; i < in->ntasks; i++) {
		const char *id = str(in->tasks[i], "id");

		if (!id)
			continue;
		/* the task's moves: the first with its id, then the others */
		for (lo = 0, hi = nmoves; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;

			if (strcmp(moves[mid].task, id) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (hi = lo; hi < nmoves && !strcmp(moves[hi].task, id);
		     hi++)
			;
		for (k = 0; k < nweeks; k++)
			open_count[k] += open_at(in->tasks[i], moves + lo,
						 hi - lo, ends[k]);
	}
}

/* One week's row: its delivery figures summed over people, and the tasks
 * open at its end. */
static dlg_node *week_row(time_t start, size_t done, size_t with_due,
			  size_t on_time, size_t open)
{
	dlg_node *row = dlg_node_new_map();
	char date[DLG_DATE_SIZE], label[16];
	struct tm tm;
	/* its Thursday says which ISO year the week is of */
	time_t thursday = day_add(start, 3);

	localtime_r(&thursday, &tm);
	strftime(label, sizeof(label), "%G-W%V", &tm);
	dlg_date_format(date, start);
	dlg_map_set_str(row, "week", label);
	dlg_map_set_str(row, "start", date);
	dlg__set_num(row, "done", (double)done);
	dlg__set_num(row, "with_due", (double)with_due);
	dlg__set_num(row, "on_time", (double)on_time);
	set_percent(row, "on_time_percent", (double)on_time,
		    (double)with_due);
	dlg__set_num(row, "open", (double)open);
	return row;
}

int dlg_report_trend(dlg_node **out, const dlg_report_input *in)
{
	dlg_node *doc = dlg_node_new_map(), *weeks = dlg_node_new_seq();
	time_t end = in->until ? in->until : in->now;
	time_t *ends, *starts;
	size_t nweeks, k, nmoves, *open_count, *done;
	status_move *moves;

	if (end <= (in->since ? in->since : 0))
		end = (in->since ? in->since : 0) + 1;
	starts = week_starts(&nweeks, in, end);
	moves = status_moves(&nmoves, in);
	/* the end of each week, as far as the period and the clock go */
	ends = calloc(nweeks, sizeof(*ends));
	open_count = calloc(nweeks, sizeof(*open_count));
	if (!ends || !open_count)
		abort();
	for (k = 0; k < nweeks; k++) {
		time_t e = starts[k + 1];

		if (e > end)
			e = end;
		if (e > in->now)
			e = in->now;
		ends[k] = e;
	}
	count_open(open_count, in, moves, nmoves, ends, nweeks);
	/* each week's deliveries, as the delivery report counts them over
	 * it (the page shows one rule for one word), in one pass */
	done = calloc(3 * nweeks + 1, sizeof(*done));
	if (!done)
		abort();
	dlg__delivered_by_week(in, starts, nweeks, end, done, done + nweeks,
			       done + 2 * nweeks);
	for (k = 0; k < nweeks; k++)
		dlg_seq_push(weeks, week_row(starts[k], done[k],
					     done[nweeks + k],
					     done[2 * nweeks + k],
					     open_count[k]));
	free(done);
	free(moves);
	free(starts);
	free(ends);
	free(open_count);
	dlg_map_set(doc, "weeks", weeks);
	*out = doc;
	return 0;
}

/* ------------------------------------------------------------- orgs */

/* The orgs of the team, each once, in the order of their first person
 * (people are sorted by handle). */
static dlg_node *team_orgs(const dlg_team *team)
{
	dlg_node *orgs = dlg_node_new_seq();
	size_t i, j;

	for (i = 0; i < team->count; i++) {
		const char *org = str(team->people[i], "org");

		for (j = 0; org && j < orgs->count; j++)
			if (!strcmp(orgs->items[j]->value, org))
				break;
		if (org && j == orgs->count)
			dlg_seq_push(orgs, dlg_node_new_str(org));
	}
	return orgs;
}

static int cmp_str_node(const void *a, const void *b)
{
	return strcmp((*(dlg_node *const *)a)->value,
		      (*(dlg_node *const *)b)->value);
}

int dlg_report_orgs(dlg_node **out, const dlg_report_input *in)
{
	dlg_node *doc = dlg_node_new_map(), *rows = dlg_node_new_seq();
	dlg_node *orgs = team_orgs(in->team), *w = NULL, *d = NULL;
	const dlg_node *wp, *dp;
	size_t o, i;

	if (orgs->count > 1)
		qsort(orgs->items, orgs->count, sizeof(*orgs->items),
		      cmp_str_node);
	dlg_report_workload(&w, in);
	dlg_report_delivery(&d, in);
	wp = dlg_map_get(w, "people");
	dp = dlg_map_get(d, "people");
	for (o = 0; o < orgs->count; o++) {
		const char *org = orgs->items[o]->value;
		const char *title = str(dlg_map_get(dlg_map_get(in->config,
								"orgs"), org),
					"title");
		dlg_node *row = dlg_node_new_map();
		double people = 0, open = 0, hours = 0, cap = 0, done = 0,
		       with_due = 0, on_time = 0;

		/* both reports have one row per team member, in team order */
		for (i = 0; i < in->team->count; i++) {
			if (!eq(str(in->team->people[i], "org"), org))
				continue;
			people++;
			open += fig(wp->items[i], "open_tasks");
			hours += fig(wp->items[i], "estimated_hours");
			cap += fig(wp->items[i], "capacity_hours");
			done += fig(dp->items[i], "done");
			with_due += fig(dp->items[i], "with_due");
			on_time += fig(dp->items[i], "on_time");
		}
		dlg_map_set_str(row, "org", org);
		if (title)
			dlg_map_set_str(row, "title", title);
		else
			dlg_map_set_null(row, "title");
		dlg__set_num(row, "people", people);
		dlg__set_num(row, "open_tasks", open);
		dlg__set_num(row, "estimated_hours", round(hours * 10.0) / 10.0);
		dlg__set_num(row, "capacity_hours", cap);
		set_percent(row, "load_percent", hours, cap);
		dlg__set_num(row, "done", done);
		dlg__set_num(row, "with_due", with_due);
		dlg__set_num(row, "on_time", on_time);
		set_percent(row, "on_time_percent", on_time, with_due);
		dlg_seq_push(rows, row);
	}
	dlg_node_free(orgs);
	dlg_node_free(w);
	dlg_node_free(d);
	dlg_map_set(doc, "orgs", rows);
	*out = doc;
	return 0;
}

/* ------------------------------------------------------------ scope */

static int cmp_task_id(const void *a, const void *b)
{
	const char *x = str(*(const dlg_node *const *)a, "id"),
		   *y = str(*(const dlg_node *const *)b, "id");

	return strcmp(x ? x : "", y ? y : "");
}

int dlg_report_scope_org(dlg_report_scope *out, const dlg_report_input *in,
			 const char *org)
{
	dlg_node *orgs;
	size_t i, j, n;
	const dlg_node **ids;

	memset(out, 0, sizeof(*out));
	orgs = team_orgs(in->team);
	for (i = 0; i < orgs->count; i++)
		if (!strcmp(orgs->items[i]->value, org))
			break;
	if (i == orgs->count) {
		dlg_buf known = DLG_BUF_INIT;

		if (orgs->count > 1)
			qsort(orgs->items, orgs->count, sizeof(*orgs->items),
			      cmp_str_node);
		for (j = 0; j < orgs->count; j++)
			dlg_buf_printf(&known, "%s%s", j ? ", " : "",
				       orgs->items[j]->value);
		dlg_error_set("unknown org '%s' (known: %s)", org,
			      orgs->count ? known.ptr : "none: team/ is empty");
		dlg_buf_dispose(&known);
		dlg_node_free(orgs);
		return DLG_ENOTFOUND;
	}
	dlg_node_free(orgs);

	out->team.people = calloc(in->team->count + 1,
				  sizeof(*out->team.people));
	out->tasks = calloc(in->ntasks + 1, sizeof(*out->tasks));
	ids = calloc(in->ntasks + 1, sizeof(*ids));
	if (!out->team.people || !out->tasks || !ids)
		abort();
	for (i = 0; i < in->team->count; i++)
		if (eq(str(in->team->people[i], "org"), org))
			out->team.people[out->team.count++] =
				in->team->people[i];
	out->team.by_handle = in->team->by_handle; /* the same order */
	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];

		if (dlg_team_find(&out->team, str(t, "assignee")))
			out->tasks[out->ntasks++] = in->tasks[i];
	}
	/* their history: events of those tasks (ids sorted to find them) */
	for (n = 0; n < out->ntasks; n++)
		ids[n] = out->tasks[n];
	if (n > 1)
		qsort(ids, n, sizeof(*ids), cmp_task_id);
	if (in->events && in->events->count &&
	    !(out->events.items = calloc(in->events->count,
					 sizeof(*out->events.items))))
		abort();
	for (i = 0; in->events && i < in->events->count; i++) {
		const dlg_event *e = &in->events->items[i];
		size_t lo = 0, hi = n;

		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			const char *id = str(ids[mid], "id");
			int c = strcmp(id ? id : "", e->task);

			if (!c) {
				out->events.items[out->events.count++] = *e;
				break;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
	}
	free(ids);
	out->in = *in;
	out->in.team = &out->team;
	out->in.tasks = out->tasks;
	out->in.ntasks = out->ntasks;
	out->in.events = &out->events;
	out->in.org = org;
	out->by_task = in->by_task ? dlg_report_index(&out->events) : NULL;
	out->in.by_task = out->by_task;
	return 0;
}

void dlg_report_scope_dispose(dlg_report_scope *s)
{
	/* everything in it is borrowed but the arrays */
	free(s->team.people);
	free(s->tasks);
	free(s->events.items);
	free(s->by_task);
	memset(s, 0, sizeof(*s));
}
