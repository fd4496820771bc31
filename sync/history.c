/*
 * History: which commits changed which task files, and the field changes
 * each made, computed once per commit and file and kept in the events
 * cache (evcache.c), with the bytes of the plain commits, which say who
 * made them.
 */
#include <stdlib.h>
#include <string.h>

#include "sync_internal.h"

typedef struct {
	git_repository *git;
	git_odb *odb;
	dlg_trees trees;
	dlg_commit_info info;
	git_oid id;          /* the commit being reported */
	dlg_buf name, email; /* its author's, when plain_commit read it */
	git_commit *commit;  /* read only when needed (NULL: not yet) */
	dlg_history_cb cb;
	void *payload;
	dlg_evcache *cache;
	dlg_events scratch;    /* one file's events, computed */
	dlg_event_views views; /* or the cache's */
	const char *field;     /* only its changes and files' coming and
				* going (NULL: every change) */
	dlg_event_views of_field; /* those of one file */
	dlg_walkrec *rec;      /* the calls, for the walk cache (or NULL) */
	int unsure;            /* a signature was not judged: not kept */
	int stop;
	int error; /* report's, inside the tree walk */
	/* the merge commit being reported: its parents' trees, their merge
	 * base's and stamp limits, read once for all its paths */
	git_oid merge_id;
	git_tree *base, *t1, *t2;
	char l1[DLG_TIME_SIZE], l2[DLG_TIME_SIZE];
} walk;

static void merge_sides_dispose(walk *w)
{
	git_tree_free(w->base);
	git_tree_free(w->t1);
	git_tree_free(w->t2);
	w->base = w->t1 = w->t2 = NULL;
	memset(&w->merge_id, 0, sizeof(w->merge_id));
}

static int merge_sides(walk *w)
{
	git_commit *p1 = NULL, *p2 = NULL;
	int error = 0;

	if (w->t1 && git_oid_equal(&w->merge_id, git_commit_id(w->commit)))
		return 0;
	merge_sides_dispose(w);
	if (git_commit_parent(&p1, w->commit, 0) < 0 ||
	    git_commit_parent(&p2, w->commit, 1) < 0 ||
	    git_commit_tree(&w->t1, p1) < 0 || git_commit_tree(&w->t2, p2) < 0 ||
	    dlg_sync__merge_base_tree(&w->base, w->git, p1, p2) < 0) {
		merge_sides_dispose(w);
		error = dlg_sync__error("cannot read a merge from history");
	} else {
		dlg_sync__stamp_limit(w->l1, p1);
		dlg_sync__stamp_limit(w->l2, p2);
		git_oid_cpy(&w->merge_id, git_commit_id(w->commit));
	}
	git_commit_free(p1);
	git_commit_free(p2);
	return error;
}

static int blob_data(git_blob **out, git_repository *g, const git_oid *id)
{
	if (git_oid_is_zero(id)) {
		*out = NULL;
		return 0;
	}
	return git_blob_lookup(out, g, id);
}

/* Hand one file's events to the callback: with a field, only its
 * changes and the file's coming and going ("id"), and no file that has
 * none of them. */
static void emit(walk *w, const char *path, const dlg_event *ev, size_t n)
{
	size_t i;

	if (w->field) {
		dlg_event_views *v = &w->of_field;

		v->count = 0;
		for (i = 0; i < n; i++) {
			if (strcmp(ev[i].field, w->field) &&
			    strcmp(ev[i].field, "id"))
				continue;
			if (v->count == v->alloc) {
				v->alloc = v->alloc * 2 + 8;
				v->items = realloc(v->items,
						   v->alloc * sizeof(*v->items));
				if (!v->items)
					abort();
			}
			v->items[v->count++] = ev[i];
		}
		if (!v->count)
			return;
		ev = v->items;
		n = v->count;
	}
	if (w->rec)
		dlg_sync__walkrec_add(w->rec, &w->info, path, ev, n);
	if (w->cb(&w->info, path, ev, n, w->payload))
		w->stop = 1;
}

/* The events between two versions of a file, kept, then handed on. */
static int report_texts(walk *w, const char *path, const char *a, size_t alen,
			const char *b, size_t blen)
{
	dlg_events_of_versions(&w->scratch, path, a, alen, b, blen);
	dlg_sync__evcache_put(w->cache, git_commit_id(w->commit), path,
			      &w->scratch);
	emit(w, path, w->scratch.items, w->scratch.count);
	dlg_events_dispose(&w->scratch);
	return 0;
}

/*
 * What a merge commit did itself to a file, so that every change is
 * credited to the commit that made it, never to whoever merged it: what
 * its version holds beyond the field merge of its parents' versions, and
 * the conflict records it added (the conflicts it decided). Reported as
 * a change from that field merge, with the conflicts its parents held.
 * A version one parent held whole is no change of the merge's.
 * Long: the parents' blobs read, their field merge computed and the
 * difference reported in one place, each step holding the last's blobs.
 */
static int report_merge(walk *w, const char *path, const git_oid *old_id,
			const git_oid *new_id)
{
	git_blob *e = NULL, *o = NULL, *n = NULL, *other = NULL;
	dlg_node *exp = NULL, *first = NULL, *second = NULL;
	dlg_buf text = DLG_BUF_INIT;
	dlg_diags ignore = DLG_DIAGS_INIT;
	const dlg_schema *schema = dlg_schema_for_path(path);
	git_oid exp_id;
	int error = 0;

	if ((error = merge_sides(w)) < 0)
		return error;
	if (blob_data(&o, w->git, old_id) < 0 || blob_data(&n, w->git, new_id) < 0) {
		error = dlg_sync__error("cannot read a merge from history");
		goto done;
	}
	dlg_sync__tree_oid(&exp_id, w->t2, path);
	if (git_oid_equal(&exp_id, new_id)) {
		/* the second parent's version, whole: no change of its own */
		dlg_sync__evcache_put(w->cache, git_commit_id(w->commit), path,
				      &w->scratch);
		goto done;
	}
	if (!git_oid_is_zero(&exp_id) &&
	    git_blob_lookup(&other, w->git, &exp_id) < 0) {
		error = dlg_sync__error("cannot read a merge from history");
		goto done;
	}
	if (!schema || dlg_sync__merge_path(&exp_id, w->git, w->base, w->t1,
					    w->t2, w->l1, w->l2, path) < 0) {
		/* not merged field by field: all of it is the merger's */
		error = report_texts(w, path,
				     o ? git_blob_rawcontent(o) : NULL,
				     o ? (size_t)git_blob_rawsize(o) : 0,
				     n ? git_blob_rawcontent(n) : NULL,
				     n ? (size_t)git_blob_rawsize(n) : 0);
		goto done;
	}
	if (blob_data(&e, w->git, &exp_id) < 0) {
		error = dlg_sync__error("cannot read a merged file");
		goto done;
	}
	if (e)
		dlg_store_parse(&exp, git_blob_rawcontent(e),
				(size_t)git_blob_rawsize(e), path, schema,
				&ignore);
	if (o)
		dlg_store_parse(&first, git_blob_rawcontent(o),
				(size_t)git_blob_rawsize(o), path, schema,
				&ignore);
	if (other)
		dlg_store_parse(&second, git_blob_rawcontent(other),
				(size_t)git_blob_rawsize(other), path, schema,
				&ignore);
	if (exp) {
		const dlg_node *c1 = dlg_map_get(first, "conflicts");
		const dlg_node *c2 = dlg_map_get(second, "conflicts");
		dlg_node *held = c1 ? dlg_node_dup(c1) : dlg_node_new_seq();
		size_t i;

		for (i = 0; c2 && c2->kind == DLG_NODE_SEQ && i < c2->count; i++)
			if (!dlg_seq_find_id(held, dlg_map_get_str(c2->items[i],
								   "id")))
				dlg_seq_push(held, dlg_node_dup(c2->items[i]));
		if (held->count) {
			dlg_map_set(exp, "conflicts", held);
		} else {
			dlg_map_remove(exp, "conflicts");
			dlg_node_free(held);
		}
		if ((error = dlg_yaml_write(&text, exp, schema)) < 0)
			goto done;
	}
	error = report_texts(w, path, exp ? text.ptr : NULL, text.size,
			     n ? git_blob_rawcontent(n) : NULL,
			     n ? (size_t)git_blob_rawsize(n) : 0);
done:
	dlg_node_free(exp);
	dlg_node_free(first);
	dlg_node_free(second);
	dlg_buf_dispose(&text);
	dlg_diags_dispose(&ignore);
	git_blob_free(e);
	git_blob_free(o);
	git_blob_free(n);
	git_blob_free(other);
	return error;
}

static int report(walk *w, const char *path, const git_oid *old_id,
		  const git_oid *new_id)
{
	git_blob *a = NULL, *b = NULL;
	int error = 0;

	if (git_commit_parentcount(w->commit) == 2)
		return report_merge(w, path, old_id, new_id);
	if (blob_data(&a, w->git, old_id) < 0 ||
	    blob_data(&b, w->git, new_id) < 0) {
		error = dlg_sync__error("cannot read file from history");
		goto done;
	}
	error = report_texts(w, path, a ? git_blob_rawcontent(a) : NULL,
			     a ? (size_t)git_blob_rawsize(a) : 0,
			     b ? git_blob_rawcontent(b) : NULL,
			     b ? (size_t)git_blob_rawsize(b) : 0);
done:
	git_blob_free(a);
	git_blob_free(b);
	return error;
}

/*
 * The paths a history query asks for: files, sorted for a search by name,
 * and folders (ending in '/', or "" for everything), matched by prefix. A
 * commit names one path or a few, so a query for the hundreds of files of
 * an agenda costs a search per path a commit changed, not a comparison
 * with each file asked for.
 */
void dlg_sync__paths_make(dlg_sync_paths *w, const char *const *paths,
			  size_t n)
{
	size_t i;

	memset(w, 0, sizeof(*w));
	w->files = calloc(n + 1, sizeof(*w->files));
	w->folders = calloc(n + 1, sizeof(*w->folders));
	w->folder_len = calloc(n + 1, sizeof(*w->folder_len));
	if (!w->files || !w->folders || !w->folder_len)
		abort();
	for (i = 0; i < n; i++) {
		size_t len = strlen(paths[i]);

		if (!len || paths[i][len - 1] == '/') {
			w->folder_len[w->nfolders] = len;
			w->folders[w->nfolders++] = paths[i];
		} else {
			w->files[w->nfiles++] = paths[i];
		}
	}
	qsort(w->files, w->nfiles, sizeof(*w->files), dlg_strp_cmp);
}

int dlg_sync__paths_has(const dlg_sync_paths *w, const char *file)
{
	size_t k;

	if (w->nfiles && bsearch(&file, w->files, w->nfiles,
				 sizeof(*w->files), dlg_strp_cmp))
		return 1;
	for (k = 0; k < w->nfolders; k++)
		if (!strncmp(file, w->folders[k], w->folder_len[k]))
			return 1;
	return 0;
}

void dlg_sync__paths_dispose(dlg_sync_paths *w)
{
	free(w->files);
	free(w->folders);
	free(w->folder_len);
}

typedef struct {
	walk *w;
	const dlg_sync_paths *paths;
} wanted_walk;

/* A file the commit changed; stops the walk on an error or when told to.
 * A change of mode alone is no change of the task. */
static int report_change(const char *path, const git_tree_entry *a,
			 const git_tree_entry *b, void *payload)
{
	wanted_walk *ww = payload;
	walk *w = ww->w;
	git_oid zero;

	if (!dlg_sync__paths_has(ww->paths, path))
		return 0;
	if (dlg_sync__evcache_get(w->cache, git_commit_id(w->commit), path,
				  &w->views)) {
		emit(w, path, w->views.items, w->views.count);
		return w->stop;
	}
	if (a && b && git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b))) {
		/* no change of the task: kept as such, so that the next
		 * walk needs no comparison of this commit */
		dlg_sync__evcache_put(w->cache, git_commit_id(w->commit), path,
				      &w->scratch);
		return 0;
	}
	memset(&zero, 0, sizeof(zero));
	w->error = report(w, path, a ? git_tree_entry_id(a) : &zero,
			  b ? git_tree_entry_id(b) : &zero);
	return w->error < 0 || w->stop;
}

/* The changes of w->commit to the paths asked for, when the events cache
 * has each of them: 1 (reported), or 0 (some are not: nothing reported). */
static int from_cache(walk *w, dlg_hindex *x, const dlg_sync_paths *paths)
{
	const git_oid *id = &w->id;
	uint32_t n, i;
	const char *all = dlg_sync__hindex_paths(x, id, &n), *p;

	if (!all)
		return 0;
	for (i = 0, p = all; i < n; i++, p += strlen(p) + 1)
		if (dlg_sync__paths_has(paths, p) &&
		    !dlg_sync__evcache_get(w->cache, id, p, NULL))
			return 0;
	for (i = 0, p = all; !w->stop && i < n; i++, p += strlen(p) + 1)
		if (dlg_sync__paths_has(paths, p) &&
		    dlg_sync__evcache_get(w->cache, id, p, &w->views) &&
		    w->views.count)
			emit(w, p, w->views.items, w->views.count);
	return 1;
}

/* The changes of w->commit to the paths asked for: from the events cache,
 * or one comparison with its first parent, going down only where the
 * trees differ. */
static int one_commit(walk *w, dlg_hindex *x, const dlg_sync_paths *paths)
{
	git_commit *parent = NULL;
	wanted_walk ww = { w, paths };
	int error;

	if (from_cache(w, x, paths))
		return 0;
	if (!w->commit && git_commit_lookup(&w->commit, w->git, &w->id) < 0)
		return dlg_sync__error("cannot read a commit");
	if (git_commit_parentcount(w->commit) > 0 &&
	    git_commit_parent(&parent, w->commit, 0) < 0)
		return dlg_sync__error("cannot read a parent commit");
	w->error = 0;
	if (dlg_sync__tree_changes(&w->trees,
				   parent ? git_commit_tree_id(parent) : NULL,
				   git_commit_tree_id(w->commit),
				   report_change, &ww) < 0)
		error = dlg_sync__error("cannot compare commits");
	else
		error = w->error;
	git_commit_free(parent);
	return error;
}

/* One line of a commit's header: "<field> " then the rest, up to the
 * newline; NULL when the line is not that. */
static const char *header_line(const char **rest, const char *p,
			       const char *end, const char *field)
{
	size_t len = strlen(field);
	const char *nl;

	if ((size_t)(end - p) <= len || memcmp(p, field, len) ||
	    p[len] != ' ' || !(nl = memchr(p, '\n', (size_t)(end - p))))
		return NULL;
	*rest = nl;
	return p + len + 1;
}

static int is_id_line(const char *s, const char *nl)
{
	return nl - s == 40 && strspn(s, "0123456789abcdef") >= 40;
}

/* libgit2's whitespace, which it trims from a name and an email */
static int is_space(char ch)
{
	return ch && strchr(" \t\n\v\f\r", ch);
}

static int trimmed(const char *s, const char *end)
{
	return s == end || (!is_space(*s) && !is_space(end[-1]));
}

/*
 * "Name <email> seconds +hhmm", as git writes it: one '<' and one '>',
 * nothing libgit2 would trim, a plain number of seconds. Its name, email
 * and time into the walk's (keep); 0 when it is anything else.
 */
static int person(walk *w, const char *s, const char *nl, int keep)
{
	const char *lt = memchr(s, '<', (size_t)(nl - s));
	const char *gt = memchr(s, '>', (size_t)(nl - s));
	const char *t;
	time_t when = 0;

	if (!lt || !gt || gt < lt || lt == s || lt[-1] != ' ' ||
	    memchr(lt + 1, '<', (size_t)(nl - lt - 1)) ||
	    memchr(gt + 1, '>', (size_t)(nl - gt - 1)) ||
	    !trimmed(s, lt - 1) || !trimmed(lt + 1, gt) || gt[1] != ' ')
		return 0;
	for (t = gt + 2; t < nl && t - gt < 17 && *t >= '0' && *t <= '9'; t++)
		when = when * 10 + (*t - '0');
	if (t == gt + 2 || (t < nl && *t != ' '))
		return 0; /* (what follows, the time zone, libgit2 reads or
			   * takes as zero, and the walk does not use) */
	if (keep) {
		dlg_buf_clear(&w->name);
		dlg_buf_put(&w->name, s, (size_t)(lt - 1 - s));
		dlg_buf_clear(&w->email);
		dlg_buf_put(&w->email, lt + 1, (size_t)(gt - lt - 1));
		w->info.author_name = w->name.ptr;
		w->info.author_email = w->email.ptr;
		w->info.when = when;
	}
	return 1;
}

/*
 * A plain commit: the header lines git writes for an unsigned commit
 * (tree, parents, author, committer), each as git writes it, and no
 * other. Its author and time into w->info; 0 for anything else — signed
 * (a gpgsig line), another header line, a shape libgit2 might read
 * otherwise — which the walk then reads through libgit2 as before.
 */
static int plain_commit(walk *w, const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len, *s, *nl;

	if (memchr(raw, '\0', len))
		return 0;
	if (!(s = header_line(&nl, p, end, "tree")) || !is_id_line(s, nl))
		return 0;
	for (p = nl + 1; (s = header_line(&nl, p, end, "parent")); p = nl + 1)
		if (!is_id_line(s, nl))
			return 0;
	if (!(s = header_line(&nl, p, end, "author")) ||
	    !person(w, s, nl, 1))
		return 0;
	p = nl + 1;
	if (!(s = header_line(&nl, p, end, "committer")) ||
	    !person(w, s, nl, 0))
		return 0;
	p = nl + 1;
	return p == end || *p == '\n';
}

/*
 * Who made w->id and when, from the commit's bytes: the events cache's
 * (which hand out only bytes that hash to the id), else read and kept
 * there. 1 for a plain commit, which has no signature to judge; 0 for
 * any other, which the caller reads through libgit2.
 */
static int commit_facts(walk *w)
{
	git_odb_object *o = NULL;
	const char *raw;
	size_t len;
	int plain;

	if (dlg_sync__evcache_commit(w->cache, &w->id, &raw, &len))
		return plain_commit(w, raw, len);
	if (!w->odb || git_odb_read(&o, w->odb, &w->id) < 0) {
		git_error_clear();
		return 0;
	}
	raw = git_odb_object_data(o);
	len = git_odb_object_size(o);
	plain = git_odb_object_type(o) == GIT_OBJECT_COMMIT &&
		plain_commit(w, raw, len);
	if (plain)
		dlg_sync__evcache_put_commit(w->cache, &w->id, raw, len);
	git_odb_object_free(o);
	return plain;
}

/* w->id's changes to the paths asked for, if it is as recent as since
 * (0: any): who made them (a plain commit, unsigned, from its bytes;
 * any other through libgit2, its signature judged against rules), then
 * one_commit. */
static int walk_commit(walk *w, dlg_rules *rules, dlg_hindex *x,
		       const dlg_sync_paths *paths, time_t since)
{
	const git_signature *a;
	dlg_sync_signature sig;
	git_commit *parent = NULL;
	int error;

	git_oid_tostr(w->info.id, sizeof(w->info.id), &w->id);
	w->info.signer = NULL;
	w->info.key = NULL;
	if (commit_facts(w))
		return since && w->info.when < since
			       ? 0
			       : one_commit(w, x, paths);
	if (git_commit_lookup(&w->commit, w->git, &w->id) < 0)
		return dlg_sync__error("cannot read a commit");
	a = git_commit_author(w->commit);
	w->info.author_name = a->name;
	w->info.author_email = a->email;
	w->info.when = (time_t)a->when.time;
	if (since && w->info.when < since)
		return 0;
	/* a parent or a signature that could not be read reads as not
	 * verified this once, and the walk is not kept: no verdict that
	 * was not reached is replayed */
	if (git_commit_parentcount(w->commit) &&
	    git_commit_parent(&parent, w->commit, 0) < 0) {
		git_error_clear();
		w->unsure = 1;
	}
	dlg_sync__check_signature(&sig, rules, w->git, w->commit, parent);
	if (sig.error < 0)
		w->unsure = 1;
	w->info.signer = sig.signer ? dlg_map_get_str(sig.signer, "handle")
				    : NULL;
	w->info.key = sig.signer ? sig.key.ptr : NULL;
	error = one_commit(w, x, paths);
	dlg_sync__signature_dispose(&sig);
	git_commit_free(parent);
	return error;
}

int dlg_repo_history(dlg_repo *r, const char *path, time_t since,
		     dlg_history_cb cb, void *payload)
{
	const char *one = path ? path : "";

	return dlg_repo_history_paths(r, &one, 1, since, cb, payload);
}

int dlg_repo_history_paths(dlg_repo *r, const char *const *paths,
			   size_t npaths, time_t since, dlg_history_cb cb,
			   void *payload)
{
	return dlg_repo_history_field(r, paths, npaths, since, NULL, cb,
				      payload);
}

/* The walk cache's question (walkcache.c): a whole history (since 0) of
 * whole folders, for one field; 0 for any other (not kept). */
static int walk_query(dlg_buf *out, const char *const *paths, size_t n,
		      time_t since, const char *field)
{
	size_t i;

	if (since || !field || !n)
		return 0;
	for (i = 0; i < n; i++)
		if (!*paths[i] || paths[i][strlen(paths[i]) - 1] != '/')
			return 0;
	dlg_buf_put(out, field, strlen(field) + 1);
	for (i = 0; i < n; i++)
		dlg_buf_put(out, paths[i], strlen(paths[i]) + 1);
	return 1;
}

/* The id and mode of a root tree's entry name (zero: none). */
static void entry_id(git_oid *out, git_filemode_t *mode, const git_tree *tree,
		     const char *name)
{
	const git_tree_entry *e = git_tree_entry_byname(tree, name);

	memset(out, 0, sizeof(*out));
	*mode = 0;
	if (e) {
		git_oid_cpy(out, git_tree_entry_id(e));
		*mode = git_tree_entry_filemode(e);
	}
}

/* Whether the walk at b judges signatures as the walk at a did: the rules
 * come from team/ and .delegit/ (sync/policy.c, rules_from_tree), so the
 * same entries of both — ids and modes: the same id as a link to a
 * submodule is no team — are the same rules. 0 when either cannot be
 * read. */
static int same_rules(git_repository *g, const git_oid *a, const git_oid *b)
{
	static const char *const names[] = { "team", ".delegit" };
	git_commit *ca = NULL, *cb = NULL;
	git_tree *ta = NULL, *tb = NULL;
	git_oid ea, eb;
	git_filemode_t ma, mb;
	int same = 0;
	size_t i;

	if (git_commit_lookup(&ca, g, a) == 0 &&
	    git_commit_lookup(&cb, g, b) == 0 &&
	    git_commit_tree(&ta, ca) == 0 && git_commit_tree(&tb, cb) == 0)
		for (same = 1, i = 0; i < 2; i++) {
			entry_id(&ea, &ma, ta, names[i]);
			entry_id(&eb, &mb, tb, names[i]);
			same &= git_oid_equal(&ea, &eb) && ma == mb;
		}
	git_error_clear();
	git_tree_free(ta);
	git_tree_free(tb);
	git_commit_free(ca);
	git_commit_free(cb);
	return same;
}

/*
 * How many of the walk's first commits (ids, n of them) are new to the
 * walk kept at another HEAD: the commits after them must be the kept
 * walk's, exactly and in its order (their digest), and the rules that
 * judge signatures the same at both HEADs. Then the walk is those
 * commits' calls and the kept ones after them, as a whole walk would make
 * them (a commit's calls depend on the commit, its parents and the
 * rules). n (all new: no use of the kept walk) otherwise.
 */
static size_t new_commits(const dlg_walkkept *k, git_repository *g,
			  const git_oid *head, const git_oid *ids, size_t n)
{
	git_oid digest;

	if (!k->map || k->count > n || git_oid_equal(&k->head, head) ||
	    !same_rules(g, &k->head, head))
		return n;
	dlg_sync__walk_digest(&digest, ids + (n - k->count), (size_t)k->count);
	return git_oid_equal(&digest, &k->digest) ? n - (size_t)k->count : n;
}

int dlg_repo_history_field(dlg_repo *r, const char *const *paths,
			   size_t npaths, time_t since, const char *field,
			   dlg_history_cb cb, void *payload)
{
	dlg_buf query = DLG_BUF_INIT;
	dlg_walkrec rec = { DLG_BUF_INIT, "" };
	dlg_walkkept kept;
	dlg_hindex *x = NULL;
	dlg_rules *rules = NULL;
	git_oid head, digest, *ids = NULL;
	size_t n = 0, fresh = 0, i;
	dlg_sync_paths wanted;
	walk w;
	int error = 0;

	memset(&w, 0, sizeof(w));
	memset(&kept, 0, sizeof(kept));
	w.name = (dlg_buf)DLG_BUF_INIT;
	w.email = (dlg_buf)DLG_BUF_INIT;
	w.git = r->git;
	w.trees.git = r->git;
	w.cb = cb;
	w.payload = payload;
	w.field = field;
	if (!dlg_repo_has_commits(r))
		return 0;
	if (git_reference_name_to_id(&head, r->git, "HEAD") < 0)
		return dlg_sync__error("cannot read HEAD");
	if (walk_query(&query, paths, npaths, since, field)) {
		/* kept at this HEAD: the calls again, nothing walked */
		if (dlg_sync__walkcache_kept(&kept, r, &query) &&
		    git_oid_equal(&kept.head, &head)) {
			dlg_sync__walkcache_calls(&kept, cb, payload);
			dlg_sync__walkkept_dispose(&kept);
			dlg_buf_dispose(&query);
			return 0;
		}
		w.rec = &rec;
	}
	dlg_sync__paths_make(&wanted, paths, npaths);
	dlg_sync__evcache_open(&w.cache, r);
	if (git_repository_odb(&w.odb, r->git) < 0)
		git_error_clear(); /* every commit through libgit2, then */
	/* Only the commits that changed path: the index knows which. */
	if ((error = dlg_sync__hindex_open(&x, r, &head)) < 0 ||
	    (error = dlg_sync__hindex_commits(&ids, &n, x, &head,
					      &wanted)) < 0 ||
	    (error = dlg_sync__trusted_rules(&rules, r, &head)) < 0)
		goto done;
	/* kept at an earlier HEAD: only the commits it does not have */
	fresh = new_commits(&kept, r->git, &head, ids, n);
	dlg_sync__cache_objects(0);
	for (i = 0; i < fresh && !w.stop; i++) {
		git_oid_cpy(&w.id, &ids[i]);
		error = walk_commit(&w, rules, x, &wanted, since);
		git_commit_free(w.commit);
		w.commit = NULL;
		if (error < 0)
			break;
		if (!((i + 1) % 1024) || (i + 1 == fresh && fresh >= 1024))
			dlg_sync__progress(r, DLG_PROGRESS_HISTORY, i + 1,
					   fresh);
	}
	dlg_sync__cache_objects(1);
	if (!error && !w.stop && fresh < n) {
		dlg_buf_put(&rec.body, kept.calls, kept.len);
		w.stop = dlg_sync__walkcache_calls(&kept, cb, payload);
	}
done:
	if (!error)
		dlg_sync__evcache_save(w.cache);
	if (!error && !w.stop && !w.unsure && w.rec) {
		dlg_sync__walk_digest(&digest, ids, n);
		dlg_sync__walkcache_save(r, &head, &query, w.rec, n, &digest);
	}
	dlg_sync__walkkept_dispose(&kept);
	dlg_sync__walkrec_dispose(&rec);
	dlg_buf_dispose(&query);
	free(w.of_field.items);
	dlg_sync__evcache_free(w.cache);
	git_odb_free(w.odb);
	dlg_buf_dispose(&w.name);
	dlg_buf_dispose(&w.email);
	dlg_events_dispose(&w.scratch);
	free(w.views.items);
	free(ids);
	dlg_sync__rules_free(rules);
	merge_sides_dispose(&w);
	dlg_sync__trees_dispose(&w.trees);
	dlg_sync__hindex_free(x);
	dlg_sync__paths_dispose(&wanted);
	return error;
}
