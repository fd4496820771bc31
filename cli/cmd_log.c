/* delegit log [ID] [--since D] [--author H] [--json] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_SINCE, 0, OPT_VALUE, "DATE", "changes from DATE on (YYYY-MM-DD)" },
	{ CLI_O_AUTHOR, 0, OPT_VALUE, "HANDLE", "changes made by HANDLE" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL,
	  "print a JSON array of changes: commit, author, at, task, field, "
	  "from, to, verified, key" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit log [ID] [--since DATE] [--author HANDLE] [--json]",
	"Accountability history: who changed what, field by field.",
	"Computed from the task files at each commit (not from text diffs),\n"
	"newest first. Without ID, the history of every task. Each change is\n"
	"credited to the commit that made it, never to whoever merged it; a\n"
	"merge is credited with what it decided (conflict records). A change\n"
	"whose commit's signature checks against a key team/ holds for its\n"
	"author is marked (signed): its author is the key's holder (--json:\n"
	"verified, and the key's SHA256 fingerprint).",
	opts, 0, 1, "ID"
};

static void json_field(dlg_buf *b, const char *key, const char *v, int comma)
{
	dlg_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
	if (v)
		dlg_json_string(b, v);
	else
		dlg_buf_puts(b, "null");
}

static void print_json(const dlg_events *ev, const char *author)
{
	dlg_buf out = DLG_BUF_INIT;
	char at[DLG_TIME_SIZE];
	size_t i, n = 0;

	dlg_buf_puts(&out, "[");
	for (i = 0; i < ev->count; i++) {
		const dlg_event *e = &ev->items[i];

		if (author && strcmp(author, e->author))
			continue;
		dlg_time_format(at, e->at);
		dlg_buf_puts(&out, n++ ? ",\n{" : "{");
		json_field(&out, "commit", e->commit, 0);
		json_field(&out, "author", e->author, 1);
		json_field(&out, "at", at, 1);
		json_field(&out, "task", e->task[0] ? e->task : NULL, 1);
		json_field(&out, "field", e->field, 1);
		json_field(&out, "from", e->from, 1);
		json_field(&out, "to", e->to, 1);
		dlg_buf_printf(&out, ",\"verified\":%s",
			       e->key ? "true" : "false");
		json_field(&out, "key", e->key, 1);
		dlg_buf_puts(&out, "}");
	}
	dlg_buf_puts(&out, "]");
	cli_put_json(&out);
	dlg_buf_dispose(&out);
}

static void print_text(cli_ctx *c, const dlg_events *ev, const char *author)
{
	const char *last_commit = "", *last_task = "";
	char at[32], shortid[DLG_TASK_ID_SIZE];
	size_t i;

	for (i = 0; i < ev->count; i++) {
		const dlg_event *e = &ev->items[i];

		if (author && strcmp(author, e->author))
			continue;
		if (strcmp(e->commit, last_commit) || strcmp(e->task, last_task)) {
			dlg_time_format_local(at, e->at);
			if (e->task[0])
				cli_short_id(shortid, c, e->task);
			else
				strcpy(shortid, "-");
			cli_printf("%s%.8s%s %s %s%s%s%s  %s %s\n",
				   cli_color(c, C_YELLOW), e->commit,
				   cli_color(c, C_RESET), at, cli_color(c, C_BOLD),
				   e->author, cli_color(c, C_RESET),
				   e->key ? " (signed)" : "", shortid,
				   e->title ? e->title : "");
			last_commit = e->commit;
			last_task = e->task;
		}
		cli_printf("    %s: %s%s%s -> %s%s%s\n", e->field, cli_color(c, C_RED),
			   e->from ? e->from : "(none)", cli_color(c, C_RESET),
			   cli_color(c, C_GREEN), e->to ? e->to : "(none)",
			   cli_color(c, C_RESET));
	}
}

int cmd_log(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_events ev = DLG_EVENTS_INIT;
	dlg_buf path = DLG_BUF_INIT, archived = DLG_BUF_INIT;
	const char *paths[2];
	time_t since = 0;
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if ((error = cli_date_opt(&since, &a, CLI_O_SINCE)) < 0)
		goto done;
	if (a.npos) {
		char id[DLG_TASK_ID_SIZE];

		/* an archived task: its history in tasks/ and in archive/ */
		if ((error = dlg_store_resolve_task(id, c->store,
						    a.pos[0])) == DLG_ENOTFOUND &&
		    dlg_store_find_archived(&archived, c->store, a.pos[0]) == 0) {
			memcpy(id, strrchr(archived.ptr, '/') + 1, 36);
			id[36] = '\0';
			error = 0;
		}
		if (error < 0)
			goto done;
		dlg_task_path(&path, id);
	} else {
		dlg_buf_puts(&path, "tasks/");
		dlg_buf_puts(&archived, "archive/");
	}
	paths[0] = path.ptr;
	paths[1] = archived.ptr;
	if ((error = cli_history_paths(&ev, c, paths, archived.size ? 2 : 1,
				       since)) < 0)
		goto done;
	if (cli_flag(&a, CLI_O_JSON))
		print_json(&ev, cli_get(&a, CLI_O_AUTHOR));
	else
		print_text(c, &ev, cli_get(&a, CLI_O_AUTHOR));
done:
	dlg_events_dispose(&ev);
	dlg_buf_dispose(&archived);
	dlg_buf_dispose(&path);
	cli_args_dispose(&a);
	return error;
}
