/* delegit hook install [DIR] [--force], delegit hook pre-receive */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt no_opts[] = { CLI_OPT_END };

static const cli_spec hook_spec = {
	"delegit hook (install [DIR] [--force] | pre-receive)",
	"Enforce the policy at the server: judge every pushed commit.",
	"'install', in a bare repository (DIR, or the current folder), writes\n"
	"its hooks/pre-receive to run 'delegit hook pre-receive'. git runs\n"
	"that for every push with the pushed commits still in quarantine:\n"
	"each is judged by the team and policy of the branch before the push,\n"
	"with the judge sync and audit use. In enforce mode a push holding any\n"
	"violation is refused whole, each rule broken named, and the\n"
	"repository's refs stay as they were; in warn mode it is accepted\n"
	"with the violations printed. A push that rewrites a branch's history\n"
	"or brings an unrelated history breaks a rule too.",
	no_opts, 0, 0
};

static const cli_opt install_opts[] = {
	{ CLI_O_FORCE, 0, OPT_FLAG, NULL,
	  "replace a pre-receive hook that is not delegit's" },
	CLI_OPT_END
};

static const cli_spec install_spec = {
	"delegit hook install [DIR] [--force]",
	"Install the pre-receive hook in a bare repository.", NULL,
	install_opts, 0, 1, "DIR"
};

static const cli_spec pre_receive_spec = {
	"delegit hook pre-receive",
	"Judge a push (git runs this; reads OLD NEW REF lines).", NULL,
	no_opts, 0, 0
};

static int hook_install(int argc, char **argv)
{
	cli_args a;
	char *path = NULL;
	int error;

	if ((error = cli_parse(&a, &install_spec, argc, argv)) != 0)
		goto done;
	if ((error = dlg_repo_install_hook(&path, a.npos ? a.pos[0] : ".",
					   cli_program(),
					   cli_flag(&a, CLI_O_FORCE))) < 0)
		goto done;
	cli_printf("installed %s\n", path);
done:
	free(path);
	cli_args_dispose(&a);
	return error;
}

static int hook_pre_receive(int argc, char **argv)
{
	cli_args a;
	dlg_repo *r = NULL;
	dlg_violations v = DLG_VIOLATIONS_INIT;
	char line[1024];
	int error, enforce = 0;
	size_t i;

	if ((error = cli_parse(&a, &pre_receive_spec, argc, argv)) != 0)
		goto done;
	if ((error = dlg_repo_open_env(&r)) < 0)
		goto done;
	while (fgets(line, sizeof(line), stdin)) {
		char old[64], new[64], ref[900];
		int e = 0;

		if (sscanf(line, "%63s %63s %899s", old, new, ref) != 3) {
			dlg_error_set("unexpected input '%.60s' (expected OLD "
				      "NEW REF, as git gives a pre-receive hook)",
				      line);
			error = DLG_EUSAGE;
			goto done;
		}
		if ((error = dlg_repo_judge_update(&v, &e, r, ref, old,
						   new)) < 0)
			goto done;
		enforce |= e;
	}
	for (i = 0; i < v.count; i++)
		cli_eprintf("delegit: %s: %.8s %s: %s\n",
			    enforce ? "refused" : "warning",
			    v.items[i].commit ? v.items[i].commit : "-",
			    v.items[i].path, v.items[i].message);
	if (v.count && enforce) {
		error = cli_error(DLG_EDENIED, "push refused: %zu change%s the "
				  "policy forbids (mode: enforce); nothing was "
				  "changed here", v.count,
				  v.count == 1 ? "" : "s");
	} else if (v.count) {
		cli_eprintf("delegit: %zu change%s the policy forbids: "
			    "accepted (mode: warn); see 'delegit audit'\n", v.count,
			    v.count == 1 ? "" : "s");
	}
done:
	dlg_violations_dispose(&v);
	dlg_repo_free(r);
	cli_args_dispose(&a);
	return error;
}

static int hook_install_cmd(cli_ctx *c, int argc, char **argv)
{
	(void)c;
	return hook_install(argc, argv);
}

static int hook_pre_receive_cmd(cli_ctx *c, int argc, char **argv)
{
	(void)c;
	return hook_pre_receive(argc, argv);
}

int cmd_hook(cli_ctx *c, int argc, char **argv)
{
	static const cli_subcommand subs[] = {
		{ "install", hook_install_cmd },
		{ "pre-receive", hook_pre_receive_cmd }
	};

	return cli_run_subcommand(c, argc, argv, &hook_spec, "hook", subs,
				  sizeof(subs) / sizeof(subs[0]));
}
