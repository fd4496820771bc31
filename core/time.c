/* Times, dates and ids. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uuid/uuid.h>

#include "core.h"

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30,
				 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

static int digits(const char *s, int n)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int parse_date(int *y, int *m, int *d, const char *s)
{
	*y = digits(s, 4);
	*m = s[4] == '-' ? digits(s + 5, 2) : -1;
	*d = s[7] == '-' ? digits(s + 8, 2) : -1;
	if (*y < 1970 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 ||
	    *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int dlg_date_valid(const char *s)
{
	int y, m, d;

	return strlen(s) == 10 && !parse_date(&y, &m, &d, s);
}

int dlg_time_valid(const char *s)
{
	time_t t;

	return strlen(s) == 20 && !dlg_time_parse(&t, s);
}

/* Days since the epoch of a civil date (Howard Hinnant's algorithm). */
static long days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int dlg_time_parse(time_t *out, const char *s)
{
	int y, m, d, hh = 0, mm = 0, ss = 0;
	size_t len = strlen(s);

	if (len != 10 && len != 20)
		return -1;
	if (parse_date(&y, &m, &d, s) < 0)
		return -1;
	if (len == 20) {
		if (s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != 'Z')
			return -1;
		hh = digits(s + 11, 2);
		mm = digits(s + 14, 2);
		ss = digits(s + 17, 2);
		if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 ||
		    ss > 60)
			return -1;
	}
	*out = (time_t)(days_from_civil(y, m, d) * 86400L + hh * 3600L +
			mm * 60L + ss);
	return 0;
}

/* One or two digits; -1 if none. Never reads past the string's end. */
static int digits12(const char **p)
{
	int v;

	if (!isdigit((unsigned char)(*p)[0]))
		return -1;
	v = (*p)[0] - '0';
	(*p)++;
	if (isdigit((unsigned char)(*p)[0])) {
		v = v * 10 + ((*p)[0] - '0');
		(*p)++;
	}
	return v;
}

int dlg_time_parse_yaml(time_t *out, const char *s)
{
	int y, m, d, hh, mm, ss, sign = 0, oh = 0, om = 0;
	const char *p = s;

	/* YYYY-MM-DD, then T, t or blanks, H[H]:MM:SS, an optional zero
	 * fraction, blanks, and Z or an offset: YAML 1.1's timestamp. */
	if (strlen(s) < 10 || parse_date(&y, &m, &d, s) < 0)
		return -1;
	p += 10;
	if (*p == 'T' || *p == 't')
		p++;
	else if (*p == ' ' || *p == '\t')
		while (*p == ' ' || *p == '\t')
			p++;
	else
		return -1;
	hh = digits12(&p);
	if (hh < 0 || *p++ != ':' || (mm = digits(p, 2)) < 0 || p[2] != ':' ||
	    (ss = digits(p + 3, 2)) < 0)
		return -1;
	p += 5;
	if (*p == '.') {
		for (p++; *p == '0'; p++)
			;
		if (isdigit((unsigned char)*p))
			return -1; /* a fraction of a second would be lost */
	}
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		oh = digits12(&p);
		if (*p == ':') {
			if ((om = digits(p + 1, 2)) < 0)
				return -1;
			p += 3;
		}
	} else if (*p) {
		return -1;
	}
	if (*p || hh < 0 || hh > 23 || mm > 59 || ss > 60 || oh < 0 ||
	    oh > 23 || om < 0 || om > 59)
		return -1;
	*out = (time_t)(days_from_civil(y, m, d) * 86400L + hh * 3600L +
			mm * 60L + ss) - sign * (oh * 3600L + om * 60L);
	return 0;
}

void dlg_time_format(char out[DLG_TIME_SIZE], time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void dlg_date_format(char out[DLG_DATE_SIZE], time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void dlg_time_format_local(char out[32], time_t t)
{
	struct tm tm;

	localtime_r(&t, &tm);
	if (!strftime(out, 32, "%Y-%m-%d %H:%M %Z", &tm))
		strftime(out, 32, "%Y-%m-%d %H:%M", &tm);
}

int dlg_day_start(time_t *out, const char *date)
{
	struct tm tm;
	int y, m, d;

	if (strlen(date) != 10 || parse_date(&y, &m, &d, date) < 0)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_isdst = -1; /* whatever daylight saving says that day */
	*out = mktime(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}

long dlg_days_until(const char *date, time_t now)
{
	char today[DLG_DATE_SIZE];
	time_t a, b;

	if (!date || strlen(date) < 10)
		return 0;
	dlg_date_format(today, now);
	{
		char day[DLG_DATE_SIZE];

		memcpy(day, date, 10);
		day[10] = '\0';
		if (dlg_time_parse(&b, day) < 0 || dlg_time_parse(&a, today) < 0)
			return 0;
	}
	/* both civil dates at 00:00 UTC: whole days, no daylight saving */
	return (long)((b - a) / 86400);
}

/* A civil date moved by n days. */
static void civil_add(char out[DLG_DATE_SIZE], const char *date, long n)
{
	time_t t;
	struct tm tm;

	dlg_time_parse(&t, date);
	t += n * 86400;
	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

int dlg_date_resolve(char out[DLG_DATE_SIZE], const char *text, time_t now)
{
	static const char *const days[] = { "sunday", "monday", "tuesday",
					    "wednesday", "thursday", "friday",
					    "saturday" };
	char today[DLG_DATE_SIZE], word[16];
	struct tm tm;
	size_t i, len = strlen(text);
	time_t t;
	int wday;

	if (len == 10 && dlg_date_valid(text)) {
		memcpy(out, text, DLG_DATE_SIZE);
		return 0;
	}
	if (!len || len >= sizeof(word))
		return -1;
	for (i = 0; i <= len; i++)
		word[i] = (char)tolower((unsigned char)text[i]);
	dlg_date_format(today, now);
	dlg_time_parse(&t, today);
	gmtime_r(&t, &tm);
	wday = tm.tm_wday;
	if (!strcmp(word, "today")) {
		memcpy(out, today, DLG_DATE_SIZE);
		return 0;
	}
	if (!strcmp(word, "tomorrow")) {
		civil_add(out, today, 1);
		return 0;
	}
	if (!strcmp(word, "eow")) { /* the week's end: Sunday (ISO 8601) */
		civil_add(out, today, (7 - wday) % 7);
		return 0;
	}
	if (!strcmp(word, "eom")) {
		int y = tm.tm_year + 1900, m = tm.tm_mon + 1;

		snprintf(out, 11, "%04d-%02d-%02d", y, m, days_in_month(y, m));
		return 0;
	}
	if (word[0] == '+' && len >= 3 &&
	    (word[len - 1] == 'd' || word[len - 1] == 'w')) {
		long n = 0;

		for (i = 1; i < len - 1; i++) {
			if (!isdigit((unsigned char)word[i]) || n > 36500)
				return -1;
			n = n * 10 + (word[i] - '0');
		}
		if (word[len - 1] == 'w')
			n *= 7;
		if (n > 36500)
			return -1;
		civil_add(out, today, n);
		return 0;
	}
	for (i = 0; i < 7; i++) {
		/* the full name or its first three letters or more */
		if (len >= 3 && !strncmp(days[i], word, len)) {
			int ahead = ((int)i - wday + 7) % 7;

			civil_add(out, today, ahead ? ahead : 7);
			return 0;
		}
	}
	return -1;
}

time_t dlg_now(void)
{
	const char *env = getenv("DELEGIT_NOW");
	time_t t;

	if (env && *env && !dlg_time_parse(&t, env))
		return t;
	return time(NULL);
}

void dlg_uuid_new(char out[DLG_TASK_ID_SIZE])
{
	uuid_t u;

	uuid_generate_random(u);
	uuid_unparse_lower(u, out);
}

void dlg_item_id_new(char out[9])
{
	uuid_t u;

	uuid_generate_random(u);
	snprintf(out, 9, "%02x%02x%02x%02x", u[0], u[1], u[2], u[3]);
}
