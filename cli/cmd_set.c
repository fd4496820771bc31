/* delegit set / assign / expect: change fields of a task. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt json_opt[] = {
	{ "json", 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec set_spec = {
	"delegit set ID KEY=VALUE... [--json]",
	"Change fields of a task, in one commit.",
	"KEY is one of title, priority, core, due, estimate_hours, tags,\n"
	"skills, why, assignee, delegator, outcome, process, quality.\n"
	"An empty VALUE (or null) clears a field. For tags and skills,\n"
	"VALUE is a comma-separated list; +a,b adds and -a removes.\n"
	"quality=TEXT adds a quality standard. Status changes go through\n"
	"start, block, submit, accept, reject, reopen and cancel.",
	json_opt, 2, 64, "ID KEY=VALUE", 1u << 1
};

static const cli_opt assign_opts[] = {
	{ "message", 'm', OPT_VALUE, "TEXT",
	  "why; recorded as guidance feedback", CLI_LINES },
	{ "json", 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec assign_spec = {
	"delegit assign ID HANDLE [-m REASON] [--json]",
	"Delegate a task to HANDLE (or hand it on to someone else).",
	"With -m, the reason is recorded in the task's feedback (\"reassigned\n"
	"from kim to leo: ...\"). Warns when HANDLE's open estimated hours now\n"
	"exceed their capacity.",
	assign_opts, 2, 2, "ID HANDLE"
};

static const cli_opt expect_opts[] = {
	{ "outcome", 0, OPT_VALUE, "TEXT", "what done looks like", CLI_LINES },
	{ "quality", 0, OPT_MULTI, "TEXT", "add a quality standard" },
	{ "accept", 0, OPT_MULTI, "TEXT", "add an acceptance criterion",
	  CLI_LINES },
	{ "process", 0, OPT_VALUE, "TEXT", "the process to follow",
	  CLI_LINES },
	{ "why", 0, OPT_VALUE, "TEXT", "the why behind the what", CLI_LINES },
	{ "json", 0, OPT_FLAG, NULL, "print the task as JSON" },
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
	if (f && f->type != DLG_T_SET && f->type != DLG_T_LIST)
		error = cli_check_value(key, &dlg_schema_task, path.ptr, value,
					1);
	dlg_buf_dispose(&path);
	return error;
}

int cmd_set(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	size_t i;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &set_spec, argc, argv)) != 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	for (i = 1; i < a.npos; i++) {
		const char *eq = strchr(a.pos[i], '='), *value;
		char *key, iso[11];

		if (!eq || eq == a.pos[i]) {
			dlg_error_set("bad assignment '%s' (expected "
				      "KEY=VALUE)", a.pos[i]);
			error = DLG_EUSAGE;
			goto done;
		}
		key = strndup(a.pos[i], (size_t)(eq - a.pos[i]));
		value = eq + 1;
		/* due=friday: a date as people type it */
		if (key && !strcmp(key, "due") && *value &&
		    strcmp(value, "null") &&
		    (error = cli_date_arg(iso, "due", value)) == 0)
			value = iso;
		if (error == 0 &&
		    (error = dlg_task_set_field(t.task, key, value)) == 0)
			error = check_assignment(key, value);
		free(key);
		if (error < 0)
			goto done;
	}
	error = cli_task_commit(c, &t, "set", cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}

int cmd_assign(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &assign_spec, argc, argv)) != 0 ||
	    (error = cli_check_person(c, a.pos[1], "assign")) < 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	if (cli_get(&a, "message")) {
		const char *was = dlg_map_get_str(t.task, "assignee");
		dlg_buf note = DLG_BUF_INIT;

		if (was)
			dlg_buf_printf(&note, "reassigned from %s to %s: %s", was,
				       a.pos[1], cli_get(&a, "message"));
		else
			dlg_buf_printf(&note, "assigned to %s: %s", a.pos[1],
				       cli_get(&a, "message"));
		dlg_task_add_feedback(t.task, cli_me(c), "guidance", note.ptr,
				      c->now);
		dlg_buf_dispose(&note);
	}
	dlg_map_set_str(t.task, "assignee", a.pos[1]);
	if ((error = cli_task_commit(c, &t, "assign", cli_out_mode(&a))) == 0)
		cli_warn_capacity(c, t.task);
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
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
	cli_apply_expectations(t.task, &a, "outcome");
	error = cli_task_commit(c, &t, "expect", cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}
