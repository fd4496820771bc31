/*
 * delegit __complete (ids | handles): what the shell completions offer
 * from the repository (hidden from --help). The commands and options come
 * from --dump-help, the tables that drive --help.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const cli_spec spec = {
	"delegit __complete (ids | handles) [PREFIX]",
	"Print the task ids (short, a tab, the title) or the handles that "
	"begin with\nPREFIX, one a line, for the shell completions.",
	NULL, NULL, 1, 2, "WHAT PREFIX"
};

int cmd_complete(cli_ctx *c, int argc, char **argv)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	dlg_buf line = DLG_BUF_INIT;
	const char *prefix;
	cli_args a;
	size_t i, n;
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	prefix = a.npos > 1 ? a.pos[1] : "";
	n = strlen(prefix);
	if (!strcmp(a.pos[0], "handles")) {
		for (i = 0; i < c->team.count; i++) {
			const char *h = dlg_map_get_str(c->team.people[i],
							"handle");

			if (h && !strncmp(h, prefix, n))
				cli_printf("%s\n", h);
		}
	} else if (!strcmp(a.pos[0], "ids")) {
		/* Invalid files have no row: nothing to offer for them. */
		if ((error = dlg_rows_load(&rows, c->store,
					   dlg_store_cache(c->store),
					   &diags)) < 0)
			goto done;
		for (i = 0; i < dlg_rows_count(rows); i++) {
			const dlg_row *r = dlg_rows_at(rows, i);
			char id[DLG_TASK_ID_SIZE];

			dlg_rows_short_id(id, rows, r);
			if (strncmp(id, prefix, n) &&
			    strncmp(r->id, prefix, n))
				continue;
			if (n > strlen(id))
				snprintf(id, sizeof(id), "%s", r->id);
			dlg_buf_clear(&line);
			dlg_escape(&line, r->title, strlen(r->title), 0);
			cli_printf("%s\t%s\n", id, line.ptr);
		}
	} else {
		dlg_error_set("__complete: unknown '%s' (expected ids or "
			      "handles)", a.pos[0]);
		error = DLG_EUSAGE;
	}
done:
	dlg_buf_dispose(&line);
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}
