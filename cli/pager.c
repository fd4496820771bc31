/*
 * The pager, as git runs it (pager.c): on a terminal, long output goes
 * through DELEGIT_PAGER, else PAGER, else `less -FRX`, which leaves by
 * itself when the output fits the screen. The pager reads what we write
 * to stdout (and stderr, when that is the terminal too, so that messages
 * stay in order); we wait for it before we exit, so the shell's prompt
 * comes back after it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static pid_t pager_pid;
static int term_columns; /* the terminal's, taken before the pager */

int cli_pager_in_use(void)
{
	return pager_pid > 0;
}

int cli_stdout_is_terminal(void)
{
	return pager_pid > 0 || isatty(1);
}

int cli_pager_columns(void)
{
	return term_columns;
}

/* Our end of the pipe closed, the pager's input ends: it shows the rest
 * and leaves when the user is done. */
static void wait_for_pager(int in_signal)
{
	pid_t pid = pager_pid;

	if (pid <= 0)
		return;
	if (!in_signal) {
		fflush(stdout);
		fflush(stderr);
	}
	close(1);
	close(2);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	pager_pid = 0;
}

static void wait_at_exit(void)
{
	wait_for_pager(0);
}

static void wait_on_signal(int sig)
{
	wait_for_pager(1);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* DELEGIT_PAGER, else PAGER, else less; NULL when paging is off ("" or
 * "cat", as for git). */
static const char *pager_command(void)
{
	const char *p = getenv("DELEGIT_PAGER");

	if (!p)
		p = getenv("PAGER");
	if (!p)
		p = "less -FRX";
	p += strspn(p, " \t");
	if (!*p || !strcmp(p, "cat"))
		return NULL;
	return p;
}

void cli_pager_start(void)
{
	static const int signals[] = { SIGINT, SIGHUP, SIGTERM, SIGQUIT,
				       SIGPIPE };
	const char *cmd;
	struct winsize w;
	int fds[2];
	size_t i;
	pid_t pid;

	if (pager_pid || !isatty(1) || !(cmd = pager_command()))
		return;
	if (!ioctl(1, TIOCGWINSZ, &w) && w.ws_col > 0)
		term_columns = w.ws_col;
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) < 0)
		return;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return; /* no pager: the output goes to the terminal */
	}
	if (!pid) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		/* less: leave when it fits (F), colours (R), no screen
		 * clearing (X); lv: colours */
		setenv("LESS", "FRX", 0);
		setenv("LV", "-c", 0);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		fprintf(stderr, "delegit: cannot run the pager '%s': %s\n",
			cmd, strerror(errno));
		_exit(127);
	}
	dup2(fds[1], 1);
	if (isatty(2))
		dup2(fds[1], 2);
	close(fds[0]);
	close(fds[1]);
	pager_pid = pid;
	atexit(wait_at_exit);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		struct sigaction sa, old;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = wait_on_signal;
		sigemptyset(&sa.sa_mask);
		/* a signal someone set aside (SIG_IGN) stays ignored */
		if (!sigaction(signals[i], NULL, &old) &&
		    old.sa_handler == SIG_DFL)
			sigaction(signals[i], &sa, NULL);
	}
}
