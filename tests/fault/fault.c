/*
 * Fault injection for the tests (docs/testing.md, "Fault injection"): an
 * LD_PRELOAD library that makes the Nth call of a named function fail.
 *
 *   DLG_FAULT=write:3              the third write() fails (ENOSPC)
 *   DLG_FAULT=read:2:EISDIR        the second read() fails with EISDIR
 *   DLG_FAULT=rename:1+            every rename() from the first on
 *   DLG_FAULT=git_commit_lookup:1  libgit2's, with a libgit2 error set
 *   DLG_FAULT=BN_bin2bn:1          OpenSSL's (ssl_wrappers.h)
 *   DLG_FAULT=open:0               none: only count the calls
 *   DLG_FAULT=read@/tasks/:1       the first read() of a file whose path
 *                                  holds "/tasks/" (@ takes open's path, or
 *                                  the path of a descriptor: read, write,
 *                                  close, flock...)
 *   DLG_FAULT=alloc:0              count delegit's own allocations and
 *                                  log each call site once (below)
 *   DLG_FAULT=alloc@+1a2b.:1       the first allocation from that site fails
 *   DLG_FAULT_LOG=FILE             where to write what happened
 *
 * Several rules, comma-separated. The log gets a line "fired NAME N" when
 * the fault is injected, and at exit "calls NAME COUNT" for each function
 * named in DLG_FAULT, and "pipe-fd-leaked FD" for each descriptor made
 * by pipe() and still open (a leak on an error path). Only the process
 * that loaded it first is touched: LD_PRELOAD and DLG_FAULT are removed
 * from the environment at start, so the programs it runs (git, ssh-keygen)
 * run untouched, and a forked child never fails.
 *
 * Functions are reached through dlsym(RTLD_NEXT): under AddressSanitizer
 * the shim comes after the ASan runtime in LD_PRELOAD, and ASan's
 * interceptors call ours.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <git2.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_RULES 128
#define MAX_PIPE_FDS 64

struct rule {
	char name[64];
	char path[256]; /* only calls on a path holding this */
	long at;   /* the call that fails, from 1; 0: none */
	int from;  /* and every later one */
	int err;   /* errno (0: the function's usual one) */
	long calls;
};

static struct rule rules[MAX_RULES];
static int nrules;
static pid_t owner;
static char log_path[4096];
static int pipe_fds[MAX_PIPE_FDS];
static int npipe_fds;

static void *next(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f) {
		fprintf(stderr, "dlg-fault: no next %s\n", name);
		abort();
	}
	return f;
}

static void log_line(const char *fmt, ...)
{
	static ssize_t (*real_write)(int, const void *, size_t);
	static int (*real_open)(const char *, int, ...);
	static int (*real_close)(int);
	char line[256];
	va_list ap;
	int fd, n;

	if (!real_write) {
		real_write = next("write");
		real_open = next("open");
		real_close = next("close");
	}
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (!*log_path) {
		if (real_write(2, line, (size_t)n) < 0)
			(void)0;
		return;
	}
	fd = real_open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		       0666);
	if (fd < 0)
		return;
	if (real_write(fd, line, (size_t)n) < 0)
		(void)0;
	real_close(fd);
}

static const struct {
	const char *name;
	int err;
} errnos[] = {
	{ "EIO", EIO }, { "ENOSPC", ENOSPC }, { "EACCES", EACCES },
	{ "EPERM", EPERM }, { "EISDIR", EISDIR }, { "EMFILE", EMFILE },
	{ "ENOMEM", ENOMEM }, { "EAGAIN", EAGAIN }, { "ENOLCK", ENOLCK },
	{ "EROFS", EROFS }, { "EINTR", EINTR }, { "ENOENT", ENOENT },
	{ "EEXIST", EEXIST }, { "EDQUOT", EDQUOT }, { "EXDEV", EXDEV },
	{ "ECHILD", ECHILD }, { NULL, 0 }
};

static void alloc_init(void);

__attribute__((constructor)) static void fault_init(void)
{
	const char *spec = getenv("DLG_FAULT"), *logp = getenv("DLG_FAULT_LOG");
	char buf[8192], *item, *save = NULL;

	if (!spec)
		return;
	owner = getpid();
	if (logp)
		snprintf(log_path, sizeof(log_path), "%s", logp);
	snprintf(buf, sizeof(buf), "%s", spec);
	for (item = strtok_r(buf, ",", &save); item && nrules < MAX_RULES;
	     item = strtok_r(NULL, ",", &save)) {
		struct rule *r = &rules[nrules];
		char *colon = strchr(item, ':'), *end, *err;
		int i;

		if (!colon)
			continue;
		*colon = '\0';
		if ((end = strchr(item, '@'))) {
			*end = '\0';
			snprintf(r->path, sizeof(r->path), "%s", end + 1);
		}
		snprintf(r->name, sizeof(r->name), "%s", item);
		r->at = strtol(colon + 1, &end, 10);
		if (*end == '+') {
			r->from = 1;
			end++;
		}
		if (*end == ':') {
			err = end + 1;
			for (i = 0; errnos[i].name; i++)
				if (!strcmp(errnos[i].name, err))
					r->err = errnos[i].err;
			if (!r->err)
				r->err = atoi(err);
		}
		nrules++;
	}
	alloc_init();
	/* Not for the programs this one runs. */
	unsetenv("LD_PRELOAD");
	unsetenv("DLG_FAULT");
}

__attribute__((destructor)) static void fault_fini(void)
{
	int i;

	if (!owner || getpid() != owner)
		return;
	for (i = 0; i < nrules; i++)
		log_line("calls %s %ld\n", rules[i].name, rules[i].calls);
	for (i = 0; i < npipe_fds; i++) {
		struct stat st;

		if (pipe_fds[i] >= 0 && !fstat(pipe_fds[i], &st) &&
		    S_ISFIFO(st.st_mode))
			log_line("pipe-fd-leaked %d\n", pipe_fds[i]);
	}
}

/* Does this call of name (on path, or on descriptor fd when path is
 * NULL and fd >= 0) fail? Then errno is set (err: its usual one). */
static int fires_on(const char *name, const char *path, int fd, int err)
{
	char fdpath[4096];
	int i;

	if (!nrules || getpid() != owner)
		return 0;
	for (i = 0; i < nrules; i++) {
		struct rule *r = &rules[i];
		long n;

		if (strcmp(r->name, name))
			continue;
		if (*r->path) {
			if (!path && fd >= 0) {
				char proc[64];
				ssize_t len;

				snprintf(proc, sizeof(proc), "/proc/self/fd/%d",
					 fd);
				len = readlink(proc, fdpath,
					       sizeof(fdpath) - 1);
				fdpath[len > 0 ? len : 0] = '\0';
				path = fdpath;
			}
			if (!path || !strstr(path, r->path))
				continue;
		}
		n = __atomic_add_fetch(&r->calls, 1, __ATOMIC_SEQ_CST);
		if (r->at && (n == r->at || (r->from && n > r->at))) {
			log_line("fired %s %ld\n", name, n);
			errno = r->err ? r->err : err;
			return 1;
		}
	}
	return 0;
}

static int fires(const char *name, int err)
{
	return fires_on(name, NULL, -1, err);
}

static void track_pipe(const int fds[2])
{
	int i, j;

	/* A descriptor number made again replaces the old one. */
	for (j = 0; j < 2; j++) {
		for (i = 0; i < npipe_fds; i++)
			if (pipe_fds[i] == fds[j])
				break;
		if (i == npipe_fds && npipe_fds < MAX_PIPE_FDS)
			pipe_fds[npipe_fds++] = fds[j];
	}
}

/* --- the C library --------------------------------------------------- */

#define REAL(type, name, params) \
	static type(*real_##name) params; \
	if (!real_##name) \
		real_##name = (type(*) params)next(#name)

static int open_mode(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE
		       ? va_arg(ap, int) : 0;
}

#define WRAP_OPEN(name, real_name) \
	int name(const char *path, int flags, ...) \
	{ \
		va_list ap; \
		int mode; \
		REAL(int, name, (const char *, int, ...)); \
		va_start(ap, flags); \
		mode = open_mode(flags, ap); \
		va_end(ap); \
		if (fires_on(real_name, path, -1, EACCES)) \
			return -1; \
		return real_##name(path, flags, mode); \
	}
WRAP_OPEN(open, "open")
WRAP_OPEN(open64, "open")

#define WRAP_OPENAT(name) \
	int name(int dirfd, const char *path, int flags, ...) \
	{ \
		va_list ap; \
		int mode; \
		REAL(int, name, (int, const char *, int, ...)); \
		va_start(ap, flags); \
		mode = open_mode(flags, ap); \
		va_end(ap); \
		if (fires_on("open", path, -1, EACCES)) \
			return -1; \
		return real_##name(dirfd, path, flags, mode); \
	}
WRAP_OPENAT(openat)
WRAP_OPENAT(openat64)

/* A plain function: name fails as fail_name, returning failval; on is
 * its path (P) or descriptor (F), or nothing (N). */
#define P(x) x, -1
#define F(x) NULL, x
#define N(x) NULL, -1
#define WRAP(type, name, fail_name, params, args, failval, err, on) \
	type name params \
	{ \
		REAL(type, name, params); \
		if (fires_on(fail_name, on, err)) \
			return failval; \
		return real_##name args; \
	}

WRAP(FILE *, fopen, "fopen", (const char *p, const char *m), (p, m), NULL,
     EACCES, P(p))
WRAP(FILE *, fopen64, "fopen", (const char *p, const char *m), (p, m), NULL,
     EACCES, P(p))
WRAP(ssize_t, read, "read", (int fd, void *b, size_t n), (fd, b, n), -1, EIO, F(fd))
WRAP(ssize_t, pread, "pread", (int fd, void *b, size_t n, off_t o),
     (fd, b, n, o), -1, EIO, F(fd))
WRAP(ssize_t, pread64, "pread", (int fd, void *b, size_t n, off_t o),
     (fd, b, n, o), -1, EIO, F(fd))
WRAP(ssize_t, write, "write", (int fd, const void *b, size_t n), (fd, b, n),
     -1, ENOSPC, F(fd))
WRAP(ssize_t, pwrite, "pwrite", (int fd, const void *b, size_t n, off_t o),
     (fd, b, n, o), -1, ENOSPC, F(fd))
WRAP(ssize_t, pwrite64, "pwrite", (int fd, const void *b, size_t n, off_t o),
     (fd, b, n, o), -1, ENOSPC, F(fd))
WRAP(int, rename, "rename", (const char *a, const char *b), (a, b), -1, EIO, P(a))
WRAP(int, unlink, "unlink", (const char *p), (p), -1, EIO, P(p))
WRAP(int, mkdir, "mkdir", (const char *p, mode_t m), (p, m), -1, ENOSPC, P(p))
WRAP(int, rmdir, "rmdir", (const char *p), (p), -1, EIO, P(p))
WRAP(int, fsync, "fsync", (int fd), (fd), -1, EIO, F(fd))
WRAP(int, fdatasync, "fsync", (int fd), (fd), -1, EIO, F(fd))
WRAP(int, ftruncate, "ftruncate", (int fd, off_t n), (fd, n), -1, EIO, F(fd))
WRAP(int, ftruncate64, "ftruncate", (int fd, off_t n), (fd, n), -1, EIO, F(fd))
WRAP(int, flock, "flock", (int fd, int op), (fd, op), -1, ENOLCK, F(fd))
WRAP(pid_t, fork, "fork", (void), (), -1, EAGAIN, N(0))
WRAP(pid_t, waitpid, "waitpid", (pid_t p, int *s, int o), (p, s, o), -1,
     ECHILD, N(0))
WRAP(DIR *, opendir, "opendir", (const char *p), (p), NULL, EMFILE, P(p))
WRAP(DIR *, fdopendir, "fdopendir", (int fd), (fd), NULL, ENOMEM, F(fd))
WRAP(char *, mkdtemp, "mkdtemp", (char *t), (t), NULL, ENOSPC, P(t))
WRAP(void *, mmap, "mmap", (void *a, size_t n, int p, int f, int fd, off_t o),
     (a, n, p, f, fd, o), MAP_FAILED, ENOMEM, F(fd))
WRAP(void *, mmap64, "mmap", (void *a, size_t n, int p, int f, int fd,
			      off_t o), (a, n, p, f, fd, o), MAP_FAILED, ENOMEM, F(fd))

/* close() fails after closing, as Linux does (EIO of a delayed write). */
int close(int fd)
{
	REAL(int, close, (int));
	if (fires_on("close", NULL, fd, EIO)) {
		int saved = errno;

		real_close(fd);
		errno = saved;
		return -1;
	}
	return real_close(fd);
}

int pipe(int fds[2])
{
	REAL(int, pipe, (int[2]));
	if (fires("pipe", EMFILE))
		return -1;
	if (real_pipe(fds) < 0)
		return -1;
	if (owner && getpid() == owner)
		track_pipe(fds);
	return 0;
}

int pipe2(int fds[2], int flags)
{
	REAL(int, pipe2, (int[2], int));
	if (fires("pipe", EMFILE))
		return -1;
	if (real_pipe2(fds, flags) < 0)
		return -1;
	if (owner && getpid() == owner)
		track_pipe(fds);
	return 0;
}

/* posix_spawn reports its error as its result, not in errno. */
int posix_spawnp(pid_t *pid, const char *file,
		 const posix_spawn_file_actions_t *fa,
		 const posix_spawnattr_t *attr, char *const argv[],
		 char *const envp[])
{
	REAL(int, posix_spawnp, (pid_t *, const char *,
				 const posix_spawn_file_actions_t *,
				 const posix_spawnattr_t *, char *const[],
				 char *const[]));
	if (fires("posix_spawnp", EAGAIN))
		return errno;
	return real_posix_spawnp(pid, file, fa, attr, argv, envp);
}

/* --- allocations ------------------------------------------------------ */

/*
 * "alloc" fails malloc, calloc, realloc, strdup and strndup when the
 * executable itself calls them, never when a library does (libgit2's,
 * libyaml's and the C library's own allocations go through), so that
 * each of delegit's `if (!p) abort();` can be reached. A call site is
 * the call's return address less the executable's load address, written
 * "+HEX." (the dot ends it: a rule's path matches as a substring):
 *   alloc:0            counts, and logs "site +HEX." the first time each
 *                      site allocates (addr2line -e delegit 0xHEX-1 names
 *                      the line)
 *   alloc@+1a2b.:1     the first allocation from that site fails
 * When abort() follows a failed allocation, the log gets "aborted" and
 * the process leaves through exit(134), so that a --coverage build still
 * writes its counts (abort would lose them); any other abort is left as
 * it is. Under ASan its allocator comes first and these are never called:
 * no site is logged.
 */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);

#define MAX_SITES 16384

static int alloc_on;
static uintptr_t exe_base, exe_lo, exe_hi;
static uintptr_t sites[MAX_SITES]; /* open addressing; 0: free */
static volatile sig_atomic_t alloc_fired;

static int find_exe(struct dl_phdr_info *info, size_t size, void *data)
{
	int i;

	(void)size;
	(void)data;
	/* The first object is the executable. */
	exe_base = info->dlpi_addr;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		if (!exe_lo || lo < exe_lo)
			exe_lo = lo;
		if (lo + ph->p_memsz > exe_hi)
			exe_hi = lo + ph->p_memsz;
	}
	return 1;
}

static void on_abort(int sig)
{
	(void)sig;
	if (alloc_fired) {
		log_line("aborted\n");
		exit(134);
	}
	signal(SIGABRT, SIG_DFL);
	raise(SIGABRT);
}

static void alloc_init(void)
{
	int i;

	for (i = 0; i < nrules; i++)
		if (!strcmp(rules[i].name, "alloc"))
			alloc_on = 1;
	if (!alloc_on)
		return;
	dl_iterate_phdr(find_exe, NULL);
	signal(SIGABRT, on_abort);
}

static void log_site(uintptr_t off)
{
	size_t h = (size_t)(off * 0x9E3779B97F4A7C15ull) % MAX_SITES, n;

	for (n = 0; n < MAX_SITES; n++, h = (h + 1) % MAX_SITES) {
		if (sites[h] == off)
			return;
		if (!sites[h]) {
			sites[h] = off;
			log_line("site +%lx.\n", (unsigned long)off);
			return;
		}
	}
}

/* Does this allocation, returning to ret, fail? */
static int alloc_fails(void *ret)
{
	uintptr_t a = (uintptr_t)ret;
	char site[32];

	if (!alloc_on || a < exe_lo || a >= exe_hi || getpid() != owner)
		return 0;
	log_site(a - exe_base);
	snprintf(site, sizeof(site), "+%lx.", (unsigned long)(a - exe_base));
	if (!fires_on("alloc", site, -1, ENOMEM))
		return 0;
	alloc_fired = 1;
	return 1;
}

void *malloc(size_t n)
{
	if (alloc_fails(__builtin_return_address(0)))
		return NULL;
	return __libc_malloc(n);
}

void *calloc(size_t count, size_t n)
{
	if (alloc_fails(__builtin_return_address(0)))
		return NULL;
	return __libc_calloc(count, n);
}

void *realloc(void *p, size_t n)
{
	if (alloc_fails(__builtin_return_address(0)))
		return NULL;
	return __libc_realloc(p, n);
}

static char *copy_of(const char *s, size_t len)
{
	char *d = __libc_malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}

char *strdup(const char *s)
{
	if (alloc_fails(__builtin_return_address(0)))
		return NULL;
	return copy_of(s, strlen(s));
}

char *strndup(const char *s, size_t n)
{
	if (alloc_fails(__builtin_return_address(0)))
		return NULL;
	return copy_of(s, strnlen(s, n));
}

/* --- libgit2 ---------------------------------------------------------- */

/* Whether a call (its return address) comes from outside libgit2 (real:
 * a function of libgit2's): a git function fails only when delegit calls
 * it, not when libgit2 calls its own exported functions (its failures
 * inside come from the C library's, injected above). */
static int from_outside(void *ret, void *real)
{
	Dl_info caller, lib;

	return dladdr(ret, &caller) && dladdr(real, &lib) &&
	       caller.dli_fbase != lib.dli_fbase;
}

#define WRAP_GIT(name, params, args, onfail) \
	int name params \
	{ \
		REAL(int, name, params); \
		if (from_outside(__builtin_return_address(0), \
				 (void *)real_##name) && \
		    fires(#name, EIO)) { \
			onfail; \
			git_error_set_str(GIT_ERROR_OS, \
					  "injected fault: " #name " failed"); \
			return GIT_ERROR; \
		} \
		return real_##name args; \
	}
#include "git_wrappers.h"

/* --- OpenSSL ---------------------------------------------------------- */

/* As libgit2's: only when delegit calls them, not OpenSSL itself. */
#define WRAP_SSL(type, name, params, args, failval) \
	type name params \
	{ \
		REAL(type, name, params); \
		if (from_outside(__builtin_return_address(0), \
				 (void *)real_##name) && \
		    fires(#name, ENOMEM)) \
			return failval; \
		return real_##name args; \
	}
#include "ssl_wrappers.h"
