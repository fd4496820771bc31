/* core/merge.c's dlg_conflict_reject: enforce mode's taking back of one
 * field, and its conflict record (sync/policy.c reads the versions from
 * git and commits what this decides). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

#define ID "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70"

static dlg_node *task(const char *priority, const char *by,
		      const char *updated)
{
	char text[1024];
	dlg_node *doc = NULL;
	dlg_diags diags = DLG_DIAGS_INIT;

	snprintf(text, sizeof(text),
		 "format: 1\nid: %s\ntitle: T\nstatus: open\n"
		 "priority: %s\ndelegator: dana\n"
		 "created: 2026-11-25T09:12:00Z\n"
		 "updated: %s\nupdated_by: %s\n", ID, priority, updated, by);
	assert_int_equal(dlg_store_parse(&doc, text, strlen(text),
					 "tasks/0b/" ID ".yaml",
					 &dlg_schema_task, &diags),
			 0);
	dlg_diags_dispose(&diags);
	return doc;
}

/* The field still holds the rejected value: before's goes back, and one
 * record says what was rejected, by whom, in which commit (once, however
 * often the rejection is applied). */
static void test_reject__standing_change_taken_back_and_recorded(void **state)
{
	dlg_node *before = task("normal", "dana", "2026-11-26T09:00:00Z");
	dlg_node *after = task("high", "eve", "2026-11-27T09:00:00Z");
	dlg_node *doc = task("high", "eve", "2026-11-27T09:00:00Z");
	const dlg_node *list, *rec;

	(void)state;
	assert_int_equal(dlg_conflict_reject(doc, "priority", before, after,
					     "eve", "c0ffee42"),
			 1);
	assert_string_equal(dlg_map_get_str(doc, "priority"), "normal");
	list = dlg_map_get(doc, "conflicts");
	assert_non_null(list);
	assert_int_equal(list->count, 1);
	rec = list->items[0];
	assert_string_equal(dlg_map_get_str(rec, "field"), "priority");
	assert_string_equal(dlg_map_get_str(rec, "reason"), "rejected");
	assert_string_equal(dlg_map_get_str(rec, "value"), "normal");
	assert_string_equal(dlg_map_get_str(rec, "value_by"), "dana");
	assert_string_equal(dlg_map_get_str(rec, "other"), "high");
	assert_string_equal(dlg_map_get_str(rec, "other_by"), "eve");
	assert_string_equal(dlg_map_get_str(rec, "commit"), "c0ffee42");
	/* applied again (another replica, a second sync): still one record */
	dlg_map_set_str(doc, "priority", "high");
	assert_int_equal(dlg_conflict_reject(doc, "priority", before, after,
					     "eve", "c0ffee42"),
			 1);
	assert_int_equal(dlg_map_get(doc, "conflicts")->count, 1);
	dlg_node_free(doc);
	dlg_node_free(after);
	dlg_node_free(before);
}

/* A later, allowed change stands: nothing taken back, nothing recorded. */
static void test_reject__later_change_left_alone(void **state)
{
	dlg_node *before = task("normal", "dana", "2026-11-26T09:00:00Z");
	dlg_node *after = task("high", "eve", "2026-11-27T09:00:00Z");
	dlg_node *doc = task("low", "dana", "2026-11-28T09:00:00Z");

	(void)state;
	assert_int_equal(dlg_conflict_reject(doc, "priority", before, after,
					     "eve", "c0ffee42"),
			 0);
	assert_string_equal(dlg_map_get_str(doc, "priority"), "low");
	assert_null(dlg_map_get(doc, "conflicts"));
	dlg_node_free(doc);
	dlg_node_free(after);
	dlg_node_free(before);
}

/* A field the change set goes back to what before had (none, null). */
static void test_reject__added_field_removed(void **state)
{
	dlg_node *before = task("normal", "dana", "2026-11-26T09:00:00Z");
	dlg_node *after = task("normal", "eve", "2026-11-27T09:00:00Z");
	dlg_node *doc = task("normal", "eve", "2026-11-27T09:00:00Z");

	(void)state;
	dlg_map_set_str(after, "due", "2026-12-01");
	dlg_map_set_str(doc, "due", "2026-12-01");
	assert_int_equal(dlg_conflict_reject(doc, "due", before, after, "eve",
					     "c0ffee42"),
			 1);
	assert_true(dlg_node_equal(dlg_map_get(doc, "due"),
				   dlg_map_get(before, "due")));
	assert_null(dlg_map_get_str(doc, "due"));
	assert_int_equal(dlg_map_get(doc, "conflicts")->count, 1);
	dlg_node_free(doc);
	dlg_node_free(after);
	dlg_node_free(before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_reject__standing_change_taken_back_and_recorded),
		cmocka_unit_test(test_reject__later_change_left_alone),
		cmocka_unit_test(test_reject__added_field_removed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
