/* core/: recurring tasks, dependencies and templates (core/routine.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

static void next_is(const char *every, const char *start, const char *after,
		    const char *want)
{
	char out[11];

	assert_int_equal(dlg_recur_next_date(out, every, start, after), 0);
	if (strcmp(out, want))
		fail_msg("%s from %s after %s: got %s, expected %s", every,
			 start, after, out, want);
}

static void test_recur__rules_parse_and_bad_ones_are_refused(void **state)
{
	static const char *const bad[] = { "", "monthly ", "Monthly", "0d",
					   "01d", "3x", "d", "3651d", "600w",
					   "-1d", "1.5w", "fortnightly", NULL };
	dlg_recur_rule r;
	size_t i;

	(void)state;
	assert_int_equal(dlg_recur_parse(&r, "quarterly"), 0);
	assert_int_equal(r.months, 3);
	assert_int_equal(r.days, 0);
	assert_int_equal(dlg_recur_parse(&r, "2w"), 0);
	assert_int_equal(r.days, 14);
	assert_int_equal(dlg_recur_parse(&r, "3650d"), 0);
	for (i = 0; bad[i]; i++)
		if (dlg_recur_parse(&r, bad[i]) != DLG_EINVALID)
			fail_msg("'%s' was taken for a rule", bad[i]);
}

static void test_recur__dates_keep_the_series_day_at_month_ends(void **state)
{
	(void)state;
	/* Jan 31 monthly: the month's last day, never drifting to the 28th */
	next_is("monthly", "2026-01-31", "2026-01-31", "2026-02-28");
	next_is("monthly", "2026-01-31", "2026-02-28", "2026-03-31");
	next_is("monthly", "2026-01-31", "2026-03-31", "2026-04-30");
	next_is("monthly", "2028-01-31", "2028-01-31", "2028-02-29");
	/* a due date moved later: the first date of the rule after it */
	next_is("monthly", "2026-01-31", "2026-02-03", "2026-02-28");
	next_is("monthly", "2026-01-15", "2026-03-20", "2026-04-15");
	next_is("quarterly", "2026-11-30", "2026-11-30", "2027-02-28");
	next_is("yearly", "2028-02-29", "2028-02-29", "2029-02-28");
	next_is("yearly", "2028-02-29", "2031-03-01", "2032-02-29");
	next_is("daily", "2026-12-31", "2026-12-31", "2027-01-01");
	next_is("weekly", "2026-01-05", "2026-01-05", "2026-01-12");
	next_is("weekly", "2026-01-05", "2026-01-14", "2026-01-19");
	next_is("10d", "2026-01-01", "2026-01-10", "2026-01-11");
	next_is("2w", "2026-01-01", "2026-01-15", "2026-01-29");
	/* before the series starts: its first date */
	next_is("monthly", "2026-05-10", "2026-01-01", "2026-05-10");
}

static void test_recur__next_occurrence_is_the_same_on_every_replica(void **state)
{
	dlg_node *t = dlg_task_new("0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70",
				   "Patch", "dana", 1764000000);
	dlg_node *a = NULL, *b = NULL, *cp = dlg_node_new_map();
	dlg_diags d = DLG_DIAGS_INIT;
	char id[37];

	(void)state;
	dlg_task_set_field(t, "due", "2026-01-31");
	dlg_map_set_str(cp, "id", "27c4f0aa");
	dlg_map_set(cp, "due", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP,
						   "2026-01-20"));
	dlg_map_set_str(cp, "what", "Staging");
	dlg_map_set(cp, "done", dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	dlg_seq_push(dlg_map_get(t, "checkpoints"), cp);
	assert_int_equal(dlg_recur_begin(t, "monthly", "2026-02-28"), 0);
	dlg_map_set_str(t, "status", "done");
	/* two replicas close it at different times, as different people */
	assert_int_equal(dlg_recur_next(&a, t, "dana", 1769000000), 0);
	assert_int_equal(dlg_recur_next(&b, t, "lee", 1769900000), 0);
	assert_non_null(a);
	assert_string_equal(dlg_map_get_str(a, "id"), dlg_map_get_str(b, "id"));
	dlg_recur_id(id, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70", "dana",
		     "2026-02-28");
	assert_string_equal(dlg_map_get_str(a, "id"), id);
	assert_int_equal(id[14], '5'); /* a version 5 (name-based) UUID */
	assert_string_equal(dlg_map_get_str(a, "due"), "2026-02-28");
	assert_string_equal(dlg_map_get_str(a, "status"), "open");
	cp = dlg_map_get(a, "checkpoints")->items[0];
	assert_string_equal(dlg_map_get_str(cp, "id"),
			    dlg_map_get_str(dlg_map_get(b, "checkpoints")->items[0],
					    "id"));
	assert_string_not_equal(dlg_map_get_str(cp, "id"), "27c4f0aa");
	assert_string_equal(dlg_map_get_str(cp, "due"), "2026-02-17");
	assert_string_equal(dlg_map_get_str(cp, "done"), "false");
	assert_int_equal(dlg_schema_validate(a, &dlg_schema_task, "a", &d), 0);
	/* the delegator is part of the id: someone else's is another task */
	dlg_recur_id(id, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70", "kim",
		     "2026-02-28");
	assert_string_not_equal(dlg_map_get_str(a, "id"), id);
	/* past until: the series ends */
	dlg_node_free(b);
	assert_int_equal(dlg_recur_next(&b, a, "dana", 1769000000), 0);
	assert_null(b);
	/* without a due date a series cannot begin */
	dlg_map_set_null(t, "due");
	dlg_map_remove(t, "recur");
	assert_int_equal(dlg_recur_begin(t, "weekly", NULL), DLG_EUSAGE);
	assert_int_equal(dlg_recur_begin(t, "often", NULL), DLG_EUSAGE);
	dlg_diags_dispose(&d);
	dlg_node_free(a);
	dlg_node_free(t);
}

/* A little graph for the lookups: ids "a...", "b...", each with its
 * `after`. */
static dlg_node *graph[8];

static const dlg_node *graph_lookup(const char *id, void *payload)
{
	size_t i;

	(void)payload;
	for (i = 0; i < 8 && graph[i]; i++)
		if (!strcmp(dlg_map_get_str(graph[i], "id"), id))
			return graph[i];
	return NULL;
}

static char *gid(char out[37], char c)
{
	memset(out, c, 36);
	out[8] = out[13] = out[18] = out[23] = '-';
	out[36] = '\0';
	return out;
}

static dlg_node *gnode(char c, const char *status, const char *after)
{
	dlg_node *t = dlg_node_new_map(), *seq = dlg_node_new_seq();
	char id[37];

	dlg_map_set_str(t, "id", gid(id, c));
	dlg_map_set_str(t, "title", id);
	dlg_map_set_str(t, "status", status);
	for (; *after; after++)
		dlg_seq_push(seq, dlg_node_new_str(gid(id, *after)));
	dlg_map_set(t, "after", seq);
	return t;
}

static void test_after__cycles_are_found_and_named(void **state)
{
	dlg_buf out = DLG_BUF_INIT;
	dlg_node *after = dlg_node_new_seq();
	char id[37];
	size_t i;

	(void)state;
	/* a after b, b after c and d, c after nothing, d after e */
	graph[0] = gnode('a', "open", "b");
	graph[1] = gnode('b', "open", "cd");
	graph[2] = gnode('c', "done", "");
	graph[3] = gnode('d', "in-progress", "e");
	graph[4] = gnode('e', "done", "");
	/* e after a closes a -> b -> d -> e -> a */
	dlg_seq_push(after, dlg_node_new_str(gid(id, 'a')));
	assert_int_equal(dlg_after_cycle(&out, gid(id, 'e'), after,
					 graph_lookup, NULL), 1);
	assert_string_equal(out.ptr, "eeeeeeee after aaaaaaaa after bbbbbbbb "
			    "after dddddddd after eeeeeeee");
	/* c after a: a -> b -> c, the way back */
	dlg_buf_clear(&out);
	assert_int_equal(dlg_after_cycle(&out, gid(id, 'c'), after,
					 graph_lookup, NULL), 1);
	assert_string_equal(out.ptr, "cccccccc after aaaaaaaa after bbbbbbbb "
			    "after cccccccc");
	/* c after e: no way back to c */
	dlg_buf_clear(&out);
	dlg_seq_remove(after, 0);
	dlg_seq_push(after, dlg_node_new_str(gid(id, 'e')));
	assert_int_equal(dlg_after_cycle(&out, gid(id, 'c'), after,
					 graph_lookup, NULL), 0);
	assert_int_equal(out.size, 0);
	/* a task after itself's direct dependant: a after b, b after a */
	dlg_seq_remove(after, 0);
	dlg_seq_push(after, dlg_node_new_str(gid(id, 'a')));
	assert_int_equal(dlg_after_cycle(&out, gid(id, 'b'), after,
					 graph_lookup, NULL), 1);
	assert_string_equal(out.ptr, "bbbbbbbb after aaaaaaaa after bbbbbbbb");
	/* pending: b waits for c (done) and d (in progress) */
	dlg_buf_clear(&out);
	assert_int_equal(dlg_after_pending(&out, graph[1], graph_lookup, NULL),
			 1);
	assert_string_equal(out.ptr, "dddddddd dddddddd-dddd-dddd-dddd-"
			    "dddddddddddd (in-progress)");
	/* an id nobody has counts as not done */
	assert_int_equal(dlg_after_pending(NULL, graph[3], graph_lookup, NULL),
			 0);
	dlg_map_set(graph[4], "status", dlg_node_new_str("cancelled"));
	assert_int_equal(dlg_after_pending(NULL, graph[3], graph_lookup, NULL),
			 1);
	for (i = 0; i < 8; i++) {
		dlg_node_free(graph[i]);
		graph[i] = NULL;
	}
	dlg_node_free(after);
	dlg_buf_dispose(&out);
}

static void test_template__from_a_task_and_onto_another(void **state)
{
	dlg_node *t = dlg_task_new("0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70",
				   "Patch", "dana", 1764000000);
	dlg_node *n = dlg_task_new("1b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70",
				   "April", "dana", 1764000000);
	dlg_node *tmpl = NULL, *cp = dlg_node_new_map();
	dlg_diags d = DLG_DIAGS_INIT;

	(void)state;
	dlg_task_set_field(t, "due", "2026-03-31");
	dlg_task_set_field(t, "priority", "high");
	dlg_map_set_str(cp, "id", "27c4f0aa");
	dlg_map_set(cp, "due", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP,
						   "2026-03-17"));
	dlg_map_set_str(cp, "what", "Staging");
	dlg_map_set(cp, "done", dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	dlg_seq_push(dlg_map_get(t, "checkpoints"), cp);
	assert_int_equal(dlg_template_from_task(&tmpl, t, "patch"), 0);
	assert_int_equal(dlg_schema_validate(tmpl, &dlg_schema_template, "t",
					     &d), 0);
	assert_string_equal(dlg_map_get_str(dlg_map_get(tmpl, "checkpoints")
						    ->items[0], "before"), "14d");
	/* no due date: the checkpoints cannot be dated */
	assert_int_equal(dlg_template_apply(n, tmpl), DLG_EUSAGE);
	dlg_task_set_field(n, "due", "2026-02-28");
	assert_int_equal(dlg_template_apply(n, tmpl), 0);
	assert_string_equal(dlg_map_get_str(n, "priority"), "high");
	cp = dlg_map_get(n, "checkpoints")->items[0];
	assert_string_equal(dlg_map_get_str(cp, "due"), "2026-02-14");
	assert_string_equal(dlg_map_get_str(cp, "done"), "false");
	assert_int_equal(dlg_schema_validate(n, &dlg_schema_task, "n", &d), 0);
	dlg_diags_dispose(&d);
	dlg_node_free(tmpl);
	dlg_node_free(n);
	dlg_node_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recur__rules_parse_and_bad_ones_are_refused),
		cmocka_unit_test(test_recur__dates_keep_the_series_day_at_month_ends),
		cmocka_unit_test(test_recur__next_occurrence_is_the_same_on_every_replica),
		cmocka_unit_test(test_after__cycles_are_found_and_named),
		cmocka_unit_test(test_template__from_a_task_and_onto_another),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
