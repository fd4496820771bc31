/* Queries over the tasks: list filters and sorting, the agenda. */
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char *const sort_keys[] = { "due", "priority", "created",
					 "updated", "status", "title",
					 "assignee", "id", NULL };

int dlg_query_sort_valid(const char *key)
{
	return dlg_enum_index(sort_keys, key) >= 0;
}

static int str_eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int in_set(const dlg_node *set, const char *v)
{
	size_t i;

	for (i = 0; set && set->kind == DLG_NODE_SEQ && i < set->count; i++)
		if (!strcmp(set->items[i]->value, v))
			return 1;
	return 0;
}

static int matches(const dlg_node *t, const dlg_query *q, const dlg_team *team,
		   time_t now)
{
	const char *status = dlg_map_get_str(t, "status");
	const char *due = dlg_map_get_str(t, "due");

	if (q->status ? strcmp(q->status, status)
		      : !q->all && !dlg_task_is_open(t))
		return 0;
	if (q->assignee && !str_eq(q->assignee, dlg_map_get_str(t, "assignee")))
		return 0;
	if (q->delegator &&
	    !str_eq(q->delegator, dlg_map_get_str(t, "delegator")))
		return 0;
	if (q->org) {
		const dlg_node *p = team ? dlg_team_find(
			team, dlg_map_get_str(t, "assignee")) : NULL;

		if (!p || !str_eq(q->org, dlg_map_get_str(p, "org")))
			return 0;
	}
	if (q->tag && !in_set(dlg_map_get(t, "tags"), q->tag))
		return 0;
	if (q->overdue && !dlg_task_is_overdue(t, now))
		return 0;
	if (q->due_before && (!due || strcmp(due, q->due_before) >= 0))
		return 0;
	if (q->core && !str_eq(dlg_map_get_str(t, "core"), "true"))
		return 0;
	return 1;
}

/* Missing values sort last, whatever the key. */
static int cmp_opt(const char *a, const char *b)
{
	if (!a || !b)
		return !a - !b;
	return strcmp(a, b);
}

static const char *sort_key;

static int cmp_task(const void *x, const void *y)
{
	const dlg_node *a = *(dlg_node *const *)x, *b = *(dlg_node *const *)y;
	int c = 0;

	if (!strcmp(sort_key, "priority"))
		c = dlg_enum_index(dlg_priorities, dlg_map_get_str(a, "priority")) -
		    dlg_enum_index(dlg_priorities, dlg_map_get_str(b, "priority"));
	else if (!strcmp(sort_key, "status"))
		c = dlg_enum_index(dlg_statuses, dlg_map_get_str(a, "status")) -
		    dlg_enum_index(dlg_statuses, dlg_map_get_str(b, "status"));
	else if (!strcmp(sort_key, "updated"))
		/* Most recent first. */
		c = cmp_opt(dlg_map_get_str(b, "updated"),
			    dlg_map_get_str(a, "updated"));
	else
		c = cmp_opt(dlg_map_get_str(a, sort_key),
			    dlg_map_get_str(b, sort_key));
	if (!c && strcmp(sort_key, "due"))
		c = cmp_opt(dlg_map_get_str(a, "due"), dlg_map_get_str(b, "due"));
	if (!c)
		c = dlg_enum_index(dlg_priorities, dlg_map_get_str(a, "priority")) -
		    dlg_enum_index(dlg_priorities, dlg_map_get_str(b, "priority"));
	if (!c)
		c = strcmp(dlg_map_get_str(a, "id"), dlg_map_get_str(b, "id"));
	return c;
}

int dlg_query_run(dlg_node ***out, size_t *count, dlg_store *s,
		  const dlg_query *q, const dlg_team *team, time_t now,
		  dlg_diags *diags)
{
	char **files = NULL;
	size_t nfiles = 0, i, n = 0;
	dlg_node **v;
	int error;

	*out = NULL;
	*count = 0;
	if ((error = dlg_store_list_tasks(&files, &nfiles, s)) < 0)
		return error;
	v = calloc(nfiles + 1, sizeof(*v));
	if (!v)
		abort();
	for (i = 0; i < nfiles; i++) {
		dlg_node *t;

		if (dlg_store_load(&t, s, files[i], &dlg_schema_task, diags) < 0)
			continue;
		if (matches(t, q, team, now))
			v[n++] = t;
		else
			dlg_node_free(t);
	}
	dlg_strv_free(files, nfiles);
	sort_key = q->sort ? q->sort : "due";
	qsort(v, n, sizeof(*v), cmp_task);
	*out = v;
	*count = n;
	return 0;
}

static const char *const agenda_names[] = {
	"overdue", "late checkpoint", "waiting for your review",
	"blocked for more than 2 days",
	"checkpoint this week", "due this week", "in hand",
};

const char *dlg_agenda_kind_name(dlg_agenda_kind k)
{
	return agenda_names[k];
}

static long days_between(const char *date, time_t now)
{
	time_t t;

	if (!date || dlg_time_parse(&t, date) < 0)
		return 0;
	/* Whole days from today's date to the given one. */
	return (long)((t - (now - now % 86400)) / 86400);
}

typedef struct {
	dlg_agenda_item *items;
	size_t count, alloc;
} agenda;

static void agenda_add(agenda *a, dlg_agenda_kind kind, const dlg_node *task,
		       const dlg_node *cp, long days)
{
	dlg_agenda_item *x;

	if (a->count == a->alloc) {
		a->alloc = a->alloc ? a->alloc * 2 : 16;
		a->items = realloc(a->items, a->alloc * sizeof(*a->items));
		if (!a->items)
			abort();
	}
	x = &a->items[a->count++];
	x->kind = kind;
	x->task = task;
	x->checkpoint = cp;
	x->days = days;
}

static int cmp_item(const void *x, const void *y)
{
	const dlg_agenda_item *a = x, *b = y;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	/* Latest first among late items, soonest first among the rest. */
	if (a->days != b->days)
		return (a->days < b->days) == (a->kind == DLG_AGENDA_OVERDUE ||
					       a->kind ==
						       DLG_AGENDA_CHECKPOINT_LATE)
			       ? 1 : -1;
	return strcmp(dlg_map_get_str(a->task, "id"),
		      dlg_map_get_str(b->task, "id"));
}

int dlg_agenda_build(dlg_agenda_item **out, size_t *count,
		     dlg_node *const *tasks, size_t ntasks, const char *handle,
		     time_t now, const dlg_events *ev)
{
	agenda a = { NULL, 0, 0 };
	size_t i, j;

	for (i = 0; i < ntasks; i++) {
		const dlg_node *t = tasks[i], *cps;
		const char *status = dlg_map_get_str(t, "status");
		const char *due = dlg_map_get_str(t, "due");
		int mine = str_eq(handle, dlg_map_get_str(t, "assignee"));
		int theirs = str_eq(handle, dlg_map_get_str(t, "delegator"));
		long days = days_between(due, now);

		if (!dlg_task_is_open(t) || (!mine && !theirs))
			continue;
		if (dlg_task_is_overdue(t, now))
			agenda_add(&a, DLG_AGENDA_OVERDUE, t, NULL, -days);
		else if (theirs && !strcmp(status, "review"))
			agenda_add(&a, DLG_AGENDA_REVIEW, t, NULL, days);
		else if (!strcmp(status, "blocked") &&
			 dlg_blocked_days(ev, t, now) > 2)
			agenda_add(&a, DLG_AGENDA_BLOCKED, t, NULL,
				   dlg_blocked_days(ev, t, now));
		else if (mine && due && days <= 7)
			agenda_add(&a, DLG_AGENDA_DUE_SOON, t, NULL, days);
		else if (mine)
			agenda_add(&a, DLG_AGENDA_OPEN, t, NULL, due ? days : 9999);
		if (!strcmp(status, "review") && !theirs)
			continue;
		cps = dlg_map_get(t, "checkpoints");
		for (j = 0; cps && j < cps->count; j++) {
			const dlg_node *cp = cps->items[j];
			long d = days_between(dlg_map_get_str(cp, "due"), now);

			if (str_eq(dlg_map_get_str(cp, "done"), "true"))
				continue;
			if (d < 0)
				agenda_add(&a, DLG_AGENDA_CHECKPOINT_LATE, t, cp,
					   -d);
			else if (d <= 7)
				agenda_add(&a, DLG_AGENDA_CHECKPOINT_SOON, t,
					   cp, d);
		}
	}
	if (a.count)
		qsort(a.items, a.count, sizeof(*a.items), cmp_item);
	*out = a.items;
	*count = a.count;
	return 0;
}
