/* Shared inside sync/ only. */
#ifndef DLG_SYNC_INTERNAL_H
#define DLG_SYNC_INTERNAL_H

#include <git2.h>

#include "sync.h"

struct dlg_repo {
	git_repository *git;
	char *workdir;
	int lock_fd;
};

/* Wrap the last libgit2 error as delegit's error; returns -1. */
int dlg_sync__error(const char *what);

#endif
