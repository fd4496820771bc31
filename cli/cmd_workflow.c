/* delegit start / block / submit / accept / reject / reopen / cancel ID */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "TEXT",
	  "why; recorded as feedback (needed by block and reject)", CLI_LINES },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_BULK_OPTS,
	CLI_OPT_END
};

static const cli_opt submit_opts[] = {
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "TEXT", "recorded as progress feedback",
	  CLI_LINES },
	{ CLI_O_SPENT, 0, OPT_VALUE, "HOURS",
	  "record time spent too (1.5h, 90m, 2)" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_BULK_OPTS,
	CLI_OPT_END
};

static const cli_opt accept_opts[] = {
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "TEXT", "recorded as review feedback",
	  CLI_LINES },
	{ CLI_O_FORCE, 0, OPT_FLAG, NULL,
	  "accept although acceptance criteria are unmet (recorded)" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_BULK_OPTS,
	CLI_OPT_END
};

static const struct {
	const char *name;
	cli_spec spec;
} specs[] = {
	{ "start", { "delegit start (ID... | --filter F) [--yes] [-m TEXT] [--json]",
		     "Start work on a task (open or blocked -> in-progress).",
		     "The assignee (or the delegator) starts; the first start "
		     "stamps 'started'.\nRefused while a task it waits for "
		     "(add --after) is not done, naming them.", opts, 0, 256,
		     "ID" } },
	{ "block", { "delegit block (ID... | --filter F) [--yes] -m WHY [--json]",
		     "Mark a task blocked, saying why (recorded as a concern).",
		     NULL, opts, 0, 256, "ID" } },
	{ "submit", { "delegit submit (ID... | --filter F) [--yes] [-m TEXT] [--spent HOURS] [--json]",
		      "Submit work for review (in-progress -> review).",
		      "--spent records time spent on it in the same commit "
		      "(delegit spent).", submit_opts, 0, 256, "ID" } },
	{ "accept", { "delegit accept (ID... | --filter F) [--yes] [-m TEXT] [--force] [--json]",
		      "Accept submitted work as done (review -> done).",
		      "For the delegator, a director or a manager; stamps "
		      "'closed'. Refused while acceptance\ncriteria are unmet "
		      "(delegit accept-criterion ID CID ticks one), unless "
		      "--force:\nthen the unmet criteria are recorded in a "
		      "review feedback entry and the\ncommit says 'accept "
		      "--force'. Accepting an occurrence of a recurring task\n"
		      "(add --every) opens the next one in the same commit.",
		      accept_opts, 0, 256, "ID" } },
	{ "reject", { "delegit reject (ID... | --filter F) [--yes] -m FEEDBACK [--json]",
		      "Send submitted work back (review -> in-progress).",
		      "The feedback is recorded as a 'review' entry.", opts, 1,
		      1, "ID" } },
	{ "reopen", { "delegit reopen (ID... | --filter F) [--yes] [-m TEXT] [--json]",
		      "Reopen a done or cancelled task.", NULL, opts, 0, 256, "ID" } },
	{ "cancel", { "delegit cancel (ID... | --filter F) [--yes] [-m TEXT] [--json]",
		      "Cancel a task.",
		      "Cancelling an occurrence of a recurring task (add "
		      "--every) opens the next one\nin the same commit; "
		      "'delegit set ID --no-every' first ends the series.", opts,
		      0, 256, "ID" } },
};

/*
 * Closing an occurrence of a series opens the next (core/routine.c): its
 * id is derived, so a replica that closed it too made the same file, and
 * one that exists already is left as it is. 0 with n->task NULL when
 * there is none to make.
 */
static int next_occurrence(cli_task *n, cli_ctx *c, const dlg_node *task)
{
	dlg_buf path = DLG_BUF_INIT;
	int error;

	memset(n, 0, sizeof(*n));
	if ((error = dlg_recur_next(&n->task, task, cli_me(c), c->now)) < 0)
		return cli_fail(error, NULL);
	if (!n->task)
		return 0;
	snprintf(n->id, sizeof(n->id), "%s", dlg_map_get_str(n->task, "id"));
	dlg_task_path(&path, n->id);
	n->path = dlg_buf_detach(&path);
	if (dlg_store_exists(c->store, n->path)) {
		cli_eprintf("the next occurrence, due %s, is there already\n",
			    dlg_map_get_str(n->task, "due"));
		cli_task_dispose(n);
	}
	return 0;
}

/* A task that waits for others (after:) starts once they are done. */
static int check_after(cli_ctx *c, const dlg_node *task)
{
	cli_tasks known = CLI_TASKS_INIT;
	dlg_buf names = DLG_BUF_INIT;
	size_t n;

	known.store = c->store;
	n = dlg_after_pending(&names, task, cli_tasks_lookup, &known);
	if (n)
		dlg_error_set("cannot start: it waits for %zu task%s not done "
			      "yet: %s", n, n == 1 ? "" : "s", names.ptr);
	dlg_buf_dispose(&names);
	cli_tasks_dispose(&known);
	return n ? DLG_EINVALID : 0;
}

typedef struct {
	const cli_args *a;
	dlg_action action;
	const char *verb;
	double hours;
} act_state;

static int act_one(cli_ctx *c, const char *id, void *payload)
{
	act_state *st = payload;
	const cli_args *a = st->a;
	cli_task t, next;
	dlg_actor who;
	int error;

	memset(&next, 0, sizeof(next));
	if ((error = cli_task_open(&t, c, id)) < 0)
		return error;
	if (cli_get(a, CLI_O_SPENT) &&
	    (error = dlg_task_add_spent(t.task, cli_me(c), st->hours, NULL,
					c->now)) < 0)
		goto done;
	if (st->action == DLG_ACT_START && (error = check_after(c, t.task)) < 0)
		goto done;
	who = cli_actor(c);
	if ((error = dlg_task_act_flags(t.task, st->action, &who,
					cli_get(a, CLI_O_MESSAGE), c->now,
					cli_flag(a, CLI_O_FORCE) ? DLG_ACT_FORCE
							    : 0)) < 0)
		goto done;
	if ((st->action == DLG_ACT_ACCEPT || st->action == DLG_ACT_CANCEL) &&
	    (error = next_occurrence(&next, c, t.task)) < 0)
		goto done;
	error = cli_task_commit_next(c, &t,
				     cli_flag(a, CLI_O_FORCE) ? "accept --force"
							 : st->verb,
				     cli_out_mode(a), next.task ? &next : NULL);
done:
	cli_task_dispose(&next);
	cli_task_dispose(&t);
	return error;
}

int cmd_workflow(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	act_state st;
	int error;

	memset(&a, 0, sizeof(a));
	memset(&st, 0, sizeof(st));
	if (dlg_action_parse(&st.action, argv[0]) < 0)
		return DLG_EUSAGE;
	st.a = &a;
	st.verb = argv[0];
	if ((error = cli_parse(&a, &specs[st.action].spec, argc, argv)) != 0 ||
	    (cli_get(&a, CLI_O_SPENT) &&
	     (error = cli_hours_arg(&st.hours, "--spent",
				    cli_get(&a, CLI_O_SPENT))) < 0))
		goto done;
	error = cli_bulk(c, &a, a.pos, a.npos, argv[0], act_one, &st);
done:
	cli_args_dispose(&a);
	return error;
}
