/* sync/: the merge git runs as a driver (sync/merge.c), on real
 * repositories, checked with the real git CLI. */
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

/* A task of three quality standards, with stamps, in canonical form. */
static char *quality_task(const char *q1, const char *q3, const char *at,
			  const char *by)
{
	dlg_buf b = DLG_BUF_INIT;

	dlg_buf_printf(&b,
		       "format: 1\nid: 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70\n"
		       "title: Backups\nstatus: open\npriority: normal\n"
		       "delegator: dana\ncreated: 2026-11-25T09:12:00Z\n"
		       "updated: %s\nupdated_by: %s\nexpectations:\n"
		       "  quality:\n  - %s\n  - Alerts reach the phone.\n"
		       "  - %s\n", at, by, q1, q3);
	return dlg_buf_detach(&b);
}

/* Ordered lists (expectations.quality) merge by lines: edits of
 * different lines on the two sides are both kept, whichever side merges. */
static void test_merge__quality_edits_on_both_sides_are_both_kept(void **state)
{
	char *base = quality_task("Monitored.", "Tested monthly.",
				  "2026-11-25T09:12:00Z", "dana");
	char *a = quality_task("Monitored by Nagios.", "Tested monthly.",
			       "2026-11-26T09:00:00Z", "dana");
	char *b = quality_task("Monitored.", "Tested every week.",
			       "2026-11-26T10:00:00Z", "kim");
	dlg_buf ab = DLG_BUF_INIT, ba = DLG_BUF_INIT;
	dlg_diags d = DLG_DIAGS_INIT;
	const char *path = "tasks/0b/0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70.yaml";
	size_t n1 = 9, n2 = 9;

	(void)state;
	assert_int_equal(dlg_merge_texts(&ab, &n1, base, strlen(base), a,
					 strlen(a), b, strlen(b), path, &d), 0);
	assert_int_equal(dlg_merge_texts(&ba, &n2, base, strlen(base), b,
					 strlen(b), a, strlen(a), path, &d), 0);
	assert_string_equal(ab.ptr, ba.ptr);
	assert_int_equal(n1, 0);
	assert_int_equal(n2, 0);
	assert_non_null(strstr(ab.ptr, "  - Monitored by Nagios.\n"
				       "  - Alerts reach the phone.\n"
				       "  - Tested every week.\n"));
	dlg_buf_dispose(&ab);
	dlg_buf_dispose(&ba);
	dlg_diags_dispose(&d);
	free(base);
	free(a);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge__quality_edits_on_both_sides_are_both_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
