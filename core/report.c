/*
 * Reports (SPEC 8) and suggestions, as data: each returns a document (a
 * dlg_node tree) that cli/ prints as a table, as JSON, or as HTML.
 * docs/reports.md says how every figure is computed.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

/* ------------------------------------------------------------ helpers */

dlg_node *dlg__num(double v)
{
	char buf[64];

	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, sizeof(buf), "%.0f", v);
		return dlg_node_new_scalar(DLG_SCALAR_INT, buf);
	}
	snprintf(buf, sizeof(buf), "%.1f", v);
	return dlg_node_new_scalar(DLG_SCALAR_FLOAT, buf);
}

static dlg_node *boolean(int v)
{
	return dlg_node_new_scalar(DLG_SCALAR_BOOL, v ? "true" : "false");
}

static dlg_node *str_or_null(const char *s)
{
	return s ? dlg_node_new_str(s) : dlg_node_new_null();
}

void dlg__set_num(dlg_node *m, const char *k, double v)
{
	dlg_map_set(m, k, dlg__num(v));
}

static double hours_between(const char *a, const char *b)
{
	time_t x, y;

	if (!a || !b || dlg_time_parse(&x, a) || dlg_time_parse(&y, b))
		return NAN;
	return (double)(y - x) / 3600.0;
}

static double round1(double v)
{
	return round(v * 10.0) / 10.0;
}

static const char *str(const dlg_node *t, const char *k)
{
	return dlg_map_get_str(t, k);
}

static int eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

int dlg_duration_parse(long *out, const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	long unit;

	switch (*end) {
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return -1;
	}
	if (end == s || end[1] || n < 0)
		return -1;
	*out = n * unit;
	return 0;
}

/* A time within [since, until) (0: open ends). */
static int in_window(const dlg_report_input *in, const char *when)
{
	time_t t;

	if (!when || dlg_time_parse(&t, when))
		return 0;
	return (!in->since || t >= in->since) && (!in->until || t < in->until);
}

/* The latest time the status changed to `to` (blocked since...). */
static const char *last_status(const dlg_events *ev, const char *task,
			       const char *to, char buf[DLG_TIME_SIZE])
{
	size_t i;

	for (i = 0; ev && i < ev->count; i++) {
		const dlg_event *e = &ev->items[i];

		if (!strcmp(e->task, task) && eq(e->field, "status") &&
		    eq(e->to, to)) {
			dlg_time_format(buf, e->at);
			return buf;
		}
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

static dlg_node *task_ref(const dlg_node *t)
{
	dlg_node *m = dlg_node_new_map();

	dlg_map_set_str(m, "id", str(t, "id"));
	dlg_map_set_str(m, "title", str(t, "title"));
	dlg_map_set(m, "assignee", str_or_null(str(t, "assignee")));
	dlg_map_set_str(m, "status", str(t, "status"));
	dlg_map_set_str(m, "priority", str(t, "priority"));
	dlg_map_set(m, "due", str_or_null(str(t, "due")));
	return m;
}

/* ----------------------------------------------------------- workload */

/* Where a handle is in team->people; team->count when it is not. */
static size_t person_index(const dlg_report_input *in, const char *handle)
{
	size_t k;

	for (k = 0; handle && k < in->team->count; k++)
		if (eq(str(in->team->people[k], "handle"), handle))
			break;
	return handle ? k : in->team->count;
}

/* Each team member's open tasks and their estimated hours, by index in
 * team->people (the caller frees both), in one pass over the tasks: not
 * one pass per person (50 people and 40,000 open tasks were two million
 * lookups). */
static void loads(size_t **open, double **hours, const dlg_report_input *in)
{
	size_t i, k;

	*open = calloc(in->team->count + 1, sizeof(**open));
	*hours = calloc(in->team->count + 1, sizeof(**hours));
	if (!*open || !*hours)
		abort();
	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];

		if (!dlg_task_is_open(t) ||
		    (k = person_index(in, str(t, "assignee"))) ==
			    in->team->count)
			continue;
		(*open)[k]++;
		(*hours)[k] += dlg_task_open_hours(t);
	}
}

int dlg_report_workload(dlg_node **out, const dlg_report_input *in)
{
	dlg_node *doc = dlg_node_new_map(), *people = dlg_node_new_seq();
	size_t i, *open_of;
	double *hours_of;

	loads(&open_of, &hours_of, in);
	for (i = 0; i < in->team->count; i++) {
		const dlg_node *p = in->team->people[i];
		const char *cap = str(p, "capacity_hours");
		dlg_node *row = dlg_node_new_map();
		size_t open = open_of[i];
		double hours = hours_of[i];

		dlg_map_set_str(row, "handle", str(p, "handle"));
		dlg_map_set_str(row, "name", str(p, "name"));
		dlg_map_set_str(row, "org", str(p, "org"));
		dlg_map_set_str(row, "role", str(p, "role"));
		dlg__set_num(row, "open_tasks", (double)open);
		dlg__set_num(row, "estimated_hours", round1(hours));
		dlg_map_set(row, "capacity_hours", cap ? dlg__num(atof(cap))
						       : dlg_node_new_null());
		if (cap && atof(cap) > 0)
			dlg__set_num(row, "load_percent",
				round(hours * 100.0 / atof(cap)));
		else
			dlg_map_set_null(row, "load_percent");
		dlg_map_set(row, "overloaded",
			    boolean(cap && hours > atof(cap)));
		dlg_seq_push(people, row);
	}
	dlg_map_set(doc, "people", people);
	free(open_of);
	free(hours_of);
	*out = doc;
	return 0;
}

/* ----------------------------------------------------------- delivery */

typedef struct {
	size_t done, with_due, on_time, reopened, ratings, measured;
	size_t praise, stretch;
	double rating_sum;
	double estimated, spent; /* over done tasks with both */
	double *cycle;
	size_t ncycle;
} delivery_acc;

/* A task's history: the events, grouped by task and newest first within
 * each, so that one task's are found by a binary search (not a pass over
 * every event for each task). */
typedef struct {
	const dlg_event *const *v;
	size_t n;
	const dlg_event **own; /* v when made here, to free */
} task_events;

static int cmp_event_task(const void *a, const void *b)
{
	const dlg_event *x = *(const dlg_event *const *)a,
			*y = *(const dlg_event *const *)b;
	int c = strcmp(x->task, y->task);

	/* the array's order (newest first) within a task */
	return c ? c : (x > y) - (x < y);
}

const dlg_event **dlg_report_index(const dlg_events *ev)
{
	size_t i, n = ev ? ev->count : 0;
	const dlg_event **v = malloc((n + 1) * sizeof(*v));

	if (!v)
		abort();
	for (i = 0; i < n; i++)
		v[i] = &ev->items[i];
	qsort(v, n, sizeof(*v), cmp_event_task);
	return v;
}

/* The input's events by task: its index, or one made here. */
static void task_events_build(task_events *te, const dlg_report_input *in)
{
	te->n = in->events ? in->events->count : 0;
	te->own = in->by_task ? NULL : dlg_report_index(in->events);
	te->v = in->by_task ? in->by_task : te->own;
}

/* The task's events: [*first, return value), newest first. */
static size_t task_events_of(const task_events *te, const char *task,
			     size_t *first)
{
	size_t lo = 0, hi = te->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(te->v[mid]->task, task) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (hi < te->n && !strcmp(te->v[hi]->task, task))
		hi++;
	return hi;
}

/* The first (oldest) time the task's status changed to `to`. */
static const char *first_status(const task_events *te, const char *task,
				const char *to, char buf[DLG_TIME_SIZE])
{
	size_t first, i = task_events_of(te, task, &first);

	while (i-- > first) {
		const dlg_event *e = te->v[i];

		if (eq(e->field, "status") && eq(e->to, to)) {
			dlg_time_format(buf, e->at);
			return buf;
		}
	}
	return NULL;
}

/* When the task last went to review at or before `at` (its newest
 * submission then), or (time_t)-1 when it never did. */
static time_t submitted_before(const task_events *te, const char *task,
			       time_t at)
{
	size_t i, end = task_events_of(te, task, &i);

	for (; i < end; i++)
		if (eq(te->v[i]->field, "status") && eq(te->v[i]->to, "review") &&
		    te->v[i]->at <= at)
			return te->v[i]->at;
	return (time_t)-1;
}

static int cmp_task_id(const void *a, const void *b)
{
	const char *x = str(*(const dlg_node *const *)a, "id"),
		   *y = str(*(const dlg_node *const *)b, "id");

	return strcmp(x ? x : "", y ? y : "");
}

/* A status change that sends finished or submitted work back: out of
 * done or cancelled (reopen), or from review back to work (reject). */
static int is_reopen(const dlg_event *e)
{
	return eq(e->field, "status") &&
	       (eq(e->from, "done") || eq(e->from, "cancelled") ||
		eq(e->from, "review")) &&
	       !eq(e->to, "done") && !eq(e->to, "cancelled") &&
	       !eq(e->to, "review");
}

/* Each reopen in the period counts for the assignee of its task: one pass
 * over the events, the tasks found by id. */
static void count_reopens(delivery_acc *acc, const dlg_report_input *in)
{
	const dlg_node **byid = calloc(in->ntasks + 1, sizeof(*byid));
	size_t i, lo, hi, k;

	if (!byid)
		abort();
	if (in->ntasks)
		memcpy(byid, in->tasks, in->ntasks * sizeof(*byid));
	/* the reports' tasks come sorted by id (cli/ asks for it): sorted
	 * again only when they are not (the page makes several delivery
	 * reports, each a sort of 100,000 tasks) */
	for (i = 1; i < in->ntasks && cmp_task_id(&byid[i - 1], &byid[i]) <= 0;
	     i++)
		;
	if (i < in->ntasks)
		qsort(byid, in->ntasks, sizeof(*byid), cmp_task_id);
	for (i = 0; in->events && i < in->events->count; i++) {
		const dlg_event *e = &in->events->items[i];

		if (!is_reopen(e) || (in->since && e->at < in->since) ||
		    (in->until && e->at >= in->until))
			continue;
		/* the first task with this id, then any others with it */
		for (lo = 0, hi = in->ntasks; lo < hi;) {
			size_t mid = lo + (hi - lo) / 2;
			const char *id = str(byid[mid], "id");

			if (strcmp(id ? id : "", e->task) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (; lo < in->ntasks && eq(str(byid[lo], "id"), e->task); lo++)
			if ((k = person_index(in, str(byid[lo], "assignee"))) <
			    in->team->count)
				acc[k].reopened++;
	}
	free(byid);
}

/* Delivered on time: the work was handed in for review (its last
 * submission before it was closed), or closed when it never went to
 * review, on or before its due date, in local time. The reviewer's delay
 * is not the assignee's. */
static int delivered_on_time(const task_events *te, const dlg_node *t,
			     const char *closed)
{
	time_t at;
	char day[DLG_DATE_SIZE];

	if (dlg_time_parse(&at, closed) < 0)
		return 0;
	{
		time_t sub = submitted_before(te, str(t, "id"), at);

		if (sub != (time_t)-1)
			at = sub;
	}
	dlg_date_format(day, at);
	return strncmp(day, str(t, "due"), 10) <= 0;
}

static int in_set(const dlg_node *set, const char *v);

/* Stretch work: the task needs a skill the person is growing and does not
 * list as theirs (their file as it is now). */
static int grows_on(const dlg_node *person, const dlg_node *task)
{
	const dlg_node *need = dlg_map_get(task, "skills");
	size_t j;

	for (j = 0; need && need->kind == DLG_NODE_SEQ && j < need->count; j++)
		if (in_set(dlg_map_get(person, "growing"),
			   need->items[j]->value) &&
		    !in_set(dlg_map_get(person, "skills"),
			    need->items[j]->value))
			return 1;
	return 0;
}

/* What each team member delivered (by index in team->people), in one
 * pass over the tasks. Free with deliveries_free. */
static delivery_acc *deliveries(const dlg_report_input *in)
{
	delivery_acc *acc = calloc(in->team->count + 1, sizeof(*acc));
	size_t i, j, k, *alloc = calloc(in->team->count + 1, sizeof(*alloc));
	task_events te;

	if (!acc || !alloc)
		abort();
	task_events_build(&te, in);
	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];
		const dlg_node *fb = dlg_map_get(t, "feedback");
		const char *closed = str(t, "closed");
		const char *handle = str(t, "assignee");
		delivery_acc *d;

		if ((k = person_index(in, handle)) == in->team->count)
			continue;
		d = &acc[k];
		for (j = 0; fb && j < fb->count; j++) {
			const char *r = str(fb->items[j], "rating");

			if (eq(str(fb->items[j], "author"), handle) ||
			    !in_window(in, str(fb->items[j], "at")))
				continue;
			/* ratings and praise of their work, by someone else */
			if (r) {
				d->rating_sum += atof(r);
				d->ratings++;
			}
			if (eq(str(fb->items[j], "kind"), "praise"))
				d->praise++;
		}
		if (!eq(str(t, "status"), "done") || !in_window(in, closed))
			continue;
		d->done++;
		if (grows_on(in->team->people[k], t))
			d->stretch++;
		if (str(t, "estimate_hours") && dlg_map_get(t, "spent")) {
			d->measured++;
			d->estimated += atof(str(t, "estimate_hours"));
			d->spent += dlg_task_spent(t, NULL, 0, 0);
		}
		if (str(t, "due")) {
			d->with_due++;
			if (delivered_on_time(&te, t, closed))
				d->on_time++;
		}
		if (d->ncycle == alloc[k]) {
			alloc[k] = alloc[k] ? 2 * alloc[k] : 16;
			d->cycle = realloc(d->cycle,
					   alloc[k] * sizeof(*d->cycle));
			if (!d->cycle)
				abort();
		}
		d->cycle[d->ncycle++] = hours_between(
			str(t, "started") ? str(t, "started") : str(t, "created"),
			closed) / 24.0;
	}
	free(alloc);
	free(te.own);
	count_reopens(acc, in);
	return acc;
}

void dlg__delivered_by_week(const dlg_report_input *in, const time_t *starts,
			    size_t nweeks, time_t end, size_t *done,
			    size_t *with_due, size_t *on_time)
{
	task_events te;
	size_t i;

	task_events_build(&te, in);
	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];
		const char *closed = str(t, "closed");
		dlg_report_input week = *in;
		size_t lo = 0, hi = nweeks, k;
		time_t at;

		if (!closed || dlg_time_parse(&at, closed))
			continue;
		while (lo < hi) { /* the last week that starts by then */
			size_t mid = lo + (hi - lo) / 2;

			if (starts[mid] <= at)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (!lo)
			continue;
		/* deliveries' rule, for in narrowed to week k as trend.c's
		 * weeks are */
		k = lo - 1;
		week.since = in->since && in->since > starts[k] ? in->since
								: starts[k];
		week.until = starts[k + 1] < end ? starts[k + 1] : end;
		if (person_index(in, str(t, "assignee")) == in->team->count ||
		    !eq(str(t, "status"), "done") || !in_window(&week, closed))
			continue;
		done[k]++;
		if (str(t, "due")) {
			with_due[k]++;
			if (delivered_on_time(&te, t, closed))
				on_time[k]++;
		}
	}
	free(te.own);
}

static void deliveries_free(delivery_acc *acc, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		free(acc[k].cycle);
	free(acc);
}

static double on_time_rate(const delivery_acc *d)
{
	return d->with_due ? (double)d->on_time / (double)d->with_due : NAN;
}

/* A reviewer's decisions in the period and the reviews waiting on them. */
typedef struct {
	size_t accepted, rejected, waiting;
	double *latency; /* hours, one a decision */
	double oldest;   /* hours the longest-waiting review has waited */
} review_acc;

static void push_latency(review_acc *r, size_t *alloc, double hours)
{
	if (r->accepted + r->rejected == *alloc) {
		*alloc = *alloc ? 2 * *alloc : 16;
		if (!(r->latency = realloc(r->latency,
					   *alloc * sizeof(*r->latency))))
			abort();
	}
	r->latency[r->accepted + r->rejected] = hours;
}

/*
 * Review latency, per reviewer: each decision in the period on work in
 * review (to done: accepted; back to work: rejected) is credited to whoever
 * made it and measured from the submission it answered; and the reviews
 * waiting now on each task's delegator, with how long the oldest has
 * waited.
 */
static review_acc *reviews(const dlg_report_input *in)
{
	review_acc *acc = calloc(in->team->count + 1, sizeof(*acc));
	size_t *alloc = calloc(in->team->count + 1, sizeof(*alloc));
	size_t i, k;
	task_events te;

	if (!acc || !alloc)
		abort();
	task_events_build(&te, in);
	for (i = 0; in->events && i < in->events->count; i++) {
		const dlg_event *e = &in->events->items[i];
		time_t sub;

		if (!eq(e->field, "status") || !eq(e->from, "review") ||
		    eq(e->to, "review") || eq(e->to, "cancelled") ||
		    (in->since && e->at < in->since) ||
		    (in->until && e->at >= in->until) ||
		    (k = person_index(in, e->author)) == in->team->count ||
		    (sub = submitted_before(&te, e->task, e->at)) == (time_t)-1)
			continue;
		push_latency(&acc[k], &alloc[k], (double)(e->at - sub) / 3600.0);
		if (eq(e->to, "done"))
			acc[k].accepted++;
		else
			acc[k].rejected++;
	}
	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];
		time_t sub;
		double waited;

		if (!eq(str(t, "status"), "review") ||
		    (k = person_index(in, str(t, "delegator"))) ==
			    in->team->count)
			continue;
		acc[k].waiting++;
		sub = submitted_before(&te, str(t, "id"), in->now);
		if (sub == (time_t)-1 &&
		    dlg_time_parse(&sub, str(t, "updated") ? str(t, "updated")
							   : "") < 0)
			continue;
		waited = (double)(in->now - sub) / 3600.0;
		if (waited > acc[k].oldest)
			acc[k].oldest = waited;
	}
	free(alloc);
	free(te.own);
	return acc;
}

int dlg_report_delivery(dlg_node **out, const dlg_report_input *in)
{
	dlg_node *doc = dlg_node_new_map(), *people = dlg_node_new_seq();
	dlg_node *reviewers = dlg_node_new_seq();
	delivery_acc *all = deliveries(in);
	review_acc *rev = reviews(in);
	size_t i;

	for (i = 0; i < in->team->count; i++) {
		const char *h = str(in->team->people[i], "handle");
		dlg_node *row = dlg_node_new_map();
		delivery_acc d = all[i];
		review_acc *r = &rev[i];
		size_t decided = r->accepted + r->rejected;
		double med;

		med = median(d.cycle, d.ncycle);
		dlg_map_set_str(row, "handle", h);
		dlg__set_num(row, "done", (double)d.done);
		dlg__set_num(row, "with_due", (double)d.with_due);
		dlg__set_num(row, "on_time", (double)d.on_time);
		if (d.with_due)
			dlg__set_num(row, "on_time_percent",
				round(100.0 * (double)d.on_time / (double)d.with_due));
		else
			dlg_map_set_null(row, "on_time_percent");
		if (isnan(med))
			dlg_map_set_null(row, "median_cycle_days");
		else
			dlg__set_num(row, "median_cycle_days", round1(med));
		dlg__set_num(row, "reopened", (double)d.reopened);
		/* estimate accuracy: hours spent on done work against its
		 * estimate, over the done tasks that have both */
		dlg__set_num(row, "measured", (double)d.measured);
		dlg__set_num(row, "estimated_hours", round1(d.estimated));
		dlg__set_num(row, "spent_hours", round1(d.spent));
		if (d.estimated > 0)
			dlg__set_num(row, "spent_of_estimate_percent",
				round(100.0 * d.spent / d.estimated));
		else
			dlg_map_set_null(row, "spent_of_estimate_percent");
		dlg__set_num(row, "stretch_done", (double)d.stretch);
		dlg__set_num(row, "praise", (double)d.praise);
		dlg__set_num(row, "ratings", (double)d.ratings);
		if (d.ratings)
			dlg__set_num(row, "mean_rating",
				round1(d.rating_sum / (double)d.ratings));
		else
			dlg_map_set_null(row, "mean_rating");
		dlg_seq_push(people, row);
		if (!decided && !r->waiting)
			continue;
		row = dlg_node_new_map();
		dlg_map_set_str(row, "handle", h);
		dlg__set_num(row, "reviewed", (double)decided);
		dlg__set_num(row, "accepted", (double)r->accepted);
		dlg__set_num(row, "rejected", (double)r->rejected);
		med = median(r->latency, decided);
		if (isnan(med))
			dlg_map_set_null(row, "median_latency_hours");
		else
			dlg__set_num(row, "median_latency_hours", round1(med));
		dlg__set_num(row, "waiting", (double)r->waiting);
		if (r->waiting)
			dlg__set_num(row, "oldest_waiting_hours", round1(r->oldest));
		else
			dlg_map_set_null(row, "oldest_waiting_hours");
		dlg_seq_push(reviewers, row);
	}
	for (i = 0; i < in->team->count; i++)
		free(rev[i].latency);
	free(rev);
	deliveries_free(all, in->team->count);
	dlg_map_set(doc, "people", people);
	dlg_map_set(doc, "reviewers", reviewers);
	*out = doc;
	return 0;
}

/* ---------------------------------------------------------------- sla */

static const dlg_node *sla_target(const dlg_report_input *in, const char *org,
				  const char *priority)
{
	const dlg_node *orgs = dlg_map_get(in->config, "orgs");
	const dlg_node *o = dlg_map_get(orgs, org);

	return dlg_map_get(dlg_map_get(o, "sla"), priority);
}

static void sla_check(dlg_node *breaches, const dlg_node *t, const char *org,
		      const char *kind, const char *target, const char *from,
		      const char *to, time_t now, size_t *measured,
		      size_t *met)
{
	long secs;
	double actual;
	char nowbuf[DLG_TIME_SIZE];
	int open = !to;

	if (!target || dlg_duration_parse(&secs, target) < 0)
		return;
	dlg_time_format(nowbuf, now);
	actual = hours_between(from, to ? to : nowbuf);
	if (isnan(actual))
		return;
	if (open && actual * 3600.0 <= (double)secs)
		return; /* still within its target: nothing to say yet */
	(*measured)++;
	if (actual * 3600.0 <= (double)secs) {
		(*met)++;
		return;
	}
	{
		dlg_node *b = task_ref(t);

		dlg_map_set_str(b, "org", org);
		dlg_map_set_str(b, "kind", kind);
		dlg_map_set_str(b, "target", target);
		dlg__set_num(b, "actual_hours", round1(actual));
		dlg_map_set(b, "ongoing", boolean(open));
		dlg_seq_push(breaches, b);
	}
}

int dlg_report_sla(dlg_node **out, const dlg_report_input *in)
{
	dlg_node *doc = dlg_node_new_map(), *rows = dlg_node_new_seq();
	dlg_node *breaches = dlg_node_new_seq();
	const dlg_node *orgs = dlg_map_get(in->config, "orgs");
	size_t o, p, i;
	task_events te;

	task_events_build(&te, in);
	for (o = 0; orgs && o < orgs->count; o++) {
		const char *org = orgs->keys[o];

		if (in->org && !eq(org, in->org))
			continue; /* --org: its own service levels only */
		for (p = 0; dlg_priorities[p]; p++) {
			const dlg_node *target = sla_target(in, org,
							    dlg_priorities[p]);
			size_t tasks = 0, rm = 0, rmet = 0, sm = 0, smet = 0;
			dlg_node *row;

			if (!target)
				continue;
			for (i = 0; i < in->ntasks; i++) {
				const dlg_node *t = in->tasks[i];
				const dlg_node *who = dlg_team_find(
					in->team, str(t, "assignee"));
				char buf[DLG_TIME_SIZE];
				const char *resolved;

				if (!who || !eq(str(who, "org"), org) ||
				    !eq(str(t, "priority"), dlg_priorities[p]) ||
				    eq(str(t, "status"), "cancelled") ||
				    !in_window(in, str(t, "created")))
					continue;
				tasks++;
				sla_check(breaches, t, org, "respond",
					  str(target, "respond"), str(t, "created"),
					  str(t, "started"), in->now, &rm, &rmet);
				resolved = first_status(&te, str(t, "id"),
							"review", buf);
				if (!resolved && eq(str(t, "status"), "done"))
					resolved = str(t, "closed");
				sla_check(breaches, t, org, "resolve",
					  str(target, "resolve"), str(t, "created"),
					  resolved, in->now, &sm, &smet);
			}
			row = dlg_node_new_map();
			dlg_map_set_str(row, "org", org);
			dlg_map_set_str(row, "priority", dlg_priorities[p]);
			dlg_map_set(row, "respond_target",
				    str_or_null(str(target, "respond")));
			dlg_map_set(row, "resolve_target",
				    str_or_null(str(target, "resolve")));
			dlg__set_num(row, "tasks", (double)tasks);
			dlg__set_num(row, "respond_measured", (double)rm);
			dlg__set_num(row, "respond_met", (double)rmet);
			dlg__set_num(row, "resolve_measured", (double)sm);
			dlg__set_num(row, "resolve_met", (double)smet);
			dlg__set_num(row, "breaches", (double)(rm - rmet + sm - smet));
			dlg_seq_push(rows, row);
		}
	}
	free(te.own);
	dlg_map_set(doc, "targets", rows);
	dlg_map_set(doc, "breaches", breaches);
	*out = doc;
	return 0;
}

/* ------------------------------------------------------------- matrix */

int dlg_report_matrix(dlg_node **out, const dlg_report_input *in)
{
	static const char *const quadrants[] = { "do", "schedule", "delegate",
						 "eliminate" };
	dlg_node *doc = dlg_node_new_map(), *q[4];
	char soon[DLG_DATE_SIZE];
	size_t i;

	dlg_date_format(soon, in->now + 3 * 86400);
	for (i = 0; i < 4; i++)
		q[i] = dlg_node_new_seq();
	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];
		const char *pri = str(t, "priority"), *due = str(t, "due");
		int urgent, important;

		if (!dlg_task_is_open(t))
			continue;
		urgent = eq(pri, "critical") || (due && strcmp(due, soon) <= 0);
		important = eq(pri, "critical") || eq(pri, "high") ||
			    eq(str(t, "core"), "true");
		dlg_seq_push(q[urgent ? (important ? 0 : 2) : (important ? 1 : 3)],
			     task_ref(t));
	}
	for (i = 0; i < 4; i++)
		dlg_map_set(doc, quadrants[i], q[i]);
	*out = doc;
	return 0;
}

/* ----------------------------------------------------- accountability */

/* The task and commit ids one person's changes touched, to count each
 * once: gathered, then sorted (a search per change is quadratic). */
typedef struct {
	const char **ids;
	size_t count, alloc;
} id_list;

static void id_list_push(id_list *l, const char *id)
{
	if (l->count == l->alloc) {
		l->alloc = l->alloc ? 2 * l->alloc : 64;
		l->ids = realloc(l->ids, l->alloc * sizeof(*l->ids));
		if (!l->ids)
			abort();
	}
	l->ids[l->count++] = id;
}

/* How many different ids; frees the list. */
static size_t id_list_distinct(id_list *l)
{
	size_t i, n = 0;

	qsort(l->ids, l->count, sizeof(*l->ids), dlg_strp_cmp);
	for (i = 0; i < l->count; i++)
		if (!i || strcmp(l->ids[i], l->ids[i - 1]))
			n++;
	free(l->ids);
	return n;
}

/* One person's counts, kept as numbers until the end (a node per change
 * was most of the report: 1.5 million changes at 100,000 tasks). */
typedef struct {
	const char *handle; /* the events' */
	size_t changes;
	struct field_count {
		char name[64];
		size_t count;
	} *fields; /* in the order first met, as the report lists them */
	size_t nfields, afields;
	id_list tasks, commits;
} person_counts;

static void count_field(person_counts *p, const char *field)
{
	size_t len = strcspn(field, ".["), i;
	char top[64];

	/* by the top-level field: checkpoints, not each item */
	snprintf(top, sizeof(top), "%.*s", (int)len, field);
	for (i = 0; i < p->nfields; i++)
		if (p->fields[i].name[0] == top[0] &&
		    !strcmp(p->fields[i].name, top)) {
			p->fields[i].count++;
			return;
		}
	if (p->nfields == p->afields) {
		p->afields = p->afields ? 2 * p->afields : 16;
		p->fields = realloc(p->fields, p->afields * sizeof(*p->fields));
		if (!p->fields)
			abort();
	}
	memcpy(p->fields[p->nfields].name, top, sizeof(top));
	p->fields[p->nfields++].count = 1;
}

/* Push id unless it is the one pushed last (a commit's changes come
 * together: the list then holds each commit about once, not each
 * change). */
static void id_list_push_new(id_list *l, const char *id)
{
	if (!l->count || strcmp(l->ids[l->count - 1], id))
		id_list_push(l, id);
}

int dlg_report_accountability(dlg_node **out, const dlg_report_input *in)
{
	dlg_node *doc = dlg_node_new_map(), *people = dlg_node_new_seq();
	person_counts *v = NULL, *p = NULL;
	size_t i, j, n = 0, alloc = 0;

	for (i = 0; in->events && i < in->events->count; i++) {
		const dlg_event *e = &in->events->items[i];

		if ((in->since && e->at < in->since) ||
		    (in->until && e->at >= in->until) ||
		    (in->org && !dlg_team_find(in->team, e->author)))
			continue; /* --org: only its people's changes */
		if (!p || strcmp(p->handle, e->author)) {
			for (j = 0, p = NULL; j < n && !p; j++)
				if (!strcmp(v[j].handle, e->author))
					p = &v[j];
		}
		if (!p) {
			if (n == alloc) {
				alloc = alloc ? 2 * alloc : 16;
				if (!(v = realloc(v, alloc * sizeof(*v))))
					abort();
			}
			p = &v[n++];
			memset(p, 0, sizeof(*p));
			p->handle = e->author;
		}
		count_field(p, e->field);
		p->changes++;
		if (e->task[0])
			id_list_push_new(&p->tasks, e->task);
		id_list_push_new(&p->commits, e->commit);
	}
	for (j = 0; j < n; j++) {
		dlg_node *row = dlg_node_new_map(), *fields = dlg_node_new_map();

		dlg_map_set_str(row, "handle", v[j].handle);
		dlg__set_num(row, "commits",
			     (double)id_list_distinct(&v[j].commits));
		dlg__set_num(row, "tasks", (double)id_list_distinct(&v[j].tasks));
		dlg__set_num(row, "changes", (double)v[j].changes);
		for (i = 0; i < v[j].nfields; i++)
			dlg__set_num(fields, v[j].fields[i].name,
				     (double)v[j].fields[i].count);
		dlg_map_set(row, "fields", fields);
		dlg_seq_push(people, row);
		free(v[j].fields);
	}
	free(v);
	dlg_map_set(doc, "people", people);
	*out = doc;
	return 0;
}

/* ------------------------------------------------------------ suggest */

static int cmp_candidate(const void *x, const void *y)
{
	const dlg_node *a = *(dlg_node *const *)x, *b = *(dlg_node *const *)y;
	double sa = atof(dlg_map_get_str(a, "score"));
	double sb = atof(dlg_map_get_str(b, "score"));

	if (sa != sb)
		return sa < sb ? 1 : -1;
	return strcmp(dlg_map_get_str(a, "handle"), dlg_map_get_str(b, "handle"));
}

static int in_set(const dlg_node *set, const char *v)
{
	size_t k;

	for (k = 0; set && set->kind == DLG_NODE_SEQ && k < set->count; k++)
		if (set->items[k]->kind == DLG_NODE_SCALAR &&
		    !strcmp(set->items[k]->value, v))
			return 1;
	return 0;
}

/* Someone other than p who has the most of the needed skills p grows. */
static const char *mentor_for(const dlg_report_input *in, const dlg_node *p,
			      const dlg_node *need)
{
	const char *best = NULL;
	size_t i, j, most = 0;

	for (i = 0; i < in->team->count; i++) {
		const dlg_node *m = in->team->people[i];
		size_t n = 0;

		if (m == p)
			continue;
		for (j = 0; need && j < need->count; j++)
			if (in_set(dlg_map_get(p, "growing"),
				   need->items[j]->value) &&
			    !in_set(dlg_map_get(p, "skills"),
				    need->items[j]->value) &&
			    in_set(dlg_map_get(m, "skills"),
				   need->items[j]->value))
				n++;
		if (n > most) {
			most = n;
			best = str(m, "handle");
		}
	}
	return best;
}

/* What ranking a candidate needs of everyone, computed once for all the
 * tasks a command ranks (plate ranks each open task of a person). */
typedef struct {
	delivery_acc *delivered;
	size_t *open_of;
	double *hours_of;
} team_figures;

static void team_figures_make(team_figures *f, const dlg_report_input *in)
{
	f->delivered = deliveries(in);
	loads(&f->open_of, &f->hours_of, in);
}

static void team_figures_free(team_figures *f, const dlg_report_input *in)
{
	free(f->open_of);
	free(f->hours_of);
	deliveries_free(f->delivered, in->team->count);
}

/* One of a candidate's reasons, pushed as a string. */
static void reason(dlg_node *reasons, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reason(dlg_node *reasons, const char *fmt, ...)
{
	dlg_buf r = DLG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	dlg_buf_vprintf(&r, fmt, ap);
	va_end(ap);
	dlg_seq_push(reasons, dlg_node_new_str(r.ptr));
	dlg_buf_dispose(&r);
}

/* How well p's skills fit the task's: 0 to 1, a skill being grown
 * counting half (stretch work ranks, below someone who has the skill);
 * the ones grown listed in grown, *growing how many. */
static double skill_fit(dlg_node *reasons, dlg_buf *grown, size_t *growing,
			const dlg_node *need, const dlg_node *p)
{
	const dlg_node *has = dlg_map_get(p, "skills");
	size_t j, matched = 0;

	dlg_buf_clear(grown);
	*growing = 0;
	for (j = 0; need && j < need->count; j++) {
		if (in_set(has, need->items[j]->value))
			matched++;
		else if (in_set(dlg_map_get(p, "growing"),
				need->items[j]->value))
			dlg_buf_printf(grown, "%s%s", (*growing)++ ? ", " : "",
				       need->items[j]->value);
	}
	if (!need || !need->count) {
		reason(reasons, "skills: the task names none");
		return 0.5;
	}
	reason(reasons, "skills: %zu of %zu needed", matched, need->count);
	return ((double)matched + 0.5 * (double)*growing) /
	       (double)need->count;
}

/* The share of p's weekly capacity left with the task taken: 0 to 1 (0
 * when no capacity is set); open and hours are p's load without it. */
static double capacity_fit(dlg_node *reasons, const dlg_node *task,
			   const dlg_node *p, size_t open, double hours)
{
	const char *cap = str(p, "capacity_hours");
	double left, share;

	if (!cap || atof(cap) <= 0) {
		reason(reasons, "capacity: not set (%zu open tasks)", open);
		return 0;
	}
	left = atof(cap) - hours -
	       (str(task, "estimate_hours") ? dlg_task_open_hours(task) : 0);
	share = left / atof(cap);
	if (share < 0)
		share = 0;
	if (share > 1)
		share = 1;
	reason(reasons, "capacity: %g h of %g h a week taken by %zu open "
	       "task%s%s", hours, atof(cap), open, open == 1 ? "" : "s",
	       left < 0 ? "; this task would overload" : "");
	return share;
}

/* The share of p's deadlines met: 0 to 1 (a half when none yet). */
static double delivery_fit(dlg_node *reasons, const delivery_acc *d)
{
	double rate = on_time_rate(d);

	if (isnan(rate)) {
		reason(reasons, "delivery: no deadlines met or missed yet "
		       "(%zu done)", d->done);
		return 0.5;
	}
	reason(reasons, "delivery: %.0f%% on time (%zu done)", rate * 100.0,
	       d->done);
	return rate;
}

/* Team member i as a candidate for the task: a row with a score and the
 * reasons for it; NULL for the delegator and for someone retired. */
static dlg_node *candidate(const dlg_node *task, const dlg_report_input *in,
			   const team_figures *f, size_t i, dlg_buf *grown)
{
	const dlg_node *p = in->team->people[i];
	const dlg_node *need = dlg_map_get(task, "skills");
	dlg_node *row, *reasons;
	size_t open = f->open_of[i], growing;
	double hours = f->hours_of[i], skill, free_share, rate, score;
	const char *mentor;
	int stretch;

	if (eq(str(p, "handle"), str(task, "delegator")))
		return NULL; /* delegating to yourself is not delegating */
	if (str(p, "retired"))
		return NULL; /* gone: no new work goes to them */
	reasons = dlg_node_new_seq();
	skill = skill_fit(reasons, grown, &growing, need, p);
	if (eq(str(task, "assignee"), str(p, "handle")) &&
	    dlg_task_is_open(task)) {
		/* the task is in their load already: count it once */
		open--;
		hours -= dlg_task_open_hours(task);
	}
	free_share = capacity_fit(reasons, task, p, open, hours);
	rate = delivery_fit(reasons, &f->delivered[i]);
	/* stretch work: they grow a skill the task needs and have the time
	 * for it; a mentor is someone else who has it */
	stretch = growing && free_share > 0;
	mentor = stretch ? mentor_for(in, p, need) : NULL;
	if (stretch)
		reason(reasons, "growth: growing %s: a stretch task%s%s%s",
		       grown->ptr, mentor ? "; " : "", mentor ? mentor : "",
		       mentor ? " has it and can mentor"
			      : ", with nobody to mentor");
	else if (growing)
		reason(reasons, "growth: growing %s, but no time for a "
		       "stretch task now", grown->ptr);
	score = 50.0 * skill + 30.0 * free_share + 20.0 * rate;
	if (sla_target(in, str(p, "org"), str(task, "priority"))) {
		score += 5;
		reason(reasons, "org: %s has a service level for %s work",
		       str(p, "org"), str(task, "priority"));
	} else {
		reason(reasons, "org: %s", str(p, "org"));
	}
	row = dlg_node_new_map();
	dlg_map_set_str(row, "handle", str(p, "handle"));
	dlg_map_set_str(row, "name", str(p, "name"));
	dlg_map_set_str(row, "org", str(p, "org"));
	dlg__set_num(row, "score", round1(score));
	dlg_map_set(row, "stretch", boolean(stretch));
	dlg_map_set(row, "mentor", str_or_null(mentor));
	dlg_map_set(row, "reasons", reasons);
	return row;
}

static void rank(dlg_node **out, const dlg_node *task,
		 const dlg_report_input *in, const team_figures *f)
{
	dlg_node *list = dlg_node_new_seq(), *row;
	dlg_buf grown = DLG_BUF_INIT;
	size_t i;

	for (i = 0; i < in->team->count; i++)
		if ((row = candidate(task, in, f, i, &grown)))
			dlg_seq_push(list, row);
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(*list->items),
		      cmp_candidate);
	dlg_buf_dispose(&grown);
	*out = list;
}

int dlg_suggest(dlg_node **out, const dlg_node *task, const dlg_report_input *in)
{
	team_figures f;

	team_figures_make(&f, in);
	rank(out, task, in, &f);
	team_figures_free(&f, in);
	return 0;
}

/* -------------------------------------------------------------- plate */

/* The best candidate other than `handle` to hand the task to, or NULL. */
static dlg_node *best_other(const dlg_node *task, const char *handle,
			    const dlg_report_input *in, const team_figures *f)
{
	dlg_node *ranked = NULL, *best = NULL;
	size_t i;

	rank(&ranked, task, in, f);
	for (i = 0; ranked && i < ranked->count && !best; i++)
		if (!eq(str(ranked->items[i], "handle"), handle))
			best = dlg_node_dup(ranked->items[i]);
	dlg_node_free(ranked);
	return best;
}

int dlg_plate(dlg_node **out, const char *handle, const dlg_report_input *in)
{
	dlg_node *doc = dlg_node_new_map(), *time = dlg_node_new_seq();
	dlg_node *open = dlg_node_new_seq(), *totals = dlg_node_new_map();
	double core = 0, other = 0;
	size_t i, nopen = 0, nother = 0;
	team_figures f;
	int have_figures = 0;

	for (i = 0; i < in->ntasks; i++) {
		const dlg_node *t = in->tasks[i];
		double h = dlg_task_spent(t, handle, in->since, in->until);
		int is_core = eq(str(t, "core"), "true");
		dlg_node *row;

		if (h > 0) {
			row = task_ref(t);
			dlg_map_set(row, "core", boolean(is_core));
			dlg__set_num(row, "hours", round1(h));
			dlg_seq_push(time, row);
			if (is_core)
				core += h;
			else
				other += h;
		}
		if (!dlg_task_is_open(t) || !eq(str(t, "assignee"), handle))
			continue;
		nopen++;
		row = task_ref(t);
		dlg_map_set(row, "core", boolean(is_core));
		if (str(t, "estimate_hours"))
			dlg__set_num(row, "estimate_hours",
				atof(str(t, "estimate_hours")));
		else
			dlg_map_set_null(row, "estimate_hours");
		dlg__set_num(row, "spent_hours", round1(dlg_task_spent(t, NULL, 0, 0)));
		if (is_core) {
			dlg_map_set_null(row, "delegate_to");
		} else {
			dlg_node *best;

			if (!have_figures++)
				team_figures_make(&f, in);
			best = best_other(t, handle, in, &f);

			nother++;
			dlg_map_set(row, "delegate_to",
				    best ? best : dlg_node_new_null());
		}
		dlg_seq_push(open, row);
	}
	dlg_map_set_str(doc, "handle", handle);
	dlg__set_num(totals, "total", round1(core + other));
	dlg__set_num(totals, "core", round1(core));
	dlg__set_num(totals, "non_core", round1(other));
	if (core + other > 0)
		dlg__set_num(totals, "non_core_percent",
			round(100.0 * other / (core + other)));
	else
		dlg_map_set_null(totals, "non_core_percent");
	dlg_map_set(doc, "hours", totals);
	dlg_map_set(doc, "time", time);
	dlg__set_num(doc, "open_tasks", (double)nopen);
	dlg__set_num(doc, "open_non_core", (double)nother);
	dlg_map_set(doc, "open", open);
	if (have_figures)
		team_figures_free(&f, in);
	*out = doc;
	return 0;
}

/* ------------------------------------------------------------- agenda */

long dlg_status_days(const dlg_events *ev, const dlg_node *task,
		     const char *status, time_t now)
{
	char buf[DLG_TIME_SIZE];
	const char *since = last_status(ev, str(task, "id"), status, buf);
	time_t t;

	if (!since)
		since = str(task, "updated");
	if (!since || dlg_time_parse(&t, since))
		return 0;
	return (long)((now - t) / 86400);
}

long dlg_blocked_days(const dlg_events *ev, const dlg_node *task, time_t now)
{
	return dlg_status_days(ev, task, "blocked", now);
}
