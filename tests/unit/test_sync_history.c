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
			 "%s %s %zu %s %s>%s", c->summary, path, n,
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
			    "v2 tasks/aa/one.yaml 1 (file) invalid>invalid");
	assert_string_equal(h.seen[1], "v1 tasks/aa/one.yaml 1 (file) >invalid");
	history_twice(f, "tasks/", 1700000001, &h);
	assert_int_equal(h.calls, 2);
}

static void test_history__events_cache_damaged_or_foreign(void **state)
{
	fixture *f = *state;
	history_log h, before;
	dlg_buf path = DLG_BUF_INIT;
	char *data;
	size_t size;

	commit_file(f, "tasks/aa/one.yaml", "1", "v1\n", 1700000000);
	commit_file(f, "tasks/aa/one.yaml", "2", "v2\n", 1700000002);
	history_twice(f, "tasks/", 0, &before);
	dlg_buf_printf(&path, "%s/.git/delegit-events", f->dir);
	data = dlg_path_map(path.ptr, &size);
	assert_non_null(data);
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
	assert_int_equal(strncmp(data, "delegit events 1 ", 17), 0);
	munmap(data, size);
	dlg_buf_dispose(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history__events_cache_damaged_or_foreign,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_history__reports_each_version_of_a_file,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
