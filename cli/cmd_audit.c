/* delegit audit [--since D] [--json] */
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_SINCE, 0, OPT_VALUE, "DATE", "commits from DATE on (YYYY-MM-DD)" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL,
	  "print a JSON array: commit, author, path, field, from, to, message" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit audit [--since DATE] [--json]",
	"Every change in history that the policy forbids.",
	"Each commit is judged by the policy and team in force at its parent:\n"
	"unknown authors, fields a person may not change, team and policy\n"
	"changes by someone who is not a director, files that do not\n"
	"validate. Exits 1 when it finds any.",
	opts, 0, 0
};

int cmd_audit(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_violations v = DLG_VIOLATIONS_INIT;
	dlg_buf out = DLG_BUF_INIT;
	time_t since = 0;
	size_t i;
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if ((error = cli_date_opt(&since, &a, CLI_O_SINCE)) < 0)
		goto done;
	if ((error = dlg_repo_audit(&v, c->repo, since)) < 0)
		goto done;
	if (cli_flag(&a, CLI_O_JSON)) {
		dlg_buf_puts(&out, "[");
		for (i = 0; i < v.count; i++) {
			const dlg_violation *x = &v.items[i];
			const char *keys[] = { "commit", "author", "path", "field",
					       "from", "to", "message" };
			const char *vals[] = { x->commit, x->author, x->path,
					       x->field, x->from, x->to,
					       x->message };
			size_t k;

			dlg_buf_puts(&out, i ? ",\n{" : "{");
			for (k = 0; k < 7; k++) {
				dlg_buf_printf(&out, "%s\"%s\":", k ? "," : "",
					       keys[k]);
				if (vals[k])
					dlg_json_string(&out, vals[k]);
				else
					dlg_buf_puts(&out, "null");
			}
			dlg_buf_puts(&out, "}");
		}
		dlg_buf_puts(&out, "]");
		cli_put_json(&out);
	} else {
		for (i = 0; i < v.count; i++)
			cli_printf("%s%.8s%s %s: %s\n", cli_color(c, C_YELLOW),
				   v.items[i].commit ? v.items[i].commit : "-",
				   cli_color(c, C_RESET), v.items[i].path,
				   v.items[i].message);
		if (!v.count)
			cli_printf("no violations\n");
	}
	if (v.count) /* the violations are the report */
		error = cli_error_shown(DLG_EDENIED);
done:
	dlg_buf_dispose(&out);
	dlg_violations_dispose(&v);
	cli_args_dispose(&a);
	return error;
}
