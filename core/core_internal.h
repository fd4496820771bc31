/* Shared inside core/ only. */
#ifndef DLG_CORE_INTERNAL_H
#define DLG_CORE_INTERNAL_H

#include "core.h"

/* Whether a string, written plain, would read back as something else. */
int dlg_yaml__needs_quotes(const char *value);

/* Whether a YAML 1.1 boolean's spelling (yes, On, TRUE, ...) means true. */
int dlg_yaml__bool_true(const char *value);

/* A report's number: an integer when it is whole, else one decimal
 * (core/report.c); set on a map's key. */
dlg_node *dlg__num(double v);
void dlg__set_num(dlg_node *m, const char *k, double v);

/* The blob id (20 bytes) a row was read from (core/rows.c); zeroes for
 * rows made from trees (dlg_rows_from_tasks) or by a store without a
 * hasher. */
const unsigned char *dlg__row_oid(const dlg_row *row);
/* Whether some bytes are the blob with that id, by the store's hasher;
 * 0 when it has none. */
int dlg__blob_is(const dlg_store *s, const unsigned char oid[20],
		 const char *data, size_t len);

/* The trend's weeks (core/trend.c): each week's done tasks, those with a
 * due date and those on time, as dlg_report_delivery counts them (summed
 * over the people) for in narrowed to week k: [max(in->since, starts[k]),
 * min(starts[k + 1], end)). One pass over the tasks, not a delivery
 * report a week; the arrays (nweeks entries, zeroed) are added to. */
void dlg__delivered_by_week(const dlg_report_input *in, const time_t *starts,
			    size_t nweeks, time_t end, size_t *done,
			    size_t *with_due, size_t *on_time);

/* Whether two trees are the same node for node: kinds, scalar types,
 * texts, keys in order, lines and columns (dlg_node_equal compares what
 * they say only). For the tests of the trees cache's decoders. */
int dlg__node_same(const dlg_node *a, const dlg_node *b);

/* A scalar node that takes value (malloc'd, not NULL) as its own. */
dlg_node *dlg__node_scalar_take(dlg_scalar_type type, char *value);

/*
 * The task trees cache (core/trees.c): parsed, validated task trees by
 * blob id. open never fails (a missing or foreign file is empty); get
 * returns a new tree the caller frees, or NULL when it has none; put
 * stores a copy; close writes what was put (keeping the entries of rows'
 * blobs when it writes the file anew; rows NULL: nothing written) and
 * frees t.
 */
typedef struct dlg_trees dlg_trees;
dlg_trees *dlg__trees_open(const char *path);
dlg_node *dlg__trees_get(dlg_trees *t, const unsigned char oid[20]);
void dlg__trees_put(dlg_trees *t, const unsigned char oid[20],
		    const dlg_node *doc);
void dlg__trees_close(dlg_trees *t, dlg_rows *rows);
/* The same tree, frozen (below): for the commands that only read every
 * task (the reports). */
dlg_node *dlg__trees_get_frozen(dlg_trees *t, const unsigned char oid[20]);
/* A tree's encoding in the cache, and back: NULL for bytes that are not
 * one whole map's encoding (the fuzzer's way in). */
void dlg__trees_encode(dlg_buf *out, const dlg_node *doc);
dlg_node *dlg__trees_decode(const unsigned char *p, size_t len);
dlg_node *dlg__trees_decode_frozen(const unsigned char *p, size_t len);

/*
 * A frozen tree: its nodes, their arrays and texts in one allocation, the
 * root first (at 100,000 tasks, a node, a key and a text allocated each
 * were most of a report's time and memory). Read-only: its nodes' alloc
 * says so, dlg_node_free frees the whole tree given the root and nothing
 * given any other node, and changing one aborts (dlg_map_set and the
 * rest: a programming error, never a file's).
 */
#define DLG__FROZEN_ROOT ((size_t)-1)
#define DLG__FROZEN ((size_t)-2)

/*
 * Ask for the pages of a fresh allocation in one call (a hint; Linux 5.14
 * and later). Touched one by one, fresh pages cost ~15 us each on the VM
 * of docs/benchmarks.md, a third of that asked for at once: for the
 * arrays of 100,000 rows, tens of milliseconds.
 */
void dlg_prefault(void *p, size_t len);

/* Whether name is a shard folder's: two lowercase hex digits. */
int dlg_store__shard_name(const char *name);
/* Whether name (a file in a shard folder) names a task file,
 * "<uuid>.yaml", its id a valid UUID starting with shard's two digits
 * (shard NULL: any). */
int dlg_store__task_file_name(const char *name, const char *shard);

/* The store's hasher (dlg_store_set_hash), NULL if none. */
dlg_hash_fn dlg_store__hash(const dlg_store *s);
/* Whether the store keeps the shards' listings of a rows scan
 * (dlg_store_keep_listings); then the ids the scan found in one shard
 * (the folder's two hex digits), sorted, given to the store (which frees
 * them) as that shard's listing, in place of any before; complete: the folder
 * holds no other name but those starting with a dot (dlg_store_check
 * then takes the listing for the folder's). */
int dlg_store__keeps_listings(const dlg_store *s);
void dlg_store__shard_found(dlg_store *s, const char *shard, char **ids,
			    size_t n, int complete);

#endif
