/* libFuzzer: the command-line parser, on argument vectors (one argument a
 * line), against a table with every kind of option. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const cli_opt opts[] = {
	{ CLI_O_TO, 0, OPT_VALUE, "H", "value" },
	{ CLI_O_TAG, 't', OPT_MULTI, "T", "multi" },
	{ CLI_O_JSON, 0, OPT_FLAG, NULL, "flag" },
	{ CLI_O_MESSAGE, 'm', OPT_VALUE, "TEXT", "short value" },
	CLI_OPT_END
};

static const cli_spec spec = { "delegit fuzz [options] A [B]", "fuzz", NULL,
			       opts, 1, 2 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[64];
	int argc = 0;
	cli_args a;
	FILE *saved_out = stdout, *saved_err = stderr, *null;

	memcpy(text, data, size);
	text[size] = '\0';
	argv[argc++] = "fuzz";
	for (char *p = text; argc < 63;) {
		char *nl = strchr(p, '\n');

		argv[argc++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	argv[argc] = NULL;
	/* --help prints; keep the fuzzer's output quiet */
	null = fopen("/dev/null", "w");
	stdout = null;
	stderr = null;
	if (cli_parse(&a, &spec, argc, argv) == 0) {
		const char **v;

		cli_get(&a, CLI_O_TO);
		cli_flag(&a, CLI_O_JSON);
		cli_multi(&v, &a, CLI_O_TAG);
	}
	cli_args_dispose(&a);
	stdout = saved_out;
	stderr = saved_err;
	fclose(null);
	free(text);
	return 0;
}
