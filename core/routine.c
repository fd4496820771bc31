/*
 * Routine work: recurring tasks (a series of occurrences, one created as
 * the last is closed) and dependencies between tasks. docs/format.md
 * describes the `recur` and `after` fields; docs/cli.md the commands.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "core.h"

/* ------------------------------------------------------------- rules */

int dlg_recur_parse(dlg_recur_rule *out, const char *every)
{
	static const struct {
		const char *name;
		int months, days;
	} named[] = {
		{ "daily", 0, 1 },     { "weekly", 0, 7 },
		{ "monthly", 1, 0 },   { "quarterly", 3, 0 },
		{ "yearly", 12, 0 },
	};
	dlg_recur_rule r = { 0, 0 };
	size_t i, len = every ? strlen(every) : 0;
	long n = 0;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (every && !strcmp(every, named[i].name)) {
			r.months = named[i].months;
			r.days = named[i].days;
			goto found;
		}
	if (len < 2 || len > 5 || (every[len - 1] != 'd' && every[len - 1] != 'w'))
		return DLG_EINVALID;
	for (i = 0; i < len - 1; i++) {
		if (!isdigit((unsigned char)every[i]))
			return DLG_EINVALID;
		n = n * 10 + (every[i] - '0');
	}
	if (every[len - 1] == 'w')
		n *= 7;
	if (n < 1 || n > 3650 || every[0] == '0')
		return DLG_EINVALID;
	r.days = (int)n;
found:
	if (out)
		*out = r;
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30,
				 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a valid YYYY-MM-DD. */
static long day_number(const char *date)
{
	time_t t = 0;

	dlg_time_parse(&t, date);
	return (long)(t / 86400);
}

static void day_format(char out[DLG_DATE_SIZE], long day)
{
	time_t t = (time_t)day * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* start moved k*months months on, its day kept or, in a shorter month,
 * that month's last day. */
static void add_months(char out[DLG_DATE_SIZE], const char *start, long months)
{
	int y = atoi(start), m = atoi(start + 5), d = atoi(start + 8);
	long idx = (long)y * 12 + (m - 1) + months;

	y = (int)(idx / 12);
	m = (int)(idx % 12) + 1;
	if (d > month_days(y, m))
		d = month_days(y, m);
	snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

int dlg_recur_next_date(char out[DLG_DATE_SIZE], const char *every, const char *start,
			const char *after)
{
	dlg_recur_rule r;
	long k;

	if (dlg_recur_parse(&r, every) < 0 || !dlg_date_valid(start) ||
	    !dlg_date_valid(after)) {
		dlg_error_set("bad recurrence '%s' from '%s'", every ? every : "",
			      start ? start : "");
		return DLG_EINVALID;
	}
	if (strcmp(start, after) > 0) {
		memcpy(out, start, DLG_DATE_SIZE);
		return 0;
	}
	if (r.days) {
		k = (day_number(after) - day_number(start)) / r.days + 1;
		day_format(out, day_number(start) + k * r.days);
		return 0;
	}
	/* Months: from the whole months between the two dates, the first
	 * date of the rule after `after` (at most two steps on). */
	k = ((atol(after) - atol(start)) * 12 + atol(after + 5) -
	     atol(start + 5)) / r.months - 1;
	if (k < 1)
		k = 1;
	for (;; k++) {
		add_months(out, start, k * r.months);
		if (strcmp(out, after) > 0)
			return 0;
		if (k > 1200000) {
			dlg_error_set("bad recurrence '%s' from '%s'", every,
				      start);
			return DLG_EINVALID;
		}
	}
}

/* ------------------------------------------------------- occurrences */

/* Every derived id is a name-based UUID (RFC 4122 version 5) in this
 * namespace, so two replicas derive the same one. */
static const uuid_t recur_ns = { 0x6d, 0x1e, 0x0a, 0x3c, 0x52, 0x8b, 0x4f,
				 0x41, 0x9e, 0x07, 0x2d, 0x5b, 0x8c, 0x13,
				 0x77, 0x0f };

void dlg_recur_id(char out[DLG_TASK_ID_SIZE], const char *series, const char *delegator,
		  const char *due)
{
	dlg_buf name = DLG_BUF_INIT;
	uuid_t u;

	/* The delegator is part of the name: an occurrence someone else
	 * adds first under their own name is another task, and one added
	 * under the delegator's name needs the policy's leave to add it. */
	dlg_buf_printf(&name, "occurrence\n%s\n%s\n%s", series,
		       delegator ? delegator : "", due);
	uuid_generate_sha1(u, recur_ns, name.ptr, name.size);
	uuid_unparse_lower(u, out);
	dlg_buf_dispose(&name);
}

static void item_id(char out[9], const char *task_id, const char *old_id)
{
	dlg_buf name = DLG_BUF_INIT;
	uuid_t u;

	dlg_buf_printf(&name, "item\n%s\n%s", task_id, old_id ? old_id : "");
	uuid_generate_sha1(u, recur_ns, name.ptr, name.size);
	snprintf(out, 9, "%02x%02x%02x%02x", u[0], u[1], u[2], u[3]);
	dlg_buf_dispose(&name);
}

int dlg_recur_begin(dlg_node *task, const char *every, const char *until)
{
	const char *due = dlg_map_get_str(task, "due");
	dlg_node *r;

	if (dlg_recur_parse(NULL, every) < 0) {
		dlg_error_set("--every: bad rule '%s' (expected daily, weekly, "
			      "monthly, quarterly, yearly, Nd or Nw with N "
			      "from 1 to 3650)", every);
		return DLG_EUSAGE;
	}
	if (!due) {
		dlg_error_set("--every needs --due: the first occurrence's due "
			      "date, which the series counts from");
		return DLG_EUSAGE;
	}
	if (until && strcmp(until, due) < 0) {
		dlg_error_set("--until %s is before the first due date %s",
			      until, due);
		return DLG_EUSAGE;
	}
	r = dlg_node_new_map();
	dlg_map_set_str(r, "every", every);
	dlg_map_set(r, "start", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, due));
	if (until)
		dlg_map_set(r, "until",
			    dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, until));
	else
		dlg_map_set_null(r, "until");
	dlg_map_set_str(r, "series", dlg_map_get_str(task, "id"));
	dlg_map_set(task, "recur", r);
	return 0;
}

/* A keyed list copied for the next occurrence: ids derived, `flag`
 * (met, done) reset, dates (`due`) moved by shift days. */
static dlg_node *copy_items(const dlg_node *list, const char *task_id,
			    const char *flag, long shift)
{
	dlg_node *out = dlg_node_new_seq();
	size_t i;

	for (i = 0; list && list->kind == DLG_NODE_SEQ && i < list->count; i++) {
		dlg_node *it = dlg_node_dup(list->items[i]);
		const char *due = dlg_map_get_str(it, "due");
		char id[9], date[DLG_DATE_SIZE];

		item_id(id, task_id, dlg_map_get_str(it, "id"));
		dlg_map_set_str(it, "id", id);
		if (dlg_map_get(it, flag))
			dlg_map_set(it, flag, dlg_node_new_scalar(DLG_SCALAR_BOOL,
								  "false"));
		if (due && dlg_date_valid(due)) {
			day_format(date, day_number(due) + shift);
			dlg_map_set(it, "due", dlg_node_new_scalar(
						       DLG_SCALAR_TIMESTAMP, date));
		}
		dlg_seq_push(out, it);
	}
	return out;
}

int dlg_recur_next(dlg_node **out, const dlg_node *task, const char *handle,
		   time_t now)
{
	const dlg_node *r = dlg_map_get(task, "recur");
	const char *every = dlg_map_get_str(r, "every");
	const char *start = dlg_map_get_str(r, "start");
	const char *until = dlg_map_get_str(r, "until");
	const char *series = dlg_map_get_str(r, "series");
	const char *due = dlg_map_get_str(task, "due");
	static const char *const dropped[] = { "feedback", "spent", "conflicts",
					       "due_request", "after", NULL };
	char next[DLG_DATE_SIZE], id[DLG_TASK_ID_SIZE], stamp[DLG_TIME_SIZE];
	dlg_node *t, *ex;
	size_t i;
	int error;

	*out = NULL;
	if (!r || r->kind != DLG_NODE_MAP || !every || !start || !series)
		return 0;
	/* From the due date this occurrence had: the series stays on its
	 * dates, whenever the occurrence was closed, on any replica. */
	if ((error = dlg_recur_next_date(next, every, start,
					 due ? due : start)) < 0)
		return error;
	if (until && strcmp(next, until) > 0)
		return 0;
	dlg_recur_id(id, series, dlg_map_get_str(task, "delegator"), next);
	t = dlg_node_dup(task);
	dlg_map_set_str(t, "id", id);
	dlg_map_set_str(t, "status", "open");
	dlg_map_set(t, "due", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, next));
	dlg_time_format(stamp, now);
	dlg_map_set(t, "created", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP,
						      stamp));
	dlg_map_set_null(t, "started");
	dlg_map_set_null(t, "closed");
	for (i = 0; dropped[i]; i++)
		dlg_map_remove(t, dropped[i]);
	dlg_map_set(t, "feedback", dlg_node_new_seq());
	ex = dlg_map_get(t, "expectations");
	if (ex && ex->kind == DLG_NODE_MAP)
		dlg_map_set(ex, "acceptance",
			    copy_items(dlg_map_get(ex, "acceptance"), id, "met",
				       0));
	dlg_map_set(t, "checkpoints",
		    copy_items(dlg_map_get(task, "checkpoints"), id, "done",
			       day_number(next) -
				       day_number(due ? due : start)));
	dlg_task_touch(t, handle, now);
	*out = t;
	return 0;
}

/* ------------------------------------------------------ dependencies */

static int is_done(const dlg_node *task)
{
	const char *s = dlg_map_get_str(task, "status");

	return s && !strcmp(s, "done");
}

size_t dlg_after_pending(dlg_buf *out, const dlg_node *task,
			 dlg_task_lookup_fn lookup, void *payload)
{
	const dlg_node *after = dlg_map_get(task, "after");
	size_t i, n = 0;

	for (i = 0; after && after->kind == DLG_NODE_SEQ && i < after->count;
	     i++) {
		const char *id = after->items[i]->value;
		const dlg_node *dep = lookup(id, payload);

		if (dep && is_done(dep))
			continue;
		if (out)
			dlg_buf_printf(out, "%s%.8s %s (%s)", n ? ", " : "", id,
				       dep ? dlg_map_get_str(dep, "title")
					   : "(no such task)",
				       dep ? dlg_map_get_str(dep, "status")
					   : "missing");
		n++;
	}
	return n;
}

/* Depth-first from `at` along `after`: whether `target` is reached. The
 * tasks on the way go to path, deepest first (target, ..., at). */
typedef struct {
	dlg_task_lookup_fn lookup;
	void *payload;
	const char *target;
	char (*seen)[DLG_TASK_ID_SIZE];
	size_t nseen, max;
	const char *path[64];
	size_t npath;
} walk;

static int reaches(walk *w, const char *at, int depth)
{
	const dlg_node *t, *after;
	size_t i;

	if (!strcmp(at, w->target))
		goto on_path;
	for (i = 0; i < w->nseen; i++)
		if (!strcmp(w->seen[i], at))
			return 0;
	if (w->nseen < w->max)
		snprintf(w->seen[w->nseen++], sizeof(w->seen[0]), "%s", at);
	if (depth > 1000 || !(t = w->lookup(at, w->payload)))
		return 0;
	after = dlg_map_get(t, "after");
	for (i = 0; after && after->kind == DLG_NODE_SEQ && i < after->count;
	     i++)
		if (reaches(w, after->items[i]->value, depth + 1))
			goto on_path;
	return 0;
on_path:
	if (w->npath < sizeof(w->path) / sizeof(w->path[0]))
		w->path[w->npath++] = at;
	return 1;
}

int dlg_after_cycle(dlg_buf *out, const char *id, const dlg_node *after,
		    dlg_task_lookup_fn lookup, void *payload)
{
	walk w;
	size_t i;
	int found = 0;

	memset(&w, 0, sizeof(w));
	w.lookup = lookup;
	w.payload = payload;
	w.target = id;
	w.max = 4096;
	if (!(w.seen = calloc(w.max, DLG_TASK_ID_SIZE)))
		abort();
	for (i = 0; after && after->kind == DLG_NODE_SEQ && i < after->count &&
		    !found; i++) {
		w.npath = 0;
		found = reaches(&w, after->items[i]->value, 0);
	}
	if (found) {
		/* as it runs: "a after b after c after a" */
		dlg_buf_printf(out, "%.8s", id);
		for (i = w.npath; i-- > 0;)
			dlg_buf_printf(out, " after %.8s", w.path[i]);
	}
	free(w.seen);
	return found;
}

/* --------------------------------------------------------- templates */

static void copy_key(dlg_node *to, const dlg_node *from, const char *key)
{
	const dlg_node *v = dlg_map_get(from, key);

	if (v && !(v->kind == DLG_NODE_SCALAR && v->type == DLG_SCALAR_NULL) &&
	    !(v->kind == DLG_NODE_SEQ && !v->count))
		dlg_map_set(to, key, dlg_node_dup(v));
}

int dlg_template_from_task(dlg_node **out, const dlg_node *task,
			   const char *name)
{
	static const char *const keys[] = { "title", "priority", "autonomy",
					     "estimate_hours", "tags", "skills",
					     "why", NULL };
	const dlg_node *ex = dlg_map_get(task, "expectations"), *l;
	const char *due = dlg_map_get_str(task, "due");
	dlg_node *t = dlg_node_new_map(), *tex = dlg_node_new_map(), *cps;
	size_t i;

	dlg_map_set(t, "format", dlg_node_new_scalar(DLG_SCALAR_INT, "1"));
	dlg_map_set_str(t, "name", name);
	for (i = 0; keys[i]; i++)
		copy_key(t, task, keys[i]);
	copy_key(tex, ex, "outcome");
	copy_key(tex, ex, "quality");
	copy_key(tex, ex, "process");
	l = dlg_map_get(ex, "acceptance");
	if (l && l->kind == DLG_NODE_SEQ && l->count) {
		dlg_node *acc = dlg_node_new_seq();

		for (i = 0; i < l->count; i++)
			if (dlg_map_get_str(l->items[i], "text"))
				dlg_seq_push(acc, dlg_node_new_str(dlg_map_get_str(
						  l->items[i], "text")));
		dlg_map_set(tex, "acceptance", acc);
	}
	if (tex->count)
		dlg_map_set(t, "expectations", tex);
	else
		dlg_node_free(tex);
	/* checkpoints: as long before the due date as they were */
	l = dlg_map_get(task, "checkpoints");
	cps = dlg_node_new_seq();
	for (i = 0; due && l && l->kind == DLG_NODE_SEQ && i < l->count; i++) {
		const char *cd = dlg_map_get_str(l->items[i], "due");
		dlg_node *cp;
		char before[16];
		long days;

		if (!cd || !dlg_date_valid(cd) ||
		    (days = day_number(due) - day_number(cd)) < 0)
			continue; /* after the due date: no "before" for it */
		cp = dlg_node_new_map();
		snprintf(before, sizeof(before), "%ldd", days);
		dlg_map_set_str(cp, "before", before);
		dlg_map_set_str(cp, "what", dlg_map_get_str(l->items[i], "what"));
		dlg_seq_push(cps, cp);
	}
	if (cps->count)
		dlg_map_set(t, "checkpoints", cps);
	else
		dlg_node_free(cps);
	*out = t;
	return 0;
}

int dlg_template_apply(dlg_node *task, const dlg_node *tmpl)
{
	const dlg_node *tex = dlg_map_get(tmpl, "expectations");
	const dlg_node *cps = dlg_map_get(tmpl, "checkpoints"), *l;
	dlg_node *ex = dlg_map_get(task, "expectations");
	const char *due = dlg_map_get_str(task, "due");
	static const char *const scalars[] = { "priority", "autonomy",
					       "estimate_hours", "why", NULL };
	static const char *const sets[] = { "tags", "skills", NULL };
	size_t i, j;

	if (cps && cps->kind == DLG_NODE_SEQ && cps->count && !due) {
		dlg_error_set("template '%s' has checkpoints, counted back from "
			      "the due date: give --due",
			      dlg_map_get_str(tmpl, "name"));
		return DLG_EUSAGE;
	}
	for (i = 0; scalars[i]; i++)
		copy_key(task, tmpl, scalars[i]);
	for (i = 0; sets[i]; i++) {
		dlg_node *set = dlg_map_get(task, sets[i]);

		l = dlg_map_get(tmpl, sets[i]);
		for (j = 0; set && l && l->kind == DLG_NODE_SEQ && j < l->count;
		     j++)
			dlg_seq_push(set, dlg_node_dup(l->items[j]));
	}
	copy_key(ex, tex, "outcome");
	copy_key(ex, tex, "process");
	l = dlg_map_get(tex, "quality");
	for (j = 0; l && l->kind == DLG_NODE_SEQ && j < l->count; j++)
		dlg_seq_push(dlg_map_get(ex, "quality"),
			     dlg_node_dup(l->items[j]));
	l = dlg_map_get(tex, "acceptance");
	for (j = 0; l && l->kind == DLG_NODE_SEQ && j < l->count; j++) {
		dlg_node *c = dlg_node_new_map();
		char id[9];

		dlg_item_id_new(id);
		dlg_map_set_str(c, "id", id);
		dlg_map_set_str(c, "text", l->items[j]->value);
		dlg_map_set(c, "met", dlg_node_new_scalar(DLG_SCALAR_BOOL,
							  "false"));
		dlg_seq_push(dlg_map_get(ex, "acceptance"), c);
	}
	for (j = 0; cps && cps->kind == DLG_NODE_SEQ && j < cps->count; j++) {
		dlg_node *c = dlg_node_new_map();
		long secs = 0;
		char id[9], date[DLG_DATE_SIZE];

		dlg_duration_parse(&secs, dlg_map_get_str(cps->items[j],
							  "before"));
		day_format(date, day_number(due) - secs / 86400);
		dlg_item_id_new(id);
		dlg_map_set_str(c, "id", id);
		dlg_map_set(c, "due", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP,
							  date));
		dlg_map_set_str(c, "what",
				dlg_map_get_str(cps->items[j], "what"));
		dlg_map_set(c, "done", dlg_node_new_scalar(DLG_SCALAR_BOOL,
							   "false"));
		dlg_seq_push(dlg_map_get(task, "checkpoints"), c);
	}
	return 0;
}
