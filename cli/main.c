/* delegit: the entry point and the one dispatch table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int cmd_help(cli_ctx *c, int argc, char **argv);

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
	{ "archive", cmd_archive, NEEDS_REPO,
	  "move closed tasks out of the working set" },
	{ "template", cmd_template, NEEDS_REPO,
	  "templates (runbooks) for routine tasks" },
	{ "spent", cmd_spent, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "record time spent on a task" },
	{ "checkin", cmd_checkin, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "record a check-in on a task" },
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
	{ "plate", cmd_plate, NEEDS_REPO,
	  "where a person's time went, and what to delegate" },
	{ "report", cmd_report, NEEDS_REPO,
	  "workload, delivery, sla, matrix, accountability; --html" },
	{ "export", cmd_export, NEEDS_REPO,
	  "tasks as a calendar (--ics), CSV or JSON" },
	{ "import", cmd_import, NEEDS_REPO | NEEDS_IDENTITY | NEEDS_LOCK,
	  "tasks from Taskwarrior's export or CSV" },
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
	{ "help", cmd_help, 0, "a command's help: delegit help COMMAND" },
	{ "__complete", cmd_complete, NEEDS_REPO | CLI_HIDDEN,
	  "task ids and handles for the shell completions" },
	{ NULL, NULL, 0, NULL }
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]) - 1)

/* The command named name, or NULL after saying it is none, and which
 * command was perhaps meant (a usage error). */
static const cli_command *find_command(const char *name)
{
	const char *names[NCOMMANDS];
	dlg_buf msg = DLG_BUF_INIT;
	size_t i;

	size_t n = 0;

	for (i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
		if (!(commands[i].flags & CLI_HIDDEN))
			names[n++] = commands[i].name;
	}
	cli_did_you_mean(&msg, name, "", names, n);
	if (msg.size)
		cli_error(DLG_EUSAGE, "'%s' is not a delegit command%s", name,
			  msg.ptr);
	else
		cli_error(DLG_EUSAGE, "'%s' is not a delegit command "
			  "(see 'delegit --help')", name);
	dlg_buf_dispose(&msg);
	return NULL;
}

static void usage(FILE *f)
{
	const cli_command *cmd;

	fputs("usage: delegit [-C DIR] [--no-color] [--no-pager] COMMAND "
	      "[ARGS]\n\n"
	      "delegit keeps delegated tasks, their expectations and feedback "
	      "in a git repository.\n\ncommands:\n", f);
	for (cmd = commands; cmd->name; cmd++)
		if (!(cmd->flags & CLI_HIDDEN))
			fprintf(f, "  %-18s %s\n", cmd->name, cmd->summary);
	fputs("\n'delegit help COMMAND' (or 'delegit COMMAND --help') tells "
	      "more.\nOn a terminal, log, list, show, report, audit, conflicts, "
	      "agenda, suggest, plate\nand team list and show go through a "
	      "pager: "
	      "$DELEGIT_PAGER, else $PAGER, else 'less -FRX'\n(none when it "
	      "is empty or cat, nor in a pipe, nor with --no-pager).\n", f);
	fputs("\nExit codes: 0 success, 1 error (local failures too: a full "
	      "disk, permissions),\n2 usage error (a bad option value too), 3 a "
	      "remote could not be reached (try\nagain later).\n", f);
}

static const cli_spec help_spec = {
	"delegit help [COMMAND [SUBCOMMAND]]",
	"Show a command's help, as 'delegit COMMAND --help' does; alone, the "
	"list of\ncommands, as 'delegit --help' does.",
	NULL, NULL, 0, 2, "COMMAND SUBCOMMAND"
};

static int cmd_help(cli_ctx *c, int argc, char **argv)
{
	const cli_command *cmd;
	char *args[4];
	cli_args a;
	int error, n = 0;

	if ((error = cli_parse(&a, &help_spec, argc, argv)) != 0)
		goto done;
	if (!a.npos) {
		usage(stdout);
		goto done;
	}
	if (!(cmd = find_command(a.pos[0]))) {
		error = DLG_EUSAGE;
		goto done;
	}
	args[n++] = (char *)a.pos[0];
	if (a.npos > 1)
		args[n++] = (char *)a.pos[1];
	args[n++] = "--help";
	args[n] = NULL;
	error = cmd->fn(c, n, args);
done:
	cli_args_dispose(&a);
	return error;
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

/*
 * The commands that can print more than a screen go through the pager on
 * a terminal (as git's USE_PAGER commands), --json too, as git pages any
 * output; not those that ask (edit) or that report progress (sync).
 */
static int paged(int argc, char **argv)
{
	static const char *const paging[] = { "log", "list", "show",
		"report", "audit", "conflicts", "agenda", "suggest", "plate",
		NULL };

	if (!strcmp(argv[0], "team"))
		return argc > 1 && (!strcmp(argv[1], "list") ||
				    !strcmp(argv[1], "show"));
	return dlg_enum_index(paging, argv[0]) >= 0;
}

/* CLI_DONE (help printed) is a success too. */
static int exit_code(int error)
{
	if (error >= 0)
		return 0;
	switch (error) {
	case DLG_EUSAGE:
		return 2;
	case DLG_EOFFLINE:
		return 3;
	default:
		return 1;
	}
}

/* Long: the global options, then the dispatch, as git's main does. */
int main(int argc, char **argv)
{
	const cli_command *cmd;
	cli_ctx ctx;
	int i = 1, error = 0, color = -1, pager = 1;

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
		} else if (!strncmp(argv[i], "--dump-help=", 12)) {
			/* Hidden: the option tables for scripts/gen-man.sh
			 * and the completions (cli_help_format). */
			const char *what = argv[i] + 12;

			if (!strcmp(what, "commands")) {
				for (cmd = commands; cmd->name; cmd++)
					if (!(cmd->flags & CLI_HIDDEN))
						printf("%s\t%s\n", cmd->name,
						       cmd->summary);
				return fflush(stdout) != 0;
			}
			if (strcmp(what, "man") && strcmp(what, "options")) {
				cli_eprintf("delegit: --dump-help: unknown "
					    "'%s' (expected man, options or "
					    "commands)\n", what);
				return 2;
			}
			cli_help_format = !strcmp(what, "man")
						  ? CLI_HELP_MAN
						  : CLI_HELP_OPTIONS;
			i++;
		} else if (!strcmp(argv[i], "--no-color")) {
			color = 0;
			i++;
		} else if (!strcmp(argv[i], "--no-pager")) {
			pager = 0;
			i++;
		} else {
			static const char *const globals[] = {
				"version", "help", "no-color", "no-pager"
			};
			dlg_buf hint = DLG_BUF_INIT;

			if (argv[i][1] == '-')
				cli_did_you_mean(&hint, argv[i] + 2, "--",
						 globals, 4);
			cli_eprintf("delegit: unknown option '%s'%s\n",
				    argv[i], hint.ptr);
			dlg_buf_dispose(&hint);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!(cmd = find_command(argv[i])))
		return 2;
	ctx.color = color;
	if (pager && !wants_help(argc - i, argv + i) &&
	    paged(argc - i, argv + i))
		cli_pager_start();
	if (!wants_help(argc - i, argv + i))
		error = cli_ctx_setup(&ctx, cmd->flags);
	if (!error)
		error = cmd->fn(&ctx, argc - i, argv + i);
	cli_error_flush(error, NULL);
	cli_ctx_dispose(&ctx);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE && cli_pager_in_use())
			return exit_code(error); /* the pager was left early */
		cli_eprintf("delegit: cannot write output: %s\n",
			    strerror(errno));
		return 1;
	}
	return exit_code(error);
}
