/* Output for people: colour, widths, tasks. */
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli.h"

const char *cli_color(const cli_ctx *c, const char *code)
{
	static char buf[8][16];
	static int next;
	char *b;

	if (!c->color)
		return "";
	b = buf[next++ % 8];
	snprintf(b, sizeof(buf[0]), "\033[%sm", code);
	return b;
}

int cli_term_width(void)
{
	struct winsize w;
	const char *cols = getenv("COLUMNS");

	if (cols && atoi(cols) > 20)
		return atoi(cols);
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
	printf("%s\n", b.ptr);
	dlg_buf_dispose(&b);
}

void cli_short_id(char out[37], cli_ctx *c, const char *uuid)
{
	dlg_store_short_id(out, c->store, uuid);
}

void cli_fit(dlg_buf *out, const char *s, int width)
{
	const unsigned char *p = (const unsigned char *)s, *run = p;
	int cols = 0;

	/* Runs of bytes are copied whole; a newline becomes a blank. */
	dlg_buf_clear(out);
	for (; *p; cols++) {
		size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;

		if (cols + 1 > width || (cols + 1 == width && p[n])) {
			dlg_buf_put(out, (const char *)run, (size_t)(p - run));
			dlg_buf_puts(out, "\xe2\x80\xa6"); /* … */
			return;
		}
		if (*p == '\n') {
			dlg_buf_put(out, (const char *)run, (size_t)(p - run));
			dlg_buf_put(out, " ", 1);
			run = p + 1;
		}
		p += n;
	}
	dlg_buf_put(out, (const char *)run, (size_t)(p - run));
}

static void print_text(const char *label, const char *text, int indent)
{
	const char *p = text;

	if (!text)
		return;
	if (*label)
		printf("%*s%s:\n", indent, "", label);
	while (*p) {
		size_t n = strcspn(p, "\n");

		printf("%*s  %.*s\n", indent, "", (int)n, p);
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
	printf("%-10s ", label);
	for (i = 0; i < set->count; i++)
		printf("%s%s", i ? ", " : "", set->items[i]->value);
	putchar('\n');
}

void cli_print_task(cli_ctx *c, const dlg_node *t)
{
	const char *status = dlg_map_get_str(t, "status");
	const dlg_node *ex = dlg_map_get(t, "expectations");
	const dlg_node *list, *conflicts;
	char shortid[37];
	size_t i;

	cli_short_id(shortid, c, dlg_map_get_str(t, "id"));
	printf("%s%s%s  %s%s%s\n", cli_color(c, C_YELLOW), shortid,
	       cli_color(c, C_RESET), cli_color(c, C_BOLD),
	       dlg_map_get_str(t, "title"), cli_color(c, C_RESET));
	printf("%-10s %s%s%s%s\n", "status", cli_color(c, cli_status_color(status)),
	       status, cli_color(c, C_RESET),
	       dlg_task_is_overdue(t, c->now) ? "  (overdue)" : "");
	printf("%-10s %s%s\n", "priority", dlg_map_get_str(t, "priority"),
	       !strcmp(dlg_map_get_str(t, "core"), "true") ? "  (core work)"
							  : "");
	printf("%-10s %s -> %s\n", "delegated", dlg_map_get_str(t, "delegator"),
	       dlg_map_get_str(t, "assignee") ? dlg_map_get_str(t, "assignee")
					      : "(nobody yet)");
	printf("%-10s %s\n", "due",
	       dlg_map_get_str(t, "due") ? dlg_map_get_str(t, "due") : "-");
	if (dlg_map_get_str(t, "estimate_hours"))
		printf("%-10s %s h\n", "estimate",
		       dlg_map_get_str(t, "estimate_hours"));
	printf("%-10s %s", "created", dlg_map_get_str(t, "created"));
	if (dlg_map_get_str(t, "started"))
		printf("  started %s", dlg_map_get_str(t, "started"));
	if (dlg_map_get_str(t, "closed"))
		printf("  closed %s", dlg_map_get_str(t, "closed"));
	putchar('\n');
	if (dlg_map_get_str(t, "updated"))
		printf("%-10s %s by %s\n", "updated",
		       dlg_map_get_str(t, "updated"),
		       dlg_map_get_str(t, "updated_by")
			       ? dlg_map_get_str(t, "updated_by") : "?");
	print_set("tags", dlg_map_get(t, "tags"));
	print_set("skills", dlg_map_get(t, "skills"));
	if (dlg_map_get_str(t, "why")) {
		putchar('\n');
		print_text("Why", dlg_map_get_str(t, "why"), 0);
	}
	if (ex) {
		putchar('\n');
		printf("%sExpectations%s\n", cli_color(c, C_BOLD),
		       cli_color(c, C_RESET));
		print_text("outcome", dlg_map_get_str(ex, "outcome"), 2);
		list = dlg_map_get(ex, "quality");
		if (list && list->count) {
			printf("  quality:\n");
			for (i = 0; i < list->count; i++)
				printf("    - %s\n", list->items[i]->value);
		}
		list = dlg_map_get(ex, "acceptance");
		if (list && list->count) {
			printf("  acceptance:\n");
			for (i = 0; i < list->count; i++) {
				const dlg_node *a = list->items[i];

				printf("    [%s] %s  %s%s%s\n",
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
	list = dlg_map_get(t, "checkpoints");
	if (list && list->count) {
		printf("\n%sCheckpoints%s\n", cli_color(c, C_BOLD),
		       cli_color(c, C_RESET));
		for (i = 0; i < list->count; i++) {
			const dlg_node *cp = list->items[i];
			int done = !strcmp(dlg_map_get_str(cp, "done"), "true");
			char today[11];

			dlg_date_format(today, c->now);
			printf("  [%s] %s  %s%s%s  %s%s%s\n", done ? "x" : " ",
			       dlg_map_get_str(cp, "due"),
			       !done && strcmp(dlg_map_get_str(cp, "due"),
					       today) < 0
				       ? cli_color(c, C_RED) : "",
			       dlg_map_get_str(cp, "what"),
			       cli_color(c, C_RESET), cli_color(c, C_DIM),
			       dlg_map_get_str(cp, "id"), cli_color(c, C_RESET));
		}
	}
	list = dlg_map_get(t, "feedback");
	if (list && list->count) {
		printf("\n%sFeedback%s\n", cli_color(c, C_BOLD),
		       cli_color(c, C_RESET));
		for (i = 0; i < list->count; i++) {
			const dlg_node *f = list->items[i];

			printf("  %s %s (%s", dlg_map_get_str(f, "at"),
			       dlg_map_get_str(f, "author"),
			       dlg_map_get_str(f, "kind"));
			if (dlg_map_get_str(f, "rating"))
				printf(", %s/5", dlg_map_get_str(f, "rating"));
			printf(")\n");
			print_text("", dlg_map_get_str(f, "text"), 2);
		}
	}
	conflicts = dlg_map_get(t, "conflicts");
	if (conflicts && conflicts->kind == DLG_NODE_SEQ && conflicts->count)
		printf("\n%s%zu conflict%s to settle: delegit conflicts%s\n",
		       cli_color(c, C_RED), conflicts->count,
		       conflicts->count == 1 ? "" : "s", cli_color(c, C_RESET));
}
