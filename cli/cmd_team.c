/* delegit team add / list / show / edit */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../sync/sshsig.h"

static const cli_opt add_opts[] = {
	{ CLI_O_NAME, 0, OPT_VALUE, "NAME", "full name (required)" },
	{ CLI_O_EMAIL, 0, OPT_MULTI, "EMAIL", "git email (required)" },
	{ CLI_O_ORG, 0, OPT_VALUE, "ORG", "organisation (required)" },
	{ CLI_O_ROLE, 0, OPT_VALUE, "ROLE",
	  "director, manager, staff or msp (required)" },
	{ CLI_O_SKILL, 0, OPT_MULTI, "SKILL", "a skill" },
	{ CLI_O_GROW, 0, OPT_MULTI, "SKILL",
	  "a skill they are growing (suggest offers stretch work)" },
	{ CLI_O_AUTONOMY, 0, OPT_VALUE, "LEVEL",
	  "their tasks' freedom unless a task says: follow-steps, recommend, "
	  "act-and-report or own" },
	{ CLI_O_CAPACITY, 0, OPT_VALUE, "HOURS", "hours a week for delegated work" },
	{ CLI_O_KEY, 0, OPT_MULTI, "KEY",
	  "an OpenSSH public key they sign commits with ('ssh-ed25519 AAAA...')" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the person as JSON" },
	CLI_OPT_END
};

static const cli_spec add_spec = {
	"delegit team add HANDLE --name NAME --email EMAIL --org ORG --role ROLE "
	"[--skill S]... [--grow S]... [--autonomy L] [--capacity HOURS] "
	"[--key KEY]...",
	"Add a person to the team (team/HANDLE.yaml).",
	"The first person added to an empty team needs no identity: they are\n"
	"the first director. After that only directors change the team.\n"
	"--key lists the public keys whose signatures prove a commit is\n"
	"theirs (git config gpg.format ssh; docs/security.md).",
	add_opts, 1, 1, "HANDLE"
};

static const cli_opt edit_opts[] = {
	{ CLI_O_NAME, 0, OPT_VALUE, "NAME", "full name" },
	{ CLI_O_EMAIL, 0, OPT_MULTI, "EMAIL",
	  "git emails (replace the list)" },
	{ CLI_O_ORG, 0, OPT_VALUE, "ORG", "organisation" },
	{ CLI_O_ROLE, 0, OPT_VALUE, "ROLE", "director, manager, staff or msp" },
	{ CLI_O_SKILL, 0, OPT_MULTI, "SKILL", "skills (replace the list)" },
	{ CLI_O_GROW, 0, OPT_MULTI, "SKILL",
	  "skills they are growing (replace the list)" },
	{ CLI_O_AUTONOMY, 0, OPT_VALUE, "LEVEL",
	  "follow-steps, recommend, act-and-report or own" },
	{ CLI_O_CAPACITY, 0, OPT_VALUE, "HOURS", "hours a week" },
	{ CLI_O_ADD_KEY, 0, OPT_MULTI, "KEY", "a new public signing key" },
	{ CLI_O_RETIRE_KEY, 0, OPT_MULTI, "KEY",
	  "a key no longer used: what it signed before stays verified" },
	{ CLI_O_REVOKE_KEY, 0, OPT_MULTI, "KEY",
	  "a key lost or stolen: nothing new it signs is verified" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the person as JSON" },
	CLI_OPT_END
};

static const cli_spec edit_spec = {
	"delegit team edit HANDLE [--name N] [--email E]... [--org O] "
	"[--role R] [--skill S]... [--grow S]... [--autonomy L] [--capacity H] "
	"[--add-key KEY]... "
	"[--retire-key KEY]... [--revoke-key KEY]...",
	"Change a person's details.",
	"Keys: --retire-key for rotation or someone leaving (history they\n"
	"signed stays verified); --revoke-key for a key lost or stolen (any\n"
	"commit it signs that a replica did not hold already is unverified,\n"
	"whatever its parent). KEY is the public key line or its SHA256\n"
	"fingerprint as 'ssh-keygen -l' prints it.",
	edit_opts, 1, 1, "HANDLE"
};

static const cli_opt read_opts[] = {
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print JSON" },
	CLI_OPT_END
};

static const cli_spec list_spec = {
	"delegit team list [--json]", "List the team.", NULL, read_opts, 0, 0
};

static const cli_spec show_spec = {
	"delegit team show HANDLE [--json]", "Show a person and their load.",
	NULL, read_opts, 1, 1, "HANDLE"
};

static const cli_spec team_spec = {
	"delegit team (add | list | show | edit | retire) ...",
	"Manage the people of the team: their org, role, skills and capacity.",
	"  add HANDLE ...   add a person\n"
	"  list             list everyone\n"
	"  show HANDLE      one person, with their open work\n"
	"  edit HANDLE ...  change a person\n"
	"  retire HANDLE    someone leaves: no new work goes to them",
	NULL, 0, 0
};

static const cli_opt retire_opts[] = {
	{ CLI_O_UNDO, 0, OPT_FLAG, NULL, "they are back: take the mark away" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "print the person as JSON" },
	CLI_OPT_END
};

static const cli_spec retire_spec = {
	"delegit team retire HANDLE [--undo] [--json]",
	"Mark someone as gone: their file and history stay, no new work goes "
	"to them.",
	"Sets 'retired' (today's date) in team/HANDLE.yaml, one commit. add\n"
	"--to, assign and set assignee= refuse them from then on, and suggest\n"
	"leaves them out; what they signed stays verified (retire their keys\n"
	"with 'team edit --retire-key' too). Lists their open work, the tasks\n"
	"assigned to them and those they delegated, to hand on:\n"
	"delegit assign --filter '--to HANDLE' NEW and delegit set --filter\n"
	"'--by HANDLE' delegator=NEW.",
	retire_opts, 1, 1, "HANDLE"
};

/* Each option's field: a bad value is a usage error naming the option. */
static const cli_field fields[] = {
	{ CLI_O_NAME, "name" },
	{ CLI_O_EMAIL, "emails" },
	{ CLI_O_ORG, "org" },
	{ CLI_O_ROLE, "role" },
	{ CLI_O_SKILL, "skills" },
	{ CLI_O_GROW, "growing" },
	{ CLI_O_AUTONOMY, "autonomy" },
	{ CLI_O_CAPACITY, "capacity_hours" },
};

static int check_options(const cli_args *a)
{
	return cli_check_options(a, &dlg_schema_person, fields,
				 sizeof(fields) / sizeof(fields[0]));
}

static void set_list(dlg_node *p, const char *key, const char **v, size_t n)
{
	dlg_node *seq = dlg_node_new_seq();
	size_t i;

	for (i = 0; i < n; i++)
		dlg_seq_push(seq, dlg_node_new_str(v[i]));
	dlg_map_set(p, key, seq);
}

/* The key of a person's lists (keys:, retired_keys:, revoked_keys:) that
 * is `key` (a key line or its SHA256 fingerprint): its index in *list. */
static int find_key(dlg_node **list, size_t *at, dlg_node *p,
		    const char *key)
{
	static const char *const lists[] = { "keys", "retired_keys",
					     "revoked_keys" };
	dlg_buf want = DLG_BUF_INIT, have = DLG_BUF_INIT, fp = DLG_BUF_INIT;
	size_t k, i;
	int found = 0;

	if (strncmp(key, "SHA256:", 7) && dlg_sshkey_parse(&want, key) < 0) {
		dlg_buf_dispose(&want);
		return -1;
	}
	for (k = 0; k < 3 && !found; k++) {
		dlg_node *l = dlg_map_get(p, lists[k]);

		for (i = 0; l && !found && i < l->count; i++) {
			if (dlg_sshkey_parse(&have, l->items[i]->value) < 0)
				continue;
			if (dlg_sshkey_fingerprint(&fp, have.ptr,
						   have.size) < 0) {
				found = -1; /* ends both loops */
				break;
			}
			found = want.size ? have.size == want.size &&
						    !memcmp(have.ptr, want.ptr,
							    want.size)
					  : !strcmp(fp.ptr, key);
			if (found) {
				*list = l;
				*at = i;
			}
		}
	}
	dlg_buf_dispose(&want);
	dlg_buf_dispose(&have);
	dlg_buf_dispose(&fp);
	return found;
}

/* --key, --add-key, --retire-key, --revoke-key: a key is in one list at a
 * time, and moves keys -> retired_keys -> revoked_keys, never back. */
static int apply_keys(dlg_node *p, const cli_args *a)
{
	static const cli_opt_id opts[] = { CLI_O_KEY, CLI_O_ADD_KEY,
					    CLI_O_RETIRE_KEY, CLI_O_REVOKE_KEY };
	const char **v;
	size_t k, i, n, at;

	for (k = 0; k < 4; k++) {
		n = cli_multi(&v, a, opts[k]);
		for (i = 0; i < n; i++) {
			dlg_node *from = NULL, *to;
			dlg_buf blob = DLG_BUF_INIT;
			int found = find_key(&from, &at, p, v[i]);
			const char *dest = k < 2 ? "keys" : k == 2 ? "retired_keys"
								    : "revoked_keys";
			dlg_node *item;

			if (found < 0 || (k < 2 && dlg_sshkey_parse(&blob, v[i]) < 0)) {
				dlg_buf msg = DLG_BUF_INIT;

				dlg_buf_dispose(&blob);
				dlg_buf_printf(&msg, "--%s: %s",
					       cli_opt_name(opts[k]),
					       dlg_error_last());
				dlg_error_set("%s", msg.ptr);
				dlg_buf_dispose(&msg);
				return DLG_EUSAGE;
			}
			dlg_buf_dispose(&blob);
			if (k < 2 && found) {
				dlg_error_set("--%s: '%s' has this key already "
					      "(in %s)", cli_opt_name(opts[k]),
					      dlg_map_get_str(p, "handle"),
					      from == dlg_map_get(p, "keys")
						      ? "keys"
						      : "retired or revoked keys");
				return DLG_EUSAGE;
			}
			if (k >= 2 && !found) {
				dlg_error_set("--%s: '%s' has no such key",
					      cli_opt_name(opts[k]),
					      dlg_map_get_str(p, "handle"));
				return DLG_EUSAGE;
			}
			if (k >= 2 && from == dlg_map_get(p, dest))
				continue;
			if (k == 2 && from == dlg_map_get(p, "revoked_keys")) {
				dlg_error_set("--retire-key: that key is revoked "
					      "already");
				return DLG_EUSAGE;
			}
			if (!(to = dlg_map_get(p, dest))) {
				to = dlg_node_new_seq();
				dlg_map_set(p, dest, to);
			}
			if (k < 2) {
				dlg_seq_push(to, dlg_node_new_str(v[i]));
				continue;
			}
			item = dlg_node_dup(from->items[at]);
			dlg_seq_remove(from, at);
			dlg_seq_push(to, item);
		}
	}
	return 0;
}

static void apply_options(dlg_node *p, const cli_args *a)
{
	static const cli_field scalars[] = { { CLI_O_NAME, "name" },
					     { CLI_O_ORG, "org" },
					     { CLI_O_ROLE, "role" } };
	const char **v;
	size_t i, n;

	for (i = 0; i < 3; i++)
		if (cli_get(a, scalars[i].opt))
			dlg_map_set_str(p, scalars[i].path,
					cli_get(a, scalars[i].opt));
	if (cli_get(a, CLI_O_CAPACITY))
		dlg_map_set(p, "capacity_hours",
			    dlg_node_new_scalar(dlg_yaml_resolve(cli_get(
							a, CLI_O_CAPACITY)),
					        cli_get(a, CLI_O_CAPACITY)));
	if ((n = cli_multi(&v, a, CLI_O_EMAIL)))
		set_list(p, "emails", v, n);
	if ((n = cli_multi(&v, a, CLI_O_SKILL)))
		set_list(p, "skills", v, n);
	if ((n = cli_multi(&v, a, CLI_O_GROW)))
		set_list(p, "growing", v, n);
	if (cli_get(a, CLI_O_AUTONOMY))
		dlg_map_set_str(p, "autonomy", cli_get(a, CLI_O_AUTONOMY));
}

/* Validate, write and commit a person's file. */
static int save_person(cli_ctx *c, dlg_node *before, dlg_node *p,
		       const char *verb, const dlg_node *author, int json)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_changes changes = DLG_CHANGES_INIT;
	dlg_buf path = DLG_BUF_INIT, text = DLG_BUF_INIT, msg = DLG_BUF_INIT;
	dlg_buf subject = DLG_BUF_INIT, trailer = DLG_BUF_INIT;
	const char *handle = dlg_map_get_str(p, "handle");
	dlg_commit_file file;
	const dlg_node *other;
	const char *email;
	int error;

	if ((error = dlg_team_path(&path, handle)) < 0 ||
	    (error = dlg_schema_validate(p, &dlg_schema_person, path.ptr,
					 &diags)) < 0) {
		error = cli_fail(error, &diags);
		goto done;
	}
	/* An email names one person only: it is how commits find authors. */
	if ((other = dlg_team_email_clash(&c->team, c->team.count, p, handle,
					  &email))) {
		dlg_error_set("email '%s' belongs to '%s' already", email,
			      dlg_map_get_str(other, "handle"));
		error = cli_fail(DLG_EINVALID, NULL);
		goto done;
	}
	if (!dlg_map_get(p, "emails")->count) {
		dlg_error_set("a person needs at least one --email");
		error = cli_fail(DLG_EUSAGE, NULL);
		goto done;
	}
	/* The first person of an empty team needs no one's leave. */
	if (c->team.count &&
	    (error = cli_policy_check(c, path.ptr, before, p)) < 0)
		goto done;
	dlg_doc_diff(&changes, before, p);
	if (!changes.count) {
		cli_eprintf("nothing to change\n");
		goto print;
	}
	dlg_buf_printf(&subject, "team %s %s: %s", verb, handle,
		       dlg_map_get_str(p, "name"));
	dlg_buf_printf(&trailer, "Person: %s", handle);
	cli_message(&msg, subject.ptr, &changes, trailer.ptr);
	if ((error = dlg_store_save(&text, c->store, path.ptr, p,
				    &dlg_schema_person)) < 0) {
		error = cli_fail(error, NULL);
		goto done;
	}
	file = (dlg_commit_file){ path.ptr, text.ptr, text.size };
	if ((error = cli_commit_files(c, &file, 1, msg.ptr, author)) < 0) {
		error = cli_fail(error, NULL);
		goto done;
	}
print:
	if (json)
		cli_print_json(p);
	else
		cli_printf("team %s %s: %s\n", verb, handle,
			   dlg_map_get_str(p, "name"));
done:
	dlg_buf_dispose(&trailer);
	dlg_buf_dispose(&subject);
	dlg_buf_dispose(&msg);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&path);
	dlg_changes_dispose(&changes);
	dlg_diags_dispose(&diags);
	return error;
}

static int team_add(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_node *p = NULL;
	const char *handle;
	dlg_buf path = DLG_BUF_INIT;
	static const cli_opt_id required[] = { CLI_O_NAME, CLI_O_EMAIL,
						CLI_O_ORG, CLI_O_ROLE };
	int error, i;

	if ((error = cli_parse(&a, &add_spec, argc, argv)) != 0 ||
	    (error = cli_check_value("HANDLE", &dlg_schema_person, "handle",
				     a.pos[0], 0)) < 0 ||
	    (error = check_options(&a)) < 0)
		goto done;
	for (i = 0; i < 4; i++)
		if (!cli_get(&a, required[i])) {
			error = cli_error(DLG_EUSAGE, "team add needs --%s\n"
					  "usage: %s", cli_opt_name(required[i]),
					  add_spec.usage);
			goto done;
		}
	handle = a.pos[0];
	if ((error = dlg_team_path(&path, handle)) < 0)
		goto done;
	if (c->team.count) {
		if ((error = cli_require_identity(c)) < 0)
			goto done;
	} else if (strcmp(cli_get(&a, CLI_O_ROLE), "director")) {
		dlg_error_set("the first person of a team is its director: "
			      "add them with --role director");
		error = DLG_EUSAGE;
		goto done;
	}
	if ((error = dlg_repo_lock(c->repo)) < 0)
		goto done;
	if (dlg_store_exists(c->store, path.ptr)) {
		dlg_error_set("'%s' is in the team already (see 'delegit team "
			      "edit')", handle);
		error = DLG_EINVALID;
		goto done;
	}
	p = dlg_node_new_map();
	dlg_map_set_str(p, "handle", handle);
	apply_options(p, &a);
	if ((error = apply_keys(p, &a)) < 0)
		goto done;
	/* The first director authors their own arrival. */
	if (!c->team.count) {
		const char *email = cli_get(&a, CLI_O_EMAIL);

		if (!c->email && email && !(c->email = strdup(email)))
			abort();
	}
	error = save_person(c, NULL, p, "add", c->team.count ? c->me : p,
			    cli_flag(&a, CLI_O_JSON));
done:
	dlg_node_free(p);
	dlg_buf_dispose(&path);
	cli_args_dispose(&a);
	return error;
}

static int team_edit(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_node *p = NULL;
	const dlg_node *old;
	int error;

	if ((error = cli_parse(&a, &edit_spec, argc, argv)) != 0 ||
	    (error = check_options(&a)) < 0)
		goto done;
	if ((error = cli_require_identity(c)) < 0)
		goto done;
	if (!(old = dlg_team_find(&c->team, a.pos[0]))) {
		error = cli_check_person(c, a.pos[0], "team edit");
		goto done;
	}
	if ((error = dlg_repo_lock(c->repo)) < 0)
		goto done;
	p = dlg_node_dup(old);
	apply_options(p, &a);
	if ((error = apply_keys(p, &a)) < 0)
		goto done;
	error = save_person(c, (dlg_node *)old, p, "edit", c->me,
			    cli_flag(&a, CLI_O_JSON));
done:
	dlg_node_free(p);
	cli_args_dispose(&a);
	return error;
}

/* The open tasks a person holds, as assignee or delegator, for them to
 * hand on. */
static void print_open_work(cli_ctx *c, const char *handle)
{
	dlg_query q = DLG_QUERY_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node **tasks = NULL;
	size_t n = 0, i, mine = 0, given = 0;

	q.person = handle;
	q.rows_only = 1;
	dlg_query_run(&tasks, &n, c->store, &q, &c->team, c->now, &diags);
	for (i = 0; i < n; i++) {
		const char *to = dlg_map_get_str(tasks[i], "assignee");
		char shortid[DLG_TASK_ID_SIZE];

		if (!i)
			cli_printf("open work to hand on:\n");
		cli_short_id(shortid, c, dlg_map_get_str(tasks[i], "id"));
		if (to && !strcmp(to, handle))
			mine++;
		else
			given++;
		cli_printf("  %-8s %-11s %-9s %s\n", shortid,
			   dlg_map_get_str(tasks[i], "status"),
			   to && !strcmp(to, handle) ? "assigned" : "delegated",
			   dlg_map_get_str(tasks[i], "title"));
	}
	if (mine)
		cli_printf("re-delegate: delegit assign --filter '--to %s' "
			   "HANDLE\n", handle);
	if (given)
		cli_printf("hand on: delegit set --filter '--by %s' "
			   "delegator=HANDLE\n", handle);
	if (!n)
		cli_printf("no open work to hand on\n");
	dlg_nodes_free(tasks, n);
	dlg_diags_dispose(&diags);
}

static int team_retire(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_node *p = NULL;
	const dlg_node *old;
	char today[DLG_DATE_SIZE];
	int error;

	if ((error = cli_parse(&a, &retire_spec, argc, argv)) != 0 ||
	    (error = cli_require_identity(c)) < 0)
		goto done;
	if (!(old = dlg_team_find(&c->team, a.pos[0]))) {
		error = cli_check_person(c, a.pos[0], "team retire");
		goto done;
	}
	if ((error = dlg_repo_lock(c->repo)) < 0)
		goto done;
	p = dlg_node_dup(old);
	dlg_date_format(today, c->now);
	if (cli_flag(&a, CLI_O_UNDO))
		dlg_map_remove(p, "retired");
	else if (!dlg_map_get_str(p, "retired"))
		dlg_map_set(p, "retired",
			    dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, today));
	error = save_person(c, (dlg_node *)old, p,
			    cli_flag(&a, CLI_O_UNDO) ? "unretire" : "retire", c->me,
			    cli_flag(&a, CLI_O_JSON));
	if (!error && !cli_flag(&a, CLI_O_JSON) && !cli_flag(&a, CLI_O_UNDO))
		print_open_work(c, a.pos[0]);
done:
	dlg_node_free(p);
	cli_args_dispose(&a);
	return error;
}

static void person_load(cli_ctx *c, const char *handle, double *hours,
			size_t *open)
{
	dlg_query q = DLG_QUERY_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node **tasks = NULL;
	size_t n = 0, i;

	q.assignee = handle;
	*hours = 0;
	dlg_query_run(&tasks, &n, c->store, &q, &c->team, c->now, &diags);
	for (i = 0; i < n; i++) {
		const char *e = dlg_map_get_str(tasks[i], "estimate_hours");

		if (e)
			*hours += atof(e);
	}
	*open = n;
	dlg_nodes_free(tasks, n);
	dlg_diags_dispose(&diags);
}

static void print_set_line(const char *label, const dlg_node *set)
{
	size_t i;

	cli_printf("%-10s ", label);
	for (i = 0; set && i < set->count; i++)
		cli_printf("%s%s", i ? ", " : "", set->items[i]->value);
	cli_printf("%s\n", set && set->count ? "" : "-");
}

static int team_show(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	const dlg_node *p;
	double hours;
	size_t open;
	int error;

	if ((error = cli_parse(&a, &show_spec, argc, argv)) != 0)
		goto done;
	if (!(p = dlg_team_find(&c->team, a.pos[0]))) {
		error = cli_check_person(c, a.pos[0], "team show");
		goto done;
	}
	if (cli_flag(&a, CLI_O_JSON)) {
		cli_print_json(p);
		goto done;
	}
	person_load(c, a.pos[0], &hours, &open);
	cli_printf("%s%s%s  %s\n", cli_color(c, C_BOLD), dlg_map_get_str(p, "handle"),
		   cli_color(c, C_RESET), dlg_map_get_str(p, "name"));
	cli_printf("%-10s %s\n%-10s %s\n", "org", dlg_map_get_str(p, "org"), "role",
		   dlg_map_get_str(p, "role"));
	print_set_line("emails", dlg_map_get(p, "emails"));
	print_set_line("skills", dlg_map_get(p, "skills"));
	cli_printf("%-10s %s h/week\n", "capacity",
		   dlg_map_get_str(p, "capacity_hours")
			   ? dlg_map_get_str(p, "capacity_hours") : "-");
	cli_printf("%-10s %zu open task%s, %g h estimated\n", "load", open,
		   open == 1 ? "" : "s", hours);
	if (dlg_map_get_str(p, "retired"))
		cli_printf("%-10s %s: no new work goes to them\n", "retired",
			   dlg_map_get_str(p, "retired"));
done:
	cli_args_dispose(&a);
	return error;
}

static int team_list(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_buf b = DLG_BUF_INIT;
	size_t i, j;
	int error;

	if ((error = cli_parse(&a, &list_spec, argc, argv)) != 0)
		goto done;
	if (cli_flag(&a, CLI_O_JSON)) {
		dlg_buf_puts(&b, "[");
		for (i = 0; i < c->team.count; i++) {
			if (i)
				dlg_buf_puts(&b, ",");
			dlg_json_write(&b, c->team.people[i]);
		}
		dlg_buf_puts(&b, "]");
		cli_put_json(&b);
		goto done;
	}
	cli_printf("%s%-12s %-22s %-14s %-9s %8s  %s%s\n", cli_color(c, C_BOLD),
		   "HANDLE", "NAME", "ORG", "ROLE", "CAPACITY", "SKILLS",
		   cli_color(c, C_RESET));
	for (i = 0; i < c->team.count; i++) {
		const dlg_node *p = c->team.people[i];
		const dlg_node *skills = dlg_map_get(p, "skills");

		cli_fit(&b, dlg_map_get_str(p, "name"), 22);
		cli_printf("%-12s %-22s %-14s %-9s %8s  ", dlg_map_get_str(p, "handle"),
			   b.ptr, dlg_map_get_str(p, "org"),
			   dlg_map_get_str(p, "retired") ? "retired"
							 : dlg_map_get_str(p, "role"),
			   dlg_map_get_str(p, "capacity_hours")
				   ? dlg_map_get_str(p, "capacity_hours") : "-");
		for (j = 0; j < skills->count; j++)
			cli_printf("%s%s", j ? ", " : "", skills->items[j]->value);
		putchar('\n');
	}
done:
	dlg_buf_dispose(&b);
	cli_args_dispose(&a);
	return error;
}

int cmd_team(cli_ctx *c, int argc, char **argv)
{
	static const cli_subcommand subs[] = {
		{ "add", team_add }, { "list", team_list },
		{ "show", team_show }, { "edit", team_edit },
		{ "retire", team_retire }
	};

	return cli_run_subcommand(c, argc, argv, &team_spec, "team", subs,
				  sizeof(subs) / sizeof(subs[0]));
}
