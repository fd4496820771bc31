/* sync/status.c: "nothing under delegit's folders differs from HEAD",
 * proven from the index's bytes. Each way a path can differ — in the work
 * tree, in the index, in HEAD — is made with the real git CLI, and the
 * proof must not be given while git's own status lists the path; the
 * states git calls clean (a file only touched, an ignored file, a change
 * outside the folders) must be proven, or every sync would pay for
 * libgit2's status again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "sync/sync.h"
#include "sync/sync_internal.h"
#include "sync_helpers.h"

static const char *const roots[] = { "tasks/", "team/", ".delegit/",
				     "archive/" };
#define NROOTS (sizeof(roots) / sizeof(roots[0]))

static const char *const files[] = {
	"tasks/aa/one.yaml", "tasks/aa/two.yaml", "tasks/bb/three.yaml",
	"team/amy.yaml", ".delegit/policy.yaml", "README.md",
};

/* Each file written a while ago (so that no entry is racily clean) and
 * committed by git, whose index then has a full, valid cache-tree. */
static int setup_committed(void **state)
{
	fixture *f;
	size_t i;
	char *out;

	if (setup(state) < 0)
		return -1;
	f = *state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		spit(f->dir, files[i], "first: 1\n");
	out = sh(f, "git -c user.name=Kim -c user.email=kim@msp.example add -A "
		    "&& touch -d '-1 minute' tasks/*/*.yaml team/* .delegit/* "
		    "README.md && git add -A && "
		    "git -c user.name=Kim -c user.email=kim@msp.example "
		    "commit -q -m first && git status --porcelain");
	assert_string_equal(out, "");
	free(out);
	return 0;
}

static int unchanged(fixture *f)
{
	return dlg_sync__worktree_unchanged(f->repo, roots, NROOTS);
}

/* What git's own status says of the folders, untracked files listed (and
 * the index not refreshed, as git status would otherwise do). */
static char *git_status(fixture *f)
{
	return sh(f, "git --no-optional-locks status --porcelain "
		     "--untracked-files=all -- tasks team .delegit archive");
}

/* The state is proven clean, and git agrees. */
static void assert_proven(fixture *f)
{
	char *out = git_status(f);

	assert_string_equal(out, "");
	free(out);
	assert_int_equal(unchanged(f), 1);
}

/* git lists path as changed; no proof is given, and the hand-edit check
 * (libgit2's status then) finds path. */
static void assert_changed(fixture *f, const char *path)
{
	char *out = git_status(f);
	char **paths;
	size_t n, i;
	int found = 0;

	if (!strstr(out, path))
		fail_msg("git status does not list %s: '%s'", path, out);
	free(out);
	assert_int_equal(unchanged(f), 0);
	assert_int_equal(dlg_repo_changed_paths(&paths, &n, f->repo, roots,
						NROOTS), 0);
	for (i = 0; i < n; i++)
		found |= !strcmp(paths[i], path);
	dlg_strv_free(paths, n);
	assert_true(found);
}

static void test_status__committed_by_git_is_proven(void **state)
{
	assert_proven(*state);
}

/* The index as delegit's own commit leaves it (edited as bytes, the
 * changed folders' cache-tree nodes invalid), compared with HEAD's
 * trees. */
static void test_status__committed_by_delegit_is_proven(void **state)
{
	fixture *f = *state;

	commit_file(f, "tasks/aa/one.yaml", "second: 2\n", "second\n",
		    1795000000);
	commit_file(f, "tasks/cc/four.yaml", "new: 1\n", "new\n", 1795000001);
	commit_file(f, "tasks/bb/three.yaml", NULL, "gone\n", 1795000002);
	unlink_in(f->dir, "tasks/bb/three.yaml");
	assert_proven(f);
}

/* Only touched: the stat data differ, the bytes not; git hashes and
 * calls it clean, so must this. An ignored file, and any change outside
 * the folders, change nothing either. */
static void test_status__touched_ignored_and_outside_are_proven(void **state)
{
	fixture *f = *state;

	free(sh(f, "touch tasks/aa/one.yaml team/amy.yaml"));
	assert_proven(f);
	free(sh(f, "echo '*.swp' >.gitignore && echo x >tasks/aa/.one.swp && "
		   "mkdir -p tasks/empty"));
	assert_proven(f);
	spit(f->dir, "README.md", "changed, and not delegit's\n");
	spit(f->dir, "notes.txt", "new, and not delegit's\n");
	assert_proven(f);
}

/* The same size, the time put back: the change time still tells. (A
 * second later: git, the witness here, compares whole seconds.) */
static void test_status__an_edit_of_the_same_size_is_seen(void **state)
{
	fixture *f = *state;

	free(sh(f, "sleep 1 && touch -r tasks/aa/one.yaml .git/t && "
		   "printf 'first: 2\\n' >tasks/aa/one.yaml && "
		   "touch -r .git/t tasks/aa/one.yaml"));
	assert_changed(f, "tasks/aa/one.yaml");
}

static void test_status__an_edit_of_another_size_is_seen(void **state)
{
	fixture *f = *state;

	spit(f->dir, "team/amy.yaml", "first: 12\n");
	assert_changed(f, "team/amy.yaml");
}

static void test_status__a_removed_file_is_seen(void **state)
{
	fixture *f = *state;

	unlink_in(f->dir, ".delegit/policy.yaml");
	assert_changed(f, ".delegit/policy.yaml");
}

static void test_status__new_files_are_seen(void **state)
{
	fixture *f = *state;

	spit(f->dir, "tasks/aa/new.yaml", "new: 1\n");
	assert_changed(f, "tasks/aa/new.yaml");
	unlink_in(f->dir, "tasks/aa/new.yaml");
	assert_proven(f);
	spit(f->dir, "archive/2026/old.yaml", "old: 1\n");
	assert_changed(f, "archive/2026/old.yaml");
	unlink_in(f->dir, "archive/2026/old.yaml");
	spit(f->dir, "tasks/aa/.delegit-tmp-one.yaml", "half\n");
	assert_changed(f, "tasks/aa/.delegit-tmp-one.yaml");
}

/* Staged (the work tree as the index), unstaged (git rm --cached), HEAD
 * moved back under an index git's commit left: each differs from HEAD. */
static void test_status__the_index_against_head_is_seen(void **state)
{
	fixture *f = *state;

	spit(f->dir, "tasks/bb/three.yaml", "staged: 1\n");
	free(sh(f, "git add tasks/bb/three.yaml"));
	assert_changed(f, "tasks/bb/three.yaml");
	free(sh(f, "git reset -q --hard && git rm -q --cached team/amy.yaml"));
	assert_changed(f, "team/amy.yaml");
	/* a file added, after HEAD's in its folder or in a folder HEAD has
	 * not; a file renamed, its bytes the same */
	spit(f->dir, "tasks/aa/zz.yaml", "new: 1\n");
	free(sh(f, "git reset -q && git add tasks/aa/zz.yaml"));
	assert_changed(f, "tasks/aa/zz.yaml");
	free(sh(f, "git reset -q && rm tasks/aa/zz.yaml && "
		   "git mv tasks/aa/one.yaml tasks/aa/one2.yaml"));
	assert_changed(f, "tasks/aa/one2.yaml");
	spit(f->dir, "archive/2026/old.yaml", "old: 1\n");
	free(sh(f, "git reset -q --hard && "
		   "git add archive/2026/old.yaml"));
	assert_changed(f, "archive/2026/old.yaml");
	/* the mode staged, the work tree as the index */
	free(sh(f, "git rm -q -f --cached archive/2026/old.yaml && "
		   "rm -r archive && chmod +x tasks/aa/one.yaml && "
		   "git add tasks/aa/one.yaml"));
	assert_changed(f, "tasks/aa/one.yaml");
	free(sh(f, "git reset -q --hard"));
	assert_proven(f);
	/* committed by git (the cache-tree valid, naming the new trees),
	 * then HEAD put back: index and work tree as they were committed */
	free(sh(f, "git reset -q && "
		   "printf 'first: 33\\n' >tasks/aa/two.yaml && "
		   "touch -d '-1 minute' tasks/aa/two.yaml && "
		   "git -c user.name=Kim -c user.email=kim@msp.example "
		   "commit -q -a -m two && git reset -q --soft HEAD~1"));
	assert_changed(f, "tasks/aa/two.yaml");
}

/* A change of mode, a link or a folder where a file was, a repository
 * inside the folders: no proof. */
static void test_status__modes_links_and_folders_are_seen(void **state)
{
	fixture *f = *state;

	free(sh(f, "chmod +x tasks/aa/one.yaml"));
	assert_changed(f, "tasks/aa/one.yaml");
	free(sh(f, "chmod -x tasks/aa/one.yaml && rm team/amy.yaml && "
		   "ln -s ../README.md team/amy.yaml"));
	assert_changed(f, "team/amy.yaml");
	free(sh(f, "rm team/amy.yaml && git checkout -q team/amy.yaml && "
		   "rm tasks/bb/three.yaml && mkdir tasks/bb/three.yaml && "
		   "echo x >tasks/bb/three.yaml/x"));
	assert_changed(f, "tasks/bb/three.yaml");
	/* an executable file become a link to the same bytes (the link as
	 * long as the file) */
	free(sh(f, "rm -r tasks/bb/three.yaml && "
		   "git checkout -q tasks/bb/three.yaml && "
		   "chmod +x tasks/aa/two.yaml && git -c user.name=Kim "
		   "-c user.email=kim@msp.example commit -q -a -m x && "
		   "cp tasks/aa/two.yaml x12 && rm tasks/aa/two.yaml && "
		   "ln -s ../../x12 tasks/aa/two.yaml"));
	assert_changed(f, "tasks/aa/two.yaml");
	free(sh(f, "rm tasks/aa/two.yaml && "
		   "git checkout -q tasks/aa/two.yaml && "
		   "git init -q tasks/bb/inner && echo x >tasks/bb/inner/x"));
	assert_changed(f, "tasks/bb/inner/");
}

/* The entry for path given the file's stat data now, as if git had
 * taken it after an edit it did not hash (its id kept); the index's
 * checksum made again, and its time set to when (seconds after the
 * file's). */
static void forge_stat(fixture *f, const char *path, int when)
{
	char index[4200], file[4200];
	unsigned char *map, md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	struct stat st, ist;
	struct timespec times[2];
	size_t size, plen = strlen(path);
	unsigned char *p;
	int fd;
	uint32_t v[10];

	snprintf(index, sizeof(index), "%s/.git/index", f->dir);
	snprintf(file, sizeof(file), "%s/%s", f->dir, path);
	assert_int_equal(lstat(file, &st), 0);
	assert_true((fd = open(index, O_RDWR)) >= 0);
	assert_int_equal(fstat(fd, &ist), 0);
	size = (size_t)ist.st_size;
	map = malloc(size);
	assert_int_equal(read(fd, map, size), (ssize_t)size);
	/* the entry: 62 bytes, then its path (version 2) */
	for (p = map + 12; p + 62 + plen < map + size; p++)
		if (!memcmp(p + 62, path, plen + 1) && p[60] == 0)
			break;
	assert_true(p + 62 + plen < map + size);
	v[0] = htonl((uint32_t)st.st_ctim.tv_sec);
	v[1] = htonl((uint32_t)st.st_ctim.tv_nsec);
	v[2] = htonl((uint32_t)st.st_mtim.tv_sec);
	v[3] = htonl((uint32_t)st.st_mtim.tv_nsec);
	v[4] = htonl((uint32_t)st.st_dev);
	v[5] = htonl((uint32_t)st.st_ino);
	v[6] = htonl(0100644);
	v[7] = htonl((uint32_t)st.st_uid);
	v[8] = htonl((uint32_t)st.st_gid);
	v[9] = htonl((uint32_t)st.st_size);
	memcpy(p, v, sizeof(v));
	assert_true(EVP_Digest(map, size - 20, md, &mdlen, EVP_sha1(), NULL));
	memcpy(map + size - 20, md, 20);
	assert_int_equal(pwrite(fd, map, size, 0), (ssize_t)size);
	close(fd);
	free(map);
	times[0] = times[1] = st.st_mtim;
	times[1].tv_sec += when;
	assert_int_equal(utimensat(AT_FDCWD, index, times, 0), 0);
}

/* An edit in the tick the index took the file's stat data: the same
 * stat data, other bytes. git and this file trust stat data only when
 * the index was written after the file's time ("racy" entries). */
static void test_status__a_racy_entry_is_hashed(void **state)
{
	fixture *f = *state;

	spit(f->dir, "tasks/aa/two.yaml", "first: 9\n");
	forge_stat(f, "tasks/aa/two.yaml", 0);
	assert_changed(f, "tasks/aa/two.yaml");
	/* written later: the stat data are trusted, as git trusts them
	 * (which is why racy entries are hashed) */
	forge_stat(f, "tasks/aa/two.yaml", 5);
	assert_int_equal(unchanged(f), 1);
}

/* Indexes not judged here: left to libgit2, whose status still answers. */
static void test_status__indexes_not_judged_here_are_left_to_libgit2(void **state)
{
	fixture *f = *state;
	char **paths;
	size_t n;

	/* damaged: the checksum no longer holds */
	free(sh(f, "cp .git/index .git/index.good && printf 'X' | dd "
		   "of=.git/index bs=1 seek=100 conv=notrunc 2>/dev/null"));
	assert_int_equal(unchanged(f), 0);
	free(sh(f, "mv .git/index.good .git/index"));
	assert_proven(f);
	free(sh(f, "git update-index --index-version 4"));
	assert_int_equal(unchanged(f), 0);
	free(sh(f, "git update-index --index-version 2 && "
		   "git update-index --skip-worktree team/amy.yaml"));
	assert_int_equal(unchanged(f), 0);
	free(sh(f, "git update-index --no-skip-worktree team/amy.yaml && "
		   "git config core.ignorecase true"));
	assert_int_equal(unchanged(f), 0);
	free(sh(f, "git config core.ignorecase false && rm .git/index"));
	assert_int_equal(unchanged(f), 0);
	/* ... and libgit2 sees every file as new and HEAD's as removed */
	assert_int_equal(dlg_repo_changed_paths(&paths, &n, f->repo, roots,
						NROOTS), 0);
	assert_true(n >= 5);
	dlg_strv_free(paths, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_status__committed_by_git_is_proven,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__committed_by_delegit_is_proven,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__touched_ignored_and_outside_are_proven,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__an_edit_of_the_same_size_is_seen,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__an_edit_of_another_size_is_seen,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__a_removed_file_is_seen,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__new_files_are_seen,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__the_index_against_head_is_seen,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__modes_links_and_folders_are_seen,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__a_racy_entry_is_hashed,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__indexes_not_judged_here_are_left_to_libgit2,
						setup_committed, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
