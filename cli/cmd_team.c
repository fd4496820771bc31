/* delegit team add / list / show / edit */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_opt add_opts[] = {
	{ "name", 0, OPT_VALUE, "NAME", "full name (required)" },
	{ "email", 0, OPT_MULTI, "EMAIL", "git email (required)" },
	{ "org", 0, OPT_VALUE, "ORG", "organisation (required)" },
	{ "role", 0, OPT_VALUE, "ROLE",
	  "director, manager, staff or msp (required)" },
	{ "skill", 0, OPT_MULTI, "SKILL", "a skill" },
	{ "capacity", 0, OPT_VALUE, "HOURS", "hours a week for delegated work" },
	{ "json", 0, OPT_FLAG, NULL, "print the person as JSON" },
	CLI_OPT_END
};

static const cli_spec add_spec = {
	"delegit team add HANDLE --name NAME --email EMAIL --org ORG --role ROLE "
	"[--skill S]... [--capacity HOURS]",
	"Add a person to the team (team/HANDLE.yaml).",
	"The first person added to an empty team needs no identity: they are\n"
	"the first director. After that only directors change the team.",
	add_opts, 1, 1
};

static const cli_opt edit_opts[] = {
	{ "name", 0, OPT_VALUE, "NAME", "full name" },
	{ "email", 0, OPT_MULTI, "EMAIL",
	  "git emails (replace the list)" },
	{ "org", 0, OPT_VALUE, "ORG", "organisation" },
	{ "role", 0, OPT_VALUE, "ROLE", "director, manager, staff or msp" },
	{ "skill", 0, OPT_MULTI, "SKILL", "skills (replace the list)" },
	{ "capacity", 0, OPT_VALUE, "HOURS", "hours a week" },
	{ "json", 0, OPT_FLAG, NULL, "print the person as JSON" },
	CLI_OPT_END
};

static const cli_spec edit_spec = {
	"delegit team edit HANDLE [--name N] [--email E]... [--org O] "
	"[--role R] [--skill S]... [--capacity H]",
	"Change a person's details.", NULL, edit_opts, 1, 1
};

static const cli_opt read_opts[] = {
	{ "json", 0, OPT_FLAG, NULL, "print JSON" },
	CLI_OPT_END
};

static const cli_spec list_spec = {
	"delegit team list [--json]", "List the team.", NULL, read_opts, 0, 0
};

static const cli_spec show_spec = {
	"delegit team show HANDLE [--json]", "Show a person and their load.",
	NULL, read_opts, 1, 1
};

static const cli_spec team_spec = {
	"delegit team (add | list | show | edit) ...",
	"Manage the people of the team: their org, role, skills and capacity.",
	"  add HANDLE ...   add a person\n"
	"  list             list everyone\n"
	"  show HANDLE      one person, with their open work\n"
	"  edit HANDLE ...  change a person",
	NULL, 0, 0
};

static void set_list(dlg_node *p, const char *key, const char **v, size_t n)
{
	dlg_node *seq = dlg_node_new_seq();
	size_t i;

	for (i = 0; i < n; i++)
		dlg_seq_push(seq, dlg_node_new_str(v[i]));
	dlg_map_set(p, key, seq);
}

static void apply_options(dlg_node *p, const cli_args *a)
{
	static const char *const scalars[][2] = { { "name", "name" },
						  { "org", "org" },
						  { "role", "role" } };
	const char **v;
	size_t i, n;

	for (i = 0; i < 3; i++)
		if (cli_get(a, scalars[i][0]))
			dlg_map_set_str(p, scalars[i][1],
					cli_get(a, scalars[i][0]));
	if (cli_get(a, "capacity"))
		dlg_map_set(p, "capacity_hours",
			    dlg_node_new_scalar(dlg_yaml_resolve(cli_get(
							a, "capacity")),
					        cli_get(a, "capacity")));
	if ((n = cli_multi(&v, a, "email")))
		set_list(p, "emails", v, n);
	if ((n = cli_multi(&v, a, "skill")))
		set_list(p, "skills", v, n);
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
		fprintf(stderr, "nothing to change\n");
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
		printf("team %s %s: %s\n", verb, handle,
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
	static const char *const required[] = { "name", "email", "org", "role",
						NULL };
	int error, i;

	if ((error = cli_parse(&a, &add_spec, argc, argv)) != 0)
		goto done;
	for (i = 0; required[i]; i++)
		if (!cli_get(&a, required[i])) {
			fprintf(stderr, "delegit: team add needs --%s\n"
				"usage: %s\n", required[i], add_spec.usage);
			cli_error_reported = 1;
			error = DLG_EUSAGE;
			goto done;
		}
	handle = a.pos[0];
	if ((error = dlg_team_path(&path, handle)) < 0)
		goto done;
	if (c->team.count) {
		if ((error = cli_require_identity(c)) < 0)
			goto done;
	} else if (strcmp(cli_get(&a, "role"), "director")) {
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
	/* The first director authors their own arrival. */
	if (!c->team.count) {
		const char *email = cli_get(&a, "email");

		if (!c->email && email && !(c->email = strdup(email)))
			abort();
	}
	error = save_person(c, NULL, p, "add", c->team.count ? c->me : p,
			    cli_flag(&a, "json"));
done:
	dlg_node_free(p);
	dlg_buf_dispose(&path);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}

static int team_edit(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_node *p = NULL;
	const dlg_node *old;
	int error;

	if ((error = cli_parse(&a, &edit_spec, argc, argv)) != 0)
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
	error = save_person(c, (dlg_node *)old, p, "edit", c->me,
			    cli_flag(&a, "json"));
done:
	dlg_node_free(p);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
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

	printf("%-10s ", label);
	for (i = 0; set && i < set->count; i++)
		printf("%s%s", i ? ", " : "", set->items[i]->value);
	printf("%s\n", set && set->count ? "" : "-");
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
	if (cli_flag(&a, "json")) {
		cli_print_json(p);
		goto done;
	}
	person_load(c, a.pos[0], &hours, &open);
	printf("%s%s%s  %s\n", cli_color(c, C_BOLD), dlg_map_get_str(p, "handle"),
	       cli_color(c, C_RESET), dlg_map_get_str(p, "name"));
	printf("%-10s %s\n%-10s %s\n", "org", dlg_map_get_str(p, "org"), "role",
	       dlg_map_get_str(p, "role"));
	print_set_line("emails", dlg_map_get(p, "emails"));
	print_set_line("skills", dlg_map_get(p, "skills"));
	printf("%-10s %s h/week\n", "capacity",
	       dlg_map_get_str(p, "capacity_hours")
		       ? dlg_map_get_str(p, "capacity_hours") : "-");
	printf("%-10s %zu open task%s, %g h estimated\n", "load", open,
	       open == 1 ? "" : "s", hours);
done:
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}

static int team_list(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_buf b = DLG_BUF_INIT;
	size_t i, j;
	int error;

	if ((error = cli_parse(&a, &list_spec, argc, argv)) != 0)
		goto done;
	if (cli_flag(&a, "json")) {
		dlg_buf_puts(&b, "[");
		for (i = 0; i < c->team.count; i++) {
			if (i)
				dlg_buf_puts(&b, ",");
			dlg_json_write(&b, c->team.people[i]);
		}
		printf("%s]\n", b.ptr);
		goto done;
	}
	printf("%s%-12s %-22s %-14s %-9s %8s  %s%s\n", cli_color(c, C_BOLD),
	       "HANDLE", "NAME", "ORG", "ROLE", "CAPACITY", "SKILLS",
	       cli_color(c, C_RESET));
	for (i = 0; i < c->team.count; i++) {
		const dlg_node *p = c->team.people[i];
		const dlg_node *skills = dlg_map_get(p, "skills");

		cli_fit(&b, dlg_map_get_str(p, "name"), 22);
		printf("%-12s %-22s %-14s %-9s %8s  ", dlg_map_get_str(p, "handle"),
		       b.ptr, dlg_map_get_str(p, "org"),
		       dlg_map_get_str(p, "role"),
		       dlg_map_get_str(p, "capacity_hours")
			       ? dlg_map_get_str(p, "capacity_hours") : "-");
		for (j = 0; j < skills->count; j++)
			printf("%s%s", j ? ", " : "", skills->items[j]->value);
		putchar('\n');
	}
done:
	dlg_buf_dispose(&b);
	cli_args_dispose(&a);
	return error == 1 ? 0 : error;
}

int cmd_team(cli_ctx *c, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(cli_ctx *, int, char **);
	} subs[] = { { "add", team_add }, { "list", team_list },
		     { "show", team_show }, { "edit", team_edit } };
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_help(argc < 2 ? stderr : stdout, &team_spec);
		cli_error_reported = 1;
		return argc < 2 ? DLG_EUSAGE : 0;
	}
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(c, argc - 1, argv + 1);
	fprintf(stderr, "delegit: unknown team command '%s'\n", argv[1]);
	cli_help(stderr, &team_spec);
	cli_error_reported = 1;
	return DLG_EUSAGE;
}
