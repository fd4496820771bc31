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

#endif
