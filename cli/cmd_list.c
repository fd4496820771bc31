/* delegit list [filters] [--sort K] [--json] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_opt opts[] = {
	CLI_LIST_FILTER_OPTS,
	{ CLI_O_ARCHIVED, 0, OPT_FLAG, NULL,
	  "the archive instead (delegit archive): closed tasks moved out" },
	{ CLI_O_RECURRING, 0, OPT_FLAG, NULL,
	  "only recurring tasks, with their rule: each series' open "
	  "occurrence" },
	{ CLI_O_SORT, 0, OPT_VALUE, "KEY", NULL, 0, dlg_query_sort_keys },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print a JSON array of tasks" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit list [TEXT...] [--mine] [--to H] [--by H] [--status S] "
	"[--org O] [--tag T] [--overdue] [--due-before D] [--core] [--all] "
	"[--archived] [--recurring] [--sort K] [--json]",
	"List tasks: by default every task that is not done or cancelled.",
	"TEXT: only tasks with every word given in their title, why,\n"
	"expectations or feedback, ignoring case (delegit list backup). Titles\n"
	"are searched in the task rows cache; the other texts are read from the\n"
	"files of the tasks that pass the other filters and whose title alone\n"
	"does not match, so a search costs what the tasks it looks at do.\n"
	"--archived lists the archive instead of the working set (every file\n"
	"under archive/ read: a search of the past costs what the past holds).\n"
	"An open task that waits for another (add --after) not done yet shows\n"
	"as 'waiting'. --recurring adds each series' rule (EVERY); a series\n"
	"has one open occurrence at a time, so it lists the series.",
	opts, 0, 64, "TEXT"
};

static int cmp_row_id(const void *x, const void *y)
{
	return strcmp((*(const dlg_row *const *)x)->id,
		      (*(const dlg_row *const *)y)->id);
}

/* Whether an open row waits for a task not done; byid: every row, by id
 * (made on first use). From the rows alone: no file read. */
static int row_waits(const dlg_row *t, dlg_rows *all, const dlg_row ***byid,
		     cli_tasks *archived)
{
	const char *p, *nl;
	size_t i, n = dlg_rows_count(all);

	if (!t->after || strcmp(t->status, "open"))
		return 0;
	if (!*byid) {
		if (!(*byid = malloc((n ? n : 1) * sizeof(**byid))))
			abort();
		for (i = 0; i < n; i++)
			(*byid)[i] = dlg_rows_at(all, i);
		qsort(*byid, n, sizeof(**byid), cmp_row_id);
	}
	for (p = t->after; (nl = strchr(p, '\n')); p = nl + 1) {
		dlg_row key;
		const dlg_row *kp = &key, **hit;
		char id[DLG_TASK_ID_SIZE];

		if (nl - p != 36)
			return 1;
		memcpy(id, p, 36);
		id[36] = '\0';
		key.id = id;
		hit = bsearch(&kp, *byid, n, sizeof(**byid), cmp_row_id);
		if (hit ? strcmp((*hit)->status, "done") != 0
			/* not active: archived (closed) or gone */
			: !dlg_map_get_str(cli_tasks_lookup(id, archived),
					   "status") ||
			  strcmp(dlg_map_get_str(cli_tasks_lookup(id, archived),
						 "status"), "done"))
			return 1;
	}
	return 0;
}

/* s escaped and padded with blanks to width, between two color codes,
 * and a blank. */
static void cell(dlg_buf *line, const char *on, const char *s, int width,
		 const char *off)
{
	size_t at;
	int len;

	dlg_buf_puts(line, on);
	at = line->size;
	dlg_escape(line, s, strlen(s), 0);
	for (len = (int)(line->size - at); len < width; len++)
		dlg_buf_put(line, " ", 1);
	dlg_buf_puts(line, off);
	dlg_buf_put(line, " ", 1);
}

/* The table's columns, each followed by a blank; TITLE takes the rest. */
enum {
	W_ID = 8,
	W_STATUS = 11,
	W_PRIORITY = 8,
	W_DUE = 10,
	W_ASSIGNEE = 10,
	W_EVERY = 10, /* with --recurring */
};

static void print_table(cli_ctx *c, dlg_rows *all, const dlg_row **rows,
			size_t n, int recurring)
{
	dlg_buf title = DLG_BUF_INIT, line = DLG_BUF_INIT;
	const dlg_row **byid = NULL;
	cli_tasks archived = CLI_TASKS_INIT;
	char today[DLG_DATE_SIZE];
	int width = cli_term_width();
	/* the blanks between columns, and a margin of 5 */
	int tw = width - (W_ID + W_STATUS + W_PRIORITY + W_DUE + W_ASSIGNEE +
			  4 + 5);
	/* Titles are fitted to a terminal; a pipe (grep, a file) gets them
	 * whole. */
	int fit = cli_stdout_is_terminal();
	size_t i;

	if (recurring)
		tw -= W_EVERY;
	if (tw < 20)
		tw = 20;
	archived.store = c->store;
	dlg_date_format(today, c->now);
	cli_printf("%s%-*s %-*s %-*s %-*s %-*s %-*s%s%s\n",
		   cli_color(c, C_BOLD), W_ID, "ID", W_STATUS, "STATUS",
		   W_PRIORITY, "PRIORITY", W_DUE, "DUE", W_ASSIGNEE, "ASSIGNEE",
		   recurring ? W_EVERY + 1 : 0, recurring ? "EVERY" : "",
		   "TITLE", cli_color(c, C_RESET));
	/* 40,000 lines at 100k tasks: each made in one buffer and written
	 * at once, not through printf's format and stdio's lock per piece. */
	for (i = 0; i < n; i++) {
		const dlg_row *t = rows[i];
		char shortid[DLG_TASK_ID_SIZE];
		int late = dlg_row_is_overdue(t, today);
		int waits = row_waits(t, all, &byid, &archived);

		dlg_rows_short_id(shortid, all, t);
		if (fit) {
			cli_fit(&title, t->title, tw);
		} else {
			dlg_buf_clear(&title);
			dlg_escape(&title, t->title, strlen(t->title), 0);
		}
		dlg_buf_clear(&line);
		cell(&line, cli_color(c, C_YELLOW), shortid, W_ID,
		     cli_color(c, C_RESET));
		cell(&line, cli_color(c, waits ? C_DIM
					       : cli_status_color(t->status)),
		     waits ? "waiting" : t->status, W_STATUS,
		     cli_color(c, C_RESET));
		cell(&line, "", t->priority, W_PRIORITY, "");
		cell(&line, late ? cli_color(c, C_RED) : "",
		     t->due ? t->due : "-", W_DUE,
		     late ? cli_color(c, C_RESET) : "");
		cell(&line, "", t->assignee ? t->assignee : "-", W_ASSIGNEE,
		     "");
		if (recurring)
			cell(&line, "", t->every ? t->every : "-", W_EVERY, "");
		dlg_buf_put(&line, title.ptr, title.size);
		dlg_buf_put(&line, "\n", 1);
		fwrite(line.ptr, 1, line.size, stdout);
	}
	free(byid);
	cli_tasks_dispose(&archived);
	dlg_buf_dispose(&line);
	dlg_buf_dispose(&title);
}

int cli_list_query(dlg_query *qp, cli_ctx *c, const cli_args *ap)
{
	dlg_query q = DLG_QUERY_INIT;
	int error = 0;

	q.assignee = cli_get(ap, CLI_O_TO);
	if (cli_flag(ap, CLI_O_MINE)) {
		if ((error = cli_require_identity(c)) < 0)
			goto done;
		q.assignee = cli_me(c);
	}
	q.delegator = cli_get(ap, CLI_O_BY);
	q.status = cli_get(ap, CLI_O_STATUS);
	q.org = cli_get(ap, CLI_O_ORG);
	q.tag = cli_get(ap, CLI_O_TAG);
	q.overdue = cli_flag(ap, CLI_O_OVERDUE);
	q.due_before = cli_get(ap, CLI_O_DUE_BEFORE);
	q.core = cli_flag(ap, CLI_O_CORE);
	q.all = cli_flag(ap, CLI_O_ALL);
	q.sort = cli_get(ap, CLI_O_SORT);
	q.recurring = cli_flag(ap, CLI_O_RECURRING);
	q.words = ap->pos;
	q.nwords = ap->npos;
	if ((error = cli_check_value("--status", &dlg_schema_task, "status",
				     q.status, 0)) < 0)
		goto done;
	if (q.due_before && !dlg_date_valid(q.due_before)) {
		dlg_error_set("--due-before: bad date '%s' (expected "
			      "YYYY-MM-DD)", q.due_before);
		error = DLG_EUSAGE;
		goto done;
	}
	if (q.sort && !dlg_query_sort_valid(q.sort)) {
		dlg_buf keys = DLG_BUF_INIT;

		cli_values_list(&keys, dlg_query_sort_keys);
		dlg_error_set("--sort: cannot sort by '%s' (expected %s)",
			      q.sort, keys.ptr);
		dlg_buf_dispose(&keys);
		error = DLG_EUSAGE;
		goto done;
	}
done:
	*qp = q;
	return error;
}

static int cmp_doc_key(const void *key, const void *doc)
{
	return strcmp(key, dlg_map_get_str(*(dlg_node *const *)doc, "id"));
}

/* docs: sorted by id (dlg_rows_from_tasks sorted them) */
static const dlg_node *archived_doc(dlg_node **docs, size_t n, const char *id)
{
	dlg_node **hit = bsearch(id, docs, n, sizeof(*docs), cmp_doc_key);

	return hit ? *hit : NULL;
}

/* list --archived: every archived task read, then filtered and shown as
 * the working set's are. */
static int list_archived(cli_ctx *c, dlg_query *q, int json,
			 dlg_diags *diags)
{
	char **paths = NULL;
	dlg_node **docs = NULL;
	dlg_rows *rows = NULL;
	const dlg_row **match = NULL;
	dlg_buf b = DLG_BUF_INIT;
	size_t n = 0, ndocs = 0, nmatch = 0, i, j;
	int error;

	if ((error = dlg_store_list_archived(&paths, &n, c->store)) < 0)
		return error;
	if (!(docs = calloc(n + 1, sizeof(*docs))))
		abort();
	for (i = 0; i < n; i++)
		if (dlg_store_load(&docs[ndocs], c->store, paths[i],
				   &dlg_schema_task, diags) == 0)
			ndocs++;
	dlg_rows_from_tasks(&rows, docs, ndocs);
	q->all = 1;
	dlg_query_rows(&match, &nmatch, rows, q, &c->team, c->now);
	/* words: the whole files are at hand */
	for (i = j = 0; i < nmatch; i++) {
		const dlg_node *doc = archived_doc(docs, ndocs, match[i]->id);

		if (doc && dlg_task_has_words(doc, q->words, q->nwords))
			match[j++] = match[i];
	}
	nmatch = j;
	if (json) {
		dlg_buf_puts(&b, "[");
		for (i = 0; i < nmatch; i++) {
			if (i)
				dlg_buf_puts(&b, ",\n");
			dlg_json_write(&b, archived_doc(docs, ndocs,
							match[i]->id));
		}
		dlg_buf_puts(&b, "]");
		cli_put_json(&b);
	} else {
		print_table(c, rows, match, nmatch, q->recurring);
	}
	dlg_buf_dispose(&b);
	free(match);
	dlg_rows_free(rows);
	dlg_nodes_free(docs, ndocs);
	dlg_strv_free(paths, n);
	return 0;
}

int cmd_list(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_query q = DLG_QUERY_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node **tasks = NULL;
	dlg_rows *rows = NULL;
	const dlg_row **match = NULL;
	dlg_buf b = DLG_BUF_INIT;
	size_t n = 0, i;
	int error;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	if ((error = cli_list_query(&q, c, &a)) < 0)
		goto done;
	if (cli_flag(&a, CLI_O_ARCHIVED)) {
		error = list_archived(c, &q, cli_flag(&a, CLI_O_JSON), &diags);
	} else if (cli_flag(&a, CLI_O_JSON)) {
		/* JSON gives whole tasks: read the ones that match. */
		if ((error = dlg_query_run(&tasks, &n, c->store, &q, &c->team,
					   c->now, &diags)) < 0)
			goto done;
		dlg_buf_puts(&b, "[");
		for (i = 0; i < n; i++) {
			if (i)
				dlg_buf_puts(&b, ",\n");
			dlg_json_write(&b, tasks[i]);
		}
		dlg_buf_puts(&b, "]");
		cli_put_json(&b);
	} else {
		if ((error = dlg_rows_load(&rows, c->store,
					   dlg_store_cache(c->store),
					   &diags)) < 0)
			goto done;
		dlg_query_select(&match, &n, rows, c->store, &q, &c->team,
				 c->now, &diags);
		print_table(c, rows, match, n, q.recurring);
	}
	/* Show what we listed, and say loudly what we could not. */
	if (diags.count)
		error = cli_print_skipped(&diags, "listed");
done:
	dlg_buf_dispose(&b);
	if (tasks)
		dlg_nodes_free(tasks, n);
	free(match);
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}

/* Words of a --filter, split at blanks; '...' and "..." keep blanks. */
static int split_filter(dlg_buf *store, char ***argv, int *argc,
			const char *text)
{
	size_t n = 1, i;
	char quote = 0, *p;
	int in_word = 0;

	dlg_buf_puts(store, "list");
	dlg_buf_put(store, "", 1);
	for (; *text; text++) {
		if (!quote && (*text == '\'' || *text == '"')) {
			quote = *text;
			in_word = 1;
			continue;
		}
		if (quote && *text == quote) {
			quote = 0;
			continue;
		}
		if (!quote && (*text == ' ' || *text == '\t' || *text == '\n')) {
			if (in_word) {
				dlg_buf_put(store, "", 1);
				n++;
			}
			in_word = 0;
			continue;
		}
		dlg_buf_put(store, text, 1);
		in_word = 1;
	}
	if (quote) {
		dlg_error_set("--filter: a quote is not closed");
		return DLG_EUSAGE;
	}
	if (in_word) {
		dlg_buf_put(store, "", 1);
		n++;
	}
	if (!(*argv = calloc(n + 1, sizeof(**argv))))
		abort();
	for (i = 0, p = store->ptr; i < n; i++, p += strlen(p) + 1)
		(*argv)[i] = p;
	*argc = (int)n;
	return 0;
}

/* Long (80 lines): ids given, or a --filter parsed as list's options. */
int cli_select_tasks(char ***out, size_t *count, cli_ctx *c,
		     const char *const *prefixes, size_t n, const char *filter)
{
	dlg_buf store = DLG_BUF_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_query q = DLG_QUERY_INIT;
	dlg_rows *rows = NULL;
	const dlg_row **match = NULL;
	char **argv = NULL, **ids;
	cli_args a;
	size_t i, nmatch = 0;
	int argc, error;

	*out = NULL;
	*count = 0;
	memset(&a, 0, sizeof(a));
	if (!filter) {
		if (!(ids = calloc(n + 1, sizeof(*ids))))
			abort();
		size_t m = 0, j;

		for (i = 0; i < n; i++) {
			char id[DLG_TASK_ID_SIZE];

			if ((error = dlg_store_resolve_task(id, c->store,
							    prefixes[i])) < 0) {
				dlg_strv_free(ids, m);
				return error;
			}
			for (j = 0; j < m && strcmp(ids[j], id); j++)
				;
			if (j == m && !(ids[m++] = strdup(id)))
				abort(); /* the same task named twice: once */
		}
		*out = ids;
		*count = m;
		return 0;
	}
	if (n) {
		dlg_error_set("give ids or --filter, not both");
		return DLG_EUSAGE;
	}
	if ((error = split_filter(&store, &argv, &argc, filter)) < 0)
		goto done;
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0) {
		if (error == CLI_DONE) /* --help inside --filter */
			error = DLG_EUSAGE;
		goto done;
	}
	if (cli_flag(&a, CLI_O_JSON) || cli_get(&a, CLI_O_SORT)) {
		dlg_error_set("--filter: --json and --sort are list's output, "
			      "not filters");
		error = DLG_EUSAGE;
		goto done;
	}
	if ((error = cli_list_query(&q, c, &a)) < 0 ||
	    (error = dlg_rows_load(&rows, c->store, dlg_store_cache(c->store),
				   &diags)) < 0)
		goto done;
	q.sort = "id";
	dlg_query_select(&match, &nmatch, rows, c->store, &q, &c->team, c->now,
			 &diags);
	if (diags.count) {
		error = cli_fail(DLG_EINVALID, &diags);
		goto done;
	}
	if (!(ids = calloc(nmatch + 1, sizeof(*ids))))
		abort();
	for (i = 0; i < nmatch; i++)
		if (!(ids[i] = strdup(match[i]->id)))
			abort();
	*out = ids;
	*count = nmatch;
done:
	free(match);
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	free(argv);
	dlg_buf_dispose(&store);
	return error;
}

int cli_confirm(cli_ctx *c, char *const *ids, size_t n, const char *verb,
		int yes)
{
	char line[16];
	size_t i;

	if (yes || n <= CLI_BULK_ASK || !isatty(0) || !isatty(2))
		return 1;
	cli_eprintf("%s %zu tasks:\n", verb, n);
	for (i = 0; i < n && i < 10; i++) {
		cli_task t;
		char shortid[DLG_TASK_ID_SIZE];

		cli_short_id(shortid, c, ids[i]);
		if (cli_task_read(&t, c, ids[i]) == 0)
			cli_eprintf("  %s %s\n", shortid,
				    dlg_map_get_str(t.task, "title"));
		cli_task_dispose(&t);
	}
	if (n > 10)
		cli_eprintf("  ... and %zu more\n", n - 10);
	cli_eprintf("Go on? [y/N] ");
	if (!fgets(line, sizeof(line), stdin))
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}
