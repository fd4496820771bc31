/* Queries over the tasks: list filters and sorting, the agenda. */
#define _GNU_SOURCE /* qsort_r: the sort key goes to the comparison */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

const char *const dlg_query_sort_keys[] = { "due", "priority", "created",
					    "updated", "status", "title",
					    "assignee", "id", NULL };
static const char *const *const sort_keys = dlg_query_sort_keys;

int dlg_query_sort_valid(const char *key)
{
	return dlg_enum_index(sort_keys, key) >= 0;
}

static int str_eq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static int has_tag(const char *tags, const char *tag)
{
	size_t n = strlen(tag);

	for (; *tags; tags = strchr(tags, '\n') + 1)
		if (!strncmp(tags, tag, n) && tags[n] == '\n')
			return 1;
	return 0;
}

int dlg_row_is_open(const dlg_row *r)
{
	return r->status && strcmp(r->status, "done") &&
	       strcmp(r->status, "cancelled");
}

int dlg_row_is_overdue(const dlg_row *r, const char *today)
{
	return dlg_row_is_open(r) && r->due && strcmp(r->due, today) < 0;
}

static int matches(const dlg_row *t, const dlg_query *q, const dlg_team *team,
		   const char *today)
{
	if (q->status ? !str_eq(q->status, t->status)
		      : !q->all && !dlg_row_is_open(t))
		return 0;
	if (q->assignee && !str_eq(q->assignee, t->assignee))
		return 0;
	if (q->delegator && !str_eq(q->delegator, t->delegator))
		return 0;
	if (q->person && !str_eq(q->person, t->assignee) &&
	    !str_eq(q->person, t->delegator))
		return 0;
	if (q->org) {
		const dlg_node *p = team ? dlg_team_find(team, t->assignee)
					 : NULL;

		if (!p || !str_eq(q->org, dlg_map_get_str(p, "org")))
			return 0;
	}
	if (q->tag && !has_tag(t->tags, q->tag))
		return 0;
	if (q->overdue && !dlg_row_is_overdue(t, today))
		return 0;
	if (q->due_before && (!t->due || strcmp(t->due, q->due_before) >= 0))
		return 0;
	if (q->core && !t->core)
		return 0;
	if (q->recurring && !t->every)
		return 0;
	return 1;
}

/*
 * Sorting. What a comparison looks at is copied next to each row first:
 * following the rows' pointers into the cache file (30 MB at 100k tasks)
 * missed the processor's cache at nearly every step.
 */
enum { K_DUE, K_PRIORITY, K_CREATED, K_UPDATED, K_STATUS, K_TITLE,
       K_ASSIGNEE, K_ID };
#define PREFIX 16

/* A string's first bytes, NUL padded; enough to order most pairs. */
typedef struct {
	const char *s; /* NULL: missing, sorts last whatever the key */
	char head[PREFIX];
} sort_str;

typedef struct {
	sort_str first, due, id;
	int rank; /* the first key's, when it is an enumeration */
	int priority;
	const dlg_row *row;
} sort_rec;

static void key_set(sort_str *k, const char *s)
{
	size_t len = s ? strnlen(s, PREFIX) : 0;

	k->s = s;
	memcpy(k->head, s ? s : "", len);
	memset(k->head + len, 0, PREFIX - len);
}

/* As strcmp, missing values last. */
static int key_cmp(const sort_str *a, const sort_str *b)
{
	int c;

	if (!a->s || !b->s)
		return !a->s - !b->s;
	if ((c = memcmp(a->head, b->head, PREFIX)) != 0)
		return c;
	/* Equal heads with a NUL in them are equal strings. */
	return a->head[PREFIX - 1] ? strcmp(a->s, b->s) : 0;
}

static void sort_rec_set(sort_rec *x, const dlg_row *r, int sort_key)
{
	const char *first;

	switch (sort_key) {
	case K_DUE: first = r->due; break;
	case K_CREATED: first = r->created; break;
	case K_UPDATED: first = r->updated; break;
	case K_TITLE: first = r->title; break;
	case K_ASSIGNEE: first = r->assignee; break;
	default: first = r->id;
	}
	key_set(&x->first, first);
	key_set(&x->due, r->due);
	key_set(&x->id, r->id);
	/* Unknown values (none pass validation) sort first. */
	x->priority = dlg_enum_index(dlg_priorities, r->priority);
	x->rank = sort_key == K_STATUS ? dlg_enum_index(dlg_statuses, r->status)
				       : x->priority;
	x->row = r;
}

/* arg: the sort key (an index of sort_keys), for qsort_r */
static int cmp_rec(const void *x, const void *y, void *arg)
{
	const sort_rec *a = x, *b = y;
	int sort_key = *(const int *)arg;
	int c;

	if (sort_key == K_PRIORITY || sort_key == K_STATUS)
		c = a->rank - b->rank;
	else if (sort_key == K_UPDATED)
		/* Most recent first. */
		c = key_cmp(&b->first, &a->first);
	else
		c = key_cmp(&a->first, &b->first);
	if (!c && sort_key != K_DUE)
		c = key_cmp(&a->due, &b->due);
	if (!c)
		c = a->priority - b->priority;
	if (!c)
		c = key_cmp(&a->id, &b->id);
	return c;
}

int dlg_query_rows(const dlg_row ***out, size_t *count, dlg_rows *rows,
		   const dlg_query *q, const dlg_team *team, time_t now)
{
	size_t i, n = 0, alloc = 0, total = dlg_rows_count(rows);
	const dlg_row **v;
	sort_rec *recs = NULL;
	char today[DLG_DATE_SIZE];
	int sort_key;

	dlg_date_format(today, now);
	sort_key = q->sort ? dlg_enum_index(sort_keys, q->sort) : K_DUE;
	if (sort_key < 0)
		sort_key = K_DUE;
	/* One pass over the rows, in the cache file's order. */
	for (i = 0; i < total; i++) {
		if (!matches(dlg_rows_at(rows, i), q, team, today))
			continue;
		if (n == alloc) {
			alloc = alloc ? alloc + alloc / 2 : 1024;
			if (!(recs = realloc(recs, alloc * sizeof(*recs))))
				abort();
			dlg_prefault(recs + n, (alloc - n) * sizeof(*recs));
		}
		sort_rec_set(&recs[n++], dlg_rows_at(rows, i), sort_key);
	}
	if (n)
		qsort_r(recs, n, sizeof(*recs), cmp_rec, &sort_key);
	if (!(v = malloc((n + 1) * sizeof(*v))))
		abort();
	for (i = 0; i < n; i++)
		v[i] = recs[i].row;
	free(recs);
	*out = v;
	*count = n;
	return 0;
}

static int has_word(const char *text, const char *w)
{
	size_t n = strlen(w), i;

	if (!text)
		return 0;
	for (; *text; text++) {
		for (i = 0; i < n && text[i] &&
			    tolower((unsigned char)text[i]) ==
				    tolower((unsigned char)w[i]); i++)
			;
		if (i == n)
			return 1;
	}
	return !n;
}

int dlg_text_has_words(const char *text, const char *const *words, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!has_word(text, words[i]))
			return 0;
	return 1;
}

/* Every text of a task a search looks in, one a line. */
static void task_text(dlg_buf *out, const dlg_node *t)
{
	const dlg_node *ex = dlg_map_get(t, "expectations"), *l;
	static const char *const lists[][2] = { { "quality", NULL },
						{ "acceptance", "text" } };
	size_t i, k;

	dlg_buf_printf(out, "%s\n", dlg_map_get_str(t, "title") ?
			dlg_map_get_str(t, "title") : "");
	if (dlg_map_get_str(t, "why"))
		dlg_buf_printf(out, "%s\n", dlg_map_get_str(t, "why"));
	if (dlg_map_get_str(ex, "outcome"))
		dlg_buf_printf(out, "%s\n", dlg_map_get_str(ex, "outcome"));
	if (dlg_map_get_str(ex, "process"))
		dlg_buf_printf(out, "%s\n", dlg_map_get_str(ex, "process"));
	for (k = 0; k < 2; k++) {
		l = dlg_map_get(ex, lists[k][0]);
		for (i = 0; l && l->kind == DLG_NODE_SEQ && i < l->count; i++) {
			const char *v = lists[k][1]
				? dlg_map_get_str(l->items[i], lists[k][1])
				: l->items[i]->kind == DLG_NODE_SCALAR
					? l->items[i]->value : NULL;

			if (v)
				dlg_buf_printf(out, "%s\n", v);
		}
	}
	l = dlg_map_get(t, "feedback");
	for (i = 0; l && l->kind == DLG_NODE_SEQ && i < l->count; i++)
		if (dlg_map_get_str(l->items[i], "text"))
			dlg_buf_printf(out, "%s\n",
				       dlg_map_get_str(l->items[i], "text"));
}

int dlg_task_has_words(const dlg_node *task, const char *const *words,
		       size_t n)
{
	dlg_buf text = DLG_BUF_INIT;
	int ok;

	if (!n)
		return 1;
	task_text(&text, task);
	ok = dlg_text_has_words(text.ptr, words, n);
	dlg_buf_dispose(&text);
	return ok;
}

int dlg_query_select(const dlg_row ***out, size_t *count, dlg_rows *rows,
		     dlg_store *s, const dlg_query *q, const dlg_team *team,
		     time_t now, dlg_diags *diags)
{
	dlg_buf rel = DLG_BUF_INIT;
	const dlg_row **v;
	size_t i, n = 0, total;

	dlg_query_rows(&v, &total, rows, q, team, now);
	for (i = 0; i < total; i++) {
		dlg_node *doc = NULL;
		int keep;

		if (!q->nwords ||
		    dlg_text_has_words(v[i]->title, q->words, q->nwords)) {
			v[n++] = v[i];
			continue;
		}
		/* the title alone does not say: the rest is in the file */
		dlg_task_path(&rel, v[i]->file);
		keep = dlg_store_load(&doc, s, rel.ptr, &dlg_schema_task,
				      diags) == 0 &&
		       dlg_task_has_words(doc, q->words, q->nwords);
		dlg_node_free(doc);
		if (keep)
			v[n++] = v[i];
	}
	dlg_buf_dispose(&rel);
	*out = v;
	*count = n;
	return 0;
}

/* The trees cache beside the rows cache (its folder's delegit-trees). */
static dlg_trees *open_trees(const char *rows_cache)
{
	const char *slash = strrchr(rows_cache, '/');
	dlg_buf path = DLG_BUF_INIT;
	dlg_trees *t;

	dlg_buf_printf(&path, "%.*sdelegit-trees",
		       slash ? (int)(slash - rows_cache + 1) : 0, rows_cache);
	t = dlg__trees_open(path.ptr);
	dlg_buf_dispose(&path);
	return t;
}

/*
 * A row's task, as the trees cache has it for the blob the rows vouch for;
 * else read and parsed (a file changed since the scan reads as it is now),
 * and kept in the cache when the bytes read are that blob and parsing them
 * reported nothing. NULL when the file is gone or invalid (diags say why).
 */
static dlg_node *load_task(dlg_store *s, dlg_trees *trees, const dlg_row *row,
			   int frozen, dlg_diags *diags)
{
	static const unsigned char none[20];
	const unsigned char *oid = dlg__row_oid(row);
	dlg_buf rel = DLG_BUF_INIT, text = DLG_BUF_INIT;
	dlg_node *doc = NULL;
	size_t before = diags->count;

	if (!memcmp(oid, none, sizeof(none)))
		trees = NULL; /* a row with no blob id: nothing to key by */
	if (trees && (doc = frozen ? dlg__trees_get_frozen(trees, oid)
				   : dlg__trees_get(trees, oid))) {
		/* the file it was stored for: the id is the row's */
		if (!strcmp(dlg_map_get_str(doc, "id") ? dlg_map_get_str(doc, "id")
							: "", row->file))
			return doc;
		dlg_node_free(doc);
		doc = NULL;
	}
	dlg_task_path(&rel, row->file);
	if (dlg_store_load_text(&doc, &text, s, rel.ptr, &dlg_schema_task,
				diags) == 0 &&
	    trees && diags->count == before &&
	    dlg__blob_is(s, oid, text.ptr, text.size))
		dlg__trees_put(trees, oid, doc);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&rel);
	return doc;
}

int dlg_query_run(dlg_node ***out, size_t *count, dlg_store *s,
		  const dlg_query *q, const dlg_team *team, time_t now,
		  dlg_diags *diags)
{
	dlg_rows *rows = NULL;
	const dlg_row **match = NULL;
	dlg_trees *trees = NULL;
	size_t i, n = 0, nmatch = 0;
	dlg_node **v;
	int error;

	*out = NULL;
	*count = 0;
	if ((error = dlg_rows_load(&rows, s, dlg_store_cache(s), diags)) < 0)
		return error;
	dlg_query_rows(&match, &nmatch, rows, q, team, now);
	/* keyed by blob id: only with a store that hashes (no id else) */
	if (!q->rows_only && nmatch && dlg_store_cache(s) &&
	    dlg_store__hash(s))
		trees = open_trees(dlg_store_cache(s));
	v = calloc(nmatch + 1, sizeof(*v));
	if (!v)
		abort();
	for (i = 0; i < nmatch; i++) {
		if (q->rows_only) {
			/* a search, as far as rows tell: titles */
			if (dlg_text_has_words(match[i]->title, q->words,
					       q->nwords))
				v[n++] = dlg_row_task(match[i]);
			continue;
		}
		if (!(v[n] = load_task(s, trees, match[i], q->frozen, diags)))
			continue;
		if (dlg_task_has_words(v[n], q->words, q->nwords))
			n++;
		else
			dlg_node_free(v[n]), v[n] = NULL;
	}
	dlg__trees_close(trees, rows);
	free(match);
	dlg_rows_free(rows);
	*out = v;
	*count = n;
	return 0;
}

static void set_scalar(dlg_node *m, const char *key, dlg_scalar_type type,
		       const char *value)
{
	if (value)
		dlg_map_set(m, key, dlg_node_new_scalar(type, value));
}

dlg_node *dlg_row_task(const dlg_row *r)
{
	dlg_node *m = dlg_node_new_map(), *tags = dlg_node_new_seq();
	const char *p, *nl;

	set_scalar(m, "id", DLG_SCALAR_STR, r->id);
	set_scalar(m, "title", DLG_SCALAR_STR, r->title);
	set_scalar(m, "status", DLG_SCALAR_STR, r->status);
	set_scalar(m, "priority", DLG_SCALAR_STR, r->priority);
	set_scalar(m, "due", DLG_SCALAR_STR, r->due);
	set_scalar(m, "assignee", DLG_SCALAR_STR, r->assignee);
	set_scalar(m, "delegator", DLG_SCALAR_STR, r->delegator);
	set_scalar(m, "created", DLG_SCALAR_STR, r->created);
	set_scalar(m, "updated", DLG_SCALAR_STR, r->updated);
	set_scalar(m, "core", DLG_SCALAR_BOOL, r->core ? "true" : "false");
	if (r->after) {
		dlg_node *after = dlg_node_new_seq();

		for (p = r->after; (nl = strchr(p, '\n')); p = nl + 1) {
			char *id = dlg_strndup(p, (size_t)(nl - p));

			dlg_seq_push(after, dlg_node_new_str(id));
			free(id);
		}
		dlg_map_set(m, "after", after);
	}
	if (r->estimate_hours) /* a number, as the schema has it */
		set_scalar(m, "estimate_hours",
			   dlg_yaml_resolve(r->estimate_hours),
			   r->estimate_hours);
	for (p = r->tags; (nl = strchr(p, '\n')); p = nl + 1) {
		char *tag = dlg_strndup(p, (size_t)(nl - p));

		dlg_seq_push(tags, dlg_node_new_str(tag));
		free(tag);
	}
	dlg_map_set(m, "tags", tags);
	/* not a field of the format: the sum of the task's time entries,
	 * which dlg_task_spent reads (reports that read rows only) */
	if (r->spent_hours)
		set_scalar(m, "spent_hours", dlg_yaml_resolve(r->spent_hours),
			   r->spent_hours);
	return m;
}

static const char *const agenda_names[] = {
	"overdue", "late checkpoint", "waiting for your review",
	"asks for a new due date", "open conflicts", "concerns raised",
	"check-in due", "blocked for more than 2 days",
	"ready to start", "checkpoint this week", "due this week",
	"delegated, due this week", "handed in, waiting for review",
	"waiting for other tasks", "in hand",
};

const char *dlg_agenda_kind_name(dlg_agenda_kind k)
{
	return agenda_names[k];
}

typedef struct {
	dlg_agenda_item *items;
	size_t count, alloc;
} agenda;

static dlg_agenda_item *agenda_add(agenda *a, dlg_agenda_kind kind,
				   const dlg_node *task, const dlg_node *cp,
				   long days)
{
	dlg_agenda_item *x;

	if (a->count == a->alloc) {
		a->alloc = a->alloc ? a->alloc * 2 : 16;
		a->items = realloc(a->items, a->alloc * sizeof(*a->items));
		if (!a->items)
			abort();
	}
	x = &a->items[a->count++];
	x->kind = kind;
	x->task = task;
	x->checkpoint = cp;
	x->note = NULL;
	x->dep = NULL;
	x->days = days;
	return x;
}

static int cmp_item(const void *x, const void *y)
{
	const dlg_agenda_item *a = x, *b = y;

	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	/* Latest first among late items and the longest waiting reviews,
	 * soonest (or newest) first among the rest. */
	if (a->days != b->days)
		return (a->days < b->days) == (a->kind == DLG_AGENDA_OVERDUE ||
					       a->kind ==
						       DLG_AGENDA_CHECKPOINT_LATE ||
					       a->kind == DLG_AGENDA_REVIEW)
			       ? 1 : -1;
	return strcmp(dlg_map_get_str(a->task, "id"),
		      dlg_map_get_str(b->task, "id"));
}

/* Concerns someone else raised on the task since `since`. */
static void add_concerns(agenda *a, const dlg_node *t, const char *handle,
			 time_t since, time_t now)
{
	const dlg_node *fb = dlg_map_get(t, "feedback");
	size_t j;

	for (j = 0; fb && fb->kind == DLG_NODE_SEQ && j < fb->count; j++) {
		const dlg_node *f = fb->items[j];
		time_t at;

		if (!str_eq(dlg_map_get_str(f, "kind"), "concern") ||
		    str_eq(dlg_map_get_str(f, "author"), handle) ||
		    !dlg_map_get_str(f, "at") ||
		    dlg_time_parse(&at, dlg_map_get_str(f, "at")) < 0 ||
		    at < since)
			continue;
		/* days ago: the newest first */
		agenda_add(a, DLG_AGENDA_CONCERN, t, NULL,
			   (long)((now - at) / 86400))->note = f;
	}
}

const char *dlg_task_autonomy(const dlg_node *task, const dlg_team *team)
{
	const char *level = dlg_map_get_str(task, "autonomy");
	const dlg_node *person;

	if (level)
		return level;
	person = team && dlg_map_get_str(task, "assignee")
			 ? dlg_team_find(team, dlg_map_get_str(task, "assignee"))
			 : NULL;
	return person ? dlg_map_get_str(person, "autonomy") : NULL;
}

int dlg_checkin_days(const char *level)
{
	static const int days[] = { 2, 4, 7, 0 };
	int i = level ? dlg_enum_index(dlg_autonomy_levels, level) : -1;

	return i < 0 ? 0 : days[i];
}

/* A check-in due on work under way: the level's days have passed since
 * the last check-in (a feedback entry of kind check-in), or since the
 * work started. Returns the days since, or -1 when none is due. */
static long checkin_due(const dlg_node *t, const dlg_team *team, time_t now)
{
	const char *status = dlg_map_get_str(t, "status");
	const dlg_node *fb = dlg_map_get(t, "feedback");
	const char *last = dlg_map_get_str(t, "started");
	int every = dlg_checkin_days(dlg_task_autonomy(t, team));
	time_t since, at;
	size_t j;

	if (!every || !last ||
	    (strcmp(status, "in-progress") && strcmp(status, "blocked")) ||
	    dlg_time_parse(&since, last) < 0)
		return -1;
	for (j = 0; fb && fb->kind == DLG_NODE_SEQ && j < fb->count; j++)
		if (str_eq(dlg_map_get_str(fb->items[j], "kind"), "check-in") &&
		    dlg_map_get_str(fb->items[j], "at") &&
		    dlg_time_parse(&at, dlg_map_get_str(fb->items[j], "at")) ==
			    0 &&
		    at > since)
			since = at;
	if (now - since < (time_t)every * 86400)
		return -1;
	return (long)((now - since) / 86400);
}

/* The task's own line: the first group that holds it. */
static void add_task(agenda *a, const dlg_node *t, int mine, int theirs,
		     time_t now, const dlg_events *ev)
{
	const char *status = dlg_map_get_str(t, "status");
	const char *due = dlg_map_get_str(t, "due");
	long days = dlg_days_until(due, now);

	if (!strcmp(status, "review")) {
		/* handed in: late only if it was late when handed in, which
		 * is the reviewer's to judge, not the clock's */
		if (theirs)
			agenda_add(a, DLG_AGENDA_REVIEW, t, NULL,
				   dlg_status_days(ev, t, "review", now));
		else
			agenda_add(a, DLG_AGENDA_SUBMITTED, t, NULL,
				   dlg_status_days(ev, t, "review", now));
	} else if (dlg_task_is_overdue(t, now))
		agenda_add(a, DLG_AGENDA_OVERDUE, t, NULL, -days);
	else if (!strcmp(status, "blocked") &&
		 dlg_blocked_days(ev, t, now) > 2)
		agenda_add(a, DLG_AGENDA_BLOCKED, t, NULL,
			   dlg_blocked_days(ev, t, now));
	else if (mine && due && days <= 7)
		agenda_add(a, DLG_AGENDA_DUE_SOON, t, NULL, days);
	else if (theirs && due && days <= 7)
		agenda_add(a, DLG_AGENDA_DELEGATED_SOON, t, NULL, days);
	else if (mine)
		agenda_add(a, DLG_AGENDA_OPEN, t, NULL, due ? days : 9999);
}

int dlg_agenda_build(dlg_agenda_item **out, size_t *count,
		     dlg_node *const *tasks, size_t ntasks, const char *handle,
		     time_t now, const dlg_events *ev, time_t concerns_since,
		     const dlg_team *team)
{
	agenda a = { NULL, 0, 0 };
	size_t i, j;

	for (i = 0; i < ntasks; i++) {
		const dlg_node *t = tasks[i], *cps, *req, *conflicts;
		const char *status = dlg_map_get_str(t, "status");
		int mine = str_eq(handle, dlg_map_get_str(t, "assignee"));
		int theirs = str_eq(handle, dlg_map_get_str(t, "delegator"));

		if (!mine && !theirs)
			continue;
		/* conflicts are open until resolved, whatever the status */
		conflicts = dlg_map_get(t, "conflicts");
		if (conflicts && conflicts->kind == DLG_NODE_SEQ &&
		    conflicts->count)
			agenda_add(&a, DLG_AGENDA_CONFLICT, t, NULL,
				   (long)conflicts->count);
		if (!dlg_task_is_open(t))
			continue;
		add_task(&a, t, mine, theirs, now, ev);
		req = dlg_map_get(t, "due_request");
		if (theirs && req && dlg_map_get_str(req, "due"))
			agenda_add(&a, DLG_AGENDA_DUE_REQUEST, t, NULL,
				   dlg_days_until(dlg_map_get_str(req, "due"),
						  now));
		add_concerns(&a, t, handle, concerns_since, now);
		if (theirs && !mine) {
			long since = checkin_due(t, team, now);

			if (since >= 0)
				agenda_add(&a, DLG_AGENDA_CHECKIN, t, NULL, since);
		}
		if (!strcmp(status, "review") && !theirs)
			continue;
		cps = dlg_map_get(t, "checkpoints");
		for (j = 0; cps && j < cps->count; j++) {
			const dlg_node *cp = cps->items[j];
			long d = dlg_days_until(dlg_map_get_str(cp, "due"), now);

			if (str_eq(dlg_map_get_str(cp, "done"), "true"))
				continue;
			if (d < 0)
				agenda_add(&a, DLG_AGENDA_CHECKPOINT_LATE, t, cp,
					   -d);
			else if (d <= 7)
				agenda_add(&a, DLG_AGENDA_CHECKPOINT_SOON, t,
					   cp, d);
		}
	}
	if (a.count)
		qsort(a.items, a.count, sizeof(*a.items), cmp_item);
	*out = a.items;
	*count = a.count;
	return 0;
}

int dlg_agenda_add_after(dlg_agenda_item **items, size_t *count,
			 dlg_node *const *tasks, size_t ntasks,
			 const char *handle, time_t now,
			 dlg_task_lookup_fn lookup, void *payload)
{
	agenda a = { *items, *count, *count };
	size_t i, j;

	for (i = 0; i < ntasks; i++) {
		const dlg_node *t = tasks[i], *after = dlg_map_get(t, "after");
		const dlg_node *last = NULL, *first = NULL;
		const char *closed, *last_closed = NULL;
		size_t pending = 0;
		time_t at;

		if (!after || after->kind != DLG_NODE_SEQ || !after->count ||
		    !str_eq(dlg_map_get_str(t, "status"), "open") ||
		    !str_eq(dlg_map_get_str(t, "assignee"), handle))
			continue;
		for (j = 0; j < after->count; j++) {
			const dlg_node *d = lookup(after->items[j]->value,
						   payload);

			if (!d || !str_eq(dlg_map_get_str(d, "status"), "done")) {
				if (!pending++)
					first = d;
				continue;
			}
			closed = dlg_map_get_str(d, "closed");
			if (!last || (closed && (!last_closed ||
						 strcmp(closed, last_closed) > 0))) {
				last = d;
				last_closed = closed;
			}
		}
		if (pending) {
			agenda_add(&a, DLG_AGENDA_WAITING, t, NULL,
				   (long)pending)->dep = first;
			continue;
		}
		agenda_add(&a, DLG_AGENDA_READY, t, NULL,
			   last_closed && !dlg_time_parse(&at, last_closed)
				   ? (long)((now - at) / 86400) : 0)->dep = last;
	}
	if (a.count)
		qsort(a.items, a.count, sizeof(*a.items), cmp_item);
	*items = a.items;
	*count = a.count;
	return 0;
}
