/* delegit: the entry point and the one dispatch table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_command commands[] = {
	{ "init", cmd_init, 0, "create a delegit repository" },
	{ "clone", cmd_clone, 0, "clone a delegit repository" },
	{ "team", cmd_team, NEEDS_REPO, "add, list, show and edit people" },
	{ "add", cmd_add, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "delegate a task" },
	{ "list", cmd_list, NEEDS_REPO, "list tasks" },
	{ "show", cmd_show, NEEDS_REPO, "show a task" },
	{ "edit", cmd_edit, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "edit a task in $EDITOR" },
	{ "set", cmd_set, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "change fields of a task" },
	{ "assign", cmd_assign, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "delegate a task to someone (again)" },
	{ "start", cmd_workflow, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "start work on a task" },
	{ "block", cmd_workflow, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "mark a task blocked, saying why" },
	{ "submit", cmd_workflow, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "submit a task for review" },
	{ "accept", cmd_workflow, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "accept submitted work as done" },
	{ "reject", cmd_workflow, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "send submitted work back, with feedback" },
	{ "reopen", cmd_workflow, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "reopen a done or cancelled task" },
	{ "cancel", cmd_workflow, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "cancel a task" },
	{ "ask-due", cmd_ask_due, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "ask the delegator for a new due date" },
	{ "grant", cmd_answer_due, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "grant a request for a new due date" },
	{ "decline", cmd_answer_due, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "decline a request for a new due date, saying why" },
	{ "expect", cmd_expect, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "set a task's expectations" },
	{ "checkpoint", cmd_checkpoint,
	  NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "add or tick checkpoints" },
	{ "accept-criterion", cmd_accept_criterion,
	  NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "mark an acceptance criterion met" },
	{ "feedback", cmd_feedback, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "give feedback on a task, either way" },
	{ "log", cmd_log, NEEDS_REPO, "accountability history, field by field" },
	{ "agenda", cmd_agenda, NEEDS_REPO, "what needs attention now" },
	{ "suggest", cmd_suggest, NEEDS_REPO, "who to delegate a task to" },
	{ "report", cmd_report, NEEDS_REPO,
	  "workload, delivery, sla, matrix, accountability; --html" },
	{ "check", cmd_check, NEEDS_REPO, "validate every file" },
	{ "audit", cmd_audit, NEEDS_REPO,
	  "every change in history the policy forbids" },
	{ "sync", cmd_sync, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "exchange work with a remote" },
	{ "conflicts", cmd_conflicts, NEEDS_REPO,
	  "what sync could not merge" },
	{ "resolve", cmd_resolve, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "settle a recorded conflict" },
	{ "hook", cmd_hook, 0,
	  "judge pushes at the server (install in a bare repository)" },
	{ "merge-file", cmd_merge_file, 0,
	  "merge three versions of a file (git's merge driver)" },
	{ NULL, NULL, 0, NULL }
};

static void usage(FILE *f)
{
	const cli_command *cmd;

	fputs("usage: delegit [-C DIR] [--no-color] COMMAND [ARGS]\n\n"
	      "delegit keeps delegated tasks, their expectations and feedback "
	      "in a git repository.\n\ncommands:\n", f);
	for (cmd = commands; cmd->name; cmd++)
		fprintf(f, "  %-18s %s\n", cmd->name, cmd->summary);
	fputs("\n'delegit COMMAND --help' tells more. Exit codes: 0 success, "
	      "1 error (local failures\ntoo: a full disk, permissions), 2 usage "
	      "error (a bad option value too), 3 a remote\ncould not be reached "
	      "(try again later).\n", f);
}

static int wants_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	}
	return 0;
}

static int exit_code(int error)
{
	switch (error) {
	case 0:
		return 0;
	case DLG_EUSAGE:
		return 2;
	case DLG_EOFFLINE:
		return 3;
	default:
		return 1;
	}
}

int main(int argc, char **argv)
{
	const cli_command *cmd;
	cli_ctx ctx;
	int i = 1, error = 0, color = -1;

	memset(&ctx, 0, sizeof(ctx));
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "--version")) {
			cli_printf("delegit %s\n", DELEGIT_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-C") && i + 1 < argc) {
			if (chdir(argv[i + 1]) < 0) {
				cli_eprintf("delegit: cannot change to '%s': "
					    "%s\n", argv[i + 1], strerror(errno));
				return 1;
			}
			i += 2;
		} else if (!strcmp(argv[i], "--no-color")) {
			color = 0;
			i++;
		} else {
			cli_eprintf("delegit: unknown option '%s'\n",
				    argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	for (cmd = commands; cmd->name; cmd++)
		if (!strcmp(cmd->name, argv[i]))
			break;
	if (!cmd->name) {
		cli_eprintf("delegit: '%s' is not a delegit command "
			    "(see 'delegit --help')\n", argv[i]);
		return 2;
	}
	ctx.color = color;
	if (!wants_help(argc - i, argv + i))
		error = cli_ctx_setup(&ctx, cmd->flags);
	if (!error)
		error = cmd->fn(&ctx, argc - i, argv + i);
	if (error < 0 && !cli_error_reported)
		cli_eprintf("delegit: %s\n", dlg_error_last());
	cli_ctx_dispose(&ctx);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		cli_eprintf("delegit: cannot write output: %s\n",
			    strerror(errno));
		return 1;
	}
	return exit_code(error);
}
