/* delegit agenda [HANDLE] [--json] */
#include <string.h>
#include <stdlib.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print a JSON array of items" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit agenda [HANDLE] [--json]",
	"What needs attention now: overdue work, late checkpoints, work\n"
	"waiting for review, blocked tasks, checkpoints and deadlines this week.",
	"Without HANDLE, your own agenda (as a delegator and as an assignee).",
	opts, 0, 1, "HANDLE"
};

static int blocked_history(dlg_events *ev, cli_ctx *c, dlg_node **tasks,
			   size_t n)
{
	char **paths = calloc(n + 1, sizeof(*paths));
	dlg_buf p = DLG_BUF_INIT;
	size_t i, k = 0;
	int error = 0;

	if (!paths)
		abort();
	for (i = 0; i < n; i++)
		if (!strcmp(dlg_map_get_str(tasks[i], "status"), "blocked") &&
		    dlg_task_path(&p, dlg_map_get_str(tasks[i], "id")) == 0)
			paths[k++] = dlg_buf_detach(&p);
	if (k)
		error = cli_history_paths(ev, c, (const char *const *)paths, k,
					  0);
	dlg_strv_free(paths, k);
	dlg_buf_dispose(&p);
	return error;
}

int cmd_agenda(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_query q = DLG_QUERY_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node **tasks = NULL;
	dlg_agenda_item *items = NULL;
	dlg_events ev = DLG_EVENTS_INIT;
	dlg_buf b = DLG_BUF_INIT;
	size_t n = 0, ni = 0, i;
	const char *handle;
	int error, last = -1;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if (a.npos) {
		handle = a.pos[0];
		if ((error = cli_check_person(c, handle, "agenda")) < 0)
			goto done;
	} else {
		if ((error = cli_require_identity(c)) < 0)
			goto done;
		handle = cli_me(c);
	}
	/* Only the tasks the person gives or takes (their rows say which). */
	q.person = handle;
	if ((error = dlg_query_run(&tasks, &n, c->store, &q, &c->team, c->now,
				   &diags)) < 0)
		goto done;
	/* History only says how long blocked tasks have been blocked: read
	 * the history of those files alone. */
	if ((error = blocked_history(&ev, c, tasks, n)) < 0)
		goto done;
	if ((error = dlg_agenda_build(&items, &ni, tasks, n, handle, c->now,
				      &ev)) < 0)
		goto done;
	if (cli_flag(&a, "json")) {
		dlg_buf_puts(&b, "[");
		for (i = 0; i < ni; i++) {
			const dlg_agenda_item *it = &items[i];

			dlg_buf_printf(&b, "%s{\"kind\":", i ? ",\n" : "");
			dlg_json_string(&b, dlg_agenda_kind_name(it->kind));
			dlg_buf_printf(&b, ",\"days\":%ld,\"task\":", it->days);
			dlg_json_write(&b, it->task);
			dlg_buf_puts(&b, ",\"checkpoint\":");
			if (it->checkpoint)
				dlg_json_write(&b, it->checkpoint);
			else
				dlg_buf_puts(&b, "null");
			dlg_buf_puts(&b, "}");
		}
		dlg_buf_puts(&b, "]");
		cli_put_json(&b);
		goto problems;
	}
	cli_printf("%sAgenda for %s%s\n", cli_color(c, C_BOLD), handle,
		   cli_color(c, C_RESET));
	if (!ni)
		cli_printf("  nothing needs attention\n");
	for (i = 0; i < ni; i++) {
		const dlg_agenda_item *it = &items[i];
		char shortid[37];

		if ((int)it->kind != last) {
			cli_printf("\n%s%s%s\n",
				   cli_color(c, it->kind <= DLG_AGENDA_BLOCKED
							? C_RED : C_CYAN),
				   dlg_agenda_kind_name(it->kind),
				   cli_color(c, C_RESET));
			last = (int)it->kind;
		}
		cli_short_id(shortid, c, dlg_map_get_str(it->task, "id"));
		cli_printf("  %s%-8s%s %s", cli_color(c, C_YELLOW), shortid,
			   cli_color(c, C_RESET), dlg_map_get_str(it->task, "title"));
		if (it->checkpoint)
			cli_printf(" — checkpoint %s: %s",
				   dlg_map_get_str(it->checkpoint, "due"),
				   dlg_map_get_str(it->checkpoint, "what"));
		switch (it->kind) {
		case DLG_AGENDA_OVERDUE:
		case DLG_AGENDA_CHECKPOINT_LATE:
			cli_printf(" (%ld day%s late)", it->days,
				   it->days == 1 ? "" : "s");
			break;
		case DLG_AGENDA_BLOCKED:
			cli_printf(" (%ld days)", it->days);
			break;
		case DLG_AGENDA_REVIEW:
			cli_printf(" (from %s)",
				   dlg_map_get_str(it->task, "assignee"));
			break;
		case DLG_AGENDA_CHECKPOINT_SOON:
		case DLG_AGENDA_DUE_SOON:
			cli_printf(it->days ? " (in %ld day%s)" : " (today)",
				   it->days, it->days == 1 ? "" : "s");
			break;
		default:
			if (dlg_map_get_str(it->task, "due"))
				cli_printf(" (due %s)",
					   dlg_map_get_str(it->task, "due"));
		}
		putchar('\n');
	}
problems:
	if (diags.count) {
		cli_print_diags(&diags);
		cli_error_reported = 1;
		error = DLG_EINVALID;
	}
done:
	dlg_events_dispose(&ev);
	dlg_buf_dispose(&b);
	free(items);
	dlg_nodes_free(tasks, n);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}
