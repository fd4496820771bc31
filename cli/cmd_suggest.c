/* delegit suggest ID [--json] */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the ranking as JSON" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit suggest ID [--json]",
	"Who to delegate a task to: the team ranked, with the reasons.",
	"The score (0 to 105) weighs the task's skills the person has (50),\n"
	"their free capacity after this task's estimate (30), their on-time\n"
	"record (20; 10 when unknown), and 5 more when their org has a\n"
	"service level for the task's priority. A skill the person is growing\n"
	"(their file's growing: list) counts half: with free capacity that is\n"
	"a stretch task, marked so, with a mentor who has the skill named.\n"
	"docs/reports.md has the details.",
	opts, 1, 1, "ID"
};

int cmd_suggest(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	cli_report_data d;
	dlg_node *list = NULL;
	size_t i, j;
	int error;

	memset(&t, 0, sizeof(t));
	memset(&d, 0, sizeof(d));
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	if ((error = cli_report_load(&d, c, 0, 0, CLI_REPORT_STATUS)) < 0) {
		error = cli_fail(error, &d.diags);
		goto done;
	}
	dlg_suggest(&list, t.task, &d.in);
	if (cli_flag(&a, CLI_O_JSON)) {
		cli_print_json(list);
		goto done;
	}
	cli_printf("Who could take %s%s%s:\n", cli_color(c, C_BOLD),
		   dlg_map_get_str(t.task, "title"), cli_color(c, C_RESET));
	for (i = 0; i < list->count; i++) {
		const dlg_node *p = list->items[i];
		const dlg_node *why = dlg_map_get(p, "reasons");

		cli_printf("%s%zu. %-10s%s %5s  %s (%s)%s\n",
			   i == 0 ? cli_color(c, C_GREEN) : "", i + 1,
			   dlg_map_get_str(p, "handle"), i == 0 ? cli_color(c, C_RESET) : "",
			   dlg_map_get_str(p, "score"), dlg_map_get_str(p, "name"),
			   dlg_map_get_str(p, "org"),
			   !strcmp(dlg_map_get_str(p, "stretch"), "true")
				   ? "  stretch" : "");
		for (j = 0; j < why->count; j++)
			cli_printf("       %s\n", why->items[j]->value);
	}
done:
	dlg_node_free(list);
	cli_report_dispose(&d);
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}
