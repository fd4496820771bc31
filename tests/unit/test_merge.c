/* core/: the field-by-field merge (core/merge.c). Its cases of three
 * versions are a table, tests/data/merge/: one folder a case. */
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

/* Text changed on both sides, on different lines: merged by lines only
 * with a text merge given (sync gives git's); without one, a conflict.
 * (Not a case of tests/data/merge/: those run with test_text_merge.) */
static void test_merge__text_merged_by_lines_only_with_a_text_merge(void **state)
{
	dlg_node *base = merge_base(), *a, *b, *m = NULL;
	dlg_merge_options none = DLG_MERGE_OPTIONS_INIT;
	dlg_merge_options lines = { line_merge, NULL, NULL, NULL };
	size_t n = 9;

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
	dlg_node_free(base);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One case of tests/data/merge/: base, ours and theirs merged both ways
 * must give expected.yaml's bytes and the number of new conflict records
 * its file conflicts holds. */
static void merge_case(const char *name)
{
	static const char *const sides[] = { "base.yaml", "ours.yaml",
					     "theirs.yaml" };
	dlg_node *doc[3], *m;
	char rel[512], *text, *want, *got;
	size_t len, n, i;

	print_message("merge/%s\n", name);
	for (i = 0; i < 3; i++) {
		snprintf(rel, sizeof(rel), "merge/%s/%s", name, sides[i]);
		text = data_file(rel, &len);
		if (!text)
			fail_msg("cannot read %s", rel);
		doc[i] = task_from(text, len);
		free(text);
	}
	m = merge_both_ways(doc[0], doc[1], doc[2], &n);
	got = canonical(m);
	snprintf(rel, sizeof(rel), "merge/%s/expected.yaml", name);
	want = data_file(rel, NULL);
	if (!want || strcmp(got, want))
		fail_msg("merge/%s: the merge is not expected.yaml:\n%s", name,
			 got);
	snprintf(rel, sizeof(rel), "merge/%s/conflicts", name);
	text = data_file(rel, NULL);
	assert_non_null(text);
	assert_int_equal(n, strtoul(text, NULL, 10));
	free(text);
	free(want);
	free(got);
	dlg_node_free(m);
	for (i = 0; i < 3; i++)
		dlg_node_free(doc[i]);
}

/* Every case of the table (tests/data/merge/, README.md there), in the
 * order of their names. */
static void test_merge__every_case_of_the_table(void **state)
{
	char path[4096], **names = NULL;
	size_t count = 0, i;
	struct dirent *e;
	DIR *d;

	(void)state;
	snprintf(path, sizeof(path), "%s/merge", data_dir());
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "README.md"))
			continue;
		names = realloc(names, (count + 1) * sizeof(*names));
		names[count++] = strdup(e->d_name);
	}
	closedir(d);
	assert_true(count > 0);
	qsort(names, count, sizeof(*names), cmp_name);
	for (i = 0; i < count; i++) {
		merge_case(names[i]);
		free(names[i]);
	}
	free(names);
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

static void e_quality_a(dlg_node *d)
{
	dlg_node *q = dlg_map_get(dlg_map_get(d, "expectations"), "quality");

	dlg_node_free(q->items[0]);
	q->items[0] = dlg_node_new_str("Replication is watched.");
}

static void e_quality_b(dlg_node *d)
{
	dlg_node *q = dlg_map_get(dlg_map_get(d, "expectations"), "quality");

	dlg_node_free(q->items[1]);
	q->items[1] = dlg_node_new_str("Restores take an hour at most.");
}

static void e_quality_two_lines(dlg_node *d)
{
	dlg_node *q = dlg_map_get(dlg_map_get(d, "expectations"), "quality");

	dlg_node_free(q->items[1]);
	q->items[1] = dlg_node_new_str("Restores take\nan hour.");
}

/* the two lines of quality as one item, the second changed */
static void e_quality_joined(dlg_node *d)
{
	dlg_node *q = dlg_map_get(dlg_map_get(d, "expectations"), "quality");

	dlg_seq_remove(q, 1);
	dlg_node_free(q->items[0]);
	q->items[0] = dlg_node_new_str("Replication is monitored and alerts "
				       "the on-call phone.\nRestores tested "
				       "weekly.");
}

static void e_quality_gone(dlg_node *d)
{
	dlg_map_remove(dlg_map_get(d, "expectations"), "quality");
}

/* quality, a list of lines, merges as text by lines (sync gives git's
 * line merge): a line changed on each side, both kept, no conflict. An
 * item that is itself two lines is not merged as lines: a conflict. */
/* A text merge that takes everything: it must not be asked when a side
 * has no text. */
static int greedy_merge(char **out, const char *base, const char *a,
			const char *b, void *payload)
{
	dlg_buf m = DLG_BUF_INIT;

	(void)base;
	(*(int *)payload)++;
	dlg_buf_printf(&m, "%s%s", a, b);
	*out = dlg_buf_detach(&m);
	return 0;
}

static dlg_node *two_quality_lines(void)
{
	dlg_node *d = merge_base();

	dlg_seq_push(dlg_map_get(dlg_map_get(d, "expectations"), "quality"),
		     dlg_node_new_str("Restores tested monthly."));
	return d;
}

static void test_merge__quality_merged_as_lines(void **state)
{
	dlg_node *base = two_quality_lines(), *a, *b, *m = NULL;
	dlg_merge_options lines = { line_merge, NULL, NULL, NULL };
	int calls = 0;
	dlg_merge_options greedy = { greedy_merge, &calls, NULL, NULL };
	const dlg_node *got;
	size_t n = 9;

	(void)state;
	a = edited(base, e_quality_a, "2026-11-29T12:00:00Z", "dana");
	b = edited(base, e_quality_b, "2026-11-29T11:00:00Z", "kim");
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &lines), 0);
	assert_int_equal(n, 0);
	got = dlg_doc_get_path(m, "expectations.quality");
	assert_int_equal(got->count, 2);
	assert_string_equal(got->items[0]->value, "Replication is watched.");
	assert_string_equal(got->items[1]->value,
			    "Restores take an hour at most.");
	dlg_node_free(m);
	dlg_node_free(b);
	/* an item of two lines on one side: the list is one conflict */
	b = edited(base, e_quality_two_lines, "2026-11-29T11:00:00Z", "kim");
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &lines), 0);
	assert_int_equal(n, 1);
	got = dlg_doc_get_path(m, "expectations.quality");
	assert_string_equal(got->items[0]->value, "Replication is watched.");
	assert_string_equal(got->items[1]->value, "Restores tested monthly.");
	dlg_node_free(m);
	dlg_node_free(b);
	/* one side's item holds two lines whose text a line merge could
	 * take: still one conflict, not an item cut in two */
	dlg_node_free(a);
	a = edited(base, e_quality_joined, "2026-11-29T12:00:00Z", "dana");
	b = edited(base, e_quality_a, "2026-11-29T11:00:00Z", "kim");
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &lines), 0);
	assert_int_equal(n, 1);
	got = dlg_doc_get_path(m, "expectations.quality");
	assert_int_equal(got->count, 1);
	dlg_node_free(m);
	dlg_node_free(b);
	/* the base without the list: its text is empty, and the text merge
	 * is asked (this one takes both sides) */
	dlg_node_free(a);
	a = edited(base, e_quality_a, "2026-11-29T12:00:00Z", "dana");
	e_quality_gone(base);
	b = two_quality_lines();
	e_quality_b(b);
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &greedy), 0);
	assert_int_equal(n, 0);
	assert_int_equal(calls, 1);
	got = dlg_doc_get_path(m, "expectations.quality");
	assert_int_equal(got->count, 4);
	assert_string_equal(got->items[0]->value, "Replication is watched.");
	assert_string_equal(got->items[3]->value,
			    "Restores take an hour at most.");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void e_why_empty(dlg_node *d) { dlg_map_set_null(d, "why"); }
static void e_why_blank(dlg_node *d) { dlg_map_set_str(d, "why", ""); }

/* Text emptied on one side and changed on the other is a conflict, not a
 * merge of some text with none; a base without the text is merged. */
static void test_merge__text_emptied_on_one_side_is_a_conflict(void **state)
{
	dlg_node *base = merge_base(), *a, *b, *m = NULL;
	int calls = 0;
	dlg_merge_options greedy = { greedy_merge, &calls, NULL, NULL };
	size_t n = 9;

	(void)state;
	dlg_map_set_str(base, "why", "one\ntwo\n");
	a = edited(base, e_why_empty, "2026-11-29T12:00:00Z", "dana");
	b = edited(base, e_why_line2, "2026-11-29T11:00:00Z", "kim");
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &greedy), 0);
	assert_int_equal(n, 1);
	assert_int_equal(calls, 0);
	assert_true(dlg_map_get(m, "why")->type == DLG_SCALAR_NULL);
	dlg_node_free(m);
	assert_int_equal(dlg_merge_doc(&m, &n, base, b, a, &dlg_schema_task,
				       &greedy), 0);
	assert_int_equal(n, 1);
	assert_int_equal(calls, 0);
	dlg_node_free(m);
	dlg_node_free(a);
	a = edited(base, e_why_blank, "2026-11-29T12:00:00Z", "dana");
	assert_int_equal(dlg_merge_doc(&m, &n, base, b, a, &dlg_schema_task,
				       &greedy), 0);
	assert_int_equal(n, 1);
	assert_int_equal(calls, 0);
	dlg_node_free(m);
	dlg_node_free(a);
	/* no text in the base: both sides' texts, merged */
	dlg_map_set_null(base, "why");
	a = edited(base, e_why_line1, "2026-11-29T12:00:00Z", "dana");
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &greedy), 0);
	assert_int_equal(n, 0);
	assert_int_equal(calls, 1);
	assert_string_equal(dlg_map_get_str(m, "why"), "one A\ntwo\none\ntwo B\n");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void e_title_a(dlg_node *d) { dlg_map_set_str(d, "title", "A"); }
static void e_title_b(dlg_node *d) { dlg_map_set_str(d, "title", "B"); }

/* A side's `updated` later than its commit allows (latest_a, latest_b)
 * counts as that limit: in deciding the conflict, and in the merged
 * stamp. */
static void test_merge__stamps_from_the_future_are_limited(void **state)
{
	dlg_node *base = merge_base(), *a, *b, *m = NULL;
	dlg_merge_options o = { NULL, NULL, NULL, NULL };
	size_t n = 9;

	(void)state;
	a = edited(base, e_title_a, "2026-11-29T13:00:00Z", "dana");
	b = edited(base, e_title_b, "2026-11-29T11:00:00Z", "kim");
	/* unlimited, or limited above its stamp: a's title, a's stamp */
	o.latest_a = "2026-11-29T14:00:00Z";
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &o), 0);
	assert_string_equal(dlg_map_get_str(m, "title"), "A");
	assert_string_equal(dlg_map_get_str(m, "updated"),
			    "2026-11-29T13:00:00Z");
	dlg_node_free(m);
	/* limited below b's: b wins, and both ways */
	o.latest_a = "2026-11-29T10:00:00Z";
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &o), 0);
	assert_int_equal(n, 1);
	assert_string_equal(dlg_map_get_str(m, "title"), "B");
	assert_string_equal(dlg_map_get_str(m, "updated"),
			    "2026-11-29T11:00:00Z");
	assert_string_equal(dlg_map_get_str(m, "updated_by"), "kim");
	dlg_node_free(m);
	o.latest_a = NULL;
	o.latest_b = "2026-11-29T10:00:00Z";
	assert_int_equal(dlg_merge_doc(&m, &n, base, b, a, &dlg_schema_task,
				       &o), 0);
	assert_string_equal(dlg_map_get_str(m, "title"), "B");
	dlg_node_free(m);
	/* limited, still later than b's: a wins, its stamp the limit */
	o.latest_b = NULL;
	o.latest_a = "2026-11-29T12:30:00Z";
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       &o), 0);
	assert_string_equal(dlg_map_get_str(m, "title"), "A");
	assert_string_equal(dlg_map_get_str(m, "updated"),
			    "2026-11-29T12:30:00Z");
	assert_string_equal(dlg_map_get_str(m, "updated_by"), "dana");
	dlg_node_free(m);
	o.latest_a = NULL;
	o.latest_b = "2026-11-29T12:30:00Z";
	assert_int_equal(dlg_merge_doc(&m, &n, base, b, a, &dlg_schema_task,
				       &o), 0);
	assert_string_equal(dlg_map_get_str(m, "updated"),
			    "2026-11-29T12:30:00Z");
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

static void e_created_later(dlg_node *d)
{
	dlg_map_set(d, "created", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP,
						      "2026-11-25T10:00:00Z"));
	dlg_map_set_str(d, "title", "Replicate backups");
}

/* Both sides created the same task (an occurrence of a series: both
 * derive its id): created is the earlier of the two; other fields merge
 * as changed on both sides. */
static void test_merge__both_sides_created_the_task(void **state)
{
	dlg_node *a = merge_base(), *b, *m, *base;
	size_t n = 9;

	(void)state;
	b = edited(a, e_created_later, "2026-11-28T16:30:00Z", "kim");
	m = merge_both_ways(NULL, a, b, &n);
	assert_int_equal(n, 1);
	assert_string_equal(dlg_map_get_str(m, "created"),
			    "2026-11-25T09:12:00Z");
	assert_string_equal(dlg_map_get_str(m, "title"),
			    "Replicate nightly backups offsite");
	dlg_node_free(m);
	/* with a base, created changed on both sides (by hand) is a
	 * conflict like any field's */
	base = dlg_node_dup(a);
	dlg_map_set(base, "created", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP,
							 "2026-11-20T08:00:00Z"));
	m = merge_both_ways(base, a, b, &n);
	assert_int_equal(n, 1);
	assert_string_equal(dlg_map_get_str(m, "created"),
			    "2026-11-25T10:00:00Z");
	dlg_node_free(m);
	dlg_node_free(base);
	dlg_node_free(a);
	dlg_node_free(b);
}

/* Two sides that are not valid tasks (the same bad value on both): the
 * merge does not validate, says so, and gives nothing. */
static void test_merge__a_merge_that_does_not_validate_is_refused(void **state)
{
	dlg_node *base = merge_base(), *a, *b, *m = (dlg_node *)1;
	size_t n = 9;

	(void)state;
	a = dlg_node_dup(base);
	b = dlg_node_dup(base);
	dlg_map_set_str(a, "priority", "urgent");
	dlg_map_set_str(b, "priority", "urgent");
	dlg_error_clear();
	assert_int_equal(dlg_merge_doc(&m, &n, base, a, b, &dlg_schema_task,
				       NULL), DLG_EINVALID);
	assert_null(m);
	assert_non_null(strstr(dlg_error_last(), "the merged task does not "
						 "validate"));
	assert_non_null(strstr(dlg_error_last(), "urgent"));
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

/* An unknown field (kept as it is) set on both sides at the same time to
 * values that read the same but are of different types: the type breaks
 * the tie, whichever side is which. */
static void test_merge__tie_of_same_text_broken_by_type(void **state)
{
	dlg_node *base = merge_base(), *a, *b, *m;
	size_t n = 9;

	(void)state;
	a = dlg_node_dup(base);
	b = dlg_node_dup(base);
	dlg_map_set(a, "x-note", dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP,
						     "2026-12-01"));
	dlg_map_set(b, "x-note", dlg_node_new_str("2026-12-01"));
	m = merge_both_ways(base, a, b, &n);
	assert_int_equal(n, 1);
	assert_int_equal(dlg_map_get(m, "x-note")->type,
			 DLG_SCALAR_TIMESTAMP > DLG_SCALAR_STR
				 ? DLG_SCALAR_TIMESTAMP : DLG_SCALAR_STR);
	dlg_node_free(m);
	dlg_node_free(a);
	dlg_node_free(b);
	dlg_node_free(base);
}

/* Items of keyed lists by path: replaced in place, removed, added at the
 * end; a path through a missing item or into what is no list is not
 * found; an unclosed bracket names nothing. */
static void test_merge__paths_set_items_in_place(void **state)
{
	dlg_node *d = merge_base();
	const dlg_node *cp;
	dlg_node *item;

	(void)state;
	assert_null(dlg_doc_get_path(d, "checkpoints[nope].done"));
	assert_null(dlg_doc_get_path(d, "checkpoints[9d3b7e11"));
	assert_string_equal(dlg_doc_get_path(d, "checkpoints[27c4f0aa].what")
				    ->value, "First full replica complete");
	assert_non_null(dlg_doc_get_path(d, "checkpoints[27c4f0aa]"));
	item = dlg_node_dup(dlg_doc_get_path(d, "checkpoints[9d3b7e11]"));
	dlg_map_set_str(item, "what", "Vendor chosen");
	assert_int_equal(dlg_doc_set_path(d, "checkpoints[9d3b7e11]", item), 0);
	cp = dlg_map_get(d, "checkpoints");
	assert_int_equal(cp->count, 2);
	assert_string_equal(dlg_map_get_str(cp->items[0], "what"),
			    "Vendor chosen");
	assert_int_equal(dlg_doc_set_path(d, "checkpoints[9d3b7e11]", NULL), 0);
	assert_int_equal(cp->count, 1);
	assert_string_equal(dlg_map_get_str(cp->items[0], "id"), "27c4f0aa");
	assert_int_equal(dlg_doc_set_path(d, "checkpoints[9d3b7e11]", NULL), 0);
	assert_int_equal(cp->count, 1);
	item = dlg_node_new_map();
	dlg_map_set_str(item, "id", "abcd0123");
	assert_int_equal(dlg_doc_set_path(d, "checkpoints[abcd0123]", item), 0);
	assert_int_equal(cp->count, 2);
	assert_string_equal(dlg_map_get_str(cp->items[1], "id"), "abcd0123");
	assert_int_equal(dlg_doc_set_path(d, "title[abcd0123]",
					  dlg_node_new_str("x")), DLG_ENOTFOUND);
	assert_non_null(strstr(dlg_error_last(), "no list for 'title[abcd0123]'"));
	assert_int_equal(dlg_doc_set_path(d, "checkpoints[nope].done",
					  dlg_node_new_str("x")), DLG_ENOTFOUND);
	assert_int_equal(dlg_doc_set_path(d, "expectations.process", NULL), 0);
	assert_null(dlg_doc_get_path(d, "expectations.process"));
	assert_non_null(dlg_doc_get_path(d, "expectations.outcome"));
	dlg_node_free(d);
}

/* A value as YAML reads it (the file holds maps only: "v: TEXT"). */
static dlg_node *yaml(const char *text)
{
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_buf b = DLG_BUF_INIT;
	dlg_node *n = NULL, *v;

	dlg_buf_printf(&b, "v: %s\n", text);
	assert_int_equal(dlg_yaml_parse(&n, b.ptr, b.size, "x.yaml", &d), 0);
	v = dlg_node_dup(dlg_map_get(n, "v"));
	dlg_node_free(n);
	dlg_buf_dispose(&b);
	dlg_diags_dispose(&d);
	return v;
}

/* Fields the schema does not know (kept whole, any shape) changed on
 * both sides: maps merge key by key (also from a null base), lists of
 * items with ids item by item, text by lines; a change of shape, or a
 * list of plain values, is one conflict. */
static void test_merge__unknown_fields_of_any_shape(void **state)
{
	static const struct {
		const char *base, *a, *b, *want; /* base NULL: absent */
		size_t conflicts;
	} cases[] = {
		{ "~", "{p: 1}", "{q: 2}", "{\"p\":1,\"q\":2}", 0 },
		{ "{p: 0}", "{p: 1}", "{p: 0, q: 2}", "{\"p\":1,\"q\":2}", 0 },
		{ "s", "{p: 1}", "{q: 2}", "{\"p\":1}", 1 },
		{ NULL, "[{id: a1, v: 1}]", "[{id: b1, v: 2}]",
		  "[{\"id\":\"a1\",\"v\":1},{\"id\":\"b1\",\"v\":2}]", 0 },
		{ "[{id: a1, v: 0}]", "[{id: a1, v: 1}]",
		  "[{id: a1, v: 0}, {id: b1, v: 2}]",
		  "[{\"id\":\"a1\",\"v\":1},{\"id\":\"b1\",\"v\":2}]", 0 },
		{ "[1, 2]", "[1, 2, 3]", "[1, 2, 4]", "[1,2,3]", 1 },
		{ "[{v: 0}]", "[{v: 1}]", "[{v: 2}]", "[{\"v\":1}]", 1 },
		{ "[a]", "[{id: a1}]", "[{id: b1}]", "[{\"id\":\"a1\"}]", 1 },
		{ "\"one\\ntwo\\n\"", "\"one A\\ntwo\\n\"", "\"one\\ntwo B\\n\"",
		  "\"one A\\ntwo B\\n\"", 0 },
		{ "{p: 0}", "[p]", "{p: 2}", "[\"p\"]", 1 },
		{ "{}", "[]", "[{id: b1}]", "[]", 1 },
		{ "~", "[]", "[{id: b1}]", "[{\"id\":\"b1\"}]", 0 },
		{ "[{id: a1}]", "~", "[{id: a1}, {id: b1}]", "null", 1 },
	};
	dlg_merge_options lines = { line_merge, NULL, NULL, NULL };
	size_t i;
	int failures = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dlg_node *base = merge_base(), *a, *b, *m = NULL, *mb = NULL;
		dlg_buf got = DLG_BUF_INIT, back = DLG_BUF_INIT;
		size_t n = 99, n2 = 99;

		a = dlg_node_dup(base);
		b = dlg_node_dup(base);
		if (cases[i].base)
			dlg_map_set(base, "x-data", yaml(cases[i].base));
		dlg_map_set(a, "x-data", yaml(cases[i].a));
		dlg_map_set(b, "x-data", yaml(cases[i].b));
		dlg_map_set(a, "updated", dlg_node_new_scalar(
			DLG_SCALAR_TIMESTAMP, "2026-11-29T12:00:00Z"));
		assert_int_equal(dlg_merge_doc(&m, &n, base, a, b,
					       &dlg_schema_task, &lines), 0);
		assert_int_equal(dlg_merge_doc(&mb, &n2, base, b, a,
					       &dlg_schema_task, &lines), 0);
		dlg_json_write(&got, dlg_map_get(m, "x-data"));
		dlg_json_write(&back, dlg_map_get(mb, "x-data"));
		if (strcmp(got.ptr, cases[i].want) || n != cases[i].conflicts ||
		    strcmp(back.ptr, got.ptr) || n2 != n) {
			print_error("case %zu: got %s (%zu), %s (%zu) the other "
				    "way; expected %s (%zu)\n", i, got.ptr, n,
				    back.ptr, n2, cases[i].want,
				    cases[i].conflicts);
			failures++;
		}
		dlg_buf_dispose(&got);
		dlg_buf_dispose(&back);
		dlg_node_free(m);
		dlg_node_free(mb);
		dlg_node_free(a);
		dlg_node_free(b);
		dlg_node_free(base);
	}
	assert_int_equal(failures, 0);
	/* conflicts, an empty list on both sides: merged with the new
	 * records only, and none here: no conflicts field */
	{
		dlg_node *base = merge_base(), *a, *b, *m = NULL;
		size_t n = 9;

		a = dlg_node_dup(base);
		b = dlg_node_dup(base);
		dlg_map_set(a, "conflicts", dlg_node_new_seq());
		dlg_map_set(b, "conflicts", dlg_node_new_seq());
		assert_int_equal(dlg_merge_doc(&m, &n, base, a, b,
					       &dlg_schema_task, NULL), 0);
		assert_int_equal(n, 0);
		assert_null(dlg_map_get(m, "conflicts"));
		dlg_node_free(m);
		dlg_node_free(a);
		dlg_node_free(b);
		dlg_node_free(base);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge__every_case_of_the_table),
		cmocka_unit_test(test_merge__text_merged_by_lines_only_with_a_text_merge),
		cmocka_unit_test(test_merge__conflict_ids_hash_every_part),
		cmocka_unit_test(test_merge__paths_name_nested_fields_and_items),
		cmocka_unit_test(test_merge__quality_merged_as_lines),
		cmocka_unit_test(test_merge__text_emptied_on_one_side_is_a_conflict),
		cmocka_unit_test(test_merge__stamps_from_the_future_are_limited),
		cmocka_unit_test(test_merge__both_sides_created_the_task),
		cmocka_unit_test(test_merge__a_merge_that_does_not_validate_is_refused),
		cmocka_unit_test(test_merge__tie_of_same_text_broken_by_type),
		cmocka_unit_test(test_merge__paths_set_items_in_place),
		cmocka_unit_test(test_merge__unknown_fields_of_any_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
