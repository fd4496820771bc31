/* Shared set-up of commands (repository, team, acting person, lock) and
 * the one way a task change becomes a commit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cli.h"

const char *cli_program(void)
{
	static char path[4096];
	ssize_t n;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0)
		strcpy(path, "delegit");
	else
		path[n] = '\0';
	return path;
}

const char *cli_merge_program(void)
{
	static dlg_buf word = DLG_BUF_INIT;
	const char *self = cli_program(), *path = getenv("PATH"), *p;
	dlg_buf cand = DLG_BUF_INIT;
	char real[4096];

	if (word.size)
		return word.ptr;
	/* The first delegit on PATH, as sh finds it: is it this one? */
	for (p = path ? path : ""; *p;) {
		size_t n = strcspn(p, ":");

		dlg_buf_clear(&cand);
		if (n)
			dlg_buf_put(&cand, p, n);
		else
			dlg_buf_puts(&cand, ".");
		dlg_buf_puts(&cand, "/delegit");
		p += n + (p[n] == ':');
		if (access(cand.ptr, X_OK) != 0)
			continue;
		if (realpath(cand.ptr, real) && !strcmp(real, self))
			dlg_buf_puts(&word, "delegit");
		break;
	}
	dlg_buf_dispose(&cand);
	if (!word.size) {
		/* A path, quoted for the sh that git runs the driver with. */
		dlg_buf_puts(&word, "'");
		for (p = self; *p; p++) {
			if (*p == '\'')
				dlg_buf_puts(&word, "'\\''");
			else
				dlg_buf_put(&word, p, 1);
		}
		dlg_buf_puts(&word, "'");
	}
	return word.ptr;
}

void cli_print_diags(const dlg_diags *d)
{
	size_t i;

	/* One problem a line, whatever its message quotes. */
	for (i = 0; i < d->count; i++) {
		const dlg_diag *x = &d->items[i];

		if (x->line > 0)
			cli_eprintf("%s:%d:%d: %s\n", x->path, x->line,
				    x->column, x->message);
		else if (x->path[0])
			cli_eprintf("%s: %s\n", x->path, x->message);
		else
			cli_eprintf("%s\n", x->message);
	}
}

int cli_print_skipped(const dlg_diags *d, const char *done)
{
	cli_print_diags(d);
	return cli_error(DLG_EINVALID, "%zu problem%s: some task files were "
			 "not %s (see 'delegit check')", d->count,
			 d->count == 1 ? "" : "s", done);
}

int cli_fail(int error, const dlg_diags *d)
{
	if (d && d->count) {
		error = error < 0 ? error : DLG_ERROR;
		cli_print_diags(d);
		return cli_error(error, "%zu problem%s found; nothing was "
				 "changed", d->count, d->count == 1 ? "" : "s");
	}
	return cli_error(error < 0 ? error : DLG_ERROR, "%s", dlg_error_last());
}

int cli_require_identity(cli_ctx *c)
{
	if (c->me)
		return 0;
	if (!c->email) {
		dlg_error_set("git's user.email is not set: run 'git config "
			      "user.email YOU@EXAMPLE.COM' so delegit knows "
			      "who you are");
		return DLG_EDENIED;
	}
	dlg_error_set("you (%s) are not in the team: a director adds you "
		      "with 'delegit team add HANDLE --name NAME --email %s "
		      "--org ORG --role ROLE'", c->email, c->email);
	return DLG_EDENIED;
}

int cli_ctx_setup(cli_ctx *c, unsigned flags)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	char cwd[4096];
	int error;

	c->now = dlg_now();
	if (c->color < 0 || c->color > 1)
		c->color = cli_stdout_is_terminal() && !getenv("NO_COLOR") &&
			   !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
	if (!(flags & NEEDS_REPO))
		return 0;
	if (!getcwd(cwd, sizeof(cwd)))
		strcpy(cwd, ".");
	if ((error = dlg_repo_open(&c->repo, cwd)) < 0)
		return error;
	dlg_repo_set_progress(c->repo, cli_progress, NULL);
	/* Nothing reads a work tree a killed sync left half written. */
	if ((error = dlg_repo_settle(c->repo)) < 0)
		return error;
	dlg_store_open(&c->store, dlg_repo_workdir(c->repo));
	{
		/* Task rows are cached beside git's own index (core/rows.c). */
		dlg_buf cache = DLG_BUF_INIT;

		dlg_buf_printf(&cache, "%sdelegit-rows", dlg_repo_gitdir(c->repo));
		dlg_store_set_cache(c->store, cache.ptr);
		dlg_store_set_hash(c->store, dlg_blob_id);
		dlg_buf_dispose(&cache);
	}
	if (!dlg_store_exists(c->store, ".delegit/config.yaml")) {
		dlg_error_set("'%s' is not a delegit repository (no "
			      ".delegit/config.yaml): run 'delegit init'",
			      dlg_repo_workdir(c->repo));
		return DLG_ENOTFOUND;
	}
	/* A plain `git clone` has no merge driver configured: add it, so
	 * that `git pull` merges field by field too. */
	if ((error = dlg_repo_ensure_merge_driver(c->repo,
						  cli_merge_program())) < 0)
		return error;
	dlg_repo_config_get(&c->email, c->repo, "user.email");
	if (dlg_team_load(&c->team, c->store, &diags) < 0 &&
	    (flags & NEEDS_IDENTITY)) {
		error = cli_fail(DLG_EINVALID, &diags);
		dlg_diags_dispose(&diags);
		return error;
	}
	dlg_diags_dispose(&diags);
	c->me = dlg_team_find_email(&c->team, c->email);
	if ((flags & NEEDS_IDENTITY) && (error = cli_require_identity(c)) < 0)
		return error;
	if ((flags & NEEDS_LOCK) && (error = dlg_repo_lock(c->repo)) < 0)
		return error;
	return 0;
}

void cli_ctx_dispose(cli_ctx *c)
{
	dlg_team_dispose(&c->team);
	dlg_store_free(c->store);
	dlg_repo_free(c->repo);
	free(c->email);
	memset(c, 0, sizeof(*c));
}

const char *cli_me(const cli_ctx *c)
{
	return c->me ? dlg_map_get_str(c->me, "handle") : NULL;
}

dlg_actor cli_actor(const cli_ctx *c)
{
	dlg_actor a = { cli_me(c), c->me ? dlg_map_get_str(c->me, "role")
					 : "staff" };

	return a;
}

int cli_check_person(cli_ctx *c, const char *handle, const char *what)
{
	if (dlg_team_find(&c->team, handle))
		return 0;
	dlg_error_set("unknown person '%s' for %s (expected a handle from "
		      "'delegit team list')", handle, what);
	return DLG_EINVALID;
}

int cli_check_assignable(cli_ctx *c, const char *handle)
{
	const dlg_node *p = dlg_team_find(&c->team, handle);
	const char *since = dlg_map_get_str(p, "retired");

	if (!since)
		return 0;
	dlg_error_set("'%s' retired on %s: no new work goes to them (see "
		      "'delegit team show %s')", handle, since, handle);
	return DLG_EINVALID;
}

int cli_check_value(const char *what, const dlg_schema *s, const char *path,
		    const char *value, int yaml_null)
{
	const dlg_field *f = dlg_schema_field_at(s, path);
	dlg_buf problem = DLG_BUF_INIT;

	if (!f || !value ||
	    !dlg_schema_check_value(&problem, f, value, yaml_null)) {
		dlg_buf_dispose(&problem);
		return 0;
	}
	dlg_error_set("%s: %s", what, problem.ptr);
	dlg_buf_dispose(&problem);
	return DLG_EUSAGE;
}

int cli_check_options(const cli_args *a, const dlg_schema *s,
		      const cli_field *fields, size_t n)
{
	dlg_buf what = DLG_BUF_INIT;
	size_t i, j, nv;
	int error = 0;

	for (i = 0; i < n && !error; i++) {
		const char **v, *one = cli_get(a, fields[i].opt);

		if (!(nv = cli_multi(&v, a, fields[i].opt)) && one) {
			v = &one;
			nv = 1;
		}
		dlg_buf_clear(&what);
		dlg_buf_printf(&what, "--%s", cli_opt_name(fields[i].opt));
		for (j = 0; j < nv && !error; j++)
			error = cli_check_value(what.ptr, s, fields[i].path, v[j],
						0);
	}
	dlg_buf_dispose(&what);
	return error;
}

/* archived: 1 to look in archive/ too when tasks/ has no such task (to
 * read), 0 to say it is archived (to change). */
static int task_read(cli_task *t, cli_ctx *c, const char *prefix,
		     int archived)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_buf path = DLG_BUF_INIT;
	int error;

	memset(t, 0, sizeof(*t));
	if ((error = dlg_store_resolve_task(t->id, c->store, prefix)) ==
		    DLG_ENOTFOUND &&
	    dlg_store_find_archived(&path, c->store, prefix) == 0) {
		if (!archived) {
			dlg_error_set("task '%s' is archived (%s): it can be "
				      "read (show, log, list --archived), not "
				      "changed", prefix, path.ptr);
			error = DLG_EINVALID;
			goto done;
		}
		memcpy(t->id, strrchr(path.ptr, '/') + 1, 36);
		t->id[36] = '\0';
		error = 0;
	} else if (error < 0 || (error = dlg_task_path(&path, t->id)) < 0) {
		goto done;
	}
	t->path = dlg_buf_detach(&path);
	if ((error = dlg_store_load(&t->task, c->store, t->path,
				    &dlg_schema_task, &diags)) < 0)
		goto done;
	error = dlg_task_check_file_id(&diags, t->path, t->task);
done:
	if (error < 0) {
		error = cli_fail(error, &diags);
		cli_task_dispose(t);
	}
	dlg_diags_dispose(&diags);
	dlg_buf_dispose(&path);
	return error;
}

int cli_task_read(cli_task *t, cli_ctx *c, const char *prefix)
{
	return task_read(t, c, prefix, 1);
}

int cli_task_open(cli_task *t, cli_ctx *c, const char *prefix)
{
	int error = task_read(t, c, prefix, 0);

	if (error < 0)
		return error;
	/* Compare against what is committed, so the commit's message tells
	 * everything the commit changes (hand edits included). */
	if (c->repo)
		t->before = cli_head_doc(c, t->path);
	if (!t->before)
		t->before = dlg_node_dup(t->task);
	return error;
}

dlg_node *cli_head_doc(cli_ctx *c, const char *path)
{
	dlg_buf text = DLG_BUF_INIT;
	dlg_diags ignore = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;

	if (!dlg_repo_head_file(&text, c->repo, path))
		dlg_store_parse(&doc, text.ptr, text.size, path,
				dlg_schema_for_path(path), &ignore);
	dlg_diags_dispose(&ignore);
	dlg_buf_dispose(&text);
	return doc;
}

void cli_task_dispose(cli_task *t)
{
	free(t->path);
	dlg_node_free(t->before);
	dlg_node_free(t->task);
	memset(t, 0, sizeof(*t));
}

int cli_commit_files(cli_ctx *c, const dlg_commit_file *files, size_t n,
		     const char *message, const dlg_node *author)
{
	dlg_signature sig;
	dlg_buf msg = DLG_BUF_INIT;
	int error;

	sig.name = dlg_map_get_str(author, "name");
	sig.email = c->email ? c->email
			     : dlg_map_get(author, "emails")->items[0]->value;
	sig.when = c->now;
	/* Messages quote titles and values from files: `git log` prints
	 * them as they are, so they are escaped here. */
	dlg_escape(&msg, message, strlen(message), DLG_ESC_LINES);
	error = dlg_repo_commit(NULL, c->repo, files, n, msg.ptr, &sig);
	dlg_buf_dispose(&msg);
	return error;
}

/* One line for a trailer: no line breaks, and not too long. */
static void trailer_value(dlg_buf *out, const char *v)
{
	dlg_buf_puts(out, v ? v : "null");
	if (out->size > 72) {
		out->size = 69;
		while (out->size && ((unsigned char)out->ptr[out->size] & 0xc0) ==
					    0x80)
			out->size--;
		out->ptr[out->size] = '\0';
		dlg_buf_puts(out, "...");
	}
}

void cli_change_line(dlg_buf *msg, const dlg_change *x)
{
	dlg_buf_printf(msg, "- %s: %s -> %s\n", x->field,
		       x->from ? x->from : "(none)", x->to ? x->to : "(none)");
}

void cli_message(dlg_buf *msg, const char *subject, const dlg_changes *changes,
		 const char *trailer)
{
	dlg_buf v = DLG_BUF_INIT;
	size_t i;

	dlg_buf_printf(msg, "%s\n\n", subject);
	for (i = 0; i < changes->count; i++)
		cli_change_line(msg, &changes->items[i]);
	dlg_buf_printf(msg, "\n%s\n", trailer);
	for (i = 0; i < changes->count; i++) {
		const dlg_change *x = &changes->items[i];

		dlg_buf_clear(&v);
		dlg_buf_printf(&v, "%s ", x->field);
		trailer_value(&v, x->from);
		dlg_buf_puts(&v, " -> ");
		trailer_value(&v, x->to);
		dlg_buf_printf(msg, "Change: %s\n", v.ptr);
	}
	dlg_buf_dispose(&v);
}

int cli_policy_check(cli_ctx *c, const char *path, const dlg_node *old_doc,
		     const dlg_node *new_doc)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_violations v = DLG_VIOLATIONS_INIT;
	dlg_node *policy = NULL;
	size_t i;
	int error;

	if ((error = dlg_store_load(&policy, c->store, ".delegit/policy.yaml",
				    &dlg_schema_policy, &diags)) < 0 &&
	    error != DLG_ENOTFOUND) {
		error = cli_fail(error, &diags);
		goto done;
	}
	error = 0;
	if (dlg_policy_judge(&v, policy, c->me, c->email, path, old_doc,
			     new_doc) < 0) {
		for (i = 0; i < v.count; i++)
			cli_eprintf("delegit: policy: %s\n",
				    v.items[i].message);
		error = cli_error(DLG_EDENIED, "refused by .delegit/policy.yaml; "
				  "nothing was changed");
	}
done:
	dlg_violations_dispose(&v);
	dlg_node_free(policy);
	dlg_diags_dispose(&diags);
	return error;
}

static int check_refs(cli_ctx *c, const dlg_node *task)
{
	static const char *const fields[] = { "delegator", "assignee", NULL };
	size_t i;
	int error;

	for (i = 0; fields[i]; i++) {
		const char *h = dlg_map_get_str(task, fields[i]);

		if (h && (error = cli_check_person(c, h, fields[i])) < 0)
			return error;
	}
	return 0;
}

int cli_task_commit(cli_ctx *c, cli_task *t, const char *verb, unsigned out)
{
	return cli_task_commit_next(c, t, verb, out, NULL);
}

/* The next occurrence, checked as a new task of the acting person's:
 * stamped, valid, its people known, allowed by the policy. */
static int check_new(cli_ctx *c, cli_task *n, dlg_diags *diags)
{
	int error;

	dlg_task_touch(n->task, cli_me(c), c->now);
	if ((error = dlg_schema_validate(n->task, &dlg_schema_task, n->path,
					 diags)) < 0 ||
	    (error = check_refs(c, n->task)) < 0)
		return cli_fail(error, diags);
	return cli_policy_check(c, n->path, NULL, n->task);
}

/* The commit message: verb, short id and title, the changes, and a Task
 * trailer for each task the commit writes. */
static void task_message(dlg_buf *msg, cli_ctx *c, const cli_task *t,
			 const char *verb, const dlg_changes *changes,
			 const cli_task *next)
{
	dlg_buf v = DLG_BUF_INIT, trailer = DLG_BUF_INIT;
	char shortid[DLG_TASK_ID_SIZE];

	cli_short_id(shortid, c, t->id);
	dlg_buf_printf(&v, "%s %.6s: %s", verb, shortid,
		       dlg_map_get_str(t->task, "title"));
	dlg_buf_printf(&trailer, "Task: %s", t->id);
	if (next) {
		/* One commit closes an occurrence and opens the next: no
		 * state in between for a killed process to leave. */
		dlg_buf_printf(&v, "\n\nThe next occurrence: %s, due %s",
			       next->id, dlg_map_get_str(next->task, "due"));
		dlg_buf_printf(&trailer, "\nTask: %s", next->id);
	}
	cli_message(msg, v.ptr, changes, trailer.ptr);
	dlg_buf_dispose(&trailer);
	dlg_buf_dispose(&v);
}

/* After a failed commit, puts the files back as they were (old, or none
 * when the task did not exist): nothing half-done. The reason told is
 * the commit's. NEEDSWORK: putting back needs room for the old version,
 * which a full disk may not have. */
static void put_back(cli_ctx *c, const cli_task *t, const cli_task *next,
		     int existed, const dlg_buf *old)
{
	dlg_buf why = DLG_BUF_INIT;

	dlg_buf_puts(&why, dlg_error_last());
	if (next)
		dlg_store_remove_file(c->store, next->path);
	if ((existed ? dlg_store_write_file(c->store, t->path, old->ptr,
					    old->size)
		     : dlg_store_remove_file(c->store, t->path)) < 0) {
		dlg_buf_printf(&why, "; the new version stays in %s, "
			       "not committed (", t->path);
		dlg_buf_printf(&why, "%s)", dlg_error_last());
	}
	dlg_error_set("%s", why.ptr);
	dlg_buf_dispose(&why);
}

/* Writes the task (and the next occurrence) and commits them in one
 * commit; on failure the files are as they were. */
static int save_and_commit(cli_ctx *c, cli_task *t, cli_task *next,
			   const char *msg, int existed, const dlg_buf *old)
{
	dlg_buf text = DLG_BUF_INIT, next_text = DLG_BUF_INIT;
	dlg_commit_file file[2];
	int error;

	if ((error = dlg_store_save(&text, c->store, t->path, t->task,
				    &dlg_schema_task)) < 0 ||
	    (next && (error = dlg_store_save(&next_text, c->store, next->path,
					     next->task,
					     &dlg_schema_task)) < 0)) {
		if (next)
			dlg_store_write_file(c->store, t->path, old->ptr,
					     old->size);
		error = cli_fail(error, NULL);
		goto done;
	}
	file[0].path = t->path;
	file[0].data = text.ptr;
	file[0].len = text.size;
	if (next) {
		file[1].path = next->path;
		file[1].data = next_text.ptr;
		file[1].len = next_text.size;
	}
	if ((error = cli_commit_files(c, file, next ? 2 : 1, msg,
				      c->me)) < 0) {
		put_back(c, t, next, existed, old);
		error = cli_fail(error, NULL);
	}
done:
	dlg_buf_dispose(&next_text);
	dlg_buf_dispose(&text);
	return error;
}

/* What a command that changed a task prints, as `out` asks. */
static void print_committed(cli_ctx *c, const cli_task *t, const char *verb,
			    unsigned out, const cli_task *next, int error)
{
	char shortid[DLG_TASK_ID_SIZE];

	cli_short_id(shortid, c, t->id);
	if (out & CLI_OUT_QUIET)
		;
	else if (out & CLI_OUT_JSON)
		cli_print_json(t->task);
	else if (out & CLI_OUT_ID)
		cli_printf("%s\n", shortid);
	else
		cli_printf("%s %s: %s\n", verb, shortid,
			   dlg_map_get_str(t->task, "title"));
	if (next && !error && !(out & CLI_OUT_JSON)) {
		cli_short_id(shortid, c, next->id);
		cli_printf("next occurrence %s: due %s\n", shortid,
			   dlg_map_get_str(next->task, "due"));
	}
}

int cli_task_commit_next(cli_ctx *c, cli_task *t, const char *verb,
			 unsigned out, cli_task *next)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_changes changes = DLG_CHANGES_INIT;
	dlg_buf msg = DLG_BUF_INIT, old = DLG_BUF_INIT;
	int error, existed;

	dlg_task_touch(t->task, cli_me(c), c->now);
	if ((error = dlg_schema_validate(t->task, &dlg_schema_task, t->path,
					 &diags)) < 0 ||
	    (error = check_refs(c, t->task)) < 0) {
		error = cli_fail(error, &diags);
		goto done;
	}
	if ((error = cli_policy_check(c, t->path, t->before, t->task)) < 0 ||
	    (next && (error = check_new(c, next, &diags)) < 0))
		goto done;
	dlg_doc_diff(&changes, t->before, t->task);
	existed = dlg_store_read_file(&old, c->store, t->path) == 0;
	if (!changes.count && existed) {
		cli_eprintf("nothing to change\n");
	} else {
		task_message(&msg, c, t, verb, &changes, next);
		if ((error = save_and_commit(c, t, next, msg.ptr, existed,
					     &old)) < 0)
			goto done;
	}
	print_committed(c, t, verb, out, next, error);
done:
	dlg_buf_dispose(&old);
	dlg_buf_dispose(&msg);
	dlg_changes_dispose(&changes);
	dlg_diags_dispose(&diags);
	return error;
}

typedef struct {
	cli_ctx *c;
	dlg_events *out;
	const char *field; /* only this field's changes; NULL: all */
} history_state;

static int on_version(const dlg_commit_info *ci, const char *path,
		      const dlg_event *ev, size_t n, void *payload)
{
	history_state *st = payload;
	const dlg_node *who = dlg_team_find_email(&st->c->team,
						  ci->author_email);
	size_t i;

	/* A task that came into the archive (delegit archive): one event,
	 * not every field come; dlg_events_pair_moves then drops the same
	 * commit's removals of it from tasks/. A file added has an id
	 * that came from nothing. */
	for (i = 0; !strncmp(path, "archive/", 8) && i < n; i++) {
		dlg_event moved;
		char where[16];

		if (strcmp(ev[i].field, "id") || ev[i].from)
			continue;
		memset(&moved, 0, sizeof(moved));
		memcpy(moved.task, ev[i].task, sizeof(moved.task));
		moved.title = ev[i].title;
		moved.field = (char *)"(archived)";
		moved.from = (char *)"tasks/";
		snprintf(where, sizeof(where), "%.13s", path); /* archive/YYYY/ */
		moved.to = where;
		dlg_events_add(st->out, &moved, ci->id,
			       ci->signer ? ci->signer
			       : who	  ? dlg_map_get_str(who, "handle")
					  : ci->author_email,
			       ci->when, ci->key);
		return 0;
	}
	/* A verified signer is who made the change, whatever the email. */
	for (i = 0; i < n; i++)
		if (!st->field || !strcmp(ev[i].field, st->field))
			dlg_events_add(st->out, &ev[i], ci->id,
				       ci->signer ? ci->signer
				       : who ? dlg_map_get_str(who, "handle")
					     : ci->author_email,
				       ci->when, ci->key);
	return 0;
}

static int history(dlg_events *out, cli_ctx *c, const char *const *paths,
		   size_t n, time_t since, const char *field)
{
	history_state st = { c, out, field };
	const char **all = calloc(n + 1, sizeof(*all));
	size_t i, m = n;
	int error, tasks = 0, archive = 0;

	if (!all)
		abort();
	for (i = 0; i < n; i++) {
		all[i] = paths[i];
		tasks |= !strcmp(paths[i], "tasks/");
		archive |= !strncmp(paths[i], "archive/", 8);
	}
	/* All of tasks/: archive/ too, where the moves out of it show */
	if (tasks && !archive)
		all[m++] = "archive/";
	error = dlg_repo_history_field(c->repo, all, m, since, field,
				       on_version, &st);
	free(all);
	if (!error)
		dlg_events_pair_moves(out);
	return error;
}

int cli_history_paths(dlg_events *out, cli_ctx *c, const char *const *paths,
		      size_t n, time_t since)
{
	return history(out, c, paths, n, since, NULL);
}

int cli_history(dlg_events *out, cli_ctx *c, const char *path, time_t since,
		const char *field)
{
	return history(out, c, &path, 1, since, field);
}

/* ------------------------------------------------------ dependencies */

void cli_tasks_dispose(cli_tasks *l)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		dlg_node_free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

const dlg_node *cli_tasks_lookup(const char *id, void *payload)
{
	cli_tasks *l = payload;
	dlg_diags ignore = DLG_DIAGS_INIT;
	dlg_buf path = DLG_BUF_INIT;
	dlg_node *t = NULL;
	size_t i;

	if (l->edited && !strcmp(dlg_map_get_str(l->edited, "id"), id))
		return l->edited;
	for (i = 0; i < l->count; i++)
		if (!strcmp(dlg_map_get_str(l->items[i], "id"), id))
			return l->items[i];
	if (dlg_uuid_valid(id) && !dlg_task_path(&path, id) &&
	    dlg_store_load(&t, l->store, path.ptr, &dlg_schema_task,
			   &ignore) == DLG_ENOTFOUND &&
	    dlg_store_find_archived(&path, l->store, id) == 0)
		/* closed and archived (delegit archive) */
		dlg_store_load(&t, l->store, path.ptr, &dlg_schema_task,
			       &ignore);
	dlg_buf_dispose(&path);
	dlg_diags_dispose(&ignore);
	if (!t || strcmp(dlg_map_get_str(t, "id"), id)) {
		dlg_node_free(t);
		return NULL;
	}
	if (l->count == l->alloc) {
		l->alloc = l->alloc ? l->alloc * 2 : 16;
		if (!(l->items = realloc(l->items,
					 l->alloc * sizeof(*l->items))))
			abort();
	}
	l->items[l->count++] = t;
	return t;
}

int cli_set_after(cli_ctx *c, dlg_node *task, const char **prefixes, size_t n,
		  int replace)
{
	const char *self = dlg_map_get_str(task, "id");
	cli_tasks known = CLI_TASKS_INIT;
	dlg_node *after = dlg_map_get(task, "after");
	dlg_buf cycle = DLG_BUF_INIT;
	char id[DLG_TASK_ID_SIZE];
	size_t i, j;
	int error = 0;

	if (!after || after->kind != DLG_NODE_SEQ || replace) {
		after = dlg_node_new_seq();
		dlg_map_set(task, "after", after);
	}
	known.store = c->store;
	for (i = 0; i < n; i++) {
		if ((error = dlg_store_resolve_task(id, c->store,
						    prefixes[i])) < 0) {
			char *why = dlg_strdup(dlg_error_last());

			dlg_error_set("--after: %s", why);
			free(why);
			goto done;
		}
		if (!strcmp(id, self)) {
			dlg_error_set("--after: a task cannot wait for itself "
				      "(%.8s)", id);
			error = DLG_EINVALID;
			goto done;
		}
		if (!cli_tasks_lookup(id, &known)) {
			dlg_error_set("--after: task %.8s does not validate "
				      "(see 'delegit check')", id);
			error = DLG_EINVALID;
			goto done;
		}
		for (j = 0; j < after->count; j++)
			if (!strcmp(after->items[j]->value, id))
				break;
		if (j == after->count)
			dlg_seq_push(after, dlg_node_new_str(id));
	}
	if (!after->count)
		dlg_map_remove(task, "after");
	else if (dlg_after_cycle(&cycle, self, after, cli_tasks_lookup,
				 &known)) {
		dlg_error_set("--after: that would make a cycle: %s (a task "
			      "would wait for itself)", cycle.ptr);
		error = DLG_EINVALID;
	}
done:
	dlg_buf_dispose(&cycle);
	cli_tasks_dispose(&known);
	return error;
}

/* ------------------------------------------------------------- bulk */

int cli_bulk(cli_ctx *c, const cli_args *a, const char *const *prefixes,
	     size_t n, const char *verb, cli_task_fn fn, void *payload)
{
	const char *filter = cli_get(a, CLI_O_FILTER);
	char **ids = NULL, shortid[DLG_TASK_ID_SIZE];
	size_t count = 0, i, failed = 0;
	int error, first = 0;

	if (!n && !filter) {
		dlg_error_set("missing argument ID (or --filter)");
		return DLG_EUSAGE;
	}
	if ((error = cli_select_tasks(&ids, &count, c, prefixes, n,
				      filter)) < 0)
		return error;
	if (!filter && count == 1) {
		error = fn(c, ids[0], payload);
		goto done;
	}
	if (!count) {
		cli_eprintf("no task matches the filter; nothing was changed\n");
		goto done;
	}
	if (!cli_confirm(c, ids, count, verb, cli_flag(a, CLI_O_YES))) {
		cli_eprintf("nothing was changed\n");
		goto done;
	}
	/* One commit per task, each as the command would make it alone:
	 * docs/cli.md, "Several tasks at once". */
	for (i = 0; i < count; i++) {
		if ((error = fn(c, ids[i], payload)) >= 0) {
			cli_error_flush(error, NULL);
			continue;
		}
		cli_short_id(shortid, c, ids[i]);
		cli_error_flush(error, shortid);
		if (!first)
			first = error;
		failed++;
	}
	error = 0;
	if (failed)
		error = cli_error(first == DLG_EUSAGE ? DLG_EUSAGE : DLG_ERROR,
				  "%zu of %zu tasks not changed", failed,
				  count);
done:
	dlg_strv_free(ids, count);
	return error;
}
