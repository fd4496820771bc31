/*
 * Policy (SPEC 7): who may change what. One judge serves the CLI (before
 * it commits), sync (every incoming commit) and `delegit audit` (history).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

const char dlg_policy_default_text[] =
	"format: 1\n"
	"mode: warn\n"
	"rules:\n"
	"  # Who may change what in a task (docs/policy.md): each key names\n"
	"  # a role, or a relationship to the task; each entry a field, a\n"
	"  # field with the only value allowed (status:review), a field on\n"
	"  # tasks with that much autonomy (checkpoints.due@own), or all.\n"
	"  delegator: [all]\n"
	"  director: [all]\n"
	"  manager: [all]\n"
	"  assignee: [status:in-progress, status:blocked, status:review, "
	"checkpoints.done, expectations.acceptance.met, due_request, "
	"feedback, checkpoints.due@own]\n"
	"  everyone: [feedback, spent]\n"
	"  # The roles that may change team/, config.yaml and policy.yaml.\n"
	"  repository: [director]\n";

static dlg_node *default_policy(void)
{
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;

	dlg_store_parse(&doc, dlg_policy_default_text,
			strlen(dlg_policy_default_text), ".delegit/policy.yaml",
			&dlg_schema_policy, &d);
	dlg_diags_dispose(&d);
	return doc;
}

int dlg_policy_enforced(const dlg_node *policy)
{
	const char *mode = dlg_map_get_str(policy, "mode");

	return mode && !strcmp(mode, "enforce");
}

void dlg_violations_add(dlg_violations *v, const char *path, const char *field,
			const char *author, const char *from, const char *to,
			const char *fmt, ...)
{
	dlg_violation *x;
	dlg_buf msg = DLG_BUF_INIT;
	va_list ap;

	if (v->count == v->alloc) {
		v->alloc = v->alloc ? v->alloc * 2 : 8;
		v->items = realloc(v->items, v->alloc * sizeof(*v->items));
		if (!v->items)
			abort();
	}
	va_start(ap, fmt);
	dlg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	x = &v->items[v->count++];
	memset(x, 0, sizeof(*x));
	x->path = dlg_strdup(path);
	x->field = dlg_strdup(field ? field : "");
	x->author = dlg_strdup(author ? author : "?");
	x->from = from ? dlg_strdup(from) : NULL;
	x->to = to ? dlg_strdup(to) : NULL;
	x->message = dlg_buf_detach(&msg);
}

void dlg_violations_dispose(dlg_violations *v)
{
	size_t i;

	for (i = 0; i < v->count; i++) {
		free(v->items[i].path);
		free(v->items[i].field);
		free(v->items[i].author);
		free(v->items[i].from);
		free(v->items[i].to);
		free(v->items[i].message);
		free(v->items[i].commit);
		free(v->items[i].before);
		free(v->items[i].after);
	}
	free(v->items);
	memset(v, 0, sizeof(*v));
}

/* "checkpoints[27c4f0aa].done" -> "checkpoints.done", whole however long
 * the field: a rule names a field by all of it, never by a cut prefix. */
static void normalize(dlg_buf *out, const char *field)
{
	const char *run = field;

	dlg_buf_clear(out);
	for (; *field; field++) {
		if (*field != '[')
			continue;
		dlg_buf_put(out, run, (size_t)(field - run));
		field = strchr(field, ']');
		if (!field)
			return;
		if (field[1] && field[1] != '.')
			dlg_buf_put(out, ".", 1);
		run = field + 1;
	}
	dlg_buf_put(out, run, (size_t)(field - run));
}

/* Adding an item of one's own to a keyed list ("feedback[", "author"):
 * a new item, whole, whose author field names the person. */
static int adds_own_item(const dlg_change *ch, const dlg_node *new_doc,
			 const char *handle, const char *list,
			 const char *author_key)
{
	const dlg_node *item;
	const char *who;

	if (strncmp(ch->field, list, strlen(list)) || ch->from ||
	    strchr(ch->field, '.'))
		return 0;
	item = dlg_doc_get_path(new_doc, ch->field);
	who = dlg_map_get_str(item, author_key);
	return item && handle && who && !strcmp(who, handle);
}

/* before: the task as it was, whose autonomy FIELD@LEVEL entries read (a
 * commit that raises the level lends itself nothing). */
static int entry_allows(const char *entry, const dlg_change *ch,
			const dlg_node *before, const dlg_node *new_doc,
			const char *handle)
{
	dlg_buf norm = DLG_BUF_INIT;
	const char *at = strchr(entry, '@');
	size_t len;
	int ok;

	if (at) {
		/* FIELD@LEVEL: only on a task that came with that much
		 * freedom or more (its own autonomy before the change) */
		const char *level = dlg_map_get_str(before, "autonomy");
		int need = dlg_enum_index(dlg_autonomy_levels, at + 1);
		dlg_buf field = DLG_BUF_INIT;

		if (need < 0 || !level ||
		    dlg_enum_index(dlg_autonomy_levels, level) < need ||
		    !strcmp(ch->field, "autonomy"))
			return 0;
		dlg_buf_put(&field, entry, (size_t)(at - entry));
		ok = entry_allows(field.ptr, ch, before, new_doc, handle);
		dlg_buf_dispose(&field);
		return ok;
	}
	if (!strcmp(entry, "all"))
		return 1;
	if (!strncmp(entry, "status:", 7))
		return !strcmp(ch->field, "status") && ch->to &&
		       !strcmp(ch->to, entry + 7);
	if (!strcmp(entry, "feedback"))
		return adds_own_item(ch, new_doc, handle, "feedback[", "author");
	if (!strcmp(entry, "spent"))
		return adds_own_item(ch, new_doc, handle, "spent[", "by");
	normalize(&norm, ch->field);
	len = strlen(entry);
	ok = norm.size >= len && !strncmp(norm.ptr, entry, len) &&
	     (!norm.ptr[len] || norm.ptr[len] == '.');
	dlg_buf_dispose(&norm);
	return ok;
}

/* Whether one of the rule sets named holds `all`. */
static int allows_all(const dlg_node *rules, const char *const *keys,
		      size_t nkeys)
{
	size_t j, k;

	for (k = 0; k < nkeys; k++) {
		const dlg_node *l = dlg_map_get(rules, keys[k]);

		for (j = 0; l && l->kind == DLG_NODE_SEQ && j < l->count; j++)
			if (!strcmp(l->items[j]->value, "all"))
				return 1;
	}
	return 0;
}

/* The rule sets that apply to the author for a task. */
static size_t applicable(const char *keys[4], const dlg_node *author,
			 const dlg_node *task)
{
	const char *handle = dlg_map_get_str(author, "handle");
	size_t n = 0;

	keys[n++] = dlg_map_get_str(author, "role");
	if (handle && dlg_map_get_str(task, "delegator") &&
	    !strcmp(handle, dlg_map_get_str(task, "delegator")))
		keys[n++] = "delegator";
	if (handle && dlg_map_get_str(task, "assignee") &&
	    !strcmp(handle, dlg_map_get_str(task, "assignee")))
		keys[n++] = "assignee";
	keys[n++] = "everyone";
	return n;
}

static void describe(dlg_buf *b, const dlg_node *rules, const char *keys[4],
		     size_t n)
{
	size_t i, j, k = 0;

	for (i = 0; i < n; i++) {
		const dlg_node *list = dlg_map_get(rules, keys[i]);

		for (j = 0; list && list->kind == DLG_NODE_SEQ && j < list->count;
		     j++) {
			dlg_buf item = DLG_BUF_INIT, have = DLG_BUF_INIT;

			/* each entry once, though two rule sets name it */
			dlg_buf_printf(&item, ", %s,", list->items[j]->value);
			dlg_buf_printf(&have, ", %s,", b->ptr);
			if (!strstr(have.ptr, item.ptr))
				dlg_buf_printf(b, "%s%s", k++ ? ", " : "",
					       list->items[j]->value);
			dlg_buf_dispose(&item);
			dlg_buf_dispose(&have);
		}
	}
	if (!k)
		dlg_buf_puts(b, "nothing");
}

/* A change to a file that is not a task: only the roles the repository
 * rule lists may make it. */
static void judge_repository_file(dlg_violations *out, const dlg_node *rules,
				  const dlg_node *author, const char *path)
{
	const dlg_node *who = dlg_map_get(rules, "repository");
	const char *handle = dlg_map_get_str(author, "handle");
	size_t j;

	for (j = 0; who && who->kind == DLG_NODE_SEQ && j < who->count; j++)
		if (!strcmp(who->items[j]->value,
			    dlg_map_get_str(author, "role")))
			return;
	dlg_violations_add(out, path, NULL, handle, NULL, NULL,
			   "'%s' (%s) may not change %s (rule "
			   "repository: only %s)", handle,
			   dlg_map_get_str(author, "role"), path,
			   who && who->count ? who->items[0]->value
					     : "nobody");
}

/* A new task: one's own to delegate, or the right to change anything by
 * one's role. What the new file claims (its delegator, its assignee)
 * grants none. */
static void judge_new_task(dlg_violations *out, const dlg_node *rules,
			   const dlg_node *author, const char *path,
			   const char *own_key, const dlg_node *new_doc)
{
	const char *handle = dlg_map_get_str(author, "handle");
	const char *by = dlg_map_get_str(new_doc, "delegator");
	const char *own[2] = { own_key, "everyone" };

	if ((by && !strcmp(by, handle)) || allows_all(rules, own, 2))
		return;
	dlg_violations_add(out, path, NULL, handle, NULL, NULL,
			   "'%s' (%s) may not add a task delegated by '%s'",
			   handle, dlg_map_get_str(author, "role"),
			   by ? by : "nobody");
}

/* Each changed field of a task, against the rules of the author's
 * relationships to it (keys). */
static void judge_task_changes(dlg_violations *out, const dlg_node *rules,
			       const dlg_node *author, const char *path,
			       const char **keys, size_t nkeys,
			       const dlg_node *old_doc,
			       const dlg_node *new_doc)
{
	const char *handle = dlg_map_get_str(author, "handle");
	dlg_changes ch = DLG_CHANGES_INIT;
	size_t i, j, k;

	dlg_doc_diff(&ch, old_doc, new_doc);
	for (i = 0; i < ch.count; i++) {
		const dlg_change *c = &ch.items[i];
		int ok = !strcmp(c->field, "started") ||
			 !strcmp(c->field, "closed");
		dlg_buf allowed = DLG_BUF_INIT;

		for (k = 0; !ok && k < nkeys; k++) {
			const dlg_node *l = dlg_map_get(rules, keys[k]);

			for (j = 0; !ok && l && l->kind == DLG_NODE_SEQ &&
				    j < l->count; j++)
				ok = entry_allows(l->items[j]->value, c,
						  old_doc, new_doc, handle);
		}
		if (ok)
			continue;
		describe(&allowed, rules, keys, nkeys);
		dlg_violations_add(out, path, c->field, handle, c->from,
				   c->to, "'%s' (%s%s%s) may not change "
				   "'%s' (the policy allows them: %s)",
				   handle, dlg_map_get_str(author, "role"),
				   nkeys > 2 ? "; " : "",
				   nkeys > 2 ? keys[1] : "", c->field,
				   allowed.ptr);
		dlg_buf_dispose(&allowed);
	}
	dlg_changes_dispose(&ch);
}

/* A change to a task, judged by the relationships the author had to it
 * before the change (a new task: see judge_new_task). */
static void judge_task(dlg_violations *out, const dlg_node *rules,
		       const dlg_node *author, const char *path,
		       const dlg_node *old_doc, const dlg_node *new_doc)
{
	const char *handle = dlg_map_get_str(author, "handle");
	const char *keys[4];
	size_t nkeys = applicable(keys, author, old_doc ? old_doc : new_doc);

	if (!new_doc) {
		if (!allows_all(rules, keys, nkeys))
			dlg_violations_add(out, path, NULL, handle, NULL, NULL,
					   "'%s' may not delete this task",
					   handle);
	} else if (!old_doc) {
		judge_new_task(out, rules, author, path, keys[0], new_doc);
	} else {
		judge_task_changes(out, rules, author, path, keys, nkeys,
				   old_doc, new_doc);
	}
}

int dlg_policy_judge(dlg_violations *out, const dlg_node *policy,
		     const dlg_node *author, const char *email,
		     const char *path, const dlg_node *old_doc,
		     const dlg_node *new_doc)
{
	dlg_node *fallback = NULL;
	const dlg_node *rules;
	const dlg_schema *schema = dlg_schema_for_path(path);
	size_t before = out->count;

	if (!schema)
		return 0;
	if (!policy)
		policy = fallback = default_policy();
	rules = dlg_map_get(policy, "rules");
	if (!author)
		dlg_violations_add(out, path, NULL, email, NULL, NULL,
				   "unknown author '%s': nobody in team/ has "
				   "this email", email ? email : "?");
	else if (schema != &dlg_schema_task)
		judge_repository_file(out, rules, author, path);
	else
		judge_task(out, rules, author, path, old_doc, new_doc);
	dlg_node_free(fallback);
	return out->count > before ? DLG_EDENIED : 0;
}
