/*
 * Sync with a remote: fetch, fast-forward or merge, push — and clone.
 *
 * Moving HEAD to a new commit takes two steps (write the work tree, then
 * move the branch). A process killed between them would leave a work tree
 * that looks like hand edits; so before the first step we write
 * .git/delegit-sync-pending ("OLD NEW"), and the next command that takes
 * the lock finishes the move (dlg_sync__recover). A move to commits that
 * enforce mode has still to take violations out of ("OLD NEW back") is
 * undone instead, and its record stays until the rejection is committed:
 * HEAD is what the next sync trusts, so it must never be left holding
 * what this one did not reject. Commits themselves are objects: a kill
 * never loses one.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sync_internal.h"

#define fault_point dlg_sync__fault

/*
 * Time limits on the network. libgit2 1.5 has none (its socket reads
 * block for ever on a remote that accepts and never answers), so an
 * interval timer raises SIGALRM, without SA_RESTART: the blocked recv,
 * connect or poll returns EINTR, which libgit2's network streams and
 * libssh2 treat as an error (its file writes retry on EINTR); past the
 * limit it goes on every 200 ms, shutting the network sockets, until the
 * operation has given up. Every sign
 * of life (progress, credentials asked for) starts the interval again, so
 * a long transfer that moves is never cut; the next callback after it
 * expired stops the operation.
 */
static volatile sig_atomic_t net_expired;
static unsigned net_seconds, net_limit; /* limit: for the message */

/* Past the limit and still waiting: shut the network sockets, so that
 * even a wait that takes EINTR for "try again" (libssh2's handshake polls
 * for ever) sees the connection end. Only async-signal-safe calls. */
static void net_shut(void)
{
	struct sockaddr_storage a;
	socklen_t len;
	struct stat st;
	int fd;

	for (fd = 3; fd < 1024; fd++) {
		len = sizeof(a);
		if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode) &&
		    getsockname(fd, (struct sockaddr *)&a, &len) == 0 &&
		    (a.ss_family == AF_INET || a.ss_family == AF_INET6))
			shutdown(fd, SHUT_RDWR);
	}
}

static void net_alarm(int sig)
{
	(void)sig;
	if (net_expired)
		net_shut();
	net_expired = 1;
}

static void net_arm(void)
{
	struct itimerval it;

	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = net_seconds;
	/* once expired, again and again: libssh2 takes one EINTR for "try
	 * again" and waits in poll(), which the next one ends */
	if (net_seconds)
		it.it_interval.tv_usec = 200000;
	setitimer(ITIMER_REAL, &it, NULL);
}

static void net_start(unsigned seconds, struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = net_alarm;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: a blocked read must give up */
	sigaction(SIGALRM, &sa, old);
	net_expired = 0;
	net_seconds = net_limit = seconds;
	if (seconds)
		net_arm();
}

static void net_stop(const struct sigaction *old)
{
	net_seconds = 0;
	net_arm(); /* a zero interval: disarmed */
	sigaction(SIGALRM, old, NULL);
}

/* In every callback: still in time (and start the interval again)? */
static int net_alive(void)
{
	if (net_expired) {
		git_error_set_str(GIT_ERROR_NET, "timed out");
		return -1;
	}
	if (net_seconds)
		net_arm();
	return 0;
}

typedef struct {
	const dlg_sync_options *o;
	const git_remote_callbacks *callbacks; /* for clone's connection */
	int cred_tries;
	int push_rejected;
	int unconnected; /* the connection failed, before any transfer */
	char push_message[256];
} remote_ctx;

/* Ask git's credential helpers (`git credential fill`) for a login. */
static int credential_fill(char **user, char **pass, const char *url)
{
	int in[2], out[2], status;
	pid_t pid;
	dlg_buf answer = DLG_BUF_INIT;
	char chunk[512];
	ssize_t n;
	char *line, *save = NULL;

	*user = *pass = NULL;
	if (pipe(in) < 0)
		return -1;
	if (pipe(out) < 0) {
		close(in[0]);
		close(in[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		setenv("GIT_TERMINAL_PROMPT", isatty(2) ? "1" : "0", 0);
		execlp("git", "git", "credential", "fill", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	if (write(in[1], "url=", 4) < 0 || write(in[1], url, strlen(url)) < 0 ||
	    write(in[1], "\n\n", 2) < 0)
		(void)0;
	close(in[1]);
	while ((n = read(out[0], chunk, sizeof(chunk))) > 0)
		dlg_buf_put(&answer, chunk, (size_t)n);
	close(out[0]);
	/* not waited for (a signal, the network's timer): its verdict is
	 * unknown, and so is the login (status was read unset) */
	if (waitpid(pid, &status, 0) < 0)
		status = -1;
	for (line = strtok_r(answer.ptr, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "username=", 9))
			*user = dlg_strdup(line + 9);
		else if (!strncmp(line, "password=", 9))
			*pass = dlg_strdup(line + 9);
	}
	dlg_buf_dispose(&answer);
	if (!WIFEXITED(status) || WEXITSTATUS(status) || !*user || !*pass) {
		free(*user);
		free(*pass);
		*user = *pass = NULL;
		return -1;
	}
	return 0;
}

static int credentials(git_credential **out, const char *url,
		       const char *username_from_url, unsigned int allowed,
		       void *payload)
{
	remote_ctx *c = payload;
	char *user = NULL, *pass = NULL;
	int error;

	if (net_alive() < 0)
		return -1;
	/* libgit2 asks again after a refusal: do not loop for ever. */
	if (++c->cred_tries > 3) {
		git_error_set_str(GIT_ERROR_NET, "authentication failed");
		return GIT_EAUTH;
	}
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(
			out, username_from_url ? username_from_url : "git");
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		if (credential_fill(&user, &pass, url) < 0)
			return GIT_PASSTHROUGH;
		error = git_credential_userpass_plaintext_new(out, user, pass);
		free(user);
		free(pass);
		return error;
	}
	if (allowed & GIT_CREDENTIAL_DEFAULT)
		return git_credential_default_new(out);
	return GIT_PASSTHROUGH;
}

static int transfer_progress(const git_indexer_progress *p, void *payload)
{
	remote_ctx *c = payload;

	if (net_alive() < 0)
		return -1;
	if (c->o && c->o->progress)
		c->o->progress(DLG_PROGRESS_FETCH, p->received_objects,
			       p->total_objects, c->o->payload);
	return 0;
}

static int push_progress(unsigned int current, unsigned int total,
			 size_t bytes, void *payload)
{
	remote_ctx *c = payload;

	(void)bytes;
	if (net_alive() < 0)
		return -1;
	if (c->o && c->o->progress)
		c->o->progress(DLG_PROGRESS_PUSH, current, total, c->o->payload);
	return 0;
}

static int push_update(const char *refname, const char *status, void *payload)
{
	remote_ctx *c = payload;

	if (status) {
		c->push_rejected = 1;
		snprintf(c->push_message, sizeof(c->push_message), "%s: %s",
			 refname, status);
	}
	return 0;
}

static int sideband(const char *str, int len, void *payload)
{
	(void)str;
	(void)len;
	(void)payload;
	return net_alive();
}

static int pack_progress(int stage, uint32_t current, uint32_t total,
			 void *payload)
{
	(void)stage;
	(void)current;
	(void)total;
	(void)payload;
	return net_alive();
}

static void callbacks(git_remote_callbacks *cb, remote_ctx *c)
{
	cb->sideband_progress = sideband;
	cb->pack_progress = pack_progress;
	cb->credentials = credentials;
	cb->transfer_progress = transfer_progress;
	cb->push_transfer_progress = push_progress;
	cb->push_update_reference = push_update;
	cb->payload = c;
}

static void checkout_progress(const char *path, size_t done, size_t total,
			      void *payload)
{
	const dlg_sync_options *o = payload;

	(void)path;
	if (o && o->progress)
		o->progress(DLG_PROGRESS_CHECKOUT, done, total, o->payload);
}

/* A remote given as a path or file:// (libgit2's rule: any other URL has
 * a ':', if only host:path). */
static const char *local_path(const char *url)
{
	if (!strncmp(url, "file://", 7))
		return url + 7;
	return strchr(url, ':') ? NULL : url;
}

/* "cannot fetch from 'origin' (URL): why", "cannot clone 'URL': why" */
static void failed(const char *what, const char *remote, const char *url,
		   const char *why)
{
	if (!remote)
		dlg_error_set("cannot %s '%s': %s", what, url ? url : "?", why);
	else
		dlg_error_set("cannot %s %s '%s' (%s): %s", what,
			      strcmp(what, "push") ? "from" : "to", remote,
			      url ? url : "?", why);
}

/*
 * A fetch, push or clone (remote NULL) failed. DLG_EOFFLINE (exit 3: try again later)
 * only when the remote could not be reached: a network remote that could
 * not be connected to (libgit2 files a refused or timed out connection
 * under its OS errors, with a full disk: the phase tells them apart), or
 * whose network, ssh, http or TLS layer failed later. Anything else
 * happened here, or the remote refused: -1, with the operating system's
 * words when libgit2 gave none (saved_errno).
 */
static int remote_failure(const char *remote, const char *url,
			  const char *what, int unconnected, int saved_errno)
{
	const git_error *e = git_error_last();
	const char *why = e && e->message && *e->message ? e->message
			  : saved_errno ? strerror(saved_errno)
					: "error";
	int network = url && !local_path(url);

	if (net_expired) {
		if (!remote)
			dlg_error_set("'%s' did not answer within %u s (to clone; "
				      "--timeout or git config delegit.timeout "
				      "waits longer)", url ? url : "?",
				      net_limit);
		else
			dlg_error_set("remote '%s' (%s) did not answer within "
				      "%u s (to %s; --timeout or git config "
				      "delegit.timeout waits longer); your work "
				      "is committed here and goes out with the "
				      "next sync", remote, url ? url : "?",
				      net_limit, what);
		return DLG_EOFFLINE;
	}
	if (network && (unconnected ||
			(e && (e->klass == GIT_ERROR_NET ||
			       e->klass == GIT_ERROR_SSH ||
			       e->klass == GIT_ERROR_HTTP ||
			       e->klass == GIT_ERROR_SSL)))) {
		if (!remote)
			dlg_error_set("cannot reach '%s' to clone: %s", url, why);
		else
			dlg_error_set("cannot reach remote '%s' (%s) to %s: %s; "
				      "your work is committed here and goes "
				      "out with the next sync", remote, url,
				      what, why);
		return DLG_EOFFLINE;
	}
	failed(what, remote, url, why);
	return -1;
}

/*
 * A remote given as a path (or file://) that holds no directory: said so
 * (-1), where libgit2 would say "unsupported URL protocol". A path names
 * no host, so nothing here is about reaching one.
 */
static int missing_local(const char *remote, const char *url, const char *what)
{
	const char *path = url ? local_path(url) : NULL;
	dlg_buf why = DLG_BUF_INIT;
	struct stat st;
	int found;

	if (!path)
		return 0;
	if ((found = stat(path, &st)) == 0 && S_ISDIR(st.st_mode))
		return 0;
	dlg_buf_printf(&why, "no repository at '%s' (%s)", path,
		       found < 0 ? strerror(errno) : "not a directory");
	failed(what, remote, url, why.ptr);
	dlg_buf_dispose(&why);
	return -1;
}

/* Connect first, so that a failure to reach the remote is known as one
 * (remote_failure); fetch and push then use this connection. */
static int connect_remote(git_remote *remote, git_direction direction,
			  const git_remote_callbacks *cb, remote_ctx *ctx)
{
	ctx->unconnected = 0;
	if (git_remote_connect(remote, direction, cb, NULL, NULL) < 0) {
		ctx->unconnected = 1;
		return -1;
	}
	return 0;
}

char *dlg_repo_remote_url(dlg_repo *r, const char *name)
{
	git_remote *remote = NULL;
	char *url = NULL;

	if (git_remote_lookup(&remote, r->git, name) == 0 &&
	    git_remote_url(remote))
		url = dlg_strdup(git_remote_url(remote));
	git_remote_free(remote);
	return url;
}

static void pending_path(dlg_buf *out, dlg_repo *r)
{
	dlg_buf_clear(out);
	dlg_buf_printf(out, "%sdelegit-sync-pending", git_repository_path(r->git));
}

/* Write the work tree of `to` over that of `from`, touching only the
 * paths that differ between them. */
static int checkout_between(dlg_repo *r, git_commit *from, git_commit *to,
			    int force, const dlg_sync_options *o)
{
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	dlg_trees trees = { r->git, { NULL }, 0 };
	git_tree *ta = NULL, *tb = NULL;
	dlg_buf buf = DLG_BUF_INIT;
	char **paths = NULL;
	const char *p;
	size_t i, n = 0;
	int error = 0;

	if (git_commit_tree(&ta, from) < 0 || git_commit_tree(&tb, to) < 0 ||
	    dlg_sync__changed_paths(&buf, &n, &trees, git_tree_id(ta),
				    git_tree_id(tb)) < 0) {
		error = dlg_sync__error("cannot compare commits");
		goto done;
	}
	if (!n)
		goto done;
	if (!(paths = calloc(n, sizeof(*paths))))
		abort();
	for (i = 0, p = buf.ptr; i < n; i++, p += strlen(p) + 1)
		paths[i] = (char *)p;
	co.checkout_strategy = (force ? GIT_CHECKOUT_FORCE : GIT_CHECKOUT_SAFE) |
			       GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
	co.paths.strings = paths;
	co.paths.count = n;
	co.baseline = ta;
	co.progress_cb = checkout_progress;
	co.progress_payload = (void *)o;
	if (git_checkout_tree(r->git, (git_object *)tb, &co) < 0)
		error = dlg_sync__error("cannot update the work tree");
done:
	free(paths);
	dlg_buf_dispose(&buf);
	dlg_sync__trees_dispose(&trees);
	git_tree_free(ta);
	git_tree_free(tb);
	return error;
}

static int head_ref_move(dlg_repo *r, const git_oid *to, const char *why)
{
	git_reference *head = NULL, *moved = NULL;
	int error = 0;

	if (git_repository_head(&head, r->git) < 0 ||
	    git_reference_set_target(&moved, head, to, why) < 0)
		error = dlg_sync__error("cannot move the branch");
	git_reference_free(moved);
	git_reference_free(head);
	return error;
}


/* git's locks a checkout and a move of HEAD take through libgit2, recorded
 * first, so that the next command removes them if this one is killed
 * (dlg_sync__held). */
static void hold_checkout_locks(dlg_repo *r)
{
	dlg_buf lock = DLG_BUF_INIT;

	dlg_buf_printf(&lock, "%sindex.lock", git_repository_path(r->git));
	dlg_sync__held(r, lock.ptr, -1);
	dlg_sync__hold_ref(r, "HEAD");
	dlg_buf_dispose(&lock);
}

/* A move from one commit to another that failed: the work tree and the
 * index put back to from, the move's record (at record) removed if that
 * worked (else the next command finishes the move); the first failure's
 * message kept. */
static void put_back(dlg_repo *r, git_commit *from, git_commit *to,
		     const char *record)
{
	dlg_buf first = DLG_BUF_INIT;

	dlg_buf_puts(&first, dlg_error_last());
	if (checkout_between(r, to, from, 1, NULL) == 0)
		unlink(record);
	dlg_error_set("%s", first.ptr);
	dlg_buf_dispose(&first);
}

/* The move's record is done with: remove it. */
static void pending_done(dlg_repo *r)
{
	dlg_buf p = DLG_BUF_INIT;

	pending_path(&p, r);
	unlink(p.ptr);
	dlg_buf_dispose(&p);
}

/* A move into trees git's fsck refuses (a tree another member made by
 * hand: a name twice, with '/', "." or "..") is refused whole, before
 * anything is touched: libgit2's checkout of a name twice wrote through a
 * link pushed before, out of the work tree. */
static int trees_well_formed(dlg_repo *r, git_commit *from, git_commit *to)
{
	dlg_trees trees = { r->git, { NULL }, 0 };
	dlg_buf where = DLG_BUF_INIT;
	char id[DLG_HEX_ID_SIZE];
	int error = dlg_sync__trees_well_formed(&trees, git_commit_tree_id(from),
						git_commit_tree_id(to),
						&where);

	dlg_sync__trees_dispose(&trees);
	if (error == DLG_SYNC_MALFORMED) {
		git_oid_tostr(id, sizeof(id), git_commit_id(to));
		dlg_error_set("refusing to check out %s: its folder '%s' is "
			      "not one git accepts (a name twice, empty, or "
			      "with '/', '.', '..' or '.git'; 'git fsck' "
			      "names it); nothing was changed",
			      id, where.ptr);
		error = -1;
	} else if (error < 0) {
		error = dlg_sync__error("cannot compare commits");
	}
	dlg_buf_dispose(&where);
	return error;
}

/* Move HEAD (and the work tree, and the index) from one commit to another.
 * unjudged: to holds violations enforce mode has still to take back; the
 * record then says "back" and stays (pending_done, once they are). */
static int move_head(dlg_repo *r, git_commit *from, git_commit *to,
		     const char *why, int unjudged, const dlg_sync_options *o)
{
	dlg_buf p = DLG_BUF_INIT;
	char a[DLG_HEX_ID_SIZE], b[DLG_HEX_ID_SIZE];
	FILE *f;
	int error, fast, written = 0;

	if ((error = trees_well_formed(r, from, to)) < 0)
		return error;
	git_oid_tostr(a, sizeof(a), git_commit_id(from));
	git_oid_tostr(b, sizeof(b), git_commit_id(to));
	pending_path(&p, r);
	f = fopen(p.ptr, "w");
	if (!f || fprintf(f, "%s %s%s\n", a, b, unjudged ? " back" : "") < 0 ||
	    fflush(f) ||
	    fsync(fileno(f))) {
		int saved = errno;

		if (f)
			fclose(f);
		/* Nothing was touched yet: no record for the next command
		 * to finish a move this one reports as failed. */
		unlink(p.ptr);
		dlg_error_set("cannot write '%s': %s", p.ptr, strerror(saved));
		dlg_buf_dispose(&p);
		return -1;
	}
	fclose(f);
	fault_point("before-checkout");
	hold_checkout_locks(r);
	/* DELEGIT_CHECKOUT_GIT=1, for the tests: libgit2's checkout only */
	fast = getenv("DELEGIT_CHECKOUT_GIT")
		       ? DLG_SYNC_FALLBACK
		       : dlg_sync__checkout_fast(r, from, to, &written,
						 checkout_progress, (void *)o);
	error = fast == DLG_SYNC_FALLBACK
			? checkout_between(r, from, to, written, o)
			: fast;
	if (error < 0) {
		const git_error *e = git_error_last();

		/* A conflict with files changed here stops the checkout before
		 * it writes anything, as does a failure before the first file
		 * written by delegit's. Anything else (a full disk) may leave
		 * files half written: put back what HEAD holds. If even that
		 * fails, the next command finishes the move instead
		 * (dlg_sync__recover), as after a kill. */
		if (!written &&
		    (fast < 0 || (e && e->klass == GIT_ERROR_CHECKOUT))) {
			unlink(p.ptr);
		} else {
			put_back(r, from, to, p.ptr);
		}
		goto done;
	}
	fault_point("after-checkout");
	if ((error = head_ref_move(r, git_commit_id(to), why)) < 0) {
		/* The branch did not move: the work tree goes back to it.
		 * Finishing the move later would take in a sync's commits
		 * its enforce mode never rejected (HEAD is what the next
		 * sync trusts). */
		put_back(r, from, to, p.ptr);
		goto done;
	}
	fault_point("after-move");
	if (!unjudged)
		unlink(p.ptr);
done:
	dlg_buf_dispose(&p);
	return error;
}

int dlg_repo_settle(dlg_repo *r)
{
	dlg_buf p = DLG_BUF_INIT;
	struct stat st;
	int error = 0;

	pending_path(&p, r);
	/* taking the lock finishes the move (dlg_sync__recover) */
	if (r->lock_fd < 0 && lstat(p.ptr, &st) == 0 &&
	    (error = dlg_repo_lock(r)) == 0)
		dlg_repo_unlock(r);
	dlg_buf_dispose(&p);
	return error;
}

int dlg_sync__recover(dlg_repo *r)
{
	dlg_buf p = DLG_BUF_INIT;
	git_commit *from = NULL, *to = NULL;
	git_oid a, b, head;
	char sa[64], sb[64], sback[8] = "";
	FILE *f;
	int error = 0, n;

	pending_path(&p, r);
	f = fopen(p.ptr, "r");
	if (!f) {
		dlg_buf_dispose(&p);
		return 0;
	}
	n = fscanf(f, "%63s %63s %7s", sa, sb, sback);
	if (n < 2 || (n == 3 && strcmp(sback, "back")) ||
	    git_oid_fromstr(&a, sa) < 0 || git_oid_fromstr(&b, sb) < 0) {
		fclose(f);
		unlink(p.ptr); /* torn before the work tree was touched */
		dlg_buf_dispose(&p);
		return 0;
	}
	fclose(f);
	if (git_reference_name_to_id(&head, r->git, "HEAD") < 0 ||
	    git_commit_lookup(&from, r->git, &a) < 0 ||
	    git_commit_lookup(&to, r->git, &b) < 0) {
		dlg_buf what = DLG_BUF_INIT;

		/* every command stops here: say how to get past it */
		dlg_buf_printf(&what, "cannot finish the interrupted sync "
			       "recorded in '%s' (its commits are gone? "
			       "'git status' shows the work tree; remove that "
			       "file to go on)", p.ptr);
		error = dlg_sync__error(what.ptr);
		dlg_buf_dispose(&what);
		goto done;
	}
	if (git_oid_equal(&head, &a) || git_oid_equal(&head, &b)) {
		/* The files the move touches are written again, whatever
		 * state the kill left them in; then the branch moves to NEW.
		 * A move to commits whose violations were never taken back
		 * ("back") is undone instead: the files as OLD holds them,
		 * the branch back to OLD (the next sync judges them again). */
		int back = n == 3;
		git_commit *was = back ? to : from, *goes = back ? from : to;
		const git_oid *target = back ? &a : &b;

		hold_checkout_locks(r);
		if ((error = checkout_between(r, was, goes, 1, NULL)) < 0 ||
		    (!git_oid_equal(&head, target) &&
		     (error = head_ref_move(r, target, back ?
				"delegit: undo interrupted sync" :
				"delegit: finish interrupted sync")) < 0))
			goto done;
	}
	unlink(p.ptr);
done:
	git_commit_free(from);
	git_commit_free(to);
	dlg_buf_dispose(&p);
	return error;
}

static int lookup_commit(git_commit **out, dlg_repo *r, const char *ref)
{
	git_oid oid;
	int error = git_reference_name_to_id(&oid, r->git, ref);

	*out = NULL;
	if (error == GIT_ENOTFOUND)
		return DLG_ENOTFOUND;
	if (error < 0 || git_commit_lookup(out, r->git, &oid) < 0)
		return dlg_sync__error("cannot read a commit");
	return 0;
}

/* A delete-versus-modify of a delegit file: keep the modified version. */
static int keep_modified(git_index *idx, const git_index_entry *kept,
			 dlg_merge_report *rep)
{
	git_index_entry e = *kept;
	char *path = dlg_strdup(kept->path);

	e.path = path;
	e.flags &= ~GIT_INDEX_ENTRY_STAGEMASK;
	if (git_index_conflict_remove(idx, path) < 0 || git_index_add(idx, &e) < 0) {
		free(path);
		return dlg_sync__error("cannot settle a deleted file");
	}
	dlg_buf_printf(&rep->lines, "Conflict: %s deleted on one side, changed "
		       "on the other: kept\n", path);
	rep->conflicts++;
	free(path);
	return 0;
}

/* Settle the conflicts a merge left: a delete-versus-modify of a delegit
 * file keeps the modified version; any other is a problem in rep, for a
 * person to merge. */
static int settle_conflicts(git_index *idx, dlg_merge_report *rep)
{
	git_index_conflict_iterator *it = NULL;
	const git_index_entry *anc, *our, *their;
	int error = 0;

	/* Collect first: settling changes the index under the iterator. */
	if (git_index_conflict_iterator_new(&it, idx) < 0)
		return dlg_sync__error("cannot read conflicts");
	while (git_index_conflict_next(&anc, &our, &their, it) == 0) {
		const char *path = our ? our->path : their->path;

		if (dlg_schema_for_path(path) && (!our || !their))
			continue;
		dlg_diags_add(&rep->problems, path, 0, 0,
			      "changed on both sides and git cannot merge it");
	}
	git_index_conflict_iterator_free(it);
	it = NULL;
	if (rep->problems.count) {
		dlg_error_set("sync stopped before changing anything: %zu "
			      "file%s need%s a person to merge",
			      rep->problems.count,
			      rep->problems.count == 1 ? "" : "s",
			      rep->problems.count == 1 ? "s" : "");
		return DLG_ECONFLICT;
	}
	while (!error && git_index_has_conflicts(idx)) {
		if (git_index_conflict_iterator_new(&it, idx) < 0 ||
		    git_index_conflict_next(&anc, &our, &their, it) < 0) {
			error = dlg_sync__error("cannot read conflicts");
			break;
		}
		error = keep_modified(idx, our ? our : their, rep);
		git_index_conflict_iterator_free(it);
		it = NULL;
	}
	git_index_conflict_iterator_free(it);
	return error;
}

static int merge_tree(git_oid *out, git_repository *g, git_commit *ours,
		      git_commit *theirs, dlg_merge_report *rep)
{
	git_merge_options mo = GIT_MERGE_OPTIONS_INIT;
	git_index *idx = NULL;
	int error;

	/* DELEGIT_MERGE_GIT=1, for the tests: git's merge only, to compare
	 * the two (tests/e2e/test_sync.py, FastMerge) */
	if ((error = dlg_sync__register_driver()) < 0 ||
	    (!getenv("DELEGIT_MERGE_GIT") &&
	     (error = dlg_sync__merge_trees_fast(out, g, ours, theirs, rep)) !=
		     DLG_SYNC_FALLBACK))
		return error;
	/* A task file is named by its task's id: one deleted on a side and
	 * another added there are two tasks, never a rename (libgit2 looks
	 * for renames of files 50% alike by default: a task deleted there
	 * and changed here took the place of a new task of theirs that
	 * looked like it, which was lost). A file moved whole is one (the
	 * archive moves tasks/<hh>/<id>.yaml to archive/<year>/<hh>/, and a
	 * change here follows it there); two tasks' files are never the
	 * same bytes, each holding its id. */
	mo.flags |= GIT_MERGE_FIND_RENAMES;
	mo.rename_threshold = 100;
	dlg_sync__merge_report(rep, ours, theirs);
	error = git_merge_commits(&idx, g, ours, theirs, &mo);
	dlg_sync__merge_report(NULL, NULL, NULL);
	if (error < 0) {
		error = dlg_sync__error("cannot merge");
		goto done;
	}
	if (git_index_has_conflicts(idx) &&
	    (error = settle_conflicts(idx, rep)) < 0)
		goto done;
	if (git_index_write_tree_to(out, idx, g) < 0)
		error = dlg_sync__error("cannot write the merged tree");
done:
	git_index_free(idx);
	return error;
}

static int merge_commits(git_oid *out, dlg_repo *r, git_commit *ours,
			 git_commit *theirs, const char *upstream,
			 const dlg_sync_options *o, dlg_merge_report *rep)
{
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	git_oid tree_id;
	dlg_buf msg = DLG_BUF_INIT;
	const git_commit *parents[2] = { ours, theirs };
	char a[DLG_HEX_ID_SIZE], b[DLG_HEX_ID_SIZE];
	int error;

	if ((error = merge_tree(&tree_id, r->git, ours, theirs, rep)) < 0)
		return error;
	if (git_tree_lookup(&tree, r->git, &tree_id) < 0) {
		error = dlg_sync__error("cannot write the merged tree");
		goto done;
	}
	git_oid_tostr(a, sizeof(a), git_commit_id(ours));
	git_oid_tostr(b, sizeof(b), git_commit_id(theirs));
	dlg_buf_printf(&msg, "sync: merge %s\n\nMerged %s into %s.\n", upstream,
		       b, a);
	if (rep->conflicts)
		dlg_buf_printf(&msg, "%zu conflict record%s added: see "
			       "'delegit conflicts'.\n\n%s", rep->conflicts,
			       rep->conflicts == 1 ? "" : "s", rep->lines.ptr);
	if (git_signature_new(&sig, o->committer->name, o->committer->email,
			      (git_time_t)o->committer->when, 0) < 0 ||
	    (error = dlg_sync__commit_create(out, r->git, NULL, sig, sig,
					     msg.ptr, tree, 2, parents)) < 0) {
		if (!error)
			error = dlg_sync__error("cannot commit the merge");
		goto done;
	}
done:
	git_signature_free(sig);
	git_tree_free(tree);
	dlg_buf_dispose(&msg);
	return error;
}

/* Bring the remote's branch in: nothing, a fast-forward, or a merge. */
static int integrate(dlg_sync_result *res, dlg_repo *r, const char *remote,
		     const char *branch, int unjudged,
		     const dlg_sync_options *o)
{
	git_commit *ours = NULL, *theirs = NULL, *merged = NULL;
	git_annotated_commit *ann = NULL;
	git_merge_analysis_t an;
	git_merge_preference_t pref;
	git_oid merge_id;
	dlg_buf ref = DLG_BUF_INIT, upstream = DLG_BUF_INIT;
	int error;

	dlg_buf_printf(&upstream, "%s/%s", remote, branch);
	dlg_buf_printf(&ref, "refs/remotes/%s", upstream.ptr);
	if ((error = lookup_commit(&theirs, r, ref.ptr)) == DLG_ENOTFOUND) {
		error = 0; /* an empty remote: nothing to bring in */
		goto done;
	}
	if (error < 0 || (error = lookup_commit(&ours, r, "HEAD")) < 0)
		goto done;
	if (git_annotated_commit_lookup(&ann, r->git, git_commit_id(theirs)) < 0 ||
	    git_merge_analysis(&an, &pref, r->git,
			       (const git_annotated_commit **)&ann, 1) < 0) {
		error = dlg_sync__error("cannot compare with the remote");
		goto done;
	}
	if (an & GIT_MERGE_ANALYSIS_UP_TO_DATE)
		goto done;
	res->fetched = 1;
	if (an & GIT_MERGE_ANALYSIS_FASTFORWARD) {
		error = move_head(r, ours, theirs, "delegit sync: fast-forward",
				  unjudged, o);
		res->fast_forward = !error;
		goto done;
	}
	if ((error = merge_commits(&merge_id, r, ours, theirs, upstream.ptr, o,
				   &res->report)) < 0)
		goto done;
	fault_point("after-merge-commit");
	if (git_commit_lookup(&merged, r->git, &merge_id) < 0) {
		error = dlg_sync__error("cannot read the merge commit");
		goto done;
	}
	error = move_head(r, ours, merged, "delegit sync: merge", unjudged, o);
	res->merged = !error;
done:
	git_annotated_commit_free(ann);
	git_commit_free(merged);
	git_commit_free(ours);
	git_commit_free(theirs);
	dlg_buf_dispose(&ref);
	dlg_buf_dispose(&upstream);
	return error;
}

/* A file of the remote's tip that does not validate: the remote's
 * commits cannot come in. One that did not validate in some commit but
 * does at the tip is only reported: history never wedges a replica. */
static int invalid_at_tip(git_repository *g, git_tree *tip, const char *path)
{
	git_tree_entry *e = NULL;
	git_blob *b = NULL;
	dlg_node *doc = NULL;
	dlg_diags ignore = DLG_DIAGS_INIT;
	int bad = 0;

	if (git_tree_entry_bypath(&e, tip, path) < 0)
		return 0; /* gone since */
	bad = git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB &&
	      git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB_EXECUTABLE;
	if (!bad && !git_blob_lookup(&b, g, git_tree_entry_id(e)))
		bad = dlg_store_parse(&doc, git_blob_rawcontent(b),
				      (size_t)git_blob_rawsize(b), path,
				      dlg_schema_for_path(path), &ignore) < 0;
	dlg_node_free(doc);
	dlg_diags_dispose(&ignore);
	git_blob_free(b);
	git_tree_entry_free(e);
	return bad;
}

/* Judge what the remote brings that we do not have yet, by the team and
 * policy this replica trusts (HEAD's). A history that shares nothing with
 * ours is refused unless asked for. */
static int judge_incoming(dlg_sync_result *res, dlg_judgement *j, dlg_repo *r,
			  const char *remote, const char *branch,
			  const dlg_sync_options *o)
{
	dlg_buf ref = DLG_BUF_INIT;
	git_oid theirs, head, base;
	git_commit *tip = NULL;
	git_tree *tree = NULL;
	int error = 0, have_head;
	size_t i, k;

	dlg_judgement_dispose(j);
	dlg_buf_printf(&ref, "refs/remotes/%s/%s", remote, branch);
	/* Only a branch that is not there is an empty remote: one that
	 * cannot be read would let its commits in unjudged. */
	if ((error = git_reference_name_to_id(&theirs, r->git, ref.ptr)) < 0) {
		error = error == GIT_ENOTFOUND ? 0 :
			dlg_sync__error("cannot read the remote's branch");
		goto done;
	}
	if ((error = git_reference_name_to_id(&head, r->git, "HEAD")) < 0 &&
	    error != GIT_ENOTFOUND && error != GIT_EUNBORNBRANCH) {
		error = dlg_sync__error("cannot read HEAD");
		goto done;
	}
	have_head = error == 0;
	error = 0;
	if (have_head && git_merge_base(&base, r->git, &head, &theirs) ==
			 GIT_ENOTFOUND && !o->allow_unrelated) {
		dlg_error_set("refusing to merge unrelated histories: '%s/%s' "
			      "does not contain this repository's first commit; "
			      "nothing changed (--allow-unrelated-histories "
			      "merges it, judged by this replica's policy)",
			      remote, branch);
		error = DLG_EINVALID;
		goto done;
	}
	if ((error = dlg_sync__judge(j, r, &theirs, have_head ? &head : NULL,
				     0)) < 0)
		goto done;
	if (git_commit_lookup(&tip, r->git, &theirs) < 0 ||
	    git_commit_tree(&tree, tip) < 0) {
		error = dlg_sync__error("cannot read the remote's commit");
		goto done;
	}
	for (i = 0; i < j->violations.count; i++) {
		const dlg_violation *v = &j->violations.items[i];

		if (strcmp(v->field, DLG_INVALID_FILE))
			continue;
		for (k = 0; k < i; k++)
			if (!strcmp(j->violations.items[k].field,
				    DLG_INVALID_FILE) &&
			    !strcmp(j->violations.items[k].path, v->path))
				break;
		if (k == i && invalid_at_tip(r->git, tree, v->path))
			dlg_diags_add(&res->report.problems, v->path, 0, 0,
				      "%s (commit %.8s)", v->message, v->commit);
	}
	if (res->report.problems.count) {
		dlg_error_set("sync refused the remote's commits: %zu file%s "
			      "there do%s not validate; nothing here changed "
			      "(mend them where they were made)",
			      res->report.problems.count,
			      res->report.problems.count == 1 ? "" : "s",
			      res->report.problems.count == 1 ? "es" : "");
		error = DLG_ECONFLICT;
	}
done:
	git_tree_free(tree);
	git_commit_free(tip);
	dlg_buf_dispose(&ref);
	return error;
}

/* In enforce mode (by the policy this replica trusted before the remote's
 * commits came in: never by theirs), take the violations back. When that
 * fails, the remote's commits go back out (HEAD to pre, where it was
 * before they came in): HEAD is what the next sync trusts, and it must
 * judge them again, never take what this one could not reject. */
static int enforce(dlg_sync_result *res, dlg_repo *r, const dlg_judgement *j,
		   const git_oid *pre, const dlg_sync_options *o)
{
	git_commit *now = NULL, *old = NULL;
	dlg_buf first = DLG_BUF_INIT;
	git_oid id;
	size_t n = 0;
	int error;

	if (!j->violations.count || !j->enforce)
		return 0;
	if (!(error = dlg_sync__reject(r, j, o->committer, &n))) {
		res->enforced = 1;
		pending_done(r); /* HEAD holds the rejection: trusted */
		return 0;
	}
	dlg_buf_puts(&first, dlg_error_last());
	if (pre && !git_reference_name_to_id(&id, r->git, "HEAD") &&
	    !git_oid_equal(&id, pre) &&
	    !git_commit_lookup(&now, r->git, &id) &&
	    !git_commit_lookup(&old, r->git, pre) &&
	    !move_head(r, now, old, "delegit sync: taken back, its rejection "
		       "failed", 0, o))
		res->taken_back = 1;
	/* (a move back that failed is finished by the next command, as
	 * after a kill: its record was written first) */
	dlg_error_set("%s", first.ptr);
	dlg_buf_dispose(&first);
	git_commit_free(now);
	git_commit_free(old);
	return error;
}

/*
 * The commits of tip that hidden (NULL: none) does not hold: how many,
 * and, with res, each one that is not a merge counted in res->incoming
 * with its author.
 */
static int count_commits(size_t *out, dlg_sync_result *res, dlg_repo *r,
			 const git_oid *tip, const git_oid *hidden)
{
	git_revwalk *rw = NULL;
	git_commit *c = NULL;
	git_oid id;
	size_t i;
	int error;

	*out = 0;
	if (git_revwalk_new(&rw, r->git) < 0 ||
	    git_revwalk_sorting(rw, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME |
					    GIT_SORT_REVERSE) < 0 ||
	    git_revwalk_push(rw, tip) < 0 ||
	    (hidden && git_revwalk_hide(rw, hidden) < 0)) {
		error = dlg_sync__error("cannot walk the history");
		goto done;
	}
	while (!(error = git_revwalk_next(&id, rw))) {
		const git_signature *a;

		(*out)++;
		if (!res)
			continue;
		if (git_commit_lookup(&c, r->git, &id) < 0) {
			error = dlg_sync__error("cannot read a commit");
			goto done;
		}
		if (git_commit_parentcount(c) > 1) {
			git_commit_free(c);
			c = NULL;
			continue;
		}
		a = git_commit_author(c);
		res->incoming++;
		for (i = 0; i < res->nauthors; i++)
			if (!strcmp(res->authors[i].email, a->email))
				break;
		if (i == res->nauthors) {
			res->authors = realloc(res->authors,
					       (i + 1) * sizeof(*res->authors));
			if (!res->authors)
				abort();
			res->authors[i].name = dlg_strdup(a->name);
			res->authors[i].email = dlg_strdup(a->email);
			res->authors[i].commits = 0;
			res->nauthors++;
		}
		res->authors[i].commits++;
		git_commit_free(c);
		c = NULL;
	}
	if (error == GIT_ITEROVER)
		error = 0;
	else
		error = dlg_sync__error("cannot walk the history");
done:
	git_commit_free(c);
	git_revwalk_free(rw);
	return error;
}

/* Whether the remote's branch (as last fetched) is our HEAD. */
static int up_to_date(dlg_repo *r, const char *remote, const char *branch)
{
	dlg_buf ref = DLG_BUF_INIT;
	git_oid a, b;
	int same;

	dlg_buf_printf(&ref, "refs/remotes/%s/%s", remote, branch);
	same = !git_reference_name_to_id(&a, r->git, ref.ptr) &&
	       !git_reference_name_to_id(&b, r->git, "HEAD") &&
	       git_oid_equal(&a, &b);
	dlg_buf_dispose(&ref);
	return same;
}

/* The remote's branch as last fetched (zeros when there is none). */
static void remote_tip(git_oid *out, dlg_repo *r, const char *remote,
		       const char *branch)
{
	dlg_buf ref = DLG_BUF_INIT;

	dlg_buf_printf(&ref, "refs/remotes/%s/%s", remote, branch);
	if (git_reference_name_to_id(out, r->git, ref.ptr) < 0) {
		memset(out, 0, sizeof(*out));
		git_error_clear();
	}
	dlg_buf_dispose(&ref);
}

/* So that plain `git pull` and `git status` know the upstream. */
static void set_upstream(dlg_repo *r, const char *remote, const char *branch)
{
	dlg_buf key = DLG_BUF_INIT, val = DLG_BUF_INIT;
	char *have = NULL;

	dlg_buf_printf(&key, "branch.%s.remote", branch);
	if (dlg_repo_config_get(&have, r, key.ptr) == DLG_ENOTFOUND) {
		dlg_repo_config_set(r, key.ptr, remote);
		dlg_buf_clear(&key);
		dlg_buf_printf(&key, "branch.%s.merge", branch);
		dlg_buf_printf(&val, "refs/heads/%s", branch);
		dlg_repo_config_set(r, key.ptr, val.ptr);
	}
	free(have);
	dlg_buf_dispose(&key);
	dlg_buf_dispose(&val);
}

/* libgit2 caches trees only up to 4 KiB, and a shard of a large
 * repository (some 400 tasks) is 28 KiB: without a larger limit, building
 * a pack (a push, and a fetch from a local remote, whose other side runs
 * in this process) reads and hashes every shard again for each new commit
 * (100k tasks: 40 s for 1,000 commits). Only for a sync: elsewhere trees
 * are read once, and caching them all slows the walk of a long history. */
static void cache_large_trees(int on)
{
	git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, GIT_OBJECT_TREE,
			 on ? (size_t)1 << 20 : (size_t)4096);
}

static const char *push_url(const git_remote *remote)
{
	return git_remote_pushurl(remote) ? git_remote_pushurl(remote)
					  : git_remote_url(remote);
}

/* One sync's state across its tries: the remote, HEAD's branch, the
 * transfer options and the callbacks' context (which they point to, so
 * it stays where dlg_sync_run put it). */
typedef struct {
	dlg_repo *r;
	const dlg_sync_options *o;
	const char *name, *branch;
	git_remote *remote, *pusher;
	git_reference *head;
	git_fetch_options fo;
	git_push_options po;
	remote_ctx ctx;
	dlg_buf spec, tracking;
	char *specp;
	git_strarray specs;
	git_oid refused_at; /* the remote's tip when it refused a push */
	int refused;
} sync_run;

/* Finds the remote and HEAD's branch and sets up the transfers. */
static int sync_start(sync_run *s)
{
	int error;

	if ((error = git_remote_lookup(&s->remote, s->r->git, s->name)) < 0) {
		if (error != GIT_ENOTFOUND && error != GIT_EINVALIDSPEC)
			return dlg_sync__error("cannot read the remote");
		dlg_error_set("no remote '%s': add one with 'git remote add "
			      "%s URL'", s->name, s->name);
		return DLG_EUSAGE;
	}
	if (git_repository_head(&s->head, s->r->git) < 0 ||
	    !git_reference_is_branch(s->head))
		return dlg_sync__error("HEAD is not on a branch");
	s->branch = git_reference_shorthand(s->head);
	dlg_buf_printf(&s->spec, "refs/heads/%s:refs/heads/%s", s->branch,
		       s->branch);
	dlg_buf_printf(&s->tracking, "refs/remotes/%s/%s", s->name,
		       s->branch);
	s->specp = s->spec.ptr;
	s->specs.strings = &s->specp;
	s->specs.count = 1;
	callbacks(&s->fo.callbacks, &s->ctx);
	callbacks(&s->po.callbacks, &s->ctx);
	s->po.pb_parallelism = 0; /* one thread a core for the delta search */
	return 0;
}

/* Fetches the remote's branch into its tracking ref. */
static int sync_fetch(sync_run *s)
{
	struct sigaction old_alarm;
	int saved, error;

	s->ctx.cred_tries = 0;
	dlg_sync__hold_ref(s->r, s->tracking.ptr);
	if ((error = missing_local(s->name, git_remote_url(s->remote),
				   "fetch")) < 0)
		return error;
	net_start(s->o->timeout, &old_alarm);
	errno = 0;
	if (connect_remote(s->remote, GIT_DIRECTION_FETCH, &s->fo.callbacks,
			   &s->ctx) < 0 ||
	    git_remote_fetch(s->remote, NULL, &s->fo,
			     "delegit sync: fetch") < 0) {
		saved = errno;
		error = remote_failure(s->name, git_remote_url(s->remote),
				       "fetch", s->ctx.unconnected, saved);
		net_stop(&old_alarm);
		return error;
	}
	net_stop(&old_alarm);
	fault_point("after-fetch");
	return 0;
}

/* Refused, and the remote has not moved since: not a race to try again,
 * but a refusal (a server's hook). */
static int sync_still_refused(sync_run *s)
{
	git_oid now;

	if (!s->refused)
		return 0;
	remote_tip(&now, s->r, s->name, s->branch);
	if (!git_oid_equal(&now, &s->refused_at))
		return 0;
	dlg_error_set("remote '%s' (%s) refused the push: %s; your work is "
		      "committed here", s->name, push_url(s->remote),
		      s->ctx.push_message);
	return -1;
}

/* Pushes HEAD's branch, counting first what the remote will get: 0 when
 * it took it, 1 when it moved or refused (the caller fetches again). */
static int sync_push(size_t *outgoing, sync_run *s)
{
	struct sigaction old_alarm;
	git_oid head_id, theirs;
	int known, saved, error;

	s->ctx.cred_tries = 0;
	s->ctx.push_rejected = 0;
	fault_point("before-push");
	if ((error = missing_local(s->name, push_url(s->remote), "push")) < 0)
		return error;
	/* A remote of its own: libgit2 keeps the transport the fetch chose,
	 * by the fetch URL, whatever the push URL is. */
	git_remote_free(s->pusher);
	s->pusher = NULL;
	if (git_remote_lookup(&s->pusher, s->r->git, s->name) < 0)
		return dlg_sync__error("cannot read the remote");
	/* what the remote will get: HEAD's commits that its branch, as just
	 * fetched, does not hold */
	known = !git_reference_name_to_id(&theirs, s->r->git,
					  s->tracking.ptr);
	if (!git_reference_name_to_id(&head_id, s->r->git, "HEAD") &&
	    (error = count_commits(outgoing, NULL, s->r, &head_id,
				   known ? &theirs : NULL)) < 0)
		return error;
	net_start(s->o->timeout, &old_alarm);
	errno = 0;
	if ((error = connect_remote(s->pusher, GIT_DIRECTION_PUSH,
				    &s->po.callbacks, &s->ctx)) == 0)
		error = git_remote_push(s->pusher, &s->specs, &s->po);
	saved = errno;
	net_stop(&old_alarm);
	if (error == GIT_ENONFASTFORWARD ||
	    (error == 0 && s->ctx.push_rejected)) {
		if ((s->refused = error == 0))
			remote_tip(&s->refused_at, s->r, s->name, s->branch);
		return 1;
	}
	if (error < 0)
		return remote_failure(s->name, push_url(s->remote), "push",
				      s->ctx.unconnected, saved);
	fault_point("after-push");
	return 0;
}

int dlg_sync_run(dlg_sync_result *res, dlg_repo *r, const dlg_sync_options *o)
{
	sync_run s;
	dlg_judgement judged;
	git_oid before, tip, id;
	size_t outgoing = 0, incoming;
	int error = 0, have_before;

	memset(res, 0, sizeof(*res));
	memset(&judged, 0, sizeof(judged));
	memset(&s, 0, sizeof(s));
	s.r = r;
	s.o = o;
	s.name = o->remote ? o->remote : "origin";
	s.ctx.o = o;
	git_fetch_options_init(&s.fo, GIT_FETCH_OPTIONS_VERSION);
	git_push_options_init(&s.po, GIT_PUSH_OPTIONS_VERSION);
	s.spec = (dlg_buf)DLG_BUF_INIT;
	s.tracking = (dlg_buf)DLG_BUF_INIT;
	have_before = !git_reference_name_to_id(&before, r->git, "HEAD");
	if ((error = sync_start(&s)) < 0) {
		if (!s.remote)
			return error;
		goto done;
	}
	cache_large_trees(1);
	for (res->tries = 1;; res->tries++) {
		git_oid pre;
		int have_pre;

		if ((error = sync_fetch(&s)) < 0 ||
		    (error = sync_still_refused(&s)) < 0 ||
		    (error = judge_incoming(res, &judged, r, s.name, s.branch,
					    o)) < 0)
			goto done;
		have_pre = !git_reference_name_to_id(&pre, r->git, "HEAD");
		if ((error = integrate(res, r, s.name, s.branch,
				       judged.enforce && judged.violations.count,
				       o)) < 0 ||
		    (error = enforce(res, r, &judged, have_pre ? &pre : NULL,
				     o)) < 0)
			goto done;
		if (up_to_date(r, s.name, s.branch))
			break; /* the remote has all we have */
		if ((error = sync_push(&outgoing, &s)) < 0)
			goto done;
		if (error == 0) {
			res->pushed = 1;
			res->outgoing = outgoing;
			break;
		}
		error = 0;
		if (res->tries < o->max_tries)
			continue; /* the remote moved: again */
		dlg_error_set("the remote kept moving: %d tries (%s)",
			      res->tries, s.ctx.push_message);
		error = DLG_ECONFLICT;
		goto done;
	}
	set_upstream(r, s.name, s.branch);
	/* what came in: the remote's commits HEAD did not hold before */
	if (!git_reference_name_to_id(&tip, r->git, s.tracking.ptr) &&
	    (error = count_commits(&incoming, res, r, &tip,
				   have_before ? &before : NULL)) < 0)
		goto done;
done:
	dlg_sync__released(r);
	cache_large_trees(0);
	res->violations = judged.violations;
	memset(&judged.violations, 0, sizeof(judged.violations));
	dlg_judgement_dispose(&judged);
	if (!git_reference_name_to_id(&id, r->git, "HEAD"))
		git_oid_tostr(res->head, sizeof(res->head), &id);
	dlg_buf_dispose(&s.spec);
	dlg_buf_dispose(&s.tracking);
	git_reference_free(s.head);
	git_remote_free(s.pusher);
	git_remote_free(s.remote);
	return error;
}

void dlg_sync_result_dispose(dlg_sync_result *r)
{
	size_t i;

	for (i = 0; i < r->nauthors; i++) {
		free(r->authors[i].name);
		free(r->authors[i].email);
	}
	free(r->authors);
	r->authors = NULL;
	r->nauthors = 0;
	dlg_violations_dispose(&r->violations);
	dlg_buf_dispose(&r->report.lines);
	dlg_diags_dispose(&r->report.problems);
}

/*
 * A bare remote made with `git init --bare` may name a HEAD branch
 * (master) that nobody pushed while the work is on main. Like git, the
 * clone is then empty; unlike git, we check out main, or the only branch.
 */
static int adopt_branch(git_repository *g, git_clone_options *co)
{
	git_reference *remote_ref = NULL, *local = NULL;
	git_commit *commit = NULL;
	git_branch_iterator *it = NULL;
	git_branch_t type;
	const char *name = NULL;
	dlg_buf local_name = DLG_BUF_INIT;
	int error = 0;

	if (git_branch_lookup(&remote_ref, g, "origin/main",
			      GIT_BRANCH_REMOTE) < 0) {
		int next = -1;

		if (git_branch_iterator_new(&it, g, GIT_BRANCH_REMOTE) == 0)
			next = git_branch_next(&remote_ref, &type, it);
		git_branch_iterator_free(it);
		if (next == GIT_ITEROVER)
			return 0; /* truly empty: nothing to check out */
		/* not listed: not known to be empty */
		if (next < 0)
			goto fail;
	}
	if (git_branch_name(&name, remote_ref) < 0 || !strchr(name, '/'))
		goto fail;
	dlg_buf_puts(&local_name, strchr(name, '/') + 1);
	if (git_commit_lookup(&commit, g, git_reference_target(remote_ref)) < 0 ||
	    git_branch_create(&local, g, local_name.ptr, commit, 0) < 0 ||
	    git_branch_set_upstream(local, name) < 0 ||
	    git_repository_set_head(g, git_reference_name(local)) < 0 ||
	    git_checkout_head(g, &co->checkout_opts) < 0)
		goto fail;
	goto done;
fail:
	error = dlg_sync__error("cannot check out the remote's branch");
done:
	dlg_buf_dispose(&local_name);
	git_commit_free(commit);
	git_reference_free(local);
	git_reference_free(remote_ref);
	return error;
}

/* git_clone's remote, connected here: a connection that fails is told
 * from a failure after it (a full disk). A local clone copies files, and
 * connects to nothing. */
static int clone_remote(git_remote **out, git_repository *repo,
			const char *name, const char *url, void *payload)
{
	remote_ctx *ctx = payload;
	int error;

	if ((error = git_remote_create(out, repo, name, url)) < 0 ||
	    local_path(url))
		return error;
	if ((error = connect_remote(*out, GIT_DIRECTION_FETCH, ctx->callbacks,
				    ctx)) < 0) {
		git_remote_free(*out);
		*out = NULL;
	}
	return error;
}

/* Whether path may be cloned into (as git allows): nothing there, or an
 * empty directory. */
static int empty_or_missing(const char *path)
{
	struct dirent *e;
	int empty = 1;
	DIR *d;

	if (!(d = opendir(path)))
		return errno == ENOENT; /* a file, or a folder we cannot read */
	while (empty && (e = readdir(d)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

/* Remove what is under path (never following a link), and path itself
 * unless keep_top: what a failed clone made, as git removes it. */
static void remove_tree(const char *path, int keep_top)
{
	dlg_buf sub = DLG_BUF_INIT;
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (lstat(path, &st) < 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(path))) {
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			dlg_buf_clear(&sub);
			dlg_buf_printf(&sub, "%s/%s", path, e->d_name);
			remove_tree(sub.ptr, 0);
		}
		closedir(d);
		if (!keep_top)
			rmdir(path);
	} else if (!keep_top) {
		unlink(path);
	}
	dlg_buf_dispose(&sub);
}

int dlg_repo_clone(dlg_repo **out, const char *url, const char *path,
		   const dlg_sync_options *o)
{
	git_clone_options co = GIT_CLONE_OPTIONS_INIT;
	git_repository *g = NULL;
	remote_ctx ctx;
	struct stat st;
	int existed, unborn;

	memset(&ctx, 0, sizeof(ctx));
	ctx.o = o;
	*out = NULL;
	dlg_sync__init();
	callbacks(&co.fetch_opts.callbacks, &ctx);
	co.checkout_opts.checkout_strategy = GIT_CHECKOUT_SAFE;
	co.checkout_opts.progress_cb = checkout_progress;
	co.checkout_opts.progress_payload = (void *)o;
	if (!empty_or_missing(path)) {
		dlg_error_set("cannot clone into '%s': it exists and is not an "
			      "empty directory", path);
		return -1;
	}
	if (missing_local(NULL, url, "clone") < 0)
		return -1;
	/* An empty folder given stays, emptied, when the clone fails. */
	existed = stat(path, &st) == 0;
	co.remote_cb = clone_remote;
	co.remote_cb_payload = &ctx;
	ctx.callbacks = &co.fetch_opts.callbacks;
	{
		struct sigaction old_alarm;
		int e;

		net_start(o ? o->timeout : 0, &old_alarm);
		errno = 0;
		e = git_clone(&g, url, path, &co);
		if (e < 0)
			e = remote_failure(NULL, url, "clone", ctx.unconnected,
					   errno);
		net_stop(&old_alarm);
		if (e < 0) {
			/* no half-made clone that the next one would refuse */
			remove_tree(path, existed);
			return e;
		}
	}
	/* HEAD unreadable: not an empty clone, which nothing would fill */
	if ((unborn = git_repository_head_unborn(g)) < 0)
		dlg_sync__error("cannot read the clone's HEAD");
	if (unborn < 0 || (unborn == 1 && adopt_branch(g, &co) < 0)) {
		git_repository_free(g);
		remove_tree(path, existed);
		return -1;
	}
	return dlg_sync__wrap(out, g);
}

/* The program a driver command runs: its first word, unquoted as sh
 * would ('...' and \x only: what cli writes, and plain paths). */
static void driver_program(dlg_buf *out, const char *cmd)
{
	const char *p = cmd;

	dlg_buf_clear(out);
	while (*p && *p != ' ' && *p != '\t') {
		if (*p == '\'') {
			const char *end = strchr(p + 1, '\'');

			if (!end)
				end = p + strlen(p);
			dlg_buf_put(out, p + 1, (size_t)(end - p - 1));
			p = *end ? end + 1 : end;
		} else if (*p == '\\' && p[1]) {
			dlg_buf_put(out, p + 1, 1);
			p += 2;
		} else {
			dlg_buf_put(out, p++, 1);
		}
	}
}

/* A program named without a slash is there when sh would find it on
 * PATH. */
static int program_there(const char *prog)
{
	const char *path = getenv("PATH"), *p;
	dlg_buf full = DLG_BUF_INIT;
	int found = 0;

	if (strchr(prog, '/'))
		return access(prog, X_OK) == 0;
	for (p = path ? path : ""; !found && *p;) {
		size_t n = strcspn(p, ":");

		dlg_buf_clear(&full);
		if (n)
			dlg_buf_put(&full, p, n);
		else
			dlg_buf_puts(&full, ".");
		dlg_buf_printf(&full, "/%s", prog);
		found = access(full.ptr, X_OK) == 0;
		p += n + (p[n] == ':');
	}
	dlg_buf_dispose(&full);
	return found;
}

int dlg_repo_ensure_merge_driver(dlg_repo *r, const char *program)
{
	char *have = NULL, *name = NULL;
	dlg_buf want = DLG_BUF_INIT, prog = DLG_BUF_INIT;
	int error = 0;

	dlg_buf_printf(&want, "%s merge-file %%O %%A %%B %%P", program);
	if (dlg_repo_config_get(&have, r, "merge.delegit.driver") == 0) {
		/*
		 * Keep it while the program it names is there, unless this
		 * program is the one on PATH, named so (a path would break
		 * git pull once the binary moves): a build run from
		 * elsewhere then leaves the installed one in place.
		 */
		driver_program(&prog, have);
		if (!strcmp(have, want.ptr) ||
		    (program_there(prog.ptr) &&
		     (strchr(program, '/') || !strchr(prog.ptr, '/'))))
			goto done;
	}
	if ((error = dlg_repo_config_set(r, "merge.delegit.driver", want.ptr)) < 0)
		goto done;
	if (dlg_repo_config_get(&name, r, "merge.delegit.name") == DLG_ENOTFOUND)
		error = dlg_repo_config_set(r, "merge.delegit.name",
					    "delegit field-by-field merge");
done:
	free(have);
	free(name);
	dlg_buf_dispose(&prog);
	dlg_buf_dispose(&want);
	return error;
}
