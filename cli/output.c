/* Output for people: colour, widths, tasks, and the one escaping of text
 * from files that every command prints through. */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"


const char *cli_when(char buf[32], const char *iso)
{
	time_t t;

	if (!iso || strlen(iso) != 20 || dlg_time_parse(&t, iso) < 0)
		return iso;
	dlg_time_format_local(buf, t);
	return buf;
}

/* The colour sequences handed out: the only escape sequences that reach
 * the terminal, recognised by their address (cli_vformat). One constant
 * each, so that a call may hold any number of them (a ring of buffers
 * was overwritten by the ninth). */
#define COLOR(code) { code, "\033[" code "m" }
static const struct {
	const char *code;
	char seq[8];
} colors[] = {
	COLOR(C_RESET), COLOR(C_BOLD), COLOR(C_DIM), COLOR(C_RED),
	COLOR(C_GREEN), COLOR(C_YELLOW), COLOR(C_BLUE), COLOR(C_MAGENTA),
	COLOR(C_CYAN),
};
#define NCOLORS (sizeof(colors) / sizeof(colors[0]))

const char *cli_color(const cli_ctx *c, const char *code)
{
	size_t i;

	if (!c->color)
		return "";
	for (i = 0; i < NCOLORS; i++)
		if (code == colors[i].code || !strcmp(code, colors[i].code))
			return colors[i].seq;
	abort(); /* a colour this program does not use (cli.h's C_*) */
}

static int is_color(const char *s)
{
	size_t i;

	for (i = 0; i < NCOLORS; i++)
		if (s == colors[i].seq)
			return 1;
	return 0;
}

/* One conversion of a format: its flags, width and precision, with the
 * '*' taken from the arguments. */
typedef struct {
	char flags[8];
	int width, prec; /* -1: not given */
	char length[3];
	char conv;
} conv_spec;

static const char *parse_spec(conv_spec *c, const char *p, va_list *ap)
{
	size_t n = 0;

	memset(c, 0, sizeof(*c));
	c->width = c->prec = -1;
	while (*p && strchr("-+ #0", *p) && n + 1 < sizeof(c->flags))
		c->flags[n++] = *p++;
	if (*p == '*') {
		c->width = va_arg(*ap, int);
		p++;
	} else {
		for (; *p >= '0' && *p <= '9'; p++)
			c->width = (c->width < 0 ? 0 : c->width * 10) + *p - '0';
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			c->prec = va_arg(*ap, int);
			p++;
		} else {
			for (c->prec = 0; *p >= '0' && *p <= '9'; p++)
				c->prec = c->prec * 10 + *p - '0';
		}
	}
	n = 0;
	while (*p && strchr("hlzjt", *p) && n + 1 < sizeof(c->length))
		c->length[n++] = *p++;
	c->conv = *p ? *p++ : '\0';
	return p;
}

/* A number: the conversion rebuilt, its argument taken by its type. */
static void format_number(dlg_buf *out, const conv_spec *c, va_list *ap)
{
	dlg_buf spec = DLG_BUF_INIT;
	const char *fmt, *l = c->length;
	int is_signed = c->conv == 'd' || c->conv == 'i';

	dlg_buf_printf(&spec, "%%%s", c->flags);
	if (c->width >= 0)
		dlg_buf_printf(&spec, "%d", c->width);
	if (c->prec >= 0)
		dlg_buf_printf(&spec, ".%d", c->prec);
	dlg_buf_printf(&spec, "%s%c", l, c->conv);
	fmt = spec.ptr;
	if (strchr("eEfFgG", c->conv))
		dlg_buf_printf(out, fmt, va_arg(*ap, double));
	else if (c->conv == 'p')
		dlg_buf_printf(out, fmt, va_arg(*ap, void *));
	else if (c->conv == 'c')
		dlg_buf_printf(out, fmt, va_arg(*ap, int));
	else if (!strcmp(l, "l"))
		is_signed ? dlg_buf_printf(out, fmt, va_arg(*ap, long))
			  : dlg_buf_printf(out, fmt, va_arg(*ap, unsigned long));
	else if (!strcmp(l, "ll"))
		is_signed ? dlg_buf_printf(out, fmt, va_arg(*ap, long long))
			  : dlg_buf_printf(out, fmt,
					   va_arg(*ap, unsigned long long));
	else if (!strcmp(l, "z"))
		is_signed ? dlg_buf_printf(out, fmt, va_arg(*ap, ssize_t))
			  : dlg_buf_printf(out, fmt, va_arg(*ap, size_t));
	else if (!strcmp(l, "j"))
		is_signed ? dlg_buf_printf(out, fmt, va_arg(*ap, intmax_t))
			  : dlg_buf_printf(out, fmt, va_arg(*ap, uintmax_t));
	else if (!strcmp(l, "t"))
		dlg_buf_printf(out, fmt, va_arg(*ap, ptrdiff_t));
	else
		is_signed ? dlg_buf_printf(out, fmt, va_arg(*ap, int))
			  : dlg_buf_printf(out, fmt, va_arg(*ap, unsigned));
	dlg_buf_dispose(&spec);
}

/* A string: cut to the precision, escaped, then padded to the width. */
static void format_string(dlg_buf *out, const conv_spec *c, const char *s)
{
	size_t n, at = out->size;
	int pad;

	if (!s)
		s = "(null)";
	if (is_color(s)) {
		dlg_buf_puts(out, s);
		return;
	}
	n = c->prec >= 0 ? strnlen(s, (size_t)c->prec) : strlen(s);
	dlg_escape(out, s, n, 0);
	pad = c->width - (int)(out->size - at);
	if (pad <= 0)
		return;
	if (strchr(c->flags, '-') || c->width < 0) {
		while (pad--)
			dlg_buf_put(out, " ", 1);
		return;
	}
	dlg_buf_reserve(out, (size_t)pad);
	memmove(out->ptr + at + pad, out->ptr + at, out->size - at + 1);
	memset(out->ptr + at, ' ', (size_t)pad);
	out->size += (size_t)pad;
}

void cli_vformat(dlg_buf *out, const char *fmt, va_list ap)
{
	const char *p = fmt;
	va_list aq;

	va_copy(aq, ap);
	while (*p) {
		size_t n = strcspn(p, "%");
		conv_spec c;

		dlg_buf_put(out, p, n);
		p += n;
		if (!*p)
			break;
		if (p[1] == '%') {
			dlg_buf_put(out, "%", 1);
			p += 2;
			continue;
		}
		p = parse_spec(&c, p + 1, &aq);
		if (c.conv == 's')
			format_string(out, &c, va_arg(aq, const char *));
		else if (c.conv && strchr("diouxXeEfFgGcp", c.conv))
			format_number(out, &c, &aq);
		else
			abort(); /* a format this program does not use */
	}
	va_end(aq);
}

static int vprint(FILE *f, const char *fmt, va_list ap)
{
	dlg_buf b = DLG_BUF_INIT;
	size_t n;

	int ok;

	cli_vformat(&b, fmt, ap);
	n = fwrite(b.ptr, 1, b.size, f);
	ok = n == b.size;
	dlg_buf_dispose(&b);
	return ok ? (int)n : -1;
}

int cli_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprint(stdout, fmt, ap);
	va_end(ap);
	return n;
}

int cli_eprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprint(stderr, fmt, ap);
	va_end(ap);
	return n;
}

void cli_put_json(const dlg_buf *json)
{
	dlg_buf b = DLG_BUF_INIT;

	dlg_escape(&b, json->ptr, json->size, DLG_ESC_JSON | DLG_ESC_LINES);
	dlg_buf_put(&b, "\n", 1);
	fwrite(b.ptr, 1, b.size, stdout);
	dlg_buf_dispose(&b);
}

int cli_term_width(void)
{
	struct winsize w;
	const char *cols = getenv("COLUMNS");

	if (cols && atoi(cols) > 20)
		return atoi(cols);
	if (cli_pager_in_use())
		return cli_pager_columns() > 20 ? cli_pager_columns() : 100;
	if (isatty(1) && !ioctl(1, TIOCGWINSZ, &w) && w.ws_col > 20)
		return w.ws_col;
	return 100;
}

const char *cli_status_color(const char *status)
{
	if (!strcmp(status, "open"))
		return C_CYAN;
	if (!strcmp(status, "in-progress"))
		return C_BLUE;
	if (!strcmp(status, "blocked"))
		return C_RED;
	if (!strcmp(status, "review"))
		return C_MAGENTA;
	if (!strcmp(status, "done"))
		return C_GREEN;
	return C_DIM;
}

void cli_print_json(const dlg_node *doc)
{
	dlg_buf b = DLG_BUF_INIT;

	dlg_json_write(&b, doc);
	cli_put_json(&b);
	dlg_buf_dispose(&b);
}

void cli_short_id(char out[DLG_TASK_ID_SIZE], cli_ctx *c, const char *uuid)
{
	dlg_store_short_id(out, c->store, uuid);
}

void cli_fit(dlg_buf *out, const char *text, int width)
{
	dlg_buf esc = DLG_BUF_INIT;
	const unsigned char *p, *run;
	int cols = 0;

	/* What is shown is fitted: the text escaped. */
	dlg_escape(&esc, text, strlen(text), 0);
	p = run = (const unsigned char *)esc.ptr;
	dlg_buf_clear(out);
	for (; *p; cols++) {
		size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

		if (cols + 1 > width || (cols + 1 == width && p[n])) {
			dlg_buf_put(out, (const char *)run, (size_t)(p - run));
			dlg_buf_puts(out, "\xe2\x80\xa6"); /* … */
			dlg_buf_dispose(&esc);
			return;
		}
		p += n;
	}
	dlg_buf_put(out, (const char *)run, (size_t)(p - run));
	dlg_buf_dispose(&esc);
}

static void print_text(const char *label, const char *text, int indent)
{
	const char *p = text;

	if (!text)
		return;
	if (*label)
		cli_printf("%*s%s:\n", indent, "", label);
	while (*p) {
		size_t n = strcspn(p, "\n");

		cli_printf("%*s  %.*s\n", indent, "", (int)n, p);
		p += n;
		if (*p == '\n')
			p++;
	}
}

static void print_set(const char *label, const dlg_node *set)
{
	size_t i;

	if (!set || !set->count)
		return;
	cli_printf("%-10s ", label);
	for (i = 0; i < set->count; i++)
		cli_printf("%s%s", i ? ", " : "", set->items[i]->value);
	putchar('\n');
}

/* A series' rule, and what the task waits for (add --every, --after). */
static void print_routine(cli_ctx *c, const dlg_node *t)
{
	const dlg_node *r = dlg_map_get(t, "recur");
	const dlg_node *after = dlg_map_get(t, "after");
	cli_tasks known = CLI_TASKS_INIT;
	size_t i;

	if (r && dlg_map_get_str(r, "every")) {
		char series[DLG_TASK_ID_SIZE];

		cli_short_id(series, c, dlg_map_get_str(r, "series"));
		cli_printf("%-10s %s from %s%s%s (series %s)\n", "every",
			   dlg_map_get_str(r, "every"),
			   dlg_map_get_str(r, "start"),
			   dlg_map_get_str(r, "until") ? " until " : "",
			   dlg_map_get_str(r, "until")
				   ? dlg_map_get_str(r, "until") : "",
			   series);
	}
	known.store = c->store;
	for (i = 0; after && after->kind == DLG_NODE_SEQ && i < after->count;
	     i++) {
		const dlg_node *d = cli_tasks_lookup(after->items[i]->value,
						     &known);

		cli_printf("%-10s %.8s %s (%s)\n", i ? "" : "after",
			   after->items[i]->value,
			   d ? dlg_map_get_str(d, "title") : "(no such task)",
			   d ? dlg_map_get_str(d, "status") : "missing");
	}
	cli_tasks_dispose(&known);
}

/* show's first lines: who, when, how much. */
static void print_fields(cli_ctx *c, const dlg_node *t)
{
	const char *status = dlg_map_get_str(t, "status");
	char shortid[DLG_TASK_ID_SIZE], when[32];

	cli_short_id(shortid, c, dlg_map_get_str(t, "id"));
	cli_printf("%s%s%s  %s%s%s\n", cli_color(c, C_YELLOW), shortid,
		   cli_color(c, C_RESET), cli_color(c, C_BOLD),
		   dlg_map_get_str(t, "title"), cli_color(c, C_RESET));
	cli_printf("%-10s %s%s%s%s\n", "status", cli_color(c, cli_status_color(status)),
		   status, cli_color(c, C_RESET),
		   dlg_task_is_overdue(t, c->now) ? "  (overdue)" : "");
	cli_printf("%-10s %s%s\n", "priority", dlg_map_get_str(t, "priority"),
		   !strcmp(dlg_map_get_str(t, "core"), "true") ? "  (core work)"
							      : "");
	cli_printf("%-10s %s -> %s\n", "delegated", dlg_map_get_str(t, "delegator"),
		   dlg_map_get_str(t, "assignee") ? dlg_map_get_str(t, "assignee")
						  : "(nobody yet)");
	cli_printf("%-10s %s\n", "due",
		   dlg_map_get_str(t, "due") ? dlg_map_get_str(t, "due") : "-");
	{
		const dlg_node *req = dlg_map_get(t, "due_request");

		if (req && dlg_map_get_str(req, "due"))
			cli_printf("%-10s %s, asked by %s on %s: %s\n", "new due?",
				   dlg_map_get_str(req, "due"),
				   dlg_map_get_str(req, "by"),
				   cli_when(when, dlg_map_get_str(req, "at")),
				   dlg_map_get_str(req, "why"));
	}
	if (dlg_map_get_str(t, "estimate_hours"))
		cli_printf("%-10s %s h\n", "estimate",
			   dlg_map_get_str(t, "estimate_hours"));
	print_routine(c, t);
	if (dlg_task_autonomy(t, &c->team))
		cli_printf("%-10s %s%s\n", "autonomy",
			   dlg_task_autonomy(t, &c->team),
			   dlg_map_get_str(t, "autonomy") ? ""
							  : " (the assignee's)");
	cli_printf("%-10s %s", "created",
		   cli_when(when, dlg_map_get_str(t, "created")));
	if (dlg_map_get_str(t, "started"))
		cli_printf("  started %s",
			   cli_when(when, dlg_map_get_str(t, "started")));
	if (dlg_map_get_str(t, "closed"))
		cli_printf("  closed %s",
			   cli_when(when, dlg_map_get_str(t, "closed")));
	putchar('\n');
	if (dlg_map_get_str(t, "updated"))
		cli_printf("%-10s %s by %s\n", "updated",
			   cli_when(when, dlg_map_get_str(t, "updated")),
			   dlg_map_get_str(t, "updated_by")
				   ? dlg_map_get_str(t, "updated_by") : "?");
	print_set("tags", dlg_map_get(t, "tags"));
	print_set("skills", dlg_map_get(t, "skills"));
}

static void print_expectations(cli_ctx *c, const dlg_node *t)
{
	const dlg_node *ex = dlg_map_get(t, "expectations"), *list;
	size_t i;

	if (ex) {
		putchar('\n');
		cli_printf("%sExpectations%s\n", cli_color(c, C_BOLD),
			   cli_color(c, C_RESET));
		print_text("outcome", dlg_map_get_str(ex, "outcome"), 2);
		list = dlg_map_get(ex, "quality");
		if (list && list->count) {
			cli_printf("  quality:\n");
			for (i = 0; i < list->count; i++)
				cli_printf("    - %s\n", list->items[i]->value);
		}
		list = dlg_map_get(ex, "acceptance");
		if (list && list->count) {
			cli_printf("  acceptance:\n");
			for (i = 0; i < list->count; i++) {
				const dlg_node *a = list->items[i];

				cli_printf("    [%s] %s  %s%s%s\n",
					   !strcmp(dlg_map_get_str(a, "met"), "true")
						   ? "x" : " ",
					   dlg_map_get_str(a, "text"),
					   cli_color(c, C_DIM),
					   dlg_map_get_str(a, "id"),
					   cli_color(c, C_RESET));
			}
		}
		print_text("process", dlg_map_get_str(ex, "process"), 2);
	}
}

static void print_checkpoints(cli_ctx *c, const dlg_node *t)
{
	const dlg_node *list;
	size_t i;

	list = dlg_map_get(t, "checkpoints");
	if (list && list->count) {
		cli_printf("\n%sCheckpoints%s\n", cli_color(c, C_BOLD),
			   cli_color(c, C_RESET));
		for (i = 0; i < list->count; i++) {
			const dlg_node *cp = list->items[i];
			int done = !strcmp(dlg_map_get_str(cp, "done"), "true");
			char today[DLG_DATE_SIZE];

			dlg_date_format(today, c->now);
			cli_printf("  [%s] %s  %s%s%s  %s%s%s\n", done ? "x" : " ",
				   dlg_map_get_str(cp, "due"),
				   !done && strcmp(dlg_map_get_str(cp, "due"),
						   today) < 0
					   ? cli_color(c, C_RED) : "",
				   dlg_map_get_str(cp, "what"),
				   cli_color(c, C_RESET), cli_color(c, C_DIM),
				   dlg_map_get_str(cp, "id"), cli_color(c, C_RESET));
		}
	}
}

static void print_feedback(cli_ctx *c, const dlg_node *t)
{
	const dlg_node *list;
	char when[32];
	size_t i;

	list = dlg_map_get(t, "feedback");
	if (list && list->count) {
		cli_printf("\n%sFeedback%s\n", cli_color(c, C_BOLD),
			   cli_color(c, C_RESET));
		for (i = 0; i < list->count; i++) {
			const dlg_node *f = list->items[i];

			cli_printf("  %s %s (%s",
				   cli_when(when, dlg_map_get_str(f, "at")),
				   dlg_map_get_str(f, "author"),
				   dlg_map_get_str(f, "kind"));
			if (dlg_map_get_str(f, "rating"))
				cli_printf(", %s/5", dlg_map_get_str(f, "rating"));
			cli_printf(")\n");
			print_text("", dlg_map_get_str(f, "text"), 2);
		}
	}
}

static void print_spent(cli_ctx *c, const dlg_node *t)
{
	const dlg_node *list;
	char when[32];
	size_t i;

	list = dlg_map_get(t, "spent");
	if (list && list->kind == DLG_NODE_SEQ && list->count) {
		cli_printf("\n%sTime spent%s: %g h\n", cli_color(c, C_BOLD),
			   cli_color(c, C_RESET), dlg_task_spent(t, NULL, 0, 0));
		for (i = 0; i < list->count; i++) {
			const dlg_node *e = list->items[i];

			cli_printf("  %s %s %s h%s%s\n",
				   cli_when(when, dlg_map_get_str(e, "at")),
				   dlg_map_get_str(e, "by"),
				   dlg_map_get_str(e, "hours"),
				   dlg_map_get_str(e, "note") ? ": " : "",
				   dlg_map_get_str(e, "note")
					   ? dlg_map_get_str(e, "note") : "");
		}
	}
}

void cli_print_task(cli_ctx *c, const dlg_node *t)
{
	const dlg_node *conflicts;

	print_fields(c, t);
	if (dlg_map_get_str(t, "why")) {
		putchar('\n');
		print_text("Why", dlg_map_get_str(t, "why"), 0);
	}
	print_expectations(c, t);
	print_checkpoints(c, t);
	print_feedback(c, t);
	print_spent(c, t);
	conflicts = dlg_map_get(t, "conflicts");
	if (conflicts && conflicts->kind == DLG_NODE_SEQ && conflicts->count)
		cli_printf("\n%s%zu conflict%s to settle: delegit conflicts%s\n",
			   cli_color(c, C_RED), conflicts->count,
			   conflicts->count == 1 ? "" : "s", cli_color(c, C_RESET));
}

void cli_did_you_mean(dlg_buf *out, const char *typed, const char *prefix,
		      const char *const *names, size_t n)
{
	size_t near[4], k, i;

	k = dlg_similar(near, 4, typed, names, n);
	for (i = 0; i < k; i++)
		dlg_buf_printf(out, "%s'%s%s'", !i ? ". Did you mean "
					       : i + 1 < k ? ", " : " or ",
			       prefix, names[near[i]]);
	if (k)
		dlg_buf_puts(out, "?");
}

/*
 * Progress on a terminal (stderr), one line rewritten in place. Fetch,
 * push and checkout show at once; the work a query does first on a
 * large history (indexing, reading field changes) only once it has
 * taken a second (DELEGIT_PROGRESS_DELAY seconds), as git's delayed
 * progress does, so that a quick query shows none.
 */
void cli_progress(dlg_progress_stage stage, size_t done, size_t total,
		  void *payload)
{
	static const char *const what[] = { "receiving", "sending",
					    "updating", "indexing history",
					    "reading changes" };
	static size_t last_done, last_total;
	static int last_stage = -1, shown;
	static struct timespec start;
	struct timespec now;
	const char *env = getenv("DELEGIT_PROGRESS_DELAY");
	double delay = env && *env ? atof(env) : 1.0;

	(void)payload;
	if (!isatty(2) || (!total && stage < DLG_PROGRESS_INDEX))
		return;
	/* libgit2 says "all done" more than once: one line is enough */
	if ((int)stage == last_stage && done == last_done && total == last_total)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((int)stage != last_stage) {
		start = now;
		shown = 0;
	}
	last_stage = (int)stage;
	last_done = done;
	last_total = total;
	if (stage >= DLG_PROGRESS_INDEX && !shown &&
	    (double)(now.tv_sec - start.tv_sec) +
			    (double)(now.tv_nsec - start.tv_nsec) / 1e9 < delay)
		return;
	shown = 1;
	/* the newline in the format: a %s argument is shown escaped */
	if (!total)
		cli_eprintf("\r%s: %zu commits", what[stage], done);
	else if (done == total)
		cli_eprintf("\r%s %zu/%zu\n", what[stage], done, total);
	else
		cli_eprintf("\r%s %zu/%zu", what[stage], done, total);
}
