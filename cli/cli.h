/*
 * cli: argument parsing, commands and output. The only module that reads
 * argv, prints or exits.
 */
#ifndef DLG_CLI_H
#define DLG_CLI_H

#include <stdarg.h>
#include <stdio.h>

#include "../core/core.h"
#include "../sync/sync.h"

/* ------------------------------------------------------------ options */
/* What an option takes. */
typedef enum {
	OPT_FLAG,  /* --name */
	OPT_VALUE, /* --name VALUE (the last one counts) */
	OPT_MULTI, /* --name VALUE, repeatable */
} cli_opt_kind;

/*
 * Text arguments holding control characters (C0, DEL, C1), bidirectional
 * overrides or bytes that are not UTF-8 are refused (SPEC 4), a usage
 * error naming the argument. A newline only where the value is text that
 * may span lines (a DLG_T_TEXT field: why, outcome, feedback...).
 */
enum {
	CLI_LINES = 1 << 0, /* the value may hold newlines */
	CLI_DATE = 1 << 1,  /* a date as people type it, made YYYY-MM-DD */
};

/*
 * Every long option of every command, named once: an option table's entry
 * and the code that reads its value name it by its id, so that a misspelt
 * one is a compile error (as git's parse-options binds an option to a
 * variable). X(id, "name").
 */
#define CLI_OPTIONS(X) \
	X(CLI_O_ACCEPT, "accept") \
	X(CLI_O_ADD_KEY, "add-key") \
	X(CLI_O_AFTER, "after") \
	X(CLI_O_ALL, "all") \
	X(CLI_O_ALLOW_UNRELATED_HISTORIES, "allow-unrelated-histories") \
	X(CLI_O_ARCHIVED, "archived") \
	X(CLI_O_AUTHOR, "author") \
	X(CLI_O_AUTONOMY, "autonomy") \
	X(CLI_O_BEFORE, "before") \
	X(CLI_O_BY, "by") \
	X(CLI_O_CAPACITY, "capacity") \
	X(CLI_O_CHECKPOINT, "checkpoint") \
	X(CLI_O_CORE, "core") \
	X(CLI_O_CSV, "csv") \
	X(CLI_O_DRY_RUN, "dry-run") \
	X(CLI_O_DUE, "due") \
	X(CLI_O_DUE_BEFORE, "due-before") \
	X(CLI_O_EMAIL, "email") \
	X(CLI_O_ESTIMATE, "estimate") \
	X(CLI_O_EVERY, "every") \
	X(CLI_O_EXPECT, "expect") \
	X(CLI_O_FILTER, "filter") \
	X(CLI_O_FORCE, "force") \
	X(CLI_O_FROM, "from") \
	X(CLI_O_GROW, "grow") \
	X(CLI_O_HTML, "html") \
	X(CLI_O_ICS, "ics") \
	X(CLI_O_JSON, "json") \
	X(CLI_O_KEY, "key") \
	X(CLI_O_KIND, "kind") \
	X(CLI_O_MESSAGE, "message") \
	X(CLI_O_MINE, "mine") \
	X(CLI_O_NAME, "name") \
	X(CLI_O_NO_AFTER, "no-after") \
	X(CLI_O_NO_EVERY, "no-every") \
	X(CLI_O_ORG, "org") \
	X(CLI_O_OURS, "ours") \
	X(CLI_O_OUTCOME, "outcome") \
	X(CLI_O_OUTPUT, "output") \
	X(CLI_O_OVERDUE, "overdue") \
	X(CLI_O_PRIORITY, "priority") \
	X(CLI_O_PROCESS, "process") \
	X(CLI_O_QUALITY, "quality") \
	X(CLI_O_QUIET, "quiet") \
	X(CLI_O_RATING, "rating") \
	X(CLI_O_RECURRING, "recurring") \
	X(CLI_O_RETIRE_KEY, "retire-key") \
	X(CLI_O_REVOKE_KEY, "revoke-key") \
	X(CLI_O_ROLE, "role") \
	X(CLI_O_SINCE, "since") \
	X(CLI_O_SKILL, "skill") \
	X(CLI_O_SORT, "sort") \
	X(CLI_O_SPENT, "spent") \
	X(CLI_O_STATUS, "status") \
	X(CLI_O_TAG, "tag") \
	X(CLI_O_TEMPLATE, "template") \
	X(CLI_O_THEIRS, "theirs") \
	X(CLI_O_TIMEOUT, "timeout") \
	X(CLI_O_TO, "to") \
	X(CLI_O_UNDO, "undo") \
	X(CLI_O_UNTIL, "until") \
	X(CLI_O_VALUE, "value") \
	X(CLI_O_WHY, "why") \
	X(CLI_O_YES, "yes")

typedef enum {
	CLI_O_NONE, /* ends a table (CLI_OPT_END) */
#define CLI_O_ENUM(id, name) id,
	CLI_OPTIONS(CLI_O_ENUM)
#undef CLI_O_ENUM
	CLI_O_COUNT
} cli_opt_id;

/* The option's long name ("due-before"), without the dashes. */
const char *cli_opt_name(cli_opt_id id);

/* One option of a command's table, ended by CLI_OPT_END: its id (the
 * long name, CLI_OPTIONS), short_name 0 for none, arg the value's name in
 * --help. */
typedef struct {
	cli_opt_id id;
	char short_name;
	cli_opt_kind kind;
	const char *arg;
	const char *help; /* NULL: the values, the first "(default)" */
	unsigned flags;   /* CLI_LINES */
	/* The values it takes (NULL-terminated), from the table that
	 * defines them, or NULL. */
	const char *const *values;
} cli_opt;

#define CLI_OPT_END { CLI_O_NONE, 0, OPT_FLAG, NULL, NULL, 0, NULL }

/* values as a message lists them: "a, b or c". */
void cli_values_list(dlg_buf *out, const char *const *values);

enum {
	CLI_ANY_BYTES = 1 << 0, /* positionals are paths git gives: any bytes */
};

/* A command's arguments: what cli_parse checks and cli_help prints. */
typedef struct {
	const char *usage;   /* e.g. "delegit add TITLE [options]" */
	const char *summary; /* one line */
	const char *details; /* more text for --help, or NULL */
	const cli_opt *opts;
	size_t min_pos, max_pos; /* positional arguments */
	/* The positionals' names ("ID TEXT"), for "missing argument TEXT";
	 * more positionals than names take the last name. */
	const char *args;
	unsigned lines; /* bit i: positional i (by name) may hold newlines */
	unsigned flags; /* CLI_ANY_BYTES */
} cli_spec;

/* What cli_parse found (cli_args_dispose); the strings point into argv
 * but for `owned`. */
typedef struct {
	const cli_spec *spec;
	const char **value; /* per option; NULL when not given */
	const char ***multi;
	size_t *nmulti;
	const char **pos;
	size_t npos;
	char **owned; /* values made here (dates made ISO) */
	size_t nowned;
} cli_args;

/*
 * Parse argv (argv[0] is the command name). Prints help and returns
 * CLI_DONE for --help (the command returns it as it is: main() exits 0);
 * prints the problem (cli_error) and returns DLG_EUSAGE for bad usage: an
 * unknown option, a missing value or argument (named), control
 * characters in a text argument. 0 otherwise; out is to be disposed of
 * (cli_args_dispose) whatever it returns.
 */
int cli_parse(cli_args *out, const cli_spec *spec, int argc, char **argv);
/* Free what cli_parse allocated (not argv's strings). */
void cli_args_dispose(cli_args *a);
/* An option's value (the last given), borrowed; NULL when not given or
 * when the option is not in the command's table. */
const char *cli_get(const cli_args *a, cli_opt_id id);
/* 1 when the option was given, else 0. */
int cli_flag(const cli_args *a, cli_opt_id id);
/* A repeatable option's values, in order: *out borrowed from a; returns
 * how many (0 when not given). */
size_t cli_multi(const char ***out, const cli_args *a, cli_opt_id id);
/* Print the command's --help (usage, summary, options, details) to f, in
 * cli_help_format. */
void cli_help(FILE *f, const cli_spec *spec);

/*
 * What cli_help prints: the text of --help, or (delegit's hidden
 * --dump-help=man|options, for scripts/gen-man.sh and the shell
 * completions) the same table as roff or as tab-separated facts, to
 * stdout, so that the man page and completions cannot drift from --help.
 */
enum { CLI_HELP_TEXT, CLI_HELP_MAN, CLI_HELP_OPTIONS };
extern int cli_help_format;
/* A --since / --until style option: a date as people type it, or a time,
 * in *out; 0 (*out 0) when absent; DLG_EUSAGE, with a message, for
 * anything else. */
int cli_date_opt(time_t *out, const cli_args *a, cli_opt_id opt);
/* A date argument as people type it (dlg_date_resolve) made YYYY-MM-DD:
 * 0, or DLG_EUSAGE with a message naming `what` and the forms it takes. */
int cli_date_arg(char out[DLG_DATE_SIZE], const char *what, const char *text);
/* A stored UTC time (YYYY-MM-DDTHH:MM:SSZ) as people read it, in the local
 * time zone ("2026-12-03 16:00 EST"), written in buf; anything else as it
 * is. Returns buf or iso. */
const char *cli_when(char buf[32], const char *iso);
/* CLI_OUT_JSON when --json was given, else CLI_OUT_SUMMARY. */
unsigned cli_out_mode(const cli_args *a);

/* ------------------------------------------------------------ context */
/* What a command needs set up first (cli_command.flags). */
enum {
	NEEDS_REPO = 1 << 0,     /* inside a delegit repository */
	NEEDS_IDENTITY = 1 << 1, /* the acting person must be in team/ */
	NEEDS_LOCK = 1 << 2,     /* changes the repository */
	CLI_HIDDEN = 1 << 3,     /* not in --help nor the man page */
};

/* What every command works with: cli_ctx_setup fills it in,
 * cli_ctx_dispose frees it. */
typedef struct {
	dlg_repo *repo;
	dlg_store *store;
	dlg_team team;
	const dlg_node *me; /* the acting person, or NULL */
	char *email;        /* git's user.email */
	time_t now;
	int color;
} cli_ctx;

/* A command made of subcommands (team, template, hook): each named run
 * with argv from its own name. */
typedef struct {
	const char *name;
	int (*fn)(cli_ctx *c, int argc, char **argv);
} cli_subcommand;
/* Run the one argv[1] names; the command's help for none or --help, and
 * "unknown WHAT command" with a did-you-mean for another word
 * (DLG_EUSAGE, printed). Returns the subcommand's result. */
int cli_run_subcommand(cli_ctx *c, int argc, char **argv,
		       const cli_spec *spec, const char *what,
		       const cli_subcommand *subs, size_t n);

/* One command of main()'s dispatch table. */
typedef struct {
	const char *name;
	int (*fn)(cli_ctx *c, int argc, char **argv);
	unsigned flags;
	const char *summary;
} cli_command;

/* What flags ask for: open the repository, load the team, resolve the
 * acting person, take the lock. 0; DLG_ENOTFOUND outside a repository,
 * DLG_EINVALID for an invalid team (printed), DLG_EDENIED for someone not
 * in it, DLG_ELOCKED, or the failing call's code. */
int cli_ctx_setup(cli_ctx *c, unsigned flags);
/* Let the lock go and free what cli_ctx_setup opened. */
void cli_ctx_dispose(cli_ctx *c);
/* Require the acting person (for commands that decide it late): 0, or
 * DLG_EDENIED with a message saying how to join the team. */
int cli_require_identity(cli_ctx *c);
/* The acting person's handle, borrowed from the team; NULL for nobody. */
const char *cli_me(const cli_ctx *c);
/* This program's absolute path (for the merge driver's configuration);
 * static, "delegit" when it cannot be read. */
const char *cli_program(void);
/* The merge driver's program as sh runs it: "delegit" when this program is
 * the one on PATH (an installed one: moving or reinstalling it keeps git
 * pull working), else this program's path, quoted. Static. */
const char *cli_merge_program(void);
/* The acting person as core's workflow sees them (handle and role,
 * borrowed; both NULL for nobody). */
dlg_actor cli_actor(const cli_ctx *c);

/* ------------------------------------------------------------- errors */
/*
 * As git's error(): print "delegit: MESSAGE" (printf style, %s arguments
 * escaped as cli_printf's are) on stderr, where the error is found, and
 * return code, which main() maps to the exit status (SPEC: 1, 2 for
 * DLG_EUSAGE, 3 for DLG_EOFFLINE) without printing anything more.
 */
int cli_error(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_verror(int code, const char *fmt, va_list ap);
/* For an error already printed otherwise (a list of problems, of
 * violations, a help text): returns code, which nobody prints again. */
int cli_error_shown(int code);
/*
 * The end of an error's way up (main(); cli_bulk, for each task): an
 * error code (< 0) not printed yet is printed now, "delegit: [PREFIX: ]"
 * and dlg_error_last(); then the next error starts unprinted. Returns
 * code.
 */
int cli_error_flush(int code, const char *prefix);
/* What a command returns when it printed its --help (cli_parse): nothing
 * more to do, and main() exits 0. */
#define CLI_DONE 1

/* Print a list of problems to stderr. */
void cli_print_diags(const dlg_diags *d);
/* The problems of the task files a command went past (d not empty), then
 * "N problems: some task files were not DONE (see 'delegit check')":
 * DLG_EINVALID. */
int cli_print_skipped(const dlg_diags *d, const char *done);
/* Report the error of a failed call on stderr: its problems if any, else
 * dlg_error_last(), once (cli/error.c). Returns error, or DLG_ERROR when
 * error is not negative. */
int cli_fail(int error, const dlg_diags *d);

/* --------------------------------------------------------- task edits */
/* A task being read or changed (cli_task_dispose). */
typedef struct {
	char id[DLG_TASK_ID_SIZE];
	char *path;      /* tasks/<hh>/<id>.yaml */
	dlg_node *before; /* as committed at HEAD (or the file, if new there) */
	dlg_node *task;   /* the version being edited */
} cli_task;

/* Resolve an id prefix and load the task, with its committed version to
 * compare a change against; prints a file's problems. 0, or the code of
 * what failed: DLG_ENOTFOUND, DLG_EAMBIGUOUS, DLG_EINVALID. */
int cli_task_open(cli_task *t, cli_ctx *c, const char *prefix);
/* The same for reading only: no committed version (before is NULL), whose
 * lookup in HEAD's trees costs more than the rest of `show`. */
int cli_task_read(cli_task *t, cli_ctx *c, const char *prefix);
/* Free what cli_task_open or cli_task_read loaded. */
void cli_task_dispose(cli_task *t);
/*
 * Validate, write and commit t->task: one commit whose subject is
 * "<verb> <short id>: <title>", whose body lists the field changes and
 * whose trailers are Task: and Change:. Prints "<verb> <short id>: <title>",
 * or the task as JSON, or the short id alone. Returns 0 when nothing
 * changed, too; else the code of what failed, reported (DLG_EINVALID,
 * DLG_EDENIED by the policy, a write or commit failure).
 */
enum { CLI_OUT_SUMMARY = 0, CLI_OUT_JSON = 1, CLI_OUT_ID = 2,
       CLI_OUT_QUIET = 4 /* print nothing (import reports at the end) */ };
int cli_task_commit(cli_ctx *c, cli_task *t, const char *verb, unsigned out);
/* The same, with a new task in the same commit (next: a recurring task's
 * next occurrence, or NULL), checked as one the acting person adds. */
int cli_task_commit_next(cli_ctx *c, cli_task *t, const char *verb,
			 unsigned out, cli_task *next);
/* On stderr, when the task's assignee now has more open estimated hours
 * than their capacity_hours: add and assign say so, naming the figure. */
void cli_warn_capacity(cli_ctx *c, const dlg_node *task);
/* HOURS as people type them (1.5h, 90m, 2): 0, or DLG_EUSAGE with a
 * message naming `what`. */
int cli_hours_arg(double *out, const char *what, const char *text);
/*
 * A value given on the command line for the field at path of a schema
 * ("due", "feedback[].rating"): DLG_EUSAGE when the field would not take
 * it, with a message naming `what` (the option, "--due") and what the
 * field accepts. Nothing is read or written: no file is named. yaml_null:
 * see dlg_schema_check_value. 0 when it would.
 */
int cli_check_value(const char *what, const dlg_schema *s, const char *path,
		    const char *value, int yaml_null);
/* An option and the path of the field its value goes to. */
typedef struct {
	cli_opt_id opt;
	const char *path;
} cli_field;
/* The same for options: every value of a repeatable option is checked.
 * 0, or the first DLG_EUSAGE. */
int cli_check_options(const cli_args *a, const dlg_schema *s,
		      const cli_field *fields, size_t n);
/* A team member's handle must exist: 0, or DLG_EINVALID with a message
 * naming `what` (the option). */
int cli_check_person(cli_ctx *c, const char *handle, const char *what);
/* New work may go to them: DLG_EINVALID, with a message, for a person
 * retired (delegit team retire). */
int cli_check_assignable(cli_ctx *c, const char *handle);

/* A change as a commit message's body lists it: "- field: from -> to\n"
 * ("(none)" for a value absent), appended to msg. */
void cli_change_line(dlg_buf *msg, const dlg_change *x);
/*
 * A commit message: the subject, a body listing each change, then the
 * trailer line given (e.g. "Task: <uuid>") and one "Change: FIELD FROM ->
 * TO" trailer per field. Appended to msg.
 */
void cli_message(dlg_buf *msg, const char *subject, const dlg_changes *changes,
		 const char *trailer);

/* New list items with fresh ids: an acceptance criterion, and a checkpoint
 * from "YYYY-MM-DD:TEXT" (DLG_EUSAGE when malformed, naming `what`).
 * Both new nodes are the caller's (dlg_node_free). */
dlg_node *cli_new_criterion(const char *text);
int cli_new_checkpoint(dlg_node **out, const char *what,
		       const char *spec_text);
/*
 * Apply the expectation options shared by add and expect: OUTCOME_OPT
 * (--expect for add, --outcome for expect), --quality..., --accept...,
 * --process and --why.
 */
void cli_apply_expectations(dlg_node *task, const cli_args *a,
			    cli_opt_id outcome_opt);

/*
 * Refuse a change the acting person may not make under the repository's
 * policy: prints each rule broken and returns DLG_EDENIED. 0 when it is
 * allowed; the load's code (reported) for a policy file that is invalid.
 */
int cli_policy_check(cli_ctx *c, const char *path, const dlg_node *old_doc,
		     const dlg_node *new_doc);

/* The version of a delegit file at HEAD, parsed, the caller's
 * (dlg_node_free); NULL when it is not there or does not validate. */
dlg_node *cli_head_doc(cli_ctx *c, const char *path);

/* Commit files written to the work tree, with a message (escaped here),
 * by author (a person document; git's user.email when set). 0, or
 * dlg_repo_commit's code, the message set but not printed. */
int cli_commit_files(cli_ctx *c, const dlg_commit_file *files, size_t n,
		     const char *message, const dlg_node *author);

/*
 * The field changes of task files under path (a file, or "tasks/"), newest
 * first, since `since` (0: all); authors as team handles. Only those of
 * the top-level field named `field` ("status"), and the moves to the
 * archive, unless field is NULL. Appended to out (dlg_events_dispose);
 * 0, or dlg_repo_history's code.
 */
int cli_history(dlg_events *out, cli_ctx *c, const char *path, time_t since,
		const char *field);
/* The same for several paths at once. */
int cli_history_paths(dlg_events *out, cli_ctx *c, const char *const *paths,
		      size_t n, time_t since);

/* What reports and suggest work from: every task, the config, and the
 * history when the figures need it (walking it costs the most; with
 * CLI_REPORT_STATUS, only the changes of status, which is all most
 * figures read: the rest of a history's texts are most of its memory).
 * With CLI_REPORT_OPEN_ONLY: only the open tasks, as far as their rows
 * tell (dlg_row_task) — for figures that need no more; they then cost
 * what the open work does, not what years of it do. With
 * CLI_REPORT_ROWS: every task, as far as its row tells (accountability's
 * figures are the history's; --org needs each task's id and assignee). */
typedef struct {
	dlg_report_input in;
	dlg_node **tasks;
	size_t ntasks;
	dlg_node *config;
	dlg_events events;
	const dlg_event **by_task; /* the events' index (dlg_report_index) */
	dlg_diags diags; /* task files that did not validate (left out) */
} cli_report_data;

enum {
	CLI_REPORT_HISTORY = 1,
	CLI_REPORT_OPEN_ONLY = 2,
	CLI_REPORT_STATUS = 4 | CLI_REPORT_HISTORY,
	CLI_REPORT_ROWS = 8
};
/* Fill d in for the period [since, until) (0: open ends). 0, or the code
 * of what could not be read; d is to be disposed of either way. */
int cli_report_load(cli_report_data *d, cli_ctx *c, time_t since,
		    time_t until, unsigned flags);
/* Free what cli_report_load loaded. */
void cli_report_dispose(cli_report_data *d);

/* ---------------------------------------------------------- bulk */
/*
 * The tasks a command acts on (full ids, the caller frees with
 * dlg_strv_free): the id prefixes given, or, with filter, every task
 * `delegit list FILTER` would show (its options and words, in one
 * string: "--to kim --tag backup"), by id. 0; DLG_EUSAGE for a bad
 * filter, or the resolving's code for an id prefix, with a message.
 */
int cli_select_tasks(char ***out, size_t *count, cli_ctx *c,
		     const char *const *prefixes, size_t n, const char *filter);
/* The options of commands that take several tasks. */
#define CLI_BULK_OPTS \
	{ CLI_O_FILTER, 0, OPT_VALUE, "FILTER", \
	  "every task 'delegit list FILTER' shows: '--to kim backup'" }, \
	{ CLI_O_YES, 'y', OPT_FLAG, NULL, \
	  "do not ask first, however many tasks" }
/*
 * Run fn on each task: the id prefixes given, or --filter's (a's). One
 * id: fn's result as it is. Several: asks first on a terminal (more than
 * CLI_BULK_ASK, unless --yes); a task fn fails on is named with its error
 * and the others go on; DLG_ERROR (reported) if any failed.
 */
typedef int (*cli_task_fn)(cli_ctx *c, const char *id, void *payload);
int cli_bulk(cli_ctx *c, const cli_args *a, const char *const *prefixes,
	     size_t n, const char *verb, cli_task_fn fn, void *payload);
/* More than this many tasks at once asks first, on a terminal. */
#define CLI_BULK_ASK 3
/* Whether to go on with a command on n tasks: yes (--yes), few tasks, or
 * no terminal to ask on; else the answer to "Go on? [y/N]", after the
 * tasks' titles. 1 to go on, 0 not to. */
int cli_confirm(cli_ctx *c, char *const *ids, size_t n, const char *verb,
		int yes);

/* ------------------------------------------------------- dependencies */
/* Tasks read on demand, by id, for dlg_task_lookup_fn (core/routine.c):
 * `edited`, when set, is the version being changed. */
typedef struct {
	dlg_store *store;
	const dlg_node *edited;
	dlg_node **items;
	size_t count, alloc;
} cli_tasks;

#define CLI_TASKS_INIT { NULL, NULL, NULL, 0, 0 }
/* dlg_task_lookup_fn over a cli_tasks (payload): the task, read once and
 * kept in the list, or NULL. */
const dlg_node *cli_tasks_lookup(const char *id, void *payload);
/* Free the tasks read (not `edited`). */
void cli_tasks_dispose(cli_tasks *l);
/* Add the tasks named by id prefixes to a task's `after` (replace: instead
 * of what it had), refusing unknown ids, the task itself and cycles
 * (naming it); messages name --after. 0, or DLG_EINVALID (or the
 * resolving's code) with the message set. */
int cli_set_after(cli_ctx *c, dlg_node *task, const char **prefixes, size_t n,
		  int replace);

/* ------------------------------------------------------------- output */
/*
 * printf, with every %s argument escaped (dlg_escape) before its width
 * and precision apply, except the colour sequences cli_color returns.
 * Supports the conversions of C99 but %n and long double. Appends to out.
 */
void cli_vformat(dlg_buf *out, const char *fmt, va_list ap);
/* cli_vformat's text to stdout or stderr: the bytes written, or -1 when
 * not all were. */
int cli_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int cli_eprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress on a terminal, for dlg_sync_options and dlg_repo_set_progress:
 * on stderr, one line; a query's shows only after DELEGIT_PROGRESS_DELAY
 * seconds (1 by default). */
void cli_progress(dlg_progress_stage stage, size_t done, size_t total,
		  void *payload);
/* JSON text (dlg_json_write's) and a newline, to stdout, escaped. */
void cli_put_json(const dlg_buf *json);

/* The escape sequence of a colour (one of C_* below), or "" without
 * colour: a constant, any number of them in one call. */
const char *cli_color(const cli_ctx *c, const char *code);
#define C_RESET "0"
#define C_BOLD "1"
#define C_DIM "2"
#define C_RED "31"
#define C_GREEN "32"
#define C_YELLOW "33"
#define C_BLUE "34"
#define C_MAGENTA "35"
#define C_CYAN "36"

/*
 * The pager (cli/pager.c, as git's pager.c): when stdout is a terminal,
 * start DELEGIT_PAGER, else PAGER, else `less -FRX` (none when it is ""
 * or "cat") and send stdout, and stderr when it is the terminal too, to
 * it; it is waited for at exit. Nothing happens in a pipe.
 */
void cli_pager_start(void);
/* 1 when output goes through a pager started here, else 0. */
int cli_pager_in_use(void);
/* The terminal's width when the pager was started (0: unknown). */
int cli_pager_columns(void);
/* 1 when output goes to a terminal, directly or through the pager. */
int cli_stdout_is_terminal(void);
/* Columns to lay tables out in: $COLUMNS, else the terminal's (or the
 * pager's), else 100. */
int cli_term_width(void);
/*
 * Appends ". Did you mean '--status'?" (prefix "--"): the names nearest typed
 * (dlg_similar: as near as git asks, each of them when equally near), or
 * nothing when none is near enough.
 */
void cli_did_you_mean(dlg_buf *out, const char *typed, const char *prefix,
		      const char *const *names, size_t n);
/* The colour code (C_GREEN...) a status is shown in; static. */
const char *cli_status_color(const char *status);
/* Print a document as JSON on one line, and a newline, to stdout. */
void cli_print_json(const dlg_node *doc);
/* Print a task for people, to stdout, every text escaped. */
void cli_print_task(cli_ctx *c, const dlg_node *t);
/* The short id of a task (dlg_store_short_id), in out. */
void cli_short_id(char out[DLG_TASK_ID_SIZE], cli_ctx *c, const char *uuid);
/* Text escaped (dlg_escape) and cut to at most width columns (UTF-8
 * aware), with "…" when cut; appended to out. */
void cli_fit(dlg_buf *out, const char *s, int width);

/* ----------------------------------------------------------- commands */
/* The commands main() dispatches to (argv[0] their name): each parses its
 * arguments, prints its output and returns 0, CLI_DONE after --help, or a
 * negative code (printed through cli/error.c, or by main if nobody did). */
int cmd_init(cli_ctx *c, int argc, char **argv);
int cmd_hook(cli_ctx *c, int argc, char **argv);
int cmd_complete(cli_ctx *c, int argc, char **argv);
int cmd_export(cli_ctx *c, int argc, char **argv);
int cmd_import(cli_ctx *c, int argc, char **argv);
int cmd_team(cli_ctx *c, int argc, char **argv);
int cmd_add(cli_ctx *c, int argc, char **argv);
/* The query list's filter options (and its words, the positional
 * arguments) ask for; export takes the same options. DLG_EUSAGE, with
 * the message set, for a bad status, date or sort key (DLG_EDENIED for
 * --mine from someone not in the team); else 0. q's strings are borrowed
 * from a. */
int cli_list_query(dlg_query *q, cli_ctx *c, const cli_args *a);
/* Those options' table entries, in list's table and export's. */
#define CLI_LIST_FILTER_OPTS \
	{ CLI_O_MINE, 0, OPT_FLAG, NULL, "tasks assigned to me" }, \
	{ CLI_O_TO, 0, OPT_VALUE, "HANDLE", "tasks assigned to HANDLE" }, \
	{ CLI_O_BY, 0, OPT_VALUE, "HANDLE", "tasks delegated by HANDLE" }, \
	{ CLI_O_STATUS, 0, OPT_VALUE, "S", "only this status" }, \
	{ CLI_O_ORG, 0, OPT_VALUE, "ORG", "tasks assigned to people of ORG" }, \
	{ CLI_O_TAG, 0, OPT_VALUE, "TAG", "tasks with this tag" }, \
	{ CLI_O_OVERDUE, 0, OPT_FLAG, NULL, "only overdue tasks" }, \
	{ CLI_O_DUE_BEFORE, 0, OPT_VALUE, "DATE", "due before DATE", \
	  CLI_DATE }, \
	{ CLI_O_CORE, 0, OPT_FLAG, NULL, "only core work" }, \
	{ CLI_O_ALL, 'a', OPT_FLAG, NULL, "include done and cancelled tasks" }
int cmd_list(cli_ctx *c, int argc, char **argv);
int cmd_show(cli_ctx *c, int argc, char **argv);
int cmd_edit(cli_ctx *c, int argc, char **argv);
int cmd_set(cli_ctx *c, int argc, char **argv);
int cmd_assign(cli_ctx *c, int argc, char **argv);
int cmd_ask_due(cli_ctx *c, int argc, char **argv);
int cmd_spent(cli_ctx *c, int argc, char **argv);
int cmd_checkin(cli_ctx *c, int argc, char **argv);
int cmd_plate(cli_ctx *c, int argc, char **argv);
int cmd_answer_due(cli_ctx *c, int argc, char **argv);
int cmd_expect(cli_ctx *c, int argc, char **argv);
int cmd_workflow(cli_ctx *c, int argc, char **argv);
int cmd_archive(cli_ctx *c, int argc, char **argv);
int cmd_template(cli_ctx *c, int argc, char **argv);
/* templates/NAME.yaml, validated (problems printed): DLG_ENOTFOUND with
 * a message when there is none; DLG_EINVALID when it does not validate.
 * *out is the caller's (dlg_node_free). */
int cli_template_load(dlg_node **out, cli_ctx *c, const char *name);
int cmd_checkpoint(cli_ctx *c, int argc, char **argv);
int cmd_accept_criterion(cli_ctx *c, int argc, char **argv);
int cmd_feedback(cli_ctx *c, int argc, char **argv);
int cmd_log(cli_ctx *c, int argc, char **argv);
int cmd_agenda(cli_ctx *c, int argc, char **argv);
int cmd_check(cli_ctx *c, int argc, char **argv);
int cmd_clone(cli_ctx *c, int argc, char **argv);
int cmd_sync(cli_ctx *c, int argc, char **argv);
int cmd_conflicts(cli_ctx *c, int argc, char **argv);
int cmd_resolve(cli_ctx *c, int argc, char **argv);
int cmd_merge_file(cli_ctx *c, int argc, char **argv);
int cmd_report(cli_ctx *c, int argc, char **argv);
int cmd_suggest(cli_ctx *c, int argc, char **argv);
int cmd_audit(cli_ctx *c, int argc, char **argv);

#endif
