/* core/: list's rows and their cache (core/rows.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "core_helpers.h"
#include "core/core_internal.h"

/* The order of list's rows, as their ids' first 8 digits. */
static void sorted_as(dlg_rows *rows, const char *sort, const char *expect)
{
	dlg_query q = DLG_QUERY_INIT;
	const dlg_row **v = NULL;
	char got[128] = "";
	size_t n, i;

	q.sort = sort;
	assert_int_equal(dlg_query_rows(&v, &n, rows, &q, NULL, 0), 0);
	for (i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%.8s",
			 i ? " " : "", v[i]->id);
	assert_string_equal(got, expect);
	free(v);
}

#define CACHE_TASKS 40

/* The rows of the CACHE_TASKS tasks of test_rows__cache: each titled
 * "Task N", N in its id; none left out, no problem. */
static void check_rows(dlg_store *s, const char *cache)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	char want[32];
	size_t i;

	assert_int_equal(dlg_rows_load(&rows, s, cache, &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_int_equal(dlg_rows_count(rows), CACHE_TASKS);
	for (i = 0; i < dlg_rows_count(rows); i++) {
		const dlg_row *row = dlg_rows_at(rows, i);

		snprintf(want, sizeof(want), "Task %ld",
			 strtol(row->id + 2, NULL, 16));
		assert_non_null(row->title);
		assert_string_equal(row->title, want);
		assert_string_equal(row->status, "open");
		assert_string_equal(row->tags, i == 0 ? "backup\nnet\n" : "");
	}
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
}

/* The rows cache: files untouched since it was written (and older than
 * its scan) are taken from it, and it is not written again; files whose
 * stat data changed but whose bytes did not are taken by their blob id
 * (more than 32 of them); a file named like a task but not .yaml is no
 * task; no descriptor is left open. */
static void test_rows__cache_reused_when_untouched_and_by_content(void **state)
{
	char *root = tmpdir_new(), cache[4200], uuid[37], title[32];
	struct stat before, after;
	struct timespec old[2] = { { 1700000000, 0 }, { 1700000000, 0 } };
	dlg_store *s;
	int i, fds;

	(void)state;
	for (i = 0; i < CACHE_TASKS; i++) {
		snprintf(uuid, sizeof(uuid),
			 "%02x%06x-0000-4000-8000-000000000000", i * 6, i);
		snprintf(title, sizeof(title), "Task %d", i);
		put_task(root, uuid, title, "normal", NULL);
	}
	spit(root, "tasks/00/00000000-0000-4000-8000-000000000000.yaml",
	     "format: 1\nid: 00000000-0000-4000-8000-000000000000\n"
	     "title: Task 0\nstatus: open\npriority: normal\n"
	     "delegator: dana\ncreated: 2026-11-25T09:12:00Z\n"
	     "tags: [net, backup, \"two\\nlines\"]\n");
	spit(root, "tasks/00/00000000-0000-4000-8000-000000000000.json",
	     "not a task\n");
	snprintf(cache, sizeof(cache), "%s/rows-cache", root);
	dlg_store_open(&s, root);
	fds = open_fds();
	check_rows(s, cache); /* made */
	sleep(2); /* the files now older than a scan by a whole second */
	usleep(200000);
	check_rows(s, cache); /* made again: now trusting the files */
	assert_int_equal(stat(cache, &before), 0);
	check_rows(s, cache); /* taken from it */
	assert_int_equal(stat(cache, &after), 0);
	assert_int_equal(after.st_ino, before.st_ino);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	/* every file touched, not changed: the rows by their bytes' ids */
	for (i = 0; i < CACHE_TASKS; i++) {
		char path[4200];

		snprintf(path, sizeof(path),
			 "%s/tasks/%02x/%02x%06x-0000-4000-8000-000000000000.yaml",
			 root, i * 6, i * 6, i);
		assert_int_equal(utimensat(AT_FDCWD, path, old, 0), 0);
	}
	check_rows(s, cache);
	assert_int_equal(stat(cache, &after), 0);
	assert_int_not_equal(after.st_ino, before.st_ino); /* written anew */
	check_rows(s, cache);
	assert_int_equal(open_fds(), fds);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* tasks/ a link (here to a folder of real tasks): no rows, and each file
 * there reported by the careful reader; not an error of the load. */
static void test_rows__tasks_a_link_gives_no_rows_and_says_why(void **state)
{
	char *root = tmpdir_new(), *elsewhere = tmpdir_new();
	char from[4200], to[4200];
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	dlg_store *s;

	(void)state;
	put_task(elsewhere, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70", "T",
		 "normal", NULL);
	snprintf(to, sizeof(to), "%s/tasks", elsewhere);
	snprintf(from, sizeof(from), "%s/tasks", root);
	assert_int_equal(symlink(to, from), 0);
	dlg_store_open(&s, root);
	assert_int_equal(dlg_rows_load(&rows, s, NULL, &diags), 0);
	assert_int_equal(dlg_rows_count(rows), 0);
	assert_true(diags.count >= 1);
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	dlg_store_free(s);
	rm_rf(root);
	rm_rf(elsewhere);
	free(root);
	free(elsewhere);
}

/* A store that keeps the scan's listings gives the short ids and
 * resolves prefixes as one that lists each folder: an invalid file's id
 * still taken, a file whose name is not a task's not. The listing is the
 * scan's: a file that comes after it is not in it (as a folder listed
 * once is not listed again in one process). */
static void test_rows__listings_kept_from_the_scan(void **state)
{
	static const char *const ids[] = {
		"0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70",
		"0b9c5e11-0000-4000-8000-000000000000",
		"0b9c5e5f-0000-4000-8000-000000000000", /* invalid */
		"77aa0000-0000-4000-8000-000000000000",
	};
	char *root = tmpdir_new();
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	dlg_store *kept, *listed;
	char a[37], b[37];
	size_t i;

	(void)state;
	put_task(root, ids[0], "One", "high", NULL);
	put_task(root, ids[1], "Two", "high", NULL);
	spit(root, "tasks/0b/0b9c5e5f-0000-4000-8000-000000000000.yaml",
	     "format: 1\nid: [\n");
	put_task(root, ids[3], "Three", "high", NULL);
	spit(root, "tasks/0b/0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f71.txt", "x");
	dlg_store_open(&kept, root);
	dlg_store_open(&listed, root);
	dlg_store_keep_listings(kept);
	assert_int_equal(dlg_rows_load(&rows, kept, NULL, &diags), 0);
	/* after the scan: not in its listing; a folder listed now has it */
	put_task(root, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f79", "Four", "high",
		 NULL);
	for (i = 1; i < 4; i++) {
		dlg_store_short_id(a, kept, ids[i]);
		dlg_store_short_id(b, listed, ids[i]);
		assert_string_equal(a, b);
	}
	assert_string_equal(a, "77aa00");
	dlg_store_short_id(a, kept, ids[0]);
	assert_string_equal(a, "0b9c5e5e");
	dlg_store_short_id(b, listed, ids[0]);
	assert_string_equal(b, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70");
	assert_int_equal(dlg_store_resolve_task(a, kept, "0b9c5e1"), 0);
	assert_string_equal(a, ids[1]);
	assert_int_equal(dlg_store_resolve_task(a, kept, "0b9c5e5"),
			 DLG_EAMBIGUOUS);
	assert_int_equal(dlg_store_resolve_task(a, kept, "0b9c5e5e-7f0c-4d0a-"
						"9a1e-2c3f4d5e6f79"),
			 DLG_ENOTFOUND);
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	dlg_store_free(kept);
	dlg_store_free(listed);
	rm_rf(root);
	free(root);
}

static void test_rows__short_ids_and_order_by_every_key(void **state)
{
	char *root = tmpdir_new();
	const char *long_title = "Replace the firewall rules at the branch office";
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	dlg_store *s;
	char out[37];
	size_t i;

	(void)state;
	/* Titles longer than what a comparison copies, and equal to it. */
	put_task(root, "0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70", long_title,
		 "high", "2026-12-01");
	put_task(root, "0b9c5e11-0000-4000-8000-000000000000",
		 "Replace the firewall rules at the branch offices", "normal",
		 "2026-12-01");
	put_task(root, "77aa0000-0000-4000-8000-000000000000", long_title,
		 "normal", NULL);
	put_task(root, "77ab0000-0000-4000-8000-000000000000", "Audit",
		 "high", NULL);
	/* Not a valid task, yet its id is taken: short ids step past it. */
	spit(root, "tasks/0b/0b9c5e5f-0000-4000-8000-000000000000.yaml",
	     "format: 1\nid: [\n");
	dlg_store_open(&s, root);
	assert_int_equal(dlg_rows_load(&rows, s, NULL, &diags), 0);
	assert_true(diags.count >= 1);
	assert_int_equal(dlg_rows_count(rows), 4);
	for (i = 0; i < dlg_rows_count(rows); i++) {
		char want[37];

		dlg_rows_short_id(out, rows, dlg_rows_at(rows, i));
		dlg_store_short_id(want, s, dlg_rows_at(rows, i)->file);
		assert_string_equal(out, want);
	}
	dlg_rows_short_id(out, rows, dlg_rows_at(rows, 1));
	assert_string_equal(out, "0b9c5e5e");
	/* Missing values last; ties by due, then priority, then id. */
	sorted_as(rows, NULL, "0b9c5e5e 0b9c5e11 77ab0000 77aa0000");
	sorted_as(rows, "title", "77ab0000 0b9c5e5e 77aa0000 0b9c5e11");
	sorted_as(rows, "priority", "0b9c5e5e 77ab0000 0b9c5e11 77aa0000");
	sorted_as(rows, "id", "0b9c5e11 0b9c5e5e 77aa0000 77ab0000");
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* A stand-in for git's blob id (sync/ gives that): a hash of the bytes
 * but their title line, so that a file rewritten with another title keeps
 * its id, and a row the cache gives by id shows the old title. */
static int hashed;

static void hash_but_title(unsigned char out[20], const char *data,
			   size_t len)
{
	uint32_t h = 2166136261u;
	size_t i, k;
	int skip = 0;

	hashed++;
	for (i = 0; i < len; i++) {
		if ((i == 0 || data[i - 1] == '\n') && len - i >= 6 &&
		    !memcmp(data + i, "title:", 6))
			skip = 1;
		if (!skip) {
			h ^= (unsigned char)data[i];
			h *= 16777619u;
		}
		if (data[i] == '\n')
			skip = 0;
	}
	for (k = 0; k < 20; k++)
		out[k] = (unsigned char)(h >> (8 * (k % 4))) ^ (unsigned char)k;
}

static void put_cache_tasks(const char *root, const char *prefix)
{
	char uuid[37], title[32];
	int i;

	for (i = 0; i < CACHE_TASKS; i++) {
		snprintf(uuid, sizeof(uuid),
			 "%02x%06x-0000-4000-8000-000000000000", i * 6, i);
		snprintf(title, sizeof(title), "%s %d", prefix, i);
		put_task(root, uuid, title, "normal", NULL);
	}
}

/* Rows by the bytes' id: once more than 32 files missed their stat data,
 * the others are looked up by blob id in the old cache (here every file
 * rewritten with a title the hasher does not see: the first 32 are
 * parsed again, the 8 after them taken from the cache, old titles). */
static void test_rows__by_blob_id_after_32_misses(void **state)
{
	char *root = tmpdir_new(), cache[4200];
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	dlg_store *s;
	size_t i, old = 0, fresh = 0;

	(void)state;
	put_cache_tasks(root, "Task");
	snprintf(cache, sizeof(cache), "%s/rows-cache", root);
	dlg_store_open(&s, root);
	dlg_store_set_hash(s, hash_but_title);
	assert_int_equal(dlg_rows_load(&rows, s, cache, &diags), 0);
	assert_int_equal(dlg_rows_count(rows), CACHE_TASKS);
	dlg_rows_free(rows);
	put_cache_tasks(root, "Renamed");
	put_task(root, "ff000000-0000-4000-8000-000000000000", "New", "normal",
		 NULL);
	hashed = 0;
	assert_int_equal(dlg_rows_load(&rows, s, cache, &diags), 0);
	assert_int_equal(diags.count, 0);
	assert_int_equal(hashed, CACHE_TASKS + 1);
	assert_int_equal(dlg_rows_count(rows), CACHE_TASKS + 1);
	assert_string_equal(dlg_rows_at(rows, CACHE_TASKS)->title, "New");
	for (i = 0; i < CACHE_TASKS; i++) {
		const dlg_row *row = dlg_rows_at(rows, i);
		char want[32];

		snprintf(want, sizeof(want), "%s %ld", i < 32 ? "Renamed" :
			 "Task", strtol(row->id + 2, NULL, 16));
		assert_string_equal(row->title, want);
		assert_string_equal(row->status, "open");
		assert_string_equal(row->priority, "normal");
		assert_string_equal(row->delegator, "dana");
		assert_string_equal(row->created, "2026-11-25T09:12:00Z");
		assert_false(row->core);
		old += !strncmp(row->title, "Task", 4);
		fresh += !strncmp(row->title, "Renamed", 7);
		assert_non_null(dlg_rows_find(rows, row->file));
	}
	assert_int_equal(old, CACHE_TASKS - 32);
	assert_int_equal(fresh, 32);
	assert_null(dlg_rows_find(rows, "00000000-0000-4000-8000-00000000000"));
	assert_null(dlg_rows_find(rows, "ff000000-0000-4000-8000-000000000001"));
	dlg_rows_free(rows);
	assert_int_equal(dlg_rows_count(NULL), 0);
	dlg_diags_dispose(&diags);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* The cache file damaged in each of its parts, the files old enough for
 * their entries to be trusted: never trusted past the damage, the rows
 * right (the files after it read again), the cache written anew. A file
 * gone from the end of the cache, nothing else changed: written anew. */
static void test_rows__damaged_cache_fields_are_not_trusted(void **state)
{
	static const struct {
		const char *what;
		long at;  /* where, from the first entry (-1: the header) */
		int byte; /* written there (-1: the file cut there) */
	} damage[] = {
		{ "cut in the first entry's name", 10, -1 },
		{ "a name of 35 characters", 35, 0 },
		{ "a name without its NUL", 36, 'x' },
		{ "a field marker of 2", 37 + 56 + 20, 2 },
		{ "the title's marker made 0", 37 + 56 + 20 + 38, 0 },
		{ "cut in a field", 37 + 56 + 20 + 3, -1 },
		{ "cut after the fixed part", 37 + 56 + 20, -1 },
		{ "cut after the id's marker", 37 + 56 + 20 + 1, -1 },
	};
	char *root = tmpdir_new(), cache[4200], *good;
	size_t len, hdr = strlen("delegit task rows 5\n") +
			  strlen(DELEGIT_VERSION) + 1 + 16;
	dlg_store *s;
	struct stat st;
	size_t k;

	(void)state;
	put_cache_tasks(root, "Task");
	spit(root, "tasks/00/00000000-0000-4000-8000-000000000000.yaml",
	     "format: 1\nid: 00000000-0000-4000-8000-000000000000\n"
	     "title: Task 0\nstatus: open\npriority: normal\n"
	     "delegator: dana\ncreated: 2026-11-25T09:12:00Z\n"
	     "tags: [net, backup]\n");
	snprintf(cache, sizeof(cache), "%s/rows-cache", root);
	dlg_store_open(&s, root);
	sleep(2); /* the files older than a scan by a whole second */
	usleep(200000);
	check_rows(s, cache);
	good = slurp(cache, &len);
	assert_non_null(good);
	for (k = 0; k < sizeof(damage) / sizeof(damage[0]); k++) {
		long pos = (long)hdr + damage[k].at;
		char *bad = malloc(len);
		FILE *f;
		ino_t ino;

		assert_true((size_t)pos < len);
		memcpy(bad, good, len);
		f = fopen(cache, "wb");
		if (damage[k].byte < 0) {
			fwrite(bad, 1, (size_t)pos, f);
		} else {
			bad[pos] = (char)damage[k].byte;
			fwrite(bad, 1, len, f);
		}
		fclose(f);
		free(bad);
		assert_int_equal(stat(cache, &st), 0);
		ino = st.st_ino;
		print_message("%s\n", damage[k].what);
		check_rows(s, cache);
		assert_int_equal(stat(cache, &st), 0);
		assert_int_not_equal(st.st_ino, ino);
		/* and the cache written is the good one again */
		{
			size_t n;
			char *again = slurp(cache, &n);

			assert_int_equal(n, len);
			assert_memory_equal(again + hdr, good + hdr, len - hdr);
			free(again);
		}
	}
	/* a task file gone from the middle, then the last one (whose entry
	 * is past every file): each time, the cache written anew */
	{
		char path[4200];
		dlg_diags diags = DLG_DIAGS_INIT;
		dlg_rows *rows = NULL;
		ino_t ino;

		snprintf(path, sizeof(path), "%s/tasks/78/78000014-0000-4000-"
			 "8000-000000000000.yaml", root);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(stat(cache, &st), 0);
		ino = st.st_ino;
		assert_int_equal(dlg_rows_load(&rows, s, cache, &diags), 0);
		assert_int_equal(dlg_rows_count(rows), CACHE_TASKS - 1);
		dlg_rows_free(rows);
		assert_int_equal(stat(cache, &st), 0);
		assert_int_not_equal(st.st_ino, ino);
		snprintf(path, sizeof(path), "%s/tasks/ea/ea000027-0000-4000-"
			 "8000-000000000000.yaml", root);
		assert_int_equal(unlink(path), 0);
		assert_int_equal(stat(cache, &st), 0);
		ino = st.st_ino;
		assert_int_equal(dlg_rows_load(&rows, s, cache, &diags), 0);
		assert_int_equal(dlg_rows_count(rows), CACHE_TASKS - 2);
		dlg_rows_free(rows);
		assert_int_equal(stat(cache, &st), 0);
		assert_int_not_equal(st.st_ino, ino);
		dlg_diags_dispose(&diags);
	}
	free(good);
	dlg_store_free(s);
	rm_rf(root);
	free(root);
}

/* A shard folder that is a link, and a task file that is a folder: the
 * careful reader reports them; the other tasks have rows. A cache that
 * cannot be written only costs time. */
static void test_rows__unusual_shards_and_files_are_reported(void **state)
{
	char *root = tmpdir_new(), *elsewhere = tmpdir_new();
	char from[4200], to[4200], cache[4200];
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_rows *rows = NULL;
	dlg_store *s;
	size_t i;
	int link_named = 0;

	(void)state;
	put_task(root, "cd000000-0000-4000-8000-000000000000", "C", "normal",
		 NULL);
	put_task(elsewhere, "ab000000-0000-4000-8000-000000000000", "A",
		 "normal", NULL);
	snprintf(to, sizeof(to), "%s/tasks/ab", elsewhere);
	snprintf(from, sizeof(from), "%s/tasks/ab", root);
	assert_int_equal(symlink(to, from), 0);
	snprintf(from, sizeof(from),
		 "%s/tasks/cd/cd111111-0000-4000-8000-000000000000.yaml", root);
	assert_int_equal(mkdir(from, 0777), 0);
	dlg_store_open(&s, root);
	snprintf(cache, sizeof(cache), "%s/no/such/folder/rows", root);
	assert_int_equal(dlg_rows_load(&rows, s, cache, &diags), 0);
	assert_int_equal(dlg_rows_count(rows), 1);
	assert_string_equal(dlg_rows_at(rows, 0)->title, "C");
	for (i = 0; i < diags.count; i++)
		link_named |= strstr(diags.items[i].message,
				     "tasks/ab/ab000000-0000-4000-8000-"
				     "000000000000.yaml: is a symbolic link") !=
			      NULL;
	assert_true(link_named);
	assert_int_equal(diags.count, 2);
	dlg_rows_free(rows);
	dlg_diags_dispose(&diags);
	dlg_store_free(s);
	rm_rf(root);
	rm_rf(elsewhere);
	free(root);
	free(elsewhere);
}

/* Rows made from tasks in memory: sorted by id, each field as list shows
 * it (the hours spent summed, the people it names, tags and waits one a
 * line, a tag of two lines left out, recurrence's rule and series). */
static void test_rows__from_tasks_in_memory(void **state)
{
	dlg_node *docs[3];
	dlg_rows *rows = NULL;
	const dlg_row *r;
	dlg_node *fb, *item, *recur, *after;

	(void)state;
	docs[0] = dlg_task_new("cd000000-0000-4000-8000-000000000000", "C",
			       "dana", 1764000000);
	docs[1] = dlg_task_new("ab000000-0000-4000-8000-000000000000", "A",
			       "dana", 1764000000);
	docs[2] = dlg_task_new("ef000000-0000-4000-8000-000000000000", "E",
			       "dana", 1764000000);
	dlg_task_add_spent(docs[0], "kim", 1.5, NULL, 1764000000);
	dlg_task_add_spent(docs[0], "sam", 2, NULL, 1764000000);
	dlg_task_set_field(docs[0], "tags", "b,a");
	dlg_seq_push(dlg_map_get(docs[0], "tags"),
		     dlg_node_new_str("two\nlines"));
	dlg_seq_push(dlg_map_get(docs[0], "tags"), dlg_node_new_map());
	dlg_task_set_field(docs[0], "core", "true");
	fb = dlg_map_get(docs[0], "feedback");
	dlg_task_add_feedback(docs[0], "wes", "praise", "x", 1764000000);
	item = dlg_node_new_map();
	dlg_map_set_str(item, "text", "no author");
	dlg_seq_push(fb, item);
	recur = dlg_node_new_map();
	dlg_map_set_str(recur, "every", "weekly");
	dlg_map_set_str(recur, "series", "ef000000-0000-4000-8000-000000000000");
	dlg_map_set(docs[0], "recur", recur);
	after = dlg_node_new_seq();
	dlg_seq_push(after, dlg_node_new_str("ab000000-0000-4000-8000-000000000000"));
	dlg_map_set(docs[0], "after", after);
	dlg_map_remove(docs[2], "updated_by");
	dlg_map_set_str(docs[2], "feedback", "not a list");
	assert_int_equal(dlg_rows_from_tasks(&rows, docs, 3), 0);
	assert_int_equal(dlg_rows_count(rows), 3);
	assert_string_equal(dlg_rows_at(rows, 0)->title, "A");
	assert_string_equal(dlg_rows_at(rows, 2)->title, "E");
	r = dlg_rows_find(rows, "cd000000-0000-4000-8000-000000000000");
	assert_non_null(r);
	assert_string_equal(r->title, "C");
	assert_string_equal(r->spent_hours, "3.5");
	assert_string_equal(r->tags, "b\na\n");
	assert_string_equal(r->refs, "sam\nwes\n");
	assert_string_equal(r->every, "weekly");
	assert_string_equal(r->series, "ef000000-0000-4000-8000-000000000000");
	assert_string_equal(r->after, "ab000000-0000-4000-8000-000000000000\n");
	assert_true(r->core);
	r = dlg_rows_at(rows, 0);
	assert_null(r->spent_hours);
	assert_null(r->after);
	assert_null(r->every);
	assert_string_equal(r->refs, "dana\n");
	assert_false(r->core);
	assert_string_equal(dlg_rows_at(rows, 2)->refs, "");
	dlg_rows_free(rows);
	assert_int_equal(dlg_rows_from_tasks(&rows, docs, 1), 0);
	assert_int_equal(dlg_rows_count(rows), 1);
	dlg_rows_free(rows);
	dlg_node_free(docs[0]);
	dlg_node_free(docs[1]);
	dlg_node_free(docs[2]);
}

/* The trees cache's decoders refuse a map that names a key twice, as the
 * YAML reader does, wherever in the map the second one is. */
static void test_rows__trees_decoder_refuses_a_key_twice(void **state)
{
	dlg_node *doc = dlg_node_new_map(), *back;
	dlg_buf enc = DLG_BUF_INIT;
	char key[8], *at;
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "k%02d", i);
		dlg_map_set(doc, key, dlg_node_new_str("v"));
	}
	dlg__trees_encode(&enc, doc);
	back = dlg__trees_decode((const unsigned char *)enc.ptr, enc.size);
	assert_non_null(back);
	assert_true(dlg_node_equal(doc, back));
	dlg_node_free(back);
	for (i = 1; i < 40; i += 7) {
		dlg_buf twice = DLG_BUF_INIT;
		char first[8];

		dlg_buf_put(&twice, enc.ptr, enc.size);
		snprintf(key, sizeof(key), "k%02d", i);
		/* the first key again, or one after it */
		snprintf(first, sizeof(first), "k%02d", i < 20 ? 0 : i - 17);
		for (at = twice.ptr; memcmp(at, key, 3); at++)
			assert_true(at + 3 < twice.ptr + twice.size);
		memcpy(at, first, 3);
		assert_null(dlg__trees_decode((const unsigned char *)twice.ptr,
					      twice.size));
		assert_null(dlg__trees_decode_frozen(
			(const unsigned char *)twice.ptr, twice.size));
		dlg_buf_dispose(&twice);
	}
	dlg_buf_dispose(&enc);
	dlg_node_free(doc);
}

/* A frozen tree (what reports read) is the tree the cache's decoder
 * makes, node for node; freeing a node of it other than the root frees
 * nothing (the root frees all: the sanitizers and valgrind would say),
 * and changing it aborts rather than corrupt it. */
static void test_rows__frozen_trees_are_the_same_and_read_only(void **state)
{
	static const char *const files[] = { "canonical/task.yaml",
					     "canonical/task-plate.yaml" };
	size_t f, len;

	(void)state;
	for (f = 0; f < 2; f++) {
		char *text = data_file(files[f], &len);
		dlg_node *doc = task_from(text, len), *back, *frozen;
		dlg_buf enc = DLG_BUF_INIT;
		int step, status;

		dlg__trees_encode(&enc, doc);
		back = dlg__trees_decode((const unsigned char *)enc.ptr,
					 enc.size);
		frozen = dlg__trees_decode_frozen(
			(const unsigned char *)enc.ptr, enc.size);
		assert_non_null(back);
		assert_non_null(frozen);
		assert_true(dlg__node_same(back, frozen));
		assert_true(dlg__node_same(doc, frozen));
		assert_true(frozen->count > 10);
		dlg_node_free(frozen->items[3]); /* not the root: nothing */
		assert_true(dlg__node_same(doc, frozen));
		for (step = 0; step < 4; step++) {
			pid_t pid = fork();

			assert_true(pid >= 0);
			if (!pid) {
				if (step == 0)
					dlg_map_set_str(frozen, "title", "x");
				else if (step == 1)
					dlg_map_set_str(frozen, "new", "x");
				else if (step == 2)
					dlg_map_remove(frozen, "title");
				else
					dlg_seq_remove(dlg_map_get(frozen,
								   "feedback"),
						       0);
				_exit(0);
			}
			assert_int_equal(waitpid(pid, &status, 0), pid);
			assert_true(WIFSIGNALED(status));
			assert_int_equal(WTERMSIG(status), SIGABRT);
		}
		dlg_node_free(frozen);
		dlg_node_free(back);
		dlg_node_free(doc);
		dlg_buf_dispose(&enc);
		free(text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows__trees_decoder_refuses_a_key_twice),
		cmocka_unit_test(test_rows__frozen_trees_are_the_same_and_read_only),
		cmocka_unit_test(test_rows__short_ids_and_order_by_every_key),
		cmocka_unit_test(test_rows__listings_kept_from_the_scan),
		cmocka_unit_test(test_rows__cache_reused_when_untouched_and_by_content),
		cmocka_unit_test(test_rows__tasks_a_link_gives_no_rows_and_says_why),
		cmocka_unit_test(test_rows__by_blob_id_after_32_misses),
		cmocka_unit_test(test_rows__damaged_cache_fields_are_not_trusted),
		cmocka_unit_test(test_rows__unusual_shards_and_files_are_reported),
		cmocka_unit_test(test_rows__from_tasks_in_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
