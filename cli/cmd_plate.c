/* delegit plate [HANDLE] [--since D] [--until D] [--json] */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_SINCE, 0, OPT_VALUE, "DATE",
	  "time recorded from DATE on (default: a week ago)" },
	{ CLI_O_UNTIL, 0, OPT_VALUE, "DATE", "time recorded before DATE" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the audit as JSON" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit plate [HANDLE] [--since D] [--until D] [--json]",
	"Where a person's time went, and what they could delegate.",
	"For HANDLE (default: you): the hours they recorded with 'delegit\n"
	"spent' in the period (default: the last 7 days), by task, core and\n"
	"non-core (a task's core: true), and the share that went to non-core\n"
	"work; then their open work, each non-core task with the best person to\n"
	"delegate it to, as 'delegit suggest' ranks them, and why.\n"
	"docs/reports.md defines each figure.",
	opts, 0, 1, "HANDLE"
};

static void print_time(cli_ctx *c, const dlg_node *doc)
{
	const dlg_node *h = dlg_map_get(doc, "hours");
	const dlg_node *time = dlg_map_get(doc, "time");
	size_t i;

	cli_printf("time recorded: %s h (core %s h, non-core %s h", 
		   dlg_map_get_str(h, "total"), dlg_map_get_str(h, "core"),
		   dlg_map_get_str(h, "non_core"));
	if (dlg_map_get_str(h, "non_core_percent"))
		cli_printf("; %s%% non-core",
			   dlg_map_get_str(h, "non_core_percent"));
	cli_printf(")\n");
	for (i = 0; i < time->count; i++) {
		const dlg_node *r = time->items[i];
		char shortid[DLG_TASK_ID_SIZE];

		cli_short_id(shortid, c, dlg_map_get_str(r, "id"));
		cli_printf("  %s%-8s%s %6s h  %-8s %s\n", cli_color(c, C_YELLOW),
			   shortid, cli_color(c, C_RESET),
			   dlg_map_get_str(r, "hours"),
			   !strcmp(dlg_map_get_str(r, "core"), "true")
				   ? "core" : "non-core",
			   dlg_map_get_str(r, "title"));
	}
}

static void print_open(cli_ctx *c, const dlg_node *doc)
{
	const dlg_node *open = dlg_map_get(doc, "open");
	size_t i, j;

	cli_printf("\n%sopen work: %s task%s, %s non-core%s\n",
		   cli_color(c, C_BOLD), dlg_map_get_str(doc, "open_tasks"),
		   open->count == 1 ? "" : "s",
		   dlg_map_get_str(doc, "open_non_core"), cli_color(c, C_RESET));
	for (i = 0; i < open->count; i++) {
		const dlg_node *r = open->items[i];
		const dlg_node *to = dlg_map_get(r, "delegate_to");
		char shortid[DLG_TASK_ID_SIZE];
		int core = !strcmp(dlg_map_get_str(r, "core"), "true");

		cli_short_id(shortid, c, dlg_map_get_str(r, "id"));
		cli_printf("  %s%-8s%s %-8s %s", cli_color(c, C_YELLOW), shortid,
			   cli_color(c, C_RESET), core ? "core" : "non-core",
			   dlg_map_get_str(r, "title"));
		if (dlg_map_get_str(r, "estimate_hours"))
			cli_printf(" (%s h estimated, %s h spent)",
				   dlg_map_get_str(r, "estimate_hours"),
				   dlg_map_get_str(r, "spent_hours"));
		cli_printf("\n");
		if (core)
			continue;
		if (!to || to->kind != DLG_NODE_MAP) {
			cli_printf("           nobody else to delegate it to\n");
			continue;
		}
		cli_printf("           %sdelegate to %s%s (%s, score %s)\n",
			   cli_color(c, C_GREEN), dlg_map_get_str(to, "handle"),
			   cli_color(c, C_RESET), dlg_map_get_str(to, "name"),
			   dlg_map_get_str(to, "score"));
		to = dlg_map_get(to, "reasons");
		for (j = 0; to && j < to->count; j++)
			cli_printf("             %s\n", to->items[j]->value);
	}
}

int cmd_plate(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_report_data d;
	dlg_node *doc = NULL;
	const char *handle;
	time_t since, until;
	int error;

	memset(&d, 0, sizeof(d));
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0 ||
	    (error = cli_date_opt(&since, &a, CLI_O_SINCE)) < 0 ||
	    (error = cli_date_opt(&until, &a, CLI_O_UNTIL)) < 0)
		goto done;
	if (!cli_get(&a, CLI_O_SINCE)) {
		char day[DLG_DATE_SIZE];

		dlg_date_format(day, c->now - 7 * 86400);
		dlg_day_start(&since, day);
	}
	if (a.npos) {
		handle = a.pos[0];
		if ((error = cli_check_person(c, handle, "plate")) < 0)
			goto done;
	} else {
		if ((error = cli_require_identity(c)) < 0)
			goto done;
		handle = cli_me(c);
	}
	if ((error = cli_report_load(&d, c, since, until, CLI_REPORT_STATUS)) < 0) {
		error = cli_fail(error, &d.diags);
		goto done;
	}
	dlg_plate(&doc, handle, &d.in);
	if (cli_flag(&a, CLI_O_JSON)) {
		cli_print_json(doc);
		goto done;
	}
	{
		char from[DLG_DATE_SIZE], to[DLG_DATE_SIZE];

		dlg_date_format(from, since);
		if (until)
			dlg_date_format(to, until - 1);
		cli_printf("%sPlate of %s, %s to %s%s\n", cli_color(c, C_BOLD),
			   handle, from, until ? to : "now",
			   cli_color(c, C_RESET));
	}
	print_time(c, doc);
	print_open(c, doc);
done:
	dlg_node_free(doc);
	cli_report_dispose(&d);
	cli_args_dispose(&a);
	return error;
}
