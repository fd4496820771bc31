/* libFuzzer: the per-field merge of three inputs (split on a line
 * "---8<---"). What merges must merge the same both ways. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sync/sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char sep[] = "\n---8<---\n";
	char *text = malloc(size + 1), *parts[3];
	dlg_buf ab = DLG_BUF_INIT, ba = DLG_BUF_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	const char *path = "tasks/0b/0b9c5e5e-7f0c-4d0a-9a1e-2c3f4d5e6f70.yaml";
	size_t n1, n2, k;
	int e1, e2;

	memcpy(text, data, size);
	text[size] = '\0';
	parts[0] = text;
	if (strlen(text) != size)
		goto done; /* NUL bytes: the reader's fuzzer covers those */
	for (k = 1; k < 3; k++) {
		char *p = strstr(parts[k - 1], sep);

		if (!p)
			goto done;
		*p = '\0';
		parts[k] = p + sizeof(sep) - 1;
	}
	e1 = dlg_merge_texts(&ab, &n1, parts[0], strlen(parts[0]), parts[1],
			     strlen(parts[1]), parts[2], strlen(parts[2]), path,
			     &diags);
	e2 = dlg_merge_texts(&ba, &n2, parts[0], strlen(parts[0]), parts[2],
			     strlen(parts[2]), parts[1], strlen(parts[1]), path,
			     &diags);
	if ((e1 < 0) != (e2 < 0))
		abort();
	if (!e1 && (strcmp(ab.ptr, ba.ptr) || n1 != n2))
		abort(); /* not symmetric */
done:
	dlg_buf_dispose(&ab);
	dlg_buf_dispose(&ba);
	dlg_diags_dispose(&diags);
	free(text);
	return 0;
}
