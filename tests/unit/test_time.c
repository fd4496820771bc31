/* core/: times and dates (core/time.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "core_helpers.h"

static void test_time__dates_and_times_parse_and_format(void **state)
{
	time_t t;
	char buf[21], day[11];

	(void)state;
	assert_true(dlg_date_valid("2028-02-29"));
	assert_false(dlg_date_valid("2026-02-29"));
	/* the whole Gregorian rule: every 4th year, not every 100th, but
	 * every 400th */
	assert_false(dlg_date_valid("2100-02-29"));
	assert_false(dlg_date_valid("1900-02-29"));
	assert_true(dlg_date_valid("2000-02-29"));
	assert_true(dlg_date_valid("2400-02-29"));
	assert_true(dlg_date_valid("2100-02-28"));
	assert_false(dlg_date_valid("2026-04-31"));
	assert_true(dlg_date_valid("2026-12-31"));
	assert_false(dlg_date_valid("2026-13-01"));
	assert_false(dlg_date_valid("2026-00-10"));
	assert_false(dlg_date_valid("2026-01-00"));
	assert_false(dlg_time_valid("2100-02-29T10:00:00Z"));
	assert_false(dlg_date_valid("2026-1-5"));
	assert_true(dlg_time_valid("2026-11-25T09:12:00Z"));
	assert_false(dlg_time_valid("2026-11-25T24:00:00Z"));
	assert_int_equal(dlg_time_parse(&t, "2026-11-25T09:12:00Z"), 0);
	dlg_time_format(buf, t);
	assert_string_equal(buf, "2026-11-25T09:12:00Z");
	dlg_date_format(day, t);
	assert_string_equal(day, "2026-11-25");
	setenv("DELEGIT_NOW", "2030-01-02T03:04:05Z", 1);
	dlg_time_format(buf, dlg_now());
	assert_string_equal(buf, "2030-01-02T03:04:05Z");
	unsetenv("DELEGIT_NOW");
}

/* Times as files hold them (YYYY-MM-DDTHH:MM:SSZ) and as YAML allows
 * them (blanks for T, one-digit hours, zero fractions, offsets, no zone:
 * UTC): the same instant, or refused. */
static void test_time__strict_and_yaml_forms(void **state)
{
	static const struct {
		const char *text;
		long delta; /* from 2026-11-25T10:00:00Z; 1: refused */
	} yaml[] = {
		{ "2026-11-25T10:00:00Z", 0 },
		{ "2026-11-25t10:00:00Z", 0 },
		{ "2026-11-25 10:00:00Z", 0 },
		{ "2026-11-25 \t 10:00:00 Z", 0 },
		{ "2026-11-25 10:00:00", 0 },
		{ "2026-11-25T9:00:00Z", -3600 },
		{ "2026-11-25T10:00:00.000Z", 0 },
		{ "2026-11-25T10:00:00.5Z", 1 },
		{ "2026-11-25T12:00:00+02:00", 0 },
		{ "2026-11-25T08:30:00-01:30", 0 },
		{ "2026-11-25T12:00:00+2", 0 },
		{ "2026-11-25T12:00:00+02:0", 1 },
		{ "2026-11-25T12:00:00+24:00", 1 },
		{ "2026-11-25T12:00:00+02:60", 1 },
		{ "2026-11-25T12:00:00+x", 1 },
		{ "2026-11-25T::00:00Z", 1 },
		{ "2026-11-25T;:00:00Z", 1 },
		{ "2026-11-25T10:00:00Q", 1 },
		{ "2026-11-25T10:00:00Z junk", 1 },
		{ "2026-11-25X10:00:00Z", 1 },
		{ "2026-11-25T10:0a:00Z", 1 },
		{ "2026-11-25T10:00:6Z", 1 },
		{ "2026-11-25T24:00:00Z", 1 },
		{ "2026-11-25T10:60:00Z", 1 },
		{ "2026-11-25T10:00:61Z", 1 },
		{ "2026-11-25", 1 },
	};
	time_t base, t;
	size_t i;

	(void)state;
	assert_int_equal(dlg_time_parse(&base, "2026-11-25T10:00:00Z"), 0);
	for (i = 0; i < sizeof(yaml) / sizeof(yaml[0]); i++) {
		int error = dlg_time_parse_yaml(&t, yaml[i].text);

		if (yaml[i].delta == 1 ? error == 0
				       : error != 0 || t != base + yaml[i].delta) {
			print_error("'%s': got %d (%ld)\n", yaml[i].text, error,
				    error ? 0L : (long)(t - base));
			fail();
		}
	}
	/* the strict form: letters where digits go, a leap second */
	assert_true(dlg_time_valid("2016-12-31T23:59:60Z"));
	assert_false(dlg_time_valid("2016-12-31T23:59:61Z"));
	assert_false(dlg_time_valid("2026-11-25T09:1a:00Z"));
	assert_false(dlg_time_valid("2026-11-25T09:10:0aZ"));
	assert_false(dlg_time_valid("2026-11-25T0a:10:00Z"));
	assert_false(dlg_time_valid("2026-11-25 09:10:00Z"));
	assert_false(dlg_time_valid("2026-11-25T09-10:00Z"));
	assert_false(dlg_time_valid("2026-11-25T09:10-00Z"));
	assert_false(dlg_time_valid("2026-11-25T09:10:00+"));
	assert_false(dlg_date_valid("2a26-11-25"));
	assert_false(dlg_date_valid("2026-1a-25"));
	assert_false(dlg_date_valid("2026-11-2a"));
	assert_false(dlg_date_valid("2026/11/25"));
	assert_false(dlg_date_valid("1969-12-31"));
	assert_true(dlg_date_valid("1970-01-01"));
	assert_true(dlg_date_valid("9999-12-31"));
	assert_int_equal(dlg_time_parse(&t, "2016-12-31T23:59:60Z"), 0);
	assert_int_equal(dlg_time_parse(&base, "2017-01-01T00:00:00Z"), 0);
	assert_int_equal(t, base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time__dates_and_times_parse_and_format),
		cmocka_unit_test(test_time__strict_and_yaml_forms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
