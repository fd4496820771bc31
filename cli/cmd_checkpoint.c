/* delegit checkpoint ID add D:T / done CID, delegit accept-criterion ID CID */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_UNDO, 0, OPT_FLAG, NULL, "mark it not done / not met again" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec checkpoint_spec = {
	"delegit checkpoint ID (add DATE:TEXT | done CID) [--undo] [--json]",
	"Add a checkpoint to a task, or tick one off.",
	"Checkpoints are where the delegator checks in instead of\n"
	"micromanaging. CID is the checkpoint's id, or a unique prefix of it,\n"
	"as 'delegit show' prints it.",
	opts, 3, 3, "ID ACTION DATE:TEXT|CID", 1u << 2
};

static const cli_spec criterion_spec = {
	"delegit accept-criterion ID CID [--undo] [--json]",
	"Mark an acceptance criterion of a task as met.",
	"CID is the criterion's id, or a unique prefix of it.", opts, 2, 2,
	"ID CID"
};

/* The item of a keyed list whose id starts with prefix. */
static int find_item(dlg_node **out, const dlg_node *list, const char *prefix,
		     const char *what)
{
	size_t i, n = 0, len = strlen(prefix);

	*out = NULL;
	for (i = 0; list && i < list->count; i++) {
		const char *id = dlg_map_get_str(list->items[i], "id");

		if (id && !strncmp(id, prefix, len)) {
			*out = list->items[i];
			n++;
		}
	}
	if (n == 1 && len)
		return 0;
	dlg_error_set(n ? "%s id '%s' is ambiguous (give more digits)"
			: "no %s with id '%s' in this task", what, prefix);
	return n ? DLG_EAMBIGUOUS : DLG_ENOTFOUND;
}

static int tick(cli_ctx *c, const cli_args *a, const char *prefix,
		const char *verb, const char *list_name, const char *field,
		const char *what)
{
	cli_task t;
	dlg_node *list, *item;
	int error;

	if ((error = cli_task_open(&t, c, a->pos[0])) < 0)
		return error;
	list = !strcmp(list_name, "acceptance")
		       ? dlg_map_get(dlg_map_get(t.task, "expectations"),
				     "acceptance")
		       : dlg_map_get(t.task, list_name);
	if ((error = find_item(&item, list, prefix, what)) == 0) {
		dlg_map_set(item, field,
			    dlg_node_new_scalar(DLG_SCALAR_BOOL,
						cli_flag(a, CLI_O_UNDO) ? "false"
								    : "true"));
		error = cli_task_commit(c, &t, verb,
					cli_out_mode(a));
	}
	cli_task_dispose(&t);
	return error;
}

int cmd_checkpoint(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	dlg_node *cp;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &checkpoint_spec, argc, argv)) != 0)
		goto done;
	if (!strcmp(a.pos[1], "done")) {
		error = tick(c, &a, a.pos[2], "checkpoint", "checkpoints",
			     "done", "checkpoint");
	} else if (!strcmp(a.pos[1], "add")) {
		if ((error = cli_task_open(&t, c, a.pos[0])) < 0 ||
		    (error = cli_new_checkpoint(&cp, "DATE:TEXT", a.pos[2])) < 0)
			goto done;
		dlg_seq_push(dlg_map_get(t.task, "checkpoints"), cp);
		error = cli_task_commit(c, &t, "checkpoint",
					cli_out_mode(&a));
	} else {
		dlg_error_set("ACTION: unknown checkpoint action '%s' "
			      "(expected add or done)", a.pos[1]);
		error = DLG_EUSAGE;
	}
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}

int cmd_accept_criterion(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	int error;

	if ((error = cli_parse(&a, &criterion_spec, argc, argv)) == 0)
		error = tick(c, &a, a.pos[1], "accept-criterion", "acceptance",
			     "met", "acceptance criterion");
	cli_args_dispose(&a);
	return error;
}
