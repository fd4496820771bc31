/* delegit template add / list / show: runbooks for routine tasks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt add_opts[] = {
	{ CLI_O_FROM, 0, OPT_VALUE, "ID", "make it from this task" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the template as JSON" },
	CLI_OPT_END
};

static const cli_spec add_spec = {
	"delegit template add NAME [--from ID] [--json]",
	"Keep a template: what a routine task needs, for add --template.",
	"With --from ID, templates/NAME.yaml is made from that task: its title,\n"
	"priority, autonomy, estimate, tags, skills, why, expectations (the\n"
	"acceptance criteria as text) and checkpoints, each as long before the\n"
	"due date as it was (before: 7d). Without it, templates/NAME.yaml must\n"
	"be there, written by hand (docs/format.md): it is validated (every\n"
	"problem with its line and column) and committed in canonical form.\n"
	"Templates are repository files: the policy's repository rule says who\n"
	"may change them (directors, by default).",
	add_opts, 1, 1, "NAME"
};

static const cli_opt read_opts[] = {
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print JSON" },
	CLI_OPT_END
};

static const cli_spec list_spec = {
	"delegit template list [--json]", "List the templates.", NULL,
	read_opts, 0, 0
};

static const cli_spec show_spec = {
	"delegit template show NAME [--json]", "Show a template.", NULL,
	read_opts, 1, 1, "NAME"
};

static const cli_spec template_spec = {
	"delegit template (add | list | show) ...",
	"Templates (runbooks): what routine tasks need, filled in by\n"
	"'delegit add --template NAME TITLE --due D'.",
	"  add NAME [--from ID]  keep a template (from a task, or the file)\n"
	"  list                  list them\n"
	"  show NAME             one of them",
	NULL, 0, 0
};

static int template_path(dlg_buf *out, const char *name)
{
	if (!dlg_handle_valid(name)) {
		dlg_error_set("bad template name '%s' (expected lowercase "
			      "letters, digits, '.', '_' or '-')", name);
		return DLG_EUSAGE;
	}
	dlg_buf_clear(out);
	return dlg_buf_printf(out, "templates/%s.yaml", name);
}

int cli_template_load(dlg_node **out, cli_ctx *c, const char *name)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_buf path = DLG_BUF_INIT;
	int error;

	*out = NULL;
	if ((error = template_path(&path, name)) < 0)
		goto done;
	if ((error = dlg_store_load(out, c->store, path.ptr,
				    &dlg_schema_template, &diags)) ==
	    DLG_ENOTFOUND) {
		dlg_error_set("no template '%s' (see 'delegit template list')",
			      name);
		goto done;
	}
	if (error < 0)
		error = cli_fail(error, &diags);
done:
	dlg_diags_dispose(&diags);
	dlg_buf_dispose(&path);
	return error;
}

/* Long (81 lines): each option set on the template in turn. */
static int template_add(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_buf path = DLG_BUF_INIT, text = DLG_BUF_INIT, msg = DLG_BUF_INIT;
	dlg_node *doc = NULL, *before = NULL;
	dlg_commit_file file;
	const char *name;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &add_spec, argc, argv)) != 0)
		goto done;
	name = a.pos[0];
	if ((error = template_path(&path, name)) < 0 ||
	    (error = cli_require_identity(c)) < 0 ||
	    (error = dlg_repo_lock(c->repo)) < 0)
		goto done;
	if (cli_get(&a, CLI_O_FROM)) {
		if ((error = cli_task_read(&t, c, cli_get(&a, CLI_O_FROM))) < 0)
			goto done;
		dlg_template_from_task(&doc, t.task, name);
		if ((error = dlg_schema_validate(doc, &dlg_schema_template,
						 path.ptr, &diags)) < 0) {
			error = cli_fail(error, &diags);
			goto done;
		}
	} else {
		if ((error = dlg_store_load(&doc, c->store, path.ptr,
					    &dlg_schema_template, &diags)) ==
		    DLG_ENOTFOUND) {
			dlg_error_set("%s: not there (write it, or give --from "
				      "ID: see 'delegit template add --help')",
				      path.ptr);
			goto done;
		}
		if (error < 0) {
			error = cli_fail(error, &diags);
			goto done;
		}
		if (strcmp(dlg_map_get_str(doc, "name"), name)) {
			const dlg_node *n = dlg_map_get(doc, "name");

			dlg_diags_add(&diags, path.ptr, n->line, n->column,
				      "'name': '%s' does not match the file "
				      "name (expected %s)", n->value, name);
			error = cli_fail(DLG_EINVALID, &diags);
			goto done;
		}
	}
	before = cli_head_doc(c, path.ptr);
	if ((error = cli_policy_check(c, path.ptr, before, doc)) < 0)
		goto done;
	if ((error = dlg_store_save(&text, c->store, path.ptr, doc,
				    &dlg_schema_template)) < 0) {
		error = cli_fail(error, NULL);
		goto done;
	}
	dlg_buf_printf(&msg, "template %s %s\n\nTemplate: %s\n",
		       before ? "update" : "add", name, name);
	file = (dlg_commit_file){ path.ptr, text.ptr, text.size };
	if ((error = cli_commit_files(c, &file, 1, msg.ptr, c->me)) < 0) {
		error = cli_fail(error, NULL);
		goto done;
	}
	if (cli_flag(&a, CLI_O_JSON))
		cli_print_json(doc);
	else
		cli_printf("template %s %s (%s)\n", before ? "update" : "add",
			   name, path.ptr);
done:
	dlg_node_free(before);
	dlg_node_free(doc);
	cli_task_dispose(&t);
	dlg_buf_dispose(&msg);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&path);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}

static int template_list(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_buf b = DLG_BUF_INIT;
	char **names = NULL;
	size_t n = 0, i, shown = 0;
	int error;

	if ((error = cli_parse(&a, &list_spec, argc, argv)) != 0 ||
	    (error = dlg_store_list_dir(&names, &n, c->store,
					"templates")) < 0)
		goto done;
	if (cli_flag(&a, CLI_O_JSON))
		dlg_buf_puts(&b, "[");
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		dlg_node *doc = NULL;

		if (len < 6 || strcmp(names[i] + len - 5, ".yaml"))
			continue;
		names[i][len - 5] = '\0';
		if (cli_template_load(&doc, c, names[i]) < 0) {
			error = DLG_EINVALID; /* told; the others still shown */
			continue;
		}
		if (cli_flag(&a, CLI_O_JSON)) {
			if (shown)
				dlg_buf_puts(&b, ",");
			dlg_json_write(&b, doc);
		} else {
			cli_printf("%-20s %s\n", names[i],
				   dlg_map_get_str(doc, "title")
					   ? dlg_map_get_str(doc, "title") : "");
		}
		shown++;
		dlg_node_free(doc);
	}
	if (cli_flag(&a, CLI_O_JSON)) {
		dlg_buf_puts(&b, "]");
		cli_put_json(&b);
	} else if (!shown && !error) {
		cli_printf("no templates (delegit template add NAME --from "
			   "ID)\n");
	}
done:
	dlg_strv_free(names, n);
	dlg_buf_dispose(&b);
	cli_args_dispose(&a);
	return error;
}

static int template_show(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_buf text = DLG_BUF_INIT;
	dlg_node *doc = NULL;
	int error;

	if ((error = cli_parse(&a, &show_spec, argc, argv)) != 0 ||
	    (error = cli_template_load(&doc, c, a.pos[0])) < 0)
		goto done;
	if (cli_flag(&a, CLI_O_JSON)) {
		cli_print_json(doc);
	} else {
		dlg_buf shown = DLG_BUF_INIT;

		/* the file's text, its lines kept, anything else escaped */
		dlg_yaml_write(&text, doc, &dlg_schema_template);
		dlg_escape(&shown, text.ptr, text.size, DLG_ESC_LINES);
		fwrite(shown.ptr, 1, shown.size, stdout);
		dlg_buf_dispose(&shown);
	}
done:
	dlg_node_free(doc);
	dlg_buf_dispose(&text);
	cli_args_dispose(&a);
	return error;
}

int cmd_template(cli_ctx *c, int argc, char **argv)
{
	static const cli_subcommand subs[] = {
		{ "add", template_add }, { "list", template_list },
		{ "show", template_show }
	};

	return cli_run_subcommand(c, argc, argv, &template_spec, "template",
				  subs, sizeof(subs) / sizeof(subs[0]));
}
