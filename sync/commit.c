/* Commits that touch only the files they change, and file reads at HEAD. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sshsig.h"
#include "sync_internal.h"

static int head_commit(git_commit **out, dlg_repo *r)
{
	git_oid oid;
	int error;

	*out = NULL;
	error = git_reference_name_to_id(&oid, r->git, "HEAD");
	if (error == GIT_ENOTFOUND || error == GIT_EUNBORNBRANCH)
		return 0;
	if (error < 0 || git_commit_lookup(out, r->git, &oid) < 0)
		return dlg_sync__error("cannot read HEAD");
	return 0;
}

/* git's signing settings: 1 with *program (may be NULL) and *key when
 * commits are to be signed (commit.gpgsign), 0 when not. */
static int signing(char **program, char **key, git_repository *g)
{
	git_config *cfg = NULL;
	git_buf b = GIT_BUF_INIT;
	int sign = 0, error = 0;

	*program = *key = NULL;
	if (git_repository_config_snapshot(&cfg, g) < 0)
		return dlg_sync__error("cannot read git configuration");
	if (git_config_get_bool(&sign, cfg, "commit.gpgsign") < 0 || !sign) {
		sign = 0;
		goto done;
	}
	if (git_config_get_string_buf(&b, cfg, "gpg.format") < 0 ||
	    strcmp(b.ptr, "ssh")) {
		dlg_error_set("commit.gpgsign is set, but gpg.format is '%s': "
			      "delegit signs with SSH keys only (git config "
			      "gpg.format ssh)", b.size ? b.ptr : "openpgp");
		error = DLG_EINVALID;
		goto done;
	}
	git_buf_dispose(&b);
	if (git_config_get_string_buf(&b, cfg, "user.signingkey") < 0 ||
	    !b.size) {
		dlg_error_set("commit.gpgsign is set, but user.signingkey is "
			      "not: name your SSH key (git config "
			      "user.signingkey ~/.ssh/id_ed25519.pub)");
		error = DLG_EINVALID;
		goto done;
	}
	*key = dlg_strdup(b.ptr);
	git_buf_dispose(&b);
	if (!git_config_get_string_buf(&b, cfg, "gpg.ssh.program") && b.size)
		*program = dlg_strdup(b.ptr);
done:
	git_buf_dispose(&b);
	git_config_free(cfg);
	return error < 0 ? error : sign;
}

int dlg_sync__commit_create(git_oid *out, git_repository *g,
			    const char *update_ref, const git_signature *author,
			    const git_signature *committer, const char *message,
			    const git_tree *tree, size_t nparents,
			    const git_commit **parents)
{
	git_buf content = GIT_BUF_INIT;
	git_reference *ref = NULL, *head = NULL, *moved = NULL;
	dlg_buf sig = DLG_BUF_INIT, log = DLG_BUF_INIT;
	char *program = NULL, *key = NULL;
	int error;

	if ((error = signing(&program, &key, g)) <= 0) {
		if (!error && git_commit_create(out, g, update_ref, author,
						committer, NULL, message, tree,
						nparents, parents) < 0)
			error = dlg_sync__error("cannot commit");
		goto done;
	}
	error = 0;
	if (git_commit_create_buffer(&content, g, author, committer, NULL,
				     message, tree, nparents, parents) < 0) {
		error = dlg_sync__error("cannot commit");
		goto done;
	}
	if ((error = dlg_sshsig_sign(&sig, program, key, "git", content.ptr,
				     content.size)) < 0) {
		dlg_buf msg = DLG_BUF_INIT;

		dlg_buf_printf(&msg, "cannot sign the commit with '%s': %s", key,
			       dlg_error_last());
		dlg_error_set("%s", msg.ptr);
		dlg_buf_dispose(&msg);
		goto done;
	}
	/* git's header holds the armor without its last newline (libgit2
	 * would write it as a line holding one space) */
	while (sig.size && sig.ptr[sig.size - 1] == '\n')
		sig.ptr[--sig.size] = '\0';
	if (git_commit_create_with_signature(out, g, content.ptr, sig.ptr,
					     NULL) < 0) {
		error = dlg_sync__error("cannot commit");
		goto done;
	}
	if (!update_ref)
		goto done;
	/* What git_commit_create does with update_ref: move the branch (or
	 * create it) only from the first parent, with a reflog entry. */
	dlg_buf_printf(&log, "commit%s: ", nparents ? "" : " (initial)");
	dlg_buf_put(&log, message, strcspn(message, "\n"));
	if (git_reference_lookup(&head, g, update_ref) < 0 ||
	    git_reference_resolve(&ref, head) < 0) {
		/* an unborn branch: create it */
		const char *name = head && git_reference_type(head) ==
						   GIT_REFERENCE_SYMBOLIC
					   ? git_reference_symbolic_target(head)
					   : update_ref;

		if (nparents ||
		    git_reference_create(&moved, g, name, out, 0, log.ptr) < 0)
			error = dlg_sync__error("cannot move the branch");
	} else if (!nparents) {
		/* made meanwhile (while signing): kept, as git_commit_create
		 * keeps it (NULL as the expected target would overwrite it) */
		git_error_set_str(GIT_ERROR_REFERENCE,
				  "the branch was created meanwhile");
		error = dlg_sync__error("cannot move the branch");
	} else if (git_reference_create_matching(
			   &moved, g, git_reference_name(ref), out, 1,
			   git_commit_id(parents[0]), log.ptr) < 0) {
		error = dlg_sync__error("cannot move the branch");
	}
done:
	git_reference_free(moved);
	git_reference_free(ref);
	git_reference_free(head);
	git_buf_dispose(&content);
	dlg_buf_dispose(&sig);
	dlg_buf_dispose(&log);
	free(program);
	free(key);
	return error;
}

/*
 * Take back the commit just made on HEAD's branch (its index could not be
 * written): the branch back at parent (NULL: removed, an unborn branch
 * again), if it still points at made. Then "nothing was committed" holds
 * and the work tree its caller puts back agrees with HEAD.
 */
static void uncommit(git_repository *g, const git_oid *made,
		     const git_commit *parent)
{
	git_reference *head = NULL, *ref = NULL, *moved = NULL;
	const git_error *e = git_error_last();
	dlg_buf keep = DLG_BUF_INIT;

	/* the index's failure is the reason told: keep it */
	dlg_buf_puts(&keep, e && e->message ? e->message : "");
	if (git_reference_lookup(&head, g, "HEAD") < 0 ||
	    git_reference_resolve(&ref, head) < 0 ||
	    !git_oid_equal(git_reference_target(ref), made))
		goto done;
	if (parent)
		git_reference_create_matching(&moved, g, git_reference_name(ref),
					      git_commit_id(parent), 1, made,
					      "delegit: commit taken back (the "
					      "index could not be written)");
	else
		git_reference_delete(ref);
done:
	if (keep.size)
		git_error_set_str(GIT_ERROR_OS, keep.ptr);
	else
		git_error_clear();
	git_reference_free(moved);
	git_reference_free(ref);
	git_reference_free(head);
	dlg_buf_dispose(&keep);
}

/*
 * git's index lock, taken as O_EXCL would (it fails with EEXIST while a
 * git process holds it) but recorded before it exists: a file of our own
 * is made, its inode recorded (dlg_sync__held), then linked to
 * index.lock, then its own name removed. Killed at any step, the records
 * name our file or our lock by inode, never a lock of another process.
 * Where the file system has no hard links, O_EXCL and a record after it.
 * The lock's descriptor, or -1 with errno set.
 */
static int take_index_lock(dlg_repo *r, const char *lock)
{
	dlg_buf mine = DLG_BUF_INIT;
	int fd, err;

	dlg_buf_printf(&mine, "%s.delegit-%ld", lock, (long)getpid());
	unlink(mine.ptr); /* one a killed process of the same pid left */
	fd = open(mine.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		/* git could not make its lock there either */
		err = errno;
		dlg_buf_dispose(&mine);
		errno = err;
		return -1;
	}
	dlg_sync__held(r, mine.ptr, fd);
	dlg_sync__held(r, lock, fd);
	dlg_sync__fault("commit-before-lock");
	if (link(mine.ptr, lock) == 0) {
		unlink(mine.ptr);
		dlg_buf_dispose(&mine);
		return fd;
	}
	err = errno;
	close(fd);
	unlink(mine.ptr);
	dlg_buf_dispose(&mine);
	if (err != EPERM && err != ENOTSUP && err != EOPNOTSUPP &&
	    err != EMLINK) {
		errno = err;
		return -1;
	}
	if ((fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		       0666)) >= 0)
		dlg_sync__held(r, lock, fd);
	return fd;
}

/* The same through libgit2, for an index dlg_sync__index_update leaves. */
static int index_update_slow(dlg_repo *r, const dlg_commit_file *files,
			     size_t nfiles)
{
	git_index *index = NULL;
	size_t i;
	int error = -1;

	if (git_repository_index(&index, r->git) < 0 ||
	    git_index_read(index, 0) < 0) {
		dlg_sync__error("cannot read the index");
		goto done;
	}
	for (i = 0; i < nfiles; i++) {
		int e = files[i].data ? git_index_add_bypath(index, files[i].path)
				      : git_index_remove_bypath(index,
								files[i].path);
		if (e < 0) {
			dlg_sync__error("cannot update the index");
			goto done;
		}
	}
	if (git_index_write(index) < 0) {
		dlg_sync__error("cannot write the index");
		goto done;
	}
	error = 0;
done:
	git_index_free(index);
	return error;
}

static int index_update(dlg_repo *r, int lockfd, const dlg_commit_file *files,
			const git_tree_update *updates, size_t nfiles)
{
	git_oid *ids = calloc(nfiles + 1, sizeof(*ids));
	size_t i;
	int error;

	if (!ids)
		abort();
	for (i = 0; i < nfiles; i++)
		ids[i] = updates[i].id;
	error = dlg_sync__index_update(r, lockfd, files, ids, nfiles);
	free(ids);
	return error == DLG_SYNC_FALLBACK ? index_update_slow(r, files, nfiles)
					  : error;
}

/* Takes git's index lock (its path: lock), recorded as held: its
 * descriptor, or -1. */
static int lock_index(dlg_repo *r, const char *lock)
{
	int fd;

	if ((fd = take_index_lock(r, lock)) < 0) {
		if (errno == EEXIST)
			dlg_error_set("git is busy: '%s' exists (a git process is "
				      "writing the index; if none is running, "
				      "remove it); nothing was committed",
				      lock);
		else
			dlg_error_set("cannot create '%s': %s; nothing was "
				      "committed", lock, strerror(errno));
		return -1;
	}
	dlg_sync__fault("commit-locked");
	return fd;
}

/* The commit's tree: the parent's, with each file written (its data) or
 * removed (no data). The updates, with the new blobs' ids, in *updates
 * (the caller frees them). */
static int commit_tree(git_tree **out, git_tree_update **updates,
		       dlg_repo *r, const git_commit *parent,
		       const dlg_commit_file *files, size_t nfiles)
{
	git_tree *base = NULL;
	git_tree_update *u;
	git_oid tree_id;
	size_t i;
	int error = -1;

	if (parent && git_commit_tree(&base, parent) < 0) {
		dlg_sync__error("cannot read HEAD's tree");
		goto done;
	}
	*updates = u = calloc(nfiles + 1, sizeof(*u));
	if (!u)
		abort();
	errno = 0; /* dlg_sync__error's words when libgit2 has none */
	for (i = 0; i < nfiles; i++) {
		u[i].path = files[i].path;
		if (!files[i].data) {
			u[i].action = GIT_TREE_UPDATE_REMOVE;
			continue;
		}
		u[i].action = GIT_TREE_UPDATE_UPSERT;
		u[i].filemode = GIT_FILEMODE_BLOB;
		if (git_blob_create_from_buffer(&u[i].id, r->git,
						files[i].data,
						files[i].len) < 0) {
			dlg_sync__error("cannot store file");
			goto done;
		}
	}
	/* Only the trees on the changed paths are rewritten: the cost of a
	 * commit does not grow with the number of tasks. */
	if (git_tree_create_updated(&tree_id, r->git, base, nfiles, u) < 0 ||
	    git_tree_lookup(out, r->git, &tree_id) < 0) {
		dlg_sync__error("cannot build the commit's tree");
		goto done;
	}
	error = 0;
done:
	git_tree_free(base);
	return error;
}

int dlg_repo_commit(char *out, dlg_repo *r, const dlg_commit_file *files,
		    size_t nfiles, const char *message,
		    const dlg_signature *author)
{
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_tree_update *updates = NULL;
	git_signature *sig = NULL;
	git_oid commit_id;
	dlg_buf lock = DLG_BUF_INIT;
	int lockfd = -1, error = -1;

	if (head_commit(&parent, r) < 0)
		return -1;
	/* git's index lock before anything: while a git process holds it,
	 * nothing is committed, rather than a commit whose index and work
	 * tree the next sync would take for hand edits undoing it. */
	dlg_buf_printf(&lock, "%sindex.lock", git_repository_path(r->git));
	if ((lockfd = lock_index(r, lock.ptr)) < 0 ||
	    commit_tree(&tree, &updates, r, parent, files, nfiles) < 0)
		goto done;
	if (git_signature_new(&sig, author->name, author->email,
			      (git_time_t)author->when, 0) < 0) {
		dlg_sync__error("bad author");
		goto done;
	}
	dlg_sync__hold_ref(r, "HEAD");
	if (dlg_sync__commit_create(&commit_id, r->git, "HEAD", sig, sig,
				    message, tree, parent ? 1 : 0,
				    (const git_commit **)&parent) < 0) {
		if (git_error_last() &&
		    git_error_last()->klass == GIT_ERROR_REFERENCE)
			dlg_sync__error("git is busy: the branch is locked by "
					"another git process; nothing was "
					"committed");
		goto done;
	}
	dlg_sync__fault("commit-before-index");
	/* Keep `git status` clean for the paths we committed. */
	error = index_update(r, lockfd, files, updates, nfiles);
	lockfd = -1;
	if (error < 0) {
		uncommit(r->git, &commit_id, parent);
		goto done;
	}
	if (out)
		git_oid_tostr(out, DLG_HEX_ID_SIZE, &commit_id);
	error = 0;
done:
	if (lockfd >= 0) {
		close(lockfd);
		unlink(lock.ptr);
	}
	dlg_sync__released(r);
	dlg_buf_dispose(&lock);
	git_signature_free(sig);
	git_tree_free(tree);
	git_commit_free(parent);
	free(updates);
	return error;
}

static int blob_at(dlg_buf *out, git_repository *g, git_tree *tree,
		   const char *path)
{
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	int error;

	error = git_tree_entry_bypath(&e, tree, path);
	if (error == GIT_ENOTFOUND)
		return DLG_ENOTFOUND;
	if (error < 0)
		return dlg_sync__error("cannot read tree");
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB) {
		git_tree_entry_free(e);
		return DLG_ENOTFOUND;
	}
	if (git_blob_lookup(&b, g, git_tree_entry_id(e)) < 0) {
		git_tree_entry_free(e);
		return dlg_sync__error("cannot read file");
	}
	dlg_buf_clear(out);
	dlg_buf_put(out, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
	git_tree_entry_free(e);
	return 0;
}

int dlg_repo_head_file(dlg_buf *out, dlg_repo *r, const char *path)
{
	git_commit *head = NULL;
	git_tree *tree = NULL;
	int error;

	if ((error = head_commit(&head, r)) < 0)
		return error;
	if (!head)
		return DLG_ENOTFOUND;
	if (git_commit_tree(&tree, head) < 0)
		error = dlg_sync__error("cannot read HEAD's tree");
	else
		error = blob_at(out, r->git, tree, path);
	git_tree_free(tree);
	git_commit_free(head);
	return error;
}

/* The index of the first of n prefixes path starts with; n if none. */
static size_t prefix_of(const char *path, const char *const *prefixes,
			size_t n)
{
	size_t k;

	for (k = 0; k < n && strncmp(path, prefixes[k], strlen(prefixes[k]));
	     k++)
		;
	return k;
}

typedef struct {
	const char *path;
	size_t prefix;
} changed_path;

static int changed_path_cmp(const void *a, const void *b)
{
	const changed_path *x = a, *y = b;

	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return strcmp(x->path, y->path);
}

int dlg_repo_changed_paths(char ***out, size_t *count, dlg_repo *r,
			   const char *const *prefixes, size_t nprefixes)
{
	git_status_options o = GIT_STATUS_OPTIONS_INIT;
	git_status_list *list = NULL;
	changed_path *found;
	char **v;
	size_t i, n, k = 0;

	/* nearly always nothing changed, proven far quicker than libgit2's
	 * status answers */
	if (dlg_sync__worktree_unchanged(r, prefixes, nprefixes)) {
		if (!(*out = calloc(1, sizeof(**out))))
			abort();
		*count = 0;
		return 0;
	}
	/* one status for every prefix: each status reads the index, and
	 * HEAD's trees down to the paths, again */
	o.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	o.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
		  GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		  GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	o.pathspec.strings = (char **)prefixes;
	o.pathspec.count = nprefixes;
	if (git_status_list_new(&list, r->git, &o) < 0)
		return dlg_sync__error("cannot read the status of the work tree");
	n = git_status_list_entrycount(list);
	found = calloc(n + 1, sizeof(*found));
	if (!found)
		abort();
	for (i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir
							    : e->head_to_index;

		if (!d)
			continue;
		found[k].path = d->new_file.path ? d->new_file.path
						 : d->old_file.path;
		found[k].prefix = prefix_of(found[k].path, prefixes, nprefixes);
		k++;
	}
	qsort(found, k, sizeof(*found), changed_path_cmp);
	v = calloc(k + 1, sizeof(*v));
	if (!v)
		abort();
	/* each path once: a tree out of git's order (hand-made) makes
	 * libgit2 list a path as removed and as added */
	for (i = 0, n = 0; i < k; i++)
		if ((!n || strcmp(v[n - 1], found[i].path)) &&
		    !(v[n++] = strdup(found[i].path)))
			abort();
	free(found);
	git_status_list_free(list);
	*out = v;
	*count = n;
	return 0;
}
