/*
 * delegit export (--ics | --csv | --json) [list's filters] [-o FILE]: the
 * tasks list selects, as an iCalendar feed of due dates and checkpoints
 * (RFC 5545), as CSV (the header import --from csv reads, docs/format.md)
 * or as a JSON array.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* List's filter options (CLI_LIST_FILTER_OPTS), read by list's own
 * cli_list_query. */
static const cli_opt opts[] = {
	{ CLI_O_ICS, 0, OPT_FLAG, NULL,
	  "an iCalendar feed: one event per due date and per checkpoint" },
	{ CLI_O_CSV, 0, OPT_FLAG, NULL, "CSV, one task a row (docs/format.md)" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "a JSON array of tasks, as list --json" },
	{ CLI_O_OUTPUT, 'o', OPT_VALUE, "FILE", "write FILE instead of stdout" },
	CLI_LIST_FILTER_OPTS,
	{ CLI_O_SORT, 0, OPT_VALUE, "KEY", "as list's --sort" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit export (--ics | --csv | --json) [--to H] [list's filters] "
	"[-o FILE]",
	"Export the tasks list would show: a calendar feed, CSV or JSON.",
	"--ics writes an RFC 5545 calendar: an all-day event on each task's "
	"due date\nand on each checkpoint's, whose UID comes from the task id "
	"(and checkpoint\nid), so a calendar that imports the feed again "
	"updates its events instead\nof adding new ones. Import it into a "
	"calendar, or publish it for\none to subscribe to:\n"
	"  delegit export --ics --to kim -o kim.ics\n"
	"--csv writes the header and columns 'delegit import --from csv' "
	"reads.\nThe filters are list's; by default tasks that are not done "
	"or cancelled.",
	opts, 0, 0
};

/* ------------------------------------------------------------ iCalendar */

/* One content line, folded at 75 octets (never inside a UTF-8
 * character), ended with CRLF (RFC 5545 3.1). */
static void ics_line(dlg_buf *out, const char *line)
{
	size_t len = strlen(line), at = 0, room = 75;

	while (len - at > room) {
		size_t n = room;

		while (n > 0 && ((unsigned char)line[at + n] & 0xC0) == 0x80)
			n--;
		dlg_buf_put(out, line + at, n);
		dlg_buf_puts(out, "\r\n ");
		at += n;
		room = 74; /* the leading blank counts */
	}
	dlg_buf_put(out, line + at, len - at);
	dlg_buf_puts(out, "\r\n");
}

/* TEXT escaped (RFC 5545 3.3.11): \ ; , and newlines; first, as all text
 * from files, its control characters and bidirectional overrides shown
 * escaped (dlg_escape: a calendar shows them as any terminal would). */
static void ics_text(dlg_buf *out, const char *text)
{
	dlg_buf safe = DLG_BUF_INIT;
	const char *s;

	if (text)
		dlg_escape(&safe, text, strlen(text), DLG_ESC_LINES);
	for (s = safe.ptr; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\\' || ch == ';' || ch == ',') {
			dlg_buf_put(out, "\\", 1);
			dlg_buf_put(out, s, 1);
		} else if (ch == '\n') {
			dlg_buf_puts(out, "\\n");
		} else if (ch == '\t' || (ch >= 0x20 && ch != 0x7f)) {
			dlg_buf_put(out, s, 1);
		}
	}
	dlg_buf_dispose(&safe);
}

static void ics_prop(dlg_buf *out, const char *name, const char *text)
{
	dlg_buf line = DLG_BUF_INIT;

	dlg_buf_printf(&line, "%s:", name);
	ics_text(&line, text);
	ics_line(out, line.ptr);
	dlg_buf_dispose(&line);
}

/* "2026-12-15" as 20261215; "2026-12-15T16:00:00Z" as 20261215T160000Z */
static void ics_compact(char out[17], const char *iso)
{
	size_t n = 0;

	for (; *iso && n < 16; iso++)
		if (*iso != '-' && *iso != ':')
			out[n++] = *iso;
	out[n] = '\0';
}

/*
 * DTSTART and DTEND as the data says: a date is an all-day event (DTEND
 * the next day, RFC 5545 3.6.1), a UTC time an instant of an hour.
 */
static void ics_when(dlg_buf *out, const char *when)
{
	char a[17], b[DLG_TIME_SIZE];
	dlg_buf line = DLG_BUF_INIT;
	time_t t;

	if (dlg_date_valid(when)) {
		struct tm tm;

		memset(&tm, 0, sizeof(tm));
		sscanf(when, "%d-%d-%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
		tm.tm_year -= 1900;
		tm.tm_mon -= 1;
		tm.tm_mday += 1;
		tm.tm_hour = 12;
		t = timegm(&tm);
		gmtime_r(&t, &tm);
		ics_compact(a, when);
		dlg_buf_printf(&line, "DTSTART;VALUE=DATE:%s", a);
		ics_line(out, line.ptr);
		dlg_buf_clear(&line);
		strftime(b, sizeof(b), "%Y%m%d", &tm);
		dlg_buf_printf(&line, "DTEND;VALUE=DATE:%s", b);
		ics_line(out, line.ptr);
	} else {
		dlg_time_parse(&t, when);
		ics_compact(a, when);
		dlg_buf_printf(&line, "DTSTART:%s", a);
		ics_line(out, line.ptr);
		dlg_buf_clear(&line);
		dlg_time_format(b, t + 3600);
		ics_compact(a, b);
		dlg_buf_printf(&line, "DTEND:%s", a);
		ics_line(out, line.ptr);
	}
	dlg_buf_dispose(&line);
}

static int ics_date_ok(const char *s)
{
	return s && (dlg_date_valid(s) || dlg_time_valid(s));
}

static void ics_event(dlg_buf *out, const dlg_node *task, const char *uid,
		      const char *when, const char *summary,
		      const char *description, const char *stamp, int done)
{
	const char *updated = dlg_map_get_str(task, "updated");
	const dlg_node *tags = dlg_map_get(task, "tags");
	char mod[17];
	dlg_buf line = DLG_BUF_INIT;
	size_t i;

	ics_line(out, "BEGIN:VEVENT");
	ics_prop(out, "UID", uid);
	dlg_buf_printf(&line, "DTSTAMP:%s", stamp);
	ics_line(out, line.ptr);
	if (updated && dlg_time_valid(updated)) {
		ics_compact(mod, updated);
		dlg_buf_clear(&line);
		dlg_buf_printf(&line, "LAST-MODIFIED:%s", mod);
		ics_line(out, line.ptr);
	}
	ics_when(out, when);
	ics_prop(out, "SUMMARY", summary);
	ics_prop(out, "DESCRIPTION", description);
	if (tags && tags->kind == DLG_NODE_SEQ && tags->count) {
		dlg_buf_clear(&line);
		dlg_buf_puts(&line, "CATEGORIES:");
		for (i = 0; i < tags->count; i++) {
			if (i)
				dlg_buf_puts(&line, ",");
			ics_text(&line, tags->items[i]->value);
		}
		ics_line(out, line.ptr);
	}
	/* Deadlines do not make anyone busy. */
	ics_line(out, "TRANSP:TRANSPARENT");
	ics_line(out, !strcmp(dlg_map_get_str(task, "status") ?
			      dlg_map_get_str(task, "status") : "",
			      "cancelled") ? "STATUS:CANCELLED"
					   : "STATUS:CONFIRMED");
	if (done)
		ics_line(out, "X-DELEGIT-DONE:TRUE");
	ics_line(out, "END:VEVENT");
	dlg_buf_dispose(&line);
}

static void write_ics(dlg_buf *out, cli_ctx *c, dlg_node **tasks, size_t n)
{
	char stamp[DLG_TIME_SIZE], dt[17];
	dlg_buf uid = DLG_BUF_INIT, sum = DLG_BUF_INIT, desc = DLG_BUF_INIT;
	size_t i, k;

	dlg_time_format(stamp, c->now);
	ics_compact(dt, stamp);
	ics_line(out, "BEGIN:VCALENDAR");
	ics_line(out, "VERSION:2.0");
	ics_line(out, "PRODID:-//delegit//delegit " DELEGIT_VERSION "//EN");
	ics_line(out, "CALSCALE:GREGORIAN");
	ics_line(out, "METHOD:PUBLISH");
	ics_line(out, "X-WR-CALNAME:delegit");
	for (i = 0; i < n; i++) {
		const dlg_node *t = tasks[i], *cps = dlg_map_get(t, "checkpoints");
		const char *id = dlg_map_get_str(t, "id");
		const char *title = dlg_map_get_str(t, "title");
		const char *due = dlg_map_get_str(t, "due");
		const char *status = dlg_map_get_str(t, "status");
		const char *who = dlg_map_get_str(t, "assignee");
		const dlg_node *ex = dlg_map_get(t, "expectations");
		const char *outcome = ex ? dlg_map_get_str(ex, "outcome") : NULL;

		dlg_buf_clear(&desc);
		dlg_buf_printf(&desc, "Task %s, %s, %s priority, assigned to %s "
			       "by %s.", id, status ? status : "open",
			       dlg_map_get_str(t, "priority") ?
			       dlg_map_get_str(t, "priority") : "normal",
			       who ? who : "nobody",
			       dlg_map_get_str(t, "delegator") ?
			       dlg_map_get_str(t, "delegator") : "nobody");
		if (outcome)
			dlg_buf_printf(&desc, "\nOutcome: %s", outcome);
		if (dlg_map_get_str(t, "why"))
			dlg_buf_printf(&desc, "\nWhy: %s",
				       dlg_map_get_str(t, "why"));
		if (ics_date_ok(due)) {
			dlg_buf_clear(&uid);
			dlg_buf_printf(&uid, "%s-due@delegit", id);
			dlg_buf_clear(&sum);
			dlg_buf_printf(&sum, "Due: %s", title);
			ics_event(out, t, uid.ptr, due, sum.ptr, desc.ptr, dt,
				  status && !strcmp(status, "done"));
		}
		for (k = 0; cps && cps->kind == DLG_NODE_SEQ && k < cps->count;
		     k++) {
			const dlg_node *cp = cps->items[k];
			const char *cid = dlg_map_get_str(cp, "id");
			const char *cdue = dlg_map_get_str(cp, "due");
			const char *what = dlg_map_get_str(cp, "what");
			const char *done = dlg_map_get_str(cp, "done");

			if (!cid || !ics_date_ok(cdue))
				continue;
			dlg_buf_clear(&uid);
			dlg_buf_printf(&uid, "%s-checkpoint-%s@delegit", id, cid);
			dlg_buf_clear(&sum);
			dlg_buf_printf(&sum, "Checkpoint: %s (%s)",
				       what ? what : "", title);
			ics_event(out, t, uid.ptr, cdue, sum.ptr, desc.ptr, dt,
				  done && !strcmp(done, "true"));
		}
	}
	ics_line(out, "END:VCALENDAR");
	dlg_buf_dispose(&desc);
	dlg_buf_dispose(&sum);
	dlg_buf_dispose(&uid);
}

/* ------------------------------------------------------------------ CSV */

/* The columns, in order: import --from csv reads the same header. */
static const char *const columns[] = {
	"id", "title", "status", "priority", "assignee", "delegator", "due",
	"tags", "estimate_hours", "why", "outcome", "created", "updated", NULL
};

/* A field quoted as RFC 4180 says, when it needs to be; its text escaped
 * first, as all text from files (dlg_escape). */
static void csv_field(dlg_buf *out, const char *text)
{
	dlg_buf safe = DLG_BUF_INIT;
	const char *s;
	int quote;

	if (!text)
		return;
	dlg_escape(&safe, text, strlen(text), DLG_ESC_LINES);
	s = safe.ptr;
	quote = s[strcspn(s, ",\"\r\n")] != '\0';
	if (quote)
		dlg_buf_put(out, "\"", 1);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		/* Control characters no task text should hold: dropped
		 * (a pipe gets data, not escapes). */
		if ((ch < 0x20 && ch != '\n' && ch != '\t') || ch == 0x7f)
			continue;
		if (*s == '"')
			dlg_buf_put(out, "\"", 1);
		dlg_buf_put(out, s, 1);
	}
	if (quote)
		dlg_buf_put(out, "\"", 1);
	dlg_buf_dispose(&safe);
}

static void write_csv(dlg_buf *out, dlg_node **tasks, size_t n)
{
	dlg_buf tags = DLG_BUF_INIT;
	size_t i, k, j;

	for (k = 0; columns[k]; k++)
		dlg_buf_printf(out, "%s%s", k ? "," : "", columns[k]);
	dlg_buf_puts(out, "\r\n");
	for (i = 0; i < n; i++) {
		const dlg_node *t = tasks[i], *ex = dlg_map_get(t, "expectations");
		const dlg_node *tl = dlg_map_get(t, "tags");

		for (k = 0; columns[k]; k++) {
			const char *v;

			if (k)
				dlg_buf_put(out, ",", 1);
			if (!strcmp(columns[k], "tags")) {
				dlg_buf_clear(&tags);
				for (j = 0; tl && tl->kind == DLG_NODE_SEQ &&
					    j < tl->count; j++)
					dlg_buf_printf(&tags, "%s%s",
						       j ? " " : "",
						       tl->items[j]->value);
				v = tags.ptr;
			} else if (!strcmp(columns[k], "outcome")) {
				v = ex ? dlg_map_get_str(ex, "outcome") : NULL;
			} else {
				v = dlg_map_get_str(t, columns[k]);
			}
			csv_field(out, v);
		}
		dlg_buf_puts(out, "\r\n");
	}
	dlg_buf_dispose(&tags);
}

/* ----------------------------------------------------------- the command */

/*
 * iCalendar and CSV text is escaped as it is made (above), so their bytes
 * go out as they are (CRLF included); JSON through cli_put_json, as
 * list --json.
 */
static int put_out(const char *file, const dlg_buf *b, int json)
{
	FILE *f;

	if (!file) {
		if (json)
			cli_put_json(b);
		else
			fwrite(b->ptr, 1, b->size, stdout);
		return 0;
	}
	if (!(f = fopen(file, "wb"))) {
		dlg_error_set("cannot write '%s': %s", file, strerror(errno));
		return DLG_ERROR;
	}
	if (fwrite(b->ptr, 1, b->size, f) != b->size || fclose(f) != 0) {
		dlg_error_set("cannot write '%s': %s", file, strerror(errno));
		return DLG_ERROR;
	}
	return 0;
}

int cmd_export(cli_ctx *c, int argc, char **argv)
{
	dlg_query q = DLG_QUERY_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node **tasks = NULL;
	dlg_buf b = DLG_BUF_INIT;
	size_t n = 0, i;
	cli_args a;
	int error, kinds;

	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	kinds = cli_flag(&a, CLI_O_ICS) + cli_flag(&a, CLI_O_CSV) +
		cli_flag(&a, CLI_O_JSON);
	if (kinds != 1) {
		dlg_error_set("export: say which one of --ics, --csv and "
			      "--json");
		error = DLG_EUSAGE;
		goto done;
	}
	if ((error = cli_list_query(&q, c, &a)) < 0)
		goto done;
	if ((error = dlg_query_run(&tasks, &n, c->store, &q, &c->team, c->now,
				   &diags)) < 0)
		goto done;
	if (cli_flag(&a, CLI_O_ICS)) {
		write_ics(&b, c, tasks, n);
	} else if (cli_flag(&a, CLI_O_CSV)) {
		write_csv(&b, tasks, n);
	} else {
		dlg_buf_puts(&b, "[");
		for (i = 0; i < n; i++) {
			if (i)
				dlg_buf_puts(&b, ",\n");
			dlg_json_write(&b, tasks[i]);
		}
		dlg_buf_puts(&b, "]");
	}
	if ((error = put_out(cli_get(&a, CLI_O_OUTPUT), &b,
			     cli_flag(&a, CLI_O_JSON))) < 0)
		goto done;
	if (diags.count)
		error = cli_print_skipped(&diags, "exported");
done:
	dlg_buf_dispose(&b);
	if (tasks)
		dlg_nodes_free(tasks, n);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}
