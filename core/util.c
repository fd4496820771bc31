/* Buffers, errors and diagnostics. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core.h"

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

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fputs("delegit: out of memory\n", stderr);
		abort();
	}
	return q;
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
	char *s = b->asize ? b->ptr : strdup("");

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
