/*
 * The file formats, format 1. Field order here is the key order of the
 * canonical form; see docs/format.md.
 */
#include <string.h>

#include "schema.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

const char *const dlg_statuses[] = { "open", "in-progress", "blocked",
				     "review", "done", "cancelled", NULL };
const char *const dlg_priorities[] = { "critical", "high", "normal", "low",
				       NULL };
const char *const dlg_roles[] = { "director", "manager", "staff", "msp",
				  NULL };
const char *const dlg_feedback_kinds[] = { "guidance", "progress", "concern",
					   "praise", "review", "delegation",
					   "check-in", NULL };
/* How much freedom a task comes with, least first (docs/format.md). */
const char *const dlg_autonomy_levels[] = { "follow-steps", "recommend",
					    "act-and-report", "own", NULL };
static const char *const policy_modes[] = { "warn", "enforce", NULL };
static const char *const policy_signatures[] = { "optional", "required",
						 NULL };

static const dlg_field acceptance_fields[] = {
	{ "id", DLG_T_ITEMID, DLG_F_REQUIRED, NULL, NULL, 0, 0, "item id" },
	{ "text", DLG_T_TEXT, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "the criterion" },
	{ "met", DLG_T_BOOL, DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "whether it is met" },
};
static const dlg_schema acceptance_schema = { "acceptance criterion",
	acceptance_fields, N(acceptance_fields) };

static const dlg_field expectations_fields[] = {
	{ "outcome", DLG_T_TEXT, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0,
	  0, "what done looks like" },
	{ "quality", DLG_T_LIST, DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "quality standards" },
	{ "acceptance", DLG_T_KEYED, DLG_F_ALWAYS, NULL, &acceptance_schema,
	  0, 0, "acceptance criteria" },
	{ "process", DLG_T_TEXT, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0,
	  0, "the process to follow" },
};
static const dlg_schema expectations_schema = { "expectations",
	expectations_fields, N(expectations_fields) };

static const dlg_field checkpoint_fields[] = {
	{ "id", DLG_T_ITEMID, DLG_F_REQUIRED, NULL, NULL, 0, 0, "item id" },
	{ "due", DLG_T_DATE, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "when it is due" },
	{ "what", DLG_T_TEXT, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "what is checked" },
	{ "done", DLG_T_BOOL, DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "whether it is done" },
};
static const dlg_schema checkpoint_schema = { "checkpoint",
	checkpoint_fields, N(checkpoint_fields) };

static const dlg_field feedback_fields[] = {
	{ "id", DLG_T_ITEMID, DLG_F_REQUIRED, NULL, NULL, 0, 0, "item id" },
	{ "at", DLG_T_TIME, DLG_F_REQUIRED, NULL, NULL, 0, 0, "when" },
	{ "author", DLG_T_HANDLE, DLG_F_REQUIRED, NULL, NULL, 0, 0, "who" },
	{ "kind", DLG_T_ENUM, DLG_F_REQUIRED, dlg_feedback_kinds, NULL, 0, 0,
	  "what kind of feedback" },
	{ "rating", DLG_T_INT, 0, NULL, NULL, 1, 5, "1 to 5, optional" },
	{ "text", DLG_T_TEXT, DLG_F_REQUIRED, NULL, NULL, 0, 0, "the words" },
};
static const dlg_schema feedback_schema = { "feedback", feedback_fields,
	N(feedback_fields) };

static const dlg_field spent_fields[] = {
	{ "id", DLG_T_ITEMID, DLG_F_REQUIRED, NULL, NULL, 0, 0, "item id" },
	{ "at", DLG_T_TIME, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "when it was recorded" },
	{ "by", DLG_T_HANDLE, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "who spent the time" },
	{ "hours", DLG_T_NUM, DLG_F_REQUIRED, NULL, NULL, 0, 1000,
	  "hours spent, more than 0" },
	{ "note", DLG_T_TEXT, 0, NULL, NULL, 0, 0, "what it went to" },
};
static const dlg_schema spent_schema = { "time entry", spent_fields,
					 N(spent_fields) };

static const dlg_field due_request_fields[] = {
	{ "due", DLG_T_DATE, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "the due date asked for" },
	{ "by", DLG_T_HANDLE, DLG_F_REQUIRED, NULL, NULL, 0, 0, "who asks" },
	{ "at", DLG_T_TIME, DLG_F_REQUIRED, NULL, NULL, 0, 0, "when" },
	{ "why", DLG_T_TEXT, DLG_F_REQUIRED, NULL, NULL, 0, 0, "the reason" },
};
static const dlg_schema due_request_schema = { "due date request",
	due_request_fields, N(due_request_fields) };

static const char *const conflict_reasons[] = { "conflict", "deleted",
						 "rejected", NULL };

static const dlg_field conflict_fields[] = {
	{ "id", DLG_T_ITEMID, DLG_F_REQUIRED, NULL, NULL, 0, 0, "record id" },
	{ "field", DLG_T_STR, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "the field, e.g. status or checkpoints[27c4f0aa].done" },
	{ "reason", DLG_T_ENUM, DLG_F_REQUIRED, conflict_reasons, NULL, 0, 0,
	  "conflict, deleted (deleted on one side, changed on the other) or "
	  "rejected (by the policy)" },
	{ "value", DLG_T_ANY, DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "the value now in the file" },
	{ "value_by", DLG_T_HANDLE, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL,
	  0, 0, "who set it" },
	{ "value_at", DLG_T_TIME, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0,
	  0, "when" },
	{ "other", DLG_T_ANY, DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "the value that lost (null: deleted)" },
	{ "other_by", DLG_T_HANDLE, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL,
	  0, 0, "who set it" },
	{ "other_at", DLG_T_TIME, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0,
	  0, "when" },
	{ "commit", DLG_T_STR, 0, NULL, NULL, 0, 0,
	  "rejected: the commit that made the change" },
};
static const dlg_schema conflict_schema = { "conflict", conflict_fields,
					    N(conflict_fields) };

static const dlg_field recur_fields[] = {
	{ "every", DLG_T_EVERY, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "the rule: daily, weekly, monthly, quarterly, yearly, Nd or Nw" },
	{ "start", DLG_T_DATE, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "the series' first due date, which the rule's dates count from" },
	{ "until", DLG_T_DATE, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "no occurrence is due after this date (null: no end)" },
	{ "series", DLG_T_UUID, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "the id of the series' first task" },
};
static const dlg_schema recur_schema = { "recurrence", recur_fields,
					 N(recur_fields) };

static const dlg_field task_fields[] = {
	{ "format", DLG_T_INT, DLG_F_REQUIRED, NULL, NULL, 1, 1,
	  "format version (1)" },
	{ "id", DLG_T_UUID, DLG_F_REQUIRED, NULL, NULL, 0, 0, "the task's id" },
	{ "title", DLG_T_STR, DLG_F_REQUIRED, NULL, NULL, 0, 0, "one line" },
	{ "status", DLG_T_ENUM, DLG_F_REQUIRED, dlg_statuses, NULL, 0, 0,
	  "workflow state" },
	{ "priority", DLG_T_ENUM, DLG_F_REQUIRED, dlg_priorities, NULL, 0, 0,
	  "priority" },
	{ "core", DLG_T_BOOL, DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "the delegator's own core work" },
	{ "delegator", DLG_T_HANDLE, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "who delegated it" },
	{ "assignee", DLG_T_HANDLE, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL,
	  0, 0, "who does it" },
	{ "created", DLG_T_TIME, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "when it was delegated" },
	{ "due", DLG_T_DATE, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "deadline" },
	{ "autonomy", DLG_T_ENUM, 0, dlg_autonomy_levels, NULL, 0, 0,
	  "how much freedom: follow-steps, recommend, act-and-report or own "
	  "(sets the check-in cadence; absent: the assignee's own level)" },
	{ "due_request", DLG_T_MAP, 0, NULL, &due_request_schema, 0, 0,
	  "the assignee's request for a new due date (delegit ask-due), "
	  "until the delegator grants or declines it" },
	{ "recur", DLG_T_MAP, 0, NULL, &recur_schema, 0, 0,
	  "the series this task is an occurrence of (delegit add --every): "
	  "closing it creates the next" },
	{ "after", DLG_T_SET, DLG_F_FLOW | DLG_F_IDS, NULL, NULL, 0, 0,
	  "ids of the tasks it depends on: it starts once they are done" },
	{ "started", DLG_T_TIME, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0,
	  0, "first move to in-progress" },
	{ "closed", DLG_T_TIME, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0,
	  0, "accepted as done, or cancelled" },
	{ "updated", DLG_T_TIME, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0,
	  0, "last change" },
	{ "updated_by", DLG_T_HANDLE, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL,
	  NULL, 0, 0, "who made the last change" },
	{ "estimate_hours", DLG_T_NUM, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL,
	  NULL, 0, 100000, "estimated effort in hours" },
	{ "tags", DLG_T_SET, DLG_F_ALWAYS | DLG_F_FLOW, NULL, NULL, 0, 0,
	  "labels" },
	{ "skills", DLG_T_SET, DLG_F_ALWAYS | DLG_F_FLOW, NULL, NULL, 0, 0,
	  "skills the work needs" },
	{ "why", DLG_T_TEXT, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL, NULL, 0, 0,
	  "the why behind the what" },
	{ "expectations", DLG_T_MAP, DLG_F_ALWAYS, NULL, &expectations_schema,
	  0, 0, "outcome, quality, acceptance, process" },
	{ "checkpoints", DLG_T_KEYED, DLG_F_ALWAYS, NULL, &checkpoint_schema,
	  0, 0, "check-ins" },
	{ "feedback", DLG_T_KEYED, DLG_F_ALWAYS, NULL, &feedback_schema, 0, 0,
	  "feedback, both ways" },
	{ "spent", DLG_T_KEYED, 0, NULL, &spent_schema, 0, 0,
	  "time spent on it, an entry a person and sitting (delegit spent)" },
	{ "conflicts", DLG_T_KEYED, 0, NULL, &conflict_schema, 0, 0,
	  "what sync could not merge, for a person to settle" },
};
const dlg_schema dlg_schema_task = { "task", task_fields, N(task_fields) };

static const dlg_field person_fields[] = {
	{ "handle", DLG_T_HANDLE, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "short name, also the file name" },
	{ "name", DLG_T_STR, DLG_F_REQUIRED, NULL, NULL, 0, 0, "full name" },
	{ "emails", DLG_T_SET, DLG_F_ALWAYS | DLG_F_FLOW, NULL, NULL, 0, 0,
	  "git emails" },
	{ "org", DLG_T_STR, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "organisation" },
	{ "role", DLG_T_ENUM, DLG_F_REQUIRED, dlg_roles, NULL, 0, 0, "role" },
	{ "skills", DLG_T_SET, DLG_F_ALWAYS | DLG_F_FLOW, NULL, NULL, 0, 0,
	  "skills" },
	{ "growing", DLG_T_SET, DLG_F_FLOW, NULL, NULL, 0, 0,
	  "skills they are growing: suggest offers them stretch work" },
	{ "autonomy", DLG_T_ENUM, 0, dlg_autonomy_levels, NULL, 0, 0,
	  "the freedom their tasks come with unless a task says otherwise" },
	{ "capacity_hours", DLG_T_NUM, DLG_F_NULLABLE | DLG_F_ALWAYS, NULL,
	  NULL, 0, 168, "hours a week for delegated work" },
	{ "retired", DLG_T_DATE, 0, NULL, NULL, 0, 0,
	  "the date they left (delegit team retire): their file and history "
	  "stay, no new work goes to them" },
	{ "keys", DLG_T_SET, 0, NULL, NULL, 0, 0,
	  "OpenSSH public keys this person signs commits with" },
	{ "retired_keys", DLG_T_SET, 0, NULL, NULL, 0, 0,
	  "keys no longer used: what they signed before stays verified" },
	{ "revoked_keys", DLG_T_SET, 0, NULL, NULL, 0, 0,
	  "keys lost or stolen: nothing new they sign is verified" },
};
const dlg_schema dlg_schema_person = { "person", person_fields,
				       N(person_fields) };

static const dlg_field sla_fields[] = {
	{ "respond", DLG_T_DURATION, DLG_F_NULLABLE, NULL, NULL, 0, 0,
	  "created to started" },
	{ "resolve", DLG_T_DURATION, DLG_F_NULLABLE, NULL, NULL, 0, 0,
	  "created to review or done" },
};
static const dlg_schema sla_schema = { "sla target", sla_fields,
				       N(sla_fields) };

static const dlg_field org_fields[] = {
	{ "title", DLG_T_STR, DLG_F_NULLABLE, NULL, NULL, 0, 0,
	  "display name" },
	{ "sla", DLG_T_MAPOF, 0, dlg_priorities, &sla_schema, 0, 0,
	  "targets per priority" },
};
static const dlg_schema org_schema = { "organisation", org_fields,
				       N(org_fields) };

static const dlg_field config_fields[] = {
	{ "format", DLG_T_INT, DLG_F_REQUIRED, NULL, NULL, 1, 1,
	  "format version (1)" },
	{ "orgs", DLG_T_MAPOF, DLG_F_ALWAYS, NULL, &org_schema, 0, 0,
	  "organisations" },
};
const dlg_schema dlg_schema_config = { "config", config_fields,
				       N(config_fields) };

static const dlg_field tmpl_expectations_fields[] = {
	{ "outcome", DLG_T_TEXT, DLG_F_NULLABLE, NULL, NULL, 0, 0,
	  "what done looks like" },
	{ "quality", DLG_T_LIST, 0, NULL, NULL, 0, 0, "quality standards" },
	{ "acceptance", DLG_T_LIST, 0, NULL, NULL, 0, 0,
	  "acceptance criteria, each a line of text" },
	{ "process", DLG_T_TEXT, DLG_F_NULLABLE, NULL, NULL, 0, 0,
	  "the process to follow" },
};
static const dlg_schema tmpl_expectations_schema = { "expectations",
	tmpl_expectations_fields, N(tmpl_expectations_fields) };

static const dlg_field tmpl_checkpoint_fields[] = {
	{ "before", DLG_T_DURATION, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "how long before the due date, in days or weeks: 7d, 2w (0d: on "
	  "it)" },
	{ "what", DLG_T_TEXT, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "what is checked" },
};
static const dlg_schema tmpl_checkpoint_schema = { "checkpoint",
	tmpl_checkpoint_fields, N(tmpl_checkpoint_fields) };

static const dlg_field template_fields[] = {
	{ "format", DLG_T_INT, DLG_F_REQUIRED, NULL, NULL, 1, 1,
	  "format version (1)" },
	{ "name", DLG_T_HANDLE, DLG_F_REQUIRED, NULL, NULL, 0, 0,
	  "the template's name, also the file name" },
	{ "title", DLG_T_STR, 0, NULL, NULL, 0, 0,
	  "a title for tasks that give none" },
	{ "priority", DLG_T_ENUM, 0, dlg_priorities, NULL, 0, 0, "priority" },
	{ "autonomy", DLG_T_ENUM, 0, dlg_autonomy_levels, NULL, 0, 0,
	  "how much freedom" },
	{ "estimate_hours", DLG_T_NUM, 0, NULL, NULL, 0, 100000,
	  "estimated effort in hours" },
	{ "tags", DLG_T_SET, DLG_F_FLOW, NULL, NULL, 0, 0, "labels" },
	{ "skills", DLG_T_SET, DLG_F_FLOW, NULL, NULL, 0, 0,
	  "skills the work needs" },
	{ "why", DLG_T_TEXT, DLG_F_NULLABLE, NULL, NULL, 0, 0,
	  "the why behind the what" },
	{ "expectations", DLG_T_MAP, 0, NULL, &tmpl_expectations_schema, 0, 0,
	  "outcome, quality, acceptance, process" },
	{ "checkpoints", DLG_T_KEYED, 0, NULL, &tmpl_checkpoint_schema, 0, 0,
	  "check-ins, each some time before the due date" },
};
const dlg_schema dlg_schema_template = { "template", template_fields,
					 N(template_fields) };

static const dlg_field policy_fields[] = {
	{ "format", DLG_T_INT, DLG_F_REQUIRED, NULL, NULL, 1, 1,
	  "format version (1)" },
	{ "mode", DLG_T_ENUM, DLG_F_ALWAYS, policy_modes, NULL, 0, 0,
	  "warn or enforce" },
	{ "signatures", DLG_T_ENUM, 0, policy_signatures, NULL, 0, 0,
	  "optional or required: whether every commit must be signed" },
	{ "rules", DLG_T_ANY, 0, NULL, NULL, 0, 0, "who may change what" },
};
const dlg_schema dlg_schema_policy = { "policy", policy_fields,
				       N(policy_fields) };

const dlg_field *dlg_schema_field(const dlg_schema *s, const char *name)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < s->count; i++)
		if (!strcmp(s->fields[i].name, name))
			return &s->fields[i];
	return NULL;
}

int dlg_enum_index(const char *const *values, const char *v)
{
	int i;

	for (i = 0; values && values[i]; i++)
		if (!strcmp(values[i], v))
			return i;
	return -1;
}

const dlg_field *dlg_schema_field_at(const dlg_schema *s, const char *path)
{
	const dlg_field *f = NULL;
	const char *p = path;
	size_t i, n;

	while (s && *p) {
		n = strcspn(p, ".[");
		for (f = NULL, i = 0; i < s->count && !f; i++)
			if (strlen(s->fields[i].name) == n &&
			    !strncmp(s->fields[i].name, p, n))
				f = &s->fields[i];
		if (!f)
			return NULL;
		p += n;
		if (*p == '[') {
			if (f->type != DLG_T_KEYED || !(p = strchr(p, ']')) ||
			    !*++p)
				return NULL; /* a whole item is no field */
		}
		if (!*p)
			return f;
		if (*p++ != '.')
			return NULL;
		if (f->type == DLG_T_MAPOF) {
			/* a key of the map, then the fields of its value */
			p += strcspn(p, ".");
			if (*p++ != '.')
				return NULL;
		}
		s = f->sub;
	}
	return NULL;
}

const dlg_schema *dlg_schema_for_path(const char *p)
{
	size_t len = strlen(p);

	if (len < 6 || strcmp(p + len - 5, ".yaml"))
		return NULL;
	if (!strncmp(p, "tasks/", 6) || !strncmp(p, "archive/", 8))
		return &dlg_schema_task;
	if (!strncmp(p, "team/", 5) && !strchr(p + 5, '/'))
		return &dlg_schema_person;
	if (!strncmp(p, "templates/", 10) && !strchr(p + 10, '/'))
		return &dlg_schema_template;
	if (!strcmp(p, ".delegit/config.yaml"))
		return &dlg_schema_config;
	if (!strcmp(p, ".delegit/policy.yaml"))
		return &dlg_schema_policy;
	return NULL;
}
