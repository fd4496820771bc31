/* schema/: the tables validation and the canonical writer are driven from,
 * and their lookups (schema/schema.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "schema/schema.h"

/* Each value of an enum is found at its place, and only whole: a word
 * that starts with one (opened, highest), one cut short, in capitals or
 * with a blank is no value. */
static void test_schema__enum_values_are_found_whole_and_in_order(void **state)
{
	static const char *const *const lists[] = {
		dlg_statuses, dlg_priorities, dlg_roles, dlg_feedback_kinds,
		dlg_autonomy_levels,
	};
	static const char *const refused[] = {
		"opened", "ope", "Open", "open ", " open", "", "highest", "hig",
		"HIGH", "directors", "check", "check-ins", "owner", "in_progress",
	};
	size_t l, i;

	(void)state;
	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (i = 0; lists[l][i]; i++)
			assert_int_equal(dlg_enum_index(lists[l], lists[l][i]),
					 (int)i);
	for (l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
			if (dlg_enum_index(lists[l], refused[i]) != -1)
				fail_msg("'%s' taken for a value", refused[i]);
	assert_int_equal(dlg_enum_index(NULL, "open"), -1);
	/* the orders other code counts on: workflow's statuses, priorities
	 * most urgent first, autonomy least freedom first */
	assert_int_equal(dlg_enum_index(dlg_statuses, "open"), 0);
	assert_int_equal(dlg_enum_index(dlg_statuses, "cancelled"), 5);
	assert_null(dlg_statuses[6]);
	assert_int_equal(dlg_enum_index(dlg_priorities, "critical"), 0);
	assert_int_equal(dlg_enum_index(dlg_priorities, "low"), 3);
	assert_int_equal(dlg_enum_index(dlg_autonomy_levels, "follow-steps"),
			 0);
	assert_int_equal(dlg_enum_index(dlg_autonomy_levels, "own"), 3);
}

/* Fields by name, with their types, flags and values; a name cut short,
 * made longer or in capitals is no field. */
static void test_schema__fields_by_name_have_their_types(void **state)
{
	const dlg_field *f;

	(void)state;
	f = dlg_schema_field(&dlg_schema_task, "status");
	assert_non_null(f);
	assert_int_equal(f->type, DLG_T_ENUM);
	assert_ptr_equal(f->values, dlg_statuses);
	assert_true(f->flags & DLG_F_REQUIRED);
	f = dlg_schema_field(&dlg_schema_task, "id");
	assert_int_equal(f->type, DLG_T_UUID);
	f = dlg_schema_field(&dlg_schema_task, "due");
	assert_int_equal(f->type, DLG_T_DATE);
	assert_int_equal(f->flags & (DLG_F_REQUIRED | DLG_F_NULLABLE),
			 DLG_F_NULLABLE);
	f = dlg_schema_field(&dlg_schema_task, "updated");
	assert_int_equal(f->type, DLG_T_TIME);
	f = dlg_schema_field(&dlg_schema_task, "tags");
	assert_int_equal(f->type, DLG_T_SET);
	assert_true(f->flags & DLG_F_FLOW);
	f = dlg_schema_field(&dlg_schema_task, "why");
	assert_int_equal(f->type, DLG_T_TEXT);
	f = dlg_schema_field(&dlg_schema_task, "checkpoints");
	assert_int_equal(f->type, DLG_T_KEYED);
	assert_non_null(f->sub);
	assert_int_equal(dlg_schema_field(f->sub, "due")->type, DLG_T_DATE);
	f = dlg_schema_field(&dlg_schema_person, "role");
	assert_ptr_equal(f->values, dlg_roles);
	f = dlg_schema_field(&dlg_schema_person, "capacity_hours");
	assert_int_equal(f->type, DLG_T_NUM);
	assert_true(f->min == 0 && f->max == 168);
	f = dlg_schema_field(&dlg_schema_config, "orgs");
	assert_int_equal(f->type, DLG_T_MAPOF);
	assert_int_equal(dlg_schema_field(&dlg_schema_policy, "mode")->type,
			 DLG_T_ENUM);
	assert_null(dlg_schema_field(&dlg_schema_task, "stat"));
	assert_null(dlg_schema_field(&dlg_schema_task, "statuses"));
	assert_null(dlg_schema_field(&dlg_schema_task, "Status"));
	assert_null(dlg_schema_field(&dlg_schema_task, ""));
	assert_null(dlg_schema_field(NULL, "status"));
	/* a field of a nested map is not one of the task's */
	assert_null(dlg_schema_field(&dlg_schema_task, "outcome"));
}

/* Paths through nested maps, keyed lists (with an item's id or none) and
 * maps of maps; a whole item, an unknown key, a list item of what is no
 * keyed list, or a path that runs past a leaf is no field. */
static void test_schema__paths_name_fields_through_maps_and_lists(void **state)
{
	const dlg_field *f;

	(void)state;
	f = dlg_schema_field_at(&dlg_schema_task, "expectations.outcome");
	assert_non_null(f);
	assert_string_equal(f->name, "outcome");
	assert_int_equal(f->type, DLG_T_TEXT);
	f = dlg_schema_field_at(&dlg_schema_task, "expectations");
	assert_int_equal(f->type, DLG_T_MAP);
	f = dlg_schema_field_at(&dlg_schema_task, "feedback[c0ffee42].kind");
	assert_non_null(f);
	assert_ptr_equal(f->values, dlg_feedback_kinds);
	assert_ptr_equal(dlg_schema_field_at(&dlg_schema_task,
					     "feedback[].kind"), f);
	/* ids left out, as the policy's rules name fields */
	assert_ptr_equal(dlg_schema_field_at(&dlg_schema_task,
					     "feedback.kind"), f);
	f = dlg_schema_field_at(&dlg_schema_task,
				"expectations.acceptance[4e1a9c20].met");
	assert_int_equal(f->type, DLG_T_BOOL);
	f = dlg_schema_field_at(&dlg_schema_config,
				"orgs.acme.sla.high.respond");
	assert_non_null(f);
	assert_int_equal(f->type, DLG_T_DURATION);
	assert_ptr_equal(dlg_schema_field_at(&dlg_schema_task, "status"),
			 dlg_schema_field(&dlg_schema_task, "status"));
	assert_null(dlg_schema_field_at(&dlg_schema_task, "feedback[c0ffee42]"));
	assert_null(dlg_schema_field_at(&dlg_schema_task, "feedback[c0ffee42"));
	assert_null(dlg_schema_field_at(&dlg_schema_task, "title[1]"));
	assert_null(dlg_schema_field_at(&dlg_schema_task,
					"expectations[1].outcome"));
	assert_null(dlg_schema_field_at(&dlg_schema_task, "title.x"));
	assert_null(dlg_schema_field_at(&dlg_schema_task,
					"expectations.outcomes"));
	assert_null(dlg_schema_field_at(&dlg_schema_task, "expectations."));
	assert_null(dlg_schema_field_at(&dlg_schema_task, "expect.outcome"));
	assert_null(dlg_schema_field_at(&dlg_schema_task, "nothing.here"));
	assert_null(dlg_schema_field_at(&dlg_schema_task, ""));
	assert_null(dlg_schema_field_at(&dlg_schema_config, "orgs.acme"));
}

/* Every table, nested ones too, is one the code can rely on: names
 * unique and found by lookup, an enum with its values, a nested kind with
 * its fields, a keyed list's items with an item id (but a template's
 * checkpoints, which get theirs when applied), ranges the right way
 * round and on numbers only, each field described; the file kinds start with their format. */
static void check_schema(const dlg_schema *s, int ids, int depth)
{
	size_t i, j;

	assert_non_null(s->name);
	assert_true(s->count > 0);
	assert_true(depth < 8);
	for (i = 0; i < s->count; i++) {
		const dlg_field *f = &s->fields[i];

		if (dlg_schema_field(s, f->name) != f)
			fail_msg("%s: '%s' is not found as itself", s->name,
				 f->name);
		for (j = 0; j < i; j++)
			assert_string_not_equal(s->fields[j].name, f->name);
		assert_non_null(f->doc);
		assert_true(f->min <= f->max);
		/* a range only numbers are held to: on another kind it would
		 * be a schema author's mistake that checks nothing */
		if (f->type != DLG_T_INT && f->type != DLG_T_NUM &&
		    (f->min != 0 || f->max != 0))
			fail_msg("%s: '%s' is not a number but has a range",
				 s->name, f->name);
		if (f->type == DLG_T_ENUM && !f->values)
			fail_msg("%s: enum '%s' has no values", s->name,
				 f->name);
		if (f->type == DLG_T_MAP || f->type == DLG_T_KEYED ||
		    f->type == DLG_T_MAPOF) {
			if (!f->sub)
				fail_msg("%s: '%s' has no fields", s->name,
					 f->name);
			check_schema(f->sub, ids, depth + 1);
		} else {
			assert_null(f->sub);
		}
		if (f->type == DLG_T_KEYED && ids) {
			const dlg_field *id = dlg_schema_field(f->sub, "id");

			assert_non_null(id);
			assert_ptr_equal(id, &f->sub->fields[0]);
			assert_int_equal(id->type, DLG_T_ITEMID);
			assert_true(id->flags & DLG_F_REQUIRED);
		}
		if ((f->flags & DLG_F_REQUIRED) && (f->flags & DLG_F_NULLABLE))
			fail_msg("%s: '%s' both required and nullable",
				 s->name, f->name);
	}
}

static void test_schema__every_table_is_well_formed(void **state)
{
	static const dlg_schema *const files[] = {
		&dlg_schema_task, &dlg_schema_config, &dlg_schema_policy,
		&dlg_schema_template,
	};
	size_t i;

	(void)state;
	check_schema(&dlg_schema_person, 1, 0);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const dlg_field *f = &files[i]->fields[0];

		check_schema(files[i], files[i] != &dlg_schema_template, 0);
		assert_string_equal(f->name, "format");
		assert_int_equal(f->type, DLG_T_INT);
		assert_true(f->flags & DLG_F_REQUIRED);
		assert_true(f->min == DLG_FORMAT_VERSION &&
			    f->max == DLG_FORMAT_VERSION);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_schema__enum_values_are_found_whole_and_in_order),
		cmocka_unit_test(test_schema__fields_by_name_have_their_types),
		cmocka_unit_test(test_schema__paths_name_fields_through_maps_and_lists),
		cmocka_unit_test(test_schema__every_table_is_well_formed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
