/* sync/: commits through libgit2, history, the lock — on real repositories,
 * checked with the real git CLI. */
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
#include "helpers.h"

typedef struct {
	char *dir;
	dlg_repo *repo;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	f->dir = tmpdir_new();
	if (dlg_repo_init(&f->repo, f->dir) < 0)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	dlg_repo_free(f->repo);
	rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Run a shell command in the repository; its output, trimmed. */
static char *sh(const fixture *f, const char *cmd)
{
	char full[4096];
	dlg_buf out = DLG_BUF_INIT;
	FILE *p;
	char chunk[512];
	size_t n;

	snprintf(full, sizeof(full), "cd '%s' && %s", f->dir, cmd);
	p = popen(full, "r");
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		dlg_buf_put(&out, chunk, n);
	pclose(p);
	while (out.size && out.ptr[out.size - 1] == '\n')
		out.ptr[--out.size] = '\0';
	return dlg_buf_detach(&out);
}

static void commit_file(fixture *f, const char *path, const char *text,
			const char *msg, time_t when)
{
	dlg_signature sig = { "Kim Lee", "kim@msp.example", when };
	dlg_commit_file file = { path, text, text ? strlen(text) : 0 };
	char id[41];

	if (text)
		spit(f->dir, path, text);
	assert_int_equal(dlg_repo_commit(id, f->repo, &file, 1, msg, &sig), 0);
	assert_int_equal(strlen(id), 40);
}

static void unlink_in(const char *dir, const char *rel)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	unlink(path);
}

/* How many descriptors this process has open. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_commit__one_commit_per_change_seen_by_git(void **state)
{
	fixture *f = *state;
	char *out;

	commit_file(f, "tasks/aa/one.yaml", "a: 1\n", "add one\n", 1700000000);
	commit_file(f, "tasks/bb/two.yaml", "b: 2\n", "add two\n", 1700000100);
	out = sh(f, "git log --format='%an <%ae> %at %s'");
	assert_string_equal(out, "Kim Lee <kim@msp.example> 1700000100 add two\n"
				 "Kim Lee <kim@msp.example> 1700000000 add one");
	free(out);
	/* the index follows: git sees a clean work tree */
	out = sh(f, "git status --porcelain");
	assert_string_equal(out, "");
	free(out);
	out = sh(f, "git fsck --strict 2>&1 && echo fsck-ok");
	assert_non_null(strstr(out, "fsck-ok"));
	free(out);
	out = sh(f, "git show HEAD:tasks/bb/two.yaml");
	assert_string_equal(out, "b: 2");
	free(out);
}

static void test_commit__untouched_trees_are_shared_with_the_parent(void **state)
{
	fixture *f = *state;
	char *before, *after;

	commit_file(f, "tasks/aa/one.yaml", "a: 1\n", "one\n", 1700000000);
	commit_file(f, "tasks/bb/two.yaml", "b: 2\n", "two\n", 1700000001);
	before = sh(f, "git rev-parse HEAD:tasks/aa");
	commit_file(f, "tasks/bb/two.yaml", "b: 3\n", "two again\n", 1700000002);
	after = sh(f, "git rev-parse HEAD:tasks/aa");
	assert_string_equal(before, after);
	free(before);
	free(after);
}

static void test_commit__removal_and_hand_edits_elsewhere_stay_out(void **state)
{
	fixture *f = *state;
	char *out;

	commit_file(f, "tasks/aa/one.yaml", "a: 1\n", "one\n", 1700000000);
	commit_file(f, "tasks/bb/two.yaml", "b: 2\n", "two\n", 1700000001);
	spit(f->dir, "tasks/aa/one.yaml", "a: hand edit\n");
	{
		char path[4200];

		snprintf(path, sizeof(path), "%s/tasks/bb/two.yaml", f->dir);
		unlink(path);
	}
	commit_file(f, "tasks/bb/two.yaml", NULL, "drop two\n", 1700000002);
	out = sh(f, "git show --name-status --format= HEAD");
	assert_string_equal(out, "D\ttasks/bb/two.yaml");
	free(out);
	out = sh(f, "git status --porcelain");
	assert_string_equal(out, " M tasks/aa/one.yaml");
	free(out);
	{
		char **paths;
		size_t n;

		assert_int_equal(dlg_repo_changed_paths(&paths, &n, f->repo,
							"tasks/"), 0);
		assert_int_equal(n, 1);
		assert_string_equal(paths[0], "tasks/aa/one.yaml");
		dlg_strv_free(paths, n);
	}
}

typedef struct {
	int calls;
	char seen[8][128];
} history_log;

static int on_change(const dlg_commit_info *c, const char *path,
		     const dlg_event *ev, size_t n, void *payload)
{
	history_log *h = payload;

	if (h->calls < 8)
		snprintf(h->seen[h->calls], sizeof(h->seen[0]),
			 "%s %s %zu %s %s>%s", c->summary, path, n,
			 n ? ev[0].field : "-", n && ev[0].from ? ev[0].from : "",
			 n && ev[0].to ? ev[0].to : "");
	h->calls++;
	return 0;
}

static void history_twice(fixture *f, const char *path, time_t since,
			  history_log *h)
{
	history_log again = { 0 };

	memset(h, 0, sizeof(*h));
	assert_int_equal(dlg_repo_history(f->repo, path, since, on_change, h),
			 0);
	assert_int_equal(dlg_repo_history(f->repo, path, since, on_change,
					  &again), 0);
	assert_memory_equal(h, &again, sizeof(again));
}

static void test_history__reports_each_version_of_a_file(void **state)
{
	fixture *f = *state;
	history_log h;

	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	commit_file(f, "tasks/bb/two.yaml", "x", "other\n", 1700000001);
	commit_file(f, "tasks/aa/one.yaml", "2", "v2\n", 1700000002);
	/* the second walk reads the events the first one kept */
	history_twice(f, "tasks/aa/one.yaml", 0, &h);
	assert_int_equal(h.calls, 2);
	assert_string_equal(h.seen[0],
			    "v2 tasks/aa/one.yaml 1 (file) invalid>invalid");
	assert_string_equal(h.seen[1], "v1 tasks/aa/one.yaml 1 (file) >invalid");
	history_twice(f, "tasks/", 1700000001, &h);
	assert_int_equal(h.calls, 2);
}

static void test_history__events_cache_damaged_or_foreign(void **state)
{
	fixture *f = *state;
	history_log h, before;
	dlg_buf path = DLG_BUF_INIT;
	char *data;
	size_t size;

	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	commit_file(f, "tasks/aa/one.yaml", "2", "v2\n", 1700000002);
	history_twice(f, "tasks/", 0, &before);
	dlg_buf_printf(&path, "%s/.git/delegit-events", f->dir);
	data = dlg_path_map(path.ptr, &size);
	assert_non_null(data);
	/* cut in the middle of its block: read as empty, written anew */
	assert_int_equal(truncate(path.ptr, (off_t)size - 7), 0);
	history_twice(f, "tasks/", 0, &h);
	assert_memory_equal(&h, &before, sizeof(h));
	/* another version's file: set aside, not read */
	assert_int_equal(dlg_path_write(path.ptr, "delegit events 0 x\nevb\n",
					 23), 0);
	history_twice(f, "tasks/", 0, &h);
	assert_memory_equal(&h, &before, sizeof(h));
	munmap(data, size);
	data = dlg_path_map(path.ptr, &size);
	assert_non_null(data);
	assert_int_equal(strncmp(data, "delegit events 1 ", 17), 0);
	munmap(data, size);
	dlg_buf_dispose(&path);
}

/* What dlg_sync__tree_changes reports, as git diff-tree --raw prints it:
 * ":oldmode newmode oldid newid\tpath" lines, sorted. */
static int raw_line(const char *path, const git_tree_entry *a,
		    const git_tree_entry *b, void *payload)
{
	dlg_buf *out = payload;
	char ia[41] = "0000000000000000000000000000000000000000";
	char ib[41] = "0000000000000000000000000000000000000000";

	if (a)
		git_oid_tostr(ia, sizeof(ia), git_tree_entry_id(a));
	if (b)
		git_oid_tostr(ib, sizeof(ib), git_tree_entry_id(b));
	dlg_buf_printf(out, ":%06o %06o %s %s\t%s\n",
		       a ? (unsigned)git_tree_entry_filemode(a) : 0,
		       b ? (unsigned)git_tree_entry_filemode(b) : 0, ia, ib,
		       path);
	return 0;
}

static char *tree_changes_of(fixture *f, const char *from, const char *to)
{
	dlg_trees memo = { f->repo->git, { NULL }, 0 };
	git_object *a = NULL, *b = NULL;
	dlg_buf out = DLG_BUF_INIT;

	if (from)
		assert_int_equal(git_revparse_single(&a, f->repo->git, from), 0);
	assert_int_equal(git_revparse_single(&b, f->repo->git, to), 0);
	assert_int_equal(dlg_sync__tree_changes(&memo, a ? git_object_id(a)
							 : NULL,
						git_object_id(b), raw_line,
						&out),
			 0);
	dlg_sync__trees_dispose(&memo);
	git_object_free(a);
	git_object_free(b);
	spit(f->dir, ".git/changes", out.ptr);
	dlg_buf_dispose(&out);
	return sh(f, "sort .git/changes");
}

static void test_tree_changes__as_git_diff_tree_sees_them(void **state)
{
	fixture *f = *state;
	static const char *steps[] = {
		/* a new folder, a file in an old one */
		"mkdir -p tasks/aa tasks/bb && echo 1 >tasks/aa/one.yaml && "
		"echo 2 >tasks/bb/two.yaml && echo t >top",
		"echo 3 >tasks/aa/one.yaml && mkdir -p tasks/cc/deep && "
		"echo 4 >tasks/cc/deep/x.yaml",
		/* a file becomes a folder, a folder a file, a mode changes */
		"rm tasks/aa/one.yaml && mkdir tasks/aa/one.yaml && "
		"echo 5 >tasks/aa/one.yaml/in && rm -r tasks/cc && "
		"echo 6 >tasks/cc && chmod +x top",
		/* a link; a whole folder goes */
		"ln -s top tasks/link && rm -r tasks/bb",
	};
	size_t i;

	for (i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		char cmd[1024];
		char *ours, *git;

		snprintf(cmd, sizeof(cmd),
			 "%s && git add -A . && git -c user.name=T "
			 "-c user.email=t@x commit -qm step", steps[i]);
		free(sh(f, cmd));
		ours = tree_changes_of(f, i ? "HEAD~1^{tree}" : NULL,
				       "HEAD^{tree}");
		git = sh(f, i ? "git diff-tree -r --no-renames --no-abbrev "
				"HEAD~1 HEAD | sed 's/ [ADMT]\t/\t/' | sort"
			      : "git diff-tree -r --root --no-renames "
				"--no-abbrev HEAD | tail -n +2 | "
				"sed 's/ [ADMT]\t/\t/' | sort");
		assert_string_equal(ours, git);
		free(ours);
		free(git);
	}
	/* Across several commits, folders gone and come. */
	{
		char *ours = tree_changes_of(f, "HEAD~3^{tree}", "HEAD^{tree}");
		char *git = sh(f, "git diff-tree -r --no-renames --no-abbrev "
				  "HEAD~3 HEAD | sed 's/ [ADMT]\\t/\\t/' | sort");

		assert_string_equal(ours, git);
		assert_non_null(strstr(ours, "tasks/bb/two.yaml"));
		free(ours);
		free(git);
	}
}

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

/* git's index lock held by a git process: nothing is committed, and the
 * lock is left alone; one a killed delegit recorded is cleared by the
 * next holder of delegit's lock. */
static void test_commit__a_busy_index_commits_nothing_and_a_stale_one_is_cleared(void **state)
{
	fixture *f = *state;
	dlg_signature sig = { "Kim Lee", "kim@msp.example", 1795000000 };
	dlg_commit_file file = { "a.txt", "one\n", 4 };
	char lock[4200], *head, *after;
	FILE *fp;
	int fd;

	commit_file(f, "b.txt", "base\n", "base", 1795000000);
	head = sh(f, "git rev-parse HEAD");
	snprintf(lock, sizeof(lock), "%s/.git/index.lock", f->dir);
	fp = fopen(lock, "w");
	fclose(fp);
	spit(f->dir, "a.txt", "one\n");
	assert_int_equal(dlg_repo_commit(NULL, f->repo, &file, 1, "one", &sig),
			 -1);
	assert_non_null(strstr(dlg_error_last(), "git is busy"));
	after = sh(f, "git rev-parse HEAD");
	assert_string_equal(head, after);
	free(after);
	assert_int_equal(access(lock, F_OK), 0); /* not ours: kept */
	unlink(lock);
	/* recorded as ours (a delegit killed holding it): cleared */
	fd = open(lock, O_WRONLY | O_CREAT | O_EXCL, 0666);
	assert_true(fd >= 0);
	dlg_sync__held(f->repo, lock, fd);
	close(fd);
	assert_int_equal(dlg_repo_lock(f->repo), 0);
	assert_int_equal(access(lock, F_OK), -1);
	assert_int_equal(dlg_repo_commit(NULL, f->repo, &file, 1, "one", &sig),
			 0);
	after = sh(f, "git status --porcelain");
	assert_string_equal(after, "");
	free(after);
	free(head);
}

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

/* A task of three quality standards, with stamps, in canonical form. */
static char *quality_task(const char *q1, const char *q3, const char *at,
			  const char *by)
{
	dlg_buf b = DLG_BUF_INIT;

	dlg_buf_printf(&b,
		       "format: 1\nid: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\n"
		       "title: Backups\nstatus: open\npriority: normal\n"
		       "delegator: dana\ncreated: 2026-11-25T09:12:00Z\n"
		       "updated: %s\nupdated_by: %s\nexpectations:\n"
		       "  quality:\n  - %s\n  - Alerts reach the phone.\n"
		       "  - %s\n", at, by, q1, q3);
	return dlg_buf_detach(&b);
}

/* Ordered lists (expectations.quality) merge by lines: edits of
 * different lines on the two sides are both kept, whichever side merges. */
static void test_merge__quality_edits_on_both_sides_are_both_kept(void **state)
{
	char *base = quality_task("Monitored.", "Tested monthly.",
				  "2026-11-25T09:12:00Z", "dana");
	char *a = quality_task("Monitored by Nagios.", "Tested monthly.",
			       "2026-11-26T09:00:00Z", "dana");
	char *b = quality_task("Monitored.", "Tested every week.",
			       "2026-11-26T10:00:00Z", "kim");
	dlg_buf ab = DLG_BUF_INIT, ba = DLG_BUF_INIT;
	dlg_diags d = DLG_DIAGS_INIT;
	const char *path = "tasks/0b/0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70.yaml";
	size_t n1 = 9, n2 = 9;

	(void)state;
	assert_int_equal(dlg_merge_texts(&ab, &n1, base, strlen(base), a,
					 strlen(a), b, strlen(b), path, &d), 0);
	assert_int_equal(dlg_merge_texts(&ba, &n2, base, strlen(base), b,
					 strlen(b), a, strlen(a), path, &d), 0);
	assert_string_equal(ab.ptr, ba.ptr);
	assert_int_equal(n1, 0);
	assert_int_equal(n2, 0);
	assert_non_null(strstr(ab.ptr, "  - Monitored by Nagios.\n"
				       "  - Alerts reach the phone.\n"
				       "  - Tested every week.\n"));
	dlg_buf_dispose(&ab);
	dlg_buf_dispose(&ba);
	dlg_diags_dispose(&d);
	free(base);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit__one_commit_per_change_seen_by_git, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__untouched_trees_are_shared_with_the_parent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__removal_and_hand_edits_elsewhere_stay_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__events_cache_damaged_or_foreign,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__reports_each_version_of_a_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_changes__as_git_diff_tree_sees_them, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__second_holder_waits_then_is_refused_and_a_dead_holder_lets_go, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__a_busy_index_commits_nothing_and_a_stale_one_is_cleared, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__a_lock_file_that_cannot_be_opened_is_an_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__a_recovery_that_fails_is_an_error_and_lets_the_lock_go, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__unlock_lets_go_while_a_forked_child_keeps_the_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock__refusals_leave_no_descriptor_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remote__url_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync__leaves_no_timer_armed, setup, teardown),
		cmocka_unit_test(test_merge__quality_edits_on_both_sides_are_both_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
