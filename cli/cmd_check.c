/* delegit check */
#include "cli.h"

static const cli_opt opts[] = {
	{ "quiet", 'q', OPT_FLAG, NULL, "print only problems" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit check [--quiet]",
	"Validate every delegit file and the policy.",
	"Lists every problem as path:line:column: what is wrong (what was\n"
	"expected) and exits 1 if there is any. Changes nothing.",
	opts, 0, 0
};

int cmd_check(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_diags diags = DLG_DIAGS_INIT;
	char **files = NULL;
	size_t n = 0;
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if (dlg_store_check(c->store, &diags) < 0) {
		cli_print_diags(&diags);
		cli_eprintf("delegit: %zu problem%s found\n", diags.count,
			    diags.count == 1 ? "" : "s");
		cli_error_reported = 1;
		error = DLG_EINVALID;
		goto done;
	}
	dlg_store_list_tasks(&files, &n, c->store);
	if (!cli_flag(&a, "quiet"))
		cli_printf("ok: %zu task%s and %zu %s checked\n", n,
			   n == 1 ? "" : "s", c->team.count,
			   c->team.count == 1 ? "person" : "people");
done:
	dlg_strv_free(files, n);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}
