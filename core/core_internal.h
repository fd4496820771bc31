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

#endif
