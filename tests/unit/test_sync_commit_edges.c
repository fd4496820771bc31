/* sync/commit.c at its edges (issue 20): git's signing settings, signed
 * commits as git verifies them, a branch moved while a commit is signed,
 * an index only libgit2 reads or none can, a repository missing objects;
 * each on a real repository, checked with the real git CLI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>

#include "sync/sync.h"
#include "sync/sync_internal.h"
#include "sync_helpers.h"

static const dlg_signature kim = { "Kim Lee", "kim@msp.example", 1795000000 };

/* Commit path with text (NULL: its removal), as a command does: the work
 * tree first. The result of dlg_repo_commit. */
static int try_commit(fixture *f, const char *path, const char *text,
		      const char *msg)
{
	dlg_commit_file file = { path, text, text ? strlen(text) : 0 };

	if (text)
		spit(f->dir, path, text);
	else
		unlink_in(f->dir, path);
	return dlg_repo_commit(NULL, f->repo, &file, 1, msg, &kim);
}

static void assert_sh(fixture *f, const char *cmd, const char *want)
{
	char *out = sh(f, cmd);

	assert_string_equal(out, want);
	free(out);
}

/* The repository opened again: libgit2's cache of objects forgotten. */
static void reopen(fixture *f)
{
	dlg_repo_free(f->repo);
	f->repo = NULL;
	assert_int_equal(dlg_repo_open(&f->repo, f->dir), 0);
}

static void assert_error_has(const char *words)
{
	if (!strstr(dlg_error_last(), words))
		fail_msg("'%s' not in '%s'", words, dlg_error_last());
}

/* Nothing was committed: HEAD where it was, git's index lock let go. */
static void assert_nothing_committed(fixture *f, const char *head)
{
	char *now = sh(f, "git rev-parse -q --verify HEAD");

	assert_string_equal(now, head);
	free(now);
	assert_sh(f, "test -e .git/index.lock && echo held", "");
}

/* An ed25519 key in the repository's .git (ssh-keygen), git set to sign
 * with it, and git's allowed signers naming it for kim. */
static void sign_with_new_key(fixture *f)
{
	free(sh(f, "ssh-keygen -q -t ed25519 -N '' -C kim -f .git/key && "
		   "git config gpg.format ssh && "
		   "git config user.signingkey \"$PWD/.git/key\" && "
		   "git config commit.gpgsign true && "
		   "echo \"kim@msp.example $(cat .git/key.pub)\" >.git/signers && "
		   "git config gpg.ssh.allowedSignersFile \"$PWD/.git/signers\""));
}

/* commit.gpgsign with settings git would not sign by: refused, each with
 * what to set, and nothing committed. */
static void test_commit__signing_settings_delegit_cannot_sign_by_commit_nothing(void **state)
{
	fixture *f = *state;
	char *head;

	assert_int_equal(try_commit(f, "a.txt", "one\n", "one"), 0);
	head = sh(f, "git rev-parse HEAD");
	free(sh(f, "git config commit.gpgsign true"));
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), -1);
	assert_error_has("gpg.format is 'openpgp'");
	assert_nothing_committed(f, head);
	free(sh(f, "git config gpg.format x509"));
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), -1);
	assert_error_has("gpg.format is 'x509'");
	assert_nothing_committed(f, head);
	free(sh(f, "git config gpg.format ssh"));
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), -1);
	assert_error_has("user.signingkey is not");
	assert_nothing_committed(f, head);
	free(sh(f, "git config user.signingkey ''"));
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), -1);
	assert_error_has("user.signingkey is not");
	assert_nothing_committed(f, head);
	/* the program git names signs, or the commit is not made */
	free(sh(f, "git config user.signingkey /nowhere/key && "
		   "git config gpg.ssh.program /bin/false"));
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), -1);
	assert_error_has("cannot sign the commit with '/nowhere/key'");
	assert_nothing_committed(f, head);
	/* signing off again: committed, unsigned */
	free(sh(f, "git config commit.gpgsign false"));
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), 0);
	assert_sh(f, "git cat-file commit HEAD | grep -c gpgsig", "0");
	assert_sh(f, "git status --porcelain", "");
	free(head);
}

/* Signed, the first commit (an unborn branch made) and the next (the
 * branch moved from its parent), through the program git names: git
 * verifies both, and the reflog reads as git's own. */
static void test_commit__signed_commits_verify_with_git(void **state)
{
	fixture *f = *state;

	sign_with_new_key(f);
	free(sh(f, "git config gpg.ssh.program \"$(command -v ssh-keygen)\""));
	assert_int_equal(try_commit(f, "a.txt", "one\n", "one\n\nbody"), 0);
	assert_int_equal(try_commit(f, "b.txt", "two\n", "two"), 0);
	assert_sh(f, "git log --format='%G? %s'", "G two\nG one");
	assert_sh(f, "git verify-commit HEAD 2>&1 >/dev/null | head -c 20",
		  "Good \"git\" signature");
	assert_sh(f, "git reflog --format=%gs", "commit: two\ncommit (initial): one");
	/* the armor as git writes it: no header line of one space */
	assert_sh(f, "git cat-file commit HEAD | grep -c '^ $'", "0");
	assert_sh(f, "git cat-file commit HEAD | sed -n '/^gpgsig/,/END SSH/p' | "
		     "tail -n 1", " -----END SSH SIGNATURE-----");
	assert_sh(f, "git rev-parse HEAD~1^{tree} HEAD^{tree} | xargs -n1 "
		     "git ls-tree --name-only | tr '\\n' ' '",
		  "a.txt a.txt b.txt ");
	assert_sh(f, "git status --porcelain", "");
	/* gpg.ssh.program empty: ssh-keygen (git would run "" and fail) */
	free(sh(f, "git config gpg.ssh.program ''"));
	assert_int_equal(try_commit(f, "c.txt", "three\n", "three"), 0);
	assert_sh(f, "git -c gpg.ssh.program=ssh-keygen log -1 "
		     "--format='%G? %s'", "G three");
}

/* A signed commit no branch takes (a sync's merge commit, moved to by
 * the caller): made and verified, the branch left where it was. */
static void test_commit__a_signed_commit_for_no_branch_moves_none(void **state)
{
	fixture *f = *state;
	git_signature *sig = NULL;
	git_commit *parent = NULL;
	git_tree *tree = NULL;
	git_oid id;
	char hex[41], cmd[128], *head;

	sign_with_new_key(f);
	assert_int_equal(try_commit(f, "a.txt", "one\n", "one"), 0);
	head = sh(f, "git rev-parse HEAD");
	assert_int_equal(git_signature_new(&sig, "Kim Lee", "kim@msp.example",
					   1795000000, 0), 0);
	assert_int_equal(git_revparse_single((git_object **)&parent,
					     f->repo->git, "HEAD"), 0);
	assert_int_equal(git_commit_tree(&tree, parent), 0);
	assert_int_equal(dlg_sync__commit_create(&id, f->repo->git, NULL, sig,
						 sig, "merge", tree, 1,
						 (const git_commit **)&parent),
			 0);
	assert_sh(f, "git rev-parse HEAD", head);
	git_oid_tostr(hex, sizeof(hex), &id);
	snprintf(cmd, sizeof(cmd), "git log -1 --format='%%G? %%s %%P' %s", hex);
	{
		char want[128];

		snprintf(want, sizeof(want), "G merge %s", head);
		assert_sh(f, cmd, want);
	}
	git_tree_free(tree);
	git_commit_free(parent);
	git_signature_free(sig);
	free(head);
}

/* Another git process moves the branch while the commit is being signed
 * (the signing program does it in the repository, then signs): the commit does not
 * overwrite it, whether the branch had moved on, was made, or deleted. */
static void test_commit__a_branch_moved_while_signing_is_kept(void **state)
{
	fixture *f = *state;
	char *other, *head;

	sign_with_new_key(f);
	/* the first commit: someone else makes the branch meanwhile */
	free(sh(f, "git -c commit.gpgsign=false -c user.name=O "
		   "-c user.email=o@x commit -q --allow-empty -m theirs && "
		   "git rev-parse HEAD >.git/theirs && "
		   "git update-ref -d HEAD"));
	other = sh(f, "cat .git/theirs");
	spit(f->dir, ".git/sign.sh",
	     "#!/bin/sh\n(cd \"${0%/*}/..\" && "
	     "git update-ref HEAD \"$(cat .git/theirs)\")\n"
	     "exec ssh-keygen \"$@\"\n");
	free(sh(f, "chmod +x .git/sign.sh && "
		   "git config gpg.ssh.program \"$PWD/.git/sign.sh\""));
	assert_int_equal(try_commit(f, "a.txt", "one\n", "one"), -1);
	assert_error_has("nothing was committed");
	assert_nothing_committed(f, other);
	/* the next: the branch moves on meanwhile */
	free(sh(f, "git config --unset gpg.ssh.program"));
	assert_int_equal(try_commit(f, "a.txt", "one\n", "one"), 0);
	head = sh(f, "git rev-parse HEAD");
	assert_sh(f, "git rev-parse HEAD~1", other);
	free(sh(f, "git config gpg.ssh.program \"$PWD/.git/sign.sh\""));
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), -1);
	assert_error_has("git is busy");
	assert_nothing_committed(f, other);
	assert_sh(f, "git cat-file -t HEAD", "commit");
	/* the next: the branch is deleted meanwhile, and stays so */
	free(sh(f, "git update-ref HEAD \"$(cat .git/theirs)\" && git reset -q"));
	spit(f->dir, ".git/sign.sh",
	     "#!/bin/sh\n(cd \"${0%/*}/..\" && git update-ref -d HEAD)\nexec ssh-keygen \"$@\"\n");
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), -1);
	assert_nothing_committed(f, "");
	free(other);
	free(head);
}

/* An index dlg_sync__index_update leaves to libgit2 (version 4): the
 * commit's paths are brought up to date all the same, a removal too. */
static void test_commit__an_index_of_another_version_is_kept_up_to_date(void **state)
{
	fixture *f = *state;

	assert_int_equal(try_commit(f, "tasks/aa/one.yaml", "a: 1\n", "one"), 0);
	assert_int_equal(try_commit(f, "tasks/bb/two.yaml", "b: 2\n", "two"), 0);
	free(sh(f, "git update-index --index-version 4"));
	assert_int_equal(try_commit(f, "tasks/aa/one.yaml", "a: 2\n", "more"), 0);
	assert_int_equal(try_commit(f, "tasks/bb/two.yaml", NULL, "drop"), 0);
	assert_sh(f, "git status --porcelain", "");
	assert_sh(f, "git ls-files", "tasks/aa/one.yaml");
	assert_sh(f, "git diff --cached --quiet HEAD && echo same", "same");
	assert_sh(f, "git show HEAD~1:tasks/aa/one.yaml", "a: 2");
}

/* An index nobody can read: the commit is taken back (the branch where
 * it was, or unborn again), the index's failure is the reason told. */
static void test_commit__an_unreadable_index_takes_the_commit_back(void **state)
{
	fixture *f = *state;
	char *head;

	spit(f->dir, ".git/index", "not an index, but longer than 32 bytes\n");
	assert_int_equal(try_commit(f, "a.txt", "one\n", "one"), -1);
	assert_error_has("cannot read the index");
	assert_nothing_committed(f, "");
	unlink_in(f->dir, ".git/index");
	assert_int_equal(try_commit(f, "a.txt", "one\n", "one"), 0);
	head = sh(f, "git rev-parse HEAD");
	spit(f->dir, ".git/index", "not an index, but longer than 32 bytes\n");
	assert_int_equal(try_commit(f, "a.txt", "two\n", "two"), -1);
	assert_error_has("cannot read the index");
	assert_nothing_committed(f, head);
	assert_sh(f, "git reflog -1 --format=%gs",
		  "delegit: commit taken back (the index could not be written)");
	free(head);
}

/* What HEAD holds, read back: the file's bytes (replacing the buffer's),
 * DLG_ENOTFOUND for no commit, no path or a folder; -1 for a repository
 * missing the objects, where a commit is refused too. */
static void test_head_file__files_at_head_and_missing_objects(void **state)
{
	fixture *f = *state;
	dlg_buf b = DLG_BUF_INIT;
	char *head;

	assert_int_equal(dlg_repo_head_file(&b, f->repo, "a.txt"),
			 DLG_ENOTFOUND);
	assert_int_equal(try_commit(f, "tasks/aa/one.yaml", "a: 1\n", "one"), 0);
	dlg_buf_puts(&b, "left over");
	assert_int_equal(dlg_repo_head_file(&b, f->repo, "tasks/aa/one.yaml"),
			 0);
	assert_string_equal(b.ptr, "a: 1\n");
	assert_int_equal(dlg_repo_head_file(&b, f->repo, "tasks/aa"),
			 DLG_ENOTFOUND);
	assert_int_equal(dlg_repo_head_file(&b, f->repo, "tasks/zz/x.yaml"),
			 DLG_ENOTFOUND);
	assert_string_equal(b.ptr, "a: 1\n");
	/* the file's blob gone */
	free(sh(f, "b=$(git rev-parse HEAD:tasks/aa/one.yaml) && "
		   "rm -f .git/objects/$(echo $b | cut -c1-2)/$(echo $b | cut -c3-)"));
	assert_int_equal(dlg_repo_head_file(&b, f->repo, "tasks/aa/one.yaml"),
			 -1);
	assert_error_has("cannot read file");
	/* HEAD's tree gone: nothing read, nothing committed */
	head = sh(f, "git rev-parse HEAD");
	free(sh(f, "t=$(git rev-parse HEAD^{tree}) && "
		   "rm -f .git/objects/$(echo $t | cut -c1-2)/$(echo $t | cut -c3-)"));
	reopen(f);
	assert_int_equal(dlg_repo_head_file(&b, f->repo, "tasks/aa/one.yaml"),
			 -1);
	assert_error_has("cannot read HEAD's tree");
	assert_int_equal(try_commit(f, "b.txt", "b\n", "b"), -1);
	assert_error_has("cannot read HEAD's tree");
	assert_nothing_committed(f, head);
	/* HEAD's commit gone */
	free(sh(f, "rm -f .git/objects/$(git rev-parse HEAD | cut -c1-2)/"
		   "$(git rev-parse HEAD | cut -c3-)"));
	reopen(f);
	assert_int_equal(dlg_repo_head_file(&b, f->repo, "tasks/aa/one.yaml"),
			 -1);
	assert_error_has("cannot read HEAD");
	assert_int_equal(try_commit(f, "b.txt", "b\n", "b"), -1);
	assert_error_has("cannot read HEAD");
	assert_sh(f, "cat .git/$(git symbolic-ref HEAD)", head);
	dlg_buf_dispose(&b);
	free(head);
}

/* Changed paths: a path only staged (git add, the work tree the same)
 * counts, as one a hand edit changed; those of the first folder asked
 * come first, each folder's sorted; nothing outside the folders. */
static void test_changed_paths__staged_and_edited(void **state)
{
	static const char *const folders[] = { "team/", "tasks/" };
	fixture *f = *state;
	char **paths;
	size_t n;

	assert_int_equal(try_commit(f, "tasks/aa/one.yaml", "a: 1\n", "one"), 0);
	spit(f->dir, "tasks/bb/two.yaml", "b: 1\n");
	spit(f->dir, "tasks/aa/one.yaml", "a: 2\n");
	spit(f->dir, "team/zed.yaml", "handle: zed\n");
	spit(f->dir, "team/amy.yaml", "handle: amy\n");
	spit(f->dir, "notes.txt", "not delegit's\n");
	spit(f->dir, "teams/x.yaml", "x: 1\n");
	free(sh(f, "git add tasks/bb/two.yaml"));
	assert_int_equal(dlg_repo_changed_paths(&paths, &n, f->repo, folders,
						2), 0);
	assert_int_equal(n, 4);
	assert_null(paths[4]);
	assert_string_equal(paths[0], "team/amy.yaml");
	assert_string_equal(paths[1], "team/zed.yaml");
	assert_string_equal(paths[2], "tasks/aa/one.yaml");
	assert_string_equal(paths[3], "tasks/bb/two.yaml");
	dlg_strv_free(paths, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit__signing_settings_delegit_cannot_sign_by_commit_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__signed_commits_verify_with_git,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__a_signed_commit_for_no_branch_moves_none,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__a_branch_moved_while_signing_is_kept,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__an_index_of_another_version_is_kept_up_to_date,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__an_unreadable_index_takes_the_commit_back,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_file__files_at_head_and_missing_objects,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_paths__staged_and_edited,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
