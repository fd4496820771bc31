/*
 * A table from 20-byte object ids to positions in the caller's records
 * (core/rows.c: cache entries by blob id; sync/hindex.c: commits by id).
 * Open addressing, linear probing, at most half full; the caller says where
 * each position's id is (key), so the table holds positions only. The
 * first position added under an id is the one found. Internal to delegit:
 * inline, so that the key function is inlined at each use.
 */
#ifndef DLG_IDTABLE_H
#define DLG_IDTABLE_H

#include <stdlib.h>
#include <string.h>

#define DLG_ID_SIZE 20
#define DLG_IDTABLE_NONE ((size_t)-1)

/* Where the id of the record at pos is. */
typedef const unsigned char *(*dlg_idtable_key)(const void *ctx, size_t pos);

typedef struct {
	size_t *slot; /* position + 1; 0: empty */
	size_t nslots;
} dlg_idtable;

/* Room for n positions. */
static inline void dlg_idtable_init(dlg_idtable *t, size_t n)
{
	t->nslots = 2 * n + 1;
	t->slot = calloc(t->nslots, sizeof(*t->slot));
	if (!t->slot)
		abort();
}

static inline void dlg_idtable_dispose(dlg_idtable *t)
{
	free(t->slot);
	t->slot = NULL;
	t->nslots = 0;
}

/* Ids are hashes already: their first bytes are the slot. */
static inline size_t dlg_idtable__home(const dlg_idtable *t,
				       const unsigned char *id)
{
	size_t h;

	memcpy(&h, id, sizeof(h));
	return h % t->nslots;
}

/* The position of the record with this id; DLG_IDTABLE_NONE if none (or
 * the table is empty). */
static inline size_t dlg_idtable_find(const dlg_idtable *t,
				      const unsigned char *id,
				      dlg_idtable_key key, const void *ctx)
{
	size_t h;

	if (!t->slot)
		return DLG_IDTABLE_NONE;
	for (h = dlg_idtable__home(t, id); t->slot[h]; h = (h + 1) % t->nslots)
		if (!memcmp(key(ctx, t->slot[h] - 1), id, DLG_ID_SIZE))
			return t->slot[h] - 1;
	return DLG_IDTABLE_NONE;
}

/* Add the record at pos under its id, unless one has that id already. At
 * most as many as the table was made for. */
static inline void dlg_idtable_add(dlg_idtable *t, size_t pos,
				   dlg_idtable_key key, const void *ctx)
{
	const unsigned char *id = key(ctx, pos);
	size_t h;

	for (h = dlg_idtable__home(t, id); t->slot[h]; h = (h + 1) % t->nslots)
		if (!memcmp(key(ctx, t->slot[h] - 1), id, DLG_ID_SIZE))
			return;
	t->slot[h] = pos + 1;
}

#endif
