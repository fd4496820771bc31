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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit__a_branch_moved_while_signing_is_kept,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
