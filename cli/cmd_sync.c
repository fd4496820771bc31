/* delegit sync [REMOTE], delegit clone URL [DIR] */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_opt sync_opts[] = {
	{ CLI_O_QUIET, 'q', OPT_FLAG, NULL, "print only problems" },
	{ CLI_O_ALLOW_UNRELATED_HISTORIES, 0, OPT_FLAG, NULL,
	  "merge a remote history that does not contain this repository's "
	  "first commit" },
	{ CLI_O_TIMEOUT, 0, OPT_VALUE, "SECONDS",
	  "give up on a remote silent this long (git config delegit.timeout; "
	  "60)" },
	CLI_OPT_END
};

static const cli_spec sync_spec = {
	"delegit sync [REMOTE] [--quiet] [--timeout SECONDS] "
	"[--allow-unrelated-histories]",
	"Exchange work with a remote (default: origin): commit hand edits,\n"
	"fetch, merge field by field, push.",
	"Valid hand edits of delegit files are committed first; invalid ones\n"
	"stop the sync with every problem listed and nothing changed. Fields\n"
	"changed on both sides to different values keep the later change and\n"
	"record the other under 'conflicts:' (see 'delegit conflicts').\n"
	"If the push is refused because the remote moved, sync fetches and\n"
	"merges again; refused while the remote did not move (a server's\n"
	"hook), sync stops with the remote's words (exit 1). Then one line\n"
	"says what came in and went out: 'fetched 3 changes by kim, leo\n"
	"(merged origin: now at 1a2b3c4d); 1 conflict recorded (see 'delegit\n"
	"conflicts'); pushed 2 commits to origin' (changes: the commits that\n"
	"came in, merges left out; authors by team handle, else by name), or\n"
	"'up to date with origin'.\n"
	"Exit 3: the remote could not be reached, or stayed silent longer\n"
	"than the time limit; your work is committed locally and goes out\n"
	"with the next sync.\n"
	"Remotes: a path, file://, git://, ssh:// (ssh-agent), https:// (git's\n"
	"credential helpers).",
	sync_opts, 0, 1, "REMOTE"
};

static const cli_opt clone_opts[] = {
	{ CLI_O_QUIET, 'q', OPT_FLAG, NULL, "print only problems" },
	{ CLI_O_TIMEOUT, 0, OPT_VALUE, "SECONDS",
	  "give up on a remote silent this long (60)" },
	CLI_OPT_END
};

static const cli_spec clone_spec = {
	"delegit clone URL [DIR] [--timeout SECONDS]",
	"Clone a delegit repository and set up its merge driver.",
	"URL: a path, file://, git://, ssh:// or https://. Then set\n"
	"'git config user.email' to the email of your team entry.",
	clone_opts, 1, 2, "URL DIR"
};

/* --timeout, else git config delegit.timeout, else 60 seconds. */
static int timeout_opt(unsigned *out, const cli_args *a, dlg_repo *repo)
{
	const char *v = cli_get(a, CLI_O_TIMEOUT);
	char *cfg = NULL, *end;
	unsigned long n;
	int error = 0;

	*out = 60;
	if (!v && repo && !dlg_repo_config_get(&cfg, repo, "delegit.timeout"))
		v = cfg;
	dlg_error_clear();
	if (v) {
		n = strtoul(v, &end, 10);
		if (end == v || *end || n > 86400 || *v == '-') {
			dlg_error_set("%s: '%s' is not a number of seconds "
				      "(expected 0 to 86400; 0: no limit)",
				      cfg ? "delegit.timeout" : "--timeout", v);
			error = DLG_EUSAGE;
		} else {
			*out = (unsigned)n;
		}
	}
	free(cfg);
	return error;
}

/* The paths under delegit's folders that differ from HEAD. */
static int hand_edited_paths(char ***out, size_t *n, cli_ctx *c)
{
	static const char *const roots[] = { "tasks/", "team/", ".delegit/",
					     "archive/" };

	return dlg_repo_changed_paths(out, n, c->repo, roots,
				      sizeof(roots) / sizeof(roots[0]));
}

/* The hand edits found so far: the problems, and what to commit. */
typedef struct {
	dlg_diags diags;
	dlg_changes changes;
	dlg_commit_file *files;
	size_t nfiles;
	dlg_buf msg;
} hand_edits;

/* One hand-edited file: a temporary file removed, a problem (not a
 * delegit file, invalid, not allowed) recorded, or the file added to the
 * commit with its changes in the message; its text in *text. */
static void hand_edit(hand_edits *h, cli_ctx *c, const char *path,
		      dlg_buf *text)
{
	const dlg_schema *schema = dlg_schema_for_path(path);
	const char *base = strrchr(path, '/');
	dlg_node *now = NULL, *before = NULL;
	size_t first = h->diags.count, k, total = h->changes.count;

	/* A temporary file of a delegit killed while writing: we hold the
	 * lock, so nobody is writing it now. */
	if (!strncmp(base ? base + 1 : path, ".delegit-tmp-", 13)) {
		dlg_store_remove_file(c->store, path);
		return;
	}
	if (!schema) {
		dlg_diags_add(&h->diags, path, 0, 0, "not a delegit file here "
			      "(expected tasks/<hh>/<uuid>.yaml or "
			      "team/<handle>.yaml)");
		return;
	}
	if (dlg_store_exists(c->store, path) &&
	    dlg_store_load(&now, c->store, path, schema, &h->diags) < 0)
		return;
	if (now && schema == &dlg_schema_task)
		dlg_task_check_file_id(&h->diags, path, now);
	if (h->diags.count > first) {
		dlg_node_free(now);
		return;
	}
	if (now)
		dlg_store_read_file(text, c->store, path);
	before = cli_head_doc(c, path);
	/* Hand edits answer to the policy like any other change. */
	if (cli_policy_check(c, path, before, now) < 0) {
		dlg_diags_add(&h->diags, path, 0, 0, "a hand edit the policy "
			      "does not allow you (see above)");
		goto done;
	}
	dlg_doc_diff(&h->changes, before, now);
	dlg_buf_printf(&h->msg, "%s: %s\n", path,
		       now ? (before ? "edited" : "added") : "removed");
	for (k = total; k < h->changes.count; k++)
		cli_change_line(&h->msg, &h->changes.items[k]);
	h->files[h->nfiles].path = path;
	h->files[h->nfiles].data = now ? text->ptr : NULL;
	h->files[h->nfiles].len = text->size;
	h->nfiles++;
done:
	dlg_node_free(now);
	dlg_node_free(before);
}

/* Commit valid hand edits of delegit files; list invalid ones. */
static int commit_hand_edits(cli_ctx *c)
{
	hand_edits h = { DLG_DIAGS_INIT, DLG_CHANGES_INIT, NULL, 0,
			 DLG_BUF_INIT };
	dlg_buf *texts = NULL;
	char **paths = NULL;
	size_t n = 0, i;
	int error;

	if ((error = hand_edited_paths(&paths, &n, c)) < 0 || !n)
		goto done;
	h.files = calloc(n, sizeof(*h.files));
	texts = calloc(n, sizeof(*texts));
	if (!h.files || !texts)
		abort();
	dlg_buf_puts(&h.msg, "sync: commit hand edits\n\n");
	for (i = 0; i < n; i++) {
		texts[i] = (dlg_buf)DLG_BUF_INIT;
		hand_edit(&h, c, paths[i], &texts[i]);
	}
	if (h.diags.count) {
		cli_print_diags(&h.diags);
		error = cli_error(DLG_EINVALID, "sync stopped: %zu problem%s "
				  "in hand edits; nothing was changed (fix "
				  "them, or see 'delegit check')",
				  h.diags.count,
				  h.diags.count == 1 ? "" : "s");
		goto done;
	}
	if ((error = cli_commit_files(c, h.files, h.nfiles, h.msg.ptr,
				      c->me)) < 0)
		goto done;
	cli_printf("committed hand edits to %zu file%s\n", h.nfiles,
		   h.nfiles == 1 ? "" : "s");
done:
	for (i = 0; texts && i < n; i++)
		dlg_buf_dispose(&texts[i]);
	free(texts);
	free(h.files);
	dlg_strv_free(paths, n);
	dlg_buf_dispose(&h.msg);
	dlg_changes_dispose(&h.changes);
	dlg_diags_dispose(&h.diags);
	return error;
}

/*
 * What came in and what went out, in one line: "fetched 3 changes by kim,
 * leo (merged: now at 1a2b3c4d); 1 conflict recorded (see 'delegit
 * conflicts'); pushed 2 commits". Authors by their handle in the team as
 * it is now (the sync may have brought them), else by their name.
 */
static void print_summary(cli_ctx *c, const dlg_sync_result *res,
			  const char *remote)
{
	dlg_team team;
	dlg_diags ignore = DLG_DIAGS_INIT;
	dlg_buf line = DLG_BUF_INIT;
	size_t i, shown = res->nauthors > 5 ? 4 : res->nauthors;
	int have_team;

	memset(&team, 0, sizeof(team));
	/* the files that do not validate are left out: check says why */
	if ((have_team = res->nauthors > 0))
		dlg_team_load(&team, c->store, &ignore);
	if (res->incoming) {
		dlg_buf_printf(&line, "fetched %zu change%s by ", res->incoming,
			       res->incoming == 1 ? "" : "s");
		for (i = 0; i < shown; i++) {
			const dlg_node *p = have_team
				? dlg_team_find_email(&team,
						      res->authors[i].email)
				: NULL;

			dlg_buf_printf(&line, "%s%s", i ? ", " : "",
				       p ? dlg_map_get_str(p, "handle")
					 : res->authors[i].name);
		}
		if (shown < res->nauthors)
			dlg_buf_printf(&line, " and %zu more",
				       res->nauthors - shown);
	}
	if (res->merged)
		dlg_buf_printf(&line, "%smerged %s: now at %.8s%s",
			       res->incoming ? " (" : "", remote, res->head,
			       res->incoming ? ")" : "");
	else if (res->fast_forward)
		dlg_buf_printf(&line, "%sfast-forwarded to %.8s%s",
			       res->incoming ? " (" : "", res->head,
			       res->incoming ? ")" : "");
	if (res->report.conflicts)
		dlg_buf_printf(&line, "%s%zu conflict%s recorded (see 'delegit "
			       "conflicts')", line.size ? "; " : "",
			       res->report.conflicts,
			       res->report.conflicts == 1 ? "" : "s");
	if (res->pushed)
		dlg_buf_printf(&line, "%spushed %zu commit%s to %s",
			       line.size ? "; " : "", res->outgoing,
			       res->outgoing == 1 ? "" : "s", remote);
	if (!line.size)
		dlg_buf_printf(&line, "up to date with %s", remote);
	cli_printf("%s\n", line.ptr);
	dlg_buf_dispose(&line);
	dlg_diags_dispose(&ignore);
	if (have_team)
		dlg_team_dispose(&team);
}

int cmd_sync(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_sync_options o = DLG_SYNC_OPTIONS_INIT;
	dlg_sync_result res;
	dlg_signature me;
	const char *remote;
	int error;

	memset(&res, 0, sizeof(res));
	if ((error = cli_parse(&a, &sync_spec, argc, argv)) != 0)
		goto done;
	remote = a.npos ? a.pos[0] : "origin";
	if ((error = timeout_opt(&o.timeout, &a, c->repo)) < 0 ||
	    (error = commit_hand_edits(c)) < 0)
		goto done;
	me.name = dlg_map_get_str(c->me, "name");
	me.email = c->email;
	me.when = c->now;
	o.remote = remote;
	o.committer = &me;
	o.allow_unrelated = cli_flag(&a, CLI_O_ALLOW_UNRELATED_HISTORIES);
	o.progress = cli_progress;
	error = dlg_sync_run(&res, c->repo, &o);
	if (error == DLG_ECONFLICT && res.report.problems.count) {
		cli_print_diags(&res.report.problems);
		cli_error(error, "%s", dlg_error_last());
		goto done;
	}
	if (res.violations.count) {
		size_t i;

		for (i = 0; i < res.violations.count; i++) {
			const dlg_violation *v = &res.violations.items[i];

			cli_eprintf("delegit: policy: %.8s %s: %s\n",
				    v->commit ? v->commit : "-", v->path, v->message);
		}
		cli_eprintf("delegit: %zu change%s the policy forbids: %s\n",
			    res.violations.count,
			    res.violations.count == 1 ? "" : "s",
			    res.enforced ? "rejected (enforce mode), kept under "
					   "conflicts: for a director"
			    : res.taken_back ? "not brought in (their rejection "
					       "failed: the next sync tries again)"
					 : "kept (warn mode); see 'delegit audit'");
	}
	if (error < 0)
		goto done;
	if (!cli_flag(&a, CLI_O_QUIET))
		print_summary(c, &res, remote);
done:
	dlg_sync_result_dispose(&res);
	cli_args_dispose(&a);
	return error;
}

int cmd_clone(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_sync_options o = DLG_SYNC_OPTIONS_INIT;
	dlg_repo *repo = NULL;
	dlg_store *store = NULL;
	const char *dir;
	char *base = NULL;
	int error;

	(void)c;
	if ((error = cli_parse(&a, &clone_spec, argc, argv)) != 0)
		goto done;
	if (a.npos > 1) {
		dir = a.pos[1];
	} else {
		/* like git: the last part of the URL, without .git */
		const char *s = strrchr(a.pos[0], '/');
		size_t len;

		base = dlg_strdup(s && s[1] ? s + 1 : a.pos[0]);
		len = strlen(base);
		if (len > 4 && !strcmp(base + len - 4, ".git"))
			base[len - 4] = '\0';
		dir = base;
	}
	o.progress = cli_progress;
	if ((error = timeout_opt(&o.timeout, &a, NULL)) < 0 ||
	    (error = dlg_repo_clone(&repo, a.pos[0], dir, &o)) < 0 ||
	    (error = dlg_repo_ensure_merge_driver(repo,
						  cli_merge_program())) < 0)
		goto done;
	dlg_store_open(&store, dlg_repo_workdir(repo));
	if (!cli_flag(&a, CLI_O_QUIET))
		cli_printf("cloned into %s\n", dlg_repo_workdir(repo));
	if (!dlg_store_exists(store, ".delegit/config.yaml"))
		cli_eprintf("delegit: warning: %s holds no "
			    ".delegit/config.yaml: not a delegit repository yet "
			    "('delegit init' makes one)\n", a.pos[0]);
done:
	free(base);
	dlg_store_free(store);
	dlg_repo_free(repo);
	cli_args_dispose(&a);
	return error;
}
