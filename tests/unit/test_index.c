/* sync/index.c: git's index edited as bytes, on indexes git itself
 * crafted (versions 2, 3 and 4, long paths, extended flags, the TREE and
 * other extensions). What it writes is compared with what git's own
 * update-index writes from the same work tree, and read back by libgit2. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <git2.h>
#include <sys/time.h>

#include "sync/sync.h"
#include "sync/sync_internal.h"
#include "helpers.h"

typedef struct {
	char *dir;
	dlg_repo *repo;
} fixture;

/* A long path, in components a file system takes: 17 of 250 bytes. */
static char long_path[17 * 251 + 8];

static int sh(const char *dir, const char *fmt, ...)
{
	char cmd[16384];
	int n;
	va_list ap;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ", dir);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* A file written with an mtime well in the past, so that no entry is
 * racily clean (git would write those with size 0). */
static void put_file(const char *dir, const char *rel, const char *text)
{
	char path[8192];
	struct timeval old[2];

	spit(dir, rel, text);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	gettimeofday(&old[0], NULL);
	old[0].tv_sec -= 100;
	old[1] = old[0];
	utimes(path, old);
}

/* A repository with a/x, a/y, b/z, top and the long path (its blob only),
 * committed by git, so that the index has a full, valid TREE. */
static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	size_t i;

	for (i = 0; i < 17; i++) {
		memset(long_path + i * 251, 'd', 250);
		long_path[i * 251 + 250] = '/';
	}
	strcpy(long_path + 17 * 251, "long");
	f->dir = tmpdir_new();
	put_file(f->dir, "a/x", "x\n");
	put_file(f->dir, "a/y", "y\n");
	put_file(f->dir, "b/z", "z\n");
	put_file(f->dir, "top", "top\n");
	if (sh(f->dir, "git init -q && git config user.name t && "
		       "git config user.email t@t && git add . && "
		       "git update-index --add --cacheinfo 100644,"
		       "$(echo long | git hash-object -w --stdin),%s && "
		       "git commit -qm start",
	       long_path) ||
	    dlg_repo_open(&f->repo, f->dir) < 0)
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

static void blob_id(git_oid *out, const char *text)
{
	assert_int_equal(git_odb_hash(out, text, strlen(text), GIT_OBJECT_BLOB),
			 0);
}

/* The edit: a/x changed, d/.../e added (a new directory, a path of 300
 * bytes), b/z removed; on disk first, as a delegit commit has it. */
#define NEW_PATH                                                           \
	"n/eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" \
	"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" \
	"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee" \
	"/fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" \
	"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" \
	"/new"

static int edit(fixture *f)
{
	dlg_commit_file files[3] = { { "a/x", "x2\n", 3 },
				     { NEW_PATH, "new\n", 4 },
				     { "b/z", NULL, 0 } };
	git_oid ids[3];
	char path[4200];

	put_file(f->dir, "a/x", "x2\n");
	put_file(f->dir, NEW_PATH, "new\n");
	snprintf(path, sizeof(path), "%s/b/z", f->dir);
	unlink(path);
	blob_id(&ids[0], "x2\n");
	blob_id(&ids[1], "new\n");
	memset(&ids[2], 0, sizeof(ids[2]));
	return dlg_sync__index_update(f->repo, -1, files, ids, 3);
}

/* What git's update-index writes from the index as it was before the
 * edit (kept in index.before) and the same work tree. */
static char *git_writes(fixture *f, size_t *len)
{
	char path[4200];

	assert_int_equal(sh(f->dir, "GIT_INDEX_FILE=.git/index.git && "
				    "export GIT_INDEX_FILE && "
				    "cp .git/index.before $GIT_INDEX_FILE && "
				    "git update-index --add --remove a/x b/z "
				    NEW_PATH),
			 0);
	snprintf(path, sizeof(path), "%s/.git/index.git", f->dir);
	return slurp(path, len);
}

static char *index_bytes(fixture *f, size_t *len)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/.git/index", f->dir);
	return slurp(path, len);
}

/* libgit2 reads both the same: every entry's path, id, mode, size and
 * flags (its read checks the trailing checksum). */
static void libgit2_agrees(fixture *f)
{
	git_index *ours, *gits;
	char path[4200];
	size_t i;

	snprintf(path, sizeof(path), "%s/.git/index", f->dir);
	assert_int_equal(git_index_open(&ours, path), 0);
	snprintf(path, sizeof(path), "%s/.git/index.git", f->dir);
	assert_int_equal(git_index_open(&gits, path), 0);
	assert_int_equal(git_index_entrycount(ours), git_index_entrycount(gits));
	for (i = 0; i < git_index_entrycount(ours); i++) {
		const git_index_entry *a = git_index_get_byindex(ours, i);
		const git_index_entry *b = git_index_get_byindex(gits, i);

		assert_string_equal(a->path, b->path);
		assert_true(git_oid_equal(&a->id, &b->id));
		assert_int_equal(a->mode, b->mode);
		assert_int_equal(a->file_size, b->file_size);
		assert_int_equal(a->mtime.seconds, b->mtime.seconds);
		assert_int_equal(a->ino, b->ino);
		assert_int_equal(a->flags, b->flags);
		assert_int_equal(a->flags_extended, b->flags_extended);
	}
	git_index_free(gits);
	git_index_free(ours);
}

/* The edit written as git writes it, byte for byte (entries, stat data,
 * TREE invalidated along the changed paths, checksum), and git finds the
 * work tree clean and the cache-tree true. */
static void edit_as_git_does(fixture *f)
{
	size_t ours_len, gits_len;
	char *ours, *gits;

	assert_int_equal(sh(f->dir, "cp .git/index .git/index.before"), 0);
	assert_int_equal(edit(f), 0);
	gits = git_writes(f, &gits_len);
	ours = index_bytes(f, &ours_len);
	if (ours_len != gits_len || memcmp(ours, gits, ours_len))
		sh(f->dir, "git ls-files -s --debug >&2; GIT_INDEX_FILE="
			   ".git/index.git git ls-files -s --debug >&2");
	assert_int_equal(ours_len, gits_len);
	assert_memory_equal(ours, gits, ours_len);
	libgit2_agrees(f);
	assert_int_equal(sh(f->dir, "git fsck --no-dangling && "
				    "git diff-files --quiet -- a b n top && "
				    "test $(git write-tree) = "
				    "$(GIT_INDEX_FILE=.git/index.git "
				    "git write-tree)"),
			 0);
	free(ours);
	free(gits);
}

static void test_index__v2_edit_is_what_git_update_index_writes(void **state)
{
	fixture *f = *state;

	assert_int_equal(sh(f->dir, "git update-index --index-version 2"), 0);
	edit_as_git_does(f);
}

static void test_index__v3_extended_flags_kept(void **state)
{
	fixture *f = *state;
	char *text;

	/* skip-worktree needs version 3's extended flags (git moves to 3) */
	assert_int_equal(sh(f->dir, "git update-index --skip-worktree top"), 0);
	text = index_bytes(f, NULL);
	assert_int_equal(text[7], 3);
	free(text);
	edit_as_git_does(f);
	assert_int_equal(sh(f->dir, "git ls-files -t top | grep -qx 'S top'"),
			 0);
}

static void test_index__flagged_or_conflicted_path_falls_back(void **state)
{
	fixture *f = *state;
	dlg_commit_file top = { "top", "top2\n", 5 };
	git_oid id;
	char *before, *after, lock[4200];
	size_t before_len, after_len;

	blob_id(&id, "top2\n");
	put_file(f->dir, "top", "top2\n");
	assert_int_equal(sh(f->dir, "git update-index --skip-worktree top"), 0);
	before = index_bytes(f, &before_len);
	assert_int_equal(dlg_sync__index_update(f->repo, -1, &top, &id, 1),
			 DLG_SYNC_FALLBACK);
	/* in conflict: stages 1 to 3 of the path */
	assert_int_equal(sh(f->dir, "git update-index --no-skip-worktree top && "
				    "git update-index --index-info <<EOF\n"
				    "0 0000000000000000000000000000000000000000\ttop\n"
				    "100644 $(git rev-parse HEAD:top) 1\ttop\n"
				    "100644 $(git rev-parse HEAD:top) 2\ttop\n"
				    "EOF\n"
				    "git ls-files -u | grep -q top"),
			 0);
	free(before);
	before = index_bytes(f, &before_len);
	assert_int_equal(dlg_sync__index_update(f->repo, -1, &top, &id, 1),
			 DLG_SYNC_FALLBACK);
	after = index_bytes(f, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	snprintf(lock, sizeof(lock), "%s/.git/index.lock", f->dir);
	assert_int_equal(access(lock, F_OK), -1); /* let go of */
	free(before);
	free(after);
}

/* Version 4, a split index (a required extension), a hash other than
 * SHA-1: not edited here; the commit writes them through libgit2. */
static void refused(fixture *f, const char *setup_cmd)
{
	dlg_commit_file x = { "a/x", "x3\n", 3 };
	git_oid id;
	char *before, *after, lock[4200];
	size_t before_len, after_len;

	assert_int_equal(sh(f->dir, "%s", setup_cmd), 0);
	blob_id(&id, "x3\n");
	put_file(f->dir, "a/x", "x3\n");
	before = index_bytes(f, &before_len);
	assert_int_equal(dlg_sync__index_update(f->repo, -1, &x, &id, 1),
			 DLG_SYNC_FALLBACK);
	after = index_bytes(f, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	snprintf(lock, sizeof(lock), "%s/.git/index.lock", f->dir);
	assert_int_equal(access(lock, F_OK), -1);
	free(before);
	free(after);
}

static void test_index__v4_falls_back_to_libgit2(void **state)
{
	fixture *f = *state;
	char head[64];
	dlg_commit_file x = { "a/x", "x3\n", 3 };
	dlg_signature who = { "t", "t@t", 1700000000 };

	/* (libgit2 1.5 cannot read a version 4 entry whose path is longer
	 * than 4095 bytes: "invalid entry"; that one is left out here) */
	assert_int_equal(sh(f->dir, "git rm -q --cached '%s' 2>/dev/null", long_path), 0);
	refused(f, "git update-index --index-version 4");
	/* and the commit's fallback writes it: git finds it clean */
	if (dlg_repo_commit(head, f->repo, &x, 1, "x3", &who) < 0)
		fail_msg("%s", dlg_error_last());
	assert_int_equal(sh(f->dir, "test -z \"$(git status --porcelain "
				    "--untracked-files=no -- a)\" && "
				    "git ls-files -s a/x | grep -q "
				    "$(git rev-parse HEAD:a/x)"),
			 0);
}

static void test_index__split_index_falls_back(void **state)
{
	refused(*state, "git update-index --split-index");
}

static void test_index__other_hash_falls_back(void **state)
{
	refused(*state, "git config extensions.objectformat sha256");
}

/* Optional extensions other than TREE (here the untracked cache) hold
 * positions or directory states: dropped, and git still agrees. */
static void test_index__other_extensions_dropped_tree_kept(void **state)
{
	fixture *f = *state;
	size_t len;
	char *text;

	assert_int_equal(sh(f->dir, "git config core.untrackedCache true && "
				    "git update-index --index-version 2 && "
				    "git status -s -- a >/dev/null"),
			 0);
	text = index_bytes(f, &len);
	assert_non_null(memmem(text, len, "UNTR", 4));
	free(text);
	assert_int_equal(sh(f->dir, "cp .git/index .git/index.before"), 0);
	assert_int_equal(edit(f), 0);
	text = index_bytes(f, &len);
	assert_null(memmem(text, len, "UNTR", 4));
	assert_non_null(memmem(text, len, "TREE", 4));
	free(text);
	free(git_writes(f, &len));
	libgit2_agrees(f);
	assert_int_equal(sh(f->dir, "test \"$(git ls-files -s --debug)\" = "
				    "\"$(GIT_INDEX_FILE=.git/index.git "
				    "git ls-files -s --debug)\" && "
				    "test $(git write-tree) = "
				    "$(GIT_INDEX_FILE=.git/index.git "
				    "git write-tree) && git fsck --no-dangling"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_index__v2_edit_is_what_git_update_index_writes,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_index__v3_extended_flags_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_index__flagged_or_conflicted_path_falls_back,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_index__v4_falls_back_to_libgit2, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_index__split_index_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_index__other_hash_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_index__other_extensions_dropped_tree_kept, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
