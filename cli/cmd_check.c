/* delegit check */
#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_QUIET, 'q', OPT_FLAG, NULL, "print only problems" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit check [--quiet]",
	"Validate every delegit file and the policy.",
	"Lists every problem as path:line:column: what is wrong (what was\n"
	"expected) and exits 1 if there is any. Changes nothing. Archived\n"
	"tasks are checked too, and dependencies (after:) for cycles, which\n"
	"two replicas can make between them (each adding one half).",
	opts, 0, 0
};

/* Tasks that wait for themselves, through others: each named. */
static void check_cycles(cli_ctx *c, const dlg_rows *rows, dlg_diags *diags)
{
	cli_tasks known = CLI_TASKS_INIT;
	dlg_buf cycle = DLG_BUF_INIT, path = DLG_BUF_INIT;
	size_t i;

	known.store = c->store;
	for (i = 0; rows && i < dlg_rows_count(rows); i++) {
		const dlg_row *r = dlg_rows_at(rows, i);
		const dlg_node *t;

		if (!r->after || !(t = cli_tasks_lookup(r->id, &known)))
			continue;
		dlg_buf_clear(&cycle);
		if (!dlg_after_cycle(&cycle, r->id, dlg_map_get(t, "after"),
				     cli_tasks_lookup, &known))
			continue;
		dlg_task_path(&path, r->id);
		dlg_diags_add(diags, path.ptr, dlg_map_get(t, "after")->line,
			      dlg_map_get(t, "after")->column,
			      "'after': it waits for itself: %s (expected no "
			      "cycle: 'delegit set ID --no-after' on one of "
			      "them)", cycle.ptr);
	}
	dlg_buf_dispose(&path);
	dlg_buf_dispose(&cycle);
	cli_tasks_dispose(&known);
}

int cmd_check(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_diags diags = DLG_DIAGS_INIT, ignore = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	char **files = NULL;
	size_t n = 0;
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	/* one scan of the tasks for both: the rows cache knows which files
	 * are valid without parsing them, and which wait for others; its
	 * own reports are the full check's */
	/* (its listings kept: check reads no shard folder again) */
	dlg_store_keep_listings(c->store);
	dlg_rows_load(&rows, c->store, dlg_store_cache(c->store), &ignore);
	dlg_store_check(c->store, rows, &diags);
	check_cycles(c, rows, &diags);
	if (diags.count) {
		cli_print_diags(&diags);
		error = cli_error(DLG_EINVALID, "%zu problem%s found",
				  diags.count, diags.count == 1 ? "" : "s");
		goto done;
	}
	/* nothing found: every task file is valid, and has its row (a
	 * third scan of tasks/ was a fifth of a check at 100,000 tasks) */
	if (rows)
		n = dlg_rows_count(rows);
	else
		dlg_store_list_tasks(&files, &n, c->store);
	if (!cli_flag(&a, CLI_O_QUIET))
		cli_printf("ok: %zu task%s and %zu %s checked\n", n,
			   n == 1 ? "" : "s", c->team.count,
			   c->team.count == 1 ? "person" : "people");
done:
	dlg_strv_free(files, n);
	dlg_rows_free(rows);
	dlg_diags_dispose(&ignore);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}
