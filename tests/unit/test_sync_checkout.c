/* sync/checkout.c: a sync's move of the work tree without libgit2's index.
 * The attributes read through the light index must be what libgit2 reads
 * through the real one; a move made here must leave what git calls clean
 * (the files of the new commit, the index's entries and stat data), and
 * every move it does not prove safe must be left to libgit2 before a file
 * is touched. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <git2/sys/repository.h>

#include "sync/sync.h"
#include "sync/sync_internal.h"
#include "sync_helpers.h"

#define GIT "git -c user.name=Kim -c user.email=kim@msp.example "

static void assert_sh(fixture *f, const char *cmd, const char *want)
{
	char *out = sh(f, cmd);

	assert_string_equal(out, want);
	free(out);
}

/* ---------------------------------------------------------------------
 * Attributes.
 */
static const char *const attr_paths[] = {
	"tasks/aa/one.yaml", "tasks/bb/two.yaml", "notes.txt", "docs/a.md",
	"docs/deep/b.txt", "archive/2026/aa/x.yaml", "README",
};
static const char *const attr_names[] = { "merge", "eol", "text", "diff",
					  "filter" };
#define NPATHS (sizeof(attr_paths) / sizeof(attr_paths[0]))
#define NNAMES (sizeof(attr_names) / sizeof(attr_names[0]))

/* Every attribute of every path, as text. */
static char *all_attrs(git_repository *g)
{
	dlg_buf out = DLG_BUF_INIT;
	size_t i, k;

	for (i = 0; i < NPATHS; i++)
		for (k = 0; k < NNAMES; k++) {
			const char *v = NULL;

			assert_int_equal(git_attr_get(&v, g, 0, attr_paths[i],
						      attr_names[k]),
					 0);
			dlg_buf_printf(&out, "%s %s=%d:%s\n", attr_paths[i],
				       attr_names[k], (int)git_attr_value(v),
				       git_attr_value(v) ==
						       GIT_ATTR_VALUE_STRING
					       ? v
					       : "");
		}
	return out.ptr;
}

/* .gitattributes in the index only (removed from the work tree), in the
 * work tree only, in both with other texts, in subfolders. */
static int setup_attrs(void **state)
{
	fixture *f;
	char *out;

	if (setup(state) < 0)
		return -1;
	f = *state;
	spit(f->dir, ".gitattributes", "*.yaml merge=delegit\n*.txt eol=crlf\n");
	spit(f->dir, "docs/.gitattributes", "*.md diff=markdown\n");
	spit(f->dir, "docs/deep/.gitattributes", "*.txt -text\n");
	spit(f->dir, "tasks/.gitattributes", "bb/*.yaml merge=union\n");
	spit(f->dir, "tasks/aa/one.yaml", "a: 1\n");
	spit(f->dir, "README", "r\n");
	out = sh(f, "git add -A && " GIT "commit -qm first && "
		    "rm docs/.gitattributes && "
		    "printf '*.yaml filter=x\\n' > tasks/.gitattributes && "
		    "mkdir archive && "
		    "printf '*.yaml merge=union\\n' > archive/.gitattributes && "
		    "git status --porcelain --untracked-files=all");
	assert_string_equal(out, " D docs/.gitattributes\n M "
				 "tasks/.gitattributes\n"
				 "?? archive/.gitattributes");
	free(out);
	return 0;
}

static void test_attrs__the_light_index_answers_as_the_real_one(void **state)
{
	fixture *f = *state;
	git_repository *g = f->repo->git;
	git_index *idx = NULL;
	char *real, *light;

	real = all_attrs(g);
	/* (the real index was loaded by those questions: let go of it) */
	git_repository_set_index(g, NULL);
	assert_int_equal(dlg_sync__attrs_light(g), 1);
	assert_int_equal(git_repository_index(&idx, g), 0);
	/* the four .gitattributes, nothing else */
	assert_int_equal(git_index_entrycount(idx), 4);
	git_index_free(idx);
	light = all_attrs(g);
	assert_string_equal(light, real);
	/* the index's own copy counted: docs/a.md's diff is markdown only
	 * there */
	assert_non_null(strstr(real, "docs/a.md diff=3:markdown"));
	dlg_sync__attrs_done(g, 1);
	assert_int_equal(git_repository_index(&idx, g), 0);
	assert_int_equal(git_index_entrycount(idx), 6);
	git_index_free(idx);
	free(real);
	free(light);
}

/* A .gitattributes in conflict: libgit2 reads no stage of it (only stage
 * 0), and neither does the light index. */
static void test_attrs__one_in_conflict_is_not_read(void **state)
{
	fixture *f = *state;
	git_repository *g = f->repo->git;
	char *real, *light;

	assert_sh(f, "git checkout -q -- . && git checkout -q -b other && "
		     "printf '*.txt text\\n' > docs/deep/.gitattributes && "
		     GIT "commit -qam other && git checkout -q - && "
		     "printf '*.txt eol=lf\\n' > docs/deep/.gitattributes && "
		     GIT "commit -qam here && "
		     "{ " GIT "merge -q other >/dev/null 2>&1; true; } && "
		     "rm docs/deep/.gitattributes && git ls-files -u | wc -l",
		  "3");
	git_repository_set_index(g, NULL);
	real = all_attrs(g);
	git_repository_set_index(g, NULL);
	assert_int_equal(dlg_sync__attrs_light(g), 1);
	light = all_attrs(g);
	dlg_sync__attrs_done(g, 1);
	assert_string_equal(light, real);
	assert_non_null(strstr(real, "docs/deep/b.txt text=0:"));
	free(real);
	free(light);
}

static void test_attrs__an_index_not_read_here_is_libgit2s(void **state)
{
	fixture *f = *state;
	git_repository *g = f->repo->git;
	char path[4200];
	unsigned char *data;
	size_t len;
	int fd;

	/* names that match whatever their case */
	assert_sh(f, "git config core.ignorecase true", "");
	assert_int_equal(dlg_sync__attrs_light(g), 0);
	assert_sh(f, "git config core.ignorecase false", "");
	assert_int_equal(dlg_sync__attrs_light(g), 1);
	dlg_sync__attrs_done(g, 1);
	/* version 4 */
	assert_sh(f, "git update-index --index-version 4", "");
	assert_int_equal(dlg_sync__attrs_light(g), 0);
	assert_sh(f, "git update-index --index-version 2", "");
	/* a byte changed: the checksum no longer holds (libgit2 refuses
	 * such an index, and so reads no attributes from it) */
	snprintf(path, sizeof(path), "%s/.git/index", f->dir);
	data = (unsigned char *)slurp(path, &len);
	assert_true(len > 100);
	data[len - 30] ^= 1;
	assert_true((fd = open(path, O_WRONLY | O_TRUNC)) >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	free(data);
	assert_int_equal(dlg_sync__attrs_light(g), 0);
}

/* ---------------------------------------------------------------------
 * The checkout.
 */
static git_commit *commit_at(fixture *f, const char *rev)
{
	git_object *o = NULL;
	git_commit *c = NULL;

	assert_int_equal(git_revparse_single(&o, f->repo->git, rev), 0);
	assert_int_equal(git_commit_lookup(&c, f->repo->git, git_object_id(o)),
			 0);
	git_object_free(o);
	return c;
}

/* Two commits, A and B (the branch at A, the work tree A's): B changes
 * a file, adds one in a new folder, and removes the only file of a
 * folder. */
static int setup_move(void **state)
{
	fixture *f;
	char *out;

	if (setup(state) < 0)
		return -1;
	f = *state;
	spit(f->dir, "tasks/aa/one.yaml", "one: 1\n");
	spit(f->dir, "tasks/aa/two.yaml", "two: 1\n");
	spit(f->dir, "tasks/bb/gone.yaml", "gone: 1\n");
	spit(f->dir, "README", "r\n");
	out = sh(f, "git add -A && " GIT "commit -qm A && git tag A && "
		    "printf 'one: 2\\n' > tasks/aa/one.yaml && "
		    "mkdir -p tasks/cc && printf 'new: 1\\n' > tasks/cc/new.yaml && "
		    "git rm -q tasks/bb/gone.yaml && git add -A && "
		    GIT "commit -qm B && git tag B && "
		    "git reset -q --hard A && touch -d '-1 minute' tasks/*/* README "
		    "&& git update-index -q --refresh; git status --porcelain");
	assert_string_equal(out, "");
	free(out);
	return 0;
}

/* Move from A to B here; the code, and whether files were written. */
static int move(fixture *f, int *written)
{
	git_commit *a = commit_at(f, "A"), *b = commit_at(f, "B");
	int error = dlg_sync__checkout_fast(f->repo, a, b, written, NULL, NULL);

	git_commit_free(a);
	git_commit_free(b);
	return error;
}

static void test_checkout__a_move_leaves_what_git_calls_clean(void **state)
{
	fixture *f = *state;
	char *index, *tree;
	struct stat st;
	char path[4200];
	int written = 0;

	assert_int_equal(move(f, &written), 0);
	assert_int_equal(written, 1);
	assert_sh(f, "git symbolic-ref -q HEAD | xargs -I{} git update-ref {} B; "
		     "git diff-files --raw; "
		     "git status --porcelain --untracked-files=all", "");
	index = sh(f, "git ls-files -s | sed 's/ [0-3]\t/ /'");
	tree = sh(f, "git ls-tree -r B | sed 's/ blob / /; s/\t/ /'");
	assert_string_equal(index, tree);
	free(index);
	free(tree);
	/* the emptied folder gone, the new one there */
	snprintf(path, sizeof(path), "%s/tasks/bb", f->dir);
	assert_int_equal(lstat(path, &st), -1);
	snprintf(path, sizeof(path), "%s/tasks/cc/new.yaml", f->dir);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* no lock left */
	snprintf(path, sizeof(path), "%s/.git/index.lock", f->dir);
	assert_int_equal(lstat(path, &st), -1);
}

/* The move is left to libgit2, nothing written: the work tree and the
 * index as they were (the status before, unchanged). */
static void assert_left(fixture *f, const char *status)
{
	char *before = sh(f, "git ls-files -s --debug | md5sum"), *after;
	int written = 1;

	assert_int_equal(move(f, &written), DLG_SYNC_FALLBACK);
	assert_int_equal(written, 0);
	after = sh(f, "git ls-files -s --debug | md5sum");
	assert_string_equal(after, before);
	free(before);
	free(after);
	assert_sh(f, "git status --porcelain --untracked-files=all", status);
}

static void test_checkout__a_file_changed_here_is_libgit2s(void **state)
{
	fixture *f = *state;

	spit(f->dir, "tasks/aa/one.yaml", "one: 3\n");
	assert_left(f, " M tasks/aa/one.yaml");
}

static void test_checkout__a_file_removed_here_is_libgit2s(void **state)
{
	fixture *f = *state;

	unlink_in(f->dir, "tasks/bb/gone.yaml");
	assert_left(f, " D tasks/bb/gone.yaml");
}

static void test_checkout__a_file_in_the_way_is_libgit2s(void **state)
{
	fixture *f = *state;

	spit(f->dir, "tasks/cc/new.yaml", "mine\n");
	assert_left(f, "?? tasks/cc/new.yaml");
}

static void test_checkout__a_folder_that_is_a_link_is_libgit2s(void **state)
{
	fixture *f = *state;
	char *out;

	/* tasks/aa moved aside and linked to: writing through the link would
	 * write outside the folder git tracks */
	out = sh(f, "mv tasks/aa elsewhere && ln -s ../elsewhere tasks/aa && "
		    "git status --porcelain --untracked-files=all | wc -l");
	assert_string_equal(out, "5");
	free(out);
	assert_left(f, " D tasks/aa/one.yaml\n D tasks/aa/two.yaml\n"
		       "?? elsewhere/one.yaml\n?? elsewhere/two.yaml\n"
		       "?? tasks/aa");
}

static void test_checkout__a_filter_that_applies_is_libgit2s(void **state)
{
	fixture *f = *state;

	spit(f->dir, ".git/info/attributes", "*.yaml eol=crlf\n");
	assert_left(f, "");
}

static void test_checkout__a_held_index_lock_is_libgit2s(void **state)
{
	fixture *f = *state;

	spit(f->dir, ".git/index.lock", "");
	assert_left(f, "");
	unlink_in(f->dir, ".git/index.lock");
}

static void test_checkout__an_index_not_edited_here_is_libgit2s(void **state)
{
	fixture *f = *state;

	assert_sh(f, "git update-index --index-version 4", "");
	assert_left(f, "");
	assert_sh(f, "git update-index --index-version 2 && "
		     "git update-index --skip-worktree tasks/aa/one.yaml", "");
	assert_left(f, "");
}

static void test_checkout__an_executable_file_here_is_libgit2s(void **state)
{
	fixture *f = *state;

	/* the owner's bit, as git reads it (core.filemode) */
	assert_sh(f, "chmod 0744 tasks/aa/one.yaml", "");
	assert_left(f, " M tasks/aa/one.yaml");
}

/* A commit whose tree is not there: an error that says so, nothing
 * written. */
static void test_checkout__a_tree_not_there_is_an_error(void **state)
{
	fixture *f = *state;
	int written = 1;

	assert_sh(f, "c=$(printf 'tree %s\\nparent %s\\nauthor K <k@x> 0 "
		     "+0000\\ncommitter K <k@x> 0 +0000\\n\\nbroken\\n' "
		     "1111111111111111111111111111111111111111 "
		     "$(git rev-parse A) | git hash-object -t commit -w "
		     "--literally --stdin) && git tag -f B $c >/dev/null", "");
	dlg_error_clear();
	assert_int_equal(move(f, &written), -1);
	assert_int_equal(written, 0);
	assert_non_null(strstr(dlg_error_last(), "cannot compare commits"));
	assert_sh(f, "git status --porcelain", "");
}

/* Trees only a hand makes: a mode, a link, names that reach out of the
 * work tree or into .git; each left to libgit2, which judges them. */
static void test_attack__names_and_modes_are_libgit2s(void **state)
{
	fixture *f = *state;
	/* a file, or (%t) a folder holding one, under each name */
	static const char *const entries[] = {
		"100755 blob %s\tx.yaml", "120000 blob %s\tx.yaml",
		"100644 blob %s\t.git",	  "100644 blob %s\t.GIT",
		"100644 blob %s\t..",	  "100644 blob %s\t.gitmodules",
		"100644 blob %s\ta b",	  "100644 blob %s\t.git.",
		"100644 blob %s\tx\\\\y",	  "040000 tree %t\t..",
		"040000 tree %t\t.",	  "040000 tree %t\t.git",
		"040000 tree %t\t.Git",
	};
	size_t i;
	char *blob = sh(f, "printf 'x\\n' | git hash-object -w --stdin");
	char *tree = sh(f, "printf '100644 blob %s\\tescaped.yaml\\n' "
			   "$(printf 'x\\n' | git hash-object -w --stdin) | "
			   "git mktree");

	for (i = 0; i < sizeof(entries) / sizeof(entries[0]); i++) {
		char cmd[2048], entry[256], *at;
		char *out;

		snprintf(entry, sizeof(entry), "%s", entries[i]);
		if ((at = strstr(entry, "%t")))
			at[1] = 's';
		snprintf(cmd, sizeof(cmd), entry, at ? tree : blob);
		snprintf(entry, sizeof(entry), "%s", cmd);
		snprintf(cmd, sizeof(cmd),
			 "aa=$(printf '%s\\n' | git mktree --missing) && "
			 "tasks=$(git ls-tree B:tasks | grep -v '\taa$'; "
			 "printf '040000 tree %%s\\taa\\n' $aa) && "
			 "tasks=$(printf '%%s\\n' \"$tasks\" | git mktree) && "
			 "root=$(git ls-tree B | grep -v '\ttasks$'; "
			 "printf '040000 tree %%s\\ttasks\\n' $tasks) && "
			 "root=$(printf '%%s\\n' \"$root\" | git mktree) && "
			 "c=$(" GIT "commit-tree $root -p A -m hand) && "
			 "git tag -f B $c >/dev/null && echo ok",
			 entry);
		out = sh(f, cmd);
		assert_string_equal(out, "ok");
		free(out);
		assert_left(f, "");
	}
	free(blob);
	free(tree);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attrs__the_light_index_answers_as_the_real_one,
						setup_attrs, teardown),
		cmocka_unit_test_setup_teardown(test_attrs__one_in_conflict_is_not_read,
						setup_attrs, teardown),
		cmocka_unit_test_setup_teardown(test_attrs__an_index_not_read_here_is_libgit2s,
						setup_attrs, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__a_move_leaves_what_git_calls_clean,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__a_file_changed_here_is_libgit2s,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__a_file_removed_here_is_libgit2s,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__a_file_in_the_way_is_libgit2s,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__a_folder_that_is_a_link_is_libgit2s,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__a_filter_that_applies_is_libgit2s,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__a_held_index_lock_is_libgit2s,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__an_index_not_edited_here_is_libgit2s,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__an_executable_file_here_is_libgit2s,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_checkout__a_tree_not_there_is_an_error,
						setup_move, teardown),
		cmocka_unit_test_setup_teardown(test_attack__names_and_modes_are_libgit2s,
						setup_move, teardown),
	};

	git_libgit2_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
