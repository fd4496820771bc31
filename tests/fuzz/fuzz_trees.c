/* libFuzzer: the trees cache's decoder (core/trees.c) on any bytes. What
 * it accepts encodes and decodes again to an equal tree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	dlg_buf enc = DLG_BUF_INIT;
	dlg_node *doc = dlg__trees_decode(data, size), *again;

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
