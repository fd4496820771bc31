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
		{ "2026-11-2", 1 },
		{ "2026-11-25\t10:00:00Z", 0 },
		{ "2026-11-25T10:00:00\tZ", 0 },
		{ "2026-11-25T10:00:00.Z", 0 },
		{ "2026-11-25T10:00:00.000", 0 },
		{ "2026-11-25T10:00:00.0001Z", 1 },
		{ "2026-11-25T10:00:00+02:00x", 1 },
		{ "2026-11-25T10:00:00-", 1 },
		{ "2026-11-25T10:00:00+123", 1 },
		{ "2026-11-25T10:00:00+23:59", -86340 },
		{ "2026-11-25T10:00:00-23:00", 82800 },
		{ "2026-11-25T23:59:60Z", 50400 },
		{ "2026-11-25T1:00:00Z", -32400 },
		{ "2026-11-25T100:00:00Z", 1 },
		{ "2026-11-25T10:5:00Z", 1 },
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

/* Words for dates (add and set take them), from a fixed now, in UTC:
 * today, tomorrow, the week's and the month's end, +Nd and +Nw up to 100
 * years, the next weekday by three letters or more; anything else
 * refused. */
static void test_time__date_words_resolve_from_today(void **state)
{
	static const struct {
		const char *now, *text, *want; /* want NULL: refused */
	} cases[] = {
		{ "2026-12-02T10:00:00Z", "2026-12-25", "2026-12-25" },
		{ "2026-12-02T10:00:00Z", "2026-02-30", NULL },
		{ "2026-12-02T10:00:00Z", "", NULL },
		{ "2026-12-02T10:00:00Z", "fortnightfromnow", NULL },
		{ "2026-12-02T10:00:00Z", "today", "2026-12-02" },
		{ "2026-12-02T10:00:00Z", "ToDay", "2026-12-02" },
		{ "2026-12-02T10:00:00Z", "tomorrow", "2026-12-03" },
		{ "2026-12-31T10:00:00Z", "tomorrow", "2027-01-01" },
		{ "2026-12-02T10:00:00Z", "eow", "2026-12-06" },
		{ "2026-12-06T10:00:00Z", "eow", "2026-12-06" },
		{ "2026-12-07T10:00:00Z", "eow", "2026-12-13" },
		{ "2026-12-02T10:00:00Z", "eom", "2026-12-31" },
		{ "2028-02-10T10:00:00Z", "eom", "2028-02-29" },
		{ "2026-02-10T10:00:00Z", "eom", "2026-02-28" },
		{ "2026-12-02T10:00:00Z", "+3d", "2026-12-05" },
		{ "2026-12-02T10:00:00Z", "+0d", "2026-12-02" },
		{ "2026-12-02T10:00:00Z", "+2w", "2026-12-16" },
		{ "2026-12-02T10:00:00Z", "+10D", "2026-12-12" },
		{ "2026-12-02T10:00:00Z", "+36500d", "2126-11-08" },
		{ "2026-12-02T10:00:00Z", "+36501d", NULL },
		{ "2026-12-02T10:00:00Z", "+5214w", "2126-11-06" },
		{ "2026-12-02T10:00:00Z", "+5215w", NULL },
		{ "2026-12-02T10:00:00Z", "+9999999d", NULL },
		{ "2026-12-02T10:00:00Z", "+d", NULL },
		{ "2026-12-02T10:00:00Z", "+3", NULL },
		{ "2026-12-02T10:00:00Z", "+3x", NULL },
		{ "2026-12-02T10:00:00Z", "+1a2d", NULL },
		{ "2026-12-02T10:00:00Z", "3d", NULL },
		{ "2026-12-02T10:00:00Z", "wed", "2026-12-09" },
		{ "2026-12-02T10:00:00Z", "thursday", "2026-12-03" },
		{ "2026-12-02T10:00:00Z", "Tues", "2026-12-08" },
		{ "2026-12-02T10:00:00Z", "sun", "2026-12-06" },
		{ "2026-12-02T10:00:00Z", "mon", "2026-12-07" },
		{ "2026-12-02T10:00:00Z", "sat", "2026-12-05" },
		{ "2026-12-02T10:00:00Z", "tu", NULL },
		{ "2026-12-02T10:00:00Z", "sundays", NULL },
		{ "2026-12-02T10:00:00Z", "someday", NULL },
	};
	char out[DLG_DATE_SIZE];
	time_t now;
	size_t i;
	int failures = 0;

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int error;

		assert_int_equal(dlg_time_parse(&now, cases[i].now), 0);
		strcpy(out, "unchanged");
		error = dlg_date_resolve(out, cases[i].text, now);
		if (cases[i].want ? error != 0 || strcmp(out, cases[i].want)
				  : error == 0) {
			print_error("'%s' at %s: got %d '%s', expected %s\n",
				    cases[i].text, cases[i].now, error, out,
				    cases[i].want ? cases[i].want : "refused");
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

/* Days until a date (the first 10 characters of a date or time), whole
 * days from today's date; 0 for what is no date. The start of a day, in
 * local time. A local time names its zone, when the zone's name fits. */
static void test_time__days_until_day_start_and_local_times(void **state)
{
	time_t now, t, want;
	char local[32];

	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	assert_int_equal(dlg_time_parse(&now, "2026-12-02T23:59:00Z"), 0);
	assert_int_equal(dlg_days_until("2026-12-05", now), 3);
	assert_int_equal(dlg_days_until("2026-12-02", now), 0);
	assert_int_equal(dlg_days_until("2026-11-30", now), -2);
	assert_int_equal(dlg_days_until("2027-12-02", now), 365);
	assert_int_equal(dlg_days_until("2026-12-05T01:00:00Z", now), 3);
	assert_int_equal(dlg_days_until("2026-13-05", now), 0);
	assert_int_equal(dlg_days_until("2026-12-5", now), 0);
	assert_int_equal(dlg_days_until(NULL, now), 0);

	assert_int_equal(dlg_day_start(&t, "2026-12-02"), 0);
	assert_int_equal(dlg_time_parse(&want, "2026-12-02T00:00:00Z"), 0);
	assert_int_equal(t, want);
	assert_int_equal(dlg_day_start(&t, "2026-12-2"), -1);
	assert_int_equal(dlg_day_start(&t, "2026-12-02T"), -1);
	assert_int_equal(dlg_day_start(&t, "2026-02-29"), -1);
	setenv("TZ", "EST5", 1);
	tzset();
	assert_int_equal(dlg_day_start(&t, "2026-12-02"), 0);
	assert_int_equal(t, want + 5 * 3600);
	dlg_time_format_local(local, now);
	assert_string_equal(local, "2026-12-02 18:59 EST");
	/* a zone's name too long for the 32 bytes: the time without it */
	setenv("TZ", "<ABCDEFGHIJKLMNOPQRSTUVWXYZ>5", 1);
	tzset();
	dlg_time_format_local(local, now);
	assert_string_equal(local, "2026-12-02 18:59");
	setenv("TZ", "UTC", 1);
	tzset();
}

/* DELEGIT_NOW pins the clock when it holds a time; empty or not a time,
 * the real clock. */
static void test_time__delegit_now_only_when_a_time(void **state)
{
	time_t t, pinned, floor_;

	(void)state;
	assert_int_equal(dlg_time_parse(&pinned, "2030-01-02T03:04:05Z"), 0);
	assert_int_equal(dlg_time_parse(&floor_, "2026-01-01"), 0);
	setenv("DELEGIT_NOW", "2030-01-02", 1);
	assert_int_equal(dlg_now(), pinned - 3 * 3600 - 4 * 60 - 5);
	setenv("DELEGIT_NOW", "", 1);
	t = dlg_now();
	assert_true(t > floor_ && t != 0);
	setenv("DELEGIT_NOW", "2030-01-02T03:04:05", 1);
	t = dlg_now();
	assert_true(t > floor_ && t < pinned - 86400);
	unsetenv("DELEGIT_NOW");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time__dates_and_times_parse_and_format),
		cmocka_unit_test(test_time__strict_and_yaml_forms),
		cmocka_unit_test(test_time__date_words_resolve_from_today),
		cmocka_unit_test(test_time__days_until_day_start_and_local_times),
		cmocka_unit_test(test_time__delegit_now_only_when_a_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
