/* delegit start / block / submit / accept / reject / reopen / cancel ID */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "message", 'm', OPT_VALUE, "TEXT",
	  "why; recorded as feedback (needed by block and reject)", CLI_LINES },
	{ "json", 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_opt accept_opts[] = {
	{ "message", 'm', OPT_VALUE, "TEXT", "recorded as review feedback",
	  CLI_LINES },
	{ "force", 0, OPT_FLAG, NULL,
	  "accept although acceptance criteria are unmet (recorded)" },
	{ "json", 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const struct {
	const char *name;
	cli_spec spec;
} specs[] = {
	{ "start", { "delegit start ID [-m TEXT] [--json]",
		     "Start work on a task (open or blocked -> in-progress).",
		     "The assignee (or the delegator) starts; the first start "
		     "stamps 'started'.", opts, 1, 1, "ID" } },
	{ "block", { "delegit block ID -m WHY [--json]",
		     "Mark a task blocked, saying why (recorded as a concern).",
		     NULL, opts, 1, 1, "ID" } },
	{ "submit", { "delegit submit ID [-m TEXT] [--json]",
		      "Submit work for review (in-progress -> review).", NULL,
		      opts, 1, 1, "ID" } },
	{ "accept", { "delegit accept ID [-m TEXT] [--force] [--json]",
		      "Accept submitted work as done (review -> done).",
		      "For the delegator, a director or a manager; stamps "
		      "'closed'. Refused while acceptance\ncriteria are unmet "
		      "(delegit accept-criterion ID CID ticks one), unless "
		      "--force:\nthen the unmet criteria are recorded in a "
		      "review feedback entry and the\ncommit says 'accept "
		      "--force'.", accept_opts, 1, 1, "ID" } },
	{ "reject", { "delegit reject ID -m FEEDBACK [--json]",
		      "Send submitted work back (review -> in-progress).",
		      "The feedback is recorded as a 'review' entry.", opts, 1,
		      1, "ID" } },
	{ "reopen", { "delegit reopen ID [-m TEXT] [--json]",
		      "Reopen a done or cancelled task.", NULL, opts, 1, 1, "ID" } },
	{ "cancel", { "delegit cancel ID [-m TEXT] [--json]",
		      "Cancel a task.", NULL, opts, 1, 1, "ID" } },
};

int cmd_workflow(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	dlg_action action;
	dlg_actor who;
	int error;

	memset(&t, 0, sizeof(t));
	memset(&a, 0, sizeof(a));
	if (dlg_action_parse(&action, argv[0]) < 0)
		return DLG_EUSAGE;
	if ((error = cli_parse(&a, &specs[action].spec, argc, argv)) != 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	who = cli_actor(c);
	if ((error = dlg_task_act_flags(t.task, action, &who,
					cli_get(&a, "message"), c->now,
					cli_flag(&a, "force") ? DLG_ACT_FORCE
							     : 0)) < 0)
		goto done;
	error = cli_task_commit(c, &t,
				cli_flag(&a, "force") ? "accept --force"
						     : argv[0],
				cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}
