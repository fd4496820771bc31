/* core/: queries, the agenda and trends (core/query.c, core/trend.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

static void test_query__filters_sorts_and_agenda(void **state)
{
	char *root = tmpdir_new();
	dlg_store *s;
	dlg_query q = DLG_QUERY_INIT;
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_node **tasks;
	dlg_agenda_item *items;
	size_t n, ni;
	time_t now;
	static const char *const texts[] = {
		"format: 1\nid: 11111111-0000-4000-8000-000000000000\n"
		"title: Late\nstatus: in-progress\npriority: low\n"
		"delegator: dana\nassignee: kim\ncreated: 2026-11-01T00:00:00Z\n"
		"due: 2026-11-20\ntags: [x]\n",
		"format: 1\nid: 22222222-0000-4000-8000-000000000000\n"
		"title: Review me\nstatus: review\npriority: critical\n"
		"delegator: dana\nassignee: kim\ncreated: 2026-11-01T00:00:00Z\n"
		"due: 2026-12-20\n",
		"format: 1\nid: 33333333-0000-4000-8000-000000000000\n"
		"title: Finished\nstatus: done\npriority: high\n"
		"delegator: dana\nassignee: sam\ncreated: 2026-11-01T00:00:00Z\n"
		"checkpoints:\n- {id: aaaa1111, due: 2026-11-26, what: soon}\n",
		"format: 1\nid: 44444444-0000-4000-8000-000000000000\n"
		"title: Checkpoint soon\nstatus: open\npriority: normal\n"
		"delegator: kim\nassignee: sam\ncreated: 2026-11-01T00:00:00Z\n"
		"checkpoints:\n- {id: bbbb2222, due: 2026-11-27, what: Call vendor}\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		char rel[80];

		snprintf(rel, sizeof(rel), "tasks/%.2s/%.36s.yaml", texts[i] + 14,
			 texts[i] + 14);
		spit(root, rel, texts[i]);
	}
	dlg_time_parse(&now, "2026-11-25T12:00:00Z");
	dlg_store_open(&s, root);
	assert_int_equal(dlg_query_run(&tasks, &n, s, &q, NULL, now, &d), 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(n, 3); /* done is left out */
	assert_string_equal(dlg_map_get_str(tasks[0], "title"), "Late");
	dlg_nodes_free(tasks, n);
	q.sort = "priority";
	q.assignee = "kim";
	assert_int_equal(dlg_query_run(&tasks, &n, s, &q, NULL, now, &d), 0);
	assert_int_equal(n, 2);
	assert_string_equal(dlg_map_get_str(tasks[0], "title"), "Review me");
	dlg_nodes_free(tasks, n);
	q = (dlg_query)DLG_QUERY_INIT;
	q.overdue = 1;
	assert_int_equal(dlg_query_run(&tasks, &n, s, &q, NULL, now, &d), 0);
	assert_int_equal(n, 1);
	dlg_nodes_free(tasks, n);
	q = (dlg_query)DLG_QUERY_INIT;
	q.all = 1;
	q.tag = "x";
	assert_int_equal(dlg_query_run(&tasks, &n, s, &q, NULL, now, &d), 0);
	assert_int_equal(n, 1);
	dlg_nodes_free(tasks, n);

	q = (dlg_query)DLG_QUERY_INIT;
	assert_int_equal(dlg_query_run(&tasks, &n, s, &q, NULL, now, &d), 0);
	assert_int_equal(dlg_agenda_build(&items, &ni, tasks, n, "dana", now, NULL, now, NULL), 0);
	assert_int_equal(ni, 2);
	assert_int_equal(items[0].kind, DLG_AGENDA_OVERDUE);
	assert_int_equal(items[0].days, 5);
	assert_int_equal(items[1].kind, DLG_AGENDA_REVIEW);
	free(items);
	assert_int_equal(dlg_agenda_build(&items, &ni, tasks, n, "sam", now, NULL, now, NULL), 0);
	assert_int_equal(ni, 2);
	assert_int_equal(items[0].kind, DLG_AGENDA_CHECKPOINT_SOON);
	assert_int_equal(items[0].days, 2);
	assert_int_equal(items[1].kind, DLG_AGENDA_OPEN);
	free(items);
	dlg_nodes_free(tasks, n);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

static dlg_node *trend_task(const char *id, const char *status,
			    const char *created, const char *closed)
{
	dlg_node *t = dlg_node_new_map();

	dlg_map_set_str(t, "id", id);
	dlg_map_set_str(t, "status", status);
	dlg_map_set_str(t, "created", created);
	if (closed)
		dlg_map_set_str(t, "closed", closed);
	return t;
}

static void trend_move(dlg_events *ev, const char *task, const char *at,
		       const char *to)
{
	dlg_event e;
	time_t when;

	memset(&e, 0, sizeof(e));
	snprintf(e.task, sizeof(e.task), "%s", task);
	e.title = (char *)"t";
	e.field = (char *)"status";
	e.to = (char *)to;
	assert_int_equal(dlg_time_parse(&when, at), 0);
	dlg_events_add(ev, &e, "", "dana", when, NULL);
}

/* Set the time zone; the one before it, for tz_restore. */
static char *tz_set(const char *zone)
{
	const char *tz = getenv("TZ");
	char *saved = tz ? strdup(tz) : NULL;

	setenv("TZ", zone, 1);
	tzset();
	return saved;
}

static void tz_restore(char *saved)
{
	if (saved)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

/* ISO weeks across a year's end (2026 has 53), starting at local
 * midnights, and open work from history or, for a task with none, from its
 * stamps; the same in three time zones. */
static void test_trend__iso_weeks_across_the_year_and_open_work(void **state)
{
	static const char *const zones[] = { "UTC", "America/New_York",
					     "Pacific/Auckland" };
	static const char *const want[][3] = {
		{ "2026-W52", "2026-12-21", "1" }, /* b */
		{ "2026-W53", "2026-12-28", "2" }, /* a, b */
		{ "2027-W01", "2027-01-04", "1" }, /* c, at now */
	};
	char *saved = tz_set("UTC");
	dlg_team team = { NULL, 0 };
	dlg_events ev = DLG_EVENTS_INIT;
	dlg_node *tasks[3], *doc = NULL;
	dlg_report_input in;
	const dlg_node *w;
	size_t i, z;

	(void)state;
	/* a: open from 30 Dec, done 5 Jan (history, newest first); b: no
	 * history, created 23 Dec, cancelled on Monday 4 Jan at 10:00 UTC
	 * (still open at the end of W53, in all three zones); c: open, no
	 * history, created 6 Jan */
	trend_move(&ev, "a", "2027-01-05T10:00:00Z", "done");
	trend_move(&ev, "a", "2026-12-30T10:00:00Z", "open");
	tasks[0] = trend_task("a", "done", "2026-12-30T10:00:00Z",
			      "2027-01-05T10:00:00Z");
	tasks[1] = trend_task("b", "cancelled", "2026-12-23T10:00:00Z",
			      "2027-01-04T10:00:00Z");
	tasks[2] = trend_task("c", "open", "2027-01-06T10:00:00Z", NULL);
	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		setenv("TZ", zones[z], 1);
		tzset();
		memset(&in, 0, sizeof(in));
		in.tasks = (const dlg_node *const *)tasks;
		in.ntasks = 3;
		in.team = &team;
		in.events = &ev;
		assert_int_equal(dlg_time_parse(&in.now, "2027-01-06T12:00:00Z"),
				 0);
		/* as --since gives it: the local midnight */
		assert_int_equal(dlg_day_start(&in.since, "2026-12-21"), 0);
		assert_int_equal(dlg_report_trend(&doc, &in), 0);
		w = dlg_map_get(doc, "weeks");
		assert_int_equal(w->count, 3);
		for (i = 0; i < 3; i++) {
			assert_string_equal(dlg_map_get_str(w->items[i], "week"),
					    want[i][0]);
			assert_string_equal(dlg_map_get_str(w->items[i], "start"),
					    want[i][1]);
			assert_string_equal(dlg_map_get_str(w->items[i], "open"),
					    want[i][2]);
		}
		dlg_node_free(doc);
		doc = NULL;
	}
	tz_restore(saved);
	for (i = 0; i < 3; i++)
		dlg_node_free(tasks[i]);
	dlg_events_dispose(&ev);
}

/* Each week's deliveries, as the delivery report counts them over that
 * week, the period's start cutting the first week short: a task done
 * before --since (in its week), by someone not in the team, or after the
 * end is not counted; on time by the due date. */
static void test_trend__weeks_count_deliveries_as_delivery_does(void **state)
{
	static const char *const done[][4] = {
		/* id, assignee, closed, due */
		{ "d1", "kim", "2026-12-08T10:00:00Z", "2026-12-31" },
		{ "d2", "kim", "2026-12-10T10:00:00Z", "2026-12-31" },
		{ "d3", "kim", "2026-12-15T10:00:00Z", "2026-12-14" },
		{ "d4", "nobody", "2026-12-16T10:00:00Z", NULL },
		{ "d5", "kim", "2026-12-17T13:00:00Z", NULL },
		{ "d6", "kim", "2026-12-16T09:00:00Z", NULL },
	};
	static const char *const want[][4] = {
		/* done, with_due, on_time, in the weeks of 7 and 14 Dec */
		{ "2026-12-07", "1", "1", "1" },
		{ "2026-12-14", "2", "1", "0" },
	};
	char *saved = tz_set("UTC");
	dlg_node *kim = dlg_node_new_map(), *tasks[6], *doc = NULL, *d;
	dlg_team team = { &kim, 1 };
	dlg_report_input in, week;
	const dlg_node *w, *p;
	size_t i;

	(void)state;
	dlg_map_set_str(kim, "handle", "kim");
	for (i = 0; i < 6; i++) {
		tasks[i] = trend_task(done[i][0], "done", "2026-12-01T10:00:00Z",
				      done[i][2]);
		dlg_map_set_str(tasks[i], "assignee", done[i][1]);
		if (done[i][3])
			dlg_map_set_str(tasks[i], "due", done[i][3]);
	}
	memset(&in, 0, sizeof(in));
	in.tasks = (const dlg_node *const *)tasks;
	in.ntasks = 6;
	in.team = &team;
	assert_int_equal(dlg_time_parse(&in.now, "2026-12-17T12:00:00Z"), 0);
	assert_int_equal(dlg_day_start(&in.since, "2026-12-09"), 0);
	assert_int_equal(dlg_report_trend(&doc, &in), 0);
	w = dlg_map_get(doc, "weeks");
	assert_int_equal(w->count, 2);
	for (i = 0; i < 2; i++) {
		assert_string_equal(dlg_map_get_str(w->items[i], "start"),
				    want[i][0]);
		assert_string_equal(dlg_map_get_str(w->items[i], "done"),
				    want[i][1]);
		assert_string_equal(dlg_map_get_str(w->items[i], "with_due"),
				    want[i][2]);
		assert_string_equal(dlg_map_get_str(w->items[i], "on_time"),
				    want[i][3]);
		/* the delivery report over the same week says the same */
		week = in;
		if (i == 1)
			assert_int_equal(dlg_day_start(&week.since, "2026-12-14"),
					 0);
		week.until = i == 0 ? 0 : in.now;
		if (i == 0)
			assert_int_equal(dlg_day_start(&week.until, "2026-12-14"),
					 0);
		assert_int_equal(dlg_report_delivery(&d, &week), 0);
		p = dlg_map_get(d, "people")->items[0];
		assert_string_equal(dlg_map_get_str(p, "done"), want[i][1]);
		assert_string_equal(dlg_map_get_str(p, "with_due"), want[i][2]);
		assert_string_equal(dlg_map_get_str(p, "on_time"), want[i][3]);
		dlg_node_free(d);
	}
	dlg_node_free(doc);
	tz_restore(saved);
	for (i = 0; i < 6; i++)
		dlg_node_free(tasks[i]);
	dlg_node_free(kim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query__filters_sorts_and_agenda),
		cmocka_unit_test(test_trend__iso_weeks_across_the_year_and_open_work),
		cmocka_unit_test(test_trend__weeks_count_deliveries_as_delivery_does),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
