/* Repositories, configuration and the lock. */
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sync_internal.h"

static int libgit2_ready;

void dlg_sync__fault(const char *step)
{
	const char *f = getenv("DELEGIT_FAULT");

	if (f && !strcmp(f, step))
		raise(SIGKILL);
}

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

void dlg_blob_id(unsigned char out[20], const char *data, size_t len)
{
	git_oid id;

	dlg_sync__init();
	if (git_odb_hash(&id, data, len, GIT_OBJECT_BLOB) < 0)
		abort(); /* no memory: it cannot fail otherwise */
	memcpy(out, id.id, 20);
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

static void lock_path(dlg_buf *out, dlg_repo *r, const char *name)
{
	dlg_buf_clear(out);
	dlg_buf_printf(out, "%s%s", git_repository_path(r->git), name);
}

/* How long a command waits for another one's lock: delegit.lockTimeout
 * seconds (git config), 10 by default, like a database's busy timeout. */
static double lock_timeout(dlg_repo *r)
{
	char *v = NULL;
	double t = 10;

	if (!dlg_repo_config_get(&v, r, "delegit.locktimeout")) {
		char *end;
		double x = strtod(v, &end);

		if (end != v && !*end && x >= 0 && x <= 86400)
			t = x;
	}
	dlg_error_clear();
	free(v);
	return t;
}

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One record: "PATH INODE" or "PATH 0 TIME", read from the end, as the
 * path may hold spaces. Only a lock file of git's (or delegit's own file
 * that becomes one) inside the git directory counts: anything else in
 * the file is ignored. -1 for a line that is not a record.
 */
static int held_line(const char **file, unsigned long long *ino,
		     long long *when, char *line, const char *gitdir)
{
	char *last = strrchr(line, ' '), *before, *end;

	if (!last)
		return -1;
	*last++ = '\0';
	*when = 0;
	errno = 0;
	*ino = strtoull(last, &end, 10);
	if (*end || errno)
		return -1;
	if ((before = strrchr(line, ' ')) && !strcmp(before + 1, "0")) {
		*before = '\0';
		*when = (long long)*ino;
		*ino = 0;
	}
	*file = line;
	if (strncmp(line, gitdir, strlen(gitdir)) || strstr(line, "..") ||
	    (!strstr(line, ".lock") ||
	     (strcmp(line + strlen(line) - 5, ".lock") &&
	      !strstr(line, ".lock.delegit-"))))
		return -1;
	return 0;
}

/*
 * git's lock files that a killed delegit left: each was recorded in
 * .git/delegit-held under delegit's own lock, with its inode once made
 * ("PATH INODE"), or with the time a libgit2 call that takes it began
 * ("PATH 0 TIME"). Whoever holds delegit's lock now may remove them: the
 * one whose inode is still the file's is ours for sure; one libgit2 may
 * have taken is ours when it was made within a minute of the record and
 * is older than a few seconds (git holds those for milliseconds; a younger
 * one is waited for, up to four seconds, so that the command after a kill
 * runs). A lock of a live git process that came later is left alone.
 */
static void clean_held(dlg_repo *r)
{
	dlg_buf path = DLG_BUF_INIT, text = DLG_BUF_INIT;
	const char *gitdir = git_repository_path(r->git);
	char *line, *save = NULL;

	lock_path(&path, r, "delegit-held");
	if (dlg_path_read(&text, path.ptr) < 0) {
		dlg_error_clear();
		goto done;
	}
	for (line = strtok_r(text.ptr, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *file;
		unsigned long long ino = 0;
		long long when = 0;
		struct stat st;
		time_t now = time(NULL);

		if (held_line(&file, &ino, &when, line, gitdir) < 0 ||
		    lstat(file, &st) < 0)
			continue;
		if (!ino && st.st_mtime >= when - 1 && st.st_mtime <= when + 60 &&
		    st.st_mtime >= now - 3) {
			/* Made by the killed call, or by a git that came just
			 * after: wait until a git would have let it go (the next
			 * command runs, a few seconds later), then look again. */
			struct stat again;
			long wait = (long)(st.st_mtime + 4 - now);

			if (wait > 0 && wait <= 5)
				sleep((unsigned)wait);
			now = time(NULL);
			if (lstat(file, &again) < 0 || again.st_ino != st.st_ino ||
			    again.st_mtime != st.st_mtime)
				continue;
		}
		if (ino ? (unsigned long long)st.st_ino == ino
			: st.st_mtime >= when - 1 && st.st_mtime <= when + 60 &&
				  st.st_mtime < now - 3)
			unlink(file);
	}
	unlink(path.ptr);
done:
	dlg_buf_dispose(&text);
	dlg_buf_dispose(&path);
}

void dlg_sync__held(dlg_repo *r, const char *lock_file, int fd)
{
	dlg_buf path = DLG_BUF_INIT, line = DLG_BUF_INIT;
	struct stat st;
	int out;

	lock_path(&path, r, "delegit-held");
	if (fd >= 0 && !fstat(fd, &st))
		dlg_buf_printf(&line, "%s %llu\n", lock_file,
			       (unsigned long long)st.st_ino);
	else
		dlg_buf_printf(&line, "%s 0 %lld\n", lock_file,
			       (long long)time(NULL));
	out = open(path.ptr, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (out >= 0) {
		if (write(out, line.ptr, line.size) < 0)
			(void)0; /* only a help for the next command */
		close(out);
	}
	dlg_buf_dispose(&line);
	dlg_buf_dispose(&path);
}

void dlg_sync__hold_ref(dlg_repo *r, const char *name)
{
	git_reference *ref = NULL;
	dlg_buf path = DLG_BUF_INIT;
	const char *target = name;

	if (!git_reference_lookup(&ref, r->git, name) &&
	    git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC)
		target = git_reference_symbolic_target(ref);
	dlg_buf_printf(&path, "%s%s.lock", git_repository_path(r->git), target);
	dlg_sync__held(r, path.ptr, -1);
	git_error_clear();
	git_reference_free(ref);
	dlg_buf_dispose(&path);
}

void dlg_sync__released(dlg_repo *r)
{
	dlg_buf path = DLG_BUF_INIT;

	lock_path(&path, r, "delegit-held");
	unlink(path.ptr);
	dlg_buf_dispose(&path);
}

/*
 * delegit's own lock: flock on .git/delegit.lock, which the kernel lets go
 * of when its holder dies, however it dies: no stale lock to guess at. The
 * file itself stays (removing a locked file would let two processes lock
 * two files); it holds the holder's pid, for the message.
 */
int dlg_repo_lock(dlg_repo *r)
{
	dlg_buf path = DLG_BUF_INIT;
	char pidtext[32];
	double timeout, start;
	int fd, n, error = 0;

	if (r->lock_fd >= 0)
		return 0;
	lock_path(&path, r, "delegit.lock");
	fd = open(path.ptr, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		dlg_error_set("cannot open '%s': %s", path.ptr, strerror(errno));
		error = -1;
		goto done;
	}
	timeout = lock_timeout(r);
	start = monotonic();
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		long pid = 0;

		if (errno != EWOULDBLOCK && errno != EINTR) {
			dlg_error_set("cannot lock '%s': %s", path.ptr,
				      strerror(errno));
			error = -1;
			break;
		}
		if (monotonic() - start < timeout) {
			usleep(20000);
			continue;
		}
		n = (int)pread(fd, pidtext, sizeof(pidtext) - 1, 0);
		pidtext[n > 0 ? n : 0] = '\0';
		pid = strtol(pidtext, NULL, 10);
		dlg_error_set("another delegit process%s%.0ld%s is changing this "
			      "repository: waited %.0f s for it (git config "
			      "delegit.lockTimeout SECONDS waits longer)",
			      pid > 0 ? " (pid " : "", pid > 0 ? pid : 0,
			      pid > 0 ? ")" : "", timeout);
		error = DLG_ELOCKED;
		break;
	}
	if (error < 0) {
		close(fd);
		goto done;
	}
	n = snprintf(pidtext, sizeof(pidtext), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pidtext, (size_t)n, 0) != n)
		(void)0; /* the pid is only for messages */
	r->lock_fd = fd;
	/* Holding the lock: clear what a killed command left, then finish
	 * what a killed sync left half done. */
	clean_held(r);
	if ((error = dlg_sync__recover(r)) < 0)
		dlg_repo_unlock(r);
done:
	dlg_buf_dispose(&path);
	return error;
}

void dlg_repo_unlock(dlg_repo *r)
{
	if (r->lock_fd < 0)
		return;
	if (ftruncate(r->lock_fd, 0) < 0)
		(void)0;
	flock(r->lock_fd, LOCK_UN);
	close(r->lock_fd);
	r->lock_fd = -1;
}

void dlg_repo_set_progress(dlg_repo *r,
			   void (*cb)(dlg_progress_stage stage, size_t done,
				      size_t total, void *payload),
			   void *payload)
{
	r->progress = cb;
	r->progress_payload = payload;
}

void dlg_sync__cache_objects(int on)
{
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, on);
}

void dlg_sync__progress(dlg_repo *r, dlg_progress_stage stage, size_t done,
			size_t total)
{
	if (r->progress)
		r->progress(stage, done, total, r->progress_payload);
}
