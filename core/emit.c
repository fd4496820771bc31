/*
 * Writers: the canonical YAML form (through libyaml's emitter, which does
 * the quoting), JSON, and one-line summaries.
 *
 * The canonical form writes keys in the order the document holds them;
 * dlg_schema_validate() puts them in schema order, unknown keys last and
 * sorted, so the same data always gives the same bytes.
 */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core_internal.h"


typedef struct {
	yaml_emitter_t emitter;
	int failed;
} writer;

static int write_handler(void *data, unsigned char *buffer, size_t size)
{
	dlg_buf_put(data, (const char *)buffer, size);
	return 1;
}

static void emit(writer *w, yaml_event_t *ev)
{
	if (w->failed)
		yaml_event_delete(ev);
	else if (!yaml_emitter_emit(&w->emitter, ev))
		w->failed = 1;
}

static void emit_scalar(writer *w, const dlg_node *n, int flow)
{
	yaml_event_t ev;
	yaml_scalar_style_t style = YAML_PLAIN_SCALAR_STYLE;
	const char *v = n->value;

	switch (n->type) {
	case DLG_SCALAR_NULL:
		v = "null";
		break;
	case DLG_SCALAR_BOOL:
		v = dlg_yaml__bool_true(v) ? "true" : "false";
		break;
	case DLG_SCALAR_STR:
		if (strchr(v, '\n'))
			style = flow ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
				     : YAML_LITERAL_SCALAR_STYLE;
		else if (dlg_yaml__needs_quotes(v))
			style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		break;
	default:
		break;
	}
	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)v,
				     (int)strlen(v), 1, 1, style);
	emit(w, &ev);
}

static void emit_node(writer *w, const dlg_node *n, const dlg_field *f,
		      int flow);

static void emit_map(writer *w, const dlg_node *n, const dlg_schema *s,
		     int flow, int mapof)
{
	yaml_event_t ev;
	size_t i;

	yaml_mapping_start_event_initialize(
		&ev, NULL, NULL, 1,
		flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	emit(w, &ev);
	for (i = 0; i < n->count; i++) {
		dlg_node key = { 0 };
		const dlg_field *f = NULL;
		dlg_field entry = { 0 };

		key.kind = DLG_NODE_SCALAR;
		key.type = DLG_SCALAR_STR;
		key.value = n->keys[i];
		emit_scalar(w, &key, 1);
		if (mapof) {
			entry.type = DLG_T_MAP;
			entry.sub = s;
			f = &entry;
		} else {
			f = dlg_schema_field(s, n->keys[i]);
		}
		emit_node(w, n->items[i], f, flow);
	}
	yaml_mapping_end_event_initialize(&ev);
	emit(w, &ev);
}

static void emit_node(writer *w, const dlg_node *n, const dlg_field *f,
		      int flow)
{
	yaml_event_t ev;
	size_t i;

	if (n->kind == DLG_NODE_SCALAR) {
		emit_scalar(w, n, flow);
		return;
	}
	if (n->kind == DLG_NODE_MAP) {
		emit_map(w, n, f ? f->sub : NULL, flow,
			 f && f->type == DLG_T_MAPOF);
		return;
	}
	/* Empty lists and sets print as [] on one line. */
	if (!flow && (!n->count || (f && (f->flags & DLG_F_FLOW))))
		flow = 1;
	yaml_sequence_start_event_initialize(
		&ev, NULL, NULL, 1,
		flow ? YAML_FLOW_SEQUENCE_STYLE : YAML_BLOCK_SEQUENCE_STYLE);
	emit(w, &ev);
	for (i = 0; i < n->count; i++) {
		const dlg_node *item = n->items[i];

		if (f && f->type == DLG_T_KEYED && item->kind == DLG_NODE_MAP)
			/* One field a line: line-based tools (diff, git's own
			 * merge) see fields, and times need no quotes. */
			emit_map(w, item, f->sub, flow, 0);
		else
			emit_node(w, item, NULL, flow);
	}
	yaml_sequence_end_event_initialize(&ev);
	emit(w, &ev);
}

int dlg_yaml_write(dlg_buf *out, const dlg_node *doc, const dlg_schema *schema)
{
	writer w;
	yaml_event_t ev;
	dlg_field top = { 0 };

	memset(&w, 0, sizeof(w));
	if (!yaml_emitter_initialize(&w.emitter))
		abort();
	yaml_emitter_set_output(&w.emitter, write_handler, out);
	yaml_emitter_set_unicode(&w.emitter, 1);
	yaml_emitter_set_width(&w.emitter, -1);
	yaml_emitter_set_indent(&w.emitter, 2);
	yaml_emitter_set_break(&w.emitter, YAML_LN_BREAK);

	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(&w, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(&w, &ev);
	top.type = DLG_T_MAP;
	top.sub = schema;
	emit_node(&w, doc, &top, 0);
	yaml_document_end_event_initialize(&ev, 1);
	emit(&w, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(&w, &ev);
	if (!w.failed && !yaml_emitter_flush(&w.emitter))
		w.failed = 1;
	if (w.failed)
		dlg_error_set("cannot write YAML: %s",
			      w.emitter.problem ? w.emitter.problem : "error");
	yaml_emitter_delete(&w.emitter);
	return w.failed ? -1 : 0;
}

int dlg_json_string(dlg_buf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	dlg_buf_put(out, "\"", 1);
	for (; *p; p++) {
		switch (*p) {
		case '"':
			dlg_buf_puts(out, "\\\"");
			break;
		case '\\':
			dlg_buf_puts(out, "\\\\");
			break;
		case '\n':
			dlg_buf_puts(out, "\\n");
			break;
		case '\t':
			dlg_buf_puts(out, "\\t");
			break;
		case '\r':
			dlg_buf_puts(out, "\\r");
			break;
		default:
			if (*p < 0x20)
				dlg_buf_printf(out, "\\u%04x", *p);
			else
				dlg_buf_put(out, (const char *)p, 1);
		}
	}
	return dlg_buf_put(out, "\"", 1);
}

static int json_number_ok(const char *v)
{
	char *end;

	if (!*v)
		return 0;
	strtod(v, &end);
	return !*end && !strpbrk(v, "xXnNiI_:") && v[0] != '+' &&
	       v[0] != '.' && !(v[0] == '0' && v[1] && v[1] != '.');
}

int dlg_json_write(dlg_buf *out, const dlg_node *n)
{
	size_t i;

	switch (n->kind) {
	case DLG_NODE_SCALAR:
		switch (n->type) {
		case DLG_SCALAR_NULL:
			return dlg_buf_puts(out, "null");
		case DLG_SCALAR_BOOL:
			return dlg_buf_puts(out,
					    dlg_yaml__bool_true(n->value) ? "true" : "false");
		case DLG_SCALAR_INT:
		case DLG_SCALAR_FLOAT:
			if (json_number_ok(n->value))
				return dlg_buf_puts(out, n->value);
			/* fall through */
		default:
			return dlg_json_string(out, n->value);
		}
	case DLG_NODE_SEQ:
		dlg_buf_puts(out, "[");
		for (i = 0; i < n->count; i++) {
			if (i)
				dlg_buf_puts(out, ",");
			dlg_json_write(out, n->items[i]);
		}
		return dlg_buf_puts(out, "]");
	case DLG_NODE_MAP:
		dlg_buf_puts(out, "{");
		for (i = 0; i < n->count; i++) {
			if (i)
				dlg_buf_puts(out, ",");
			dlg_json_string(out, n->keys[i]);
			dlg_buf_puts(out, ":");
			dlg_json_write(out, n->items[i]);
		}
		return dlg_buf_puts(out, "}");
	}
	return 0;
}

int dlg_node_summary(dlg_buf *out, const dlg_node *n)
{
	size_t i;

	if (!n)
		return dlg_buf_puts(out, "null");
	switch (n->kind) {
	case DLG_NODE_SCALAR:
		if (n->type == DLG_SCALAR_NULL)
			return dlg_buf_puts(out, "null");
		if (n->type == DLG_SCALAR_BOOL)
			return dlg_buf_puts(out,
					    dlg_yaml__bool_true(n->value) ? "true" : "false");
		for (i = 0; n->value[i]; i++)
			dlg_buf_put(out, n->value[i] == '\n' ? " " : &n->value[i],
				    1);
		return 0;
	case DLG_NODE_SEQ:
		dlg_buf_puts(out, "[");
		for (i = 0; i < n->count; i++) {
			if (i)
				dlg_buf_puts(out, ", ");
			dlg_node_summary(out, n->items[i]);
		}
		return dlg_buf_puts(out, "]");
	case DLG_NODE_MAP:
		dlg_buf_puts(out, "{");
		for (i = 0; i < n->count; i++) {
			if (i)
				dlg_buf_puts(out, ", ");
			dlg_buf_printf(out, "%s: ", n->keys[i]);
			dlg_node_summary(out, n->items[i]);
		}
		return dlg_buf_puts(out, "}");
	}
	return 0;
}
