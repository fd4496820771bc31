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
 * rows made from trees (dlg_rows_from_tasks). */
const unsigned char *dlg__row_oid(const dlg_row *row);
/* Whether some bytes are the blob with that id. */
int dlg__blob_is(const unsigned char oid[20], const char *data, size_t len);

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
/* A tree's encoding in the cache, and back: NULL for bytes that are not
 * one whole map's encoding (the fuzzer's way in). */
void dlg__trees_encode(dlg_buf *out, const dlg_node *doc);
dlg_node *dlg__trees_decode(const unsigned char *p, size_t len);

#endif
