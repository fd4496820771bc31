/* sync/: remotes, the merge driver and sync (sync/remote.c), on real
 * repositories, checked with the real git CLI. */
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

/* A sync with a time limit leaves no timer behind (a SIGALRM later would
 * end the program that called it), and no handler of its own. */
static void test_sync__leaves_no_timer_armed(void **state)
{
	fixture *f = *state;
	dlg_sync_options o = DLG_SYNC_OPTIONS_INIT;
	dlg_signature me = { "Kim Lee", "kim@msp.example", 1795000000 };
	dlg_sync_result res;
	struct itimerval it;
	struct sigaction sa;
	char *out;

	commit_file(f, "a.txt", "one\n", "one", 1795000000);
	out = sh(f, "git init -q --bare -b main remote.git && "
		    "git remote add origin \"$PWD/remote.git\"");
	free(out);
	o.committer = &me;
	o.timeout = 30;
	assert_int_equal(dlg_sync_run(&res, f->repo, &o), 0);
	assert_true(res.pushed);
	dlg_sync_result_dispose(&res);
	assert_int_equal(getitimer(ITIMER_REAL, &it), 0);
	assert_int_equal(it.it_value.tv_sec, 0);
	assert_int_equal(it.it_value.tv_usec, 0);
	assert_int_equal(it.it_interval.tv_sec, 0);
	assert_int_equal(it.it_interval.tv_usec, 0);
	assert_int_equal(sigaction(SIGALRM, NULL, &sa), 0);
	assert_true(sa.sa_handler == SIG_DFL);
	out = sh(f, "git --git-dir=remote.git rev-parse main");
	assert_int_equal(strlen(out), 40);
	free(out);
}

/* The URL of a remote, by its name; NULL for one there is not. */
static void test_remote__url_by_name(void **state)
{
	fixture *f = *state;
	char *url, *out;

	out = sh(f, "git remote add origin https://example.com/team.git && "
		    "git remote add far /srv/far.git");
	free(out);
	url = dlg_repo_remote_url(f->repo, "origin");
	assert_non_null(url);
	assert_string_equal(url, "https://example.com/team.git");
	free(url);
	url = dlg_repo_remote_url(f->repo, "far");
	assert_non_null(url);
	assert_string_equal(url, "/srv/far.git");
	free(url);
	assert_null(dlg_repo_remote_url(f->repo, "nope"));
}

/* merge.delegit.driver after dlg_repo_ensure_merge_driver(program). */
static char *ensure_driver(const fixture *f, const char *program)
{
	char *v = NULL;

	if (dlg_repo_ensure_merge_driver(f->repo, program) < 0 ||
	    dlg_repo_config_get(&v, f->repo, "merge.delegit.driver") < 0)
		return strdup("(failed)");
	return v;
}

/*
 * The driver's program: written when missing or gone; a name kept while
 * PATH finds it, even when a build elsewhere runs; a path kept while it is
 * there, unless the installed delegit (a name) runs, which takes over.
 */
static void test_remote__merge_driver_named_when_installed(void **state)
{
	fixture *f = *state;
	char bin[1024], spaced[1024], quoted[1100], want[1200], *old_path;
	char *got[6], *out;
	const char *expect[6];
	size_t i;

	snprintf(bin, sizeof(bin), "%s/bin", f->dir);
	snprintf(spaced, sizeof(spaced), "%s/a b/delegit", f->dir);
	snprintf(quoted, sizeof(quoted), "'%s'", spaced);
	out = sh(f, "mkdir -p bin 'a b' && printf '#!/bin/sh\\n' > bin/delegit"
		    " && chmod +x bin/delegit && cp bin/delegit 'a b/delegit'");
	free(out);
	/* PATH changed, then put back before anything is asserted */
	old_path = strdup(getenv("PATH"));
	setenv("PATH", bin, 1);
	got[0] = ensure_driver(f, quoted);
	expect[0] = quoted;
	/* the installed one runs: by name from now on */
	got[1] = ensure_driver(f, "delegit");
	expect[1] = "delegit";
	/* a build run from elsewhere leaves the name alone */
	got[2] = ensure_driver(f, quoted);
	expect[2] = "delegit";
	/* uninstalled: the name no longer found, the running path written */
	setenv("PATH", "/nonexistent", 1);
	got[3] = ensure_driver(f, quoted);
	expect[3] = quoted;
	/* a quoted path that is there is kept by another build's run */
	got[4] = ensure_driver(f, "'/else/x'");
	expect[4] = quoted;
	/* and given up once it is gone */
	unlink(spaced);
	got[5] = ensure_driver(f, "'/else/x'");
	expect[5] = "'/else/x'";
	setenv("PATH", old_path, 1);
	free(old_path);
	for (i = 0; i < 6; i++) {
		snprintf(want, sizeof(want), "%s merge-file %%O %%A %%B %%P",
			 expect[i]);
		assert_string_equal(got[i], want);
	}
	for (i = 0; i < 6; i++)
		free(got[i]);
}

/* What the driver names, read as sh would: a backslash keeps a space, a
 * quote left open runs to the end; a PATH's empty entry is the current
 * folder; a merge.delegit.name of the person's own is kept. */
static void test_remote__merge_driver_program_read_as_sh_would(void **state)
{
	fixture *f = *state;
	char have[1200], want[1200], cwd[1024], *got, *old_path, *out;
	char *none = NULL;

	out = sh(f, "mkdir -p 'a b' && printf '#!/bin/sh\\n' > 'a b/delegit' "
		    "&& chmod +x 'a b/delegit' && cp 'a b/delegit' delegit");
	free(out);
	snprintf(want, sizeof(want), "'/else/x' merge-file %%O %%A %%B %%P");
	/* a\ b: the program that is there, kept */
	snprintf(have, sizeof(have), "%s/a\\ b/delegit merge-file %%O %%A %%B "
		 "%%P", f->dir);
	assert_int_equal(dlg_repo_config_set(f->repo, "merge.delegit.driver",
					     have), 0);
	assert_int_equal(dlg_repo_config_set(f->repo, "merge.delegit.name",
					     "mine"), 0);
	got = ensure_driver(f, "'/else/x'");
	assert_string_equal(got, have);
	free(got);
	/* ''a\ b/delegit: an empty quote, then the program that is there */
	snprintf(have, sizeof(have), "''%s/a\\ b/delegit merge-file %%O %%A "
		 "%%B %%P", f->dir);
	assert_int_equal(dlg_repo_config_set(f->repo, "merge.delegit.driver",
					     have), 0);
	got = ensure_driver(f, "'/else/x'");
	assert_string_equal(got, have);
	free(got);
	/* 'a b/delegit merge-file ...: no such program, written anew */
	snprintf(have, sizeof(have), "'%s/a b/delegit merge-file %%O %%A %%B "
		 "%%P", f->dir);
	assert_int_equal(dlg_repo_config_set(f->repo, "merge.delegit.driver",
					     have), 0);
	got = ensure_driver(f, "'/else/x'");
	assert_string_equal(got, want);
	free(got);
	/* a name found through an empty entry of PATH (the current folder) */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(f->dir), 0);
	old_path = strdup(getenv("PATH"));
	setenv("PATH", "/nonexistent::/nonexistent", 1);
	assert_int_equal(dlg_repo_config_set(f->repo, "merge.delegit.driver",
					     "delegit merge-file %O %A %B %P"),
			 0);
	got = ensure_driver(f, "'/else/x'");
	setenv("PATH", "/nonexistent", 1);
	out = ensure_driver(f, "'/else/x'");
	/* no PATH: nothing found by name */
	if (dlg_repo_config_set(f->repo, "merge.delegit.driver",
				"delegit merge-file %O %A %B %P") < 0)
		none = strdup("(failed)");
	unsetenv("PATH");
	if (!none)
		none = ensure_driver(f, "'/else/x'");
	/* PATH and the folder put back before anything is asserted */
	setenv("PATH", old_path, 1);
	free(old_path);
	assert_int_equal(chdir(cwd), 0);
	assert_string_equal(got, "delegit merge-file %O %A %B %P");
	assert_string_equal(out, want);
	assert_string_equal(none, want);
	free(got);
	free(out);
	free(none);
	/* the name the person gave stays */
	got = NULL;
	assert_int_equal(dlg_repo_config_get(&got, f->repo,
					     "merge.delegit.name"), 0);
	assert_string_equal(got, "mine");
	free(got);
}

/* A clone with no options (no progress, no time limit): made, checked
 * out; a second one into the same path refused, the path's files kept. */
static void test_remote__clone_without_options(void **state)
{
	fixture *f = *state;
	char bare[1200], dest[1200], *out;
	dlg_sync_options o = DLG_SYNC_OPTIONS_INIT;
	dlg_repo *c = NULL;

	commit_file(f, "a.txt", "one\n", "one", 1795000000);
	out = sh(f, "git clone -q --bare . remote.git");
	free(out);
	snprintf(bare, sizeof(bare), "%s/remote.git", f->dir);
	snprintf(dest, sizeof(dest), "%s/copy", f->dir);
	assert_int_equal(dlg_repo_clone(&c, bare, dest, NULL), 0);
	assert_non_null(c);
	dlg_repo_free(c);
	c = NULL;
	out = sh(f, "cat copy/a.txt && git -C copy status --porcelain");
	assert_string_equal(out, "one");
	free(out);
	assert_int_equal(dlg_repo_clone(&c, bare, dest, NULL), -1);
	assert_null(c);
	out = sh(f, "cat copy/a.txt");
	assert_string_equal(out, "one");
	free(out);
	/* options with no progress to report to */
	snprintf(dest, sizeof(dest), "%s/copy2", f->dir);
	assert_int_equal(dlg_repo_clone(&c, bare, dest, &o), 0);
	dlg_repo_free(c);
	out = sh(f, "cat copy2/a.txt");
	assert_string_equal(out, "one");
	free(out);
}

/* A remote with a push URL and no URL has no URL to give. */
static void test_remote__url_of_a_remote_with_only_a_push_url(void **state)
{
	fixture *f = *state;
	char *out;

	out = sh(f, "git config remote.only.pushurl /srv/only.git");
	free(out);
	assert_null(dlg_repo_remote_url(f->repo, "only"));
}

/* Words of the driver split at a tab too; a backslash that ends the
 * command is kept as it is. */
static void test_remote__merge_driver_tab_and_trailing_backslash(void **state)
{
	fixture *f = *state;
	char have[1200], *got, *out;

	out = sh(f, "printf '#!/bin/sh\\n' > 'x\\' && chmod +x 'x\\' && "
		    "cp 'x\\' y");
	free(out);
	snprintf(have, sizeof(have), "%s/y\tmerge-file %%O %%A %%B %%P",
		 f->dir);
	assert_int_equal(dlg_repo_config_set(f->repo, "merge.delegit.driver",
					     have), 0);
	got = ensure_driver(f, "'/else/x'");
	assert_string_equal(got, have);
	free(got);
	snprintf(have, sizeof(have), "%s/x\\", f->dir);
	assert_int_equal(dlg_repo_config_set(f->repo, "merge.delegit.driver",
					     have), 0);
	got = ensure_driver(f, "'/else/x'");
	assert_string_equal(got, have);
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_remote__url_by_name,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote__merge_driver_named_when_installed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync__leaves_no_timer_armed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote__merge_driver_program_read_as_sh_would,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote__merge_driver_tab_and_trailing_backslash,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote__clone_without_options,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote__url_of_a_remote_with_only_a_push_url,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
