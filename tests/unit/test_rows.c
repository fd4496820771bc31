/* core/: list's rows and their cache (core/rows.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

/* The order of list's rows, as their ids' first 8 digits. */
static void sorted_as(dlg_rows *rows, const char *sort, const char *expect)
{
	dlg_query q = DLG_QUERY_INIT;
	const dlg_row **v = NULL;
	char got[128] = "";
	size_t n, i;

	q.sort = sort;
	assert_int_equal(dlg_query_rows(&v, &n, rows, &q, NULL, 0), 0);
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%.8s",
			 i ? " " : "", v[i]->id);
	assert_string_equal(got, expect);
	free(v);
}

#define CACHE_TASKS 40

/* The rows of the CACHE_TASKS tasks of test_rows__cache: each titled
 * "Task N", N in its id; none left out, no problem. */
static void check_rows(dlg_store *s, const char *cache)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	char want[32];
	size_t i;

	assert_int_equal(dlg_rows_load(&rows, s, cache, &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_int_equal(dlg_rows_count(rows), CACHE_TASKS);
	for (i = 0; i < dlg_rows_count(rows); i++) {
		const dlg_row *row = dlg_rows_at(rows, i);

		snprintf(want, sizeof(want), "Task %ld",
			 strtol(row->id + 2, NULL, 16));
		assert_non_null(row->title);
		assert_string_equal(row->title, want);
		assert_string_equal(row->status, "open");
		assert_string_equal(row->tags, i == 0 ? "backup\nnet\n" : "");
	}
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
}

/* The rows cache: files untouched since it was written (and older than
 * its scan) are taken from it, and it is not written again; files whose
 * stat data changed but whose bytes did not are taken by their blob id
 * (more than 32 of them); a file named like a task but not .yaml is no
 * task; no descriptor is left open. */
static void test_rows__cache_reused_when_untouched_and_by_content(void **state)
{
	char *root = tmpdir_new(), cache[4200], uuid[37], title[32];
	struct stat before, after;
	struct timespec old[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	dlg_store *s;
	int i, fds;

	(void)state;
	for (i = 0; i < CACHE_TASKS; i++) {
		snprintf(uuid, sizeof(uuid),
			 "%02x%06x-0000-4000-8000-000000000000", i * 6, i);
		snprintf(title, sizeof(title), "Task %d", i);
		put_task(root, uuid, title, "normal", NULL);
	}
	spit(root, "tasks/00/00000000-0000-4000-8000-000000000000.yaml",
	     "format: 1\nid: 00000000-0000-4000-8000-000000000000\n"
	     "title: Task 0\nstatus: open\npriority: normal\n"
	     "delegator: dana\ncreated: 2026-11-25T09:12:00Z\n"
	     "tags: [net, backup, \"two\\nlines\"]\n");
	spit(root, "tasks/00/00000000-0000-4000-8000-000000000000.json",
	     "not a task\n");
	snprintf(cache, sizeof(cache), "%s/rows-cache", root);
	dlg_store_open(&s, root);
	fds = open_fds();
	check_rows(s, cache); /* made */
	sleep(2); /* the files now older than a scan by a whole second */
	usleep(200000);
	check_rows(s, cache); /* made again: now trusting the files */
	assert_int_equal(stat(cache, &before), 0);
	check_rows(s, cache); /* taken from it */
	assert_int_equal(stat(cache, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	/* every file touched, not changed: the rows by their bytes' ids */
	for (i = 0; i < CACHE_TASKS; i++) {
		char path[4200];

		snprintf(path, sizeof(path),
			 "%s/tasks/%02x/%02x%06x-0000-4000-8000-000000000000.yaml",
			 root, i * 6, i * 6, i);
		assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	}
	check_rows(s, cache);
	assert_int_equal(stat(cache, &after), 0);
	assert_int_not_equal(after.st_ino, before.st_ino); /* written anew */
	check_rows(s, cache);
	assert_int_equal(open_fds(), fds);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* tasks/ a link (here to a folder of real tasks): no rows, and each file
 * there reported by the careful reader; not an error of the load. */
static void test_rows__tasks_a_link_gives_no_rows_and_says_why(void **state)
{
	char *root = tmpdir_new(), *elsewhere = tmpdir_new();
	char from[4200], to[4200];
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	dlg_store *s;

	(void)state;
	put_task(elsewhere, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70", "T",
		 "normal", NULL);
	snprintf(to, sizeof(to), "%s/tasks", elsewhere);
	snprintf(from, sizeof(from), "%s/tasks", root);
	assert_int_equal(symlink(to, from), 0);
	dlg_store_open(&s, root);
	assert_int_equal(dlg_rows_load(&rows, s, NULL, &diags), 0);
	assert_int_equal(dlg_rows_count(rows), 0);
	assert_true(diags.count >= 1);
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	dlg_store_free(s);
	rm_rf(root);
	rm_rf(elsewhere);
	free(root);
	free(elsewhere);
}

static void test_rows__short_ids_and_order_by_every_key(void **state)
{
	char *root = tmpdir_new();
	const char *long_title = "Replace the firewall rules at the branch office";
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	dlg_store *s;
	char out[37];
	size_t i;

	(void)state;
	/* Titles longer than what a comparison copies, and equal to it. */
	put_task(root, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70", long_title,
		 "high", "2026-12-01");
	put_task(root, "0b9c5e11-0000-4000-8000-000000000000",
		 "Replace the firewall rules at the branch offices", "normal",
		 "2026-12-01");
	put_task(root, "77aa0000-0000-4000-8000-000000000000", long_title,
		 "normal", NULL);
	put_task(root, "77ab0000-0000-4000-8000-000000000000", "Audit",
		 "high", NULL);
	/* Not a valid task, yet its id is taken: short ids step past it. */
	spit(root, "tasks/0b/0b9c5e5f-0000-4000-8000-000000000000.yaml",
	     "format: 1\nid: [\n");
	dlg_store_open(&s, root);
	assert_int_equal(dlg_rows_load(&rows, s, NULL, &diags), 0);
	assert_true(diags.count >= 1);
	assert_int_equal(dlg_rows_count(rows), 4);
	for (i = 0; i < dlg_rows_count(rows); i++) {
		char want[37];

		dlg_rows_short_id(out, rows, dlg_rows_at(rows, i));
		dlg_store_short_id(want, s, dlg_rows_at(rows, i)->file);
		assert_string_equal(out, want);
	}
	dlg_rows_short_id(out, rows, dlg_rows_at(rows, 1));
	assert_string_equal(out, "0b9c5e5e");
	/* Missing values last; ties by due, then priority, then id. */
	sorted_as(rows, NULL, "0b9c5e5e 0b9c5e11 77ab0000 77aa0000");
	sorted_as(rows, "title", "77ab0000 0b9c5e5e 77aa0000 0b9c5e11");
	sorted_as(rows, "priority", "0b9c5e5e 77ab0000 0b9c5e11 77aa0000");
	sorted_as(rows, "id", "0b9c5e11 0b9c5e5e 77aa0000 77ab0000");
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows__short_ids_and_order_by_every_key),
		cmocka_unit_test(test_rows__cache_reused_when_untouched_and_by_content),
		cmocka_unit_test(test_rows__tasks_a_link_gives_no_rows_and_says_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
