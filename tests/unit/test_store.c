/* core/: the task store: ids, paths, reads and writes (core/store.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <sys/mman.h>

#include "core_helpers.h"

static void unlink_rel(const char *root, const char *rel)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(unlink(p), 0);
}

/* rm -rf of a folder under a test's root */
static void rm_rf_rel(const char *root, const char *rel)
{
	char p[4200];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (nftw(p, rm_rf__one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fail_msg("cannot remove %s", p);
}

static void test_ids__unique_prefixes_resolve_and_short_ids_grow(void **state)
{
	char *root = tmpdir_new();
	dlg_store *s;
	char out[37];

	(void)state;
	put_task(root, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70", "T", "normal",
		 NULL);
	put_task(root, "0b9c5e11-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	put_task(root, "77aa0000-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	dlg_store_open(&s, root);
	put_task(root, "9f000000-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	assert_int_equal(dlg_store_resolve_task(out, s, "9f00"), 0);
	assert_string_equal(out, "9f000000-0000-4000-8000-000000000000");
	assert_int_equal(dlg_store_resolve_task(out, s, "77aa"), 0);
	assert_string_equal(out, "77aa0000-0000-4000-8000-000000000000");
	assert_int_equal(dlg_store_resolve_task(out, s, "0b9c5e"), DLG_EAMBIGUOUS);
	assert_int_equal(dlg_store_resolve_task(out, s, "0B9C5E5E"), 0);
	assert_string_equal(out, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70");
	assert_int_equal(dlg_store_resolve_task(out, s, "abc"), DLG_EINVALID);
	assert_int_equal(dlg_store_resolve_task(out, s, "../x"), DLG_EINVALID);
	assert_int_equal(dlg_store_resolve_task(out, s, "ffff"), DLG_ENOTFOUND);
	dlg_store_short_id(out, s, "77aa0000-0000-4000-8000-000000000000");
	assert_string_equal(out, "77aa00");
	dlg_store_short_id(out, s, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70");
	assert_string_equal(out, "0b9c5e5");
	/* A shard is listed once, and again after the store writes. */
	assert_int_equal(dlg_store_write_file(
				 s, "tasks/0b/0b9c5e5e-7000-4000-8000-000000000000.yaml",
				 "x", 1), 0);
	dlg_store_short_id(out, s, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70");
	assert_string_equal(out, "0b9c5e5e-7f");
	assert_int_equal(dlg_store_resolve_task(out, s, "0b9c5e5e"),
			 DLG_EAMBIGUOUS);
	assert_int_equal(dlg_store_remove_file(
				 s, "tasks/0b/0b9c5e5e-7000-4000-8000-000000000000.yaml"),
			 0);
	assert_int_equal(dlg_store_resolve_task(out, s, "0b9c5e5e"), 0);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

static void test_store__links_and_escaping_paths_are_refused(void **state)
{
	char *root = tmpdir_new();
	char link[4200];
	dlg_store *s;
	dlg_buf b = DLG_BUF_INIT;

	(void)state;
	dlg_store_open(&s, root);
	snprintf(link, sizeof(link), "%s/tasks", root);
	assert_int_equal(symlink("/etc", link), 0);
	assert_int_equal(dlg_store_read_file(&b, s, "tasks/passwd"), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "symbolic link"));
	/* refused at the link, whatever lies beyond it */
	assert_int_equal(dlg_store_read_file(&b, s, "tasks/no/such/file"),
			 DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "tasks/no/such/file: is a "
						 "symbolic link"));
	assert_int_equal(dlg_store_read_file(&b, s, "../etc/passwd"), DLG_EINVALID);
	assert_int_equal(dlg_store_write_file(s, "a/../../x", "x", 1), DLG_EINVALID);
	dlg_buf_dispose(&b);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* Reads replace what the buffer held; a path that leaves the repository
 * is named when a removal refuses it; a folder maps to nothing. */
static void test_store__reads_replace_the_buffer_and_refusals_say_why(void **state)
{
	char *root = tmpdir_new();
	char full[4200];
	dlg_buf b = DLG_BUF_INIT;
	dlg_store *s;
	size_t size = 99;

	(void)state;
	spit(root, "a.yaml", "first: 1\n");
	spit(root, "b.yaml", "b: 2\n");
	dlg_store_open(&s, root);
	assert_int_equal(dlg_store_read_file(&b, s, "a.yaml"), 0);
	assert_int_equal(dlg_store_read_file(&b, s, "b.yaml"), 0);
	assert_int_equal(b.size, 5);
	assert_string_equal(b.ptr, "b: 2\n");
	snprintf(full, sizeof(full), "%s/a.yaml", root);
	assert_int_equal(dlg_path_read(&b, full), 0);
	assert_string_equal(b.ptr, "first: 1\n");
	dlg_error_clear();
	assert_int_equal(dlg_store_remove_file(s, "../b.yaml"), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "../b.yaml: path leaves the "
						 "repository"));
	assert_int_equal(dlg_store_remove_file(s, "a.yaml"), 0);
	assert_int_equal(access(full, F_OK), -1);
	/* a folder, where a cache file would be: not mapped */
	snprintf(full, sizeof(full), "%s/folder", root);
	assert_int_equal(mkdir(full, 0777), 0);
	assert_null(dlg_path_map(full, &size));
	assert_int_equal(size, 0);
	dlg_buf_dispose(&b);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* A shard's ids are listed once (agenda and reports ask for a short id
 * per line): a task file another process adds is seen after this one
 * writes (a file, in a folder it makes), which drops the lists. */
static void test_store__a_shard_is_listed_once_until_this_process_writes(void **state)
{
	char *root = tmpdir_new();
	char out[37];
	dlg_buf b = DLG_BUF_INIT;
	dlg_store *s;

	(void)state;
	put_task(root, "abcd0000-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	dlg_store_open(&s, root);
	assert_int_equal(dlg_store_resolve_task(out, s, "abcd"), 0);
	assert_int_equal(dlg_store_resolve_task(out, s, "abce"), DLG_ENOTFOUND);
	put_task(root, "abce0000-0000-4000-8000-000000000000", "T", "normal",
		 NULL);
	assert_int_equal(dlg_store_resolve_task(out, s, "abce"), DLG_ENOTFOUND);
	assert_int_equal(dlg_store_write_file(s, "notes/a.txt", "x\ny\n", 4),
			 0);
	assert_int_equal(dlg_store_read_file(&b, s, "notes/a.txt"), 0);
	assert_int_equal(b.size, 4);
	assert_string_equal(b.ptr, "x\ny\n");
	assert_int_equal(dlg_store_resolve_task(out, s, "abce"), 0);
	assert_string_equal(out, "abce0000-0000-4000-8000-000000000000");
	dlg_buf_dispose(&b);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

static void person(const char *root, const char *file, const char *handle,
		   const char *email)
{
	char rel[128], text[512];

	snprintf(rel, sizeof(rel), "team/%s", file);
	snprintf(text, sizeof(text), "handle: %s\nname: %s\nemails: [%s]\n"
		 "org: acme\nrole: staff\n", handle, handle, email);
	spit(root, rel, text);
}

static int has_diag(const dlg_diags *d, const char *path, const char *text)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if ((!path || (d->items[i].path &&
			       !strcmp(d->items[i].path, path))) &&
		    strstr(d->items[i].message, text))
			return 1;
	return 0;
}

#define UUID_A "ab000000-0000-4000-8000-000000000001"
#define UUID_B "ab000000-0000-4000-8000-000000000002"
#define UUID_C "cd000000-0000-4000-8000-000000000003"
#define UUID_D "cd000000-0000-4000-8000-000000000004"
#define UUID_E "ab000000-0000-4000-8000-000000000005"
#define UUID_F "ab000000-0000-4000-8000-000000000006"
#define UUID_G "ab000000-0000-4000-8000-000000000007"
#define UUID_H "ab000000-0000-4000-8000-000000000008"

/* check: each problem of a repository named, with its file: the team's
 * (a handle not its file's name, an invalid person, an email two hold),
 * the config missing, tasks/'s entries that are no shard folders, files
 * not named as tasks, people a task names that the team lacks (delegator,
 * assignee, updated_by, a feedback author), an id not its file's, a task
 * both archived and active; a valid repository passes. */
/* As delegit check: the rows loaded once, for the check to trust, their
 * scan's listings kept for the check's. */
static int store_check(dlg_store *s, dlg_diags *d)
{
	dlg_diags ignore = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	int error;

	dlg_store_keep_listings(s);
	dlg_rows_load(&rows, s, dlg_store_cache(s), &ignore);
	error = dlg_store_check(s, rows, d);
	dlg_rows_free(rows);
	dlg_diags_dispose(&ignore);
	return error;
}

static void test_store__check_names_every_problem(void **state)
{
	char *root = tmpdir_new();
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_store *s;
	char text[1024];
	size_t i;

	(void)state;
	person(root, "dana.yaml", "dana", "dana@example.com");
	person(root, "kim.yaml", "kim", "kim@example.com");
	spit(root, ".delegit/config.yaml", "format: 1\n");
	spit(root, ".delegit/policy.yaml", "format: 1\n");
	put_task(root, UUID_A, "A", "normal", NULL);
	dlg_store_open(&s, root);
	assert_int_equal(store_check(s, &d), 0);
	assert_int_equal(d.count, 0);
	/* a cache of the rows, used and then trusted: still nothing */
	snprintf(text, sizeof(text), "%s/rows", root);
	dlg_store_set_cache(s, text);
	assert_string_equal(dlg_store_cache(s), text);
	assert_int_equal(store_check(s, &d), 0);
	assert_int_equal(store_check(s, &d), 0);
	dlg_store_set_cache(s, NULL);
	assert_null(dlg_store_cache(s));
	/* problems listed before (another check's) are not this one's */
	dlg_diags_add(&d, "elsewhere", 1, 1, "an earlier problem");
	assert_int_equal(store_check(s, &d), 0);
	assert_int_equal(d.count, 1);
	dlg_diags_dispose(&d);

	/* now break it, each way */
	person(root, "bob.yaml", "rob", "bob@example.com");
	person(root, "al.yaml", "alice", "al@example.com");
	person(root, "sam.yaml", "sam", "KIM@example.com");
	spit(root, "team/zoe.yaml", "handle: zoe\n");
	spit(root, "team/notes.txt", "not a person\n");
	spit(root, "team/.yaml", "handle: x\n");
	spit(root, ".delegit/config.yaml", "format: 2\n");
	unlink_rel(root, ".delegit/policy.yaml");
	spit(root, "tasks/ef", "a file named like a shard\n");
	/* each of these names one person the team lacks, and no other */
	spit(root, "tasks/ab/" UUID_E ".yaml", "format: 1\nid: " UUID_E
	     "\ntitle: E\nstatus: open\npriority: normal\ndelegator: "
	     "zoe\ncreated: 2026-11-25T09:12:00Z\n");
	spit(root, "tasks/ab/" UUID_F ".yaml", "format: 1\nid: " UUID_F
	     "\ntitle: F\nstatus: open\npriority: normal\ndelegator: "
	     "dana\nassignee: uma\ncreated: 2026-11-25T09:12:00Z\n");
	spit(root, "tasks/ab/" UUID_H ".yaml", "format: 1\n");
	spit(root, "tasks/ab/" UUID_G ".yaml", "format: 1\nid: " UUID_G
	     "\ntitle: G\nstatus: open\npriority: normal\ndelegator: "
	     "dana\ncreated: 2026-11-25T09:12:00Z\nupdated: "
	     "2026-11-26T09:12:00Z\nupdated_by: vic\n");
	spit(root, "tasks/zz/x", "x\n");
	spit(root, "tasks/README", "x\n");
	spit(root, "tasks/ab/notes.yaml", "x\n");
	spit(root, "tasks/ab/" UUID_C ".yaml", "x\n");
	snprintf(text, sizeof(text),
		 "format: 1\nid: %s\ntitle: B\nstatus: open\npriority: normal\n"
		 "delegator: zed\nassignee: yan\ncreated: 2026-11-25T09:12:00Z\n"
		 "updated: 2026-11-26T09:12:00Z\nupdated_by: xia\nfeedback:\n"
		 "- id: 0a0b0c0d\n  at: 2026-11-27T10:00:00Z\n  author: wes\n"
		 "  kind: guidance\n  text: Fine.\n", UUID_B);
	spit(root, "tasks/ab/" UUID_B ".yaml", text);
	put_task(root, UUID_D, "D", "normal", NULL);
	snprintf(text, sizeof(text), "archive/2026/ab/%s.yaml", UUID_A);
	spit(root, text, "format: 1\nid: " UUID_A "\ntitle: A\n"
	     "status: done\npriority: normal\ndelegator: dana\n"
	     "created: 2026-11-25T09:12:00Z\nclosed: 2026-11-28T09:00:00Z\n");
	spit(root, "archive/old/ab/" UUID_A ".yaml", "x\n");
	/* the id of D's file is C's */
	snprintf(text, sizeof(text), "tasks/cd/%s.yaml", UUID_D);
	spit(root, text, "format: 1\nid: " UUID_C "\ntitle: D\nstatus: open\n"
	     "priority: normal\ndelegator: dana\n"
	     "created: 2026-11-25T09:12:00Z\n");
	unlink_rel(root, "tasks/ab/" UUID_C ".yaml");
	spit(root, "tasks/ab/" UUID_C ".yaml", "x\n");
	assert_int_equal(store_check(s, &d), DLG_EINVALID);
	assert_true(has_diag(&d, "team/bob.yaml", "handle 'rob' does not "
			     "match the file name (expected team/rob.yaml)"));
	assert_true(has_diag(&d, "team/al.yaml", "handle 'alice' does not "
			     "match the file name"));
	assert_true(has_diag(&d, "team/zoe.yaml", "missing field 'name'"));
	assert_true(has_diag(&d, NULL, "team/sam.yaml: email "
			     "'KIM@example.com' also belongs to 'kim'"));
	assert_true(has_diag(&d, ".delegit/config.yaml", "'format'"));
	assert_false(has_diag(&d, ".delegit/config.yaml", "missing"));
	assert_true(has_diag(&d, ".delegit/policy.yaml", "missing (expected "
			     "the policy file)"));
	assert_true(has_diag(&d, "tasks/ef", "unexpected entry"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_E ".yaml",
			     "'delegator': unknown person 'zoe'"));
	assert_false(has_diag(&d, NULL, "unknown person 'null'"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_F ".yaml",
			     "'assignee': unknown person 'uma'"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_G ".yaml",
			     "'updated_by': unknown person 'vic'"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_H ".yaml",
			     "missing field 'id'"));
	assert_false(has_diag(&d, "tasks/ab/" UUID_H ".yaml",
			      "does not match the file name"));
	assert_true(has_diag(&d, "tasks/zz", "unexpected entry"));
	assert_true(has_diag(&d, "tasks/README", "unexpected entry"));
	assert_true(has_diag(&d, "tasks/ab/notes.yaml",
			     "unexpected file name (expected "
			     "tasks/ab/<uuid>.yaml with the uuid starting ab)"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_C ".yaml",
			     "unexpected file name"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_B ".yaml",
			     "'delegator': unknown person 'zed'"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_B ".yaml",
			     "'assignee': unknown person 'yan'"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_B ".yaml",
			     "'updated_by': unknown person 'xia'"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_B ".yaml",
			     "'author': unknown person 'wes'"));
	assert_true(has_diag(&d, "tasks/cd/" UUID_D ".yaml",
			     "id '" UUID_C "' does not match the file name "
			     "(expected " UUID_D ")"));
	assert_true(has_diag(&d, "archive/2026/ab/" UUID_A ".yaml",
			     "archived, and active in tasks/ab/" UUID_A
			     ".yaml too"));
	assert_false(has_diag(&d, NULL, "archive/old"));
	assert_false(has_diag(&d, "tasks/ab/" UUID_A ".yaml", ""));
	for (i = 0; i < d.count; i++)
		assert_null(strstr(d.items[i].message, "notes.txt"));
	/* without rows every file is parsed, and every folder listed: the
	 * same problems */
	{
		dlg_diags all = DLG_DIAGS_INIT;
		dlg_store *fresh;

		dlg_store_open(&fresh, root);
		assert_int_equal(dlg_store_check(fresh, NULL, &all),
				 DLG_EINVALID);
		dlg_store_free(fresh);
		assert_int_equal(all.count, d.count);
		for (i = 0; i < d.count; i++)
			assert_string_equal(all.items[i].message,
					    d.items[i].message);
		dlg_diags_dispose(&all);
	}
	dlg_diags_dispose(&d);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* A loaded team is searched by halves: each of 21 people found as
 * itself, a handle before the first, between two and after the last not
 * found; a team not known sorted (as sync/policy.c builds one from
 * history) is searched in its own order. */
static void test_store__team_find_by_halves(void **state)
{
	static const char *const handles[] = {
		"a", "a-b", "a0", "ab", "b", "bb", "c1", "c2", "d", "dana",
		"e", "f", "g", "h", "kim", "lee", "m", "n", "o", "p", "zz",
	};
	static const char *const absent[] = { "", "0", "a-", "aa", "ba",
					      "kimm", "q", "zzz" };
	char *root = tmpdir_new(), name[64], email[64];
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_team team, mixed;
	dlg_node *order[2];
	dlg_store *s;
	size_t i, n = sizeof(handles) / sizeof(handles[0]);

	(void)state;
	for (i = n; i-- > 0;) {
		snprintf(name, sizeof(name), "%s.yaml", handles[i]);
		snprintf(email, sizeof(email), "%s@example.com", handles[i]);
		person(root, name, handles[i], email);
	}
	dlg_store_open(&s, root);
	assert_int_equal(dlg_team_load(&team, s, &d), 0);
	assert_int_equal(team.count, n);
	assert_true(team.by_handle);
	for (i = 0; i < n; i++)
		assert_ptr_equal(dlg_team_find(&team, handles[i]),
				 team.people[i]);
	for (i = 0; i < sizeof(absent) / sizeof(absent[0]); i++)
		assert_null(dlg_team_find(&team, absent[i]));
	order[0] = team.people[14]; /* kim before dana */
	order[1] = team.people[9];
	mixed = (dlg_team){ order, 2, 0 };
	assert_ptr_equal(dlg_team_find(&mixed, "dana"), team.people[9]);
	assert_ptr_equal(dlg_team_find(&mixed, "kim"), team.people[14]);
	dlg_team_dispose(&team);
	dlg_diags_dispose(&d);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* The team: loaded sorted by handle, the files that are no person
 * reported (the load says the team has invalid files), people found by
 * handle and by any of their emails ignoring case, a clash of emails
 * found unless it is the person's own. */
static void test_store__team_loads_finds_and_clashes(void **state)
{
	char *root = tmpdir_new();
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_team team;
	dlg_store *s;
	const char *email = NULL;
	dlg_node *kim2;

	(void)state;
	dlg_store_open(&s, root);
	assert_int_equal(dlg_team_load(&team, s, &d), 0);
	assert_int_equal(team.count, 0);
	dlg_team_dispose(&team);
	person(root, "kim.yaml", "kim", "Kim@Example.com");
	person(root, "dana.yaml", "dana", "dana@example.com");
	spit(root, "team/bad.yaml", "handle: [\n");
	assert_int_equal(dlg_team_load(&team, s, &d), DLG_EINVALID);
	assert_string_equal(dlg_error_last(), "the team has invalid files");
	assert_int_equal(team.count, 2);
	assert_string_equal(dlg_map_get_str(team.people[0], "handle"), "dana");
	assert_non_null(dlg_team_find(&team, "kim"));
	assert_null(dlg_team_find(&team, "ki"));
	assert_null(dlg_team_find(&team, NULL));
	assert_ptr_equal(dlg_team_find_email(&team, "kim@example.COM"),
			 team.people[1]);
	assert_null(dlg_team_find_email(&team, "kim@example.org"));
	assert_null(dlg_team_find_email(&team, NULL));
	kim2 = dlg_node_dup(team.people[1]);
	assert_ptr_equal(dlg_team_email_clash(&team, 2, kim2, NULL, &email),
			 team.people[1]);
	assert_string_equal(email, "Kim@Example.com");
	assert_null(dlg_team_email_clash(&team, 2, kim2, "kim", &email));
	assert_null(dlg_team_email_clash(&team, 1, kim2, NULL, &email));
	dlg_node_free(kim2);
	dlg_team_dispose(&team);
	dlg_diags_dispose(&d);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* Archived tasks: the path of a closed task by its year, refused for one
 * not closed; found by a unique prefix of 4 or more hex digits, ignoring
 * case; years and shards that are not named so are skipped. */
static void test_store__archive_paths_lists_and_finds(void **state)
{
	char *root = tmpdir_new();
	dlg_buf b = DLG_BUF_INIT;
	char **files = NULL;
	size_t n = 0;
	dlg_store *s;

	(void)state;
	assert_int_equal(dlg_archive_path(&b, UUID_A, "2026-11-28T09:00:00Z"),
			 0);
	assert_string_equal(b.ptr, "archive/2026/ab/" UUID_A ".yaml");
	assert_int_equal(dlg_archive_path(&b, UUID_A, NULL), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "it is not closed"));
	assert_int_equal(dlg_archive_path(&b, UUID_A, "202"), DLG_EINVALID);
	assert_int_equal(dlg_archive_path(&b, UUID_A, "x026-11"), DLG_EINVALID);
	assert_int_equal(dlg_archive_path(&b, UUID_A, "202x-11"), DLG_EINVALID);
	assert_int_equal(dlg_archive_path(&b, "ab", "2026-11"), DLG_EINVALID);
	dlg_store_open(&s, root);
	assert_int_equal(dlg_store_list_archived(&files, &n, s), 0);
	assert_int_equal(n, 0);
	assert_int_equal(dlg_store_find_archived(&b, s, "ab00"), DLG_ENOTFOUND);
	spit(root, "archive/2026/ab/" UUID_A ".yaml", "x\n");
	spit(root, "archive/2025/ab/" UUID_B ".yaml", "x\n");
	spit(root, "archive/2025/cd/" UUID_C ".yaml", "x\n");
	spit(root, "archive/2025/cd/notes.txt", "x\n");
	spit(root, "archive/2025/zz/" UUID_D ".yaml", "x\n");
	spit(root, "archive/2025/cdx/" UUID_D ".yaml", "x\n");
	spit(root, "archive/25/cd/" UUID_D ".yaml", "x\n");
	spit(root, "archive/20x5/cd/" UUID_D ".yaml", "x\n");
	spit(root, "archive/2x25/cd/" UUID_D ".yaml", "x\n");
	spit(root, "archive/202x/cd/" UUID_D ".yaml", "x\n");
	spit(root, "archive/x025/cd/" UUID_D ".yaml", "x\n");
	spit(root, "archive/20255/cd/" UUID_D ".yaml", "x\n");
	assert_int_equal(dlg_store_list_archived(&files, &n, s), 0);
	assert_int_equal(n, 3);
	assert_string_equal(files[0], "archive/2025/ab/" UUID_B ".yaml");
	assert_string_equal(files[2], "archive/2026/ab/" UUID_A ".yaml");
	dlg_strv_free(files, n);
	assert_int_equal(dlg_store_find_archived(&b, s, "CD00"), 0);
	assert_string_equal(b.ptr, "archive/2025/cd/" UUID_C ".yaml");
	assert_int_equal(dlg_store_find_archived(&b, s, "ab00"), DLG_EAMBIGUOUS);
	assert_non_null(strstr(dlg_error_last(), "2 archived tasks match"));
	assert_int_equal(dlg_store_find_archived(&b, s, UUID_A), 0);
	assert_string_equal(b.ptr, "archive/2026/ab/" UUID_A ".yaml");
	assert_int_equal(dlg_store_find_archived(&b, s, "ab0"), DLG_EINVALID);
	assert_int_equal(dlg_store_find_archived(&b, s, UUID_A "0"),
			 DLG_EINVALID);
	assert_int_equal(dlg_store_find_archived(&b, s, "ab0g"), DLG_EINVALID);
	assert_int_equal(dlg_store_find_archived(&b, s, "ee00"), DLG_ENOTFOUND);
	/* archive/ a file: not a folder, nothing archived */
	rm_rf_rel(root, "archive");
	spit(root, "archive", "x\n");
	assert_int_equal(dlg_store_list_archived(&files, &n, s), 0);
	assert_int_equal(n, 0);
	dlg_buf_dispose(&b);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* Paths: a task's and a person's from their ids (refused when no id),
 * those that leave the repository or are empty refused, a root's
 * trailing slashes dropped; what reads refuse (no regular file, too big,
 * missing) and why; a file whose id is not its name, or not in its shard
 * folder; a file that is no valid task loaded: named. */
static void test_store__paths_reads_and_file_ids(void **state)
{
	char *root = tmpdir_new(), with_slash[4200], full[4200];
	dlg_buf b = DLG_BUF_INIT;
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_node *doc = NULL, *task;
	char **list = NULL;
	size_t n = 0;
	dlg_store *s;
	FILE *f;

	(void)state;
	assert_int_equal(dlg_task_path(&b, UUID_A), 0);
	assert_string_equal(b.ptr, "tasks/ab/" UUID_A ".yaml");
	assert_int_equal(dlg_task_path(&b, "../" UUID_A), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "bad task id"));
	assert_int_equal(dlg_team_path(&b, "kim"), 0);
	assert_string_equal(b.ptr, "team/kim.yaml");
	assert_int_equal(dlg_team_path(&b, "../kim"), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "bad handle '../kim'"));
	snprintf(with_slash, sizeof(with_slash), "%s//", root);
	dlg_store_open(&s, with_slash);
	assert_string_equal(dlg_store_root(s), root);
	dlg_store_free(s);
	dlg_store_open(&s, "/");
	assert_string_equal(dlg_store_root(s), "/");
	dlg_store_free(s);
	dlg_store_open(&s, root);
	/* refused paths, with why */
	assert_int_equal(dlg_store_write_file(s, "", "x", 1), DLG_EINVALID);
	assert_int_equal(dlg_store_write_file(s, "/tmp/x", "x", 1),
			 DLG_EINVALID);
	assert_int_equal(dlg_store_write_file(s, "a//b", "x", 1), DLG_EINVALID);
	assert_int_equal(dlg_store_write_file(s, "./a", "x", 1), DLG_EINVALID);
	assert_int_equal(dlg_store_write_file(s, "a/./b", "x", 1),
			 DLG_EINVALID);
	assert_int_equal(dlg_store_write_file(s, "a/..b/.c", "x", 1), 0);
	assert_int_equal(dlg_store_write_file(s, "..", "x", 1), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "..: path leaves the "
						 "repository"));
	assert_false(dlg_store_exists(s, "../x"));
	assert_true(dlg_store_exists(s, "a/..b/.c"));
	assert_false(dlg_store_exists(s, "a/nothing"));
	assert_int_equal(dlg_store_read_file(&b, s, "a/nothing"),
			 DLG_ENOTFOUND);
	assert_int_equal(dlg_store_read_file(&b, s, "a"), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "a: is not a regular file"));
	/* a file of more than 1 MiB */
	snprintf(full, sizeof(full), "%s/big.yaml", root);
	f = fopen(full, "w");
	assert_non_null(f);
	assert_int_equal(fseek(f, DLG_MAX_FILE, SEEK_SET), 0);
	fputc('x', f);
	fclose(f);
	assert_int_equal(dlg_store_read_file(&b, s, "big.yaml"), DLG_EINVALID);
	assert_non_null(strstr(dlg_error_last(), "big.yaml: file is 1048577 "
						 "bytes (expected at most "
						 "1048576)"));
	/* a removal: missing is fine, a folder is not */
	assert_int_equal(dlg_store_remove_file(s, "a/nothing"), 0);
	assert_int_equal(dlg_store_remove_file(s, "a"), -1);
	assert_non_null(strstr(dlg_error_last(), "cannot remove 'a'"));
	/* loads: missing (no problem listed), invalid (named) */
	assert_int_equal(dlg_store_load(&doc, s, "tasks/ab/" UUID_A ".yaml",
					&dlg_schema_task, &d), DLG_ENOTFOUND);
	assert_int_equal(d.count, 0);
	assert_int_equal(dlg_store_load(&doc, s, "a", &dlg_schema_task, &d),
			 DLG_EINVALID);
	assert_int_equal(d.count, 1);
	spit(root, "tasks/ab/" UUID_A ".yaml", "format: 1\n");
	assert_int_equal(dlg_store_load(&doc, s, "tasks/ab/" UUID_A ".yaml",
					&dlg_schema_task, &d), DLG_EINVALID);
	assert_null(doc);
	assert_string_equal(dlg_error_last(), "tasks/ab/" UUID_A
			    ".yaml: invalid task file");
	dlg_diags_dispose(&d);
	/* text that is no YAML: nothing given back, whatever out held */
	doc = (dlg_node *)&d;
	assert_int_equal(dlg_store_parse(&doc, "x: [", 4, "x.yaml",
					 &dlg_schema_task, &d), DLG_EINVALID);
	assert_null(doc);
	dlg_diags_dispose(&d);
	/* saved: canonical text, written and returned */
	task = dlg_task_new(UUID_A, "Saved", "dana", 1764000000);
	assert_int_equal(dlg_store_save(&b, s, "tasks/ab/" UUID_A ".yaml",
					task, &dlg_schema_task), 0);
	assert_non_null(strstr(b.ptr, "title: Saved\n"));
	assert_int_equal(dlg_store_load(&doc, s, "tasks/ab/" UUID_A ".yaml",
					&dlg_schema_task, &d), 0);
	assert_string_equal(dlg_map_get_str(doc, "title"), "Saved");
	/* a file's id: its name, in its shard folder under tasks/ */
	assert_int_equal(dlg_task_check_file_id(&d, "tasks/ab/" UUID_A ".yaml",
						doc), 0);
	assert_int_equal(dlg_task_check_file_id(&d, "archive/2026/ab/" UUID_A
						".yaml", doc), 0);
	assert_int_equal(dlg_task_check_file_id(&d, UUID_A ".yaml", doc), 0);
	assert_int_equal(d.count, 0);
	assert_int_equal(dlg_task_check_file_id(&d, "tasks/cd/" UUID_A ".yaml",
						doc), DLG_EINVALID);
	assert_true(has_diag(&d, "tasks/cd/" UUID_A ".yaml", "id '" UUID_A
			     "' is not in its shard folder (expected "
			     "tasks/ab/)"));
	assert_int_equal(dlg_task_check_file_id(&d, "tasks/x/ab/" UUID_A
						".yaml", doc), DLG_EINVALID);
	assert_int_equal(dlg_task_check_file_id(&d, "tasks/ab/" UUID_B ".yaml",
						doc), DLG_EINVALID);
	assert_int_equal(dlg_task_check_file_id(&d, "tasks/abc/" UUID_A
						".yaml", doc), DLG_EINVALID);
	assert_true(has_diag(&d, "tasks/abc/" UUID_A ".yaml", "not in its "
			     "shard folder"));
	assert_true(has_diag(&d, "tasks/ab/" UUID_B ".yaml", "does not match "
			     "the file name (expected " UUID_B ")"));
	assert_int_equal(dlg_task_check_file_id(&d, "tasks/ab/" UUID_A ".yml",
						doc), DLG_EINVALID);
	/* a name with another ending is shown whole */
	assert_true(has_diag(&d, "tasks/ab/" UUID_A ".yml", "(expected "
			     UUID_A ".yml)"));
	assert_int_equal(dlg_task_check_file_id(&d, "tasks/ab/.yaml", doc),
			 DLG_EINVALID);
	assert_true(has_diag(&d, "tasks/ab/.yaml", "(expected .yaml)"));
	dlg_map_remove(doc, "id");
	assert_int_equal(dlg_task_check_file_id(&d, "tasks/ab/x", doc),
			 DLG_EINVALID);
	assert_true(has_diag(&d, "tasks/ab/x", "id '' does not match the file "
			     "name (expected x)"));
	dlg_node_free(doc);
	dlg_node_free(task);
	/* tasks listed from their shards; folders listed */
	put_task(root, UUID_C, "C", "normal", NULL);
	spit(root, "tasks/cd/notes.yaml", "x\n");
	spit(root, "tasks/zz/" UUID_D ".yaml", "x\n");
	spit(root, "tasks/cdx/" UUID_D ".yaml", "x\n");
	assert_int_equal(dlg_store_list_tasks(&list, &n, s), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[1], "tasks/cd/" UUID_C ".yaml");
	dlg_strv_free(list, n);
	assert_int_equal(dlg_store_list_dir(&list, &n, s, "tasks"), 0);
	assert_int_equal(n, 4);
	assert_string_equal(list[3], "zz");
	dlg_strv_free(list, n);
	assert_int_equal(dlg_store_list_dir(&list, &n, s, "none"), 0);
	assert_int_equal(n, 0);
	assert_int_equal(dlg_store_list_dir(&list, &n, s, "big.yaml"), 0);
	assert_int_equal(n, 0);
	/* short ids of ids whose shard is no hex: the shortest */
	{
		char out[37];

		dlg_store_short_id(out, s, "zz000000-0000-4000-8000-000000000000");
		assert_string_equal(out, "zz0000");
		dlg_store_short_id(out, s, "gg000000-0000-4000-8000-000000000000");
		assert_string_equal(out, "gg0000");
		assert_int_equal(dlg_store_resolve_task(out, s, UUID_C "0"),
				 DLG_EINVALID);
		/* more than an id, whose first 36 are one: 36 at most */
		dlg_store_short_id(out, s, UUID_C "0");
		assert_string_equal(out, UUID_C);
	}
	dlg_buf_dispose(&b);
	dlg_diags_dispose(&d);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* Files by absolute path (the caches): read replaces the buffer, a
 * missing file is not found, a folder cannot be written, an empty file
 * maps to nothing. */
static void test_store__files_by_path(void **state)
{
	char *root = tmpdir_new(), path[4200];
	dlg_buf b = DLG_BUF_INIT;
	size_t size = 7;
	char *map;

	(void)state;
	snprintf(path, sizeof(path), "%s/f", root);
	assert_int_equal(dlg_path_write(path, "hello", 5), 0);
	dlg_buf_puts(&b, "old");
	assert_int_equal(dlg_path_read(&b, path), 0);
	assert_string_equal(b.ptr, "hello");
	map = dlg_path_map(path, &size);
	assert_non_null(map);
	assert_int_equal(size, 5);
	assert_memory_equal(map, "hello", 5);
	munmap(map, size);
	assert_int_equal(dlg_path_write(path, "x", 1), 0);
	map = dlg_path_map(path, &size);
	assert_non_null(map);
	assert_int_equal(size, 1);
	munmap(map, size);
	assert_int_equal(dlg_path_write(path, "", 0), 0);
	assert_null(dlg_path_map(path, &size));
	assert_int_equal(size, 0);
	snprintf(path, sizeof(path), "%s/none/f", root);
	assert_int_equal(dlg_path_read(&b, path), DLG_ENOTFOUND);
	assert_null(dlg_path_map(path, &size));
	assert_int_equal(dlg_path_write(path, "x", 1), -1);
	assert_non_null(strstr(dlg_error_last(), "cannot write"));
	assert_non_null(strstr(dlg_error_last(), "No such file"));
	assert_int_equal(dlg_path_write("/dev/full", "x", 1), -1);
	assert_non_null(strstr(dlg_error_last(), "No space left"));
	assert_int_equal(dlg_path_read(&b, "/proc/self/mem/x"), -1);
	dlg_buf_dispose(&b);
	rm_rf(root);
	free(root);
}

/* Folders that cannot be read (here links to themselves): listing them
 * is an error that names them, not an empty list. */
static void test_store__unreadable_folders_are_errors(void **state)
{
	char *root = tmpdir_new(), path[4200], out[37];
	char **list = NULL;
	size_t n = 0;
	dlg_buf b = DLG_BUF_INIT;
	dlg_store *s;

	(void)state;
	snprintf(path, sizeof(path), "%s/tasks", root);
	assert_int_equal(symlink("tasks", path), 0);
	snprintf(path, sizeof(path), "%s/archive", root);
	assert_int_equal(symlink("archive", path), 0);
	dlg_store_open(&s, root);
	assert_int_equal(dlg_store_list_tasks(&list, &n, s), -1);
	assert_non_null(strstr(dlg_error_last(), "cannot read tasks/: Too many "
						 "levels of symbolic links"));
	assert_int_equal(dlg_store_list_dir(&list, &n, s, "tasks"), -1);
	assert_non_null(strstr(dlg_error_last(), "cannot read tasks/"));
	assert_int_equal(dlg_store_list_archived(&list, &n, s), -1);
	assert_non_null(strstr(dlg_error_last(), "cannot read archive/"));
	assert_int_equal(dlg_store_find_archived(&b, s, "abcd"), -1);
	assert_int_equal(dlg_store_resolve_task(out, s, "abcd"), -1);
	assert_non_null(strstr(dlg_error_last(), "cannot read tasks/ab"));
	dlg_buf_dispose(&b);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids__unique_prefixes_resolve_and_short_ids_grow),
		cmocka_unit_test(test_store__links_and_escaping_paths_are_refused),
		cmocka_unit_test(test_store__reads_replace_the_buffer_and_refusals_say_why),
		cmocka_unit_test(test_store__a_shard_is_listed_once_until_this_process_writes),
		cmocka_unit_test(test_store__check_names_every_problem),
		cmocka_unit_test(test_store__team_loads_finds_and_clashes),
		cmocka_unit_test(test_store__team_find_by_halves),
		cmocka_unit_test(test_store__archive_paths_lists_and_finds),
		cmocka_unit_test(test_store__paths_reads_and_file_ids),
		cmocka_unit_test(test_store__files_by_path),
		cmocka_unit_test(test_store__unreadable_folders_are_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
