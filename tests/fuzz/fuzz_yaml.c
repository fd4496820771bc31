/* libFuzzer: the YAML reader, the validator and the canonical writer. The
 * input is read as a task file; whatever validates must write and read
 * back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const dlg_schema *const schemas[] = {
		&dlg_schema_task, &dlg_schema_person, &dlg_schema_config,
		&dlg_schema_policy
	};
	dlg_diags diags = DLG_DIAGS_INIT;
	dlg_node *doc = NULL, *again = NULL;
	dlg_buf text = DLG_BUF_INIT, text2 = DLG_BUF_INIT;
	const dlg_schema *s;

	if (!size)
		return 0;
	s = schemas[data[0] % 4];
	if (dlg_store_parse(&doc, (const char *)data + 1, size - 1, "f.yaml", s,
			    &diags) == 0) {
		if (dlg_yaml_write(&text, doc, s) < 0)
			abort();
		if (dlg_store_parse(&again, text.ptr, text.size, "f.yaml", s,
				    &diags) < 0)
			abort(); /* we wrote what we cannot read */
		if (dlg_yaml_write(&text2, again, s) < 0 ||
		    strcmp(text.ptr, text2.ptr))
			abort(); /* the canonical form is not a fixed point */
		dlg_json_write(&text2, again);
	}
	dlg_node_free(doc);
	dlg_node_free(again);
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&text2);
	dlg_diags_dispose(&diags);
	return 0;
}
