/* History events: field changes between versions of task files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define BLOCK_SIZE (64 * 1024)

/* A copy of s in ev's blocks; the previous event's `prev` when equal. */
static char *keep(dlg_events *ev, const char *s, const char *prev)
{
	size_t len;
	char *p;

	if (!s)
		return NULL;
	if (prev && !strcmp(s, prev))
		return (char *)prev;
	len = strlen(s) + 1;
	if (len > ev->left) {
		size_t size = len > BLOCK_SIZE ? len : BLOCK_SIZE;

		ev->blocks = realloc(ev->blocks,
				     (ev->nblocks + 1) * sizeof(*ev->blocks));
		if (!ev->blocks || !(ev->blocks[ev->nblocks] = malloc(size)))
			abort();
		ev->next = ev->blocks[ev->nblocks++];
		ev->left = size;
	}
	p = ev->next;
	memcpy(p, s, len);
	ev->next += len;
	ev->left -= len;
	return p;
}

static dlg_node *parse_version(const char *text, size_t len, const char *path)
{
	dlg_diags ignore = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;

	if (text)
		dlg_store_parse(&doc, text, len, path, &dlg_schema_task, &ignore);
	dlg_diags_dispose(&ignore);
	return doc;
}

static void push(dlg_events *ev, const char *commit, const char *task,
		 const char *title, const char *author, time_t at,
		 const char *field, const char *from, const char *to,
		 const char *key)
{
	const dlg_event *last;
	dlg_event *e;

	if (ev->count == ev->alloc) {
		ev->alloc = ev->alloc ? ev->alloc * 2 : 64;
		ev->items = realloc(ev->items, ev->alloc * sizeof(*ev->items));
		if (!ev->items)
			abort();
	}
	last = ev->count ? &ev->items[ev->count - 1] : NULL;
	e = &ev->items[ev->count++];
	memset(e, 0, sizeof(*e));
	snprintf(e->commit, sizeof(e->commit), "%s", commit);
	snprintf(e->task, sizeof(e->task), "%s", task);
	e->title = keep(ev, title, last ? last->title : NULL);
	e->author = keep(ev, author, last ? last->author : NULL);
	e->at = at;
	e->field = keep(ev, field, NULL);
	e->from = keep(ev, from, NULL);
	e->to = keep(ev, to, NULL);
	e->key = keep(ev, key, last ? last->key : NULL);
}

void dlg_events_add(dlg_events *ev, const dlg_event *e, const char *commit,
		    const char *author, time_t at, const char *key)
{
	push(ev, commit, e->task, e->title, author, at, e->field, e->from,
	     e->to, key);
}

void dlg_events_of_versions(dlg_events *ev, const char *path,
			    const char *old_text, size_t old_len,
			    const char *new_text, size_t new_len)
{
	dlg_node *a = parse_version(old_text, old_len, path);
	dlg_node *b = parse_version(new_text, new_len, path);
	const char *base = strrchr(path, '/');
	const dlg_node *t = b ? b : a;
	const char *title = t ? dlg_map_get_str(t, "title") : path;
	char task[DLG_TASK_ID_SIZE] = "";
	size_t i;

	if (base && strlen(base + 1) == 41) {
		memcpy(task, base + 1, 36);
		task[36] = '\0';
	}
	if ((old_text && !a) || (new_text && !b)) {
		/* A version that does not validate: a change of the file. */
		push(ev, "", task, title, NULL, 0, "(file)",
		     old_text ? (a ? "valid" : "invalid") : NULL,
		     new_text ? (b ? "valid" : "invalid") : NULL, NULL);
	} else {
		dlg_changes ch = DLG_CHANGES_INIT;

		dlg_doc_diff(&ch, a, b);
		for (i = 0; i < ch.count; i++)
			push(ev, "", task, title, NULL, 0, ch.items[i].field,
			     ch.items[i].from, ch.items[i].to, NULL);
		dlg_changes_dispose(&ch);
	}
	dlg_node_free(a);
	dlg_node_free(b);
}

void dlg_events_pair_moves(dlg_events *ev)
{
	const char **moved = NULL;
	size_t start, end, i, n, out = 0, alloc = 0;

	for (start = 0; start < ev->count; start = end) {
		n = 0;
		for (end = start; end < ev->count &&
				  !strcmp(ev->items[end].commit,
					  ev->items[start].commit); end++) {
			if (strcmp(ev->items[end].field, "(archived)"))
				continue;
			if (n == alloc) {
				alloc = alloc ? alloc * 2 : 16;
				if (!(moved = realloc(moved,
						      alloc * sizeof(*moved))))
					abort();
			}
			moved[n++] = ev->items[end].task;
		}
		if (n > 1)
			qsort(moved, n, sizeof(*moved), dlg_strp_cmp);
		for (i = start; i < end; i++) {
			dlg_event *e = &ev->items[i];
			const char *key = e->task;

			/* a field gone from tasks/ in the commit that brought
			 * the task into the archive: the move, said once */
			if (n && !e->to && strcmp(e->field, "(archived)") &&
			    bsearch(&key, moved, n, sizeof(*moved), dlg_strp_cmp))
				continue; /* its texts go with the blocks */
			ev->items[out++] = *e;
		}
	}
	ev->count = out;
	free(moved);
}

void dlg_events_dispose(dlg_events *ev)
{
	size_t i;

	for (i = 0; i < ev->nblocks; i++)
		free(ev->blocks[i]);
	free(ev->blocks);
	free(ev->items);
	memset(ev, 0, sizeof(*ev));
}
