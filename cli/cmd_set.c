/* delegit set / assign / expect: change fields of a task. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt set_opts[] = {
	{ CLI_O_AFTER, 0, OPT_MULTI, "ID", "add a task it waits for" },
	{ CLI_O_NO_AFTER, 0, OPT_FLAG, NULL,
	  "wait for nothing (before --after: replace)" },
	{ CLI_O_EVERY, 0, OPT_VALUE, "RULE",
	  "make it recurring, or change its rule, from its due date" },
	{ CLI_O_UNTIL, 0, OPT_VALUE, "DATE", "the series' last date",
	  CLI_DATE },
	{ CLI_O_NO_EVERY, 0, OPT_FLAG, NULL,
	  "end the series: closing it opens no next occurrence" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_BULK_OPTS,
	CLI_OPT_END
};

static const cli_spec set_spec = {
	"delegit set (ID... | --filter F) [KEY=VALUE]... [--yes] "
	"[--after ID]... [--no-after] "
	"[--every RULE] [--until D] [--no-every] [--json]",
	"Change fields of a task, in one commit.",
	"KEY is one of title, priority, core, due, estimate_hours, tags,\n"
	"skills, why, assignee, delegator, autonomy, outcome, process, quality.\n"
	"An empty VALUE (or null) clears a field. For tags and skills,\n"
	"VALUE is a comma-separated list that replaces the set (tags=a,b),\n"
	"or edits it: +x adds x and -y removes y (tags=+planning,-budget);\n"
	"an item without a sign takes the sign before it (+a,b adds both).\n"
	"A tag that starts with + or - is written after its sign (+-x adds\n"
	"'-x'); a new list with an edit in it (a,-b) is refused.\n"
	"quality=TEXT adds a quality standard. Status changes go through\n"
	"start, block, submit, accept, reject, reopen and cancel.\n"
	"--after ID adds a task it waits for (a cycle is refused, named);\n"
	"--no-after clears them. --every RULE makes the task recurring (the\n"
	"series counts from its due date) or gives its series a new rule from\n"
	"this occurrence on; --until DATE ends the series on that date and\n"
	"--no-every at this occurrence.",
	set_opts, 0, 256, "ID KEY=VALUE", 1u << 1
};

/* --every, --until, --no-every, --after, --no-after. */
static int set_routine(cli_ctx *c, dlg_node *task, const cli_args *a)
{
	dlg_node *r = dlg_map_get(task, "recur");
	const char *every = cli_get(a, CLI_O_EVERY), *until = cli_get(a, CLI_O_UNTIL);
	const char **ids;
	size_t n = cli_multi(&ids, a, CLI_O_AFTER);
	int error;

	if (cli_flag(a, CLI_O_NO_EVERY) && (every || until)) {
		dlg_error_set("--no-every ends the series: not with --every "
			      "or --until");
		return DLG_EUSAGE;
	}
	if (cli_flag(a, CLI_O_NO_EVERY))
		dlg_map_remove(task, "recur");
	if (every && r && dlg_map_get_str(task, "due")) {
		/* a new rule from this occurrence on: its dates count from
		 * this due date */
		if ((error = dlg_recur_parse(NULL, every)) < 0) {
			dlg_error_set("--every: bad rule '%s' (expected daily, "
				      "weekly, monthly, quarterly, yearly, Nd "
				      "or Nw with N from 1 to 3650)", every);
			return DLG_EUSAGE;
		}
		dlg_map_set_str(r, "every", every);
		dlg_map_set(r, "start", dlg_node_new_scalar(
			DLG_SCALAR_TIMESTAMP, dlg_map_get_str(task, "due")));
	} else if (every && (error = dlg_recur_begin(task, every, until)) < 0) {
		return error;
	}
	if (until) {
		if (!(r = dlg_map_get(task, "recur"))) {
			dlg_error_set("--until: the task does not recur (give "
				      "--every too)");
			return DLG_EUSAGE;
		}
		dlg_map_set(r, "until",
			    dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, until));
	}
	if (cli_flag(a, CLI_O_NO_AFTER))
		dlg_map_remove(task, "after");
	if ((n || cli_flag(a, CLI_O_NO_AFTER)) &&
	    (error = cli_set_after(c, task, ids, n, 0)) < 0)
		return error;
	return 0;
}

static int routine_opts(const cli_args *a)
{
	const char **v;

	return cli_multi(&v, a, CLI_O_AFTER) || cli_flag(a, CLI_O_NO_AFTER) ||
	       cli_get(a, CLI_O_EVERY) || cli_get(a, CLI_O_UNTIL) ||
	       cli_flag(a, CLI_O_NO_EVERY);
}

static const cli_opt assign_opts[] = {
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "TEXT",
	  "why; recorded as guidance feedback", CLI_LINES },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_BULK_OPTS,
	CLI_OPT_END
};

static const cli_spec assign_spec = {
	"delegit assign (ID... | --filter F) HANDLE [--yes] [-m REASON] "
	"[--json]",
	"Delegate a task to HANDLE (or hand it on to someone else).",
	"With -m, the reason is recorded in the task's feedback (\"reassigned\n"
	"from kim to leo: ...\"). Warns when HANDLE's open estimated hours now\n"
	"exceed their capacity.",
	assign_opts, 1, 257, "ID HANDLE"
};

static const cli_opt expect_opts[] = {
	{ CLI_O_OUTCOME, 0, OPT_VALUE, "TEXT", "what done looks like", CLI_LINES },
	{ CLI_O_QUALITY, 0, OPT_MULTI, "TEXT", "add a quality standard" },
	{ CLI_O_ACCEPT, 0, OPT_MULTI, "TEXT", "add an acceptance criterion",
	  CLI_LINES },
	{ CLI_O_PROCESS, 0, OPT_VALUE, "TEXT", "the process to follow",
	  CLI_LINES },
	{ CLI_O_WHY, 0, OPT_VALUE, "TEXT", "the why behind the what", CLI_LINES },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec expect_spec = {
	"delegit expect ID [--outcome T] [--quality T]... [--accept T]... "
	"[--process T] [--why T] [--json]",
	"Set or add to a task's expectations.", NULL, expect_opts, 1, 1, "ID"
};

/* A value that its field would not take: a usage error naming the key.
 * Lists (tags=+a,-b) are edits, not values: their items are checked when
 * the task is. */
static int check_assignment(const char *key, const char *value)
{
	static const char *const in_expectations[] = { "outcome", "process",
							"quality", NULL };
	const dlg_field *f;
	dlg_buf path = DLG_BUF_INIT;
	int error = 0;

	if (dlg_enum_index(in_expectations, key) >= 0)
		dlg_buf_printf(&path, "expectations.%s", key);
	else
		dlg_buf_puts(&path, key);
	f = dlg_schema_field_at(&dlg_schema_task, path.ptr);
	/* an optional field (autonomy) cleared: removed, nothing to check */
	if (f && !(f->flags & (DLG_F_NULLABLE | DLG_F_REQUIRED)) &&
	    (!*value || !strcmp(value, "null")))
		f = NULL;
	if (f && f->type != DLG_T_SET && f->type != DLG_T_LIST)
		error = cli_check_value(key, &dlg_schema_task, path.ptr, value,
					1);
	dlg_buf_dispose(&path);
	return error;
}

typedef struct {
	const cli_args *a;
	const char *const *assign; /* KEY=VALUE... */
	size_t nassign;
	const char *handle; /* assign's */
} set_state;

static int set_one(cli_ctx *c, const char *id, void *payload)
{
	set_state *st = payload;
	cli_task t;
	size_t i;
	int error;

	if ((error = cli_task_open(&t, c, id)) < 0)
		return error;
	for (i = 0; i < st->nassign; i++) {
		const char *eq = strchr(st->assign[i], '='), *value;
		char *key, iso[DLG_DATE_SIZE];

		key = dlg_strndup(st->assign[i], (size_t)(eq - st->assign[i]));
		value = eq + 1;
		/* due=friday: a date as people type it */
		if (!strcmp(key, "due") && *value &&
		    strcmp(value, "null") &&
		    (error = cli_date_arg(iso, "due", value)) == 0)
			value = iso;
		if (error == 0 &&
		    (error = dlg_task_set_field(t.task, key, value)) == 0)
			error = check_assignment(key, value);
		if (error == 0 && !strcmp(key, "assignee") && *value &&
		    strcmp(value, "null"))
			error = cli_check_assignable(c, value);
		free(key);
		if (error < 0)
			goto done;
	}
	if ((error = set_routine(c, t.task, st->a)) < 0)
		goto done;
	error = cli_task_commit(c, &t, "set", cli_out_mode(st->a));
done:
	cli_task_dispose(&t);
	return error;
}

int cmd_set(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	set_state st;
	size_t i, nids = 0;
	int error;

	memset(&st, 0, sizeof(st));
	if ((error = cli_parse(&a, &set_spec, argc, argv)) != 0)
		goto done;
	/* ids first (hex, no '='), then KEY=VALUE */
	while (nids < a.npos && !strchr(a.pos[nids], '=') &&
	       dlg_hex_prefix_valid(a.pos[nids]))
		nids++;
	for (i = nids; i < a.npos; i++) {
		const char *eq = strchr(a.pos[i], '=');

		if (!eq || eq == a.pos[i]) {
			dlg_error_set("bad assignment '%s' (expected "
				      "KEY=VALUE)", a.pos[i]);
			error = DLG_EUSAGE;
			goto done;
		}
	}
	if (nids == a.npos && !routine_opts(&a)) {
		dlg_error_set("missing argument KEY=VALUE (or --after, "
			      "--every, ...)");
		error = DLG_EUSAGE;
		goto done;
	}
	st.a = &a;
	st.assign = a.pos + nids;
	st.nassign = a.npos - nids;
	error = cli_bulk(c, &a, a.pos, nids, "set", set_one, &st);
done:
	cli_args_dispose(&a);
	return error;
}

static int assign_one(cli_ctx *c, const char *id, void *payload)
{
	set_state *st = payload;
	const cli_args *a = st->a;
	cli_task t;
	int error;

	if ((error = cli_task_open(&t, c, id)) < 0)
		return error;
	if (cli_get(a, CLI_O_MESSAGE)) {
		const char *was = dlg_map_get_str(t.task, "assignee");
		dlg_buf note = DLG_BUF_INIT;

		if (was)
			dlg_buf_printf(&note, "reassigned from %s to %s: %s", was,
				       st->handle, cli_get(a, CLI_O_MESSAGE));
		else
			dlg_buf_printf(&note, "assigned to %s: %s", st->handle,
				       cli_get(a, CLI_O_MESSAGE));
		dlg_task_add_feedback(t.task, cli_me(c), "guidance", note.ptr,
				      c->now);
		dlg_buf_dispose(&note);
	}
	dlg_map_set_str(t.task, "assignee", st->handle);
	if ((error = cli_task_commit(c, &t, "assign", cli_out_mode(a))) == 0)
		cli_warn_capacity(c, t.task);
	cli_task_dispose(&t);
	return error;
}

int cmd_assign(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	set_state st;
	int error;

	memset(&st, 0, sizeof(st));
	if ((error = cli_parse(&a, &assign_spec, argc, argv)) != 0)
		goto done;
	st.a = &a;
	st.handle = a.pos[a.npos - 1];
	if ((error = cli_check_person(c, st.handle, "assign")) < 0 ||
	    (error = cli_check_assignable(c, st.handle)) < 0)
		goto done;
	error = cli_bulk(c, &a, a.pos, a.npos - 1, "assign", assign_one, &st);
done:
	cli_args_dispose(&a);
	return error;
}

int cmd_expect(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &expect_spec, argc, argv)) != 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	cli_apply_expectations(t.task, &a, CLI_O_OUTCOME);
	error = cli_task_commit(c, &t, "expect", cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}
