/* core/: the field-by-field merge (core/merge.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

/* A line merge good enough for the unit tests: whole-text only (sync/
 * gives the real one, on git_merge_file). Takes a side when the other
 * kept the base; else conflicts. */
static int test_text_merge(char **out, const char *base, const char *a,
			   const char *b, void *payload)
{
	(void)payload;
	if (!strcmp(base, a))
		*out = strdup(b);
	else if (!strcmp(base, b) || !strcmp(a, b))
		*out = strdup(a);
	else
		return DLG_ECONFLICT;
	return 0;
}

typedef void (*edit_fn)(dlg_node *doc);

static dlg_node *edited(const dlg_node *base, edit_fn f, const char *at,
			const char *by)
{
	dlg_node *d = dlg_node_dup(base);
	dlg_diags diags = DLG_DIAGS_INIT;

	f(d);
	dlg_map_set(d, "updated", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, at));
	dlg_map_set_str(d, "updated_by", by);
	assert_int_equal(dlg_schema_validate(d, &dlg_schema_task, "x", &diags), 0);
	return d;
}

/* Merge both ways; the two results must be the same bytes. */
static dlg_node *merge_both_ways(const dlg_node *base, const dlg_node *a,
				 const dlg_node *b, size_t *nconf)
{
	dlg_merge_options o = { test_text_merge, NULL };
	dlg_node *ab = NULL, *ba = NULL;
	char *x, *y;
	size_t n1, n2;

	assert_int_equal(dlg_merge_doc(&ab, &n1, base, a, b, &dlg_schema_task, &o), 0);
	assert_int_equal(dlg_merge_doc(&ba, &n2, base, b, a, &dlg_schema_task, &o), 0);
	x = canonical(ab);
	y = canonical(ba);
	assert_string_equal(x, y);
	assert_int_equal(n1, n2);
	free(x);
	free(y);
	dlg_node_free(ba);
	if (nconf)
		*nconf = n1;
	return ab;
}

static dlg_node *merge_base(void)
{
	char *text = data_file("canonical/task.yaml", NULL);
	dlg_node *d = task_from(text, strlen(text));

	free(text);
	return d;
}

static void e_priority(dlg_node *d) { dlg_map_set_str(d, "priority", "critical"); }
static void e_due(dlg_node *d) { dlg_task_set_field(d, "due", "2026-12-24"); }
static void e_title_x(dlg_node *d) { dlg_map_set_str(d, "title", "X"); }
static void e_title_y(dlg_node *d) { dlg_map_set_str(d, "title", "Y"); }
static void e_status_review(dlg_node *d) { dlg_map_set_str(d, "status", "review"); }
static void e_tags_a(dlg_node *d) { dlg_task_set_field(d, "tags", "+x"); dlg_task_set_field(d, "tags", "-infra"); }
static void e_tags_b(dlg_node *d) { dlg_task_set_field(d, "tags", "+y"); }

static void test_merge__different_fields_merge_without_conflict(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_priority, "2026-11-29T10:00:00Z", "dana");
	dlg_node *b = edited(base, e_due, "2026-11-29T11:00:00Z", "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);

	(void)state;
	assert_int_equal(n, 0);
	assert_string_equal(dlg_map_get_str(m, "priority"), "critical");
	assert_string_equal(dlg_map_get_str(m, "due"), "2026-12-24");
	assert_string_equal(dlg_map_get_str(m, "updated"), "2026-11-29T11:00:00Z");
	assert_string_equal(dlg_map_get_str(m, "updated_by"), "kim");
	assert_null(dlg_map_get(m, "conflicts"));
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void test_merge__same_change_on_both_sides_is_no_conflict(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_status_review, "2026-11-29T10:00:00Z", "dana");
	dlg_node *b = edited(base, e_status_review, "2026-11-29T11:00:00Z", "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);

	(void)state;
	assert_int_equal(n, 0);
	assert_string_equal(dlg_map_get_str(m, "status"), "review");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void test_merge__same_field_both_sides_records_conflict(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_title_x, "2026-11-29T12:00:00Z", "dana");
	dlg_node *b = edited(base, e_title_y, "2026-11-29T11:00:00Z", "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);
	const dlg_node *r;

	(void)state;
	assert_int_equal(n, 1);
	/* the later change wins, though Y sorts after X */
	assert_string_equal(dlg_map_get_str(m, "title"), "X");
	r = dlg_map_get(m, "conflicts")->items[0];
	assert_string_equal(dlg_map_get_str(r, "field"), "title");
	assert_string_equal(dlg_map_get_str(r, "reason"), "conflict");
	assert_string_equal(dlg_map_get_str(r, "value"), "X");
	assert_string_equal(dlg_map_get_str(r, "value_by"), "dana");
	assert_string_equal(dlg_map_get_str(r, "other"), "Y");
	assert_string_equal(dlg_map_get_str(r, "other_by"), "kim");
	assert_string_equal(dlg_map_get_str(r, "other_at"), "2026-11-29T11:00:00Z");
	dlg_node_free(m);
	/* a tie in time is broken by the values, the same way both ways */
	dlg_node_free(b);
	b = edited(base, e_title_y, "2026-11-29T12:00:00Z", "kim");
	m = merge_both_ways(base, a, b, &n);
	assert_string_equal(dlg_map_get_str(m, "title"), "Y");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void test_merge__sets_merge_adds_and_removes(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_tags_a, "2026-11-29T12:00:00Z", "dana");
	dlg_node *b = edited(base, e_tags_b, "2026-11-29T11:00:00Z", "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);
	dlg_buf s = DLG_BUF_INIT;

	(void)state;
	assert_int_equal(n, 0);
	dlg_node_summary(&s, dlg_map_get(m, "tags"));
	assert_string_equal(s.ptr, "[backup, x, y]");
	dlg_buf_dispose(&s);
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void e_items_a(dlg_node *d)
{
	dlg_node *fb = dlg_node_new_map();

	dlg_doc_set_path(d, "checkpoints[27c4f0aa].done",
			 dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
	dlg_map_set_str(fb, "id", "aaaa0001");
	dlg_map_set(fb, "at", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, "2026-11-29T09:00:00Z"));
	dlg_map_set_str(fb, "author", "dana");
	dlg_map_set_str(fb, "kind", "guidance");
	dlg_map_set_str(fb, "text", "from a");
	dlg_seq_push(dlg_map_get(d, "feedback"), fb);
}

static void e_items_b(dlg_node *d)
{
	dlg_node *fb = dlg_node_new_map();

	dlg_doc_set_path(d, "checkpoints[27c4f0aa].what", dlg_node_new_str("Replica done"));
	dlg_map_set_str(fb, "id", "bbbb0001");
	dlg_map_set(fb, "at", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, "2026-11-29T08:00:00Z"));
	dlg_map_set_str(fb, "author", "kim");
	dlg_map_set_str(fb, "kind", "progress");
	dlg_map_set_str(fb, "text", "from b");
	dlg_seq_push(dlg_map_get(d, "feedback"), fb);
}

static void test_merge__keyed_lists_merge_item_by_item(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_items_a, "2026-11-29T12:00:00Z", "dana");
	dlg_node *b = edited(base, e_items_b, "2026-11-29T11:00:00Z", "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);
	const dlg_node *fb = dlg_map_get(m, "feedback");

	(void)state;
	assert_int_equal(n, 0);
	assert_string_equal(dlg_doc_get_path(m, "checkpoints[27c4f0aa].done")->value, "true");
	assert_string_equal(dlg_doc_get_path(m, "checkpoints[27c4f0aa].what")->value, "Replica done");
	assert_int_equal(fb->count, 4);
	/* items added on both sides: in time order, whichever side merges */
	assert_string_equal(dlg_map_get_str(fb->items[2], "id"), "bbbb0001");
	assert_string_equal(dlg_map_get_str(fb->items[3], "id"), "aaaa0001");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void e_drop_cp(dlg_node *d) { dlg_doc_set_path(d, "checkpoints[27c4f0aa]", NULL); }
static void e_edit_cp(dlg_node *d) { dlg_doc_set_path(d, "checkpoints[27c4f0aa].due", dlg_node_new_str("2026-12-09")); }

static void test_merge__delete_versus_modify_keeps_the_modified_item(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_drop_cp, "2026-11-29T12:00:00Z", "dana");
	dlg_node *b = edited(base, e_edit_cp, "2026-11-29T11:00:00Z", "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);
	const dlg_node *r;

	(void)state;
	assert_int_equal(n, 1);
	assert_string_equal(dlg_doc_get_path(m, "checkpoints[27c4f0aa].due")->value, "2026-12-09");
	r = dlg_map_get(m, "conflicts")->items[0];
	assert_string_equal(dlg_map_get_str(r, "reason"), "deleted");
	assert_string_equal(dlg_map_get_str(r, "field"), "checkpoints[27c4f0aa]");
	assert_string_equal(dlg_map_get_str(r, "other_by"), "dana");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void e_drop_first_tick_second(dlg_node *d)
{
	dlg_doc_set_path(d, "checkpoints[9d3b7e11]", NULL);
	dlg_doc_set_path(d, "checkpoints[27c4f0aa].done",
			 dlg_node_new_scalar(DLG_SCALAR_BOOL, "true"));
}

static void e_rename_second(dlg_node *d)
{
	dlg_doc_set_path(d, "checkpoints[27c4f0aa].what",
			 dlg_node_new_str("Replica done"));
}

/* An item one side deleted, untouched on the other, stays deleted though
 * both sides changed the list around it, and nobody is told otherwise. */
static void test_merge__an_item_deleted_while_both_edit_the_list_stays_deleted(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_drop_first_tick_second,
			     "2026-11-29T12:00:00Z", "dana");
	dlg_node *b = edited(base, e_rename_second, "2026-11-29T11:00:00Z",
			     "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);

	(void)state;
	assert_int_equal(n, 0);
	assert_null(dlg_map_get(m, "conflicts"));
	assert_int_equal(dlg_map_get(m, "checkpoints")->count, 1);
	assert_null(dlg_doc_get_path(m, "checkpoints[9d3b7e11]"));
	assert_string_equal(dlg_doc_get_path(m, "checkpoints[27c4f0aa].done")->value, "true");
	assert_string_equal(dlg_doc_get_path(m, "checkpoints[27c4f0aa].what")->value, "Replica done");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void e_why_a(dlg_node *d) { dlg_map_set_str(d, "why", "one A\ntwo\n"); }
static void e_why_b(dlg_node *d) { dlg_map_set_str(d, "why", "one B\ntwo\n"); }
static void e_unknown_a(dlg_node *d) { dlg_map_set_str(d, "x_a", "kept"); }
static void e_unknown_b(dlg_node *d) { dlg_map_set_str(d, "x_b", "kept too"); }

static void test_merge__text_and_unknown_keys(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_why_a, "2026-11-29T12:00:00Z", "dana");
	dlg_node *b = edited(base, e_why_b, "2026-11-29T11:00:00Z", "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);

	(void)state;
	assert_int_equal(n, 1); /* the same text changed both ways */
	assert_string_equal(dlg_map_get_str(m, "why"), "one A\ntwo\n");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	a = edited(base, e_unknown_a, "2026-11-29T12:00:00Z", "dana");
	b = edited(base, e_unknown_b, "2026-11-29T11:00:00Z", "kim");
	m = merge_both_ways(base, a, b, &n);
	assert_int_equal(n, 0);
	assert_string_equal(dlg_map_get_str(m, "x_a"), "kept");
	assert_string_equal(dlg_map_get_str(m, "x_b"), "kept too");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

/* A line merge, for texts of the same number of lines: each line from
 * the side that changed it; a line both changed is a conflict. */
static int line_merge(char **out, const char *base, const char *a,
		      const char *b, void *payload)
{
	dlg_buf m = DLG_BUF_INIT;
	const char *t[3] = { base, a, b };

	(void)payload;
	while (*t[0] && *t[1] && *t[2]) {
		size_t n[3], k;

		for (k = 0; k < 3; k++)
			n[k] = strcspn(t[k], "\n") + (t[k][strcspn(t[k], "\n")]
						     == '\n');
		if (n[1] == n[0] && !strncmp(t[1], t[0], n[0]))
			dlg_buf_put(&m, t[2], n[2]);
		else if (n[2] == n[0] && !strncmp(t[2], t[0], n[0]))
			dlg_buf_put(&m, t[1], n[1]);
		else
			break;
		for (k = 0; k < 3; k++)
			t[k] += n[k];
	}
	if (*t[0] || *t[1] || *t[2]) {
		dlg_buf_dispose(&m);
		return DLG_ECONFLICT;
	}
	*out = dlg_buf_detach(&m);
	return 0;
}

static void e_why_line1(dlg_node *d) { dlg_map_set_str(d, "why", "one A\ntwo\n"); }
static void e_why_line2(dlg_node *d) { dlg_map_set_str(d, "why", "one\ntwo B\n"); }
static void e_tags_x(dlg_node *d) { dlg_task_set_field(d, "tags", "x"); }
static void e_tags_y(dlg_node *d) { dlg_task_set_field(d, "tags", "y,z"); }

/* Text changed on both sides, on different lines: merged by lines only
 * with a text merge given (sync gives git's); without one, a conflict.
 * Sets a base did not have: what either side added. */
static void test_merge__text_without_a_line_merge_and_sets_new_on_both_sides(void **state)
{
	dlg_node *base = merge_base(), *a, *b, *m = NULL;
	dlg_merge_options none = DLG_MERGE_OPTIONS_INIT;
	dlg_merge_options lines = { line_merge, NULL, NULL, NULL };
	size_t n = 9;
	dlg_buf tags = DLG_BUF_INIT;

	(void)state;
	dlg_map_set_str(base, "why", "one\ntwo\n");
	dlg_map_remove(base, "tags");
	a = edited(base, e_why_line1, "2026-11-29T12:00:00Z", "dana");
	b = edited(base, e_why_line2, "2026-11-29T11:00:00Z", "kim");
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &lines), 0);
	assert_int_equal(n, 0);
	assert_string_equal(dlg_map_get_str(m, "why"), "one A\ntwo B\n");
	dlg_node_free(m);
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &none), 0);
	assert_int_equal(n, 1);
	assert_string_equal(dlg_map_get_str(m, "why"), "one A\ntwo\n");
	dlg_node_free(m);
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       NULL), 0);
	assert_int_equal(n, 1);
	assert_string_equal(dlg_map_get_str(m, "why"), "one A\ntwo\n");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	/* tags: none in base, added on both sides */
	a = edited(base, e_tags_x, "2026-11-29T12:00:00Z", "dana");
	b = edited(base, e_tags_y, "2026-11-29T11:00:00Z", "kim");
	m = merge_both_ways(base, a, b, &n);
	assert_int_equal(n, 0);
	dlg_node_summary(&tags, dlg_map_get(m, "tags"));
	assert_string_equal(tags.ptr, "[x, y, z]");
	dlg_buf_dispose(&tags);
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

/* A conflict record's id hashes each part of it: the same conflict found
 * twice is one record, and two that differ anywhere are two. */
static void test_merge__conflict_ids_hash_every_part(void **state)
{
	dlg_node *x = dlg_node_new_str("X"), *y = dlg_node_new_str("Y");
	static const char *const T1 = "2026-11-29T12:00:00Z",
			       *const T2 = "2026-11-29T11:00:00Z";
	dlg_node *r[8];
	size_t i, j;

	(void)state;
	r[0] = dlg_conflict_new("title", "conflict", x, "dana", T1, y, "kim", T2);
	r[1] = dlg_conflict_new("title", "conflict", x, "dana", T1, y, "kim", T2);
	r[2] = dlg_conflict_new("why", "conflict", x, "dana", T1, y, "kim", T2);
	r[3] = dlg_conflict_new("title", "deleted", x, "dana", T1, y, "kim", T2);
	r[4] = dlg_conflict_new("title", "conflict", y, "dana", T1, y, "kim", T2);
	r[5] = dlg_conflict_new("title", "conflict", x, "dana", T1, x, "kim", T2);
	r[6] = dlg_conflict_new("title", "conflict", x, "dana", T2, y, "kim", T2);
	r[7] = dlg_conflict_new("title", "conflict", x, "dana", T1, y, "kim", T1);
	assert_string_equal(dlg_map_get_str(r[0], "id"),
			    dlg_map_get_str(r[1], "id"));
	for (i = 1; i < 8; i++)
		for (j = i + 1; j < 8; j++)
			if (strcmp(dlg_map_get_str(r[i], "id"),
				   dlg_map_get_str(r[j], "id")) == 0) {
				print_error("records %zu and %zu share an id\n",
					    i, j);
				fail();
			}
	for (i = 0; i < 8; i++)
		dlg_node_free(r[i]);
	dlg_node_free(x);
	dlg_node_free(y);
}

/* Paths into a document: fields of maps, and items of keyed lists. */
static void test_merge__paths_name_nested_fields_and_items(void **state)
{
	dlg_node *d = merge_base();

	(void)state;
	assert_string_equal(dlg_doc_get_path(d, "expectations.outcome")->value,
			    "Every nightly backup is replicated offsite "
			    "within 24 hours.");
	assert_string_equal(dlg_doc_get_path(d, "expectations.acceptance"
					     "[4e1a9c20].met")->value, "false");
	assert_null(dlg_doc_get_path(d, "expectations.nothing.here"));
	assert_int_equal(dlg_doc_set_path(d, "expectations.outcome",
					  dlg_node_new_str("Done.")), 0);
	assert_string_equal(dlg_doc_get_path(d, "expectations.outcome")->value,
			    "Done.");
	assert_int_equal(dlg_doc_set_path(d, "nothing.here",
					  dlg_node_new_str("x")), DLG_ENOTFOUND);
	dlg_node_free(d);
}

static void e_cancel(dlg_node *d)
{
	dlg_map_set_str(d, "status", "cancelled");
	dlg_map_set(d, "closed", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP,
						     "2026-11-29T10:00:00Z"));
}

static void test_merge__a_task_back_in_work_is_not_closed(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_cancel, "2026-11-29T10:00:00Z", "dana");
	dlg_node *b = edited(base, e_status_review, "2026-11-29T11:00:00Z", "kim");
	size_t n;
	dlg_node *m = merge_both_ways(base, a, b, &n);

	(void)state;
	/* kim's later submit wins the status; dana's cancel is recorded, and
	 * its closed stamp does not linger on a task in review */
	assert_string_equal(dlg_map_get_str(m, "status"), "review");
	assert_null(dlg_map_get_str(m, "closed"));
	assert_int_equal(n, 1);
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void test_merge__merging_again_adds_no_record_twice(void **state)
{
	dlg_node *base = merge_base();
	dlg_node *a = edited(base, e_title_x, "2026-11-29T12:00:00Z", "dana");
	dlg_node *b = edited(base, e_title_y, "2026-11-29T11:00:00Z", "kim");
	dlg_node *m1 = merge_both_ways(base, a, b, NULL);
	dlg_node *m2 = merge_both_ways(base, b, a, NULL);
	dlg_node *x = edited(m1, e_priority, "2026-11-30T10:00:00Z", "dana");
	dlg_node *y = edited(m2, e_due, "2026-11-30T11:00:00Z", "kim");
	dlg_node *m3;
	size_t n;

	(void)state;
	/* two replicas merged the same pair, each changed on, and now meet
	 * again over a criss-cross ancestor: the record stays one record */
	m3 = merge_both_ways(a, x, y, &n);
	assert_int_equal(n, 0);
	assert_int_equal(dlg_map_get(m3, "conflicts")->count, 1);
	assert_string_equal(dlg_map_get_str(m3, "priority"), "critical");
	assert_string_equal(dlg_map_get_str(m3, "due"), "2026-12-24");
	dlg_node_free(x);
	dlg_node_free(y);
	dlg_node_free(m1);
	dlg_node_free(m2);
	dlg_node_free(m3);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge__different_fields_merge_without_conflict),
		cmocka_unit_test(test_merge__same_change_on_both_sides_is_no_conflict),
		cmocka_unit_test(test_merge__same_field_both_sides_records_conflict),
		cmocka_unit_test(test_merge__sets_merge_adds_and_removes),
		cmocka_unit_test(test_merge__keyed_lists_merge_item_by_item),
		cmocka_unit_test(test_merge__delete_versus_modify_keeps_the_modified_item),
		cmocka_unit_test(test_merge__text_and_unknown_keys),
		cmocka_unit_test(test_merge__text_without_a_line_merge_and_sets_new_on_both_sides),
		cmocka_unit_test(test_merge__conflict_ids_hash_every_part),
		cmocka_unit_test(test_merge__paths_name_nested_fields_and_items),
		cmocka_unit_test(test_merge__merging_again_adds_no_record_twice),
		cmocka_unit_test(test_merge__a_task_back_in_work_is_not_closed),
		cmocka_unit_test(test_merge__an_item_deleted_while_both_edit_the_list_stays_deleted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
