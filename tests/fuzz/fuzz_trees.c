/* libFuzzer: the trees cache's decoders (core/trees.c) on any bytes. What
 * the decoder accepts encodes and decodes again to an equal tree; the
 * frozen decoder accepts the same bytes and makes the same tree, node for
 * node (kinds, types, texts, lines and columns), and frees it whole. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dlg_buf enc = DLG_BUF_INIT;
	dlg_node *doc = dlg__trees_decode(data, size), *again;
	dlg_node *frozen = dlg__trees_decode_frozen(data, size);

	if (!doc != !frozen || (doc && !dlg__node_same(doc, frozen)))
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
