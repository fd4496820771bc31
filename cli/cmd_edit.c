/* delegit edit ID: the task file in $EDITOR, validated before committing. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit edit ID [--json]",
	"Edit a task's file in $EDITOR; it is validated before it is committed.",
	"If what you wrote does not validate, delegit shows every problem and\n"
	"offers to reopen the editor; otherwise it keeps your text in a file\n"
	"under .git/ and says where. Your text is never lost. A task whose\n"
	"file is invalid (a bad hand edit) can be mended this way too.",
	opts, 1, 1, "ID"
};

static int run_editor(const char *path)
{
	const char *editor = getenv("EDITOR");
	pid_t pid;
	int status;

	if (!editor || !*editor)
		editor = getenv("VISUAL");
	if (!editor || !*editor)
		editor = "vi";
	pid = fork();
	if (pid < 0) {
		dlg_error_set("cannot start the editor: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* Through the shell, so EDITOR may hold arguments. */
		execl("/bin/sh", "sh", "-c", "exec $DELEGIT__EDITOR \"$1\"", "sh",
		      path, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		dlg_error_set("the editor '%s' failed (exit %d); nothing was "
			      "changed", editor,
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

static int ask_again(void)
{
	char line[16];

	if (!isatty(0) || !isatty(2))
		return 0;
	fputs("Edit again? [Y/n] ", stderr);
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] != 'n' && line[0] != 'N';
}

/* Long: the edit loop (write, run $EDITOR, validate, ask again) kept in
 * one place, as git commit's is. */
int cmd_edit(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_buf orig = DLG_BUF_INIT, text = DLG_BUF_INIT, tmp = DLG_BUF_INIT;
	dlg_buf path = DLG_BUF_INIT;
	dlg_store *git_store = NULL;
	char rel[64];
	int error, keep = 0;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if ((error = dlg_store_resolve_task(t.id, c->store, a.pos[0])) < 0 ||
	    (error = dlg_task_path(&path, t.id)) < 0 ||
	    (error = dlg_store_read_file(&orig, c->store, path.ptr)) < 0)
		goto done;
	t.path = dlg_buf_detach(&path);
	t.before = cli_head_doc(c, t.path);
	/* The copy lives under .git/, beside the repository it belongs to. */
	dlg_store_open(&git_store, dlg_repo_gitdir(c->repo));
	snprintf(rel, sizeof(rel), "delegit-edit-%.8s.yaml", t.id);
	dlg_buf_printf(&tmp, "%s%s", dlg_repo_gitdir(c->repo), rel);
	setenv("DELEGIT__EDITOR",
	       getenv("EDITOR") && *getenv("EDITOR") ? getenv("EDITOR")
	       : getenv("VISUAL") && *getenv("VISUAL") ? getenv("VISUAL")
						       : "vi", 1);
	/* A copy kept by an earlier edit that did not validate is the
	 * user's work: start from it rather than overwrite it. */
	if (dlg_store_exists(git_store, rel))
		cli_eprintf("delegit: resuming your earlier edit kept in "
			    "%s\n", tmp.ptr);
	else if ((error = dlg_store_write_file(git_store, rel, orig.ptr,
					       orig.size)) < 0)
		goto done;
	for (;;) {
		keep = 1;
		if ((error = run_editor(tmp.ptr)) < 0)
			goto done;
		if ((error = dlg_store_read_file(&text, git_store, rel)) < 0)
			goto done;
		if (text.size == orig.size && !memcmp(text.ptr, orig.ptr, orig.size)) {
			cli_eprintf("no changes\n");
			keep = 0;
			goto done;
		}
		dlg_diags_dispose(&diags);
		dlg_node_free(t.task);
		t.task = NULL;
		if (!dlg_store_parse(&t.task, text.ptr, text.size, t.path,
				     &dlg_schema_task, &diags) &&
		    strcmp(dlg_map_get_str(t.task, "id"), t.id)) {
			dlg_node *id = dlg_map_get(t.task, "id");

			dlg_diags_add(&diags, t.path, id->line, id->column,
				      "the id may not change (expected %s)",
				      t.id);
		}
		if (!diags.count)
			break;
		cli_print_diags(&diags);
		if (!ask_again()) {
			error = cli_error(DLG_EINVALID, "nothing was changed; "
					  "your text is kept in %s", tmp.ptr);
			goto done;
		}
	}
	if (!t.before)
		t.before = dlg_node_dup(t.task);
	error = cli_task_commit(c, &t, "edit",
				cli_out_mode(&a));
	keep = error < 0;
done:
	if (keep && error < 0 && error != DLG_EINVALID)
		cli_eprintf("delegit: your text is kept in %s\n", tmp.ptr);
	if (!keep && tmp.size && git_store)
		dlg_store_remove_file(git_store, rel);
	dlg_store_free(git_store);
	dlg_buf_dispose(&path);
	dlg_buf_dispose(&tmp);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&orig);
	dlg_diags_dispose(&diags);
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}
