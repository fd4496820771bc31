/* core/: validation against the schema (core/validate.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

/* Each file of data/invalid/ starts with "# expect: LINE:COL: TEXT". */
static void test_validate__every_bad_file_names_line_column_and_problem(void **state)
{
	char dir[4096];
	DIR *d;
	struct dirent *e;
	int seen = 0, failures = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/invalid", data_dir());
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d))) {
		char rel[512], expect[512], got_pos[64];
		dlg_diags diags = DLG_DIAGS_INIT;
		dlg_buf all = DLG_BUF_INIT;
		dlg_node *doc = NULL;
		size_t len, i;
		char *text, *nl, *colon2;
		int found = 0;

		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "invalid/%s", e->d_name);
		text = data_file(rel, &len);
		assert_non_null(text);
		assert_true(!strncmp(text, "# expect: ", 10));
		nl = strchr(text, '\n');
		snprintf(expect, sizeof(expect), "%.*s", (int)(nl - text - 10),
			 text + 10);
		assert_int_equal(dlg_store_parse(&doc, text, len, rel,
						 &dlg_schema_task, &diags),
				 DLG_EINVALID);
		assert_null(doc);
		assert_true(diags.count > 0);
		colon2 = strchr(strchr(expect, ':') + 1, ':');
		for (i = 0; i < diags.count; i++) {
			snprintf(got_pos, sizeof(got_pos), "%d:%d:",
				 diags.items[i].line, diags.items[i].column);
			if (!strncmp(got_pos, expect, (size_t)(colon2 - expect + 1)) &&
			    strstr(diags.items[i].message, colon2 + 2) &&
			    !strcmp(diags.items[i].path, rel))
				found = 1;
		}
		dlg_diags_format(&all, &diags);
		if (!found) {
			print_error("%s: expected '%s', got:\n%s", rel, expect,
				    all.ptr);
			failures++;
		}
		dlg_buf_dispose(&all);
		dlg_diags_dispose(&diags);
		free(text);
		seen++;
	}
	closedir(d);
	assert_int_equal(failures, 0);
	assert_true(seen >= 20);
}

/* Values of each kind, accepted and refused, in the files that hold
 * them: durations (config.yaml's sla), item ids, a map where a scalar
 * goes, the bounds of numbers and of the format. */
static void test_validate__values_of_each_kind_accepted_and_refused(void **state)
{
	static const char task_head[] =
		"format: 1\nid: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\n"
		"title: T\nstatus: open\npriority: normal\ndelegator: dana\n"
		"created: 2026-11-25T09:12:00Z\n";
	static const struct {
		const dlg_schema *schema;
		const char *head, *text, *expect; /* expect NULL: valid */
	} cases[] = {
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: 4h, resolve: 2d}\n"
		  "      low: {respond: 30m, resolve: 1w}\n", NULL },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: 999999h}\n", NULL },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: 1000000h}\n",
		  "bad duration '1000000h'" },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: 4x}\n", "bad duration '4x'" },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: h}\n", "bad duration 'h'" },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: 4hh}\n", "bad duration '4hh'" },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: {in: 4h}}\n",
		  "found a map (expected a duration)" },
		{ &dlg_schema_config, "", "format: 2\norgs: {}\n",
		  "'format'" },
		{ &dlg_schema_task, task_head,
		  "feedback:\n- id: 0a0b0c0d\n  at: 2026-11-27T10:00:00Z\n"
		  "  author: dana\n  kind: guidance\n  text: Fine.\n", NULL },
		{ &dlg_schema_task, task_head,
		  "feedback:\n- id: 0a0B0c0d\n  at: 2026-11-27T10:00:00Z\n"
		  "  author: dana\n  kind: guidance\n  text: Fine.\n",
		  "bad item id '0a0B0c0d'" },
		{ &dlg_schema_task, task_head,
		  "feedback:\n- id: 0a0g0c0d\n  at: 2026-11-27T10:00:00Z\n"
		  "  author: dana\n  kind: guidance\n  text: Fine.\n",
		  "bad item id '0a0g0c0d'" },
		{ &dlg_schema_task, task_head,
		  "feedback:\n- id: [0a0b0c0d]\n  at: 2026-11-27T10:00:00Z\n"
		  "  author: dana\n  kind: guidance\n  text: Fine.\n",
		  "found a list (expected an id)" },
		{ &dlg_schema_task, task_head, "assignee: {name: kim}\n",
		  "found a map (expected a handle)" },
	};
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dlg_diags diags = DLG_DIAGS_INIT;
		dlg_buf text = DLG_BUF_INIT, all = DLG_BUF_INIT;
		dlg_node *doc = NULL;
		int error, found = 0;

		dlg_buf_printf(&text, "%s%s", cases[i].head, cases[i].text);
		error = dlg_store_parse(&doc, text.ptr, text.size, "f.yaml",
					cases[i].schema, &diags);
		dlg_diags_format(&all, &diags);
		for (k = 0; k < diags.count; k++)
			found |= cases[i].expect &&
				 strstr(diags.items[k].message,
					cases[i].expect) != NULL;
		if (cases[i].expect ? error != DLG_EINVALID || !found
				    : error != 0) {
			print_error("case %zu: %s\nexpected %s, got %d:\n%s\n",
				    i, text.ptr, cases[i].expect ?
				    cases[i].expect : "valid", error, all.ptr);
			fail();
		}
		dlg_node_free(doc);
		dlg_buf_dispose(&all);
		dlg_buf_dispose(&text);
		dlg_diags_dispose(&diags);
	}
}

/* A handle: 40 characters at most; a value given on the command line is
 * checked as the field would be. */
static void test_validate__handles_and_values_from_the_command_line(void **state)
{
	char h[64];
	dlg_buf out = DLG_BUF_INIT;
	const dlg_field *f = dlg_schema_field_at(&dlg_schema_task, "priority");

	(void)state;
	memset(h, 'a', sizeof(h));
	h[40] = '\0';
	assert_true(dlg_handle_valid(h));
	h[40] = 'a';
	h[41] = '\0';
	assert_false(dlg_handle_valid(h));
	assert_non_null(f);
	assert_int_equal(dlg_schema_check_value(&out, f, "high", 0), 0);
	assert_string_equal(out.ptr, "");
	assert_int_equal(dlg_schema_check_value(&out, f, "higher", 0),
			 DLG_EINVALID);
	assert_non_null(strstr(out.ptr, "unknown value 'higher'"));
	dlg_buf_dispose(&out);
}

static void test_validate__deep_nesting_and_huge_input_are_refused(void **state)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_buf text = DLG_BUF_INIT;
	dlg_node *doc = NULL;
	int i;

	(void)state;
	dlg_buf_puts(&text, "x: ");
	for (i = 0; i < 200; i++)
		dlg_buf_puts(&text, "[");
	assert_int_equal(dlg_yaml_parse(&doc, text.ptr, text.size, "deep.yaml",
					&diags),
			 DLG_EINVALID);
	assert_non_null(strstr(diags.items[0].message, "nesting deeper"));
	dlg_diags_dispose(&diags);
	dlg_buf_clear(&text);
	while (text.size <= DLG_MAX_FILE)
		dlg_buf_puts(&text, "# padding padding padding padding\n");
	assert_int_equal(dlg_yaml_parse(&doc, text.ptr, text.size, "big.yaml",
					&diags),
			 DLG_EINVALID);
	assert_non_null(strstr(diags.items[0].message, "expected at most"));
	dlg_diags_dispose(&diags);
	dlg_buf_dispose(&text);
}

static void test_validate__every_problem_is_listed_not_only_the_first(void **state)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;
	const char *text = "format: 1\nid: nope\ntitle: t\nstatus: wip\n"
			   "priority: meh\ndelegator: dana\ncreated: today\n";

	(void)state;
	assert_int_equal(dlg_store_parse(&doc, text, strlen(text), "x.yaml",
					 &dlg_schema_task, &diags),
			 DLG_EINVALID);
	assert_int_equal(diags.count, 4);
	dlg_diags_dispose(&diags);
}

/* A value must be one of the schema's values, whole: not one that starts
 * or ends like one. */
static void test_validate__enum_values_are_whole_words(void **state)
{
	static const char *const bad[][2] = {
		{ "status: in-progress", "status: opened" },
		{ "status: in-progress", "status: in" },
		{ "status: in-progress", "status: reviewing" },
		{ "priority: high", "priority: highest" },
		{ "priority: high", "priority: hig" },
		{ "priority: high", "priority: High" },
	};
	char *text = data_file("canonical/task.yaml", NULL);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		dlg_buf t = DLG_BUF_INIT;
		dlg_diags diags = DLG_DIAGS_INIT;
		dlg_node *doc = NULL;
		const char *at = strstr(text, bad[i][0]);

		assert_non_null(at);
		dlg_buf_put(&t, text, (size_t)(at - text));
		dlg_buf_puts(&t, bad[i][1]);
		dlg_buf_puts(&t, at + strlen(bad[i][0]));
		if (dlg_store_parse(&doc, t.ptr, t.size, "x.yaml",
				    &dlg_schema_task, &diags) != DLG_EINVALID)
			fail_msg("'%s' was accepted", bad[i][1]);
		assert_null(doc);
		dlg_diags_dispose(&diags);
		dlg_buf_dispose(&t);
	}
	free(text);
}

/* Names of fields are built whole from what the file holds: an org of 300
 * characters is named in full (it was cut at 255). */
static void test_validate__long_names_are_named_whole(void **state)
{
	dlg_buf text = DLG_BUF_INIT, msg = DLG_BUF_INIT, want = DLG_BUF_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;
	size_t i;

	(void)state;
	dlg_buf_puts(&want, "'orgs.");
	for (i = 0; i < 300; i++)
		dlg_buf_puts(&want, "o");
	dlg_buf_printf(&text, "format: 1\norgs:\n  %s:\n    sla:\n"
		       "      urgent: {respond: 4h}\n", want.ptr + 6);
	dlg_buf_puts(&want, ".sla.urgent': unknown key");
	assert_int_equal(dlg_store_parse(&doc, text.ptr, text.size, "c.yaml",
					 &dlg_schema_config, &diags),
			 DLG_EINVALID);
	dlg_diags_format(&msg, &diags);
	if (!strstr(msg.ptr, want.ptr))
		fail_msg("not named whole: %s", msg.ptr);
	dlg_diags_dispose(&diags);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&msg);
	dlg_buf_dispose(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate__every_bad_file_names_line_column_and_problem),
		cmocka_unit_test(test_validate__deep_nesting_and_huge_input_are_refused),
		cmocka_unit_test(test_validate__values_of_each_kind_accepted_and_refused),
		cmocka_unit_test(test_validate__handles_and_values_from_the_command_line),
		cmocka_unit_test(test_validate__every_problem_is_listed_not_only_the_first),
		cmocka_unit_test(test_validate__enum_values_are_whole_words),
		cmocka_unit_test(test_validate__long_names_are_named_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
