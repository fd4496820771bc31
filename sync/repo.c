/* Repositories, configuration and the lock. */
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync_internal.h"

static int libgit2_ready;

int dlg_sync__error(const char *what)
{
	const git_error *e = git_error_last();
	int saved = errno;

	/* libgit2 says nothing of some failed writes (a full disk): then
	 * the operating system's words are the reason. */
	dlg_error_set("%s: %s", what,
		      e && e->message && *e->message ? e->message
		      : saved ? strerror(saved)
			      : "error");
	return -1;
}

void dlg_sync__init(void)
{
	if (!libgit2_ready) {
		git_libgit2_init();
		/* As git does: an object's id is checked when it arrives
		 * (fetch, index-pack), not again at every read. Reading
		 * 300,000 commits' trees, the SHA-1 of each was a fifth of
		 * the time (docs/design.md). */
		git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
		libgit2_ready = 1;
	}
}

int dlg_sync__wrap(dlg_repo **out, git_repository *g)
{
	dlg_repo *r;
	const char *wd = git_repository_workdir(g);
	size_t len;

	if (!wd) {
		dlg_error_set("'%s' is a bare repository (expected one with "
			      "a work tree)", git_repository_path(g));
		git_repository_free(g);
		return DLG_EINVALID;
	}
	r = calloc(1, sizeof(*r));
	if (!r || !(r->workdir = strdup(wd)))
		abort();
	len = strlen(r->workdir);
	if (len > 1 && r->workdir[len - 1] == '/')
		r->workdir[len - 1] = '\0';
	r->git = g;
	r->lock_fd = -1;
	*out = r;
	return 0;
}

int dlg_repo_open(dlg_repo **out, const char *path)
{
	git_repository *g;

	dlg_sync__init();
	if (git_repository_open_ext(&g, path, 0, NULL) < 0) {
		dlg_error_set("not in a git repository (or any parent of "
			      "'%s'): run 'delegit init' or 'delegit clone'",
			      path);
		return DLG_ENOTFOUND;
	}
	return dlg_sync__wrap(out, g);
}

int dlg_repo_init(dlg_repo **out, const char *path)
{
	git_repository *g;
	git_repository_init_options o = GIT_REPOSITORY_INIT_OPTIONS_INIT;

	dlg_sync__init();
	o.flags = GIT_REPOSITORY_INIT_MKPATH;
	o.initial_head = "main";
	if (git_repository_init_ext(&g, path, &o) < 0)
		return dlg_sync__error("cannot create repository");
	return dlg_sync__wrap(out, g);
}

void dlg_repo_free(dlg_repo *r)
{
	if (!r)
		return;
	dlg_repo_unlock(r);
	git_repository_free(r->git);
	free(r->workdir);
	free(r);
}

const char *dlg_repo_workdir(const dlg_repo *r)
{
	return r->workdir;
}

const char *dlg_repo_gitdir(const dlg_repo *r)
{
	return git_repository_path(r->git);
}

int dlg_repo_has_commits(dlg_repo *r)
{
	git_oid oid;

	return git_reference_name_to_id(&oid, r->git, "HEAD") == 0;
}

int dlg_repo_config_get(char **out, dlg_repo *r, const char *key)
{
	git_config *cfg = NULL;
	git_buf b = GIT_BUF_INIT;
	int error;

	*out = NULL;
	if (git_repository_config_snapshot(&cfg, r->git) < 0)
		return dlg_sync__error("cannot read git configuration");
	error = git_config_get_string_buf(&b, cfg, key);
	if (error == GIT_ENOTFOUND) {
		dlg_error_set("git configuration '%s' is not set", key);
		error = DLG_ENOTFOUND;
	} else if (error < 0) {
		error = dlg_sync__error("cannot read git configuration");
	} else if (!(*out = strdup(b.ptr))) {
		abort();
	}
	git_buf_dispose(&b);
	git_config_free(cfg);
	return error;
}

int dlg_repo_config_set(dlg_repo *r, const char *key, const char *value)
{
	git_config *cfg = NULL, *local = NULL;
	int error = 0;

	if (git_repository_config(&cfg, r->git) < 0 ||
	    git_config_open_level(&local, cfg, GIT_CONFIG_LEVEL_LOCAL) < 0 ||
	    git_config_set_string(local, key, value) < 0)
		error = dlg_sync__error("cannot write git configuration");
	git_config_free(local);
	git_config_free(cfg);
	return error;
}

static void lock_path(dlg_buf *out, dlg_repo *r)
{
	dlg_buf_clear(out);
	dlg_buf_printf(out, "%sdelegit.lock", git_repository_path(r->git));
}

int dlg_repo_lock(dlg_repo *r)
{
	dlg_buf path = DLG_BUF_INIT;
	int tries, error = 0;

	if (r->lock_fd >= 0)
		return 0;
	lock_path(&path, r);
	for (tries = 0; tries < 2; tries++) {
		char pidtext[32];
		int fd = open(path.ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0666);
		long pid = 0;
		FILE *f;

		if (fd >= 0) {
			int n = snprintf(pidtext, sizeof(pidtext), "%ld\n",
					 (long)getpid());

			if (write(fd, pidtext, (size_t)n) != n) {
				/* A full disk, most often: an empty lock
				 * would hold others back for nothing. */
				dlg_error_set("cannot write '%s': %s", path.ptr,
					      errno ? strerror(errno)
						    : "short write");
				close(fd);
				unlink(path.ptr);
				error = -1;
				break;
			}
			r->lock_fd = fd;
			break;
		}
		if (errno != EEXIST) {
			dlg_error_set("cannot create '%s': %s", path.ptr,
				      strerror(errno));
			error = -1;
			break;
		}
		/* A lock whose process is gone is stale: a process was
		 * killed. Its work is either committed or not; take over. */
		f = fopen(path.ptr, "r");
		if (f) {
			if (fscanf(f, "%ld", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (pid > 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM)) {
			dlg_error_set("another delegit process (pid %ld) is "
				      "changing this repository; try again "
				      "when it is done", pid);
			error = DLG_ELOCKED;
			break;
		}
		if (pid == 0 && tries == 0) {
			/* Being written this very moment, or left empty by
			 * a crash: look again after a moment. */
			usleep(100000);
			f = fopen(path.ptr, "r");
			if (f) {
				if (fscanf(f, "%ld", &pid) != 1)
					pid = 0;
				fclose(f);
			}
			if (pid > 0 && kill((pid_t)pid, 0) == 0)
				continue;
		}
		unlink(path.ptr);
	}
	/* Holding the lock, finish what a killed sync left half done. */
	if (r->lock_fd >= 0 && !error && (error = dlg_sync__recover(r)) < 0)
		dlg_repo_unlock(r);
	if (r->lock_fd < 0 && !error) {
		dlg_error_set("cannot take the lock '%s' (remove it if no "
			      "delegit process is running)", path.ptr);
		error = DLG_ELOCKED;
	}
	dlg_buf_dispose(&path);
	return error;
}

void dlg_repo_unlock(dlg_repo *r)
{
	dlg_buf path = DLG_BUF_INIT;

	if (r->lock_fd < 0)
		return;
	lock_path(&path, r);
	unlink(path.ptr);
	close(r->lock_fd);
	r->lock_fd = -1;
	dlg_buf_dispose(&path);
}
