/* delegit archive --before DATE [--dry-run] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_BEFORE, 0, OPT_VALUE, "DATE",
	  "archive the tasks closed before this date (required)", CLI_DATE },
	{ CLI_O_DRY_RUN, 'n', OPT_FLAG, NULL, "say what would move; move nothing" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit archive --before DATE [--dry-run]",
	"Move closed tasks out of the working set, to archive/.",
	"Every task done or cancelled before DATE moves, its bytes as they are,\n"
	"from tasks/<hh>/ to archive/<year it was closed>/<hh>/, in one commit\n"
	"(one act, one commit: a move of many files, undone with one revert).\n"
	"What reads tasks/ (list, agenda, reports, every change) then costs what\n"
	"the open and recent work does. Archived tasks stay in history (delegit\n"
	"log, log ID), in searches (list --archived [TEXT]) and in show ID;\n"
	"reports, the agenda and suggest leave them out. Moving a task is\n"
	"deleting it from tasks/: the policy allows it to whoever may delete it\n"
	"(the default: its delegator, directors, managers); nothing moves if any\n"
	"one of them may not.",
	opts, 0, 0
};

typedef struct {
	char *path, *apath;
	dlg_buf text;
	dlg_node *doc;
} moving;

static const char attributes_line[] = "archive/**/*.yaml merge=delegit\n";

/* .gitattributes routing archive/ to the merge driver too (repositories
 * made before the archive existed lack the line): 1 when it changed. */
static int attributes(dlg_buf *out, cli_ctx *c)
{
	if (dlg_store_read_file(out, c->store, ".gitattributes") < 0)
		dlg_buf_clear(out);
	if (strstr(out->ptr, "archive/**/*.yaml"))
		return 0;
	if (out->size && out->ptr[out->size - 1] != '\n')
		dlg_buf_puts(out, "\n");
	dlg_buf_puts(out, attributes_line);
	return 1;
}

/* The tasks closed before `before`, read (the rows tell which are
 * closed; only those files are read). */
static int choose(moving **out, size_t *count, cli_ctx *c, const char *before,
		  dlg_diags *diags)
{
	dlg_rows *rows = NULL;
	moving *mv = NULL;
	size_t n = 0, alloc = 0, i, total;
	int error;

	if ((error = dlg_rows_load(&rows, c->store, dlg_store_cache(c->store),
				   diags)) < 0 || diags->count)
		goto done;
	total = dlg_rows_count(rows);
	for (i = 0; i < total; i++) {
		const dlg_row *r = dlg_rows_at(rows, i);
		dlg_buf path = DLG_BUF_INIT, apath = DLG_BUF_INIT;
		const char *closed;
		moving *m;

		if (dlg_row_is_open(r))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			if (!(mv = realloc(mv, alloc * sizeof(*mv))))
				abort();
		}
		m = &mv[n];
		memset(m, 0, sizeof(*m));
		dlg_task_path(&path, r->file);
		if (dlg_store_read_file(&m->text, c->store, path.ptr) < 0 ||
		    dlg_store_parse(&m->doc, m->text.ptr, m->text.size, path.ptr,
				    &dlg_schema_task, diags) < 0 ||
		    !(closed = dlg_map_get_str(m->doc, "closed")) ||
		    strncmp(closed, before, 10) >= 0 || dlg_task_is_open(m->doc) ||
		    dlg_archive_path(&apath, r->file, closed) < 0) {
			dlg_node_free(m->doc);
			dlg_buf_dispose(&m->text);
			dlg_buf_dispose(&path);
			dlg_buf_dispose(&apath);
			continue;
		}
		m->path = dlg_buf_detach(&path);
		m->apath = dlg_buf_detach(&apath);
		n++;
	}
done:
	dlg_rows_free(rows);
	*out = mv;
	*count = n;
	return error;
}

/* Move the files and commit the move; on a failure, put every file back
 * where it was: nothing half-done. */
static int move(cli_ctx *c, const moving *mv, size_t n, const char *before)
{
	dlg_commit_file *files = NULL;
	dlg_buf msg = DLG_BUF_INIT, attr = DLG_BUF_INIT, old_attr = DLG_BUF_INIT;
	size_t i, nfiles = 0;
	int error = 0, attr_changed;

	dlg_store_read_file(&old_attr, c->store, ".gitattributes");
	attr_changed = attributes(&attr, c);
	if (!(files = calloc(2 * n + 1, sizeof(*files))))
		abort();
	dlg_buf_printf(&msg, "archive %zu task%s closed before %s\n\n", n,
		       n == 1 ? "" : "s", before);
	for (i = 0; i < n; i++) {
		if ((error = dlg_store_write_file(c->store, mv[i].apath,
						  mv[i].text.ptr,
						  mv[i].text.size)) < 0 ||
		    (error = dlg_store_remove_file(c->store, mv[i].path)) < 0) {
			error = cli_fail(error, NULL);
			goto undo;
		}
		files[nfiles++] = (dlg_commit_file){ mv[i].apath, mv[i].text.ptr,
						     mv[i].text.size };
		files[nfiles++] = (dlg_commit_file){ mv[i].path, NULL, 0 };
		dlg_buf_printf(&msg, "- %.8s -> %.12s: %s\n",
			       dlg_map_get_str(mv[i].doc, "id"), mv[i].apath,
			       dlg_map_get_str(mv[i].doc, "title"));
	}
	if (attr_changed) {
		if ((error = dlg_store_write_file(c->store, ".gitattributes",
						  attr.ptr, attr.size)) < 0) {
			error = cli_fail(error, NULL);
			goto undo;
		}
		files[nfiles++] = (dlg_commit_file){ ".gitattributes", attr.ptr,
						     attr.size };
	}
	dlg_buf_puts(&msg, "\n");
	for (i = 0; i < n; i++)
		dlg_buf_printf(&msg, "Task: %s\n",
			       dlg_map_get_str(mv[i].doc, "id"));
	if ((error = cli_commit_files(c, files, nfiles, msg.ptr, c->me)) < 0) {
		error = cli_fail(error, NULL);
		goto undo;
	}
	goto done;
undo:
	for (i = 0; i < n; i++) {
		dlg_store_write_file(c->store, mv[i].path, mv[i].text.ptr,
				     mv[i].text.size);
		if (dlg_store_exists(c->store, mv[i].apath))
			dlg_store_remove_file(c->store, mv[i].apath);
	}
	if (attr_changed)
		dlg_store_write_file(c->store, ".gitattributes", old_attr.ptr,
				     old_attr.size);
done:
	free(files);
	dlg_buf_dispose(&old_attr);
	dlg_buf_dispose(&attr);
	dlg_buf_dispose(&msg);
	return error;
}

int cmd_archive(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_diags diags = DLG_DIAGS_INIT;
	moving *mv = NULL;
	const char *before;
	size_t n = 0, i;
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if (!(before = cli_get(&a, CLI_O_BEFORE))) {
		dlg_error_set("missing option --before DATE (the tasks closed "
			      "before it move)");
		error = DLG_EUSAGE;
		goto done;
	}
	if ((error = choose(&mv, &n, c, before, &diags)) < 0)
		goto done;
	if (diags.count) {
		error = cli_fail(DLG_EINVALID, &diags);
		goto done;
	}
	if (!n) {
		cli_printf("no task was closed before %s: nothing to archive\n",
			   before);
		goto done;
	}
	for (i = 0; i < n; i++)
		if ((error = cli_policy_check(c, mv[i].path, mv[i].doc,
					      NULL)) < 0 ||
		    (error = cli_policy_check(c, mv[i].apath, NULL,
					      mv[i].doc)) < 0)
			goto done;
	if (cli_flag(&a, CLI_O_DRY_RUN)) {
		for (i = 0; i < n; i++)
			cli_printf("would move %s -> %s: %s\n", mv[i].path,
				   mv[i].apath,
				   dlg_map_get_str(mv[i].doc, "title"));
		goto done;
	}
	if ((error = cli_require_identity(c)) < 0 ||
	    (error = dlg_repo_lock(c->repo)) < 0 ||
	    (error = move(c, mv, n, before)) < 0)
		goto done;
	cli_printf("archived %zu task%s closed before %s (archive/)\n", n,
		   n == 1 ? "" : "s", before);
done:
	for (i = 0; i < n; i++) {
		free(mv[i].path);
		free(mv[i].apath);
		dlg_buf_dispose(&mv[i].text);
		dlg_node_free(mv[i].doc);
	}
	free(mv);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}
