/* delegit log [ID] [--since D] [--author H] [--json] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ "since", 0, OPT_VALUE, "DATE", "changes from DATE on (YYYY-MM-DD)" },
	{ "author", 0, OPT_VALUE, "HANDLE", "changes made by HANDLE" },
	{ "json", 0, OPT_FLAG, NULL,
	  "print a JSON array of changes: commit, author, at, task, field, "
	  "from, to" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit log [ID] [--since DATE] [--author HANDLE] [--json]",
	"Accountability history: who changed what, field by field.",
	"Computed from the task files at each commit (not from text diffs),\n"
	"newest first. Without ID, the history of every task.",
	opts, 0, 1
};

typedef struct {
	cli_ctx *c;
	const char *author;
	int json;
	dlg_buf out;
	size_t count;
} log_state;

static void json_field(dlg_buf *b, const char *key, const char *v, int comma)
{
	dlg_buf_printf(b, "%s\"%s\":", comma ? "," : "", key);
	if (v)
		dlg_json_string(b, v);
	else
		dlg_buf_puts(b, "null");
}

static dlg_node *parse_version(const char *data, size_t len, const char *path)
{
	dlg_diags ignore = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;

	if (data)
		dlg_store_parse(&doc, data, len, path, &dlg_schema_task,
				&ignore);
	dlg_diags_dispose(&ignore);
	return doc;
}

static int on_change(const dlg_commit_info *ci, const char *path,
		     const char *old_data, size_t old_len, const char *new_data,
		     size_t new_len, void *payload)
{
	log_state *st = payload;
	cli_ctx *c = st->c;
	dlg_node *a = parse_version(old_data, old_len, path);
	dlg_node *b = parse_version(new_data, new_len, path);
	dlg_changes ch = DLG_CHANGES_INIT;
	const dlg_node *who = dlg_team_find_email(&c->team, ci->author_email);
	const char *author = who ? dlg_map_get_str(who, "handle")
				 : ci->author_email;
	const char *base = strrchr(path, '/');
	char task[37] = "", at[21], shortid[37];
	size_t i;

	if (base && strlen(base + 1) == 41)
		memcpy(task, base + 1, 36), task[36] = '\0';
	if (st->author && strcmp(st->author, author))
		goto done;
	if ((old_data && !a) || (new_data && !b)) {
		/* A version that does not validate: say so, as a change of
		 * the whole file. */
		dlg_changes_dispose(&ch);
		ch.items = calloc(1, sizeof(*ch.items));
		ch.items[0].field = strdup("(file)");
		ch.items[0].from = strdup(old_data ? (a ? "valid" : "invalid")
						   : "(none)");
		ch.items[0].to = strdup(new_data ? (b ? "valid" : "invalid")
						 : "(none)");
		ch.count = ch.alloc = 1;
	} else {
		dlg_doc_diff(&ch, a, b);
	}
	dlg_time_format(at, ci->when);
	if (!st->json && ch.count) {
		const dlg_node *t = b ? b : a;

		if (task[0])
			cli_short_id(shortid, c, task);
		else
			strcpy(shortid, "-");
		printf("%s%.8s%s %s %s%s%s  %s %s\n", cli_color(c, C_YELLOW),
		       ci->id, cli_color(c, C_RESET), at, cli_color(c, C_BOLD),
		       author, cli_color(c, C_RESET), shortid,
		       t ? dlg_map_get_str(t, "title") : path);
	}
	for (i = 0; i < ch.count; i++) {
		const dlg_change *x = &ch.items[i];

		if (st->json) {
			dlg_buf_puts(&st->out, st->count ? ",\n{" : "{");
			json_field(&st->out, "commit", ci->id, 0);
			json_field(&st->out, "author", author, 1);
			json_field(&st->out, "at", at, 1);
			json_field(&st->out, "task", task[0] ? task : NULL, 1);
			json_field(&st->out, "field", x->field, 1);
			json_field(&st->out, "from", x->from, 1);
			json_field(&st->out, "to", x->to, 1);
			dlg_buf_puts(&st->out, "}");
		} else {
			printf("    %s: %s%s%s -> %s%s%s\n", x->field,
			       cli_color(c, C_RED), x->from ? x->from : "(none)",
			       cli_color(c, C_RESET), cli_color(c, C_GREEN),
			       x->to ? x->to : "(none)", cli_color(c, C_RESET));
		}
		st->count++;
	}
done:
	dlg_changes_dispose(&ch);
	dlg_node_free(a);
	dlg_node_free(b);
	return 0;
}

int cmd_log(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	log_state st;
	dlg_buf path = DLG_BUF_INIT;
	time_t since = 0;
	int error;

	memset(&st, 0, sizeof(st));
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if (cli_get(&a, "since") && dlg_time_parse(&since, cli_get(&a, "since"))) {
		dlg_error_set("bad date '%s' for --since (expected YYYY-MM-DD)",
			      cli_get(&a, "since"));
		error = DLG_EUSAGE;
		goto done;
	}
	if (a.npos) {
		char id[37];

		if ((error = dlg_store_resolve_task(id, c->store, a.pos[0])) < 0)
			goto done;
		dlg_task_path(&path, id);
	} else {
		dlg_buf_puts(&path, "tasks/");
	}
	st.c = c;
	st.author = cli_get(&a, "author");
	st.json = cli_flag(&a, "json");
	if ((error = dlg_repo_history(c->repo, path.ptr, since, on_change,
				      &st)) < 0)
		goto done;
	if (st.json)
		printf("[%s]\n", st.out.ptr);
done:
	dlg_buf_dispose(&st.out);
	dlg_buf_dispose(&path);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}
