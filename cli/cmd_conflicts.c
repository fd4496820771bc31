/* delegit conflicts [--json], delegit resolve ID FIELD (--ours|--theirs|--value V) */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt list_opts[] = {
	{ CLI_O_JSON, 0, OPT_FLAG, NULL,
	  "print a JSON array: task, title, and each record's fields" },
	CLI_OPT_END
};

static const cli_spec list_spec = {
	"delegit conflicts [--json]",
	"List what sync could not merge and needs a decision.",
	"Each record names the task and field, the value now in the file\n"
	"(who set it, when) and the other value (who, when). Settle one with\n"
	"'delegit resolve ID FIELD --ours | --theirs | --value V'.",
	list_opts, 0, 0
};

static const cli_opt resolve_opts[] = {
	{ CLI_O_OURS, 0, OPT_FLAG, NULL, "keep the value now in the file" },
	{ CLI_O_THEIRS, 0, OPT_FLAG, NULL, "take the recorded other value" },
	{ CLI_O_VALUE, 0, OPT_VALUE, "V", "set a new value", CLI_LINES },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec resolve_spec = {
	"delegit resolve ID FIELD (--ours | --theirs | --value V) [--json]",
	"Settle a conflict that sync recorded, in one commit.",
	"FIELD as 'delegit conflicts' prints it, e.g. priority or\n"
	"checkpoints[27c4f0aa].done.",
	resolve_opts, 2, 2, "ID FIELD"
};

static const char *or_unknown(const char *s)
{
	return s ? s : "?";
}

static void summary(dlg_buf *b, const dlg_node *n)
{
	dlg_buf_clear(b);
	dlg_node_summary(b, n);
	while (b->size && b->ptr[b->size - 1] == ' ')
		b->ptr[--b->size] = '\0';
}

/* A conflict record r of task as JSON, after count others. */
static void record_json(dlg_buf *out, const dlg_node *task, const dlg_node *r,
			size_t count)
{
	size_t k;

	dlg_buf_puts(out, count ? ",\n{\"task\":" : "{\"task\":");
	dlg_json_string(out, dlg_map_get_str(task, "id"));
	dlg_buf_puts(out, ",\"title\":");
	dlg_json_string(out, dlg_map_get_str(task, "title"));
	for (k = 0; k < r->count; k++) {
		dlg_buf_puts(out, ",");
		dlg_json_string(out, r->keys[k]);
		dlg_buf_puts(out, ":");
		dlg_json_write(out, r->items[k]);
	}
	dlg_buf_puts(out, "}");
}

/* A conflict record for people: the field, the value kept and the other
 * (v1, v2: buffers to reuse). */
static void print_record(cli_ctx *c, const dlg_node *r, dlg_buf *v1,
			 dlg_buf *v2)
{
	char w1[32], w2[32];

	summary(v1, dlg_map_get(r, "value"));
	summary(v2, dlg_map_get(r, "other"));
	cli_printf("  %s (%s, %s)\n    kept:  %s%s%s  (%s, %s)\n"
		   "    other: %s%s%s  (%s, %s)\n",
		   dlg_map_get_str(r, "field"), dlg_map_get_str(r, "reason"),
		   dlg_map_get_str(r, "id"), cli_color(c, C_GREEN), v1->ptr,
		   cli_color(c, C_RESET),
		   or_unknown(dlg_map_get_str(r, "value_by")),
		   or_unknown(cli_when(w1, dlg_map_get_str(r, "value_at"))),
		   cli_color(c, C_RED), v2->ptr, cli_color(c, C_RESET),
		   or_unknown(dlg_map_get_str(r, "other_by")),
		   or_unknown(cli_when(w2, dlg_map_get_str(r, "other_at"))));
}

int cmd_conflicts(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_query q = DLG_QUERY_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node **tasks = NULL;
	dlg_buf out = DLG_BUF_INIT, v1 = DLG_BUF_INIT, v2 = DLG_BUF_INIT;
	size_t n = 0, i, j, count = 0;
	int error;

	if ((error = cli_parse(&a, &list_spec, argc, argv)) != 0)
		goto done;
	q.all = 1;
	q.sort = "id";
	if ((error = dlg_query_run(&tasks, &n, c->store, &q, &c->team, c->now,
				   &diags)) < 0)
		goto done;
	dlg_buf_puts(&out, "[");
	for (i = 0; i < n; i++) {
		const dlg_node *list = dlg_map_get(tasks[i], "conflicts");
		const char *title = dlg_map_get_str(tasks[i], "title");
		char shortid[DLG_TASK_ID_SIZE];

		if (!list || !list->count)
			continue;
		cli_short_id(shortid, c, dlg_map_get_str(tasks[i], "id"));
		if (!cli_flag(&a, CLI_O_JSON))
			cli_printf("%s%s%s  %s\n", cli_color(c, C_YELLOW), shortid,
				   cli_color(c, C_RESET), title);
		for (j = 0; j < list->count; j++) {
			const dlg_node *r = list->items[j];

			if (cli_flag(&a, CLI_O_JSON))
				record_json(&out, tasks[i], r, count);
			else
				print_record(c, r, &v1, &v2);
			count++;
		}
	}
	if (cli_flag(&a, CLI_O_JSON)) {
		dlg_buf_puts(&out, "]");
		cli_put_json(&out);
	} else if (!count)
		cli_printf("no conflicts\n");
	if (diags.count) {
		cli_print_diags(&diags);
		error = cli_error_shown(DLG_EINVALID);
	}
done:
	dlg_buf_dispose(&v1);
	dlg_buf_dispose(&v2);
	dlg_buf_dispose(&out);
	dlg_nodes_free(tasks, n);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}

int cmd_resolve(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	dlg_node *list;
	const dlg_node *other = NULL;
	const char *field;
	size_t i, found = 0;
	int error, how;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &resolve_spec, argc, argv)) != 0)
		goto done;
	how = cli_flag(&a, CLI_O_OURS) + cli_flag(&a, CLI_O_THEIRS) +
	      (cli_get(&a, CLI_O_VALUE) != NULL);
	if (how != 1) {
		dlg_error_set("say how to settle it: one of --ours, --theirs or "
			      "--value V");
		error = DLG_EUSAGE;
		goto done;
	}
	field = a.pos[1];
	if ((error = cli_check_value("--value", &dlg_schema_task, field,
				     cli_get(&a, CLI_O_VALUE), 1)) < 0 ||
	    (error = cli_task_open(&t, c, a.pos[0])) < 0)
		goto done;
	list = dlg_map_get(t.task, "conflicts");
	for (i = 0; list && i < list->count; i++)
		if (!strcmp(dlg_map_get_str(list->items[i], "field"), field)) {
			other = dlg_map_get(list->items[i], "other");
			found++;
		}
	if (!found) {
		dlg_error_set("no conflict recorded for '%s' in this task (see "
			      "'delegit conflicts')", field);
		error = DLG_ENOTFOUND;
		goto done;
	}
	/* Take the decided value before the records go. */
	if (cli_flag(&a, CLI_O_THEIRS))
		error = dlg_doc_set_path(
			t.task, field,
			other && !(other->kind == DLG_NODE_SCALAR &&
				   other->type == DLG_SCALAR_NULL &&
				   strchr(field, ']') &&
				   field[strlen(field) - 1] == ']')
				? dlg_node_dup(other) : NULL);
	else if (cli_get(&a, CLI_O_VALUE))
		error = dlg_doc_set_path(
			t.task, field,
			dlg_node_new_scalar(dlg_yaml_resolve(cli_get(&a, CLI_O_VALUE)),
					    cli_get(&a, CLI_O_VALUE)));
	if (error < 0)
		goto done;
	for (i = 0; i < list->count;)
		if (!strcmp(dlg_map_get_str(list->items[i], "field"), field))
			dlg_seq_remove(list, i);
		else
			i++;
	if (!list->count)
		dlg_map_remove(t.task, "conflicts");
	error = cli_task_commit(c, &t, "resolve",
				cli_out_mode(&a));
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}
