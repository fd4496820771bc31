/* libFuzzer: the walk cache's reader (sync/walkcache.c). The first byte
 * chooses: the rest is a body, framed as the program frames one (its MAC
 * right, so that the body's shape is what is judged), or a whole file. Every call the file makes reads every text it hands out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t sink;

static size_t len(const char *s)
{
	return s ? strlen(s) : 0;
}

static int touch(const dlg_commit_info *c, const char *path,
		 const dlg_event *ev, size_t n, void *payload)
{
	size_t i;

	(void)payload;
	sink += strlen(c->id) + len(c->author_name) + len(c->author_email) +
		len(c->signer) + len(c->key) + (size_t)c->when + strlen(path);
	for (i = 0; i < n; i++)
		sink += strlen(ev[i].task) + len(ev[i].title) +
			strlen(ev[i].field) + len(ev[i].from) + len(ev[i].to) +
			strlen(ev[i].commit) + len(ev[i].author) +
			len(ev[i].key);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t program[3] = { 1, 2, 3 };
	static const unsigned char secret[32] = { 9 };
	dlg_buf file = DLG_BUF_INIT;
	git_oid key;
	dlg_walkkept kept;
	char *exact;

	if (!size)
		return 0;
	memset(&key, 7, sizeof(key));
	if (data[0] == 0)
		dlg_sync__walkcache_frame(&file, program, &key, secret,
					  (const char *)data + 1, size - 1);
	else
		dlg_buf_put(&file, (const char *)data + 1, size - 1);
	/* a map has no NUL after it (a buffer has): nor has this copy */
	if (!(exact = malloc(file.size ? file.size : 1)))
		abort();
	memcpy(exact, file.ptr, file.size);
	if (dlg_sync__walkcache_check(&kept, exact, file.size, program,
				      secret) == 0) {
		kept.map = NULL; /* (not mapped: the harness frees it) */
		dlg_sync__walkcache_calls(&kept, touch, NULL);
	}
	free(exact);
	dlg_buf_dispose(&file);
	return 0;
}
