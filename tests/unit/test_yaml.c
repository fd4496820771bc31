/* core/: the canonical YAML reader and writer (core/node.c, core/emit.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

static void test_yaml__canonical_file_reads_and_writes_the_same_bytes(void **state)
{
	/* every field of the format, the optional ones (autonomy,
	 * due_request, spent) in the second */
	static const char *const files[] = { "canonical/task.yaml",
					     "canonical/task-plate.yaml" };
	size_t len, i;

	(void)state;
	for (i = 0; i < 2; i++) {
		char *text = data_file(files[i], &len);
		dlg_node *doc;
		char *out;

		assert_non_null(text);
		doc = task_from(text, len);
		out = canonical(doc);
		assert_string_equal(out, text);
		free(out);
		dlg_node_free(doc);
		free(text);
	}
}

static void test_yaml__any_style_reads_as_the_same_data(void **state)
{
	static const char *const files[] = { "styles/spec-example.yaml",
					     "styles/block-quoted-reordered.yaml" };
	char *want = data_file("canonical/task.yaml", NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		char *text = data_file(files[i], &len);
		dlg_node *doc = task_from(text, len);
		char *out = canonical(doc);

		if (strcmp(out, want))
			fail_msg("%s does not read as canonical/task.yaml:\n%s",
				 files[i], out);
		free(out);
		dlg_node_free(doc);
		free(text);
	}
	free(want);
}

static const char minimal[] =
	"format: 1\n"
	"id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\n"
	"title: A task\n"
	"status: open\n"
	"priority: normal\n"
	"delegator: dana\n"
	"created: 2026-11-25T09:12:00Z\n";

static void test_yaml__unknown_keys_are_kept_after_known_ones_sorted(void **state)
{
	dlg_buf text = DLG_BUF_INIT;
	dlg_node *doc;
	char *out;

	(void)state;
	dlg_buf_puts(&text, "zeta: {b: 2, a: [1, two]}\n");
	dlg_buf_puts(&text, minimal);
	dlg_buf_puts(&text, "alpha: kept\n");
	doc = task_from(text.ptr, text.size);
	out = canonical(doc);
	assert_non_null(strstr(out, "feedback: []\nalpha: kept\nzeta:\n  a:\n  - 1\n  - two\n  b: 2\n"));
	/* and reading the output again gives it back unchanged */
	dlg_node_free(doc);
	doc = task_from(out, strlen(out));
	{
		char *again = canonical(doc);

		assert_string_equal(again, out);
		free(again);
	}
	free(out);
	dlg_node_free(doc);
	dlg_buf_dispose(&text);
}

static void test_yaml__strings_that_look_like_other_types_are_quoted(void **state)
{
	static const char *const titles[] = { "true", "no", "123", "1.5", "null",
					      "2026-01-01", "~", "0x1f", "y",
					      "- dash", "key: value", "#hash",
					      "  padded", "tab\there" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(titles) / sizeof(titles[0]); i++) {
		dlg_node *doc = task_from(minimal, strlen(minimal));
		dlg_node *back;
		char *out;

		dlg_map_set_str(doc, "title", titles[i]);
		out = canonical(doc);
		back = task_from(out, strlen(out));
		assert_int_equal(dlg_map_get(back, "title")->type,
				 DLG_SCALAR_STR);
		assert_string_equal(dlg_map_get_str(back, "title"), titles[i]);
		assert_int_equal(dlg_yaml_resolve("true"), DLG_SCALAR_BOOL);
		free(out);
		dlg_node_free(back);
		dlg_node_free(doc);
	}
}

static void test_yaml__multiline_text_is_a_literal_block(void **state)
{
	dlg_node *doc = task_from(minimal, strlen(minimal));
	char *out;

	(void)state;
	dlg_map_set_str(doc, "why", "line one\nline two\n");
	out = canonical(doc);
	assert_non_null(strstr(out, "why: |\n  line one\n  line two\n"));
	free(out);
	dlg_node_free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_yaml__canonical_file_reads_and_writes_the_same_bytes),
		cmocka_unit_test(test_yaml__any_style_reads_as_the_same_data),
		cmocka_unit_test(test_yaml__unknown_keys_are_kept_after_known_ones_sorted),
		cmocka_unit_test(test_yaml__strings_that_look_like_other_types_are_quoted),
		cmocka_unit_test(test_yaml__multiline_text_is_a_literal_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
