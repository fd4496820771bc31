/*
 * Validation driven by schema/: checks types and values, reports each
 * problem with its position, and brings a valid document to canonical
 * form (key order, scalar spelling, defaults).
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_internal.h"

typedef struct {
	const char *path;
	dlg_diags *diags;
	int errors;
} vctx;

static void problem(vctx *c, const dlg_node *at, const char *field,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(vctx *c, const dlg_node *at, const char *field,
		    const char *fmt, ...)
{
	dlg_buf msg = DLG_BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	dlg_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	dlg_diags_add(c->diags, c->path, at ? at->line : 0,
		      at ? at->column : 0, "%s%s%s%s", field ? "'" : "",
		      field ? field : "", field ? "': " : "", msg.ptr);
	dlg_buf_dispose(&msg);
	c->errors++;
}

static const char *kind_name(const dlg_node *n)
{
	if (n->kind == DLG_NODE_MAP)
		return "a map";
	if (n->kind == DLG_NODE_SEQ)
		return "a list";
	switch (n->type) {
	case DLG_SCALAR_NULL:
		return "null";
	case DLG_SCALAR_BOOL:
		return "a boolean";
	case DLG_SCALAR_INT:
		return "a whole number";
	case DLG_SCALAR_FLOAT:
		return "a number";
	case DLG_SCALAR_TIMESTAMP:
		return "a date";
	default:
		return "a string";
	}
}

int dlg_uuid_valid(const char *s)
{
	size_t i;

	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!isxdigit((unsigned char)s[i]) ||
			   isupper((unsigned char)s[i])) {
			return 0;
		}
	}
	return s[36] == '\0';
}

int dlg_hex_prefix_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!(isxdigit((unsigned char)s[i]) || s[i] == '-'))
			return 0;
	return i > 0;
}

static int itemid_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return 0;
	return i >= 4 && i <= 32;
}

int dlg_handle_valid(const char *s)
{
	size_t i;

	if (!islower((unsigned char)s[0]) && !isdigit((unsigned char)s[0]))
		return 0;
	for (i = 0; s[i]; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && !strchr("._-", s[i]))
			return 0;
	return i <= 40;
}

static int duration_valid(const char *s)
{
	size_t i = 0;

	while (isdigit((unsigned char)s[i]))
		i++;
	return i > 0 && i < 7 && s[i] && strchr("mhdw", s[i]) && !s[i + 1];
}

static void validate_map(vctx *c, dlg_node *map, const dlg_schema *s,
			 const char *where);
static void canonical_any(dlg_node *n);

/* Put a map's keys in schema order, the others after them, sorted. */
static void order_keys(dlg_node *map, const dlg_schema *s)
{
	char **keys = calloc(map->count + 1, sizeof(*keys));
	dlg_node **items = calloc(map->count + 1, sizeof(*items));
	char **unknown = calloc(map->count + 1, sizeof(*unknown));
	size_t i, j, n = 0, nu = 0;

	if (!keys || !items || !unknown)
		abort();
	for (i = 0; s && i < s->count; i++)
		for (j = 0; j < map->count; j++)
			if (!strcmp(map->keys[j], s->fields[i].name)) {
				keys[n] = map->keys[j];
				items[n++] = map->items[j];
			}
	for (j = 0; j < map->count; j++)
		if (!dlg_schema_field(s, map->keys[j]))
			unknown[nu++] = map->keys[j];
	qsort(unknown, nu, sizeof(*unknown), dlg_strp_cmp);
	for (i = 0; i < nu; i++) {
		keys[n] = unknown[i];
		items[n++] = dlg_map_get(map, unknown[i]);
	}
	if (n) {
		memcpy(map->keys, keys, n * sizeof(*keys));
		memcpy(map->items, items, n * sizeof(*items));
	}
	free(keys);
	free(items);
	free(unknown);
}

static void canonical_any(dlg_node *n)
{
	size_t i;

	if (n->kind == DLG_NODE_MAP)
		order_keys(n, NULL);
	for (i = 0; i < n->count; i++)
		canonical_any(n->items[i]);
}

static void set_value(dlg_node *n, dlg_scalar_type type, const char *v)
{
	char *copy = dlg_strdup(v);

	free(n->value);
	n->value = copy;
	n->type = type;
}

static dlg_node *default_value(const dlg_field *f)
{
	dlg_node *n;
	size_t i;

	switch (f->type) {
	case DLG_T_BOOL:
		return dlg_node_new_scalar(DLG_SCALAR_BOOL, "false");
	case DLG_T_SET:
	case DLG_T_LIST:
	case DLG_T_KEYED:
		return dlg_node_new_seq();
	case DLG_T_MAPOF:
		return dlg_node_new_map();
	case DLG_T_MAP:
		n = dlg_node_new_map();
		for (i = 0; i < f->sub->count; i++)
			if (f->sub->fields[i].flags & DLG_F_ALWAYS)
				dlg_map_set(n, f->sub->fields[i].name,
					    default_value(&f->sub->fields[i]));
		return n;
	case DLG_T_ENUM:
		if (!(f->flags & DLG_F_NULLABLE))
			return dlg_node_new_str(f->values[0]);
		/* fall through */
	default:
		return dlg_node_new_null();
	}
}

static void enum_expected(dlg_buf *out, const char *const *values)
{
	size_t i;

	for (i = 0; values[i]; i++)
		dlg_buf_printf(out, "%s%s", i ? ", " : "", values[i]);
}

static int scalar_ok(vctx *c, dlg_node *n, const char *name, const char *what)
{
	if (n->kind == DLG_NODE_SCALAR)
		return 1;
	problem(c, n, name, "found %s (expected %s)", kind_name(n), what);
	return 0;
}

static void validate_number(vctx *c, dlg_node *n, const dlg_field *f,
			    const char *name)
{
	const char *digits;
	char *end;
	double d;
	char tmp[64];

	if (!scalar_ok(c, n, name, "a number"))
		return;
	if (f->type == DLG_T_INT ? n->type != DLG_SCALAR_INT
				 : (n->type != DLG_SCALAR_INT &&
				    n->type != DLG_SCALAR_FLOAT)) {
		problem(c, n, name, "found %s '%s' (expected %s)",
			kind_name(n), n->value,
			f->type == DLG_T_INT ? "a whole number" : "a number");
		return;
	}
	/* A leading zero makes a whole number octal to YAML 1.1 (PyYAML
	 * reads 010 as 8) and decimal to whoever wrote it: take neither. */
	digits = n->value + (n->value[0] == '-' || n->value[0] == '+');
	errno = 0;
	d = strtod(n->value, &end);
	if (*end || errno || !isfinite(d) ||
	    (f->type == DLG_T_INT && d != floor(d)) ||
	    (n->type == DLG_SCALAR_INT && digits[0] == '0' &&
	     isdigit((unsigned char)digits[1]))) {
		problem(c, n, name, "'%s' is not a plain decimal number "
			"(expected digits like 12 or 2.5)", n->value);
		return;
	}
	if ((f->min != 0 || f->max != 0) && (d < f->min || d > f->max)) {
		if (f->min == f->max)
			problem(c, n, name, "%s is not supported (expected %g)",
				n->value, f->min);
		else
			problem(c, n, name, "%s is out of range (expected "
				"%g to %g)", n->value, f->min, f->max);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%.15g", d);
	set_value(n, d == floor(d) ? DLG_SCALAR_INT : DLG_SCALAR_FLOAT, tmp);
}

static void validate_strings(vctx *c, dlg_node *n, const dlg_field *f,
			     const char *name)
{
	size_t i, j;

	if (n->kind != DLG_NODE_SEQ) {
		problem(c, n, name, "found %s (expected a list of names)",
			kind_name(n));
		return;
	}
	for (i = 0; i < n->count; i++) {
		dlg_node *it = n->items[i];

		if (it->kind != DLG_NODE_SCALAR || it->type == DLG_SCALAR_NULL ||
		    !it->value[0]) {
			problem(c, it, name, "item %zu is %s (expected text)",
				i + 1, kind_name(it));
			return;
		}
		it->type = DLG_SCALAR_STR;
		if ((f->flags & DLG_F_IDS) && !dlg_uuid_valid(it->value)) {
			problem(c, it, name, "bad task id '%s' (expected a "
				"lowercase UUID like 0b9c5e5e-7f0c-4d0a-9a1e-"
				"2c3f4d5e6f70)", it->value);
			return;
		}
	}
	if (f->type != DLG_T_SET)
		return;
	/* A set has no order and no repeats: sort it, drop doubles. */
	for (i = 1; i < n->count; i++) {
		for (j = i; j > 0 && strcmp(n->items[j - 1]->value,
					    n->items[j]->value) > 0; j--) {
			dlg_node *t = n->items[j];

			n->items[j] = n->items[j - 1];
			n->items[j - 1] = t;
		}
	}
	for (i = 1; i < n->count;) {
		if (!strcmp(n->items[i - 1]->value, n->items[i]->value))
			dlg_seq_remove(n, i);
		else
			i++;
	}
}

static void validate_keyed(vctx *c, dlg_node *n, const dlg_field *f,
			   const char *name)
{
	dlg_buf where = DLG_BUF_INIT;
	size_t i, j;

	if (n->kind != DLG_NODE_SEQ) {
		problem(c, n, name, "found %s (expected a list)", kind_name(n));
		return;
	}
	for (i = 0; i < n->count; i++) {
		dlg_node *it = n->items[i];
		const char *id;

		dlg_buf_clear(&where);
		dlg_buf_printf(&where, "%s[%zu]", name, i + 1);
		if (it->kind != DLG_NODE_MAP) {
			problem(c, it, where.ptr, "found %s (expected a map "
				"with an id)", kind_name(it));
			continue;
		}
		validate_map(c, it, f->sub, where.ptr);
		id = dlg_map_get_str(it, "id");
		for (j = 0; id && j < i; j++) {
			const char *other = dlg_map_get_str(n->items[j], "id");

			if (other && !strcmp(id, other))
				problem(c, dlg_map_get(it, "id"), where.ptr,
					"duplicate id '%s' (expected ids "
					"unique in the list)", id);
		}
	}
	dlg_buf_dispose(&where);
}

static int every_valid(const char *s)
{
	return dlg_recur_parse(NULL, s) >= 0;
}

/* The kinds of text checked by one predicate: what a value is expected
 * to be, and the problem's words when it is not. */
static const struct {
	dlg_type type;
	const char *what;
	int (*valid)(const char *s);
	const char *bad, *expected;
} checked_texts[] = {
	{ DLG_T_EVERY, "a rule", every_valid, "bad rule",
	  "daily, weekly, monthly, quarterly, yearly, Nd or Nw with N from 1 "
	  "to 3650" },
	{ DLG_T_DURATION, "a duration", duration_valid, "bad duration",
	  "a number and a unit: 30m, 4h, 2d, 1w" },
	{ DLG_T_HANDLE, "a handle", dlg_handle_valid, "bad handle",
	  "lowercase letters, digits, '.', '_' or '-'" },
	{ DLG_T_UUID, "a UUID", dlg_uuid_valid, "bad id",
	  "a lowercase UUID like 0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70" },
	{ DLG_T_ITEMID, "an id", itemid_valid, "bad item id",
	  "4 to 32 lowercase hex digits" },
};

static void validate_time(vctx *c, dlg_node *n, const char *name)
{
	time_t t;
	char utc[DLG_TIME_SIZE];

	if (!scalar_ok(c, n, name, "a time"))
		return;
	if (!dlg_time_valid(n->value)) {
		/* The same instant written another way (an offset, a blank
		 * for T) is the same data: store it in UTC. */
		if (dlg_time_parse_yaml(&t, n->value) < 0) {
			problem(c, n, name, "bad time '%s' (expected "
				"YYYY-MM-DDTHH:MM:SSZ, in UTC)", n->value);
			return;
		}
		dlg_time_format(utc, t);
		set_value(n, DLG_SCALAR_TIMESTAMP, utc);
	}
	n->type = DLG_SCALAR_TIMESTAMP;
}

/* A scalar of a kind that is text in YAML: a string, a boolean, a date,
 * a name from a list, or one of checked_texts. */
static void validate_text_kind(vctx *c, dlg_node *n, const dlg_field *f,
			       const char *name)
{
	dlg_buf exp = DLG_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(checked_texts) / sizeof(checked_texts[0]); i++)
		if (checked_texts[i].type == f->type) {
			if (!scalar_ok(c, n, name, checked_texts[i].what))
				return;
			if (!checked_texts[i].valid(n->value))
				problem(c, n, name, "%s '%s' (expected %s)",
					checked_texts[i].bad, n->value,
					checked_texts[i].expected);
			n->type = DLG_SCALAR_STR;
			return;
		}
	switch (f->type) {
	case DLG_T_STR:
	case DLG_T_TEXT:
		if (!scalar_ok(c, n, name, "text"))
			break;
		if (f->type == DLG_T_STR && strchr(n->value, '\n'))
			problem(c, n, name, "spans lines (expected one line)");
		else if (!n->value[0] && (f->flags & DLG_F_REQUIRED))
			problem(c, n, name, "is empty (expected %s)", f->doc);
		n->type = DLG_SCALAR_STR;
		break;
	case DLG_T_BOOL:
		if (!scalar_ok(c, n, name, "true or false"))
			break;
		if (n->type != DLG_SCALAR_BOOL)
			problem(c, n, name, "found '%s' (expected true or false)",
				n->value);
		else
			set_value(n, DLG_SCALAR_BOOL,
				  dlg_yaml__bool_true(n->value) ? "true"
								: "false");
		break;
	case DLG_T_DATE:
		if (!scalar_ok(c, n, name, "a date"))
			break;
		if (!dlg_date_valid(n->value))
			problem(c, n, name, "bad date '%s' (expected "
				"YYYY-MM-DD)", n->value);
		else
			n->type = DLG_SCALAR_TIMESTAMP;
		break;
	case DLG_T_TIME:
		validate_time(c, n, name);
		break;
	case DLG_T_ENUM:
		if (!scalar_ok(c, n, name, "a name"))
			break;
		if (dlg_enum_index(f->values, n->value) < 0) {
			enum_expected(&exp, f->values);
			problem(c, n, name, "unknown value '%s' (expected one "
				"of %s)", n->value, exp.ptr);
		}
		n->type = DLG_SCALAR_STR;
		break;
	default:
		break;
	}
	dlg_buf_dispose(&exp);
}

/* A map of maps (orgs: {acme: {...}}): each key one of f->values when
 * it has them, each value a map of f->sub's fields. */
static void validate_mapof(vctx *c, dlg_node *n, const dlg_field *f,
			   const char *name)
{
	dlg_buf exp = DLG_BUF_INIT, where = DLG_BUF_INIT;
	size_t i;

	order_keys(n, NULL);
	for (i = 0; i < n->count; i++) {
		dlg_buf_clear(&where);
		dlg_buf_printf(&where, "%s.%s", name, n->keys[i]);
		if (f->values && dlg_enum_index(f->values, n->keys[i]) < 0) {
			dlg_buf_clear(&exp);
			enum_expected(&exp, f->values);
			problem(c, n->items[i], where.ptr, "unknown key "
				"(expected one of %s)", exp.ptr);
			continue;
		}
		if (n->items[i]->kind != DLG_NODE_MAP) {
			problem(c, n->items[i], where.ptr, "found %s (expected "
				"a map)", kind_name(n->items[i]));
			continue;
		}
		validate_map(c, n->items[i], f->sub, where.ptr);
	}
	dlg_buf_dispose(&where);
	dlg_buf_dispose(&exp);
}

static void validate_value(vctx *c, dlg_node *n, const dlg_field *f,
			   const char *name)
{
	if (n->kind == DLG_NODE_SCALAR && n->type == DLG_SCALAR_NULL) {
		if (f->flags & DLG_F_NULLABLE) {
			set_value(n, DLG_SCALAR_NULL, "null");
			return;
		}
		if (f->type == DLG_T_ANY)
			return;
		problem(c, n, name, "is empty (expected %s)", f->doc);
		return;
	}
	switch (f->type) {
	case DLG_T_ANY:
		canonical_any(n);
		break;
	case DLG_T_INT:
	case DLG_T_NUM:
		validate_number(c, n, f, name);
		break;
	case DLG_T_SET:
	case DLG_T_LIST:
		validate_strings(c, n, f, name);
		break;
	case DLG_T_KEYED:
		validate_keyed(c, n, f, name);
		break;
	case DLG_T_MAP:
	case DLG_T_MAPOF:
		if (n->kind != DLG_NODE_MAP)
			problem(c, n, name, "found %s (expected a map)",
				kind_name(n));
		else if (f->type == DLG_T_MAP)
			validate_map(c, n, f->sub, name);
		else
			validate_mapof(c, n, f, name);
		break;
	default:
		validate_text_kind(c, n, f, name);
		break;
	}
}

static void validate_map(vctx *c, dlg_node *map, const dlg_schema *s,
			 const char *where)
{
	dlg_buf name = DLG_BUF_INIT;
	size_t i;

	for (i = 0; i < s->count; i++) {
		const dlg_field *f = &s->fields[i];
		dlg_node *v = dlg_map_get(map, f->name);

		dlg_buf_clear(&name);
		if (where)
			dlg_buf_printf(&name, "%s.%s", where, f->name);
		else
			dlg_buf_puts(&name, f->name);
		if (!v || (v->kind == DLG_NODE_SCALAR &&
			   v->type == DLG_SCALAR_NULL &&
			   !(f->flags & DLG_F_NULLABLE) &&
			   f->type != DLG_T_ANY)) {
			if (f->flags & DLG_F_REQUIRED)
				problem(c, v ? v : map, NULL, "%s '%s' (expected "
					"%s)", v ? "empty field" : "missing field",
					name.ptr, f->doc);
			else if (f->flags & DLG_F_ALWAYS)
				dlg_map_set(map, f->name, default_value(f));
			else if (v)
				dlg_map_remove(map, f->name);
			continue;
		}
		validate_value(c, v, f, name.ptr);
	}
	dlg_buf_dispose(&name);
	for (i = 0; i < map->count; i++)
		if (!dlg_schema_field(s, map->keys[i]))
			canonical_any(map->items[i]);
	order_keys(map, s);
}

int dlg_schema_check_value(dlg_buf *out, const dlg_field *f,
			   const char *value, int yaml_null)
{
	dlg_diags diags = DLG_DIAGS_INIT;
	vctx c = { NULL, &diags, 0 };
	dlg_node *n;
	size_t i;
	int list = f->type == DLG_T_SET || f->type == DLG_T_LIST;

	if (f->type == DLG_T_MAP || f->type == DLG_T_KEYED ||
	    f->type == DLG_T_MAPOF || f->type == DLG_T_ANY)
		return 0;
	if (!*value && list) {
		dlg_buf_printf(out, "is empty (expected %s)", f->doc);
		return DLG_EINVALID;
	}
	/* Typed as the commands type what they are given (dlg_task_set_field). */
	if (list) {
		n = dlg_node_new_seq();
		dlg_seq_push(n, dlg_node_new_str(value));
	} else if (!*value || (yaml_null && (!strcmp(value, "null") ||
					     !strcmp(value, "~")))) {
		n = dlg_node_new_null();
	} else if (f->type == DLG_T_INT || f->type == DLG_T_NUM ||
		   f->type == DLG_T_BOOL) {
		n = dlg_node_new_scalar(dlg_yaml_resolve(value), value);
	} else {
		n = dlg_node_new_str(value);
	}
	if (n->type == DLG_SCALAR_NULL && n->kind == DLG_NODE_SCALAR &&
	    !(f->flags & DLG_F_NULLABLE))
		problem(&c, NULL, NULL, "is empty (expected %s)", f->doc);
	else
		validate_value(&c, n, f, NULL);
	for (i = 0; i < diags.count; i++)
		dlg_buf_printf(out, "%s%s", i ? "; " : "",
			       diags.items[i].message);
	dlg_diags_dispose(&diags);
	dlg_node_free(n);
	return c.errors ? DLG_EINVALID : 0;
}

int dlg_schema_validate(dlg_node *doc, const dlg_schema *schema,
			const char *path, dlg_diags *diags)
{
	vctx c = { path, diags, 0 };

	if (doc->kind != DLG_NODE_MAP) {
		problem(&c, doc, NULL, "found %s (expected a map of fields)",
			kind_name(doc));
		return DLG_EINVALID;
	}
	validate_map(&c, doc, schema, NULL);
	return c.errors ? DLG_EINVALID : 0;
}
