/* What the unit tests of sync/ share: a fresh repository per test (the
 * fixture), git run in it, commits. */
#ifndef DLG_TEST_SYNC_HELPERS_H
#define DLG_TEST_SYNC_HELPERS_H

#include "sync/sync.h"
#include "helpers.h"

typedef struct {
	char *dir;
	dlg_repo *repo;
} fixture;

static inline int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	f->dir = tmpdir_new();
	if (dlg_repo_init(&f->repo, f->dir) < 0)
		return -1;
	*state = f;
	return 0;
}

static inline int teardown(void **state)
{
	fixture *f = *state;

	dlg_repo_free(f->repo);
	rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

/* Run a shell command in the repository; its output, trimmed. */
static inline char *sh(const fixture *f, const char *cmd)
{
	char full[4096];

	snprintf(full, sizeof(full), "cd '%s' && %s", f->dir, cmd);
	return command_output(full);
}

static inline void commit_file(fixture *f, const char *path, const char *text,
				const char *msg, time_t when)
{
	dlg_signature sig = { "Kim Lee", "kim@msp.example", when };
	dlg_commit_file file = { path, text, text ? strlen(text) : 0 };
	char id[41];

	if (text)
		spit(f->dir, path, text);
	assert_int_equal(dlg_repo_commit(id, f->repo, &file, 1, msg, &sig), 0);
	assert_int_equal(strlen(id), 40);
}

static inline void unlink_in(const char *dir, const char *rel)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	unlink(path);
}

#endif
