/* sync/: the repository's lock (sync/repo.c), on real repositories, checked
 * with the real git CLI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "sync/sync.h"
#include "sync/sync_internal.h"
#include "sync_helpers.h"

static void test_lock__second_holder_waits_then_is_refused_and_a_dead_holder_lets_go(void **state)
{
	fixture *f = *state;
	dlg_repo *other;
	pid_t child;
	int status, pipefd[2];
	char c;

	assert_int_equal(dlg_repo_config_set(f->repo, "delegit.lockTimeout",
					     "0.3"), 0);
	assert_int_equal(dlg_repo_lock(f->repo), 0);
	/* taken again by its holder: held, at once */
	assert_int_equal(dlg_repo_lock(f->repo), 0);
	/* another process, holding its own handle, waits, then gives up */
	child = fork();
	if (child == 0) {
		dlg_repo *r;
		int rc = dlg_repo_open(&r, f->dir) < 0 ? 2
			 : dlg_repo_lock(r) != DLG_ELOCKED ? 1
			 : !strstr(dlg_error_last(), "pid") ? 3 : 0;

		_exit(rc);
	}
	waitpid(child, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	/* ... or gets it when the holder lets go while it waits */
	assert_int_equal(dlg_repo_config_set(f->repo, "delegit.lockTimeout",
					     "5"), 0);
	child = fork();
	if (child == 0) {
		dlg_repo *r;

		_exit(dlg_repo_open(&r, f->dir) < 0 || dlg_repo_lock(r) < 0);
	}
	usleep(200000);
	dlg_repo_unlock(f->repo);
	waitpid(child, &status, 0);
	assert_int_equal(WEXITSTATUS(status), 0);
	/* a holder that dies, however, lets go: no stale lock to take over */
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		dlg_repo *r;

		if (dlg_repo_open(&r, f->dir) < 0 || dlg_repo_lock(r) < 0)
			_exit(1);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(1);
		raise(SIGKILL);
	}
	assert_int_equal(read(pipefd[0], &c, 1), 1);
	waitpid(child, NULL, 0);
	close(pipefd[0]);
	close(pipefd[1]);
	assert_int_equal(dlg_repo_open(&other, f->dir), 0);
	assert_int_equal(dlg_repo_lock(other), 0);
	dlg_repo_free(other);
}

/* The lock file cannot be opened (here a folder in its place): refused
 * with the reason, and nothing held. */
static void test_lock__a_lock_file_that_cannot_be_opened_is_an_error(void **state)
{
	fixture *f = *state;
	char path[4200];

	snprintf(path, sizeof(path), "%s/.git/delegit.lock", f->dir);
	assert_int_equal(mkdir(path, 0777), 0);
	dlg_error_clear();
	assert_int_equal(dlg_repo_lock(f->repo), -1);
	assert_non_null(strstr(dlg_error_last(), "cannot open"));
	assert_non_null(strstr(dlg_error_last(), "delegit.lock"));
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(dlg_repo_lock(f->repo), 0);
}

/* A killed sync whose saved state names commits this repository does not
 * have: taking the lock finishes nothing, says so, and lets the lock go,
 * so that another command is not refused for it. */
static void test_lock__a_recovery_that_fails_is_an_error_and_lets_the_lock_go(void **state)
{
	fixture *f = *state;
	dlg_repo *other;

	assert_int_equal(dlg_repo_config_set(f->repo, "delegit.lockTimeout",
					     "0"), 0);
	spit(f->dir, ".git/delegit-sync-pending",
	     "1111111111111111111111111111111111111111 "
	     "2222222222222222222222222222222222222222\n");
	dlg_error_clear();
	assert_true(dlg_repo_lock(f->repo) < 0);
	assert_non_null(strstr(dlg_error_last(), "interrupted sync"));
	assert_int_equal(dlg_repo_open(&other, f->dir), 0);
	unlink_in(f->dir, ".git/delegit-sync-pending");
	assert_int_equal(dlg_repo_lock(other), 0);
	dlg_repo_unlock(other);
	dlg_repo_free(other);
}

/* A process forked while holding the lock shares its descriptor: unlock
 * lets go all the same (the lock belongs to the open file, not to the
 * descriptor). */
static void test_lock__unlock_lets_go_while_a_forked_child_keeps_the_descriptor(void **state)
{
	fixture *f = *state;
	dlg_repo *other;
	int pipefd[2], status;
	pid_t child;
	char c;

	assert_int_equal(dlg_repo_config_set(f->repo, "delegit.lockTimeout",
					     "0"), 0);
	assert_int_equal(dlg_repo_lock(f->repo), 0);
	assert_int_equal(pipe(pipefd), 0);
	child = fork();
	if (child == 0) {
		close(pipefd[1]);
		alarm(30); /* bounded, whatever the parent does */
		_exit(read(pipefd[0], &c, 1) == 1 ? 0 : 1);
	}
	close(pipefd[0]);
	dlg_repo_unlock(f->repo);
	assert_int_equal(dlg_repo_open(&other, f->dir), 0);
	status = dlg_repo_lock(other);
	dlg_repo_unlock(other);
	dlg_repo_free(other);
	assert_int_equal(write(pipefd[1], "x", 1), 1);
	close(pipefd[1]);
	waitpid(child, NULL, 0);
	assert_int_equal(status, 0);
}

/* Refused again and again: each refusal closes what it opened. */
static void test_lock__refusals_leave_no_descriptor_open(void **state)
{
	fixture *f = *state;
	dlg_repo *other;
	int i, before, after;

	assert_int_equal(dlg_repo_config_set(f->repo, "delegit.lockTimeout",
					     "0"), 0);
	assert_int_equal(dlg_repo_lock(f->repo), 0);
	assert_int_equal(dlg_repo_open(&other, f->dir), 0);
	assert_int_equal(dlg_repo_lock(other), DLG_ELOCKED); /* warmed up */
	before = open_fds();
	for (i = 0; i < 3; i++)
		assert_int_equal(dlg_repo_lock(other), DLG_ELOCKED);
	after = open_fds();
	assert_int_equal(after, before);
	dlg_repo_free(other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lock__second_holder_waits_then_is_refused_and_a_dead_holder_lets_go,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__a_lock_file_that_cannot_be_opened_is_an_error,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__a_recovery_that_fails_is_an_error_and_lets_the_lock_go,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__unlock_lets_go_while_a_forked_child_keeps_the_descriptor,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__refusals_leave_no_descriptor_open,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
