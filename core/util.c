/* Buffers, errors, diagnostics, and text made safe to show. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core_internal.h"

char dlg_buf__empty[1];

static char error_message[1024];

void dlg_error_set(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_message, sizeof(error_message), fmt, ap);
	va_end(ap);
}

const char *dlg_error_last(void)
{
	return error_message[0] ? error_message : "unknown error";
}

void dlg_error_clear(void)
{
	error_message[0] = '\0';
}

/* The code point of the UTF-8 sequence at p (n bytes left), its length in
 * *len; -1 (and *len 1) for a byte that starts no valid sequence. */
static long utf8_decode(const unsigned char *p, size_t n, size_t *len)
{
	long cp;
	size_t k, need;

	*len = 1;
	if (p[0] < 0x80)
		return p[0];
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		need = 1, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		need = 2, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		need = 3, cp = p[0] & 0x07;
	else
		return -1;
	if (n < need + 1)
		return -1;
	for (k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (p[k] & 0x3f);
	}
	if ((need == 2 && cp < 0x800) || (need == 3 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = need + 1;
	return cp;
}

/* Embedding, override and isolate controls: they reorder what follows. */
static int is_bidi(long cp)
{
	return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Whether the character at p (n bytes left) is shown escaped; its code
 * point (-1: not UTF-8) and length in bytes. */
static int must_escape(const unsigned char *p, size_t n, unsigned flags,
		       long *cp, size_t *len)
{
	*cp = utf8_decode(p, n, len);
	if (*cp == '\n')
		return !(flags & DLG_ESC_LINES);
	return *cp < 0x20 || *cp == 0x7f || (*cp >= 0x80 && *cp <= 0x9f) ||
	       is_bidi(*cp);
}

size_t dlg_escape_span(const char *s, size_t n, unsigned flags,
		       size_t *bad_len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t at = 0, len;
	long cp;

	while (at < n && !must_escape(p + at, n - at, flags, &cp, &len))
		at += len;
	if (bad_len)
		*bad_len = at < n ? len : 0;
	return at;
}

void dlg_escape(dlg_buf *out, const char *s, size_t n, unsigned flags)
{
	static const char c_names[] = "abtnvfr";
	const unsigned char *p = (const unsigned char *)s, *end = p + n;
	const unsigned char *run = p;

	while (p < end) {
		size_t len;
		long cp;

		if (!must_escape(p, (size_t)(end - p), flags, &cp, &len)) {
			p += len;
			continue;
		}
		dlg_buf_put(out, (const char *)run, (size_t)(p - run));
		if (flags & DLG_ESC_JSON)
			dlg_buf_printf(out, "\\u%04lx", cp < 0 ? 0xfffdL : cp);
		else if (cp < 0)
			dlg_buf_printf(out, "\\x%02x", *p);
		else if (cp >= 7 && cp <= 13)
			dlg_buf_printf(out, "\\%c", c_names[cp - 7]);
		else if (cp == 0x1b)
			dlg_buf_puts(out, "\\e");
		else if (cp < 0x80)
			dlg_buf_printf(out, "\\x%02lx", cp);
		else if (cp <= 0x9f)
			dlg_buf_printf(out, "\\u%04lx", cp);
		else
			dlg_buf_printf(out, "<U+%04lX>", cp);
		p += len;
		run = p;
	}
	dlg_buf_put(out, (const char *)run, (size_t)(p - run));
}

/* What an allocation returned, or the end of the process when nothing. */
static void *checked(void *p)
{
	if (!p) {
		fputs("delegit: out of memory\n", stderr);
		abort();
	}
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	return checked(realloc(p, n ? n : 1));
}

char *dlg_strdup(const char *s)
{
	return checked(strdup(s));
}

char *dlg_strndup(const char *s, size_t n)
{
	return checked(strndup(s, n));
}

static void buf_grow(dlg_buf *b, size_t need)
{
	size_t want = b->size + need + 1;

	if (want <= b->asize)
		return;
	if (want < b->asize * 2)
		want = b->asize * 2;
	if (want < 64)
		want = 64;
	b->ptr = xrealloc(b->asize ? b->ptr : NULL, want);
	if (!b->asize)
		b->ptr[0] = '\0';
	b->asize = want;
}

void dlg_buf_reserve(dlg_buf *b, size_t len)
{
	buf_grow(b, len);
}

void dlg_prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t b = ((uintptr_t)p + len) & ~(page - 1);

	if (b > a)
		madvise((void *)a, b - a, MADV_POPULATE_WRITE); /* a hint */
#else
	(void)p;
	(void)len;
#endif
}

int dlg_buf_put(dlg_buf *b, const char *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->size, data, len);
	b->size += len;
	b->ptr[b->size] = '\0';
	return 0;
}

int dlg_buf_puts(dlg_buf *b, const char *s)
{
	return dlg_buf_put(b, s, strlen(s));
}

int dlg_buf_vprintf(dlg_buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -1;
	buf_grow(b, (size_t)n);
	vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
	b->size += (size_t)n;
	return 0;
}

int dlg_buf_printf(dlg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = dlg_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return error;
}

void dlg_buf_clear(dlg_buf *b)
{
	b->size = 0;
	if (b->asize)
		b->ptr[0] = '\0';
}

char *dlg_buf_detach(dlg_buf *b)
{
	char *s = b->asize ? b->ptr : dlg_strdup("");

	b->ptr = dlg_buf__empty;
	b->size = b->asize = 0;
	return s;
}

void dlg_buf_dispose(dlg_buf *b)
{
	if (b->asize)
		free(b->ptr);
	b->ptr = dlg_buf__empty;
	b->size = b->asize = 0;
}

void dlg_diags_add(dlg_diags *d, const char *path, int line, int column,
		   const char *fmt, ...)
{
	dlg_buf msg = DLG_BUF_INIT;
	va_list ap;
	dlg_diag *x;

	va_start(ap, fmt);
	dlg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (d->count == d->alloc) {
		d->alloc = d->alloc ? d->alloc * 2 : 8;
		d->items = xrealloc(d->items, d->alloc * sizeof(*d->items));
	}
	x = &d->items[d->count++];
	x->path = strdup(path ? path : "");
	x->line = line;
	x->column = column;
	x->message = dlg_buf_detach(&msg);
}

int dlg_diags_format(dlg_buf *out, const dlg_diags *d)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		const dlg_diag *x = &d->items[i];

		if (x->line > 0)
			dlg_buf_printf(out, "%s:%d:%d: %s\n", x->path, x->line,
				       x->column, x->message);
		else if (x->path[0])
			dlg_buf_printf(out, "%s: %s\n", x->path, x->message);
		else
			dlg_buf_printf(out, "%s\n", x->message);
	}
	return 0;
}

void dlg_diags_dispose(dlg_diags *d)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		free(d->items[i].path);
		free(d->items[i].message);
	}
	free(d->items);
	d->items = NULL;
	d->count = d->alloc = 0;
}

int dlg_strp_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void dlg_strv_free(char **v, size_t count)
{
	size_t i;

	for (i = 0; v && i < count; i++)
		free(v[i]);
	free(v);
}

void dlg_nodes_free(dlg_node **v, size_t count)
{
	size_t i;

	for (i = 0; v && i < count; i++)
		dlg_node_free(v[i]);
	free(v);
}

/*
 * An optimal string alignment distance with git's weights (help.c's
 * levenshtein(cmd, candidate, 0, 2, 1, 3)): the cost of turning typed
 * into candidate. Three rows: the one before the last is for swaps.
 */
size_t dlg_edit_distance(const char *typed, const char *candidate)
{
	enum { SWAP = 0, SUBST = 2, ADD = 1, DEL = 3 };
	size_t n = strlen(typed), m = strlen(candidate), i, j, best;
	size_t *prev2, *prev, *row, *rows;

	rows = calloc(3 * (m + 1), sizeof(*rows));
	if (!rows)
		abort();
	prev2 = rows;
	prev = rows + m + 1;
	row = rows + 2 * (m + 1);
	for (j = 0; j <= m; j++)
		prev[j] = j * ADD;
	for (i = 1; i <= n; i++) {
		size_t *t;

		row[0] = i * DEL;
		for (j = 1; j <= m; j++) {
			size_t d = prev[j - 1] +
				   (typed[i - 1] != candidate[j - 1] ? SUBST : 0);

			if (i > 1 && j > 1 && typed[i - 1] == candidate[j - 2] &&
			    typed[i - 2] == candidate[j - 1] &&
			    prev2[j - 2] + SWAP < d)
				d = prev2[j - 2] + SWAP;
			if (prev[j] + DEL < d)
				d = prev[j] + DEL;
			if (row[j - 1] + ADD < d)
				d = row[j - 1] + ADD;
			row[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = row;
		row = t;
	}
	best = prev[m];
	free(rows);
	return best;
}

size_t dlg_similar(size_t *out, size_t max, const char *typed,
		   const char *const *names, size_t n)
{
	size_t i, best = DLG_SIMILAR, found = 0;

	for (i = 0; i < n; i++) {
		size_t d = dlg_edit_distance(typed, names[i]);

		if (d > best)
			continue;
		if (d < best) {
			best = d;
			found = 0;
		}
		if (found < max)
			out[found++] = i;
	}
	return found;
}
