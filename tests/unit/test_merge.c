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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge__every_case_of_the_table),
		cmocka_unit_test(test_merge__text_merged_by_lines_only_with_a_text_merge),
		cmocka_unit_test(test_merge__conflict_ids_hash_every_part),
		cmocka_unit_test(test_merge__paths_name_nested_fields_and_items),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
