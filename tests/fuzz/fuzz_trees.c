/* libFuzzer: the trees cache's decoders (core/trees.c) on any bytes. What
 * the decoder accepts encodes and decodes again to an equal tree; the
 * frozen decoder accepts the same bytes and makes the same tree, node for
 * node (kinds, types, texts, lines and columns), and frees it whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Whether two trees are the same, positions too (dlg_node_equal compares
 * content only). */
static int same(const dlg_node *a, const dlg_node *b)
{
	size_t i;

	if (a->kind != b->kind || a->type != b->type || a->count != b->count ||
	    a->line != b->line || a->column != b->column)
		return 0;
	if (a->kind == DLG_NODE_SCALAR)
		return !strcmp(a->value, b->value);
	for (i = 0; i < a->count; i++)
		if ((a->kind == DLG_NODE_MAP && strcmp(a->keys[i], b->keys[i])) ||
		    !same(a->items[i], b->items[i]))
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dlg_buf enc = DLG_BUF_INIT;
	dlg_node *doc = dlg__trees_decode(data, size), *again;
	dlg_node *frozen = dlg__trees_decode_frozen(data, size);

	if (!doc != !frozen || (doc && !same(doc, frozen)))
		abort();
	dlg_node_free(frozen);
	if (!doc)
		return 0;
	dlg__trees_encode(&enc, doc);
	again = dlg__trees_decode((const unsigned char *)enc.ptr, enc.size);
	if (!again || !dlg_node_equal(doc, again))
		abort();
	dlg_node_free(again);
	dlg_node_free(doc);
	dlg_buf_dispose(&enc);
	return 0;
}
