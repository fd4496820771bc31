/* sync/: history, and the events cache (sync/history.c, sync/evcache.c), on
 * real repositories, checked with the real git CLI. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include "sync/sync.h"
#include "sync/sync_internal.h"
#include "sync_helpers.h"

typedef struct {
	int calls;
	char seen[8][128];
} history_log;

static int on_change(const dlg_commit_info *c, const char *path,
		     const dlg_event *ev, size_t n, void *payload)
{
	history_log *h = payload;

	if (h->calls < 8)
		snprintf(h->seen[h->calls], sizeof(h->seen[0]),
			 "%ld %s %zu %s %s>%s", (long)(c->when - 1700000000),
			 path, n,
			 n ? ev[0].field : "-", n && ev[0].from ? ev[0].from : "",
			 n && ev[0].to ? ev[0].to : "");
	h->calls++;
	return 0;
}

static void history_twice(fixture *f, const char *path, time_t since,
			  history_log *h)
{
	history_log again = { 0 };

	memset(h, 0, sizeof(*h));
	assert_int_equal(dlg_repo_history(f->repo, path, since, on_change, h),
			 0);
	assert_int_equal(dlg_repo_history(f->repo, path, since, on_change,
					  &again), 0);
	assert_memory_equal(h, &again, sizeof(again));
}

static void test_history__reports_each_version_of_a_file(void **state)
{
	fixture *f = *state;
	history_log h;

	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	commit_file(f, "tasks/bb/two.yaml", "x", "other\n", 1700000001);
	commit_file(f, "tasks/aa/one.yaml", "2", "v2\n", 1700000002);
	/* the second walk reads the events the first one kept */
	history_twice(f, "tasks/aa/one.yaml", 0, &h);
	assert_int_equal(h.calls, 2);
	assert_string_equal(h.seen[0],
			    "2 tasks/aa/one.yaml 1 (file) invalid>invalid");
	assert_string_equal(h.seen[1], "0 tasks/aa/one.yaml 1 (file) >invalid");
	history_twice(f, "tasks/", 1700000001, &h);
	assert_int_equal(h.calls, 2);
}

/* Several files and a folder asked for at once (agenda's query): the
 * commits that changed any of them, each once, and no other. */
static void test_history__several_paths_at_once(void **state)
{
	fixture *f = *state;
	const char *paths[] = { "tasks/cc/three.yaml", "archive/",
				"tasks/aa/one.yaml", "tasks/aa/on" };
	history_log h = { 0 };

	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	commit_file(f, "tasks/bb/two.yaml", "x", "other\n", 1700000001);
	commit_file(f, "tasks/cc/three.yaml", "3", "v1\n", 1700000002);
	commit_file(f, "archive/2026/t.yaml", "a", "v1\n", 1700000003);
	commit_file(f, "tasks/aa/one.yamlx", "y", "v1\n", 1700000004);
	commit_file(f, "tasks/dd/four.yaml", "4", "v1\n", 1700000005);
	assert_int_equal(dlg_repo_history_paths(f->repo, paths, 4, 0,
						on_change, &h), 0);
	assert_int_equal(h.calls, 3);
	assert_string_equal(h.seen[0], "3 archive/2026/t.yaml 1 (file) >invalid");
	assert_string_equal(h.seen[1], "2 tasks/cc/three.yaml 1 (file) >invalid");
	assert_string_equal(h.seen[2], "0 tasks/aa/one.yaml 1 (file) >invalid");
	/* one file alone, with a name others begin with */
	memset(&h, 0, sizeof(h));
	assert_int_equal(dlg_repo_history_paths(f->repo, paths + 2, 1, 0,
						on_change, &h), 0);
	assert_int_equal(h.calls, 1);
	/* "" is every path, whatever else is asked for */
	memset(&h, 0, sizeof(h));
	paths[1] = "";
	assert_int_equal(dlg_repo_history_paths(f->repo, paths + 1, 2, 0,
						on_change, &h), 0);
	assert_int_equal(h.calls, 6);
}

/* Two versions of a file committed and walked (before: what the walk
 * says), the events cache's path in path, the file mapped (size). */
static char *events_cache_made(fixture *f, history_log *before,
			       dlg_buf *path, size_t *size)
{
	char *data;

	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	commit_file(f, "tasks/aa/one.yaml", "2", "v2\n", 1700000002);
	history_twice(f, "tasks/", 0, before);
	dlg_buf_printf(path, "%s/.git/delegit-events", f->dir);
	data = dlg_path_map(path->ptr, size);
	assert_non_null(data);
	return data;
}

static void test_history__events_cache_damaged_or_foreign(void **state)
{
	fixture *f = *state;
	history_log h, before;
	dlg_buf path = DLG_BUF_INIT;
	char *data;
	size_t size;

	data = events_cache_made(f, &before, &path, &size);
	/* cut in the middle of its block: read as empty, written anew */
	assert_int_equal(truncate(path.ptr, (off_t)size - 7), 0);
	history_twice(f, "tasks/", 0, &h);
	assert_memory_equal(&h, &before, sizeof(h));
	/* another version's file: set aside, not read */
	assert_int_equal(dlg_path_write(path.ptr, "delegit events 0 x\nevb\n",
					 23), 0);
	history_twice(f, "tasks/", 0, &h);
	assert_memory_equal(&h, &before, sizeof(h));
	munmap(data, size);
	data = dlg_path_map(path.ptr, &size);
	assert_non_null(data);
	assert_int_equal(strncmp(data, "delegit events 3 ", 17), 0);
	munmap(data, size);
	dlg_buf_dispose(&path);
}

/* Write n bytes at a file's offset, then walk tasks/ twice: the history
 * must be before's. The file's size after. */
static size_t damaged_then_walked(fixture *f, const char *path, size_t at,
				  const void *bytes, size_t n,
				  const history_log *before)
{
	history_log h;
	char *data;
	size_t size;
	int fd = open(path, O_WRONLY);

	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, bytes, n, (off_t)at), (ssize_t)n);
	close(fd);
	history_twice(f, "tasks/", 0, &h);
	assert_memory_equal(&h, before, sizeof(h));
	data = dlg_path_map(path, &size);
	assert_non_null(data);
	munmap(data, size);
	return size;
}

/* The records are read only when asked for (the blocks' indexes are
 * read when the file is opened): a record damaged inside a whole block
 * is read as missing, computed again and put in a new block; an index
 * out of order ends the file there, and it is written anew. */
static void test_history__events_cache_record_damaged(void **state)
{
	fixture *f = *state;
	history_log before;
	dlg_buf path = DLG_BUF_INIT;
	char *data;
	size_t size, again, block, count_at, events_at;
	uint64_t len, off, zero = 0;
	uint32_t n, none = 0, huge = UINT32_MAX;

	data = events_cache_made(f, &before, &path, &size);
	block = (size_t)(strchr(data, '\n') + 1 - data);
	memcpy(&n, data + block + 4, 4);
	memcpy(&len, data + block + 8, 8);
	assert_true(n >= 2);
	/* the first record's count (of events, or of a commit's bytes) */
	count_at = block + 16 + 20 + strlen(data + block + 16 + 20) + 1;
	/* the first is the first commit's bytes; the next, its events */
	assert_int_equal(data[block + 16 + 20], '\0');
	memcpy(&n, data + count_at, 4);
	events_at = count_at + 4 + n;
	events_at += 20 + strlen(data + events_at + 20) + 1;
	memcpy(&n, data + events_at, 4);
	assert_int_equal(n, 1);
	munmap(data, size);
	/* one event fewer than the record holds: its shape no longer fills
	 * it, so it is read as missing (not as no change), and put again */
	again = damaged_then_walked(f, path.ptr, events_at, &none, 4, &before);
	assert_true(again > size);
	/* says more than the block holds: read as missing, put again (the
	 * first block kept) */
	size = again;
	again = damaged_then_walked(f, path.ptr, count_at, &huge, 4, &before);
	assert_true(again > size);
	/* the second record's offset in the index no more than the first's:
	 * the file ends before that block, and is written anew */
	size = damaged_then_walked(f, path.ptr, block + 16 + len + 16 + 8,
				   &zero, 8, &before);
	assert_true(size < again);
	/* the first record's offset past the block's start: written anew
	 * (the block as it is now: the file was written anew) */
	data = dlg_path_map(path.ptr, &size);
	assert_non_null(data);
	memcpy(&n, data + block + 4, 4);
	memcpy(&len, data + block + 8, 8);
	munmap(data, size);
	again = size;
	off = 1;
	size = damaged_then_walked(f, path.ptr, block + 16 + len + 8, &off, 8,
				   &before);
	assert_true(size <= again);
	data = dlg_path_map(path.ptr, &size);
	assert_non_null(data);
	memcpy(&off, data + block + 16 + len + 8, 8);
	assert_int_equal(off, 0);
	memcpy(&n, data + block + 4, 4);
	memcpy(&len, data + block + 8, 8);
	munmap(data, size);
	/* the last record's offset at the records' end (it would have no
	 * bytes, and the next would be read past them): written anew too */
	damaged_then_walked(f, path.ptr, block + 16 + len + 16 * (n - 1) + 8,
			    &len, 8, &before);
	data = dlg_path_map(path.ptr, &size);
	assert_non_null(data);
	assert_int_equal(memcmp(data + block + 16 + len + 16 * (n - 1) + 8,
				&len, 8) != 0, 1);
	munmap(data, size);
	dlg_buf_dispose(&path);
}

/* Where s is in the size bytes at data, or NULL. */
static char *find(char *data, size_t size, const char *s)
{
	size_t len = strlen(s), i;

	for (i = 0; i + len <= size; i++)
		if (!memcmp(data + i, s, len))
			return data + i;
	return NULL;
}

/* Who the walk says made each commit that changed the file. */
typedef struct {
	int calls;
	char seen[24][200];
} who_log;

static int on_who(const dlg_commit_info *c, const char *path,
		  const dlg_event *ev, size_t n, void *payload)
{
	who_log *h = payload;

	(void)path;
	(void)ev;
	(void)n;
	if (h->calls < 24)
		snprintf(h->seen[h->calls], sizeof(h->seen[0]),
			 "%s %s|%s|%ld|%s", c->id, c->author_name,
			 c->author_email, (long)c->when,
			 c->signer ? c->signer : "-");
	h->calls++;
	return 0;
}

/* The same as libgit2 reads the commit (whose id line begins). */
static void libgit2_says(char *out, size_t size, fixture *f, const char *line)
{
	git_commit *c;
	git_oid id;
	const git_signature *a;
	char hex[41];

	snprintf(hex, sizeof(hex), "%s", line);
	assert_int_equal(git_oid_fromstr(&id, hex), 0);
	assert_int_equal(git_commit_lookup(&c, f->repo->git, &id), 0);
	a = git_commit_author(c);
	snprintf(out, size, "%s %s|%s|%ld|-", hex, a->name, a->email,
		 (long)a->when.time);
	git_commit_free(c);
}

/* A commit written by hand on HEAD, changing tasks/aa/one.yaml to text:
 * its header lines after the tree and parent are `lines`. */
static void commit_by_hand(fixture *f, const char *text, const char *lines)
{
	dlg_buf raw = DLG_BUF_INIT, cmd = DLG_BUF_INIT;
	char *tree, *head, *id;

	spit(f->dir, "tasks/aa/one.yaml", text);
	free(sh(f, "git add tasks/aa/one.yaml"));
	tree = sh(f, "git write-tree");
	head = sh(f, "git rev-parse HEAD");
	dlg_buf_printf(&raw, "tree %s\nparent %s\n%s\n\nby hand\n", tree, head,
		       lines);
	spit(f->dir, ".git/raw-commit", raw.ptr);
	id = sh(f, "git hash-object -t commit -w --literally .git/raw-commit");
	assert_int_equal(strlen(id), 40);
	dlg_buf_printf(&cmd, "git update-ref HEAD %s", id);
	free(sh(f, cmd.ptr));
	free(id);
	free(head);
	free(tree);
	dlg_buf_dispose(&cmd);
	dlg_buf_dispose(&raw);
}

#define COMMITTER "\ncommitter Kim Lee <kim@msp.example> 1700000200 +0000"

/* Header lines git writes, and others a hand or another tool may write:
 * the walk reads the plain ones itself, every other one through
 * libgit2, and says what libgit2 says of each. */
static const char *const shapes[] = {
	"author Kim Lee <kim@msp.example> 1700000100 +0000" COMMITTER,
	"author Kim Lee  <kim@msp.example> 1700000101 +0100" COMMITTER,
	"author  Kim <kim@msp.example> 1700000102 +0000" COMMITTER,
	"author Kim < kim@msp.example > 1700000103 +0000" COMMITTER,
	"author Kim <kim@msp.example> 01700000104 -0730" COMMITTER,
	"author Kim <kim@msp.example> 1700000105" COMMITTER,
	"author  <kim@msp.example> 1700000106 +0000" COMMITTER,
	"author Kim <a<b@msp.example> 1700000107 +0000" COMMITTER,
	"author Kim <kim@msp.example>> 1700000108 +0000" COMMITTER,
	"author Kim\tLee <kim@msp.example> 1700000109 +0000" COMMITTER,
	"author Kim <kim@msp.example> 1700000110 +0000 trailing" COMMITTER,
	"author Kim <kim@msp.example> 12345678901234567 +0000" COMMITTER,
	"author Kim <KIM@msp.example> 1700000111 +0000\n"
	"author Sam <sam@msp.example> 1700000112 +0000" COMMITTER,
	"author Kim <kim@msp.example> 1700000113 +0000" COMMITTER
	"\nencoding ISO-8859-1",
	"author Sam <sam@msp.example> 1700000114 +0000" COMMITTER
	"\ngpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n "
	"-----END SSH SIGNATURE-----",
	"author Kim <kim@msp.example> 1700000115 +0000\n"
	"committer Kim <kim@msp.example> 1700000115 +0000 x",
	"author Kim Lee <kim@msp.example> 1700000116 +0000" COMMITTER,
};

static void assert_as_libgit2_says(fixture *f, const who_log *h, int calls)
{
	char want[200];
	int i;

	assert_int_equal(h->calls, calls);
	for (i = 0; i < calls; i++) {
		libgit2_says(want, sizeof(want), f, h->seen[i]);
		assert_string_equal(h->seen[i], want);
	}
}

static void test_history__authors_as_libgit2_reads_them(void **state)
{
	fixture *f = *state;
	who_log h, again;
	dlg_buf path = DLG_BUF_INIT;
	char *data;
	size_t i, size, n = sizeof(shapes) / sizeof(*shapes);

	commit_file(f, "tasks/aa/one.yaml", "0", "first", 1700000000);
	for (i = 0; i < n; i++) {
		char text[16];

		snprintf(text, sizeof(text), "v%zu\n", i + 1);
		commit_by_hand(f, text, shapes[i]);
	}
	memset(&h, 0, sizeof(h));
	assert_int_equal(dlg_repo_history(f->repo, "tasks/", 0, on_who, &h),
			 0);
	assert_as_libgit2_says(f, &h, (int)n + 1);
	/* again, from the cache's bytes */
	memset(&again, 0, sizeof(again));
	assert_int_equal(dlg_repo_history(f->repo, "tasks/", 0, on_who,
					  &again), 0);
	assert_memory_equal(&h, &again, sizeof(h));
	/* the plain commits' bytes are kept, the others' not */
	dlg_buf_printf(&path, "%s/.git/delegit-events", f->dir);
	data = slurp(path.ptr, &size);
	assert_non_null(find(data, size, "> 1700000100 +0000"));
	assert_non_null(find(data, size, "> 1700000116 +0000"));
	assert_null(find(data, size, "> 1700000101 +0100"));
	assert_null(find(data, size, "> 1700000114 +0000"));
	free(data);
	dlg_buf_dispose(&path);
}

/* The events cache's bytes of a commit, changed by hand (another author,
 * the same length), are not what the walk reports: they no longer hash to
 * the commit's id. And the commit's own bytes are put back. */
static void test_history__commit_bytes_changed_in_the_cache_change_nobody(
	void **state)
{
	fixture *f = *state;
	who_log before, h;
	dlg_buf path = DLG_BUF_INIT;
	char *data, *p;
	size_t size, again;
	int changed = 0;

	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	commit_file(f, "tasks/aa/one.yaml", "2", "v2\n", 1700000002);
	memset(&before, 0, sizeof(before));
	assert_int_equal(dlg_repo_history(f->repo, "tasks/", 0, on_who,
					  &before), 0);
	assert_int_equal(before.calls, 2);
	assert_non_null(strstr(before.seen[0], "|kim@msp.example|"));
	dlg_buf_printf(&path, "%s/.git/delegit-events", f->dir);
	data = slurp(path.ptr, &size);
	for (p = data; (p = find(p, size - (size_t)(p - data),
				 "<kim@msp.example>")); p++) {
		memcpy(p, "<sam@msp.example>", 17);
		changed++;
	}
	assert_int_equal(changed, 4); /* author and committer, two commits */
	assert_int_equal(dlg_path_write(path.ptr, data, size), 0);
	free(data);
	memset(&h, 0, sizeof(h));
	assert_int_equal(dlg_repo_history(f->repo, "tasks/", 0, on_who, &h),
			 0);
	assert_memory_equal(&h, &before, sizeof(h));
	/* read again from the commits and kept: the later bytes stand, and
	 * the next walk has nothing to add */
	free(slurp(path.ptr, &size));
	memset(&h, 0, sizeof(h));
	assert_int_equal(dlg_repo_history(f->repo, "tasks/", 0, on_who, &h),
			 0);
	assert_memory_equal(&h, &before, sizeof(h));
	free(slurp(path.ptr, &again));
	assert_int_equal(again, size);
	dlg_buf_dispose(&path);
}

/* A plain commit's author comes from the kept bytes: with the commit
 * object gone, the walk still says who made it (its events are kept
 * too, so nothing else reads it). */
static void test_history__commit_bytes_served_from_the_cache(void **state)
{
	fixture *f = *state;
	who_log before, h;
	dlg_buf cmd = DLG_BUF_INIT;
	char *id;

	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	commit_file(f, "tasks/aa/one.yaml", "2", "v2\n", 1700000002);
	memset(&before, 0, sizeof(before));
	assert_int_equal(dlg_repo_history(f->repo, "tasks/", 0, on_who,
					  &before), 0);
	/* (HEAD itself is read for its team) */
	id = sh(f, "git rev-parse HEAD~1");
	dlg_buf_printf(&cmd, "rm .git/objects/%.2s/%s", id, id + 2);
	free(sh(f, cmd.ptr));
	dlg_repo_free(f->repo);
	assert_int_equal(dlg_repo_open(&f->repo, f->dir), 0);
	memset(&h, 0, sizeof(h));
	assert_int_equal(dlg_repo_history(f->repo, "tasks/", 0, on_who, &h),
			 0);
	assert_memory_equal(&h, &before, sizeof(h));
	dlg_buf_dispose(&cmd);
	free(id);
}

/* Thousands of records, put, read back, saved and read again from the
 * file: the table grows as they come, every one is found, and a key
 * never put is not. */
static void test_history__events_cache_many_records(void **state)
{
	fixture *f = *state;
	dlg_evcache *c;
	dlg_events one = DLG_EVENTS_INIT;
	dlg_event_views got = { 0 };
	dlg_event e;
	git_oid id;
	char path[64];
	int round, i;

	memset(&e, 0, sizeof(e));
	snprintf(e.task, sizeof(e.task), "%s",
		 "0a0b0c0d-0000-4000-8000-000000000000");
	e.field = (char *)"status";
	e.from = (char *)"open";
	e.to = (char *)"done";
	dlg_events_add(&one, &e, "", NULL, 0, NULL);
	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	for (round = 0; round < 2; round++) {
		dlg_sync__evcache_open(&c, f->repo);
		for (i = 0; i < 5000; i++) {
			memset(&id, 0, sizeof(id));
			memcpy(id.id, &i, sizeof(i));
			snprintf(path, sizeof(path), "tasks/%02x/%d.yaml",
				 i & 255, i);
			if (!round)
				dlg_sync__evcache_put(c, &id, path, &one);
			assert_int_equal(dlg_sync__evcache_get(c, &id, path,
							       &got), 1);
			assert_int_equal(got.count, 1);
			assert_string_equal(got.items[0].to, "done");
		}
		i = 5000;
		memcpy(id.id, &i, sizeof(i));
		assert_int_equal(dlg_sync__evcache_get(c, &id, "tasks/x.yaml",
						       NULL), 0);
		dlg_sync__evcache_save(c);
		dlg_sync__evcache_free(c);
	}
	free(got.items);
	dlg_events_dispose(&one);
}

/* ------------------------------------------------------- the walk cache */

#define TASK_PATH "tasks/0b/0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70.yaml"

/* A task at status and priority, committed at when. */
static void commit_task(fixture *f, const char *status, const char *priority,
			time_t when)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "format: 1\nid: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\n"
		 "title: Backups\nstatus: %s\npriority: %s\n"
		 "delegator: dana\ncreated: 2026-11-25T09:12:00Z\n"
		 "updated: 2026-11-25T09:12:00Z\nupdated_by: dana\n",
		 status, priority);
	commit_file(f, TASK_PATH, text, "m", when);
}

/* Everything a walk hands its callback, a line a call. */
static int on_all(const dlg_commit_info *c, const char *path,
		  const dlg_event *ev, size_t n, void *payload)
{
	dlg_buf *b = payload;
	size_t i;

	dlg_buf_printf(b, "%s %s <%s> %ld %s %s %s:", c->id, c->author_name,
		       c->author_email, (long)c->when,
		       c->signer ? c->signer : "-", c->key ? c->key : "-",
		       path);
	for (i = 0; i < n; i++)
		dlg_buf_printf(b, " [%s %s %s %s>%s]", ev[i].task,
			       ev[i].title ? ev[i].title : "~", ev[i].field,
			       ev[i].from ? ev[i].from : "~",
			       ev[i].to ? ev[i].to : "~");
	dlg_buf_puts(b, "\n");
	return 0;
}

static int stop_at_first(const dlg_commit_info *c, const char *path,
			 const dlg_event *ev, size_t n, void *payload)
{
	on_all(c, path, ev, n, payload);
	return 1;
}

/* The reports' question: every change of field under tasks/ and
 * archive/, into out (replacing what it held). */
static void walked(dlg_buf *out, dlg_repo *r, const char *field,
		   dlg_history_cb cb)
{
	const char *paths[] = { "tasks/", "archive/" };

	dlg_buf_clear(out);
	assert_int_equal(dlg_repo_history_field(r, paths, 2, 0, field,
						cb ? cb : on_all, out), 0);
}

static size_t lines(const dlg_buf *b)
{
	size_t n = 0, i;

	for (i = 0; i < b->size; i++)
		n += b->ptr[i] == '\n';
	return n;
}

/* How many walk files the repository at dir has; the path of the last
 * one seen into path (when not NULL). */
static int walk_files(const char *dir, dlg_buf *path)
{
	char *out;
	dlg_buf cmd = DLG_BUF_INIT;
	int n;

	dlg_buf_printf(&cmd, "ls '%s/.git' | grep -c '^delegit-walk-' || :",
		       dir);
	out = command_output(cmd.ptr);
	n = atoi(out);
	free(out);
	if (path && n) {
		dlg_buf_clear(&cmd);
		dlg_buf_printf(&cmd, "ls '%s/.git' | grep '^delegit-walk-'",
			       dir);
		out = command_output(cmd.ptr);
		dlg_buf_clear(path);
		dlg_buf_printf(path, "%s/.git/%s", dir, out);
		free(out);
	}
	dlg_buf_dispose(&cmd);
	return n;
}

/* One field's changes and the files' coming and going, and no file
 * changed otherwise; kept at HEAD, replayed the same, and never what
 * another HEAD's walk said: a commit on top, a reset with plain git. */
static void test_history__walk_cache_one_field_at_each_head(void **state)
{
	fixture *f = *state;
	dlg_buf first = DLG_BUF_INIT, again = DLG_BUF_INIT,
		every = DLG_BUF_INIT;

	commit_task(f, "open", "normal", 1700000000);
	commit_task(f, "open", "high", 1700000001);
	commit_task(f, "done", "high", 1700000002);
	commit_file(f, "tasks/aa/one.yaml", "1", "not a task\n", 1700000003);
	assert_int_equal(walk_files(f->dir, NULL), 0);
	walked(&first, f->repo, "status", NULL);
	assert_int_equal(lines(&first), 2);
	assert_non_null(strstr(first.ptr, " 1700000002 - - " TASK_PATH
					  ": [0b9c5e5e-7f0c-4d0a-9a1e-"
					  "2c3f4d5e6f70 Backups status "
					  "open>done]\n"));
	assert_non_null(strstr(first.ptr, " id ~>0b9c5e5e-"));
	assert_non_null(strstr(first.ptr, " status ~>open]\n"));
	assert_null(strstr(first.ptr, "priority"));
	assert_non_null(strstr(first.ptr, " Kim Lee <kim@msp.example> "));
	assert_int_equal(walk_files(f->dir, NULL), 1);
	walked(&again, f->repo, "status", NULL);
	assert_string_equal(again.ptr, first.ptr);
	/* every field: another question, not kept */
	walked(&every, f->repo, NULL, NULL);
	assert_int_equal(lines(&every), 4);
	assert_non_null(strstr(every.ptr, "priority normal>high"));
	assert_int_equal(walk_files(f->dir, NULL), 1);
	/* a commit on top: its change too */
	commit_task(f, "cancelled", "high", 1700000004);
	walked(&again, f->repo, "status", NULL);
	assert_int_equal(lines(&again), 3);
	assert_non_null(strstr(again.ptr, "status done>cancelled]\n"));
	assert_string_equal(strchr(again.ptr, '\n') + 1, first.ptr);
	walked(&every, f->repo, "status", NULL);
	assert_string_equal(every.ptr, again.ptr);
	/* HEAD set back by plain git: the file kept for the later HEAD is
	 * not read */
	free(sh(f, "git reset -q --hard HEAD~1"));
	walked(&again, f->repo, "status", NULL);
	assert_string_equal(again.ptr, first.ptr);
	assert_int_equal(walk_files(f->dir, NULL), 1);
	dlg_buf_dispose(&first);
	dlg_buf_dispose(&again);
	dlg_buf_dispose(&every);
}

/* A file's bytes, in memory of its own (a map would show them rewritten
 * in place). */
static char *file_copy(const char *path, size_t *size)
{
	dlg_buf b = DLG_BUF_INIT;

	assert_int_equal(dlg_path_read(&b, path), 0);
	*size = b.size;
	return dlg_buf_detach(&b);
}

/* The repository's walk secret (.git/delegit-secret, 32 bytes). */
static unsigned char *secret_of(const char *dir)
{
	dlg_buf path = DLG_BUF_INIT;
	size_t size;
	char *data;

	dlg_buf_printf(&path, "%s/.git/delegit-secret", dir);
	data = file_copy(path.ptr, &size);
	assert_int_equal(size, 32);
	dlg_buf_dispose(&path);
	return (unsigned char *)data;
}

/* The file damaged in its frame or its body, another program's, cut or
 * longer: the walk answers the same, and writes the file anew, as it
 * was. */
static void test_history__walk_cache_damaged(void **state)
{
	fixture *f = *state;
	dlg_buf first = DLG_BUF_INIT, again = DLG_BUF_INIT, path = DLG_BUF_INIT;
	size_t size, magic = strlen("delegit walk 4 " DELEGIT_VERSION "\n");
	char *data, *copy;
	int step;

	commit_task(f, "open", "normal", 1700000000);
	commit_task(f, "done", "high", 1700000002);
	walked(&first, f->repo, "status", NULL);
	assert_int_equal(walk_files(f->dir, &path), 1);
	data = file_copy(path.ptr, &size);
	copy = malloc(size + 1);
	for (step = 0; step < 7; step++) {
		size_t len = size;
		char *now;
		size_t now_size;

		memcpy(copy, data, size);
		switch (step) {
		case 0: /* a value, the body's shape unchanged */
			find(copy, size, "open\0")[0] = 'O';
			break;
		case 1: /* the program's identity */
			copy[magic] ^= 1;
			break;
		case 2: /* the key */
			copy[magic + 24] ^= 1;
			break;
		case 3: /* the body's length */
			copy[magic + 44] ^= 1;
			break;
		case 4: /* cut */
			len = size - 1;
			break;
		case 5: /* longer */
			copy[size] = 'C';
			len = size + 1;
			break;
		default: /* another version's */
			copy[13] = '0';
			break;
		}
		assert_int_equal(dlg_path_write(path.ptr, copy, len), 0);
		walked(&again, f->repo, "status", NULL);
		assert_string_equal(again.ptr, first.ptr);
		now = dlg_path_map(path.ptr, &now_size);
		assert_non_null(now);
		assert_int_equal(now_size, size);
		assert_memory_equal(now, data, size);
		munmap(now, now_size);
	}
	free(copy);
	free(data);
	dlg_buf_dispose(&first);
	dlg_buf_dispose(&again);
	dlg_buf_dispose(&path);
}

/* How forge_walk frames the file again. */
enum { AS_IS, OTHER_PROGRAM, OTHER_KEY, CUT_SHORT };

/*
 * The kept walk of the repository at dir rewritten, as only a holder of
 * the secret could (the secret of the repository at signer): its first
 * "open" made "Open", so that a walk that replays it says so, and framed
 * again as it was, or for another program, or another key, or its last
 * record cut short. The new bytes into out too (NULL: not wanted).
 */
static void forge_walk(const char *dir, const char *signer, int how,
		       dlg_buf *out)
{
	dlg_buf path = DLG_BUF_INIT, forged = DLG_BUF_INIT;
	size_t size, magic = strlen("delegit walk 4 " DELEGIT_VERSION "\n"),
		     len;
	unsigned char *secret = secret_of(signer);
	int64_t program[3];
	char *data;
	git_oid key;

	assert_int_equal(walk_files(dir, &path), 1);
	data = file_copy(path.ptr, &size);
	len = size - magic - 84;
	find(data + magic + 84, len, "open\0")[0] = 'O';
	memcpy(program, data + magic, sizeof(program));
	memcpy(key.id, data + magic + 24, GIT_OID_RAWSZ);
	if (how == OTHER_PROGRAM)
		program[1] ^= 1;
	else if (how == OTHER_KEY)
		key.id[0] ^= 1;
	else if (how == CUT_SHORT)
		len -= 3;
	assert_int_equal(dlg_sync__walkcache_frame(&forged, program, &key,
						   secret, data + magic + 84,
						   len),
			 0);
	assert_int_equal(forged.size, magic + 84 + len);
	assert_int_equal(dlg_path_write(path.ptr, forged.ptr, forged.size),
			 0);
	if (out) {
		dlg_buf_clear(out);
		dlg_buf_put(out, forged.ptr, forged.size);
	}
	free(data);
	free(secret);
	dlg_buf_dispose(&path);
	dlg_buf_dispose(&forged);
}

static void forge_kept(fixture *f)
{
	forge_walk(f->dir, f->dir, AS_IS, NULL);
}

/* A file framed right (its MAC too, by this clone's secret) but that
 * another program wrote, or for another key, or whose last record is cut
 * short: not read (not a call made before the cut is found). What it says
 * differs. */
static void test_history__walk_cache_framed_for_another(void **state)
{
	fixture *f = *state;
	dlg_buf first = DLG_BUF_INIT, again = DLG_BUF_INIT;
	int how;

	commit_task(f, "open", "normal", 1700000000);
	commit_task(f, "done", "high", 1700000002);
	walked(&first, f->repo, "status", NULL);
	for (how = AS_IS; how <= CUT_SHORT; how++) {
		forge_walk(f->dir, f->dir, how, NULL);
		walked(&again, f->repo, "status", NULL);
		if (how == AS_IS) /* the same program and key: what it says */
			assert_non_null(strstr(again.ptr, "Open>done"));
		else
			assert_string_equal(again.ptr, first.ptr);
	}
	dlg_buf_dispose(&first);
	dlg_buf_dispose(&again);
}

/* A walk file made in another clone of the same history (handed over to
 * save the first report's wait), even framed right by that clone's
 * secret: not read, as that secret is not this one's. */
static void test_history__walk_cache_of_another_clone(void **state)
{
	fixture *f = *state;
	dlg_buf mine = DLG_BUF_INIT, out = DLG_BUF_INIT, dir = DLG_BUF_INIT,
		cmd = DLG_BUF_INIT, forged = DLG_BUF_INIT;
	dlg_repo *other;

	commit_task(f, "open", "normal", 1700000000);
	commit_task(f, "done", "high", 1700000002);
	dlg_buf_printf(&dir, "%s/other", f->dir);
	dlg_buf_printf(&cmd, "git clone -q file://%s %s", f->dir, dir.ptr);
	free(sh(f, cmd.ptr));
	assert_int_equal(dlg_repo_open(&other, dir.ptr), 0);
	walked(&out, other, "status", NULL);
	/* the other clone's file, its body changed and framed again */
	forge_walk(dir.ptr, dir.ptr, AS_IS, &forged);
	walked(&out, other, "status", NULL); /* there, it is read */
	assert_non_null(strstr(out.ptr, "Open>done"));
	walked(&mine, f->repo, "status", NULL);
	assert_non_null(strstr(mine.ptr, "open>done"));
	assert_int_equal(walk_files(f->dir, &out), 1);
	assert_int_equal(dlg_path_write(out.ptr, forged.ptr, forged.size), 0);
	walked(&out, f->repo, "status", NULL);
	assert_string_equal(out.ptr, mine.ptr);
	dlg_repo_free(other);
	dlg_buf_dispose(&mine);
	dlg_buf_dispose(&out);
	dlg_buf_dispose(&dir);
	dlg_buf_dispose(&cmd);
	dlg_buf_dispose(&forged);
}

/* The secret cut short (a crash between its creation and its write) is
 * made anew when a walk is kept; one that is not the user's is neither
 * used nor replaced. */
static void test_history__walk_cache_secret_cut_or_not_mine(void **state)
{
	fixture *f = *state;
	dlg_buf first = DLG_BUF_INIT, again = DLG_BUF_INIT,
		secret = DLG_BUF_INIT, walk = DLG_BUF_INIT;
	unsigned char *before, *after;
	struct stat st;

	commit_task(f, "open", "normal", 1700000000);
	commit_task(f, "done", "high", 1700000002);
	walked(&first, f->repo, "status", NULL);
	dlg_buf_printf(&secret, "%s/.git/delegit-secret", f->dir);
	before = secret_of(f->dir);
	assert_int_equal(stat(secret.ptr, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(truncate(secret.ptr, 0), 0);
	walked(&again, f->repo, "status", NULL);
	assert_string_equal(again.ptr, first.ptr);
	after = secret_of(f->dir);
	assert_memory_not_equal(before, after, 32);
	assert_int_equal(walk_files(f->dir, &walk), 1);
	walked(&again, f->repo, "status", NULL);
	assert_string_equal(again.ptr, first.ptr);
	if (geteuid() == 0) { /* (only root can give a file away) */
		assert_int_equal(chown(secret.ptr, 1, 1), 0);
		assert_int_equal(unlink(walk.ptr), 0);
		walked(&again, f->repo, "status", NULL);
		assert_string_equal(again.ptr, first.ptr);
		assert_int_equal(walk_files(f->dir, NULL), 0);
		assert_int_equal(stat(secret.ptr, &st), 0);
		assert_int_equal(st.st_uid, 1);
		free(before);
		before = secret_of(f->dir);
		assert_memory_equal(before, after, 32);
	}
	free(before);
	free(after);
	dlg_buf_dispose(&first);
	dlg_buf_dispose(&again);
	dlg_buf_dispose(&secret);
	dlg_buf_dispose(&walk);
}

/* What a whole walk says now (the kept walk set aside first). */
static void walked_afresh(dlg_buf *out, fixture *f)
{
	dlg_buf path = DLG_BUF_INIT;

	if (walk_files(f->dir, &path))
		assert_int_equal(unlink(path.ptr), 0);
	walked(out, f->repo, "status", NULL);
	dlg_buf_dispose(&path);
}

/* A walk kept at an earlier HEAD is extended by the commits HEAD gained:
 * the kept calls replayed after the new commits', as a whole walk makes
 * them. Not when the walk's list does not end with the kept one (an
 * amended commit, a reset back), nor when the rules that judge signatures
 * changed (team/ or .delegit/, or team/ made another kind of entry), whose
 * commits are then judged again. */
static void test_history__walk_cache_extended_by_new_commits(void **state)
{
	fixture *f = *state;
	dlg_buf out = DLG_BUF_INIT, fresh = DLG_BUF_INIT;
	char *at;

	commit_task(f, "open", "normal", 1700000000);
	commit_task(f, "done", "high", 1700000002);
	walked(&out, f->repo, "status", NULL);
	forge_kept(f);
	walked(&out, f->repo, "status", NULL);
	assert_non_null(strstr(out.ptr, "Open>done"));
	/* two commits on top (one of another field, not reported) */
	commit_task(f, "done", "low", 1700000003);
	commit_task(f, "cancelled", "low", 1700000004);
	walked(&out, f->repo, "status", NULL);
	assert_int_equal(lines(&out), 3);
	assert_non_null(at = strstr(out.ptr, "Open>done"));
	walked_afresh(&fresh, f);
	at[0] = 'o';
	assert_string_equal(out.ptr, fresh.ptr);
	assert_non_null(strstr(fresh.ptr, "done>cancelled]\n"));
	/* the last commit amended: another list, walked whole */
	forge_kept(f);
	free(sh(f, "git commit -q --amend -m amended"));
	walked(&out, f->repo, "status", NULL);
	assert_null(strstr(out.ptr, "Open"));
	assert_int_equal(lines(&out), 3);
	/* a reset back: fewer commits than kept */
	forge_kept(f);
	free(sh(f, "git reset -q --hard HEAD~1"));
	walked(&out, f->repo, "status", NULL);
	assert_null(strstr(out.ptr, "Open"));
	assert_int_equal(lines(&out), 2);
	/* the team changed, then a change: judged again, whole */
	forge_kept(f);
	commit_file(f, "team/kim.yaml", "handle: kim\n", "team", 1700000005);
	commit_task(f, "cancelled", "low", 1700000006);
	walked(&out, f->repo, "status", NULL);
	assert_null(strstr(out.ptr, "Open"));
	assert_int_equal(lines(&out), 3);
	/* and the same with .delegit/ */
	forge_kept(f);
	commit_file(f, ".delegit/policy.yaml", "format: 1\n", "policy",
		    1700000007);
	commit_task(f, "open", "low", 1700000008);
	walked(&out, f->repo, "status", NULL);
	assert_null(strstr(out.ptr, "Open"));
	assert_int_equal(lines(&out), 4);
	/* team/ made a link to a submodule of the same id: no team there */
	forge_kept(f);
	free(sh(f, "id=$(git rev-parse HEAD:team) && "
		   "git rm -r -q --cached team && "
		   "git update-index --add --cacheinfo 160000,$id,team && "
		   "git commit -q -m link"));
	commit_task(f, "done", "low", 1700000009);
	walked(&out, f->repo, "status", NULL);
	assert_null(strstr(out.ptr, "Open"));
	assert_int_equal(lines(&out), 5);
	dlg_buf_dispose(&out);
	dlg_buf_dispose(&fresh);
}

/* A walk its callback stopped is not kept (a replay would end there);
 * nor one of a shallow clone, whose history grows under the same HEAD
 * (libgit2 1.5 cannot walk one at all: an error that says so). */
static void test_history__walk_cache_only_whole_walks(void **state)
{
	fixture *f = *state;
	dlg_buf out = DLG_BUF_INIT, dir = DLG_BUF_INIT, cmd = DLG_BUF_INIT;
	const char *paths[] = { "tasks/", "archive/" };
	dlg_repo *shallow;

	commit_task(f, "open", "normal", 1700000000);
	commit_task(f, "done", "high", 1700000002);
	walked(&out, f->repo, "status", stop_at_first);
	assert_int_equal(lines(&out), 1);
	assert_int_equal(walk_files(f->dir, NULL), 0);
	walked(&out, f->repo, "status", NULL);
	assert_int_equal(lines(&out), 2);
	assert_int_equal(walk_files(f->dir, NULL), 1);
	/* a replay stops where it is told to, as the walk does */
	walked(&out, f->repo, "status", stop_at_first);
	assert_int_equal(lines(&out), 1);
	assert_non_null(strstr(out.ptr, "open>done"));
	dlg_buf_printf(&dir, "%s/shallow", f->dir);
	dlg_buf_printf(&cmd, "git clone -q --depth 1 file://%s %s", f->dir,
		       dir.ptr);
	free(sh(f, cmd.ptr));
	assert_int_equal(dlg_repo_open(&shallow, dir.ptr), 0);
	/* libgit2 1.5 cannot walk it (a parent missing): said so, and
	 * nothing kept */
	assert_int_equal(dlg_repo_history_field(shallow, paths, 2, 0,
						"status", on_all, &out), -1);
	assert_non_null(strstr(dlg_error_last(), "cannot walk history: "));
	assert_int_equal(walk_files(dir.ptr, NULL), 0);
	dlg_repo_free(shallow);
	dlg_buf_dispose(&out);
	dlg_buf_dispose(&dir);
	dlg_buf_dispose(&cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history__several_paths_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__events_cache_damaged_or_foreign,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__events_cache_record_damaged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__events_cache_many_records,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__reports_each_version_of_a_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__authors_as_libgit2_reads_them,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__commit_bytes_changed_in_the_cache_change_nobody,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__commit_bytes_served_from_the_cache,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__walk_cache_one_field_at_each_head,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__walk_cache_damaged,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__walk_cache_framed_for_another,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__walk_cache_of_another_clone,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__walk_cache_secret_cut_or_not_mine,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__walk_cache_extended_by_new_commits,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__walk_cache_only_whole_walks,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
