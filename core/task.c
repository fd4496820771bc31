/* Tasks: creation, fields, the workflow of SPEC 5, field-by-field diffs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const char *const action_names[] = { "start", "block", "submit",
					    "accept", "reject", "reopen",
					    "cancel", NULL };

int dlg_action_parse(dlg_action *out, const char *name)
{
	int i = dlg_enum_index(action_names, name);

	if (i < 0)
		return -1;
	*out = (dlg_action)i;
	return 0;
}

const char *dlg_action_name(dlg_action a)
{
	return action_names[a];
}

static void set_time(dlg_node *map, const char *key, time_t t)
{
	char buf[DLG_TIME_SIZE];

	dlg_time_format(buf, t);
	dlg_map_set(map, key, dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, buf));
}

void dlg_task_touch(dlg_node *task, const char *handle, time_t now)
{
	set_time(task, "updated", now);
	dlg_map_set_str(task, "updated_by", handle);
}

dlg_node *dlg_task_new(const char *uuid, const char *title,
		       const char *delegator, time_t now)
{
	dlg_node *t = dlg_node_new_map();
	dlg_node *ex = dlg_node_new_map();

	dlg_map_set(t, "format", dlg_node_new_scalar(DLG_SCALAR_INT, "1"));
	dlg_map_set_str(t, "id", uuid);
	dlg_map_set_str(t, "title", title);
	dlg_map_set_str(t, "status", "open");
	dlg_map_set_str(t, "priority", "normal");
	dlg_map_set(t, "core", dlg_node_new_scalar(DLG_SCALAR_BOOL, "false"));
	dlg_map_set_str(t, "delegator", delegator);
	dlg_map_set_null(t, "assignee");
	set_time(t, "created", now);
	dlg_map_set_null(t, "due");
	dlg_map_set_null(t, "started");
	dlg_map_set_null(t, "closed");
	dlg_task_touch(t, delegator, now);
	dlg_map_set_null(t, "estimate_hours");
	dlg_map_set(t, "tags", dlg_node_new_seq());
	dlg_map_set(t, "skills", dlg_node_new_seq());
	dlg_map_set_null(t, "why");
	dlg_map_set_null(ex, "outcome");
	dlg_map_set(ex, "quality", dlg_node_new_seq());
	dlg_map_set(ex, "acceptance", dlg_node_new_seq());
	dlg_map_set_null(ex, "process");
	dlg_map_set(t, "expectations", ex);
	dlg_map_set(t, "checkpoints", dlg_node_new_seq());
	dlg_map_set(t, "feedback", dlg_node_new_seq());
	return t;
}

/* A scalar typed the way YAML would read the text, or null for "". */
static dlg_node *typed_scalar(const dlg_field *f, const char *value)
{
	if (!*value || !strcmp(value, "null") || !strcmp(value, "~"))
		return dlg_node_new_null();
	switch (f->type) {
	case DLG_T_INT:
	case DLG_T_NUM:
	case DLG_T_BOOL:
		return dlg_node_new_scalar(dlg_yaml_resolve(value), value);
	default:
		return dlg_node_new_str(value);
	}
}

/*
 * A set from KEY=VALUE text: "a,b" replaces it; "+a,-b" adds a and
 * removes b, an item without a sign taking the one before it ("+a,b" adds
 * both). A member that starts with a sign is written after its own: "+-x"
 * adds "-x". Refused (a usage error): a new list with edits in it ("a,-b").
 */
static int set_members(dlg_node *set, const char *key, const char *value)
{
	const char *p = value + strspn(value, " ");
	int replace = *p != '+' && *p != '-', mode = '+';

	/* Checked whole before anything changes. */
	for (p = value; replace && *p; p += strcspn(p, ",")) {
		p += strspn(p, " ,");
		if (*p == '+' || *p == '-') {
			dlg_error_set("%s: '%s' is a new list with an edit in it "
				      "(%s=a,b replaces the list; %s=+a,-b "
				      "adds a and removes b)", key, value, key,
				      key);
			return DLG_EUSAGE;
		}
	}
	if (replace)
		while (set->count)
			dlg_seq_remove(set, set->count - 1);
	for (p = value; *p;) {
		size_t n, i;
		char *item, *s, *e;

		p += strspn(p, " ");
		if (!replace && (*p == '+' || *p == '-'))
			mode = *p++;
		n = strcspn(p, ",");
		item = dlg_strndup(p, n);
		s = item;
		e = s + strlen(s);
		while (e > s && e[-1] == ' ')
			*--e = '\0';
		for (i = 0; *s && i < set->count; i++)
			if (!strcmp(set->items[i]->value, s))
				dlg_seq_remove(set, i--);
		if (*s && mode == '+')
			dlg_seq_push(set, dlg_node_new_str(s));
		free(item);
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int dlg_task_set_field(dlg_node *task, const char *key, const char *value)
{
	static const char *const settable[] = {
		"title", "priority", "core", "due", "estimate_hours", "tags",
		"skills", "why", "assignee", "delegator", "autonomy", NULL
	};
	static const char *const expectations[] = { "outcome", "process",
						    "quality", NULL };
	const char *sub = key;
	dlg_node *map = task;
	const dlg_schema *schema = &dlg_schema_task;
	const dlg_field *f;

	if (!strncmp(key, "expectations.", 13))
		sub = key + 13;
	if (sub != key || dlg_enum_index(expectations, key) >= 0) {
		map = dlg_map_get(task, "expectations");
		schema = dlg_schema_field(&dlg_schema_task, "expectations")->sub;
		if (dlg_enum_index(expectations, sub) < 0) {
			dlg_error_set("cannot set '%s' (expected outcome, "
				      "process or quality)", key);
			return DLG_EUSAGE;
		}
	} else if (!strcmp(key, "status")) {
		dlg_error_set("status changes through the workflow: use "
			      "start, block, submit, accept, reject, reopen "
			      "or cancel");
		return DLG_EUSAGE;
	} else if (dlg_enum_index(settable, key) < 0) {
		dlg_error_set("cannot set '%s' (expected one of title, "
			      "priority, core, due, estimate_hours, tags, "
			      "skills, why, assignee, delegator, autonomy, "
			      "outcome, process, quality)", key);
		return DLG_EUSAGE;
	}
	f = dlg_schema_field(schema, sub);
	if (f->type == DLG_T_SET || f->type == DLG_T_LIST) {
		dlg_node *set = dlg_map_get(map, sub);

		if (!set || set->kind != DLG_NODE_SEQ) {
			set = dlg_node_new_seq();
			dlg_map_set(map, sub, set);
		}
		if (f->type == DLG_T_LIST) {
			if (*value)
				dlg_seq_push(set, dlg_node_new_str(value));
		} else {
			return set_members(set, key, value);
		}
		return 0;
	}
	if (!(f->flags & (DLG_F_NULLABLE | DLG_F_REQUIRED)) &&
	    (!*value || !strcmp(value, "null"))) {
		dlg_map_remove(map, sub); /* an optional field, cleared */
		return 0;
	}
	dlg_map_set(map, sub, typed_scalar(f, value));
	return 0;
}

int dlg_task_is_open(const dlg_node *task)
{
	const char *s = dlg_map_get_str(task, "status");

	return s && strcmp(s, "done") && strcmp(s, "cancelled");
}

static int date_passed(const char *date, time_t now)
{
	char today[DLG_DATE_SIZE];

	dlg_date_format(today, now);
	return date && strcmp(date, today) < 0;
}

int dlg_task_is_overdue(const dlg_node *task, time_t now)
{
	return dlg_task_is_open(task) &&
	       date_passed(dlg_map_get_str(task, "due"), now);
}

void dlg_task_add_feedback(dlg_node *task, const char *author, const char *kind,
			 const char *text, time_t now)
{
	dlg_node *fb = dlg_map_get(task, "feedback");
	dlg_node *item = dlg_node_new_map();
	char id[9];

	if (!fb || fb->kind != DLG_NODE_SEQ) {
		fb = dlg_node_new_seq();
		dlg_map_set(task, "feedback", fb);
	}
	dlg_item_id_new(id);
	dlg_map_set_str(item, "id", id);
	set_time(item, "at", now);
	dlg_map_set_str(item, "author", author);
	dlg_map_set_str(item, "kind", kind);
	dlg_map_set_str(item, "text", text);
	dlg_seq_push(fb, item);
}

static int is_delegator_side(const dlg_node *task, const dlg_actor *who)
{
	const char *d = dlg_map_get_str(task, "delegator");

	return (d && !strcmp(d, who->handle)) ||
	       !strcmp(who->role, "director") || !strcmp(who->role, "manager");
}

static int is_assignee(const dlg_node *task, const dlg_actor *who)
{
	const char *a = dlg_map_get_str(task, "assignee");

	return a && !strcmp(a, who->handle);
}

/* The acceptance criteria not met, as "'text' (id)" joined by ", ". */
static size_t unmet_criteria(dlg_buf *out, const dlg_node *task)
{
	const dlg_node *list =
		dlg_map_get(dlg_map_get(task, "expectations"), "acceptance");
	size_t i, n = 0;

	for (i = 0; list && list->kind == DLG_NODE_SEQ && i < list->count;
	     i++) {
		const dlg_node *c = list->items[i];
		const char *met = dlg_map_get_str(c, "met");

		if (met && !strcmp(met, "true"))
			continue;
		dlg_buf_printf(out, "%s'%s' (%s)", n++ ? ", " : "",
			       dlg_map_get_str(c, "text") ? dlg_map_get_str(c, "text")
							  : "",
			       dlg_map_get_str(c, "id") ? dlg_map_get_str(c, "id")
							: "?");
	}
	return n;
}

int dlg_task_act(dlg_node *task, dlg_action action, const dlg_actor *who,
		 const char *message, time_t now)
{
	return dlg_task_act_flags(task, action, who, message, now, 0);
}

/* What each action does: the statuses it may come from ('|'-separated),
 * the one it goes to (NULL: back to open or in-progress), who may do it,
 * the feedback kind of its -m and whether that is needed. */
static const struct {
	const char *from;
	const char *to;
	int delegator_only;
	const char *kind;
	int needs_message;
} act_rules[] = {
	[DLG_ACT_START] = { "|open|blocked|", "in-progress", 0, "progress",
			    0 },
	[DLG_ACT_BLOCK] = { "|open|in-progress|", "blocked", 0, "concern",
			    1 },
	[DLG_ACT_SUBMIT] = { "|in-progress|", "review", 0, "progress", 0 },
	[DLG_ACT_ACCEPT] = { "|review|", "done", 1, "review", 0 },
	[DLG_ACT_REJECT] = { "|review|", "in-progress", 1, "review", 1 },
	[DLG_ACT_REOPEN] = { "|done|cancelled|", NULL, 1, "guidance", 0 },
	[DLG_ACT_CANCEL] = { "|open|in-progress|blocked|review|", "cancelled",
			     1, "guidance", 0 },
};

/* May `who` take the action on the task, in its status, with message? */
static int act_allowed(const dlg_node *task, dlg_action action,
		       const dlg_actor *who, const char *message)
{
	const char *status = dlg_map_get_str(task, "status");
	char pattern[32];

	snprintf(pattern, sizeof(pattern), "|%s|", status);
	if (!strstr(act_rules[action].from, pattern)) {
		dlg_error_set("cannot %s a task that is %s (it must be %.*s)",
			      action_names[action], status,
			      (int)strlen(act_rules[action].from) - 2,
			      act_rules[action].from + 1);
		return DLG_EINVALID;
	}
	if (!dlg_map_get_str(task, "assignee") &&
	    (action == DLG_ACT_START || action == DLG_ACT_SUBMIT)) {
		dlg_error_set("the task has no assignee (run 'delegit assign' "
			      "first)");
		return DLG_EINVALID;
	}
	if (act_rules[action].delegator_only ? !is_delegator_side(task, who)
					     : !is_assignee(task, who) &&
					       !is_delegator_side(task, who)) {
		dlg_error_set("'%s' may not %s this task (only %s)",
			      who->handle, action_names[action],
			      act_rules[action].delegator_only
				      ? "its delegator, a director or a manager"
				      : "its assignee or its delegator");
		return DLG_EDENIED;
	}
	if (act_rules[action].needs_message && (!message || !*message)) {
		dlg_error_set("%s needs a reason: -m TEXT",
			      action_names[action]);
		return DLG_EUSAGE;
	}
	return 0;
}

int dlg_task_act_flags(dlg_node *task, dlg_action action,
		       const dlg_actor *who, const char *message, time_t now,
		       unsigned flags)
{
	dlg_buf unmet = DLG_BUF_INIT, note = DLG_BUF_INIT;
	const char *to = act_rules[action].to;
	size_t nunmet;
	int error;

	if ((error = act_allowed(task, action, who, message)) < 0)
		return error;
	if (action == DLG_ACT_ACCEPT &&
	    (nunmet = unmet_criteria(&unmet, task)) > 0) {
		if (!(flags & DLG_ACT_FORCE)) {
			dlg_error_set("cannot accept: %zu acceptance "
				      "criteri%s not met: %s (tick %s with "
				      "'delegit accept-criterion ID CID', or "
				      "accept anyway with --force)", nunmet,
				      nunmet == 1 ? "on" : "a", unmet.ptr,
				      nunmet == 1 ? "it" : "them");
			error = DLG_EINVALID;
			goto done;
		}
		dlg_buf_printf(&note, "accepted with %zu acceptance "
			       "criteri%s unmet: %s", nunmet,
			       nunmet == 1 ? "on" : "a", unmet.ptr);
		if (message && *message)
			dlg_buf_printf(&note, "\n%s", message);
		message = note.ptr;
	}
	if (!to)
		to = dlg_map_get_str(task, "started") ? "in-progress" : "open";
	dlg_map_set_str(task, "status", to);
	if (!strcmp(to, "in-progress") && !dlg_map_get_str(task, "started"))
		set_time(task, "started", now);
	if (!strcmp(to, "done") || !strcmp(to, "cancelled"))
		set_time(task, "closed", now);
	else
		dlg_map_set_null(task, "closed");
	if (message && *message)
		dlg_task_add_feedback(task, who->handle, act_rules[action].kind,
				      message, now);
	dlg_task_touch(task, who->handle, now);
	error = 0;
done:
	dlg_buf_dispose(&unmet);
	dlg_buf_dispose(&note);
	return error;
}

/* ---------------------------------------------------------- time spent */

int dlg_task_add_spent(dlg_node *task, const char *by, double hours,
		       const char *note, time_t now)
{
	dlg_node *list = dlg_map_get(task, "spent"), *item;
	char id[9], num[32];

	if (!(hours > 0) || hours > 1000) {
		dlg_error_set("hours spent must be more than 0 and at most "
			      "1000 (got %g)", hours);
		return DLG_EUSAGE;
	}
	if (!list || list->kind != DLG_NODE_SEQ) {
		list = dlg_node_new_seq();
		dlg_map_set(task, "spent", list);
	}
	item = dlg_node_new_map();
	dlg_item_id_new(id);
	dlg_map_set_str(item, "id", id);
	set_time(item, "at", now);
	dlg_map_set_str(item, "by", by);
	/* a number as the schema has it: 1.5, or 2 */
	snprintf(num, sizeof(num), "%.2f", hours);
	while (num[strlen(num) - 1] == '0')
		num[strlen(num) - 1] = '\0';
	if (num[strlen(num) - 1] == '.')
		num[strlen(num) - 1] = '\0';
	dlg_map_set(item, "hours", dlg_node_new_scalar(dlg_yaml_resolve(num),
						       num));
	if (note && *note)
		dlg_map_set_str(item, "note", note);
	dlg_seq_push(list, item);
	dlg_task_touch(task, by, now);
	return 0;
}

double dlg_task_spent(const dlg_node *task, const char *by, time_t since,
		      time_t until)
{
	const dlg_node *list = dlg_map_get(task, "spent");
	const char *sum = dlg_map_get_str(task, "spent_hours");
	double hours = 0;
	size_t i;

	if (!list && sum && !by && !since && !until)
		return atof(sum); /* a row's sum: see dlg_row_task */
	for (i = 0; list && list->kind == DLG_NODE_SEQ && i < list->count;
	     i++) {
		const dlg_node *e = list->items[i];
		const char *h = dlg_map_get_str(e, "hours");
		const char *at = dlg_map_get_str(e, "at");
		time_t t;

		if (!h || (by && (!dlg_map_get_str(e, "by") ||
				  strcmp(dlg_map_get_str(e, "by"), by))))
			continue;
		if ((since || until) &&
		    (!at || dlg_time_parse(&t, at) < 0 ||
		     (since && t < since) || (until && t >= until)))
			continue;
		hours += atof(h);
	}
	return hours;
}

double dlg_task_open_hours(const dlg_node *task)
{
	const char *est = dlg_map_get_str(task, "estimate_hours");
	double left;

	if (!est)
		return 0;
	left = atof(est) - dlg_task_spent(task, NULL, 0, 0);
	return left > 0 ? left : 0;
}

int dlg_hours_parse(double *out, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || !(v > 0))
		return -1;
	if (!strcmp(end, "m"))
		v /= 60.0;
	else if (*end && strcmp(end, "h"))
		return -1;
	if (v > 1000)
		return -1;
	*out = v;
	return 0;
}

/* ------------------------------------------------- due date requests */

int dlg_task_ask_due(dlg_node *task, const dlg_actor *who, const char *date,
		     const char *why, time_t now)
{
	const char *due = dlg_map_get_str(task, "due");
	dlg_node *req;
	dlg_buf note = DLG_BUF_INIT;

	if (!dlg_task_is_open(task)) {
		dlg_error_set("the task is %s: no due date to move",
			      dlg_map_get_str(task, "status"));
		return DLG_EINVALID;
	}
	if (!is_assignee(task, who)) {
		dlg_error_set("'%s' may not ask for a new due date (only the "
			      "assignee; the delegator changes it with 'delegit "
			      "set ID due=DATE')", who->handle);
		return DLG_EDENIED;
	}
	if (!dlg_date_valid(date)) {
		dlg_error_set("bad date '%s' (expected YYYY-MM-DD)", date);
		return DLG_EUSAGE;
	}
	if (due && !strcmp(due, date)) {
		dlg_error_set("the task is due on %s already", date);
		return DLG_EINVALID;
	}
	if (!why || !*why) {
		dlg_error_set("ask-due needs a reason: -m TEXT");
		return DLG_EUSAGE;
	}
	req = dlg_node_new_map();
	dlg_map_set(req, "due", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, date));
	dlg_map_set_str(req, "by", who->handle);
	set_time(req, "at", now);
	dlg_map_set_str(req, "why", why);
	dlg_map_set(task, "due_request", req);
	dlg_buf_printf(&note, "asks to move the due date from %s to %s: %s",
		       due ? due : "(none)", date, why);
	dlg_task_add_feedback(task, who->handle, "concern", note.ptr, now);
	dlg_buf_dispose(&note);
	dlg_task_touch(task, who->handle, now);
	return 0;
}

int dlg_task_answer_due(dlg_node *task, const dlg_actor *who, int grant,
			const char *message, time_t now)
{
	const dlg_node *req = dlg_map_get(task, "due_request");
	const char *due = dlg_map_get_str(task, "due");
	const char *date = dlg_map_get_str(req, "due");
	const char *by = dlg_map_get_str(req, "by");
	dlg_buf note = DLG_BUF_INIT;

	if (!req || req->kind != DLG_NODE_MAP || !date) {
		dlg_error_set("no due date was asked for (the assignee asks "
			      "with 'delegit ask-due ID DATE -m REASON')");
		return DLG_EINVALID;
	}
	if (!is_delegator_side(task, who)) {
		dlg_error_set("'%s' may not %s the request (only its delegator, "
			      "a director or a manager)", who->handle,
			      grant ? "grant" : "decline");
		return DLG_EDENIED;
	}
	if (!grant && (!message || !*message)) {
		dlg_error_set("decline needs a reason: -m TEXT");
		return DLG_EUSAGE;
	}
	if (grant)
		dlg_buf_printf(&note, "granted %s's request: due %s (was %s)",
			       by ? by : "?", date, due ? due : "none");
	else
		dlg_buf_printf(&note, "declined %s's request to move the due "
			       "date to %s", by ? by : "?", date);
	if (message && *message)
		dlg_buf_printf(&note, ": %s", message);
	if (grant)
		dlg_map_set(task, "due",
			    dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, date));
	dlg_task_add_feedback(task, who->handle, "guidance", note.ptr, now);
	dlg_buf_dispose(&note);
	/* last: date and by point into the request */
	dlg_map_remove(task, "due_request");
	dlg_task_touch(task, who->handle, now);
	return 0;
}

/* ---------------------------------------------------------------- diff */

static void change_add(dlg_changes *c, const char *field, const dlg_node *from,
		       const dlg_node *to)
{
	dlg_buf a = DLG_BUF_INIT, b = DLG_BUF_INIT;
	dlg_change *x;

	if (c->count == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 8;
		c->items = realloc(c->items, c->alloc * sizeof(*c->items));
		if (!c->items)
			abort();
	}
	x = &c->items[c->count++];
	x->field = dlg_strdup(field);
	if (from)
		dlg_node_summary(&a, from);
	if (to)
		dlg_node_summary(&b, to);
	while (a.size && a.ptr[a.size - 1] == ' ')
		a.ptr[--a.size] = '\0';
	while (b.size && b.ptr[b.size - 1] == ' ')
		b.ptr[--b.size] = '\0';
	x->from = from ? dlg_buf_detach(&a) : NULL;
	x->to = to ? dlg_buf_detach(&b) : NULL;
}

static int is_null(const dlg_node *n)
{
	return !n || (n->kind == DLG_NODE_SCALAR && n->type == DLG_SCALAR_NULL);
}

static int is_empty(const dlg_node *n)
{
	return is_null(n) || (n->kind != DLG_NODE_SCALAR && !n->count);
}

static int keyed_list(const dlg_node *n)
{
	size_t i;

	if (!n || n->kind != DLG_NODE_SEQ || !n->count)
		return 0;
	for (i = 0; i < n->count; i++)
		if (!dlg_map_get_str(n->items[i], "id"))
			return 0;
	return 1;
}

static void diff_node(dlg_changes *c, const char *field, const dlg_node *a,
		      const dlg_node *b, int top)
{
	dlg_buf name = DLG_BUF_INIT;
	size_t i;

	static const dlg_node empty_map = { DLG_NODE_MAP };

	if (dlg_node_equal(a, b) || (is_empty(a) && is_empty(b)))
		return;
	/* A map that appears or goes: its fields, one by one. */
	if (a && a->kind == DLG_NODE_MAP && is_empty(b))
		b = &empty_map;
	if (b && b->kind == DLG_NODE_MAP && is_empty(a))
		a = &empty_map;
	if (a && b && a->kind == DLG_NODE_MAP && b->kind == DLG_NODE_MAP) {
		for (i = 0; i < a->count; i++) {
			if (top && (!strcmp(a->keys[i], "updated") ||
				    !strcmp(a->keys[i], "updated_by")))
				continue;
			dlg_buf_clear(&name);
			dlg_buf_printf(&name, "%s%s%s", field,
				       *field ? "." : "", a->keys[i]);
			diff_node(c, name.ptr, a->items[i],
				  dlg_map_get(b, a->keys[i]), 0);
		}
		for (i = 0; i < b->count; i++) {
			if (dlg_map_get(a, b->keys[i]) ||
			    (top && (!strcmp(b->keys[i], "updated") ||
				     !strcmp(b->keys[i], "updated_by"))))
				continue;
			dlg_buf_clear(&name);
			dlg_buf_printf(&name, "%s%s%s", field,
				       *field ? "." : "", b->keys[i]);
			diff_node(c, name.ptr, NULL, b->items[i], 0);
		}
	} else if ((keyed_list(a) || is_null(a) || !a->count) &&
		   (keyed_list(b) || is_null(b) || !b->count) &&
		   (keyed_list(a) || keyed_list(b))) {
		for (i = 0; a && a->kind == DLG_NODE_SEQ && i < a->count; i++) {
			const char *id = dlg_map_get_str(a->items[i], "id");

			dlg_buf_clear(&name);
			dlg_buf_printf(&name, "%s[%s]", field, id);
			if (dlg_seq_find_id(b, id))
				diff_node(c, name.ptr, a->items[i],
					  dlg_seq_find_id(b, id), 0);
			else
				change_add(c, name.ptr, a->items[i], NULL);
		}
		for (i = 0; b && b->kind == DLG_NODE_SEQ && i < b->count; i++) {
			const char *id = dlg_map_get_str(b->items[i], "id");

			if (dlg_seq_find_id(a, id))
				continue;
			dlg_buf_clear(&name);
			dlg_buf_printf(&name, "%s[%s]", field, id);
			change_add(c, name.ptr, NULL, b->items[i]);
		}
	} else {
		change_add(c, field, a, b);
	}
	dlg_buf_dispose(&name);
}

int dlg_doc_diff(dlg_changes *out, const dlg_node *from, const dlg_node *to)
{
	/* A new or deleted document differs from an empty one in every
	 * field it holds. */
	dlg_node *empty = dlg_node_new_map();

	diff_node(out, "", from ? from : empty, to ? to : empty, 1);
	dlg_node_free(empty);
	return 0;
}

void dlg_changes_dispose(dlg_changes *c)
{
	size_t i;

	for (i = 0; i < c->count; i++) {
		free(c->items[i].field);
		free(c->items[i].from);
		free(c->items[i].to);
	}
	free(c->items);
	c->items = NULL;
	c->count = c->alloc = 0;
}
