/* core/: one task: fields, sets, the workflow, diffs, search (core/task.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

/* A task's stamp, its sets replaced whole or given with blanks, and the
 * actions that need an assignee. */
static void test_task__touch_sets_and_actions_that_need_an_assignee(void **state)
{
	dlg_node *t = dlg_task_new("0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70",
				   "Task", "dana", 1000);
	dlg_actor dana = { "dana", "director" };
	dlg_buf b = DLG_BUF_INIT;
	time_t when;

	(void)state;
	dlg_task_touch(t, "kim", 1795000000);
	assert_int_equal(dlg_time_parse(&when, dlg_map_get_str(t, "updated")),
			 0);
	assert_int_equal(when, 1795000000);
	assert_string_equal(dlg_map_get_str(t, "updated_by"), "kim");
	assert_int_equal(dlg_task_set_field(t, "tags", " a ,b  , c"), 0);
	dlg_node_summary(&b, dlg_map_get(t, "tags"));
	assert_string_equal(b.ptr, "[a, b, c]");
	assert_int_equal(dlg_task_set_field(t, "tags", "x,y"), 0);
	dlg_buf_clear(&b);
	dlg_node_summary(&b, dlg_map_get(t, "tags"));
	assert_string_equal(b.ptr, "[x, y]");
	dlg_buf_dispose(&b);
	/* no assignee: neither started nor submitted, by anyone */
	assert_int_equal(dlg_task_act(t, DLG_ACT_START, &dana, NULL, 2000),
			 DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "no assignee"));
	dlg_node_free(t);
}

static dlg_node *workflow_task(void)
{
	dlg_node *t = dlg_task_new("0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70",
				   "Task", "dana", 1000);

	dlg_map_set_str(t, "assignee", "kim");
	return t;
}

static void test_workflow__follows_spec_5(void **state)
{
	dlg_actor dana = { "dana", "director" }, kim = { "kim", "msp" };
	dlg_actor sam = { "sam", "staff" };
	dlg_node *t = workflow_task();
	const dlg_node *fb;

	(void)state;
	assert_int_equal(dlg_task_act(t, DLG_ACT_SUBMIT, &kim, NULL, 2000),
			 DLG_EINVALID);
	assert_int_equal(dlg_task_act(t, DLG_ACT_START, &sam, NULL, 2000),
			 DLG_EDENIED);
	/* nothing open is accepted, rejected, or reopened */
	assert_int_equal(dlg_task_act(t, DLG_ACT_ACCEPT, &dana, NULL, 1900),
			 DLG_EINVALID);
	assert_int_equal(dlg_task_act(t, DLG_ACT_REJECT, &dana, "no", 1900),
			 DLG_EINVALID);
	assert_int_equal(dlg_task_act(t, DLG_ACT_REOPEN, &dana, NULL, 1900),
			 DLG_EINVALID);
	assert_string_equal(dlg_map_get_str(t, "status"), "open");
	assert_int_equal(dlg_task_act(t, DLG_ACT_START, &kim, NULL, 2000), 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "in-progress");
	assert_string_equal(dlg_map_get_str(t, "started"), "1970-01-01T00:33:20Z");
	/* work in progress is submitted first: not accepted, not rejected */
	assert_int_equal(dlg_task_act(t, DLG_ACT_ACCEPT, &dana, NULL, 2050),
			 DLG_EINVALID);
	assert_int_equal(dlg_task_act(t, DLG_ACT_REJECT, &dana, "no", 2050),
			 DLG_EINVALID);
	assert_string_equal(dlg_map_get_str(t, "status"), "in-progress");
	assert_null(dlg_map_get_str(t, "closed"));
	assert_int_equal(dlg_task_act(t, DLG_ACT_BLOCK, &kim, NULL, 2100),
			 DLG_EUSAGE);
	assert_int_equal(dlg_task_act(t, DLG_ACT_BLOCK, &kim, "waiting", 2100), 0);
	/* blocked work is neither submitted nor accepted */
	assert_int_equal(dlg_task_act(t, DLG_ACT_SUBMIT, &kim, NULL, 2150),
			 DLG_EINVALID);
	assert_int_equal(dlg_task_act(t, DLG_ACT_ACCEPT, &dana, NULL, 2150),
			 DLG_EINVALID);
	assert_string_equal(dlg_map_get_str(t, "status"), "blocked");
	assert_int_equal(dlg_task_act(t, DLG_ACT_START, &kim, NULL, 2200), 0);
	/* started keeps the first move to in-progress */
	assert_string_equal(dlg_map_get_str(t, "started"), "1970-01-01T00:33:20Z");
	assert_int_equal(dlg_task_act(t, DLG_ACT_SUBMIT, &kim, NULL, 3000), 0);
	assert_int_equal(dlg_task_act(t, DLG_ACT_ACCEPT, &kim, NULL, 3100),
			 DLG_EDENIED);
	assert_int_equal(dlg_task_act(t, DLG_ACT_REJECT, &dana, "redo the test",
				      3200), 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "in-progress");
	fb = dlg_map_get(t, "feedback");
	assert_int_equal(fb->count, 2);
	assert_string_equal(dlg_map_get_str(fb->items[1], "kind"), "review");
	assert_string_equal(dlg_map_get_str(fb->items[1], "text"), "redo the test");
	assert_int_equal(dlg_task_act(t, DLG_ACT_SUBMIT, &kim, NULL, 3300), 0);
	assert_int_equal(dlg_task_act(t, DLG_ACT_ACCEPT, &dana, NULL, 3400), 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "done");
	assert_non_null(dlg_map_get_str(t, "closed"));
	assert_int_equal(dlg_task_act(t, DLG_ACT_REOPEN, &dana, NULL, 3500), 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "in-progress");
	assert_null(dlg_map_get_str(t, "closed"));
	assert_int_equal(dlg_task_act(t, DLG_ACT_CANCEL, &dana, NULL, 3600), 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "cancelled");
	assert_string_equal(dlg_map_get_str(t, "updated_by"), "dana");
	dlg_node_free(t);
}

static void test_diff__fields_and_list_items_by_id(void **state)
{
	char *text = data_file("canonical/task.yaml", NULL);
	dlg_node *a = task_from(text, strlen(text));
	dlg_node *b = dlg_node_dup(a);
	dlg_changes ch = DLG_CHANGES_INIT;
	dlg_node *cp;

	(void)state;
	dlg_map_set_str(b, "status", "review");
	cp = dlg_seq_find_id(dlg_map_get(b, "checkpoints"), "27c4f0aa");
	dlg_map_set(cp, "done", dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	dlg_map_set_str(b, "updated_by", "someone"); /* not a change of its own */
	dlg_task_set_field(b, "tags", "+urgent");
	dlg_doc_diff(&ch, a, b);
	assert_int_equal(ch.count, 3);
	assert_string_equal(ch.items[0].field, "status");
	assert_string_equal(ch.items[0].from, "in-progress");
	assert_string_equal(ch.items[0].to, "review");
	assert_string_equal(ch.items[1].field, "tags");
	assert_string_equal(ch.items[1].to, "[backup, infra, urgent]");
	assert_string_equal(ch.items[2].field, "checkpoints[27c4f0aa].done");
	assert_string_equal(ch.items[2].from, "false");
	dlg_changes_dispose(&ch);
	dlg_node_free(a);
	dlg_node_free(b);
	free(text);
}

static void test_task__set_field_types_values_by_schema(void **state)
{
	dlg_node *t = workflow_task();
	dlg_diags d = DLG_DIAGS_INIT;

	(void)state;
	assert_int_equal(dlg_task_set_field(t, "estimate_hours", "2.5"), 0);
	assert_int_equal(dlg_task_set_field(t, "core", "true"), 0);
	assert_int_equal(dlg_task_set_field(t, "tags", "a, b,a"), 0);
	assert_int_equal(dlg_task_set_field(t, "tags", "-a"), 0);
	assert_int_equal(dlg_task_set_field(t, "outcome", "Done well"), 0);
	assert_int_equal(dlg_task_set_field(t, "due", ""), 0);
	assert_int_equal(dlg_task_set_field(t, "status", "done"), DLG_EUSAGE);
	assert_int_equal(dlg_task_set_field(t, "bogus", "x"), DLG_EUSAGE);
	assert_int_equal(dlg_schema_validate(t, &dlg_schema_task, "t", &d), 0);
	assert_string_equal(dlg_map_get_str(t, "estimate_hours"), "2.5");
	assert_int_equal(dlg_map_get(t, "tags")->count, 1);
	assert_string_equal(dlg_map_get_str(dlg_map_get(t, "expectations"),
					    "outcome"), "Done well");
	assert_int_equal(dlg_task_set_field(t, "due", "soon"), 0);
	assert_int_equal(dlg_schema_validate(t, &dlg_schema_task, "t", &d),
			 DLG_EINVALID);
	dlg_diags_dispose(&d);
	dlg_node_free(t);
}

/* The members of a set, sorted, joined by commas. */
static char *members(const dlg_node *task, const char *key)
{
	const dlg_node *set = dlg_map_get(task, key);
	dlg_buf b = DLG_BUF_INIT;
	size_t i, j;
	const char *v[16];

	for (i = 0; i < set->count && i < 16; i++) {
		v[i] = set->items[i]->value;
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	}
	for (j = 0; j < i; j++)
		dlg_buf_printf(&b, "%s%s", j ? "," : "", v[j]);
	return dlg_buf_detach(&b);
}

static void test_task__set_edits_sets_item_by_item(void **state)
{
	static const char *const cases[][3] = {
		/* the set before, KEY=VALUE's value, the set after */
		{ "budget,ops", "planning,infra", "infra,planning" },
		{ "budget,ops", "+planning,-budget", "ops,planning" },
		{ "budget,ops", "-budget, +planning", "ops,planning" },
		{ "budget", "+a,b", "a,b,budget" },
		{ "a,b,c", "-a,b", "c" },
		{ "a,b", "+a", "a,b" },
		{ "a", "-zzz", "a" },
		{ "a", "+-x", "-x,a" },
		{ "+-x,a", "--x", "a" },
		{ "a", "", "" },
		{ "a", "+", "a" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dlg_node *t = workflow_task();
		char *got;

		assert_int_equal(dlg_task_set_field(t, "tags", cases[i][0]), 0);
		assert_int_equal(dlg_task_set_field(t, "tags", cases[i][1]), 0);
		got = members(t, "tags");
		if (strcmp(got, cases[i][2]))
			fail_msg("tags=%s then tags=%s: '%s', not '%s'",
				 cases[i][0], cases[i][1], got, cases[i][2]);
		free(got);
		dlg_node_free(t);
	}
	{
		/* skills the same way; a new list with an edit in it is
		 * refused, and nothing changes */
		dlg_node *t = workflow_task();
		char *got;

		assert_int_equal(dlg_task_set_field(t, "skills", "go,c"), 0);
		assert_int_equal(dlg_task_set_field(t, "skills", "+rust,-go"), 0);
		assert_int_equal(dlg_task_set_field(t, "skills", "a,-c"),
				 DLG_EUSAGE);
		assert_non_null(strstr(dlg_error_last(), "skills=+a,-b"));
		got = members(t, "skills");
		assert_string_equal(got, "c,rust");
		free(got);
		dlg_node_free(t);
	}
}

static void test_search__words_anywhere_in_the_texts_ignoring_case(void **state)
{
	dlg_node *t = dlg_task_new("0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70",
				   "Nightly BACKUP check", "dana", 1764000000);
	const char *one[] = { "backup" }, *two[] = { "backup", "nas" };
	const char *none[] = { "tape" }, *accept[] = { "RESTORE", "drill" };

	(void)state;
	assert_true(dlg_text_has_words("Nightly BACKUP", one, 1));
	assert_false(dlg_text_has_words("Nightly", one, 1));
	assert_true(dlg_text_has_words("anything", NULL, 0));
	assert_true(dlg_task_has_words(t, one, 1));
	assert_false(dlg_task_has_words(t, two, 2));
	dlg_task_set_field(t, "why", "The Nas fills up\n");
	assert_true(dlg_task_has_words(t, two, 2));
	assert_false(dlg_task_has_words(t, none, 1));
	dlg_seq_push(dlg_map_get(dlg_map_get(t, "expectations"), "acceptance"),
		     dlg_node_new_str("unused")); /* not a criterion: skipped */
	dlg_task_add_feedback(t, "kim", "progress", "restore drill next",
			      1764000000);
	assert_true(dlg_task_has_words(t, accept, 2));
	dlg_node_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task__touch_sets_and_actions_that_need_an_assignee),
		cmocka_unit_test(test_workflow__follows_spec_5),
		cmocka_unit_test(test_diff__fields_and_list_items_by_id),
		cmocka_unit_test(test_task__set_field_types_values_by_schema),
		cmocka_unit_test(test_task__set_edits_sets_item_by_item),
		cmocka_unit_test(test_search__words_anywhere_in_the_texts_ignoring_case),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
