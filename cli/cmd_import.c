/*
 * delegit import --from (taskwarrior | csv) FILE: tasks from Taskwarrior's
 * `task export` (JSON) or from CSV with export --csv's header
 * (docs/format.md). Everything is read and validated first: bad input is
 * named by file, line and column and changes nothing. Then one commit per
 * task, as add makes (docs/design.md says why). A task whose id is
 * already here is not imported again: a second import of the same file
 * adds nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const cli_opt opts[] = {
	{ CLI_O_FROM, 0, OPT_VALUE, "FORMAT", "taskwarrior (task export's JSON) "
	  "or csv" },
	{ CLI_O_TO, 0, OPT_VALUE, "HANDLE",
	  "assign the tasks that name nobody to HANDLE" },
	{ CLI_O_DRY_RUN, 'n', OPT_FLAG, NULL,
	  "validate and say what would be imported; change nothing" },
	{ CLI_O_QUIET, 'q', OPT_FLAG, NULL, "print nothing but problems" },
	CLI_OPT_END
};

static const cli_spec spec = {
	"delegit import --from (taskwarrior | csv) FILE [--to H] [-n] [-q]",
	"Import tasks from Taskwarrior's 'task export' or from CSV.",
	"The whole file is read and validated first: a problem is named by "
	"file, line\nand column, and nothing is changed. Then each new task "
	"is one commit, as\n'delegit add' makes. Ids are kept (Taskwarrior's "
	"uuid; csv's id column, or one\nderived from the title, due date and "
	"assignee when it is empty or absent),\nso a task already here is "
	"skipped: importing the same file again adds\nnothing. Taskwarrior: "
	"description, status (pending, waiting, completed,\ndeleted; started "
	"tasks are in-progress; recurring templates are skipped), due\n(its "
	"local date), priority (H, M, L), tags, project (a tag), entry, start,"
	"\nend and annotations (progress feedback). CSV: the header of "
	"'delegit export\n--csv' (id, title, status, priority, assignee, "
	"delegator, due, tags,\nestimate_hours, why, outcome, created, updated;"
	" only title is required, in\nany order). You are the delegator of "
	"tasks that name none. On a terminal, the\nprogress is shown.",
	opts, 1, 1, "FILE"
};

typedef struct {
	dlg_node **tasks;
	int *lines, *cols; /* where each task starts in the input */
	size_t count, alloc;
	size_t present, skipped; /* already here; not tasks (templates) */
} batch;

static void batch_add(batch *b, dlg_node *task, int line, int col)
{
	if (b->count == b->alloc) {
		b->alloc = b->alloc ? b->alloc * 2 : 16;
		b->tasks = realloc(b->tasks, b->alloc * sizeof(*b->tasks));
		b->lines = realloc(b->lines, b->alloc * sizeof(*b->lines));
		b->cols = realloc(b->cols, b->alloc * sizeof(*b->cols));
		if (!b->tasks || !b->lines || !b->cols)
			abort();
	}
	b->tasks[b->count] = task;
	b->lines[b->count] = line;
	b->cols[b->count++] = col;
}

static void batch_dispose(batch *b)
{
	size_t i;

	for (i = 0; i < b->count; i++)
		dlg_node_free(b->tasks[i]);
	free(b->tasks);
	free(b->lines);
	free(b->cols);
}

typedef struct {
	cli_ctx *c;
	const char *file;
	const char *to;
	dlg_diags *diags;
	batch *out;
} importer;

/*
 * One field's value checked as validation would, the problem at the
 * input's position; and, as a text argument is (SPEC 4), refused when it
 * holds control characters, bidirectional overrides or bytes that are not
 * UTF-8 (newlines only in text that may span lines).
 */
static int checked(importer *im, const char *field, const char *value,
		   int line, int col)
{
	static const char *const multiline[] = { "why", "outcome",
						 "feedback.text", NULL };
	const dlg_field *f = dlg_schema_field_at(&dlg_schema_task, field);
	dlg_buf problem = DLG_BUF_INIT;
	size_t len = strlen(value), bad;
	size_t at = dlg_escape_span(value, len,
				    dlg_enum_index(multiline, field) >= 0
					    ? DLG_ESC_LINES : 0, &bad);

	if (at < len) {
		if (value[at] == '\n')
			dlg_buf_puts(&problem, "spans lines (expected one line)");
		else {
			dlg_buf_puts(&problem, "holds ");
			dlg_escape(&problem, value + at, bad, 0);
			dlg_buf_puts(&problem, " (expected text in UTF-8, with no "
				     "control characters)");
		}
		dlg_diags_add(im->diags, im->file, line, col, "%s: %s", field,
			      problem.ptr);
		dlg_buf_dispose(&problem);
		return -1;
	}
	if (!f || !dlg_schema_check_value(&problem, f, value, 0)) {
		dlg_buf_dispose(&problem);
		return 0;
	}
	dlg_diags_add(im->diags, im->file, line, col, "%s: %s", field,
		      problem.ptr);
	dlg_buf_dispose(&problem);
	return -1;
}

static void set_stamp(dlg_node *task, const char *key, const char *iso)
{
	dlg_map_set(task, key, dlg_node_new_scalar(DLG_SCALAR_TIMESTAMP, iso));
}

/*
 * A new task, or NULL after a problem. Its id: given, or derived from
 * what names it (so that the same row imports to the same task).
 */
static dlg_node *new_task(importer *im, const char *id, const char *title,
			  const char *derive, int line, int col)
{
	char uuid[DLG_TASK_ID_SIZE];
	dlg_node *t;
	size_t i;

	if (checked(im, "title", title, line, col) < 0)
		return NULL;
	if (id && *id) {
		/* A UUID in either case (RFC 4122), stored in lower case. */
		snprintf(uuid, sizeof(uuid), "%s", id);
		for (i = 0; uuid[i]; i++)
			if (uuid[i] >= 'A' && uuid[i] <= 'F')
				uuid[i] += 'a' - 'A';
		if (strlen(id) != 36 || !dlg_uuid_valid(uuid)) {
			dlg_diags_add(im->diags, im->file, line, col,
				      "bad id '%s' (expected a UUID)", id);
			return NULL;
		}
	} else {
		/* A name-based UUID (version 5's layout, from git's SHA-1 of
		 * the name). */
		unsigned char raw[20];
		char hex[DLG_HEX_ID_SIZE];

		dlg_blob_id(raw, derive, strlen(derive));
		for (i = 0; i < 20; i++)
			sprintf(hex + 2 * i, "%02x", raw[i]);
		snprintf(uuid, sizeof(uuid), "%.8s-%.4s-5%.3s-%c%.3s-%.12s",
			 hex, hex + 8, hex + 13, "89ab"[(hex[16] - '0') & 3],
			 hex + 17, hex + 20);
	}
	for (i = 0; i < im->out->count; i++) {
		if (!strcmp(dlg_map_get_str(im->out->tasks[i], "id"), uuid)) {
			dlg_diags_add(im->diags, im->file, line, col,
				      "duplicate id %s (first at line %d)",
				      uuid, im->out->lines[i]);
			return NULL;
		}
	}
	t = dlg_task_new(uuid, title, cli_me(im->c), im->c->now);
	if (im->to)
		dlg_map_set_str(t, "assignee", im->to);
	return t;
}

static int set_field(importer *im, dlg_node *t, const char *key,
		     const char *value, int line, int col)
{
	if (!value || !*value)
		return 0;
	if (checked(im, key, value, line, col) < 0)
		return -1;
	if (dlg_task_set_field(t, key, value) < 0) {
		dlg_diags_add(im->diags, im->file, line, col, "%s",
			      dlg_error_last());
		return -1;
	}
	return 0;
}

static int add_tag(importer *im, dlg_node *t, const char *tag, int line,
		   int col)
{
	dlg_node *tags = dlg_map_get(t, "tags");
	size_t i;

	if (checked(im, "tags", tag, line, col) < 0)
		return -1;
	for (i = 0; i < tags->count; i++)
		if (!strcmp(tags->items[i]->value, tag))
			return 0;
	dlg_seq_push(tags, dlg_node_new_str(tag));
	return 0;
}

/* The status and its stamps: started for work begun, closed for done and
 * cancelled (when, or now). */
static void set_status(importer *im, dlg_node *t, const char *status,
		       const char *started, const char *closed)
{
	dlg_map_set_str(t, "status", status);
	if (strcmp(status, "open"))
		set_stamp(t, "started", started ? started :
			  dlg_map_get_str(t, "created"));
	if (!strcmp(status, "done") || !strcmp(status, "cancelled")) {
		char now[DLG_TIME_SIZE];

		dlg_time_format(now, im->c->now);
		set_stamp(t, "closed", closed ? closed : now);
	}
}

/* ----------------------------------------------------------- Taskwarrior */

/* Taskwarrior's 20261215T230000Z as 2026-12-15T23:00:00Z, or NULL. */
static const char *tw_time(char out[DLG_TIME_SIZE], const char *s)
{
	if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return NULL;
	snprintf(out, 21, "%.4s-%.2s-%.2sT%.2s:%.2s:%.2sZ", s, s + 4, s + 6,
		 s + 9, s + 11, s + 13);
	return dlg_time_valid(out) ? out : NULL;
}

static const char *tw_str(const dlg_node *obj, const char *key)
{
	const dlg_node *n = obj->kind == DLG_NODE_MAP ? dlg_map_get(obj, key)
						      : NULL;

	return n && n->kind == DLG_NODE_SCALAR && n->type != DLG_SCALAR_NULL
		       ? n->value : NULL;
}

static int tw_time_field(importer *im, const dlg_node *obj, const char *key,
			 char out[DLG_TIME_SIZE], const char **res)
{
	const dlg_node *n = dlg_map_get(obj, key);

	*res = NULL;
	if (!n)
		return 0;
	if (!(*res = tw_time(out, tw_str(obj, key)))) {
		dlg_diags_add(im->diags, im->file, n->line, n->column,
			      "%s: bad time '%s' (expected Taskwarrior's "
			      "YYYYMMDDTHHMMSSZ)", key,
			      n->kind == DLG_NODE_SCALAR ? n->value : "");
		return -1;
	}
	return 0;
}

/* Long: Taskwarrior's fields, one block each, in docs/format.md's order;
 * every problem of the record is named before it is dropped. */
static void tw_task(importer *im, const dlg_node *obj)
{
	static const char *const statuses[][2] = {
		{ "pending", "open" }, { "waiting", "open" },
		{ "completed", "done" }, { "deleted", "cancelled" },
	};
	char entry[DLG_TIME_SIZE], start[DLG_TIME_SIZE], end[DLG_TIME_SIZE], due[DLG_TIME_SIZE], buf[DLG_TIME_SIZE];
	const char *tw_status = tw_str(obj, "status"), *status = NULL;
	const char *desc = tw_str(obj, "description"), *v;
	/* Where a value of the wrong kind is, and what was expected. */
#define WRONG(node, what)                                                     \
	do {                                                                  \
		dlg_diags_add(im->diags, im->file, (node)->line,              \
			      (node)->column, "%s", what);                    \
		bad = -1;                                                     \
	} while (0)
	const char *tentry, *tstart, *tend, *tdue;
	const dlg_node *n;
	dlg_node *t;
	size_t i;
	int bad = 0, line = obj->line, col = obj->column;

	if (obj->kind != DLG_NODE_MAP) {
		dlg_diags_add(im->diags, im->file, line, col,
			      "expected a task (a JSON object)");
		return;
	}
	if (tw_status && !strcmp(tw_status, "recurring")) {
		/* The template of a series: its instances are tasks. */
		im->out->skipped++;
		return;
	}
	for (i = 0; tw_status && i < 4; i++)
		if (!strcmp(tw_status, statuses[i][0]))
			status = statuses[i][1];
	if (!status) {
		n = dlg_map_get(obj, "status");
		dlg_diags_add(im->diags, im->file, n ? n->line : line,
			      n ? n->column : col, "status: unknown '%s' "
			      "(expected pending, waiting, completed, deleted "
			      "or recurring)", tw_status ? tw_status : "");
		return;
	}
	if (!desc || !tw_str(obj, "uuid")) {
		dlg_diags_add(im->diags, im->file, line, col,
			      "a task needs a uuid and a description");
		return;
	}
	n = dlg_map_get(obj, "uuid");
	if (!(t = new_task(im, tw_str(obj, "uuid"), desc, NULL, n->line,
			   n->column)))
		return;
	bad |= tw_time_field(im, obj, "entry", entry, &tentry);
	bad |= tw_time_field(im, obj, "start", start, &tstart);
	bad |= tw_time_field(im, obj, "end", end, &tend);
	bad |= tw_time_field(im, obj, "due", due, &tdue);
	if (tentry)
		set_stamp(t, "created", tentry);
	if (tdue) {
		time_t when;
		char date[DLG_DATE_SIZE];

		/* Taskwarrior keeps the local end of a day in UTC. */
		dlg_time_parse(&when, tdue);
		dlg_date_format(date, when);
		dlg_task_set_field(t, "due", date);
	}
	if ((n = dlg_map_get(obj, "priority")) && n->kind != DLG_NODE_SCALAR)
		WRONG(n, "priority: expected H, M or L");
	if ((v = tw_str(obj, "priority"))) {
		const char *p = !strcmp(v, "H") ? "high" :
				!strcmp(v, "L") ? "low" :
				!strcmp(v, "M") ? "normal" : NULL;

		n = dlg_map_get(obj, "priority");
		if (!p) {
			dlg_diags_add(im->diags, im->file, n->line, n->column,
				      "priority: unknown '%s' (expected H, M "
				      "or L)", v);
			bad = -1;
		} else {
			dlg_map_set_str(t, "priority", p);
		}
	}
	if ((n = dlg_map_get(obj, "tags")) && n->kind != DLG_NODE_SEQ)
		WRONG(n, "tags: expected a list of tags");
	for (i = 0; n && n->kind == DLG_NODE_SEQ && i < n->count; i++) {
		if (n->items[i]->kind != DLG_NODE_SCALAR ||
		    n->items[i]->type == DLG_SCALAR_NULL)
			WRONG(n->items[i], "tags: expected a tag (a string)");
		else
			bad |= add_tag(im, t, n->items[i]->value,
				       n->items[i]->line, n->items[i]->column);
	}
	if ((n = dlg_map_get(obj, "project")) && n->kind != DLG_NODE_SCALAR)
		WRONG(n, "project: expected a string");
	if ((v = tw_str(obj, "project"))) {
		n = dlg_map_get(obj, "project");
		bad |= add_tag(im, t, v, n->line, n->column);
	}
	/* A UDA naming who does it wins over --to. */
	if ((v = tw_str(obj, "assignee"))) {
		n = dlg_map_get(obj, "assignee");
		bad |= set_field(im, t, "assignee", v, n->line, n->column);
	}
	if (!strcmp(status, "open") && tstart)
		status = "in-progress";
	set_status(im, t, status, tstart, tend);
	if ((n = dlg_map_get(obj, "annotations")) && n->kind != DLG_NODE_SEQ)
		WRONG(n, "annotations: expected a list");
	if (n && n->kind == DLG_NODE_SEQ) {
		for (i = 0; i < n->count; i++) {
			const dlg_node *a = n->items[i];
			const char *text = tw_str(a, "description");
			time_t at = im->c->now;

			if (!text) {
				WRONG(a, "annotations: expected an object "
				      "with a description");
				continue;
			}
			if (tw_time(buf, tw_str(a, "entry")))
				dlg_time_parse(&at, buf);
			else if (dlg_map_get(a, "entry"))
				WRONG(dlg_map_get(a, "entry"), "annotations: "
				      "bad entry time (expected Taskwarrior's "
				      "YYYYMMDDTHHMMSSZ)");
			if (checked(im, "feedback.text", text, a->line,
				    a->column) < 0) {
				bad = -1;
				continue;
			}
			dlg_task_add_feedback(t, cli_me(im->c), "progress",
					      text, at);
		}
	}
	if (bad) {
		dlg_node_free(t);
		return;
	}
	batch_add(im->out, t, line, col);
#undef WRONG
}

/*
 * JSON is YAML's flow style, read by the parser every file goes through
 * (its limits too: at most DLG_MAX_FILE bytes, some 2,500 tasks). It reads
 * one map: the array is given a key on the same line, and the positions
 * of line 1 moved back.
 */
static void read_taskwarrior(importer *im, const dlg_buf *text)
{
	static const char key[] = "tasks: ";
	dlg_buf doc_text = DLG_BUF_INIT;
	dlg_node *doc = NULL, *list;
	size_t i, first = im->diags->count;

	dlg_buf_puts(&doc_text, key);
	dlg_buf_put(&doc_text, text->ptr, text->size);
	if (dlg_yaml_parse(&doc, doc_text.ptr, doc_text.size, im->file,
			   im->diags) < 0) {
		for (i = first; i < im->diags->count; i++)
			if (im->diags->items[i].line == 1 &&
			    im->diags->items[i].column > (int)sizeof(key) - 1)
				im->diags->items[i].column -= sizeof(key) - 1;
		goto done;
	}
	list = dlg_map_get(doc, "tasks");
	if (!list || list->kind != DLG_NODE_SEQ) {
		dlg_diags_add(im->diags, im->file, 1, 1,
			      "expected the JSON array of 'task export'");
		goto done;
	}
	for (i = 0; i < list->count; i++) {
		if (list->items[i]->line == 1)
			list->items[i]->column -= sizeof(key) - 1;
		tw_task(im, list->items[i]);
	}
done:
	dlg_node_free(doc);
	dlg_buf_dispose(&doc_text);
}

/* ------------------------------------------------------------------ CSV */

typedef struct {
	char **v;
	int *col;
	size_t n, alloc;
	int line;
} csv_row;

static void csv_row_clear(csv_row *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->v[i]);
	r->n = 0;
}

static void csv_push(csv_row *r, dlg_buf *field, int col)
{
	if (r->n == r->alloc) {
		r->alloc = r->alloc ? r->alloc * 2 : 16;
		r->v = realloc(r->v, r->alloc * sizeof(*r->v));
		r->col = realloc(r->col, r->alloc * sizeof(*r->col));
		if (!r->v || !r->col)
			abort();
	}
	r->col[r->n] = col;
	r->v[r->n++] = dlg_buf_detach(field);
}

/*
 * The next record of RFC 4180 CSV (quoted fields may hold commas, quotes
 * doubled and line breaks; CRLF or LF), from *p; 0 at the end, -1 after
 * a problem. *line and *col follow the text, counting characters. Long:
 * RFC 4180's states in one loop over the characters.
 */
static int csv_next(importer *im, csv_row *r, const char **p, int *line,
		    int *col)
{
	dlg_buf f = DLG_BUF_INIT;
	const char *s = *p;
	int start;

	csv_row_clear(r);
	if (!*s)
		return 0;
	r->line = *line;
	for (;;) {
		start = *col;
		if (*s == '"') {
			int qline = *line, qcol = *col;

			s++;
			(*col)++;
			for (;;) {
				if (!*s) {
					dlg_diags_add(im->diags, im->file,
						      qline, qcol,
						      "unterminated quoted "
						      "field");
					dlg_buf_dispose(&f);
					return -1;
				}
				if (*s == '"' && s[1] == '"') {
					dlg_buf_put(&f, "\"", 1);
					s += 2;
					*col += 2;
				} else if (*s == '"') {
					s++;
					(*col)++;
					break;
				} else {
					if (*s == '\n') {
						(*line)++;
						*col = 0;
					}
					if (*s != '\r' || s[1] != '\n')
						dlg_buf_put(&f, s, 1);
					if (((unsigned char)*s & 0xC0) != 0x80)
						(*col)++;
					s++;
				}
			}
			if (*s && *s != ',' && *s != '\n' && *s != '\r') {
				dlg_diags_add(im->diags, im->file, *line, *col,
					      "expected ',' or the end of the "
					      "line after a quoted field");
				dlg_buf_dispose(&f);
				return -1;
			}
		} else {
			while (*s && *s != ',' && *s != '\n' &&
			       !(*s == '\r' && s[1] == '\n')) {
				if (*s == '"') {
					dlg_diags_add(im->diags, im->file,
						      *line, *col, "a quote "
						      "inside an unquoted "
						      "field (quote the whole "
						      "field, doubling it)");
					dlg_buf_dispose(&f);
					return -1;
				}
				dlg_buf_put(&f, s, 1);
				if (((unsigned char)*s & 0xC0) != 0x80)
					(*col)++;
				s++;
			}
		}
		csv_push(r, &f, start);
		if (*s == ',') {
			s++;
			(*col)++;
			continue;
		}
		if (*s == '\r')
			s++;
		if (*s == '\n')
			s++;
		(*line)++;
		*col = 1;
		break;
	}
	*p = s;
	dlg_buf_dispose(&f);
	return 1;
}

static const char *const csv_columns[] = {
	"id", "title", "status", "priority", "assignee", "delegator", "due",
	"tags", "estimate_hours", "why", "outcome", "created", "updated", NULL
};

enum { C_ID, C_TITLE, C_STATUS, C_PRIORITY, C_ASSIGNEE, C_DELEGATOR,
       C_DUE, C_TAGS, C_ESTIMATE, C_WHY, C_OUTCOME, C_CREATED, C_UPDATED,
       C_COUNT };

/* Long: the columns, one block each, every problem of the row named. */
static void csv_task(importer *im, const csv_row *r, const int *at)
{
	const char *v[C_COUNT];
	int cols[C_COUNT];
	dlg_buf derive = DLG_BUF_INIT, tag = DLG_BUF_INIT;
	dlg_node *t;
	const char *status = "open", *p;
	size_t k;
	int bad = 0;

	for (k = 0; k < C_COUNT; k++) {
		v[k] = at[k] >= 0 && (size_t)at[k] < r->n ? r->v[at[k]] : NULL;
		cols[k] = at[k] >= 0 && (size_t)at[k] < r->n ? r->col[at[k]] : 1;
		if (v[k] && !*v[k])
			v[k] = NULL;
	}
	if (r->n == 1 && !r->v[0][0])
		return; /* a blank line */
	if (!v[C_TITLE]) {
		dlg_diags_add(im->diags, im->file, r->line, cols[C_TITLE],
			      "title: a task needs a title");
		return;
	}
	dlg_buf_printf(&derive, "delegit import csv\n%s\n%s\n%s", v[C_TITLE],
		       v[C_DUE] ? v[C_DUE] : "",
		       v[C_ASSIGNEE] ? v[C_ASSIGNEE] : (im->to ? im->to : ""));
	t = new_task(im, v[C_ID], v[C_TITLE], derive.ptr, r->line,
		     cols[v[C_ID] ? C_ID : C_TITLE]);
	dlg_buf_dispose(&derive);
	if (!t)
		return;
	bad |= set_field(im, t, "priority", v[C_PRIORITY], r->line,
			 cols[C_PRIORITY]);
	bad |= set_field(im, t, "assignee", v[C_ASSIGNEE], r->line,
			 cols[C_ASSIGNEE]);
	bad |= set_field(im, t, "delegator", v[C_DELEGATOR], r->line,
			 cols[C_DELEGATOR]);
	if (v[C_DUE] && !dlg_date_valid(v[C_DUE])) {
		dlg_diags_add(im->diags, im->file, r->line, cols[C_DUE],
			      "due: bad date '%s' (expected YYYY-MM-DD)",
			      v[C_DUE]);
		bad = -1;
	} else {
		bad |= set_field(im, t, "due", v[C_DUE], r->line, cols[C_DUE]);
	}
	bad |= set_field(im, t, "estimate_hours", v[C_ESTIMATE], r->line,
			 cols[C_ESTIMATE]);
	bad |= set_field(im, t, "why", v[C_WHY], r->line, cols[C_WHY]);
	bad |= set_field(im, t, "outcome", v[C_OUTCOME], r->line,
			 cols[C_OUTCOME]);
	for (p = v[C_TAGS]; p && *p;) {
		size_t n = strcspn(p, " ");

		if (n) {
			dlg_buf_clear(&tag);
			dlg_buf_put(&tag, p, n);
			bad |= add_tag(im, t, tag.ptr, r->line, cols[C_TAGS]);
		}
		p += n + (p[n] == ' ');
	}
	dlg_buf_dispose(&tag);
	if (v[C_CREATED]) {
		if (!dlg_time_valid(v[C_CREATED])) {
			dlg_diags_add(im->diags, im->file, r->line,
				      cols[C_CREATED], "created: bad time '%s' "
				      "(expected YYYY-MM-DDTHH:MM:SSZ)",
				      v[C_CREATED]);
			bad = -1;
		} else {
			set_stamp(t, "created", v[C_CREATED]);
		}
	}
	if (v[C_STATUS]) {
		if (dlg_enum_index(dlg_statuses, v[C_STATUS]) < 0) {
			dlg_buf ok = DLG_BUF_INIT;

			cli_values_list(&ok, dlg_statuses);
			dlg_diags_add(im->diags, im->file, r->line,
				      cols[C_STATUS], "status: unknown '%s' "
				      "(expected %s)", v[C_STATUS], ok.ptr);
			dlg_buf_dispose(&ok);
			bad = -1;
		} else {
			status = v[C_STATUS];
		}
	}
	set_status(im, t, status, NULL, NULL);
	if (bad) {
		dlg_node_free(t);
		return;
	}
	batch_add(im->out, t, r->line, 1);
}

static void read_csv(importer *im, const dlg_buf *text)
{
	csv_row r;
	const char *p = text->ptr;
	int line = 1, col = 1, at[C_COUNT], got;
	size_t i, k;

	memset(&r, 0, sizeof(r));
	if (!strncmp(p, "\xEF\xBB\xBF", 3))
		p += 3; /* a spreadsheet's byte order mark */
	if ((got = csv_next(im, &r, &p, &line, &col)) <= 0) {
		if (!got)
			dlg_diags_add(im->diags, im->file, 1, 1,
				      "expected a header line (title and "
				      "any of id, status, priority, "
				      "assignee, ...)");
		goto done;
	}
	for (k = 0; k < C_COUNT; k++)
		at[k] = -1;
	for (i = 0; i < r.n; i++) {
		long c = dlg_enum_index(csv_columns, r.v[i]);

		if (c < 0) {
			dlg_diags_add(im->diags, im->file, 1, r.col[i],
				      "unknown column '%s' (expected id, "
				      "title, status, priority, assignee, "
				      "delegator, due, tags, estimate_hours, "
				      "why, outcome, created, updated)",
				      r.v[i]);
		} else if (at[c] >= 0) {
			dlg_diags_add(im->diags, im->file, 1, r.col[i],
				      "column '%s' given twice", r.v[i]);
		} else {
			at[c] = (int)i;
		}
	}
	if (at[C_TITLE] < 0)
		dlg_diags_add(im->diags, im->file, 1, 1,
			      "the header has no 'title' column");
	if (im->diags->count)
		goto done;
	while ((got = csv_next(im, &r, &p, &line, &col)) > 0)
		csv_task(im, &r, at);
done:
	csv_row_clear(&r);
	free(r.v);
	free(r.col);
}

/* ----------------------------------------------------------- the command */

static int read_input(dlg_buf *out, const char *file)
{
	FILE *f = fopen(file, "rb");
	char chunk[65536];
	size_t n;

	if (!f) {
		dlg_error_set("cannot read '%s': %s", file, strerror(errno));
		return DLG_ERROR;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		dlg_buf_put(out, chunk, n);
	if (ferror(f)) {
		dlg_error_set("cannot read '%s': %s", file, strerror(errno));
		fclose(f);
		return DLG_ERROR;
	}
	fclose(f);
	if (memchr(out->ptr, '\0', out->size)) {
		dlg_error_set("%s: a binary file (a NUL byte), not %s", file,
			      "text");
		return DLG_EINVALID;
	}
	return 0;
}

/* Each task as the format has it (and its people known): problems to
 * im->diags, at the task's place in the file. */
static void check_batch(importer *im, const batch *b)
{
	dlg_buf path = DLG_BUF_INIT;
	size_t i;

	for (i = 0; i < b->count; i++) {
		dlg_diags one = DLG_DIAGS_INIT;
		const char *fields[] = { "assignee", "delegator" };
		size_t k, j;

		dlg_buf_clear(&path);
		dlg_task_path(&path, dlg_map_get_str(b->tasks[i], "id"));
		if (dlg_schema_validate(b->tasks[i], &dlg_schema_task, path.ptr,
					&one) < 0) {
			for (j = 0; j < one.count; j++)
				dlg_diags_add(im->diags, im->file, b->lines[i],
					      b->cols[i], "%s",
					      one.items[j].message);
		}
		dlg_diags_dispose(&one);
		for (k = 0; k < 2; k++) {
			const char *h = dlg_map_get_str(b->tasks[i], fields[k]);

			if (h && !dlg_team_find(&im->c->team, h))
				dlg_diags_add(im->diags, im->file, b->lines[i],
					      b->cols[i], "%s: '%s' is not in "
					      "the team", fields[k], h);
		}
	}
	dlg_buf_dispose(&path);
}

/* And that you may make each one (the policy, as add is judged), before
 * the first commit. */
static int check_policy(importer *im, const batch *b)
{
	dlg_buf path = DLG_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; i < b->count; i++) {
		dlg_buf_clear(&path);
		dlg_task_path(&path, dlg_map_get_str(b->tasks[i], "id"));
		if (dlg_store_exists(im->c->store, path.ptr))
			continue;
		if ((error = cli_policy_check(im->c, path.ptr, NULL,
					      b->tasks[i])) < 0) {
			cli_error(error, "%s:%d:%d: the task there may not be "
				  "imported by you; nothing was changed",
				  im->file, b->lines[i], b->cols[i]);
			break;
		}
	}
	dlg_buf_dispose(&path);
	return error;
}

/* Long (87 lines): the options, then reading, checking (check_batch,
 * check_policy) and a commit per task, in that order. */
int cmd_import(cli_ctx *c, int argc, char **argv)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_buf text = DLG_BUF_INIT, path = DLG_BUF_INIT;
	batch b;
	importer im;
	const char *from;
	cli_args a;
	size_t i, done = 0;
	int error, progress, quiet;

	memset(&b, 0, sizeof(b));
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	from = cli_get(&a, CLI_O_FROM);
	quiet = cli_flag(&a, CLI_O_QUIET);
	if (!from || (strcmp(from, "taskwarrior") && strcmp(from, "csv"))) {
		dlg_error_set("--from: %s'%s' (expected taskwarrior or csv)",
			      from ? "unknown format " : "say which format ",
			      from ? from : "");
		error = DLG_EUSAGE;
		goto done;
	}
	if (cli_get(&a, CLI_O_TO) &&
	    (error = cli_check_person(c, cli_get(&a, CLI_O_TO), "--to")) < 0)
		goto done;
	if ((error = read_input(&text, a.pos[0])) < 0)
		goto done;
	im.c = c;
	im.file = a.pos[0];
	im.to = cli_get(&a, CLI_O_TO);
	im.diags = &diags;
	im.out = &b;
	if (!strcmp(from, "taskwarrior"))
		read_taskwarrior(&im, &text);
	else
		read_csv(&im, &text);
	check_batch(&im, &b);
	if (diags.count) {
		error = cli_fail(DLG_EINVALID, &diags);
		goto done;
	}
	if ((error = check_policy(&im, &b)) < 0)
		goto done;
	progress = !quiet && isatty(2);
	for (i = 0; i < b.count; i++) {
		cli_task t;

		memset(&t, 0, sizeof(t));
		snprintf(t.id, sizeof(t.id), "%s",
			 dlg_map_get_str(b.tasks[i], "id"));
		dlg_buf_clear(&path);
		dlg_task_path(&path, t.id);
		if (dlg_store_exists(c->store, path.ptr)) {
			b.present++;
			continue;
		}
		if (cli_flag(&a, CLI_O_DRY_RUN)) {
			done++;
			continue;
		}
		if (progress)
			cli_eprintf("\rimporting %zu of %zu", i + 1, b.count);
		t.path = dlg_buf_detach(&path);
		t.task = b.tasks[i];
		error = cli_task_commit(c, &t, "import", CLI_OUT_QUIET);
		t.task = NULL; /* still the batch's */
		cli_task_dispose(&t);
		if (error < 0)
			goto done;
		done++;
	}
	if (progress)
		cli_eprintf("\r\033[K");
	if (!quiet)
		cli_printf("%s %zu task%s from %s (%zu already here%s)\n",
			   cli_flag(&a, CLI_O_DRY_RUN) ? "would import"
						   : "imported",
			   done, done == 1 ? "" : "s", im.file, b.present,
			   b.skipped ? ", recurring templates skipped" : "");
done:
	batch_dispose(&b);
	dlg_buf_dispose(&path);
	dlg_buf_dispose(&text);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}
