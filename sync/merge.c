/*
 * The field-by-field merge as git sees it: text merged by lines through
 * git_merge_file, and a merge driver registered with libgit2 so that
 * git_merge_commits runs the same merge that `delegit merge-file` gives
 * plain git.
 */
#include <git2/sys/merge.h>
#include <stdlib.h>
#include <string.h>

#include "sync_internal.h"

static int text_merge(char **out, const char *base, const char *ours,
		      const char *theirs, void *payload)
{
	git_merge_file_input in[3] = { GIT_MERGE_FILE_INPUT_INIT,
				       GIT_MERGE_FILE_INPUT_INIT,
				       GIT_MERGE_FILE_INPUT_INIT };
	git_merge_file_options o = GIT_MERGE_FILE_OPTIONS_INIT;
	git_merge_file_result r;
	int error = 0;

	(void)payload;
	memset(&r, 0, sizeof(r));
	in[0].ptr = base;
	in[0].size = strlen(base);
	in[1].ptr = ours;
	in[1].size = strlen(ours);
	in[2].ptr = theirs;
	in[2].size = strlen(theirs);
	if (git_merge_file(&r, &in[0], &in[1], &in[2], &o) < 0)
		return dlg_sync__error("cannot merge text");
	if (!r.automergeable)
		error = DLG_ECONFLICT;
	else if (!(*out = strndup(r.ptr ? r.ptr : "", r.len)))
		abort();
	git_merge_file_result_free(&r);
	return error;
}

int dlg_merge_texts_limited(dlg_buf *out, size_t *nconflicts,
			    const char *base, size_t base_len,
			    const char *ours, size_t ours_len,
			    const char *theirs, size_t theirs_len,
			    const char *latest_ours, const char *latest_theirs,
			    const char *path, dlg_diags *diags)
{
	const dlg_schema *schema = dlg_schema_for_path(path);
	dlg_merge_options o = DLG_MERGE_OPTIONS_INIT;
	dlg_node *b = NULL, *a = NULL, *t = NULL, *m = NULL;
	int error;

	if (!schema) {
		dlg_error_set("'%s' is not a delegit file", path);
		return DLG_EINVALID;
	}
	dlg_sync__init(); /* git merge-file runs us outside any repository */
	o.text_merge = text_merge;
	o.latest_a = latest_ours;
	o.latest_b = latest_theirs;
	if ((base && (error = dlg_store_parse(&b, base, base_len, path, schema,
					      diags)) < 0) ||
	    (error = dlg_store_parse(&a, ours, ours_len, path, schema,
				     diags)) < 0 ||
	    (error = dlg_store_parse(&t, theirs, theirs_len, path, schema,
				     diags)) < 0) {
		dlg_error_set("cannot merge '%s': a version does not validate",
			      path);
		goto done;
	}
	if ((error = dlg_merge_doc(&m, nconflicts, b, a, t, schema, &o)) < 0)
		goto done;
	dlg_buf_clear(out);
	error = dlg_yaml_write(out, m, schema);
done:
	dlg_node_free(b);
	dlg_node_free(a);
	dlg_node_free(t);
	dlg_node_free(m);
	return error;
}

int dlg_merge_texts(dlg_buf *out, size_t *nconflicts, const char *base,
		    size_t base_len, const char *ours, size_t ours_len,
		    const char *theirs, size_t theirs_len, const char *path,
		    dlg_diags *diags)
{
	return dlg_merge_texts_limited(out, nconflicts, base, base_len, ours,
				       ours_len, theirs, theirs_len, NULL, NULL,
				       path, diags);
}

/* How far a stamp may run ahead of its commit's time (clocks differ). */
#define STAMP_SKEW 300

void dlg_sync__stamp_limit(char out[DLG_TIME_SIZE], const git_commit *c)
{
	time_t when = (time_t)git_commit_author(c)->when.time;

	if ((time_t)git_commit_time(c) > when)
		when = (time_t)git_commit_time(c);
	dlg_time_format(out, when + STAMP_SKEW);
}

/* The commit git is merging into HEAD: `git merge` (and so `git pull`)
 * names it to its merge strategies, and so to drivers, as the one
 * GITHEAD_<id> variable of the environment. */
static int merging_commit(git_oid *out)
{
	extern char **environ;
	char **e;
	int n = 0;

	for (e = environ; *e; e++)
		if (!strncmp(*e, "GITHEAD_", 8) && strchr(*e, '=') &&
		    strchr(*e, '=') - *e == 8 + GIT_OID_HEXSZ &&
		    !git_oid_fromstrn(out, *e + 8, GIT_OID_HEXSZ))
			n++;
	return n == 1 ? 0 : -1;
}

int dlg_merge_stamp_limits(char ours[DLG_TIME_SIZE], char theirs[DLG_TIME_SIZE])
{
	git_repository *g = NULL;
	git_commit *a = NULL, *b = NULL;
	git_oid ia, ib;
	int error = DLG_ENOTFOUND;

	dlg_sync__init();
	if (!merging_commit(&ib) &&
	    !git_repository_open_ext(&g, ".", 0, NULL) &&
	    !git_reference_name_to_id(&ia, g, "HEAD") &&
	    !git_commit_lookup(&a, g, &ia) && !git_commit_lookup(&b, g, &ib)) {
		dlg_sync__stamp_limit(ours, a);
		dlg_sync__stamp_limit(theirs, b);
		error = 0;
	}
	git_error_clear();
	git_commit_free(a);
	git_commit_free(b);
	git_repository_free(g);
	return error;
}

/* The field merge of three blobs (base may be NULL: added on both sides). */
static int merge_blobs(dlg_buf *out, size_t *n, git_blob *base, git_blob *ours,
		       git_blob *theirs, const char *latest_ours,
		       const char *latest_theirs, const char *path,
		       dlg_diags *diags)
{
	return dlg_merge_texts_limited(
		out, n, base ? git_blob_rawcontent(base) : NULL,
		base ? (size_t)git_blob_rawsize(base) : 0,
		git_blob_rawcontent(ours), (size_t)git_blob_rawsize(ours),
		git_blob_rawcontent(theirs), (size_t)git_blob_rawsize(theirs),
		latest_ours, latest_theirs, path, diags);
}

/* The driver libgit2 calls, and what it reports to: libgit2 hands the
 * registered driver back to apply as `self`, so its state travels with
 * it (git_merge_driver first, as libgit2's own drivers embed theirs). */
typedef struct {
	git_merge_driver base;
	dlg_merge_report *report; /* of the git_merge_commits call under way */
	char latest[2][DLG_TIME_SIZE];	  /* the limits of the two sides' stamps */
} merge_driver;

static int driver_apply(git_merge_driver *self, const char **path_out,
			uint32_t *mode_out, git_buf *merged_out,
			const char *filter_name,
			const git_merge_driver_source *src);

static merge_driver driver = {
	{ GIT_MERGE_DRIVER_VERSION, NULL, NULL, driver_apply }, NULL, { "" }
};

void dlg_sync__merge_report(dlg_merge_report *r, const git_commit *ours,
			    const git_commit *theirs)
{
	driver.report = r;
	driver.latest[0][0] = driver.latest[1][0] = '\0';
	if (ours && theirs) {
		dlg_sync__stamp_limit(driver.latest[0], ours);
		dlg_sync__stamp_limit(driver.latest[1], theirs);
	}
}

static int blob_of(git_blob **out, git_repository *g, const git_index_entry *e)
{
	*out = NULL;
	return e ? git_blob_lookup(out, g, &e->id) : 0;
}

static int driver_apply(git_merge_driver *self, const char **path_out,
			uint32_t *mode_out, git_buf *merged_out,
			const char *filter_name,
			const git_merge_driver_source *src)
{
	const merge_driver *d = (const merge_driver *)self;
	dlg_merge_report *report = d->report;
	git_repository *g = git_merge_driver_source_repo(src);
	const git_index_entry *anc = git_merge_driver_source_ancestor(src);
	const git_index_entry *ours = git_merge_driver_source_ours(src);
	const git_index_entry *theirs = git_merge_driver_source_theirs(src);
	git_blob *bb = NULL, *bo = NULL, *bt = NULL;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_buf out = DLG_BUF_INIT;
	size_t n = 0;
	int error = GIT_EMERGECONFLICT;

	(void)filter_name;
	if (!ours || !theirs || !dlg_schema_for_path(ours->path))
		return GIT_PASSTHROUGH;
	if (blob_of(&bb, g, anc) < 0 || blob_of(&bo, g, ours) < 0 ||
	    blob_of(&bt, g, theirs) < 0)
		goto done;
	if (merge_blobs(&out, &n, bb, bo, bt,
			d->latest[0][0] ? d->latest[0] : NULL,
			d->latest[1][0] ? d->latest[1] : NULL, ours->path,
			&diags) < 0) {
		if (report)
			dlg_diags_add(&report->problems, ours->path, 0, 0, "%s",
				      dlg_error_last());
		goto done;
	}
	merged_out->size = out.size;
	merged_out->reserved = out.asize;
	merged_out->ptr = dlg_buf_detach(&out);
	*path_out = ours->path;
	*mode_out = ours->mode;
	if (report && n) {
		report->conflicts += n;
		dlg_buf_printf(&report->lines, "Conflict: %s (%zu field%s)\n",
			       ours->path, n, n == 1 ? "" : "s");
	}
	error = 0;
done:
	dlg_buf_dispose(&out);
	dlg_diags_dispose(&diags);
	git_blob_free(bb);
	git_blob_free(bo);
	git_blob_free(bt);
	return error;
}


int dlg_sync__register_driver(void)
{
	static int done;

	if (done)
		return 0;
	if (git_merge_driver_register("delegit", &driver.base) < 0)
		return dlg_sync__error("cannot register the merge driver");
	done = 1;
	return 0;
}

int dlg_sync__tree_oid(git_oid *out, git_tree *tree, const char *path)
{
	git_tree_entry *e = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	if (!tree || (error = git_tree_entry_bypath(&e, tree, path)) ==
			     GIT_ENOTFOUND)
		return 0;
	if (error < 0)
		return dlg_sync__error("cannot read a tree");
	if (git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB ||
	    git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE)
		git_oid_cpy(out, git_tree_entry_id(e));
	git_tree_entry_free(e);
	return 0;
}

int dlg_sync__merge_path(git_oid *out, git_repository *g, git_tree *base,
			 git_tree *ours, git_tree *theirs,
			 const char *latest_ours, const char *latest_theirs,
			 const char *path)
{
	git_oid b, o, t;
	git_blob *bb = NULL, *bo = NULL, *bt = NULL;
	dlg_buf text = DLG_BUF_INIT;
	dlg_diags ignore = DLG_DIAGS_INIT;
	size_t n = 0;
	int error = 0;

	if (dlg_sync__tree_oid(&b, base, path) < 0 ||
	    dlg_sync__tree_oid(&o, ours, path) < 0 ||
	    dlg_sync__tree_oid(&t, theirs, path) < 0)
		return -1;
	if (git_oid_equal(&o, &t) || git_oid_equal(&b, &t)) {
		git_oid_cpy(out, &o);
		return 0;
	}
	if (git_oid_equal(&b, &o)) {
		git_oid_cpy(out, &t);
		return 0;
	}
	if (!dlg_schema_for_path(path))
		return DLG_ECONFLICT; /* git's to merge, not ours */
	if (git_oid_is_zero(&o) || git_oid_is_zero(&t)) {
		/* deleted on one side, changed on the other: kept */
		git_oid_cpy(out, git_oid_is_zero(&o) ? &t : &o);
		return 0;
	}
	if ((!git_oid_is_zero(&b) && git_blob_lookup(&bb, g, &b) < 0) ||
	    git_blob_lookup(&bo, g, &o) < 0 || git_blob_lookup(&bt, g, &t) < 0) {
		error = dlg_sync__error("cannot read a file to merge");
		goto done;
	}
	if (merge_blobs(&text, &n, bb, bo, bt, latest_ours, latest_theirs,
			path, &ignore) < 0) {
		error = DLG_EINVALID; /* not merged: no failure to read */
		goto done;
	}
	if (git_blob_create_from_buffer(out, g, text.ptr, text.size) < 0)
		error = dlg_sync__error("cannot write a merged file");
done:
	dlg_diags_dispose(&ignore);
	dlg_buf_dispose(&text);
	git_blob_free(bb);
	git_blob_free(bo);
	git_blob_free(bt);
	return error;
}

int dlg_sync__merge_base_tree(git_tree **out, git_repository *g,
			      git_commit *a, git_commit *b)
{
	git_oid base;
	git_commit *c = NULL;
	int error = 0;

	*out = NULL;
	error = git_merge_base(&base, g, git_commit_id(a), git_commit_id(b));
	if (error == GIT_ENOTFOUND)
		return 0; /* unrelated: everything was added on both sides */
	if (error < 0)
		return dlg_sync__error("cannot find the merge base");
	if (git_commit_lookup(&c, g, &base) < 0 || git_commit_tree(out, c) < 0)
		error = dlg_sync__error("cannot read the merge base");
	git_commit_free(c);
	return error;
}

/*
 * A three-way merge of trees that goes down only where both sides changed
 * something, as a sync with few changes needs (git_merge_commits reads
 * and writes every entry of both trees into an index: at 100,000 tasks,
 * most of a sync). It takes what one side changed, merges a delegit file
 * both sides changed through the same field merge as the merge driver,
 * and reports the same conflict lines; it gives up (DLG_SYNC_FALLBACK,
 * nothing reported) on everything else — a file deleted on one side and
 * changed on the other, a file git would merge by lines, a file whose
 * merge attribute is not delegit's, modes or kinds that differ, a merge
 * that fails — which git_merge_commits then does as before. So the two
 * give the same tree whenever this one answers.
 */
typedef struct {
	git_repository *g;
	const char *latest[2];
	dlg_merge_report rep; /* its own: handed over only on success */
	dlg_buf path;
} fast_merge;

static int same_entry(const git_tree_entry *a, const git_tree_entry *b)
{
	if (!a || !b)
		return !a && !b;
	return git_tree_entry_filemode(a) == git_tree_entry_filemode(b) &&
	       git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b));
}

static int is_tree(const git_tree_entry *e)
{
	return e && git_tree_entry_filemode(e) == GIT_FILEMODE_TREE;
}

static int is_file(const git_tree_entry *e)
{
	return e && (git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB ||
		     git_tree_entry_filemode(e) == GIT_FILEMODE_BLOB_EXECUTABLE);
}

/* Both sides changed the file at m->path: the field merge, or give up. */
static int fast_file(git_oid *out, fast_merge *m, const git_tree_entry *b,
		     const git_tree_entry *o, const git_tree_entry *t)
{
	git_blob *bb = NULL, *bo = NULL, *bt = NULL;
	dlg_buf text = DLG_BUF_INIT;
	dlg_diags ignore = DLG_DIAGS_INIT;
	const char *attr = NULL;
	size_t n = 0;
	int error = DLG_SYNC_FALLBACK;

	if (!is_file(o) || !is_file(t) ||
	    git_tree_entry_filemode(o) != git_tree_entry_filemode(t) ||
	    (b && (!is_file(b) ||
		   git_tree_entry_filemode(b) != git_tree_entry_filemode(o))) ||
	    !dlg_schema_for_path(m->path.ptr) ||
	    git_attr_get(&attr, m->g, 0, m->path.ptr, "merge") < 0 ||
	    git_attr_value(attr) != GIT_ATTR_VALUE_STRING ||
	    strcmp(attr, "delegit"))
		return DLG_SYNC_FALLBACK;
	if ((b && git_blob_lookup(&bb, m->g, git_tree_entry_id(b)) < 0) ||
	    git_blob_lookup(&bo, m->g, git_tree_entry_id(o)) < 0 ||
	    git_blob_lookup(&bt, m->g, git_tree_entry_id(t)) < 0 ||
	    merge_blobs(&text, &n, bb, bo, bt, m->latest[0], m->latest[1],
			m->path.ptr, &ignore) < 0)
		goto done;
	if (git_blob_create_from_buffer(out, m->g, text.ptr, text.size) < 0) {
		error = dlg_sync__error("cannot write a merged file");
		goto done;
	}
	if (n) {
		m->rep.conflicts += n;
		dlg_buf_printf(&m->rep.lines, "Conflict: %s (%zu field%s)\n",
			       m->path.ptr, n, n == 1 ? "" : "s");
	}
	error = 0;
done:
	git_error_clear();
	dlg_error_clear();
	dlg_diags_dispose(&ignore);
	dlg_buf_dispose(&text);
	git_blob_free(bb);
	git_blob_free(bo);
	git_blob_free(bt);
	return error;
}

static int fast_tree(git_oid *out, fast_merge *m, const git_oid *base,
		     const git_oid *ours, const git_oid *theirs);

/* One name of a folder: its merged entry into bld, or give up. */
static int fast_entry(git_treebuilder *bld, fast_merge *m, const char *name,
		      const git_tree_entry *b, const git_tree_entry *o,
		      const git_tree_entry *t)
{
	size_t len = m->path.size;
	git_oid id;
	int error;

	if (same_entry(o, t) || same_entry(b, t))
		return 0; /* ours stands */
	if (same_entry(b, o)) { /* only theirs changed it */
		if ((t ? git_treebuilder_insert(NULL, bld, name,
						git_tree_entry_id(t),
						git_tree_entry_filemode(t))
		       : git_treebuilder_remove(bld, name)) < 0)
			return dlg_sync__error("cannot build a merged tree");
		return 0;
	}
	if (!o || !t)
		return DLG_SYNC_FALLBACK; /* deleted on one side, changed */
	dlg_buf_printf(&m->path, "%s%s", name, is_tree(o) ? "/" : "");
	if (is_tree(o) && is_tree(t) && (!b || is_tree(b)))
		error = fast_tree(&id, m, b ? git_tree_entry_id(b) : NULL,
				  git_tree_entry_id(o), git_tree_entry_id(t));
	else
		error = fast_file(&id, m, b, o, t);
	m->path.size = len;
	m->path.ptr[len] = '\0';
	if (error)
		return error;
	if (git_treebuilder_insert(NULL, bld, name, &id,
				   git_tree_entry_filemode(o)) < 0)
		return dlg_sync__error("cannot build a merged tree");
	return 0;
}

static int fast_tree(git_oid *out, fast_merge *m, const git_oid *base,
		     const git_oid *ours, const git_oid *theirs)
{
	git_tree *tb = NULL, *to = NULL, *tt = NULL;
	git_treebuilder *bld = NULL;
	size_t i, k;
	int error = 0;

	if (git_oid_equal(ours, theirs) || (base && git_oid_equal(base, theirs))) {
		git_oid_cpy(out, ours);
		return 0;
	}
	if (base && git_oid_equal(base, ours)) {
		git_oid_cpy(out, theirs);
		return 0;
	}
	if ((base && git_tree_lookup(&tb, m->g, base) < 0) ||
	    git_tree_lookup(&to, m->g, ours) < 0 ||
	    git_tree_lookup(&tt, m->g, theirs) < 0 ||
	    git_treebuilder_new(&bld, m->g, to) < 0) {
		error = dlg_sync__error("cannot read a tree to merge");
		goto done;
	}
	/* Every name of theirs, then the names of the base theirs dropped;
	 * a name only ours has is ours already. */
	for (k = 0; k < 2 && !error; k++) {
		git_tree *from = k ? tb : tt;
		size_t count = from ? git_tree_entrycount(from) : 0;

		for (i = 0; i < count && !error; i++) {
			const git_tree_entry *e = git_tree_entry_byindex(from, i);
			const char *name = git_tree_entry_name(e);

			if (k && git_tree_entry_byname(tt, name))
				continue; /* seen with theirs */
			error = fast_entry(bld, m, name,
					   tb ? git_tree_entry_byname(tb, name)
					      : NULL,
					   git_tree_entry_byname(to, name),
					   k ? NULL : e);
		}
	}
	if (!error && git_treebuilder_write(out, bld) < 0)
		error = dlg_sync__error("cannot write a merged tree");
done:
	git_treebuilder_free(bld);
	git_tree_free(tb);
	git_tree_free(to);
	git_tree_free(tt);
	return error;
}

int dlg_sync__merge_trees_fast(git_oid *out, git_repository *g,
			       git_commit *ours, git_commit *theirs,
			       dlg_merge_report *rep)
{
	git_oidarray bases = { NULL, 0 };
	git_commit *base = NULL;
	fast_merge m;
	char l0[DLG_TIME_SIZE], l1[DLG_TIME_SIZE];
	int error, light;

	if (git_merge_bases(&bases, g, git_commit_id(ours),
			    git_commit_id(theirs)) < 0 || bases.count != 1) {
		git_oidarray_dispose(&bases);
		git_error_clear();
		return DLG_SYNC_FALLBACK; /* none, or criss-cross: git's */
	}
	error = git_commit_lookup(&base, g, &bases.ids[0]);
	git_oidarray_dispose(&bases);
	if (error < 0)
		return dlg_sync__error("cannot read the merge base");
	memset(&m, 0, sizeof(m));
	m.g = g;
	m.path = (dlg_buf)DLG_BUF_INIT;
	m.rep.lines = (dlg_buf)DLG_BUF_INIT;
	m.rep.problems = (dlg_diags)DLG_DIAGS_INIT;
	dlg_sync__stamp_limit(l0, ours);
	dlg_sync__stamp_limit(l1, theirs);
	m.latest[0] = l0[0] ? l0 : NULL;
	m.latest[1] = l1[0] ? l1 : NULL;
	/* the merge attribute of each file both changed, without loading
	 * the index */
	light = dlg_sync__attrs_light(g);
	error = fast_tree(out, &m, git_commit_tree_id(base),
			  git_commit_tree_id(ours), git_commit_tree_id(theirs));
	dlg_sync__attrs_done(g, light);
	if (!error) {
		rep->conflicts += m.rep.conflicts;
		dlg_buf_put(&rep->lines, m.rep.lines.ptr, m.rep.lines.size);
	}
	git_commit_free(base);
	dlg_buf_dispose(&m.path);
	dlg_buf_dispose(&m.rep.lines);
	dlg_diags_dispose(&m.rep.problems);
	return error;
}
