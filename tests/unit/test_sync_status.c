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
#include "sync/gitindex.h"
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

/* Bytes git's filters change (end of lines, ident) are hashed through
 * them, as libgit2's status hashes them: only touched, they are the
 * same; edited, not. */
static void test_status__filtered_bytes_are_hashed_through_the_filters(void **state)
{
	fixture *f = *state;

	free(sh(f, "git config core.autocrlf input && "
		   "echo 'tasks/bb/* ident' >.gitattributes && "
		   "printf 'first: 1\\r\\n' >tasks/aa/one.yaml && "
		   "printf 'id: $Id$ three\\n' >tasks/bb/three.yaml && "
		   "git add -A && git -c user.name=Kim "
		   "-c user.email=kim@msp.example commit -q -m filtered && "
		   "rm tasks/bb/three.yaml && git checkout tasks/bb/three.yaml && "
		   "grep -q 'Id: ' tasks/bb/three.yaml && "
		   "sleep 1 && touch tasks/aa/one.yaml tasks/bb/three.yaml"));
	assert_proven(f);
	free(sh(f, "printf 'first: 2\\r\\n' >tasks/aa/one.yaml"));
	assert_changed(f, "tasks/aa/one.yaml");
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


/* ---------------------------------------------------------------------
 * Review attacks: states where a proof must not be given.
 */

/* How many paths libgit2's own status lists under the folders (the
 * options dlg_repo_changed_paths uses, without the proof). */
static size_t libgit2_status(fixture *f)
{
	git_status_options o = GIT_STATUS_OPTIONS_INIT;
	git_status_list *list = NULL;
	size_t n, i;

	o.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	o.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
		  GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
		  GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	o.pathspec.strings = (char **)roots;
	o.pathspec.count = NROOTS;
	assert_int_equal(git_status_list_new(&list, f->repo->git, &o), 0);
	n = git_status_list_entrycount(list);
	for (i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);
		const git_diff_delta *d = e->index_to_workdir ? e->index_to_workdir
							    : e->head_to_index;
		print_message("  libgit2: %x %s\n", e->status,
			      d ? (d->new_file.path ? d->new_file.path
						    : d->old_file.path)
				: "?");
	}
	git_status_list_free(list);
	return n;
}

/* The attack's state: if a proof is given, neither git nor libgit2 may
 * list anything under the folders. */
static void assert_not_falsely_proven(fixture *f)
{
	char *out = git_status(f);
	size_t n = libgit2_status(f);
	int before = open_fds(), proof = unchanged(f), listed = *out || n;

	assert_int_equal(open_fds(), before); /* no descriptor left open */

	print_message("  git: '%s'; libgit2 lists %zu; proof %d\n", out, n,
		      proof);
	free(out);
	if (proof && listed)
		fail_msg("proven unchanged while git or libgit2 lists paths");
}

#define GIT_ID "git -c user.name=Kim -c user.email=kim@msp.example "

/* the folder itself a link to a copy of it (moved to another disk,
 * say): git sees every entry under tasks/ deleted and a new link. */
static void test_attack__folder_is_a_link(void **state)
{
	fixture *f = *state;

	free(sh(f, "mv tasks .tasks-real && ln -s .tasks-real tasks"));
	assert_not_falsely_proven(f);
}

/* the same, a copy (cp -a) behind the link. */
static void test_attack__folder_is_a_link_to_a_copy(void **state)
{
	fixture *f = *state;

	free(sh(f, "cp -a team .team-copy && rm -r team && "
		   "ln -s .team-copy team"));
	assert_not_falsely_proven(f);
}

/* a repository inside the folders whose .git is a file (a
 * separate git dir, a linked worktree, an absorbed submodule): git and
 * libgit2 list it as untracked. */
static void test_attack__nested_repository_with_a_gitfile(void **state)
{
	fixture *f = *state;

	free(sh(f, "git init -q --separate-git-dir=\"$PWD/.inner-git\" "
		   "tasks/bb/inner"));
	assert_not_falsely_proven(f);
}

/* its .git a link to the repository. */
static void test_attack__nested_repository_with_a_linked_git(void **state)
{
	fixture *f = *state;

	free(sh(f, "git init -q .inner2 && mkdir tasks/bb/inner2 && "
		   "ln -s ../../../.inner2/.git tasks/bb/inner2/.git"));
	assert_not_falsely_proven(f);
}

/* a link to a folder whose name an ignore pattern ending in '/'
 * names: git and libgit2 see a link (not a folder) and list it. */
static void test_attack__link_to_a_folder_named_by_a_dir_pattern(void **state)
{
	fixture *f = *state;

	free(sh(f, "echo 'cache/' >.gitignore && ln -s ../team tasks/cache"));
	assert_not_falsely_proven(f);
}

/* delegit's own commit adds a folder (its index edit makes no
 * cache-tree node for it) holding a copy of team/; then the copy is
 * edited and staged with git add. tasks/new/ has no node, and its team/
 * must not be taken for the top team/ node, valid and naming the same
 * tree as HEAD's tasks/new/team/. */
static void test_attack__node_zero_after_delegit_commit(void **state)
{
	fixture *f = *state;

	commit_file(f, "tasks/new/team/amy.yaml", "first: 1\n", "copy\n",
		    1795000000);
	free(sh(f, "printf 'first: 2\\n' >tasks/new/team/amy.yaml && "
		   "git add tasks/new/team/amy.yaml"));
	assert_not_falsely_proven(f);
}

/* the same with git alone: a new folder staged (no node), HEAD
 * moved with reset --soft to a commit that has it, a copy of team/. */
static void test_attack__node_zero_after_reset_soft(void **state)
{
	fixture *f = *state;

	free(sh(f, "mkdir -p tasks/new/team && "
		   "cp team/amy.yaml tasks/new/team/amy.yaml && "
		   "git add tasks/new && " GIT_ID "commit -q -m copy && "
		   "git reset -q --hard HEAD~1 && "
		   "mkdir -p tasks/new/team && "
		   "printf 'other: 1\\n' >tasks/new/team/amy.yaml && "
		   "git add tasks/new && git reset -q --soft HEAD@{1}"));
	assert_not_falsely_proven(f);
}
/* forge_stat's entry, the index's time set to the file's plus nsec
 * nanoseconds (in the same second when small). */
static void forge_stat_ns(fixture *f, const char *path, long nsec)
{
	char index[4200], file[4200];
	struct stat st;
	struct timespec times[2];

	forge_stat(f, path, 0);
	snprintf(index, sizeof(index), "%s/.git/index", f->dir);
	snprintf(file, sizeof(file), "%s/%s", f->dir, path);
	assert_int_equal(lstat(file, &st), 0);
	times[0] = times[1] = st.st_mtim;
	times[1].tv_nsec += nsec;
	assert_true(times[1].tv_nsec < 1000000000);
	assert_int_equal(utimensat(AT_FDCWD, index, times, 0), 0);
}

/* git (built without USE_NSEC, as Debian's is) calls an entry racy
 * when its time is in the index's second; so must the proof, not only
 * from the index's nanosecond on. Same stat data, other bytes, the index
 * written a few milliseconds after the file in the same second (what a
 * file system with whole-second times beside .git with nanosecond times
 * gives, say). */
static void test_attack__racy_in_the_same_second(void **state)
{
	fixture *f = *state;

	free(sh(f, "printf 'first: 9\\n' >tasks/aa/two.yaml && "
		   "touch -d '2026-01-02 03:04:05.100000000' tasks/aa/two.yaml"));
	forge_stat_ns(f, "tasks/aa/two.yaml", 5000000);
	assert_not_falsely_proven(f);
}

/* git's "racily smudged" entry: size 0 kept, the blob not empty.
 * git counts it changed whatever the stat data say. */
static void test_attack__smudged_size_zero(void **state)
{
	fixture *f = *state;

	free(sh(f, ": >tasks/aa/two.yaml"));
	forge_stat(f, "tasks/aa/two.yaml", 5);
	assert_not_falsely_proven(f);
}
/* ignore rules against untracked things of each kind: every pair
 * tried, each violation printed (a proof while git or libgit2 lists). */
static void test_attack__ignore_rules_matrix(void **state)
{
	fixture *f = *state;
	static const char *const rules[] = {
		"",
		"echo 'cache/' >.gitignore",
		"echo 'cache' >.gitignore",
		"echo '/tasks/cache/' >.gitignore",
		"echo 'tasks/cache' >.gitignore",
		"echo 'cache/' >tasks/.gitignore",
		"echo 'cache/' >.git/info/exclude",
		"printf 'cache/\\n!cache/x\\n' >.gitignore",
		"printf 'cache/*\\n!cache/x\\n' >.gitignore",
		"printf '*\\n!*/\\n' >.gitignore",
		"printf '*\\n!*/\\n!x\\n' >.gitignore",
		"printf '/*\\n!/tasks/\\n' >.gitignore",
		"printf 'tasks/*\\n!tasks/aa/\\n' >.gitignore",
		"printf 'aa/\\n!aa/new.yaml\\n' >tasks/.gitignore",
		"printf '**/cache/**\\n' >.gitignore",
		"printf 'cache/**\\n!cache/**/\\n' >.gitignore",
		"printf '.git\\n' >.gitignore",
		"printf 'x\\n' >.gitignore",
		"printf '*.yaml\\n' >.gitignore",
		"printf 'new.yaml/\\n' >.gitignore",
		"printf '\\\\#cache\\n' >.gitignore",
		"printf 'cache \\n' >.gitignore",
	};
	static const char *const things[] = {
		"printf 'x\\n' >tasks/aa/new.yaml",
		"printf 'x\\n' >tasks/cache",
		"ln -s ../team tasks/cache",
		"ln -s ../README.md tasks/cache",
		"ln -s nowhere tasks/cache",
		"mkdir tasks/cache && printf 'x\\n' >tasks/cache/x",
		"mkdir -p tasks/cache/deep && printf 'x\\n' >tasks/cache/deep/x",
		"mkdir tasks/cache",
		"mkfifo tasks/cache",
		"printf 'x\\n' >tasks/aa/.git",
		"git init -q --separate-git-dir=\"$PWD/.sep\" tasks/cache",
		"git init -q --separate-git-dir=\"$PWD/.sep\" tasks/cache && "
		"printf 'x\\n' >tasks/cache/x",
		"git init -q tasks/cache",
		"mkdir tasks/cache && ln -s ../../team tasks/cache/x",
		"printf 'x\\n' >'tasks/#cache'",
		"printf 'x\\n' >'tasks/cache '",
		"mkdir tasks/new.yaml && printf 'x\\n' >tasks/new.yaml/x",
	};
	size_t i, j, bad = 0;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		for (j = 0; j < sizeof(things) / sizeof(things[0]); j++) {
			char cmd[1024], *out;
			size_t n;
			int proof;

			snprintf(cmd, sizeof(cmd),
				 "rm -f .gitignore tasks/.gitignore "
				 ".git/info/exclude && { %s; } && { %s; }",
				 rules[i][0] ? rules[i] : ":", things[j]);
			free(sh(f, cmd));
			/* git_ignore caches nothing across calls; libgit2's
			 * attribute cache checks the files' stamps */
			out = git_status(f);
			n = libgit2_status(f);
			proof = unchanged(f);
			if (proof && (*out || n)) {
				print_message("VIOLATION rule [%s] thing [%s]: "
					      "git '%s', libgit2 %zu\n",
					      rules[i], things[j], out, n);
				bad++;
			}
			free(out);
			free(sh(f, "rm -rf tasks/cache tasks/aa/new.yaml "
				   "tasks/aa/.git .sep 'tasks/#cache' "
				   "'tasks/cache ' tasks/new.yaml .gitignore "
				   "tasks/.gitignore .git/info/exclude"));
		}
	assert_int_equal(bad, 0);
}
/* names whose order in a tree (a folder sorts as if its name ended
 * in '/') and in the index (whole paths) could differ: committed by git
 * they must be proven (else each sync pays), and a staged change deep
 * among them seen. */
static void test_attack__odd_names_order(void **state)
{
	fixture *f = *state;
	char *out;

	out = sh(f, "mkdir -p 'tasks/a' 'tasks/a b' 'tasks/a!' 'tasks/a.d' "
		    "'tasks/a-' tasks/é \"tasks/$(printf 'n\\tl')\" "
		    "\"tasks/$(printf 'x\\001y')\" && "
		    "for p in tasks/a.yaml tasks/a-b.yaml tasks/a0.yaml "
		    "tasks/a/x 'tasks/a b/x' 'tasks/a!/x' tasks/a.d/x "
		    "tasks/a-/x tasks/é/x \"tasks/$(printf 'n\\tl')/x\" "
		    "\"tasks/$(printf 'x\\001y')/x\" tasks/a~ "
		    "\"tasks/$(printf 'a\\377')\"; do printf 'v: 1\\n' >\"$p\"; done "
		    "&& find tasks -type f -exec touch -d '-1 minute' {} + && "
		    "git add -A && " GIT_ID "commit -q -m odd && "
		    "git status --porcelain | wc -l");
	assert_string_equal(out, "0");
	free(out);
	assert_not_falsely_proven(f);
	assert_int_equal(unchanged(f), 1);
	/* through a delegit commit too (the nodes invalid: the walk) */
	commit_file(f, "tasks/a/y", "v: 2\n", "y\n", 1795000000);
	assert_int_equal(unchanged(f), 1);
	free(sh(f, "printf 'v: 3\\n' >'tasks/a!/x' && git add 'tasks/a!/x' && "
		   "git checkout HEAD -- 'tasks/a!/x' 2>/dev/null; "
		   "git update-index --cacheinfo "
		   "100644,$(printf 'v: 3\\n' | git hash-object -w --stdin),"
		   "tasks/a.d/x"));
	assert_not_falsely_proven(f);
}

/* HEAD's trees unusual: detached, unborn, an empty tree, a link or
 * gitlink where the index has nothing, a blob where the index has a
 * folder, a folder where it has a blob. */
static void test_attack__unusual_heads(void **state)
{
	fixture *f = *state;

	free(sh(f, "git checkout -q --detach"));
	assert_proven(f);
	/* HEAD's tasks/ gains an empty tree and a gitlink (written with
	 * mktree), the index left as it was */
	free(sh(f, "T=$(git rev-parse HEAD:tasks) && "
		   "E=$(git mktree </dev/null) && "
		   "N=$( (git ls-tree HEAD:tasks; printf '040000 tree %s\\tempty\\n' $E; "
		   "printf '160000 commit %s\\tsub\\n' $(git rev-parse HEAD)) | "
		   "git mktree) && "
		   "R=$( (git ls-tree HEAD | grep -v '\ttasks$'; "
		   "printf '040000 tree %s\\ttasks\\n' $N) | git mktree) && "
		   "C=$(git commit-tree -p HEAD -m t $R) && "
		   "git update-ref HEAD $C"));
	assert_not_falsely_proven(f);
	/* only the empty tree: git sees nothing, nor should it matter */
	free(sh(f, "git update-ref HEAD HEAD~1 && T=$(git rev-parse HEAD:tasks) && "
		   "E=$(git mktree </dev/null) && "
		   "N=$( (git ls-tree HEAD:tasks; printf '040000 tree %s\\tempty\\n' $E) | "
		   "git mktree) && "
		   "R=$( (git ls-tree HEAD | grep -v '\ttasks$'; "
		   "printf '040000 tree %s\\ttasks\\n' $N) | git mktree) && "
		   "C=$(git commit-tree -p HEAD -m t $R) && "
		   "git update-ref HEAD $C"));
	assert_not_falsely_proven(f);
	/* a blob tasks/aa in HEAD, the folder in the index */
	free(sh(f, "git update-ref HEAD HEAD~1 && "
		   "B=$(git rev-parse HEAD:tasks/aa/one.yaml) && "
		   "N=$( (git ls-tree HEAD:tasks | grep -v '\taa$'; "
		   "printf '100644 blob %s\\taa\\n' $B) | git mktree) && "
		   "R=$( (git ls-tree HEAD | grep -v '\ttasks$'; "
		   "printf '040000 tree %s\\ttasks\\n' $N) | git mktree) && "
		   "C=$(git commit-tree -p HEAD -m t $R) && "
		   "git update-ref HEAD $C"));
	assert_not_falsely_proven(f);
	/* unborn */
	free(sh(f, "git update-ref HEAD HEAD~1 && git symbolic-ref HEAD refs/heads/none"));
	assert_not_falsely_proven(f);
}

/* Write bytes as .git/index, the checksum (SHA-1 of all before it)
 * appended. */
static void write_index(fixture *f, const unsigned char *bytes, size_t len)
{
	char index[4200];
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	int fd;

	snprintf(index, sizeof(index), "%s/.git/index", f->dir);
	assert_true(EVP_Digest(bytes, len, md, &mdlen, EVP_sha1(), NULL));
	assert_true((fd = open(index, O_WRONLY | O_TRUNC | O_CREAT, 0644)) >= 0);
	assert_int_equal(write(fd, bytes, len), (ssize_t)len);
	assert_int_equal(write(fd, md, 20), 20);
	close(fd);
}

/* the last entry's padding runs past the entries into the
 * checksum (its NUL the last byte before it): dlg_sync__index_entry_at
 * returns the padded length unchecked, entries_end lands after
 * ix->end, and parse_extensions' (size_t)(end - x) wraps: it reads an
 * "extension" out of the checksum and jumps by its length. The ctime's
 * nanoseconds varied until the checksum's byte there is 'A'..'Z'. */
static void test_attack__padding_past_the_end(void **state)
{
	fixture *f = *state;
	unsigned char b[12 + 62 + 7], md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
	uint32_t v;
	unsigned try;

	memset(b, 0, sizeof(b));
	memcpy(b, "DIRC", 4);
	v = htonl(2), memcpy(b + 4, &v, 4);
	v = htonl(1), memcpy(b + 8, &v, 4);
	v = htonl(0100644), memcpy(b + 12 + 24, &v, 4);
	b[12 + 61] = 6; /* flags: the name's length */
	memcpy(b + 12 + 62, "README", 7);
	/* entries_end = 12 + padded(68) = 84; the checksum starts at 81 */
	for (try = 0; try < 100000; try++) {
		v = htonl(try), memcpy(b + 12 + 4, &v, 4);
		assert_true(EVP_Digest(b, sizeof(b), md, &mdlen, EVP_sha1(),
				       NULL));
		if (md[84 - 81] >= 'A' && md[84 - 81] <= 'Z' &&
		    ((uint32_t)md[88 - 81] << 24 | (uint32_t)md[89 - 81] << 16) >
			    0x10000000)
			break;
	}
	write_index(f, b, sizeof(b));
	print_message("  try %u: reading an extension of %02x%02x%02x%02x bytes "
		      "after the checksum\n", try, md[88 - 81], md[89 - 81],
		      md[90 - 81], md[91 - 81]);
	assert_int_equal(unchanged(f), 0);
}

/* a header that claims 2^32-1 entries (the checksum made again):
 * list_entries callocs 24 bytes for each before reading one. */
static void test_attack__huge_entry_count(void **state)
{
	fixture *f = *state;
	unsigned char b[12];

	memcpy(b, "DIRC\0\0\0\2\xff\xff\xff\xff", 12);
	write_index(f, b, sizeof(b));
	assert_int_equal(unchanged(f), 0);
}
/* a dangling link where a folder would be (open() with a trailing slash
 * follows it and says ENOENT, which is not "no such folder"). */
static void test_attack__dangling_link_for_a_folder(void **state)
{
	fixture *f = *state;

	free(sh(f, "ln -s nowhere archive"));
	assert_not_falsely_proven(f);
}

/* a file named as a folder (no slash), staged, then removed. */
static void test_attack__file_named_as_a_folder(void **state)
{
	fixture *f = *state;

	free(sh(f, "echo x >archive && git add archive && rm archive"));
	assert_not_falsely_proven(f);
}
/* HEAD's tree names a file with a mode git writes no more (old
 * git's 100664) or a bad one (a collaborator's tool: 140644, 000644).
 * libgit2's status compares the raw mode and lists the path (git: T for
 * the bad ones); libgit2's git_tree_entry_filemode normalizes each to
 * 100644, which the proof must not take for HEAD's mode. */
static void test_attack__odd_modes_in_head(void **state)
{
	fixture *f = *state;
	static const char *const modes[] = { "100664", "100600", "140644",
					     "000644" };
	size_t i, bad = 0;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		char cmd[1024], *out;
		size_t n;
		int proof;

		snprintf(cmd, sizeof(cmd),
			 "B=$(git rev-parse HEAD:tasks/aa/one.yaml) && "
			 "AA=$( (git ls-tree HEAD:tasks/aa | grep -v 'one.yaml$'; "
			 "printf '%s blob %%s\\tone.yaml\\n' $B) | git mktree) && "
			 "T=$( (git ls-tree HEAD:tasks | grep -v 'aa$'; "
			 "printf '040000 tree %%s\\taa\\n' $AA) | git mktree) && "
			 "R=$( (git ls-tree HEAD | grep -v 'tasks$'; "
			 "printf '040000 tree %%s\\ttasks\\n' $T) | git mktree) && "
			 "C=$(" GIT_ID "commit-tree -p HEAD -m m $R) && "
			 "git update-ref HEAD $C", modes[i]);
		free(sh(f, cmd));
		out = git_status(f);
		n = libgit2_status(f);
		proof = unchanged(f);
		print_message("  mode %s: git '%s', libgit2 %zu, proof %d\n",
			      modes[i], out, n, proof);
		if (proof && (*out || n))
			bad++;
		free(out);
		free(sh(f, "git update-ref HEAD HEAD~1"));
	}
	assert_int_equal(bad, 0);
}
/* Held: states tried that must not (and do not) give a proof. */
static void test_attack__held_states(void **state)
{
	fixture *f = *state;
	static const char *const states[] = {
		/* a gitlink staged under the folders */
		"git update-index --add --cacheinfo 160000,$(git rev-parse HEAD),tasks/sub",
		/* a conflict under the folders (three stages) */
		"B=$(git rev-parse HEAD:tasks/aa/one.yaml) && "
		"printf '100644 %s 1\\ttasks/aa/one.yaml\\n100644 %s 2\\ttasks/aa/one.yaml\\n' $B $B | "
		"git update-index --index-info",
		/* intent to add */
		"printf 'x\\n' >tasks/aa/ita.yaml && git add -N tasks/aa/ita.yaml",
		/* assume-unchanged, then edited (git lists nothing; no proof is fine) */
		"git update-index --assume-unchanged tasks/aa/one.yaml && "
		"printf 'first: 11\\n' >tasks/aa/one.yaml",
		/* split index, then an edit */
		"git update-index --split-index && printf 'first: 11\\n' >tasks/aa/one.yaml",
		/* a fifo where a tracked file was */
		"rm tasks/aa/one.yaml && mkfifo tasks/aa/one.yaml",
		/* a folder emptied, its entries kept */
		"rm -r tasks/bb",
		/* the whole folder gone */
		"rm -r team",
		/* a file where a folder was */
		"rm -r tasks/bb && printf 'x\\n' >tasks/bb",
		/* a tracked file's folder become a link to a copy of it */
		"cp -a tasks/bb .bb && rm -r tasks/bb && ln -s ../.bb tasks/bb",
		/* a hard link to a tracked file, new */
		"ln tasks/aa/one.yaml tasks/aa/hard.yaml",
		/* an index entry with a path git would refuse (via index-info) */
		"printf '100644 %s 0\\ttasks//x.yaml\\n' $(git rev-parse HEAD:tasks/aa/one.yaml) | "
		"git update-index --index-info",
		/* HEAD moved back: the index's cache-tree valid for the newer commit */
		"printf 'first: 5\\n' >tasks/bb/three.yaml && sleep 1 && git add -A && "
		GIT_ID "commit -q -m n && git reset -q --soft HEAD~1",
		/* the same file's bytes put back with its times (cp -p): ctime tells */
		"cp -p tasks/aa/one.yaml .one && printf 'first: 2\\n' >tasks/aa/one.yaml && "
		"touch -r .one tasks/aa/one.yaml",
		/* the index checksum zeroed (index.skipHash's form) */
		"S=$(stat -c %s .git/index) && dd if=/dev/zero of=.git/index bs=1 count=20 "
		"seek=$((S-20)) conv=notrunc 2>/dev/null",
	};
	size_t i, bad = 0;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		char cmd[1024], *out;
		size_t n;
		int proof;

		snprintf(cmd, sizeof(cmd), "git reset -q --hard "
			 "$(git rev-list --max-parents=0 HEAD) 2>/dev/null; "
			 "git update-index --no-split-index; rm -f .git/sharedindex.*; "
			 "git read-tree HEAD && git reset -q --hard && "
			 "rm -rf .bb .one tasks/aa/hard.yaml tasks/aa/ita.yaml && { %s; }",
			 states[i]);
		free(sh(f, cmd));
		out = git_status(f);
		n = libgit2_status(f);
		proof = unchanged(f);
		print_message("  [%.60s]: git '%s', libgit2 %zu, proof %d\n",
			      states[i], out, n, proof);
		if (proof && (*out || n))
			bad++;
		free(out);
	}
	assert_int_equal(bad, 0);
}

/* ---------------------------------------------------------------------
 * A second review's attacks: a file's bytes, the walk in two threads.
 */

/* a smudged entry (size 0 kept, git's own doing: an edit of the same
 * size in the second the index was written) whose id is the first
 * 1114112 bytes (past DLG_MAX_FILE) of a file that has since grown: all
 * of the file must be hashed, not what a size-limited read returns. */
static void test_attack2__smudged_entry_past_the_read_limit(void **state)
{
	fixture *f = *state;

	free(sh(f, "A() { head -c 1114112 /dev/zero | tr '\\0' a; } && "
		   "A >tasks/aa/big.yaml && "
		   "touch -d @1700000000 tasks/aa/big.yaml && "
		   "git add tasks/aa/big.yaml && " GIT_ID "commit -q -m big && "
		   "head -c 1114112 /dev/zero | tr '\\0' b >tasks/aa/big.yaml && "
		   "touch -d @1700000000 tasks/aa/big.yaml .git/index && "
		   "git -c core.trustctime=false status --porcelain >/dev/null && "
		   "git ls-files --debug tasks/aa/big.yaml | grep -q 'size: 0' && "
		   "{ A; echo more; } >tasks/aa/big.yaml"));
	assert_not_falsely_proven(f);
}

/* a large file only touched: libgit2 hashes all of it and calls it
 * clean, and so does the proof (up to its own limit, 64 MiB). */
static void test_attack2__large_file_touched(void **state)
{
	fixture *f = *state;

	free(sh(f, "head -c 2000000 /dev/zero | tr '\\0' a >tasks/aa/big.yaml && "
		   "touch -d '-1 minute' tasks/aa/big.yaml && "
		   "git add tasks/aa/big.yaml && " GIT_ID "commit -q -m big && "
		   "sleep 1 && touch tasks/aa/big.yaml"));
	assert_int_equal(libgit2_status(f), 0);
	assert_int_equal(unchanged(f), 1);
}

/* core.safecrlf=true, a file with mixed endings committed before it was
 * set, touched. libgit2's status loads the filters with
 * GIT_FILTER_ALLOW_UNSAFE (no error) and calls it clean; so does the
 * proof, which loads them the same way. */
static void test_attack2__safecrlf_mixed_endings_touched(void **state)
{
	fixture *f = *state;

	free(sh(f, "git config core.autocrlf true && "
		   "printf 'a: 1\\r\\nb: 2\\n' >tasks/aa/one.yaml && "
		   "git add tasks/aa/one.yaml && " GIT_ID "commit -q -m mixed && "
		   "git config core.safecrlf true && "
		   "sleep 1 && touch tasks/aa/one.yaml"));
	assert_int_equal(libgit2_status(f), 0);
	assert_int_equal(unchanged(f), 1);
}

/* attributes libgit2 1.5 does not act on: a filter driver it
 * has not registered, working-tree-encoding. libgit2 hashes the raw
 * bytes (as the shortcut does); git CLI runs the driver / re-encodes.
 * A proof only if libgit2 lists nothing. */
static void test_attack2__unknown_filter_and_encoding(void **state)
{
	fixture *f = *state;

	/* an unknown driver, bytes with a CR (hashfile) and without */
	free(sh(f, "printf 'tasks/** filter=nosuch\\n' >.gitattributes && "
		   "git config filter.nosuch.clean 'tr a-z A-Z' && "
		   "printf 'x: 1\\r\\n' >tasks/aa/one.yaml && "
		   "printf 'y: 1\\n' >tasks/aa/two.yaml && "
		   "git add -A && " GIT_ID "commit -q -m f && "
		   "git config --unset filter.nosuch.clean && "
		   "sleep 1 && touch tasks/aa/one.yaml tasks/aa/two.yaml"));
	assert_not_falsely_proven(f);
	/* a driver git runs on add (upper-cases): the blob is not the
	 * file's bytes; libgit2 lists it after a touch */
	free(sh(f, "git config filter.nosuch.clean 'tr a-z A-Z' && "
		   "printf 'z: 1\\n' >tasks/bb/three.yaml && "
		   "git add -A && " GIT_ID "commit -q -m g && "
		   "sleep 1 && touch tasks/bb/three.yaml"));
	assert_not_falsely_proven(f);
	/* working-tree-encoding: the work tree UTF-16, the blob UTF-8 */
	free(sh(f, "rm .gitattributes && git config --unset filter.nosuch.clean; "
		   "printf 'team/* working-tree-encoding=UTF-16LE\\n' >.gitattributes && "
		   "printf 'amy: 1\\r\\n' >team/amy.yaml && git add -A && "
		   GIT_ID "commit -q -m e && sleep 1 && touch team/amy.yaml"));
	assert_not_falsely_proven(f);
}

/* many subfolders (both walkers busy): committed, proven; then one
 * change of each kind in one of them, each seen, over several runs
 * (the share of folders between the threads varies). */
static void test_attack2__many_subfolders_two_walkers(void **state)
{
	fixture *f = *state;
	static const char *const edits[] = {
		"printf 'v: 22\\n' >tasks/d137/f3.yaml",
		"rm tasks/d250/f0.yaml",
		"printf 'x\\n' >tasks/d7/deep/new.yaml",
		"rm -r tasks/d199",
		"printf 'v: 2\\n' >tasks/d42/f1.yaml",
		"chmod +x archive/d3/f2.yaml",
	};
	size_t i, run;
	char cmd[512];

	free(sh(f, "for d in $(seq 0 299); do mkdir -p tasks/d$d archive/d$((d % 7)) && "
		   "for i in 0 1 2 3; do printf 'v: 1\\n' >tasks/d$d/f$i.yaml; done; "
		   "printf 'v: 1\\n' >archive/d$((d % 7))/f$((d % 5)).yaml; done && "
		   "mkdir -p tasks/d7/deep && printf 'v: 1\\n' >tasks/d7/deep/g.yaml && "
		   "find tasks archive -type f -exec touch -d '-1 minute' {} + && "
		   "git add -A && " GIT_ID "commit -q -m many"));
	for (run = 0; run < 5; run++)
		assert_proven(f);
	for (i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		snprintf(cmd, sizeof(cmd),
			 "git reset -q --hard && git clean -qfd && { %s; }",
			 edits[i]);
		free(sh(f, cmd));
		for (run = 0; run < 3; run++)
			assert_not_falsely_proven(f);
		assert_int_equal(unchanged(f), 0);
	}
}

/* the same folder named twice: its subfolders are shared out twice
 * and the two walkers may walk one folder at once, both writing its
 * entries' seen (a data race; ThreadSanitizer reports it). The answer
 * is still 0 (each entry counted twice). More than 8 folders: 0. */
static void test_attack2__repeated_and_many_prefixes(void **state)
{
	fixture *f = *state;
	static const char *const twice[] = { "tasks/", "tasks/" };
	static const char *const nine[] = { "tasks/", "team/", ".delegit/",
					    "archive/", "a1/", "a2/", "a3/",
					    "a4/", "a5/" };
	int i;

	for (i = 0; i < 50; i++)
		assert_int_equal(dlg_sync__worktree_unchanged(f->repo, twice, 2),
				 0);
	assert_int_equal(dlg_sync__worktree_unchanged(f->repo, nine, 9), 0);
}

/* A tracked file flipped, by another process, between two states neither
 * of which is clean: an edit of the same size (a regular file, a new
 * inode: its bytes must tell) and a link to a copy of HEAD's bytes (a
 * type change). The bytes read must be the file's the walk stat'ed. (The
 * proofs are counted once the other process has changed the file.) */
static void test_attack2__file_flipped_to_a_link_during_the_walk(void **state)
{
	fixture *f = *state;
	int run, proofs = 0;

	free(sh(f, "for d in $(seq 0 199); do mkdir -p tasks/d$d && "
		   "printf 'v: 1\\n' >tasks/d$d/f.yaml; done && "
		   "find tasks -type f -exec touch -d '-1 minute' {} + && "
		   "git add -A && " GIT_ID "commit -q -m many && "
		   "cp tasks/aa/one.yaml .orig && printf 'first: 2\\n' >.edit"));
	/* (the loop alone in the background) */
	free(sh(f, "( while [ ! -e .stop ]; do cp .edit .x && "
		   "mv -f .x tasks/aa/one.yaml && ln -s ../../.orig .l && "
		   "mv -f .l tasks/aa/one.yaml; done ) "
		   ">/dev/null 2>&1 </dev/null & echo"));
	/* (sh's "cd DIR &&" went to the background with it) */
	free(sh(f, "i=0; while [ ! -L tasks/aa/one.yaml ] && [ $i -lt 1000 ] "
		   "&& cmp -s .orig tasks/aa/one.yaml; do sleep 0.01; "
		   "i=$((i+1)); done"));
	for (run = 0; run < 200; run++)
		proofs += unchanged(f);
	free(sh(f, "touch .stop && sleep 0.3 && rm -f tasks/aa/one.yaml && "
		   "git checkout -q tasks/aa/one.yaml"));
	assert_int_equal(proofs, 0);
}

/* a subfolder removed and put back by another process while the
 * walk runs (its openat fails: ENOENT), in a state never clean (an edit
 * in it): no proof, no descriptor left open. */
static void test_attack2__subfolder_vanishing_during_the_walk(void **state)
{
	fixture *f = *state;
	int run, proofs = 0, before;

	free(sh(f, "for d in $(seq 0 199); do mkdir -p tasks/d$d && "
		   "printf 'v: 1\\n' >tasks/d$d/f.yaml; done && "
		   "find tasks -type f -exec touch -d '-1 minute' {} + && "
		   "git add -A && " GIT_ID "commit -q -m many && "
		   "printf 'first: 22\\n' >tasks/bb/three.yaml"));
	/* (the loop alone in the background) */
	free(sh(f, "( while [ ! -e .stop ]; do mv tasks/d100 .d100 && "
		   "mv .d100 tasks/d100; done ) >/dev/null 2>&1 </dev/null & "
		   "echo"));
	before = open_fds();
	for (run = 0; run < 150; run++)
		proofs += unchanged(f);
	assert_int_equal(open_fds(), before);
	free(sh(f, "touch .stop && sleep 0.3"));
	assert_int_equal(proofs, 0);
}

/* A cache-tree node's head, as index.c and status.c both read it: digits
 * only (strtol took a sign, blanks and a newline before a number), a
 * count of -1 or more, at most TREE_MAX_SUBTREES subtrees, the id there
 * when the count is not -1. */
static void test_status__cache_tree_heads_are_read_strictly(void **state)
{
	static const struct {
		const char *head;
		size_t len;	 /* of head */
		size_t want; /* 0: damaged */
	} cases[] = {
		{ "\0-1 0\n", 6, 6 },
		{ "tasks\0" "12 3\n", 11, 11 },
		{ "tasks\0" "0 0\n", 10, 10 },
		{ "tasks\0" "+12 3\n", 12, 0 },
		{ "tasks\0" " 12 3\n", 12, 0 },
		{ "tasks\0" "\n12 3\n", 12, 0 },
		{ "tasks\0" "12  3\n", 12, 0 },
		{ "tasks\0" "12 -3\n", 12, 0 },
		{ "tasks\0" "-2 3\n", 11, 0 },
		{ "tasks\0" "12 3", 10, 0 },
		{ "tasks\0" "12 3x\n", 12, 0 },
		{ "tasks\0" "12 100001\n", 16, 0 },
		{ "tasks\0" "12 100000\n", 16, 16 },
		{ "tasks\0" "99999999999 1\n", 20, 0 },
		{ "tasks", 5, 0 },
	};
	unsigned char buf[64];
	size_t i, namelen;
	long count, subtrees;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* the id after the head, but for the last case's */
		memset(buf, 'i', sizeof(buf));
		memcpy(buf, cases[i].head, cases[i].len);
		assert_int_equal(dlg_sync__tree_node_head(buf, buf + cases[i].len +
								  OID_SIZE,
							  &namelen, &count,
							  &subtrees),
				 cases[i].want);
	}
	/* a valid count and no room for the id: damaged; -1 needs none */
	memcpy(buf, "a\0" "1 0\n", 6);
	assert_int_equal(dlg_sync__tree_node_head(buf, buf + 6 + OID_SIZE - 1,
						  &namelen, &count, &subtrees),
			 0);
	memcpy(buf, "a\0" "-1 2\n", 7);
	assert_int_equal(dlg_sync__tree_node_head(buf, buf + 7, &namelen,
						  &count, &subtrees), 7);
	assert_int_equal(namelen, 1);
	assert_int_equal(count, -1);
	assert_int_equal(subtrees, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status__cache_tree_heads_are_read_strictly),
		cmocka_unit_test_setup_teardown(test_status__committed_by_git_is_proven,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__committed_by_delegit_is_proven,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__touched_ignored_and_outside_are_proven,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_status__filtered_bytes_are_hashed_through_the_filters,
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
		cmocka_unit_test_setup_teardown(test_attack__folder_is_a_link,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__folder_is_a_link_to_a_copy,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__nested_repository_with_a_gitfile,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__nested_repository_with_a_linked_git,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__link_to_a_folder_named_by_a_dir_pattern,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__node_zero_after_delegit_commit,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__node_zero_after_reset_soft,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__racy_in_the_same_second,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__smudged_size_zero,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__ignore_rules_matrix,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__odd_names_order,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__unusual_heads,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__padding_past_the_end,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__huge_entry_count,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__dangling_link_for_a_folder,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__file_named_as_a_folder,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__odd_modes_in_head,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack__held_states,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack2__smudged_entry_past_the_read_limit,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack2__large_file_touched,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack2__safecrlf_mixed_endings_touched,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack2__unknown_filter_and_encoding,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack2__many_subfolders_two_walkers,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack2__repeated_and_many_prefixes,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack2__file_flipped_to_a_link_during_the_walk,
						setup_committed, teardown),
		cmocka_unit_test_setup_teardown(test_attack2__subfolder_vanishing_during_the_walk,
						setup_committed, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
