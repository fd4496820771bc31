/* What the unit tests of core/ share: the test data, tasks from text. */
#ifndef DLG_TEST_CORE_HELPERS_H
#define DLG_TEST_CORE_HELPERS_H

#include "core/core.h"
#include "helpers.h"

static inline const char *data_dir(void)
{
	const char *d = getenv("DELEGIT_TEST_DATA");

	return d ? d : "tests/data";
}

static inline char *data_file(const char *rel, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", data_dir(), rel);
	return slurp(path, len);
}

/* Parse and validate a task's text; fails the test on any problem. */
static inline dlg_node *task_from(const char *text, size_t len)
{
	dlg_diags d = DLG_DIAGS_INIT;
	dlg_node *doc = NULL;
	dlg_buf msg = DLG_BUF_INIT;

	if (dlg_store_parse(&doc, text, len, "t.yaml", &dlg_schema_task, &d)) {
		dlg_diags_format(&msg, &d);
		fail_msg("unexpected problems:\n%s", msg.ptr);
	}
	dlg_diags_dispose(&d);
	dlg_buf_dispose(&msg);
	return doc;
}

static inline char *canonical(const dlg_node *doc)
{
	dlg_buf b = DLG_BUF_INIT;

	assert_int_equal(dlg_yaml_write(&b, doc, &dlg_schema_task), 0);
	return dlg_buf_detach(&b);
}

static inline void put_task(const char *root, const char *uuid,
			    const char *title, const char *priority,
			    const char *due)
{
	char rel[128], text[1024];

	snprintf(rel, sizeof(rel), "tasks/%.2s/%s.yaml", uuid, uuid);
	snprintf(text, sizeof(text),
		 "format: 1\nid: %s\ntitle: %s\nstatus: open\n"
		 "priority: %s\ndelegator: dana\n%s%s%s"
		 "created: 2026-11-25T09:12:00Z\n", uuid, title, priority,
		 due ? "due: " : "", due ? due : "", due ? "\n" : "");
	spit(root, rel, text);
}

#endif
