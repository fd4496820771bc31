/* delegit feedback ID TEXT [--kind K] [--rating N] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_KIND, 'k', OPT_VALUE, "KIND",
	  "guidance, progress, concern, praise, review or delegation" },
	{ CLI_O_RATING, 'r', OPT_VALUE, "N", "a rating from 1 to 5" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit feedback ID TEXT [--kind K] [--rating N] [--json]",
	"Give feedback on a task; feedback runs both ways.",
	"The default kind is 'guidance' from the delegator's side and\n"
	"'progress' from the assignee. Use --kind delegation to say how the\n"
	"task was delegated (clear scope? enough time?).",
	opts, 2, 2, "ID TEXT", 1u << 1
};

static const cli_field fields[] = {
	{ CLI_O_KIND, "feedback[].kind" },
	{ CLI_O_RATING, "feedback[].rating" },
};

int cmd_feedback(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	dlg_node *item, *list;
	const char *kind;
	char id[9], at[DLG_TIME_SIZE];
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0 ||
	    (error = cli_check_options(&a, &dlg_schema_task, fields,
				       sizeof(fields) / sizeof(fields[0]))) < 0 ||
	    (error = cli_check_value("TEXT", &dlg_schema_task,
				     "feedback[].text", a.pos[1], 0)) < 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	kind = cli_get(&a, CLI_O_KIND);
	if (!kind) {
		const char *assignee = dlg_map_get_str(t.task, "assignee");

		kind = assignee && !strcmp(assignee, cli_me(c)) ? "progress"
								: "guidance";
	}
	dlg_item_id_new(id);
	dlg_time_format(at, c->now);
	item = dlg_node_new_map();
	dlg_map_set_str(item, "id", id);
	dlg_map_set(item, "at", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, at));
	dlg_map_set_str(item, "author", cli_me(c));
	dlg_map_set_str(item, "kind", kind);
	if (cli_get(&a, CLI_O_RATING))
		dlg_map_set(item, "rating",
			    dlg_node_new_scalar(dlg_yaml_resolve(
							cli_get(&a, CLI_O_RATING)),
					        cli_get(&a, CLI_O_RATING)));
	dlg_map_set_str(item, "text", a.pos[1]);
	list = dlg_map_get(t.task, "feedback");
	dlg_seq_push(list, item);
	error = cli_task_commit(c, &t, "feedback",
				cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}
