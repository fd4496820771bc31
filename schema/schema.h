/*
 * schema: the file formats of a delegit repository (format 1).
 *
 * One definition per file kind. Validation (core/validate.c), the canonical
 * writer (core/emit.c) and the field-by-field comparison are all driven
 * from these tables; docs/format.md describes the same formats for people.
 */
#ifndef DLG_SCHEMA_H
#define DLG_SCHEMA_H

#include <stddef.h>

typedef enum {
	DLG_T_ANY,     /* anything; kept as it is */
	DLG_T_STR,     /* a one-line string */
	DLG_T_TEXT,    /* a string that may span lines */
	DLG_T_INT,
	DLG_T_NUM,     /* an integer or a decimal number */
	DLG_T_BOOL,
	DLG_T_DATE,    /* YYYY-MM-DD */
	DLG_T_TIME,    /* YYYY-MM-DDTHH:MM:SSZ (UTC) */
	DLG_T_DURATION, /* 30m, 4h, 2d, 1w */
	DLG_T_ENUM,
	DLG_T_HANDLE,  /* a team member's handle */
	DLG_T_UUID,
	DLG_T_ITEMID,  /* a short hex id of a list item */
	DLG_T_SET,     /* a list of strings, unordered, no duplicates */
	DLG_T_LIST,    /* a list of strings, ordered */
	DLG_T_MAP,     /* a nested map with its own fields */
	DLG_T_KEYED,   /* a list of maps matched by their `id` */
	DLG_T_MAPOF,   /* a map whose values all follow `sub` */
	DLG_T_EVERY,   /* a recurrence rule: daily, weekly, monthly,
			* quarterly, yearly, Nd, Nw */
} dlg_type;

enum {
	DLG_F_REQUIRED = 1 << 0, /* must be present and not null */
	DLG_F_NULLABLE = 1 << 1, /* may be null */
	DLG_F_ALWAYS = 1 << 2,   /* written even when absent (as null / empty) */
	DLG_F_FLOW = 1 << 3,     /* lists: written on one line */
	DLG_F_IDS = 1 << 4,      /* sets: each item a task id (a UUID) */
};

typedef struct dlg_schema dlg_schema;

typedef struct {
	const char *name;
	dlg_type type;
	unsigned flags;
	const char *const *values; /* DLG_T_ENUM: NULL-terminated */
	const dlg_schema *sub;     /* DLG_T_MAP, DLG_T_KEYED, DLG_T_MAPOF */
	double min, max;           /* numbers: range when min < max */
	const char *doc;
} dlg_field;

struct dlg_schema {
	const char *name;
	const dlg_field *fields;
	size_t count;
};

/* The file kinds: tasks/<hh>/<id>.yaml, team/<handle>.yaml,
 * .delegit/config.yaml, .delegit/policy.yaml (docs/format.md). Static,
 * like everything here. */
extern const dlg_schema dlg_schema_task;
extern const dlg_schema dlg_schema_person;
extern const dlg_schema dlg_schema_config;
extern const dlg_schema dlg_schema_policy;
/* templates/<name>.yaml: what `add --template` fills a task with */
extern const dlg_schema dlg_schema_template;

/* The values of the enums, NULL-terminated, in the order code counts on:
 * statuses as the workflow goes, priorities most urgent first, autonomy
 * levels least freedom first. */
extern const char *const dlg_statuses[];
extern const char *const dlg_priorities[];
extern const char *const dlg_roles[];
extern const char *const dlg_feedback_kinds[];
extern const char *const dlg_autonomy_levels[];

/* A field of s by its whole name (not a path); NULL for none or a NULL s. */
const dlg_field *dlg_schema_field(const dlg_schema *s, const char *name);
/* The field a path names, through nested maps and lists:
 * "expectations.outcome", "feedback[c0ffee42].kind" (any id, or none:
 * "feedback[].kind", or ids left out as the policy's rules name fields:
 * "feedback.kind"), "orgs.acme.sla.high.respond". NULL for an unknown
 * key or a whole list item. */
const dlg_field *dlg_schema_field_at(const dlg_schema *s, const char *path);
/* The schema of a repository file by its path, or NULL if not delegit's. */
const dlg_schema *dlg_schema_for_path(const char *relpath);
/* The index of a value in a NULL-terminated list, or -1. */
int dlg_enum_index(const char *const *values, const char *v);

#define DLG_FORMAT_VERSION 1

#endif
