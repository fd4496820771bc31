/* core/: the task store: ids, paths, reads and writes (core/store.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

static void test_ids__unique_prefixes_resolve_and_short_ids_grow(void **state)
{
	char *root = tmpdir_new();
	dlg_store *s;
	char out[37];

	(void)state;
	put_task(root, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70", "T", "normal",
		 NULL);
	put_task(root, "0b9c5e11-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	put_task(root, "77aa0000-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	dlg_store_open(&s, root);
	assert_int_equal(dlg_store_resolve_task(out, s, "77aa"), 0);
	assert_string_equal(out, "77aa0000-0000-4000-8000-000000000000");
	assert_int_equal(dlg_store_resolve_task(out, s, "0b9c5e"), DLG_EAMBIGUOUS);
	assert_int_equal(dlg_store_resolve_task(out, s, "0B9C5E5E"), 0);
	assert_string_equal(out, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70");
	assert_int_equal(dlg_store_resolve_task(out, s, "abc"), DLG_EINVALID);
	assert_int_equal(dlg_store_resolve_task(out, s, "../x"), DLG_EINVALID);
	assert_int_equal(dlg_store_resolve_task(out, s, "ffff"), DLG_ENOTFOUND);
	dlg_store_short_id(out, s, "77aa0000-0000-4000-8000-000000000000");
	assert_string_equal(out, "77aa00");
	dlg_store_short_id(out, s, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70");
	assert_string_equal(out, "0b9c5e5");
	/* A shard is listed once, and again after the store writes. */
	assert_int_equal(dlg_store_write_file(
				 s, "tasks/0b/0b9c5e5e-7000-4000-8000-000000000000.yaml",
				 "x", 1), 0);
	dlg_store_short_id(out, s, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70");
	assert_string_equal(out, "0b9c5e5e-7f");
	assert_int_equal(dlg_store_resolve_task(out, s, "0b9c5e5e"),
			 DLG_EAMBIGUOUS);
	assert_int_equal(dlg_store_remove_file(
				 s, "tasks/0b/0b9c5e5e-7000-4000-8000-000000000000.yaml"),
			 0);
	assert_int_equal(dlg_store_resolve_task(out, s, "0b9c5e5e"), 0);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

static void test_store__links_and_escaping_paths_are_refused(void **state)
{
	char *root = tmpdir_new();
	char link[4200];
	dlg_store *s;
	dlg_buf b = DLG_BUF_INIT;

	(void)state;
	dlg_store_open(&s, root);
	snprintf(link, sizeof(link), "%s/tasks", root);
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(dlg_store_read_file(&b, s, "tasks/passwd"), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "symbolic link"));
	assert_int_equal(dlg_store_read_file(&b, s, "../etc/passwd"), DLG_EINVALID);
	assert_int_equal(dlg_store_write_file(s, "a/../../x", "x", 1), DLG_EINVALID);
	dlg_buf_dispose(&b);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* Reads replace what the buffer held; a path that leaves the repository
 * is named when a removal refuses it; a folder maps to nothing. */
static void test_store__reads_replace_the_buffer_and_refusals_say_why(void **state)
{
	char *root = tmpdir_new();
	char full[4200];
	dlg_buf b = DLG_BUF_INIT;
	dlg_store *s;
	size_t size = 99;

	(void)state;
	spit(root, "a.yaml", "first: 1\n");
	spit(root, "b.yaml", "b: 2\n");
	dlg_store_open(&s, root);
	assert_int_equal(dlg_store_read_file(&b, s, "a.yaml"), 0);
	assert_int_equal(dlg_store_read_file(&b, s, "b.yaml"), 0);
	assert_int_equal(b.size, 5);
	assert_string_equal(b.ptr, "b: 2\n");
	snprintf(full, sizeof(full), "%s/a.yaml", root);
	assert_int_equal(dlg_path_read(&b, full), 0);
	assert_string_equal(b.ptr, "first: 1\n");
	dlg_error_clear();
	assert_int_equal(dlg_store_remove_file(s, "../b.yaml"), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "../b.yaml: path leaves the "
						 "repository"));
	assert_int_equal(dlg_store_remove_file(s, "a.yaml"), 0);
	assert_int_equal(access(full, F_OK), -1);
	/* a folder, where a cache file would be: not mapped */
	snprintf(full, sizeof(full), "%s/folder", root);
	assert_int_equal(mkdir(full, 0777), 0);
	assert_null(dlg_path_map(full, &size));
	assert_int_equal(size, 0);
	dlg_buf_dispose(&b);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* A shard's ids are listed once (agenda and reports ask for a short id
 * per line): a task file another process adds is seen after this one
 * writes (a file, in a folder it makes), which drops the lists. */
static void test_store__a_shard_is_listed_once_until_this_process_writes(void **state)
{
	char *root = tmpdir_new();
	char out[37];
	dlg_buf b = DLG_BUF_INIT;
	dlg_store *s;

	(void)state;
	put_task(root, "abcd0000-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	dlg_store_open(&s, root);
	assert_int_equal(dlg_store_resolve_task(out, s, "abcd"), 0);
	assert_int_equal(dlg_store_resolve_task(out, s, "abce"), DLG_ENOTFOUND);
	put_task(root, "abce0000-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	assert_int_equal(dlg_store_resolve_task(out, s, "abce"), DLG_ENOTFOUND);
	assert_int_equal(dlg_store_write_file(s, "notes/a.txt", "x\ny\n", 4),
			 0);
	assert_int_equal(dlg_store_read_file(&b, s, "notes/a.txt"), 0);
	assert_int_equal(b.size, 4);
	assert_string_equal(b.ptr, "x\ny\n");
	assert_int_equal(dlg_store_resolve_task(out, s, "abce"), 0);
	assert_string_equal(out, "abce0000-0000-4000-8000-000000000000");
	dlg_buf_dispose(&b);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids__unique_prefixes_resolve_and_short_ids_grow),
		cmocka_unit_test(test_store__links_and_escaping_paths_are_refused),
		cmocka_unit_test(test_store__reads_replace_the_buffer_and_refusals_say_why),
		cmocka_unit_test(test_store__a_shard_is_listed_once_until_this_process_writes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
