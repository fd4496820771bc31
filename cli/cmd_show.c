/* delegit show ID [--json] */
#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit show ID [--json]",
	"Show a whole task: expectations, checkpoints, feedback.",
	"ID is any unique prefix of the task's id (4 hex digits or more).",
	opts, 1, 1, "ID"
};

int cmd_show(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0 ||
	    (error = cli_task_read(&t, c, a.pos[0])) < 0)
		goto done;
	if (cli_flag(&a, CLI_O_JSON))
		cli_print_json(t.task);
	else
		cli_print_task(c, t.task);
	cli_task_dispose(&t);
done:
	cli_args_dispose(&a);
	return error;
}
