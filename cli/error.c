/*
 * The one way an error is printed (as git's error()): where it is found,
 * with its code returned; what was not printed there is printed once, at
 * the end of its way up (main(), or cli_bulk for each task).
 */
#include <stdarg.h>

#include "cli.h"

/* Whether the error on its way up has been printed: set by the functions
 * below, forgotten by cli_error_flush. */
static int shown;

int cli_verror(int code, const char *fmt, va_list ap)
{
	dlg_buf msg = DLG_BUF_INIT;

	dlg_buf_puts(&msg, "delegit: ");
	cli_vformat(&msg, fmt, ap);
	dlg_buf_put(&msg, "\n", 1);
	fwrite(msg.ptr, 1, msg.size, stderr);
	dlg_buf_dispose(&msg);
	shown = 1;
	return code;
}

int cli_error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = cli_verror(code, fmt, ap);
	va_end(ap);
	return code;
}

int cli_error_shown(int code)
{
	shown = 1;
	return code;
}

int cli_error_flush(int code, const char *prefix)
{
	if (code < 0 && !shown) {
		if (prefix)
			cli_eprintf("delegit: %s: %s\n", prefix,
				    dlg_error_last());
		else
			cli_eprintf("delegit: %s\n", dlg_error_last());
	}
	shown = 0;
	return code;
}
