/* delegit agenda [HANDLE] [--json] */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print a JSON array of items" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit agenda [HANDLE] [--json]",
	"What needs attention now: overdue work, late checkpoints, work\n"
	"waiting for review, blocked tasks, checkpoints and deadlines this week.",
	"Without HANDLE, your own agenda, as an assignee and as a delegator: for\n"
	"the work you delegated, reviews waiting on you (and for how long),\n"
	"requests for a new due date, open conflicts, concerns raised (a block's\n"
	"reason included) since your last look, and what is due this week.\n"
	"Your last look is when you last ran 'delegit agenda' for yourself\n"
	"without --json (git config delegit.agendaSeen; a week back at first).\n"
	"Tasks you were given that wait for others (add --after) show as\n"
	"'waiting for other tasks', and as 'ready to start' once every task\n"
	"they wait for is done, with the one done last and when (--json:\n"
	"its \"dependency\").\n"
	"Days and dates are judged in the local time zone (TZ).",
	opts, 0, 1, "HANDLE"
};

/* The history of the tasks blocked or in review: since when. */
static int status_history(dlg_events *ev, cli_ctx *c, dlg_node **tasks,
			  size_t n)
{
	char **paths = calloc(n + 1, sizeof(*paths));
	dlg_buf p = DLG_BUF_INIT;
	size_t i, k = 0;
	int error = 0;

	if (!paths)
		abort();
	for (i = 0; i < n; i++)
		if ((!strcmp(dlg_map_get_str(tasks[i], "status"), "blocked") ||
		     !strcmp(dlg_map_get_str(tasks[i], "status"), "review")) &&
		    dlg_task_path(&p, dlg_map_get_str(tasks[i], "id")) == 0)
			paths[k++] = dlg_buf_detach(&p);
	if (k)
		error = cli_history_paths(ev, c, (const char *const *)paths, k,
					  0);
	dlg_strv_free(paths, k);
	dlg_buf_dispose(&p);
	return error;
}

/* Concerns since the last look at one's own agenda (git config
 * delegit.agendaSeen), else a week back. */
static time_t last_look(cli_ctx *c, int own)
{
	char *v = NULL;
	time_t t = c->now - 7 * 86400;

	if (own && dlg_repo_config_get(&v, c->repo, "delegit.agendaSeen") == 0 &&
	    dlg_time_parse(&t, v) < 0)
		t = c->now - 7 * 86400;
	free(v);
	return t;
}

static void record_look(cli_ctx *c)
{
	char at[DLG_TIME_SIZE];

	dlg_time_format(at, c->now);
	/* a look not recorded only shows the same concerns again */
	if (dlg_repo_config_set(c->repo, "delegit.agendaSeen", at) < 0)
		dlg_error_clear();
}

/* "today", "in 3 days", "2 days ago" */
static const char *in_days(char buf[40], long days)
{
	if (!days)
		return "today";
	snprintf(buf, 40, days > 0 ? "in %ld day%s" : "%ld day%s ago",
		 days > 0 ? days : -days, (days == 1 || days == -1) ? "" : "s");
	return buf;
}

/* One case per kind of item: long, and read one case at a time. */
static void print_detail(cli_ctx *c, const dlg_agenda_item *it)
{
	const dlg_node *t = it->task, *req;
	char when[32], days[40];

	switch (it->kind) {
	case DLG_AGENDA_OVERDUE:
	case DLG_AGENDA_CHECKPOINT_LATE:
		cli_printf(" (%ld day%s late)", it->days, it->days == 1 ? "" : "s");
		break;
	case DLG_AGENDA_BLOCKED:
		cli_printf(" (%ld days)", it->days);
		break;
	case DLG_AGENDA_REVIEW:
		cli_printf(" (from %s, waiting %ld day%s%s)",
			   dlg_map_get_str(t, "assignee"), it->days,
			   it->days == 1 ? "" : "s",
			   dlg_task_is_overdue(t, c->now) ? "; its due date has "
							    "passed meanwhile"
							  : "");
		break;
	case DLG_AGENDA_SUBMITTED:
		cli_printf(" (handed in %ld day%s ago, to %s)", it->days,
			   it->days == 1 ? "" : "s",
			   dlg_map_get_str(t, "delegator"));
		break;
	case DLG_AGENDA_DUE_REQUEST:
		req = dlg_map_get(t, "due_request");
		cli_printf(" — %s asks for %s instead of %s: %s (delegit grant / "
			   "decline)", dlg_map_get_str(req, "by"),
			   dlg_map_get_str(req, "due"),
			   dlg_map_get_str(t, "due") ? dlg_map_get_str(t, "due")
						     : "no date",
			   dlg_map_get_str(req, "why"));
		break;
	case DLG_AGENDA_CHECKIN:
		cli_printf(" (%s, %s; %ld days since the last check-in: "
			   "delegit checkin ID -m NOTE)",
			   dlg_map_get_str(t, "assignee"),
			   dlg_task_autonomy(t, &c->team), it->days);
		break;
	case DLG_AGENDA_CONFLICT:
		cli_printf(" (%ld conflict%s: delegit conflicts)", it->days,
			   it->days == 1 ? "" : "s");
		break;
	case DLG_AGENDA_CONCERN:
		cli_printf(" — %s, %s: %s", dlg_map_get_str(it->note, "author"),
			   cli_when(when, dlg_map_get_str(it->note, "at")),
			   dlg_map_get_str(it->note, "text"));
		break;
	case DLG_AGENDA_CHECKPOINT_SOON:
	case DLG_AGENDA_DUE_SOON:
		cli_printf(" (%s)", in_days(days, it->days));
		break;
	case DLG_AGENDA_READY:
		if (it->dep)
			cli_printf(" — it waited for %s, done %s",
				   dlg_map_get_str(it->dep, "title"),
				   dlg_map_get_str(it->dep, "closed")
					   ? cli_when(when, dlg_map_get_str(
						     it->dep, "closed"))
					   : "");
		break;
	case DLG_AGENDA_WAITING:
		cli_printf(" — waits for %s (%s)%s",
			   it->dep ? dlg_map_get_str(it->dep, "title")
				   : "a task not found",
			   it->dep ? dlg_map_get_str(it->dep, "status")
				   : "missing",
			   it->days > 1 ? " and others" : "");
		break;
	case DLG_AGENDA_DELEGATED_SOON:
		cli_printf(" (to %s, %s)", dlg_map_get_str(t, "assignee")
						   ? dlg_map_get_str(t, "assignee")
						   : "nobody yet",
			   in_days(days, it->days));
		break;
	default:
		if (dlg_map_get_str(t, "due"))
			cli_printf(" (due %s)", dlg_map_get_str(t, "due"));
	}
}

/* Whose agenda: the person named, or the acting person. */
static int agenda_person(const char **out, cli_ctx *c, const cli_args *a)
{
	int error;

	if (a->npos) {
		*out = a->pos[0];
		return cli_check_person(c, *out, "agenda");
	}
	if ((error = cli_require_identity(c)) < 0)
		return error;
	*out = cli_me(c);
	return 0;
}

/* The items of handle's agenda, from the tasks they give or take. */
static int agenda_items(dlg_agenda_item **items, size_t *ni, cli_ctx *c,
			dlg_node **tasks, size_t n, const char *handle,
			int own, cli_tasks *known)
{
	dlg_events ev = DLG_EVENTS_INIT;
	int error;

	/* History only says how long tasks have been blocked or in review:
	 * read the history of those files alone. */
	if ((error = status_history(&ev, c, tasks, n)) < 0)
		goto done;
	known->store = c->store;
	if ((error = dlg_agenda_build(items, ni, tasks, n, handle, c->now,
				      &ev, last_look(c, own), &c->team)) < 0 ||
	    (error = dlg_agenda_add_after(items, ni, tasks, n, handle,
					  c->now, cli_tasks_lookup,
					  known)) < 0)
		goto done;
done:
	dlg_events_dispose(&ev);
	return error;
}

static void print_json(const dlg_agenda_item *items, size_t ni)
{
	dlg_buf b = DLG_BUF_INIT;
	size_t i;

	dlg_buf_puts(&b, "[");
	for (i = 0; i < ni; i++) {
		const dlg_agenda_item *it = &items[i];

		dlg_buf_printf(&b, "%s{\"kind\":", i ? ",\n" : "");
		dlg_json_string(&b, dlg_agenda_kind_name(it->kind));
		dlg_buf_printf(&b, ",\"days\":%ld,\"task\":", it->days);
		dlg_json_write(&b, it->task);
		dlg_buf_puts(&b, ",\"checkpoint\":");
		if (it->checkpoint)
			dlg_json_write(&b, it->checkpoint);
		else
			dlg_buf_puts(&b, "null");
		dlg_buf_puts(&b, ",\"feedback\":");
		if (it->note)
			dlg_json_write(&b, it->note);
		else
			dlg_buf_puts(&b, "null");
		if (it->dep) {
			/* ready and waiting only: other items keep their
			 * keys */
			dlg_buf_puts(&b, ",\"dependency\":");
			dlg_json_write(&b, it->dep);
		}
		dlg_buf_puts(&b, "}");
	}
	dlg_buf_puts(&b, "]");
	cli_put_json(&b);
	dlg_buf_dispose(&b);
}

/* For people: the items under a heading per kind. */
static void print_agenda(cli_ctx *c, const char *handle,
			 const dlg_agenda_item *items, size_t ni)
{
	int last = -1;
	size_t i;

	cli_printf("%sAgenda for %s%s\n", cli_color(c, C_BOLD), handle,
		   cli_color(c, C_RESET));
	if (!ni)
		cli_printf("  nothing needs attention\n");
	for (i = 0; i < ni; i++) {
		const dlg_agenda_item *it = &items[i];
		char shortid[DLG_TASK_ID_SIZE];

		if ((int)it->kind != last) {
			cli_printf("\n%s%s%s\n",
				   cli_color(c, it->kind <= DLG_AGENDA_BLOCKED
							? C_RED : C_CYAN),
				   dlg_agenda_kind_name(it->kind),
				   cli_color(c, C_RESET));
			last = (int)it->kind;
		}
		cli_short_id(shortid, c, dlg_map_get_str(it->task, "id"));
		cli_printf("  %s%-8s%s %s", cli_color(c, C_YELLOW), shortid,
			   cli_color(c, C_RESET), dlg_map_get_str(it->task, "title"));
		if (it->checkpoint)
			cli_printf(" — checkpoint %s: %s",
				   dlg_map_get_str(it->checkpoint, "due"),
				   dlg_map_get_str(it->checkpoint, "what"));
		print_detail(c, it);
		putchar('\n');
	}
}

int cmd_agenda(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_query q = DLG_QUERY_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node **tasks = NULL;
	dlg_agenda_item *items = NULL;
	cli_tasks known = CLI_TASKS_INIT;
	size_t n = 0, ni = 0;
	const char *handle;
	int error, own;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0 ||
	    (error = agenda_person(&handle, c, &a)) < 0)
		goto done;
	/* Only the tasks the person gives or takes (their rows say which);
	 * the scan's listings kept for the short ids, one a line. */
	q.person = handle;
	dlg_store_keep_listings(c->store);
	if ((error = dlg_query_run(&tasks, &n, c->store, &q, &c->team, c->now,
				   &diags)) < 0)
		goto done;
	own = !strcmp(handle, cli_me(c) ? cli_me(c) : "");
	if ((error = agenda_items(&items, &ni, c, tasks, n, handle, own,
				  &known)) < 0)
		goto done;
	if (cli_flag(&a, CLI_O_JSON)) {
		print_json(items, ni);
	} else {
		print_agenda(c, handle, items, ni);
		if (own)
			record_look(c);
	}
	if (diags.count) {
		cli_print_diags(&diags);
		error = cli_error_shown(DLG_EINVALID);
	}
done:
	cli_tasks_dispose(&known);
	free(items);
	dlg_nodes_free(tasks, n);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}
