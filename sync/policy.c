/*
 * The policy against history: every commit judged by the policy and team
 * in force at its parent (sync's incoming commits, `delegit audit`), and
 * enforce mode's rejections.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sync_internal.h"

typedef struct {
	git_oid team_tree; /* the team/ tree the cache was read from */
	int have_team;
	dlg_team team;
	git_oid policy_blob;
	int have_policy;
	dlg_node *policy;
} judge_cache;

static void cache_dispose(judge_cache *c)
{
	dlg_team_dispose(&c->team);
	dlg_node_free(c->policy);
}

static dlg_node *parse_blob(git_repository *g, const git_oid *id,
			    const char *path, const dlg_schema *schema)
{
	git_blob *b = NULL;
	dlg_node *doc = NULL;
	dlg_diags ignore = DLG_DIAGS_INIT;

	if (git_blob_lookup(&b, g, id) < 0)
		return NULL;
	dlg_store_parse(&doc, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b),
			path, schema, &ignore);
	dlg_diags_dispose(&ignore);
	git_blob_free(b);
	return doc;
}

/* The team and policy of a tree, read again only when they changed. */
static void load_rules(judge_cache *c, git_repository *g, git_tree *tree)
{
	git_tree_entry *e = NULL;
	git_tree *team = NULL;
	size_t i;

	if (!git_tree_entry_bypath(&e, tree, "team") &&
	    (!c->have_team || !git_oid_equal(&c->team_tree, git_tree_entry_id(e)))) {
		dlg_team_dispose(&c->team);
		memset(&c->team, 0, sizeof(c->team));
		git_oid_cpy(&c->team_tree, git_tree_entry_id(e));
		c->have_team = 1;
		if (!git_tree_lookup(&team, g, git_tree_entry_id(e))) {
			size_t n = git_tree_entrycount(team);

			c->team.people = calloc(n + 1, sizeof(*c->team.people));
			for (i = 0; i < n; i++) {
				const git_tree_entry *p = git_tree_entry_byindex(team, i);
				char path[300];
				dlg_node *doc;

				snprintf(path, sizeof(path), "team/%s",
					 git_tree_entry_name(p));
				if (!dlg_schema_for_path(path))
					continue;
				doc = parse_blob(g, git_tree_entry_id(p), path,
						 &dlg_schema_person);
				if (doc)
					c->team.people[c->team.count++] = doc;
			}
			git_tree_free(team);
		}
	} else if (!e && c->have_team) {
		dlg_team_dispose(&c->team);
		memset(&c->team, 0, sizeof(c->team));
		c->have_team = 0;
	}
	git_tree_entry_free(e);
	e = NULL;
	if (!git_tree_entry_bypath(&e, tree, ".delegit/policy.yaml")) {
		if (!c->have_policy ||
		    !git_oid_equal(&c->policy_blob, git_tree_entry_id(e))) {
			dlg_node_free(c->policy);
			c->policy = parse_blob(g, git_tree_entry_id(e),
					       ".delegit/policy.yaml",
					       &dlg_schema_policy);
			git_oid_cpy(&c->policy_blob, git_tree_entry_id(e));
			c->have_policy = 1;
		}
	} else {
		dlg_node_free(c->policy);
		c->policy = NULL;
		c->have_policy = 0;
	}
	git_tree_entry_free(e);
}

typedef struct {
	dlg_violations *out;
	judge_cache *cache;
	git_repository *git;
	const git_signature *who;
} judging;

/* One file a commit changed. */
static int judge_change(const char *path, const git_tree_entry *ea,
			const git_tree_entry *eb, void *payload)
{
	judging *j = payload;
	const dlg_schema *schema = dlg_schema_for_path(path);
	dlg_node *a = NULL, *b = NULL;

	if (!schema)
		return 0;
	if (ea)
		a = parse_blob(j->git, git_tree_entry_id(ea), path, schema);
	if (eb) {
		if (git_tree_entry_filemode(eb) == GIT_FILEMODE_BLOB ||
		    git_tree_entry_filemode(eb) == GIT_FILEMODE_BLOB_EXECUTABLE)
			b = parse_blob(j->git, git_tree_entry_id(eb), path,
				       schema);
		/* else a link, or worse */
		if (!b) {
			dlg_violations_add(j->out, path, DLG_INVALID_FILE,
					   j->who->email, NULL, NULL,
					   "the file is not a valid delegit %s "
					   "file (see 'delegit check')",
					   schema->name);
			dlg_node_free(a);
			return 0;
		}
	}
	if (j->cache->team.count) /* else the first director's arrival */
		dlg_policy_judge(j->out, j->cache->policy,
				 dlg_team_find_email(&j->cache->team,
						     j->who->email),
				 j->who->email, path, a, b);
	dlg_node_free(a);
	dlg_node_free(b);
	return 0;
}

static int judge_commit(dlg_violations *out, judge_cache *cache,
			dlg_trees *trees, git_commit *commit)
{
	git_commit *parent = NULL;
	git_tree *pt;
	judging j = { out, cache, trees->git, git_commit_author(commit) };
	char id[41];
	size_t i, before = out->count;
	int error = 0;

	if (git_commit_parentcount(commit) != 1)
		return 0; /* roots create; merges bring others' commits */
	if (git_commit_parent(&parent, commit, 0) < 0 ||
	    !(pt = dlg_sync__tree_get(trees, git_commit_tree_id(parent)))) {
		error = dlg_sync__error("cannot read a commit");
		goto done;
	}
	load_rules(cache, trees->git, pt);
	if (dlg_sync__tree_changes(trees, git_commit_tree_id(parent),
				   git_commit_tree_id(commit),
				   judge_change, &j) < 0) {
		error = dlg_sync__error("cannot read a commit");
		goto done;
	}
	git_oid_tostr(id, sizeof(id), git_commit_id(commit));
	for (i = before; i < out->count; i++)
		out->items[i].commit = strdup(id);
done:
	git_commit_free(parent);
	return error;
}

int dlg_repo_judge_range(dlg_violations *out, dlg_repo *r, const char *from,
			 const char *hide, time_t since)
{
	git_revwalk *rw = NULL;
	judge_cache cache;
	dlg_trees trees = { r->git, { NULL }, 0 };
	git_oid oid;
	int error = 0;

	memset(&cache, 0, sizeof(cache));
	if (!dlg_repo_has_commits(r))
		return 0;
	if (git_revwalk_new(&rw, r->git) < 0 ||
	    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push_ref(rw, from) < 0 ||
	    (hide && git_revwalk_hide_ref(rw, hide) < 0)) {
		git_revwalk_free(rw);
		return dlg_sync__error("cannot walk history");
	}
	while (!(error = git_revwalk_next(&oid, rw))) {
		git_commit *c = NULL;

		if (git_commit_lookup(&c, r->git, &oid) < 0) {
			error = dlg_sync__error("cannot read a commit");
			break;
		}
		if (!since || git_commit_time(c) >= since)
			error = judge_commit(out, &cache, &trees, c);
		git_commit_free(c);
		if (error < 0)
			break;
	}
	if (error == GIT_ITEROVER)
		error = 0;
	cache_dispose(&cache);
	dlg_sync__trees_dispose(&trees);
	git_revwalk_free(rw);
	return error;
}

/* A file as it was in "<commit>" or "<commit>^", parsed; NULL if absent. */
static dlg_node *doc_at(git_repository *g, const char *commit, int parent,
			const char *path, dlg_buf *text)
{
	git_object *obj = NULL;
	dlg_buf spec = DLG_BUF_INIT;
	dlg_node *doc = NULL;
	dlg_diags ignore = DLG_DIAGS_INIT;

	dlg_buf_printf(&spec, "%s%s:%s", commit, parent ? "^" : "", path);
	if (!git_revparse_single(&obj, g, spec.ptr) &&
	    git_object_type(obj) == GIT_OBJECT_BLOB) {
		git_blob *b = (git_blob *)obj;

		if (text)
			dlg_buf_put(text, git_blob_rawcontent(b),
				    (size_t)git_blob_rawsize(b));
		dlg_store_parse(&doc, git_blob_rawcontent(b),
				(size_t)git_blob_rawsize(b), path,
				dlg_schema_for_path(path), &ignore);
	}
	git_object_free(obj);
	dlg_diags_dispose(&ignore);
	dlg_buf_dispose(&spec);
	return doc;
}

typedef struct {
	char *path;
	dlg_node *doc;   /* the edited task, or NULL */
	dlg_buf text;    /* a whole file restored */
	int restore, remove;
} touched;

static touched *touch(touched **list, size_t *n, const char *path)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*list)[i].path, path))
			return &(*list)[i];
	*list = realloc(*list, (*n + 1) * sizeof(**list));
	if (!*list)
		abort();
	memset(&(*list)[*n], 0, sizeof(**list));
	(*list)[*n].path = strdup(path);
	(*list)[*n].text = (dlg_buf)DLG_BUF_INIT;
	return &(*list)[(*n)++];
}

int dlg_sync__reject(dlg_repo *r, const dlg_violations *v,
		     const dlg_signature *who, size_t *rejected)
{
	dlg_store *s = NULL;
	touched *list = NULL;
	dlg_commit_file *files = NULL;
	dlg_buf msg = DLG_BUF_INIT;
	size_t n = 0, i, nfiles = 0;
	int error = 0;

	*rejected = 0;
	dlg_store_open(&s, r->workdir);
	for (i = 0; i < v->count; i++) {
		const dlg_violation *x = &v->items[i];
		touched *t;

		if (!x->commit)
			continue;
		if (!*x->field || dlg_schema_for_path(x->path) != &dlg_schema_task) {
			/* The whole file goes back to what it was. */
			t = touch(&list, &n, x->path);
			dlg_node_free(t->doc);
			t->doc = NULL;
			dlg_buf_clear(&t->text);
			dlg_node_free(doc_at(r->git, x->commit, 1, x->path,
					     &t->text));
			t->restore = 1;
			t->remove = !t->text.size;
		} else {
			dlg_node *old = doc_at(r->git, x->commit, 1, x->path, NULL);
			dlg_node *new = doc_at(r->git, x->commit, 0, x->path, NULL);
			const dlg_node *oldv = dlg_doc_get_path(old, x->field);
			const dlg_node *newv = dlg_doc_get_path(new, x->field);
			dlg_node *list_node, *rec;
			char at[21];
			dlg_diags ignore = DLG_DIAGS_INIT;

			t = touch(&list, &n, x->path);
			if (!t->doc && !t->restore)
				dlg_store_load(&t->doc, s, x->path,
					       &dlg_schema_task, &ignore);
			dlg_diags_dispose(&ignore);
			/* Only what still stands is taken back: a later,
			 * allowed change is left alone. */
			if (t->doc && dlg_node_equal(dlg_doc_get_path(t->doc,
								      x->field),
						     newv)) {
				dlg_doc_set_path(t->doc, x->field,
						 oldv ? dlg_node_dup(oldv) : NULL);
				dlg_time_format(at, dlg_now());
				rec = dlg_conflict_new(
					x->field, "rejected", oldv,
					dlg_map_get_str(old, "updated_by"),
					dlg_map_get_str(old, "updated"), newv,
					x->author, dlg_map_get_str(new, "updated"));
				dlg_map_set_str(rec, "commit", x->commit);
				list_node = dlg_map_get(t->doc, "conflicts");
				if (!list_node) {
					list_node = dlg_node_new_seq();
					dlg_map_set(t->doc, "conflicts", list_node);
				}
				if (!dlg_seq_find_id(list_node,
						     dlg_map_get_str(rec, "id")))
					dlg_seq_push(list_node, rec);
				else
					dlg_node_free(rec);
			}
			dlg_node_free(old);
			dlg_node_free(new);
		}
		dlg_buf_printf(&msg, "- %.8s %s\n", x->commit, x->message);
		(*rejected)++;
	}
	if (!*rejected)
		goto done;
	files = calloc(n + 1, sizeof(*files));
	if (!files)
		abort();
	for (i = 0; i < n; i++) {
		touched *t = &list[i];
		dlg_diags d = DLG_DIAGS_INIT;

		if (t->doc) {
			dlg_schema_validate(t->doc, &dlg_schema_task, t->path, &d);
			dlg_buf_clear(&t->text);
			if ((error = dlg_store_save(&t->text, s, t->path, t->doc,
						    &dlg_schema_task)) < 0) {
				dlg_diags_dispose(&d);
				goto done;
			}
		} else if (t->remove) {
			dlg_store_remove_file(s, t->path);
		} else if ((error = dlg_store_write_file(s, t->path, t->text.ptr,
							 t->text.size)) < 0) {
			goto done;
		}
		dlg_diags_dispose(&d);
		files[nfiles].path = t->path;
		files[nfiles].data = t->remove ? NULL : t->text.ptr;
		files[nfiles].len = t->text.size;
		nfiles++;
	}
	{
		dlg_buf full = DLG_BUF_INIT;

		dlg_buf_printf(&full, "policy: reject %zu unauthorised change%s\n\n"
			       "The policy is in enforce mode; each change is "
			       "kept under conflicts: as rejected,\nfor a "
			       "director to approve (delegit resolve) or drop.\n\n%s",
			       *rejected, *rejected == 1 ? "" : "s", msg.ptr);
		error = dlg_repo_commit(NULL, r, files, nfiles, full.ptr, who);
		dlg_buf_dispose(&full);
	}
done:
	for (i = 0; i < n; i++) {
		free(list[i].path);
		dlg_node_free(list[i].doc);
		dlg_buf_dispose(&list[i].text);
	}
	free(list);
	free(files);
	dlg_buf_dispose(&msg);
	dlg_store_free(s);
	return error;
}
