/* libFuzzer: the events cache's reader (sync/evcache.c) on any file after
 * its first line. Every key the bytes name (20 bytes of id, then a path
 * and a NUL, at any offset) is looked up and its record read and checked,
 * as events or as a commit's bytes; then a record is put and the file
 * saved (appended to, or written anew when it is damaged). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync/sync_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];
static dlg_buf magic = DLG_BUF_INIT;

static void remove_file(void)
{
	unlink(path);
}

/* The first line the program writes, learnt from a file it saved. */
static void learn_magic(void)
{
	dlg_evcache *c;
	dlg_events none = DLG_EVENTS_INIT;
	dlg_buf file = DLG_BUF_INIT;
	git_oid id;
	const char *nl;

	snprintf(path, sizeof(path), "/tmp/fuzz-evcache-%ld", (long)getpid());
	unlink(path);
	atexit(remove_file);
	memset(&id, 1, sizeof(id));
	dlg_sync__evcache_open_path(&c, path);
	dlg_sync__evcache_put(c, &id, "tasks/x.yaml", &none);
	dlg_sync__evcache_save(c);
	dlg_sync__evcache_free(c);
	if (dlg_path_read(&file, path) < 0 || !(nl = strchr(file.ptr, '\n')))
		abort();
	dlg_buf_put(&magic, file.ptr, (size_t)(nl + 1 - file.ptr));
	dlg_buf_dispose(&file);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dlg_buf file = DLG_BUF_INIT;
	dlg_evcache *c;
	dlg_event_views v = { 0 };
	dlg_events one = DLG_EVENTS_INIT;
	dlg_event e;
	git_oid id;
	const char *raw;
	size_t len, p, i;

	if (!magic.size)
		learn_magic();
	dlg_buf_put(&file, magic.ptr, magic.size);
	dlg_buf_put(&file, (const char *)data, size);
	if (dlg_path_write(path, file.ptr, file.size) < 0)
		abort();
	dlg_buf_dispose(&file);
	dlg_sync__evcache_open_path(&c, path);
	for (p = 0; p + 21 <= size && p < 4096; p++) {
		const char *key = (const char *)data + p + 20;
		size_t room = size - p - 20 < 256 ? size - p - 20 : 256;

		if (!memchr(key, '\0', room))
			continue;
		memcpy(id.id, data + p, 20);
		if (dlg_sync__evcache_get(c, &id, key, &v))
			for (i = 0; i < v.count; i++)
				if (!v.items[i].field ||
				    strlen(v.items[i].field) > size)
					abort();
		if (!*key && dlg_sync__evcache_commit(c, &id, &raw, &len) &&
		    len > size)
			abort();
	}
	memset(&e, 0, sizeof(e));
	memcpy(e.task, "t", 2);
	e.field = (char *)"status";
	e.to = (char *)"done";
	dlg_events_add(&one, &e, "", NULL, 0, NULL);
	memset(&id, 2, sizeof(id));
	dlg_sync__evcache_put(c, &id, "tasks/y.yaml", &one);
	if (dlg_sync__evcache_get(c, &id, "tasks/y.yaml", &v) != 1 ||
	    v.count != 1 || strcmp(v.items[0].to, "done"))
		abort();
	dlg_sync__evcache_save(c);
	dlg_sync__evcache_free(c);
	dlg_events_dispose(&one);
	free(v.items);
	return 0;
}
