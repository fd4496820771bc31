/* delegit init [DIR] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char config_yaml[] =
	"format: 1\n"
	"orgs: {}\n";

static const char gitattributes[] =
	"# delegit's files merge field by field (delegit merge-file).\n"
	".delegit/*.yaml merge=delegit\n"
	"team/*.yaml merge=delegit\n"
	"tasks/**/*.yaml merge=delegit\n";

static const cli_opt opts[] = {
	{ CLI_O_QUIET, 'q', OPT_FLAG, NULL, "print nothing" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit init [DIR]",
	"Create a delegit repository in DIR (default: the current folder).",
	"Writes .delegit/config.yaml, .delegit/policy.yaml and .gitattributes\n"
	"and commits them. DIR may already be a git repository. Then add the\n"
	"first director with 'delegit team add'.",
	opts, 0, 1, "DIR"
};

int cmd_init(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_repo *repo = NULL;
	dlg_store *store = NULL;
	char *name = NULL, *email = NULL, *attrs = NULL;
	const char *dir;
	dlg_signature sig;
	dlg_commit_file files[3];
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	dir = a.npos ? a.pos[0] : ".";
	if ((error = dlg_repo_init(&repo, dir)) < 0 ||
	    (error = dlg_repo_lock(repo)) < 0)
		goto done;
	dlg_store_open(&store, dlg_repo_workdir(repo));
	if (dlg_store_exists(store, ".delegit/config.yaml")) {
		dlg_error_set("'%s' is a delegit repository already",
			      dlg_repo_workdir(repo));
		error = DLG_EINVALID;
		goto done;
	}
	files[0] = (dlg_commit_file){ ".delegit/config.yaml", config_yaml,
				      strlen(config_yaml) };
	files[1] = (dlg_commit_file){ ".delegit/policy.yaml",
				      dlg_policy_default_text,
				      strlen(dlg_policy_default_text) };
	files[2] = (dlg_commit_file){ ".gitattributes", gitattributes,
				      strlen(gitattributes) };
	if (dlg_store_exists(store, ".gitattributes")) {
		/* Keep what is there; add our lines after it. */
		dlg_buf old = DLG_BUF_INIT;

		dlg_store_read_file(&old, store, ".gitattributes");
		if (!strstr(old.ptr, "merge=delegit")) {
			if (old.size && old.ptr[old.size - 1] != '\n')
				dlg_buf_puts(&old, "\n");
			dlg_buf_puts(&old, gitattributes);
		}
		attrs = dlg_buf_detach(&old);
		files[2].data = attrs;
		files[2].len = strlen(attrs);
	}
	for (size_t i = 0; i < 3; i++)
		if ((error = dlg_store_write_file(store, files[i].path,
						  files[i].data,
						  files[i].len)) < 0)
			goto done;
	if ((error = dlg_repo_ensure_merge_driver(repo,
						  cli_merge_program())) < 0)
		goto done;
	dlg_repo_config_get(&name, repo, "user.name");
	dlg_repo_config_get(&email, repo, "user.email");
	sig.name = name ? name : "delegit";
	sig.email = email ? email : "delegit@localhost";
	sig.when = c->now;
	if ((error = dlg_repo_commit(NULL, repo, files, 3,
				     "init: delegit repository\n\n"
				     "Format 1: config, policy and the merge "
				     "driver's attributes.\n",
				     &sig)) < 0)
		goto done;
	if (!cli_flag(&a, CLI_O_QUIET))
		cli_printf("Initialized a delegit repository in %s\n"
			   "Next: delegit team add HANDLE --name NAME --email "
			   "EMAIL --org ORG --role director\n",
			   dlg_repo_workdir(repo));
done:
	free(attrs);
	free(name);
	free(email);
	dlg_store_free(store);
	dlg_repo_free(repo);
	cli_args_dispose(&a);
	return error;
}
