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
	/* an item removed: one change, from the item to nothing */
	dlg_doc_set_path(b, "checkpoints[9d3b7e11]", NULL);
	dlg_doc_diff(&ch, a, b);
	assert_int_equal(ch.count, 4);
	assert_string_equal(ch.items[2].field, "checkpoints[9d3b7e11]");
	assert_non_null(ch.items[2].from);
	assert_null(ch.items[2].to);
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

static time_t at(const char *t)
{
	time_t v;

	assert_int_equal(dlg_time_parse(&v, t), 0);
	return v;
}

/* Time spent: entries of more than 0 and at most 1000 hours, written as
 * plain numbers, the note only when there is one; sums by person and by
 * window [since, until), a row's precomputed sum, the hours left. */
static void test_task__time_spent_entries_sums_and_hours_left(void **state)
{
	dlg_node *t = workflow_task();
	const dlg_node *list, *e;
	static const double bad[] = { 0, -1, 1000.5 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(dlg_task_add_spent(t, "kim", bad[i], NULL,
						    at("2026-12-01T10:00:00Z")),
				 DLG_EUSAGE);
		assert_non_null(strstr(dlg_error_last(), "at most 1000"));
	}
	assert_null(dlg_map_get(t, "spent"));
	dlg_map_set_str(t, "spent", "not a list");
	assert_int_equal(dlg_task_add_spent(t, "kim", 1.5, "setup",
					    at("2026-12-01T10:00:00Z")), 0);
	assert_int_equal(dlg_task_add_spent(t, "dana", 2, "",
					    at("2026-12-02T10:00:00Z")), 0);
	assert_int_equal(dlg_task_add_spent(t, "kim", 0.25, NULL,
					    at("2026-12-03T10:00:00Z")), 0);
	assert_int_equal(dlg_task_add_spent(t, "kim", 1.999, NULL,
					    at("2026-12-04T10:00:00Z")), 0);
	assert_int_equal(dlg_task_add_spent(t, "kim", 1000, NULL,
					    at("2026-12-05T10:00:00Z")), 0);
	list = dlg_map_get(t, "spent");
	assert_int_equal(list->count, 5);
	e = list->items[0];
	assert_string_equal(dlg_map_get_str(e, "hours"), "1.5");
	assert_int_equal(dlg_map_get(e, "hours")->type, DLG_SCALAR_FLOAT);
	assert_string_equal(dlg_map_get_str(e, "note"), "setup");
	assert_string_equal(dlg_map_get_str(e, "by"), "kim");
	assert_string_equal(dlg_map_get_str(e, "at"), "2026-12-01T10:00:00Z");
	assert_string_equal(dlg_map_get_str(list->items[1], "hours"), "2");
	assert_int_equal(dlg_map_get(list->items[1], "hours")->type,
			 DLG_SCALAR_INT);
	assert_null(dlg_map_get(list->items[1], "note"));
	assert_null(dlg_map_get(list->items[2], "note"));
	assert_string_equal(dlg_map_get_str(list->items[2], "hours"), "0.25");
	assert_string_equal(dlg_map_get_str(list->items[3], "hours"), "2");
	assert_string_equal(dlg_map_get_str(list->items[4], "hours"), "1000");
	assert_string_equal(dlg_map_get_str(t, "updated_by"), "kim");
	assert_string_equal(dlg_map_get_str(t, "updated"),
			    "2026-12-05T10:00:00Z");
	dlg_seq_remove((dlg_node *)list, 4);
	/* sums */
	assert_true(dlg_task_spent(t, NULL, 0, 0) == 5.75);
	assert_true(dlg_task_spent(t, "kim", 0, 0) == 3.75);
	assert_true(dlg_task_spent(t, "dana", 0, 0) == 2);
	assert_true(dlg_task_spent(t, "sam", 0, 0) == 0);
	assert_true(dlg_task_spent(t, NULL, at("2026-12-02T10:00:00Z"), 0) ==
		    4.25);
	assert_true(dlg_task_spent(t, NULL, 0, at("2026-12-02T10:00:00Z")) ==
		    1.5);
	assert_true(dlg_task_spent(t, "kim", at("2026-12-02T00:00:00Z"),
				   at("2026-12-04T00:00:00Z")) == 0.25);
	/* entries without a time, an author or hours count only where no
	 * window or person is asked for */
	dlg_map_remove(list->items[0], "at");
	dlg_map_remove(list->items[1], "by");
	dlg_map_set_str(list->items[2], "at", "yesterday");
	assert_true(dlg_task_spent(t, NULL, 0, 0) == 5.75);
	assert_true(dlg_task_spent(t, "dana", 0, 0) == 0);
	assert_true(dlg_task_spent(t, NULL, 1, 0) == 4);
	assert_true(dlg_task_spent(t, NULL, 0, at("2030-01-01T00:00:00Z")) ==
		    4);
	dlg_map_remove(list->items[3], "hours");
	assert_true(dlg_task_spent(t, NULL, 0, 0) == 3.75);
	/* the hours left of the estimate, never below 0 */
	assert_true(dlg_task_open_hours(t) == 0);
	dlg_task_set_field(t, "estimate_hours", "6");
	assert_true(dlg_task_open_hours(t) == 2.25);
	dlg_task_set_field(t, "estimate_hours", "3");
	assert_true(dlg_task_open_hours(t) == 0);
	/* a row's sum, when the entries are not there */
	dlg_map_remove(t, "spent");
	dlg_map_set_str(t, "spent_hours", "7.5");
	assert_true(dlg_task_spent(t, NULL, 0, 0) == 7.5);
	assert_true(dlg_task_spent(t, "kim", 0, 0) == 0);
	assert_true(dlg_task_spent(t, NULL, 1, 0) == 0);
	assert_true(dlg_task_spent(t, NULL, 0, 1) == 0);
	dlg_node_free(t);
}

/* Hours as the command line gives them: a number of hours, with h or m
 * (minutes) after it, more than 0 and at most 1000. */
static void test_task__hours_parse(void **state)
{
	static const struct {
		const char *text;
		double want; /* 0: refused */
	} cases[] = {
		{ "2", 2 }, { "2h", 2 }, { "1.5", 1.5 }, { "90m", 1.5 },
		{ "1000", 1000 }, { "60000m", 1000 }, { "0", 0 }, { "-1", 0 },
		{ "x", 0 }, { "", 0 }, { "2x", 0 }, { "2hh", 0 }, { "2mm", 0 },
		{ "1001", 0 }, { "60001m", 0 }, { "h", 0 },
	};
	size_t i;
	int failures = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double v = -7;
		int error = dlg_hours_parse(&v, cases[i].text);

		if (cases[i].want ? error || v != cases[i].want
				  : error != -1 || v != -7) {
			print_error("'%s': %d %g\n", cases[i].text, error, v);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* A new due date: asked for by the assignee alone, with a valid, other
 * date and a reason, on an open task; answered by the delegator's side,
 * declined only with a reason. The request, its feedback, the answer. */
static void test_task__due_date_asked_and_answered(void **state)
{
	dlg_actor dana = { "dana", "staff" }, kim = { "kim", "msp" };
	dlg_actor mia = { "mia", "manager" }, sam = { "sam", "staff" };
	dlg_node *t = workflow_task();
	const dlg_node *req, *fb;

	(void)state;
	dlg_task_set_field(t, "due", "2026-12-15");
	assert_int_equal(dlg_task_answer_due(t, &dana, 1, NULL, 100),
			 DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "no due date was asked for"));
	assert_int_equal(dlg_task_ask_due(t, &dana, "2026-12-22", "late", 100),
			 DLG_EDENIED);
	assert_int_equal(dlg_task_ask_due(t, &kim, "2026-12-32", "late", 100),
			 DLG_EUSAGE);
	assert_int_equal(dlg_task_ask_due(t, &kim, "2026-12-15", "late", 100),
			 DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "due on 2026-12-15 already"));
	assert_int_equal(dlg_task_ask_due(t, &kim, "2026-12-22", "", 100),
			 DLG_EUSAGE);
	assert_int_equal(dlg_task_ask_due(t, &kim, "2026-12-22", NULL, 100),
			 DLG_EUSAGE);
	assert_null(dlg_map_get(t, "due_request"));
	assert_int_equal(dlg_task_ask_due(t, &kim, "2026-12-22",
					  "the vendor is late",
					  at("2026-12-01T10:00:00Z")), 0);
	req = dlg_map_get(t, "due_request");
	assert_string_equal(dlg_map_get_str(req, "due"), "2026-12-22");
	assert_int_equal(dlg_map_get(req, "due")->type, DLG_SCALAR_TIMESTAMP);
	assert_string_equal(dlg_map_get_str(req, "by"), "kim");
	assert_string_equal(dlg_map_get_str(req, "at"), "2026-12-01T10:00:00Z");
	assert_string_equal(dlg_map_get_str(req, "why"), "the vendor is late");
	fb = dlg_map_get(t, "feedback");
	assert_int_equal(fb->count, 1);
	assert_string_equal(dlg_map_get_str(fb->items[0], "kind"), "concern");
	assert_string_equal(dlg_map_get_str(fb->items[0], "text"),
			    "asks to move the due date from 2026-12-15 to "
			    "2026-12-22: the vendor is late");
	assert_string_equal(dlg_map_get_str(t, "updated_by"), "kim");
	/* answered: not by the assignee, declined only with a reason */
	assert_int_equal(dlg_task_answer_due(t, &kim, 1, NULL, 200),
			 DLG_EDENIED);
	assert_non_null(strstr(dlg_error_last(), "may not grant"));
	assert_int_equal(dlg_task_answer_due(t, &sam, 0, "no", 200),
			 DLG_EDENIED);
	assert_non_null(strstr(dlg_error_last(), "may not decline"));
	assert_int_equal(dlg_task_answer_due(t, &dana, 0, "", 200), DLG_EUSAGE);
	assert_int_equal(dlg_task_answer_due(t, &dana, 0, NULL, 200),
			 DLG_EUSAGE);
	assert_int_equal(dlg_task_answer_due(t, &dana, 0, "keep the date",
					     at("2026-12-02T10:00:00Z")), 0);
	assert_null(dlg_map_get(t, "due_request"));
	assert_string_equal(dlg_map_get_str(t, "due"), "2026-12-15");
	assert_int_equal(fb->count, 2);
	assert_string_equal(dlg_map_get_str(fb->items[1], "kind"), "guidance");
	assert_string_equal(dlg_map_get_str(fb->items[1], "author"), "dana");
	assert_string_equal(dlg_map_get_str(fb->items[1], "text"),
			    "declined kim's request to move the due date to "
			    "2026-12-22: keep the date");
	assert_string_equal(dlg_map_get_str(t, "updated_by"), "dana");
	/* granted by a manager (not the delegator), with no reason */
	assert_int_equal(dlg_task_ask_due(t, &kim, "2026-12-22", "still late",
					  300), 0);
	assert_int_equal(dlg_task_answer_due(t, &mia, 1, "", 400), 0);
	assert_string_equal(dlg_map_get_str(t, "due"), "2026-12-22");
	assert_int_equal(dlg_map_get(t, "due")->type, DLG_SCALAR_TIMESTAMP);
	assert_string_equal(dlg_map_get_str(fb->items[3], "text"),
			    "granted kim's request: due 2026-12-22 (was "
			    "2026-12-15)");
	/* without a due date before, granted with a reason */
	dlg_task_set_field(t, "due", "");
	assert_int_equal(dlg_task_ask_due(t, &kim, "2026-12-29", "more", 500),
			 0);
	assert_string_equal(dlg_map_get_str(fb->items[4], "text"),
			    "asks to move the due date from (none) to "
			    "2026-12-29: more");
	dlg_map_remove((dlg_node *)dlg_map_get(t, "due_request"), "by");
	assert_int_equal(dlg_task_answer_due(t, &dana, 1, "fine", 600), 0);
	assert_string_equal(dlg_map_get_str(fb->items[5], "text"),
			    "granted ?'s request: due 2026-12-29 (was none): "
			    "fine");
	/* a request without its date is none; a closed task moves nothing */
	dlg_map_set(t, "due_request", dlg_node_new_map());
	assert_int_equal(dlg_task_answer_due(t, &dana, 1, NULL, 700),
			 DLG_EINVALID);
	dlg_map_set_str(t, "due_request", "2026-12-30");
	assert_int_equal(dlg_task_answer_due(t, &dana, 1, NULL, 700),
			 DLG_EINVALID);
	dlg_map_set_str(t, "status", "done");
	assert_int_equal(dlg_task_ask_due(t, &kim, "2027-01-05", "more", 800),
			 DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "the task is done"));
	dlg_node_free(t);
}

static void criterion(dlg_node *t, const char *id, const char *text,
		      const char *met)
{
	dlg_node *c = dlg_node_new_map();

	if (id)
		dlg_map_set_str(c, "id", id);
	if (text)
		dlg_map_set_str(c, "text", text);
	if (met)
		dlg_map_set(c, "met", dlg_node_new_scalar(DLG_SCALAR_BOOL, met));
	dlg_seq_push(dlg_map_get(dlg_map_get(t, "expectations"), "acceptance"),
		     c);
}

/* accept refuses while acceptance criteria are unmet, naming each (one:
 * "criterion", more: "criteria"); forced, it accepts and records them,
 * then the message, in its review. */
static void test_task__accept_names_unmet_criteria_or_records_them(void **state)
{
	dlg_actor dana = { "dana", "staff" }, kim = { "kim", "staff" };
	dlg_node *t = workflow_task();
	const dlg_node *fb;

	(void)state;
	criterion(t, "0a0b0c01", "Restore tested", "false");
	criterion(t, "0a0b0c02", "Runbook written", "true");
	criterion(t, "0a0b0c03", "Alerts wired", NULL);
	assert_int_equal(dlg_task_act(t, DLG_ACT_START, &kim, NULL, 100), 0);
	assert_int_equal(dlg_task_act(t, DLG_ACT_SUBMIT, &kim, NULL, 200), 0);
	assert_int_equal(dlg_task_act(t, DLG_ACT_ACCEPT, &dana, NULL, 300),
			 DLG_EINVALID);
	assert_string_equal(dlg_error_last(),
			    "cannot accept: 2 acceptance criteria not met: "
			    "'Restore tested' (0a0b0c01), 'Alerts wired' "
			    "(0a0b0c03) (tick them with 'delegit "
			    "accept-criterion ID CID', or accept anyway with "
			    "--force)");
	assert_string_equal(dlg_map_get_str(t, "status"), "review");
	dlg_map_set(dlg_seq_find_id(dlg_map_get(dlg_map_get(t, "expectations"),
						"acceptance"), "0a0b0c03"),
		    "met", dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	assert_int_equal(dlg_task_act_flags(t, DLG_ACT_ACCEPT, &dana, NULL,
					    300, 0), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "1 acceptance criterion not "
						 "met: 'Restore tested' "
						 "(0a0b0c01) (tick it with"));
	assert_int_equal(dlg_task_act_flags(t, DLG_ACT_ACCEPT, &dana,
					    "good enough", 400, DLG_ACT_FORCE),
			 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "done");
	fb = dlg_map_get(t, "feedback");
	assert_string_equal(dlg_map_get_str(fb->items[fb->count - 1], "kind"),
			    "review");
	assert_string_equal(dlg_map_get_str(fb->items[fb->count - 1], "text"),
			    "accepted with 1 acceptance criterion unmet: "
			    "'Restore tested' (0a0b0c01)\ngood enough");
	/* reopened (it had started), a nameless criterion added, forced
	 * without a message */
	assert_int_equal(dlg_task_act(t, DLG_ACT_REOPEN, &dana, NULL, 500), 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "in-progress");
	assert_int_equal(dlg_task_act(t, DLG_ACT_SUBMIT, &kim, NULL, 600), 0);
	criterion(t, NULL, NULL, NULL);
	assert_int_equal(dlg_task_act_flags(t, DLG_ACT_ACCEPT, &dana, "", 700,
					    DLG_ACT_FORCE), 0);
	assert_string_equal(dlg_map_get_str(fb->items[fb->count - 1], "text"),
			    "accepted with 2 acceptance criteria unmet: "
			    "'Restore tested' (0a0b0c01), '' (?)");
	dlg_node_free(t);
}

/* Who may act: the assignee or the delegator's side (the delegator, a
 * director, a manager) for the assignee's actions, only the latter for
 * the delegator's; a task never started reopens as open; feedback on a
 * task without its list makes one; overdue only while open. */
static void test_task__who_may_act_and_overdue(void **state)
{
	dlg_actor mia = { "mia", "manager" }, dir = { "dir", "director" };
	dlg_actor kim = { "kim", "staff" }, sam = { "sam", "staff" };
	dlg_actor dana = { "dana", "staff" };
	dlg_node *t = workflow_task();
	dlg_action a;

	(void)state;
	assert_int_equal(dlg_action_parse(&a, "reopen"), 0);
	assert_int_equal(a, DLG_ACT_REOPEN);
	assert_string_equal(dlg_action_name(DLG_ACT_CANCEL), "cancel");
	assert_int_equal(dlg_action_parse(&a, "finish"), -1);
	assert_int_equal(a, DLG_ACT_REOPEN);
	assert_int_equal(dlg_task_act(t, DLG_ACT_CANCEL, &kim, NULL, 100),
			 DLG_EDENIED);
	assert_non_null(strstr(dlg_error_last(), "only its delegator, a "
						 "director or a manager"));
	assert_int_equal(dlg_task_act(t, DLG_ACT_BLOCK, &sam, "x", 100),
			 DLG_EDENIED);
	assert_non_null(strstr(dlg_error_last(), "only its assignee or its "
						 "delegator"));
	assert_int_equal(dlg_task_act(t, DLG_ACT_BLOCK, &dana, "x", 100), 0);
	assert_int_equal(dlg_task_act(t, DLG_ACT_CANCEL, &mia, NULL, 200), 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "cancelled");
	assert_false(dlg_task_is_open(t));
	assert_int_equal(dlg_task_act(t, DLG_ACT_REOPEN, &dir, NULL, 300), 0);
	assert_string_equal(dlg_map_get_str(t, "status"), "open");
	assert_null(dlg_map_get_str(t, "started"));
	assert_int_equal(dlg_task_act(t, DLG_ACT_START, &mia, NULL, 400), 0);
	/* submit needs an assignee too */
	dlg_map_set_null(t, "assignee");
	assert_int_equal(dlg_task_act(t, DLG_ACT_SUBMIT, &dir, NULL, 500),
			 DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "no assignee"));
	assert_int_equal(dlg_task_act(t, DLG_ACT_BLOCK, &dir, "x", 500), 0);
	/* overdue: due before today, and open */
	setenv("TZ", "UTC", 1);
	tzset();
	assert_false(dlg_task_is_overdue(t, at("2026-12-02T10:00:00Z")));
	dlg_task_set_field(t, "due", "2026-12-01");
	assert_true(dlg_task_is_overdue(t, at("2026-12-02T10:00:00Z")));
	assert_false(dlg_task_is_overdue(t, at("2026-12-01T23:00:00Z")));
	dlg_map_set_str(t, "status", "done");
	assert_false(dlg_task_is_overdue(t, at("2026-12-02T10:00:00Z")));
	dlg_map_remove(t, "status");
	assert_false(dlg_task_is_open(t));
	/* feedback on a task without the list (or not a list) */
	dlg_map_remove(t, "feedback");
	dlg_task_add_feedback(t, "kim", "praise", "well done", 600);
	assert_int_equal(dlg_map_get(t, "feedback")->count, 1);
	dlg_map_set_str(t, "feedback", "x");
	dlg_task_add_feedback(t, "kim", "praise", "again", 600);
	assert_int_equal(dlg_map_get(t, "feedback")->kind, DLG_NODE_SEQ);
	assert_int_equal(dlg_map_get(t, "feedback")->count, 1);
	assert_string_equal(dlg_map_get_str(dlg_map_get(t, "feedback")->items[0],
					    "text"), "again");
	dlg_node_free(t);
}

/* Fields set by name: expectations' by their own names or in full,
 * quality a list each value adds to, optional fields cleared, a set
 * field that is not a list made one; names that are not settable. */
static void test_task__set_field_by_name_and_kind(void **state)
{
	dlg_node *t = workflow_task();
	const dlg_node *ex = dlg_map_get(t, "expectations"), *q;
	dlg_buf b = DLG_BUF_INIT;

	(void)state;
	assert_int_equal(dlg_task_set_field(t, "expectations.process",
					    "Runbook RB-12"), 0);
	assert_string_equal(dlg_map_get_str(ex, "process"), "Runbook RB-12");
	assert_int_equal(dlg_task_set_field(t, "expectations.outcome", "~"), 0);
	assert_int_equal(dlg_map_get(ex, "outcome")->type, DLG_SCALAR_NULL);
	assert_int_equal(dlg_task_set_field(t, "expectations.acceptance", "x"),
			 DLG_EUSAGE);
	assert_non_null(strstr(dlg_error_last(), "cannot set "
						 "'expectations.acceptance'"));
	assert_int_equal(dlg_task_set_field(t, "expectations.title", "x"),
			 DLG_EUSAGE);
	assert_int_equal(dlg_task_set_field(t, "quality", "Monitored"), 0);
	assert_int_equal(dlg_task_set_field(t, "expectations.quality",
					    "Tested"), 0);
	assert_int_equal(dlg_task_set_field(t, "quality", ""), 0);
	q = dlg_map_get(ex, "quality");
	assert_int_equal(q->count, 2);
	assert_string_equal(q->items[1]->value, "Tested");
	dlg_map_set_str((dlg_node *)ex, "quality", "a string");
	assert_int_equal(dlg_task_set_field(t, "quality", "Again"), 0);
	q = dlg_map_get(ex, "quality");
	assert_int_equal(q->kind, DLG_NODE_SEQ);
	assert_int_equal(q->count, 1);
	/* optional fields, cleared by "" or null, set again */
	assert_int_equal(dlg_task_set_field(t, "autonomy", "own"), 0);
	assert_string_equal(dlg_map_get_str(t, "autonomy"), "own");
	assert_int_equal(dlg_task_set_field(t, "autonomy", ""), 0);
	assert_null(dlg_map_get(t, "autonomy"));
	assert_int_equal(dlg_task_set_field(t, "autonomy", "recommend"), 0);
	assert_int_equal(dlg_task_set_field(t, "autonomy", "null"), 0);
	assert_null(dlg_map_get(t, "autonomy"));
	/* nullable fields keep a null */
	assert_int_equal(dlg_task_set_field(t, "assignee", "null"), 0);
	assert_int_equal(dlg_map_get(t, "assignee")->type, DLG_SCALAR_NULL);
	assert_int_equal(dlg_task_set_field(t, "estimate_hours", "~"), 0);
	assert_int_equal(dlg_map_get(t, "estimate_hours")->type,
			 DLG_SCALAR_NULL);
	assert_int_equal(dlg_task_set_field(t, "core", "yes"), 0);
	assert_int_equal(dlg_map_get(t, "core")->type, DLG_SCALAR_BOOL);
	/* a required field emptied stays, null (validation refuses it) */
	assert_int_equal(dlg_task_set_field(t, "title", ""), 0);
	assert_non_null(dlg_map_get(t, "title"));
	assert_int_equal(dlg_map_get(t, "title")->type, DLG_SCALAR_NULL);
	assert_int_equal(dlg_task_set_field(t, "title", "12"), 0);
	assert_int_equal(dlg_map_get(t, "title")->type, DLG_SCALAR_STR);
	/* a set that is not a list becomes one */
	dlg_map_set_str(t, "tags", "x");
	assert_int_equal(dlg_task_set_field(t, "tags", "+a"), 0);
	dlg_node_summary(&b, dlg_map_get(t, "tags"));
	assert_string_equal(b.ptr, "[a]");
	dlg_buf_dispose(&b);
	assert_int_equal(dlg_task_set_field(t, "status", "done"), DLG_EUSAGE);
	assert_non_null(strstr(dlg_error_last(), "through the workflow"));
	assert_int_equal(dlg_task_set_field(t, "created", "x"), DLG_EUSAGE);
	assert_non_null(strstr(dlg_error_last(), "cannot set 'created'"));
	dlg_node_free(t);
}

/* A diff names each field of a map that appears or goes (not the map
 * whole), and trims the trailing blanks of summaries. */
static void test_diff__maps_that_come_and_go_field_by_field(void **state)
{
	dlg_node *a = workflow_task(), *b = dlg_node_dup(a);
	dlg_changes ch = DLG_CHANGES_INIT;
	dlg_node *req = dlg_node_new_map();

	(void)state;
	dlg_map_set_str(req, "due", "2026-12-22");
	dlg_map_set_str(req, "by", "kim");
	dlg_map_set(b, "due_request", req);
	dlg_map_set_str(b, "title", "Task  ");
	assert_int_equal(dlg_doc_diff(&ch, a, b), 0);
	assert_int_equal(ch.count, 3);
	assert_string_equal(ch.items[0].field, "title");
	assert_string_equal(ch.items[0].to, "Task");
	assert_string_equal(ch.items[1].field, "due_request.due");
	assert_null(ch.items[1].from);
	assert_string_equal(ch.items[1].to, "2026-12-22");
	assert_string_equal(ch.items[2].field, "due_request.by");
	dlg_changes_dispose(&ch);
	assert_int_equal(dlg_doc_diff(&ch, b, a), 0);
	assert_int_equal(ch.count, 3);
	assert_string_equal(ch.items[0].from, "Task");
	assert_string_equal(ch.items[1].field, "due_request.due");
	assert_null(ch.items[1].to);
	dlg_changes_dispose(&ch);
	/* a new document: every field it holds */
	assert_int_equal(dlg_doc_diff(&ch, NULL, req), 0);
	assert_int_equal(ch.count, 2);
	assert_string_equal(ch.items[0].field, "due");
	dlg_changes_dispose(&ch);
	assert_int_equal(dlg_doc_diff(&ch, req, NULL), 0);
	assert_int_equal(ch.count, 2);
	assert_null(ch.items[1].to);
	dlg_changes_dispose(&ch);
	dlg_node_free(a);
	dlg_node_free(b);
}

/* A new task carries every field a file does, in the file's order:
 * validating it adds nothing and moves nothing. */
static void test_task__new_task_is_complete_and_canonical(void **state)
{
	dlg_node *t = dlg_task_new("0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70",
				   "Task", "dana", 1764000000);
	dlg_node *v = dlg_node_dup(t);
	dlg_diags d = DLG_DIAGS_INIT;

	(void)state;
	assert_int_equal(dlg_schema_validate(v, &dlg_schema_task, "t", &d), 0);
	assert_true(dlg_node_equal(t, v));
	assert_int_equal(dlg_map_get(t, "estimate_hours")->type,
			 DLG_SCALAR_NULL);
	dlg_node_free(v);
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
		cmocka_unit_test(test_task__time_spent_entries_sums_and_hours_left),
		cmocka_unit_test(test_task__hours_parse),
		cmocka_unit_test(test_task__due_date_asked_and_answered),
		cmocka_unit_test(test_task__accept_names_unmet_criteria_or_records_them),
		cmocka_unit_test(test_task__who_may_act_and_overdue),
		cmocka_unit_test(test_task__set_field_by_name_and_kind),
		cmocka_unit_test(test_diff__maps_that_come_and_go_field_by_field),
		cmocka_unit_test(test_task__new_task_is_complete_and_canonical),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
