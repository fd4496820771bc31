/*
 * Time spent: delegit spent. Delegation moves: delegit ask-due / grant / decline (a new due date,
 * asked for by the assignee and answered by the delegator), and the
 * warning add and assign give when they take someone past their capacity.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_warn_capacity(cli_ctx *c, const dlg_node *task)
{
	const char *handle = dlg_map_get_str(task, "assignee");
	const char *id = dlg_map_get_str(task, "id");
	const dlg_node *person = handle ? dlg_team_find(&c->team, handle) : NULL;
	const char *cap = person ? dlg_map_get_str(person, "capacity_hours")
				 : NULL;
	dlg_query q = DLG_QUERY_INIT;
	dlg_node **open = NULL;
	dlg_diags diags = DLG_DIAGS_INIT;
	size_t n = 0, i;
	double hours = 0, capacity;

	if (!cap || (capacity = atof(cap)) <= 0 ||
	    !dlg_task_is_open(task))
		return;
	q.assignee = handle;
	q.rows_only = 1;
	if (dlg_query_run(&open, &n, c->store, &q, &c->team, c->now,
			  &diags) < 0)
		goto done;
	for (i = 0; i < n; i++)
		/* the task as it is now, not as the cache last saw it */
		if (!(id && dlg_map_get_str(open[i], "id") &&
		      !strcmp(id, dlg_map_get_str(open[i], "id"))))
			hours += dlg_task_open_hours(open[i]);
	hours += dlg_task_open_hours(task);
	if (hours > capacity)
		cli_eprintf("delegit: warning: %s now has %.1f h of open "
			    "estimated work against a capacity of %s h "
			    "(%.0f%%); 'delegit report workload' shows everyone's "
			    "load\n", handle, hours, cap,
			    hours * 100.0 / capacity);
done:
	dlg_nodes_free(open, n);
	dlg_diags_dispose(&diags);
}

static const cli_opt spent_opts[] = {
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "NOTE", "what the time went to" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec spent_spec = {
	"delegit spent ID HOURS [-m NOTE] [--json]",
	"Record time spent on a task: 1.5h, 90m or 2 (hours).",
	"Each record is an entry of the task's 'spent' list (who, when, hours,\n"
	"note), which merges like feedback. Anyone may record their own time.\n"
	"report workload and suggest count an open task's estimate less the\n"
	"time spent on it; report delivery compares spent with estimated hours\n"
	"on done work; delegit plate audits where a person's time went.",
	spent_opts, 2, 2, "ID HOURS"
};

int cli_hours_arg(double *out, const char *what, const char *text)
{
	if (dlg_hours_parse(out, text) == 0)
		return 0;
	dlg_error_set("%s: bad hours '%s' (expected 1.5h, 90m or 2: more "
		      "than 0, at most 1000 hours)", what, text);
	return DLG_EUSAGE;
}

int cmd_spent(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	double hours;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &spent_spec, argc, argv)) != 0 ||
	    (error = cli_hours_arg(&hours, "HOURS", a.pos[1])) < 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	if ((error = dlg_task_add_spent(t.task, cli_me(c), hours,
					cli_get(&a, CLI_O_MESSAGE), c->now)) < 0)
		goto done;
	error = cli_task_commit(c, &t, "spent", cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}

static const cli_opt checkin_opts[] = {
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "NOTE", "what was said (needed)",
	  CLI_LINES },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec checkin_spec = {
	"delegit checkin ID -m NOTE [--json]",
	"Record a check-in on a task: guidance without micromanaging.",
	"A feedback entry of kind check-in. The task's autonomy level (its own,\n"
	"else its assignee's) sets how often the delegator's agenda proposes\n"
	"one while the work is under way: follow-steps every 2 days, recommend\n"
	"every 4, act-and-report every 7, own never (checkpoints and the review\n"
	"are enough).",
	checkin_opts, 1, 1, "ID"
};

int cmd_checkin(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &checkin_spec, argc, argv)) != 0)
		goto done;
	if (!cli_get(&a, CLI_O_MESSAGE) || !*cli_get(&a, CLI_O_MESSAGE)) {
		dlg_error_set("checkin needs a note: -m NOTE");
		error = DLG_EUSAGE;
		goto done;
	}
	if ((error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	dlg_task_add_feedback(t.task, cli_me(c), "check-in",
			      cli_get(&a, CLI_O_MESSAGE), c->now);
	dlg_task_touch(t.task, cli_me(c), c->now);
	error = cli_task_commit(c, &t, "checkin", cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}

static const cli_opt ask_opts[] = {
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "TEXT", "why the date should move "
	  "(needed)", CLI_LINES },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec ask_spec = {
	"delegit ask-due ID DATE -m REASON [--json]",
	"Ask the delegator for a new due date (the assignee).",
	"DATE is a date as people type it (YYYY-MM-DD, friday, +1w, eom...).\n"
	"The task holds the request (due_request) until the delegator answers\n"
	"with 'delegit grant ID' or 'delegit decline ID -m REASON'; the request\n"
	"is also recorded as a concern in the task's feedback, and the\n"
	"delegator's agenda lists it.",
	ask_opts, 2, 2, "ID DATE"
};

static const cli_opt answer_opts[] = {
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "TEXT", "a word to the assignee (needed "
	  "to decline)", CLI_LINES },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec grant_spec = {
	"delegit grant ID [-m TEXT] [--json]",
	"Grant the assignee's request for a new due date.",
	"For the delegator, a director or a manager: the due date becomes the\n"
	"one asked for, and a guidance feedback entry records it.",
	answer_opts, 1, 1, "ID"
};

static const cli_spec decline_spec = {
	"delegit decline ID -m REASON [--json]",
	"Decline the assignee's request for a new due date, saying why.",
	"For the delegator, a director or a manager: the due date stays, and a\n"
	"guidance feedback entry records the answer and its reason.",
	answer_opts, 1, 1, "ID"
};

int cmd_ask_due(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	dlg_actor who;
	char date[DLG_DATE_SIZE];
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &ask_spec, argc, argv)) != 0 ||
	    (error = cli_date_arg(date, "DATE", a.pos[1])) < 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	who = cli_actor(c);
	if ((error = dlg_task_ask_due(t.task, &who, date,
				      cli_get(&a, CLI_O_MESSAGE), c->now)) < 0)
		goto done;
	error = cli_task_commit(c, &t, "ask-due", cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}

int cmd_answer_due(cli_ctx *c, int argc, char **argv)
{
	int grant = !strcmp(argv[0], "grant");
	cli_args a;
	cli_task t;
	dlg_actor who;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, grant ? &grant_spec : &decline_spec, argc,
			       argv)) != 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	who = cli_actor(c);
	if ((error = dlg_task_answer_due(t.task, &who, grant,
					 cli_get(&a, CLI_O_MESSAGE), c->now)) < 0)
		goto done;
	error = cli_task_commit(c, &t, argv[0], cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}
