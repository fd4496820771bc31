/* delegit merge-file BASE OURS THEIRS PATH: the git merge driver. */
#include "cli.h"

static const cli_spec spec = {
	"delegit merge-file BASE OURS THEIRS PATH",
	"Merge three versions of a delegit file field by field (git's merge "
	"driver).",
	"Git runs it as 'delegit merge-file %O %A %B %P' for files whose\n"
	".gitattributes say merge=delegit; 'delegit init' and 'clone' set this\n"
	"up. The result replaces OURS. Fields changed on both sides to\n"
	"different values are recorded under 'conflicts:' (see 'delegit\n"
	"conflicts'); the file never holds conflict markers. Exits 1, leaving\n"
	"OURS as it was, when a version does not validate.",
	NULL, 4, 4, "BASE OURS THEIRS PATH", 0, CLI_ANY_BYTES
};

int cmd_merge_file(cli_ctx *c, int argc, char **argv)
{
	cli_args a;
	dlg_buf in[3] = { DLG_BUF_INIT, DLG_BUF_INIT, DLG_BUF_INIT };
	dlg_buf out = DLG_BUF_INIT;
	dlg_diags diags = DLG_DIAGS_INIT;
	char latest[2][DLG_TIME_SIZE];
	size_t n = 0, k;
	int error, have;

	(void)c;
	if ((error = cli_parse(&a, &spec, argc, argv)) != 0)
		goto done;
	for (k = 0; k < 3; k++)
		if ((error = dlg_path_read(&in[k], a.pos[k])) < 0)
			goto done;
	/* Stamps limited by the two commits' times, as sync merges (when
	 * git is merging two commits here). */
	have = !dlg_merge_stamp_limits(latest[0], latest[1]);
	/* Git gives an empty ancestor when both sides added the file. */
	if ((error = dlg_merge_texts_limited(
		     &out, &n, in[0].size ? in[0].ptr : NULL, in[0].size,
		     in[1].ptr, in[1].size, in[2].ptr, in[2].size,
		     have ? latest[0] : NULL, have ? latest[1] : NULL, a.pos[3],
		     &diags)) < 0) {
		error = cli_fail(error, &diags);
		goto done;
	}
	if ((error = dlg_path_write(a.pos[1], out.ptr, out.size)) < 0)
		goto done;
	if (n)
		cli_eprintf("delegit: merged %s: %zu conflict%s recorded "
			    "(see 'delegit conflicts')\n", a.pos[3], n,
			    n == 1 ? "" : "s");
done:
	for (k = 0; k < 3; k++)
		dlg_buf_dispose(&in[k]);
	dlg_buf_dispose(&out);
	dlg_diags_dispose(&diags);
	cli_args_dispose(&a);
	return error;
}
