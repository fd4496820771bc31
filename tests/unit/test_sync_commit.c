/* sync/: commits through libgit2 (sync/commit.c) and the tree changes they
 * are read by (sync/treediff.c), on real repositories, checked with the
 * real git CLI. */
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
		static const char *const tasks[] = { "tasks/" };
		char **paths;
		size_t n;

		assert_int_equal(dlg_repo_changed_paths(&paths, &n, f->repo,
							tasks, 1), 0);
		assert_int_equal(n, 1);
		assert_string_equal(paths[0], "tasks/aa/one.yaml");
		dlg_strv_free(paths, n);
	}
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
		/* a folder between files that sort around it in git's order
		 * (dd-1 < dd.x < dd/ < dd0), then a file in it changed */
		"mkdir tasks/dd && echo 7 >tasks/dd/in && echo 8 >tasks/dd-1 && "
		"echo 9 >tasks/dd.x && echo 10 >tasks/dd0 && echo 11 >tasks/dd/keep",
		"echo 12 >tasks/dd/in && echo 13 >tasks/dd0",
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
		char *ours = tree_changes_of(f, "HEAD~5^{tree}", "HEAD^{tree}");
		char *git = sh(f, "git diff-tree -r --no-renames --no-abbrev "
				  "HEAD~5 HEAD | sed 's/ [ADMT]\\t/\\t/' | sort");

		assert_string_equal(ours, git);
		assert_non_null(strstr(ours, "tasks/bb/two.yaml"));
		free(ours);
		free(git);
	}
}

/* A tree of these bytes, written as they are; raw disposed. */
static void write_tree(git_odb *odb, git_oid *out, dlg_buf *raw)
{
	assert_int_equal(git_odb_write(out, odb, raw->ptr, raw->size,
				       GIT_OBJECT_TREE),
			 0);
	dlg_buf_dispose(raw);
}

/* A tree of the raw entries given (mode, name, the blob of text), in
 * the order given: git's fsck would refuse one out of order or naming a
 * file twice; libgit2 writes it. */
static void raw_tree(fixture *f, git_oid *out, const char *const *entries,
		     size_t n)
{
	git_odb *odb = NULL;
	dlg_buf raw = DLG_BUF_INIT;
	size_t i;

	assert_int_equal(git_repository_odb(&odb, f->repo->git), 0);
	for (i = 0; i < n; i += 3) {
		git_oid blob;

		assert_int_equal(git_odb_write(&blob, odb, entries[i + 2],
					       strlen(entries[i + 2]),
					       GIT_OBJECT_BLOB),
				 0);
		dlg_buf_printf(&raw, "%s %s", entries[i], entries[i + 1]);
		dlg_buf_put(&raw, "", 1);
		dlg_buf_put(&raw, (const char *)blob.id, 20);
	}
	write_tree(odb, out, &raw);
	git_odb_free(odb);
}

/* Many pairs compared a folder at a time (the history index's build) find
 * what each pair compared alone finds, in the same order: every pair of
 * the trees below, a side empty too, among them trees git would refuse
 * (out of order, a name twice), a file that becomes a folder, folders
 * deeper than the fast comparison follows, and a file added and another
 * removed in one folder (b's first, then a's). */
static void test_changed_paths_many__as_each_pair_alone(void **state)
{
	fixture *f = *state;
	static const char *steps[] = {
		"mkdir -p tasks/aa tasks/bb && echo 1 >tasks/aa/a1 && "
		"echo 2 >tasks/bb/two && echo t >top",
		"rm tasks/aa/a1 && echo 3 >tasks/aa/a2 && echo 4 >tasks/aa/a0",
		"rm tasks/aa/a2 && mkdir tasks/aa/a2 && echo 5 >tasks/aa/a2/in && "
		"rm -r tasks/bb && echo 6 >tasks/bb && chmod +x top",
		"mkdir -p d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/"
		"d/d/d/d/d/d/d && echo 7 >d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/"
		"d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/f && echo 8 >tasks/aa/a0",
		"mkdir tasks/dd && echo 9 >tasks/dd/in && echo 10 >tasks/dd-1 && "
		"echo 11 >tasks/dd0 && echo 12 >d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/"
		"d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/f",
		"rm -r tasks/aa && echo 13 >tasks/dd/in && "
		"rm d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/"
		"d/d/d/d/f && echo 14 >d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/"
		"d/d/d/d/d/d/d/d/d/d/d/d/d/d/g",
	};
	static const char *unsorted[] = { "100644", "b", "1",
					  "100644", "a", "2" };
	static const char *twice[] = { "100644", "a", "1", "100644", "a", "3",
				       "100644", "c", "2" };
	static const char *sorted[] = { "100644", "a", "1", "100644", "b", "2",
					"100644", "c", "4" };
	static const char *slash[] = { "100644", "a", "1", "100644", "q/r", "2" };
	static const char *slash2[] = { "100644", "q/s", "3" };
	git_oid trees[16], *a, *b;
	dlg_trees memo = { f->repo->git, { NULL }, 0 };
	dlg_buf many = DLG_BUF_INIT, alone = DLG_BUF_INIT;
	size_t nt = 0, n, i, j, k, *start, count;
	uint32_t *counts;

	for (i = 0; i < sizeof(steps) / sizeof(*steps); i++) {
		char cmd[1024];
		char *id;

		snprintf(cmd, sizeof(cmd),
			 "%s && git add -A . && git -c user.name=T "
			 "-c user.email=t@x commit -qm step && "
			 "git rev-parse HEAD^{tree}", steps[i]);
		id = sh(f, cmd);
		assert_int_equal(git_oid_fromstr(&trees[nt++], id), 0);
		free(id);
	}
	raw_tree(f, &trees[nt++], unsorted, 6);
	raw_tree(f, &trees[nt++], twice, 9);
	raw_tree(f, &trees[nt++], sorted, 9);
	raw_tree(f, &trees[nt++], slash, 6);
	raw_tree(f, &trees[nt++], slash2, 3);
	n = (nt + 1) * nt;
	a = calloc(n, sizeof(*a));
	b = calloc(n, sizeof(*b));
	start = calloc(n + 1, sizeof(*start));
	counts = calloc(n + 1, sizeof(*counts));
	for (i = 0, k = 0; i <= nt; i++)
		for (j = 0; j < nt; j++, k++) {
			if (i < nt)
				git_oid_cpy(&a[k], &trees[i]);
			git_oid_cpy(&b[k], &trees[j]);
		}
	assert_int_equal(dlg_sync__changed_paths_many(&many, start, counts,
						      &memo, a, b, n, NULL,
						      NULL),
			 0);
	assert_int_equal(start[n], many.size);
	for (k = 0; k < n; k++) {
		dlg_buf_clear(&alone);
		assert_int_equal(dlg_sync__changed_paths(
					 &alone, &count, &memo,
					 git_oid_is_zero(&a[k]) ? NULL : &a[k],
					 &b[k]),
				 0);
		assert_int_equal(counts[k], count);
		assert_int_equal(start[k + 1] - start[k], alone.size);
		assert_memory_equal(many.ptr + start[k], alone.ptr, alone.size);
	}
	/* the added file before the removed one, as each pair alone */
	dlg_buf_clear(&alone);
	assert_int_equal(dlg_sync__changed_paths(&alone, &count, &memo,
						 &trees[0], &trees[1]),
			 0);
	assert_int_equal(count, 3);
	assert_memory_equal(alone.ptr, "tasks/aa/a0\0tasks/aa/a2\0"
				       "tasks/aa/a1", alone.size);
	/* A version out of order where it meets what it shares with the
	 * next (x renamed in place, after c) is not taken as known in git's
	 * order, lest the pair after it be merged in that order: x and c
	 * added, in its order. */
	{
		static const char *v2[] = { "100644", "a", "1", "100644", "b",
					    "2", "100644", "c", "3", "100644",
					    "d", "4" };
		static const char *v1[] = { "100644", "a", "1", "100644", "x",
					    "2", "100644", "c", "3", "100644",
					    "d", "4" };
		static const char *v0[] = { "100644", "a", "1", "100644", "d",
					    "4" };
		git_oid t[3], pa[2], pb[2];
		size_t two[3];
		uint32_t c2[3];

		raw_tree(f, &t[2], v2, 12);
		raw_tree(f, &t[1], v1, 12);
		raw_tree(f, &t[0], v0, 6);
		git_oid_cpy(&pa[0], &t[1]);
		git_oid_cpy(&pb[0], &t[2]);
		git_oid_cpy(&pa[1], &t[0]);
		git_oid_cpy(&pb[1], &t[1]);
		dlg_buf_clear(&many);
		assert_int_equal(dlg_sync__changed_paths_many(&many, two, c2,
							      &memo, pa, pb, 2,
							      NULL, NULL),
				 0);
		assert_int_equal(c2[1], 2);
		assert_memory_equal(many.ptr + two[1], "x\0c", 4);
	}
	/* a tree cut short: an error either way, nothing read past it */
	{
		git_odb *odb = NULL;
		git_oid cut, pa[1], pb[1];
		size_t one[2];
		uint32_t c1[2];

		assert_int_equal(git_repository_odb(&odb, f->repo->git), 0);
		assert_int_equal(git_odb_write(&cut, odb, "100644 c\0short", 15,
					       GIT_OBJECT_TREE),
				 0);
		git_odb_free(odb);
		git_oid_cpy(&pa[0], &trees[nt - 3]);
		git_oid_cpy(&pb[0], &cut);
		dlg_buf_clear(&many);
		assert_int_equal(dlg_sync__changed_paths_many(&many, one, c1,
							      &memo, pa, pb, 1,
							      NULL, NULL),
				 -1);
		assert_int_equal(dlg_sync__changed_paths(&alone, &count, &memo,
							 &pa[0], &pb[0]),
				 -1);
		/* a name longer than libgit2 reads: refused either way */
		{
			dlg_buf big = DLG_BUF_INIT;
			size_t q;

			dlg_buf_puts(&big, "100644 ");
			for (q = 0; q < 70000; q++)
				dlg_buf_put(&big, "x", 1);
			dlg_buf_put(&big, "", 1);
			dlg_buf_put(&big, (const char *)trees[0].id, 20);
			assert_int_equal(git_repository_odb(&odb, f->repo->git),
					 0);
			assert_int_equal(git_odb_write(&pb[0], odb, big.ptr,
						       big.size,
						       GIT_OBJECT_TREE),
					 0);
			git_odb_free(odb);
			dlg_buf_dispose(&big);
		}
		assert_int_equal(dlg_sync__changed_paths_many(&many, one, c1,
							      &memo, pa, pb, 1,
							      NULL, NULL),
				 -1);
		assert_int_equal(dlg_sync__changed_paths(&alone, &count, &memo,
							 &pa[0], &pb[0]),
				 -1);
	}
	dlg_sync__trees_dispose(&memo);
	dlg_buf_dispose(&many);
	dlg_buf_dispose(&alone);
	free(a);
	free(b);
	free(start);
	free(counts);
}

static unsigned lcg(uint32_t *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 16) & 0x7fff;
}

/* One entry of a generated tree: a name, a mode, which of the ids. */
typedef struct {
	char name[8];
	const char *mode;
	unsigned id;
} gen_entry;

static int gen_git_order(const void *x, const void *y)
{
	const gen_entry *a = x, *b = y;
	char ka[10], kb[10];

	snprintf(ka, sizeof(ka), "%s%s", a->name,
		 strcmp(a->mode, "40000") ? "" : "/");
	snprintf(kb, sizeof(kb), "%s%s", b->name,
		 strcmp(b->mode, "40000") ? "" : "/");
	return strcmp(ka, kb);
}

static void gen_tree(fixture *f, git_oid *out, gen_entry *e, size_t n,
		     const git_oid *ids, int sorted)
{
	git_odb *odb = NULL;
	dlg_buf raw = DLG_BUF_INIT;
	size_t i;

	if (sorted)
		qsort(e, n, sizeof(*e), gen_git_order);
	assert_int_equal(git_repository_odb(&odb, f->repo->git), 0);
	for (i = 0; i < n; i++) {
		dlg_buf_printf(&raw, "%s %s", e[i].mode, e[i].name);
		dlg_buf_put(&raw, "", 1);
		dlg_buf_put(&raw, (const char *)
			    ids[strcmp(e[i].mode, "40000") ? e[i].id % 3
							   : 3 + e[i].id % 2].id,
			    20);
	}
	write_tree(odb, out, &raw);
	git_odb_free(odb);
}

/* A folder's versions, each a small edit of the one before (an id or a
 * mode changed, an entry added or removed, a file become a folder of the
 * same name, now and then two entries out of order), the names sharing
 * their starts and the ids few, so that versions share bytes in many
 * ways: every pair of neighbours, and some pairs further apart, compared a
 * folder at a time as each alone. */
static void test_changed_paths_many__edits_as_each_pair_alone(void **state)
{
	fixture *f = *state;
	static const char *names[] = { "a", "a-1", "a.b", "a0", "ab", "b",
				       "b-1", "b.c", "ba", "c" };
	static const char *file_modes[] = { "100644", "100755", "120000",
					    "160000" };
	enum { VERSIONS = 1200, PAIRS = 2 * VERSIONS };
	gen_entry cur[16], copy[16];
	git_oid ids[5], *trees = calloc(VERSIONS, sizeof(*trees));
	git_oid *a = calloc(PAIRS, sizeof(*a)), *b = calloc(PAIRS, sizeof(*b));
	size_t *start = calloc(PAIRS + 1, sizeof(*start)), n = 0, v, k, count;
	uint32_t *counts = calloc(PAIRS + 1, sizeof(*counts)), seed = 7;
	dlg_trees memo = { f->repo->git, { NULL }, 0 };
	dlg_buf many = DLG_BUF_INIT, alone = DLG_BUF_INIT;
	char *id;

	free(sh(f, "echo 1 >x && echo 2 >y && echo 3 >z && mkdir -p s && "
		   "echo 4 >s/in && git add -A . && git -c user.name=T "
		   "-c user.email=t@x commit -qm ids"));
	id = sh(f, "git rev-parse HEAD:x HEAD:y HEAD:z HEAD:s HEAD^{tree} | "
		   "tr '\\n' ' '");
	for (k = 0; k < 5; k++)
		assert_int_equal(git_oid_fromstrn(&ids[k], id + 41 * k, 40), 0);
	free(id);
	for (v = 0; v < VERSIONS; v++) {
		unsigned op = lcg(&seed) % 7, i;

		if (v == 0 || n == 0 || (op == 0 && n < 14)) { /* add */
			const char *name = names[lcg(&seed) % 10];
			const char *mode = lcg(&seed) % 3 ? "100644" : "40000";

			/* a name twice only as a file and a folder */
			for (i = 0; i < n && (strcmp(cur[i].name, name) ||
					      (strcmp(cur[i].mode, "40000") != 0) !=
						      (strcmp(mode, "40000") != 0));
			     i++)
				;
			if (i == n) {
				snprintf(cur[n].name, sizeof(cur[n].name), "%s",
					 name);
				cur[n].mode = mode;
				cur[n++].id = lcg(&seed);
			}
		} else if (op == 1) { /* remove */
			i = lcg(&seed) % n;
			cur[i] = cur[--n];
		} else if (op == 2) { /* a file becomes a folder, or back */
			unsigned q;

			i = lcg(&seed) % n;
			for (q = 0; q < n && (q == i || strcmp(cur[q].name,
							       cur[i].name));
			     q++)
				;
			if (q == n)
				cur[i].mode = strcmp(cur[i].mode, "40000")
						      ? "40000" : "100644";
		} else if (op == 3) { /* a mode */
			i = lcg(&seed) % n;
			if (strcmp(cur[i].mode, "40000"))
				cur[i].mode = file_modes[lcg(&seed) % 4];
		} else if (op == 4) { /* ids of several */
			unsigned q = 1 + lcg(&seed) % 3;

			while (q--) {
				i = lcg(&seed) % n;
				cur[i].id = lcg(&seed);
			}
		} else { /* an id */
			i = lcg(&seed) % n;
			cur[i].id = lcg(&seed);
		}
		memcpy(copy, cur, sizeof(cur));
		gen_tree(f, &trees[v], copy, n, ids, 1);
		if (lcg(&seed) % 25 == 0 && n > 1) { /* out of order */
			gen_entry t;

			i = lcg(&seed) % (n - 1);
			t = copy[i];
			copy[i] = copy[i + 1];
			copy[i + 1] = t;
			gen_tree(f, &trees[v], copy, n, ids, 0);
		} else if (lcg(&seed) % 8 == 0 && n) { /* renamed where it was */
			i = lcg(&seed) % n;
			snprintf(copy[i].name, sizeof(copy[i].name), "%s",
				 names[lcg(&seed) % 10]);
			gen_tree(f, &trees[v], copy, n, ids, 0);
		}
	}
	/* newest first, as the history index walks: each pair's first tree
	 * is the next pair's second */
	for (k = 0; k < VERSIONS - 1; k++) {
		git_oid_cpy(&a[k], &trees[VERSIONS - 2 - k]);
		git_oid_cpy(&b[k], &trees[VERSIONS - 1 - k]);
	}
	for (; k < PAIRS; k++) {
		git_oid_cpy(&a[k], &trees[lcg(&seed) % VERSIONS]);
		git_oid_cpy(&b[k], &trees[lcg(&seed) % VERSIONS]);
	}
	assert_int_equal(dlg_sync__changed_paths_many(&many, start, counts,
						      &memo, a, b, PAIRS, NULL,
						      NULL),
			 0);
	/* folders compared from their bytes, by libgit2 (a side empty, or
	 * a tree out of order), pairs alone, trees read whole to know them:
	 * at least as many the first way, at most as many alone and whole,
	 * as when this test was written */
	assert_true(dlg_sync__many_stats.raw >= 1321);
	assert_true(dlg_sync__many_stats.alone <= 997);
	assert_true(dlg_sync__many_stats.whole <= 1543);
	for (k = 0; k < PAIRS; k++) {
		dlg_buf_clear(&alone);
		assert_int_equal(dlg_sync__changed_paths(&alone, &count, &memo,
							 &a[k], &b[k]),
				 0);
		assert_int_equal(counts[k], count);
		assert_int_equal(start[k + 1] - start[k], alone.size);
		assert_memory_equal(many.ptr + start[k], alone.ptr, alone.size);
	}
	dlg_sync__trees_dispose(&memo);
	dlg_buf_dispose(&many);
	dlg_buf_dispose(&alone);
	free(trees);
	free(a);
	free(b);
	free(start);
	free(counts);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit__one_commit_per_change_seen_by_git,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__untouched_trees_are_shared_with_the_parent,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__removal_and_hand_edits_elsewhere_stay_out,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_changes__as_git_diff_tree_sees_them,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_paths_many__as_each_pair_alone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_changed_paths_many__edits_as_each_pair_alone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit__a_busy_index_commits_nothing_and_a_stale_one_is_cleared,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
