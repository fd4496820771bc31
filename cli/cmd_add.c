/* delegit add TITLE [...] */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_TO, 0, OPT_VALUE, "HANDLE", "who does it" },
	{ CLI_O_DUE, 0, OPT_VALUE, "DATE",
	  "deadline: YYYY-MM-DD, today, tomorrow, friday, +3d, +2w, eow, eom",
	  CLI_DATE },
	{ CLI_O_PRIORITY, 'p', OPT_VALUE, "P", "critical, high, normal or low" },
	{ CLI_O_WHY, 0, OPT_VALUE, "TEXT", "the why behind the what", CLI_LINES },
	{ CLI_O_EXPECT, 0, OPT_VALUE, "TEXT", "the outcome expected", CLI_LINES },
	{ CLI_O_QUALITY, 0, OPT_MULTI, "TEXT", "a quality standard" },
	{ CLI_O_ACCEPT, 0, OPT_MULTI, "TEXT", "an acceptance criterion",
	  CLI_LINES },
	{ CLI_O_PROCESS, 0, OPT_VALUE, "TEXT", "the process to follow",
	  CLI_LINES },
	{ CLI_O_CHECKPOINT, 0, OPT_MULTI, "DATE:TEXT", "a check-in", CLI_LINES },
	{ CLI_O_TAG, 0, OPT_MULTI, "TAG", "a label" },
	{ CLI_O_SKILL, 0, OPT_MULTI, "SKILL", "a skill the work needs" },
	{ CLI_O_ESTIMATE, 0, OPT_VALUE, "HOURS", "estimated effort" },
	{ CLI_O_AUTONOMY, 0, OPT_VALUE, "LEVEL",
	  "follow-steps, recommend, act-and-report or own (check-in cadence)" },
	{ CLI_O_CORE, 0, OPT_FLAG, NULL, "the delegator's own core work" },
	{ CLI_O_EVERY, 0, OPT_VALUE, "RULE",
	  "recurring: daily, weekly, monthly, quarterly, yearly, Nd or Nw" },
	{ CLI_O_UNTIL, 0, OPT_VALUE, "DATE", "with --every: the series' last date",
	  CLI_DATE },
	{ CLI_O_AFTER, 0, OPT_MULTI, "ID",
	  "a task this one waits for (starts once it is done)" },
	{ CLI_O_TEMPLATE, 0, OPT_VALUE, "NAME",
	  "fill it from templates/NAME.yaml (delegit template)" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the task as JSON" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit add TITLE [--to H] [--due D] [--priority P] [--why T] "
	"[--expect T] [--accept T]... [--checkpoint D:T]... [--tag T]... "
	"[--skill S]... [--estimate H] [--autonomy LEVEL] [--core] "
	"[--every RULE [--until D]] [--after ID]... [--template NAME]",
	"Delegate a task, with crystal-clear expectations.",
	"Prints the new task's short id on the first line. The task is one\n"
	"new file, tasks/<hh>/<uuid>.yaml, and one commit.\n"
	"--every makes it the first occurrence of a series (it needs --due):\n"
	"accepting or cancelling an occurrence opens the next, due on the\n"
	"next date of the rule, with the same expectations, its checkpoints\n"
	"moved as far as the due date and its criteria unmet. Monthly from\n"
	"Jan 31 is due Feb 28 (29), Mar 31, Apr 30: the day of the first due\n"
	"date, or the month's last day. --after ID (repeatable) makes it wait\n"
	"for other tasks: it cannot be started until they are done.\n"
	"--template NAME fills priority, autonomy, estimate, tags, skills,\n"
	"why, expectations and checkpoints (dated back from --due) from\n"
	"templates/NAME.yaml; options given too set or add to them.",
	opts, 1, 1, "TITLE"
};

/* Each option's field: a bad value is a usage error naming the option. */
static const cli_field fields[] = {
	{ CLI_O_TO, "assignee" },
	{ CLI_O_DUE, "due" },
	{ CLI_O_PRIORITY, "priority" },
	{ CLI_O_WHY, "why" },
	{ CLI_O_EXPECT, "expectations.outcome" },
	{ CLI_O_QUALITY, "expectations.quality" },
	{ CLI_O_ACCEPT, "expectations.acceptance[].text" },
	{ CLI_O_PROCESS, "expectations.process" },
	{ CLI_O_TAG, "tags" },
	{ CLI_O_SKILL, "skills" },
	{ CLI_O_ESTIMATE, "estimate_hours" },
	{ CLI_O_AUTONOMY, "autonomy" },
};

static dlg_node *item(const char *id_key_text[][2], size_t n)
{
	dlg_node *m = dlg_node_new_map();
	char id[9];
	size_t i;

	dlg_item_id_new(id);
	dlg_map_set_str(m, "id", id);
	for (i = 0; i < n; i++)
		dlg_map_set(m, id_key_text[i][0],
			    dlg_node_new_scalar(dlg_yaml_resolve(id_key_text[i][1]) ==
							DLG_SCALAR_BOOL
						? DLG_SCALAR_BOOL : DLG_SCALAR_STR,
					        id_key_text[i][1]));
	return m;
}

dlg_node *cli_new_criterion(const char *text)
{
	const char *kv[][2] = { { "text", text }, { "met", "false" } };

	return item(kv, 2);
}

int cli_new_checkpoint(dlg_node **out, const char *what,
		       const char *spec_text)
{
	const char *colon = strchr(spec_text, ':');
	char date[DLG_DATE_SIZE], typed[16];
	const char *kv[3][2];

	*out = NULL;
	if (!colon || colon == spec_text ||
	    (size_t)(colon - spec_text) >= sizeof(typed) || !colon[1]) {
		dlg_error_set("%s: bad checkpoint '%s' (expected DATE:TEXT, "
			      "like 2026-12-01:Vendor chosen or friday:Vendor "
			      "chosen)", what, spec_text);
		return DLG_EUSAGE;
	}
	memcpy(typed, spec_text, (size_t)(colon - spec_text));
	typed[colon - spec_text] = '\0';
	if (dlg_date_resolve(date, typed, dlg_now()) < 0) {
		dlg_error_set("%s: bad checkpoint '%s' (expected DATE:TEXT, "
			      "the DATE YYYY-MM-DD, today, tomorrow, a weekday, "
			      "+Nd, +Nw, eow or eom)", what, spec_text);
		return DLG_EUSAGE;
	}
	kv[0][0] = "due";
	kv[0][1] = date;
	kv[1][0] = "what";
	kv[1][1] = colon + 1;
	kv[2][0] = "done";
	kv[2][1] = "false";
	*out = item(kv, 3);
	dlg_map_get(*out, "due")->type = DLG_SCALAR_TIMESTAMP;
	return 0;
}

void cli_apply_expectations(dlg_node *task, const cli_args *a,
			    cli_opt_id outcome_opt)
{
	dlg_node *ex = dlg_map_get(task, "expectations");
	const char **v;
	size_t n, i;

	if (cli_get(a, outcome_opt))
		dlg_map_set_str(ex, "outcome", cli_get(a, outcome_opt));
	if (cli_get(a, CLI_O_PROCESS))
		dlg_map_set_str(ex, "process", cli_get(a, CLI_O_PROCESS));
	if (cli_get(a, CLI_O_WHY))
		dlg_map_set_str(task, "why", cli_get(a, CLI_O_WHY));
	n = cli_multi(&v, a, CLI_O_QUALITY);
	for (i = 0; i < n; i++)
		dlg_seq_push(dlg_map_get(ex, "quality"), dlg_node_new_str(v[i]));
	n = cli_multi(&v, a, CLI_O_ACCEPT);
	for (i = 0; i < n; i++)
		dlg_seq_push(dlg_map_get(ex, "acceptance"),
			     cli_new_criterion(v[i]));
}

/* Long: each option set on the new task in turn, one block each. */
int cmd_add(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	cli_task t;
	const char **v;
	size_t n, i;
	int error;

	memset(&t, 0, sizeof(t));
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0 ||
	    (error = cli_check_value("TITLE", &dlg_schema_task, "title",
				     a.pos[0], 0)) < 0 ||
	    (error = cli_check_options(&a, &dlg_schema_task, fields,
				       sizeof(fields) / sizeof(fields[0]))) < 0)
		goto done;
	if (cli_get(&a, CLI_O_TO) &&
	    (error = cli_check_assignable(c, cli_get(&a, CLI_O_TO))) < 0)
		goto done;
	dlg_uuid_new(t.id);
	{
		dlg_buf path = DLG_BUF_INIT;

		dlg_task_path(&path, t.id);
		t.path = dlg_buf_detach(&path);
	}
	t.task = dlg_task_new(t.id, a.pos[0], cli_me(c), c->now);
	if (cli_get(&a, CLI_O_TO))
		dlg_map_set_str(t.task, "assignee", cli_get(&a, CLI_O_TO));
	if (cli_get(&a, CLI_O_DUE))
		dlg_task_set_field(t.task, "due", cli_get(&a, CLI_O_DUE));
	if (cli_get(&a, CLI_O_TEMPLATE)) {
		dlg_node *tmpl = NULL;

		if ((error = cli_template_load(&tmpl, c,
					       cli_get(&a, CLI_O_TEMPLATE))) < 0)
			goto done;
		error = dlg_template_apply(t.task, tmpl);
		dlg_node_free(tmpl);
		if (error < 0)
			goto done;
	}
	if (cli_get(&a, CLI_O_PRIORITY))
		dlg_map_set_str(t.task, "priority", cli_get(&a, CLI_O_PRIORITY));
	cli_apply_expectations(t.task, &a, CLI_O_EXPECT);
	if (cli_get(&a, CLI_O_ESTIMATE))
		dlg_task_set_field(t.task, "estimate_hours",
				   cli_get(&a, CLI_O_ESTIMATE));
	if (cli_flag(&a, CLI_O_CORE))
		dlg_task_set_field(t.task, "core", "true");
	if (cli_get(&a, CLI_O_AUTONOMY))
		dlg_task_set_field(t.task, "autonomy", cli_get(&a, CLI_O_AUTONOMY));
	n = cli_multi(&v, &a, CLI_O_CHECKPOINT);
	for (i = 0; i < n; i++) {
		dlg_node *cp;

		if ((error = cli_new_checkpoint(&cp, "--checkpoint", v[i])) < 0)
			goto done;
		dlg_seq_push(dlg_map_get(t.task, "checkpoints"), cp);
	}
	n = cli_multi(&v, &a, CLI_O_TAG);
	for (i = 0; i < n; i++)
		dlg_seq_push(dlg_map_get(t.task, "tags"), dlg_node_new_str(v[i]));
	n = cli_multi(&v, &a, CLI_O_SKILL);
	for (i = 0; i < n; i++)
		dlg_seq_push(dlg_map_get(t.task, "skills"),
			     dlg_node_new_str(v[i]));
	if (cli_get(&a, CLI_O_UNTIL) && !cli_get(&a, CLI_O_EVERY)) {
		dlg_error_set("--until needs --every (the rule of a series)");
		error = DLG_EUSAGE;
		goto done;
	}
	if (cli_get(&a, CLI_O_EVERY) &&
	    (error = dlg_recur_begin(t.task, cli_get(&a, CLI_O_EVERY),
				     cli_get(&a, CLI_O_UNTIL))) < 0)
		goto done;
	n = cli_multi(&v, &a, CLI_O_AFTER);
	if (n && (error = cli_set_after(c, t.task, v, n, 0)) < 0)
		goto done;
	error = cli_task_commit(c, &t, "add",
				cli_flag(&a, CLI_O_JSON) ? CLI_OUT_JSON
						     : CLI_OUT_ID);
	if (!error && !cli_flag(&a, CLI_O_JSON))
		cli_printf("delegated to %s: %s\n",
			   dlg_map_get_str(t.task, "assignee")
				   ? dlg_map_get_str(t.task, "assignee") : "nobody yet",
			   a.pos[0]);
	if (!error)
		cli_warn_capacity(c, t.task);
done:
	cli_task_dispose(&t);
	cli_args_dispose(&a);
	return error;
}
