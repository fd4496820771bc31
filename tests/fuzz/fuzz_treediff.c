#define _GNU_SOURCE /* memmem */
/* libFuzzer: the history index's comparison of many pairs of trees
 * (sync/treediff.c, dlg_sync__changed_paths_many) on trees of any bytes,
 * as a member could push them. The input is up to four trees' bytes,
 * separated by "\n--\n"; with them, a folder "s" of each (a tree holding
 * the tree before it under that name), so that folders are compared too.
 * Every pair, newest first as the index walks them and then each against
 * every other, is compared at once and alone: the same paths in the same
 * order, or an error either way. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2/sys/mempack.h>
#include <git2/sys/repository.h>

#include "sync/sync_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXT 8

/* A tree written as it is: "40000 s\0" and the id, then the bytes. */
static void wrap(git_odb *odb, git_oid *out, const git_oid *inner,
		 const uint8_t *tail, size_t n)
{
	dlg_buf raw = DLG_BUF_INIT;

	dlg_buf_put(&raw, "40000 s", 8);
	dlg_buf_put(&raw, (const char *)inner->id, 20);
	dlg_buf_put(&raw, (const char *)tail, n);
	if (git_odb_write(out, odb, raw.ptr, raw.size, GIT_OBJECT_TREE) < 0)
		abort();
	dlg_buf_dispose(&raw);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	git_odb *odb = NULL;
	git_odb_backend *mem = NULL;
	git_repository *repo = NULL;
	git_oid t[MAXT], a[MAXT * MAXT + MAXT], b[MAXT * MAXT + MAXT];
	dlg_trees memo;
	dlg_buf many = DLG_BUF_INIT, alone = DLG_BUF_INIT;
	size_t start[MAXT * MAXT + MAXT + 1], nt = 0, n = 0, i, j, count;
	uint32_t counts[MAXT * MAXT + MAXT + 1];
	const uint8_t *p = data, *end = data + size;
	int error;

	dlg_sync__init();
	if (git_odb_new(&odb) < 0 || git_mempack_new(&mem) < 0 ||
	    git_odb_add_backend(odb, mem, 1) < 0 ||
	    git_repository_wrap_odb(&repo, odb) < 0)
		abort();
	while (nt < MAXT / 2) {
		const uint8_t *sep = memmem(p, (size_t)(end - p), "\n--\n", 4);
		const uint8_t *stop = sep ? sep : end;

		if (git_odb_write(&t[nt], odb, p, (size_t)(stop - p),
				  GIT_OBJECT_TREE) < 0)
			abort();
		nt++;
		if (!sep)
			break;
		p = sep + 4;
	}
	for (i = 0, j = nt; i < j; i++)
		wrap(odb, &t[nt++], &t[i], data, size < 40 ? size : 40);
	/* newest first: each pair's first tree the next pair's second */
	for (i = 0; i + 1 < nt; i++, n++) {
		git_oid_cpy(&a[n], &t[i + 1]);
		git_oid_cpy(&b[n], &t[i]);
	}
	for (i = 0; i < nt; i++)
		for (j = 0; j < nt; j++, n++) {
			git_oid_cpy(&a[n], &t[i]);
			git_oid_cpy(&b[n], &t[j]);
		}
	memset(&memo, 0, sizeof(memo));
	memo.git = repo;
	error = dlg_sync__changed_paths_many(&many, start, counts, &memo, a, b,
					     n, NULL, NULL);
	for (i = 0; i < n; i++) {
		int e;

		dlg_buf_clear(&alone);
		e = dlg_sync__changed_paths(&alone, &count, &memo, &a[i], &b[i]);
		if (error)
			continue;
		if (e || counts[i] != count ||
		    start[i + 1] - start[i] != alone.size ||
		    memcmp(many.ptr + start[i], alone.ptr, alone.size))
			abort();
	}
	dlg_sync__trees_dispose(&memo);
	dlg_buf_dispose(&many);
	dlg_buf_dispose(&alone);
	git_repository_free(repo);
	git_odb_free(odb);
	return 0;
}
