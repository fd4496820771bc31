/*
 * The server's side (SPEC 7): a pre-receive hook that judges every pushed
 * commit with the same judge as sync, by the team and policy of the
 * branch before the push, and refuses the push in enforce mode. git runs
 * the hook with the pushed objects in a quarantine directory that only
 * the environment names (GIT_OBJECT_DIRECTORY,
 * GIT_ALTERNATE_OBJECT_DIRECTORIES), hence GIT_REPOSITORY_OPEN_FROM_ENV.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sync_internal.h"

int dlg_repo_open_env(dlg_repo **out)
{
	git_repository *g = NULL;
	dlg_repo *r;

	*out = NULL;
	dlg_sync__init();
	if (git_repository_open_ext(&g, NULL, GIT_REPOSITORY_OPEN_FROM_ENV,
				    NULL) < 0)
		return dlg_sync__error("cannot open the repository git names");
	r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->git = g;
	r->lock_fd = -1;
	*out = r;
	return 0;
}

static int is_zero(const char *hex)
{
	return strspn(hex, "0") == strlen(hex);
}

/* A violation of a rule about the ref itself, not a file. */
static void ref_violation(dlg_violations *out, const char *ref,
			  const char *commit, const char *who, const char *msg)
{
	dlg_violations_add(out, ref, "", who, NULL, NULL, "%s", msg);
	out->items[out->count - 1].commit = commit ? dlg_strdup(commit) : NULL;
}

int dlg_repo_judge_update(dlg_violations *out, int *enforce, dlg_repo *r,
			  const char *ref, const char *old_hex,
			  const char *new_hex)
{
	git_oid old, new, trusted, base;
	const git_oid *tp = NULL;
	dlg_judgement j;
	dlg_rules *rules = NULL;
	int error = 0;

	memset(&j, 0, sizeof(j));
	*enforce = 0;
	if (git_oid_fromstr(&old, old_hex) < 0 ||
	    git_oid_fromstr(&new, new_hex) < 0) {
		dlg_error_set("'%s %s %s' is not a ref update (expected OLD NEW "
			      "REF as git gives a pre-receive hook)", old_hex,
			      new_hex, ref);
		return DLG_EUSAGE;
	}
	/* The state this server trusts: the ref before the push, or for a
	 * new ref the branch HEAD names; none in an empty repository. */
	if (!is_zero(old_hex)) {
		git_oid_cpy(&trusted, &old);
		tp = &trusted;
	} else if (!git_reference_name_to_id(&trusted, r->git, "HEAD")) {
		tp = &trusted;
	}
	if ((error = dlg_sync__trusted_rules(&rules, r, tp)) < 0)
		goto done;
	*enforce = dlg_sync__rules_enforced(rules);
	if (is_zero(new_hex)) {
		git_reference *head = NULL;

		if (!git_reference_lookup(&head, r->git, "HEAD") &&
		    git_reference_type(head) == GIT_REFERENCE_SYMBOLIC &&
		    !strcmp(git_reference_symbolic_target(head), ref))
			ref_violation(out, ref, NULL, "?",
				      "deletes the repository's main branch");
		git_reference_free(head);
		goto done;
	}
	if (tp && !is_zero(old_hex) &&
	    !git_oid_equal(&old, &new) &&
	    git_graph_descendant_of(r->git, &new, &old) != 1)
		ref_violation(out, ref, new_hex, "?",
			      "rewrites history: the commits it had before the "
			      "push are not all in it (rule history: no force "
			      "push)");
	if (tp && git_merge_base(&base, r->git, tp, &new) == GIT_ENOTFOUND) {
		ref_violation(out, ref, new_hex, "?",
			      "an unrelated history: it does not contain this "
			      "repository's first commit");
		goto done;
	}
	if ((error = dlg_sync__judge(&j, r, &new, tp, 0)) < 0)
		goto done;
	if (j.violations.count) {
		size_t i;

		for (i = 0; i < j.violations.count; i++) {
			dlg_violation *v = &j.violations.items[i];

			dlg_violations_add(out, v->path, v->field, v->author,
					   v->from, v->to, "%s", v->message);
			out->items[out->count - 1].commit =
				v->commit ? dlg_strdup(v->commit) : NULL;
		}
	}
done:
	dlg_judgement_dispose(&j);
	dlg_sync__rules_free(rules);
	return error;
}

int dlg_repo_install_hook(char **out_path, const char *dir,
			  const char *program, int force)
{
	git_repository *g = NULL;
	dlg_buf path = DLG_BUF_INIT, text = DLG_BUF_INIT, have = DLG_BUF_INIT;
	const char *p;
	int error = 0;

	*out_path = NULL;
	dlg_sync__init();
	if (git_repository_open_bare(&g, dir) < 0) {
		error = dlg_sync__error("not a bare repository");
		goto done;
	}
	dlg_buf_printf(&path, "%shooks", git_repository_path(g));
	if (mkdir(path.ptr, 0755) < 0 && errno != EEXIST) {
		dlg_error_set("cannot create '%s': %s", path.ptr,
			      strerror(errno));
		error = -1;
		goto done;
	}
	dlg_buf_puts(&path, "/pre-receive");
	if (!force && !access(path.ptr, F_OK) &&
	    (dlg_path_read(&have, path.ptr) < 0 ||
	     !strstr(have.ptr, "delegit hook pre-receive"))) {
		dlg_error_set("'%s' exists and is not delegit's: merge it by "
			      "hand, or --force to replace it", path.ptr);
		error = DLG_EINVALID;
		goto done;
	}
	/* The program's path, quoted for sh. */
	dlg_buf_puts(&text, "#!/bin/sh\n# delegit: every pushed commit judged "
			    "by the policy (delegit hook install)\nexec '");
	for (p = program; *p; p++)
		dlg_buf_puts(&text, *p == '\'' ? "'\\''" : (char[]){ *p, 0 });
	dlg_buf_puts(&text, "' hook pre-receive\n");
	if ((error = dlg_path_write(path.ptr, text.ptr, text.size)) < 0)
		goto done;
	if (chmod(path.ptr, 0755) < 0) {
		dlg_error_set("cannot make '%s' executable: %s", path.ptr,
			      strerror(errno));
		error = -1;
		goto done;
	}
	*out_path = dlg_buf_detach(&path);
done:
	dlg_buf_dispose(&path);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&have);
	git_repository_free(g);
	return error;
}
