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
		/* a template needs its format and name only */
		{ &dlg_schema_template, "", "format: 1\nname: weekly\n", NULL },
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
		  "      high: {respond: x4h}\n", "bad duration 'x4h'" },
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
	/* an id prefix: hex digits and dashes, one at least */
	assert_true(dlg_hex_prefix_valid("a"));
	assert_true(dlg_hex_prefix_valid("0B9c-5e"));
	assert_false(dlg_hex_prefix_valid(""));
	assert_false(dlg_hex_prefix_valid("g"));
	assert_false(dlg_hex_prefix_valid("ab/c"));
	h[40] = 'a';
	h[41] = '\0';
	assert_false(dlg_handle_valid(h));
	assert_non_null(f);
	assert_int_equal(dlg_schema_check_value(&out, f, "high", 0), 0);
	assert_string_equal(out.ptr, "");
	assert_int_equal(dlg_schema_check_value(&out, f, "higher", 0),
			 DLG_EINVALID);
	assert_non_null(strstr(out.ptr, "unknown value 'higher' (expected one "
				   "of critical, high, normal, low)"));
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
		       "      urgent: 4h\n", want.ptr + 6);
	dlg_buf_puts(&want, ".sla.urgent': unknown key");
	assert_int_equal(dlg_store_parse(&doc, text.ptr, text.size, "c.yaml",
					 &dlg_schema_config, &diags),
			 DLG_EINVALID);
	assert_int_equal(diags.count, 1);
	dlg_diags_format(&msg, &diags);
	if (!strstr(msg.ptr, want.ptr))
		fail_msg("not named whole: %s", msg.ptr);
	dlg_diags_dispose(&diags);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&msg);
	dlg_buf_dispose(&want);
}

/* Each kind of field given a value of the wrong shape (a map, a list or
 * a scalar where another goes) or a value of the right shape that is
 * not one: refused, naming what was found and what was expected; and the
 * bounds of ids, handles, durations and numbers. */
static void test_validate__wrong_shapes_for_each_kind(void **state)
{
	static const char task_head[] =
		"format: 1\nid: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\n"
		"title: T\nstatus: open\npriority: normal\ndelegator: dana\n"
		"created: 2026-11-25T09:12:00Z\n";
	static const char fb[] = "feedback:\n- id: %s\n  at: "
				 "2026-11-27T10:00:00Z\n  author: dana\n"
				 "  kind: guidance\n  text: Fine.\n";
	static const struct {
		const dlg_schema *schema;
		const char *head, *text, *expect; /* expect NULL: valid */
	} cases[] = {
		/* numbers */
		{ &dlg_schema_task, task_head, "estimate_hours: [1]\n",
		  "'estimate_hours': found a list (expected a number)" },
		{ &dlg_schema_task, task_head, "estimate_hours: 12h\n",
		  "found a string '12h' (expected a number)" },
		{ &dlg_schema_task, task_head, "estimate_hours: 1_000\n",
		  "'1_000' is not a plain decimal number" },
		{ &dlg_schema_task, task_head, "estimate_hours: .inf\n",
		  "'.inf' is not a plain decimal number" },
		{ &dlg_schema_task, task_head, "estimate_hours: 1:30\n",
		  "'1:30' is not a plain decimal number" },
		{ &dlg_schema_task, task_head, "estimate_hours: 0x1f\n", NULL },
		{ &dlg_schema_task, task_head, "estimate_hours: 1.0e+999\n",
		  "'1.0e+999' is not a plain decimal number" },
		{ &dlg_schema_task, "", "format: x\n"
		  "id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\ntitle: T\n"
		  "status: open\npriority: normal\ndelegator: dana\n"
		  "created: 2026-11-25T09:12:00Z\n",
		  "'format': found a string 'x' (expected a whole number)" },
		{ &dlg_schema_task, task_head, "feedback:\n- id: 0a0b0c0d\n"
		  "  at: 2026-11-27T10:00:00Z\n  author: dana\n"
		  "  kind: guidance\n  rating: true\n  text: Fine.\n",
		  "found a boolean 'true' (expected a whole number)" },
		{ &dlg_schema_task, task_head, "estimate_hours: 2.5\n", NULL },
		{ &dlg_schema_task, "", "format: 1.5\n"
		  "id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\ntitle: T\n"
		  "status: open\npriority: normal\ndelegator: dana\n"
		  "created: 2026-11-25T09:12:00Z\n",
		  "'format': found a number '1.5' (expected a whole number)" },
		{ &dlg_schema_task, "", "format: 1.0\n"
		  "id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\ntitle: T\n"
		  "status: open\npriority: normal\ndelegator: dana\n"
		  "created: 2026-11-25T09:12:00Z\n",
		  "found a number '1.0' (expected a whole number)" },
		{ &dlg_schema_task, task_head, "spent:\n- id: 0a0b0c0d\n"
		  "  at: 2026-11-27T10:00:00Z\n  by: dana\n  hours: 1001\n",
		  "1001 is out of range (expected 0 to 1000)" },
		{ &dlg_schema_task, task_head, "spent:\n- id: 0a0b0c0d\n"
		  "  at: 2026-11-27T10:00:00Z\n  by: dana\n  hours: -0.5\n",
		  "-0.5 is out of range (expected 0 to 1000)" },
		{ &dlg_schema_task, task_head, "spent:\n- id: 0a0b0c0d\n"
		  "  at: 2026-11-27T10:00:00Z\n  by: dana\n  hours: 1000\n",
		  NULL },
		{ &dlg_schema_task, task_head, "feedback:\n- id: 0a0b0c0d\n"
		  "  at: 2026-11-27T10:00:00Z\n  author: dana\n"
		  "  kind: guidance\n  rating: 6\n  text: Fine.\n",
		  "6 is out of range (expected 1 to 5)" },
		/* booleans, dates, times, text */
		{ &dlg_schema_task, task_head, "core: 1\n",
		  "'core': found '1' (expected true or false)" },
		{ &dlg_schema_task, task_head, "core: [true]\n",
		  "'core': found a list (expected true or false)" },
		{ &dlg_schema_task, task_head, "core: yes\n", NULL },
		{ &dlg_schema_task, task_head, "due: {on: 2026-12-01}\n",
		  "'due': found a map (expected a date)" },
		{ &dlg_schema_task, task_head, "started: [2026-12-01]\n",
		  "'started': found a list (expected a time)" },
		{ &dlg_schema_task, task_head, "title2: x\nwhy: [a]\n",
		  "'why': found a list (expected text)" },
		{ &dlg_schema_task, "", "format: 1\n"
		  "id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\ntitle: \"\"\n"
		  "status: open\npriority: normal\ndelegator: dana\n"
		  "created: 2026-11-25T09:12:00Z\n",
		  "'title': is empty (expected one line)" },
		{ &dlg_schema_task, task_head, "why: \"\"\n", NULL },
		{ &dlg_schema_task, task_head, "priority2: x\nstatus2: [a]\n",
		  NULL },
		{ &dlg_schema_task, "", "format: 1\n"
		  "id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\ntitle: T\n"
		  "status: [open]\npriority: normal\ndelegator: dana\n"
		  "created: 2026-11-25T09:12:00Z\n",
		  "'status': found a list (expected a name)" },
		/* sets and lists */
		{ &dlg_schema_task, task_head, "tags: [a, null]\n",
		  "'tags': item 2 is null (expected text)" },
		{ &dlg_schema_task, task_head, "tags: [\"\", a]\n",
		  "'tags': item 1 is a string (expected text)" },
		{ &dlg_schema_task, task_head, "tags: [[a]]\n",
		  "'tags': item 1 is a list (expected text)" },
		{ &dlg_schema_task, task_head, "tags: {a: 1}\n",
		  "'tags': found a map (expected a list of names)" },
		{ &dlg_schema_task, task_head, "tags: [true, 2, 2026-01-01]\n",
		  NULL },
		{ &dlg_schema_task, task_head,
		  "after: [0b9c5e5e-7f0c-4d0a-9a1e-2C3f4d5e6f70]\n",
		  "'after': bad task id '0b9c5e5e-7f0c-4d0a-9a1e-2C3f4d5e6f70'" },
		{ &dlg_schema_task, task_head,
		  "after: [0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70]\n", NULL },
		/* keyed lists and maps */
		{ &dlg_schema_task, task_head, "checkpoints: {a: 1}\n",
		  "'checkpoints': found a map (expected a list)" },
		{ &dlg_schema_task, task_head, "checkpoints: [x]\n",
		  "'checkpoints[1]': found a string (expected a map with an id)" },
		{ &dlg_schema_task, task_head, "checkpoints: [1]\n",
		  "found a whole number (expected a map with an id)" },
		{ &dlg_schema_task, task_head, "checkpoints: [1.5]\n",
		  "found a number (expected a map with an id)" },
		{ &dlg_schema_task, task_head, "checkpoints: [true]\n",
		  "found a boolean (expected a map with an id)" },
		{ &dlg_schema_task, task_head, "checkpoints: [2026-01-01]\n",
		  "found a date (expected a map with an id)" },
		{ &dlg_schema_task, task_head, "checkpoints: [[x]]\n",
		  "found a list (expected a map with an id)" },
		{ &dlg_schema_task, task_head, "checkpoints:\n- due: 2026-12-01\n"
		  "  what: A\n- id: 0a0b\n  due: 2026-12-02\n  what: B\n",
		  "'checkpoints[1].id'" },
		{ &dlg_schema_task, task_head, "checkpoints:\n- id: 0a0b\n"
		  "  due: 2026-12-01\n  what: A\n- id: 0a0b\n  due: 2026-12-02\n"
		  "  what: B\n", "duplicate id '0a0b'" },
		{ &dlg_schema_task, task_head, "expectations: [a]\n",
		  "'expectations': found a list (expected a map)" },
		{ &dlg_schema_task, task_head, "autonomy: null\nrecur: ~\n",
		  NULL },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme: [x]\n",
		  "'orgs.acme': found a list (expected a map)" },
		{ &dlg_schema_config, "", "format: 1\norgs: [acme]\n",
		  "'orgs': found a list (expected a map)" },
		{ &dlg_schema_task, "", "- format: 1\n",
		  "holds a list (expected a map of fields)" },
		/* ids, handles, durations at their bounds */
		{ &dlg_schema_task, "", "format: 1\n"
		  "id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f7\ntitle: T\n"
		  "status: open\npriority: normal\ndelegator: dana\n"
		  "created: 2026-11-25T09:12:00Z\n", "bad id" },
		{ &dlg_schema_task, "", "format: 1\n"
		  "id: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f701\ntitle: T\n"
		  "status: open\npriority: normal\ndelegator: dana\n"
		  "created: 2026-11-25T09:12:00Z\n", "bad id" },
		{ &dlg_schema_task, "", "format: 1\n"
		  "id: 0b9c5e5e07f0c-4d0a-9a1e-2c3f4d5e6f70\ntitle: T\n"
		  "status: open\npriority: normal\ndelegator: dana\n"
		  "created: 2026-11-25T09:12:00Z\n", "bad id" },
		{ &dlg_schema_task, task_head, "assignee: kIm\n",
		  "bad handle 'kIm'" },
		{ &dlg_schema_task, task_head, "assignee: k!m\n",
		  "bad handle 'k!m'" },
		{ &dlg_schema_task, task_head, "assignee: Kim\n",
		  "bad handle 'Kim'" },
		{ &dlg_schema_task, task_head, "assignee: 7.k_i-m\n", NULL },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: 4}\n", "bad duration '4'" },
		{ &dlg_schema_config, "", "format: 1\norgs:\n  acme:\n    sla:\n"
		  "      high: {respond: 4w}\n", NULL },
	};
	static const struct {
		const char *id, *expect;
	} ids[] = {
		{ "0a0b", NULL },
		{ "0a0", "bad item id '0a0'" },
		{ "0123456789abcdef0123456789abcdef", NULL },
		{ "0123456789abcdef0123456789abcdef0", "bad item id" },
	};
	size_t i, k;
	int failures = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]) +
			    sizeof(ids) / sizeof(ids[0]); i++) {
		dlg_diags diags = DLG_DIAGS_INIT;
		dlg_buf text = DLG_BUF_INIT, all = DLG_BUF_INIT;
		dlg_node *doc = NULL;
		const dlg_schema *schema = &dlg_schema_task;
		const char *expect;
		int error, found = 0;

		if (i < sizeof(cases) / sizeof(cases[0])) {
			schema = cases[i].schema;
			expect = cases[i].expect;
			dlg_buf_printf(&text, "%s%s", cases[i].head,
				       cases[i].text);
		} else {
			k = i - sizeof(cases) / sizeof(cases[0]);
			expect = ids[k].expect;
			dlg_buf_puts(&text, task_head);
			dlg_buf_printf(&text, fb, ids[k].id);
		}
		error = dlg_store_parse(&doc, text.ptr, text.size, "f.yaml",
					schema, &diags);
		dlg_diags_format(&all, &diags);
		for (k = 0; k < diags.count; k++)
			found |= expect && strstr(diags.items[k].message,
						  expect) != NULL;
		if (expect ? error != DLG_EINVALID || !found : error != 0) {
			print_error("case %zu: %s\nexpected %s, got %d:\n%s\n",
				    i, text.ptr, expect ? expect : "valid",
				    error, all.ptr);
			failures++;
		}
		dlg_node_free(doc);
		dlg_buf_dispose(&all);
		dlg_buf_dispose(&text);
		dlg_diags_dispose(&diags);
	}
	assert_int_equal(failures, 0);
}

/* An optional field given as null is dropped from the file, not kept as
 * null (autonomy, recur); unknown fields keep their null. */
static void test_validate__optional_nulls_dropped(void **state)
{
	static const char text[] =
		"format: 1\nid: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\n"
		"title: T\nstatus: open\npriority: normal\ndelegator: dana\n"
		"created: 2026-11-25T09:12:00Z\nautonomy: null\nrecur: ~\n"
		"x-extra: null\n";
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;

	(void)state;
	assert_int_equal(dlg_store_parse(&doc, text, strlen(text), "f.yaml",
					 &dlg_schema_task, &diags), 0);
	assert_null(dlg_map_get(doc, "autonomy"));
	assert_null(dlg_map_get(doc, "recur"));
	assert_non_null(dlg_map_get(doc, "x-extra"));
	assert_non_null(dlg_map_get(doc, "due"));
	dlg_node_free(doc);
	/* a document that is no map, given whole (the merge validates what
	 * it made): named as what it is */
	doc = dlg_node_new_seq();
	assert_int_equal(dlg_schema_validate(doc, &dlg_schema_task, "m",
					     &diags), DLG_EINVALID);
	assert_int_equal(diags.count, 1);
	assert_string_equal(diags.items[0].message,
			    "found a list (expected a map of fields)");
	dlg_node_free(doc);
	dlg_diags_dispose(&diags);
}

/* A value given on the command line, checked as its field would check
 * it: lists need a value, maps and lists of maps are not checked here,
 * empty is null (refused where the field needs a value), numbers and
 * booleans typed as YAML types them, null and ~ only when asked. */
static void test_validate__command_line_values_of_each_kind(void **state)
{
	static const struct {
		const char *field, *value;
		int yaml_null;
		const char *expect; /* NULL: accepted */
	} cases[] = {
		{ "tags", "", 0, "is empty (expected" },
		{ "tags", "a", 0, NULL },
		{ "expectations", "anything", 0, NULL },
		{ "checkpoints", "anything", 0, NULL },
		{ "due", "", 0, NULL },
		{ "due", "null", 1, NULL },
		{ "due", "~", 1, NULL },
		{ "due", "null", 0, "bad date 'null'" },
		{ "title", "", 0, "is empty (expected one line)" },
		{ "title", "~", 1, "is empty (expected one line)" },
		{ "title", "~", 0, NULL },
		{ "estimate_hours", "3", 0, NULL },
		{ "estimate_hours", "abc", 0, "found a string 'abc' (expected a "
					      "number)" },
		{ "core", "yes", 0, NULL },
		{ "core", "maybe", 0, "found 'maybe' (expected true or false)" },
		{ "priority", "~", 0, "unknown value '~'" },
		{ "format", "2", 0, "2 is not supported (expected 1)" },
	};
	dlg_buf out = DLG_BUF_INIT;
	size_t i;
	int failures = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const dlg_field *f = dlg_schema_field(&dlg_schema_task,
						      cases[i].field);
		int error;

		assert_non_null(f);
		dlg_buf_clear(&out);
		error = dlg_schema_check_value(&out, f, cases[i].value,
					       cases[i].yaml_null);
		if (cases[i].expect ? error != DLG_EINVALID ||
					      !strstr(out.ptr, cases[i].expect)
				    : error != 0 || out.size) {
			print_error("%s=%s: got %d '%s'\n", cases[i].field,
				    cases[i].value, error, out.ptr);
			failures++;
		}
	}
	/* a field of any value (a conflict record's): not checked here,
	 * even empty */
	dlg_buf_clear(&out);
	assert_int_equal(dlg_schema_check_value(&out, dlg_schema_field(
		dlg_schema_field(&dlg_schema_task, "conflicts")->sub, "value"),
		"", 0), 0);
	dlg_buf_dispose(&out);
	assert_int_equal(failures, 0);
}

/* A whole number with a leading zero is octal to YAML 1.1 (PyYAML reads
 * 010 as 8), and decimal to the person who wrote it: refused as no plain
 * decimal, never read as either. 0 itself, and 0.5, are plain. */
static void test_validate__leading_zeros_are_not_plain_decimals(void **state)
{
	static const struct {
		const char *value, *want; /* want NULL: refused */
	} cases[] = {
		{ "010", NULL }, { "-010", NULL }, { "+07", NULL }, { "00", NULL },
		{ "0", "0" }, { "0.5", "0.5" }, { "10", "10" }, { "0x1f", "31" },
		{ "+7", "7" }, { "01.5", "1.5" },
	};
	size_t i;
	int failures = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		dlg_diags diags = DLG_DIAGS_INIT;
		dlg_buf text = DLG_BUF_INIT;
		dlg_node *doc = NULL;
		int error;

		dlg_buf_printf(&text, "format: 1\nid: 0b9c5e5e-7f0c-4d0a-9a1e-"
			       "2c3f4d5e6f70\ntitle: T\nstatus: open\n"
			       "priority: normal\ndelegator: dana\ncreated: "
			       "2026-11-25T09:12:00Z\nestimate_hours: %s\n",
			       cases[i].value);
		error = dlg_store_parse(&doc, text.ptr, text.size, "f.yaml",
					&dlg_schema_task, &diags);
		if (cases[i].want ? error != 0 ||
					    strcmp(dlg_map_get_str(doc,
						   "estimate_hours"),
						   cases[i].want)
				  : error != DLG_EINVALID ||
					    !strstr(diags.items[0].message,
						    "is not a plain decimal")) {
			print_error("estimate_hours: %s: got %d (%s)\n",
				    cases[i].value, error, error ? "refused" :
				    dlg_map_get_str(doc, "estimate_hours"));
			failures++;
		}
		dlg_node_free(doc);
		dlg_buf_dispose(&text);
		dlg_diags_dispose(&diags);
	}
	assert_int_equal(failures, 0);
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
		cmocka_unit_test(test_validate__wrong_shapes_for_each_kind),
		cmocka_unit_test(test_validate__optional_nulls_dropped),
		cmocka_unit_test(test_validate__command_line_values_of_each_kind),
		cmocka_unit_test(test_validate__leading_zeros_are_not_plain_decimals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
